/*
 * test_screen.c - sanctions screening (src/screen/) through the public API:
 * the table of cases in tests/data/screen/cases.tsv (variants of real DPRK
 * entries that must match, namesakes and common names that must not,
 * identifiers in any case and format), explanations, list loading and
 * dates, pointing at other list files, and hostile input.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <threads.h>
#include <unistd.h>

#include <unicode/uclean.h>

#include "harness.h"
#include "os/os.h"
#include "util/util.h"
#include "unmask.h"

#define RUN_S(fn, arg)           \
    do {                         \
        um_t_current = #fn;      \
        fn(arg);                 \
    } while (0)

static um_screener *open_default(void) {
    char dd[1024];
    snprintf(dd, sizeof dd, "%s/data", um_t_src());
    um_screener_options o = {0};
    o.data_dir = dd;
    um_screener *s = NULL;
    um_status st = um_screener_open(&s, &o);
    if (st != UM_OK) fprintf(stderr, "screener: %s\n", um_screener_errmsg(s));
    CHECK_INTEQ(st, UM_OK);
    return s;
}

static bool has_uid(const um_screen_result *r, const char *uid) {
    for (size_t i = 0; i < um_screen_result_count(r); i++)
        if (strcmp(um_screen_result_match(r, i)->uid, uid) == 0) return true;
    return false;
}

/* "\x00"-style escapes in the table become bytes (a NUL ends the string). */
static void unescape(char *s) {
    char *o = s;
    for (char *p = s; *p; p++) {
        if (p[0] == '\\' && p[1] == 'x' && p[2] && p[3]) {
            char h[3] = {p[2], p[3], 0};
            *o++ = (char)strtol(h, NULL, 16);
            p += 3;
        } else {
            *o++ = *p;
        }
    }
    *o = 0;
}

static void t_cases_file(um_screener *s, const char *file);

/* cases.tsv, then classes.tsv (one table per failure class of issue 11) */
static void t_cases(um_screener *s) {
    t_cases_file(s, "cases.tsv");
    t_cases_file(s, "classes.tsv");
}

static void t_cases_file(um_screener *s, const char *file) {
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/screen/%s", um_t_src(), file);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (!f) return;
    char line[4096];
    int n = 0, n_match = 0, n_nomatch = 0, n_ident = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n') continue;
        line[strcspn(line, "\r\n")] = 0;
        char *col[8] = {0};
        int nc = (int)um_split(line, '	', col, 8);
        CHECK(nc == 8);
        if (nc != 8) continue;
        unescape(col[1]);
        bool want = strcmp(col[5], "match") == 0;
        um_screen_result *r = NULL;
        um_status st;
        if (strcmp(col[0], "name") == 0) {
            um_screen_query q = {0};
            q.name = col[1];
            q.dob = *col[2] ? col[2] : NULL;
            q.country = *col[3] ? col[3] : NULL;
            q.type = strcmp(col[4], "person") == 0 ? UM_SCREEN_PERSON
                     : strcmp(col[4], "entity") == 0 ? UM_SCREEN_ENTITY
                                                     : UM_SCREEN_ANY;
            st = um_screen_name(s, &q, &r);
        } else {
            st = um_screen_identifier(s, col[0], col[1], &r);
            n_ident++;
        }
        n++;
        want ? n_match++ : n_nomatch++;
        CHECK_INTEQ(st, UM_OK);
        bool any = um_screen_result_count(r) > 0;
        bool ok = strcmp(col[6], "-") == 0 ? (want ? any : !any) : (want ? has_uid(r, col[6]) : !has_uid(r, col[6]));
        if (!ok) {
            fprintf(stderr, "case failed: %s \"%s\" dob=%s cc=%s type=%s expect %s %s (%s); query [%s]\n", col[0], col[1],
                    col[2], col[3], col[4], col[5], col[6], col[7], um_screen_result_query(r));
            for (size_t i = 0; i < um_screen_result_count(r); i++)
                fprintf(stderr, "   got %.3f %s\n", um_screen_result_match(r, i)->score,
                        um_screen_result_match(r, i)->explanation);
        }
        CHECK(ok);
        um_screen_result_free(r);
    }
    fclose(f);
    printf("cases: %d (%d must match, %d must not, %d identifiers)\n", n, n_match, n_nomatch, n_ident);
    CHECK(n >= 30);
}

