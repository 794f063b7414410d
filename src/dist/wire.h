/*
 * wire.h - the bytes unmask puts on the bus (src/dist/nats.c), without the
 * bus: work units, frames of input bytes, and recorded reader output
 * (rec.h batches) as a byte stream cut into frames.
 *
 * Everything here comes from the network when decoded, so it is hostile:
 * every length is checked against what remains, enumerations and small
 * integers against their ranges, strings may hold no NUL (field-bag values
 * may), and a decoder buffers at most UM_WIRE_MAX_ITEM bytes of an
 * unfinished item. Encoding is deterministic: the same batches give the
 * same bytes, so a unit read twice (a redelivery) gives the same frames
 * and the bus's message-id de-duplication drops the second copy.
 *
 * Formats (integers are LEB128 varints, signed ones zigzag; a string is
 * varint 0 for none or length + 1, then the bytes):
 *   frame   "UMD1" (input bytes) / "UMR1" (results), u32 LE part number,
 *           then the part's bytes.
 *   unit    "UMW1", string scan id, varint unit, string reader name,
 *           string path, varint size, varint parts, varint frame (payload
 *           bytes per result frame, at least 1024), varint prefilter
 *           digest (0: none; a worker whose own digest is the same runs
 *           the prefilters and drops the bags no analyzer needs, else it
 *           keeps every bag), and for one part of
 *           a split file: varint part index, varint part count (>= 2).
 *   results a stream of items, tag first: 1 event, 2 reject, 3 warning
 *           (varint line, string message), 5 part (varint lines, bytes
 *           summary; at most one, parts only), 4 end (varint status,
 *           string error), nothing after the end. An event is: varint kind,
 *           ts, tz_min, has_tz, success, port, asn, is_proxy, usb_vid,
 *           usb_pid, src_line, ip_asn, net_flags, has_geo (then lat and
 *           lon, the bits of IEEE doubles, in range), the 26 strings of
 *           event_strs() in wire.c (src_file none when it is the input's
 *           own path), then varint 0 (no field bag), 1 (bag dropped: no
 *           analyzer's prefilter needed it, partition.h 3.) or n + 2 and
 *           n fields (string name, varint value length + bytes, varint
 *           count).
 *
 * Ownership: decoded batches belong to the caller (um_rec_batch_free);
 * a decoded unit's strings are heap copies freed by um_wire_unit_clear.
 */
#ifndef UM_WIRE_H
#define UM_WIRE_H

#include "../core/pstate.h"
#include "../core/rec.h"
#include "../link/link.h"

#define UM_WIRE_FRAME_HDR 8
#define UM_WIRE_MAX_ITEM (32u << 20) /* an unfinished item may not grow past this */

typedef struct um_wire_unit {
    char *scan_id;
    uint64_t unit;
    char *reader;
    char *path;
    uint64_t size;
    uint64_t parts;
    uint64_t frame; /* bytes of payload per result frame (the bus's message size) */
    /* a log unit: the scan's prefilter digest (um_scan_prepare; 0: keep
     * every field bag); a person partition ("@part"): the digest of what
     * its analyzers read from the context (um_bus_ctx_digest), which the
     * worker's must equal */
    uint64_t prefilter;
    uint64_t part_index, part_count; /* count > 1: the bytes are one line-aligned part of the file (partition.h) */
} um_wire_unit;

void um_wire_frame_put(um_buf *out, const char magic[4], uint32_t part);
/* true when p[0..n) starts with a frame header of this magic. */
bool um_wire_frame_get(const void *p, size_t n, const char magic[4], uint32_t *part);

void um_wire_unit_put(um_buf *out, const um_wire_unit *u);
/* UM_EPARSE on malformed bytes (*why says what). */
um_status um_wire_unit_get(const void *p, size_t n, um_wire_unit *u, const char **why);
void um_wire_unit_clear(um_wire_unit *u);

/* Appends the items of b (read from the input at in_path). */
void um_wire_put_batch(um_buf *out, const um_rec_batch *b, const char *in_path);
void um_wire_put_end(um_buf *out, int status, const char *err);
/* Before the end item of a part: the lines its reader counted and its
 * summary (partition.h, 2.; at most 4096 bytes). */
