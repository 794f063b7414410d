/*
 * travel.c - the `travel` analyzer: impossible travel between a person's
 * sign-ins (NET-02), aware of VPN and hosting egress.
 *
 * Looks at successful IdP sign-ins (UM_EV_SIGNIN) of subjects with an
 * identity record. A sign-in is a *place* only when its address says where
 * the person is: not private space, not a VPN / hosting / proxy network
 * (enrich/ip.c flags, Okta's own isProxy verdict). An anonymising sign-in is
 * a hop through someone's server, not a trip: it is never compared, only
 * counted, and a finding says how many such sign-ins were set aside
 * ("anonymising_signins_ignored=N") so the analyst sees that a VPN was in
 * play and that it was not held against the person.
 *
 * Two consecutive places (in time) are impossible when
 *   - both carry the log's own coordinates (Okta geolocation, Entra
 *     geoCoordinates): >= 500 km apart at > 900 km/h (a jet's cruise speed;
 *     the Entra impossible-travel rule uses 500 km / 800 km/h): medium, 20;
 *   - otherwise (countries only): two different countries within one hour
 *     (Okta's "impossible travel sign-on" hunting query buckets by hour):
 *     weak, 10, because neighbouring countries can be an hour apart.
 *
 * Streaming with bounded state: per subject the last UM_TR_KEEP places,
 * sorted by time; a new place is compared with its neighbours in time, so
 * newest-first exports (Entra) and mildly shuffled merges work too. One
 * finding per subject and method, counting impossible hops, the first
 * three as evidence (from, to, km, hours, km/h).
 *
 * Fairness: travel itself is not evidence (a week in Seoul is a trip, a
 * possible one); only two places the person cannot both have been at are.
 * Even those have benign causes (a phone roaming through its home carrier
 * while the laptop is on hotel Wi-Fi; a geolocation database that is
 * wrong), so NET-02 is corroborate-only: it counts only beside an
 * independent medium or strong finding that is not itself a location or
 * language signal (score.c), and never raises the level on its own.
 */
#include <math.h>
#include <string.h>

#include "../core/internal.h"
#include "net.h"
#include "../util/cfmt.h"

#define UM_TR_KEEP 8
#define UM_TR_SAMPLES 3
#define UM_TR_MIN_KM 500.0
#define UM_TR_MAX_KMH 900.0
#define UM_TR_COUNTRY_WINDOW_US (3600LL * 1000000LL)
#define UM_NET02_GEO_WEIGHT 20
#define UM_NET02_COUNTRY_WEIGHT 10

typedef struct tr_place {
    int64_t ts;
    double lat, lon;
    bool has_geo;
    char cc[3];
    char ip[40];
    const char *file; /* interned */
    uint64_t line;
    const char *record; /* interned */
} tr_place;

typedef struct tr_hit {
    uint64_t count;
    int64_t last_ts;
    size_t n_s;
    struct {
        tr_place to;
        char values[256];
    } s[UM_TR_SAMPLES];
} tr_hit;

typedef struct tr_subj {
    bool seen, skip;
    tr_place p[UM_TR_KEEP];
    size_t n;
    uint64_t places, anonymised;
    tr_hit geo, country; /* NET-02 by coordinates / by countries */
} tr_subj;

typedef struct tr_state {
    tr_subj **s; /* per subject, made on its first located sign-in (a
                  * slot is 2.8 KB: one for every subject number, in each
                  * of K partitions, was K times that) */
    size_t n;
    um_map strings;
    struct tr_state *adopted; /* merged partitions: their strings, kept (tr_merge) */
} tr_state;

static const char *intern(tr_state *st, const char *s) {
    if (!s) return NULL;
    um_map_slot *sl = um_map_upsert(&st->strings, s, strlen(s), NULL);
    return sl ? sl->key : NULL;
}

static um_status tr_on_subjects(um_scan *scan, void **out) {
    (void)scan;
    tr_state *st = um_calloc(1, sizeof *st);
    if (!st) return UM_ENOMEM;
    um_map_init(&st->strings);
    *out = st;
    return UM_OK;
}

