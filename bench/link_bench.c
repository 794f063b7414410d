/*
 * link_bench.c - the linkage engine (src/link) at scale, beside a naive
 * all-pairs baseline in the same run.
 *
 *   link_bench [SUBJECTS [OBS_PER_SUBJECT [BASELINE_SUBJECTS]]]
 *       defaults 1,000,000 x 10 and a 10,000-subject baseline
 *
 * The generated population is shaped like an applicant export: each
 * subject has a mobile phone, a personal email, a home address and the
 * laptop ship-to (mostly = home), a payout account (IBAN or ABA form), a
 * sign-in IP, a laptop serial, a GitHub handle, and some a referral and a
 * wallet (values in their real formats and sizes). Planted: persona rings
 * of 2-6 (one in 200 subjects) sharing a phone, wallet and ship-to;
 * households (1 in 100 pairs share home, landline-style phone, IP); and
 * very common values - five phones and five addresses held by 200,000
 * people in all (issue 13's case), which must come out as generic values
 * with their counts.
 *
 * Then the run split as on the bus (docs/SCALING.md, "Candidate pairs in
 * pair partitions"), in CPU seconds of this one thread: the coordinator's
 * rest of the run from a blocking (um_lk_run_blocked: pairs gathered twice,
 * EM, edges, clusters) against its part when 8 pair partitions made the
 * pairs (um_lk_run_pairs), the workers' part apart (pieces, partitions),
 * and the two results compared.
 *
 * Prints one line per phase (seconds, peak RSS in MB) and a summary. The
 * baseline compares every pair of the first BASELINE_SUBJECTS subjects by
 * intersecting their value-hash sets; on that subset the engine runs too,
 * and both must find the same pairs (non-generic shared values).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "link/link.h"
#include "util/util.h"

static uint64_t rs = 0x2545F4914F6CDD1DULL;
static uint64_t rnd(void) {
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}
static unsigned rr(unsigned n) { return (unsigned)(rnd() % n); }

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}
static double peak_mb(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_maxrss / 1024.0;
}

/* value text pool: one big buffer, values NUL-separated */
static char *pool;
static size_t pool_len, pool_cap;
static const char *put(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *put(const char *fmt, ...) {
    if (pool_len + 128 > pool_cap) {
        fprintf(stderr, "pool full\n");
        exit(2);
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(pool + pool_len, 128, fmt, ap);
    va_end(ap);
    const char *r = pool + pool_len;
    pool_len += (size_t)n + 1;
    return r;
}

static um_lk_obs *O;
static size_t NO, CAPO;
static void ob(uint32_t s, um_lk_kind k, const char *v) {
    if (NO == CAPO) {
        fprintf(stderr, "obs full\n");
        exit(2);
    }
    O[NO++] = (um_lk_obs){.subject = s, .kind = (uint8_t)k, .sim = 1, .value = v, .raw = v,
                          .file = "applicants.csv", .line = (uint64_t)s + 2};
}

static const char *const streets[] = {"main st", "oak ave", "elm st", "maple dr", "cedar ln", "pine st",
                                      "lake rd", "hill st", "park ave", "river rd", "sunset blvd", "2nd st"};
static const char *const towns[] = {"austin tx", "denver co", "miami fl", "boston ma", "seattle wa",
                                    "chicago il", "phoenix az", "atlanta ga", "portland or", "raleigh nc"};
static const char *const first[] = {"james", "mary", "john", "linda", "wei", "anna", "raj", "olga", "juan", "kim"};

static const char **home_of;

static void generate(size_t ns, size_t per) {
    pool_cap = ns * per * 40 + 4096;
    pool = malloc(pool_cap);
    CAPO = ns * per + 16;
    O = malloc(CAPO * sizeof *O);
    home_of = calloc(ns, sizeof *home_of);
    if (!pool || !O || !home_of) exit(2);
    const char *common_phone[5], *common_addr[5];
    for (int i = 0; i < 5; i++) {
        common_phone[i] = put("+1800555%04d", 100 + i);
        common_addr[i] = put("%d staffing plz ste %d dallas tx 75201", 100 + i, 400 + i);
    }
    size_t common_n = ns >= 1000000 ? 200000 : ns / 5;
    const char *ring_phone = NULL, *ring_wallet = NULL, *ring_ship = NULL;
    size_t ring_left = 0;
    for (size_t s = 0; s < ns; s++) {
        uint32_t id = (uint32_t)s;
        size_t before = NO;
        bool common = s >= ns - common_n; /* the last 200,000: five shared phones and addresses */
        const char *home = common ? common_addr[s % 5]
                                  : put("%u %s apt %u %s %05u", 1 + rr(9999), streets[rr(12)], rr(400),
                                        towns[rr(10)], 10000 + rr(89999));
        home_of[s] = home;
        bool household = !common && s > 0 && rr(100) == 0 && home_of[s - 1] != NULL;
        if (household) home = home_of[s] = home_of[s - 1];
        ob(id, UM_LK_HOME, home);
        if (ring_left == 0 && !common && rr(200) == 0) {
            ring_left = 2 + rr(5);
            ring_phone = put("+1702555%04u", rr(10000));
            ring_wallet = put("0x%016llx%016llx%08x", (unsigned long long)rnd(), (unsigned long long)rnd(),
                              (unsigned)rnd());
            ring_ship = put("%u sandpiper ct hillsboro or 97124", 1 + rr(9999));
        }
        bool ring = ring_left > 0;
        const char *phone = common ? common_phone[s % 5]
                            : ring ? ring_phone
                                   : put("+1%03u%07u", 201 + rr(700), rr(10000000));
        if (household && rr(2) == 0) phone = O[before - per].value; /* a shared family line (approx.) */
        ob(id, UM_LK_PHONE, phone);
        ob(id, UM_LK_EMAIL, put("%s.%s%u@gmail.com", first[rr(10)], first[rr(10)], (unsigned)s));
        ob(id, UM_LK_SHIP, ring ? ring_ship : home);
        ob(id, UM_LK_PAYOUT, rr(4) ? put("%09u%010u", 21000021u + rr(1000), rr(1000000000))
                                   : put("GB%02uWEST%014llu", rr(100), (unsigned long long)(rnd() % 100000000000000ULL)));
        ob(id, UM_LK_IP, household ? put("73.%u.%u.%u", (unsigned)((s - 1) >> 16 & 255), (unsigned)((s - 1) >> 8 & 255),
                                         (unsigned)((s - 1) & 255))
                                   : put("73.%u.%u.%u", (unsigned)(s >> 16 & 255), (unsigned)(s >> 8 & 255),
                                         (unsigned)(s & 255)));
        ob(id, UM_LK_SERIAL, put("C02%09llX", (unsigned long long)(rnd() & 0xfffffffffULL)));
        ob(id, UM_LK_HANDLE, put("dev-%llx", (unsigned long long)(rnd() & 0xffffffffffULL)));
        if (ring) {
            ob(id, UM_LK_WALLET, ring_wallet);
            ring_left--;
        }
        while (NO - before < per)
            ob(id, UM_LK_REFERRAL, put("%s %s %u", first[rr(10)], first[rr(10)], rr(50000)));
    }
}

/* naive baseline: every pair, sorted hash sets intersected */
static size_t baseline(size_t n, const um_lk_result *full, uint64_t *pairs_out) {
    (void)full;
    /* per subject sorted hashes of non-generic values */
    uint64_t **h = calloc(n, sizeof *h);
    size_t *hn = calloc(n, sizeof *hn);
    for (size_t i = 0; i < NO && O[i].subject < n; i++) {
        uint32_t s = O[i].subject;
        h[s] = realloc(h[s], (hn[s] + 1) * sizeof **h);
        h[s][hn[s]++] = um_hash64(O[i].value, strlen(O[i].value), 0x9e3779b97f4a7c15ULL + O[i].kind) | 1;
    }
    for (size_t s = 0; s < n; s++)
        for (size_t a = 1; a < hn[s]; a++) /* insertion sort: ~10 values */
            for (size_t b = a; b > 0 && h[s][b - 1] > h[s][b]; b--) {
                uint64_t t = h[s][b];
                h[s][b] = h[s][b - 1];
                h[s][b - 1] = t;
            }
    size_t linked = 0;
    uint64_t pairs = 0;
    for (size_t a = 0; a < n; a++)
        for (size_t b = a + 1; b < n; b++) {
            pairs++;
            size_t i = 0, j = 0;
            bool hit = false;
            while (i < hn[a] && j < hn[b] && !hit) {
                if (h[a][i] == h[b][j]) hit = true;
                else if (h[a][i] < h[b][j]) i++;
                else j++;
            }
            linked += hit;
        }
    for (size_t s = 0; s < n; s++) free(h[s]);
    free(h);
    free(hn);
    *pairs_out = pairs;
    return linked;
}

static double cpu(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    size_t ns = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    size_t per = argc > 2 ? strtoull(argv[2], NULL, 10) : 10;
    size_t nb = argc > 3 ? strtoull(argv[3], NULL, 10) : 10000;
    if (per < 9) per = 9;
    double t0 = now();
    generate(ns, per);
    double t1 = now();
    printf("generate: %zu subjects, %zu observations, %.2f s, peak %.0f MB\n", ns, NO, t1 - t0, peak_mb());
    double rss_before = peak_mb();
    um_lk_options o = {0};
    o.nsubjects = ns;
    o.home = home_of;
    um_lk_result *r = NULL;
    double t2 = now();
    if (um_lk_run(O, NO, &o, &r) != UM_OK) {
        fprintf(stderr, "um_lk_run failed\n");
        return 2;
    }
    double t3 = now();
    size_t tiers[4] = {0};
    for (size_t c = 0; c < r->nclusters; c++) tiers[r->clusters[c].tier]++;
    printf("engine: %.2f s, peak %.0f MB (%.0f MB before the run); %zu shared values, %zu generic, "
           "%zu candidate pairs, %zu edges; clusters: %zu same_operator, %zu possible, %zu related; "
           "%zu farm groups; EM %d iterations, lambda %.4f\n",
           t3 - t2, peak_mb(), rss_before, r->nvalues, r->ngeneric, r->stats.candidate_pairs, r->nedges,
           tiers[UM_LK_SAME], tiers[UM_LK_POSSIBLE], tiers[UM_LK_RELATED], r->ngroups, r->stats.em_iterations,
           r->stats.lambda);
    for (size_t i = 0; i < r->ngeneric && i < 10; i++) {
        const um_lk_value *v = &r->values[r->generic[i]];
        printf("  generic %s %s held by %u subjects\n", um_lk_kind_name(v->kind), O[v->first_obs].value,
               v->nsubjects);
    }
    printf("  m per kind:");
    for (int k = 0; k < UM_LK__COUNT; k++)
        if (r->stats.em_pairs[k]) printf(" %s=%.2f", um_lk_kind_name((um_lk_kind)k), r->stats.m[k]);
    printf("\n");
    um_lk_result_free(r);
    {
        um_lk_blocked b1, b2;
        um_lk_result *ra = NULL, *rb = NULL;
        um_lk_piece *pc = NULL;
        size_t npc = 0;
        enum { NP = 8 };
        um_lk_piece *part[NP];
        size_t npart[NP] = {0};
        if (um_lk_block(O, NO, ns, NULL, &b1) != UM_OK || um_lk_block(O, NO, ns, NULL, &b2) != UM_OK) return 2;
        double c0 = cpu();
        if (um_lk_run_blocked(O, NO, &o, &b1, &ra) != UM_OK) return 2;
        double c1 = cpu();
        if (um_lk_pieces(&b2, NULL, &pc, &npc) != UM_OK) return 2;
        for (size_t i = 0; i < npc; i++) npart[um_lk_pair_part(pc[i].a, pc[i].b, NP)]++;
        for (int p = 0; p < NP; p++) {
            part[p] = malloc((npart[p] + 1) * sizeof *part[p]);
            npart[p] = 0;
        }
        for (size_t i = 0; i < npc; i++) {
            unsigned p = um_lk_pair_part(pc[i].a, pc[i].b, NP);
            part[p][npart[p]++] = pc[i];
        }
        for (int p = 0; p < NP; p++)
            if (um_lk_pair_partition(part[p], &npart[p]) != UM_OK) return 2;
        double c2 = cpu();
        if (um_lk_run_pairs(O, NO, &o, &b2, part, npart, NP, &rb) != UM_OK) return 2;
        double c3 = cpu();
        bool same = ra->nedges == rb->nedges && ra->nwhy == rb->nwhy && ra->nclusters == rb->nclusters;
        for (size_t e = 0; same && e < ra->nedges; e++) {
            const um_lk_edge *x = &ra->edges[e], *y = &rb->edges[e];
            same = x->a == y->a && x->b == y->b && x->tier == y->tier && x->weight == y->weight &&
                   x->why_off == y->why_off && x->why_n == y->why_n && x->household == y->household;
        }
        for (size_t w = 0; same && w < ra->nwhy; w++)
            same = ra->why[w].value_id == rb->why[w].value_id && ra->why[w].obs_a == rb->why[w].obs_a &&
                   ra->why[w].obs_b == rb->why[w].obs_b && ra->why[w].weight == rb->why[w].weight;
        for (size_t c = 0; same && c < ra->nclusters; c++) same = strcmp(ra->clusters[c].id, rb->clusters[c].id) == 0;
        printf("pairs on the bus: coordinator %.2f CPU s with %d pair partitions, %.2f without (%.2fx); the "
               "partitions' work (pieces, merge) %.2f CPU s in all; %zu pieces (%.1f MB in memory); results %s\n",
               c3 - c2, NP, c1 - c0, (c3 - c2) / (c1 - c0), c2 - c1, npc, npc * sizeof *pc / 1e6,
               same ? "equal" : "DIFFER");
        for (int p = 0; p < NP; p++) free(part[p]);
        um_free(pc);
        um_lk_result_free(ra);
        um_lk_result_free(rb);
        um_lk_blocked_free(&b1);
        um_lk_blocked_free(&b2);
        if (!same) return 1;
    }
    if (nb > ns) nb = ns;
    if (nb) {
        /* the engine and the baseline on the first nb subjects */
        size_t keep = 0;
        while (keep < NO && O[keep].subject < nb) keep++;
        size_t saved = NO;
        NO = keep;
        o.nsubjects = nb;
        double b0 = now();
        um_lk_run(O, NO, &o, &r);
        double b1 = now();
        /* pairs sharing a non-generic value, as the engine counts them */
        size_t eng_pairs = r->nedges;
        um_lk_result_free(r);
        uint64_t pairs;
        double b2 = now();
        size_t linked = baseline(nb, NULL, &pairs);
        double b3 = now();
        printf("baseline on %zu subjects: all-pairs %.3f s (%llu pairs, %zu linked); engine %.4f s (%zu edges); "
               "ratio %.0fx\n",
               nb, b3 - b2, (unsigned long long)pairs, linked, b1 - b0, eng_pairs, (b3 - b2) / (b1 - b0));
        NO = saved;
    }
    free(O);
    free(pool);
    free(home_of);
    return 0;
}
