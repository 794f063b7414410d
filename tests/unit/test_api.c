/*
 * test_api.c - the analyst's view (src/report/): the JSON API as a pure
 * function over a case scanned from examples/demo (auth, 401/400/404/405/
 * 413/415, pagination, search, verdicts and their carry-over on re-scan,
 * /v1/screen), the token file, the escaping helpers and the HTML report.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "sink/case_schema.h"
#include "report/report.h"
#include "unmask.h"

static char g_dir[256];
static const char *TOKEN = "test-token-0123456789abcdef";

static void scan_demo(void) {
    um_ctx *ctx = NULL;
    um_ctx_options o;
    memset(&o, 0, sizeof o);
    char data[1024], demo[1024];
    snprintf(data, sizeof data, "%s/data", um_t_src());
    snprintf(demo, sizeof demo, "%s/examples/demo", um_t_src());
    o.data_dir = data;
    CHECK(um_ctx_open(&ctx, &o) == UM_OK);
    um_scan *s = NULL;
    CHECK(um_scan_new(ctx, &s) == UM_OK);
    CHECK(um_scan_add_path(s, demo, NULL) == UM_OK);
    CHECK(um_scan_run(s, NULL, NULL) == UM_OK);
    CHECK(um_scan_write_outputs(s, g_dir) == UM_OK);
    um_scan_free(s);
    um_ctx_close(ctx);
}

static um_api *open_api(int writable) {
    um_api_options ao;
    memset(&ao, 0, sizeof ao);
    char data[1024];
    snprintf(data, sizeof data, "%s/data", um_t_src());
    ao.case_path = g_dir;
    ao.writable = writable;
    ao.token = TOKEN;
    ao.max_body = 4096;
    ao.data_dir = data;
    um_api *a = NULL;
    um_status st = um_api_open(&a, &ao);
    if (st != UM_OK) fprintf(stderr, "um_api_open: %s\n", um_api_errmsg(a));
    CHECK(st == UM_OK);
    return a;
}

typedef struct resp {
    int status;
    json_t *json;
    char *body;
    int www;
} resp;

static resp call(um_api *a, const char *method, const char *path, const char *query, const char *auth,
                 const char *body) {
    um_api_request rq;
    memset(&rq, 0, sizeof rq);
    rq.method = method;
    rq.path = path;
    rq.query = query;
    rq.authorization = auth;
    rq.content_type = body ? "application/json" : NULL;
    rq.body = body;
    rq.body_len = body ? strlen(body) : 0;
    um_api_response rs;
    um_api_handle(a, &rq, &rs);
    resp r = {rs.status, NULL, NULL, rs.www_authenticate};
    if (rs.body) {
        r.body = strdup(rs.body);
        r.json = json_loads(rs.body, 0, NULL);
    } else if (rs.static_body) {
        r.body = strndup((const char *)rs.static_body, rs.body_len);
    }
    um_api_response_free(&rs);
    return r;
}

static void done(resp *r) {
    json_decref(r->json);
    free(r->body);
}

static const char *err_code(const resp *r) {
    return json_string_value(json_object_get(json_object_get(r->json, "error"), "code"));
}

static char g_auth[128];

static void test_auth(void) {
    um_api *a = open_api(1);
    resp r = call(a, "GET", "/v1/subjects", NULL, NULL, NULL);
    CHECK_INTEQ(r.status, 401);
    CHECK(r.www);
    CHECK_STREQ(err_code(&r), "unauthorized");
    done(&r);
    const char *bad[] = {"Bearer wrong", "Bearer test-token-0123456789abcdeX", "Bearer test-token-0123456789abcdef0",
                         "Bearer test-token-0123456789abcde", "Basic dGVzdA==", "Bearer ", "test-token-0123456789abcdef"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = call(a, "GET", "/v1/summary", NULL, bad[i], NULL);
        CHECK_INTEQ(r.status, 401);
        done(&r);
    }
    /* every /v1 route is behind the token, POSTs too (401 before 413/400) */
    r = call(a, "POST", "/v1/screen", NULL, "Bearer nope", "{\"name\":\"x\"}");
    CHECK_INTEQ(r.status, 401);
    done(&r);
    r = call(a, "POST", "/v1/verdicts", NULL, NULL, "{");
    CHECK_INTEQ(r.status, 401);
    done(&r);
    r = call(a, "GET", "/v1/summary", NULL, g_auth, NULL);
    CHECK_INTEQ(r.status, 200);
    CHECK_INTEQ(json_integer_value(json_object_get(r.json, "subjects")), 350);
    done(&r);
    /* the UI's static files need no token and carry no case data */
    r = call(a, "GET", "/", NULL, NULL, NULL);
    CHECK_INTEQ(r.status, 200);
    CHECK(r.body && strstr(r.body, "<script src=\"/app.js\"></script>"));
    done(&r);
    r = call(a, "GET", "/app.js", NULL, NULL, NULL);
    CHECK_INTEQ(r.status, 200);
    CHECK(r.body && !strstr(r.body, "innerHTML ="));
    done(&r);
    r = call(a, "GET", "/case.db", NULL, NULL, NULL);
    CHECK_INTEQ(r.status, 404);
    done(&r);
    um_api_close(a);
    CHECK(um_token_equal("abcdefghijklmnop", "abcdefghijklmnop"));
    CHECK(!um_token_equal("abcdefghijklmno", "abcdefghijklmnop"));
    CHECK(!um_token_equal("abcdefghijklmnopq", "abcdefghijklmnop"));
    CHECK(!um_token_equal("", ""));
    CHECK(!um_token_equal(NULL, "x"));
}