static void t_explanation(um_screener *s) {
    um_screen_query q = {0};
    q.name = "Gim Jeong-eun";
    q.dob = "1984-01-08";
    um_screen_result *r = NULL;
    CHECK_INTEQ(um_screen_name(s, &q, &r), UM_OK);
    CHECK(um_screen_result_count(r) >= 1);
    const um_screen_match *m = um_screen_result_match(r, 0);
    if (m) {
        CHECK_STREQ(m->list, "OFAC SDN");
        CHECK_STREQ(m->uid, "20157");
        CHECK_STREQ(m->matched_name, "KIM, Jong Un");
        CHECK_STREQ(m->alias_kind, "primary");
        CHECK_STREQ(m->entry_type, "person");
        CHECK(m->score >= 0.95 && m->score <= 1.0);
        CHECK(strstr(m->explanation, "gim=KIM") || strstr(m->explanation, "gim=kim"));
        CHECK(strstr(m->explanation, "variant") != NULL);
        CHECK(strstr(m->explanation, "DOB agrees") != NULL);
        CHECK(strstr(m->explanation, "surname") != NULL);
    }
    um_screen_result_free(r);
}

/* The threshold means the same for short and long names: one distinctive
 * part left unexplained drops any name below 0.80. */
static void t_calibration(um_screener *s) {
    static const struct { const char *q, *uid; } miss[] = {
        {"Choe Ryong", "23213"},                                    /* 3 -> 2 parts */
        {"Kim Jong Un Chol", "20157"},                              /* extra syllable */
        {"Korea Development Trading Corporation", "9345"},           /* long entity missing its one distinctive word */
        {"Department 54 of the Ministry of the People's Armed Forces", "52262"},
    };
    for (size_t i = 0; i < sizeof miss / sizeof miss[0]; i++) {
        um_screen_query q = {0};
        q.name = miss[i].q;
        um_screen_result *r = NULL;
        CHECK_INTEQ(um_screen_name(s, &q, &r), UM_OK);
        if (has_uid(r, miss[i].uid)) fprintf(stderr, "calibration: %s matched %s\n", miss[i].q, miss[i].uid);
        CHECK(!has_uid(r, miss[i].uid));
        um_screen_result_free(r);
    }
}

/* Han: the UN alias "Jin Tiesan (金铁三)" is split into its Latin and
 * original-script parts; the characters match as written or in their
 * Chinese reading (KPi.035), and their Sino-Korean reading (Unihan: 金 is
 * Kim) finds the SDN's KIM, Chol Sam (16084). */
static void t_scripts(um_screener *s) {
    um_screen_query q = {0};
    q.name = "金铁三";
    um_screen_result *r = NULL;
    CHECK_INTEQ(um_screen_name(s, &q, &r), UM_OK);
    bool un = false, sdn = false;
    for (size_t i = 0; i < um_screen_result_count(r); i++) {
        const um_screen_match *m = um_screen_result_match(r, i);
        if (strcmp(m->uid, "KPi.035") == 0) un = m->score >= 0.99;
        if (strcmp(m->uid, "16084") == 0) sdn = m->score >= 0.99;
    }
    CHECK(un);
    CHECK(sdn);
    um_screen_result_free(r);
}

/* EU consolidated financial sanctions list (FSF XML): a fixture written in
 * the published format (tests/data/screen/fixtures/eu/fsf.xml). */
static void t_eu(void) {
    char dd[1024], eu[1200];
    snprintf(dd, sizeof dd, "%s/data", um_t_src());
    snprintf(eu, sizeof eu, "%s/tests/data/screen/fixtures/eu/fsf.xml", um_t_src());
    um_screener_options o = {0};
    o.data_dir = dd;
    o.eu_xml = eu;
    um_screener *s = NULL;
    CHECK_INTEQ(um_screener_open(&s, &o), UM_OK);
    bool listed = false, warned = false;
    for (size_t i = 0; i < um_screener_list_count(s); i++) {
        const um_list_info *l = um_screener_list(s, i);
        if (strcmp(l->list, "EU") == 0) {
            listed = true;
            CHECK(l->date && strcmp(l->date, "2026-11-20") == 0);
            CHECK(l->entries == 2);
        }
    }
    for (size_t i = 0; um_screener_warning(s, i); i++) warned |= strstr(um_screener_warning(s, i), "EU: 1 record") != NULL;
    CHECK(listed);
    CHECK(warned); /* the entry without a name */
    um_screen_query q = {0};
    q.name = "Ryang Chol-ho";
    q.dob = "1971-03-05";
    um_screen_result *r = NULL;
    CHECK_INTEQ(um_screen_name(s, &q, &r), UM_OK);
    CHECK(has_uid(r, "EU.9001.1"));
    CHECK(um_screen_result_count(r) > 0 && strcmp(um_screen_result_match(r, 0)->list, "EU") == 0 &&
          strcmp(um_screen_result_match(r, 0)->programs, "PRK") == 0 && um_screen_result_match(r, 0)->dob_check == 1);
    um_screen_result_free(r);
    q.name = "Korea Hwangbo Example Trading Corp";
    q.dob = NULL;
    CHECK_INTEQ(um_screen_name(s, &q, &r), UM_OK);
    CHECK(has_uid(r, "EU.9002.2"));
    um_screen_result_free(r);
    um_screener_close(s);
    o.eu_xml = "/nonexistent/fsf.xml";
    s = NULL;
    CHECK_INTEQ(um_screener_open(&s, &o), UM_ENOTFOUND);
    um_screener_close(s);
}

