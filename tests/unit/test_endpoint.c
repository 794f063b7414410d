/* test_endpoint.c - IP-KVM matching, the activity-hours decisions, the
 * endpoint, rules (Sigma pack: remote-access tools, VPN) and hours analyzers
 * on a small scan, and an end-to-end run on real Sysmon / USBTreeView
 * samples. (The rule semantics themselves: tests/data/sigma/cases.) */
#include <stdlib.h>
#include <unistd.h>

#include "core/scan.h"
#include "detect/rules.h"
#include "read/winevent.h"
#include "harness.h"
#include "unmask.h"

extern const um_analyzer um_analyzer_endpoint, um_analyzer_hours, um_analyzer_rules;

/* A Sysmon 1 record's fields, as the Windows readers hand them over. */
static um_winfields bag;
static void sysmon1(um_event *e, const char *image) {
    um_winfields_reset(&bag);
    um_winfields_add(&bag, "EventID", "1", 1, 1);
    um_winfields_add(&bag, "Channel", "Microsoft-Windows-Sysmon/Operational", 36, 1);
    um_winfields_add(&bag, "Image", image, strlen(image), 1);
    um_event_set_fields(e, &bag);
}

static const char *data_dir(void) {
    const char *d = getenv("UNMASK_DATA_DIR");
    static char buf[4096]; /* test-only */
    if (d) return d;
    snprintf(buf, sizeof buf, "%s/data", um_t_src());
    return buf;
}

static um_event ev_of(um_event_kind k, const char *image, const char *target) {
    um_event e;
    um_event_init(&e);
    e.kind = k;
    e.image = image;
    e.target = target;
    return e;
}

static void t_kvm(void) {
    um_kvm_list k;
    um_kvm_list_init(&k);
    char p[4200];
    snprintf(p, sizeof p, "%s/ioc/kvm_usb_device.csv", data_dir());
    FILE *f = fopen(p, "r");
    CHECK(f != NULL);
    if (f) {
        CHECK_INTEQ(um_kvm_list_load(&k, f), UM_OK);
        fclose(f);
    }
    um_kvm_match m;
    const char *pikvm[] = {"PiKVM Composite Device", NULL};
    CHECK(um_kvm_match_device(&k, 0x1d6b, 0x0104, pikvm, 2, NULL, &m));
    CHECK_INTEQ(m.strength, UM_STRONG);
    CHECK_INTEQ(m.weight, 50);
    CHECK_STREQ(m.key, "1d6b:0104");

    const char *mouse[] = {"USB-PS/2 Optical Mouse", "Logitech"};
    CHECK(!um_kvm_match_device(&k, 0x046d, 0xc012, mouse, 2, NULL, &m));
    const char *hub[] = {"Linux Foundation 2.0 root hub"};
    CHECK(!um_kvm_match_device(&k, 0x1d6b, 0x0002, hub, 1, NULL, &m));
    const char *spoof[] = {"PiKVM"}; /* root hub ids never, whatever the text */
    CHECK(!um_kvm_match_device(&k, 0x1d6b, 0x0003, spoof, 1, NULL, &m));
    const char *intel[] = {"Intel hub"};
    CHECK(!um_kvm_match_device(&k, 0x8087, 0x8008, intel, 1, NULL, &m));

    const char *gadget[] = {"Multifunction Composite Gadget"};
    CHECK(um_kvm_match_device(&k, 0x1d6b, 0x0104, gadget, 1, NULL, &m));
    CHECK_INTEQ(m.strength, UM_MEDIUM);
    CHECK_INTEQ(m.weight, 25);
    CHECK(strstr(m.reason, "generic Linux USB gadget id used by PiKVM/TinyPilot/JetKVM") != NULL);
    CHECK(um_kvm_match_device(&k, 0x1d6b, 0x0104, gadget, 1, "CAFEBABE", &m));
    CHECK_INTEQ(m.strength, UM_STRONG);
    const char *ckvm[] = {"Composite KVM Device"};
    CHECK(um_kvm_match_device(&k, 0x1d6b, 0x0104, ckvm, 1, NULL, &m));
    CHECK_INTEQ(m.strength, UM_STRONG);

    const char *tp[] = {"Multifunction USB Device", "tinypilot"};
    CHECK(um_kvm_match_device(&k, 0x1d6b, 0x0104, tp, 2, NULL, &m));
    CHECK_INTEQ(m.strength, UM_STRONG);
    const char *ch[] = {"WCH UART TO KB-MS"};
    CHECK(um_kvm_match_device(&k, 0x1a86, 0xe129, ch, 1, NULL, &m));
    CHECK_INTEQ(m.strength, UM_STRONG);
    CHECK_STREQ(m.key, "1a86:e129");
    /* an ordinary desk KVM switch is not an IP-KVM */
    const char *aten[] = {"ATEN CS1784 KVM Switch"};
    CHECK(!um_kvm_match_device(&k, 0x0557, 0x2213, aten, 1, NULL, &m));
    /* PnP 6416 of a print queue: no USB id, nothing */
    const char *pq[] = {"\\\\fs03vuln\\Kiwi Legit Printer"};
    CHECK(!um_kvm_match_device(&k, -1, -1, pq, 1, NULL, &m));
    um_kvm_list_free(&k);
}

