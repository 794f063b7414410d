/*
 * lists.c - loaders for the sanctions lists the screener matches against.
 *
 * OFAC SDN in its original CSV files (no header, CRLF, "-0- " for empty,
 * trailing 0x1A, programs "DPRK3] [DPRK4"): sdn.csv plus any sdn_*.csv with
 * the same 12 columns (the DPRK supplement), sdn_comments.csv (remarks over
 * 1,000 characters continue there), alt.csv (aliases; an alias whose entry
 * has no primary row makes an "orphan" entry named by its aliases) and
 * add.csv (countries of addresses). Remarks give DOB, nationality,
 * citizenship, place of birth, e-mail and digital-currency addresses.
 *
 * UN consolidated list XML through libxml2 with XML_PARSE_NONET and without
 * XML_PARSE_NOENT / XML_PARSE_DTDLOAD: no network access and no entity
 * expansion.
 *
 * Ownership: everything lives in L->arena or in arrays L owns; freed by
 * um_sc_lists_free(). Bad rows are skipped and counted (one warning per file).
 */
#include <ctype.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "../core/internal.h"
#include "../util/csv.h"
#include "screen_int.h"

static void lwarn(um_sc_lists *L, const char *fmt, ...) UM_PRINTF(2, 3);
static void lwarn(um_sc_lists *L, const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char *w = um_arena_strdup(&L->arena, buf);
    if (!w || !um_grow((void **)&L->warnings, &L->cap_warnings, L->n_warnings + 1, sizeof *L->warnings)) return;
    L->warnings[L->n_warnings++] = w;
}

/* ---- countries ----------------------------------------------------------- */


const char *um_sc_country_code(const char *s, size_t n) {
    if (!s) return NULL;
    while (n && isspace((unsigned char)*s)) s++, n--;
    while (n && (isspace((unsigned char)s[n - 1]) || s[n - 1] == '.')) n--;
    /* the one country table (enrich/canon.c); Georgia, also a US state,
     * is left out of it but is the country on these lists */
    if (n == 7 && um_strneq_ci(s, n, "georgia")) return "GE";
    return um_country_exact(s, n);
}

static void add_cc(char (*arr)[3], uint8_t *n, const char *cc) {
    if (!cc) return;
    for (uint8_t i = 0; i < *n; i++)
        if (strcmp(arr[i], cc) == 0) return;
    if (*n < UM_SC_MAX_CC) memcpy(arr[(*n)++], cc, 3);
}

/* ---- dates ---------------------------------------------------------------- */

static int month_of(const char *s) {
    static const char *const m[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                    "jul", "aug", "sep", "oct", "nov", "dec"};
    for (int i = 0; i < 12; i++)
        if (um_strneq_ci(s, 3, m[i])) return i + 1;
    return 0;
}

bool um_sc_parse_dob(const char *s, um_sc_dob *out) {
    memset(out, 0, sizeof *out);
    if (!s) return false;
    int y = 0, m = 0, d = 0, k = 0;
    char tail;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &k) == 3 && s[k] == 0) {
        if (m < 1 || m > 12 || d < 1 || d > 31) return false;
    } else if (sscanf(s, "%4d-%2d%c", &y, &m, &tail) == 2) {
        if (m < 1 || m > 12) return false;
        d = 0;
    } else if (sscanf(s, "%4d%c", &y, &tail) == 1) {
        m = d = 0;
    } else {
        return false;
    }
    if (y < 1850 || y > 2100) return false;
    out->y0 = out->y1 = (int16_t)y;
    out->m = (int8_t)m;
    out->d = (int8_t)d;
    return true;
}

/* OFAC remark date: "13 Oct 1944", "Oct 1944", "1944", "circa 1947",
 * "01 Jan 1948 to 31 Dec 1948", "1948 to 1950". */
