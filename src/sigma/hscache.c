/*
 * hscache.c - the cache file of compiled vectorscan databases (hscache.h).
 *
 * Layout (host byte order; the environment key covers the host):
 *   0   "UMHSDB01"                       magic
 *   8   u64 environment key              vectorscan version, platform, format
 *   16  u64 number of entries
 *   24  u64 checksum                     XXH3 of every byte from 32 to the end,
 *                                        seeded with XXH3 of bytes 0..23
 *   32  entries: u64 key.a, u64 key.b, u64 length, the serialized database,
 *       zero bytes up to a multiple of 8
 */
#include "hscache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../os/os.h"
#include "../util/util.h"

#define HC_MAGIC "UMHSDB01"
#define HC_FORMAT 1u
#define HC_HEAD 32u
#define HC_ENTRY_HEAD 24u

typedef struct hc_entry {
    sg_hskey key;
    const char *bytes; /* into buf, or owned when own */
    size_t len;
    bool own, used;
} hc_entry;

struct sg_hscache {
    char dir[4096], name[256];
    char *buf; /* the file as read */
    size_t buflen;
    hc_entry *e;
    size_t n, cap;
    uint64_t env;
    sg_hscache_stats st;
    bool dirty;
};

static uint64_t env_key(void) {
    const char *v = hs_version();
    uint64_t h = um_hash64(HC_MAGIC, 8, HC_FORMAT);
    h = um_hash64(v, strlen(v), h);
    hs_platform_info_t p;
    memset(&p, 0, sizeof p);
    if (hs_populate_platform(&p) == HS_SUCCESS) {
        uint64_t pv[3] = {p.tune, p.cpu_features, 0};
        h = um_hash64(pv, sizeof pv, h);
    }
    const uint32_t shape[4] = {0x01020304u, (uint32_t)sizeof(size_t), (uint32_t)sizeof(void *), HC_FORMAT};
    return um_hash64(shape, sizeof shape, h);
}

