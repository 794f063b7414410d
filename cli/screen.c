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
#include <errno.h>
#include <getopt.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "unmask.h"
#include "util/cfmt.h"
#include "util/util.h"

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
            "Screens a name against the OFAC SDN (and Consolidated), UN, EU and UK lists (Korean-aware:\n"
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
            "      --ofac-dir DIR     newer OFAC files (sdn.csv, alt.csv, add.csv, sdn_comments.csv,\n"
            "                         cons_*.csv; or sdn_advanced.xml, which then replaces the SDN CSVs)\n"
            "      --un-xml FILE      newer UN consolidated list XML\n"
            "      --eu-xml FILE      EU consolidated financial sanctions list (FSF XML 1.1)\n"
            "      --uk-xml FILE      UK Sanctions List (FCDO), XML\n"
            "\n"
            "A batch prints one JSON line per input line; a line that cannot be screened\n"
            "(longer than 64 KiB, invalid UTF-8, empty, no name or identifier, bad JSON,\n"
            "bad --dob/--country/type) gets {\"query\":{\"line\":N,\"error\":...},\"matches\":[]}.\n"
            "UTF-16 and UTF-32 batches with a byte-order mark are converted to UTF-8.\n"
            "Control characters from the input are shown as \\xNN on the terminal.\n"
            "\n"
            "Exit status: 0 no match, 1 at least one match, 2 error or nothing screened\n"
            "(an empty name, a batch that is a folder, empty, or has no line that could be\n"
            "screened).\n");
}

static void usage_data(FILE *o) {
    fprintf(o,
            "Usage: unmask data [--data-dir DIR] [--ofac-dir DIR] [--un-xml FILE] [--eu-xml FILE] [--uk-xml FILE]\n"
            "\n"
            "       unmask data update [--only SOURCE,...] [--proxy URL] [--timeout S] ...\n"
            "       unmask data update --from DIR [--force] [--max-drop PCT]\n"
            "\n"
            "Shows the sanctions lists the screener loads, each file's list date and age,\n"
            "and warns when a list is older than 90 days. 'update' downloads the current\n"
            "lists over HTTPS (or installs files brought by hand) after checking them\n"
            "(unmask data update --help).\n");
}

typedef struct sc_opts {
    const char *name, *dob, *country, *type, *batch;
    const char *ident_kind, *ident;
    double threshold;
    size_t limit;
    bool json;
    um_screener_options so;
} sc_opts;

enum { O_NAME = 256, O_DOB, O_COUNTRY, O_TYPE, O_BATCH, O_JSON, O_THR, O_LIMIT, O_DATA, O_OFAC, O_UN, O_EU, O_EMAIL,
       O_WALLET, O_GITHUB, O_PHONE, O_HELP, O_UK };

static const struct option sc_long[] = {
    {"name", required_argument, 0, O_NAME},       {"dob", required_argument, 0, O_DOB},
    {"country", required_argument, 0, O_COUNTRY}, {"type", required_argument, 0, O_TYPE},
    {"batch", required_argument, 0, O_BATCH},     {"json", no_argument, 0, O_JSON},
    {"threshold", required_argument, 0, O_THR},   {"limit", required_argument, 0, O_LIMIT},
    {"data-dir", required_argument, 0, O_DATA},   {"ofac-dir", required_argument, 0, O_OFAC},
    {"un-xml", required_argument, 0, O_UN},       {"eu-xml", required_argument, 0, O_EU},
    {"email", required_argument, 0, O_EMAIL},
    {"wallet", required_argument, 0, O_WALLET},   {"github", required_argument, 0, O_GITHUB},
    {"phone", required_argument, 0, O_PHONE},     {"help", no_argument, 0, O_HELP},
    {"uk-xml", required_argument, 0, O_UK},
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
/* JSON output, written straight into a buffer: byte for byte what
 * jansson's json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER |
 * JSON_ENSURE_ASCII) wrote for the same objects (a string that is not
 * valid UTF-8 as jansson checks it becomes "(invalid UTF-8)"; non-ASCII as
 * \uXXXX, upper-case hex, surrogate pairs; a real as %.17g with ".0" when
 * it has no point or exponent), without building a jansson tree per query
 * (that cost about 13,000 instructions a batch line). tests/e2e/
 * screen_json_bytes.sh compares it with the bytes jansson wrote. */
static size_t utf8_ok_len(const unsigned char *p) {
    const unsigned char *s = p;
    while (*p) {
        unsigned c = *p;
        int n = c < 0x80 ? 1 : c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
        if (!n) return (size_t)-1;
        if (n == 1) {
            p++;
            continue;
        }
        uint32_t v = n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
        for (int i = 1; i < n; i++) {
            if ((p[i] & 0xC0) != 0x80) return (size_t)-1;
            v = v << 6 | (p[i] & 0x3F);
        }
        if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || (n == 2 && v < 0x80) || (n == 3 && v < 0x800) ||
            (n == 4 && v < 0x10000))
            return (size_t)-1;
        p += n;
    }
    return (size_t)(p - s);
}

