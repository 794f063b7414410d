/*
 * subjects.c - joins identity records into claimed persons (subjects) by
 * declared keys, and resolves log accounts/hosts to subjects.
 *
 * Join keys: candidate_id, employee_id, work_email, idp_login, username,
 * git_email (union-find over records sharing a key value). Personal emails,
 * phones, addresses, payout accounts and wallets never join: two "different"
 * people sharing them is evidence (LINK-01), not identity.
 */
#include <stdlib.h>
#include <pthread.h>
#include <string.h>

#ifdef __GLIBC__ /* defined by the headers above */
#include <malloc.h>
#endif

#include "scan.h"
#include "../util/ascii.h"

static const char *const attr_names[] = {
#define UM_ATTR_NAME(id, name) name,
    UM_ATTR_LIST(UM_ATTR_NAME)
#undef UM_ATTR_NAME
};

const char *um_attr_name(um_attr a) {
    return (unsigned)a < UM_ATTR__COUNT ? attr_names[a] : "?";
}

int um_attr_from_name(const char *name) {
    for (int i = 0; i < UM_ATTR__COUNT; i++)
        if (um_streq_ci(attr_names[i], name)) return i;
    return -1;
}

bool um_attr_is_join_key(um_attr a) {
    switch (a) {
    case UM_ATTR_CANDIDATE_ID:
    case UM_ATTR_EMPLOYEE_ID:
    case UM_ATTR_WORK_EMAIL:
    case UM_ATTR_IDP_LOGIN:
    case UM_ATTR_USERNAME:
    case UM_ATTR_GIT_EMAIL: return true;
    default: return false;
    }
}

const char *um_event_kind_name(um_event_kind k) {
    static const char *n[] = {"signin", "logon", "process", "netconn", "dns",
                              "file",   "usb",   "remote",  "commit",  "other", "raw"};
    return (unsigned)k < UM_ARRAY_LEN(n) ? n[k] : "other";
}

/* A set's first value goes into the scan's arena (most sets never hold a
 * second: a malloc'd block of one was a third larger); from two values on
 * the block is malloc'd and doubled. um_valset_free knows which is which. */
static bool valset_put(um_arena *a, um_valset *vs, const char *v, const char *file, uint64_t line) {
    for (size_t i = 0; i < vs->n; i++)
        if (strcmp(vs->v[i], v) == 0) return true;
    if (vs->n == vs->cap) { /* one block: values, files, lines */
        uint32_t nc = vs->cap ? vs->cap * 2 : 1;
        size_t bytes = (size_t)nc * (2 * sizeof(char *) + sizeof(uint64_t));
        /* 24 bytes on pointer alignment (um_arena_alloc would round to 32
         * and align to 16: ~200 bytes a person at ~17 sets) */
        const char **nv = nc == 1 ? um_arena_alloc_aligned(a, bytes, _Alignof(uint64_t) > _Alignof(char *)
                                                                       ? _Alignof(uint64_t) : _Alignof(char *))
                                  : um_malloc(bytes);
        if (!nv) return false;
        um_valset grown = {nv, vs->n, nc};
        if (vs->n) {
            memcpy(nv, vs->v, vs->n * sizeof *nv);
            memcpy(um_valset_files(&grown), um_valset_files(vs), vs->n * sizeof(char *));
            memcpy(um_valset_lines(&grown), um_valset_lines(vs), vs->n * sizeof(uint64_t));
        }
        um_valset_free(vs);
        *vs = grown;
    }
    vs->v[vs->n] = v;
    um_valset_files(vs)[vs->n] = file;
    um_valset_lines(vs)[vs->n] = line;
    vs->n++;
    return true;
}

bool um_valset_add(um_arena *a, um_valset *vs, const char *v, const char *file, uint64_t line) {
    for (size_t i = 0; i < vs->n; i++)
        if (strcmp(vs->v[i], v) == 0) return true;
    const char *c = um_arena_strdup(a, v);
    return c && valset_put(a, vs, c, file, line);
}

um_valset *um_subject_attr_add(um_subject *u, um_attr a) {
    if ((unsigned)a >= UM_ATTR__COUNT) return NULL;
    if (u->slot[a]) return &u->vs[u->slot[a] - 1];
    if (u->nvs == u->capvs) { /* grown by four: most subjects stop at a dozen */
        unsigned nc = u->capvs + 4u > UM_ATTR__COUNT ? UM_ATTR__COUNT : u->capvs + 4u;
        um_valset *nv = um_realloc(u->vs, nc * sizeof *nv);
        if (!nv) return NULL;
        u->vs = nv;
        u->capvs = (uint8_t)nc;
    }
    u->vs[u->nvs] = (um_valset){NULL, 0, 0};
    u->slot[a] = ++u->nvs;
    return &u->vs[u->nvs - 1];
}

