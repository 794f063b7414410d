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
#include <stdlib.h>
#include <string.h>

#include "sigma_int.h"
#include "../util/wordhash.h"
#include "../util/ascii.h"
#include "../util/cfmt.h"

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
    s->names = um_calloc(SG_NAME_CACHE, sizeof *s->names);
    if (!s->md || !s->test_stamp || !s->rule_stamp || !s->slot_stamp || !s->slot_val || !s->cand || !s->names)
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
    um_free(s->names);
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

#define CH(name, key) {name, sizeof name - 1, key}
static const struct {
    const char *channel;
    size_t len;
    int key;
} channels[] = {
    CH("security", SG_KEY_SVC_SECURITY),
    CH("system", SG_KEY_SVC_SYSTEM),
    CH("application", SG_KEY_SVC_APPLICATION),
    CH("microsoft-windows-sysmon/operational", SG_KEY_SVC_SYSMON),
    CH("microsoft-windows-powershell/operational", SG_KEY_SVC_POWERSHELL),
    CH("windows powershell", SG_KEY_SVC_POWERSHELL_CLASSIC),
    CH("microsoft-windows-taskscheduler/operational", SG_KEY_SVC_TASKSCHEDULER),
    CH("microsoft-windows-wmi-activity/operational", SG_KEY_SVC_WMI),
    CH("microsoft-windows-driverframeworks-usermode/operational", SG_KEY_SVC_DRIVER_FRAMEWORK),
    CH("microsoft-windows-bits-client/operational", SG_KEY_SVC_BITS_CLIENT),
    CH("microsoft-windows-windows defender/operational", SG_KEY_SVC_WINDEFEND),
    CH("microsoft-windows-dns-client/operational", SG_KEY_SVC_DNS_CLIENT),
    CH("microsoft-windows-windows firewall with advanced security/firewall", SG_KEY_SVC_FIREWALL_AS),
    CH("microsoft-windows-terminalservices-localsessionmanager/operational", SG_KEY_SVC_TS_LSM),
    CH("microsoft-windows-codeintegrity/operational", SG_KEY_SVC_CODEINTEGRITY),
    CH("microsoft-windows-printservice/admin", SG_KEY_SVC_PRINTSERVICE_ADMIN),
    CH("microsoft-windows-printservice/operational", SG_KEY_SVC_PRINTSERVICE_OPERATIONAL),
    CH("microsoft-windows-smbclient/security", SG_KEY_SVC_SMBCLIENT_SECURITY),
    CH("microsoft-windows-ntlm/operational", SG_KEY_SVC_NTLM),
    CH("openssh/operational", SG_KEY_SVC_OPENSSH),
    CH("microsoft-windows-kernel-pnp/configuration", SG_KEY_SVC_KERNEL_PNP),
    CH("microsoft-windows-appxdeploymentserver/operational", SG_KEY_SVC_APPXDEPLOYMENT_SERVER),
    CH("msexchange management", SG_KEY_SVC_MSEXCHANGE_MANAGEMENT),
    CH("microsoft-iis-configuration/operational", SG_KEY_SVC_IIS_CONFIGURATION),
    CH("microsoft-windows-security-mitigations/kernel mode", SG_KEY_SVC_SECURITY_MITIGATIONS),
    CH("microsoft-windows-security-mitigations/user mode", SG_KEY_SVC_SECURITY_MITIGATIONS),
    CH("dns server", SG_KEY_SVC_DNS_SERVER),
    CH("microsoft-windows-applocker/exe and dll", SG_KEY_SVC_APPLOCKER),
    CH("microsoft-windows-applocker/msi and script", SG_KEY_SVC_APPLOCKER),
    CH("microsoft-windows-applocker/packaged app-deployment", SG_KEY_SVC_APPLOCKER),
    CH("microsoft-windows-applocker/packaged app-execution", SG_KEY_SVC_APPLOCKER),
    CH("microsoft-windows-smbserver/connectivity", SG_KEY_SVC_SMBSERVER_CONNECTIVITY),
    CH("microsoft-windows-shell-core/operational", SG_KEY_SVC_SHELL_CORE),
    CH("microsoft-servicebus-client", SG_KEY_SVC_SERVICEBUS_CLIENT),
    CH("microsoft-windows-lsa/operational", SG_KEY_SVC_LSA_SERVER),
    CH("microsoft-windows-ldap-client/debug", SG_KEY_SVC_LDAP),
    CH("microsoft-windows-diagnosis-scripted/operational", SG_KEY_SVC_DIAGNOSIS_SCRIPTED),
    CH("microsoft-windows-certificateservicesclient-lifecycle-system/operational", SG_KEY_SVC_CERTSVC_LIFECYCLE),
    CH("microsoft-windows-capi2/operational", SG_KEY_SVC_CAPI2),
    CH("microsoft-windows-appxpackaging/operational", SG_KEY_SVC_APPXPACKAGING_OM),
    CH("microsoft-windows-appmodel-runtime/admin", SG_KEY_SVC_APPMODEL_RUNTIME),
};

