/*
 * um_fuzz.c - shared harness code for the fuzz targets (see um_fuzz.h).
 */
#include "um_fuzz.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef UM_FUZZ_DATA_DIR
#define UM_FUZZ_DATA_DIR "data"
#endif

static um_ctx *g_ctx;
static char g_tmpdir[256];
static char g_path[512];

void um_fuzz_fail(const char *what, const char *detail) {
    fprintf(stderr, "um_fuzz: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    abort();
}

void um_fuzz_soft(const char *what, const char *detail) {
    static int strict = -1;
    if (strict < 0) strict = getenv("UM_FUZZ_STRICT") && *getenv("UM_FUZZ_STRICT") && strcmp(getenv("UM_FUZZ_STRICT"), "0") != 0;
    if (strict) um_fuzz_fail(what, detail);
    fprintf(stderr, "um_fuzz: note (fatal with UM_FUZZ_STRICT=1): %s%s%s\n", what, detail ? ": " : "",
            detail ? detail : "");
}

/* Removes the private folder and what the targets left in it. */
static void cleanup_tmpdir(void) {
    if (!g_tmpdir[0]) return;
    DIR *d = opendir(g_tmpdir);
    if (d) {
        struct dirent *e;
        char p[sizeof g_tmpdir + 300];
        while ((e = readdir(d))) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            snprintf(p, sizeof p, "%s/%s", g_tmpdir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(g_tmpdir);
    g_tmpdir[0] = 0;
}

const char *um_fuzz_tmpdir(void) {
    if (g_tmpdir[0]) return g_tmpdir;
    struct stat st;
    const char *base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0
                           ? "/dev/shm"
                           : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    snprintf(g_tmpdir, sizeof g_tmpdir, "%s/um-fuzz-XXXXXX", base);
    if (!mkdtemp(g_tmpdir)) {
        g_tmpdir[0] = 0;
        um_fuzz_fail("cannot create a temporary folder under", base);
    }
    atexit(cleanup_tmpdir);
    return g_tmpdir;
}

const char *um_fuzz_write(const char *name, const uint8_t *data, size_t size) {
    snprintf(g_path, sizeof g_path, "%s/%s", um_fuzz_tmpdir(), name);
    FILE *f = fopen(g_path, "wb");
    if (!f) um_fuzz_fail("cannot write", g_path);
    if (size && fwrite(data, 1, size, f) != size) um_fuzz_fail("short write", g_path);
    if (fclose(f) != 0) um_fuzz_fail("cannot close", g_path);
    return g_path;
}

FILE *um_fuzz_stream(const uint8_t *data, size_t size) {
    /* fmemopen() refuses a zero-sized buffer on some libcs */
    FILE *f = size ? fmemopen((void *)data, size, "rb") : fopen("/dev/null", "rb");
    if (!f) um_fuzz_fail("cannot open a memory stream", NULL);
    return f;
}

um_ctx *um_fuzz_ctx(void) {
    if (g_ctx) return g_ctx;
    um_ctx_options o = {0};
    o.data_dir = getenv("UNMASK_DATA_DIR");
    if (!o.data_dir || !*o.data_dir) o.data_dir = UM_FUZZ_DATA_DIR;
    if (um_ctx_open(&g_ctx, &o) != UM_OK) um_fuzz_fail("um_ctx_open", um_ctx_errmsg(g_ctx));
    return g_ctx;
}

static volatile size_t g_sink; /* keeps the string reads below from being optimised away */

static void touch(const char *s, bool may_be_null, const char *what) {
    if (!s) {
        if (!may_be_null) um_fuzz_fail("NULL string in results", what);
        return;
    }
    g_sink += strlen(s);
}

void um_fuzz_walk(const um_scan *scan) {
    um_scan_stats st;
    um_scan_get_stats(scan, &st);
    size_t ns = um_scan_subject_count(scan), nf = um_scan_finding_count(scan);
    if (ns != st.subjects) um_fuzz_fail("subject count differs from stats", NULL);
    if (nf != st.findings) um_fuzz_fail("finding count differs from stats", NULL);
    if (st.events + st.persons != st.records) um_fuzz_fail("records != events + persons", NULL);
    if (um_scan_reject_count(scan) > st.rejects) um_fuzz_fail("more kept rejects than counted", NULL);
    if (um_scan_warning_count(scan) > st.warnings) um_fuzz_fail("more kept warnings than counted", NULL);
    int prev_score = 0;
    for (size_t i = 0; i < ns; i++) {
        const um_subject_info *s = um_scan_subject(scan, i);
        if (!s) um_fuzz_fail("um_scan_subject returned NULL inside the count", NULL);
        touch(s->id, false, "subject id");
        touch(s->display, true, "subject display");
        for (size_t k = 0; k < s->n_names; k++) touch(s->names[k], false, "subject name");
        for (size_t k = 0; k < s->n_sources; k++) touch(s->sources[k], false, "subject source");
        for (size_t k = 0; k < s->n_joins; k++) touch(s->joins[k], false, "subject join");
        if (s->level < UM_LEVEL_CLEAN || s->level > UM_LEVEL_HIGH) um_fuzz_fail("subject level", s->id);
        if (i > 0 && s->score > prev_score) um_fuzz_soft("subjects not ranked by score", s->id);
        prev_score = s->score;
        for (size_t k = 0; k < s->n_findings; k++)
            if (s->findings[k] >= nf) um_fuzz_fail("subject finding index out of range", s->id);
    }
    for (size_t i = 0; i < nf; i++) {
        const um_finding_info *f = um_scan_finding(scan, i);
        if (!f) um_fuzz_fail("um_scan_finding returned NULL inside the count", NULL);
        touch(f->id, false, "finding id");
        touch(f->indicator, false, "finding indicator");
        touch(f->analyzer, false, "finding analyzer");
        touch(f->subject_id, false, "finding subject");
        touch(f->strength, false, "finding strength");
        touch(f->summary, false, "finding summary");
        touch(f->key, true, "finding key");
        if (f->count == 0) um_fuzz_fail("finding with count 0", f->indicator);
        if (f->first_us != INT64_MIN && f->last_us != INT64_MIN && f->first_us > f->last_us)
            um_fuzz_soft("finding first time after last", f->indicator);
        if (f->n_evidence > f->count) um_fuzz_fail("more evidence than events", f->indicator);
        for (size_t k = 0; k < f->n_evidence; k++) {
            touch(f->evidence[k].file, true, "evidence file");
            touch(f->evidence[k].record, true, "evidence record");
            touch(f->evidence[k].values, true, "evidence values");
        }
    }
    for (size_t i = 0; i < um_scan_reject_count(scan); i++) {
        const um_reject_info *r = um_scan_reject(scan, i);
        touch(r->file, true, "reject file");
        touch(r->reader, true, "reject reader");
        touch(r->reason, false, "reject reason");
    }
    for (size_t i = 0; i < um_scan_warning_count(scan); i++) {
        const um_reject_info *r = um_scan_warning(scan, i);
        touch(r->file, true, "warning file");
        touch(r->reader, true, "warning reader");
        touch(r->reason, false, "warning reason");
    }
    (void)um_scan_max_level(scan);
}

um_status um_fuzz_scan(const char *path, const char *format, const char *mapping) {
    um_scan *scan = NULL;
    um_status st = um_scan_new(um_fuzz_ctx(), &scan);
    if (st == UM_OK && mapping) st = um_scan_set_mapping(scan, mapping);
    if (st == UM_OK) st = um_scan_add_path(scan, path, format);
    if (st == UM_OK) {
        st = um_scan_run(scan, NULL, NULL);
        touch(um_scan_errmsg(scan), false, "scan error message");
        if (st == UM_OK) um_fuzz_walk(scan);
    }
    /* Optional: the sinks too (JSON escaping of hostile strings, SQLite);
     * slower, so only when asked. */
    if (st == UM_OK && getenv("UM_FUZZ_SINKS")) {
        char out[400];
        snprintf(out, sizeof out, "%s/out", um_fuzz_tmpdir());
        um_status ws = um_scan_write_outputs(scan, out);
        if (ws != UM_OK) um_fuzz_fail("um_scan_write_outputs", um_scan_errmsg(scan));
        static const char *const files[] = {"subjects.jsonl", "findings.jsonl", "case.db"};
        for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
            char p[460];
            snprintf(p, sizeof p, "%s/%s", out, files[i]);
            unlink(p);
        }
        rmdir(out);
    }
    um_scan_free(scan);
    return st;
}
