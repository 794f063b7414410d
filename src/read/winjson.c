/*
 * winjson.c - Windows events as JSON:
 *   sysmon-json  : evtx_dump / Sigma regression style, pretty-printed
 *                  {"Event":{"System":{...},"EventData":{...}}} objects
 *                  concatenated (also one per line, or inside an array).
 *                  Objects are split by brace matching that respects
 *                  strings and escapes; each keeps the line it starts on.
 *   winlog-jsonl : JSON lines, either NXLog/OTRF flat (EventData fields at
 *                  top level beside Hostname, Channel, EventID, @timestamp)
 *                  or Winlogbeat/ECS (winlog.event_id, winlog.event_data.*).
 * All three shapes become a bag of fields handed to um_winevent_map().
 */
#include <stdio.h>
#include <stddef.h>
#include <string.h>

#include "../core/internal.h"
#include "../core/partition.h"
#include "../util/json.h"
#include "rsink.h"
#include "winevent.h"

#define WJ_MAX_RECORD (1u << 20) /* 1 MiB: a Windows event is at most 64 KiB */
#define WJ_MAX_SKIP_IDS 12
#define WJ_NUM_LEN 32
#define WJ_MEMBERS UM_WIN_MAX_FIELDS /* an object with more: the bag rejects the record anyway */

typedef struct wj_skip {
    unsigned id;
    uint64_t n;
} wj_skip;

struct um_winjson {
    um_json *parser;
    um_winfields wf;
    char nums[UM_WIN_MAX_FIELDS][WJ_NUM_LEN]; /* text of numeric values */
    /* members of the record's top object and of the object being added
     * (um_jmembers: one walk each, no call per member) */
    um_jmember top[WJ_MEMBERS], sub[WJ_MEMBERS];
    size_t nnums;
    bool bad_key;
    char why[160];
};

/* End-of-file tallies: plain data, so a part of a split file keeps its own
 * and the parts' are merged (src/core/partition.h). The warning names the
 * first WJ_MAX_SKIP_IDS ids; WJ_SUM_SKIP_IDS are counted so that merging
 * parts in order gives the same first ids and counts as one whole-file
 * read (exact unless one part holds more than WJ_SUM_SKIP_IDS distinct
 * unhandled ids). */
#define WJ_SUM_SKIP_IDS 256
typedef struct wj_sum {
    uint64_t records; /* objects seen (good or bad) */
    uint64_t skipped;
    wj_skip skip[WJ_SUM_SKIP_IDS];
    size_t nskip;
    bool skip_more;
} wj_sum;

/* Reader state for one file. */
typedef struct wj {
    um_reader_ctx *rc;
    um_winjson *j;
    wj_sum own;
    wj_sum *sum; /* &own, or the part's summary */
} wj;

/* ---- building the bag ---- */

/* klen: the key's length when name is a JSON key that may hold a NUL
 * (SIZE_MAX: a name of ours). */
static void add_val_k(um_winjson *w, const char *name, size_t klen, um_jval v, unsigned count) {
    size_t len = 0;
    const char *s = NULL;
    um_jtype t = um_jtype_of(v);
    if (t == UM_J_STRING) {
        s = um_jstr(v, &len);
    } else if (t == UM_J_INT || t == UM_J_UINT || t == UM_J_DOUBLE || t == UM_J_BOOL) {
        if (w->nnums >= UM_WIN_MAX_FIELDS) {
            w->wf.dropped++;
            return;
        }
        s = um_jtext(v, w->nums[w->nnums], WJ_NUM_LEN);
        if (s) {
            w->nnums++;
            len = strlen(s);
        }
    } else if (t != UM_J_MISSING) {
        s = ""; /* null / object / array: present (for duplicate counting) but empty */
    }
    if (!s) return;
    if (klen == SIZE_MAX) um_winfields_add(&w->wf, name, s, len, count);
    else if (!um_winfields_add_key(&w->wf, name, klen, s, len, count)) w->bad_key = true;
}

