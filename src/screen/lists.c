/*
 * lists.c - loaders for the sanctions lists the screener matches against.
 *
 * OFAC SDN in its original CSV files (no header, CRLF, "-0- " for empty,
 * trailing 0x1A, programs "DPRK3] [DPRK4", given as "DPRK3; DPRK4"): sdn.csv plus any sdn_*.csv with
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
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>

#include "../core/internal.h"
#include "../util/csv.h"
#include "screen_int.h"
#include "../util/ascii.h"
#include "../util/cfmt.h"

static void lwarn(um_sc_lists *L, const char *fmt, ...) UM_PRINTF(2, 3);
static void lwarn(um_sc_lists *L, const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    um_vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char *w = um_arena_strdup(&L->arena, buf);
    if (!w || !um_grow((void **)&L->warnings, &L->cap_warnings, L->n_warnings + 1, sizeof *L->warnings)) return;
    L->warnings[L->n_warnings++] = w;
}

/* ---- countries ----------------------------------------------------------- */


const char *um_sc_country_code(const char *s, size_t n) {
    if (!s) return NULL;
    while (n && um_ascii_isspace((unsigned char)*s)) s++, n--;
    while (n && (um_ascii_isspace((unsigned char)s[n - 1]) || s[n - 1] == '.')) n--;
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
            in_ascii |= um_ascii_isalpha((unsigned char)*p) != 0;
            in_other |= (unsigned char)*p >= 0x80;
        }
        for (const char *p = name; p < open; p++) out_ascii |= um_ascii_isalpha((unsigned char)*p) != 0;
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

/* "DPRK3] [DPRK4" as published -> "DPRK3; DPRK4", as the other lists and
 * the advanced XML give them */
static const char *ofac_programs(um_sc_lists *L, const char *p) {
    um_buf b;
    um_buf_init(&b);
    for (const char *q = p; *q;) {
        const char *sep = strstr(q, "] [");
        size_t n = sep ? (size_t)(sep - q) : strlen(q);
        if (b.len) um_buf_adds(&b, "; ");
        um_buf_add(&b, q, n);
        q += n + (sep ? 3 : 0);
    }
    const char *r = b.oom ? NULL : um_arena_strdup(&L->arena, b.s ? b.s : "");
    um_buf_free(&b);
    return r;
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
        if (!um_ascii_isdigit((unsigned char)*p)) return false;
    return strlen(s) < 12;
}

typedef enum ofac_kind { OF_SDN, OF_ALT, OF_ADD, OF_COMMENTS } ofac_kind;

