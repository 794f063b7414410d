/*
 * rules.c - `unmask rules list|match|test`: the Sigma engine for detection
 * engineers. Thin: compiles rules with the library, reads Windows event
 * files through it, prints.
 *
 *   rules list  --rules PATH...            loaded rules and refused ones
 *   rules match --rules PATH... [--json] INPUT...
 *   rules test  CASE_DIR...                data-file rule tests
 *
 * A test case is a folder with an `expect` file; its *.yml / *.yaml files
 * are the rules and every other file (not README*) is input. `expect` lists
 * one expected hit per line, `RULE_ID FILE:LINE` (FILE is the base name;
 * LINE the JSON object's first line or the EVTX record number), or
 * `refused FILE:LINE TEXT` for a rule that must be refused with a message
 * containing TEXT, or `none`. Optional files `rulepaths` and `inputpaths`
 * name more rule files/folders and inputs, one path a line, relative to the
 * case folder. A case passes when the hits and refusals are
 * exactly the expected ones. Folders are searched recursively for cases.
 */
#include <dirent.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../src/sigma/input.h"
#include "../src/sigma/sigma.h"
#include "../src/util/timeparse.h"
#include "../src/util/util.h"

#define EXIT_HITS 1
#define EXIT_ERROR 2

static void usage(FILE *o) {
    fprintf(o,
            "Usage: unmask rules list  --rules PATH... [--json]\n"
            "       unmask rules match --rules PATH... [--json] INPUT...\n"
            "       unmask rules test  CASE_DIR...\n"
            "\n"
            "Sigma rules (YAML; files or folders of *.yml) over Windows event files:\n"
            ".evtx, evtx_dump / Sigma regression JSON, NXLog/OTRF and Winlogbeat JSON\n"
            "lines. Sigma v2 correlation rules (event_count, value_count, temporal,\n"
            "temporal_ordered) run over the hits of their base rules.\n"
            "\n"
            "  list    print every loaded rule (id, level, logsource, title) and every\n"
            "          refused rule with its file, line and the unsupported feature\n"
            "  match   print each hit: rule, level, file:line, EventRecordID, time,\n"
            "          host and the matched fields. --json: one JSON object per line\n"
            "          with rule_id, title, level, file, line, record_id, time, host,\n"
            "          fields (correlations: group, count, first, last)\n"
            "  test    run data-file rule tests: each folder with an 'expect' file is a\n"
            "          case (rules *.yml + input files + expected hits)\n"
            "\n"
            "Options:\n"
            "  -r, --rules PATH   rule file or folder (repeatable)\n"
            "  -j, --json         JSON lines output\n"
            "  -h, --help         this help\n"
            "\n"
            "Exit status: 0 no hits (test: all passed), 1 hits (test: a case failed),\n"
            "2 error (also: match with a refused rule, unless --allow-refused).\n");
}

typedef struct opts {
    const char **rules;
    size_t nrules;
    bool json, allow_refused;
} opts;

static void print_refusals(const um_sigma_compiler *c, FILE *o) {
    for (size_t i = 0; i < um_sigma_refusal_count(c); i++) {
        const um_sigma_refusal *r = um_sigma_refusal_at(c, i);
        fprintf(o, "refused: %s:%u: %s%s%s%s\n", r->file, r->line, r->message, r->rule ? " (rule '" : "",
                r->rule ? r->rule : "", r->rule ? "')" : "");
    }
}

