/*
 * rules.c - the `rules` analyzer: the shipped Sigma rule pack (rules/, read
 * with src/sigma/) run over every Windows event of a scan, each hit a
 * finding under the rule's indicator (`unmask_indicator`), keyed by the
 * tool it names (`unmask_tool`), weighted by `unmask_weight` /
 * `unmask_strength`, sensitive when `unmask_corroborate_only`.
 *
 * Compiled once per context (rules_compile): the rule db, the company
 * software allowlist (um_ctx_options.allowlist) and the notes about refused
 * rules. Per scan: one matcher scratch and the correlation state.
 *
 * Approval: a tool the company's allowlist approves for this person (role /
 * department / host scope) or that --approved-rmm names (remote-access
 * rules, EP-02) gives no finding; a tool approved only elsewhere is
 * reported with where it is approved. A second remote-access agent beside
 * an approved one on the same person is EP-10.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../core/scan.h"
#include "../os/os.h"
#include "../read/winevent.h"
#include "../sigma/sigma.h"
#include "allowlist.h"
#include "rules.h"
#include "../util/ascii.h"

#define RA_MAX_TOOLS 8  /* remote-access tools remembered per subject (EP-10) */
#define RA_MAX_SUBJECTS 1000000

typedef struct ra_compiled {
    um_sigma_db *db;
    um_allowlist *allow;
    um_notes notes;
    size_t nrules, nrefused;
    bool signins; /* some rule reads Okta / Entra sign-ins */
} ra_compiled;

typedef struct ra_tools {
    const char *tool[RA_MAX_TOOLS];
    bool approved[RA_MAX_TOOLS];
    uint8_t n;
    bool reported;
} ra_tools;

typedef struct ra_state {
    const ra_compiled *c;
    um_scan *scan;
    um_sigma_scratch *s;
    um_sigma_corr *corr;
    um_map tools; /* subject id -> ra_tools* */
    um_arena arena;
    const um_event *ev;
    um_sigma_event sev;
    um_sigma_kv *kv; /* UM_WIN_MAX_FIELDS views, allocated on first use */
    uint32_t hash[UM_WIN_MAX_FIELDS]; /* their names' hashes */
    um_sid sid;
    bool resolved;
    bool tried; /* compiled data fetched */
    um_status err;
} ra_state;

extern const um_analyzer um_analyzer_rules;

static void add_dir(um_sigma_compiler *c, ra_compiled *rc, const char *dir, bool *found) {
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) return;
    *found = true;
    if (um_sigma_add_path(c, dir) != UM_OK) um_notes_add(&rc->notes, "%s", um_sigma_compiler_errmsg(c));
}

bool um_rules_cache_dir(char *buf, size_t cap) {
    const um_os *os = um_os_get();
    const char *off = os->getenv(os->ud, "UNMASK_RULE_CACHE");
    if (off && (!strcmp(off, "off") || !strcmp(off, "0"))) return false;
    const char *xdg = os->getenv(os->ud, "XDG_CACHE_HOME"), *home = os->getenv(os->ud, "HOME");
    char base[4096];
    if (xdg && *xdg == '/') snprintf(base, sizeof base, "%s", xdg);
    else if (home && *home == '/') snprintf(base, sizeof base, "%s/.cache", home);
    else return false;
    return (size_t)snprintf(buf, cap, "%s/unmask", base) < cap; /* made when written */
}

