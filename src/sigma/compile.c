/*
 * compile.c - Sigma YAML (libfyaml) -> rules, tests and condition trees ->
 * per-logsource groups with vectorscan databases and exact-value hash sets.
 *
 * Scalars are resolved as YAML 1.1 (PyYAML, which pySigma uses) resolves
 * plain scalars; quoted scalars are always strings. Anything a rule uses
 * that this engine does not implement refuses the whole rule with the file,
 * the line and the feature.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <libfyaml.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hscache.h"
#include "sigma_int.h"
#include "../util/ascii.h"
#include "../util/cfmt.h"

#define SG_MAX_FILE (8u << 20)
#define SG_MAX_VALUE 8192
#define SG_MAX_DEPTH 64
#define SG_MAX_FIELD 256

typedef struct sg_pending_corr {
    uint32_t rule;
    const char **refs;
    size_t nrefs;
    const char **group;
    size_t ngroup;
    /* aliases: alias name -> (rule name -> field) */
    const char **al_name, **al_rule, **al_field;
    size_t nal;
    const char *value_field;
    bool generate;
} sg_pending_corr;

struct um_sigma_compiler {
    um_sigma_db *db;
    um_arena arena; /* refusal strings */
    um_sigma_refusal *ref;
    size_t nref, capref;
    size_t caprules, captests, capnodes, capkids, capnets;
    sg_pending_corr *pc;
    size_t npc, cappc;
    char err[512];
    /* current rule */
    const char *file;
    const char *rule_name;
    uint32_t rule;
    bool failed;
    /* identifiers of the current detection */
    const char **idn;
    uint32_t *idnode;
    size_t nid, capid;
    /* the compiled-database cache (hscache.h) */
    char *cache_dir;
    sg_hscache *hc; /* during um_sigma_compile */
    um_sigma_cache_stats cst;
};

/* ---- small helpers ---------------------------------------------------- */

static void refuse(um_sigma_compiler *c, uint32_t line, const char *fmt, ...) UM_PRINTF(3, 4);
static void refuse(um_sigma_compiler *c, uint32_t line, const char *fmt, ...) {
    if (c->failed) return; /* the first reason is the one reported */
    c->failed = true;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    um_vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!um_grow((void **)&c->ref, &c->capref, c->nref + 1, sizeof *c->ref)) return;
    um_sigma_refusal *r = &c->ref[c->nref++];
    r->file = um_arena_strdup(&c->arena, c->file ? c->file : "?");
    r->line = line;
    r->rule = c->rule_name ? um_arena_strdup(&c->arena, c->rule_name) : NULL;
    r->message = um_arena_strdup(&c->arena, msg);
}

static uint32_t node_line(struct fy_node *n) {
    for (int depth = 0; n && depth < SG_MAX_DEPTH; depth++) {
        if (fy_node_is_scalar(n) || fy_node_is_alias(n)) {
            struct fy_token *t = fy_node_get_scalar_token(n);
            const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
            return m ? (uint32_t)m->line + 1 : 0;
        }
        if (fy_node_is_mapping(n)) {
            struct fy_node_pair *p = fy_node_mapping_get_by_index(n, 0);
            n = p ? fy_node_pair_key(p) : NULL;
        } else if (fy_node_is_sequence(n)) {
            n = fy_node_sequence_get_by_index(n, 0);
        } else {
            return 0;
        }
    }
    return 0;
}

/* YAML 1.1 scalar resolution (plain scalars only). */
enum { SV_STR, SV_INT, SV_FLOAT, SV_BOOL, SV_NULL };
typedef struct sval {
    int type;
    const char *s; /* text as written */
    size_t len;
    bool b;
    long long i;
    char num[32]; /* canonical text of an int */
} sval;

static bool all_in(const char *s, size_t n, const char *set) {
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] != '_' && !strchr(set, s[i])) return false;
    return true;
}

static bool parse_int11(const char *s, size_t n, long long *out) {
    char buf[80];
    if (n == 0 || n >= sizeof buf) return false;
    size_t o = 0;
    bool neg = false;
    size_t i = 0;
    if (s[0] == '-' || s[0] == '+') {
        neg = s[0] == '-';
        i = 1;
    }
    const char *p = s + i;
    size_t m = n - i;
    int base = 10;
    if (m > 2 && p[0] == '0' && (p[1] == 'b')) {
        if (!all_in(p + 2, m - 2, "01")) return false;
        base = 2, p += 2, m -= 2;
    } else if (m > 2 && p[0] == '0' && p[1] == 'x') {
        if (!all_in(p + 2, m - 2, "0123456789abcdefABCDEF")) return false;
        base = 16, p += 2, m -= 2;
    } else if (m > 1 && p[0] == '0') {
        if (!all_in(p + 1, m - 1, "01234567")) return false;
        base = 8, p += 1, m -= 1;
    } else if (m == 1 && p[0] == '0') {
        base = 10;
    } else {
        if (!(p[0] >= '1' && p[0] <= '9') || !all_in(p, m, "0123456789")) return false;
    }
    for (size_t k = 0; k < m; k++)
        if (p[k] != '_') buf[o++] = p[k];
    buf[o] = 0;
    errno = 0;
    char *end;
    long long v = strtoll(buf, &end, base);
    if (errno || *end) return false;
    *out = neg ? -v : v;
    return true;
}

static bool is_float11(const char *s, size_t n) {
    /* [-+]?([0-9][0-9_]*)?\.[0-9.]*([eE][-+][0-9]+)?  | [-+]?\.(inf|Inf|INF) | \.(nan|NaN|NAN) */
    size_t i = 0;
    if (i < n && (s[i] == '-' || s[i] == '+')) i++;
    if (n - i == 4 && s[i] == '.' && (!memcmp(s + i + 1, "inf", 3) || !memcmp(s + i + 1, "Inf", 3) ||
                                      !memcmp(s + i + 1, "INF", 3)))
        return true;
    if (n == 4 && s[0] == '.' &&
        (!memcmp(s + 1, "nan", 3) || !memcmp(s + 1, "NaN", 3) || !memcmp(s + 1, "NAN", 3)))
        return true;
    size_t digits = 0;
    while (i < n && (um_ascii_isdigit((unsigned char)s[i]) || (s[i] == '_' && digits))) i++, digits++;
    if (i >= n || s[i] != '.') return false;
    i++;
    while (i < n && (um_ascii_isdigit((unsigned char)s[i]) || s[i] == '_' || s[i] == '.')) i++;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i >= n || (s[i] != '-' && s[i] != '+')) return false;
        i++;
        size_t e = i;
        while (i < n && um_ascii_isdigit((unsigned char)s[i])) i++;
        if (i == e) return false;
    }
    return i == n;
}

static bool eqs(const char *s, size_t n, const char *w) { return strlen(w) == n && !memcmp(s, w, n); }

