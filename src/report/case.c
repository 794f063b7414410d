/*
 * case.c - the case reader: reads case.db (docs/SCHEMA.md) into JSON for the
 * report and the API, and stores analysts' verdicts.
 *
 * Every query binds its values. Optional tables are probed at open:
 * clusters (issue 7's contract: clusters, cluster_members, cluster_edges),
 * the activity tables and verdicts; a case without clusters gets derived
 * groups instead: people tied by a shared linking identifier (phone,
 * personal email, address, payout account, wallet, device serial, ship-to
 * address, handles), connected components over those ties, identifiers held
 * by more than UM_GROUP_MAX_SHARE people ignored.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "report.h"
#include "../sink/case_schema.h"
#include "../util/cfmt.h"

/* identifier kinds that may tie two claimed people together */
static const char *const link_kinds[] = {UM_CASE_LINK_KINDS};
#define LINK_KINDS_SQL UM_CASE_LINK_KINDS_SQL

static bool is_link_kind(const char *k) {
    for (size_t i = 0; i < UM_ARRAY_LEN(link_kinds); i++)
        if (strcmp(k, link_kinds[i]) == 0) return true;
    return false;
}

struct um_group {
    char *id;
    char **members;
    size_t n_members;
    struct { size_t a, b; char *kind, *value; } *edges; /* a, b: indexes into members */
    size_t n_edges;
    int score;
    const char *tier;
};

void um_case_set_error(um_case *c, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char buf[1024];
    um_vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    free(c->errmsg);
    c->errmsg = um_strdup(buf);
}

static um_status dberr(um_case *c, const char *what) {
    um_case_set_error(c, "case.db: %s: %s", what, sqlite3_errmsg(c->db));
    return UM_EDB;
}

/* ---- JSON helpers ---- */

json_t *um_json_strn(const char *s, size_t n) {
    if (!s) return json_null();
    json_t *v = json_stringn(s, n);
    if (v) return v;
    um_buf b;
    um_buf_init(&b);
    char *tmp = um_strndup(s, n);
    if (tmp) um_buf_add_json_str(&b, tmp); /* repairs invalid UTF-8 (and escapes) */
    free(tmp);
    json_t *d = NULL;
    if (!b.oom && b.s) {
        /* b holds the inside of a JSON string: parse it back */
        um_buf q;
        um_buf_init(&q);
        um_buf_addc(&q, '"');
        um_buf_add(&q, b.s, b.len);
        um_buf_addc(&q, '"');
        if (!q.oom) d = json_loadb(q.s, q.len, JSON_DECODE_ANY, NULL);
        um_buf_free(&q);
    }
    um_buf_free(&b);
    return d ? d : json_string("\xef\xbf\xbd");
}

json_t *um_json_str(const char *s) { return s ? um_json_strn(s, strlen(s)) : json_null(); }

static json_t *col_str(sqlite3_stmt *q, int i) {
    if (sqlite3_column_type(q, i) == SQLITE_NULL) return json_null();
    const char *t = (const char *)sqlite3_column_text(q, i);
    return um_json_strn(t, (size_t)sqlite3_column_bytes(q, i));
}

static json_t *col_int(sqlite3_stmt *q, int i) {
    if (sqlite3_column_type(q, i) == SQLITE_NULL) return json_null();
    return json_integer(sqlite3_column_int64(q, i));
}

/* An integer or a real column as a number (scores and weights). */
static json_t *col_num(sqlite3_stmt *q, int i) {
    return sqlite3_column_type(q, i) == SQLITE_FLOAT ? json_real(sqlite3_column_double(q, i)) : col_int(q, i);
}

/* One row as an object, column i under names[i]: a name starting with '#'
 * is an integer column, '~' a number, any other a string. */
static json_t *row_obj(sqlite3_stmt *q, const char *const *names, int n) {
    json_t *o = json_object();
    for (int i = 0; i < n; i++) {
        const char *k = names[i];
        json_t *v = *k == '#' ? col_int(q, i) : *k == '~' ? col_num(q, i) : col_str(q, i);
        json_object_set_new(o, k + (*k == '#' || *k == '~'), v);
    }
    return o;
}