static um_status ra_compile(um_ctx *ctx, void **out) {
    ra_compiled *rc = um_calloc(1, sizeof *rc);
    if (!rc) return UM_ENOMEM;
    *out = rc;
    um_sigma_compiler *c = NULL;
    if (um_sigma_compiler_new(&c) != UM_OK) {
        um_sigma_compiler_free(c);
        return UM_ENOMEM;
    }
    bool found = false;
    const char *dir = um_ctx_data_dir(ctx);
    char path[4096];
    const char *extra = um_ctx_rules_path(ctx); /* --rules: the company's own */
    if (dir) {
        snprintf(path, sizeof path, "%s/sigma", dir); /* installed: share/unmask/sigma */
        add_dir(c, rc, path, &found);
        if (!found) {
            snprintf(path, sizeof path, "%s/../rules", dir); /* source tree: data/../rules */
            add_dir(c, rc, path, &found);
        }
    }
    if (!found) um_notes_add(&rc->notes, "no Sigma rule pack found (data/sigma or rules/): no endpoint rule detection");
    if (extra && um_sigma_add_path(c, extra) != UM_OK) um_notes_add(&rc->notes, "%s", um_sigma_compiler_errmsg(c));
    char cdir[4096];
    if (um_rules_cache_dir(cdir, sizeof cdir) && um_sigma_compiler_set_cache(c, cdir) != UM_OK) {
        um_sigma_compiler_free(c);
        return UM_ENOMEM;
    }
    um_status st = um_sigma_compile(c, &rc->db);
    if (st != UM_OK) {
        um_notes_add(&rc->notes, "Sigma rules not compiled: %s", um_sigma_compiler_errmsg(c));
        rc->db = NULL;
    }
    for (size_t i = 0; rc->db && i < um_sigma_rule_count(rc->db); i++) {
        const char *ls = um_sigma_rule_at(rc->db, i)->logsource;
        if (ls && (!strcmp(ls, "okta") || !strcmp(ls, "azure/signinlogs"))) rc->signins = true;
    }
    rc->nrefused = um_sigma_refusal_count(c);
    for (size_t i = 0; i < rc->nrefused; i++) {
        const um_sigma_refusal *r = um_sigma_refusal_at(c, i);
        um_notes_add(&rc->notes, "Sigma rule refused: %s:%u: %s", r->file, r->line, r->message);
    }
    um_sigma_compiler_free(c);
    const char *al = um_ctx_allowlist_path(ctx);
    if (al && *al) {
        char err[512];
        size_t bad = 0, bad_line = 0;
        if (um_allowlist_load(al, &rc->allow, &bad, &bad_line, err, sizeof err) != UM_OK)
            um_notes_add(&rc->notes, "software allowlist not used: %s", err);
        else if (bad)
            um_notes_add(&rc->notes, "software allowlist %s: %zu unusable rows (first at line %zu)", al, bad, bad_line);
    }
    return UM_OK;
}

bool um_rules_want_signins(um_ctx *ctx) {
    /* never compiles (readers run on worker threads): a scan built the
     * pack before any log input is read (um_scan_prepare, or the first
     * worker before any part); when it is not built, say yes (the bag is
     * then made, as it always may be) */
    const ra_compiled *p = ctx ? um_ctx_compiled_peek(ctx, &um_analyzer_rules) : NULL;
    return !p || p->signins;
}

/* What the prefilter's decisions depend on: the rule texts (the allowlist
 * only decides what a hit is reported as, on the scan's thread). */
static uint64_t ra_digest(const void *p) {
    const ra_compiled *rc = p;
    return rc && rc->db ? um_sigma_db_digest(rc->db) : 0x5a17;
}

static void ra_free_compiled(void *p) {
    ra_compiled *rc = p;
    if (!rc) return;
    um_sigma_db_free(rc->db);
    um_allowlist_free(rc->allow);
    um_notes_free(&rc->notes);
    um_free(rc);
}

/* Per scan: state only; the rule db is compiled on first use (lazy), when
 * the first record with fields arrives, so scans without Windows or Zeek
 * records never compile it. */
static um_status ra_on_subjects(um_scan *s, void **out) {
    ra_state *r = um_calloc(1, sizeof *r);
    if (!r) return UM_ENOMEM;
    *out = r;
    r->scan = s;
    um_map_init(&r->tools);
    um_arena_init(&r->arena);
    return UM_OK;
}

static um_status ra_ready(ra_state *r) {
    if (r->tried) return UM_OK;
    r->tried = true;
    const void *cp = NULL;
    um_status st = um_ctx_compiled(um_scan_ctx(r->scan), &um_analyzer_rules, &cp);
    if (st != UM_OK) return st;
    r->c = cp;
    um_notes_replay(&r->c->notes, r->scan, "rules");
    if (!r->c->db) return UM_OK;
    if (!(r->kv = um_calloc(UM_WIN_MAX_FIELDS, sizeof *r->kv))) return UM_ENOMEM;
    if (um_sigma_scratch_new(r->c->db, &r->s) != UM_OK || um_sigma_corr_new(r->c->db, 0, &r->corr) != UM_OK)
        return UM_ENOMEM;
    return UM_OK;
}

static void ra_free(void *p) {
    ra_state *r = p;
    if (!r) return;
    um_sigma_scratch_free(r->s);
    um_sigma_corr_free(r->corr);
    um_free(r->kv);
    for (size_t i = 0; i < r->tools.cap; i++)
        if (r->tools.slots[i].key) um_free(r->tools.slots[i].val);
    um_map_free(&r->tools);
    um_arena_free(&r->arena);
    um_free(r);
}

