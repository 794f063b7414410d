/*
 * entra.c - Microsoft Entra ID (Azure AD) sign-in log reader. Accepts the
 * diagnostic-settings export (Event Hub / storage account: one JSON object
 * per line with time, category, callerIpAddress, location, resultType and
 * the sign-in in "properties") and Microsoft Graph signIn objects
 * (GET /auditLogs/signIns: a {"value":[...]} page, a bare array, or lines).
 *
 * User sign-ins (categories SignInLogs and NonInteractiveUserSignInLogs, or
 * no category) become UM_EV_SIGNIN events; service-principal and
 * managed-identity sign-ins and other categories are counted and reported
 * in one warning per file.
 */
#include <string.h>

#include "signin.h"

static bool user_category(const char *cat) {
    return um_streq_ci(cat, "SignInLogs") || um_streq_ci(cat, "NonInteractiveUserSignInLogs");
}

int um_entra_map(um_jval rec, um_event *ev, um_signin_msg *msg) {
    msg->why[0] = msg->warn[0] = 0;
    um_sf sf = {.root = rec, .msg = msg};
    if (um_jtype_of(rec) != UM_J_OBJECT) {
        um_sf_fail(&sf, "record is not a JSON object");
        return -1;
    }
    const char *cat = um_sf_str(&sf, rec, "category");
    if (sf.bad) return -1;
    if (cat && *cat && !user_category(cat)) return 0;

    um_jval props = um_sf_get(&sf, rec, "properties");
    um_jtype pt = um_jtype_of(props);
    bool diag = pt == UM_J_OBJECT;
    if (pt != UM_J_MISSING && pt != UM_J_OBJECT) {
        um_sf_fail(&sf, "'properties' is not an object");
        return -1;
    }
    if (!diag) props = rec; /* Graph signIn: the record itself */
    if (sf.bad) return -1;
    um_jmember pm[UM_SF_LIST_MAX]; /* nine paths from props follow */
    um_sf_list(&sf, props, pm, UM_SF_LIST_MAX);

    ev->kind = UM_EV_SIGNIN;
    ev->action = cat && *cat ? cat : "signIn";

    /* time: createdDateTime (may carry an offset), else the envelope time */
    if (!um_sf_time(&sf, props, "createdDateTime", false, &ev->ts) && !sf.bad) {
        if (diag) um_sf_time(&sf, rec, "time", false, &ev->ts);
        if (!sf.bad && ev->ts == UM_TIME_NONE) um_sf_fail(&sf, "sign-in without 'createdDateTime' or 'time'");
    }

    ev->user = um_sf_str(&sf, props, "userPrincipalName");
    if (!sf.bad && (!ev->user || !*ev->user)) um_sf_fail(&sf, "sign-in without 'userPrincipalName'");
    else if (!sf.bad && strlen(ev->user) > UM_SIGNIN_MAX_USER)
        um_sf_fail(&sf, "'userPrincipalName' longer than %d bytes", UM_SIGNIN_MAX_USER);
    ev->user_name = um_sf_str(&sf, props, "userDisplayName");

    ev->ip = um_sf_str(&sf, props, "ipAddress");
    if (diag && (!ev->ip || !*ev->ip)) ev->ip = um_sf_str(&sf, rec, "callerIpAddress");

    um_jval loc = um_sf_get(&sf, props, "location");
    const char *country = NULL;
    if (um_jtype_of(loc) == UM_J_OBJECT) {
        country = um_sf_str(&sf, loc, "countryOrRegion");
        ev->city = um_sf_str(&sf, loc, "city");
        um_jval gc = um_sf_get(&sf, loc, "geoCoordinates");
        if (um_jtype_of(gc) == UM_J_OBJECT)
            um_signin_geo(msg, um_sf_get(&sf, gc, "latitude"), um_sf_get(&sf, gc, "longitude"), ev);
    }
    if ((!country || !*country) && diag) {
        um_jval top = um_sf_get(&sf, rec, "location");
        if (um_jtype_of(top) == UM_J_STRING) country = um_jstr(top, NULL);
    }
    ev->country = um_signin_country(msg, country);

    ev->asn = um_signin_asn(msg, um_sf_get(&sf, props, "autonomousSystemNumber"), "autonomousSystemNumber");

    um_jval ec = um_sf_get(&sf, props, "status.errorCode");
    int64_t code;
    if (um_jint(ec, &code)) {
        ev->success = code == 0 ? 1 : 0;
    } else {
        if (um_jok(ec) && um_jtype_of(ec) != UM_J_NULL)
            um_signin_warn(msg, "'status.errorCode' is not a number; ignored");
        const char *rt = diag ? um_sf_str(&sf, rec, "resultType") : NULL;
        if (rt && *rt) ev->success = strcmp(rt, "0") == 0 ? 1 : 0;
    }

    ev->app = um_sf_str(&sf, props, "appDisplayName");
    ev->record_id = um_sf_str(&sf, props, "id");
    return sf.bad ? -1 : 1;
}

/* ---- reader ---- */

#define SKIPPED_FMT "%llu records of other categories skipped (service-principal, managed-identity or non-sign-in logs)"

static um_status read_entra(um_reader_ctx *rc, FILE *f) {
    return um_signin_read(rc, f, um_entra_map, SKIPPED_FMT);
}

static void part_finish(um_reader_ctx *rc, const void *merged) { um_signin_part_finish(rc, merged, SKIPPED_FMT); }

static int detect(const char *path, const char *head, size_t n) {
    (void)path;
    if (um_json_head_start(head, n) < 0) return 0;
#define HAS(s) (memmem(head, n, s, sizeof s - 1) != NULL)
    if (HAS("\"userPrincipalName\"")) return 80;
    if (HAS("SignInLogs") && HAS("callerIpAddress")) return 80;
    if (HAS("createdDateTime") && HAS("appDisplayName")) return 70;
#undef HAS
    return 0;
}

const um_reader um_reader_entra = {
    "entra",
    "Microsoft Entra ID sign-in logs: diagnostic-settings JSON lines or Graph /auditLogs/signIns JSON",
    1, detect, read_entra, NULL, false, false,
    um_signin_splittable, sizeof(um_signin_sum), um_signin_part_merge, part_finish};
