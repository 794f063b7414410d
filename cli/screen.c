/*
 * screen.c - the `unmask screen` and `unmask data` commands (thin: parse
 * options, call the screening API in unmask.h, print).
 *
 *   unmask screen --name NAME [--dob YYYY-MM-DD] [--country CC]
 *                 [--type person|entity] [--threshold X] [--limit N] [--json]
 *   unmask screen --email E | --wallet W | --github H | --phone P [--json]
 *   unmask screen --batch FILE [--json]   (CSV with a header, or JSON lines)
 *   unmask data [--ofac-dir DIR] [--un-xml FILE] [--data-dir DIR]
 *
 * Exit codes: 0 no match, 1 at least one match, 2 error. Output is owned by
 * this file; results are freed after printing.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "unmask.h"

int um_cli_screen(int argc, char **argv);
int um_cli_data(int argc, char **argv);
extern const char *default_data_dir; /* unmask.c */

#define SC_EXIT_MATCH 1
#define SC_EXIT_ERROR 2
#define SC_MAX_LINE (64 * 1024)

static void usage_screen(FILE *o) {
    fprintf(o,
            "Usage: unmask screen --name NAME [--dob YYYY-MM-DD] [--country CC] [--type person|entity] [--json]\n"
            "       unmask screen --email ADDR | --wallet ADDR | --github HANDLE | --phone NUMBER [--json]\n"
            "       unmask screen --batch FILE [--json]\n"
            "\n"
            "Screens a name against the OFAC SDN and UN consolidated lists (Korean-aware:\n"
            "Hangul, Hanja, Cyrillic, McCune-Reischauer and Revised Romanization spellings),\n"
            "and identifiers against the published indicator lists. Every match names the\n"
            "list, the entry's own id, the name or alias matched, a score from 0 to 1 and\n"
            "how the parts of the name aligned (docs/SCREENING.md).\n"
            "A match is a lead for a human review, not a finding: a Korean name alone is\n"
            "never evidence.\n"
            "\n"
            "Options:\n"
            "      --name NAME        person or entity name, any script\n"
            "      --dob DATE         date of birth (YYYY-MM-DD, YYYY-MM or YYYY): confirms or rules out\n"
            "      --country CC       nationality (ISO code or English name): confirms or rules out\n"
            "      --type T           person or entity: entries of the other type are ruled out\n"
            "      --email/--wallet/--github/--phone VALUE   exact identifier screening\n"
            "      --batch FILE       CSV (header: name,dob,country,type,email,wallet,github,phone)\n"
            "                         or JSON lines with the same keys; '-' reads stdin;\n"
            "                         prints one JSON line per input\n"
            "      --threshold X      report matches scoring at least X (default 0.80)\n"
            "      --limit N          at most N matches per query (default 10)\n"
            "      --json             JSON output: {query, matches: [{list, uid, matched_name, score, explanation}]}\n"
            "      --data-dir DIR     bundled data (default: installed data, then ./data)\n"
            "      --ofac-dir DIR     newer OFAC files (sdn.csv, alt.csv, add.csv, sdn_comments.csv)\n"
            "      --un-xml FILE      newer UN consolidated list XML\n"
            "\n"
            "Exit status: 0 no match, 1 at least one match, 2 error.\n");
}

static void usage_data(FILE *o) {
    fprintf(o,
            "Usage: unmask data [--data-dir DIR] [--ofac-dir DIR] [--un-xml FILE]\n"
            "\n"
            "Shows the sanctions lists the screener loads, each file's list date and age,\n"
            "and warns when a list is older than 90 days.\n");
}

typedef struct sc_opts {
    const char *name, *dob, *country, *type, *batch;
    const char *ident_kind, *ident;
    double threshold;
    size_t limit;
    bool json;
    um_screener_options so;
} sc_opts;

enum { O_NAME = 256, O_DOB, O_COUNTRY, O_TYPE, O_BATCH, O_JSON, O_THR, O_LIMIT, O_DATA, O_OFAC, O_UN, O_EMAIL,
       O_WALLET, O_GITHUB, O_PHONE, O_HELP };

