/*
 * screen.c - the sanctions screener: index, matcher, scores, public API.
 *
 * Every list name (primary and aliases) is normalised once into units
 * (norm.c) whose canonical keys are interned; an inverted index maps each key
 * (and the 3-letter prefix of each non-Korean word of 5+ letters, for typos)
 * to the names holding it. A query is normalised the same way; names sharing
 * enough key weight with it are scored:
 *
 *   pairs     best one-to-one pairing of query and list units by similarity
 *             (1.0 same key; spelling similarity for near misses, damped for
 *             Korean syllables, where one letter is another syllable)
 *   name      weighted Dice: 2 * sum(sim * (wq + wl) / 2) / (sum wq + sum wl)
 *             x 0.8 for every distinctive unit (weight >= 0.5) left unpaired
 *             x 0.9 when the order is not the listed one or a rotation of it
 *             (surname moved); capped at 0.5 when only generic words or only
 *             surnames pair
 *   adjust    DOB disagreeing with every listed DOB -0.25, agreeing +0.02
 *             (year) / +0.05 (day); nationality disagreeing with a listed one
 *             -0.10, agreeing +0.03; query type person vs listed entity (or
 *             the reverse) rules the entry out
 *
 * Weights: syllables and words 1.0; a common Korean surname in surname
 * position 0.5; a non-Korean token of 1-2 letters 0.6; generic business
 * words 0.05-0.2. docs/SCREENING.md gives the calibration.
 *
 * Ownership: the screener owns everything it loaded and is immutable after
 * um_screener_open(); um_screen_name allocates per call (scratch + result).
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../core/internal.h"
#include "screen_int.h"

#define DEFAULT_THRESHOLD 0.80
#define DEFAULT_LIMIT 10
#define MAX_DF 4000      /* keys in more names than this do not generate candidates */
#define NO_KEY UINT32_MAX
#define MAX_BONUS 0.08   /* most the DOB (+0.05) and nationality (+0.03) adjustments add to a name score */
#define CN_HAS_LATIN 1   /* a unit that is not Korean, generic or a number: near-pairs with anything */
#define CN_HAS_KOREAN 2  /* a Korean syllable: near-pairs with non-Korean units only (x0.8) */

typedef struct cunit {
    uint32_t key;
    uint32_t pkey; /* prefix key id (typo candidates), NO_KEY when none */
    float w;
    uint8_t flags, word, rawlen;
    const char *raw;
} cunit;

struct um_screener {
    char err[512];
    um_ctx *ctx; /* indicator lists (um_ioc) */
    bool ctx_borrowed; /* ctx belongs to the caller (um_screener_open_ctx) */
    um_sc_norm norm;
    um_sc_lists lists;
    char **warn;
    size_t n_warn, cap_warn;
    um_list_info *info;
    /* compiled names: each list name once per distinct normalised form */
    size_t n_names, cap_cn;
    uint32_t *cn_lname; /* compiled name -> index into lists.nm */
    uint8_t *cn_type;   /* compiled name -> entry type (um_sc_etype), kept compact for the candidate loop */
    /* per compiled name, for the upper bound on its score (collect()) */
    float *cn_L;        /* sum of unit weights */
    uint8_t *cn_nld;    /* distinctive units: weight >= 0.5, not generic */
    uint8_t *cn_has;    /* CN_HAS_* */
    uint32_t *uoff;     /* n_names + 1 */
    cunit *units;
    uint8_t *is_entity_name;
    /* keys */
    um_map keys; /* key -> id + 1 */
    const char **keystr;
    uint8_t *keylen;
    size_t n_keys, cap_keys;
    uint32_t *poff, *post; /* postings per key id */
    um_map idents;         /* "type\x1fvalue" -> ident index + 1 */
};

struct um_screen_result {
    um_arena arena;
    um_screen_match *m;
    size_t n, cap;
    const char *query;
};

static void add_warn(um_screener *s, const char *w) {
    if (!w || !*w) return;
    char *c = um_strdup(w);
    if (!c) return;
    if (!um_grow((void **)&s->warn, &s->cap_warn, s->n_warn + 1, sizeof *s->warn)) {
        um_free(c);
        return;
    }
    s->warn[s->n_warn++] = c;
}

static const char *type_name(um_sc_etype t) {
    switch (t) {
    case UM_SC_T_PERSON: return "person";
    case UM_SC_T_ENTITY: return "entity";
    case UM_SC_T_VESSEL: return "vessel";
    case UM_SC_T_AIRCRAFT: return "aircraft";
    default: return "unknown";
    }
}

static uint32_t intern(um_screener *s, const char *key, size_t n) {
    bool created;
    um_map_slot *sl = um_map_upsert(&s->keys, key, n, &created);
    if (!sl) return NO_KEY;
    if (!created) return (uint32_t)((uintptr_t)sl->val - 1);
    if (!um_grow((void **)&s->keystr, &s->cap_keys, s->n_keys + 1, sizeof *s->keystr)) return NO_KEY;
    size_t cap = s->cap_keys;
    uint8_t *kl = um_realloc(s->keylen, cap);
    if (!kl) return NO_KEY;
    s->keylen = kl;
    s->keystr[s->n_keys] = sl->key;
    s->keylen[s->n_keys] = (uint8_t)(n > 255 ? 255 : n);
    sl->val = (void *)(uintptr_t)(s->n_keys + 1);
    return (uint32_t)s->n_keys++;
}

static uint32_t key_lookup(const um_screener *s, const char *key, size_t n) {
    uintptr_t v = (uintptr_t)um_map_get(&s->keys, key, n);
    return v ? (uint32_t)(v - 1) : NO_KEY;
}

/* prefix key of a non-Korean word: "\x01" + first 3 letters */
static bool prefix_key(const um_sc_unit *u, char *out) {
    if (u->flags & (UM_SCU_KOREAN | UM_SCU_GENERIC | UM_SCU_NUMBER)) return false;
    if (strlen(u->key) < 5) return false;
    out[0] = 1;
    memcpy(out + 1, u->key, 3);
    out[4] = 0;
    return true;
}