void um_wire_put_part(um_buf *out, uint64_t lines, const void *summary, size_t n);

typedef struct um_wire_dec um_wire_dec;
um_wire_dec *um_wire_dec_new(void);
void um_wire_dec_free(um_wire_dec *d);
/* Takes the next n bytes of a result stream; every item complete so far
 * goes into a new batch *out (NULL when none). UM_EPARSE (and *why) on
 * malformed bytes; the decoder is then unusable. */
um_status um_wire_dec_feed(um_wire_dec *d, const void *p, size_t n, um_rec_batch **out, const char **why);
/* true once the end item was decoded: the unit's status and error (NULL none). */
bool um_wire_dec_ended(const um_wire_dec *d, int *status, const char **err);
/* true when a part item was decoded: its line count and summary (the decoder's). */
bool um_wire_dec_part(const um_wire_dec *d, uint64_t *lines, const void **summary, size_t *n);
/* Bytes of an unfinished item held. */
size_t um_wire_dec_pending(const um_wire_dec *d);

/* ---- identity-index shards (docs/SCALING.md) ----
 *   observations  "UMO1", varint subjects, varint count, 16 varint caps
 *                 (0: the kind's default), then per observation: varint
 *                 gap to the previous one's number in the scan (the first:
 *                 its number; ascending), varint subject, varint kind,
 *                 8-byte LE hash, string canonical value (not empty).
 *   blocking      "UMB1", varint observations taken, varint collisions,
 *                 varint values, then per value: 8-byte LE hash, varint
 *                 kind, varint generic (0/1), varint first observation,
 *                 varint holders counted, varint holders listed, then per
 *                 holder varint subject, varint observation (numbers of
 *                 the scan). */
typedef struct um_wire_obsset {
    um_lk_obs *obs;  /* values point into arena; hash set */
    uint32_t *gidx;  /* observation i is the scan's gidx[i] (ascending) */
    size_t n, nsubjects;
    size_t cap[UM_LK__COUNT];
    char *arena;
} um_wire_obsset;
/* The shard of a blocking key: its top 32 bits scaled to [0, n); monotone
 * in the hash, so the shards' values in shard order are in hash order. */
static inline unsigned um_wire_shard_of(uint64_t h, unsigned n) {
    return (unsigned)(((h >> 32) * (uint64_t)n) >> 32);
}
void um_wire_obs_head(um_buf *out, uint64_t nsubjects, uint64_t nobs, const size_t *cap);
/* gap: this observation's number minus the previous one's (the first: its number). */
void um_wire_obs_put(um_buf *out, uint64_t gap, const um_lk_obs *o, uint64_t hash);
um_status um_wire_obs_get(const void *p, size_t n, um_wire_obsset *o, const char **why);
void um_wire_obsset_free(um_wire_obsset *o);
/* b's indexes mapped through gidx (NULL: as they are). */
void um_wire_block_put(um_buf *out, const um_lk_blocked *b, const uint32_t *gidx);
/* Appends a shard's blocking to b (free it with um_lk_blocked_free);
 * value mstart are offsets into b's holders. Structure only: check the
 * whole with um_wire_block_check. */
um_status um_wire_block_get(const void *p, size_t n, um_lk_blocked *b, const char **why);
/* NULL when the merged blocking b is one um_lk_block over obs could give
 * (every value matches its observations, holders ascending and complete,
 * caps applied, hash order), else why not: then it must not reach
 * um_lk_run_blocked. */
const char *um_wire_block_check(const um_lk_blocked *b, const um_lk_obs *obs, size_t nobs, size_t ns,
                                const size_t *cap);
/* um_wire_block_get, bytes after the blocking allowed: *used says where it ended. */
um_status um_wire_block_get_part(const void *p, size_t n, um_lk_blocked *b, size_t *used, const char **why);

