/*
 * zeek.c - Zeek network logs, TSV (with the #separator/#fields header) or
 * JSON lines (dotted keys "id.orig_h" as written by Zeek's JSON writer, or
 * underscore keys "id_orig_h" as flattened by some shippers; ts as epoch
 * seconds or an ISO-8601 string).
 *   conn.log -> UM_EV_NETCONN: host = id.orig_h (the local side),
 *               ip = id.resp_h, port = id.resp_p, action = service/proto;
 *   rfb.log  -> UM_EV_REMOTE action "vnc", device_desc = authentication_method;
 *   rdp.log  -> UM_EV_REMOTE action "rdp", device_desc = keyboard_layout,
 *               user = cookie, success from result;
 *   dns.log  -> UM_EV_DNS action "dns", target = query;
 *   ssl.log  -> UM_EV_DNS action "ssl", target = server_name (SNI)
 *               (rows without a name are counted as not used).
 * The log kind comes from #path, "_path", "@stream" or the file name.
 * Rows of other logs (http, x509, ...) are not used: they are counted in one
 * warning per file.
 */
#include <arpa/inet.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "evtx.h"
#include "../util/json.h"
#include "../util/ascii.h"

#define ZEEK_MAX_LINE (1u << 20)
#define ZEEK_MAX_FIELDS 128


typedef enum zk_path { ZK_UNKNOWN, ZK_CONN, ZK_RFB, ZK_RDP, ZK_DNS, ZK_SSL, ZK_OTHER } zk_path;

/* Field roles read from a record. */
enum {
    F_TS, F_UID, F_OH, F_RH, F_RP, F_PROTO, F_SERVICE, F_AUTHM, F_AUTH, F_KB, F_COOKIE, F_RESULT,
    F_QUERY, F_SNI, F__N
};
/* Names in Zeek's dotted form; the JSON reader also tries '_' for '.'. */
static const char *const zk_names[F__N] = {
    "ts", "uid", "id.orig_h", "id.resp_h", "id.resp_p", "proto", "service",
    "authentication_method", "auth", "keyboard_layout", "cookie", "result", "query", "server_name"};

static zk_path path_of(const char *s, size_t n) {
    if (!s) return ZK_UNKNOWN;
    if (n == 4 && memcmp(s, "conn", 4) == 0) return ZK_CONN;
    if (n == 3 && memcmp(s, "rfb", 3) == 0) return ZK_RFB;
    if (n == 3 && memcmp(s, "rdp", 3) == 0) return ZK_RDP;
    if (n == 3 && memcmp(s, "dns", 3) == 0) return ZK_DNS;
    if (n == 3 && memcmp(s, "ssl", 3) == 0) return ZK_SSL;
    return n ? ZK_OTHER : ZK_UNKNOWN;
}

/* From the file name: "conn.log", "conn.12:00:00-13:00:00.log", "x_rfb.json". */
static zk_path path_from_name(const char *file) {
    const char *b = um_basename_any(file);
    if (strncmp(b, "conn.", 5) == 0 || strstr(b, "_conn.") || strstr(b, "-conn.")) return ZK_CONN;
    if (strncmp(b, "rfb.", 4) == 0 || strstr(b, "_rfb.") || strstr(b, "-rfb.")) return ZK_RFB;
    if (strncmp(b, "rdp.", 4) == 0 || strstr(b, "_rdp.") || strstr(b, "-rdp.")) return ZK_RDP;
    if (strncmp(b, "dns.", 4) == 0 || strstr(b, "_dns.") || strstr(b, "-dns.")) return ZK_DNS;
    if (strncmp(b, "ssl.", 4) == 0 || strstr(b, "_ssl.") || strstr(b, "-ssl.")) return ZK_SSL;
    return ZK_UNKNOWN;
}

typedef struct zk_run {
    const um_rsink *sink;
    zk_path file_path; /* from the name or #path */
    uint64_t other_rows;
    char other_name[32];
    um_winfields *bag; /* the record's fields by their Zeek names, for Sigma rules */
} zk_run;