static bool grow_names(um_screener *s, size_t need) {
    if (need <= s->cap_cn) return true;
    size_t cap = s->cap_cn * 2 > need ? s->cap_cn * 2 : need;
    uint32_t *a = um_realloc(s->cn_lname, cap * sizeof *a);
    if (a) s->cn_lname = a;
    uint8_t *t = um_realloc(s->cn_type, cap);
    if (t) s->cn_type = t;
    float *l = um_realloc(s->cn_L, cap * sizeof *l);
    if (l) s->cn_L = l;
    uint8_t *d = um_realloc(s->cn_nld, cap);
    if (d) s->cn_nld = d;
    uint8_t *h = um_realloc(s->cn_has, cap);
    if (h) s->cn_has = h;
    uint32_t *u = um_realloc(s->uoff, (cap + 1) * sizeof *u);
    if (u) s->uoff = u;
    if (!a || !t || !l || !d || !h || !u) return false;
    s->cap_cn = cap;
    return true;
}

static um_status build_index(um_screener *s) {
    um_sc_lists *L = &s->lists;
    size_t n_units = 0, cap_units = L->n_nm * 4 + 16;
    s->n_names = 0;
    s->cap_cn = 0;
    s->is_entity_name = um_calloc(L->n_nm + 1, 1);
    s->units = um_malloc(cap_units * sizeof *s->units);
    uint32_t *df = NULL;
    if (!s->is_entity_name || !s->units || !grow_names(s, L->n_nm * 2 + 16)) return UM_ENOMEM;
    um_sc_name forms[UM_SC_MAX_FORMS];
    for (size_t i = 0; i < L->n_nm; i++) {
        const um_sc_entry *e = &L->e[L->nm[i].entry];
        int want = e->type == UM_SC_T_ENTITY || e->type == UM_SC_T_VESSEL || e->type == UM_SC_T_AIRCRAFT ? 1
                   : e->type == UM_SC_T_UNKNOWN                                                         ? -1
                                                                                                          : 0;
        bool ent = false;
        int nf = um_sc_norm_forms(&s->norm, L->nm[i].name, want, false, forms, &ent);
        s->is_entity_name[i] = ent;
        for (int f = 0; f < nf; f++) {
            const um_sc_name *nm = &forms[f];
            if (!nm->n && f) continue;
            if (!grow_names(s, s->n_names + 2) ||
                !um_grow((void **)&s->units, &cap_units, n_units + (size_t)nm->n, sizeof *s->units))
                goto oom;
            size_t ni = s->n_names++;
            s->cn_lname[ni] = (uint32_t)i;
            s->cn_type[ni] = (uint8_t)e->type;
            s->uoff[ni] = (uint32_t)n_units;
            float Lw = 0;
            uint8_t nld = 0, has = 0;
            for (int k = 0; k < nm->n; k++) {
                const um_sc_unit *u = &nm->u[k];
                cunit *c = &s->units[n_units++];
                size_t kl = strlen(u->key);
                c->key = intern(s, u->key, kl);
                if (c->key == NO_KEY) goto oom;
                c->w = u->w;
                c->flags = u->flags;
                c->word = u->word;
                size_t rl = strlen(u->raw);
                char *raw = um_arena_alloc(&L->arena, rl + 1);
                if (!raw) goto oom;
                memcpy(raw, u->raw, rl + 1);
                c->raw = raw;
                c->rawlen = (uint8_t)rl;
                char pk[8];
                c->pkey = NO_KEY;
                if (prefix_key(u, pk) && (c->pkey = intern(s, pk, 4)) == NO_KEY) goto oom;
                Lw += u->w;
                if (u->w >= 0.5f && !(u->flags & UM_SCU_GENERIC)) nld++;
                if (!(u->flags & (UM_SCU_GENERIC | UM_SCU_NUMBER)))
                    has |= (u->flags & UM_SCU_KOREAN) ? CN_HAS_KOREAN : CN_HAS_LATIN;
            }
            s->cn_L[ni] = Lw;
            s->cn_nld[ni] = nld;
            s->cn_has[ni] = has;
        }
    }
    s->uoff[s->n_names] = (uint32_t)n_units;
    df = um_calloc(s->n_keys + 1, sizeof *df);
    s->poff = um_calloc(s->n_keys + 2, sizeof *s->poff);
    if (!df || !s->poff) goto oom;
    /* count, then fill (names in order, so postings are sorted) */
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            size_t tot = 0;
            for (size_t k = 0; k < s->n_keys; k++) {
                s->poff[k] = (uint32_t)tot;
                tot += df[k];
                df[k] = 0;
            }
            s->poff[s->n_keys] = (uint32_t)tot;
            s->post = um_malloc((tot + 1) * sizeof *s->post);
            if (!s->post) goto oom;
        }
        for (size_t i = 0; i < s->n_names; i++) {
            uint32_t seen[UM_SC_MAX_UNITS * 2];
            int n_seen = 0;
            for (uint32_t k = s->uoff[i]; k < s->uoff[i + 1]; k++) {
                const cunit *c = &s->units[k];
                uint32_t ids[2] = {(c->flags & UM_SCU_GENERIC) ? NO_KEY : c->key, c->pkey};
                for (int j = 0; j < 2; j++) {
                    if (ids[j] == NO_KEY) continue;
                    bool dup = false;
                    for (int q = 0; q < n_seen; q++) dup |= seen[q] == ids[j];
                    if (dup) continue;
                    seen[n_seen++] = ids[j];
                    if (pass == 0) df[ids[j]]++;
                    else s->post[s->poff[ids[j]] + df[ids[j]]++] = (uint32_t)i;
                }
            }
        }
    }
    um_free(df);
    /* identifiers from SDN remarks */
    for (size_t i = 0; i < L->n_id; i++) {
        char key[1024];
        int n = snprintf(key, sizeof key, "%s\x1f%s", L->id[i].type, L->id[i].value);
        if (n < 0 || (size_t)n >= sizeof key) continue;
        bool created;
        um_map_slot *sl = um_map_upsert(&s->idents, key, (size_t)n, &created);
        if (!sl) return UM_ENOMEM;
        if (created) sl->val = (void *)(uintptr_t)(i + 1);
    }
    return UM_OK;