static void jw_str(um_buf *b, const char *str) {
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)str;
    if (utf8_ok_len(p) == (size_t)-1) p = (const unsigned char *)"(invalid UTF-8)";
    um_buf_addc(b, '"');
    while (*p) {
        const unsigned char *run = p;
        while (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\') p++;
        if (p > run) um_buf_add(b, (const char *)run, (size_t)(p - run));
        if (!*p) break;
        unsigned c = *p;
        char e[16];
        if (c == '"' || c == '\\') {
            e[0] = '\\', e[1] = (char)c;
            um_buf_add(b, e, 2);
            p++;
            continue;
        }
        if (c < 0x20) {
            const char *short_esc = c == '\b' ? "\\b" : c == '\f' ? "\\f" : c == '\n' ? "\\n" : c == '\r' ? "\\r"
                                  : c == '\t' ? "\\t" : NULL;
            if (short_esc) um_buf_add(b, short_esc, 2);
            else {
                memcpy(e, "\\u00", 4);
                e[4] = hex[c >> 4], e[5] = hex[c & 15];
                um_buf_add(b, e, 6);
            }
            p++;
            continue;
        }
        int n = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4; /* valid: checked above */
        uint32_t v = n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
        for (int i = 1; i < n; i++) v = v << 6 | (p[i] & 0x3F);
        p += n;
        uint32_t u[2] = {v, 0};
        int nu = 1;
        if (v >= 0x10000) {
            v -= 0x10000;
            u[0] = 0xD800 | (v >> 10);
            u[1] = 0xDC00 | (v & 0x3FF);
            nu = 2;
        }
        for (int i = 0; i < nu; i++) {
            e[0] = '\\', e[1] = 'u';
            for (int k = 0; k < 4; k++) e[2 + k] = hex[(u[i] >> (12 - 4 * k)) & 15];
            um_buf_add(b, e, 6);
        }
    }
    um_buf_addc(b, '"');
}

/* ,"key": (the comma unless first) */
static void jw_key(um_buf *b, bool *first, const char *key) {
    if (!*first) um_buf_addc(b, ',');
    *first = false;
    jw_str(b, key);
    um_buf_addc(b, ':');
}

static void jw_real(um_buf *b, double v) {
    char t[64];
    int n = um_snprintf(t, sizeof t - 3, "%.17g", v);
    if (n < 0 || (size_t)n >= sizeof t - 3) n = (int)strlen(t);
    if (!strchr(t, '.') && !strchr(t, 'e')) memcpy(t + n, ".0", 3), n += 2;
    char *ex = strchr(t, 'e');
    if (ex) { /* no '+' and no leading zeros in the exponent */
        char *st = ex + 1, *en = st + 1;
        if (*st == '-') st++;
        while (*en == '0') en++;
        if (en != st) memmove(st, en, strlen(en) + 1);
    }
    um_buf_adds(b, t);
}

