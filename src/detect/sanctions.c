/*
 * sanctions.c - screens every claimed person's names against the OFAC SDN
 * and UN lists with the screening engine (src/screen/, docs/SCREENING.md).
 *
 *   IOC-03  name matches a sanctioned person or entity   medium 30
 *
 * A name match is a lead for human review, never proof (names collide and
 * identities are stolen): it is medium, so alone it reaches `review` and
 * never `high`. Only strong matches count (score >= UM_SANCTIONS_MIN, a bar
 * that common names on no list do not reach, tests/data/screen/cases.tsv);
 * a date of birth on the HR record is passed to the screener, where a
 * contradicting one rules the entry out. Nationality is never passed: where
 * someone lives or comes from is not evidence.
 */
#include <stdio.h>
#include <string.h>

#include "../core/internal.h"

#define UM_SANCTIONS_MIN 0.90
#define UM_SANCTIONS_MAX_NAMES 8 /* names screened per subject */

static um_status screen_subject(um_scan *s, const um_screener *sc, um_sid sid) {
    size_t n_names, n_dob;
    const char *const *names = um_subject_values(s, sid, UM_ATTR_FULL_NAME, &n_names);
    const char *const *dob = um_subject_values(s, sid, UM_ATTR_DOB, &n_dob);
    for (size_t i = 0; i < n_names && i < UM_SANCTIONS_MAX_NAMES; i++) {
        um_screen_query q = {names[i], n_dob ? dob[0] : NULL, NULL, UM_SCREEN_PERSON, UM_SANCTIONS_MIN, 3};
        um_screen_result *r = NULL;
        um_status st = um_screen_name(sc, &q, &r);
        if (st == UM_EINVAL && q.dob) { /* a malformed HR date of birth: screen without it */
            q.dob = NULL;
            st = um_screen_name(sc, &q, &r);
        }
        if (st != UM_OK) {
            um_screen_result_free(r);
            if (st == UM_ENOMEM) return st;
            continue; /* an unusable name is not a scan error */
        }
        for (size_t k = 0; k < um_screen_result_count(r); k++) {
            const um_screen_match *m = um_screen_result_match(r, k);
            char key[160], values[1024];
            const char *file = NULL;
            uint64_t line = 0;
            um_subject_value_src(s, sid, UM_ATTR_FULL_NAME, names[i], &file, &line);
            snprintf(key, sizeof key, "%s %s", m->list, m->uid);
            snprintf(values, sizeof values, "name=%.120s; dob=%.20s; list=%s; uid=%s; matched=%.120s; score=%.2f; %.600s",
                     names[i], q.dob ? q.dob : "-", m->list, m->uid, m->matched_name, m->score, m->explanation);
            um_finding_spec sp = {"IOC-03", "sanctions", UM_MEDIUM, 30, 0, key};
            st = um_finding_add(s, sid, &sp, NULL, file, line, values,
                                "name \"%.80s\" matches %s entry %s \"%.80s\" (score %.2f%s): confirm identity "
                                "before acting; a name match alone is not proof",
                                names[i], m->list, m->uid, m->entry_name, m->score,
                                q.dob ? ", date of birth consistent" : ", no date of birth to compare");
            if (st != UM_OK) break;
        }
        um_screen_result_free(r);
        if (st != UM_OK) return st;
    }
    return UM_OK;
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
    um_screener_options o = {um_ctx_data_dir(ctx), NULL, NULL};
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
    (void)state;
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
    for (size_t i = 0; i < um_scan_nsubjects(s) && st == UM_OK; i++)
        if (um_subject_has_identity(s, (um_sid)i)) st = screen_subject(s, c->sc, (um_sid)i);
    return st;
}

const um_analyzer um_analyzer_sanctions = {
    "sanctions", "names of claimed persons against the OFAC SDN and UN lists (IOC-03)", on_subjects, NULL, NULL, NULL,
    sx_compile, sx_free, true};
