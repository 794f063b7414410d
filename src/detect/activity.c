/*
 * activity.c - the `activity` analyzer: produces no findings; it keeps the
 * compact per-subject aggregates the analyst's pictures need (the report and
 * the web UI, src/report/), which the case file does not hold otherwise:
 *
 *   - an hour-of-day x weekday histogram (UTC) of activity events (the same
 *     event kinds the `hours` analyzer counts: successful sign-ins and
 *     logons, process starts, file writes, remote sessions, commits);
 *   - the sign-ins and logons (time, IP, country, ASN, result), the last
 *     newest UM_ACT_LOGINS per subject, with the total counted.
 *
 * Bounded: a histogram is 672 bytes and is made on a subject's first
 * activity event, for at most UM_ACT_MAX_HIST subjects; login rows (about 128
 * bytes) grow 8, 16, 32, 50 per subject and then replace the oldest, for at
 * most UM_ACT_MAX_LOGIN_SUBJ subjects (one warning each when a cap is
 * reached). Worst case about 34 MiB of histograms and 128 MiB of logins, far
 * less in practice: 6.4 KiB per person who signs in 50 times or more. The
 * sqlite sink writes them as `activity`, `logins`, `logins_total` and
 * `subject_zone` (docs/SCHEMA.md) through um_activity_write_sqlite().
 *
 * Partitioned by person (src/core/pmerge.c): a partition's instance notes
 * the position (um_scan_position) at which each of its subjects got a
 * histogram or a timeline and does not warn; the merge moves the subjects
 * into the primary, and finish keeps the first UM_ACT_MAX_HIST /
 * UM_ACT_MAX_LOGIN_SUBJ by position and warns, as one instance would have
 * (the warning's place among the scan's warnings aside).
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "../core/internal.h"
#include "activity.h"
#include "rules.h"

#define UM_ACT_LOGINS 50
#define UM_ACT_MAX_HIST 50000u
#define UM_ACT_MAX_LOGIN_SUBJ 20000u

typedef struct act_login {
    int64_t ts;
    char ip[40]; /* the longest IPv6 text is 39 */
    char country[4];
    char org[40];
    char app[24];
    uint32_t asn;
    int8_t success;
    uint8_t kind; /* um_event_kind */
    uint8_t net;  /* UM_NET_VPN/HOSTING/DPRK bits (low 8) */
} act_login;

typedef struct act_subj {
    uint32_t *hist;      /* [7 * 24], weekday 0 = Monday, UTC; NULL until needed */
    act_login *logins;   /* grows to UM_ACT_LOGINS, then a ring */
    uint32_t n_logins;   /* total seen */
    uint32_t cap_logins;
    int64_t max_ts;      /* newest kept */
    uint8_t head;        /* oldest kept while logins arrived in time order */
    bool unordered;      /* one arrived out of order: find the oldest by scanning */
} act_subj;

typedef struct act_state {
    act_subj *s;
    size_t n, cap;
    size_t n_hist, n_login_subj;
    bool warned_hist, warned_login;
    /* partitioned analysis only: a partition's instance, merged into, a cap
     * reached; per subject the position of its histogram's and timeline's
     * first event (0: none) */
    bool partition, merged, full_hist, full_login;
    uint64_t *hpos, *lpos;
    size_t n_pos;
} act_state;

static um_status act_on_subjects(um_scan *s, void **state) {
    (void)s;
    act_state *st = um_calloc(1, sizeof *st);
    if (!st) return UM_ENOMEM;
    *state = st;
    return UM_OK;
}

static act_subj *subj(act_state *st, um_sid sid) {
    size_t i = (size_t)sid;
    if (i >= st->cap) {
        size_t nc = st->cap ? st->cap : 1024;
        while (nc <= i) nc *= 2;
        act_subj *p = um_realloc(st->s, nc * sizeof *p);
        if (!p) return NULL;
        memset(p + st->cap, 0, (nc - st->cap) * sizeof *p);
        st->s = p;
        st->cap = nc;
    }
    if (i >= st->n) st->n = i + 1;
    return &st->s[i];
}

