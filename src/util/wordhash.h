/*
 * wordhash.h - a hash of a short name read eight bytes at a time, with
 * ASCII letters folded or not, and an optional check for NUL bytes in the
 * name: the hash behind the per-event field-name lookups (the Windows field
 * bag, the Sigma name cache). Inline with constant flags, so each caller
 * gets its own specialised loop and the hash of a constant name folds at
 * compile time. Internal to libunmask.
 */
#ifndef UM_WORDHASH_H
#define UM_WORDHASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Bit 5 set in every byte: A-Z become a-z, so two names equal but for the
 * case of ASCII letters hash the same (what the lookups need: they compare
 * the names themselves after the hash). Other bytes may collide with their
 * bit-5 twin ('@' and '`', '[' and '{'), which only costs a compare. Two
 * operations a word instead of the exact fold's seven; the hash lives only in
 * memory (never written out), so it may change. */
static inline uint64_t um_fold8(uint64_t w) { return w | 0x2020202020202020ull; }

/* Hash of s[0..n), ASCII letters folded when fold; never reads past s + n.
 * *nul (may be NULL): whether one of the n bytes is a NUL. */
static inline __attribute__((always_inline)) uint32_t um_word_hash(const char *s, size_t n, bool fold, bool *nul) {
    const uint64_t k = 0x9e3779b97f4a7c15ull, ones = 0x0101010101010101ull;
    uint64_t h = k ^ n, w, zero = 0; /* zero: bit 7 of a byte that was 0 (any word) */
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        memcpy(&w, s + i, 8);
        if (nul) zero |= (w - ones) & ~w & (0x80 * ones);
        h = (h ^ (fold ? um_fold8(w) : w)) * k;
        h ^= h >> 29;
    }
    if (i < n) { /* the last 1-7 bytes */
        size_t r = n - i;
        if (n >= 8) {
            memcpy(&w, s + n - 8, 8); /* overlaps the previous word */
        } else if (r >= 4) {
            uint32_t a, b;
            memcpy(&a, s + i, 4);
            memcpy(&b, s + n - 4, 4);
            w = (uint64_t)a << 32 | b;
        } else {
            w = (uint64_t)(unsigned char)s[i] << 16 | (uint64_t)(unsigned char)s[i + r / 2] << 8 |
                (unsigned char)s[n - 1];
            if (nul && (!s[i] || !s[i + r / 2] || !s[n - 1])) zero = 1;
        }
        if (nul && (n >= 8 || r >= 4)) zero |= (w - ones) & ~w & (0x80 * ones);
        h = (h ^ (fold ? um_fold8(w) : w)) * k;
        h ^= h >> 29;
    }
    if (nul) *nul = zero != 0;
    h *= 0xff51afd7ed558ccdull;
    return (uint32_t)(h ^ (h >> 32));
}

#endif
