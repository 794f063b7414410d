/*
 * sanctions.c - screens every claimed person's names against the sanctions
 * lists (OFAC SDN and Consolidated, UN, EU, UK) with the screening engine
 * (src/screen/, docs/SCREENING.md).
 *
 *   IOC-03  name matches a sanctioned person, confirmed    medium 30
 *   IOC-03  name-only match: a potential match to clear    weak 0, or
 *           (DPRK programme entry) medium 30 corroborate-only
 *
 * A name match is a compliance task, not a DPRK verdict: names collide
 * (a listed TAYLOR, Mark John and an employee Mark Taylor). A match counts
 * only when something confirms it: the date of birth on the HR record
 * agrees with a listed one. Without that it is a potential match
 * (values: status=potential; clears_with= what would settle it: the
 * entry's listed DOB, nationality, address or identifiers) that never
 * raises the person's level on its own; for an entry of a DPRK programme
 * it counts only beside another independent medium or strong signal
 * (UM_F_CORROBORATE_ONLY, docs/SCORING.md). A contradicting date of birth
 * rules the entry out in the screener. Only strong name matches are kept
 * (score >= UM_SANCTIONS_MIN). Nationality is never passed: where someone
 * lives or comes from is not evidence. docs/SCHEMA.md, "Potential matches".
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "../core/internal.h"
#include "../util/cfmt.h"

#define UM_SANCTIONS_MIN 0.90
#define UM_SANCTIONS_MAX_NAMES 8 /* names screened per subject */

/* OFAC "DPRK2", "DPRK-NKSPEA"; UN "DPRK"; EU "PRK"; UK "The Democratic
 * People's Republic of Korea (Sanctions) (EU Exit) Regulations 2019" */
static bool dprk_programme(const char *p) {
    return p && (strstr(p, "PRK") || strstr(p, "NKSPEA") || um_strstr_ci(p, "Democratic People's Republic of Korea"));
}

/* One name to screen: taken from the subjects before any worker starts
 * (log-only subjects added later may move the subject array; the strings
 * stay in the scan's arena). */
typedef struct sx_item {
    const char *name, *dob;
    uint32_t sid;
} sx_item;

/* A name with matches: its item, whether it was screened without the HR
 * date of birth (malformed), and the result. */
typedef struct sx_hit {
    size_t item;
    bool nodob;
    um_screen_result *r;
} sx_hit;

#define SX_CHUNK 512 /* names a thread takes at a time */
typedef struct sx_chunk {
    sx_hit *hits;
    size_t n, cap;
    um_status st; /* UM_ENOMEM stops the scan */
} sx_chunk;

/* Screening is read-only on the shared screener, so the names are screened
 * on threads - 1 background threads while the scan's thread goes on with
 * the other analyzers (linkage); finish() helps with what is left, then
 * turns the matches into findings in subject order, on the scan's thread:
 * the findings are the same, in the same order, with any number of threads. */
typedef struct sx_state {
    um_scan *s;
    const um_screener *sc;
    sx_item *items;
    size_t n_items;
    sx_chunk *chunks;
    size_t n_chunks;
    atomic_size_t next;
    atomic_int stop;
    pthread_t th[8];
    size_t n_th;
} sx_state;

static void screen_chunks(sx_state *x) {
    for (;;) {
        size_t c = atomic_fetch_add(&x->next, 1);
        if (c >= x->n_chunks || atomic_load(&x->stop) || um_scan_cancelled(x->s)) return;
        sx_chunk *ch = &x->chunks[c];
        size_t end = (c + 1) * SX_CHUNK < x->n_items ? (c + 1) * SX_CHUNK : x->n_items;
        for (size_t i = c * SX_CHUNK; i < end && ch->st == UM_OK; i++) {
            const sx_item *it = &x->items[i];
            um_screen_query q = {it->name, it->dob, NULL, UM_SCREEN_PERSON, UM_SANCTIONS_MIN, 3};
            um_screen_result *r = NULL;
            um_status st = um_screen_name(x->sc, &q, &r);
            bool nodob = false;
            if (st == UM_EINVAL && q.dob) { /* a malformed HR date of birth: screen without it */
                um_screen_result_free(r);
                r = NULL;
                q.dob = NULL;
                nodob = true;
                st = um_screen_name(x->sc, &q, &r);
            }
            if (st != UM_OK || !um_screen_result_count(r)) {
                um_screen_result_free(r);
                if (st == UM_ENOMEM) ch->st = st;
                continue; /* an unusable name is not a scan error */
            }
            if (!um_grow((void **)&ch->hits, &ch->cap, ch->n + 1, sizeof *ch->hits)) {
                um_screen_result_free(r);
                ch->st = UM_ENOMEM;
                break;
            }
            ch->hits[ch->n++] = (sx_hit){i, nodob, r};
        }
    }
}

