/*
 * journal.c - incremental scans: what each input's reader produced, kept in
 * the case folder, replayed instead of parsing the input again.
 *
 * While an input is read, every item its reader hands to the scan (identity
 * record, event with its field bag, reject, warning) is appended, in order,
 * to a journal: CASE/journal/<content hash>-<reader>.umj, written first into
 * P/.NAME.jnl.PID.N beside the case and published with the output set
 * (core/outdir.c). Items the scan itself derives while handling a record (a
 * limit reached, a time in the future) are not journaled: replay derives
 * them again.
 *
 * um_scan_add_case() puts the case's inputs (case.db `inputs`, in their
 * order) back into a new scan: a file whose size and content hash are
 * those the case recorded and whose journal was written by this version,
 * reader and column mapping is replayed from the journal (every item handed
 * to um_emit_person / um_emit_event / um_reject / um_warn exactly as the
 * reader did); a file that changed is refused (it would be counted twice);
 * a file that is gone is replayed from its journal (a warning says so);
 * folders (git repositories) and files without a journal are read again.
 * New inputs are then added as usual, so the run sees the sequence a full
 * scan over old + new inputs sees, and its outputs are the same.
 *
 * Encoding: little-endian base-128 varints; strings as varint(len + 1), 0 for
 * NULL, then the bytes and a NUL (replay maps the file and hands out
 * pointers into it: no copy, no parse). Header "UMJ1", format version, unmask version,
 * reader, mapping digest, prefilter digest. Items: 'P' person, 'E' event,
 * 'R' reject, 'W' warning; 'Z' then the item count, the content hash and
 * the size (8 bytes each, little-endian) end a complete journal (the hash
 * is taken while the file is read, so it is known only at the end; the
 * journal is written under a temporary name and renamed to its own then).
 *
 * An event's field bag is kept only when an analyzer's prefilter asked for
 * it (the Sigma rules: some rule matches the event; records.c runs the
 * prefilters before the journal sees the event, as workers do); else the
 * event says its bag was dropped, and raw records without a bag are kept
 * only as the input's first (src/core/partition.h, 3.). The header's
 * prefilter digest (um_scan_prepare: the rule texts) names the rules these
 * decisions were made under: a journal is replayed only under the same
 * (0: nothing dropped, replayed under any).
 */
#include "scan.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../read/winevent.h"
#include "../sink/case_schema.h"

#define JFORMAT 2
#define JBUF (1u << 20)

typedef struct um_jw {
    FILE *f;
    char *tmp_path; /* in s->journal_dir */
    uint64_t items;
    bool failed;
    int err; /* errno of the first failed write */
    unsigned char *buf; /* JBUF bytes, written out when full */
    size_t len;
} um_jw;

/* ---- content hash ---------------------------------------------------------- */

/* The content hash of a file: XXH3 (seeded) of each UM_HASH_BLOCK-byte block
 * and XXH3 of the blocks' digests in order (scan.h, um_thash), taken while
 * the reader reads the bytes (um_journal_fopen; the parts of a split input
 * on the threads, threads.c: no second pass), or by file_hash when that
 * cannot be (a reader that does not read through the FILE; --add checking
 * a file). Detects a changed file (not a forged one: the case owner
 * controls both). Cases written before this definition (case.db `meta` has
 * no `content_hash` row) hold XXH3 of all the bytes as one sequence: --add
 * checks their files with that (file_hash's flat). */
#define HASH_SEED 0x6a09e667f3bcc908ULL

bool um_thash_init(um_thash *h, uint64_t off, bool top) {
    memset(h, 0, sizeof *h);
    h->off = off;
    if (top && !(h->top = um_hstream_new(HASH_SEED))) h->oom = true;
    return !h->oom;
}

static void thash_emit(um_thash *h, uint64_t d) {
    if (h->top) {
        unsigned char b[8];
        for (int i = 0; i < 8; i++) b[i] = (unsigned char)(d >> (8 * i));
        um_hstream_add(h->top, b, 8);
    } else if (um_grow((void **)&h->digs, &h->cap, h->n + 1, sizeof *h->digs)) {
        h->digs[h->n++] = d;
    } else {
        h->oom = true;
    }
}

bool um_thash_add(um_thash *h, const char *p, size_t n) {
    while (n && !h->oom) {
        size_t at = (size_t)(h->off % UM_HASH_BLOCK), k = UM_HASH_BLOCK - at;
        if (k > n) k = n;
        if (at == 0 && k == UM_HASH_BLOCK) { /* a whole block at once: the usual case */
            thash_emit(h, um_hash64(p, k, HASH_SEED));
        } else {
            if (!h->blk && !(h->blk = um_hstream_new(HASH_SEED))) {
                h->oom = true;
                break;
            }
            if (!h->partial) um_hstream_reset(h->blk, HASH_SEED);
            um_hstream_add(h->blk, p, k);
            h->partial = at + k < UM_HASH_BLOCK;
            if (!h->partial) thash_emit(h, um_hstream_digest(h->blk));
        }
        h->off += k, p += k, n -= k;
    }
    return !h->oom;
}

bool um_thash_end(um_thash *h) {
    if (h->partial && !h->oom) thash_emit(h, um_hstream_digest(h->blk));
    h->partial = false;
    return !h->oom;
}

bool um_thash_fold(um_thash *top, const um_thash *part) {
    for (size_t i = 0; i < part->n; i++) thash_emit(top, part->digs[i]);
    return !top->oom && !part->oom;
}

uint64_t um_thash_digest(const um_thash *h) { return um_hstream_digest(h->top); }