oom:
    um_free(df);
    return UM_ENOMEM;
}

static bool file_exists(const char *p) {
    struct stat st;
    return p && stat(p, &st) == 0;
}

um_status um_screener_open(um_screener **out, const um_screener_options *opt) {
    return um_screener_open_ctx(out, opt, NULL);
}

um_status um_screener_open_ctx(um_screener **out, const um_screener_options *opt, um_ctx *ctx) {
    um_screener_options none = {0};
    if (!opt) opt = &none;
    um_screener *s = um_calloc(1, sizeof *s);
    *out = s;
    if (!s) return UM_ENOMEM;
    um_map_init(&s->keys);
    um_map_init(&s->idents);
    um_status st = UM_OK;
    if (ctx) { /* the caller's context: its indicator lists and data folder */
        s->ctx = ctx;
        s->ctx_borrowed = true;
    } else {
        um_ctx_options co = {0};
        co.data_dir = opt->data_dir;
        st = um_ctx_open(&s->ctx, &co);
    }
    const char *dd = NULL;
    if (st == UM_OK) {
        dd = um_ctx_data_dir(s->ctx);
    } else {
        if (!opt->ofac_dir && !opt->un_xml) {
            snprintf(s->err, sizeof s->err, "%s", um_ctx_errmsg(s->ctx));
            return st;
        }
        add_warn(s, "no data folder: indicator lists and the Korean variant table are not loaded");
        um_ctx_close(s->ctx);
        s->ctx = NULL;
    }
    char vpath[4096], opath[4096], upath[4096], dpath[4096];
    snprintf(vpath, sizeof vpath, "%s/names/korean_variants.tsv", dd ? dd : ".");
    snprintf(opath, sizeof opath, "%s/sanctions/ofac", dd ? dd : ".");
    snprintf(upath, sizeof upath, "%s/sanctions/un/consolidated.xml", dd ? dd : ".");
    snprintf(dpath, sizeof dpath, "%s/sanctions/lists.tsv", dd ? dd : ".");
    char warn[512];
    st = um_sc_norm_init(&s->norm, dd ? vpath : NULL, warn, sizeof warn);
    if (st != UM_OK) {
        snprintf(s->err, sizeof s->err, "out of memory building name tables");
        return st;
    }
    add_warn(s, warn);
    const char *ofac = opt->ofac_dir ? opt->ofac_dir : dd ? opath : NULL;
    const char *un = opt->un_xml ? opt->un_xml : dd ? upath : NULL;
    if (opt->un_xml && !file_exists(opt->un_xml)) {
        snprintf(s->err, sizeof s->err, "UN list '%s' not found", opt->un_xml);
        return UM_ENOTFOUND;
    }
    st = um_sc_lists_load(&s->lists, ofac, un, dd ? dpath : NULL, s->err, sizeof s->err);
    for (size_t i = 0; i < s->lists.n_warnings; i++) add_warn(s, s->lists.warnings[i]);
    if (st != UM_OK) return st;
    if (s->ctx)
        for (size_t i = 0; um_ctx_warning(s->ctx, i); i++)
            if (strstr(um_ctx_warning(s->ctx, i), "indicator")) add_warn(s, um_ctx_warning(s->ctx, i));
    st = build_index(s);
    if (st != UM_OK) {
        snprintf(s->err, sizeof s->err, "out of memory building the name index");
        return st;
    }
    s->info = um_calloc(s->lists.n_files + 1, sizeof *s->info);
    if (!s->info) return UM_ENOMEM;
    for (size_t i = 0; i < s->lists.n_files; i++) {
        const um_sc_listfile *f = &s->lists.files[i];
        s->info[i] = (um_list_info){f->list, f->path, f->what, f->date, f->age_days, f->entries, f->names};
    }
    return UM_OK;
}

void um_screener_close(um_screener *s) {
    if (!s) return;
    if (!s->ctx_borrowed) um_ctx_close(s->ctx);
    um_sc_norm_free(&s->norm);
    um_sc_lists_free(&s->lists);
    for (size_t i = 0; i < s->n_warn; i++) um_free(s->warn[i]);
    um_free(s->warn);
    um_free(s->info);
    um_free(s->uoff);
    um_free(s->cn_lname);
    um_free(s->cn_type);
    um_free(s->cn_L);
    um_free(s->cn_nld);
    um_free(s->cn_has);
    um_free(s->units);
    um_free(s->is_entity_name);
    um_map_free(&s->keys);
    um_map_free(&s->idents);
    um_free(s->keystr);
    um_free(s->keylen);
    um_free(s->poff);
    um_free(s->post);
    um_free(s);
}

const char *um_screener_errmsg(const um_screener *s) { return s ? s->err : "out of memory"; }
const char *um_screener_warning(const um_screener *s, size_t i) { return s && i < s->n_warn ? s->warn[i] : NULL; }
size_t um_screener_list_count(const um_screener *s) { return s && s->info ? s->lists.n_files : 0; }
const um_list_info *um_screener_list(const um_screener *s, size_t i) {
    return s && s->info && i < s->lists.n_files ? &s->info[i] : NULL;
}
void um_screener_size(const um_screener *s, size_t *entries, size_t *names) {
    if (entries) *entries = s ? s->lists.n_e : 0;
    if (names) *names = s ? s->lists.n_nm : 0;
}

/* ---- similarity ------------------------------------------------------------ */

static int lev(const char *a, int n, const char *b, int m) {
    int row[UM_SC_KEYLEN + 1];
    if (n > UM_SC_KEYLEN) n = UM_SC_KEYLEN;
    if (m > UM_SC_KEYLEN) m = UM_SC_KEYLEN;
    for (int j = 0; j <= m; j++) row[j] = j;
    for (int i = 1; i <= n; i++) {
        int prev = row[0];
        row[0] = i;
        for (int j = 1; j <= m; j++) {
            int cur = row[j];
            int v = prev + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < v) v = row[j] + 1;
            if (row[j - 1] + 1 < v) v = row[j - 1] + 1;
            row[j] = v;
            prev = cur;
        }
    }
    return row[m];
}