/* Values of one record (NULL = unset). */
typedef struct zk_rec {
    const char *v[F__N];
    zk_path path;
    bool ts_is_num;
    double ts_num;
} zk_rec;

static bool valid_ip(const char *s) {
    unsigned char buf[16];
    if (!s || strlen(s) > 64) return false;
    /* IPv6 zone ids ("fe80::1%eth0") are allowed */
    char tmp[65];
    size_t n = strcspn(s, "%");
    memcpy(tmp, s, n);
    tmp[n] = 0;
    return inet_pton(AF_INET, tmp, buf) == 1 || inet_pton(AF_INET6, tmp, buf) == 1;
}

static um_status emit(zk_run *z, zk_rec *r, uint64_t ln) {
    const um_rsink *sk = z->sink;
    zk_path p = r->path != ZK_UNKNOWN ? r->path : z->file_path;
    if (p == ZK_UNKNOWN) {
        um_rsink_issue(sk, true, ln, "Zeek log kind unknown (no #path/_path; name the file conn.log, rfb.log, rdp.log, dns.log or ssl.log)");
        return UM_OK;
    }
    if (p == ZK_OTHER) {
        z->other_rows++;
        return UM_OK;
    }
    um_event ev;
    um_event_init(&ev);
    /* time */
    const char *ts = r->v[F_TS];
    if (r->ts_is_num) {
        if (!isfinite(r->ts_num) || r->ts_num <= 0 || r->ts_num > 9.2e12) {
            um_rsink_issue(sk, true, ln, "bad ts %.6f", r->ts_num);
            return UM_OK;
        }
        ev.ts = llround(r->ts_num * 1e6);
    } else if (ts) {
        size_t n = strlen(ts);
        if (!um_time_parse_epoch(ts, n, &ev.ts) && !um_time_parse_iso(ts, n, &ev.ts, NULL, NULL)) {
            um_rsink_issue(sk, true, ln, "bad ts '%.40s'", ts);
            return UM_OK;
        }
        if (ev.ts <= 0) {
            um_rsink_issue(sk, true, ln, "bad ts '%.40s' (not after 1970)", ts);
            return UM_OK;
        }
    } else {
        um_rsink_issue(sk, true, ln, "no ts");
        return UM_OK;
    }
    const char *oh = r->v[F_OH], *rh = r->v[F_RH], *rp = r->v[F_RP];
    if (!oh || !rh) {
        um_rsink_issue(sk, true, ln, "missing %s", !oh ? "id.orig_h" : "id.resp_h");
        return UM_OK;
    }
    if (!valid_ip(oh) || !valid_ip(rh)) {
        um_rsink_issue(sk, true, ln, "%s '%.64s' is not an IP address", !valid_ip(oh) ? "id.orig_h" : "id.resp_h",
                  !valid_ip(oh) ? oh : rh);
        return UM_OK;
    }
    ev.host = oh;
    ev.ip = rh;
    if (rp) {
        char *end = NULL;
        long v = strtol(rp, &end, 10);
        if (!*rp || *end || v < 0 || v > 65535) um_rsink_issue(sk, false, ln, "id.resp_p '%.20s' is not a port; ignored", rp);
        else ev.port = (uint32_t)v;
    }
    ev.record_id = r->v[F_UID];
    ev.src_line = ln;
    if (p == ZK_CONN) {
        ev.kind = UM_EV_NETCONN;
        ev.action = r->v[F_SERVICE] ? r->v[F_SERVICE] : r->v[F_PROTO];
    } else if (p == ZK_RFB) {
        ev.kind = UM_EV_REMOTE;
        ev.action = "vnc";
        ev.device_desc = r->v[F_AUTHM];
        const char *a = r->v[F_AUTH];
        if (a) ev.success = (um_streq_ci(a, "T") || um_streq_ci(a, "true")) ? 1
                            : (um_streq_ci(a, "F") || um_streq_ci(a, "false")) ? 0 : -1;
    } else if (p == ZK_DNS || p == ZK_SSL) {
        /* the name asked for (dns query) or sent in the TLS handshake (SNI) */
        const char *name = r->v[p == ZK_DNS ? F_QUERY : F_SNI];
        if (!name || !*name || !strcmp(name, "-")) {
            z->other_rows++; /* no name: nothing to match */
            if (!z->other_name[0]) snprintf(z->other_name, sizeof z->other_name, "%s", p == ZK_DNS ? "dns" : "ssl");
            return UM_OK;
        }
        ev.kind = UM_EV_DNS;
        ev.action = p == ZK_DNS ? "dns" : "ssl";
        ev.target = name;
    } else {
        ev.kind = UM_EV_REMOTE;
        ev.action = "rdp";
        ev.device_desc = r->v[F_KB];
        ev.user = r->v[F_COOKIE];
        const char *res = r->v[F_RESULT];
        if (res) ev.success = um_streq_ci(res, "Success") ? 1 : 0;
    }
    if (z->bag) { /* product zeek for Sigma: _zeek_path names the log */
        static const char *const paths[] = {"", "conn", "rfb", "rdp", "dns", "ssl", ""};
        um_winfields_reset(z->bag);
        um_winfields_add(z->bag, "_zeek_path", paths[p], strlen(paths[p]), 1);
        for (int i = 0; i < F__N; i++)
            if (r->v[i]) um_winfields_add(z->bag, zk_names[i], r->v[i], strlen(r->v[i]), 1);
        um_event_set_fields(&ev, z->bag);
    }
    return sk->event(sk->ud, &ev);
}