/* Canonical value of an attribute for keys and storage; NULL drops it. */
static char *canon_value(um_arena *a, um_attr attr, const char *v) {
    switch (attr) {
    case UM_ATTR_EMAIL:
    case UM_ATTR_WORK_EMAIL:
    case UM_ATTR_GIT_EMAIL: return um_canon_email(a, v);
    case UM_ATTR_IDP_LOGIN:
    case UM_ATTR_USERNAME:
    case UM_ATTR_HOSTNAME:
    case UM_ATTR_CANDIDATE_ID:
    case UM_ATTR_EMPLOYEE_ID: return um_lower_trim(a, v, strlen(v));
    case UM_ATTR_DEVICE_SERIAL: {
        char *c = um_canon_serial(a, v); /* "S/N: c02-xk1" = "C02XK1" */
        return c ? c : um_lower_trim(a, v, strlen(v));
    }
    case UM_ATTR_PHONE: return um_canon_phone(a, v);
    case UM_ATTR_WALLET: return um_canon_wallet(a, v);
    case UM_ATTR_GITHUB:
    case UM_ATTR_TELEGRAM:
    case UM_ATTR_LINKEDIN: return um_canon_handle(a, v);
    case UM_ATTR_SHIP_ADDRESS: return um_canon_address(a, v);
    case UM_ATTR_PAYOUT_ACCOUNT: return um_canon_account(a, v);
    default: {
        char *d = um_arena_strdup(a, v);
        return d ? um_trim(d) : NULL;
    }
    }
}

static size_t uf_find(size_t *p, size_t x) {
    while (p[x] != x) {
        p[x] = p[p[x]];
        x = p[x];
    }
    return x;
}

/* "prefix=value" into buf (the maps copy their keys: no arena copy per
 * key at a million people); NULL when it does not fit, *n its length. */
static const char *map_key(char *buf, size_t cap, const char *prefix, const char *v, size_t *n) {
    int w = snprintf(buf, cap, "%s=%s", prefix, v);
    if (w < 0 || (size_t)w >= cap) return NULL;
    *n = (size_t)w;
    return buf;
}

static um_status index_key(um_scan *s, um_attr a, const char *v, um_sid sid) {
    char buf[1024];
    size_t kn;
    const char *k = map_key(buf, sizeof buf, um_attr_name(a), v, &kn);
    if (!k) return UM_OK; /* a value over 1 KB is no key anyone logs in with */
    bool created;
    um_map_slot *sl = um_map_upsert(&s->key_index, k, kn, &created);
    if (!sl) return UM_ENOMEM;
    /* A personal email held by two subjects resolves to neither. */
    if (created) sl->val = (void *)(intptr_t)(sid + 1);
    else if ((intptr_t)sl->val != sid + 1) sl->val = (void *)(intptr_t)-1;
    return UM_OK;
}

static void set_display(um_scan *s, um_subject *u) {
    const um_valset *full = um_subject_attr(u, UM_ATTR_FULL_NAME);
    if (full->n) {
        u->display = full->v[0];
        return;
    }
    const um_valset *fn = um_subject_attr(u, UM_ATTR_FIRST_NAME), *ln = um_subject_attr(u, UM_ATTR_LAST_NAME);
    if (fn->n || ln->n) {
        char *d = um_arena_printf(&s->arena, "%s%s%s", fn->n ? fn->v[0] : "",
                                  fn->n && ln->n ? " " : "", ln->n ? ln->v[0] : "");
        um_valset *fv = d ? um_subject_attr_add(u, UM_ATTR_FULL_NAME) : NULL;
        if (fv && valset_put(&s->arena, fv, d, NULL, 0)) {
            u->display = fv->v[0];
            return;
        }
    }
    static const um_attr pref[] = {UM_ATTR_WORK_EMAIL, UM_ATTR_EMAIL, UM_ATTR_EMPLOYEE_ID,
                                   UM_ATTR_CANDIDATE_ID, UM_ATTR_USERNAME};
    for (size_t i = 0; i < UM_ARRAY_LEN(pref); i++)
        if (um_subject_attr(u, pref[i])->n) {
            u->display = um_subject_attr(u, pref[i])->v[0];
            return;
        }
    u->display = u->id;
}

static um_subject *new_subject(um_scan *s) {
    if (s->n_subjects == s->cap_subjects) { /* grow by a quarter: this array is large */
        size_t want = s->cap_subjects + s->cap_subjects / 4 + 64;
        um_subject *ns = um_realloc(s->subjects, want * sizeof *ns);
        if (!ns) return NULL;
        s->subjects = ns, s->cap_subjects = want;
    }
    um_subject *u = &s->subjects[s->n_subjects++];
    memset(u, 0, sizeof *u);
    return u;
}

/* Attributes whose values repeat across people (a city, a country, a
 * first name): one copy of each distinct value (interned), not one a
 * person. */