/* Room for the positions of subjects 0 .. n - 1; false: no memory. */
static bool grow_pos(act_state *st, size_t n) {
    if (n > st->n_pos) {
        size_t nc = st->n_pos ? st->n_pos : 1024;
        while (nc < n) nc *= 2;
        uint64_t *h = um_realloc(st->hpos, nc * sizeof *h);
        if (!h) return false;
        st->hpos = h;
        uint64_t *l = um_realloc(st->lpos, nc * sizeof *l);
        if (!l) return false;
        st->lpos = l;
        memset(st->hpos + st->n_pos, 0, (nc - st->n_pos) * sizeof *h);
        memset(st->lpos + st->n_pos, 0, (nc - st->n_pos) * sizeof *l);
        st->n_pos = nc;
    }
    return true;
}

/* Notes the position of subject sid's histogram (login false) or timeline. */
static bool note_pos(act_state *st, um_sid sid, bool login, uint64_t pos) {
    if (!grow_pos(st, (size_t)sid + 1)) return false;
    (login ? st->lpos : st->hpos)[sid] = pos;
    return true;
}

static bool is_activity(const um_event *ev) {
    switch (ev->kind) {
    case UM_EV_SIGNIN:
    case UM_EV_LOGON: return ev->success != 0;
    case UM_EV_PROCESS:
    case UM_EV_FILE:
    case UM_EV_OTHER:
    case UM_EV_REMOTE:
    case UM_EV_COMMIT: return true;
    default: return false;
    }
}

static void copy(char *dst, size_t n, const char *src) {
    size_t k = 0;
    for (; src && src[k] && k + 1 < n; k++) dst[k] = src[k];
    /* never cut a UTF-8 sequence in half */
    while (k > 0 && ((unsigned char)dst[k - 1] & 0xC0) == 0x80) k--;
    if (k > 0 && ((unsigned char)dst[k - 1] & 0xC0) == 0xC0) k--;
    dst[k] = 0;
}

static um_status act_on_event(um_scan *s, void *p, um_sid sid, const um_event *ev) {
    act_state *st = p;
    if (!st || sid < 0 || ev->ts == UM_TIME_NONE) return UM_OK;
    bool login = ev->kind == UM_EV_SIGNIN || ev->kind == UM_EV_LOGON;
    bool act = is_activity(ev) && ev->ts >= 0;
    if (!login && !act) return UM_OK;
    act_subj *a = subj(st, sid);
    if (!a) return UM_ENOMEM;
    if (act) {
        if (!a->hist) {
            if (st->n_hist >= UM_ACT_MAX_HIST) {
                if (!st->warned_hist && !st->partition)
                    um_scan_warn(s, "activity", "hour-of-day histograms kept for the first %u subjects only",
                                 UM_ACT_MAX_HIST);
                st->warned_hist = st->full_hist = true;
                goto logins;
            }
            a->hist = um_calloc(7 * 24, sizeof *a->hist);
            if (!a->hist) return UM_ENOMEM;
            if (st->partition && !note_pos(st, sid, false, um_scan_position(s))) return UM_ENOMEM;
            st->n_hist++;
        }
        int64_t hour = ev->ts / 3600000000LL, day = hour / 24;
        int wd = (int)((day + 3) % 7); /* 1970-01-01 was a Thursday (Monday = 0) */
        a->hist[wd * 24 + (int)(hour % 24)]++;
    }
logins:
    if (!login) return UM_OK;
    if (!a->logins) {
        if (st->n_login_subj >= UM_ACT_MAX_LOGIN_SUBJ) {
            if (!st->warned_login && !st->partition)
                um_scan_warn(s, "activity", "login timelines kept for the first %u subjects only",
                             UM_ACT_MAX_LOGIN_SUBJ);
            st->warned_login = st->full_login = true;
            return UM_OK;
        }
        if (st->partition && !note_pos(st, sid, true, um_scan_position(s))) return UM_ENOMEM;
        st->n_login_subj++;
    }
    if (a->n_logins >= a->cap_logins && a->cap_logins < UM_ACT_LOGINS) {
        uint32_t nc = a->cap_logins ? a->cap_logins * 2 : 8;
        if (nc > UM_ACT_LOGINS) nc = UM_ACT_LOGINS;
        act_login *p2 = um_realloc(a->logins, nc * sizeof *p2);
        if (!p2) return UM_ENOMEM;
        a->logins = p2;
        a->cap_logins = nc;
    }
    act_login *l;
    if (a->n_logins < a->cap_logins) {
        l = &a->logins[a->n_logins];
    } else if (!a->unordered && ev->ts >= a->max_ts) { /* in time order: a plain ring */
        l = &a->logins[a->head];
        a->head = (uint8_t)((a->head + 1) % UM_ACT_LOGINS);
    } else { /* full: the newest UM_ACT_LOGINS by time stay, whatever the reading order */
        a->unordered = true;
        l = &a->logins[0];
        for (uint32_t k = 1; k < a->cap_logins; k++)
            if (a->logins[k].ts < l->ts) l = &a->logins[k];
        if (ev->ts <= l->ts) l = NULL;
    }
    if (a->n_logins && ev->ts < a->max_ts && a->n_logins < a->cap_logins) a->unordered = true;
    a->n_logins++;
    if (!l) return UM_OK;
    if (ev->ts > a->max_ts || a->n_logins == 1) a->max_ts = ev->ts;
    memset(l, 0, sizeof *l);
    l->ts = ev->ts;
    copy(l->ip, sizeof l->ip, ev->ip);
    copy(l->country, sizeof l->country, ev->ip_country ? ev->ip_country : ev->country);
    copy(l->org, sizeof l->org, ev->ip_org ? ev->ip_org : ev->as_org);
    copy(l->app, sizeof l->app, ev->app);
    l->asn = ev->ip_asn ? ev->ip_asn : ev->asn;
    l->success = (int8_t)ev->success;
    l->kind = (uint8_t)ev->kind;
    l->net = (uint8_t)(ev->net_flags & 0xff);
    return UM_OK;
}

