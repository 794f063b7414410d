/*
 * score.c - combines a subject's findings into a score (0..100) and a level.
 *
 * Rules (documented in docs/SCORING.md):
 *  1. Per indicator only the heaviest finding counts (one noisy laptop with
 *     three RMM tools is one EP-02, not three).
 *  2. Findings flagged UM_F_CORROBORATE_ONLY (sensitive signals such as a
 *     Korean keyboard layout or a trip abroad) count only when the subject
 *     also has an independent medium or strong finding: one that is not
 *     corroborate-only itself and not another where-is-this-person signal
 *     (um_score_is_locale: sign-in country, travel, activity hours, commit
 *     offsets, input language), so a Korean IME and a week in Seoul never
 *     vouch for each other.
 *  3. score = min(100, sum of counted weights).
 *  4. review needs score >= 30 and at least one counted medium/strong finding;
 *     high needs score >= 60 and either a strong finding or two different
 *     medium indicators. Weak findings alone therefore stay "clean".
 */
#include <string.h>

#include "../core/scan.h"

#define REVIEW_AT 30
#define HIGH_AT 60

bool um_score_is_locale(const char *indicator) {
    static const char *const locale[] = {"NET-02", "NET-06", "TM-01", "TM-02", "EP-04", "ID-15", "IV-05"};
    for (size_t i = 0; indicator && i < sizeof locale / sizeof *locale; i++)
        if (strcmp(indicator, locale[i]) == 0) return true;
    return false;
}

void um_score_subject(const um_finding *const *f, size_t n, int *score, um_level *level) {
    bool independent = false;
    for (size_t i = 0; i < n; i++)
        if (!(f[i]->flags & UM_F_CORROBORATE_ONLY) && f[i]->strength >= UM_MEDIUM &&
            !um_score_is_locale(f[i]->info.indicator))
            independent = true;
    int sum = 0, strong = 0, medium = 0;
    for (size_t i = 0; i < n; i++) {
        if ((f[i]->flags & UM_F_CORROBORATE_ONLY) && !independent) continue;
        bool seen = false;
        for (size_t k = 0; k < i; k++)
            if (strcmp(f[k]->info.indicator, f[i]->info.indicator) == 0 &&
                (!(f[k]->flags & UM_F_CORROBORATE_ONLY) || independent)) {
                seen = true;
                break;
            }
        if (seen) continue;
        int w = f[i]->info.weight;
        int best = w;
        for (size_t k = i + 1; k < n; k++)
            if (strcmp(f[k]->info.indicator, f[i]->info.indicator) == 0 && f[k]->info.weight > best)
                best = f[k]->info.weight;
        sum += best;
        if (!(f[i]->flags & UM_F_CORROBORATE_ONLY)) {
            if (f[i]->strength == UM_STRONG) strong++;
            else if (f[i]->strength == UM_MEDIUM) medium++;
        }
    }
    if (sum > 100) sum = 100;
    um_level lv = UM_LEVEL_CLEAN;
    if (sum >= HIGH_AT && (strong >= 1 || medium >= 2)) lv = UM_LEVEL_HIGH;
    else if (sum >= REVIEW_AT && (strong + medium) >= 1) lv = UM_LEVEL_REVIEW;
    if (lv == UM_LEVEL_CLEAN && sum >= REVIEW_AT) sum = REVIEW_AT - 1; /* weak-only cap */
    *score = sum;
    *level = lv;
}