/* hist with `per` counts in every UTC hour [from, to) (wrapping). */
static void fill(uint32_t h[24], int from, int to, uint32_t per) {
    memset(h, 0, 24 * sizeof *h);
    for (int i = from; i != to; i = (i + 1) % 24) h[i] = per;
}

static um_finding mkf(const char *ind, um_strength s, int w) {
    um_finding f;
    memset(&f, 0, sizeof f);
    f.info.indicator = ind;
    f.info.weight = w;
    f.strength = s;
    return f;
}

static void t_hours(void) {
    uint32_t h[24];
    um_hours_result r;
    um_claim_zone ny = um_claim_zone_of("America/New_York", NULL);
    CHECK(ny.known && ny.lo == -300 && um_claim_is_west(ny));

    /* DPRK-like: 09-18h Pyongyang = 00-09 UTC, 20 days */
    fill(h, 0, 9, 20);
    CHECK(um_hours_decide(h, 20, ny, &r));
    CHECK_INTEQ(r.asia_offset, 540);
    CHECK(r.asia_share > 0.99);
    CHECK(r.claimed_share < 0.01);
    CHECK_INTEQ(r.total, 180);
    CHECK(!um_hours_decide(h, 4, ny, &r)); /* too few days */
    uint32_t few[24] = {0};
    few[1] = 19;
    CHECK(!um_hours_decide(few, 19, ny, &r)); /* too few hours */

    /* US day worker: 08-17h New York = 13-22 UTC */
    fill(h, 13, 22, 20);
    CHECK(!um_hours_decide(h, 20, ny, &r));
    CHECK(r.claimed_share > 0.99);

    /* Night-shift support in New York, 20-05h local = 01-10 UTC: it looks
     * like a UTC+8 day, fires, but weight 20 alone stays clean. */
    fill(h, 1, 10, 20);
    CHECK(um_hours_decide(h, 20, ny, &r));
    CHECK_INTEQ(r.asia_offset, 480);
    um_finding tm = mkf("TM-01", UM_MEDIUM, UM_TM01_WEIGHT);
    const um_finding *only[] = {&tm};
    int score;
    um_level lv;
    um_score_subject(only, 1, &score, &lv);
    CHECK_INTEQ(score, 20);
    CHECK_INTEQ(lv, UM_LEVEL_CLEAN);

    /* Someone who moved to Tokyo: a UTC+9 day is consistent. */
    um_claim_zone tokyo = um_claim_zone_of("Asia/Tokyo", "US");
    CHECK(tokyo.known && tokyo.lo == 540 && !um_claim_is_west(tokyo));
    fill(h, 0, 9, 20);
    CHECK(!um_hours_decide(h, 20, tokyo, &r));

    /* country-only claims */
    um_claim_zone us = um_claim_zone_of(NULL, "United States");
    CHECK(us.known && us.lo == -360);
    CHECK(um_hours_decide(h, 20, us, &r));
    CHECK(!um_claim_zone_of(NULL, "Japan").known);
    CHECK(!um_claim_zone_of("Mars/Olympus", NULL).known);

    CHECK(um_commit_offset_is_asia(540) && um_commit_offset_is_asia(480));
    CHECK(!um_commit_offset_is_asia(-300) && !um_commit_offset_is_asia(330));
    CHECK(um_commit_tz_decide(3, 6));
    CHECK(!um_commit_tz_decide(2, 2));
    CHECK(!um_commit_tz_decide(3, 7));
}

/* ---- analyzers on a small scan ------------------------------------------ */