static const um_list_info *list_of(const um_screener *s, const char *list) {
    for (size_t i = 0; i < um_screener_list_count(s); i++)
        if (strcmp(um_screener_list(s, i)->list, list) == 0) return um_screener_list(s, i);
    return NULL;
}

static const um_screen_match *match_uid(const um_screen_result *r, const char *uid) {
    for (size_t i = 0; i < um_screen_result_count(r); i++)
        if (strcmp(um_screen_result_match(r, i)->uid, uid) == 0) return um_screen_result_match(r, i);
    return NULL;
}

/* UK Sanctions List (FCDO XML): a fixture in the published format
 * (tests/data/screen/fixtures/uk/UK-Sanctions-List.xml). */
static void t_uk(void) {
    char dd[1024], uk[1200];
    snprintf(dd, sizeof dd, "%s/data", um_t_src());
    snprintf(uk, sizeof uk, "%s/tests/data/screen/fixtures/uk/UK-Sanctions-List.xml", um_t_src());
    um_screener_options o = {0};
    o.data_dir = dd;
    o.uk_xml = uk;
    um_screener *s = NULL;
    CHECK_INTEQ(um_screener_open(&s, &o), UM_OK);
    const um_list_info *l = list_of(s, "UK");
    CHECK(l != NULL);
    if (l) {
        CHECK(l->date && strcmp(l->date, "2026-11-20") == 0); /* <DateGenerated> dd/mm/yyyy */
        CHECK_INTEQ((int)l->entries, 4);                      /* the designation without a name is a reject */
    }
    bool warned = false;
    for (size_t i = 0; um_screener_warning(s, i); i++) warned |= strstr(um_screener_warning(s, i), "UK: 1 designation") != NULL;
    CHECK(warned);
    um_screen_query q = {0};
    um_screen_result *r = NULL;
    /* Name6 is the family name: "PAKRYONG, Example Chol"; DOB dd/mm/1975 and 12/04/1976 */
    q.name = "Example Chol Pakryong";
    q.dob = "1976-04-12";
    CHECK_INTEQ(um_screen_name(s, &q, &r), UM_OK);
    const um_screen_match *m = match_uid(r, "DPR9002");
    CHECK(m && strcmp(m->list, "UK") == 0 && m->dob_check == 1 && strcmp(m->entry_type, "person") == 0 &&
          strstr(m->programs, "Democratic People's Republic of Korea") && strstr(m->listed, "KP"));
    um_screen_result_free(r);
    q.dob = "1975";
    CHECK_INTEQ(um_screen_name(s, &q, &r), UM_OK);
    m = match_uid(r, "DPR9002");
    CHECK(m && m->dob_check == 1); /* "dd/mm/1975": the year alone */
    um_screen_result_free(r);
    q.dob = "1990-01-01";
    CHECK_INTEQ(um_screen_name(s, &q, &r), UM_OK);
    m = match_uid(r, "DPR9002");
    CHECK(!m || m->dob_check == -1);
    um_screen_result_free(r);
    q.dob = NULL;
    /* the low-quality alias with the "ALias" casing, and the Cyrillic original script */
    q.name = "Pak Ex Chol";
    CHECK_INTEQ(um_screen_name(s, &q, &r), UM_OK);
    m = match_uid(r, "DPR9002");
    CHECK(m && strcmp(m->alias_kind, "weak a.k.a.") == 0);
    um_screen_result_free(r);
    q.name = "Иван САМПЛОВ";
    CHECK_INTEQ(um_screen_name(s, &q, &r), UM_OK);
    CHECK(has_uid(r, "RUS9004"));
    um_screen_result_free(r);
    q.name = "Example Star 8";
    CHECK_INTEQ(um_screen_name(s, &q, &r), UM_OK);
    m = match_uid(r, "DPR9003");
    CHECK(m && strcmp(m->entry_type, "vessel") == 0);
    um_screen_result_free(r);
    /* the same party on the UK, SDN and UN lists is shown together */
    q.name = "Korea Mining Development Trading Corporation";
    CHECK_INTEQ(um_screen_name(s, &q, &r), UM_OK);
    m = match_uid(r, "DPR9001");
    CHECK(m && strstr(m->also_listed, "OFAC SDN 9345") && strstr(m->also_listed, "UN KPe.001"));
    m = match_uid(r, "9345");
    CHECK(m && strstr(m->also_listed, "UK DPR9001"));
    um_screen_result_free(r);
    CHECK_INTEQ(um_screen_identifier(s, "email", "Pak.Ex@example.net", &r), UM_OK);
    CHECK(has_uid(r, "DPR9002"));
    um_screen_result_free(r);
    um_screener_close(s);
    o.uk_xml = "/nonexistent/UK-Sanctions-List.xml";
    s = NULL;
    CHECK_INTEQ(um_screener_open(&s, &o), UM_ENOTFOUND);
    um_screener_close(s);
}

