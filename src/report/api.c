/*
 * api.c - the JSON HTTP API as pure functions (docs/api.md): a request
 * (method, path, query, Authorization, body) in, a response (status,
 * content type, body) out. cli/serve.c moves bytes between libmicrohttpd
 * and um_api_handle; tests and fuzz targets call um_api_handle directly.
 *
 * Compiled state is built once in um_api_open and read-only afterwards, so
 * handlers run on several threads at once: the screener (sanctions index),
 * the IOC sets (um_ctx) and the identity index of the case (every linking
 * identifier -> the subjects holding it), which /v1/screen uses without
 * touching SQLite. Other routes read the case through um_case (its own lock).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/scan.h"
#include "report.h"
#include "../util/ascii.h"
#include "../util/cfmt.h"

#define UM_API_MAX_LIST 20  /* emails/phones/wallets/urls per applicant */
#define UM_API_MAX_VALUE 1024

struct um_api {
    um_case *c;
    char *errmsg;
    char token[128];
    size_t max_body;
    um_screener *sc;
    um_ctx *ctx;
    um_map ident; /* "kind\x1fvalue" -> JSON array text of subjects */
    um_arena arena;
};

static void set_err(um_api *a, const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    um_vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    free(a->errmsg);
    a->errmsg = um_strdup(buf);
}

const char *um_api_errmsg(const um_api *a) { return a && a->errmsg ? a->errmsg : "out of memory"; }
size_t um_api_max_body(const um_api *a) { return a ? a->max_body : 0; }

/* identifier kinds of the case that /v1/screen compares against */
static const char *const index_kinds[] = {"email",  "work_email", "git_email", "phone",    "wallet",
                                          "github", "linkedin",   "telegram",  "payout_account"};

static um_status build_index(um_api *a) {
    sqlite3_stmt *q = NULL;
    um_status rc = UM_OK;
    if (sqlite3_prepare_v2(a->c->db,
                           "SELECT i.kind, i.value, s.id, s.display, s.level, s.score FROM identifiers i"
                           " JOIN subjects s ON s.id = i.subject_id ORDER BY i.kind, i.value, s.rank",
                           -1, &q, NULL) != SQLITE_OK) {
        set_err(a, "case.db: identity index: %s", sqlite3_errmsg(a->c->db));
        return UM_EDB;
    }
    um_buf key, val;
    um_buf_init(&key);
    um_buf_init(&val);
    char *cur = NULL;
    size_t n_cur = 0;
    for (;;) {
        int st = sqlite3_step(q);
        const char *kind = st == SQLITE_ROW ? (const char *)sqlite3_column_text(q, 0) : NULL;
        const char *value = st == SQLITE_ROW ? (const char *)sqlite3_column_text(q, 1) : NULL;
        bool keep = false;
        for (size_t i = 0; kind && i < UM_ARRAY_LEN(index_kinds); i++) keep |= strcmp(kind, index_kinds[i]) == 0;
        if (st == SQLITE_ROW && (!keep || !value)) continue;
        um_buf_reset(&key);
        if (st == SQLITE_ROW) um_buf_printf(&key, "%s\x1f%s", kind, value);
        bool same = cur && st == SQLITE_ROW && strcmp(cur, key.s) == 0;
        if (cur && !same) { /* flush the previous key */
            um_buf_addc(&val, ']');
            bool created;
            um_map_slot *sl = um_map_upsert(&a->ident, cur, strlen(cur), &created);
            char *v = val.oom ? NULL : um_arena_strdup(&a->arena, val.s);
            if (!sl || !v) { rc = UM_ENOMEM; break; }
            sl->val = v;
            free(cur);
            cur = NULL;
        }
        if (st != SQLITE_ROW) break;
        if (!cur) {
            cur = um_strdup(key.s);
            if (!cur) { rc = UM_ENOMEM; break; }
            um_buf_reset(&val);
            um_buf_addc(&val, '[');
            n_cur = 0;
        }
        if (n_cur++ >= 20) continue;
        json_t *s = json_object();
        json_object_set_new(s, "id", um_json_str((const char *)sqlite3_column_text(q, 2)));
        json_object_set_new(s, "display", um_json_str((const char *)sqlite3_column_text(q, 3)));
        json_object_set_new(s, "level", um_json_str((const char *)sqlite3_column_text(q, 4)));
        json_object_set_new(s, "score", json_integer(sqlite3_column_int(q, 5)));
        char *t = json_dumps(s, JSON_COMPACT);
        json_decref(s);
        if (!t) { rc = UM_ENOMEM; break; }
        if (n_cur > 1) um_buf_addc(&val, ',');
        um_buf_adds(&val, t);
        free(t);
    }
    free(cur);
    sqlite3_finalize(q);
    um_buf_free(&key);
    um_buf_free(&val);
    return rc;
}

