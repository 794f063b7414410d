/*
 * match.c - running a compiled Sigma db over one event.
 *
 *   1. classify the event (Channel / Provider / EventID) into logsource keys;
 *   2. index its fields: canonical name -> slot (one hash lookup per field,
 *      4688 names renamed to the Sysmon names process_creation rules use);
 *   3. per group of the event's keys: scan each field the group tests with
 *      that field's vectorscan db, look its lower-cased value up in the exact
 *      set, evaluate the direct tests, scan every value with the keyword db;
 *      each true test stamps its id with this event's generation;
 *   4. evaluate the condition of every rule with a true test (and of the
 *      rules that are true when nothing is) and report hits.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sigma_int.h"

#define SG_MAX_EVAL_DEPTH 200

bool sg_eval(const um_sigma_db *db, uint32_t node, const uint32_t *stamp, uint32_t gen, int depth) {
    if (depth > SG_MAX_EVAL_DEPTH) return false;
    const sg_node *n = &db->nodes[node];
    switch (n->op) {
    case N_TEST: return stamp[n->a] == gen;
    case N_NOT: return !sg_eval(db, n->a, stamp, gen, depth + 1);
    case N_AND:
        for (uint32_t i = 0; i < n->n; i++)
            if (!sg_eval(db, db->kids[n->a + i], stamp, gen, depth + 1)) return false;
        return true;
    case N_OR:
        for (uint32_t i = 0; i < n->n; i++)
            if (sg_eval(db, db->kids[n->a + i], stamp, gen, depth + 1)) return true;
        return false;
    default: return n->a != 0;
    }
}

um_status um_sigma_scratch_new(const um_sigma_db *db, um_sigma_scratch **out) {
    um_sigma_scratch *s = um_calloc(1, sizeof *s);
    *out = s;
    if (!s) return UM_ENOMEM;
    s->db = db;
    if (db->proto && hs_clone_scratch(db->proto, &s->hs) != HS_SUCCESS) return UM_ENOMEM;
    s->md = pcre2_match_data_create(8, NULL);
    s->test_stamp = um_calloc(db->ntests + 1, sizeof *s->test_stamp);
    s->rule_stamp = um_calloc(db->nrules + 1, sizeof *s->rule_stamp);
    s->slot_stamp = um_calloc(db->nslots + 1, sizeof *s->slot_stamp);
    s->slot_val = um_calloc(db->nslots + 1, sizeof *s->slot_val);
    s->cand = um_calloc(db->nrules + 1, sizeof *s->cand);
    if (!s->md || !s->test_stamp || !s->rule_stamp || !s->slot_stamp || !s->slot_val || !s->cand)
        return UM_ENOMEM;
    return UM_OK;
}

void um_sigma_scratch_free(um_sigma_scratch *s) {
    if (!s) return;
    if (s->hs) hs_free_scratch(s->hs);
    if (s->md) pcre2_match_data_free(s->md);
    um_free(s->test_stamp);
    um_free(s->rule_stamp);
    um_free(s->slot_stamp);
    um_free(s->slot_val);
    um_free(s->cand);
    um_free(s->low);
    um_free(s->key);
    um_free(s);
}

const um_sigma_kv *sg_slot_value(const um_sigma_scratch *s, int32_t slot) {
    if (slot < 0 || (size_t)slot >= s->db->nslots || s->slot_stamp[slot] != s->gen) return NULL;
    return &s->slot_val[slot];
}

/* ---- classification -------------------------------------------------- */

static bool eq_ci(const char *s, size_t n, const char *w) { return um_strneq_ci(s, n, w) && strlen(w) == n; }

