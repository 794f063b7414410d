/*
 * corr.c - Sigma v2 correlation rules over base-rule hits, streaming and
 * bounded.
 *
 * State per (correlation rule, group-by key):
 *   event_count      the last `lo` hit times; fires when `lo` hits fall in
 *                    the timespan, then starts again (so a burst fires once
 *                    per `lo` events);
 *   value_count      up to SG_MAX_VALUES distinct values with their last
 *                    time; fires when `lo` distinct values were seen within
 *                    the timespan, then starts again;
 *   temporal         last time of each base rule; fires when every rule
 *                    hit within the timespan;
 *   temporal_ordered per position, the start of the freshest chain of
 *                    rules 0..i seen in order; fires when the chain is
 *                    complete within the timespan.
 * An upper bound (lt/lte) only keeps a window from firing once the count
 * passed it; a window-end ("fewer than N") condition is refused when
 * compiling. At most max_keys keys per correlation: further keys are
 * counted as dropped, never silently merged.
 */
#include <string.h>

#include "sigma_int.h"

#define SG_MAX_VALUES 4096
#define SG_MAX_COUNT 100000
#define SG_MAX_TEMPORAL 64

typedef struct cv {
    uint64_t h;
    int64_t ts;
} cv;

typedef struct cstate {
    int64_t *ring; /* event_count */
    size_t nring, head;
    cv *vals; /* value_count */
    size_t nvals, capvals;
    int64_t *last; /* temporal / ordered: per base rule position */
    int64_t first_ts;
} cstate;

typedef struct ccorr {
    um_map keys; /* group key -> cstate* */
    size_t nkeys;
} ccorr;

struct um_sigma_corr {
    const um_sigma_db *db;
    ccorr *c; /* per rule (only correlation rules used) */
    size_t max_keys;
    uint64_t dropped;
    um_buf key;
};

um_status um_sigma_corr_new(const um_sigma_db *db, size_t max_keys, um_sigma_corr **out) {
    um_sigma_corr *c = um_calloc(1, sizeof *c);
    *out = c;
    if (!c) return UM_ENOMEM;
    c->db = db;
    c->max_keys = max_keys ? max_keys : 100000;
    c->c = um_calloc(db->nrules + 1, sizeof *c->c);
    if (!c->c) return UM_ENOMEM;
    for (size_t i = 0; i < db->nrules; i++) um_map_init(&c->c[i].keys);
    um_buf_init(&c->key);
    return UM_OK;
}

static void free_state(cstate *st) {
    if (!st) return;
    um_free(st->ring);
    um_free(st->vals);
    um_free(st->last);
    um_free(st);
}

void um_sigma_corr_free(um_sigma_corr *c) {
    if (!c) return;
    for (size_t i = 0; c->c && i < c->db->nrules; i++) {
        um_map *m = &c->c[i].keys;
        for (size_t k = 0; k < m->cap; k++)
            if (m->slots[k].key) free_state(m->slots[k].val);
        um_map_free(m);
    }
    um_free(c->c);
    um_buf_free(&c->key);
    um_free(c);
}

uint64_t um_sigma_corr_dropped(const um_sigma_corr *c) { return c ? c->dropped : 0; }

static cstate *state_for(um_sigma_corr *c, size_t rule, const sg_corr *k, const char *key, size_t klen) {
    ccorr *cc = &c->c[rule];
    um_map_slot *sl = um_map_find(&cc->keys, key, klen);
    if (sl) return sl->val;
    if (cc->nkeys >= c->max_keys) {
        c->dropped++;
        return NULL;
    }
    bool created;
    sl = um_map_upsert(&cc->keys, key, klen, &created);
    if (!sl) return NULL;
    cstate *st = um_calloc(1, sizeof *st);
    if (!st) return NULL;
    if (k->type == CT_EVENT_COUNT) {
        size_t n = k->lo ? (size_t)(k->lo > SG_MAX_COUNT ? SG_MAX_COUNT : k->lo) : 1;
        st->ring = um_calloc(n, sizeof *st->ring);
        if (!st->ring) {
            um_free(st);
            return NULL;
        }
    } else if (k->type == CT_TEMPORAL || k->type == CT_TEMPORAL_ORDERED) {
        st->last = um_malloc(k->nrules * sizeof *st->last);
        if (!st->last) {
            um_free(st);
            return NULL;
        }
        for (size_t i = 0; i < k->nrules; i++) st->last[i] = INT64_MIN;
    }
    sl->val = st;
    cc->nkeys++;
    return st;
}

static bool count_ok(const sg_corr *k, uint64_t n) {
    if (k->has_lo && n < k->lo) return false;
    if (k->has_hi && n > k->hi) return false;
    return true;
}

static int emit(um_sigma_corr *c, size_t rule, const char *key, uint64_t count, int64_t first, int64_t last,
                um_sigma_hit_fn fn, void *ud) {
    um_sigma_hit h;
    memset(&h, 0, sizeof h);
    h.rule = rule;
    h.group_key = key;
    h.count = count;
    h.first_ts = first;
    h.last_ts = last;
    (void)c;
    return fn ? fn(ud, &h) : 0;
}

