/*
 * gen_screen_eval.c - writes a held-out evaluation set for the sanctions
 * screener (src/screen/): spelling variants of the real DPRK entries that
 * must match their entry, and synthetic people on no list that must match
 * nothing. The matcher was never tuned on this set; bench/screen_bench
 * reports it beside the tuning cases (docs/SCREENING.md, "Held-out
 * evaluation").
 *
 *   gen_screen_eval [--seed N] [--k K] [--negatives N] [--data DIR] [--out FILE]
 *
 * Defaults: seed 1, K = 3 variants per entry, N = 2000 negatives, DIR =
 * ./data, output on stdout. The committed tests/data/screen/heldout.tsv is
 * `gen_screen_eval --seed 1 --data data --out tests/data/screen/heldout.tsv`
 * run from the repository root.
 *
 * Everything comes from one seeded PRNG (splitmix64) over files read in a
 * fixed order: the same seed and data give byte-identical output. No wall
 * clock, no locale, libc only. The romanisation table below was written for
 * this tool and does not read data/names/korean_variants.tsv (the matcher's
 * own table), so the variants do not simply replay the matcher's rules.
 *
 * Positives. The entries are the DPRK rows of data/sanctions/dprk.csv
 * (columns uid,name,sdn_type,programs,...,aliases,...,match_reason,source):
 * a row is used when match_reason names the program or the remarks, or when
 * it is an alias-only ("orphan") row with an alias; rows listed only for an
 * address (a Cuban shipping line with a Pyongyang office) are not DPRK
 * entries. Individuals and entities are used; vessels and aircraft are not.
 * Orphan rows are named by their first alias and queried without a type.
 * If dprk.csv is missing, data/sanctions/un/dprk_1718.csv is read instead.
 * For each entry, K distinct variants of the primary name, each made by a
 * random subset of these transforms (at least one besides case):
 *   swap   person: given names first ("Jong Un KIM"); list order otherwise,
 *          sometimes with the list's comma ("KIM, Jong Un")
 *   join   Korean person: the given-name syllables written another way:
 *          "Jong Un", "Jong-un", "Jong-Un" or "Jongun"
 *   split  entity: one romanised Korean word written as syllables
 *          ("RYONBONG" -> "RYON BONG" or "RYON-BONG")
 *   roman  one or two Korean syllables respelled from the table below
 *          (Kim/Gim, Pak/Park/Bak, Ri/Rhee/Lee/Yi, ...); a syllable that is
 *          in no group gets a vowel form (o->eo, u->eu, or back) or the
 *          other initial consonant (k/g, t/d, p/b, ch/j)
 *   mark   one apostrophe dropped (CH'OE -> CHOE), or one added after an
 *          aspirated initial (Chol -> Ch'ol), or one breve added (Chŏl)
 *   typo   names of 8 or more letters: one letter substituted, deleted,
 *          inserted or swapped with its neighbour
 *   case   all upper, all lower or title case
 * Each row carries the entry's uid (OFAC ent_num, or UN reference number in
 * the fallback): a hit is that uid among the matches.
 *
 * Negatives. N synthetic people of five origins (South Korean names in
 * Revised Romanization, Chinese pinyin, Vietnamese, Western, Indian), in
 * either order. A candidate is dropped when it is the same name as any
 * primary name or alias of the bundled lists (OFAC sdn.csv, every sdn_*.csv
 * supplement, alt.csv, the a.k.a. names of SDN remarks, the UN
 * consolidated.xml, dprk.csv, un/dprk_1718.csv): same words in any order,
 * ignoring case and punctuation, two neighbouring words also compared
 * joined ("Min Jun" = "Minjun"). Duplicates are dropped too; generation
 * goes on until N are kept, and the header says how many were dropped.
 *
 * --variant 3 (issue 11): variant 2 plus 2,000 unlisted entities
 * (--entity-negatives N for another count), type entity, made after every
 * other row so that the rows of variants 1 and 2 do not change: companies,
 * banks and shipping firms from the lists' business words, legal forms and
 * country words around this tool's own distinctive words (see
 * um_entity_negative). A candidate is dropped when it is a listed name or
 * when its distinctive words are those of a listed name.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/csv.h"
#include "util/util.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- PRNG (splitmix64) --------------------------------------------------- */

static uint64_t um_rng;

static uint64_t um_rand64(void) {
    uint64_t z = (um_rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static uint32_t um_below(uint32_t n);
/* --variant 2: variations added after the matcher was tuned (issue 11):
 * typos by keyboard neighbours, Polish renderings in the foreign class */
static int um_variant = 1;

/* a QWERTY neighbour of letter c (lower case) */
static char um_neighbour(char c) {
    static const char *const rows[] = {"qwertyuiop", "asdfghjkl", "zxcvbnm"};
    for (int r = 0; r < 3; r++) {
        const char *p = strchr(rows[r], c);
        if (!p) continue;
        int i = (int)(p - rows[r]), n = (int)strlen(rows[r]);
        char opt[4];
        int no = 0;
        if (i > 0) opt[no++] = rows[r][i - 1];
        if (i + 1 < n) opt[no++] = rows[r][i + 1];
        if (r > 0 && i < (int)strlen(rows[r - 1])) opt[no++] = rows[r - 1][i];
        if (r < 2 && i < (int)strlen(rows[r + 1])) opt[no++] = rows[r + 1][i];
        return opt[um_below((uint32_t)no)];
    }
    return c;
}

static uint32_t um_below(uint32_t n) { return n ? (uint32_t)(um_rand64() % n) : 0; }
static bool um_chance(int pct) { return (int)um_below(100) < pct; }
#define UM_PICK(arr) ((arr)[um_below((uint32_t)NELEM(arr))])

/* ---- small utilities ----------------------------------------------------- */

static void um_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void um_die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("gen_screen_eval: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

static void *um_xrealloc(void *p, size_t n) {
    void *q = realloc(p, n);
    if (!q) um_die("out of memory");
    return q;
}


static bool um_isupper(int c) { return c >= 'A' && c <= 'Z'; }
static bool um_islower(int c) { return c >= 'a' && c <= 'z'; }
static bool um_isalpha(int c) { return um_isupper(c) || um_islower(c); }
static bool um_isdigit(int c) { return c >= '0' && c <= '9'; }
static int um_lower(int c) { return um_isupper(c) ? c + 32 : c; }
static int um_upper(int c) { return um_islower(c) ? c - 32 : c; }

/* bounded copy / append that never overflow */
static void um_cpy(char *d, size_t cap, const char *s) {
    if (!cap) return;
    size_t n = strlen(s);
    if (n >= cap) n = cap - 1;
    memmove(d, s, n);
    d[n] = 0;
}
static void um_cat(char *d, size_t cap, const char *s) {
    size_t n = strlen(d);
    if (n < cap) um_cpy(d + n, cap - n, s);
}

/* one line of any length; false at end of file */
/* Calls fn for every record of the CSV file at path (util/csv.h: RFC 4180
 * quoting, CRLF); malformed records are skipped. false: unreadable. */
static bool um_csv_each(const char *path, bool header, void (*fn)(void *ctx, char **f, int nf), void *ctx) {
    FILE *fp = fopen(path, "rb");
    if (!fp) return false;
    um_csv c;
    um_csv_init(&c, fp, ',');
    size_t nf;
    const char *why;
    char *fld[32];
    um_csv_res r;
    while ((r = um_csv_next(&c, &nf, &why)) != UM_CSV_EOF) {
        if (r != UM_CSV_RECORD) continue;
        if (header) {
            header = false;
            continue;
        }
        int n = nf > 32 ? 32 : (int)nf;
        for (int i = 0; i < n; i++) fld[i] = (char *)c.fields[i];
        fn(ctx, fld, n);
    }
    um_csv_free(&c);
    fclose(fp);
    return true;
}

/* trims spaces in place; OFAC writes an empty field as "-0- " */
static char *um_ofac_trim(char *s) {
    while (*s == ' ') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\r' || s[n - 1] == '\n')) s[--n] = 0;
    if (strcmp(s, "-0-") == 0) *s = 0;
    return s;
}

/* ---- the set of listed names (for the negatives) ------------------------- */

typedef um_map um_keyset; /* a set of strings (util.h) */

static bool um_ks_has(const um_keyset *k, const char *s) { return um_map_find(k, s, strlen(s)) != NULL; }

static void um_ks_add(um_keyset *k, const char *s) {
    bool created;
    if (*s && !um_map_upsert(k, s, strlen(s), &created)) um_die("out of memory");
}

static void um_ks_free(um_keyset *k) { um_map_free(k); }

#define UM_MAXW 24

/* The words of a name for comparison: ASCII folded to lower case,
 * apostrophes deleted, any other ASCII punctuation or space separates
 * words; bytes of other scripts are kept as they are. */
static int um_words(const char *name, char w[UM_MAXW][64]) {
    int n = 0;
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)name;; p++) {
        int c = *p;
        if (c >= 0x80 || um_isalpha(c) || um_isdigit(c)) {
            if (o + 1 < 64 && n < UM_MAXW) w[n][o++] = (char)um_lower(c);
        } else if (c == '\'' || c == '`') {
            continue;
        } else {
            if (o && n < UM_MAXW) {
                w[n][o] = 0;
                n++;
            }
            o = 0;
            if (!c) break;
        }
    }
    return n;
}

static int um_cmpstr(const void *a, const void *b) { return strcmp((const char *)a, (const char *)b); }

/* the order-free key of words w[0..n) */
static void um_key_of(char w[UM_MAXW][64], int n, char *key, size_t cap) {
    char s[UM_MAXW][64];
    memcpy(s, w, sizeof s);
    qsort(s, (size_t)n, sizeof s[0], um_cmpstr);
    *key = 0;
    for (int i = 0; i < n; i++) {
        if (i) um_cat(key, cap, " ");
        um_cat(key, cap, s[i]);
    }
}

/* calls fn for the key of the name and for each key with two neighbouring
 * words joined */
static bool um_name_keys(const char *name, bool (*fn)(void *ctx, const char *key), void *ctx) {
    char w[UM_MAXW][64], key[2048];
    int n = um_words(name, w);
    if (!n) return false;
    um_key_of(w, n, key, sizeof key);
    if (fn(ctx, key)) return true;
    for (int i = 0; i + 1 < n; i++) {
        char j[UM_MAXW][64];
        int m = 0;
        for (int k = 0; k < n; k++) {
            if (k == i + 1) continue;
            if (k == i) snprintf(j[m++], 64, "%.31s%.31s", w[i], w[i + 1]);
            else memcpy(j[m++], w[k], 64);
        }
        um_key_of(j, m, key, sizeof key);
        if (fn(ctx, key)) return true;
    }
    return false;
}

static bool um_key_add_cb(void *ctx, const char *key) {
    um_ks_add(ctx, key);
    return false;
}

/* A listed name, and (for "FAMILY, Given Middle...") the family name with
 * the first given name alone: a person so named is the listed name without
 * its middle names or patronymic, not an unlisted person. */
static void um_core_add(const char *name);
static void um_list_add(um_keyset *k, const char *name) {
    if (!name || !*name) return;
    um_name_keys(name, um_key_add_cb, k);
    um_core_add(name);
    const char *comma = strchr(name, ',');
    if (!comma) return;
    char w[UM_MAXW][64];
    int n = um_words(comma + 1, w);
    if (n < 2) return;
    char v[256];
    snprintf(v, sizeof v, "%.*s %s", (int)(comma - name) > 120 ? 120 : (int)(comma - name), name, w[0]);
    um_name_keys(v, um_key_add_cb, k);
}

/* a.k.a. 'NAME' inside an SDN remarks field */
static void um_list_add_remarks(um_keyset *k, const char *rem) {
    for (const char *p = strstr(rem, "a.k.a. '"); p; p = strstr(p, "a.k.a. '")) {
        p += 8;
        const char *e = strchr(p, '\'');
        while (e && e[1] && e[1] != ';' && e[1] != '.' && e[1] != ',') e = strchr(e + 1, '\'');
        if (!e) break;
        char v[512];
        snprintf(v, sizeof v, "%.*s", (int)(e - p) < 511 ? (int)(e - p) : 511, p);
        um_list_add(k, v);
        p = e;
    }
}

/* OFAC 12-column CSV (sdn.csv, sdn_*.csv): name in field 1, remarks in 11;
 * alt.csv: alias in field 3. With other: entries of programmes other than
 * DPRK (persons and entities) for the non-DPRK positives. */
typedef struct um_ofac_ctx {
    um_keyset *k;
    int namecol;
    bool remarks;
    size_t rows;
    struct um_entries *other;
} um_ofac_ctx;

static void um_entry_push(struct um_entries *v, const char *uid, const char *name, int kind, const char *qtype);

static void um_ofac_row(void *ctx, char **fld, int n) {
    um_ofac_ctx *c = ctx;
    if (n <= c->namecol) return;
    const char *name = um_ofac_trim(fld[c->namecol]);
    um_list_add(c->k, name);
    if (c->remarks && n > 11) um_list_add_remarks(c->k, fld[11]);
    c->rows++;
    if (c->other && n > 3 && *name && !strstr(fld[3], "DPRK") && !strstr(name, "KOREA")) {
        const char *t = um_ofac_trim(fld[2]);
        if (strcmp(t, "individual") == 0) um_entry_push(c->other, um_ofac_trim(fld[0]), name, 0, "person");
        else if (!*t) um_entry_push(c->other, um_ofac_trim(fld[0]), name, 1, "entity");
    }
}

static size_t um_load_ofac(um_keyset *k, const char *path, int namecol, bool remarks, struct um_entries *other) {
    um_ofac_ctx c = {k, namecol, remarks, 0, other};
    um_csv_each(path, false, um_ofac_row, &c);
    return c.rows;
}

/* one text element's content, XML entities for quotes and & decoded */
static void um_xml_text(const char *p, char *out, size_t cap) {
    size_t o = 0;
    while (*p && *p != '<' && o + 1 < cap) {
        if (*p == '&') {
            static const struct {
                const char *ent;
                char c;
            } ents[] = {{"&amp;", '&'}, {"&apos;", '\''}, {"&quot;", '"'}, {"&lt;", '<'}, {"&gt;", '>'}};
            bool done = false;
            for (size_t i = 0; i < NELEM(ents) && !done; i++)
                if (strncmp(p, ents[i].ent, strlen(ents[i].ent)) == 0) {
                    out[o++] = ents[i].c;
                    p += strlen(ents[i].ent);
                    done = true;
                }
            if (done) continue;
        }
        out[o++] = *p++;
    }
    out[o] = 0;
}

/* UN consolidated.xml read as text: each record's full name and aliases */
static size_t um_load_un_xml(um_keyset *k, const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    char *x = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 65536 + 1 > cap) {
            cap = cap ? cap * 2 : 1 << 20;
            x = um_xrealloc(x, cap);
        }
        size_t r = fread(x + n, 1, 65536, f);
        n += r;
        if (r < 65536) break;
    }
    fclose(f);
    x[n] = 0;
    static const char *const tags[] = {"<FIRST_NAME>", "<SECOND_NAME>", "<THIRD_NAME>", "<FOURTH_NAME>"};
    size_t recs = 0;
    for (char *p = x;;) {
        char *ind = strstr(p, "<INDIVIDUAL>"), *ent = strstr(p, "<ENTITY>");
        char *rec = ind && (!ent || ind < ent) ? ind : ent;
        if (!rec) break;
        char *end = strstr(rec, rec == ind ? "</INDIVIDUAL>" : "</ENTITY>");
        if (!end) break;
        *end = 0;
        char full[1024] = "", v[512];
        for (size_t t = 0; t < NELEM(tags); t++) {
            char *q = strstr(rec, tags[t]);
            if (!q) continue;
            um_xml_text(q + strlen(tags[t]), v, sizeof v);
            if (*full && *v) um_cat(full, sizeof full, " ");
            um_cat(full, sizeof full, v);
        }
        um_list_add(k, full);
        for (char *a = strstr(rec, "<ALIAS_NAME>"); a; a = strstr(a + 1, "<ALIAS_NAME>")) {
            um_xml_text(a + 12, v, sizeof v);
            um_list_add(k, v);
        }
        recs++;
        p = end + 1;
    }
    free(x);
    return recs;
}