static const struct {
    const char *channel;
    int key;
} channels[] = {
    {"security", SG_KEY_SVC_SECURITY},
    {"system", SG_KEY_SVC_SYSTEM},
    {"application", SG_KEY_SVC_APPLICATION},
    {"microsoft-windows-sysmon/operational", SG_KEY_SVC_SYSMON},
    {"microsoft-windows-powershell/operational", SG_KEY_SVC_POWERSHELL},
    {"windows powershell", SG_KEY_SVC_POWERSHELL_CLASSIC},
    {"microsoft-windows-taskscheduler/operational", SG_KEY_SVC_TASKSCHEDULER},
    {"microsoft-windows-wmi-activity/operational", SG_KEY_SVC_WMI},
    {"microsoft-windows-driverframeworks-usermode/operational", SG_KEY_SVC_DRIVER_FRAMEWORK},
    {"microsoft-windows-bits-client/operational", SG_KEY_SVC_BITS_CLIENT},
    {"microsoft-windows-windows defender/operational", SG_KEY_SVC_WINDEFEND},
    {"microsoft-windows-dns-client/operational", SG_KEY_SVC_DNS_CLIENT},
    {"microsoft-windows-windows firewall with advanced security/firewall", SG_KEY_SVC_FIREWALL_AS},
    {"microsoft-windows-terminalservices-localsessionmanager/operational", SG_KEY_SVC_TS_LSM},
    {"microsoft-windows-codeintegrity/operational", SG_KEY_SVC_CODEINTEGRITY},
    {"microsoft-windows-printservice/admin", SG_KEY_SVC_PRINTSERVICE_ADMIN},
    {"microsoft-windows-printservice/operational", SG_KEY_SVC_PRINTSERVICE_OPERATIONAL},
    {"microsoft-windows-smbclient/security", SG_KEY_SVC_SMBCLIENT_SECURITY},
    {"microsoft-windows-ntlm/operational", SG_KEY_SVC_NTLM},
    {"openssh/operational", SG_KEY_SVC_OPENSSH},
    {"microsoft-windows-kernel-pnp/configuration", SG_KEY_SVC_KERNEL_PNP},
};

static int sysmon_keys(unsigned eid, const char *etype, size_t etlen, int *keys) {
    int n = 0;
    switch (eid) {
    case 1: keys[n++] = SG_KEY_PROCESS_CREATION; break;
    case 2: keys[n++] = SG_KEY_FILE_CHANGE; break;
    case 3: keys[n++] = SG_KEY_NETWORK_CONNECTION; break;
    case 4: case 16: keys[n++] = SG_KEY_SYSMON_STATUS; break;
    case 5: keys[n++] = SG_KEY_PROCESS_TERMINATION; break;
    case 6: keys[n++] = SG_KEY_DRIVER_LOAD; break;
    case 7: keys[n++] = SG_KEY_IMAGE_LOAD; break;
    case 8: keys[n++] = SG_KEY_CREATE_REMOTE_THREAD; break;
    case 9: keys[n++] = SG_KEY_RAW_ACCESS_THREAD; break;
    case 10: keys[n++] = SG_KEY_PROCESS_ACCESS; break;
    case 11: keys[n++] = SG_KEY_FILE_EVENT; break;
    case 12:
        /* as pySigma's Sysmon mapping: both; the rules test EventType */
        (void)etype;
        (void)etlen;
        keys[n++] = SG_KEY_REGISTRY_EVENT;
        keys[n++] = SG_KEY_REGISTRY_ADD;
        keys[n++] = SG_KEY_REGISTRY_DELETE;
        break;
    case 13: keys[n++] = SG_KEY_REGISTRY_EVENT; keys[n++] = SG_KEY_REGISTRY_SET; break;
    case 14: keys[n++] = SG_KEY_REGISTRY_EVENT; keys[n++] = SG_KEY_REGISTRY_RENAME; break;
    case 15: keys[n++] = SG_KEY_CREATE_STREAM_HASH; break;
    case 17: case 18: keys[n++] = SG_KEY_PIPE_CREATED; break;
    case 19: case 20: case 21: keys[n++] = SG_KEY_WMI_EVENT; break;
    case 22: keys[n++] = SG_KEY_DNS_QUERY; break;
    case 23: keys[n++] = SG_KEY_FILE_DELETE; break;
    case 24: keys[n++] = SG_KEY_CLIPBOARD_CAPTURE; break;
    case 25: keys[n++] = SG_KEY_PROCESS_TAMPERING; break;
    case 26: keys[n++] = SG_KEY_FILE_DELETE_DETECTED; break;
    case 27: keys[n++] = SG_KEY_FILE_BLOCK_EXECUTABLE; break;
    case 28: keys[n++] = SG_KEY_FILE_BLOCK_SHREDDING; break;
    case 29: keys[n++] = SG_KEY_FILE_EXECUTABLE_DETECTED; break;
    case 255: keys[n++] = SG_KEY_SYSMON_ERROR; break;
    default: break;
    }
    return n;
}

