/*
 * ip.c - IP enrichment: country and AS from MaxMind-format databases, and
 * network classes (DPRK, VPN, hosting, Astrill) from the bundled lists in
 * data/network/.
 *
 * Databases (both optional; missing or unreadable ones give one ctx warning
 * and the scan goes on without them):
 *   - country: @ip-location-db layout (top-level "country_code") or the
 *     GeoLite2 layout ("country" -> "iso_code", then "registered_country").
 *   - ASN: "autonomous_system_number" / "autonomous_system_organization"
 *     (GeoLite2-ASN, and the file scripts/csv2mmdb.pl builds from the
 *     @ip-location-db/asn CSV).
 * Lists: one entry per line, a CIDR, an address or AS<n>; '#' comments.
 * Bad lines are skipped with one summarised warning per file. Each list
 * class becomes a sorted, merged array of ranges (IPv4 and IPv6 apart) and
 * a sorted array of ASNs, searched by bisection.
 *
 * Hot path: um_ipdb_enrich() looks the address string up in a fixed-size
 * open-addressing cache (UM_IPC_SLOTS entries, cleared when 3/4 full), so a
 * repeated address costs one hash and one compare and no allocation.
 * Strings handed out (country, AS organisation) are interned in the db and
 * valid until um_ipdb_close() (or, for organisations, until the intern
 * table is cleared after UM_IP_MAX_ORGS distinct names): analyzers copy what
 * they keep beyond the event.
 */
#include "ip.h"

#include <arpa/inet.h>
#include <errno.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../core/internal.h"
#include "../util/ascii.h"

/* ---- addresses ----------------------------------------------------------- */

static void fill_v4(um_ipaddr *a, uint32_t v) {
    memset(a, 0, sizeof *a);
    a->family = 4;
    a->v4 = v;
    a->bytes[0] = (uint8_t)(v >> 24);
    a->bytes[1] = (uint8_t)(v >> 16);
    a->bytes[2] = (uint8_t)(v >> 8);
    a->bytes[3] = (uint8_t)v;
}

static void fill_v6(um_ipaddr *a, const uint8_t b[16]) {
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(b, mapped, 12) == 0) {
        fill_v4(a, (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 | b[15]);
        return;
    }
    memset(a, 0, sizeof *a);
    a->family = 6;
    memcpy(a->bytes, b, 16);
    for (int i = 0; i < 8; i++) {
        a->hi = a->hi << 8 | b[i];
        a->lo = a->lo << 8 | b[8 + i];
    }
}

/* Strict: exactly an IPv4 or IPv6 literal, NUL-terminated. */
static bool parse_literal(const char *s, um_ipaddr *out) {
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, s, &a4) == 1) {
        fill_v4(out, ntohl(a4.s_addr));
        return true;
    }
    if (inet_pton(AF_INET6, s, &a6) == 1) {
        fill_v6(out, a6.s6_addr);
        return true;
    }
    return false;
}

bool um_ip_parse(const char *s, size_t n, um_ipaddr *out) {
    if (!s) return false;
    if (n == (size_t)-1) n = strlen(s);
    while (n && (*s == ' ' || *s == '\t')) s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n')) n--;
    if (n == 0) return false;
    char buf[72];
    if (s[0] == '[') { /* [v6]:port or [v6] */
        const char *e = memchr(s, ']', n);
        if (!e) return false;
        n = (size_t)(e - s - 1);
        s++;
    }
    if (n >= sizeof buf) return false;
    memcpy(buf, s, n);
    buf[n] = 0;
    if (memchr(buf, 0, n)) return false;
    char *pct = strchr(buf, '%');
    if (pct) *pct = 0; /* zone id */
    char *c1 = strchr(buf, ':');
    if (c1 && !strchr(c1 + 1, ':') && memchr(buf, '.', (size_t)(c1 - buf))) {
        /* a.b.c.d:port: the port must be digits */
        for (const char *p = c1 + 1; *p; p++)
            if (*p < '0' || *p > '9') return false;
        *c1 = 0;
    }
    return parse_literal(buf, out);
}

