/*
 * okta.c - Okta System Log reader. Accepts the System Log API response
 * (GET /api/v1/logs: a JSON array of LogEvent objects, compact or
 * pretty-printed), LogEvents as JSON lines, and the Microsoft Sentinel
 * Okta_CL export (flattened keys with type suffixes: actor_alternateId_s,
 * published_t, securityContext_isProxy_b ...).
 *
 * Only sign-in events become um_events (UM_EV_SIGNIN): user.session.start,
 * user.authentication.*, policy.evaluate_sign_on. Other event types are
 * counted and reported in one warning per file.
 *
 * Besides who/when/where: debugContext.debugData.dtHash (the device token
 * hash of the browser, Sentinel debugContext_debugData_dtHash_s) becomes
 * browser_hash (NET-08, detect/browser.c); client.geographicalContext.
 * geolocation lat/lon become lat/lon (impossible travel, detect/travel.c).
 */
#include <string.h>

#include "signin.h"

/* Nested LogEvent path and its Sentinel column stem (suffix tried first). */
typedef struct okta_field {
    const char *path;
    const char *flat;
    const char *suffix;
} okta_field;

enum { F_EVENTTYPE, F_PUBLISHED, F_USER, F_NAME, F_IP, F_COUNTRY, F_CITY, F_ASN, F_ASORG,
       F_PROXY, F_RESULT, F_UUID, F_DTHASH, F_LAT, F_LON, F__COUNT };

static const okta_field fields[F__COUNT] = {
    [F_EVENTTYPE] = {"eventType", "eventType", "_s"},
    [F_PUBLISHED] = {"published", "published", "_t"},
    [F_USER] = {"actor.alternateId", "actor_alternateId", "_s"},
    [F_NAME] = {"actor.displayName", "actor_displayName", "_s"},
    [F_IP] = {"client.ipAddress", "client_ipAddress", "_s"},
    [F_COUNTRY] = {"client.geographicalContext.country", "client_geographicalContext_country", "_s"},
    [F_CITY] = {"client.geographicalContext.city", "client_geographicalContext_city", "_s"},
    [F_ASN] = {"securityContext.asNumber", "securityContext_asNumber", "_d"},
    [F_ASORG] = {"securityContext.asOrg", "securityContext_asOrg", "_s"},
    [F_PROXY] = {"securityContext.isProxy", "securityContext_isProxy", "_b"},
    [F_RESULT] = {"outcome.result", "outcome_result", "_s"},
    [F_UUID] = {"uuid", "uuid", "_g"},
    [F_DTHASH] = {"debugContext.debugData.dtHash", "debugContext_debugData_dtHash", "_s"},
    [F_LAT] = {"client.geographicalContext.geolocation.lat", "client_geographicalContext_geolocation_lat", "_d"},
    [F_LON] = {"client.geographicalContext.geolocation.lon", "client_geographicalContext_geolocation_lon", "_d"},
};

typedef struct okta_rec {
    um_sf sf;
    bool flat;
    const char *path; /* name of the field being read, for messages: a field's own, or buf */
    char buf[96];
} okta_rec;

/* The value of one field in either layout. */
static um_jval field(okta_rec *r, int id) {
    const okta_field *f = &fields[id];
    if (!r->flat) {
        r->path = f->path; /* no copy per field of every record */
        return um_sf_get(&r->sf, r->sf.root, f->path);
    }
    snprintf(r->buf, sizeof r->buf, "%s%s", f->flat, f->suffix);
    r->path = r->buf;
    unsigned n = 0;
    um_jval v = um_jget(r->sf.root, r->path, &n);
    if (!n) {
        r->path = f->flat;
        v = um_jget(r->sf.root, r->path, &n);
    }
    if (n > 1) um_sf_fail(&r->sf, "duplicate key '%s'", r->path);
    return v;
}

static const char *field_str(okta_rec *r, int id) {
    um_jval v = field(r, id);
    um_jtype t = um_jtype_of(v);
    if (t == UM_J_MISSING || t == UM_J_NULL) return NULL;
    size_t len = 0;
    const char *s = um_jstr(v, &len);
    if (!s) {
        um_sf_fail(&r->sf, "'%s' is not a string", r->path);
        return NULL;
    }
    if (strlen(s) != len) {
        um_sf_fail(&r->sf, "'%s' holds a NUL character", r->path);
        return NULL;
    }
    return s;
}

static bool is_signin_type(const char *t) {
    return strcmp(t, "user.session.start") == 0 || strncmp(t, "user.authentication.", 20) == 0 ||
           strcmp(t, "policy.evaluate_sign_on") == 0;
}

typedef struct app_find {
    um_sf *sf;
    const char *app;
} app_find;

static int find_app(void *ud, const char *key, size_t klen, um_jval val) {
    (void)key;
    (void)klen;
    app_find *a = ud;
    if (um_jtype_of(val) != UM_J_OBJECT) return 0;
    const char *type = um_sf_str(a->sf, val, "type");
    if (type && strcmp(type, "AppInstance") == 0) {
        a->app = um_sf_str(a->sf, val, "displayName");
        return 1;
    }
    return a->sf->bad;
}

