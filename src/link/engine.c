/*
 * engine.c - the linkage engine (link.h): blocking by value, Fellegi-Sunter
 * weights with EM-estimated m and frequency-based u, edges in tiers,
 * constrained clustering, laptop-farm groups, propagation.
 *
 * Memory: the sorted entry array (16 bytes per observation, plus the same
 * again while sorting), per-value and per-subject index arrays and the kept
 * edges. Candidate pairs are generated subject by subject into a scratch
 * list bounded by (values per subject x cap) and never stored: memory
 * grows with the input and the kept edges, not with candidate pairs.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "link.h"

static const struct {
    const char *name;
    int exclusive; /* 0 co-location, 1 exclusive, 2 exclusive but `possible` at most on its own */
    size_t cap;
} kinds[] = {
#define UM_LK_ROW(id, name, excl, cap) {name, excl, cap},
    UM_LK_KIND_LIST(UM_LK_ROW)
#undef UM_LK_ROW
};

/* m before EM, and for kinds EM cannot estimate (no candidate pair agrees
 * on them): P(two records of one operator share a value of this kind). */
static const double default_m[UM_LK__COUNT] = {
    [UM_LK_EMAIL] = 0.3, [UM_LK_PHONE] = 0.4, [UM_LK_LANDLINE] = 0.3, [UM_LK_PAYOUT] = 0.5,
    [UM_LK_WALLET] = 0.5, [UM_LK_SERIAL] = 0.3, [UM_LK_HANDLE] = 0.3, [UM_LK_RESUME] = 0.5,
    [UM_LK_PHOTO] = 0.3, [UM_LK_HOME] = 0.5, [UM_LK_SHIP] = 0.5, [UM_LK_IP] = 0.5,
    [UM_LK_REFERRAL] = 0.2, [UM_LK_NAME_DOB] = 0.5, [UM_LK_PERSON] = 0.9, [UM_LK_PERSON_POSSIBLE] = 0.9};

/* Shared by at most this many subjects, an exclusive value can make a
 * same_operator edge; above it (up to the cap) only a possible one. */
#define UM_LK_FEW 5
#define UM_LK_MIN_POP 1000

const char *um_lk_kind_name(um_lk_kind k) { return (unsigned)k < UM_LK__COUNT ? kinds[k].name : "?"; }
size_t um_lk_kind_cap(um_lk_kind k) { return (unsigned)k < UM_LK__COUNT ? kinds[k].cap : 0; }
bool um_lk_kind_exclusive(um_lk_kind k) { return (unsigned)k < UM_LK__COUNT && kinds[k].exclusive != 0; }
int um_lk_kind_from_name(const char *s) {
    for (int i = 0; i < UM_LK__COUNT; i++)
        if (strcmp(kinds[i].name, s) == 0) return i;
    return -1;
}
const char *um_lk_tier_name(um_lk_tier t) {
    switch (t) {
    case UM_LK_SAME: return "same_operator";
    case UM_LK_POSSIBLE: return "possible";
    case UM_LK_RELATED: return "related";
    default: return "none";
    }
}

typedef struct entry {
    uint64_t h;
    uint32_t subj, obs;
} entry;

_Static_assert(UM_LK__COUNT <= 16, "kind masks are 16 bits");
_Static_assert(sizeof(um_lk_obs) <= 56, "an observation is 56 bytes (a million people hold ~5 each)");

static bool same_value(const um_lk_obs *obs, uint32_t a, uint32_t b) {
    return obs[a].kind == obs[b].kind && strcmp(obs[a].value, obs[b].value) == 0;
}

static int cmp_entry_value(const void *x, const void *y, void *ctx) {
    const entry *a = x, *b = y;
    const um_lk_obs *obs = ctx;
    if (obs[a->obs].kind != obs[b->obs].kind) return obs[a->obs].kind < obs[b->obs].kind ? -1 : 1;
    int c = strcmp(obs[a->obs].value, obs[b->obs].value);
    if (c) return c;
    if (a->subj != b->subj) return a->subj < b->subj ? -1 : 1;
    return a->obs < b->obs ? -1 : a->obs > b->obs;
}

static uint64_t obs_hash(const um_lk_obs *o) {
    if (o->hash) return o->hash;
    const char *v = o->value ? o->value : "";
    return um_hash64(v, strlen(v), 0x9e3779b97f4a7c15ULL + o->kind) | 1;
}

/* Stable LSD radix sort by subject then by hash: entries end up ordered by
 * (hash, subject). tmp has n entries. */
