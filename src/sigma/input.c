/*
 * input.c - Windows event files as Sigma events, for `unmask rules match`
 * and `rules test`: every record of an .evtx file, an evtx_dump / Sigma
 * regression JSON file (pretty-printed objects one after another, or an
 * array), or JSON lines (NXLog/OTRF flat, Winlogbeat) becomes a bag of
 * (name, value) views via the same code the scan readers use
 * (read/winjson.c, read/evtx.c), so rules see the same field names.
 *
 * Unlike `unmask scan`, every record is offered, also of event types the
 * scan's own mapping does not use (Sysmon 10 ProcessAccess, 4104 ...).
 * .evtx files are read in-process here (the scan reads them in a separate,
 * limited process).
 */
#include <errno.h>
#include <libevtx/features.h>
#undef LIBEVTX_HAVE_BFIO
#include <libevtx.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "../core/internal.h"
#include "../os/os.h"
#include "../read/evtx.h"
#include "../read/winevent.h"
#include "../util/json.h"
#include "input.h"
#include "../read/signin.h"

#define IN_MAX_RECORD (4u << 20)

static bool bag_to_event(const um_winfields *wf, um_sigma_record *r, um_sigma_kv *kv) {
    size_t n = 0;
    const char *t = NULL, *rid = NULL, *host = NULL;
    for (size_t i = 0; i < wf->n; i++) {
        const um_winfield *f = &wf->f[i];
        kv[n].name = f->name;
        kv[n].nlen = strlen(f->name);
        kv[n].value = f->value;
        kv[n].vlen = f->len;
        n++;
        if (!t && (um_streq_ci(f->name, "SystemTime") || um_streq_ci(f->name, "TimeCreated"))) t = f->value;
        if (!rid && (um_streq_ci(f->name, "EventRecordID") || um_streq_ci(f->name, "record_id") ||
                     um_streq_ci(f->name, "RecordNumber")))
            rid = f->value;
        if (!host && (um_streq_ci(f->name, "Computer") || um_streq_ci(f->name, "Hostname") ||
                      um_streq_ci(f->name, "computer_name")))
            host = f->value;
    }
    if (!t) {
        const char *u = um_winfields_get(wf, "UtcTime", NULL);
        if (!u) u = um_winfields_get(wf, "@timestamp", NULL);
        t = u;
    }
    r->ev.f = kv;
    r->ev.n = n;
    r->ev.ts = INT64_MIN;
    int64_t us;
    int tz;
    bool has_tz;
    if (t && um_time_parse_iso(t, strlen(t), &us, &tz, &has_tz)) r->ev.ts = us;
    r->record_id = rid;
    r->host = host;
    return true;
}

/* ---- JSON ---- */

typedef struct jin {
    um_winjson *wj;
    /* Okta / Entra sign-in logs: each record mapped by the scan's mapper
     * and flattened as the scan presents it (read/signin.c) */
    um_signin_map_fn signin_map;
    const char *signin_cat;
    um_json *js;
    um_winfields *bag;
    char *pool;
    um_sigma_kv kv[UM_WIN_MAX_FIELDS];
    um_buf doc;
    um_sigma_record_fn fn;
    void *ud;
    const char *path;
    um_sigma_input_stats *st;
} jin;

/* One sign-in record: mapped as the scan maps it, flattened as the scan
 * presents it to the rules. */
static int signin_rec(jin *j, um_jval root, uint64_t line) {
    um_event ev;
    um_event_init(&ev);
    um_signin_msg msg;
    int m = j->signin_map(root, &ev, &msg);
    j->st->records++;
    if (m == 0) return 0; /* another event type */
    if (m < 0) {
        j->st->rejects++;
        return j->fn ? j->fn(j->ud, NULL, j->path, line, msg.why) : 0;
    }
    um_signin_flatten(root, j->signin_cat, j->bag, j->pool, UM_SIGNIN_POOL);
    um_sigma_record rec;
    memset(&rec, 0, sizeof rec);
    bag_to_event(j->bag, &rec, j->kv);
    rec.ev.ts = ev.ts == UM_TIME_NONE ? INT64_MIN : ev.ts;
    rec.record_id = ev.record_id;
    return j->fn ? j->fn(j->ud, &rec, j->path, line, NULL) : 0;
}

typedef struct signin_each {
    jin *j;
    uint64_t line;
    int stop;
} signin_each;

