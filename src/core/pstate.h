/*
 * pstate.h - a person partition's analysis state as bytes (issue 9, the
 * workers' side of src/core/partition.h 5.; docs/SCALING.md).
 *
 * A partition's state is what its analyzer instances hold after their last
 * event plus its own finding table, every finding and evidence sample with
 * its position. Saved on a worker, it is loaded by the coordinator, which
 * then merges the K partitions exactly as it merges the instances it ran
 * itself (pmerge.c). The bytes come from the network, so the loader treats
 * them as hostile: every length is checked against what remains, every
 * number against its range, subjects against the scan's, strings may hold
 * no NUL; a truncated or corrupt state is an error (UM_EPARSE and a reason),
 * never a crash. Encoding is deterministic (the same state, the same bytes).
 *
 * Format (integers LEB128 varints, signed ones zigzag; a string is varint 0
 * for none or length + 1, then the bytes):
 *   "UMP1", varint format version (1), varint partition, varint partitions
 *   (K), varint subjects (the scan's count when saved: a state for another
 *   subject table is refused), varint analyzers n, then n times: string
 *   analyzer name (every analyzer with the part hooks, in table order),
 *   varint length + that many bytes (the analyzer's save, starting with the
 *   version of its own format; its load must use them all); then the
 *   finding table:
 *   varint findings, each: varint subject, string indicator, string
 *   analyzer, string key, string summary, varint strength (0-2), zigzag
 *   weight, varint flags, varint count, zigzag first_us, last_us, varint
 *   position, varint evidence (<= UM_MAX_EVIDENCE), each: string file,
 *   varint line, string record (or none), zigzag time, string values,
 *   varint position; then the set of events counted (varint capacity, 0 or
 *   a power of two <= UM_SEEN_SLOTS, varint entries, each varint slot gap,
 *   8-byte hash).
 *
 * The analyzers' own formats are described beside their hooks
 * (um_analyzer.save / .load, internal.h).
 */
#ifndef UM_PSTATE_H
#define UM_PSTATE_H

#include "../../include/unmask.h"
#include "../util/util.h"

struct um_scan;
struct um_finding;

#define UM_PSTATE_VERSION 1

/* ---- the codec the analyzers' save and load hooks use ---- */

void um_pk_u(um_buf *b, uint64_t v);
void um_pk_i(um_buf *b, int64_t v);
void um_pk_sn(um_buf *b, const char *s, size_t n); /* s NULL: none */
void um_pk_s(um_buf *b, const char *s);
void um_pk_h64(um_buf *b, uint64_t v);  /* 8 bytes LE */
void um_pk_f64(um_buf *b, double v);    /* the IEEE bits, 8 bytes LE */

/* A reader over hostile bytes: the first problem is kept in bad (then every
 * get returns 0 / NULL), running out of bytes is "truncated state". */
typedef struct um_pk {
    const unsigned char *p;
    size_t n, pos;
    const char *bad;
} um_pk;

static inline um_pk um_pk_over(const void *p, size_t n) { return (um_pk){(const unsigned char *)p, n, 0, NULL}; }

/* The varint at p[*pos] (n bytes in all), *pos moved past what it read: 0
 * with *v set; 1 when the bytes end first; -1 when malformed (*why says
 * why). Shared with the bus's frames (dist/wire.c), which tell the two
 * failures apart. */
int um_pk_varint(const unsigned char *p, size_t n, size_t *pos, uint64_t *v, const char **why);
static inline bool um_pk_ok(const um_pk *r) { return !r->bad; }
static inline void um_pk_fail(um_pk *r, const char *why) {
    if (!r->bad) r->bad = why;
}
uint64_t um_pk_get_u(um_pk *r);
/* A varint in [0, hi] (else bad = what). */
uint64_t um_pk_get_ur(um_pk *r, uint64_t hi, const char *what);
int64_t um_pk_get_ir(um_pk *r, int64_t lo, int64_t hi, const char *what);
uint64_t um_pk_get_h64(um_pk *r);
/* A finite double in [lo, hi]. */
double um_pk_get_f64(um_pk *r, double lo, double hi, const char *what);
bool um_pk_get_bool(um_pk *r);
/* A string as a view into the bytes (*present false: none); at most max
 * bytes, no NUL. */
const char *um_pk_get_sv(um_pk *r, size_t max, size_t *len, bool *present);
/* The same, copied into arena (NUL-terminated); NULL for none. */
const char *um_pk_get_s(um_pk *r, um_arena *arena, size_t max);
/* The same, interned in strings (the key of its slot); NULL for none. */
const char *um_pk_get_interned(um_pk *r, um_map *strings, size_t max);
/* A string copied into a fixed char array of cap bytes (it must fit with
 * its NUL); none is "". */
void um_pk_get_fixed(um_pk *r, char *dst, size_t cap, const char *what);
/* n raw bytes as a view; NULL when short. */
const unsigned char *um_pk_get_raw(um_pk *r, size_t n);

/* A time as analyzers keep it: UM_TIME_NONE or within +-2^62 us. */
int64_t um_pk_get_time(um_pk *r);

/* ---- a partition's finding table (pmerge.c) ---- */

void um_pstate_put_findings(um_buf *out, const struct um_finding *f, size_t n);
/* Appends the table read from r to (*f, *n, *cap), keyed in index as the
 * scan keys findings; strings go into the scan's arena. UM_EPARSE (r->bad)
 * on a bad table: subjects out of range, a (subject, indicator, key) twice,
 * positions going back, a bad set of events counted. */
um_status um_pstate_get_findings(struct um_scan *s, um_pk *r, struct um_finding **f, size_t *n, size_t *cap,
                                 um_map *index);

#endif