void um_thash_free(um_thash *h) {
    um_hstream_free(h->blk);
    um_hstream_free(h->top);
    um_free(h->digs);
    memset(h, 0, sizeof *h);
}

/* A regular file is mapped a window at a time (no copy through a read
 * buffer, and no more than one window resident on its account); anything
 * else is read. flat (may be NULL): the hash of cases written before the
 * block definition, taken in the same pass. */
typedef struct fh_sink {
    um_thash th;
    um_hstream *flat;
} fh_sink;
static void hash_bytes(void *ud, const char *p, size_t n) {
    fh_sink *k = ud;
    (void)um_thash_add(&k->th, p, n);
    if (k->flat) um_hstream_add(k->flat, p, n);
}

static bool file_hash(const char *path, uint64_t *out, uint64_t *size, uint64_t *flat) {
    enum { WINDOW = 4 * JBUF };
    uint64_t n = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    fh_sink k = {0};
    bool ok = um_thash_init(&k.th, 0, true);
    if (ok && flat) ok = (k.flat = um_hstream_new(HASH_SEED)) != NULL;
    struct stat st;
    ok = ok && fstat(fd, &st) == 0;
    const um_os *os = um_os_get();
    if (ok && S_ISREG(st.st_mode) && um_lines_guard()) { /* mapped only under the SIGBUS guard */
        uint64_t total = (uint64_t)st.st_size;
        for (n = 0; ok && n < total; n += WINDOW) {
            size_t w = total - n < WINDOW ? (size_t)(total - n) : WINDOW;
            void *m = (void *)os->map(os->ud, fd, w, n);
            if (!m) {
                ok = false;
                break;
            }
#ifdef MADV_POPULATE_READ
            if (madvise(m, w, MADV_POPULATE_READ) != 0) /* page tables in one call, not a fault per 64 KiB */
#endif
                (void)madvise(m, w, MADV_SEQUENTIAL);
            ok = um_lines_map_read(m, w, hash_bytes, &k); /* a file cut short while hashed: an error */
            os->unmap(os->ud, m, w);
        }
        n = total;
    } else if (ok) {
        char *buf = um_malloc(JBUF);
        ssize_t r = 0;
        while (buf && (r = read(fd, buf, JBUF)) > 0) {
            hash_bytes(&k, buf, (size_t)r);
            n += (uint64_t)r;
        }
        ok = buf && r == 0;
        um_free(buf);
    }
    close(fd);
    ok = ok && um_thash_end(&k.th);
    *out = ok ? um_thash_digest(&k.th) : 0;
    if (flat) *flat = ok ? um_hstream_digest(k.flat) : 0;
    *size = n;
    um_thash_free(&k.th);
    um_hstream_free(k.flat);
    return ok;
}

/* The file as the reader's FILE, hashing every byte the first time the
 * reader reads it (a reader that sniffs and rewinds reads the head twice:
 * hashed once). At close, bytes the reader never read (it stopped early,
 * or skipped ahead) are hashed from the file: the digest is always that of
 * the whole file, as file_hash takes it. */
typedef struct hash_cookie {
    um_input *in;
    int fd;
    uint64_t pos, hwm; /* read position; bytes [0, hwm) are hashed */
    um_thash h;
    bool gap; /* the reader jumped past hwm: hashed again from the file at close */
} hash_cookie;

static ssize_t hc_read(void *c, char *out, size_t size) {
    hash_cookie *k = c;
    ssize_t r;
    do r = pread(k->fd, out, size, (off_t)k->pos);
    while (r < 0 && errno == EINTR);
    if (r <= 0) return r;
    uint64_t end = k->pos + (uint64_t)r;
    if (k->pos > k->hwm) k->gap = true;
    else if (end > k->hwm && !k->gap) {
        (void)um_thash_add(&k->h, out + (k->hwm - k->pos), (size_t)(end - k->hwm));
        k->hwm = end;
    }
    k->pos = end;
    return r;
}

static int hc_seek(void *c, off64_t *off, int whence) {
    hash_cookie *k = c;
    int64_t to = *off;
    if (whence == SEEK_CUR) to += (int64_t)k->pos;
    else if (whence == SEEK_END) {
        struct stat st;
        if (fstat(k->fd, &st) != 0) return -1;
        to += (int64_t)st.st_size;
    }
    if (to < 0) {
        errno = EINVAL;
        return -1;
    }
    k->pos = (uint64_t)to;
    *off = to;
    return 0;
}

static int hc_close(void *c) {
    hash_cookie *k = c;
    um_input *in = k->in;
    bool ok = !k->gap;
    if (ok) { /* the rest the reader did not read */
        char *buf = um_malloc(JBUF);
        ssize_t r = 0;
        while (buf && (r = pread(k->fd, buf, JBUF, (off_t)k->hwm)) > 0) {
            (void)um_thash_add(&k->h, buf, (size_t)r);
            k->hwm += (uint64_t)r;
        }
        ok = buf && r == 0;
        um_free(buf);
    }
    uint64_t n;
    if (ok && um_thash_end(&k->h)) in->hash = um_thash_digest(&k->h), in->has_hash = true;
    else in->has_hash = file_hash(in->path, &in->hash, &n, NULL);
    um_thash_free(&k->h);
    int rc = close(k->fd);
    um_free(k);
    return rc;
}

/* The mapped bytes the line reader passes over (um_lines_map.seen), hashed
 * as read() bytes are. */
