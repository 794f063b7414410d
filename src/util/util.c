/* util.c - see util.h. */
#include "util.h"
#include "ascii.h"
#include "cfmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

void *um_malloc(size_t n) { return malloc(n ? n : 1); }
void *um_calloc(size_t n, size_t sz) { return calloc(n ? n : 1, sz ? sz : 1); }
void *um_realloc(void *p, size_t n) { return realloc(p, n ? n : 1); }
void um_free(void *p) { free(p); }

#define UM_TABLE_ALIGN ((size_t)2 << 20)

static size_t table_bytes(size_t n, size_t sz) { /* rounded up to UM_TABLE_ALIGN; 0: overflow */
    if (!n || !sz || n > (SIZE_MAX - UM_TABLE_ALIGN) / sz) return 0;
    return (n * sz + UM_TABLE_ALIGN - 1) & ~(UM_TABLE_ALIGN - 1);
}

void *um_calloc_table(size_t n, size_t sz) {
    size_t bytes = table_bytes(n, sz);
    if (!bytes || bytes > SIZE_MAX - UM_TABLE_ALIGN) return NULL;
    char *p = mmap(NULL, bytes + UM_TABLE_ALIGN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
    uintptr_t a = ((uintptr_t)p + UM_TABLE_ALIGN - 1) & ~(uintptr_t)(UM_TABLE_ALIGN - 1);
    size_t head = (size_t)(a - (uintptr_t)p);
    if (head) (void)munmap(p, head); /* keep only the aligned part */
    if (UM_TABLE_ALIGN - head) (void)munmap((char *)a + bytes, UM_TABLE_ALIGN - head);
#ifdef MADV_HUGEPAGE
    (void)madvise((void *)a, bytes, MADV_HUGEPAGE); /* before the first touch; a hint only */
#endif
    return (void *)a;
}

void um_free_table(void *p, size_t n, size_t sz) {
    size_t bytes = table_bytes(n, sz);
    if (p && bytes) (void)munmap(p, bytes);
}

char *um_strndup(const char *s, size_t n) {
    char *d = um_malloc(n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

char *um_strdup(const char *s) { return s ? um_strndup(s, strlen(s)) : NULL; }

bool um_grow(void **arr, size_t *cap, size_t need, size_t sz) {
    if (need <= *cap) return true;
    size_t nc = *cap ? *cap : 8;
    while (nc < need) {
        if (nc > SIZE_MAX / 2 / sz) return false;
        nc *= 2;
    }
    void *p = um_realloc(*arr, nc * sz);
    if (!p) return false;
    *arr = p;
    *cap = nc;
    return true;
}

bool um_grow_zeroed(void **arr, size_t *n, size_t need, size_t sz) {
    if (need <= *n) return true;
    if (need > SIZE_MAX / sz) return false;
    char *p = um_realloc(*arr, need * sz);
    if (!p) return false;
    memset(p + *n * sz, 0, (need - *n) * sz);
    *arr = p;
    *n = need;
    return true;
}

/* ---- um_buf ---- */

void um_buf_init(um_buf *b) { memset(b, 0, sizeof *b); }
void um_buf_free(um_buf *b) {
    um_free(b->s);
    um_buf_init(b);
}
void um_buf_reset(um_buf *b) {
    b->len = 0;
    if (b->s) b->s[0] = 0;
}

static bool buf_reserve(um_buf *b, size_t extra) {
    if (b->oom) return false;
    if (b->len + extra + 1 <= b->cap) return true;
    size_t nc = b->cap ? b->cap : 64;
    while (nc < b->len + extra + 1) nc *= 2;
    char *p = um_realloc(b->s, nc);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->s = p;
    b->cap = nc;
    return true;
}

void um_buf_add(um_buf *b, const char *s, size_t n) {
    if (!buf_reserve(b, n)) return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
}
void um_buf_adds(um_buf *b, const char *s) { um_buf_add(b, s, strlen(s)); }
void um_buf_addc(um_buf *b, char c) { um_buf_add(b, &c, 1); }

void um_buf_vprintf(um_buf *b, const char *fmt, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    int n = um_vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0 || !buf_reserve(b, (size_t)n)) return;
    um_vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void um_buf_printf(um_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    um_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n) {
    unsigned c = s[0];
    if (c < 0x80) return 1;
    size_t len;
    unsigned min;
    if ((c & 0xE0) == 0xC0) { len = 2; min = 0x80; c &= 0x1F; }
    else if ((c & 0xF0) == 0xE0) { len = 3; min = 0x800; c &= 0x0F; }
    else if ((c & 0xF8) == 0xF0) { len = 4; min = 0x10000; c &= 0x07; }
    else return 0;
    if (n < len) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    return len;
}

bool um_utf8_valid(const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        /* ASCII fast path, eight bytes at a time */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (w & 0x8080808080808080ULL) break;
            i += 8;
        }
        if (i >= n) break;
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        size_t k = utf8_seq(p + i, n - i);
        if (!k) return false;
        i += k;
    }
    return true;
}

/* Length of the escape for the character at p[0..n) (0 when it passes
 * through unchanged), written to out (>= 7 bytes); *k gets its byte length. */
static size_t term_esc1(const unsigned char *p, size_t n, char *out, size_t *k) {
    static const char hex[] = "0123456789abcdef";
    unsigned c = p[0];
    if (c < 0x80) {
        *k = 1;
        if (c >= 0x20 && c != 0x7f) return 0;
        goto byte;
    }
    size_t len = utf8_seq(p, n);
    if (!len) {
        *k = 1;
        goto byte;
    }
    *k = len;
    unsigned cp;
    if (len == 2) cp = ((c & 0x1fu) << 6) | (p[1] & 0x3fu);
    else if (len == 3) cp = ((c & 0x0fu) << 12) | ((p[1] & 0x3fu) << 6) | (p[2] & 0x3fu);
    else return 0;
    if (!((cp >= 0x80 && cp <= 0x9f) || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
          (cp >= 0x2066 && cp <= 0x2069)))
        return 0;
    out[0] = '\\', out[1] = 'u';
    out[2] = hex[(cp >> 12) & 15], out[3] = hex[(cp >> 8) & 15], out[4] = hex[(cp >> 4) & 15], out[5] = hex[cp & 15];
    return 6;
byte:
    out[0] = '\\', out[1] = 'x', out[2] = hex[c >> 4], out[3] = hex[c & 15];
    return 4;
}

void um_buf_add_term(um_buf *b, const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0; /* run: start of the pending unescaped bytes */
    char esc[8];
    while (i < n) {
        size_t k, e = term_esc1(p + i, n - i, esc, &k);
        if (e) {
            um_buf_add(b, s + run, i - run);
            um_buf_add(b, esc, e);
            run = i + k;
        }
        i += k;
    }
    um_buf_add(b, s + run, n - run);
}

char *um_term_escape(const char *s, char *buf, size_t cap) {
    if (!buf || cap == 0) return buf;
    buf[0] = 0;
    if (!s || cap < 4) return buf;
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), i, o = 0, total = 0, k;
    char esc[8];
    for (i = 0; i < n; i += k) {
        size_t e = term_esc1(p + i, n - i, esc, &k);
        total += e ? e : k;
    }
    size_t room = total + 1 <= cap ? cap - 1 : cap - 4; /* leave room for "..." */
    for (i = 0; i < n; i += k) {
        size_t e = term_esc1(p + i, n - i, esc, &k), len = e ? e : k;
        if (o + len > room) break;
        memcpy(buf + o, e ? esc : s + i, len);
        o += len;
    }
    if (i < n) memcpy(buf + o, "...", 3), o += 3;
    buf[o] = 0;
    return buf;
}