bool um_ip_is_private(const um_ipaddr *a) {
    if (a->family == 4) {
        uint32_t x = a->v4;
        return (x >> 24) == 0 ||           /* 0.0.0.0/8 "this network" */
               (x >> 24) == 10 ||          /* 10/8 */
               (x >> 22) == 0x191 ||       /* 100.64/10 CGNAT */
               (x >> 24) == 127 ||         /* loopback */
               (x >> 16) == 0xA9FE ||      /* 169.254/16 link-local */
               (x >> 20) == 0xAC1 ||       /* 172.16/12 */
               (x >> 8) == 0xC00000 ||     /* 192.0.0/24 IETF assignments */
               (x >> 16) == 0xC0A8 ||      /* 192.168/16 */
               (x >> 17) == (0xC612 >> 1) || /* 198.18/15 benchmarking */
               (x >> 28) >= 0xE;           /* multicast, reserved, broadcast */
    }
    uint64_t h = a->hi;
    if (h == 0 && (a->lo == 0 || a->lo == 1)) return true; /* :: and ::1 */
    return (h >> 54) == (0xfe80u >> 6) || /* fe80::/10 link-local */
           (h >> 57) == (0xfc00u >> 9) || /* fc00::/7 ULA */
           (h >> 56) == 0xff ||           /* multicast */
           (h >> 54) == (0xfec0u >> 6) || /* fec0::/10 old site-local */
           h == 0x0100000000000000ULL;    /* 100::/64 discard */
}

const char *um_ip_format(const um_ipaddr *a, char *buf, size_t n) {
    if (!n) return buf;
    buf[0] = 0;
    if (!inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->bytes, buf, (socklen_t)n)) buf[0] = 0;
    return buf;
}

/* ---- range sets ---------------------------------------------------------- */

typedef struct range4 {
    uint32_t lo, hi;
} range4;
typedef struct u128 {
    uint64_t h, l;
} u128;
typedef struct range6 {
    u128 lo, hi;
} range6;

static int u128_cmp(u128 a, u128 b) {
    if (a.h != b.h) return a.h < b.h ? -1 : 1;
    return a.l < b.l ? -1 : a.l > b.l;
}

typedef struct rset {
    range4 *r4;
    size_t n4, cap4;
    range6 *r6;
    size_t n6, cap6;
    uint32_t *asn;
    size_t nasn, capasn;
} rset;

enum { L_DPRK, L_VPN, L_HOSTING, L_ASTRILL, L__COUNT };
static const uint32_t list_flag[L__COUNT] = {UM_NET_DPRK, UM_NET_VPN, UM_NET_HOSTING,
                                             UM_NET_ASTRILL | UM_NET_VPN};

static int cmp_r4(const void *a, const void *b) {
    const range4 *x = a, *y = b;
    if (x->lo != y->lo) return x->lo < y->lo ? -1 : 1;
    return (x->hi > y->hi) - (x->hi < y->hi);
}
static int cmp_r6(const void *a, const void *b) {
    const range6 *x = a, *y = b;
    int c = u128_cmp(x->lo, y->lo);
    return c ? c : u128_cmp(x->hi, y->hi);
}
static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Sorts and merges overlapping/adjacent ranges, dedups ASNs. */
static void rset_finish(rset *s) {
    if (s->n4) {
        qsort(s->r4, s->n4, sizeof *s->r4, cmp_r4);
        size_t o = 0;
        for (size_t i = 1; i < s->n4; i++) {
            range4 *cur = &s->r4[o];
            if (s->r4[i].lo <= cur->hi || (cur->hi != UINT32_MAX && s->r4[i].lo == cur->hi + 1)) {
                if (s->r4[i].hi > cur->hi) cur->hi = s->r4[i].hi;
            } else {
                s->r4[++o] = s->r4[i];
            }
        }
        s->n4 = o + 1;
    }
    if (s->n6) {
        qsort(s->r6, s->n6, sizeof *s->r6, cmp_r6);
        size_t o = 0;
        for (size_t i = 1; i < s->n6; i++) {
            range6 *cur = &s->r6[o];
            if (u128_cmp(s->r6[i].lo, cur->hi) <= 0) {
                if (u128_cmp(s->r6[i].hi, cur->hi) > 0) cur->hi = s->r6[i].hi;
            } else {
                s->r6[++o] = s->r6[i];
            }
        }
        s->n6 = o + 1;
    }
    if (s->nasn) {
        qsort(s->asn, s->nasn, sizeof *s->asn, cmp_u32);
        size_t o = 0;
        for (size_t i = 1; i < s->nasn; i++)
            if (s->asn[i] != s->asn[o]) s->asn[++o] = s->asn[i];
        s->nasn = o + 1;
    }
}