static void hc_seen(void *c, uint64_t off, const char *p, size_t n) {
    hash_cookie *k = c;
    uint64_t end = off + n;
    if (off > k->hwm) k->gap = true;
    else if (end > k->hwm && !k->gap) {
        (void)um_thash_add(&k->h, p + (k->hwm - off), (size_t)(end - k->hwm));
        k->hwm = end;
    }
}

FILE *um_journal_fopen(um_scan *s, um_input *in, um_lines_map *m) {
    if (m) memset(m, 0, sizeof *m);
    if (!s->case_dir || in->is_stream || in->is_dir || in->replay) {
        FILE *f = fopen(in->path, "rb");
        if (f && !in->is_stream) setvbuf(f, NULL, _IOFBF, JBUF); /* stdio's default: a read per 4 KiB */
        if (f && m && !in->is_stream) (void)um_lines_map_fd(m, f, fileno(f), UINT64_MAX);
        return f;
    }
    hash_cookie *k = um_calloc(1, sizeof *k);
    if (!k) return NULL;
    k->in = in;
    k->fd = open(in->path, O_RDONLY | O_CLOEXEC);
    bool hok = k->fd >= 0 && um_thash_init(&k->h, 0, true);
    cookie_io_functions_t io = {hc_read, NULL, hc_seek, hc_close};
    FILE *f = hok ? fopencookie(k, "rb", io) : NULL;
    if (f) setvbuf(f, NULL, _IOFBF, JBUF); /* a cookie stream's default is 8 KiB: one pread each */
    if (f && m && um_lines_map_fd(m, f, k->fd, UINT64_MAX)) m->seen = hc_seen, m->ud = k;
    if (!f) {
        int e = errno;
        if (k->fd >= 0) close(k->fd);
        um_thash_free(&k->h);
        um_free(k);
        errno = e ? e : ENOMEM;
    }
    return f;
}

/* ---- writing ---------------------------------------------------------------- */

static void fail(um_jw *w) {
    if (!w->failed) w->err = errno;
    w->failed = true;
}
static void flush(um_jw *w) {
    if (w->len && fwrite(w->buf, 1, w->len, w->f) != w->len) fail(w);
    w->len = 0;
}
static void put_raw(um_jw *w, const void *p, size_t n) {
    if (w->len + n > JBUF) flush(w);
    if (n > JBUF) {
        if (fwrite(p, 1, n, w->f) != n) fail(w);
        return;
    }
    memcpy(w->buf + w->len, p, n);
    w->len += n;
}
static void put_c(um_jw *w, int c) {
    if (w->len + 1 > JBUF) flush(w);
    w->buf[w->len++] = (unsigned char)c;
}
/* A varint: most values an event writes (kinds, flags, lengths, counts) are
 * below 128, one byte: that case is inline (~37 varints an event). */
static void put_u_long(um_jw *w, uint64_t v);
static inline __attribute__((always_inline)) void put_u(um_jw *w, uint64_t v) {
    if (v < 0x80 && w->len < JBUF) {
        w->buf[w->len++] = (unsigned char)v;
        return;
    }
    put_u_long(w, v);
}
static void put_u_long(um_jw *w, uint64_t v) {
    if (w->len + 10 > JBUF) flush(w);
    unsigned char *b = w->buf + w->len;
    int n = 0;
    do {
        b[n] = (unsigned char)(v & 0x7f);
        v >>= 7;
        if (v) b[n] |= 0x80;
        n++;
    } while (v);
    w->len += (size_t)n;
}
static void put_i(um_jw *w, int64_t v) { put_u(w, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63)); }
/* A string: varint(len + 1) (0 for NULL), the bytes and a NUL, so replay
 * hands out pointers into the mapped journal. */
static void put_sn(um_jw *w, const char *s, size_t n) {
    if (!s) {
        put_u(w, 0);
        return;
    }
    put_u(w, (uint64_t)n + 1);
    put_raw(w, s, n);
    put_c(w, 0);
}
static void put_s(um_jw *w, const char *s) { put_sn(w, s, s ? strlen(s) : 0); }

static atomic_uint jdir_seq;

static um_status ensure_dir(um_scan *s) {
    if (s->journal_dir) return UM_OK;
    char *d = um_strdup(s->case_dir), *b = um_strdup(s->case_dir);
    if (!d || !b) {
        um_free(d), um_free(b);
        return UM_ENOMEM;
    }
    size_t n = strlen(d);
    while (n > 1 && d[n - 1] == '/') d[--n] = 0, b[n] = 0;
    char *p = NULL;
    if (asprintf(&p, "%s/.%s.jnl.%ld.%u", dirname(d), basename(b), (long)getpid(),
                 atomic_fetch_add(&jdir_seq, 1)) < 0)
        p = NULL;
    um_free(d), um_free(b);
    if (!p) return UM_ENOMEM;
    um_os_get()->remove_tree(um_os_get()->ud, p); /* a dead run's with our pid */
    if (mkdir(p, 0700) != 0) {
        um_scan_set_error(s, "cannot create %s: %s", p, strerror(errno));
        free(p);
        return UM_EIO;
    }
    s->journal_dir = um_strdup(p);
    free(p);
    return s->journal_dir ? UM_OK : UM_ENOMEM;
}

static char *journal_file_name(const um_input *in) {
    char *n = NULL;
    if (asprintf(&n, "%016llx-%s.umj", (unsigned long long)in->hash, in->reader ? in->reader->name : "none") < 0)
        return NULL;
    char *r = um_strdup(n);
    free(n);
    return r;
}