static um_sigma_db *load(const char *const *paths, size_t n, um_sigma_compiler **cout) {
    um_sigma_compiler *c = NULL;
    if (um_sigma_compiler_new(&c) != UM_OK) {
        fprintf(stderr, "unmask rules: out of memory\n");
        um_sigma_compiler_free(c);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (um_sigma_add_path(c, paths[i]) != UM_OK) {
            fprintf(stderr, "unmask rules: %s\n", um_sigma_compiler_errmsg(c));
            um_sigma_compiler_free(c);
            return NULL;
        }
    um_sigma_db *db = NULL;
    if (um_sigma_compile(c, &db) != UM_OK) {
        fprintf(stderr, "unmask rules: %s\n", um_sigma_compiler_errmsg(c));
        um_sigma_compiler_free(c);
        return NULL;
    }
    *cout = c;
    return db;
}

/* ---- match ------------------------------------------------------------ */

typedef struct mctx {
    const um_sigma_db *db;
    um_sigma_scratch *s;
    um_sigma_corr *corr;
    const um_sigma_record *rec;
    const char *file;
    uint64_t line;
    bool json;
    uint64_t hits, rejects;
    um_buf out;
    /* test mode: collected "RULE_ID file:line" lines */
    char **got;
    size_t ngot, capgot;
    bool collect;
} mctx;

static void add_kv_json(um_buf *b, const char *k, const char *v, size_t vl) {
    char *tmp = um_strndup(v, vl);
    um_buf_add_json(b, k);
    um_buf_addc(b, ':');
    um_buf_add_json(b, tmp ? tmp : "");
    um_free(tmp);
}

static const char *base_name(const char *p) {
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static int on_corr(void *ud, const um_sigma_hit *h);

static int on_hit(void *ud, const um_sigma_hit *h) {
    mctx *m = ud;
    const um_sigma_rule_info *ri = um_sigma_rule_at(m->db, h->rule);
    if (!ri) return 0;
    if (m->corr && !h->group_key) um_sigma_corr_feed(m->corr, m->s, h, &m->rec->ev, on_corr, m);
    if (!ri->emits) return 0;
    m->hits++;
    const char *rid = ri->id ? ri->id : (ri->title ? ri->title : "?");
    if (m->collect) {
        char line[512];
        if (h->group_key)
            snprintf(line, sizeof line, "%s %s:%llu", rid, base_name(m->file), (unsigned long long)m->line);
        else
            snprintf(line, sizeof line, "%s %s:%llu", rid, base_name(m->file), (unsigned long long)m->line);
        if (um_grow((void **)&m->got, &m->capgot, m->ngot + 1, sizeof *m->got)) m->got[m->ngot++] = um_strdup(line);
        return 0;
    }
    char tbuf[40] = "";
    int64_t ts = h->group_key ? h->last_ts : m->rec->ev.ts;
    if (ts != INT64_MIN) um_time_format(ts, tbuf, sizeof tbuf);
    um_buf *b = &m->out;
    um_buf_reset(b);
    const char *indicator = um_sigma_rule_attr(m->db, h->rule, "unmask_indicator");
    if (m->json) {
        um_buf_adds(b, "{\"rule_id\":");
        um_buf_add_json(b, rid);
        um_buf_adds(b, ",\"title\":");
        um_buf_add_json(b, ri->title);
        um_buf_adds(b, ",\"level\":");
        um_buf_add_json(b, ri->level);
        if (indicator) {
            um_buf_adds(b, ",\"indicator\":");
            um_buf_add_json(b, indicator);
        }
        um_buf_adds(b, ",\"file\":");
        um_buf_add_json(b, m->file);
        um_buf_printf(b, ",\"line\":%llu,\"record_id\":", (unsigned long long)m->line);
        um_buf_add_json(b, h->group_key ? NULL : m->rec->record_id);
        um_buf_adds(b, ",\"time\":");
        um_buf_add_json(b, tbuf[0] ? tbuf : NULL);
        um_buf_adds(b, ",\"host\":");
        um_buf_add_json(b, h->group_key ? NULL : m->rec->host);
        if (h->group_key) {
            char fb[40] = "";
            if (h->first_ts != INT64_MIN) um_time_format(h->first_ts, fb, sizeof fb);
            um_buf_adds(b, ",\"correlation\":");
            um_buf_add_json(b, ri->corr_type);
            um_buf_adds(b, ",\"group\":");
            um_buf_add_json(b, h->group_key);
            um_buf_printf(b, ",\"count\":%llu,\"first\":", (unsigned long long)h->count);
            um_buf_add_json(b, fb[0] ? fb : NULL);
        }
        um_buf_adds(b, ",\"fields\":{");
        for (size_t i = 0; i < h->nfields; i++) {
            if (i) um_buf_addc(b, ',');
            char *k = um_strndup(h->fields[i].name, h->fields[i].nlen);
            add_kv_json(b, k ? k : "", h->fields[i].value, h->fields[i].vlen);
            um_free(k);
        }
        um_buf_adds(b, "}}\n");
    } else {
        um_buf_printf(b, "%s [%s] %s  %s:%llu", rid, ri->level ? ri->level : "-", ri->title ? ri->title : "",
                      m->file, (unsigned long long)m->line);
        if (!h->group_key && m->rec->record_id) um_buf_printf(b, " record=%s", m->rec->record_id);
        if (tbuf[0]) um_buf_printf(b, " time=%s", tbuf);
        if (!h->group_key && m->rec->host) um_buf_printf(b, " host=%s", m->rec->host);
        if (indicator) um_buf_printf(b, " indicator=%s", indicator);
        if (h->group_key)
            um_buf_printf(b, " %s group=%s count=%llu", ri->corr_type, h->group_key, (unsigned long long)h->count);
        for (size_t i = 0; i < h->nfields; i++)
            um_buf_printf(b, "%s%.*s=%.*s", i ? "; " : " | ", (int)h->fields[i].nlen, h->fields[i].name,
                          (int)(h->fields[i].vlen > 300 ? 300 : h->fields[i].vlen), h->fields[i].value);
        um_buf_addc(b, '\n');
    }
    if (!b->oom) fwrite(b->s, 1, b->len, stdout);
    return 0;
}

static int on_corr(void *ud, const um_sigma_hit *h) { return on_hit(ud, h); }

static int on_record(void *ud, const um_sigma_record *rec, const char *file, uint64_t line, const char *why) {
    mctx *m = ud;
    if (!rec) {
        m->rejects++;
        if (!m->collect) fprintf(stderr, "unmask rules: %s:%llu: record rejected: %s\n", file, (unsigned long long)line, why);
        return 0;
    }
    m->rec = rec;
    m->file = file;
    m->line = line;
    um_sigma_match(m->db, m->s, &rec->ev, on_hit, m);
    return 0;
}

static int run_inputs(mctx *m, char *const *inputs, size_t n) {
    for (size_t i = 0; i < n; i++) {
        um_sigma_input_stats st;
        if (um_sigma_read_file(inputs[i], on_record, m, &st) != UM_OK) {
            fprintf(stderr, "unmask rules: %s: cannot read\n", inputs[i]);
            return -1;
        }
    }
    return 0;
}

static int parse_opts(int argc, char **argv, opts *o) {
    static const struct option lo[] = {{"rules", required_argument, 0, 'r'}, {"json", no_argument, 0, 'j'},
                                       {"allow-refused", no_argument, 0, 'A'}, {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "r:jh", lo, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (!um_grow((void **)&o->rules, &(size_t){o->nrules}, o->nrules + 1, sizeof *o->rules)) return -1;
            o->rules[o->nrules++] = optarg;
            break;
        case 'j': o->json = true; break;
        case 'A': o->allow_refused = true; break;
        case 'h': usage(stdout); return 1;
        default: usage(stderr); return -1;
        }
    }
    return 0;
}

static int cmd_list(int argc, char **argv) {
    opts o = {0};
    int r = parse_opts(argc, argv, &o);
    if (r) {
        um_free(o.rules);
        return r > 0 ? 0 : EXIT_ERROR;
    }
    if (!o.nrules) {
        fprintf(stderr, "unmask rules list: give --rules PATH\n");
        um_free(o.rules);
        return EXIT_ERROR;
    }
    um_sigma_compiler *c = NULL;
    um_sigma_db *db = load(o.rules, o.nrules, &c);
    um_free(o.rules);
    if (!db) return EXIT_ERROR;
    size_t loaded = 0;
    for (size_t i = 0; i < um_sigma_rule_count(db); i++) {
        const um_sigma_rule_info *ri = um_sigma_rule_at(db, i);
        if (!ri) continue;
        loaded++;
        const char *ind = um_sigma_rule_attr(db, i, "unmask_indicator");
        if (o.json) {
            um_buf b;
            um_buf_init(&b);
            um_buf_adds(&b, "{\"rule_id\":");
            um_buf_add_json(&b, ri->id);
            um_buf_adds(&b, ",\"title\":");
            um_buf_add_json(&b, ri->title);
            um_buf_adds(&b, ",\"level\":");
            um_buf_add_json(&b, ri->level);
            um_buf_adds(&b, ",\"logsource\":");
            um_buf_add_json(&b, ri->corr_type ? ri->corr_type : ri->logsource);
            um_buf_adds(&b, ",\"indicator\":");
            um_buf_add_json(&b, ind);
            um_buf_adds(&b, ",\"file\":");
            um_buf_add_json(&b, ri->file);
            um_buf_printf(&b, ",\"line\":%u}\n", ri->line);
            if (!b.oom) fputs(b.s, stdout);
            um_buf_free(&b);
        } else {
            printf("%s  %-8s %-28s %s%s%s%s\n", ri->id ? ri->id : "-", ri->level ? ri->level : "-",
                   ri->correlation ? ri->corr_type : ri->logsource, ri->title ? ri->title : "", ind ? " [" : "",
                   ind ? ind : "", ind ? "]" : "");
        }
    }
    size_t pat, ex, gr;
    um_sigma_db_stats(db, &pat, &ex, &gr);
    print_refusals(c, o.json ? stderr : stdout);
    fprintf(o.json ? stderr : stdout, "%zu rules loaded (%zu string patterns, %zu exact values, %zu logsource groups), %zu refused\n",
            loaded, pat, ex, gr, um_sigma_refusal_count(c));
    um_sigma_db_free(db);
    um_sigma_compiler_free(c);
    return 0;
}

static int cmd_match(int argc, char **argv) {
    opts o = {0};
    int r = parse_opts(argc, argv, &o);
    if (r) {
        um_free(o.rules);
        return r > 0 ? 0 : EXIT_ERROR;
    }
    if (!o.nrules || optind >= argc) {
        fprintf(stderr, "unmask rules match: give --rules PATH and at least one INPUT\n");
        um_free(o.rules);
        return EXIT_ERROR;
    }
    um_sigma_compiler *c = NULL;
    um_sigma_db *db = load(o.rules, o.nrules, &c);
    um_free(o.rules);
    if (!db) return EXIT_ERROR;
    if (um_sigma_refusal_count(c)) {
        print_refusals(c, stderr);
        if (!o.allow_refused) {
            fprintf(stderr, "unmask rules match: %zu rule(s) refused (--allow-refused runs the others)\n",
                    um_sigma_refusal_count(c));
            um_sigma_db_free(db);
            um_sigma_compiler_free(c);
            return EXIT_ERROR;
        }
    }
    mctx m = {0};
    m.db = db;
    m.json = o.json;
    um_buf_init(&m.out);
    int rc = EXIT_ERROR;
    if (um_sigma_scratch_new(db, &m.s) != UM_OK || um_sigma_corr_new(db, 0, &m.corr) != UM_OK) {
        fprintf(stderr, "unmask rules: out of memory\n");
    } else if (run_inputs(&m, argv + optind, (size_t)(argc - optind)) == 0) {
        rc = m.hits ? EXIT_HITS : 0;
        if (m.rejects) fprintf(stderr, "unmask rules: %llu record(s) rejected\n", (unsigned long long)m.rejects);
    }
    um_buf_free(&m.out);
    um_sigma_corr_free(m.corr);
    um_sigma_scratch_free(m.s);
    um_sigma_db_free(db);
    um_sigma_compiler_free(c);
    return rc;
}

/* ---- test ------------------------------------------------------------- */

static int cmp_strp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static bool ends(const char *s, const char *suf) {
    size_t n = strlen(s), k = strlen(suf);
    return n >= k && !strcmp(s + n - k, suf);
}

static int run_case(const char *dir, int *failed) {
    char path[4096];
    DIR *d = opendir(dir);
    if (!d) return -1;
    char **rules = NULL, **inputs = NULL;
    size_t nr = 0, ni = 0, cr = 0, ci = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !strcmp(e->d_name, "expect") || !strncmp(e->d_name, "README", 6) ||
            !strcmp(e->d_name, "rulepaths") || !strcmp(e->d_name, "inputpaths"))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat sb;
        if (stat(path, &sb) || !S_ISREG(sb.st_mode)) continue;
        if (ends(e->d_name, ".yml") || ends(e->d_name, ".yaml")) {
            if (um_grow((void **)&rules, &cr, nr + 1, sizeof *rules)) rules[nr++] = um_strdup(path);
        } else if (um_grow((void **)&inputs, &ci, ni + 1, sizeof *inputs)) {
            inputs[ni++] = um_strdup(path);
        }
    }
    closedir(d);
    /* `rulepaths` / `inputpaths`: more rules or inputs, one path a line,
     * relative to the case folder (the shipped pack, shared samples) */
    for (int which = 0; which < 2; which++) {
        snprintf(path, sizeof path, "%s/%s", dir, which ? "inputpaths" : "rulepaths");
        FILE *pf = fopen(path, "r");
        char pl[2048];
        while (pf && fgets(pl, sizeof pl, pf)) {
            char *t = um_trim(pl);
            if (!*t || *t == '#') continue;
            char full[4096];
            snprintf(full, sizeof full, "%s/%s", dir, t);
            if (which == 0 && um_grow((void **)&rules, &cr, nr + 1, sizeof *rules)) rules[nr++] = um_strdup(full);
            if (which == 1 && um_grow((void **)&inputs, &ci, ni + 1, sizeof *inputs)) inputs[ni++] = um_strdup(full);
        }
        if (pf) fclose(pf);
    }
    if (nr > 1) qsort(rules, nr, sizeof *rules, cmp_strp);
    if (ni > 1) qsort(inputs, ni, sizeof *inputs, cmp_strp);
    /* expected */
    snprintf(path, sizeof path, "%s/expect", dir);
    FILE *f = fopen(path, "r");
    char **want = NULL, **wref = NULL;
    size_t nw = 0, cw = 0, nwr = 0, cwr = 0;
    char line[1024];
    while (f && fgets(line, sizeof line, f)) {
        char *s = um_trim(line);
        if (!*s || *s == '#' || !strcmp(s, "none")) continue;
        if (!strncmp(s, "refused ", 8)) {
            if (um_grow((void **)&wref, &cwr, nwr + 1, sizeof *wref)) wref[nwr++] = um_strdup(s + 8);
        } else if (um_grow((void **)&want, &cw, nw + 1, sizeof *want)) {
            want[nw++] = um_strdup(s);
        }
    }
    if (f) fclose(f);
    um_sigma_compiler *c = NULL;
    um_sigma_db *db = load((const char *const *)rules, nr, &c);
    bool ok = db != NULL;
    mctx m = {0};
    m.collect = true;
    m.db = db;
    um_buf_init(&m.out);
    if (db && (um_sigma_scratch_new(db, &m.s) != UM_OK || um_sigma_corr_new(db, 0, &m.corr) != UM_OK)) ok = false;
    if (ok && run_inputs(&m, inputs, ni) != 0) ok = false;
    if (ok) {
        if (m.ngot > 1) qsort(m.got, m.ngot, sizeof *m.got, cmp_strp);
        if (nw > 1) qsort(want, nw, sizeof *want, cmp_strp);
        size_t i = 0, j = 0;
        while (i < m.ngot || j < nw) {
            int cmp = i >= m.ngot ? 1 : j >= nw ? -1 : strcmp(m.got[i], want[j]);
            if (cmp == 0) i++, j++;
            else if (cmp < 0) printf("  %s: unexpected hit %s\n", dir, m.got[i++]), ok = false;
            else printf("  %s: missing hit %s\n", dir, want[j++]), ok = false;
        }
        /* refusals: "FILE:LINE TEXT" */
        size_t nref = um_sigma_refusal_count(c);
        bool *used = um_calloc(nref + 1, sizeof *used);
        for (size_t k = 0; k < nwr; k++) {
            char *sp = strchr(wref[k], ' ');
            const char *text = sp ? sp + 1 : "";
            size_t loclen = sp ? (size_t)(sp - wref[k]) : strlen(wref[k]);
            bool found = false;
            for (size_t q = 0; q < nref && !found; q++) {
                const um_sigma_refusal *rf = um_sigma_refusal_at(c, q);
                char loc[512];
                snprintf(loc, sizeof loc, "%s:%u", base_name(rf->file), rf->line);
                if (strlen(loc) == loclen && !strncmp(loc, wref[k], loclen) && strstr(rf->message, text) && used &&
                    !used[q])
                    found = true, used[q] = true;
            }
            if (!found) printf("  %s: missing refusal %s\n", dir, wref[k]), ok = false;
        }
        for (size_t q = 0; q < nref; q++)
            if (!used || !used[q]) {
                const um_sigma_refusal *rf = um_sigma_refusal_at(c, q);
                printf("  %s: unexpected refusal %s:%u %s\n", dir, base_name(rf->file), rf->line, rf->message);
                ok = false;
            }
        um_free(used);
    }
    printf("%s %s\n", ok ? "PASS" : "FAIL", dir);
    if (!ok) (*failed)++;
    for (size_t k = 0; k < m.ngot; k++) um_free(m.got[k]);
    um_free(m.got);
    um_buf_free(&m.out);
    um_sigma_corr_free(m.corr);
    um_sigma_scratch_free(m.s);
    um_sigma_db_free(db);
    um_sigma_compiler_free(c);
    for (size_t k = 0; k < nr; k++) um_free(rules[k]);
    for (size_t k = 0; k < ni; k++) um_free(inputs[k]);
    for (size_t k = 0; k < nw; k++) um_free(want[k]);
    for (size_t k = 0; k < nwr; k++) um_free(wref[k]);
    um_free(rules);
    um_free(inputs);
    um_free(want);
    um_free(wref);
    return 0;
}

