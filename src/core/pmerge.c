/*
 * pmerge.c - analysis partitioned by person, and the deterministic merge
 * of the partitions (src/core/partition.h, point 5).
 *
 * With um_scan_set_partitions(s, K > 1), every analyzer that has the
 * part_new / merge hooks (internal.h) runs as K instances: an event whose
 * subject is sid goes to the instance of partition P = hash(subject id) mod
 * K (the subject's printed id: the HR key of an identity subject, the hash
 * of the account or host of a log-only one, so the same person lands in the
 * same partition whatever the order of the events). Each instance holds its
 * partition's per-person state (state that spans people, such as one
 * browser behind several people, the heatmap's caps or the sign-in IPs the
 * linkage compares, is recorded with positions and put back in order by
 * the analyzer's merge); what it adds as findings while events run goes
 * into its partition's own finding table. Analyzers without the hooks
 * (today the Sigma rules: their correlation windows span people) run once,
 * on the scan's table, as before.
 *
 * After the last event (um_pa_merge): the instances are folded into the
 * primaries with each analyzer's merge hook, partitions in order, and the
 * K + 1 finding tables (the scan's and the partitions') are merged into
 * one by position: every finding and evidence sample carries the position
 * of the add that made it (um_scan.cur_pos: event number in the one-thread
 * order * 64 + analyzer index), so the merged table is in the order a
 * one-thread scan creates findings. Findings of one (subject, indicator,
 * key) in two tables are folded (um_finding_fold: counts add, first/last
 * widen, evidence the first samples by position). The findings limit is
 * checked at the merge, in that order. The analyzers' finish then runs
 * once, on the primaries, as in a scan without partitions, so the outputs
 * are byte for byte the same (tests/e2e/partitions.sh).
 *
 * Today the partitions run in the scan's process, on the thread that
 * replays the events in order; the merge is what lets them run elsewhere.
 */
#include "scan.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

/* One table of findings: the scan's own fields, swapped in while a
 * partition's instance handles an event. */
typedef struct pa_tab {
    um_finding *findings;
    size_t n, cap;
    um_map index;
} pa_tab;

struct um_pa {
    unsigned k;
    size_t na;      /* analyzers */
    void **state;   /* [partition * na + analyzer]: instance, or NULL */
    bool *made;     /* the same: part_new ran (the instance may be NULL) */
    pa_tab *tab;    /* per partition */
    uint32_t *part; /* per subject: partition + 1, 0 not computed yet */
    size_t n_part;
    uint64_t *calls; /* per partition: on_event calls routed to it */
    /* um_pa_set_remote: the partitions run elsewhere; each event is handed
     * once to remote (the first partitioned analyzer's call at its event
     * number) instead of to the instances */
    um_pa_remote_fn remote;
    void *remote_ud;
    uint64_t remote_seq;
};

uint64_t um_scan_position(const um_scan *s) { return s->cur_pos; }

um_status um_scan_set_partitions(um_scan *s, unsigned k) {
    if (!s || s->ran) return UM_EINVAL;
    s->partitions = k > 1024 ? 1024 : k;
    return UM_OK;
}

static um_status pa_start(um_scan *s, unsigned only);

um_status um_pa_start(um_scan *s) { return pa_start(s, UINT_MAX); }

um_status um_pa_start_one(um_scan *s, unsigned p) {
    if (p >= s->partitions) return UM_EINVAL;
    return pa_start(s, p);
}

/* The instances of every partition, or of partition only (a worker). */
static um_status pa_start(um_scan *s, unsigned only) {
    if (s->partitions < 2 || s->pa) return UM_OK;
    size_t na = um_analyzer_count();
    if (na > 64) { /* positions keep the analyzer index in 6 bits */
        um_scan_set_error(s, "partitioned analysis: more than 64 analyzers");
        return UM_EINVAL;
    }
    struct um_pa *pa = um_calloc(1, sizeof *pa);
    if (!pa) return UM_ENOMEM;
    s->pa = pa;
    pa->k = s->partitions;
    pa->na = na;
    pa->state = um_calloc((size_t)pa->k * na, sizeof *pa->state);
    pa->made = um_calloc((size_t)pa->k * na, sizeof *pa->made);
    pa->tab = um_calloc(pa->k, sizeof *pa->tab);
    pa->calls = um_calloc(pa->k, sizeof *pa->calls);
    if (!pa->state || !pa->made || !pa->tab || !pa->calls) return UM_ENOMEM;
    for (unsigned p = 0; p < pa->k; p++) um_map_init(&pa->tab[p].index);
    for (unsigned p = 0; p < pa->k; p++)
        for (size_t i = 0; i < na && (only == UINT_MAX || p == only); i++) {
            const um_analyzer *a = um_analyzer_at(i);
            if (!a->part_new || !a->merge) continue;
            um_status st = a->part_new(s, s->analyzer_state[i], &pa->state[p * na + i]);
            pa->made[p * na + i] = true;
            if (st != UM_OK) return st;
        }
    return UM_OK;
}

