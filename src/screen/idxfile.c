/*
 * idxfile.c - the compiled screening index as a file: a header, a table of
 * sections and the sections (each 8-byte aligned), written atomically and
 * memory-mapped read-only. screen.c decides what the sections hold.
 *
 * Layout (little-endian, this machine's sizes; the version and the key
 * change when either could differ):
 *
 *   0   magic "UMSCIDX\0"      8 bytes
 *   8   format version        u32
 *   12  number of sections    u32
 *   16  key                   u64  (code hash + list files, screen.c)
 *   24  file size             u64
 *   32  checksum              u64  XXH3 of bytes [40, size)
 *   40  section table         n x {u64 offset, u64 length}
 *
 * A file that is short, long, of another version or key, with a bad
 * checksum or a section outside the file is refused (never read further):
 * the caller rebuilds it.
 *
 * The file is mapped through the OS seam (um_os.map) and checked under the
 * SIGBUS guard (um_lines_map_read, src/core/lines.c): a file cut short
 * between the map and the end of the check (another process truncating it)
 * reads zeros past the cut and is refused as cut short, not a crash. With
 * the guard off (um_sigbus_guard(0)) the file is read into memory instead.
 * The sections are read later without the guard: the file is only ever
 * replaced by rename, never rewritten in place.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "screen_int.h"
#include "../core/internal.h"
#include "../os/os.h"

#define HDR 40
static const char MAGIC[8] = {'U', 'M', 'S', 'C', 'I', 'D', 'X', 0};

static size_t align8(size_t n) { return (n + 7) & ~(size_t)7; }

um_status um_sc_idx_write(const char *dir, const char *name, uint64_t key, const um_sc_sect *sec, int n, char *err,
                          size_t errlen) {
    size_t size = align8(HDR + (size_t)n * 16);
    for (int i = 0; i < n; i++) size = align8(size + sec[i].len);
    unsigned char *b = um_calloc(1, size);
    if (!b) return UM_ENOMEM;
    memcpy(b, MAGIC, 8);
    uint32_t v = UM_SC_IDX_VERSION, ns = (uint32_t)n;
    uint64_t sz = size;
    memcpy(b + 8, &v, 4);
    memcpy(b + 12, &ns, 4);
    memcpy(b + 16, &key, 8);
    memcpy(b + 24, &sz, 8);
    size_t off = align8(HDR + (size_t)n * 16);
    for (int i = 0; i < n; i++) {
        uint64_t o = off, l = sec[i].len;
        memcpy(b + HDR + (size_t)i * 16, &o, 8);
        memcpy(b + HDR + (size_t)i * 16 + 8, &l, 8);
        if (l) memcpy(b + off, sec[i].p, (size_t)l);
        off = align8(off + (size_t)l);
    }
    uint64_t ck = um_hash64(b + HDR, size - HDR, 0);
    memcpy(b + 32, &ck, 8);
    /* a temporary of this process and call (two screeners of one process
     * may build at once), renamed into place: a reader sees the old file or
     * the new one; a torn file (a crash) fails its size or checksum */
    static _Atomic unsigned seq;
    char tmp[4400], dst[4400];
    snprintf(dst, sizeof dst, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp.%ld.%u", dir, name, (long)getpid(), seq++);
    um_status st = UM_OK;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
        um_free(b);
        return UM_EIO;
    }
    for (size_t at = 0; at < size;) {
        ssize_t w = write(fd, b + at, size - at);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
            st = UM_EIO;
            break;
        }
        at += (size_t)w;
    }
    if (close(fd) != 0 && st == UM_OK) {
        snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
        st = UM_EIO;
    }
    if (st == UM_OK && rename(tmp, dst) != 0) {
        snprintf(err, errlen, "cannot rename %s: %s", tmp, strerror(errno));
        st = UM_EIO;
    }
    if (st != UM_OK) unlink(tmp);
    um_free(b);
    return st;
}

