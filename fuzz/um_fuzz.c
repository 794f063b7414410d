/*
 * um_fuzz.c - shared harness code for the fuzz targets (see um_fuzz.h).
 */
#include "um_fuzz.h"

#include <dirent.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
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

/* Removes a folder and what is under it (the targets make at most two
 * levels; deeper ones are left alone rather than followed). */
static void remove_tree(const char *dir, int depth) {
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char p[sizeof g_tmpdir + 300];
        while ((e = readdir(d))) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            struct stat st;
            if (depth < 4 && lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) remove_tree(p, depth + 1);
            else unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

/* Removes the private folder and what the targets left in it. */
static void cleanup_tmpdir(void) {
    if (!g_tmpdir[0]) return;
    remove_tree(g_tmpdir, 0);
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

const char *um_fuzz_mkdir(const char *name) {
    snprintf(g_path, sizeof g_path, "%s/%s", um_fuzz_tmpdir(), name);
    if (mkdir(g_path, 0700) != 0) {
        struct stat st;
        if (stat(g_path, &st) != 0 || !S_ISDIR(st.st_mode)) um_fuzz_fail("cannot create", g_path);
    }
    return g_path;
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

const char *um_fuzz_data_dir(void) {
    const char *d = getenv("UNMASK_DATA_DIR");
    return d && *d ? d : UM_FUZZ_DATA_DIR;
}

um_ctx *um_fuzz_ctx(void) {
    if (g_ctx) return g_ctx;
    um_ctx_options o = {0};
    o.data_dir = um_fuzz_data_dir();
    if (um_ctx_open(&g_ctx, &o) != UM_OK) um_fuzz_fail("um_ctx_open", um_ctx_errmsg(g_ctx));
    /* Warm-up: one scan of a one-person export, so what the context builds
     * lazily (the sanctions screener: ~25 s under the fuzz build) is built
     * now, not inside the first input (libFuzzer reported it as slow). */
    static const char warm[] = "Candidate ID,First Name,Last Name,Email\nC1,Ann,Lee,ann@example.com\n";
    const char *wp = um_fuzz_write("warmup.csv", (const uint8_t *)warm, sizeof warm - 1);
    um_scan *scan = NULL;
    if (um_scan_new(g_ctx, &scan) == UM_OK && um_scan_add_path(scan, wp, "person-csv") == UM_OK)
        (void)um_scan_run(scan, NULL, NULL);
    um_scan_free(scan);
    unlink(wp);
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

/* ---- sanctions fixture ---------------------------------------------------- */

/* Made-up rows in the real OFAC formats; the ent_nums refer to each other. */
static const char k_sdn[] =
    "900001,\"KIM, Jong Un\",\"individual\",\"DPRK3] [DPRK4\",\"Marshal\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"
    "\"DOB 08 Jan 1984; alt. DOB circa 1983; POB Pyongyang, North Korea; nationality Korea, North; "
    "Email Address kju@example.kp; Digital Currency Address - XBT 1PfwHNxUnkpfkK9MKjMqzR3Xq3KCtq9u17; "
    "a.k.a. 'KIM Jong-eun'.\"\r\n"
    "900002,\"KOREA MINING DEVELOPMENT TRADING CORPORATION\",-0- ,\"DPRK] [NPWMD\",-0- ,-0- ,-0- ,-0- ,-0- ,"
    "-0- ,-0- ,\"a.k.a. 'KOMID'; Central District, Pyongyang, Korea, North\"\r\n"
    "900003,\"CHONG CHON GANG\",\"vessel\",\"DPRK2\",-0- ,\"HMZF\",\"General Cargo\",\"6,000\",\"6,000\","
    "\"Korea, North\",-0- ,\"Vessel Registration Identification IMO 7937317.\"\r\n"
    "\x1a";
static const char k_alt[] =
    "900001,1,\"aka\",\"KIM, Jong-un\",-0- \r\n"
    "900002,2,\"fka\",\"CHANGGWANG SINYONG CORPORATION\",-0- \r\n"
    "900099,3,\"aka\",\"RI, Su Yong\",\"weak\"\r\n"
    "\x1a";
static const char k_add[] =
    "900001,1,-0- ,\"Pyongyang\",\"Korea, North\",-0- \r\n"
    "900002,2,\"Central District\",\"Pyongyang\",\"Korea, North\",-0- \r\n"
    "\x1a";
static const char k_comments[] =
    "900002,\"; DOB 1990 to 1992; Email Address komid@example.kp\"\r\n"
    "\x1a";
static const char k_un[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<CONSOLIDATED_LIST dateGenerated=\"2026-02-27T00:00:00Z\"><INDIVIDUALS><INDIVIDUAL>"
    "<FIRST_NAME>RI</FIRST_NAME><SECOND_NAME>SU YONG</SECOND_NAME><UN_LIST_TYPE>DPRK</UN_LIST_TYPE>"
    "<REFERENCE_NUMBER>KPi.900</REFERENCE_NUMBER><NAME_ORIGINAL_SCRIPT>\xeb\xa6\xac\xec\x88\x98\xec\x9a\xa9"
    "</NAME_ORIGINAL_SCRIPT></INDIVIDUAL></INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>\n";

static const struct {
    const char *file, *text;
    size_t len;
} k_ofac[4] = {
    {"sdn.csv", k_sdn, sizeof k_sdn - 1},
    {"alt.csv", k_alt, sizeof k_alt - 1},
    {"add.csv", k_add, sizeof k_add - 1},
    {"sdn_comments.csv", k_comments, sizeof k_comments - 1},
};

const char *um_fuzz_ofac_file(unsigned i, const char **text, size_t *len) {
    if (i >= 4) um_fuzz_fail("no such OFAC fixture file", NULL);
    *text = k_ofac[i].text;
    *len = k_ofac[i].len;
    return k_ofac[i].file;
}

const um_fuzz_lists *um_fuzz_sanctions(void) {
    static um_fuzz_lists fx;
    static char data[512], ofac[512], un[512];
    if (fx.data_dir) return &fx;
    /* data folder: the real Korean variant table only */
    char src[1024];
    snprintf(src, sizeof src, "%s/names/korean_variants.tsv", um_fuzz_data_dir());
    FILE *f = fopen(src, "rb");
    if (!f) um_fuzz_fail("cannot read the Korean variant table", src);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, f);
    if (!feof(f)) um_fuzz_fail("Korean variant table larger than the harness expects", src);
    fclose(f);
    um_fuzz_mkdir("fixture");
    snprintf(data, sizeof data, "%s", um_fuzz_mkdir("fixture/data"));
    um_fuzz_mkdir("fixture/data/names");
    um_fuzz_write("fixture/data/names/korean_variants.tsv", (const uint8_t *)buf, n);
    snprintf(ofac, sizeof ofac, "%s", um_fuzz_mkdir("fixture/ofac"));
    for (unsigned i = 0; i < 4; i++) {
        char name[64];
        snprintf(name, sizeof name, "fixture/ofac/%s", k_ofac[i].file);
        um_fuzz_write(name, (const uint8_t *)k_ofac[i].text, k_ofac[i].len);
    }
    snprintf(un, sizeof un, "%s", um_fuzz_write("fixture/consolidated.xml", (const uint8_t *)k_un, sizeof k_un - 1));
    fx.data_dir = data;
    fx.ofac_dir = ofac;
    fx.un_xml = un;
    return &fx;
}

void um_fuzz_screen_walk(const um_screen_result *r, size_t limit) {
    if (!r) um_fuzz_fail("screening returned OK without a result", NULL);
    touch(um_screen_result_query(r), false, "screening query description");
    size_t n = um_screen_result_count(r);
    if (n > limit) um_fuzz_fail("more matches than the limit", NULL);
    double prev = 2.0;
    for (size_t i = 0; i < n; i++) {
        const um_screen_match *m = um_screen_result_match(r, i);
        if (!m) um_fuzz_fail("um_screen_result_match returned NULL inside the count", NULL);
        touch(m->list, false, "match list");
        touch(m->uid, false, "match uid");
        touch(m->entry_name, false, "match entry name");
        touch(m->matched_name, false, "match matched name");
        touch(m->alias_kind, false, "match alias kind");
        touch(m->entry_type, false, "match entry type");
        touch(m->explanation, true, "match explanation");
        if (!(m->score >= 0.0 && m->score <= 1.0)) um_fuzz_fail("match score outside 0..1", m->uid);
        if (m->score > prev) um_fuzz_soft("matches not ranked by score", m->uid);
        prev = m->score;
    }
    if (um_screen_result_match(r, n)) um_fuzz_fail("um_screen_result_match past the count is not NULL", NULL);
}

void um_fuzz_screener_walk(const um_screener *s) {
    touch(um_screener_errmsg(s), false, "screener error message");
    size_t nl = um_screener_list_count(s);
    for (size_t i = 0; i < nl; i++) {
        const um_list_info *l = um_screener_list(s, i);
        if (!l) um_fuzz_fail("um_screener_list returned NULL inside the count", NULL);
        touch(l->list, false, "list name");
        touch(l->path, false, "list path");
        touch(l->what, false, "list description");
        touch(l->date, true, "list date");
    }
    if (um_screener_list(s, nl)) um_fuzz_fail("um_screener_list past the count is not NULL", NULL);
    for (size_t i = 0; um_screener_warning(s, i); i++) touch(um_screener_warning(s, i), false, "screener warning");
    size_t entries = 0, names = 0;
    um_screener_size(s, &entries, &names);
    g_sink += entries + names;
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

static const char *g_xml_allow[2];
static xmlExternalEntityLoader g_xml_prev;

static xmlParserInputPtr guarded_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt) {
    for (size_t i = 0; url && i < 2; i++)
        if (g_xml_allow[i] && strcmp(url, g_xml_allow[i]) == 0) return g_xml_prev(url, id, ctxt);
    um_fuzz_fail("libxml2 tried to load an external resource", url ? url : id ? id : "(no URL)");
    return NULL;
}

void um_fuzz_xml_guard(const char *dir, const char *allow1, const char *allow2) {
    char secret[600];
    snprintf(secret, sizeof secret, "%s/secret.txt", dir);
    FILE *f = fopen(secret, "w");
    if (!f || fputs(UM_FUZZ_SECRET "\n", f) < 0 || fclose(f) != 0) um_fuzz_fail("cannot write", secret);
    g_xml_allow[0] = allow1;
    g_xml_allow[1] = allow2;
    xmlInitParser();
    g_xml_prev = xmlGetExternalEntityLoader();
    xmlSetExternalEntityLoader(guarded_loader);
}

bool um_fuzz_contains(const uint8_t *data, size_t size, const char *needle) {
    size_t n = strlen(needle);
    for (size_t i = 0; n && i + n <= size; i++)
        if (data[i] == (uint8_t)needle[0] && memcmp(data + i, needle, n) == 0) return true;
    return false;
}

void um_fuzz_screen_once(const um_screener_options *o, const um_screen_query *q, const char *id_type,
                         const char *id_value, const char *what) {
    um_screener *s = NULL;
    um_status st = um_screener_open(&s, o);
    if (!s) {
        if (st != UM_ENOMEM) um_fuzz_fail("um_screener_open gave no screener", um_status_str(st));
        return;
    }
    if (st != UM_OK && st != UM_ENOMEM) um_fuzz_fail(what, um_screener_errmsg(s));
    if (st == UM_OK) {
        um_fuzz_screener_walk(s);
        um_screen_result *r = NULL;
        st = um_screen_name(s, q, &r);
        if (st == UM_OK) um_fuzz_screen_walk(r, q->limit ? q->limit : 10);
        else if (st != UM_ENOMEM) um_fuzz_fail("um_screen_name failed on a valid query", um_status_str(st));
        um_screen_result_free(r);
        r = NULL;
        st = um_screen_identifier(s, id_type, id_value, &r);
        if (st == UM_OK) um_fuzz_screen_walk(r, SIZE_MAX);
        else if (st != UM_ENOMEM) um_fuzz_fail("um_screen_identifier failed", um_status_str(st));
        um_screen_result_free(r);
    }
    um_screener_close(s);
}