/* the matches of r, each as an object, comma-separated (after any before) */
static void jw_matches(um_buf *b, const um_screen_result *r, bool *first_match) {
    for (size_t i = 0; i < um_screen_result_count(r); i++) {
        const um_screen_match *m = um_screen_result_match(r, i);
        if (!*first_match) um_buf_addc(b, ',');
        *first_match = false;
        bool f = true;
        um_buf_addc(b, '{');
        jw_key(b, &f, "list"), jw_str(b, m->list);
        jw_key(b, &f, "uid"), jw_str(b, m->uid);
        jw_key(b, &f, "entry_name"), jw_str(b, m->entry_name ? m->entry_name : "");
        jw_key(b, &f, "matched_name"), jw_str(b, m->matched_name);
        jw_key(b, &f, "alias_kind"), jw_str(b, m->alias_kind);
        jw_key(b, &f, "entry_type"), jw_str(b, m->entry_type);
        jw_key(b, &f, "score"), jw_real(b, m->score);
        jw_key(b, &f, "programs"), jw_str(b, m->programs ? m->programs : "");
        jw_key(b, &f, "listed"), jw_str(b, m->listed ? m->listed : "");
        jw_key(b, &f, "also_listed"), jw_str(b, m->also_listed ? m->also_listed : "");
        jw_key(b, &f, "explanation"), jw_str(b, m->explanation ? m->explanation : "");
        um_buf_addc(b, '}');
    }
}

/* The query as echoed: the fields given (name, dob, country, type,
 * email, wallet, github, phone, in that order), the batch line when
 * line > 0, an error when error is set. */
typedef struct echo {
    const char *v[8];
    unsigned long line;
} echo;

static const char *const echo_keys[8] = {"name", "dob", "country", "type", "email", "wallet", "github", "phone"};

/* one output line {"query":{...},"matches":[...]}: matches is the inside
 * of the array (may be empty) */
static void print_line(const echo *e, const char *error, const char *matches, size_t mlen) {
    static um_buf b; /* reused for every line: no allocation per query */
    um_buf_reset(&b);
    bool f = true;
    um_buf_adds(&b, "{\"query\":{");
    for (int k = 0; e && k < 8; k++)
        if (e->v[k] && *e->v[k]) jw_key(&b, &f, echo_keys[k]), jw_str(&b, e->v[k]);
    if (e && e->line) {
        char t[32];
        snprintf(t, sizeof t, "%lu", e->line);
        jw_key(&b, &f, "line"), um_buf_adds(&b, t);
    }
    if (error) jw_key(&b, &f, "error"), jw_str(&b, error);
    um_buf_adds(&b, "},\"matches\":[");
    um_buf_add(&b, matches, mlen);
    um_buf_adds(&b, "]}");
    if (!b.oom) puts(b.s);
    else fprintf(stderr, "unmask: out of memory writing a result\n");
    if (b.oom) um_buf_free(&b), um_buf_init(&b);
}

/* s for a terminal (util.h um_term_escape: control characters as \x1b),
 * so text from the input never drives the terminal. Returns buf. */
static const char *tty(const char *s, char *buf, size_t cap) { return um_term_escape(s, buf, cap); }

static void print_text(const um_screen_result *r, const char *what) {
    size_t n = um_screen_result_count(r);
    char b1[4200], b2[1100], b3[1100], b4[8200];
    printf("%s: %zu match%s\n", tty(what, b1, sizeof b1), n, n == 1 ? "" : "es");
    for (size_t i = 0; i < n; i++) {
        const um_screen_match *m = um_screen_result_match(r, i);
        um_fprintf(stdout, "  %.3f  %-8s %-10s %s  [%s \"%s\"]\n", m->score, m->list, m->uid,
                   tty(m->entry_name, b2, sizeof b2), m->alias_kind, tty(m->matched_name, b3, sizeof b3));
        if (m->programs && *m->programs) printf("         programmes: %s%s%s\n", m->programs,
                                                m->listed && *m->listed ? "; listed " : "", m->listed ? m->listed : "");
        if (m->also_listed && *m->also_listed) printf("         same party on: %s\n", m->also_listed);
        printf("         %s\n", tty(m->explanation, b4, sizeof b4));
    }
}

