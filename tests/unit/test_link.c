/*
 * test_link.c - the linkage engine (src/link/engine.c) on small worlds with
 * a known answer: households and colleagues stay `related`, a persona team
 * is one same_operator cluster, laptop farms are reported, a chain is cut,
 * verdicts are honoured, cluster ids are stable, generic values are named
 * with their counts, evidence propagates only over strong links.
 */
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <turbojpeg.h>
#include <jansson.h>
#include <sqlite3.h>
#include "util/util.h"
#include <unistd.h>

#include "harness.h"
#include "link/link.h"

#define MAXO 4096
static um_lk_obs O[MAXO];
static size_t NO;
static char ids[512][24];
static const char *idp[512];
static const char *home[512], *city[512];

static void reset(size_t ns) {
    NO = 0;
    for (size_t i = 0; i < ns; i++) {
        snprintf(ids[i], sizeof ids[i], "S-%03u", (unsigned)i);
        idp[i] = ids[i];
        home[i] = NULL;
        city[i] = NULL;
    }
}

static void ob(uint32_t s, um_lk_kind k, const char *v) {
    O[NO] = (um_lk_obs){.subject = s, .kind = (uint8_t)k, .sim = 1, .value = v, .raw = v, .file = "t.csv", .line = s + 2};
    NO++;
}

/* Background population so frequencies mean something: n people with
 * their own phone, email and home. */
static char bg[3][512][40];
static void background(size_t from, size_t to) {
    for (size_t i = from; i < to; i++) {
        snprintf(bg[0][i], 40, "+1555%07zu", i);
        snprintf(bg[1][i], 40, "p%zu@example.com", i);
        snprintf(bg[2][i], 40, "%zu main st", i);
        ob((uint32_t)i, UM_LK_PHONE, bg[0][i]);
        ob((uint32_t)i, UM_LK_EMAIL, bg[1][i]);
        ob((uint32_t)i, UM_LK_HOME, bg[2][i]);
        home[i] = bg[2][i];
        city[i] = "austin";
    }
}

static um_lk_result *run(size_t ns, const um_lk_verdict *v, size_t nv) {
    um_lk_options o = {0};
    o.nsubjects = ns;
    o.subject_ids = idp;
    o.home = home;
    o.city = city;
    o.verdicts = v;
    o.nverdicts = nv;
    um_lk_result *r = NULL;
    CHECK(um_lk_run(O, NO, &o, &r) == UM_OK);
    return r;
}

static um_lk_tier tier_of(const um_lk_result *r, uint32_t s) {
    for (int t = UM_LK_SAME; t >= UM_LK_RELATED; t--)
        if (r->cluster_of[t] && r->cluster_of[t][s] >= 0) return (um_lk_tier)t;
    return UM_LK_NONE;
}

static bool in_farm(const um_lk_result *r, uint32_t s, um_lk_kind k) {
    for (size_t g = 0; g < r->ngroups; g++)
        if (r->groups[g].kind == k)
            for (size_t i = 0; i < r->groups[g].nmembers; i++)
                if (r->groups[g].members[i] == s) return true;
    return false;
}

static void test_couple(void) {
    reset(100);
    background(0, 100);
    /* 0 and 1: married, share home, family phone, home IP, referral */
    home[1] = home[0];
    ob(0, UM_LK_HOME, home[0]), ob(1, UM_LK_HOME, home[0]);
    ob(0, UM_LK_PHONE, "+15125550100"), ob(1, UM_LK_PHONE, "+15125550100");
    ob(0, UM_LK_IP, "73.12.4.5"), ob(1, UM_LK_IP, "73.12.4.5");
    ob(0, UM_LK_REFERRAL, "jane smith"), ob(1, UM_LK_REFERRAL, "jane smith");
    ob(0, UM_LK_SHIP, home[0]), ob(1, UM_LK_SHIP, home[0]);
    um_lk_result *r = run(100, NULL, 0);
    CHECK_INTEQ(tier_of(r, 0), UM_LK_RELATED);
    CHECK_INTEQ(tier_of(r, 1), UM_LK_RELATED);
    CHECK(r->nedges == 1 && r->edges[0].tier == UM_LK_RELATED && r->edges[0].household);
    CHECK(!in_farm(r, 0, UM_LK_SHIP) && !in_farm(r, 0, UM_LK_IP));
    um_lk_result_free(r);
}

