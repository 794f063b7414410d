/*
 * net.c - sign-in network analyzer: NET-05 (DPRK address space), NET-01
 * (VPN / proxy / hosting, Astrill), NET-06 (sign-in country differs from the
 * claimed country), NET-07 (address on the published IOC list).
 *
 * Looks at IdP sign-ins (UM_EV_SIGNIN) and Windows logons (UM_EV_LOGON) with
 * a public address, of a known subject, that did not fail: a failed sign-in
 * may be anyone trying the account, so it says nothing about the person.
 * Private addresses never count (office NAT, loopback of an RDP tunnel).
 *
 * Findings are aggregated per (subject, indicator, key) in the analyzer's
 * own per-subject state and written at finish, because the summary names
 * totals ("12 sign-ins via Astrill VPN ... from 3 addresses") and NET-06's
 * strength depends on the share of foreign sign-ins, known only at the end.
 * Each aggregate keeps its first three sign-ins as evidence and its last
 * time; at finish the samples go to um_finding_add() and the rest of the
 * count, with the last time, to um_finding_add_count().
 *
 * Location claims: the COUNTRY values of the person's records; without one,
 * the country of the laptop's ship-to address (its last comma-separated
 * part, "..., Plano, TX 75024, US") stands in. NET-06 names both when they
 * are known.
 *
 * Fairness: a VPN, hosting or proxy exit is not where the person is, so
 * such sign-ins count for NET-01 only, never for NET-06; NET-06 is weak
 * while foreign sign-ins are a minority (travel), and a subject without a
 * claimed country is never compared. Nationality plays no part.
 */
#include "net.h"

#include <stdlib.h>
#include <string.h>

#include "../core/scan.h"
#include "../enrich/ip.h"

#define NET_MAX_AGGS 32     /* per subject; further keys are dropped */
#define NET_MAX_SAMPLES 3   /* == UM_MAX_EVIDENCE */
#define NET_MAX_ADDRS 64    /* distinct addresses remembered per aggregate */
#define NET_MAX_CLAIMED 4

const char *um_net01_class(uint32_t f, um_strength *strength, int *weight) {
    const char *what = NULL;
    *strength = UM_WEAK;
    *weight = UM_NET01_WEIGHT;
    if (f & UM_NET_ASTRILL) {
        *strength = UM_MEDIUM;
        *weight = UM_NET01_ASTRILL_WEIGHT;
        return "Astrill VPN";
    }
    if (f & UM_NET_VPN) what = "a VPN network";
    else if (f & UM_NET_PROXY_LOG) what = "an anonymising proxy";
    else if (f & UM_NET_HOSTING) what = "a hosting network";
    return what;
}

bool um_net_country_counts(uint32_t f) {
    return !(f & (UM_NET_PRIVATE | UM_NET_VPN | UM_NET_HOSTING | UM_NET_ASTRILL | UM_NET_PROXY_LOG));
}

const char *um_ship_country(const char *addr) {
    if (!addr) return NULL;
    /* the last two words, separated by spaces or commas (subjects hold the
     * canonical lower-case form "455 ridgeview ln plano tx 75024 us") */
    const char *w[2] = {NULL, NULL};
    size_t l[2] = {0, 0};
    for (const char *p = addr; *p;) {
        while (*p == ' ' || *p == ',') p++;
        if (!*p) break;
        const char *st = p;
        while (*p && *p != ' ' && *p != ',') p++;
        w[0] = w[1];
        l[0] = l[1];
        w[1] = st;
        l[1] = (size_t)(p - st);
    }
    if (!w[1] || l[1] >= 32) return NULL;
    char t[32];
    for (size_t i = 0; i < l[1]; i++) {
        char c = w[1][i];
        if (c >= '0' && c <= '9') return NULL;
        t[i] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
    }
    t[l[1]] = 0;
    /* a two-letter last word is a country code only after a postal code
     * ("ca 94191 us", "v3x 6t8 ca"); "plano tx" ends in a state */
    if (l[1] <= 3) {
        bool digit = false;
        for (size_t i = 0; w[0] && i < l[0]; i++) digit |= w[0][i] >= '0' && w[0][i] <= '9';
        if (!digit) return NULL;
    }
    return um_country_code(t);
}