/* The partition of subject sid (sid < 0: partition 0). */
static int part_of(um_scan *s, struct um_pa *pa, um_sid sid) {
    if (sid < 0) return 0;
    if ((size_t)sid >= pa->n_part) {
        size_t cap = pa->n_part;
        if (!um_grow((void **)&pa->part, &cap, (size_t)sid + 1, sizeof *pa->part)) return -1;
        memset(pa->part + pa->n_part, 0, (cap - pa->n_part) * sizeof *pa->part);
        pa->n_part = cap;
    }
    if (!pa->part[sid]) {
        const char *id = um_subject_id(s, sid);
        uint64_t h = um_hash64(id ? id : "", id ? strlen(id) : 0, 0x7061727469ULL);
        pa->part[sid] = (uint32_t)(h % pa->k) + 1;
    }
    return (int)pa->part[sid] - 1;
}

static void swap_tab(um_scan *s, pa_tab *t) {
    pa_tab mine = {s->findings, s->n_findings, s->cap_findings, s->finding_index};
    s->findings = t->findings;
    s->n_findings = t->n;
    s->cap_findings = t->cap;
    s->finding_index = t->index;
    *t = mine;
}

um_status um_pa_on_event(um_scan *s, size_t i, um_sid sid, const um_event *ev) {
    struct um_pa *pa = s->pa;
    int p = part_of(s, pa, sid);
    if (p < 0) return UM_ENOMEM;
    pa_tab *t = &pa->tab[p];
    pa->calls[p]++;
    if (pa->remote) {
        if (pa->remote_seq == s->ev_seq) return UM_OK; /* handed on at its first analyzer */
        pa->remote_seq = s->ev_seq;
        return pa->remote(pa->remote_ud, (unsigned)p, s->ev_seq, sid, ev);
    }
    swap_tab(s, t);
    um_status st = um_analyzer_at(i)->on_event(s, pa->state[(size_t)p * pa->na + i], sid, ev);
    swap_tab(s, t);
    return st;
}

size_t um_pa_nfindings(const um_scan *s, unsigned p) {
    return s->pa && p < s->pa->k ? s->pa->tab[p].n : 0;
}

void um_pa_set_remote(um_scan *s, um_pa_remote_fn fn, void *ud) {
    if (!s->pa) return;
    s->pa->remote = fn;
    s->pa->remote_ud = ud;
    s->pa->remote_seq = 0;
}

um_status um_pa_run_event(um_scan *s, unsigned p, uint64_t seq, um_sid sid, const um_event *ev) {
    struct um_pa *pa = s->pa;
    if (!pa || p >= pa->k || pa->remote) return UM_EINVAL;
    if (sid >= 0 && (size_t)sid >= um_scan_nsubjects(s)) return UM_EPARSE;
    int q = part_of(s, pa, sid);
    if (q < 0) return UM_ENOMEM;
    if ((unsigned)q != p) return UM_EPARSE; /* another partition's event */
    if (seq <= s->ev_seq || seq > UINT64_MAX / 64 - 1) return UM_EPARSE; /* positions only grow */
    s->ev_seq = seq;
    for (size_t i = 0; i < pa->na; i++) {
        const um_analyzer *a = um_analyzer_at(i);
        if (!a->on_event || !a->merge) continue;
        s->cur_pos = seq * 64 + i;
        um_status st = um_pa_on_event(s, i, sid, ev);
        if (st != UM_OK) return st;
    }
    return UM_OK;
}

static void free_tab(pa_tab *t) {
    for (size_t i = 0; i < t->n; i++) um_free(t->findings[i].seen);
    um_free(t->findings);
    um_map_free(&t->index);
    memset(t, 0, sizeof *t);
}