static void test_office_nat_and_vendor(void) {
    reset(100);
    background(0, 100);
    /* 10..19: a team behind one office NAT (same city, different homes) */
    for (uint32_t s = 10; s < 20; s++) ob(s, UM_LK_IP, "198.51.100.7");
    /* 30..37: contractors of one staffing vendor: vendor address and switchboard */
    for (uint32_t s = 30; s < 38; s++) {
        home[s] = "100 vendor plz ste 400";
        ob(s, UM_LK_HOME, home[s]);
        ob(s, UM_LK_PHONE, "+15125550199");
        city[s] = "dallas";
    }
    um_lk_result *r = run(100, NULL, 0);
    for (uint32_t s = 10; s < 20; s++) CHECK(tier_of(r, s) <= UM_LK_RELATED);
    for (uint32_t s = 30; s < 38; s++) CHECK(tier_of(r, s) <= UM_LK_RELATED);
    CHECK_INTEQ(r->ngroups, 0);
    um_lk_result_free(r);
}

static void test_farms(void) {
    reset(100);
    background(0, 100);
    /* 40..43: unrelated hires (own homes in different cities), laptops to one address */
    const char *cities[] = {"austin", "denver", "miami", "boston"};
    for (uint32_t s = 40; s < 44; s++) {
        ob(s, UM_LK_SHIP, "1870 sandpiper ct hillsboro or 97124");
        ob(s, UM_LK_IP, "24.20.1.9"); /* one residential IP behind several hires */
        city[s] = cities[s - 40];
    }
    um_lk_result *r = run(100, NULL, 0);
    for (uint32_t s = 40; s < 44; s++) {
        CHECK(in_farm(r, s, UM_LK_SHIP));
        CHECK(in_farm(r, s, UM_LK_IP));
    }
    CHECK(!in_farm(r, 0, UM_LK_SHIP));
    um_lk_result_free(r);
}

static void test_team_and_chain(void) {
    reset(200);
    background(0, 200);
    /* 50..53: a persona team sharing one wallet and pairwise phones */
    for (uint32_t s = 50; s < 54; s++) ob(s, UM_LK_WALLET, "0xabc");
    ob(50, UM_LK_PHONE, "+17025550111"), ob(52, UM_LK_PHONE, "+17025550111");
    /* 100..129: a chain, each sharing a different email with the next */
    static char ch[30][32];
    for (uint32_t i = 0; i < 29; i++) {
        snprintf(ch[i], sizeof ch[i], "chain%u@mail.test", i);
        ob(100 + i, UM_LK_EMAIL, ch[i]);
        ob(101 + i, UM_LK_EMAIL, ch[i]);
    }
    um_lk_result *r = run(200, NULL, 0);
    int32_t c = r->cluster_of[UM_LK_SAME][50];
    CHECK(c >= 0);
    if (c >= 0) {
        CHECK_INTEQ(r->clusters[c].nmembers, 4);
        CHECK(r->clusters[c].weakest >= 0);
        CHECK(r->clusters[c].nedges >= 6);
    }
    size_t biggest = 0;
    for (size_t i = 0; i < r->nclusters; i++) {
        bool chain = r->clusters[i].members[0] >= 100 && r->clusters[i].members[0] < 130;
        if (chain && r->clusters[i].nmembers > biggest) biggest = r->clusters[i].nmembers;
    }
    CHECK(biggest >= 2 && biggest <= 3); /* the chain is cut */
    {
        /* 140..169: a chain of fuzzy person matches (each record matched to the
         * next): one person's records join without the support rule, up to
         * UM_LK_PERSON_CHAIN (10) members; beyond that the chain stops */
        reset(200);
        background(0, 200);
        static char pv[30][32];
        for (uint32_t i = 0; i < 29; i++) {
            snprintf(pv[i], sizeof pv[i], "S-%03u~S-%03u: p=0.99", 140 + i, 141 + i);
            ob(140 + i, UM_LK_PERSON_POSSIBLE, pv[i]);
            ob(141 + i, UM_LK_PERSON_POSSIBLE, pv[i]);
            O[NO - 1].weight = O[NO - 2].weight = 12;
        }
        um_lk_result *r2 = run(200, NULL, 0);
        size_t big = 0;
        for (size_t i = 0; i < r2->nclusters; i++)
            if (r2->clusters[i].members[0] >= 140 && r2->clusters[i].members[0] < 170 &&
                r2->clusters[i].nmembers > big)
                big = r2->clusters[i].nmembers;
        CHECK(big >= 4 && big <= 10);
        um_lk_result_free(r2);
    }
    /* propagation: 50 scores 80; its teammates inherit, the background does not */
    double in[200] = {0}, out[200];
    int32_t from[200], edge[200];
    in[50] = 80;
    um_lk_propagate(r, 200, in, 0.5, out, from, edge);
    CHECK(out[51] > 30 && out[51] <= 40);
    CHECK_INTEQ(from[51], 50);
    CHECK(out[0] == 0);
    um_lk_result_free(r);
}