/* OFAC advanced XML: a fixture in the published format
 * (tests/data/screen/fixtures/ofac_adv/sdn_advanced.xml); beside the CSV
 * files it replaces them. */
static void t_ofac_adv(void) {
    char dd[1024], dir[200], cmd[8192];
    snprintf(dd, sizeof dd, "%s/data", um_t_src());
    snprintf(dir, sizeof dir, "/tmp/um_test_ofac_adv_%ld", (long)getpid());
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s' && cp '%s/tests/data/screen/fixtures/ofac_adv/sdn_advanced.xml' '%s/'",
             dir, dir, um_t_src(), dir);
    CHECK_INTEQ(system(cmd), 0);
    um_screener_options o = {0};
    o.data_dir = dd;
    o.ofac_dir = dir;
    um_screener *s = NULL;
    CHECK_INTEQ(um_screener_open(&s, &o), UM_OK);
    const um_list_info *l = list_of(s, "OFAC SDN");
    CHECK(l && l->date && strcmp(l->date, "2026-11-27") == 0 && l->entries == 4 && strstr(l->path, "sdn_advanced.xml"));
    bool warned = false;
    for (size_t i = 0; um_screener_warning(s, i); i++)
        warned |= strstr(um_screener_warning(s, i), "1 of 5 DistinctParty") != NULL;
    CHECK(warned);
    um_screen_query q = {0};
    um_screen_result *r = NULL;
    q.name = "Kim Jong Sik";
    q.dob = "1968";
    CHECK_INTEQ(um_screen_name(s, &q, &r), UM_OK);
    const um_screen_match *m = match_uid(r, "23214");
    CHECK(m && strcmp(m->list, "OFAC SDN") == 0 && strcmp(m->entry_name, "KIM, Jong Sik") == 0 && m->dob_check == 1 &&
          strcmp(m->programs, "DPRK2") == 0 && strstr(m->also_listed, "UN KPi.066"));
    um_screen_result_free(r);
    q.dob = NULL;
    q.name = "Sample Hyok Rimexample";
    q.dob = "1988-07-14";
    q.country = "KP";
    CHECK_INTEQ(um_screen_name(s, &q, &r), UM_OK);
    m = match_uid(r, "99001");
    CHECK(m && strcmp(m->entry_name, "RIMEXAMPLE, Sample Hyok") == 0 && m->dob_check == 1 && m->country_check == 1 &&
          strcmp(m->programs, "DPRK3; CYBER2") == 0 && strcmp(m->entry_type, "person") == 0);
    um_screen_result_free(r);
    q.dob = NULL;
    q.country = NULL;
    q.name = "Hyok Rimsampel";
    CHECK_INTEQ(um_screen_name(s, &q, &r), UM_OK);
    m = match_uid(r, "99001");
    CHECK(m && strcmp(m->alias_kind, "f.k.a.") == 0);
    um_screen_result_free(r);
    q.name = "РИМЭКЗАМПЛ Сампл Хёк";
    CHECK_INTEQ(um_screen_name(s, &q, &r), UM_OK);
    CHECK(has_uid(r, "99001"));
    um_screen_result_free(r);
    q.name = "Komid";
    CHECK_INTEQ(um_screen_name(s, &q, &r), UM_OK);
    m = match_uid(r, "9345");
    CHECK(m && strcmp(m->programs, "NPWMD; DPRK2") == 0 && strcmp(m->entry_type, "entity") == 0);
    um_screen_result_free(r);
    q.name = "Example River";
    CHECK_INTEQ(um_screen_name(s, &q, &r), UM_OK);
    m = match_uid(r, "99002");
    CHECK(m && strcmp(m->entry_type, "vessel") == 0);
    um_screen_result_free(r);
    q.name = "Kim Jong Un"; /* in sdn.csv only: the CSV files are not read beside the advanced XML */
    CHECK_INTEQ(um_screen_name(s, &q, &r), UM_OK);
    CHECK(!has_uid(r, "20157"));
    um_screen_result_free(r);
    CHECK_INTEQ(um_screen_identifier(s, "wallet", "0xabcdef0123456789abcdef0123456789abcdef99", &r), UM_OK);
    CHECK(has_uid(r, "99001"));
    um_screen_result_free(r);
    CHECK_INTEQ(um_screen_identifier(s, "email", "sample.hyok@example.org", &r), UM_OK);
    CHECK(has_uid(r, "99001"));
    um_screen_result_free(r);
    /* the parties both formats hold give the same entry: name, type, programmes, listed DOB */
    um_screener_options oc = {0};
    oc.data_dir = dd;
    um_screener *csv = NULL;
    CHECK_INTEQ(um_screener_open(&csv, &oc), UM_OK);
    static const char *const both[][2] = {{"KIM, Jong Sik", "23214"}, {"KOREA MINING DEVELOPMENT TRADING CORPORATION", "9345"}};
    for (size_t i = 0; i < 2; i++) {
        um_screen_query qq = {0};
        qq.name = both[i][0];
        um_screen_result *ra = NULL, *rc = NULL;
        CHECK_INTEQ(um_screen_name(s, &qq, &ra), UM_OK);
        CHECK_INTEQ(um_screen_name(csv, &qq, &rc), UM_OK);
        const um_screen_match *a = match_uid(ra, both[i][1]), *c = match_uid(rc, both[i][1]);
        CHECK(a && c);
        if (a && c) {
            CHECK(strcmp(a->entry_name, c->entry_name) == 0);
            CHECK(strcmp(a->entry_type, c->entry_type) == 0);
            CHECK(strcmp(a->programs, c->programs) == 0);
            CHECK(strcmp(a->listed, c->listed) == 0);
            CHECK(fabs(a->score - c->score) < 1e-9);
        }
        um_screen_result_free(ra);
        um_screen_result_free(rc);
    }
    um_screener_close(csv);
    um_screener_close(s);
    /* a truncated advanced file is not loaded at all: the CSV files are */
    snprintf(cmd, sizeof cmd, "head -c 9000 '%s/sdn_advanced.xml' > '%s/x' && mv '%s/x' '%s/sdn_advanced.xml' && "
             "cp '%s/sanctions/ofac/sdn.csv' '%s/'", dir, dir, dir, dir, dd, dir);
    CHECK_INTEQ(system(cmd), 0);
    s = NULL;
    CHECK_INTEQ(um_screener_open(&s, &o), UM_OK);
    l = list_of(s, "OFAC SDN");
    CHECK(l && strstr(l->path, "sdn.csv"));
    warned = false;
    for (size_t i = 0; um_screener_warning(s, i); i++) warned |= strstr(um_screener_warning(s, i), "not well-formed") != NULL;
    CHECK(warned);
    q.name = "Sample Hyok Rimexample";
    CHECK_INTEQ(um_screen_name(s, &q, &r), UM_OK);
    CHECK(!has_uid(r, "99001"));
    um_screen_result_free(r);
    um_screener_close(s);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK_INTEQ(system(cmd), 0);
}

