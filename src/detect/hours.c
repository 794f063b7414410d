/*
 * hours.c - the `hours` analyzer: activity hours against the claimed time
 * zone (TM-01) and git commit offsets (TM-02).
 *
 * Only subjects whose claim (TIMEZONE, else COUNTRY) lies in the Americas
 * or Europe (offset <= +3h) are compared; a subject claiming UTC+8/+9
 * (someone who moved to Tokyo) gets nothing.
 *
 * TM-01: every timestamped activity event (sign-ins that succeeded,
 * logons, process starts, file writes, remote sessions, commits; not USB,
 * DNS or network-connection noise, and not SYSTEM/service/machine accounts)
 * marks one (day, UTC hour) cell per subject in a bitmap, so one busy hour
 * counts once. At the end the cells give a 24-bin UTC histogram, and the
 * whole-hour offset whose 09-18h holds most of it is the fitted zone;
 * TM-01 (medium, 20) fires with >= 20 active hours over >= 5 days when
 * >= 60 % of them fall in 09-18h of UTC+7, +8, +9 or +10 and <= 30 % in
 * 08-19h of the claim, and names the fitted zone, the claimed zone and the
 * number of events (and hours, days) behind it. Fewer hours or days: silent.
 * Weight 20 keeps it below review on its own (night-shift support staff).
 *
 * TM-02: commits carrying an offset of +0800/+0900/+1000 while the claim
 * is Americas/Europe; weak, 10, with >= 3 such commits and >= 50 % of the
 * subject's commits that carry an offset.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "../util/cfmt.h"

/* ---- pure decisions ---------------------------------------------------- */

/* Representative standard offset for a claimed country when no zone is
 * given (the most populous zone; whole-country ranges would be kinder to
 * nobody and blur the comparison). */
static const struct {
    const char *cc;
    int off;
} country_off[] = {
    {"US", -360}, {"CA", -300}, {"MX", -360}, {"BR", -180}, {"AR", -180}, {"CL", -240},
    {"CO", -300}, {"PE", -300}, {"EC", -300}, {"VE", -240}, {"UY", -180}, {"GT", -360},
    {"CR", -360}, {"PA", -300}, {"DO", -240}, {"PR", -240}, {"JM", -300},
    {"GB", 0},    {"IE", 0},    {"PT", 0},    {"IS", 0},
    {"ES", 60},   {"FR", 60},   {"DE", 60},   {"IT", 60},   {"NL", 60},   {"BE", 60},
    {"LU", 60},   {"CH", 60},   {"AT", 60},   {"PL", 60},   {"CZ", 60},   {"SK", 60},
    {"HU", 60},   {"SE", 60},   {"NO", 60},   {"DK", 60},   {"HR", 60},   {"SI", 60},
    {"RS", 60},   {"BA", 60},   {"AL", 60},   {"MK", 60},   {"ME", 60},   {"MT", 60},
    {"FI", 120},  {"EE", 120},  {"LV", 120},  {"LT", 120},  {"UA", 120},  {"RO", 120},
    {"BG", 120},  {"GR", 120},  {"MD", 120},  {"CY", 120},  {"TR", 180},  {"BY", 180},
};

um_claim_zone um_claim_zone_of(const char *timezone, const char *country) {
    um_claim_zone z = {0, 0, false};
    int m;
    if (timezone && *timezone && um_tz_offset(timezone, &m)) {
        z.lo = z.hi = m;
        z.known = true;
        return z;
    }
    const char *cc = country ? um_country_code(country) : NULL;
    for (size_t i = 0; cc && i < UM_ARRAY_LEN(country_off); i++)
        if (strcmp(cc, country_off[i].cc) == 0) {
            z.lo = z.hi = country_off[i].off;
            z.known = true;
            break;
        }
    return z;
}

bool um_claim_is_west(um_claim_zone z) {
    return z.known && z.hi <= 180 && z.lo >= -12 * 60;
}

/* Share of the histogram whose local hour (UTC + off) is in [from, to). */
static double share_in(const uint32_t hist[24], unsigned total, int off, int from, int to) {
    if (!total) return 0;
    unsigned in = 0;
    for (int h = 0; h < 24; h++) {
        int local = h * 60 + off;
        local = ((local % 1440) + 1440) % 1440;
        int lh = local / 60;
        if (lh >= from && lh < to) in += hist[h];
    }
    return (double)in / (double)total;
}