um_status um_journal_begin(um_scan *s, um_input *in) {
    if (!s->case_dir || in->replay || in->is_dir || in->skip || !in->reader || in->jw) return UM_OK;
    in->has_hash = false; /* a file's: taken while it is read (um_journal_fopen) or at the end */
    if (in->is_stream) /* a stream cannot be hashed before it is read: named by position */
        in->hash = um_hash64(in->path, strlen(in->path), (uint64_t)(in - s->inputs) + 1);
    if (s->journal_hash_only) return UM_OK;
    um_status st = ensure_dir(s);
    if (st != UM_OK) return st;
    um_jw *w = um_calloc(1, sizeof *w);
    if (w) w->buf = um_malloc(JBUF);
    if (!w || !w->buf || asprintf(&w->tmp_path, "%s/in%zu.tmp", s->journal_dir, (size_t)(in - s->inputs)) < 0) {
        if (w) um_free(w->buf);
        um_free(w);
        return UM_ENOMEM;
    }
    int fd = open(w->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600); /* records are personal data */
    w->f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!w->f && fd >= 0) close(fd);
    if (!w->f) {
        um_scan_set_error(s, "cannot write %s: %s", w->tmp_path, strerror(errno));
        free(w->tmp_path);
        um_free(w->buf);
        um_free(w);
        return UM_EIO;
    }
    um_free(in->journal_name);
    in->journal_name = NULL; /* named by the content hash at the end */
    put_raw(w, "UMJ1", 4);
    put_u(w, JFORMAT);
    put_s(w, UM_VERSION);
    put_s(w, in->reader->name);
    put_u(w, s->mapping_digest);
    /* identity inputs: their bags are never dropped (records.c), so their
     * journals hold for any rules, whether or not the prefilters were ready */
    put_u(w, s->pf_ready && in->reader->phase != 0 ? s->pf_digest : 0);
    in->jw = w;
    return UM_OK;
}

static void jw_close(um_jw *w, bool keep) {
    if (!w) return;
    if (w->f) fclose(w->f);
    um_free(w->buf);
    if (!keep && w->tmp_path) unlink(w->tmp_path);
    free(w->tmp_path);
    um_free(w);
}

static void put_le64(um_jw *w, uint64_t v) {
    unsigned char b[8];
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)(v >> (8 * i));
    put_raw(w, b, 8);
}
static uint64_t get_le64(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}
#define TRAILER 25 /* 'Z', items, content hash, size (8 bytes each) */

bool um_journal_wants_hash(const um_scan *s, const um_input *in) {
    return s->case_dir && !in->replay && !in->is_dir && !in->skip && in->reader && !in->is_stream;
}

um_status um_journal_end(um_scan *s, um_input *in, bool ok) {
    /* a file read without um_journal_fopen (a part on a worker thread, a
     * reader that opens the file itself): hashed now */
    if (ok && um_journal_wants_hash(s, in) && !in->has_hash) {
        uint64_t n;
        in->has_hash = file_hash(in->path, &in->hash, &n, NULL);
    }
    um_jw *w = in->jw;
    if (!w) return UM_OK;
    in->jw = NULL;
    char *name = NULL, *final = NULL;
    if (ok && (!(name = journal_file_name(in)) || asprintf(&final, "%s/%s", s->journal_dir, name) < 0)) {
        final = NULL;
        fail(w);
    }
    if (ok) {
        put_c(w, 'Z');
        put_le64(w, w->items);
        put_le64(w, in->has_hash ? in->hash : 0);
        put_le64(w, in->is_stream ? 0 : in->size);
        flush(w);
        if (fflush(w->f) != 0 || ferror(w->f)) fail(w);
    }
    if (ok && !w->failed && rename(w->tmp_path, final) != 0) fail(w);
    if (ok && !w->failed) free(w->tmp_path), w->tmp_path = final, final = NULL;
    free(final);
    um_free(in->journal_name);
    in->journal_name = name;
    bool failed = w->failed;
    int err = w->err;
    jw_close(w, ok && !failed);
    if (!ok || failed) {
        um_free(in->journal_name);
        in->journal_name = NULL;
    }
    if (ok && failed) {
        um_scan_set_error(s, "%s: cannot write its journal in %s: %s", in->path, s->journal_dir,
                          strerror(err ? err : EIO));
        return UM_EIO;
    }
    return UM_OK;
}

static um_jw *jw_of(um_reader_ctx *rc) {
    if (!rc || !rc->in || rc->rec || rc->scan->journal_mute) return NULL;
    um_jw *w = rc->in->jw;
    if (w) w->items++;
    return w;
}

void um_journal_person(um_reader_ctx *rc, const um_person *p) {
    um_jw *w = jw_of(rc);
    if (!w) return;
    put_c(w, 'P');
    put_u(w, (uint64_t)p->kind);
    put_u(w, p->line);
    put_u(w, p->n);
    for (size_t i = 0; i < p->n; i++) {
        put_u(w, (uint64_t)p->kv[i].attr);
        put_s(w, p->kv[i].value);
    }
}

#define EV_STRINGS(e)                                                                                           \
    &(e)->user, &(e)->user_name, &(e)->host, &(e)->ip, &(e)->country, &(e)->city, &(e)->as_org, &(e)->action,     \
        &(e)->app, &(e)->image, &(e)->cmdline, &(e)->product, &(e)->company, &(e)->description,                 \
        &(e)->original_file, &(e)->parent_image, &(e)->target, &(e)->device_id, &(e)->device_desc,              \
        &(e)->usb_serial, &(e)->subject_text, &(e)->record_id, &(e)->ip_country, &(e)->ip_org, &(e)->browser_hash

