/*
 * eval_demo.c - scores an unmask run against the demo ground truth.
 *
 *   eval_demo TRUTH.csv SUBJECTS.jsonl [--threshold review|high]
 *             [--min-recall R] [--min-precision P]
 *
 * TRUTH.csv (written by gen_demo): subject,label,kind,expected_min_level
 * where subject is a join key as unmask prints it in "sources"
 * ("employee_id=e1042"). SUBJECTS.jsonl: one unmask subject per line with
 * id, display, sources[], score, level, reasons[].
 *
 * A DPRK persona counts as found when a subject carrying its key is at the
 * threshold level or above. Precision is over every subject at or above the
 * threshold (log-only accounts included). Look-alikes are always checked at
 * "review". Exit 0 when recall, precision and the look-alike rule hold, 1
 * when not, 2 on bad input.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

enum { LV_CLEAN, LV_REVIEW, LV_HIGH };

static int level_of(const char *s) {
    if (!s) return -1;
    if (strcmp(s, "clean") == 0) return LV_CLEAN;
    if (strcmp(s, "review") == 0) return LV_REVIEW;
    if (strcmp(s, "high") == 0) return LV_HIGH;
    return -1;
}
static const char *level_name(int lv) { return lv == LV_HIGH ? "high" : lv == LV_REVIEW ? "review" : "clean"; }

typedef struct truth {
    char *key, *label, *kind, *expect;
    int subject; /* index into subjects, -1 when no subject carries the key */
} truth;

typedef struct subj {
    json_t *obj;
    const char *id, *display;
    int level, score;
    int truth;   /* first truth row matched, -1 none */
    bool dprk;   /* matches at least one DPRK truth row */
} subj;

static void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n);
    if (!q) {
        fputs("eval_demo: out of memory\n", stderr);
        exit(2);
    }
    return q;
}

static char *xstrdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = xrealloc(NULL, n);
    memcpy(d, s, n);
    return d;
}

/* Splits one simple CSV line (no quoted commas in truth.csv) in place. */
static int split(char *line, char **f, int max) {
    int n = 0;
    char *p = line;
    while (n < max) {
        f[n++] = p;
        char *c = strchr(p, ',');
        if (!c) break;
        *c = 0;
        p = c + 1;
    }
    return n;
}

static void print_reasons(const subj *s) {
    json_t *r = json_object_get(s->obj, "reasons");
    size_t i;
    json_t *v;
    if (!json_is_array(r) || json_array_size(r) == 0) {
        printf("      (no reasons)\n");
        return;
    }
    json_array_foreach(r, i, v) {
        if (i >= 3) break;
        const char *ind = json_string_value(json_object_get(v, "indicator"));
        const char *sum = json_string_value(json_object_get(v, "summary"));
        json_int_t w = json_integer_value(json_object_get(v, "weight"));
        printf("      %-8s %3lld  %s\n", ind ? ind : "?", (long long)w, sum ? sum : "");
    }
}

static void usage(void) {
    fputs("Usage: eval_demo TRUTH.csv SUBJECTS.jsonl [--threshold review|high]\n"
          "                 [--min-recall R] [--min-precision P]\n",
          stderr);
}