static bool parse_ofac_date(const char *s, um_sc_dob *out) {
    memset(out, 0, sizeof *out);
    bool circa = false;
    while (*s == ' ') s++;
    if (um_starts_with_ci(s, "circa ")) {
        circa = true;
        s += 6;
    }
    int d = 0, y = 0, y2 = 0;
    char mon[8] = {0};
    const char *to = um_strstr_ci(s, " to ");
    if (sscanf(s, "%2d %3s %4d", &d, mon, &y) == 3 && month_of(mon)) {
        out->d = (int8_t)d;
        out->m = (int8_t)month_of(mon);
    } else if (sscanf(s, "%3s %4d", mon, &y) == 2 && month_of(mon)) {
        out->m = (int8_t)month_of(mon);
    } else if (sscanf(s, "%4d", &y) != 1) {
        return false;
    }
    if (y < 1850 || y > 2100) return false;
    out->y0 = out->y1 = (int16_t)y;
    if (to) {
        const char *t = to + 4;
        if (sscanf(t, "%*d %*3s %4d", &y2) == 1 || sscanf(t, "%4d", &y2) == 1) {
            if (y2 >= y && y2 <= 2100) out->y1 = (int16_t)y2;
            if (y2 != y) out->m = out->d = 0;
        }
    }
    if (circa) {
        out->y0 = (int16_t)(out->y0 - 1);
        out->y1 = (int16_t)(out->y1 + 1);
        out->m = out->d = 0;
    }
    return true;
}

static int age_days(const char *date) {
    int y, m, d;
    if (!date || sscanf(date, "%4d-%2d-%2d", &y, &m, &d) != 3) return -1;
    int64_t now = (int64_t)time(NULL) / 86400;
    int64_t then_s;
    if (!um_time_from_civil(y, m, d, 0, 0, 0, &then_s)) return -1; /* the one date arithmetic (util/timeparse.c) */
    int64_t then = then_s / 86400;
    return now >= then ? (int)(now - then) : 0;
}

/* ---- entries -------------------------------------------------------------- */

static um_sc_entry *new_entry(um_sc_lists *L, const char *list, const char *uid) {
    if (!um_grow((void **)&L->e, &L->cap_e, L->n_e + 1, sizeof *L->e)) return NULL;
    um_sc_entry *e = &L->e[L->n_e];
    memset(e, 0, sizeof *e);
    e->list = list;
    e->uid = um_arena_strdup(&L->arena, uid);
    if (!e->uid) return NULL;
    L->n_e++;
    return e;
}

static um_status add_name1(um_sc_lists *L, size_t entry, const char *name, const char *kind) {
    if (!name || !*name) return UM_OK;
    if (!um_grow((void **)&L->nm, &L->cap_nm, L->n_nm + 1, sizeof *L->nm)) return UM_ENOMEM;
    um_sc_lname *n = &L->nm[L->n_nm];
    n->entry = (uint32_t)entry;
    n->name = um_arena_strdup(&L->arena, name);
    n->kind = kind;
    if (!n->name) return UM_ENOMEM;
    L->n_nm++;
    return UM_OK;
}

/* "Jin Tiesan (金铁三)": a Latin name followed by its original script in
 * brackets becomes two names, the alias and an "original script" name, so
 * that neither has to account for the other's parts. */
static um_status add_name(um_sc_lists *L, size_t entry, const char *name, const char *kind) {
    if (!name) return UM_OK;
    size_t n = strlen(name);
    const char *open = n > 2 && name[n - 1] == ')' ? strrchr(name, '(') : NULL;
    if (open && open > name) {
        bool in_ascii = false, in_other = false, out_ascii = false;
        for (const char *p = open + 1; p < name + n - 1; p++) {
            in_ascii |= isalpha((unsigned char)*p) != 0;
            in_other |= (unsigned char)*p >= 0x80;
        }
        for (const char *p = name; p < open; p++) out_ascii |= isalpha((unsigned char)*p) != 0;
        if (in_other && !in_ascii && out_ascii && n < 2048) {
            char buf[2048];
            size_t k = (size_t)(open - name);
            memcpy(buf, name, k);
            buf[k] = 0;
            um_status st = add_name1(L, entry, um_trim(buf), kind);
            if (st != UM_OK) return st;
            k = n - 2 - (size_t)(open - name);
            memcpy(buf, open + 1, k);
            buf[k] = 0;
            return add_name1(L, entry, um_trim(buf), "original script");
        }
    }
    return add_name1(L, entry, name, kind);
}