#define SG_MAX_KEYS 6
enum { EV_PLAIN, EV_4688 };

/* Fills keys[]; returns how many; *variant says how to rename fields. */
static int classify(const um_sigma_event *ev, int *keys, int *variant) {
    const char *chan = NULL, *prov = NULL, *eids = NULL, *etype = NULL;
    size_t chl = 0, pl = 0, el = 0, etl = 0;
    char nb[64];
    for (size_t i = 0; i < ev->n; i++) {
        const um_sigma_kv *f = &ev->f[i];
        size_t l = sg_canon_field(f->name, f->nlen, nb, sizeof nb);
        if (l == 7 && !memcmp(nb, "channel", 7)) chan = f->value, chl = f->vlen;
        else if (l == 13 && !memcmp(nb, "provider_name", 13)) prov = f->value, pl = f->vlen;
        else if (l == 10 && !memcmp(nb, "sourcename", 10) && !prov) prov = f->value, pl = f->vlen;
        else if (l == 7 && !memcmp(nb, "eventid", 7)) eids = f->value, el = f->vlen;
        else if (l == 9 && !memcmp(nb, "eventtype", 9)) etype = f->value, etl = f->vlen;
    }
    int n = 0;
    keys[n++] = SG_KEY_ANY;
    *variant = EV_PLAIN;
    unsigned eid = 0;
    bool have_eid = el > 0 && el < 8;
    for (size_t i = 0; have_eid && i < el; i++) {
        if (!isdigit((unsigned char)eids[i])) have_eid = false;
        else eid = eid * 10 + (unsigned)(eids[i] - '0');
    }
    int svc = -1;
    for (size_t i = 0; chan && i < UM_ARRAY_LEN(channels); i++)
        if (eq_ci(chan, chl, channels[i].channel)) svc = channels[i].key;
    if (svc < 0 && prov) {
        if (eq_ci(prov, pl, "Microsoft-Windows-Sysmon")) svc = SG_KEY_SVC_SYSMON;
        else if (eq_ci(prov, pl, "Microsoft-Windows-Security-Auditing")) svc = SG_KEY_SVC_SECURITY;
        else if (eq_ci(prov, pl, "Microsoft-Windows-PowerShell")) svc = SG_KEY_SVC_POWERSHELL;
    }
    if (svc >= 0) keys[n++] = svc;
    if (!have_eid) return n;
    if (svc == SG_KEY_SVC_SYSMON) {
        n += sysmon_keys(eid, etype, etl, keys + n);
    } else if (svc == SG_KEY_SVC_SECURITY && eid == 4688) {
        keys[n++] = SG_KEY_PROCESS_CREATION;
        *variant = EV_4688;
    } else if (svc == SG_KEY_SVC_POWERSHELL) {
        if (eid == 4104) keys[n++] = SG_KEY_PS_SCRIPT;
        else if (eid == 4103) keys[n++] = SG_KEY_PS_MODULE;
    } else if (svc == SG_KEY_SVC_POWERSHELL_CLASSIC) {
        if (eid == 400) keys[n++] = SG_KEY_PS_CLASSIC_START;
        else if (eid == 600) keys[n++] = SG_KEY_PS_CLASSIC_PROVIDER_START;
        else if (eid == 800) keys[n++] = SG_KEY_PS_CLASSIC_SCRIPT;
    }
    return n;
}

