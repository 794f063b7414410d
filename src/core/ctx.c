/* ctx.c - the context: compiled, immutable data shared by every scan. */
#include "scan.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef UM_DATA_DIR
#define UM_DATA_DIR "/usr/local/share/unmask"
#endif

/* ---- context ---- */

static void set_ctx_error(um_ctx *ctx, const char *fmt, ...) UM_PRINTF(2, 3);
static void set_ctx_error(um_ctx *ctx, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    um_free(ctx->errmsg);
    ctx->errmsg = um_vfmt(fmt, ap);
    va_end(ap);
}

bool um_dir_exists(const char *p) {
    struct stat st;
    return p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static um_status compile_one(um_ctx *ctx, size_t i) {
    const um_analyzer *a = um_analyzer_at(i);
    if (!ctx->compiled_done[i]) {
        ctx->compiled_st[i] = a->compile ? a->compile(ctx, &ctx->compiled[i]) : UM_OK;
        ctx->compiled_done[i] = true;
    }
    return ctx->compiled_st[i];
}

/* Eager compiles at open; lazy ones wait for um_ctx_compiled(). */
static um_status compile_analyzers(um_ctx *ctx) {
    size_t n = um_analyzer_count();
    ctx->compiled = um_calloc(n + 1, sizeof *ctx->compiled);
    ctx->compiled_st = um_calloc(n + 1, sizeof *ctx->compiled_st);
    ctx->compiled_done = um_calloc(n + 1, sizeof *ctx->compiled_done);
    if (!ctx->compiled || !ctx->compiled_st || !ctx->compiled_done) return UM_ENOMEM;
    /* one lock per analyzer: a worker compiling the Sigma rules does not
     * wait for the scan's thread compiling the sanctions screener */
    ctx->compile_locks = um_calloc(n + 1, sizeof *ctx->compile_locks);
    if (!ctx->compile_locks) return UM_ENOMEM;
    for (size_t i = 0; i < n; i++)
        if (pthread_mutex_init(&ctx->compile_locks[i], NULL) != 0) return UM_ENOMEM;
    ctx->lock_ready = true;
    for (size_t i = 0; i < n; i++) {
        if (um_analyzer_at(i)->lazy) continue;
        um_status st = compile_one(ctx, i);
        if (st != UM_OK) {
            set_ctx_error(ctx, "analyzer %s: %s", um_analyzer_at(i)->name, um_status_str(st));
            return st;
        }
    }
    return UM_OK;
}

um_status um_ctx_compiled(um_ctx *ctx, const um_analyzer *a, const void **out) {
    *out = NULL;
    int i = um_analyzer_index(a);
    if (i < 0 || !ctx->compiled) return UM_EINVAL;
    pthread_mutex_lock(&ctx->compile_locks[i]);
    um_status st = compile_one(ctx, (size_t)i);
    *out = ctx->compiled[i];
    pthread_mutex_unlock(&ctx->compile_locks[i]);
    return st;
}

const void *um_ctx_compiled_peek(um_ctx *ctx, const um_analyzer *a) {
    int i = um_analyzer_index(a);
    if (i < 0 || !ctx || !ctx->compiled) return NULL;
    pthread_mutex_lock(&ctx->compile_locks[i]);
    const void *p = ctx->compiled_done[i] && ctx->compiled_st[i] == UM_OK ? ctx->compiled[i] : NULL;
    pthread_mutex_unlock(&ctx->compile_locks[i]);
    return p;
}

void um_notes_add(um_notes *n, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *w = um_vfmt(fmt, ap);
    va_end(ap);
    if (!w) return;
    if (!um_grow((void **)&n->v, &n->cap, n->n + 1, sizeof *n->v)) {
        free(w);
        return;
    }
    n->v[n->n++] = w;
}

void um_notes_replay(const um_notes *n, um_scan *scan, const char *about) {
    for (size_t i = 0; i < n->n; i++) um_scan_warn(scan, about, "%s", n->v[i]);
}

void um_notes_free(um_notes *n) {
    for (size_t i = 0; i < n->n; i++) free(n->v[i]);
    um_free(n->v);
    memset(n, 0, sizeof *n);
}

um_status um_ctx_open(um_ctx **out, const um_ctx_options *opt) {
    um_ctx_options none = {0};
    if (!opt) opt = &none;
    um_ctx *ctx = um_calloc(1, sizeof *ctx);
    *out = ctx;
    if (!ctx) return UM_ENOMEM;
    const char *dd = opt->data_dir;
    if (!dd) dd = um_os_get()->getenv(um_os_get()->ud, "UNMASK_DATA_DIR");
    if (!dd) dd = um_dir_exists(UM_DATA_DIR) ? UM_DATA_DIR : "data";
    if (!um_dir_exists(dd)) {
        set_ctx_error(ctx, "data folder '%s' not found (set --data-dir or UNMASK_DATA_DIR)", dd);
        return UM_ENOTFOUND;
    }
    ctx->data_dir = um_strdup(dd);
    if (opt->allowlist && *opt->allowlist) ctx->allowlist = um_strdup(opt->allowlist);
    if (opt->rules && *opt->rules) ctx->rules = um_strdup(opt->rules);
    if (opt->approved_rmm && *opt->approved_rmm) {
        char *copy = um_strdup(opt->approved_rmm), *save = NULL;
        if (!copy) return UM_ENOMEM;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            t = um_trim(t);
            if (!*t) continue;
            char *d = um_strdup(t);
            if (!d || !um_grow((void **)&ctx->approved_rmm, &ctx->cap_approved_rmm,
                               ctx->n_approved_rmm + 1, sizeof *ctx->approved_rmm)) {
                um_free(d);
                um_free(copy);
                return UM_ENOMEM;
            }
            ctx->approved_rmm[ctx->n_approved_rmm++] = d;
        }
        um_free(copy);
    }
    if (pthread_mutex_init(&ctx->part_lock, NULL) != 0) return UM_ENOMEM;
    ctx->part_lock_ready = true;
    if ((opt->country_mmdb && !(ctx->country_mmdb = um_strdup(opt->country_mmdb))) ||
        (opt->asn_mmdb && !(ctx->asn_mmdb = um_strdup(opt->asn_mmdb))))
        return UM_ENOMEM;
    um_status st = UM_OK;
    if (!(opt->lazy & UM_CTX_LAZY_IPDB)) {
        st = um_ipdb_open(&ctx->ipdb, opt, ctx->data_dir, &ctx->warnings);
        if (st != UM_OK) return st;
        atomic_store_explicit(&ctx->ipdb_ready, true, memory_order_release);
    }
    if (!(opt->lazy & UM_CTX_LAZY_IOC)) {
        st = um_ioc_open(&ctx->ioc, ctx->data_dir, &ctx->warnings);
        if (st != UM_OK) return st;
        atomic_store_explicit(&ctx->ioc_ready, true, memory_order_release);
    }
    return compile_analyzers(ctx);
}