static bool rset_has_ip(const rset *s, const um_ipaddr *a) {
    if (a->family == 4) {
        size_t lo = 0, hi = s->n4; /* first range with lo > x */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (s->r4[mid].lo <= a->v4) lo = mid + 1;
            else hi = mid;
        }
        return lo > 0 && a->v4 <= s->r4[lo - 1].hi;
    }
    u128 x = {a->hi, a->lo};
    size_t lo = 0, hi = s->n6;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (u128_cmp(s->r6[mid].lo, x) <= 0) lo = mid + 1;
        else hi = mid;
    }
    return lo > 0 && u128_cmp(x, s->r6[lo - 1].hi) <= 0;
}

static bool rset_has_asn(const rset *s, uint32_t asn) {
    return asn && s->nasn && bsearch(&asn, s->asn, s->nasn, sizeof *s->asn, cmp_u32) != NULL;
}

static void rset_free(rset *s) {
    um_free(s->r4);
    um_free(s->r6);
    um_free(s->asn);
    memset(s, 0, sizeof *s);
}

/* ---- the database -------------------------------------------------------- */

#define UM_IPC_SLOTS (1u << 16)
#define UM_IPC_KEY 47
#define UM_IP_MAX_ORGS 300000

typedef struct ipc_ent {
    uint64_t hash; /* 0: empty */
    const char *country;
    const char *org;
    uint32_t asn;
    uint32_t flags;
    uint8_t len;
    char key[UM_IPC_KEY];
} ipc_ent;

struct um_ipdb {
    MMDB_s country, asn;
    bool have_country, have_asn;
    rset lists[L__COUNT];
    ipc_ent *cache; /* UM_IPC_SLOTS */
    size_t cache_used;
    um_map orgs; /* interned AS organisation names */
    char cc[26 * 26][3];
};

/* Interned ISO2 code, NULL unless two ASCII letters. */
static const char *cc_intern(um_ipdb *db, const char *s, size_t n) {
    if (n != 2) return NULL;
    int a = s[0] & ~0x20, b = s[1] & ~0x20;
    if (a < 'A' || a > 'Z' || b < 'A' || b > 'Z') return NULL;
    char *c = db->cc[(a - 'A') * 26 + (b - 'A')];
    c[0] = (char)a, c[1] = (char)b, c[2] = 0;
    return c;
}

static const char *org_intern(um_ipdb *db, const char *s, size_t n) {
    if (n == 0) return NULL;
    if (n > 200) n = 200;
    if (db->orgs.len >= UM_IP_MAX_ORGS) { /* hostile db: start over */
        um_map_free(&db->orgs);
        um_map_init(&db->orgs);
        if (db->cache) memset(db->cache, 0, UM_IPC_SLOTS * sizeof *db->cache);
        db->cache_used = 0;
    }
    um_map_slot *sl = um_map_upsert(&db->orgs, s, n, NULL);
    return sl ? sl->key : NULL;
}