#undef CH

static int sysmon_keys(unsigned eid, const char *etype, size_t etlen, int *keys) {
    (void)etype;
    (void)etlen;
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

#define SG_MAX_KEYS 8
enum { EV_PLAIN, EV_4688 };
enum { ROLE_NONE, ROLE_CHANNEL, ROLE_PROVIDER, ROLE_EVENTID, ROLE_EVENTTYPE, ROLE_SOURCENAME, ROLE_ZEEK, ROLE_CATEGORY };

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

/* Hash of a field name (n <= SG_NAME_MAX bytes), a word at a time, ASCII
 * letters folded (util/wordhash.h): the hash the Windows field bag keeps,
 * passed in um_sigma_event.hash, so only events without it hash here. The
 * name cache still compares the raw bytes: case variants of a name share a
 * hash and take entries of their own. */
static uint32_t name_hash(const char *s, size_t n) { return um_word_hash(s, n, true, NULL); }

/* What a raw field name means, computed once per distinct name. */
static void describe(const um_sigma_db *db, const char *name, size_t nlen, sg_name *e) {
    char nb[300];
    size_t l = sg_canon_field(name, nlen, nb, sizeof nb);
    e->role = ROLE_NONE;
    if (l == 7 && !memcmp(nb, "channel", 7)) e->role = ROLE_CHANNEL;
    else if (l == 13 && !memcmp(nb, "provider_name", 13)) e->role = ROLE_PROVIDER;
    else if (l == 7 && !memcmp(nb, "eventid", 7)) e->role = ROLE_EVENTID;
    else if (l == 9 && !memcmp(nb, "eventtype", 9)) e->role = ROLE_EVENTTYPE;
    else if (l == 10 && !memcmp(nb, "sourcename", 10)) e->role = ROLE_SOURCENAME;
    else if (l == 10 && !memcmp(nb, "_zeek_path", 10)) e->role = ROLE_ZEEK;
    else if (l == 16 && !memcmp(nb, "_unmask_category", 16)) e->role = ROLE_CATEGORY;
    e->slot = sg_slot_find(db, nb, l);
    /* Security 4688 read with Sysmon names; the Security names stay readable too */
    const char *rn = rename_4688(nb);
    if (rn) {
        e->slot4688 = sg_slot_find(db, rn, strlen(rn));
        e->own4688 = strcmp(nb, "processid") ? e->slot : -1;
    } else if (!strcmp(nb, "image") || !strcmp(nb, "parentimage") || !strcmp(nb, "user") ||
               !strcmp(nb, "parentprocessid") || !strcmp(nb, "logonid")) {
        e->slot4688 = -1;
        e->own4688 = -1;
    } else {
        e->slot4688 = e->slot;
        e->own4688 = -1;
    }
}

/* a[0..n) == b[0..n), n <= SG_NAME_MAX, inline: runs for every field of
 * every event (a call to memcmp costs more than the compare) */
static inline bool name_eq(const char *a, const char *b, size_t n) {
    uint64_t x, y, d = 0;
    if (n >= 8) {
        size_t i = 0;
        for (; i + 8 <= n; i += 8) {
            memcpy(&x, a + i, 8);
            memcpy(&y, b + i, 8);
            d |= x ^ y;
        }
        memcpy(&x, a + n - 8, 8); /* the tail, overlapping */
        memcpy(&y, b + n - 8, 8);
        return !(d | (x ^ y));
    }
    if (n >= 4) {
        uint32_t p, q, r, t;
        memcpy(&p, a, 4);
        memcpy(&q, b, 4);
        memcpy(&r, a + n - 4, 4);
        memcpy(&t, b + n - 4, 4);
        return !((p ^ q) | (r ^ t));
    }
    for (size_t i = 0; i < n; i++) d |= (uint64_t)(a[i] ^ b[i]);
    return !d;
}

static const sg_name *name_info(um_sigma_scratch *s, const char *name, size_t nlen, const uint32_t *hash,
                                sg_name *tmp) {
    if (nlen <= SG_NAME_MAX) {
        uint32_t h = hash ? *hash : name_hash(name, nlen);
        for (uint32_t i = 0, k = h & (SG_NAME_CACHE - 1); i < 8; i++, k = (k + 1) & (SG_NAME_CACHE - 1)) {
            sg_name *e = &s->names[k];
            if (!e->used) {
                describe(s->db, name, nlen, e);
                memcpy(e->raw, name, nlen);
                e->len = (uint8_t)nlen;
                e->hash = h;
                e->used = true;
                return e;
            }
            if (e->hash == h && e->len == nlen && name_eq(e->raw, name, nlen)) return e;
        }
    }
    describe(s->db, name, nlen, tmp);
    return tmp;
}

static void set_slot(um_sigma_scratch *s, int slot, const um_sigma_kv *f) {
    if (slot >= 0 && s->slot_stamp[slot] != s->gen) { /* first value wins */
        s->slot_stamp[slot] = s->gen;
        s->slot_val[slot] = *f;
    }
}

/* One pass over the fields: classify the event into keys[] and index the
 * fields into slots. Returns the number of keys. */
static int classify_index(um_sigma_scratch *s, const um_sigma_event *ev, int *keys) {
    const um_sigma_db *db = s->db;
    const um_sigma_kv *chan = NULL, *prov = NULL, *eids = NULL, *srcn = NULL, *zeek = NULL, *cat = NULL;
    size_t n = ev->n < SG_MAX_EVENT_FIELDS ? ev->n : SG_MAX_EVENT_FIELDS;
    for (size_t i = 0; i < n; i++) {
        const um_sigma_kv *f = &ev->f[i];
        const sg_name *e = name_info(s, f->name, f->nlen, ev->hash ? &ev->hash[i] : NULL, &s->tmpname[i & 1]);
        s->ev_slot[i] = e->slot;
        s->ev_slot4688[i] = e->slot4688;
        s->ev_own4688[i] = e->own4688;
        switch (e->role) {
        case ROLE_CHANNEL: if (!chan) chan = f; break;
        case ROLE_PROVIDER: if (!prov) prov = f; break;
        case ROLE_EVENTID: if (!eids) eids = f; break;
        case ROLE_SOURCENAME: if (!srcn) srcn = f; break;
        case ROLE_ZEEK: if (!zeek) zeek = f; break;
        case ROLE_CATEGORY: if (!cat) cat = f; break;
        default: break;
        }
    }
    int nk = 0;
    bool is4688 = false;
    if (zeek) { /* a Zeek record (read/zeek.c names its log in _zeek_path) */
        static const struct { const char *name; int key; } zk[] = {
            {"conn", SG_KEY_ZEEK_CONN}, {"dns", SG_KEY_ZEEK_DNS}, {"ssl", SG_KEY_ZEEK_SSL},
            {"http", SG_KEY_ZEEK_HTTP}, {"rdp", SG_KEY_ZEEK_RDP}, {"rfb", SG_KEY_ZEEK_RFB}};
        for (size_t i = 0; i < UM_ARRAY_LEN(zk); i++)
            if (eq_ci(zeek->value, zeek->vlen, zk[i].name)) keys[nk++] = zk[i].key;
        goto index;
    }
    if (cat) { /* a reader that presents another source in a category's names (osquery processes) */
        static const struct { const char *name; int key; } ck[] = {
            {"process_creation", SG_KEY_PROCESS_CREATION}, {"network_connection", SG_KEY_NETWORK_CONNECTION},
            {"dns_query", SG_KEY_DNS_QUERY}, {"file_event", SG_KEY_FILE_EVENT},
            {"okta", SG_KEY_OKTA}, {"azure_signinlogs", SG_KEY_AZURE_SIGNINLOGS}};
        for (size_t i = 0; i < UM_ARRAY_LEN(ck); i++)
            if (eq_ci(cat->value, cat->vlen, ck[i].name)) keys[nk++] = ck[i].key;
        goto index;
    }
    keys[nk++] = SG_KEY_ANY;
    unsigned eid = 0;
    bool have_eid = eids && eids->vlen > 0 && eids->vlen < 8;
    for (size_t i = 0; have_eid && i < eids->vlen; i++) {
        if (!um_ascii_isdigit((unsigned char)eids->value[i])) have_eid = false;
        else eid = eid * 10 + (unsigned)(eids->value[i] - '0');
    }
    if (!prov) prov = srcn;
    int svc = -1;
    /* the names are distinct: the first equal one is the only one (lengths
     * compared first: this runs for every Windows event) */
    for (size_t i = 0; chan && i < UM_ARRAY_LEN(channels); i++)
        if (channels[i].len == chan->vlen && um_strneq_ci(chan->value, chan->vlen, channels[i].channel)) {
            svc = channels[i].key;
            break;
        }
    if (svc < 0 && prov) {
        if (eq_ci(prov->value, prov->vlen, "Microsoft-Windows-Sysmon")) svc = SG_KEY_SVC_SYSMON;
        else if (eq_ci(prov->value, prov->vlen, "Microsoft-Windows-Security-Auditing")) svc = SG_KEY_SVC_SECURITY;
        else if (eq_ci(prov->value, prov->vlen, "Microsoft-Windows-PowerShell")) svc = SG_KEY_SVC_POWERSHELL;
    }
    if (svc >= 0) keys[nk++] = svc;
    if (have_eid) {
        if (svc == SG_KEY_SVC_SYSMON) {
            nk += sysmon_keys(eid, NULL, 0, keys + nk);
        } else if (svc == SG_KEY_SVC_SECURITY && eid == 4688) {
            keys[nk++] = SG_KEY_PROCESS_CREATION;
            is4688 = true;
        } else if (svc == SG_KEY_SVC_POWERSHELL) {
            if (eid == 4104) keys[nk++] = SG_KEY_PS_SCRIPT;
            else if (eid == 4103) keys[nk++] = SG_KEY_PS_MODULE;
        } else if (svc == SG_KEY_SVC_POWERSHELL_CLASSIC) {
            if (eid == 400) keys[nk++] = SG_KEY_PS_CLASSIC_START;
            else if (eid == 600) keys[nk++] = SG_KEY_PS_CLASSIC_PROVIDER_START;
            else if (eid == 800) keys[nk++] = SG_KEY_PS_CLASSIC_SCRIPT;
        }
    }
index:;
    bool any = false;
    for (int k = 0; k < nk; k++)
        if (db->group_of_key[keys[k]] >= 0) any = true;
    if (!any) return 0;
    for (size_t i = 0; i < n; i++) {
        const um_sigma_kv *f = &ev->f[i];
        if (is4688) {
            set_slot(s, s->ev_own4688[i], f);
            set_slot(s, s->ev_slot4688[i], f);
        } else {
            set_slot(s, s->ev_slot[i], f);
        }
    }
    /* NXLog's SourceName is the provider (a Defender event's "Source Name"
     * is its own field too): Provider_Name when none is given */
    if (srcn && db->slot_provider >= 0) set_slot(s, db->slot_provider, srcn);
    return nk;
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
        if (um_ascii_tolower((unsigned char)a[i]) != um_ascii_tolower((unsigned char)b[i])) return false;
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
        double d = um_strtod(buf, &end);
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
            um_ascii_lower_n(s->low + 8, v->value, v->vlen);
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
    int nk = classify_index(s, ev, keys);
    if (nk == 0) return UM_OK;
    for (int k = 0; k < nk; k++) {
        int gi = db->group_of_key[keys[k]];
        if (gi >= 0) run_group(s, &db->groups[gi], gi, ev);
    }
    /* evaluate the candidates; hits are reported in rule order (a stable
     * order), sorted in place at the front of cand (few per event) */
    size_t nhits = 0;
    for (size_t i = 0; i < s->ncand; i++) {
        const sg_rule *r = &db->rules[s->cand[i]];
        if (r->refused || !sg_eval(db, r->root, s->test_stamp, s->gen, 0)) continue;
        uint32_t v = s->cand[i];
        size_t j = nhits++;
        while (j > 0 && s->cand[j - 1] > v) {
            s->cand[j] = s->cand[j - 1];
            j--;
        }
        s->cand[j] = v;
    }
    um_sigma_hit hit;
    for (size_t i = 0; i < nhits; i++) {
        const sg_rule *r = &db->rules[s->cand[i]];
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