/* ---- TSV ----------------------------------------------------------------- */

typedef struct zk_tsv {
    char sep;
    char unset[16], empty[16];
    int col[F__N]; /* column index of each role, -1 none */
    size_t ncols;
    bool have_fields;
    zk_path path;
} zk_tsv;

/* "#separator \x09" -> '\t'. */
static bool parse_sep(const char *s, char *out) {
    if (s[0] == '\\' && s[1] == 'x' && um_ascii_isxdigit((unsigned char)s[2]) &&
        um_ascii_isxdigit((unsigned char)s[3]) && !s[4]) {
        char h[3] = {s[2], s[3], 0};
        *out = (char)strtol(h, NULL, 16);
        return *out != 0 && *out != '\n';
    }
    if (s[0] && !s[1] && s[0] != '\n') {
        *out = s[0];
        return true;
    }
    return false;
}

static void tsv_header(zk_run *z, zk_tsv *t, char *line, uint64_t ln) {
    char *sp = line + 1;
    size_t kl = strcspn(sp, " \t");
    char *val = sp + kl;
    if (*val) *val++ = 0;
    if (strcmp(sp, "separator") == 0) {
        if (!parse_sep(val, &t->sep)) um_rsink_issue(z->sink, true, ln, "#separator '%.20s' not understood", val);
    } else if (strcmp(sp, "unset_field") == 0) {
        snprintf(t->unset, sizeof t->unset, "%s", val);
    } else if (strcmp(sp, "empty_field") == 0) {
        snprintf(t->empty, sizeof t->empty, "%s", val);
    } else if (strcmp(sp, "path") == 0) {
        t->path = path_of(val, strlen(val));
        if (t->path == ZK_OTHER) snprintf(z->other_name, sizeof z->other_name, "%s", val);
    } else if (strcmp(sp, "fields") == 0) {
        for (int i = 0; i < F__N; i++) t->col[i] = -1;
        t->ncols = 0;
        char *save = NULL, seps[2] = {t->sep, 0};
        for (char *c = strtok_r(val, seps, &save); c; c = strtok_r(NULL, seps, &save)) {
            for (int i = 0; i < F__N; i++)
                if (strcmp(c, zk_names[i]) == 0) {
                    if (t->col[i] >= 0) um_rsink_issue(z->sink, false, ln, "#fields names '%s' twice; first used", c);
                    else t->col[i] = (int)t->ncols;
                }
            t->ncols++;
            if (t->ncols > ZEEK_MAX_FIELDS * 4) break;
        }
        t->have_fields = t->ncols > 0;
    }
}

