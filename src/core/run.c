/* run.c - the scan driver: identity inputs, subjects, analyzers, log inputs, finish. */
#include "scan.h"
#include "../dist/dist.h"
#include "../read/winevent.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- run ---- */

/* A stream's bytes: the head read for detection, then the descriptor.
 * Readers sniff their first bytes and rewind: the first STREAM_REPLAY bytes
 * are kept so seeking back into them works; past that the stream cannot
 * seek (the reader then says the file is not seekable). */
#define STREAM_REPLAY (1u << 20)
typedef struct {
    um_input *in;
    char *buf; /* the first bytes, while they fit in STREAM_REPLAY */
    size_t len;
    uint64_t pos, total;
    bool dropped;
} stream_cookie;

static ssize_t stream_read(void *c, char *out, size_t size) {
    stream_cookie *k = c;
    if (!k->dropped && k->pos < k->len) {
        size_t n = k->len - (size_t)k->pos < size ? k->len - (size_t)k->pos : size;
        memcpy(out, k->buf + k->pos, n);
        k->pos += n;
        return (ssize_t)n;
    }
    ssize_t r;
    do r = read(k->in->fd, out, size);
    while (r < 0 && errno == EINTR); /* a signal: the scan checks its cancel flag per record */
    if (r <= 0) return r;
    if (!k->dropped) {
        if (k->len + (size_t)r <= STREAM_REPLAY) {
            memcpy(k->buf + k->len, out, (size_t)r);
            k->len += (size_t)r;
        } else {
            um_free(k->buf);
            k->buf = NULL;
            k->dropped = true;
        }
    }
    k->pos += (uint64_t)r;
    k->total += (uint64_t)r;
    return r;
}

static int stream_seek(void *c, off64_t *off, int whence) {
    stream_cookie *k = c;
    int64_t to = whence == SEEK_SET ? *off : whence == SEEK_CUR ? (int64_t)k->pos + *off : -1;
    if (k->dropped || to < 0 || (uint64_t)to > k->len) {
        errno = ESPIPE;
        return -1;
    }
    k->pos = (uint64_t)to;
    *off = to;
    return 0;
}

static int stream_close(void *c) {
    stream_cookie *k = c;
    um_free(k->buf);
    k->buf = NULL;
    return 0;
}

static FILE *open_stream(stream_cookie *k, um_input *in) {
    memset(k, 0, sizeof *k);
    k->in = in;
    k->buf = um_malloc(STREAM_REPLAY);
    if (!k->buf) return NULL;
    memcpy(k->buf, in->head, in->head_len);
    k->len = in->head_len;
    k->total = in->head_len;
    cookie_io_functions_t io = {stream_read, NULL, stream_seek, stream_close};
    FILE *f = fopencookie(k, "rb", io);
    if (!f) um_free(k->buf);
    return f;
}

static void skip_input(um_scan *s, um_reader_ctx *rc, um_input *in, const char *why) {
    um_warn(rc, 0, "%s", why);
    in->status = UM_IN_SKIPPED;
    in->reason = why;
    s->stats.files_skipped++;
}

static um_status read_input_j(um_scan *s, um_input *in);

/* An input: replayed from the case's journal (journal.c) or read, its
 * reader's output journaled when the scan keeps journals. */
static um_status read_input(um_scan *s, um_input *in) {
    if (in->replay && !in->skip && in->reader) {
        um_reader_ctx rc = {s, in, in->reader, NULL, NULL};
        s->stats.files++;
        if (in->replay_gone) um_warn(&rc, 0, "file is gone: its records were replayed from the case's journal");
        um_status st = um_journal_replay(s, in);
        s->bytes_before += in->size;
        s->stats.bytes += in->size;
        if (st == UM_OK) in->status = UM_IN_READ, s->stats.files_read++;
        return st;
    }
    um_status st = um_journal_begin(s, in);
    if (st != UM_OK) return st;
    st = read_input_j(s, in);
    um_status je = um_journal_end(s, in, st == UM_OK && in->status == UM_IN_READ);
    return st != UM_OK ? st : je;
}

