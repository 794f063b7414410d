/* cfmt.c - the "C" locale's number formatting and parsing (cfmt.h). */
#include "cfmt.h"

#include <locale.h>
#include <pthread.h>
#include <stdlib.h>

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static locale_t g_c;

/* glibc answers "C" with its built-in locale object (nothing allocated) */
static void make_c(void) { g_c = newlocale(LC_ALL_MASK, "C", (locale_t)0); }

static locale_t c_locale(void) {
    pthread_once(&g_once, make_c);
    return g_c;
}

/* Switches the calling thread to the "C" locale; returns what to give back
 * to leave(). (locale_t)0 when the locale could not be made: the call then
 * runs in the thread's locale, as before. */
static locale_t enter(void) {
    locale_t c = c_locale();
    return c ? uselocale(c) : (locale_t)0;
}

static void leave(locale_t old) {
    if (old) uselocale(old);
}

int um_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap) {
    locale_t old = enter();
    int r = vsnprintf(buf, n, fmt, ap);
    leave(old);
    return r;
}

int um_snprintf(char *buf, size_t n, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = um_vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return r;
}

int um_vfprintf(FILE *f, const char *fmt, va_list ap) {
    locale_t old = enter();
    int r = vfprintf(f, fmt, ap);
    leave(old);
    return r;
}

int um_fprintf(FILE *f, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = um_vfprintf(f, fmt, ap);
    va_end(ap);
    return r;
}

char *um_vasprintf(const char *fmt, va_list ap) {
    char *s = NULL;
    locale_t old = enter();
    int r = vasprintf(&s, fmt, ap);
    leave(old);
    return r < 0 ? NULL : s;
}

double um_strtod(const char *s, char **end) {
    locale_t c = c_locale();
    return c ? strtod_l(s, end, c) : strtod(s, end);
}