static double ratio(const char *a, const char *b) {
    int n = (int)strlen(a), m = (int)strlen(b);
    int mx = n > m ? n : m;
    if (!mx) return 0;
    return 1.0 - (double)lev(a, n, b, m) / mx;
}

typedef struct qunit {
    um_sc_unit u;
    uint32_t key;
    int keylen, rawlen;
} qunit;

/* kind: 0 exact spelling, 1 variant (same key), 2 near (spelling) */
static double unit_sim(const um_screener *s, const qunit *q, const cunit *l, int *kind) {
    if (kind) *kind = 2;
    if (q->key != NO_KEY && q->key == l->key) {
        if (kind) *kind = strcmp(q->u.raw, l->raw) == 0 ? 0 : 1;
        return 1.0;
    }
    uint8_t f = q->u.flags | l->flags;
    if (f & (UM_SCU_GENERIC | UM_SCU_NUMBER)) return 0;
    if ((q->u.flags & UM_SCU_KOREAN) && (l->flags & UM_SCU_KOREAN)) return 0; /* another syllable */
    const char *lk = s->keystr[l->key];
    /* 0.75 needs both lengths close and at least 4 letters: check before the edit distance */
    int ql = q->keylen, ll = s->keylen[l->key];
    int qr = q->rawlen, lr = l->rawlen;
    bool key_ok = 4 * abs(ql - ll) <= (ql > ll ? ql : ll) && (ql > ll ? ql : ll) >= 4;
    bool raw_ok = 4 * abs(qr - lr) <= (qr > lr ? qr : lr) && (qr > lr ? qr : lr) >= 4;
    if (!key_ok && !raw_ok) return 0;
    double r = key_ok ? ratio(q->u.key, lk) : 0;
    double r2 = raw_ok ? ratio(q->u.raw, l->raw) : 0;
    if (r2 > r) r = r2;
    if (r < 0.75) return 0;
    if ((q->u.flags & UM_SCU_KOREAN) || (l->flags & UM_SCU_KOREAN)) r *= 0.8;
    return r;
}

typedef struct pairing {
    int n;
    int qi[UM_SC_MAX_UNITS], li[UM_SC_MAX_UNITS], kind[UM_SC_MAX_UNITS];
    double sim[UM_SC_MAX_UNITS];
    double Q, L, M, dice, pen, order, cap, name;
    int unmatched_q, unmatched_l;
    const char *cap_reason;
} pairing;

static void score_name(const um_screener *s, const qunit *q, int nq, const cunit *l, int nl, pairing *p,
                       bool kinds) {
    memset(p, 0, sizeof *p);
    double sim[UM_SC_MAX_UNITS][UM_SC_MAX_UNITS];
    int kind[UM_SC_MAX_UNITS][UM_SC_MAX_UNITS];
    for (int i = 0; i < nq; i++)
        for (int j = 0; j < nl; j++) sim[i][j] = unit_sim(s, &q[i], &l[j], kinds ? &kind[i][j] : NULL);
    bool qused[UM_SC_MAX_UNITS] = {0}, lused[UM_SC_MAX_UNITS] = {0};
    for (;;) { /* greedy best pair; ties: heavier, then earlier */
        int bi = -1, bj = -1;
        double best = 0, bw = 0;
        for (int i = 0; i < nq; i++) {
            if (qused[i]) continue;
            for (int j = 0; j < nl; j++) {
                if (lused[j] || sim[i][j] <= 0) continue;
                double w = q[i].u.w + l[j].w;
                if (sim[i][j] > best + 1e-9 || (fabs(sim[i][j] - best) < 1e-9 && w > bw)) {
                    best = sim[i][j];
                    bw = w;
                    bi = i;
                    bj = j;
                }
            }
        }
        if (bi < 0) break;
        qused[bi] = lused[bj] = true;
        p->qi[p->n] = bi;
        p->li[p->n] = bj;
        p->sim[p->n] = best;
        p->kind[p->n] = kinds ? kind[bi][bj] : 2;
        p->n++;
    }
    for (int i = 0; i < nq; i++) p->Q += q[i].u.w;
    for (int j = 0; j < nl; j++) p->L += l[j].w;
    double md = 0, ld = 0;
    bool given = false;
    for (int k = 0; k < p->n; k++) {
        const qunit *a = &q[p->qi[k]];
        const cunit *b = &l[p->li[k]];
        p->M += p->sim[k] * (a->u.w + b->w) / 2;
        if (!(b->flags & UM_SCU_GENERIC)) md += p->sim[k] * b->w;
        if (!(b->flags & UM_SCU_SURNAME) && !(a->u.flags & UM_SCU_SURNAME) && !(b->flags & UM_SCU_GENERIC))
            given = true;
    }
    for (int j = 0; j < nl; j++)
        if (!(l[j].flags & UM_SCU_GENERIC)) ld += l[j].w;
    p->dice = p->Q + p->L > 0 ? 2 * p->M / (p->Q + p->L) : 0;
    p->pen = 1;
    for (int i = 0; i < nq; i++)
        if (!qused[i] && q[i].u.w >= 0.5f && !(q[i].u.flags & UM_SCU_GENERIC)) p->unmatched_q++, p->pen *= 0.8;
    for (int j = 0; j < nl; j++)
        if (!lused[j] && l[j].w >= 0.5f && !(l[j].flags & UM_SCU_GENERIC)) p->unmatched_l++, p->pen *= 0.8;
    /* order: list positions read in query order must be increasing up to
     * one rotation (a surname moved to the other end) */
    int seq[UM_SC_MAX_UNITS], ns = 0;
    for (int i = 0; i < nq; i++)
        for (int k = 0; k < p->n; k++)
            if (p->qi[k] == i) seq[ns++] = p->li[k];
    int drops = 0;
    for (int k = 1; k < ns; k++) drops += seq[k] < seq[k - 1];
    if (ns > 1 && drops == 1 && seq[ns - 1] > seq[0]) drops = 2; /* not a rotation */
    p->order = drops > 1 ? 0.9 : 1.0;
    p->cap = 1.0;
    if (md <= 0 || md < 0.5 * ld) {
        p->cap = 0.5;
        p->cap_reason = "only generic words or a minority of the listed name paired";
    } else if (!given) {
        p->cap = 0.5;
        p->cap_reason = "only a surname paired";
    }
    double v = p->dice * p->pen * p->order;
    p->name = v < p->cap ? v : p->cap;
}