bool um_net06_strength(uint64_t n_known, uint64_t n_foreign, um_strength *strength, int *weight) {
    if (n_foreign == 0) return false;
    if (n_known >= UM_NET06_MIN_SIGNINS && n_foreign * 2 > n_known) {
        *strength = UM_MEDIUM;
        *weight = UM_NET06_MEDIUM_WEIGHT;
    } else {
        *strength = UM_WEAK;
        *weight = UM_NET06_WEAK_WEIGHT;
    }
    return true;
}

/* ---- state --------------------------------------------------------------- */

typedef struct net_sample {
    int64_t ts;
    const char *file; /* interned */
    uint64_t line;
    const char *record;
    const char *values; /* "ip=..; country=..; asn=.." */
} net_sample;

typedef struct net_agg {
    const char *indicator;
    const char *key;
    const char *label; /* NET-01: network class; NET-06: country code */
    const char *detail; /* "AS 64496 Astrill VPN" or "" */
    um_strength strength;
    int weight;
    uint64_t count;
    int64_t last_ts;
    net_sample s[NET_MAX_SAMPLES];
    size_t n_s;
    uint64_t addrs[NET_MAX_ADDRS]; /* hashes of distinct addresses */
    size_t n_addrs;
    bool addrs_full;
} net_agg;

typedef struct net_subj {
    bool resolved;
    size_t n_claimed;
    char claimed[NET_MAX_CLAIMED][3];
    char ship[3];       /* country of the laptop's ship-to address, "" unknown */
    bool claim_is_ship; /* no claimed country: the ship-to country stands in */
    uint64_t n_known;   /* sign-ins whose country counts */
    uint64_t n_foreign; /* ... of them outside the claimed countries */
    net_agg *aggs;
    size_t n_aggs, cap_aggs;
} net_subj;

typedef struct net_state {
    net_subj *subj;
    size_t n_subj;
    um_arena arena;
    um_map strings; /* interned file names, keys, labels */
    struct net_state *adopted; /* merged partitions: their strings, kept (net_merge) */
} net_state;

static const char *intern(net_state *st, const char *s) {
    if (!s) return NULL;
    um_map_slot *sl = um_map_upsert(&st->strings, s, strlen(s), NULL);
    return sl ? sl->key : NULL;
}

static um_status on_subjects(um_scan *scan, void **state) {
    (void)scan;
    net_state *st = um_calloc(1, sizeof *st);
    if (!st) return UM_ENOMEM;
    um_arena_init(&st->arena);
    um_map_init(&st->strings);
    *state = st;
    return UM_OK;
}

static void free_state(void *state) {
    net_state *st = state;
    while (st) {
        net_state *next = st->adopted;
        for (size_t i = 0; i < st->n_subj; i++) um_free(st->subj[i].aggs);
        um_free(st->subj);
        um_arena_free(&st->arena);
        um_map_free(&st->strings);
        um_free(st);
        st = next;
    }
}

/* Partitioned analysis (partition.h 5.): an empty instance per partition;
 * the merge moves each subject the partition saw into the primary, which
 * keeps the partition's strings (its aggregates point into them). */
static um_status part_new(um_scan *scan, const void *primary, void **out) {
    (void)primary;
    return on_subjects(scan, out);
}

static um_status merge(um_scan *scan, void *into, void *from) {
    (void)scan;
    net_state *a = into, *b = from;
    if (!b) return UM_OK;
    um_status rc = UM_OK;
    if (!um_grow_zeroed((void **)&a->subj, &a->n_subj, b->n_subj, sizeof *a->subj)) rc = UM_ENOMEM;
    for (size_t i = 0; rc == UM_OK && i < b->n_subj; i++) {
        if (!b->subj[i].resolved) continue;
        if (a->subj[i].resolved) { /* two partitions saw one person: the routing is broken */
            rc = UM_EINVAL;
            break;
        }
        a->subj[i] = b->subj[i];
        memset(&b->subj[i], 0, sizeof b->subj[i]);
    }
    if (rc != UM_OK) {
        free_state(b);
        return rc;
    }
    um_free(b->subj);
    b->subj = NULL;
    b->n_subj = 0;
    b->adopted = a->adopted;
    a->adopted = b;
    return UM_OK;
}

