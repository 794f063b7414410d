/* test_evtx.c - the endpoint readers: .evtx (libevtx + libxml2), USB
 * inventory text and Zeek logs, on real samples (tests/data/evtx/) and on
 * hostile input. */
#include <stdarg.h>
#include <unistd.h>

#include "harness.h"
#include "read/evtx.h"
#include "unmask.h"

#include <libevtx/features.h>
#undef LIBEVTX_HAVE_BFIO
#include <libevtx.h>

/* ---- captured events ----------------------------------------------------- */

typedef struct tev {
    um_event_kind kind;
    int64_t ts;
    int success;
    char *user, *host, *ip, *image, *cmdline, *parent, *target, *action, *desc, *company, *serial, *devid, *record;
    uint32_t port;
    int vid, pid;
} tev;

typedef struct cap {
    tev ev[256];
    size_t n;
    size_t rejects, warnings;
    char last_issue[512];
    char issues[4096];
} cap;

static char *dup0(const char *s) { return s ? strdup(s) : NULL; }

static um_status cap_event(void *ud, um_event *e) {
    cap *c = ud;
    if (c->n >= UM_ARRAY_LEN(c->ev)) return UM_OK;
    tev *t = &c->ev[c->n++];
    t->kind = e->kind;
    t->ts = e->ts;
    t->success = e->success;
    t->user = dup0(e->user), t->host = dup0(e->host), t->ip = dup0(e->ip);
    t->image = dup0(e->image), t->cmdline = dup0(e->cmdline), t->parent = dup0(e->parent_image);
    t->target = dup0(e->target), t->action = dup0(e->action), t->desc = dup0(e->device_desc);
    t->company = dup0(e->company), t->serial = dup0(e->usb_serial), t->devid = dup0(e->device_id);
    t->record = dup0(e->record_id);
    t->port = e->port;
    t->vid = e->usb_vid, t->pid = e->usb_pid;
    return UM_OK;
}

static void cap_issue(void *ud, bool reject, uint64_t line, const char *msg) {
    cap *c = ud;
    if (reject) c->rejects++;
    else c->warnings++;
    snprintf(c->last_issue, sizeof c->last_issue, "%s", msg);
    size_t l = strlen(c->issues);
    snprintf(c->issues + l, sizeof c->issues - l, "%s%llu:%s\n", reject ? "R" : "W", (unsigned long long)line, msg);
}

static void cap_free(cap *c) {
    for (size_t i = 0; i < c->n; i++) {
        tev *t = &c->ev[i];
        char **f[] = {&t->user, &t->host, &t->ip, &t->image, &t->cmdline, &t->parent, &t->target,
                      &t->action, &t->desc, &t->company, &t->serial, &t->devid, &t->record};
        for (size_t k = 0; k < UM_ARRAY_LEN(f); k++) free(*f[k]);
    }
    memset(c, 0, sizeof *c);
}

static const char *fixture(const char *name) {
    static char buf[1024];
    snprintf(buf, sizeof buf, "%s/tests/data/evtx/%s", um_t_src(), name);
    return buf;
}

/* Every record of an .evtx file through um_evtx_parse_xml + um_evtx_to_event. */
static void load_evtx(const char *path, cap *c) {
    memset(c, 0, sizeof *c);
    libevtx_file_t *f = NULL;
    if (libevtx_file_initialize(&f, NULL) != 1) return;
    if (libevtx_file_open(f, path, LIBEVTX_OPEN_READ, NULL) != 1) {
        libevtx_file_free(&f, NULL);
        return;
    }
    int n = 0;
    libevtx_file_get_number_of_records(f, &n, NULL);
    um_evtx_fields fl;
    um_evtx_fields_init(&fl);
    for (int i = 0; i < n; i++) {
        libevtx_record_t *r = NULL;
        size_t sz = 0;
        if (libevtx_file_get_record_by_index(f, i, &r, NULL) != 1) continue;
        libevtx_record_get_utf8_xml_string_size(r, &sz, NULL);
        char *x = calloc(1, sz + 1);
        libevtx_record_get_utf8_xml_string(r, (uint8_t *)x, sz, NULL);
        const char *why = um_evtx_parse_xml(&fl, x, strlen(x));
        um_event ev;
        int m = UM_WIN_REJECT;
        if (!why) m = um_evtx_to_event(&fl, &ev, &why);
        if (m == UM_WIN_EVENT) cap_event(c, &ev);
        else if (m == UM_WIN_REJECT) cap_issue(c, true, (uint64_t)i + 1, why ? why : "?");
        else c->warnings++; /* skipped type */
        free(x);
        libevtx_record_free(&r, NULL);
    }
    um_evtx_fields_free(&fl);
    libevtx_file_close(f, NULL);
    libevtx_file_free(&f, NULL);
}

