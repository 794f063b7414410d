/* pstate.c - a partition's analysis state as bytes: the codec the analyzers'
 * save / load hooks use, and the partition's finding table (pstate.h). */
#include "pstate.h"

#include <math.h>
#include <string.h>

#include "scan.h"

#define PK_TIME_BOUND ((int64_t)1 << 62)

/* ---- writing ---- */

void um_pk_u(um_buf *b, uint64_t v) {
    char t[10];
    size_t n = 0;
    do {
        t[n] = (char)(v & 0x7f);
        v >>= 7;
        if (v) t[n] = (char)(t[n] | 0x80);
        n++;
    } while (v);
    um_buf_add(b, t, n);
}

void um_pk_i(um_buf *b, int64_t v) { um_pk_u(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63)); }

void um_pk_sn(um_buf *b, const char *s, size_t n) {
    if (!s) {
        um_pk_u(b, 0);
        return;
    }
    um_pk_u(b, (uint64_t)n + 1);
    um_buf_add(b, s, n);
}

void um_pk_s(um_buf *b, const char *s) { um_pk_sn(b, s, s ? strlen(s) : 0); }

void um_pk_h64(um_buf *b, uint64_t v) {
    char t[8];
    for (int i = 0; i < 8; i++) t[i] = (char)(unsigned char)(v >> (8 * i));
    um_buf_add(b, t, 8);
}

void um_pk_f64(um_buf *b, double v) {
    uint64_t bits;
    memcpy(&bits, &v, 8);
    um_pk_h64(b, bits);
}

/* ---- reading ---- */

int um_pk_varint(const unsigned char *p, size_t n, size_t *pos, uint64_t *v, const char **why) {
    *v = 0;
    for (int sh = 0; sh < 70; sh += 7) {
        if (*pos >= n) return 1;
        unsigned char c = p[(*pos)++];
        if (sh == 63 && (c & 0x7e)) {
            *why = "integer too large";
            *v = 0;
            return -1;
        }
        *v |= (uint64_t)(c & 0x7f) << sh;
        if (!(c & 0x80)) return 0;
    }
    *why = "integer too long";
    *v = 0;
    return -1;
}

uint64_t um_pk_get_u(um_pk *r) {
    uint64_t v = 0;
    if (r->bad) return 0;
    int rc = um_pk_varint(r->p, r->n, &r->pos, &v, &r->bad);
    if (rc > 0) r->bad = "truncated state";
    return rc ? 0 : v;
}

uint64_t um_pk_get_ur(um_pk *r, uint64_t hi, const char *what) {
    uint64_t v = um_pk_get_u(r);
    if (!r->bad && v > hi) r->bad = what;
    return r->bad ? 0 : v;
}

int64_t um_pk_get_ir(um_pk *r, int64_t lo, int64_t hi, const char *what) {
    uint64_t u = um_pk_get_u(r);
    int64_t v = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
    if (!r->bad && (v < lo || v > hi)) r->bad = what;
    return r->bad ? 0 : v;
}

int64_t um_pk_get_time(um_pk *r) {
    uint64_t u = um_pk_get_u(r);
    int64_t v = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
    if (r->bad) return UM_TIME_NONE;
    if (v != UM_TIME_NONE && (v < -PK_TIME_BOUND || v > PK_TIME_BOUND)) r->bad = "bad time";
    return r->bad ? UM_TIME_NONE : v;
}

const unsigned char *um_pk_get_raw(um_pk *r, size_t n) {
    if (r->bad) return NULL;
    if (r->n - r->pos < n) {
        r->bad = "truncated state";
        return NULL;
    }
    const unsigned char *s = r->p + r->pos;
    r->pos += n;
    return s;
}

uint64_t um_pk_get_h64(um_pk *r) {
    const unsigned char *s = um_pk_get_raw(r, 8);
    uint64_t v = 0;
    for (int i = 0; s && i < 8; i++) v |= (uint64_t)s[i] << (8 * i);
    return v;
}

double um_pk_get_f64(um_pk *r, double lo, double hi, const char *what) {
    uint64_t bits = um_pk_get_h64(r);
    double v;
    memcpy(&v, &bits, 8);
    if (r->bad) return 0;
    if (!(v >= lo && v <= hi)) { /* also NaN */
        r->bad = what;
        return 0;
    }
    return v;
}

bool um_pk_get_bool(um_pk *r) { return um_pk_get_ur(r, 1, "bad flag") == 1; }

