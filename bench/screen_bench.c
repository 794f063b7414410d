/*
 * screen_bench.c - sanctions screening benchmark: the unmask screener and a
 * brute-force Jaro-Winkler baseline, side by side in one run, on the same
 * labelled queries (the name rows of tests/data/screen/cases.tsv: variants
 * of real DPRK entries that must match, namesakes and common names that
 * must not).
 *
 * Reports, as the median of --runs runs (default 5; each run opens a new
 * screener, checks the labelled cases, then times person queries for
 * --seconds): open time (lists read, index built), single-thread queries
 * per second over every SDN and UN name and alias, recall and false-positive
 * rate at the default threshold, plus the first open of the process
 * (cold caches); the baseline runs once; the baseline scans every name with
 * Jaro-Winkler (>= 0.90 counts as a match) after upper-casing and moving
 * "LAST, First" to "First LAST".
 *
 * A second table does the same for tests/data/screen/heldout.tsv when it is
 * present: variants of the DPRK entries and synthetic people on no list,
 * written by tools/gen_screen_eval, which the matcher was never tuned on.
 * There recall is the right uid among the matches, and the false-positive
 * rate is any match for a negative; a breakdown by transform and by origin
 * follows. --misses prints the held-out rows the screener gets wrong.
 *
 * Usage: screen_bench [REPO_DIR] [--runs N] [--seconds S] [--no-baseline]
 *        [--misses] (REPO_DIR default: UM_SRC_DIR or .). Single thread.
 * Everything allocated here is freed before exit.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "unmask.h"
#include "util/util.h"

#define JW_THRESHOLD 0.90

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

typedef struct bq {
    char *name, *dob, *country, *uid;
    char *tags; /* held-out: transforms (positives) or origin (negatives) */
    um_screen_type type;
    bool want;
} bq;

typedef struct bname {
    char *norm; /* baseline form */
    char uid[24];
} bname;

typedef struct vec {
    void *p;
    size_t n, cap, sz;
} vec;

static void *vpush(vec *v) {
    if (v->n == v->cap) {
        size_t nc = v->cap ? v->cap * 2 : 1024;
        void *np = realloc(v->p, nc * v->sz);
        if (!np) return NULL;
        v->p = np;
        v->cap = nc;
    }
    return (char *)v->p + v->sz * v->n++;
}

/* baseline normalisation: ASCII upper case letters and digits, one space
 * between words, "LAST, First" -> "First LAST" */
static char *base_norm(const char *s) {
    char tmp[512], out[512];
    size_t o = 0;
    const char *comma = strchr(s, ',');
    char buf[512];
    if (comma && !strchr(comma + 1, ','))
        snprintf(buf, sizeof buf, "%s %.*s", comma + 1, (int)(comma - s), s);
    else
        snprintf(buf, sizeof buf, "%s", s);
    bool sp = true;
    for (const char *p = buf; *p && o + 1 < sizeof tmp; p++) {
        unsigned char c = (unsigned char)*p;
        if (isalnum(c)) {
            tmp[o++] = (char)toupper(c);
            sp = false;
        } else if (c == '\'' || c >= 0x80) {
            continue;
        } else if (!sp) {
            tmp[o++] = ' ';
            sp = true;
        }
    }
    while (o && tmp[o - 1] == ' ') o--;
    tmp[o] = 0;
    memcpy(out, tmp, o + 1);
    return strdup(out);
}

static double jaro_winkler(const char *a, const char *b) {
    int la = (int)strlen(a), lb = (int)strlen(b);
    if (!la || !lb) return 0;
    if (la > 255) la = 255;
    if (lb > 255) lb = 255;
    int win = (la > lb ? la : lb) / 2 - 1;
    if (win < 0) win = 0;
    bool ma[256] = {0}, mb[256] = {0};
    int m = 0;
    for (int i = 0; i < la; i++) {
        int lo = i - win > 0 ? i - win : 0, hi = i + win + 1 < lb ? i + win + 1 : lb;
        for (int j = lo; j < hi; j++)
            if (!mb[j] && a[i] == b[j]) {
                ma[i] = mb[j] = true;
                m++;
                break;
            }
    }
    if (!m) return 0;
    int t = 0, k = 0;
    for (int i = 0; i < la; i++) {
        if (!ma[i]) continue;
        while (!mb[k]) k++;
        if (a[i] != b[k]) t++;
        k++;
    }
    double jaro = ((double)m / la + (double)m / lb + (double)(m - t / 2) / m) / 3.0;
    int p = 0;
    while (p < 4 && p < la && p < lb && a[p] == b[p]) p++;
    return jaro + p * 0.1 * (1 - jaro);
}

