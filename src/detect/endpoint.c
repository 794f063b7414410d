/*
 * endpoint.c - the `endpoint` analyzer: remote-access / RMM tools (EP-02),
 * the Astrill VPN client (EP-03) and IP-KVM USB devices (EP-01) seen in
 * endpoint logs.
 *
 * Rule tables are compiled once per context (ep_compile) from the data
 * folder and shared read-only by every scan:
 *   rules/remote_access.tsv  -> EP-02, medium 25 (unless --approved-rmm)
 *   rules/astrill.tsv        -> EP-03, medium 20
 *   ioc/kvm_usb_device.csv   -> EP-01, strong 50 (medium 25 for a bare
 *                               generic Linux gadget id)
 * A missing file means no rules of that kind (the scan still runs).
 *
 * Matching is on fields, never on the whole event text: a process base name
 * (glob with one '*'), PE metadata equality, a DNS suffix on a label
 * boundary, or a folder segment in a path. Command lines are not matched
 * (an uninstall command naming a tool is not the tool running). One finding
 * per subject, indicator and tool (or vid:pid), counted and time-ranged by
 * um_finding_add.
 */
#include <ctype.h>
#include <string.h>

#include "../core/scan.h"
#include "../util/csv.h"
#include "rules.h"

#define UM_RULE_MAX_VALUE 256
#define UM_PATH_MAX_SCAN 4096

/* ---- rule tables ------------------------------------------------------ */

static const char *const kind_names[] = {"image", "signer", "company", "product",
                                         "description", "domain", "path"};

int um_rule_kind_from_name(const char *name) {
    if (!name) return -1;
    for (size_t i = 0; i < UM_ARRAY_LEN(kind_names); i++)
        if (um_streq_ci(name, kind_names[i])) return (int)i;
    return -1;
}

const char *um_rule_kind_name(um_rule_kind k) {
    return (size_t)k < UM_ARRAY_LEN(kind_names) ? kind_names[k] : "?";
}

void um_ruleset_init(um_ruleset *rs) {
    memset(rs, 0, sizeof *rs);
    um_arena_init(&rs->arena);
    um_map_init(&rs->exact);
}

void um_ruleset_free(um_ruleset *rs) {
    if (!rs) return;
    um_free(rs->r);
    um_free(rs->linear);
    um_map_free(&rs->exact);
    um_arena_free(&rs->arena);
    memset(rs, 0, sizeof *rs);
}

/* Equality classes of the exact index ('\0': matched linearly). */
static char rule_class(um_rule_kind k) {
    switch (k) {
    case UM_RK_IMAGE: return 'i';
    case UM_RK_SIGNER:
    case UM_RK_COMPANY: return 'c'; /* the event has no signer field: Company stands in */
    case UM_RK_PRODUCT: return 'p';
    case UM_RK_DESCRIPTION: return 'd';
    case UM_RK_DOMAIN: return 'n';
    default: return 0;
    }
}

bool um_ruleset_add(um_ruleset *rs, const char *indicator, const char *tool, const char *kind,
                    const char *value) {
    int k = um_rule_kind_from_name(kind);
    if (k < 0 || !tool || !value || !indicator) return false;
    char buf[UM_RULE_MAX_VALUE + 3];
    while (*value == ' ') value++;
    size_t n = strlen(value);
    while (n && (value[n - 1] == ' ' || value[n - 1] == '\r')) n--;
    if (n == 0 || n > UM_RULE_MAX_VALUE) return false;
    size_t o = 0, stars = 0, star = SIZE_MAX;
    if (k == UM_RK_PATH && value[0] != '\\' && value[0] != '/') buf[o++] = '/';
    for (size_t i = 0; i < n; i++) {
        char c = (char)tolower((unsigned char)value[i]);
        if (k == UM_RK_PATH && c == '\\') c = '/';
        if (c == '*') {
            stars++;
            star = o;
        }
        buf[o++] = c;
    }
    if (k == UM_RK_PATH && buf[o - 1] != '/') buf[o++] = '/';
    buf[o] = 0;
    if (k == UM_RK_DOMAIN && buf[o - 1] == '.') buf[--o] = 0;
    /* one '*' only, and only in process names */
    if (stars > 1 || (stars == 1 && k != UM_RK_IMAGE) || (stars == 1 && o == 1) || o == 0)
        return false;
    while (*tool == ' ') tool++;
    if (!*tool) return false;
    if (!um_grow((void **)&rs->r, &rs->cap, rs->n + 1, sizeof *rs->r)) return false;
    um_rule *r = &rs->r[rs->n];
    r->tool = um_arena_strdup(&rs->arena, tool);
    r->indicator = um_arena_strdup(&rs->arena, indicator);
    r->value = um_arena_strndup(&rs->arena, buf, o);
    if (!r->tool || !r->indicator || !r->value) return false;
    r->kind = (um_rule_kind)k;
    r->len = o;
    r->star = star;
    char cls = rule_class(r->kind);
    if (cls && star == SIZE_MAX) {
        char key[UM_RULE_MAX_VALUE + 4];
        int kn = snprintf(key, sizeof key, "%c:%s", cls, r->value);
        bool created;
        um_map_slot *sl = kn > 0 ? um_map_upsert(&rs->exact, key, (size_t)kn, &created) : NULL;
        if (!sl) return false;
        if (created) sl->val = (void *)(uintptr_t)(rs->n + 1); /* first rule wins */
    } else {
        if (!um_grow((void **)&rs->linear, &rs->cap_linear, rs->n_linear + 1, sizeof *rs->linear))
            return false;
        rs->linear[rs->n_linear++] = rs->n;
    }
    rs->n++;
    return true;
}

