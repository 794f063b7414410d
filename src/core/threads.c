/*
 * threads.c - log inputs read on worker threads, replayed in input order.
 *
 * With um_scan_set_threads(s, N > 1), um_scan_run() reads the phase-1 (log)
 * inputs on N - 1 worker threads while the scan's own thread replays what
 * they read, input by input in the order the inputs were added. A worker
 * runs the input's reader with a recording reader context: um_emit_event,
 * um_reject and um_warn append deep copies (the event's strings and its
 * record field bag) to batches of about 1 MiB instead of handling them.
 * The scan's thread takes each input's batches in order and hands every
 * item to the ordinary um_emit_event / um_reject / um_warn, so enrichment,
 * subject resolution, analyzers, findings, limits and warnings see exactly
 * the sequence a one-thread scan sees: outputs are byte-for-byte the same
 * (tests/e2e/threads.sh). What runs in parallel is reading, parsing and
 * mapping records (JSON, field bags, Windows mapping), which is about half
 * of the work per event.
 *
 * Memory stays bounded: a worker that has more than UM_THR_BUFFERED bytes
 * waiting waits itself, unless it reads the input the scan's thread is
 * replaying now (so the two can never wait for each other). Readers marked
 * `serial` (libevtx, libgit2), folders, empty files, UTF-16 files and
 * inputs without a reader are read on the scan's thread when their turn
 * comes, exactly as without threads.
 */
#include "rec.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>


#define UM_THR_BATCH (1u << 20)     /* bytes of items per batch */
#define UM_THR_BUFFERED (32u << 20) /* bytes of batches waiting, all inputs */

typedef struct um_thr_pool um_thr_pool;

struct um_rec_task {
    um_thr_pool *pool; /* NULL: a solo recorder (um_rec_solo_new) */
    um_scan *s;
    um_rec_flush_fn flush; /* solo: takes each full batch */
    void *flush_ud;
    um_status flush_st;
    size_t index;
    um_input *in;
    bool parallel;
    um_rec_batch *head, *tail; /* finished batches, oldest first */
    um_rec_batch *cur;         /* being filled by the worker */
    bool done, fallback, oom;
    um_status st;
    char *err; /* um_scan_set_error text, heap */
};

struct um_thr_pool {
    um_scan *s;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    um_rec_task *tasks;
    size_t n, next, consuming, buffered;
    bool stop;
};

/* ---- recording (worker side) ---- */

um_rec_batch *um_rec_batch_new(void) {
    um_rec_batch *b = um_calloc(1, sizeof *b);
    if (b) um_arena_init(&b->arena);
    return b;
}

void um_rec_batch_free(um_rec_batch *b) {
    if (!b) return;
    um_arena_free(&b->arena);
    um_free(b->items);
    um_free(b);
}
#define batch_free um_rec_batch_free

um_rec_item *um_rec_batch_item(um_rec_batch *b) {
    if (!um_grow((void **)&b->items, &b->cap, b->n + 1, sizeof *b->items)) return NULL;
    um_rec_item *it = &b->items[b->n++];
    memset(it, 0, sizeof *it);
    b->bytes += sizeof *it;
    return it;
}

char *um_rec_batch_keep(um_rec_batch *b, const char *s, size_t n) {
    b->bytes += n + 1;
    return um_arena_strndup(&b->arena, s, n);
}

static um_rec_item *new_item(um_rec_task *t) {
    if (!t->cur && !(t->cur = um_rec_batch_new())) return NULL;
    return um_rec_batch_item(t->cur);
}

/* Hands the current batch to the scan's thread; waits while too much is
 * buffered (unless this is the input being replayed). */