static um_status add_ident(um_sc_lists *L, size_t entry, const char *type, const char *value) {
    if (!value || !*value) return UM_OK;
    if (!um_grow((void **)&L->id, &L->cap_id, L->n_id + 1, sizeof *L->id)) return UM_ENOMEM;
    um_sc_ident *x = &L->id[L->n_id];
    x->type = type;
    x->value = value;
    x->entry = (uint32_t)entry;
    L->n_id++;
    return UM_OK;
}

static void file_info(um_sc_lists *L, const char *list, const char *path, const char *date, const char *what,
                      size_t entries, size_t names) {
    if (!um_grow((void **)&L->files, &L->cap_files, L->n_files + 1, sizeof *L->files)) return;
    um_sc_listfile *f = &L->files[L->n_files];
    memset(f, 0, sizeof *f);
    f->list = um_arena_strdup(&L->arena, list);
    f->path = um_arena_strdup(&L->arena, path);
    f->date = date ? um_arena_strdup(&L->arena, date) : NULL;
    f->what = um_arena_strdup(&L->arena, what ? what : "");
    f->age_days = age_days(date);
    f->entries = entries;
    f->names = names;
    L->n_files++;
}

/* Date of a file: lists.tsv (bundled copies, matched by path suffix), else
 * the file's modification time. */
