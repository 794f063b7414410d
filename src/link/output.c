/*
 * output.c - the linkage result as clusters.jsonl lines and as the case.db
 * tables `clusters`, `cluster_members`, `cluster_edges` and
 * `generic_values` (docs/SCHEMA.md), and analysts' pair verdicts read back
 * from a case.db `verdicts` table. Only reads the result; SQL parameters
 * are bound, never pasted.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "../util/util.h"
#include "link.h"

static const char *sid_of(const char *const *ids, uint32_t s, char *buf, size_t cap) {
    if (ids && ids[s]) return ids[s];
    snprintf(buf, cap, "#%u", s);
    return buf;
}

static void src_text(const um_lk_obs *o, char *buf, size_t cap) {
    if (o && o->file) snprintf(buf, cap, "%s:%llu", o->file, (unsigned long long)o->line);
    else buf[0] = 0;
}

static void edge_json(um_buf *b, const um_lk_result *r, uint32_t e, const um_lk_obs *obs, size_t nobs,
                      const char *const *ids) {
    const um_lk_edge *ed = &r->edges[e];
    char x[24], y[24], src[600];
    um_buf_adds(b, "{\"a\":");
    um_buf_add_json(b, sid_of(ids, ed->a, x, sizeof x));
    um_buf_adds(b, ",\"b\":");
    um_buf_add_json(b, sid_of(ids, ed->b, y, sizeof y));
    um_buf_printf(b, ",\"tier\":\"%s\",\"weight\":%.2f,\"household\":%s,\"verdict\":%s,\"identifiers\":[",
                  um_lk_tier_name(ed->tier), ed->weight, ed->household ? "true" : "false",
                  ed->verdict ? "true" : "false");
    for (uint32_t k = 0; k < ed->why_n; k++) {
        const um_lk_why *w = &r->why[ed->why_off + k];
        const um_lk_value *v = &r->values[w->value_id];
        um_buf_printf(b, "%s{\"kind\":\"%s\",\"value\":", k ? "," : "", um_lk_kind_name((um_lk_kind)w->kind));
        um_buf_add_json(b, v->first_obs < nobs ? obs[v->first_obs].value : "");
        um_buf_printf(b, ",\"subjects\":%u,\"weight\":%.2f,\"source_a\":", v->nsubjects, w->weight);
        src_text(w->obs_a < nobs ? &obs[w->obs_a] : NULL, src, sizeof src);
        um_buf_add_json(b, src);
        um_buf_adds(b, ",\"source_b\":");
        src_text(w->obs_b < nobs ? &obs[w->obs_b] : NULL, src, sizeof src);
        um_buf_add_json(b, src);
        um_buf_addc(b, '}');
    }
    um_buf_adds(b, "]}");
}

void um_lk_cluster_json(um_buf *b, const um_lk_result *r, size_t ci, const um_lk_obs *obs, size_t nobs,
                        const char *const *ids, int score) {
    const um_lk_cluster *c = &r->clusters[ci];
    char x[24];
    um_buf_printf(b, "{\"schema\":1,\"id\":\"%s\",\"tier\":\"%s\",\"score\":%d,\"size\":%zu,\"parent\":", c->id,
                  um_lk_tier_name(c->tier), score, c->nmembers);
    if (c->parent >= 0) um_buf_printf(b, "\"%s\"", r->clusters[c->parent].id);
    else um_buf_adds(b, "null");
    um_buf_adds(b, ",\"members\":[");
    for (size_t i = 0; i < c->nmembers; i++) {
        if (i) um_buf_addc(b, ',');
        um_buf_add_json(b, sid_of(ids, c->members[i], x, sizeof x));
    }
    um_buf_printf(b, "],\"min_weight\":%.2f,\"max_weight\":%.2f,\"weakest_link\":", c->min_weight, c->max_weight);
    if (c->weakest >= 0) edge_json(b, r, (uint32_t)c->weakest, obs, nobs, ids);
    else um_buf_adds(b, "null");
    um_buf_adds(b, ",\"edges\":[");
    for (size_t i = 0; i < c->nedges; i++) {
        if (i) um_buf_addc(b, ',');
        edge_json(b, r, c->edges[i], obs, nobs, ids);
    }
    um_buf_adds(b, "]}\n");
}

void um_lk_generic_json(um_buf *b, const um_lk_result *r, size_t gi, const um_lk_obs *obs, size_t nobs,
                        size_t cap) {
    const um_lk_value *v = &r->values[r->generic[gi]];
    um_buf_printf(b, "{\"schema\":1,\"generic_value\":{\"kind\":\"%s\",\"value\":", um_lk_kind_name((um_lk_kind)v->kind));
    um_buf_add_json(b, v->first_obs < nobs ? obs[v->first_obs].value : "");
    um_buf_printf(b, ",\"subjects\":%u,\"cap\":%zu}}\n", v->nsubjects, cap);
}

static bool SQL_OK(int rc) { return rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW; }

um_status um_lk_write_sqlite(void *dbv, const um_lk_result *r, const um_lk_obs *obs, size_t nobs,
                             const char *const *ids, const int *cluster_score, const size_t *caps) {
    sqlite3 *db = dbv;
    const char *ddl =
        "CREATE TABLE IF NOT EXISTS clusters(id TEXT PRIMARY KEY, tier TEXT, score INTEGER, size INTEGER, "
        "parent TEXT, min_weight REAL, max_weight REAL, weakest_a TEXT, weakest_b TEXT, weakest_weight REAL);"
        "CREATE TABLE IF NOT EXISTS cluster_members(cluster_id TEXT, subject_id TEXT);"
        "CREATE TABLE IF NOT EXISTS cluster_edges(cluster_id TEXT, a TEXT, b TEXT, kind TEXT, value TEXT, "
        "weight REAL, edge_tier TEXT, edge_weight REAL, subjects INTEGER, source_a TEXT, source_b TEXT);"
        "CREATE TABLE IF NOT EXISTS generic_values(kind TEXT, value TEXT, subjects INTEGER, cap INTEGER);";
    if (sqlite3_exec(db, ddl, NULL, NULL, NULL) != SQLITE_OK) return UM_EIO;
    sqlite3_stmt *sc = NULL, *sm = NULL, *se = NULL, *sg = NULL;
    um_status st = UM_EIO;
    if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO clusters VALUES(?,?,?,?,?,?,?,?,?,?)", -1, &sc, NULL) ||
        sqlite3_prepare_v2(db, "INSERT INTO cluster_members VALUES(?,?)", -1, &sm, NULL) ||
        sqlite3_prepare_v2(db, "INSERT INTO cluster_edges VALUES(?,?,?,?,?,?,?,?,?,?,?)", -1, &se, NULL) ||
        sqlite3_prepare_v2(db, "INSERT INTO generic_values VALUES(?,?,?,?)", -1, &sg, NULL))
        goto done;
    char x[24], y[24], sa[600], sb[600];
    for (size_t ci = 0; ci < r->nclusters; ci++) {
        const um_lk_cluster *c = &r->clusters[ci];
        sqlite3_reset(sc);
        sqlite3_bind_text(sc, 1, c->id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(sc, 2, um_lk_tier_name(c->tier), -1, SQLITE_STATIC);
        sqlite3_bind_int(sc, 3, cluster_score ? cluster_score[ci] : 0);
        sqlite3_bind_int64(sc, 4, (sqlite3_int64)c->nmembers);
        if (c->parent >= 0) sqlite3_bind_text(sc, 5, r->clusters[c->parent].id, -1, SQLITE_TRANSIENT);
        else sqlite3_bind_null(sc, 5);
        sqlite3_bind_double(sc, 6, c->min_weight);
        sqlite3_bind_double(sc, 7, c->max_weight);
        if (c->weakest >= 0) {
            const um_lk_edge *w = &r->edges[c->weakest];
            sqlite3_bind_text(sc, 8, sid_of(ids, w->a, x, sizeof x), -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(sc, 9, sid_of(ids, w->b, y, sizeof y), -1, SQLITE_TRANSIENT);
            sqlite3_bind_double(sc, 10, w->weight);
        } else {
            sqlite3_bind_null(sc, 8), sqlite3_bind_null(sc, 9), sqlite3_bind_null(sc, 10);
        }
        if (!SQL_OK(sqlite3_step(sc))) goto done;
        for (size_t i = 0; i < c->nmembers; i++) {
            sqlite3_reset(sm);
            sqlite3_bind_text(sm, 1, c->id, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(sm, 2, sid_of(ids, c->members[i], x, sizeof x), -1, SQLITE_TRANSIENT);
            if (!SQL_OK(sqlite3_step(sm))) goto done;
        }
        for (size_t i = 0; i < c->nedges; i++) {
            const um_lk_edge *ed = &r->edges[c->edges[i]];
            for (uint32_t k = 0; k < ed->why_n; k++) {
                const um_lk_why *w = &r->why[ed->why_off + k];
                const um_lk_value *v = &r->values[w->value_id];
                sqlite3_reset(se);
                sqlite3_bind_text(se, 1, c->id, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(se, 2, sid_of(ids, ed->a, x, sizeof x), -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(se, 3, sid_of(ids, ed->b, y, sizeof y), -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(se, 4, um_lk_kind_name((um_lk_kind)w->kind), -1, SQLITE_STATIC);
                sqlite3_bind_text(se, 5, v->first_obs < nobs ? obs[v->first_obs].value : "", -1, SQLITE_TRANSIENT);
                sqlite3_bind_double(se, 6, w->weight);
                sqlite3_bind_text(se, 7, um_lk_tier_name(ed->tier), -1, SQLITE_STATIC);
                sqlite3_bind_double(se, 8, ed->weight);
                sqlite3_bind_int64(se, 9, v->nsubjects);
                src_text(w->obs_a < nobs ? &obs[w->obs_a] : NULL, sa, sizeof sa);
                src_text(w->obs_b < nobs ? &obs[w->obs_b] : NULL, sb, sizeof sb);
                sqlite3_bind_text(se, 10, sa, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(se, 11, sb, -1, SQLITE_TRANSIENT);
                if (!SQL_OK(sqlite3_step(se))) goto done;
            }
            if (ed->why_n == 0) { /* a verdict-only edge */
                sqlite3_reset(se);
                sqlite3_bind_text(se, 1, c->id, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(se, 2, sid_of(ids, ed->a, x, sizeof x), -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(se, 3, sid_of(ids, ed->b, y, sizeof y), -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(se, 4, "verdict", -1, SQLITE_STATIC);
                sqlite3_bind_text(se, 5, "same_person", -1, SQLITE_STATIC);
                sqlite3_bind_null(se, 6);
                sqlite3_bind_text(se, 7, um_lk_tier_name(ed->tier), -1, SQLITE_STATIC);
                sqlite3_bind_double(se, 8, ed->weight);
                sqlite3_bind_int64(se, 9, 2);
                sqlite3_bind_null(se, 10), sqlite3_bind_null(se, 11);
                if (!SQL_OK(sqlite3_step(se))) goto done;
            }
        }
    }
    for (size_t g = 0; g < r->ngeneric; g++) {
        const um_lk_value *v = &r->values[r->generic[g]];
        sqlite3_reset(sg);
        sqlite3_bind_text(sg, 1, um_lk_kind_name((um_lk_kind)v->kind), -1, SQLITE_STATIC);
        sqlite3_bind_text(sg, 2, v->first_obs < nobs ? obs[v->first_obs].value : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(sg, 3, v->nsubjects);
        sqlite3_bind_int64(sg, 4, caps ? (sqlite3_int64)caps[v->kind] : 0);
        if (!SQL_OK(sqlite3_step(sg))) goto done;
    }
    st = UM_OK;
done:
    sqlite3_finalize(sc);
    sqlite3_finalize(sm);
    sqlite3_finalize(se);
    sqlite3_finalize(sg);
    return st;
}