bool um_hours_fit(const uint32_t hist[24], int prefer, int *offset, double *share) {
    unsigned total = 0;
    for (int h = 0; h < 24; h++) total += hist[h];
    if (!total) return false;
    double best = -1;
    int bo = 0;
    for (int off = -720; off <= 840; off += 60) {
        double c = share_in(hist, total, off, 9, 18);
        if (c > best + 1e-9 || (c > best - 1e-9 && abs(off - prefer) < abs(bo - prefer))) {
            best = c;
            bo = off;
        }
    }
    *offset = bo;
    *share = best;
    return true;
}

bool um_hours_decide(const uint32_t hist[24], unsigned days, um_claim_zone claim,
                     um_hours_result *out) {
    memset(out, 0, sizeof *out);
    unsigned total = 0;
    for (int h = 0; h < 24; h++) total += hist[h];
    out->total = total;
    if (total) um_hours_fit(hist, claim.known ? claim.lo : 0, &out->fit_offset, &out->fit_share);
    if (!um_claim_is_west(claim) || total < UM_TM01_MIN_HOURS || days < UM_TM01_MIN_DAYS)
        return false;
    /* UTC+9 first: on a tie the Korean/Japanese zone is named */
    static const int asia[] = {540, 480, 600, 420};
    for (size_t i = 0; i < UM_ARRAY_LEN(asia); i++) {
        double c = share_in(hist, total, asia[i], 9, 18);
        if (c > out->asia_share) {
            out->asia_share = c;
            out->asia_offset = asia[i];
        }
    }
    if (!out->asia_offset) out->asia_offset = 540;
    double best = 0;
    for (int off = claim.lo; off <= claim.hi; off += 60) {
        double c = share_in(hist, total, off, 8, 19);
        if (c > best) best = c;
    }
    out->claimed_share = best;
    out->fire = out->asia_share >= 0.6 && out->claimed_share <= 0.3;
    return out->fire;
}

bool um_commit_offset_is_asia(int tz_min) {
    return tz_min == 480 || tz_min == 540 || tz_min == 600;
}

bool um_commit_tz_decide(unsigned n_asia, unsigned n_total) {
    return n_asia >= 3 && n_total > 0 && 2u * n_asia >= n_total;
}

/* ---- the analyzer ------------------------------------------------------ */

/* Activity cells are kept for a window of UM_HR_DAYS days starting
 * UM_HR_BACK days before the subject's first event (bounded memory). */
#define UM_HR_DAYS 1024
#define UM_HR_BACK 512
#define UM_HR_BITS (UM_HR_DAYS * 24)

enum { HR_UNSEEN = 0, HR_SKIP, HR_WEST };

typedef struct hr_subj {
    /* what every event reads first, together at the front (one cache line:
     * with thousands of people each event's subject is a cache miss) */
    int state;
    uint32_t events;    /* activity events behind the histogram */
    int64_t base_day;   /* first day of the bitmap window */
    uint8_t *bits;      /* UM_HR_BITS bits, NULL until the first activity */
    uint32_t day_bits;  /* a copy of the 24 cells of window day day_at - 1 (bit = hour) ... */
    uint32_t day_at;    /* ... (0: none): events of that day test it, not the bitmap */
    um_claim_zone zone;
    const char *claim_text; /* subject's claimed zone or country (scan-owned) */
    bool from_country;
    uint32_t hist[24];
    int64_t first_us, last_us;
    uint32_t commits, commits_asia;
    int64_t c_first_us, c_last_us;
    int16_t c_off[8];       /* commit offsets seen (minutes) ... */
    uint32_t c_cnt[8];      /* ... and how many commits carry each */
    uint8_t n_off;
} hr_subj;

typedef struct hr_state {
    hr_subj *s;
    size_t n, cap;
} hr_state;

static void hr_free(void *p) {
    hr_state *st = p;
    if (!st) return;
    for (size_t i = 0; i < st->n; i++) um_free(st->s[i].bits);
    um_free(st->s);
    um_free(st);
}

static um_status hr_on_subjects(um_scan *s, void **out) {
    (void)s;
    hr_state *st = um_calloc(1, sizeof *st);
    if (!st) return UM_ENOMEM;
    *out = st;
    return UM_OK;
}