static void add_base(vec *names, const char *uid, const char *name) {
    if (!name || !*name) return;
    bname *b = vpush(names);
    if (!b) return;
    snprintf(b->uid, sizeof b->uid, "%.23s", uid);
    b->norm = base_norm(name);
}

/* OFAC CSV: field i of a simple quoted CSV line */
static bool csv_field(const char *line, int want, char *out, size_t cap) {
    int f = 0;
    const char *p = line;
    while (*p) {
        size_t o = 0;
        if (*p == '"') {
            p++;
            while (*p && !(*p == '"' && p[1] != '"')) {
                if (*p == '"') p++;
                if (f == want && o + 1 < cap) out[o++] = *p;
                p++;
            }
            if (*p == '"') p++;
        } else {
            while (*p && *p != ',' && *p != '\r' && *p != '\n') {
                if (f == want && o + 1 < cap) out[o++] = *p;
                p++;
            }
        }
        if (f == want) {
            out[o] = 0;
            return true;
        }
        if (*p != ',') return false;
        p++;
        f++;
    }
    return false;
}

static void load_ofac_names(vec *names, const char *path, int uidcol, int namecol) {
    FILE *f = fopen(path, "rb");
    if (!f) return;
    char line[16384], uid[32], name[1024];
    while (fgets(line, sizeof line, f))
        if (csv_field(line, uidcol, uid, sizeof uid) && csv_field(line, namecol, name, sizeof name) &&
            strncmp(name, "-0-", 3) != 0)
            add_base(names, uid, name);
    fclose(f);
}

/* UN XML, read as text: each record's names and aliases */
static void load_un_names(vec *names, const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *x = malloc((size_t)n + 1);
    if (!x || fread(x, 1, (size_t)n, f) != (size_t)n) {
        free(x);
        fclose(f);
        return;
    }
    x[n] = 0;
    fclose(f);
    static const char *const tags[] = {"FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"};
    char *p = x;
    for (;;) {
        char *ind = strstr(p, "<INDIVIDUAL>"), *ent = strstr(p, "<ENTITY>");
        char *rec = ind && (!ent || ind < ent) ? ind : ent;
        if (!rec) break;
        char *end = strstr(rec, ind == rec ? "</INDIVIDUAL>" : "</ENTITY>");
        if (!end) break;
        *end = 0;
        char uid[32] = "", full[1024] = "";
        char *r = strstr(rec, "<REFERENCE_NUMBER>");
        if (r) sscanf(r + 18, "%31[^<]", uid);
        for (int t = 0; t < 4; t++) {
            char open[32], v[256];
            snprintf(open, sizeof open, "<%s>", tags[t]);
            char *q = strstr(rec, open);
            if (q && sscanf(q + strlen(open), "%255[^<]", v) == 1)
                snprintf(full + strlen(full), sizeof full - strlen(full), "%s%s", *full ? " " : "", v);
        }
        add_base(names, uid, full);
        for (char *a = strstr(rec, "<ALIAS_NAME>"); a; a = strstr(a + 1, "<ALIAS_NAME>")) {
            char v[512];
            if (sscanf(a + 12, "%511[^<]", v) == 1) add_base(names, uid, v);
        }
        p = end + 1;
    }
    free(x);
}