static void resolve_scalar(struct fy_node *n, sval *v) {
    memset(v, 0, sizeof *v);
    size_t len = 0;
    const char *s = fy_node_get_scalar(n, &len);
    if (!s) s = "", len = 0;
    v->s = s;
    v->len = len;
    v->type = SV_STR;
    if (fy_node_get_style(n) != FYNS_PLAIN) return;
    if (len == 0 || eqs(s, len, "~") || eqs(s, len, "null") || eqs(s, len, "Null") || eqs(s, len, "NULL")) {
        v->type = SV_NULL;
        return;
    }
    static const char *const yes[] = {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"};
    static const char *const no[] = {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"};
    for (size_t i = 0; i < UM_ARRAY_LEN(yes); i++)
        if (eqs(s, len, yes[i])) {
            v->type = SV_BOOL;
            v->b = true;
            return;
        }
    for (size_t i = 0; i < UM_ARRAY_LEN(no); i++)
        if (eqs(s, len, no[i])) {
            v->type = SV_BOOL;
            v->b = false;
            return;
        }
    if (parse_int11(s, len, &v->i)) {
        v->type = SV_INT;
        snprintf(v->num, sizeof v->num, "%lld", v->i);
        return;
    }
    if (is_float11(s, len)) v->type = SV_FLOAT;
}

/* Text a value matches as (ints as decimal, bools as true/false). */
static const char *sval_text(const sval *v, size_t *len) {
    switch (v->type) {
    case SV_INT: *len = strlen(v->num); return v->num;
    case SV_BOOL: *len = v->b ? 4 : 5; return v->b ? "true" : "false";
    default: *len = v->len; return v->s;
    }
}

static char *scalar_dup(um_sigma_compiler *c, struct fy_node *n) {
    if (!n || !fy_node_is_scalar(n)) return NULL;
    size_t len;
    const char *s = fy_node_get_scalar(n, &len);
    return s ? um_arena_strndup(&c->db->arena, s, len) : NULL;
}

/* ---- fields ----------------------------------------------------------- */

size_t sg_canon_field(const char *name, size_t n, char *buf, size_t cap) {
    static const char *const prefixes[] = {"winlog.event_data.", "winlog.user_data.", "winlog.",
                                           "event_data.", "eventdata.", "event.system."};
    for (size_t i = 0; i < UM_ARRAY_LEN(prefixes); i++) {
        size_t pl = strlen(prefixes[i]);
        if (n > pl && um_strneq_ci(name, pl, prefixes[i])) {
            name += pl;
            n -= pl;
            break;
        }
    }
    size_t o = 0; /* lower case, spaces dropped ("Threat Name" is ThreatName) */
    for (size_t i = 0; i < n && o + 1 < cap; i++)
        if (name[i] != ' ') buf[o++] = (char)um_ascii_tolower((unsigned char)name[i]);
    buf[o] = 0;
    n = o;
    static const char *const alias[][2] = {
        {"provider", "provider_name"},
        {"computer_name", "computer"},   {"hostname", "computer"},
        {"event_id", "eventid"},         {"record_id", "eventrecordid"},
        {"recordnumber", "eventrecordid"}, {"channel", "channel"},
    };
    for (size_t i = 0; i < UM_ARRAY_LEN(alias); i++)
        if (!strcmp(buf, alias[i][0])) {
            size_t l = strlen(alias[i][1]);
            if (l < cap) {
                memcpy(buf, alias[i][1], l + 1);
                n = l;
            }
            break;
        }
    return n;
}

int sg_slot_find(const um_sigma_db *db, const char *lname, size_t n) {
    void *v = um_map_get(&db->slots, lname, n);
    return v ? (int)((uintptr_t)v - 1) : -1;
}

static int32_t slot_of(um_sigma_compiler *c, const char *name, size_t n) {
    char buf[SG_MAX_FIELD + 1];
    if (n == 0 || n > SG_MAX_FIELD) return -1;
    size_t l = sg_canon_field(name, n, buf, sizeof buf);
    bool created;
    um_map_slot *s = um_map_upsert(&c->db->slots, buf, l, &created);
    if (!s) return -1;
    if (created) {
        size_t cap = c->db->nslots; /* grow by doubling via um_grow on a local cap */
        static size_t dummy;
        (void)dummy;
        const char **names = um_realloc(c->db->slot_names, (cap + 1) * sizeof *names);
        if (!names) return -1;
        c->db->slot_names = names;
        names[cap] = um_arena_strndup(&c->db->arena, name, n);
        s->val = (void *)(uintptr_t)(cap + 1);
        c->db->nslots++;
    }
    return (int32_t)((uintptr_t)s->val - 1);
}

/* ---- tests and nodes -------------------------------------------------- */

static sg_test *new_test(um_sigma_compiler *c, int kind, int32_t slot, uint32_t *id) {
    um_sigma_db *db = c->db;
    if (!um_grow((void **)&db->tests, &c->captests, db->ntests + 1, sizeof *db->tests)) return NULL;
    sg_test *t = &db->tests[db->ntests];
    memset(t, 0, sizeof *t);
    t->rule = c->rule;
    t->slot = slot;
    t->kind = (uint8_t)kind;
    *id = (uint32_t)db->ntests++;
    return t;
}

#define NO_NODE UINT32_MAX

static uint32_t new_node(um_sigma_compiler *c, int op, uint32_t a, uint32_t n) {
    um_sigma_db *db = c->db;
    if (!um_grow((void **)&db->nodes, &c->capnodes, db->nnodes + 1, sizeof *db->nodes)) return NO_NODE;
    db->nodes[db->nnodes] = (sg_node){(uint8_t)op, a, n};
    return (uint32_t)db->nnodes++;
}

static uint32_t test_node(um_sigma_compiler *c, uint32_t test) { return new_node(c, N_TEST, test, 0); }

/* AND/OR over kids[]: a single kid is returned as is. */
static uint32_t list_node(um_sigma_compiler *c, int op, const uint32_t *kids, size_t n) {
    if (n == 1) return kids[0];
    um_sigma_db *db = c->db;
    if (!um_grow((void **)&db->kids, &c->capkids, db->nkids + n, sizeof *db->kids)) return NO_NODE;
    uint32_t first = (uint32_t)db->nkids;
    memcpy(db->kids + db->nkids, kids, n * sizeof *kids);
    db->nkids += n;
    return new_node(c, op, first, (uint32_t)n);
}

typedef struct idlist {
    uint32_t *v;
    size_t n, cap;
} idlist;

static bool idl_push(idlist *l, uint32_t x) {
    if (!um_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v)) return false;
    l->v[l->n++] = x;
    return true;
}

/* ---- value -> pattern ------------------------------------------------- */

enum { M_EXACT, M_CONTAINS, M_START, M_END };

typedef struct mods {
    int match;
    bool all, re, cidr, windash, cased, fieldref, exists, b64, b64off;
    int cmp; /* -1 none */
    int enc; /* 0 none, 1 utf16le, 2 utf16be, 3 utf16 */
    bool re_i, re_m, re_s;
} mods;

static bool is_word(unsigned char ch) { return um_ascii_isalnum(ch) || ch == '_'; }

static void add_lit(um_buf *b, unsigned char ch) {
    if (um_ascii_isalnum(ch)) {
        um_buf_addc(b, (char)ch);
    } else {
        char h[8];
        snprintf(h, sizeof h, "\\x%02x", ch);
        um_buf_adds(b, h);
    }
}

/* Sigma string (with * ? and \ escapes) -> regex body in b. Returns the
 * number of wildcards; *only_stars when the value is wildcards '*' only. */
static size_t sigma_to_regex(const char *s, size_t n, bool windash, um_buf *b, bool *only_stars,
                             bool *has_dash) {
    size_t wild = 0;
    *only_stars = n > 0;
    *has_dash = false;
    /* decode escapes first: kind per byte: 0 literal, 1 star, 2 question */
    int prev_word = 0; /* previous char was a word char (for windash \B[-/]\b) */
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        int kind = 0;
        if (ch == '\\') {
            if (i + 1 < n && (s[i + 1] == '*' || s[i + 1] == '?' || s[i + 1] == '\\')) {
                ch = (unsigned char)s[++i];
            }
        } else if (ch == '*') {
            kind = 1;
        } else if (ch == '?') {
            kind = 2;
        }
        if (kind != 1) *only_stars = false;
        if (kind == 1) {
            um_buf_adds(b, ".*");
            wild++;
            prev_word = 0;
            continue;
        }
        if (kind == 2) {
            um_buf_addc(b, '.');
            wild++;
            prev_word = 0;
            continue;
        }
        if (windash && (ch == '-' || ch == '/') && !prev_word && i + 1 < n &&
            is_word((unsigned char)s[i + 1])) {
            um_buf_adds(b, "(?:[\\-/]|\\xe2\\x80[\\x93-\\x95])");
            *has_dash = true;
            prev_word = 0;
            continue;
        }
        add_lit(b, ch);
        prev_word = is_word(ch);
    }
    return wild;
}

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void b64enc(const unsigned char *p, size_t n, um_buf *out) {
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < n) v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < n) v |= p[i + 2];
        um_buf_addc(out, b64chars[(v >> 18) & 63]);
        um_buf_addc(out, b64chars[(v >> 12) & 63]);
        um_buf_addc(out, i + 1 < n ? b64chars[(v >> 6) & 63] : '=');
        um_buf_addc(out, i + 2 < n ? b64chars[v & 63] : '=');
    }
}

/* UTF-8 -> UTF-16 bytes (BMP; other code points as surrogate pairs). */
static bool encode16(const char *s, size_t n, int enc, um_buf *out) {
    if (enc == 3) {
        um_buf_addc(out, (char)0xff);
        um_buf_addc(out, (char)0xfe);
    }
    for (size_t i = 0; i < n;) {
        unsigned char c0 = (unsigned char)s[i];
        uint32_t cp;
        size_t l;
        if (c0 < 0x80) cp = c0, l = 1;
        else if ((c0 & 0xe0) == 0xc0 && i + 1 < n) cp = ((c0 & 0x1fu) << 6) | (s[i + 1] & 0x3f), l = 2;
        else if ((c0 & 0xf0) == 0xe0 && i + 2 < n)
            cp = ((c0 & 0x0fu) << 12) | ((s[i + 1] & 0x3fu) << 6) | (s[i + 2] & 0x3f), l = 3;
        else if ((c0 & 0xf8) == 0xf0 && i + 3 < n)
            cp = ((c0 & 0x07u) << 18) | ((s[i + 1] & 0x3fu) << 12) | ((s[i + 2] & 0x3fu) << 6) |
                 (s[i + 3] & 0x3f),
            l = 4;
        else return false;
        i += l;
        uint16_t u[2];
        int k = 1;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            u[0] = (uint16_t)(0xd800 + (cp >> 10));
            u[1] = (uint16_t)(0xdc00 + (cp & 0x3ff));
            k = 2;
        } else {
            u[0] = (uint16_t)cp;
        }
        for (int j = 0; j < k; j++) {
            if (enc == 2) {
                um_buf_addc(out, (char)(u[j] >> 8));
                um_buf_addc(out, (char)(u[j] & 0xff));
            } else {
                um_buf_addc(out, (char)(u[j] & 0xff));
                um_buf_addc(out, (char)(u[j] >> 8));
            }
        }
    }
    return true;
}

static bool parse_net(const char *s, size_t n, sg_net *net) {
    char buf[64];
    if (n >= sizeof buf) return false;
    memcpy(buf, s, n);
    buf[n] = 0;
    char *slash = strchr(buf, '/');
    long bits = -1;
    if (slash) {
        *slash = 0;
        char *end;
        bits = strtol(slash + 1, &end, 10);
        if (*end || end == slash + 1) return false;
    }
    memset(net, 0, sizeof *net);
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, buf, &a4) == 1) {
        if (bits < 0) bits = 32;
        if (bits > 32) return false;
        net->addr[10] = net->addr[11] = 0xff;
        memcpy(net->addr + 12, &a4, 4);
        net->bits = (uint8_t)(bits + 96);
        return true;
    }
    if (inet_pton(AF_INET6, buf, &a6) == 1) {
        if (bits < 0) bits = 128;
        if (bits > 128) return false;
        memcpy(net->addr, &a6, 16);
        net->bits = (uint8_t)bits;
        return true;
    }
    return false;
}

static const char *arena_buf(um_sigma_compiler *c, um_buf *b) {
    return um_arena_strndup(&c->db->arena, b->s ? b->s : "", b->len);
}