static hr_subj *subject(um_scan *s, hr_state *st, um_sid sid) {
    size_t i = (size_t)sid;
    if (i >= st->n) {
        if (!um_grow((void **)&st->s, &st->cap, i + 1, sizeof *st->s)) return NULL;
        memset(st->s + st->n, 0, (i + 1 - st->n) * sizeof *st->s);
        st->n = i + 1;
    }
    hr_subj *h = &st->s[i];
    if (h->state != HR_UNSEEN) return h;
    h->state = HR_SKIP;
    if (!um_subject_has_identity(s, sid)) return h;
    size_t nt = 0, nc = 0;
    const char *const *tz = um_subject_values(s, sid, UM_ATTR_TIMEZONE, &nt);
    const char *const *cc = um_subject_values(s, sid, UM_ATTR_COUNTRY, &nc);
    for (size_t k = 0; k < nt && !h->zone.known; k++) {
        h->zone = um_claim_zone_of(tz[k], NULL);
        if (h->zone.known) h->claim_text = tz[k];
    }
    for (size_t k = 0; k < nc && !h->zone.known; k++) {
        h->zone = um_claim_zone_of(NULL, cc[k]);
        if (h->zone.known) {
            h->claim_text = cc[k];
            h->from_country = true;
        }
    }
    if (um_claim_is_west(h->zone)) h->state = HR_WEST;
    h->first_us = h->last_us = h->c_first_us = h->c_last_us = UM_TIME_NONE;
    return h;
}

static bool is_service_account(const char *u) {
    if (!u || !*u) return false;
    const char *b = strrchr(u, '\\');
    b = b ? b + 1 : u;
    size_t n = strlen(b);
    return um_streq_ci(b, "system") || um_streq_ci(b, "local service") ||
           um_streq_ci(b, "network service") || um_streq_ci(b, "localsystem") ||
           um_streq_ci(b, "S-1-5-18") || um_streq_ci(b, "S-1-5-19") || um_streq_ci(b, "S-1-5-20") ||
           um_starts_with_ci(b, "dwm-") || um_starts_with_ci(b, "umfd-") || (n > 1 && b[n - 1] == '$');
}

static bool is_activity(const um_event *ev) {
    switch (ev->kind) {
    case UM_EV_SIGNIN:
    case UM_EV_LOGON:
        return ev->success != 0 && !is_service_account(ev->user);
    case UM_EV_PROCESS:
    case UM_EV_FILE:
    case UM_EV_OTHER:
        return !is_service_account(ev->user);
    case UM_EV_REMOTE:
    case UM_EV_COMMIT:
        return true;
    default: /* USB, DNS, NETCONN: machine noise */
        return false;
    }
}

static void widen(int64_t *first, int64_t *last, int64_t t) {
    if (*first == UM_TIME_NONE || t < *first) *first = t;
    if (*last == UM_TIME_NONE || t > *last) *last = t;
}

static um_status hr_on_event(um_scan *s, void *p, um_sid sid, const um_event *ev) {
    hr_state *st = p;
    if (sid < 0 || !st || ev->ts == UM_TIME_NONE || ev->ts < 0) return UM_OK;
    if (!is_activity(ev)) return UM_OK;
    hr_subj *h = subject(s, st, sid);
    if (!h) return UM_ENOMEM;
    if (h->state != HR_WEST) return UM_OK;
    h->events++;
    if (ev->kind == UM_EV_COMMIT && ev->has_tz) {
        h->commits++;
        uint8_t k = 0;
        while (k < h->n_off && h->c_off[k] != ev->tz_min) k++;
        if (k < h->n_off) h->c_cnt[k]++;
        else if (k < UM_ARRAY_LEN(h->c_off)) {
            h->c_off[k] = (int16_t)ev->tz_min;
            h->c_cnt[k] = 1;
            h->n_off++;
        }
        if (um_commit_offset_is_asia(ev->tz_min)) {
            h->commits_asia++;
            widen(&h->c_first_us, &h->c_last_us, ev->ts);
        }
    }
    int64_t hour = ev->ts / 3600000000LL, day = hour / 24;
    if (!h->bits) {
        h->bits = um_calloc(UM_HR_BITS / 8, 1);
        if (!h->bits) return UM_ENOMEM;
        h->base_day = day - UM_HR_BACK;
    }
    int64_t cell = (day - h->base_day) * 24 + hour % 24;
    if (cell < 0 || cell >= UM_HR_BITS) return UM_OK; /* outside the window */
    /* the bitmap is read only when the person's day changes (a day's 24
     * cells are 3 whole bytes); a new cell is written to both */
    uint32_t d = (uint32_t)(cell / 24), hb = (uint32_t)(cell % 24);
    if (h->day_at != d + 1) {
        const uint8_t *b3 = h->bits + (size_t)d * 3;
        h->day_bits = (uint32_t)b3[0] | (uint32_t)b3[1] << 8 | (uint32_t)b3[2] << 16;
        h->day_at = d + 1;
    }
    if (h->day_bits >> hb & 1) return UM_OK;
    h->day_bits |= 1u << hb;
    h->bits[cell >> 3] |= (uint8_t)(1u << (cell & 7));
    h->hist[hour % 24]++;
    widen(&h->first_us, &h->last_us, ev->ts);
    return UM_OK;
}

