/*
 * cfmt.h - printing and reading numbers the same way whatever the locale.
 * Internal to libunmask (not installed).
 *
 * printf's %f/%g/%e and strtod() follow LC_NUMERIC: once a program that
 * embeds the library calls setlocale(LC_ALL, "") in de_DE.UTF-8, "%.2f"
 * prints "6,90" (JSON and CSV outputs change and the JSON is no longer
 * valid) and strtod("1.5") stops at the '.'. The library formats and
 * parses every floating-point number through these instead: each runs the
 * C library's own call with the calling thread switched to the "C" locale
 * (uselocale, a per-thread pointer swap; strtod_l), so the text is what
 * the "C" locale gives, byte for byte, in every locale.
 * tests/unit/test_locale.c scans in de_DE.UTF-8 and compares; the
 * check_ctype test fails when strtod/atof/v*printf or a printf-family call
 * with a floating conversion on its line comes back outside this file.
 */
#ifndef UM_CFMT_H
#define UM_CFMT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define UM_CFMT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define UM_CFMT_PRINTF(f, a)
#endif

/* snprintf / vsnprintf / fprintf / vfprintf in the "C" locale (same
 * arguments and results). */
int um_snprintf(char *buf, size_t n, const char *fmt, ...) UM_CFMT_PRINTF(3, 4);
int um_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap) UM_CFMT_PRINTF(3, 0);
int um_fprintf(FILE *f, const char *fmt, ...) UM_CFMT_PRINTF(2, 3);
int um_vfprintf(FILE *f, const char *fmt, va_list ap) UM_CFMT_PRINTF(2, 0);
/* vasprintf in the "C" locale: a malloc()ed string (free()), NULL on
 * failure. */
char *um_vasprintf(const char *fmt, va_list ap) UM_CFMT_PRINTF(1, 0);
/* strtod in the "C" locale ('.' is the decimal point). */
double um_strtod(const char *s, char **end);

#ifdef __cplusplus
}
#endif

#endif
