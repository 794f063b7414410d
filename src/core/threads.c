/*
 * threads.c - log inputs read in parts on worker threads, merged in order.
 *
 * The partition / merge contract is in partition.h; this file is its
 * thread implementation. With um_scan_set_threads(s, N > 1):
 *
 *   - um_threads_start() cuts every phase-1 input into tasks: one per input,
 *     or one per ~UM_PART_BYTES part of a file its reader can split, and
 *     starts N - 1 workers. It runs before the identity inputs are read, so
 *     workers read, parse and match log parts while the scan's thread reads
 *     HR exports and screens people.
 *   - A worker takes the lowest task no one has taken and runs the reader
 *     with a recording reader context: um_emit_event runs the analyzers'
 *     prefilters (the Sigma matching) and appends a deep copy of the event
 *     (its field bag only when a prefilter asked for it), um_reject and
 *     um_warn append (line, text), to batches of about 1 MiB.
 *   - um_threads_read_logs() (the scan's thread) takes the tasks in order
 *     and replays each one's batches through the ordinary um_emit_event /
 *     um_reject / um_warn, lines shifted by the part's base line, then folds
 *     the reader's part summaries and says the input's end-of-file warnings.
 *     Enrichment, subjects, analyzers, findings and limits thus see exactly
 *     the sequence of a one-thread scan (tests/e2e/threads.sh). While the
 *     task it needs has nothing ready, the scan's thread reads a task itself
 *     (the one it waits for if no one has taken it, else the next free one).
 *
 * A split input whose journal needs its content hash (journal.c, um_thash:
 * XXH3 of fixed 64 KiB blocks, then of their digests) is hashed by its
 * parts: each part hashes the blocks that start in its range as the line
 * reader passes over them (in cache, um_lines_map.seen), and the scan's
 * thread folds the parts' block digests in order as it merges them - no
 * second pass over the file, and the same digest as a one-thread read.
 * The last parts of the scan's last split input are cut smaller, so the
 * threads run out of work at about the same time (add_parts).
 *
 * Memory stays bounded: a worker that has more than UM_THR_BUFFERED bytes
 * waiting waits itself, unless it reads the task being replayed now (so the
 * two never wait for each other). Readers marked `serial` (libevtx,
 * libgit2), folders, streams, empty files and inputs without a reader are
 * read on the scan's thread when their turn comes; a file that cannot be
 * opened or is UTF-16 too (with its usual warning or error).
 */
#include "scan.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../read/winevent.h"
#include "partition.h"
#include "rec.h"

#define UM_THR_BATCH (1u << 20)     /* bytes of items per batch */
#define UM_THR_BUFFERED (32u << 20) /* bytes of batches waiting, all tasks */
#define UM_THR_HEAD 65536           /* bytes a reader's splittable() sees */
#define UM_THR_SPARE 40             /* replayed batches kept for reuse (about UM_THR_BUFFERED) */

/* The recorded items and batches: rec.h (also carried over NATS, src/dist/). */
enum { IT_EVENT = UM_REC_EVENT, IT_REJECT = UM_REC_REJECT, IT_WARN = UM_REC_WARN };
typedef um_rec_item rec_item;
typedef um_rec_batch rec_batch;

/* A thread that runs tasks: its prefilter scratch, per analyzer. */
typedef struct thr_worker {
    um_thr_pool *pool;
    void **scratch;
    bool scan_thread; /* the scan's own thread helping: never waits for room */
    double waited;    /* seconds waiting for room (um_scan_stats) */
} thr_worker;

struct um_rec_task {
    um_thr_pool *pool;
    size_t index;
    um_input *in;
    um_part part;     /* part.count > 1: one part of a split file */
    bool parallel;    /* may be read on any thread */
    bool taken;       /* a thread is reading it (or read it) */
    thr_worker *w;    /* which */
    rec_batch *head, *tail; /* finished batches, oldest first */
    rec_batch *cur;         /* being filled */
    bool done, fallback, oom, raw_kept;
    bool hashing;     /* a part whose input needs its content hash: th */
    bool hash_ok;     /* th holds the digests of every block starting in the part */
    uint64_t hash_hi; /* th runs to here (the next part's first block; UINT64_MAX: end of file) */
    um_thash th;
    um_status st;
    char *err; /* um_scan_set_error text, heap */
};

struct um_thr_pool {
    um_scan *s;
    um_rec_flush_fn flush; /* a solo pool (um_rec_read): batches go to flush */
    void *flush_ud;
    um_status flush_st;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    um_rec_task *tasks;
    size_t n, cap, next, consuming, buffered;
    size_t reserved; /* room the scan's thread holds for the part it reads */
    uint64_t psize;  /* part size */
    bool stop;
    pthread_t *th;
    size_t started;
    thr_worker *workers; /* nworkers; workers[started] is the scan's thread */
    size_t nworkers;
    bool sync_ready; /* mu and cv initialised */
    bool compiled;   /* the prefilters' compiled data is built (worker 0, first) */
    um_winfields *wf;    /* the bag of the event being replayed */
    um_winfields *empty; /* the empty bag of events whose bag was dropped */
    void *merged;        /* summaries of the split input being replayed */
    um_thash top;        /* its content hash: the parts' block digests folded in order */
    bool top_ok;
    double workers_cpu;  /* the workers' CPU seconds, added as each ends (under mu) */
    double replay_cpu, help_cpu, wait; /* the scan's thread's (um_scan_stats) */
    rec_batch *spare;    /* replayed batches, emptied for reuse (under mu): a worker's */
    size_t nspare;       /* memory is not given back and faulted in again per batch */
    uint64_t line_base;  /* its base line for the next part */
};