static net_subj *subject(net_state *st, um_scan *scan, um_sid sid) {
    if ((size_t)sid >= st->n_subj) {
        size_t cap = st->n_subj, need = (size_t)sid + 1;
        if (!um_grow((void **)&st->subj, &cap, need, sizeof *st->subj)) return NULL;
        memset(st->subj + st->n_subj, 0, (cap - st->n_subj) * sizeof *st->subj);
        st->n_subj = cap;
    }
    net_subj *ns = &st->subj[sid];
    if (!ns->resolved) {
        ns->resolved = true;
        size_t n = 0;
        const char *const *v = um_subject_values(scan, sid, UM_ATTR_COUNTRY, &n);
        for (size_t i = 0; i < n && ns->n_claimed < NET_MAX_CLAIMED; i++) {
            const char *cc = um_country_code(v[i]);
            if (!cc) continue;
            bool dup = false;
            for (size_t j = 0; j < ns->n_claimed; j++) dup |= strcmp(ns->claimed[j], cc) == 0;
            if (!dup) memcpy(ns->claimed[ns->n_claimed++], cc, 3);
        }
        v = um_subject_values(scan, sid, UM_ATTR_SHIP_ADDRESS, &n);
        for (size_t i = 0; i < n && !ns->ship[0]; i++) {
            const char *cc = um_ship_country(v[i]);
            if (cc) memcpy(ns->ship, cc, 3);
        }
        if (!ns->n_claimed && ns->ship[0]) {
            memcpy(ns->claimed[ns->n_claimed++], ns->ship, 3);
            ns->claim_is_ship = true;
        }
    }
    return ns;
}

/* Finds or adds the aggregate (indicator, key); NULL when full or no memory. */
static net_agg *agg(net_state *st, net_subj *ns, const char *indicator, const char *key) {
    for (size_t i = 0; i < ns->n_aggs; i++)
        if (strcmp(ns->aggs[i].indicator, indicator) == 0 && strcmp(ns->aggs[i].key, key) == 0) return &ns->aggs[i];
    if (ns->n_aggs >= NET_MAX_AGGS) return NULL;
    if (!um_grow((void **)&ns->aggs, &ns->cap_aggs, ns->n_aggs + 1, sizeof *ns->aggs)) return NULL;
    net_agg *a = &ns->aggs[ns->n_aggs];
    memset(a, 0, sizeof *a);
    a->indicator = indicator;
    a->key = intern(st, key);
    if (!a->key) return NULL;
    a->last_ts = UM_TIME_NONE;
    ns->n_aggs++;
    return a;
}

static void agg_note(net_state *st, net_agg *a, const um_event *ev, const char *ip, const char *country) {
    a->count++;
    if (ev->ts != UM_TIME_NONE && (a->last_ts == UM_TIME_NONE || ev->ts > a->last_ts)) a->last_ts = ev->ts;
    if (a->n_s < NET_MAX_SAMPLES) { /* evidence text only for the samples kept */
        char values[256];
        snprintf(values, sizeof values, "ip=%s; country=%s; asn=%u%s%s", *ip ? ip : (ev->ip ? ev->ip : ""),
                 country ? country : "", ev->ip_asn, ev->ip_org ? " " : "", ev->ip_org ? ev->ip_org : "");
        net_sample *s = &a->s[a->n_s];
        s->ts = ev->ts;
        s->file = intern(st, ev->src_file);
        s->line = ev->src_line;
        s->record = ev->record_id ? um_arena_strdup(&st->arena, ev->record_id) : NULL;
        s->values = um_arena_strdup(&st->arena, values);
        a->n_s++;
    }
    if (ip && *ip && !a->addrs_full) {
        uint64_t h = um_hash64(ip, strlen(ip), 7);
        for (size_t i = 0; i < a->n_addrs; i++)
            if (a->addrs[i] == h) return;
        if (a->n_addrs < NET_MAX_ADDRS) a->addrs[a->n_addrs++] = h;
        else a->addrs_full = true;
    }
}