static int signin_elem(void *ud, const char *key, size_t klen, um_jval v) {
    (void)key;
    (void)klen;
    signin_each *se = ud;
    se->stop = signin_rec(se->j, v, se->line);
    return se->stop;
}

/* Returns 0 (or the callback's stop value), or -2 when the text is not
 * valid JSON and quiet is set (the caller then tries another split). */
static int json_doc(jin *j, const char *s, size_t n, uint64_t line, bool quiet) {
    um_buf_reset(&j->doc);
    um_buf_add(&j->doc, s, n);
    char pad[UM_JSON_PADDING] = {0};
    um_buf_add(&j->doc, pad, sizeof pad);
    if (j->doc.oom) return -1;
    um_event ev;
    if (j->signin_map) {
        um_jval root;
        const char *err = NULL;
        if (um_json_parse(j->js, j->doc.s, n, &root, &err) != 0) {
            if (quiet) return -2;
            j->st->records++;
            j->st->rejects++;
            return j->fn ? j->fn(j->ud, NULL, j->path, line, "invalid JSON") : 0;
        }
        um_jval page = um_jget(root, "value", NULL);
        if (um_jtype_of(root) == UM_J_OBJECT && um_jtype_of(page) == UM_J_ARRAY) { /* Graph page */
            signin_each se = {j, line, 0};
            um_jeach(page, signin_elem, &se);
            return se.stop;
        }
        return signin_rec(j, root, line);
    }
    unsigned id;
    const char *why = NULL;
    int r = um_winjson_map(j->wj, j->doc.s, n, &ev, &id, &why);
    const um_winfields *wf = um_winjson_fields(j->wj);
    if (r == UM_WIN_REJECT && (!wf || wf->n == 0)) {
        if (quiet) return -2;
        j->st->records++;
        j->st->rejects++;
        if (j->fn) return j->fn(j->ud, NULL, j->path, line, why ? why : "bad record");
        return 0;
    }
    j->st->records++;
    um_sigma_record rec;
    memset(&rec, 0, sizeof rec);
    bag_to_event(wf, &rec, j->kv);
    return j->fn ? j->fn(j->ud, &rec, j->path, line, NULL) : 0;
}

/* End of the JSON object starting at p[0] == '{' (brace matching that
 * respects strings), or NULL when the text ends first. Counts newlines. */
static const char *object_end(const char *p, const char *end, uint64_t *lines) {
    int depth = 0;
    uint64_t nl = 0;
    for (const char *q = p; q < end; q++) {
        char c = *q;
        if (c == '"') {
            for (q++; q < end && *q != '"'; q++) {
                if (*q == '\\') q++;
                else if (*q == '\n') nl++;
            }
            if (q >= end) break;
        } else if (c == '{') {
            depth++;
        } else if (c == '}') {
            if (--depth == 0) {
                *lines += nl;
                return q + 1;
            }
        } else if (c == '\n') {
            nl++;
        }
    }
    *lines += nl;
    return NULL;
}

/* Objects one after another (pretty-printed, one per line, or inside a
 * top-level array). A whole line that parses is taken as it is (JSON lines,
 * the fast path); otherwise braces are matched. */
static um_status read_json_buf(const char *buf, size_t len, jin *j) {
    const char *p = buf, *end = buf + len;
    uint64_t line = 1;
    j->st->bytes += len;
    while (p < end) {
        char c = *p;
        if (c == '\n') {
            line++;
            p++;
            continue;
        }
        if (c != '{') {
            p++;
            continue;
        }
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *t = le;
        while (t > p && (t[-1] == '\r' || t[-1] == ' ' || t[-1] == '\t' || t[-1] == ',')) t--;
        if (t > p + 1 && t[-1] == '}' && (size_t)(t - p) <= IN_MAX_RECORD) {
            int r = json_doc(j, p, (size_t)(t - p), line, true);
            if (r == -1) return UM_ENOMEM;
            if (r != -2) {
                if (r) return UM_OK;
                p = le;
                continue;
            }
        }
        uint64_t start = line;
        const char *oe = object_end(p, end, &line);
        if (!oe) {
            j->st->records++;
            j->st->rejects++;
            if (j->fn) j->fn(j->ud, NULL, j->path, start, "file ends inside a JSON object");
            return UM_OK;
        }
        int r;
        if ((size_t)(oe - p) > IN_MAX_RECORD) {
            j->st->records++;
            j->st->rejects++;
            r = j->fn ? j->fn(j->ud, NULL, j->path, start, "record over 4 MiB") : 0;
        } else {
            r = json_doc(j, p, (size_t)(oe - p), start, false);
        }
        if (r == -1) return UM_ENOMEM;
        if (r) return UM_OK;
        p = oe;
    }
    return UM_OK;
}

