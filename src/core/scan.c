/* scan.c - the scan handle: creation, error message, release. */
#include "scan.h"
#include "../dist/dist.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- scan ---- */

static pthread_mutex_t issues_lock = PTHREAD_MUTEX_INITIALIZER;
void um_scan_issues_lock(void) { pthread_mutex_lock(&issues_lock); }
void um_scan_issues_unlock(void) { pthread_mutex_unlock(&issues_lock); }

void um_scan_set_error(um_scan *scan, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *m = um_vfmt(fmt, ap);
    va_end(ap);
    um_scan_issues_lock();
    um_free(scan->errmsg);
    scan->errmsg = m;
    um_scan_issues_unlock();
}

um_status um_scan_new(um_ctx *ctx, um_scan **out) {
    um_scan *s = um_calloc(1, sizeof *s);
    *out = s;
    if (!s) return UM_ENOMEM;
    s->ctx = ctx;
    /* a scan reads the IP databases and indicator lists (records.c reads
     * ctx->ipdb directly): open any part the context left for later */
    if (ctx) {
        um_ctx_ipdb(ctx);
        um_ctx_ioc(ctx);
    }
    s->out_lock = -1;
    s->max_depth = UM_DEFAULT_MAX_DEPTH;
    s->stream_timeout_ms = UM_DEFAULT_STREAM_TIMEOUT_MS;
    um_map_init(&s->seen_inodes);
    um_arena_init(&s->arena);
    um_arena_init(&s->person_arena);
    um_map_init(&s->mapping);
    um_map_init(&s->key_index);
    um_map_init(&s->account_index);
    um_map_init(&s->event_join_seen);
    um_map_init(&s->resolve_cache);
    um_map_init(&s->finding_index);
    static const uint64_t defaults[UM_LIMIT__COUNT] = {20000000, 8192, 2000000, 2000000};
    memcpy(s->limit, defaults, sizeof defaults);
    return UM_OK;
}

void um_scan_free(um_scan *s) {
    if (!s) return;
    um_journal_free(s); /* this run's unpublished journals, under the lock */
    um_scan_unlock_output(s);
    um_nats_conf_free(s->nats);
    um_pa_free(s); /* partition instances left by a failed scan (pmerge.c) */
    if (s->analyzer_state)
        for (size_t i = 0; i < um_analyzer_count(); i++)
            if (um_analyzer_at(i)->free_state) um_analyzer_at(i)->free_state(s->analyzer_state[i]);
    um_free(s->analyzer_state);
    if (s->pf_scratch)
        for (size_t i = 0; i < um_analyzer_count(); i++)
            if (s->pf_scratch[i] && um_analyzer_at(i)->free_scratch) um_analyzer_at(i)->free_scratch(s->pf_scratch[i]);
    um_free(s->pf_scratch);
    um_free(s->pf_empty);
    for (size_t i = 0; i < s->n_inputs; i++) {
        um_free(s->inputs[i].path);
        um_free(s->inputs[i].head);
        if (s->inputs[i].is_stream && s->inputs[i].fd > 0) close(s->inputs[i].fd);
    }
    um_map_free(&s->seen_inodes);
    um_free(s->inputs);
    for (size_t i = 0; i < s->n_subjects; i++) {
        um_subject *u = &s->subjects[i];
        for (size_t k = 0; k < u->nvs; k++) um_valset_free(&u->vs[k]);
        um_free(u->vs);
        um_valset_free(&u->sources);
        um_valset_free(&u->joins);
        um_free(u->findings);
    }
    um_free(s->subjects);
    um_free(s->persons);
    um_arena_free(&s->person_arena);
    for (size_t i = 0; i < s->n_findings; i++) um_free(s->findings[i].seen);
    um_free(s->findings);
    um_free(s->rejects);
    um_free(s->warnings);
    um_free(s->rank);
    um_free(s->infos);
    um_map_free(&s->mapping);
    um_free(s->verdicts_db);
    um_map_free(&s->key_index);
    um_map_free(&s->account_index);
    um_map_free(&s->event_join_seen);
    um_map_free(&s->resolve_cache);
    um_free_resolve_memo(s);
    um_map_free(&s->finding_index);
    um_arena_free(&s->arena);
    um_buf_free(&s->json_line);
    um_free(s->errmsg);
    um_free(s);
}

const char *um_scan_errmsg(const um_scan *s) { return s && s->errmsg ? s->errmsg : ""; }
um_ctx *um_scan_ctx(um_scan *s) { return s->ctx; }
bool um_scan_gates_open(const um_scan *s) { return s->gates_open; }