static void tr_free(void *p) {
    tr_state *st = p;
    while (st) {
        tr_state *next = st->adopted;
        for (size_t i = 0; i < st->n; i++) um_free(st->s[i]);
        um_free(st->s);
        um_map_free(&st->strings);
        um_free(st);
        st = next;
    }
}

/* Partitioned analysis (partition.h 5.): an empty instance per partition;
 * the merge copies each subject the partition saw into the primary, which
 * keeps the partition's strings (its places point into them). */
static um_status tr_part_new(um_scan *scan, const void *primary, void **out) {
    (void)primary;
    return tr_on_subjects(scan, out);
}

static um_status tr_merge(um_scan *scan, void *into, void *from) {
    (void)scan;
    tr_state *a = into, *b = from;
    if (!b) return UM_OK;
    um_status rc = UM_OK;
    if (!um_grow_zeroed((void **)&a->s, &a->n, b->n, sizeof *a->s)) rc = UM_ENOMEM;
    for (size_t i = 0; rc == UM_OK && i < b->n; i++) {
        if (!b->s[i]) continue;
        if (a->s[i]) { /* two partitions saw one person: the routing is broken */
            rc = UM_EINVAL;
            break;
        }
        a->s[i] = b->s[i];
        b->s[i] = NULL;
    }
    if (rc != UM_OK) {
        tr_free(b);
        return rc;
    }
    um_free(b->s);
    b->s = NULL;
    b->n = 0;
    b->adopted = a->adopted;
    a->adopted = b;
    return UM_OK;
}

double um_geo_km(double lat1, double lon1, double lat2, double lon2) {
    const double r = 6371.0, d2r = M_PI / 180.0;
    double dlat = (lat2 - lat1) * d2r, dlon = (lon2 - lon1) * d2r;
    double a = sin(dlat / 2) * sin(dlat / 2) + cos(lat1 * d2r) * cos(lat2 * d2r) * sin(dlon / 2) * sin(dlon / 2);
    if (a > 1) a = 1;
    return 2 * r * asin(sqrt(a));
}

/* 1: impossible by coordinates, 2: by countries, 0: possible. */
int um_travel_impossible(bool a_geo, double alat, double alon, const char *acc, int64_t ats, bool b_geo,
                         double blat, double blon, const char *bcc, int64_t bts, double *km, double *kmh) {
    int64_t dt = bts > ats ? bts - ats : ats - bts;
    *km = *kmh = 0;
    if (a_geo && b_geo) {
        *km = um_geo_km(alat, alon, blat, blon);
        double h = (double)dt / 3.6e9;
        *kmh = h > 0 ? *km / h : INFINITY;
        return *km >= UM_TR_MIN_KM && *kmh > UM_TR_MAX_KMH ? 1 : 0;
    }
    if (acc && bcc && *acc && *bcc && strcmp(acc, bcc) != 0 && dt < UM_TR_COUNTRY_WINDOW_US) return 2;
    return 0;
}

static tr_subj *subject(tr_state *st, um_scan *scan, um_sid sid) {
    if ((size_t)sid >= st->n) {
        size_t cap = st->n;
        if (!um_grow((void **)&st->s, &cap, (size_t)sid + 1, sizeof *st->s)) return NULL;
        memset(st->s + st->n, 0, (cap - st->n) * sizeof *st->s);
        st->n = cap;
    }
    if (!st->s[sid] && !(st->s[sid] = um_calloc(1, sizeof **st->s))) return NULL;
    tr_subj *t = st->s[sid];
    if (!t->seen) {
        t->seen = true;
        t->skip = !um_subject_has_identity(scan, sid);
        t->geo.last_ts = t->country.last_ts = UM_TIME_NONE;
    }
    return t;
}

static void fmt_place(char *b, size_t n, const tr_place *p) {
    if (p->has_geo) um_snprintf(b, n, "%s %s (%.2f,%.2f)", p->cc[0] ? p->cc : "??", p->ip, p->lat, p->lon);
    else snprintf(b, n, "%s %s", p->cc[0] ? p->cc : "??", p->ip);
}