static void load_text(const char *path, bool zeek, cap *c) {
    memset(c, 0, sizeof *c);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (!f) return;
    um_rsink s = {c, cap_event, cap_issue, NULL};
    um_status st = zeek ? um_zeek_parse(f, path, &s) : um_usb_text_parse(f, path, &s);
    CHECK_INTEQ(st, UM_OK);
    fclose(f);
}

static void load_mem(const char *text, const char *name, bool zeek, cap *c) {
    memset(c, 0, sizeof *c);
    FILE *f = fmemopen((void *)text, strlen(text), "rb");
    um_rsink s = {c, cap_event, cap_issue, NULL};
    um_status st = zeek ? um_zeek_parse(f, name, &s) : um_usb_text_parse(f, name, &s);
    CHECK_INTEQ(st, UM_OK);
    fclose(f);
}

static const char *fmt_ts(int64_t us) {
    static char b[40];
    um_time_format(us, b, sizeof b);
    return b;
}

/* Whole scan through the public API; returns stats, first reject in why. */
typedef struct scanres {
    um_scan_stats st;
    char reader[32];
    char reject[512];
} scanres;

static scanres scan_path(const char *path) {
    scanres r;
    memset(&r, 0, sizeof r);
    um_ctx_options opt = {0};
    opt.data_dir = getenv("UNMASK_DATA_DIR");
    um_ctx *ctx = NULL;
    um_status s = um_ctx_open(&ctx, &opt);
    CHECK_INTEQ(s, UM_OK);
    um_scan *sc = NULL;
    if (s == UM_OK && um_scan_new(ctx, &sc) == UM_OK) {
        CHECK_INTEQ(um_scan_add_path(sc, path, NULL), UM_OK);
        CHECK_INTEQ(um_scan_run(sc, NULL, NULL), UM_OK);
        um_scan_get_stats(sc, &r.st);
        if (getenv("UM_T_DEBUG"))
            for (size_t i = 0; i < um_scan_reject_count(sc); i++)
                fprintf(stderr, "reject %s:%llu [%s] %s\n", um_scan_reject(sc, i)->file,
                        (unsigned long long)um_scan_reject(sc, i)->line, um_scan_reject(sc, i)->reader,
                        um_scan_reject(sc, i)->reason);
        const um_reject_info *ri = um_scan_reject(sc, 0);
        if (ri) {
            snprintf(r.reject, sizeof r.reject, "%s", ri->reason);
            snprintf(r.reader, sizeof r.reader, "%s", ri->reader);
        }
    }
    um_scan_free(sc);
    um_ctx_close(ctx);
    return r;
}

static char *tmp_file(const void *data, size_t n, const char *suffix) {
    static char path[256];
    snprintf(path, sizeof path, "/tmp/um_test_evtx_XXXXXX%s", suffix);
    int fd = mkstemps(path, (int)strlen(suffix));
    if (fd < 0) return NULL;
    CHECK(write(fd, data, n) == (ssize_t)n);
    close(fd);
    return path;
}

/* ---- evtx ---------------------------------------------------------------- */

static void t_evtx_anydesk(void) {
    cap c;
    load_evtx(fixture("sigma_regression_anydesk_artefact_sysmon11.evtx"), &c);
    CHECK_INTEQ(c.n, 5);
    CHECK_INTEQ(c.rejects, 0);
    for (size_t i = 0; i < c.n; i++) {
        CHECK_INTEQ(c.ev[i].kind, UM_EV_FILE);
        CHECK_STREQ(c.ev[i].user, "ATTACKRANGE\\Administrator");
        CHECK_STREQ(c.ev[i].host, "ar-win-dc.attackrange.local");
        CHECK_STREQ(c.ev[i].image, "C:\\Users\\Administrator\\Desktop\\AnyDesk.exe");
        CHECK(c.ev[i].target && strstr(c.ev[i].target, "AppData\\Roaming\\AnyDesk\\"));
    }
    if (c.n) {
        CHECK_STREQ(fmt_ts(c.ev[0].ts), "2025-10-24T23:34:34.640670Z");
        CHECK(c.ev[0].target && strstr(c.ev[0].target, "service.conf.new"));
    }
    cap_free(&c);
    scanres r = scan_path(fixture("sigma_regression_anydesk_artefact_sysmon11.evtx"));
    CHECK_INTEQ(r.st.events, 5);
    CHECK_INTEQ(r.st.rejects, 0);
}