um_status um_ruleset_load(um_ruleset *rs, FILE *f, const char *indicator) {
    char line[1024];
    uint64_t lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t n = strlen(line);
        bool whole = n && line[n - 1] == '\n';
        if (!whole && !feof(f)) { /* over-long line: skip the rest of it */
            int c;
            while ((c = fgetc(f)) != EOF && c != '\n') {
            }
            rs->bad_lines++;
            if (!rs->first_bad_line) rs->first_bad_line = lineno;
            continue;
        }
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
        char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        if (!*p || *p == '#') continue;
        char *t1 = strchr(line, '\t');
        char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (!t1 || !t2 || strchr(t2 + 1, '\t')) {
            rs->bad_lines++;
            if (!rs->first_bad_line) rs->first_bad_line = lineno;
            continue;
        }
        *t1 = 0;
        *t2 = 0;
        if (!um_ruleset_add(rs, indicator, um_trim(line), um_trim(t1 + 1), t2 + 1)) {
            rs->bad_lines++;
            if (!rs->first_bad_line) rs->first_bad_line = lineno;
        }
    }
    return ferror(f) ? UM_EIO : UM_OK;
}

/* ---- matching primitives ---------------------------------------------- */

bool um_glob1_match(const char *pat, size_t plen, size_t star, const char *s) {
    if (!s) return false;
    size_t n = strlen(s);
    if (star == SIZE_MAX) return n == plen && um_strneq_ci(s, n, pat);
    size_t pre = star, suf = plen - star - 1;
    if (n < pre + suf) return false;
    for (size_t i = 0; i < pre; i++)
        if (tolower((unsigned char)s[i]) != (unsigned char)pat[i]) return false;
    for (size_t i = 0; i < suf; i++)
        if (tolower((unsigned char)s[n - suf + i]) != (unsigned char)pat[star + 1 + i]) return false;
    return true;
}

bool um_domain_suffix_match(const char *suffix, const char *name) {
    if (!suffix || !name) return false;
    size_t sl = strlen(suffix), nl = strlen(name);
    while (nl && name[nl - 1] == '.') nl--;
    if (sl == 0 || nl < sl) return false;
    const char *tail = name + nl - sl;
    for (size_t i = 0; i < sl; i++)
        if (tolower((unsigned char)tail[i]) != tolower((unsigned char)suffix[i])) return false;
    return nl == sl || tail[-1] == '.';
}

static inline char path_fold(char c) {
    return c == '\\' ? '/' : (char)tolower((unsigned char)c);
}

bool um_path_has_segment(const char *seg, const char *path) {
    if (!seg || !path) return false;
    size_t sl = strlen(seg);
    if (sl == 0) return false;
    /* bounded scan: seg <= UM_RULE_MAX_VALUE+2, path <= UM_PATH_MAX_SCAN */
    for (size_t i = 0; path[i] && i < UM_PATH_MAX_SCAN; i++) {
        size_t j = 0;
        while (j < sl && path[i + j] && path_fold(path[i + j]) == seg[j]) j++;
        if (j == sl) return true;
    }
    return false;
}

bool um_is_browser_image(const char *image) {
    static const char *const browsers[] = {
        "chrome", "msedge", "microsoftedge", "microsoftedgecp", "firefox", "iexplore",
        "safari", "brave", "opera", "vivaldi", "msedgewebview2", "google chrome",
        "chromium", "chromium-browser", "google-chrome", "firefox-esr"};
    const char *b = um_basename_any(image);
    if (!b || !*b) return false;
    size_t n = strlen(b);
    if (n > 4 && um_ends_with_ci(b, ".exe")) n -= 4;
    for (size_t i = 0; i < UM_ARRAY_LEN(browsers); i++)
        if (strlen(browsers[i]) == n && um_strneq_ci(b, n, browsers[i])) return true;
    return false;
}

