/*
 * link.c - the `link` analyzer: identifiers shared by "different" people,
 * resolved by the linkage engine (src/link/engine.c) into weighted edges,
 * clusters in three tiers and laptop-farm groups, then reported as
 * findings on every subject involved (docs/linking.md):
 *
 *   LINK-06  phone or personal email shared                 strong 40
 *   PAY-04   payout account or wallet shared                strong 50
 *   LINK-01  device serial or handle shared                 strong 40
 *   LINK-01  home address, landline, or a phone / account
 *            shared only inside one household               weak 10
 *   OB-02    laptop ship-to of >= 3 people who live
 *            elsewhere (laptop farm), or a parcel forwarder strong 45
 *            ship-to shared otherwise                       weak 10
 *   NET-03   one residential sign-in IP behind >= 3 people
 *            claiming different cities                      medium 30
 *   LINK-02  near-duplicate résumé (MinHash) under another
 *            name                                           medium 25
 *   PAY-12   payout account or wallet failing its checksum  medium 20
 *   LINK-07  tied over a same_operator edge to a persona whose
 *            own (non-link) evidence scores s: inherits
 *            s x 0.5 x p(edge), one hop, >= 10, at most 40    medium/weak
 *
 * `link` runs last (analyzers.def) so propagation sees every other
 * analyzer's findings.
 *
 * Values held by more than a kind's cap (docs/linking.md) are generic: no
 * finding, one warning naming the value and how many subjects hold it.
 * Names are never compared. Observation order follows subject order and
 * the engine sorts, so a re-run gives the same findings and cluster ids.
 */
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__ /* defined by the headers above */
#include <malloc.h>
#endif

#include "../core/internal.h"
#include "../core/scan.h"
#include "../dist/dist.h"
#include "../link/link.h"
#include "../util/cfmt.h"

#define UM_LINK_NAMED 6        /* other subjects named in a summary */
#define UM_LINK_IPS_PER_SUBJECT 64
/* Estimated Jaccard of word 3-shingles for a near-duplicate résumé. The demo's
 * generated benign summaries reach 0.76 with one another; reused templates 0.98+. */
#define UM_LINK_RESUME_JACCARD 0.85

typedef struct lk_state {
    const char **ids; /* subject ids, for output */
    um_arena arena;
    um_map ipseen;  /* "sid\x1fip" */
    um_map files;   /* interned event file names */
    um_lk_obs *obs;
    size_t nobs, cap;
    uint16_t *nips; /* per subject */
    const char **home, **city;
    size_t ns;
    um_lk_result *res;
    /* partitioned analysis (pmerge.c): a partition's instance keeps only
     * the sign-in IPs of its people, each with its position
     * (um_scan_position; pos[k] for obs[ev_base + k]); the primary appends
     * every partition's and puts them back in event order in finish */
    bool partition, merged;
    uint64_t *pos;
    size_t cap_pos, ev_base;
    struct lk_state *adopted; /* merged partitions: their strings, kept */
} lk_state;

/* Room for n observations in all (at a million people the array is most of
 * the analyzer's memory: sized from a count, then grown by a quarter, never
 * doubled). */
static bool obs_room(lk_state *st, size_t n) {
    if (n <= st->cap) return true;
    if (n > SIZE_MAX / sizeof *st->obs) return false;
    um_lk_obs *o = um_realloc(st->obs, n * sizeof *o);
    if (!o) return false;
    st->obs = o;
    st->cap = n;
    return true;
}

static um_status push(lk_state *st, um_sid sid, um_lk_kind k, const char *value, const char *raw, const char *file,
                      uint64_t line, float sim) {
    if (!value || !*value) return UM_OK;
    if (st->nobs == st->cap && !obs_room(st, st->cap + st->cap / 4 + 1024)) return UM_ENOMEM;
    st->obs[st->nobs++] = (um_lk_obs){.subject = (uint32_t)sid, .kind = (uint8_t)k, .sim = sim, .value = value,
                                        .raw = raw, .file = file, .line = line};
    return UM_OK;
}

static um_status push_attr(lk_state *st, um_scan *s, um_sid sid, um_attr a, um_lk_kind k, const char *prefix) {
    size_t n;
    const char *const *v = um_subject_values(s, sid, a, &n);
    for (size_t i = 0; i < n; i++) {
        const char *file = NULL;
        uint64_t line = 0;
        um_subject_value_src(s, sid, a, v[i], &file, &line);
        const char *val = v[i];
        um_lk_kind kind = k;
        if (a == UM_ATTR_PHONE) {
            /* E.164 already (subjects.c, claimed country as default region);
             * the line type is looked up for shared phones only (phone_types) */
        } else if (a == UM_ATTR_PAYOUT_ACCOUNT && strcmp(um_wallet_check(v[i]).kind, "unknown") != 0) {
            kind = UM_LK_WALLET;
        } else if (a == UM_ATTR_DEVICE_SERIAL) {
            const char *c = um_canon_serial(&st->arena, v[i]);
            if (c) val = c; /* else as the subject holds it (short or odd serials) */
        }
        if (prefix && val) val = um_arena_printf(&st->arena, "%s:%s", prefix, val);
        if (!val) continue;
        um_status r = push(st, sid, kind, val, v[i], file, line, 1);
        if (r != UM_OK) return r;
    }
    return UM_OK;
}

/* A phone held by two or more subjects that libphonenumber calls a fixed
 * line is a landline (household / office: co-location, not exclusive). The
 * type lookup is slow, so only shared phones get it. */
static um_status phone_types(lk_state *st) {
    um_map cnt;
    um_map_init(&cnt);
    um_status r = UM_OK;
    /* val: (last subject + 1) << 3 | fixed << 2 | looked up << 1 | shared */
    for (size_t i = 0; i < st->nobs && r == UM_OK; i++) {
        um_lk_obs *o = &st->obs[i];
        if (o->kind != UM_LK_PHONE) continue;
        bool created;
        um_map_slot *sl = um_map_upsert(&cnt, o->value, strlen(o->value), &created);
        if (!sl) {
            r = UM_ENOMEM;
            break;
        }
        uintptr_t v = (uintptr_t)sl->val, last = v >> 3;
        if (created) sl->val = (void *)(((uintptr_t)o->subject + 1) << 3);
        else if (last != (uintptr_t)o->subject + 1) sl->val = (void *)(((uintptr_t)o->subject + 1) << 3 | 1);
    }
    /* one lookup per shared number (five placeholder phones held by a fifth
     * of a million applicants were 200,000 lookups of the same five) */
    for (size_t i = 0; i < st->nobs && r == UM_OK; i++) {
        um_lk_obs *o = &st->obs[i];
        if (o->kind != UM_LK_PHONE) continue;
        um_map_slot *sl = um_map_find(&cnt, o->value, strlen(o->value));
        uintptr_t v = sl ? (uintptr_t)sl->val : 0;
        if (!(v & 1)) continue;
        if (!(v & 2)) {
            um_phone_type t = UM_PHONE_INVALID;
            um_arena tmp;
            um_arena_init(&tmp);
            (void)um_canon_phone_region(&tmp, o->value, NULL, &t);
            um_arena_free(&tmp);
            v |= 2 | (t == UM_PHONE_FIXED ? 4u : 0u);
            sl->val = (void *)v;
        }
        if (v & 4) o->kind = UM_LK_LANDLINE;
    }
    um_map_free(&cnt);
    return r;
}