static void t_evtx_psremoting(void) {
    cap c;
    load_evtx(fixture("LM_PowershellRemoting_sysmon_1_wsmprovhost.evtx"), &c);
    CHECK_INTEQ(c.n, 1);
    if (c.n == 1) {
        CHECK_INTEQ(c.ev[0].kind, UM_EV_PROCESS);
        CHECK(c.ev[0].image && um_ends_with_ci(c.ev[0].image, "\\HOSTNAME.EXE"));
        CHECK(c.ev[0].parent && um_ends_with_ci(c.ev[0].parent, "\\wsmprovhost.exe"));
        CHECK_STREQ(c.ev[0].host, "DC1.insecurebank.local");
        CHECK_STREQ(c.ev[0].user, "insecurebank\\Administrator");
        CHECK_STREQ(c.ev[0].action, "sysmon 1");
    }
    cap_free(&c);
    scanres r = scan_path(fixture("LM_PowershellRemoting_sysmon_1_wsmprovhost.evtx"));
    CHECK_INTEQ(r.st.events, 1);
}

static void t_evtx_rdp(void) {
    cap c;
    load_evtx(fixture("DE_RDP_Tunneling_4624.evtx"), &c);
    CHECK_INTEQ(c.n, 18);
    int logons = 0, rdp_loop = 0, type2_loop = 0;
    for (size_t i = 0; i < c.n; i++) {
        if (c.ev[i].kind != UM_EV_LOGON) continue;
        logons++;
        CHECK_INTEQ(c.ev[i].success, 1);
        CHECK_STREQ(c.ev[i].host, "PC02.example.corp");
        bool loop = c.ev[i].ip && strcmp(c.ev[i].ip, "127.0.0.1") == 0;
        if (loop && c.ev[i].action && strcmp(c.ev[i].action, "4624 type 10") == 0) {
            rdp_loop++;
            CHECK_STREQ(c.ev[i].user, "PC02\\IEUser");
            CHECK_INTEQ(c.ev[i].port, 49164);
            CHECK(strncmp(fmt_ts(c.ev[i].ts), "2019-02-13T15:26:53", 19) == 0);
        }
        if (loop && c.ev[i].action && strcmp(c.ev[i].action, "4624 type 2") == 0) type2_loop++;
    }
    CHECK_INTEQ(logons, 18);
    CHECK_INTEQ(rdp_loop, 1);
    CHECK_INTEQ(type2_loop, 2);
    cap_free(&c);
    scanres r = scan_path(fixture("DE_RDP_Tunneling_4624.evtx"));
    CHECK_INTEQ(r.st.events, 18);
    CHECK_INTEQ(r.st.rejects, 0);
}

static void t_evtx_pnp(void) {
    cap c;
    load_evtx(fixture("ID4674_6416_New_external_device_connected_PrintNightmare.evtx"), &c);
    int usb = 0;
    for (size_t i = 0; i < c.n; i++) {
        if (c.ev[i].kind != UM_EV_USB) continue;
        usb++;
        CHECK_INTEQ(c.ev[i].vid, -1);
        CHECK_INTEQ(c.ev[i].pid, -1);
        CHECK_STREQ(c.ev[i].devid, "SWD\\PRINTENUM\\{32FB2173-023E-43DF-9F82-0E851CC0D9BF}");
        CHECK_STREQ(c.ev[i].desc, "\\\\fs03vuln\\Kiwi Legit Printer");
        CHECK_STREQ(c.ev[i].host, "FS03.offsec.lan");
        CHECK(strncmp(fmt_ts(c.ev[i].ts), "2021-10-27T10:34:49.837", 23) == 0);
    }
    CHECK_INTEQ(usb, 1);
    CHECK_INTEQ(c.rejects, 0);
    cap_free(&c);
    int vid = 0, pid = 0;
    CHECK(um_evtx_usb_ids("USB\\VID_1D6B&PID_0104\\CAFEBABE", &vid, &pid));
    CHECK_INTEQ(vid, 0x1d6b);
    CHECK_INTEQ(pid, 0x0104);
    CHECK(!um_evtx_usb_ids("USB\\VID_ZZZZ&PID_0104", &vid, &pid));
    CHECK(!um_evtx_usb_ids("USB\\VID_1D6", &vid, &pid));
}

