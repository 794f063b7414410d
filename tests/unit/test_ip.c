/* test_ip.c - IP parsing, the IP database (fixture .mmdb files written at
 * build time by tests/data/ip/make-fixtures.pl, bundled lists in
 * data/network), and the net analyzer's rules and findings through a scan
 * (HR CSV + Okta JSON lines). */
#include <pthread.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/scan.h"
#include "detect/net.h"
#include "enrich/ip.h"
#include "harness.h"

static char g_fix[1024], g_data[1024];

static void paths(void) {
    /* written by tests/data/ip/make-fixtures.pl at build time */
    const char *bin = getenv("UM_BIN_DIR");
    snprintf(g_fix, sizeof g_fix, "%s/tests/ip-fixtures", bin ? bin : ".");
    const char *d = getenv("UNMASK_DATA_DIR");
    if (d) snprintf(g_data, sizeof g_data, "%s", d);
    else snprintf(g_data, sizeof g_data, "%s/data", um_t_src());
}

static const char *fix(const char *name) {
    static char buf[4][1200];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", g_fix, name);
    return buf[k];
}

static void ctx_clear(um_notes *c) { um_notes_free(c); }

static size_t warnings_with(const um_notes *c, const char *needle) {
    size_t n = 0;
    for (size_t i = 0; i < c->n; i++) n += strstr(c->v[i], needle) != NULL;
    return n;
}

static um_event enrich(um_ipdb *db, const char *ip) {
    um_event ev;
    um_event_init(&ev);
    ev.ip = ip;
    um_ipdb_enrich(db, &ev);
    return ev;
}

static void t_parse(void) {
    um_ipaddr a;
    char buf[64];
    CHECK(um_ip_parse("1.2.3.4", (size_t)-1, &a) && a.family == 4 && a.v4 == 0x01020304u);
    CHECK(um_ip_parse(" 1.2.3.4:5678 ", (size_t)-1, &a) && a.family == 4 && a.v4 == 0x01020304u);
    CHECK(um_ip_parse("::ffff:175.45.176.1", (size_t)-1, &a) && a.family == 4);
    CHECK_STREQ(um_ip_format(&a, buf, sizeof buf), "175.45.176.1");
    CHECK(um_ip_parse("[::1]:443", (size_t)-1, &a) && a.family == 6 && a.hi == 0 && a.lo == 1);
    CHECK(um_ip_is_private(&a));
    CHECK(um_ip_parse("0:0:0:0:0:0:0:1", (size_t)-1, &a) && a.family == 6 && a.lo == 1);
    CHECK(um_ip_is_private(&a));
    CHECK(um_ip_parse("fe80::1%eth0", (size_t)-1, &a) && a.family == 6 && um_ip_is_private(&a));
    CHECK(um_ip_parse("[2001:4860:0:0:0:0:0:8888%25en0]:8443", (size_t)-1, &a) && a.family == 6);
    CHECK_STREQ(um_ip_format(&a, buf, sizeof buf), "2001:4860::8888");
    CHECK(a.hi == 0x2001486000000000ULL && a.lo == 0x8888);
    CHECK(um_ip_parse("10.0.0.1xyz", 8, &a) && a.v4 == 0x0a000001u); /* length-bounded */
    CHECK(!um_ip_parse("1.2.3", (size_t)-1, &a));
    CHECK(!um_ip_parse("1.2.3.4:abc", (size_t)-1, &a));
    CHECK(!um_ip_parse("1.2.3.4.5", (size_t)-1, &a));
    CHECK(!um_ip_parse("", (size_t)-1, &a));
    CHECK(!um_ip_parse("-", (size_t)-1, &a));
    CHECK(!um_ip_parse("[::1", (size_t)-1, &a));
    CHECK(!um_ip_parse("999.1.1.1", (size_t)-1, &a));
    CHECK(!um_ip_parse(NULL, 0, &a));
    static const char *priv[] = {"10.0.0.1", "127.0.0.1", "100.64.1.1", "172.31.255.255", "192.168.1.1",
                                 "169.254.1.1", "0.0.0.0", "198.19.255.254", "224.0.0.1", "255.255.255.255",
                                 "fd00::1", "::", "ff02::1"};
    for (size_t i = 0; i < UM_ARRAY_LEN(priv); i++) {
        CHECK(um_ip_parse(priv[i], (size_t)-1, &a));
        if (!um_ip_is_private(&a)) fprintf(stderr, "  not private: %s\n", priv[i]);
        CHECK(um_ip_is_private(&a));
    }
    static const char *pub[] = {"8.8.8.8", "172.32.0.1", "100.128.0.1", "175.45.176.1", "2001:4860::1",
                                "203.0.113.5"};
    for (size_t i = 0; i < UM_ARRAY_LEN(pub); i++) {
        CHECK(um_ip_parse(pub[i], (size_t)-1, &a));
        CHECK(!um_ip_is_private(&a));
    }
}