static const char *home_key(lk_state *st, um_scan *s, um_sid sid, const char **raw, const char **file,
                            uint64_t *line) {
    size_t na, nc, np;
    const char *const *addr = um_subject_values(s, sid, UM_ATTR_ADDRESS, &na);
    const char *const *city = um_subject_values(s, sid, UM_ATTR_CITY, &nc);
    const char *const *post = um_subject_values(s, sid, UM_ATTR_POSTAL_CODE, &np);
    if (!na) return NULL;
    /* the joined text on the stack (only its canonical form is kept: an
     * arena copy was ~40 bytes a person for nothing); a long one in the arena */
    char buf[512];
    int w = snprintf(buf, sizeof buf, "%s %s %s", addr[0], nc ? city[0] : "", np ? post[0] : "");
    const char *full = w >= 0 && (size_t)w < sizeof buf
                           ? buf
                           : um_arena_printf(&st->arena, "%s %s %s", addr[0], nc ? city[0] : "", np ? post[0] : "");
    *raw = addr[0];
    *file = NULL;
    *line = 0;
    um_subject_value_src(s, sid, UM_ATTR_ADDRESS, addr[0], file, line);
    return full ? um_canon_address(&st->arena, full) : NULL;
}

/* Profile photos: a `photo` column naming a JPEG or PNG file, relative to
 * the export that names it. Perceptual hashes within UM_LINK_PHOTO_DIST bits
 * form groups, values of kind PHOTO. A file that cannot be decoded is a
 * scan warning. At most UM_LINK_PHOTOS photos are hashed. */
#define UM_LINK_PHOTO_DIST 6
#define UM_LINK_PHOTOS 100000
static um_status collect_photos(lk_state *st, um_scan *s) {
    uint64_t *h = NULL;
    um_sid *who = NULL;
    const char **raw = NULL, **file = NULL;
    uint64_t *line = NULL;
    size_t n = 0, cap = 0, capw = 0, capr = 0, capf = 0, capl = 0;
    um_status r = UM_OK;
    for (size_t i = 0; i < st->ns && r == UM_OK && n < UM_LINK_PHOTOS; i++) {
        size_t np;
        const char *const *v = um_subject_values(s, (um_sid)i, UM_ATTR_PHOTO, &np);
        for (size_t k = 0; k < np && r == UM_OK; k++) {
            const char *f = NULL;
            uint64_t ln = 0;
            um_subject_value_src(s, (um_sid)i, UM_ATTR_PHOTO, v[k], &f, &ln);
            char path[4096];
            const char *slash = f ? strrchr(f, '/') : NULL;
            if (v[k][0] == '/' || !slash) snprintf(path, sizeof path, "%s", v[k]);
            else snprintf(path, sizeof path, "%.*s/%s", (int)(slash - f), f, v[k]);
            uint64_t ph;
            um_status hs = um_lk_phash_file(path, &ph);
            if (hs == UM_ENOMEM) r = hs;
            if (hs != UM_OK) {
                if (hs != UM_ENOMEM)
                    um_scan_warn(s, "link", "%s:%llu: photo %.200s could not be read as JPEG or PNG", f ? f : "?",
                                 (unsigned long long)ln, v[k]);
                continue;
            }
            if (!um_grow((void **)&h, &cap, n + 1, sizeof *h) || !um_grow((void **)&who, &capw, n + 1, sizeof *who) ||
                !um_grow((void **)&raw, &capr, n + 1, sizeof *raw) || !um_grow((void **)&file, &capf, n + 1, sizeof *file) ||
                !um_grow((void **)&line, &capl, n + 1, sizeof *line)) {
                r = UM_ENOMEM;
                break;
            }
            h[n] = ph, who[n] = (um_sid)i, raw[n] = v[k], file[n] = f, line[n] = ln;
            n++;
        }
    }
    int32_t *grp = r == UM_OK ? um_malloc((n + 1) * sizeof *grp) : NULL;
    float *sim = r == UM_OK ? um_malloc((n + 1) * sizeof *sim) : NULL;
    if (r == UM_OK && (!grp || !sim)) r = UM_ENOMEM;
    if (r == UM_OK) r = um_lk_phash_groups(h, n, UM_LINK_PHOTO_DIST, grp, sim);
    for (size_t i = 0; i < n && r == UM_OK; i++) {
        if (grp[i] < 0) continue;
        const char *key = um_arena_printf(&st->arena, "photo-group:%016llx", (unsigned long long)h[grp[i]]);
        r = key ? push(st, who[i], UM_LK_PHOTO, key, raw[i], file[i], line[i], sim[i]) : UM_ENOMEM;
    }
    um_free(h), um_free(who), um_free(raw), um_free(file), um_free(line), um_free(grp), um_free(sim);
    return r;
}

/* ---- the same person without a shared key (docs/linking.md §5) ---------------
 *
 * Identity subjects that share no declared key (an applicant export and a
 * payroll or shipping export with no common id) are compared by the fuzzy
 * person matcher (src/link/person.c). A match is not a merge: it becomes a
 * pair value of kind same_person (strong) or same_person_possible, so the
 * engine makes an explained edge (the fields that agreed, their weights,
 * the match probability; the file:line of both records) that the analyst
 * can overrule with a verdict. Conservative on purpose (a false merge of two
 * real people is worse than a missed one; um_lk_person_gate, person.c):
 *   - names and city never suffice: the identifying fields (date of birth,
 *     email, national id, street + postcode) must give >= 5 bits of their
 *     own and one of them agree exactly or closely;
 *   - a name part must agree and none disagree (a couple, twins), unless
 *     two of birth date, email and national id agree; a different birth
 *     date needs two other identifying fields;
 *   - p >= 0.95; same_person (strong) needs both names, two identifying
 *     fields and p >= 0.99, else same_person_possible.
 * A common name in one city is therefore never a match by itself. */
#define UM_LINK_PERSON_POSSIBLE 0.95 /* the matcher's threshold; um_lk_person_gate decides */
#define UM_LINK_PERSON_MAX 200000 /* identity subjects compared at most */

static void split_name(um_arena *a, const char *full, const char **first, const char **last) {
    const char *sp = strrchr(full, ' ');
    if (!sp) {
        *first = NULL, *last = full;
        return;
    }
    *first = um_arena_printf(a, "%.*s", (int)(sp - full), full);
    *last = sp + 1;
}

static const char *first_value(um_scan *s, um_sid sid, um_attr a) {
    size_t n;
    const char *const *v = um_subject_values(s, sid, a, &n);
    return n ? v[0] : NULL;
}