static unsigned active_days(const hr_subj *h) {
    unsigned n = 0;
    for (size_t d = 0; d < UM_HR_DAYS; d++) /* a day's 24 cells are 3 whole bytes */
        n += (h->bits[d * 3] | h->bits[d * 3 + 1] | h->bits[d * 3 + 2]) != 0;
    return n;
}

static void fmt_off(char *b, size_t n, int off) {
    if (off % 60) snprintf(b, n, "UTC%+d:%02d", off / 60, abs(off % 60));
    else snprintf(b, n, "UTC%+d", off / 60);
}

/* Partitioned analysis (partition.h 5.): an empty instance per partition;
 * the merge moves each subject the partition saw into the primary (the
 * partitions' persons are disjoint, so no slot is filled twice). */
static um_status hr_part_new(um_scan *s, const void *primary, void **out) {
    (void)primary;
    return hr_on_subjects(s, out);
}

static um_status hr_merge(um_scan *s, void *into, void *from) {
    (void)s;
    hr_state *a = into, *b = from;
    um_status rc = UM_OK;
    if (b && b->n > a->n) {
        if (!um_grow((void **)&a->s, &a->cap, b->n, sizeof *a->s)) rc = UM_ENOMEM;
        else {
            memset(a->s + a->n, 0, (b->n - a->n) * sizeof *a->s);
            a->n = b->n;
        }
    }
    for (size_t i = 0; b && rc == UM_OK && i < b->n; i++) {
        if (b->s[i].state == HR_UNSEEN) continue;
        if (a->s[i].state != HR_UNSEEN) { /* two partitions saw one person: the routing is broken */
            rc = UM_EINVAL;
            break;
        }
        a->s[i] = b->s[i];
        b->s[i].bits = NULL;
    }
    hr_free(b);
    return rc;
}