static char tmpdir[64];

static const char *write_people(void) {
    static char path[128]; /* test-only */
    snprintf(tmpdir, sizeof tmpdir, "/tmp/um_ep_XXXXXX");
    if (!mkdtemp(tmpdir)) return NULL;
    snprintf(path, sizeof path, "%s/people.csv", tmpdir);
    FILE *f = fopen(path, "w");
    if (!f) return NULL;
    fputs("employee_id,full_name,hostname,timezone,country\n"
          "E1,Jane Roe,lap-e1,America/New_York,US\n"
          "E2,Ken Sato,lap-e2,Asia/Tokyo,US\n",
          f);
    fclose(f);
    return path;
}

static um_sid sid_of(um_scan *s, const char *emp) {
    for (size_t i = 0; i < um_scan_nsubjects(s); i++) {
        size_t n = 0;
        const char *const *v = um_subject_values(s, (um_sid)i, UM_ATTR_EMPLOYEE_ID, &n);
        if (n && um_streq_ci(v[0], emp)) return (um_sid)i;
    }
    return -1;
}

static const um_finding *find(um_scan *s, size_t from, um_sid sid, const char *ind, const char *key) {
    for (size_t i = from; i < s->n_findings; i++) {
        const um_finding *f = &s->findings[i];
        if (f->subject == sid && strcmp(f->info.indicator, ind) == 0 &&
            (!key || strcmp(f->info.key, key) == 0))
            return f;
    }
    return NULL;
}