/* Creates the test(s) for one value; returns a node. */
static uint32_t value_node(um_sigma_compiler *c, int32_t slot, const char *field, const mods *m,
                           struct fy_node *vn) {
    uint32_t line = node_line(vn);
    sval v;
    if (!fy_node_is_scalar(vn)) {
        refuse(c, line, "a value of field '%s' is a %s, not a scalar", field,
               fy_node_is_mapping(vn) ? "mapping" : "sequence");
        return NO_NODE;
    }
    resolve_scalar(vn, &v);
    uint32_t tid;
    sg_test *t;
    if (m->exists) {
        if (v.type != SV_BOOL) {
            refuse(c, line, "'|exists' needs true or false, got '%.*s'", (int)v.len, v.s);
            return NO_NODE;
        }
        if (!(t = new_test(c, TK_EXISTS, slot, &tid))) return NO_NODE;
        t->u.want = v.b;
        return test_node(c, tid);
    }
    if (v.type == SV_NULL) {
        if (!(t = new_test(c, TK_NULL, slot, &tid))) return NO_NODE;
        return test_node(c, tid);
    }
    size_t tl;
    const char *text = sval_text(&v, &tl);
    if (tl > SG_MAX_VALUE) {
        refuse(c, line, "value longer than %u bytes", SG_MAX_VALUE);
        return NO_NODE;
    }
    if (m->cmp >= 0) {
        char buf[64];
        char *end;
        if (tl == 0 || tl >= sizeof buf) goto badnum;
        memcpy(buf, text, tl);
        buf[tl] = 0;
        double d = um_strtod(buf, &end);
        if (*end || !isfinite(d)) goto badnum;
        if (!(t = new_test(c, TK_NUM, slot, &tid))) return NO_NODE;
        t->u.num.op = m->cmp;
        t->u.num.v = d;
        return test_node(c, tid);
    badnum:
        refuse(c, line, "'|gt/gte/lt/lte' needs a number, got '%.*s'", (int)tl, text);
        return NO_NODE;
    }
    if (m->cidr) {
        sg_net net;
        if (!parse_net(text, tl, &net)) {
            refuse(c, line, "'|cidr' value '%.*s' is not an IPv4/IPv6 network", (int)tl, text);
            return NO_NODE;
        }
        um_sigma_db *db = c->db;
        if (!um_grow((void **)&db->nets, &c->capnets, db->nnets + 1, sizeof *db->nets)) return NO_NODE;
        db->nets[db->nnets] = net;
        if (!(t = new_test(c, TK_CIDR, slot, &tid))) return NO_NODE;
        t->u.cidr.first = (uint32_t)db->nnets++;
        t->u.cidr.n = 1;
        return test_node(c, tid);
    }
    if (m->fieldref) {
        int32_t other = slot_of(c, text, tl);
        if (other < 0) {
            refuse(c, line, "'|fieldref' names no usable field");
            return NO_NODE;
        }
        if (!(t = new_test(c, TK_FIELDREF, slot, &tid))) return NO_NODE;
        t->u.ref.other = other;
        t->u.ref.mode = m->match == M_CONTAINS ? REF_CONTAINS
                        : m->match == M_START  ? REF_START
                        : m->match == M_END    ? REF_END
                                               : REF_EQ;
        t->cased = m->cased;
        return test_node(c, tid);
    }
    if (m->re) {
        unsigned fl = HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY;
        if (m->re_i) fl |= HS_FLAG_CASELESS;
        if (m->re_m) fl |= HS_FLAG_MULTILINE;
        if (m->re_s) fl |= HS_FLAG_DOTALL;
        char *expr = um_arena_strndup(&c->db->arena, text, tl);
        if (!expr || strlen(expr) != tl) {
            refuse(c, line, "regex holds a NUL byte");
            return NO_NODE;
        }
        hs_database_t *probe = NULL;
        hs_compile_error_t *err = NULL;
        if (hs_compile(expr, fl, HS_MODE_BLOCK, NULL, &probe, &err) == HS_SUCCESS) {
            hs_free_database(probe);
            if (!(t = new_test(c, slot < 0 ? TK_KEYWORD : TK_PAT, slot, &tid))) return NO_NODE;
            t->expr = expr;
            t->exprlen = tl;
            t->hsflags = fl;
            return test_node(c, tid);
        }
        hs_free_compile_error(err);
        if (slot < 0) {
            refuse(c, line, "keyword regex not supported by vectorscan");
            return NO_NODE;
        }
        /* PCRE2 fallback (backreferences, lookbehind ...) */
        uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
        if (m->re_i) opts |= PCRE2_CASELESS;
        if (m->re_m) opts |= PCRE2_MULTILINE;
        if (m->re_s) opts |= PCRE2_DOTALL;
        int ec;
        PCRE2_SIZE eo;
        pcre2_code *re = pcre2_compile((PCRE2_SPTR)expr, tl, opts, &ec, &eo, NULL);
        if (!re) {
            PCRE2_UCHAR msg[160];
            pcre2_get_error_message(ec, msg, sizeof msg);
            refuse(c, line, "regex does not compile at offset %zu: %s", (size_t)eo, (char *)msg);
            return NO_NODE;
        }
        pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
        if (!(t = new_test(c, TK_PCRE, slot, &tid))) {
            pcre2_code_free(re);
            return NO_NODE;
        }
        t->u.re = re;
        return test_node(c, tid);
    }
    /* strings: encodings and base64 produce literal variants */
    idlist kids = {0};
    uint32_t out = NO_NODE;
    um_buf enc, b64, rx;
    um_buf_init(&enc);
    um_buf_init(&b64);
    um_buf_init(&rx);
    const char *variants[3];
    size_t vlen[3];
    size_t nvar = 1;
    variants[0] = text;
    vlen[0] = tl;
    bool literal = false; /* wildcards no longer apply */
    if (m->enc && !(m->b64 || m->b64off)) {
        refuse(c, line, "'|wide'/'|utf16*' without '|base64' or '|base64offset'");
        goto done;
    }
    if (m->b64 || m->b64off) {
        for (size_t i = 0; i < tl; i++)
            if (text[i] == '*' || text[i] == '?') {
                refuse(c, line, "'|base64*' of a value with wildcards");
                goto done;
            }
        const char *src = text;
        size_t sl = tl;
        if (m->enc) {
            if (!encode16(text, tl, m->enc, &enc)) {
                refuse(c, line, "value is not valid UTF-8 for '|utf16'");
                goto done;
            }
            src = enc.s;
            sl = enc.len;
        }
        literal = true;
        if (m->b64) {
            b64enc((const unsigned char *)src, sl, &b64);
            variants[0] = arena_buf(c, &b64);
            vlen[0] = b64.len;
        } else {
            static const size_t start[3] = {0, 2, 3};
            static const size_t cut[3] = {0, 3, 2};
            nvar = 0;
            for (size_t i = 0; i < 3; i++) {
                um_buf_reset(&b64);
                um_buf_reset(&rx);
                for (size_t k = 0; k < i; k++) um_buf_addc(&rx, ' ');
                um_buf_add(&rx, src, sl);
                b64enc((const unsigned char *)rx.s, rx.len, &b64);
                size_t e = b64.len - cut[(sl + i) % 3];
                if (e <= start[i]) continue;
                variants[nvar] = um_arena_strndup(&c->db->arena, b64.s + start[i], e - start[i]);
                vlen[nvar++] = e - start[i];
            }
            um_buf_reset(&rx);
        }
    }
    for (size_t vi = 0; vi < nvar; vi++) {
        const char *s = variants[vi];
        size_t sl = vlen[vi];
        um_buf_reset(&rx);
        bool only_stars = false, has_dash = false;
        size_t wild;
        if (literal) {
            for (size_t i = 0; i < sl; i++) add_lit(&rx, (unsigned char)s[i]);
            wild = 0;
        } else {
            wild = sigma_to_regex(s, sl, m->windash, &rx, &only_stars, &has_dash);
        }
        if (rx.oom) goto done;
        int kind;
        if (only_stars || (sl == 0 && m->match != M_EXACT)) {
            kind = TK_ANY;
        } else if (m->match == M_EXACT && wild == 0 && !has_dash && !m->cased) {
            kind = TK_EXACT;
        } else {
            kind = slot < 0 ? TK_KEYWORD : TK_PAT;
        }
        if (slot < 0 && kind != TK_KEYWORD) {
            if (kind == TK_ANY) {
                refuse(c, line, "keyword '*' matches every event");
                goto done;
            }
            kind = TK_KEYWORD;
        }
        if (!(t = new_test(c, kind, slot, &tid))) goto done;
        t->cased = m->cased;
        if (kind == TK_EXACT) {
            char *low = um_arena_strndup(&c->db->arena, "", 0);
            um_buf_reset(&enc);
            /* decode escapes: the exact value is the unescaped text */
            for (size_t i = 0; i < sl; i++) {
                char ch = s[i];
                if (!literal && ch == '\\' && i + 1 < sl && (s[i + 1] == '*' || s[i + 1] == '?' || s[i + 1] == '\\'))
                    ch = s[++i];
                um_buf_addc(&enc, ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch); /* ASCII, as match.c */
            }
            low = um_arena_strndup(&c->db->arena, enc.s ? enc.s : "", enc.len);
            t->expr = low;
            t->exprlen = enc.len;
        } else if (kind != TK_ANY) {
            um_buf body;
            um_buf_init(&body);
            /* keywords: a plain value means "contains" (full-text search) */
            int match = m->match;
            if (slot < 0 && match == M_EXACT) match = M_CONTAINS;
            if (match == M_EXACT || match == M_START) um_buf_adds(&body, "\\A");
            um_buf_add(&body, rx.s ? rx.s : "", rx.len);
            if (match == M_EXACT || match == M_END) um_buf_adds(&body, "\\z");
            t = &c->db->tests[tid];
            t->expr = arena_buf(c, &body);
            t->exprlen = body.len;
            t->hsflags = HS_FLAG_SINGLEMATCH | HS_FLAG_DOTALL | (m->cased ? 0 : HS_FLAG_CASELESS);
            um_buf_free(&body);
        }
        uint32_t nd = test_node(c, tid);
        if (nd == NO_NODE || !idl_push(&kids, nd)) goto done;
    }
    out = kids.n ? list_node(c, N_OR, kids.v, kids.n) : new_node(c, N_CONST, 0, 0);
done:
    um_free(kids.v);
    um_buf_free(&enc);
    um_buf_free(&b64);
    um_buf_free(&rx);
    return out;
}

static bool parse_mods(um_sigma_compiler *c, const char *key, size_t klen, uint32_t line, mods *m,
                       size_t *fieldlen) {
    memset(m, 0, sizeof *m);
    m->cmp = -1;
    const char *bar = memchr(key, '|', klen);
    *fieldlen = bar ? (size_t)(bar - key) : klen;
    if (!bar) return true;
    const char *p = bar + 1, *end = key + klen;
    while (p <= end) {
        const char *q = memchr(p, '|', (size_t)(end - p));
        if (!q) q = end;
        size_t n = (size_t)(q - p);
        char mod[32];
        if (n == 0 || n >= sizeof mod) {
            refuse(c, line, "empty or over-long modifier in '%.*s'", (int)klen, key);
            return false;
        }
        memcpy(mod, p, n);
        mod[n] = 0;
        if (!strcmp(mod, "contains")) m->match = M_CONTAINS;
        else if (!strcmp(mod, "startswith")) m->match = M_START;
        else if (!strcmp(mod, "endswith")) m->match = M_END;
        else if (!strcmp(mod, "all")) m->all = true;
        else if (!strcmp(mod, "re")) m->re = true;
        else if (!strcmp(mod, "i") && m->re) m->re_i = true;
        else if (!strcmp(mod, "m") && m->re) m->re_m = true;
        else if (!strcmp(mod, "s") && m->re) m->re_s = true;
        else if (!strcmp(mod, "cidr")) m->cidr = true;
        else if (!strcmp(mod, "windash")) m->windash = true;
        else if (!strcmp(mod, "cased")) m->cased = true;
        else if (!strcmp(mod, "fieldref")) m->fieldref = true;
        else if (!strcmp(mod, "exists")) m->exists = true;
        else if (!strcmp(mod, "base64")) m->b64 = true;
        else if (!strcmp(mod, "base64offset")) m->b64off = true;
        else if (!strcmp(mod, "wide") || !strcmp(mod, "utf16le")) m->enc = 1;
        else if (!strcmp(mod, "utf16be")) m->enc = 2;
        else if (!strcmp(mod, "utf16")) m->enc = 3;
        else if (!strcmp(mod, "gt")) m->cmp = CMP_GT;
        else if (!strcmp(mod, "gte")) m->cmp = CMP_GTE;
        else if (!strcmp(mod, "lt")) m->cmp = CMP_LT;
        else if (!strcmp(mod, "lte")) m->cmp = CMP_LTE;
        else {
            refuse(c, line, "modifier '|%s' is not supported", mod);
            return false;
        }
        p = q + 1;
    }
    int kinds = m->re + m->cidr + m->fieldref + m->exists + (m->cmp >= 0) + (m->b64 || m->b64off);
    if (kinds > 1 || (m->b64 && m->b64off) || (m->windash && (m->b64 || m->b64off || m->re)) ||
        (m->re && m->match != M_EXACT) || (m->cidr && m->match != M_EXACT)) {
        refuse(c, line, "modifier combination '%.*s' is not supported", (int)klen, key);
        return false;
    }
    if (m->b64off && m->match != M_CONTAINS) {
        refuse(c, line, "'|base64offset' without '|contains' is not supported");
        return false;
    }
    return true;
}