static void add_val(um_winjson *w, const char *name, um_jval v, unsigned count) {
    add_val_k(w, name, SIZE_MAX, v, count);
}

static int add_member(void *ud, const char *key, size_t klen, um_jval val) {
    um_winjson *w = ud;
    if (!key) {
        w->bad_key = true;
        return 0;
    }
    add_val_k(w, key, klen, val, 1); /* a NUL inside the key sets bad_key */
    return 0;
}

/* add_val_k for a listed member (its type and string already read). */
static void add_listed(um_winjson *w, const um_jmember *m) {
    const char *s = NULL;
    size_t len = 0;
    if (m->type == UM_J_STRING) {
        s = m->str;
        len = m->slen;
        if (!s) return;
    } else if (m->type == UM_J_INT || m->type == UM_J_UINT || m->type == UM_J_DOUBLE || m->type == UM_J_BOOL) {
        if (w->nnums >= UM_WIN_MAX_FIELDS) {
            w->wf.dropped++;
            return;
        }
        s = um_jtext(m->val, w->nums[w->nnums], WJ_NUM_LEN);
        if (!s) return;
        w->nnums++;
        len = strlen(s);
    } else {
        s = ""; /* null / object / array: present (for duplicate counting) but empty */
    }
    if (!um_winfields_add_key(&w->wf, m->key, m->klen, s, len, 1)) w->bad_key = true;
}

static void add_list(um_winjson *w, const um_jmember *m, size_t n) {
    for (size_t i = 0; i < n; i++) add_listed(w, &m[i]);
}

/* a[0..n) equals b[0..n), ASCII letters folded (as um_jget_ci). */
static bool key_eq_ci(const char *a, const char *b, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z') x = (unsigned char)(x + 32);
        if (y >= 'A' && y <= 'Z') y = (unsigned char)(y + 32);
        if (x != y) return false;
    }
    return true;
}

/* The first member of a list named key (exact, or ASCII case-insensitive),
 * *count (may be NULL) how many are: as um_jget / um_jget_ci. */
static um_jval list_get(const um_jmember *m, size_t n, const char *key, bool ci, unsigned *count) {
    um_jval out = {{0, 0}};
    unsigned c = 0;
    size_t kl = strlen(key);
    for (size_t i = 0; i < n; i++) {
        if (m[i].klen != kl || !(ci ? key_eq_ci(m[i].key, key, kl) : !memcmp(m[i].key, key, kl))) continue;
        if (c++ == 0) out = m[i].val;
    }
    if (count) *count = c;
    return out;
}

static void add_members(um_winjson *w, um_jval obj) {
    if (um_jtype_of(obj) != UM_J_OBJECT) return;
    size_t n = um_jmembers(obj, w->sub, WJ_MEMBERS);
    if (n <= WJ_MEMBERS) add_list(w, w->sub, n);
    else um_jeach(obj, add_member, w);
}

/* UserData holds one element whose members are the fields. */
static int add_userdata_child(void *ud, const char *key, size_t klen, um_jval val) {
    (void)key;
    (void)klen;
    add_members(ud, val);
    return 0;
}

/* System member that may be wrapped: {"#attributes":{attr:..}} or
 * {"#text":..}. */
static void add_sys(um_winjson *w, um_jval sys, const char *key, const char *attr, const char *as) {
    unsigned c = 0, c2 = 0;
    um_jval v = um_jget_ci(sys, key, &c);
    if (!um_jok(v)) return;
    if (um_jtype_of(v) == UM_J_OBJECT) {
        if (attr) v = um_jget_ci(um_jget_ci(v, "#attributes", NULL), attr, &c2);
        else v = um_jget_ci(v, "#text", &c2);
        if (c2 > 1) c += c2 - 1;
    }
    add_val(w, as, v, c);
}