static um_status tsv_row(zk_run *z, zk_tsv *t, char *line, uint64_t ln) {
    if (!t->have_fields) {
        um_rsink_issue(z->sink, true, ln, "data row before the #fields header");
        return UM_OK;
    }
    char *cells[ZEEK_MAX_FIELDS * 4 + 1];
    size_t nc = 0;
    char *p = line;
    for (;;) {
        if (nc >= UM_ARRAY_LEN(cells)) break;
        cells[nc++] = p;
        char *s = strchr(p, t->sep);
        if (!s) break;
        *s = 0;
        p = s + 1;
    }
    if (nc != t->ncols) {
        um_rsink_issue(z->sink, true, ln, "ragged row: %zu fields, #fields has %zu", nc, t->ncols);
        return UM_OK;
    }
    zk_rec r;
    memset(&r, 0, sizeof r);
    r.path = t->path;
    for (int i = 0; i < F__N; i++) {
        if (t->col[i] < 0) continue;
        const char *v = cells[t->col[i]];
        if (strcmp(v, t->unset) == 0 || strcmp(v, t->empty) == 0 || !*v) continue;
        r.v[i] = v;
    }
    return emit(z, &r, ln);
}

/* ---- JSON ---------------------------------------------------------------- */

/* Looks a role up by its dotted name, then with '_' for '.', then as the
 * nested object "id": {"orig_h": ...}. *dup set on a duplicate key. */
static um_jval jfield(um_jval root, const char *name, const char **dup) {
    unsigned c = 0;
    um_jval v = um_jget(root, name, &c);
    if (c > 1 && !*dup) *dup = name;
    if (um_jok(v)) return v;
    char alt[64];
    snprintf(alt, sizeof alt, "%s", name);
    char *dot = strchr(alt, '.');
    if (!dot) return v;
    *dot = '_';
    v = um_jget(root, alt, &c);
    if (c > 1 && !*dup) *dup = name;
    if (um_jok(v)) return v;
    unsigned d = 0;
    v = um_jpath(root, name, &d);
    if (d && !*dup) *dup = name;
    return v;
}

static um_status json_row(zk_run *z, um_json *jp, const char *line, size_t len, uint64_t ln) {
    um_jval root;
    const char *err;
    if (um_json_parse(jp, line, len, &root, &err) != 0) {
        um_rsink_issue(z->sink, true, ln, "JSON: %s", err);
        return UM_OK;
    }
    if (um_jtype_of(root) != UM_J_OBJECT) {
        um_rsink_issue(z->sink, true, ln, "JSON line is not an object");
        return UM_OK;
    }
    zk_rec r;
    memset(&r, 0, sizeof r);
    const char *dup = NULL;
    unsigned c = 0;
    um_jval pv = um_jget(root, "_path", &c);
    if (c > 1) dup = "_path";
    if (!um_jok(pv)) {
        pv = um_jget(root, "@stream", &c);
        if (c > 1 && !dup) dup = "@stream";
    }
    size_t pn = 0;
    const char *ps = um_jstr(pv, &pn);
    r.path = path_of(ps, pn);
    if (r.path == ZK_OTHER && ps) snprintf(z->other_name, sizeof z->other_name, "%.*s", (int)(pn < 31 ? pn : 31), ps);
    char tmp[F__N][64];
    for (int i = 0; i < F__N; i++) {
        um_jval v = jfield(root, zk_names[i], &dup);
        um_jtype ty = um_jtype_of(v);
        if (i == F_TS && (ty == UM_J_DOUBLE || ty == UM_J_INT || ty == UM_J_UINT)) {
            r.ts_is_num = um_jdouble(v, &r.ts_num);
            continue;
        }
        if (ty == UM_J_ARRAY || ty == UM_J_OBJECT) {
            um_rsink_issue(z->sink, true, ln, "%s is not a scalar", zk_names[i]);
            return UM_OK;
        }
        const char *s = um_jtext(v, tmp[i], sizeof tmp[i]);
        if (s && *s && strcmp(s, "-") != 0) {
            if (!um_utf8_valid(s, strlen(s))) {
                um_rsink_issue(z->sink, true, ln, "%s is not valid UTF-8", zk_names[i]);
                return UM_OK;
            }
            r.v[i] = s;
        }
    }
    if (dup) {
        um_rsink_issue(z->sink, true, ln, "duplicate key '%s'", dup);
        return UM_OK;
    }
    return emit(z, &r, ln);
}