static const struct option sc_long[] = {
    {"name", required_argument, 0, O_NAME},       {"dob", required_argument, 0, O_DOB},
    {"country", required_argument, 0, O_COUNTRY}, {"type", required_argument, 0, O_TYPE},
    {"batch", required_argument, 0, O_BATCH},     {"json", no_argument, 0, O_JSON},
    {"threshold", required_argument, 0, O_THR},   {"limit", required_argument, 0, O_LIMIT},
    {"data-dir", required_argument, 0, O_DATA},   {"ofac-dir", required_argument, 0, O_OFAC},
    {"un-xml", required_argument, 0, O_UN},       {"email", required_argument, 0, O_EMAIL},
    {"wallet", required_argument, 0, O_WALLET},   {"github", required_argument, 0, O_GITHUB},
    {"phone", required_argument, 0, O_PHONE},     {"help", no_argument, 0, O_HELP},
    {0, 0, 0, 0}};

static bool parse_type(const char *t, um_screen_type *out) {
    if (!t || !*t) *out = UM_SCREEN_ANY;
    else if (strcmp(t, "person") == 0 || strcmp(t, "individual") == 0) *out = UM_SCREEN_PERSON;
    else if (strcmp(t, "entity") == 0 || strcmp(t, "organization") == 0) *out = UM_SCREEN_ENTITY;
    else return false;
    return true;
}

static um_screener *open_screener(const um_screener_options *opt) {
    um_screener *s = NULL;
    um_screener_options so = *opt;
    if (!so.data_dir) so.data_dir = default_data_dir; /* found beside the program */
    if (um_screener_open(&s, &so) != UM_OK) {
        fprintf(stderr, "unmask: cannot load sanctions lists: %s\n", um_screener_errmsg(s));
        um_screener_close(s);
        return NULL;
    }
    return s;
}

/* A JSON string, or a marker when the input is not valid UTF-8. */
static json_t *js(const char *s) {
    json_t *v = json_string(s);
    return v ? v : json_string("(invalid UTF-8)");
}

static json_t *result_json(const um_screen_result *r, json_t *query) {
    json_t *o = json_object();
    json_t *arr = json_array();
    for (size_t i = 0; i < um_screen_result_count(r); i++) {
        const um_screen_match *m = um_screen_result_match(r, i);
        json_t *j = json_object();
        json_object_set_new(j, "list", js(m->list));
        json_object_set_new(j, "uid", js(m->uid));
        json_object_set_new(j, "entry_name", js(m->entry_name ? m->entry_name : ""));
        json_object_set_new(j, "matched_name", js(m->matched_name));
        json_object_set_new(j, "alias_kind", js(m->alias_kind));
        json_object_set_new(j, "entry_type", js(m->entry_type));
        json_object_set_new(j, "score", json_real(m->score));
        json_object_set_new(j, "explanation", js(m->explanation ? m->explanation : ""));
        json_array_append_new(arr, j);
    }
    json_object_set_new(o, "query", query);
    json_object_set_new(o, "matches", arr);
    return o;
}

static void print_json(json_t *o) {
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    if (s) {
        puts(s);
        free(s);
    }
}

static void print_text(const um_screen_result *r, const char *what) {
    size_t n = um_screen_result_count(r);
    printf("%s: %zu match%s\n", what, n, n == 1 ? "" : "es");
    for (size_t i = 0; i < n; i++) {
        const um_screen_match *m = um_screen_result_match(r, i);
        printf("  %.3f  %-8s %-10s %s  [%s \"%s\"]\n", m->score, m->list, m->uid,
               m->entry_name ? m->entry_name : "", m->alias_kind, m->matched_name);
        printf("         %s\n", m->explanation ? m->explanation : "");
    }
}