static void build_evtx_dump(um_winjson *w, um_jval event) {
    unsigned c = 0;
    um_jval sys = um_jget_ci(event, "System", &c);
    if (c > 1) um_winfields_add(&w->wf, "System", "", 0, c);
    add_sys(w, sys, "Provider", "Name", "Provider");
    add_sys(w, sys, "EventID", NULL, "EventID");
    add_sys(w, sys, "TimeCreated", "SystemTime", "SystemTime");
    add_sys(w, sys, "EventRecordID", NULL, "EventRecordID");
    add_sys(w, sys, "Channel", NULL, "Channel");
    add_sys(w, sys, "Computer", NULL, "Computer");
    c = 0;
    um_jval data = um_jget_ci(event, "EventData", &c);
    if (c > 1) um_winfields_add(&w->wf, "EventData", "", 0, c);
    add_members(w, data);
    um_jval udata = um_jget_ci(event, "UserData", NULL);
    if (um_jtype_of(udata) == UM_J_OBJECT) um_jeach(udata, add_userdata_child, w);
}

/* top, ntop: root's members when listed (ntop <= WJ_MEMBERS), else NULL. */
static void build_ecs(um_winjson *w, um_jval root, um_jval winlog, const um_jmember *top, size_t ntop) {
    size_t n = um_jmembers(winlog, w->sub, WJ_MEMBERS);
    um_jval ed, ud;
    if (n <= WJ_MEMBERS) {
        add_list(w, w->sub, n); /* event_id, channel, provider_name, computer_name, record_id */
        ed = list_get(w->sub, n, "event_data", false, NULL);
        ud = list_get(w->sub, n, "user_data", false, NULL);
    } else {
        um_jeach(winlog, add_member, w);
        ed = um_jget(winlog, "event_data", NULL);
        ud = um_jget(winlog, "user_data", NULL);
    }
    add_members(w, ed);
    add_members(w, ud);
    unsigned c = 0;
    um_jval ts = top ? list_get(top, ntop, "@timestamp", false, &c) : um_jget(root, "@timestamp", &c);
    add_val(w, "@timestamp", ts, c);
    if (!um_winfields_get(&w->wf, "computer_name", NULL)) {
        c = 0;
        um_jval hn = um_jpath(root, "host.name", &c);
        add_val(w, "Hostname", hn, c + 1);
    }
}

/* ---- per-record handling ---- */

static void sum_skip(wj_sum *s, unsigned id, uint64_t n) {
    for (size_t i = 0; i < s->nskip; i++)
        if (s->skip[i].id == id) {
            s->skip[i].n += n;
            return;
        }
    if (s->nskip < WJ_SUM_SKIP_IDS) s->skip[s->nskip++] = (wj_skip){id, n};
    else s->skip_more = true;
}

static void count_skip(wj *w, unsigned id) {
    w->sum->skipped++;
    sum_skip(w->sum, id, 1);
}

um_winjson *um_winjson_new(void) {
    um_winjson *w = um_calloc(1, sizeof *w);
    if (!w) return NULL;
    w->parser = um_json_new();
    if (!w->parser) {
        um_free(w);
        return NULL;
    }
    return w;
}

void um_winjson_free(um_winjson *w) {
    if (!w) return;
    um_json_free(w->parser);
    um_free(w);
}