static um_status on_event(um_scan *scan, void *state, um_sid sid, const um_event *ev) {
    net_state *st = state;
    if (sid < 0 || !st) return UM_OK;
    if (ev->kind != UM_EV_SIGNIN && ev->kind != UM_EV_LOGON) return UM_OK;
    if (ev->success == 0) return UM_OK;
    uint32_t f = ev->net_flags;
    if (f & UM_NET_PRIVATE) return UM_OK;
    char ip[64] = "";
    um_ipaddr addr;
    bool have_ip = ev->ip && um_ip_parse(ev->ip, (size_t)-1, &addr);
    if (have_ip) um_ip_format(&addr, ip, sizeof ip);
    if (ev->kind == UM_EV_LOGON && !have_ip) return UM_OK; /* "-" or a workstation name */

    net_subj *ns = subject(st, scan, sid);
    if (!ns) return UM_ENOMEM;

    const char *country = ev->country ? um_country_code(ev->country) : NULL;
    if (!country) country = ev->ip_country;

    if (f & UM_NET_DPRK) {
        net_agg *a = agg(st, ns, "NET-05", ip);
        if (a) {
            a->strength = UM_STRONG;
            a->weight = UM_NET05_WEIGHT;
            agg_note(st, a, ev, ip, country);
        }
    }

    um_strength s1;
    int w1;
    const char *cls = um_net01_class(f, &s1, &w1);
    if (cls) {
        char key[64];
        snprintf(key, sizeof key, "%s:AS%u",
                 (f & UM_NET_ASTRILL) ? "astrill" : (f & UM_NET_VPN) ? "vpn" : (f & UM_NET_PROXY_LOG) ? "proxy" : "hosting",
                 ev->ip_asn);
        net_agg *a = agg(st, ns, "NET-01", key);
        if (a) {
            if (!a->label) {
                a->label = cls;
                char d[240] = "";
                if (ev->ip_asn || ev->ip_org)
                    snprintf(d, sizeof d, " (AS %u%s%s)", ev->ip_asn, ev->ip_org ? " " : "", ev->ip_org ? ev->ip_org : "");
                a->detail = intern(st, d);
            }
            a->strength = s1;
            a->weight = w1;
            agg_note(st, a, ev, ip, country);
        }
    }

    if (have_ip) {
        const um_ioc *ioc = um_ctx_ioc(um_scan_ctx(scan));
        const um_ioc_hit *hit = ioc ? um_ioc_lookup(ioc, "ip", ip) : NULL;
        if (hit) {
            net_agg *a = agg(st, ns, "NET-07", ip);
            if (a) {
                if (!a->label) a->label = intern(st, hit->source ? hit->source : "");
                a->strength = UM_WEAK;
                a->weight = UM_NET07_WEIGHT;
                agg_note(st, a, ev, ip, country);
            }
        }
    }

    if (ns->n_claimed && country && um_net_country_counts(f)) {
        ns->n_known++;
        bool home = false;
        for (size_t i = 0; i < ns->n_claimed; i++) home |= strcmp(ns->claimed[i], country) == 0;
        if (!home) {
            ns->n_foreign++;
            net_agg *a = agg(st, ns, "NET-06", country);
            if (a) {
                a->label = a->key;
                agg_note(st, a, ev, ip, country);
            }
        }
    }
    return UM_OK;
}

/* ---- finish -------------------------------------------------------------- */

static um_status emit(um_scan *scan, um_sid sid, const net_subj *ns, const net_agg *a) {
    um_finding_spec spec = {a->indicator, "net", a->strength, a->weight, 0, a->key};
    um_strength s = a->strength;
    int w = a->weight;
    if (a->indicator[5] == '6') { /* NET-06 */
        if (!um_net06_strength(ns->n_known, ns->n_foreign, &s, &w)) return UM_OK;
        spec.strength = s;
        spec.weight = w;
    }
    char addrs[48] = "";
    if (a->addrs_full) snprintf(addrs, sizeof addrs, " from more than %d addresses", NET_MAX_ADDRS);
    else if (a->n_addrs) snprintf(addrs, sizeof addrs, " from %zu address%s", a->n_addrs, a->n_addrs == 1 ? "" : "es");
    const char *claimed = ns->n_claimed ? ns->claimed[0] : "";
    char where[96];
    if (ns->claim_is_ship) snprintf(where, sizeof where, "the laptop's ship-to country is %s (no claimed country)", claimed);
    else if (ns->ship[0] && strcmp(ns->ship, claimed) != 0)
        snprintf(where, sizeof where, "the claimed country is %s, the laptop's ship-to country %s", claimed, ns->ship);
    else if (ns->ship[0]) snprintf(where, sizeof where, "the claimed country and the laptop's ship-to country are %s", claimed);
    else snprintf(where, sizeof where, "the claimed country is %s", claimed);
    um_status rc = UM_OK;
    uint64_t samples = a->n_s ? a->n_s : 1;
    for (uint64_t i = 0; i < samples && rc == UM_OK; i++) {
        um_event fake;
        um_event_init(&fake);
        if (i < a->n_s) {
            fake.ts = a->s[i].ts;
            fake.src_file = a->s[i].file;
            fake.src_line = a->s[i].line;
            fake.record_id = a->s[i].record;
        }
        const char *values = i < a->n_s ? a->s[i].values : NULL;
        switch (a->indicator[5]) {
        case '5':
            rc = um_finding_add(scan, sid, &spec, &fake, NULL, 0, values,
                                "%llu sign-in%s from DPRK-allocated address %s", (unsigned long long)a->count,
                                a->count == 1 ? "" : "s", a->key);
            break;
        case '1':
            rc = um_finding_add(scan, sid, &spec, &fake, NULL, 0, values, "%llu sign-in%s via %s%s%s",
                                (unsigned long long)a->count, a->count == 1 ? "" : "s", a->label, a->detail,
                                addrs);
            break;
        case '6':
            rc = um_finding_add(scan, sid, &spec, &fake, NULL, 0, values,
                                "%llu of %llu located sign-in%s from %s%s while %s",
                                (unsigned long long)a->count, (unsigned long long)ns->n_known,
                                ns->n_known == 1 ? "" : "s", a->label, addrs, where);
            break;
        default:
            rc = um_finding_add(scan, sid, &spec, &fake, NULL, 0, values,
                                "%llu sign-in%s from %s, an address on the published DPRK IT-worker IOC list "
                                "(dated; probably re-assigned)",
                                (unsigned long long)a->count, a->count == 1 ? "" : "s", a->key);
            break;
        }
    }
    if (rc == UM_OK && a->count > samples)
        rc = um_finding_add_count(scan, sid, a->indicator, a->key, a->count - samples, a->last_ts);
    return rc;
}

