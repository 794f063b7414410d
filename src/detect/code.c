/*
 * code.c - the `code` analyzer: several author identities behind one
 * person's commits (CODE-05).
 *
 * Commits (UM_EV_COMMIT) resolve to a person by the author email (their
 * work email, git_email values or personal email, core/subjects.c). An
 * author identity is the pair (name, email), compared case-blind. A person
 * whose commits carry more than UM_CODE_MAX_IDS identities (four or more:
 * one for work, one personal, a GitHub noreply address are ordinary) is
 * reported, medium 20, with the identities seen and a commit of each as
 * evidence. Several people (operators) sharing one seat leave exactly this
 * trace: the same mailbox under different names, or one account committing
 * as many.
 *
 * Bounded: per person at most UM_CODE_KEEP identities are remembered (the
 * count goes on as "more than"), only for subjects with an identity record.
 */
#include <string.h>

#include "../core/internal.h"

#define UM_CODE_MAX_IDS 3
#define UM_CODE_KEEP 16
#define UM_CODE05_WEIGHT 20

typedef struct cd_id {
    uint64_t h;
    char text[96]; /* "Name <email>" */
    int64_t ts;
    const char *file; /* interned */
    uint64_t line;
    const char *record;
} cd_id;

typedef struct cd_subj {
    bool seen, skip;
    cd_id *ids; /* UM_CODE_KEEP once the first commit arrives */
    uint32_t n;
    bool more;
    uint64_t commits;
} cd_subj;

typedef struct cd_state {
    cd_subj *s;
    size_t n;
    um_map strings;
    struct cd_state *adopted; /* merged partitions: their strings, kept (cd_merge) */
} cd_state;

static um_status cd_on_subjects(um_scan *scan, void **out) {
    (void)scan;
    cd_state *st = um_calloc(1, sizeof *st);
    if (!st) return UM_ENOMEM;
    um_map_init(&st->strings);
    *out = st;
    return UM_OK;
}

static void cd_free(void *p) {
    cd_state *st = p;
    while (st) {
        cd_state *next = st->adopted;
        for (size_t i = 0; i < st->n; i++) um_free(st->s[i].ids);
        um_free(st->s);
        um_map_free(&st->strings);
        um_free(st);
        st = next;
    }
}

/* Partitioned analysis (partition.h 5.): an empty instance per partition;
 * the merge moves each subject the partition saw into the primary, which
 * keeps the partition's strings (its identities point into them). */
static um_status cd_part_new(um_scan *scan, const void *primary, void **out) {
    (void)primary;
    return cd_on_subjects(scan, out);
}

static um_status cd_merge(um_scan *scan, void *into, void *from) {
    (void)scan;
    cd_state *a = into, *b = from;
    if (!b) return UM_OK;
    um_status rc = UM_OK;
    if (!um_grow_zeroed((void **)&a->s, &a->n, b->n, sizeof *a->s)) rc = UM_ENOMEM;
    for (size_t i = 0; rc == UM_OK && i < b->n; i++) {
        if (!b->s[i].seen) continue;
        if (a->s[i].seen) { /* two partitions saw one person: the routing is broken */
            rc = UM_EINVAL;
            break;
        }
        a->s[i] = b->s[i];
        memset(&b->s[i], 0, sizeof b->s[i]);
    }
    if (rc != UM_OK) {
        cd_free(b);
        return rc;
    }
    um_free(b->s);
    b->s = NULL;
    b->n = 0;
    b->adopted = a->adopted;
    a->adopted = b;
    return UM_OK;
}

static const char *intern(cd_state *st, const char *s) {
    if (!s) return NULL;
    um_map_slot *sl = um_map_upsert(&st->strings, s, strlen(s), NULL);
    return sl ? sl->key : NULL;
}

static uint64_t id_hash(const char *name, const char *email) {
    char buf[600];
    int n = snprintf(buf, sizeof buf, "%s\x1f%s", name ? name : "", email ? email : "");
    if (n < 0) n = 0;
    if ((size_t)n >= sizeof buf) n = (int)sizeof buf - 1;
    for (int i = 0; i < n; i++)
        if (buf[i] >= 'A' && buf[i] <= 'Z') buf[i] = (char)(buf[i] + 32);
    return um_hash64(buf, (size_t)n, 11);
}