static bool list_line(rset *s, char *line, bool *ok) {
    char *hash = strchr(line, '#');
    if (hash) *hash = 0;
    char *t = um_trim(line);
    *ok = true;
    if (!*t) return false;
    if ((t[0] == 'A' || t[0] == 'a') && (t[1] == 'S' || t[1] == 's')) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(t + 2, &end, 10);
        if (end == t + 2 || *end || errno || v == 0 || v > UINT32_MAX) return *ok = false;
        if (!um_grow((void **)&s->asn, &s->capasn, s->nasn + 1, sizeof *s->asn)) return *ok = false;
        s->asn[s->nasn++] = (uint32_t)v;
        return true;
    }
    char *slash = strchr(t, '/');
    long plen = -1;
    if (slash) {
        char *end;
        *slash = 0;
        plen = strtol(slash + 1, &end, 10);
        if (end == slash + 1 || *end || plen < 0) return *ok = false;
    }
    um_ipaddr a;
    if (!parse_literal(t, &a)) return *ok = false;
    /* "::ffff:a.b.c.d/120" came back as IPv4: shift the prefix */
    if (a.family == 4 && strchr(t, ':') && plen >= 0) plen -= 96;
    if (a.family == 4) {
        if (plen < 0) plen = 32;
        if (plen > 32) return *ok = false;
        uint32_t mask = plen == 0 ? 0 : UINT32_MAX << (32 - plen);
        if (!um_grow((void **)&s->r4, &s->cap4, s->n4 + 1, sizeof *s->r4)) return *ok = false;
        s->r4[s->n4++] = (range4){a.v4 & mask, (a.v4 & mask) | ~mask};
    } else {
        if (plen < 0) plen = 128;
        if (plen > 128) return *ok = false;
        uint64_t mh = plen == 0 ? 0 : plen >= 64 ? UINT64_MAX : UINT64_MAX << (64 - plen);
        uint64_t ml = plen <= 64 ? 0 : plen == 128 ? UINT64_MAX : UINT64_MAX << (128 - plen);
        if (!um_grow((void **)&s->r6, &s->cap6, s->n6 + 1, sizeof *s->r6)) return *ok = false;
        s->r6[s->n6++] = (range6){{a.hi & mh, a.lo & ml}, {(a.hi & mh) | ~mh, (a.lo & ml) | ~ml}};
    }
    return true;
}

static void load_list(um_notes *warn, rset *s, const char *dir, const char *name) {
    size_t need = strlen(dir) + strlen(name) + 16;
    char *p = um_malloc(need);
    if (!p) return;
    snprintf(p, need, "%s/network/%s", dir, name);
    FILE *f = fopen(p, "r");
    if (!f) {
        um_notes_add(warn, "network list %s not found: %s flags are not available", p, name);
        um_free(p);
        return;
    }
    char line[512];
    uint64_t lineno = 0, bad = 0, first_bad = 0;
    bool partial = false;
    while (fgets(line, sizeof line, f)) {
        size_t n = strlen(line);
        bool cont = partial;
        partial = n > 0 && line[n - 1] != '\n' && !feof(f);
        if (!cont) lineno++;
        if (cont) continue; /* tail of an over-long line, already counted */
        bool ok;
        if (partial) ok = false;
        else list_line(s, line, &ok);
        if (!ok && !bad++) first_bad = lineno;
    }
    fclose(f);
    if (bad)
        um_notes_add(warn, "%s: %llu bad line(s) skipped (first at line %llu)", p,
                           (unsigned long long)bad, (unsigned long long)first_bad);
    um_free(p);
}

static bool open_mmdb(um_notes *warn, MMDB_s *m, const char *given, const char *dir, const char *file,
                      const char *what) {
    char *p = NULL;
    const char *path = given;
    if (!path) {
        size_t need = strlen(dir ? dir : ".") + strlen(file) + 16;
        p = um_malloc(need);
        if (!p) return false;
        snprintf(p, need, "%s/ipdb/%s", dir ? dir : ".", file);
        path = p;
    }
    int st = MMDB_open(path, MMDB_MODE_MMAP, m);
    bool ok = st == MMDB_SUCCESS;
    if (st == MMDB_FILE_OPEN_ERROR && errno == ENOENT)
        um_notes_add(warn, "no %s database at %s: run scripts/fetch-ipdb.sh (IP %s enrichment off)",
                           what, path, what);
    else if (!ok)
        um_notes_add(warn, "%s database %s unusable (%s): run scripts/fetch-ipdb.sh (IP %s enrichment off)",
                           what, path, MMDB_strerror(st), what);
    um_free(p);
    return ok;
}

um_status um_ipdb_open(um_ipdb **out, const um_ctx_options *opt, const char *data_dir, um_notes *warn) {
    um_ipdb *db = um_calloc(1, sizeof *db);
    *out = db;
    if (!db) return UM_ENOMEM;
    db->cache = um_calloc_table(UM_IPC_SLOTS, sizeof *db->cache);
    if (!db->cache) return UM_ENOMEM;
    um_map_init(&db->orgs);
    db->have_country = open_mmdb(warn, &db->country, opt ? opt->country_mmdb : NULL, data_dir,
                                 "country.mmdb", "country");
    db->have_asn = open_mmdb(warn, &db->asn, opt ? opt->asn_mmdb : NULL, data_dir, "asn.mmdb", "ASN");
    if (data_dir) {
        static const struct {
            int list;
            const char *file;
        } files[] = {{L_DPRK, "dprk.txt"},           {L_VPN, "vpn_ipv4.txt"},
                     {L_VPN, "vpn_asn.txt"},         {L_HOSTING, "datacenter_ipv4.txt"},
                     {L_HOSTING, "datacenter_asn.txt"}, {L_ASTRILL, "astrill.txt"}};
        for (size_t i = 0; i < UM_ARRAY_LEN(files); i++)
            load_list(warn, &db->lists[files[i].list], data_dir, files[i].file);
    }
    for (int i = 0; i < L__COUNT; i++) rset_finish(&db->lists[i]);
    return UM_OK;
}