static const um_rule *lookup_exact(const um_ruleset *rs, char cls, const char *s, size_t n) {
    char key[UM_RULE_MAX_VALUE + 4];
    if (n > UM_RULE_MAX_VALUE) return NULL;
    key[0] = cls;
    key[1] = ':';
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        key[2 + i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    uintptr_t v = (uintptr_t)um_map_get(&rs->exact, key, n + 2);
    return v ? &rs->r[v - 1] : NULL;
}

static const um_rule *match_kind(const um_ruleset *rs, um_rule_kind k, const char *s) {
    if (!s || !*s) return NULL;
    size_t n = strlen(s);
    const um_rule *hit = NULL;
    switch (k) {
    case UM_RK_IMAGE:
    case UM_RK_SIGNER:
    case UM_RK_COMPANY:
    case UM_RK_PRODUCT:
    case UM_RK_DESCRIPTION:
        hit = lookup_exact(rs, rule_class(k), s, n);
        break;
    case UM_RK_DOMAIN: /* the name itself, then each parent on a label boundary */
        for (const char *p = s; p && *p && !hit; p = strchr(p, '.'), p = p ? p + 1 : NULL) {
            size_t pn = strlen(p);
            if (pn && p[pn - 1] == '.') pn--; /* fully-qualified trailing dot */
            hit = lookup_exact(rs, 'n', p, pn);
        }
        return hit;
    case UM_RK_PATH:
        break;
    }
    if (hit) return hit;
    for (size_t i = 0; i < rs->n_linear; i++) {
        const um_rule *r = &rs->r[rs->linear[i]];
        if (k == UM_RK_IMAGE && r->kind == UM_RK_IMAGE && um_glob1_match(r->value, r->len, r->star, s))
            return r;
        if (k == UM_RK_PATH && r->kind == UM_RK_PATH && um_path_has_segment(r->value, s)) return r;
    }
    return NULL;
}

/* Trimmed copy of a PE metadata field (Sysmon pads some with spaces). */
static const char *trimmed(const char *s, char *buf, size_t cap) {
    if (!s) return NULL;
    while (*s == ' ') s++;
    size_t n = strlen(s);
    while (n && s[n - 1] == ' ') n--;
    if (n >= cap) return NULL;
    memcpy(buf, s, n);
    buf[n] = 0;
    return buf;
}

const um_rule *um_rules_match_event(const um_ruleset *rs, const um_event *ev) {
    if (!rs || !ev) return NULL;
    const um_rule *r = NULL;
    const char *base = ev->image ? um_basename_any(ev->image) : NULL;
    char tb[UM_RULE_MAX_VALUE + 1];
    switch (ev->kind) {
    case UM_EV_PROCESS:
        if ((r = match_kind(rs, UM_RK_IMAGE, base))) return r;
        if ((r = match_kind(rs, UM_RK_IMAGE, trimmed(ev->original_file, tb, sizeof tb)))) return r;
        if ((r = match_kind(rs, UM_RK_COMPANY, trimmed(ev->company, tb, sizeof tb)))) return r;
        if ((r = match_kind(rs, UM_RK_PRODUCT, trimmed(ev->product, tb, sizeof tb)))) return r;
        if ((r = match_kind(rs, UM_RK_DESCRIPTION, trimmed(ev->description, tb, sizeof tb)))) return r;
        return match_kind(rs, UM_RK_PATH, ev->image);
    case UM_EV_FILE:
        if ((r = match_kind(rs, UM_RK_IMAGE, base))) return r;
        if ((r = match_kind(rs, UM_RK_PATH, ev->image))) return r;
        return match_kind(rs, UM_RK_PATH, ev->target);
    case UM_EV_NETCONN:
        if ((r = match_kind(rs, UM_RK_IMAGE, base))) return r;
        return match_kind(rs, UM_RK_PATH, ev->image);
    case UM_EV_DNS:
        /* Browsers visit vendor sites; a lookup with no process is unknown. */
        if (!base || !*base || um_is_browser_image(ev->image)) return NULL;
        if ((r = match_kind(rs, UM_RK_IMAGE, base))) return r;
        return match_kind(rs, UM_RK_DOMAIN, ev->target);
    default:
        return NULL;
    }
}

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
    for (; s[len] && len < sizeof buf - 1; len++) buf[len] = (char)tolower((unsigned char)s[len]);
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
    for (; s[n] && n < cap - 1; n++) buf[n] = (char)tolower((unsigned char)s[n]);
    while (n && buf[n - 1] == ' ') n--;
    buf[n] = 0;
}