static void *sx_thread(void *p) {
    screen_chunks(p);
    return NULL;
}

static void sx_state_free(void *p) {
    sx_state *x = p;
    if (!x) return;
    atomic_store(&x->stop, 1);
    for (size_t t = 0; t < x->n_th; t++) pthread_join(x->th[t], NULL);
    for (size_t c = 0; c < x->n_chunks; c++) {
        for (size_t k = 0; k < x->chunks[c].n; k++) um_screen_result_free(x->chunks[c].hits[k].r);
        um_free(x->chunks[c].hits);
    }
    um_free(x->chunks);
    um_free(x->items);
    um_free(x);
}

/* The findings of one screened name. */
static um_status add_matches(um_scan *s, const sx_item *it, bool nodob, const um_screen_result *r) {
    um_sid sid = (um_sid)it->sid;
    const char *name = it->name, *dob = nodob ? NULL : it->dob;
    um_status st = UM_OK;
    for (size_t k = 0; k < um_screen_result_count(r) && st == UM_OK; k++) {
        const um_screen_match *m = um_screen_result_match(r, k);
        char key[160], values[2400], clears[400];
        const char *file = NULL;
        uint64_t line = 0;
        um_subject_value_src(s, sid, UM_ATTR_FULL_NAME, name, &file, &line);
        snprintf(key, sizeof key, "%s %s", m->list, m->uid);
        bool confirmed = m->dob_check > 0;
        bool dprk = dprk_programme(m->programs);
        /* what would clear (or confirm) a name-only match */
        snprintf(clears, sizeof clears, "date of birth (listed: %s), nationality, address, identifiers of the entry",
                 m->listed && *m->listed ? m->listed : "none");
        um_snprintf(values, sizeof values,
                    "status=%s; name=%.120s; dob=%.20s; list=%s; uid=%s; programs=%.80s; also_listed=%.120s; "
                    "matched=%.120s; score=%.2f; clears_with=%s; %.600s",
                    confirmed ? "confirmed" : "potential", name, dob ? dob : "-", m->list, m->uid,
                    m->programs ? m->programs : "", m->also_listed && *m->also_listed ? m->also_listed : "-",
                    m->matched_name, m->score, confirmed ? "-" : clears, m->explanation);
        if (confirmed) {
            um_finding_spec sp = {"IOC-03", "sanctions", UM_MEDIUM, 30, 0, key};
            st = um_finding_add(s, sid, &sp, NULL, file, line, values,
                                "name \"%.80s\" matches %s entry %s \"%.80s\" (score %.2f) and the date of birth "
                                "agrees: confirm identity before acting",
                                name, m->list, m->uid, m->entry_name, m->score);
        } else {
            um_finding_spec sp = {"IOC-03", "sanctions", dprk ? UM_MEDIUM : UM_WEAK, dprk ? 30 : 0,
                                  UM_F_CORROBORATE_ONLY, key};
            st = um_finding_add(s, sid, &sp, NULL, file, line, values,
                                "potential match: name \"%.80s\" matches %s entry %s \"%.80s\" (score %.2f) with "
                                "nothing to confirm it; clear it with %s%s",
                                name, m->list, m->uid, m->entry_name, m->score, clears,
                                dprk ? " (DPRK programme: counts beside another signal)" : "");
        }
    }
    return st;
}

/* Compiled lazily once per context: the screener (lists, name index) is
 * costly and only needed when a scan has identity records with names. */
typedef struct sx_compiled {
    um_screener *sc; /* NULL when the lists could not be loaded */
    char *error;     /* why not, said in every scan that needed them */
} sx_compiled;

static void sx_free(void *p) {
    sx_compiled *c = p;
    if (!c) return;
    um_screener_close(c->sc);
    um_free(c->error);
    um_free(c);
}