#define NZ(x) ((x) ? (x) : "")

static um_sid subject(ra_state *r) {
    if (!r->resolved) {
        r->sid = um_subjects_resolve(r->scan, r->ev);
        r->resolved = true;
    }
    return r->sid;
}

static um_strength strength_of(const char *s, const char *level) {
    if (s) {
        if (um_streq_ci(s, "strong")) return UM_STRONG;
        if (um_streq_ci(s, "weak")) return UM_WEAK;
        return UM_MEDIUM;
    }
    if (level && (um_streq_ci(level, "high") || um_streq_ci(level, "critical"))) return UM_STRONG;
    if (level && (um_streq_ci(level, "low") || um_streq_ci(level, "informational"))) return UM_WEAK;
    return UM_MEDIUM;
}

/* Remembers a remote-access tool on the subject; EP-10 when an approved and
 * an unapproved one meet. */
static um_status note_tool(ra_state *r, um_sid sid, const char *tool, bool approved) {
    char key[16];
    int kn = snprintf(key, sizeof key, "%d", (int)sid);
    bool created;
    if (r->tools.len >= RA_MAX_SUBJECTS) return UM_OK;
    um_map_slot *sl = um_map_upsert(&r->tools, key, (size_t)kn, &created);
    if (!sl) return UM_ENOMEM;
    if (created && !(sl->val = um_calloc(1, sizeof(ra_tools)))) return UM_ENOMEM;
    ra_tools *t = sl->val;
    for (uint8_t i = 0; i < t->n; i++)
        if (um_streq_ci(t->tool[i], tool)) return UM_OK;
    if (t->n >= RA_MAX_TOOLS) return UM_OK;
    t->tool[t->n] = um_arena_strdup(&r->arena, tool);
    t->approved[t->n++] = approved;
    if (t->reported) return UM_OK;
    const char *ok = NULL, *other = NULL;
    for (uint8_t i = 0; i < t->n; i++) {
        if (t->approved[i] && !ok) ok = t->tool[i];
        if (!t->approved[i] && !other) other = t->tool[i];
    }
    if (!ok || !other) return UM_OK;
    t->reported = true;
    char k2[256], values[512];
    snprintf(k2, sizeof k2, "%s+%s", ok, other);
    snprintf(values, sizeof values, "approved=%s; second=%s; host=%.120s", ok, other, NZ(r->ev->host));
    um_finding_spec sp = {"EP-10", "rules", UM_STRONG, 40, 0, k2};
    return um_finding_add(r->scan, sid, &sp, r->ev, NULL, 0, values,
                          "Second remote-access agent %s beside the approved %s on %.120s", other, ok,
                          r->ev->host ? r->ev->host : "this endpoint");
}

static int on_hit(void *ud, const um_sigma_hit *h);

static int on_corr(void *ud, const um_sigma_hit *h) { return on_hit(ud, h); }