um_status um_api_open(um_api **out, const um_api_options *opt) {
    um_api *a = um_calloc(1, sizeof *a);
    *out = a;
    if (!a) return UM_ENOMEM;
    um_map_init(&a->ident);
    um_arena_init(&a->arena);
    if (!opt || !opt->case_path) {
        set_err(a, "no case given");
        return UM_EINVAL;
    }
    if (!opt->token || strlen(opt->token) < 16 || strlen(opt->token) >= sizeof a->token) {
        set_err(a, "the API token must be 16 to %zu characters", sizeof a->token - 1);
        return UM_EINVAL;
    }
    snprintf(a->token, sizeof a->token, "%s", opt->token);
    a->max_body = opt->max_body ? opt->max_body : 64 * 1024;
    um_status rc = um_case_open(&a->c, opt->case_path, opt->writable);
    if (rc != UM_OK) {
        set_err(a, "%s", um_case_errmsg(a->c));
        return rc;
    }
    um_screener_options so = {.data_dir = opt->data_dir};
    rc = um_screener_open(&a->sc, &so);
    if (rc != UM_OK) {
        set_err(a, "screening lists: %s", um_screener_errmsg(a->sc));
        return rc;
    }
    um_ctx_options co;
    memset(&co, 0, sizeof co);
    co.data_dir = opt->data_dir;
    rc = um_ctx_open(&a->ctx, &co);
    if (rc != UM_OK) {
        set_err(a, "indicator lists: %s", um_ctx_errmsg(a->ctx));
        return rc;
    }
    rc = build_index(a);
    return rc;
}

void um_api_close(um_api *a) {
    if (!a) return;
    um_case_close(a->c);
    um_screener_close(a->sc);
    um_ctx_close(a->ctx);
    um_map_free(&a->ident);
    um_arena_free(&a->arena);
    free(a->errmsg);
    free(a);
}

/* ---- responses ---- */

static const char *const sec_headers[][2] = {
    {"Content-Security-Policy",
     "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self';"
     " base-uri 'none'; form-action 'none'; frame-ancestors 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "no-referrer"},
    {"X-Frame-Options", "DENY"},
    {"Cross-Origin-Opener-Policy", "same-origin"},
    {"Cross-Origin-Resource-Policy", "same-origin"},
};

const char *um_api_header_name(size_t i) { return i < UM_ARRAY_LEN(sec_headers) ? sec_headers[i][0] : NULL; }
const char *um_api_header_value(size_t i) { return i < UM_ARRAY_LEN(sec_headers) ? sec_headers[i][1] : NULL; }

void um_api_response_free(um_api_response *rs) {
    if (!rs) return;
    free(rs->body);
    rs->body = NULL;
}

static void send_json(um_api_response *rs, int status, json_t *v) {
    rs->status = status;
    rs->content_type = "application/json; charset=utf-8";
    rs->body = v ? json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(v);
    if (!rs->body) { /* out of memory: a fixed body */
        rs->status = 500;
        rs->body = um_strdup("{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}");
    }
    rs->body_len = rs->body ? strlen(rs->body) : 0;
}

static void send_error(um_api_response *rs, int status, const char *code, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    um_vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *e = json_object(), *o = json_object();
    json_object_set_new(e, "code", json_string(code));
    json_object_set_new(e, "message", um_json_str(msg));
    json_object_set_new(o, "error", e);
    send_json(rs, status, o);
}

static void send_status(um_api *a, um_api_response *rs, um_status st) {
    switch (st) {
    case UM_ENOTFOUND: send_error(rs, 404, "not_found", "%s", um_case_errmsg(a->c)); break;
    case UM_EINVAL: send_error(rs, 400, "bad_request", "%s", um_case_errmsg(a->c)); break;
    case UM_ENOMEM: send_error(rs, 500, "internal", "out of memory"); break;
    default: send_error(rs, 500, "internal", "%s", um_case_errmsg(a->c)); break;
    }
}

/* ---- query strings ---- */

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    c = um_ascii_tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decodes s[0..n) into out (size cap); '+' -> space when plus.
 * false on a bad escape, a NUL byte or overflow. */
static bool pct_decode(const char *s, size_t n, char *out, size_t cap, bool plus) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int ch = (unsigned char)s[i];
        if (ch == '%') {
            if (i + 2 >= n) return false;
            int h = hexval((unsigned char)s[i + 1]), l = hexval((unsigned char)s[i + 2]);
            if (h < 0 || l < 0) return false;
            ch = h * 16 + l;
            i += 2;
        } else if (ch == '+' && plus) {
            ch = ' ';
        }
        if (ch == 0 || k + 1 >= cap) return false;
        out[k++] = (char)ch;
    }
    out[k] = 0;
    return true;
}

