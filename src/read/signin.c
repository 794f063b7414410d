/*
 * signin.c - JSON framing and field helpers shared by the Okta and Entra
 * sign-in readers (see signin.h).
 *
 * Framing is chosen from the start of the file:
 *   - '[' first: a JSON array (API response). Streamed: a small state
 *     machine finds each top-level element, which is parsed on its own, so
 *     files of any size work and a broken element is one reject.
 *   - '{' followed by more text on the same line: JSON lines.
 *   - '{' alone on its line: pretty-printed object(s), streamed like array
 *     elements.
 *   - anything else: JSON lines (each bad line is then its own reject).
 * A parsed object {"value":[...]} (Microsoft Graph page) is unwrapped.
 */
#include <stdarg.h>
#include <string.h>

#include "../core/partition.h"
#include "rsink.h"
#include "signin.h"
#include "winevent.h"
#include "../detect/rules.h"
#include "../util/cfmt.h"

#define SNIFF_BYTES 65536

typedef struct frame {
    um_reader_ctx *rc;
    um_json *json;
    um_signin_rec_fn fn;
    void *ud;
    uint64_t records; /* records handed to fn or rejected */
} frame;

typedef struct each_ctx {
    frame *fr;
    uint64_t line;
    const char *label;
    size_t i;
    um_status st;
} each_ctx;

