/*
 * browser.c - the `browser` analyzer: one browser behind several people
 * (NET-08), from Okta's device token hash (debugContext.debugData.dtHash,
 * read into um_event.browser_hash by read/okta.c).
 *
 * Okta sets the device token as a cookie in the browser; its hash is the
 * same for every account signed in from that browser profile. Two hires
 * whose successful sign-ins share one dtHash used one browser: one operator
 * running several personas, or a laptop farm's shared desktop.
 *
 *   NET-08  dtHash shared by >= 2 people                    medium 30
 *           ... by people who share one home address
 *           (a couple on the family computer)               weak 10
 *   no finding when more than UM_BR_GENERIC people share it (a kiosk, a VDI
 *   golden image, a help-desk browser): one warning naming the hash and the
 *   count, as the link analyzer does for generic identifiers.
 *
 * Only subjects with an identity record count (log-only accounts are not
 * people we can compare). Failed sign-ins are ignored: a credential-stuffing
 * browser trying many accounts is not someone working as them.
 *
 * Bounded: at most UM_BR_MAX_HASHES distinct hashes are tracked (then one
 * warning; later new hashes are not), and per hash at most UM_BR_GENERIC + 1
 * subjects, each with its first sign-in as evidence.
 *
 * Partitioned by person (src/core/pmerge.c): a hash's people may sit in
 * several partitions, so the state records positions (um_scan_position) of
 * each hash's first sign-in and of each person's, and the merge unites the
 * hashes, keeps each hash's first UM_BR_GENERIC + 1 people by position and
 * puts the hashes back in order of first sign-in: the state one instance
 * fed every event would hold. A partition's instance does not warn when it
 * is full; the merge does (the one difference: the warning's place among
 * the scan's warnings, and only past UM_BR_MAX_HASHES hashes).
 */
#include <stdlib.h>
#include <string.h>

#include "../core/internal.h"

#define UM_BR_GENERIC 10
#define UM_BR_MAX_HASHES 500000u
#define UM_NET08_WEIGHT 30
#define UM_NET08_HOUSEHOLD_WEIGHT 10

typedef struct br_who {
    um_sid sid;
    uint64_t pos; /* of the first sign-in (um_scan_position) */
    int64_t ts;
    const char *file; /* interned */
    uint64_t line;
    const char *record;
    char ip[40];
} br_who;

typedef struct br_hash {
    const char *hash; /* the map's key */
    br_who who[UM_BR_GENERIC + 1];
    uint8_t n;
    bool generic;
    uint64_t signins;
    uint64_t first_pos; /* of the hash's first sign-in counted */
} br_hash;

typedef struct br_state {
    um_map hashes; /* dtHash -> index into v */
    um_map strings;
    br_hash *v;
    size_t n, cap;
    bool warned_full;
    int8_t *has_id; /* per subject: -1 unknown, 0 no identity, 1 identity */
    size_t n_id;
    bool partition;  /* a partition's instance (br_part_new): no warning when full */
    bool full;       /* a new hash found no room */
    bool merged;     /* partitions were merged in: finish sorts v by first_pos */
    struct br_state *adopted; /* merged partitions: their strings, kept */
} br_state;

static const char *intern(br_state *st, const char *s) {
    if (!s) return NULL;
    um_map_slot *sl = um_map_upsert(&st->strings, s, strlen(s), NULL);
    return sl ? sl->key : NULL;
}

static um_status br_on_subjects(um_scan *scan, void **out) {
    (void)scan;
    br_state *st = um_calloc(1, sizeof *st);
    if (!st) return UM_ENOMEM;
    um_map_init(&st->hashes);
    um_map_init(&st->strings);
    *out = st;
    return UM_OK;
}

static void br_free(void *p) {
    br_state *st = p;
    while (st) {
        br_state *next = st->adopted;
        um_map_free(&st->hashes);
        um_map_free(&st->strings);
        um_free(st->v);
        um_free(st->has_id);
        um_free(st);
        st = next;
    }
}

static void warn_full(um_scan *scan, br_state *st) {
    st->full = true;
    if (st->warned_full || st->partition) return;
    st->warned_full = true;
    um_scan_warn(scan, "browser", "more than %u distinct Okta dtHash values: later ones not compared",
                 UM_BR_MAX_HASHES);
}

