/*
 * person_json.c - applicant / HR / payroll / shipping exports as JSON with
 * any key names.
 *
 * Accepted shapes:
 *   - an array of objects: [ {...}, {...} ]
 *   - an object wrapping such arrays: {"data": [...]} (also "results",
 *     "candidates", "employees", ... see wrapper_keys); every wrapper array
 *     in the document is read
 *   - a single object (one person)
 *   - JSON lines: one object (or wrapper object) per line
 *
 * Keys are mapped with --mapping (um_rc_mapped_attr) first, then the header
 * synonyms of columns.c. One level of nesting is flattened: "contact.email",
 * "address.city" are looked up by their dotted name, then (for containers
 * such as "contact", "address", "profile") by the inner key alone. Arrays of
 * scalars emit each value; arrays of objects take their "value" / "email" /
 * "number" member (ATS style [{"type": "personal", "value": ...}]).
 *
 * Whole documents (arrays, wrappers) are read into memory, up to 256 MiB,
 * and split into elements here so that each person is parsed on its own and
 * every reject carries the line where its element starts.
 */
#include <stdlib.h>
#include <string.h>

#include "../core/internal.h"
#include "rsink.h"
#include "../util/json.h"
#include "columns.h"

#define PJ_MAX_FILE (256u << 20)
#define PJ_MAX_KV 256
#define PJ_MAX_WARNED_KEYS 50
#define PJ_HEAD 4096

static const char *const wrapper_keys[] = {"data",      "results",   "candidates", "employees",
                                           "applicants", "records",  "items",      "people",
                                           "workers",   "contractors", "payees",   "shipments",
                                           "rows"};

/* Parents whose inner keys describe the person's own data. */
static const char *const containers[] = {
    "contact",  "contactinfo", "contactdetails", "personal", "personalinfo", "personaldetails",
    "profile",  "person",      "identity",       "details",  "candidate",    "applicant",
    "employee", "worker",      "address",        "homeaddress", "mailingaddress", "residence",
    "location", "payout",      "payment",        "paymentdetails", "bank", "banking", "payroll",
    "shipping", "shipment",    "device",         "laptop",   "asset", "hardware", "social",
    "links",    "accounts",    "name"};

typedef struct pj {
    um_reader_ctx *rc;
    um_json *p;
    um_arena scratch; /* per record */
    um_kv kv[PJ_MAX_KV];
    int attrs[PJ_MAX_KV];
    size_t n;
    bool truncated;
    const char *dup; /* first duplicate key on a used field */
    um_map warned;
    size_t n_warned;
    uint64_t line;
} pj;

/* ---- key mapping --------------------------------------------------------- */