/* A lazy part, opened by the first caller (the others wait on part_lock).
 * A failure (out of memory) leaves the part NULL, as a missing list does:
 * its users take NULL as "nothing listed"; the reason is a warning. */
static void open_part(um_ctx *ctx, unsigned part) {
    if (!ctx->part_lock_ready) return; /* a context whose open failed early */
    pthread_mutex_lock(&ctx->part_lock);
    if (part == UM_CTX_LAZY_IPDB && !atomic_load_explicit(&ctx->ipdb_ready, memory_order_relaxed)) {
        um_ctx_options o = {0};
        o.country_mmdb = ctx->country_mmdb;
        o.asn_mmdb = ctx->asn_mmdb;
        um_ipdb *db = NULL;
        um_status st = um_ipdb_open(&db, &o, ctx->data_dir, &ctx->warnings);
        if (st != UM_OK) {
            um_ipdb_close(db);
            db = NULL;
            um_notes_add(&ctx->warnings, "IP databases: %s (IP enrichment off)", um_status_str(st));
        }
        ctx->ipdb = db;
        atomic_store_explicit(&ctx->ipdb_ready, true, memory_order_release);
    } else if (part == UM_CTX_LAZY_IOC && !atomic_load_explicit(&ctx->ioc_ready, memory_order_relaxed)) {
        um_ioc *ioc = NULL;
        um_status st = um_ioc_open(&ioc, ctx->data_dir, &ctx->warnings);
        if (st != UM_OK) {
            um_ioc_close(ioc);
            ioc = NULL;
            um_notes_add(&ctx->warnings, "indicator lists: %s (IOC-01/IOC-02 checks are off)", um_status_str(st));
        }
        ctx->ioc = ioc;
        atomic_store_explicit(&ctx->ioc_ready, true, memory_order_release);
    }
    pthread_mutex_unlock(&ctx->part_lock);
}