/* The download goes through the OS seam's fetch: a replacement serves the
 * files (no network), and what it serves is checked like any download. */
static const char *g_fake_body;
static int g_fake_calls;
static char g_fake_url[512];

static int fake_fetch(void *ud, const char *url, const char *path, const um_os_fetch_opts *o, char *err, size_t cap) {
    (void)ud;
    g_fake_calls++;
    snprintf(g_fake_url, sizeof g_fake_url, "%s", url);
    if (!g_fake_body) {
        snprintf(err, cap, "HTTP 503 from %s", url);
        return -1;
    }
    if (o->allow_http) {
        snprintf(err, cap, "plain HTTP allowed for %s", url); /* an https:// source must not get it */
        return -1;
    }
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    fputs(g_fake_body, f);
    return fclose(f) == 0 ? 0 : -1;
}

static void t_update_seam(void) {
    char dir[200], cmd[8192], conf[300], uk[1200];
    snprintf(dir, sizeof dir, "/tmp/um_test_update_%ld", (long)getpid());
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s/sanctions/un' && cp '%s/data/sanctions/un/consolidated.xml' '%s/sanctions/un/'",
             dir, dir, um_t_src(), dir);
    CHECK_INTEQ(system(cmd), 0);
    snprintf(conf, sizeof conf, "%s/sources.conf", dir);
    FILE *f = fopen(conf, "w");
    CHECK(f != NULL);
    if (!f) return;
    fputs("# test\nuk UK-Sanctions-List.xml https://lists.example/UK-Sanctions-List.xml\n", f);
    fclose(f);
    snprintf(uk, sizeof uk, "%s/tests/data/screen/fixtures/uk/UK-Sanctions-List.xml", um_t_src());
    FILE *u = fopen(uk, "rb");
    static char body[65536];
    size_t n = u ? fread(body, 1, sizeof body - 1, u) : 0;
    if (u) fclose(u);
    body[n] = 0;
    um_os os = *um_os_default();
    os.fetch = fake_fetch;
    const um_os *prev = um_os_install(&os);
    um_lists_update_options o = {0};
    o.data_dir = dir;
    o.sources = conf;
    static char report[16384];
    g_fake_body = "<html>maintenance</html>"; /* the wrong format: refused, nothing installed */
    CHECK_INTEQ(um_lists_update(&o, report, sizeof report), UM_EPARSE);
    CHECK(strstr(report, "uk: not installed") != NULL);
    snprintf(cmd, sizeof cmd, "test ! -e '%s/sanctions/uk/UK-Sanctions-List.xml'", dir);
    CHECK_INTEQ(system(cmd), 0);
    g_fake_body = NULL; /* a failed download */
    CHECK_INTEQ(um_lists_update(&o, report, sizeof report), UM_EIO);
    CHECK(strstr(report, "HTTP 503") != NULL);
    g_fake_body = body; /* the real format */
    CHECK_INTEQ(um_lists_update(&o, report, sizeof report), UM_OK);
    CHECK(strstr(report, "UK: 4 entries (was 0)") != NULL);
    CHECK(strcmp(g_fake_url, "https://lists.example/UK-Sanctions-List.xml") == 0);
    CHECK_INTEQ(g_fake_calls, 3);
    o.only = "eu";
    CHECK_INTEQ(um_lists_update(&o, report, sizeof report), UM_ENOTFOUND);
    CHECK_INTEQ(g_fake_calls, 3);
    um_os_install(prev);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK_INTEQ(system(cmd), 0);
}

