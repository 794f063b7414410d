/*
 * evtx.h - the pieces of the EVTX reader that tests (and other readers) can
 * call: one event record's XML -> a flat list of (name, value) fields ->
 * an um_event.
 *
 * Field names: the System block gives "Provider" (Provider@Name), "EventID",
 * "TimeCreated" (TimeCreated@SystemTime), "EventRecordID", "Channel",
 * "Computer" and "UserID" (Security@UserID), all with sys = true.
 * EventData/Data[@Name] gives one field per Data element named by its Name
 * attribute (unnamed Data elements become "Data1", "Data2", ...);
 * UserData/<elem>/<field> gives one field named <field>. These have
 * sys = false.
 *
 * Ownership: every string in an um_evtx_fields (and in an um_event filled
 * from it) lives in its arena until um_evtx_fields_reset()/free().
 */
#ifndef UM_READ_EVTX_H
#define UM_READ_EVTX_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/internal.h"
#include "rsink.h"
#include "winevent.h"

#define UM_EVTX_MAX_FIELDS 256
#define UM_EVTX_MAX_VALUE 65536      /* longer values are cut (counted) */
#define UM_EVTX_MAX_XML (4u << 20)   /* larger records are rejected */

typedef struct um_evtx_field {
    const char *name;
    const char *value;
    bool sys;
} um_evtx_field;

typedef struct um_evtx_fields {
    um_arena arena;
    size_t n;
    size_t dropped;   /* fields beyond UM_EVTX_MAX_FIELDS */
    size_t truncated; /* values cut at UM_EVTX_MAX_VALUE */
    um_evtx_field f[UM_EVTX_MAX_FIELDS];
    um_winfields bag; /* scratch for the shared mapping */
} um_evtx_fields;

void um_evtx_fields_init(um_evtx_fields *r);
void um_evtx_fields_reset(um_evtx_fields *r);
void um_evtx_fields_free(um_evtx_fields *r);

/* Parses one record's XML (no network, no entity expansion, no huge mode)
 * into r (which is reset first). Returns NULL on success, else the reason
 * the record cannot be used. */
const char *um_evtx_parse_xml(um_evtx_fields *r, const char *xml, size_t len);

/* Value of the field named name in the system (sys) or data part; NULL when
 * absent. *count (may be NULL) gets how many fields carry that name. */
const char *um_evtx_get(const um_evtx_fields *r, bool sys, const char *name, unsigned *count);

/* Maps the fields to an event with the shared Windows mapping
 * (um_winevent_map, read/winevent.h). Returns UM_WIN_EVENT (ev filled; its
 * strings live in r until the next parse), UM_WIN_SKIP (a valid event of a
 * type unmask does not use) or UM_WIN_REJECT (*why says why). */
int um_evtx_to_event(um_evtx_fields *r, um_event *ev, const char **why);

/* Parses "USB\VID_1D6B&PID_0104..." style ids; false when s has no USB
 * vendor/product pair. */
bool um_evtx_usb_ids(const char *s, int *vid, int *pid);

/* ---- text readers of the same family (usbtext.c, zeek.c) ----------------
 * Their parsers write to a sink so tests can capture events; the registered
 * readers pass a sink that forwards to um_emit_event/um_reject/um_warn. */
/* Reads a USB inventory text / a Zeek log from f; file names the source
 * (host fallback, log kind from the name). */
um_status um_usb_text_parse(FILE *f, const char *file, const um_rsink *sink);
um_status um_zeek_parse(FILE *f, const char *file, const um_rsink *sink);

#endif