static bool interned_attr(um_attr a) {
    switch (a) {
    case UM_ATTR_FIRST_NAME:
    case UM_ATTR_LAST_NAME:
    case UM_ATTR_CITY:
    case UM_ATTR_REGION:
    case UM_ATTR_COUNTRY:
    case UM_ATTR_TIMEZONE:
    case UM_ATTR_ROLE:
    case UM_ATTR_DEPARTMENT:
    case UM_ATTR_PAYOUT_METHOD:
    case UM_ATTR_LANGUAGES: return true;
    default: return false;
    }
}

/* Distinct values an intern table holds at most (then values are copied:
 * a column of unique values must not grow a table a person). */
#define UM_INTERN_MAX 65536

/* v trimmed (as um_trim), one copy per distinct value in the table's keys;
 * NULL for an empty value or out of memory. */
static const char *intern_value(um_map *in, um_arena *a, const char *v) {
    while (um_ascii_isspace((unsigned char)*v)) v++;
    size_t n = strlen(v);
    while (n && um_ascii_isspace((unsigned char)v[n - 1])) n--;
    if (!n) return NULL;
    um_map_slot *sl = um_map_find(in, v, n);
    if (sl) return sl->key;
    if (in->len >= UM_INTERN_MAX) return um_arena_strndup(a, v, n);
    sl = um_map_upsert(in, v, n, NULL);
    return sl ? sl->key : NULL;
}

/* Canonical values of records [from, to), in place, strings in a (and in
 * in's keys: the caller keeps them as long as a). */
static void canon_range(um_scan *s, um_arena *a, um_map *in, size_t from, size_t to) {
    for (size_t i = from; i < to; i++) {
        um_stored_person *p = &s->persons[i];
        /* phones: the claimed country is the default region */
        const char *region = NULL;
        for (size_t k = 0; k < p->n && !region; k++)
            if (p->kv[k].attr == UM_ATTR_COUNTRY && p->kv[k].value) region = um_country_code(p->kv[k].value);
        for (size_t k = 0; k < p->n; k++) {
            const char *c = p->kv[k].attr == UM_ATTR_PHONE && p->kv[k].value
                          ? um_canon_phone_region(a, p->kv[k].value, region, NULL)
                      : interned_attr(p->kv[k].attr) && p->kv[k].value ? intern_value(in, a, p->kv[k].value)
                                                                        : canon_value(a, p->kv[k].attr, p->kv[k].value);
            p->kv[k].value = c && *c ? c : NULL;
        }
    }
}

typedef struct canon_job {
    um_scan *s;
    size_t from, to;
    um_arena arena;
    um_map intern;
} canon_job;

static void *canon_main(void *p) {
    canon_job *j = p;
    canon_range(j->s, &j->arena, &j->intern, j->from, j->to);
    return NULL;
}

