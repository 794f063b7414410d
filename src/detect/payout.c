/*
 * payout.c - the `payout` analyzer: a person's own payout records against
 * themselves (payroll / contractor-payout exports joined into the subject):
 *
 *   PAY-02  payout churn: >= 3 different payout destinations (bank
 *           accounts, wallets) set up within 90 days, i.e. >= 2 changes
 *           ("frequently change banks")                          medium 20
 *   PAY-02  account holder named on the payout is not the worker: no
 *           name word (2+ letters) of the holder is a word of the
 *           person's own names (a third-party / mule account)    medium 20
 *   PAY-01  paid in cryptocurrency (a wallet, or a payout method naming
 *           crypto, USDC, USDT, BTC, ETH ...)                      weak 10
 *
 * Per indicator only the heaviest finding counts (score.c), so churn and a
 * foreign holder together are one PAY-02. One payout destination behind
 * several workers is PAY-04 of the `link` analyzer, not repeated here.
 *
 * Pairing: a destination's set-up date is the change_date of the same
 * source row (same file and line); a destination without one is counted
 * for nothing in the churn window. Holder names compare case- and
 * accent-blind as word sets, so "J. Smith", "John & Mary Smith" and
 * "Smith Consulting LLC" all match John Smith; only a holder sharing no
 * name word with the person is reported. That is a check of the person's
 * own records against each other, never of what their name sounds like.
 *
 * No events: everything is decided in on_subjects' counterpart, finish,
 * from the subject table (bounded by it).
 */
#include <stdlib.h>
#include <string.h>

#include "../core/internal.h"
#include "../util/ascii.h"

#define UM_PAY_CHURN_N 3
#define UM_PAY_CHURN_DAYS 90
#define UM_PAY02_WEIGHT 20
#define UM_PAY01_WEIGHT 10
#define UM_PAY_MAX_DEST 64

static um_status py_on_subjects(um_scan *scan, void **out) {
    (void)scan;
    *out = NULL;
    return UM_OK;
}

/* Lower-case words of s: runs of ASCII letters and non-ASCII bytes (UTF-8
 * letters kept as they are), at least 2 bytes long. */
static size_t words(const char *s, char w[][32], size_t max) {
    size_t n = 0, len = 0;
    char cur[32];
    for (const unsigned char *p = (const unsigned char *)s;; p++) {
        int c = *p;
        bool letter = c >= 0x80 || um_ascii_isalpha(c);
        if (letter && len + 1 < sizeof cur) {
            cur[len++] = (char)um_ascii_tolower(c);
            continue;
        }
        if (letter) continue;
        if (len >= 2 && n < max) {
            cur[len] = 0;
            memcpy(w[n++], cur, len + 1);
        }
        len = 0;
        if (!c) break;
    }
    return n;
}

bool um_payout_holder_matches(const char *holder, const char *const *names, size_t n_names) {
    char hw[16][32];
    size_t nh = words(holder, hw, 16);
    if (!nh) return true; /* nothing to compare */
    for (size_t i = 0; i < n_names; i++) {
        char w[16][32];
        size_t k = words(names[i], w, 16);
        for (size_t a = 0; a < nh; a++)
            for (size_t b = 0; b < k; b++)
                if (strcmp(hw[a], w[b]) == 0) return true;
    }
    return false;
}

bool um_payout_is_crypto(const char *method) {
    static const char *const words_c[] = {"crypto", "usdc", "usdt", "bitcoin", "btc", "ether", "eth",
                                          "stablecoin", "tron", "trc20", "erc20", "wallet", "solana"};
    char w[16][32];
    size_t n = words(method ? method : "", w, 16);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < UM_ARRAY_LEN(words_c); k++)
            if (strcmp(w[i], words_c[k]) == 0) return true;
    return false;
}

static bool parse_day(const char *s, int64_t *day) {
    int y, m, d;
    char tail;
    if (!s || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) < 3) return false;
    int64_t e;
    if (!um_time_from_civil(y, m, d, 0, 0, 0, &e)) return false;
    *day = e / 86400;
    return true;
}