static int on_hit(void *ud, const um_sigma_hit *h) {
    ra_state *r = ud;
    const um_sigma_db *db = r->c->db;
    if (!h->group_key && r->corr) um_sigma_corr_feed(r->corr, r->s, h, &r->sev, on_corr, r);
    const um_sigma_rule_info *ri = um_sigma_rule_at(db, h->rule);
    const char *ind = um_sigma_rule_attr(db, h->rule, "unmask_indicator");
    if (!ri || !ind || (!ri->emits && !h->group_key)) return 0;
    um_sid sid = subject(r);
    if (sid < 0) return 0;
    const char *tool = um_sigma_rule_attr(db, h->rule, "unmask_tool");
    if (!tool) tool = ri->title ? ri->title : ind;
    bool rmm = !strcmp(ind, "EP-02");
    /* approval: the company allowlist for this person, then --approved-rmm */
    const char *scope = NULL;
    um_allow a = UM_ALLOW_UNLISTED;
    if (r->c->allow) {
        size_t nr = 0, nd = 0;
        const char *const *roles = um_subject_values(r->scan, sid, UM_ATTR_ROLE, &nr);
        const char *const *dept = um_subject_values(r->scan, sid, UM_ATTR_DEPARTMENT, &nd);
        const char *rd[16];
        size_t n = 0;
        for (size_t i = 0; i < nr && n < 16; i++) rd[n++] = roles[i];
        for (size_t i = 0; i < nd && n < 16; i++) rd[n++] = dept[i];
        a = um_allowlist_check(r->c->allow, tool, rd, n, r->ev->host, &scope);
    }
    bool approved = a == UM_ALLOW_APPROVED ||
                    (a == UM_ALLOW_UNLISTED && rmm && um_ctx_rmm_approved(um_scan_ctx(r->scan), tool));
    if (rmm && (r->err = note_tool(r, sid, tool, approved)) != UM_OK) return 1;
    if (approved) return 0;
    /* a signal consistent with the person's own claims is no inconsistency:
     * unmask_consistent_with: "language:korean,ko,한국어; country:KR" */
    const char *cw = um_sigma_rule_attr(db, h->rule, "unmask_consistent_with");
    if (cw && um_claims_consistent(r->scan, sid, cw)) return 0;
    const char *w = um_sigma_rule_attr(db, h->rule, "unmask_weight");
    int weight = w ? atoi(w) : 20;
    if (weight < 0 || weight > 100) weight = 20;
    const char *co = um_sigma_rule_attr(db, h->rule, "unmask_corroborate_only");
    um_finding_spec sp = {ind, "rules", strength_of(um_sigma_rule_attr(db, h->rule, "unmask_strength"), ri->level),
                          weight, co && um_streq_ci(co, "true") ? UM_F_CORROBORATE_ONLY : 0u, tool};
    char values[1536];
    size_t o = (size_t)snprintf(values, sizeof values, "rule=%s; title=%.200s", NZ(ri->id), NZ(ri->title));
    for (size_t i = 0; i < h->nfields && o < sizeof values; i++)
        o += (size_t)snprintf(values + o, sizeof values - o, "; %.*s=%.*s", (int)h->fields[i].nlen, h->fields[i].name,
                              (int)(h->fields[i].vlen > 300 ? 300 : h->fields[i].vlen), h->fields[i].value);
    if (h->group_key && o < sizeof values)
        o += (size_t)snprintf(values + o, sizeof values - o, "; correlation=%s; group=%.200s; count=%llu",
                              NZ(ri->corr_type), h->group_key, (unsigned long long)h->count);
    if (a == UM_ALLOW_NOT_IN_SCOPE && o < sizeof values)
        snprintf(values + o, sizeof values - o, "; allowlist=approved only for %.200s", NZ(scope));
    else if (a == UM_ALLOW_BANNED && o < sizeof values)
        snprintf(values + o, sizeof values - o, "; allowlist=not approved");
    r->err = um_finding_add(r->scan, sid, &sp, r->ev, NULL, 0, values, "%s on %.120s: %s (Sigma rule %s)%s", tool,
                            r->ev->host ? r->ev->host : "an endpoint", NZ(ri->title), NZ(ri->id),
                            a == UM_ALLOW_NOT_IN_SCOPE ? "; the company approves it only for others"
                            : a == UM_ALLOW_BANNED ? "; the company allowlist says not approved"
                            : rmm                  ? "; not an approved tool"
                                                   : "");
    return r->err != UM_OK;
}

/* Does one of the person's own claims match spec ("language:a,b; country:KR")?
 * Languages match as case-insensitive words of the languages value
 * ("English, Korean" holds "korean"); countries as ISO2 codes. */
bool um_claims_consistent(um_scan *s, um_sid sid, const char *spec) {
    char buf[512];
    snprintf(buf, sizeof buf, "%s", spec);
    char *save = NULL;
    for (char *part = strtok_r(buf, ";", &save); part; part = strtok_r(NULL, ";", &save)) {
        while (*part == ' ') part++;
        um_attr a;
        if (um_starts_with_ci(part, "language:")) a = UM_ATTR_LANGUAGES;
        else if (um_starts_with_ci(part, "country:")) a = UM_ATTR_COUNTRY;
        else continue;
        char *list = strchr(part, ':') + 1, *s2 = NULL;
        size_t n = 0;
        const char *const *v = um_subject_values(s, sid, a, &n);
        for (char *want = strtok_r(list, ",", &s2); want; want = strtok_r(NULL, ",", &s2)) {
            while (*want == ' ') want++;
            size_t wl = strlen(want);
            while (wl && want[wl - 1] == ' ') want[--wl] = 0;
            if (!wl) continue;
            for (size_t i = 0; i < n; i++) {
                if (a == UM_ATTR_COUNTRY) {
                    const char *cc = um_country_code(v[i]);
                    if (cc && um_streq_ci(cc, want)) return true;
                    continue;
                }
                /* whole-word, case-insensitive */
                for (const char *p = v[i]; *p; p++) {
                    bool start = p == v[i] || !um_ascii_isalnum((unsigned char)p[-1]);
                    if (start && um_strneq_ci(p, wl, want) && !um_ascii_isalnum((unsigned char)p[wl])) return true;
                }
            }
        }
    }
    return false;
}