static void act_free(void *p) {
    act_state *st = p;
    if (!st) return;
    for (size_t i = 0; i < st->n; i++) {
        free(st->s[i].hist);
        free(st->s[i].logins);
    }
    free(st->s);
    um_free(st->hpos);
    um_free(st->lpos);
    free(st);
}

/* Partitioned analysis (partition.h 5.). */
static um_status act_part_new(um_scan *s, const void *primary, void **out) {
    (void)primary;
    um_status rc = act_on_subjects(s, out);
    if (rc == UM_OK) ((act_state *)*out)->partition = true;
    return rc;
}

/* Moves the subjects of partition `from` into `into` (the partitions'
 * subjects are disjoint), with their positions. */
static um_status act_merge(um_scan *s, void *into, void *from) {
    (void)s;
    act_state *a = into, *b = from;
    if (!b) return UM_OK;
    um_status rc = UM_OK;
    a->merged = true;
    a->full_hist |= b->full_hist;
    a->full_login |= b->full_login;
    if ((b->n && !subj(a, (um_sid)(b->n - 1))) || !grow_pos(a, b->n_pos)) rc = UM_ENOMEM;
    for (size_t i = 0; rc == UM_OK && i < b->n; i++) {
        act_subj *x = &b->s[i];
        if (!x->hist && !x->logins && !x->n_logins) continue;
        act_subj *y = &a->s[i];
        if (y->hist || y->logins || y->n_logins) { /* two partitions saw one person: the routing is broken */
            rc = UM_EINVAL;
            break;
        }
        *y = *x;
        memset(x, 0, sizeof *x);
        if (i < b->n_pos) {
            a->hpos[i] = b->hpos[i];
            a->lpos[i] = b->lpos[i];
        }
    }
    if (rc == UM_OK) {
        a->n_hist += b->n_hist;
        a->n_login_subj += b->n_login_subj;
    }
    act_free(b);
    return rc;
}

typedef struct act_rank {
    uint64_t pos;
    size_t sid;
} act_rank;