/* field|mods: value(s) */
static uint32_t item_node(um_sigma_compiler *c, struct fy_node *kn, struct fy_node *vn) {
    size_t klen;
    const char *key = fy_node_is_scalar(kn) ? fy_node_get_scalar(kn, &klen) : NULL;
    uint32_t line = node_line(kn);
    if (!key) {
        refuse(c, line, "detection key is not a scalar");
        return NO_NODE;
    }
    mods m;
    size_t fl;
    if (!parse_mods(c, key, klen, line, &m, &fl)) return NO_NODE;
    int32_t slot = -1;
    char field[SG_MAX_FIELD + 1];
    if (fl == 0) { /* '|all': [...] - keywords with modifiers */
        if (m.re || m.cidr || m.fieldref || m.exists || m.cmp >= 0) {
            refuse(c, line, "keyword item '%.*s' with a field-only modifier is not supported", (int)klen, key);
            return NO_NODE;
        }
        memcpy(field, "keywords", 9);
        slot = -1;
    } else if (fl > SG_MAX_FIELD) {
        refuse(c, line, "field name longer than %d bytes", SG_MAX_FIELD);
        return NO_NODE;
    } else {
        memcpy(field, key, fl);
        field[fl] = 0;
        slot = slot_of(c, key, fl);
        if (slot < 0) return NO_NODE;
    }
    idlist kids = {0};
    uint32_t out = NO_NODE;
    if (vn && fy_node_is_sequence(vn)) {
        void *it = NULL;
        struct fy_node *e;
        while ((e = fy_node_sequence_iterate(vn, &it))) {
            uint32_t nd = value_node(c, slot, field, &m, e);
            if (nd == NO_NODE || !idl_push(&kids, nd)) goto done;
        }
        if (kids.n == 0) {
            refuse(c, line, "empty value list for '%s'", field);
            goto done;
        }
        out = list_node(c, m.all ? N_AND : N_OR, kids.v, kids.n);
    } else if (vn && fy_node_is_mapping(vn)) {
        refuse(c, line, "value of '%s' is a mapping", field);
    } else if (vn) {
        out = value_node(c, slot, field, &m, vn);
    } else {
        uint32_t tid;
        sg_test *t = new_test(c, TK_NULL, slot, &tid);
        if (t) out = test_node(c, tid);
    }
done:
    um_free(kids.v);
    return out;
}

static uint32_t map_node(um_sigma_compiler *c, struct fy_node *map) {
    idlist kids = {0};
    uint32_t out = NO_NODE;
    void *it = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(map, &it))) {
        uint32_t nd = item_node(c, fy_node_pair_key(p), fy_node_pair_value(p));
        if (nd == NO_NODE || !idl_push(&kids, nd)) goto done;
    }
    if (!kids.n) {
        refuse(c, node_line(map), "empty detection mapping");
        goto done;
    }
    out = list_node(c, N_AND, kids.v, kids.n);
done:
    um_free(kids.v);
    return out;
}

static uint32_t ident_node(um_sigma_compiler *c, struct fy_node *v, uint32_t line) {
    if (!v) {
        refuse(c, line, "empty detection identifier");
        return NO_NODE;
    }
    if (fy_node_is_mapping(v)) return map_node(c, v);
    mods m;
    memset(&m, 0, sizeof m);
    m.cmp = -1;
    if (fy_node_is_scalar(v)) return value_node(c, -1, "keywords", &m, v);
    /* sequence: of keywords, or of mappings (OR) */
    idlist kids = {0};
    uint32_t out = NO_NODE;
    void *it = NULL;
    struct fy_node *e;
    while ((e = fy_node_sequence_iterate(v, &it))) {
        uint32_t nd;
        if (fy_node_is_mapping(e)) nd = map_node(c, e);
        else if (fy_node_is_scalar(e)) nd = value_node(c, -1, "keywords", &m, e);
        else {
            refuse(c, node_line(e), "nested list in a detection");
            goto done;
        }
        if (nd == NO_NODE || !idl_push(&kids, nd)) goto done;
    }
    if (!kids.n) {
        refuse(c, line, "empty detection list");
        goto done;
    }
    out = list_node(c, N_OR, kids.v, kids.n);
done:
    um_free(kids.v);
    return out;
}

/* ---- condition -------------------------------------------------------- */

typedef struct cparse {
    um_sigma_compiler *c;
    const char *s;
    size_t pos, len;
    uint32_t line;
    int depth;
} cparse;

static void skip_ws(cparse *p) {
    while (p->pos < p->len && um_ascii_isspace((unsigned char)p->s[p->pos])) p->pos++;
}

/* next word (identifier chars, * allowed) without consuming */
static size_t peek_word(cparse *p, const char **w) {
    skip_ws(p);
    size_t i = p->pos;
    while (i < p->len && (um_ascii_isalnum((unsigned char)p->s[i]) || p->s[i] == '_' || p->s[i] == '*' ||
                          p->s[i] == '-' || p->s[i] == '.'))
        i++;
    *w = p->s + p->pos;
    return i - p->pos;
}

static bool word_is(const char *w, size_t n, const char *kw) { return um_strneq_ci(w, n, kw) && strlen(kw) == n; }


static uint32_t cond_or(cparse *p);

static uint32_t cond_atom(cparse *p) {
    um_sigma_compiler *c = p->c;
    if (++p->depth > SG_MAX_DEPTH) {
        refuse(c, p->line, "condition nested too deeply");
        return NO_NODE;
    }
    skip_ws(p);
    if (p->pos >= p->len) {
        refuse(c, p->line, "condition ends early");
        return NO_NODE;
    }
    char ch = p->s[p->pos];
    if (ch == '(') {
        p->pos++;
        uint32_t n = cond_or(p);
        skip_ws(p);
        if (n == NO_NODE) return NO_NODE;
        if (p->pos >= p->len || p->s[p->pos] != ')') {
            refuse(c, p->line, "condition: missing ')'");
            return NO_NODE;
        }
        p->pos++;
        p->depth--;
        return n;
    }
    if (ch == '|') {
        refuse(c, p->line, "aggregation in condition ('| count() ...', Sigma v1) is not supported; use a correlation rule");
        return NO_NODE;
    }
    const char *w;
    size_t wn = peek_word(p, &w);
    if (wn == 0) {
        refuse(c, p->line, "condition: unexpected '%c'", ch);
        return NO_NODE;
    }
    p->pos += wn;
    if (word_is(w, wn, "not")) {
        uint32_t k = cond_atom(p);
        p->depth--;
        return k == NO_NODE ? NO_NODE : new_node(c, N_NOT, k, 0);
    }
    bool one = word_is(w, wn, "1"), all = word_is(w, wn, "all");
    const char *w2;
    size_t save = p->pos;
    size_t wn2 = peek_word(p, &w2);
    if ((one || all || (wn && um_ascii_isdigit((unsigned char)w[0]))) && word_is(w2, wn2, "of")) {
        if (!one && !all) {
            refuse(c, p->line, "condition '%.*s of' (count other than 1/all) is not supported", (int)wn, w);
            return NO_NODE;
        }
        p->pos += wn2;
        const char *pat;
        size_t pn = peek_word(p, &pat);
        if (!pn) {
            refuse(c, p->line, "condition: '%s of' without a name", one ? "1" : "all");
            return NO_NODE;
        }
        p->pos += pn;
        bool them = word_is(pat, pn, "them");
        idlist kids = {0};
        for (size_t i = 0; i < c->nid; i++) {
            if (them ? c->idn[i][0] == '_' : !um_glob(pat, pn, c->idn[i], false)) continue;
            if (!idl_push(&kids, c->idnode[i])) {
                um_free(kids.v);
                return NO_NODE;
            }
        }
        if (!kids.n) {
            refuse(c, p->line, "condition: no detection identifier matches '%.*s'", (int)pn, pat);
            return NO_NODE;
        }
        uint32_t n = list_node(c, one ? N_OR : N_AND, kids.v, kids.n);
        um_free(kids.v);
        p->depth--;
        return n;
    }
    p->pos = save;
    for (size_t i = 0; i < c->nid; i++)
        if (strlen(c->idn[i]) == wn && !memcmp(c->idn[i], w, wn)) {
            p->depth--;
            return c->idnode[i];
        }
    refuse(c, p->line, "condition names '%.*s', which the detection does not define", (int)wn, w);
    return NO_NODE;
}

static uint32_t cond_and(cparse *p) {
    idlist kids = {0};
    uint32_t out = NO_NODE;
    for (;;) {
        uint32_t n = cond_atom(p);
        if (n == NO_NODE || !idl_push(&kids, n)) goto done;
        const char *w;
        size_t wn = peek_word(p, &w);
        if (!word_is(w, wn, "and")) break;
        p->pos += wn;
    }
    out = list_node(p->c, N_AND, kids.v, kids.n);
done:
    um_free(kids.v);
    return out;
}

static uint32_t cond_or(cparse *p) {
    idlist kids = {0};
    uint32_t out = NO_NODE;
    for (;;) {
        uint32_t n = cond_and(p);
        if (n == NO_NODE || !idl_push(&kids, n)) goto done;
        const char *w;
        size_t wn = peek_word(p, &w);
        if (!word_is(w, wn, "or")) break;
        p->pos += wn;
    }
    out = list_node(p->c, N_OR, kids.v, kids.n);
done:
    um_free(kids.v);
    return out;
}

static uint32_t parse_condition(um_sigma_compiler *c, struct fy_node *cn) {
    size_t len;
    const char *s = fy_node_get_scalar(cn, &len);
    cparse p = {c, s ? s : "", 0, s ? len : 0, node_line(cn), 0};
    uint32_t n = cond_or(&p);
    if (n == NO_NODE) return n;
    skip_ws(&p);
    if (p.pos < p.len) {
        if (p.s[p.pos] == '|')
            refuse(c, p.line, "aggregation in condition ('| count() ...', Sigma v1) is not supported; use a correlation rule");
        else
            refuse(c, p.line, "condition: unexpected text '%.*s'", (int)(p.len - p.pos), p.s + p.pos);
        return NO_NODE;
    }
    return n;
}

/* ---- rules ------------------------------------------------------------ */

static const char *const key_names[SG_KEY__COUNT] = {
    "any",
#define SG_CAT(id, name) name,
#include "logsource.def"
#undef SG_CAT
};

static int key_from(const char *name) {
    for (int i = 1; i < SG_KEY__COUNT; i++)
        if (!strcmp(key_names[i], name)) return i;
    return -1;
}

