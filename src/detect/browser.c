/*
 * browser.c - the `browser` analyzer: one browser behind several people
 * (NET-08), from Okta's device token hash (debugContext.debugData.dtHash,
 * read into um_event.browser_hash by read/okta.c).
 *
 * Okta sets the device token as a cookie in the browser; its hash is the
 * same for every account signed in from that browser profile. Two hires
 * whose successful sign-ins share one dtHash used one browser: one operator
 * running several personas, or a laptop farm's shared desktop.
 *
 *   NET-08  dtHash shared by >= 2 people                    medium 30
 *           ... by people who share one home address
 *           (a couple on the family computer)               weak 10
 *   no finding when more than UM_BR_GENERIC people share it (a kiosk, a VDI
 *   golden image, a help-desk browser): one warning naming the hash and the
 *   count, as the link analyzer does for generic identifiers.
 *
 * Only subjects with an identity record count (log-only accounts are not
 * people we can compare). Failed sign-ins are ignored: a credential-stuffing
 * browser trying many accounts is not someone working as them.
 *
 * Bounded: at most UM_BR_MAX_HASHES distinct hashes are tracked (then one
 * warning; later new hashes are not), and per hash at most UM_BR_GENERIC + 1
 * subjects, each with its first sign-in as evidence.
 */
#include <string.h>

#include "../core/internal.h"

#define UM_BR_GENERIC 10
#define UM_BR_MAX_HASHES 500000u
#define UM_NET08_WEIGHT 30
#define UM_NET08_HOUSEHOLD_WEIGHT 10

typedef struct br_who {
    um_sid sid;
    int64_t ts;
    const char *file; /* interned */
    uint64_t line;
    const char *record;
    char ip[40];
} br_who;

typedef struct br_hash {
    const char *hash; /* the map's key */
    br_who who[UM_BR_GENERIC + 1];
    uint8_t n;
    bool generic;
    uint64_t signins;
} br_hash;

typedef struct br_state {
    um_map hashes; /* dtHash -> index into v */
    um_map strings;
    br_hash *v;
    size_t n, cap;
    bool warned_full;
    int8_t *has_id; /* per subject: -1 unknown, 0 no identity, 1 identity */
    size_t n_id;
} br_state;

static const char *intern(br_state *st, const char *s) {
    if (!s) return NULL;
    um_map_slot *sl = um_map_upsert(&st->strings, s, strlen(s), NULL);
    return sl ? sl->key : NULL;
}

static um_status br_on_subjects(um_scan *scan, void **out) {
    (void)scan;
    br_state *st = um_calloc(1, sizeof *st);
    if (!st) return UM_ENOMEM;
    um_map_init(&st->hashes);
    um_map_init(&st->strings);
    *out = st;
    return UM_OK;
}

static void br_free(void *p) {
    br_state *st = p;
    if (!st) return;
    um_map_free(&st->hashes);
    um_map_free(&st->strings);
    um_free(st->v);
    um_free(st->has_id);
    um_free(st);
}

static int has_identity(br_state *st, um_scan *scan, um_sid sid) {
    if ((size_t)sid >= st->n_id) {
        size_t cap = st->n_id;
        if (!um_grow((void **)&st->has_id, &cap, (size_t)sid + 1, 1)) return -1;
        memset(st->has_id + st->n_id, -1, cap - st->n_id);
        st->n_id = cap;
    }
    if (st->has_id[sid] < 0) st->has_id[sid] = um_subject_has_identity(scan, sid) ? 1 : 0;
    return st->has_id[sid];
}