static const char *rename_4688(const char *l) {
    static const char *const map[][2] = {
        {"newprocessname", "image"},       {"parentprocessname", "parentimage"},
        {"processid", "parentprocessid"},  {"newprocessid", "processid"},
        {"subjectusername", "user"},       {"subjectlogonid", "logonid"},
    };
    for (size_t i = 0; i < UM_ARRAY_LEN(map); i++)
        if (!strcmp(l, map[i][0])) return map[i][1];
    return NULL;
}

static void index_fields(um_sigma_scratch *s, const um_sigma_event *ev, int variant) {
    const um_sigma_db *db = s->db;
    char nb[300];
    const um_sigma_kv *alias_src = NULL;
    for (size_t i = 0; i < ev->n; i++) {
        const um_sigma_kv *f = &ev->f[i];
        size_t l = sg_canon_field(f->name, f->nlen, nb, sizeof nb);
        const char *name = nb;
        if (variant == EV_4688) {
            /* the Security names stay readable under their own names too */
            const char *rn = rename_4688(nb);
            if (rn) {
                int own = strcmp(nb, "processid") ? sg_slot_find(db, nb, l) : -1;
                if (own >= 0 && s->slot_stamp[own] != s->gen) {
                    s->slot_stamp[own] = s->gen;
                    s->slot_val[own] = *f;
                }
                name = rn, l = strlen(rn);
            } else if (!strcmp(nb, "image") || !strcmp(nb, "parentimage") || !strcmp(nb, "user") ||
                       !strcmp(nb, "parentprocessid") || !strcmp(nb, "logonid")) {
                continue;
            }
        }
        int slot = sg_slot_find(db, name, l);
        if (slot >= 0 && s->slot_stamp[slot] != s->gen) { /* first value wins */
            s->slot_stamp[slot] = s->gen;
            s->slot_val[slot] = *f;
        }
        /* NXLog's SourceName is the provider (a Defender event's "Source
         * Name" is its own field too): Provider_Name when none is given */
        if (l == 10 && !memcmp(name, "sourcename", 10) && s->db->slot_provider >= 0)
            alias_src = f;
    }
    if (alias_src && s->slot_stamp[db->slot_provider] != s->gen) {
        s->slot_stamp[db->slot_provider] = s->gen;
        s->slot_val[db->slot_provider] = *alias_src;
    }
}

/* ---- tests ------------------------------------------------------------ */

typedef struct hs_ctx {
    um_sigma_scratch *s;
    const sg_fielddb *fd;
} hs_ctx;

static void stamp_test(um_sigma_scratch *s, uint32_t t) {
    if (s->test_stamp[t] == s->gen) return;
    s->test_stamp[t] = s->gen;
    uint32_t r = s->db->tests[t].rule;
    if (s->rule_stamp[r] != s->gen) {
        s->rule_stamp[r] = s->gen;
        s->cand[s->ncand++] = r;
    }
}

static int on_hs(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ud) {
    (void)from;
    (void)to;
    (void)flags;
    hs_ctx *c = ud;
    const sg_fielddb *fd = c->fd;
    if (id >= fd->npat) return 0;
    for (uint32_t k = fd->pat_first[id]; k < fd->pat_first[id + 1]; k++) stamp_test(c->s, fd->pat_tests[k]);
    return 0;
}

static bool ensure_low(um_sigma_scratch *s, size_t need) {
    if (need <= s->lowcap) return true;
    size_t cap = need < 256 ? 256 : need * 2;
    char *p = um_realloc(s->low, cap);
    if (!p) return false;
    s->low = p;
    s->lowcap = cap;
    return true;
}

static bool parse_ip16(const char *v, size_t n, uint8_t out[16]) {
    char buf[64];
    if (n == 0 || n >= sizeof buf) return false;
    memcpy(buf, v, n);
    buf[n] = 0;
    char *pct = strchr(buf, '%'); /* fe80::1%eth0 */
    if (pct) *pct = 0;
    struct in_addr a4;
    if (inet_pton(AF_INET, buf, &a4) == 1) {
        memset(out, 0, 10);
        out[10] = out[11] = 0xff;
        memcpy(out + 12, &a4, 4);
        return true;
    }
    return inet_pton(AF_INET6, buf, out) == 1;
}