/* Pair verdicts from an existing case.db: the newest row per pair wins. */
um_status um_lk_read_verdicts(const char *case_db, const char *const *ids, size_t nids, um_lk_verdict **out,
                              size_t *nout) {
    *out = NULL;
    *nout = 0;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(case_db, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return UM_OK; /* no case yet: no verdicts */
    }
    um_map idx;
    um_map_init(&idx);
    um_status st = UM_OK;
    for (size_t i = 0; i < nids && st == UM_OK; i++) {
        if (!ids[i]) continue;
        bool created;
        um_map_slot *sl = um_map_upsert(&idx, ids[i], strlen(ids[i]), &created);
        if (!sl) st = UM_ENOMEM;
        else sl->val = (void *)(uintptr_t)(i + 1);
    }
    sqlite3_stmt *q = NULL;
    size_t cap = 0;
    if (st == UM_OK &&
        sqlite3_prepare_v2(db,
                           "SELECT target_a, target_b, verdict FROM verdicts v WHERE target_kind = 'pair' AND id = "
                           "(SELECT max(id) FROM verdicts w WHERE w.target_kind = 'pair' AND w.target_a = "
                           "v.target_a AND w.target_b = v.target_b)",
                           -1, &q, NULL) == SQLITE_OK) {
        while (sqlite3_step(q) == SQLITE_ROW) {
            const char *a = (const char *)sqlite3_column_text(q, 0), *b = (const char *)sqlite3_column_text(q, 1),
                       *v = (const char *)sqlite3_column_text(q, 2);
            if (!a || !b || !v) continue;
            uintptr_t ia = (uintptr_t)um_map_get(&idx, a, strlen(a)), ib = (uintptr_t)um_map_get(&idx, b, strlen(b));
            if (!ia || !ib) continue; /* a subject no longer in the inputs */
            um_lk_verdict_kind k = strcmp(v, "same_person") == 0       ? UM_LK_VERDICT_SAME
                                   : strcmp(v, "not_same_person") == 0 ? UM_LK_VERDICT_DIFFERENT
                                                                       : 0;
            if (!k) continue;
            if (!um_grow((void **)out, &cap, *nout + 1, sizeof **out)) {
                st = UM_ENOMEM;
                break;
            }
            (*out)[(*nout)++] = (um_lk_verdict){(uint32_t)(ia - 1), (uint32_t)(ib - 1), k};
        }
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    um_map_free(&idx);
    return st;
}