void um_ipdb_close(um_ipdb *db) {
    if (!db) return;
    if (db->have_country) MMDB_close(&db->country);
    if (db->have_asn) MMDB_close(&db->asn);
    for (int i = 0; i < L__COUNT; i++) rset_free(&db->lists[i]);
    um_map_free(&db->orgs);
    um_free_table(db->cache, UM_IPC_SLOTS, sizeof *db->cache);
    um_free(db);
}

/* ---- lookups ------------------------------------------------------------- */

static bool mmdb_find(MMDB_s *m, const um_ipaddr *a, MMDB_entry_s *e) {
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    if (a->family == 4) {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        s4->sin_family = AF_INET;
        memcpy(&s4->sin_addr, a->bytes, 4);
    } else {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        s6->sin6_family = AF_INET6;
        memcpy(&s6->sin6_addr, a->bytes, 16);
    }
    int err = 0;
    MMDB_lookup_result_s r = MMDB_lookup_sockaddr(m, (struct sockaddr *)&ss, &err);
    if (err != MMDB_SUCCESS || !r.found_entry) return false;
    *e = r.entry;
    return true;
}

static bool get_str(MMDB_entry_s *e, MMDB_entry_data_s *d, const char *k1, const char *k2) {
    int st = k2 ? MMDB_get_value(e, d, k1, k2, NULL) : MMDB_get_value(e, d, k1, NULL);
    return st == MMDB_SUCCESS && d->has_data && d->type == MMDB_DATA_TYPE_UTF8_STRING;
}

static const char *lookup_country(um_ipdb *db, const um_ipaddr *a) {
    MMDB_entry_s e;
    if (!mmdb_find(&db->country, a, &e)) return NULL;
    MMDB_entry_data_s d;
    if (get_str(&e, &d, "country_code", NULL) || get_str(&e, &d, "country", "iso_code") ||
        get_str(&e, &d, "registered_country", "iso_code"))
        return cc_intern(db, d.utf8_string, d.data_size);
    return NULL;
}

static void lookup_asn(um_ipdb *db, const um_ipaddr *a, uint32_t *asn, const char **org) {
    MMDB_entry_s e;
    if (!mmdb_find(&db->asn, a, &e)) return;
    MMDB_entry_data_s d;
    if (MMDB_get_value(&e, &d, "autonomous_system_number", NULL) == MMDB_SUCCESS && d.has_data) {
        switch (d.type) {
        case MMDB_DATA_TYPE_UINT32: *asn = d.uint32; break;
        case MMDB_DATA_TYPE_UINT16: *asn = d.uint16; break;
        case MMDB_DATA_TYPE_INT32: *asn = d.int32 > 0 ? (uint32_t)d.int32 : 0; break;
        case MMDB_DATA_TYPE_UINT64: *asn = d.uint64 <= UINT32_MAX ? (uint32_t)d.uint64 : 0; break;
        default: break;
        }
    }
    if (get_str(&e, &d, "autonomous_system_organization", NULL))
        *org = org_intern(db, d.utf8_string, d.data_size);
}

static uint32_t asn_flags(const um_ipdb *db, uint32_t asn) {
    uint32_t f = 0;
    if (!asn) return 0;
    for (int i = 0; i < L__COUNT; i++)
        if (rset_has_asn(&db->lists[i], asn)) f |= list_flag[i];
    return f;
}

/* "Astrill" as a word ("Astrill VPN", "ASTRILL-NET", "AstrillVPN"), not
 * inside another name ("ALLASTRILLA ENTERPRISES" is a real, unrelated AS). */