typedef struct qparams {
    char offset[24], limit[24], q[256], level[16], indicator[32], subject[128];
    bool seen_bad;
} qparams;

static bool parse_query(const char *qs, qparams *p) {
    memset(p, 0, sizeof *p);
    if (!qs) return true;
    size_t len = strlen(qs);
    if (len > 4096) return false;
    const char *s = qs;
    while (*s) {
        const char *amp = strchr(s, '&');
        size_t n = amp ? (size_t)(amp - s) : strlen(s);
        const char *eq = memchr(s, '=', n);
        size_t kn = eq ? (size_t)(eq - s) : n;
        const char *v = eq ? eq + 1 : s + n;
        size_t vn = eq ? n - kn - 1 : 0;
        char key[32];
        if (kn > 0 && pct_decode(s, kn, key, sizeof key, true)) {
            char *dst = NULL;
            size_t cap = 0;
#define QP(name)                                                                                                       \
    if (strcmp(key, #name) == 0) {                                                                                     \
        dst = p->name;                                                                                                 \
        cap = sizeof p->name;                                                                                          \
    }
            QP(offset) QP(limit) QP(q) QP(level) QP(indicator) QP(subject)
#undef QP
            if (dst && !pct_decode(v, vn, dst, cap, true)) return false;
        } else if (kn > 0) {
            return false;
        }
        if (!amp) break;
        s = amp + 1;
    }
    return true;
}

static bool parse_size(const char *s, size_t lo, size_t hi, size_t def, size_t *out) {
    if (!s || !*s) {
        *out = def;
        return true;
    }
    size_t v = 0;
    for (const char *p = s; *p; p++) {
        if (!um_ascii_isdigit((unsigned char)*p) || p - s > 9) return false;
        v = v * 10 + (size_t)(*p - '0');
    }
    if (v < lo || v > hi) return false;
    *out = v;
    return true;
}

static bool page_from(const qparams *qp, um_page *p, um_api_response *rs) {
    memset(p, 0, sizeof *p);
    if (!parse_size(qp->offset, 0, 1000000000u, 0, &p->offset)) {
        send_error(rs, 400, "bad_parameter", "offset must be an integer from 0");
        return false;
    }
    if (!parse_size(qp->limit, 1, UM_PAGE_MAX, UM_PAGE_DEFAULT, &p->limit)) {
        send_error(rs, 400, "bad_parameter", "limit must be an integer from 1 to %d", UM_PAGE_MAX);
        return false;
    }
    if (*qp->level && strcmp(qp->level, "high") != 0 && strcmp(qp->level, "review") != 0 &&
        strcmp(qp->level, "clean") != 0) {
        send_error(rs, 400, "bad_parameter", "level must be high, review or clean");
        return false;
    }
    p->q = *qp->q ? qp->q : NULL;
    p->level = *qp->level ? qp->level : NULL;
    p->indicator = *qp->indicator ? qp->indicator : NULL;
    p->subject = *qp->subject ? qp->subject : NULL;
    return true;
}

/* ---- JSON bodies ---- */

static json_t *parse_body(um_api *a, const um_api_request *rq, um_api_response *rs) {
    if (rq->body_too_large || rq->body_len > a->max_body) {
        send_error(rs, 413, "too_large", "request body larger than %zu bytes", a->max_body);
        return NULL;
    }
    if (rq->content_type && !um_starts_with_ci(rq->content_type, "application/json")) {
        send_error(rs, 415, "unsupported_media_type", "send Content-Type: application/json");
        return NULL;
    }
    if (!rq->body || rq->body_len == 0) {
        send_error(rs, 400, "bad_json", "empty body; a JSON object is expected");
        return NULL;
    }
    json_error_t je;
    json_t *v = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!v) {
        send_error(rs, 400, "bad_json", "malformed JSON at line %d column %d: %s", je.line, je.column, je.text);
        return NULL;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        send_error(rs, 400, "bad_json", "a JSON object is expected");
        return NULL;
    }
    return v;
}