um_status um_subjects_build(um_scan *s) {
    size_t n = s->n_persons;
    size_t *parent = um_malloc(sizeof *parent * (n + 1));
    um_map first = {0};
    um_map_init(&first);
    if (!parent) return UM_ENOMEM;
    um_status st = UM_OK;
    for (size_t i = 0; i < n; i++) parent[i] = i;
    /* canonicalise values in place (half of the records on a second thread
     * when the scan has threads), then union on join keys in record order */
    canon_job job = {s, n / 2, n, {0}, {0}};
    um_map intern;
    um_map_init(&intern);
    um_map_init(&job.intern);
    bool two = um_scan_thread_count(s) > 1 && n >= 4096;
    pthread_t th;
    if (two) two = pthread_create(&th, NULL, canon_main, &job) == 0;
    canon_range(s, &s->arena, &intern, 0, two ? n / 2 : n);
    if (two) {
        pthread_join(th, NULL);
        um_arena_adopt(&s->arena, &job.arena);
    }
    /* the interned values live as long as the scan; the tables go */
    um_arena_adopt(&s->arena, &intern.keys);
    um_arena_adopt(&s->arena, &job.intern.keys);
    um_map_free(&intern);
    um_map_free(&job.intern);
    for (size_t i = 0; i < n && st == UM_OK; i++) {
        um_stored_person *p = &s->persons[i];
        for (size_t k = 0; k < p->n; k++) {
            const char *c = p->kv[k].value;
            if (!c || !um_attr_is_join_key(p->kv[k].attr)) continue;
            char kbuf[1024];
            size_t kn;
            const char *key = map_key(kbuf, sizeof kbuf, um_attr_name(p->kv[k].attr), c, &kn);
            char *longkey = key ? NULL : um_arena_printf(&s->arena, "%s=%s", um_attr_name(p->kv[k].attr), c);
            if (!key) key = longkey, kn = longkey ? strlen(longkey) : 0;
            bool created;
            um_map_slot *sl = key ? um_map_upsert(&first, key, kn, &created) : NULL;
            if (!sl) { st = UM_ENOMEM; break; }
            if (created) sl->val = (void *)(uintptr_t)(i + 1);
            else {
                size_t a = uf_find(parent, (uintptr_t)sl->val - 1), b = uf_find(parent, i);
                if (a != b) parent[b > a ? b : a] = b > a ? a : b;
            }
        }
    }
    /* one subject per component, in record order (deterministic) */
    size_t *comp = um_malloc(sizeof *comp * (n + 1));
    if (!comp) st = UM_ENOMEM;
    for (size_t i = 0; i < n && st == UM_OK; i++) comp[i] = SIZE_MAX;
    /* exactly as many subjects as components, plus room for log-only ones:
     * no doubling of a million-entry array */
    size_t ncomp = 0;
    for (size_t i = 0; i < n && st == UM_OK; i++) ncomp += uf_find(parent, i) == i;
    if (st == UM_OK && s->cap_subjects < s->n_subjects + ncomp) {
        size_t want = s->n_subjects + ncomp + ncomp / 16 + 64;
        um_subject *ns = um_realloc(s->subjects, want * sizeof *ns);
        if (!ns) st = UM_ENOMEM;
        else s->subjects = ns, s->cap_subjects = want;
    }
    for (size_t i = 0; i < n && st == UM_OK; i++) {
        size_t r = uf_find(parent, i);
        if (comp[r] == SIZE_MAX) {
            if (!new_subject(s)) { st = UM_ENOMEM; break; }
            comp[r] = s->n_subjects - 1;
            s->subjects[comp[r]].identity = true;
        }
        um_subject *u = &s->subjects[comp[r]];
        um_stored_person *p = &s->persons[i];
        const char *via = NULL;
        for (size_t k = 0; k < p->n; k++) {
            if (!p->kv[k].value) continue;
            um_attr a = p->kv[k].attr;
            um_valset *vs = um_subject_attr_add(u, a);
            if (!vs || !valset_put(&s->arena, vs, p->kv[k].value, p->file, p->line)) { /* arena-owned */
                st = UM_ENOMEM;
                break;
            }
            if (um_attr_is_join_key(a)) {
                char *src = um_arena_printf(&s->arena, "%s=%s", um_attr_name(a), p->kv[k].value);
                if (!src || !valset_put(&s->arena, &u->sources, src, p->file, p->line)) {
                    st = UM_ENOMEM;
                    break;
                }
                if (!via) via = src;
            }
        }
        if (u->joins.n < UM_MAX_JOINS) {
            static const char *kinds[] = {"applicant", "employee", "payroll", "shipping"};
            char *j = um_arena_printf(&s->arena, "%s record %s:%llu%s%s", kinds[p->kind], p->file,
                                      (unsigned long long)p->line, via ? " joined by " : " (no join key)",
                                      via ? via : "");
            if (j) valset_put(&s->arena, &u->joins, j, p->file, p->line);
        }
    }
    /* The records as read are joined: their raw values go (the subjects
     * hold canonical copies in the scan's arena) before the key index is
     * built (it was the phase's peak with them), and the freed pages go
     * back to the system before the analyzers' peak. */
    um_free(comp);
    um_free(parent);
    um_map_free(&first);
    comp = NULL, parent = NULL;
    um_free(s->persons);
    s->persons = NULL;
    s->n_persons = s->cap_persons = 0;
    um_arena_free(&s->person_arena);
#ifdef __GLIBC__
    malloc_trim(0);
#endif
    /* stable ids: hash of the smallest source key (the log-join index is
     * um_subjects_index's) */
    for (size_t i = 0; i < s->n_subjects && st == UM_OK; i++) {
        um_subject *u = &s->subjects[i];
        const char *minsrc = NULL;
        for (size_t k = 0; k < u->sources.n; k++)
            if (!minsrc || strcmp(u->sources.v[k], minsrc) < 0) minsrc = u->sources.v[k];
        char seed[512];
        if (minsrc) snprintf(seed, sizeof seed, "%s", minsrc);
        else snprintf(seed, sizeof seed, "%s:%llu", u->joins.n ? um_valset_files(&u->joins)[0] : "",
                      (unsigned long long)(u->joins.n ? um_valset_lines(&u->joins)[0] : i));
        u->id = um_arena_printf(&s->arena, "S-%012llx",
                                (unsigned long long)(um_hash64(seed, strlen(seed), 7) & 0xffffffffffffULL));
        if (!u->id) { st = UM_ENOMEM; break; }
        set_display(s, u);
    }
    s->n_identity = s->n_subjects;
    s->subjects_built = st == UM_OK;
    return st;
}

/* The log-join index: "attr=value" keys of identity subjects (work email,
 * logins, personal email, host name, employee id, GitHub handle, laptop
 * serial, compact full name, work email's local part) -> subject + 1, or
 * -1 when two subjects hold one. Only events are resolved through it, so
 * um_scan_run builds it once, before the first log input is read, and never
 * for a scan of identity exports alone (at a million applicants it held
 * ~270 bytes a person: three keys each, their copies and 24-byte slots).
 * Identity subjects do not change between um_subjects_build and then (the
 * analyzers' on_subjects only read them): the keys are the ones the build
 * made before, in the same order. */