static bool in_net(const uint8_t a[16], const sg_net *n) {
    unsigned bits = n->bits;
    for (unsigned i = 0; i < 16 && bits; i++) {
        unsigned take = bits >= 8 ? 8 : bits;
        uint8_t mask = (uint8_t)(0xff << (8 - take));
        if ((a[i] & mask) != (n->addr[i] & mask)) return false;
        bits -= take;
    }
    return true;
}

static bool mem_eq(const char *a, size_t an, const char *b, size_t bn, bool cased) {
    if (an != bn) return false;
    if (cased) return !memcmp(a, b, an);
    for (size_t i = 0; i < an; i++)
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i])) return false;
    return true;
}

static bool mem_has(const char *h, size_t hn, const char *n, size_t nn, bool cased) {
    if (nn == 0) return true;
    for (size_t i = 0; i + nn <= hn; i++)
        if (mem_eq(h + i, nn, n, nn, cased)) return true;
    return false;
}

static bool direct_test(um_sigma_scratch *s, const sg_test *t) {
    const um_sigma_kv *v = sg_slot_value(s, t->slot);
    switch (t->kind) {
    case TK_NULL: return !v || v->vlen == 0;
    case TK_ANY: return v && v->vlen > 0;
    case TK_EXISTS: return (v != NULL) == t->u.want;
    case TK_NUM: {
        if (!v || v->vlen == 0 || v->vlen > 63) return false;
        char buf[64], *end;
        memcpy(buf, v->value, v->vlen);
        buf[v->vlen] = 0;
        double d = strtod(buf, &end);
        if (*end || end == buf) return false;
        switch (t->u.num.op) {
        case CMP_GT: return d > t->u.num.v;
        case CMP_GTE: return d >= t->u.num.v;
        case CMP_LT: return d < t->u.num.v;
        default: return d <= t->u.num.v;
        }
    }
    case TK_CIDR: {
        uint8_t a[16];
        if (!v || !parse_ip16(v->value, v->vlen, a)) return false;
        for (uint32_t i = 0; i < t->u.cidr.n; i++)
            if (in_net(a, &s->db->nets[t->u.cidr.first + i])) return true;
        return false;
    }
    case TK_FIELDREF: {
        const um_sigma_kv *o = sg_slot_value(s, t->u.ref.other);
        if (!v || !o) return false;
        switch (t->u.ref.mode) {
        case REF_EQ: return mem_eq(v->value, v->vlen, o->value, o->vlen, t->cased);
        case REF_CONTAINS: return mem_has(v->value, v->vlen, o->value, o->vlen, t->cased);
        case REF_START: return o->vlen <= v->vlen && mem_eq(v->value, o->vlen, o->value, o->vlen, t->cased);
        default:
            return o->vlen <= v->vlen && mem_eq(v->value + v->vlen - o->vlen, o->vlen, o->value, o->vlen, t->cased);
        }
    }
    case TK_PCRE:
        if (!v) return false;
        return pcre2_match(t->u.re, (PCRE2_SPTR)v->value, v->vlen, 0, 0, s->md, NULL) >= 0;
    default: return false;
    }
}