static void bind(sqlite3_stmt *q, int i, const char *v) {
    if (v) sqlite3_bind_text(q, i, v, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(q, i);
}

static bool table_exists(um_case *c, const char *name) {
    sqlite3_stmt *q = NULL;
    bool yes = false;
    if (sqlite3_prepare_v2(c->db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", -1, &q, NULL) ==
        SQLITE_OK) {
        bind(q, 1, name);
        yes = sqlite3_step(q) == SQLITE_ROW;
    }
    sqlite3_finalize(q);
    return yes;
}

static bool prepares(um_case *c, const char *sql) {
    sqlite3_stmt *q = NULL;
    bool ok = sqlite3_prepare_v2(c->db, sql, -1, &q, NULL) == SQLITE_OK;
    sqlite3_finalize(q);
    return ok;
}

/* ---- open / close ---- */

um_status um_case_open(um_case **out, const char *path, int writable) {
    um_case *c = um_calloc(1, sizeof *c);
    *out = c;
    if (!c) return UM_ENOMEM;
    pthread_mutex_init(&c->mu, NULL);
    um_arena_init(&c->arena);
    um_map_init(&c->group_of);
    c->writable = writable != 0;
    if (!path || !*path) {
        um_case_set_error(c, "no case given");
        return UM_EINVAL;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        um_case_set_error(c, "%s: no such case folder or file", path);
        return UM_ENOTFOUND;
    }
    if (S_ISDIR(st.st_mode)) {
        size_t n = strlen(path) + 16;
        c->path = um_malloc(n);
        if (!c->path) return UM_ENOMEM;
        snprintf(c->path, n, "%s/case.db", path);
        if (stat(c->path, &st) != 0) {
            um_case_set_error(c, "%s: no case.db in this folder (run unmask scan -o %s first)", path, path);
            return UM_ENOTFOUND;
        }
    } else {
        c->path = um_strdup(path);
        if (!c->path) return UM_ENOMEM;
    }
    int flags = (c->writable ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY) | SQLITE_OPEN_FULLMUTEX;
    if (sqlite3_open_v2(c->path, &c->db, flags, NULL) != SQLITE_OK) {
        um_status r = dberr(c, "open");
        return r;
    }
    sqlite3_busy_timeout(c->db, 5000);
    if (!table_exists(c, "subjects") || !prepares(c, "SELECT id, rank, display, score, level, identity, n_findings"
                                                     " FROM subjects")) {
        um_case_set_error(c, "%s: not an unmask case file (no subjects table)", c->path);
        return UM_EPARSE;
    }
    c->has_clusters = prepares(c, "SELECT id, tier, score FROM clusters") &&
                      prepares(c, "SELECT cluster_id, subject_id FROM cluster_members") &&
                      prepares(c, "SELECT cluster_id, a, b, kind, value, weight FROM cluster_edges");
    c->has_id_rows = prepares(c, "SELECT subject_id, kind, value FROM identifier_rows") &&
                     prepares(c, "SELECT id, name FROM identifier_kinds");
    c->has_activity = prepares(c, "SELECT subject_id, total, counts FROM activity") &&
                      prepares(c, "SELECT subject_id, seq, time, kind, ip, country, asn, as_org, net, app, result"
                                  " FROM logins") &&
                      prepares(c, "SELECT subject_id, claimed, offset_lo, offset_hi FROM subject_zone");
    if (c->writable && !table_exists(c, "verdicts")) {
        /* a case written before verdicts existed */
        if (sqlite3_exec(c->db,
                         "CREATE TABLE IF NOT EXISTS verdicts(id INTEGER PRIMARY KEY, target_kind TEXT NOT NULL,"
                         " target_a TEXT NOT NULL, target_b TEXT, verdict TEXT NOT NULL, who TEXT NOT NULL,"
                         " at TEXT NOT NULL, note TEXT);"
                         "CREATE INDEX IF NOT EXISTS verdicts_target ON verdicts(target_kind, target_a, target_b);",
                         NULL, NULL, NULL) != SQLITE_OK)
            return dberr(c, "create verdicts");
    }
    c->has_verdicts = prepares(c, "SELECT id, target_kind, target_a, target_b, verdict, who, at, note FROM verdicts");
    return UM_OK;
}

static void free_groups(um_case *c) {
    for (size_t i = 0; i < c->n_groups; i++) {
        um_group *g = &c->groups[i];
        free(g->id);
        for (size_t k = 0; k < g->n_members; k++) free(g->members[k]);
        free(g->members);
        for (size_t k = 0; k < g->n_edges; k++) {
            free(g->edges[k].kind);
            free(g->edges[k].value);
        }
        free(g->edges);
    }
    free(c->groups);
}

void um_case_close(um_case *c) {
    if (!c) return;
    if (c->db) sqlite3_close(c->db);
    free_groups(c);
    um_map_free(&c->group_of);
    um_arena_free(&c->arena);
    pthread_mutex_destroy(&c->mu);
    free(c->path);
    free(c->errmsg);
    free(c);
}

const char *um_case_errmsg(const um_case *c) { return c && c->errmsg ? c->errmsg : "out of memory"; }
const char *um_case_path(const um_case *c) { return c ? c->path : NULL; }
int um_case_has_clusters(const um_case *c) { return c && c->has_clusters; }

/* ---- derived groups (no clusters table) ---- */

typedef struct { char *id; int score; const char *level; size_t parent; } g_node;

static size_t uf_find(g_node *n, size_t i) {
    while (n[i].parent != i) {
        n[i].parent = n[n[i].parent].parent;
        i = n[i].parent;
    }
    return i;
}

static int level_rank(const char *l) { return !l ? 0 : strcmp(l, "high") == 0 ? 2 : strcmp(l, "review") == 0; }

typedef struct { size_t a, b; char *kind, *value; } g_edge;

static um_status build_groups(um_case *c) {
    if (c->groups_built) return UM_OK;
    um_status rc = UM_OK;
    g_node *nodes = NULL;
    size_t n_nodes = 0, cap_nodes = 0;
    g_edge *edges = NULL;
    size_t n_edges = 0, cap_edges = 0;
    um_map idx;
    um_map_init(&idx);
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(c->db, "SELECT id, score, level FROM subjects ORDER BY rank", -1, &q, NULL) != SQLITE_OK) {
        rc = dberr(c, "groups");
        goto out;
    }
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(q, 0);
        if (!id) continue;
        if (!um_grow((void **)&nodes, &cap_nodes, n_nodes + 1, sizeof *nodes)) { rc = UM_ENOMEM; goto out; }
        bool created;
        um_map_slot *sl = um_map_upsert(&idx, id, strlen(id), &created);
        if (!sl) { rc = UM_ENOMEM; goto out; }
        if (!created) continue;
        sl->val = (void *)(uintptr_t)(n_nodes + 1);
        const char *lv = (const char *)sqlite3_column_text(q, 2);
        nodes[n_nodes] = (g_node){um_arena_strdup(&c->arena, id), sqlite3_column_int(q, 1),
                                  lv && strcmp(lv, "high") == 0 ? "high" : lv && strcmp(lv, "review") == 0 ? "review"
                                                                                                           : "clean",
                                  n_nodes};
        n_nodes++;
    }
    sqlite3_finalize(q);
    q = NULL;
    if (sqlite3_prepare_v2(c->db,
                           "SELECT kind, value, group_concat(DISTINCT subject_id) FROM identifiers"
                           " WHERE kind IN (" LINK_KINDS_SQL ") GROUP BY kind, value HAVING count(DISTINCT subject_id) BETWEEN 2 AND ?",
                           -1, &q, NULL) != SQLITE_OK) {
        rc = dberr(c, "groups");
        goto out;
    }
    sqlite3_bind_int(q, 1, UM_GROUP_MAX_SHARE);
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *kind = (const char *)sqlite3_column_text(q, 0);
        const char *value = (const char *)sqlite3_column_text(q, 1);
        const char *list = (const char *)sqlite3_column_text(q, 2);
        if (!kind || !value || !list || !is_link_kind(kind)) continue;
        size_t ids[UM_GROUP_MAX_SHARE];
        size_t n = 0;
        char *copy = um_strdup(list), *save = NULL;
        if (!copy) { rc = UM_ENOMEM; goto out; }
        for (char *t = strtok_r(copy, ",", &save); t && n < UM_GROUP_MAX_SHARE; t = strtok_r(NULL, ",", &save)) {
            uintptr_t v = (uintptr_t)um_map_get(&idx, t, strlen(t));
            if (v) ids[n++] = v - 1;
        }
        free(copy);
        for (size_t k = 1; k < n; k++) {
            /* a star from the first holder: one tie per extra holder */
            if (!um_grow((void **)&edges, &cap_edges, n_edges + 1, sizeof *edges)) { rc = UM_ENOMEM; goto out; }
            edges[n_edges] = (g_edge){ids[0], ids[k], um_arena_strdup(&c->arena, kind),
                                      um_arena_strdup(&c->arena, value)};
            n_edges++;
            size_t ra = uf_find(nodes, ids[0]), rb = uf_find(nodes, ids[k]);
            if (ra != rb) nodes[ra > rb ? ra : rb].parent = ra < rb ? ra : rb;
        }
    }
    sqlite3_finalize(q);
    q = NULL;
    /* one group per component with >= 2 members, in rank order of its best member */
    size_t *gi = um_calloc(n_nodes ? n_nodes : 1, sizeof *gi); /* root -> group + 1 */
    if (!gi) { rc = UM_ENOMEM; goto out; }
    for (size_t i = 0; i < n_nodes; i++) {
        size_t r = uf_find(nodes, i);
        if (r == i) continue;
        if (!gi[r]) {
            um_group *ng = um_realloc(c->groups, (c->n_groups + 1) * sizeof *ng);
            if (!ng) { free(gi); rc = UM_ENOMEM; goto out; }
            c->groups = ng;
            memset(&ng[c->n_groups], 0, sizeof *ng);
            gi[r] = ++c->n_groups;
            um_group *g = &c->groups[gi[r] - 1];
            g->members = um_calloc(1, sizeof *g->members);
            if (!g->members) { free(gi); rc = UM_ENOMEM; goto out; }
            g->members[g->n_members++] = um_strdup(nodes[r].id);
            g->score = nodes[r].score;
            g->tier = nodes[r].level;
        }
        um_group *g = &c->groups[gi[r] - 1];
        char **nm = um_realloc(g->members, (g->n_members + 1) * sizeof *nm);
        if (!nm) { free(gi); rc = UM_ENOMEM; goto out; }
        g->members = nm;
        g->members[g->n_members++] = um_strdup(nodes[i].id);
        if (nodes[i].score > g->score) g->score = nodes[i].score;
        if (level_rank(nodes[i].level) > level_rank(g->tier)) g->tier = nodes[i].level;
    }
    for (size_t e = 0; e < n_edges; e++) {
        size_t r = uf_find(nodes, edges[e].a);
        um_group *g = &c->groups[gi[r] - 1];
        void *ne = um_realloc(g->edges, (g->n_edges + 1) * sizeof *g->edges);
        if (!ne) { free(gi); rc = UM_ENOMEM; goto out; }
        g->edges = ne;
        size_t ia = 0, ib = 0;
        for (size_t k = 0; k < g->n_members; k++) {
            if (strcmp(g->members[k], nodes[edges[e].a].id) == 0) ia = k;
            if (strcmp(g->members[k], nodes[edges[e].b].id) == 0) ib = k;
        }
        g->edges[g->n_edges].a = ia;
        g->edges[g->n_edges].b = ib;
        g->edges[g->n_edges].kind = um_strdup(edges[e].kind);
        g->edges[g->n_edges].value = um_strdup(edges[e].value);
        g->n_edges++;
    }
    free(gi);
    for (size_t i = 0; i < c->n_groups; i++) {
        um_group *g = &c->groups[i];
        for (size_t k = 0; k < g->n_members; k++) if (!g->members[k]) { rc = UM_ENOMEM; goto out; }
        /* id from the smallest member id: stable across re-scans of the same people */
        char *least = g->members[0];
        for (size_t k = 1; k < g->n_members; k++)
            if (strcmp(g->members[k], least) < 0) least = g->members[k];
        size_t n = strlen(least) + 3;
        g->id = um_malloc(n);
        if (!g->id) { rc = UM_ENOMEM; goto out; }
        snprintf(g->id, n, "G-%s", least + (least[0] && least[1] == '-' ? 2 : 0));
        for (size_t k = 0; k < g->n_members; k++) {
            bool created;
            um_map_slot *sl = um_map_upsert(&c->group_of, g->members[k], strlen(g->members[k]), &created);
            if (!sl) { rc = UM_ENOMEM; goto out; }
            sl->val = (void *)(uintptr_t)(i + 1);
        }
    }
    c->groups_built = true;