static void test_csp(void) {
    const char *csp = NULL;
    for (size_t i = 0; um_api_header_name(i); i++)
        if (strcmp(um_api_header_name(i), "Content-Security-Policy") == 0) csp = um_api_header_value(i);
    CHECK(csp != NULL);
    CHECK(csp && strstr(csp, "script-src 'self'"));
    CHECK(csp && !strstr(csp, "unsafe-inline"));
    CHECK(csp && !strstr(csp, "unsafe-eval"));
    CHECK(csp && strstr(csp, "default-src 'none'"));
}

static void test_errors(void) {
    um_api *a = open_api(1);
    resp r = call(a, "POST", "/v1/screen", NULL, g_auth, "{\"name\": ");
    CHECK_INTEQ(r.status, 400);
    CHECK_STREQ(err_code(&r), "bad_json");
    done(&r);
    r = call(a, "POST", "/v1/screen", NULL, g_auth, "[1,2]");
    CHECK_INTEQ(r.status, 400);
    done(&r);
    r = call(a, "POST", "/v1/screen", NULL, g_auth, "{\"name\":\"a\",\"name\":\"b\"}");
    CHECK_INTEQ(r.status, 400); /* duplicate keys are ambiguous */
    done(&r);
    r = call(a, "POST", "/v1/screen", NULL, g_auth, "{\"dob\":\"1990\"}");
    CHECK_INTEQ(r.status, 400);
    CHECK_STREQ(err_code(&r), "bad_field");
    done(&r);
    r = call(a, "POST", "/v1/screen", NULL, g_auth, "{\"name\":\"x\",\"emails\":\"not-a-list\"}");
    CHECK_INTEQ(r.status, 400);
    done(&r);
    r = call(a, "POST", "/v1/screen", NULL, g_auth, "{\"name\":\"x\",\"dob\":\"yesterday\"}");
    CHECK_INTEQ(r.status, 400);
    done(&r);
    /* 413: the body is over max_body (4096 here) */
    char *big = malloc(10000);
    memset(big, ' ', 9999);
    big[0] = '{';
    big[9998] = '}';
    big[9999] = 0;
    r = call(a, "POST", "/v1/screen", NULL, g_auth, big);
    CHECK_INTEQ(r.status, 413);
    CHECK_STREQ(err_code(&r), "too_large");
    done(&r);
    free(big);
    um_api_request rq;
    memset(&rq, 0, sizeof rq);
    rq.method = "POST";
    rq.path = "/v1/verdicts";
    rq.authorization = g_auth;
    rq.body_too_large = 1; /* the server stopped reading */
    um_api_response rs;
    um_api_handle(a, &rq, &rs);
    CHECK_INTEQ(rs.status, 413);
    um_api_response_free(&rs);
    rq.body_too_large = 0;
    rq.body = "{}";
    rq.body_len = 2;
    rq.content_type = "text/plain";
    um_api_handle(a, &rq, &rs);
    CHECK_INTEQ(rs.status, 415);
    um_api_response_free(&rs);
    r = call(a, "DELETE", "/v1/subjects", NULL, g_auth, NULL);
    CHECK_INTEQ(r.status, 405);
    done(&r);
    r = call(a, "GET", "/v1/screen", NULL, g_auth, NULL);
    CHECK_INTEQ(r.status, 405);
    done(&r);
    r = call(a, "GET", "/v1/nothing", NULL, g_auth, NULL);
    CHECK_INTEQ(r.status, 404);
    done(&r);
    r = call(a, "GET", "/v1/subjects/S-000000000000", NULL, g_auth, NULL);
    CHECK_INTEQ(r.status, 404);
    CHECK_STREQ(err_code(&r), "not_found");
    done(&r);
    r = call(a, "GET", "/v1/subjects/%zz", NULL, g_auth, NULL);
    CHECK_INTEQ(r.status, 400);
    done(&r);
    r = call(a, "GET", "/v1/subjects/a%00b", NULL, g_auth, NULL);
    CHECK_INTEQ(r.status, 400);
    done(&r);
    um_api_close(a);
}