static um_status person_matches(lk_state *st, um_scan *s) {
    size_t n = 0;
    um_sid *who = um_malloc((st->ns + 1) * sizeof *who);
    um_lk_person *pr = um_calloc(st->ns + 1, sizeof *pr);
    um_status r = UM_ENOMEM;
    um_lk_pmatch *pm = NULL;
    if (!who || !pr) goto done;
    for (size_t i = 0; i < st->ns && n < UM_LINK_PERSON_MAX; i++) {
        um_sid sid = (um_sid)i;
        if (!um_subject_has_identity(s, sid)) continue;
        um_lk_person p = {0};
        p.first = first_value(s, sid, UM_ATTR_FIRST_NAME);
        p.last = first_value(s, sid, UM_ATTR_LAST_NAME);
        const char *full = first_value(s, sid, UM_ATTR_FULL_NAME);
        if ((!p.first || !p.last) && full) split_name(&st->arena, full, &p.first, &p.last);
        /* a record without a name still has its birth date, email, ids (the gate decides) */
        p.dob = first_value(s, sid, UM_ATTR_DOB);
        p.city = first_value(s, sid, UM_ATTR_CITY);
        p.email = first_value(s, sid, UM_ATTR_EMAIL);
        p.street = first_value(s, sid, UM_ATTR_ADDRESS);
        p.postcode = first_value(s, sid, UM_ATTR_POSTAL_CODE);
        p.natid = first_value(s, sid, UM_ATTR_NATIONAL_ID);
        who[n] = sid;
        pr[n++] = p;
    }
    r = UM_OK;
    if (n < 2) goto done;
    r = um_lk_person_match_flags(pr, n, UM_LINK_PERSON_POSSIBLE, UM_LK_PM_STRICT, &pm);
    for (size_t i = 0; r == UM_OK && i < pm->npairs; i++) {
        const um_lk_ppair *pp = &pm->pairs[i];
        const uint8_t *lv = pp->level;
        int gate = um_lk_person_gate(pp);
        if (!gate) continue;
        bool strong = gate == 2;
        um_sid a = who[pp->a], b = who[pp->b];
        if (a > b) {
            um_sid t = a;
            a = b, b = t;
        }
        static const char *const lvname[] = {"exact", "close", "weak", "different", "missing"};
        um_buf why;
        um_buf_init(&why);
        um_buf_printf(&why, "%s~%s: p=%.4f; score=%+.1f;", um_subject_id(s, a), um_subject_id(s, b), pp->prob,
                      pp->total);
        for (int f = 0; f < UM_LK_PFIELDS; f++)
            if (lv[f] != 4) um_buf_printf(&why, " %s=%s(%+.1f)", um_lk_person_field_name(f), lvname[lv[f]], (double)pp->weight[f]);
        const char *val = why.oom ? NULL : um_arena_strdup(&st->arena, why.s);
        um_buf_free(&why);
        if (!val) {
            r = UM_ENOMEM;
            break;
        }
        um_lk_kind k = strong ? UM_LK_PERSON : UM_LK_PERSON_POSSIBLE;
        float w = (float)(pp->total > 30 ? 30 : pp->total);
        um_sid side[2] = {a, b};
        for (int j = 0; j < 2 && r == UM_OK; j++) {
            const char *file = NULL;
            uint64_t line = 0;
            const char *nm = first_value(s, side[j], UM_ATTR_FULL_NAME);
            /* the record the name came from (a full name made of first + last has none) */
            static const um_attr src_attr[] = {UM_ATTR_FULL_NAME, UM_ATTR_LAST_NAME, UM_ATTR_DOB};
            for (size_t q = 0; q < sizeof src_attr / sizeof *src_attr && !file; q++) {
                const char *v = first_value(s, side[j], src_attr[q]);
                if (v) um_subject_value_src(s, side[j], src_attr[q], v, &file, &line);
            }
            r = push(st, side[j], k, val, nm, file, line, (float)pp->prob);
            if (r == UM_OK) st->obs[st->nobs - 1].weight = w;
        }
    }
done:
    um_lk_pmatch_free(pm);
    um_free(who);
    um_free(pr);
    return r;
}

static um_status on_subjects(um_scan *s, void **state) {
    lk_state *st = um_calloc(1, sizeof *st);
    if (!st) return UM_ENOMEM;
    *state = st;
    um_arena_init(&st->arena);
    um_map_init(&st->ipseen);
    um_map_init(&st->files);
    st->ns = um_scan_nsubjects(s);
    st->nips = um_calloc(st->ns + 1, sizeof *st->nips);
    st->home = um_calloc(st->ns + 1, sizeof *st->home);
    st->city = um_calloc(st->ns + 1, sizeof *st->city);
    if (!st->nips || !st->home || !st->city) return UM_ENOMEM;
    const char **resume = um_calloc(st->ns + 1, sizeof *resume);
    if (!resume) return UM_ENOMEM;
    um_status r = UM_OK;
    static const um_attr pushed[] = {UM_ATTR_PHONE,    UM_ATTR_EMAIL,    UM_ATTR_PAYOUT_ACCOUNT,
                                     UM_ATTR_WALLET,   UM_ATTR_DEVICE_SERIAL, UM_ATTR_GITHUB,
                                     UM_ATTR_LINKEDIN, UM_ATTR_TELEGRAM, UM_ATTR_SHIP_ADDRESS,
                                     UM_ATTR_ADDRESS /* home: one at most */, UM_ATTR_RESUME /* groups */};
    size_t want = 0;
    for (size_t i = 0; i < st->ns; i++) {
        if (!um_subject_has_identity(s, (um_sid)i)) continue;
        for (size_t a = 0; a < UM_ARRAY_LEN(pushed); a++) {
            size_t n;
            (void)um_subject_values(s, (um_sid)i, pushed[a], &n);
            want += a + 2 >= UM_ARRAY_LEN(pushed) ? n > 0 : n;
        }
    }
    if (!obs_room(st, want)) return UM_ENOMEM;
    for (size_t i = 0; i < st->ns && r == UM_OK; i++) {
        um_sid sid = (um_sid)i;
        if (!um_subject_has_identity(s, sid)) continue;
        r = push_attr(st, s, sid, UM_ATTR_PHONE, UM_LK_PHONE, NULL);
        if (r == UM_OK) r = push_attr(st, s, sid, UM_ATTR_EMAIL, UM_LK_EMAIL, NULL);
        if (r == UM_OK) r = push_attr(st, s, sid, UM_ATTR_PAYOUT_ACCOUNT, UM_LK_PAYOUT, NULL);
        if (r == UM_OK) r = push_attr(st, s, sid, UM_ATTR_WALLET, UM_LK_WALLET, NULL);
        if (r == UM_OK) r = push_attr(st, s, sid, UM_ATTR_DEVICE_SERIAL, UM_LK_SERIAL, NULL);
        if (r == UM_OK) r = push_attr(st, s, sid, UM_ATTR_GITHUB, UM_LK_HANDLE, "github");
        if (r == UM_OK) r = push_attr(st, s, sid, UM_ATTR_LINKEDIN, UM_LK_HANDLE, "linkedin");
        if (r == UM_OK) r = push_attr(st, s, sid, UM_ATTR_TELEGRAM, UM_LK_HANDLE, "telegram");
        if (r == UM_OK) r = push_attr(st, s, sid, UM_ATTR_SHIP_ADDRESS, UM_LK_SHIP, NULL);
        const char *raw, *file;
        uint64_t line;
        const char *hk = r == UM_OK ? home_key(st, s, sid, &raw, &file, &line) : NULL;
        if (hk) {
            st->home[i] = hk;
            r = push(st, sid, UM_LK_HOME, hk, raw, file, line, 1);
        }
        size_t n;
        const char *const *c = um_subject_values(s, sid, UM_ATTR_CITY, &n);
        if (n) st->city[i] = um_lower_trim(&st->arena, c[0], strlen(c[0]));
        const char *const *rs = um_subject_values(s, sid, UM_ATTR_RESUME, &n);
        if (n) resume[i] = rs[0];
    }
    if (r == UM_OK) r = phone_types(st);
    /* near-duplicate résumés: groups become values of kind RESUME */
    if (r == UM_OK) {
        int32_t *grp = um_malloc((st->ns + 1) * sizeof *grp);
        float *sim = um_malloc((st->ns + 1) * sizeof *sim);
        if (!grp || !sim) r = UM_ENOMEM;
        else r = um_lk_minhash_groups(resume, st->ns, UM_LINK_RESUME_JACCARD, grp, sim);
        for (size_t i = 0; i < st->ns && r == UM_OK; i++) {
            if (grp[i] < 0 || !resume[i]) continue;
            const char *key = um_arena_printf(&st->arena, "resume-group:%s", um_subject_id(s, grp[i]));
            const char *file = NULL;
            uint64_t line = 0;
            um_subject_value_src(s, (um_sid)i, UM_ATTR_RESUME, resume[i], &file, &line);
            r = key ? push(st, (um_sid)i, UM_LK_RESUME, key, resume[i], file, line, sim[i]) : UM_ENOMEM;
        }
        um_free(grp);
        um_free(sim);
    }
    um_free(resume);
    if (r == UM_OK) r = collect_photos(st, s);
    if (r == UM_OK) r = person_matches(st, s);
    return r;
}