/* Pair pieces (um_lk_pieces; docs/SCALING.md), a shard's for one pair
 * partition, or a partition's merged pairs for the scan: "UMQ1", varint
 * count, then per piece in (a, b, kind) order (a partition's: pair order):
 * varint
 * a minus the previous piece's a, varint b - a (> 0), varint kind, varint
 * best (the shard's value index), varint best - first, varint holders,
 * varint observation of a, of b (the scan's numbers). Hashes, counts and
 * numbers: no value. */
void um_wire_pieces_put(um_buf *out, const um_lk_piece *q, size_t n);
/* Appends to *arr (*narr used, *cap allocated; free with um_free), value
 * indexes moved by base (the shard's first value in the merged blocking);
 * indexes must be below nvals (the shard's values). pair_order: a pair
 * partition's output (um_lk_pair_partition's order, a ascending; the rest
 * of the order is checked by um_lk_run_pairs), else (a, b, kind) strictly
 * ascending (a shard's). */
um_status um_wire_pieces_get(const void *p, size_t n, uint32_t base, uint32_t nvals, um_lk_piece **arr, size_t *narr,
                             size_t *cap, const char **why, bool pair_order);
/* NULL when every piece fits the merged blocking b (its values of its kind,
 * not generic, held by both subjects with the observations it names, the
 * holder count b's), else why not. A piece left out is not seen: the
 * workers are trusted to send all (as to run their readers). */
const char *um_wire_pieces_check(const um_lk_piece *q, size_t n, const um_lk_blocked *b, size_t ns);

/* Events for the person partitions on workers (nats.c; docs/SCALING.md):
 * frames "UME2" + frame number on unmask.ev.SCAN.P, each a whole number
 * of items, sent while the scan replays (the partition's unit goes out
 * before the first event). An item is an event or a control item.
 * An event: varint event number (the scan's, >= 1; positions are it * 64 +
 * analyzer), zigzag subject (-1: none), varint kind, zigzag ts, tz_min,
 * success, varint port, asn, zigzag is_proxy, usb_vid, usb_pid, varint
 * src_line, ip_asn, net_flags, varint flags (1 has_tz, 2 has_geo, 4 a
 * field bag was there: the worker gets an empty one, the partitioned
 * analyzers read no bag; 8 src_file is the previous event's in the
 * frame), lat and lon (has_geo), src_file (unless 8), then 18 strings
 * (user, user_name, host, ip, country, as_org, action, app, product,
 * company, description, device_id, device_desc, usb_serial, browser_hash,
 * record_id, ip_country, ip_org). Command lines, images, targets, commit
 * subjects and field-bag contents are not sent: no partitioned analyzer
 * reads them. prev_file / *last_file: the previous event's file in the
 * frame (NULL at a frame's start). The decoder copies strings into a.
 * A control item: varint 0, varint tag, then for UM_WIRE_EV_SUBJECT a
 * subject the scan made while replaying (a log-only account or host),
 * before its first event in the partition: varint subject number, string
 * id (1-256 bytes); for UM_WIRE_EV_END, the partition's last item: varint
 * the scan's final subject count, varint events sent to the partition. */
void um_wire_ev_put(um_buf *out, uint64_t seq, um_sid sid, const um_event *ev, const char *prev_file);
um_status um_wire_ev_get(um_pk *r, um_arena *a, size_t nsubjects, const struct um_winfields *empty, uint64_t *seq,
                         um_sid *sid, um_event *ev, const char **last_file);
enum { UM_WIRE_EV_SUBJECT = 1, UM_WIRE_EV_END = 2 };
typedef struct um_wire_evctl {
    unsigned tag;
    uint64_t n;      /* SUBJECT: its number; END: the scan's subjects */
    uint64_t events; /* END: events sent to the partition */
    const char *id;  /* SUBJECT: its id (in the arena) */
} um_wire_evctl;
void um_wire_evctl_sub(um_buf *out, um_sid sid, const char *id);
void um_wire_evctl_end(um_buf *out, uint64_t nsubjects, uint64_t events);
/* 0: the next item is not a control item (nothing read); 1: *c decoded;
 * -1: malformed (r->bad says why). */
int um_wire_evctl_get(um_pk *r, um_arena *a, um_wire_evctl *c);

#endif