/* The same party on two lists is shown together, each entry naming the other. */
static void t_parties(um_screener *s) {
    um_screen_query q = {0};
    q.name = "Kim Jong Sik";
    um_screen_result *r = NULL;
    CHECK_INTEQ(um_screen_name(s, &q, &r), UM_OK);
    int sdn = -1, un = -1;
    for (size_t i = 0; i < um_screen_result_count(r); i++) {
        const um_screen_match *m = um_screen_result_match(r, i);
        if (strcmp(m->uid, "23214") == 0) {
            sdn = (int)i;
            CHECK(strstr(m->also_listed, "UN KPi.066") != NULL);
        }
        if (strcmp(m->uid, "KPi.066") == 0) {
            un = (int)i;
            CHECK(strstr(m->also_listed, "OFAC SDN 23214") != NULL);
        }
    }
    CHECK(sdn >= 0 && un >= 0 && abs(sdn - un) == 1);
    um_screen_result_free(r);
    /* a namesake with another date of birth on another list is not the same party */
    q.name = "Kim Jong Un";
    CHECK_INTEQ(um_screen_name(s, &q, &r), UM_OK);
    CHECK(um_screen_result_count(r) > 0 && strcmp(um_screen_result_match(r, 0)->also_listed, "") == 0);
    um_screen_result_free(r);
}

/* One screener, several threads: the ICU transliterator and its cache are
 * shared behind a mutex; every thread must get the same answers. */
typedef struct thr_arg {
    um_screener *s;
    int bad;
} thr_arg;

static int thr_main(void *p) {
    thr_arg *a = p;
    static const char *const names[] = {"金铁三", "王伟", "Kim Jong Un", "ヤマダ タロウ", "長安海連技術有限公司"};
    static const bool want[] = {true, false, true, false, true};
    for (int it = 0; it < 40; it++)
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            um_screen_query q = {0};
            q.name = names[i];
            um_screen_result *r = NULL;
            if (um_screen_name(a->s, &q, &r) != UM_OK || (um_screen_result_count(r) > 0) != want[i]) a->bad++;
            um_screen_result_free(r);
        }
    return 0;
}

static void t_threads(um_screener *s) {
    thrd_t t[4];
    thr_arg a[4];
    int started = 0;
    for (int i = 0; i < 4; i++) {
        a[i].s = s;
        a[i].bad = 0;
        if (thrd_create(&t[i], thr_main, &a[i]) == thrd_success) started++;
        else break;
    }
    CHECK_INTEQ(started, 4);
    for (int i = 0; i < started; i++) {
        thrd_join(t[i], NULL);
        CHECK_INTEQ(a[i].bad, 0);
    }
}

static void t_hostile(um_screener *s) {
    char big[8192];
    for (size_t i = 0; i < sizeof big - 1; i++) big[i] = (char)("Kim-Jong \xff\xfe\xc3'"[i % 13]);
    big[sizeof big - 1] = 0;
    const char *const bad[] = {"", " ", "-", "\xff\xff\xff", "\xed\xa0\x80", "\xe2\x80", "a\tb\nc", big,
                                      "x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x "
                                      "x x x x x x x x x x x x x x x x x x x x x x x x x x x x x",
                                      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                                      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        um_screen_query q = {0};
        q.name = bad[i];
        um_screen_result *r = NULL;
        CHECK_INTEQ(um_screen_name(s, &q, &r), UM_OK);
        um_screen_result_free(r);
        CHECK_INTEQ(um_screen_identifier(s, "wallet", bad[i], &r), UM_OK);
        um_screen_result_free(r);
    }
    um_screen_query q = {0};
    um_screen_result *r = NULL;
    CHECK_INTEQ(um_screen_name(s, &q, &r), UM_EINVAL); /* no name */
    q.name = "Kim Jong Un";
    q.dob = "1984-13-45";
    CHECK_INTEQ(um_screen_name(s, &q, &r), UM_EINVAL);
    um_screen_result_free(r);
    q.dob = NULL;
    q.country = "Atlantis";
    CHECK_INTEQ(um_screen_name(s, &q, &r), UM_EINVAL);
    um_screen_result_free(r);
    CHECK_INTEQ(um_screen_identifier(s, "shoe-size", "42", &r), UM_EINVAL);
    um_screen_result_free(r);
}