static um_status read_json(FILE *f, jin *j) {
    struct stat sb;
    int fd = fileno(f);
    /* mapped only under the SIGBUS guard (um_sigbus_guard): a file cut
     * short meanwhile reads as zeros past the cut and is one more reject */
    const um_os *os = um_os_get();
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0 && um_lines_guard()) {
        const void *m = os->map(os->ud, fd, (size_t)sb.st_size, 0);
        if (m) {
            madvise((void *)m, (size_t)sb.st_size, MADV_SEQUENTIAL);
            um_lines_guarded g;
            um_lines_guard_begin(&g, m, (size_t)sb.st_size);
            um_status st = read_json_buf(m, (size_t)sb.st_size, j);
            if (!um_lines_guard_end(&g)) {
                j->st->rejects++;
                if (j->fn) (void)j->fn(j->ud, NULL, j->path, 0, "file cut short while it was read (changed?)");
            }
            os->unmap(os->ud, m, (size_t)sb.st_size);
            return st;
        }
    }
    um_buf all; /* pipes and the like: read it all */
    um_buf_init(&all);
    char tmp[1 << 16];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) um_buf_add(&all, tmp, n);
    um_status st = ferror(f) ? UM_EIO : all.oom ? UM_ENOMEM : read_json_buf(all.s ? all.s : "", all.len, j);
    um_buf_free(&all);
    return st;
}

/* ---- EVTX ---- */

static um_status read_evtx_file(const char *path, um_sigma_record_fn fn, void *ud, um_sigma_input_stats *st) {
    libevtx_file_t *ef = NULL;
    if (libevtx_file_initialize(&ef, NULL) != 1) return UM_ENOMEM;
    if (libevtx_file_open(ef, path, LIBEVTX_OPEN_READ, NULL) != 1) {
        libevtx_file_free(&ef, NULL);
        st->rejects++;
        if (fn) fn(ud, NULL, path, 0, "not a readable EVTX file");
        return UM_OK;
    }
    int nrec = 0;
    if (libevtx_file_get_number_of_records(ef, &nrec, NULL) != 1) nrec = 0;
    um_evtx_fields *fields = um_malloc(sizeof *fields);
    um_sigma_kv *kv = um_malloc(UM_EVTX_MAX_FIELDS * sizeof *kv);
    um_winfields *bag = um_malloc(sizeof *bag);
    char *xml = NULL;
    size_t cap = 0;
    um_status status = UM_OK;
    if (!fields || !kv || !bag) {
        status = UM_ENOMEM;
        goto out;
    }
    um_evtx_fields_init(fields);
    for (int i = 0; i < nrec; i++) {
        libevtx_record_t *rec = NULL;
        size_t sz = 0;
        const char *why = NULL;
        st->records++;
        if (libevtx_file_get_record_by_index(ef, i, &rec, NULL) != 1 || !rec) why = "corrupt record";
        else if (libevtx_record_get_utf8_xml_string_size(rec, &sz, NULL) != 1 || sz == 0) why = "record has no XML";
        else if (sz > UM_EVTX_MAX_XML) why = "record XML over the limit";
        else if (sz + 1 > cap && !(xml = um_realloc(xml, cap = sz + 1))) {
            libevtx_record_free(&rec, NULL);
            status = UM_ENOMEM;
            break;
        } else if (libevtx_record_get_utf8_xml_string(rec, (uint8_t *)xml, sz, NULL) != 1) why = "record XML unreadable";
        if (rec) libevtx_record_free(&rec, NULL);
        if (!why) {
            xml[sz] = 0;
            st->bytes += sz;
            why = um_evtx_parse_xml(fields, xml, strnlen(xml, sz));
        }
        if (why) {
            st->rejects++;
            if (fn && fn(ud, NULL, path, (uint64_t)i + 1, why)) break;
            continue;
        }
        um_winfields_reset(bag);
        for (size_t k = 0; k < fields->n; k++)
            um_winfields_add(bag, fields->f[k].name, fields->f[k].value, strlen(fields->f[k].value), 1);
        um_sigma_record r;
        memset(&r, 0, sizeof r);
        bag_to_event(bag, &r, kv);
        if (fn && fn(ud, &r, path, (uint64_t)i + 1, NULL)) break;
    }
    um_evtx_fields_free(fields);
out:
    um_free(fields);
    um_free(kv);
    um_free(bag);
    um_free(xml);
    libevtx_file_close(ef, NULL);
    libevtx_file_free(&ef, NULL);
    return status;
}