static bool is_ws(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static int each_elem(void *ud, const char *key, size_t klen, um_jval val) {
    (void)key;
    (void)klen;
    each_ctx *e = ud;
    char pos[48];
    snprintf(pos, sizeof pos, "%s[%zu]", e->label, e->i++);
    e->fr->records++;
    e->st = e->fr->fn(e->fr->rc, e->fr->ud, val, e->line, pos);
    return e->st != UM_OK;
}

/* A Graph page: an object whose "value" is an array and that is not itself
 * a record. */
static bool is_graph_page(um_jval root) {
    if (um_jtype_of(root) != UM_J_OBJECT) return false;
    if (um_jtype_of(um_jget(root, "value", NULL)) != UM_J_ARRAY) return false;
    static const char *rec_keys[] = {"eventType", "properties", "createdDateTime", "published"};
    for (size_t i = 0; i < UM_ARRAY_LEN(rec_keys); i++)
        if (um_jok(um_jget(root, rec_keys[i], NULL))) return false;
    return true;
}

/* One parsed top-level document: a record, an array of records, or a Graph
 * page. pos labels it when streamed from an array. */
static um_status handle_doc(frame *fr, um_jval root, uint64_t line, const char *pos) {
    if (um_jtype_of(root) == UM_J_ARRAY || is_graph_page(root)) {
        unsigned dup = 0;
        um_jval arr = root;
        if (um_jtype_of(root) == UM_J_OBJECT) {
            arr = um_jget(root, "value", &dup);
            if (dup > 1) {
                fr->records++;
                um_reject(fr->rc, line, "%s%sduplicate key 'value' in Graph page", pos ? pos : "",
                          pos ? ": " : "");
                return UM_OK;
            }
        }
        char label[40];
        snprintf(label, sizeof label, "%s", um_jtype_of(root) == UM_J_ARRAY ? "event" : "value");
        each_ctx e = {fr, line, label, 0, UM_OK};
        um_jeach(arr, each_elem, &e);
        return e.st;
    }
    fr->records++;
    return fr->fn(fr->rc, fr->ud, root, line, pos);
}

/* Parses buf[0..n) (with UM_JSON_PADDING readable bytes after it) and
 * hands it on, or rejects it. */
static um_status parse_record(frame *fr, const char *buf, size_t n, uint64_t line, const char *pos) {
    const char *sep = pos ? ": " : "", *p = pos ? pos : "";
    if (memchr(buf, 0, n)) {
        fr->records++;
        um_reject(fr->rc, line, "%s%sNUL byte inside the record", p, sep);
        return UM_OK;
    }
    if (!um_utf8_valid(buf, n)) {
        fr->records++;
        um_reject(fr->rc, line, "%s%sinvalid UTF-8 (convert the file to UTF-8)", p, sep);
        return UM_OK;
    }
    um_jval root;
    const char *err = NULL;
    if (um_json_parse(fr->json, buf, n, &root, &err) != 0) {
        fr->records++;
        um_reject(fr->rc, line, "%s%sinvalid JSON (%s)", p, sep, err ? err : "syntax");
        return UM_OK;
    }
    return handle_doc(fr, root, line, pos);
}

static um_status read_lines(frame *fr, FILE *f, uint64_t *lines) {
    um_lines l;
    um_lines_init(&l, f, UM_JSON_MAX_DOC);
    um_lines_allow_map(&l); /* parse_record reads [line, line + len) only (the parser: padding of any bytes) */
    const char *line;
    size_t len;
    um_status st = UM_OK;
    um_rsink sk = um_rsink_reader(fr->rc);
    while (st == UM_OK && um_rsink_next_line(&l, &sk, UM_LINE_BOM | UM_LINE_SKIP_WS, &line, &len))
        st = parse_record(fr, line, len, l.lineno, NULL);
    fr->records += l.n_too_long; /* rejected records too */
    if (lines) *lines = l.lineno;
    um_lines_free(&l);
    return st;
}

/* ---- streamed arrays / pretty-printed objects ---- */

typedef struct stream {
    char *buf;
    size_t len, cap;
    bool big;        /* element exceeded UM_JSON_MAX_DOC; bytes no longer kept */
    bool oom;
} stream;

static void stream_add(stream *s, char c) {
    if (s->big || s->oom) return;
    if (s->len >= UM_JSON_MAX_DOC) {
        s->big = true;
        return;
    }
    if (s->len + 1 + UM_JSON_PADDING > s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 65536;
        char *nb = um_realloc(s->buf, nc);
        if (!nb) {
            s->oom = true;
            return;
        }
        s->buf = nb;
        s->cap = nc;
    }
    s->buf[s->len++] = c;
}

static um_status read_stream(frame *fr, FILE *f) {
    stream s = {0};
    char stack[UM_JSON_MAX_DEPTH + 1];
    int depth = 0, base = 0;
    bool in_str = false, esc = false, in_elem = false, skip_line = false;
    uint64_t line = 1, elem_line = 0, bytes = 0, elem_idx = 0;
    bool in_array = false;
    um_status st = UM_OK;
    int c;
    while (st == UM_OK && (c = getc_unlocked(f)) != EOF) {
        bytes++;
        if (bytes == 1 && c == 0xEF) { /* UTF-8 byte-order mark */
            int c2 = getc_unlocked(f), c3 = c2 == EOF ? EOF : getc_unlocked(f);
            if (c2 == 0xBB && c3 == 0xBF) {
                bytes += 2;
                continue;
            }
            um_reject(fr->rc, 1, "file starts with a broken byte-order mark; file not read");
            break;
        }
        if ((bytes & 0xFFFFF) == 0) um_rc_progress(fr->rc, bytes);
        if (skip_line) {
            if (c == '\n') {
                line++;
                skip_line = false;
            }
            continue;
        }
        if (in_elem) {
            stream_add(&s, (char)c);
            if (c == '\n') line++;
            if (in_str) {
                if (esc) esc = false;
                else if (c == '\\') esc = true;
                else if (c == '"') in_str = false;
                continue;
            }
            if (c == '"') {
                in_str = true;
            } else if (c == '{' || c == '[') {
                if (depth - base >= UM_JSON_MAX_DEPTH) {
                    um_reject(fr->rc, line, "record starting at line %llu nests deeper than %d; rest of file not read",
                              (unsigned long long)elem_line, UM_JSON_MAX_DEPTH);
                    fr->records++;
                    in_elem = false;
                    goto done;
                }
                stack[depth - base] = (char)c;
                depth++;
            } else if (c == '}' || c == ']') {
                char open = stack[depth - base - 1];
                if ((c == '}') != (open == '{')) {
                    um_reject(fr->rc, line,
                              "malformed JSON: '%c' closes '%c' (record starting at line %llu); rest of file not read",
                              c, open, (unsigned long long)elem_line);
                    fr->records++;
                    in_elem = false;
                    goto done;
                }
                depth--;
                if (depth == base) { /* element complete */
                    in_elem = false;
                    char pos[48];
                    snprintf(pos, sizeof pos, "%s[%llu]", in_array ? "event" : "object",
                             (unsigned long long)elem_idx++);
                    if (s.oom) {
                        st = UM_ENOMEM;
                    } else if (s.big) {
                        fr->records++;
                        um_reject(fr->rc, elem_line, "%s: record larger than %u bytes", pos,
                                  (unsigned)UM_JSON_MAX_DOC);
                    } else {
                        memset(s.buf + s.len, 0, UM_JSON_PADDING);
                        st = parse_record(fr, s.buf, s.len, elem_line, pos);
                    }
                    s.len = 0;
                    s.big = false;
                }
            }
            continue;
        }
        /* between records */
        if (c == '\n') {
            line++;
            continue;
        }
        if (is_ws(c)) continue;
        if (c == ',' && in_array) continue;
        if (c == '[' && depth == 0) {
            in_array = true;
            depth = base = 1;
            continue;
        }
        if (c == ']' && in_array) {
            in_array = false;
            depth = base = 0;
            continue;
        }
        if (c == '{' || (c == '[' && in_array)) {
            in_elem = true;
            elem_line = line;
            s.len = 0;
            stream_add(&s, (char)c);
            stack[0] = (char)c;
            depth = base + 1;
            continue;
        }
        fr->records++;
        if (c >= 0x20 && c < 0x7f)
            um_reject(fr->rc, line, "unexpected '%c' where a JSON record should start; rest of line skipped", c);
        else
            um_reject(fr->rc, line, "unexpected byte 0x%02x where a JSON record should start; rest of line skipped", c);
        skip_line = true;
    }
    if (in_elem) {
        fr->records++;
        um_reject(fr->rc, elem_line, "truncated JSON: record starting at line %llu is not closed at end of file",
                  (unsigned long long)elem_line);
    } else if (in_array && st == UM_OK) {
        um_warn(fr->rc, line, "JSON array not closed at end of file (file cut short?)");
    }
done:
    um_free(s.buf);
    return st;
}

/* How a file starting with head[0..n) is framed: 0 JSON lines, 1 an array
 * or pretty-printed objects (streamed), -1 empty (only blanks). */
static int framing(const char *head, size_t n) {
    size_t i = 0;
    if (n >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0) i = 3;
    while (i < n && is_ws((unsigned char)head[i])) i++;
    if (i == n && n < SNIFF_BYTES) return -1;
    if (i < n && head[i] == '[') return 1;
    if (i < n && head[i] == '{') {
        size_t j = i + 1;
        while (j < n && head[j] != '\n' && is_ws((unsigned char)head[j])) j++;
        return j < n && head[j] == '\n';
    }
    return 0;
}

bool um_signin_splittable(const char *head, size_t n) {
    if (n > SNIFF_BYTES) n = SNIFF_BYTES;
    return framing(head, n) == 0;
}

um_status um_signin_read_json(um_reader_ctx *rc, FILE *f, um_signin_rec_fn fn, void *ud) {
    if (!f) {
        um_reject(rc, 0, "sign-in logs are read from files, not folders");
        return UM_OK;
    }
    char *head = um_malloc(SNIFF_BYTES);
    if (!head) return UM_ENOMEM;
    size_t n = fread(head, 1, SNIFF_BYTES, f);
    if (fseek(f, 0, SEEK_SET) != 0) {
        um_free(head);
        um_reject(rc, 0, "file is not seekable; not read");
        return UM_OK;
    }
    int mode = framing(head, n);
    um_free(head);
    if (mode < 0) {
        um_warn(rc, 0, "empty file: no sign-in records");
        return UM_OK;
    }
    bool stream_mode = mode == 1;
    frame fr = {rc, um_json_new(), fn, ud, 0};
    if (!fr.json) return UM_ENOMEM;
    um_status st = stream_mode ? read_stream(&fr, f) : read_lines(&fr, f, NULL);
    um_json_free(fr.json);
    if (st == UM_OK && fr.records == 0) um_warn(rc, 0, "no sign-in records in file");
    return st;
}

/* ---- field helpers ---- */

void um_sf_fail(um_sf *sf, const char *fmt, ...) {
    if (!sf->bad) {
        va_list ap;
        va_start(ap, fmt);
        um_vsnprintf(sf->msg->why, sizeof sf->msg->why, fmt, ap);
        va_end(ap);
    }
    sf->bad = true;
}

void um_signin_warn(um_signin_msg *msg, const char *fmt, ...) {
    size_t n = strlen(msg->warn);
    if (n + 3 >= sizeof msg->warn) return;
    if (n) {
        memcpy(msg->warn + n, "; ", 3);
        n += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    um_vsnprintf(msg->warn + n, sizeof msg->warn - n, fmt, ap);
    va_end(ap);
}

void um_sf_list(um_sf *sf, um_jval obj, um_jmember *m, size_t max) {
    sf->lm = NULL;
    if (um_jtype_of(obj) != UM_J_OBJECT) return;
    size_t n = um_jmembers(obj, m, max);
    if (n > max) return;
    sf->lm = m;
    sf->ln = n;
    sf->lobj = obj;
}

/* um_jpath(from, path, dups) where from is the listed object: its first key
 * from the list (the first of equal keys, the others counted as um_jget
 * does), the rest of the path as um_jpath. */
static um_jval listed_path(const um_sf *sf, const char *path, unsigned *dups) {
    um_jval none = {{0, 0}};
    if (!*path) return sf->lobj;
    const char *dot = strchr(path, '.');
    size_t n = dot ? (size_t)(dot - path) : strlen(path);
    if (n >= 128) return none; /* as um_jpath: no key we look up is this long */
    um_jval cur = none;
    unsigned c = 0;
    for (size_t i = 0; i < sf->ln; i++)
        if (sf->lm[i].klen == n && memcmp(sf->lm[i].key, path, n) == 0 && c++ == 0) cur = sf->lm[i].val;
    if (c > 1) *dups += c - 1;
    if ((cur.w[0] == 0 && cur.w[1] == 0) || !dot) return cur; /* missing, or the whole path */
    return um_jpath(cur, dot + 1, dups);
}

um_jval um_sf_get(um_sf *sf, um_jval from, const char *path) {
    unsigned dups = 0;
    um_jval v = sf->lm && from.w[0] == sf->lobj.w[0] && from.w[1] == sf->lobj.w[1] ? listed_path(sf, path, &dups)
                                                                                    : um_jpath(from, path, &dups);
    if (dups) um_sf_fail(sf, "duplicate key '%s'", path);
    return v;
}

const char *um_sf_str(um_sf *sf, um_jval from, const char *path) {
    um_jval v = um_sf_get(sf, from, path);
    um_jtype t = um_jtype_of(v);
    if (t == UM_J_MISSING || t == UM_J_NULL) return NULL;
    size_t len = 0;
    const char *s = um_jstr(v, &len);
    if (!s) {
        um_sf_fail(sf, "'%s' is not a string", path);
        return NULL;
    }
    if (strlen(s) != len) {
        um_sf_fail(sf, "'%s' holds a NUL character", path);
        return NULL;
    }
    return s;
}

bool um_sf_time(um_sf *sf, um_jval from, const char *path, bool required, int64_t *us) {
    const char *s = um_sf_str(sf, from, path);
    if (!s || !*s) {
        if (required) um_sf_fail(sf, "missing '%s' time", path);
        return false;
    }
    int tz = 0;
    bool has_tz = false;
    if (!um_time_parse_iso(s, strlen(s), us, &tz, &has_tz)) {
        um_sf_fail(sf, "'%s' is not a valid ISO 8601 time: '%.40s'", path, s);
        return false;
    }
    if (!has_tz) um_signin_warn(sf->msg, "'%s' has no time zone; taken as UTC", path);
    return true;
}

const char *um_signin_country(um_signin_msg *msg, const char *text) {
    if (!text || !*text) return NULL;
    const char *cc = um_country_code(text);
    if (!cc) um_signin_warn(msg, "unknown country '%.40s' ignored", text);
    return cc;
}

uint32_t um_signin_asn(um_signin_msg *msg, um_jval v, const char *what) {
    um_jtype t = um_jtype_of(v);
    if (t == UM_J_MISSING || t == UM_J_NULL) return 0;
    int64_t i = -1;
    double d;
    if (!um_jint(v, &i) && um_jdouble(v, &d) && d >= 0 && d <= 4294967295.0 && (double)(int64_t)d == d)
        i = (int64_t)d;
    if (i < 0 || i > (int64_t)UINT32_MAX) {
        char tmp[40];
        const char *txt = um_jtext(v, tmp, sizeof tmp);
        um_signin_warn(msg, "'%s' is not an AS number: '%.30s'", what, txt ? txt : "?");
        return 0;
    }
    return (uint32_t)i;
}

void um_signin_geo(um_signin_msg *msg, um_jval lat, um_jval lon, um_event *ev) {
    um_jtype ta = um_jtype_of(lat), to = um_jtype_of(lon);
    bool none_a = ta == UM_J_MISSING || ta == UM_J_NULL, none_o = to == UM_J_MISSING || to == UM_J_NULL;
    if (none_a && none_o) return;
    double a, o;
    if (!um_jdouble(lat, &a) || !um_jdouble(lon, &o) || !(a >= -90 && a <= 90) || !(o >= -180 && o <= 180)) {
        um_signin_warn(msg, "geolocation is not a latitude/longitude pair in range; ignored");
        return;
    }
    ev->lat = a;
    ev->lon = o;
    ev->has_geo = true;
}

/* ---- the record loop both readers share ---- */

typedef struct signin_state {
    um_signin_map_fn map;
    uint64_t skipped;
    const char *category; /* Sigma logsource the record is presented as */
    um_winfields *bag;    /* the record flattened, for the Sigma rules */
    char *pool;           /* flattened names and number texts, per record */
    size_t pool_used, pool_cap;
} signin_state;

#define SIGNIN_MAX_DEPTH 6

static const char *pool_put(signin_state *st, const char *a, size_t an, const char *b, size_t bn) {
    size_t need = an + (an && bn ? 1 : 0) + bn + 1;
    if (st->pool_used + need > st->pool_cap) return NULL;
    char *o = st->pool + st->pool_used;
    memcpy(o, a, an);
    size_t k = an;
    if (an && bn) o[k++] = '.';
    memcpy(o + k, b, bn);
    o[k + bn] = 0;
    st->pool_used += need;
    return o;
}

typedef struct flat_ctx {
    signin_state *st;
    const char *prefix;
    size_t plen;
    int depth;
} flat_ctx;

static int flatten_one(void *ud, const char *key, size_t klen, um_jval v);

static void flatten(signin_state *st, um_jval obj, const char *prefix, size_t plen, int depth) {
    flat_ctx fc = {st, prefix, plen, depth};
    um_jeach(obj, flatten_one, &fc);
}

/* Adds every scalar of an object under its dotted path ("client.ipAddress");
 * arrays are left out, nulls too. Entra's "properties." prefix is dropped,
 * so the names are the SigninLogs columns the Sigma azure rules use. */
static int flatten_one(void *ud, const char *key, size_t klen, um_jval v) {
    flat_ctx *fc = ud;
    signin_state *st = fc->st;
    if (memchr(key, 0, klen)) return 0;
    if (fc->depth == 0 && klen == 10 && !memcmp(key, "properties", 10) && um_jtype_of(v) == UM_J_OBJECT) {
        flatten(st, v, "", 0, 1);
        return 0;
    }
    um_jtype t = um_jtype_of(v);
    if (t == UM_J_OBJECT) {
        if (fc->depth >= SIGNIN_MAX_DEPTH) return 0;
        const char *name = pool_put(st, fc->prefix, fc->plen, key, klen);
        if (name) flatten(st, v, name, strlen(name), fc->depth + 1);
        return 0;
    }
    if (t == UM_J_ARRAY || t == UM_J_NULL || t == UM_J_MISSING) return 0;
    const char *name = pool_put(st, fc->prefix, fc->plen, key, klen);
    if (!name) return 0;
    size_t len = 0;
    const char *val = t == UM_J_STRING ? um_jstr(v, &len) : NULL;
    if (t == UM_J_STRING) {
        if (!val || strlen(val) != len) return 0;
    } else {
        char tmp[64];
        const char *txt = um_jtext(v, tmp, sizeof tmp);
        if (!txt) return 0;
        val = pool_put(st, txt, strlen(txt), "", 0);
        if (!val) return 0;
        len = strlen(val);
    }
    um_winfields_add(st->bag, name, val, len, 1);
    return 0;
}

static um_status on_record(um_reader_ctx *rc, void *ud, um_jval rec, uint64_t line, const char *pos) {
    signin_state *st = ud;
    um_event ev;
    um_event_init(&ev);
    um_signin_msg msg;
    int r = st->map(rec, &ev, &msg);
    const char *p = pos ? pos : "", *sep = pos ? ": " : "";
    if (r < 0) {
        um_reject(rc, line, "%s%s%s", p, sep, msg.why);
        return UM_OK;
    }
    if (r == 0) {
        st->skipped++;
        return UM_OK;
    }
    if (msg.warn[0]) um_warn(rc, line, "%s%s%s", p, sep, msg.warn);
    ev.src_line = line;
    if (!ev.record_id) ev.record_id = pos;
    if (st->bag) {
        um_signin_flatten(rec, st->category, st->bag, st->pool, st->pool_cap);
        um_event_set_fields(&ev, st->bag);
    }
    return um_emit_event(rc, &ev);
}

void um_signin_flatten(um_jval rec, const char *category, um_winfields *bag, char *pool, size_t pool_cap) {
    signin_state st = {NULL, 0, category, bag, pool, 0, pool_cap};
    um_winfields_reset(bag);
    um_winfields_add(bag, "_unmask_category", category, strlen(category), 1);
    flatten(&st, rec, "", 0, 0);
}

const char *um_signin_category(um_signin_map_fn map) {
    return map == um_okta_map ? "okta" : "azure_signinlogs";
}

um_status um_signin_read(um_reader_ctx *rc, FILE *f, um_signin_map_fn map, const char *skipped_fmt) {
    const char *category = um_signin_category(map);
    signin_state st = {map, 0, category, NULL, NULL, 0, UM_SIGNIN_POOL};
    /* the record goes to the Sigma rules only when some rule reads sign-ins
     * (the scan built the pack before any log input is read; the gate never
     * compiles, and says yes when nothing is built) */
    um_scan *scan = um_rc_scan(rc);
    bool want = !scan || um_scan_gates_open(scan) || um_rules_want_signins(um_scan_ctx(scan));
    if (want) {
        st.bag = um_calloc(1, sizeof *st.bag);
        st.pool = um_malloc(UM_SIGNIN_POOL);
    }
    if (want && (!st.bag || !st.pool)) {
        um_free(st.bag);
        um_free(st.pool);
        return UM_ENOMEM;
    }
    um_status s;
    um_part *part = um_rc_part(rc);
    if (part && f) { /* a part of a JSON-lines file: tallies for the merge, no end-of-file warnings */
        um_signin_sum *sum = part->summary;
        frame fr = {rc, um_json_new(), on_record, &st, 0};
        s = fr.json ? read_lines(&fr, f, &part->lines) : UM_ENOMEM;
        um_json_free(fr.json);
        sum->records += fr.records;
        sum->skipped += st.skipped;
        um_free(st.bag);
        um_free(st.pool);
        return s;
    }
    s = um_signin_read_json(rc, f, on_record, &st);
    um_free(st.bag);
    um_free(st.pool);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    if (s == UM_OK && st.skipped) um_warn(rc, 0, skipped_fmt, (unsigned long long)st.skipped);
#pragma GCC diagnostic pop
    return s;
}

bool um_signin_part_valid(const void *summary) {
    (void)summary;
    return true;
}

void um_signin_part_merge(void *into, const void *part) {
    um_signin_sum *a = into;
    const um_signin_sum *b = part;
    a->records += b->records;
    a->skipped += b->skipped;
}

void um_signin_part_finish(um_reader_ctx *rc, const void *merged, const char *skipped_fmt) {
    const um_signin_sum *m = merged;
    if (m->records == 0) um_warn(rc, 0, "no sign-in records in file");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    if (m->skipped) um_warn(rc, 0, skipped_fmt, (unsigned long long)m->skipped);
#pragma GCC diagnostic pop
}