out:
    sqlite3_finalize(q);
    free(nodes);
    free(edges);
    um_map_free(&idx);
    return rc;
}

static json_t *page_obj(json_int_t total, const um_page *p, json_t *items) {
    json_t *o = json_object();
    json_object_set_new(o, "total", json_integer(total));
    json_object_set_new(o, "offset", json_integer((json_int_t)p->offset));
    json_object_set_new(o, "limit", json_integer((json_int_t)p->limit));
    json_object_set_new(o, "items", items);
    return o;
}

/* One page of rows as {total, offset, limit, items}: count_sql gives the
 * total, page_sql the rows, one object each from row(). Both bind ?1 = a and
 * ?2 = b (SQL NULL when absent); page_sql binds ?3 = limit, ?4 = offset.
 * The caller holds c->mu. */
static um_status paged(um_case *c, const char *what, const char *count_sql, const char *page_sql, const char *a,
                       const char *b, const um_page *p, json_t *(*row)(um_case *, sqlite3_stmt *), json_t **out) {
    *out = NULL;
    json_int_t total = 0;
    json_t *items = json_array();
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(c->db, count_sql, -1, &q, NULL) != SQLITE_OK) goto fail;
    bind(q, 1, a);
    bind(q, 2, b);
    if (sqlite3_step(q) == SQLITE_ROW) total = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    q = NULL;
    if (sqlite3_prepare_v2(c->db, page_sql, -1, &q, NULL) != SQLITE_OK) goto fail;
    bind(q, 1, a);
    bind(q, 2, b);
    sqlite3_bind_int64(q, 3, (sqlite3_int64)p->limit);
    sqlite3_bind_int64(q, 4, (sqlite3_int64)p->offset);
    int st;
    while ((st = sqlite3_step(q)) == SQLITE_ROW) json_array_append_new(items, row(c, q));
    if (st != SQLITE_DONE) goto fail;
    sqlite3_finalize(q);
    *out = page_obj(total, p, items);
    return *out ? UM_OK : UM_ENOMEM;
fail:;
    um_status rc = dberr(c, what);
    sqlite3_finalize(q);
    json_decref(items);
    return rc;
}

/* ---- verdicts ---- */

static json_t *verdict_row(sqlite3_stmt *q) {
    static const char *const names[] = {"#id", "target_kind", "target", "target_b", "verdict", "who", "at", "note"};
    return row_obj(q, names, 8);
}

static json_t *verdict_row_c(um_case *c, sqlite3_stmt *q) {
    (void)c;
    return verdict_row(q);
}