/* ---- Zeek (read/zeek.c, which names the log in _zeek_path) ---- */

typedef struct zin {
    um_sigma_record_fn fn;
    void *ud;
    const char *path;
    um_sigma_input_stats *st;
    um_sigma_kv kv[UM_WIN_MAX_FIELDS];
    bool stop;
} zin;

static um_status zeek_event(void *ud, um_event *ev) {
    zin *z = ud;
    z->st->records++;
    if (z->stop || !ev->fields) return UM_OK;
    um_sigma_record rec;
    memset(&rec, 0, sizeof rec);
    bag_to_event(ev->fields, &rec, z->kv);
    rec.ev.ts = ev->ts == UM_TIME_NONE ? INT64_MIN : ev->ts;
    rec.record_id = ev->record_id;
    rec.host = ev->host;
    if (z->fn && z->fn(z->ud, &rec, z->path, ev->src_line, NULL)) z->stop = true;
    return UM_OK;
}

static void zeek_issue(void *ud, bool reject, uint64_t line, const char *msg) {
    zin *z = ud;
    if (!reject || z->stop) return;
    z->st->records++;
    z->st->rejects++;
    if (z->fn && z->fn(z->ud, NULL, z->path, line, msg)) z->stop = true;
}

um_status um_sigma_read_file(const char *path, um_sigma_record_fn fn, void *ud, um_sigma_input_stats *st) {
    um_sigma_input_stats dummy;
    if (!st) st = &dummy;
    memset(st, 0, sizeof *st);
    FILE *f = fopen(path, "rb");
    if (!f) return UM_EIO;
    char head[8] = {0};
    size_t hn = fread(head, 1, sizeof head, f);
    if (hn == 8 && !memcmp(head, "ElfFile\0", 8)) {
        fclose(f);
        return read_evtx_file(path, fn, ud, st);
    }
    char zhead[8192];
    rewind(f);
    size_t zn = fread(zhead, 1, sizeof zhead, f);
    rewind(f);
    const um_reader *zr = um_reader_find("zeek");
    if (zr && zr->detect && zr->detect(path, zhead, zn) > 0) {
        zin z = {fn, ud, path, st, {{0}}, false};
        um_rsink sink = {&z, zeek_event, zeek_issue, NULL};
        um_status zs = um_zeek_parse(f, path, &sink);
        fclose(f);
        return zs;
    }
    jin *j = um_calloc(1, sizeof *j);
    if (!j) {
        fclose(f);
        return UM_ENOMEM;
    }
    j->wj = um_winjson_new();
    const um_reader *ok = um_reader_find("okta"), *en = um_reader_find("entra");
    int so = ok && ok->detect ? ok->detect(path, zhead, zn) : 0, se = en && en->detect ? en->detect(path, zhead, zn) : 0;
    if (so > 0 || se > 0) {
        j->signin_map = so >= se ? um_okta_map : um_entra_map;
        j->signin_cat = so >= se ? "okta" : "azure_signinlogs";
        j->js = um_json_new();
        j->bag = um_calloc(1, sizeof *j->bag);
        j->pool = um_malloc(UM_SIGNIN_POOL);
        if (!j->js || !j->bag || !j->pool) j->signin_map = NULL;
    }
    j->fn = fn;
    j->ud = ud;
    j->path = path;
    j->st = st;
    um_buf_init(&j->doc);
    um_status s = j->wj ? read_json(f, j) : UM_ENOMEM;
    fclose(f);
    um_buf_free(&j->doc);
    um_winjson_free(j->wj);
    if (j->js) um_json_free(j->js);
    um_free(j->bag);
    um_free(j->pool);
    um_free(j);
    return s;
}
