/*
 * winevent.c - maps a bag of Windows event fields (from any container:
 * EVTX, evtx_dump JSON, NXLog JSON lines, Winlogbeat) to an um_event by
 * (channel/provider, EventID). See winevent.h for the field names.
 */
#include "winevent.h"

#include <stdio.h>
#include <string.h>

#include "../util/wordhash.h"
#include "../util/cfmt.h"

void um_winfields_reset(um_winfields *f) {
    f->n = 0;
    f->dropped = 0;
    f->event_id = 0;
    f->user[0] = f->action[0] = f->why[0] = 0;
    if (++f->gen > 0xffffu || f->gen == 1) { /* first use or wrap: clear the index */
        memset(f->slot, 0, sizeof f->slot);
        f->gen = 1;
    }
}

/* Case-insensitive hash of a field name of n bytes: this runs for every
 * field of every record (util/wordhash.h). *nul (may be NULL): whether one
 * of the n bytes is a NUL. */
static inline __attribute__((always_inline)) uint32_t name_hash_n(const char *s, size_t n, bool *nul) {
    return um_word_hash(s, n, true, nul);
}

/* a[0..n) and b[0..n) equal, ASCII letters folded (as um_streq_ci). */
static bool eq_fold(const char *a, const char *b, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x != y && (x | 0x20) != (y | 0x20)) return false;
        if (x != y && !((x | 0x20) >= 'a' && (x | 0x20) <= 'z')) return false;
    }
    return true;
}

/* The index slot holding name (nlen bytes), or the empty slot where it would go. */
static inline __attribute__((always_inline)) uint32_t *slot_of_i(const um_winfields *f, const char *name, size_t nlen,
                                                                  uint32_t h) {
    uint32_t mask = UM_WIN_SLOTS - 1, i = (h ^ (h >> 15)) & mask;
    for (;;) {
        uint32_t *sl = (uint32_t *)&f->slot[i];
        if ((*sl >> 16) != f->gen) return sl;
        const um_winfield *w = &f->f[(*sl & 0xffffu) - 1];
        if (w->hash == h && w->nlen == nlen && eq_fold(w->name, name, nlen)) return sl;
        i = (i + 1) & mask;
    }
}

/* The lookups of fixed names (get) call it; adding a field (every field of
 * every record) has it inline. */
static uint32_t *slot_of(const um_winfields *f, const char *name, size_t nlen, uint32_t h) {
    return slot_of_i(f, name, nlen, h);
}

static inline __attribute__((always_inline)) um_winfield *find(const um_winfields *f, const char *name) {
    if (f->gen == 0) return NULL; /* never reset: empty */
    size_t nlen = strlen(name);
    uint32_t *sl = slot_of(f, name, nlen, name_hash_n(name, nlen, NULL));
    return (*sl >> 16) == f->gen ? (um_winfield *)&f->f[(*sl & 0xffffu) - 1] : NULL;
}

static inline __attribute__((always_inline)) bool add_impl(um_winfields *f, const char *name, size_t klen,
                                                          bool check, const char *value, size_t len, unsigned count) {
    if (!name || !value) return true;
    if (count == 0) count = 1;
    if (f->gen == 0) um_winfields_reset(f);
    size_t nlen = check ? klen : strlen(name);
    bool nul = false;
    uint32_t h = name_hash_n(name, nlen, &nul);
    if (check && (nul || name[klen])) return false; /* a NUL inside the key */
    uint32_t *sl = slot_of_i(f, name, nlen, h);
    if ((*sl >> 16) == f->gen) {
        f->f[(*sl & 0xffffu) - 1].count += count;
        return true;
    }
    if (f->n >= UM_WIN_MAX_FIELDS) {
        f->dropped++;
        return true;
    }
    um_winfield *w = &f->f[f->n++];
    w->hash = h;
    w->name = name;
    w->nlen = nlen;
    w->value = value;
    w->len = len;
    w->count = count;
    *sl = f->gen << 16 | (uint32_t)f->n;
    return true;
}

void um_winfields_add(um_winfields *f, const char *name, const char *value, size_t len, unsigned count) {
    add_impl(f, name, 0, false, value, len, count);
}

bool um_winfields_add_key(um_winfields *f, const char *name, size_t klen, const char *value, size_t len,
                          unsigned count) {
    return add_impl(f, name, klen, true, value, len, count);
}

const char *um_winfields_get(const um_winfields *f, const char *name, unsigned *count) {
    um_winfield *w = find(f, name);
    if (count) *count = w ? w->count : 0;
    return w ? w->value : NULL;
}

/* ---- field access with error tracking ---- */

typedef struct mapper {
    um_winfields *f;
    bool bad; /* why[] holds the first problem */
} mapper;