/* "aka:NAME | fka:NAME" (dprk.csv) or "Good:NAME | Low:NAME" (dprk_1718.csv):
 * calls fn for each NAME */
static void um_each_alias(const char *field, void (*fn)(void *ctx, const char *name), void *ctx) {
    char buf[8192];
    um_cpy(buf, sizeof buf, field);
    for (char *p = buf; p && *p;) {
        char *bar = strstr(p, " | ");
        if (bar) *bar = 0;
        char *colon = strchr(p, ':');
        char *name = colon && colon - p < 6 ? colon + 1 : p;
        name = um_ofac_trim(name);
        if (*name) fn(ctx, name);
        p = bar ? bar + 3 : NULL;
    }
}

static void um_alias_add_cb(void *ctx, const char *name) { um_list_add(ctx, name); }

/* ---- entries (positives) ------------------------------------------------- */

typedef enum { UM_E_PERSON, UM_E_ENTITY } um_ekind;

typedef struct um_entry {
    char uid[24];
    char name[256];
    um_ekind kind;
    const char *qtype; /* "person", "entity" or "" (orphan: type unknown) */
} um_entry;

typedef struct um_entries {
    um_entry *e;
    size_t n, cap;
} um_entries;

static void um_entry_push(um_entries *v, const char *uid, const char *name, int kind, const char *qtype) {
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 256;
        v->e = um_xrealloc(v->e, v->cap * sizeof *v->e);
    }
    um_entry *e = &v->e[v->n++];
    um_cpy(e->uid, sizeof e->uid, uid);
    um_cpy(e->name, sizeof e->name, name);
    e->kind = (um_ekind)kind;
    e->qtype = qtype;
}

static void um_first_alias_cb(void *ctx, const char *name) {
    char *out = ctx;
    if (!*out) um_cpy(out, 256, name);
}

/* data/sanctions/dprk.csv: uid,name,sdn_type,programs,title,aliases,
 * addresses,vessel_info,remarks,match_reason,source */
typedef struct um_dprk_ctx {
    um_entries *v;
    um_keyset *k;
    size_t *skipped;
} um_dprk_ctx;

static void um_dprk_row(void *ctx, char **fld, int n) {
    um_dprk_ctx *c = ctx;
    if (n < 10) return;
    const char *uid = fld[0], *name = um_ofac_trim(fld[1]), *type = fld[2], *why = fld[9];
    um_list_add(c->k, name);
    um_each_alias(fld[5], um_alias_add_cb, c->k);
    bool dprk = strstr(why, "program") || strstr(why, "remarks");
    char first[256] = "";
    if (!*name) um_each_alias(fld[5], um_first_alias_cb, first);
    if (!dprk && !(*name == 0 && *first && *fld[3] == 0)) {
        (*c->skipped)++;
        return;
    }
    if (*name) {
        if (strcmp(type, "individual") == 0) um_entry_push(c->v, uid, name, UM_E_PERSON, "person");
        else if (strcmp(type, "entity") == 0) um_entry_push(c->v, uid, name, UM_E_ENTITY, "entity");
        else (*c->skipped)++; /* vessel, aircraft */
    } else {
        /* orphan: named by its first alias; a comma means a person */
        um_entry_push(c->v, uid, first, strchr(first, ',') ? UM_E_PERSON : UM_E_ENTITY, "");
    }
}

static bool um_load_dprk_csv(um_entries *v, um_keyset *k, const char *path, size_t *skipped) {
    um_dprk_ctx c = {v, k, skipped};
    return um_csv_each(path, true, um_dprk_row, &c);
}

/* data/sanctions/un/dprk_1718.csv: reference_number,dataid,type,name,
 * name_original_script,aliases,... (names written surname first) */
typedef struct um_uncsv_ctx {
    um_entries *v;
    um_keyset *k;
    bool entries;
} um_uncsv_ctx;

static void um_uncsv_row(void *ctx, char **fld, int n) {
    um_uncsv_ctx *c = ctx;
    if (n < 6) return;
    char *name = um_ofac_trim(fld[3]);
    um_list_add(c->k, name);
    um_list_add(c->k, um_ofac_trim(fld[4]));
    um_each_alias(fld[5], um_alias_add_cb, c->k);
    if (!c->entries || !*name) return;
    if (strcmp(fld[2], "individual") == 0) {
        /* "KIM JONG SIK" -> "KIM, JONG SIK" so that it parses like SDN */
        char tmp[256];
        char *sp = strchr(name, ' ');
        if (sp) snprintf(tmp, sizeof tmp, "%.*s,%s", (int)(sp - name), name, sp);
        else um_cpy(tmp, sizeof tmp, name);
        um_entry_push(c->v, fld[0], tmp, UM_E_PERSON, "person");
    } else if (strcmp(fld[2], "entity") == 0) {
        um_entry_push(c->v, fld[0], name, UM_E_ENTITY, "entity");
    }
}

static bool um_load_un_csv(um_entries *v, um_keyset *k, const char *path, bool entries) {
    um_uncsv_ctx c = {v, k, entries};
    return um_csv_each(path, true, um_uncsv_row, &c);
}

/* ---- romanisation --------------------------------------------------------- */

/* Spellings of one Korean syllable seen in names (McCune-Reischauer as the
 * lists write it, Revised Romanization, and the usual South Korean and
 * Western spellings). A syllable may sit in more than one group; its
 * variants are the union. Written for this tool, independently of
 * data/names/korean_variants.tsv. */
static const char *const um_groups[][6] = {
    {"kim", "gim"},
    {"pak", "park", "bak", "bahk"},
    {"ri", "rhee", "lee", "yi"},
    {"choe", "choi", "chwe"},
    {"jong", "chong", "jung", "jeong", "cheong"},
    {"ryong", "yong", "lyong"},
    {"yong", "yeong", "young"},
    {"un", "eun"},
    {"chol", "cheol", "chul"},
    {"song", "seong", "sung"},
    {"sung", "seung"},
    {"hyon", "hyun", "hyeon"},
    {"kwang", "gwang"},
    {"rim", "lim", "im"},
    {"ryu", "yu", "yoo"},
    {"yun", "yoon"},
    {"jo", "cho"},
    {"jang", "chang"},
    {"kang", "gang"},
    {"ko", "go", "koh"},
    {"sin", "shin"},
    {"sim", "shim"},
    {"o", "oh"},
    {"mun", "moon"},
    {"jon", "chon", "jeon"},
    {"paek", "baek", "paik"},
    {"pyon", "byun", "byeon"},
    {"ryang", "yang"},
    {"hyok", "hyuk", "hyeok"},
    {"myong", "myung", "myeong"},
    {"kyong", "kyung", "gyeong", "kyeong"},
    {"sok", "seok", "suk"},
    {"tong", "dong"},
    {"kuk", "guk", "gook"},
    {"su", "soo"},
    {"hui", "hee"},
    {"sun", "soon"},
    {"yon", "yeon"},
    {"chin", "jin"},
    {"chu", "ju", "joo"},
    {"kil", "gil"},
    {"pong", "bong"},
    {"tae", "dae"},
    {"kyu", "gyu"},
    {"ku", "gu", "koo"},
    {"kum", "geum", "keum"},
    {"sik", "shik"},
    {"sop", "seop"},
    {"chae", "jae"},
    {"ung", "eung"},
    {"kwon", "gwon"},
    {"pom", "beom", "bum"},
    {"tok", "deok", "duk"},
    {"ryom", "yeom", "yom"},
    {"han", "hahn"},
    {"hak", "hahk"},
    {"nam", "nahm"},
};

/* Korean surnames as the lists and South Koreans write them (used to tell a
 * Korean person's name from others; not a transform). */
static const char *const um_ko_surnames[] = {
    "kim",  "ri",   "rhee", "lee",  "yi",   "choe", "choi", "pak",  "park", "bak",   "kang", "jong", "jung",
    "chong", "jang", "chang", "jo",  "cho",  "ko",   "o",    "oh",   "yu",   "ryu",   "jon",  "chon", "jeon",
    "han",  "paek", "baek", "son",  "hwang", "ho",  "chu",  "ju",   "mun",  "moon",  "sim",  "shim", "rim",
    "lim",  "im",   "yun",  "yoon", "ra",   "yon",  "kil",  "hyon", "hyun", "min",   "chi",  "ji",   "pang",
    "pae",  "bae",  "kwak", "ryom", "cha",  "sin",  "shin", "ryang", "yang", "pyon", "ku",   "kye",  "myong",
    "hong", "kwon", "song", "nam",  "an",   "ahn",  "o",    "so",   "to",   "tak",   "u",    "chong"};

/* Entity words that look like romanised Korean but are not (English,
 * Chinese, place names abroad): no roman or split transform on these. */
static const char *const um_not_korean[] = {
    "agitation", "an",       "andariel", "animation", "apollon",  "asia",      "automation", "banking",
    "beijing",   "bunkering", "bureau",  "cheng",     "china",    "dalian",    "dandong",    "de",
    "dongyuan",  "eko",      "empire",   "engineering", "european", "gain",    "general",    "haibo",
    "hong",      "hongda",   "hongkong", "huijiang",  "jinhou",   "jui",       "kehua",      "kong",
    "korea",     "korean",   "koti",     "la",        "liaoning", "line",      "marine",     "maritime",
    "material",  "mining",   "multi",    "namibia",   "nanan",    "national",  "natural",    "non",
    "oil",       "one",      "ooo",      "pine",      "real",     "russian",   "sek",        "senat",
    "shanghai",  "shen",     "shenyang", "ship",      "shipping", "sia",       "sun",        "tian",
    "tiong",     "tung",     "wee",      "weihai",    "yanbian",  "yancheng",  "hongman",    "moon",
    "won",       "o",        "pang",     "chang"};

