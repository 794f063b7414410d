/*
 * fuzz_link.c - the linkage engine, the near-duplicate grouping and the
 * fuzzy person matcher (src/link/) on arbitrary observations.
 *
 * Input: lines "S K VALUE" (S a subject byte 0-63, K a kind byte taken
 * modulo the kinds, VALUE the rest of the line); the same lines are also
 * résumé texts for MinHash and comma-separated person records for the
 * matcher. A line starting with '!' is a verdict: its next two bytes are
 * the subjects, the third selects same / different.
 *
 * Checked: the run succeeds; every edge has a < b within range and a tier;
 * cluster members are ascending, within range and at most the size cap;
 * per tier a subject is in at most one cluster; a cluster's weakest link is
 * one of its edges' ids in range; generic values are over their cap; every
 * MinHash group and similarity is consistent; matched person pairs have
 * probabilities within 0..1.
 */
#include <stdlib.h>
#include <string.h>

#include "link/link.h"
#include "um_fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    return 0;
}

#define NS 64
#define MAXL 512

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 64 * 1024) return 0;
    char *buf = malloc(size + 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    buf[size] = 0;
    static um_lk_obs obs[MAXL];
    static um_lk_verdict ver[MAXL];
    static const char *lines[MAXL];
    static um_lk_person recs[MAXL];
    size_t no = 0, nv = 0, nl = 0;
    for (char *p = buf, *next; p && *p && nl < MAXL; p = next) {
        next = strchr(p, '\n');
        if (next) *next++ = 0;
        lines[nl] = p;
        memset(&recs[nl], 0, sizeof recs[nl]);
        recs[nl].first = p;
        nl++;
        size_t len = strlen(p);
        if (p[0] == '!' && len >= 4) {
            ver[nv++] = (um_lk_verdict){(uint8_t)p[1] % NS, (uint8_t)p[2] % NS,
                                        (p[3] & 1) ? UM_LK_VERDICT_SAME : UM_LK_VERDICT_DIFFERENT};
        } else if (len >= 3) {
            obs[no++] = (um_lk_obs){.subject = (uint8_t)p[0] % NS, .kind = (uint8_t)((uint8_t)p[1] % UM_LK__COUNT),
                                    .sim = 1, .value = p + 2, .raw = p + 2, .file = "f", .line = nl};
        }
    }
    /* person records: split a copy of each line on commas */
    char *pc = malloc(size + 1);
    if (pc) {
        memcpy(pc, data, size);
        pc[size] = 0;
        size_t r = 0;
        for (char *p = pc, *next; p && *p && r < nl; p = next, r++) {
            next = strchr(p, '\n');
            if (next) *next++ = 0;
            const char **f[] = {&recs[r].first, &recs[r].last, &recs[r].dob, &recs[r].city, &recs[r].email};
            size_t k = 0;
            for (char *q = p; q && k < 5; k++) {
                char *c = strchr(q, ',');
                if (c) *c++ = 0;
                *f[k] = q;
                q = c;
            }
        }
    }
    um_lk_options o = {0};
    o.nsubjects = NS;
    o.verdicts = ver;
    o.nverdicts = nv;
    o.max_cluster = 8;
    um_lk_result *r = NULL;
    if (um_lk_run(obs, no, &o, &r) != UM_OK) um_fuzz_fail("um_lk_run", "failed");
    for (size_t e = 0; e < r->nedges; e++) {
        const um_lk_edge *ed = &r->edges[e];
        if (ed->a >= ed->b || ed->b >= NS || ed->tier < UM_LK_RELATED || ed->tier > UM_LK_SAME)
            um_fuzz_fail("edge", "ends or tier out of range");
        if (ed->why_off + ed->why_n > r->nwhy) um_fuzz_fail("edge", "why out of range");
    }
    for (int t = UM_LK_RELATED; t <= UM_LK_SAME; t++) {
        int seen[NS] = {0};
        for (size_t c = 0; c < r->nclusters; c++) {
            const um_lk_cluster *cl = &r->clusters[c];
            if ((int)cl->tier != t) continue;
            bool forced = false;
            for (size_t e = 0; e < cl->nedges; e++) forced |= r->edges[cl->edges[e]].verdict;
            if (cl->nmembers < 2 || (cl->nmembers > 8 && !forced)) um_fuzz_fail("cluster", "size out of range");
            for (size_t i = 0; i < cl->nmembers; i++) {
                if (cl->members[i] >= NS || (i && cl->members[i] <= cl->members[i - 1]))
                    um_fuzz_fail("cluster", "members not ascending or out of range");
                if (seen[cl->members[i]]++) um_fuzz_fail("cluster", "subject in two clusters of one tier");
            }
            if (cl->weakest >= (int32_t)r->nedges) um_fuzz_fail("cluster", "weakest link out of range");
        }
    }
    for (size_t g = 0; g < r->ngeneric; g++)
        if (!r->values[r->generic[g]].generic) um_fuzz_fail("generic", "value not marked generic");
    double in[NS], out[NS];
    int32_t from[NS], edge[NS];
    for (int i = 0; i < NS; i++) in[i] = i;
    um_lk_propagate(r, NS, in, 0.5, out, from, edge);
    for (int i = 0; i < NS; i++)
        if (out[i] < in[i] || out[i] > in[i] + 0.5 * (NS - 1) + 1e-9) um_fuzz_fail("propagate", "gain out of range");
    um_lk_result_free(r);
    int32_t grp[MAXL];
    float sim[MAXL];
    if (um_lk_minhash_groups(lines, nl, 0.5, grp, sim) != UM_OK) um_fuzz_fail("minhash", "failed");
    for (size_t i = 0; i < nl; i++)
        if ((grp[i] >= 0) != (sim[i] > 0) || sim[i] > 1 || (grp[i] >= 0 && (size_t)grp[i] >= nl))
            um_fuzz_fail("minhash", "group and similarity disagree");
    um_lk_pmatch *m = NULL;
    if (um_lk_person_match(recs, nl, 0.5, &m) != UM_OK) um_fuzz_fail("person_match", "failed");
    for (size_t i = 0; i < m->npairs; i++)
        if (!(m->pairs[i].prob >= 0 && m->pairs[i].prob <= 1) || m->pairs[i].a >= nl || m->pairs[i].b >= nl)
            um_fuzz_fail("person_match", "pair out of range");
    um_lk_pmatch_free(m);
    free(pc);
    free(buf);
    return 0;
}