static void load_cases(vec *qs, const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return;
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || strncmp(line, "name\t", 5) != 0) continue;
        line[strcspn(line, "\r\n")] = 0;
        char *c[8] = {0};
        size_t n = um_split(line, '	', c, 8);
        if (n != 8 || strstr(c[1], "\\x")) continue;
        bq *q = vpush(qs);
        if (!q) break;
        q->name = strdup(c[1]);
        q->tags = NULL;
        q->dob = *c[2] ? strdup(c[2]) : NULL;
        q->country = *c[3] ? strdup(c[3]) : NULL;
        q->uid = strdup(c[6]);
        q->type = strcmp(c[4], "person") == 0 ? UM_SCREEN_PERSON : strcmp(c[4], "entity") == 0 ? UM_SCREEN_ENTITY
                                                                                             : UM_SCREEN_ANY;
        q->want = strcmp(c[5], "match") == 0;
    }
    fclose(f);
}

/* tests/data/screen/heldout.tsv: kind query type uid transforms list_name */
static bool load_heldout(vec *qs, const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#') continue;
        line[strcspn(line, "\r\n")] = 0;
        char *c[6] = {0};
        size_t n = um_split(line, '	', c, 6);
        if (n < 5 || (strcmp(c[0], "pos") != 0 && strcmp(c[0], "neg") != 0 && strcmp(c[0], "cls") != 0)) continue;
        bq *q = vpush(qs);
        if (!q) break;
        memset(q, 0, sizeof *q);
        q->name = strdup(c[1]);
        q->uid = strdup(c[3]);
        q->tags = strdup(c[4]);
        q->type = strcmp(c[2], "person") == 0 ? UM_SCREEN_PERSON : strcmp(c[2], "entity") == 0 ? UM_SCREEN_ENTITY
                                                                                             : UM_SCREEN_ANY;
        q->want = strcmp(c[0], "neg") != 0; /* pos: a variant; cls: a failure class row */
    }
    fclose(f);
    return true;
}