static bool parse_logsource(um_sigma_compiler *c, sg_rule *r, struct fy_node *ls, uint32_t line) {
    if (!ls || !fy_node_is_mapping(ls)) {
        refuse(c, line, "rule has no logsource mapping");
        return false;
    }
    char *product = scalar_dup(c, fy_node_mapping_lookup_by_string(ls, "product", FY_NT));
    char *category = scalar_dup(c, fy_node_mapping_lookup_by_string(ls, "category", FY_NT));
    char *service = scalar_dup(c, fy_node_mapping_lookup_by_string(ls, "service", FY_NT));
    uint32_t l = node_line(ls);
    if (product && !strcmp(product, "zeek")) {
        char zb[96];
        snprintf(zb, sizeof zb, "zeek:%s", service ? service : "");
        r->key = service && !category ? key_from(zb) : -1;
        if (r->key < 0) {
            refuse(c, l, "logsource product 'zeek' needs one of the services conn, dns, ssl, http, rdp, rfb%s%s",
                   service ? ", not " : "", service ? service : "");
            return false;
        }
        r->info.logsource = um_arena_strdup(&c->db->arena, zb);
        return true;
    }
    /* identity-provider sign-ins (read/okta.c, read/entra.c present each
     * sign-in record flattened: client.ipAddress, actor.alternateId ...) */
    if (product && (!strcmp(product, "okta") || !strcmp(product, "azure"))) {
        bool okta = !strcmp(product, "okta");
        const char *want = okta ? "okta" : "signinlogs";
        if (category || (service && strcmp(service, want)) || (!okta && !service)) {
            refuse(c, l, "logsource product '%s' is supported with service '%s' only (sign-in logs)", product, want);
            return false;
        }
        r->key = key_from(okta ? "okta:okta" : "azure:signinlogs");
        r->info.logsource = okta ? "okta" : "azure/signinlogs";
        return true;
    }
    if (product && strcmp(product, "windows")) {
        refuse(c, l, "logsource product '%s' is not supported (Windows event logs, Zeek, Okta and Azure sign-in logs only)", product);
        return false;
    }
    if (category && service) {
        refuse(c, l, "logsource with both category '%s' and service '%s' is not supported", category, service);
        return false;
    }
    if (!product && !category) {
        refuse(c, l, "logsource names no product or category");
        return false;
    }
    char buf[160];
    if (category) {
        r->key = key_from(category);
        if (r->key < 0) {
            refuse(c, l, "logsource category '%s' is not mapped to Windows events", category);
            return false;
        }
        snprintf(buf, sizeof buf, "windows/%s", category);
    } else if (service) {
        snprintf(buf, sizeof buf, "service:%s", service);
        r->key = key_from(buf);
        if (r->key < 0) {
            refuse(c, l, "logsource service '%s' is not mapped to a Windows channel", service);
            return false;
        }
        snprintf(buf, sizeof buf, "windows/service:%s", service);
    } else {
        r->key = SG_KEY_ANY;
        snprintf(buf, sizeof buf, "windows");
    }
    r->info.logsource = um_arena_strdup(&c->db->arena, buf);
    return true;
}

static bool str_list(um_sigma_compiler *c, struct fy_node *n, const char *const **out, size_t *nout) {
    *out = NULL;
    *nout = 0;
    if (!n) return true;
    size_t cnt = fy_node_is_sequence(n) ? (size_t)fy_node_sequence_item_count(n) : 1;
    const char **v = um_arena_alloc(&c->db->arena, (cnt + 1) * sizeof *v);
    if (!v) return false;
    size_t k = 0;
    if (fy_node_is_sequence(n)) {
        void *it = NULL;
        struct fy_node *e;
        while ((e = fy_node_sequence_iterate(n, &it)) && k < cnt) {
            char *s = scalar_dup(c, e);
            if (s) v[k++] = s;
        }
    } else {
        char *s = scalar_dup(c, n);
        if (s) v[k++] = s;
    }
    v[k] = NULL;
    *out = v;
    *nout = k;
    return true;
}

static bool parse_timespan(const char *s, int64_t *us) {
    if (!s) return false;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s || v <= 0 || v > 100000000) return false;
    int64_t mul;
    switch (*end) {
    case 's': mul = 1000000; break;
    case 'm': mul = 60LL * 1000000; break;
    case 'h': mul = 3600LL * 1000000; break;
    case 'd': mul = 86400LL * 1000000; break;
    case 'w': mul = 7 * 86400LL * 1000000; break;
    default: return false;
    }
    if (end[1]) return false;
    *us = v * mul;
    return true;
}

static bool parse_correlation(um_sigma_compiler *c, sg_rule *r, struct fy_node *cn) {
    uint32_t line = node_line(cn);
    if (!fy_node_is_mapping(cn)) {
        refuse(c, line, "correlation is not a mapping");
        return false;
    }
    sg_corr *k = um_arena_alloc(&c->db->arena, sizeof *k);
    if (!k) return false;
    memset(k, 0, sizeof *k);
    sg_pending_corr pc;
    memset(&pc, 0, sizeof pc);
    pc.generate = false;
    void *it = NULL;
    struct fy_node_pair *p;
    const char *type = NULL;
    while ((p = fy_node_mapping_iterate(cn, &it))) {
        struct fy_node *kn = fy_node_pair_key(p), *vn = fy_node_pair_value(p);
        char *key = scalar_dup(c, kn);
        uint32_t kl = node_line(kn);
        if (!key) continue;
        if (!strcmp(key, "type")) {
            type = scalar_dup(c, vn);
        } else if (!strcmp(key, "rules")) {
            const char *const *l;
            if (!str_list(c, vn, &l, &pc.nrefs)) return false;
            pc.refs = (const char **)l;
        } else if (!strcmp(key, "group-by")) {
            const char *const *l;
            if (!str_list(c, vn, &l, &pc.ngroup)) return false;
            pc.group = (const char **)l;
        } else if (!strcmp(key, "timespan") || !strcmp(key, "timeframe")) {
            if (!parse_timespan(scalar_dup(c, vn), &k->span_us)) {
                refuse(c, kl, "correlation timespan is not N followed by s, m, h, d or w");
                return false;
            }
        } else if (!strcmp(key, "generate")) {
            sval v;
            if (vn && fy_node_is_scalar(vn)) resolve_scalar(vn, &v);
            if (!vn || !fy_node_is_scalar(vn) || v.type != SV_BOOL) {
                refuse(c, kl, "correlation generate is not a boolean");
                return false;
            }
            pc.generate = v.b;
        } else if (!strcmp(key, "condition")) {
            if (!vn || !fy_node_is_mapping(vn)) {
                refuse(c, kl, "correlation condition is not a mapping");
                return false;
            }
            void *it2 = NULL;
            struct fy_node_pair *q;
            while ((q = fy_node_mapping_iterate(vn, &it2))) {
                char *op = scalar_dup(c, fy_node_pair_key(q));
                struct fy_node *ov = fy_node_pair_value(q);
                uint32_t ol = node_line(fy_node_pair_key(q));
                if (!op) continue;
                if (!strcmp(op, "field")) {
                    pc.value_field = scalar_dup(c, ov);
                    continue;
                }
                sval v;
                if (!ov || !fy_node_is_scalar(ov)) goto badcond;
                resolve_scalar(ov, &v);
                if (v.type != SV_INT || v.i < 0) goto badcond;
                uint64_t x = (uint64_t)v.i;
                if (!strcmp(op, "gte")) k->has_lo = true, k->lo = x;
                else if (!strcmp(op, "gt")) k->has_lo = true, k->lo = x + 1;
                else if (!strcmp(op, "eq")) k->has_lo = k->has_hi = true, k->lo = k->hi = x;
                else if (!strcmp(op, "lte")) k->has_hi = true, k->hi = x;
                else if (!strcmp(op, "lt")) {
                    if (x == 0) goto badcond;
                    k->has_hi = true, k->hi = x - 1;
                } else {
                    refuse(c, ol, "correlation condition '%s' is not supported", op);
                    return false;
                }
                continue;
            badcond:
                refuse(c, ol, "correlation condition '%s' needs a non-negative integer", op);
                return false;
            }
        } else if (!strcmp(key, "aliases")) {
            if (!vn || !fy_node_is_mapping(vn)) {
                refuse(c, kl, "correlation aliases is not a mapping");
                return false;
            }
            void *it2 = NULL;
            struct fy_node_pair *q;
            while ((q = fy_node_mapping_iterate(vn, &it2))) {
                char *alias = scalar_dup(c, fy_node_pair_key(q));
                struct fy_node *am = fy_node_pair_value(q);
                if (!alias || !am || !fy_node_is_mapping(am)) {
                    refuse(c, node_line(fy_node_pair_key(q)), "correlation alias is not a mapping of rule: field");
                    return false;
                }
                void *it3 = NULL;
                struct fy_node_pair *z;
                while ((z = fy_node_mapping_iterate(am, &it3))) {
                    size_t cap = pc.nal;
                    const char **a1 = um_arena_alloc(&c->db->arena, (cap + 1) * sizeof *a1);
                    const char **a2 = um_arena_alloc(&c->db->arena, (cap + 1) * sizeof *a2);
                    const char **a3 = um_arena_alloc(&c->db->arena, (cap + 1) * sizeof *a3);
                    if (!a1 || !a2 || !a3) return false;
                    if (cap) {
                        memcpy(a1, pc.al_name, cap * sizeof *a1);
                        memcpy(a2, pc.al_rule, cap * sizeof *a2);
                        memcpy(a3, pc.al_field, cap * sizeof *a3);
                    }
                    a1[cap] = alias;
                    a2[cap] = scalar_dup(c, fy_node_pair_key(z));
                    a3[cap] = scalar_dup(c, fy_node_pair_value(z));
                    if (!a2[cap] || !a3[cap]) {
                        refuse(c, node_line(fy_node_pair_key(z)), "correlation alias entry is not rule: field");
                        return false;
                    }
                    pc.al_name = a1, pc.al_rule = a2, pc.al_field = a3, pc.nal = cap + 1;
                }
            }
        } else {
            refuse(c, kl, "correlation key '%s' is not supported", key);
            return false;
        }
    }
    static const char *const types[] = {"event_count", "value_count", "temporal", "temporal_ordered"};
    k->type = -1;
    for (int i = 0; type && i < 4; i++)
        if (!strcmp(type, types[i])) k->type = i;
    if (k->type < 0) {
        refuse(c, line, "correlation type '%s' is not supported", type ? type : "(none)");
        return false;
    }
    if (!pc.nrefs) {
        refuse(c, line, "correlation names no rules");
        return false;
    }
    if (!k->span_us) {
        refuse(c, line, "correlation has no timespan");
        return false;
    }
    if ((k->type == CT_EVENT_COUNT || k->type == CT_VALUE_COUNT) && !k->has_lo) {
        refuse(c, line, "correlation condition without a lower bound (only 'lt'/'lte') needs window-end evaluation, which is not supported");
        return false;
    }
    if (k->type == CT_VALUE_COUNT && !pc.value_field) {
        refuse(c, line, "value_count correlation needs condition.field");
        return false;
    }
    r->corr = k;
    r->info.correlation = true;
    r->info.corr_type = types[k->type];
    r->info.logsource = "correlation";
    pc.rule = c->rule;
    if (!um_grow((void **)&c->pc, &c->cappc, c->npc + 1, sizeof *c->pc)) return false;
    c->pc[c->npc++] = pc;
    return true;
}