static const char *file_date(um_sc_lists *L, um_map *dates, const char *path, const char **what) {
    *what = NULL;
    for (size_t i = 0; i < dates->cap; i++) {
        um_map_slot *s = &dates->slots[i];
        if (!s->key) continue;
        size_t pl = strlen(path);
        if (pl >= s->klen && memcmp(path + pl - s->klen, s->key, s->klen) == 0 &&
            (pl == s->klen || path[pl - s->klen - 1] == '/')) {
            char **v = s->val;
            *what = v[1];
            return v[0];
        }
    }
    struct stat st;
    if (stat(path, &st) != 0) return NULL;
    struct tm tm;
    time_t t = st.st_mtime;
    gmtime_r(&t, &tm);
    return um_arena_printf(&L->arena, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* ---- OFAC CSV ------------------------------------------------------------- */

static bool ofac_empty(const char *f) {
    while (*f == ' ') f++;
    return !*f || strncmp(f, "-0-", 3) == 0;
}

typedef struct ofac_ctx {
    um_map by_uid; /* ent_num -> entry index + 1 */
    um_buf *remarks; /* per entry, parallel to L->e (grown alongside); appended
                      * to in place, so continuation rows cost linear time */
    size_t cap_remarks, n_remarks; /* n_remarks: slots initialised */
} ofac_ctx;

static void ofac_free(ofac_ctx *o) {
    um_map_free(&o->by_uid);
    for (size_t i = 0; i < o->n_remarks; i++) um_buf_free(&o->remarks[i]);
    um_free(o->remarks);
}

static size_t find_uid(ofac_ctx *o, const char *uid) {
    uintptr_t v = (uintptr_t)um_map_get(&o->by_uid, uid, strlen(uid));
    return v ? (size_t)(v - 1) : SIZE_MAX;
}

static um_status remember_uid(um_sc_lists *L, ofac_ctx *o, const char *uid) {
    bool created;
    um_map_slot *s = um_map_upsert(&o->by_uid, uid, strlen(uid), &created);
    if (!s) return UM_ENOMEM;
    s->val = (void *)(uintptr_t)L->n_e; /* index of the entry just created, + 1 */
    if (!um_grow((void **)&o->remarks, &o->cap_remarks, L->n_e, sizeof *o->remarks)) return UM_ENOMEM;
    while (o->n_remarks < L->n_e) um_buf_init(&o->remarks[o->n_remarks++]);
    return UM_OK;
}

/* Remarks longer than this are cut (one entry's real remarks are < 10 KB). */
#define UM_SC_MAX_REMARKS (256u << 10)

static void add_remark(um_buf *b, const char *text) {
    size_t n = strlen(text);
    if (b->len >= UM_SC_MAX_REMARKS) return;
    if (b->len + n > UM_SC_MAX_REMARKS) n = UM_SC_MAX_REMARKS - b->len;
    um_buf_add(b, text, n);
}

static bool valid_uid(const char *s) {
    if (!*s) return false;
    for (const char *p = s; *p; p++)
        if (!isdigit((unsigned char)*p)) return false;
    return strlen(s) < 12;
}

typedef enum ofac_kind { OF_SDN, OF_ALT, OF_ADD, OF_COMMENTS } ofac_kind;

static um_status read_ofac(um_sc_lists *L, ofac_ctx *o, const char *path, ofac_kind kind, size_t *rows) {
    *rows = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp) return UM_ENOTFOUND;
    um_csv c;
    um_csv_init(&c, fp, ',');
    size_t nf;
    const char *why;
    um_csv_res r;
    uint64_t bad = 0, first_bad = 0;
    um_status st = UM_OK;
    size_t want = kind == OF_SDN ? 12 : kind == OF_ALT ? 5 : kind == OF_ADD ? 6 : 2;
    while (st == UM_OK && (r = um_csv_next(&c, &nf, &why)) != UM_CSV_EOF) {
        if (r == UM_CSV_RECORD && nf == 1 && (c.fields[0][0] == 0x1A || !c.fields[0][0])) continue; /* EOF byte */
        bool ok = r == UM_CSV_RECORD && nf >= want;
        for (size_t i = 0; ok && i < nf; i++) ok = um_utf8_valid(c.fields[i], c.lens[i]);
        char uid[16];
        if (ok) {
            snprintf(uid, sizeof uid, "%s", c.fields[0]);
            um_trim(uid);
            ok = valid_uid(uid);
        }
        if (!ok) {
            if (!bad) first_bad = c.line;
            bad++;
            continue;
        }
        size_t ei = find_uid(o, uid);
        if (kind == OF_SDN) {
            if (ei != SIZE_MAX) continue; /* first row wins (supplement repeats) */
            um_sc_entry *e = new_entry(L, "OFAC SDN", uid);
            if (!e || remember_uid(L, o, uid) != UM_OK) {
                st = UM_ENOMEM;
                break;
            }
            const char *ty = c.fields[2];
            e->type = ofac_empty(ty) ? UM_SC_T_ENTITY
                      : um_starts_with_ci(ty, "individual") ? UM_SC_T_PERSON
                      : um_starts_with_ci(ty, "vessel")     ? UM_SC_T_VESSEL
                      : um_starts_with_ci(ty, "aircraft")   ? UM_SC_T_AIRCRAFT
                                                            : UM_SC_T_ENTITY;
            e->primary = um_arena_strdup(&L->arena, c.fields[1]);
            e->programs = um_arena_strdup(&L->arena, ofac_empty(c.fields[3]) ? "" : c.fields[3]);
            if (!ofac_empty(c.fields[11])) add_remark(&o->remarks[L->n_e - 1], c.fields[11]);
            if (!e->primary || !e->programs) st = UM_ENOMEM;
            else st = add_name(L, L->n_e - 1, e->primary, "primary");
        } else if (kind == OF_COMMENTS) {
            if (ei == SIZE_MAX) continue;
            add_remark(&o->remarks[ei], c.fields[1]);
            if (o->remarks[ei].oom) st = UM_ENOMEM;
        } else if (kind == OF_ALT) {
            if (ofac_empty(c.fields[3])) continue;
            if (ei == SIZE_MAX) { /* newer designation whose primary row we lack */
                um_sc_entry *e = new_entry(L, "OFAC SDN", uid);
                if (!e || remember_uid(L, o, uid) != UM_OK) {
                    st = UM_ENOMEM;
                    break;
                }
                e->orphan = true;
                e->type = UM_SC_T_UNKNOWN;
                e->primary = um_arena_strdup(&L->arena, c.fields[3]);
                e->programs = "";
                ei = L->n_e - 1;
            }
            const char *t = c.fields[2];
            const char *kindname = um_strstr_ci(t, "fka") ? "f.k.a." : um_strstr_ci(t, "nka") ? "n.k.a." : "a.k.a.";
            if (!ofac_empty(c.fields[4]) && um_strstr_ci(c.fields[4], "weak")) kindname = "weak a.k.a.";
            st = add_name(L, ei, c.fields[3], kindname);
        } else { /* OF_ADD */
            if (ei == SIZE_MAX || ofac_empty(c.fields[4])) continue;
            um_sc_entry *e = &L->e[ei];
            add_cc(e->cc, &e->n_cc, um_sc_country_code(c.fields[4], c.lens[4]));
        }
        if (st == UM_OK) (*rows)++;
    }
    if (bad) lwarn(L, "%s: %llu malformed row(s) skipped (first at line %llu)", path, (unsigned long long)bad,
                   (unsigned long long)first_bad);
    um_csv_free(&c);
    fclose(fp);
    return st;
}

/* Remarks: "DOB 13 Oct 1944; alt. DOB 1945; POB Pyongyang, North Korea;
 * nationality Korea, North; Email Address x@y; Digital Currency Address - XBT 1abc; ..." */
static um_status parse_remarks(um_sc_lists *L, size_t ei, const char *rem) {
    um_sc_entry *e = &L->e[ei];
    const char *p = rem;
    while (*p) {
        const char *end = strchr(p, ';');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char part[512];
        size_t k = n < sizeof part - 1 ? n : sizeof part - 1;
        memcpy(part, p, k);
        part[k] = 0;
        char *s = um_trim(part);
        if (um_starts_with_ci(s, "alt. ")) s += 5;
        if (um_starts_with_ci(s, "a.k.a. '") || um_starts_with_ci(s, "f.k.a. '")) {
            /* names quoted in remarks (a.k.a. 'KOMID') that alt.csv may lack */
            char *q = s + 8, *endq = strrchr(q, '\'');
            if (endq && endq > q) {
                *endq = 0;
                um_status st = add_name(L, ei, q, s[0] == 'f' ? "f.k.a." : "a.k.a.");
                if (st != UM_OK) return st;
            }
        } else if (um_starts_with_ci(s, "DOB ")) {
            um_sc_dob d;
            if (e->n_dob < UM_SC_MAX_DOB && parse_ofac_date(s + 4, &d)) e->dob[e->n_dob++] = d;
        } else if (um_starts_with_ci(s, "nationality ") || um_starts_with_ci(s, "citizen ")) {
            const char *v = strchr(s, ' ') + 1;
            add_cc(e->nat, &e->n_nat, um_sc_country_code(v, strlen(v)));
        } else if (um_starts_with_ci(s, "POB ")) {
            const char *v = strrchr(s, ',');
            v = v ? v + 1 : s + 4;
            const char *cc = um_sc_country_code(v, strlen(v));
            if (!cc && um_strstr_ci(s, "north korea")) cc = "KP";
            add_cc(e->cc, &e->n_cc, cc);
        } else if (um_starts_with_ci(s, "Email Address ")) {
            char *v = um_canon_email(&L->arena, s + 14);
            if (v && add_ident(L, ei, "email", v) != UM_OK) return UM_ENOMEM;
        } else if (um_starts_with_ci(s, "Digital Currency Address - ")) {
            const char *v = s + 27;
            while (*v && *v != ' ') v++; /* currency code */
            while (*v == ' ') v++;
            char *w = um_canon_wallet(&L->arena, v);
            if (w && add_ident(L, ei, "wallet", w) != UM_OK) return UM_ENOMEM;
        }
        if (!end) break;
        p = end + 1;
    }
    return UM_OK;
}

static int cmp_cstr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static um_status load_ofac(um_sc_lists *L, const char *dir, um_map *dates) {
    ofac_ctx o;
    memset(&o, 0, sizeof o);
    um_map_init(&o.by_uid);
    um_status st = UM_OK;
    char path[4096];
    size_t rows, e0 = L->n_e, n0 = L->n_nm;
    const char *what, *date;
    snprintf(path, sizeof path, "%s/sdn.csv", dir);
    st = read_ofac(L, &o, path, OF_SDN, &rows);
    if (st == UM_ENOTFOUND) {
        lwarn(L, "OFAC SDN: %s not found; OFAC list not loaded", path);
        ofac_free(&o);
        return UM_OK;
    }
    if (st == UM_OK) {
        date = file_date(L, dates, path, &what);
        file_info(L, "OFAC SDN", path, date, what ? what : "OFAC SDN primary records", rows, rows);
    }
    /* supplements: sdn_*.csv except sdn_comments.csv, sorted */
    DIR *d = opendir(dir);
    char **extra = NULL;
    size_t n_extra = 0, cap_extra = 0;
    if (d) {
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            size_t len = strlen(de->d_name);
            if (len > 8 && strncmp(de->d_name, "sdn_", 4) == 0 && strcmp(de->d_name + len - 4, ".csv") == 0 &&
                strcmp(de->d_name, "sdn_comments.csv") != 0) {
                char *cp = um_arena_strdup(&L->arena, de->d_name);
                if (cp && um_grow((void **)&extra, &cap_extra, n_extra + 1, sizeof *extra)) extra[n_extra++] = cp;
            }
        }
        closedir(d);
    }
    if (n_extra) qsort(extra, n_extra, sizeof *extra, cmp_cstr);
    for (size_t i = 0; st == UM_OK && i < n_extra; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, extra[i]);
        size_t before = L->n_e;
        st = read_ofac(L, &o, path, OF_SDN, &rows);
        if (st == UM_OK) {
            date = file_date(L, dates, path, &what);
            file_info(L, "OFAC SDN", path, date, what ? what : "OFAC SDN rows (same format)", L->n_e - before, rows);
        }
    }
    um_free(extra);
    static const struct { const char *file; ofac_kind kind; const char *what; } more[] = {
        {"sdn_comments.csv", OF_COMMENTS, "OFAC SDN remarks overflow"},
        {"alt.csv", OF_ALT, "OFAC SDN aliases"},
        {"add.csv", OF_ADD, "OFAC SDN addresses"}};
    for (size_t i = 0; st == UM_OK && i < UM_ARRAY_LEN(more); i++) {
        snprintf(path, sizeof path, "%s/%s", dir, more[i].file);
        size_t before = L->n_e;
        st = read_ofac(L, &o, path, more[i].kind, &rows);
        if (st == UM_ENOTFOUND) {
            lwarn(L, "OFAC SDN: %s not found; skipped", path);
            st = UM_OK;
            continue;
        }
        if (st == UM_OK) {
            date = file_date(L, dates, path, &what);
            file_info(L, "OFAC SDN", path, date, what ? what : more[i].what, L->n_e - before, rows);
        }
    }
    for (size_t i = e0; st == UM_OK && i < o.n_remarks; i++)
        if (o.remarks[i].len) st = parse_remarks(L, i, o.remarks[i].s);
    UM_UNUSED(n0);
    ofac_free(&o);
    return st;
}