static int cmp_rank(const void *x, const void *y) {
    uint64_t a = ((const act_rank *)x)->pos, b = ((const act_rank *)y)->pos;
    return a < b ? -1 : a > b;
}

/* After a merge: the first UM_ACT_MAX_HIST subjects by their histogram's
 * first event keep it, the first UM_ACT_MAX_LOGIN_SUBJ by their first
 * login keep their timeline; the caps' warnings, as one instance says them. */
static um_status act_finish(um_scan *s, void *p) {
    act_state *st = p;
    if (!st || !st->merged) return UM_OK;
    for (int which = 0; which < 2; which++) {
        size_t cap = which ? UM_ACT_MAX_LOGIN_SUBJ : UM_ACT_MAX_HIST;
        size_t *count = which ? &st->n_login_subj : &st->n_hist;
        bool *full = which ? &st->full_login : &st->full_hist;
        if (*count > cap) {
            act_rank *r = um_malloc(*count * sizeof *r);
            if (!r) return UM_ENOMEM;
            size_t n = 0;
            for (size_t i = 0; i < st->n && n < *count; i++)
                if (which ? st->s[i].logins != NULL : st->s[i].hist != NULL)
                    r[n++] = (act_rank){i < st->n_pos ? (which ? st->lpos : st->hpos)[i] : 0, i};
            qsort(r, n, sizeof *r, cmp_rank);
            for (size_t k = cap; k < n; k++) {
                act_subj *x = &st->s[r[k].sid];
                if (which) {
                    free(x->logins);
                    x->logins = NULL;
                    x->n_logins = x->cap_logins = 0;
                    x->head = 0;
                    x->max_ts = 0;
                    x->unordered = false;
                } else {
                    free(x->hist);
                    x->hist = NULL;
                }
            }
            um_free(r);
            *count = cap;
            *full = true;
        }
    }
    if (st->full_hist && !st->warned_hist)
        um_scan_warn(s, "activity", "hour-of-day histograms kept for the first %u subjects only", UM_ACT_MAX_HIST);
    if (st->full_login && !st->warned_login)
        um_scan_warn(s, "activity", "login timelines kept for the first %u subjects only", UM_ACT_MAX_LOGIN_SUBJ);
    st->warned_hist |= st->full_hist;
    st->warned_login |= st->full_login;
    return UM_OK;
}

/* Saved state (pstate.h), version 1: varint full_hist, full_login,
 * warned_hist, warned_login, varint subjects kept, then each, by subject
 * number: varint gap (the first: its number), varint histogram position
 * and timeline position (0: none), varint histogram (0/1; then 168 varint
 * counts), varint logins counted, varint row capacity (0, 8, 16, 32, 50),
 * varint ring head, varint unordered, zigzag newest time, then the rows
 * kept (min(logins, capacity)): zigzag time, string ip, country, org, app,
 * varint asn, zigzag success, varint kind, varint network bits. */
static um_status act_save(um_scan *s, const void *inst, um_buf *out) {
    (void)s;
    const act_state *st = inst;
    um_pk_u(out, 1);
    um_pk_u(out, st && st->full_hist);
    um_pk_u(out, st && st->full_login);
    um_pk_u(out, st && st->warned_hist);
    um_pk_u(out, st && st->warned_login);
    size_t kept = 0;
    for (size_t i = 0; st && i < st->n; i++) kept += st->s[i].hist || st->s[i].logins || st->s[i].n_logins;
    um_pk_u(out, kept);
    size_t last = 0;
    bool first = true;
    for (size_t i = 0; st && i < st->n; i++) {
        const act_subj *a = &st->s[i];
        if (!a->hist && !a->logins && !a->n_logins) continue;
        um_pk_u(out, first ? i : i - last);
        first = false;
        last = i;
        um_pk_u(out, i < st->n_pos ? st->hpos[i] : 0);
        um_pk_u(out, i < st->n_pos ? st->lpos[i] : 0);
        um_pk_u(out, a->hist != NULL);
        for (size_t k = 0; a->hist && k < 7 * 24; k++) um_pk_u(out, a->hist[k]);
        um_pk_u(out, a->n_logins);
        um_pk_u(out, a->cap_logins);
        um_pk_u(out, a->head);
        um_pk_u(out, a->unordered);
        um_pk_i(out, a->max_ts);
        uint32_t rows = a->n_logins < a->cap_logins ? a->n_logins : a->cap_logins;
        for (uint32_t k = 0; k < rows; k++) {
            const act_login *l = &a->logins[k];
            um_pk_i(out, l->ts);
            um_pk_s(out, l->ip);
            um_pk_s(out, l->country);
            um_pk_s(out, l->org);
            um_pk_s(out, l->app);
            um_pk_u(out, l->asn);
            um_pk_i(out, l->success);
            um_pk_u(out, l->kind);
            um_pk_u(out, l->net);
        }
    }
    return UM_OK;
}