static void t_evtx_xml_hostile(void) {
    um_evtx_fields fl;
    um_evtx_fields_init(&fl);
    um_event ev;
    const char *why;
    /* DTD / entities refused */
    const char *bomb = "<?xml version=\"1.0\"?><!DOCTYPE Event [<!ENTITY a \"aaaa\">]>"
                       "<Event><System><EventID>1</EventID></System></Event>";
    why = um_evtx_parse_xml(&fl, bomb, strlen(bomb));
    CHECK(why && strstr(why, "DTD"));
    /* not XML */
    why = um_evtx_parse_xml(&fl, "<Event><System>", 15);
    CHECK(why && strstr(why, "does not parse"));
    why = um_evtx_parse_xml(&fl, "<Other/>", 8);
    CHECK(why && strstr(why, "no Event"));
    /* a Sysmon 1 with Image twice */
    const char *dup = "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><System>"
                      "<Provider Name=\"Microsoft-Windows-Sysmon\"/><EventID>1</EventID>"
                      "<TimeCreated SystemTime=\"2024-01-02T03:04:05.5Z\"/><Computer>h</Computer></System>"
                      "<EventData><Data Name=\"Image\">a.exe</Data><Data Name=\"Image\">b.exe</Data>"
                      "</EventData></Event>";
    CHECK(um_evtx_parse_xml(&fl, dup, strlen(dup)) == NULL);
    CHECK_INTEQ(um_evtx_to_event(&fl, &ev, &why), UM_WIN_REJECT);
    CHECK(why && strstr(why, "Image"));
    /* impossible date */
    const char *bad = "<Event><System><Provider Name=\"Microsoft-Windows-Sysmon\"/><EventID>11</EventID>"
                      "<TimeCreated SystemTime=\"2023-02-30T00:00:00Z\"/></System>"
                      "<EventData><Data Name=\"Image\">a.exe</Data><Data Name=\"TargetFilename\">C:\\x</Data>"
                      "</EventData></Event>";
    CHECK(um_evtx_parse_xml(&fl, bad, strlen(bad)) == NULL);
    CHECK_INTEQ(um_evtx_to_event(&fl, &ev, &why), UM_WIN_REJECT);
    CHECK(why && strstr(why, "2023-02-30"));
    /* EventID not a number */
    const char *noid = "<Event><System><EventID>x1</EventID></System></Event>";
    CHECK(um_evtx_parse_xml(&fl, noid, strlen(noid)) == NULL);
    CHECK_INTEQ(um_evtx_to_event(&fl, &ev, &why), UM_WIN_REJECT);
    CHECK(why && strstr(why, "EventID"));
    /* UserData and unnamed Data; unknown events become OTHER */
    const char *ud = "<Event><System><Provider Name=\"X\"/><EventID>1149</EventID></System>"
                     "<UserData><EventXML><Param1>bob</Param1><Param3>1.2.3.4</Param3></EventXML></UserData>"
                     "<EventData><Data>first</Data><Data>second</Data></EventData></Event>";
    CHECK(um_evtx_parse_xml(&fl, ud, strlen(ud)) == NULL);
    CHECK_STREQ(um_evtx_get(&fl, false, "Param3", NULL), "1.2.3.4");
    CHECK_STREQ(um_evtx_get(&fl, false, "Data2", NULL), "second");
    CHECK_STREQ(um_evtx_get(&fl, true, "Provider", NULL), "X");
    CHECK_INTEQ(um_evtx_to_event(&fl, &ev, &why), UM_WIN_SKIP); /* a type unmask does not use */
    /* a USB 6416 */
    const char *pnp = "<Event><System><Provider Name=\"Microsoft-Windows-Security-Auditing\"/>"
                      "<EventID>6416</EventID><TimeCreated SystemTime=\"2024-05-01T10:00:00Z\"/></System>"
                      "<EventData><Data Name=\"DeviceId\">USB\\VID_1D6B&amp;PID_0104\\CAFEBABE</Data>"
                      "<Data Name=\"DeviceDescription\">PiKVM Composite Device</Data></EventData></Event>";
    CHECK(um_evtx_parse_xml(&fl, pnp, strlen(pnp)) == NULL);
    CHECK_INTEQ(um_evtx_to_event(&fl, &ev, &why), UM_WIN_EVENT);
    CHECK_INTEQ(ev.kind, UM_EV_USB);
    CHECK_INTEQ(ev.usb_vid, 0x1d6b);
    CHECK_INTEQ(ev.usb_pid, 0x0104);
    um_evtx_fields_free(&fl);
}

