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
#include <stdio.h>
#include <string.h>

#include "../core/internal.h"

#define UM_SANCTIONS_MIN 0.90
#define UM_SANCTIONS_MAX_NAMES 8 /* names screened per subject */

/* OFAC "DPRK2", "DPRK-NKSPEA"; UN "DPRK"; EU "PRK"; UK "The Democratic
 * People's Republic of Korea (Sanctions) (EU Exit) Regulations 2019" */
static bool dprk_programme(const char *p) {
    return p && (strstr(p, "PRK") || strstr(p, "NKSPEA") || um_strstr_ci(p, "Democratic People's Republic of Korea"));
}

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
            char key[160], values[2400], clears[400];
            const char *file = NULL;
            uint64_t line = 0;
            um_subject_value_src(s, sid, UM_ATTR_FULL_NAME, names[i], &file, &line);
            snprintf(key, sizeof key, "%s %s", m->list, m->uid);
            bool confirmed = m->dob_check > 0;
            bool dprk = dprk_programme(m->programs);
            /* what would clear (or confirm) a name-only match */
            snprintf(clears, sizeof clears, "date of birth (listed: %s), nationality, address, identifiers of the entry",
                     m->listed && *m->listed ? m->listed : "none");
            snprintf(values, sizeof values,
                     "status=%s; name=%.120s; dob=%.20s; list=%s; uid=%s; programs=%.80s; also_listed=%.120s; "
                     "matched=%.120s; score=%.2f; clears_with=%s; %.600s",
                     confirmed ? "confirmed" : "potential", names[i], q.dob ? q.dob : "-", m->list, m->uid,
                     m->programs ? m->programs : "", m->also_listed && *m->also_listed ? m->also_listed : "-",
                     m->matched_name, m->score, confirmed ? "-" : clears, m->explanation);
            if (confirmed) {
                um_finding_spec sp = {"IOC-03", "sanctions", UM_MEDIUM, 30, 0, key};
                st = um_finding_add(s, sid, &sp, NULL, file, line, values,
                                    "name \"%.80s\" matches %s entry %s \"%.80s\" (score %.2f) and the date of birth "
                                    "agrees: confirm identity before acting",
                                    names[i], m->list, m->uid, m->entry_name, m->score);
            } else {
                um_finding_spec sp = {"IOC-03", "sanctions", dprk ? UM_MEDIUM : UM_WEAK, dprk ? 30 : 0,
                                      UM_F_CORROBORATE_ONLY, key};
                st = um_finding_add(s, sid, &sp, NULL, file, line, values,
                                    "potential match: name \"%.80s\" matches %s entry %s \"%.80s\" (score %.2f) with "
                                    "nothing to confirm it; clear it with %s%s",
                                    names[i], m->list, m->uid, m->entry_name, m->score, clears,
                                    dprk ? " (DPRK programme: counts beside another signal)" : "");
            }
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
    sx_compile, sx_free, true, NULL, NULL, NULL};