static void walk_cases(const char *dir, int *n, int *failed, int depth) {
    char path[4096];
    snprintf(path, sizeof path, "%s/expect", dir);
    struct stat sb;
    if (stat(path, &sb) == 0) {
        (*n)++;
        if (run_case(dir, failed) != 0) (*failed)++;
        return;
    }
    if (depth > 16) return;
    DIR *d = opendir(dir);
    if (!d) return;
    char **names = NULL;
    size_t nn = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.' && um_grow((void **)&names, &cap, nn + 1, sizeof *names)) names[nn++] = um_strdup(e->d_name);
    closedir(d);
    if (nn > 1) qsort(names, nn, sizeof *names, cmp_strp);
    for (size_t i = 0; i < nn; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) walk_cases(path, n, failed, depth + 1);
        um_free(names[i]);
    }
    um_free(names);
}

static int cmd_test(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_ERROR : 0;
    }
    int n = 0, failed = 0;
    for (int i = 1; i < argc; i++) walk_cases(argv[i], &n, &failed, 0);
    printf("%d passed, %d failed\n", n - failed, failed);
    if (n == 0) {
        fprintf(stderr, "unmask rules test: no test case (folder with an 'expect' file) found\n");
        return EXIT_ERROR;
    }
    return failed ? EXIT_HITS : 0;
}

int um_cli_rules(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_ERROR : 0;
    }
    if (!strcmp(argv[1], "list")) return cmd_list(argc - 1, argv + 1);
    if (!strcmp(argv[1], "match")) return cmd_match(argc - 1, argv + 1);
    if (!strcmp(argv[1], "test")) return cmd_test(argc - 1, argv + 1);
    fprintf(stderr, "unmask rules: unknown subcommand '%s'\n", argv[1]);
    usage(stderr);
    return EXIT_ERROR;
}