static void test_pages(void) {
    um_api *a = open_api(1);
    resp r = call(a, "GET", "/v1/subjects", "limit=2&offset=1", g_auth, NULL);
    CHECK_INTEQ(r.status, 200);
    CHECK_INTEQ(json_integer_value(json_object_get(r.json, "total")), 350);
    CHECK_INTEQ(json_array_size(json_object_get(r.json, "items")), 2);
    CHECK_INTEQ(json_integer_value(json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "rank")), 2);
    done(&r);
    r = call(a, "GET", "/v1/subjects", NULL, g_auth, NULL);
    CHECK_INTEQ(json_array_size(json_object_get(r.json, "items")), UM_PAGE_DEFAULT);
    done(&r);
    const char *bad[] = {"limit=0", "limit=501", "offset=-1", "limit=abc", "level=evil", "limit=99999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = call(a, "GET", "/v1/subjects", bad[i], g_auth, NULL);
        CHECK_INTEQ(r.status, 400);
        CHECK_STREQ(err_code(&r), "bad_parameter");
        done(&r);
    }
    r = call(a, "GET", "/v1/subjects", "level=high&limit=500", g_auth, NULL);
    size_t n = json_array_size(json_object_get(r.json, "items"));
    CHECK(n > 0 && n == (size_t)json_integer_value(json_object_get(r.json, "total")));
    for (size_t i = 0; i < n; i++)
        CHECK_STREQ(json_string_value(json_object_get(json_array_get(json_object_get(r.json, "items"), i), "level")), "high");
    done(&r);
    /* search by name, and by an identifier value (percent-encoded) */
    r = call(a, "GET", "/v1/subjects", "q=Linda+Moore", g_auth, NULL);
    CHECK(json_integer_value(json_object_get(r.json, "total")) >= 1);
    done(&r);
    r = call(a, "GET", "/v1/subjects", "q=%2B16025472074", g_auth, NULL);
    CHECK(json_integer_value(json_object_get(r.json, "total")) >= 2);
    done(&r);
    r = call(a, "GET", "/v1/subjects", "q=%25", g_auth, NULL); /* '%' is literal, not a wildcard */
    CHECK_INTEQ(json_integer_value(json_object_get(r.json, "total")), 0);
    done(&r);
    r = call(a, "GET", "/v1/findings", "indicator=IOC-01&limit=5", g_auth, NULL);
    CHECK_INTEQ(r.status, 200);
    CHECK(json_integer_value(json_object_get(r.json, "total")) >= 1);
    CHECK_STREQ(json_string_value(json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "indicator")),
                "IOC-01");
    done(&r);
    r = call(a, "GET", "/v1/clusters", "limit=1", g_auth, NULL);
    CHECK_INTEQ(r.status, 200);
    CHECK(json_is_false(json_object_get(r.json, "derived"))); /* the demo scan writes linkage clusters */
    CHECK(json_integer_value(json_object_get(r.json, "total")) >= 2);
    const char *cid = json_string_value(json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "id"));
    char path[256];
    snprintf(path, sizeof path, "/v1/clusters/%s", cid ? cid : "x");
    done(&r);
    r = call(a, "GET", path, NULL, g_auth, NULL);
    CHECK_INTEQ(r.status, 200);
    CHECK(json_array_size(json_object_get(r.json, "members")) >= 2);
    CHECK(json_array_size(json_object_get(r.json, "edges")) >= 1);
    done(&r);
    r = call(a, "GET", "/v1/rejects", NULL, g_auth, NULL);
    CHECK_INTEQ(r.status, 200);
    done(&r);
    r = call(a, "GET", "/v1/subjects", "limit=1", g_auth, NULL);
    const char *sid = json_string_value(json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "id"));
    snprintf(path, sizeof path, "/v1/subjects/%s", sid ? sid : "x");
    done(&r);
    r = call(a, "GET", path, NULL, g_auth, NULL);
    CHECK_INTEQ(r.status, 200);
    CHECK(json_array_size(json_object_get(r.json, "findings")) >= 1);
    CHECK(json_is_array(json_object_get(r.json, "activity"))); /* the heatmap's 7 x 24 grid */
    CHECK_INTEQ(json_array_size(json_object_get(r.json, "activity")), 7);
    CHECK(json_array_size(json_object_get(r.json, "logins")) >= 1);
    CHECK(json_is_object(json_object_get(r.json, "zone")));
    done(&r);
    um_api_close(a);
}