/* ---- driver -------------------------------------------------------------- */

um_status um_zeek_parse(FILE *f, const char *file, const um_rsink *sink) {
    const um_rsink *sk = sink;
    zk_run z = {sink, path_from_name(file), 0, {0}, um_malloc(sizeof(um_winfields))};
    if (!z.bag) return UM_ENOMEM;
    zk_tsv t;
    memset(&t, 0, sizeof t);
    t.sep = '\t';
    snprintf(t.unset, sizeof t.unset, "-");
    snprintf(t.empty, sizeof t.empty, "(empty)");
    for (int i = 0; i < F__N; i++) t.col[i] = -1;
    um_json *jp = um_json_new();
    if (!jp) {
        um_free(z.bag);
        return UM_ENOMEM;
    }
    um_lines L;
    um_lines_init(&L, f, ZEEK_MAX_LINE);
    const char *line;
    size_t len;
    um_status st = UM_OK;
    while (st == UM_OK && um_rsink_next_line(&L, sk, UM_LINE_SKIP_BLANK, &line, &len)) {
        size_t i = 0;
        while (i < len && (line[i] == ' ' || line[i] == '\t')) i++;
        if (line[i] == '{') {
            st = json_row(&z, jp, line + i, len - i, L.lineno);
            continue;
        }
        if (memchr(line, 0, len)) {
            um_rsink_issue(sk, true, L.lineno, "line holds a NUL byte");
            continue;
        }
        if (!um_utf8_valid(line, len)) {
            um_rsink_issue(sk, true, L.lineno, "invalid UTF-8");
            continue;
        }
        char *mut = (char *)line; /* the line buffer is ours until the next call */
        if (line[0] == '#') {
            tsv_header(&z, &t, mut, L.lineno);
            if (t.path != ZK_UNKNOWN) z.file_path = t.path;
            continue;
        }
        st = tsv_row(&z, &t, mut, L.lineno);
    }
    if (z.other_rows)
        um_rsink_issue(sk, false, 0, "%llu rows of Zeek log '%s' not used (only conn, rfb, rdp, dns and ssl are read)",
                (unsigned long long)z.other_rows, z.other_name[0] ? z.other_name : "?");
    um_lines_free(&L);
    um_json_free(jp);
    um_free(z.bag);
    return st;
}

static um_status read_zeek(um_reader_ctx *rc, FILE *f) {
    um_rsink s = um_rsink_reader(rc);
    return um_zeek_parse(f, um_rc_file(rc), &s);
}

static int detect(const char *path, const char *head, size_t n) {
    if (n >= 11 && memcmp(head, "#separator ", 11) == 0) return 90;
    if (n == 0 || head[0] != '{') return 0;
    const char *nl = memchr(head, '\n', n);
    size_t len = nl ? (size_t)(nl - head) : n;
    char buf[4096];
    if (len >= sizeof buf) len = sizeof buf - 1;
    memcpy(buf, head, len);
    buf[len] = 0;
    bool ids = (strstr(buf, "\"id.orig_h\"") || strstr(buf, "\"id_orig_h\"")) && strstr(buf, "\"ts\"");
    if (!ids) return 0;
    bool zeekish = strstr(buf, "\"uid\"") || strstr(buf, "\"_path\"") || strstr(buf, "\"@stream\"") ||
                   path_from_name(path) != ZK_UNKNOWN;
    return zeekish ? 85 : 40;
}

const um_reader um_reader_zeek = {
    "zeek",
    "Zeek conn, rfb (VNC), rdp, dns and ssl logs, TSV or JSON lines",
    1, detect, read_zeek, NULL, false, false, NULL, 0, NULL, NULL};