/* Sign-in IPs: public, not VPN / hosting / proxy (those are NET-01's). */
static um_status on_event(um_scan *s, void *state, um_sid sid, const um_event *ev) {
    lk_state *st = state;
    if (!st || sid < 0 || (size_t)sid >= st->ns || ev->kind != UM_EV_SIGNIN || !ev->ip || !*ev->ip) return UM_OK;
    if (ev->net_flags & (UM_NET_PRIVATE | UM_NET_VPN | UM_NET_HOSTING | UM_NET_ASTRILL | UM_NET_PROXY_LOG) ||
        ev->is_proxy == 1)
        return UM_OK;
    if (!um_subject_has_identity(s, sid) || st->nips[sid] >= UM_LINK_IPS_PER_SUBJECT) return UM_OK;
    char key[128];
    int kn = snprintf(key, sizeof key, "%d\x1f%s", (int)sid, ev->ip);
    if (kn < 0 || (size_t)kn >= sizeof key) return UM_OK;
    bool created;
    um_map_slot *sl = um_map_upsert(&st->ipseen, key, (size_t)kn, &created);
    if (!sl) return UM_ENOMEM;
    if (!created) return UM_OK;
    st->nips[sid]++;
    const char *file = NULL;
    if (ev->src_file) {
        um_map_slot *fs = um_map_upsert(&st->files, ev->src_file, strlen(ev->src_file), &created);
        if (!fs) return UM_ENOMEM;
        if (created) fs->val = um_arena_strdup(&st->arena, ev->src_file);
        file = fs->val;
    }
    const char *ip = um_arena_strdup(&st->arena, ev->ip);
    if (!ip) return UM_ENOMEM;
    um_status r = push(st, sid, UM_LK_IP, ip, ip, file, ev->src_line, 1);
    if (r == UM_OK && st->partition) {
        size_t k = st->nobs - 1 - st->ev_base;
        if (!um_grow((void **)&st->pos, &st->cap_pos, k + 1, sizeof *st->pos)) return UM_ENOMEM;
        st->pos[k] = um_scan_position(s);
    }
    return r;
}

/* Partitioned analysis (partition.h 5.): a partition's instance records
 * sign-in IPs only (the identity observations are the primary's, made in
 * on_subjects). */
static um_status part_new(um_scan *s, const void *primary, void **out) {
    (void)s;
    const lk_state *p = primary;
    lk_state *st = um_calloc(1, sizeof *st);
    if (!st) return UM_ENOMEM;
    *out = st;
    um_arena_init(&st->arena);
    um_map_init(&st->ipseen);
    um_map_init(&st->files);
    st->partition = true;
    st->ns = p ? p->ns : 0;
    st->nips = um_calloc(st->ns + 1, sizeof *st->nips);
    return st->nips ? UM_OK : UM_ENOMEM;
}

static void free_state(void *state);

/* Appends partition `from`'s sign-in IPs (with their positions) to `into`;
 * into keeps from's strings. finish puts them in event order. */
static um_status merge(um_scan *s, void *into, void *from) {
    (void)s;
    lk_state *a = into, *b = from;
    if (!b) return UM_OK;
    if (!a->merged) {
        a->merged = true;
        a->ev_base = a->nobs;
    }
    size_t have = a->nobs - a->ev_base;
    if (b->nobs && (!obs_room(a, a->nobs + b->nobs) || !um_grow((void **)&a->pos, &a->cap_pos, have + b->nobs, sizeof *a->pos))) {
        free_state(b);
        return UM_ENOMEM;
    }
    if (b->nobs) {
        memcpy(a->obs + a->nobs, b->obs, b->nobs * sizeof *b->obs);
        memcpy(a->pos + have, b->pos, b->nobs * sizeof *b->pos);
    }
    a->nobs += b->nobs;
    um_free(b->obs);
    um_free(b->pos);
    um_free(b->nips);
    b->obs = NULL;
    b->pos = NULL;
    b->nips = NULL;
    b->nobs = b->cap = b->cap_pos = 0;
    um_map_free(&b->ipseen);
    um_map_init(&b->ipseen);
    b->adopted = a->adopted;
    a->adopted = b;
    return UM_OK;
}

typedef struct lk_order {
    uint64_t pos;
    size_t k;
} lk_order;

static int cmp_order(const void *x, const void *y) {
    uint64_t a = ((const lk_order *)x)->pos, b = ((const lk_order *)y)->pos;
    return a < b ? -1 : a > b;
}

/* After a merge: the sign-in IPs in event order, as one instance holds them. */
static um_status order_merged(lk_state *st) {
    size_t n = st->nobs - st->ev_base;
    if (!st->merged || n < 2) return UM_OK;
    lk_order *o = um_malloc(n * sizeof *o);
    um_lk_obs *tmp = um_malloc(n * sizeof *tmp);
    if (!o || !tmp) {
        um_free(o);
        um_free(tmp);
        return UM_ENOMEM;
    }
    for (size_t k = 0; k < n; k++) o[k] = (lk_order){st->pos[k], k};
    qsort(o, n, sizeof *o, cmp_order);
    for (size_t k = 0; k < n; k++) tmp[k] = st->obs[st->ev_base + o[k].k];
    memcpy(st->obs + st->ev_base, tmp, n * sizeof *tmp);
    um_free(o);
    um_free(tmp);
    return UM_OK;
}

/* ---- findings ------------------------------------------------------------------ */