static bool add_attr(um_sigma_compiler *c, sg_rule *r, const char *name, const char *value) {
    sg_attr *a = um_arena_alloc(&c->db->arena, (r->nattrs + 1) * sizeof *a);
    if (!a) return false;
    if (r->nattrs) memcpy(a, r->attrs, r->nattrs * sizeof *a);
    a[r->nattrs].name = name;
    a[r->nattrs].value = value;
    r->attrs = a;
    r->nattrs++;
    return true;
}

static void rule_from_doc(um_sigma_compiler *c, struct fy_document *doc) {
    um_sigma_db *db = c->db;
    struct fy_node *root = fy_document_root(doc);
    if (!root) return; /* empty document */
    c->failed = false;
    c->rule_name = NULL;
    c->nid = 0;
    size_t save_tests = db->ntests, save_nodes = db->nnodes, save_kids = db->nkids, save_nets = db->nnets,
           save_pc = c->npc;
    if (!fy_node_is_mapping(root)) {
        refuse(c, node_line(root), "document is not a mapping");
        return;
    }
    if (!um_grow((void **)&db->rules, &c->caprules, db->nrules + 1, sizeof *db->rules)) return;
    c->rule = (uint32_t)db->nrules;
    sg_rule *r = &db->rules[db->nrules];
    memset(r, 0, sizeof *r);
    r->info.file = um_arena_strdup(&db->arena, c->file);
    r->info.line = node_line(root);
    r->info.emits = true;
    struct fy_node *det = NULL, *ls = NULL, *corr = NULL;
    uint32_t det_line = r->info.line;
    void *it = NULL;
    struct fy_node_pair *p;
    r->info.title = scalar_dup(c, fy_node_mapping_lookup_by_string(root, "title", FY_NT));
    r->info.id = scalar_dup(c, fy_node_mapping_lookup_by_string(root, "id", FY_NT));
    c->rule_name = r->info.title ? r->info.title : r->info.id;
    while ((p = fy_node_mapping_iterate(root, &it))) {
        struct fy_node *kn = fy_node_pair_key(p), *vn = fy_node_pair_value(p);
        char *key = scalar_dup(c, kn);
        uint32_t kl = node_line(kn);
        if (!key) {
            refuse(c, kl, "top-level key is not a scalar");
            goto fail;
        }
        if (!strcmp(key, "detection")) det = vn, det_line = kl;
        else if (!strcmp(key, "logsource")) ls = vn;
        else if (!strcmp(key, "correlation")) corr = vn;
        else if (!strcmp(key, "name")) r->info.name = scalar_dup(c, vn);
        else if (!strcmp(key, "status")) r->info.status = scalar_dup(c, vn);
        else if (!strcmp(key, "level")) r->info.level = scalar_dup(c, vn);
        else if (!strcmp(key, "description")) r->info.description = scalar_dup(c, vn);
        else if (!strcmp(key, "author")) r->info.author = scalar_dup(c, vn);
        else if (!strcmp(key, "date")) r->info.date = scalar_dup(c, vn);
        else if (!strcmp(key, "tags")) {
            if (!str_list(c, vn, &r->info.tags, &r->info.ntags)) goto fail;
        } else if (!strcmp(key, "references")) {
            if (!str_list(c, vn, &r->info.references, &r->info.nreferences)) goto fail;
        } else if (!strcmp(key, "action")) {
            refuse(c, kl, "rule collections ('action: %s') are not supported", scalar_dup(c, vn) ? scalar_dup(c, vn) : "?");
            goto fail;
        } else if (vn && fy_node_is_scalar(vn)) {
            char *val = scalar_dup(c, vn);
            if (val && !add_attr(c, r, key, val)) goto fail;
        }
    }
    if (corr) {
        if (det) {
            refuse(c, det_line, "a rule with both detection and correlation");
            goto fail;
        }
        if (!parse_correlation(c, r, corr)) goto fail;
        r->root = NO_NODE;
        db->nrules++;
        return;
    }
    if (!parse_logsource(c, r, ls, r->info.line)) goto fail;
    if (!det || !fy_node_is_mapping(det)) {
        refuse(c, det_line, "rule has no detection mapping");
        goto fail;
    }
    r->test_first = (uint32_t)db->ntests;
    struct fy_node *cond = NULL;
    it = NULL;
    while ((p = fy_node_mapping_iterate(det, &it))) {
        struct fy_node *kn = fy_node_pair_key(p), *vn = fy_node_pair_value(p);
        char *key = scalar_dup(c, kn);
        uint32_t kl = node_line(kn);
        if (!key) {
            refuse(c, kl, "detection key is not a scalar");
            goto fail;
        }
        if (!strcmp(key, "condition")) {
            cond = vn;
            continue;
        }
        if (!strcmp(key, "timeframe")) continue; /* only meaningful with v1 aggregations, refused there */
        uint32_t nd = ident_node(c, vn, kl);
        if (nd == NO_NODE) goto fail;
        if (!um_grow((void **)&c->idn, &c->capid, c->nid + 1, sizeof *c->idn)) goto fail;
        size_t cap2 = c->capid;
        uint32_t *idnode = um_realloc(c->idnode, cap2 * sizeof *idnode);
        if (!idnode) goto fail;
        c->idnode = idnode;
        c->idn[c->nid] = key;
        c->idnode[c->nid++] = nd;
    }
    if (!cond) {
        refuse(c, det_line, "detection has no condition");
        goto fail;
    }
    uint32_t root_node;
    if (fy_node_is_sequence(cond)) {
        idlist kids = {0};
        void *it2 = NULL;
        struct fy_node *e;
        while ((e = fy_node_sequence_iterate(cond, &it2))) {
            uint32_t nd = fy_node_is_scalar(e) ? parse_condition(c, e) : NO_NODE;
            if (nd == NO_NODE || !idl_push(&kids, nd)) {
                if (!c->failed) refuse(c, node_line(e), "condition list item is not a string");
                um_free(kids.v);
                goto fail;
            }
        }
        root_node = kids.n ? list_node(c, N_OR, kids.v, kids.n) : NO_NODE;
        um_free(kids.v);
    } else if (fy_node_is_scalar(cond)) {
        root_node = parse_condition(c, cond);
    } else {
        refuse(c, node_line(cond), "condition is not a string");
        goto fail;
    }
    if (root_node == NO_NODE) {
        if (!c->failed) refuse(c, det_line, "empty condition");
        goto fail;
    }
    r->root = root_node;
    r->test_n = (uint32_t)(db->ntests - r->test_first);
    db->nrules++;
    return;
fail:
    if (!c->failed) refuse(c, r->info.line, "out of memory");
    for (size_t i = save_tests; i < db->ntests; i++)
        if (db->tests[i].kind == TK_PCRE) pcre2_code_free(db->tests[i].u.re);
    db->ntests = save_tests;
    db->nnodes = save_nodes;
    db->nkids = save_kids;
    db->nnets = save_nets;
    c->npc = save_pc;
}

/* ---- files ------------------------------------------------------------ */

um_status um_sigma_compiler_new(um_sigma_compiler **out) {
    um_sigma_compiler *c = um_calloc(1, sizeof *c);
    *out = c;
    if (!c) return UM_ENOMEM;
    um_arena_init(&c->arena);
    c->db = um_calloc(1, sizeof *c->db);
    if (!c->db) return UM_ENOMEM;
    um_arena_init(&c->db->arena);
    um_map_init(&c->db->slots);
    um_map_init(&c->db->exact);
    return UM_OK;
}

void um_sigma_compiler_free(um_sigma_compiler *c) {
    if (!c) return;
    um_sigma_db_free(c->db);
    um_free(c->ref);
    um_free(c->pc);
    um_free(c->idn);
    um_free(c->idnode);
    um_free(c->cache_dir);
    sg_hscache_close(c->hc, false, NULL);
    um_arena_free(&c->arena);
    um_free(c);
}

um_status um_sigma_compiler_set_cache(um_sigma_compiler *c, const char *dir) {
    if (!c) return UM_EINVAL;
    um_free(c->cache_dir);
    c->cache_dir = NULL;
    if (dir && *dir && !(c->cache_dir = um_strdup(dir))) return UM_ENOMEM;
    return UM_OK;
}

void um_sigma_compiler_cache_stats(const um_sigma_compiler *c, um_sigma_cache_stats *out) {
    if (!out) return;
    if (c) *out = c->cst;
    else memset(out, 0, sizeof *out);
}

const char *um_sigma_compiler_errmsg(const um_sigma_compiler *c) { return c ? c->err : "no compiler"; }
size_t um_sigma_refusal_count(const um_sigma_compiler *c) { return c ? c->nref : 0; }
const um_sigma_refusal *um_sigma_refusal_at(const um_sigma_compiler *c, size_t i) {
    return c && i < c->nref ? &c->ref[i] : NULL;
}

static void diag_out(struct fy_diag *diag, void *user, const char *buf, size_t len) {
    (void)diag;
    (void)user;
    (void)buf;
    (void)len;
}

um_status um_sigma_add_text(um_sigma_compiler *c, const char *name, const char *text, size_t len) {
    if (!c || !c->db) return UM_EINVAL;
    c->db->digest = um_hash64(text, len, c->db->digest + 0x9e3779b97f4a7c15ULL);
    c->file = name;
    c->rule_name = NULL;
    struct fy_diag_cfg dcfg;
    memset(&dcfg, 0, sizeof dcfg);
    dcfg.output_fn = diag_out;
    dcfg.level = FYET_ERROR;
    dcfg.module_mask = ~0u;
    struct fy_diag *diag = fy_diag_create(&dcfg);
    if (diag) fy_diag_set_collect_errors(diag, true);
    struct fy_parse_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG | FYPCF_RESOLVE_DOCUMENT | FYPCF_DISABLE_MMAP_OPT |
                FYPCF_DISABLE_BUFFERING;
    cfg.diag = diag;
    struct fy_parser *fyp = fy_parser_create(&cfg);
    if (!fyp || fy_parser_set_string(fyp, text, len)) {
        if (fyp) fy_parser_destroy(fyp);
        if (diag) fy_diag_destroy(diag);
        snprintf(c->err, sizeof c->err, "%s: cannot start the YAML parser", name);
        return UM_ENOMEM;
    }
    struct fy_document *doc;
    size_t ndocs = 0;
    while ((doc = fy_parse_load_document(fyp))) {
        ndocs++;
        rule_from_doc(c, doc);
        fy_parse_document_destroy(fyp, doc);
    }
    if (fy_parser_get_stream_error(fyp)) {
        uint32_t line = 0;
        const char *msg = "YAML syntax error";
        void *it = NULL;
        struct fy_diag_error *e = diag ? fy_diag_errors_iterate(diag, &it) : NULL;
        if (e) {
            line = (uint32_t)e->line + 1;
            msg = e->msg;
        }
        c->failed = false;
        c->rule_name = NULL;
        refuse(c, line, "YAML: %s", msg ? msg : "syntax error");
    }
    fy_parser_destroy(fyp);
    if (diag) fy_diag_destroy(diag);
    return UM_OK;
}

