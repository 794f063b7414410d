/*
 * util.h - small building blocks shared by every stage: growable buffers, an
 * arena for strings, a string-keyed hash map, hashing and string helpers.
 * Internal to libunmask (not installed).
 *
 * Ownership: um_buf and um_arena own their memory; um_map owns copies of its
 * keys (in its own arena) but not the values it stores.
 */
#ifndef UM_UTIL_H
#define UM_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* UM_ASAN: 1 in builds under AddressSanitizer. gcc defines
 * __SANITIZE_ADDRESS__, clang (14) only answers __has_feature. */
#if defined(__SANITIZE_ADDRESS__)
#define UM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UM_ASAN 1
#endif
#endif
#ifndef UM_ASAN
#define UM_ASAN 0
#endif

#define UM_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define UM_UNUSED(x) ((void)(x))

#if defined(__GNUC__)
#define UM_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define UM_PRINTF(f, a)
#endif

/* Allocation: abort-free; callers check for NULL. */
void *um_malloc(size_t n);
void *um_calloc(size_t n, size_t sz);
void *um_realloc(void *p, size_t n);
void um_free(void *p);
/* Zeroed memory for a table read at random positions (a cache looked up per
 * event): mapped, aligned to 2 MiB and marked for transparent huge pages
 * where the system allows it, so its lookups do not miss the TLB as well
 * (pages are zeroed by the kernel on first touch, not here). Freed only with
 * um_free_table(p, n, sz) of the same n and sz. */
void *um_calloc_table(size_t n, size_t sz);
void um_free_table(void *p, size_t n, size_t sz);
char *um_strdup(const char *s);
char *um_strndup(const char *s, size_t n);
/* Grows *arr (of *cap elements of size sz) to hold at least need elements. */
bool um_grow(void **arr, size_t *cap, size_t need, size_t sz);
/* Grows *arr (of *n zeroed elements of size sz) to need elements, the new
 * ones zeroed, and sets *n = need; nothing to do when need <= *n. */
bool um_grow_zeroed(void **arr, size_t *n, size_t need, size_t sz);

/* Growable NUL-terminated byte buffer. */
typedef struct um_buf {
    char *s;
    size_t len, cap;
    bool oom; /* set once an append failed; further appends are ignored */
} um_buf;

void um_buf_init(um_buf *b);
void um_buf_free(um_buf *b);
void um_buf_reset(um_buf *b);
void um_buf_add(um_buf *b, const char *s, size_t n);
void um_buf_adds(um_buf *b, const char *s);
void um_buf_addc(um_buf *b, char c);
void um_buf_printf(um_buf *b, const char *fmt, ...) UM_PRINTF(2, 3);
void um_buf_vprintf(um_buf *b, const char *fmt, va_list ap);
/* Appends s as the inside of a JSON string (no quotes added); invalid UTF-8
 * bytes become U+FFFD. */
void um_buf_add_json_str(um_buf *b, const char *s);
/* Appends "s" as a quoted JSON string, or null when s is NULL. */
void um_buf_add_json(um_buf *b, const char *s);

/* Arena: many small allocations freed together. */
typedef struct um_arena_block um_arena_block;
typedef struct um_arena {
    um_arena_block *head;
    size_t total;
    um_arena_block *spare; /* standard blocks kept by um_arena_reset for reuse */
} um_arena;

void um_arena_init(um_arena *a);
void um_arena_free(um_arena *a);
/* Empties a for reuse, keeping its standard-size blocks (no free and
 * malloc of the same memory again: threads.c's recycled batches). */
void um_arena_reset(um_arena *a);
void *um_arena_alloc(um_arena *a, size_t n);
/* n bytes aligned to al (a power of two <= max_align_t), not rounded up:
 * for many small blocks of pointers (a million people's value sets). */
void *um_arena_alloc_aligned(um_arena *a, size_t n, size_t al);
char *um_arena_strdup(um_arena *a, const char *s);
/* Moves every block of from into a (from is left empty): what another
 * thread allocated then lives as long as a. */
void um_arena_adopt(um_arena *a, um_arena *from);
char *um_arena_strndup(um_arena *a, const char *s, size_t n);
char *um_arena_printf(um_arena *a, const char *fmt, ...) UM_PRINTF(2, 3);