static um_status read_ofac(um_sc_lists *L, ofac_ctx *o, const char *list, const char *path, ofac_kind kind,
                           size_t *rows) {
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
            um_sc_entry *e = new_entry(L, list, uid);
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
            e->programs = ofac_programs(L, ofac_empty(c.fields[3]) ? "" : c.fields[3]);
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
                um_sc_entry *e = new_entry(L, list, uid);
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

/* One OFAC list in the SDN CSV format: the SDN list (sdn.csv, sdn_*.csv,
 * sdn_comments.csv, alt.csv, add.csv) or the Consolidated (non-SDN) list
 * (cons_prim.csv, cons_comments.csv, cons_alt.csv, cons_add.csv: the same
 * columns, published beside the SDN files). */
typedef struct ofac_files {
    const char *list, *prim, *supp_prefix, *comments, *alt, *add;
    bool required;
} ofac_files;

static um_status load_ofac_list(um_sc_lists *L, const char *dir, um_map *dates, const ofac_files *F) {
    ofac_ctx o;
    memset(&o, 0, sizeof o);
    um_map_init(&o.by_uid);
    um_status st = UM_OK;
    char path[4096], what_buf[160];
    size_t rows, e0 = L->n_e;
    const char *what, *date;
    snprintf(path, sizeof path, "%s/%s", dir, F->prim);
    st = read_ofac(L, &o, F->list, path, OF_SDN, &rows);
    if (st == UM_ENOTFOUND) {
        if (F->required) lwarn(L, "%s: %s not found; list not loaded", F->list, path);
        ofac_free(&o);
        return UM_OK;
    }
    if (st == UM_OK) {
        date = file_date(L, dates, path, &what);
        snprintf(what_buf, sizeof what_buf, "%s primary records", F->list);
        file_info(L, F->list, path, date, what ? what : um_arena_strdup(&L->arena, what_buf), rows, rows);
    }
    /* supplements: <prefix>*.csv except the comments file, sorted */
    DIR *d = F->supp_prefix ? opendir(dir) : NULL;
    char **extra = NULL;
    size_t n_extra = 0, cap_extra = 0;
    if (d) {
        struct dirent *de;
        size_t pl = strlen(F->supp_prefix);
        while ((de = readdir(d)) != NULL) {
            size_t len = strlen(de->d_name);
            if (len > pl + 4 && strncmp(de->d_name, F->supp_prefix, pl) == 0 && strcmp(de->d_name + len - 4, ".csv") == 0 &&
                strcmp(de->d_name, F->comments) != 0) {
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
        st = read_ofac(L, &o, F->list, path, OF_SDN, &rows);
        if (st == UM_OK) {
            date = file_date(L, dates, path, &what);
            file_info(L, F->list, path, date, what ? what : "OFAC rows (same format)", L->n_e - before, rows);
        }
    }
    um_free(extra);
    const struct { const char *file; ofac_kind kind; const char *what; } more[] = {
        {F->comments, OF_COMMENTS, "remarks overflow"}, {F->alt, OF_ALT, "aliases"}, {F->add, OF_ADD, "addresses"}};
    for (size_t i = 0; st == UM_OK && i < UM_ARRAY_LEN(more); i++) {
        snprintf(path, sizeof path, "%s/%s", dir, more[i].file);
        size_t before = L->n_e;
        st = read_ofac(L, &o, F->list, path, more[i].kind, &rows);
        if (st == UM_ENOTFOUND) {
            lwarn(L, "%s: %s not found; skipped", F->list, path);
            st = UM_OK;
            continue;
        }
        if (st == UM_OK) {
            date = file_date(L, dates, path, &what);
            snprintf(what_buf, sizeof what_buf, "%s %s", F->list, more[i].what);
            file_info(L, F->list, path, date, what ? what : um_arena_strdup(&L->arena, what_buf), L->n_e - before, rows);
        }
    }
    for (size_t i = e0; st == UM_OK && i < o.n_remarks; i++)
        if (o.remarks[i].len) st = parse_remarks(L, i, o.remarks[i].s);
    ofac_free(&o);
    return st;
}

static um_status load_ofac_adv(um_sc_lists *L, const char *path, const char *list, um_map *dates, bool *loaded);

/* The advanced XML of a list (sdn_advanced.xml, or SDN_ADVANCED.XML as the
 * Sanctions List Service names it), when present and readable, holds the
 * whole list: its CSV files beside it are then not read (they would make
 * every party twice). */
static um_status load_ofac_one(um_sc_lists *L, const char *dir, um_map *dates, const ofac_files *F, const char *adv,
                               const char *ADV) {
    char path[4096];
    bool loaded = false;
    um_status st = UM_OK;
    for (int i = 0; i < 2 && st == UM_OK && !loaded; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, i ? ADV : adv);
        st = load_ofac_adv(L, path, F->list, dates, &loaded);
    }
    if (st != UM_OK || loaded) return st;
    return load_ofac_list(L, dir, dates, F);
}

static um_status load_ofac(um_sc_lists *L, const char *dir, um_map *dates) {
    static const ofac_files sdn = {"OFAC SDN", "sdn.csv", "sdn_", "sdn_comments.csv", "alt.csv", "add.csv", true};
    static const ofac_files cons = {"OFAC Consolidated", "cons_prim.csv", NULL, "cons_comments.csv", "cons_alt.csv",
                                    "cons_add.csv", false};
    um_status st = load_ofac_one(L, dir, dates, &sdn, "sdn_advanced.xml", "SDN_ADVANCED.XML");
    if (st == UM_OK) st = load_ofac_one(L, dir, dates, &cons, "cons_advanced.xml", "CONS_ADVANCED.XML");
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

/* ---- EU consolidated financial sanctions list (FSF XML 1.1) ---------------- */

/* An attribute's value without entity expansion (as for the UN root). */
static const char *xattr(um_sc_lists *L, xmlNode *n, const char *name) {
    for (xmlAttr *a = n->properties; a; a = a->next)
        if (strcmp((const char *)a->name, name) == 0) return xtext(L, (xmlNode *)a);
    return NULL;
}

/* <sanctionEntity euReferenceNumber logicalId> with <regulation programme>,
 * <subjectType code="person|enterprise">, <nameAlias wholeName strong>,
 * <citizenship countryIso2Code>, <birthdate birthdate|year>, <address
 * countryIso2Code> (the published FSF 1.1 export; namespace ignored) */
static um_status eu_record(um_sc_lists *L, xmlNode *rec) {
    const char *uid = xattr(L, rec, "euReferenceNumber");
    if (!uid || !*uid) uid = xattr(L, rec, "logicalId");
    const char *primary = NULL;
    for (xmlNode *c = rec->children; c && !primary; c = c->next)
        if (xis(c, "nameAlias")) {
            const char *w = xattr(L, c, "wholeName");
            if (w && *w) primary = w;
        }
    if (!uid || !*uid || !primary) return UM_EPARSE;
    um_sc_entry *e = new_entry(L, "EU", uid);
    if (!e) return UM_ENOMEM;
    size_t ei = L->n_e - 1;
    e->type = UM_SC_T_ENTITY;
    e->primary = primary;
    um_buf prog;
    um_buf_init(&prog);
    um_status st = UM_OK;
    bool first = true;
    for (xmlNode *c = rec->children; c && st == UM_OK; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        if (xis(c, "subjectType")) {
            const char *code = xattr(L, c, "code");
            if (code && um_streq_ci(code, "person")) e->type = UM_SC_T_PERSON;
        } else if (xis(c, "regulation")) {
            const char *p = xattr(L, c, "programme");
            if (p && *p && !(prog.s && strstr(prog.s, p))) {
                if (prog.len) um_buf_adds(&prog, "; ");
                um_buf_adds(&prog, p);
            }
        } else if (xis(c, "nameAlias")) {
            const char *w = xattr(L, c, "wholeName"), *strong = xattr(L, c, "strong");
            if (w && *w) st = add_name(L, ei, w, first ? "primary" : strong && um_streq_ci(strong, "false") ? "weak a.k.a." : "a.k.a.");
            if (w && *w) first = false;
        } else if (xis(c, "citizenship")) {
            const char *cc = xattr(L, c, "countryIso2Code");
            if (cc) add_cc(e->nat, &e->n_nat, um_sc_country_code(cc, strlen(cc)));
        } else if (xis(c, "address")) {
            const char *cc = xattr(L, c, "countryIso2Code");
            if (cc) add_cc(e->cc, &e->n_cc, um_sc_country_code(cc, strlen(cc)));
        } else if (xis(c, "birthdate") && e->n_dob < UM_SC_MAX_DOB) {
            const char *d = xattr(L, c, "birthdate"), *y = xattr(L, c, "year"), *circa = xattr(L, c, "circa");
            um_sc_dob dob;
            bool ok = (d && *d && um_sc_parse_dob(d, &dob)) || (y && *y && um_sc_parse_dob(y, &dob));
            if (ok && circa && um_streq_ci(circa, "true")) {
                dob.y0 = (int16_t)(dob.y0 - 1);
                dob.y1 = (int16_t)(dob.y1 + 1);
                dob.m = dob.d = 0;
            }
            if (ok) e->dob[e->n_dob++] = dob;
        }
    }
    e->programs = prog.oom ? NULL : um_arena_strdup(&L->arena, prog.s ? prog.s : "");
    um_buf_free(&prog);
    if (!e->programs) return UM_ENOMEM;
    return st;
}

static um_status load_eu(um_sc_lists *L, const char *path, um_map *dates) {
    struct stat sb;
    if (stat(path, &sb) != 0) return UM_OK; /* not bundled: only when given or installed */
    xmlDoc *doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) {
        lwarn(L, "EU: %s is not well-formed XML; EU list not loaded", path);
        return UM_OK;
    }
    xmlNode *root = xmlDocGetRootElement(doc);
    if (!root || !xis(root, "export")) {
        xmlFreeDoc(doc);
        lwarn(L, "EU: %s is not an EU financial sanctions file (FSF export); not loaded", path);
        return UM_OK;
    }
    size_t e0 = L->n_e, n0 = L->n_nm, bad = 0;
    um_status st = UM_OK;
    for (xmlNode *rec = root->children; rec && st == UM_OK; rec = rec->next) {
        if (!xis(rec, "sanctionEntity")) continue;
        st = eu_record(L, rec);
        if (st == UM_EPARSE) {
            bad++;
            st = UM_OK;
        }
    }
    const char *gen = xattr(L, root, "generationDate");
    char *date = gen && strlen(gen) >= 10 ? um_arena_strndup(&L->arena, gen, 10) : NULL;
    xmlFreeDoc(doc);
    const char *what = NULL;
    const char *fdate = file_date(L, dates, path, &what);
    if (bad) lwarn(L, "EU: %zu record(s) without name or reference number skipped", bad);
    file_info(L, "EU", path, date ? date : fdate, what ? what : "EU consolidated financial sanctions list (FSF XML)",
              L->n_e - e0, L->n_nm - n0);
    return st;
}

/* ---- streamed XML (UK Sanctions List, OFAC SDN advanced) ------------------- */

/* The two larger lists are read with libxml2's pull parser: only one record
 * (a <Designation>, a <DistinctParty>) is held as a tree at a time, so a
 * 125 MB advanced SDN file costs one record's memory, not a whole DOM.
 * Same parser options as the DOM loaders: no network, no entity expansion.
 * A read error anywhere (a truncated download) rolls the list back: a list
 * is loaded whole or not at all. */
typedef struct xstream {
    xmlTextReaderPtr r;
    int ret;
} xstream;

static bool xs_open(xstream *x, const char *path) {
    x->r = xmlReaderForFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    x->ret = x->r ? xmlTextReaderRead(x->r) : -1;
    return x->r != NULL;
}

/* the next element start at any depth; NULL at the end or on error (x->ret) */
static const char *xs_next_elem(xstream *x, int *depth) {
    while (x->ret == 1) {
        if (xmlTextReaderNodeType(x->r) == XML_READER_TYPE_ELEMENT) {
            *depth = xmlTextReaderDepth(x->r);
            return (const char *)xmlTextReaderConstLocalName(x->r);
        }
        x->ret = xmlTextReaderRead(x->r);
    }
    return NULL;
}

/* the current element as a tree (valid until xs_skip); NULL on error */
static xmlNode *xs_expand(xstream *x) {
    xmlNode *n = xmlTextReaderExpand(x->r);
    if (!n) x->ret = -1;
    return n;
}

/* past the current element and its subtree */
static void xs_skip(xstream *x) { x->ret = xmlTextReaderNext(x->r); }
static void xs_step(xstream *x) { x->ret = xmlTextReaderRead(x->r); }

static void xs_close(xstream *x) {
    if (x->r) xmlFreeTextReader(x->r);
    x->r = NULL;
}

/* drops what a list added after a failed read (entries, names, identifiers;
 * the arena keeps the bytes until the lists are freed) */
static void rollback(um_sc_lists *L, size_t e0, size_t n0, size_t i0) {
    L->n_e = e0;
    L->n_nm = n0;
    L->n_id = i0;
}

/* "dd/mm/yyyy" with "dd" / "mm" for an unknown day or month (UK list), or ISO */
static bool parse_dmy(const char *s, um_sc_dob *out) {
    memset(out, 0, sizeof *out);
    if (!s) return false;
    while (*s == ' ') s++;
    if (strlen(s) >= 10 && s[2] == '/' && s[5] == '/') {
        int d = 0, m = 0, y = 0;
        if (um_ascii_isdigit((unsigned char)s[0]) && sscanf(s, "%2d", &d) != 1) return false;
        if (um_ascii_isdigit((unsigned char)s[3]) && sscanf(s + 3, "%2d", &m) != 1) return false;
        if (sscanf(s + 6, "%4d", &y) != 1 || y < 1850 || y > 2100) return false;
        if (m < 0 || m > 12 || d < 0 || d > 31 || (d && !m)) return false;
        out->y0 = out->y1 = (int16_t)y;
        out->m = (int8_t)m;
        out->d = (int8_t)d;
        return true;
    }
    return um_sc_parse_dob(s, out);
}

/* ---- UK Sanctions List (FCDO, XML) ------------------------------------------ */

/* One <Designation> of the UK Sanctions List XML (UK-Sanctions-List.xml):
 * <UniqueID>, <OFSIGroupID>, <UNReferenceNumber>, <Names><Name> with
 * <Name1>..<Name5> (given names) and <Name6> (family name, or the whole
 * name of an entity or ship), <NameType> ("Primary Name", "Primary name
 * variation", "Alias", in any casing) and <AliasStrength> ("Good quality
 * a.k.a" / "Low quality a.k.a"); <NonLatinNames><NonLatinName>
 * <NameNonLatinScript>; <RegimeName>; <IndividualEntityShip>; <Addresses>
 * <Address><AddressCountry>; <EmailAddresses><EmailAddress>; and, under
 * <IndividualDetails><Individual>, <DOBs><DOB> (dd/mm/yyyy, "dd"/"mm" when
 * unknown), <Nationalities><Nationality> and <BirthDetails><Location>
 * <CountryOfBirth>. */
static um_status uk_record(um_sc_lists *L, xmlNode *rec) {
    xmlNode *idn = xchild(rec, "UniqueID");
    const char *uid = idn ? xtext(L, idn) : NULL;
    if (!uid) return UM_ENOMEM;
    xmlNode *names = xchild(rec, "Names");
    if (!*uid || !names) return UM_EPARSE;
    xmlNode *ty = xchild(rec, "IndividualEntityShip");
    const char *type = ty ? xtext(L, ty) : "";
    um_sc_etype et = !type ? UM_SC_T_UNKNOWN
                     : um_streq_ci(type, "Individual") ? UM_SC_T_PERSON
                     : um_streq_ci(type, "Ship")       ? UM_SC_T_VESSEL
                     : um_streq_ci(type, "Entity")     ? UM_SC_T_ENTITY
                                                       : UM_SC_T_UNKNOWN;
    /* names first: a designation without one is a reject, not an entry */
    typedef struct { const char *name, *kind; bool primary; } uk_name;
    size_t cap_nm = 0, n_nm = 0;
    for (xmlNode *c = names->children; c; c = c->next) cap_nm += xis(c, "Name");
    uk_name *nm = cap_nm ? um_arena_alloc(&L->arena, cap_nm * sizeof *nm) : NULL;
    if (cap_nm && !nm) return UM_ENOMEM;
    for (xmlNode *c = names->children; c && n_nm < cap_nm; c = c->next) {
        if (!xis(c, "Name")) continue;
        char given[1024] = "";
        size_t gl = 0;
        const char *family = NULL, *ntype = "", *strength = "";
        for (xmlNode *p = c->children; p; p = p->next) {
            if (p->type != XML_ELEMENT_NODE) continue;
            const char *t = xtext(L, p);
            if (!t) return UM_ENOMEM;
            const char *pn = (const char *)p->name;
            if (!strcmp(pn, "Name6")) family = t;
            else if (!strcmp(pn, "NameType")) ntype = t;
            else if (!strcmp(pn, "AliasStrength")) strength = t;
            else if (strlen(pn) == 5 && !strncmp(pn, "Name", 4) && pn[4] >= '1' && pn[4] <= '5' && *t) {
                int k = snprintf(given + gl, sizeof given - gl, "%s%s", gl ? " " : "", t);
                if (k > 0 && (size_t)k < sizeof given - gl) gl += (size_t)k;
            }
        }
        const char *full;
        if (family && *family && gl)
            full = et == UM_SC_T_PERSON ? um_arena_printf(&L->arena, "%s, %s", family, given)
                                        : um_arena_printf(&L->arena, "%s %s", given, family);
        else full = family && *family ? family : gl ? um_arena_strdup(&L->arena, given) : "";
        if (!full) return UM_ENOMEM;
        if (!*full) continue;
        bool primary = um_streq_ci(ntype, "Primary Name");
        nm[n_nm++] = (uk_name){full,
                               primary ? "primary"
                               : um_strstr_ci(strength, "low") ? "weak a.k.a."
                                                                : "a.k.a.",
                               primary};
    }
    if (!n_nm) return UM_EPARSE;
    size_t pi = 0; /* the first primary name, else the first name */
    for (size_t i = 0; i < n_nm; i++)
        if (nm[i].primary) {
            pi = i;
            break;
        }
    um_sc_entry *e = new_entry(L, "UK", uid);
    if (!e) return UM_ENOMEM;
    size_t ei = L->n_e - 1;
    e->type = et;
    e->primary = nm[pi].name;
    xmlNode *rg = xchild(rec, "RegimeName");
    e->programs = rg ? xtext(L, rg) : "";
    if (!e->programs) return UM_ENOMEM;
    um_status st = add_name(L, ei, nm[pi].name, "primary");
    for (size_t i = 0; i < n_nm && st == UM_OK; i++)
        if (i != pi) st = add_name(L, ei, nm[i].name, nm[i].primary ? "a.k.a." : nm[i].kind);
    /* every other detail, wherever the publisher nests it */
    for (xmlNode *c = rec->children; c && st == UM_OK;) {
        if (c->type == XML_ELEMENT_NODE) {
            const char *n = (const char *)c->name;
            bool leaf = true;
            if (!strcmp(n, "NameNonLatinScript")) {
                st = add_name(L, ei, xtext(L, c), "original script");
            } else if (!strcmp(n, "Nationality")) {
                const char *t = xtext(L, c);
                if (t) add_cc(e->nat, &e->n_nat, um_sc_country_code(t, strlen(t)));
            } else if (!strcmp(n, "AddressCountry") || !strcmp(n, "CountryOfBirth")) {
                const char *t = xtext(L, c);
                if (t) add_cc(e->cc, &e->n_cc, um_sc_country_code(t, strlen(t)));
            } else if (!strcmp(n, "DOB")) {
                um_sc_dob d;
                if (e->n_dob < UM_SC_MAX_DOB && parse_dmy(xtext(L, c), &d)) e->dob[e->n_dob++] = d;
            } else if (!strcmp(n, "EmailAddress")) {
                const char *t = xtext(L, c);
                char *cp = t ? um_arena_strdup(&L->arena, t) : NULL;
                for (char *tok = cp ? strtok(cp, "; ,") : NULL; tok && st == UM_OK; tok = strtok(NULL, "; ,"))
                    if (strchr(tok, '@')) st = add_ident(L, ei, "email", um_canon_email(&L->arena, tok));
            } else if (strcmp(n, "Names") != 0) {
                leaf = false;
            }
            if (!leaf && c->children) {
                c = c->children;
                continue;
            }
        }
        while (c != rec && !c->next) c = c->parent;
        c = c == rec ? NULL : c->next;
    }
    return st;
}

static um_status load_uk(um_sc_lists *L, const char *path, um_map *dates) {
    struct stat sb;
    if (stat(path, &sb) != 0) return UM_OK; /* not bundled: only when given or installed */
    xstream x;
    if (!xs_open(&x, path)) {
        lwarn(L, "UK: %s cannot be read; UK list not loaded", path);
        return UM_OK;
    }
    size_t e0 = L->n_e, n0 = L->n_nm, i0 = L->n_id, bad = 0;
    um_status st = UM_OK;
    const char *date = NULL;
    bool root_ok = false;
    int depth;
    const char *el;
    while (st == UM_OK && (el = xs_next_elem(&x, &depth)) != NULL) {
        if (depth == 0) {
            root_ok = strcmp(el, "Designations") == 0;
            if (!root_ok) break;
            xs_step(&x);
        } else if (depth == 1 && !strcmp(el, "Designation")) {
            xmlNode *n = xs_expand(&x);
            if (!n) break;
            st = uk_record(L, n);
            if (st == UM_EPARSE) {
                bad++;
                st = UM_OK;
            }
            xs_skip(&x);
        } else if (depth == 1 && !strcmp(el, "DateGenerated")) {
            xmlNode *n = xs_expand(&x);
            if (!n) break;
            um_sc_dob d;
            const char *t = xtext(L, n);
            if (t && parse_dmy(t, &d) && d.m && d.d)
                date = um_arena_printf(&L->arena, "%04d-%02d-%02d", d.y0, d.m, d.d);
            xs_skip(&x);
        } else {
            xs_step(&x);
        }
    }
    int ret = x.ret;
    xs_close(&x);
    if (st != UM_OK) return st;
    if (!root_ok) {
        rollback(L, e0, n0, i0);
        lwarn(L, "UK: %s is not a UK Sanctions List file (<Designations>); not loaded", path);
        return UM_OK;
    }
    if (ret < 0) {
        rollback(L, e0, n0, i0);
        lwarn(L, "UK: %s is not well-formed XML (a truncated download?); UK list not loaded", path);
        return UM_OK;
    }
    const char *what = NULL;
    const char *fdate = file_date(L, dates, path, &what);
    if (bad) lwarn(L, "UK: %zu designation(s) without a name or unique ID skipped", bad);
    file_info(L, "UK", path, date ? date : fdate, what ? what : "UK Sanctions List (FCDO, XML)", L->n_e - e0,
              L->n_nm - n0);
    return UM_OK;
}

/* ---- OFAC advanced XML (SDN_ADVANCED.XML, CONS_ADVANCED.XML) ---------------- */

/* The advanced format is normalised: <ReferenceValueSets> holds the code
 * tables (<AliasTypeValues><AliasType ID>, <FeatureTypeValues>,
 * <PartySubTypeValues><PartySubType ID PartyTypeID>, <PartyTypeValues>,
 * <NamePartTypeValues>, <ScriptValues>, <CountryValues><Country ID ISO2>,
 * <AreaCodeValues>, <SanctionsTypeValues>, <DetailReferenceValues> ...);
 * <Locations><Location ID> gives countries (<LocationCountry CountryID>,
 * <LocationAreaCode AreaCodeID>); each <DistinctParty FixedRef> (FixedRef =
 * the CSV's ent_num) has one <Profile ID PartySubTypeID> with <Identity>
 * <Alias AliasTypeID Primary LowQuality><DocumentedName><DocumentedNamePart>
 * <NamePartValue NamePartGroupID ScriptID> and <NamePartGroups> typing each
 * group (Last Name, First Name, Entity Name ...), and <Feature FeatureTypeID>
 * <FeatureVersion> carrying a <DatePeriod> (Birthdate), a <VersionLocation
 * LocationID> (Nationality Country, Citizenship Country, Location) or a
 * <VersionDetail> (Email Address, Digital Currency Address - XBT ...);
 * <SanctionsEntries><SanctionsEntry ProfileID> lists the programmes as
 * <SanctionsMeasure SanctionsTypeID><Comment> of type "Program". The tables
 * are read by name, never by numeric ID. */

typedef struct adv_ctx {
    um_map ref; /* "Table\tID" -> text; "ISO2\tID" (countries), "PartyType\tID" (of a subtype) */
    um_map loc; /* Location ID -> ISO alpha-2 */
    um_map prof; /* Profile ID -> entry index + 1 */
} adv_ctx;

static um_status adv_put(um_sc_lists *L, um_map *m, const char *a, const char *b, const char *val) {
    char k[256];
    int n = snprintf(k, sizeof k, "%s\t%s", a, b);
    if (n < 0 || (size_t)n >= sizeof k) return UM_OK;
    bool created;
    um_map_slot *s = um_map_upsert(m, k, (size_t)n, &created);
    if (!s) return UM_ENOMEM;
    s->val = (void *)val;
    (void)L;
    return UM_OK;
}

static const char *adv_get(const um_map *m, const char *a, const char *b) {
    if (!b) return NULL;
    char k[256];
    int n = snprintf(k, sizeof k, "%s\t%s", a, b);
    if (n < 0 || (size_t)n >= sizeof k) return NULL;
    return um_map_get(m, k, (size_t)n);
}

static um_status adv_refs(um_sc_lists *L, adv_ctx *a, xmlNode *refs) {
    for (xmlNode *set = refs->children; set; set = set->next) {
        if (set->type != XML_ELEMENT_NODE) continue;
        for (xmlNode *v = set->children; v; v = v->next) {
            if (v->type != XML_ELEMENT_NODE) continue;
            const char *id = xattr(L, v, "ID"), *t = xtext(L, v);
            if (!id || !t) continue;
            um_status st = adv_put(L, &a->ref, (const char *)v->name, id, t);
            const char *iso = xis(v, "Country") ? xattr(L, v, "ISO2") : NULL;
            const char *pt = xis(v, "PartySubType") ? xattr(L, v, "PartyTypeID") : NULL;
            if (st == UM_OK && iso && *iso) st = adv_put(L, &a->ref, "ISO2", id, iso);
            if (st == UM_OK && pt && *pt) st = adv_put(L, &a->ref, "PartyType-of", id, pt);
            if (st != UM_OK) return st;
        }
    }
    return UM_OK;
}

/* a country of the code tables as ISO alpha-2 (its ISO2 attribute, else its name) */
static const char *adv_country(const adv_ctx *a, const char *country_id) {
    const char *iso = adv_get(&a->ref, "ISO2", country_id);
    if (iso) return um_sc_country_code(iso, strlen(iso));
    const char *name = adv_get(&a->ref, "Country", country_id);
    return name ? um_sc_country_code(name, strlen(name)) : NULL;
}

static um_status adv_location(um_sc_lists *L, adv_ctx *a, xmlNode *loc) {
    const char *id = xattr(L, loc, "ID"), *cc = NULL;
    if (!id) return UM_OK;
    for (xmlNode *c = loc->children; c && !cc; c = c->next) {
        if (xis(c, "LocationCountry")) cc = adv_country(a, xattr(L, c, "CountryID"));
        else if (xis(c, "LocationAreaCode")) {
            const char *ac = adv_get(&a->ref, "AreaCode", xattr(L, c, "AreaCodeID"));
            cc = ac ? um_sc_country_code(ac, strlen(ac)) : NULL;
        }
    }
    return cc ? adv_put(L, &a->loc, "L", id, cc) : UM_OK;
}

typedef struct adv_date { int y, m, d; } adv_date;

static adv_date adv_ymd(um_sc_lists *L, xmlNode *n) {
    adv_date r = {0, 0, 0};
    if (!n) return r;
    xmlNode *y = xchild(n, "Year"), *m = xchild(n, "Month"), *d = xchild(n, "Day");
    const char *ys = y ? xtext(L, y) : NULL, *ms = m ? xtext(L, m) : NULL, *ds = d ? xtext(L, d) : NULL;
    r.y = ys ? atoi(ys) : 0;
    r.m = ms ? atoi(ms) : 0;
    r.d = ds ? atoi(ds) : 0;
    return r;
}

/* <DatePeriod><Start><From/><To/></Start><End><From/><To/></End>: an exact
 * date when the period is one day, a month when it is within one month,
 * else the years it spans (OFAC writes "1958" as 1958-01-01 .. 1958-12-31
 * and "circa 1958" as a wider span) */
static bool adv_period(um_sc_lists *L, xmlNode *p, um_sc_dob *out) {
    memset(out, 0, sizeof *out);
    xmlNode *s = xchild(p, "Start"), *e = xchild(p, "End");
    adv_date a = adv_ymd(L, s ? xchild(s, "From") : NULL);
    if (!a.y) a = adv_ymd(L, s ? xchild(s, "To") : NULL);
    adv_date b = adv_ymd(L, e ? xchild(e, "To") : NULL);
    if (!b.y) b = adv_ymd(L, e ? xchild(e, "From") : NULL);
    if (!b.y) b = adv_ymd(L, s ? xchild(s, "To") : NULL);
    if (!b.y) b = a;
    if (a.y < 1850 || a.y > 2100 || b.y < a.y || b.y > 2100) return false;
    out->y0 = (int16_t)a.y;
    out->y1 = (int16_t)b.y;
    if (a.y == b.y && a.m == b.m && a.m >= 1 && a.m <= 12) {
        out->m = (int8_t)a.m;
        if (a.d == b.d && a.d >= 1 && a.d <= 31) out->d = (int8_t)a.d;
    }
    return true;
}

/* one <DocumentedName> as "LAST, First Middle" (a person) or its parts in order */
static const char *adv_name(um_sc_lists *L, const um_map *groups, xmlNode *dn, bool person, const char **script) {
    char last[1024] = "", rest[1024] = "";
    size_t ll = 0, rl = 0;
    *script = NULL;
    for (xmlNode *part = dn->children; part; part = part->next) {
        if (!xis(part, "DocumentedNamePart")) continue;
        for (xmlNode *v = part->children; v; v = v->next) {
            if (!xis(v, "NamePartValue")) continue;
            const char *t = xtext(L, v), *gid = xattr(L, v, "NamePartGroupID");
            if (!t || !*t) continue;
            if (!*script) *script = xattr(L, v, "ScriptID");
            const char *ptype = gid ? um_map_get(groups, gid, strlen(gid)) : NULL;
            bool is_last = person && ptype && um_streq_ci(ptype, "Last Name");
            char *buf = is_last ? last : rest;
            size_t *len = is_last ? &ll : &rl;
            int k = snprintf(buf + *len, 1024 - *len, "%s%s", *len ? " " : "", t);
            if (k > 0 && (size_t)k < 1024 - *len) *len += (size_t)k;
        }
    }
    if (ll && rl) return um_arena_printf(&L->arena, "%s, %s", last, rest);
    return um_arena_strdup(&L->arena, ll ? last : rest);
}

static um_status adv_party(um_sc_lists *L, adv_ctx *a, xmlNode *party, const char *list) {
    const char *uid = xattr(L, party, "FixedRef");
    xmlNode *prof = xchild(party, "Profile");
    if (!uid || !*uid || !prof) return UM_EPARSE;
    const char *sub = xattr(L, prof, "PartySubTypeID");
    const char *stype = adv_get(&a->ref, "PartySubType", sub);
    if (!stype || um_streq_ci(stype, "Unknown")) stype = adv_get(&a->ref, "PartyType", adv_get(&a->ref, "PartyType-of", sub));
    um_sc_etype et = !stype                          ? UM_SC_T_UNKNOWN
                     : um_streq_ci(stype, "Individual") ? UM_SC_T_PERSON
                     : um_streq_ci(stype, "Entity")     ? UM_SC_T_ENTITY
                     : um_streq_ci(stype, "Vessel")     ? UM_SC_T_VESSEL
                     : um_streq_ci(stype, "Aircraft")   ? UM_SC_T_AIRCRAFT
                                                        : UM_SC_T_UNKNOWN;
    /* the names: the primary alias (type "Name", Primary="true") first */
    typedef struct { const char *name, *kind; } aname;
    size_t cap_nm = 0, n_nm = 0;
    for (xmlNode *idn = prof->children; idn; idn = idn->next)
        for (xmlNode *al = xis(idn, "Identity") ? idn->children : NULL; al; al = al->next)
            for (xmlNode *dn = xis(al, "Alias") ? al->children : NULL; dn; dn = dn->next) cap_nm += xis(dn, "DocumentedName");
    aname *nm = cap_nm ? um_arena_alloc(&L->arena, cap_nm * sizeof *nm) : NULL;
    if (cap_nm && !nm) return UM_ENOMEM;
    int primary = -1;
    for (xmlNode *idn = prof->children; idn; idn = idn->next) {
        if (!xis(idn, "Identity")) continue;
        um_map groups;
        um_map_init(&groups);
        xmlNode *npg = xchild(idn, "NamePartGroups");
        for (xmlNode *m = npg ? npg->children : NULL; m; m = m->next)
            for (xmlNode *g = xis(m, "MasterNamePartGroup") ? m->children : NULL; g; g = g->next) {
                if (!xis(g, "NamePartGroup")) continue;
                const char *gid = xattr(L, g, "ID"), *t = adv_get(&a->ref, "NamePartType", xattr(L, g, "NamePartTypeID"));
                bool created;
                um_map_slot *s = gid && t ? um_map_upsert(&groups, gid, strlen(gid), &created) : NULL;
                if (s) s->val = (void *)t;
            }
        for (xmlNode *al = idn->children; al; al = al->next) {
            if (!xis(al, "Alias")) continue;
            const char *at = adv_get(&a->ref, "AliasType", xattr(L, al, "AliasTypeID"));
            const char *pr = xattr(L, al, "Primary"), *lq = xattr(L, al, "LowQuality");
            bool is_primary = pr && um_streq_ci(pr, "true");
            const char *kind = lq && um_streq_ci(lq, "true")         ? "weak a.k.a."
                               : at && um_strstr_ci(at, "F.K.A")      ? "f.k.a."
                               : at && um_strstr_ci(at, "N.K.A")      ? "n.k.a."
                                                                      : "a.k.a.";
            for (xmlNode *dn = al->children; dn && n_nm < cap_nm; dn = dn->next) {
                if (!xis(dn, "DocumentedName")) continue;
                const char *script_id, *name = adv_name(L, &groups, dn, et == UM_SC_T_PERSON, &script_id);
                if (!name) {
                    um_map_free(&groups);
                    return UM_ENOMEM;
                }
                if (!*name) continue;
                const char *script = adv_get(&a->ref, "Script", script_id);
                bool latin = !script || um_strstr_ci(script, "Latin");
                if (!latin) nm[n_nm++] = (aname){name, "original script"};
                else {
                    if (is_primary && primary < 0) primary = (int)n_nm;
                    nm[n_nm++] = (aname){name, kind};
                }
            }
        }
        um_map_free(&groups);
    }
    if (!n_nm) return UM_EPARSE;
    if (primary < 0) primary = 0;
    um_sc_entry *e = new_entry(L, list, uid);
    if (!e) return UM_ENOMEM;
    size_t ei = L->n_e - 1;
    e->type = et;
    e->primary = nm[primary].name;
    e->programs = "";
    const char *pid = xattr(L, prof, "ID");
    um_status st = pid ? adv_put(L, &a->prof, "P", pid, (const char *)(uintptr_t)(ei + 1)) : UM_OK;
    if (st == UM_OK) st = add_name(L, ei, nm[primary].name, "primary");
    for (size_t i = 0; i < n_nm && st == UM_OK; i++)
        if ((int)i != primary) st = add_name(L, ei, nm[i].name, nm[i].kind);
    for (xmlNode *f = prof->children; f && st == UM_OK; f = f->next) {
        if (!xis(f, "Feature")) continue;
        const char *ft = adv_get(&a->ref, "FeatureType", xattr(L, f, "FeatureTypeID"));
        if (!ft) continue;
        for (xmlNode *v = f->children; v && st == UM_OK; v = v->next) {
            if (!xis(v, "FeatureVersion")) continue;
            xmlNode *per = xchild(v, "DatePeriod"), *vl = xchild(v, "VersionLocation"), *vd = xchild(v, "VersionDetail");
            const char *loc_cc = vl ? adv_get(&a->loc, "L", xattr(L, vl, "LocationID")) : NULL;
            const char *detail = NULL;
            if (vd) {
                const char *ref = xattr(L, vd, "DetailReferenceID");
                detail = ref ? adv_get(&a->ref, "DetailReference", ref) : xtext(L, vd);
            }
            if (um_streq_ci(ft, "Birthdate")) {
                um_sc_dob d;
                if (per && e->n_dob < UM_SC_MAX_DOB && adv_period(L, per, &d)) e->dob[e->n_dob++] = d;
            } else if (um_streq_ci(ft, "Nationality Country") || um_streq_ci(ft, "Citizenship Country")) {
                add_cc(e->nat, &e->n_nat, loc_cc ? loc_cc : detail ? um_sc_country_code(detail, strlen(detail)) : NULL);
            } else if (um_streq_ci(ft, "Location") || um_streq_ci(ft, "Place of Birth")) {
                const char *cc = loc_cc;
                if (!cc && detail) {
                    const char *comma = strrchr(detail, ',');
                    const char *s = comma ? comma + 1 : detail;
                    cc = um_sc_country_code(s, strlen(s));
                    if (!cc && um_strstr_ci(detail, "north korea")) cc = "KP";
                }
                add_cc(e->cc, &e->n_cc, cc);
            } else if (um_streq_ci(ft, "Email Address") && detail) {
                st = add_ident(L, ei, "email", um_canon_email(&L->arena, detail));
            } else if (um_starts_with_ci(ft, "Digital Currency Address") && detail) {
                st = add_ident(L, ei, "wallet", um_canon_wallet(&L->arena, detail));
            }
        }
    }
    return st;
}

/* <SanctionsEntry ProfileID ListID><SanctionsMeasure SanctionsTypeID><Comment>DPRK3</Comment> */
static void adv_entry(um_sc_lists *L, adv_ctx *a, xmlNode *se) {
    const char *pid = xattr(L, se, "ProfileID");
    uintptr_t v = (uintptr_t)adv_get(&a->prof, "P", pid);
    if (!v || v - 1 >= L->n_e) return;
    um_sc_entry *e = &L->e[v - 1];
    for (xmlNode *m = se->children; m; m = m->next) {
        if (!xis(m, "SanctionsMeasure")) continue;
        const char *t = adv_get(&a->ref, "SanctionsType", xattr(L, m, "SanctionsTypeID"));
        xmlNode *c = xchild(m, "Comment");
        const char *prog = c ? xtext(L, c) : NULL;
        if (!t || !um_streq_ci(t, "Program") || !prog || !*prog) continue;
        size_t pl = strlen(prog);
        bool have = false;
        for (const char *p = e->programs; p && (p = strstr(p, prog)) != NULL; p += pl)
            have |= (p == e->programs || p[-1] == ' ') && (p[pl] == 0 || p[pl] == ';');
        if (have) continue;
        const char *np = *e->programs ? um_arena_printf(&L->arena, "%s; %s", e->programs, prog) : prog;
        if (np) e->programs = np;
    }
}

static void adv_free(adv_ctx *a) {
    um_map_free(&a->ref);
    um_map_free(&a->loc);
    um_map_free(&a->prof);
}

/* Loads one advanced XML file as list `list`; *loaded: whether it was (a
 * missing or unreadable file leaves the CSV files to the caller). */
static um_status load_ofac_adv(um_sc_lists *L, const char *path, const char *list, um_map *dates, bool *loaded) {
    *loaded = false;
    struct stat sb;
    if (stat(path, &sb) != 0) return UM_OK;
    xstream x;
    if (!xs_open(&x, path)) {
        lwarn(L, "%s: %s cannot be read; advanced XML not loaded", list, path);
        return UM_OK;
    }
    adv_ctx a;
    um_map_init(&a.ref);
    um_map_init(&a.loc);
    um_map_init(&a.prof);
    size_t e0 = L->n_e, n0 = L->n_nm, i0 = L->n_id, bad = 0, parties = 0;
    um_status st = UM_OK;
    const char *date = NULL;
    bool root_ok = false, refs_ok = false;
    int depth;
    const char *el;
    while (st == UM_OK && (el = xs_next_elem(&x, &depth)) != NULL) {
        xmlNode *n = NULL;
        bool want = (depth == 1 && (!strcmp(el, "ReferenceValueSets") || !strcmp(el, "DateOfIssue"))) ||
                    (depth == 2 && (!strcmp(el, "Location") || !strcmp(el, "DistinctParty") ||
                                    !strcmp(el, "SanctionsEntry")));
        if (depth == 0) {
            root_ok = strcmp(el, "Sanctions") == 0;
            if (!root_ok) break;
            xs_step(&x);
            continue;
        }
        if (!want) {
            /* the sections holding records are entered; any other subtree is skipped whole */
            if (depth > 1 || (strcmp(el, "Locations") && strcmp(el, "DistinctParties") && strcmp(el, "SanctionsEntries")))
                xs_skip(&x);
            else xs_step(&x);
            continue;
        }
        if (!(n = xs_expand(&x))) break;
        if (!strcmp(el, "ReferenceValueSets")) {
            st = adv_refs(L, &a, n);
            refs_ok = true;
        } else if (!strcmp(el, "DateOfIssue")) {
            adv_date d = adv_ymd(L, n);
            if (d.y >= 1990 && d.y <= 2100 && d.m >= 1 && d.m <= 12 && d.d >= 1 && d.d <= 31)
                date = um_arena_printf(&L->arena, "%04d-%02d-%02d", d.y, d.m, d.d);
        } else if (!strcmp(el, "Location")) {
            st = adv_location(L, &a, n);
        } else if (!strcmp(el, "DistinctParty")) {
            parties++;
            st = refs_ok ? adv_party(L, &a, n, list) : UM_EPARSE;
            if (st == UM_EPARSE) {
                bad++;
                st = UM_OK;
            }
        } else {
            adv_entry(L, &a, n);
        }
        xs_skip(&x);
    }
    int ret = x.ret;
    xs_close(&x);
    adv_free(&a);
    if (st != UM_OK) return st;
    if (!root_ok || !refs_ok || ret < 0) {
        rollback(L, e0, n0, i0);
        lwarn(L, !root_ok  ? "%s: %s is not a %s advanced XML file (<Sanctions>); not loaded"
                 : ret < 0 ? "%s: %s is not well-formed XML (a truncated download?); %s advanced XML not loaded"
                           : "%s: %s has no ReferenceValueSets; %s advanced XML not loaded",
              list, path, "OFAC");
        return UM_OK;
    }
    const char *what = NULL;
    const char *fdate = file_date(L, dates, path, &what);
    if (bad) lwarn(L, "%s: %zu of %zu DistinctParty record(s) without a FixedRef or a name skipped", list, bad, parties);
    file_info(L, list, path, date ? date : fdate,
              what ? what : um_arena_printf(&L->arena, "%s, advanced XML", list), L->n_e - e0, L->n_nm - n0);
    *loaded = true;
    return UM_OK;
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

um_status um_sc_lists_load(um_sc_lists *L, const char *ofac_dir, const char *un_xml, const char *eu_xml,
                           const char *dates_tsv, char *err, size_t errlen) {
    um_sc_list_paths p = {ofac_dir, un_xml, eu_xml, NULL, dates_tsv};
    return um_sc_lists_load_paths(L, &p, err, errlen);
}

um_status um_sc_lists_load_paths(um_sc_lists *L, const um_sc_list_paths *p, char *err, size_t errlen) {
    const char *ofac_dir = p->ofac_dir, *un_xml = p->un_xml, *eu_xml = p->eu_xml, *uk_xml = p->uk_xml,
               *dates_tsv = p->dates_tsv;
    memset(L, 0, sizeof *L);
    um_arena_init(&L->arena);
    um_map dates;
    um_map_init(&dates);
    read_dates(L, &dates, dates_tsv);
    um_status st = UM_OK;
    if (ofac_dir) st = load_ofac(L, ofac_dir, &dates);
    if (st == UM_OK && un_xml) st = load_un(L, un_xml, &dates);
    if (st == UM_OK && eu_xml) st = load_eu(L, eu_xml, &dates);
    if (st == UM_OK && uk_xml) st = load_uk(L, uk_xml, &dates);
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