static void t_enrich(void) {
    um_notes ctx = {0}; /* the warnings */
    um_ctx_options opt = {0};
    opt.country_mmdb = fix("country.mmdb");
    opt.asn_mmdb = fix("asn.mmdb");
    um_ipdb *db = NULL;
    CHECK_INTEQ(um_ipdb_open(&db, &opt, g_data, &ctx), UM_OK);
    CHECK_INTEQ(ctx.n, 0);
    for (size_t i = 0; i < ctx.n; i++) fprintf(stderr, "  warning: %s\n", ctx.v[i]);

    um_event ev = enrich(db, "73.0.0.5");
    CHECK_STREQ(ev.ip_country, "US");
    CHECK_INTEQ(ev.ip_asn, 7922);
    CHECK_STREQ(ev.ip_org, "Comcast Cable Communications, LLC");
    CHECK_INTEQ(ev.net_flags, 0);

    ev = enrich(db, "2001:4860:4860::8888");
    CHECK_STREQ(ev.ip_country, "US");
    CHECK_INTEQ(ev.ip_asn, 15169);
    CHECK_INTEQ(ev.net_flags, UM_NET_HOSTING); /* AS15169 is in datacenter_asn.txt */

    ev = enrich(db, "::ffff:175.45.176.1");
    CHECK_STREQ(ev.ip_country, "KP");
    CHECK_INTEQ(ev.ip_asn, 131279);
    CHECK(ev.net_flags & UM_NET_DPRK);
    ev = enrich(db, "175.45.179.255:443");
    CHECK(ev.net_flags & UM_NET_DPRK);
    ev = enrich(db, "175.45.180.0");
    CHECK(!(ev.net_flags & UM_NET_DPRK));
    ev = enrich(db, "210.52.109.77");
    CHECK(ev.net_flags & UM_NET_DPRK);

    static const char *priv[] = {"10.0.0.1", "127.0.0.1", "[::1]:443", "0:0:0:0:0:0:0:1", "fe80::1%eth0"};
    for (size_t i = 0; i < UM_ARRAY_LEN(priv); i++) {
        ev = enrich(db, priv[i]);
        CHECK_INTEQ(ev.net_flags, UM_NET_PRIVATE);
        CHECK(ev.ip_country == NULL && ev.ip_asn == 0);
    }

    ev = enrich(db, "23.27.54.7");
    CHECK_STREQ(ev.ip_country, "KR");
    CHECK_INTEQ(ev.ip_asn, 209854);
    CHECK(ev.net_flags & UM_NET_VPN);
    CHECK(!(ev.net_flags & UM_NET_ASTRILL));

    ev = enrich(db, "203.0.113.5:5000");
    CHECK_STREQ(ev.ip_country, "NL");
    CHECK_INTEQ(ev.net_flags & (UM_NET_ASTRILL | UM_NET_VPN), UM_NET_ASTRILL | UM_NET_VPN);
    ev = enrich(db, "160.30.166.1"); /* ALLASTRILLA ENTERPRISES is not Astrill */
    CHECK_STREQ(ev.ip_org, "ALLASTRILLA ENTERPRISES");
    CHECK(!(ev.net_flags & UM_NET_ASTRILL));

    ev = enrich(db, "133.11.0.1");
    CHECK_STREQ(ev.ip_country, "JP");
    CHECK_INTEQ(ev.net_flags, 0);

    /* the log's own AS data when the database has none */
    um_event_init(&ev);
    ev.ip = "1.2.3.4";
    ev.asn = 209854;
    ev.as_org = "Cyberzone";
    ev.is_proxy = 1;
    um_ipdb_enrich(db, &ev);
    CHECK(ev.ip_country == NULL);
    CHECK_INTEQ(ev.ip_asn, 209854);
    CHECK_STREQ(ev.ip_org, "Cyberzone");
    CHECK_INTEQ(ev.net_flags, UM_NET_VPN | UM_NET_PROXY_LOG);
    um_event_init(&ev);
    ev.ip = "73.0.0.9";
    ev.as_org = "Astrill VPN"; /* the log's AS name */
    um_ipdb_enrich(db, &ev);
    CHECK(ev.net_flags & UM_NET_ASTRILL);
    CHECK_INTEQ(ev.ip_asn, 7922);
    um_event_init(&ev);
    ev.ip = "10.0.0.1";
    ev.as_org = "Astrill VPN"; /* private address: the log's AS data is ignored */
    um_ipdb_enrich(db, &ev);
    CHECK_INTEQ(ev.net_flags, UM_NET_PRIVATE);

    ev = enrich(db, "not an address");
    CHECK(ev.ip_country == NULL && ev.net_flags == 0);

    /* cache: same answers repeatedly and after it fills and restarts */
    const char *cc1 = enrich(db, "8.8.8.8").ip_country;
    char ipbuf[32];
    for (unsigned i = 0; i < 70000; i++) {
        snprintf(ipbuf, sizeof ipbuf, "73.0.%u.%u", (i >> 8) & 0xff, i & 0xff);
        if (i >= 65536) snprintf(ipbuf, sizeof ipbuf, "8.8.8.%u", i & 0xff);
        ev = enrich(db, ipbuf);
        if (i == 1000 || i == 69999) CHECK_STREQ(ev.ip_country, "US");
    }
    ev = enrich(db, "8.8.8.8");
    CHECK(ev.ip_country == cc1);
    CHECK_INTEQ(ev.net_flags, UM_NET_HOSTING);
    ev = enrich(db, "::ffff:175.45.176.1");
    CHECK(ev.net_flags & UM_NET_DPRK);
    um_ipdb_close(db);
    ctx_clear(&ctx);

    /* GeoLite2 layout */
    opt.country_mmdb = fix("geolite-country.mmdb");
    CHECK_INTEQ(um_ipdb_open(&db, &opt, g_data, &ctx), UM_OK);
    CHECK_STREQ(enrich(db, "133.11.0.1").ip_country, "JP");
    CHECK_STREQ(enrich(db, "8.8.8.8").ip_country, "US");
    CHECK(enrich(db, "175.45.176.1").ip_country == NULL);
    um_ipdb_close(db);
    ctx_clear(&ctx);
}