static void t_lists(um_screener *s) {
    size_t entries = 0, names = 0;
    um_screener_size(s, &entries, &names);
    CHECK(entries > 17000);
    CHECK(names > 39000);
    bool ofac = false, un = false, old = false;
    for (size_t i = 0; i < um_screener_list_count(s); i++) {
        const um_list_info *l = um_screener_list(s, i);
        if (strcmp(l->list, "OFAC SDN") == 0 && strstr(l->path, "sdn.csv") && l->date) {
            ofac = true;
            CHECK_STREQ(l->date, "2024-05-03");
            CHECK_INTEQ(l->rows, 14965);
            old |= l->age_days > 90;
        }
        if (strcmp(l->list, "UN") == 0) {
            un = true;
            CHECK_STREQ(l->date, "2026-02-27"); /* dateGenerated */
            CHECK(l->entries == 1003);
        }
    }
    CHECK(ofac && un && old);
}

/* A user can point at other (newer) files: a one-row sdn.csv written here. */
static void t_other_files(void) {
    const char *dir = "/tmp/um_test_screen_ofac";
    char cmd[256];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    CHECK(system(cmd) == 0);
    FILE *f = fopen("/tmp/um_test_screen_ofac/sdn.csv", "wb");
    CHECK(f != NULL);
    if (!f) return;
    fputs("99999,\"SONG, Kum Hyok\",\"individual\",\"DPRK4\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"
          "\"DOB 01 Jan 1990; nationality Korea, North.\"\r\n"
          "not,a,valid,row\r\n\x1a",
          f);
    fclose(f);
    f = fopen("/tmp/um_test_screen_ofac/alt.csv", "wb");
    if (f) {
        fputs("99999,1,\"aka\",\"SONG, Geum-hyeok\",-0- \r\n88888,2,\"aka\",\"ORPHAN TRADING CO\",-0- \r\n", f);
        fclose(f);
    }
    /* OFAC Consolidated (non-SDN) list: the same columns in cons_*.csv (a
     * fixture written for this test in the published format) */
    f = fopen("/tmp/um_test_screen_ofac/cons_prim.csv", "wb");
    if (f) {
        fputs("77777,\"EXAMPLE MINERALS FZE\",-0- ,\"NS-MBS\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\x1a", f);
        fclose(f);
    }
    f = fopen("/tmp/um_test_screen_ofac/cons_alt.csv", "wb");
    if (f) {
        fputs("77777,1,\"aka\",\"EXMIN FZE\",-0- \r\n", f);
        fclose(f);
    }
    char dd[1024];
    snprintf(dd, sizeof dd, "%s/data", um_t_src());
    um_screener_options o = {0};
    o.data_dir = dd;
    o.ofac_dir = dir;
    o.un_xml = "/nonexistent/consolidated.xml";
    um_screener *s = NULL;
    CHECK_INTEQ(um_screener_open(&s, &o), UM_ENOTFOUND); /* a named file must exist */
    um_screener_close(s);
    o.un_xml = NULL;
    s = NULL;
    CHECK_INTEQ(um_screener_open(&s, &o), UM_OK);
    bool warned = false;
    for (size_t i = 0; um_screener_warning(s, i); i++) warned |= strstr(um_screener_warning(s, i), "malformed") != NULL;
    CHECK(warned);
    um_screen_query q = {0};
    q.name = "Song Kum-hyok";
    q.country = "KP";
    um_screen_result *r = NULL;
    CHECK_INTEQ(um_screen_name(s, &q, &r), UM_OK);
    CHECK(has_uid(r, "99999"));
    um_screen_result_free(r);
    q.name = "Orphan Trading Company";
    q.country = NULL;
    CHECK_INTEQ(um_screen_name(s, &q, &r), UM_OK);
    CHECK(has_uid(r, "88888")); /* alias row without a primary row */
    um_screen_result_free(r);
    q.name = "Exmin FZE";
    CHECK_INTEQ(um_screen_name(s, &q, &r), UM_OK);
    CHECK(has_uid(r, "77777"));
    CHECK(um_screen_result_count(r) > 0 && strcmp(um_screen_result_match(r, 0)->list, "OFAC Consolidated") == 0);
    CHECK(um_screen_result_count(r) > 0 && strcmp(um_screen_result_match(r, 0)->programs, "NS-MBS") == 0);
    um_screen_result_free(r);
    bool cons_listed = false;
    for (size_t i = 0; i < um_screener_list_count(s); i++)
        cons_listed |= strcmp(um_screener_list(s, i)->list, "OFAC Consolidated") == 0;
    CHECK(cons_listed);
    um_screener_close(s);
    CHECK(remove("/tmp/um_test_screen_ofac/cons_prim.csv") == 0);
    CHECK(remove("/tmp/um_test_screen_ofac/cons_alt.csv") == 0);
    CHECK(remove("/tmp/um_test_screen_ofac/sdn.csv") == 0);
    CHECK(remove("/tmp/um_test_screen_ofac/alt.csv") == 0);
    CHECK(rmdir(dir) == 0);
}