int main(int argc, char **argv) {
    const char *truth_path = NULL, *subj_path = NULL;
    int threshold = LV_REVIEW;
    double min_recall = 0.9, min_precision = 0.9;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end;
        if (strcmp(a, "--threshold") == 0 && v) {
            threshold = level_of(v);
            if (threshold < LV_REVIEW) {
                fprintf(stderr, "eval_demo: --threshold must be review or high\n");
                return 2;
            }
            i++;
        } else if ((strcmp(a, "--min-recall") == 0 || strcmp(a, "--min-precision") == 0) && v) {
            errno = 0;
            double d = strtod(v, &end);
            if (errno || *end || d < 0 || d > 1) {
                fprintf(stderr, "eval_demo: bad value '%s' for %s\n", v, a);
                return 2;
            }
            if (a[6] == 'r') min_recall = d;
            else min_precision = d;
            i++;
        } else if (a[0] == '-' && a[1]) {
            usage();
            return 2;
        } else if (!truth_path) {
            truth_path = a;
        } else if (!subj_path) {
            subj_path = a;
        } else {
            usage();
            return 2;
        }
    }
    if (!truth_path || !subj_path) {
        usage();
        return 2;
    }

    /* ---- truth ---- */
    FILE *f = fopen(truth_path, "r");
    if (!f) {
        fprintf(stderr, "eval_demo: cannot open %s: %s\n", truth_path, strerror(errno));
        return 2;
    }
    truth *T = NULL;
    size_t nt = 0;
    char line[4096];
    unsigned long lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = 0;
        if (lineno == 1 || !line[0]) continue; /* header */
        char *fld[4];
        if (split(line, fld, 4) != 4 || !strchr(fld[0], '=')) {
            fprintf(stderr, "eval_demo: %s:%lu: expected subject,label,kind,expected_min_level\n", truth_path,
                    lineno);
            fclose(f);
            return 2;
        }
        T = xrealloc(T, (nt + 1) * sizeof *T);
        T[nt] = (truth){xstrdup(fld[0]), xstrdup(fld[1]), xstrdup(fld[2]), xstrdup(fld[3]), -1};
        for (char *p = T[nt].key; *p; p++)
            if (*p >= 'A' && *p <= 'Z') *p = (char)(*p | 0x20);
        nt++;
    }
    fclose(f);

    /* ---- subjects ---- */
    f = fopen(subj_path, "r");
    if (!f) {
        fprintf(stderr, "eval_demo: cannot open %s: %s\n", subj_path, strerror(errno));
        return 2;
    }
    subj *S = NULL;
    size_t ns = 0;
    lineno = 0;
    char *buf = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&buf, &cap, f)) > 0) {
        lineno++;
        if (len <= 1) continue;
        json_error_t err;
        json_t *o = json_loadb(buf, (size_t)len, 0, &err);
        if (!json_is_object(o)) {
            fprintf(stderr, "eval_demo: %s:%lu: %s\n", subj_path, lineno, o ? "not an object" : err.text);
            json_decref(o);
            free(buf);
            fclose(f);
            return 2;
        }
        S = xrealloc(S, (ns + 1) * sizeof *S);
        subj *s = &S[ns];
        s->obj = o;
        s->id = json_string_value(json_object_get(o, "id"));
        s->display = json_string_value(json_object_get(o, "display"));
        s->level = level_of(json_string_value(json_object_get(o, "level")));
        s->score = (int)json_integer_value(json_object_get(o, "score"));
        s->truth = -1;
        s->dprk = false;
        if (s->level < 0) {
            fprintf(stderr, "eval_demo: %s:%lu: missing or unknown level\n", subj_path, lineno);
            free(buf);
            fclose(f);
            return 2;
        }
        json_t *src = json_object_get(o, "sources");
        size_t k;
        json_t *v;
        json_array_foreach(src, k, v) {
            const char *key = json_string_value(v);
            if (!key) continue;
            for (size_t t = 0; t < nt; t++)
                if (strcmp(T[t].key, key) == 0) {
                    if (T[t].subject < 0 || S[T[t].subject].level < s->level) T[t].subject = (int)ns;
                    if (s->truth < 0) s->truth = (int)t;
                    if (strcmp(T[t].label, "dprk") == 0) s->dprk = true;
                }
        }
        ns++;
    }
    free(buf);
    fclose(f);

    /* ---- scores ---- */
    size_t n_dprk = 0, tp = 0, flagged = 0, fp = 0, lookalike_hits = 0, below_expected = 0, unmatched = 0;
    for (size_t t = 0; t < nt; t++) {
        if (T[t].subject < 0) unmatched++;
        if (strcmp(T[t].label, "dprk") != 0) continue;
        n_dprk++;
        int lv = T[t].subject >= 0 ? S[T[t].subject].level : LV_CLEAN;
        if (lv >= threshold) tp++;
        int want = level_of(T[t].expect);
        if (want > lv) below_expected++;
    }
    for (size_t i = 0; i < ns; i++) {
        if (S[i].level < threshold) continue;
        flagged++;
        if (!S[i].dprk) fp++;
    }
    double recall = n_dprk ? (double)tp / (double)n_dprk : 1.0;
    double precision = flagged ? (double)(flagged - fp) / (double)flagged : (n_dprk ? 0.0 : 1.0);

    printf("truth rows %zu (%zu DPRK personas), subjects %zu, truth rows without a subject %zu\n", nt, n_dprk, ns,
           unmatched);
    printf("threshold %s: flagged %zu subjects, %zu DPRK personas found\n", level_name(threshold), flagged, tp);
    printf("recall    %.3f (min %.2f)\nprecision %.3f (min %.2f)\n", recall, min_recall, precision, min_precision);

    printf("\nmissed DPRK personas (below %s):\n", level_name(threshold));
    size_t shown = 0;
    for (size_t t = 0; t < nt; t++) {
        if (strcmp(T[t].label, "dprk") != 0) continue;
        const subj *s = T[t].subject >= 0 ? &S[T[t].subject] : NULL;
        if (s && s->level >= threshold) continue;
        shown++;
        if (!s) {
            printf("  %-24s %-22s no subject with this key\n", T[t].key, T[t].kind);
            continue;
        }
        printf("  %-24s %-22s %-24s %-6s score %d\n", T[t].key, T[t].kind, s->display ? s->display : "?",
               level_name(s->level), s->score);
        print_reasons(s);
    }
    if (!shown) printf("  none\n");

    printf("\nfalse positives (at %s or above, not DPRK):\n", level_name(threshold));
    shown = 0;
    for (size_t i = 0; i < ns; i++) {
        if (S[i].level < threshold || S[i].dprk) continue;
        shown++;
        const char *kind = S[i].truth >= 0 ? T[S[i].truth].kind : "(not in truth)";
        printf("  %-24s %-22s %-24s %-6s score %d\n", S[i].id ? S[i].id : "?", kind,
               S[i].display ? S[i].display : "?", level_name(S[i].level), S[i].score);
        print_reasons(&S[i]);
    }
    if (!shown) printf("  none\n");

    printf("\nlook-alikes at review or above:\n");
    for (size_t t = 0; t < nt; t++) {
        if (strcmp(T[t].label, "lookalike") != 0 || T[t].subject < 0) continue;
        const subj *s = &S[T[t].subject];
        if (s->level < LV_REVIEW) continue;
        lookalike_hits++;
        printf("  %-24s %-22s %-24s %-6s score %d\n", T[t].key, T[t].kind, s->display ? s->display : "?",
               level_name(s->level), s->score);
        print_reasons(s);
    }
    if (!lookalike_hits) printf("  none\n");
    printf("\nDPRK personas below their expected level: %zu\n", below_expected);

    bool ok = recall >= min_recall && precision >= min_precision && lookalike_hits == 0;
    printf("%s\n", ok ? "PASS" : "FAIL");

    for (size_t i = 0; i < ns; i++) json_decref(S[i].obj);
    for (size_t t = 0; t < nt; t++) {
        free(T[t].key);
        free(T[t].label);
        free(T[t].kind);
        free(T[t].expect);
    }
    free(S);
    free(T);
    return ok ? 0 : 1;
}