static um_status hr_finish(um_scan *s, void *p) {
    hr_state *st = p;
    if (!st) return UM_OK;
    for (size_t i = 0; i < st->n; i++) {
        hr_subj *h = &st->s[i];
        if (h->state != HR_WEST) continue;
        um_sid sid = (um_sid)i;
        const char *file = NULL;
        uint64_t line = 0;
        um_subject_value_src(s, sid, h->from_country ? UM_ATTR_COUNTRY : UM_ATTR_TIMEZONE,
                             h->claim_text, &file, &line);
        char claimed[32];
        fmt_off(claimed, sizeof claimed, h->zone.lo);
        if (h->bits) {
            unsigned days = active_days(h);
            um_hours_result r;
            if (um_hours_decide(h->hist, days, h->zone, &r)) {
                char asia[16], fit[16], values[640];
                fmt_off(asia, sizeof asia, r.asia_offset);
                fmt_off(fit, sizeof fit, r.fit_offset);
                um_snprintf(values, sizeof values,
                            "fitted_zone=%s; fitted_share=%.2f; events=%u; active_hours=%u; days=%u; asia_zone=%s; "
                            "asia_share=%.2f; claimed=%.64s; claimed_offset=%s; claimed_business_share=%.2f",
                            fit, r.fit_share, h->events, r.total, days, asia, r.asia_share, h->claim_text, claimed,
                            r.claimed_share);
                um_event t;
                um_event_init(&t);
                t.ts = h->first_us;
                t.src_file = file;
                t.src_line = line;
                um_finding_spec sp = {"TM-01", "hours", UM_MEDIUM, UM_TM01_WEIGHT, 0, asia};
                um_status rc = um_finding_add(
                    s, sid, &sp, &t, NULL, 0, values,
                    "activity fits %s best (%u events, %u active hours over %u days): %d%% falls in 09-18h "
                    "%s; only %d%% in business hours (08-19h) of the claimed %.64s (%s)",
                    fit, h->events, r.total, days, (int)lround(r.asia_share * 100), asia,
                    (int)lround(r.claimed_share * 100), h->claim_text, claimed);
                if (rc != UM_OK) return rc;
            }
        }
        if (um_commit_tz_decide(h->commits_asia, h->commits)) {
            char values[400], offs[200] = "";
            size_t o = 0;
            for (uint8_t k = 0; k < h->n_off && o + 16 < sizeof offs; k++) {
                char t[16];
                fmt_off(t, sizeof t, h->c_off[k]);
                o += (size_t)snprintf(offs + o, sizeof offs - o, "%s%s:%u", k ? "," : "", t, h->c_cnt[k]);
            }
            snprintf(values, sizeof values,
                     "asia_offset_commits=%u; commits_with_offset=%u; offsets=%s; claimed=%.64s; claimed_offset=%s",
                     h->commits_asia, h->commits, offs, h->claim_text, claimed);
            um_event t;
            um_event_init(&t);
            t.ts = h->c_first_us;
            t.src_file = file;
            t.src_line = line;
            um_finding_spec sp = {"TM-02", "hours", UM_WEAK, UM_TM02_WEIGHT, 0, "+0800/+0900/+1000"};
            um_status rc = um_finding_add(
                s, sid, &sp, &t, NULL, 0, values,
                "%u of %u commits carry a +0800/+0900/+1000 time-zone offset while the claimed zone is "
                "%.64s (%s)",
                h->commits_asia, h->commits, h->claim_text, claimed);
            if (rc != UM_OK) return rc;
        }
    }
    return UM_OK;
}

/* Saved state (pstate.h), version 1: varint subjects seen, then each, by
 * subject number: varint gap (the first: its number), varint state (1 not
 * compared, 2 compared); when compared: varint events, commits,
 * commits_asia, zigzag first_us, last_us, c_first_us, c_last_us, varint
 * offsets (<= 8) and each zigzag offset, varint count; varint 0 (no
 * bitmap) or 1, zigzag base_day, varint bytes set, each varint gap, byte.
 * The claim (zone, text) is the loading scan's, the histogram is counted
 * again from the bitmap. */
static um_status hr_save(um_scan *s, const void *inst, um_buf *out) {
    (void)s;
    const hr_state *st = inst;
    um_pk_u(out, 1);
    size_t seen = 0;
    for (size_t i = 0; st && i < st->n; i++) seen += st->s[i].state != HR_UNSEEN;
    um_pk_u(out, seen);
    size_t last = 0;
    bool first = true;
    for (size_t i = 0; st && i < st->n; i++) {
        const hr_subj *h = &st->s[i];
        if (h->state == HR_UNSEEN) continue;
        um_pk_u(out, first ? i : i - last);
        first = false;
        last = i;
        um_pk_u(out, (uint64_t)h->state);
        if (h->state != HR_WEST) continue;
        um_pk_u(out, h->events);
        um_pk_u(out, h->commits);
        um_pk_u(out, h->commits_asia);
        um_pk_i(out, h->first_us);
        um_pk_i(out, h->last_us);
        um_pk_i(out, h->c_first_us);
        um_pk_i(out, h->c_last_us);
        um_pk_u(out, h->n_off);
        for (uint8_t k = 0; k < h->n_off; k++) {
            um_pk_i(out, h->c_off[k]);
            um_pk_u(out, h->c_cnt[k]);
        }
        um_pk_u(out, h->bits ? 1 : 0);
        if (!h->bits) continue;
        um_pk_i(out, h->base_day);
        size_t nz = 0;
        for (size_t b = 0; b < UM_HR_BITS / 8; b++) nz += h->bits[b] != 0;
        um_pk_u(out, nz);
        size_t lb = 0;
        bool fb = true;
        for (size_t b = 0; b < UM_HR_BITS / 8; b++) {
            if (!h->bits[b]) continue;
            um_pk_u(out, fb ? b : b - lb);
            um_buf_addc(out, (char)h->bits[b]);
            fb = false;
            lb = b;
        }
    }
    return UM_OK;
}