/* ---- results ----------------------------------------------------------------- */

static um_screen_result *result_new(void) {
    um_screen_result *r = um_calloc(1, sizeof *r);
    if (r) um_arena_init(&r->arena);
    return r;
}

static um_screen_match *result_add(um_screen_result *r) {
    if (!um_grow((void **)&r->m, &r->cap, r->n + 1, sizeof *r->m)) return NULL;
    um_screen_match *m = &r->m[r->n++];
    memset(m, 0, sizeof *m);
    return m;
}

size_t um_screen_result_count(const um_screen_result *r) { return r ? r->n : 0; }
const um_screen_match *um_screen_result_match(const um_screen_result *r, size_t i) {
    return r && i < r->n ? &r->m[i] : NULL;
}
const char *um_screen_result_query(const um_screen_result *r) { return r && r->query ? r->query : ""; }
void um_screen_result_free(um_screen_result *r) {
    if (!r) return;
    um_free(r->m);
    um_arena_free(&r->arena);
    um_free(r);
}

/* ---- name screening ----------------------------------------------------------- */

static bool dob_agrees(const um_sc_dob *l, const um_sc_dob *q, bool *exact) {
    *exact = false;
    if (q->y0 < l->y0 || q->y0 > l->y1) return false;
    if (l->y0 == l->y1 && l->m && q->m && l->m != q->m) return false;
    if (l->y0 == l->y1 && l->d && q->d && l->d != q->d) return false;
    *exact = l->y0 == l->y1 && l->m && q->m && l->d && q->d;
    return true;
}

typedef struct cand {
    uint32_t entry, name; /* name: compiled name */
    int form;             /* query form that scored it */
    double score, name_score;
    double adj_dob, adj_nat;
} cand;

static int cmp_cand(const void *a, const void *b) {
    const cand *x = a, *y = b;
    if (x->score != y->score) return x->score < y->score ? 1 : -1;
    return x->entry < y->entry ? -1 : x->entry > y->entry;
}

static const char *kind_word(int k) { return k == 0 ? "exact" : k == 1 ? "variant" : "near"; }

/* "%.2f" without printf (explanations are built for every match) */
static void add_fix2(um_buf *b, double v) {
    if (!(v == v)) v = 0;
    if (v < 0) {
        um_buf_addc(b, '-');
        v = -v;
    }
    if (v > 1e6) v = 1e6;
    long long x = (long long)nearbyint(v * 100);
    char t[32];
    int n = 0;
    long long ip = x / 100;
    int fp = (int)(x % 100);
    char d[24];
    int nd = 0;
    do d[nd++] = (char)('0' + ip % 10), ip /= 10;
    while (ip && nd < 20);
    while (nd) t[n++] = d[--nd];
    t[n++] = '.';
    t[n++] = (char)('0' + fp / 10);
    t[n++] = (char)('0' + fp % 10);
    um_buf_add(b, t, (size_t)n);
}

static void add_int(um_buf *b, int v) {
    char t[16];
    int n = 0;
    if (v < 0) v = 0;
    do t[n++] = (char)('0' + v % 10), v /= 10;
    while (v && n < 15);
    while (n) um_buf_addc(b, t[--n]);
}

static void explain(const um_screener *s, um_screen_result *r, um_screen_match *m, const cand *c, const qunit *q,
                    int nq, const um_sc_dob *qd, const char *qcc) {
    const um_sc_entry *e = &s->lists.e[c->entry];
    const cunit *l = &s->units[s->uoff[c->name]];
    int nl = (int)(s->uoff[c->name + 1] - s->uoff[c->name]);
    pairing p;
    score_name(s, q, nq, l, nl, &p, true);
    um_buf b;
    um_buf_init(&b);
    const um_sc_lname *ln = &s->lists.nm[s->cn_lname[c->name]];
    um_buf_adds(&b, e->list);
    um_buf_addc(&b, ' ');
    um_buf_adds(&b, e->uid);
    um_buf_adds(&b, " \"");
    um_buf_adds(&b, e->primary);
    um_buf_adds(&b, "\" (");
    um_buf_adds(&b, type_name(e->type));
    um_buf_adds(&b, ") via ");
    um_buf_adds(&b, ln->kind);
    um_buf_adds(&b, " \"");
    um_buf_adds(&b, ln->name);
    um_buf_adds(&b, "\": ");
    double tot = p.Q + p.L;
    for (int k = 0; k < p.n; k++) {
        const qunit *a = &q[p.qi[k]];
        const cunit *bb = &l[p.li[k]];
        double contrib = tot > 0 ? p.sim[k] * (a->u.w + bb->w) / tot : 0;
        if (k) um_buf_adds(&b, "; ");
        um_buf_adds(&b, a->u.raw);
        um_buf_addc(&b, '=');
        um_buf_adds(&b, bb->raw);
        um_buf_adds(&b, " (");
        um_buf_adds(&b, kind_word(p.kind[k]));
        if (p.kind[k] == 1) {
            um_buf_adds(&b, " key ");
            um_buf_adds(&b, s->keystr[bb->key]);
        }
        um_buf_adds(&b, ", sim ");
        add_fix2(&b, p.sim[k]);
        um_buf_adds(&b, ", +");
        add_fix2(&b, contrib);
        um_buf_addc(&b, ')');
        if ((bb->flags & UM_SCU_SURNAME) || (a->u.flags & UM_SCU_SURNAME)) um_buf_adds(&b, " [surname, low weight]");
        if (bb->flags & UM_SCU_GENERIC) um_buf_adds(&b, " [generic word]");
        if (bb->flags & UM_SCU_SCRIPT) um_buf_adds(&b, " [original script]");
    }
    bool first = true;
    for (int i = 0; i < nq; i++) {
        bool used = false;
        for (int k = 0; k < p.n; k++) used |= p.qi[k] == i;
        if (used) continue;
        um_buf_adds(&b, first ? "; query only: " : ", ");
        um_buf_adds(&b, q[i].u.raw);
        first = false;
    }
    first = true;
    for (int j = 0; j < nl; j++) {
        bool used = false;
        for (int k = 0; k < p.n; k++) used |= p.li[k] == j;
        if (used) continue;
        um_buf_adds(&b, first ? "; list only: " : ", ");
        um_buf_adds(&b, l[j].raw);
        first = false;
    }
    um_buf_adds(&b, "; name score ");
    add_fix2(&b, p.name);
    um_buf_adds(&b, " (dice ");
    add_fix2(&b, p.dice);
    if (p.unmatched_q + p.unmatched_l) {
        um_buf_adds(&b, " x0.8^");
        add_int(&b, p.unmatched_q + p.unmatched_l);
        um_buf_adds(&b, " unpaired");
    }
    if (p.order < 1) um_buf_adds(&b, " x0.9 order");
    if (p.cap < 1 && p.cap_reason) {
        um_buf_adds(&b, ", capped ");
        add_fix2(&b, p.cap);
        um_buf_adds(&b, ": ");
        um_buf_adds(&b, p.cap_reason);
    }
    um_buf_adds(&b, ")");
    if (qd) {
        if (!e->n_dob) um_buf_adds(&b, "; DOB: none listed");
        else if (c->adj_dob < 0) {
            um_buf_adds(&b, "; DOB disagrees with every listed DOB ");
            add_fix2(&b, c->adj_dob);
        } else {
            um_buf_adds(&b, "; DOB agrees +");
            add_fix2(&b, c->adj_dob);
        }
    }
    if (qcc) {
        um_buf_adds(&b, c->adj_nat < 0 ? "; nationality " : "; country ");
        um_buf_adds(&b, qcc);
        if (c->adj_nat < 0) {
            um_buf_adds(&b, " not listed ");
            add_fix2(&b, c->adj_nat);
        } else if (c->adj_nat > 0) {
            um_buf_adds(&b, " listed +");
            add_fix2(&b, c->adj_nat);
        } else {
            um_buf_adds(&b, ": no nationality listed");
        }
    }
    um_buf_adds(&b, "; score ");
    add_fix2(&b, c->score);
    m->explanation = b.oom ? "(explanation unavailable: out of memory)" : um_arena_strdup(&r->arena, b.s);
    um_buf_free(&b);
}