static um_status add_file(um_sigma_compiler *c, const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(c->err, sizeof c->err, "%s: %s", path, strerror(errno));
        return UM_EIO;
    }
    um_buf b;
    um_buf_init(&b);
    char tmp[65536];
    size_t n;
    bool big = false;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) {
        if (b.len + n > SG_MAX_FILE) {
            big = true;
            break;
        }
        um_buf_add(&b, tmp, n);
    }
    bool err = ferror(f);
    fclose(f);
    if (err || b.oom) {
        um_buf_free(&b);
        snprintf(c->err, sizeof c->err, "%s: read error", path);
        return UM_EIO;
    }
    if (big) {
        c->file = path;
        c->failed = false;
        c->rule_name = NULL;
        refuse(c, 0, "file larger than %u MiB", SG_MAX_FILE >> 20);
        um_buf_free(&b);
        return UM_OK;
    }
    um_status st = um_sigma_add_text(c, path, b.s ? b.s : "", b.len);
    um_buf_free(&b);
    return st;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static bool yaml_name(const char *n) {
    size_t l = strlen(n);
    return (l > 4 && !strcmp(n + l - 4, ".yml")) || (l > 5 && !strcmp(n + l - 5, ".yaml"));
}

static um_status add_dir(um_sigma_compiler *c, const char *path, int depth) {
    if (depth > 32) return UM_OK;
    DIR *d = opendir(path);
    if (!d) {
        snprintf(c->err, sizeof c->err, "%s: %s", path, strerror(errno));
        return UM_EIO;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        if (!um_grow((void **)&names, &cap, n + 1, sizeof *names)) break;
        names[n] = um_strdup(e->d_name);
        if (names[n]) n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_str);
    um_status st = UM_OK;
    for (size_t i = 0; i < n; i++) {
        char full[4096];
        snprintf(full, sizeof full, "%s/%s", path, names[i]);
        struct stat sb;
        if (st == UM_OK && stat(full, &sb) == 0) {
            if (S_ISDIR(sb.st_mode)) st = add_dir(c, full, depth + 1);
            else if (S_ISREG(sb.st_mode) && yaml_name(names[i])) st = add_file(c, full);
        }
        um_free(names[i]);
    }
    um_free(names);
    return st;
}

um_status um_sigma_add_path(um_sigma_compiler *c, const char *path) {
    if (!c || !path) return UM_EINVAL;
    struct stat sb;
    if (stat(path, &sb) != 0) {
        snprintf(c->err, sizeof c->err, "%s: %s", path, strerror(errno));
        return UM_EIO;
    }
    return S_ISDIR(sb.st_mode) ? add_dir(c, path, 0) : add_file(c, path);
}

/* ---- building the db -------------------------------------------------- */

bool sg_eval(const um_sigma_db *db, uint32_t node, const uint32_t *stamp, uint32_t gen, int depth);

static void refuse_rule(um_sigma_compiler *c, uint32_t rule, const char *fmt, const char *detail) {
    char msg[600];
    snprintf(msg, sizeof msg, "%s%s%s", fmt, detail ? ": " : "", detail ? detail : "");
    sg_rule *r = &c->db->rules[rule];
    if (r->refused) return;
    r->refused = true;
    c->file = r->info.file;
    c->rule_name = r->info.title ? r->info.title : r->info.id;
    c->failed = false;
    refuse(c, r->info.line, "%s", msg);
}

static int find_rule_ref(const um_sigma_db *db, const char *ref) {
    for (size_t i = 0; i < db->nrules; i++) {
        const sg_rule *r = &db->rules[i];
        if (r->refused) continue;
        if ((r->info.name && !strcmp(r->info.name, ref)) || (r->info.id && !strcmp(r->info.id, ref))) return (int)i;
    }
    return -1;
}

static bool resolve_corr(um_sigma_compiler *c, sg_pending_corr *pc) {
    um_sigma_db *db = c->db;
    sg_rule *r = &db->rules[pc->rule];
    sg_corr *k = r->corr;
    k->nrules = pc->nrefs;
    k->rules = um_arena_alloc(&db->arena, pc->nrefs * sizeof *k->rules);
    k->ngroup = pc->ngroup;
    k->group_names = pc->group;
    k->group_slots = um_arena_alloc(&db->arena, (pc->ngroup * pc->nrefs + 1) * sizeof *k->group_slots);
    k->value_slots = um_arena_alloc(&db->arena, pc->nrefs * sizeof *k->value_slots);
    k->value_field = pc->value_field;
    if (!k->rules || !k->group_slots || !k->value_slots) return false;
    for (size_t i = 0; i < pc->nrefs; i++) {
        int b = find_rule_ref(db, pc->refs[i]);
        if (b < 0) {
            refuse_rule(c, pc->rule, "correlation names a rule that is not loaded (or was refused)", pc->refs[i]);
            return true;
        }
        if (db->rules[b].corr) {
            refuse_rule(c, pc->rule, "correlation of a correlation is not supported", pc->refs[i]);
            return true;
        }
        k->rules[i] = (uint32_t)b;
        const sg_rule *br = &db->rules[b];
        const char *bname = br->info.name ? br->info.name : br->info.id;
        for (size_t g = 0; g <= pc->ngroup; g++) {
            const char *field = g < pc->ngroup ? pc->group[g] : pc->value_field;
            if (!field) continue;
            for (size_t a = 0; a < pc->nal; a++)
                if (!strcmp(pc->al_name[a], field) && bname &&
                    (!strcmp(pc->al_rule[a], bname) || (br->info.id && !strcmp(pc->al_rule[a], br->info.id))))
                    field = pc->al_field[a];
            int32_t s = slot_of(c, field, strlen(field));
            if (s < 0) return false;
            if (g < pc->ngroup) k->group_slots[i * pc->ngroup + g] = s;
            else k->value_slots[i] = s;
        }
    }
    for (size_t i = 0; i < pc->nrefs; i++) {
        sg_rule *br = &db->rules[k->rules[i]];
        uint32_t *co = um_realloc(br->corr_of, (br->ncorr_of + 1) * sizeof *co);
        if (!co) return false;
        co[br->ncorr_of++] = pc->rule;
        br->corr_of = co;
        if (!pc->generate) br->info.emits = false;
    }
    db->has_corr = true;
    return true;
}

typedef struct patlist {
    const char **expr;
    unsigned *flags;
    unsigned *ids;
    idlist *tests; /* per pattern */
    size_t n, cap, capf, capi, capt;
    um_map dedupe;
} patlist;

static bool pat_add(patlist *pl, const sg_test *t, uint32_t tid) {
    char key[24];
    int kl = snprintf(key, sizeof key, "%08x:", t->hsflags);
    um_buf kb;
    um_buf_init(&kb);
    um_buf_add(&kb, key, (size_t)kl);
    um_buf_add(&kb, t->expr, t->exprlen);
    bool created;
    um_map_slot *s = kb.oom ? NULL : um_map_upsert(&pl->dedupe, kb.s, kb.len, &created);
    um_buf_free(&kb);
    if (!s) return false;
    if (created) {
        size_t cap = pl->cap;
        if (!um_grow((void **)&pl->expr, &pl->cap, pl->n + 1, sizeof *pl->expr)) return false;
        cap = pl->capf;
        if (!um_grow((void **)&pl->flags, &pl->capf, pl->n + 1, sizeof *pl->flags)) return false;
        if (!um_grow((void **)&pl->ids, &pl->capi, pl->n + 1, sizeof *pl->ids)) return false;
        if (!um_grow((void **)&pl->tests, &pl->capt, pl->n + 1, sizeof *pl->tests)) return false;
        (void)cap;
        pl->expr[pl->n] = t->expr;
        pl->flags[pl->n] = t->hsflags;
        pl->ids[pl->n] = (unsigned)pl->n;
        memset(&pl->tests[pl->n], 0, sizeof pl->tests[pl->n]);
        s->val = (void *)(uintptr_t)(pl->n + 1);
        pl->n++;
    }
    return idl_push(&pl->tests[(uintptr_t)s->val - 1], tid);
}

static void pat_free(patlist *pl) {
    for (size_t i = 0; i < pl->n; i++) um_free(pl->tests[i].v);
    um_free(pl->expr);
    um_free(pl->flags);
    um_free(pl->ids);
    um_free(pl->tests);
    um_map_free(&pl->dedupe);
    memset(pl, 0, sizeof *pl);
}

/* Compiles pl into fd; a pattern vectorscan rejects refuses its rules and
 * the build is retried without them. */
static um_status build_fielddb(um_sigma_compiler *c, patlist *pl, sg_fielddb *fd) {
    um_sigma_db *db = c->db;
    for (int attempt = 0; attempt < 64; attempt++) {
        /* drop patterns whose tests all belong to refused rules */
        size_t k = 0;
        for (size_t i = 0; i < pl->n; i++) {
            bool live = false;
            for (size_t j = 0; j < pl->tests[i].n; j++)
                if (!db->rules[db->tests[pl->tests[i].v[j]].rule].refused) live = true;
            if (!live) {
                um_free(pl->tests[i].v);
                continue;
            }
            pl->expr[k] = pl->expr[i];
            pl->flags[k] = pl->flags[i];
            pl->tests[k] = pl->tests[i];
            pl->ids[k] = (unsigned)k;
            k++;
        }
        pl->n = k;
        if (!k) return UM_OK;
        hs_compile_error_t *err = NULL;
        hs_database_t *hdb = NULL;
        sg_hskey key = {0, 0};
        if (c->hc) {
            key = sg_hscache_key(pl->expr, pl->flags, pl->ids, (unsigned)k, HS_MODE_BLOCK);
            hdb = sg_hscache_get(c->hc, key);
        }
        bool cached = hdb != NULL;
        if (cached || hs_compile_multi(pl->expr, pl->flags, pl->ids, (unsigned)k, HS_MODE_BLOCK, NULL, &hdb, &err) ==
                       HS_SUCCESS) {
            if (c->hc && !cached) sg_hscache_put(c->hc, key, hdb);
            fd->db = hdb;
            fd->npat = (unsigned)k;
            fd->pat_first = um_malloc((k + 1) * sizeof *fd->pat_first);
            size_t tot = 0;
            for (size_t i = 0; i < k; i++) tot += pl->tests[i].n;
            fd->pat_tests = um_malloc((tot ? tot : 1) * sizeof *fd->pat_tests);
            if (!fd->pat_first || !fd->pat_tests) return UM_ENOMEM;
            size_t o = 0;
            for (size_t i = 0; i < k; i++) {
                fd->pat_first[i] = (uint32_t)o;
                memcpy(fd->pat_tests + o, pl->tests[i].v, pl->tests[i].n * sizeof *fd->pat_tests);
                o += pl->tests[i].n;
            }
            fd->pat_first[k] = (uint32_t)o;
            db->npatterns += k;
            return UM_OK;
        }
        int bad = err ? err->expression : -1;
        char msg[256];
        snprintf(msg, sizeof msg, "%s", err && err->message ? err->message : "vectorscan compile error");
        if (err) hs_free_compile_error(err);
        if (bad < 0 || (size_t)bad >= k) {
            snprintf(c->err, sizeof c->err, "vectorscan: %s", msg);
            return UM_EPARSE;
        }
        char full[512];
        snprintf(full, sizeof full, "pattern /%.200s/ not supported by vectorscan: %s", pl->expr[bad], msg);
        for (size_t j = 0; j < pl->tests[bad].n; j++)
            refuse_rule(c, db->tests[pl->tests[bad].v[j]].rule, full, NULL);
    }
    snprintf(c->err, sizeof c->err, "vectorscan: too many rejected patterns");
    return UM_EPARSE;
}