static bool org_is_astrill(const char *org) {
    if (!org) return false;
    for (const char *p = org; (p = um_strstr_ci(p, "astrill")) != NULL; p++) {
        bool start = p == org || !um_ascii_isalpha((unsigned char)p[-1]);
        const char *e = p + 7;
        bool end = !um_ascii_isalpha((unsigned char)*e) || um_starts_with_ci(e, "vpn");
        if (start && end) return true;
    }
    return false;
}

/* The address-derived part: everything but the log's own fields. */
static void lookup(um_ipdb *db, const char *s, size_t n, ipc_ent *r) {
    um_ipaddr a;
    if (!um_ip_parse(s, n, &a)) return;
    if (um_ip_is_private(&a)) {
        r->flags = UM_NET_PRIVATE;
        return;
    }
    if (db->have_country) r->country = lookup_country(db, &a);
    if (db->have_asn) lookup_asn(db, &a, &r->asn, &r->org);
    for (int i = 0; i < L__COUNT; i++)
        if (rset_has_ip(&db->lists[i], &a)) r->flags |= list_flag[i];
    r->flags |= asn_flags(db, r->asn);
    if (org_is_astrill(r->org)) r->flags |= UM_NET_ASTRILL | UM_NET_VPN;
}

static inline uint64_t ipc_hash(const char *s, size_t n) {
    return um_hash64(s, n, 0x9e3779b97f4a7c15ULL) | 1;
}

void um_ipdb_prefetch(const um_ipdb *db, const char *ip) {
    if (!db || !db->cache || !ip || !*ip) return;
    size_t n = strlen(ip);
    if (n <= UM_IPC_KEY) __builtin_prefetch(&db->cache[(size_t)ipc_hash(ip, n) & (UM_IPC_SLOTS - 1)]);
}

static const ipc_ent *cached(um_ipdb *db, const char *s, ipc_ent *tmp) {
    size_t n = strlen(s);
    if (n > UM_IPC_KEY || !db->cache) {
        memset(tmp, 0, sizeof *tmp);
        lookup(db, s, n, tmp);
        return tmp;
    }
    uint64_t h = ipc_hash(s, n);
    size_t mask = UM_IPC_SLOTS - 1, i = (size_t)h & mask;
    for (;;) {
        ipc_ent *e = &db->cache[i];
        if (!e->hash) break;
        if (e->hash == h && e->len == n && memcmp(e->key, s, n) == 0) return e;
        i = (i + 1) & mask;
    }
    if (db->cache_used >= UM_IPC_SLOTS / 4 * 3) { /* full: start over */
        memset(db->cache, 0, UM_IPC_SLOTS * sizeof *db->cache);
        db->cache_used = 0;
        i = (size_t)h & mask;
    }
    memset(tmp, 0, sizeof *tmp);
    lookup(db, s, n, tmp); /* may clear the cache (org table reset) */
    if (db->cache_used == 0) i = (size_t)h & mask;
    while (db->cache[i].hash) i = (i + 1) & mask;
    ipc_ent *e = &db->cache[i];
    *e = *tmp;
    e->hash = h;
    e->len = (uint8_t)n;
    memcpy(e->key, s, n);
    db->cache_used++;
    return e;
}

void um_ipdb_enrich(um_ipdb *db, um_event *ev) {
    ev->ip_country = NULL;
    ev->ip_asn = 0;
    ev->ip_org = NULL;
    if (!db) return;
    uint32_t flags = 0;
    if (ev->ip && *ev->ip) {
        ipc_ent tmp;
        const ipc_ent *r = cached(db, ev->ip, &tmp);
        ev->ip_country = r->country;
        ev->ip_asn = r->asn;
        ev->ip_org = r->org;
        flags = r->flags;
    }
    if (!(flags & UM_NET_PRIVATE)) {
        /* The log's own AS data fills what the database did not give. */
        if (!ev->ip_asn && ev->asn) {
            ev->ip_asn = ev->asn;
            flags |= asn_flags(db, ev->asn);
        }
        if (!ev->ip_org && ev->as_org && *ev->as_org) ev->ip_org = ev->as_org;
        if (org_is_astrill(ev->as_org)) flags |= UM_NET_ASTRILL | UM_NET_VPN;
    }
    if (ev->is_proxy == 1) flags |= UM_NET_PROXY_LOG;
    ev->net_flags |= flags;
}