static um_status read_input_j(um_scan *s, um_input *in) {
    um_reader_ctx rc = {s, in, in->reader, NULL, NULL};
    s->stats.files++;
    if (in->skip) {
        skip_input(s, &rc, in, in->skip);
        return UM_OK;
    }
    if (!in->is_dir && (in->is_stream ? in->head_len == 0 : in->size == 0)) {
        skip_input(s, &rc, in, in->is_stream ? "skipped: empty stream" : "skipped: empty file");
        return UM_OK;
    }
    if (!in->reader) {
        /* A file named on the command line must be read; one found while
         * walking a folder (a README, a picture) is skipped with a warning. */
        if (in->in_folder) skip_input(s, &rc, in, "skipped: format not recognised");
        else {
            in->status = UM_IN_REJECTED;
            in->reason = "format not recognised (use --format to name it; see `unmask formats`)";
            um_reject(&rc, 0, "%s", in->reason);
        }
        return UM_OK;
    }
    if (in->is_dir) { /* readers of folders (git-repo) get no stream */
        um_status st = in->reader->read(&rc, NULL);
        if (st != UM_OK && !s->errmsg) um_scan_set_error(s, "%s: %s", in->path, um_status_str(st));
        if (st == UM_OK) in->status = UM_IN_READ, s->stats.files_read++;
        return st;
    }
    FILE *f;
    stream_cookie ck;
    um_lines_map map = {0}; /* a regular file's lines read in place (lines.c) */
    int bom;
    if (in->is_stream) {
        f = open_stream(&ck, in);
        bom = um_utf16_bom((const unsigned char *)in->head, in->head_len);
        if (f && bom) (void)getc(f), (void)getc(f);
    } else {
        f = um_journal_fopen(s, in, &map); /* the content hash taken as the reader reads */
        unsigned char bomb[2];
        size_t nb = f ? fread(bomb, 1, 2, f) : 0;
        bom = um_utf16_bom(bomb, nb);
    }
    if (!f) {
        um_scan_set_error(s, "%s: %s", in->path, strerror(errno));
        return UM_EIO;
    }
    if (bom) um_lines_map_close(&map);
    if (bom) {
        FILE *t = um_os_get()->tmpfile(um_os_get()->ud);
        if (!t || !um_utf16_convert(f, t, bom == 2, 0) || fflush(t) != 0) {
            int e = errno;
            if (t) fclose(t);
            fclose(f);
            um_scan_set_error(s, "%s: cannot convert from UTF-16: %s", in->path, strerror(e));
            return UM_EIO;
        }
        fclose(f);
        f = t;
        um_warn(&rc, 0, "file is UTF-16%s; read after conversion to UTF-8", bom == 2 ? "BE" : "LE");
        rewind(f);
    } else {
        rewind(f);
    }
    um_lines_map_use(map.base ? &map : NULL);
    um_status st = in->reader->read(&rc, f);
    um_lines_map_use(NULL);
    if (st == UM_OK && ferror(f)) {
        um_scan_set_error(s, "%s: read error", in->path);
        st = UM_EIO;
    }
    fclose(f);
    um_lines_map_close(&map);
    if (in->is_stream) {
        in->size = ck.total;
        close(in->fd);
        in->fd = -1;
    }
    s->bytes_before += in->size;
    s->stats.bytes += in->size;
    if (st == UM_OK) in->status = UM_IN_READ, s->stats.files_read++;
    if (st != UM_OK && !s->errmsg) um_scan_set_error(s, "%s: %s", in->path, um_status_str(st));
    return st;
}

um_status um_scan_prepare(um_scan *s, bool force) {
    if (s->pf_ready) return UM_OK;
    bool logs = force;
    for (size_t i = 0; i < s->n_inputs && !logs; i++)
        logs = !s->inputs[i].reader || s->inputs[i].reader->phase != 0;
    if (!logs) return UM_OK; /* identity inputs only: nothing a prefilter reads */
    size_t n = um_analyzer_count();
    if (!s->pf_scratch && !(s->pf_scratch = um_calloc(n + 1, sizeof(void *)))) return UM_ENOMEM;
    if (!s->pf_empty && !(s->pf_empty = um_calloc(1, sizeof(um_winfields)))) return UM_ENOMEM;
    uint64_t d = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < n; i++) {
        const um_analyzer *a = um_analyzer_at(i);
        if (!a->prefilter || !a->compile) continue;
        const void *c = NULL;
        um_status st = um_ctx_compiled(s->ctx, a, &c);
        if (st != UM_OK) {
            um_scan_set_error(s, "analyzer %s: %s", a->name, um_status_str(st));
            return st;
        }
        uint64_t ad = a->prefilter_digest ? a->prefilter_digest(c) : 0;
        d = um_hash64(&ad, sizeof ad, d ^ (uint64_t)i);
    }
    s->pf_digest = d ? d : 1; /* 0: a journal written without prefilters */
    s->pf_ready = true;
    return UM_OK;
}