static void test_verdicts_and_ids(void) {
    reset(100);
    background(0, 100);
    ob(60, UM_LK_PAYOUT, "GB82WEST12345698765432"), ob(61, UM_LK_PAYOUT, "GB82WEST12345698765432");
    um_lk_result *r = run(100, NULL, 0);
    CHECK(r->cluster_of[UM_LK_SAME][60] >= 0 && r->cluster_of[UM_LK_SAME][60] == r->cluster_of[UM_LK_SAME][61]);
    char id1[16] = "";
    if (r->cluster_of[UM_LK_SAME][60] >= 0) snprintf(id1, sizeof id1, "%s", r->clusters[r->cluster_of[UM_LK_SAME][60]].id);
    um_lk_result_free(r);
    /* same input reversed: same cluster id */
    for (size_t i = 0; i < NO / 2; i++) {
        um_lk_obs t = O[i];
        O[i] = O[NO - 1 - i];
        O[NO - 1 - i] = t;
    }
    r = run(100, NULL, 0);
    int32_t c = r->cluster_of[UM_LK_SAME][60];
    CHECK(c >= 0);
    if (c >= 0) CHECK_STREQ(r->clusters[c].id, id1);
    um_lk_result_free(r);
    /* analyst: not the same person -> no same_operator cluster; 70/71 the same */
    um_lk_verdict v[] = {{60, 61, UM_LK_VERDICT_DIFFERENT}, {70, 71, UM_LK_VERDICT_SAME}};
    r = run(100, v, 2);
    CHECK(r->cluster_of[UM_LK_SAME][60] < 0);
    CHECK(r->cluster_of[UM_LK_SAME][70] >= 0 && r->cluster_of[UM_LK_SAME][70] == r->cluster_of[UM_LK_SAME][71]);
    um_lk_result_free(r);
}

static void test_generic(void) {
    reset(300);
    background(0, 300);
    for (uint32_t s = 0; s < 200; s++) ob(s, UM_LK_PHONE, "+18005550000"); /* a bank's toll-free line */
    um_lk_result *r = run(300, NULL, 0);
    CHECK_INTEQ(r->ngeneric, 1);
    if (r->ngeneric) {
        const um_lk_value *v = &r->values[r->generic[0]];
        CHECK_INTEQ(v->nsubjects, 200);
        CHECK_STREQ(O[v->first_obs].value, "+18005550000");
    }
    CHECK_INTEQ(r->nedges, 0);
    um_lk_result_free(r);
}

/* Two different values forced onto one 64-bit hash are compared as strings
 * and stay two values; a same_person_possible value makes a `possible` edge
 * on its own, a strong same_person one a same_operator edge. */
