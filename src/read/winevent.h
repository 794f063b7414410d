/*
 * winevent.h - the one place that knows what a Windows event means for
 * unmask. Every Windows container (EVTX binary, evtx_dump JSON, NXLog JSON
 * lines, Winlogbeat/ECS) first turns a record into a flat bag of
 * (name -> value text) pairs, then calls um_winevent_map() to get an
 * um_event.
 *
 * Names a container should use (matched ASCII case-insensitively):
 *   System part: "EventID", "Channel", "Provider" (provider name),
 *                "SystemTime" or "TimeCreated" (TimeCreated@SystemTime,
 *                UTC), "Computer",
 *                "EventRecordID".
 *     Accepted aliases: "SourceName"/"provider_name" for Provider,
 *     "Hostname"/"computer_name" for Computer, "RecordNumber"/"record_id"
 *     for EventRecordID, "event_id" for EventID, "@timestamp" (UTC) as the
 *     last-resort time. "EventTime" (NXLog collector local time) is never
 *     used as a time.
 *   Event data: every EventData/UserData field under its own name
 *     ("Image", "TargetUserName", "DeviceId", ...).
 *
 * Ownership: the bag only borrows names and values; they must outlive the
 * um_winevent_map() call and the use of the event it fills (the event's
 * strings point into the values or into the bag's own scratch space).
 */
#ifndef UM_WINEVENT_H
#define UM_WINEVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/internal.h"

/* More fields than this in one record: the record is rejected. */
#define UM_WIN_MAX_FIELDS 256
#define UM_WIN_SLOTS 1024 /* power of two, >= 2 x UM_WIN_MAX_FIELDS */

typedef struct um_winfield {
    const char *name;
    const char *value; /* NUL-terminated; len is the full length */
    size_t nlen;       /* strlen(name) */
    size_t len;
    unsigned count; /* how many times the name was given (>1: duplicate) */
    uint32_t hash;  /* case-insensitive hash of name */
} um_winfield;

typedef struct um_winfields {
    size_t n;
    size_t dropped; /* fields that did not fit (record is then rejected) */
    um_winfield f[UM_WIN_MAX_FIELDS];
    /* name index: open addressing on the name hash; an entry is
     * (generation << 16 | index + 1), so a reset only bumps gen (no
     * clearing per record) and adding/finding a name is O(1). */
    uint32_t slot[UM_WIN_SLOTS];
    uint32_t gen;
    /* filled by um_winevent_map(): */
    unsigned event_id;     /* parsed EventID (valid when map did not reject on it) */
    char user[1024];       /* DOMAIN\user built from two fields */
    char action[64];       /* "4624 type 10", "sysmon 3 outbound", ... */
    char why[256];         /* reject reason */
} um_winfields;

/* Empties the bag (keeps nothing). */
void um_winfields_reset(um_winfields *f);
/* Adds a pair; both strings are borrowed. count is how many times the
 * container saw the name (1 normally; pass >1 when the container itself
 * counted duplicates). A name already in the bag (case-insensitive) only
 * raises that entry's count: the first value stays. */
void um_winfields_add(um_winfields *f, const char *name, const char *value, size_t len,
                      unsigned count);
/* As um_winfields_add, for a name of klen bytes (JSON keys): false when the
 * name holds a NUL byte (strlen(name) != klen); nothing is added then. */
bool um_winfields_add_key(um_winfields *f, const char *name, size_t klen, const char *value, size_t len,
                          unsigned count);
/* The value for name, or NULL. *count (may be NULL) gets how many times the
 * name was given (0 when absent). */
const char *um_winfields_get(const um_winfields *f, const char *name, unsigned *count);

/* Results of um_winevent_map(). */
enum {
    UM_WIN_REJECT = -1, /* *why says what is wrong with the record */
    UM_WIN_EVENT = 0,   /* ev is filled: emit it */
    UM_WIN_SKIP = 1     /* a valid event of a type unmask does not use;
                           f->event_id says which (count it, warn once) */
};

/* Maps a bag to an event (ev is um_event_init()ed here). Handled:
 *   Sysmon 1 process, 3 network, 11 file create, 22 DNS;
 *   Security 4624/4625 logon, 4778 session reconnect, 4688 process,
 *   6416 PnP device; DriverFrameworks-UserMode 2003/2100/2102 and
 *   Kernel-PnP 400/410 device events.
 * Time: SystemTime, then Sysmon UtcTime, then @timestamp; none -> reject.
 * A duplicate or NUL-holding value of a field the mapping uses -> reject.
 * ev->src_line / src_file are left for the caller. */
int um_winevent_map(um_winfields *f, um_event *ev, const char **why);

/* For a record um_winevent_map() skipped (a type only rules read): fills
 * the fields every Windows record has - kind as given, host, record id,
 * time (as um_winevent_map), the account (User, SourceUser,
 * SubjectUserName, TargetUserName), image (Image, SourceImage) and target
 * (TargetImage). UM_WIN_REJECT (*why set) when the time is missing or bad. */
int um_winevent_map_common(um_winfields *f, um_event *ev, um_event_kind kind, const char **why);

/* Finds "VID_xxxx" and "PID_xxxx" (hex, case-insensitive) in s; sets *vid /
 * *pid (left unchanged when not found). */
void um_winevent_usb_ids(const char *s, int *vid, int *pid);

/* ---- JSON containers (implemented in winjson.c) ---- */

/* One JSON document (evtx_dump {"Event":..}, NXLog flat, or Winlogbeat
 * {"winlog":..}) -> event. Holds the parser and the bag; not thread-safe. */
/* A winlog-jsonl part summary from another machine (src/dist/) is one its
 * part_merge / part_finish may use (skip-table count in range, bools 0/1). */
bool um_winjson_part_valid(const void *summary);
typedef struct um_winjson um_winjson;
um_winjson *um_winjson_new(void);
void um_winjson_free(um_winjson *w);
/* buf must have UM_JSON_PADDING readable bytes after len. Same results as
 * um_winevent_map(); invalid JSON is UM_WIN_REJECT. On UM_WIN_SKIP,
 * *event_id gets the id. ev's strings live until the next call. */
int um_winjson_map(um_winjson *w, const char *buf, size_t len, um_event *ev, unsigned *event_id,
                   const char **why);
/* The bag the last um_winjson_map() built (also for SKIP results, and for
 * REJECT after the JSON parsed); valid until the next call. */
const um_winfields *um_winjson_fields(const um_winjson *w);

#endif