static void t_analyzers(void) {
    const char *people = write_people();
    CHECK(people != NULL);
    if (!people) return;
    um_ctx_options o = {0};
    o.data_dir = data_dir();
    o.approved_rmm = " anydesk , TeamViewer";
    um_ctx *ctx;
    CHECK_INTEQ(um_ctx_open(&ctx, &o), UM_OK);
    um_scan *s = NULL;
    CHECK_INTEQ(um_scan_new(ctx, &s), UM_OK);
    CHECK_INTEQ(um_scan_add_path(s, people, "person-csv"), UM_OK);
    CHECK_INTEQ(um_scan_run(s, NULL, NULL), UM_OK);
    um_sid e1 = sid_of(s, "E1"), e2 = sid_of(s, "E2");
    CHECK(e1 >= 0 && e2 >= 0);
    if (e1 < 0 || e2 < 0) goto out;
    size_t base = s->n_findings;

    void *ep = NULL, *hr = NULL, *ru = NULL;
    CHECK_INTEQ(um_analyzer_endpoint.on_subjects(s, &ep), UM_OK);
    CHECK_INTEQ(um_analyzer_hours.on_subjects(s, &hr), UM_OK);
    CHECK_INTEQ(um_analyzer_rules.on_subjects(s, &ru), UM_OK);

    /* approved tool: nothing */
    um_event e = ev_of(UM_EV_PROCESS, "C:\\Program Files\\AnyDesk\\AnyDesk.exe", NULL);
    sysmon1(&e, e.image);
    e.host = "lap-e1";
    e.ts = 1700000000000000LL;
    CHECK_INTEQ(um_analyzer_rules.on_event(s, ru, e1, &e), UM_OK);
    CHECK(find(s, base, e1, "EP-02", NULL) == NULL);
    /* unapproved tool, three events: one finding, count 3, time range */
    e = ev_of(UM_EV_PROCESS, "C:\\Users\\j\\rustdesk-1.2.3.exe", NULL);
    sysmon1(&e, e.image);
    e.host = "lap-e1";
    for (int i = 0; i < 3; i++) {
        e.ts = 1700000000000000LL + i * 1000000LL;
        CHECK_INTEQ(um_analyzer_rules.on_event(s, ru, e1, &e), UM_OK);
    }
    const um_finding *f = find(s, base, e1, "EP-02", "RustDesk");
    CHECK(f != NULL);
    if (f) {
        CHECK_INTEQ(f->info.count, 3);
        CHECK_INTEQ(f->info.weight, 25);
        CHECK_INTEQ(f->strength, UM_MEDIUM);
        CHECK_INTEQ(f->info.first_us, 1700000000000000LL);
        CHECK_INTEQ(f->info.last_us, 1700000002000000LL);
        CHECK(strstr(f->info.summary, "RustDesk") && strstr(f->info.summary, "lap-e1"));
        CHECK(strstr(f->ev[0].values, "Image=C:\\Users\\j\\rustdesk-1.2.3.exe") != NULL);
    }
    /* Astrill -> EP-03 weight 20 */
    e = ev_of(UM_EV_PROCESS, "/usr/local/Astrill/asproxy", NULL);
    sysmon1(&e, e.image);
    CHECK_INTEQ(um_analyzer_rules.on_event(s, ru, e1, &e), UM_OK);
    f = find(s, base, e1, "EP-03", "Astrill");
    CHECK(f && f->info.weight == 20);
    /* an event without fields (not a Windows record) is not the rules' */
    e = ev_of(UM_EV_PROCESS, "C:\\x\\TeamViewer_Desktop.exe", NULL);
    size_t n0 = s->n_findings;
    CHECK_INTEQ(um_analyzer_rules.on_event(s, ru, e2, &e), UM_OK);
    CHECK_INTEQ(s->n_findings, n0);
    /* PiKVM -> EP-01 strong */
    e = ev_of(UM_EV_USB, NULL, NULL);
    e.usb_vid = 0x1d6b;
    e.usb_pid = 0x0104;
    e.device_desc = "PiKVM Composite Device";
    CHECK_INTEQ(um_analyzer_endpoint.on_event(s, ep, e1, &e), UM_OK);
    f = find(s, base, e1, "EP-01", "1d6b:0104");
    CHECK(f && f->strength == UM_STRONG && f->info.weight == 50);
    /* VNC session opened by the subject's host -> EP-02 weak, key VNC */
    e = ev_of(UM_EV_REMOTE, NULL, NULL);
    e.action = "vnc";
    e.host = "lap-e1";
    e.ip = "10.47.3.142";
    e.port = 5900;
    CHECK_INTEQ(um_analyzer_endpoint.on_event(s, ep, e1, &e), UM_OK);
    f = find(s, base, e1, "EP-02", "VNC");
    CHECK(f && f->info.weight == 10 && f->strength == UM_WEAK);
    if (f) CHECK_STREQ(f->info.summary, "VNC (RFB) remote-desktop session from lap-e1 to 10.47.3.142 port 5900");
    e.action = "rdp"; /* RDP is Windows' own: not EP-02 here */
    size_t before = s->n_findings;
    CHECK_INTEQ(um_analyzer_endpoint.on_event(s, ep, e1, &e), UM_OK);
    CHECK_INTEQ(s->n_findings, before);

    /* hours: E1 (New York) and E2 (Tokyo) both work 00-09 UTC for 20 days;
     * each hour seen twice (dedupe), plus DNS noise that must not count. */
    const int64_t day0 = 19700LL * 86400LL * 1000000LL;
    for (int d = 0; d < 20; d++)
        for (int hh = 0; hh < 9; hh++)
            for (int rep = 0; rep < 2; rep++) {
                um_event a;
                um_event_init(&a);
                a.kind = UM_EV_SIGNIN;
                a.success = 1;
                a.user = "jane@example.com";
                a.ts = day0 + ((int64_t)d * 24 + hh) * 3600000000LL + rep * 60000000LL;
                CHECK_INTEQ(um_analyzer_hours.on_event(s, hr, e1, &a), UM_OK);
                CHECK_INTEQ(um_analyzer_hours.on_event(s, hr, e2, &a), UM_OK);
                a.kind = UM_EV_DNS;
                a.ts += 12 * 3600000000LL;
                CHECK_INTEQ(um_analyzer_hours.on_event(s, hr, e1, &a), UM_OK);
            }
    /* E1's commits: 4 of 5 at +0900 */
    for (int c = 0; c < 5; c++) {
        um_event a;
        um_event_init(&a);
        a.kind = UM_EV_COMMIT;
        a.ts = day0 + (int64_t)c * 3600000000LL;
        a.has_tz = true;
        a.tz_min = c < 4 ? 540 : -300;
        CHECK_INTEQ(um_analyzer_hours.on_event(s, hr, e1, &a), UM_OK);
        CHECK_INTEQ(um_analyzer_hours.on_event(s, hr, e2, &a), UM_OK);
    }
    CHECK_INTEQ(um_analyzer_hours.finish(s, hr), UM_OK);
    f = find(s, base, e1, "TM-01", NULL);
    CHECK(f != NULL);
    if (f) {
        CHECK_INTEQ(f->info.weight, 20);
        CHECK_INTEQ(f->strength, UM_MEDIUM);
        CHECK(strstr(f->info.summary, "activity fits UTC+9 best (") == f->info.summary);
        CHECK(strstr(f->info.summary, " events, 180 active hours over 20 days): 100% falls in 09-18h UTC+9"));
        CHECK(strstr(f->info.summary, "only 0% in business hours (08-19h) of the claimed America/New_York"));
    }
    f = find(s, base, e1, "TM-02", NULL);
    CHECK(f && f->info.weight == 10 && f->strength == UM_WEAK && strstr(f->info.summary, "4 of 5 commits"));
    CHECK(find(s, base, e2, "TM-01", NULL) == NULL);
    CHECK(find(s, base, e2, "TM-02", NULL) == NULL);
    CHECK(um_analyzer_endpoint.free_state == NULL); /* ep is the context's compiled state */
    (void)ep;
    um_analyzer_hours.free_state(hr);
    um_analyzer_rules.free_state(ru);
out:
    um_scan_free(s);
    um_ctx_close(ctx);
    unlink(people);
    rmdir(tmpdir);
}