void um_journal_event(um_reader_ctx *rc, const um_event *ev) {
    um_jw *w = jw_of(rc);
    if (!w) return;
    um_event *e = (um_event *)ev;
    const char **strs[] = {EV_STRINGS(e)};
    put_c(w, 'E');
    put_u(w, (uint64_t)ev->kind);
    put_i(w, ev->ts);
    put_i(w, ev->tz_min);
    put_u(w, ev->has_tz);
    put_i(w, ev->success);
    put_u(w, ev->port);
    put_u(w, ev->asn);
    put_i(w, ev->is_proxy);
    put_i(w, ev->usb_vid);
    put_i(w, ev->usb_pid);
    put_u(w, ev->src_line);
    put_u(w, ev->ip_asn);
    put_u(w, ev->net_flags);
    put_u(w, ev->has_geo);
    if (ev->has_geo) put_raw(w, &ev->lat, sizeof ev->lat), put_raw(w, &ev->lon, sizeof ev->lon);
    for (size_t i = 0; i < UM_ARRAY_LEN(strs); i++) put_s(w, *strs[i]);
    /* src_file: 0 none, 1 the input's own path, 2 + string */
    if (!ev->src_file) put_u(w, 0);
    else if (ev->src_file == rc->in->path || strcmp(ev->src_file, rc->in->path) == 0) put_u(w, 1);
    else put_u(w, 2), put_s(w, ev->src_file);
    /* the bag: 0 none, 1 dropped (no prefilter needed it: partition.h, 3.;
     * the header's prefilter digest says under which rules), n + 2 */
    const um_winfields *wf = ev->fields;
    if (!wf || ev->fields_dropped) {
        put_u(w, wf ? 1 : 0);
        return;
    }
    put_u(w, (uint64_t)wf->n + 2);
    for (size_t i = 0; i < wf->n; i++) {
        put_sn(w, wf->f[i].name, wf->f[i].nlen);
        put_sn(w, wf->f[i].value, wf->f[i].len);
        put_u(w, wf->f[i].count);
    }
}

void um_journal_issue(um_reader_ctx *rc, bool reject, uint64_t line, const char *msg) {
    um_jw *w = jw_of(rc);
    if (!w) return;
    put_c(w, reject ? 'R' : 'W');
    put_u(w, line);
    put_s(w, msg);
}

/* ---- reading ---------------------------------------------------------------- */

typedef struct jr {
    const unsigned char *p, *end;
    bool bad;
} jr;

static uint64_t get_u(jr *r) {
    uint64_t v = 0;
    for (int sh = 0; sh < 64; sh += 7) {
        if (r->p >= r->end) {
            r->bad = true;
            return 0;
        }
        unsigned c = *r->p++;
        v |= (uint64_t)(c & 0x7f) << sh;
        if (!(c & 0x80)) return v;
    }
    r->bad = true;
    return 0;
}
static int64_t get_i(jr *r) {
    uint64_t u = get_u(r);
    return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}
/* A string inside the mapped journal (NUL-terminated there), or NULL. */
static const char *get_s(jr *r, size_t *n) {
    uint64_t l = get_u(r);
    if (n) *n = 0;
    if (r->bad || l == 0) return NULL;
    l--;
    if (l >= (uint64_t)(r->end - r->p) || r->p[l] != 0) {
        r->bad = true;
        return NULL;
    }
    const char *s = (const char *)r->p;
    r->p += l + 1;
    if (n) *n = (size_t)l;
    return s;
}

typedef struct jhead {
    uint64_t format, mapping, pf;
    char version[64], reader[64];
} jhead;

static bool read_head(jr *r, jhead *h) {
    if (r->end - r->p < 4 || memcmp(r->p, "UMJ1", 4) != 0) return false;
    r->p += 4;
    h->format = get_u(r);
    const char *v = get_s(r, NULL), *rd = get_s(r, NULL);
    snprintf(h->version, sizeof h->version, "%s", v ? v : "");
    snprintf(h->reader, sizeof h->reader, "%s", rd ? rd : "");
    h->mapping = get_u(r);
    h->pf = get_u(r);
    return !r->bad;
}

/* The journal file mapped read-only; *len 0 and NULL when it cannot be. */
/* A journal's bytes: mapped through the seam under the SIGBUS guard, or,
 * with the guard off, read into memory. */
typedef struct jfile {
    const unsigned char *p;
    size_t len;
    bool mapped;
} jfile;

static bool jfile_open(jfile *j, const char *path) {
    memset(j, 0, sizeof *j);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat st;
    bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && (uint64_t)st.st_size <= SIZE_MAX;
    if (!ok) errno = EINVAL;
    const um_os *os = um_os_get();
    if (ok && um_lines_guard()) {
        j->p = os->map(os->ud, fd, (size_t)st.st_size, 0);
        j->mapped = j->p != NULL;
        if (j->p) madvise((void *)j->p, (size_t)st.st_size, MADV_SEQUENTIAL);
    } else if (ok) {
        unsigned char *b = um_malloc((size_t)st.st_size);
        size_t got = 0;
        ssize_t k = 1;
        while (b && got < (size_t)st.st_size && (k = read(fd, b + got, (size_t)st.st_size - got)) > 0)
            got += (size_t)k;
        if (b && k < 0) got = 0;
        if (!b || got == 0) {
            um_free(b);
            if (!b) errno = ENOMEM;
            b = NULL;
        }
        j->p = b;
        st.st_size = (off_t)got; /* a file cut short meanwhile: what it holds now */
    }
    int e = errno;
    close(fd);
    errno = e;
    if (!j->p) return false;
    j->len = (size_t)st.st_size;
    return true;
}

