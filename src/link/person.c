/*
 * person.c - the same person without a shared key: fuzzy record matching
 * over names (transliteration-tolerant), date of birth, email, city, street,
 * postcode and national id, Fellegi-Sunter with comparison levels:
 *
 *   blocking  OR of rules (dob; first+last; email; email local part; national
 *             id; soundex(last)+first initial; soundex(first)+birth year;
 *             postcode+first initial; last+city); blocks over 300 records
 *             are skipped (generic), pairs de-duplicated
 *   compare   per field a level: exact / close / weak / different / missing
 *             (Jaro-Winkler, Levenshtein on dates and ids, a consonant
 *             skeleton for spelling variants of transliterated names)
 *   u         from 200,000 random record pairs (Splink's random sampling),
 *             exact-name u replaced by the value's frequency (term frequency)
 *   m, lambda EM over the candidate pairs with u fixed
 *   match     posterior >= threshold; clusters = connected components of
 *             matches, with the same anti-chaining support rule as engine.c
 *
 * Every kept pair carries its per-field levels and weights (the waterfall).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "link.h"
#include "../util/ascii.h"

#define NLEV 5 /* 0 exact, 1 close, 2 weak, 3 different, 4 missing */
#define BLOCK_CAP 300
#ifndef UM_LK_CLUSTER_LOGODDS
#define UM_LK_CLUSTER_LOGODDS 5.0
#endif

typedef struct norm_rec {
    char first[48], last[48], dob[16], city[48], email[96], natid[32], street[96], post[16];
    char sfirst[8], slast[8], skel_first[48], skel_last[48];
} norm_rec;

static void norm_name(const char *s, char *out, size_t cap) {
    size_t k = 0;
    for (; s && *s && k + 1 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (um_ascii_isalpha(c)) out[k++] = (char)um_ascii_tolower(c);
        else if (c >= 0x80) out[k++] = (char)c; /* UTF-8 kept as is */
        else if ((c == ' ' || c == '-' || c == '\'') && k && out[k - 1] != ' ') out[k++] = ' ';
    }
    while (k && out[k - 1] == ' ') k--;
    out[k] = 0;
}

static void norm_plain(const char *s, char *out, size_t cap, bool digits_only) {
    size_t k = 0;
    for (; s && *s && k + 1 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (um_ascii_isdigit(c) ||
            (!digits_only && (um_ascii_isalpha(c) || c == '@' || c == '.' || c == ' ' || c >= 0x80)))
            out[k++] = (char)um_ascii_tolower(c);
    }
    while (k && out[k - 1] == ' ') k--;
    out[k] = 0;
}

static void soundex(const char *s, char out[8]) {
    static const char code[] = "01230120022455012623010202"; /* a..z */
    int k = 0;
    char last = 0;
    for (; *s && k < 4; s++) {
        if (!um_ascii_isalpha((unsigned char)*s)) continue;
        char c = (char)um_ascii_tolower((unsigned char)*s), d = code[c - 'a'];
        if (k == 0) {
            out[k++] = c;
            last = d;
            continue;
        }
        if (d != '0' && d != last) out[k++] = d;
        if (c != 'h' && c != 'w') last = d;
    }
    while (k < 4 && k > 0) out[k++] = '0';
    out[k] = 0;
}

/* Spelling skeleton for transliteration variants: common digraphs folded,
 * vowels after the first letter dropped, doubled letters collapsed
 * ("Mohammed" ~ "Muhamad", "Kim Jong" ~ "Kim Chong" stays different). */
static void skeleton(const char *s, char *out, size_t cap) {
    char t[64];
    size_t k = 0;
    for (size_t i = 0; s[i] && k + 1 < sizeof t; i++) {
        char c = s[i];
        if (c == 'p' && s[i + 1] == 'h') c = 'f', i++;
        else if ((c == 'k' || c == 'g') && s[i + 1] == 'h') c = 'k', i++;
        else if (c == 'c' && s[i + 1] == 'k') c = 'k', i++;
        else if (c == 'q') c = 'k';
        else if (c == 'z') c = 's';
        else if (c == 'y') c = 'i';
        else if (c == 'w') c = 'v';
        t[k++] = c;
    }
    t[k] = 0;
    size_t o = 0;
    for (size_t i = 0; t[i] && o + 1 < cap; i++) {
        char c = t[i];
        if (c == ' ') continue;
        if (i > 0 && strchr("aeiouh", c)) continue;
        if (o && out[o - 1] == c) continue;
        out[o++] = c;
    }
    out[o] = 0;
}