/* The finding tables merged by position into one (the scan's). */
static um_status merge_findings(um_scan *s, struct um_pa *pa) {
    size_t nt = (size_t)pa->k + 1, total = 0;
    pa_tab *tabs = um_calloc(nt, sizeof *tabs);
    size_t *at = um_calloc(nt, sizeof *at);
    if (!tabs || !at) {
        um_free(tabs);
        um_free(at);
        return UM_ENOMEM;
    }
    tabs[0] = (pa_tab){s->findings, s->n_findings, s->cap_findings, s->finding_index};
    for (unsigned p = 0; p < pa->k; p++) {
        tabs[p + 1] = pa->tab[p];
        memset(&pa->tab[p], 0, sizeof pa->tab[p]);
        um_map_init(&pa->tab[p].index);
    }
    for (size_t t = 0; t < nt; t++) total += tabs[t].n;
    s->findings = NULL;
    s->n_findings = s->cap_findings = 0;
    um_map_init(&s->finding_index);
    um_status st = UM_OK;
    if (total && !um_grow((void **)&s->findings, &s->cap_findings, total, sizeof *s->findings)) st = UM_ENOMEM;
    while (st == UM_OK) {
        size_t best = nt;
        for (size_t t = 0; t < nt; t++) /* a table's positions only grow; ties: the lower table */
            if (at[t] < tabs[t].n &&
                (best == nt || tabs[t].findings[at[t]].pos < tabs[best].findings[at[best]].pos))
                best = t;
        if (best == nt) break;
        um_finding *f = &tabs[best].findings[at[best]++];
        char kbuf[512];
        int kn = snprintf(kbuf, sizeof kbuf, "%d|%s|%s", f->subject, f->info.indicator, f->info.key);
        if (kn < 0) {
            st = UM_EINVAL;
            break;
        }
        size_t klen = (size_t)kn < sizeof kbuf ? (size_t)kn : sizeof kbuf - 1;
        um_map_slot *sl = um_map_find(&s->finding_index, kbuf, klen);
        if (sl) {
            um_finding_fold(&s->findings[(uintptr_t)sl->val - 1], f);
            continue;
        }
        if (um_scan_over_limit(s, UM_LIMIT_FINDINGS, s->n_findings)) continue; /* freed with its table */
        sl = um_map_upsert(&s->finding_index, kbuf, klen, NULL);
        if (!sl) {
            st = UM_ENOMEM;
            break;
        }
        s->findings[s->n_findings] = *f;
        f->seen = NULL; /* now the merged finding's */
        sl->val = (void *)(uintptr_t)(s->n_findings + 1);
        s->n_findings++;
    }
    for (size_t t = 0; t < nt; t++) free_tab(&tabs[t]);
    um_free(tabs);
    um_free(at);
    return st;
}

static um_status pa_roundtrip(um_scan *s);

um_status um_pa_merge(um_scan *s) {
    struct um_pa *pa = s->pa;
    if (!pa) return UM_OK;
    if (s->pa_roundtrip) { /* tests: as if every partition had run elsewhere (pstate.h) */
        um_status rt = pa_roundtrip(s);
        if (rt != UM_OK) {
            um_pa_free(s);
            return rt;
        }
    }
    for (unsigned p = 0; p < pa->k; p++) {
        s->stats.partitions_busy += pa->calls[p] != 0;
        s->stats.partition_calls += pa->calls[p];
    }
    um_status st = UM_OK;
    for (size_t i = 0; i < pa->na && st == UM_OK; i++) {
        const um_analyzer *a = um_analyzer_at(i);
        for (unsigned p = 0; p < pa->k && st == UM_OK; p++) {
            size_t x = (size_t)p * pa->na + i;
            if (!pa->made[x]) continue;
            void *from = pa->state[x];
            pa->state[x] = NULL;
            pa->made[x] = false;
            st = a->merge(s, s->analyzer_state[i], from);
            if (st == UM_EINVAL && !um_scan_errmsg(s))
                um_scan_set_error(s, "partitioned analysis: analyzer %s: one person in two partitions", a->name);
        }
    }
    if (st == UM_OK) st = merge_findings(s, pa);
    um_pa_free(s);
    return st;
}

void um_pa_free(um_scan *s) {
    struct um_pa *pa = s->pa;
    if (!pa) return;
    for (unsigned p = 0; pa->state && pa->made && p < pa->k; p++)
        for (size_t i = 0; i < pa->na; i++) {
            size_t x = (size_t)p * pa->na + i;
            const um_analyzer *a = um_analyzer_at(i);
            /* an instance that shares the primary's data has no free_state */
            if (pa->made[x] && pa->state[x] && a->free_state && pa->state[x] != s->analyzer_state[i])
                a->free_state(pa->state[x]);
        }
    for (unsigned p = 0; pa->tab && p < pa->k; p++) free_tab(&pa->tab[p]);
    um_free(pa->state);
    um_free(pa->made);
    um_free(pa->tab);
    um_free(pa->part);
    um_free(pa->calls);
    um_free(pa);
    s->pa = NULL;
}