static bool sort_entries(entry *e, entry *tmp, size_t n, size_t nsub) {
    size_t *cnt = um_calloc(nsub + 1, sizeof *cnt);
    if (!cnt) return false;
    for (size_t i = 0; i < n; i++) cnt[e[i].subj + 1]++;
    for (size_t i = 1; i <= nsub; i++) cnt[i] += cnt[i - 1];
    for (size_t i = 0; i < n; i++) tmp[cnt[e[i].subj]++] = e[i];
    um_free(cnt);
    size_t *c16 = um_malloc(65536 * sizeof *c16);
    if (!c16) return false;
    entry *src = tmp, *dst = e;
    for (int pass = 0; pass < 4; pass++) {
        int sh = pass * 16;
        memset(c16, 0, 65536 * sizeof *c16);
        for (size_t i = 0; i < n; i++) c16[(src[i].h >> sh) & 0xffff]++;
        size_t sum = 0;
        for (size_t b = 0; b < 65536; b++) {
            size_t c = c16[b];
            c16[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) dst[c16[(src[i].h >> sh) & 0xffff]++] = src[i];
        entry *t = src;
        src = dst;
        dst = t;
    }
    /* four passes: the result is back in tmp (src); copy to e */
    memcpy(e, src, n * sizeof *e);
    um_free(c16);
    return true;
}

typedef struct eng {
    const um_lk_obs *obs;
    const um_lk_options *opt;
    size_t ns;
    um_lk_result *r;
    /* value -> members (subject, obs) */
    uint32_t *vstart, *vsub, *vobs;
    /* subject -> value ids */
    uint32_t *sstart, *svals;
    double m[UM_LK__COUNT];
    /* scratch for pair generation */
    int32_t *mark;      /* subject -> slot, -1 */
    uint32_t *slot_t;   /* partner */
    uint32_t (*slot_v)[UM_LK__COUNT]; /* best value per kind (UINT32_MAX none) */
    size_t nslots, cap_slots;
    size_t cap_edges, cap_why;
    const um_lk_verdict *ver;
    /* pair partitions (um_lk_run_pairs): partition p's pairs, in pair
     * order, are part[p][0 .. npart[p]) */
    um_lk_piece *const *part;
    const size_t *npart;
    unsigned np;
} eng;


static bool same_home(const eng *g, uint32_t a, uint32_t b) {
    const char *const *h = g->opt->home;
    return h && h[a] && h[b] && h[a][0] && strcmp(h[a], h[b]) == 0;
}

/* Fills the scratch slots with the partners t > s of subject s and, per
 * kind, the rarest shared value. */
static bool gather(eng *g, uint32_t s) {
    g->nslots = 0;
    for (uint32_t i = g->sstart[s]; i < g->sstart[s + 1]; i++) {
        uint32_t v = g->svals[i];
        const um_lk_value *val = &g->r->values[v];
        for (uint32_t j = g->vstart[v]; j < g->vstart[v + 1]; j++) {
            uint32_t t = g->vsub[j];
            if (t <= s) continue;
            int32_t sl = g->mark[t];
            if (sl < 0) {
                if (g->nslots == g->cap_slots) {
                    size_t nc = g->cap_slots ? g->cap_slots * 2 : 256;
                    uint32_t *nt = um_realloc(g->slot_t, nc * sizeof *nt);
                    if (!nt) return false;
                    g->slot_t = nt;
                    void *nv = um_realloc(g->slot_v, nc * sizeof *g->slot_v);
                    if (!nv) return false;
                    g->slot_v = nv;
                    g->cap_slots = nc;
                }
                sl = (int32_t)g->nslots++;
                g->mark[t] = sl;
                g->slot_t[sl] = t;
                for (int k = 0; k < UM_LK__COUNT; k++) g->slot_v[sl][k] = UINT32_MAX;
            }
            uint32_t *best = &g->slot_v[sl][val->kind];
            if (*best == UINT32_MAX || g->r->values[*best].nsubjects > val->nsubjects) *best = v;
        }
    }
    for (size_t i = 0; i < g->nslots; i++) g->mark[g->slot_t[i]] = -1;
    return true;
}

static uint32_t obs_of(const eng *g, uint32_t v, uint32_t subj) {
    for (uint32_t j = g->vstart[v]; j < g->vstart[v + 1]; j++)
        if (g->vsub[j] == subj) return g->vobs[j];
    return UINT32_MAX;
}

static void run_em(eng *g, const uint64_t *pattern, size_t npat) {
    double m[UM_LK__COUNT], u[UM_LK__COUNT], lam = 0.1;
    for (int k = 0; k < UM_LK__COUNT; k++) {
        m[k] = 0.5;
        u[k] = 0.2;
        g->m[k] = default_m[k];
    }
    double total = 0;
    for (size_t p = 0; p < npat; p++) total += (double)pattern[p];
    int iters = g->opt->em_iterations > 0 ? g->opt->em_iterations : 25;
    if (total < 10 || g->opt->no_em) {
        g->r->stats.em_iterations = 0;
        return;
    }
    int it;
    for (it = 0; it < iters; it++) {
        double sm = 0, su = 0, am[UM_LK__COUNT] = {0}, au[UM_LK__COUNT] = {0};
        for (size_t p = 1; p < npat; p++) {
            if (!pattern[p]) continue;
            double lm = lam, lu = 1 - lam;
            for (int k = 0; k < UM_LK__COUNT; k++) {
                bool a = (p >> k) & 1;
                lm *= a ? m[k] : 1 - m[k];
                lu *= a ? u[k] : 1 - u[k];
            }
            double w = lm + lu > 0 ? lm / (lm + lu) : 0;
            double c = (double)pattern[p];
            sm += c * w;
            su += c * (1 - w);
            for (int k = 0; k < UM_LK__COUNT; k++)
                if ((p >> k) & 1) {
                    am[k] += c * w;
                    au[k] += c * (1 - w);
                }
        }
        lam = sm / total;
        if (lam < 1e-4) lam = 1e-4;
        if (lam > 0.9999) lam = 0.9999;
        for (int k = 0; k < UM_LK__COUNT; k++) {
            m[k] = sm > 0 ? am[k] / sm : m[k];
            u[k] = su > 0 ? au[k] / su : u[k];
            if (m[k] < 0.01) m[k] = 0.01;
            if (m[k] > 0.99) m[k] = 0.99;
            if (u[k] < 1e-6) u[k] = 1e-6;
            if (u[k] > 0.99) u[k] = 0.99;
        }
    }
    g->r->stats.em_iterations = it;
    g->r->stats.lambda = lam;
    for (int k = 0; k < UM_LK__COUNT; k++)
        if (g->r->stats.em_pairs[k] >= 3) g->m[k] = m[k]; /* enough agreeing pairs to estimate */
}

static int verdict_of(const eng *g, uint32_t a, uint32_t b) {
    for (size_t i = 0; i < g->opt->nverdicts; i++) {
        const um_lk_verdict *v = &g->opt->verdicts[i];
        if ((v->a == a && v->b == b) || (v->a == b && v->b == a)) return (int)v->kind;
    }
    return 0;
}

/* Where edges are made: the result's arrays, or a pair partition's own
 * (um_lk_run_pieces), merged into the result's afterwards. */
typedef struct elist {
    um_lk_edge *edges;
    size_t n, cap;
    um_lk_why *why;
    size_t nwhy, cap_why;
} elist;

/* The edge between s and t, whose rarest shared value of kind k is best[k]
 * (UINT32_MAX none), with the observations oa[k] / ob[k] of each side (NULL:
 * looked up in the holders): FS weight summed over kinds, tier by the
 * principles. */
static bool make_edge(eng *g, elist *L, uint32_t s, uint32_t t, const uint32_t *best, const uint32_t *oa,
                      const uint32_t *ob) {
    um_lk_result *r = g->r;
    bool home = same_home(g, s, t);
    double wx = 0, wall = 0;
    bool few = false, demoted = false;
    size_t why0 = L->nwhy;
    for (int k = 0; k < UM_LK__COUNT; k++) {
        uint32_t v = best[k];
        if (v == UINT32_MAX) continue;
        const um_lk_value *val = &r->values[v];
        bool excl = kinds[k].exclusive;
        if (excl && home && (k == UM_LK_PHONE || k == UM_LK_PAYOUT)) {
            excl = false; /* a household's landline or joint account */
            demoted = true;
        }
        if (excl) {
            wx += val->weight;
            if (val->nsubjects <= UM_LK_FEW && kinds[k].exclusive == 1) few = true;
        }
        wall += val->weight;
        if (!um_grow((void **)&L->why, &L->cap_why, L->nwhy + 1, sizeof *L->why)) return false;
        L->why[L->nwhy++] = (um_lk_why){(uint8_t)k, v, oa ? oa[k] : obs_of(g, v, s), ob ? ob[k] : obs_of(g, v, t),
                                        val->weight};
    }
    um_lk_tier tier = UM_LK_RELATED;
    if (wx > 0) tier = few && wx >= g->opt->same_weight ? UM_LK_SAME : UM_LK_POSSIBLE;
    int ver = g->opt->nverdicts ? verdict_of(g, s, t) : 0;
    if (ver == UM_LK_VERDICT_SAME) tier = UM_LK_SAME;
    else if (ver == UM_LK_VERDICT_DIFFERENT && tier > UM_LK_RELATED) tier = UM_LK_RELATED;
    if (!um_grow((void **)&L->edges, &L->cap, L->n + 1, sizeof *L->edges)) return false;
    L->edges[L->n++] = (um_lk_edge){s, t, tier, wall, (uint32_t)why0, (uint32_t)(L->nwhy - why0), demoted, ver != 0};
    return true;
}

/* ---- clustering ------------------------------------------------------------ */

typedef struct dsu {
    uint32_t *p, *size;
} dsu;

static uint32_t dfind(dsu *d, uint32_t x) {
    while (d->p[x] != x) {
        d->p[x] = d->p[d->p[x]];
        x = d->p[x];
    }
    return x;
}

typedef struct cpair {
    uint32_t a, b;   /* component roots, a < b */
    uint32_t count;  /* edges between */
    uint32_t best;   /* strongest edge index */
} cpair;

static int cmp_cpair_key(const void *x, const void *y) {
    const cpair *a = x, *b = y;
    if (a->a != b->a) return a->a < b->a ? -1 : 1;
    if (a->b != b->b) return a->b < b->b ? -1 : 1;
    return 0;
}

static int cmp_cpair_rank(const void *x, const void *y, void *ctx) {
    const cpair *a = x, *b = y;
    const um_lk_result *r = ctx;
    if (a->count != b->count) return a->count > b->count ? -1 : 1;
    double wa = r->edges[a->best].weight, wb = r->edges[b->best].weight;
    if (wa != wb) return wa > wb ? -1 : 1;
    return cmp_cpair_key(x, y);
}

static bool cannot_link(eng *g, dsu *d, uint32_t ra, uint32_t rb) {
    for (size_t i = 0; i < g->opt->nverdicts; i++) {
        const um_lk_verdict *v = &g->opt->verdicts[i];
        if (v->kind != UM_LK_VERDICT_DIFFERENT || v->a >= g->ns || v->b >= g->ns) continue;
        uint32_t x = dfind(d, v->a), y = dfind(d, v->b);
        if ((x == ra && y == rb) || (x == rb && y == ra)) return true;
    }
    return false;
}

/* Edges needed between two components to merge them: one while the result
 * has at most three members, else at least two and half the smaller side.
 * A chain (each member linked only to the next) therefore stops growing at
 * three; a team whose members share values with several others merges. */
static uint32_t support_needed(uint32_t sa, uint32_t sb) {
    if (sa + sb <= 3) return 1;
    uint32_t mn = sa < sb ? sa : sb, half = (mn + 1) / 2;
    return half > 2 ? half : 2;
}

/* A fuzzy person match (same_person / same_person_possible: the matcher's
 * pair after its gate, person.c) of at least UM_LK_PERSON_SUPPORT bits on
 * the strongest edge between two components: the records are one person by
 * their own fields (a name part and an identifying field agreeing), not by
 * a value others could share, so that edge alone is support enough while
 * the merged cluster has at most UM_LK_PERSON_CHAIN members (one person's
 * records across a company's exports; beyond it the support rule applies
 * again, so a chain of fuzzy matches still stops). */
#ifndef UM_LK_PERSON_SUPPORT
#define UM_LK_PERSON_SUPPORT 0.0
#endif
#ifndef UM_LK_PERSON_CHAIN
#define UM_LK_PERSON_CHAIN 10
#endif
static bool person_support(const um_lk_result *r, const um_lk_edge *ed) {
    for (uint32_t i = 0; i < ed->why_n; i++) {
        const um_lk_why *w = &r->why[ed->why_off + i];
        if ((w->kind == UM_LK_PERSON || w->kind == UM_LK_PERSON_POSSIBLE) && w->weight >= UM_LK_PERSON_SUPPORT)
            return true;
    }
    return false;
}

/* Merges components over edges of tier >= tier, in rounds; records the
 * spanning link of each merge in span[] (edge index, by new root). */
static bool cluster_tier(eng *g, dsu *d, um_lk_tier tier, int32_t *span_weakest) {
    um_lk_result *r = g->r;
    size_t maxc = g->opt->max_cluster ? g->opt->max_cluster : 50;
    cpair *cp = NULL;
    size_t cap = 0;
    bool ok = true;
    uint8_t *touched = um_calloc(g->ns ? g->ns : 1, 1);
    if (!touched) return false;
    for (int round = 0; round < 64; round++) {
        size_t n = 0;
        for (size_t e = 0; e < r->nedges; e++) {
            const um_lk_edge *ed = &r->edges[e];
            if (ed->tier < tier) continue;
            uint32_t a = dfind(d, ed->a), b = dfind(d, ed->b);
            if (a == b) continue;
            if (!um_grow((void **)&cp, &cap, n + 1, sizeof *cp)) {
                ok = false;
                break;
            }
            cp[n++] = (cpair){a < b ? a : b, a < b ? b : a, 1, (uint32_t)e};
        }
        if (!ok || n == 0) break;
        qsort(cp, n, sizeof *cp, cmp_cpair_key);
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            if (m && cp[m - 1].a == cp[i].a && cp[m - 1].b == cp[i].b) {
                cp[m - 1].count++;
                if (r->edges[cp[i].best].weight > r->edges[cp[m - 1].best].weight) cp[m - 1].best = cp[i].best;
            } else {
                cp[m++] = cp[i];
            }
        }
        qsort_r(cp, m, sizeof *cp, cmp_cpair_rank, r);
        size_t merged = 0;
        for (size_t i = 0; i < m; i++) {
            uint32_t a = cp[i].a, b = cp[i].b;
            if (touched[a] || touched[b]) continue; /* counts changed: next round */
            uint32_t sa = d->size[a], sb = d->size[b];
            bool forced = r->edges[cp[i].best].verdict && r->edges[cp[i].best].tier == UM_LK_SAME;
            bool person = sa + sb <= UM_LK_PERSON_CHAIN && person_support(r, &r->edges[cp[i].best]);
            if (!forced && (sa + sb > maxc || (cp[i].count < support_needed(sa, sb) && !person))) continue;
            if (cannot_link(g, d, a, b)) continue;
            uint32_t root = sa >= sb ? a : b, child = root == a ? b : a;
            d->p[child] = root;
            d->size[root] = sa + sb;
            int32_t wa = span_weakest[a], wb = span_weakest[b], be = (int32_t)cp[i].best;
            int32_t w = be;
            if (wa >= 0 && r->edges[wa].weight < r->edges[w].weight) w = wa;
            if (wb >= 0 && r->edges[wb].weight < r->edges[w].weight) w = wb;
            span_weakest[root] = w;
            touched[a] = touched[b] = 1;
            merged++;
        }
        for (size_t i = 0; i < m; i++) touched[cp[i].a] = touched[cp[i].b] = 0;
        if (!merged) break;
    }
    um_free(touched);
    um_free(cp);
    return ok;
}

