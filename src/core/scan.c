/* scan.c - context, scan driver, reader callbacks and result accessors. */
#include "scan.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../util/csv.h"
#include "../util/json.h"

#ifndef UM_DATA_DIR
#define UM_DATA_DIR "/usr/local/share/unmask"
#endif

const char *um_status_str(um_status st) {
    switch (st) {
    case UM_OK: return "ok";
    case UM_ENOMEM: return "out of memory";
    case UM_EIO: return "I/O error";
    case UM_EPARSE: return "parse error";
    case UM_EINVAL: return "invalid argument";
    case UM_EDB: return "database error";
    case UM_ENOTFOUND: return "not found";
    case UM_ELIMIT: return "limit reached";
    }
    return "unknown status";
}

const char *um_level_str(um_level lv) {
    switch (lv) {
    case UM_LEVEL_HIGH: return "high";
    case UM_LEVEL_REVIEW: return "review";
    default: return "clean";
    }
}

int um_level_parse(const char *s) {
    if (!s) return -1;
    if (strcmp(s, "clean") == 0) return UM_LEVEL_CLEAN;
    if (strcmp(s, "review") == 0) return UM_LEVEL_REVIEW;
    if (strcmp(s, "high") == 0) return UM_LEVEL_HIGH;
    return -1;
}

const char *um_strength_str(um_strength s) {
    return s == UM_STRONG ? "strong" : s == UM_MEDIUM ? "medium" : "weak";
}

static char *vfmt(const char *fmt, va_list ap) {
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0) return NULL;
    return s;
}

/* ---- context ---- */

static void set_ctx_error(um_ctx *ctx, const char *fmt, ...) UM_PRINTF(2, 3);
static void set_ctx_error(um_ctx *ctx, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    um_free(ctx->errmsg);
    ctx->errmsg = vfmt(fmt, ap);
    va_end(ap);
}

void um_ctx_add_warning(um_ctx *ctx, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *w = vfmt(fmt, ap);
    va_end(ap);
    if (!w) return;
    if (!um_grow((void **)&ctx->warnings, &ctx->cap_warnings, ctx->n_warnings + 1,
                 sizeof *ctx->warnings)) {
        um_free(w);
        return;
    }
    ctx->warnings[ctx->n_warnings++] = w;
}