static void t_missing_corrupt(void) {
    um_notes ctx = {0}; /* the warnings */
    um_ctx_options opt = {0};
    opt.country_mmdb = fix("no-such-country.mmdb");
    opt.asn_mmdb = fix("no-such-asn.mmdb");
    um_ipdb *db = NULL;
    CHECK_INTEQ(um_ipdb_open(&db, &opt, g_data, &ctx), UM_OK);
    CHECK_INTEQ(ctx.n, 2);
    CHECK_INTEQ(warnings_with(&ctx, "run scripts/fetch-ipdb.sh"), 2);
    CHECK_INTEQ(warnings_with(&ctx, "no country database"), 1);
    um_event ev = enrich(db, "175.45.176.1");
    CHECK(ev.ip_country == NULL && ev.ip_asn == 0);
    CHECK_INTEQ(ev.net_flags, UM_NET_DPRK); /* lists still work */
    CHECK_INTEQ(enrich(db, "10.0.0.1").net_flags, UM_NET_PRIVATE);
    um_ipdb_close(db);
    ctx_clear(&ctx);

    opt.country_mmdb = fix("corrupt.mmdb");
    opt.asn_mmdb = fix("corrupt-tree.mmdb");
    CHECK_INTEQ(um_ipdb_open(&db, &opt, g_data, &ctx), UM_OK);
    CHECK_INTEQ(warnings_with(&ctx, "unusable"), 1);
    ev = enrich(db, "175.45.176.1");
    CHECK(ev.ip_country == NULL && ev.ip_asn == 0 && ev.ip_org == NULL);
    CHECK(ev.net_flags & UM_NET_DPRK);
    ev = enrich(db, "2001:4860::1");
    CHECK(ev.ip_asn == 0);
    um_ipdb_close(db);
    ctx_clear(&ctx);

    /* hostile lists: bad lines skipped with one warning per file */
    char dir[] = "/tmp/um_test_ip_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char p[1200];
    snprintf(p, sizeof p, "%s/network", dir);
    CHECK(mkdir(p, 0700) == 0);
    snprintf(p, sizeof p, "%s/network/dprk.txt", dir);
    FILE *f = fopen(p, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("# comment\n45.0.0.0/8 # fine\nnot-an-ip\n1.2.3.4/33\nAS\nAS99999999999\n::/129\n", f);
        for (int i = 0; i < 700; i++) fputc('9', f); /* over-long line */
        fputs("\n2a00:1::/32\n  AS64500  \n\x01\xff\n1.2.3.4/-1\n", f);
        fclose(f);
    }
    opt.country_mmdb = fix("country.mmdb");
    opt.asn_mmdb = fix("asn.mmdb");
    CHECK_INTEQ(um_ipdb_open(&db, &opt, dir, &ctx), UM_OK);
    CHECK_INTEQ(warnings_with(&ctx, "dprk.txt"), 1);
    CHECK_INTEQ(warnings_with(&ctx, "8 bad line(s) skipped (first at line 3)"), 1);
    CHECK_INTEQ(warnings_with(&ctx, "not found"), 5); /* the other five lists */
    CHECK_INTEQ(enrich(db, "45.1.2.3").net_flags, UM_NET_DPRK);
    CHECK_INTEQ(enrich(db, "2a00:1:ffff::1").net_flags, UM_NET_DPRK);
    CHECK_INTEQ(enrich(db, "2a00:2::1").net_flags, 0);
    CHECK_INTEQ(enrich(db, "175.45.176.1").net_flags, 0); /* not in this list */
    um_event ev2;
    um_event_init(&ev2);
    ev2.ip = "1.2.3.4";
    ev2.asn = 64500;
    um_ipdb_enrich(db, &ev2);
    CHECK_INTEQ(ev2.net_flags, UM_NET_DPRK);
    um_ipdb_close(db);
    ctx_clear(&ctx);
    unlink(p);
    snprintf(p, sizeof p, "%s/network", dir);
    rmdir(p);
    rmdir(dir);
}