um_status um_subjects_index(um_scan *s) {
    if (s->key_index_built) return UM_OK;
    s->key_index_built = true;
    um_status st = UM_OK;
    for (size_t i = 0; i < s->n_identity && st == UM_OK; i++) {
        um_subject *u = &s->subjects[i];
        static const um_attr idx[] = {UM_ATTR_WORK_EMAIL, UM_ATTR_IDP_LOGIN, UM_ATTR_USERNAME,
                                      UM_ATTR_GIT_EMAIL, UM_ATTR_EMAIL, UM_ATTR_HOSTNAME,
                                      UM_ATTR_EMPLOYEE_ID, UM_ATTR_GITHUB};
        /* laptop serials (host names embed them) and the compact full name
         * ("AzureAD\\AnnSmith"): both resolve only when one subject has them */
        const um_valset *serials = um_subject_attr(u, UM_ATTR_DEVICE_SERIAL);
        for (size_t k = 0; k < serials->n && st == UM_OK; k++)
            st = index_key(s, UM_ATTR_DEVICE_SERIAL, serials->v[k], (um_sid)i);
        const um_valset *names = um_subject_attr(u, UM_ATTR_FULL_NAME);
        for (size_t k = 0; k < names->n && st == UM_OK; k++) {
            char cn[256];
            size_t m = 0;
            for (const char *p = names->v[k]; *p && m < sizeof cn - 1; p++)
                if (um_ascii_isalnum((unsigned char)*p)) cn[m++] = (char)um_ascii_tolower((unsigned char)*p);
            cn[m] = 0;
            if (m >= 4) {
                char key[8 + sizeof cn]; /* the map copies it */
                int kw = snprintf(key, sizeof key, "name=%s", cn);
                bool created;
                um_map_slot *sl = kw > 0 ? um_map_upsert(&s->key_index, key, (size_t)kw, &created) : NULL;
                if (!sl) st = UM_ENOMEM;
                else if (created) sl->val = (void *)(intptr_t)(i + 1);
                else if ((intptr_t)sl->val != (intptr_t)(i + 1)) sl->val = (void *)(intptr_t)-1;
            }
        }
        for (size_t a = 0; a < UM_ARRAY_LEN(idx) && st == UM_OK; a++)
            for (size_t k = 0; k < um_subject_attr(u, idx[a])->n && st == UM_OK; k++) {
                st = index_key(s, idx[a], um_subject_attr(u, idx[a])->v[k], (um_sid)i);
                /* "jdoe" as endpoint user for jdoe@corp.example */
                if (st == UM_OK && idx[a] == UM_ATTR_WORK_EMAIL) {
                    const char *v = um_subject_attr(u, idx[a])->v[k], *at = strchr(v, '@');
                    char kbuf[1024];
                    int kw = at && at - v < 900 ? snprintf(kbuf, sizeof kbuf, "local=%.*s", (int)(at - v), v) : -1;
                    if (kw > 0) {
                        const char *key = kbuf;
                        bool created;
                        um_map_slot *sl = um_map_upsert(&s->key_index, key, (size_t)kw, &created);
                        if (sl && created) sl->val = (void *)(intptr_t)(i + 1);
                        else if (sl && (intptr_t)sl->val != (intptr_t)(i + 1)) sl->val = (void *)(intptr_t)-1;
                    }
                }
            }
    }
    return st;
}

static um_sid lookup(um_scan *s, const char *kind, const char *v) {
    char key[600];
    int n = snprintf(key, sizeof key, "%s=%s", kind, v);
    if (n < 0 || (size_t)n >= sizeof key) return -1;
    intptr_t x = (intptr_t)um_map_get(&s->key_index, key, (size_t)n);
    return x > 0 ? (um_sid)(x - 1) : -1;
}

static bool is_system_account(const char *u) {
    static const char *sys[] = {"system", "local service", "network service", "anonymous logon",
                                "-", "nt authority\\system", "nt authority\\local service",
                                "nt authority\\network service", "dwm-1", "umfd-0", "umfd-1"};
    for (size_t i = 0; i < UM_ARRAY_LEN(sys); i++)
        if (um_streq_ci(u, sys[i])) return true;
    size_t n = strlen(u);
    return n == 0 || u[n - 1] == '$' || um_starts_with_ci(u, "nt authority\\") ||
           um_starts_with_ci(u, "window manager\\") || um_starts_with_ci(u, "font driver host\\");
}

