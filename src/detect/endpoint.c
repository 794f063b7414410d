/*
 * endpoint.c - the `endpoint` analyzer: IP-KVM USB devices (EP-01) from
 * sources that are not Windows event records (USB inventory text, osquery
 * usb_devices) matched against the indicator list, and VNC sessions in Zeek
 * rfb logs (EP-02, weak).
 *
 * Remote-access tools, VPN clients and Windows PnP devices are the Sigma
 * rule pack's (rules/, detect/rules.c): the former hand-written table of
 * tool names is gone.
 *
 * Compiled once per context (ep_compile): ioc/kvm_usb_device.csv plus the
 * vendor defaults below -> EP-01, strong 50 (medium 25 for a bare generic
 * Linux gadget id). A missing file means only the built-in identities.
 */
#include <string.h>

#include "../core/scan.h"
#include "../util/csv.h"
#include "rules.h"
#include "../util/ascii.h"


/* ---- IP-KVM USB devices ---------------------------------------------- */

/* Vendor defaults read from each project's source (docs/log_sources.md
 * section 7.1): pikvm/kvmd _scheme.py and hid/pico ph_usb.c, tinypilot
 * init-usb-gadget, jetkvm config.go. Added on top of the CSV. */
static const char *const builtin_strings[] = {
    "pikvm", "pikvm composite device", "composite kvm device", "pikvm hid", "pikvm hid bridge",
    "tinypilot", "jetkvm", "jetkvm usb emulation device", "blikvm"};
static const uint32_t builtin_ids[] = {0x1209eda2u, 0x1209eda3u}; /* PiKVM Pico HID (+bridge) */
/* Brand names that make a description name an IP-KVM wherever they occur. */
static const char *const brand_tokens[] = {"pikvm", "tinypilot", "jetkvm", "blikvm", "glkvm"};

#define UM_LINUX_FOUNDATION_VID 0x1d6b

static bool kvm_add_str(um_arena *a, const char ***arr, size_t *n, size_t *cap, const char *s) {
    char buf[256];
    size_t len = 0;
    while (*s == ' ') s++;
    for (; s[len] && len < sizeof buf - 1; len++) buf[len] = (char)um_ascii_tolower((unsigned char)s[len]);
    while (len && buf[len - 1] == ' ') len--;
    buf[len] = 0;
    if (!len) return true;
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*arr)[i], buf) == 0) return true;
    if (!um_grow((void **)arr, cap, *n + 1, sizeof **arr)) return false;
    char *c = um_arena_strdup(a, buf);
    if (!c) return false;
    (*arr)[(*n)++] = c;
    return true;
}

static bool kvm_add_id(um_kvm_list *k, uint32_t id) {
    for (size_t i = 0; i < k->n_ids; i++)
        if (k->ids[i] == id) return true;
    if (!um_grow((void **)&k->ids, &k->cap_ids, k->n_ids + 1, sizeof *k->ids)) return false;
    k->ids[k->n_ids++] = id;
    return true;
}

void um_kvm_list_init(um_kvm_list *k) {
    memset(k, 0, sizeof *k);
    um_arena_init(&k->arena);
    for (size_t i = 0; i < UM_ARRAY_LEN(builtin_strings); i++)
        kvm_add_str(&k->arena, &k->strings, &k->n_strings, &k->cap_strings, builtin_strings[i]);
    for (size_t i = 0; i < UM_ARRAY_LEN(builtin_ids); i++) kvm_add_id(k, builtin_ids[i]);
}

void um_kvm_list_free(um_kvm_list *k) {
    if (!k) return;
    um_free(k->ids);
    um_free(k->strings);
    um_free(k->serials);
    um_arena_free(&k->arena);
    memset(k, 0, sizeof *k);
}

static bool parse_vidpid(const char *s, uint32_t *out) {
    unsigned v = 0, p = 0;
    int used = 0;
    if (sscanf(s, "%4x:%4x%n", &v, &p, &used) != 2 || s[used]) return false;
    *out = (uint32_t)v << 16 | p;
    return true;
}

um_status um_kvm_list_load(um_kvm_list *k, FILE *f) {
    um_csv c;
    um_csv_init(&c, f, ',');
    size_t nf;
    const char *why;
    um_csv_res res;
    bool ok = true;
    while (ok && (res = um_csv_next(&c, &nf, &why)) != UM_CSV_EOF) {
        if (res != UM_CSV_RECORD || nf < 2) continue;
        const char *type = c.fields[0], *val = c.fields[1];
        uint32_t id;
        if (um_streq_ci(type, "usb_vid_pid")) {
            if (parse_vidpid(val, &id)) ok = kvm_add_id(k, id);
        } else if (um_streq_ci(type, "usb_manufacturer") || um_streq_ci(type, "usb_product")) {
            ok = kvm_add_str(&k->arena, &k->strings, &k->n_strings, &k->cap_strings, val);
        } else if (um_streq_ci(type, "usb_serial")) {
            ok = kvm_add_str(&k->arena, &k->serials, &k->n_serials, &k->cap_serials, val);
        }
    }
    um_csv_free(&c);
    return ok ? UM_OK : UM_ENOMEM;
}