static int cmp_day(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

bool um_payout_churn(const int64_t *days, size_t n, int64_t *from, int64_t *to) {
    if (n < UM_PAY_CHURN_N) return false;
    int64_t *d = um_malloc(n * sizeof *d);
    if (!d) return false;
    memcpy(d, days, n * sizeof *d);
    qsort(d, n, sizeof *d, cmp_day);
    bool hit = false;
    for (size_t i = 0; i + UM_PAY_CHURN_N - 1 < n && !hit; i++)
        if (d[i + UM_PAY_CHURN_N - 1] - d[i] <= UM_PAY_CHURN_DAYS) {
            *from = d[i];
            *to = d[i + UM_PAY_CHURN_N - 1];
            hit = true;
        }
    um_free(d);
    return hit;
}

static void day_text(int64_t day, char *b, size_t n) {
    char t[40];
    um_time_format(day * 86400LL * 1000000LL, t, sizeof t);
    snprintf(b, n, "%.10s", t);
}

static um_status subject_payouts(um_scan *s, um_sid sid) {
    size_t nd = 0, na = 0, nw = 0, nh = 0, nm = 0;
    const char *const *dfile, *const *afile, *const *wfile, *const *hfile, *const *mfile;
    const uint64_t *dline, *aline, *wline, *hline, *mline;
    const char *const *dates = um_subject_values_at(s, sid, UM_ATTR_CHANGE_DATE, &nd, &dfile, &dline);
    const char *const *accts = um_subject_values_at(s, sid, UM_ATTR_PAYOUT_ACCOUNT, &na, &afile, &aline);
    (void)um_subject_values_at(s, sid, UM_ATTR_WALLET, &nw, &wfile, &wline);
    const char *const *holders = um_subject_values_at(s, sid, UM_ATTR_PAYOUT_NAME, &nh, &hfile, &hline);
    const char *const *methods = um_subject_values_at(s, sid, UM_ATTR_PAYOUT_METHOD, &nm, &mfile, &mline);
    um_status rc = UM_OK;

    /* PAY-02 churn */
    int64_t days[UM_PAY_MAX_DEST];
    size_t n_days = 0, n_dest = 0;
    for (int pass = 0; pass < 2; pass++) {
        size_t n = pass ? nw : na;
        const char *const *f = pass ? wfile : afile;
        const uint64_t *l = pass ? wline : aline;
        for (size_t i = 0; i < n && n_days < UM_PAY_MAX_DEST; i++) {
            n_dest++;
            for (size_t k = 0; k < nd; k++)
                if (dline[k] == l[i] && dfile[k] && f[i] && strcmp(dfile[k], f[i]) == 0 &&
                    parse_day(dates[k], &days[n_days])) {
                    n_days++;
                    break;
                }
        }
    }
    int64_t from, to;
    if (um_payout_churn(days, n_days, &from, &to)) {
        char a[16], b[16], values[256];
        day_text(from, a, sizeof a);
        day_text(to, b, sizeof b);
        snprintf(values, sizeof values, "destinations=%zu; dated=%zu; first_in_window=%s; last_in_window=%s; window_days=%d",
                 n_dest, n_days, a, b, UM_PAY_CHURN_DAYS);
        const char *file = na ? afile[0] : wfile[0];
        uint64_t line = na ? aline[0] : wline[0];
        um_finding_spec sp = {"PAY-02", "payout", UM_MEDIUM, UM_PAY02_WEIGHT, 0, "churn"};
        rc = um_finding_add(s, sid, &sp, NULL, file, line, values,
                            "%d different payout destinations set up between %s and %s (>= 2 changes in %d days)",
                            UM_PAY_CHURN_N, a, b, UM_PAY_CHURN_DAYS);
        if (rc != UM_OK) return rc;
    }

    /* PAY-02 holder != worker */
    if (nh) {
        const char *names[8];
        size_t nn = 0;
        static const um_attr name_attrs[] = {UM_ATTR_FULL_NAME, UM_ATTR_FIRST_NAME, UM_ATTR_LAST_NAME};
        for (size_t a = 0; a < UM_ARRAY_LEN(name_attrs); a++) {
            size_t k = 0;
            const char *const *v = um_subject_values(s, sid, name_attrs[a], &k);
            for (size_t i = 0; i < k && nn < UM_ARRAY_LEN(names); i++) names[nn++] = v[i];
        }
        for (size_t i = 0; nn && i < nh; i++) {
            if (um_payout_holder_matches(holders[i], names, nn)) continue;
            char values[512];
            snprintf(values, sizeof values, "holder=%.120s; worker=%.120s", holders[i], names[0]);
            um_finding_spec sp = {"PAY-02", "payout", UM_MEDIUM, UM_PAY02_WEIGHT, 0, "holder"};
            rc = um_finding_add(s, sid, &sp, NULL, hfile[i], hline[i], values,
                                "payout account held by '%.80s', a name that shares no word with the worker's "
                                "own (%.80s)",
                                holders[i], names[0]);
            if (rc != UM_OK) return rc;
        }
    }

    /* PAY-01 crypto */
    const char *why = NULL, *file = NULL;
    uint64_t line = 0;
    for (size_t i = 0; i < nm && !why; i++)
        if (um_payout_is_crypto(methods[i])) {
            why = methods[i];
            file = mfile[i];
            line = mline[i];
        }
    if (!why && nw) {
        why = "a wallet address";
        file = wfile[0];
        line = wline[0];
    }
    if (!why)
        for (size_t i = 0; i < na && !why; i++)
            if (strcmp(um_wallet_check(accts[i]).kind, "unknown") != 0) {
                why = "a wallet address";
                file = afile[i];
                line = aline[i];
            }
    if (why) {
        char values[256];
        snprintf(values, sizeof values, "method=%.120s", why);
        um_finding_spec sp = {"PAY-01", "payout", UM_WEAK, UM_PAY01_WEIGHT, 0, "crypto"};
        rc = um_finding_add(s, sid, &sp, NULL, file, line, values, "paid in cryptocurrency (%.80s)", why);
    }
    return rc;
}

static um_status py_finish(um_scan *s, void *p) {
    (void)p;
    size_t n = um_scan_nsubjects(s);
    for (size_t i = 0; i < n; i++) {
        if (!um_subject_has_identity(s, (um_sid)i)) continue;
        um_status rc = subject_payouts(s, (um_sid)i);
        if (rc != UM_OK) return rc;
    }
    return UM_OK;
}

const um_analyzer um_analyzer_payout = {
    "payout", "payout churn, payout holder not the worker (PAY-02); crypto payout (PAY-01)",
    py_on_subjects, NULL, py_finish, NULL, NULL, NULL, false, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