static void fail(mapper *m, const char *fmt, ...) UM_PRINTF(2, 3);
static void fail(mapper *m, const char *fmt, ...) {
    if (m->bad) return;
    m->bad = true;
    va_list ap;
    va_start(ap, fmt);
    um_vsnprintf(m->f->why, sizeof m->f->why, fmt, ap);
    va_end(ap);
}

/* A used field: duplicate or embedded NUL makes the record unusable. Empty
 * values count as absent. */
static inline __attribute__((always_inline)) const char *get(mapper *m, const char *name) {
    um_winfield *w = find(m->f, name);
    if (!w) return NULL;
    if (w->count > 1) {
        fail(m, "duplicate key '%s'", name);
        return NULL;
    }
    if (strlen(w->value) != w->len) {
        fail(m, "NUL byte inside '%s'", name);
        return NULL;
    }
    return w->value[0] ? w->value : NULL;
}

/* First present of several alias names. */
static inline __attribute__((always_inline)) const char *get_any(mapper *m, const char *a, const char *b,
                                                                 const char *c) {
    const char *v = get(m, a); /* literal names: their hashes fold at compile time */
    if (v || m->bad || !b) return v;
    v = get(m, b);
    if (v || m->bad || !c) return v;
    return get(m, c);
}

/* "-" and empty are Windows' way of saying "none". */
static const char *opt(const char *v) {
    return v && strcmp(v, "-") != 0 ? v : NULL;
}

/* Strict unsigned decimal (surrounding spaces allowed). */
static bool parse_uint(const char *s, unsigned long max, unsigned long *out) {
    if (!s) return false;
    while (*s == ' ' || *s == '\t') s++;
    if (*s < '0' || *s > '9') return false;
    unsigned long v = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        v = v * 10 + (unsigned long)(*s - '0');
        if (v > max) return false;
    }
    while (*s == ' ' || *s == '\t') s++;
    if (*s) return false;
    *out = v;
    return true;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int hex4_after(const char *s, const char *tag) {
    const char *p = um_strstr_ci(s, tag);
    while (p) {
        p += strlen(tag);
        int v = 0, i;
        for (i = 0; i < 4; i++) {
            int h = hexval(p[i]);
            if (h < 0) break;
            v = v * 16 + h;
        }
        /* exactly four hex digits, not a longer run */
        if (i == 4 && hexval(p[4]) < 0) return v;
        p = um_strstr_ci(p, tag);
    }
    return -1;
}

void um_winevent_usb_ids(const char *s, int *vid, int *pid) {
    if (!s) return;
    int v = hex4_after(s, "VID_"), p = hex4_after(s, "PID_");
    if (v >= 0) *vid = v;
    if (p >= 0) *pid = p;
}

/* DOMAIN\user (or user alone when the domain is empty or "-"). */
static const char *join_user(mapper *m, const char *dom, const char *user) {
    dom = opt(dom);
    user = opt(user);
    if (!user) return NULL;
    size_t dn = dom ? strlen(dom) : 0, un = strlen(user);
    if (dn + 1 + un >= sizeof m->f->user) {
        fail(m, "account name longer than %zu bytes", sizeof m->f->user - 1);
        return NULL;
    }
    char *o = m->f->user; /* on the hot path: no printf */
    if (dom) {
        memcpy(o, dom, dn);
        o[dn] = '\\';
        o += dn + 1;
    }
    memcpy(o, user, un + 1);
    return m->f->user;
}

/* ---- source classification ---- */

typedef enum src_kind { SRC_UNKNOWN, SRC_SYSMON, SRC_SECURITY, SRC_DRIVERFW, SRC_KPNP } src_kind;

static src_kind classify(const char *channel, const char *provider) {
    const char *v[2] = {channel, provider};
    for (int i = 0; i < 2; i++) {
        const char *s = v[i];
        if (!s) continue;
        if (um_strstr_ci(s, "Sysmon")) return SRC_SYSMON;
        if (um_streq_ci(s, "Security") || um_streq_ci(s, "Microsoft-Windows-Security-Auditing"))
            return SRC_SECURITY;
        if (um_strstr_ci(s, "DriverFrameworks-UserMode")) return SRC_DRIVERFW;
        if (um_strstr_ci(s, "Kernel-PnP")) return SRC_KPNP;
    }
    return SRC_UNKNOWN;
}


/* Time: SystemTime (UTC, microseconds; "TimeCreated" as the EVTX reader
 * names it), then Sysmon UtcTime, then the shipper's @timestamp. The first one present must parse. */