/* ---- recording (any thread) ---- */

static void batch_free(rec_batch *b) {
    if (!b) return;
    um_arena_free(&b->arena);
    um_free(b->items);
    um_free(b);
}

/* A replayed batch emptied for reuse, or freed when enough are kept. */
static void batch_recycle(um_thr_pool *p, rec_batch *b) {
    pthread_mutex_lock(&p->mu);
    if (p->nspare < UM_THR_SPARE) {
        um_arena_reset(&b->arena);
        b->n = b->bytes = 0;
        b->next = p->spare;
        p->spare = b;
        p->nspare++;
        b = NULL;
    }
    pthread_mutex_unlock(&p->mu);
    batch_free(b);
}

/* zero: the item cleared (else the caller sets every member: an event's
 * 300-odd bytes are written once, not cleared and then copied over) */
static rec_item *new_item(um_rec_task *t, bool zero) {
    if (!t->cur && !t->pool->flush) { /* a pool's (not um_rec_read's): a spare batch first */
        um_thr_pool *p = t->pool;
        pthread_mutex_lock(&p->mu);
        if ((t->cur = p->spare)) p->spare = t->cur->next, p->nspare--, t->cur->next = NULL;
        pthread_mutex_unlock(&p->mu);
    }
    if (!t->cur) {
        t->cur = um_calloc(1, sizeof *t->cur);
        if (!t->cur) return NULL;
        um_arena_init(&t->cur->arena);
    }
    rec_batch *b = t->cur;
    if (!um_grow((void **)&b->items, &b->cap, b->n + 1, sizeof *b->items)) return NULL;
    rec_item *it = &b->items[b->n++];
    if (zero) memset(it, 0, sizeof *it);
    b->bytes += sizeof *it;
    return it;
}

/* Hands the current batch to the scan's thread; a worker waits while too
 * much is buffered (unless this is the task being replayed). */