static void t_evtx_hostile_files(void) {
    /* truncated: the first 5000 bytes of a real file */
    FILE *f = fopen(fixture("DE_RDP_Tunneling_4624.evtx"), "rb");
    CHECK(f != NULL);
    char buf[5000];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f) fclose(f);
    CHECK_INTEQ(n, 5000);
    char *p = tmp_file(buf, n, ".evtx");
    CHECK(p != NULL);
    if (p) {
        scanres r = scan_path(p);
        CHECK_INTEQ(r.st.files, 1);
        CHECK(r.st.events < 18);
        CHECK(r.st.rejects + r.st.warnings >= 1);
        unlink(p);
    }
    /* garbage behind an ElfFile signature */
    char junk[8192];
    memcpy(junk, "ElfFile\0", 8);
    for (size_t i = 8; i < sizeof junk; i++) junk[i] = (char)(i * 131 + 7);
    p = tmp_file(junk, sizeof junk, ".evtx");
    CHECK(p != NULL);
    if (p) {
        scanres r = scan_path(p);
        CHECK_INTEQ(r.st.events, 0);
        CHECK_INTEQ(r.st.rejects, 1);
        CHECK_STREQ(r.reader, "evtx");
        CHECK(strstr(r.reject, "not a readable EVTX file") != NULL);
        unlink(p);
    }
}

/* ---- usb text ------------------------------------------------------------ */

static void t_usb_real(void) {
    cap c;
    load_text(fixture("HIDman-issue79_usbtreeview_pikvm.txt"), false, &c);
    CHECK_INTEQ(c.n, 1);
    if (c.n == 1) {
        CHECK_INTEQ(c.ev[0].kind, UM_EV_USB);
        CHECK_INTEQ(c.ev[0].vid, 0x1d6b);
        CHECK_INTEQ(c.ev[0].pid, 0x0104);
        CHECK_STREQ(c.ev[0].desc, "PiKVM Composite Device");
        CHECK_STREQ(c.ev[0].host, "HIDman-issue79_usbtreeview_pikvm");
    }
    cap_free(&c);
    load_text(fixture("XenGT-Preview-xen-issue12_dmesg_logitech_mouse.txt"), false, &c);
    CHECK_INTEQ(c.n, 3);
    CHECK_INTEQ(c.rejects, 0);
    int found = 0;
    for (size_t i = 0; i < c.n; i++) {
        CHECK(!(c.ev[i].vid == 0x1d6b)); /* no KVM */
        if (c.ev[i].vid == 0x8087 && c.ev[i].pid == 0x8008) found |= 1;
        if (c.ev[i].vid == 0x8087 && c.ev[i].pid == 0x8000) found |= 2;
        if (c.ev[i].vid == 0x046d && c.ev[i].pid == 0xc012) {
            found |= 4;
            CHECK_STREQ(c.ev[i].desc, "USB-PS/2 Optical Mouse");
            CHECK_STREQ(c.ev[i].company, "Logitech");
            CHECK_STREQ(c.ev[i].devid, "1-13.1.3");
            CHECK(c.ev[i].serial == NULL);
        }
    }
    CHECK_INTEQ(found, 7);
    cap_free(&c);
    scanres r = scan_path(fixture("HIDman-issue79_usbtreeview_pikvm.txt"));
    CHECK_INTEQ(r.st.events, 1);
}