/* Runs one query (name or identifier fields); returns matches or -1. */
static int run_one(um_screener *s, const sc_opts *o, const char *name, const char *dob, const char *country,
                   const char *type, const char *const ident[4], bool json_out, json_t *echo) {
    static const char *const kinds[4] = {"email", "wallet", "github", "phone"};
    um_screen_type ty;
    json_t *q = echo ? echo : json_object();
    if (!parse_type(type, &ty)) {
        if (json_out) {
            json_object_set_new(q, "error", json_string("type must be person or entity"));
            json_t *w = json_object();
            json_object_set_new(w, "query", q);
            json_object_set_new(w, "matches", json_array());
            print_json(w);
            json_decref(w);
        } else {
            fprintf(stderr, "unmask: --type must be person or entity\n");
            json_decref(q);
        }
        return -1;
    }
    int total = 0;
    json_t *all = json_array();
    um_status err = UM_OK;
    const char *errwhat = NULL;
    if (name && *name) {
        um_screen_query sq = {name, dob && *dob ? dob : NULL, country && *country ? country : NULL, ty, o->threshold,
                              o->limit};
        um_screen_result *r = NULL;
        um_status st = um_screen_name(s, &sq, &r);
        if (st != UM_OK) {
            err = st;
            errwhat = "name (check --dob YYYY-MM-DD and --country)";
        } else {
            total += (int)um_screen_result_count(r);
            if (json_out) {
                json_t *one = result_json(r, json_null());
                json_array_extend(all, json_object_get(one, "matches"));
                json_decref(one);
            } else {
                print_text(r, name);
            }
        }
        um_screen_result_free(r);
    }
    for (int k = 0; k < 4; k++) {
        if (!ident[k] || !*ident[k]) continue;
        um_screen_result *r = NULL;
        um_status st = um_screen_identifier(s, kinds[k], ident[k], &r);
        if (st != UM_OK) {
            err = st;
            errwhat = kinds[k];
        } else {
            total += (int)um_screen_result_count(r);
            if (json_out) {
                json_t *one = result_json(r, json_null());
                json_array_extend(all, json_object_get(one, "matches"));
                json_decref(one);
            } else {
                print_text(r, ident[k]);
            }
        }
        um_screen_result_free(r);
    }
    if (json_out) {
        json_t *w = json_object();
        if (err != UM_OK) json_object_set_new(q, "error", json_sprintf("invalid %s", errwhat));
        json_object_set_new(w, "query", q);
        json_object_set_new(w, "matches", all);
        print_json(w);
        json_decref(w);
    } else {
        json_decref(all);
        json_decref(q);
        if (err != UM_OK) fprintf(stderr, "unmask: invalid %s: %s\n", errwhat, um_status_str(err));
    }
    return err != UM_OK ? -1 : total;
}

static json_t *echo_of(const char *name, const char *dob, const char *country, const char *type,
                       const char *const ident[4]) {
    static const char *const kinds[4] = {"email", "wallet", "github", "phone"};
    json_t *q = json_object();
    if (name && *name) json_object_set_new(q, "name", js(name));
    if (dob && *dob) json_object_set_new(q, "dob", js(dob));
    if (country && *country) json_object_set_new(q, "country", js(country));
    if (type && *type) json_object_set_new(q, "type", js(type));
    for (int k = 0; k < 4; k++)
        if (ident[k] && *ident[k]) json_object_set_new(q, kinds[k], js(ident[k]));
    return q;
}

/* Minimal CSV split of one line (quotes, doubled quotes; no embedded newlines). */
static int csv_split(char *line, char **f, int max) {
    int n = 0;
    char *p = line;
    while (n < max) {
        char *out = p;
        f[n++] = p;
        if (*p == '"') {
            char *r = p + 1;
            for (;;) {
                if (!*r) break;
                if (*r == '"' && r[1] == '"') {
                    *out++ = '"';
                    r += 2;
                } else if (*r == '"') {
                    r++;
                    break;
                } else {
                    *out++ = *r++;
                }
            }
            while (*r && *r != ',') r++;
            bool more = *r == ',';
            *out = 0;
            if (!more) break;
            p = r + 1;
        } else {
            char *c = strchr(p, ',');
            if (!c) break;
            *c = 0;
            p = c + 1;
        }
    }
    return n;
}

