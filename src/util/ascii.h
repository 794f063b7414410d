/*
 * ascii.h - ASCII character classes and case folding that do not depend on
 * the locale. Internal to libunmask (not installed).
 *
 * libunmask is a library: a program that embeds it may call setlocale(), and
 * <ctype.h> then answers for that locale's 8-bit character set (in
 * tr_TR.ISO-8859-9, tolower('I') is 0xFD, and isalpha() is true for bytes
 * 0xC0-0xFF, which are the lead bytes of UTF-8 sequences). Identifiers,
 * field names, rule values and keywords are compared as ASCII whatever the
 * locale, so the library uses these instead of <ctype.h>: each takes a byte
 * value 0..255 (callers cast char to unsigned char, as for <ctype.h>) and
 * answers what <ctype.h> answers in the "C" locale (tests/unit/test_locale.c
 * checks all 256 bytes, and the library's results under a Turkish 8-bit
 * locale). tests/CMakeLists.txt's check_ctype test fails the build's tests
 * when <ctype.h> or strcasecmp/strncasecmp come back in src/ or cli/.
 * Numbers printed or read as text have the same problem with LC_NUMERIC:
 * src/util/cfmt.h.
 */
#ifndef UM_ASCII_H
#define UM_ASCII_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline int um_ascii_isupper(int c) { return c >= 'A' && c <= 'Z'; }
static inline int um_ascii_islower(int c) { return c >= 'a' && c <= 'z'; }
static inline int um_ascii_isalpha(int c) { return um_ascii_isupper(c) || um_ascii_islower(c); }
static inline int um_ascii_isdigit(int c) { return c >= '0' && c <= '9'; }
static inline int um_ascii_isalnum(int c) { return um_ascii_isalpha(c) || um_ascii_isdigit(c); }
static inline int um_ascii_isxdigit(int c) {
    return um_ascii_isdigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
/* space, \t, \n, \v, \f, \r */
static inline int um_ascii_isspace(int c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
static inline int um_ascii_tolower(int c) { return um_ascii_isupper(c) ? c + ('a' - 'A') : c; }
static inline int um_ascii_toupper(int c) { return um_ascii_islower(c) ? c - ('a' - 'A') : c; }

/* dst = src with ASCII capitals lowered (n bytes; dst may be src), eight
 * bytes at a time: the Sigma matcher lowers every value a group's exact set
 * tests through it. */
static inline void um_ascii_lower_n(char *dst, const char *src, size_t n) {
    const uint64_t ones = 0x0101010101010101ull;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, src + i, 8);
        uint64_t low7 = w & (0x7f * ones);
        uint64_t above_z = low7 + (0x7f - 'Z') * ones; /* bit 7 set where > 'Z' */
        uint64_t from_a = low7 + (0x80 - 'A') * ones;  /* bit 7 set where >= 'A' */
        w |= (~w & (0x80 * ones) & (from_a ^ above_z)) >> 2;
        memcpy(dst + i, &w, 8);
    }
    for (; i < n; i++) dst[i] = (char)um_ascii_tolower((unsigned char)src[i]);
}

#endif