/* Optional string field: true when absent/null (*out NULL) or a string of
 * at most max bytes. */
static bool get_str(json_t *o, const char *k, size_t max, const char **out, um_api_response *rs) {
    json_t *v = json_object_get(o, k);
    *out = NULL;
    if (!v || json_is_null(v)) return true;
    if (!json_is_string(v) || json_string_length(v) > max || strlen(json_string_value(v)) != json_string_length(v)) {
        send_error(rs, 400, "bad_field", "%s must be a string of at most %zu bytes (no NUL)", k, max);
        return false;
    }
    *out = json_string_value(v);
    return true;
}

static bool get_list(json_t *o, const char *k, json_t **out, um_api_response *rs) {
    json_t *v = json_object_get(o, k);
    *out = NULL;
    if (!v || json_is_null(v)) return true;
    if (!json_is_array(v) || json_array_size(v) > UM_API_MAX_LIST) {
        send_error(rs, 400, "bad_field", "%s must be an array of at most %d strings", k, UM_API_MAX_LIST);
        return false;
    }
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) {
        if (!json_is_string(e) || json_string_length(e) > UM_API_MAX_VALUE ||
            strlen(json_string_value(e)) != json_string_length(e)) {
            send_error(rs, 400, "bad_field", "%s[%zu] must be a string of at most %d bytes", k, i, UM_API_MAX_VALUE);
            return false;
        }
    }
    *out = v;
    return true;
}

/* ---- /v1/screen ---- */

static json_t *match_json(const um_screen_match *m) {
    json_t *j = json_object();
    json_object_set_new(j, "list", um_json_str(m->list));
    json_object_set_new(j, "uid", um_json_str(m->uid));
    json_object_set_new(j, "entry_name", um_json_str(m->entry_name));
    json_object_set_new(j, "matched_name", um_json_str(m->matched_name));
    json_object_set_new(j, "alias_kind", um_json_str(m->alias_kind));
    json_object_set_new(j, "entry_type", um_json_str(m->entry_type));
    json_object_set_new(j, "score", json_real(m->score));
    json_object_set_new(j, "explanation", um_json_str(m->explanation));
    return j;
}

typedef struct screen_acc {
    json_t *ident_matches, *indicators, *links;
    bool sanctioned, any_hit;
    um_arena ar;
} screen_acc;

static void screen_ident(um_api *a, screen_acc *acc, const char *kind, const char *value) {
    if (!value || !*value) return;
    um_screen_result *r = NULL;
    if (um_screen_identifier(a->sc, kind, value, &r) == UM_OK && um_screen_result_count(r)) {
        json_t *o = json_object(), *arr = json_array();
        for (size_t i = 0; i < um_screen_result_count(r); i++)
            json_array_append_new(arr, match_json(um_screen_result_match(r, i)));
        json_object_set_new(o, "kind", json_string(kind));
        json_object_set_new(o, "value", um_json_str(value));
        json_object_set_new(o, "matches", arr);
        json_array_append_new(acc->ident_matches, o);
        acc->any_hit = true;
    }
    um_screen_result_free(r);
}