static void note_join(um_scan *s, um_sid sid, const um_event *ev, const char *how, const char *value) {
    char key[600];
    int n = snprintf(key, sizeof key, "%d|%s|%s", sid, how, value);
    if (n < 0 || (size_t)n >= sizeof key) return;
    bool created;
    um_map_slot *sl = um_map_upsert(&s->event_join_seen, key, (size_t)n, &created);
    if (!sl || !created) return;
    um_subject *u = &s->subjects[sid];
    if (u->joins.n >= UM_MAX_JOINS) return;
    char *j = um_arena_printf(&s->arena, "%s events (%s) joined by %s %s", um_event_kind_name(ev->kind),
                              um_basename_any(ev->src_file), how, value);
    if (j) valset_put(&s->arena, &u->joins, j, ev->src_file, ev->src_line);
    char *src = um_arena_printf(&s->arena, "%s=%s", how, value);
    if (src) valset_put(&s->arena, &u->sources, src, ev->src_file, ev->src_line);
}

static um_sid account_subject(um_scan *s, const char *kind, const char *v, const um_event *ev) {
    char key[600];
    int n = snprintf(key, sizeof key, "%s:%s", kind, v);
    if (n < 0 || (size_t)n >= sizeof key) return -1;
    um_map_slot *sl = um_map_find(&s->account_index, key, (size_t)n);
    if (sl) return (um_sid)((intptr_t)sl->val - 1);
    if (um_scan_over_limit(s, UM_LIMIT_LOG_SUBJECTS, s->n_log_subjects)) return -1;
    sl = um_map_upsert(&s->account_index, key, (size_t)n, NULL);
    if (!sl) return -1;
    s->n_log_subjects++;
    um_subject *u = new_subject(s);
    if (!u) return -1;
    um_sid sid = (um_sid)(s->n_subjects - 1);
    sl->val = (void *)(intptr_t)(sid + 1);
    u->identity = false;
    u->id = um_arena_printf(&s->arena, "%c-%012llx", kind[0] == 'h' ? 'H' : 'A',
                            (unsigned long long)(um_hash64(key, (size_t)n, 7) & 0xffffffffffffULL));
    u->display = um_arena_strdup(&s->arena, v);
    char *src = um_arena_printf(&s->arena, "%s=%s", kind, v);
    if (src) valset_put(&s->arena, &u->sources, src, ev->src_file, ev->src_line);
    char *j = um_arena_printf(&s->arena, "no HR or applicant record matches %s %s; seen only in logs",
                              kind, v);
    if (j) valset_put(&s->arena, &u->joins, j, ev->src_file, ev->src_line);
    return sid;
}

static um_sid resolve_uncached(um_scan *s, const um_event *ev);

/* Logs repeat the same account/host pairs millions of times: remember each
 * pair's answer (bounded; the cache starts over when full). */
#define UM_RESOLVE_CACHE_MAX (1u << 16)

/* In front of that map, a two-way memo of its short keys with the key
 * inline: one cache line an entry, two adjacent an index, so a repeated pair
 * costs one cache miss (the map's slot and its key in the key arena are
 * two), and records.c starts that load before the Sigma prefilter runs. It
 * holds only pairs the map holds, with the map's answer, and is cleared
 * with it, so it never changes an answer. */
#define UM_RESOLVE_MEMO (1u << 15)
#define UM_RESOLVE_MEMO_KEY 50
typedef struct um_resolve_memo {
    uint64_t hash;
    um_sid sid;
    uint16_t len; /* 0: empty (a key is at least 3 bytes) */
    char key[UM_RESOLVE_MEMO_KEY];
} um_resolve_memo;
_Static_assert(sizeof(um_resolve_memo) == 64, "one cache line an entry");

/* The cache key of ev, "kind|user|host", into key[cap]; its length, or 0
 * when it does not fit. */
static inline size_t resolve_key(const um_event *ev, char *key, size_t cap) {
    const char *u = ev->user ? ev->user : "", *h = ev->host ? ev->host : "";
    size_t un = strlen(u), hn = strlen(h), n = un + hn + 3;
    if (n > cap) return 0;
    key[0] = (char)('a' + ev->kind); /* no printf: this runs for every event */
    key[1] = 0x1f;
    memcpy(key + 2, u, un);
    key[2 + un] = 0x1f;
    memcpy(key + 3 + un, h, hn);
    return n;
}

static inline uint64_t memo_hash(const char *key, size_t n) {
    return um_hash64(key, n, 0x51ed270b27e1f3a5ULL);
}

static inline size_t memo_slot(uint64_t h) { /* the first of the two ways */
    return (size_t)(h >> 17) & (UM_RESOLVE_MEMO - 2);
}

void um_free_resolve_memo(um_scan *s) {
    um_free_table(s->resolve_memo, UM_RESOLVE_MEMO, sizeof *s->resolve_memo);
    s->resolve_memo = NULL;
}

