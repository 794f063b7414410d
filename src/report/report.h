/*
 * report.h - internals of the analyst's view (src/report/): the case reader
 * over case.db (case.c), the JSON API handlers (api.c), the HTML report
 * writer and escaping helpers (html.c), the embedded web assets (web.c,
 * generated from web/ at build time) and the API token (token.c).
 * Internal to libunmask; the public entry points are in unmask.h.
 *
 * Ownership: every json_t * returned here is a new reference owned by the
 * caller (json_decref). An um_case serialises its SQLite use behind its own
 * mutex, so one um_case may serve several server threads.
 */
#ifndef UM_REPORT_H
#define UM_REPORT_H

#include <jansson.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>

#include "../util/util.h"
#include "unmask.h"

/* Page size limits of list routes and of the report. */
#define UM_PAGE_DEFAULT 50
#define UM_PAGE_MAX 500
/* Identifiers shared by more subjects than this are too common to tie people
 * (a corporate address); derived groups ignore them. */
#define UM_GROUP_MAX_SHARE 50
/* The report embeds full detail for this many people (rank order). */
#define UM_REPORT_DETAIL_MAX 5000

typedef struct um_group um_group; /* derived shared-identifier group (case.c) */

struct um_case {
    sqlite3 *db;
    char *path;   /* case.db */
    char *errmsg;
    bool writable;
    bool has_clusters;  /* clusters + cluster_members + cluster_edges follow the contract */
    bool has_id_rows;   /* identifier_rows (numbered kinds, linking kinds indexed by value) */
    bool has_activity;  /* activity, logins, subject_zone */
    bool has_verdicts;
    pthread_mutex_t mu;
    /* derived groups when the case has no clusters table (built lazily) */
    bool groups_built;
    um_group *groups;
    size_t n_groups;
    um_map group_of; /* subject id -> group index + 1 */
    um_arena arena;
};

typedef struct um_page {
    size_t offset, limit;
    const char *q;      /* search text (name, id, identifier value); NULL: all */
    const char *level;  /* "high", "review", "clean"; NULL: all */
    const char *indicator;
    const char *subject;
} um_page;

/* Sets c->errmsg (printf-style). */
void um_case_set_error(um_case *c, const char *fmt, ...) UM_PRINTF(2, 3);

/* Each returns UM_OK with *out set, UM_ENOTFOUND (single items), or an error
 * with the message on c. Lists are {"total", "offset", "limit", "items"}. */
um_status um_case_summary(um_case *c, json_t **out);
um_status um_case_subjects(um_case *c, const um_page *p, json_t **out);
um_status um_case_subject(um_case *c, const char *id, json_t **out);
um_status um_case_clusters(um_case *c, const um_page *p, json_t **out);
um_status um_case_cluster(um_case *c, const char *id, json_t **out);
um_status um_case_findings(um_case *c, const um_page *p, json_t **out);
um_status um_case_rejects(um_case *c, const um_page *p, json_t **out);
um_status um_case_verdicts(um_case *c, const um_page *p, json_t **out);
/* Stores one verdict (docs/SCHEMA.md, table verdicts); UM_EINVAL with a
 * message for a bad kind/verdict/target. *out: the stored row. */
um_status um_case_verdict_add(um_case *c, const char *kind, const char *a, const char *b, const char *verdict,
                              const char *who, const char *note, json_t **out);

/* A JSON string from possibly invalid UTF-8 (bad bytes become U+FFFD);
 * json_null() for NULL. */
json_t *um_json_str(const char *s);
json_t *um_json_strn(const char *s, size_t n);
/* JSON text safe inside an HTML <script type="application/json"> element:
 * '<', '>', '&', U+2028, U+2029 escaped. malloc'd; NULL on out of memory. */
char *um_json_for_html(const json_t *v);
/* HTML text/attribute escaping (& < > " ' and control characters). */
void um_html_escape(um_buf *b, const char *s);

/* Embedded web assets (web/ at build time): NULL when unknown. */
typedef struct um_web_asset_t {
    const char *path; /* "/app.js" */
    const char *type; /* content type */
    const unsigned char *data;
    size_t len;
} um_web_asset_t;
const um_web_asset_t *um_web_find(const char *path);

#endif