static const char *describe_query(um_screen_result *r, const qunit *q, int nq) {
    um_buf b;
    um_buf_init(&b);
    for (int i = 0; i < nq; i++) { /* no printf: this runs for every query */
        if (i) um_buf_addc(&b, ' ');
        um_buf_adds(&b, q[i].u.raw);
        um_buf_adds(&b, "->");
        um_buf_adds(&b, q[i].u.key);
        um_buf_adds(&b, (q[i].u.flags & UM_SCU_GENERIC) ? "(generic)"
                        : (q[i].u.flags & UM_SCU_SURNAME) ? "(surname)"
                                                          : "");
    }
    const char *out = b.oom ? "" : um_arena_strdup(&r->arena, b.s ? b.s : "");
    um_buf_free(&b);
    return out;
}

typedef struct qform {
    qunit q[UM_SC_MAX_UNITS];
    int nq;
    double Q; /* sum of all weights */
} qform;

static void make_form(const um_screener *s, const um_sc_name *qn, qform *f) {
    f->nq = qn->n;
    f->Q = 0;
    for (int i = 0; i < qn->n; i++) {
        f->q[i].u = qn->u[i];
        f->q[i].keylen = (int)strlen(qn->u[i].key);
        f->q[i].rawlen = (int)strlen(qn->u[i].raw);
        f->q[i].key = key_lookup(s, qn->u[i].key, (size_t)f->q[i].keylen);
        f->Q += qn->u[i].w;
    }
}

#define CANDS_INLINE 32

typedef struct cands {
    cand *c;
    size_t n, cap;
    cand inl[CANDS_INLINE];
} cands;

static bool cands_push(cands *cs, const cand *c) {
    if (cs->n == cs->cap) {
        size_t nc = cs->cap * 2;
        cand *m = um_malloc(nc * sizeof *m);
        if (!m) return false;
        memcpy(m, cs->c, cs->n * sizeof *m);
        if (cs->c != cs->inl) um_free(cs->c);
        cs->c = m;
        cs->cap = nc;
    }
    cs->c[cs->n++] = *c;
    return true;
}

/* Upper bound on score_name() for query q against compiled name ni, from
 * which query units have their key in the name (exact), which can at most
 * pair by spelling (non-Korean units with anything, Korean ones with a
 * non-Korean unit, x0.8) and which cannot pair at all; each of the latter,
 * and each distinctive list unit left over once every pairable query unit
 * has a partner, costs the 0.8 factor. */
static double bound(const um_screener *s, const qform *f, uint32_t ni) {
    const cunit *l = &s->units[s->uoff[ni]];
    int nl = (int)(s->uoff[ni + 1] - s->uoff[ni]);
    uint8_t has = s->cn_has[ni];
    double Qs = 0;
    int P = 0, D = 0;
    for (int i = 0; i < f->nq; i++) {
        const qunit *q = &f->q[i];
        double smax = 0;
        bool exact = false;
        if (q->key != NO_KEY)
            for (int j = 0; j < nl && !exact; j++) exact = l[j].key == q->key;
        if (exact) smax = 1;
        else if (q->u.flags & (UM_SCU_GENERIC | UM_SCU_NUMBER)) smax = 0;
        else if (q->u.flags & UM_SCU_KOREAN) smax = (has & CN_HAS_LATIN) ? 0.8 : 0;
        else smax = (has & CN_HAS_LATIN) ? 1 : (has & CN_HAS_KOREAN) ? 0.8 : 0;
        if (smax > 0) {
            P++;
            Qs += smax * q->u.w;
        } else if (q->u.w >= 0.5f && !(q->u.flags & UM_SCU_GENERIC)) {
            D++;
        }
    }
    double L = s->cn_L[ni];
    if (f->Q + L <= 0) return 0;
    double dice = (Qs + (L < P ? L : P)) / (f->Q + L);
    int un = D + (s->cn_nld[ni] > P ? s->cn_nld[ni] - P : 0);
    double pen = 1;
    for (int k = 0; k < un && pen > 1e-3; k++) pen *= 0.8;
    return dice * pen;
}