/* ---- a partition's state as bytes (pstate.h) ---- */

um_status um_scan_set_partition_roundtrip(um_scan *s, bool on) {
    if (!s || s->ran) return UM_EINVAL;
    s->pa_roundtrip = on;
    return UM_OK;
}

static bool has_hooks(const um_analyzer *a) { return a->part_new && a->merge; }

um_status um_pa_save(um_scan *s, unsigned p, um_buf *out) {
    struct um_pa *pa = s->pa;
    if (!pa || p >= pa->k) return UM_EINVAL;
    size_t nh = 0;
    for (size_t i = 0; i < pa->na; i++) nh += has_hooks(um_analyzer_at(i));
    um_buf_add(out, "UMP1", 4);
    um_pk_u(out, UM_PSTATE_VERSION);
    um_pk_u(out, p);
    um_pk_u(out, pa->k);
    um_pk_u(out, um_scan_nsubjects(s));
    um_pk_u(out, nh);
    um_buf one;
    um_buf_init(&one);
    um_status st = UM_OK;
    for (size_t i = 0; i < pa->na && st == UM_OK; i++) {
        const um_analyzer *a = um_analyzer_at(i);
        if (!has_hooks(a)) continue;
        size_t x = (size_t)p * pa->na + i;
        if (!a->save || !a->load) {
            um_scan_set_error(s, "partitioned analysis: analyzer %s cannot save its state", a->name);
            st = UM_EINVAL;
            break;
        }
        um_buf_reset(&one);
        st = a->save(s, pa->made[x] ? pa->state[x] : NULL, &one);
        if (st == UM_OK && one.oom) st = UM_ENOMEM;
        um_pk_s(out, a->name);
        um_pk_u(out, one.len);
        um_buf_add(out, one.s ? one.s : "", one.len);
    }
    um_buf_free(&one);
    if (st == UM_OK) um_pstate_put_findings(out, pa->tab[p].findings, pa->tab[p].n);
    if (st == UM_OK && out->oom) st = UM_ENOMEM;
    return st;
}

static void free_inst(um_scan *s, size_t i, void *inst) {
    const um_analyzer *a = um_analyzer_at(i);
    if (inst && a->free_state && inst != s->analyzer_state[i]) a->free_state(inst);
}