static bool um_in(const char *const *list, size_t n, const char *w) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], w) == 0) return true;
    return false;
}

/* letters of s folded to lower case, apostrophes and breves removed */
static void um_plain(const char *s, char *out, size_t cap) {
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && o + 1 < cap; p++) {
        if (p[0] == 0xC5 && (p[1] == 0x8F || p[1] == 0x8E)) { /* ŏ Ŏ */
            out[o++] = 'o';
            p++;
        } else if (p[0] == 0xC5 && (p[1] == 0xAD || p[1] == 0xAC)) { /* ŭ Ŭ */
            out[o++] = 'u';
            p++;
        } else if (um_isalpha(*p)) {
            out[o++] = (char)um_lower(*p);
        }
    }
    out[o] = 0;
}

/* Is s (lower case letters) one romanised Korean syllable? initial, vowel,
 * final, in the spellings of both systems and the common informal ones. */
static bool um_is_syllable(const char *s, size_t len) {
    static const char *const ini[] = {"",  "g",  "k",  "kk", "kh", "n",  "d",  "t", "tt", "th", "r",   "l", "m",
                                      "b", "p",  "pp", "ph", "s",  "ss", "sh", "j", "jj", "ch", "tch", "h"};
    static const char *const vow[] = {"a",  "ae", "ya", "yae", "o",  "eo", "yo", "yeo", "e",  "ye", "u",  "wa",
                                      "wae", "oe", "wo", "we",  "wi", "yu", "eu", "ui",  "i",  "oo", "ee", "oi"};
    static const char *const fin[] = {"", "k", "n", "l", "m", "p", "ng", "t"};
    for (size_t a = 0; a < NELEM(ini); a++) {
        size_t la = strlen(ini[a]);
        if (la > len || strncmp(s, ini[a], la) != 0) continue;
        for (size_t b = 0; b < NELEM(vow); b++) {
            size_t lb = strlen(vow[b]);
            if (la + lb > len || strncmp(s + la, vow[b], lb) != 0) continue;
            for (size_t c = 0; c < NELEM(fin); c++)
                if (la + lb + strlen(fin[c]) == len && strncmp(s + la + lb, fin[c], len - la - lb) == 0) return true;
        }
    }
    return false;
}

#define UM_MAXSYL 12

/* Splits a lower-case word into syllables, longest syllable first with
 * backtracking. Returns the number of syllables (lengths in len[]), or 0
 * when the word does not split. */
static int um_syllables(const char *w, int len[UM_MAXSYL]) {
    int n = (int)strlen(w);
    if (n == 0 || n > 60) return 0;
    int next[64], cnt[64];
    next[n] = 0;
    cnt[n] = 0;
    for (int p = n - 1; p >= 0; p--) {
        next[p] = -1;
        for (int l = n - p < 7 ? n - p : 7; l >= 1; l--)
            if (um_is_syllable(w + p, (size_t)l) && next[p + l] >= 0 && cnt[p + l] < UM_MAXSYL) {
                next[p] = l;
                cnt[p] = cnt[p + l] + 1;
                break;
            }
        if (p + 1 <= n && next[p] < 0) cnt[p] = 0;
    }
    if (next[0] < 0) return 0;
    int k = 0;
    for (int p = 0; p < n; p += next[p]) len[k++] = next[p];
    return k;
}

/* Applies the case of model (upper, title or lower) to s. */
static void um_case_like(char *s, const char *model) {
    bool up = false, low = false;
    for (const char *p = model; *p; p++) {
        up |= um_isupper((unsigned char)*p);
        low |= um_islower((unsigned char)*p);
    }
    bool first = true;
    for (char *p = s; *p; p++) {
        if (!um_isalpha((unsigned char)*p)) continue;
        if (up && !low) *p = (char)um_upper((unsigned char)*p);
        else if (up && first) *p = (char)um_upper((unsigned char)*p);
        else *p = (char)um_lower((unsigned char)*p);
        first = false;
    }
}

/* Another spelling of syllable syl (any case, maybe with an apostrophe) in
 * out, in the same case. From the table when the syllable is in a group;
 * else a vowel form (when vowels is set: not for surnames, whose spellings
 * the table has) or the other initial consonant. A syllable inside a word
 * (initial false: "GANG" of "PUGANG") only gets a vowel form, since the
 * table's spellings and the consonant alternation are those of a word's
 * first syllable. False if none. */
static bool um_respell(const char *syl, bool vowels, bool initial, char *out, size_t cap) {
    char p[64];
    um_plain(syl, p, sizeof p);
    if (!*p || !um_is_syllable(p, strlen(p))) return false; /* not a Korean syllable (Fu, Xiao) */
    const char *alt[32];
    size_t na = 0;
    for (size_t g = 0; initial && g < NELEM(um_groups); g++) {
        bool in = false;
        for (size_t i = 0; i < 6 && um_groups[g][i]; i++) in |= strcmp(um_groups[g][i], p) == 0;
        if (!in) continue;
        for (size_t i = 0; i < 6 && um_groups[g][i]; i++)
            if (strcmp(um_groups[g][i], p) != 0 && na < NELEM(alt)) alt[na++] = um_groups[g][i];
    }
    char r[64];
    if (na) {
        um_cpy(r, sizeof r, alt[um_below((uint32_t)na)]);
    } else {
        /* rules: vowel forms, or the initial consonant of the other system */
        char cand[4][64];
        int nc = 0;
        char *eo = strstr(p, "eo"), *eu = strstr(p, "eu");
        if (!vowels) {
        } else if (eo) snprintf(cand[nc++], 64, "%.*s%s", (int)(eo - p), p, eo + 1);
        else if (eu) snprintf(cand[nc++], 64, "%.*s%s", (int)(eu - p), p, eu + 1);
        else {
            for (char *q = p; *q; q++) {
                bool prev_ok = q > p && strchr("eyw", q[-1]) == NULL;
                if (*q == 'o' && q > p && !strchr("ewo", q[-1]) && q[1] != 'e' && q[1] != 'o' && q[1] != 'i') {
                    snprintf(cand[nc++], 64, "%.*seo%s", (int)(q - p), p, q + 1);
                    break;
                }
                if (*q == 'u' && prev_ok && q[-1] != 'o' && q[1] != 'i') {
                    snprintf(cand[nc++], 64, "%.*seu%s", (int)(q - p), p, q + 1);
                    break;
                }
            }
        }
        static const char *const voice[][2] = {{"ch", "j"}, {"k", "g"}, {"t", "d"}, {"p", "b"}};
        for (size_t i = 0; initial && i < NELEM(voice) && nc < 4; i++) {
            for (int d = 0; d < 2; d++) {
                size_t l = strlen(voice[i][d]);
                if (strncmp(p, voice[i][d], l) == 0 && !(d == 0 && i == 1 && p[1] == 'k') && p[l] != 'h' &&
                    p[l] != 'k' && p[l] != 't' && p[l] != 'p') {
                    snprintf(cand[nc++], 64, "%s%s", voice[i][1 - d], p + l);
                    i = NELEM(voice);
                    break;
                }
            }
        }
        if (!nc) return false;
        um_cpy(r, sizeof r, cand[um_below((uint32_t)nc)]);
    }
    um_case_like(r, syl);
    um_cpy(out, cap, r);
    return true;
}

/* ---- marks and typos ----------------------------------------------------- */

/* where a breve may go in s: the first o or u that is not the second
 * letter of eo / eu (a breve is McCune-Reischauer, eo/eu are not) */
static char *um_breve_at(char *s) {
    for (char *q = s; *q; q++) {
        int c = um_lower((unsigned char)*q);
        if ((c == 'o' || c == 'u') && !(q > s && um_lower((unsigned char)q[-1]) == 'e')) return q;
    }
    return NULL;
}

/* Drops one apostrophe from s, or adds one after an aspirated initial
 * (ch, k, t, p before a vowel), or a breve on one o or u (as UTF-8 ŏ, ŭ).
 * w is the set of syllables (one string each) the mark may go into. */
static bool um_mark(char **syl, int n, bool add_only) {
    int with[UM_MAXW * UM_MAXSYL], nw = 0;
    for (int i = 0; i < n; i++)
        if (strchr(syl[i], '\'')) with[nw++] = i;
    if (nw && !add_only) {
        char *s = syl[with[um_below((uint32_t)nw)]];
        char *q = strchr(s, '\'');
        memmove(q, q + 1, strlen(q));
        return true;
    }
    /* candidates for an added apostrophe or breve */
    int cand[UM_MAXW * UM_MAXSYL], nc = 0;
    bool breve = um_chance(40);
    for (int i = 0; i < n; i++) {
        char p[64];
        um_plain(syl[i], p, sizeof p);
        if (strchr(syl[i], '\'') || (unsigned char)syl[i][0] >= 0x80) continue;
        if (strlen(syl[i]) != strlen(p)) continue; /* already marked */
        if (breve ? um_breve_at(syl[i]) != NULL
                  : ((strncmp(p, "ch", 2) == 0 && strchr("aeiouy", p[2])) ||
                     ((p[0] == 'k' || p[0] == 't' || p[0] == 'p') && strchr("aeiouyw", p[1]))))
            cand[nc++] = i;
    }
    if (!nc) return false;
    int i = cand[um_below((uint32_t)nc)];
    char *s = syl[i], out[96];
    if (breve) {
        char *q = um_breve_at(s);
        bool upper = um_isupper((unsigned char)*q);
        const char *b = um_lower((unsigned char)*q) == 'o' ? (upper ? "\xC5\x8E" : "\xC5\x8F")
                                                           : (upper ? "\xC5\xAC" : "\xC5\xAD");
        snprintf(out, sizeof out, "%.*s%s%s", (int)(q - s), s, b, q + 1);
    } else {
        int at = um_lower((unsigned char)s[0]) == 'c' ? 2 : 1;
        snprintf(out, sizeof out, "%.*s'%s", at, s, s + at);
    }
    strcpy(s, out); /* syllable buffers are 96 bytes */
    return true;
}

/* one single-letter typo in one word of s (a word of 3+ ASCII letters) */
static bool um_typo(char **w, int n) {
    int cand[UM_MAXW * UM_MAXSYL], nc = 0;
    for (int i = 0; i < n; i++) {
        int letters = 0;
        for (const char *p = w[i]; *p; p++) letters += um_isalpha((unsigned char)*p);
        if (letters >= 3) cand[nc++] = i;
    }
    if (!nc) return false;
    char *s = w[cand[um_below((uint32_t)nc)]];
    size_t len = strlen(s);
    int pos[96], np = 0;
    for (size_t i = 0; i < len; i++)
        if (um_isalpha((unsigned char)s[i])) pos[np++] = (int)i;
    int at = pos[um_below((uint32_t)np)];
    bool up = um_isupper((unsigned char)s[at]);
    char c = (char)('a' + um_below(26));
    if (um_variant >= 2) c = um_neighbour((char)um_lower((unsigned char)s[at]));
    if (up) c = (char)um_upper(c);
    char out[96];
    switch (um_below(4)) {
    case 0: /* substitute */
        if (um_lower(c) == um_lower((unsigned char)s[at])) c = (char)(c == 'z' || c == 'Z' ? c - 1 : c + 1);
        snprintf(out, sizeof out, "%.*s%c%s", at, s, c, s + at + 1);
        break;
    case 1: /* delete */
        snprintf(out, sizeof out, "%.*s%s", at, s, s + at + 1);
        break;
    case 2: { /* insert after the letter, lower case unless the word is upper */
        bool all_up = true;
        for (const char *p = s; *p; p++) all_up &= !um_islower((unsigned char)*p);
        c = (char)(all_up ? um_upper(c) : um_lower(c));
        snprintf(out, sizeof out, "%.*s%c%s", at + 1, s, c, s + at + 1);
        break;
    }
    default: /* swap with the next letter, when there is a different one */
        if (at + 1 < (int)len && um_isalpha((unsigned char)s[at + 1]) &&
            um_lower((unsigned char)s[at]) != um_lower((unsigned char)s[at + 1])) {
            snprintf(out, sizeof out, "%.*s%c%c%s", at, s, s[at + 1], s[at], s + at + 2);
        } else {
            snprintf(out, sizeof out, "%.*s%s", at, s, s + at + 1); /* else delete */
        }
    }
    strcpy(s, out);
    return true;
}