/* Latest verdict on (kind, id) or null; with history, every row (newest first). */
static json_t *verdicts_of(um_case *c, const char *kind, const char *id, bool history) {
    if (!c->has_verdicts) return history ? json_array() : json_null();
    sqlite3_stmt *q = NULL;
    json_t *arr = json_array();
    if (sqlite3_prepare_v2(c->db,
                           "SELECT id, target_kind, target_a, target_b, verdict, who, at, note FROM verdicts"
                           " WHERE target_kind = ?1 AND (target_a = ?2 OR target_b = ?2) ORDER BY id DESC LIMIT ?3",
                           -1, &q, NULL) == SQLITE_OK) {
        bind(q, 1, kind);
        bind(q, 2, id);
        sqlite3_bind_int(q, 3, history ? 100 : 1);
        while (sqlite3_step(q) == SQLITE_ROW) json_array_append_new(arr, verdict_row(q));
    }
    sqlite3_finalize(q);
    if (history) return arr;
    json_t *v = json_array_size(arr) ? json_incref(json_array_get(arr, 0)) : json_null();
    json_decref(arr);
    return v;
}

static const char *const subject_verdicts[] = {"confirmed", "cleared", "escalate"};
static const char *const pair_verdicts[] = {"same_person", "not_same_person"};

static bool one_of(const char *v, const char *const *set, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (v && strcmp(v, set[i]) == 0) return true;
    return false;
}

static bool subject_exists(um_case *c, const char *id) {
    sqlite3_stmt *q = NULL;
    bool yes = false;
    if (sqlite3_prepare_v2(c->db, "SELECT 1 FROM subjects WHERE id = ?", -1, &q, NULL) == SQLITE_OK) {
        bind(q, 1, id);
        yes = sqlite3_step(q) == SQLITE_ROW;
    }
    sqlite3_finalize(q);
    return yes;
}

static bool cluster_exists(um_case *c, const char *id) {
    if (c->has_clusters) {
        sqlite3_stmt *q = NULL;
        bool yes = false;
        if (sqlite3_prepare_v2(c->db, "SELECT 1 FROM clusters WHERE id = ?", -1, &q, NULL) == SQLITE_OK) {
            bind(q, 1, id);
            yes = sqlite3_step(q) == SQLITE_ROW;
        }
        sqlite3_finalize(q);
        return yes;
    }
    if (build_groups(c) != UM_OK) return false;
    for (size_t i = 0; i < c->n_groups; i++)
        if (strcmp(c->groups[i].id, id) == 0) return true;
    return false;
}

um_status um_case_verdict_add(um_case *c, const char *kind, const char *a, const char *b, const char *verdict,
                              const char *who, const char *note, json_t **out) {
    *out = NULL;
    if (!c->writable) {
        um_case_set_error(c, "the case was opened read-only");
        return UM_EINVAL;
    }
    if (!kind || !a || !*a || !verdict || !who || !*who) {
        um_case_set_error(c, "target_kind, target, verdict and who are required");
        return UM_EINVAL;
    }
    if (strlen(a) > 200 || (b && strlen(b) > 200) || strlen(who) > 200 || (note && strlen(note) > 4000)) {
        um_case_set_error(c, "a field is too long (ids and who: 200 bytes, note: 4000)");
        return UM_EINVAL;
    }
    pthread_mutex_lock(&c->mu);
    um_status rc = UM_OK;
    if (strcmp(kind, "subject") == 0 || strcmp(kind, "cluster") == 0) {
        if (!one_of(verdict, subject_verdicts, UM_ARRAY_LEN(subject_verdicts))) {
            um_case_set_error(c, "verdict must be confirmed, cleared or escalate");
            rc = UM_EINVAL;
        } else if (b && *b) {
            um_case_set_error(c, "target_b is only for pair verdicts");
            rc = UM_EINVAL;
        } else if (kind[0] == 's' ? !subject_exists(c, a) : !cluster_exists(c, a)) {
            um_case_set_error(c, "no %s with this id in the case", kind);
            rc = UM_ENOTFOUND;
        }
    } else if (strcmp(kind, "pair") == 0) {
        if (!one_of(verdict, pair_verdicts, UM_ARRAY_LEN(pair_verdicts))) {
            um_case_set_error(c, "verdict must be same_person or not_same_person");
            rc = UM_EINVAL;
        } else if (!b || !*b || strcmp(a, b) == 0) {
            um_case_set_error(c, "a pair verdict needs two different subjects (target, target_b)");
            rc = UM_EINVAL;
        } else if (!subject_exists(c, a) || !subject_exists(c, b)) {
            um_case_set_error(c, "no subject with this id in the case");
            rc = UM_ENOTFOUND;
        } else if (strcmp(a, b) > 0) {
            const char *t = a; /* stored in order: one pair, one key */
            a = b;
            b = t;
        }
    } else {
        um_case_set_error(c, "target_kind must be subject, cluster or pair");
        rc = UM_EINVAL;
    }
    if (rc != UM_OK) {
        pthread_mutex_unlock(&c->mu);
        return rc;
    }
    char at[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(c->db,
                           "INSERT INTO verdicts(target_kind, target_a, target_b, verdict, who, at, note)"
                           " VALUES(?,?,?,?,?,?,?) RETURNING id, target_kind, target_a, target_b, verdict, who, at, note",
                           -1, &q, NULL) != SQLITE_OK) {
        rc = dberr(c, "verdict");
    } else {
        bind(q, 1, kind);
        bind(q, 2, a);
        bind(q, 3, b && *b ? b : NULL);
        bind(q, 4, verdict);
        bind(q, 5, who);
        bind(q, 6, at);
        bind(q, 7, note && *note ? note : NULL);
        if (sqlite3_step(q) == SQLITE_ROW) *out = verdict_row(q);
        else rc = dberr(c, "verdict");
        if (sqlite3_step(q) != SQLITE_DONE && rc == UM_OK) rc = dberr(c, "verdict");
    }
    sqlite3_finalize(q);
    pthread_mutex_unlock(&c->mu);
    return rc;
}

um_status um_case_verdicts(um_case *c, const um_page *p, json_t **out) {
    pthread_mutex_lock(&c->mu);
    um_status rc = UM_OK;
    if (c->has_verdicts)
        rc = paged(c, "verdicts", "SELECT count(*) FROM verdicts",
                   "SELECT id, target_kind, target_a, target_b, verdict, who, at, note FROM verdicts"
                   " ORDER BY id DESC LIMIT ?3 OFFSET ?4",
                   NULL, NULL, p, verdict_row_c, out);
    else if (!(*out = page_obj(0, p, json_array())))
        rc = UM_ENOMEM;
    pthread_mutex_unlock(&c->mu);
    return rc;
}

/* ---- subjects ---- */

