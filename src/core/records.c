/* records.c - what a reader calls: records, rejects, warnings, progress. */
#include "scan.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- reader context ---- */


const char *um_rc_file(const um_reader_ctx *rc) { return rc->in->path; }
um_scan *um_rc_scan(um_reader_ctx *rc) { return rc->scan; }
struct um_part *um_rc_part(const um_reader_ctx *rc) { return rc->part; }

int um_rc_mapped_attr(um_reader_ctx *rc, const char *column) {
    char buf[256];
    size_t n = strlen(column);
    if (n >= sizeof buf) return -1;
    for (size_t i = 0; i < n; i++) buf[i] = (char)(column[i] >= 'A' && column[i] <= 'Z' ? column[i] + 32 : column[i]);
    buf[n] = 0;
    void *v = um_map_get(&rc->scan->mapping, um_trim(buf), strlen(um_trim(buf)));
    if (!v) return -1;
    intptr_t a = (intptr_t)v;
    return a == 1 ? -2 : (int)(a - 2); /* -2: explicitly ignored */
}

static int64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void um_rc_progress(um_reader_ctx *rc, uint64_t bytes_read) {
    um_scan *s = rc->scan;
    if (!s->progress || rc->rec) return; /* the callback runs on the scan's thread only */
    int64_t t = now_us();
    if (t - s->last_progress_us < 200000) return;
    s->last_progress_us = t;
    um_progress p = {rc->in->path, s->bytes_before + bytes_read, s->bytes_total, s->stats.records};
    s->progress(s->progress_ud, &p);
}

static void keep_issue_locked(um_scan *s, bool reject, const char *file, const char *reader, uint64_t line,
                              const char *fmt, va_list ap) {
    if (reject) {
        s->stats.rejects++;
        s->rejects_total++;
    } else {
        s->stats.warnings++;
        s->warnings_total++;
    }
    um_reject_info **arr = reject ? &s->rejects : &s->warnings;
    size_t *n = reject ? &s->n_rejects : &s->n_warnings;
    size_t *cap = reject ? &s->cap_rejects : &s->cap_warnings;
    if (*n >= UM_MAX_KEPT_REJECTS) return;
    if (!um_grow((void **)arr, cap, *n + 1, sizeof **arr)) return;
    char *msg = um_vfmt(fmt, ap);
    um_reject_info *r = &(*arr)[(*n)++];
    r->file = file;
    r->line = line;
    r->reader = reader;
    r->reason = msg ? um_arena_strdup(&s->arena, msg) : "?";
    free(msg);
}

static void keep_issue(um_scan *s, bool reject, const char *file, const char *reader, uint64_t line,
                       const char *fmt, va_list ap) {
    um_scan_issues_lock();
    keep_issue_locked(s, reject, file, reader, line, fmt, ap);
    um_scan_issues_unlock();
}

static void keep_issue_s(um_scan *s, bool reject, const char *file, const char *reader, uint64_t line,
                         const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    keep_issue(s, reject, file, reader, line, fmt, ap);
    va_end(ap);
}

/* A reader's reject or warning into the input's journal (journal.c), then kept. */
static bool journaled_issue(um_reader_ctx *rc, bool reject, uint64_t line, const char *fmt, va_list ap) {
    if (rc->rec || !rc->in || !rc->in->jw || rc->scan->journal_mute) return false;
    char *msg = um_vfmt(fmt, ap);
    um_journal_issue(rc, reject, line, msg ? msg : "?");
    keep_issue_s(rc->scan, reject, rc->in->path, rc->reader ? rc->reader->name : "-", line, "%s", msg ? msg : "?");
    free(msg);
    return true;
}

void um_reject(um_reader_ctx *rc, uint64_t line, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    if (rc->rec) um_rec_issue(rc->rec, true, line, fmt, ap);
    else if (!journaled_issue(rc, true, line, fmt, ap)) keep_issue(rc->scan, true, rc->in->path, rc->reader ? rc->reader->name : "-", line, fmt, ap);
    va_end(ap);
}

void um_warn(um_reader_ctx *rc, uint64_t line, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    if (rc->rec) um_rec_issue(rc->rec, false, line, fmt, ap);
    else if (!journaled_issue(rc, false, line, fmt, ap)) keep_issue(rc->scan, false, rc->in->path, rc->reader ? rc->reader->name : "-", line, fmt, ap);
    va_end(ap);
}

void um_scan_warn(um_scan *s, const char *about, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    keep_issue(s, false, "-", about ? about : "-", 0, fmt, ap);
    va_end(ap);
}

void um_event_init(um_event *ev) {
    memset(ev, 0, sizeof *ev);
    ev->ts = UM_TIME_NONE;
    ev->success = -1;
    ev->is_proxy = -1;
    ev->usb_vid = ev->usb_pid = -1;
}