static void ioc_check(um_api *a, screen_acc *acc, const char *type, const char *canon) {
    if (!canon || !*canon) return;
    const um_ioc_hit *h = um_ioc_lookup(um_ctx_ioc(a->ctx), type, canon);
    if (!h) return;
    json_t *o = json_object();
    json_object_set_new(o, "indicator", json_string(h->sanctioned ? "IOC-01" : "IOC-02"));
    json_object_set_new(o, "kind", json_string(type));
    json_object_set_new(o, "value", um_json_str(h->value));
    json_object_set_new(o, "source", um_json_str(h->source));
    json_object_set_new(o, "note", um_json_str(h->note));
    json_object_set_new(o, "sanctioned", json_boolean(h->sanctioned));
    json_array_append_new(acc->indicators, o);
    acc->any_hit = true;
    acc->sanctioned |= h->sanctioned;
}

static void link_check(um_api *a, screen_acc *acc, const char *kind, const char *canon) {
    if (!canon || !*canon) return;
    char key[UM_API_MAX_VALUE + 64];
    int n = snprintf(key, sizeof key, "%s\x1f%s", kind, canon);
    if (n < 0 || (size_t)n >= sizeof key) return;
    const char *subs = um_map_get(&a->ident, key, (size_t)n);
    if (!subs) return;
    json_t *o = json_object();
    json_object_set_new(o, "kind", json_string(kind));
    json_object_set_new(o, "value", um_json_str(canon));
    json_t *s = json_loads(subs, 0, NULL);
    json_object_set_new(o, "subjects", s ? s : json_array());
    json_array_append_new(acc->links, o);
}

/* URL -> (ioc type, canonical handle or host). */
static void url_parts(um_arena *ar, const char *url, const char **type, const char **val) {
    *type = NULL;
    *val = NULL;
    char buf[UM_API_MAX_VALUE + 1];
    size_t k = 0;
    for (const char *p = url; *p && k < sizeof buf - 1; p++) buf[k++] = (char)um_ascii_tolower((unsigned char)*p);
    buf[k] = 0;
    char *s = buf;
    while (*s == ' ') s++;
    char *sch = strstr(s, "://");
    if (sch) s = sch + 3;
    if (strncmp(s, "www.", 4) == 0) s += 4;
    char *slash = strchr(s, '/');
    char *host = s, *path = slash ? slash + 1 : NULL;
    if (slash) *slash = 0;
    char *at = strchr(host, '@'); /* user@host */
    if (at) host = at + 1;
    host[strcspn(host, ":?#")] = 0;
    char seg[256] = "", seg2[256] = "";
    if (path) {
        size_t n1 = strcspn(path, "/?#");
        if (n1 < sizeof seg) { memcpy(seg, path, n1); seg[n1] = 0; }
        if (path[n1] == '/') {
            const char *p2 = path + n1 + 1;
            size_t n2 = strcspn(p2, "/?#");
            if (n2 < sizeof seg2) { memcpy(seg2, p2, n2); seg2[n2] = 0; }
        }
    }
    if (strcmp(host, "github.com") == 0 && *seg) { *type = "github"; *val = um_canon_handle(ar, seg); }
    else if (strcmp(host, "linkedin.com") == 0 && strcmp(seg, "in") == 0 && *seg2) {
        *type = "linkedin";
        *val = um_canon_handle(ar, seg2);
    } else if ((strcmp(host, "t.me") == 0 || strcmp(host, "telegram.me") == 0) && *seg) {
        *type = "telegram";
        *val = um_canon_handle(ar, seg);
    } else if ((strcmp(host, "x.com") == 0 || strcmp(host, "twitter.com") == 0) && *seg) {
        *type = "x_twitter";
        *val = um_canon_handle(ar, seg);
    } else if (strcmp(host, "npmjs.com") == 0 && strcmp(seg, "~") != 0 && seg[0] == '~') {
        *type = "npm_user";
        *val = um_canon_handle(ar, seg + 1);
    } else if (*host) {
        *type = "domain";
        *val = um_arena_strdup(ar, host);
    }
}