/* Open-addressing hash map from string key to a pointer-sized value. */
/* A slot is 24 bytes (32 with a size_t length and a 64-bit hash: the maps
 * of a million people's keys are large): the hash's low 32 bits place and
 * pre-compare keys (tables stay below 2^32 slots), keys are < 4 GiB. */
typedef struct um_map_slot {
    const char *key;
    void *val;
    uint32_t hash;
    uint32_t klen;
} um_map_slot;
typedef struct um_map {
    um_map_slot *slots;
    size_t cap, len;
    um_arena keys;
} um_map;

void um_map_init(um_map *m);
void um_map_free(um_map *m);
/* Returns the slot for key, inserting it (val NULL) when absent; *created is
 * set to whether it was inserted. NULL on allocation failure. */
um_map_slot *um_map_upsert(um_map *m, const char *key, size_t klen, bool *created);
um_map_slot *um_map_find(const um_map *m, const char *key, size_t klen);
static inline void *um_map_get(const um_map *m, const char *key, size_t klen) {
    um_map_slot *s = um_map_find(m, key, klen);
    return s ? s->val : NULL;
}

uint64_t um_hash64(const void *p, size_t n, uint64_t seed);
/* um_hash64 of a whole byte sequence handed over in pieces (any cut gives
 * the same digest as one um_hash64 over all of it). um_hstream_new: NULL
 * when out of memory; owned by the caller, um_hstream_free. */
typedef struct um_hstream um_hstream;
um_hstream *um_hstream_new(uint64_t seed);
void um_hstream_add(um_hstream *h, const void *p, size_t n);
uint64_t um_hstream_digest(const um_hstream *h);
void um_hstream_reset(um_hstream *h, uint64_t seed); /* empty again, as from um_hstream_new(seed) */
void um_hstream_free(um_hstream *h);

/* String helpers (ASCII-only case handling; names go through the name
 * normaliser instead). */
bool um_streq_ci(const char *a, const char *b);
bool um_strneq_ci(const char *a, size_t alen, const char *b);
bool um_ends_with_ci(const char *s, const char *suffix);
bool um_starts_with_ci(const char *s, const char *prefix);
const char *um_strstr_ci(const char *hay, const char *needle);
/* Whether s matches the pattern pat[0..pn), where '*' is any run of bytes
 * (no other wildcard, no escapes); ci: ASCII case ignored. */
bool um_glob(const char *pat, size_t pn, const char *s, bool ci);
/* Lower-cases ASCII into an arena copy, trimming spaces. */
char *um_lower_trim(um_arena *a, const char *s, size_t n);
/* Trims ASCII whitespace in place, returning the start. */
char *um_trim(char *s);
/* Splits s in place at every sep into at most max fields (the last keeps
 * any further separators); returns the number of fields. */
size_t um_split(char *s, char sep, char **out, size_t max);
/* Base name of a Windows or POSIX path (pointer into s). */
const char *um_basename_any(const char *s);
/* true when s is valid UTF-8 of length n. */
bool um_utf8_valid(const char *s, size_t n);

/* Terminal escaping, for every place a command echoes input text (file
 * names, names, values, reject reasons) to a terminal or log: bytes that
 * could drive a terminal are written as visible escapes, so input text can
 * never set a title, clear the screen or reorder a line.
 *   C0 controls (tab and newline included) and DEL   -> \x1b style
 *   bytes that are not valid UTF-8                   -> \xff style
 *   C1 controls U+0080..U+009F (e.g. CSI U+009B) and
 *   bidirectional controls (U+200E/F, U+202A..E,
 *   U+2066..9)                                       -> \u009b style
 * Everything else (backslash included) passes through unchanged: the output
 * is for display, not a reversible encoding.
 *
 * um_buf_add_term appends the escaped form of s[0..n) to b.
 * um_term_escape writes the escaped form of the NUL-terminated s (NULL is
 * written as "") into buf of cap bytes (cap >= 4), always NUL-terminated;
 * when it does not fit, it ends with "..." at a character boundary.
 * Returns buf, so it can be used directly as a printf argument. */
void um_buf_add_term(um_buf *b, const char *s, size_t n);
char *um_term_escape(const char *s, char *buf, size_t cap);
/* Size of a um_term_escape buffer that shows ~200 characters. */
#define UM_TERM_BUF 1024

#endif