/* does compiled name ni hold key id k (as a candidate key: not through a
 * generic unit) or prefix key id k? */
static bool name_has(const um_screener *s, uint32_t ni, uint32_t k) {
    for (uint32_t j = s->uoff[ni]; j < s->uoff[ni + 1]; j++) {
        const cunit *c = &s->units[j];
        if ((c->key == k && !(c->flags & UM_SCU_GENERIC)) || c->pkey == k) return true;
    }
    return false;
}

#define MAX_QKEYS (UM_SC_MAX_UNITS * 2)

static um_status collect(const um_screener *s, const um_screen_query *qq, const qform *f, int form, bool have_dob,
                         const um_sc_dob *qd, const char *qcc, double thr, cands *out) {
    const qunit *q = f->q;
    int nq = f->nq;
    uint32_t kid[MAX_QKEYS], kdf[MAX_QKEYS];
    float kw[MAX_QKEYS];
    int nk = 0;
    /* A surname alone never carries a match (capped at 0.5), so its long
     * posting list (Kim, Ri, Pak) is skipped when the query has more. */
    int distinct = 0;
    for (int i = 0; i < nq; i++) distinct += !(q[i].u.flags & UM_SCU_GENERIC);
    double gen_w = 0;
    for (int i = 0; i < nq; i++) {
        if (q[i].u.flags & UM_SCU_GENERIC) continue;
        if ((q[i].u.flags & UM_SCU_SURNAME) && distinct > 1) continue;
        gen_w += q[i].u.w;
        uint32_t ids[2] = {q[i].key, NO_KEY};
        char pk[8];
        if (prefix_key(&q[i].u, pk)) ids[1] = key_lookup(s, pk, 4);
        for (int j = 0; j < 2; j++) {
            if (ids[j] == NO_KEY) continue;
            bool dup = false;
            for (int k = 0; k < nk; k++) dup |= kid[k] == ids[j];
            if (dup) continue;
            uint32_t df = s->poff[ids[j] + 1] - s->poff[ids[j]];
            if (df > MAX_DF) continue;
            kid[nk] = ids[j];
            kdf[nk] = df;
            kw[nk] = j ? q[i].u.w * 0.5f : q[i].u.w;
            nk++;
        }
    }
    if (!nk) return UM_OK;
    /* A name qualifies with key weight >= need. Walk the posting lists of the
     * rarest keys only: a name in none of them holds at most the weight of
     * the other keys, and once that is below need it cannot qualify. */
    float need = (float)(0.5 * gen_w);
    int ord[MAX_QKEYS];
    for (int k = 0; k < nk; k++) {
        int j = k;
        while (j > 0 && kdf[ord[j - 1]] > kdf[k]) ord[j] = ord[j - 1], j--;
        ord[j] = k;
    }
    double rest = 0;
    for (int k = 0; k < nk; k++) rest += kw[k];
    int nwalk = 0;
    while (nwalk < nk && !(rest < (double)need - 1e-4)) rest -= kw[ord[nwalk++]];
    uint32_t cur[MAX_QKEYS], end[MAX_QKEYS];
    for (int k = 0; k < nwalk; k++) {
        cur[k] = s->poff[kid[ord[k]]];
        end[k] = s->poff[kid[ord[k]] + 1];
    }
    double floor_name = thr - MAX_BONUS - 1e-6;
    for (;;) {
        uint32_t ni = NO_KEY;
        for (int k = 0; k < nwalk; k++)
            if (cur[k] < end[k] && s->post[cur[k]] < ni) ni = s->post[cur[k]];
        if (ni == NO_KEY) break;
        for (int k = 0; k < nwalk; k++)
            if (cur[k] < end[k] && s->post[cur[k]] == ni) cur[k]++;
        uint8_t ty = s->cn_type[ni];
        if (qq->type == UM_SCREEN_PERSON && ty != UM_SC_T_PERSON && ty != UM_SC_T_UNKNOWN) continue;
        if (qq->type == UM_SCREEN_ENTITY && ty == UM_SC_T_PERSON) continue;
        float w = 0; /* summed in key order, as the posting walk used to */
        for (int k = 0; k < nk; k++)
            if (name_has(s, ni, kid[k])) w += kw[k];
        if (w < need) continue;
        if (bound(s, f, ni) < floor_name) continue;
        pairing p;
        score_name(s, q, nq, &s->units[s->uoff[ni]], (int)(s->uoff[ni + 1] - s->uoff[ni]), &p, false);
        if (p.name < floor_name) continue;
        uint32_t ei = s->lists.nm[s->cn_lname[ni]].entry;
        const um_sc_entry *e = &s->lists.e[ei];
        cand c = {ei, ni, form, 0, p.name, 0, 0};
        if (have_dob && e->n_dob) {
            bool any = false, exact = false;
            for (int k = 0; k < e->n_dob; k++) {
                bool ex;
                if (dob_agrees(&e->dob[k], qd, &ex)) any = true, exact |= ex;
            }
            c.adj_dob = !any ? -0.25 : exact ? 0.05 : 0.02;
        }
        if (qcc) {
            bool in_nat = false, in_cc = false;
            for (int k = 0; k < e->n_nat; k++) in_nat |= strcmp(e->nat[k], qcc) == 0;
            for (int k = 0; k < e->n_cc; k++) in_cc |= strcmp(e->cc[k], qcc) == 0;
            c.adj_nat = e->n_nat ? (in_nat ? 0.03 : -0.10) : (in_cc ? 0.02 : 0);
        }
        c.score = c.name_score + c.adj_dob + c.adj_nat;
        if (c.score > 1) c.score = 1;
        if (c.score < 0) c.score = 0;
        if (c.score + 1e-9 < thr) continue;
        bool merged = false; /* best name per entry */
        for (size_t k = 0; k < out->n; k++)
            if (out->c[k].entry == ei) {
                if (c.score > out->c[k].score + 1e-12) out->c[k] = c;
                merged = true;
                break;
            }
        if (!merged && !cands_push(out, &c)) return UM_ENOMEM;
    }
    return UM_OK;
}