static int cmp_u32(const void *x, const void *y) {
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

/* Snapshot of the components after a tier: every component of two or more
 * members that is not the same set as its cluster one tier tighter. */
static bool snapshot(eng *g, dsu *d, um_lk_tier tier, const int32_t *span_weakest) {
    um_lk_result *r = g->r;
    size_t ns = g->ns;
    int32_t *of = um_malloc((ns ? ns : 1) * sizeof *of);
    int32_t *root_cluster = um_malloc((ns ? ns : 1) * sizeof *root_cluster);
    if (!of || !root_cluster) {
        um_free(of);
        um_free(root_cluster);
        return false;
    }
    r->cluster_of[tier] = of;
    for (size_t i = 0; i < ns; i++) of[i] = root_cluster[i] = -1;
    size_t cap = r->nclusters;
    size_t first = r->nclusters;
    for (size_t i = 0; i < ns; i++) {
        uint32_t root = dfind(d, (uint32_t)i);
        if (d->size[root] < 2) continue;
        int32_t c = root_cluster[root];
        if (c < 0) {
            /* same members as the tighter tier's cluster: not a new cluster */
            if (tier < UM_LK_SAME) {
                int32_t prev = r->cluster_of[tier + 1][i];
                if (prev >= 0 && r->clusters[prev].nmembers == d->size[root]) {
                    root_cluster[root] = -2 - prev;
                    continue;
                }
            }
            if (!um_grow((void **)&r->clusters, &cap, r->nclusters + 1, sizeof *r->clusters)) return false;
            c = (int32_t)r->nclusters++;
            um_lk_cluster *cl = &r->clusters[c];
            memset(cl, 0, sizeof *cl);
            cl->tier = tier;
            cl->weakest = span_weakest[root];
            cl->parent = -1;
            cl->members = um_malloc(d->size[root] * sizeof *cl->members);
            if (!cl->members) return false;
            root_cluster[root] = c;
        } else if (c <= -2) {
            continue;
        }
        um_lk_cluster *cl = &r->clusters[c];
        cl->members[cl->nmembers++] = (uint32_t)i;
        of[i] = c;
    }
    /* a subject whose looser cluster is its tighter one points to that */
    for (size_t i = 0; i < ns; i++) {
        uint32_t root = dfind(d, (uint32_t)i);
        if (root_cluster[root] <= -2) of[i] = -2 - root_cluster[root];
    }
    um_free(root_cluster);
    for (size_t c = first; c < r->nclusters; c++) {
        um_lk_cluster *cl = &r->clusters[c];
        qsort(cl->members, cl->nmembers, sizeof *cl->members, cmp_u32);
        /* stable id: tier + smallest member id */
        char seed[256];
        const char *mid = g->opt->subject_ids ? g->opt->subject_ids[cl->members[0]] : NULL;
        int sn = mid ? snprintf(seed, sizeof seed, "%d|%s", (int)tier, mid)
                     : snprintf(seed, sizeof seed, "%d|#%u", (int)tier, cl->members[0]);
        uint64_t h = um_hash64(seed, (size_t)(sn > 0 ? sn : 0), 11);
        snprintf(cl->id, sizeof cl->id, "C-%012llx", (unsigned long long)(h & 0xffffffffffffULL));
        /* tighter clusters inside point here */
        if (tier < UM_LK_SAME)
            for (size_t k = 0; k < cl->nmembers; k++) {
                int32_t t = r->cluster_of[tier + 1][cl->members[k]];
                if (t >= 0 && t != (int32_t)c && r->clusters[t].tier > tier) r->clusters[t].parent = (int32_t)c;
            }
    }
    return true;
}

static bool cluster_edges(eng *g) {
    um_lk_result *r = g->r;
    size_t *caps = um_calloc(r->nclusters ? r->nclusters : 1, sizeof *caps);
    if (!caps) return false;
    for (size_t e = 0; e < r->nedges; e++) {
        const um_lk_edge *ed = &r->edges[e];
        for (int t = UM_LK_SAME; t >= UM_LK_RELATED; t--) {
            if (!r->cluster_of[t]) continue;
            int32_t ca = r->cluster_of[t][ed->a], cb = r->cluster_of[t][ed->b];
            if (ca < 0 || ca != cb || (int)r->clusters[ca].tier != t) continue;
            um_lk_cluster *cl = &r->clusters[ca];
            if (ed->tier < cl->tier) continue;
            if (!um_grow((void **)&cl->edges, &caps[ca], cl->nedges + 1, sizeof *cl->edges)) {
                um_free(caps);
                return false;
            }
            cl->edges[cl->nedges++] = (uint32_t)e;
            if (cl->nedges == 1 || ed->weight < cl->min_weight) cl->min_weight = ed->weight;
            if (cl->nedges == 1 || ed->weight > cl->max_weight) cl->max_weight = ed->weight;
        }
    }
    um_free(caps);
    return true;
}

/* Every word of a (a home key "street city zip") occurs in b (a ship-to
 * address that may add the state or country): the same place. */
static bool tokens_within(const char *a, const char *b) {
    size_t bl = strlen(b);
    while (*a) {
        const char *e = strchr(a, ' ');
        size_t n = e ? (size_t)(e - a) : strlen(a);
        bool found = false;
        for (const char *p = b; p && *p;) {
            const char *q = strchr(p, ' ');
            size_t m = q ? (size_t)(q - p) : (size_t)(b + bl - p);
            if (m == n && strncmp(p, a, n) == 0) found = true;
            p = q ? q + 1 : NULL;
        }
        if (!found) return false;
        a += n;
        while (*a == ' ') a++;
    }
    return true;
}

/* ---- laptop-farm groups ------------------------------------------------------- */

static bool farm_groups(eng *g) {
    um_lk_result *r = g->r;
    size_t fmin = g->opt->farm_min ? g->opt->farm_min : 3, cap = 0;
    for (uint32_t v = 0; v < r->nvalues; v++) {
        um_lk_value *val = &r->values[v];
        if (val->generic || (val->kind != UM_LK_SHIP && val->kind != UM_LK_IP)) continue;
        if (val->nsubjects < fmin) continue;
        const char *vs = g->obs[val->first_obs].value;
        const char *const *home = val->kind == UM_LK_IP && g->opt->city ? g->opt->city : g->opt->home;
        /* members whose claimed home differs from the value (ship-to) or
         * from each other (IP); a household sends laptops home */
        size_t away = 0, distinct = 0;
        for (uint32_t j = g->vstart[v]; j < g->vstart[v + 1]; j++) {
            const char *h = home ? home[g->vsub[j]] : NULL;
            if (val->kind == UM_LK_SHIP) {
                if (!h || !tokens_within(h, vs)) away++;
            }
            bool seen = false;
            for (uint32_t k = g->vstart[v]; k < j && h; k++) {
                const char *h2 = home[g->vsub[k]];
                if (h2 && strcmp(h2, h) == 0) seen = true;
            }
            if (h && !seen) distinct++;
        }
        /* ship-to: enough people who live elsewhere, unless every known home is
         * one and the same (then it is one household's other address) */
        bool farm = val->kind == UM_LK_SHIP ? away >= fmin && distinct != 1 : distinct >= fmin;
        if (!farm) continue;
        if (!um_grow((void **)&r->groups, &cap, r->ngroups + 1, sizeof *r->groups)) return false;
        um_lk_group *gr = &r->groups[r->ngroups++];
        gr->kind = val->kind;
        gr->value_id = v;
        gr->nmembers = g->vstart[v + 1] - g->vstart[v];
        gr->distinct_homes = distinct;
        gr->members = um_malloc(gr->nmembers * sizeof *gr->members);
        if (!gr->members) return false;
        memcpy(gr->members, g->vsub + g->vstart[v], gr->nmembers * sizeof *gr->members);
    }
    return true;
}

/* ---- candidate pairs from pair partitions ----------------------------------- */

/* The first value of the pair whose pieces start at q (pair order: its
 * pieces are consecutive), and how many pieces it has. */
static uint32_t pair_first(const um_lk_piece *q, size_t n, size_t *cnt) {
    uint32_t f = q[0].first;
    size_t j = 1;
    for (; j < n && q[j].a == q[0].a && q[j].b == q[0].b; j++)
        if (q[j].first < f) f = q[j].first;
    *cnt = j;
    return f;
}

/* Sums the partitions' agreement patterns (what a partition on another
 * machine can send: counts, summed here) and checks their order. */
static bool pairs_count(eng *g, uint64_t *pattern, bool *bad) {
    um_lk_result *r = g->r;
    for (unsigned p = 0; p < g->np; p++) {
        const um_lk_piece *q = g->part[p];
        size_t m = g->npart[p];
        uint32_t pa = 0, pf = 0, pb = 0;
        for (size_t i = 0; i < m;) {
            size_t cnt;
            uint32_t f = pair_first(q + i, m - i, &cnt);
            if (i && (q[i].a < pa || (q[i].a == pa && (f < pf || (f == pf && q[i].b <= pb))))) *bad = true;
            if (um_lk_pair_part(q[i].a, q[i].b, g->np) != p) *bad = true;
            pa = q[i].a, pf = f, pb = q[i].b;
            uint32_t pat = 0;
            for (size_t j = i; j < i + cnt; j++) {
                if (j > i && q[j].kind <= q[j - 1].kind) *bad = true;
                pat |= 1u << q[j].kind;
                r->stats.em_pairs[q[j].kind]++;
            }
            if (*bad) return true;
            r->stats.candidate_pairs++;
            pattern[pat]++;
            i += cnt;
        }
    }
    return true;
}

/* With m known: the partitions' pair streams, each in (a, first shared
 * value, b) order, merged in that order, the order gather() meets the
 * partners of a; each pair weighed and tiered into an edge. A pair met
 * twice (a partition that sent it twice) sets *bad. */
static bool pairs_edges(eng *g, elist *L, bool *bad) {
    size_t *at = um_calloc(g->np, sizeof *at);
    if (!at) return false;
    uint32_t best[UM_LK__COUNT], oa[UM_LK__COUNT], ob[UM_LK__COUNT];
    uint32_t cur_a = UINT32_MAX;
    size_t nseen = 0;
    bool ok = true;
    for (;;) {
        unsigned bp = UINT32_MAX;
        uint32_t bf = 0;
        size_t bcnt = 0;
        for (unsigned p = 0; p < g->np; p++) {
            if (at[p] == g->npart[p]) continue;
            const um_lk_piece *x = &g->part[p][at[p]];
            size_t cnt;
            uint32_t f = pair_first(x, g->npart[p] - at[p], &cnt);
            if (bp != UINT32_MAX) {
                const um_lk_piece *y = &g->part[bp][at[bp]];
                if (!(x->a < y->a || (x->a == y->a && (f < bf || (f == bf && x->b < y->b))))) continue;
            }
            bp = p, bf = f, bcnt = cnt;
        }
        if (bp == UINT32_MAX) break;
        const um_lk_piece *q = &g->part[bp][at[bp]];
        at[bp] += bcnt;
        if (q->a != cur_a) { /* partners of the last a: unmarked */
            for (size_t i = 0; i < nseen; i++) g->mark[g->slot_t[i]] = -1;
            nseen = 0;
            cur_a = q->a;
        }
        if (g->mark[q->b] >= 0) {
            *bad = true;
            break;
        }
        if (nseen == g->cap_slots) {
            size_t nc = g->cap_slots ? g->cap_slots * 2 : 256;
            uint32_t *nt = um_realloc(g->slot_t, nc * sizeof *nt);
            if (!nt) {
                ok = false;
                break;
            }
            g->slot_t = nt;
            g->cap_slots = nc;
        }
        g->mark[q->b] = 0;
        g->slot_t[nseen++] = q->b;
        for (int k = 0; k < UM_LK__COUNT; k++) best[k] = oa[k] = ob[k] = UINT32_MAX;
        for (size_t j = 0; j < bcnt; j++) {
            best[q[j].kind] = q[j].best;
            oa[q[j].kind] = q[j].obs_a;
            ob[q[j].kind] = q[j].obs_b;
        }
        if (!(ok = make_edge(g, L, q->a, q->b, best, oa, ob))) break;
    }
    for (size_t i = 0; i < nseen; i++) g->mark[g->slot_t[i]] = -1;
    um_free(at);
    return ok;
}

/* ---- the run ---------------------------------------------------------------- */

static int cmp_generic(const void *x, const void *y, void *ctx) {
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    const um_lk_value *g_vals = ctx;
    if (g_vals[a].nsubjects != g_vals[b].nsubjects) return g_vals[a].nsubjects > g_vals[b].nsubjects ? -1 : 1;
    return a < b ? -1 : a > b;
}

uint64_t um_lk_obs_hash(const um_lk_obs *o) { return obs_hash(o); }

void um_lk_blocked_free(um_lk_blocked *b) {
    if (!b) return;
    um_free(b->vals);
    um_free(b->msub);
    um_free(b->mobs);
    memset(b, 0, sizeof *b);
}

/* Blocking: observations sorted by (hash, subject), split into values by
 * (kind, value) on equal hashes; values held by two or more subjects are
 * kept, with their holders (one observation per subject, the first) unless
 * over the kind's cap. Everything below depends only on the observations
 * of one hash, so a shard holding every observation of its hashes decides
 * exactly what a run over all of them decides. */
um_status um_lk_block(const um_lk_obs *obs, size_t nobs, size_t ns, const size_t *cap, um_lk_blocked *out) {
    memset(out, 0, sizeof *out);
    if (nobs > UINT32_MAX - 1 || ns > UINT32_MAX - 1) return UM_EINVAL;
    um_status st = UM_ENOMEM;
    entry *e = um_malloc((nobs ? nobs : 1) * sizeof *e);
    entry *tmp = um_malloc((nobs ? nobs : 1) * sizeof *tmp);
    size_t cap_vals = 0;
    if (!e || !tmp) goto done;
    size_t n = 0;
    for (size_t i = 0; i < nobs; i++) {
        if (obs[i].subject >= ns || obs[i].kind >= UM_LK__COUNT || !obs[i].value || !obs[i].value[0]) continue;
        e[n++] = (entry){obs_hash(&obs[i]), obs[i].subject, (uint32_t)i};
    }
    out->nobs = n;
    if (!sort_entries(e, tmp, n, ns)) goto done;
    um_free(tmp);
    tmp = NULL;
    /* values shared by two or more subjects; members compacted in place */
    size_t w = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && e[j].h == e[i].h) j++;
        /* equal hashes are compared on (kind, value): a 64-bit collision
         * (about n^2 / 2^65 likely) would otherwise join two values. The
         * colliding run is ordered by (kind, value, subject) and split. */
        bool mixed = false;
        for (size_t k = i + 1; k < j && !mixed; k++) mixed = !same_value(obs, e[k].obs, e[i].obs);
        if (mixed) {
            qsort_r(e + i, j - i, sizeof *e, cmp_entry_value, (void *)obs);
            out->collisions++;
        }
        if (mixed) {
            size_t k = i + 1;
            while (k < j && same_value(obs, e[k].obs, e[i].obs)) k++;
            j = k; /* this value's run; the next iteration takes the rest */
        }
        size_t distinct = 0, start = w;
        for (size_t k = i; k < j; k++) {
            if (k > i && e[k].subj == e[k - 1].subj) continue;
            distinct++;
            e[w++] = e[k];
        }
        if (distinct < 2) {
            w = start;
        } else {
            if (!um_grow((void **)&out->vals, &cap_vals, out->nvals + 1, sizeof *out->vals)) goto done;
            int kind = obs[e[start].obs].kind;
            size_t kc = cap && cap[kind] ? cap[kind] : kinds[kind].cap;
            um_lk_bval *val = &out->vals[out->nvals++];
            val->hash = e[start].h;
            val->kind = (uint8_t)kind;
            val->first_obs = e[start].obs;
            val->nsubjects = (uint32_t)distinct;
            val->generic = distinct > kc;
            val->mstart = (uint32_t)start;
            if (val->generic) w = start; /* no members kept: no pairs */
        }
        i = j;
    }
    out->nmem = w;
    out->msub = um_malloc((w ? w : 1) * sizeof *out->msub);
    out->mobs = um_malloc((w ? w : 1) * sizeof *out->mobs);
    if (!out->msub || !out->mobs) goto done;
    for (size_t i = 0; i < w; i++) {
        out->msub[i] = e[i].subj;
        out->mobs[i] = e[i].obs;
    }
    st = UM_OK;
