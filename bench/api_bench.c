/*
 * api_bench.c - in-process cost of POST /v1/screen (um_api_handle without
 * HTTP), the handler share of the bench/serve_bench.sh figures.
 *
 *   api_bench CASE_DIR [ROUNDS]    (UNMASK_DATA_DIR: bundled lists)
 *
 * Runs the eight applicants of bench/screen.lua ROUNDS times each (default
 * 2000) on one thread and prints, per applicant and overall, the mean, p50
 * and p99 of one call in microseconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "unmask.h"

static const char *bodies[] = {
    "{\"name\":\"Jessica Nguyen\",\"dob\":\"1991-04-12\",\"emails\":[\"jessica.nguyen@gmail.com\"],\"phones\":[\"+1 604-281-9760\"],\"urls\":[\"https://www.linkedin.com/in/jessica-nguyen-9baf30\",\"https://github.com/jessicanguyen\"]}",
    "{\"name\":\"Karen Campbell\",\"emails\":[\"kcampbell21@gmail.com\"],\"phones\":[\"(415) 307-3081\"],\"urls\":[\"https://www.linkedin.com/in/karen-campbell-4cf810\"]}",
    "{\"name\":\"Kim Jong Un\",\"dob\":\"1984-01-08\"}",
    "{\"name\":\"Song Kum Hyok\",\"emails\":[\"wangge327@yahoo.com\"],\"wallets\":[\"0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c\"]}",
    "{\"name\":\"Aaron Barnes\",\"phones\":[\"+1 602 547 2074\"],\"emails\":[\"aaron.barnes.dev@gmail.com\"],\"urls\":[\"https://github.com/aaronbarnes\"]}",
    "{\"name\":\"Mei Phillips\",\"dob\":\"1995\",\"emails\":[\"mei.phillips@outlook.com\"],\"phones\":[\"+44 20 7946 0018\"],\"urls\":[\"https://t.me/meiph\",\"https://mei-portfolio.vercel.app\"]}",
    "{\"name\":\"Jong Chol Ri\",\"emails\":[\"smartdev0725@gmail.com\"],\"urls\":[\"https://github.com/smartdev0725\"]}",
    "{\"name\":\"Luis Barnes\",\"emails\":[\"luis.barnes@proton.me\"],\"phones\":[\"+52 55 1234 5678\"]}",
};
#define NB (sizeof bodies / sizeof bodies[0])

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: api_bench CASE_DIR [ROUNDS]\n");
        return 2;
    }
    size_t rounds = argc > 2 ? (size_t)strtoul(argv[2], NULL, 10) : 2000;
    if (!rounds) rounds = 1;
    um_api_options o;
    memset(&o, 0, sizeof o);
    o.case_path = argv[1];
    o.token = "bench-token-0123456789abcdef";
    um_api *a = NULL;
    double t0 = now_us();
    if (um_api_open(&a, &o) != UM_OK) {
        fprintf(stderr, "api_bench: %s\n", um_api_errmsg(a));
        um_api_close(a);
        return 2;
    }
    printf("open (screener, IOC sets, identity index): %.1f ms\n", (now_us() - t0) / 1e3);
    double *all = malloc(sizeof *all * rounds * NB), *one = malloc(sizeof *one * rounds);
    if (!all || !one) return 2;
    size_t n = 0;
    for (size_t b = 0; b < NB; b++) {
        um_api_request rq;
        memset(&rq, 0, sizeof rq);
        rq.method = "POST";
        rq.path = "/v1/screen";
        rq.authorization = "Bearer bench-token-0123456789abcdef";
        rq.content_type = "application/json";
        rq.body = bodies[b];
        rq.body_len = strlen(bodies[b]);
        double sum = 0;
        for (size_t r = 0; r < rounds; r++) {
            um_api_response rs;
            double s = now_us();
            um_api_handle(a, &rq, &rs);
            double d = now_us() - s;
            if (rs.status != 200) {
                fprintf(stderr, "api_bench: status %d for %s\n", rs.status, bodies[b]);
                return 2;
            }
            um_api_response_free(&rs);
            one[r] = d;
            all[n++] = d;
            sum += d;
        }
        qsort(one, rounds, sizeof *one, cmp);
        printf("%-40.40s mean %7.1f us  p50 %7.1f us  p99 %7.1f us\n", bodies[b] + 9, sum / (double)rounds,
               one[rounds / 2], one[(size_t)((double)rounds * 0.99)]);
    }
    qsort(all, n, sizeof *all, cmp);
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += all[i];
    printf("all: %zu calls, mean %.1f us, p50 %.1f us, p99 %.1f us -> %.0f calls/s on one thread\n", n,
           sum / (double)n, all[n / 2], all[(size_t)((double)n * 0.99)], 1e6 * (double)n / sum);
    free(all);
    free(one);
    um_api_close(a);
    return 0;
}