static int has_identity(br_state *st, um_scan *scan, um_sid sid) {
    if ((size_t)sid >= st->n_id) {
        size_t cap = st->n_id;
        if (!um_grow((void **)&st->has_id, &cap, (size_t)sid + 1, 1)) return -1;
        memset(st->has_id + st->n_id, -1, cap - st->n_id);
        st->n_id = cap;
    }
    if (st->has_id[sid] < 0) st->has_id[sid] = um_subject_has_identity(scan, sid) ? 1 : 0;
    return st->has_id[sid];
}

static um_status br_on_event(um_scan *scan, void *p, um_sid sid, const um_event *ev) {
    br_state *st = p;
    if (sid < 0 || !st || ev->kind != UM_EV_SIGNIN || ev->success == 0 || !ev->browser_hash ||
        !*ev->browser_hash)
        return UM_OK;
    int id = has_identity(st, scan, sid);
    if (id < 0) return UM_ENOMEM;
    if (!id) return UM_OK;
    size_t len = strlen(ev->browser_hash);
    um_map_slot *sl = um_map_find(&st->hashes, ev->browser_hash, len);
    br_hash *h;
    if (!sl) {
        if (st->n >= UM_BR_MAX_HASHES) {
            warn_full(scan, st);
            return UM_OK;
        }
        if (!um_grow((void **)&st->v, &st->cap, st->n + 1, sizeof *st->v)) return UM_ENOMEM;
        bool created;
        sl = um_map_upsert(&st->hashes, ev->browser_hash, len, &created);
        if (!sl) return UM_ENOMEM;
        h = &st->v[st->n];
        memset(h, 0, sizeof *h);
        h->hash = sl->key;
        h->first_pos = um_scan_position(scan);
        sl->val = (void *)(uintptr_t)st->n;
        st->n++;
    } else {
        h = &st->v[(uintptr_t)sl->val];
    }
    h->signins++;
    if (h->generic) return UM_OK;
    for (uint8_t i = 0; i < h->n; i++)
        if (h->who[i].sid == sid) return UM_OK;
    if (h->n > UM_BR_GENERIC) {
        h->generic = true;
        return UM_OK;
    }
    br_who *w = &h->who[h->n++];
    w->sid = sid;
    w->pos = um_scan_position(scan);
    w->ts = ev->ts;
    w->file = intern(st, ev->src_file);
    w->line = ev->src_line;
    w->record = ev->record_id ? intern(st, ev->record_id) : NULL;
    snprintf(w->ip, sizeof w->ip, "%s", ev->ip ? ev->ip : "");
    if (h->n > UM_BR_GENERIC) h->generic = true;
    return UM_OK;
}

/* Partitioned analysis (partition.h 5.). */
static um_status br_part_new(um_scan *scan, const void *primary, void **out) {
    (void)primary;
    um_status rc = br_on_subjects(scan, out);
    if (rc == UM_OK) ((br_state *)*out)->partition = true;
    return rc;
}

static int cmp_who(const void *a, const void *b) {
    uint64_t x = ((const br_who *)a)->pos, y = ((const br_who *)b)->pos;
    return x < y ? -1 : x > y;
}

static int cmp_hash(const void *a, const void *b) {
    uint64_t x = ((const br_hash *)a)->first_pos, y = ((const br_hash *)b)->first_pos;
    return x < y ? -1 : x > y;
}

/* Folds partition `from` into `into`: hashes united (first sign-in the
 * earlier), people of one hash kept in sign-in order, the first
 * UM_BR_GENERIC + 1 of them (the partitions' people are disjoint); more
 * than UM_BR_GENERIC makes the hash generic, as in on_event. into keeps
 * from's strings. The hashes are put in order, and cut to the first
 * UM_BR_MAX_HASHES, in finish (a hash one partition saw late may be another's
 * early one: only the union says which hashes are first). */