done:
    um_free(e);
    um_free(tmp);
    if (st != UM_OK) um_lk_blocked_free(out);
    return st;
}

um_status um_lk_run(const um_lk_obs *obs, size_t nobs, const um_lk_options *opt, um_lk_result **out) {
    *out = NULL;
    if (!opt || nobs > UINT32_MAX - 1 || opt->nsubjects > UINT32_MAX - 1) return UM_EINVAL;
    um_lk_blocked b;
    um_status st = um_lk_block(obs, nobs, opt->nsubjects, opt->cap, &b);
    if (st != UM_OK) return st;
    st = um_lk_run_blocked(obs, nobs, opt, &b, out);
    um_lk_blocked_free(&b);
    return st;
}

static um_status run_impl(const um_lk_obs *obs, size_t nobs, const um_lk_options *opt, um_lk_blocked *blk,
                          um_lk_piece *const *part, const size_t *npart, unsigned nparts, um_lk_result **out) {
    *out = NULL;
    if (!opt || nobs > UINT32_MAX - 1 || opt->nsubjects > UINT32_MAX - 1) return UM_EINVAL;
    um_lk_options o = *opt;
    if (o.same_weight <= 0) o.same_weight = 4;
    eng g;
    memset(&g, 0, sizeof g);
    g.obs = obs;
    g.opt = &o;
    g.ns = o.nsubjects;
    g.part = part;
    g.npart = npart;
    g.np = nparts;
    bool bad = false;
    um_lk_result *r = um_calloc(1, sizeof *r);
    if (!r) return UM_ENOMEM;
    g.r = r;
    um_status st = UM_ENOMEM;
    size_t ns = g.ns;
    entry *e = NULL, *tmp = NULL;
    uint16_t *kmask = um_calloc(ns ? ns : 1, sizeof *kmask);
    uint64_t *pattern = um_calloc((size_t)1 << UM_LK__COUNT, sizeof *pattern);
    if (!kmask || !pattern) goto done;
    for (size_t i = 0; i < nobs; i++) {
        if (obs[i].subject >= ns || obs[i].kind >= UM_LK__COUNT || !obs[i].value || !obs[i].value[0]) continue;
        kmask[obs[i].subject] |= (uint16_t)(1u << obs[i].kind);
    }
    r->stats.nobs = blk->nobs;
    r->stats.collisions = blk->collisions;
    /* the population for frequencies: subjects with any observation (Splink's
     * term-frequency u: the share of records holding the value) */
    size_t npop = 0;
    for (size_t i = 0; i < ns; i++)
        if (kmask[i]) npop++;
    /* a frequency from a small case is unreliable: count at least a
     * pseudo-population of UM_LK_MIN_POP (a value two of 20 people hold is
     * not 10 % likely to be shared by chance) */
    if (npop < UM_LK_MIN_POP) npop = UM_LK_MIN_POP;
    r->values = um_calloc(blk->nvals ? blk->nvals : 1, sizeof *r->values);
    g.vstart = um_malloc((blk->nvals + 2) * sizeof *g.vstart);
    if (!r->values || !g.vstart) goto done;
    for (size_t v = 0; v < blk->nvals; v++) {
        const um_lk_bval *bv = &blk->vals[v];
        um_lk_value *val = &r->values[v];
        val->kind = bv->kind;
        val->first_obs = bv->first_obs;
        val->nsubjects = bv->nsubjects;
        val->generic = bv->generic;
        val->u = (double)bv->nsubjects / (double)(npop ? npop : 1);
        g.vstart[v] = bv->mstart;
    }
    r->nvalues = blk->nvals;
    g.vstart[r->nvalues] = (uint32_t)blk->nmem;
    r->stats.nvalues = r->nvalues;
    size_t nmem = blk->nmem;
    g.vsub = blk->msub; /* taken from the blocking */
    g.vobs = blk->mobs;
    blk->msub = blk->mobs = NULL;
    blk->nmem = 0;
    if (!g.vsub) g.vsub = um_malloc(sizeof *g.vsub); /* a blocking with no holders may have none */
    if (!g.vobs) g.vobs = um_malloc(sizeof *g.vobs);
    if (!g.vsub || !g.vobs) goto done;
    /* generic values, most common first */
    for (uint32_t v = 0; v < r->nvalues; v++)
        if (r->values[v].generic) r->ngeneric++;
    r->generic = um_malloc((r->ngeneric ? r->ngeneric : 1) * sizeof *r->generic);
    if (!r->generic) goto done;
    r->ngeneric = 0;
    for (uint32_t v = 0; v < r->nvalues; v++)
        if (r->values[v].generic) r->generic[r->ngeneric++] = v;
    if (r->ngeneric) qsort_r(r->generic, r->ngeneric, sizeof *r->generic, cmp_generic, r->values);
    r->stats.ngeneric = r->ngeneric;
    /* subject -> values (CSR), for gather(); pairs from partitions need none */
    g.mark = um_malloc((ns ? ns : 1) * sizeof *g.mark);
    if (!g.mark) goto done;
    if (!part) {
        g.sstart = um_calloc(ns + 2, sizeof *g.sstart);
        g.svals = um_malloc((nmem ? nmem : 1) * sizeof *g.svals);
        if (!g.sstart || !g.svals) goto done;
        for (size_t i = 0; i < nmem; i++) g.sstart[g.vsub[i] + 2]++;
        for (size_t i = 2; i < ns + 2; i++) g.sstart[i] += g.sstart[i - 1];
        for (uint32_t v = 0; v < r->nvalues; v++)
            for (uint32_t j = g.vstart[v]; j < g.vstart[v + 1]; j++) g.svals[g.sstart[g.vsub[j] + 1]++] = v;
    }
    for (size_t i = 0; i < ns; i++) g.mark[i] = -1;
    if (part) {
        if (!pairs_count(&g, pattern, &bad)) goto done;
        if (bad) {
            st = UM_EINVAL;
            goto done;
        }
    } else {
        /* pass 1: agreement patterns of the candidate pairs -> EM */
        for (uint32_t s = 0; s < ns; s++) {
            if (!gather(&g, s)) goto done;
            r->stats.candidate_pairs += g.nslots;
            for (size_t sl = 0; sl < g.nslots; sl++) {
                uint32_t p = 0;
                for (int k = 0; k < UM_LK__COUNT; k++)
                    if (g.slot_v[sl][k] != UINT32_MAX) {
                        p |= 1u << k;
                        r->stats.em_pairs[k]++;
                    }
                pattern[p]++;
            }
        }
    }
    run_em(&g, pattern, (size_t)1 << UM_LK__COUNT);
    double usum[UM_LK__COUNT] = {0};
    size_t ucnt[UM_LK__COUNT] = {0};
    for (uint32_t v = 0; v < r->nvalues; v++) {
        um_lk_value *val = &r->values[v];
        double wgt = obs[val->first_obs].weight > 0 ? (double)obs[val->first_obs].weight
                                                    : log2(g.m[val->kind] / val->u);
        val->weight = wgt > 0 ? wgt : 0;
        usum[val->kind] += val->u;
        ucnt[val->kind]++;
    }
    for (int k = 0; k < UM_LK__COUNT; k++) {
        r->stats.m[k] = g.m[k];
        r->stats.u[k] = ucnt[k] ? usum[k] / (double)ucnt[k] : 0;
    }
    /* pass 2: edges */
    {
        elist L = {0};
        bool ok = true;
        if (part) {
            ok = pairs_edges(&g, &L, &bad);
        } else {
            for (uint32_t s = 0; s < ns && ok; s++) {
                ok = gather(&g, s);
                for (size_t sl = 0; ok && sl < g.nslots; sl++)
                    ok = make_edge(&g, &L, s, g.slot_t[sl], g.slot_v[sl], NULL, NULL);
            }
        }
        r->edges = L.edges, r->nedges = L.n, g.cap_edges = L.cap;
        r->why = L.why, r->nwhy = L.nwhy, g.cap_why = L.cap_why;
        if (!ok) goto done;
        if (bad) {
            st = UM_EINVAL;
            goto done;
        }
    }
    /* verdict "same" pairs with no shared value still get an edge */
    for (size_t i = 0; i < o.nverdicts; i++) {
        const um_lk_verdict *v = &o.verdicts[i];
        if (v->kind != UM_LK_VERDICT_SAME || v->a >= ns || v->b >= ns || v->a == v->b) continue;
        uint32_t a = v->a < v->b ? v->a : v->b, b = v->a < v->b ? v->b : v->a;
        bool have = false;
        for (size_t k = 0; k < r->nedges && !have; k++) have = r->edges[k].a == a && r->edges[k].b == b;
        if (have) continue;
        if (!um_grow((void **)&r->edges, &g.cap_edges, r->nedges + 1, sizeof *r->edges)) goto done;
        r->edges[r->nedges++] = (um_lk_edge){a, b, UM_LK_SAME, 0, (uint32_t)r->nwhy, 0, false, true};
    }
    r->stats.edges = r->nedges;
    /* clusters: same_operator, then possible, then related, one union-find */
    {
        dsu d = {um_malloc((ns ? ns : 1) * sizeof *d.p), um_malloc((ns ? ns : 1) * sizeof *d.size)};
        int32_t *span = um_malloc((ns ? ns : 1) * sizeof *span);
        bool ok = d.p && d.size && span;
        for (size_t i = 0; ok && i < ns; i++) {
            d.p[i] = (uint32_t)i;
            d.size[i] = 1;
            span[i] = -1;
        }
        for (int t = UM_LK_SAME; ok && t >= UM_LK_RELATED; t--)
            ok = cluster_tier(&g, &d, (um_lk_tier)t, span) && snapshot(&g, &d, (um_lk_tier)t, span);
        um_free(d.p);
        um_free(d.size);
        um_free(span);
        if (!ok || !cluster_edges(&g) || !farm_groups(&g)) goto done;
    }
    r->vstart = g.vstart, r->vsub = g.vsub, r->vobs = g.vobs; /* the result owns them now */
    g.vstart = g.vsub = g.vobs = NULL;
    st = UM_OK;
done:
    um_free(e);
    um_free(tmp);
    um_free(kmask);
    um_free(pattern);
    um_free(g.vstart);
    um_free(g.vsub);
    um_free(g.vobs);
    um_free(g.sstart);
    um_free(g.svals);
    um_free(g.mark);
    um_free(g.slot_t);
    um_free(g.slot_v);
    if (st != UM_OK) um_lk_result_free(r);
    else *out = r;
    return st;
}