static um_status finish(um_scan *scan, void *state) {
    net_state *st = state;
    if (!st) return UM_OK;
    for (size_t sid = 0; sid < st->n_subj; sid++) {
        const net_subj *ns = &st->subj[sid];
        for (size_t i = 0; i < ns->n_aggs; i++) {
            um_status rc = emit(scan, (um_sid)sid, ns, &ns->aggs[i]);
            if (rc != UM_OK) return rc;
        }
    }
    return UM_OK;
}

/* Saved state (pstate.h), version 1: varint subjects seen, then each, by
 * subject number: varint gap (the first: its number), varint n_known,
 * n_foreign, varint aggregates (<= 32), each: varint indicator (1, 5, 6, 7
 * for NET-0x), string key, label, detail (or none), varint strength,
 * zigzag weight, varint count, zigzag last time, varint samples (<= 3),
 * each zigzag time, string file (or none), varint line, string record (or
 * none), string values; varint addresses (<= 64), each 8-byte hash; varint
 * full. The claimed and ship-to countries are the loading scan's. */
static const char *const net_ind[] = {NULL, "NET-01", NULL, NULL, NULL, "NET-05", "NET-06", "NET-07"};

static um_status save(um_scan *scan, const void *inst, um_buf *out) {
    (void)scan;
    const net_state *st = inst;
    um_pk_u(out, 1);
    size_t seen = 0;
    for (size_t i = 0; st && i < st->n_subj; i++) seen += st->subj[i].resolved;
    um_pk_u(out, seen);
    size_t last = 0;
    bool first = true;
    for (size_t i = 0; st && i < st->n_subj; i++) {
        const net_subj *ns = &st->subj[i];
        if (!ns->resolved) continue;
        um_pk_u(out, first ? i : i - last);
        first = false;
        last = i;
        um_pk_u(out, ns->n_known);
        um_pk_u(out, ns->n_foreign);
        um_pk_u(out, ns->n_aggs);
        for (size_t k = 0; k < ns->n_aggs; k++) {
            const net_agg *a = &ns->aggs[k];
            um_pk_u(out, (uint64_t)(a->indicator[5] - '0'));
            um_pk_s(out, a->key);
            um_pk_s(out, a->label);
            um_pk_s(out, a->detail);
            um_pk_u(out, (uint64_t)a->strength);
            um_pk_i(out, a->weight);
            um_pk_u(out, a->count);
            um_pk_i(out, a->last_ts);
            um_pk_u(out, a->n_s);
            for (size_t j = 0; j < a->n_s; j++) {
                um_pk_i(out, a->s[j].ts);
                um_pk_s(out, a->s[j].file);
                um_pk_u(out, a->s[j].line);
                um_pk_s(out, a->s[j].record);
                um_pk_s(out, a->s[j].values);
            }
            um_pk_u(out, a->n_addrs);
            for (size_t j = 0; j < a->n_addrs; j++) um_pk_h64(out, a->addrs[j]);
            um_pk_u(out, a->addrs_full);
        }
    }
    return UM_OK;
}

