/*
 * ctx_bench.c - what opening a context costs, and what a scan of a small
 * file costs once the context is open (compiled data shared, issue 10).
 *
 *   ctx_bench DATA_DIR HR_CSV SIGNIN_FILE [RUNS]
 *
 * Prints medians (milliseconds) of RUNS runs of:
 *   ctx_open        um_ctx_open + um_ctx_close (eager compiles: IP lists,
 *                   indicator lists, endpoint rules)
 *   first_hr_scan   the first scan of HR_CSV on a fresh context (pays the
 *                   lazy sanctions compile)
 *   hr_scan         a further scan of HR_CSV on the same context
 *   signin_scan     a scan of SIGNIN_FILE on the same context
 * No outputs are written (um_scan_run only).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "unmask.h"

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return v[n / 2];
}

static int scan_once(um_ctx *ctx, const char *path) {
    um_scan *s = NULL;
    int ok = um_scan_new(ctx, &s) == UM_OK && um_scan_add_path(s, path, NULL) == UM_OK &&
             um_scan_run(s, NULL, NULL) == UM_OK;
    if (!ok) fprintf(stderr, "ctx_bench: scan of %s failed: %s\n", path, um_scan_errmsg(s));
    um_scan_free(s);
    return ok;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: ctx_bench DATA_DIR HR_CSV SIGNIN_FILE [RUNS]\n");
        return 2;
    }
    int runs = argc > 4 ? atoi(argv[4]) : 7;
    if (runs < 1 || runs > 1000) runs = 7;
    um_ctx_options o = {0};
    o.data_dir = argv[1];
    double *open = calloc((size_t)runs, sizeof *open), *first = calloc((size_t)runs, sizeof *first);
    double *hr = calloc((size_t)runs, sizeof *hr), *si = calloc((size_t)runs, sizeof *si);
    if (!open || !first || !hr || !si) return 2;
    for (int r = 0; r < runs; r++) {
        um_ctx *ctx = NULL;
        double t0 = now_ms();
        if (um_ctx_open(&ctx, &o) != UM_OK) {
            fprintf(stderr, "ctx_bench: %s\n", um_ctx_errmsg(ctx));
            return 2;
        }
        double t1 = now_ms();
        if (!scan_once(ctx, argv[2])) return 2;
        double t2 = now_ms();
        if (!scan_once(ctx, argv[2])) return 2;
        double t3 = now_ms();
        if (!scan_once(ctx, argv[3])) return 2;
        double t4 = now_ms();
        um_ctx_close(ctx);
        double t5 = now_ms();
        open[r] = (t1 - t0) + (t5 - t4);
        first[r] = t2 - t1;
        hr[r] = t3 - t2;
        si[r] = t4 - t3;
    }
    printf("runs %d (medians, ms)\nctx_open %.2f\nfirst_hr_scan %.2f\nhr_scan %.2f\nsignin_scan %.2f\n", runs,
           median(open, runs), median(first, runs), median(hr, runs), median(si, runs));
    free(open), free(first), free(hr), free(si);
    return 0;
}