static void run_group(um_sigma_scratch *s, const sg_group *g, int gi, const um_sigma_event *ev) {
    const um_sigma_db *db = s->db;
    hs_ctx hc = {s, NULL};
    for (size_t fi = 0; fi < g->nfields; fi++) {
        const sg_fielddb *fd = &g->fields[fi];
        const um_sigma_kv *v = sg_slot_value(s, fd->slot);
        if (!v) continue;
        if (fd->db) {
            hc.fd = fd;
            hs_scan(fd->db, v->value ? v->value : "", (unsigned)(v->vlen > 0xffffffffu ? 0xffffffffu : v->vlen), 0,
                    s->hs, on_hs, &hc);
        }
        if (fd->has_exact && ensure_low(s, v->vlen + 8)) {
            uint32_t hdr[2] = {(uint32_t)gi, (uint32_t)fd->slot};
            memcpy(s->low, hdr, sizeof hdr);
            for (size_t i = 0; i < v->vlen; i++) s->low[8 + i] = (char)tolower((unsigned char)v->value[i]);
            const sg_exact *e = um_map_get(&db->exact, s->low, v->vlen + 8);
            for (uint32_t i = 0; e && i < e->n; i++) stamp_test(s, e->t[i]);
        }
    }
    for (size_t i = 0; i < g->ndirect; i++)
        if (direct_test(s, &db->tests[g->direct[i]])) stamp_test(s, g->direct[i]);
    if (g->kw.db) {
        hc.fd = &g->kw;
        for (size_t i = 0; i < ev->n; i++)
            if (ev->f[i].vlen)
                hs_scan(g->kw.db, ev->f[i].value, (unsigned)(ev->f[i].vlen > 0xffffffffu ? 0xffffffffu : ev->f[i].vlen),
                        0, s->hs, on_hs, &hc);
    }
    for (size_t i = 0; i < g->nalways; i++) {
        uint32_t r = g->always[i];
        if (s->rule_stamp[r] != s->gen) {
            s->rule_stamp[r] = s->gen;
            s->cand[s->ncand++] = r;
        }
    }
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

um_status um_sigma_match(const um_sigma_db *db, um_sigma_scratch *s, const um_sigma_event *ev,
                         um_sigma_hit_fn fn, void *ud) {
    if (!db || !s || !ev || s->db != db) return UM_EINVAL;
    if (++s->gen == 0) { /* wrapped: clear the stamps */
        memset(s->test_stamp, 0, (db->ntests + 1) * sizeof *s->test_stamp);
        memset(s->rule_stamp, 0, (db->nrules + 1) * sizeof *s->rule_stamp);
        memset(s->slot_stamp, 0, (db->nslots + 1) * sizeof *s->slot_stamp);
        s->gen = 1;
    }
    s->ncand = 0;
    int keys[SG_MAX_KEYS + 2];
    int variant;
    int nk = classify(ev, keys, &variant);
    bool any = false;
    for (int k = 0; k < nk; k++)
        if (db->group_of_key[keys[k]] >= 0) any = true;
    if (!any) return UM_OK;
    index_fields(s, ev, variant);
    for (int k = 0; k < nk; k++) {
        int gi = db->group_of_key[keys[k]];
        if (gi >= 0) run_group(s, &db->groups[gi], gi, ev);
    }
    /* candidate rules in rule order, so hits come out in a stable order */
    if (s->ncand > 1) qsort(s->cand, s->ncand, sizeof *s->cand, cmp_u32);
    um_sigma_hit hit;
    for (size_t i = 0; i < s->ncand; i++) {
        const sg_rule *r = &db->rules[s->cand[i]];
        if (r->refused || !sg_eval(db, r->root, s->test_stamp, s->gen, 0)) continue;
        hit.rule = s->cand[i];
        hit.nfields = 0;
        hit.group_key = NULL;
        hit.count = 1;
        hit.first_ts = hit.last_ts = ev->ts;
        for (uint32_t t = r->test_first; t < r->test_first + r->test_n; t++) {
            const sg_test *tt = &db->tests[t];
            if (s->test_stamp[t] != s->gen || tt->slot < 0) continue;
            const um_sigma_kv *v = sg_slot_value(s, tt->slot);
            if (!v) continue;
            bool dup = false;
            for (size_t j = 0; j < hit.nfields; j++)
                if (hit.fields[j].name == db->slot_names[tt->slot]) dup = true;
            if (dup || hit.nfields >= UM_SIGMA_MAX_HIT_FIELDS) continue;
            hit.fields[hit.nfields].name = db->slot_names[tt->slot];
            hit.fields[hit.nfields].nlen = strlen(db->slot_names[tt->slot]);
            hit.fields[hit.nfields].value = v->value;
            hit.fields[hit.nfields].vlen = v->vlen;
            hit.nfields++;
        }
        if (fn && fn(ud, &hit)) break;
    }
    return UM_OK;
}