static void lower_trim(const char *s, char *buf, size_t cap) {
    size_t n = 0;
    while (*s == ' ') s++;
    for (; s[n] && n < cap - 1; n++) buf[n] = (char)um_ascii_tolower((unsigned char)s[n]);
    while (n && buf[n - 1] == ' ') n--;
    buf[n] = 0;
}

/* "kvm" as a whole word (letters/digits around it break it). */
static bool has_word_kvm(const char *s) {
    for (const char *p = s; (p = strstr(p, "kvm")); p++) {
        bool left = p == s || !um_ascii_isalnum((unsigned char)p[-1]);
        bool right = !um_ascii_isalnum((unsigned char)p[3]);
        if (left && right) return true;
    }
    return false;
}

bool um_kvm_match_device(const um_kvm_list *k, int vid, int pid, const char *const *strs,
                         size_t nstr, const char *serial, um_kvm_match *out) {
    memset(out, 0, sizeof *out);
    bool have_id = vid >= 0 && pid >= 0 && vid <= 0xffff && pid <= 0xffff;
    /* Linux root hubs exist on every Linux host and in every VM. */
    if (have_id && vid == UM_LINUX_FOUNDATION_VID && pid >= 1 && pid <= 3) return false;
    uint32_t id = have_id ? (uint32_t)vid << 16 | (uint32_t)pid : 0;
    bool id_hit = false;
    for (size_t i = 0; have_id && i < k->n_ids; i++)
        if (k->ids[i] == id) id_hit = true;
    bool gadget = have_id && vid == UM_LINUX_FOUNDATION_VID;
    const char *named = NULL; /* string naming an IP-KVM */
    bool word_kvm = false;
    char buf[256];
    for (size_t i = 0; i < nstr && !named; i++) {
        if (!strs[i] || !*strs[i]) continue;
        lower_trim(strs[i], buf, sizeof buf);
        for (size_t j = 0; j < k->n_strings && !named; j++)
            if (strcmp(buf, k->strings[j]) == 0) named = strs[i];
        for (size_t j = 0; j < UM_ARRAY_LEN(brand_tokens) && !named; j++)
            if (strstr(buf, brand_tokens[j])) named = strs[i];
        if (has_word_kvm(buf)) word_kvm = true;
    }
    bool serial_hit = false;
    if (serial && *serial) {
        lower_trim(serial, buf, sizeof buf);
        for (size_t j = 0; j < k->n_serials; j++)
            if (strcmp(buf, k->serials[j]) == 0) serial_hit = true;
    }
    if (have_id) snprintf(out->key, sizeof out->key, "%04x:%04x", (unsigned)vid, (unsigned)pid);
    if (named) {
        out->strength = UM_STRONG;
        out->weight = 50;
        out->reason = "the device names an IP-KVM";
        if (!have_id) lower_trim(named, out->key, sizeof out->key);
        return true;
    }
    if (id_hit && !gadget) {
        out->strength = UM_STRONG;
        out->weight = 50;
        out->reason = "USB id assigned to an IP-KVM";
        return true;
    }
    if (id_hit && (word_kvm || serial_hit)) {
        out->strength = UM_STRONG;
        out->weight = 50;
        out->reason = word_kvm ? "generic Linux USB gadget id with a KVM device name"
                               : "generic Linux USB gadget id with an IP-KVM default serial";
        return true;
    }
    if (id_hit) {
        out->strength = UM_MEDIUM;
        out->weight = 25;
        out->reason = "generic Linux USB gadget id used by PiKVM/TinyPilot/JetKVM";
        return true;
    }
    if (serial_hit) {
        out->strength = UM_MEDIUM;
        out->weight = 25;
        out->reason = "default serial number of PiKVM/TinyPilot gadgets";
        if (!have_id) lower_trim(serial, out->key, sizeof out->key);
        return true;
    }
    return false; /* a "KVM" word alone is an ordinary desk KVM switch */
}

/* ---- the analyzer ----------------------------------------------------- */

/* Compiled once per context (ep_compile) and shared read-only by scans. */
typedef struct ep_state {
    um_kvm_list kvm;
    um_notes notes; /* rule files missing or partly unusable */
} ep_state;

static void ep_free(void *p) {
    ep_state *st = p;
    if (!st) return;
    um_kvm_list_free(&st->kvm);
    um_notes_free(&st->notes);
    um_free(st);
}

static um_status ep_compile(um_ctx *ctx, void **out) {
    ep_state *st = um_calloc(1, sizeof *st);
    if (!st) return UM_ENOMEM;
    um_kvm_list_init(&st->kvm);
    *out = st;
    const char *dir = um_ctx_data_dir(ctx);
    if (!dir) return UM_OK;
    um_status rc = UM_OK;
    char path[4096];
    snprintf(path, sizeof path, "%s/ioc/kvm_usb_device.csv", dir);
    FILE *f = fopen(path, "r");
    if (f) {
        rc = um_kvm_list_load(&st->kvm, f);
        fclose(f);
    }
    return rc;
}

