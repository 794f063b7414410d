/*
 * test_screen_heldout.c - the held-out screening set
 * (tests/data/screen/heldout.tsv, written by tools/gen_screen_eval; the
 * matcher was never tuned on it):
 *   - the committed file is exactly what `gen_screen_eval --seed 1` writes
 *     from the bundled data (the generator is deterministic), and another
 *     seed gives another set; the same for heldout2.tsv (`--seed 2
 *     --variant 2`: made after the issue-11 fixes, never looked at row by
 *     row, the figure reported as the held-out one);
 *     heldout7.tsv is `--seed 7 --variant 3` (unlisted entities too),
 *     heldout9.tsv `--seed 9 --variant 3`, heldout10.tsv `--seed 10
 *     --variant 3`, heldout11.tsv `--seed 11 --variant 3`, heldout12.tsv and
 *     heldout13.tsv `--seed 12/13 --variant 3` (tune8.tsv, seed 8, is a tuning
 *     set and not checked here);
 *   - the screener at its default threshold keeps recall and false-positive
 *     rate within a margin of the figures measured when the set was made
 *     (docs/SCREENING.md, "Held-out evaluation"). The floors sit well below
 *     the measured values: they catch a regression, they are not a target.
 *     Do not tune the matcher on this file; if a deliberate matcher change
 *     moves the figures, re-measure with bench/screen_bench and update the
 *     floors and the docs together.
 */
#include <stdbool.h>

#include "harness.h"
#include "util/util.h"
#include "unmask.h"

/* floors, a few points under the figures measured 2026-12-02 with
 * bench/screen_bench (docs/SCREENING.md): heldout.tsv recall 93.5 %,
 * without typo rows 96.7 %, FP 0.76 %; heldout2.tsv recall 93.5 %,
 * without typo rows 96.3 %, FP 0.64 % (93.9 %, 96.6 %, 0.64 % after the
 * third pass); heldout3.tsv 94.1 %, 97.1 %, 0.82 %. After the fourth pass
 * (2026-12-03): heldout 95.8 / 98.6 / 0.78, heldout2 95.3 / 97.7 / 0.64,
 * heldout3 95.7 / 98.1 / 0.84, heldout4 94.9 / 97.6 / 0.70. After the
 * fifth pass: heldout 96.0 / 98.6 / 0.78, heldout2 95.7 / 98.1 / 0.64,
 * heldout3 96.1 / 98.3 / 0.84, heldout4 95.7 / 98.0 / 0.70, heldout5 (new,
 * measured once) 95.6 / 98.1 / 0.82 */