static void test_verdicts(void) {
    um_api *a = open_api(1);
    resp r = call(a, "GET", "/v1/subjects", "limit=2", g_auth, NULL);
    char s1[64], s2[64], path[128];
    snprintf(s1, sizeof s1, "%s", json_string_value(json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "id")));
    snprintf(s2, sizeof s2, "%s", json_string_value(json_object_get(json_array_get(json_object_get(r.json, "items"), 1), "id")));
    done(&r);
    char body[512];
    snprintf(body, sizeof body,
             "{\"target_kind\":\"subject\",\"target\":\"%s\",\"verdict\":\"confirmed\",\"who\":\"ana <b>\",\"note\":\"=1+1\"}",
             s1);
    r = call(a, "POST", "/v1/verdicts", NULL, g_auth, body);
    CHECK_INTEQ(r.status, 201);
    CHECK_STREQ(json_string_value(json_object_get(r.json, "who")), "ana <b>");
    CHECK(json_string_value(json_object_get(r.json, "at")) != NULL);
    done(&r);
    snprintf(path, sizeof path, "/v1/subjects/%s", s1);
    r = call(a, "GET", path, NULL, g_auth, NULL);
    CHECK_STREQ(json_string_value(json_object_get(json_object_get(r.json, "verdict"), "verdict")), "confirmed");
    done(&r);
    /* pairs are stored in id order: one pair, one key */
    snprintf(body, sizeof body,
             "{\"target_kind\":\"pair\",\"target\":\"%s\",\"target_b\":\"%s\",\"verdict\":\"not_same_person\",\"who\":\"bo\"}",
             strcmp(s1, s2) > 0 ? s1 : s2, strcmp(s1, s2) > 0 ? s2 : s1);
    r = call(a, "POST", "/v1/verdicts", NULL, g_auth, body);
    CHECK_INTEQ(r.status, 201);
    CHECK_STREQ(json_string_value(json_object_get(r.json, "target")), strcmp(s1, s2) < 0 ? s1 : s2);
    done(&r);
    const char *bad[] = {
        "{\"target_kind\":\"subject\",\"target\":\"S-1\",\"verdict\":\"confirmed\",\"who\":\"x\"}", /* unknown id */
        "{\"target_kind\":\"subject\",\"target\":\"%s\",\"verdict\":\"guilty\",\"who\":\"x\"}",
        "{\"target_kind\":\"subject\",\"target\":\"%s\",\"verdict\":\"confirmed\"}", /* no who */
        "{\"target_kind\":\"pair\",\"target\":\"%s\",\"verdict\":\"same_person\",\"who\":\"x\"}",
        "{\"target_kind\":\"planet\",\"target\":\"%s\",\"verdict\":\"confirmed\",\"who\":\"x\"}",
        "{\"target_kind\":\"subject\",\"target\":7,\"verdict\":\"confirmed\",\"who\":\"x\"}"};
    int want[] = {404, 400, 400, 400, 400, 400};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        snprintf(body, sizeof body, bad[i], s1); /* the table above is the format */
#pragma GCC diagnostic pop
        r = call(a, "POST", "/v1/verdicts", NULL, g_auth, body);
        CHECK_INTEQ(r.status, want[i]);
        done(&r);
    }
    r = call(a, "GET", "/v1/verdicts", NULL, g_auth, NULL);
    CHECK_INTEQ(json_integer_value(json_object_get(r.json, "total")), 2);
    done(&r);
    /* the CSV export neutralises formula cells */
    r = call(a, "GET", "/v1/export/subjects.csv", NULL, g_auth, NULL);
    CHECK_INTEQ(r.status, 200);
    CHECK(r.body && strncmp(r.body, "rank,id,level,score,display,verdict\r\n", 37) == 0);
    done(&r);
    um_api_close(a);
    /* read-only: 403 */
    a = open_api(0);
    snprintf(body, sizeof body, "{\"target_kind\":\"subject\",\"target\":\"%s\",\"verdict\":\"cleared\",\"who\":\"x\"}", s1);
    r = call(a, "POST", "/v1/verdicts", NULL, g_auth, body);
    CHECK_INTEQ(r.status, 403);
    CHECK_STREQ(err_code(&r), "read_only");
    done(&r);
    um_api_close(a);
    /* a re-scan keeps the analysts' verdicts */
    scan_demo();
    a = open_api(0);
    r = call(a, "GET", "/v1/verdicts", NULL, g_auth, NULL);
    CHECK_INTEQ(json_integer_value(json_object_get(r.json, "total")), 2);
    done(&r);
    um_api_close(a);
}

static void test_screen(void) {
    um_api *a = open_api(1);
    resp r = call(a, "POST", "/v1/screen", NULL, g_auth, "{\"name\":\"Maria Gonzalez Whitfield\"}");
    CHECK_INTEQ(r.status, 200);
    CHECK_STREQ(json_string_value(json_object_get(r.json, "decision")), "clear");
    CHECK_STREQ(json_string_value(json_object_get(json_object_get(r.json, "linkage"), "verdict")), "new");
    done(&r);
    /* an email published in OFAC's designation (data/ioc/email.csv) */
    r = call(a, "POST", "/v1/screen", NULL, g_auth, "{\"name\":\"Pat Doe\",\"emails\":[\"WangGe327@yahoo.com\"]}");
    CHECK_INTEQ(r.status, 200);
    CHECK_STREQ(json_string_value(json_object_get(r.json, "decision")), "high");
    CHECK_STREQ(json_string_value(json_object_get(json_array_get(json_object_get(r.json, "indicators"), 0), "indicator")),
                "IOC-01");
    done(&r);
    /* a phone already held by people in the case: linked, review */
    r = call(a, "POST", "/v1/screen", NULL, g_auth, "{\"name\":\"Pat Doe\",\"phones\":[\"+1 (602) 547-2074\"]}");
    CHECK_INTEQ(r.status, 200);
    CHECK_STREQ(json_string_value(json_object_get(r.json, "decision")), "review");
    CHECK_STREQ(json_string_value(json_object_get(json_object_get(r.json, "linkage"), "verdict")), "linked");
    CHECK(json_array_size(json_object_get(json_array_get(json_object_get(json_object_get(r.json, "linkage"), "matches"), 0),
                                          "subjects")) >= 2);
    done(&r);
    /* hostile URLs are data, never fetched */
    r = call(a, "POST", "/v1/screen", NULL, g_auth,
             "{\"name\":\"<script>alert(1)</script>\",\"urls\":[\"javascript:alert(1)\",\"https://github.com/\",\"//\",\"\"]}");
    CHECK_INTEQ(r.status, 200);
    done(&r);
    um_api_close(a);
}