/* whole string to upper, lower or title case, different from now */
static bool um_recase(char *s) {
    char opt[3][512];
    for (int k = 0; k < 3; k++) {
        um_cpy(opt[k], sizeof opt[k], s);
        bool start = true;
        for (char *p = opt[k]; *p; p++) {
            int c = (unsigned char)*p;
            if (um_isalpha(c)) {
                *p = (char)(k == 0 ? um_upper(c) : k == 1 ? um_lower(c) : start ? um_upper(c) : um_lower(c));
                start = false;
            } else if (c == 0xC5 && (p[1] == '\x8E' || p[1] == '\x8F' || p[1] == '\xAC' || p[1] == '\xAD')) {
                /* ŏ Ŏ ŭ Ŭ: the upper case letter is the even code */
                bool up = k == 0 || (k == 2 && start);
                p[1] = (char)(((unsigned char)p[1] & 0xFE) | (up ? 0 : 1));
                p++;
                start = false;
            } else if (c != '\'' && c < 0x80) {
                start = true;
            }
        }
    }
    int diff[3], nd = 0;
    for (int k = 0; k < 3; k++)
        if (strcmp(opt[k], s) != 0) diff[nd++] = k;
    if (!nd) return false;
    strcpy(s, opt[diff[um_below((uint32_t)nd)]]);
    return true;
}

static int um_letters(const char *s) {
    int n = 0;
    for (; *s; s++) n += um_isalpha((unsigned char)*s) || (unsigned char)*s >= 0xC0;
    return n;
}

/* ---- variants ------------------------------------------------------------ */

typedef struct um_tags {
    char s[96];
} um_tags;

static void um_tag(um_tags *t, const char *tag) {
    if (*t->s) um_cat(t->s, sizeof t->s, ",");
    um_cat(t->s, sizeof t->s, tag);
}

/* A person's name: surname, given-name syllables. */
typedef struct um_pname {
    char sur[96];
    char giv[UM_MAXW][96];
    int ng;
    bool korean, hyphen;
} um_pname;

static void um_parse_person(const char *name, um_pname *pn) {
    memset(pn, 0, sizeof *pn);
    const char *comma = strchr(name, ',');
    if (!comma) comma = strchr(name, ' ');
    if (!comma) comma = name + strlen(name);
    snprintf(pn->sur, sizeof pn->sur, "%.*s", (int)(comma - name), name);
    char plain[96];
    um_plain(pn->sur, plain, sizeof plain);
    pn->korean = strchr(pn->sur, ' ') == NULL && um_in(um_ko_surnames, NELEM(um_ko_surnames), plain);
    const char *g = *comma ? comma + 1 : comma;
    pn->hyphen = strchr(g, '-') != NULL;
    /* Korean given names: one syllable per part (hyphen or space); others:
     * words as written */
    char buf[256];
    um_cpy(buf, sizeof buf, g);
    for (char *p = buf; *p && pn->ng < UM_MAXW;) {
        while (*p == ' ' || (pn->korean && *p == '-')) p++;
        if (!*p) break;
        char *e = p;
        while (*e && *e != ' ' && !(pn->korean && *e == '-')) e++;
        char save = *e;
        *e = 0;
        um_cpy(pn->giv[pn->ng++], 96, p);
        *e = save;
        p = e;
    }
}

/* Writes the given names in one of four styles: 0 "Jong Un", 1 "Jong-un",
 * 2 "Jong-Un", 3 "Jongun" (Korean), or as words (others). */
static void um_render_given(const um_pname *pn, int style, char *out, size_t cap) {
    *out = 0;
    for (int i = 0; i < pn->ng; i++) {
        char s[96];
        um_cpy(s, sizeof s, pn->giv[i]);
        if (i && (style == 1 || style == 3)) {
            /* later syllables in lower case unless the whole name is upper */
            bool all_up = true;
            for (const char *p = pn->giv[0]; *p; p++) all_up &= !um_islower((unsigned char)*p);
            if (!all_up) um_case_like(s, "x");
        }
        if (i) um_cat(out, cap, style == 0 ? " " : (style == 1 || style == 2) ? "-" : "");
        um_cat(out, cap, s);
    }
}

static bool um_person_variant(const um_entry *e, char *out, size_t cap, um_tags *tags) {
    um_pname pn;
    um_parse_person(e->name, &pn);
    char *syl[UM_MAXW + 1];
    int ns = 0;
    syl[ns++] = pn.sur;
    for (int i = 0; i < pn.ng; i++) syl[ns++] = pn.giv[i];
    char whole[512];
    snprintf(whole, sizeof whole, "%s", e->name);
    bool can_join = pn.korean && pn.ng >= 2, can_roman = pn.korean, can_typo = um_letters(whole) >= 8;
    bool swap = um_chance(50), join = can_join && um_chance(50), roman = can_roman && um_chance(60),
         mark = um_chance(pn.korean ? 30 : 15), typo = can_typo && um_chance(20), recase = um_chance(40);
    if (!swap && !join && !roman && !mark && !typo) {
        /* at least one transform besides case */
        int r = (int)um_below(can_roman ? 3 : 1);
        if (r == 0) swap = true;
        else if (r == 1) roman = true;
        else if (can_join) join = true;
        else swap = true;
    }
    *tags->s = 0;
    if (swap) um_tag(tags, "swap");
    if (join) um_tag(tags, "join");
    if (roman) {
        /* one or two different syllables, each respelled once (a second
         * step would drift to another syllable: Song -> Sung -> Seung) */
        int times = um_chance(30) ? 2 : 1, done = 0, last = -1;
        for (int t = 0; t < times * 4 && done < times; t++) {
            int i = (int)um_below((uint32_t)ns);
            char r[96];
            if (i != last && um_respell(syl[i], i > 0, true, r, sizeof r)) {
                um_cpy(syl[i], 96, r);
                last = i;
                done++;
            }
        }
        if (done) um_tag(tags, "roman");
    }
    if (mark && um_mark(syl, pn.korean ? ns : 0, false)) um_tag(tags, "mark");
    if (typo && um_typo(syl, ns)) um_tag(tags, "typo");
    int style = pn.hyphen ? 2 : 0;
    if (join) {
        int s2;
        do s2 = (int)um_below(4);
        while (s2 == style);
        style = s2;
    }
    char given[256];
    um_render_given(&pn, pn.korean ? style : 0, given, sizeof given);
    if (swap) snprintf(out, cap, "%s %s", given, pn.sur);
    else if (*given) snprintf(out, cap, um_chance(25) ? "%s, %s" : "%s %s", pn.sur, given);
    else snprintf(out, cap, "%s", pn.sur);
    if (recase && um_recase(out)) um_tag(tags, "case");
    return *tags->s != 0;
}

static bool um_entity_variant(const um_entry *e, char *out, size_t cap, um_tags *tags) {
    /* words; Korean words also as syllables */
    char words[UM_MAXW][96];
    int nw = 0;
    char buf[256];
    um_cpy(buf, sizeof buf, e->name);
    for (char *t = strtok(buf, " "); t && nw < UM_MAXW; t = strtok(NULL, " ")) um_cpy(words[nw++], 96, t);
    int kw[UM_MAXW], nk = 0, multi[UM_MAXW], nm = 0;
    int slen[UM_MAXW][UM_MAXSYL], nsyl[UM_MAXW];
    for (int i = 0; i < nw; i++) {
        char p[96];
        um_plain(words[i], p, sizeof p);
        bool letters_only = true;
        for (const char *q = words[i]; *q; q++) letters_only &= um_isalpha((unsigned char)*q) || *q == '\'';
        nsyl[i] = 0;
        if (!letters_only || um_in(um_not_korean, NELEM(um_not_korean), p) || strchr(words[i], '\'')) continue;
        nsyl[i] = um_syllables(p, slen[i]);
        if (!nsyl[i]) continue;
        kw[nk++] = i;
        if (nsyl[i] >= 2) multi[nm++] = i;
    }
    bool roman = nk && um_chance(60), split = nm && um_chance(30), mark = um_chance(30),
         typo = um_letters(e->name) >= 8 && um_chance(30), recase = um_chance(50);
    if (!roman && !split && !mark && !typo) {
        if (nk) roman = true;
        else typo = um_letters(e->name) >= 8, mark = !typo;
    }
    *tags->s = 0;
    if (roman) {
        /* respell one syllable of one Korean word */
        int w = kw[um_below((uint32_t)nk)], s = (int)um_below((uint32_t)nsyl[w]), at = 0;
        for (int i = 0; i < s; i++) at += slen[w][i];
        char one[16], r[96], nw2[320];
        snprintf(one, sizeof one, "%.*s", slen[w][s], words[w] + at);
        if (um_respell(one, true, s == 0, r, sizeof r)) {
            snprintf(nw2, sizeof nw2, "%.*s%s%s", at, words[w], r, words[w] + at + slen[w][s]);
            um_cpy(words[w], 96, nw2);
            /* the syllables moved: split uses the new word as it stands */
            int l2[UM_MAXSYL];
            char p[96];
            um_plain(words[w], p, sizeof p);
            nsyl[w] = um_syllables(p, l2);
            memcpy(slen[w], l2, sizeof l2);
            um_tag(tags, "roman");
        }
    }
    if (split) {
        int w = multi[um_below((uint32_t)nm)];
        if (nsyl[w] >= 2 && strlen(words[w]) == (size_t)um_letters(words[w])) {
            char o[128] = "";
            const char *sep = um_chance(50) ? " " : "-";
            int at = 0;
            for (int i = 0; i < nsyl[w]; i++) {
                char one[16];
                snprintf(one, sizeof one, "%.*s", slen[w][i], words[w] + at);
                if (i) um_cat(o, sizeof o, sep);
                um_cat(o, sizeof o, one);
                at += slen[w][i];
            }
            um_cpy(words[w], 96, o);
            um_tag(tags, "split");
        }
    }
    char *wp[UM_MAXW];
    for (int i = 0; i < nw; i++) wp[i] = words[i];
    if (mark) {
        /* drop an apostrophe anywhere, or add one / a breve in a Korean word */
        bool has = false;
        for (int i = 0; i < nw; i++) has |= strchr(words[i], '\'') != NULL;
        char *kp[UM_MAXW];
        int nkp = 0;
        for (int i = 0; i < nk; i++) kp[nkp++] = words[kw[i]];
        if (has ? um_mark(wp, nw, false) : um_mark(kp, nkp, true)) um_tag(tags, "mark");
    }
    if (typo) {
        /* the typo goes into a word of 4+ letters */
        char *tp[UM_MAXW];
        int nt = 0;
        for (int i = 0; i < nw; i++)
            if (um_letters(words[i]) >= 4) tp[nt++] = words[i];
        if (um_typo(tp, nt)) um_tag(tags, "typo");
    }
    *out = 0;
    for (int i = 0; i < nw; i++) {
        if (i) um_cat(out, cap, " ");
        um_cat(out, cap, words[i]);
    }
    if (recase && um_recase(out)) um_tag(tags, "case");
    return *tags->s != 0;
}

/* ---- negatives ----------------------------------------------------------- */

static const char *const um_kr_sur[] = {"Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim",
                                        "Han", "Oh",  "Seo",  "Shin", "Kwon", "Hwang", "Ahn", "Song", "Jeon", "Hong",
                                        "Yoo", "Ko",  "Moon", "Yang", "Son",  "Bae",  "Baek", "Heo", "Nam",  "Noh"};
static const char *const um_kr_giv[] = {
    "Min-jun",  "Seo-yeon", "Ji-hoon",   "Ha-eun",   "Do-yun",   "Ji-woo",    "Seo-jun",  "Ha-jun",
    "Ji-ho",    "Joon-young", "Su-bin",  "Ye-jin",   "Hyun-woo", "Eun-ji",    "Min-seo",  "Ji-min",
    "Yu-na",    "Seung-hyun", "Dong-hyun", "Sung-min", "Jae-won", "Tae-yang",  "Ye-eun",   "Si-woo",
    "Ju-won",   "Ye-won",   "Chae-won",  "Ji-yoon",  "Eun-woo",  "Seo-yun",   "Min-ji",   "Hye-jin",
    "Jin-woo",  "Sang-hoon", "Young-ho", "Kyung-soo", "Mi-kyung", "Jung-hoon", "So-yeon",  "Da-eun",
    "Hyun-jung", "Yeon-woo", "Woo-jin",  "Ga-eun",   "Na-yeon",  "Jun-seo",   "Hae-won",  "In-ho",
    "Byung-chul", "Sun-hee", "Mi-sook",  "Jae-hyun", "Soo-ah",   "Tae-hoon",  "Kyu-ri",   "Eun-seo",
    "Hyo-jin",  "Seung-woo", "Bo-ra",    "Yoon-seo"};
static const char *const um_cn_sur[] = {"Wang", "Li",  "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu",  "Zhou",
                                        "Xu",   "Sun", "Ma",    "Zhu", "Hu",   "Guo",  "He",    "Lin",  "Gao", "Luo",
                                        "Zheng", "Liang", "Xie", "Song", "Tang", "Han", "Feng", "Deng", "Cao", "Peng"};
static const char *const um_cn_giv[] = {"Wei",  "Fang", "Na",   "Min",  "Jing", "Li",   "Qiang", "Lei",  "Jun",
                                        "Yang", "Yong", "Yan",  "Jie",  "Tao",  "Ming", "Chao",  "Xiuying", "Hui",
                                        "Xin",  "Yu",   "Hao",  "Yi",   "Lin",  "Bo",   "Xiaoming", "Haoran", "Zihan",
                                        "Yuxuan", "Jiahao", "Shu",  "Ping", "Hong", "Gang", "Xiaoyan", "Jianguo", "Meiling"};
