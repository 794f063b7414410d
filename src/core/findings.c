/* findings.c - findings: aggregation by (subject, indicator, key), evidence, de-duplication. */
#include "scan.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- findings ---- */

/* Inserts h into the open-addressing set; true when it was there already. */
static bool seen_insert(uint64_t *set, uint32_t cap, uint64_t h) {
    for (uint32_t i = (uint32_t)h & (cap - 1);; i = (i + 1) & (cap - 1)) {
        if (set[i] == h) return true;
        if (!set[i]) {
            set[i] = h;
            return false;
        }
    }
}

/* true when this event (same host, record id and time) was counted before.
 * The set starts small and doubles up to UM_SEEN_SLOTS; past that the
 * finding stops de-duplicating (counts may then include a repeat). */
static bool already_counted(um_finding *f, const um_event *ev) {
    if ((f->n_seen + 1) * 4 > f->cap_seen * 3) {
        if (f->cap_seen >= UM_SEEN_SLOTS) return false;
        uint32_t nc = f->cap_seen ? f->cap_seen * 2 : 16;
        uint64_t *ns = um_calloc(nc, sizeof *ns);
        if (!ns) return false;
        for (uint32_t i = 0; i < f->cap_seen; i++)
            if (f->seen[i]) seen_insert(ns, nc, f->seen[i]);
        um_free(f->seen);
        f->seen = ns;
        f->cap_seen = nc;
    }
    uint64_t h = um_hash64(ev->record_id, strlen(ev->record_id), (uint64_t)ev->ts);
    h ^= um_hash64(ev->host, strlen(ev->host), 0x5bd1e995);
    if (!h) h = 1;
    if (seen_insert(f->seen, f->cap_seen, h)) return true;
    f->n_seen++;
    return false;
}

um_status um_finding_add(um_scan *s, um_sid subject, const um_finding_spec *spec,
                         const um_event *ev, const char *file, uint64_t line,
                         const char *values, const char *summary_fmt, ...) {
    if (subject < 0 || (size_t)subject >= s->n_subjects) return UM_OK;
    char kbuf[512];
    int kn = snprintf(kbuf, sizeof kbuf, "%d|%s|%s", subject, spec->indicator,
                      spec->key ? spec->key : "");
    if (kn < 0) return UM_EINVAL;
    size_t klen = (size_t)kn < sizeof kbuf ? (size_t)kn : sizeof kbuf - 1;
    if (!um_map_find(&s->finding_index, kbuf, klen) &&
        um_scan_over_limit(s, UM_LIMIT_FINDINGS, s->n_findings))
        return UM_OK;
    bool created;
    um_map_slot *sl = um_map_upsert(&s->finding_index, kbuf, klen, &created);
    if (!sl) return UM_ENOMEM;
    um_finding *f;
    if (created) {
        if (!um_grow((void **)&s->findings, &s->cap_findings, s->n_findings + 1, sizeof *s->findings))
            return UM_ENOMEM;
        f = &s->findings[s->n_findings];
        memset(f, 0, sizeof *f);
        sl->val = (void *)(uintptr_t)(s->n_findings + 1);
        s->n_findings++;
        f->subject = subject;
        f->pos = s->cur_pos;
        f->flags = spec->flags;
        f->strength = spec->strength;
        f->info.indicator = um_arena_strdup(&s->arena, spec->indicator);
        f->info.analyzer = um_arena_strdup(&s->arena, spec->analyzer ? spec->analyzer : "");
        f->info.strength = um_strength_str(spec->strength);
        f->info.weight = spec->weight;
        f->info.key = um_arena_strdup(&s->arena, spec->key ? spec->key : "");
        f->info.first_us = f->info.last_us = UM_TIME_NONE;
        va_list ap;
        va_start(ap, summary_fmt);
        char *sum = um_vfmt(summary_fmt, ap);
        va_end(ap);
        f->info.summary = um_arena_strdup(&s->arena, sum ? sum : spec->indicator);
        free(sum);
        if (!f->info.indicator || !f->info.analyzer || !f->info.summary || !f->info.key) return UM_ENOMEM;
    } else {
        f = &s->findings[(uintptr_t)sl->val - 1];
        if (spec->weight > f->info.weight) f->info.weight = spec->weight;
        if (spec->strength > f->strength) {
            f->strength = spec->strength;
            f->info.strength = um_strength_str(spec->strength);
        }
    }
    if (ev && ev->record_id && ev->host && already_counted(f, ev)) return UM_OK;
    f->info.count++;
    int64_t t = ev ? ev->ts : UM_TIME_NONE;
    if (t != UM_TIME_NONE) {
        if (f->info.first_us == UM_TIME_NONE || t < f->info.first_us) f->info.first_us = t;
        if (f->info.last_us == UM_TIME_NONE || t > f->info.last_us) f->info.last_us = t;
    }
    if (f->info.n_evidence < UM_MAX_EVIDENCE) {
        f->ev_pos[f->info.n_evidence] = s->cur_pos;
        um_evidence *e = &f->ev[f->info.n_evidence++];
        e->file = ev && ev->src_file ? um_arena_strdup(&s->arena, ev->src_file)
                                     : um_arena_strdup(&s->arena, file ? file : "");
        e->line = ev ? ev->src_line : line;
        e->record = ev && ev->record_id ? um_arena_strdup(&s->arena, ev->record_id) : NULL;
        e->time_us = t;
        e->values = um_arena_strdup(&s->arena, values ? values : "");
    }
    return UM_OK;
}