/* The event's fields as the matcher's views (kv and hash hold
 * UM_WIN_MAX_FIELDS), with the bag's name hashes (the matcher's own). */
static void to_sigma(const um_event *ev, um_sigma_kv *kv, uint32_t *hash, um_sigma_event *sev) {
    const um_winfields *wf = ev->fields;
    size_t n = wf->n < UM_WIN_MAX_FIELDS ? wf->n : UM_WIN_MAX_FIELDS;
    for (size_t i = 0; i < n; i++) {
        kv[i].name = wf->f[i].name;
        kv[i].nlen = wf->f[i].nlen;
        kv[i].value = wf->f[i].value;
        kv[i].vlen = wf->f[i].len;
        hash[i] = wf->f[i].hash;
    }
    sev->f = kv;
    sev->n = n;
    sev->ts = ev->ts == UM_TIME_NONE ? INT64_MIN : ev->ts;
    sev->hash = hash;
}

/* ---- prefilter: the matching, on the thread that read the event ---- */

typedef struct ra_scratch {
    const ra_compiled *c;
    um_status st; /* of the compiled data */
    bool tried;
    um_sigma_scratch *s;
    um_sigma_kv *kv;
    uint32_t hash[UM_WIN_MAX_FIELDS];
} ra_scratch;

static int count_hit(void *ud, const um_sigma_hit *h) {
    (void)h;
    *(bool *)ud = true;
    return 1; /* one is enough */
}

/* Does any rule match the event? Only events with a hit keep their field
 * bag; ra_on_event matches those again (hits are rare) and feeds the
 * correlations, which need the matcher's view of the event. */
static bool ra_prefilter(um_ctx *ctx, void **scratch, const um_event *ev) {
    if (!ev->fields) return false;
    ra_scratch *x = *scratch;
    if (!x) {
        if (!(x = um_calloc(1, sizeof *x))) return true;
        *scratch = x;
    }
    if (!x->tried) {
        /* built already by the scan (um_scan_prepare, or the pool's first
         * worker before any part is read); never here: when it is not,
         * every bag is kept */
        const void *cp = um_ctx_compiled_peek(ctx, &um_analyzer_rules);
        if (!cp) return true;
        x->tried = true;
        x->st = UM_OK;
        x->c = cp;
        if (x->st == UM_OK && x->c && x->c->db) {
            x->kv = um_calloc(UM_WIN_MAX_FIELDS, sizeof *x->kv);
            if (!x->kv || um_sigma_scratch_new(x->c->db, &x->s) != UM_OK) x->st = UM_ENOMEM;
        }
    }
    if (x->st != UM_OK) return true; /* on_event says why */
    if (!x->c || !x->c->db) return false;
    um_sigma_event sev;
    to_sigma(ev, x->kv, x->hash, &sev);
    bool hit = false;
    if (um_sigma_match(x->c->db, x->s, &sev, count_hit, &hit) != UM_OK) return true;
    return hit;
}

static void ra_free_scratch(void *p) {
    ra_scratch *x = p;
    if (!x) return;
    um_sigma_scratch_free(x->s);
    um_free(x->kv);
    um_free(x);
}

static um_status ra_on_event(um_scan *s, void *p, um_sid sid, const um_event *ev) {
    ra_state *r = p;
    if (!r || !ev->fields) return UM_OK;
    if (!r->tried) {
        um_status st = ra_ready(r);
        if (st != UM_OK) return st;
    }
    if (!r->s || ev->fields_dropped) return UM_OK; /* dropped: no rule matched it (prefilter) */
    to_sigma(ev, r->kv, r->hash, &r->sev);
    r->ev = ev;
    r->sid = sid;
    r->resolved = ev->kind != UM_EV_RAW; /* raw records are resolved only on a hit */
    r->err = UM_OK;
    um_sigma_match(r->c->db, r->s, &r->sev, on_hit, r);
    (void)s;
    return r->err;
}

const um_analyzer um_analyzer_rules = {
    "rules",
    "the Sigma rule pack (rules/): remote-access tools, VPN clients, IP-KVMs and 2026 techniques in Windows events",
    ra_on_subjects, ra_on_event, NULL, ra_free, ra_compile, ra_free_compiled, true,
    ra_prefilter, ra_free_scratch, ra_digest, NULL, NULL, NULL, NULL};