static void jfile_close(jfile *j) {
    const um_os *os = um_os_get();
    if (j->mapped) os->unmap(os->ud, j->p, j->len);
    else um_free((void *)j->p);
    memset(j, 0, sizeof *j);
}

/* A journal that this build can replay for this scan and input: same
 * version, reader, mapping, hash; complete (ends in 'Z' + the item count). */
static bool journal_usable(um_scan *s, const char *path, const char *reader, uint64_t hash, bool check_hash) {
    jfile j;
    if (!jfile_open(&j, path)) return false;
    const unsigned char *m = j.p;
    size_t len = j.len;
    jr r = {m, m + len, false};
    jhead h;
    um_lines_guarded g = {0}; /* a journal cut short while read here: not usable */
    if (j.mapped) um_lines_guard_begin(&g, m, len);
    bool ok = read_head(&r, &h) && h.format == JFORMAT && strcmp(h.version, UM_VERSION) == 0 &&
              strcmp(h.reader, reader) == 0 && h.mapping == s->mapping_digest;
    /* the end: 'Z', item count, content hash, size */
    ok = ok && (size_t)(r.end - r.p) >= TRAILER && m[len - TRAILER] == 'Z' &&
         (!check_hash || get_le64(m + len - 16) == hash);
    if (j.mapped && !um_lines_guard_end(&g)) ok = false;
    jfile_close(&j); /* h's strings are not used past here */
    /* bags dropped under the prefilters of other rules: not replayable here */
    if (ok && h.pf) ok = um_scan_prepare(s, true) == UM_OK && s->pf_ready && h.pf == s->pf_digest;
    return ok;
}

um_status um_journal_replay(um_scan *s, um_input *in) {
    jfile j;
    if (!jfile_open(&j, in->replay)) {
        um_scan_set_error(s, "%s: cannot open its journal %s: %s", in->path, in->replay, strerror(errno));
        return UM_EIO;
    }
    const unsigned char *m = j.p;
    /* A journal cut short by another process while it is mapped: the pages
     * past the cut read as zeros (the SIGBUS guard), the replay stops on
     * them, and the scan fails with the reason below, never a crash. */
    um_lines_guarded g = {0};
    if (j.mapped) um_lines_guard_begin(&g, m, j.len);
    jr r = {m, m + j.len, false};
    jhead h;
    um_status st = read_head(&r, &h) ? UM_OK : UM_EPARSE;
    um_reader_ctx rc = {s, in, in->reader, NULL, NULL};
    um_winfields *wf = um_calloc(1, sizeof *wf);
    um_kv *kv = NULL;
    size_t capkv = 0;
    if (!wf) st = UM_ENOMEM;
    bool done = false;
    while (st == UM_OK && !done) {
        if (um_scan_cancelled(s)) {
            st = um_scan_cancel_status(s);
            break;
        }
        int tag = r.p < r.end ? *r.p++ : -1;
        switch (tag) {
        case 'P': {
            um_person p = {0};
            uint64_t pk = get_u(&r);
            if (pk > UM_PERSON_SHIPPING) r.bad = true;
            p.kind = (um_person_kind)(pk <= UM_PERSON_SHIPPING ? pk : 0);
            p.line = get_u(&r);
            uint64_t n = get_u(&r);
            if (r.bad || n > 100000 || !um_grow((void **)&kv, &capkv, (size_t)n + 1, sizeof *kv)) {
                st = r.bad || n > 100000 ? UM_EPARSE : UM_ENOMEM;
                break;
            }
            for (uint64_t i = 0; i < n; i++) {
                uint64_t a = get_u(&r);
                if (a >= UM_ATTR__COUNT) r.bad = true; /* indexes arrays later: checked here */
                kv[i].attr = (um_attr)(a < UM_ATTR__COUNT ? a : 0);
                kv[i].value = get_s(&r, NULL);
            }
            p.n = (size_t)n;
            p.kv = kv;
            if (r.bad) st = UM_EPARSE;
            else st = um_emit_person(&rc, &p);
            break;
        }
        case 'E': {
            um_event ev;
            um_event_init(&ev);
            uint64_t ek = get_u(&r);
            if (ek > UM_EV_RAW) r.bad = true;
            ev.kind = (um_event_kind)(ek <= UM_EV_RAW ? ek : UM_EV_OTHER);
            ev.ts = get_i(&r);
            ev.tz_min = (int)get_i(&r);
            ev.has_tz = get_u(&r) != 0;
            ev.success = (int)get_i(&r);
            ev.port = (uint32_t)get_u(&r);
            ev.asn = (uint32_t)get_u(&r);
            ev.is_proxy = (int)get_i(&r);
            ev.usb_vid = (int)get_i(&r);
            ev.usb_pid = (int)get_i(&r);
            ev.src_line = get_u(&r);
            ev.ip_asn = (uint32_t)get_u(&r);
            ev.net_flags = (uint32_t)get_u(&r);
            ev.has_geo = get_u(&r) != 0;
            if (ev.has_geo) {
                if (r.end - r.p < 16) r.bad = true;
                else memcpy(&ev.lat, r.p, 8), memcpy(&ev.lon, r.p + 8, 8), r.p += 16;
            }
            const char **strs[] = {EV_STRINGS(&ev)};
            for (size_t i = 0; i < UM_ARRAY_LEN(strs); i++) *strs[i] = get_s(&r, NULL);
            uint64_t sf = get_u(&r);
            ev.src_file = sf == 1 ? in->path : sf == 2 ? get_s(&r, NULL) : NULL;
            uint64_t nb = get_u(&r);
            um_winfields_reset(wf);
            for (uint64_t i = 0; nb > 2 && i < nb - 2 && !r.bad; i++) {
                size_t vl;
                const char *name = get_s(&r, NULL), *val = get_s(&r, &vl);
                unsigned cnt = (unsigned)get_u(&r);
                if (!name || !val) r.bad = true;
                else um_winfields_add(wf, name, val, vl, cnt);
            }
            if (r.bad) {
                st = UM_EPARSE;
                break;
            }
            if (nb) ev.fields = wf;
            ev.fields_dropped = nb == 1;
            st = um_emit_event(&rc, &ev);
            break;
        }
        case 'R':
        case 'W': {
            uint64_t line = get_u(&r);
            const char *msg = get_s(&r, NULL);
            if (r.bad) st = UM_EPARSE;
            else if (tag == 'R') um_reject(&rc, line, "%s", msg ? msg : "?");
            else um_warn(&rc, line, "%s", msg ? msg : "?");
            break;
        }
        case 'Z': done = (size_t)(r.end - r.p) == TRAILER - 1; if (!done) st = UM_EPARSE; break;
        default: st = UM_EPARSE; break;
        }
    }
    if (j.mapped && !um_lines_guard_end(&g)) {
        um_scan_set_error(s, "%s: its journal %s was cut short while it was read (changed by another process?)",
                          in->path, in->replay);
        st = UM_EIO;
    } else if (st == UM_EPARSE) {
        um_scan_set_error(s, "%s: its journal %s is damaged", in->path, in->replay);
    }
    jfile_close(&j);
    um_free(kv);
    um_free(wf);
    return st;
}