/* Bank account numbers are shown by their last four characters only. */
static void shown_value(const char *key, um_lk_kind kind, char *out, size_t cap) {
    size_t n = strlen(key);
    bool mixed = false;
    for (size_t i = 0; i < n; i++)
        if (key[i] >= 'a' && key[i] <= 'z') mixed = true;
    if (kind == UM_LK_PAYOUT && !strchr(key, '@') && n > 8 && !mixed) snprintf(out, cap, "...%s", key + n - 4);
    else snprintf(out, cap, "%s", key);
}

static const char *kind_label(um_lk_kind k) {
    switch (k) {
    case UM_LK_EMAIL: return "personal email";
    case UM_LK_PHONE: return "phone";
    case UM_LK_LANDLINE: return "landline";
    case UM_LK_PAYOUT: return "payout account";
    case UM_LK_WALLET: return "wallet";
    case UM_LK_SERIAL: return "device serial";
    case UM_LK_HANDLE: return "handle";
    case UM_LK_RESUME: return "résumé text";
    case UM_LK_PHOTO: return "photo";
    case UM_LK_HOME: return "home address";
    case UM_LK_SHIP: return "laptop ship-to address";
    case UM_LK_IP: return "sign-in IP";
    default: return um_lk_kind_name(k);
    }
}

static bool all_one_home(const lk_state *st, const uint32_t *m, size_t n) {
    const char *h = st->home[m[0]];
    if (!h) return false;
    for (size_t i = 1; i < n; i++)
        if (!st->home[m[i]] || strcmp(st->home[m[i]], h) != 0) return false;
    return true;
}

static const um_lk_group *farm_of(const um_lk_result *r, uint32_t v) {
    for (size_t g = 0; g < r->ngroups; g++)
        if (r->groups[g].value_id == v) return &r->groups[g];
    return NULL;
}

typedef struct emit_spec {
    const char *ind;
    um_strength str;
    int w;
    const char *tail;
} emit_spec;

static emit_spec spec_for(const lk_state *st, const um_lk_result *r, uint32_t v, const uint32_t *m, size_t n) {
    const um_lk_value *val = &r->values[v];
    bool household = all_one_home(st, m, n);
    switch ((um_lk_kind)val->kind) {
    case UM_LK_EMAIL:
    case UM_LK_PHONE:
        if (household && val->kind == UM_LK_PHONE)
            return (emit_spec){"LINK-01", UM_WEAK, 10, " at the same home address (household line; weak on its own)"};
        return (emit_spec){"LINK-06", UM_STRONG, 40, ""};
    case UM_LK_LANDLINE:
        return (emit_spec){"LINK-01", UM_WEAK, 10, " (a landline: shared by a household or office; weak on its own)"};
    case UM_LK_PAYOUT:
    case UM_LK_WALLET:
        if (household && val->kind == UM_LK_PAYOUT)
            return (emit_spec){"LINK-01", UM_WEAK, 10, " at the same home address (joint account; weak on its own)"};
        return (emit_spec){"PAY-04", UM_STRONG, 50, ""};
    case UM_LK_SERIAL:
    case UM_LK_HANDLE: return (emit_spec){"LINK-01", UM_STRONG, 40, ""};
    case UM_LK_HOME:
        return (emit_spec){"LINK-01", UM_WEAK, 10, " (people at one address are common: household; weak on its own)"};
    case UM_LK_SHIP:
        if (farm_of(r, v))
            return (emit_spec){"OB-02", UM_STRONG, 45,
                               ": laptops for several people who live elsewhere sent to one address (laptop farm pattern)"};
        return (emit_spec){"OB-02", UM_WEAK, 10, " (two people at one address is common: household; weak on its own)"};
    case UM_LK_IP:
        if (farm_of(r, v))
            return (emit_spec){"NET-03", UM_MEDIUM, 30,
                               ": one residential IP behind several people who claim different cities (laptop farm "
                               "pattern)"};
        return (emit_spec){NULL, UM_WEAK, 0, NULL};
    case UM_LK_RESUME:
    case UM_LK_PHOTO: return (emit_spec){"LINK-02", UM_MEDIUM, 25, " (near-duplicate under another name)"};
    default: return (emit_spec){NULL, UM_WEAK, 0, NULL};
    }
}

static um_status emit_value(um_scan *s, lk_state *st, const um_lk_result *r, uint32_t v) {
    const um_lk_value *val = &r->values[v];
    const char *key = st->obs[val->first_obs].value;
    if (val->generic) {
        size_t cap = 0;
        switch ((um_lk_kind)val->kind) {
#define UM_LK_CAP(id, name, excl, c) case UM_LK_##id: cap = c; break;
            UM_LK_KIND_LIST(UM_LK_CAP)
#undef UM_LK_CAP
        default: break;
        }
        um_scan_warn(s, "link", "%s %.80s is shared by %u people, more than the cap of %zu for this kind: treated as "
                     "generic (no link finding; docs/linking.md)",
                     kind_label((um_lk_kind)val->kind), key, val->nsubjects, cap);
        return UM_OK;
    }
    /* members of the value, in subject order, with the observation each */
    size_t n = 0;
    uint32_t *m = um_malloc((val->nsubjects + 1) * sizeof *m);
    uint32_t *mo = um_malloc((val->nsubjects + 1) * sizeof *mo);
    if (!m || !mo) {
        um_free(m), um_free(mo);
        return UM_ENOMEM;
    }
    for (uint32_t j = r->vstart[v]; j < r->vstart[v + 1] && n < val->nsubjects; j++) {
        m[n] = r->vsub[j];
        mo[n++] = r->vobs[j];
    }
    emit_spec sp = spec_for(st, r, v, m, n);
    um_status rc = UM_OK;
    if (sp.ind && n >= 2) {
        char shown[256];
        shown_value(key, (um_lk_kind)val->kind, shown, sizeof shown);
        if (val->kind == UM_LK_RESUME) um_snprintf(shown, sizeof shown, "(MinHash similarity %.2f)",
                                                   (double)st->obs[mo[0]].sim);
        if (val->kind == UM_LK_PHOTO) um_snprintf(shown, sizeof shown, "(perceptual-hash similarity %.2f)",
                                                  (double)st->obs[mo[0]].sim);
        um_finding_spec fs = {sp.ind, "link", sp.str, sp.w, 0, key};
        um_buf others, vals;
        um_buf_init(&others);
        um_buf_init(&vals);
        for (size_t i = 0; i < n && rc == UM_OK; i++) {
            um_buf_reset(&others);
            size_t named = 0;
            for (size_t k = 0; k < n; k++) {
                if (k == i) continue;
                if (named == UM_LINK_NAMED) {
                    um_buf_printf(&others, " and %zu more", n - 1 - named);
                    break;
                }
                const char *id = um_subject_id(s, (um_sid)m[k]), *dn = um_subject_display(s, (um_sid)m[k]);
                um_buf_printf(&others, "%s%s (%s)", named ? ", " : "", id ? id : "?", dn ? dn : "?");
                named++;
            }
            const um_lk_obs *o = &st->obs[mo[i]];
            um_buf_reset(&vals);
            um_buf_printf(&vals, "%s=%s; subjects=%zu; weight=%.1f", um_lk_kind_name((um_lk_kind)val->kind),
                          val->kind == UM_LK_RESUME ? key : (o->raw ? o->raw : o->value), n, val->weight);
            if (val->kind == UM_LK_PHOTO || val->kind == UM_LK_RESUME) um_buf_printf(&vals, "; similarity=%.2f", (double)o->sim);
            if (others.oom || vals.oom) {
                rc = UM_ENOMEM;
                break;
            }
            rc = um_finding_add(s, (um_sid)m[i], &fs, NULL, o->file, o->line, vals.s, "%s %s also used by %s%s",
                                kind_label((um_lk_kind)val->kind), shown, others.s, sp.tail);
        }
        um_buf_free(&others);
        um_buf_free(&vals);
    }
    um_free(m);
    um_free(mo);
    return rc;
}