static void t_usb_lsusb(void) {
    const char *t = "Bus 002 Device 001: ID 1d6b:0003 Linux Foundation 3.0 root hub\n"
                    "Bus 001 Device 003: ID 1d6b:0104 Linux Foundation Multifunction Composite Gadget\n"
                    "Device Descriptor:\n"
                    "  idVendor           0x1d6b Linux Foundation\n"
                    "  idProduct          0x0104 Multifunction Composite Gadget\n"
                    "  iManufacturer           1 PiKVM\n"
                    "  iProduct                2 PiKVM Composite Device\n"
                    "  iSerial                 3 CAFEBABE\n"
                    "Bus 001 Device 001: ID 1d6b:0002 Linux Foundation 2.0 root hub\n"
                    "Bus 001 Device 004: ID 046d:c52b Logitech, Inc. Unifying Receiver\n"
                    "Bus 001 Device 005: ID 046d:c52b Logitech, Inc. Unifying Receiver\n";
    cap c;
    load_mem(t, "/x/laptop-42.txt", false, &c);
    CHECK_INTEQ(c.n, 2);
    if (c.n == 2) {
        CHECK_INTEQ(c.ev[0].vid, 0x1d6b);
        CHECK_INTEQ(c.ev[0].pid, 0x0104);
        CHECK_STREQ(c.ev[0].desc, "PiKVM Composite Device");
        CHECK_STREQ(c.ev[0].company, "PiKVM");
        CHECK_STREQ(c.ev[0].serial, "CAFEBABE");
        CHECK_STREQ(c.ev[0].host, "laptop-42");
        CHECK_INTEQ(c.ev[1].pid, 0xc52b);
        CHECK_STREQ(c.ev[1].desc, "Logitech, Inc. Unifying Receiver");
    }
    CHECK(strstr(c.issues, "2 root hubs ignored") != NULL);
    CHECK(strstr(c.issues, "1 repeated device") != NULL);
    cap_free(&c);
}

static void t_usb_hostile(void) {
    cap c;
    load_mem("Computer Name: WS-7\nEvil Device (VID=0xZZZZ PID=0x0104) Port: 1\n"
             "Ok Device (VID=0x046D PID=0xC012) Port: 2\n"
             "Bus 001 Device 002: ID 12:34 short\n"
             "[ 1.0] usb 1-1: New USB device found, idVendor=zz, idProduct=0001\n"
             "Long (VID=0x046D1 PID=0xC012)\n",
             "x.txt", false, &c);
    CHECK_INTEQ(c.n, 1);
    CHECK_INTEQ(c.rejects, 4);
    if (c.n) {
        CHECK_STREQ(c.ev[0].host, "WS-7");
        CHECK_INTEQ(c.ev[0].vid, 0x046d);
    }
    CHECK(strstr(c.issues, "VID '0xZZZZ'") != NULL);
    cap_free(&c);
    /* binary junk and a NUL byte */
    load_mem("\x01\x02\xff\xfe (VID=0x1D6B PID=0x0104)\n", "y.txt", false, &c);
    CHECK_INTEQ(c.n, 0);
    CHECK_INTEQ(c.rejects, 1);
    cap_free(&c);
}

/* ---- zeek ---------------------------------------------------------------- */

static void t_zeek_real(void) {
    cap c;
    load_text(fixture("otrf_apt29_day2_UTICA-C_zeek_conn.log"), true, &c);
    CHECK_INTEQ(c.n, 31);
    CHECK_INTEQ(c.rejects, 0);
    int to443 = 0;
    for (size_t i = 0; i < c.n; i++) {
        CHECK_INTEQ(c.ev[i].kind, UM_EV_NETCONN);
        CHECK_STREQ(c.ev[i].host, "10.0.1.5");
        if (c.ev[i].ip && strcmp(c.ev[i].ip, "192.168.0.4") == 0 && c.ev[i].port == 443) to443++;
    }
    CHECK_INTEQ(to443, 29);
    if (c.n) {
        CHECK_STREQ(fmt_ts(c.ev[0].ts), "2020-05-01T07:21:25.417361Z");
        CHECK_STREQ(c.ev[0].action, "ssl");
        CHECK_STREQ(c.ev[0].record, "Cx8lyL29X1NiBTsze1");
    }
    cap_free(&c);
    load_text(fixture("wrccdc2018_zeek_rfb.json"), true, &c);
    CHECK_INTEQ(c.n, 3);
    static const char *const when[3] = {"2018-03-24T17:17:49.614130Z", "2018-03-24T17:21:26.207589Z",
                                        "2018-03-24T17:28:03.303845Z"};
    for (size_t i = 0; i < c.n && i < 3; i++) {
        CHECK_INTEQ(c.ev[i].kind, UM_EV_REMOTE);
        CHECK_STREQ(c.ev[i].action, "vnc");
        CHECK_STREQ(c.ev[i].host, "10.164.94.120");
        CHECK_INTEQ(c.ev[i].port, 5900);
        CHECK_STREQ(c.ev[i].desc, "None");
        CHECK_STREQ(fmt_ts(c.ev[i].ts), when[i]);
    }
    cap_free(&c);
    scanres r = scan_path(fixture("otrf_apt29_day2_UTICA-C_zeek_conn.log"));
    CHECK_INTEQ(r.st.events, 31);
    r = scan_path(fixture("wrccdc2018_zeek_rfb.json"));
    CHECK_INTEQ(r.st.events, 3);
}