static json_t *cluster_ids_of(um_case *c, const char *sid) {
    json_t *arr = json_array();
    if (c->has_clusters) {
        sqlite3_stmt *q = NULL;
        if (sqlite3_prepare_v2(c->db, "SELECT cluster_id FROM cluster_members WHERE subject_id = ? LIMIT 20", -1, &q,
                               NULL) == SQLITE_OK) {
            bind(q, 1, sid);
            while (sqlite3_step(q) == SQLITE_ROW) json_array_append_new(arr, col_str(q, 0));
        }
        sqlite3_finalize(q);
    } else if (build_groups(c) == UM_OK) {
        uintptr_t g = (uintptr_t)um_map_get(&c->group_of, sid, strlen(sid));
        if (g) json_array_append_new(arr, um_json_str(c->groups[g - 1].id));
    }
    return arr;
}

/* Summary row: columns id, rank, display, score, level, identity, n_findings. */
static json_t *subject_row(um_case *c, sqlite3_stmt *q) {
    json_t *o = json_object();
    const char *id = (const char *)sqlite3_column_text(q, 0);
    json_object_set_new(o, "id", col_str(q, 0));
    json_object_set_new(o, "rank", col_int(q, 1));
    json_object_set_new(o, "display", col_str(q, 2));
    json_object_set_new(o, "score", col_int(q, 3));
    json_object_set_new(o, "level", col_str(q, 4));
    json_object_set_new(o, "identity", json_boolean(sqlite3_column_int(q, 5)));
    json_object_set_new(o, "n_findings", col_int(q, 6));
    /* distinct indicators, strongest first */
    json_t *ind = json_array();
    sqlite3_stmt *f = NULL;
    if (id && sqlite3_prepare_v2(c->db,
                                 "SELECT indicator FROM findings WHERE subject_id = ? GROUP BY indicator"
                                 " ORDER BY max(weight) DESC, indicator LIMIT 6",
                                 -1, &f, NULL) == SQLITE_OK) {
        bind(f, 1, id);
        while (sqlite3_step(f) == SQLITE_ROW) json_array_append_new(ind, col_str(f, 0));
    }
    sqlite3_finalize(f);
    json_object_set_new(o, "indicators", ind);
    json_object_set_new(o, "verdict", id ? verdicts_of(c, "subject", id, false) : json_null());
    json_object_set_new(o, "clusters", id ? cluster_ids_of(c, id) : json_array());
    return o;
}

static char *like_pattern(const char *q) {
    um_buf b;
    um_buf_init(&b);
    um_buf_addc(&b, '%');
    for (; *q; q++) {
        if (*q == '%' || *q == '_' || *q == '\\') um_buf_addc(&b, '\\');
        um_buf_addc(&b, *q);
    }
    um_buf_addc(&b, '%');
    if (b.oom) {
        um_buf_free(&b);
        return NULL;
    }
    return b.s;
}

um_status um_case_subjects(um_case *c, const um_page *p, json_t **out) {
    *out = NULL;
    char *pat = p->q && *p->q ? like_pattern(p->q) : NULL;
    if (p->q && *p->q && !pat) return UM_ENOMEM;
#define SUBJECTS_WHERE                                                                                               \
    " WHERE (?1 IS NULL OR level = ?1) AND (?2 IS NULL OR display LIKE ?2 ESCAPE '\\' OR id LIKE ?2 ESCAPE '\\'" \
    " OR id IN (SELECT subject_id FROM identifiers WHERE value LIKE ?2 ESCAPE '\\'))"
    pthread_mutex_lock(&c->mu);
    um_status rc = paged(c, "subjects", "SELECT count(*) FROM subjects" SUBJECTS_WHERE,
                         "SELECT id, rank, display, score, level, identity, n_findings FROM subjects" SUBJECTS_WHERE
                         " ORDER BY rank LIMIT ?3 OFFSET ?4",
                         p->level, pat, p, subject_row, out);
#undef SUBJECTS_WHERE
    pthread_mutex_unlock(&c->mu);
    free(pat);
    return rc;
}

static json_t *evidence_of(um_case *c, const char *fid) {
    json_t *arr = json_array();
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(c->db, "SELECT file, line, record, time, vals FROM evidence WHERE finding_id = ? ORDER BY seq",
                           -1, &q, NULL) == SQLITE_OK) {
        bind(q, 1, fid);
        while (sqlite3_step(q) == SQLITE_ROW) {
            json_t *e = json_object();
            json_object_set_new(e, "file", col_str(q, 0));
            json_object_set_new(e, "line", sqlite3_column_int64(q, 1) > 0 ? col_int(q, 1) : json_null());
            json_object_set_new(e, "record", col_str(q, 2));
            json_object_set_new(e, "time", col_str(q, 3));
            json_object_set_new(e, "values", col_str(q, 4));
            json_array_append_new(arr, e);
        }
    }
    sqlite3_finalize(q);
    return arr;
}

#define FINDING_COLS "id, subject_id, indicator, analyzer, strength, weight, summary, key, count, first_seen, last_seen"

static json_t *finding_row(um_case *c, sqlite3_stmt *q, bool evidence) {
    static const char *const names[] = {"id",      "subject_id", "indicator", "analyzer",   "strength", "#weight",
                                        "summary", "key",        "#count",    "first_seen", "last_seen"};
    json_t *o = row_obj(q, names, 11);
    if (evidence) {
        const char *id = (const char *)sqlite3_column_text(q, 0);
        json_object_set_new(o, "evidence", id ? evidence_of(c, id) : json_array());
    }
    return o;
}

/* Identifiers of sid shared with other subjects (linking kinds), with those
 * subjects: the person's own "network" even without clusters. */
