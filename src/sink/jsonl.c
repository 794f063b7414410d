/*
 * jsonl.c - subjects.jsonl and findings.jsonl (schema in docs/SCHEMA.md).
 * Written to a temporary file (mode 0600) and renamed into place.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../core/internal.h"
#include "../os/os.h"

static void add_time(um_buf *b, int64_t us) {
    if (us == UM_TIME_NONE) {
        um_buf_adds(b, "null");
        return;
    }
    char t[40];
    um_time_format(us, t, sizeof t);
    um_buf_add_json(b, t);
}

static void add_str_array(um_buf *b, const char *const *v, size_t n) {
    um_buf_addc(b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i) um_buf_addc(b, ',');
        um_buf_add_json(b, v[i]);
    }
    um_buf_addc(b, ']');
}

void um_json_finding(um_buf *b, const um_finding_info *f);
void um_json_finding(um_buf *b, const um_finding_info *f) {
    um_buf_printf(b, "{\"schema\":%d,\"id\":", UM_SCHEMA_VERSION);
    um_buf_add_json(b, f->id);
    um_buf_adds(b, ",\"subject_id\":");
    um_buf_add_json(b, f->subject_id);
    um_buf_adds(b, ",\"indicator\":");
    um_buf_add_json(b, f->indicator);
    um_buf_adds(b, ",\"analyzer\":");
    um_buf_add_json(b, f->analyzer);
    um_buf_adds(b, ",\"strength\":");
    um_buf_add_json(b, f->strength);
    um_buf_printf(b, ",\"weight\":%d,\"summary\":", f->weight);
    um_buf_add_json(b, f->summary);
    um_buf_adds(b, ",\"key\":");
    um_buf_add_json(b, f->key);
    um_buf_printf(b, ",\"count\":%llu,\"first_seen\":", (unsigned long long)f->count);
    add_time(b, f->first_us);
    um_buf_adds(b, ",\"last_seen\":");
    add_time(b, f->last_us);
    um_buf_adds(b, ",\"evidence\":[");
    for (size_t i = 0; i < f->n_evidence; i++) {
        const um_evidence *e = &f->evidence[i];
        if (i) um_buf_addc(b, ',');
        um_buf_adds(b, "{\"file\":");
        um_buf_add_json(b, e->file);
        if (e->line) um_buf_printf(b, ",\"line\":%llu", (unsigned long long)e->line);
        else um_buf_adds(b, ",\"line\":null");
        um_buf_adds(b, ",\"record\":");
        um_buf_add_json(b, e->record);
        um_buf_adds(b, ",\"time\":");
        add_time(b, e->time_us);
        um_buf_adds(b, ",\"values\":");
        um_buf_add_json(b, e->values);
        um_buf_addc(b, '}');
    }
    um_buf_adds(b, "]}");
}

void um_json_subject(um_buf *b, const um_scan *s, const um_subject_info *u) {
    um_buf_printf(b, "{\"schema\":%d,\"id\":", UM_SCHEMA_VERSION);
    um_buf_add_json(b, u->id);
    um_buf_adds(b, ",\"display\":");
    um_buf_add_json(b, u->display);
    um_buf_adds(b, ",\"names\":");
    add_str_array(b, u->names, u->n_names);
    um_buf_adds(b, ",\"sources\":");
    add_str_array(b, u->sources, u->n_sources);
    um_buf_adds(b, ",\"joins\":");
    add_str_array(b, u->joins, u->n_joins);
    um_buf_printf(b, ",\"score\":%d,\"level\":", u->score);
    um_buf_add_json(b, um_level_str(u->level));
    um_buf_adds(b, ",\"reasons\":[");
    for (size_t i = 0; i < u->n_findings && i < 5; i++) {
        const um_finding_info *f = um_scan_finding(s, u->findings[i]);
        if (i) um_buf_addc(b, ',');
        um_buf_adds(b, "{\"indicator\":");
        um_buf_add_json(b, f->indicator);
        um_buf_printf(b, ",\"weight\":%d,\"summary\":", f->weight);
        um_buf_add_json(b, f->summary);
        um_buf_adds(b, ",\"finding_id\":");
        um_buf_add_json(b, f->id);
        um_buf_addc(b, '}');
    }
    um_buf_printf(b, "],\"findings\":%zu}", u->n_findings);
}

um_status um_write_file_atomic(um_scan *s, const char *dir, const char *name, const um_buf *b) {
    if (um_scan_cancelled(s)) return um_scan_cancel_status(s);
    if (b->oom) {
        um_scan_set_error(s, "out of memory writing %s/%s", dir, name);
        return UM_ENOMEM;
    }
    const um_os *os = um_os_get();
    char err[4400];
    if (os->write_atomic(os->ud, dir, name, b->s ? b->s : "", b->len, err, sizeof err) != 0) {
        um_scan_set_error(s, "%s", err);
        return UM_EIO;
    }
    return UM_OK;
}

#define UM_STREAM_CHUNK (1u << 20)

typedef struct {
    um_scan *s;
    um_gen_fn gen;
    void *arg;
    um_buf b;
    bool done, cancelled;
} stream_t;

static int stream_next(void *arg, const void **data, size_t *len) {
    stream_t *t = arg;
    if (t->done) return 0;
    if (um_scan_cancelled(t->s)) {
        t->cancelled = true;
        return -1;
    }
    um_buf_reset(&t->b);
    while (t->b.len < UM_STREAM_CHUNK)
        if (!t->gen(t->arg, &t->b)) {
            t->done = true;
            break;
        }
    if (t->b.oom) return -1;
    if (t->b.len == 0) return 0;
    *data = t->b.s;
    *len = t->b.len;
    return 1;
}

um_status um_write_file_stream(um_scan *s, const char *dir, const char *name, um_gen_fn gen, void *arg) {
    if (um_scan_cancelled(s)) return um_scan_cancel_status(s);
    stream_t t = {s, gen, arg, {0}, false, false};
    um_buf_init(&t.b);
    const um_os *os = um_os_get();
    char err[4400];
    int rc = os->write_stream(os->ud, dir, name, stream_next, &t, err, sizeof err);
    bool oom = t.b.oom;
    um_buf_free(&t.b);
    if (rc == 0) return UM_OK;
    if (t.cancelled) return um_scan_cancel_status(s);
    if (oom) {
        um_scan_set_error(s, "out of memory writing %s/%s", dir, name);
        return UM_ENOMEM;
    }
    um_scan_set_error(s, "%s", err[0] ? err : "cannot write");
    return UM_EIO;
}

/* subjects in rank order; findings in subject rank order, then by weight */
typedef struct {
    um_scan *s;
    size_t i, k;
} cursor_t;