static void compare(tr_subj *t, const tr_place *a, const tr_place *b) {
    double km, kmh;
    int how = um_travel_impossible(a->has_geo, a->lat, a->lon, a->cc, a->ts, b->has_geo, b->lat, b->lon, b->cc,
                                   b->ts, &km, &kmh);
    if (!how) return;
    const tr_place *from = a->ts <= b->ts ? a : b, *to = a->ts <= b->ts ? b : a;
    tr_hit *h = how == 1 ? &t->geo : &t->country;
    h->count++;
    if (h->last_ts == UM_TIME_NONE || to->ts > h->last_ts) h->last_ts = to->ts;
    if (h->n_s >= UM_TR_SAMPLES) return;
    char fa[96], fb[96], sp[32];
    fmt_place(fa, sizeof fa, from);
    fmt_place(fb, sizeof fb, to);
    if (isinf(kmh)) snprintf(sp, sizeof sp, "same second");
    else um_snprintf(sp, sizeof sp, "%.0f", kmh);
    h->s[h->n_s].to = *to;
    um_snprintf(h->s[h->n_s].values, sizeof h->s[h->n_s].values,
                "from=%s; to=%s; hours=%.2f; km=%.0f; kmh=%s", fa, fb, (double)(to->ts - from->ts) / 3.6e9, km, sp);
    h->n_s++;
}

static um_status tr_on_event(um_scan *scan, void *p, um_sid sid, const um_event *ev) {
    tr_state *st = p;
    if (sid < 0 || !st || ev->kind != UM_EV_SIGNIN || ev->success == 0 || ev->ts == UM_TIME_NONE) return UM_OK;
    uint32_t f = ev->net_flags;
    if (f & UM_NET_PRIVATE) return UM_OK;
    const char *cc = ev->country ? um_country_code(ev->country) : NULL;
    if (!cc) cc = ev->ip_country;
    if (!cc && !ev->has_geo) return UM_OK; /* not located */
    tr_subj *t = subject(st, scan, sid);
    if (!t) return UM_ENOMEM;
    if (t->skip) return UM_OK;
    if (!um_net_country_counts(f) || ev->is_proxy == 1) {
        t->anonymised++;
        return UM_OK;
    }
    tr_place np;
    memset(&np, 0, sizeof np);
    np.ts = ev->ts;
    np.has_geo = ev->has_geo;
    np.lat = ev->lat;
    np.lon = ev->lon;
    if (cc) snprintf(np.cc, sizeof np.cc, "%s", cc);
    snprintf(np.ip, sizeof np.ip, "%s", ev->ip ? ev->ip : "");
    np.file = intern(st, ev->src_file);
    np.line = ev->src_line;
    np.record = ev->record_id ? intern(st, ev->record_id) : NULL;
    t->places++;
    /* insertion point in time order */
    size_t at = t->n;
    while (at > 0 && t->p[at - 1].ts > np.ts) at--;
    if (at > 0) compare(t, &t->p[at - 1], &np);
    if (at < t->n) compare(t, &np, &t->p[at]);
    if (t->n == UM_TR_KEEP) { /* drop the end farther from the new place */
        if (at >= UM_TR_KEEP / 2) {
            memmove(t->p, t->p + 1, (UM_TR_KEEP - 1) * sizeof *t->p);
            at--;
        }
        t->n--;
    }
    memmove(t->p + at + 1, t->p + at, (t->n - at) * sizeof *t->p);
    t->p[at] = np;
    t->n++;
    return UM_OK;
}