um_status um_emit_person(um_reader_ctx *rc, const um_person *p) {
    um_scan *s = rc->scan;
    if (um_scan_cancelled(s)) return um_scan_cancel_status(s);
    s->stats.records++;
    s->stats.persons++;
    if (um_scan_over_limit(s, UM_LIMIT_PERSONS, s->n_persons) ||
        um_scan_over_limit(s, UM_LIMIT_IDENTITY_MB, (s->arena.total + s->person_arena.total) >> 20)) {
        um_journal_person(rc, p);
        s->journal_mute++;
        um_reject(rc, p->line, "resource limit reached: identity record not kept");
        s->journal_mute--;
        return UM_OK;
    }
    um_journal_person(rc, p);
    if (!um_grow((void **)&s->persons, &s->cap_persons, s->n_persons + 1, sizeof *s->persons))
        return UM_ENOMEM;
    um_stored_person *sp = &s->persons[s->n_persons];
    sp->kind = p->kind;
    sp->file = rc->in->path;
    sp->line = p->line;
    sp->n = 0;
    sp->kv = um_arena_alloc(&s->person_arena, (p->n ? p->n : 1) * sizeof *sp->kv);
    if (!sp->kv) return UM_ENOMEM;
    for (size_t i = 0; i < p->n; i++) {
        if (!p->kv[i].value || !*p->kv[i].value) continue;
        sp->kv[sp->n].attr = p->kv[i].attr;
        sp->kv[sp->n].value = um_arena_strdup(&s->person_arena, p->kv[i].value);
        if (!sp->kv[sp->n].value) return UM_ENOMEM;
        sp->n++;
    }
    s->n_persons++;
    return UM_OK;
}

static um_status emit_event(um_reader_ctx *rc, um_scan *s, um_event *ev);

bool um_scan_bag_needed(um_scan *s, const um_event *ev) {
    if (!s->pf_ready) return true;
    for (size_t i = 0; i < um_analyzer_count(); i++) {
        const um_analyzer *a = um_analyzer_at(i);
        if (a->prefilter && a->prefilter(s->ctx, &s->pf_scratch[i], ev)) return true;
    }
    return false;
}

um_status um_emit_event(um_reader_ctx *rc, um_event *ev) {
    if (rc->rec) return um_rec_event(rc->rec, ev); /* worker thread: replayed in order later */
    um_scan *s = rc->scan;
    if (um_scan_cancelled(s)) return um_scan_cancel_status(s);
    /* The prefilters here too, as a worker runs them (partition.h, 3.): a
     * bag no analyzer needs is dropped before the analyzers and the journal
     * see the event, and of raw records without one only the input's first
     * is handed on. The result is that of a scan on threads. Identity
     * inputs (phase 0) keep their bags: a scan on threads reads them before
     * the prefilters are ready, and their journals say so (journal.c). */
    if (ev->kind == UM_EV_RAW && ev->fields_dropped && rc->in) {
        /* dropped in a part (partition.h 3. keeps each part's first): of
         * these too only the input's first goes on, as on one thread */
        if (rc->in->raw_kept) return UM_OK;
        ((um_input *)rc->in)->raw_kept = true;
    }
    if (ev->kind != UM_EV_RAW) { /* their lines load while the prefilter runs (emit_event reads them) */
        um_ipdb_prefetch(s->ctx->ipdb, ev->ip);
        um_subjects_prefetch(s, ev);
    }
    um_event dropped;
    if (ev->fields && !ev->fields_dropped && s->pf_ready && (!rc->in || !rc->in->reader || rc->in->reader->phase != 0) &&
        !um_scan_bag_needed(s, ev)) {
        if (ev->kind == UM_EV_RAW) {
            if (rc->in->raw_kept) return UM_OK;
            ((um_input *)rc->in)->raw_kept = true; /* the scan's own input, on its thread */
        }
        dropped = *ev;
        dropped.fields = s->pf_empty;
        dropped.fields_dropped = true;
        ev = &dropped;
    }
    um_journal_event(rc, ev);
    s->journal_mute++;
    um_status st = emit_event(rc, s, ev);
    s->journal_mute--;
    return st;
}

/* Every analyzer's on_event, in table order; each at its position (the
 * findings' order key, scan.h). With person partitions (pmerge.c) the
 * partitionable analyzers get the instance of the subject's partition. */
static um_status analyze(um_scan *s, um_sid sid, const um_event *ev) {
    s->ev_seq++;
    for (size_t i = 0; i < um_analyzer_count(); i++) {
        const um_analyzer *a = um_analyzer_at(i);
        if (!a->on_event) continue;
        s->cur_pos = s->ev_seq * 64 + i;
        um_status st = s->pa && a->merge ? um_pa_on_event(s, i, sid, ev) : a->on_event(s, s->analyzer_state[i], sid, ev);
        if (st != UM_OK) return st;
    }
    return UM_OK;
}

static um_status emit_event(um_reader_ctx *rc, um_scan *s, um_event *ev) {
    if (ev->kind == UM_EV_RAW) {
        /* A record of a type only the Sigma rules read (the reader counted
         * it as skipped): no enrichment, no subject until a rule hits it
         * (detect/rules.c resolves it then), not counted as a record. */
        if (!ev->src_file) ev->src_file = rc->in->path;
        return analyze(s, -1, ev);
    }
    s->stats.records++; /* records = events + persons (raw records are counted as skipped) */
    s->stats.events++;
    if (!ev->src_file) ev->src_file = rc->in->path;
    if (ev->ts != UM_TIME_NONE && ev->ts > s->future_limit_us) {
        um_reject(rc, ev->src_line, "time %lld is in the future", (long long)(ev->ts / 1000000));
        return UM_OK;
    }
    um_ipdb_enrich(s->ctx->ipdb, ev);
    um_sid sid = um_subjects_resolve(s, ev);
    return analyze(s, sid, ev);
}