int um_winjson_map(um_winjson *w, const char *buf, size_t len, um_event *ev, unsigned *event_id,
                   const char **why) {
    um_event_init(ev);
    um_winfields_reset(&w->wf);
    *why = w->why;
    if (event_id) *event_id = 0;
    um_jval root;
    const char *err = NULL;
    if (um_json_parse(w->parser, buf, len, &root, &err) != 0) {
        snprintf(w->why, sizeof w->why, "invalid JSON: %s", err ? err : "?");
        return UM_WIN_REJECT;
    }
    if (um_jtype_of(root) != UM_J_OBJECT) {
        snprintf(w->why, sizeof w->why, "not a JSON object");
        return UM_WIN_REJECT;
    }
    um_winfields_reset(&w->wf);
    w->nnums = 0;
    w->bad_key = false;
    unsigned c = 0, cw = 0;
    size_t ntop = um_jmembers(root, w->top, WJ_MEMBERS);
    const um_jmember *top = ntop <= WJ_MEMBERS ? w->top : NULL; /* more: looked up in the DOM */
    um_jval event = top ? list_get(top, ntop, "Event", true, &c) : um_jget_ci(root, "Event", &c);
    um_jval winlog = top ? list_get(top, ntop, "winlog", false, &cw) : um_jget(root, "winlog", &cw);
    /* Winlogbeat/ECS lines also carry an ECS "event" object (code, kind,
     * provider ...), which the case-insensitive "Event" lookup finds: a
     * winlog object decides the shape. */
    bool ecs = um_jtype_of(winlog) == UM_J_OBJECT;
    if (ecs ? cw > 1 : (c > 1 || cw > 1)) {
        snprintf(w->why, sizeof w->why, "duplicate key '%s'", ecs || c <= 1 ? "winlog" : "Event");
        return UM_WIN_REJECT;
    }
    if (ecs) build_ecs(w, root, winlog, top, ntop);
    else if (um_jtype_of(event) == UM_J_OBJECT) build_evtx_dump(w, event);
    else if (top) add_list(w, top, ntop); /* NXLog flat */
    else add_members(w, root);
    if (w->bad_key) {
        snprintf(w->why, sizeof w->why, "NUL byte inside a key");
        return UM_WIN_REJECT;
    }
    int r = um_winevent_map(&w->wf, ev, why);
    if (event_id) *event_id = w->wf.event_id;
    return r;
}

const um_winfields *um_winjson_fields(const um_winjson *w) { return w ? &w->wf : NULL; }

static um_status handle_doc(wj *w, const char *buf, size_t len, uint64_t line) {
    w->sum->records++;
    um_event ev;
    const char *why = NULL;
    unsigned id = 0;
    int r = um_winjson_map(w->j, buf, len, &ev, &id, &why);
    if (r == UM_WIN_REJECT) {
        um_reject(w->rc, line, "%s", why);
        return UM_OK;
    }
    if (r == UM_WIN_SKIP) {
        count_skip(w, id);
        /* still offered to the Sigma rules (Sysmon 10, 7045 ...) */
        const char *why2 = NULL;
        if (um_winevent_map_common(&w->j->wf, &ev, UM_EV_RAW, &why2) != UM_WIN_EVENT) return UM_OK;
        ev.src_line = line;
        um_event_set_fields(&ev, &w->j->wf);
        return um_emit_event(w->rc, &ev);
    }
    ev.src_line = line;
    um_event_set_fields(&ev, &w->j->wf); /* the whole record, for the Sigma rules */
    return um_emit_event(w->rc, &ev);
}

static void sum_finish(um_reader_ctx *rc, const wj_sum *s) {
    if (s->skipped) {
        um_buf b;
        um_buf_init(&b);
        size_t n = s->nskip < WJ_MAX_SKIP_IDS ? s->nskip : WJ_MAX_SKIP_IDS;
        for (size_t i = 0; i < n; i++)
            um_buf_printf(&b, "%s%u x%llu", i ? ", " : "", s->skip[i].id, (unsigned long long)s->skip[i].n);
        if (s->skip_more || s->nskip > WJ_MAX_SKIP_IDS) um_buf_adds(&b, ", others");
        um_warn(rc, 0, "%llu events of unhandled types skipped (ids: %s)", (unsigned long long)s->skipped,
                b.s && !b.oom ? b.s : "?");
        um_buf_free(&b);
    }
    if (!s->records) um_warn(rc, 0, "no events in file");
}

static void finish(wj *w) {
    if (w->sum == &w->own) sum_finish(w->rc, w->sum); /* a part: said once for the file, after the merge */
}

static void part_finish(um_reader_ctx *rc, const void *merged) { sum_finish(rc, merged); }

static void part_merge(void *into, const void *part) {
    wj_sum *a = into;
    const wj_sum *b = part;
    a->records += b->records;
    a->skipped += b->skipped;
    for (size_t i = 0; i < b->nskip; i++) sum_skip(a, b->skip[i].id, b->skip[i].n);
    if (b->skip_more) a->skip_more = true;
}