static double jaro_winkler(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (!la || !lb) return 0;
    if (la > 64 || lb > 64) return strcmp(a, b) == 0;
    size_t md = (la > lb ? la : lb) / 2;
    md = md ? md - 1 : 0;
    bool ma[64] = {0}, mb[64] = {0};
    size_t m = 0;
    for (size_t i = 0; i < la; i++) {
        size_t lo = i > md ? i - md : 0, hi = i + md + 1 < lb ? i + md + 1 : lb;
        for (size_t j = lo; j < hi; j++)
            if (!mb[j] && a[i] == b[j]) {
                ma[i] = mb[j] = true;
                m++;
                break;
            }
    }
    if (!m) return 0;
    size_t t = 0, j = 0;
    for (size_t i = 0; i < la; i++) {
        if (!ma[i]) continue;
        while (!mb[j]) j++;
        if (a[i] != b[j]) t++;
        j++;
    }
    double dm = (double)m;
    double jaro = (dm / (double)la + dm / (double)lb + (dm - (double)t / 2) / dm) / 3;
    size_t p = 0;
    while (p < 4 && p < la && p < lb && a[p] == b[p]) p++;
    return jaro + (double)p * 0.1 * (1 - jaro);
}

/* Levenshtein distance, capped at 3. */
static int lev(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40) return strcmp(a, b) ? 3 : 0;
    if ((la > lb ? la - lb : lb - la) > 2) return 3;
    int prev[41], cur[41];
    for (size_t j = 0; j <= lb; j++) prev[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int c = prev[j - 1] + (a[i - 1] != b[j - 1]);
            if (prev[j] + 1 < c) c = prev[j] + 1;
            if (cur[j - 1] + 1 < c) c = cur[j - 1] + 1;
            cur[j] = c;
        }
        memcpy(prev, cur, sizeof(int) * (lb + 1));
    }
    return prev[lb] > 3 ? 3 : prev[lb];
}

static int level_name(const char *a, const char *b, const char *ska, const char *skb, const char *other_a,
                      const char *other_b) {
    if (!*a || !*b) return 4;
    if (strcmp(a, b) == 0) return 0;
    double jw = jaro_winkler(a, b);
    if (jw >= 0.92 || (*ska && strcmp(ska, skb) == 0)) return 1;
    /* nickname or initial: "rob" ~ "robert", "j" ~ "john"; first/last swapped */
    size_t la = strlen(a), lb = strlen(b);
    if ((la >= 1 && lb > la && strncmp(a, b, la) == 0) || (lb >= 1 && la > lb && strncmp(a, b, lb) == 0))
        return 2;
    if ((other_a && strcmp(a, other_b) == 0 && strcmp(other_a, b) == 0)) return 1;
    if (jw >= 0.80) return 2;
    return 3;
}

static int level_dob(const char *a, const char *b) {
    if (!*a || !*b) return 4;
    if (strcmp(a, b) == 0) return 0;
    int d = lev(a, b);
    if (d <= 1) return 1;
    if (strlen(a) == 8 && strlen(b) == 8) {
        /* day and month swapped, or one component typed wrong */
        if (strncmp(a, b, 4) == 0 && a[4] == b[6] && a[5] == b[7] && a[6] == b[4] && a[7] == b[5]) return 1;
        if (d <= 2) return 2;
    }
    return 3;
}

static int level_text(const char *a, const char *b, double close) {
    if (!*a || !*b) return 4;
    if (strcmp(a, b) == 0) return 0;
    double jw = jaro_winkler(a, b);
    if (jw >= close) return 1;
    if (jw >= 0.75) return 2;
    return 3;
}

static int level_email(const char *a, const char *b) {
    if (!*a || !*b) return 4;
    if (strcmp(a, b) == 0) return 0;
    const char *at_a = strchr(a, '@'), *at_b = strchr(b, '@');
    if (at_a && at_b && at_a - a == at_b - b && strncmp(a, b, (size_t)(at_a - a)) == 0) return 1;
    if (jaro_winkler(a, b) >= 0.88) return 2;
    return 3;
}