#define HELD2_RECALL 91.5
#define HELD2_RECALL_NT 94.5
typedef struct floors {
    const char *file, *seed, *variant;
    double recall, recall_nt, fp;
    double fp_entity; /* entity negatives (--variant 3); 0: the set has none */
} floors;
static const floors SETS[] = {
    {"heldout.tsv", "1", "1", 92.0, 95.0, 1.5, 0},
    {"heldout2.tsv", "2", "2", HELD2_RECALL, HELD2_RECALL_NT, 1.5, 0},
    /* made after the third pass (seed 3, never generated before it): a
     * floor only, its rows were not read */
    {"heldout3.tsv", "3", "2", HELD2_RECALL, HELD2_RECALL_NT, 1.5, 0},
    /* made after the fourth pass (seed 4, never measured before it): a
     * floor only, its rows were not read */
    {"heldout4.tsv", "4", "2", HELD2_RECALL, HELD2_RECALL_NT, 1.5, 0},
    /* made after the fifth pass (seed 5, never generated before it):
     * measured once, a floor only, its rows not read */
    {"heldout5.tsv", "5", "2", HELD2_RECALL, HELD2_RECALL_NT, 1.5, 0},
    /* made after the sixth pass (seed 6, never generated before it):
     * measured once, a floor only, its rows not read */
    {"heldout6.tsv", "6", "2", HELD2_RECALL, HELD2_RECALL_NT, 1.5, 0},
    /* made after the hyphenated-given-name fix with --variant 3 (seed 7,
     * never generated before it; 2,000 unlisted entities besides the
     * 5,000 people): measured once (96.7 % / 98.7 %, FP persons 0.80 %,
     * entities 1.95 %), a floor only, its rows not read */
    {"heldout7.tsv", "7", "3", HELD2_RECALL, HELD2_RECALL_NT, 1.5, 3.0},
    /* made after the entity false-positive fix read on the tuning set
     * tune8.tsv (seed 9, never generated before it, --variant 3):
     * measured once (96.5 % / 98.8 %, FP persons 0.60 %, entities
     * 0.35 %), a floor only, its rows not read */
    {"heldout9.tsv", "9", "3", HELD2_RECALL, HELD2_RECALL_NT, 1.5, 1.5},
    /* made after the typo fix read on the tuning sets (Korean syllables
     * of 4+ letters under deletion keys; seed 10, never generated before
     * it, --variant 3): measured once (96.7 % / 99.0 %, FP persons
     * 0.76 %, entities 0.60 %), a floor only, its rows not read */
    {"heldout10.tsv", "10", "3", HELD2_RECALL, HELD2_RECALL_NT, 1.5, 1.5},
    /* made after screenq7's typo classes read on the tuning sets (seed 11,
     * never generated before it, --variant 3): measured once (97.3 % /
     * 99.1 %, FP persons 0.82 %, entities 0.75 %), a floor only, its rows
     * not read */
    {"heldout11.tsv", "11", "3", HELD2_RECALL, HELD2_RECALL_NT, 1.5, 1.5},
    /* made after screenq8's classes read on the tuning sets (seeds 12 and
     * 13, never generated before them, --variant 3): each measured once
     * (both 97.0 %, 3,001/3,094; without typo rows 99.0 % / 98.9 %; FP
     * persons 0.68 % / 0.74 %, entities 0.90 % / 0.85 %), floors only,
     * their rows not read */
    {"heldout12.tsv", "12", "3", HELD2_RECALL, HELD2_RECALL_NT, 1.5, 1.5},
    {"heldout13.tsv", "13", "3", HELD2_RECALL, HELD2_RECALL_NT, 1.5, 1.5},
};

static char *slurp_stream(FILE *f, size_t *len) {
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    if (!b) return NULL;
    for (;;) {
        if (n == cap) {
            char *nb = realloc(b, cap *= 2);
            if (!nb) {
                free(b);
                return NULL;
            }
            b = nb;
        }
        size_t r = fread(b + n, 1, cap - n, f);
        n += r;
        if (r == 0) break;
    }
    *len = n;
    return b;
}

static char *generate(const char *seed, const char *variant, size_t *len) {
    const char *bin = getenv("UM_BIN_DIR");
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s/tools/gen_screen_eval' --seed %s --variant %s --data '%s/data' 2>/dev/null",
             bin ? bin : ".", seed, variant, um_t_src());
    FILE *p = popen(cmd, "r");
    if (!p) return NULL;
    char *out = slurp_stream(p, len);
    int rc = pclose(p);
    if (rc != 0) {
        fprintf(stderr, "gen_screen_eval failed (status %d): %s\n", rc, cmd);
        free(out);
        return NULL;
    }
    return out;
}

static void t_deterministic(const floors *fl) {
    char path[2048];
    snprintf(path, sizeof path, "%s/tests/data/screen/%s", um_t_src(), fl->file);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (!f) return;
    size_t nc = 0, n1 = 0, n2 = 0;
    char *committed = slurp_stream(f, &nc);
    fclose(f);
    char *one = generate(fl->seed, fl->variant, &n1), *two = generate(strcmp(fl->seed, "3") ? "3" : "4", fl->variant, &n2);
    CHECK(committed && nc > 0);
    CHECK(nc < 1024 * 1024); /* commit-sized */
    CHECK(one != NULL);
    CHECK(two != NULL);
    if (committed && one) {
        bool same = n1 == nc && memcmp(one, committed, nc) == 0;
        if (!same)
            fprintf(stderr, "%s differs from gen_screen_eval --seed %s --variant %s output (%zu vs %zu bytes)\n",
                    fl->file, fl->seed, fl->variant, nc, n1);
        CHECK(same);
    }
    if (one && two) CHECK(!(n1 == n2 && memcmp(one, two, n1) == 0));
    free(committed);
    free(one);
    free(two);
}