static json_t *shared_of(um_case *c, const char *sid) {
    json_t *arr = json_array();
    sqlite3_stmt *q = NULL;
    /* the person's identifiers first (CROSS JOIN keeps that order), then
     * who else holds each: on identifier_rows, `kind <= 12` is what lets the
     * value index (linking kinds only) answer the second lookup */
    const char *sql =
        c->has_id_rows
            ? "SELECT k.name, i.value, o.subject_id, s.display, s.level, s.score FROM identifier_rows i"
              " CROSS JOIN identifier_rows o ON o.kind = i.kind AND o.value = i.value AND o.subject_id <> i.subject_id"
              " JOIN identifier_kinds k ON k.id = i.kind JOIN subjects s ON s.id = o.subject_id"
              " WHERE i.subject_id = ? AND i.kind <= " UM_CASE_LINK_KIND_MAX_SQL " AND o.kind <= "
              UM_CASE_LINK_KIND_MAX_SQL " ORDER BY k.name, i.value, s.rank LIMIT 2000"
            : "SELECT i.kind, i.value, o.subject_id, s.display, s.level, s.score FROM identifiers i"
              " CROSS JOIN identifiers o ON o.kind = i.kind AND o.value = i.value AND o.subject_id <> i.subject_id"
              " JOIN subjects s ON s.id = o.subject_id WHERE i.subject_id = ? AND i.kind IN (" LINK_KINDS_SQL
              ") ORDER BY i.kind, i.value, s.rank LIMIT 2000";
    if (sqlite3_prepare_v2(c->db, sql, -1, &q, NULL) != SQLITE_OK)
        return arr;
    bind(q, 1, sid);
    json_t *cur = NULL;
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *kind = (const char *)sqlite3_column_text(q, 0);
        const char *value = (const char *)sqlite3_column_text(q, 1);
        if (!kind || !value || !is_link_kind(kind)) continue;
        if (!cur || strcmp(json_string_value(json_object_get(cur, "kind")), kind) != 0 ||
            strcmp(json_string_value(json_object_get(cur, "value")) ? json_string_value(json_object_get(cur, "value"))
                                                                     : "",
                   value) != 0) {
            if (json_array_size(arr) >= 40) break;
            cur = json_object();
            json_object_set_new(cur, "kind", col_str(q, 0));
            json_object_set_new(cur, "value", col_str(q, 1));
            json_object_set_new(cur, "subjects", json_array());
            json_array_append_new(arr, cur);
        }
        json_t *s = json_object();
        json_object_set_new(s, "id", col_str(q, 2));
        json_object_set_new(s, "display", col_str(q, 3));
        json_object_set_new(s, "level", col_str(q, 4));
        json_object_set_new(s, "score", col_int(q, 5));
        json_t *subs = json_object_get(cur, "subjects");
        if (json_array_size(subs) < UM_GROUP_MAX_SHARE) json_array_append_new(subs, s);
        else json_decref(s);
    }
    sqlite3_finalize(q);
    return arr;
}

static void add_activity(um_case *c, json_t *o, const char *sid) {
    if (!c->has_activity) {
        json_object_set_new(o, "activity", json_null());
        json_object_set_new(o, "zone", json_null());
        json_object_set_new(o, "logins", json_array());
        json_object_set_new(o, "logins_total", json_integer(0));
        return;
    }
    json_t *grid = json_array();
    for (int d = 0; d < 7; d++) {
        json_t *row = json_array();
        for (int h = 0; h < 24; h++) json_array_append_new(row, json_integer(0));
        json_array_append_new(grid, row);
    }
    sqlite3_stmt *q = NULL;
    json_int_t sum = 0;
    if (sqlite3_prepare_v2(c->db, "SELECT counts FROM activity WHERE subject_id = ?", -1, &q, NULL) == SQLITE_OK) {
        bind(q, 1, sid);
        const char *t = sqlite3_step(q) == SQLITE_ROW ? (const char *)sqlite3_column_text(q, 0) : NULL;
        /* 168 comma-separated counts, Monday 00 UTC first; anything else is ignored */
        for (int cell = 0; t && *t && cell < 7 * 24; cell++) {
            char *end;
            long long n = strtoll(t, &end, 10);
            if (end == t || n < 0) break;
            sum += n;
            json_array_set_new(json_array_get(grid, (size_t)(cell / 24)), (size_t)(cell % 24), json_integer(n));
            t = *end == ',' ? end + 1 : end;
        }
    }
    sqlite3_finalize(q);
    q = NULL;
    json_object_set_new(o, "activity", sum ? grid : json_null());
    if (!sum) json_decref(grid);
    json_t *zone = json_null();
    if (sqlite3_prepare_v2(c->db, "SELECT claimed, offset_lo, offset_hi FROM subject_zone WHERE subject_id = ?", -1,
                           &q, NULL) == SQLITE_OK) {
        bind(q, 1, sid);
        if (sqlite3_step(q) == SQLITE_ROW) {
            zone = json_object();
            json_object_set_new(zone, "claimed", col_str(q, 0));
            json_object_set_new(zone, "offset_lo", col_int(q, 1));
            json_object_set_new(zone, "offset_hi", col_int(q, 2));
        }
    }
    sqlite3_finalize(q);
    q = NULL;
    json_object_set_new(o, "zone", zone);
    json_t *logins = json_array();
    if (sqlite3_prepare_v2(c->db,
                           "SELECT time, kind, ip, country, asn, as_org, net, app, result FROM logins"
                           " WHERE subject_id = ? ORDER BY seq",
                           -1, &q, NULL) == SQLITE_OK) {
        bind(q, 1, sid);
        static const char *names[] = {"time", "kind", "ip", "country", "asn", "as_org", "net", "app", "result"};
        while (sqlite3_step(q) == SQLITE_ROW) {
            json_t *l = json_object();
            for (int i = 0; i < 9; i++) json_object_set_new(l, names[i], i == 4 ? col_int(q, i) : col_str(q, i));
            json_array_append_new(logins, l);
        }
    }
    sqlite3_finalize(q);
    q = NULL;
    json_object_set_new(o, "logins", logins);
    json_int_t total = (json_int_t)json_array_size(logins);
    if (sqlite3_prepare_v2(c->db, "SELECT total FROM logins_total WHERE subject_id = ?", -1, &q, NULL) == SQLITE_OK) {
        bind(q, 1, sid);
        if (sqlite3_step(q) == SQLITE_ROW) total = sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
    json_object_set_new(o, "logins_total", json_integer(total));
}

static json_t *str_list(um_case *c, const char *sql, const char *sid) {
    json_t *arr = json_array();
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(c->db, sql, -1, &q, NULL) == SQLITE_OK) {
        bind(q, 1, sid);
        while (sqlite3_step(q) == SQLITE_ROW) json_array_append_new(arr, col_str(q, 0));
    }
    sqlite3_finalize(q);
    return arr;
}