void um_buf_add_json_str(um_buf *b, const char *s) {
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), i = 0;
    while (i < n) {
        unsigned c = p[i];
        if (c == '"' || c == '\\') {
            um_buf_addc(b, '\\');
            um_buf_addc(b, (char)c);
            i++;
        } else if (c < 0x20 || c == 0x7F) {
            switch (c) {
            case '\n': um_buf_adds(b, "\\n"); break;
            case '\r': um_buf_adds(b, "\\r"); break;
            case '\t': um_buf_adds(b, "\\t"); break;
            default: um_buf_printf(b, "\\u%04x", c); break;
            }
            i++;
        } else if (c < 0x80) {
            um_buf_addc(b, (char)c);
            i++;
        } else {
            size_t k = utf8_seq(p + i, n - i);
            if (!k) {
                um_buf_adds(b, "\\ufffd");
                i++;
            } else if (k == 3 && p[i] == 0xE2 && p[i + 1] == 0x80 &&
                       (p[i + 2] == 0xA8 || p[i + 2] == 0xA9)) {
                /* U+2028/2029 break JavaScript consumers of JSON lines. */
                um_buf_printf(b, "\\u%04x", p[i + 2] == 0xA8 ? 0x2028 : 0x2029);
                i += 3;
            } else {
                um_buf_add(b, s + i, k);
                i += k;
            }
        }
    }
}

