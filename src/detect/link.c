/*
 * link.c - identifiers shared by "different" people (subjects that did not
 * join on a declared key). Each finding goes on every subject of the group
 * and names the other subjects.
 *
 *   LINK-06  same phone or personal email                      strong 40
 *   PAY-04   same payout account or wallet                     strong 50
 *   LINK-01  same device serial                                strong 40
 *   LINK-01  same home address (address + city + postal code)  weak 10
 *   OB-02    same laptop ship-to address: >= 3 subjects        strong 45
 *                                         exactly 2 subjects   weak 10
 *
 * Frequency cap: a value shared by more than UM_LINK_GENERIC subjects (an
 * office phone, a headquarters address, a payroll provider's clearing
 * account) is generic and gives no finding, only a scan warning. Ship-to
 * addresses get a higher cap (UM_LINK_SHIP_GENERIC): a laptop farm receives
 * dozens of laptops, while a company's own office is named in far more
 * shipments. Couples sharing a home therefore
 * stay weak (clean); staff at one office give nothing. Names are never
 * compared. Groups and members are visited in subject order, so output is
 * deterministic. See docs/linking.md.
 */
#include <string.h>

#include "../core/internal.h"

#define UM_LINK_GENERIC 10
#define UM_LINK_SHIP_GENERIC 50
#define UM_LINK_NAMED 6 /* other subjects named in a summary */

typedef enum link_cat { CAT_CONTACT, CAT_PAY, CAT_SERIAL, CAT_HOME, CAT_SHIP, CAT__COUNT } link_cat;

typedef struct member {
    um_sid sid;
    um_attr attr;      /* attribute whose value put the subject here */
    const char *value; /* that value (for file:line) */
} member;

typedef struct group {
    link_cat cat;
    const char *key;   /* canonical identifier */
    const char *label; /* "phone", "payout account", ... */
    member *m;
    size_t n, cap;
} group;

typedef struct link_ctx {
    um_scan *scan;
    um_arena arena;
    um_map index; /* "cat\x1fkey" -> group + 1 */
    group *g;
    size_t n, cap;
} link_ctx;

static size_t cap_for(link_cat cat) { return cat == CAT_SHIP ? UM_LINK_SHIP_GENERIC : UM_LINK_GENERIC; }

static um_status add_member(link_ctx *c, link_cat cat, const char *label, const char *key, um_sid sid,
                            um_attr attr, const char *value) {
    char buf[1024];
    int kn = snprintf(buf, sizeof buf, "%d\x1f%s", (int)cat, key);
    if (kn < 0 || (size_t)kn >= sizeof buf) return UM_OK; /* too long to be an identifier */
    bool created;
    um_map_slot *sl = um_map_upsert(&c->index, buf, (size_t)kn, &created);
    if (!sl) return UM_ENOMEM;
    group *g;
    if (created) {
        if (!um_grow((void **)&c->g, &c->cap, c->n + 1, sizeof *c->g)) return UM_ENOMEM;
        g = &c->g[c->n];
        memset(g, 0, sizeof *g);
        g->cat = cat;
        g->label = label;
        g->key = um_arena_strdup(&c->arena, key);
        if (!g->key) return UM_ENOMEM;
        sl->val = (void *)(uintptr_t)(++c->n);
    } else {
        g = &c->g[(uintptr_t)sl->val - 1];
    }
    if (g->n && g->m[g->n - 1].sid == sid) return UM_OK; /* subjects arrive in order */
    if (g->n > cap_for(cat)) return UM_OK; /* already generic: stop growing */
    if (!um_grow((void **)&g->m, &g->cap, g->n + 1, sizeof *g->m)) return UM_ENOMEM;
    g->m[g->n++] = (member){sid, attr, value};
    return UM_OK;
}

static um_status collect_attr(link_ctx *c, link_cat cat, const char *label, um_sid sid, um_attr a) {
    size_t n;
    const char *const *v = um_subject_values(c->scan, sid, a, &n);
    for (size_t i = 0; i < n; i++) {
        um_status st = add_member(c, cat, label, v[i], sid, a, v[i]);
        if (st != UM_OK) return st;
    }
    return UM_OK;
}

/* Home address key: canonical "street city postal" for each street line. */
static um_status collect_home(link_ctx *c, um_sid sid) {
    size_t na, nc, np;
    const char *const *addr = um_subject_values(c->scan, sid, UM_ATTR_ADDRESS, &na);
    const char *const *city = um_subject_values(c->scan, sid, UM_ATTR_CITY, &nc);
    const char *const *post = um_subject_values(c->scan, sid, UM_ATTR_POSTAL_CODE, &np);
    for (size_t i = 0; i < na; i++) {
        char *full = um_arena_printf(&c->arena, "%s %s %s", addr[i], nc ? city[0] : "", np ? post[0] : "");
        if (!full) return UM_ENOMEM;
        char *key = um_canon_address(&c->arena, full);
        if (!key) continue;
        um_status st = add_member(c, CAT_HOME, "home address", key, sid, UM_ATTR_ADDRESS, addr[i]);
        if (st != UM_OK) return st;
    }
    return UM_OK;
}

