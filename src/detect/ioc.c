/*
 * ioc.c - IOC-01 / IOC-02: a subject's wallet, email, payout account,
 * GitHub, Telegram, LinkedIn or phone is on a published DPRK IT-worker list
 * (data/ioc/, loaded by enrich/ioc.c). Exact match of canonical values only;
 * names are never matched (a persona name is often a stolen identity).
 *
 *   IOC-01  value from an OFAC SDN designation          strong 70
 *   IOC-02  value from OSINT research (persona lists)   strong 50, phone medium 30
 *
 * Commit author emails seen in git histories are checked too (on_event).
 */
#include <string.h>

#include "../core/internal.h"

typedef struct ioc_state {
    um_arena arena;
    um_map checked; /* canonical commit email -> hit or (void*)1 for none */
} ioc_state;

static const char *list_name(const char *type) {
    if (strncmp(type, "wallet", 6) == 0) return "wallet.csv";
    if (strcmp(type, "email") == 0) return "email.csv";
    if (strcmp(type, "phone") == 0) return "phone.csv";
    if (strcmp(type, "github") == 0) return "github.csv";
    if (strcmp(type, "telegram") == 0) return "telegram.csv";
    if (strcmp(type, "linkedin") == 0) return "linkedin.csv";
    return "ioc list";
}

static um_status report(um_scan *s, um_sid sid, const um_ioc_hit *h, const char *what, const char *value,
                        const um_event *ev, const char *file, uint64_t line) {
    bool phone = strcmp(h->type, "phone") == 0;
    um_finding_spec sp = {h->sanctioned ? "IOC-01" : "IOC-02", "ioc",
                          h->sanctioned ? UM_STRONG : (phone ? UM_MEDIUM : UM_STRONG),
                          h->sanctioned ? 70 : (phone ? 30 : 50), 0, value};
    char vals[1024];
    snprintf(vals, sizeof vals, "%s=%s; list=%s (%s); source=%.300s", what, value, list_name(h->type), h->type,
             h->source);
    if (h->sanctioned)
        return um_finding_add(s, sid, &sp, ev, file, line, vals,
                              "%s %s is on the OFAC SDN list (%s, %s): %.240s. Paying it is a sanctions "
                              "matter; verify before acting",
                              what, value, list_name(h->type), h->source, h->note);
    return um_finding_add(s, sid, &sp, ev, file, line, vals,
                          "%s %s matches a published DPRK IT-worker persona (%s, %s): %.240s. A lead, not proof: "
                          "accounts are resold and identities stolen",
                          what, value, list_name(h->type), h->source, h->note);
}

static um_status check_attr(um_scan *s, const um_ioc *ioc, um_sid sid, um_attr a, const char *what) {
    size_t n;
    const char *const *v = um_subject_values(s, sid, a, &n);
    for (size_t i = 0; i < n; i++) {
        const char *type;
        switch (a) {
        case UM_ATTR_EMAIL:
        case UM_ATTR_WORK_EMAIL:
        case UM_ATTR_GIT_EMAIL: type = "email"; break;
        case UM_ATTR_WALLET: type = "wallet"; break;
        case UM_ATTR_PAYOUT_ACCOUNT: type = strchr(v[i], '@') ? "email" : "wallet"; break;
        case UM_ATTR_GITHUB: type = "github"; break;
        case UM_ATTR_TELEGRAM: type = "telegram"; break;
        case UM_ATTR_LINKEDIN: type = "linkedin"; break;
        case UM_ATTR_PHONE: type = "phone"; break;
        default: return UM_OK;
        }
        const um_ioc_hit *h = um_ioc_lookup(ioc, type, v[i]);
        if (!h) continue;
        const char *file = NULL;
        uint64_t line = 0;
        um_subject_value_src(s, sid, a, v[i], &file, &line);
        um_status st = report(s, sid, h, what, v[i], NULL, file, line);
        if (st != UM_OK) return st;
    }
    return UM_OK;
}