static void handle_screen(um_api *a, const um_api_request *rq, um_api_response *rs) {
    json_t *body = parse_body(a, rq, rs);
    if (!body) return;
    const char *name = NULL, *dob = NULL, *country = NULL;
    json_t *emails, *phones, *wallets, *urls;
    if (!get_str(body, "name", 1024, &name, rs) || !get_str(body, "dob", 32, &dob, rs) ||
        !get_str(body, "country", 64, &country, rs) || !get_list(body, "emails", &emails, rs) ||
        !get_list(body, "phones", &phones, rs) || !get_list(body, "wallets", &wallets, rs) ||
        !get_list(body, "urls", &urls, rs)) {
        json_decref(body);
        return;
    }
    if (!name || !*name) {
        json_decref(body);
        send_error(rs, 400, "bad_field", "name is required");
        return;
    }
    um_screen_query sq;
    memset(&sq, 0, sizeof sq);
    sq.name = name;
    sq.dob = dob && *dob ? dob : NULL;
    sq.country = country && *country ? country : NULL;
    sq.type = UM_SCREEN_PERSON;
    um_screen_result *nr = NULL;
    um_status st = um_screen_name(a->sc, &sq, &nr);
    if (st == UM_EINVAL) {
        um_screen_result_free(nr);
        json_decref(body);
        send_error(rs, 400, "bad_field", "name or dob not understood (dob: YYYY-MM-DD, YYYY-MM or YYYY)");
        return;
    }
    if (st != UM_OK) {
        um_screen_result_free(nr);
        json_decref(body);
        send_error(rs, 500, "internal", "screening failed: %s", um_status_str(st));
        return;
    }
    screen_acc acc = {json_array(), json_array(), json_array(), false, false, {0}};
    um_arena_init(&acc.ar);
    json_t *name_matches = json_array();
    for (size_t i = 0; i < um_screen_result_count(nr); i++)
        json_array_append_new(name_matches, match_json(um_screen_result_match(nr, i)));
    size_t i;
    json_t *e;
    json_array_foreach(emails, i, e) {
        const char *c = um_canon_email(&acc.ar, json_string_value(e));
        screen_ident(a, &acc, "email", json_string_value(e));
        ioc_check(a, &acc, "email", c);
        link_check(a, &acc, "email", c);
        link_check(a, &acc, "work_email", c);
        link_check(a, &acc, "git_email", c);
    }
    json_array_foreach(phones, i, e) {
        const char *c = um_canon_phone(&acc.ar, json_string_value(e));
        screen_ident(a, &acc, "phone", json_string_value(e));
        ioc_check(a, &acc, "phone", c);
        link_check(a, &acc, "phone", c);
    }
    json_array_foreach(wallets, i, e) {
        const char *c = um_canon_wallet(&acc.ar, json_string_value(e));
        screen_ident(a, &acc, "wallet", json_string_value(e));
        ioc_check(a, &acc, "wallet", c);
        link_check(a, &acc, "wallet", c);
        link_check(a, &acc, "payout_account", c);
    }
    json_array_foreach(urls, i, e) {
        const char *type, *val;
        url_parts(&acc.ar, json_string_value(e), &type, &val);
        if (!type || !val) continue;
        if (strcmp(type, "github") == 0 || strcmp(type, "telegram") == 0) screen_ident(a, &acc, type, val);
        ioc_check(a, &acc, type, val);
        if (strcmp(type, "github") == 0 || strcmp(type, "linkedin") == 0 || strcmp(type, "telegram") == 0)
            link_check(a, &acc, type, val);
    }
    size_t n_name = json_array_size(name_matches);
    const char *decision = acc.sanctioned ? "high"
                           : (n_name || acc.any_hit || json_array_size(acc.links)) ? "review"
                                                                                   : "clear";
    json_t *reasons = json_array();
    if (acc.sanctioned) json_array_append_new(reasons, json_string("an identifier is on a sanctions list (IOC-01)"));
    if (n_name)
        json_array_append_new(reasons, json_string("the name resembles a sanctions-list entry: a lead for a human "
                                                   "review, not evidence on its own"));
    if (json_array_size(acc.indicators) && !acc.sanctioned)
        json_array_append_new(reasons, json_string("an identifier matches a published IT-worker indicator (IOC-02)"));
    if (json_array_size(acc.ident_matches) && !json_array_size(acc.indicators))
        json_array_append_new(reasons, json_string("an identifier matches a screening list"));
    if (json_array_size(acc.links))
        json_array_append_new(reasons, json_string("an identifier is already held by people in the case"));
    json_t *o = json_object(), *scr = json_object(), *lk = json_object();
    json_object_set_new(o, "decision", json_string(decision));
    json_object_set_new(o, "reasons", reasons);
    json_object_set_new(scr, "query", um_json_str(um_screen_result_query(nr)));
    json_object_set_new(scr, "name_matches", name_matches);
    json_object_set_new(scr, "identifier_matches", acc.ident_matches);
    json_object_set_new(o, "screening", scr);
    json_object_set_new(o, "indicators", acc.indicators);
    json_object_set_new(lk, "verdict", json_string(json_array_size(acc.links) ? "linked" : "new"));
    json_object_set_new(lk, "matches", acc.links);
    json_object_set_new(o, "linkage", lk);
    um_screen_result_free(nr);
    um_arena_free(&acc.ar);
    json_decref(body);
    send_json(rs, 200, o);
}