static void test_collision_and_person_kinds(void) {
    reset(200);
    background(0, 200);
    ob(10, UM_LK_WALLET, "0xaaaa");
    O[NO - 1].hash = 0x1234567890abcdefULL;
    ob(11, UM_LK_WALLET, "0xbbbb");
    O[NO - 1].hash = 0x1234567890abcdefULL;
    ob(12, UM_LK_WALLET, "0xaaaa");
    O[NO - 1].hash = 0x1234567890abcdefULL;
    ob(20, UM_LK_PERSON_POSSIBLE, "S-020~S-021");
    O[NO - 1].weight = 9;
    ob(21, UM_LK_PERSON_POSSIBLE, "S-020~S-021");
    O[NO - 1].weight = 9;
    ob(30, UM_LK_PERSON, "S-030~S-031");
    O[NO - 1].weight = 12;
    ob(31, UM_LK_PERSON, "S-030~S-031");
    O[NO - 1].weight = 12;
    um_lk_result *r = run(200, NULL, 0);
    CHECK_INTEQ(r->stats.collisions, 1);
    size_t wallets = 0;
    for (size_t v = 0; v < r->nvalues; v++)
        if (r->values[v].kind == UM_LK_WALLET) {
            wallets++;
            CHECK_INTEQ(r->values[v].nsubjects, 2);
            CHECK_STREQ(O[r->values[v].first_obs].value, "0xaaaa");
        }
    CHECK_INTEQ(wallets, 1); /* 0xbbbb is held by one subject only: not a shared value */
    CHECK(tier_of(r, 10) == UM_LK_SAME && tier_of(r, 11) == UM_LK_NONE);
    CHECK(tier_of(r, 20) == UM_LK_POSSIBLE && tier_of(r, 21) == UM_LK_POSSIBLE);
    CHECK(tier_of(r, 30) == UM_LK_SAME && tier_of(r, 31) == UM_LK_SAME);
    for (size_t e = 0; e < r->nedges; e++)
        if (r->edges[e].a == 20) CHECK(fabs(r->edges[e].weight - 9) < 1e-6); /* the caller's weight */
    um_lk_result_free(r);
}

static void test_minhash(void) {
    const char *t[] = {
        "Senior full stack engineer with 8 years building React, Node.js and AWS systems for fintech "
        "startups; led migration to microservices, cut latency by 40 percent, mentored five developers.",
        "Senior full stack engineer with 9 years building React, Node.js and AWS systems for fintech "
        "startups; led migration to microservices, cut latency by 40 percent, mentored five developers.",
        "Data analyst who likes SQL, dashboards, statistics and working with marketing teams on "
        "campaign measurement and forecasting of quarterly revenue across three regions.",
        ""};
    int32_t g[4];
    float sim[4];
    CHECK(um_lk_minhash_groups(t, 4, 0.5, g, sim) == UM_OK);
    CHECK(g[0] >= 0 && g[0] == g[1]);
    CHECK(g[2] < 0 && g[3] < 0);
    CHECK(sim[0] > 0.7f && sim[0] <= 1.0f);
}