static um_status emit(um_scan *scan, um_sid sid, const tr_subj *t, const tr_hit *h, bool geo) {
    if (!h->count) return UM_OK;
    um_finding_spec spec = {"NET-02", "travel", geo ? UM_MEDIUM : UM_WEAK,
                            geo ? UM_NET02_GEO_WEIGHT : UM_NET02_COUNTRY_WEIGHT, UM_F_CORROBORATE_ONLY, geo ? "coordinates" : "countries"};
    um_status rc = UM_OK;
    for (size_t i = 0; i < h->n_s && rc == UM_OK; i++) {
        um_event e;
        um_event_init(&e);
        e.ts = h->s[i].to.ts;
        e.src_file = h->s[i].to.file;
        e.src_line = h->s[i].to.line;
        e.record_id = h->s[i].to.record;
        char values[360];
        snprintf(values, sizeof values, "%s; anonymising_signins_ignored=%llu", h->s[i].values,
                 (unsigned long long)t->anonymised);
        if (geo)
            rc = um_finding_add(scan, sid, &spec, &e, NULL, 0, values,
                                "%llu impossible trip%s between sign-ins (>= %.0f km at > %.0f km/h, by the "
                                "log's own geolocation); %llu VPN/hosting/proxy sign-in%s set aside, not counted",
                                (unsigned long long)h->count, h->count == 1 ? "" : "s", UM_TR_MIN_KM, UM_TR_MAX_KMH,
                                (unsigned long long)t->anonymised, t->anonymised == 1 ? "" : "s");
        else
            rc = um_finding_add(scan, sid, &spec, &e, NULL, 0, values,
                                "%llu pair%s of sign-ins from different countries less than an hour apart; "
                                "%llu VPN/hosting/proxy sign-in%s set aside, not counted",
                                (unsigned long long)h->count, h->count == 1 ? "" : "s",
                                (unsigned long long)t->anonymised, t->anonymised == 1 ? "" : "s");
    }
    if (rc == UM_OK && h->count > h->n_s)
        rc = um_finding_add_count(scan, sid, "NET-02", spec.key, h->count - h->n_s, h->last_ts);
    return rc;
}

static um_status tr_finish(um_scan *scan, void *p) {
    tr_state *st = p;
    if (!st) return UM_OK;
    for (size_t i = 0; i < st->n; i++) {
        const tr_subj *t = st->s[i];
        if (!t || !t->seen || t->skip) continue;
        um_status rc = emit(scan, (um_sid)i, t, &t->geo, true);
        if (rc == UM_OK) rc = emit(scan, (um_sid)i, t, &t->country, false);
        if (rc != UM_OK) return rc;
    }
    return UM_OK;
}

/* Saved state (pstate.h), version 1: varint subjects seen, then each, by
 * subject number: varint gap (the first: its number), varint skip (no
 * identity record: must be what this scan's subject table says); when not
 * skipped: varint places, anonymised, varint places kept (<= 8) and each
 * place, then the hits by coordinates and by countries: varint count,
 * zigzag last time, varint samples (<= 3), each a place and string values.
 * A place: zigzag time, varint has_geo (then latitude and longitude, IEEE
 * bits), string country, string ip, string file (or none), varint line,
 * string record (or none). */
static void put_place(um_buf *out, const tr_place *p) {
    um_pk_i(out, p->ts);
    um_pk_u(out, p->has_geo);
    if (p->has_geo) {
        um_pk_f64(out, p->lat);
        um_pk_f64(out, p->lon);
    }
    um_pk_s(out, p->cc);
    um_pk_s(out, p->ip);
    um_pk_s(out, p->file);
    um_pk_u(out, p->line);
    um_pk_s(out, p->record);
}

static void put_hit(um_buf *out, const tr_hit *h) {
    um_pk_u(out, h->count);
    um_pk_i(out, h->last_ts);
    um_pk_u(out, h->n_s);
    for (size_t k = 0; k < h->n_s; k++) {
        put_place(out, &h->s[k].to);
        um_pk_s(out, h->s[k].values);
    }
}

static um_status tr_save(um_scan *scan, const void *inst, um_buf *out) {
    (void)scan;
    const tr_state *st = inst;
    um_pk_u(out, 1);
    size_t seen = 0;
    for (size_t i = 0; st && i < st->n; i++) seen += st->s[i] != NULL;
    um_pk_u(out, seen);
    size_t last = 0;
    bool first = true;
    for (size_t i = 0; st && i < st->n; i++) {
        const tr_subj *t = st->s[i];
        if (!t) continue;
        um_pk_u(out, first ? i : i - last);
        first = false;
        last = i;
        um_pk_u(out, t->skip);
        if (t->skip) continue;
        um_pk_u(out, t->places);
        um_pk_u(out, t->anonymised);
        um_pk_u(out, t->n);
        for (size_t k = 0; k < t->n; k++) put_place(out, &t->p[k]);
        put_hit(out, &t->geo);
        put_hit(out, &t->country);
    }
    return UM_OK;
}