static um_status hr_load(um_scan *s, const void *primary, um_pk *r, void **out) {
    (void)primary;
    hr_state *st = NULL;
    if (hr_on_subjects(s, (void **)&st) != UM_OK) return UM_ENOMEM;
    um_status rc = UM_OK;
    size_t ns = um_scan_nsubjects(s);
    if (um_pk_get_u(r) != 1) um_pk_fail(r, "hours: unknown state version");
    uint64_t seen = um_pk_get_ur(r, ns, "hours: more subjects than the scan has");
    uint64_t sid = 0;
    for (uint64_t k = 0; k < seen && um_pk_ok(r); k++) {
        uint64_t gap = um_pk_get_u(r);
        if (!um_pk_ok(r)) break;
        if ((k && gap == 0) || gap >= ns - (k ? sid : 0)) {
            um_pk_fail(r, "hours: subject out of range or order");
            break;
        }
        sid = k ? sid + gap : gap;
        int state = (int)um_pk_get_ur(r, HR_WEST, "hours: bad subject state");
        if (!um_pk_ok(r)) break;
        hr_subj *h = subject(s, st, (um_sid)sid);
        if (!h) {
            rc = UM_ENOMEM;
            break;
        }
        if (state != h->state) {
            um_pk_fail(r, "hours: the subject's claim is not this scan's");
            break;
        }
        if (state != HR_WEST) continue;
        h->events = (uint32_t)um_pk_get_ur(r, UINT32_MAX, "hours: bad count");
        h->commits = (uint32_t)um_pk_get_ur(r, UINT32_MAX, "hours: bad count");
        h->commits_asia = (uint32_t)um_pk_get_ur(r, UINT32_MAX, "hours: bad count");
        h->first_us = um_pk_get_time(r);
        h->last_us = um_pk_get_time(r);
        h->c_first_us = um_pk_get_time(r);
        h->c_last_us = um_pk_get_time(r);
        h->n_off = (uint8_t)um_pk_get_ur(r, UM_ARRAY_LEN(h->c_off), "hours: too many commit offsets");
        for (uint8_t o = 0; o < h->n_off && um_pk_ok(r); o++) {
            h->c_off[o] = (int16_t)um_pk_get_ir(r, -24 * 60, 24 * 60, "hours: bad commit offset");
            h->c_cnt[o] = (uint32_t)um_pk_get_ur(r, UINT32_MAX, "hours: bad count");
        }
        if (!um_pk_get_bool(r) || !um_pk_ok(r)) continue;
        h->base_day = um_pk_get_ir(r, -((int64_t)1 << 40), (int64_t)1 << 40, "hours: bad window");
        uint64_t nz = um_pk_get_ur(r, UM_HR_BITS / 8, "hours: bitmap too large");
        if (um_pk_ok(r) && (nz == 0 || nz > r->n - r->pos)) um_pk_fail(r, "hours: bad bitmap"); /* made on a first bit */
        if (!um_pk_ok(r)) break;
        if (!(h->bits = um_calloc(UM_HR_BITS / 8, 1))) {
            rc = UM_ENOMEM;
            break;
        }
        uint64_t b = 0;
        for (uint64_t j = 0; j < nz && um_pk_ok(r); j++) {
            uint64_t g = um_pk_get_u(r);
            const unsigned char *v = um_pk_get_raw(r, 1);
            if (!v) break;
            if ((j && g == 0) || g >= UM_HR_BITS / 8 - (j ? b : 0) || !*v) {
                um_pk_fail(r, "hours: bad bitmap");
                break;
            }
            b = j ? b + g : g;
            h->bits[b] = *v;
            for (int bit = 0; bit < 8; bit++)
                if (*v & (1u << bit)) h->hist[(b * 8 + (uint64_t)bit) % 24]++;
        }
    }
    if (rc == UM_OK && !um_pk_ok(r)) rc = UM_EPARSE;
    if (rc != UM_OK) {
        hr_free(st);
        return rc;
    }
    *out = st;
    return UM_OK;
}

const um_analyzer um_analyzer_hours = {
    "hours", "activity hours fitting UTC+8/+9 against the claimed zone (TM-01); git commit offsets (TM-02)",
    hr_on_subjects, hr_on_event, hr_finish, hr_free, NULL, NULL, false, NULL, NULL, NULL, hr_part_new, hr_merge,
    hr_save, hr_load};