static int feed_one(um_sigma_corr *c, um_sigma_scratch *s, size_t rule, size_t pos, int64_t t,
                    um_sigma_hit_fn fn, void *ud) {
    const um_sigma_db *db = c->db;
    const sg_corr *k = db->rules[rule].corr;
    um_buf_reset(&c->key);
    for (size_t g = 0; g < k->ngroup; g++) {
        const um_sigma_kv *v = sg_slot_value(s, k->group_slots[pos * k->ngroup + g]);
        if (g) um_buf_addc(&c->key, ',');
        um_buf_adds(&c->key, k->group_names[g]);
        um_buf_addc(&c->key, '=');
        if (v) um_buf_add(&c->key, v->value, v->vlen);
    }
    if (c->key.oom) return 0;
    const char *key = c->key.s ? c->key.s : "";
    cstate *st = state_for(c, rule, k, key, c->key.len);
    if (!st) return 0;
    int64_t span = k->span_us;
    switch (k->type) {
    case CT_EVENT_COUNT: {
        size_t cap = k->lo ? (size_t)(k->lo > SG_MAX_COUNT ? SG_MAX_COUNT : k->lo) : 1;
        st->ring[st->head] = t;
        st->head = (st->head + 1) % cap;
        if (st->nring < cap) st->nring++;
        if (st->nring < cap) return 0;
        int64_t oldest = st->ring[st->head]; /* head now points at the oldest */
        if (t - oldest > span || !count_ok(k, cap)) return 0;
        st->nring = 0;
        st->head = 0;
        return emit(c, rule, key, cap, oldest, t, fn, ud);
    }
    case CT_VALUE_COUNT: {
        const um_sigma_kv *v = sg_slot_value(s, k->value_slots[pos]);
        if (!v || !v->vlen) return 0;
        uint64_t h = um_hash64(v->value, v->vlen, 0x5197);
        size_t o = 0;
        bool seen = false;
        int64_t first = t;
        for (size_t i = 0; i < st->nvals; i++) { /* prune and update */
            if (t - st->vals[i].ts > span) continue;
            if (st->vals[i].h == h) {
                st->vals[i].ts = t;
                seen = true;
            }
            if (st->vals[i].ts < first) first = st->vals[i].ts;
            st->vals[o++] = st->vals[i];
        }
        st->nvals = o;
        if (!seen) {
            if (st->nvals >= SG_MAX_VALUES) {
                c->dropped++;
                return 0;
            }
            if (!um_grow((void **)&st->vals, &st->capvals, st->nvals + 1, sizeof *st->vals)) return 0;
            st->vals[st->nvals++] = (cv){h, t};
        }
        if (st->nvals < k->lo || !count_ok(k, st->nvals)) return 0;
        uint64_t n = st->nvals;
        st->nvals = 0;
        return emit(c, rule, key, n, first, t, fn, ud);
    }
    case CT_TEMPORAL: {
        st->last[pos] = t;
        int64_t first = t;
        for (size_t i = 0; i < k->nrules; i++) {
            if (st->last[i] == INT64_MIN || t - st->last[i] > span) return 0;
            if (st->last[i] < first) first = st->last[i];
        }
        for (size_t i = 0; i < k->nrules; i++) st->last[i] = INT64_MIN;
        return emit(c, rule, key, k->nrules, first, t, fn, ud);
    }
    default: { /* temporal_ordered: last[i] = start time of the chain ending at i */
        if (pos == 0) {
            st->last[0] = t;
        } else {
            int64_t start = st->last[pos - 1];
            if (start == INT64_MIN || t - start > span) return 0;
            if (st->last[pos] == INT64_MIN || start > st->last[pos]) st->last[pos] = start;
        }
        if (pos + 1 < k->nrules) return 0;
        int64_t start = st->last[pos];
        if (start == INT64_MIN || t - start > span) return 0;
        for (size_t i = 0; i < k->nrules; i++) st->last[i] = INT64_MIN;
        return emit(c, rule, key, k->nrules, start, t, fn, ud);
    }
    }
}

um_status um_sigma_corr_feed(um_sigma_corr *c, um_sigma_scratch *s, const um_sigma_hit *base,
                             const um_sigma_event *ev, um_sigma_hit_fn fn, void *ud) {
    if (!c || !s || !base || !ev) return UM_EINVAL;
    const um_sigma_db *db = c->db;
    if (base->rule >= db->nrules || ev->ts == INT64_MIN) return UM_OK;
    const sg_rule *br = &db->rules[base->rule];
    for (size_t i = 0; i < br->ncorr_of; i++) {
        size_t rule = br->corr_of[i];
        const sg_corr *k = db->rules[rule].corr;
        if (!k || db->rules[rule].refused) continue;
        /* temporal_ordered: later positions first, so one event cannot both
         * start and extend a chain */
        for (size_t p = k->nrules; p-- > 0;)
            if (k->rules[p] == base->rule && feed_one(c, s, rule, p, ev->ts, fn, ud)) return UM_OK;
    }
    return UM_OK;
}