static void norm_key(const char *k, char *out, size_t cap) {
    size_t n = 0;
    for (; *k && n + 1 < cap; k++)
        if ((*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9')) out[n++] = *k;
        else if (*k >= 'A' && *k <= 'Z') out[n++] = (char)(*k + 32);
    out[n] = 0;
}

static bool is_container(const char *key) {
    char k[64];
    norm_key(key, k, sizeof k);
    for (size_t i = 0; i < UM_ARRAY_LEN(containers); i++)
        if (strcmp(k, containers[i]) == 0) return true;
    return false;
}

static bool is_wrapper(const char *key, size_t klen) {
    for (size_t i = 0; i < UM_ARRAY_LEN(wrapper_keys); i++)
        if (um_strneq_ci(key, klen, wrapper_keys[i])) return true;
    return false;
}

/* attribute >= 0, -1 unknown, -2 ignored by the mapping */
static int resolve(pj *j, const char *name) {
    int m = um_rc_mapped_attr(j->rc, name);
    if (m != -1) return m;
    return um_column_attr(name);
}

static void warn_unknown(pj *j, const char *key) {
    if (j->n_warned > PJ_MAX_WARNED_KEYS) return;
    bool created;
    um_map_slot *sl = um_map_upsert(&j->warned, key, strlen(key), &created);
    if (!sl || !created) return;
    if (++j->n_warned > PJ_MAX_WARNED_KEYS)
        um_warn(j->rc, j->line, "more unrecognised keys; not listed");
    else
        um_warn(j->rc, j->line, "key '%.80s' not recognised; ignored (map it with --mapping)", key);
}

static void add_kv(pj *j, int attr, const char *v) {
    if (attr < 0 || !v || !*v) return;
    if (j->n >= PJ_MAX_KV) {
        j->truncated = true;
        return;
    }
    j->kv[j->n].attr = (um_attr)attr;
    j->kv[j->n].value = v;
    j->attrs[j->n] = attr;
    j->n++;
}

static const char *scalar_text(pj *j, um_jval v) {
    um_jtype t = um_jtype_of(v);
    if (t == UM_J_STRING) return um_jstr(v, NULL);
    if (t == UM_J_INT || t == UM_J_UINT || t == UM_J_DOUBLE || t == UM_J_BOOL) {
        char *tmp = um_arena_alloc(&j->scratch, 48);
        return tmp ? um_jtext(v, tmp, 48) : NULL;
    }
    return NULL;
}

static bool is_scalar(um_jval v) {
    um_jtype t = um_jtype_of(v);
    return t == UM_J_STRING || t == UM_J_INT || t == UM_J_UINT || t == UM_J_DOUBLE || t == UM_J_BOOL;
}

/* Copies a member key (not necessarily NUL-terminated) into buf. */
static const char *key_copy(char *buf, size_t cap, const char *key, size_t klen) {
    if (klen >= cap) klen = cap - 1;
    memcpy(buf, key, klen);
    buf[klen] = 0;
    return buf;
}

static void note_dup(pj *j, um_jval obj, const char *key, const char *shown) {
    unsigned cnt = 0;
    um_jget(obj, key, &cnt);
    if (cnt > 1 && !j->dup) j->dup = um_arena_strdup(&j->scratch, shown);
}

/* ---- one object -> attributes ------------------------------------------- */

typedef struct arr_ctx {
    pj *j;
    int attr;
} arr_ctx;

static int each_array_elem(void *ud, const char *key, size_t klen, um_jval v) {
    (void)key, (void)klen;
    arr_ctx *a = ud;
    if (is_scalar(v)) {
        add_kv(a->j, a->attr, scalar_text(a->j, v));
    } else if (um_jtype_of(v) == UM_J_OBJECT) {
        static const char *const members[] = {"value", "email", "address", "number", "phone", "handle",
                                              "url", "serial"};
        for (size_t i = 0; i < UM_ARRAY_LEN(members); i++) {
            um_jval m = um_jget_ci(v, members[i], NULL);
            if (!is_scalar(m)) continue;
            int attr = a->attr;
            const char *type = um_jstr(um_jget_ci(v, "type", NULL), NULL);
            if (attr == UM_ATTR_EMAIL && type &&
                (um_streq_ci(type, "work") || um_streq_ci(type, "business") || um_streq_ci(type, "company")))
                attr = UM_ATTR_WORK_EMAIL;
            add_kv(a->j, attr, scalar_text(a->j, m));
            break;
        }
    }
    return 0;
}

typedef struct nest_ctx {
    pj *j;
    um_jval obj;
    const char *parent;
    bool container;
    bool ship; /* parent is a ship-to address: join its parts */
    um_buf ship_buf;
} nest_ctx;

static bool address_part(int a) {
    return a == UM_ATTR_ADDRESS || a == UM_ATTR_CITY || a == UM_ATTR_REGION || a == UM_ATTR_POSTAL_CODE ||
           a == UM_ATTR_COUNTRY || a == UM_ATTR_SHIP_ADDRESS;
}

static int each_nested(void *ud, const char *key, size_t klen, um_jval v) {
    nest_ctx *c = ud;
    pj *j = c->j;
    char sub[128], dotted[300];
    key_copy(sub, sizeof sub, key, klen);
    snprintf(dotted, sizeof dotted, "%s.%s", c->parent, sub);
    int a = resolve(j, dotted);
    if (a == -1 && (c->container || c->ship)) a = resolve(j, sub);
    if (a == -1 && c->ship && (um_strstr_ci(sub, "line") || um_strstr_ci(sub, "street"))) a = UM_ATTR_ADDRESS;
    if (a == -2 || um_jtype_of(v) == UM_J_NULL) return 0;
    if (a == -1 || um_jtype_of(v) == UM_J_OBJECT) {
        warn_unknown(j, dotted); /* unknown, or nested deeper than one level */
        return 0;
    }
    note_dup(j, c->obj, sub, dotted);
    if (c->ship && address_part(a)) {
        const char *t = scalar_text(j, v);
        if (t && *t) {
            if (c->ship_buf.len) um_buf_adds(&c->ship_buf, ", ");
            um_buf_adds(&c->ship_buf, t);
        }
        return 0;
    }
    if (is_scalar(v)) add_kv(j, a, scalar_text(j, v));
    else if (um_jtype_of(v) == UM_J_ARRAY) {
        arr_ctx ac = {j, a};
        um_jeach(v, each_array_elem, &ac);
    }
    return 0;
}

typedef struct obj_ctx {
    pj *j;
    um_jval obj;
} obj_ctx;

static int each_member(void *ud, const char *key, size_t klen, um_jval v) {
    obj_ctx *c = ud;
    pj *j = c->j;
    char k[256];
    key_copy(k, sizeof k, key, klen);
    int a = resolve(j, k);
    um_jtype t = um_jtype_of(v);
    if (a == -2 || t == UM_J_NULL) return 0;
    if (t == UM_J_OBJECT) {
        nest_ctx nc = {j, v, k, is_container(k) || (a >= 0 && address_part(a) && a != UM_ATTR_SHIP_ADDRESS),
                       a == UM_ATTR_SHIP_ADDRESS, {0}};
        um_buf_init(&nc.ship_buf);
        unsigned cnt = 0;
        um_jget(c->obj, k, &cnt);
        if (cnt > 1 && !j->dup) j->dup = um_arena_strdup(&j->scratch, k);
        um_jeach(v, each_nested, &nc);
        if (nc.ship_buf.len && !nc.ship_buf.oom) add_kv(j, UM_ATTR_SHIP_ADDRESS, um_arena_strdup(&j->scratch, nc.ship_buf.s));
        um_buf_free(&nc.ship_buf);
        return 0;
    }
    if (a == -1) {
        warn_unknown(j, k);
        return 0;
    }
    note_dup(j, c->obj, k, k);
    if (t == UM_J_ARRAY) {
        arr_ctx ac = {j, a};
        um_jeach(v, each_array_elem, &ac);
    } else {
        add_kv(j, a, scalar_text(j, v));
    }
    return 0;
}

static const char *jtype_name(um_jtype t) {
    switch (t) {
    case UM_J_NULL: return "null";
    case UM_J_BOOL: return "boolean";
    case UM_J_INT:
    case UM_J_UINT:
    case UM_J_DOUBLE: return "number";
    case UM_J_STRING: return "string";
    case UM_J_ARRAY: return "array";
    case UM_J_OBJECT: return "object";
    default: return "nothing";
    }
}

/* One person object. */
static um_status emit_object(pj *j, um_jval obj, uint64_t line) {
    if (um_jtype_of(obj) != UM_J_OBJECT) {
        um_reject(j->rc, line, "array element is not an object (found %s)", jtype_name(um_jtype_of(obj)));
        return UM_OK;
    }
    um_arena_free(&j->scratch);
    um_arena_init(&j->scratch);
    j->n = 0;
    j->truncated = false;
    j->dup = NULL;
    j->line = line;
    obj_ctx c = {j, obj};
    um_jeach(obj, each_member, &c);
    if (j->dup) {
        um_reject(j->rc, line, "duplicate key '%.80s' in object", j->dup);
        return UM_OK;
    }
    if (!j->n) {
        um_reject(j->rc, line, "object has no value under a recognised identity key");
        return UM_OK;
    }
    if (j->truncated) um_warn(j->rc, line, "more than %d values in one object; the rest ignored", PJ_MAX_KV);
    um_person p = {um_column_kind(j->attrs, j->n), um_rc_file(j->rc), line, j->n, j->kv};
    return um_emit_person(j->rc, &p);
}

typedef struct wrap_ctx {
    pj *j;
    uint64_t line;
    um_status st;
} wrap_ctx;

static int each_wrapped(void *ud, const char *key, size_t klen, um_jval v) {
    (void)key, (void)klen;
    wrap_ctx *w = ud;
    w->st = emit_object(w->j, v, w->line);
    return w->st != UM_OK;
}

/* A parsed document (a JSON line): object, wrapper object, or array. */
static um_status emit_doc(pj *j, um_jval root, uint64_t line) {
    um_jtype t = um_jtype_of(root);
    wrap_ctx w = {j, line, UM_OK};
    if (t == UM_J_ARRAY) {
        um_jeach(root, each_wrapped, &w);
        return w.st;
    }
    if (t == UM_J_OBJECT) {
        bool wrapped = false;
        for (size_t i = 0; i < UM_ARRAY_LEN(wrapper_keys) && w.st == UM_OK; i++) {
            unsigned cnt = 0;
            um_jval arr = um_jget_ci(root, wrapper_keys[i], &cnt);
            if (um_jtype_of(arr) != UM_J_ARRAY) continue;
            if (cnt > 1) {
                um_reject(j->rc, line, "duplicate key '%s' in object", wrapper_keys[i]);
                return UM_OK;
            }
            wrapped = true;
            um_jeach(arr, each_wrapped, &w);
        }
        if (wrapped) return w.st;
        return emit_object(j, root, line);
    }
    um_reject(j->rc, line, "not a JSON object (found %s)", jtype_name(t));
    return UM_OK;
}

/* ---- structural scanner for whole documents ------------------------------ */

typedef struct sc {
    const char *b;
    size_t n, i;
    uint64_t line;
} sc;

static void sc_ws(sc *s) {
    while (s->i < s->n) {
        char ch = s->b[s->i];
        if (ch == '\n') s->line++;
        else if (ch != ' ' && ch != '\t' && ch != '\r') break;
        s->i++;
    }
}

static bool sc_str(sc *s) {
    s->i++; /* opening quote */
    while (s->i < s->n) {
        char ch = s->b[s->i++];
        if (ch == '\\') {
            if (s->i < s->n) {
                if (s->b[s->i] == '\n') s->line++;
                s->i++;
            }
        } else if (ch == '"') {
            return true;
        } else if (ch == '\n') {
            s->line++;
        }
    }
    return false;
}

static bool sc_value(sc *s) {
    if (s->i >= s->n) return false;
    char ch = s->b[s->i];
    if (ch == '"') return sc_str(s);
    if (ch == '{' || ch == '[') {
        size_t depth = 0;
        while (s->i < s->n) {
            ch = s->b[s->i];
            if (ch == '"') {
                if (!sc_str(s)) return false;
                continue;
            }
            if (ch == '{' || ch == '[') depth++;
            else if (ch == '}' || ch == ']') {
                if (--depth == 0) {
                    s->i++;
                    return true;
                }
            } else if (ch == '\n') s->line++;
            s->i++;
        }
        return false;
    }
    size_t st = s->i;
    while (s->i < s->n) {
        ch = s->b[s->i];
        if (ch == ',' || ch == ']' || ch == '}' || ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') break;
        s->i++;
    }
    return s->i > st;
}

static um_status parse_emit(pj *j, const char *b, size_t len, uint64_t line, bool element) {
    um_jval root;
    const char *err = NULL;
    if (!um_utf8_valid(b, len)) {
        um_reject(j->rc, line, "invalid UTF-8 (convert the file to UTF-8)");
        return UM_OK;
    }
    if (um_json_parse(j->p, b, len, &root, &err) != 0) {
        um_reject(j->rc, line, "invalid JSON: %s", err ? err : "parse error");
        return UM_OK;
    }
    return element ? emit_object(j, root, line) : emit_doc(j, root, line);
}

/* s->i at '['. */
static um_status read_array(pj *j, sc *s) {
    uint64_t open_line = s->line;
    s->i++;
    bool first = true;
    for (;;) {
        sc_ws(s);
        if (s->i >= s->n) {
            um_reject(j->rc, open_line, "array opened here is not closed");
            s->i = s->n; /* the rest cannot be split reliably */
            return UM_OK;
        }
        if (s->b[s->i] == ']') {
            s->i++;
            return UM_OK;
        }
        if (!first) {
            if (s->b[s->i] != ',') {
                um_reject(j->rc, s->line, "expected ',' or ']' between array elements");
                s->i = s->n; /* the rest cannot be split reliably */
            return UM_OK;
            }
            s->i++;
            sc_ws(s);
        }
        first = false;
        size_t st = s->i;
        uint64_t ln = s->line;
        if (!sc_value(s)) {
            um_reject(j->rc, ln, "unterminated or missing JSON value");
            s->i = s->n; /* the rest cannot be split reliably */
            return UM_OK;
        }
        um_status r = parse_emit(j, s->b + st, s->i - st, ln, true);
        if (r != UM_OK) return r;
        um_rc_progress(j->rc, s->i);
    }
}

/* s->i at '{' of a whole-file object: wrapper arrays, or one person. */
static um_status read_object(pj *j, sc *s) {
    size_t start = s->i;
    uint64_t start_line = s->line;
    sc probe = *s;
    probe.i++;
    bool wrapped = false;
    char seen[UM_ARRAY_LEN(wrapper_keys)] = {0};
    for (;;) {
        sc_ws(&probe);
        if (probe.i >= probe.n) break;
        if (probe.b[probe.i] == '}') {
            probe.i++;
            break;
        }
        if (probe.b[probe.i] == ',') {
            probe.i++;
            continue;
        }
        if (probe.b[probe.i] != '"') break; /* let the parser report it */
        size_t ks = probe.i + 1;
        if (!sc_str(&probe)) break;
        size_t klen = probe.i - 1 - ks;
        sc_ws(&probe);
        if (probe.i >= probe.n || probe.b[probe.i] != ':') break;
        probe.i++;
        sc_ws(&probe);
        if (probe.i < probe.n && probe.b[probe.i] == '[' && is_wrapper(probe.b + ks, klen)) {
            size_t w = 0;
            while (!um_strneq_ci(probe.b + ks, klen, wrapper_keys[w])) w++;
            if (seen[w]) {
                um_reject(j->rc, probe.line, "duplicate key '%s' in object; second array ignored", wrapper_keys[w]);
                if (!sc_value(&probe)) break;
                continue;
            }
            seen[w] = 1;
            wrapped = true;
            um_status r = read_array(j, &probe);
            if (r != UM_OK) return r;
            continue;
        }
        if (!sc_value(&probe)) break;
    }
    if (wrapped) {
        *s = probe;
        return UM_OK;
    }
    /* a single object: one person */
    if (!sc_value(s)) {
        um_reject(j->rc, start_line, "unterminated JSON object");
        s->i = s->n;
        return UM_OK;
    }
    return parse_emit(j, s->b + start, s->i - start, start_line, false);
}

static um_status read_whole(pj *j, FILE *f) {
    size_t cap = 1u << 16, len = 0;
    char *buf = um_malloc(cap + UM_JSON_PADDING);
    if (!buf) return UM_ENOMEM;
    for (;;) {
        if (len == cap) {
            if (cap > PJ_MAX_FILE) break;
            size_t nc = cap * 2;
            char *nb = um_realloc(buf, nc + UM_JSON_PADDING);
            if (!nb) {
                um_free(buf);
                return UM_ENOMEM;
            }
            buf = nb;
            cap = nc;
        }
        size_t r = fread(buf + len, 1, cap - len, f);
        if (r == 0) break;
        len += r;
    }
    if (len > PJ_MAX_FILE) {
        um_reject(j->rc, 0, "JSON document larger than 256 MiB; export it as JSON lines instead");
        um_free(buf);
        return UM_OK;
    }
    memset(buf + len, 0, UM_JSON_PADDING);
    sc s = {buf, len, 0, 1};
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) s.i = 3;
    um_status st = UM_OK;
    sc_ws(&s);
    if (s.i < s.n) {
        if (s.b[s.i] == '[') st = read_array(j, &s);
        else if (s.b[s.i] == '{') st = read_object(j, &s);
        else {
            um_reject(j->rc, s.line, "not a JSON array or object");
            s.i = s.n;
        }
    }
    if (st == UM_OK) {
        sc_ws(&s);
        if (s.i < s.n) um_reject(j->rc, s.line, "unexpected data after the JSON document; ignored");
    }
    um_rc_progress(j->rc, len);
    um_free(buf);
    return st;
}

static um_status read_lines(pj *j, FILE *f) {
    um_lines l;
    um_lines_init(&l, f, UM_JSON_MAX_DOC);
    const char *line;
    size_t len;
    um_status st = UM_OK;
    um_rsink sk = um_rsink_reader(j->rc);
    while (st == UM_OK && um_rsink_next_line(&l, &sk, UM_LINE_BOM | UM_LINE_SKIP_BLANK, &line, &len))
        st = parse_emit(j, line, len, l.lineno, false);
    um_lines_free(&l);
    return st;
}

/* JSON lines when the first value ends on the first line. */
static bool looks_like_lines(const char *head, size_t n) {
    sc s = {head, n, 0, 1};
    if (n >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0) s.i = 3;
    sc_ws(&s);
    if (s.i >= n || s.b[s.i] != '{' || s.line != 1) return false;
    if (!sc_value(&s) || s.line != 1) return false;
    while (s.i < n && (head[s.i] == ' ' || head[s.i] == '\t' || head[s.i] == '\r')) s.i++;
    return s.i >= n || head[s.i] == '\n';
}

static um_status read_json(um_reader_ctx *rc, FILE *f) {
    char *head = um_malloc(PJ_HEAD);
    if (!head) return UM_ENOMEM;
    size_t hn = fread(head, 1, PJ_HEAD, f);
    rewind(f);
    bool lines = looks_like_lines(head, hn);
    um_free(head);
    pj j;
    memset(&j, 0, sizeof j);
    j.rc = rc;
    j.p = um_json_new();
    if (!j.p) return UM_ENOMEM;
    um_arena_init(&j.scratch);
    um_map_init(&j.warned);
    um_status st = lines ? read_lines(&j, f) : read_whole(&j, f);
    um_map_free(&j.warned);
    um_arena_free(&j.scratch);
    um_json_free(j.p);
    return st;
}

/* ---- detection ----------------------------------------------------------- */

static int detect(const char *path, const char *head, size_t n) {
    (void)path;
    long start = um_json_head_start(head, n);
    if (start < 0) return 0;
    size_t i = (size_t)start;
    /* log formats with their own readers */
    static const char *const logs[] = {"\"eventType\"", "\"createdDateTime\"", "\"EventID\"", "\"EventData\"",
                                       "\"activityDisplayName\"", "\"legacyEventType\"", "\"TimeCreated\""};
    bool known[UM_ATTR__COUNT] = {false};
    int distinct = 0;
    for (size_t k = 0; k < UM_ARRAY_LEN(logs); k++)
        if (memmem(head, n, logs[k], strlen(logs[k]))) return 5;
    while (i < n) {
        if (head[i] != '"') {
            i++;
            continue;
        }
        size_t ks = ++i;
        while (i < n && head[i] != '"') i += head[i] == '\\' ? 2 : 1;
        if (i >= n) break;
        size_t ke = i++;
        size_t q = i;
        while (q < n && (head[q] == ' ' || head[q] == '\t' || head[q] == '\r' || head[q] == '\n')) q++;
        if (q >= n || head[q] != ':' || ke - ks >= 64) continue;
        char key[64];
        memcpy(key, head + ks, ke - ks);
        key[ke - ks] = 0;
        int a = um_column_attr(key);
        if (a >= 0 && !known[a]) {
            known[a] = true;
            distinct++;
        }
    }
    if (distinct >= 2) return 50;
    return distinct == 1 ? 15 : 0;
}

const um_reader um_reader_person_json = {
    "person-json",
    "applicant, HR, payroll and laptop-shipping exports as JSON (array, {\"data\": [...]}, or JSON lines; "
    "any key names, one level of nesting)",
    0, detect, read_json, NULL, false, false, NULL, 0, NULL, NULL};
