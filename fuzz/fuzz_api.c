/*
 * fuzz_api.c - the HTTP API request handling (src/report/api.c) over
 * arbitrary bytes: JSON bodies of /v1/screen and /v1/verdicts, query strings
 * of the list routes, ids in paths, Authorization headers. The case is a
 * small case.db made once in the private folder (two people sharing a
 * phone, one finding with evidence, a reject).
 *
 * Input: the first byte picks the request shape, the rest is the varying
 * part. Checked: every response has a status in 200..599, a content type,
 * and a body that is valid JSON for every /v1 route but the CSV export; a
 * request without the token never gets anything but 401.
 */
#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "um_fuzz.h"

#define TOKEN "fuzz-token-0123456789abcdef"

static um_api *g_api;

static void make_case(const char *dir) {
    char path[1040]; /* the folder (under 1,024 bytes) + "/case.db" */
    if ((size_t)snprintf(path, sizeof path, "%s/case.db", dir) >= sizeof path) um_fuzz_fail("path too long", dir);
    sqlite3 *db = NULL;
    if (sqlite3_open(path, &db) != SQLITE_OK) um_fuzz_fail("sqlite3_open", path);
    const char *sql =
        "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
        "CREATE TABLE subjects(id TEXT PRIMARY KEY, rank INTEGER, display TEXT, score INTEGER, level TEXT,"
        " identity INTEGER, n_findings INTEGER);"
        "CREATE TABLE subject_sources(subject_id TEXT, source TEXT);"
        "CREATE TABLE subject_joins(subject_id TEXT, seq INTEGER, sentence TEXT);"
        "CREATE TABLE identifiers(subject_id TEXT, kind TEXT, value TEXT, file TEXT, line INTEGER);"
        "CREATE TABLE findings(id TEXT PRIMARY KEY, subject_id TEXT, indicator TEXT, analyzer TEXT, strength TEXT,"
        " weight INTEGER, summary TEXT, key TEXT, count INTEGER, first_seen TEXT, last_seen TEXT);"
        "CREATE TABLE evidence(finding_id TEXT, seq INTEGER, file TEXT, line INTEGER, record TEXT, time TEXT, vals TEXT);"
        "CREATE TABLE rejects(seq INTEGER PRIMARY KEY, kind TEXT, file TEXT, line INTEGER, reader TEXT, reason TEXT);"
        "CREATE TABLE events_summary(key TEXT PRIMARY KEY, value INTEGER);"
        "INSERT INTO subjects VALUES('S-aaaaaaaaaaaa',1,'<script>x</script>',60,'high',1,1),"
        " ('S-bbbbbbbbbbbb',2,'Bob',20,'clean',1,0);"
        "INSERT INTO identifiers VALUES('S-aaaaaaaaaaaa','phone','+15550001111','a.csv',2),"
        " ('S-bbbbbbbbbbbb','phone','+15550001111','a.csv',3),('S-aaaaaaaaaaaa','email','a@x.example','a.csv',2);"
        "INSERT INTO findings VALUES('F-1','S-aaaaaaaaaaaa','LINK-01','link','medium',20,'shares a phone','+15550001111',"
        " 1,NULL,NULL);"
        "INSERT INTO evidence VALUES('F-1',0,'a.csv',2,NULL,NULL,'phone=+15550001111');"
        "INSERT INTO rejects VALUES(1,'reject','a.csv',9,'person-csv','bad row');"
        "INSERT INTO events_summary VALUES('files',1);";
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) um_fuzz_fail("case schema", sqlite3_errmsg(db));
    sqlite3_close(db);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    const char *dir = um_fuzz_mkdir("case");
    char d[1024];
    snprintf(d, sizeof d, "%s", dir);
    make_case(d);
    um_api_options o;
    memset(&o, 0, sizeof o);
    o.case_path = d;
    o.writable = 1;
    o.token = TOKEN;
    o.max_body = 8192;
    o.data_dir = um_fuzz_data_dir();
    if (um_api_open(&g_api, &o) != UM_OK) um_fuzz_fail("um_api_open", um_api_errmsg(g_api));
    return 0;
}

static void check(const um_api_request *rq, const um_api_response *rs, bool authed) {
    if (rs->status < 200 || rs->status > 599) um_fuzz_fail("status out of range", rq->path);
    if (!rs->content_type) um_fuzz_fail("no content type", rq->path);
    bool v1 = strncmp(rq->path, "/v1", 3) == 0;
    if (v1 && !authed && rs->status != 401) um_fuzz_fail("answered without the token", rq->path);
    if (rs->body && strstr(rs->content_type, "json")) {
        json_t *j = json_loadb(rs->body, rs->body_len, 0, NULL);
        if (!j) um_fuzz_fail("response is not JSON", rs->body);
        json_decref(j);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    static char *buf;
    buf = realloc(buf, size + 1);
    if (!buf) return 0;
    memcpy(buf, data + 1, size - 1);
    buf[size - 1] = 0;
    um_api_request rq;
    memset(&rq, 0, sizeof rq);
    rq.authorization = "Bearer " TOKEN;
    rq.content_type = "application/json";
    char path[2048];
    switch (data[0] % 8) {
    case 0: rq.method = "POST"; rq.path = "/v1/screen"; rq.body = buf; rq.body_len = size - 1; break;
    case 1: rq.method = "POST"; rq.path = "/v1/verdicts"; rq.body = buf; rq.body_len = size - 1; break;
    case 2: rq.method = "GET"; rq.path = "/v1/subjects"; rq.query = buf; break;
    case 3: rq.method = "GET"; rq.path = "/v1/findings"; rq.query = buf; break;
    case 4:
        snprintf(path, sizeof path, "/v1/subjects/%s", buf);
        rq.method = "GET"; rq.path = path;
        break;
    case 5:
        snprintf(path, sizeof path, "/v1/clusters/%s", buf);
        rq.method = "GET"; rq.path = path;
        break;
    case 6: rq.method = "POST"; rq.path = "/v1/screen"; rq.authorization = buf; rq.body = "{\"name\":\"x\"}"; rq.body_len = 12; break;
    default: rq.method = "GET"; rq.path = buf; break;
    }
    bool authed = rq.authorization && strcmp(rq.authorization, "Bearer " TOKEN) == 0;
    um_api_response rs;
    um_api_handle(g_api, &rq, &rs);
    check(&rq, &rs, authed);
    um_api_response_free(&rs);
    return 0;
}
