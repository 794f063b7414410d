/* test_winjson.c - Windows events as JSON: the shared field mapping
 * (read/winevent.c), the evtx_dump object splitter and the NXLog/Winlogbeat
 * line reader (read/winjson.c), on real samples and hostile input. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/internal.h"
#include "harness.h"
#include "read/winevent.h"
#include "unmask.h"
#include "util/json.h"

#define ANYDESK "sigma_regression_anydesk_artefact_sysmon11.json"
#define CHCP "sigma_regression_chcp_codepage_lookup_sysmon1.json"
#define OTRF "otrf_covenant_psremoting_grunt_subset.json"

static char *fixture_path(const char *name) {
    char *p = NULL;
    if (asprintf(&p, "%s/tests/data/winjson/%s", um_t_src(), name) < 0) return NULL;
    return p;
}

/* Whole file plus JSON padding. */
static char *slurp(const char *name, size_t *len) {
    char *path = fixture_path(name);
    FILE *f = path ? fopen(path, "rb") : NULL;
    free(path);
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *b = calloc(1, (size_t)n + UM_JSON_PADDING + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

static int map_text(um_winjson *w, const char *json, um_event *ev, unsigned *id, const char **why) {
    size_t n = strlen(json);
    char *b = calloc(1, n + UM_JSON_PADDING + 1);
    memcpy(b, json, n);
    int r = um_winjson_map(w, b, n, ev, id, why); /* values are copied by the parser */
    free(b);
    return r;
}

static void fmt_time(int64_t us, char *out, size_t n) {
    if (us == UM_TIME_NONE) snprintf(out, n, "none");
    else um_time_format(us, out, n);
}

/* ---- real samples, mapping level ---- */

static void t_anydesk_first(void) {
    size_t len;
    char *all = slurp(ANYDESK, &len);
    CHECK(all != NULL);
    if (!all) return;
    /* the first pretty-printed object ends at the first "\n}\n" */
    char *end = strstr(all, "\n}\n");
    CHECK(end != NULL);
    if (!end) { free(all); return; }
    size_t n = (size_t)(end - all) + 2;
    char *doc = calloc(1, n + UM_JSON_PADDING + 1);
    memcpy(doc, all, n);
    um_winjson *w = um_winjson_new();
    um_event ev;
    const char *why = NULL;
    unsigned id = 0;
    CHECK_INTEQ(um_winjson_map(w, doc, n, &ev, &id, &why), UM_WIN_EVENT);
    CHECK_INTEQ(id, 11);
    CHECK_INTEQ(ev.kind, UM_EV_FILE);
    CHECK_STREQ(ev.host, "ar-win-dc.attackrange.local");
    CHECK_STREQ(ev.user, "ATTACKRANGE\\Administrator");
    CHECK_STREQ(ev.image, "C:\\Users\\Administrator\\Desktop\\AnyDesk.exe");
    CHECK_STREQ(ev.target, "C:\\Users\\Administrator\\AppData\\Roaming\\AnyDesk\\service.conf.new");
    CHECK_STREQ(ev.record_id, "14961");
    CHECK_STREQ(ev.action, "sysmon 11");
    char t[40];
    fmt_time(ev.ts, t, sizeof t); /* SystemTime, not UtcTime 23:34:34.634 */
    CHECK_STREQ(t, "2025-10-24T23:34:34.640670Z");
    um_winjson_free(w);
    free(doc);
    free(all);
}

static void t_chcp(void) {
    size_t len;
    char *doc = slurp(CHCP, &len);
    CHECK(doc != NULL);
    if (!doc) return;
    um_winjson *w = um_winjson_new();
    um_event ev;
    const char *why = NULL;
    CHECK_INTEQ(um_winjson_map(w, doc, len, &ev, NULL, &why), UM_WIN_EVENT);
    CHECK_INTEQ(ev.kind, UM_EV_PROCESS);
    CHECK_STREQ(ev.image, "C:\\Windows\\System32\\chcp.com");
    CHECK_STREQ(ev.cmdline, "chcp");
    CHECK_STREQ(ev.product, "Microsoft\xC2\xAE Windows\xC2\xAE Operating System");
    CHECK_STREQ(ev.company, "Microsoft Corporation");
    CHECK_STREQ(ev.description, "Change CodePage Utility");
    CHECK_STREQ(ev.original_file, "CHCP.COM");
    CHECK_STREQ(ev.parent_image, "C:\\Windows\\System32\\cmd.exe");
    CHECK_STREQ(ev.user, "ATTACKRANGE\\Administrator");
    CHECK_STREQ(ev.record_id, "11886324");
    char t[40];
    fmt_time(ev.ts, t, sizeof t);
    CHECK_STREQ(t, "2025-10-25T17:27:26.975358Z");
    um_winjson_free(w);
    free(doc);
}

/* Every line of the OTRF subset through the mapping. EventID tally (jq):
 * Sysmon 1 x17, 3 x276, 22 x20; Security 4624 x47, 4688 x17 (handled) and
 * 4634 x41, 4672 x21 (not used). */
static void t_otrf_lines(void) {
    size_t len;
    char *all = slurp(OTRF, &len);
    CHECK(all != NULL);
    if (!all) return;
    um_winjson *w = um_winjson_new();
    int kinds[UM_EV_OTHER + 1] = {0};
    int skip = 0, rej = 0, lines = 0, shire = 0, s4634 = 0, s4672 = 0;
    int hosts_seen = 0;
    const char *hosts[8] = {0};
    char *save = NULL;
    bool first = true;
    for (char *ln = strtok_r(all, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
        lines++;
        um_event ev;
        const char *why;
        unsigned id;
        int r = map_text(w, ln, &ev, &id, &why);
        if (r == UM_WIN_REJECT) {
            rej++;
            fprintf(stderr, "line %d: %s\n", lines, why);
            continue;
        }
        if (r == UM_WIN_SKIP) {
            skip++;
            s4634 += id == 4634;
            s4672 += id == 4672;
            continue;
        }
        kinds[ev.kind]++;
        if (ev.host && um_ends_with_ci(ev.host, ".shire.com")) shire++;
        bool known = false;
        for (int i = 0; i < hosts_seen; i++)
            if (ev.host && strcmp(hosts[i], ev.host) == 0) known = true;
        if (!known && ev.host && hosts_seen < 8) hosts[hosts_seen++] = strdup(ev.host);
        if (first) {
            first = false;
            CHECK_INTEQ(ev.kind, UM_EV_NETCONN);
            CHECK_STREQ(ev.ip, "172.18.39.255");
            CHECK_INTEQ(ev.port, 138); /* "DestinationPort":"138" */
            CHECK_STREQ(ev.user, "NT AUTHORITY\\SYSTEM");
            CHECK_STREQ(ev.host, "HFDC01.shire.com");
            CHECK_STREQ(ev.image, "System");
            CHECK_STREQ(ev.record_id, "94834");
            CHECK_STREQ(ev.action, "sysmon 3 outbound");
            char t[40];
            fmt_time(ev.ts, t, sizeof t); /* UtcTime; EventTime 20:49:31 is local */
            CHECK_STREQ(t, "2019-12-05T01:49:28.817000Z");
        }
        if (ev.kind == UM_EV_LOGON && strstr(ln, "\"TargetUserName\":\"pgustavo\"")) {
            CHECK_STREQ(ev.user, "SHIRE.COM\\pgustavo");
            CHECK(ev.ip == NULL); /* IpAddress "-" */
            CHECK_STREQ(ev.action, "4624 type 3");
            CHECK_INTEQ(ev.success, 1);
        }
        if (ev.kind == UM_EV_LOGON && strstr(ln, "\"RecordNumber\":79150,")) {
            CHECK_STREQ(ev.ip, "172.18.39.105");
            CHECK_STREQ(ev.user, "SHIRE.COM\\IT001$");
            CHECK_STREQ(ev.host, "HFDC01.shire.com");
            char t[40];
            fmt_time(ev.ts, t, sizeof t); /* no UtcTime in Security: @timestamp */
            CHECK_STREQ(t, "2019-12-05T01:49:49.306000Z");
        }
        if (ev.kind == UM_EV_PROCESS && strstr(ln, "\"RecordNumber\":27530,")) { /* 4688 */
            CHECK_STREQ(ev.image, "C:\\Windows\\System32\\gpupdate.exe");
            CHECK_STREQ(ev.cmdline, "gpupdate.exe /target:computer");
            CHECK_STREQ(ev.parent_image, "C:\\Windows\\System32\\svchost.exe");
            CHECK_STREQ(ev.user, "shire\\IT001$");
        }
    }
    CHECK_INTEQ(lines, 439);
    CHECK_INTEQ(rej, 0);
    CHECK_INTEQ(skip, 62);
    CHECK_INTEQ(s4634, 41);
    CHECK_INTEQ(s4672, 21);
    CHECK_INTEQ(kinds[UM_EV_NETCONN], 276);
    CHECK_INTEQ(kinds[UM_EV_DNS], 20);
    CHECK_INTEQ(kinds[UM_EV_PROCESS], 34);
    CHECK_INTEQ(kinds[UM_EV_LOGON], 47);
    CHECK_INTEQ(shire, 377);
    CHECK_INTEQ(hosts_seen, 5);
    for (int i = 0; i < hosts_seen; i++) free((void *)hosts[i]);
    um_winjson_free(w);
    free(all);
}

/* ---- synthetic events, mapping level ---- */

static void t_mapping(void) {
    um_winjson *w = um_winjson_new();
    um_event ev;
    const char *why;
    unsigned id;

    /* 6416, not USB: PrintNightmare-style print queue */
    CHECK_INTEQ(map_text(w,
                         "{\"Event\":{\"System\":{\"Provider\":{\"#attributes\":{\"Name\":"
                         "\"Microsoft-Windows-Security-Auditing\"}},\"EventID\":6416,\"TimeCreated\":"
                         "{\"#attributes\":{\"SystemTime\":\"2021-10-27T10:34:49.837Z\"}},\"Channel\":"
                         "\"Security\",\"Computer\":\"FS03.offsec.lan\"},\"EventData\":{\"DeviceId\":"
                         "\"SWD\\\\PRINTENUM\\\\{32FB2173-023E-43DF-9F82-0E851CC0D9BF}\","
                         "\"DeviceDescription\":\"\\\\\\\\fs03vuln\\\\Kiwi Legit Printer\"}}}",
                         &ev, &id, &why),
                UM_WIN_EVENT);
    CHECK_INTEQ(ev.kind, UM_EV_USB);
    CHECK_STREQ(ev.device_id, "SWD\\PRINTENUM\\{32FB2173-023E-43DF-9F82-0E851CC0D9BF}");
    CHECK_STREQ(ev.device_desc, "\\\\fs03vuln\\Kiwi Legit Printer");
    CHECK_INTEQ(ev.usb_vid, -1);
    CHECK_INTEQ(ev.usb_pid, -1);
    CHECK_STREQ(ev.host, "FS03.offsec.lan");

    /* 6416 with a USB id; EventID wrapped with Qualifiers */
    CHECK_INTEQ(map_text(w,
                         "{\"Event\":{\"System\":{\"EventID\":{\"#attributes\":{\"Qualifiers\":0},"
                         "\"#text\":6416},\"TimeCreated\":{\"#attributes\":{\"SystemTime\":"
                         "\"2024-01-02T03:04:05Z\"}},\"Channel\":\"Security\"},\"EventData\":{"
                         "\"DeviceId\":\"USB\\\\VID_1D6B&PID_0104\\\\CAFE\",\"DeviceDescription\":"
                         "\"PiKVM Composite Device\"}}}",
                         &ev, &id, &why),
                UM_WIN_EVENT);
    CHECK_INTEQ(ev.usb_vid, 0x1d6b);
    CHECK_INTEQ(ev.usb_pid, 0x0104);

    /* VID/PID only in VendorIds (NXLog flat, lower-case channel) */
    CHECK_INTEQ(map_text(w,
                         "{\"Channel\":\"security\",\"EventID\":\"6416\",\"@timestamp\":"
                         "\"2024-01-02T03:04:05Z\",\"DeviceId\":\"HID\\\\CONVERTED\\\\1\","
                         "\"VendorIds\":\"USB\\\\VID_046D&PID_C52B&REV_1211\\r\\n\\tUSB\\\\VID_046D\"}",
                         &ev, &id, &why),
                UM_WIN_EVENT);
    CHECK_INTEQ(ev.usb_vid, 0x046d);
    CHECK_INTEQ(ev.usb_pid, 0xc52b);

    /* 4625 RDP failure, case-varied keys */
    CHECK_INTEQ(map_text(w,
                         "{\"channel\":\"Security\",\"eventid\":4625,\"hostname\":\"PC1\",\"@timestamp\":"
                         "\"2024-05-01T10:00:00Z\",\"TargetUserName\":\"bob\",\"TargetDomainName\":\"-\","
                         "\"LogonType\":\"10\",\"IpAddress\":\"175.45.178.1\",\"IpPort\":\"5555\"}",
                         &ev, &id, &why),
                UM_WIN_EVENT);
    CHECK_INTEQ(ev.kind, UM_EV_LOGON);
    CHECK_INTEQ(ev.success, 0);
    CHECK_STREQ(ev.user, "bob");
    CHECK_STREQ(ev.ip, "175.45.178.1");
    CHECK_STREQ(ev.action, "4625 type 10");
    CHECK_STREQ(ev.host, "PC1");

    /* 4778 reconnect */
    CHECK_INTEQ(map_text(w,
                         "{\"Channel\":\"Security\",\"EventID\":4778,\"@timestamp\":\"2024-05-01T10:00:00Z\","
                         "\"AccountName\":\"alice\",\"AccountDomain\":\"CORP\",\"ClientAddress\":\"10.1.2.3\"}",
                         &ev, &id, &why),
                UM_WIN_EVENT);
    CHECK_STREQ(ev.user, "CORP\\alice");
    CHECK_STREQ(ev.ip, "10.1.2.3");

    /* Sysmon 3 inbound: the peer is the source */
    CHECK_INTEQ(map_text(w,
                         "{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":3,\"UtcTime\":"
                         "\"2024-05-01 10:00:00.000\",\"Image\":\"C:\\\\Windows\\\\System32\\\\svchost.exe\","
                         "\"Initiated\":\"false\",\"SourceIp\":\"1.2.3.4\",\"DestinationIp\":\"10.0.0.5\","
                         "\"DestinationPort\":3389}",
                         &ev, &id, &why),
                UM_WIN_EVENT);
    CHECK_STREQ(ev.ip, "1.2.3.4");
    CHECK_INTEQ(ev.port, 3389);
    CHECK_STREQ(ev.action, "sysmon 3 inbound");

    /* Winlogbeat / ECS */
    CHECK_INTEQ(map_text(w,
                         "{\"@timestamp\":\"2024-06-01T12:00:00.000Z\",\"host\":{\"name\":\"ws1\"},"
                         "\"winlog\":{\"channel\":\"Security\",\"event_id\":\"4624\",\"computer_name\":"
                         "\"WS1.corp.local\",\"record_id\":77,\"event_data\":{\"TargetUserName\":\"jdoe\","
                         "\"TargetDomainName\":\"CORP\",\"LogonType\":\"10\",\"IpAddress\":\"5.6.7.8\"}}}",
                         &ev, &id, &why),
                UM_WIN_EVENT);
    CHECK_INTEQ(ev.kind, UM_EV_LOGON);
    CHECK_STREQ(ev.user, "CORP\\jdoe");
    CHECK_STREQ(ev.host, "WS1.corp.local");
    CHECK_STREQ(ev.record_id, "77");
    CHECK_STREQ(ev.action, "4624 type 10");
    char t[40];
    fmt_time(ev.ts, t, sizeof t);
    CHECK_STREQ(t, "2024-06-01T12:00:00.000000Z");

    /* ECS with Sysmon DNS, host only in host.name */
    CHECK_INTEQ(map_text(w,
                         "{\"@timestamp\":\"2024-06-01T12:00:00Z\",\"host\":{\"name\":\"ws2\"},"
                         "\"winlog\":{\"channel\":\"Microsoft-Windows-Sysmon/Operational\",\"event_id\":22,"
                         "\"event_data\":{\"QueryName\":\"relay.anydesk.com\",\"Image\":\"C:\\\\a.exe\"}}}",
                         &ev, &id, &why),
                UM_WIN_EVENT);
    CHECK_INTEQ(ev.kind, UM_EV_DNS);
    CHECK_STREQ(ev.target, "relay.anydesk.com");
    CHECK_STREQ(ev.host, "ws2");
    CHECK(ev.user == NULL);

    /* DriverFrameworks 2003 and Kernel-PnP 400 */
    CHECK_INTEQ(map_text(w,
                         "{\"Channel\":\"Microsoft-Windows-DriverFrameworks-UserMode/Operational\",\"EventID\":2003,"
                         "\"@timestamp\":\"2024-06-01T12:00:00Z\",\"InstanceId\":\"USB\\\\VID_0781&PID_5567\\\\4C53\"}",
                         &ev, &id, &why),
                UM_WIN_EVENT);
    CHECK_INTEQ(ev.kind, UM_EV_USB);
    CHECK_INTEQ(ev.usb_vid, 0x0781);
    CHECK_INTEQ(ev.usb_pid, 0x5567);
    CHECK_INTEQ(map_text(w,
                         "{\"SourceName\":\"Microsoft-Windows-Kernel-PnP\",\"EventID\":400,"
                         "\"@timestamp\":\"2024-06-01T12:00:00Z\",\"DeviceInstanceId\":\"USB\\\\VID_2B77&PID_9999\\\\1\"}",
                         &ev, &id, &why),
                UM_WIN_EVENT);
    CHECK_INTEQ(ev.usb_vid, 0x2b77);

    /* unhandled: id reported */
    CHECK_INTEQ(map_text(w, "{\"Channel\":\"Security\",\"EventID\":4634,\"@timestamp\":\"2024-06-01T12:00:00Z\"}",
                         &ev, &id, &why),
                UM_WIN_SKIP);
    CHECK_INTEQ(id, 4634);
    CHECK_INTEQ(map_text(w, "{\"Channel\":\"Application\",\"EventID\":1,\"@timestamp\":\"2024-06-01T12:00:00Z\"}",
                         &ev, &id, &why),
                UM_WIN_SKIP);

    /* rejects, with reasons */
    CHECK_INTEQ(map_text(w,
                         "{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":1,\"UtcTime\":"
                         "\"2024-05-01 10:00:00.000\",\"Image\":\"C:\\\\good.exe\",\"Image\":\"C:\\\\evil.exe\"}",
                         &ev, &id, &why),
                UM_WIN_REJECT);
    CHECK_STREQ(why, "duplicate key 'Image'");
    CHECK_INTEQ(map_text(w, "{\"Channel\":\"Security\",\"EventID\":\"abc\",\"@timestamp\":\"2024-06-01T12:00:00Z\"}",
                         &ev, &id, &why),
                UM_WIN_REJECT);
    CHECK(strstr(why, "EventID 'abc'") != NULL);
    CHECK_INTEQ(map_text(w,
                         "{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":1,\"UtcTime\":"
                         "\"2023-02-29 10:00:00.000\",\"Image\":\"C:\\\\a.exe\"}",
                         &ev, &id, &why),
                UM_WIN_REJECT);
    CHECK(strstr(why, "UtcTime '2023-02-29") != NULL);
    CHECK_INTEQ(map_text(w,
                         "{\"Channel\":\"Security\",\"EventID\":4624,\"EventTime\":\"2019-12-04 20:49:31\","
                         "\"TargetUserName\":\"x\"}",
                         &ev, &id, &why),
                UM_WIN_REJECT);
    CHECK(strstr(why, "no UTC time") != NULL);
    CHECK_INTEQ(map_text(w,
                         "{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":3,\"UtcTime\":"
                         "\"2024-05-01 10:00:00.000\",\"Image\":\"a\",\"DestinationPort\":\"70000\"}",
                         &ev, &id, &why),
                UM_WIN_REJECT);
    CHECK(strstr(why, "DestinationPort") != NULL);
    CHECK_INTEQ(map_text(w,
                         "{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":1,\"UtcTime\":"
                         "\"2024-05-01 10:00:00.000\",\"Image\":\"C:\\\\a\\u0000.exe\"}",
                         &ev, &id, &why),
                UM_WIN_REJECT);
    CHECK(strstr(why, "NUL") != NULL);
    CHECK_INTEQ(map_text(w, "[1,2]", &ev, &id, &why), UM_WIN_REJECT);
    CHECK_INTEQ(map_text(w, "{\"EventID\": \"\xff\xfe\"}", &ev, &id, &why), UM_WIN_REJECT);
    CHECK(strstr(why, "invalid JSON") != NULL);
    um_winjson_free(w);
}

/* The bag's name index hashes a word at a time with ASCII letters folded:
 * every length (tails of 1-7 bytes after 0-5 words), case changes in every
 * position, bytes that differ from a letter only in bit 5 ('@' and '`',
 * '[' and '{', '^' and '~'), and a NUL at every position of a key. */
static void t_fields_names(void) {
    um_winfields *f = calloc(1, sizeof *f);
    char names[48][48], upper[48], val[48][8];
    for (size_t n = 1; n < 48; n++) {
        um_winfields_reset(f);
        for (size_t i = 0; i < n; i++) names[n][i] = (char)('a' + (i * 7 + n) % 26);
        names[n][n] = 0;
        snprintf(val[n], sizeof val[n], "v%zu", n);
        um_winfields_add(f, names[n], val[n], strlen(val[n]), 1);
        for (size_t i = 0; i < n; i++) { /* one capital at each position */
            memcpy(upper, names[n], n + 1);
            upper[i] = (char)(upper[i] - 32);
            unsigned c = 0;
            CHECK_STREQ(um_winfields_get(f, upper, &c), val[n]);
            CHECK_INTEQ(c, 1);
            upper[i] = '@'; /* not a letter: a different name */
            CHECK(um_winfields_get(f, upper, NULL) == NULL);
        }
        memcpy(upper, names[n], n + 1);
        upper[n - 1] = 0; /* a prefix is another name */
        if (n > 1) CHECK(um_winfields_get(f, upper, NULL) == NULL);
        /* a NUL at each position of a JSON key: refused, nothing added */
        for (size_t i = 0; i < n; i++) {
            char key[48];
            memcpy(key, names[n], n + 1);
            key[i] = 0;
            CHECK(!um_winfields_add_key(f, key, n, "x", 1, 1));
        }
        CHECK(um_winfields_add_key(f, names[n], n, "dup", 3, 1));
        unsigned c = 0;
        CHECK_STREQ(um_winfields_get(f, names[n], &c), val[n]);
        CHECK_INTEQ(c, 2);
        CHECK_INTEQ(f->n, 1);
    }
    um_winfields_reset(f);
    um_winfields_add(f, "a@b", "1", 1, 1);
    um_winfields_add(f, "a[b^", "2", 1, 1);
    CHECK(um_winfields_get(f, "a`b", NULL) == NULL);
    CHECK(um_winfields_get(f, "A{B^", NULL) == NULL);
    CHECK(um_winfields_get(f, "a[b~", NULL) == NULL);
    CHECK_STREQ(um_winfields_get(f, "A[B^", NULL), "2");
    CHECK_STREQ(um_winfields_get(f, "A@B", NULL), "1");
    free(f);
}

static void t_fields_direct(void) {
    /* the bag API the EVTX reader can use */
    um_winfields *f = calloc(1, sizeof *f);
    um_winfields_reset(f);
    um_winfields_add(f, "Provider", "Microsoft-Windows-Sysmon", 24, 1);
    um_winfields_add(f, "EventID", "11", 2, 1);
    um_winfields_add(f, "TimeCreated", "2025-10-24T23:34:34.640670Z", 27, 1);
    um_winfields_add(f, "Image", "C:\\a.exe", 8, 1);
    um_winfields_add(f, "TargetFilename", "C:\\x", 4, 1);
    um_event ev;
    const char *why;
    CHECK_INTEQ(um_winevent_map(f, &ev, &why), UM_WIN_EVENT);
    CHECK_INTEQ(ev.kind, UM_EV_FILE);
    CHECK_STREQ(ev.target, "C:\\x");
    um_winfields_add(f, "image", "C:\\b.exe", 8, 1);
    unsigned c;
    CHECK_STREQ(um_winfields_get(f, "IMAGE", &c), "C:\\a.exe");
    CHECK_INTEQ(c, 2);
    CHECK_INTEQ(um_winevent_map(f, &ev, &why), UM_WIN_REJECT);
    CHECK_STREQ(why, "duplicate key 'Image'");
    int vid = -1, pid = -1;
    um_winevent_usb_ids("USB\\VID_12345&PID_00", &vid, &pid);
    CHECK_INTEQ(vid, -1);
    CHECK_INTEQ(pid, -1);
    um_winevent_usb_ids("usb\\vid_abcd&pid_0001", &vid, &pid);
    CHECK_INTEQ(vid, 0xabcd);
    CHECK_INTEQ(pid, 1);
    free(f);
}

/* ---- whole scans through the public API ---- */

typedef struct scan_res {
    um_scan_stats st;
    char reasons[2048]; /* rejects then warnings, "line:reason|" */
} scan_res;

static void run_scan(const char *path, const char *format, scan_res *out) {
    memset(out, 0, sizeof *out);
    um_ctx_options o = {0};
    o.data_dir = getenv("UNMASK_DATA_DIR");
    um_ctx *ctx = NULL;
    CHECK_INTEQ(um_ctx_open(&ctx, &o), UM_OK);
    um_scan *s = NULL;
    CHECK_INTEQ(um_scan_new(ctx, &s), UM_OK);
    CHECK_INTEQ(um_scan_add_path(s, path, format), UM_OK);
    CHECK_INTEQ(um_scan_run(s, NULL, NULL), UM_OK);
    um_scan_get_stats(s, &out->st);
    size_t off = 0;
    for (size_t i = 0; i < um_scan_reject_count(s) && um_scan_reject(s, i); i++) {
        const um_reject_info *r = um_scan_reject(s, i);
        int k = snprintf(out->reasons + off, sizeof out->reasons - off, "R%llu:%s|",
                         (unsigned long long)r->line, r->reason);
        if (k > 0 && (size_t)k < sizeof out->reasons - off) off += (size_t)k;
    }
    for (size_t i = 0; i < um_scan_warning_count(s) && um_scan_warning(s, i); i++) {
        const um_reject_info *r = um_scan_warning(s, i);
        int k = snprintf(out->reasons + off, sizeof out->reasons - off, "W%llu:%s|",
                         (unsigned long long)r->line, r->reason);
        if (k > 0 && (size_t)k < sizeof out->reasons - off) off += (size_t)k;
    }
    um_scan_free(s);
    um_ctx_close(ctx);
}

static void t_scan_samples(void) {
    scan_res r;
    char *p = fixture_path(ANYDESK);
    run_scan(p, NULL, &r); /* detected as sysmon-json */
    CHECK_INTEQ(r.st.events, 5);
    CHECK_INTEQ(r.st.rejects, 0);
    CHECK_INTEQ(r.st.warnings, 0);
    free(p);
    p = fixture_path(CHCP);
    run_scan(p, NULL, &r);
    CHECK_INTEQ(r.st.events, 1);
    CHECK_INTEQ(r.st.rejects, 0);
    free(p);
    p = fixture_path(OTRF);
    run_scan(p, NULL, &r); /* detected as winlog-jsonl */
    CHECK_INTEQ(r.st.events, 377);
    CHECK_INTEQ(r.st.rejects, 0);
    CHECK_INTEQ(r.st.warnings, 1);
    CHECK(strstr(r.reasons, "62 events of unhandled types skipped (ids: ") != NULL);
    CHECK(strstr(r.reasons, "4634 x41") != NULL);
    CHECK(strstr(r.reasons, "4672 x21") != NULL);
    free(p);
    /* the NXLog file also reads as brace-matched objects, with the same result */
    p = fixture_path(OTRF);
    run_scan(p, "sysmon-json", &r);
    CHECK_INTEQ(r.st.events, 377);
    CHECK_INTEQ(r.st.rejects, 0);
    free(p);
}

static char *write_tmp(const char *dir, const char *name, const char *a, size_t an) {
    char *p = NULL;
    if (asprintf(&p, "%s/%s", dir, name) < 0) return NULL;
    FILE *f = fopen(p, "wb");
    if (f) {
        fwrite(a, 1, an, f);
        fclose(f);
    }
    return p;
}

#define SYSMON11_OBJ(time, extra)                                                           \
    "{\n  \"Event\": {\n    \"System\": {\n      \"Provider\": {\"#attributes\": {\"Name\": " \
    "\"Microsoft-Windows-Sysmon\"}},\n      \"EventID\": 11,\n      \"TimeCreated\": "        \
    "{\"#attributes\": {\"SystemTime\": \"" time "\"}},\n      \"Computer\": \"h1\"\n    },\n" \
    "    \"EventData\": {\n      \"Image\": \"C:\\\\a.exe\",\n" extra                         \
    "      \"TargetFilename\": \"C:\\\\t {x} \\\" }\"\n    }\n  }\n}\n"

static void t_hostile_objects(void) {
    char dir[] = "/tmp/um_winjson_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    um_buf b;
    um_buf_init(&b);
    um_buf_adds(&b, SYSMON11_OBJ("2024-01-01T00:00:00Z", ""));                         /* line 1: ok */
    um_buf_adds(&b, SYSMON11_OBJ("2024-01-01T00:00:01Z", "      \"Image\": \"C:\\\\b.exe\",\n")); /* dup */
    um_buf_adds(&b, SYSMON11_OBJ("2024-02-30T00:00:00Z", ""));                         /* no Feb 30 */
    um_buf_adds(&b, "{\"Event\":{\"System\":{\"Channel\":\"Security\",\"EventID\":\"abc\"}}}\n");
    um_buf_adds(&b, "{\"Event\":{\"System\":{\"Channel\":\"Security\",\"Computer\":\"\xC3\x28\"}}}\n");
    um_buf_adds(&b, "garbage here\n");
    /* a 2 MB object on one line */
    um_buf_adds(&b, "{\"Event\":{\"System\":{\"EventID\":1},\"EventData\":{\"CommandLine\":\"");
    for (int i = 0; i < 2 * 1024 * 1024; i++) um_buf_addc(&b, 'A');
    um_buf_adds(&b, "\"}}}\n");
    um_buf_adds(&b, SYSMON11_OBJ("2024-01-01T00:00:09Z", ""));                         /* ok */
    um_buf_adds(&b, "{\"Event\":{\"System\":{\"Channel\":\"Security\",\"EventID\":4672,"
                    "\"TimeCreated\":{\"#attributes\":{\"SystemTime\":\"2024-01-01T00:00:00Z\"}}}}}\n");
    um_buf_adds(&b, "{\"Event\":{\"System\":{\"Channel\":\"Security\",\"EventID\":46"); /* cut short */
    CHECK(!b.oom);
    char *p = write_tmp(dir, "hostile.json", b.s, b.len);
    scan_res r;
    run_scan(p, "sysmon-json", &r);
    CHECK_INTEQ(r.st.events, 2);
    CHECK_INTEQ(r.st.rejects, 7);
    CHECK_INTEQ(r.st.warnings, 1);
    CHECK(strstr(r.reasons, "duplicate key 'Image'") != NULL);
    CHECK(strstr(r.reasons, "SystemTime '2024-02-30") != NULL);
    CHECK(strstr(r.reasons, "EventID 'abc'") != NULL);
    CHECK(strstr(r.reasons, "invalid JSON") != NULL);
    CHECK(strstr(r.reasons, "text outside a JSON object") != NULL);
    CHECK(strstr(r.reasons, "larger than") != NULL);
    CHECK(strstr(r.reasons, "truncated JSON object at end of file") != NULL);
    CHECK(strstr(r.reasons, "1 events of unhandled types skipped (ids: 4672 x1)") != NULL);
    /* the object with the duplicate starts on line 15 (the first is 14 lines) */
    CHECK(strstr(r.reasons, "R15:duplicate key 'Image'") != NULL);
    unlink(p);
    free(p);

    /* a pretty-printed object cut short is resynchronised at the next '{' in column 0 */
    um_buf_reset(&b);
    um_buf_adds(&b, "{\n  \"Event\": {\n    \"System\": {\n");
    um_buf_adds(&b, SYSMON11_OBJ("2024-01-01T00:00:00Z", ""));
    p = write_tmp(dir, "cut.json", b.s, b.len);
    run_scan(p, "sysmon-json", &r);
    CHECK_INTEQ(r.st.events, 1);
    CHECK_INTEQ(r.st.rejects, 1);
    CHECK(strstr(r.reasons, "R1:JSON object not closed before line 4") != NULL);
    unlink(p);
    free(p);

    p = write_tmp(dir, "empty.json", "", 0);
    run_scan(p, "sysmon-json", &r);
    CHECK_INTEQ(r.st.events, 0);
    CHECK_INTEQ(r.st.rejects, 0);
    CHECK_INTEQ(r.st.warnings, 1);
    CHECK(strstr(r.reasons, "empty file") != NULL);
    run_scan(p, "winlog-jsonl", &r);
    CHECK_INTEQ(r.st.events, 0);
    CHECK_INTEQ(r.st.rejects, 0);
    CHECK_INTEQ(r.st.warnings, 1);
    unlink(p);
    free(p);
    um_buf_free(&b);
    rmdir(dir);
}

static void t_hostile_lines(void) {
    char dir[] = "/tmp/um_winjson_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    um_buf b;
    um_buf_init(&b);
    const char *sys3 = "{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":3,"
                       "\"UtcTime\":\"2019-12-05 01:49:28.817\",\"Image\":\"System\",";
    um_buf_printf(&b, "%s\"DestinationIp\":\"1.1.1.1\",\"DestinationPort\":\"138\"}\n", sys3); /* 1 ok */
    um_buf_printf(&b, "%s\"Image\":\"x\",\"DestinationIp\":\"1.1.1.1\"}\n", sys3);              /* 2 dup */
    um_buf_adds(&b, "{\"Channel\":\"Security\",\"EventID\":\"abc\",\"@timestamp\":\"2024-01-01T00:00:00Z\"}\n");
    um_buf_adds(&b, "{\"Channel\":\"Security\",\"Message\":\""); /* 4: 2 MB line */
    for (int i = 0; i < 2 * 1024 * 1024; i++) um_buf_addc(&b, 'B');
    um_buf_adds(&b, "\"}\n");
    um_buf_adds(&b, "{\"Channel\":\"Security\",\"Hostname\":\"\xff\"}\n"); /* 5 bad UTF-8 */
    um_buf_adds(&b, "not json\n");                                         /* 6 */
    um_buf_adds(&b, "   \n");                                              /* 7 blank: not a record */
    um_buf_adds(&b, "{\"@timestamp\":\"2024-06-01T12:00:00Z\",\"winlog\":{\"channel\":\"Security\","
                    "\"event_id\":4624,\"event_data\":{\"TargetUserName\":\"u\",\"LogonType\":\"2\"}}}\n"); /* 8 ok */
    um_buf_printf(&b, "%s\"DestinationIp\":\"1.1.1.1\"}\n", /* 9: month 13 */
                  "{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":3,"
                  "\"UtcTime\":\"2019-13-05 01:49:28.817\",\"Image\":\"System\",");
    um_buf_adds(&b, "{\"Channel\":\"Security\",\"EventID\":4624,\"EventTime\":\"2019-12-04 20:49:31\","
                    "\"TargetUserName\":\"u\"}\n");                                       /* 10 local only */
    um_buf_adds(&b, "{\"Channel\":\"Security\",\"EventID\":4634,\"@timestamp\":\"2024-01-01T00:00:00Z\"}\n"); /* 11 */
    um_buf_adds(&b, "{\"Channel\":\"Security\",\"EventID\":1,");                          /* 12 truncated */
    CHECK(!b.oom);
    char *p = write_tmp(dir, "hostile.jsonl", b.s, b.len);
    scan_res r;
    run_scan(p, "winlog-jsonl", &r);
    CHECK_INTEQ(r.st.events, 2);
    CHECK_INTEQ(r.st.rejects, 8);
    CHECK_INTEQ(r.st.warnings, 1);
    CHECK(strstr(r.reasons, "R2:duplicate key 'Image'") != NULL);
    CHECK(strstr(r.reasons, "R3:EventID 'abc'") != NULL);
    CHECK(strstr(r.reasons, "R4:line longer than") != NULL);
    CHECK(strstr(r.reasons, "R5:invalid JSON") != NULL);
    CHECK(strstr(r.reasons, "R6:invalid JSON") != NULL);
    CHECK(strstr(r.reasons, "R9:UtcTime '2019-13-05") != NULL);
    CHECK(strstr(r.reasons, "R10:no UTC time") != NULL);
    CHECK(strstr(r.reasons, "R12:invalid JSON") != NULL);
    CHECK(strstr(r.reasons, "W0:1 events of unhandled types skipped (ids: 4634 x1)") != NULL);
    unlink(p);
    free(p);
    um_buf_free(&b);
    rmdir(dir);
}

/* Objects are listed once (um_jmembers) up to UM_WIN_MAX_FIELDS members and
 * walked in the DOM beyond: both ways give the same bag, the same duplicate
 * counts and the same rejects. */
static void t_member_lists(void) {
    um_winjson *w = um_winjson_new();
    um_event ev;
    const char *why;
    unsigned id;
    static const char sysmon1[] = "\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":1,"
                                  "\"UtcTime\":\"2024-05-01 10:00:00.000\",\"Image\":\"C:\\\\a.exe\"";
    for (int extra = 240; extra <= 300; extra += 60) { /* listed (<= 256 members), then walked */
        um_buf b;
        um_buf_init(&b);
        um_buf_printf(&b, "{%s", sysmon1);
        for (int i = 0; i < extra; i++) um_buf_printf(&b, ",\"F%d\":%s", i, i % 2 ? "\"v\"" : "7");
        um_buf_adds(&b, "}");
        int r = map_text(w, b.s, &ev, &id, &why);
        if (extra + 4 <= UM_WIN_MAX_FIELDS) {
            CHECK_INTEQ(r, UM_WIN_EVENT);
            CHECK_INTEQ((long long)um_winjson_fields(w)->n, extra + 4);
            CHECK_STREQ(um_winfields_get(um_winjson_fields(w), "f3", NULL), "v"); /* names case-insensitive */
            CHECK_STREQ(um_winfields_get(um_winjson_fields(w), "F2", NULL), "7");
        } else {
            CHECK_INTEQ(r, UM_WIN_REJECT);
            CHECK(strstr(why, "more than") != NULL);
        }
        /* the same with a duplicate Image last: found either way */
        b.len--;
        um_buf_adds(&b, ",\"IMAGE\":\"C:\\\\b.exe\"}");
        r = map_text(w, b.s, &ev, &id, &why);
        CHECK_INTEQ(r, UM_WIN_REJECT);
        CHECK(strstr(why, extra + 4 <= UM_WIN_MAX_FIELDS ? "duplicate key 'Image'" : "more than") != NULL);
        /* Winlogbeat: a winlog object of as many members */
        um_buf_free(&b);
        um_buf_init(&b);
        um_buf_adds(&b, "{\"@timestamp\":\"2024-05-01T10:00:00Z\",\"winlog\":{\"channel\":"
                        "\"Microsoft-Windows-Sysmon/Operational\",\"event_id\":\"1\",\"computer_name\":\"h1\"");
        for (int i = 0; i < extra; i++) um_buf_printf(&b, ",\"F%d\":%d", i, i);
        um_buf_adds(&b, ",\"event_data\":{\"Image\":\"C:\\\\a.exe\",\"UtcTime\":\"2024-05-01 10:00:00.000\"}}}");
        r = map_text(w, b.s, &ev, &id, &why);
        if (extra + 6 <= UM_WIN_MAX_FIELDS) {
            CHECK_INTEQ(r, UM_WIN_EVENT);
            CHECK_STREQ(ev.host, "h1");
            CHECK_STREQ(um_winfields_get(um_winjson_fields(w), "image", NULL), "C:\\a.exe");
        } else {
            CHECK_INTEQ(r, UM_WIN_REJECT);
            CHECK(strstr(why, "more than") != NULL);
        }
        um_buf_free(&b);
    }
    /* top-level keys: "winlog" twice, "Event" in two cases */
    CHECK_INTEQ(map_text(w, "{\"winlog\":{\"event_id\":\"1\"},\"winlog\":{}}", &ev, &id, &why), UM_WIN_REJECT);
    CHECK_STREQ(why, "duplicate key 'winlog'");
    CHECK_INTEQ(map_text(w, "{\"EVENT\":{},\"event\":{}}", &ev, &id, &why), UM_WIN_REJECT);
    CHECK_STREQ(why, "duplicate key 'Event'");
    um_winjson_free(w);
}

int main(void) {
    RUN(t_anydesk_first);
    RUN(t_chcp);
    RUN(t_otrf_lines);
    RUN(t_mapping);
    RUN(t_member_lists);
    RUN(t_fields_direct);
    RUN(t_fields_names);
    RUN(t_scan_samples);
    RUN(t_hostile_objects);
    RUN(t_hostile_lines);
    return um_t_report();
}