const char *um_pk_get_sv(um_pk *r, size_t max, size_t *len, bool *present) {
    *len = 0;
    *present = false;
    uint64_t t = um_pk_get_u(r);
    if (r->bad || t == 0) return NULL;
    if (t - 1 > max) {
        r->bad = "string too long";
        return NULL;
    }
    const char *s = (const char *)um_pk_get_raw(r, (size_t)(t - 1));
    if (!s) return NULL;
    if (memchr(s, 0, (size_t)(t - 1))) {
        r->bad = "NUL byte in a string";
        return NULL;
    }
    *len = (size_t)(t - 1);
    *present = true;
    return s;
}

const char *um_pk_get_s(um_pk *r, um_arena *arena, size_t max) {
    size_t n;
    bool present;
    const char *s = um_pk_get_sv(r, max, &n, &present);
    if (!present) return NULL;
    char *c = um_arena_strndup(arena, s, n);
    if (!c) um_pk_fail(r, "out of memory");
    return c;
}

const char *um_pk_get_interned(um_pk *r, um_map *strings, size_t max) {
    size_t n;
    bool present;
    const char *v = um_pk_get_sv(r, max, &n, &present);
    if (!present) return NULL;
    um_map_slot *sl = um_map_upsert(strings, v, n, NULL);
    if (!sl) um_pk_fail(r, "out of memory");
    return sl ? sl->key : NULL;
}

void um_pk_get_fixed(um_pk *r, char *dst, size_t cap, const char *what) {
    size_t n;
    bool present;
    const char *s = um_pk_get_sv(r, cap ? cap - 1 : 0, &n, &present);
    if (r->bad && strcmp(r->bad, "string too long") == 0) r->bad = what;
    if (present) memcpy(dst, s, n);
    if (cap) dst[present ? n : 0] = 0;
}

/* ---- a partition's finding table ---- */

#define PK_MAX_TEXT (1u << 20)

void um_pstate_put_findings(um_buf *out, const um_finding *f, size_t n) {
    um_pk_u(out, n);
    for (size_t i = 0; i < n; i++) {
        const um_finding *x = &f[i];
        um_pk_u(out, (uint64_t)x->subject);
        um_pk_s(out, x->info.indicator);
        um_pk_s(out, x->info.analyzer);
        um_pk_s(out, x->info.key);
        um_pk_s(out, x->info.summary);
        um_pk_u(out, (uint64_t)x->strength);
        um_pk_i(out, x->info.weight);
        um_pk_u(out, x->flags);
        um_pk_u(out, x->info.count);
        um_pk_i(out, x->info.first_us);
        um_pk_i(out, x->info.last_us);
        um_pk_u(out, x->pos);
        um_pk_u(out, x->info.n_evidence);
        for (size_t k = 0; k < x->info.n_evidence; k++) {
            const um_evidence *e = &x->ev[k];
            um_pk_s(out, e->file ? e->file : "");
            um_pk_u(out, e->line);
            um_pk_s(out, e->record);
            um_pk_i(out, e->time_us);
            um_pk_s(out, e->values ? e->values : "");
            um_pk_u(out, x->ev_pos[k]);
        }
        /* the events counted: slots as they are, so a later fold sees the
         * same set in the same order */
        um_pk_u(out, x->seen ? x->cap_seen : 0);
        um_pk_u(out, x->seen ? x->n_seen : 0);
        uint32_t last = 0;
        for (uint32_t k = 0; x->seen && k < x->cap_seen; k++) {
            if (!x->seen[k]) continue;
            um_pk_u(out, k - last);
            um_pk_h64(out, x->seen[k]);
            last = k;
        }
    }
}