um_status um_pa_load(um_scan *s, unsigned p, const void *bytes, size_t n, const char **why) {
    struct um_pa *pa = s->pa;
    *why = NULL;
    if (!pa || p >= pa->k) return UM_EINVAL;
    um_pk r = um_pk_over(bytes, n);
    const unsigned char *magic = um_pk_get_raw(&r, 4);
    if (!magic || memcmp(magic, "UMP1", 4) != 0) {
        *why = "not a partition's state";
        return UM_EPARSE;
    }
    size_t nh = 0;
    for (size_t i = 0; i < pa->na; i++) nh += has_hooks(um_analyzer_at(i));
    if (um_pk_get_u(&r) != UM_PSTATE_VERSION) um_pk_fail(&r, "unknown format version");
    if (um_pk_get_u(&r) != p) um_pk_fail(&r, "another partition's state");
    if (um_pk_get_u(&r) != pa->k) um_pk_fail(&r, "state of another number of partitions");
    if (um_pk_get_u(&r) != um_scan_nsubjects(s)) um_pk_fail(&r, "state of another subject table");
    if (um_pk_get_u(&r) != nh) um_pk_fail(&r, "state of another set of analyzers");
    void **inst = um_calloc(pa->na ? pa->na : 1, sizeof *inst);
    if (!inst) return UM_ENOMEM;
    um_status st = UM_OK;
    for (size_t i = 0; i < pa->na && st == UM_OK && um_pk_ok(&r); i++) {
        const um_analyzer *a = um_analyzer_at(i);
        if (!has_hooks(a)) continue;
        size_t nl, len = 0;
        bool present;
        const char *name = um_pk_get_sv(&r, 64, &nl, &present);
        if (um_pk_ok(&r) && (!present || nl != strlen(a->name) || memcmp(name, a->name, nl) != 0))
            um_pk_fail(&r, "analyzers out of order");
        len = (size_t)um_pk_get_ur(&r, r.n - r.pos, "analyzer state longer than the bytes");
        const unsigned char *body = um_pk_get_raw(&r, len);
        if (!um_pk_ok(&r)) break;
        if (!a->load) {
            um_scan_set_error(s, "partitioned analysis: analyzer %s cannot load a state", a->name);
            st = UM_EINVAL;
            break;
        }
        um_pk sub = um_pk_over(body, len);
        st = a->load(s, s->analyzer_state[i], &sub, &inst[i]);
        if (st == UM_EPARSE || (st == UM_OK && sub.pos != sub.n)) {
            if (st == UM_OK) free_inst(s, i, inst[i]);
            inst[i] = NULL;
            st = UM_OK;
            um_pk_fail(&r, sub.bad ? sub.bad : "bytes after an analyzer's state");
        }
    }
    pa_tab t;
    memset(&t, 0, sizeof t);
    um_map_init(&t.index);
    if (st == UM_OK && um_pk_ok(&r)) st = um_pstate_get_findings(s, &r, &t.findings, &t.n, &t.cap, &t.index);
    if (st == UM_EPARSE) st = UM_OK; /* r says why */
    if (st == UM_OK && um_pk_ok(&r) && r.pos != r.n) um_pk_fail(&r, "bytes after the findings");
    if (st != UM_OK || !um_pk_ok(&r)) {
        for (size_t i = 0; i < pa->na; i++) free_inst(s, i, inst[i]);
        um_free(inst);
        free_tab(&t);
        if (st == UM_OK) {
            *why = r.bad;
            st = strcmp(r.bad, "out of memory") == 0 ? UM_ENOMEM : UM_EPARSE;
        }
        return st;
    }
    for (size_t i = 0; i < pa->na; i++) {
        if (!has_hooks(um_analyzer_at(i))) continue;
        size_t x = (size_t)p * pa->na + i;
        if (pa->made[x]) free_inst(s, i, pa->state[x]);
        pa->state[x] = inst[i];
        pa->made[x] = true;
    }
    um_free(inst);
    free_tab(&pa->tab[p]);
    pa->tab[p] = t;
    return UM_OK;
}

/* Every partition's state saved and loaded back into new instances (the
 * old ones freed), so the merge runs on what another process would send. */
static um_status pa_roundtrip(um_scan *s) {
    um_buf b;
    um_buf_init(&b);
    um_status st = UM_OK;
    for (unsigned p = 0; p < s->pa->k && st == UM_OK; p++) {
        um_buf_reset(&b);
        st = um_pa_save(s, p, &b);
        const char *why = NULL;
        if (st == UM_OK) st = um_pa_load(s, p, b.s, b.len, &why);
        if (st == UM_EPARSE)
            um_scan_set_error(s, "partitioned analysis: partition %u's saved state does not load: %s", p,
                              why ? why : "?");
        s->stats.partition_state_bytes += b.len;
        if (st == UM_OK) s->stats.partition_state_findings += s->pa->tab[p].n;
    }
    um_buf_free(&b);
    return st;
}

/* Fuzzing and tests (fuzz/fuzz_pstate.c): bytes loaded as a partition
 * state of scan s, after it ran, into throwaway instances; with resave,
 * what was loaded is saved again into it. The scan's results are not
 * touched. */
um_status um_pa_try_load(um_scan *s, const void *bytes, size_t n, um_buf *resave, const char **why) {
    *why = NULL;
    if (!s || s->pa) return UM_EINVAL;
    um_pk r = um_pk_over(bytes, n);
    const unsigned char *magic = um_pk_get_raw(&r, 4);
    (void)um_pk_get_u(&r); /* version: um_pa_load checks it */
    uint64_t p = um_pk_get_u(&r), k = um_pk_get_ur(&r, 64, "too many partitions");
    if (!magic || memcmp(magic, "UMP1", 4) != 0 || !um_pk_ok(&r) || k < 2 || p >= k) {
        *why = r.bad ? r.bad : "not a partition's state";
        return UM_EPARSE;
    }
    unsigned keep = s->partitions;
    s->partitions = (unsigned)k;
    um_status st = um_pa_start(s);
    if (st == UM_OK) st = um_pa_load(s, (unsigned)p, bytes, n, why);
    if (st == UM_OK && resave) st = um_pa_save(s, (unsigned)p, resave);
    um_pa_free(s);
    s->partitions = keep;
    return st;
}