/* Bank account numbers are shown by their last four characters only. */
static void shown_value(const group *g, char *out, size_t cap) {
    size_t n = strlen(g->key);
    bool mask = g->cat == CAT_PAY && !strchr(g->key, '@') && g->m[0].attr == UM_ATTR_PAYOUT_ACCOUNT &&
                !(g->key[0] == '0' && g->key[1] == 'x') && n > 8;
    bool mixed = false;
    for (size_t i = 0; i < n; i++)
        if (g->key[i] >= 'a' && g->key[i] <= 'z') mixed = true; /* base58 wallet in a payout column */
    if (mask && !mixed) snprintf(out, cap, "...%s", g->key + n - 4);
    else snprintf(out, cap, "%s", g->key);
}

static um_status emit_group(link_ctx *c, const group *g) {
    size_t m = g->n;
    if (m > cap_for(g->cat)) {
        um_scan_warn(c->scan, "link", "%s shared by more than %zu people treated as generic (no finding): %.80s",
                     g->label, cap_for(g->cat), g->key);
        return UM_OK;
    }
    if (m < 2) return UM_OK;
    const char *ind;
    um_strength str;
    int w;
    switch (g->cat) {
    case CAT_CONTACT: ind = "LINK-06", str = UM_STRONG, w = 40; break;
    case CAT_PAY: ind = "PAY-04", str = UM_STRONG, w = 50; break;
    case CAT_SERIAL: ind = "LINK-01", str = UM_STRONG, w = 40; break;
    case CAT_HOME: ind = "LINK-01", str = UM_WEAK, w = 10; break;
    case CAT_SHIP:
        ind = "OB-02";
        str = m >= 3 ? UM_STRONG : UM_WEAK;
        w = m >= 3 ? 45 : 10;
        break;
    default: return UM_OK;
    }
    um_finding_spec sp = {ind, "link", str, w, 0, g->key};
    char shown[256];
    shown_value(g, shown, sizeof shown);
    um_buf others, vals;
    um_buf_init(&others);
    um_buf_init(&vals);
    um_status st = UM_OK;
    for (size_t i = 0; i < m && st == UM_OK; i++) {
        um_buf_reset(&others);
        size_t named = 0;
        for (size_t k = 0; k < m; k++) {
            if (k == i) continue;
            if (named == UM_LINK_NAMED) {
                um_buf_printf(&others, " and %zu more", m - 1 - named);
                break;
            }
            const char *id = um_subject_id(c->scan, g->m[k].sid), *dn = um_subject_display(c->scan, g->m[k].sid);
            um_buf_printf(&others, "%s%s (%s)", named ? ", " : "", id ? id : "?", dn ? dn : "?");
            named++;
        }
        const char *file = NULL;
        uint64_t line = 0;
        um_subject_value_src(c->scan, g->m[i].sid, g->m[i].attr, g->m[i].value, &file, &line);
        um_buf_reset(&vals);
        um_buf_printf(&vals, "%s=%s; subjects=%zu", um_attr_name(g->m[i].attr), g->m[i].value, m);
        if (others.oom || vals.oom) {
            st = UM_ENOMEM;
            break;
        }
        const char *tail = "";
        if (g->cat == CAT_SHIP && m >= 3) tail = ": laptops for several people sent to one address (laptop farm pattern)";
        else if (g->cat == CAT_SHIP || g->cat == CAT_HOME)
            tail = " (two people at one address is common: household; weak on its own)";
        st = um_finding_add(c->scan, g->m[i].sid, &sp, NULL, file, line, vals.s, "%s %s also used by %s%s",
                            g->label, shown, others.s, tail);
    }
    um_buf_free(&others);
    um_buf_free(&vals);
    return st;
}

static um_status on_subjects(um_scan *s, void **state) {
    (void)state;
    link_ctx c;
    memset(&c, 0, sizeof c);
    c.scan = s;
    um_arena_init(&c.arena);
    um_map_init(&c.index);
    um_status st = UM_OK;
    size_t ns = um_scan_nsubjects(s);
    for (size_t i = 0; i < ns && st == UM_OK; i++) {
        um_sid sid = (um_sid)i;
        if (!um_subject_has_identity(s, sid)) continue;
        st = collect_attr(&c, CAT_CONTACT, "phone", sid, UM_ATTR_PHONE);
        if (st == UM_OK) st = collect_attr(&c, CAT_CONTACT, "personal email", sid, UM_ATTR_EMAIL);
        if (st == UM_OK) st = collect_attr(&c, CAT_PAY, "payout account", sid, UM_ATTR_PAYOUT_ACCOUNT);
        if (st == UM_OK) st = collect_attr(&c, CAT_PAY, "wallet", sid, UM_ATTR_WALLET);
        if (st == UM_OK) st = collect_attr(&c, CAT_SERIAL, "device serial", sid, UM_ATTR_DEVICE_SERIAL);
        if (st == UM_OK) st = collect_home(&c, sid);
        if (st == UM_OK) st = collect_attr(&c, CAT_SHIP, "laptop ship-to address", sid, UM_ATTR_SHIP_ADDRESS);
    }
    for (size_t i = 0; i < c.n && st == UM_OK; i++) st = emit_group(&c, &c.g[i]);
    for (size_t i = 0; i < c.n; i++) um_free(c.g[i].m);
    um_free(c.g);
    um_map_free(&c.index);
    um_arena_free(&c.arena);
    return st;
}

const um_analyzer um_analyzer_link = {
    "link", "phones, emails, payout accounts, wallets, serials and addresses shared by different people "
            "(LINK-01, LINK-06, PAY-04, OB-02)",
    on_subjects, NULL, NULL, NULL, NULL, NULL, false};