um_status um_pstate_get_findings(um_scan *s, um_pk *r, um_finding **fp, size_t *np, size_t *capp, um_map *index) {
    size_t ns = um_scan_nsubjects(s);
    uint64_t n = um_pk_get_ur(r, (r->n - r->pos) / 16, "more findings than bytes"); /* a finding takes >= 16 */
    uint64_t last_pos = 0;
    for (uint64_t i = 0; i < n && !r->bad; i++) {
        um_finding f;
        memset(&f, 0, sizeof f);
        uint64_t sub = um_pk_get_u(r);
        if (!r->bad && (ns == 0 || sub >= ns)) um_pk_fail(r, "finding's subject out of range");
        f.subject = (um_sid)sub;
        f.info.indicator = um_pk_get_s(r, &s->arena, 64);
        f.info.analyzer = um_pk_get_s(r, &s->arena, 64);
        f.info.key = um_pk_get_s(r, &s->arena, PK_MAX_TEXT);
        f.info.summary = um_pk_get_s(r, &s->arena, PK_MAX_TEXT);
        if (!r->bad && (!f.info.indicator || !f.info.analyzer || !f.info.key || !f.info.summary))
            um_pk_fail(r, "finding without its indicator, analyzer, key or summary");
        f.strength = (um_strength)um_pk_get_ur(r, UM_STRONG, "bad strength");
        f.info.strength = um_strength_str(f.strength);
        f.info.weight = (int)um_pk_get_ir(r, INT32_MIN, INT32_MAX, "bad weight");
        f.flags = (unsigned)um_pk_get_ur(r, UINT32_MAX, "bad flags");
        f.info.count = um_pk_get_u(r);
        f.info.first_us = um_pk_get_time(r);
        f.info.last_us = um_pk_get_time(r);
        f.pos = um_pk_get_u(r);
        if (!r->bad && f.pos < last_pos) um_pk_fail(r, "findings not in position order");
        last_pos = f.pos;
        f.info.n_evidence = (size_t)um_pk_get_ur(r, UM_MAX_EVIDENCE, "too much evidence");
        for (size_t k = 0; k < f.info.n_evidence && !r->bad; k++) {
            um_evidence *e = &f.ev[k];
            e->file = um_pk_get_s(r, &s->arena, PK_MAX_TEXT);
            e->line = um_pk_get_u(r);
            e->record = um_pk_get_s(r, &s->arena, PK_MAX_TEXT);
            e->time_us = um_pk_get_time(r);
            e->values = um_pk_get_s(r, &s->arena, PK_MAX_TEXT);
            f.ev_pos[k] = um_pk_get_u(r);
            if (!r->bad && (!e->file || !e->values)) um_pk_fail(r, "evidence without file or values");
            if (!r->bad && k && f.ev_pos[k] < f.ev_pos[k - 1]) um_pk_fail(r, "evidence not in position order");
        }
        uint64_t cap = um_pk_get_ur(r, UM_SEEN_SLOTS, "set of events counted too large");
        uint64_t cnt = um_pk_get_ur(r, cap * 3 / 4, "set of events counted too full");
        if (!r->bad && cap & (cap - 1)) um_pk_fail(r, "set of events counted: capacity not a power of two");
        /* sets start at 16 and double when 3/4 full, so a larger one is at
         * least 3/8 full: what a state may make us allocate is bounded by
         * its bytes */
        if (!r->bad && cap > 16 && cnt * 8 < cap * 3) um_pk_fail(r, "set of events counted: capacity too large");
        if (!r->bad && cap) {
            f.seen = um_calloc((size_t)cap, sizeof *f.seen);
            if (!f.seen) um_pk_fail(r, "out of memory");
            f.cap_seen = (uint32_t)cap;
            f.n_seen = (uint32_t)cnt;
        }
        uint64_t slot = 0;
        for (uint64_t k = 0; k < cnt && !r->bad; k++) {
            uint64_t gap = um_pk_get_u(r);
            uint64_t h = um_pk_get_h64(r);
            if (r->bad) break;
            if ((k && gap == 0) || gap >= cap - slot) {
                um_pk_fail(r, "set of events counted: slots out of order");
                break;
            }
            slot += gap;
            if (!h) {
                um_pk_fail(r, "set of events counted: empty entry");
                break;
            }
            f.seen[slot] = h;
        }
        char kbuf[512];
        size_t klen = 0;
        if (!r->bad) {
            int kn = snprintf(kbuf, sizeof kbuf, "%d|%s|%s", f.subject, f.info.indicator, f.info.key);
            if (kn < 0) um_pk_fail(r, "bad finding key");
            else klen = (size_t)kn < sizeof kbuf ? (size_t)kn : sizeof kbuf - 1;
        }
        bool created = false;
        um_map_slot *sl = r->bad ? NULL : um_map_upsert(index, kbuf, klen, &created);
        if (!r->bad && !sl) um_pk_fail(r, "out of memory");
        else if (!r->bad && !created) um_pk_fail(r, "one finding twice in a table");
        if (!r->bad && !um_grow((void **)fp, capp, *np + 1, sizeof **fp)) um_pk_fail(r, "out of memory");
        if (r->bad) {
            um_free(f.seen);
            break;
        }
        sl->val = (void *)(uintptr_t)(*np + 1);
        (*fp)[(*np)++] = f;
    }
    return r->bad ? (strcmp(r->bad, "out of memory") == 0 ? UM_ENOMEM : UM_EPARSE) : UM_OK;
}