static bool splittable(const char *head, size_t n) {
    (void)head, (void)n;
    return true; /* one object per line, always */
}

static wj *wj_new(um_reader_ctx *rc) {
    wj *w = um_calloc(1, sizeof *w);
    if (!w) return NULL;
    w->rc = rc;
    w->sum = &w->own;
    w->j = um_winjson_new();
    if (!w->j) {
        um_free(w);
        return NULL;
    }
    return w;
}

static void wj_free(wj *w) {
    if (!w) return;
    um_winjson_free(w->j);
    um_free(w);
}

/* ---- detection ---- */

static bool has_ci(const char *head, size_t n, const char *needle) {
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (um_strneq_ci(head + i, k, needle)) return true;
    return false;
}

static size_t skip_lead(const char *head, size_t n) {
    size_t i = 0;
    if (n >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0) i = 3;
    while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n')) i++;
    return i;
}

static int detect_objects(const char *path, const char *head, size_t n) {
    (void)path;
    size_t i = skip_lead(head, n);
    if (i < n && head[i] == '[') i += 1 + skip_lead(head + i + 1, n - i - 1);
    if (i >= n || head[i] != '{') return 0;
    if (has_ci(head + i, n - i, "\"Event\"") && has_ci(head + i, n - i, "\"System\"")) return 80;
    return 0;
}

static int detect_lines(const char *path, const char *head, size_t n) {
    (void)path;
    size_t i = skip_lead(head, n);
    if (i >= n || head[i] != '{') return 0;
    const char *nl = memchr(head + i, '\n', n - i);
    size_t end = nl ? (size_t)(nl - head) : n;
    const char *l = head + i;
    size_t ln = end - i;
    if (has_ci(l, ln, "\"EventID\"") && (has_ci(l, ln, "\"Channel\"") || has_ci(l, ln, "\"SourceName\"")))
        return 75;
    if (has_ci(l, ln, "\"winlog\"") && has_ci(l, ln, "\"event_id\"")) return 75;
    return 0;
}

/* ---- sysmon-json: brace-matched objects ---- */

static um_status read_objects(um_reader_ctx *rc, FILE *f) {
    if (!f) {
        um_reject(rc, 0, "sysmon-json reads files, not folders");
        return UM_OK;
    }
    wj *w = wj_new(rc);
    char *buf = um_malloc(4096);
    size_t cap = 4096, len = 0;
    if (!w || !buf) {
        wj_free(w);
        um_free(buf);
        return UM_ENOMEM;
    }
    um_status st = UM_OK;
    uint64_t line = 1, start = 0, bytes = 0, garbage_line = 0;
    int top_arrays = 0;
    size_t depth = 0, col = 0;
    bool in_str = false, esc = false, oversize = false;
    int c;
    while (st == UM_OK && (c = getc_unlocked(f)) != EOF) {
        bytes++;
        if (bytes == 1 && c == 0xEF) { /* UTF-8 byte-order mark */
            int c2 = getc_unlocked(f), c3 = getc_unlocked(f);
            if (c2 == 0xBB && c3 == 0xBF) {
                bytes += 2;
                continue;
            }
            um_reject(rc, 1, "file starts with bytes that are not JSON");
            garbage_line = 1;
            continue;
        }
        bool at_col0 = col == 0;
        if (c == '\n') {
            line++;
            col = 0;
        } else {
            col++;
        }
        if (depth > 0 && c == '{' && at_col0 && !in_str) {
            /* a new top-level object at column 0 while one is open: the open
             * one was cut short (resynchronise instead of swallowing). */
            um_reject(rc, start, "JSON object not closed before line %llu", (unsigned long long)line);
            w->sum->records++;
            depth = 0;
        }
        if (depth == 0) {
            if (c == '{') {
                depth = 1;
                start = line;
                len = 0;
                in_str = esc = oversize = false;
                garbage_line = 0;
                buf[len++] = '{';
            } else if (c == '[' && top_arrays == 0) {
                top_arrays = 1; /* one array around the objects is fine */
            } else if (c == ']' && top_arrays) {
                top_arrays = 0;
            } else if (!(c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',')) {
                if (!garbage_line) {
                    um_reject(rc, line, "text outside a JSON object");
                    garbage_line = line;
                }
            }
            continue;
        }
        if (!oversize) {
            if (len + 1 + UM_JSON_PADDING > cap) {
                size_t nc = cap * 2;
                char *nb = nc <= WJ_MAX_RECORD * 2 ? um_realloc(buf, nc) : NULL;
                if (nb) {
                    buf = nb;
                    cap = nc;
                }
            }
            if (len >= WJ_MAX_RECORD || len + 1 + UM_JSON_PADDING > cap) oversize = true;
            else buf[len++] = (char)c;
        }
        if (in_str) {
            if (esc) esc = false;
            else if (c == '\\') esc = true;
            else if (c == '"') in_str = false;
            else if (c == '\n') in_str = false; /* raw newline: invalid JSON; let the parser say so */
            continue;
        }
        if (c == '"') in_str = true;
        else if (c == '{' || c == '[') depth++;
        else if (c == '}' || c == ']') {
            if (--depth == 0) {
                um_rc_progress(rc, bytes);
                if (oversize) {
                    w->sum->records++;
                    um_reject(rc, start, "JSON object larger than %u bytes", WJ_MAX_RECORD);
                } else {
                    memset(buf + len, 0, UM_JSON_PADDING);
                    st = handle_doc(w, buf, len, start);
                }
            }
        }
    }
    if (st == UM_OK && depth > 0) {
        w->sum->records++;
        um_reject(rc, start, "truncated JSON object at end of file");
    }
    if (st == UM_OK) finish(w);
    um_free(buf);
    wj_free(w);
    return st;
}