static const char *const um_vn_sur[] = {"Nguyen", "Tran", "Le",   "Pham", "Hoang", "Huynh", "Phan", "Vu",
                                        "Vo",     "Dang", "Bui",  "Do",   "Ho",    "Ngo",   "Duong", "Ly"};
static const char *const um_vn_mid[] = {"Van", "Thi", "Duc", "Minh", "Ngoc", "Thanh", "Quang", "Huu", "Xuan", "Kim"};
static const char *const um_vn_giv[] = {"Anh",  "Minh", "Linh", "Huong", "Tuan",  "Hung", "Dung", "Hoa",
                                        "Lan",  "Mai",  "Nam",  "Phuong", "Thao", "Trang", "Long", "Son",
                                        "Hai",  "Khoa", "Bao",  "Vy",    "Quynh", "Thu",  "Dat",  "Hieu"};
static const char *const um_we_giv[] = {"James",  "Mary",    "John",  "Patricia", "Robert", "Jennifer", "Michael",
                                        "Linda",  "David",   "Elizabeth", "William", "Barbara", "Richard", "Susan",
                                        "Joseph", "Jessica", "Thomas", "Sarah",   "Daniel", "Karen",    "Matthew",
                                        "Emily",  "Anthony", "Laura", "Mark",     "Anna",   "Paul",     "Sophie",
                                        "Lukas",  "Marie",   "Pierre", "Julia",   "Carlos", "Lucia",    "Olga",
                                        "Ivan",   "Andrew",  "Emma",  "Peter",    "Hannah"};
static const char *const um_we_sur[] = {"Smith",   "Johnson",  "Williams", "Brown",  "Jones",   "Garcia",  "Miller",
                                        "Davis",   "Rodriguez", "Martinez", "Wilson", "Anderson", "Taylor", "Thomas",
                                        "Moore",   "Jackson",  "Martin",   "Lee",    "Thompson", "White",  "Harris",
                                        "Clark",   "Lewis",    "Walker",   "Young",  "Allen",   "King",    "Wright",
                                        "Mueller", "Schmidt",  "Dubois",   "Rossi",  "Novak",   "Kowalski", "Ivanova",
                                        "Petrov",  "Jensen",   "Silva",    "Murphy", "O'Brien"};
static const char *const um_in_giv[] = {"Rahul",  "Priya",  "Amit",    "Sneha",  "Arjun",  "Ananya", "Vikram", "Pooja",
                                        "Rohan",  "Neha",   "Sanjay",  "Divya",  "Aditya", "Kavya",  "Suresh", "Lakshmi",
                                        "Karthik", "Deepika", "Rajesh", "Meera",  "Aarav",  "Isha",   "Nikhil", "Shreya",
                                        "Vivek",  "Anjali", "Manoj",   "Swati",  "Harish", "Ritu"};
static const char *const um_in_sur[] = {"Sharma", "Patel", "Singh",  "Kumar",  "Gupta",  "Reddy",  "Iyer",   "Nair",
                                        "Rao",    "Mehta", "Joshi",  "Desai",  "Shah",   "Verma",  "Agarwal", "Menon",
                                        "Pillai", "Chopra", "Malhotra", "Bose", "Das",    "Mishra", "Kulkarni", "Banerjee"};

static const char *const um_ru_giv[] = {"Aleksandr", "Sergey", "Dmitriy", "Andrey", "Aleksey", "Maksim", "Ivan",
                                        "Mikhail", "Nikolay", "Olga", "Tatyana", "Yelena", "Natalya", "Irina",
                                        "Svetlana", "Anna", "Yuliya", "Pavel", "Roman", "Artem", "Kirill", "Oleg"};
static const char *const um_ru_sur[] = {"Smirnov", "Kuznetsov", "Popov", "Vasilyev", "Petrov", "Sokolov",
                                        "Mikhaylov", "Novikov", "Fedorov", "Morozov", "Volkov", "Alekseyev",
                                        "Lebedev", "Semenov", "Yegorov", "Pavlov", "Kozlov", "Stepanov",
                                        "Nikolayev", "Orlov", "Andreyev", "Makarov", "Nikitin", "Zakharov"};
static const char *const um_es_giv[] = {"Jose", "Juan", "Maria", "Carmen", "Antonio", "Francisco", "Manuel",
                                        "Ana", "Laura", "Lucia", "David", "Javier", "Daniel", "Carlos",
                                        "Miguel", "Alejandro", "Sofia", "Elena", "Pablo", "Marta", "Isabel"};
static const char *const um_es_sur[] = {"Garcia", "Rodriguez", "Gonzalez", "Fernandez", "Lopez", "Martinez",
                                        "Sanchez", "Perez", "Gomez", "Martin", "Jimenez", "Ruiz", "Hernandez",
                                        "Diaz", "Moreno", "Alvarez", "Munoz", "Romero", "Alonso", "Navarro"};
static const char *const um_short[] = {"Bo", "Al", "An", "Ed", "Li", "Jo", "Ty", "Ian", "Eva", "Ada", "Leo", "Mia",
                                       "Ana", "Kai", "Ray", "Zoe", "Max", "Uma", "Noa", "Eli"};

/* one synthetic person; origin in *origin */
static void um_negative(char *out, size_t cap, const char **origin) {
    int r = (int)um_below(100);
    char g[96];
    if (r >= 64) { /* pools added for the failure classes */
        if (r < 73) {
            *origin = "russian";
            const char *gv = UM_PICK(um_ru_giv), *sn = UM_PICK(um_ru_sur);
            bool fem = gv[strlen(gv) - 1] == 'a';
            char sur[64];
            snprintf(sur, sizeof sur, "%s%s", sn, fem ? "a" : "");
            if (um_chance(30)) {
                const char *pg = UM_PICK(um_ru_giv);
                char pat[64];
                size_t pl = strlen(pg);
                if (pg[pl - 1] == 'a' || pg[pl - 1] == 'y') pl--;
                snprintf(pat, sizeof pat, "%.*s%s", (int)pl, pg, fem ? "ovna" : "ovich");
                snprintf(out, cap, "%s %s %s", gv, pat, sur);
            } else {
                snprintf(out, cap, um_chance(70) ? "%s %s" : "%s, %s", um_chance(70) ? gv : sur, um_chance(70) ? sur : gv);
            }
        } else if (r < 82) {
            *origin = "spanish";
            if (um_chance(50)) snprintf(out, cap, "%s %s %s", UM_PICK(um_es_giv), UM_PICK(um_es_sur), UM_PICK(um_es_sur));
            else snprintf(out, cap, "%s %s", UM_PICK(um_es_giv), UM_PICK(um_es_sur));
        } else if (r < 91) {
            *origin = "western";
            snprintf(out, cap, "%s %s", UM_PICK(um_we_giv), UM_PICK(um_we_sur));
        } else if (r < 96) {
            *origin = "korean-short"; /* a common surname and one syllable */
            char gv[96];
            um_cpy(gv, sizeof gv, UM_PICK(um_kr_giv));
            char *h = strchr(gv, '-');
            if (h) *h = 0;
            snprintf(out, cap, "%s %s", UM_PICK(um_kr_sur), gv);
        } else {
            *origin = "short"; /* short Latin names that also split into Korean syllables */
            snprintf(out, cap, "%s %s", UM_PICK(um_short), um_chance(50) ? UM_PICK(um_short) : UM_PICK(um_we_sur));
        }
        return;
    }
    r = r * 100 / 64;
    if (r < 40) {
        *origin = "korean";
        const char *s = UM_PICK(um_kr_sur);
        um_cpy(g, sizeof g, UM_PICK(um_kr_giv));
        int st = (int)um_below(4);
        if (st == 1) { /* Minjun */
            char *h = strchr(g, '-');
            memmove(h, h + 1, strlen(h));
        } else if (st == 2) { /* Min Jun */
            char *h = strchr(g, '-');
            *h = ' ';
            h[1] = (char)um_upper((unsigned char)h[1]);
        }
        bool upper_sur = um_chance(15);
        char sur[32];
        um_cpy(sur, sizeof sur, s);
        if (upper_sur) um_case_like(sur, "X");
        if (um_chance(50)) snprintf(out, cap, "%s %s", sur, g);
        else snprintf(out, cap, "%s %s", g, sur);
    } else if (r < 60) {
        *origin = "chinese";
        const char *s = UM_PICK(um_cn_sur), *gv = UM_PICK(um_cn_giv);
        if (um_chance(60)) snprintf(out, cap, "%s %s", s, gv);
        else snprintf(out, cap, "%s %s", gv, s);
    } else if (r < 70) {
        *origin = "vietnamese";
        const char *s = UM_PICK(um_vn_sur), *m = UM_PICK(um_vn_mid), *gv = UM_PICK(um_vn_giv);
        int st = (int)um_below(10);
        if (st < 6) snprintf(out, cap, "%s %s %s", s, m, gv);
        else if (st < 8) snprintf(out, cap, "%s %s", s, gv);
        else snprintf(out, cap, "%s %s", gv, s);
    } else if (r < 85) {
        *origin = "western";
        const char *f = UM_PICK(um_we_giv), *s = UM_PICK(um_we_sur);
        if (um_chance(15)) snprintf(out, cap, "%s %s %s", f, UM_PICK(um_we_giv), s);
        else snprintf(out, cap, "%s %s", f, s);
    } else {
        *origin = "indian";
        snprintf(out, cap, "%s %s", UM_PICK(um_in_giv), UM_PICK(um_in_sur));
    }
}

/* ---- entity negatives (--variant 3) ------------------------------------- */

/* Unlisted companies, banks and shipping firms written as listed entities
 * are: distinctive words from this tool's own pools (South Korean, Chinese,
 * Russian and Western place and trade-mark words, the images trading
 * companies take), the business words and legal forms of the lists
 * (Trading, Bank, Shipping, Co Ltd, Corporation, LLC, OOO ...), and country
 * words (Korea, China, Hong Kong ...). A candidate is dropped when it is a
 * listed name (as for persons) or when its distinctive words, in any order,
 * are those of a listed name (GOLDEN STAR CO is listed: Golden Star Trading
 * Ltd is that name with other business words, not an unlisted company). */
static const char *const um_en_kr[] = {"Hanil",   "Samil",   "Daehan",  "Hanbit", "Seoul",   "Busan",  "Incheon",
                                       "Daegu",   "Gwangju", "Ulsan",   "Jeonju", "Mirae",   "Saerom", "Hanaro",
                                       "Sejong",  "Haneul",  "Dongbu",  "Seohae", "Namhae",  "Jinju",  "Pohang",
                                       "Changwon", "Suwon",  "Taeyang", "Dongyang", "Jinyang", "Cheonji", "Gangnam",
                                       "Hanmaeum", "Sinhan", "Yeongnam", "Honam",  "Jeju",    "Mokpo",  "Gunsan"};
static const char *const um_en_cn[] = {"Huaxin",   "Jinlong",  "Hengtai", "Xinda",  "Zhongda", "Tianli",  "Hongyuan",
                                       "Dongfang", "Xinghai",  "Shenghua", "Jiahe", "Ruifeng", "Yongsheng", "Baoli",
                                       "Haitong",  "Fuxing",   "Guangda", "Huamei", "Kaida",   "Shenzhen", "Ningbo",
                                       "Qingdao",  "Xiamen",   "Tianjin", "Dalian", "Jinan",   "Hangzhou", "Wenzhou"};
static const char *const um_en_ru[] = {"Volga",  "Ural",    "Sibir",   "Baltika", "Zarya",   "Vostok",  "Rassvet",
                                       "Neva",   "Amur",    "Altai",   "Kama",    "Yantar",  "Sever",   "Kuban",
                                       "Tayga",  "Ladoga",  "Onega",   "Pechora", "Zvezda",  "Raduga",  "Sokol",
                                       "Berezka", "Orion",  "Kristall", "Sputnik", "Almaz",  "Tsentr",  "Yug"};
static const char *const um_en_we[] = {"Atlantic", "Pacific",  "Northern", "Summit",  "Pioneer", "Liberty",  "Horizon",
                                       "Crescent", "Evergreen", "Redwood", "Silverline", "Bluewater", "Harbor", "Keystone",
                                       "Meridian", "Sterling", "Riverside", "Oakwood", "Granite", "Falcon",   "Westbrook",
                                       "Ashford",  "Clearwater", "Highland", "Lakeside", "Brightway", "Northgate"};
static const char *const um_en_im[] = {"Golden",  "Star",     "Ocean",   "Dragon",  "Sunrise", "Phoenix", "Eagle",
                                       "Lotus",   "Jade",     "Pearl",   "Diamond", "Crystal", "Rainbow", "Victory",
                                       "Unity",   "Prosperity", "Fortune", "Harmony", "Global", "Royal",  "Silver",
                                       "Blue Sky", "New Century", "Great Wall", "Bright Star", "Red Star", "East Wind"};