static bool dir_exists(const char *p) {
    struct stat st;
    return p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

um_status um_ctx_open(um_ctx **out, const um_ctx_options *opt) {
    um_ctx_options none = {0};
    if (!opt) opt = &none;
    um_ctx *ctx = um_calloc(1, sizeof *ctx);
    *out = ctx;
    if (!ctx) return UM_ENOMEM;
    const char *dd = opt->data_dir;
    if (!dd) dd = getenv("UNMASK_DATA_DIR");
    if (!dd) dd = dir_exists(UM_DATA_DIR) ? UM_DATA_DIR : "data";
    if (!dir_exists(dd)) {
        set_ctx_error(ctx, "data folder '%s' not found (set --data-dir or UNMASK_DATA_DIR)", dd);
        return UM_ENOTFOUND;
    }
    ctx->data_dir = um_strdup(dd);
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
    um_status st = um_ipdb_open(ctx, &ctx->ipdb, opt, ctx->data_dir);
    if (st != UM_OK) return st;
    st = um_ioc_open(ctx, &ctx->ioc, ctx->data_dir);
    return st;
}

void um_ctx_close(um_ctx *ctx) {
    if (!ctx) return;
    um_ipdb_close(ctx->ipdb);
    um_ioc_close(ctx->ioc);
    for (size_t i = 0; i < ctx->n_warnings; i++) um_free(ctx->warnings[i]);
    for (size_t i = 0; i < ctx->n_approved_rmm; i++) um_free(ctx->approved_rmm[i]);
    um_free(ctx->approved_rmm);
    um_free(ctx->warnings);
    um_free(ctx->errmsg);
    um_free(ctx->data_dir);
    um_free(ctx);
}

const char *um_ctx_errmsg(const um_ctx *ctx) {
    return ctx && ctx->errmsg ? ctx->errmsg : "";
}

const char *um_ctx_warning(const um_ctx *ctx, size_t i) {
    return ctx && i < ctx->n_warnings ? ctx->warnings[i] : NULL;
}

um_ipdb *um_ctx_ipdb(um_ctx *ctx) { return ctx->ipdb; }
const char *um_ctx_data_dir(const um_ctx *ctx) { return ctx->data_dir; }
um_ioc *um_ctx_ioc(um_ctx *ctx) { return ctx->ioc; }

bool um_ctx_rmm_approved(const um_ctx *ctx, const char *tool) {
    for (size_t i = 0; i < ctx->n_approved_rmm; i++)
        if (um_streq_ci(ctx->approved_rmm[i], tool)) return true;
    return false;
}

/* ---- scan ---- */

void um_scan_set_error(um_scan *scan, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    um_free(scan->errmsg);
    scan->errmsg = vfmt(fmt, ap);
    va_end(ap);
}

um_status um_scan_new(um_ctx *ctx, um_scan **out) {
    um_scan *s = um_calloc(1, sizeof *s);
    *out = s;
    if (!s) return UM_ENOMEM;
    s->ctx = ctx;
    um_arena_init(&s->arena);
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

um_status um_scan_set_limit(um_scan *s, um_limit which, uint64_t value) {
    if ((unsigned)which >= UM_LIMIT__COUNT || value == 0) {
        um_scan_set_error(s, "invalid limit");
        return UM_EINVAL;
    }
    s->limit[which] = value;
    return UM_OK;
}

um_status um_scan_set_limits(um_scan *s, const char *spec) {
    static const char *const names[UM_LIMIT__COUNT] = {"persons", "identity_mb", "log_subjects", "findings"};
    char *copy = um_strdup(spec), *save = NULL;
    if (!copy) return UM_ENOMEM;
    um_status st = UM_OK;
    for (char *t = strtok_r(copy, ",", &save); t && st == UM_OK; t = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(t, '='), *end = NULL;
        int which = -1;
        if (eq) {
            *eq = 0;
            for (int i = 0; i < UM_LIMIT__COUNT; i++)
                if (strcmp(um_trim(t), names[i]) == 0) which = i;
        }
        unsigned long long v = eq ? strtoull(eq + 1, &end, 10) : 0;
        if (which < 0 || !end || *um_trim(end) || v == 0) {
            um_scan_set_error(s, "bad limit '%s' (use persons=N, identity_mb=N, log_subjects=N, findings=N)", t);
            st = UM_EINVAL;
        } else {
            s->limit[which] = v;
        }
    }
    um_free(copy);
    return st;
}

bool um_scan_over_limit(um_scan *s, um_limit which, uint64_t n) {
    if (n < s->limit[which]) return false;
    if (!s->limit_warned[which]) {
        static const char *const what[UM_LIMIT__COUNT] = {
            "identity records (limit persons)", "identity data (limit identity_mb)",
            "accounts and hosts seen only in logs (limit log_subjects); events of further ones are "
            "counted but not analyzed",
            "distinct findings (limit findings); further ones are dropped"};
        s->limit_warned[which] = true;
        um_scan_warn(s, "limits", "resource limit reached: %llu %s", (unsigned long long)s->limit[which],
                     what[which]);
    }
    return true;
}

void um_scan_free(um_scan *s) {
    if (!s) return;
    if (s->analyzer_state)
        for (size_t i = 0; i < um_analyzer_count(); i++)
            if (um_analyzer_at(i)->free_state) um_analyzer_at(i)->free_state(s->analyzer_state[i]);
    um_free(s->analyzer_state);
    for (size_t i = 0; i < s->n_inputs; i++) um_free(s->inputs[i].path);
    um_free(s->inputs);
    for (size_t i = 0; i < s->n_subjects; i++) {
        um_subject *u = &s->subjects[i];
        for (int a = 0; a < UM_ATTR__COUNT; a++) {
            um_free(u->attrs[a].v);
            um_free(u->attrs[a].file);
            um_free(u->attrs[a].line);
        }
        um_free(u->sources.v), um_free(u->sources.file), um_free(u->sources.line);
        um_free(u->joins.v), um_free(u->joins.file), um_free(u->joins.line);
        um_free(u->findings);
    }
    um_free(s->subjects);
    um_free(s->persons);
    for (size_t i = 0; i < s->n_findings; i++) um_free(s->findings[i].seen);
    um_free(s->findings);
    um_free(s->rejects);
    um_free(s->warnings);
    um_free(s->rank);
    um_free(s->rank_info);
    um_map_free(&s->mapping);
    um_map_free(&s->key_index);
    um_map_free(&s->account_index);
    um_map_free(&s->event_join_seen);
    um_map_free(&s->resolve_cache);
    um_map_free(&s->finding_index);
    um_arena_free(&s->arena);
    um_buf_free(&s->json_line);
    um_free(s->errmsg);
    um_free(s);
}

const char *um_scan_errmsg(const um_scan *s) { return s && s->errmsg ? s->errmsg : ""; }
um_ctx *um_scan_ctx(um_scan *s) { return s->ctx; }

#define HEAD_BYTES 8192

/* ---- UTF-16 inputs ----
 * Windows tools (PowerShell Export-Csv, some EVTX exporters, regedit) write
 * UTF-16 with a byte-order mark. Such a file is converted to UTF-8 on the fly
 * (a temporary file, so memory stays flat) and read like any other, with a
 * warning. Unpaired surrogates become U+FFFD. */

static int utf16_bom(const unsigned char *h, size_t n) {
    if (n >= 2 && h[0] == 0xFF && h[1] == 0xFE) return 1; /* little-endian */
    if (n >= 2 && h[0] == 0xFE && h[1] == 0xFF) return 2; /* big-endian */
    return 0;
}

static size_t put_utf8(unsigned cp, unsigned char *o) {
    if (cp < 0x80) { o[0] = (unsigned char)cp; return 1; }
    if (cp < 0x800) { o[0] = (unsigned char)(0xC0 | cp >> 6); o[1] = (unsigned char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | cp >> 12);
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | cp >> 18);
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Converts UTF-16 (after the BOM) from in to UTF-8 in out, at most max_out
 * bytes (0: no limit). Returns false on a write error. */
static bool utf16_convert(FILE *in, FILE *out, bool be, size_t max_out) {
    unsigned pending = 0; /* high surrogate waiting for its pair */
    size_t written = 0;
    int a, b;
    while ((a = getc(in)) != EOF && (b = getc(in)) != EOF) {
        unsigned u = be ? (unsigned)(a << 8 | b) : (unsigned)(b << 8 | a), cp;
        if (u >= 0xD800 && u <= 0xDBFF) {
            if (pending) { unsigned char o[4]; size_t k = put_utf8(0xFFFD, o); if (fwrite(o, 1, k, out) != k) return false; }
            pending = u;
            continue;
        }
        if (u >= 0xDC00 && u <= 0xDFFF) {
            cp = pending ? 0x10000 + ((pending - 0xD800) << 10) + (u - 0xDC00) : 0xFFFD;
            pending = 0;
        } else {
            if (pending) { unsigned char o[4]; size_t k = put_utf8(0xFFFD, o); if (fwrite(o, 1, k, out) != k) return false; }
            pending = 0;
            cp = u;
        }
        unsigned char o[4];
        size_t k = put_utf8(cp, o);
        if (max_out && written + k > max_out) break;
        if (fwrite(o, 1, k, out) != k) return false;
        written += k;
    }
    return true;
}

/* A CSV header none of whose columns the readers know, but which the
 * --mapping file names: an identity export with unusual column names. */
static bool header_is_mapped(um_scan *s, const char *head, size_t n) {
    char sep = um_csv_sniff_sep(head, n);
    const char *nl = memchr(head, '\n', n);
    size_t end = nl ? (size_t)(nl - head) : n;
    for (size_t i = 0; i < end;) {
        size_t j = i;
        while (j < end && head[j] != sep) j++;
        char col[256];
        size_t k = 0;
        for (size_t x = i; x < j && k < sizeof col - 1; x++)
            if (head[x] != '"' && head[x] != '\r') col[k++] = (char)(head[x] >= 'A' && head[x] <= 'Z' ? head[x] + 32 : head[x]);
        col[k] = 0;
        char *c = um_trim(col);
        intptr_t v = (intptr_t)um_map_get(&s->mapping, c, strlen(c));
        if (v >= 2) return true; /* mapped to an attribute (1 = ignore) */
        i = j + 1;
    }
    return false;
}

static um_status add_file(um_scan *s, const char *path, const char *format, uint64_t size,
                          bool in_folder) {
    const um_reader *r = NULL;
    if (format) {
        r = um_reader_find(format);
        if (!r) {
            um_scan_set_error(s, "unknown format '%s' (see `unmask formats`)", format);
            return UM_EINVAL;
        }
    } else {
        FILE *f = fopen(path, "rb");
        if (!f) {
            um_scan_set_error(s, "%s: %s", path, strerror(errno));
            return UM_EIO;
        }
        char head[HEAD_BYTES + 1];
        size_t n = fread(head, 1, HEAD_BYTES, f);
        int bom = utf16_bom((const unsigned char *)head, n);
        if (bom) { /* detect on the UTF-8 the reader will see */
            FILE *m = fmemopen(head, HEAD_BYTES, "w");
            rewind(f);
            (void)getc(f), (void)getc(f);
            if (m) {
                setvbuf(m, NULL, _IONBF, 0);
                utf16_convert(f, m, bom == 2, HEAD_BYTES);
                n = (size_t)ftell(m);
                fclose(m);
            } else {
                n = 0;
            }
        }
        head[n] = 0;
        fclose(f);
        r = um_reader_detect(path, head, n);
        if (!r && s->mapping.len && header_is_mapped(s, head, n)) r = um_reader_find("person-csv");
    }
    if (!um_grow((void **)&s->inputs, &s->cap_inputs, s->n_inputs + 1, sizeof *s->inputs))
        return UM_ENOMEM;
    um_input *in = &s->inputs[s->n_inputs++];
    memset(in, 0, sizeof *in);
    in->path = um_strdup(path);
    in->reader = r; /* NULL: reported as an unrecognised file at run time */
    in->size = size;
    in->in_folder = in_folder;
    return in->path ? UM_OK : UM_ENOMEM;
}

static bool is_git_dir(const char *path) {
    char *a = NULL, *b = NULL;
    struct stat st;
    bool ok = asprintf(&a, "%s/HEAD", path) >= 0 && asprintf(&b, "%s/objects", path) >= 0 &&
              stat(a, &st) == 0 && S_ISREG(st.st_mode) && dir_exists(b);
    free(a);
    free(b);
    return ok;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static um_status add_path_rec(um_scan *s, const char *path, const char *format, int depth) {
    struct stat st;
    if (stat(path, &st) != 0) {
        um_scan_set_error(s, "%s: %s", path, strerror(errno));
        return UM_ENOTFOUND;
    }
    if (!S_ISDIR(st.st_mode)) {
        /* case settings (read by the CLI) are not an input */
        if (depth > 0 && strcmp(um_basename_any(path), "unmask.conf") == 0) return UM_OK;
        return add_file(s, path, format, (uint64_t)st.st_size, depth > 0);
    }
    if (depth > 32) return UM_OK;
    /* A git repository (bare, a .git folder, or a work tree) is one input:
     * its history, read by the git_repo reader; its files are not inputs. */
    char *probe = NULL;
    if (asprintf(&probe, "%s/.git", path) < 0) return UM_ENOMEM;
    bool worktree = dir_exists(probe);
    free(probe);
    if (worktree || is_git_dir(path)) {
        const um_reader *gr = um_reader_find("git-repo");
        if (gr && !format) {
            if (!um_grow((void **)&s->inputs, &s->cap_inputs, s->n_inputs + 1, sizeof *s->inputs))
                return UM_ENOMEM;
            um_input *in = &s->inputs[s->n_inputs++];
            memset(in, 0, sizeof *in);
            in->path = um_strdup(path);
            in->reader = gr;
            in->size = 0;
            in->is_dir = true;
            return in->path ? UM_OK : UM_ENOMEM;
        }
    }
    DIR *d = opendir(path);
    if (!d) {
        um_scan_set_error(s, "%s: %s", path, strerror(errno));
        return UM_EIO;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    um_status st2 = UM_OK;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue; /* hidden files and . / .. */
        if (!um_grow((void **)&names, &cap, n + 1, sizeof *names)) { st2 = UM_ENOMEM; break; }
        names[n++] = um_strdup(e->d_name);
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        if (st2 == UM_OK) {
            char *child = NULL;
            if (asprintf(&child, "%s/%s", path, names[i]) < 0) st2 = UM_ENOMEM;
            else {
                struct stat cs;
                /* README/ground-truth files beside data are not inputs. */
                if (stat(child, &cs) == 0 && (S_ISDIR(cs.st_mode) || S_ISREG(cs.st_mode)))
                    st2 = add_path_rec(s, child, format, depth + 1);
                free(child);
            }
        }
        um_free(names[i]);
    }
    um_free(names);
    return st2;
}

um_status um_scan_add_path(um_scan *s, const char *path, const char *format) {
    if (!path) return UM_EINVAL;
    return add_path_rec(s, path, format, 0);
}

um_status um_scan_set_mapping(um_scan *s, const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        um_scan_set_error(s, "mapping %s: %s", path, strerror(errno));
        return UM_EIO;
    }
    char line[1024];
    unsigned ln = 0;
    um_status st = UM_OK;
    while (fgets(line, sizeof line, f)) {
        ln++;
        char *t = um_trim(line);
        if (!*t || *t == '#') continue;
        char *eq = strchr(t, '=');
        if (!eq) {
            um_scan_set_error(s, "mapping %s:%u: expected 'column = field'", path, ln);
            st = UM_EPARSE;
            break;
        }
        *eq = 0;
        char *col = um_trim(t), *field = um_trim(eq + 1);
        int a = um_attr_from_name(field);
        if (a < 0 && strcmp(field, "ignore") != 0) {
            um_scan_set_error(s, "mapping %s:%u: unknown field '%s'", path, ln, field);
            st = UM_EPARSE;
            break;
        }
        char *lc = um_lower_trim(&s->arena, col, strlen(col));
        um_map_slot *sl = lc ? um_map_upsert(&s->mapping, lc, strlen(lc), NULL) : NULL;
        if (!sl) { st = UM_ENOMEM; break; }
        sl->val = (void *)(intptr_t)(a + 2); /* 1 = ignore, 2.. = attr */
    }
    fclose(f);
    return st;
}

/* ---- reader context ---- */

struct um_reader_ctx {
    um_scan *scan;
    const um_input *in;
    const um_reader *reader;
};

const char *um_rc_file(const um_reader_ctx *rc) { return rc->in->path; }
um_scan *um_rc_scan(um_reader_ctx *rc) { return rc->scan; }

int um_rc_mapped_attr(um_reader_ctx *rc, const char *column) {
    char buf[256];
    size_t n = strlen(column);
    if (n >= sizeof buf) return -1;
    for (size_t i = 0; i < n; i++) buf[i] = (char)(column[i] >= 'A' && column[i] <= 'Z' ? column[i] + 32 : column[i]);
    buf[n] = 0;
    void *v = um_map_get(&rc->scan->mapping, um_trim(buf), strlen(um_trim(buf)));
    if (!v) return -1;
    intptr_t a = (intptr_t)v;
    return a == 1 ? -2 : (int)(a - 2); /* -2: explicitly ignored */
}

static int64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void um_rc_progress(um_reader_ctx *rc, uint64_t bytes_read) {
    um_scan *s = rc->scan;
    if (!s->progress) return;
    int64_t t = now_us();
    if (t - s->last_progress_us < 200000) return;
    s->last_progress_us = t;
    um_progress p = {rc->in->path, s->bytes_before + bytes_read, s->bytes_total, s->stats.records};
    s->progress(s->progress_ud, &p);
}

static void keep_issue(um_scan *s, bool reject, const char *file, const char *reader, uint64_t line,
                       const char *fmt, va_list ap) {
    if (reject) {
        s->stats.rejects++;
        s->rejects_total++;
    } else {
        s->stats.warnings++;
        s->warnings_total++;
    }
    um_reject_info **arr = reject ? &s->rejects : &s->warnings;
    size_t *n = reject ? &s->n_rejects : &s->n_warnings;
    size_t *cap = reject ? &s->cap_rejects : &s->cap_warnings;
    if (*n >= UM_MAX_KEPT_REJECTS) return;
    if (!um_grow((void **)arr, cap, *n + 1, sizeof **arr)) return;
    char *msg = vfmt(fmt, ap);
    um_reject_info *r = &(*arr)[(*n)++];
    r->file = file;
    r->line = line;
    r->reader = reader;
    r->reason = msg ? um_arena_strdup(&s->arena, msg) : "?";
    free(msg);
}

void um_reject(um_reader_ctx *rc, uint64_t line, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    keep_issue(rc->scan, true, rc->in->path, rc->reader ? rc->reader->name : "-", line, fmt, ap);
    va_end(ap);
}

void um_warn(um_reader_ctx *rc, uint64_t line, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    keep_issue(rc->scan, false, rc->in->path, rc->reader ? rc->reader->name : "-", line, fmt, ap);
    va_end(ap);
}

void um_scan_warn(um_scan *s, const char *about, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    keep_issue(s, false, "-", about ? about : "-", 0, fmt, ap);
    va_end(ap);
}

void um_event_init(um_event *ev) {
    memset(ev, 0, sizeof *ev);
    ev->ts = UM_TIME_NONE;
    ev->success = -1;
    ev->is_proxy = -1;
    ev->usb_vid = ev->usb_pid = -1;
}

um_status um_emit_person(um_reader_ctx *rc, const um_person *p) {
    um_scan *s = rc->scan;
    s->stats.records++;
    s->stats.persons++;
    if (um_scan_over_limit(s, UM_LIMIT_PERSONS, s->n_persons) ||
        um_scan_over_limit(s, UM_LIMIT_IDENTITY_MB, s->arena.total >> 20)) {
        um_reject(rc, p->line, "resource limit reached: identity record not kept");
        return UM_OK;
    }
    if (!um_grow((void **)&s->persons, &s->cap_persons, s->n_persons + 1, sizeof *s->persons))
        return UM_ENOMEM;
    um_stored_person *sp = &s->persons[s->n_persons];
    sp->kind = p->kind;
    sp->file = rc->in->path;
    sp->line = p->line;
    sp->n = 0;
    sp->kv = um_arena_alloc(&s->arena, (p->n ? p->n : 1) * sizeof *sp->kv);
    if (!sp->kv) return UM_ENOMEM;
    for (size_t i = 0; i < p->n; i++) {
        if (!p->kv[i].value || !*p->kv[i].value) continue;
        sp->kv[sp->n].attr = p->kv[i].attr;
        sp->kv[sp->n].value = um_arena_strdup(&s->arena, p->kv[i].value);
        if (!sp->kv[sp->n].value) return UM_ENOMEM;
        sp->n++;
    }
    s->n_persons++;
    return UM_OK;
}

um_status um_emit_event(um_reader_ctx *rc, um_event *ev) {
    um_scan *s = rc->scan;
    s->stats.records++;
    s->stats.events++;
    if (!ev->src_file) ev->src_file = rc->in->path;
    if (ev->ts != UM_TIME_NONE && ev->ts > um_time_future_limit()) {
        um_reject(rc, ev->src_line, "time %lld is in the future", (long long)(ev->ts / 1000000));
        return UM_OK;
    }
    um_ipdb_enrich(s->ctx->ipdb, ev);
    um_sid sid = um_subjects_resolve(s, ev);
    for (size_t i = 0; i < um_analyzer_count(); i++) {
        const um_analyzer *a = um_analyzer_at(i);
        if (!a->on_event) continue;
        um_status st = a->on_event(s, s->analyzer_state[i], sid, ev);
        if (st != UM_OK) return st;
    }
    return UM_OK;
}

/* ---- lines ---- */

/* The reader keeps a window [pos, fill) of the file in buf; a line is
 * normally returned in place (no copy) with the next bytes temporarily
 * overwritten by NUL padding, which is restored on the next call. */
#define UM_LINES_CHUNK (1u << 20)

void um_lines_init(um_lines *l, FILE *f, size_t max) {
    memset(l, 0, sizeof *l);
    l->f = f;
    l->max = max;
}

void um_lines_free(um_lines *l) {
    um_free(l->buf);
    memset(l, 0, sizeof *l);
}

/* Makes room and reads more; false at EOF or on allocation failure. */
static bool lines_fill(um_lines *l) {
    if (l->eof) return false;
    if (l->pos > 0) { /* slide the unread tail to the front */
        memmove(l->buf, l->buf + l->pos, l->fill - l->pos);
        l->fill -= l->pos;
        l->pos = 0;
    }
    size_t want = l->fill + UM_LINES_CHUNK + UM_JSON_PADDING + 1;
    if (want > l->cap) {
        char *nb = um_realloc(l->buf, want);
        if (!nb) return false;
        l->buf = nb;
        l->cap = want;
    }
    size_t n = fread(l->buf + l->fill, 1, UM_LINES_CHUNK, l->f);
    if (n == 0) {
        l->eof = true;
        return false;
    }
    l->fill += n;
    return true;
}

bool um_lines_next(um_lines *l, const char **line, size_t *len, bool *too_long) {
    *too_long = false;
    if (l->padded) { /* undo the padding written after the previous line */
        memcpy(l->buf + l->saved_at, l->saved, sizeof l->saved);
        l->padded = false;
    }
    for (;;) {
        char *start = l->buf ? l->buf + l->pos : NULL;
        char *nl = start ? memchr(start, '\n', l->fill - l->pos) : NULL;
        size_t n;
        bool last = false;
        if (nl) {
            n = (size_t)(nl - start);
        } else {
            size_t have = l->buf ? l->fill - l->pos : 0;
            if (have > l->max) { /* drop the over-long line's bytes so far */
                l->skipping = true;
                l->bytes += have;
                l->pos = l->fill;
            }
            if (lines_fill(l)) continue;
            if (l->skipping) { /* long line ran to EOF */
                l->skipping = false;
                l->lineno++;
                *too_long = true;
                *line = "";
                *len = 0;
                return true;
            }
            have = l->buf ? l->fill - l->pos : 0;
            if (!have) return false;
            n = have;
            last = true;
        }
        size_t consumed = n + (last ? 0 : 1);
        l->bytes += consumed;
        l->lineno++;
        if (l->skipping || n > l->max) {
            l->skipping = false;
            l->pos += consumed;
            *too_long = true;
            *line = "";
            *len = 0;
            return true;
        }
        char *p = l->buf + l->pos;
        l->pos += consumed;
        if (n && p[n - 1] == '\r') n--;
        /* pad: save the bytes we overwrite; the buffer always has room */
        size_t at = (size_t)(p - l->buf) + n;
        if (at + sizeof l->saved > l->cap) { /* cannot happen: cap >= fill + padding */
            *too_long = true;
            *line = "";
            *len = 0;
            return true;
        }
        memcpy(l->saved, l->buf + at, sizeof l->saved);
        memset(l->buf + at, 0, sizeof l->saved);
        l->saved_at = at;
        l->padded = true;
        *line = p;
        *len = n;
        return true;
    }
}

/* ---- run ---- */

static um_status read_input(um_scan *s, um_input *in) {
    um_reader_ctx rc = {s, in, in->reader};
    s->stats.files++;
    if (!in->reader) {
        /* A file named on the command line must be read; one found while
         * walking a folder (a README, a picture) is skipped with a warning. */
        if (in->in_folder) um_warn(&rc, 0, "skipped: format not recognised");
        else um_reject(&rc, 0, "format not recognised (use --format to name it; see `unmask formats`)");
        return UM_OK;
    }
    if (!in->is_dir && in->size == 0) {
        um_warn(&rc, 0, "empty file");
        return UM_OK;
    }
    if (in->is_dir) { /* readers of folders (git-repo) get no stream */
        um_status st = in->reader->read(&rc, NULL);
        if (st != UM_OK && !s->errmsg) um_scan_set_error(s, "%s: %s", in->path, um_status_str(st));
        return st;
    }
    FILE *f = fopen(in->path, "rb");
    if (!f) {
        um_scan_set_error(s, "%s: %s", in->path, strerror(errno));
        return UM_EIO;
    }
    unsigned char bomb[2];
    size_t nb = fread(bomb, 1, 2, f);
    int bom = utf16_bom(bomb, nb);
    if (bom) {
        FILE *t = tmpfile();
        if (!t || !utf16_convert(f, t, bom == 2, 0) || fflush(t) != 0) {
            if (t) fclose(t);
            fclose(f);
            um_scan_set_error(s, "%s: cannot convert from UTF-16: %s", in->path, strerror(errno));
            return UM_EIO;
        }
        fclose(f);
        f = t;
        um_warn(&rc, 0, "file is UTF-16%s; read after conversion to UTF-8", bom == 2 ? "BE" : "LE");
    }
    rewind(f);
    um_status st = in->reader->read(&rc, f);
    if (st == UM_OK && ferror(f)) {
        um_scan_set_error(s, "%s: read error", in->path);
        st = UM_EIO;
    }
    fclose(f);
    s->bytes_before += in->size;
    s->stats.bytes += in->size;
    if (st != UM_OK && !s->errmsg) um_scan_set_error(s, "%s: %s", in->path, um_status_str(st));
    return st;
}

static um_status finalize(um_scan *s);

um_status um_scan_run(um_scan *s, um_progress_fn cb, void *ud) {
    if (s->ran) {
        um_scan_set_error(s, "scan already ran");
        return UM_EINVAL;
    }
    s->ran = true;
    s->progress = cb;
    s->progress_ud = ud;
    for (size_t i = 0; i < s->n_inputs; i++) s->bytes_total += s->inputs[i].size;
    s->analyzer_state = um_calloc(um_analyzer_count() + 1, sizeof(void *));
    if (!s->analyzer_state) return UM_ENOMEM;

    um_status st = UM_OK;
    for (size_t i = 0; i < s->n_inputs && st == UM_OK; i++)
        if (s->inputs[i].reader && s->inputs[i].reader->phase == 0) st = read_input(s, &s->inputs[i]);
    if (st == UM_OK) st = um_subjects_build(s);
    for (size_t i = 0; i < um_analyzer_count() && st == UM_OK; i++)
        if (um_analyzer_at(i)->on_subjects)
            st = um_analyzer_at(i)->on_subjects(s, &s->analyzer_state[i]);
    for (size_t i = 0; i < s->n_inputs && st == UM_OK; i++)
        if (!s->inputs[i].reader || s->inputs[i].reader->phase != 0) st = read_input(s, &s->inputs[i]);
    for (size_t i = 0; i < um_analyzer_count() && st == UM_OK; i++)
        if (um_analyzer_at(i)->finish) st = um_analyzer_at(i)->finish(s, s->analyzer_state[i]);
    if (st == UM_OK) st = finalize(s);
    if (st == UM_ENOMEM && !s->errmsg) um_scan_set_error(s, "out of memory");
    return st;
}

/* ---- findings ---- */

/* Inserts h into the open-addressing set; true when it was there already. */
static bool seen_insert(uint64_t *set, uint32_t cap, uint64_t h) {
    for (uint32_t i = (uint32_t)h & (cap - 1);; i = (i + 1) & (cap - 1)) {
        if (set[i] == h) return true;
        if (!set[i]) {
            set[i] = h;
            return false;
        }
    }
}

/* true when this event (same host, record id and time) was counted before.
 * The set starts small and doubles up to UM_SEEN_SLOTS; past that the
 * finding stops de-duplicating (counts may then include a repeat). */
static bool already_counted(um_finding *f, const um_event *ev) {
    if ((f->n_seen + 1) * 4 > f->cap_seen * 3) {
        if (f->cap_seen >= UM_SEEN_SLOTS) return false;
        uint32_t nc = f->cap_seen ? f->cap_seen * 2 : 16;
        uint64_t *ns = um_calloc(nc, sizeof *ns);
        if (!ns) return false;
        for (uint32_t i = 0; i < f->cap_seen; i++)
            if (f->seen[i]) seen_insert(ns, nc, f->seen[i]);
        um_free(f->seen);
        f->seen = ns;
        f->cap_seen = nc;
    }
    uint64_t h = um_hash64(ev->record_id, strlen(ev->record_id), (uint64_t)ev->ts);
    h ^= um_hash64(ev->host, strlen(ev->host), 0x5bd1e995);
    if (!h) h = 1;
    if (seen_insert(f->seen, f->cap_seen, h)) return true;
    f->n_seen++;
    return false;
}

um_status um_finding_add(um_scan *s, um_sid subject, const um_finding_spec *spec,
                         const um_event *ev, const char *file, uint64_t line,
                         const char *values, const char *summary_fmt, ...) {
    if (subject < 0 || (size_t)subject >= s->n_subjects) return UM_OK;
    char kbuf[512];
    int kn = snprintf(kbuf, sizeof kbuf, "%d|%s|%s", subject, spec->indicator,
                      spec->key ? spec->key : "");
    if (kn < 0) return UM_EINVAL;
    size_t klen = (size_t)kn < sizeof kbuf ? (size_t)kn : sizeof kbuf - 1;
    if (!um_map_find(&s->finding_index, kbuf, klen) &&
        um_scan_over_limit(s, UM_LIMIT_FINDINGS, s->n_findings))
        return UM_OK;
    bool created;
    um_map_slot *sl = um_map_upsert(&s->finding_index, kbuf, klen, &created);
    if (!sl) return UM_ENOMEM;
    um_finding *f;
    if (created) {
        if (!um_grow((void **)&s->findings, &s->cap_findings, s->n_findings + 1, sizeof *s->findings))
            return UM_ENOMEM;
        f = &s->findings[s->n_findings];
        memset(f, 0, sizeof *f);
        sl->val = (void *)(uintptr_t)(s->n_findings + 1);
        s->n_findings++;
        f->subject = subject;
        f->flags = spec->flags;
        f->strength = spec->strength;
        f->info.indicator = um_arena_strdup(&s->arena, spec->indicator);
        f->info.analyzer = um_arena_strdup(&s->arena, spec->analyzer ? spec->analyzer : "");
        f->info.strength = um_strength_str(spec->strength);
        f->info.weight = spec->weight;
        f->info.key = um_arena_strdup(&s->arena, spec->key ? spec->key : "");
        f->info.first_us = f->info.last_us = UM_TIME_NONE;
        va_list ap;
        va_start(ap, summary_fmt);
        char *sum = vfmt(summary_fmt, ap);
        va_end(ap);
        f->info.summary = um_arena_strdup(&s->arena, sum ? sum : spec->indicator);
        free(sum);
        if (!f->info.indicator || !f->info.analyzer || !f->info.summary || !f->info.key) return UM_ENOMEM;
    } else {
        f = &s->findings[(uintptr_t)sl->val - 1];
        if (spec->weight > f->info.weight) f->info.weight = spec->weight;
        if (spec->strength > f->strength) {
            f->strength = spec->strength;
            f->info.strength = um_strength_str(spec->strength);
        }
    }
    if (ev && ev->record_id && ev->host && already_counted(f, ev)) return UM_OK;
    f->info.count++;
    int64_t t = ev ? ev->ts : UM_TIME_NONE;
    if (t != UM_TIME_NONE) {
        if (f->info.first_us == UM_TIME_NONE || t < f->info.first_us) f->info.first_us = t;
        if (f->info.last_us == UM_TIME_NONE || t > f->info.last_us) f->info.last_us = t;
    }
    if (f->info.n_evidence < UM_MAX_EVIDENCE) {
        um_evidence *e = &f->ev[f->info.n_evidence++];
        e->file = ev && ev->src_file ? um_arena_strdup(&s->arena, ev->src_file)
                                     : um_arena_strdup(&s->arena, file ? file : "");
        e->line = ev ? ev->src_line : line;
        e->record = ev && ev->record_id ? um_arena_strdup(&s->arena, ev->record_id) : NULL;
        e->time_us = t;
        e->values = um_arena_strdup(&s->arena, values ? values : "");
    }
    return UM_OK;
}

um_status um_finding_add_count(um_scan *s, um_sid subject, const char *indicator, const char *key, uint64_t n,
                               int64_t last_us) {
    char kbuf[512];
    int kn = snprintf(kbuf, sizeof kbuf, "%d|%s|%s", subject, indicator, key ? key : "");
    if (kn < 0) return UM_EINVAL;
    size_t klen = (size_t)kn < sizeof kbuf ? (size_t)kn : sizeof kbuf - 1;
    uintptr_t v = (uintptr_t)um_map_get(&s->finding_index, kbuf, klen);
    if (!v) return UM_ENOTFOUND;
    um_finding *f = &s->findings[v - 1];
    f->info.count += n;
    if (last_us != UM_TIME_NONE) {
        if (f->info.first_us == UM_TIME_NONE || last_us < f->info.first_us) f->info.first_us = last_us;
        if (f->info.last_us == UM_TIME_NONE || last_us > f->info.last_us) f->info.last_us = last_us;
    }
    return UM_OK;
}

static int cmp_finding_idx(const void *a, const void *b, void *ud) {
    const um_scan *s = ud;
    const um_finding *x = &s->findings[*(const size_t *)a], *y = &s->findings[*(const size_t *)b];
    if (x->info.weight != y->info.weight) return y->info.weight - x->info.weight;
    int c = strcmp(x->info.indicator, y->info.indicator);
    return c ? c : strcmp(x->info.key, y->info.key);
}

static int cmp_rank(const void *a, const void *b, void *ud) {
    const um_scan *s = ud;
    const um_subject *x = &s->subjects[*(const size_t *)a], *y = &s->subjects[*(const size_t *)b];
    if (x->score != y->score) return y->score - x->score;
    return strcmp(x->id, y->id);
}

static um_status finalize(um_scan *s) {
    /* finding ids and per-subject lists */
    for (size_t i = 0; i < s->n_findings; i++) {
        um_finding *f = &s->findings[i];
        f->info.evidence = f->ev; /* the array no longer moves */
        um_subject *u = &s->subjects[f->subject];
        char kb[640];
        int n = snprintf(kb, sizeof kb, "%s|%s|%s", u->id, f->info.indicator, f->info.key);
        uint64_t h = um_hash64(kb, n > 0 ? (size_t)n : 0, 0x756e6d61736bULL);
        f->info.id = um_arena_printf(&s->arena, "F-%016llx", (unsigned long long)h);
        f->info.subject_id = u->id;
        if (!um_grow((void **)&u->findings, &u->cap_findings, u->n_findings + 1, sizeof(size_t)))
            return UM_ENOMEM;
        u->findings[u->n_findings++] = i;
    }
    const um_finding **tmp = um_malloc(sizeof *tmp * (s->n_findings + 1));
    if (!tmp) return UM_ENOMEM;
    for (size_t i = 0; i < s->n_subjects; i++) {
        um_subject *u = &s->subjects[i];
        if (u->n_findings) qsort_r(u->findings, u->n_findings, sizeof(size_t), cmp_finding_idx, s);
        for (size_t k = 0; k < u->n_findings; k++) tmp[k] = &s->findings[u->findings[k]];
        um_score_subject(tmp, u->n_findings, &u->score, &u->level);
        um_subject_info *in = &u->info;
        in->id = u->id;
        in->display = u->display;
        in->names = u->attrs[UM_ATTR_FULL_NAME].v;
        in->n_names = u->attrs[UM_ATTR_FULL_NAME].n;
        in->sources = u->sources.v;
        in->n_sources = u->sources.n;
        in->joins = u->joins.v;
        in->n_joins = u->joins.n;
        in->score = u->score;
        in->level = u->level;
        in->findings = u->findings;
        in->n_findings = u->n_findings;
    }
    um_free(tmp);
    s->rank = um_malloc(sizeof *s->rank * (s->n_subjects + 1));
    if (!s->rank) return UM_ENOMEM;
    for (size_t i = 0; i < s->n_subjects; i++) s->rank[i] = i;
    if (s->n_subjects) qsort_r(s->rank, s->n_subjects, sizeof *s->rank, cmp_rank, s);
    s->stats.subjects = s->n_subjects;
    s->stats.findings = s->n_findings;
    return UM_OK;
}

/* ---- results ---- */

size_t um_scan_subject_count(const um_scan *s) { return s->rank ? s->n_subjects : 0; }
const um_subject_info *um_scan_subject(const um_scan *s, size_t i) {
    return s->rank && i < s->n_subjects ? &s->subjects[s->rank[i]].info : NULL;
}
size_t um_scan_finding_count(const um_scan *s) { return s->n_findings; }
const um_finding_info *um_scan_finding(const um_scan *s, size_t i) {
    return i < s->n_findings ? &s->findings[i].info : NULL;
}
void um_scan_get_stats(const um_scan *s, um_scan_stats *out) { *out = s->stats; }
size_t um_scan_reject_count(const um_scan *s) { return s->n_rejects; }
const um_reject_info *um_scan_reject(const um_scan *s, size_t i) {
    return i < s->n_rejects ? &s->rejects[i] : NULL;
}
size_t um_scan_warning_count(const um_scan *s) { return s->n_warnings; }
const um_reject_info *um_scan_warning(const um_scan *s, size_t i) {
    return i < s->n_warnings ? &s->warnings[i] : NULL;
}

um_level um_scan_max_level(const um_scan *s) {
    um_level m = UM_LEVEL_CLEAN;
    for (size_t i = 0; i < s->n_subjects; i++)
        if (s->subjects[i].level > m) m = s->subjects[i].level;
    return m;
}

/* Removes temporary files a killed earlier run left in dir (".NAME.tmp.PID",
 * with SQLite's -wal/-shm companions), when process PID is gone. */
static void remove_stale_temps(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *t = strstr(e->d_name, ".tmp.");
        if (e->d_name[0] != '.' || !t) continue;
        char *end;
        long pid = strtol(t + 5, &end, 10);
        if (pid <= 0 || (*end && strcmp(end, "-wal") && strcmp(end, "-shm") && strcmp(end, "-journal")))
            continue;
        if (pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
        char *p = NULL;
        if (asprintf(&p, "%s/%s", dir, e->d_name) >= 0) unlink(p);
        free(p);
    }
    closedir(d);
}

um_status um_scan_write_outputs(um_scan *s, const char *dir) {
    if (!s->rank) {
        um_scan_set_error(s, "scan has not run");
        return UM_EINVAL;
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        um_scan_set_error(s, "cannot create %s: %s", dir, strerror(errno));
        return UM_EIO;
    }
    remove_stale_temps(dir);
    um_status st = um_sink_jsonl(s, dir);
    if (st == UM_OK) st = um_sink_csv(s, dir);
    if (st == UM_OK) st = um_sink_sqlite(s, dir);
    return st;
}