/* Per scan: the state is the shared compiled data (nothing per scan). */
extern const um_analyzer um_analyzer_endpoint;

static um_status ep_on_subjects(um_scan *s, void **out) {
    const void *c = NULL;
    um_status rc = um_ctx_compiled(um_scan_ctx(s), &um_analyzer_endpoint, &c);
    if (rc != UM_OK) return rc;
    um_notes_replay(&((const ep_state *)c)->notes, s, "endpoint");
    *out = (void *)c;
    return UM_OK;
}

#define NZ(x) ((x) ? (x) : "")

static um_status on_usb(um_scan *s, const ep_state *st, um_sid sid, const um_event *ev) {
    const char *strs[] = {ev->device_desc, ev->product, ev->company, ev->description};
    um_kvm_match m;
    if (!um_kvm_match_device(&st->kvm, ev->usb_vid, ev->usb_pid, strs, UM_ARRAY_LEN(strs),
                             ev->usb_serial, &m))
        return UM_OK;
    const char *desc = ev->device_desc ? ev->device_desc : ev->product;
    char values[1024];
    snprintf(values, sizeof values, "vid_pid=%s; device=%.200s; serial=%.80s; device_id=%.200s; host=%.120s",
             ev->usb_vid >= 0 ? m.key : "", NZ(desc), NZ(ev->usb_serial), NZ(ev->device_id),
             NZ(ev->host));
    um_finding_spec sp = {"EP-01", "endpoint", m.strength, m.weight, 0, m.key};
    return um_finding_add(s, sid, &sp, ev, NULL, 0, values,
                          "USB device \"%.120s\" (%s) attached to %.120s: %s", NZ(desc),
                          ev->usb_vid >= 0 ? m.key : "no USB id", ev->host ? ev->host : "an endpoint",
                          m.reason);
}

/* Zeek rfb.log: the subject is resolved from id.orig_h, the side that
 * opened the session, i.e. this host controls (or probes) another one. An
 * inbound session cannot be tied to a subject from an address alone, so a
 * VNC session is weak (10) evidence on its own. */
static um_status on_remote(um_scan *s, um_sid sid, const um_event *ev) {
    if (!ev->action || !(um_streq_ci(ev->action, "vnc") || um_streq_ci(ev->action, "rfb")))
        return UM_OK;
    if (um_ctx_rmm_approved(um_scan_ctx(s), "VNC")) return UM_OK;
    um_finding_spec sp = {"EP-02", "endpoint", UM_WEAK, 10, 0, "VNC"};
    char values[512];
    snprintf(values, sizeof values, "protocol=VNC; client=%.64s; server=%.64s; port=%u; auth_method=%.64s",
             NZ(ev->host), NZ(ev->ip), ev->port, NZ(ev->device_desc));
    return um_finding_add(s, sid, &sp, ev, NULL, 0, values,
                          "VNC (RFB) remote-desktop session from %.120s to %.64s port %u",
                          ev->host ? ev->host : "this host", ev->ip ? ev->ip : "an unknown server",
                          ev->port);
}

static um_status ep_on_event(um_scan *s, void *p, um_sid sid, const um_event *ev) {
    const ep_state *st = p;
    if (sid < 0 || !st) return UM_OK;
    /* Windows PnP records (6416, DriverFrameworks, Kernel-PnP) carry their
     * fields: the Sigma rule pack (rules/kvm/) judges those */
    if (ev->kind == UM_EV_USB && !ev->fields) return on_usb(s, st, sid, ev);
    if (ev->kind == UM_EV_REMOTE) return on_remote(s, sid, ev);
    return UM_OK;
}

/* Partitioned analysis (partition.h 5.): the state is the context's
 * compiled data, read-only, so every partition shares the primary's and
 * there is nothing to merge. */
static um_status ep_part_new(um_scan *s, const void *primary, void **out) {
    (void)s;
    *out = (void *)primary;
    return UM_OK;
}

static um_status ep_merge(um_scan *s, void *into, void *from) {
    (void)s;
    (void)into;
    (void)from;
    return UM_OK;
}

/* Saved state (pstate.h): the version only (the state is the context's). */
static um_status ep_save(um_scan *s, const void *inst, um_buf *out) {
    (void)s;
    (void)inst;
    um_pk_u(out, 1);
    return UM_OK;
}

static um_status ep_load(um_scan *s, const void *primary, um_pk *r, void **out) {
    if (um_pk_get_u(r) != 1) um_pk_fail(r, "endpoint: unknown state version");
    if (!um_pk_ok(r)) return UM_EPARSE;
    return ep_part_new(s, primary, out);
}

const um_analyzer um_analyzer_endpoint = {
    "endpoint",
    "IP-KVM USB devices (EP-01) in USB inventories and osquery; VNC sessions in Zeek rfb logs (EP-02)",
    ep_on_subjects, ep_on_event, NULL, NULL, ep_compile, ep_free, false, NULL, NULL, NULL, ep_part_new, ep_merge,
    ep_save, ep_load};