static uint64_t rd64(const char *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static void reject(sg_hscache *hc, const char *why) {
    hc->st.rejected = true;
    hc->dirty = true; /* rewritten with what this compile makes */
    snprintf(hc->st.why, sizeof hc->st.why, "%s", why);
}

/* Reads and checks the file; on any failure the cache stays empty. */
static void load(sg_hscache *hc, const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno != ENOENT) reject(hc, "cannot be opened (not a plain file?)");
        return;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        reject(hc, "not a regular file");
        close(fd);
        return;
    }
    if (sb.st_uid != geteuid() || (sb.st_mode & (S_IWGRP | S_IWOTH))) {
        reject(hc, "owned by another user or writable by others");
        close(fd);
        return;
    }
    if (sb.st_size < (off_t)HC_HEAD || (uint64_t)sb.st_size > SG_HSCACHE_MAX) {
        reject(hc, "size out of range");
        close(fd);
        return;
    }
    size_t len = (size_t)sb.st_size;
    char *buf = um_malloc(len);
    if (!buf) {
        close(fd);
        return;
    }
    size_t got = 0;
    while (got < len) {
        ssize_t r = read(fd, buf + got, len - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    if (got != len) {
        um_free(buf);
        reject(hc, "short read");
        return;
    }
    if (memcmp(buf, HC_MAGIC, 8) != 0 || rd64(buf + 8) != hc->env) {
        um_free(buf);
        reject(hc, "another format, vectorscan version or platform");
        return;
    }
    if (um_hash64(buf + HC_HEAD, len - HC_HEAD, um_hash64(buf, 24, hc->env)) != rd64(buf + 24)) {
        um_free(buf);
        reject(hc, "checksum mismatch");
        return;
    }
    uint64_t n = rd64(buf + 16);
    if (n > (len - HC_HEAD) / HC_ENTRY_HEAD) {
        um_free(buf);
        reject(hc, "entry count out of range");
        return;
    }
    hc_entry *e = um_calloc(n ? (size_t)n : 1, sizeof *e);
    if (!e) {
        um_free(buf);
        return;
    }
    size_t off = HC_HEAD;
    for (uint64_t i = 0; i < n; i++) {
        if (len - off < HC_ENTRY_HEAD) break;
        uint64_t el = rd64(buf + off + 16);
        if (el == 0 || el > len - off - HC_ENTRY_HEAD) break;
        e[i].key.a = rd64(buf + off);
        e[i].key.b = rd64(buf + off + 8);
        e[i].bytes = buf + off + HC_ENTRY_HEAD;
        e[i].len = (size_t)el;
        off += HC_ENTRY_HEAD + (size_t)el;
        off += (8 - off % 8) % 8;
        if (off > len) off = len;
        hc->n = (size_t)i + 1;
    }
    if (hc->n != n || off != len) {
        um_free(e);
        um_free(buf);
        hc->n = 0;
        reject(hc, "entries do not parse");
        return;
    }
    hc->e = e;
    hc->cap = (size_t)n;
    hc->buf = buf;
    hc->buflen = len;
}

sg_hscache *sg_hscache_open(const char *dir, const char *name) {
    sg_hscache *hc = um_calloc(1, sizeof *hc);
    if (!hc) return NULL;
    hc->env = env_key();
    snprintf(hc->dir, sizeof hc->dir, "%s", dir);
    snprintf(hc->name, sizeof hc->name, "%s", name);
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    load(hc, path);
    return hc;
}

sg_hskey sg_hscache_key(const char *const *expr, const unsigned *flags, const unsigned *ids, unsigned n,
                        unsigned mode) {
    uint64_t head[2] = {n, mode};
    sg_hskey k = {um_hash64(head, sizeof head, 0x9e3779b97f4a7c15u), um_hash64(head, sizeof head, 0x51ed27u)};
    for (unsigned i = 0; i < n; i++) {
        size_t l = strlen(expr[i]);
        uint64_t rec[3] = {flags ? flags[i] : 0, ids ? ids[i] : 0, l};
        k.a = um_hash64(rec, sizeof rec, k.a);
        k.b = um_hash64(rec, sizeof rec, k.b);
        k.a = um_hash64(expr[i], l, k.a);
        k.b = um_hash64(expr[i], l, k.b);
    }
    return k;
}

hs_database_t *sg_hscache_get(sg_hscache *hc, sg_hskey key) {
    if (!hc) return NULL;
    for (size_t i = 0; i < hc->n; i++) {
        hc_entry *e = &hc->e[i];
        if (e->key.a != key.a || e->key.b != key.b) continue;
        hs_database_t *db = NULL;
        if (hs_deserialize_database(e->bytes, e->len, &db) != HS_SUCCESS) {
            db = NULL;
            break;
        }
        e->used = true;
        hc->st.hits++;
        return db;
    }
    hc->st.misses++;
    return NULL;
}

void sg_hscache_put(sg_hscache *hc, sg_hskey key, const hs_database_t *db) {
    if (!hc || !db) return;
    hc->dirty = true;
    char *bytes = NULL;
    size_t len = 0;
    if (hs_serialize_database(db, &bytes, &len) != HS_SUCCESS || !bytes || !len) return;
    if (!um_grow((void **)&hc->e, &hc->cap, hc->n + 1, sizeof *hc->e)) {
        free(bytes); /* vectorscan's allocator: malloc */
        return;
    }
    char *copy = um_malloc(len);
    if (copy) memcpy(copy, bytes, len);
    free(bytes);
    if (!copy) return;
    hc_entry *e = &hc->e[hc->n++];
    memset(e, 0, sizeof *e);
    e->key = key;
    e->bytes = copy;
    e->len = len;
    e->own = e->used = true;
}

static void write_file(sg_hscache *hc) {
    size_t tot = HC_HEAD, n = 0;
    for (size_t i = 0; i < hc->n; i++)
        if (hc->e[i].used) {
            tot += HC_ENTRY_HEAD + hc->e[i].len;
            tot += (8 - tot % 8) % 8;
            n++;
        }
    if (tot > SG_HSCACHE_MAX) {
        snprintf(hc->st.why, sizeof hc->st.why, "larger than the cache limit");
        return;
    }
    char *out = um_calloc(1, tot);
    if (!out) return;
    memcpy(out, HC_MAGIC, 8);
    uint64_t hv[2] = {hc->env, n};
    memcpy(out + 8, hv, sizeof hv);
    size_t off = HC_HEAD;
    for (size_t i = 0; i < hc->n; i++) {
        const hc_entry *e = &hc->e[i];
        if (!e->used) continue;
        uint64_t eh[3] = {e->key.a, e->key.b, e->len};
        memcpy(out + off, eh, sizeof eh);
        memcpy(out + off + HC_ENTRY_HEAD, e->bytes, e->len);
        off += HC_ENTRY_HEAD + e->len;
        off += (8 - off % 8) % 8;
    }
    uint64_t sum = um_hash64(out + HC_HEAD, tot - HC_HEAD, um_hash64(out, 24, hc->env));
    memcpy(out + 24, &sum, 8);
    const um_os *os = um_os_get();
    char err[256] = "";
    char parent[4096];
    snprintf(parent, sizeof parent, "%s", hc->dir);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) {
        *slash = 0;
        os->mkdir(os->ud, parent); /* ~/.cache may not exist yet; one level only */
    }
    os->remove_stale_temps(os->ud, hc->dir); /* of scans killed while writing it */
    if (os->mkdir(os->ud, hc->dir) == 0 &&
        os->write_atomic(os->ud, hc->dir, hc->name, out, tot, err, sizeof err) == 0)
        hc->st.written = true;
    else
        snprintf(hc->st.why, sizeof hc->st.why, "not written: %.140s", *err ? err : strerror(errno));
    um_free(out);
}

void sg_hscache_close(sg_hscache *hc, bool write, sg_hscache_stats *st) {
    if (!hc) {
        if (st) memset(st, 0, sizeof *st);
        return;
    }
    if (write && hc->dirty && hc->n) write_file(hc);
    if (st) *st = hc->st;
    for (size_t i = 0; i < hc->n; i++)
        if (hc->e[i].own) um_free((void *)hc->e[i].bytes);
    um_free(hc->e);
    um_free(hc->buf);
    um_free(hc);
}