static void publish(um_rec_task *t) {
    um_thr_pool *p = t->pool;
    rec_batch *b = t->cur;
    t->cur = NULL;
    if (p->flush) { /* a solo pool (um_rec_read): the batch goes to the caller */
        if (b && p->flush_st == UM_OK && (p->flush_st = p->flush(p->flush_ud, b)) != UM_OK) p->stop = true;
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
    /* the part being replayed may run over, but not while the scan's thread
     * reads another part (it cannot replay meanwhile) */
    double w0 = 0;
    while (!p->stop && !t->w->scan_thread && p->buffered + p->reserved > UM_THR_BUFFERED &&
           (p->consuming != t->index || p->reserved)) {
        if (!w0) w0 = um_now_s();
        pthread_cond_wait(&p->cv, &p->mu);
    }
    if (w0) t->w->waited += um_now_s() - w0;
    pthread_mutex_unlock(&p->mu);
}

static bool stopped(um_rec_task *t) {
    pthread_mutex_lock(&t->pool->mu);
    bool st = t->pool->stop;
    pthread_mutex_unlock(&t->pool->mu);
    return st;
}

static const char *keep(rec_batch *b, const char *s) {
    if (!s) return NULL;
    size_t n = strlen(s);
    b->bytes += n + 1;
    return um_arena_strndup(&b->arena, s, n);
}

/* Does any analyzer need the event's field bag? (partition.h, 3.) */
static bool bag_needed(um_rec_task *t, const um_event *ev) {
    um_ctx *ctx = t->pool->s->ctx;
    if (!t->w->scratch) return true; /* no prefilters (um_rec_read): every bag kept */
    for (size_t i = 0; i < um_analyzer_count(); i++) {
        const um_analyzer *a = um_analyzer_at(i);
        if (a->prefilter && a->prefilter(ctx, &t->w->scratch[i], ev)) return true;
    }
    return false;
}

um_status um_rec_event(um_rec_task *t, const um_event *ev) {
    /* cancelled: the scan's thread sets the message when it merges this */
    if (um_scan_cancelled(t->pool->s)) return t->w->scan_thread ? um_scan_cancel_status(t->pool->s) : UM_ECANCELED;
    bool drop = ev->fields && !bag_needed(t, ev);
    if (drop && ev->kind == UM_EV_RAW) { /* only the first of the part is replayed */
        if (t->raw_kept) return UM_OK;
        t->raw_kept = true;
    }
    rec_item *it = new_item(t, false);
    if (!it) return UM_ENOMEM;
    rec_batch *b = t->cur;
    it->kind = IT_EVENT;
    it->dropped = false;
    it->line = 0;
    it->msg = NULL;
    it->bag = NULL;
    it->nbag = 0;
    it->ev = *ev;
    um_event *e = &it->ev;
    const char **strs[] = {&e->user,     &e->user_name,   &e->host,         &e->ip,          &e->country,
                           &e->city,     &e->as_org,      &e->action,       &e->app,         &e->image,
                           &e->cmdline,  &e->product,     &e->company,      &e->description, &e->original_file,
                           &e->parent_image, &e->target,  &e->device_id,    &e->device_desc, &e->usb_serial,
                           &e->subject_text, &e->src_file, &e->record_id,   &e->ip_country,  &e->ip_org,
                           &e->browser_hash};
    for (size_t i = 0; i < UM_ARRAY_LEN(strs); i++) {
        if (!*strs[i]) continue;
        if (strs[i] == &e->src_file && e->src_file == t->in->path) continue; /* kept as the input's own */
        if (!(*strs[i] = keep(b, *strs[i]))) return UM_ENOMEM;
    }
    e->fields = NULL;
    const um_winfields *wf = ev->fields;
    if (drop) {
        it->dropped = true;
    } else if (wf && wf->n) {
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
        if (stopped(t)) return UM_EIO;
    }
    return UM_OK;
}

void um_rec_issue(um_rec_task *t, bool reject, uint64_t line, const char *fmt, va_list ap) {
    rec_item *it = new_item(t, true);
    if (!it) {
        t->oom = true;
        return;
    }
    char *msg = um_vfmt(fmt, ap);
    it->kind = reject ? IT_REJECT : IT_WARN;
    it->line = line;
    it->msg = msg ? keep(t->cur, msg) : "?";
    free(msg);
}

/* ---- reading a task ---- */

/* A part of a file as a stream: bytes [pos, end) by pread. */
typedef struct part_file {
    int fd;
    uint64_t pos, end;
} part_file;

static ssize_t part_read(void *c, char *out, size_t size) {
    part_file *k = c;
    if (k->pos >= k->end) return 0;
    if (size > k->end - k->pos) size = (size_t)(k->end - k->pos);
    ssize_t r;
    do r = pread(k->fd, out, size, (off_t)k->pos);
    while (r < 0 && errno == EINTR);
    if (r <= 0) return r;
    k->pos += (uint64_t)r;
    return r;
}

/* Positions are file offsets (um_lines_allow_map reads ftello and seeks
 * back; stdio may pass through a block boundary before the part's start). */
static int part_seek(void *c, off64_t *off, int whence) {
    part_file *k = c;
    int64_t to = whence == SEEK_SET ? *off : whence == SEEK_CUR ? (int64_t)k->pos + *off : -1;
    if (to < 0) {
        errno = EINVAL;
        return -1;
    }
    k->pos = (uint64_t)to;
    *off = to;
    return 0;
}

static int part_close(void *c) {
    part_file *k = c;
    return close(k->fd);
}

/* The bytes the line reader passes over (um_lines_map.seen, in order, ahead
 * of the line being read): those of the part's own blocks are hashed while
 * they are in cache. A gap (the reader left the mapping) is filled by
 * part_hash_rest from the mapping. */
static void part_seen(void *c, uint64_t off, const char *p, size_t n) {
    um_rec_task *t = c;
    uint64_t at = t->th.off, end = off + n < t->hash_hi ? off + n : t->hash_hi;
    if (off <= at && end > at) (void)um_thash_add(&t->th, p + (at - off), (size_t)(end - at));
}

static void part_hash_bytes(void *c, const char *p, size_t n) { (void)um_thash_add(c, p, n); }

/* The part's blocks the reader did not pass over (its last block runs a
 * little into the next part's bytes): from the mapping, then by pread past
 * the mapping's end (the last part, of a file that grew meanwhile). */
static void part_hash_rest(um_rec_task *t, const um_lines_map *m, int fd) {
    um_thash *h = &t->th;
    bool ok = true;
    if (m && m->base && h->off < m->size && h->off < t->hash_hi) {
        uint64_t to = t->hash_hi < m->size ? t->hash_hi : m->size;
        ok = um_lines_map_read(m->base + h->off, (size_t)(to - h->off), part_hash_bytes, h);
    }
    char *buf = NULL;
    while (ok && !h->oom && h->off < t->hash_hi) {
        if (!buf && !(buf = um_malloc(UM_HASH_BLOCK))) break;
        size_t want = t->hash_hi - h->off < UM_HASH_BLOCK ? (size_t)(t->hash_hi - h->off) : UM_HASH_BLOCK;
        ssize_t r;
        do r = pread(fd, buf, want, (off_t)h->off);
        while (r < 0 && errno == EINTR);
        if (r == 0) break; /* the end of the file */
        if (r < 0) ok = false;
        else (void)um_thash_add(h, buf, (size_t)r);
    }
    um_free(buf);
    t->hash_ok = ok && um_thash_end(h);
}

static void read_part(um_rec_task *t, um_reader_ctx *rc) {
    um_input *in = t->in;
    part_file k = {open(in->path, O_RDONLY | O_CLOEXEC), t->part.off, t->part.end};
    if (k.fd < 0) {
        t->st = UM_EIO;
        t->err = strdup(strerror(errno));
        return;
    }
    cookie_io_functions_t io = {part_read, NULL, part_seek, part_close};
    FILE *f = fopencookie(&k, "rb", io);
    if (!f) {
        close(k.fd);
        t->st = UM_ENOMEM;
        return;
    }
    um_lines_map map;
    bool mapped = um_lines_map_fd(&map, f, k.fd, t->part.end);
    if (t->hashing) { /* the blocks starting in [off, next part's off); part 0 from 0 */
        const uint64_t B = UM_HASH_BLOCK;
        uint64_t lo = t->part.index == 0 ? 0 : (t->part.off + B - 1) / B * B;
        t->hash_hi = t->part.index + 1 == t->part.count ? UINT64_MAX : (t->part.end - 1 + B - 1) / B * B;
        t->hash_ok = false;
        if (um_thash_init(&t->th, lo, false) && mapped) map.seen = part_seen, map.ud = t;
    }
    um_lines_map_use(mapped ? &map : NULL);
    um_status st = in->reader->read(rc, f);
    um_lines_map_use(NULL);
    if (st == UM_OK && ferror(f)) st = UM_EIO, t->err = strdup("read error");
    if (st == UM_OK && t->oom) st = UM_ENOMEM;
    if (st == UM_OK && t->hashing && !t->th.oom) part_hash_rest(t, mapped ? &map : NULL, k.fd);
    fclose(f);
    um_lines_map_close(&map);
    t->st = st;
}

static void run_task(um_rec_task *t, thr_worker *w) {
    t->w = w;
    um_scan *s = t->pool->s;
    um_input *in = t->in;
    um_reader_ctx rc = {s, in, in->reader, t, t->part.count > 1 ? &t->part : NULL};
    if (rc.part) {
        read_part(t, &rc);
        return;
    }
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
    um_lines_map map;
    um_lines_map_use(um_lines_map_fd(&map, f, fileno(f), UINT64_MAX) ? &map : NULL);
    um_status st = in->reader->read(&rc, f);
    um_lines_map_use(NULL);
    if (st == UM_OK && ferror(f)) st = UM_EIO, t->err = strdup("read error");
    if (st == UM_OK && t->oom) st = UM_ENOMEM;
    fclose(f);
    um_lines_map_close(&map);
    t->st = st;
}

/* Runs t on w and hands over its last batch. */
static void run_and_publish(um_rec_task *t, thr_worker *w) {
    run_task(t, w);
    publish(t);
    um_thr_pool *p = t->pool;
    pthread_mutex_lock(&p->mu);
    t->done = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

/* The lowest task no one has taken, taken; NULL if none. Under p->mu. */
static um_rec_task *take_next(um_thr_pool *p) {
    while (p->next < p->n && (!p->tasks[p->next].parallel || p->tasks[p->next].taken)) p->next++;
    if (p->next >= p->n) return NULL;
    um_rec_task *t = &p->tasks[p->next++];
    t->taken = true;
    return t;
}

/* What the prefilters and the readers' gates read, built up front by the
 * first worker while the scan's thread reads the identity inputs (they
 * never compile it themselves: um_ctx_compiled_peek). A failure is left to
 * um_scan_prepare on the scan's thread, which reports it. */
static void compile_prefilters(um_thr_pool *p) {
    for (size_t i = 0; i < um_analyzer_count(); i++) {
        const um_analyzer *a = um_analyzer_at(i);
        const void *c;
        if (a->prefilter && a->compile) (void)um_ctx_compiled(p->s->ctx, a, &c);
    }
    pthread_mutex_lock(&p->mu);
    p->compiled = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

static void *worker(void *arg) {
    thr_worker *w = arg;
    um_thr_pool *p = w->pool;
    if (w == &p->workers[0]) compile_prefilters(p);
    pthread_mutex_lock(&p->mu);
    while (!p->compiled && !p->stop) pthread_cond_wait(&p->cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
    for (;;) {
        pthread_mutex_lock(&p->mu);
        um_rec_task *t = p->stop ? NULL : take_next(p);
        if (!t) p->workers_cpu += um_thread_cpu_s();
        pthread_mutex_unlock(&p->mu);
        if (!t) return NULL;
        run_and_publish(t, w);
    }
}

/* ---- splitting ---- */

static bool add_task(um_thr_pool *p, um_input *in, bool parallel, uint64_t off, uint64_t end) {
    if (!um_grow((void **)&p->tasks, &p->cap, p->n + 1, sizeof *p->tasks)) return false;
    um_rec_task *t = &p->tasks[p->n];
    memset(t, 0, sizeof *t);
    t->pool = p;
    t->index = p->n++;
    t->in = in;
    t->parallel = parallel;
    t->part.input = (size_t)(in - p->s->inputs);
    t->part.count = 1;
    t->part.off = off;
    t->part.end = end;
    return true;
}

/* Offset of the first '\n' at or after from, or UINT64_MAX. */
static uint64_t next_newline(int fd, uint64_t from, char *buf, size_t cap) {
    for (;;) {
        ssize_t r = pread(fd, buf, cap, (off_t)from);
        if (r <= 0) return UINT64_MAX;
        const char *nl = memchr(buf, '\n', (size_t)r);
        if (nl) return from + (uint64_t)(nl - buf);
        from += (uint64_t)r;
    }
}

/* Tasks for a file its reader may split: parts of about psize bytes cut
 * after a newline (partition.h, 1.). false: not split (read it whole).
 * fine: the scan's last split input, whose last UM_THR_FINE_TAIL parts are
 * cut UM_THR_FINE times smaller, so the scan does not end with one thread
 * reading a whole part (up to 1.5 x psize) while the other has nothing
 * left. hash: the input's content hash is taken by its parts (read_part). */
#define UM_THR_FINE 4
#define UM_THR_FINE_TAIL 3
#define UM_THR_FINE_MIN (16u << 10)
static bool add_parts(um_thr_pool *p, um_input *in, bool fine, bool hash) {
    const um_reader *r = in->reader;
    uint64_t psize = p->s->part_bytes ? p->s->part_bytes : UM_PART_BYTES;
    if (!r->part_size || !r->splittable || !r->read || in->size < 2 * psize) return false;
    int fd = open(in->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    char *buf = um_malloc(UM_THR_HEAD);
    bool split = false;
    ssize_t n = buf ? pread(fd, buf, UM_THR_HEAD, 0) : -1;
    if (n > 0 && !um_utf16_bom((const unsigned char *)buf, (size_t)n) && r->splittable(buf, (size_t)n)) {
        size_t first = p->n;
        uint64_t start = 0;
        uint64_t small = psize / UM_THR_FINE >= UM_THR_FINE_MIN ? psize / UM_THR_FINE : psize;
        for (;;) {
            uint64_t step = fine && in->size - start <= UM_THR_FINE_TAIL * psize ? small : psize;
            uint64_t want = start + step;
            uint64_t nl = want + step / 2 < in->size ? next_newline(fd, want, buf, UM_THR_HEAD) : UINT64_MAX;
            if (nl == UINT64_MAX || nl + 1 >= in->size) { /* the last part: to the end of the file */
                if (!add_task(p, in, true, start, UINT64_MAX)) break;
                split = true;
                break;
            }
            if (!add_task(p, in, true, start, nl + 1)) break;
            start = nl; /* the next part starts on the newline (its first line is empty) */
        }
        size_t count = p->n - first;
        if (!split || count < 2) { /* out of memory, or one part after all: read it whole */
            p->n = first;
            split = false;
        } else {
            for (size_t i = 0; i < count; i++) {
                p->tasks[first + i].part.index = i;
                p->tasks[first + i].part.count = count;
                p->tasks[first + i].hashing = hash;
            }
        }
    }
    um_free(buf);
    close(fd);
    return split;
}

um_status um_part_cuts(const um_input *in, uint64_t psize, uint64_t **starts, size_t *n) {
    *starts = NULL, *n = 0;
    const um_reader *r = in->reader;
    if (!psize) psize = UM_PART_BYTES;
    if (!r || !r->part_size || !r->splittable || !r->read || in->size < 2 * psize) return UM_OK;
    int fd = open(in->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return UM_OK;
    char *buf = um_malloc(UM_THR_HEAD);
    size_t cap = 0;
    um_status st = buf ? UM_OK : UM_ENOMEM;
    ssize_t got = buf ? pread(fd, buf, UM_THR_HEAD, 0) : -1;
    if (got > 0 && !um_utf16_bom((const unsigned char *)buf, (size_t)got) && r->splittable(buf, (size_t)got)) {
        uint64_t start = 0;
        for (;;) {
            if (!um_grow((void **)starts, &cap, *n + 1, sizeof **starts)) {
                st = UM_ENOMEM;
                break;
            }
            (*starts)[(*n)++] = start;
            uint64_t want = start + psize;
            uint64_t nl = want + psize / 2 < in->size ? next_newline(fd, want, buf, UM_THR_HEAD) : UINT64_MAX;
            if (nl == UINT64_MAX || nl + 1 >= in->size) break;
            start = nl; /* the next part starts on the newline (its first line is empty) */
        }
    }
    if (st != UM_OK || *n < 2) um_free(*starts), *starts = NULL, *n = 0;
    um_free(buf);
    close(fd);
    return st;
}

/* ---- replay (the scan's thread) ---- */

static um_status replay(um_scan *s, um_thr_pool *p, um_rec_task *t, rec_batch *b) {
    um_reader_ctx rc = {s, t->in, t->in->reader, NULL, NULL};
    uint64_t base = t->part.count > 1 ? p->line_base : 0;
    for (size_t i = 0; i < b->n; i++) {
        rec_item *it = &b->items[i];
        uint64_t line = it->line ? it->line + base : 0;
        if (it->kind == IT_REJECT) {
            um_reject(&rc, line, "%s", it->msg);
            continue;
        }
        if (it->kind == IT_WARN) {
            um_warn(&rc, line, "%s", it->msg);
            continue;
        }
        um_event ev = it->ev;
        if (ev.src_line) ev.src_line += base;
        if (it->dropped) {
            ev.fields = p->empty;
            ev.fields_dropped = true;
        } else if (it->bag) {
            um_winfields_reset(p->wf);
            for (uint32_t k = 0; k < it->nbag; k++)
                um_winfields_add(p->wf, it->bag[k].name, it->bag[k].value, it->bag[k].len, it->bag[k].count);
            ev.fields = p->wf;
        }
        um_status st = um_emit_event(&rc, &ev);
        if (st != UM_OK) return st;
    }
    return UM_OK;
}

/* The lowest free task if it is small enough for the scan's thread to read
 * while it waits (a part, or a file no larger than one), taken; else NULL.
 * Under p->mu. */
static um_rec_task *take_small(um_thr_pool *p) {
    while (p->next < p->n && (!p->tasks[p->next].parallel || p->tasks[p->next].taken)) p->next++;
    if (p->next >= p->n) return NULL;
    um_rec_task *t = &p->tasks[p->next];
    if (t->part.count <= 1 && t->in->size > p->psize) return NULL;
    t->taken = true;
    return t;
}

/* Waits for t's next batch; while there is none, reads a task here: t if no
 * one has taken it, else the next free part while there is room for what it
 * records (2 x the part size is held back from the workers meanwhile, so
 * recorded batches stay within UM_THR_BUFFERED and a batch or two). */
static rec_batch *next_batch(um_thr_pool *p, um_rec_task *t) {
    pthread_mutex_lock(&p->mu);
    size_t room = (size_t)(2 * p->psize);
    for (;;) {
        if (t->head || t->done) break;
        if (!p->compiled) { /* worker 0 builds what the prefilters read first */
            double w0 = um_now_s();
            pthread_cond_wait(&p->cv, &p->mu);
            p->wait += um_now_s() - w0;
            continue;
        }
        um_rec_task *h = NULL;
        if (!t->taken) {
            t->taken = true;
            h = t;
        } else if (p->buffered + room <= UM_THR_BUFFERED) {
            h = take_small(p);
        }
        if (!h) {
            double w0 = um_now_s();
            pthread_cond_wait(&p->cv, &p->mu);
            p->wait += um_now_s() - w0;
            continue;
        }
        bool hold = true; /* t itself too: nothing is replayed while it is read */
        if (hold) p->reserved = room;
        pthread_mutex_unlock(&p->mu);
        double c0 = um_thread_cpu_s();
        run_and_publish(h, &p->workers[p->started]);
        double c1 = um_thread_cpu_s();
        pthread_mutex_lock(&p->mu);
        p->help_cpu += c1 - c0;
        if (hold) {
            p->reserved = 0;
            pthread_cond_broadcast(&p->cv);
        }
    }
    rec_batch *b = t->head;
    if (b) {
        t->head = b->next;
        if (!t->head) t->tail = NULL;
        p->buffered -= b->bytes;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return b;
}

static um_status consume(um_scan *s, um_thr_pool *p, um_rec_task *t) {
    um_status st = UM_OK;
    rec_batch *b;
    while ((b = next_batch(p, t))) {
        double c0 = um_thread_cpu_s();
        if (st == UM_OK) st = replay(s, p, t, b);
        p->replay_cpu += um_thread_cpu_s() - c0; /* the scan's thread only writes it */
        batch_recycle(p, b);
        um_reader_ctx prc = {s, t->in, t->in->reader, NULL, NULL};
        um_rc_progress(&prc, 0); /* per batch: workers do not know the scan's progress */
    }
    if (st != UM_OK) return st;
    if (t->fallback) return UM_OK; /* caller reads it here */
    um_part *pt = &t->part;
    bool whole = pt->count <= 1 || pt->index + 1 == pt->count;
    if (t->st == UM_OK && pt->count > 1) {
        const um_reader *r = t->in->reader;
        if (pt->index == 0) memcpy(p->merged, pt->summary, r->part_size);
        else r->part_merge(p->merged, pt->summary);
        if (pt->lines) p->line_base += pt->lines - 1; /* the next part re-reads our last newline */
        if (whole) {
            um_reader_ctx rc = {s, t->in, r, NULL, NULL};
            r->part_finish(&rc, p->merged);
        }
        if (t->hashing) { /* the content hash: this part's block digests, in order */
            if (pt->index == 0) {
                um_thash_free(&p->top);
                p->top_ok = um_thash_init(&p->top, 0, true);
            }
            p->top_ok = p->top_ok && t->hash_ok && um_thash_fold(&p->top, &t->th);
            um_thash_free(&t->th);
            if (whole && p->top_ok && um_thash_end(&p->top))
                t->in->hash = um_thash_digest(&p->top), t->in->has_hash = true;
        }
    }
    if (whole || t->st != UM_OK) {
        s->stats.files++;
        s->bytes_before += t->in->size;
        s->stats.bytes += t->in->size;
    }
    if (t->st == UM_OK && whole) t->in->status = UM_IN_READ, s->stats.files_read++;
    if (t->st == UM_ECANCELED) return um_scan_cancel_status(s);
    if (t->st != UM_OK && !s->errmsg)
        um_scan_set_error(s, "%s: %s", t->in->path, t->err ? t->err : um_status_str(t->st));
    return t->st;
}

/* ---- the pool ---- */

/* May a worker read this (phase-1) input? */
static bool par_input(const um_input *in) {
    return in->reader && in->reader->phase != 0 && !in->reader->serial && !in->is_dir && !in->is_stream && !in->skip &&
           in->size > 0 && !in->replay;
}

um_status um_threads_start(um_scan *s, um_thr_pool **out) {
    *out = NULL;
    size_t nthr = s->threads > 1 ? s->threads - 1 : 0;
    if (!nthr) return UM_OK;
    um_thr_pool *p = um_calloc(1, sizeof *p);
    if (!p) return UM_ENOMEM;
    p->s = s;
    p->consuming = SIZE_MAX;
    p->psize = s->part_bytes ? s->part_bytes : UM_PART_BYTES;
    p->wf = um_calloc(1, sizeof *p->wf);
    p->empty = um_calloc(1, sizeof *p->empty);
    p->th = um_calloc(nthr + 1, sizeof *p->th);
    p->workers = um_calloc(nthr + 1, sizeof *p->workers);
    p->nworkers = p->workers ? nthr + 1 : 0;
    size_t maxsum = 0;
    bool ok = p->wf && p->empty && p->th && p->workers;
    for (size_t i = 0; ok && i <= nthr; i++) {
        p->workers[i].pool = p;
        ok = (p->workers[i].scratch = um_calloc(um_analyzer_count() + 1, sizeof(void *))) != NULL;
    }
    size_t last_par = SIZE_MAX; /* the last input a worker may read: its tail is cut finer */
    for (size_t i = 0; i < s->n_inputs; i++)
        if (par_input(&s->inputs[i])) last_par = i;
    for (size_t i = 0; ok && i < s->n_inputs; i++) {
        um_input *in = &s->inputs[i];
        if (in->reader && in->reader->phase == 0) continue;
        bool par = par_input(in);
        /* the content hash the journal is named by: taken by the parts */
        if (par && add_parts(p, in, i == last_par, um_journal_wants_hash(s, in))) {
            if (in->reader->part_size > maxsum) maxsum = in->reader->part_size;
            continue;
        }
        ok = add_task(p, in, par, 0, UINT64_MAX);
    }
    for (size_t i = 0; ok && i < p->n; i++)
        if (p->tasks[i].part.count > 1)
            ok = (p->tasks[i].part.summary = um_calloc(1, p->tasks[i].in->reader->part_size)) != NULL;
    if (ok && maxsum) ok = (p->merged = um_calloc(1, maxsum)) != NULL;
    if (ok && pthread_mutex_init(&p->mu, NULL) == 0) {
        if (pthread_cond_init(&p->cv, NULL) == 0) p->sync_ready = true;
        else pthread_mutex_destroy(&p->mu);
    }
    if (!ok || !p->sync_ready) {
        p->started = 0;
        um_threads_stop(p);
        return UM_ENOMEM;
    }
    for (; p->started < nthr; p->started++)
        if (pthread_create(&p->th[p->started], NULL, worker, &p->workers[p->started]) != 0) break;
    if (p->started == 0) { /* no thread: one by one, as without threads */
        um_threads_stop(p);
        return UM_OK;
    }
    p->workers[p->started].scan_thread = true;
    *out = p;
    return UM_OK;
}

um_status um_threads_read_logs(um_scan *s, um_thr_pool *p, um_status (*read_input)(um_scan *, um_input *)) {
    um_status st = UM_OK;
    for (size_t i = 0; i < p->n && st == UM_OK; i++) {
        um_rec_task *t = &p->tasks[i];
        if (um_scan_cancelled(s)) {
            st = um_scan_cancel_status(s);
            break;
        }
        pthread_mutex_lock(&p->mu);
        p->consuming = i;
        pthread_cond_broadcast(&p->cv);
        /* a whole file no one has taken is read here directly, as without
         * threads (recording it would hold all of it in memory) */
        bool direct = !t->parallel || (!t->taken && t->part.count <= 1);
        if (direct) t->taken = true;
        pthread_mutex_unlock(&p->mu);
        if (t->part.count > 1 && t->part.index == 0) p->line_base = 0;
        if (direct) {
            st = read_input(s, t->in);
            continue;
        }
        /* the input's journal (journal.c) records the items as they are
         * replayed here, from its first part to its last */
        bool first = t->part.count <= 1 || t->part.index == 0;
        bool last = t->part.count <= 1 || t->part.index + 1 == t->part.count;
        if (first) st = um_journal_begin(s, t->in);
        if (st == UM_OK) st = consume(s, p, t);
        if (last || st != UM_OK) {
            um_status je = um_journal_end(s, t->in, st == UM_OK && !t->fallback && t->st == UM_OK);
            if (st == UM_OK) st = je;
        }
        if (st == UM_OK && t->fallback) st = read_input(s, t->in);
    }
    return st;
}

void um_threads_stop(um_thr_pool *p) {
    if (!p) return;
    if (p->started) {
        pthread_mutex_lock(&p->mu);
        p->stop = true;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        for (size_t i = 0; i < p->started; i++) pthread_join(p->th[i], NULL);
        um_scan_stats *ss = &p->s->stats;
        ss->replay_cpu_s = p->replay_cpu;
        ss->help_cpu_s = p->help_cpu;
        ss->wait_s = p->wait;
        ss->workers_cpu_s = p->workers_cpu;
        ss->workers_wait_s = 0;
        for (size_t i = 0; i < p->started; i++) ss->workers_wait_s += p->workers[i].waited;
    }
    for (size_t i = 0; i < p->n; i++) {
        rec_batch *b = p->tasks[i].head;
        while (b) {
            rec_batch *nx = b->next;
            batch_free(b);
            b = nx;
        }
        batch_free(p->tasks[i].cur);
        um_thash_free(&p->tasks[i].th);
        free(p->tasks[i].err);
        um_free(p->tasks[i].part.summary);
    }
    if (p->workers)
        for (size_t i = 0; i < p->nworkers; i++) {
            if (!p->workers[i].scratch) continue;
            for (size_t k = 0; k < um_analyzer_count(); k++)
                if (p->workers[i].scratch[k] && um_analyzer_at(k)->free_scratch)
                    um_analyzer_at(k)->free_scratch(p->workers[i].scratch[k]);
            um_free(p->workers[i].scratch);
        }
    while (p->spare) {
        rec_batch *nx = p->spare->next;
        batch_free(p->spare);
        p->spare = nx;
    }
    if (p->sync_ready) {
        pthread_cond_destroy(&p->cv);
        pthread_mutex_destroy(&p->mu);
    }
    um_free(p->tasks);
    um_free(p->wf);
    um_free(p->empty);
    um_free(p->merged);
    um_thash_free(&p->top);
    um_free(p->th);
    um_free(p->workers);
    um_free(p);
}

/* ---- outside a scan's pool: workers on other machines (src/dist/, rec.h) ---- */

um_rec_batch *um_rec_batch_new(void) {
    um_rec_batch *b = um_calloc(1, sizeof *b);
    if (b) um_arena_init(&b->arena);
    return b;
}

void um_rec_batch_free(um_rec_batch *b) { batch_free(b); }

um_rec_item *um_rec_batch_item(um_rec_batch *b) {
    if (!um_grow((void **)&b->items, &b->cap, b->n + 1, sizeof *b->items)) return NULL;
    um_rec_item *it = &b->items[b->n++];
    memset(it, 0, sizeof *it);
    b->bytes += sizeof *it;
    return it;
}

char *um_rec_batch_keep(um_rec_batch *b, const char *str, size_t n) {
    b->bytes += n + 1;
    return um_arena_strndup(&b->arena, str, n);
}

um_status um_rec_read(um_scan *s, um_input *in, um_part *part, bool prefilter, um_rec_flush_fn flush, void *ud,
                      bool *fallback, char **err) {
    *fallback = false;
    *err = NULL;
    um_thr_pool p;
    memset(&p, 0, sizeof p);
    p.s = s;
    p.flush = flush;
    p.flush_ud = ud;
    thr_worker w = {&p, NULL, true, 0};
    if (prefilter && !(w.scratch = um_calloc(um_analyzer_count() + 1, sizeof(void *)))) return UM_ENOMEM;
    if (pthread_mutex_init(&p.mu, NULL) != 0) {
        um_free(w.scratch);
        return UM_ENOMEM;
    }
    um_rec_task t;
    memset(&t, 0, sizeof t);
    t.pool = &p;
    t.in = in;
    t.parallel = true;
    t.part.count = 1;
    t.part.end = UINT64_MAX;
    if (part) t.part = *part;
    run_task(&t, &w);
    publish(&t);
    if (part) part->lines = t.part.lines;
    um_status st = t.st;
    if (st == UM_OK && p.flush_st != UM_OK) st = p.flush_st;
    *fallback = t.fallback;
    *err = t.err;
    if (w.scratch) {
        for (size_t k = 0; k < um_analyzer_count(); k++)
            if (w.scratch[k] && um_analyzer_at(k)->free_scratch) um_analyzer_at(k)->free_scratch(w.scratch[k]);
        um_free(w.scratch);
    }
    pthread_mutex_destroy(&p.mu);
    return st;
}

um_status um_rec_replay(um_scan *s, um_input *in, const um_rec_batch *b, uint64_t base, um_winfields *wf,
                        um_winfields *empty) {
    um_reader_ctx rc = {s, in, in->reader, NULL, NULL};
    for (size_t i = 0; i < b->n; i++) {
        const rec_item *it = &b->items[i];
        uint64_t line = it->line ? it->line + base : 0;
        if (it->kind == IT_REJECT) {
            um_reject(&rc, line, "%s", it->msg);
            continue;
        }
        if (it->kind == IT_WARN) {
            um_warn(&rc, line, "%s", it->msg);
            continue;
        }
        um_event ev = it->ev;
        if (ev.src_line) ev.src_line += base;
        if (it->dropped) {
            ev.fields = empty;
            ev.fields_dropped = true;
        } else if (it->bag) {
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

um_status um_rec_input_done(um_scan *s, um_input *in, um_status st, const char *err) {
    s->stats.files++;
    s->bytes_before += in->size;
    s->stats.bytes += in->size;
    if (st == UM_OK) in->status = UM_IN_READ, s->stats.files_read++;
    if (st != UM_OK && !s->errmsg) um_scan_set_error(s, "%s: %s", in->path, err ? err : um_status_str(st));
    return st;
}