um_status um_lk_run_blocked(const um_lk_obs *obs, size_t nobs, const um_lk_options *opt, um_lk_blocked *blk,
                            um_lk_result **out) {
    return run_impl(obs, nobs, opt, blk, NULL, 0, 0, out);
}

um_status um_lk_run_pairs(const um_lk_obs *obs, size_t nobs, const um_lk_options *opt, um_lk_blocked *blk,
                          um_lk_piece *const *part, const size_t *npart, unsigned nparts, um_lk_result **out) {
    *out = NULL;
    if (!opt || !part || !npart || !nparts) return UM_EINVAL;
    for (unsigned p = 0; p < nparts; p++)
        for (size_t i = 0; i < npart[p]; i++) {
            const um_lk_piece *q = &part[p][i];
            if (q->a >= q->b || q->b >= opt->nsubjects || q->kind >= UM_LK__COUNT || q->best >= blk->nvals ||
                q->first >= blk->nvals || q->first > q->best || blk->vals[q->best].kind != q->kind ||
                blk->vals[q->first].kind != q->kind || blk->vals[q->best].generic || blk->vals[q->first].generic ||
                q->obs_a >= nobs || q->obs_b >= nobs)
                return UM_EINVAL;
        }
    return run_impl(obs, nobs, opt, blk, part, npart, nparts, out);
}