void um_subjects_prefetch(const um_scan *s, const um_event *ev) {
    char key[UM_RESOLVE_MEMO_KEY];
    size_t n;
    if (!s->resolve_memo || !(n = resolve_key(ev, key, sizeof key))) return;
    const um_resolve_memo *mo = &s->resolve_memo[memo_slot(memo_hash(key, n))];
    __builtin_prefetch(mo);
    __builtin_prefetch(mo + 1);
}

um_sid um_subjects_resolve(um_scan *s, const um_event *ev) {
    /* um_scan_run builds it before the log inputs; this is for other
     * callers (if it runs out of memory, the keys it could not add resolve
     * to no subject, as a key over 1 KB does) */
    if (s->subjects_built && !s->key_index_built) (void)um_subjects_index(s);
    char key[768];
    size_t n = resolve_key(ev, key, sizeof key);
    if (!n) return resolve_uncached(s, ev);
    um_resolve_memo *mo = NULL;
    uint64_t mh = 0;
    if (n <= UM_RESOLVE_MEMO_KEY) {
        if (!s->resolve_memo) s->resolve_memo = um_calloc_table(UM_RESOLVE_MEMO, sizeof *s->resolve_memo);
        if (s->resolve_memo) {
            mh = memo_hash(key, n);
            mo = &s->resolve_memo[memo_slot(mh)];
            if (mo[0].len == n && mo[0].hash == mh && memcmp(mo[0].key, key, n) == 0) return mo[0].sid;
            if (mo[1].len == n && mo[1].hash == mh && memcmp(mo[1].key, key, n) == 0) return mo[1].sid;
        }
    }
    um_map_slot *sl = um_map_find(&s->resolve_cache, key, n);
    um_sid sid;
    if (sl) sid = (um_sid)((intptr_t)sl->val - 1);
    else {
        sid = resolve_uncached(s, ev);
        if (s->resolve_cache.len >= UM_RESOLVE_CACHE_MAX) {
            um_map_free(&s->resolve_cache);
            um_map_init(&s->resolve_cache);
            if (s->resolve_memo) memset(s->resolve_memo, 0, UM_RESOLVE_MEMO * sizeof *s->resolve_memo);
        }
        sl = um_map_upsert(&s->resolve_cache, key, n, NULL);
        if (sl) sl->val = (void *)(intptr_t)(sid + 1);
    }
    if (mo && sl) { /* only what the map holds; the newest in the first way */
        if (mo[0].len) mo[1] = mo[0];
        mo->hash = mh;
        mo->sid = sid;
        mo->len = (uint16_t)n;
        memcpy(mo->key, key, n);
    }
    return sid;
}

/* Lower-cased, trimmed copy of src (may be NULL) into dst. */
static void lower_copy(char *dst, size_t cap, const char *src) {
    size_t n = src ? strlen(src) : 0;
    if (n >= cap) n = cap - 1;
    for (size_t i = 0; i < n; i++) dst[i] = (char)um_ascii_tolower((unsigned char)src[i]);
    dst[n] = 0;
    char *t = um_trim(dst);
    memmove(dst, t, strlen(t) + 1);
}

static um_sid resolve_uncached(um_scan *s, const um_event *ev) {
    char user[512] = "";
    lower_copy(user, sizeof user, ev->user);
    bool sys = !*user || is_system_account(user);
    if (!sys) {
        um_sid sid;
        if (strchr(user, '@')) {
            static const char *kinds[] = {"work_email", "idp_login", "git_email", "email"};
            for (size_t i = 0; i < UM_ARRAY_LEN(kinds); i++)
                if ((sid = lookup(s, kinds[i], user)) >= 0) {
                    note_join(s, sid, ev, kinds[i], user);
                    return sid;
                }
        }
        const char *bs = strrchr(user, '\\');
        const char *bare = bs ? bs + 1 : user;
        /* a UPN in another domain than the work email: its local part */
        const char *at = strchr(bare, '@');
        if (at && at > bare && (size_t)(at - bare) < 256) {
            char local[256];
            memcpy(local, bare, (size_t)(at - bare));
            local[at - bare] = 0;
            if ((sid = lookup(s, "local", local)) >= 0 || (sid = lookup(s, "username", local)) >= 0) {
                note_join(s, sid, ev, "local part of the UPN", user);
                return sid;
            }
        }
        /* AzureAD\FirstLast: the account Entra join names after the person */
        if (bs && strncmp(user, "azuread\\", 8) == 0 && (sid = lookup(s, "name", bare)) >= 0) {
            note_join(s, sid, ev, "AzureAD account named after", bare);
            return sid;
        }
        if ((sid = lookup(s, "username", bare)) >= 0 || (sid = lookup(s, "idp_login", bare)) >= 0) {
            note_join(s, sid, ev, "username", bare);
            return sid;
        }
        if (!strchr(bare, '@') && (sid = lookup(s, "local", bare)) >= 0) {
            note_join(s, sid, ev, "local part of work email", bare);
            return sid;
        }
    }
    char host[256] = "";
    lower_copy(host, sizeof host, ev->host);
    if (*host) {
        um_sid sid = lookup(s, "hostname", host);
        char *dot = strchr(host, '.');
        if (sid < 0 && dot) { /* FQDN: try the short name */
            *dot = 0;
            sid = lookup(s, "hostname", host);
            *dot = '.';
        }
        if (sid >= 0) {
            note_join(s, sid, ev, "assigned hostname", host);
            return sid;
        }
        /* BWL-<serial>.corp...: the laptop serial in an HR or shipping record */
        um_arena tmp;
        um_arena_init(&tmp);
        char *serial = um_host_serial(&tmp, host);
        sid = serial ? lookup(s, "device_serial", serial) : -1;
        if (sid >= 0) {
            char how[300];
            snprintf(how, sizeof how, "laptop serial %s in host name", serial);
            note_join(s, sid, ev, how, host);
        }
        um_arena_free(&tmp);
        if (sid >= 0) return sid;
    }
    if (!sys) return account_subject(s, "account", user, ev);
    if (*host) return account_subject(s, "host", host, ev);
    return -1;
}

