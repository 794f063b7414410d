/*
 * usbtext.c - USB device inventories as text, one UM_EV_USB event per
 * device (deduplicated within a file):
 *   - Windows "USB Device Tree Viewer" reports: "Name (VID=0x1D6B PID=0x0104)";
 *   - `lsusb` ("Bus 001 Device 002: ID 046d:c012 Name") and `lsusb -v`
 *     (idVendor, idProduct, iManufacturer, iProduct, iSerial);
 *   - Linux kernel messages (dmesg / journal): "usb 1-2: New USB device
 *     found, idVendor=046d, idProduct=c012" then "usb 1-2: Product: ...",
 *     "Manufacturer: ...", "SerialNumber: ..." lines.
 * Fields: usb_vid, usb_pid, device_desc (product string), company
 * (manufacturer string), usb_serial, device_id (bus path when known), host
 * (a "Computer Name:"/"Hostname:" line, else the file name stem).
 * Linux root hubs (1d6b:0001/0002/0003) are on every host: they are not
 * emitted, only counted in one warning.
 */
#include <stdarg.h>
#include <string.h>

#include "evtx.h"
#include "../util/ascii.h"

#define USB_MAX_LINE (64u << 10)
#define USB_MAX_STR 256
#define USB_MAX_DEVICES 100000


typedef struct usb_dev {
    bool active;
    int vid, pid;
    uint64_t line;
    char desc[USB_MAX_STR];
    char maker[USB_MAX_STR];
    char serial[USB_MAX_STR];
    char path[64]; /* dmesg bus path "1-13.1.3" */
    bool lsusb_v;  /* lsusb: "Device Descriptor:" already seen */
} usb_dev;

typedef struct usb_run {
    const um_rsink *sink;
    usb_dev cur;
    char host[USB_MAX_STR];
    char stem[USB_MAX_STR];
    um_map seen;
    size_t root_hubs, dups, devices;
    bool capped;
} usb_run;

/* Exactly 4 hex digits at s, followed by a non-hex-digit; -1 otherwise. */
static int hex4_strict(const char *s) {
    int v = 0;
    for (int i = 0; i < 4; i++) {
        if (!um_ascii_isxdigit((unsigned char)s[i])) return -1;
        v = v * 16 + (um_ascii_isdigit((unsigned char)s[i]) ? s[i] - '0'
                                                             : (um_ascii_tolower((unsigned char)s[i]) - 'a' + 10));
    }
    return um_ascii_isxdigit((unsigned char)s[4]) ? -1 : v;
}