um_status um_lk_run_pieces(const um_lk_obs *obs, size_t nobs, const um_lk_options *opt, um_lk_blocked *blk,
                           um_lk_piece *pieces, size_t npieces, unsigned nparts, um_lk_result **out) {
    *out = NULL;
    if (!opt || (!pieces && npieces)) return UM_EINVAL;
    unsigned np = nparts ? nparts : 1;
    um_lk_piece **part = um_calloc(np, sizeof *part);
    size_t *npart = um_calloc(np, sizeof *npart);
    unsigned *of = um_malloc((npieces ? npieces : 1) * sizeof *of);
    um_status st = part && npart && of ? UM_OK : UM_ENOMEM;
    for (size_t i = 0; st == UM_OK && i < npieces; i++) {
        if (pieces[i].a >= pieces[i].b) st = UM_EINVAL;
        else npart[of[i] = um_lk_pair_part(pieces[i].a, pieces[i].b, np)]++;
    }
    for (unsigned p = 0; st == UM_OK && p < np; p++) {
        part[p] = um_malloc((npart[p] ? npart[p] : 1) * sizeof **part);
        if (!part[p]) st = UM_ENOMEM;
        npart[p] = 0;
    }
    for (size_t i = 0; st == UM_OK && i < npieces; i++) part[of[i]][npart[of[i]]++] = pieces[i];
    for (unsigned p = 0; st == UM_OK && p < np; p++) st = um_lk_pair_partition(part[p], &npart[p]);
    if (st == UM_OK) st = um_lk_run_pairs(obs, nobs, opt, blk, part, npart, np, out);
    for (unsigned p = 0; part && p < np; p++) um_free(part[p]);
    um_free(part);
    um_free(npart);
    um_free(of);
    return st;
}