/* ---- UN XML --------------------------------------------------------------- */

/* The text and CDATA nodes under top, in document order, into out (NULL:
 * only counts); returns the length. Entity reference nodes are not
 * entered: xmlNodeGetContent() would expand internal entities, so a few
 * hundred bytes of DTD could turn into megabytes of name text. */
static size_t xcollect(xmlNode *top, char *out) {
    size_t len = 0;
    for (xmlNode *c = top->children; c;) {
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content) {
            size_t k = strlen((const char *)c->content);
            if (out) memcpy(out + len, c->content, k);
            len += k;
        }
        if (c->type == XML_ELEMENT_NODE && c->children) {
            c = c->children;
            continue;
        }
        while (c != top && !c->next) c = c->parent;
        c = c == top ? NULL : c->next;
    }
    return len;
}

static const char *xtext(um_sc_lists *L, xmlNode *n) {
    size_t len = xcollect(n, NULL);
    char *s = um_arena_alloc(&L->arena, len + 1);
    if (!s) return NULL;
    xcollect(n, s);
    s[len] = 0;
    return um_trim(s);
}

static bool xis(xmlNode *n, const char *name) {
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static xmlNode *xchild(xmlNode *n, const char *name) {
    for (xmlNode *c = n->children; c; c = c->next)
        if (xis(c, name)) return c;
    return NULL;
}

static um_status un_record(um_sc_lists *L, xmlNode *rec, bool person) {
    static const char *const parts[] = {"FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"};
    char name[1024] = "";
    size_t nl = 0;
    for (size_t i = 0; i < UM_ARRAY_LEN(parts); i++) {
        xmlNode *c = xchild(rec, parts[i]);
        const char *t = c ? xtext(L, c) : NULL;
        if (t && *t) {
            int k = snprintf(name + nl, sizeof name - nl, "%s%s", nl ? " " : "", t);
            if (k > 0 && (size_t)k < sizeof name - nl) nl += (size_t)k;
        }
    }
    xmlNode *ref = xchild(rec, "REFERENCE_NUMBER");
    const char *uid = ref ? xtext(L, ref) : NULL;
    if (!uid || !*uid || !nl) return UM_EPARSE;
    um_sc_entry *e = new_entry(L, "UN", uid);
    if (!e) return UM_ENOMEM;
    size_t ei = L->n_e - 1;
    e->type = person ? UM_SC_T_PERSON : UM_SC_T_ENTITY;
    e->primary = um_arena_strdup(&L->arena, name);
    xmlNode *lt = xchild(rec, "UN_LIST_TYPE");
    e->programs = lt ? xtext(L, lt) : "";
    if (!e->primary || !e->programs) return UM_ENOMEM;
    um_status st = add_name(L, ei, e->primary, "primary");
    for (xmlNode *c = rec->children; c && st == UM_OK; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        if (xis(c, "NAME_ORIGINAL_SCRIPT")) {
            st = add_name(L, ei, xtext(L, c), "original script");
        } else if (xis(c, "INDIVIDUAL_ALIAS") || xis(c, "ENTITY_ALIAS")) {
            xmlNode *an = xchild(c, "ALIAS_NAME"), *q = xchild(c, "QUALITY");
            const char *qual = q ? xtext(L, q) : NULL;
            const char *kind = qual && um_streq_ci(qual, "Low") ? "weak a.k.a."
                               : qual && um_strstr_ci(qual, "f.k.a") ? "f.k.a."
                                                                     : "a.k.a.";
            if (an) st = add_name(L, ei, xtext(L, an), kind);
        } else if (xis(c, "NATIONALITY")) {
            for (xmlNode *v = c->children; v; v = v->next)
                if (xis(v, "VALUE")) {
                    const char *t = xtext(L, v);
                    if (t) add_cc(e->nat, &e->n_nat, um_sc_country_code(t, strlen(t)));
                }
        } else if (xis(c, "INDIVIDUAL_ADDRESS") || xis(c, "ENTITY_ADDRESS") || xis(c, "INDIVIDUAL_PLACE_OF_BIRTH")) {
            xmlNode *cn = xchild(c, "COUNTRY");
            const char *t = cn ? xtext(L, cn) : NULL;
            if (t) add_cc(e->cc, &e->n_cc, um_sc_country_code(t, strlen(t)));
        } else if (xis(c, "INDIVIDUAL_DATE_OF_BIRTH") && e->n_dob < UM_SC_MAX_DOB) {
            xmlNode *ty = xchild(c, "TYPE_OF_DATE"), *dt = xchild(c, "DATE"), *yr = xchild(c, "YEAR"),
                    *fy = xchild(c, "FROM_YEAR"), *tyr = xchild(c, "TO_YEAR");
            const char *type = ty ? xtext(L, ty) : "";
            um_sc_dob d;
            bool ok = false;
            if (dt) ok = um_sc_parse_dob(xtext(L, dt), &d);
            else if (yr) ok = um_sc_parse_dob(xtext(L, yr), &d);
            else if (fy && tyr) {
                um_sc_dob b;
                ok = um_sc_parse_dob(xtext(L, fy), &d) && um_sc_parse_dob(xtext(L, tyr), &b) && b.y0 >= d.y0;
                if (ok) d.y1 = b.y0;
            }
            if (ok && type && um_streq_ci(type, "APPROXIMATELY")) {
                d.y0 = (int16_t)(d.y0 - 1);
                d.y1 = (int16_t)(d.y1 + 1);
                d.m = d.d = 0;
            }
            if (ok) e->dob[e->n_dob++] = d;
        }
    }
    return st;
}

static um_status load_un(um_sc_lists *L, const char *path, um_map *dates) {
    struct stat sb;
    if (stat(path, &sb) != 0) {
        lwarn(L, "UN: %s not found; UN list not loaded", path);
        return UM_OK;
    }
    /* NONET: no network; no NOENT/DTDLOAD: entities are never expanded */
    xmlDoc *doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) {
        lwarn(L, "UN: %s is not well-formed XML; UN list not loaded", path);
        return UM_OK;
    }
    xmlNode *root = xmlDocGetRootElement(doc);
    if (!root || !xis(root, "CONSOLIDATED_LIST")) {
        xmlFreeDoc(doc);
        lwarn(L, "UN: %s is not a UN consolidated list; not loaded", path);
        return UM_OK;
    }
    size_t e0 = L->n_e, n0 = L->n_nm, bad = 0;
    um_status st = UM_OK;
    for (xmlNode *grp = root->children; grp && st == UM_OK; grp = grp->next) {
        bool person = xis(grp, "INDIVIDUALS");
        if (!person && !xis(grp, "ENTITIES")) continue;
        for (xmlNode *rec = grp->children; rec && st == UM_OK; rec = rec->next) {
            if (!xis(rec, person ? "INDIVIDUAL" : "ENTITY")) continue;
            st = un_record(L, rec, person);
            if (st == UM_EPARSE) {
                bad++;
                st = UM_OK;
            }
        }
    }
    /* not xmlGetProp(): it expands entity references in the value, one
     * xmlStrcat at a time (a 63 KB file took 78 s) */
    char *date = NULL;
    for (xmlAttr *a = root->properties; a && !date; a = a->next)
        if (!a->ns && strcmp((const char *)a->name, "dateGenerated") == 0) {
            const char *v = xtext(L, (xmlNode *)a);
            if (v && *v) date = um_arena_strndup(&L->arena, v, 10);
        }
    xmlFreeDoc(doc);
    const char *what = NULL;
    const char *fdate = file_date(L, dates, path, &what);
    if (bad) lwarn(L, "UN: %zu record(s) without name or reference number skipped", bad);
    file_info(L, "UN", path, date ? date : fdate, what ? what : "UN Security Council consolidated list",
              L->n_e - e0, L->n_nm - n0);
    return st;
}