static bool gen_subject(void *arg, um_buf *b) {
    cursor_t *c = arg;
    if (c->i >= um_scan_subject_count(c->s)) return false;
    um_json_subject(b, c->s, um_scan_subject(c->s, c->i++));
    um_buf_addc(b, '\n');
    return true;
}

static bool gen_finding(void *arg, um_buf *b) {
    cursor_t *c = arg;
    for (; c->i < um_scan_subject_count(c->s); c->i++, c->k = 0) {
        const um_subject_info *u = um_scan_subject(c->s, c->i);
        if (c->k < u->n_findings) {
            um_json_finding(b, um_scan_finding(c->s, u->findings[c->k++]));
            um_buf_addc(b, '\n');
            return true;
        }
    }
    return false;
}

static um_status write_jsonl(um_scan *s, const char *dir) {
    cursor_t c = {s, 0, 0};
    um_status st = um_write_file_stream(s, dir, "subjects.jsonl", gen_subject, &c);
    c = (cursor_t){s, 0, 0};
    if (st == UM_OK) st = um_write_file_stream(s, dir, "findings.jsonl", gen_finding, &c);
    return st;
}

const um_sink um_sink_jsonl = {"jsonl", "subjects.jsonl and findings.jsonl (docs/SCHEMA.md)", write_jsonl,
                               false};