/* Full person page; caller holds c->mu. */
static um_status subject_locked(um_case *c, const char *id, json_t **out) {
    *out = NULL;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(c->db, "SELECT id, rank, display, score, level, identity, n_findings FROM subjects WHERE id = ?",
                           -1, &q, NULL) != SQLITE_OK)
        return dberr(c, "subject");
    bind(q, 1, id);
    if (sqlite3_step(q) != SQLITE_ROW) {
        sqlite3_finalize(q);
        um_case_set_error(c, "no subject with this id");
        return UM_ENOTFOUND;
    }
    json_t *o = subject_row(c, q);
    sqlite3_finalize(q);
    q = NULL;
    json_object_set_new(o, "names",
                        str_list(c, "SELECT value FROM identifiers WHERE subject_id = ? AND kind = 'full_name'", id));
    json_object_set_new(o, "sources",
                        str_list(c, "SELECT source FROM subject_sources WHERE subject_id = ? ORDER BY source", id));
    json_object_set_new(o, "joins",
                        str_list(c, "SELECT sentence FROM subject_joins WHERE subject_id = ? ORDER BY seq", id));
    json_t *ids = json_array();
    if (sqlite3_prepare_v2(c->db,
                           "SELECT kind, value, file, line FROM identifiers WHERE subject_id = ? ORDER BY kind, value"
                           " LIMIT 500",
                           -1, &q, NULL) == SQLITE_OK) {
        bind(q, 1, id);
        while (sqlite3_step(q) == SQLITE_ROW) {
            json_t *e = json_object();
            json_object_set_new(e, "kind", col_str(q, 0));
            json_object_set_new(e, "value", col_str(q, 1));
            json_object_set_new(e, "file", col_str(q, 2));
            json_object_set_new(e, "line", sqlite3_column_int64(q, 3) > 0 ? col_int(q, 3) : json_null());
            json_array_append_new(ids, e);
        }
    }
    sqlite3_finalize(q);
    q = NULL;
    json_object_set_new(o, "identifiers", ids);
    json_t *fs = json_array();
    if (sqlite3_prepare_v2(c->db,
                           "SELECT " FINDING_COLS
                           " FROM findings WHERE subject_id = ? ORDER BY weight DESC, indicator, id LIMIT 200",
                           -1, &q, NULL) == SQLITE_OK) {
        bind(q, 1, id);
        while (sqlite3_step(q) == SQLITE_ROW) json_array_append_new(fs, finding_row(c, q, true));
    }
    sqlite3_finalize(q);
    json_object_set_new(o, "findings", fs);
    add_activity(c, o, id);
    json_object_set_new(o, "shared", shared_of(c, id));
    json_object_set_new(o, "verdicts", verdicts_of(c, "subject", id, true));
    json_object_set_new(o, "pair_verdicts", verdicts_of(c, "pair", id, true));
    *out = o;
    return UM_OK;
}

um_status um_case_subject(um_case *c, const char *id, json_t **out) {
    pthread_mutex_lock(&c->mu);
    um_status rc = subject_locked(c, id, out);
    pthread_mutex_unlock(&c->mu);
    return rc;
}

/* ---- clusters ---- */

static json_t *member_summary(um_case *c, const char *sid) {
    sqlite3_stmt *q = NULL;
    json_t *o = NULL;
    if (sqlite3_prepare_v2(c->db, "SELECT id, rank, display, score, level, identity, n_findings FROM subjects WHERE id = ?",
                           -1, &q, NULL) == SQLITE_OK) {
        bind(q, 1, sid);
        if (sqlite3_step(q) == SQLITE_ROW) o = subject_row(c, q);
    }
    sqlite3_finalize(q);
    if (!o) { /* member not among the subjects: keep the id */
        o = json_object();
        json_object_set_new(o, "id", um_json_str(sid));
        json_object_set_new(o, "display", um_json_str(sid));
        json_object_set_new(o, "level", json_null());
        json_object_set_new(o, "score", json_null());
    }
    return o;
}

static json_t *group_json(um_case *c, const um_group *g, bool detail) {
    json_t *o = json_object();
    json_object_set_new(o, "id", um_json_str(g->id));
    json_object_set_new(o, "tier", um_json_str(g->tier));
    json_object_set_new(o, "score", json_integer(g->score));
    json_object_set_new(o, "size", json_integer((json_int_t)g->n_members));
    json_object_set_new(o, "derived", json_true());
    json_object_set_new(o, "verdict", verdicts_of(c, "cluster", g->id, false));
    json_t *m = json_array();
    for (size_t k = 0; k < g->n_members; k++)
        json_array_append_new(m, detail ? member_summary(c, g->members[k]) : um_json_str(g->members[k]));
    json_object_set_new(o, "members", m);
    if (detail) {
        json_t *e = json_array();
        for (size_t k = 0; k < g->n_edges; k++) {
            json_t *x = json_object();
            json_object_set_new(x, "a", um_json_str(g->members[g->edges[k].a]));
            json_object_set_new(x, "b", um_json_str(g->members[g->edges[k].b]));
            json_object_set_new(x, "kind", um_json_str(g->edges[k].kind));
            json_object_set_new(x, "value", um_json_str(g->edges[k].value));
            json_object_set_new(x, "weight", json_null());
            json_array_append_new(e, x);
        }
        json_object_set_new(o, "edges", e);
        json_object_set_new(o, "verdicts", verdicts_of(c, "cluster", g->id, true));
    }
    return o;
}

static json_t *cluster_row(um_case *c, sqlite3_stmt *q, bool detail) {
    json_t *o = json_object();
    const char *id = (const char *)sqlite3_column_text(q, 0);
    json_object_set_new(o, "id", col_str(q, 0));
    json_object_set_new(o, "tier", col_str(q, 1));
    json_object_set_new(o, "score", col_num(q, 2));
    json_object_set_new(o, "derived", json_false());
    json_object_set_new(o, "verdict", id ? verdicts_of(c, "cluster", id, false) : json_null());
    json_t *m = json_array();
    sqlite3_stmt *mq = NULL;
    if (id && sqlite3_prepare_v2(c->db,
                                 "SELECT m.subject_id FROM cluster_members m LEFT JOIN subjects s ON s.id = m.subject_id"
                                 " WHERE m.cluster_id = ? ORDER BY s.rank LIMIT 1000",
                                 -1, &mq, NULL) == SQLITE_OK) {
        bind(mq, 1, id);
        while (sqlite3_step(mq) == SQLITE_ROW) {
            const char *sid = (const char *)sqlite3_column_text(mq, 0);
            if (!sid) continue;
            json_array_append_new(m, detail ? member_summary(c, sid) : um_json_str(sid));
        }
    }
    sqlite3_finalize(mq);
    json_object_set_new(o, "size", json_integer((json_int_t)json_array_size(m)));
    json_object_set_new(o, "members", m);
    if (detail && id) {
        json_t *e = json_array();
        if (sqlite3_prepare_v2(c->db,
                               "SELECT a, b, kind, value, weight FROM cluster_edges WHERE cluster_id = ? LIMIT 5000", -1,
                               &mq, NULL) == SQLITE_OK) {
            bind(mq, 1, id);
            static const char *const names[] = {"a", "b", "kind", "value", "~weight"};
            while (sqlite3_step(mq) == SQLITE_ROW) json_array_append_new(e, row_obj(mq, names, 5));
        }
        sqlite3_finalize(mq);
        json_object_set_new(o, "edges", e);
        json_object_set_new(o, "verdicts", verdicts_of(c, "cluster", id, true));
    }
    return o;
}

static json_t *cluster_row_brief(um_case *c, sqlite3_stmt *q) { return cluster_row(c, q, false); }