/* A payout account or wallet that fails its checksum: a typo, or made up. */
static um_status emit_checksums(um_scan *s, lk_state *st) {
    for (size_t i = 0; i < st->nobs; i++) {
        const um_lk_obs *o = &st->obs[i];
        if (o->kind != UM_LK_PAYOUT && o->kind != UM_LK_WALLET) continue;
        const char *why = NULL;
        if (o->kind == UM_LK_WALLET) {
            um_wallet_info w = um_wallet_check(o->raw ? o->raw : o->value);
            if (w.checksum == 0)
                why = strcmp(w.kind, "evm") == 0 ? "mixed-case EVM address fails its EIP-55 checksum"
                                                 : "wallet address fails its checksum";
        } else {
            um_account_check c = um_account_verify(o->raw ? o->raw : o->value, o->value);
            if (c == UM_ACCT_IBAN_BAD) why = "IBAN fails its mod-97 check";
            else if (c == UM_ACCT_ABA_BAD) why = "US routing number fails its ABA check digit";
        }
        if (!why) continue;
        um_finding_spec fs = {"PAY-12", "link", UM_MEDIUM, 20, 0, o->value};
        char vals[300];
        snprintf(vals, sizeof vals, "%s=%.200s", um_lk_kind_name((um_lk_kind)o->kind), o->raw ? o->raw : o->value);
        um_status r = um_finding_add(s, (um_sid)o->subject, &fs, NULL, o->file, o->line, vals,
                                     "%s: %s (a typo, or an account that does not exist)",
                                     o->kind == UM_LK_WALLET ? "payout wallet" : "payout account", why);
        if (r != UM_OK) return r;
    }
    return UM_OK;
}

/* A ship-to or home address that names a parcel forwarder / reshipper. */
static um_status emit_forwarders(um_scan *s, lk_state *st) {
    for (size_t i = 0; i < st->nobs; i++) {
        const um_lk_obs *o = &st->obs[i];
        if (o->kind != UM_LK_SHIP && o->kind != UM_LK_HOME) continue;
        const char *fw = um_address_forwarder(o->value);
        if (!fw) continue;
        um_finding_spec fs = {"OB-02", "link", UM_STRONG, 45, 0, o->value};
        char vals[300];
        snprintf(vals, sizeof vals, "%s=%.200s; forwarder=%s", um_lk_kind_name((um_lk_kind)o->kind),
                 o->raw ? o->raw : o->value, fw);
        um_status r = um_finding_add(s, (um_sid)o->subject, &fs, NULL, o->file, o->line, vals,
                                     "%s names the parcel forwarder \"%s\": the laptop or mail goes on to "
                                     "somewhere else (reshipper pattern)",
                                     o->kind == UM_LK_SHIP ? "laptop ship-to address" : "home address", fw);
        if (r != UM_OK) return r;
    }
    return UM_OK;
}

/* Evidence propagation over same_operator edges (docs/linking.md §3): each
 * subject's score from its non-link findings, spread one hop. */
#define UM_LINK_SHARE 0.5
static um_status emit_propagation(um_scan *s, lk_state *st) {
    size_t ns = st->ns;
    if (!st->res || !st->res->nedges || !ns) return UM_OK;
    size_t *cnt = um_calloc(ns + 1, sizeof *cnt);
    const um_finding **fl = um_malloc((s->n_findings + 1) * sizeof *fl);
    double *in = um_calloc(ns + 1, sizeof *in), *out = um_malloc((ns + 1) * sizeof *out);
    int32_t *from = um_malloc((ns + 1) * sizeof *from), *edge = um_malloc((ns + 1) * sizeof *edge);
    size_t *start = um_calloc(ns + 2, sizeof *start);
    um_status r = UM_ENOMEM;
    if (!cnt || !fl || !in || !out || !from || !edge || !start) goto done;
    for (size_t i = 0; i < s->n_findings; i++) {
        const um_finding *f = &s->findings[i];
        if (f->subject >= 0 && (size_t)f->subject < ns && strcmp(f->info.analyzer, "link") != 0) cnt[f->subject]++;
    }
    for (size_t i = 0; i < ns; i++) start[i + 1] = start[i] + cnt[i];
    memset(cnt, 0, (ns + 1) * sizeof *cnt);
    for (size_t i = 0; i < s->n_findings; i++) {
        const um_finding *f = &s->findings[i];
        if (f->subject >= 0 && (size_t)f->subject < ns && strcmp(f->info.analyzer, "link") != 0)
            fl[start[f->subject] + cnt[f->subject]++] = f;
    }
    for (size_t i = 0; i < ns; i++) {
        int score = 0;
        um_level lv;
        if (cnt[i]) um_score_subject(fl + start[i], cnt[i], &score, &lv);
        in[i] = score;
    }
    um_lk_propagate(st->res, ns, in, UM_LINK_SHARE, out, from, edge);
    r = UM_OK;
    for (size_t i = 0; i < ns && r == UM_OK; i++) {
        int gain = (int)(out[i] - in[i] + 0.5);
        if (gain < 10 || from[i] < 0) continue;
        if (gain > 40) gain = 40;
        const um_lk_edge *ed = &st->res->edges[edge[i]];
        um_buf why;
        um_buf_init(&why);
        for (uint32_t k = 0; k < ed->why_n; k++) {
            const um_lk_why *w = &st->res->why[ed->why_off + k];
            if (!um_lk_kind_exclusive((um_lk_kind)w->kind)) continue;
            char shown[200];
            shown_value(st->obs[st->res->values[w->value_id].first_obs].value, (um_lk_kind)w->kind, shown, sizeof shown);
            if (w->kind == UM_LK_RESUME) um_buf_printf(&why, "%sa near-duplicate résumé", why.len ? ", " : "");
            else if (w->kind == UM_LK_PHOTO) um_buf_printf(&why, "%sthe same photo", why.len ? ", " : "");
            else um_buf_printf(&why, "%s%s %s", why.len ? ", " : "", kind_label((um_lk_kind)w->kind), shown);
        }
        um_sid nb = (um_sid)from[i];
        const char *nid = um_subject_id(s, nb), *nd = um_subject_display(s, nb);
        um_finding_spec fs = {"LINK-07", "link", gain >= 20 ? UM_MEDIUM : UM_WEAK, gain, 0, nid ? nid : "?"};
        char vals[200];
        um_snprintf(vals, sizeof vals, "neighbour=%s; neighbour_score=%.0f; edge_weight=%.1f; share=%.1f",
                    nid ? nid : "?", in[nb], ed->weight, UM_LINK_SHARE);
        const um_lk_why *w0 = ed->why_n ? &st->res->why[ed->why_off] : NULL;
        const um_lk_obs *o = w0 ? &st->obs[(uint32_t)i == ed->a ? w0->obs_a : w0->obs_b] : NULL;
        r = why.oom ? UM_ENOMEM
                    : um_finding_add(s, (um_sid)i, &fs, NULL, o ? o->file : NULL, o ? o->line : 0, vals,
                                     "tied by %s to %s (%s), whose own evidence scores %.0f: inherits %d "
                                     "(same-operator link, weight %.1f)",
                                     why.len ? why.s : "an analyst's same-person verdict", nid ? nid : "?",
                                     nd ? nd : "?", in[nb], gain, ed->weight);
        um_buf_free(&why);
    }
done:
    um_free(cnt), um_free(fl), um_free(in), um_free(out), um_free(from), um_free(edge), um_free(start);
    return r;
}