static int level_id(const char *a, const char *b) {
    if (!*a || !*b) return 4;
    if (strcmp(a, b) == 0) return 0;
    int d = lev(a, b);
    return d == 1 ? 1 : d == 2 ? 2 : 3;
}

enum { F_FIRST, F_LAST, F_DOB, F_CITY, F_EMAIL, F_NATID, F_STREET, F_POST, NF };
static const char *const fnames[NF] = {"first_name", "last_name", "date_of_birth", "city",
                                       "email", "national_id", "street", "postcode"};
const char *um_lk_person_field_name(int f) { return f >= 0 && f < NF ? fnames[f] : "?"; }

static void compare(const norm_rec *a, const norm_rec *b, uint8_t lv[NF]) {
    lv[F_FIRST] = (uint8_t)level_name(a->first, b->first, a->skel_first, b->skel_first, a->last, b->last);
    lv[F_LAST] = (uint8_t)level_name(a->last, b->last, a->skel_last, b->skel_last, a->first, b->first);
    lv[F_DOB] = (uint8_t)level_dob(a->dob, b->dob);
    lv[F_CITY] = (uint8_t)level_text(a->city, b->city, 0.88);
    lv[F_EMAIL] = (uint8_t)level_email(a->email, b->email);
    lv[F_NATID] = (uint8_t)level_id(a->natid, b->natid);
    lv[F_STREET] = (uint8_t)level_text(a->street, b->street, 0.90);
    lv[F_POST] = (uint8_t)level_id(a->post, b->post);
}

/* ---- blocking ---------------------------------------------------------------- */

typedef struct bkey {
    uint64_t h;
    uint32_t rec;
} bkey;

