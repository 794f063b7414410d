/*
 * write_bench.c - the scan's write phase alone (issues 10/12 point 7: the
 * serial tail after the log phase): one scan, then its outputs written
 * ROUNDS times into the same folder, as a re-scan writes them (the case.db
 * verdicts carried over, the previous set swapped out).
 *
 *   write_bench CASE_DIR OUT_DIR [THREADS [ROUNDS]]   (run from the checkout:
 *                                                      ./data is the data folder)
 *
 * CASE_DIR is a gen_bench case (hr/ and logs/). Prints per round the wall
 * seconds of um_scan_write_outputs, of its sinks, and the CPU seconds of
 * case.db's writer and of the other sinks (um_scan_stats), then the medians.
 * With THREADS >= 2 case.db is written on its own thread beside the others.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unmask.h"

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s CASE_DIR OUT_DIR [THREADS [ROUNDS]]\n", argv[0]);
        return 2;
    }
    unsigned threads = argc > 3 ? (unsigned)atoi(argv[3]) : 1;
    int rounds = argc > 4 ? atoi(argv[4]) : 7;
    if (rounds < 1 || rounds > 1000) rounds = 7;
    char hr[4096], logs[4096];
    snprintf(hr, sizeof hr, "%s/hr", argv[1]);
    snprintf(logs, sizeof logs, "%s/logs", argv[1]);
    um_ctx_options co = {0};
    um_ctx *ctx = NULL;
    um_scan *scan = NULL;
    int rc = 1;
    if (um_ctx_open(&ctx, &co) != UM_OK) {
        fprintf(stderr, "write_bench: %s\n", um_ctx_errmsg(ctx));
        goto out;
    }
    if (um_scan_new(ctx, &scan) != UM_OK || um_scan_set_threads(scan, threads) != UM_OK ||
        um_scan_keep_journal(scan, argv[2], false) != UM_OK || um_scan_add_path(scan, hr, NULL) != UM_OK ||
        um_scan_add_path(scan, logs, NULL) != UM_OK || um_scan_run(scan, NULL, NULL) != UM_OK) {
        fprintf(stderr, "write_bench: %s\n", scan ? um_scan_errmsg(scan) : "out of memory");
        goto out;
    }
    double *w = calloc((size_t)rounds * 4, sizeof *w);
    if (!w) goto out;
    printf("round  write_s  sinks_s  casedb_cpu_s  other_sinks_cpu_s\n");
    for (int r = 0; r < rounds; r++) {
        if (um_scan_write_outputs(scan, argv[2]) != UM_OK) {
            fprintf(stderr, "write_bench: %s\n", um_scan_errmsg(scan));
            free(w);
            goto out;
        }
        um_scan_stats st;
        um_scan_get_stats(scan, &st);
        w[r] = st.write_s, w[rounds + r] = st.sinks_s;
        w[2 * rounds + r] = st.casedb_cpu_s, w[3 * rounds + r] = st.sinks_cpu_s;
        printf("%5d  %7.3f  %7.3f  %12.3f  %17.3f\n", r + 1, st.write_s, st.sinks_s, st.casedb_cpu_s,
               st.sinks_cpu_s);
    }
    printf("median %7.3f  %7.3f  %12.3f  %17.3f  (threads %u, %d rounds)\n", median(w, rounds),
           median(w + rounds, rounds), median(w + 2 * rounds, rounds), median(w + 3 * rounds, rounds), threads,
           rounds);
    free(w);
    rc = 0;
out:
    um_scan_free(scan);
    um_ctx_close(ctx);
    return rc;
}