int um_okta_map(um_jval rec, um_event *ev, um_signin_msg *msg) {
    msg->why[0] = msg->warn[0] = 0;
    okta_rec r = {{.root = rec, .msg = msg}, false, "", {0}};
    if (um_jtype_of(rec) != UM_J_OBJECT) {
        um_sf_fail(&r.sf, "record is not a JSON object");
        return -1;
    }
    r.flat = !um_jok(um_jget(rec, "eventType", NULL)) &&
             (um_jok(um_jget(rec, "eventType_s", NULL)) || um_jok(um_jget(rec, "actor_alternateId_s", NULL)) ||
              um_jok(um_jget(rec, "actor_alternateId", NULL)));
    const char *type = field_str(&r, F_EVENTTYPE);
    if (r.sf.bad) return -1;
    if (!type || !*type) {
        um_sf_fail(&r.sf, "no eventType: not an Okta LogEvent");
        return -1;
    }
    if (!is_signin_type(type)) return 0;
    um_jmember rootm[UM_SF_LIST_MAX]; /* ~15 paths from the root follow */
    if (!r.flat) um_sf_list(&r.sf, rec, rootm, UM_SF_LIST_MAX);
    ev->kind = UM_EV_SIGNIN;
    ev->action = type;

    const char *pub = field_str(&r, F_PUBLISHED);
    int tz = 0;
    bool has_tz = false;
    if (!r.sf.bad && (!pub || !*pub)) um_sf_fail(&r.sf, "missing '%s' time", r.path);
    else if (!r.sf.bad && !um_time_parse_iso(pub, strlen(pub), &ev->ts, &tz, &has_tz))
        um_sf_fail(&r.sf, "'%s' is not a valid ISO 8601 time: '%.40s'", r.path, pub);
    else if (!r.sf.bad && !has_tz)
        um_signin_warn(msg, "'%s' has no time zone; taken as UTC", r.path);

    ev->user = field_str(&r, F_USER);
    if (!r.sf.bad && (!ev->user || !*ev->user)) um_sf_fail(&r.sf, "sign-in without '%s'", r.path);
    else if (!r.sf.bad && strlen(ev->user) > UM_SIGNIN_MAX_USER)
        um_sf_fail(&r.sf, "'%s' longer than %d bytes", r.path, UM_SIGNIN_MAX_USER);
    ev->user_name = field_str(&r, F_NAME);
    ev->ip = field_str(&r, F_IP);
    ev->country = um_signin_country(msg, field_str(&r, F_COUNTRY));
    ev->city = field_str(&r, F_CITY);
    um_jval asn = field(&r, F_ASN);
    ev->asn = um_signin_asn(msg, asn, r.path);
    ev->as_org = field_str(&r, F_ASORG);

    um_jval px = field(&r, F_PROXY);
    bool b;
    if (um_jbool(px, &b)) ev->is_proxy = b ? 1 : 0;
    else if (um_jok(px) && um_jtype_of(px) != UM_J_NULL) {
        const char *s = um_jstr(px, NULL);
        if (!s || (*s && !um_streq_ci(s, "null"))) um_signin_warn(msg, "'%s' is not true/false; ignored", r.path);
    }

    const char *res = field_str(&r, F_RESULT);
    if (res) {
        if (um_streq_ci(res, "SUCCESS") || um_streq_ci(res, "ALLOW")) ev->success = 1;
        else if (um_streq_ci(res, "FAILURE") || um_streq_ci(res, "DENY")) ev->success = 0;
    }
    ev->record_id = field_str(&r, F_UUID);
    const char *dt = field_str(&r, F_DTHASH);
    if (dt && *dt && strlen(dt) <= 128) ev->browser_hash = dt;
    else if (dt && *dt) um_signin_warn(msg, "'%s' longer than 128 bytes; ignored", r.path);
    if (!r.sf.bad) {
        um_jval lat = field(&r, F_LAT), lon = field(&r, F_LON);
        um_signin_geo(msg, lat, lon, ev);
    }

    if (!r.flat) {
        um_jval tg = um_sf_get(&r.sf, rec, "target");
        if (um_jtype_of(tg) == UM_J_ARRAY) {
            app_find a = {&r.sf, NULL};
            um_jeach(tg, find_app, &a);
            ev->app = a.app;
        }
    }
    return r.sf.bad ? -1 : 1;
}

/* ---- reader ---- */

#define SKIPPED_FMT "%llu events of other types skipped (only sign-in events are used)"

static um_status read_okta(um_reader_ctx *rc, FILE *f) {
    return um_signin_read(rc, f, um_okta_map, SKIPPED_FMT);
}

static void part_finish(um_reader_ctx *rc, const void *merged) { um_signin_part_finish(rc, merged, SKIPPED_FMT); }

static int detect(const char *path, const char *head, size_t n) {
    (void)path;
    if (um_json_head_start(head, n) < 0) return 0;
#define HAS(s) (memmem(head, n, s, sizeof s - 1) != NULL)
    if (HAS("eventType") && (HAS("actor") || HAS("published"))) return 80;
    if (HAS("\"actor\"") && HAS("\"alternateId\"") && HAS("\"client\"")) return 60;
#undef HAS
    return 0;
}

const um_reader um_reader_okta = {
    "okta",
    "Okta System Log: API response (JSON array), JSON lines, or Sentinel Okta_CL export; sign-in events",
    1, detect, read_okta, NULL, false, false,
    um_signin_splittable, sizeof(um_signin_sum), um_signin_part_merge, part_finish};