static int cmp_bkey(const void *x, const void *y) {
    const bkey *a = x, *b = y;
    if (a->h != b->h) return a->h < b->h ? -1 : 1;
    return a->rec < b->rec ? -1 : a->rec > b->rec;
}
static int cmp_u64(const void *x, const void *y) {
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

static uint64_t key_hash(int rule, const char *a, const char *b) {
    char buf[256];
    int n = snprintf(buf, sizeof buf, "%d\x1f%s\x1f%s", rule, a, b ? b : "");
    return um_hash64(buf, (size_t)(n > 0 && n < (int)sizeof buf ? n : (int)sizeof buf - 1), 3);
}

static void rec_norm(const um_lk_person *p, norm_rec *r) {
    memset(r, 0, sizeof *r);
    norm_name(p->first, r->first, sizeof r->first);
    norm_name(p->last, r->last, sizeof r->last);
    norm_plain(p->dob, r->dob, sizeof r->dob, true);
    norm_name(p->city, r->city, sizeof r->city);
    norm_plain(p->email, r->email, sizeof r->email, false);
    norm_plain(p->natid, r->natid, sizeof r->natid, false);
    norm_plain(p->street, r->street, sizeof r->street, false);
    norm_plain(p->postcode, r->post, sizeof r->post, false);
    soundex(r->first, r->sfirst);
    soundex(r->last, r->slast);
    skeleton(r->first, r->skel_first, sizeof r->skel_first);
    skeleton(r->last, r->skel_last, sizeof r->skel_last);
}

static size_t block_keys(const norm_rec *r, uint64_t out[16]) {
    size_t k = 0;
    char ini[2] = {r->first[0], 0}, year[5] = {0};
    memcpy(year, r->dob, strlen(r->dob) >= 4 ? 4 : 0);
    if (*r->dob) out[k++] = key_hash(1, r->dob, NULL);
    if (*r->first && *r->last) out[k++] = key_hash(2, r->first, r->last);
    if (*r->email) out[k++] = key_hash(3, r->email, NULL);
    const char *at = strchr(r->email, '@');
    if (at && at - r->email >= 4) {
        char local[96];
        snprintf(local, sizeof local, "%.*s", (int)(at - r->email), r->email);
        out[k++] = key_hash(4, local, NULL);
    }
    if (*r->natid) out[k++] = key_hash(5, r->natid, NULL);
    if (*r->slast && *ini) out[k++] = key_hash(6, r->slast, ini);
    if (*r->sfirst && *year) out[k++] = key_hash(7, r->sfirst, year);
    if (*r->post && *ini) out[k++] = key_hash(8, r->post, ini);
    if (*r->last && *r->city) out[k++] = key_hash(9, r->last, r->city);
    if (*r->skel_first && *r->skel_last) out[k++] = key_hash(10, r->skel_first, r->skel_last);
    if (*r->first && *r->last) /* first and last swapped */
        out[k++] = strcmp(r->first, r->last) < 0 ? key_hash(11, r->first, r->last) : key_hash(11, r->last, r->first);
    if (strlen(r->dob) == 8) out[k++] = key_hash(12, r->dob + 4, ini); /* month-day: a typo in the year */
    if (*r->first && *r->city) out[k++] = key_hash(13, r->first, r->city);
    if (at && at[1]) out[k++] = key_hash(14, at + 1, ini); /* email domain */
    return k;
}

/* Strict blocking (the scan, UM_LK_PM_STRICT): every key pairs an
 * identifying field with a name code, so blocks stay a handful of records
 * however large the population (a million applicants give about a million
 * candidate pairs, not billions) and every candidate can pass the scan's
 * gate (an identifying field agrees). */
static size_t block_keys_strict(const norm_rec *r, uint64_t out[16]) {
    size_t k = 0;
    const char *at = strchr(r->email, '@');
    char year[5] = {0}, md[5] = {0};
    if (strlen(r->dob) == 8) memcpy(year, r->dob, 4), memcpy(md, r->dob + 4, 4);
    if (*r->dob && *r->slast) out[k++] = key_hash(21, r->dob, r->slast);
    if (*r->dob && *r->sfirst) out[k++] = key_hash(21, r->dob, r->sfirst); /* same rule: first and last swapped */
    if (*r->email) out[k++] = key_hash(23, r->email, NULL);
    if (at && at - r->email >= 4) {
        char local[96];
        snprintf(local, sizeof local, "%.*s", (int)(at - r->email), r->email);
        out[k++] = key_hash(24, local, NULL);
    }
    if (*r->natid) out[k++] = key_hash(25, r->natid, NULL);
    if (*r->post && *r->slast) out[k++] = key_hash(26, r->post, r->slast);
    if (*r->post && *r->sfirst) out[k++] = key_hash(26, r->post, r->sfirst);
    /* typo tolerance: a date of birth with the city, a birth year or
     * month-day with both name codes. No key of names (or names and city)
     * alone: the gate needs an identifying field, and a population of common
     * names would fill every block up to the cap with pairs it drops */
    if (*r->dob && *r->city) out[k++] = key_hash(27, r->dob, r->city);
    if (*year && *r->sfirst && *r->slast) {
        char nm[16];
        snprintf(nm, sizeof nm, "%s%s", r->sfirst, r->slast);
        out[k++] = key_hash(28, year, nm);
        out[k++] = key_hash(29, md, nm);
    }
    return k;
}
#define BLOCK_CAP_STRICT 50

/* ---- the run ------------------------------------------------------------------ */

typedef struct agg {
    uint64_t key;
    double sum;
    uint32_t cnt;
} agg;
static int cmp_agg(const void *x, const void *y) {
    const agg *a = x, *b = y;
    return a->key < b->key ? -1 : a->key > b->key;
}

static uint64_t prng(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static uint32_t find(uint32_t *p, uint32_t x) {
    while (p[x] != x) x = p[x] = p[p[x]];
    return x;
}

um_status um_lk_person_match(const um_lk_person *recs, size_t n, double threshold, um_lk_pmatch **out) {
    return um_lk_person_match_flags(recs, n, threshold, 0, out);
}

um_status um_lk_person_match_flags(const um_lk_person *recs, size_t n, double threshold, unsigned flags,
                                   um_lk_pmatch **out) {
    bool strict = flags & UM_LK_PM_STRICT;
    *out = NULL;
    if (n > UINT32_MAX / 2) return UM_EINVAL;
    um_lk_pmatch *res = um_calloc(1, sizeof *res);
    norm_rec *nr = um_malloc((n ? n : 1) * sizeof *nr);
    bkey *keys = um_malloc((n ? n : 1) * 16 * sizeof *keys);
    uint64_t *pairs = NULL;
    size_t np = 0, capp = 0, nk = 0;
    um_status st = UM_ENOMEM;
    um_map tf[2];
    um_map_init(&tf[0]);
    um_map_init(&tf[1]);
    uint8_t *lv = NULL;
    if (!res || !nr || !keys) goto done;
    for (size_t i = 0; i < n; i++) {
        rec_norm(&recs[i], &nr[i]);
        uint64_t h[16];
        size_t k = strict ? block_keys_strict(&nr[i], h) : block_keys(&nr[i], h);
        for (size_t j = 0; j < k; j++) keys[nk++] = (bkey){h[j], (uint32_t)i};
        /* term frequencies of first and last names */
        const char *nm[2] = {nr[i].first, nr[i].last};
        for (int f = 0; f < 2; f++) {
            if (!*nm[f]) continue;
            bool created;
            um_map_slot *sl = um_map_upsert(&tf[f], nm[f], strlen(nm[f]), &created);
            if (!sl) goto done;
            sl->val = (void *)((uintptr_t)sl->val + 1);
        }
    }
    qsort(keys, nk, sizeof *keys, cmp_bkey);
    for (size_t i = 0; i < nk;) {
        size_t j = i;
        while (j < nk && keys[j].h == keys[i].h) j++;
        if (j - i <= (strict ? BLOCK_CAP_STRICT : BLOCK_CAP))
            for (size_t a = i; a < j; a++)
                for (size_t b = a + 1; b < j; b++) {
                    if (keys[a].rec == keys[b].rec) continue;
                    if (!um_grow((void **)&pairs, &capp, np + 1, sizeof *pairs)) goto done;
                    uint32_t x = keys[a].rec, y = keys[b].rec;
                    pairs[np++] = (uint64_t)(x < y ? x : y) << 32 | (x < y ? y : x);
                }
        i = j;
    }
    /* the blocking keys are done with: freed before the pairs are scored
     * (the matcher's peak is the scored pairs beside the records) */
    um_free(keys);
    keys = NULL;
    if (np) qsort(pairs, np, sizeof *pairs, cmp_u64);
    size_t w = 0;
    for (size_t i = 0; i < np; i++)
        if (!w || pairs[w - 1] != pairs[i]) pairs[w++] = pairs[i];
    np = w;
    if (np && np < capp) { /* the doubling's slack and the duplicates go */
        uint64_t *shrunk = um_realloc(pairs, np * sizeof *pairs);
        if (shrunk) pairs = shrunk, capp = np;
    }
    res->scored_pairs = np;
    if (np == 0) { /* nothing to score: every record its own cluster, no u or EM to estimate */
        res->cluster = um_malloc((n ? n : 1) * sizeof *res->cluster);
        if (!res->cluster) goto done;
        for (size_t i = 0; i < n; i++) res->cluster[i] = (uint32_t)i;
        st = UM_OK;
        goto done;
    }
    lv = um_malloc((np ? np : 1) * NF);
    if (!lv) goto done;
    for (size_t i = 0; i < np; i++) compare(&nr[pairs[i] >> 32], &nr[pairs[i] & 0xffffffff], lv + i * NF);
    /* u from random pairs */
    double u[NF][NLEV], m[NF][NLEV];
    for (int f = 0; f < NF; f++)
        for (int l = 0; l < NLEV; l++) u[f][l] = 1, m[f][l] = 1;
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    /* strict (the scan): 50,000 pairs, or every pair of a small case */
    size_t samples = n > 1 ? (strict ? 50000 : 200000) : 0;
    double allp = (double)n * ((double)n - 1) / 2;
    if (strict && allp <= (double)samples) {
        for (size_t a = 0; a < n; a++)
            for (size_t b = a + 1; b < n; b++) {
                uint8_t l[NF];
                compare(&nr[a], &nr[b], l);
                for (int f = 0; f < NF; f++) u[f][l[f]] += 1;
            }
        samples = 0;
    }
    for (size_t s = 0; s < samples; s++) {
        uint32_t a = (uint32_t)(prng(&seed) % n), b = (uint32_t)(prng(&seed) % n);
        if (a == b) continue;
        uint8_t l[NF];
        compare(&nr[a], &nr[b], l);
        for (int f = 0; f < NF; f++) u[f][l[f]] += 1;
    }
    for (int f = 0; f < NF; f++) {
        double t = 0;
        for (int l = 0; l < NLEV; l++) t += u[f][l];
        for (int l = 0; l < NLEV; l++) u[f][l] /= t;
    }
    /* m by EM over the candidate pairs, u fixed; initial m favours agreement */
    static const double m0[NLEV] = {0.7, 0.15, 0.07, 0.03, 0.05};
    for (int f = 0; f < NF; f++)
        for (int l = 0; l < NLEV; l++) m[f][l] = m0[l];
    double lam = 0.1;
    double *post = um_malloc((np ? np : 1) * sizeof *post);
    if (!post) goto done;
    for (int it = 0; it < 30 && np; it++) {
        double am[NF][NLEV] = {{0}}, sm = 0;
        for (size_t i = 0; i < np; i++) {
            double lm = log(lam), lu = log(1 - lam);
            const uint8_t *l = lv + i * NF;
            for (int f = 0; f < NF; f++) {
                lm += log(m[f][l[f]]);
                lu += log(u[f][l[f]]);
            }
            double p = 1 / (1 + exp(lu - lm));
            post[i] = p;
            sm += p;
            for (int f = 0; f < NF; f++) am[f][l[f]] += p;
        }
        lam = sm / (double)np;
        if (lam < 1e-4) lam = 1e-4;
        if (lam > 0.999) lam = 0.999;
        for (int f = 0; f < NF; f++)
            for (int l = 0; l < NLEV; l++) {
                m[f][l] = (am[f][l] + 0.01) / (sm + 0.05);
                if (m[f][l] < 1e-4) m[f][l] = 1e-4;
            }
    }
    memcpy(res->m, m, sizeof m);
    memcpy(res->u, u, sizeof u);
    res->lambda = lam;
    /* final scoring with term frequencies on exact name agreement */
    res->cluster = um_malloc((n ? n : 1) * sizeof *res->cluster);
    uint32_t *parent = um_malloc((n ? n : 1) * sizeof *parent), *size = um_malloc((n ? n : 1) * sizeof *size);
    if (!res->cluster || !parent || !size) {
        um_free(parent);
        um_free(size);
        um_free(post);
        goto done;
    }
    for (size_t i = 0; i < n; i++) parent[i] = (uint32_t)i, size[i] = 1;
    size_t capk = 0;
    /* the prior is over all record pairs (Splink's "probability two random
     * records match"), not over the blocked candidates */
    double allpairs = (double)n * ((double)n - 1) / 2;
    double lg = allpairs > 0 ? lam * (double)np / allpairs : 0.5;
    if (lg <= 0) lg = 1e-12;
    if (lg >= 1) lg = 0.999;
    double prior = log2(lg / (1 - lg));
    res->lambda_global = lg;
    for (size_t i = 0; i < np; i++) {
        uint32_t a = (uint32_t)(pairs[i] >> 32), b = (uint32_t)(pairs[i] & 0xffffffff);
        const uint8_t *l = lv + i * NF;
        um_lk_ppair pp = {a, b, prior, 0, {0}, {0}};
        for (int f = 0; f < NF; f++) {
            double uu = u[f][l[f]];
            if (l[f] == 0 && (f == F_FIRST || f == F_LAST)) {
                const char *v = f == F_FIRST ? nr[a].first : nr[a].last;
                uintptr_t c = (uintptr_t)um_map_get(&tf[f], v, strlen(v));
                double freq = (double)c / (double)n;
                if (freq > 0) uu = freq; /* a common name agrees by chance more often */
            }
            double wt = log2(m[f][l[f]] / uu);
            pp.level[f] = l[f];
            pp.weight[f] = (float)wt;
            pp.total += wt;
        }
        pp.prob = 1 / (1 + exp2(-pp.total));
        post[i] = pp.total; /* kept for the cluster stage */
        if (pp.prob < threshold) continue;
        if (!um_grow((void **)&res->pairs, &capk, res->npairs + 1, sizeof *res->pairs)) {
            um_free(parent);
            um_free(size);
            um_free(post);
            goto done;
        }
        res->pairs[res->npairs++] = pp;
    }
    /* the records, levels and name frequencies are done with: freed before
     * the entity-centric rounds allocate their aggregates */
    um_free(lv);
    lv = NULL;
    um_free(nr);
    nr = NULL;
    um_map_free(&tf[0]);
    um_map_free(&tf[1]);
    /* clusters: strongest matches first, connected components */
    for (size_t i = 0; i < res->npairs; i++) {
        uint32_t a = find(parent, res->pairs[i].a), b = find(parent, res->pairs[i].b);
        if (a == b) continue;
        if (size[a] < size[b]) {
            uint32_t t = a;
            a = b;
            b = t;
        }
        parent[b] = a;
        size[a] += size[b];
    }
    /* entity-centric stage: two clusters whose candidate pairs add up to
     * positive log-odds over at least two pairs merge (a record that is weak
     * against each member alone but agrees with several of them) */
    for (int round = 0; round < 4; round++) {
        agg *ag = um_malloc((np ? np : 1) * sizeof *ag);
        if (!ag) break;
        size_t na = 0;
        for (size_t i = 0; i < np; i++) {
            uint32_t a = find(parent, (uint32_t)(pairs[i] >> 32)), b = find(parent, (uint32_t)(pairs[i] & 0xffffffff));
            if (a == b) continue;
            ag[na++] = (agg){(uint64_t)(a < b ? a : b) << 32 | (a < b ? b : a), post[i], 1};
        }
        qsort(ag, na, sizeof *ag, cmp_agg);
        size_t merged = 0;
        for (size_t i = 0; i < na;) {
            size_t j = i;
            double sum = 0;
            uint32_t cnt = 0;
            while (j < na && ag[j].key == ag[i].key) sum += ag[j].sum, cnt++, j++;
            uint32_t a = (uint32_t)(ag[i].key >> 32), b = (uint32_t)(ag[i].key & 0xffffffff);
            if (cnt >= 2 && sum >= UM_LK_CLUSTER_LOGODDS && find(parent, a) == a && find(parent, b) == b) {
                if (size[a] < size[b]) {
                    uint32_t t = a;
                    a = b;
                    b = t;
                }
                parent[b] = a;
                size[a] += size[b];
                merged++;
            }
            i = j;
        }
        um_free(ag);
        if (!merged) break;
    }
    for (size_t i = 0; i < n; i++) res->cluster[i] = find(parent, (uint32_t)i);
    um_free(parent);
    um_free(size);
    um_free(post);
    st = UM_OK;
done:
    um_map_free(&tf[0]);
    um_map_free(&tf[1]);
    um_free(lv);
    um_free(nr);
    um_free(keys);
    um_free(pairs);
    if (st != UM_OK) um_lk_pmatch_free(res);
    else *out = res;
    return st;
}

/* The scan's decision (docs/linking.md §5). Names are needed but never
 * enough: the evidence of the identifying fields alone (date of birth,
 * email, national id, street, postcode: their weights summed, a
 * disagreement counting against) must reach UM_LK_GATE_EVIDENCE bits and
 * one of them must agree exactly or closely; city counts for nothing here
 * (a common name in one city is many people). A name part must agree and
 * none may disagree (a couple, siblings, twins, two people of one surname),
 * unless two exclusive fields (date of birth, email, national id) agree: a
 * typo or a new surname. A different date of birth needs two other fields.
 * 2 (same_person): both name parts agree, two identifying fields with the
 * birth date not differing, p >= 0.99; else 1 (same_person_possible). */
#ifndef UM_LK_GATE_EVIDENCE
#define UM_LK_GATE_EVIDENCE 5.0
#endif
int um_lk_person_gate(const um_lk_ppair *pp) {
    const uint8_t *lv = pp->level;
    if (pp->prob < 0.95) return 0;
    int nclose = (lv[F_FIRST] <= 1) + (lv[F_LAST] <= 1), nconf = (lv[F_FIRST] == 3) + (lv[F_LAST] == 3);
    int excl = (lv[F_DOB] <= 1) + (lv[F_EMAIL] <= 1) + (lv[F_NATID] <= 1);
    int ident = excl + (lv[F_STREET] <= 1 && lv[F_POST] <= 1);
    double ev = 0;
    static const int idf[] = {F_DOB, F_EMAIL, F_NATID, F_STREET, F_POST};
    for (size_t k = 0; k < sizeof idf / sizeof *idf; k++)
        if (lv[idf[k]] != 4) ev += pp->weight[idf[k]];
    if (ident < 1 || ev < UM_LK_GATE_EVIDENCE) return 0;
    if ((nclose == 0 || nconf > 0) && excl < 2) return 0;
    if (lv[F_DOB] == 3 && ident < 2) return 0;
    return nclose == 2 && ident >= 2 && lv[F_DOB] <= 1 && pp->prob >= 0.99 ? 2 : 1;
}

void um_lk_pmatch_free(um_lk_pmatch *r) {
    if (!r) return;
    um_free(r->cluster);
    um_free(r->pairs);
    um_free(r);
}