/* Runs one query (name or identifier fields); returns matches or -1.
 * With json_out, prints one line echoing e. */
static int run_one(um_screener *s, const sc_opts *o, const char *name, const char *dob, const char *country,
                   const char *type, const char *const ident[4], bool json_out, const echo *e) {
    static const char *const kinds[4] = {"email", "wallet", "github", "phone"};
    static um_buf all; /* the matches' objects, reused for every query */
    um_screen_type ty;
    if (!parse_type(type, &ty)) {
        if (json_out) print_line(e, "type must be person or entity", "", 0);
        else fprintf(stderr, "unmask: --type must be person or entity\n");
        return -1;
    }
    int total = 0;
    if (all.oom) um_buf_free(&all), um_buf_init(&all);
    um_buf_reset(&all);
    bool first = true;
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
            if (json_out) jw_matches(&all, r, &first);
            else print_text(r, name);
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
            if (json_out) jw_matches(&all, r, &first);
            else print_text(r, ident[k]);
        }
        um_screen_result_free(r);
    }
    if (json_out) {
        char ebuf[128];
        if (err != UM_OK) snprintf(ebuf, sizeof ebuf, "invalid %s", errwhat);
        if (all.oom) fprintf(stderr, "unmask: out of memory writing a result\n");
        else print_line(e, err != UM_OK ? ebuf : NULL, all.s ? all.s : "", all.len);
    } else if (err != UM_OK) {
        fprintf(stderr, "unmask: invalid %s: %s\n", errwhat, um_status_str(err));
    }
    return err != UM_OK ? -1 : total;
}

static echo echo_of(const char *name, const char *dob, const char *country, const char *type,
                    const char *const ident[4]) {
    echo e = {{name, dob, country, type, ident[0], ident[1], ident[2], ident[3]}, 0};
    return e;
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

/* one JSON line for an input line that could not be screened */
static void print_line_error(unsigned long lineno, const char *why) {
    echo e = {{0}, lineno};
    print_line(&e, why, "", 0);
}

static bool valid_utf8(const unsigned char *p) {
    while (*p) {
        unsigned c = *p, n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : 9;
        if (n == 9 || (n == 1 && c < 0xC2) || (n == 3 && c > 0xF4)) return false;
        unsigned cp = n ? c & (0x3F >> n) : c;
        for (unsigned k = 1; k <= n; k++) {
            if ((p[k] & 0xC0) != 0x80) return false;
            cp = cp << 6 | (p[k] & 0x3F);
        }
        if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
            return false;
        p += n + 1;
    }
    return true;
}

/* The batch as a seekable UTF-8 stream: stdin is copied aside; a UTF-16 or
 * UTF-32 file (byte-order mark, as PowerShell writes) is converted, as the
 * scan does. *conv names the encoding converted from (NULL: none). */
static FILE *open_batch(const char *path, const char **conv) {
    *conv = NULL;
    FILE *f;
    if (strcmp(path, "-") == 0) {
        f = tmpfile();
        if (!f) return NULL;
        char buf[65536];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, stdin)) > 0)
            if (fwrite(buf, 1, n, f) != n) {
                fclose(f);
                return NULL;
            }
        rewind(f);
    } else {
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            errno = EISDIR;
            return NULL;
        }
        f = fopen(path, "rb");
        if (!f) return NULL;
    }
    unsigned char h[4] = {0};
    size_t nh = fread(h, 1, 4, f);
    const char *enc = NULL;
    size_t skip = 0;
    if (nh == 4 && h[0] == 0xFF && h[1] == 0xFE && !h[2] && !h[3]) enc = "UTF-32LE", skip = 4;
    else if (nh == 4 && !h[0] && !h[1] && h[2] == 0xFE && h[3] == 0xFF) enc = "UTF-32BE", skip = 4;
    else if (nh >= 2 && h[0] == 0xFF && h[1] == 0xFE) enc = "UTF-16LE", skip = 2;
    else if (nh >= 2 && h[0] == 0xFE && h[1] == 0xFF) enc = "UTF-16BE", skip = 2;
    if (!enc) {
        rewind(f);
        return f;
    }
    iconv_t cd = iconv_open("UTF-8", enc);
    FILE *t = cd == (iconv_t)-1 ? NULL : tmpfile();
    if (!t) {
        if (cd != (iconv_t)-1) iconv_close(cd);
        fclose(f);
        return NULL;
    }
    fseek(f, (long)skip, SEEK_SET);
    char in[65536 + 8], out[4 * 65536 + 64];
    size_t have = 0, n;
    bool ok = true;
    while (ok && (n = fread(in + have, 1, 65536, f)) > 0) {
        have += n;
        char *ip = in, *op = out;
        size_t il = have, ol = sizeof out;
        if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 && errno == EILSEQ) {
            /* an invalid unit: U+FFFD and go on (the line is flagged later only if it stays invalid) */
            size_t unit = enc[4] == '3' ? 4 : 2;
            if (il >= unit) ip += unit, il -= unit;
            if (ol >= 3) memcpy(op, "\xEF\xBF\xBD", 3), op += 3;
        }
        if (fwrite(out, 1, (size_t)(op - out), t) != (size_t)(op - out)) ok = false;
        memmove(in, ip, il);
        have = il;
    }
    iconv_close(cd);
    fclose(f);
    if (!ok) {
        fclose(t);
        return NULL;
    }
    rewind(t);
    *conv = enc;
    return t;
}