static um_status br_on_event(um_scan *scan, void *p, um_sid sid, const um_event *ev) {
    br_state *st = p;
    if (sid < 0 || !st || ev->kind != UM_EV_SIGNIN || ev->success == 0 || !ev->browser_hash ||
        !*ev->browser_hash)
        return UM_OK;
    int id = has_identity(st, scan, sid);
    if (id < 0) return UM_ENOMEM;
    if (!id) return UM_OK;
    size_t len = strlen(ev->browser_hash);
    um_map_slot *sl = um_map_find(&st->hashes, ev->browser_hash, len);
    br_hash *h;
    if (!sl) {
        if (st->n >= UM_BR_MAX_HASHES) {
            if (!st->warned_full) {
                st->warned_full = true;
                um_scan_warn(scan, "browser", "more than %u distinct Okta dtHash values: later ones not compared",
                             UM_BR_MAX_HASHES);
            }
            return UM_OK;
        }
        if (!um_grow((void **)&st->v, &st->cap, st->n + 1, sizeof *st->v)) return UM_ENOMEM;
        bool created;
        sl = um_map_upsert(&st->hashes, ev->browser_hash, len, &created);
        if (!sl) return UM_ENOMEM;
        h = &st->v[st->n];
        memset(h, 0, sizeof *h);
        h->hash = sl->key;
        sl->val = (void *)(uintptr_t)st->n;
        st->n++;
    } else {
        h = &st->v[(uintptr_t)sl->val];
    }
    h->signins++;
    if (h->generic) return UM_OK;
    for (uint8_t i = 0; i < h->n; i++)
        if (h->who[i].sid == sid) return UM_OK;
    if (h->n > UM_BR_GENERIC) {
        h->generic = true;
        return UM_OK;
    }
    br_who *w = &h->who[h->n++];
    w->sid = sid;
    w->ts = ev->ts;
    w->file = intern(st, ev->src_file);
    w->line = ev->src_line;
    w->record = ev->record_id ? intern(st, ev->record_id) : NULL;
    snprintf(w->ip, sizeof w->ip, "%s", ev->ip ? ev->ip : "");
    if (h->n > UM_BR_GENERIC) h->generic = true;
    return UM_OK;
}

/* Do all the hash's people share one home address (same text, case and
 * surrounding space aside)? */
static bool one_household(um_scan *scan, const br_hash *h) {
    const char *first = NULL;
    for (uint8_t i = 0; i < h->n; i++) {
        size_t n = 0;
        const char *const *a = um_subject_values(scan, h->who[i].sid, UM_ATTR_ADDRESS, &n);
        if (!n) return false;
        if (!first) first = a[0];
        else if (!um_streq_ci(first, a[0])) return false;
    }
    return first != NULL;
}

static um_status br_finish(um_scan *scan, void *p) {
    br_state *st = p;
    if (!st) return UM_OK;
    for (size_t k = 0; k < st->n; k++) {
        const br_hash *h = &st->v[k];
        if (h->generic) {
            um_scan_warn(scan, "browser",
                         "Okta dtHash %.64s is used by more than %d people (a shared kiosk or VDI image?): "
                         "not treated as one person's browser",
                         h->hash, UM_BR_GENERIC);
            continue;
        }
        if (h->n < 2) continue;
        bool house = one_household(scan, h);
        um_finding_spec spec = {"NET-08", "browser", house ? UM_WEAK : UM_MEDIUM,
                                house ? UM_NET08_HOUSEHOLD_WEIGHT : UM_NET08_WEIGHT, 0, h->hash};
        for (uint8_t i = 0; i < h->n; i++) {
            char others[300] = "";
            size_t o = 0;
            for (uint8_t j = 0; j < h->n && o + 1 < sizeof others; j++) {
                if (j == i) continue;
                int w = snprintf(others + o, sizeof others - o, "%s%s", o ? ", " : "",
                                 um_subject_id(scan, h->who[j].sid));
                if (w < 0) break;
                o += (size_t)w;
                if (o >= sizeof others) o = sizeof others - 1;
            }
            char values[512];
            snprintf(values, sizeof values, "dt_hash=%.64s; ip=%s; people=%u; others=%s; household=%s", h->hash,
                     h->who[i].ip, h->n, others, house ? "yes" : "no");
            um_event e;
            um_event_init(&e);
            e.ts = h->who[i].ts;
            e.src_file = h->who[i].file;
            e.src_line = h->who[i].line;
            e.record_id = h->who[i].record;
            um_status rc = um_finding_add(scan, h->who[i].sid, &spec, &e, NULL, 0, values,
                                          "signed in from the same browser (Okta dtHash %.16s...) as %u other "
                                          "person%s: %s%s",
                                          h->hash, h->n - 1, h->n == 2 ? "" : "s", others,
                                          house ? " (one home address: a household's shared computer)" : "");
            if (rc != UM_OK) return rc;
        }
    }
    return UM_OK;
}

const um_analyzer um_analyzer_browser = {
    "browser", "one browser (Okta dtHash) behind several people (NET-08)",
    br_on_subjects, br_on_event, br_finish, br_free, NULL, NULL, false, NULL, NULL, NULL, NULL, NULL};