static int run_batch(um_screener *s, const sc_opts *o) {
    FILE *f = strcmp(o->batch, "-") == 0 ? stdin : fopen(o->batch, "rb");
    if (!f) {
        fprintf(stderr, "unmask: cannot open %s\n", o->batch);
        return SC_EXIT_ERROR;
    }
    char *line = malloc(SC_MAX_LINE);
    if (!line) {
        if (f != stdin) fclose(f);
        return SC_EXIT_ERROR;
    }
    static const char *const cols[8] = {"name", "dob", "country", "type", "email", "wallet", "github", "phone"};
    int colmap[64];
    int ncol = -1; /* CSV header columns; -1 before the header */
    int any = 0, errors = 0;
    unsigned long lineno = 0;
    while (fgets(line, SC_MAX_LINE, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len == SC_MAX_LINE - 1 && line[len - 1] != '\n') { /* overlong line: skip the rest */
            int c;
            while ((c = fgetc(f)) != EOF && c != '\n') {
            }
            fprintf(stderr, "unmask: %s:%lu: line too long; skipped\n", o->batch, lineno);
            errors++;
            continue;
        }
        line[strcspn(line, "\r\n")] = 0;
        char *p = line;
        if (lineno == 1 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB && (unsigned char)p[2] == 0xBF)
            p += 3;
        while (*p == ' ' || *p == '\t') p++;
        if (!*p) continue;
        const char *v[8] = {0};
        json_t *doc = NULL;
        if (*p == '{') {
            json_error_t je;
            doc = json_loads(p, JSON_REJECT_DUPLICATES, &je);
            if (!doc || !json_is_object(doc)) {
                printf("{\"query\":{\"line\":%lu,\"error\":\"not a JSON object\"},\"matches\":[]}\n", lineno);
                json_decref(doc);
                errors++;
                continue;
            }
            for (int k = 0; k < 8; k++) v[k] = json_string_value(json_object_get(doc, cols[k]));
        } else {
            char *fl[64];
            int n = csv_split(p, fl, 64);
            if (ncol < 0) {
                ncol = n;
                bool named = false;
                for (int i = 0; i < n; i++) {
                    colmap[i] = -1;
                    for (int k = 0; k < 8; k++)
                        if (strcmp(fl[i], cols[k]) == 0) colmap[i] = k, named = true;
                }
                if (named) continue;
                for (int i = 0; i < n; i++) colmap[i] = i < 8 ? i : -1; /* no header: name,dob,country,type,... */
            }
            for (int i = 0; i < n && i < ncol; i++)
                if (colmap[i] >= 0) v[colmap[i]] = fl[i];
        }
        const char *ident[4] = {v[4], v[5], v[6], v[7]};
        json_t *echo = echo_of(v[0], v[1], v[2], v[3], ident);
        json_object_set_new(echo, "line", json_integer((json_int_t)lineno));
        bool has = (v[0] && *v[0]) || (v[4] && *v[4]) || (v[5] && *v[5]) || (v[6] && *v[6]) || (v[7] && *v[7]);
        if (!has) {
            json_object_set_new(echo, "error", json_string("no name or identifier"));
            json_t *w = json_object();
            json_object_set_new(w, "query", echo);
            json_object_set_new(w, "matches", json_array());
            print_json(w);
            json_decref(w);
            errors++;
        } else {
            int r = run_one(s, o, v[0], v[1], v[2], v[3], ident, true, echo);
            if (r < 0) errors++;
            else if (r > 0) any = 1;
        }
        json_decref(doc);
    }
    free(line);
    if (f != stdin) fclose(f);
    if (errors) fprintf(stderr, "unmask: %d input line(s) had errors\n", errors);
    return any ? SC_EXIT_MATCH : 0;
}

static int parse_common(int argc, char **argv, sc_opts *o, bool *help) {
    memset(o, 0, sizeof *o);
    *help = false;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", sc_long, NULL)) != -1) {
        switch (c) {
        case O_NAME: o->name = optarg; break;
        case O_DOB: o->dob = optarg; break;
        case O_COUNTRY: o->country = optarg; break;
        case O_TYPE: o->type = optarg; break;
        case O_BATCH: o->batch = optarg; break;
        case O_JSON: o->json = true; break;
        case O_THR: {
            char *end;
            o->threshold = strtod(optarg, &end);
            if (*end || o->threshold <= 0 || o->threshold > 1) {
                fprintf(stderr, "unmask: --threshold must be in (0, 1]\n");
                return -1;
            }
            break;
        }
        case O_LIMIT: {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 1000) {
                fprintf(stderr, "unmask: --limit must be 1..1000\n");
                return -1;
            }
            o->limit = (size_t)v;
            break;
        }
        case O_DATA: o->so.data_dir = optarg; break;
        case O_OFAC: o->so.ofac_dir = optarg; break;
        case O_UN: o->so.un_xml = optarg; break;
        case O_EMAIL: case O_WALLET: case O_GITHUB: case O_PHONE:
            if (o->ident_kind) {
                fprintf(stderr, "unmask: give one identifier per query (use --batch for more)\n");
                return -1;
            }
            o->ident_kind = c == O_EMAIL ? "email" : c == O_WALLET ? "wallet" : c == O_GITHUB ? "github" : "phone";
            o->ident = optarg;
            break;
        case O_HELP: case 'h': *help = true; return 0;
        default: return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "unmask: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    return 0;
}