void um_finding_fold(um_finding *into, um_finding *from) {
    if (from->info.weight > into->info.weight) into->info.weight = from->info.weight;
    if (from->strength > into->strength) {
        into->strength = from->strength;
        into->info.strength = from->info.strength;
    }
    into->info.count += from->info.count;
    if (from->info.first_us != UM_TIME_NONE &&
        (into->info.first_us == UM_TIME_NONE || from->info.first_us < into->info.first_us))
        into->info.first_us = from->info.first_us;
    if (from->info.last_us != UM_TIME_NONE &&
        (into->info.last_us == UM_TIME_NONE || from->info.last_us > into->info.last_us))
        into->info.last_us = from->info.last_us;
    /* evidence: the first samples of both by position (into's first on a tie) */
    um_evidence ev[UM_MAX_EVIDENCE];
    uint64_t pos[UM_MAX_EVIDENCE];
    size_t a = 0, b = 0, n = 0;
    while (n < UM_MAX_EVIDENCE && (a < into->info.n_evidence || b < from->info.n_evidence)) {
        bool take_a = b >= from->info.n_evidence ||
                      (a < into->info.n_evidence && into->ev_pos[a] <= from->ev_pos[b]);
        ev[n] = take_a ? into->ev[a] : from->ev[b];
        pos[n++] = take_a ? into->ev_pos[a++] : from->ev_pos[b++];
    }
    memcpy(into->ev, ev, n * sizeof *ev);
    memcpy(into->ev_pos, pos, n * sizeof *pos);
    into->info.n_evidence = n;
    /* seen events: one set (bounded as in already_counted; past the bound a
     * repeat may count twice, as there) */
    for (uint32_t i = 0; i < from->cap_seen; i++) {
        uint64_t h = from->seen[i];
        if (!h) continue;
        if ((into->n_seen + 1) * 4 > into->cap_seen * 3) {
            if (into->cap_seen >= UM_SEEN_SLOTS) break;
            uint32_t nc = into->cap_seen ? into->cap_seen * 2 : 16;
            uint64_t *ns = um_calloc(nc, sizeof *ns);
            if (!ns) break;
            for (uint32_t k = 0; k < into->cap_seen; k++)
                if (into->seen[k]) seen_insert(ns, nc, into->seen[k]);
            um_free(into->seen);
            into->seen = ns;
            into->cap_seen = nc;
        }
        if (!seen_insert(into->seen, into->cap_seen, h)) into->n_seen++;
    }
    um_free(from->seen);
    from->seen = NULL;
    from->n_seen = from->cap_seen = 0;
}

um_status um_finding_add_count(um_scan *s, um_sid subject, const char *indicator, const char *key, uint64_t n,
                               int64_t last_us) {
    char kbuf[512];
    int kn = snprintf(kbuf, sizeof kbuf, "%d|%s|%s", subject, indicator, key ? key : "");
    if (kn < 0) return UM_EINVAL;
    size_t klen = (size_t)kn < sizeof kbuf ? (size_t)kn : sizeof kbuf - 1;
    uintptr_t v = (uintptr_t)um_map_get(&s->finding_index, kbuf, klen);
    if (!v) return s->limit_warned[UM_LIMIT_FINDINGS] ? UM_OK : UM_ENOTFOUND; /* refused by the limit */
    um_finding *f = &s->findings[v - 1];
    f->info.count += n;
    if (last_us != UM_TIME_NONE) {
        if (f->info.first_us == UM_TIME_NONE || last_us < f->info.first_us) f->info.first_us = last_us;
        if (f->info.last_us == UM_TIME_NONE || last_us > f->info.last_us) f->info.last_us = last_us;
    }
    return UM_OK;
}