static sg_fielddb *group_field(sg_group *g, int32_t slot, size_t *cap) {
    for (size_t i = 0; i < g->nfields; i++)
        if (g->fields[i].slot == slot) return &g->fields[i];
    if (!um_grow((void **)&g->fields, cap, g->nfields + 1, sizeof *g->fields)) return NULL;
    sg_fielddb *f = &g->fields[g->nfields++];
    memset(f, 0, sizeof *f);
    f->slot = slot;
    return f;
}

static um_status build_group(um_sigma_compiler *c, int gi) {
    um_sigma_db *db = c->db;
    sg_group *g = &db->groups[gi];
    size_t capf = 0, capd = 0, capa = 0;
    patlist *pls = NULL; /* per field, parallel to g->fields */
    size_t cappl = 0;
    patlist kw;
    memset(&kw, 0, sizeof kw);
    um_map_init(&kw.dedupe);
    um_status st = UM_ENOMEM;
    for (size_t ri = 0; ri < g->nrules; ri++) {
        const sg_rule *r = &db->rules[g->rules[ri]];
        for (uint32_t ti = r->test_first; ti < r->test_first + r->test_n; ti++) {
            const sg_test *t = &db->tests[ti];
            if (t->kind == TK_PAT || t->kind == TK_EXACT) {
                size_t before = g->nfields;
                sg_fielddb *fd = group_field(g, t->slot, &capf);
                if (!fd) goto out;
                size_t fi = (size_t)(fd - g->fields);
                if (g->nfields > before) {
                    if (!um_grow((void **)&pls, &cappl, g->nfields, sizeof *pls)) goto out;
                    memset(&pls[fi], 0, sizeof pls[fi]);
                    um_map_init(&pls[fi].dedupe);
                }
                if (t->kind == TK_PAT) {
                    if (!pat_add(&pls[fi], t, ti)) goto out;
                } else {
                    fd->has_exact = true;
                    um_buf kb;
                    um_buf_init(&kb);
                    uint32_t hdr[2] = {(uint32_t)gi, (uint32_t)t->slot};
                    um_buf_add(&kb, (const char *)hdr, sizeof hdr);
                    um_buf_add(&kb, t->expr, t->exprlen);
                    bool created;
                    um_map_slot *s = kb.oom ? NULL : um_map_upsert(&db->exact, kb.s, kb.len, &created);
                    um_buf_free(&kb);
                    if (!s) goto out;
                    if (created) {
                        sg_exact *e = um_calloc(1, sizeof *e);
                        size_t cap = db->nexacts;
                        sg_exact **arr = e ? um_realloc(db->exacts, (cap + 1) * sizeof *arr) : NULL;
                        if (!arr) {
                            um_free(e);
                            goto out;
                        }
                        db->exacts = arr;
                        arr[db->nexacts++] = e;
                        s->val = e;
                    }
                    sg_exact *e = s->val;
                    size_t ecap = e->cap;
                    if (!um_grow((void **)&e->t, &ecap, e->n + 1, sizeof *e->t)) goto out;
                    e->cap = (uint32_t)ecap;
                    e->t[e->n++] = ti;
                }
            } else if (t->kind == TK_KEYWORD) {
                if (!pat_add(&kw, t, ti)) goto out;
            } else {
                if (!um_grow((void **)&g->direct, &capd, g->ndirect + 1, sizeof *g->direct)) goto out;
                g->direct[g->ndirect++] = ti;
            }
        }
    }
    for (size_t fi = 0; fi < g->nfields; fi++) {
        st = build_fielddb(c, &pls[fi], &g->fields[fi]);
        if (st != UM_OK) goto out;
    }
    g->kw.slot = -1;
    st = build_fielddb(c, &kw, &g->kw);
    if (st != UM_OK) goto out;
    /* rules true when no test is true */
    uint32_t zero_stamp_gen = 1;
    uint32_t *zero = um_calloc(db->ntests ? db->ntests : 1, sizeof *zero);
    if (!zero) {
        st = UM_ENOMEM;
        goto out;
    }
    for (size_t ri = 0; ri < g->nrules; ri++) {
        const sg_rule *r = &db->rules[g->rules[ri]];
        if (sg_eval(db, r->root, zero, zero_stamp_gen, 0)) {
            if (!um_grow((void **)&g->always, &capa, g->nalways + 1, sizeof *g->always)) {
                um_free(zero);
                st = UM_ENOMEM;
                goto out;
            }
            g->always[g->nalways++] = g->rules[ri];
        }
    }
    um_free(zero);
    st = UM_OK;
out:
    for (size_t fi = 0; fi < g->nfields && pls; fi++) pat_free(&pls[fi]);
    um_free(pls);
    pat_free(&kw);
    return st;
}

um_status um_sigma_compile(um_sigma_compiler *c, um_sigma_db **out) {
    *out = NULL;
    if (!c || !c->db) return UM_EINVAL;
    um_sigma_db *db = c->db;
    for (size_t i = 0; i < c->npc; i++)
        if (!db->rules[c->pc[i].rule].refused && !resolve_corr(c, &c->pc[i])) return UM_ENOMEM;
    for (int k = 0; k < SG_KEY__COUNT; k++) db->group_of_key[k] = -1;
    db->slot_provider = sg_slot_find(db, "provider_name", 13);
    size_t capg = 0;
    size_t *capr = NULL;
    for (size_t i = 0; i < db->nrules; i++) {
        sg_rule *r = &db->rules[i];
        if (r->refused || r->corr) continue;
        int gi = db->group_of_key[r->key];
        if (gi < 0) {
            if (!um_grow((void **)&db->groups, &capg, db->ngroups + 1, sizeof *db->groups)) goto oom;
            size_t *cr = um_realloc(capr, (db->ngroups + 1) * sizeof *cr);
            if (!cr) goto oom;
            capr = cr;
            capr[db->ngroups] = 0;
            gi = (int)db->ngroups++;
            memset(&db->groups[gi], 0, sizeof db->groups[gi]);
            db->groups[gi].key = r->key;
            db->group_of_key[r->key] = gi;
        }
        sg_group *g = &db->groups[gi];
        if (!um_grow((void **)&g->rules, &capr[gi], g->nrules + 1, sizeof *g->rules)) goto oom;
        g->rules[g->nrules++] = (uint32_t)i;
    }
    um_free(capr);
    capr = NULL;
    memset(&c->cst, 0, sizeof c->cst);
    if (c->cache_dir) {
        char name[64];
        snprintf(name, sizeof name, "sigma-%016llx.hsdb", (unsigned long long)db->digest);
        c->hc = sg_hscache_open(c->cache_dir, name);
    }
    for (size_t gi = 0; gi < db->ngroups; gi++) {
        um_status st = build_group(c, (int)gi);
        if (st != UM_OK) {
            sg_hscache_close(c->hc, false, &c->cst);
            c->hc = NULL;
            return st;
        }
    }
    sg_hscache_close(c->hc, true, &c->cst);
    c->hc = NULL;
    /* a scratch prototype that fits every database */
    for (size_t gi = 0; gi < db->ngroups; gi++) {
        sg_group *g = &db->groups[gi];
        for (size_t fi = 0; fi <= g->nfields; fi++) {
            hs_database_t *h = fi < g->nfields ? g->fields[fi].db : g->kw.db;
            if (h && hs_alloc_scratch(h, &db->proto) != HS_SUCCESS) {
                snprintf(c->err, sizeof c->err, "vectorscan: cannot allocate scratch");
                return UM_ENOMEM;
            }
        }
    }
    *out = db;
    c->db = NULL;
    return UM_OK;
oom:
    um_free(capr);
    snprintf(c->err, sizeof c->err, "out of memory");
    return UM_ENOMEM;
}

void um_sigma_db_free(um_sigma_db *db) {
    if (!db) return;
    for (size_t i = 0; i < db->ntests; i++)
        if (db->tests[i].kind == TK_PCRE) pcre2_code_free(db->tests[i].u.re);
    for (size_t gi = 0; gi < db->ngroups; gi++) {
        sg_group *g = &db->groups[gi];
        for (size_t fi = 0; fi < g->nfields; fi++) {
            hs_free_database(g->fields[fi].db);
            um_free(g->fields[fi].pat_first);
            um_free(g->fields[fi].pat_tests);
        }
        hs_free_database(g->kw.db);
        um_free(g->kw.pat_first);
        um_free(g->kw.pat_tests);
        um_free(g->fields);
        um_free(g->rules);
        um_free(g->direct);
        um_free(g->always);
    }
    for (size_t i = 0; i < db->nrules; i++) um_free(db->rules[i].corr_of);
    for (size_t i = 0; i < db->nexacts; i++) {
        um_free(db->exacts[i]->t);
        um_free(db->exacts[i]);
    }
    if (db->proto) hs_free_scratch(db->proto);
    um_free(db->exacts);
    um_free(db->groups);
    um_free(db->rules);
    um_free(db->tests);
    um_free(db->nodes);
    um_free(db->kids);
    um_free(db->nets);
    um_free(db->slot_names);
    um_map_free(&db->slots);
    um_map_free(&db->exact);
    um_arena_free(&db->arena);
    um_free(db);
}

uint64_t um_sigma_db_digest(const um_sigma_db *db) { return db ? db->digest : 0; }

size_t um_sigma_rule_count(const um_sigma_db *db) { return db ? db->nrules : 0; }

const um_sigma_rule_info *um_sigma_rule_at(const um_sigma_db *db, size_t i) {
    return db && i < db->nrules && !db->rules[i].refused ? &db->rules[i].info : NULL;
}

const char *um_sigma_rule_attr(const um_sigma_db *db, size_t i, const char *name) {
    if (!db || i >= db->nrules) return NULL;
    const sg_rule *r = &db->rules[i];
    for (size_t k = 0; k < r->nattrs; k++)
        if (!strcmp(r->attrs[k].name, name)) return r->attrs[k].value;
    return NULL;
}

void um_sigma_db_stats(const um_sigma_db *db, size_t *patterns, size_t *exact, size_t *groups) {
    if (patterns) *patterns = db ? db->npatterns : 0;
    if (exact) *exact = db ? db->exact.len : 0;
    if (groups) *groups = db ? db->ngroups : 0;
}