static void get_place(um_pk *r, tr_state *st, tr_place *p) {
    memset(p, 0, sizeof *p);
    p->ts = um_pk_get_time(r);
    p->has_geo = um_pk_get_bool(r);
    if (p->has_geo) {
        p->lat = um_pk_get_f64(r, -90, 90, "travel: bad latitude");
        p->lon = um_pk_get_f64(r, -180, 180, "travel: bad longitude");
    }
    um_pk_get_fixed(r, p->cc, sizeof p->cc, "travel: bad country");
    um_pk_get_fixed(r, p->ip, sizeof p->ip, "travel: bad address");
    p->file = um_pk_get_interned(r, &st->strings, 1u << 20);
    p->line = um_pk_get_u(r);
    p->record = um_pk_get_interned(r, &st->strings, 1u << 20);
}

static void get_hit(um_pk *r, tr_state *st, tr_hit *h) {
    h->count = um_pk_get_u(r);
    h->last_ts = um_pk_get_time(r);
    h->n_s = (size_t)um_pk_get_ur(r, UM_TR_SAMPLES, "travel: too many samples");
    for (size_t k = 0; k < h->n_s && um_pk_ok(r); k++) {
        get_place(r, st, &h->s[k].to);
        um_pk_get_fixed(r, h->s[k].values, sizeof h->s[k].values, "travel: sample text too long");
    }
}

static um_status tr_load(um_scan *scan, const void *primary, um_pk *r, void **out) {
    (void)primary;
    tr_state *st = NULL;
    if (tr_on_subjects(scan, (void **)&st) != UM_OK) return UM_ENOMEM;
    size_t ns = um_scan_nsubjects(scan);
    if (um_pk_get_u(r) != 1) um_pk_fail(r, "travel: unknown state version");
    uint64_t seen = um_pk_get_ur(r, ns, "travel: more subjects than the scan has");
    uint64_t sid = 0;
    for (uint64_t k = 0; k < seen && um_pk_ok(r); k++) {
        uint64_t gap = um_pk_get_u(r);
        if (!um_pk_ok(r)) break;
        if ((k && gap == 0) || gap >= ns - (k ? sid : 0)) {
            um_pk_fail(r, "travel: subject out of range or order");
            break;
        }
        sid = k ? sid + gap : gap;
        tr_subj *t = subject(st, scan, (um_sid)sid);
        if (!t) {
            um_pk_fail(r, "out of memory");
            break;
        }
        if (um_pk_get_bool(r) != t->skip) um_pk_fail(r, "travel: the subject's identity is not this scan's");
        if (!um_pk_ok(r) || t->skip) continue;
        t->places = um_pk_get_u(r);
        t->anonymised = um_pk_get_u(r);
        t->n = (size_t)um_pk_get_ur(r, UM_TR_KEEP, "travel: too many places");
        for (size_t j = 0; j < t->n && um_pk_ok(r); j++) {
            get_place(r, st, &t->p[j]);
            if (um_pk_ok(r) && j && t->p[j - 1].ts > t->p[j].ts) um_pk_fail(r, "travel: places not in time order");
        }
        get_hit(r, st, &t->geo);
        get_hit(r, st, &t->country);
    }
    if (!um_pk_ok(r)) {
        um_status rc = strcmp(r->bad, "out of memory") == 0 ? UM_ENOMEM : UM_EPARSE;
        tr_free(st);
        return rc;
    }
    *out = st;
    return UM_OK;
}

const um_analyzer um_analyzer_travel = {
    "travel", "impossible travel between sign-ins, VPN/hosting exits set aside (NET-02)",
    tr_on_subjects, tr_on_event, tr_finish, tr_free, NULL, NULL, false, NULL, NULL, NULL, tr_part_new, tr_merge,
    tr_save, tr_load};