/* Copies a trimmed string of at most n bytes into a bounded buffer. */
static void put_str(char *dst, size_t cap, const char *s, size_t n) {
    while (n && um_ascii_isspace((unsigned char)*s)) s++, n--;
    while (n && um_ascii_isspace((unsigned char)s[n - 1])) n--;
    if (n >= cap) n = cap - 1;
    /* do not end inside a UTF-8 sequence */
    while (n > 0 && n < strlen(s) && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
    memcpy(dst, s, n);
    dst[n] = 0;
}

static um_status flush(usb_run *u) {
    usb_dev *d = &u->cur;
    if (!d->active) return UM_OK;
    d->active = false;
    if (d->vid < 0 || d->pid < 0) {
        um_rsink_issue(u->sink, true, d->line, "USB device listing without idVendor/idProduct");
        return UM_OK;
    }
    if (d->vid == 0x1d6b && d->pid >= 1 && d->pid <= 3) {
        u->root_hubs++;
        return UM_OK;
    }
    char key[900];
    int kn = snprintf(key, sizeof key, "%04x:%04x|%s|%s|%s", (unsigned)d->vid, (unsigned)d->pid, d->serial,
                      d->desc, d->path);
    if (kn < 0) return UM_OK;
    bool created = false;
    um_map_slot *sl = um_map_upsert(&u->seen, key, (size_t)kn < sizeof key ? (size_t)kn : sizeof key - 1, &created);
    if (!sl) return UM_ENOMEM;
    if (!created) {
        u->dups++;
        return UM_OK;
    }
    if (u->devices >= USB_MAX_DEVICES) {
        if (!u->capped) um_rsink_issue(u->sink, true, d->line, "more than %d devices in one file; the rest ignored", USB_MAX_DEVICES);
        u->capped = true;
        return UM_OK;
    }
    u->devices++;
    um_event ev;
    um_event_init(&ev);
    ev.kind = UM_EV_USB;
    ev.action = "usb-inventory";
    ev.usb_vid = d->vid;
    ev.usb_pid = d->pid;
    ev.device_desc = d->desc[0] ? d->desc : NULL;
    ev.company = d->maker[0] ? d->maker : NULL;
    ev.usb_serial = d->serial[0] ? d->serial : NULL;
    ev.device_id = d->path[0] ? d->path : NULL;
    ev.host = u->host[0] ? u->host : u->stem[0] ? u->stem : NULL;
    ev.src_line = d->line;
    return u->sink->event(u->sink->ud, &ev);
}

static um_status start(usb_run *u, uint64_t line, int vid, int pid) {
    um_status st = flush(u);
    memset(&u->cur, 0, sizeof u->cur);
    u->cur.active = true;
    u->cur.vid = vid;
    u->cur.pid = pid;
    u->cur.line = line;
    return st;
}

/* "0x1D6B" / "1d6b" at s: value or -1 (with the bad text for the reason). */
static int parse_id(const char *s, bool need_0x) {
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s += 2;
    else if (need_0x) return -1;
    return hex4_strict(s);
}

static void bad_token(const char *s, char *out, size_t n) {
    size_t k = 0;
    while (s[k] && !um_ascii_isspace((unsigned char)s[k]) && s[k] != ',' && s[k] != ')' && k + 1 < n && k < 24) k++;
    memcpy(out, s, k);
    out[k] = 0;
}

/* USBTreeView: "... Name (VID=0x1D6B PID=0x0104) Port: 6". */
static um_status line_treeview(usb_run *u, const char *l, uint64_t ln, const char *p) {
    const char *v = p + 5; /* after "(VID=" */
    const char *pp = strstr(v, "PID=");
    int vid = parse_id(v, true);
    int pid = pp ? parse_id(pp + 4, true) : -1;
    if (vid < 0 || pid < 0) {
        char bad[32];
        bad_token(vid < 0 ? v : pp ? pp + 4 : v, bad, sizeof bad);
        um_status st = flush(u); /* the previous device is complete */
        um_rsink_issue(u->sink, true, ln, "USB %s '%s' is not 0x followed by 4 hex digits", vid < 0 ? "VID" : "PID", bad);
        return st;
    }
    um_status st = start(u, ln, vid, pid);
    put_str(u->cur.desc, sizeof u->cur.desc, l, (size_t)(p - l));
    return st;
}

/* lsusb: "Bus 001 Device 002: ID 046d:c012 Logitech, Inc. Optical Mouse". */
static um_status line_lsusb(usb_run *u, uint64_t ln, const char *id) {
    const char *s = id + 3;
    int vid = hex4_strict(s);
    int pid = s[4] == ':' ? hex4_strict(s + 5) : -1;
    if (vid < 0 || pid < 0) {
        char bad[32];
        bad_token(s, bad, sizeof bad);
        um_status st = flush(u);
        um_rsink_issue(u->sink, true, ln, "lsusb ID '%s' is not vvvv:pppp (hex)", bad);
        return st;
    }
    um_status st = start(u, ln, vid, pid);
    const char *name = s + 9;
    put_str(u->cur.desc, sizeof u->cur.desc, name, strlen(name));
    return st;
}

/* lsusb -v: "  iProduct   2 USB-PS/2 Optical Mouse" -> the text after the index. */
static const char *after_index(const char *s) {
    while (um_ascii_isspace((unsigned char)*s)) s++;
    if (!um_ascii_isdigit((unsigned char)*s)) return NULL;
    bool zero = *s == '0' && !um_ascii_isdigit((unsigned char)s[1]);
    while (um_ascii_isdigit((unsigned char)*s)) s++;
    while (um_ascii_isspace((unsigned char)*s)) s++;
    return zero || !*s ? NULL : s;
}

static um_status line_lsusb_v(usb_run *u, uint64_t ln, const char *t) {
    if (strncmp(t, "Device Descriptor:", 18) == 0) {
        if (u->cur.active && !u->cur.lsusb_v) u->cur.lsusb_v = true;
        else {
            um_status st = start(u, ln, -1, -1);
            u->cur.lsusb_v = true;
            return st;
        }
        return UM_OK;
    }
    if (!u->cur.active || !u->cur.lsusb_v) return UM_OK;
    bool is_v = strncmp(t, "idVendor", 8) == 0, is_p = strncmp(t, "idProduct", 9) == 0;
    if (is_v || is_p) {
        const char *s = t + (is_v ? 8 : 9);
        while (um_ascii_isspace((unsigned char)*s)) s++;
        int v = parse_id(s, true);
        if (v < 0) {
            char bad[32];
            bad_token(s, bad, sizeof bad);
            um_rsink_issue(u->sink, true, ln, "lsusb -v %s '%s' is not 0x followed by 4 hex digits", is_v ? "idVendor" : "idProduct", bad);
            u->cur.active = false; /* the device cannot be identified */
            return UM_OK;
        }
        int *dst = is_v ? &u->cur.vid : &u->cur.pid;
        if (*dst >= 0 && *dst != v)
            um_rsink_issue(u->sink, false, ln, "lsusb -v %s 0x%04x differs from the ID line (0x%04x); using 0x%04x",
                    is_v ? "idVendor" : "idProduct", (unsigned)v, (unsigned)*dst, (unsigned)v);
        *dst = v;
        return UM_OK;
    }
    const char *val;
    if (strncmp(t, "iManufacturer", 13) == 0 && (val = after_index(t + 13)))
        put_str(u->cur.maker, sizeof u->cur.maker, val, strlen(val));
    else if (strncmp(t, "iProduct", 8) == 0 && (val = after_index(t + 8)))
        put_str(u->cur.desc, sizeof u->cur.desc, val, strlen(val));
    else if (strncmp(t, "iSerial", 7) == 0 && (val = after_index(t + 7)))
        put_str(u->cur.serial, sizeof u->cur.serial, val, strlen(val));
    return UM_OK;
}

/* dmesg: "usb 1-13.1.3: New USB device found, idVendor=046d, idProduct=c012". */
static um_status line_dmesg_new(usb_run *u, const char *l, uint64_t ln, const char *p) {
    const char *v = strstr(p, "idVendor="), *pp = strstr(p, "idProduct=");
    int vid = v ? hex4_strict(v + 9) : -1, pid = pp ? hex4_strict(pp + 10) : -1;
    if (vid < 0 || pid < 0) {
        char bad[32];
        bad_token(vid < 0 ? (v ? v + 9 : p) : (pp ? pp + 10 : p), bad, sizeof bad);
        um_status st = flush(u);
        um_rsink_issue(u->sink, true, ln, "kernel USB %s '%s' is not 4 hex digits", vid < 0 ? "idVendor" : "idProduct", bad);
        return st;
    }
    um_status st = start(u, ln, vid, pid);
    /* bus path: the token before ": New USB device found" */
    const char *colon = p;
    while (colon > l && colon[-1] != ':') colon--;
    if (colon > l) {
        const char *e = colon - 1, *b = e;
        while (b > l && !um_ascii_isspace((unsigned char)b[-1])) b--;
        put_str(u->cur.path, sizeof u->cur.path, b, (size_t)(e - b));
    }
    return st;
}

/* "usb 1-13.1.3: Product: X" for the current dmesg device. */
static void line_dmesg_str(usb_run *u, const char *l) {
    if (!u->cur.active || !u->cur.path[0]) return;
    const char *p = strstr(l, u->cur.path);
    if (!p) return;
    size_t pl = strlen(u->cur.path);
    if (p[pl] != ':' || (p > l && !um_ascii_isspace((unsigned char)p[-1]))) return;
    const char *t = p + pl + 1;
    while (*t == ' ') t++;
    if (strncmp(t, "Product:", 8) == 0) put_str(u->cur.desc, sizeof u->cur.desc, t + 8, strlen(t + 8));
    else if (strncmp(t, "Manufacturer:", 13) == 0) put_str(u->cur.maker, sizeof u->cur.maker, t + 13, strlen(t + 13));
    else if (strncmp(t, "SerialNumber:", 13) == 0) put_str(u->cur.serial, sizeof u->cur.serial, t + 13, strlen(t + 13));
}

/* "Bus 001 Device 002: ID " prefix; returns the "ID " position. */
static const char *lsusb_id(const char *t) {
    if (strncmp(t, "Bus ", 4) != 0) return NULL;
    const char *p = t + 4;
    if (!um_ascii_isdigit((unsigned char)*p)) return NULL;
    while (um_ascii_isdigit((unsigned char)*p)) p++;
    if (strncmp(p, " Device ", 8) != 0) return NULL;
    p += 8;
    if (!um_ascii_isdigit((unsigned char)*p)) return NULL;
    while (um_ascii_isdigit((unsigned char)*p)) p++;
    return strncmp(p, ": ID ", 5) == 0 ? p + 2 : NULL;
}

static void host_line(usb_run *u, const char *t) {
    static const char *const keys[] = {"Computer Name:", "Computer name:", "Hostname:", "Host name:"};
    for (size_t i = 0; i < UM_ARRAY_LEN(keys); i++) {
        size_t k = strlen(keys[i]);
        if (strncmp(t, keys[i], k) == 0) {
            put_str(u->host, sizeof u->host, t + k, strlen(t + k));
            return;
        }
    }
}

static um_status one_line(usb_run *u, const char *l, uint64_t ln) {
    const char *t = l;
    while (um_ascii_isspace((unsigned char)*t)) t++;
    const char *p;
    if ((p = strstr(l, "(VID="))) return line_treeview(u, l, ln, p);
    if ((p = lsusb_id(t))) return line_lsusb(u, ln, p);
    if ((p = strstr(l, "New USB device found"))) return line_dmesg_new(u, l, ln, p);
    if (strstr(l, "Product: ") || strstr(l, "Manufacturer: ") || strstr(l, "SerialNumber: ")) {
        if (u->cur.active && u->cur.path[0]) {
            line_dmesg_str(u, l);
            return UM_OK;
        }
    }
    host_line(u, t);
    return line_lsusb_v(u, ln, t);
}

static void file_stem(const char *path, char *out, size_t n) {
    const char *b = um_basename_any(path);
    const char *dot = strrchr(b, '.');
    size_t len = dot && dot > b ? (size_t)(dot - b) : strlen(b);
    put_str(out, n, b, len);
}

um_status um_usb_text_parse(FILE *f, const char *file, const um_rsink *sink) {
    usb_run u;
    memset(&u, 0, sizeof u);
    u.sink = sink;
    um_map_init(&u.seen);
    file_stem(file, u.stem, sizeof u.stem);
    um_lines L;
    um_lines_init(&L, f, USB_MAX_LINE);
    const char *line;
    size_t len;
    um_status st = UM_OK;
    while (st == UM_OK && um_rsink_next_line(&L, sink, 0, &line, &len)) {
        if (memchr(line, 0, len)) {
            um_rsink_issue(sink, true, L.lineno, "line holds a NUL byte");
            continue;
        }
        if (!um_utf8_valid(line, len)) {
            um_rsink_issue(sink, true, L.lineno, "invalid UTF-8 (convert the file to UTF-8)");
            continue;
        }
        st = one_line(&u, line, L.lineno);
    }
    if (st == UM_OK) st = flush(&u);
    if (u.root_hubs) um_rsink_issue(sink, false, 0, "%zu root hubs ignored", u.root_hubs);
    if (u.dups) um_rsink_issue(sink, false, 0, "%zu repeated device listings merged", u.dups);
    if (st == UM_OK && !u.devices && !u.root_hubs) um_rsink_issue(sink, false, 0, "no USB device found in the text");
    um_lines_free(&L);
    um_map_free(&u.seen);
    return st;
}

static um_status read_usb(um_reader_ctx *rc, FILE *f) {
    um_rsink s = um_rsink_reader(rc);
    return um_usb_text_parse(f, um_rc_file(rc), &s);
}

/* Looks for a marker in the first lines of the text. */
static int detect(const char *path, const char *head, size_t n) {
    (void)path;
    if (n == 0 || memchr(head, 0, n < 512 ? n : 512)) return 0; /* binary */
    const char *end = head + n;
    int score = 0;
    for (const char *l = head; l < end && score < 80;) {
        const char *nl = memchr(l, '\n', (size_t)(end - l));
        size_t len = nl ? (size_t)(nl - l) : (size_t)(end - l);
        char buf[512];
        if (len >= sizeof buf) len = sizeof buf - 1;
        memcpy(buf, l, len);
        buf[len] = 0;
        const char *t = buf;
        while (um_ascii_isspace((unsigned char)*t)) t++;
        if (strstr(buf, "New USB device found, idVendor=")) score = 80;
        else if (lsusb_id(t)) score = 80;
        else if (strstr(buf, "(VID=0x") && strstr(buf, "PID=0x")) score = 80;
        else if (strncmp(t, "idVendor ", 9) == 0 || strstr(buf, "USB Device Tree Viewer") ||
                 strstr(buf, "USB Device Viewer"))
            score = score > 50 ? score : 50;
        if (!nl) break;
        l = nl + 1;
    }
    return score;
}

const um_reader um_reader_usb_text = {
    "usb-text",
    "USB device inventories as text: USB Device Tree Viewer reports, lsusb / lsusb -v, Linux dmesg",
    1, detect, read_usb, NULL, false, false, NULL, 0, NULL, NULL};