int um_cli_screen(int argc, char **argv) {
    sc_opts o;
    bool help;
    if (parse_common(argc, argv, &o, &help) != 0) {
        usage_screen(stderr);
        return SC_EXIT_ERROR;
    }
    if (help) {
        usage_screen(stdout);
        return 0;
    }
    if (!o.name && !o.ident && !o.batch) {
        fprintf(stderr, "unmask: screen needs --name, an identifier or --batch\n\n");
        usage_screen(stderr);
        return SC_EXIT_ERROR;
    }
    um_screener *s = open_screener(&o.so);
    if (!s) return SC_EXIT_ERROR;
    int rc;
    if (o.batch) {
        rc = run_batch(s, &o);
    } else {
        const char *ident[4] = {0};
        if (o.ident) {
            int k = strcmp(o.ident_kind, "email") == 0 ? 0 : strcmp(o.ident_kind, "wallet") == 0 ? 1
                    : strcmp(o.ident_kind, "github") == 0 ? 2 : 3;
            ident[k] = o.ident;
        }
        json_t *echo = o.json ? echo_of(o.name, o.dob, o.country, o.type, ident) : NULL;
        int r = run_one(s, &o, o.name, o.dob, o.country, o.type, ident, o.json, echo);
        rc = r < 0 ? SC_EXIT_ERROR : r > 0 ? SC_EXIT_MATCH : 0;
    }
    um_screener_close(s);
    return rc;
}

int um_cli_data(int argc, char **argv) {
    sc_opts o;
    bool help;
    if (parse_common(argc, argv, &o, &help) != 0) {
        usage_data(stderr);
        return SC_EXIT_ERROR;
    }
    if (help) {
        usage_data(stdout);
        return 0;
    }
    um_screener *s = open_screener(&o.so);
    if (!s) return SC_EXIT_ERROR;
    size_t entries, names;
    um_screener_size(s, &entries, &names);
    printf("Sanctions lists: %zu entries, %zu names and aliases indexed\n\n", entries, names);
    printf("%-9s %-10s %6s %8s %8s  %s\n", "list", "date", "age", "entries", "rows", "file");
    int old = 0;
    for (size_t i = 0; i < um_screener_list_count(s); i++) {
        const um_list_info *l = um_screener_list(s, i);
        char age[16];
        if (l->age_days >= 0) snprintf(age, sizeof age, "%dd", l->age_days);
        else snprintf(age, sizeof age, "?");
        printf("%-9s %-10s %6s %8zu %8zu  %s (%s)\n", l->list, l->date ? l->date : "unknown", age, l->entries, l->rows,
               l->path, l->what);
        if (l->age_days > 90) old++;
    }
    for (size_t i = 0; i < um_screener_list_count(s); i++) {
        const um_list_info *l = um_screener_list(s, i);
        if (l->age_days > 90)
            fprintf(stderr, "warning: %s file %s is %d days old (> 90): get a newer copy and pass --ofac-dir / --un-xml\n",
                    l->list, l->path, l->age_days);
        else if (l->age_days < 0)
            fprintf(stderr, "warning: %s file %s has no known date\n", l->list, l->path);
    }
    for (size_t i = 0; um_screener_warning(s, i); i++) fprintf(stderr, "warning: %s\n", um_screener_warning(s, i));
    printf("\nIndicator lists (emails, wallets, handles, phones): data/ioc, see its PROVENANCE.md\n");
    um_screener_close(s);
    return 0;
}