static um_status br_merge(um_scan *scan, void *into, void *from) {
    (void)scan;
    br_state *a = into, *b = from;
    if (!b) return UM_OK;
    um_status rc = UM_OK;
    a->merged = true;
    a->full |= b->full;
    for (size_t k = 0; k < b->n && rc == UM_OK; k++) {
        const br_hash *hb = &b->v[k];
        size_t len = strlen(hb->hash);
        bool created;
        um_map_slot *sl = um_map_upsert(&a->hashes, hb->hash, len, &created);
        if (!sl || (created && !um_grow((void **)&a->v, &a->cap, a->n + 1, sizeof *a->v))) {
            rc = UM_ENOMEM;
            break;
        }
        if (created) {
            br_hash *h = &a->v[a->n];
            *h = *hb;
            h->hash = sl->key;
            sl->val = (void *)(uintptr_t)a->n;
            a->n++;
            continue;
        }
        br_hash *h = &a->v[(uintptr_t)sl->val];
        h->signins += hb->signins;
        if (hb->first_pos < h->first_pos) h->first_pos = hb->first_pos;
        br_who all[2 * (UM_BR_GENERIC + 1)];
        size_t n = 0;
        for (uint8_t i = 0; i < h->n; i++) all[n++] = h->who[i];
        for (uint8_t i = 0; i < hb->n; i++) all[n++] = hb->who[i];
        qsort(all, n, sizeof *all, cmp_who);
        h->generic |= hb->generic || n > UM_BR_GENERIC;
        if (n > UM_BR_GENERIC + 1) n = UM_BR_GENERIC + 1;
        memcpy(h->who, all, n * sizeof *all);
        h->n = (uint8_t)n;
    }
    b->adopted = a->adopted;
    a->adopted = b;
    um_map_free(&b->hashes); /* a copied the keys it needs */
    um_map_init(&b->hashes);
    um_free(b->v);
    b->v = NULL;
    b->n = b->cap = 0;
    return rc;
}

/* Do all the hash's people share one home address (same text, case and
 * surrounding space aside)? */
static bool one_household(um_scan *scan, const br_hash *h) {
    const char *first = NULL;
    for (uint8_t i = 0; i < h->n; i++) {
        size_t n = 0;
        const char *const *a = um_subject_values(scan, h->who[i].sid, UM_ATTR_ADDRESS, &n);
        if (!n) return false;
        if (!first) first = a[0];
        else if (!um_streq_ci(first, a[0])) return false;
    }
    return first != NULL;
}

static um_status br_finish(um_scan *scan, void *p) {
    br_state *st = p;
    if (!st) return UM_OK;
    if (st->merged) { /* the hashes one instance would hold, in its order: by first sign-in */
        if (st->n > 1) qsort(st->v, st->n, sizeof *st->v, cmp_hash);
        if (st->n > UM_BR_MAX_HASHES) {
            st->n = UM_BR_MAX_HASHES;
            st->full = true;
        }
        if (st->full) warn_full(scan, st);
    }
    for (size_t k = 0; k < st->n; k++) {
        const br_hash *h = &st->v[k];
        if (h->generic) {
            um_scan_warn(scan, "browser",
                         "Okta dtHash %.64s is used by more than %d people (a shared kiosk or VDI image?): "
                         "not treated as one person's browser",
                         h->hash, UM_BR_GENERIC);
            continue;
        }
        if (h->n < 2) continue;
        bool house = one_household(scan, h);
        um_finding_spec spec = {"NET-08", "browser", house ? UM_WEAK : UM_MEDIUM,
                                house ? UM_NET08_HOUSEHOLD_WEIGHT : UM_NET08_WEIGHT, 0, h->hash};
        for (uint8_t i = 0; i < h->n; i++) {
            char others[300] = "";
            size_t o = 0;
            for (uint8_t j = 0; j < h->n && o + 1 < sizeof others; j++) {
                if (j == i) continue;
                int w = snprintf(others + o, sizeof others - o, "%s%s", o ? ", " : "",
                                 um_subject_id(scan, h->who[j].sid));
                if (w < 0) break;
                o += (size_t)w;
                if (o >= sizeof others) o = sizeof others - 1;
            }
            char values[512];
            snprintf(values, sizeof values, "dt_hash=%.64s; ip=%s; people=%u; others=%s; household=%s", h->hash,
                     h->who[i].ip, h->n, others, house ? "yes" : "no");
            um_event e;
            um_event_init(&e);
            e.ts = h->who[i].ts;
            e.src_file = h->who[i].file;
            e.src_line = h->who[i].line;
            e.record_id = h->who[i].record;
            um_status rc = um_finding_add(scan, h->who[i].sid, &spec, &e, NULL, 0, values,
                                          "signed in from the same browser (Okta dtHash %.16s...) as %u other "
                                          "person%s: %s%s",
                                          h->hash, h->n - 1, h->n == 2 ? "" : "s", others,
                                          house ? " (one home address: a household's shared computer)" : "");
            if (rc != UM_OK) return rc;
        }
    }
    return UM_OK;
}

/* Saved state (pstate.h), version 1: varint full, varint hashes, each in
 * the instance's order: string dtHash, varint sign-ins, varint position of
 * the first, varint generic, varint people (<= 11), each: varint subject
 * (one with an identity record in this scan), varint position, zigzag
 * time, string file (or none), varint line, string record (or none),
 * string ip. */
