/* rank.c - finalising a scan: finding ids, per-subject scores and the subject ranking. */
#include "scan.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int cmp_finding_idx(const void *a, const void *b, void *ud) {
    const um_scan *s = ud;
    const um_finding *x = &s->findings[*(const size_t *)a], *y = &s->findings[*(const size_t *)b];
    if (x->info.weight != y->info.weight) return y->info.weight - x->info.weight;
    int c = strcmp(x->info.indicator, y->info.indicator);
    return c ? c : strcmp(x->info.key, y->info.key);
}

static int cmp_rank(const void *a, const void *b, void *ud) {
    const um_scan *s = ud;
    const um_subject *x = &s->subjects[*(const size_t *)a], *y = &s->subjects[*(const size_t *)b];
    if (x->score != y->score) return y->score - x->score;
    return strcmp(x->id, y->id);
}

um_status um_scan_finalize(um_scan *s) {
    /* finding ids and per-subject lists */
    for (size_t i = 0; i < s->n_findings; i++) {
        um_finding *f = &s->findings[i];
        f->info.evidence = f->ev; /* the array no longer moves */
        um_subject *u = &s->subjects[f->subject];
        char kb[640];
        int n = snprintf(kb, sizeof kb, "%s|%s|%s", u->id, f->info.indicator, f->info.key);
        uint64_t h = um_hash64(kb, n > 0 ? (size_t)n : 0, 0x756e6d61736bULL);
        f->info.id = um_arena_printf(&s->arena, "F-%016llx", (unsigned long long)h);
        f->info.subject_id = u->id;
        if (!um_grow((void **)&u->findings, &u->cap_findings, u->n_findings + 1, sizeof(size_t)))
            return UM_ENOMEM;
        u->findings[u->n_findings++] = i;
    }
    const um_finding **tmp = um_malloc(sizeof *tmp * (s->n_findings + 1));
    if (!tmp) return UM_ENOMEM;
    um_free(s->infos);
    s->infos = um_calloc(s->n_subjects + 1, sizeof *s->infos);
    if (!s->infos) {
        um_free(tmp);
        return UM_ENOMEM;
    }
    for (size_t i = 0; i < s->n_subjects; i++) {
        um_subject *u = &s->subjects[i];
        if (u->n_findings) qsort_r(u->findings, u->n_findings, sizeof(size_t), cmp_finding_idx, s);
        for (size_t k = 0; k < u->n_findings; k++) tmp[k] = &s->findings[u->findings[k]];
        um_score_subject(tmp, u->n_findings, &u->score, &u->level);
        um_subject_info *in = &s->infos[i];
        in->id = u->id;
        in->display = u->display;
        in->names = um_subject_attr(u, UM_ATTR_FULL_NAME)->v;
        in->n_names = um_subject_attr(u, UM_ATTR_FULL_NAME)->n;
        in->sources = u->sources.v;
        in->n_sources = u->sources.n;
        in->joins = u->joins.v;
        in->n_joins = u->joins.n;
        in->score = u->score;
        in->level = u->level;
        in->findings = u->findings;
        in->n_findings = u->n_findings;
    }
    um_free(tmp);
    s->rank = um_malloc(sizeof *s->rank * (s->n_subjects + 1));
    if (!s->rank) return UM_ENOMEM;
    for (size_t i = 0; i < s->n_subjects; i++) s->rank[i] = i;
    if (s->n_subjects) qsort_r(s->rank, s->n_subjects, sizeof *s->rank, cmp_rank, s);
    s->stats.subjects = s->n_subjects;
    s->stats.findings = s->n_findings;
    return UM_OK;
}