size_t um_scan_nsubjects(const um_scan *s) { return s->n_subjects; }

void *um_scan_analyzer_state(const um_scan *s, const um_analyzer *a) {
    for (size_t i = 0; s->analyzer_state && i < um_analyzer_count(); i++)
        if (um_analyzer_at(i) == a) return s->analyzer_state[i];
    return NULL;
}

const char *const *um_subject_values(const um_scan *s, um_sid sid, um_attr a, size_t *n) {
    if (sid < 0 || (size_t)sid >= s->n_subjects || (unsigned)a >= UM_ATTR__COUNT) {
        *n = 0;
        return NULL;
    }
    const um_valset *vs = um_subject_attr(&s->subjects[sid], a);
    *n = vs->n;
    return vs->v;
}

const char *const *um_subject_values_at(const um_scan *s, um_sid sid, um_attr a, size_t *n,
                                        const char *const **file, const uint64_t **line) {
    const char *const *v = um_subject_values(s, sid, a, n);
    *file = v ? um_valset_files(um_subject_attr(&s->subjects[sid], a)) : NULL;
    *line = v ? um_valset_lines(um_subject_attr(&s->subjects[sid], a)) : NULL;
    return v;
}

bool um_subject_value_src(const um_scan *s, um_sid sid, um_attr a, const char *value,
                          const char **file, uint64_t *line) {
    if (sid < 0 || (size_t)sid >= s->n_subjects) return false;
    const um_valset *vs = um_subject_attr(&s->subjects[sid], a);
    for (size_t i = 0; i < vs->n; i++)
        if (strcmp(vs->v[i], value) == 0) {
            *file = um_valset_files(vs)[i];
            *line = um_valset_lines(vs)[i];
            return true;
        }
    return false;
}

const char *um_subject_id(const um_scan *s, um_sid sid) {
    return sid >= 0 && (size_t)sid < s->n_subjects ? s->subjects[sid].id : NULL;
}
const char *um_subject_display(const um_scan *s, um_sid sid) {
    return sid >= 0 && (size_t)sid < s->n_subjects ? s->subjects[sid].display : NULL;
}
bool um_subject_has_identity(const um_scan *s, um_sid sid) {
    return sid >= 0 && (size_t)sid < s->n_subjects && s->subjects[sid].identity;
}

/* A subject from another process's subject table (subtab.c): id copied,
 * shown by its id, no values yet (um_subject_attr_add + um_valset_add). */
um_status um_subject_install(um_scan *s, const char *id, bool identity, um_sid *out) {
    if (s->n_subjects >= (size_t)INT32_MAX) return UM_EINVAL;
    um_subject *u = new_subject(s);
    if (!u) return UM_ENOMEM;
    u->id = um_arena_strdup(&s->arena, id);
    if (!u->id) {
        s->n_subjects--;
        return UM_ENOMEM;
    }
    u->display = u->id;
    u->identity = identity;
    if (identity) s->n_identity = s->n_subjects;
    *out = (um_sid)(s->n_subjects - 1);
    return UM_OK;
}

um_status um_subject_place(um_scan *s, um_sid sid, const char *id) {
    if (sid < 0) return UM_EINVAL;
    for (um_sid got; s->n_subjects < (size_t)sid;) {
        um_status st = um_subject_install(s, "", false, &got);
        if (st != UM_OK) return st;
    }
    if (!id) return UM_OK;
    if ((size_t)sid == s->n_subjects) {
        um_sid got;
        return um_subject_install(s, id, false, &got);
    }
    um_subject *u = &s->subjects[sid];
    if (u->identity || (u->id && *u->id)) return UM_EINVAL;
    if (!(u->id = um_arena_strdup(&s->arena, id))) return UM_ENOMEM;
    u->display = u->id;
    return UM_OK;
}