static um_status act_load(um_scan *s, const void *primary, um_pk *r, void **out) {
    act_state *st = NULL;
    if (act_part_new(s, primary, (void **)&st) != UM_OK) {
        act_free(st);
        return UM_ENOMEM;
    }
    size_t ns = um_scan_nsubjects(s);
    if (um_pk_get_u(r) != 1) um_pk_fail(r, "activity: unknown state version");
    st->full_hist = um_pk_get_bool(r);
    st->full_login = um_pk_get_bool(r);
    st->warned_hist = um_pk_get_bool(r);
    st->warned_login = um_pk_get_bool(r);
    uint64_t kept = um_pk_get_ur(r, ns, "activity: more subjects than the scan has");
    if (um_pk_ok(r) && kept && (!subj(st, (um_sid)(ns - 1)) || !grow_pos(st, ns))) um_pk_fail(r, "out of memory");
    uint64_t sid = 0;
    for (uint64_t k = 0; k < kept && um_pk_ok(r); k++) {
        uint64_t gap = um_pk_get_u(r);
        if (!um_pk_ok(r)) break;
        if ((k && gap == 0) || gap >= ns - (k ? sid : 0)) {
            um_pk_fail(r, "activity: subject out of range or order");
            break;
        }
        sid = k ? sid + gap : gap;
        act_subj *a = &st->s[sid];
        st->hpos[sid] = um_pk_get_u(r);
        st->lpos[sid] = um_pk_get_u(r);
        if (um_pk_get_bool(r)) {
            if (!(a->hist = um_calloc(7 * 24, sizeof *a->hist))) {
                um_pk_fail(r, "out of memory");
                break;
            }
            st->n_hist++;
            for (size_t h = 0; h < 7 * 24 && um_pk_ok(r); h++)
                a->hist[h] = (uint32_t)um_pk_get_ur(r, UINT32_MAX, "activity: bad count");
        }
        a->n_logins = (uint32_t)um_pk_get_ur(r, UINT32_MAX, "activity: bad count");
        uint32_t cap = (uint32_t)um_pk_get_ur(r, UM_ACT_LOGINS, "activity: bad row capacity");
        a->head = (uint8_t)um_pk_get_ur(r, UM_ACT_LOGINS - 1, "activity: bad ring head");
        a->unordered = um_pk_get_bool(r);
        a->max_ts = um_pk_get_time(r);
        if (!um_pk_ok(r)) break;
        /* rows grow 8, 16, 32, 50 as logins arrive: the capacity follows from the count */
        uint32_t want = a->n_logins == 0 ? 0 : a->n_logins <= 8 ? 8 : a->n_logins <= 16 ? 16 : a->n_logins <= 32 ? 32
                                                                                                       : UM_ACT_LOGINS;
        if (cap != want || (!a->hist && !a->n_logins)) {
            um_pk_fail(r, "activity: bad timeline");
            break;
        }
        if (!cap) continue;
        if (!(a->logins = um_calloc(cap, sizeof *a->logins))) {
            um_pk_fail(r, "out of memory");
            break;
        }
        a->cap_logins = cap;
        st->n_login_subj++;
        uint32_t rows = a->n_logins < cap ? a->n_logins : cap;
        for (uint32_t j = 0; j < rows && um_pk_ok(r); j++) {
            act_login *l = &a->logins[j];
            l->ts = um_pk_get_time(r);
            um_pk_get_fixed(r, l->ip, sizeof l->ip, "activity: address too long");
            um_pk_get_fixed(r, l->country, sizeof l->country, "activity: country too long");
            um_pk_get_fixed(r, l->org, sizeof l->org, "activity: network name too long");
            um_pk_get_fixed(r, l->app, sizeof l->app, "activity: application name too long");
            l->asn = (uint32_t)um_pk_get_ur(r, UINT32_MAX, "activity: bad asn");
            l->success = (int8_t)um_pk_get_ir(r, -1, 1, "activity: bad result");
            l->kind = (uint8_t)um_pk_get_ur(r, UM_EV_RAW, "activity: bad event kind");
            l->net = (uint8_t)um_pk_get_ur(r, 0xff, "activity: bad network bits");
        }
    }
    if (!um_pk_ok(r)) {
        um_status rc = strcmp(r->bad, "out of memory") == 0 ? UM_ENOMEM : UM_EPARSE;
        act_free(st);
        return rc;
    }
    *out = st;
    return UM_OK;
}