static void t_rules(void) {
    um_strength s;
    int w;
    CHECK(um_net06_strength(60, 5, &s, &w) && s == UM_WEAK && w == 10);
    CHECK(um_net06_strength(9, 7, &s, &w) && s == UM_MEDIUM && w == 25);
    CHECK(um_net06_strength(5, 3, &s, &w) && s == UM_MEDIUM);
    CHECK(um_net06_strength(4, 4, &s, &w) && s == UM_WEAK); /* too few sign-ins */
    CHECK(um_net06_strength(10, 5, &s, &w) && s == UM_WEAK); /* half is not a majority */
    CHECK(!um_net06_strength(10, 0, &s, &w));
    CHECK_STREQ(um_net01_class(UM_NET_ASTRILL | UM_NET_VPN | UM_NET_HOSTING, &s, &w), "Astrill VPN");
    CHECK(s == UM_MEDIUM && w == 20);
    CHECK_STREQ(um_net01_class(UM_NET_VPN | UM_NET_HOSTING, &s, &w), "a VPN network");
    CHECK(s == UM_WEAK && w == 10);
    CHECK_STREQ(um_net01_class(UM_NET_HOSTING, &s, &w), "a hosting network");
    CHECK_STREQ(um_net01_class(UM_NET_PROXY_LOG, &s, &w), "an anonymising proxy");
    CHECK(um_net01_class(UM_NET_DPRK, &s, &w) == NULL);
    CHECK(um_net01_class(0, &s, &w) == NULL);
    CHECK(um_net_country_counts(0));
    CHECK(um_net_country_counts(UM_NET_DPRK));
    CHECK(!um_net_country_counts(UM_NET_VPN));
    CHECK(!um_net_country_counts(UM_NET_HOSTING));
    CHECK(!um_net_country_counts(UM_NET_PROXY_LOG));
    CHECK(!um_net_country_counts(UM_NET_PRIVATE));
}

/* ---- the analyzer through a scan ---- */