/* ---- /v1/verdicts ---- */

static void handle_verdict_post(um_api *a, const um_api_request *rq, um_api_response *rs) {
    json_t *body = parse_body(a, rq, rs);
    if (!body) return;
    const char *kind, *t, *tb, *verdict, *who, *note;
    if (!get_str(body, "target_kind", 16, &kind, rs) || !get_str(body, "target", 200, &t, rs) ||
        !get_str(body, "target_b", 200, &tb, rs) || !get_str(body, "verdict", 32, &verdict, rs) ||
        !get_str(body, "who", 200, &who, rs) || !get_str(body, "note", 4000, &note, rs)) {
        json_decref(body);
        return;
    }
    if (!a->c->writable) {
        json_decref(body);
        send_error(rs, 403, "read_only", "the server was started with --read-only");
        return;
    }
    json_t *row = NULL;
    um_status st = um_case_verdict_add(a->c, kind, t, tb, verdict, who, note, &row);
    json_decref(body);
    if (st != UM_OK) {
        send_status(a, rs, st);
        return;
    }
    send_json(rs, 201, row);
}

/* ---- CSV export (formula cells neutralised) ---- */

static void handle_export(um_api *a, um_api_response *rs) {
    um_buf b;
    um_buf_init(&b);
    um_buf_adds(&b, "rank,id,level,score,display,verdict\r\n");
    pthread_mutex_lock(&a->c->mu);
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(a->c->db,
                           "SELECT s.rank, s.id, s.level, s.score, s.display, (SELECT verdict FROM verdicts v WHERE"
                           " v.target_kind = 'subject' AND v.target_a = s.id ORDER BY v.id DESC LIMIT 1)"
                           " FROM subjects s ORDER BY s.rank",
                           -1, &q, NULL) != SQLITE_OK &&
        sqlite3_prepare_v2(a->c->db, "SELECT rank, id, level, score, display, NULL FROM subjects ORDER BY rank", -1, &q,
                           NULL) != SQLITE_OK) {
        pthread_mutex_unlock(&a->c->mu);
        um_buf_free(&b);
        send_error(rs, 500, "internal", "case.db: %s", sqlite3_errmsg(a->c->db));
        return;
    }
    while (sqlite3_step(q) == SQLITE_ROW) {
        for (int i = 0; i < 6; i++) {
            if (i) um_buf_addc(&b, ',');
            const char *v = (const char *)sqlite3_column_text(q, i);
            um_csv_cell(&b, v ? v : "");
        }
        um_buf_adds(&b, "\r\n");
    }
    sqlite3_finalize(q);
    pthread_mutex_unlock(&a->c->mu);
    if (b.oom) {
        um_buf_free(&b);
        send_error(rs, 500, "internal", "out of memory");
        return;
    }
    rs->status = 200;
    rs->content_type = "text/csv; charset=utf-8";
    rs->body = b.s;
    rs->body_len = b.len;
}

/* ---- routing ---- */

static bool is(const char *a, const char *b) { return strcmp(a, b) == 0; }

