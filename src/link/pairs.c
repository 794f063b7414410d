/*
 * pairs.c - candidate pairs in pieces (link.h, "candidate pairs from
 * pieces"): what one shard of the identity index knows of a pair, and the
 * merge that makes the pieces of all shards the engine's pair.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "link.h"

static int cmp_piece(const void *x, const void *y) {
    const um_lk_piece *a = x, *b = y;
    if (a->a != b->a) return a->a < b->a ? -1 : 1;
    if (a->b != b->b) return a->b < b->b ? -1 : 1;
    return (a->kind > b->kind) - (a->kind < b->kind);
}

/* d := the merge of d and x (same pair and kind): the rarest value by
 * (holders, value id), the lower first value. */
static void fold(um_lk_piece *d, const um_lk_piece *x) {
    if (x->holders < d->holders || (x->holders == d->holders && x->best < d->best)) {
        d->best = x->best;
        d->holders = x->holders;
        d->obs_a = x->obs_a;
        d->obs_b = x->obs_b;
    }
    if (x->first < d->first) d->first = x->first;
}

size_t um_lk_pieces_merge(um_lk_piece *p, size_t n) {
    if (n < 2) return n;
    qsort(p, n, sizeof *p, cmp_piece);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m && cmp_piece(&p[m - 1], &p[i]) == 0) fold(&p[m - 1], &p[i]);
        else p[m++] = p[i];
    }
    return m;
}

unsigned um_lk_pair_part(uint32_t a, uint32_t b, unsigned n) {
    uint64_t x = (uint64_t)a << 32 | b; /* splitmix64's finaliser */
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return n ? (unsigned)(((x >> 32) * (uint64_t)n) >> 32) : 0;
}

um_status um_lk_pieces(const um_lk_blocked *b, const uint32_t *gidx, um_lk_piece **out, size_t *n) {
    *out = NULL;
    *n = 0;
    size_t total = 0;
    for (size_t v = 0; v < b->nvals; v++) {
        if (b->vals[v].generic) continue;
        size_t end = v + 1 < b->nvals ? b->vals[v + 1].mstart : b->nmem;
        size_t h = end - b->vals[v].mstart;
        total += h * (h - 1) / 2;
    }
    um_lk_piece *p = um_malloc((total ? total : 1) * sizeof *p);
    if (!p) return UM_ENOMEM;
    size_t k = 0;
    for (size_t v = 0; v < b->nvals; v++) {
        const um_lk_bval *x = &b->vals[v];
        if (x->generic) continue;
        size_t end = v + 1 < b->nvals ? b->vals[v + 1].mstart : b->nmem;
        for (size_t i = x->mstart; i < end; i++)
            for (size_t j = i + 1; j < end; j++) {
                um_lk_piece *q = &p[k++];
                memset(q, 0, sizeof *q);
                q->a = b->msub[i]; /* holders ascend by subject: a < b */
                q->b = b->msub[j];
                q->best = q->first = (uint32_t)v;
                q->holders = x->nsubjects;
                q->obs_a = gidx ? gidx[b->mobs[i]] : b->mobs[i];
                q->obs_b = gidx ? gidx[b->mobs[j]] : b->mobs[j];
                q->kind = x->kind;
            }
    }
    *n = um_lk_pieces_merge(p, k);
    *out = p;
    return UM_OK;
}

typedef struct ppair {
    uint32_t a, first, b, start, n;
} ppair;

static int cmp_ppair(const void *x, const void *y) {
    const ppair *a = x, *b = y;
    if (a->a != b->a) return a->a < b->a ? -1 : 1;
    if (a->first != b->first) return a->first < b->first ? -1 : 1;
    return (a->b > b->b) - (a->b < b->b);
}

um_status um_lk_pair_partition(um_lk_piece *q, size_t *n) {
    size_t m = um_lk_pieces_merge(q, *n), np = 0;
    for (size_t i = 0; i < m; i++)
        if (!i || q[i].a != q[i - 1].a || q[i].b != q[i - 1].b) np++;
    ppair *pr = um_malloc((np ? np : 1) * sizeof *pr);
    um_lk_piece *tmp = um_malloc((m ? m : 1) * sizeof *tmp);
    if (!pr || !tmp) {
        um_free(pr);
        um_free(tmp);
        return UM_ENOMEM;
    }
    np = 0;
    for (size_t i = 0; i < m; i++) {
        if (!i || q[i].a != q[i - 1].a || q[i].b != q[i - 1].b) {
            pr[np++] = (ppair){q[i].a, q[i].first, q[i].b, (uint32_t)i, 1};
        } else {
            pr[np - 1].n++;
            if (q[i].first < pr[np - 1].first) pr[np - 1].first = q[i].first;
        }
    }
    qsort(pr, np, sizeof *pr, cmp_ppair);
    size_t k = 0;
    for (size_t i = 0; i < np; i++)
        for (uint32_t j = 0; j < pr[i].n; j++) tmp[k++] = q[pr[i].start + j];
    memcpy(q, tmp, m * sizeof *q);
    um_free(pr);
    um_free(tmp);
    *n = m;
    return UM_OK;
}
