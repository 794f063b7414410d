/* lines.c - the line reader shared by the text readers. */
#include "scan.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../util/json.h"

/* ---- lines ---- */

/* The reader keeps a window [pos, fill) of the file in buf; a line is
 * normally returned in place (no copy) with the next bytes temporarily
 * overwritten by NUL padding, which is restored on the next call. */
#define UM_LINES_CHUNK (1u << 20)

void um_lines_init(um_lines *l, FILE *f, size_t max) {
    memset(l, 0, sizeof *l);
    l->f = f;
    l->max = max;
}

void um_lines_free(um_lines *l) {
    um_free(l->buf);
    memset(l, 0, sizeof *l);
}

/* Makes room and reads more; false at EOF or on allocation failure. */
static bool lines_fill(um_lines *l) {
    if (l->eof) return false;
    if (l->pos > 0) { /* slide the unread tail to the front */
        memmove(l->buf, l->buf + l->pos, l->fill - l->pos);
        l->fill -= l->pos;
        l->pos = 0;
    }
    size_t want = l->fill + UM_LINES_CHUNK + UM_JSON_PADDING + 1;
    if (want > l->cap) {
        /* room for a whole chunk behind a tail of up to a chunk at once, then
         * doubling: not a realloc (and fresh pages) each time the tail grows */
        if (want < 2 * UM_LINES_CHUNK + UM_JSON_PADDING + 1) want = 2 * UM_LINES_CHUNK + UM_JSON_PADDING + 1;
        if (l->cap && want < 2 * l->cap) want = 2 * l->cap;
        char *nb = um_realloc(l->buf, want);
        if (!nb) return false;
        l->buf = nb;
        l->cap = want;
    }
    size_t n = fread(l->buf + l->fill, 1, UM_LINES_CHUNK, l->f);
    if (n == 0) {
        l->eof = true;
        return false;
    }
    l->fill += n;
    return true;
}

/* ---- zero-copy lines from a mapped file ---- */

static _Thread_local const um_lines_map *tl_map;

/* A mapped file cut short while it is read (logrotate's copytruncate, say)
 * raises SIGBUS on the pages past its new end. The handler, installed
 * through the OS seam (um_os.guard_sigbus, os_posix.c) the first time the
 * library maps a file, calls bus_fault: it maps zero pages over the rest of
 * the mapping the faulting thread reads (the access then reads zeros, as a
 * line with NUL bytes is rejected) and marks it; the line reader then goes
 * back to the FILE, which ends where the file now ends, as a read file
 * would. A SIGBUS elsewhere goes to the handler there was before. With the
 * guard off (um_sigbus_guard(0), or a seam without one) nothing is
 * installed and files are read, never mapped. */
static _Thread_local volatile sig_atomic_t tl_bus;
static uintptr_t bus_page;
static pthread_mutex_t guard_mu = PTHREAD_MUTEX_INITIALIZER;
static int guard_state; /* 0: not yet tried, 1: installed, -1: off */