static um_status on_subjects(um_scan *s, void **state) {
    ioc_state *st = um_calloc(1, sizeof *st);
    if (!st) return UM_ENOMEM;
    um_arena_init(&st->arena);
    um_map_init(&st->checked);
    *state = st;
    const um_ioc *ioc = um_ctx_ioc(um_scan_ctx(s));
    if (!ioc || !um_ioc_count(ioc)) return UM_OK;
    static const struct {
        um_attr a;
        const char *what;
    } attrs[] = {{UM_ATTR_WALLET, "wallet"},
                 {UM_ATTR_PAYOUT_ACCOUNT, "payout account"},
                 {UM_ATTR_EMAIL, "email"},
                 {UM_ATTR_WORK_EMAIL, "work email"},
                 {UM_ATTR_GIT_EMAIL, "git email"},
                 {UM_ATTR_GITHUB, "GitHub account"},
                 {UM_ATTR_TELEGRAM, "Telegram handle"},
                 {UM_ATTR_LINKEDIN, "LinkedIn profile"},
                 {UM_ATTR_PHONE, "phone"}};
    size_t ns = um_scan_nsubjects(s);
    for (size_t i = 0; i < ns; i++) {
        if (!um_subject_has_identity(s, (um_sid)i)) continue;
        for (size_t k = 0; k < UM_ARRAY_LEN(attrs); k++) {
            um_status r = check_attr(s, ioc, (um_sid)i, attrs[k].a, attrs[k].what);
            if (r != UM_OK) return r;
        }
    }
    return UM_OK;
}

static um_status on_event(um_scan *s, void *state, um_sid sid, const um_event *ev) {
    ioc_state *st = state;
    if (!st || ev->kind != UM_EV_COMMIT || sid < 0 || !ev->user || !strchr(ev->user, '@')) return UM_OK;
    const um_ioc *ioc = um_ctx_ioc(um_scan_ctx(s));
    if (!ioc || !um_ioc_count(ioc)) return UM_OK;
    size_t len = strlen(ev->user);
    if (len > 320) return UM_OK;
    bool created;
    um_map_slot *sl = um_map_upsert(&st->checked, ev->user, len, &created);
    if (!sl) return UM_ENOMEM;
    if (created) {
        const char *c = um_canon_email(&st->arena, ev->user);
        const um_ioc_hit *h = c ? um_ioc_lookup(ioc, "email", c) : NULL;
        sl->val = h ? (void *)h : (void *)&st->checked; /* non-NULL sentinel: no hit */
    }
    if (sl->val == (void *)&st->checked) return UM_OK;
    const um_ioc_hit *h = sl->val;
    return report(s, sid, h, "commit author email", h->value, ev, ev->src_file, ev->src_line);
}

static void free_state(void *state) {
    ioc_state *st = state;
    if (!st) return;
    um_map_free(&st->checked);
    um_arena_free(&st->arena);
    um_free(st);
}

/* Partitioned analysis (partition.h 5.): a partition's instance holds only
 * its cache of commit emails looked up (the lists are the context's), so
 * it starts empty and the merge drops it. The subjects' own values were
 * checked once, by the primary's on_subjects. */
static um_status part_new(um_scan *s, const void *primary, void **out) {
    (void)s;
    (void)primary;
    ioc_state *st = um_calloc(1, sizeof *st);
    if (!st) return UM_ENOMEM;
    um_arena_init(&st->arena);
    um_map_init(&st->checked);
    *out = st;
    return UM_OK;
}

static um_status merge(um_scan *s, void *into, void *from) {
    (void)s;
    (void)into;
    free_state(from);
    return UM_OK;
}

/* Saved state (pstate.h): the version only. The cache of commit emails
 * looked up is no state: a loaded instance looks them up again. */
static um_status save(um_scan *s, const void *inst, um_buf *out) {
    (void)s;
    (void)inst;
    um_pk_u(out, 1);
    return UM_OK;
}

static um_status load(um_scan *s, const void *primary, um_pk *r, void **out) {
    if (um_pk_get_u(r) != 1) um_pk_fail(r, "ioc: unknown state version");
    if (!um_pk_ok(r)) return UM_EPARSE;
    return part_new(s, primary, out);
}

const um_analyzer um_analyzer_ioc = {
    "ioc", "wallets, emails, payout accounts, handles and phones on published DPRK IT-worker lists (IOC-01/02)",
    on_subjects, on_event, NULL, free_state, NULL, NULL, false, NULL, NULL, NULL, part_new, merge, save, load};