/* ---- publishing with the output set ------------------------------------------ */

um_status um_journal_publish(um_scan *s, const char *stage, const char *target) {
    if (!s->case_dir) return UM_OK;
    char *jd = NULL;
    if (asprintf(&jd, "%s/journal", stage) < 0) return UM_ENOMEM;
    um_status st = UM_OK;
    if (mkdir(jd, 0700) != 0) {
        um_scan_set_error(s, "cannot create %s: %s", jd, strerror(errno));
        st = UM_EIO;
    }
    for (size_t i = 0; i < s->n_inputs && st == UM_OK; i++) {
        um_input *in = &s->inputs[i];
        if (!in->journal_name) continue;
        char *to = NULL, *from = NULL;
        int rc;
        if (asprintf(&to, "%s/%s", jd, in->journal_name) < 0) to = NULL;
        (void)target;
        if (in->replay) {
            from = strdup(in->replay);
            rc = from && to ? link(from, to) : -1;
            if (rc != 0 && errno == EEXIST) rc = 0; /* one file named twice */
        } else {
            if (asprintf(&from, "%s/%s", s->journal_dir, in->journal_name) < 0) from = NULL;
            rc = from && to ? link(from, to) : -1;
            if (rc != 0 && errno == EEXIST) rc = 0;
        }
        if (!to || !from) st = UM_ENOMEM;
        else if (rc != 0) {
            um_scan_set_error(s, "cannot put %s into the new output set: %s", from, strerror(errno));
            st = UM_EIO;
        }
        free(to), free(from);
    }
    free(jd);
    return st;
}

bool um_journal_own_dir(const um_scan *s, const char *name) {
    if (!s->journal_dir) return false;
    const char *b = strrchr(s->journal_dir, '/');
    return strcmp(b ? b + 1 : s->journal_dir, name) == 0;
}

void um_journal_free(um_scan *s) {
    for (size_t i = 0; i < s->n_inputs; i++) {
        jw_close(s->inputs[i].jw, false);
        s->inputs[i].jw = NULL;
        um_free(s->inputs[i].journal_name);
        um_free(s->inputs[i].replay);
    }
    if (s->journal_dir) um_os_get()->remove_tree(um_os_get()->ud, s->journal_dir);
    um_free(s->journal_dir);
    um_free(s->case_dir);
    s->journal_dir = s->case_dir = NULL;
}

/* ---- the public calls ------------------------------------------------------------ */

um_status um_scan_keep_journal(um_scan *s, const char *dir, bool records) {
    if (s->ran || s->n_inputs) {
        um_scan_set_error(s, "um_scan_keep_journal: call it before adding inputs");
        return UM_EINVAL;
    }
    um_status st = um_scan_lock_output(s, dir, false);
    if (st != UM_OK) return st;
    um_free(s->case_dir);
    s->journal_hash_only = !records;
    s->case_dir = um_strdup(dir);
    return s->case_dir ? UM_OK : UM_ENOMEM;
}

static int sql_text_dup(sqlite3_stmt *q, int col, char *out, size_t cap) {
    const unsigned char *t = sqlite3_column_text(q, col);
    if (!t) {
        out[0] = 0;
        return 0;
    }
    snprintf(out, cap, "%s", (const char *)t);
    return 1;
}

