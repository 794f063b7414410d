/*
 * harness.h - the plain test runner: CHECK macros that report file:line and
 * go on, RUN() for each test function, and a closing "N passed, N failed"
 * line. Each tests/unit/test_*.c is one program registered with ctest.
 */
#ifndef UM_HARNESS_H
#define UM_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int um_t_pass, um_t_fail;
static const char *um_t_current = "";

#define CHECK(cond)                                                                        \
    do {                                                                                   \
        if (cond) um_t_pass++;                                                             \
        else {                                                                             \
            um_t_fail++;                                                                   \
            fprintf(stderr, "%s:%d: [%s] CHECK failed: %s\n", __FILE__, __LINE__,          \
                    um_t_current, #cond);                                                  \
        }                                                                                  \
    } while (0)

#define CHECK_STREQ(a, b)                                                                  \
    do {                                                                                   \
        const char *um_a_ = (a), *um_b_ = (b);                                             \
        if (um_a_ && um_b_ && strcmp(um_a_, um_b_) == 0) um_t_pass++;                      \
        else {                                                                             \
            um_t_fail++;                                                                   \
            fprintf(stderr, "%s:%d: [%s] expected \"%s\", got \"%s\"\n", __FILE__, __LINE__, \
                    um_t_current, um_b_ ? um_b_ : "(null)", um_a_ ? um_a_ : "(null)");     \
        }                                                                                  \
    } while (0)

#define CHECK_INTEQ(a, b)                                                                  \
    do {                                                                                   \
        long long um_a_ = (long long)(a), um_b_ = (long long)(b);                          \
        if (um_a_ == um_b_) um_t_pass++;                                                   \
        else {                                                                             \
            um_t_fail++;                                                                   \
            fprintf(stderr, "%s:%d: [%s] expected %lld, got %lld (%s)\n", __FILE__,        \
                    __LINE__, um_t_current, um_b_, um_a_, #a);                             \
        }                                                                                  \
    } while (0)

#define RUN(fn)                                                                            \
    do {                                                                                   \
        um_t_current = #fn;                                                                \
        fn();                                                                              \
    } while (0)

static inline int um_t_report(void) {
    printf("%d passed, %d failed\n", um_t_pass, um_t_fail);
    return um_t_fail ? 1 : 0;
}

/* A new private folder "$TMPDIR/NAME-XXXXXX" (/tmp when TMPDIR is unset or
 * empty) into buf; returns buf, or NULL (buf "") when it cannot be made.
 * The test removes it with everything in it when done (outputs, and the
 * ".OUT.lock" files scans keep beside an output folder OUT, go inside it). */
static inline char *um_t_mkdtemp(char *buf, size_t cap, const char *name) {
    const char *td = getenv("TMPDIR");
    int n = snprintf(buf, cap, "%s/%s-XXXXXX", td && *td ? td : "/tmp", name);
    if (n < 0 || (size_t)n >= cap || !mkdtemp(buf)) {
        if (cap) buf[0] = 0;
        return NULL;
    }
    return buf;
}

/* Paths given by ctest: UM_SRC_DIR (repository root). */
static inline const char *um_t_src(void) {
    const char *s = getenv("UM_SRC_DIR");
    return s ? s : ".";
}

#endif