static const char *const um_en_biz[] = {"Trading",     "Trade",       "General Trading", "Bank",      "Commercial Bank",
                                        "Shipping",    "Marine",      "Maritime",        "Ocean Shipping", "Industrial",
                                        "Industry",    "Development", "Investment",      "Technology", "Electronics",
                                        "Mining",      "Import Export", "Commercial",    "Construction", "Engineering",
                                        "Logistics",   "Energy",      "Petroleum",       "Chemical",  "Textile",
                                        "Foods",       "Insurance",   "Holdings",        "Group",     "Enterprise",
                                        "International Trading", "Shipping and Trading", "Machinery", "Metals", "Fishery"};
static const char *const um_en_form[] = {"Co Ltd", "Co., Ltd.", "Company Limited", "Corporation", "Corp", "Ltd",
                                         "Limited", "LLC",       "Inc",             "Pte Ltd",     "GmbH", "S.A.",
                                         "OOO",    "JSC",       "FZE",             "Sdn Bhd",     "LLP",  "PLC",
                                         "Co",     "Company",   ""};
static const char *const um_en_country[] = {"Korea",    "Korean",   "China",  "Hong Kong", "Singapore", "Russia",
                                            "Asia",     "Asia Pacific", "Mongolia", "Vietnam", "Malaysia", "Thailand",
                                            "Dubai",    "Far East", "Siberia", "Euro",     "America",  "International"};

/* words that are no distinctive part of an entity name: the business
 * words, legal forms and country words above, and a few more of the lists' */
static const char *const um_en_generic[] = {
    "trading", "trade", "general", "bank", "banking", "commercial", "shipping", "marine", "maritime", "ocean",
    "industrial", "industry", "industries", "development", "investment", "technology", "electronics", "mining",
    "import", "export", "construction", "engineering", "logistics", "energy", "petroleum", "chemical", "textile",
    "foods", "insurance", "holdings", "holding", "group", "enterprise", "enterprises", "international", "machinery",
    "metals", "fishery", "co", "ltd", "company", "limited", "corporation", "corp", "llc", "inc", "pte", "gmbh", "s",
    "a", "sa", "ooo", "jsc", "fze", "sdn", "bhd", "llp", "plc", "korea", "korean", "china", "hong", "kong",
    "singapore", "russia", "asia", "pacific", "mongolia", "vietnam", "malaysia", "thailand", "dubai", "far", "east",
    "siberia", "euro", "america", "of", "the", "and", "for"};

static um_keyset um_core; /* distinctive-word keys of every listed name */
static bool um_core_on;

/* the order-free key of the distinctive words of name ("" when none) */
static void um_core_key(const char *name, char *key, size_t cap) {
    char w[UM_MAXW][64], d[UM_MAXW][64];
    int n = um_words(name, w), m = 0;
    for (int i = 0; i < n; i++)
        if (!um_in(um_en_generic, NELEM(um_en_generic), w[i])) memcpy(d[m++], w[i], 64);
    if (!m) {
        *key = 0;
        return;
    }
    um_key_of(d, m, key, cap);
}

static void um_core_add(const char *name) {
    if (!um_core_on) return;
    char key[2048];
    um_core_key(name, key, sizeof key);
    if (*key) um_ks_add(&um_core, key);
}

/* one unlisted entity; origin in *origin ("entity-korean" ...) */
static void um_entity_negative(char *out, size_t cap, const char **origin) {
    static const char *const *const pools[] = {um_en_kr, um_en_cn, um_en_ru, um_en_we, um_en_im};
    static const size_t npool[] = {NELEM(um_en_kr), NELEM(um_en_cn), NELEM(um_en_ru), NELEM(um_en_we), NELEM(um_en_im)};
    static const char *const names[] = {"entity-korean", "entity-chinese", "entity-russian", "entity-western",
                                        "entity-image"};
    int o = (int)um_below(5);
    *origin = names[o];
    char dist[160];
    um_cpy(dist, sizeof dist, pools[o][um_below((uint32_t)npool[o])]);
    if (um_chance(25)) { /* two distinctive words: an image and a place, or two of one pool */
        const char *x = um_chance(50) ? UM_PICK(um_en_im) : pools[o][um_below((uint32_t)npool[o])];
        if (strcmp(x, dist) != 0) {
            char t[160];
            if (um_chance(50)) snprintf(t, sizeof t, "%.60s %.60s", dist, x);
            else snprintf(t, sizeof t, "%.60s %.60s", x, dist);
            um_cpy(dist, sizeof dist, t);
        }
    }
    const char *biz = UM_PICK(um_en_biz), *form = UM_PICK(um_en_form), *ctry = UM_PICK(um_en_country);
    int st = (int)um_below(10);
    char s[320];
    if (st < 4) snprintf(s, sizeof s, "%s %s %s", dist, biz, form);
    else if (st < 6) snprintf(s, sizeof s, "%s %s %s %s", ctry, dist, biz, form);
    else if (st < 7) snprintf(s, sizeof s, "%s %s %s %s", dist, ctry, biz, form);
    else if (st < 8) snprintf(s, sizeof s, "%s Bank of %s", dist, ctry);
    else if (st < 9) snprintf(s, sizeof s, "%s %s", dist, *form ? form : "Co");
    else snprintf(s, sizeof s, "%s %s", dist, biz);
    /* trailing space of an empty legal form */
    size_t l = strlen(s);
    while (l && s[l - 1] == ' ') s[--l] = 0;
    if (um_chance(30)) um_case_like(s, "X");
    um_cpy(out, cap, s);
}

/* ---- failure classes (one class per row) ---------------------------------- */

#include "screen/unihan_ko.h"

/* a romanised syllable -> Hangul jamo indexes, by this tool's own reading
 * (McCune-Reischauer as the lists write it, without marks; RR spellings too) */
static const char *const um_ini[] = {"kk", "tt", "pp", "ss", "tch", "jj", "ch", "sh", "k", "g", "n", "t", "d",
                                     "r",  "l",  "m",  "p",  "b",   "s",  "j",  "h", ""};
static const int um_ini_j[] = {1, 4, 8, 10, 13, 13, 14, 9, 0, 0, 2, 3, 3, 5, 5, 6, 7, 7, 9, 12, 18, 11};
static const char *const um_vow[] = {"yae", "yeo", "wae", "ae", "ya", "eo", "ye", "wa", "oe", "yo", "wo",
                                     "we",  "wi",  "yu",  "eu", "ui", "a",  "e",  "o",  "u",  "i"};
static const int um_vow_j[] = {3, 6, 10, 1, 2, 4, 7, 9, 11, 12, 14, 15, 16, 17, 18, 19, 0, 5, 8, 13, 20};
static const char *const um_fin[] = {"ng", "k", "n", "t", "l", "m", "p", "g", "d", "r", "b", "s", ""};
static const int um_fin_j[] = {21, 1, 4, 7, 8, 16, 17, 1, 7, 8, 17, 19, 0};

/* the Hangul syllable of s[0..n) exactly, 0 when it does not parse */
static uint32_t um_syl_hangul(const char *s, size_t n) {
    for (size_t a = 0; a < NELEM(um_ini); a++) {
        size_t la = strlen(um_ini[a]);
        if (la > n || strncmp(s, um_ini[a], la)) continue;
        for (size_t b = 0; b < NELEM(um_vow); b++) {
            size_t lb = strlen(um_vow[b]);
            if (la + lb > n || strncmp(s + la, um_vow[b], lb)) continue;
            for (size_t c = 0; c < NELEM(um_fin); c++) {
                size_t lc = strlen(um_fin[c]);
                if (la + lb + lc == n && !strncmp(s + la + lb, um_fin[c], lc))
                    return 0xAC00u + (uint32_t)((um_ini_j[a] * 21 + um_vow_j[b]) * 28 + um_fin_j[c]);
            }
        }
    }
    return 0;
}

/* a romanised word (letters only, lower case) -> Hangul syllables, longest
 * syllable first with backtracking; returns the count, -1 when it does not split */
static int um_word_hangul(const char *w, size_t n, uint32_t *out, int cap) {
    if (!n) return 0;
    if (cap <= 0) return -1;
    for (size_t l = n < 7 ? n : 7; l >= 1; l--) {
        uint32_t h = um_syl_hangul(w, l);
        if (!h) continue;
        int r = um_word_hangul(w + l, n - l, out + 1, cap - 1);
        if (r >= 0) {
            out[0] = h;
            return r + 1;
        }
    }
    return -1;
}

static void um_put_utf8(char *out, size_t cap, uint32_t cp) {
    char b[5];
    if (cp < 0x80) b[0] = (char)cp, b[1] = 0;
    else if (cp < 0x800) b[0] = (char)(0xC0 | (cp >> 6)), b[1] = (char)(0x80 | (cp & 0x3F)), b[2] = 0;
    else b[0] = (char)(0xE0 | (cp >> 12)), b[1] = (char)(0x80 | ((cp >> 6) & 0x3F)), b[2] = (char)(0x80 | (cp & 0x3F)), b[3] = 0;
    um_cat(out, cap, b);
}

/* Kontsevich Cyrillic of one Hangul syllable (initials as at the start of a word) */
static void um_hangul_cyr(uint32_t h, char *out, size_t cap) {
    static const char *const ini[19] = {"к", "кк", "н", "т", "тт", "р", "м", "п", "пп", "с",
                                        "сс", "", "чж", "чч", "чх", "кх", "тх", "пх", "х"};
    static const char *const vow[21] = {"а", "э", "я", "я", "о", "е", "ё", "е", "о", "ва", "вэ",
                                        "ве", "ё", "у", "во", "вэ", "ви", "ю", "ы", "ый", "и"};
    static const char *const fin[28] = {"", "к", "к", "к", "н", "н", "н", "т", "ль", "к", "м", "ль", "ль", "ль",
                                        "ль", "ль", "м", "п", "п", "т", "т", "н", "т", "т", "к", "т", "п", "т"};
    uint32_t x = h - 0xAC00u;
    um_cat(out, cap, ini[x / 588]);
    um_cat(out, cap, vow[(x % 588) / 28]);
    um_cat(out, cap, fin[x % 28]);
}

/* a Hanja for a Hangul reading: common surnames from a short table, other
 * syllables the first character Unihan gives that reading */
static uint32_t um_hanja(uint32_t h, bool surname) {
    static const char sur[] = "김金리李이李박朴최崔정鄭강姜조趙윤尹장張림林임林한韓오吳신申안安송宋류柳유柳홍洪"
                              "전全고高문文손孫량梁양梁배裵백白허許남南심沈로盧노盧하河";
    if (surname) {
        const unsigned char *p = (const unsigned char *)sur;
        while (*p) { /* pairs of 3-byte characters */
            uint32_t a = ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
            uint32_t b = ((uint32_t)(p[3] & 0x0F) << 12) | ((uint32_t)(p[4] & 0x3F) << 6) | (p[5] & 0x3F);
            if (a == h) return b;
            p += 6;
        }
        return 0;
    }
    for (size_t i = 0; i < UM_UNIHAN_KO_N; i++)
        if (um_unihan_ko[i][1] == h && um_unihan_ko[i][0] >= 0x4E00 && um_unihan_ko[i][0] <= 0x9FFF) return um_unihan_ko[i][0];
    return 0;
}

/* lower-case letters of a word */
static size_t um_letters_of(const char *w, char *out, size_t cap) {
    size_t n = 0;
    for (; *w && n + 1 < cap; w++)
        if (um_isalpha((unsigned char)*w)) out[n++] = (char)um_lower((unsigned char)*w);
    out[n] = 0;
    return n;
}

/* Korean person "FAMILY, Given Given" in Hangul (script 0), Hanja (1) or
 * Kontsevich Cyrillic (2), family first as Koreans write it */
static bool um_korean_script(const um_pname *pn, int script, char *out, size_t cap) {
    char plain[96];
    uint32_t syl[UM_MAXW * 4];
    int n = 0;
    size_t l = um_letters_of(pn->sur, plain, sizeof plain);
    int r = um_word_hangul(plain, l, syl, 1);
    if (r != 1) return false;
    n = 1;
    for (int i = 0; i < pn->ng; i++) {
        l = um_letters_of(pn->giv[i], plain, sizeof plain);
        r = um_word_hangul(plain, l, syl + n, (int)NELEM(syl) - n);
        if (r <= 0) return false;
        n += r;
    }
    *out = 0;
    if (script == 2) {
        char w[256] = "";
        for (int i = 0; i < n; i++) {
            w[0] = 0;
            um_hangul_cyr(syl[i], w, sizeof w);
            /* capital first letter (Cyrillic a-ya -> A-YA, yo -> YO) */
            unsigned char *u = (unsigned char *)w;
            if (u[0] == 0xD0 && u[1] >= 0xB0 && u[1] <= 0xBF) u[1] = (unsigned char)(u[1] - 0x20);
            else if (u[0] == 0xD1 && u[1] >= 0x80 && u[1] <= 0x8F) u[0] = 0xD0, u[1] = (unsigned char)(u[1] + 0x20);
            else if (u[0] == 0xD1 && u[1] == 0x91) u[0] = 0xD0, u[1] = 0x81;
            if (i) um_cat(out, cap, " ");
            um_cat(out, cap, w);
        }
        return true;
    }
    for (int i = 0; i < n; i++) {
        uint32_t c = syl[i];
        if (script == 1) {
            c = um_hanja(syl[i], i == 0);
            if (!c) return false;
        }
        um_put_utf8(out, cap, c);
    }
    return true;
}