/* The activity analyzer's tables: jessica.nguyen@larkspur.example signs in
 * to Okta 7 times in the demo, first on Monday 2026-09-14 at 16:08:45 UTC. */
static long long scalar(sqlite3 *h, const char *sql) {
    sqlite3_stmt *q = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(h, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

static void test_activity(void) {
    char db[300];
    snprintf(db, sizeof db, "%s/case.db", g_dir);
    sqlite3 *h = NULL;
    CHECK(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
    const char *who = "(SELECT subject_id FROM identifiers WHERE kind = 'work_email'"
                      " AND value = 'jessica.nguyen@larkspur.example')";
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM logins WHERE subject_id = %s AND kind = 'signin'", who);
    CHECK_INTEQ(scalar(h, sql), 7);
    snprintf(sql, sizeof sql, "SELECT total FROM logins_total WHERE subject_id = %s", who);
    CHECK_INTEQ(scalar(h, sql), 7);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM logins WHERE subject_id = %s AND seq = 0 AND time = '2026-09-14T16:08:45.451000Z'"
             " AND result = 'success'", who);
    CHECK_INTEQ(scalar(h, sql), 1);
    /* Monday 16h UTC is the 17th of the 168 counts */
    snprintf(sql, sizeof sql,
             "WITH RECURSIVE c(i, rest, v) AS (SELECT 0, (SELECT counts FROM activity WHERE subject_id = %s) || ',', NULL"
             " UNION ALL SELECT i + 1, substr(rest, instr(rest, ',') + 1), CAST(substr(rest, 1, instr(rest, ',') - 1) AS INTEGER)"
             " FROM c WHERE rest <> '') SELECT v FROM c WHERE i = 17", who);
    CHECK(scalar(h, sql) >= 1);
    snprintf(sql, sizeof sql, "SELECT length(counts) - length(replace(counts, ',', '')) FROM activity WHERE subject_id = %s", who);
    CHECK_INTEQ(scalar(h, sql), 167);
    snprintf(sql, sizeof sql, "SELECT offset_lo FROM subject_zone WHERE subject_id = %s", who);
    CHECK(scalar(h, sql) < 0); /* an Americas claim */
    CHECK_INTEQ(scalar(h, "SELECT count(*) FROM activity WHERE total <= 0"), 0);
    sqlite3_close(h);
}

/* More sign-ins than kept: the newest 50 in time order, all 60 counted,
 * whether the log is read oldest first (the ring) or newest first. */
static void login_ring(bool newest_first) {
    char src[1024], dir[300], in[400], out[400];
    snprintf(src, sizeof src, "%s/examples/demo/logs/okta.jsonl", um_t_src());
    snprintf(dir, sizeof dir, "%s/ring%d", g_dir, newest_first);
    snprintf(in, sizeof in, "%s/in", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    mkdir(dir, 0700);
    mkdir(in, 0700);
    FILE *f = fopen(src, "r");
    CHECK(f != NULL);
    if (!f) return;
    char line[8192];
    CHECK(fgets(line, sizeof line, f) != NULL);
    fclose(f);
    char *p = strstr(line, "\"published\":\"");
    CHECK(p != NULL);
    if (!p) return;
    p += 13; /* the 24-character timestamp value */
    char path[500];
    snprintf(path, sizeof path, "%s/okta.jsonl", in);
    FILE *o = fopen(path, "w");
    CHECK(o != NULL);
    if (!o) return;
    for (int i = 0; i < 60; i++) {
        char ts[32];
        int t = newest_first ? 59 - i : i;
        snprintf(ts, sizeof ts, "2026-09-%02dT%02d:00:00.000Z", 1 + t / 24, t % 24);
        memcpy(p, ts, 24);
        char *u = strstr(line, "\"uuid\":\"");
        if (u) u[8] = (char)('a' + i % 26), u[9] = (char)('a' + i / 26); /* distinct record ids */
        fputs(line, o);
    }
    fclose(o);
    um_ctx *ctx = NULL;
    um_ctx_options co;
    memset(&co, 0, sizeof co);
    char data[1024];
    snprintf(data, sizeof data, "%s/data", um_t_src());
    co.data_dir = data;
    CHECK(um_ctx_open(&ctx, &co) == UM_OK);
    um_scan *sc = NULL;
    CHECK(um_scan_new(ctx, &sc) == UM_OK);
    CHECK(um_scan_add_path(sc, in, NULL) == UM_OK);
    CHECK(um_scan_run(sc, NULL, NULL) == UM_OK);
    CHECK(um_scan_write_outputs(sc, out) == UM_OK);
    um_scan_free(sc);
    um_ctx_close(ctx);
    snprintf(path, sizeof path, "%s/case.db", out);
    sqlite3 *h = NULL;
    CHECK(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
    CHECK_INTEQ(scalar(h, "SELECT count(*) FROM logins"), 50);
    CHECK_INTEQ(scalar(h, "SELECT max(total) FROM logins_total"), 60);
    CHECK_INTEQ(scalar(h, "SELECT count(*) FROM logins WHERE seq = 0 AND time = '2026-09-01T10:00:00.000000Z'"), 1);
    CHECK_INTEQ(scalar(h, "SELECT count(*) FROM logins WHERE seq = 49 AND time = '2026-09-03T11:00:00.000000Z'"), 1);
    CHECK_INTEQ(scalar(h, "SELECT sum(total) FROM activity"), 60);
    sqlite3_close(h);
}

/* SELECT subject_id FROM identifiers WHERE kind = ? AND value = ?: true when
 * EXPLAIN QUERY PLAN names the value index and running it counts no step of
 * a full table scan (SQLITE_STMTSTATUS_FULLSCAN_STEP). */
static bool view_lookup_indexed(sqlite3 *h, const char *kind, const char *value) {
    static const char sql[] = "SELECT subject_id FROM identifiers WHERE kind = ? AND value = ?";
    sqlite3_stmt *q = NULL;
    bool uses = false;
    char eqp[sizeof sql + 32];
    snprintf(eqp, sizeof eqp, "EXPLAIN QUERY PLAN %s", sql);
    if (sqlite3_prepare_v2(h, eqp, -1, &q, NULL) != SQLITE_OK) return false;
    sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *d = (const char *)sqlite3_column_text(q, 3);
        if (d && strstr(d, "identifier_rows_value")) uses = true;
    }
    sqlite3_finalize(q);
    if (sqlite3_prepare_v2(h, sql, -1, &q, NULL) != SQLITE_OK) return false;
    sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
    int rows = 0;
    while (sqlite3_step(q) == SQLITE_ROW) rows++;
    int scans = sqlite3_stmt_status(q, SQLITE_STMTSTATUS_FULLSCAN_STEP, 0);
    sqlite3_finalize(q);
    if (!uses || scans) fprintf(stderr, "identifiers by %s: index %s, %d full-scan steps, %d rows\n", kind,
                                uses ? "used" : "not in the plan", scans, rows);
    return uses && scans == 0;
}

/* case.db's identifier_rows: kinds by number (the linking kinds 1..12, the
 * only ones indexed by value), files by inputs.seq; the identifiers view
 * gives every row back with names and paths, and a person's "shared" list
 * (read through identifier_rows and its partial index) names the same
 * holders as the plain view does. */
static void test_identifier_rows(void) {
    char db[300];
    snprintf(db, sizeof db, "%s/case.db", g_dir);
    sqlite3 *h = NULL;
    CHECK(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
    long long n = scalar(h, "SELECT count(*) FROM identifier_rows");
    CHECK(n > 1000);
    CHECK_INTEQ(scalar(h, "SELECT count(*) FROM identifiers"), n);
    CHECK_INTEQ(scalar(h, "SELECT count(*) FROM identifiers WHERE kind IS NULL OR value IS NULL"), 0);
    /* every file is an input's path here (a name joined from a first and a
     * last name has none) */
    CHECK_INTEQ(scalar(h, "SELECT count(*) FROM identifier_rows WHERE file IS NOT NULL"), 0);
    CHECK_INTEQ(scalar(h, "SELECT count(*) FROM identifiers WHERE file IS NULL"),
                scalar(h, "SELECT count(*) FROM identifier_rows WHERE input IS NULL"));
    CHECK(scalar(h, "SELECT count(*) FROM identifier_rows WHERE input IS NOT NULL") > 1000);
    CHECK_INTEQ(scalar(h, "SELECT count(*) FROM identifier_kinds WHERE id <= " UM_CASE_LINK_KIND_MAX_SQL
                          " AND name IN (" UM_CASE_LINK_KINDS_SQL ")"),
                UM_CASE_LINK_KIND_MAX);
    CHECK_INTEQ(scalar(h, "SELECT count(*) FROM identifiers WHERE file NOT IN (SELECT path FROM inputs)"), 0);
    /* the holders of one shared phone, through the view */
    sqlite3_stmt *q = NULL;
    char who[8][32] = {{0}};
    int nw = 0;
    CHECK(sqlite3_prepare_v2(h, "SELECT subject_id FROM identifiers WHERE kind = 'phone' AND value = '+16025472074'"
                                " ORDER BY subject_id", -1, &q, NULL) == SQLITE_OK);
    while (nw < 8 && sqlite3_step(q) == SQLITE_ROW)
        snprintf(who[nw++], sizeof who[0], "%s", (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    /* that lookup by kind and value uses the value index through the view:
     * its plan names the index and running it steps no full scan (a linking
     * kind; the other kinds' arm reads no row for it) */
    CHECK(view_lookup_indexed(h, "phone", "+16025472074"));
    CHECK(view_lookup_indexed(h, "email", "nobody@example.invalid"));
    sqlite3_close(h);
    CHECK(nw >= 2);
    um_api *a = open_api(0);
    char path[64];
    snprintf(path, sizeof path, "/v1/subjects/%s", who[0]);
    resp r = call(a, "GET", path, NULL, g_auth, NULL);
    CHECK_INTEQ(r.status, 200);
    json_t *sh = json_object_get(r.json, "shared");
    bool found = false;
    for (size_t i = 0; i < json_array_size(sh); i++) {
        json_t *e = json_array_get(sh, i);
        if (strcmp(json_string_value(json_object_get(e, "kind")), "phone") != 0 ||
            strcmp(json_string_value(json_object_get(e, "value")), "+16025472074") != 0)
            continue;
        found = true;
        json_t *subs = json_object_get(e, "subjects");
        CHECK_INTEQ(json_array_size(subs), nw - 1);
        for (size_t k = 0; k < json_array_size(subs); k++) {
            const char *id = json_string_value(json_object_get(json_array_get(subs, k), "id"));
            bool held = false;
            for (int w = 1; w < nw; w++) held |= id && strcmp(id, who[w]) == 0;
            CHECK(held);
        }
    }
    CHECK(found);
    done(&r);
    um_api_close(a);
}

static void test_login_ring(void) {
    login_ring(false);
    login_ring(true);
}

/* A case with the linkage stage's tables (docs/SCHEMA.md contract): the API
 * shows them instead of derived groups, with edge weights and verdicts. */
static void test_linkage_clusters(void) {
    char db[300];
    snprintf(db, sizeof db, "%s/case.db", g_dir);
    sqlite3 *h = NULL;
    CHECK(sqlite3_open(db, &h) == SQLITE_OK);
    sqlite3_stmt *q = NULL;
    char s1[64] = "", s2[64] = "";
    if (sqlite3_prepare_v2(h, "SELECT id FROM subjects ORDER BY rank LIMIT 2", -1, &q, NULL) == SQLITE_OK) {
        if (sqlite3_step(q) == SQLITE_ROW) snprintf(s1, sizeof s1, "%s", (const char *)sqlite3_column_text(q, 0));
        if (sqlite3_step(q) == SQLITE_ROW) snprintf(s2, sizeof s2, "%s", (const char *)sqlite3_column_text(q, 0));
    }
    sqlite3_finalize(q);
    /* Without the linkage tables the API derives groups from shared identifiers. */
    CHECK(sqlite3_exec(h, "DROP TABLE IF EXISTS clusters; DROP TABLE IF EXISTS cluster_members;"
                          "DROP TABLE IF EXISTS cluster_edges;", NULL, NULL, NULL) == SQLITE_OK);
    {
        um_api *d = open_api(1);
        resp r0 = call(d, "GET", "/v1/clusters", "limit=1", g_auth, NULL);
        CHECK_INTEQ(r0.status, 200);
        CHECK(json_is_true(json_object_get(r0.json, "derived")));
        CHECK(json_integer_value(json_object_get(r0.json, "total")) >= 2);
        done(&r0);
        um_api_close(d);
    }
    char sql[1024];
    snprintf(sql, sizeof sql,
             "CREATE TABLE clusters(id TEXT PRIMARY KEY, tier TEXT, score REAL, label TEXT);"
             "CREATE TABLE cluster_members(cluster_id TEXT, subject_id TEXT, role TEXT);"
             "CREATE TABLE cluster_edges(cluster_id TEXT, a TEXT, b TEXT, kind TEXT, value TEXT, weight REAL);"
             "INSERT INTO clusters VALUES('C-1','high',0.93,'x'),('C-2','review',0.5,NULL);"
             "INSERT INTO cluster_members VALUES('C-1','%s',NULL),('C-1','%s',NULL),('C-2','%s',NULL);"
             "INSERT INTO cluster_edges VALUES('C-1','%s','%s','wallet','0xabc',0.8);",
             s1, s2, s2, s1, s2);
    CHECK(sqlite3_exec(h, sql, NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(h);
    um_api *a = open_api(1);
    resp r = call(a, "GET", "/v1/clusters", NULL, g_auth, NULL);
    CHECK_INTEQ(r.status, 200);
    CHECK(json_is_false(json_object_get(r.json, "derived")));
    CHECK_INTEQ(json_integer_value(json_object_get(r.json, "total")), 2);
    CHECK_STREQ(json_string_value(json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "id")), "C-1");
    done(&r);
    r = call(a, "GET", "/v1/clusters/C-1", NULL, g_auth, NULL);
    CHECK_INTEQ(r.status, 200);
    CHECK_INTEQ(json_array_size(json_object_get(r.json, "members")), 2);
    json_t *e = json_array_get(json_object_get(r.json, "edges"), 0);
    CHECK_STREQ(json_string_value(json_object_get(e, "kind")), "wallet");
    CHECK(json_real_value(json_object_get(e, "weight")) > 0.79);
    done(&r);
    char path[128];
    snprintf(path, sizeof path, "/v1/subjects/%s", s2);
    r = call(a, "GET", path, NULL, g_auth, NULL);
    CHECK_INTEQ(json_array_size(json_object_get(r.json, "clusters")), 2);
    done(&r);
    r = call(a, "POST", "/v1/verdicts", NULL, g_auth,
             "{\"target_kind\":\"cluster\",\"target\":\"C-2\",\"verdict\":\"cleared\",\"who\":\"x\"}");
    CHECK_INTEQ(r.status, 201);
    done(&r);
    r = call(a, "POST", "/v1/verdicts", NULL, g_auth,
             "{\"target_kind\":\"cluster\",\"target\":\"G-nothing\",\"verdict\":\"cleared\",\"who\":\"x\"}");
    CHECK_INTEQ(r.status, 404);
    done(&r);
    um_api_close(a);
}

static void test_escaping(void) {
    um_buf b;
    um_buf_init(&b);
    um_html_escape(&b, "<img src=x onerror=\"a('1')\">&`\x01");
    CHECK_STREQ(b.s, "&lt;img src=x onerror=&quot;a(&#39;1&#39;)&quot;&gt;&amp;&#96;\xef\xbf\xbd");
    um_buf_free(&b);
    json_t *v = json_pack("{s:s}", "k", "</script><script>alert(1)</script>\xe2\x80\xa8&");
    char *s = um_json_for_html(v);
    CHECK(s && !strchr(s, '<') && !strchr(s, '>') && !strchr(s, '&'));
    CHECK(s && strstr(s, "\\u2028"));
    json_t *back = s ? json_loads(s, 0, NULL) : NULL;
    CHECK(back && json_equal(back, v));
    json_decref(back);
    json_decref(v);
    free(s);
    json_t *j = um_json_str("ok\xff\xfe");
    CHECK(j && json_is_string(j));
    json_decref(j);
}

static void test_token(void) {
    char path[300], tok[128], tok2[128], err[256];
    snprintf(path, sizeof path, "%s/tok", g_dir);
    int created = 0;
    CHECK(um_token_load_or_create(path, tok, sizeof tok, &created, err, sizeof err) == UM_OK);
    CHECK(created == 1);
    CHECK(strlen(tok) == 43);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
    CHECK(um_token_load_or_create(path, tok2, sizeof tok2, &created, err, sizeof err) == UM_OK);
    CHECK(created == 0);
    CHECK_STREQ(tok2, tok);
    chmod(path, 0644);
    CHECK(um_token_load_or_create(path, tok2, sizeof tok2, &created, err, sizeof err) == UM_EINVAL);
    unlink(path);
}

static void test_report(void) {
    um_case *c = NULL;
    CHECK(um_case_open(&c, g_dir, 0) == UM_OK);
    char out[300];
    snprintf(out, sizeof out, "%s/report.html", g_dir);
    CHECK(um_report_write(c, out) == UM_OK);
    um_case_close(c);
    FILE *f = fopen(out, "rb");
    CHECK(f != NULL);
    if (!f) return;
    static char buf[1 << 23];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    CHECK(strstr(buf, "Content-Security-Policy") && strstr(buf, "script-src 'sha256-"));
    CHECK(!strstr(buf, "unsafe-inline"));
    CHECK(!strstr(buf, "http://") || !strstr(buf, "src=\"http")); /* nothing loaded from elsewhere */
    CHECK(!strstr(buf, "<link"));
    /* one data element, one script, nothing between </script> pairs */
    size_t scripts = 0;
    for (const char *p = buf; (p = strstr(p, "<script")); p++) scripts++;
    CHECK_INTEQ(scripts, 2);
    struct stat st;
    CHECK(stat(out, &st) == 0 && (st.st_mode & 0777) == 0600);
}

int main(void) {
    /* the case folder inside a folder of its own: the scan's lock file
     * (.case.lock, kept beside the case) goes with it */
    static char root[200];
    if (!um_t_mkdtemp(root, sizeof root, "um-test-api")) return 2;
    snprintf(g_dir, sizeof g_dir, "%s/case", root);
    if (mkdir(g_dir, 0700) != 0) return 2;
    snprintf(g_auth, sizeof g_auth, "Bearer %s", TOKEN);
    scan_demo();
    RUN(test_activity);
    RUN(test_identifier_rows);
    RUN(test_login_ring);
    RUN(test_auth);
    RUN(test_csp);
    RUN(test_errors);
    RUN(test_pages);
    RUN(test_verdicts);
    RUN(test_screen);
    RUN(test_escaping);
    RUN(test_token);
    RUN(test_report);
    RUN(test_linkage_clusters);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", root);
    return um_t_report();
}