static bool bus_fault(void *addr) {
    const um_lines_map *m = tl_map;
    const char *a = addr;
    if (!m || !m->base || a < m->base || a >= m->base + m->size) return false;
    uintptr_t from = (uintptr_t)a & ~(bus_page - 1), to = (uintptr_t)(m->base + m->size);
    if (mmap((void *)from, to - from, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
        return false;
    tl_bus = 1;
    return true;
}

bool um_lines_guard(void) {
    int st = __atomic_load_n(&guard_state, __ATOMIC_ACQUIRE);
    if (st) return st > 0;
    pthread_mutex_lock(&guard_mu);
    if (!guard_state) {
        long pg = sysconf(_SC_PAGESIZE);
        bus_page = pg > 0 ? (uintptr_t)pg : 4096;
        const um_os *os = um_os_get();
        bool on = os->guard_sigbus && os->guard_sigbus(os->ud, bus_fault) == 0;
        __atomic_store_n(&guard_state, on ? 1 : -1, __ATOMIC_RELEASE);
    }
    st = guard_state;
    pthread_mutex_unlock(&guard_mu);
    return st > 0;
}

um_status um_sigbus_guard(int on) {
    pthread_mutex_lock(&guard_mu);
    um_status r = UM_OK;
    if (guard_state == 1) r = on ? UM_OK : UM_EINVAL; /* installed: it stays */
    else __atomic_store_n(&guard_state, on ? 0 : -1, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&guard_mu);
    return r;
}

#define UM_LINES_DROP (4u << 20) /* mapped bytes behind the reader given back at a time */

bool um_lines_map_fd(um_lines_map *m, FILE *f, int fd, uint64_t end) {
    memset(m, 0, sizeof *m);
    struct stat st;
    if (!f || fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) return false;
    if (!um_lines_guard()) return false;
    if ((uint64_t)st.st_size > SIZE_MAX) return false;
    const um_os *os = um_os_get();
    void *p = (void *)os->map(os->ud, fd, (size_t)st.st_size, 0);
    if (!p) return false;
    (void)madvise(p, (size_t)st.st_size, MADV_SEQUENTIAL);
    m->f = f;
    m->base = p;
    m->size = (uint64_t)st.st_size;
    m->end = end;
    return true;
}

void um_lines_map_close(um_lines_map *m) {
    if (tl_map == m) tl_map = NULL;
    if (m->base) um_os_get()->unmap(um_os_get()->ud, m->base, (size_t)m->size);
    memset(m, 0, sizeof *m);
}

void um_lines_map_use(const um_lines_map *m) {
    tl_map = m;
    tl_bus = 0;
}

void um_lines_guard_begin(um_lines_guarded *g, const void *p, size_t n) {
    g->prev = tl_map;
    g->prev_bus = tl_bus;
    memset(&g->map, 0, sizeof g->map);
    g->map.base = p;
    g->map.size = n;
    tl_map = &g->map;
    tl_bus = 0;
}

bool um_lines_guard_end(um_lines_guarded *g) {
    bool cut = tl_bus != 0;
    tl_map = g->prev;
    tl_bus = g->prev_bus;
    return !cut;
}

bool um_lines_map_read(const char *p, size_t n, void (*fn)(void *ud, const char *p, size_t n), void *ud) {
    if (!um_lines_guard()) return false;
    um_lines_guarded g;
    um_lines_guard_begin(&g, p, n);
    fn(ud, p, n);
    return um_lines_guard_end(&g);
}

void um_lines_allow_map(um_lines *l) {
    const um_lines_map *m = tl_map;
    if (!m || !m->base || m->f != l->f || l->buf || l->lineno) return;
    off_t at = ftello(l->f);
    if (at < 0 || (uint64_t)at >= m->size || fseeko(l->f, at, SEEK_SET) != 0) return; /* must be able to go back to f */
    l->map = m;
    l->mpos = l->mseen = (uint64_t)at;
    l->mdrop = (uint64_t)at & ~(uint64_t)(UM_LINES_DROP - 1);
    l->mfault = (uint64_t)at;
    l->mend = m->end < m->size ? m->end : m->size;
}

/* Leaves the mapping: f continues at the next unread byte. */
static void map_leave(um_lines *l) {
    if (fseeko(l->f, (off_t)l->mpos, SEEK_SET) != 0) { /* cannot be: checked at the start */
        l->eof = true;
        errno = EIO;
    }
    l->map = NULL;
}

/* The next line from the mapping; false: read it through f instead. */
static bool map_next(um_lines *l, const char **line, size_t *len, bool *too_long) {
    const um_lines_map *m = l->map;
    if (tl_bus) return false; /* cut short while read: the rest through f */
    /* the pages behind the previous line are given back as the reader goes
     * on, so the mapping does not grow the scan's memory with the input */
    uint64_t drop = l->mpos & ~(uint64_t)(UM_LINES_DROP - 1);
    if (drop >= l->mdrop + UM_LINES_DROP) {
        (void)madvise((void *)(m->base + l->mdrop), (size_t)(drop - l->mdrop), MADV_DONTNEED);
        l->mdrop = drop;
    }
#ifdef MADV_POPULATE_READ
    if (l->mpos + UM_LINES_DROP > l->mfault && l->mfault < l->mend) { /* page tables a block ahead, in one call */
        uint64_t to = (l->mpos & ~(uint64_t)(UM_LINES_DROP - 1)) + 2 * (uint64_t)UM_LINES_DROP;
        /* not past the range read (a part of a split file, threads.c): the
         * next part is read through another mapping, and page tables made
         * here for it were only torn down again (a line that runs past the
         * range, and the parser's padding, fault in as usual) */
        uint64_t stop = (l->mend + 4095) & ~(uint64_t)4095;
        if (to > stop) to = stop;
        if (to > m->size) to = m->size;
        uint64_t from = l->mfault & ~(uint64_t)4095;
        if (to > from) (void)madvise((void *)(m->base + from), (size_t)(to - from), MADV_POPULATE_READ);
        l->mfault = to;
    }
#endif
    if (l->mpos >= l->mend) return false;
    const char *p = m->base + l->mpos;
    const char *nl = memchr(p, '\n', (size_t)(l->mend - l->mpos));
    if (!nl) return false; /* the last line, or one running past the range: through f */
    size_t n = (size_t)(nl - p);
    uint64_t next = l->mpos + n + 1;
    if (n <= l->max && l->mpos + n + UM_LINES_PADDING > m->size) return false; /* padding past the mapping */
    if (m->seen && next > l->mseen) { /* hash ahead in blocks that stay in the cache */
        uint64_t to = (next + (256u << 10)) & ~(uint64_t)(UM_HASH_BLOCK - 1); /* whole hash blocks (um_thash) */
        if (to > m->size) to = m->size;
        m->seen(m->ud, l->mseen, m->base + l->mseen, (size_t)(to - l->mseen));
        l->mseen = to;
    }
    l->bytes += n + 1;
    l->lineno++;
    l->mpos = next;
    if (n > l->max) {
        *too_long = true;
        *line = "";
        *len = 0;
        return true;
    }
    if (n && p[n - 1] == '\r') n--;
    *line = p;
    *len = n;
    return true;
}

bool um_lines_next(um_lines *l, const char **line, size_t *len, bool *too_long) {
    *too_long = false;
    if (l->map) {
        if (map_next(l, line, len, too_long)) return true;
        map_leave(l);
    }
    if (l->padded) { /* undo the padding written after the previous line */
        memcpy(l->buf + l->saved_at, l->saved, sizeof l->saved);
        l->padded = false;
    }
    for (;;) {
        char *start = l->buf ? l->buf + l->pos : NULL;
        char *nl = start ? memchr(start, '\n', l->fill - l->pos) : NULL;
        size_t n;
        bool last = false;
        if (nl) {
            n = (size_t)(nl - start);
        } else {
            size_t have = l->buf ? l->fill - l->pos : 0;
            if (have > l->max) { /* drop the over-long line's bytes so far */
                l->skipping = true;
                l->bytes += have;
                l->pos = l->fill;
            }
            if (lines_fill(l)) continue;
            if (l->skipping) { /* long line ran to EOF */
                l->skipping = false;
                l->lineno++;
                *too_long = true;
                *line = "";
                *len = 0;
                return true;
            }
            have = l->buf ? l->fill - l->pos : 0;
            if (!have) return false;
            n = have;
            last = true;
        }
        size_t consumed = n + (last ? 0 : 1);
        l->bytes += consumed;
        l->lineno++;
        if (l->skipping || n > l->max) {
            l->skipping = false;
            l->pos += consumed;
            *too_long = true;
            *line = "";
            *len = 0;
            return true;
        }
        char *p = l->buf + l->pos;
        l->pos += consumed;
        if (n && p[n - 1] == '\r') n--;
        /* pad: save the bytes we overwrite; the buffer always has room */
        size_t at = (size_t)(p - l->buf) + n;
        if (at + sizeof l->saved > l->cap) { /* cannot happen: cap >= fill + padding */
            *too_long = true;
            *line = "";
            *len = 0;
            return true;
        }
        memcpy(l->saved, l->buf + at, sizeof l->saved);
        memset(l->buf + at, 0, sizeof l->saved);
        l->saved_at = at;
        l->padded = true;
        *line = p;
        *len = n;
        return true;
    }
}