static um_status cd_on_event(um_scan *scan, void *p, um_sid sid, const um_event *ev) {
    cd_state *st = p;
    if (sid < 0 || !st || ev->kind != UM_EV_COMMIT) return UM_OK;
    if ((size_t)sid >= st->n) {
        size_t cap = st->n;
        if (!um_grow((void **)&st->s, &cap, (size_t)sid + 1, sizeof *st->s)) return UM_ENOMEM;
        memset(st->s + st->n, 0, (cap - st->n) * sizeof *st->s);
        st->n = cap;
    }
    cd_subj *c = &st->s[sid];
    if (!c->seen) {
        c->seen = true;
        c->skip = !um_subject_has_identity(scan, sid);
    }
    if (c->skip) return UM_OK;
    c->commits++;
    uint64_t h = id_hash(ev->user_name, ev->user);
    for (uint32_t i = 0; i < c->n; i++)
        if (c->ids[i].h == h) return UM_OK;
    if (c->n >= UM_CODE_KEEP) {
        c->more = true;
        return UM_OK;
    }
    if (!c->ids && !(c->ids = um_calloc(UM_CODE_KEEP, sizeof *c->ids))) return UM_ENOMEM;
    cd_id *d = &c->ids[c->n++];
    d->h = h;
    snprintf(d->text, sizeof d->text, "%.40s <%.48s>", ev->user_name ? ev->user_name : "", ev->user ? ev->user : "");
    d->ts = ev->ts;
    d->file = intern(st, ev->src_file);
    d->line = ev->src_line;
    d->record = ev->record_id ? intern(st, ev->record_id) : NULL;
    return UM_OK;
}

static um_status cd_finish(um_scan *scan, void *p) {
    cd_state *st = p;
    if (!st) return UM_OK;
    for (size_t i = 0; i < st->n; i++) {
        const cd_subj *c = &st->s[i];
        if (c->skip || c->n <= UM_CODE_MAX_IDS) continue;
        char all[400] = "";
        size_t o = 0;
        for (uint32_t k = 0; k < c->n && k < 4 && o + 1 < sizeof all; k++) {
            int w = snprintf(all + o, sizeof all - o, "%s%s", k ? "; " : "", c->ids[k].text);
            if (w < 0) break;
            o += (size_t)w;
            if (o >= sizeof all) o = sizeof all - 1;
        }
        um_finding_spec sp = {"CODE-05", "code", UM_MEDIUM, UM_CODE05_WEIGHT, 0, "author-identities"};
        for (uint32_t k = 0; k < c->n && k < 3; k++) {
            char values[256];
            snprintf(values, sizeof values, "identity=%s; identities=%s%u; commits=%llu", c->ids[k].text,
                     c->more ? ">" : "", c->n, (unsigned long long)c->commits);
            um_event e;
            um_event_init(&e);
            e.ts = c->ids[k].ts;
            e.src_file = c->ids[k].file;
            e.src_line = c->ids[k].line;
            e.record_id = c->ids[k].record;
            um_status rc = um_finding_add(scan, (um_sid)i, &sp, &e, NULL, 0, values,
                                          "%s%u different author identities (name, email) on this person's %llu "
                                          "commits: %s%s",
                                          c->more ? "more than " : "", c->n, (unsigned long long)c->commits, all,
                                          c->n > 4 ? " ..." : "");
            if (rc != UM_OK) return rc;
        }
    }
    return UM_OK;
}

/* Saved state (pstate.h), version 1: varint subjects seen, then each, by
 * subject number: varint gap (the first: its number), varint skip (no
 * identity record: must be what this scan's subject table says); when not
 * skipped: varint commits, varint more, varint identities (<= 16), each
 * 8-byte hash, string text, zigzag time, string file (or none), varint
 * line, string record (or none). */