const um_analyzer um_analyzer_activity = {
    "activity", "keeps hour-of-day x weekday histograms and login timelines for the report (no findings)",
    act_on_subjects, act_on_event, act_finish, act_free, NULL, NULL, false, NULL, NULL, NULL, act_part_new, act_merge,
    act_save, act_load};

/* ---- sink side ---------------------------------------------------------- */

static act_state *state_of(um_scan *s) { return um_scan_analyzer_state(s, &um_analyzer_activity); }

/* The kept logins (at most UM_ACT_LOGINS) in time order, as indexes into
 * the subject's rows, which stay as the analyzer left them: an insertion
 * sort, stable (equal times keep their order in the array, as the stable
 * sort before did) and linear on rows that arrived in order. */
static void login_order(const act_login *l, size_t n, uint8_t *ix) {
    _Static_assert(UM_ACT_LOGINS <= 256, "login indexes are bytes");
    for (size_t k = 0; k < n; k++) {
        size_t j = k;
        for (; j > 0 && l[ix[j - 1]].ts > l[k].ts; j--) ix[j] = ix[j - 1];
        ix[j] = (uint8_t)k;
    }
}

static const char *net_text(uint8_t f) {
    if (f & UM_NET_DPRK) return "dprk";
    if (f & UM_NET_ASTRILL) return "astrill";
    if (f & UM_NET_VPN) return "vpn";
    if (f & UM_NET_HOSTING) return "hosting";
    if (f & UM_NET_PROXY_LOG) return "proxy";
    return NULL;
}

static int run(sqlite3 *db, const char *sql) { return sqlite3_exec(db, sql, NULL, NULL, NULL); }

/* Every text bound here outlives the statement's step (the scan's strings,
 * the rows kept by the analyzer, or the buffers of um_activity_write_sqlite
 * below): bound without a copy. An empty text is a NULL. */
static void bind_str(sqlite3_stmt *q, int i, const char *v) {
    if (v && *v) sqlite3_bind_text(q, i, v, -1, SQLITE_STATIC);
    else sqlite3_bind_null(q, i);
}