static um_status load(um_scan *scan, const void *primary, um_pk *r, void **out) {
    (void)primary;
    net_state *st = NULL;
    if (on_subjects(scan, (void **)&st) != UM_OK) return UM_ENOMEM;
    size_t nsub = um_scan_nsubjects(scan);
    if (um_pk_get_u(r) != 1) um_pk_fail(r, "net: unknown state version");
    uint64_t seen = um_pk_get_ur(r, nsub, "net: more subjects than the scan has");
    uint64_t sid = 0;
    for (uint64_t k = 0; k < seen && um_pk_ok(r); k++) {
        uint64_t gap = um_pk_get_u(r);
        if (!um_pk_ok(r)) break;
        if ((k && gap == 0) || gap >= nsub - (k ? sid : 0)) {
            um_pk_fail(r, "net: subject out of range or order");
            break;
        }
        sid = k ? sid + gap : gap;
        net_subj *ns = subject(st, scan, (um_sid)sid);
        if (!ns) {
            um_pk_fail(r, "out of memory");
            break;
        }
        ns->n_known = um_pk_get_u(r);
        ns->n_foreign = um_pk_get_ur(r, ns->n_known, "net: more foreign sign-ins than located ones");
        size_t na = (size_t)um_pk_get_ur(r, NET_MAX_AGGS, "net: too many aggregates");
        if (um_pk_ok(r) && na && !um_grow((void **)&ns->aggs, &ns->cap_aggs, na, sizeof *ns->aggs))
            um_pk_fail(r, "out of memory");
        for (size_t j = 0; j < na && um_pk_ok(r); j++) {
            net_agg *a = &ns->aggs[j];
            memset(a, 0, sizeof *a);
            ns->n_aggs = j + 1;
            uint64_t ind = um_pk_get_ur(r, 7, "net: bad indicator");
            if (um_pk_ok(r) && !net_ind[ind]) um_pk_fail(r, "net: bad indicator");
            a->indicator = um_pk_ok(r) ? net_ind[ind] : "NET-05";
            a->key = um_pk_get_interned(r, &st->strings, 1u << 20);
            a->label = um_pk_get_interned(r, &st->strings, 1u << 20);
            a->detail = um_pk_get_interned(r, &st->strings, 1u << 20);
            if (um_pk_ok(r) && (!a->key || ((ind == 1 || ind == 6) && !a->label) || (ind == 1 && !a->detail)))
                um_pk_fail(r, "net: aggregate without its key, label or detail");
            for (size_t x = 0; x < j && um_pk_ok(r); x++)
                if (ns->aggs[x].indicator == a->indicator && strcmp(ns->aggs[x].key, a->key) == 0)
                    um_pk_fail(r, "net: one aggregate twice");
            a->strength = (um_strength)um_pk_get_ur(r, UM_STRONG, "net: bad strength");
            a->weight = (int)um_pk_get_ir(r, INT32_MIN, INT32_MAX, "net: bad weight");
            a->count = um_pk_get_u(r);
            a->last_ts = um_pk_get_time(r);
            a->n_s = (size_t)um_pk_get_ur(r, NET_MAX_SAMPLES, "net: too many samples");
            for (size_t x = 0; x < a->n_s && um_pk_ok(r); x++) {
                a->s[x].ts = um_pk_get_time(r);
                a->s[x].file = um_pk_get_interned(r, &st->strings, 1u << 20);
                a->s[x].line = um_pk_get_u(r);
                a->s[x].record = um_pk_get_s(r, &st->arena, 1u << 20);
                a->s[x].values = um_pk_get_s(r, &st->arena, 1u << 20);
                if (um_pk_ok(r) && !a->s[x].values) um_pk_fail(r, "net: sample without values");
            }
            a->n_addrs = (size_t)um_pk_get_ur(r, NET_MAX_ADDRS, "net: too many addresses");
            for (size_t x = 0; x < a->n_addrs && um_pk_ok(r); x++) a->addrs[x] = um_pk_get_h64(r);
            a->addrs_full = um_pk_get_bool(r);
        }
    }
    if (!um_pk_ok(r)) {
        um_status rc = strcmp(r->bad, "out of memory") == 0 ? UM_ENOMEM : UM_EPARSE;
        free_state(st);
        return rc;
    }
    *out = st;
    return UM_OK;
}

const um_analyzer um_analyzer_net = {"net", "sign-ins from DPRK space, VPN/hosting networks, inconsistent countries",
                                     on_subjects, on_event, finish, free_state, NULL, NULL, false, NULL, NULL, NULL,
                                     part_new, merge, save, load};