um_status um_scan_add_case(um_scan *s, const char *dir, bool records) {
    um_status st = um_scan_keep_journal(s, dir, records);
    if (st != UM_OK) return st;
    char *dbp = NULL;
    if (asprintf(&dbp, "%s/case.db", dir) < 0) return UM_ENOMEM;
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    if (sqlite3_open_v2(dbp, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT path, format, size, status, reason, hash, journal FROM inputs ORDER BY seq",
                           -1, &q, NULL) != SQLITE_OK) {
        um_scan_set_error(s, "%s: not a case to add to (%s)", dbp, db ? sqlite3_errmsg(db) : "cannot open");
        sqlite3_finalize(q);
        sqlite3_close(db);
        free(dbp);
        return UM_EINVAL;
    }
    /* a case written before the block hash (no meta `content_hash`): its
     * files are checked with the flat hash, and given the new one */
    bool legacy = true;
    sqlite3_stmt *mq = NULL;
    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'content_hash'", -1, &mq, NULL) == SQLITE_OK &&
        sqlite3_step(mq) == SQLITE_ROW) {
        const unsigned char *v = sqlite3_column_text(mq, 0);
        if (v && strcmp((const char *)v, UM_CASE_HASH_DEF) != 0) {
            um_scan_set_error(s, "%s: the case's content hashes are %s, this build knows %s; run a full scan", dbp,
                              (const char *)v, UM_CASE_HASH_DEF);
            st = UM_EINVAL;
        }
        legacy = false;
    }
    sqlite3_finalize(mq);
    int rc;
    while (st == UM_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        char path[4096], format[64], status[32], reason[1024], hash[32], jname[300];
        sql_text_dup(q, 0, path, sizeof path);
        bool has_format = sql_text_dup(q, 1, format, sizeof format);
        uint64_t size = (uint64_t)sqlite3_column_int64(q, 2);
        sql_text_dup(q, 3, status, sizeof status);
        bool has_reason = sql_text_dup(q, 4, reason, sizeof reason);
        bool has_hash = sql_text_dup(q, 5, hash, sizeof hash);
        bool has_journal = sql_text_dup(q, 6, jname, sizeof jname);
        if (!um_grow((void **)&s->inputs, &s->cap_inputs, s->n_inputs + 1, sizeof *s->inputs)) {
            st = UM_ENOMEM;
            break;
        }
        um_input *in = &s->inputs[s->n_inputs];
        memset(in, 0, sizeof *in);
        in->fd = -1;
        in->path = um_strdup(path);
        if (!in->path) {
            st = UM_ENOMEM;
            break;
        }
        s->n_inputs++;
        in->size = size;
        in->reader = has_format ? um_reader_find(format) : NULL;
        if (has_format && !in->reader) {
            um_scan_set_error(s, "%s: the case names a format this build does not have (%s)", path, format);
            st = UM_EINVAL;
            break;
        }
        if (strcmp(status, "skipped") == 0) {
            in->skip = um_arena_strdup(&s->arena, has_reason ? reason : "skipped");
            if (!in->skip) st = UM_ENOMEM;
            continue;
        }
        if (strcmp(status, "read") != 0) continue; /* rejected whole: rejected again the same way */
        struct stat sb;
        bool exists = stat(path, &sb) == 0;
        char *jpath = NULL;
        if (has_journal && asprintf(&jpath, "%s/journal/%s", dir, jname) < 0) {
            st = UM_ENOMEM;
            break;
        }
        uint64_t want = has_hash ? strtoull(hash, NULL, 16) : 0;
        if (exists) { /* remembered so that adding it again is "seen before" */
            char key[48];
            int n = snprintf(key, sizeof key, "%llx:%llx", (unsigned long long)sb.st_dev,
                             (unsigned long long)sb.st_ino);
            bool created;
            um_map_slot *sl = um_map_upsert(&s->seen_inodes, key, (size_t)n, &created);
            if (!sl) st = UM_ENOMEM;
            else if (created && !(sl->val = um_arena_strdup(&s->arena, path))) st = UM_ENOMEM;
        }
        if (st == UM_OK && exists && S_ISDIR(sb.st_mode)) {
            in->is_dir = true; /* a repository: read again */
        } else if (st == UM_OK && exists && S_ISREG(sb.st_mode) && has_hash) {
            uint64_t h, n, flat = 0;
            if (!file_hash(path, &h, &n, legacy ? &flat : NULL)) {
                um_scan_set_error(s, "%s: %s", path, strerror(errno));
                st = UM_EIO;
            } else if ((legacy ? flat : h) != want || n != size) {
                um_scan_set_error(s, "%s changed since the case was built (content hash %016llx, was %s): "
                                     "adding to the case would count it twice; run a full scan instead",
                                  path, (unsigned long long)(legacy ? flat : h), hash);
                st = UM_EINVAL;
            } else {
                in->hash = h, in->has_hash = true;
                if (jpath && journal_usable(s, jpath, format, legacy ? flat : h, true)) {
                    in->replay = jpath, jpath = NULL;
                    in->journal_name = um_strdup(jname);
                    if (!in->journal_name) st = UM_ENOMEM;
                }
            }
        } else if (st == UM_OK && (!exists || !S_ISREG(sb.st_mode))) {
            /* gone (or a stream): only its journal can stand in for it */
            if (jpath && journal_usable(s, jpath, format, want, false)) {
                in->replay = jpath, jpath = NULL;
                in->journal_name = um_strdup(jname);
                in->hash = want, in->has_hash = has_hash && !legacy; /* a legacy hash is not kept */
                if (!in->journal_name) st = UM_ENOMEM;
                else if (!exists) in->replay_gone = true;
            } else {
                um_scan_set_error(s, "%s: input of the case is gone and has no usable journal; run a full scan", path);
                st = UM_EINVAL;
            }
        } else if (st == UM_OK) {
            um_scan_set_error(s, "%s: the case has no content hash for it; run a full scan", path);
            st = UM_EINVAL;
        }
        free(jpath);
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    free(dbp);
    return st;
}
