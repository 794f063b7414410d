/* subtab.c - the subject table the partitioned analyzers read, as bytes for
 * the workers (format in scan.h, um_subtab_put; docs/SCALING.md). */
#include <string.h>

#include "../detect/net.h"
#include "scan.h"

#define ST_VERSION 1
#define ST_MAX_VALUE 4096

static const um_attr st_attrs[] = {UM_ATTR_COUNTRY, UM_ATTR_TIMEZONE, UM_ATTR_SHIP_ADDRESS};

static bool st_attr_ok(uint64_t a) {
    for (size_t i = 0; i < UM_ARRAY_LEN(st_attrs); i++)
        if (a == (uint64_t)st_attrs[i]) return true;
    return false;
}

void um_subtab_put(um_buf *out, const um_scan *s) {
    um_buf_add(out, "UMT1", 4);
    um_pk_u(out, ST_VERSION);
    um_pk_u(out, s->n_subjects);
    for (size_t i = 0; i < s->n_subjects; i++) {
        um_sid sid = (um_sid)i;
        um_pk_s(out, um_subject_id(s, sid));
        um_pk_u(out, um_subject_has_identity(s, sid) ? 1 : 0);
        /* the ship-to addresses reduced to their countries, in order */
        char ship[8][8];
        size_t nship = 0, na;
        const char *const *v = um_subject_values(s, sid, UM_ATTR_SHIP_ADDRESS, &na);
        for (size_t k = 0; k < na && nship < UM_ARRAY_LEN(ship); k++) {
            const char *cc = um_ship_country(v[k]);
            if (cc) snprintf(ship[nship++], sizeof ship[0], "0 %.4s", cc);
        }
        size_t sets = 0;
        for (size_t a = 0; a < UM_ARRAY_LEN(st_attrs); a++) {
            um_subject_values(s, sid, st_attrs[a], &na);
            sets += st_attrs[a] == UM_ATTR_SHIP_ADDRESS ? nship != 0 : na != 0;
        }
        um_pk_u(out, sets);
        for (size_t a = 0; a < UM_ARRAY_LEN(st_attrs); a++) {
            v = um_subject_values(s, sid, st_attrs[a], &na);
            if (st_attrs[a] == UM_ATTR_SHIP_ADDRESS) {
                if (!nship) continue;
                um_pk_u(out, (uint64_t)st_attrs[a]);
                um_pk_u(out, nship);
                for (size_t k = 0; k < nship; k++) um_pk_s(out, ship[k]);
                continue;
            }
            if (!na) continue;
            um_pk_u(out, (uint64_t)st_attrs[a]);
            um_pk_u(out, na);
            for (size_t k = 0; k < na; k++) um_pk_s(out, v[k]);
        }
    }
}

um_status um_subtab_load(um_scan *s, const void *bytes, size_t n, const char **why) {
    *why = NULL;
    if (s->n_subjects) {
        *why = "the scan has subjects already";
        return UM_EINVAL;
    }
    um_pk r = um_pk_over(bytes, n);
    const unsigned char *magic = um_pk_get_raw(&r, 4);
    if (!magic || memcmp(magic, "UMT1", 4) != 0) {
        *why = "not a subject table";
        return UM_EPARSE;
    }
    if (um_pk_get_u(&r) != ST_VERSION) um_pk_fail(&r, "unknown subject table version");
    uint64_t ns = um_pk_get_ur(&r, (r.n - r.pos) / 3, "more subjects than bytes"); /* a subject takes >= 3 */
    um_map ids;
    um_map_init(&ids);
    um_status st = UM_OK;
    for (uint64_t i = 0; i < ns && um_pk_ok(&r) && st == UM_OK; i++) {
        size_t idlen;
        bool present;
        const char *id = um_pk_get_sv(&r, 256, &idlen, &present);
        uint64_t flags = um_pk_get_ur(&r, 1, "bad subject flags");
        uint64_t sets = um_pk_get_ur(&r, UM_ARRAY_LEN(st_attrs), "too many attribute sets");
        if (!um_pk_ok(&r)) break;
        if (!present || !idlen) {
            um_pk_fail(&r, "subject without an id");
            break;
        }
        bool created;
        um_map_slot *sl = um_map_upsert(&ids, id, idlen, &created);
        if (!sl) {
            st = UM_ENOMEM;
            break;
        }
        if (!created) {
            um_pk_fail(&r, "one subject id twice");
            break;
        }
        char idz[257];
        memcpy(idz, id, idlen);
        idz[idlen] = 0;
        um_sid sid;
        if ((st = um_subject_install(s, idz, flags & 1, &sid)) != UM_OK) break;
        um_subject *u = &s->subjects[sid];
        uint64_t last_attr = 0;
        for (uint64_t k = 0; k < sets && um_pk_ok(&r) && st == UM_OK; k++) {
            uint64_t a = um_pk_get_u(&r);
            uint64_t nv = um_pk_get_ur(&r, (r.n - r.pos) / 2, "more values than bytes");
            if (!um_pk_ok(&r)) break;
            if (!st_attr_ok(a) || (k && a <= last_attr) || !nv) {
                um_pk_fail(&r, "bad attribute set");
                break;
            }
            last_attr = a;
            um_valset *vs = um_subject_attr_add(u, (um_attr)a);
            if (!vs) {
                st = UM_ENOMEM;
                break;
            }
            for (uint64_t j = 0; j < nv && um_pk_ok(&r); j++) {
                const char *val = um_pk_get_s(&r, &s->arena, ST_MAX_VALUE);
                if (!um_pk_ok(&r)) break;
                if (!val || !*val) {
                    um_pk_fail(&r, "empty value");
                    break;
                }
                uint32_t before = vs->n;
                if (!um_valset_add(&s->arena, vs, val, NULL, 0)) st = UM_ENOMEM;
                else if (vs->n == before) um_pk_fail(&r, "one value twice");
            }
        }
    }
    um_map_free(&ids);
    if (st == UM_OK && um_pk_ok(&r) && r.pos != r.n) um_pk_fail(&r, "bytes after the subject table");
    if (st == UM_OK && !um_pk_ok(&r)) {
        *why = r.bad;
        st = strcmp(r.bad, "out of memory") == 0 ? UM_ENOMEM : UM_EPARSE;
    }
    if (st != UM_OK) { /* nothing half-loaded stays */
        for (size_t i = 0; i < s->n_subjects; i++) {
            um_subject *u = &s->subjects[i];
            for (unsigned k = 0; k < u->nvs; k++) um_valset_free(&u->vs[k]);
            um_free(u->vs);
        }
        s->n_subjects = 0;
        s->n_identity = 0;
    }
    return st;
}