/* The checks of a mapped or read file (see the top); bad: NULL when good. */
typedef struct idx_check {
    uint64_t key;
    um_sc_sect *sec;
    int n;
    const char *bad;
} idx_check;

static void check_file(void *ud, const char *p, size_t size) {
    idx_check *c = ud;
    const unsigned char *b = (const unsigned char *)p;
    uint32_t v, ns;
    uint64_t k, sz, ck;
    memcpy(&v, b + 8, 4);
    memcpy(&ns, b + 12, 4);
    memcpy(&k, b + 16, 8);
    memcpy(&sz, b + 24, 8);
    memcpy(&ck, b + 32, 8);
    const char *bad = NULL;
    int n = c->n;
    if (memcmp(b, MAGIC, 8) != 0) bad = "bad magic";
    else if (v != UM_SC_IDX_VERSION) bad = "another format version";
    else if (sz != size) bad = "truncated or extended (size differs from its header)";
    else if (ns != (uint32_t)n || HDR + (size_t)n * 16 > size) bad = "another number of sections";
    else if (k != c->key) bad = "stale (lists or code changed)";
    else if (um_hash64(b + HDR, size - HDR, 0) != ck) bad = "checksum mismatch";
    for (int i = 0; !bad && i < n; i++) {
        uint64_t o, l;
        memcpy(&o, b + HDR + (size_t)i * 16, 8);
        memcpy(&l, b + HDR + (size_t)i * 16 + 8, 8);
        if (o > size || l > size - o || (o & 7)) bad = "a section outside the file";
        c->sec[i].p = b + o;
        c->sec[i].len = l;
    }
    c->bad = bad;
}

/* size bytes of fd into a new buffer; NULL (errno set) when it cannot */
static void *read_whole(int fd, size_t size) {
    char *d = um_malloc(size);
    for (size_t at = 0; d && at < size;) {
        ssize_t r = pread(fd, d + at, size - at, (off_t)at);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            if (r == 0) errno = EIO; /* shorter than fstat said */
            um_free(d);
            return NULL;
        }
        at += (size_t)r;
    }
    return d;
}

um_status um_sc_idx_map(const char *path, uint64_t key, um_sc_idxmap *m, um_sc_sect *sec, int n, char *why,
                        size_t whylen) {
    memset(m, 0, sizeof *m);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, whylen, "%s", errno == ENOENT ? "absent" : strerror(errno));
        return UM_ENOTFOUND;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < HDR || (uint64_t)st.st_size > SIZE_MAX) {
        close(fd);
        snprintf(why, whylen, "not a file or shorter than its header");
        return UM_EPARSE;
    }
    size_t size = (size_t)st.st_size;
    const um_os *os = um_os_get();
    bool mapped = um_lines_guard();
    void *p = mapped ? (void *)os->map(os->ud, fd, size, 0) : read_whole(fd, size);
    int err = errno;
    close(fd);
    if (!p) {
        snprintf(why, whylen, "%s: %s", mapped ? "mmap" : "read", strerror(err));
        return UM_EIO;
    }
    idx_check c = {key, sec, n, NULL};
    if (!mapped) check_file(&c, p, size);
    else if (!um_lines_map_read(p, size, check_file, &c)) c.bad = "cut short while it was read (truncated)";
    m->base = p;
    m->len = size;
    m->mapped = mapped;
    if (c.bad) {
        um_sc_idx_unmap(m);
        snprintf(why, whylen, "%s", c.bad);
        return UM_EPARSE;
    }
    if (mapped) madvise(p, size, MADV_WILLNEED);
    return UM_OK;
}

void um_sc_idx_unmap(um_sc_idxmap *m) {
    if (m && m->base) {
        if (m->mapped) um_os_get()->unmap(um_os_get()->ud, m->base, m->len);
        else um_free(m->base);
    }
    if (m) memset(m, 0, sizeof *m);
}