static bool outcome_ok(const bq *q, bool any, bool hit_uid) {
    if (strcmp(q->uid, "-") == 0) return q->want ? any : !any;
    return q->want ? hit_uid : !hit_uid;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* the unmask screener over queries Q[0..n): ok[i] and the counts */
static void eval_unmask(const um_screener *s, const bq *Q, size_t n, bool *ok, size_t *tp, size_t *fp) {
    *tp = *fp = 0;
    for (size_t i = 0; i < n; i++) {
        um_screen_query sq = {Q[i].name, Q[i].dob, Q[i].country, Q[i].type, 0, 0};
        um_screen_result *r = NULL;
        um_screen_name(s, &sq, &r);
        bool any = um_screen_result_count(r) > 0, hit = false;
        for (size_t k = 0; k < um_screen_result_count(r); k++)
            hit |= strcmp(um_screen_result_match(r, k)->uid, Q[i].uid) == 0;
        ok[i] = outcome_ok(&Q[i], any, hit);
        if (Q[i].want) *tp += ok[i];
        else *fp += !ok[i];
        um_screen_result_free(r);
    }
}

/* the Jaro-Winkler baseline over queries Q[0..n) */
static void eval_jw(const vec *names, const bq *Q, size_t n, bool *ok, size_t *tp, size_t *fp) {
    const bname *N = names->p;
    *tp = *fp = 0;
    for (size_t i = 0; i < n; i++) {
        char *qn = base_norm(Q[i].name);
        bool any = false, hit = false;
        for (size_t k = 0; k < names->n && qn; k++) {
            if (jaro_winkler(qn, N[k].norm) >= JW_THRESHOLD) {
                any = true;
                if (strcmp(N[k].uid, Q[i].uid) == 0) hit = true;
            }
        }
        ok[i] = outcome_ok(&Q[i], any, hit);
        if (Q[i].want) *tp += ok[i];
        else *fp += !ok[i];
        free(qn);
    }
}

/* does the comma-separated list tags hold tag? */
static bool has_tag(const char *tags, const char *tag) {
    size_t l = strlen(tag);
    for (const char *p = tags; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        if (strncmp(p, tag, l) == 0 && (p[l] == ',' || p[l] == 0)) return true;
    return false;
}

static double pct(size_t a, size_t b) { return b ? 100.0 * (double)a / (double)b : 0; }

/* held-out breakdown: recall by transform (a row counts under each of its
 * transforms, and under "no typo"), false-positive rate by origin */
static void heldout_breakdown(const bq *H, size_t n, const bool *ok_u, const bool *ok_b) {
    static const char *const tr[] = {"swap",  "join",    "split",    "roman",   "mark", "typo",   "case",
                                     "short", "foreign", "hangul",   "hanja",   "cyrillic", "country", "abbr",
                                     "concat", "number", "dprk", "other"};
    static const char *const org[] = {"korean", "chinese", "vietnamese", "western", "indian",
                                      "russian", "spanish", "korean-short", "short", "entity-korean",
                                      "entity-chinese", "entity-russian", "entity-western", "entity-image"};
    printf("held-out by transform (recall) and origin (FP rate): unmask%s\n", ok_b ? " / Jaro-Winkler" : "");
    for (size_t t = 0; t <= sizeof tr / sizeof tr[0]; t++) {
        size_t cnt = 0, u = 0, b = 0;
        for (size_t i = 0; i < n; i++) {
            if (!H[i].want) continue;
            bool in = t < sizeof tr / sizeof tr[0] ? has_tag(H[i].tags, tr[t]) : !has_tag(H[i].tags, "typo");
            if (!in) continue;
            cnt++;
            u += ok_u[i];
            if (ok_b) b += ok_b[i];
        }
        if (!cnt) continue;
        char lab[40];
        snprintf(lab, sizeof lab, "  %s", t < sizeof tr / sizeof tr[0] ? tr[t] : "all without typo");
        if (ok_b) printf("%-22s %5zu rows  recall %5.1f%% / %5.1f%%\n", lab, cnt, pct(u, cnt), pct(b, cnt));
        else printf("%-22s %5zu rows  recall %5.1f%%\n", lab, cnt, pct(u, cnt));
    }
    for (size_t t = 0; t < sizeof org / sizeof org[0]; t++) {
        size_t cnt = 0, u = 0, b = 0;
        for (size_t i = 0; i < n; i++) {
            if (H[i].want || strcmp(H[i].tags, org[t]) != 0) continue;
            cnt++;
            u += !ok_u[i];
            if (ok_b) b += !ok_b[i];
        }
        if (!cnt) continue;
        char lab[40];
        snprintf(lab, sizeof lab, "  %s", org[t]);
        if (ok_b) printf("%-22s %5zu names  FP %5.1f%% / %5.1f%%\n", lab, cnt, pct(u, cnt), pct(b, cnt));
        else printf("%-22s %5zu names  FP %5.1f%%\n", lab, cnt, pct(u, cnt));
    }
    /* negatives by query type: persons and entities (--variant 3 sets) */
    for (int t = 0; t < 2; t++) {
        size_t cnt = 0, u = 0, b = 0;
        for (size_t i = 0; i < n; i++) {
            if (H[i].want || H[i].type != (t ? UM_SCREEN_ENTITY : UM_SCREEN_PERSON)) continue;
            cnt++;
            u += !ok_u[i];
            if (ok_b) b += !ok_b[i];
        }
        if (!cnt) continue;
        const char *lab = t ? "  all entity negatives" : "  all person negatives";
        if (ok_b) printf("%-22s %5zu names  FP %5.1f%% (%zu) / %5.1f%% (%zu)\n", lab, cnt, pct(u, cnt), u, pct(b, cnt), b);
        else printf("%-22s %5zu names  FP %5.1f%% (%zu)\n", lab, cnt, pct(u, cnt), u);
    }
}

#define MAX_RUNS 25

/* --pool FILE: the engine alone on a batch file's names (first CSV column
 * after the header, as `unmask screen --batch` reads a name-only batch),
 * type ANY, every name once per run; median queries/s of RUNS runs, the
 * open of a screener timed each run, and brute-force Jaro-Winkler on the
 * same names (a sample: it takes ~20 ms a name) in the same process.
 * --slowest N lists the N names that took longest (diagnosis). */
static double cpu_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double jw_best(const char *q, const bname *N, size_t n) {
    double best = 0;
    for (size_t k = 0; k < n; k++) {
        double v = jaro_winkler(q, N[k].norm);
        if (v > best) best = v;
    }
    return best;
}

static int cmp_dbl_desc_idx(const void *a, const void *b) {
    const double *x = *(const double *const *)a, *y = *(const double *const *)b;
    return *x < *y ? 1 : *x > *y ? -1 : 0;
}

static int run_pool(const um_screener_options *o, const char *file, int runs, int slowest, bool baseline) {
    FILE *f = fopen(file, "r");
    if (!f) {
        fprintf(stderr, "screen_bench: cannot read %s\n", file);
        return 2;
    }
    vec v = {.sz = sizeof(char *)};
    char line[1024];
    bool header = true;
    while (fgets(line, sizeof line, f)) {
        if (header) {
            header = false;
            continue;
        }
        line[strcspn(line, ",\r\n")] = 0;
        if (!*line) continue;
        char **p = vpush(&v);
        if (!p || !(*p = strdup(line))) return 2;
    }
    fclose(f);
    char **names = v.p;
    size_t n = v.n;
    double *qt = calloc(n + 1, sizeof *qt);
    if (!qt) return 2;
    double t_open[MAX_RUNS], t_qps[MAX_RUNS], c_open[MAX_RUNS], c_qps[MAX_RUNS], t_idx[MAX_RUNS];
    size_t matched = 0;
    for (int run = 0; run < runs; run++) {
        um_screener *s = NULL;
        double t0 = now_s(), c0 = cpu_s();
        if (um_screener_open(&s, o) != UM_OK) {
            fprintf(stderr, "screen_bench: %s\n", um_screener_errmsg(s));
            um_screener_close(s);
            return 2;
        }
        t_open[run] = now_s() - t0;
        c_open[run] = cpu_s() - c0;
        um_screener_index_info(s, NULL, NULL, &t_idx[run]);
        matched = 0;
        double q0 = now_s(), cq0 = cpu_s();
        for (size_t i = 0; i < n; i++) {
            um_screen_query sq = {names[i], NULL, NULL, UM_SCREEN_ANY, 0, 0};
            um_screen_result *r = NULL;
            double a = slowest ? cpu_s() : 0;
            um_screen_name(s, &sq, &r);
            if (slowest) qt[i] += cpu_s() - a;
            matched += um_screen_result_count(r) > 0;
            um_screen_result_free(r);
        }
        double el = now_s() - q0, cel = cpu_s() - cq0;
        t_qps[run] = el > 0 ? (double)n / el : 0;
        c_qps[run] = cel > 0 ? (double)n / cel : 0;
        um_screener_close(s);
    }
    printf("pool %s: %zu names, %zu with a match\n", file, n, matched);
    printf("unmask engine: median of %d runs: screener open %.1f ms wall (%.1f ms CPU; index file map + check %.1f ms),"
           " %.0f queries/s/core wall (%.0f per CPU second)\n",
           runs, median(t_open, runs) * 1e3, median(c_open, runs) * 1e3, median(t_idx, runs), median(t_qps, runs),
           median(c_qps, runs));
    if (baseline) {
        char dd[1100], path[1200];
        snprintf(dd, sizeof dd, "%s", o->data_dir);
        vec bn = {.sz = sizeof(bname)};
        snprintf(path, sizeof path, "%s/sanctions/ofac/sdn.csv", dd);
        load_ofac_names(&bn, path, 0, 1);
        snprintf(path, sizeof path, "%s/sanctions/ofac/sdn_dprk_supplement.csv", dd);
        load_ofac_names(&bn, path, 0, 1);
        snprintf(path, sizeof path, "%s/sanctions/ofac/alt.csv", dd);
        load_ofac_names(&bn, path, 0, 3);
        snprintf(path, sizeof path, "%s/sanctions/un/consolidated.xml", dd);
        load_un_names(&bn, path);
        size_t step = n > 200 ? n / 200 : 1, done = 0, hits = 0;
        double b0 = now_s();
        for (size_t i = 0; i < n; i += step) {
            char *qn = base_norm(names[i]);
            if (qn && jw_best(qn, bn.p, bn.n) >= JW_THRESHOLD) hits++;
            free(qn);
            done++;
        }
        double bel = now_s() - b0;
        printf("brute-force Jaro-Winkler: %.1f queries/s/core (%zu of the names, every %zu-th; %zu at >= %.2f)\n",
               bel > 0 ? (double)done / bel : 0, done, step, hits, JW_THRESHOLD);
        bname *N = bn.p;
        for (size_t i = 0; i < bn.n; i++) free(N[i].norm);
        free(bn.p);
    }
    if (slowest > 0) {
        double **ix = malloc((n + 1) * sizeof *ix);
        if (ix) {
            for (size_t i = 0; i < n; i++) ix[i] = &qt[i];
            qsort(ix, n, sizeof *ix, cmp_dbl_desc_idx);
            for (size_t k = 0; k < n && k < (size_t)slowest; k++)
                printf("  %8.1f us  %s\n", *ix[k] / runs * 1e6, names[ix[k] - qt]);
            free(ix);
        }
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(v.p);
    free(qt);
    return 0;
}


int main(int argc, char **argv) {
    const char *root = getenv("UM_SRC_DIR") ? getenv("UM_SRC_DIR") : ".";
    int runs = 5;
    double seconds = 1.0;
    bool baseline = true, misses = false;
    const char *pool = NULL, *hfile = NULL;
    int slowest = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) runs = atoi(argv[++i]);
        else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) seconds = atof(argv[++i]);
        else if (strcmp(argv[i], "--no-baseline") == 0) baseline = false;
        else if (strcmp(argv[i], "--misses") == 0) misses = true;
        else if (strcmp(argv[i], "--pool") == 0 && i + 1 < argc) pool = argv[++i];
        else if (strcmp(argv[i], "--heldout") == 0 && i + 1 < argc) hfile = argv[++i];
        else if (strcmp(argv[i], "--slowest") == 0 && i + 1 < argc) slowest = atoi(argv[++i]);
        else if (argv[i][0] == '-') {
            fprintf(stderr, "usage: screen_bench [REPO_DIR] [--runs N] [--seconds S] [--no-baseline] [--misses]\n"
                            "                    [--pool FILE [--slowest N]] [--heldout FILE]\n");
            return 2;
        } else root = argv[i];
    }
    if (runs < 1) runs = 1;
    if (runs > MAX_RUNS) runs = MAX_RUNS;
    char dd[1024], path[1200];
    snprintf(dd, sizeof dd, "%s/data", root);
    um_screener_options o = {0};
    o.data_dir = dd;
    if (pool) return run_pool(&o, pool, runs, slowest, baseline);
    /* labelled queries */
    vec qs = {.sz = sizeof(bq)};
    snprintf(path, sizeof path, "%s/tests/data/screen/cases.tsv", root);
    load_cases(&qs, path);
    bq *Q = qs.p;
    /* held-out queries (generated; the matcher was never tuned on them) */
    vec hs = {.sz = sizeof(bq)};
    if (hfile) snprintf(path, sizeof path, "%s", hfile);
    else snprintf(path, sizeof path, "%s/tests/data/screen/heldout.tsv", root);
    bool heldout = load_heldout(&hs, path) && hs.n > 0;
    bq *H = hs.p;
    bool *ok_hu = calloc(hs.n + 1, sizeof *ok_hu), *ok_hb = calloc(hs.n + 1, sizeof *ok_hb);
    if (!ok_hu || !ok_hb) return 2;
    size_t hpos = 0, hneg = 0, htp = 0, hfp = 0, hbtp = 0, hbfp = 0;
    bool hstable = true;
    for (size_t i = 0; i < hs.n; i++) {
        if (H[i].want) hpos++;
        else hneg++;
    }
    /* each run: open (timed), recall/FP, then person queries for `seconds` */
    double t_open[MAX_RUNS], t_qps[MAX_RUNS], t_idx[MAX_RUNS];
    size_t entries = 0, nnames = 0, npos = 0, nneg = 0, tp = 0, fp = 0, nperson = 0;
    bool stable = true;
    for (int run = 0; run < runs; run++) {
        um_screener *s = NULL;
        double t0 = now_s();
        if (um_screener_open(&s, &o) != UM_OK) {
            fprintf(stderr, "screen_bench: %s\n", um_screener_errmsg(s));
            um_screener_close(s);
            return 2;
        }
        t_open[run] = now_s() - t0;
        {
            const char *ip, *is;
            um_screener_index_info(s, &ip, &is, &t_idx[run]);
            if (run == 0 || run == runs - 1) printf("run %d: index %s %s (map + check %.1f ms)\n", run, is, ip, t_idx[run]);
        }
        um_screener_size(s, &entries, &nnames);
        size_t rtp = 0, rfp = 0;
        npos = nneg = nperson = 0;
        for (size_t i = 0; i < qs.n; i++) {
            um_screen_query sq = {Q[i].name, Q[i].dob, Q[i].country, Q[i].type, 0, 0};
            um_screen_result *r = NULL;
            um_screen_name(s, &sq, &r);
            bool any = um_screen_result_count(r) > 0, hit = false;
            for (size_t k = 0; k < um_screen_result_count(r); k++)
                hit |= strcmp(um_screen_result_match(r, k)->uid, Q[i].uid) == 0;
            bool ok = outcome_ok(&Q[i], any, hit);
            if (Q[i].want) npos++, rtp += ok;
            else nneg++, rfp += !ok;
            if (Q[i].type != UM_SCREEN_ENTITY) nperson++;
            um_screen_result_free(r);
        }
        if (run && (rtp != tp || rfp != fp)) stable = false;
        tp = rtp, fp = rfp;
        if (heldout) {
            size_t a, b;
            eval_unmask(s, H, hs.n, ok_hu, &a, &b);
            if (run && (a != htp || b != hfp)) hstable = false;
            htp = a, hfp = b;
        }
        /* throughput: person queries (name only, type person), single thread */
        size_t done = 0;
        double q0 = now_s(), el = 0;
        while (el < seconds) {
            for (size_t i = 0; i < qs.n; i++) {
                if (Q[i].type == UM_SCREEN_ENTITY) continue;
                um_screen_query sq = {Q[i].name, NULL, NULL, UM_SCREEN_PERSON, 0, 0};
                um_screen_result *r = NULL;
                um_screen_name(s, &sq, &r);
                um_screen_result_free(r);
                done++;
            }
            el = now_s() - q0;
        }
        t_qps[run] = el > 0 ? (double)done / el : 0;
        um_screener_close(s);
    }
    double o_min = 1e300, o_max = 0, q_min = 1e300, q_max = 0;
    for (int i = 0; i < runs; i++) {
        if (t_open[i] < o_min) o_min = t_open[i];
        if (t_open[i] > o_max) o_max = t_open[i];
        if (t_qps[i] < q_min) q_min = t_qps[i];
        if (t_qps[i] > q_max) q_max = t_qps[i];
    }
    double first_open = t_open[0];
    double o_med = median(t_open, runs), q_med = median(t_qps, runs);
    /* baseline: brute-force Jaro-Winkler over every name and alias, one run */
    vec names = {.sz = sizeof(bname)};
    size_t btp = 0, bfp = 0;
    double bbuild = 0, bqps = 0;
    if (baseline) {
        double b0 = now_s();
        snprintf(path, sizeof path, "%s/sanctions/ofac/sdn.csv", dd);
        load_ofac_names(&names, path, 0, 1);
        snprintf(path, sizeof path, "%s/sanctions/ofac/sdn_dprk_supplement.csv", dd);
        load_ofac_names(&names, path, 0, 1);
        snprintf(path, sizeof path, "%s/sanctions/ofac/alt.csv", dd);
        load_ofac_names(&names, path, 0, 3);
        snprintf(path, sizeof path, "%s/sanctions/un/consolidated.xml", dd);
        load_un_names(&names, path);
        bbuild = now_s() - b0;
        bname *N = names.p;
        double bt0 = now_s();
        for (size_t i = 0; i < qs.n; i++) {
            char *qn = base_norm(Q[i].name);
            bool any = false, hit = false;
            for (size_t k = 0; k < names.n && qn; k++) {
                if (jaro_winkler(qn, N[k].norm) >= JW_THRESHOLD) {
                    any = true;
                    if (strcmp(N[k].uid, Q[i].uid) == 0) hit = true;
                }
            }
            bool ok = outcome_ok(&Q[i], any, hit);
            if (Q[i].want) btp += ok;
            else bfp += !ok;
            free(qn);
        }
        bqps = (double)qs.n / (now_s() - bt0);
        if (heldout) eval_jw(&names, H, hs.n, ok_hb, &hbtp, &hbfp);
    }
    printf("screen_bench: %zu entries, %zu names and aliases (unmask); %zu names (baseline)\n", entries, nnames,
           names.n);
    printf("queries: %zu labelled (%zu must match, %zu must not), %zu person queries timed\n", qs.n, npos, nneg,
           nperson);
    printf("unmask: median of %d runs (open = build or load the index; %.1f s of queries per run)%s\n", runs, seconds,
           stable ? "" : "; WARNING: recall/FP differed between runs");
    printf("%-28s %12s %14s %8s %8s\n", "engine", "open ms", "queries/s/core", "recall", "FP rate");
    printf("%-28s %12.1f %14.0f %7.1f%% %7.1f%%\n", "unmask screener (>=0.80)", o_med * 1e3, q_med,
           npos ? 100.0 * (double)tp / (double)npos : 0, nneg ? 100.0 * (double)fp / (double)nneg : 0);
    printf("%-28s %5.1f-%-6.1f %6.0f-%-7.0f\n", "  (min-max over runs)", o_min * 1e3, o_max * 1e3, q_min, q_max);
    printf("%-28s %12.1f\n", "  (first open in process)", first_open * 1e3);
    if (baseline)
        printf("%-28s %12.1f %14.1f %7.1f%% %7.1f%%\n", "brute-force Jaro-Winkler .90", bbuild * 1e3, bqps,
               npos ? 100.0 * (double)btp / (double)npos : 0, nneg ? 100.0 * (double)bfp / (double)nneg : 0);
    if (heldout) {
        printf("\nheld-out (generated): %zu queries from %s (%zu variants of\n"
               "DPRK entries that must hit their uid, %zu synthetic people on no list that must match nothing)%s\n",
               hs.n, hfile ? hfile : "tests/data/screen/heldout.tsv", hpos, hneg,
               hstable ? "" : "; WARNING: results differed between runs");
        printf("%-28s %8s %8s %12s %12s\n", "engine", "recall", "FP rate", "hits", "false pos.");
        printf("%-28s %7.1f%% %7.1f%% %5zu/%-6zu %5zu/%-6zu\n", "unmask screener (>=0.80)", pct(htp, hpos),
               pct(hfp, hneg), htp, hpos, hfp, hneg);
        if (baseline)
            printf("%-28s %7.1f%% %7.1f%% %5zu/%-6zu %5zu/%-6zu\n", "brute-force Jaro-Winkler .90", pct(hbtp, hpos),
                   pct(hbfp, hneg), hbtp, hpos, hbfp, hneg);
        heldout_breakdown(H, hs.n, ok_hu, baseline ? ok_hb : NULL);
        if (misses)
            for (size_t i = 0; i < hs.n; i++)
                if (!ok_hu[i])
                    fprintf(stderr, "%s\t%s\t%s\t%s\n", H[i].want ? "missed" : "false-positive", H[i].name, H[i].uid,
                            H[i].tags);
    }
    for (size_t i = 0; i < hs.n; i++) {
        free(H[i].name);
        free(H[i].uid);
        free(H[i].tags);
    }
    free(hs.p);
    free(ok_hu);
    free(ok_hb);
    bname *N = names.p;
    for (size_t i = 0; i < names.n; i++) free(N[i].norm);
    free(names.p);
    for (size_t i = 0; i < qs.n; i++) {
        free(Q[i].name);
        free(Q[i].dob);
        free(Q[i].country);
        free(Q[i].uid);
    }
    free(qs.p);
    return 0;
}