static void okta(FILE *f, const char *user, const char *ip, const char *country, const char *result, int n) {
    static int seq;
    for (int i = 0; i < n; i++) {
        seq++;
        fprintf(f,
                "{\"uuid\":\"u%d\",\"eventType\":\"user.session.start\",\"published\":\"2024-03-%02dT%02d:%02d:00.000Z\","
                "\"actor\":{\"id\":\"a\",\"type\":\"User\",\"alternateId\":\"%s\",\"displayName\":\"x\"},"
                "\"client\":{\"ipAddress\":\"%s\",\"geographicalContext\":{\"country\":%s%s%s}},"
                "\"securityContext\":{\"asNumber\":null,\"asOrg\":null,\"isProxy\":false},"
                "\"outcome\":{\"result\":\"%s\"}}\n",
                seq, 1 + (seq / 200) % 28, (seq / 10) % 24, seq % 60, user, ip, country ? "\"" : "",
                country ? country : "null", country ? "\"" : "", result);
    }
}

static const um_subject_info *find_subject(const um_scan *s, const char *display_part) {
    for (size_t i = 0; i < um_scan_subject_count(s); i++) {
        const um_subject_info *si = um_scan_subject(s, i);
        if (si->display && strstr(si->display, display_part)) return si;
        for (size_t j = 0; j < si->n_sources; j++)
            if (strstr(si->sources[j], display_part)) return si;
    }
    return NULL;
}

static const um_finding_info *find_finding(const um_scan *s, const um_subject_info *si, const char *ind) {
    if (!si) return NULL;
    for (size_t i = 0; i < si->n_findings; i++) {
        const um_finding_info *fi = um_scan_finding(s, si->findings[i]);
        if (strcmp(fi->indicator, ind) == 0) return fi;
    }
    return NULL;
}

