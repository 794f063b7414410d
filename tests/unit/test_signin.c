/* test_signin.c - Okta and Entra sign-in readers: field mapping on the real
 * samples, framings (JSON lines, arrays, Graph pages, Sentinel export) and
 * hostile input (truncated, bad UTF-8, duplicate keys, impossible and future
 * dates, NUL bytes, empty files). Fixtures: tests/data/signin/. */
#include "harness.h"
#include "read/signin.h"
#include "unmask.h"
#include "util/json.h"

static char g_path[4096];

static const char *fixture(const char *name) {
    snprintf(g_path, sizeof g_path, "%s/tests/data/signin/%s", um_t_src(), name);
    return g_path;
}

/* Reads a whole fixture into a buffer with JSON padding. */
static char *slurp(const char *name, size_t *n) {
    FILE *f = fopen(fixture(name), "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = calloc((size_t)sz + UM_JSON_PADDING + 1, 1);
    if (b && fread(b, 1, (size_t)sz, f) != (size_t)sz) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *n = (size_t)sz;
    return b;
}

static int first_elem(void *ud, const char *key, size_t klen, um_jval val) {
    (void)key;
    (void)klen;
    *(um_jval *)ud = val;
    return 1;
}

static char *fmt_time(int64_t us) {
    static char out[40];
    um_time_format(us, out, sizeof out);
    return out;
}

/* ---- mappers on parsed JSON ---- */

static void t_okta_map_sample(void) {
    size_t n;
    char *buf = slurp("vector_okta-api-logs-response.json", &n);
    CHECK(buf != NULL);
    if (!buf) return;
    um_json *p = um_json_new();
    um_jval root, ev0;
    const char *err;
    CHECK(um_json_parse(p, buf, n, &root, &err) == 0);
    CHECK_INTEQ(um_jtype_of(root), UM_J_ARRAY);
    CHECK_INTEQ(um_jlen(root), 1);
    um_jeach(root, first_elem, &ev0);
    um_event ev;
    um_event_init(&ev);
    um_signin_msg msg;
    CHECK_INTEQ(um_okta_map(ev0, &ev, &msg), 1);
    CHECK_INTEQ(ev.kind, UM_EV_SIGNIN);
    CHECK_STREQ(ev.user, "john.doe@example.com");
    CHECK_STREQ(ev.user_name, "John Doe");
    CHECK_STREQ(fmt_time(ev.ts), "2024-08-13T15:58:20.353000Z");
    CHECK_INTEQ(ev.ts, 1723564700353000LL);
    CHECK_STREQ(ev.ip, "10.0.0.1");
    CHECK_STREQ(ev.country, "US");
    CHECK_STREQ(ev.city, "New York");
    CHECK_INTEQ(ev.asn, 394089);
    CHECK_STREQ(ev.as_org, "ASN 0000");
    CHECK_INTEQ(ev.is_proxy, 0);
    CHECK_INTEQ(ev.success, 1);
    CHECK_STREQ(ev.action, "user.session.start");
    CHECK_STREQ(ev.app, "Okta Admin Console");
    CHECK_STREQ(ev.record_id, "dc9fd3c0-598c-11ef-8478-2b7584bf8d5a");
    CHECK_STREQ(msg.warn, "");
    um_json_free(p);
    free(buf);
}

static int map_text(int (*map)(um_jval, um_event *, um_signin_msg *), um_json *p, const char *text,
                    um_event *ev, um_signin_msg *msg) {
    static char buf[4096];
    memset(buf, 0, sizeof buf);
    size_t n = strlen(text);
    if (n + UM_JSON_PADDING >= sizeof buf) return -99;
    memcpy(buf, text, n);
    um_jval root;
    const char *err;
    if (um_json_parse(p, buf, n, &root, &err) != 0) return -98;
    um_event_init(ev);
    return map(root, ev, msg);
}

static void t_okta_map_cases(void) {
    um_json *p = um_json_new();
    um_event ev;
    um_signin_msg msg;
    /* other event types are skipped, not rejected */
    CHECK_INTEQ(map_text(um_okta_map, p, "{\"eventType\":\"user.lifecycle.create\",\"published\":\"x\"}", &ev, &msg), 0);
    /* duplicate key inside actor */
    CHECK_INTEQ(map_text(um_okta_map, p,
                         "{\"eventType\":\"user.session.start\",\"published\":\"2024-01-01T00:00:00Z\","
                         "\"actor\":{\"alternateId\":\"a@x.com\",\"alternateId\":\"b@x.com\"}}",
                         &ev, &msg),
                -1);
    CHECK_STREQ(msg.why, "duplicate key 'actor.alternateId'");
    /* duplicate keys of the root, whose members are listed once (um_sf_list):
     * the first key of a path, and a whole path; the first value is the one
     * read, as a walk reads it */
    CHECK_INTEQ(map_text(um_okta_map, p,
                         "{\"eventType\":\"user.session.start\",\"published\":\"2024-01-01T00:00:00Z\","
                         "\"actor\":{\"alternateId\":\"a@x.com\"},\"actor\":{\"alternateId\":\"b@x.com\"}}",
                         &ev, &msg),
                -1);
    CHECK_STREQ(msg.why, "duplicate key 'actor.alternateId'");
    CHECK_STREQ(ev.user, "a@x.com");
    CHECK_INTEQ(map_text(um_okta_map, p,
                         "{\"eventType\":\"user.session.start\",\"published\":\"2024-01-01T00:00:00Z\","
                         "\"actor\":{\"alternateId\":\"a@x.com\"},\"uuid\":\"u1\",\"uuid\":\"u2\"}",
                         &ev, &msg),
                -1);
    CHECK_STREQ(msg.why, "duplicate key 'uuid'");
    {   /* a root of more members than the list holds: its paths walk, same answers */
        char big[4000];
        int k = snprintf(big, sizeof big, "{\"eventType\":\"user.session.start\","
                                          "\"published\":\"2024-01-01T00:00:00Z\"");
        for (int i = 0; i < UM_SF_LIST_MAX; i++) k += snprintf(big + k, sizeof big - (size_t)k, ",\"x%d\":%d", i, i);
        snprintf(big + k, sizeof big - (size_t)k, ",\"actor\":{\"alternateId\":\"c@x.com\"},\"uuid\":\"u3\"}");
        CHECK_INTEQ(map_text(um_okta_map, p, big, &ev, &msg), 1);
        CHECK_STREQ(ev.user, "c@x.com");
        CHECK_STREQ(ev.record_id, "u3");
    }
    /* impossible date */
    CHECK_INTEQ(map_text(um_okta_map, p,
                         "{\"eventType\":\"user.session.start\",\"published\":\"2017-09-31T00:00:00Z\","
                         "\"actor\":{\"alternateId\":\"a@x.com\"}}",
                         &ev, &msg),
                -1);
    CHECK(strstr(msg.why, "not a valid ISO 8601 time") != NULL);
    /* user that is a number, not a string */
    CHECK_INTEQ(map_text(um_okta_map, p,
                         "{\"eventType\":\"user.session.start\",\"published\":\"2024-01-01T00:00:00Z\","
                         "\"actor\":{\"alternateId\":42}}",
                         &ev, &msg),
                -1);
    CHECK_STREQ(msg.why, "'actor.alternateId' is not a string");
    /* \u0000 inside a string */
    CHECK_INTEQ(map_text(um_okta_map, p,
                         "{\"eventType\":\"user.session.start\",\"published\":\"2024-01-01T00:00:00Z\","
                         "\"actor\":{\"alternateId\":\"a\\u0000b@x.com\"}}",
                         &ev, &msg),
                -1);
    CHECK_STREQ(msg.why, "'actor.alternateId' holds a NUL character");
    /* a user.authentication.* failure with a DENY-style result, unknown country warned */
    CHECK_INTEQ(map_text(um_okta_map, p,
                         "{\"eventType\":\"user.authentication.auth_via_mfa\",\"published\":\"2024-01-01T00:00:00+09:00\","
                         "\"actor\":{\"alternateId\":\"a@x.com\"},\"outcome\":{\"result\":\"DENY\"},"
                         "\"client\":{\"geographicalContext\":{\"country\":\"Atlantis\"}},"
                         "\"securityContext\":{\"asNumber\":\"-5\",\"isProxy\":true}}",
                         &ev, &msg),
                1);
    CHECK_INTEQ(ev.success, 0);
    CHECK_INTEQ(ev.is_proxy, 1);
    CHECK(ev.country == NULL);
    CHECK_INTEQ(ev.asn, 0);
    CHECK_STREQ(fmt_time(ev.ts), "2023-12-31T15:00:00.000000Z");
    CHECK(strstr(msg.warn, "unknown country 'Atlantis'") != NULL);
    CHECK(strstr(msg.warn, "not an AS number") != NULL);
    /* not an object */
    CHECK_INTEQ(map_text(um_okta_map, p, "[1,2]", &ev, &msg), -1);
    CHECK_STREQ(msg.why, "record is not a JSON object");
    um_json_free(p);
}

static void t_entra_map_sample(void) {
    size_t n;
    char *buf = slurp("elastic-integrations_test-signinlogs-sample.log", &n);
    CHECK(buf != NULL);
    if (!buf) return;
    char *nl = memchr(buf, '\n', n);
    CHECK(nl != NULL);
    if (!nl) {
        free(buf);
        return;
    }
    size_t len1 = (size_t)(nl - buf);
    char *line1 = calloc(len1 + UM_JSON_PADDING + 1, 1);
    memcpy(line1, buf, len1);
    um_json *p = um_json_new();
    um_jval root;
    const char *err;
    CHECK(um_json_parse(p, line1, len1, &root, &err) == 0);
    um_event ev;
    um_event_init(&ev);
    um_signin_msg msg;
    CHECK_INTEQ(um_entra_map(root, &ev, &msg), 1);
    CHECK_INTEQ(ev.kind, UM_EV_SIGNIN);
    CHECK_STREQ(ev.user, "mpliftrelastic20210901@outlook.com");
    CHECK_STREQ(ev.user_name, "elastic testing");
    CHECK_STREQ(fmt_time(ev.ts), "2022-01-24T05:10:08.681666Z");
    CHECK_STREQ(ev.ip, "1.128.3.4");
    CHECK_STREQ(ev.country, "IN");
    CHECK_STREQ(ev.city, "Nizampet");
    CHECK_INTEQ(ev.asn, 55836);
    CHECK_INTEQ(ev.success, 1);
    CHECK_INTEQ(ev.is_proxy, -1);
    CHECK_STREQ(ev.app, "Azure Portal");
    CHECK_STREQ(ev.action, "SignInLogs");
    CHECK_STREQ(ev.record_id, "933f20c0-efdf-477f-9586-e5cc566d2e00");
    CHECK_STREQ(msg.warn, "");
    um_json_free(p);
    free(line1);
    free(buf);
}

static void t_entra_map_cases(void) {
    um_json *p = um_json_new();
    um_event ev;
    um_signin_msg msg;
    /* Graph signIn with a -05:00 offset, failure code, location object */
    CHECK_INTEQ(map_text(um_entra_map, p,
                         "{\"id\":\"g\",\"createdDateTime\":\"2022-01-24T00:10:08-05:00\",\"userPrincipalName\":\"f@x.com\","
                         "\"ipAddress\":\"192.0.2.1\",\"status\":{\"errorCode\":50126},"
                         "\"location\":{\"countryOrRegion\":\"KP\",\"city\":\"Pyongyang\"},\"autonomousSystemNumber\":131279}",
                         &ev, &msg),
                1);
    CHECK_STREQ(fmt_time(ev.ts), "2022-01-24T05:10:08.000000Z");
    CHECK_INTEQ(ev.success, 0);
    CHECK_STREQ(ev.country, "KP");
    CHECK_INTEQ(ev.asn, 131279);
    CHECK_STREQ(ev.action, "signIn");
    /* envelope fallbacks: time, callerIpAddress, top-level location, resultType */
    CHECK_INTEQ(map_text(um_entra_map, p,
                         "{\"time\":\"2022-02-01T03:00:00Z\",\"category\":\"NonInteractiveUserSignInLogs\",\"resultType\":\"50140\","
                         "\"callerIpAddress\":\"192.0.2.9\",\"location\":\"DE\",\"properties\":{\"userPrincipalName\":\"h@x.com\"}}",
                         &ev, &msg),
                1);
    CHECK_STREQ(fmt_time(ev.ts), "2022-02-01T03:00:00.000000Z");
    CHECK_STREQ(ev.ip, "192.0.2.9");
    CHECK_STREQ(ev.country, "DE");
    CHECK_INTEQ(ev.success, 0);
    CHECK_STREQ(ev.action, "NonInteractiveUserSignInLogs");
    /* service principal sign-ins are skipped */
    CHECK_INTEQ(map_text(um_entra_map, p,
                         "{\"category\":\"ServicePrincipalSignInLogs\",\"properties\":{\"id\":\"x\"}}", &ev, &msg),
                0);
    /* bad offset date and impossible date */
    CHECK_INTEQ(map_text(um_entra_map, p,
                         "{\"createdDateTime\":\"2022-02-30T00:00:00Z\",\"userPrincipalName\":\"f@x.com\"}", &ev, &msg),
                -1);
    CHECK(strstr(msg.why, "createdDateTime") != NULL);
    /* duplicate key in status */
    CHECK_INTEQ(map_text(um_entra_map, p,
                         "{\"createdDateTime\":\"2022-02-01T00:00:00Z\",\"userPrincipalName\":\"f@x.com\","
                         "\"status\":{\"errorCode\":0,\"errorCode\":50126}}",
                         &ev, &msg),
                -1);
    CHECK_STREQ(msg.why, "duplicate key 'status.errorCode'");
    /* duplicates among the listed properties' own keys */
    CHECK_INTEQ(map_text(um_entra_map, p,
                         "{\"category\":\"SignInLogs\",\"properties\":{\"createdDateTime\":"
                         "\"2022-02-01T00:00:00Z\",\"userPrincipalName\":\"f@x.com\",\"status\":{\"errorCode\":0},"
                         "\"status\":{\"errorCode\":1}}}",
                         &ev, &msg),
                -1);
    CHECK_STREQ(msg.why, "duplicate key 'status.errorCode'");
    CHECK_INTEQ(map_text(um_entra_map, p,
                         "{\"category\":\"SignInLogs\",\"properties\":{\"createdDateTime\":"
                         "\"2022-02-01T00:00:00Z\",\"userPrincipalName\":\"f@x.com\",\"id\":\"a\",\"id\":\"b\"}}",
                         &ev, &msg),
                -1);
    CHECK_STREQ(msg.why, "duplicate key 'id'");
    /* no time at all */
    CHECK_INTEQ(map_text(um_entra_map, p, "{\"userPrincipalName\":\"f@x.com\"}", &ev, &msg), -1);
    um_json_free(p);
}

/* ---- whole scans through the public API ---- */

typedef struct scan_res {
    um_ctx *ctx;
    um_scan *scan;
    um_scan_stats st;
    um_status rc;
} scan_res;

static scan_res run_scan(const char *name, const char *format) {
    scan_res r;
    memset(&r, 0, sizeof r);
    um_ctx_options o = {0};
    o.data_dir = getenv("UNMASK_DATA_DIR");
    r.rc = um_ctx_open(&r.ctx, &o);
    if (r.rc != UM_OK) return r;
    r.rc = um_scan_new(r.ctx, &r.scan);
    if (r.rc == UM_OK) r.rc = um_scan_add_path(r.scan, fixture(name), format);
    if (r.rc == UM_OK) r.rc = um_scan_run(r.scan, NULL, NULL);
    if (r.scan) um_scan_get_stats(r.scan, &r.st);
    return r;
}

static void end_scan(scan_res *r) {
    um_scan_free(r->scan);
    um_ctx_close(r->ctx);
}

static bool has_source(const um_scan *s, const char *src) {
    for (size_t i = 0; i < um_scan_subject_count(s); i++) {
        const um_subject_info *si = um_scan_subject(s, i);
        for (size_t k = 0; k < si->n_sources; k++)
            if (strcmp(si->sources[k], src) == 0) return true;
    }
    return false;
}

/* Index of the first reject whose reason contains needle, or -1. */
static long find_reject(const um_scan *s, const char *needle) {
    for (size_t i = 0; i < um_scan_reject_count(s); i++)
        if (strstr(um_scan_reject(s, i)->reason, needle)) return (long)i;
    return -1;
}

static long find_warning(const um_scan *s, const char *needle) {
    for (size_t i = 0; i < um_scan_warning_count(s); i++)
        if (strstr(um_scan_warning(s, i)->reason, needle)) return (long)i;
    return -1;
}

static void t_scan_okta_sample(void) {
    scan_res r = run_scan("vector_okta-api-logs-response.json", NULL); /* detected */
    CHECK_INTEQ(r.rc, UM_OK);
    if (r.rc != UM_OK) { end_scan(&r); return; }
    CHECK_INTEQ(r.st.events, 1);
    CHECK_INTEQ(r.st.rejects, 0);
    CHECK_INTEQ(r.st.warnings, 0);
    CHECK_INTEQ(um_scan_subject_count(r.scan), 1);
    if (um_scan_subject_count(r.scan) == 1)
        CHECK_STREQ(um_scan_subject(r.scan, 0)->display, "john.doe@example.com");
    CHECK(has_source(r.scan, "account=john.doe@example.com"));
    end_scan(&r);
}

static void t_scan_entra_sample(void) {
    scan_res r = run_scan("elastic-integrations_test-signinlogs-sample.log", NULL);
    CHECK_INTEQ(r.rc, UM_OK);
    if (r.rc != UM_OK) { end_scan(&r); return; }
    CHECK_INTEQ(r.st.events, 2); /* the file holds exactly two SignInLogs lines */
    CHECK_INTEQ(r.st.rejects, 0);
    CHECK_INTEQ(r.st.warnings, 0);
    CHECK_INTEQ(um_scan_subject_count(r.scan), 1);
    CHECK(has_source(r.scan, "account=mpliftrelastic20210901@outlook.com"));
    end_scan(&r);
}

static void t_scan_okta_hostile(void) {
    scan_res r = run_scan("okta_hostile.jsonl", NULL);
    CHECK_INTEQ(r.rc, UM_OK);
    if (r.rc != UM_OK) { end_scan(&r); return; }
    /* alice + dave emitted; the 2999 record is counted then rejected by the scan */
    CHECK_INTEQ(r.st.events, 3);
    CHECK_INTEQ(r.st.rejects, 7);
    CHECK_INTEQ(um_scan_subject_count(r.scan), 2);
    CHECK(has_source(r.scan, "account=alice@corp.example"));
    CHECK(has_source(r.scan, "account=dave@corp.example"));
    CHECK(!has_source(r.scan, "account=future@corp.example"));
    CHECK(!has_source(r.scan, "account=mallory@corp.example"));
    long i;
    CHECK((i = find_reject(r.scan, "invalid JSON")) >= 0 && um_scan_reject(r.scan, (size_t)i)->line == 2);
    CHECK((i = find_reject(r.scan, "invalid UTF-8")) >= 0 && um_scan_reject(r.scan, (size_t)i)->line == 3);
    CHECK((i = find_reject(r.scan, "duplicate key 'actor.alternateId'")) >= 0 &&
          um_scan_reject(r.scan, (size_t)i)->line == 4);
    CHECK((i = find_reject(r.scan, "'published' is not a valid ISO 8601 time: '2017-09-31")) >= 0 &&
          um_scan_reject(r.scan, (size_t)i)->line == 5);
    CHECK((i = find_reject(r.scan, "in the future")) >= 0 && um_scan_reject(r.scan, (size_t)i)->line == 6);
    CHECK((i = find_reject(r.scan, "NUL byte")) >= 0 && um_scan_reject(r.scan, (size_t)i)->line == 7);
    CHECK((i = find_reject(r.scan, "invalid JSON")) >= 0);
    CHECK(um_scan_reject(r.scan, um_scan_reject_count(r.scan) - 1)->line == 11);
    CHECK_STREQ(um_scan_reject(r.scan, 0)->reader, "okta");
    CHECK(find_warning(r.scan, "1 events of other types skipped") >= 0);
    CHECK_INTEQ(r.st.warnings, 1);
    end_scan(&r);
}

static void t_scan_okta_array(void) {
    scan_res r = run_scan("okta_array.json", NULL);
    CHECK_INTEQ(r.rc, UM_OK);
    if (r.rc != UM_OK) { end_scan(&r); return; }
    CHECK_INTEQ(r.st.events, 1);
    CHECK_INTEQ(r.st.rejects, 1);
    long i = find_reject(r.scan, "event[1]: 'published' is not a valid ISO 8601 time");
    CHECK(i >= 0);
    if (i >= 0) CHECK_INTEQ(um_scan_reject(r.scan, (size_t)i)->line, 32); /* element start line */
    CHECK(find_warning(r.scan, "1 events of other types skipped") >= 0);
    CHECK(find_warning(r.scan, "unknown country 'Nowhere Land'") >= 0);
    CHECK(has_source(r.scan, "account=erin@corp.example"));
    end_scan(&r);
}

static void t_scan_okta_truncated_array(void) {
    scan_res r = run_scan("okta_truncated_array.json", "okta");
    CHECK_INTEQ(r.rc, UM_OK);
    if (r.rc != UM_OK) { end_scan(&r); return; }
    CHECK_INTEQ(r.st.events, 1);
    CHECK_INTEQ(r.st.rejects, 1);
    long i = find_reject(r.scan, "truncated JSON");
    CHECK(i >= 0);
    if (i >= 0) CHECK_INTEQ(um_scan_reject(r.scan, (size_t)i)->line, 32);
    end_scan(&r);
}

static void t_scan_okta_pages(void) {
    scan_res r = run_scan("okta_pages.json", NULL);
    CHECK_INTEQ(r.rc, UM_OK);
    if (r.rc != UM_OK) { end_scan(&r); return; }
    CHECK_INTEQ(r.st.events, 2);
    CHECK_INTEQ(r.st.rejects, 2);
    CHECK_INTEQ(r.st.warnings, 0);
    long i = find_reject(r.scan, "unexpected '7'");
    CHECK(i >= 0 && um_scan_reject(r.scan, (size_t)i)->line == 2);
    i = find_reject(r.scan, "event[2]: missing 'published' time");
    CHECK(i >= 0 && um_scan_reject(r.scan, (size_t)i)->line == 3);
    CHECK_INTEQ(um_scan_subject_count(r.scan), 1);
    CHECK(has_source(r.scan, "account=ivy@corp.example"));
    end_scan(&r);
}

static void t_scan_okta_sentinel(void) {
    scan_res r = run_scan("okta_sentinel.json", NULL);
    CHECK_INTEQ(r.rc, UM_OK);
    if (r.rc != UM_OK) { end_scan(&r); return; }
    CHECK_INTEQ(r.st.events, 2);
    CHECK_INTEQ(r.st.rejects, 0);
    CHECK(has_source(r.scan, "account=gina@corp.example"));
    end_scan(&r);
    /* field level on the flattened layout */
    size_t n;
    char *buf = slurp("okta_sentinel.json", &n);
    um_json *p = um_json_new();
    um_jval root, e0;
    const char *err;
    CHECK(buf && um_json_parse(p, buf, n, &root, &err) == 0);
    um_jeach(root, first_elem, &e0);
    um_event ev;
    um_event_init(&ev);
    um_signin_msg msg;
    CHECK_INTEQ(um_okta_map(e0, &ev, &msg), 1);
    CHECK_STREQ(ev.user, "gina@corp.example");
    CHECK_STREQ(ev.country, "KR");
    CHECK_INTEQ(ev.asn, 4766);
    CHECK_INTEQ(ev.is_proxy, 1);
    CHECK_INTEQ(ev.success, 1);
    CHECK_STREQ(ev.record_id, "5f0c2a6e-0000-4000-8000-000000000001");
    CHECK_STREQ(fmt_time(ev.ts), "2024-03-03T01:02:03.456000Z");
    um_json_free(p);
    free(buf);
}

static void t_scan_entra_graph(void) {
    scan_res r = run_scan("entra_graph.json", NULL);
    CHECK_INTEQ(r.rc, UM_OK);
    if (r.rc != UM_OK) { end_scan(&r); return; }
    CHECK_INTEQ(r.st.events, 1);
    CHECK_INTEQ(r.st.rejects, 1);
    CHECK(find_reject(r.scan, "value[1]: duplicate key 'userPrincipalName'") >= 0);
    CHECK(has_source(r.scan, "account=frank@corp.example"));
    CHECK(!has_source(r.scan, "account=eve@corp.example"));
    end_scan(&r);
}

static void t_scan_entra_mixed(void) {
    scan_res r = run_scan("entra_diag_mixed.jsonl", NULL);
    CHECK_INTEQ(r.rc, UM_OK);
    if (r.rc != UM_OK) { end_scan(&r); return; }
    CHECK_INTEQ(r.st.events, 1);
    CHECK_INTEQ(r.st.rejects, 1);
    long i = find_reject(r.scan, "'properties' is not an object");
    CHECK(i >= 0 && um_scan_reject(r.scan, (size_t)i)->line == 4);
    CHECK(find_warning(r.scan, "2 records of other categories skipped") >= 0);
    CHECK(has_source(r.scan, "account=hank@corp.example"));
    end_scan(&r);
}

static void t_scan_empty(void) {
    scan_res r = run_scan("empty.json", "okta");
    CHECK_INTEQ(r.rc, UM_OK);
    CHECK_INTEQ(r.st.events, 0);
    CHECK_INTEQ(r.st.rejects, 0);
    CHECK_INTEQ(r.st.warnings, 1);
    if (r.scan) CHECK(find_warning(r.scan, "empty file") >= 0);
    end_scan(&r);
    r = run_scan("empty.json", "entra");
    CHECK_INTEQ(r.st.warnings, 1);
    CHECK_INTEQ(r.st.rejects, 0);
    end_scan(&r);
}

static void t_detect(void) {
    /* each sample is detected by its own reader, not the other one */
    scan_res r = run_scan("okta_hostile.jsonl", NULL);
    if (r.scan && um_scan_reject_count(r.scan)) CHECK_STREQ(um_scan_reject(r.scan, 0)->reader, "okta");
    end_scan(&r);
    r = run_scan("entra_diag_mixed.jsonl", NULL);
    if (r.scan && um_scan_reject_count(r.scan)) CHECK_STREQ(um_scan_reject(r.scan, 0)->reader, "entra");
    end_scan(&r);
}

int main(void) {
    RUN(t_okta_map_sample);
    RUN(t_okta_map_cases);
    RUN(t_entra_map_sample);
    RUN(t_entra_map_cases);
    RUN(t_scan_okta_sample);
    RUN(t_scan_entra_sample);
    RUN(t_scan_okta_hostile);
    RUN(t_scan_okta_array);
    RUN(t_scan_okta_truncated_array);
    RUN(t_scan_okta_pages);
    RUN(t_scan_okta_sentinel);
    RUN(t_scan_entra_graph);
    RUN(t_scan_entra_mixed);
    RUN(t_scan_empty);
    RUN(t_detect);
    return um_t_report();
}