/* "/v1/subjects/<id>": decoded id into out; false when not this prefix. */
static int path_id(const char *path, const char *prefix, char *out, size_t cap) {
    size_t n = strlen(prefix);
    if (strncmp(path, prefix, n) != 0 || !path[n]) return 0;
    const char *id = path + n;
    if (strchr(id, '/')) return -1;
    return pct_decode(id, strlen(id), out, cap, false) ? 1 : -1;
}

void um_api_handle(um_api *a, const um_api_request *rq, um_api_response *rs) {
    memset(rs, 0, sizeof *rs);
    const char *m = rq->method ? rq->method : "", *path = rq->path ? rq->path : "";
    bool get = is(m, "GET") || is(m, "HEAD"), post = is(m, "POST");
    if (strncmp(path, "/v1/", 4) != 0 && !is(path, "/v1")) {
        /* the UI: public static files, no case data in them */
        const um_web_asset_t *w = um_web_find(is(path, "/") ? "/index.html" : path);
        if (!w) {
            send_error(rs, 404, "not_found", "no such file");
            return;
        }
        if (!get) {
            send_error(rs, 405, "method_not_allowed", "use GET");
            return;
        }
        rs->status = 200;
        rs->content_type = w->type;
        rs->static_body = w->data;
        rs->body_len = w->len;
        rs->cacheable = 1;
        return;
    }
    /* every /v1 route: bearer token first */
    const char *auth = rq->authorization;
    const char *given = auth && um_starts_with_ci(auth, "Bearer ") ? auth + 7 : NULL;
    while (given && *given == ' ') given++;
    if (!um_token_equal(given, a->token)) {
        rs->www_authenticate = 1;
        send_error(rs, 401, "unauthorized", "missing or wrong bearer token (Authorization: Bearer <token>)");
        return;
    }
    qparams qp;
    if (!parse_query(rq->query, &qp)) {
        send_error(rs, 400, "bad_parameter", "malformed query string");
        return;
    }
    um_page pg;
    char id[256];
    int pid;
    json_t *out = NULL;
    um_status st;
    if (is(path, "/v1/screen")) {
        if (!post) send_error(rs, 405, "method_not_allowed", "use POST");
        else handle_screen(a, rq, rs);
        return;
    }
    if (is(path, "/v1/verdicts")) {
        if (post) handle_verdict_post(a, rq, rs);
        else if (!get) send_error(rs, 405, "method_not_allowed", "use GET or POST");
        else if (page_from(&qp, &pg, rs)) {
            st = um_case_verdicts(a->c, &pg, &out);
            if (st == UM_OK) send_json(rs, 200, out);
            else send_status(a, rs, st);
        }
        return;
    }
    if (!get) {
        send_error(rs, 405, "method_not_allowed", "use GET");
        return;
    }
    if (is(path, "/v1/summary")) {
        st = um_case_summary(a->c, &out);
    } else if (is(path, "/v1/subjects") || is(path, "/v1/clusters") || is(path, "/v1/findings") ||
               is(path, "/v1/rejects")) {
        if (!page_from(&qp, &pg, rs)) return;
        st = path[4] == 's' ? um_case_subjects(a->c, &pg, &out)
             : path[4] == 'c' ? um_case_clusters(a->c, &pg, &out)
             : path[4] == 'f' ? um_case_findings(a->c, &pg, &out)
                              : um_case_rejects(a->c, &pg, &out);
    } else if (is(path, "/v1/export/subjects.csv")) {
        handle_export(a, rs);
        return;
    } else if ((pid = path_id(path, "/v1/subjects/", id, sizeof id)) != 0) {
        if (pid < 0) {
            send_error(rs, 400, "bad_parameter", "malformed id");
            return;
        }
        st = um_case_subject(a->c, id, &out);
    } else if ((pid = path_id(path, "/v1/clusters/", id, sizeof id)) != 0) {
        if (pid < 0) {
            send_error(rs, 400, "bad_parameter", "malformed id");
            return;
        }
        st = um_case_cluster(a->c, id, &out);
    } else {
        send_error(rs, 404, "not_found", "no such route");
        return;
    }
    if (st == UM_OK) send_json(rs, 200, out);
    else send_status(a, rs, st);
}