/* ---- end to end through the public API ---------------------------------- */

static bool has_reader(const char *name) {
    for (size_t i = 0; i < um_reader_count(); i++)
        if (strcmp(um_reader_name(i), name) == 0) return true;
    return false;
}

static size_t count_findings(const um_scan *s, const char *ind, const char *key, const um_finding_info **out) {
    size_t n = 0;
    for (size_t i = 0; i < um_scan_finding_count(s); i++) {
        const um_finding_info *f = um_scan_finding(s, i);
        if (strcmp(f->indicator, ind) == 0 && (!key || strcmp(f->key, key) == 0)) {
            n++;
            *out = f;
        }
    }
    return n;
}

static void run_file(const char *file, const char *fmt, const char *approved, um_scan **sp, um_ctx **cp) {
    char p[4200];
    snprintf(p, sizeof p, "%s/tests/data/endpoint/%s", um_t_src(), file);
    um_ctx_options o = {0};
    o.data_dir = data_dir();
    o.approved_rmm = approved;
    CHECK_INTEQ(um_ctx_open(cp, &o), UM_OK);
    CHECK_INTEQ(um_scan_new(*cp, sp), UM_OK);
    CHECK_INTEQ(um_scan_add_path(*sp, p, fmt), UM_OK);
    CHECK_INTEQ(um_scan_run(*sp, NULL, NULL), UM_OK);
}

static void t_e2e(void) {
    um_ctx *ctx;
    um_scan *s;
    const um_finding_info *f = NULL;
    if (has_reader("sysmon-json")) {
        run_file("sigma_regression_anydesk_artefact_sysmon11.json", "sysmon-json", NULL, &s, &ctx);
        CHECK_INTEQ(count_findings(s, "EP-02", NULL, &f), 1);
        if (f) {
            CHECK_STREQ(f->key, "AnyDesk");
            CHECK_INTEQ(f->count, 5);
            CHECK_STREQ(f->strength, "medium");
            CHECK_INTEQ(f->weight, 25);
        }
        um_scan_free(s);
        um_ctx_close(ctx);
        run_file("sigma_regression_anydesk_artefact_sysmon11.json", "sysmon-json", "AnyDesk", &s, &ctx);
        CHECK_INTEQ(count_findings(s, "EP-02", NULL, &f), 0);
        um_scan_free(s);
        um_ctx_close(ctx);
    } else {
        printf("note: sysmon_json reader not built; AnyDesk end-to-end check skipped\n");
    }
    if (has_reader("usb-text")) {
        f = NULL;
        run_file("HIDman-issue79_usbtreeview_pikvm.txt", "usb-text", NULL, &s, &ctx);
        CHECK_INTEQ(count_findings(s, "EP-01", NULL, &f), 1);
        if (f) {
            CHECK_STREQ(f->key, "1d6b:0104");
            CHECK_STREQ(f->strength, "strong");
            CHECK_INTEQ(f->weight, 50);
        }
        um_scan_free(s);
        um_ctx_close(ctx);
    } else {
        printf("note: usb_text reader not built; PiKVM end-to-end check skipped\n");
    }
}

int main(void) {
    RUN(t_kvm);
    RUN(t_hours);
    RUN(t_analyzers);
    RUN(t_e2e);
    return um_t_report();
}