void um_buf_add_json(um_buf *b, const char *s) {
    if (!s) {
        um_buf_adds(b, "null");
        return;
    }
    um_buf_addc(b, '"');
    um_buf_add_json_str(b, s);
    um_buf_addc(b, '"');
}

/* ---- arena ---- */

struct um_arena_block {
    um_arena_block *next;
    size_t used, cap;
    max_align_t data[];
};

void um_arena_init(um_arena *a) { memset(a, 0, sizeof *a); }

#define UM_ARENA_BLOCK (64 * 1024)

static void blocks_free(um_arena_block *b) {
    while (b) {
        um_arena_block *n = b->next;
        um_free(b);
        b = n;
    }
}

void um_arena_free(um_arena *a) {
    blocks_free(a->head);
    blocks_free(a->spare);
    um_arena_init(a);
}

void um_arena_reset(um_arena *a) {
    um_arena_block *b = a->head;
    while (b) {
        um_arena_block *n = b->next;
        if (b->cap == UM_ARENA_BLOCK) {
            b->next = a->spare;
            a->spare = b;
        } else {
            um_free(b);
        }
        b = n;
    }
    a->head = NULL;
    a->total = 0;
}

void um_arena_adopt(um_arena *a, um_arena *from) {
    blocks_free(from->spare);
    from->spare = NULL;
    if (!from->head) return;
    um_arena_block *tail = from->head;
    while (tail->next) tail = tail->next;
    if (a->head) { /* a's open block stays at the head */
        tail->next = a->head->next;
        a->head->next = from->head;
    } else {
        a->head = from->head;
    }
    a->total += from->total;
    um_arena_init(from);
}

/* n bytes at an offset aligned to al (a power of two) in the open block, or
 * in a new one. Strings take al = 1: at a million people, rounding every
 * value up to 16 bytes was a tenth of the scan's memory. */