/* one doubled, dropped or swapped letter in a word of 4+ letters */
static bool um_typo3(char *s, size_t cap) {
    int pos[64], np = 0;
    int len = (int)strlen(s);
    for (int i = 0; i < len && np < 64; i++) {
        if (!um_isalpha((unsigned char)s[i])) continue;
        int wl = 0; /* letters in this word */
        int a = i, b = i;
        while (a > 0 && um_isalpha((unsigned char)s[a - 1])) a--;
        while (b < len && um_isalpha((unsigned char)s[b])) b++;
        wl = b - a;
        if (wl >= 4) pos[np++] = i;
    }
    if (!np) return false;
    int at = pos[um_below((uint32_t)np)];
    char out[512];
    int kind = (int)um_below(3);
    if (kind == 2 && !(at + 1 < len && um_isalpha((unsigned char)s[at + 1]) && um_lower((unsigned char)s[at]) != um_lower((unsigned char)s[at + 1])))
        kind = 0;
    if (kind == 0) snprintf(out, sizeof out, "%.*s%c%s", at + 1, s, s[at], s + at + 1);      /* doubled */
    else if (kind == 1) snprintf(out, sizeof out, "%.*s%s", at, s, s + at + 1);            /* dropped */
    else snprintf(out, sizeof out, "%.*s%c%c%s", at, s, s[at + 1], s[at], s + at + 2);      /* swapped */
    um_cpy(s, cap, out);
    return true;
}

/* German or French rendering of a Russian-looking name (-ov, -ev, -in, -sky, zh, kh, ch) */
static bool um_foreign_pl(const char *in, char *out, size_t cap);
static bool um_foreign(const char *in, char *out, size_t cap) {
    if (um_variant >= 2 && um_chance(34)) return um_foreign_pl(in, out, cap);
    bool german = um_chance(50);
    static const char *const g[][2] = {{"shch", "schtsch"}, {"zh", "sch"}, {"kh", "ch"}, {"ch", "tsch"}, {"sh", "sch"},
                                       {"v", "w"}, {"y", "j"}, {"ts", "z"}};
    static const char *const f[][2] = {{"shch", "chtch"}, {"zh", "j"}, {"ch", "tch"}, {"sh", "ch"}, {"u", "ou"}, {"ov", "off"}, {"ev", "eff"}};
    *out = 0;
    size_t o = 0;
    bool changed = false;
    char low[256];
    um_letters_of(in, low, sizeof low);
    for (const char *p = in; *p && o + 8 < cap;) {
        bool done = false;
        size_t nrules = german ? NELEM(g) : NELEM(f);
        for (size_t r = 0; r < nrules && !done; r++) {
            const char *from = german ? g[r][0] : f[r][0], *to = german ? g[r][1] : f[r][1];
            size_t fl = strlen(from);
            bool match = true;
            for (size_t k = 0; k < fl && match; k++) match = p[k] && um_lower((unsigned char)p[k]) == from[k];
            /* French -off/-eff only at the end of a word */
            if (match && !german && from[1] == 'v' && um_isalpha((unsigned char)p[2])) match = false;
            if (!match) continue;
            bool up = um_isupper((unsigned char)p[0]), allup = up && p[1] && um_isupper((unsigned char)p[1]);
            for (size_t k = 0; to[k]; k++) out[o++] = (char)(allup || (up && k == 0) ? um_upper(to[k]) : to[k]);
            p += fl;
            done = changed = true;
        }
        if (!done) out[o++] = *p++;
    }
    out[o] = 0;
    return changed;
}

/* Polish rendering: sz = sh, cz = ch, rz = zh, w = v, j = y, ch = kh, c = ts */
static bool um_foreign_pl(const char *in, char *out, size_t cap) {
    static const char *const pl[][2] = {{"shch", "szcz"}, {"zh", "rz"}, {"kh", "ch"}, {"ch", "cz"}, {"sh", "sz"},
                                        {"ts", "c"}, {"v", "w"}, {"y", "j"}};
    size_t o = 0;
    bool changed = false;
    for (const char *p = in; *p && o + 8 < cap;) {
        bool done = false;
        for (size_t r = 0; r < NELEM(pl) && !done; r++) {
            size_t fl = strlen(pl[r][0]);
            bool match = true;
            for (size_t k = 0; k < fl && match; k++) match = p[k] && um_lower((unsigned char)p[k]) == pl[r][0][k];
            if (!match) continue;
            bool up = um_isupper((unsigned char)p[0]), allup = up && p[1] && um_isupper((unsigned char)p[1]);
            for (size_t k = 0; pl[r][1][k]; k++) out[o++] = (char)(allup || (up && k == 0) ? um_upper(pl[r][1][k]) : pl[r][1][k]);
            p += fl;
            done = changed = true;
        }
        if (!done) out[o++] = *p++;
    }
    out[o] = 0;
    return changed;
}

static const char *um_russian_end(const char *w) {
    static const char *const e[] = {"ov", "ev", "in", "sky", "skiy", "enko", "ova", "eva", "ina"};
    size_t n = strlen(w);
    for (size_t i = 0; i < NELEM(e); i++) {
        size_t l = strlen(e[i]);
        if (n > l + 2 && strncasecmp(w + n - l, e[i], l) == 0) return e[i];
    }
    return NULL;
}

/* entity words in Korean, this tool's own dictionary (for the Hangul class) */
static const char *const um_ko_dict[][2] = {
    {"korea", "조선"}, {"korean", "조선"}, {"bank", "은행"}, {"trading", "무역"}, {"trade", "무역"},
    {"corporation", "회사"}, {"company", "회사"}, {"corp", "회사"}, {"co", "회사"}, {"shipping", "해운"},
    {"general", "총"}, {"commercial", "상업"}, {"technology", "기술"}, {"development", "개발"},
    {"insurance", "보험"}, {"committee", "위원회"}, {"airline", "항공"}, {"air", "항공"}, {"group", "그룹"},
    {"international", "국제"}, {"industry", "공업"}, {"mining", "광업"}, {"machinery", "기계"}};

/* DPRK entity in Hangul: Korean words by sound, business words translated */
static bool um_entity_hangul(const char *name, char *out, size_t cap) {
    char w[UM_MAXW][64];
    int n = um_words(name, w);
    *out = 0;
    int korean_words = 0;
    for (int i = 0; i < n; i++) {
        bool done = false;
        for (size_t d = 0; d < NELEM(um_ko_dict) && !done; d++)
            if (strcmp(w[i], um_ko_dict[d][0]) == 0) um_cat(out, cap, um_ko_dict[d][1]), done = true;
        if (done) continue;
        uint32_t syl[16];
        int r = um_word_hangul(w[i], strlen(w[i]), syl, 16);
        if (r <= 0 || um_in(um_not_korean, NELEM(um_not_korean), w[i])) return false;
        for (int k = 0; k < r; k++) um_put_utf8(out, cap, syl[k]);
        korean_words++;
    }
    return korean_words > 0;
}

/* entity: the ways of writing North Korea, abbreviations, words joined, a number attached */
static bool um_entity_class(const char *name, const char *cls, char *out, size_t cap) {
    char w[UM_MAXW][64], orig[UM_MAXW][64];
    int n = um_words(name, w);
    /* words as written (case kept), same split as um_words */
    int m = 0;
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)name;; p++) {
        int c = *p;
        if (c >= 0x80 || um_isalpha(c) || um_isdigit(c)) {
            if (o + 1 < 64 && m < UM_MAXW) orig[m][o++] = (char)c;
        } else if (c == '\'' || c == '`') {
            continue;
        } else {
            if (o && m < UM_MAXW) orig[m][o] = 0, m++;
            o = 0;
            if (!c) break;
        }
    }
    if (m != n || n < 2) return false;
    *out = 0;
    if (!strcmp(cls, "country")) {
        static const char *const forms[] = {"DPRK", "North Korea", "Democratic People's Republic of Korea", "D.P.R.K.", "DPR Korea"};
        for (int i = 0; i < n; i++) {
            int k = 0;
            static const char *const dprk5[] = {"democratic", "peoples", "republic", "of", "korea"};
            while (k < 5 && i + k < n && !strcmp(w[i + k], dprk5[k])) k++;
            int len = k == 5 ? 5 : !strcmp(w[i], "dprk") ? 1 : (i + 1 < n && !strcmp(w[i], "north") && !strcmp(w[i + 1], "korea")) ? 2 : 0;
            if (!len) continue;
            const char *f;
            do f = UM_PICK(forms);
            while ((len == 5 && f[0] == 'D' && f[1] == 'e') || (len == 1 && !strcmp(f, "DPRK")) || (len == 2 && f[0] == 'N'));
            for (int j = 0; j < n; j++) {
                if (j > i && j < i + len) continue;
                if (*out) um_cat(out, cap, " ");
                um_cat(out, cap, j == i ? f : orig[j]);
            }
            return true;
        }
        return false;
    }
    if (!strcmp(cls, "abbr")) {
        static const char *const ab[][2] = {{"corporation", "Corp."}, {"company", "Co."}, {"limited", "Ltd."},
                                            {"department", "Dept."}, {"international", "Intl"}, {"incorporated", "Inc."}};
        bool any = false;
        for (int i = 0; i < n; i++) {
            const char *rep = NULL;
            for (size_t a = 0; a < NELEM(ab) && !rep; a++)
                if (!strcmp(w[i], ab[a][0])) rep = ab[a][1];
            if (*out) um_cat(out, cap, " ");
            um_cat(out, cap, rep ? rep : orig[i]);
            any |= rep != NULL;
        }
        return any;
    }
    if (!strcmp(cls, "concat")) { /* two neighbouring distinctive words written as one */
        static const char *const gen[] = {"corporation", "company", "co", "corp", "limited", "ltd", "trading", "bank",
                                          "the", "of", "and", "group", "general", "korea", "llc", "inc", "shipping"};
        int cand[UM_MAXW], nc = 0;
        for (int i = 0; i + 1 < n; i++)
            if (!um_in(gen, NELEM(gen), w[i]) && !um_in(gen, NELEM(gen), w[i + 1]) && !um_isdigit((unsigned char)w[i][0]) &&
                !um_isdigit((unsigned char)w[i + 1][0]))
                cand[nc++] = i;
        if (!nc) return false;
        int at = cand[um_below((uint32_t)nc)];
        for (int i = 0; i < n; i++) {
            if (*out && i != at + 1) um_cat(out, cap, " ");
            um_cat(out, cap, orig[i]);
        }
        return true;
    }
    if (!strcmp(cls, "number")) { /* a number attached to the word before it (Bureau 53 -> Bureau53) */
        for (int i = 1; i < n; i++) {
            if (!um_isdigit((unsigned char)w[i][0])) continue;
            for (int j = 0; j < n; j++) {
                if (*out && j != i) um_cat(out, cap, " ");
                um_cat(out, cap, orig[j]);
            }
            return true;
        }
        return false;
    }
    return false;
}

/* A variant of class cls of entry e, or false when the class does not apply. */
static bool um_class_variant(const um_entry *e, const char *cls, bool dprk, char *out, size_t cap) {
    um_pname pn;
    if (e->kind == UM_E_PERSON) um_parse_person(e->name, &pn);
    if (!strcmp(cls, "typo")) {
        um_cpy(out, cap, e->name);
        return um_typo3(out, cap);
    }
    if (e->kind == UM_E_PERSON) {
        if (!strcmp(cls, "hangul") || !strcmp(cls, "hanja") || !strcmp(cls, "cyrillic")) {
            if (!pn.korean || !dprk) return false;
            return um_korean_script(&pn, !strcmp(cls, "hangul") ? 0 : !strcmp(cls, "hanja") ? 1 : 2, out, cap);
        }
        if (!strcmp(cls, "short")) { /* first given name and family name only */
            if (pn.korean || pn.ng < 2) return false;
            snprintf(out, cap, "%s %s", pn.giv[0], pn.sur);
            return true;
        }
        if (!strcmp(cls, "foreign")) {
            if (pn.korean || !um_russian_end(pn.sur)) return false;
            char sur[128];
            if (!um_foreign(pn.sur, sur, sizeof sur)) return false;
            char giv[256] = "";
            for (int i = 0; i < pn.ng && i < 1; i++) um_cat(giv, sizeof giv, pn.giv[i]);
            snprintf(out, cap, "%s %s", giv, sur);
            return true;
        }
        return false;
    }
    if (!strcmp(cls, "hangul")) return dprk && um_entity_hangul(e->name, out, cap);
    return um_entity_class(e->name, cls, out, cap);
}