/* The walk's key rules at the default threshold (xreq, treq: a name that
 * cannot hold the keys a match needs is ruled out before it is scored)
 * are exact: the matches at 0.80 are those a threshold of 0.50, where the
 * rules do not apply, finds at 0.80 or more. Person names with listed
 * words of 7+ letters, typos and folded spellings (Sergey, -ievich). And a
 * query word keyed as a generic business word (KHOLDINGG: holding) pairs
 * with the generic list unit by key, whose key is not posted: treq must
 * not require it (the primary name at 0.97, not an alias at 0.91). */
static void t_walk_rules(um_screener *s) {
    static const char *const names[] = {
        "Aleksandr Smirnov",        "Michael Johnson",           "Sergey Sokolov",
        "Tatyana Mikhaylov",        "KARAOOL Sholban Vlaerievich", "ROENBERG Lliiya Arkadievna",
        "SAAFDARI Seyyd Jaber",     "KHESOUANI Gorge",           "Andrey Kuznetsov",
        "Mikhail Fedorov",          "Dmitriy Alekseyev",         "Yuryevich Kovalchuk",
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        um_screen_query q = {0}, q5 = {0};
        q.name = q5.name = names[i];
        q.limit = q5.limit = 50;
        q5.threshold = 0.5;
        um_screen_result *r = NULL, *r5 = NULL;
        CHECK_INTEQ(um_screen_name(s, &q, &r), UM_OK);
        CHECK_INTEQ(um_screen_name(s, &q5, &r5), UM_OK);
        size_t n = um_screen_result_count(r), n5 = 0;
        for (size_t k = 0; k < um_screen_result_count(r5); k++) {
            const um_screen_match *b = um_screen_result_match(r5, k);
            if (b->score < 0.8 - 1e-9) continue;
            n5++;
            bool found = false;
            for (size_t j = 0; j < n && !found; j++) {
                const um_screen_match *a = um_screen_result_match(r, j);
                found = strcmp(a->uid, b->uid) == 0 && strcmp(a->list, b->list) == 0 && fabs(a->score - b->score) < 1e-9;
            }
            if (!found) fprintf(stderr, "walk rules: \"%s\" misses %s %s %.3f at 0.80\n", names[i], b->list, b->uid, b->score);
            CHECK(found);
        }
        CHECK(n == n5);
        um_screen_result_free(r);
        um_screen_result_free(r5);
    }
    um_screen_query q = {0};
    q.name = "RGS KHOLDINGG";
    um_screen_result *r = NULL;
    CHECK_INTEQ(um_screen_name(s, &q, &r), UM_OK);
    CHECK(um_screen_result_count(r) >= 1);
    const um_screen_match *m = um_screen_result_match(r, 0);
    if (m) {
        CHECK_STREQ(m->uid, "34505");
        CHECK_STREQ(m->matched_name, "OOO RGS HOLDING");
        CHECK(m->score >= 0.96);
    }
    um_screen_result_free(r);
}

int main(void) {
    um_screener *s = open_default();
    if (s) {
        RUN_S(t_cases, s);
        RUN_S(t_explanation, s);
        RUN_S(t_walk_rules, s);
        RUN_S(t_calibration, s);
        RUN_S(t_scripts, s);
    RUN_S(t_parties, s);
    RUN(t_eu);
    RUN(t_uk);
    RUN(t_ofac_adv);
    RUN(t_update_seam);
        RUN_S(t_threads, s);
        RUN_S(t_hostile, s);
        RUN_S(t_lists, s);
    }
    um_screener_close(s);
    RUN(t_other_files);
    /* ICU keeps its transliterator registry for the whole process; the
     * library leaves it alone (other ICU users may share the process), the
     * test frees it so that valgrind sees every block released. */
    u_cleanup();
    return um_t_report();
}