static void *arena_take(um_arena *a, size_t n, size_t al) {
    um_arena_block *b = a->head;
    size_t off = b ? (b->used + al - 1) & ~(al - 1) : 0;
    if (!b || off > b->cap || b->cap - off < n) {
        size_t cap = UM_ARENA_BLOCK;
        if (n > cap / 4) cap = n; /* big items get a block of their own */
        if (cap == UM_ARENA_BLOCK && a->spare) {
            b = a->spare;
            a->spare = b->next;
        } else {
            b = um_malloc(sizeof *b + cap);
        }
        if (!b) return NULL;
        b->cap = cap;
        b->used = 0;
        if (a->head && n == cap) { /* keep the open block at the head */
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
        a->total += cap;
        off = 0;
    }
    void *p = (char *)b->data + off;
    b->used = off + n;
    return p;
}

void *um_arena_alloc(um_arena *a, size_t n) {
    const size_t al = sizeof(max_align_t);
    n = (n + al - 1) / al * al;
    if (!n) n = al;
    return arena_take(a, n, al);
}

void *um_arena_alloc_aligned(um_arena *a, size_t n, size_t al) {
    if (!al || (al & (al - 1)) || al > sizeof(max_align_t)) al = sizeof(max_align_t);
    return arena_take(a, n ? n : al, al);
}

char *um_arena_strndup(um_arena *a, const char *s, size_t n) {
    char *d = arena_take(a, n + 1, 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

char *um_arena_strdup(um_arena *a, const char *s) {
    return s ? um_arena_strndup(a, s, strlen(s)) : NULL;
}

char *um_arena_printf(um_arena *a, const char *fmt, ...) {
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = um_vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *d = n < 0 ? NULL : arena_take(a, (size_t)n + 1, 1);
    if (d) um_vsnprintf(d, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return d;
}

/* ---- map ---- */

uint64_t um_hash64(const void *p, size_t n, uint64_t seed) {
    return XXH3_64bits_withSeed(p, n, seed);
}

struct um_hstream {
    XXH3_state_t *st;
};

um_hstream *um_hstream_new(uint64_t seed) {
    um_hstream *h = um_malloc(sizeof *h);
    if (!h) return NULL;
    h->st = XXH3_createState();
    if (!h->st || XXH3_64bits_reset_withSeed(h->st, seed) != XXH_OK) {
        if (h->st) XXH3_freeState(h->st);
        um_free(h);
        return NULL;
    }
    return h;
}

void um_hstream_add(um_hstream *h, const void *p, size_t n) {
    if (n) (void)XXH3_64bits_update(h->st, p, n);
}

uint64_t um_hstream_digest(const um_hstream *h) { return XXH3_64bits_digest(h->st); }

void um_hstream_reset(um_hstream *h, uint64_t seed) { (void)XXH3_64bits_reset_withSeed(h->st, seed); }

void um_hstream_free(um_hstream *h) {
    if (!h) return;
    XXH3_freeState(h->st);
    um_free(h);
}

void um_map_init(um_map *m) {
    memset(m, 0, sizeof *m);
    um_arena_init(&m->keys);
}

void um_map_free(um_map *m) {
    um_free(m->slots);
    um_arena_free(&m->keys);
    memset(m, 0, sizeof *m);
}

static um_map_slot *map_probe(um_map_slot *slots, size_t cap, const char *key,
                              size_t klen, uint32_t h) {
    size_t i = (size_t)h & (cap - 1);
    for (;;) {
        um_map_slot *s = &slots[i];
        if (!s->key) return s;
        if (s->hash == h && s->klen == klen && memcmp(s->key, key, klen) == 0) return s;
        i = (i + 1) & (cap - 1);
    }
}

um_map_slot *um_map_find(const um_map *m, const char *key, size_t klen) {
    if (!m->cap || klen > UINT32_MAX) return NULL;
    uint32_t h = (uint32_t)um_hash64(key, klen, 0);
    um_map_slot *s = map_probe(m->slots, m->cap, key, klen, h);
    return s->key ? s : NULL;
}

um_map_slot *um_map_upsert(um_map *m, const char *key, size_t klen, bool *created) {
    if (klen > UINT32_MAX) return NULL;
    if ((m->len + 1) * 4 >= m->cap * 3) {
        size_t nc = m->cap ? m->cap * 2 : 64;
        um_map_slot *ns = um_calloc(nc, sizeof *ns);
        if (!ns) return NULL;
        for (size_t i = 0; i < m->cap; i++) {
            um_map_slot *o = &m->slots[i];
            if (o->key) *map_probe(ns, nc, o->key, o->klen, o->hash) = *o;
        }
        um_free(m->slots);
        m->slots = ns;
        m->cap = nc;
    }
    uint32_t h = (uint32_t)um_hash64(key, klen, 0);
    um_map_slot *s = map_probe(m->slots, m->cap, key, klen, h);
    if (created) *created = false;
    if (!s->key) {
        char *k = um_arena_strndup(&m->keys, key, klen);
        if (!k) return NULL;
        s->key = k;
        s->klen = (uint32_t)klen;
        s->hash = h;
        s->val = NULL;
        m->len++;
        if (created) *created = true;
    }
    return s;
}

/* ---- strings ---- */

bool um_streq_ci(const char *a, const char *b) {
    if (!a || !b) return false;
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    while (*x && um_ascii_tolower(*x) == um_ascii_tolower(*y)) x++, y++;
    return um_ascii_tolower(*x) == um_ascii_tolower(*y);
}

bool um_glob(const char *pat, size_t pn, const char *s, bool ci) {
    size_t pi = 0, si = 0, star = SIZE_MAX, mark = 0, sn = strlen(s);
    while (si < sn) {
        if (pi < pn && pat[pi] == '*') {
            star = pi++;
            mark = si;
        } else if (pi < pn && (ci ? um_ascii_tolower((unsigned char)pat[pi]) == um_ascii_tolower((unsigned char)s[si])
                                  : pat[pi] == s[si])) {
            pi++, si++;
        } else if (star != SIZE_MAX) {
            pi = star + 1;
            si = ++mark;
        } else {
            return false;
        }
    }
    while (pi < pn && pat[pi] == '*') pi++;
    return pi == pn;
}

bool um_strneq_ci(const char *a, size_t alen, const char *b) {
    size_t bl = strlen(b);
    if (alen != bl) return false;
    for (size_t i = 0; i < alen; i++)
        if (um_ascii_tolower((unsigned char)a[i]) != um_ascii_tolower((unsigned char)b[i])) return false;
    return true;
}

bool um_ends_with_ci(const char *s, const char *suffix) {
    if (!s) return false;
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && um_streq_ci(s + n - k, suffix);
}

bool um_starts_with_ci(const char *s, const char *prefix) {
    if (!s) return false;
    size_t k = strlen(prefix);
    for (size_t i = 0; i < k; i++)
        if (!s[i] || um_ascii_tolower((unsigned char)s[i]) != um_ascii_tolower((unsigned char)prefix[i]))
            return false;
    return true;
}

/* The needle's length is taken once and its first letter tested before the
 * rest (per Windows event: the channel and provider are classified by it). */
const char *um_strstr_ci(const char *hay, const char *needle) {
    if (!hay) return NULL;
    size_t k = strlen(needle);
    if (!k) return hay;
    int c0 = um_ascii_tolower((unsigned char)needle[0]);
    for (const char *p = hay; *p; p++) {
        if (um_ascii_tolower((unsigned char)*p) != c0) continue;
        size_t i = 1;
        while (i < k && p[i] && um_ascii_tolower((unsigned char)p[i]) == um_ascii_tolower((unsigned char)needle[i]))
            i++;
        if (i == k) return p;
    }
    return NULL;
}

char *um_lower_trim(um_arena *a, const char *s, size_t n) {
    while (n && um_ascii_isspace((unsigned char)*s)) { s++; n--; }
    while (n && um_ascii_isspace((unsigned char)s[n - 1])) n--;
    char *d = um_arena_strndup(a, s, n);
    if (d)
        for (size_t i = 0; i < n; i++) d[i] = (char)um_ascii_tolower((unsigned char)d[i]);
    return d;
}

char *um_trim(char *s) {
    while (um_ascii_isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && um_ascii_isspace((unsigned char)s[n - 1])) s[--n] = 0;
    return s;
}

size_t um_split(char *s, char sep, char **out, size_t max) {
    size_t n = 0;
    while (n < max) {
        out[n++] = s;
        char *t = strchr(s, sep);
        if (!t || n == max) break;
        *t = 0;
        s = t + 1;
    }
    return n;
}

const char *um_basename_any(const char *s) {
    if (!s) return NULL;
    const char *b = s;
    for (const char *p = s; *p; p++)
        if (*p == '\\' || *p == '/') b = p + 1;
    return b;
}