void um_ctx_close(um_ctx *ctx) {
    if (!ctx) return;
    if (ctx->compiled && ctx->compiled_done)
        for (size_t i = 0; i < um_analyzer_count(); i++)
            if (ctx->compiled_done[i] && um_analyzer_at(i)->free_compiled)
                um_analyzer_at(i)->free_compiled(ctx->compiled[i]);
    um_free(ctx->compiled);
    um_free(ctx->compiled_st);
    um_free(ctx->compiled_done);
    if (ctx->lock_ready)
        for (size_t i = 0; i < um_analyzer_count(); i++) pthread_mutex_destroy(&ctx->compile_locks[i]);
    um_free(ctx->compile_locks);
    um_ipdb_close(ctx->ipdb);
    um_ioc_close(ctx->ioc);
    if (ctx->part_lock_ready) pthread_mutex_destroy(&ctx->part_lock);
    um_free(ctx->country_mmdb);
    um_free(ctx->asn_mmdb);
    for (size_t i = 0; i < ctx->n_approved_rmm; i++) um_free(ctx->approved_rmm[i]);
    um_free(ctx->approved_rmm);
    um_free(ctx->allowlist);
    um_free(ctx->rules);
    um_notes_free(&ctx->warnings);
    um_free(ctx->errmsg);
    um_free(ctx->data_dir);
    um_free(ctx);
}

const char *um_ctx_errmsg(const um_ctx *ctx) {
    return ctx && ctx->errmsg ? ctx->errmsg : "";
}

const char *um_ctx_warning(const um_ctx *ctx, size_t i) {
    if (!ctx) return NULL;
    /* a lazy part may be adding its warnings in another thread */
    pthread_mutex_t *l = ctx->part_lock_ready ? (pthread_mutex_t *)&ctx->part_lock : NULL;
    if (l) pthread_mutex_lock(l);
    const char *w = i < ctx->warnings.n ? ctx->warnings.v[i] : NULL;
    if (l) pthread_mutex_unlock(l);
    return w;
}

um_ipdb *um_ctx_ipdb(um_ctx *ctx) {
    if (!atomic_load_explicit(&ctx->ipdb_ready, memory_order_acquire)) open_part(ctx, UM_CTX_LAZY_IPDB);
    return ctx->ipdb;
}
const char *um_ctx_data_dir(const um_ctx *ctx) { return ctx->data_dir; }
const char *um_ctx_allowlist_path(const um_ctx *ctx) { return ctx->allowlist; }
const char *um_ctx_rules_path(const um_ctx *ctx) { return ctx->rules; }
um_ioc *um_ctx_ioc(um_ctx *ctx) {
    if (!atomic_load_explicit(&ctx->ioc_ready, memory_order_acquire)) open_part(ctx, UM_CTX_LAZY_IOC);
    return ctx->ioc;
}

bool um_ctx_rmm_approved(const um_ctx *ctx, const char *tool) {
    for (size_t i = 0; i < ctx->n_approved_rmm; i++)
        if (um_streq_ci(ctx->approved_rmm[i], tool)) return true;
    return false;
}