static um_status sx_compile(um_ctx *ctx, void **out) {
    sx_compiled *c = um_calloc(1, sizeof *c);
    if (!c) return UM_ENOMEM;
    *out = c;
    um_screener_options o = {0};
    o.data_dir = um_ctx_data_dir(ctx);
    um_status st = um_screener_open_ctx(&c->sc, &o, ctx);
    if (st != UM_OK) {
        c->error = um_strdup(um_screener_errmsg(c->sc));
        um_screener_close(c->sc);
        c->sc = NULL;
        if (!c->error || st == UM_ENOMEM) return UM_ENOMEM;
    }
    return UM_OK;
}

extern const um_analyzer um_analyzer_sanctions;

static um_status on_subjects(um_scan *s, void **state) {
    bool any = false;
    for (size_t i = 0; i < um_scan_nsubjects(s) && !any; i++) {
        size_t n;
        um_subject_values(s, (um_sid)i, UM_ATTR_FULL_NAME, &n);
        any = n > 0;
    }
    if (!any) return UM_OK; /* logs only: no list to load */
    const void *cv = NULL;
    um_status st = um_ctx_compiled(um_scan_ctx(s), &um_analyzer_sanctions, &cv);
    if (st != UM_OK) return st;
    const sx_compiled *c = cv;
    if (!c->sc) {
        um_scan_warn(s, "sanctions", "sanctions lists not loaded (%s): names were not screened", c->error);
        return UM_OK;
    }
    sx_state *x = um_calloc(1, sizeof *x);
    if (!x) return UM_ENOMEM;
    *state = x;
    x->s = s;
    x->sc = c->sc;
    size_t cap = 0;
    for (size_t i = 0; i < um_scan_nsubjects(s); i++) {
        if (!um_subject_has_identity(s, (um_sid)i)) continue;
        size_t n_names, n_dob;
        const char *const *names = um_subject_values(s, (um_sid)i, UM_ATTR_FULL_NAME, &n_names);
        const char *const *dob = um_subject_values(s, (um_sid)i, UM_ATTR_DOB, &n_dob);
        for (size_t k = 0; k < n_names && k < UM_SANCTIONS_MAX_NAMES; k++) {
            if (!um_grow((void **)&x->items, &cap, x->n_items + 1, sizeof *x->items)) return UM_ENOMEM;
            x->items[x->n_items++] = (sx_item){names[k], n_dob ? dob[0] : NULL, (uint32_t)i};
        }
    }
    x->n_chunks = (x->n_items + SX_CHUNK - 1) / SX_CHUNK;
    x->chunks = um_calloc(x->n_chunks + 1, sizeof *x->chunks);
    if (!x->chunks) return UM_ENOMEM;
    size_t want = um_scan_thread_count(s) > 1 ? um_scan_thread_count(s) - 1 : 0;
    for (size_t t = 0; t < want && t < UM_ARRAY_LEN(x->th) && (t + 1) * 4 < x->n_chunks; t++) {
        if (pthread_create(&x->th[x->n_th], NULL, sx_thread, x) != 0) break; /* the scan's thread does the rest */
        x->n_th++;
    }
    return UM_OK;
}

static um_status finish(um_scan *s, void *state) {
    sx_state *x = state;
    if (!x) return UM_OK;
    screen_chunks(x); /* what the background threads have not taken */
    for (size_t t = 0; t < x->n_th; t++) pthread_join(x->th[t], NULL);
    x->n_th = 0;
    if (um_scan_cancelled(s)) return um_scan_cancel_status(s);
    um_status st = UM_OK;
    for (size_t c = 0; c < x->n_chunks && st == UM_OK; c++) {
        sx_chunk *ch = &x->chunks[c];
        if (ch->st != UM_OK) return ch->st;
        for (size_t k = 0; k < ch->n && st == UM_OK; k++)
            st = add_matches(s, &x->items[ch->hits[k].item], ch->hits[k].nodob, ch->hits[k].r);
    }
    /* the findings hold copies: the results and the names go now, not at
     * the scan's end (they were ~100 bytes a person through the write) */
    for (size_t c = 0; c < x->n_chunks && st == UM_OK; c++) {
        for (size_t k = 0; k < x->chunks[c].n; k++) um_screen_result_free(x->chunks[c].hits[k].r);
        um_free(x->chunks[c].hits);
        x->chunks[c] = (sx_chunk){0};
    }
    if (st == UM_OK) {
        um_free(x->items);
        x->items = NULL;
        x->n_items = 0;
    }
    return st;
}

const um_analyzer um_analyzer_sanctions = {
    "sanctions", "names of claimed persons against the OFAC SDN and UN lists (IOC-03)", on_subjects, NULL, finish,
    sx_state_free, sx_compile, sx_free, true, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