/* ---- main ---------------------------------------------------------------- */

static void um_usage(void) {
    fprintf(stderr, "usage: gen_screen_eval [--seed N] [--k K] [--negatives N] [--data DIR] [--out FILE] [--variant 1|2|3]\n"
                    "                       [--entity-negatives N]\n");
    exit(2);
}

static bool um_seen_cb(void *ctx, const char *key) { return um_ks_has(ctx, key); }

/* TSV fields must not hold tabs or newlines (names never do; be safe) */
static void um_tsv_clean(char *s) {
    for (; *s; s++)
        if (*s == '\t' || *s == '\n' || *s == '\r') *s = ' ';
}

typedef struct um_row {
    char line[1024];
} um_row;

int main(int argc, char **argv) {
    unsigned long long seed = 1;
    long k = 3, nneg = 5000, nent_neg = -1;
    const char *data = "data", *outpath = NULL;
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc) um_usage();
        char *end = NULL;
        if (strcmp(argv[i], "--seed") == 0) seed = strtoull(argv[++i], &end, 10);
        else if (strcmp(argv[i], "--k") == 0) k = strtol(argv[++i], &end, 10);
        else if (strcmp(argv[i], "--negatives") == 0) nneg = strtol(argv[++i], &end, 10);
        else if (strcmp(argv[i], "--data") == 0) data = argv[++i];
        else if (strcmp(argv[i], "--out") == 0) outpath = argv[++i];
        else if (strcmp(argv[i], "--variant") == 0) um_variant = (int)strtol(argv[++i], &end, 10);
        else if (strcmp(argv[i], "--entity-negatives") == 0) nent_neg = strtol(argv[++i], &end, 10);
        else um_usage();
        if (end && *end) um_usage();
    }
    if (k < 1 || k > 20 || nneg < 0 || nneg > 1000000 || um_variant < 1 || um_variant > 3) um_usage();
    /* --variant 3: variant 2 plus unlisted entities (2,000 unless told) */
    if (nent_neg < 0) nent_neg = um_variant >= 3 ? 2000 : 0;
    if (nent_neg > 1000000) um_usage();
    um_rng = seed;
    um_map_init(&um_core);
    um_core_on = nent_neg > 0;

    /* list names for the negatives, and the entries */
    um_keyset listed;
    um_map_init(&listed);
    um_entries ents = {0};
    char path[2048];
    size_t skipped = 0;
    const char *source;
    snprintf(path, sizeof path, "%s/sanctions/dprk.csv", data);
    if (um_load_dprk_csv(&ents, &listed, path, &skipped)) {
        source = "data/sanctions/dprk.csv";
        snprintf(path, sizeof path, "%s/sanctions/un/dprk_1718.csv", data);
        um_load_un_csv(&ents, &listed, path, false);
    } else {
        source = "data/sanctions/un/dprk_1718.csv";
        snprintf(path, sizeof path, "%s/sanctions/un/dprk_1718.csv", data);
        if (!um_load_un_csv(&ents, &listed, path, true)) um_die("neither dprk.csv nor un/dprk_1718.csv under %s/sanctions", data);
    }
    static const char *const ofac[] = {"sdn.csv", "sdn_dprk_supplement.csv"};
    um_entries others = {0}; /* entries of every other programme (sdn.csv) */
    for (size_t i = 0; i < NELEM(ofac); i++) {
        snprintf(path, sizeof path, "%s/sanctions/ofac/%s", data, ofac[i]);
        um_load_ofac(&listed, path, 1, true, i == 0 ? &others : NULL);
    }
    snprintf(path, sizeof path, "%s/sanctions/ofac/alt.csv", data);
    um_load_ofac(&listed, path, 3, false, NULL);
    snprintf(path, sizeof path, "%s/sanctions/un/consolidated.xml", data);
    um_load_un_xml(&listed, path);

    /* positives */
    size_t cap_rows = ents.n * (size_t)k + (size_t)nneg + (size_t)nent_neg + 64 * 400 + 1, nrows = 0;
    um_row *rows = um_xrealloc(NULL, cap_rows * sizeof *rows);
    size_t npers = 0, nent = 0, npos = 0, short_entries = 0;
    for (size_t i = 0; i < ents.n; i++) {
        const um_entry *e = &ents.e[i];
        if (e->kind == UM_E_PERSON) npers++;
        else nent++;
        char made[20][512];
        int nm = 0;
        for (int tries = 0; nm < k && tries < 60; tries++) {
            char v[512];
            um_tags tg;
            bool ok = e->kind == UM_E_PERSON ? um_person_variant(e, v, sizeof v, &tg)
                                             : um_entity_variant(e, v, sizeof v, &tg);
            /* a variant needs a transform besides case */
            if (!ok || strcmp(v, e->name) == 0 || strcmp(tg.s, "case") == 0) continue;
            bool dup = false;
            for (int j = 0; j < nm; j++) dup |= strcmp(made[j], v) == 0;
            if (dup) continue;
            um_cpy(made[nm++], sizeof made[0], v);
            char name[256];
            um_cpy(name, sizeof name, e->name);
            um_tsv_clean(v);
            um_tsv_clean(name);
            snprintf(rows[nrows++].line, sizeof rows[0].line, "pos\t%s\t%s\t%s\t%s\t%s\n", v, e->qtype, e->uid, tg.s,
                     name);
            npos++;
        }
        if (nm < k) short_entries++;
    }

    /* one row per failure class and entry, for DPRK entries and a sample of
     * entries of every other programme (SDN), up to a cap per class */
    static const char *const classes[] = {"typo", "short", "foreign", "hangul", "hanja", "cyrillic",
                                          "country", "abbr", "concat", "number"};
    size_t ncls[NELEM(classes)][2] = {{0}};
    size_t nclass_rows = 0;
    for (size_t c = 0; c < NELEM(classes); c++)
        for (int src = 0; src < 2; src++) {
            um_entries *v = src ? &others : &ents;
            size_t cap_c = src ? 150 : 120;
            /* entries in a seeded order: start anywhere, step by a prime */
            size_t start = v->n ? um_below((uint32_t)v->n) : 0, step = 7919;
            for (size_t t = 0; t < v->n && ncls[c][src] < cap_c; t++) {
                const um_entry *e = &v->e[(start + t * step) % v->n];
                if (!*e->qtype) continue;
                char var[512];
                if (!um_class_variant(e, classes[c], !src, var, sizeof var) || strcmp(var, e->name) == 0) continue;
                char name[256], tags[64];
                um_cpy(name, sizeof name, e->name);
                um_tsv_clean(var);
                um_tsv_clean(name);
                snprintf(tags, sizeof tags, "%s,%s", classes[c], src ? "other" : "dprk");
                snprintf(rows[nrows++].line, sizeof rows[0].line, "cls\t%s\t%s\t%s\t%s\t%s\n", var, e->qtype, e->uid,
                         tags, name);
                ncls[c][src]++;
                nclass_rows++;
            }
        }

    /* negatives */
    um_keyset seen;
    um_map_init(&seen);
    size_t kept = 0, dropped_listed = 0, dropped_dup = 0;
    while ((long)kept < nneg) {
        char v[256];
        const char *origin = "";
        um_negative(v, sizeof v, &origin);
        char w[UM_MAXW][64], key[2048];
        int nwd = um_words(v, w);
        um_key_of(w, nwd, key, sizeof key);
        if (um_name_keys(v, um_seen_cb, &listed)) {
            dropped_listed++;
            continue;
        }
        if (um_ks_has(&seen, key)) {
            dropped_dup++;
            continue;
        }
        um_ks_add(&seen, key);
        snprintf(rows[nrows++].line, sizeof rows[0].line, "neg\t%s\tperson\t-\t%s\t-\n", v, origin);
        kept++;
        if (dropped_dup > 100u * (size_t)nneg + 100000u) um_die("cannot make %ld distinct negatives", nneg);
    }

    /* unlisted entities (after everything else: the rows above do not
     * depend on whether they are made) */
    size_t ekept = 0, edropped_listed = 0, edropped_core = 0, edropped_dup = 0;
    while ((long)ekept < nent_neg) {
        char v[256], core[2048];
        const char *origin = "";
        um_entity_negative(v, sizeof v, &origin);
        char w[UM_MAXW][64], key[2048];
        int nwd = um_words(v, w);
        um_key_of(w, nwd, key, sizeof key);
        um_core_key(v, core, sizeof core);
        if (um_name_keys(v, um_seen_cb, &listed)) {
            edropped_listed++;
            continue;
        }
        if (!*core || um_ks_has(&um_core, core)) {
            edropped_core++;
            continue;
        }
        if (um_ks_has(&seen, key)) {
            edropped_dup++;
            if (edropped_dup > 100u * (size_t)nent_neg + 100000u) um_die("cannot make %ld distinct entity negatives", nent_neg);
            continue;
        }
        um_ks_add(&seen, key);
        um_tsv_clean(v);
        snprintf(rows[nrows++].line, sizeof rows[0].line, "neg\t%s\tentity\t-\t%s\t-\n", v, origin);
        ekept++;
    }

    FILE *out = outpath ? fopen(outpath, "wb") : stdout;
    if (!out) um_die("cannot write %s", outpath);
    fprintf(out,
            "# heldout.tsv - held-out evaluation set for the sanctions screener, written by\n"
            "# tools/gen_screen_eval --seed %llu --k %ld --negatives %ld (the matcher was never tuned on it;\n"
            "# do not edit by hand: regenerate, and tests/unit/test_screen_heldout.c checks the bytes).\n"
            "# Columns (TAB): kind  query  type  uid  transforms  list_name\n"
            "#   pos  a variant of a real DPRK entry's primary name (%s): a hit is\n"
            "#        uid among the matches; type person | entity | empty (alias-only entry)\n"
            "#   neg  a synthetic person on no list: any match is a false positive;\n"
            "#        the transforms column holds the origin (korean, chinese, vietnamese,\n"
            "#        western, indian)\n"
            "# Transforms (a random subset per variant, at least one besides case):\n"
            "#   swap   given names first, else list order (sometimes with the list's comma)\n"
            "#   join   Korean given names as \"Jong Un\", \"Jong-un\", \"Jong-Un\" or \"Jongun\"\n"
            "#   split  a Korean word of an entity name as syllables (\"RYON BONG\")\n"
            "#   roman  one or two Korean syllables respelled from the generator's own table\n"
            "#          (Kim/Gim, Pak/Park/Bak, Ri/Rhee/Lee/Yi, Choe/Choi, Jong/Chong/Jung,\n"
            "#          Ryong/Yong/Lyong, Un/Eun, Chol/Cheol, Song/Seong, Hyon/Hyun, Kwang/Gwang,\n"
            "#          ...), else a vowel form (o/eo, u/eu) or the other initial (k/g, t/d, p/b, ch/j)\n"
            "#   mark   one apostrophe dropped, or one added (Ch'ol), or one breve added (Ch\xC5\x8Fl)\n"
            "#   typo   names of 8+ letters: one letter substituted, deleted, inserted or swapped\n"
            "#   case   all upper, all lower or title case\n"
            "# Entries: %zu (%zu persons, %zu entities; vessels, aircraft and address-only rows\n"
            "# skipped: %zu); positives: %zu (%zu entries have fewer than %ld distinct variants).\n"
            "# Negatives: %zu kept; %zu candidates dropped because they equal a listed primary name or\n"
            "# alias (OFAC SDN, alt, remarks a.k.a., UN), %zu dropped as duplicates.\n",
            seed, k, nneg, source, ents.n, npers, nent, skipped, npos, short_entries, k, kept, dropped_listed,
            dropped_dup);
    if (nent_neg > 0)
        fprintf(out,
                "# Entity negatives (--variant 3): %zu unlisted companies, banks and shipping firms (type entity,\n"
                "# origin entity-korean, -chinese, -russian, -western or -image) built from the lists' business\n"
                "# words, legal forms and country words around this tool's own distinctive words; %zu dropped as\n"
                "# listed names, %zu because their distinctive words are a listed name's, %zu as duplicates.\n",
                ekept, edropped_listed, edropped_core, edropped_dup);
    for (size_t i = 0; i < nrows; i++) fputs(rows[i].line, out);
    if (outpath ? fclose(out) != 0 : fflush(out) != 0) um_die("write failed");
    fprintf(stderr, "gen_screen_eval: %zu positives from %zu entries, %zu negatives (%zu listed, %zu duplicate dropped)\n",
            npos, ents.n, kept, dropped_listed, dropped_dup);
    free(rows);
    free(ents.e);
    free(others.e);
    um_ks_free(&listed);
    um_ks_free(&seen);
    um_ks_free(&um_core);
    return 0;
}