static um_status cd_save(um_scan *scan, const void *inst, um_buf *out) {
    (void)scan;
    const cd_state *st = inst;
    um_pk_u(out, 1);
    size_t seen = 0;
    for (size_t i = 0; st && i < st->n; i++) seen += st->s[i].seen;
    um_pk_u(out, seen);
    size_t last = 0;
    bool first = true;
    for (size_t i = 0; st && i < st->n; i++) {
        const cd_subj *c = &st->s[i];
        if (!c->seen) continue;
        um_pk_u(out, first ? i : i - last);
        first = false;
        last = i;
        um_pk_u(out, c->skip);
        if (c->skip) continue;
        um_pk_u(out, c->commits);
        um_pk_u(out, c->more);
        um_pk_u(out, c->n);
        for (uint32_t k = 0; k < c->n; k++) {
            const cd_id *d = &c->ids[k];
            um_pk_h64(out, d->h);
            um_pk_s(out, d->text);
            um_pk_i(out, d->ts);
            um_pk_s(out, d->file);
            um_pk_u(out, d->line);
            um_pk_s(out, d->record);
        }
    }
    return UM_OK;
}

static um_status cd_load(um_scan *scan, const void *primary, um_pk *r, void **out) {
    (void)primary;
    cd_state *st = NULL;
    if (cd_on_subjects(scan, (void **)&st) != UM_OK) return UM_ENOMEM;
    size_t ns = um_scan_nsubjects(scan);
    if (um_pk_get_u(r) != 1) um_pk_fail(r, "code: unknown state version");
    uint64_t seen = um_pk_get_ur(r, ns, "code: more subjects than the scan has");
    if (um_pk_ok(r) && seen && !um_grow_zeroed((void **)&st->s, &st->n, ns, sizeof *st->s))
        um_pk_fail(r, "out of memory");
    uint64_t sid = 0;
    for (uint64_t k = 0; k < seen && um_pk_ok(r); k++) {
        uint64_t gap = um_pk_get_u(r);
        if (!um_pk_ok(r)) break;
        if ((k && gap == 0) || gap >= ns - (k ? sid : 0)) {
            um_pk_fail(r, "code: subject out of range or order");
            break;
        }
        sid = k ? sid + gap : gap;
        cd_subj *c = &st->s[sid];
        c->seen = true;
        c->skip = um_pk_get_bool(r);
        if (um_pk_ok(r) && c->skip != !um_subject_has_identity(scan, (um_sid)sid))
            um_pk_fail(r, "code: the subject's identity is not this scan's");
        if (!um_pk_ok(r) || c->skip) continue;
        c->commits = um_pk_get_u(r);
        c->more = um_pk_get_bool(r);
        c->n = (uint32_t)um_pk_get_ur(r, UM_CODE_KEEP, "code: too many identities");
        if (um_pk_ok(r) && c->n && !(c->ids = um_calloc(UM_CODE_KEEP, sizeof *c->ids))) um_pk_fail(r, "out of memory");
        for (uint32_t j = 0; j < c->n && um_pk_ok(r); j++) {
            cd_id *d = &c->ids[j];
            d->h = um_pk_get_h64(r);
            um_pk_get_fixed(r, d->text, sizeof d->text, "code: identity text too long");
            d->ts = um_pk_get_time(r);
            d->file = um_pk_get_interned(r, &st->strings, 1u << 20);
            d->line = um_pk_get_u(r);
            d->record = um_pk_get_interned(r, &st->strings, 1u << 20);
        }
    }
    if (!um_pk_ok(r)) {
        um_status rc = strcmp(r->bad, "out of memory") == 0 ? UM_ENOMEM : UM_EPARSE;
        cd_free(st);
        return rc;
    }
    *out = st;
    return UM_OK;
}

const um_analyzer um_analyzer_code = {
    "code", "several author identities (name, email) on one person's commits (CODE-05)",
    cd_on_subjects, cd_on_event, cd_finish, cd_free, NULL, NULL, false, NULL, NULL, NULL, cd_part_new, cd_merge,
    cd_save, cd_load};