static void t_zeek_tsv(void) {
    const char *t = "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\trdp\n"
                    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tcookie\tresult\tkeyboard_layout\n"
                    "#types\ttime\tstring\taddr\tport\taddr\tport\tstring\tstring\tstring\n"
                    "1588317684.5\tC1\t10.0.0.9\t50000\t203.0.113.5\t3389\tjsmith\tSuccess\tKorean\n"
                    "1588317685.0\tC2\t10.0.0.9\t50001\t203.0.113.5\n"
                    "yesterday\tC3\t10.0.0.9\t50002\t203.0.113.5\t3389\t-\t-\t-\n"
                    "1588317686\tC4\tnot-an-ip\t1\t203.0.113.5\t3389\t-\t-\t-\n"
                    "1588317687\tC5\t10.0.0.9\t1\t203.0.113.5\t99999\t-\tfailed\t(empty)\n"
                    "#close\t2020-05-01-07-30-00\n";
    cap c;
    load_mem(t, "/logs/whatever.log", true, &c);
    CHECK_INTEQ(c.n, 2);
    CHECK_INTEQ(c.rejects, 3);
    CHECK(strstr(c.issues, "R9:ragged row: 5 fields, #fields has 9") != NULL);
    CHECK(strstr(c.issues, "R10:bad ts 'yesterday'") != NULL);
    CHECK(strstr(c.issues, "not an IP") != NULL);
    if (c.n == 2) {
        CHECK_INTEQ(c.ev[0].kind, UM_EV_REMOTE);
        CHECK_STREQ(c.ev[0].action, "rdp");
        CHECK_STREQ(c.ev[0].user, "jsmith");
        CHECK_STREQ(c.ev[0].desc, "Korean");
        CHECK_INTEQ(c.ev[0].success, 1);
        CHECK_INTEQ(c.ev[0].port, 3389);
        CHECK_INTEQ(c.ev[0].ts, 1588317684500000LL);
        CHECK_INTEQ(c.ev[1].success, 0);
        CHECK_INTEQ(c.ev[1].port, 0); /* bad port warned */
        CHECK(c.ev[1].desc == NULL);
    }
    CHECK_INTEQ(c.warnings, 1);
    cap_free(&c);
}

static void t_zeek_dns_ssl(void) {
    const char *t = "{\"_path\":\"dns\",\"ts\":1520000000.5,\"uid\":\"C1\",\"id.orig_h\":\"10.0.0.5\",\"id.resp_h\":\"10.0.0.1\",\"id.resp_p\":53,\"query\":\"relay.anydesk.com\"}\n"
                    "{\"_path\":\"ssl\",\"ts\":1520000001,\"uid\":\"C2\",\"id.orig_h\":\"10.0.0.5\",\"id.resp_h\":\"203.0.113.9\",\"id.resp_p\":443,\"server_name\":\"router15.teamviewer.com\"}\n"
                    "{\"_path\":\"ssl\",\"ts\":1520000002,\"uid\":\"C3\",\"id.orig_h\":\"10.0.0.5\",\"id.resp_h\":\"203.0.113.9\",\"id.resp_p\":443}\n";
    cap c;
    load_mem(t, "mixed.json", true, &c);
    CHECK_INTEQ(c.n, 2);
    CHECK_INTEQ(c.rejects, 0);
    if (c.n == 2) {
        CHECK_STREQ(c.ev[0].action, "dns");
        CHECK_STREQ(c.ev[1].action, "ssl");
    }
    CHECK(strstr(c.issues, "1 rows of Zeek log 'ssl' not used") != NULL);
    cap_free(&c);
}