um_status um_screen_name(const um_screener *s, const um_screen_query *qq, um_screen_result **out) {
    *out = NULL;
    if (!s || !qq || !qq->name) return UM_EINVAL;
    um_sc_dob qd;
    bool have_dob = qq->dob && *qq->dob;
    if (have_dob && !um_sc_parse_dob(qq->dob, &qd)) return UM_EINVAL;
    const char *qcc = qq->country && *qq->country ? um_sc_country_code(qq->country, strlen(qq->country)) : NULL;
    if (qq->country && *qq->country && !qcc) return UM_EINVAL;
    double thr = qq->threshold > 0 ? qq->threshold : DEFAULT_THRESHOLD;
    size_t limit = qq->limit ? qq->limit : DEFAULT_LIMIT;
    um_screen_result *r = result_new();
    if (!r) return UM_ENOMEM;
    *out = r;
    int want = qq->type == UM_SCREEN_ENTITY ? 1 : qq->type == UM_SCREEN_PERSON ? 0 : -1;
    um_sc_name qn[UM_SC_MAX_FORMS];
    int nforms = um_sc_norm_forms(&s->norm, qq->name, want, true, qn, NULL);
    qform f[UM_SC_MAX_FORMS];
    for (int i = 0; i < nforms; i++) make_form(s, &qn[i], &f[i]);
    r->query = describe_query(r, f[0].q, f[0].nq);
    cands cs;
    cs.c = cs.inl;
    cs.n = 0;
    cs.cap = CANDS_INLINE;
    um_status st = UM_OK;
    for (int i = 0; i < nforms && st == UM_OK; i++)
        if (f[i].nq) st = collect(s, qq, &f[i], i, have_dob, &qd, qcc, thr, &cs);
    if (st == UM_OK && cs.n) {
        qsort(cs.c, cs.n, sizeof *cs.c, cmp_cand);
        for (size_t k = 0; k < cs.n && k < limit; k++) {
            um_screen_match *m = result_add(r);
            if (!m) {
                st = UM_ENOMEM;
                break;
            }
            const cand *c = &cs.c[k];
            const um_sc_entry *e = &s->lists.e[c->entry];
            const um_sc_lname *ln = &s->lists.nm[s->cn_lname[c->name]];
            m->list = e->list;
            m->uid = e->uid;
            m->entry_name = e->primary;
            m->matched_name = ln->name;
            m->alias_kind = ln->kind;
            m->entry_type = type_name(e->type);
            m->score = floor(c->score * 1000 + 0.5) / 1000;
            explain(s, r, m, c, f[c->form].q, f[c->form].nq, have_dob ? &qd : NULL, qcc);
        }
    }
    if (cs.c != cs.inl) um_free(cs.c);
    return st;
}

/* ---- identifiers ------------------------------------------------------------- */

um_status um_screen_identifier(const um_screener *s, const char *kind, const char *value, um_screen_result **out) {
    *out = NULL;
    if (!s || !kind || !value) return UM_EINVAL;
    um_screen_result *r = result_new();
    if (!r) return UM_ENOMEM;
    *out = r;
    char v[1024];
    snprintf(v, sizeof v, "%s", value);
    char *canon = NULL;
    const char *type = NULL;
    if (um_streq_ci(kind, "email")) canon = um_canon_email(&r->arena, v), type = "email";
    else if (um_streq_ci(kind, "wallet")) canon = um_canon_wallet(&r->arena, v), type = "wallet";
    else if (um_streq_ci(kind, "github")) canon = um_canon_handle(&r->arena, v), type = "github";
    else if (um_streq_ci(kind, "telegram")) canon = um_canon_handle(&r->arena, v), type = "telegram";
    else if (um_streq_ci(kind, "phone")) canon = um_canon_phone(&r->arena, v), type = "phone";
    else return UM_EINVAL;
    r->query = canon ? canon : "";
    if (!canon || !*canon) return UM_OK;
    /* EVM addresses are case-insensitive: um_canon_wallet lower-cases them */
    const um_ioc_hit *h = s->ctx ? um_ioc_lookup(um_ctx_ioc(s->ctx), type, canon) : NULL;
    if (h) {
        um_screen_match *m = result_add(r);
        if (!m) return UM_ENOMEM;
        m->list = h->sanctioned ? "indicator list (OFAC-sourced)" : "indicator list";
        m->uid = h->source;
        m->entry_name = h->note;
        m->matched_name = h->value;
        m->alias_kind = "identifier";
        m->entry_type = h->type;
        m->score = 1.0;
        m->explanation = um_arena_printf(&r->arena, "exact %s match after canonicalisation (%s -> %s) in data/ioc (%s); %s",
                                         h->type, value, canon, h->sanctioned ? "sanctioned source" : "published OSINT",
                                         h->note);
    }
    char key[1100];
    int n = snprintf(key, sizeof key, "%s\x1f%s", type, canon);
    uintptr_t id = n > 0 && (size_t)n < sizeof key ? (uintptr_t)um_map_get(&s->idents, key, (size_t)n) : 0;
    if (id) {
        const um_sc_ident *x = &s->lists.id[id - 1];
        const um_sc_entry *e = &s->lists.e[x->entry];
        um_screen_match *m = result_add(r);
        if (!m) return UM_ENOMEM;
        m->list = e->list;
        m->uid = e->uid;
        m->entry_name = e->primary;
        m->matched_name = x->value;
        m->alias_kind = "identifier";
        m->entry_type = type_name(e->type);
        m->score = 1.0;
        m->explanation = um_arena_printf(&r->arena, "exact %s match after canonicalisation (%s -> %s) in the remarks of %s %s \"%s\"",
                                         type, value, canon, e->list, e->uid, e->primary);
    }
    return UM_OK;
}