static void set_time(mapper *m, um_event *ev) {
    static const char *const names[] = {"SystemTime", "TimeCreated", "UtcTime", "@timestamp"};
    for (size_t i = 0; i < UM_ARRAY_LEN(names); i++) {
        const char *t = get(m, names[i]);
        if (m->bad) return;
        if (!t) continue;
        int64_t us;
        int tz = 0;
        bool has_tz = false;
        if (!um_time_parse_iso(t, strlen(t), &us, &tz, &has_tz)) {
            fail(m, "%s '%.40s' is not a valid time", names[i], t);
            return;
        }
        ev->ts = us;
        return;
    }
    fail(m, "no UTC time (SystemTime, UtcTime or @timestamp); EventTime is local time and not used");
}

/* ---- per-type mappings ---- */

static int map_sysmon(mapper *m, um_event *ev, unsigned id) {
    switch (id) {
    case 1: ev->kind = UM_EV_PROCESS; break;
    case 3: ev->kind = UM_EV_NETCONN; break;
    case 11: ev->kind = UM_EV_FILE; break;
    case 22: ev->kind = UM_EV_DNS; break;
    default: return UM_WIN_SKIP;
    }
    ev->image = get(m, "Image");
    ev->user = opt(get(m, "User"));
    if (id == 1) {
        ev->cmdline = get(m, "CommandLine");
        ev->product = opt(get(m, "Product"));
        ev->company = opt(get(m, "Company"));
        ev->description = opt(get(m, "Description"));
        ev->original_file = opt(get(m, "OriginalFileName"));
        ev->parent_image = opt(get(m, "ParentImage"));
        memcpy(m->f->action, "sysmon 1", sizeof "sysmon 1");
    } else if (id == 3) {
        const char *init = get(m, "Initiated");
        bool inbound = init && um_streq_ci(init, "false");
        /* the peer: destination for outbound, source for inbound; the port
         * is the service (destination) port either way */
        ev->ip = opt(get(m, inbound ? "SourceIp" : "DestinationIp"));
        const char *port = get(m, "DestinationPort");
        unsigned long pv;
        if (port) {
            if (!parse_uint(port, 65535, &pv)) fail(m, "DestinationPort '%.20s' is not a port number", port);
            else ev->port = (uint32_t)pv;
        }
        if (inbound) memcpy(m->f->action, "sysmon 3 inbound", sizeof "sysmon 3 inbound");
        else memcpy(m->f->action, "sysmon 3 outbound", sizeof "sysmon 3 outbound");
    } else if (id == 11) {
        ev->target = get(m, "TargetFilename");
        if (!ev->target && !m->bad) fail(m, "Sysmon 11 without TargetFilename");
        memcpy(m->f->action, "sysmon 11", sizeof "sysmon 11");
    } else {
        ev->target = get(m, "QueryName");
        if (!ev->target && !m->bad) fail(m, "Sysmon 22 without QueryName");
        memcpy(m->f->action, "sysmon 22", sizeof "sysmon 22");
    }
    if (id != 11 && id != 22 && !ev->image && !m->bad) fail(m, "Sysmon %u without Image", id);
    return UM_WIN_EVENT;
}

static int map_security(mapper *m, um_event *ev, unsigned id) {
    switch (id) {
    case 4624:
    case 4625: {
        ev->kind = UM_EV_LOGON;
        ev->success = id == 4624 ? 1 : 0;
        ev->user = join_user(m, get(m, "TargetDomainName"), get(m, "TargetUserName"));
        ev->ip = opt(get(m, "IpAddress"));
        const char *lt = get(m, "LogonType");
        unsigned long t;
        if (lt && parse_uint(lt, 1000, &t))
            snprintf(m->f->action, sizeof m->f->action, "%u type %lu", id, t);
        else if (lt)
            fail(m, "LogonType '%.20s' is not a number", lt);
        else
            snprintf(m->f->action, sizeof m->f->action, "%u", id);
        const char *port = opt(get(m, "IpPort"));
        if (port && parse_uint(port, 65535, &t)) ev->port = (uint32_t)t;
        if (!ev->user && !m->bad) fail(m, "%u without TargetUserName", id);
        return UM_WIN_EVENT;
    }
    case 4778:
        ev->kind = UM_EV_LOGON;
        ev->success = 1;
        ev->user = join_user(m, get(m, "AccountDomain"), get(m, "AccountName"));
        ev->ip = opt(get(m, "ClientAddress"));
        memcpy(m->f->action, "4778 reconnect", sizeof "4778 reconnect");
        if (!ev->user && !m->bad) fail(m, "4778 without AccountName");
        return UM_WIN_EVENT;
    case 4688:
        ev->kind = UM_EV_PROCESS;
        ev->image = get(m, "NewProcessName");
        ev->cmdline = get(m, "CommandLine");
        ev->parent_image = opt(get(m, "ParentProcessName"));
        ev->user = join_user(m, get(m, "SubjectDomainName"), get(m, "SubjectUserName"));
        memcpy(m->f->action, "4688", sizeof "4688");
        if (!ev->image && !m->bad) fail(m, "4688 without NewProcessName");
        return UM_WIN_EVENT;
    case 6416:
        ev->kind = UM_EV_USB;
        ev->user = join_user(m, get(m, "SubjectDomainName"), get(m, "SubjectUserName"));
        memcpy(m->f->action, "6416", sizeof "6416");
        return UM_WIN_EVENT;
    default: return UM_WIN_SKIP;
    }
}