/* ---- winlog-jsonl: one object per line ---- */

static um_status read_lines(um_reader_ctx *rc, FILE *f) {
    if (!f) {
        um_reject(rc, 0, "winlog-jsonl reads files, not folders");
        return UM_OK;
    }
    wj *w = wj_new(rc);
    if (!w) return UM_ENOMEM;
    um_part *part = um_rc_part(rc);
    if (part) w->sum = part->summary;
    um_lines l;
    um_lines_init(&l, f, WJ_MAX_RECORD);
    um_lines_allow_map(&l); /* handle_doc reads [s, s + n) only (the JSON parser: padding of any bytes) */
    const char *s;
    size_t n;
    um_status st = UM_OK;
    um_rsink sk = um_rsink_reader(rc);
    while (st == UM_OK && um_rsink_next_line(&l, &sk, UM_LINE_BOM | UM_LINE_SKIP_BLANK, &s, &n))
        st = handle_doc(w, s, n, l.lineno);
    w->sum->records += l.n_too_long; /* rejected records too */
    if (part) part->lines = l.lineno;
    if (st == UM_OK) finish(w);
    um_lines_free(&l);
    wj_free(w);
    return st;
}

const um_reader um_reader_sysmon_json = {
    "sysmon-json",
    "Windows/Sysmon events as evtx_dump-style JSON objects {\"Event\":{\"System\":..,\"EventData\":..}} (Sigma regression data)",
    1, detect_objects, read_objects, NULL, false, false, NULL, 0, NULL, NULL};

/* A summary from another machine (src/dist/): the skip table's count within
 * it, skip_more a real bool (its byte read before it is used as one). */
bool um_winjson_part_valid(const void *p) {
    wj_sum s;
    unsigned char more;
    memcpy(&more, (const unsigned char *)p + offsetof(wj_sum, skip_more), 1);
    if (more > 1) return false;
    memcpy(&s, p, sizeof s);
    return s.nskip <= WJ_SUM_SKIP_IDS;
}

const um_reader um_reader_winlog_jsonl = {
    "winlog-jsonl",
    "Windows events as JSON lines from NXLog/Logstash (flat fields) or Winlogbeat (winlog.event_data)",
    1, detect_lines, read_lines, NULL, false, false,
    splittable, sizeof(wj_sum), part_merge, part_finish};