static void scan_with(unsigned lazy) {
    char dir[] = "/tmp/um_test_net_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char hr[1200], log[1200];
    snprintf(hr, sizeof hr, "%s/hr.csv", dir);
    snprintf(log, sizeof log, "%s/okta.jsonl", dir);
    FILE *f = fopen(hr, "w");
    if (!f) return;
    fputs("employee_id,full_name,work_email,country\n"
          "E1,Alice Travel,alice@corp.example,United States\n"
          "E2,Bob Tokyo,bob@corp.example,Japan\n"
          "E3,Carol Direct,carol@corp.example,US\n"
          "E4,Dave Trip,dave@corp.example,USA\n"
          "E5,Erin Abroad,erin@corp.example,United States\n"
          "E6,Frank Astrill,frank@corp.example,United States\n"
          "E7,Gina Ioc,gina@corp.example,United States\n"
          "E8,Henry Failed,henry@corp.example,United States\n"
          "E9,Ivan Office,ivan@corp.example,\n",
          f);
    fclose(f);
    f = fopen(log, "w");
    if (!f) return;
    okta(f, "alice@corp.example", "73.0.0.5", "United States", "SUCCESS", 55); /* home */
    okta(f, "alice@corp.example", "23.27.54.7", "South Korea", "SUCCESS", 5);  /* VPN while travelling */
    okta(f, "bob@corp.example", "133.11.0.20", "Japan", "SUCCESS", 10);        /* really lives in Tokyo */
    okta(f, "carol@corp.example", "175.45.176.9", NULL, "SUCCESS", 1);         /* DPRK */
    okta(f, "carol@corp.example", "73.0.1.1", NULL, "SUCCESS", 3);
    okta(f, "dave@corp.example", "73.0.2.2", NULL, "SUCCESS", 20);
    okta(f, "dave@corp.example", "121.128.0.9", NULL, "SUCCESS", 4); /* trip, no VPN */
    okta(f, "erin@corp.example", "121.128.3.3", NULL, "SUCCESS", 8);
    okta(f, "erin@corp.example", "121.128.3.4", NULL, "SUCCESS", 1);
    okta(f, "erin@corp.example", "73.0.3.3", NULL, "SUCCESS", 2);
    okta(f, "frank@corp.example", "203.0.113.5", NULL, "SUCCESS", 10);
    okta(f, "frank@corp.example", "203.0.113.6", NULL, "SUCCESS", 1);
    okta(f, "frank@corp.example", "203.0.113.7:61000", NULL, "SUCCESS", 1);
    okta(f, "gina@corp.example", "139.5.157.128", NULL, "SUCCESS", 2);
    okta(f, "henry@corp.example", "175.45.176.10", NULL, "FAILURE", 3); /* someone trying the account */
    okta(f, "ivan@corp.example", "10.0.0.1", NULL, "SUCCESS", 30);      /* office NAT */
    fclose(f);

    um_ctx_options opt = {0};
    opt.data_dir = g_data;
    opt.country_mmdb = fix("country.mmdb");
    opt.asn_mmdb = fix("asn.mmdb");
    opt.lazy = lazy; /* a scan opens every lazy part: the same findings */
    um_ctx *ctx = NULL;
    CHECK_INTEQ(um_ctx_open(&ctx, &opt), UM_OK);
    um_scan *scan = NULL;
    CHECK_INTEQ(um_scan_new(ctx, &scan), UM_OK);
    CHECK_INTEQ(um_scan_add_path(scan, hr, "person-csv"), UM_OK);
    CHECK_INTEQ(um_scan_add_path(scan, log, "okta"), UM_OK);
    um_status st = um_scan_run(scan, NULL, NULL);
    CHECK_INTEQ(st, UM_OK);
    if (st != UM_OK) fprintf(stderr, "  scan: %s\n", um_scan_errmsg(scan));

    const um_subject_info *alice = find_subject(scan, "alice");
    CHECK(alice != NULL);
    if (alice) {
        CHECK(alice->level == UM_LEVEL_CLEAN);
        CHECK(alice->score < 30);
        const um_finding_info *fi = find_finding(scan, alice, "NET-01");
        CHECK(fi && fi->count == 5 && fi->weight == 10);
        if (fi) CHECK_STREQ(fi->summary, "5 sign-ins via a VPN network (AS 209854 Cyberzone S.A.) from 1 address");
        if (fi) CHECK_STREQ(fi->key, "vpn:AS209854");
        if (fi && fi->n_evidence) CHECK_STREQ(fi->evidence[0].values, "ip=23.27.54.7; country=KR; asn=209854 Cyberzone S.A.");
        CHECK(find_finding(scan, alice, "NET-06") == NULL); /* VPN exits say nothing about location */
    }
    const um_subject_info *bob = find_subject(scan, "bob");
    CHECK(bob && bob->n_findings == 0 && bob->score == 0);

    const um_subject_info *carol = find_subject(scan, "carol");
    CHECK(carol && carol->level == UM_LEVEL_HIGH);
    const um_finding_info *c5 = find_finding(scan, carol, "NET-05");
    CHECK(c5 && c5->weight == 60 && strcmp(c5->strength, "strong") == 0 && c5->count == 1);
    if (c5) CHECK_STREQ(c5->summary, "1 sign-in from DPRK-allocated address 175.45.176.9");
    if (c5) CHECK(c5->first_us != INT64_MIN && c5->first_us == c5->last_us);

    const um_subject_info *dave = find_subject(scan, "dave");
    const um_finding_info *d6 = find_finding(scan, dave, "NET-06");
    CHECK(d6 && d6->weight == 10 && d6->count == 4);
    if (d6) CHECK_STREQ(d6->summary, "4 of 24 located sign-ins from KR from 1 address while the claimed country is US");
    CHECK(dave && dave->level == UM_LEVEL_CLEAN);

    const um_subject_info *erin = find_subject(scan, "erin");
    const um_finding_info *e6 = find_finding(scan, erin, "NET-06");
    CHECK(e6 && e6->weight == 25 && strcmp(e6->strength, "medium") == 0 && e6->count == 9);
    if (e6) CHECK(e6->first_us < e6->last_us && e6->n_evidence == 3);
    CHECK(erin && erin->level == UM_LEVEL_CLEAN); /* a country mismatch alone is not enough */

    const um_subject_info *frank = find_subject(scan, "frank");
    const um_finding_info *f1 = find_finding(scan, frank, "NET-01");
    CHECK(f1 && f1->weight == 20 && f1->count == 12);
    if (f1)
        CHECK_STREQ(f1->summary,
                    "12 sign-ins via Astrill VPN (AS 64496 Astrill VPN (synthetic test entry)) from 3 addresses");
    CHECK(find_finding(scan, frank, "NET-06") == NULL);

    const um_subject_info *gina = find_subject(scan, "gina");
    const um_finding_info *g7 = find_finding(scan, gina, "NET-07");
    CHECK(g7 && g7->weight == 10 && g7->count == 2);
    if (g7) CHECK_STREQ(g7->key, "139.5.157.128");

    const um_subject_info *henry = find_subject(scan, "henry");
    CHECK(henry && find_finding(scan, henry, "NET-05") == NULL);
    const um_subject_info *ivan = find_subject(scan, "ivan");
    CHECK(ivan && ivan->n_findings == 0);

    um_scan_free(scan);
    um_ctx_close(ctx);
    unlink(hr);
    unlink(log);
    rmdir(dir);
}