static int done(sqlite3_stmt *q) {
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* The logins rows (~50 a person who signs in often: most of case.db's rows)
 * go in LOGIN_BATCH rows a statement: the statement's per-step costs and its
 * cursor's opening are paid once a batch, and every parameter of a row is
 * bound for every row (no clearing). */
#define LOGIN_BATCH 32
#define LOGIN_COLS 11
typedef struct {
    sqlite3_stmt *one, *many;
    const char *id[LOGIN_BATCH];
    const act_login *l[LOGIN_BATCH];
    uint32_t seq[LOGIN_BATCH];
    char t[LOGIN_BATCH][UM_TIME_TEXT];
    int tlen[LOGIN_BATCH];
    int n;
} login_batch;

static void login_bind(sqlite3_stmt *q, int base, const login_batch *b, int r) {
    const act_login *l = b->l[r];
    bind_str(q, base + 1, b->id[r]);
    sqlite3_bind_int64(q, base + 2, (sqlite3_int64)b->seq[r]);
    sqlite3_bind_text(q, base + 3, b->t[r], b->tlen[r], SQLITE_STATIC);
    bind_str(q, base + 4, um_event_kind_name((um_event_kind)l->kind));
    bind_str(q, base + 5, l->ip);
    bind_str(q, base + 6, l->country);
    if (l->asn) sqlite3_bind_int64(q, base + 7, l->asn);
    else sqlite3_bind_null(q, base + 7);
    bind_str(q, base + 8, l->org);
    bind_str(q, base + 9, net_text(l->net));
    bind_str(q, base + 10, l->app);
    bind_str(q, base + 11, l->success == 1 ? "success" : l->success == 0 ? "failure" : NULL);
}

static int login_step(sqlite3_stmt *q) {
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Writes a full batch, or (all) whatever is buffered, one row a step. */
static int login_flush(login_batch *b, bool all) {
    int rc = 0;
    if (b->n == LOGIN_BATCH) {
        for (int r = 0; r < LOGIN_BATCH; r++) login_bind(b->many, LOGIN_COLS * r, b, r);
        rc = login_step(b->many);
        b->n = 0;
    } else if (all) {
        for (int r = 0; r < b->n && rc == 0; r++) {
            login_bind(b->one, 0, b, r);
            rc = login_step(b->one);
        }
        b->n = 0;
    }
    return rc;
}

int um_activity_write_sqlite(um_scan *s, sqlite3 *db, const uint32_t *by_id) {
    /* one activity row per person (168 counts as text), logins in one b-tree
     * (WITHOUT ROWID): a few hundred thousand rows cost the scan too much */
    if (run(db, "CREATE TABLE activity(subject_id TEXT PRIMARY KEY, total INTEGER, counts TEXT);"
                "CREATE TABLE logins(subject_id TEXT, seq INTEGER, time TEXT, kind TEXT, ip TEXT, country TEXT,"
                " asn INTEGER, as_org TEXT, net TEXT, app TEXT, result TEXT, PRIMARY KEY(subject_id, seq))"
                " WITHOUT ROWID;"
                "CREATE TABLE logins_total(subject_id TEXT PRIMARY KEY, total INTEGER);"
                "CREATE TABLE subject_zone(subject_id TEXT PRIMARY KEY, claimed TEXT, offset_lo INTEGER,"
                " offset_hi INTEGER, fitted_offset INTEGER, fitted_share REAL, events INTEGER);") != SQLITE_OK)
        return -1;
    act_state *st = state_of(s);
    sqlite3_stmt *qa = NULL, *qt = NULL, *qz = NULL;
    login_batch *lb = um_calloc(1, sizeof *lb); /* ~2 KiB of times: not on the stack */
    char buf[7 * 24 * 11 + 1];                 /* an activity row's counts */
    int rc = -1;
    if (!lb) return -1;
    {
        char sql[64 + LOGIN_BATCH * 2 * LOGIN_COLS + LOGIN_BATCH * 3];
        size_t k = (size_t)snprintf(sql, sizeof sql, "INSERT INTO logins VALUES");
        for (int r = 0; r < LOGIN_BATCH; r++) {
            sql[k++] = r ? ',' : ' ';
            sql[k++] = '(';
            for (int c = 0; c < LOGIN_COLS; c++) {
                if (c) sql[k++] = ',';
                sql[k++] = '?';
            }
            sql[k++] = ')';
        }
        sql[k] = 0;
        if (sqlite3_prepare_v2(db, sql, (int)k, &lb->many, NULL) ||
            sqlite3_prepare_v2(db, "INSERT INTO logins VALUES(?,?,?,?,?,?,?,?,?,?,?)", -1, &lb->one, NULL))
            goto out;
    }
    if (sqlite3_prepare_v2(db, "INSERT INTO activity VALUES(?,?,?)", -1, &qa, NULL) ||
        sqlite3_prepare_v2(db, "INSERT INTO logins_total VALUES(?,?)", -1, &qt, NULL) ||
        sqlite3_prepare_v2(db, "INSERT INTO subject_zone VALUES(?,?,?,?,?,?,?)", -1, &qz, NULL))
        goto out;
    for (size_t o = 0; o < um_scan_nsubjects(s); o++) {
        size_t i = by_id ? by_id[o] : o;
        const char *id = um_subject_id(s, (um_sid)i);
        size_t ntz = 0, nc = 0;
        const char *const *tz = um_subject_values(s, (um_sid)i, UM_ATTR_TIMEZONE, &ntz);
        const char *const *cc = um_subject_values(s, (um_sid)i, UM_ATTR_COUNTRY, &nc);
        const char *claim = ntz ? tz[0] : nc ? cc[0] : NULL;
        if (claim) {
            um_claim_zone z = um_claim_zone_of(ntz ? tz[0] : NULL, nc ? cc[0] : NULL);
            bind_str(qz, 1, id);
            bind_str(qz, 2, claim);
            if (z.known) {
                sqlite3_bind_int(qz, 3, z.lo);
                sqlite3_bind_int(qz, 4, z.hi);
            }
            /* the fitted zone (hours.c's um_hours_fit over the UTC hours of
             * the activity events), silent below UM_TM01_MIN_HOURS events */
            const act_subj *fa = st && i < st->n ? &st->s[i] : NULL;
            if (fa && fa->hist) {
                uint32_t h24[24] = {0};
                uint64_t ev = 0;
                for (int c = 0; c < 7 * 24; c++) {
                    h24[c % 24] += fa->hist[c];
                    ev += fa->hist[c];
                }
                int off;
                double share;
                if (ev >= UM_TM01_MIN_HOURS && um_hours_fit(h24, z.known ? z.lo : 0, &off, &share)) {
                    sqlite3_bind_int(qz, 5, off);
                    sqlite3_bind_double(qz, 6, share);
                    sqlite3_bind_int64(qz, 7, (sqlite3_int64)ev);
                }
            }
            if (done(qz)) goto out;
        }
        if (!st || i >= st->n) continue;
        act_subj *a = &st->s[i];
        if (a->hist) {
            size_t k = 0;
            uint64_t total = 0;
            for (int c = 0; c < 7 * 24; c++) {
                uint32_t v = a->hist[c];
                total += v;
                if (c) buf[k++] = ',';
                char d[11];
                int nd = 0;
                do d[nd++] = (char)('0' + v % 10); while ((v /= 10) && nd < 10);
                while (nd) buf[k++] = d[--nd];
            }
            buf[k] = 0;
            bind_str(qa, 1, id);
            sqlite3_bind_int64(qa, 2, (sqlite3_int64)total);
            bind_str(qa, 3, buf);
            if (done(qa)) goto out;
        }
        if (!a->logins) continue;
        size_t n = a->n_logins < UM_ACT_LOGINS ? a->n_logins : UM_ACT_LOGINS;
        uint8_t ix[UM_ACT_LOGINS];
        login_order(a->logins, n, ix);
        for (size_t k = 0; k < n; k++) {
            int r = lb->n++;
            lb->id[r] = id;
            lb->l[r] = &a->logins[ix[k]];
            lb->seq[r] = (uint32_t)k;
            lb->tlen[r] = (int)um_time_format(lb->l[r]->ts, lb->t[r], sizeof lb->t[r]);
            if (login_flush(lb, false)) goto out;
        }
        bind_str(qt, 1, id);
        sqlite3_bind_int64(qt, 2, a->n_logins);
        if (done(qt)) goto out;
    }
    if (login_flush(lb, true)) goto out;
    rc = 0;
out:
    sqlite3_finalize(lb->many);
    sqlite3_finalize(lb->one);
    um_free(lb);
    sqlite3_finalize(qa);
    sqlite3_finalize(qt);
    sqlite3_finalize(qz);
    return rc;
}