static bool has_tag(const char *tags, const char *tag) {
    size_t l = strlen(tag);
    for (const char *p = tags; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        if (strncmp(p, tag, l) == 0 && (p[l] == ',' || p[l] == 0)) return true;
    return false;
}

static void t_floors(const floors *fl) {
    char dd[1024], path[2048];
    snprintf(dd, sizeof dd, "%s/data", um_t_src());
    snprintf(path, sizeof path, "%s/tests/data/screen/%s", um_t_src(), fl->file);
    um_screener_options o = {0};
    o.data_dir = dd;
    um_screener *s = NULL;
    um_status st = um_screener_open(&s, &o);
    CHECK_INTEQ(st, UM_OK);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (st != UM_OK || !f) {
        if (f) fclose(f);
        um_screener_close(s);
        return;
    }
    size_t pos = 0, hit = 0, pos_nt = 0, hit_nt = 0, neg = 0, fp = 0, eneg = 0, efp = 0;
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#') continue;
        line[strcspn(line, "\r\n")] = 0;
        char *c[6] = {0};
        size_t n = um_split(line, '	', c, 6);
        if (n < 5) continue;
        bool want = strcmp(c[0], "neg") != 0; /* pos (variant) or cls (failure class) */
        um_screen_query q = {c[1], NULL, NULL,
                             strcmp(c[2], "person") == 0   ? UM_SCREEN_PERSON
                             : strcmp(c[2], "entity") == 0 ? UM_SCREEN_ENTITY
                                                           : UM_SCREEN_ANY,
                             0, 0};
        um_screen_result *r = NULL;
        CHECK_INTEQ(um_screen_name(s, &q, &r), UM_OK);
        bool found = false;
        for (size_t k = 0; k < um_screen_result_count(r); k++)
            found |= strcmp(um_screen_result_match(r, k)->uid, c[3]) == 0;
        if (want) {
            pos++;
            hit += found;
            if (!has_tag(c[4], "typo")) {
                pos_nt++;
                hit_nt += found;
            }
        } else if (q.type == UM_SCREEN_ENTITY) {
            eneg++;
            efp += um_screen_result_count(r) > 0;
        } else {
            neg++;
            fp += um_screen_result_count(r) > 0;
        }
        um_screen_result_free(r);
    }
    fclose(f);
    um_screener_close(s);
    CHECK(pos > 1000);
    CHECK(neg >= 5000);
    double recall = pos ? 100.0 * (double)hit / (double)pos : 0,
           recall_nt = pos_nt ? 100.0 * (double)hit_nt / (double)pos_nt : 0,
           fpr = neg ? 100.0 * (double)fp / (double)neg : 100;
    printf("%s: recall %.1f%% (%zu/%zu), without typo rows %.1f%% (%zu/%zu), FP rate %.2f%% (%zu/%zu)\n", fl->file, recall,
           hit, pos, recall_nt, hit_nt, pos_nt, fpr, fp, neg);
    CHECK(recall >= fl->recall);
    CHECK(recall_nt >= fl->recall_nt);
    CHECK(fpr <= fl->fp);
    if (fl->fp_entity > 0) { /* a --variant 3 set: its entity negatives */
        double efpr = eneg ? 100.0 * (double)efp / (double)eneg : 100;
        printf("%s: FP rate on unlisted entities %.2f%% (%zu/%zu)\n", fl->file, efpr, efp, eneg);
        CHECK(eneg >= 1000);
        CHECK(efpr <= fl->fp_entity);
    } else {
        CHECK(eneg == 0);
    }
}

int main(void) {
    for (size_t i = 0; i < sizeof SETS / sizeof *SETS; i++) {
        um_t_current = SETS[i].file;
        t_deterministic(&SETS[i]);
        t_floors(&SETS[i]);
    }
    return um_t_report();
}