static void t_scan(void) { scan_with(0); }
static void t_scan_lazy(void) { scan_with(UM_CTX_LAZY_IPDB | UM_CTX_LAZY_IOC); }

/* um_ctx_options.lazy: the parts are not opened at um_ctx_open, the first
 * um_ctx_ipdb / um_ctx_ioc opens them once (threads racing for it get the
 * same part), and their warnings then are those an eager open gives */
typedef struct lazy_arg {
    um_ctx *ctx;
    um_ipdb *db;
    um_ioc *ioc;
} lazy_arg;

static void *lazy_thread(void *p) {
    lazy_arg *a = p;
    a->db = um_ctx_ipdb(a->ctx);
    a->ioc = um_ctx_ioc(a->ctx);
    return NULL;
}

static size_t n_warnings(const um_ctx *ctx) {
    size_t n = 0;
    while (um_ctx_warning(ctx, n)) n++;
    return n;
}

static void t_lazy(void) {
    um_ctx_options opt = {0};
    opt.data_dir = g_data;
    opt.country_mmdb = "/nonexistent/um-country.mmdb"; /* a warning when opened */
    opt.asn_mmdb = fix("asn.mmdb");
    um_ctx *eager = NULL, *lazy = NULL;
    CHECK_INTEQ(um_ctx_open(&eager, &opt), UM_OK);
    opt.lazy = UM_CTX_LAZY_IPDB | UM_CTX_LAZY_IOC;
    CHECK_INTEQ(um_ctx_open(&lazy, &opt), UM_OK);
    size_t ne = n_warnings(eager), nl = n_warnings(lazy);
    CHECK(ne > nl); /* the missing country database is not known yet */
    for (size_t i = 0; i < nl; i++) CHECK(strstr(um_ctx_warning(lazy, i), "um-country") == NULL);
    enum { NT = 4 };
    pthread_t th[NT];
    lazy_arg a[NT];
    for (int i = 0; i < NT; i++) {
        a[i] = (lazy_arg){lazy, NULL, NULL};
        CHECK(pthread_create(&th[i], NULL, lazy_thread, &a[i]) == 0);
    }
    for (int i = 0; i < NT; i++) pthread_join(th[i], NULL);
    for (int i = 0; i < NT; i++) {
        CHECK(a[i].db != NULL && a[i].db == a[0].db);
        CHECK(a[i].ioc != NULL && a[i].ioc == a[0].ioc);
    }
    CHECK(um_ctx_ipdb(lazy) == a[0].db); /* once */
    CHECK_INTEQ((long long)n_warnings(lazy), (long long)ne);
    for (size_t i = 0; i < ne; i++) { /* the same warnings, in any order */
        bool found = false;
        for (size_t k = 0; k < ne && !found; k++) found = strcmp(um_ctx_warning(eager, i), um_ctx_warning(lazy, k)) == 0;
        CHECK(found);
    }
    /* the lazily opened parts answer as the eager ones */
    const um_ioc_hit *he = um_ioc_lookup(um_ctx_ioc(eager), "email", "benguyen0214@gmail.com"),
                     *hl = um_ioc_lookup(um_ctx_ioc(lazy), "email", "benguyen0214@gmail.com");
    CHECK(he != NULL && hl != NULL);
    if (he && hl) CHECK_STREQ(he->note, hl->note);
    um_ctx_close(eager);
    um_ctx_close(lazy);
    /* closed without ever opening the parts */
    um_ctx *unused = NULL;
    CHECK_INTEQ(um_ctx_open(&unused, &opt), UM_OK);
    um_ctx_close(unused);
}

int main(void) {
    paths();
    RUN(t_parse);
    RUN(t_enrich);
    RUN(t_missing_corrupt);
    RUN(t_rules);
    RUN(t_scan);
    RUN(t_scan_lazy);
    RUN(t_lazy);
    return um_t_report();
}