/* ---- top ------------------------------------------------------------------- */

static void read_dates(um_sc_lists *L, um_map *dates, const char *path) {
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (!f) return;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#') continue;
        char *a = strtok(line, "\t\r\n"), *b = strtok(NULL, "\t\r\n"), *c = strtok(NULL, "\t\r\n");
        if (!a || !b) continue;
        char **v = um_arena_alloc(&L->arena, 2 * sizeof *v);
        bool created;
        um_map_slot *s = v ? um_map_upsert(dates, a, strlen(a), &created) : NULL;
        if (!s) continue;
        v[0] = um_arena_strdup(&L->arena, b);
        v[1] = c ? um_arena_strdup(&L->arena, c) : NULL;
        s->val = v;
    }
    fclose(f);
}

um_status um_sc_lists_load(um_sc_lists *L, const char *ofac_dir, const char *un_xml, const char *dates_tsv,
                           char *err, size_t errlen) {
    memset(L, 0, sizeof *L);
    um_arena_init(&L->arena);
    um_map dates;
    um_map_init(&dates);
    read_dates(L, &dates, dates_tsv);
    um_status st = UM_OK;
    if (ofac_dir) st = load_ofac(L, ofac_dir, &dates);
    if (st == UM_OK && un_xml) st = load_un(L, un_xml, &dates);
    um_map_free(&dates);
    if (st == UM_ENOMEM) snprintf(err, errlen, "out of memory loading sanctions lists");
    else if (st == UM_OK && L->n_nm == 0) {
        snprintf(err, errlen, "no sanctions list could be read (OFAC folder %s, UN file %s)",
                 ofac_dir ? ofac_dir : "-", un_xml ? un_xml : "-");
        st = UM_ENOTFOUND;
    }
    return st;
}

void um_sc_lists_free(um_sc_lists *L) {
    if (!L) return;
    um_free(L->e);
    um_free(L->nm);
    um_free(L->id);
    um_free(L->files);
    um_free(L->warnings);
    um_arena_free(&L->arena);
    memset(L, 0, sizeof *L);
}