static void publish(um_rec_task *t) {
    um_thr_pool *p = t->pool;
    um_rec_batch *b = t->cur;
    t->cur = NULL;
    if (!p) { /* solo */
        if (b && t->flush_st == UM_OK) t->flush_st = t->flush(t->flush_ud, b);
        batch_free(b);
        return;
    }
    pthread_mutex_lock(&p->mu);
    if (b) {
        if (t->tail) t->tail->next = b;
        else t->head = b;
        t->tail = b;
        p->buffered += b->bytes;
        pthread_cond_broadcast(&p->cv);
    }
    while (!p->stop && p->buffered > UM_THR_BUFFERED && p->consuming != t->index) pthread_cond_wait(&p->cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

static bool stopped(um_rec_task *t) {
    if (!t->pool) return t->flush_st != UM_OK;
    pthread_mutex_lock(&t->pool->mu);
    bool st = t->pool->stop;
    pthread_mutex_unlock(&t->pool->mu);
    return st;
}

static const char *keep(um_rec_batch *b, const char *s) {
    return s ? um_rec_batch_keep(b, s, strlen(s)) : NULL;
}

um_status um_rec_event(um_rec_task *t, const um_event *ev) {
    if (um_scan_cancelled(t->s)) return um_scan_cancel_status(t->s);
    um_rec_item *it = new_item(t);
    if (!it) return UM_ENOMEM;
    um_rec_batch *b = t->cur;
    it->kind = UM_REC_EVENT;
    it->ev = *ev;
    um_event *e = &it->ev;
    const char **strs[] = {&e->user,     &e->user_name,   &e->host,         &e->ip,          &e->country,
                           &e->city,     &e->as_org,      &e->action,       &e->app,         &e->image,
                           &e->cmdline,  &e->product,     &e->company,      &e->description, &e->original_file,
                           &e->parent_image, &e->target,  &e->device_id,    &e->device_desc, &e->usb_serial,
                           &e->subject_text, &e->src_file, &e->record_id,   &e->ip_country,  &e->ip_org};
    for (size_t i = 0; i < UM_ARRAY_LEN(strs); i++) {
        if (!*strs[i]) continue;
        if (strs[i] == &e->src_file && e->src_file == t->in->path) continue; /* kept as the input's own */
        if (!(*strs[i] = keep(b, *strs[i]))) return UM_ENOMEM;
    }
    e->fields = NULL;
    const um_winfields *wf = ev->fields;
    if (wf && wf->n) {
        it->bag = um_arena_alloc(&b->arena, wf->n * sizeof *it->bag);
        if (!it->bag) return UM_ENOMEM;
        b->bytes += wf->n * sizeof *it->bag;
        for (size_t i = 0; i < wf->n; i++) {
            it->bag[i] = wf->f[i];
            it->bag[i].name = um_arena_strndup(&b->arena, wf->f[i].name, wf->f[i].nlen);
            it->bag[i].value = um_arena_strndup(&b->arena, wf->f[i].value, wf->f[i].len);
            if (!it->bag[i].name || !it->bag[i].value) return UM_ENOMEM;
            b->bytes += wf->f[i].nlen + wf->f[i].len + 2;
        }
        it->nbag = (uint32_t)wf->n;
    } else if (wf) {
        it->nbag = 0;
        it->bag = um_arena_alloc(&b->arena, 1); /* an empty bag, not none */
        if (!it->bag) return UM_ENOMEM;
    }
    if (b->bytes >= UM_THR_BATCH) {
        publish(t);
        if (stopped(t)) return t->flush_st != UM_OK ? t->flush_st : UM_EIO;
    }
    return UM_OK;
}

void um_rec_issue(um_rec_task *t, bool reject, uint64_t line, const char *fmt, va_list ap) {
    um_rec_item *it = new_item(t);
    if (!it) {
        t->oom = true;
        return;
    }
    char *msg = um_vfmt(fmt, ap);
    it->kind = reject ? UM_REC_REJECT : UM_REC_WARN;
    it->line = line;
    it->msg = msg ? keep(t->cur, msg) : "?";
    free(msg);
}

/* ---- workers ---- */

static void run_task(um_rec_task *t) {
    um_scan *s = t->pool->s;
    um_input *in = t->in;
    FILE *f = fopen(in->path, "rb");
    if (!f) {
        t->fallback = true; /* the scan's thread reports it as without threads */
        return;
    }
    unsigned char bomb[2];
    size_t nb = fread(bomb, 1, 2, f);
    if (um_utf16_bom(bomb, nb)) {
        fclose(f);
        t->fallback = true;
        return;
    }
    rewind(f);
    um_reader_ctx rc = {s, in, in->reader, t};
    um_status st = in->reader->read(&rc, f);
    if (st == UM_OK && ferror(f)) st = UM_EIO, t->err = strdup("read error");
    if (st == UM_OK && t->oom) st = UM_ENOMEM;
    fclose(f);
    t->st = st;
}

static void *worker(void *arg) {
    um_thr_pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (p->next < p->n && !p->tasks[p->next].parallel) p->next++;
        if (p->stop || p->next >= p->n) {
            pthread_mutex_unlock(&p->mu);
            return NULL;
        }
        um_rec_task *t = &p->tasks[p->next++];
        pthread_mutex_unlock(&p->mu);
        run_task(t);
        publish(t);
        pthread_mutex_lock(&p->mu);
        t->done = true;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
}

/* ---- replay (the scan's thread) ---- */

um_status um_rec_replay(um_scan *s, um_input *in, const um_rec_batch *b, um_winfields *wf) {
    um_reader_ctx rc = {s, in, in->reader, NULL};
    for (size_t i = 0; i < b->n; i++) {
        const um_rec_item *it = &b->items[i];
        if (it->kind == UM_REC_REJECT) {
            um_reject(&rc, it->line, "%s", it->msg);
            continue;
        }
        if (it->kind == UM_REC_WARN) {
            um_warn(&rc, it->line, "%s", it->msg);
            continue;
        }
        um_event ev = it->ev;
        if (it->bag) {
            um_winfields_reset(wf);
            for (uint32_t k = 0; k < it->nbag; k++)
                um_winfields_add(wf, it->bag[k].name, it->bag[k].value, it->bag[k].len, it->bag[k].count);
            ev.fields = wf;
        }
        um_status st = um_emit_event(&rc, &ev);
        if (st != UM_OK) return st;
    }
    return UM_OK;
}

static um_status consume(um_scan *s, um_thr_pool *p, um_rec_task *t, um_winfields *wf) {
    um_status st = UM_OK;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (!t->head && !t->done) pthread_cond_wait(&p->cv, &p->mu);
        um_rec_batch *b = t->head;
        if (b) {
            t->head = b->next;
            if (!t->head) t->tail = NULL;
            p->buffered -= b->bytes;
            pthread_cond_broadcast(&p->cv);
        }
        pthread_mutex_unlock(&p->mu);
        if (!b) break;
        if (st == UM_OK) st = um_rec_replay(s, t->in, b, wf);
        batch_free(b);
        um_reader_ctx prc = {s, t->in, t->in->reader, NULL};
        um_rc_progress(&prc, 0); /* per input: workers do not know the scan's progress */
    }
    if (st != UM_OK) return st;
    if (t->fallback) return UM_OK; /* caller reads it here */
    return um_rec_input_done(s, t->in, t->st, t->err);
}

um_status um_rec_input_done(um_scan *s, um_input *in, um_status st, const char *err) {
    s->stats.files++;
    s->bytes_before += in->size;
    s->stats.bytes += in->size;
    if (st == UM_OK) in->status = UM_IN_READ, s->stats.files_read++;
    if (st != UM_OK && !s->errmsg) um_scan_set_error(s, "%s: %s", in->path, err ? err : um_status_str(st));
    return st;
}

/* ---- a recorder outside the pool (src/dist/ workers) ---- */

um_rec_task *um_rec_solo_new(um_scan *s, um_input *in, um_rec_flush_fn flush, void *ud) {
    um_rec_task *t = um_calloc(1, sizeof *t);
    if (!t) return NULL;
    t->s = s;
    t->in = in;
    t->flush = flush;
    t->flush_ud = ud;
    return t;
}

um_status um_rec_solo_end(um_rec_task *t) {
    publish(t);
    if (t->flush_st != UM_OK) return t->flush_st;
    return t->oom ? UM_ENOMEM : UM_OK;
}

void um_rec_solo_free(um_rec_task *t) {
    if (!t) return;
    batch_free(t->cur);
    um_free(t);
}

um_status um_threads_read_logs(um_scan *s, um_status (*read_input)(um_scan *, um_input *)) {
    size_t nthr = s->threads > 1 ? s->threads - 1 : 0;
    um_thr_pool p;
    memset(&p, 0, sizeof p);
    p.s = s;
    p.tasks = um_calloc(s->n_inputs + 1, sizeof *p.tasks);
    um_winfields *wf = um_calloc(1, sizeof *wf);
    pthread_t *th = um_calloc(nthr + 1, sizeof *th);
    if (!p.tasks || !wf || !th) {
        um_free(p.tasks);
        um_free(wf);
        um_free(th);
        return UM_ENOMEM;
    }
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    p.n = s->n_inputs;
    for (size_t i = 0; i < p.n; i++) {
        um_input *in = &s->inputs[i];
        um_rec_task *t = &p.tasks[i];
        t->pool = &p;
        t->s = s;
        t->index = i;
        t->in = in;
        t->parallel = in->reader && in->reader->phase != 0 && !in->reader->serial && !in->is_dir && !in->is_stream &&
                      !in->skip && in->size > 0;
    }
    size_t started = 0;
    for (; started < nthr; started++)
        if (pthread_create(&th[started], NULL, worker, &p) != 0) break;
    um_status st = UM_OK;
    for (size_t i = 0; i < p.n && st == UM_OK; i++) {
        um_rec_task *t = &p.tasks[i];
        if (t->in->reader && t->in->reader->phase == 0) continue;
        if (um_scan_cancelled(s)) {
            st = um_scan_cancel_status(s);
            break;
        }
        pthread_mutex_lock(&p.mu);
        p.consuming = i;
        pthread_cond_broadcast(&p.cv);
        bool run_here = !t->parallel || started == 0;
        if (run_here && t->parallel) t->parallel = false, p.next = p.next > i ? p.next : i + 1;
        pthread_mutex_unlock(&p.mu);
        if (run_here) {
            st = read_input(s, t->in);
            continue;
        }
        st = consume(s, &p, t, wf);
        if (st == UM_OK && t->fallback) st = read_input(s, t->in);
    }
    pthread_mutex_lock(&p.mu);
    p.stop = true;
    pthread_cond_broadcast(&p.cv);
    pthread_mutex_unlock(&p.mu);
    for (size_t i = 0; i < started; i++) pthread_join(th[i], NULL);
    for (size_t i = 0; i < p.n; i++) {
        um_rec_batch *b = p.tasks[i].head;
        while (b) {
            um_rec_batch *nx = b->next;
            batch_free(b);
            b = nx;
        }
        batch_free(p.tasks[i].cur);
        free(p.tasks[i].err);
    }
    pthread_cond_destroy(&p.cv);
    pthread_mutex_destroy(&p.mu);
    um_free(p.tasks);
    um_free(wf);
    um_free(th);
    return st;
}