/* "kvm" as a whole word (letters/digits around it break it). */
static bool has_word_kvm(const char *s) {
    for (const char *p = s; (p = strstr(p, "kvm")); p++) {
        bool left = p == s || !isalnum((unsigned char)p[-1]);
        bool right = !isalnum((unsigned char)p[3]);
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
    um_ruleset rules;
    um_kvm_list kvm;
    um_notes notes; /* rule files missing or partly unusable */
} ep_state;

static um_status load_rules(ep_state *st, const char *dir, const char *file, const char *ind) {
    um_ruleset *rs = &st->rules;
    char path[4096];
    snprintf(path, sizeof path, "%s/rules/%s", dir, file);
    FILE *f = fopen(path, "r");
    if (!f) { /* not installed: no rules of this kind, and say so */
        um_notes_add(&st->notes, "rule file %s not found: no %s detection", path, ind);
        return UM_OK;
    }
    size_t bad0 = rs->bad_lines;
    um_status rc = um_ruleset_load(rs, f, ind);
    fclose(f);
    if (rs->bad_lines > bad0)
        um_notes_add(&st->notes, "%s: %zu unusable rule lines (first at line %llu)", path,
                     rs->bad_lines - bad0, (unsigned long long)rs->first_bad_line);
    return rc;
}

static void ep_free(void *p) {
    ep_state *st = p;
    if (!st) return;
    um_ruleset_free(&st->rules);
    um_kvm_list_free(&st->kvm);
    um_notes_free(&st->notes);
    um_free(st);
}

static um_status ep_compile(um_ctx *ctx, void **out) {
    ep_state *st = um_calloc(1, sizeof *st);
    if (!st) return UM_ENOMEM;
    um_ruleset_init(&st->rules);
    um_kvm_list_init(&st->kvm);
    *out = st;
    const char *dir = um_ctx_data_dir(ctx);
    if (!dir) return UM_OK;
    um_status rc = load_rules(st, dir, "remote_access.tsv", "EP-02");
    if (rc == UM_OK) rc = load_rules(st, dir, "astrill.tsv", "EP-03");
    if (rc != UM_OK) return rc;
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

static const char *field_for(const um_rule *r, const um_event *ev) {
    switch (r->kind) {
    case UM_RK_IMAGE:
        if (ev->image && um_glob1_match(r->value, r->len, r->star, um_basename_any(ev->image)))
            return ev->image;
        return ev->original_file;
    case UM_RK_SIGNER:
    case UM_RK_COMPANY: return ev->company;
    case UM_RK_PRODUCT: return ev->product;
    case UM_RK_DESCRIPTION: return ev->description;
    case UM_RK_DOMAIN: return ev->target;
    case UM_RK_PATH:
        if (ev->image && um_path_has_segment(r->value, ev->image)) return ev->image;
        return ev->target;
    }
    return NULL;
}

static um_status ep_on_event(um_scan *s, void *p, um_sid sid, const um_event *ev) {
    const ep_state *st = p;
    if (sid < 0 || !st) return UM_OK;
    if (ev->kind == UM_EV_USB) return on_usb(s, st, sid, ev);
    if (ev->kind == UM_EV_REMOTE) return on_remote(s, sid, ev);
    const um_rule *r = um_rules_match_event(&st->rules, ev);
    if (!r || um_ctx_rmm_approved(um_scan_ctx(s), r->tool)) return UM_OK;
    bool vpn = strcmp(r->indicator, "EP-03") == 0;
    um_finding_spec sp = {r->indicator, "endpoint", UM_MEDIUM, vpn ? 20 : 25, 0, r->tool};
    const char *what = field_for(r, ev);
    char values[1536];
    snprintf(values, sizeof values,
             "tool=%s; rule=%s:%s; event=%s; matched=%.300s; image=%.300s; target=%.300s; host=%.120s; user=%.120s",
             r->tool, um_rule_kind_name(r->kind), r->value, um_event_kind_name(ev->kind), NZ(what),
             NZ(ev->image), NZ(ev->target), NZ(ev->host), NZ(ev->user));
    return um_finding_add(s, sid, &sp, ev, NULL, 0, values,
                          "%s %s on %.120s: %s event matched the %s rule \"%s\" (%.200s)%s",
                          vpn ? "VPN client" : "Unapproved remote-access tool", r->tool,
                          ev->host ? ev->host : "an endpoint", um_event_kind_name(ev->kind),
                          um_rule_kind_name(r->kind), r->value, NZ(what),
                          vpn ? "" : "; not in --approved-rmm");
}

const um_analyzer um_analyzer_endpoint = {
    "endpoint",
    "remote-access/RMM tools (EP-02), Astrill VPN client (EP-03) and IP-KVM USB devices (EP-01) on endpoints",
    ep_on_subjects, ep_on_event, NULL, NULL, ep_compile, ep_free, false};