static void t_zeek_json_hostile(void) {
    const char *t = "{\"_path\":\"conn\",\"ts\":\"2018-02-30T00:00:00Z\",\"id.orig_h\":\"10.0.0.1\",\"id.resp_h\":\"8.8.8.8\",\"id.resp_p\":53}\n"
                    "{\"_path\":\"conn\",\"ts\":-5,\"id.orig_h\":\"10.0.0.1\",\"id.resp_h\":\"8.8.8.8\",\"id.resp_p\":53}\n"
                    "{\"_path\":\"conn\",\"ts\":1,\"id.orig_h\":\"10.0.0.1\",\"id.orig_h\":\"6.6.6.6\",\"id.resp_h\":\"8.8.8.8\"}\n"
                    "{\"_path\":\"conn\",\"ts\":1520000000.25,\"id.orig_h\":\"10.0.0.1\",\"id.resp_h\":\"8.8.8.8\",\"id.resp_p\":53,\"proto\":\"udp\"}\n"
                    "{\"_path\":\"dns\",\"ts\":1520000000.25,\"id.orig_h\":\"10.0.0.1\",\"id.resp_h\":\"8.8.8.8\"}\n"
                    "{not json\n"
                    "[1,2]\n";
    cap c;
    load_mem(t, "mixed.json", true, &c);
    CHECK_INTEQ(c.n, 1);
    CHECK_INTEQ(c.rejects, 5);
    CHECK(strstr(c.issues, "R1:bad ts '2018-02-30") != NULL);
    CHECK(strstr(c.issues, "R2:bad ts") != NULL);
    CHECK(strstr(c.issues, "R3:duplicate key 'id.orig_h'") != NULL);
    CHECK(strstr(c.issues, "1 rows of Zeek log 'dns' not used") != NULL);
    if (c.n) {
        CHECK_STREQ(c.ev[0].action, "udp");
        CHECK_INTEQ(c.ev[0].ts, 1520000000250000LL);
    }
    cap_free(&c);
    /* no kind anywhere */
    load_mem("{\"ts\":1,\"id_orig_h\":\"10.0.0.1\",\"id_resp_h\":\"10.0.0.2\"}\n", "noname.json", true, &c);
    CHECK_INTEQ(c.n, 0);
    CHECK_INTEQ(c.rejects, 1);
    cap_free(&c);
}

static void t_detect(void) {
    const um_reader *r;
    r = um_reader_detect("a.evtx", "ElfFile\0\0\0", 10);
    CHECK(r && strcmp(r->name, "evtx") == 0);
    const char *z = "#separator \\x09\n#path\tconn\n";
    r = um_reader_detect("conn.log", z, strlen(z));
    CHECK(r && strcmp(r->name, "zeek") == 0);
    const char *d = "[ 1.0] usb 1-1: New USB device found, idVendor=046d, idProduct=c012\n";
    r = um_reader_detect("dmesg.txt", d, strlen(d));
    CHECK(r && strcmp(r->name, "usb-text") == 0);
    const char *l = "Bus 001 Device 002: ID 046d:c012 Logitech\n";
    r = um_reader_detect("lsusb.txt", l, strlen(l));
    CHECK(r && strcmp(r->name, "usb-text") == 0);
    r = um_reader_detect("x.txt", "hello world\n", 12);
    CHECK(!r || (strcmp(r->name, "usb-text") != 0 && strcmp(r->name, "zeek") != 0 && strcmp(r->name, "evtx") != 0));
}

int main(void) {
    RUN(t_evtx_anydesk);
    RUN(t_evtx_psremoting);
    RUN(t_evtx_rdp);
    RUN(t_evtx_pnp);
    RUN(t_evtx_xml_hostile);
    RUN(t_evtx_hostile_files);
    RUN(t_usb_real);
    RUN(t_usb_lsusb);
    RUN(t_usb_hostile);
    RUN(t_zeek_real);
    RUN(t_zeek_tsv);
    RUN(t_zeek_json_hostile);
    RUN(t_zeek_dns_ssl);
    RUN(t_detect);
    return um_t_report();
}