static void map_device(mapper *m, um_event *ev) {
    ev->kind = UM_EV_USB;
    ev->device_id = get_any(m, "DeviceId", "DeviceInstanceId", "InstanceId");
    ev->device_desc = opt(get(m, "DeviceDescription"));
    if (!ev->device_id && !m->bad) {
        fail(m, "device event %u without DeviceId", m->f->event_id);
        return;
    }
    um_winevent_usb_ids(ev->device_id, &ev->usb_vid, &ev->usb_pid);
    if (ev->usb_vid < 0) um_winevent_usb_ids(get(m, "VendorIds"), &ev->usb_vid, &ev->usb_pid);
    if (ev->usb_vid < 0) um_winevent_usb_ids(get(m, "CompatibleIds"), &ev->usb_vid, &ev->usb_pid);
}

int um_winevent_map(um_winfields *f, um_event *ev, const char **why) {
    mapper m = {f, false};
    um_event_init(ev);
    f->why[0] = f->action[0] = f->user[0] = 0;
    f->event_id = 0;
    *why = f->why;
    if (f->dropped) {
        snprintf(f->why, sizeof f->why, "more than %d fields in one event", UM_WIN_MAX_FIELDS);
        return UM_WIN_REJECT;
    }
    const char *ids = get_any(&m, "EventID", "event_id", NULL);
    if (m.bad) return UM_WIN_REJECT;
    if (!ids) {
        snprintf(f->why, sizeof f->why, "no EventID");
        return UM_WIN_REJECT;
    }
    unsigned long id;
    if (!parse_uint(ids, 65535, &id)) {
        snprintf(f->why, sizeof f->why, "EventID '%.20s' is not a number 0-65535", ids);
        return UM_WIN_REJECT;
    }
    f->event_id = (unsigned)id;
    const char *channel = get_any(&m, "Channel", NULL, NULL);
    const char *provider = get_any(&m, "Provider", "SourceName", "provider_name");
    if (m.bad) return UM_WIN_REJECT;
    src_kind k = classify(channel, provider);
    int r = UM_WIN_SKIP;
    switch (k) {
    case SRC_SYSMON: r = map_sysmon(&m, ev, f->event_id); break;
    case SRC_SECURITY:
        r = map_security(&m, ev, f->event_id);
        if (r == UM_WIN_EVENT && f->event_id == 6416) map_device(&m, ev);
        break;
    case SRC_DRIVERFW:
        if (id == 2003 || id == 2100 || id == 2102) {
            map_device(&m, ev);
            snprintf(f->action, sizeof f->action, "driverframeworks %lu", id);
            r = UM_WIN_EVENT;
        }
        break;
    case SRC_KPNP:
        if (id == 400 || id == 410) {
            map_device(&m, ev);
            snprintf(f->action, sizeof f->action, "kernel-pnp %lu", id);
            r = UM_WIN_EVENT;
        }
        break;
    case SRC_UNKNOWN: break;
    }
    if (m.bad) return UM_WIN_REJECT;
    if (r != UM_WIN_EVENT) return r;
    ev->action = f->action[0] ? f->action : NULL;
    ev->host = opt(get_any(&m, "Computer", "Hostname", "computer_name"));
    ev->record_id = get_any(&m, "EventRecordID", "RecordNumber", "record_id");
    set_time(&m, ev);
    if (m.bad) return UM_WIN_REJECT;
    return UM_WIN_EVENT;
}

int um_winevent_map_common(um_winfields *f, um_event *ev, um_event_kind kind, const char **why) {
    mapper m = {f, false};
    um_event_init(ev);
    f->why[0] = 0;
    *why = f->why;
    ev->kind = kind;
    ev->host = opt(get_any(&m, "Computer", "Hostname", "computer_name"));
    ev->record_id = get_any(&m, "EventRecordID", "RecordNumber", "record_id");
    /* the account the record is about, when it names one */
    static const char *const users[] = {"User", "SourceUser", "SubjectUserName", "TargetUserName", NULL};
    for (size_t i = 0; users[i] && !ev->user; i++) ev->user = opt(get(&m, users[i]));
    ev->image = opt(get(&m, "Image"));
    if (!ev->image) ev->image = opt(get(&m, "SourceImage"));
    ev->target = opt(get(&m, "TargetImage"));
    set_time(&m, ev);
    return m.bad ? UM_WIN_REJECT : UM_WIN_EVENT;
}