um_status um_case_clusters(um_case *c, const um_page *p, json_t **out) {
    *out = NULL;
    pthread_mutex_lock(&c->mu);
    um_status rc = UM_OK;
    if (c->has_clusters)
        rc = paged(c, "clusters", "SELECT count(*) FROM clusters",
                   "SELECT id, tier, score FROM clusters ORDER BY score DESC, id LIMIT ?3 OFFSET ?4", NULL, NULL, p,
                   cluster_row_brief, out);
    else if ((rc = build_groups(c)) == UM_OK) {
        json_t *items = json_array();
        for (size_t i = p->offset; i < c->n_groups && i < p->offset + p->limit; i++)
            json_array_append_new(items, group_json(c, &c->groups[i], false));
        if (!(*out = page_obj((json_int_t)c->n_groups, p, items))) rc = UM_ENOMEM;
    }
    pthread_mutex_unlock(&c->mu);
    if (rc == UM_OK) json_object_set_new(*out, "derived", json_boolean(!c->has_clusters));
    return rc;
}

um_status um_case_cluster(um_case *c, const char *id, json_t **out) {
    *out = NULL;
    pthread_mutex_lock(&c->mu);
    um_status rc = UM_ENOTFOUND;
    if (c->has_clusters) {
        sqlite3_stmt *q = NULL;
        if (sqlite3_prepare_v2(c->db, "SELECT id, tier, score FROM clusters WHERE id = ?", -1, &q, NULL) != SQLITE_OK)
            rc = dberr(c, "cluster");
        else {
            bind(q, 1, id);
            if (sqlite3_step(q) == SQLITE_ROW) {
                *out = cluster_row(c, q, true);
                rc = UM_OK;
            }
        }
        sqlite3_finalize(q);
    } else if ((rc = build_groups(c)) == UM_OK) {
        rc = UM_ENOTFOUND;
        for (size_t i = 0; i < c->n_groups; i++)
            if (strcmp(c->groups[i].id, id) == 0) {
                *out = group_json(c, &c->groups[i], true);
                rc = UM_OK;
                break;
            }
    }
    if (rc == UM_ENOTFOUND) um_case_set_error(c, "no cluster with this id");
    pthread_mutex_unlock(&c->mu);
    return rc;
}

/* ---- findings, rejects, summary ---- */

static json_t *finding_row_full(um_case *c, sqlite3_stmt *q) { return finding_row(c, q, true); }

um_status um_case_findings(um_case *c, const um_page *p, json_t **out) {
#define FINDINGS_WHERE " WHERE (?1 IS NULL OR indicator = ?1) AND (?2 IS NULL OR subject_id = ?2)"
    pthread_mutex_lock(&c->mu);
    um_status rc = paged(c, "findings", "SELECT count(*) FROM findings" FINDINGS_WHERE,
                         "SELECT " FINDING_COLS " FROM findings" FINDINGS_WHERE
                         " ORDER BY (SELECT rank FROM subjects WHERE id = subject_id), weight DESC, id"
                         " LIMIT ?3 OFFSET ?4",
                         p->indicator, p->subject, p, finding_row_full, out);
#undef FINDINGS_WHERE
    pthread_mutex_unlock(&c->mu);
    return rc;
}

static json_t *reject_row(um_case *c, sqlite3_stmt *q) {
    (void)c;
    static const char *const names[] = {"#seq", "kind", "file", "#line", "reader", "reason"};
    return row_obj(q, names, 6);
}

um_status um_case_rejects(um_case *c, const um_page *p, json_t **out) {
    pthread_mutex_lock(&c->mu);
    um_status rc = paged(c, "rejects", "SELECT count(*) FROM rejects",
                         "SELECT seq, kind, file, line, reader, reason FROM rejects ORDER BY seq LIMIT ?3 OFFSET ?4",
                         NULL, NULL, p, reject_row, out);
    if (rc == UM_OK) {
        /* grouped by reader and reason (its first 80 characters), largest first */
        static const char *const names[] = {"kind", "reader", "reason", "#count", "example_file", "#example_line"};
        json_t *by = json_array();
        sqlite3_stmt *q = NULL;
        if (sqlite3_prepare_v2(c->db,
                               "SELECT kind, reader, substr(reason, 1, 80) AS r, count(*), min(file), min(line)"
                               " FROM rejects GROUP BY kind, reader, r ORDER BY count(*) DESC LIMIT 100",
                               -1, &q, NULL) == SQLITE_OK)
            while (sqlite3_step(q) == SQLITE_ROW) json_array_append_new(by, row_obj(q, names, 6));
        sqlite3_finalize(q);
        json_object_set_new(*out, "by_reason", by);
    }
    pthread_mutex_unlock(&c->mu);
    return rc;
}

um_status um_case_summary(um_case *c, json_t **out) {
    pthread_mutex_lock(&c->mu);
    json_t *o = json_object(), *ev = json_object(), *lv = json_object(), *meta = json_object();
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(c->db, "SELECT key, value FROM events_summary", -1, &q, NULL) == SQLITE_OK)
        while (sqlite3_step(q) == SQLITE_ROW) {
            const char *k = (const char *)sqlite3_column_text(q, 0);
            if (k) json_object_set_new(ev, k, col_int(q, 1));
        }
    sqlite3_finalize(q);
    q = NULL;
    if (sqlite3_prepare_v2(c->db, "SELECT key, value FROM meta", -1, &q, NULL) == SQLITE_OK)
        while (sqlite3_step(q) == SQLITE_ROW) {
            const char *k = (const char *)sqlite3_column_text(q, 0);
            if (k) json_object_set_new(meta, k, col_str(q, 1));
        }
    sqlite3_finalize(q);
    q = NULL;
    json_int_t n = 0;
    if (sqlite3_prepare_v2(c->db, "SELECT level, count(*) FROM subjects GROUP BY level", -1, &q, NULL) == SQLITE_OK)
        while (sqlite3_step(q) == SQLITE_ROW) {
            const char *k = (const char *)sqlite3_column_text(q, 0);
            if (k) json_object_set_new(lv, k, col_int(q, 1));
            n += sqlite3_column_int64(q, 1);
        }
    sqlite3_finalize(q);
    json_object_set_new(o, "case", um_json_str(c->path));
    json_object_set_new(o, "meta", meta);
    json_object_set_new(o, "subjects", json_integer(n));
    json_object_set_new(o, "levels", lv);
    json_object_set_new(o, "inputs", ev);
    json_object_set_new(o, "clusters_from_linkage", json_boolean(c->has_clusters));
    json_object_set_new(o, "has_activity", json_boolean(c->has_activity));
    json_object_set_new(o, "writable", json_boolean(c->writable));
    pthread_mutex_unlock(&c->mu);
    *out = o;
    return UM_OK;
}