/* A synthetic "photo": smooth shapes, written as PNG and as JPEG at half size. */
static void make_img(uint8_t *px, int w, int h, int seed) {
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double fx = (double)x / w, fy = (double)y / h;
            double v = 128 + 60 * sin(6.3 * fx * (seed + 1)) + 50 * cos(4.1 * fy * (seed + 2)) +
                       ((fx - 0.5) * (fx - 0.5) + (fy - 0.4) * (fy - 0.4) < 0.04 ? 60 : 0);
            px[y * w + x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
}

static void test_phash(void) {
    enum { W = 160, H = 200 };
    static uint8_t a[W * H], b[W / 2 * H / 2], c[W * H];
    make_img(a, W, H, 1);
    make_img(b, W / 2, H / 2, 1);
    make_img(c, W, H, 4);
    char dir[] = "/tmp/um_phash_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char pa[64], pb[64];
    snprintf(pa, sizeof pa, "%s/a.png", dir);
    snprintf(pb, sizeof pb, "%s/b.jpg", dir);
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    img.width = W;
    img.height = H;
    img.format = PNG_FORMAT_GRAY;
    CHECK(png_image_write_to_file(&img, pa, 0, a, 0, NULL));
    tjhandle tj = tjInitCompress();
    unsigned char *jpg = NULL;
    unsigned long jn = 0;
    CHECK(tjCompress2(tj, b, W / 2, 0, H / 2, TJPF_GRAY, &jpg, &jn, TJSAMP_GRAY, 70, 0) == 0);
    FILE *f = fopen(pb, "wb");
    CHECK(f && fwrite(jpg, 1, jn, f) == jn);
    if (f) fclose(f);
    tjFree(jpg);
    tjDestroy(tj);
    uint64_t h[3] = {0};
    CHECK(um_lk_phash_file(pa, &h[0]) == UM_OK);
    CHECK(um_lk_phash_file(pb, &h[1]) == UM_OK);
    CHECK(um_lk_phash_gray(c, W, H, &h[2]) == UM_OK);
    CHECK(__builtin_popcountll(h[0] ^ h[1]) <= 6);  /* re-encoded, resized: the same photo */
    CHECK(__builtin_popcountll(h[0] ^ h[2]) > 10);  /* another picture */
    int32_t g[3];
    float sim[3];
    CHECK(um_lk_phash_groups(h, 3, 8, g, sim) == UM_OK);
    CHECK(g[0] >= 0 && g[0] == g[1] && g[2] < 0);
    CHECK(um_lk_phash_file("/nonexistent.png", &h[0]) != UM_OK);
    CHECK(um_lk_phash_file(__FILE__, &h[0]) == UM_EINVAL);
    unlink(pa);
    unlink(pb);
    rmdir(dir);
}

/* clusters.jsonl lines parse and carry the contract's fields; the case.db
 * tables follow docs/SCHEMA.md; verdicts are read back from a case.db. */
static void test_output(void) {
    reset(100);
    background(0, 100);
    for (uint32_t s = 50; s < 53; s++) ob(s, UM_LK_WALLET, "0xfeed");
    um_lk_result *r = run(100, NULL, 0);
    int32_t c = r->cluster_of[UM_LK_SAME][50];
    CHECK(c >= 0);
    if (c < 0) return;
    um_buf b;
    um_buf_init(&b);
    um_lk_cluster_json(&b, r, (size_t)c, O, NO, idp, 77);
    json_error_t err;
    json_t *j = json_loads(b.s, 0, &err);
    CHECK(j != NULL);
    if (!j) fprintf(stderr, "%s\n%s\n", err.text, b.s);
    CHECK_STREQ(json_string_value(json_object_get(j, "tier")), "same_operator");
    CHECK_INTEQ(json_array_size(json_object_get(j, "members")), 3);
    CHECK_INTEQ(json_integer_value(json_object_get(j, "score")), 77);
    json_t *e0 = json_array_get(json_object_get(j, "edges"), 0);
    json_t *id0 = json_array_get(json_object_get(e0, "identifiers"), 0);
    CHECK_STREQ(json_string_value(json_object_get(id0, "kind")), "wallet");
    CHECK_STREQ(json_string_value(json_object_get(id0, "source_a")), "t.csv:52");
    CHECK(json_is_object(json_object_get(j, "weakest_link")));
    json_decref(j);
    um_buf_free(&b);
    sqlite3 *db;
    CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
    int score[64] = {0};
    CHECK(um_lk_write_sqlite(db, r, O, NO, idp, score, NULL) == UM_OK);
    sqlite3_stmt *q;
    CHECK(sqlite3_prepare_v2(db, "SELECT count(*) FROM cluster_members m JOIN clusters c ON c.id = m.cluster_id "
                                 "WHERE c.tier = 'same_operator'", -1, &q, NULL) == SQLITE_OK);
    CHECK(sqlite3_step(q) == SQLITE_ROW);
    CHECK_INTEQ(sqlite3_column_int(q, 0), 3);
    sqlite3_finalize(q);
    CHECK(sqlite3_prepare_v2(db, "SELECT kind, value FROM cluster_edges LIMIT 1", -1, &q, NULL) == SQLITE_OK);
    CHECK(sqlite3_step(q) == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(q, 0), "wallet") == 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    um_lk_result_free(r);
    /* verdicts: newest row per pair wins; unknown subjects are skipped */
    char path[] = "/tmp/um_verdicts_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db,
                       "CREATE TABLE verdicts(id INTEGER PRIMARY KEY, target_kind TEXT, target_a TEXT, target_b TEXT, "
                       "verdict TEXT, who TEXT, at TEXT, note TEXT);"
                       "INSERT INTO verdicts VALUES(1,'pair','S-050','S-051','same_person','ann','2026-01-01T00:00:00Z',NULL);"
                       "INSERT INTO verdicts VALUES(2,'pair','S-050','S-051','not_same_person','bob','2026-01-02T00:00:00Z',NULL);"
                       "INSERT INTO verdicts VALUES(3,'pair','S-060','S-999','same_person','ann','2026-01-02T00:00:00Z',NULL);"
                       "INSERT INTO verdicts VALUES(4,'subject','S-060',NULL,'cleared','ann','2026-01-02T00:00:00Z',NULL);",
                       NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
    um_lk_verdict *v = NULL;
    size_t nv = 0;
    CHECK(um_lk_read_verdicts(path, idp, 100, &v, &nv) == UM_OK);
    CHECK_INTEQ(nv, 1);
    if (nv) CHECK(v[0].a == 50 && v[0].b == 51 && v[0].kind == UM_LK_VERDICT_DIFFERENT);
    um_free(v);
    unlink(path);
    CHECK(um_lk_read_verdicts("/nonexistent/case.db", idp, 100, &v, &nv) == UM_OK && nv == 0);
}

/* um_lk_person_gate on hand-made pairs: levels 0 exact 1 close 2 weak 3
 * different 4 missing over first, last, dob, city, email, national id,
 * street, postcode; weights as the matcher gives them on fake_1000. */
static um_lk_ppair gp(const char lv[9], double prob) {
    static const float wt[4] = {7, 5, 2, -4}; /* exact, close, weak, different */
    um_lk_ppair p = {0, 1, 10, prob, {0}, {0}};
    for (int f = 0; f < UM_LK_PFIELDS; f++) {
        p.level[f] = (uint8_t)(lv[f] - '0');
        p.weight[f] = p.level[f] < 4 ? wt[p.level[f]] : 0;
    }
    return p;
}
static void test_person_gate(void) {
    /*                     f l d c e n s p */
    um_lk_ppair p = gp("00404444", 0.999); /* full name + city: names never suffice */
    CHECK_INTEQ(um_lk_person_gate(&p), 0);
    p = gp("00304444", 0.99); /* same name and city, birth dates differ */
    CHECK_INTEQ(um_lk_person_gate(&p), 0);
    p = gp("30404400", 0.99); /* a couple: one surname, one home, no birth date */
    CHECK_INTEQ(um_lk_person_gate(&p), 0);
    p = gp("30003400", 0.99); /* twins: surname, birth date, home; emails differ */
    CHECK_INTEQ(um_lk_person_gate(&p), 0);
    p = gp("40044444", 0.99); /* a surname and a birth date: possible */
    CHECK_INTEQ(um_lk_person_gate(&p), 1);
    p = gp("00040444", 0.999); /* full name, birth date, email: same person */
    CHECK_INTEQ(um_lk_person_gate(&p), 2);
    p = gp("00040444", 0.90); /* ... below the matcher's 0.95 */
    CHECK_INTEQ(um_lk_person_gate(&p), 0);
    p = gp("30044044", 0.99); /* a first name differs but birth date and national id agree */
    CHECK_INTEQ(um_lk_person_gate(&p), 1);
    p = gp("44044444", 0.99); /* no name agrees: a birth date alone is not enough */
    CHECK_INTEQ(um_lk_person_gate(&p), 0);
    p = gp("44044044", 0.99); /* no name, birth date and national id agree: possible */
    CHECK_INTEQ(um_lk_person_gate(&p), 1);
    p = gp("00340044", 0.99); /* birth date differs, email and national id agree */
    CHECK_INTEQ(um_lk_person_gate(&p), 1);
    p = gp("00342444", 0.99); /* birth date differs, a weak email only */
    CHECK_INTEQ(um_lk_person_gate(&p), 0);
}

int main(void) {
    RUN(test_output);
    RUN(test_minhash);
    RUN(test_phash);
    RUN(test_couple);
    RUN(test_office_nat_and_vendor);
    RUN(test_farms);
    RUN(test_team_and_chain);
    RUN(test_verdicts_and_ids);
    RUN(test_generic);
    RUN(test_collision_and_person_kinds);
    RUN(test_person_gate);
    return um_t_report();
}