um_status um_scan_run(um_scan *s, um_progress_fn cb, void *ud) {
    if (s->ran) {
        um_scan_set_error(s, "scan already ran");
        return UM_EINVAL;
    }
    s->ran = true;
    s->progress = cb;
    s->progress_ud = ud;
    s->future_limit_us = um_time_future_limit();
    for (size_t i = 0; i < s->n_inputs; i++) s->bytes_total += s->inputs[i].size;
    s->analyzer_state = um_calloc(um_analyzer_count() + 1, sizeof(void *));
    if (!s->analyzer_state) return UM_ENOMEM;

    double t0 = um_now_s(), tr = 0, t;
    /* with threads, workers start on the log inputs now, while the identity
     * inputs are read and screened here (threads.c); their first builds what
     * the prefilters and the readers' gates read before any part is read.
     * On one thread that is built here first. Readers and prefilters never
     * build it themselves (um_ctx_compiled_peek). */
    um_thr_pool *pool = NULL;
    um_status st = s->threads > 1 && !s->nats ? um_threads_start(s, &pool) : UM_OK;
    if (st == UM_OK && !pool) st = um_scan_prepare(s, false);
    for (size_t i = 0; i < s->n_inputs && st == UM_OK; i++)
        if (s->inputs[i].reader && s->inputs[i].reader->phase == 0)
            st = um_scan_cancelled(s) ? um_scan_cancel_status(s) : read_input(s, &s->inputs[i]);
    tr += um_now_s() - t0;
    if (st == UM_OK) st = um_subjects_build(s);
    for (size_t i = 0; i < um_analyzer_count() && st == UM_OK; i++)
        if (um_analyzer_at(i)->on_subjects)
            st = um_analyzer_at(i)->on_subjects(s, &s->analyzer_state[i]);
    if (st == UM_OK) st = um_pa_start(s); /* person partitions of the analysis (pmerge.c) */
    t = um_now_s();
    bool logs = s->nats != NULL;
    for (size_t i = 0; i < s->n_inputs && !logs; i++)
        logs = !s->inputs[i].reader || s->inputs[i].reader->phase != 0;
    if (st == UM_OK && logs) st = um_subjects_index(s); /* events resolve through it */
    if (st == UM_OK) st = um_scan_prepare(s, false); /* with threads: built by the first worker meanwhile */
    double tl = um_now_s();
    s->stats.start_s = tl - t0;
    if (st == UM_OK && s->nats) st = um_dist_read_logs(s, read_input);
    else if (pool) {
        if (st == UM_OK) st = um_threads_read_logs(s, pool, read_input);
        um_threads_stop(pool);
    } else
        for (size_t i = 0; i < s->n_inputs && st == UM_OK; i++)
            if (!s->inputs[i].reader || s->inputs[i].reader->phase != 0)
                st = um_scan_cancelled(s) ? um_scan_cancel_status(s) : read_input(s, &s->inputs[i]);
    tr += um_now_s() - t;
    double tf = um_now_s();
    s->stats.logs_s = tf - tl;
    if (st == UM_OK) st = um_pa_merge(s);
    for (size_t i = 0; i < um_analyzer_count() && st == UM_OK; i++)
        if (um_analyzer_at(i)->finish) st = um_analyzer_at(i)->finish(s, s->analyzer_state[i]);
    if (st == UM_OK && um_scan_cancelled(s)) st = um_scan_cancel_status(s);
    if (st == UM_OK) st = um_scan_finalize(s);
    if (st == UM_ENOMEM && !s->errmsg) um_scan_set_error(s, "out of memory");
    if (st != UM_OK && !s->errmsg) um_scan_set_error(s, "%s", um_status_str(st)); /* never an empty message */
    s->t_read = tr;
    s->t_analyze = um_now_s() - t0 - tr;
    s->stats.finish_s = um_now_s() - tf;
    return st;
}