void um_lk_result_free(um_lk_result *r) {
    if (!r) return;
    for (size_t i = 0; i < r->nclusters; i++) {
        um_free(r->clusters[i].members);
        um_free(r->clusters[i].edges);
    }
    for (size_t i = 0; i < r->ngroups; i++) um_free(r->groups[i].members);
    for (int t = 0; t < 4; t++) um_free(r->cluster_of[t]);
    um_free(r->clusters);
    um_free(r->groups);
    um_free(r->values);
    um_free(r->generic);
    um_free(r->edges);
    um_free(r->why);
    um_free(r->vstart);
    um_free(r->vsub);
    um_free(r->vobs);
    um_free(r);
}

void um_lk_propagate(const um_lk_result *r, size_t nsubjects, const double *in, double share, double *out,
                     int32_t *from, int32_t *edge) {
    for (size_t i = 0; i < nsubjects; i++) {
        out[i] = in[i];
        if (from) from[i] = -1;
        if (edge) edge[i] = -1;
    }
    double *best = um_calloc(nsubjects ? nsubjects : 1, sizeof *best);
    if (!best) return;
    for (size_t e = 0; r && e < r->nedges; e++) {
        const um_lk_edge *ed = &r->edges[e];
        if (ed->tier != UM_LK_SAME || ed->a >= nsubjects || ed->b >= nsubjects) continue;
        double p = ed->verdict ? 1.0 : 1.0 - exp2(-ed->weight);
        for (int side = 0; side < 2; side++) {
            uint32_t to = side ? ed->a : ed->b, fr = side ? ed->b : ed->a;
            double gain = share * in[fr] * p;
            if (gain > best[to]) {
                best[to] = gain;
                if (from) from[to] = (int32_t)fr;
                if (edge) edge[to] = (int32_t)e;
            }
        }
    }
    for (size_t i = 0; i < nsubjects; i++) out[i] = in[i] + best[i];
    um_free(best);
}