/* After the findings, the sinks read only the result and the observations
 * it names (a value's first holder, both sides of an edge's shared value):
 * the others (most of them: at a million people ~5 M of 56 bytes, the
 * write phase's peak) go, those kept move down in order and the result's
 * indexes follow. The holder lists, the per-subject home, city and IP
 * counts and the seen IPs were the findings' only. */
static um_status keep_for_output(lk_state *st) {
    um_lk_result *r = st->res;
    size_t n = st->nobs;
    if (!r || !n) return UM_OK;
    uint32_t *to = um_malloc(n * sizeof *to);
    if (!to) return UM_ENOMEM;
    for (size_t i = 0; i < n; i++) to[i] = UINT32_MAX;
    for (size_t v = 0; v < r->nvalues; v++)
        if (r->values[v].first_obs < n) to[r->values[v].first_obs] = 0;
    for (size_t w = 0; w < r->nwhy; w++) {
        if (r->why[w].obs_a < n) to[r->why[w].obs_a] = 0;
        if (r->why[w].obs_b < n) to[r->why[w].obs_b] = 0;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (to[i] == 0) {
            st->obs[m] = st->obs[i];
            to[i] = (uint32_t)m++;
        }
    /* an index the sinks treat as none (>= nobs) stays one */
    for (size_t v = 0; v < r->nvalues; v++)
        r->values[v].first_obs = r->values[v].first_obs < n ? to[r->values[v].first_obs] : UINT32_MAX;
    for (size_t w = 0; w < r->nwhy; w++) {
        r->why[w].obs_a = r->why[w].obs_a < n ? to[r->why[w].obs_a] : UINT32_MAX;
        r->why[w].obs_b = r->why[w].obs_b < n ? to[r->why[w].obs_b] : UINT32_MAX;
    }
    um_free(to);
    um_lk_obs *o = um_realloc(st->obs, (m ? m : 1) * sizeof *o);
    if (o) st->obs = o, st->cap = m ? m : 1;
    st->nobs = m;
    um_free(r->vstart), um_free(r->vsub), um_free(r->vobs);
    r->vstart = r->vsub = r->vobs = NULL;
    um_free(st->nips), um_free(st->home), um_free(st->city);
    st->nips = NULL, st->home = st->city = NULL;
    um_map_free(&st->ipseen);
    um_map_init(&st->ipseen);
#ifdef __GLIBC__
    malloc_trim(0); /* the freed pages back to the system: the sinks' threads allocate from arenas of their own */
#endif
    return UM_OK;
}

static um_status finish(um_scan *s, void *state) {
    lk_state *st = state;
    if (!st) return UM_OK;
    um_status pr = order_merged(st);
    if (pr != UM_OK) return pr;
    um_lk_options o = {0};
    o.nsubjects = st->ns;
    o.home = st->home;
    o.city = st->city;
    const char **ids = um_malloc((st->ns + 1) * sizeof *ids);
    if (!ids) return UM_ENOMEM;
    for (size_t i = 0; i < st->ns; i++) ids[i] = um_subject_id(s, (um_sid)i);
    o.subject_ids = ids;
    st->ids = ids;
    um_lk_verdict *ver = NULL;
    size_t nver = 0;
    um_status r = UM_OK;
    if (s->verdicts_db) {
        r = um_lk_read_verdicts(s->verdicts_db, ids, st->ns, &ver, &nver);
        if (r != UM_OK) return r;
        if (nver) um_scan_warn(s, "link", "%zu analyst pair verdict(s) from %s honoured", nver, s->verdicts_db);
    }
    o.verdicts = ver;
    o.nverdicts = nver;
    /* with a bus, the identity index's blocking runs on workers in shards
     * (src/dist/): the same values, so the same run */
    um_lk_blocked bl;
    um_lk_piece **part = NULL;
    size_t *npart = NULL;
    unsigned nparts = 0;
    if (um_dist_link_block(s, st->obs, st->nobs, st->ns, o.cap, &bl, &part, &npart, &nparts, &r)) {
        /* and the candidate pairs from the workers' pair partitions: the same pairs */
        if (r == UM_OK) r = um_lk_run_pairs(st->obs, st->nobs, &o, &bl, part, npart, nparts, &st->res);
        if (r == UM_EINVAL)
            um_scan_set_error(s, "pair partitions: the workers' pairs are out of order, repeated or in another "
                                 "partition");
        for (unsigned p = 0; part && p < nparts; p++) um_free(part[p]);
        um_free(part);
        um_free(npart);
        um_lk_blocked_free(&bl);
    } else {
        r = um_lk_run(st->obs, st->nobs, &o, &st->res);
    }
    um_free(ver);
    if (r != UM_OK) return r;
    for (size_t g = 0; g < st->res->ngeneric && r == UM_OK; g++) r = emit_value(s, st, st->res, st->res->generic[g]);
    for (uint32_t v = 0; v < st->res->nvalues && r == UM_OK; v++)
        if (!st->res->values[v].generic) r = emit_value(s, st, st->res, v);
    if (r == UM_OK) r = emit_checksums(s, st);
    if (r == UM_OK) r = emit_forwarders(s, st);
    if (r == UM_OK) r = emit_propagation(s, st);
    if (r == UM_OK) r = keep_for_output(st);
    return r;
}

static void free_state(void *state) {
    lk_state *st = state;
    while (st) {
        lk_state *next = st->adopted;
        um_lk_result_free(st->res);
        um_free(st->ids);
        um_free(st->obs);
        um_free(st->pos);
        um_free(st->nips);
        um_free(st->home);
        um_free(st->city);
        um_map_free(&st->ipseen);
        um_map_free(&st->files);
        um_arena_free(&st->arena);
        um_free(st);
        st = next;
    }
}

/* ---- output for the sinks (clusters.jsonl, case.db tables) -------------------- */

extern const um_analyzer um_analyzer_link;
static const lk_state *link_state(const um_scan *s) {
    if (!s->analyzer_state) return NULL;
    for (size_t i = 0; i < um_analyzer_count(); i++)
        if (um_analyzer_at(i) == &um_analyzer_link) return s->analyzer_state[i];
    return NULL;
}

/* A cluster's score: its highest member's. */
static int *cluster_scores(const um_scan *s, const lk_state *st) {
    const um_lk_result *r = st->res;
    int *sc = um_calloc(r->nclusters + 1, sizeof *sc);
    if (!sc) return NULL;
    for (size_t c = 0; c < r->nclusters; c++)
        for (size_t k = 0; k < r->clusters[c].nmembers; k++) {
            uint32_t m = r->clusters[c].members[k];
            if (m < s->n_subjects && s->subjects[m].score > sc[c]) sc[c] = s->subjects[m].score;
        }
    return sc;
}

/* clusters.jsonl, a line at a time (whole in memory it was ~110 MB at a
 * million people, and twice that while its buffer doubled): the clusters of
 * the tightest tier first, each tier in result order, then the generic
 * values. */
typedef struct clusters_cursor {
    const lk_state *st;
    const int *sc;
    int tier;
    size_t c, g;
} clusters_cursor;

static bool clusters_next(void *arg, um_buf *b) {
    clusters_cursor *k = arg;
    const um_lk_result *r = k->st->res;
    for (; k->tier >= UM_LK_RELATED; k->tier--, k->c = 0)
        for (; k->c < r->nclusters; k->c++)
            if ((int)r->clusters[k->c].tier == k->tier) {
                um_lk_cluster_json(b, r, k->c, k->st->obs, k->st->nobs, k->st->ids, k->sc[k->c]);
                k->c++;
                return true;
            }
    if (k->g < r->ngeneric) {
        um_lk_generic_json(b, r, k->g, k->st->obs, k->st->nobs,
                           um_lk_kind_cap((um_lk_kind)r->values[r->generic[k->g]].kind));
        k->g++;
        return true;
    }
    return false;
}

static bool clusters_none(void *arg, um_buf *b) {
    (void)arg, (void)b;
    return false;
}

um_status um_link_clusters_write(um_scan *s, const char *dir, const char *name) {
    const lk_state *st = link_state(s);
    if (!st || !st->res) return um_write_file_stream(s, dir, name, clusters_none, NULL);
    int *sc = cluster_scores(s, st);
    if (!sc) return UM_ENOMEM;
    /* tightest tier first, then by score, then id: a stable order */
    clusters_cursor k = {st, sc, UM_LK_SAME, 0, 0};
    um_status r = um_write_file_stream(s, dir, name, clusters_next, &k);
    um_free(sc);
    return r;
}

um_status um_link_case_tables(const um_scan *s, void *db) {
    const lk_state *st = link_state(s);
    if (!st || !st->res) return UM_OK;
    int *sc = cluster_scores(s, st);
    if (!sc) return UM_ENOMEM;
    size_t caps[UM_LK__COUNT];
    for (int k = 0; k < UM_LK__COUNT; k++) caps[k] = um_lk_kind_cap((um_lk_kind)k);
    um_status r = um_lk_write_sqlite(db, st->res, st->obs, st->nobs, st->ids, sc, caps);
    um_free(sc);
    return r;
}

/* Saved state of a partition's instance (pstate.h), version 1: varint
 * sign-in IPs, each in event order: varint subject (one with an identity
 * record in this scan), string ip, string file (or none), varint line,
 * varint position (ascending). */
static um_status save(um_scan *s, const void *inst, um_buf *out) {
    (void)s;
    const lk_state *st = inst;
    um_pk_u(out, 1);
    if (st && (!st->partition || st->ev_base)) return UM_EINVAL; /* only a partition's instance */
    um_pk_u(out, st ? st->nobs : 0);
    for (size_t k = 0; st && k < st->nobs; k++) {
        const um_lk_obs *o = &st->obs[k];
        um_pk_u(out, o->subject);
        um_pk_s(out, o->value);
        um_pk_s(out, o->file);
        um_pk_u(out, o->line);
        um_pk_u(out, st->pos[k]);
    }
    return UM_OK;
}

static um_status load(um_scan *s, const void *primary, um_pk *r, void **out) {
    lk_state *st = NULL;
    if (part_new(s, primary, (void **)&st) != UM_OK) {
        free_state(st);
        return UM_ENOMEM;
    }
    if (um_pk_get_u(r) != 1) um_pk_fail(r, "link: unknown state version");
    uint64_t n = um_pk_get_ur(r, (r->n - r->pos) / 4, "link: more sign-in IPs than bytes");
    uint64_t last = 0;
    for (uint64_t k = 0; k < n && um_pk_ok(r); k++) {
        uint64_t sid = um_pk_get_u(r);
        if (um_pk_ok(r) && (sid >= st->ns || !um_subject_has_identity(s, (um_sid)sid)))
            um_pk_fail(r, "link: subject out of range or without an identity record");
        size_t iplen, flen;
        bool ipp, fp;
        const char *ip = um_pk_get_sv(r, 64, &iplen, &ipp);
        const char *file = um_pk_get_sv(r, 1u << 20, &flen, &fp);
        uint64_t line = um_pk_get_u(r);
        uint64_t pos = um_pk_get_u(r);
        if (!um_pk_ok(r)) break;
        if (!ipp || !iplen || (k && pos <= last)) {
            um_pk_fail(r, "link: empty address or positions out of order");
            break;
        }
        last = pos;
        if (st->nips[sid] >= UM_LINK_IPS_PER_SUBJECT) {
            um_pk_fail(r, "link: too many addresses for one subject");
            break;
        }
        char key[128];
        int kn = snprintf(key, sizeof key, "%d\x1f%.*s", (int)sid, (int)iplen, ip);
        bool created;
        um_map_slot *sl = kn > 0 && (size_t)kn < sizeof key ? um_map_upsert(&st->ipseen, key, (size_t)kn, &created) : NULL;
        if (!sl) {
            um_pk_fail(r, "out of memory");
            break;
        }
        if (!created) {
            um_pk_fail(r, "link: one subject's address twice");
            break;
        }
        st->nips[sid]++;
        const char *f = NULL;
        if (fp) {
            um_map_slot *fs = um_map_upsert(&st->files, file, flen, &created);
            if (fs && created) fs->val = um_arena_strndup(&st->arena, file, flen);
            if (!fs || !(f = fs->val)) {
                um_pk_fail(r, "out of memory");
                break;
            }
        }
        const char *ipc = um_arena_strndup(&st->arena, ip, iplen);
        if (!ipc || push(st, (um_sid)sid, UM_LK_IP, ipc, ipc, f, line, 1) != UM_OK ||
            !um_grow((void **)&st->pos, &st->cap_pos, st->nobs, sizeof *st->pos)) {
            um_pk_fail(r, "out of memory");
            break;
        }
        st->pos[st->nobs - 1] = pos;
    }
    if (!um_pk_ok(r)) {
        um_status rc = strcmp(r->bad, "out of memory") == 0 ? UM_ENOMEM : UM_EPARSE;
        free_state(st);
        return rc;
    }
    *out = st;
    return UM_OK;
}

const um_analyzer um_analyzer_link = {
    .name = "link",
    .description = "identifiers shared by different people, linked into clusters; laptop farms; payout checksums; "
                   "evidence propagated over same-operator links "
                   "(LINK-01, LINK-02, LINK-06, LINK-07, PAY-04, PAY-12, OB-02, NET-03)",
    .on_subjects = on_subjects,
    .on_event = on_event,
    .finish = finish,
    .free_state = free_state,
    .part_new = part_new,
    .merge = merge,
    .save = save,
    .load = load};