static um_status br_save(um_scan *scan, const void *inst, um_buf *out) {
    (void)scan;
    const br_state *st = inst;
    um_pk_u(out, 1);
    um_pk_u(out, st && st->full);
    um_pk_u(out, st ? st->n : 0);
    for (size_t k = 0; st && k < st->n; k++) {
        const br_hash *h = &st->v[k];
        um_pk_s(out, h->hash);
        um_pk_u(out, h->signins);
        um_pk_u(out, h->first_pos);
        um_pk_u(out, h->generic);
        um_pk_u(out, h->n);
        for (uint8_t i = 0; i < h->n; i++) {
            const br_who *w = &h->who[i];
            um_pk_u(out, (uint64_t)w->sid);
            um_pk_u(out, w->pos);
            um_pk_i(out, w->ts);
            um_pk_s(out, w->file);
            um_pk_u(out, w->line);
            um_pk_s(out, w->record);
            um_pk_s(out, w->ip);
        }
    }
    return UM_OK;
}

static um_status br_load(um_scan *scan, const void *primary, um_pk *r, void **out) {
    br_state *st = NULL;
    if (br_part_new(scan, primary, (void **)&st) != UM_OK) {
        br_free(st);
        return UM_ENOMEM;
    }
    size_t ns = um_scan_nsubjects(scan);
    if (um_pk_get_u(r) != 1) um_pk_fail(r, "browser: unknown state version");
    st->full = um_pk_get_bool(r);
    uint64_t n = um_pk_get_ur(r, UM_BR_MAX_HASHES, "browser: too many hashes");
    if (um_pk_ok(r) && n > (r->n - r->pos) / 5) um_pk_fail(r, "browser: more hashes than bytes"); /* a hash takes >= 5 */
    if (um_pk_ok(r) && n && !um_grow((void **)&st->v, &st->cap, (size_t)n, sizeof *st->v)) um_pk_fail(r, "out of memory");
    for (uint64_t k = 0; k < n && um_pk_ok(r); k++) {
        size_t len;
        bool present;
        const char *hv = um_pk_get_sv(r, 4096, &len, &present);
        if (um_pk_ok(r) && (!present || !len)) um_pk_fail(r, "browser: empty hash");
        if (!um_pk_ok(r)) break;
        bool created;
        um_map_slot *sl = um_map_upsert(&st->hashes, hv, len, &created);
        if (!sl) {
            um_pk_fail(r, "out of memory");
            break;
        }
        if (!created) {
            um_pk_fail(r, "browser: one hash twice");
            break;
        }
        br_hash *h = &st->v[st->n];
        memset(h, 0, sizeof *h);
        h->hash = sl->key;
        sl->val = (void *)(uintptr_t)st->n;
        st->n++;
        h->signins = um_pk_get_u(r);
        h->first_pos = um_pk_get_u(r);
        h->generic = um_pk_get_bool(r);
        h->n = (uint8_t)um_pk_get_ur(r, UM_BR_GENERIC + 1, "browser: too many people");
        for (uint8_t i = 0; i < h->n && um_pk_ok(r); i++) {
            br_who *w = &h->who[i];
            uint64_t sid = um_pk_get_ur(r, ns ? ns - 1 : 0, "browser: subject out of range");
            if (um_pk_ok(r) && (!ns || !um_subject_has_identity(scan, (um_sid)sid)))
                um_pk_fail(r, "browser: a subject without an identity record");
            w->sid = (um_sid)sid;
            w->pos = um_pk_get_u(r);
            w->ts = um_pk_get_time(r);
            w->file = um_pk_get_interned(r, &st->strings, 1u << 20);
            w->line = um_pk_get_u(r);
            w->record = um_pk_get_interned(r, &st->strings, 1u << 20);
            um_pk_get_fixed(r, w->ip, sizeof w->ip, "browser: address too long");
        }
    }
    if (!um_pk_ok(r)) {
        um_status rc = strcmp(r->bad, "out of memory") == 0 ? UM_ENOMEM : UM_EPARSE;
        br_free(st);
        return rc;
    }
    *out = st;
    return UM_OK;
}

const um_analyzer um_analyzer_browser = {
    "browser", "one browser (Okta dtHash) behind several people (NET-08)",
    br_on_subjects, br_on_event, br_finish, br_free, NULL, NULL, false, NULL, NULL, NULL, br_part_new, br_merge,
    br_save, br_load};