static int run_batch(um_screener *s, const sc_opts *o) {
    const char *conv = NULL;
    FILE *f = open_batch(o->batch, &conv);
    char pb[1100];
    if (!f) {
        fprintf(stderr, "unmask: cannot read batch %s: %s\n", tty(o->batch, pb, sizeof pb), strerror(errno));
        return SC_EXIT_ERROR;
    }
    if (conv) fprintf(stderr, "unmask: %s is %s; read after conversion to UTF-8\n", tty(o->batch, pb, sizeof pb), conv);
    char *line = malloc(SC_MAX_LINE);
    if (!line) {
        fclose(f);
        return SC_EXIT_ERROR;
    }
    static const char *const cols[8] = {"name", "dob", "country", "type", "email", "wallet", "github", "phone"};
    int colmap[64];
    int ncol = -1; /* CSV header columns; -1 before the header */
    int any = 0, errors = 0, screened = 0;
    unsigned long lineno = 0;
    while (fgets(line, SC_MAX_LINE, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len == SC_MAX_LINE - 1 && line[len - 1] != '\n') { /* overlong line: reported in place, rest skipped */
            int c;
            while ((c = fgetc(f)) != EOF && c != '\n') {
            }
            print_line_error(lineno, "line longer than 64 KiB: not screened");
            errors++;
            continue;
        }
        if (len + 1 < SC_MAX_LINE && memchr(line, 0, len + 1) != line + len) {
            /* a NUL byte inside the line (fgets stops counting there) */
            print_line_error(lineno, "NUL byte in the line: not screened");
            errors++;
            continue;
        }
        line[strcspn(line, "\r\n")] = 0;
        char *p = line;
        if (lineno == 1 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB && (unsigned char)p[2] == 0xBF)
            p += 3;
        while (*p == ' ' || *p == '\t') p++;
        if (!*p) {
            if (ncol >= 0) { /* blank lines before the header are not queries */
                print_line_error(lineno, "empty line: not screened");
                errors++;
            }
            continue;
        }
        if (!valid_utf8((const unsigned char *)p)) {
            print_line_error(lineno, "invalid UTF-8 (after any conversion): not screened");
            errors++;
            continue;
        }
        const char *v[8] = {0};
        json_t *doc = NULL;
        if (*p == '{') {
            json_error_t je;
            doc = json_loads(p, JSON_REJECT_DUPLICATES, &je);
            if (!doc || !json_is_object(doc)) {
                print_line_error(lineno, "not a JSON object");
                json_decref(doc);
                errors++;
                continue;
            }
            if (ncol < 0) ncol = 0;
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
        echo e = echo_of(v[0], v[1], v[2], v[3], ident);
        e.line = lineno;
        bool has = (v[0] && *v[0]) || (v[4] && *v[4]) || (v[5] && *v[5]) || (v[6] && *v[6]) || (v[7] && *v[7]);
        if (!has) {
            print_line(&e, "no name or identifier", "", 0);
            errors++;
        } else {
            int r = run_one(s, o, v[0], v[1], v[2], v[3], ident, true, &e);
            if (r < 0) errors++;
            else {
                screened++;
                if (r > 0) any = 1;
            }
        }
        json_decref(doc);
    }
    bool rerr = ferror(f);
    free(line);
    fclose(f);
    if (rerr) {
        fprintf(stderr, "unmask: read error in %s\n", tty(o->batch, pb, sizeof pb));
        return SC_EXIT_ERROR;
    }
    if (errors) fprintf(stderr, "unmask: %d input line(s) could not be screened (error objects in the output)\n", errors);
    if (!screened) {
        fprintf(stderr, "unmask: %s: no query could be screened\n", tty(o->batch, pb, sizeof pb));
        return SC_EXIT_ERROR;
    }
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
            o->threshold = um_strtod(optarg, &end);
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
        case O_EU: o->so.eu_xml = optarg; break;
        case O_UK: o->so.uk_xml = optarg; break;
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
    if ((o.name && !*o.name) || (o.ident && !*o.ident)) {
        fprintf(stderr, "unmask: empty %s: nothing to screen\n", o.name && !*o.name ? "--name" : "identifier");
        return SC_EXIT_ERROR;
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
        echo e = echo_of(o.name, o.dob, o.country, o.type, ident);
        int r = run_one(s, &o, o.name, o.dob, o.country, o.type, ident, o.json, &e);
        rc = r < 0 ? SC_EXIT_ERROR : r > 0 ? SC_EXIT_MATCH : 0;
    }
    um_screener_close(s);
    return rc;
}

static void usage_update(FILE *o) {
    fprintf(o,
            "Usage: unmask data update [--only SOURCE[,SOURCE]] [--sources FILE] [--proxy URL]\n"
            "                          [--timeout S] [--connect-timeout S] [--max-size MB] [--allow-http]\n"
            "                          [--force] [--max-drop PCT] [--data-dir DIR]\n"
            "       unmask data update --from DIR [--force] [--max-drop PCT] [--data-dir DIR]\n"
            "\n"
            "Downloads the current sanctions lists from their publishers over HTTPS (the\n"
            "addresses in DATA/sanctions/sources.conf: OFAC SDN and Consolidated, UN, EU,\n"
            "UK) and installs them after checking each against the installed copy. With\n"
            "--from, installs files brought in by hand instead (sdn.csv, alt.csv, add.csv,\n"
            "sdn_comments.csv, cons_*.csv, sdn_advanced.xml, consolidated.xml, fsf.xml,\n"
            "UK-Sanctions-List.xml), for a machine without network access.\n"
            "\n"
            "A list is refused, and the installed copy kept, when a download fails (HTTP\n"
            "error, timeout, cut short, over --max-size), when it no longer loads or has\n"
            "malformed rows, loses more than PCT %% (default 10) of its entries or a file\n"
            "more than PCT %% of its bytes, or is dated before the installed copy; --force\n"
            "installs what the checks refuse (never a failed download). Each list's folder\n"
            "is swapped in with one rename: readers see the old lists or the new, never a mix.\n"
            "\n"
            "Options:\n"
            "      --only LIST        fetch these sources only (names in sources.conf: ofac-sdn,\n"
            "                         ofac-cons, un, eu, uk)\n"
            "      --sources FILE     another sources file (SOURCE FILE URL per line)\n"
            "      --proxy URL        proxy for the downloads (default: https_proxy, all_proxy,\n"
            "                         no_proxy from the environment)\n"
            "      --timeout S        per file, whole transfer (default 900; a transfer under\n"
            "                         1 byte/s for min(S, 60) s is abandoned)\n"
            "      --connect-timeout S  (default 30)\n"
            "      --max-size MB      refuse a file larger than this (default 512)\n"
            "      --allow-http       accept plain http:// URLs (always accepted for 127.0.0.1,\n"
            "                         localhost and [::1], for tests)\n"
            "      --from DIR         install files from DIR instead of downloading\n"
            "      --force            install what the content checks refuse\n"
            "      --max-drop PCT     largest accepted loss of entries or bytes (default 10)\n"
            "      --data-dir DIR     the data folder to update\n"
            "\n"
            "Exit status: 0 every list installed, 2 at least one refused or failed (the\n"
            "others are installed; the report says which).\n");
}

static bool num_arg(const char *name, const char *v, double lo, double hi, double *out) {
    char *end;
    double d = um_strtod(v, &end);
    if (*end || !(d >= lo && d <= hi)) {
        um_fprintf(stderr, "unmask: %s must be a number in [%g, %g]\n", name, lo, hi);
        return false;
    }
    *out = d;
    return true;
}

static int data_update(int argc, char **argv) {
    um_lists_update_options uo = {0};
    const char *data_dir = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has = i + 1 < argc;
        double v;
        if (!strcmp(a, "--from") && has) uo.from_dir = argv[++i];
        else if (!strcmp(a, "--data-dir") && has) data_dir = argv[++i];
        else if (!strcmp(a, "--force")) uo.force = 1;
        else if (!strcmp(a, "--allow-http")) uo.allow_http = 1;
        else if (!strcmp(a, "--sources") && has) uo.sources = argv[++i];
        else if (!strcmp(a, "--only") && has) uo.only = argv[++i];
        else if (!strcmp(a, "--proxy") && has) uo.proxy = argv[++i];
        else if (!strcmp(a, "--max-drop") && has) {
            if (!num_arg("--max-drop", argv[++i], 0.01, 99.99, &v)) return SC_EXIT_ERROR;
            uo.max_drop = v / 100;
        } else if (!strcmp(a, "--timeout") && has) {
            if (!num_arg("--timeout", argv[++i], 1, 86400, &v)) return SC_EXIT_ERROR;
            uo.timeout_s = (long)v;
        } else if (!strcmp(a, "--connect-timeout") && has) {
            if (!num_arg("--connect-timeout", argv[++i], 1, 3600, &v)) return SC_EXIT_ERROR;
            uo.connect_timeout_s = (long)v;
        } else if (!strcmp(a, "--max-size") && has) {
            if (!num_arg("--max-size", argv[++i], 0.001, 1048576, &v)) return SC_EXIT_ERROR;
            uo.max_bytes = (long long)(v * 1048576.0);
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage_update(stdout);
            return 0;
        } else {
            char b[300];
            fprintf(stderr, "unmask: data update: unknown argument '%s'\n\n", tty(a, b, sizeof b));
            usage_update(stderr);
            return SC_EXIT_ERROR;
        }
    }
    uo.data_dir = data_dir ? data_dir : default_data_dir;
    char *report = malloc(65536);
    if (!report) return SC_EXIT_ERROR;
    um_status st = um_lists_update(&uo, report, 65536);
    fputs(report, st == UM_OK ? stdout : stderr);
    free(report);
    return st == UM_OK ? 0 : SC_EXIT_ERROR;
}

int um_cli_data(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "update") == 0) return data_update(argc - 1, argv + 1);
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
