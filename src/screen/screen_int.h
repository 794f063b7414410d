/*
 * screen_int.h - internals of the sanctions screener (src/screen/): the name
 * normaliser (norm.c), the list loaders (lists.c) and the matcher and index
 * (screen.c). Internal to libunmask (not installed).
 *
 * Ownership: um_sc_norm owns its tables (arena + map) and is immutable after
 * um_sc_norm_init(), so one instance may be shared by threads; the one
 * mutable part, the ICU transliterator and its cache (um_sc_translit), sits
 * behind a mutex of its own. um_sc_name is
 * a plain value the caller owns (fixed-size, no heap). um_sc_lists owns every
 * entry, name and string it loaded (one arena).
 */
#ifndef UM_SCREEN_INT_H
#define UM_SCREEN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/util.h"
#include "unmask.h"

/* Hostile input is cut, never trusted: bytes of a name looked at, units kept
 * per name, bytes per unit. */
#define UM_SC_MAX_INPUT 1024
#define UM_SC_MAX_UNITS 32
#define UM_SC_KEYLEN 40

/* unit flags */
#define UM_SCU_KOREAN 0x01  /* a romanised Korean syllable */
#define UM_SCU_GENERIC 0x02 /* legal form / generic business word: never carries a match */
#define UM_SCU_CYR 0x04     /* came from Cyrillic */
#define UM_SCU_SURNAME 0x08 /* common Korean surname in surname position (low weight) */
#define UM_SCU_FAMILY 0x10  /* from the family part of "FAMILY, Given" */
#define UM_SCU_NUMBER 0x20  /* digits */
#define UM_SCU_HANGUL 0x40  /* came from Hangul or Han script */
#define UM_SCU_SCRIPT 0x80  /* original script (a Han or kana character, a word of another script): compared as written */

/* forms of one name: [0] each word split on its own, then (when different)
 * the joined form, then (when the name has Han, kana or another script ICU
 * reads) the original-script form, then (a query with Han read as a Korean
 * name) its Chinese reading */
#define UM_SC_MAX_FORMS 4

typedef struct um_sc_unit {
    char key[UM_SC_KEYLEN]; /* canonical key compared across spellings */
    char raw[UM_SC_KEYLEN]; /* spelling as written (folded to ASCII) */
    uint8_t flags;
    uint8_t word;           /* index of the written word it came from */
    float w;                /* information weight */
} um_sc_unit;

typedef struct um_sc_name {
    um_sc_unit u[UM_SC_MAX_UNITS];
    int n;
    int nwords;
    bool korean;    /* segmented as a Korean name */
    bool truncated; /* input longer than the limits */
    bool joined;    /* the form with the written words joined (may_join): syllables may span them */
} um_sc_name;

typedef struct um_sc_translit um_sc_translit; /* ICU transliterator + cache + mutex (norm.c) */

#define UM_SC_N_GENERIC 96 /* generic business words (norm.c) at most */
typedef struct um_sc_norm {
    um_arena arena;
    /* length and letters (a-z bits) of each generic word: the typo test's
     * filter (find_generic_typo) */
    uint8_t gen_len[UM_SC_N_GENERIC];
    uint8_t gen_jlen[UM_SC_N_GENERIC]; /* gen_len when the word may be written joined to a name (3+ letters, joinable()), else 0 */
    uint32_t gen_mask[UM_SC_N_GENERIC];
    /* by a word's length n (< 64), the generic words of 4+ letters within
     * one letter of it (bit i % 64 of [i / 64]): the only ones the typo
     * test looks at */
    uint64_t gen_near[64][2];
    um_map syl;     /* valid syllable spelling -> canonical key (char *) */
    /* the same spellings (all of 8 letters or fewer) packed into integers:
     * the hot lookup of segmentation, no string hashing */
    uint64_t *syl_k;
    const char **syl_v;
    size_t syl_mask;
    um_sc_translit *tl; /* NULL: no ICU fallback (out of memory at init) */
    uint64_t sur_k[64];  /* surname keys packed as in syl_k, with their rank + 1 */
    uintptr_t sur_rank[64];
    uint64_t sur_bloom[4]; /* bit SUR_BIT(k) of every sur_k: a key without its bit is no surname */
    size_t n_sur;
    um_map surname; /* canonical key of a common Korean surname -> rank + 1 (lower = more common) */
    um_map generic; /* generic entity word -> static descriptor */
    size_t max_syl; /* longest syllable spelling */
    size_t n_variants; /* spellings read from korean_variants.tsv */
    uint64_t gen; /* this instance among every one made in the process (norm.c's per-thread memo) */
} um_sc_norm;

/* Builds the syllable tables from Unicode Hangul arithmetic plus the
 * variant file (NULL or unreadable: rules only, *warn says so). */
um_status um_sc_norm_init(um_sc_norm *nm, const char *variants_path, char *warn, size_t warnlen);
void um_sc_norm_free(um_sc_norm *nm);

/* Splits s into comparable units. entity: business words are generic.
 * concat: a run of Korean words is joined and re-split ("Man Gyong Dae" ->
 * mang + yong + dae, as "Mangyongdae" splits); otherwise each written word
 * is split on its own. Never fails; a name with no letters gives n == 0. */
void um_sc_norm_name(const um_sc_norm *nm, const char *s, bool entity, bool concat, um_sc_name *out);
/* Every form of s from one pass over the input (UM_SC_MAX_FORMS above).
 * entity: 1 entity, 0 person, -1 decide (entity when a business word is
 * present; *is_entity gets the decision, may be NULL). Returns the number of
 * forms written (at least 1; a name with no letters gives one empty form).
 * icu: read the scripts the tables cannot through ICU (queries); without
 * it (list names, at build) such letters only make the original-script form. */
int um_sc_norm_forms(const um_sc_norm *nm, const char *s, int entity, bool icu, um_sc_name out[UM_SC_MAX_FORMS],
                     bool *is_entity);
/* ICU calls made so far (transliterations that missed the cache), for tests. */
size_t um_sc_norm_icu_calls(const um_sc_norm *nm);
/* true when a and b have the same units (keys) in the same order */
bool um_sc_name_same(const um_sc_name *a, const um_sc_name *b);

/* Key of a non-Korean word (foreign renderings folded: Iwanow = Ivanov). */
void um_sc_latin_key(const char *s, size_t n, char *out, size_t cap);
/* Canonical key of one ASCII spelling (table, then folding rules). */
void um_sc_syl_key(const um_sc_norm *nm, const char *sp, size_t n, char *key, size_t keycap);
/* A written word of 2-6 letters a-z that is no syllable, read as a syllable
 * written with a typo (a letter dropped, swapped with its neighbour, in a
 * word of 2-3 letters one inserted: KM, GMI, Sk, or in a word of 3+ letters
 * one substituted: Tohg, Nzm): the distinct keys of the syllables one such edit
 * away go to keys[]. Returns their count, 0 when the word is a syllable
 * (another name, not a typo) or none is near, -1 when more than max. */
bool um_sc_is_syllable(const um_sc_norm *nm, const char *w, size_t n);
/* key is the key of a common Korean surname (the surname table) */
bool um_sc_is_surname(const um_sc_norm *nm, const char *key);
/* true when key is the key of a generic business word (a list unit with
 * it is generic, and its key is not posted unless the name is all generic) */
bool um_sc_is_generic_key(const um_sc_norm *nm, const char *key);
int um_sc_syl_repairs(const um_sc_norm *nm, const char *w, size_t n, char keys[][UM_SC_KEYLEN], int max);

/* ---- lists ---------------------------------------------------------------- */

typedef enum um_sc_etype { UM_SC_T_UNKNOWN = 0, UM_SC_T_PERSON, UM_SC_T_ENTITY, UM_SC_T_VESSEL, UM_SC_T_AIRCRAFT } um_sc_etype;

typedef struct um_sc_dob {
    int16_t y0, y1; /* year range (equal for an exact year) */
    int8_t m, d;    /* 0 when unknown */
} um_sc_dob;

#define UM_SC_MAX_DOB 6
#define UM_SC_MAX_CC 8

typedef struct um_sc_entry {
    const char *list;    /* "OFAC SDN", "OFAC Consolidated", "UN", "EU", "UK" */
    const char *uid;     /* ent_num or reference number */
    const char *primary; /* primary name as listed */
    const char *programs;
    um_sc_etype type;
    uint8_t n_dob, n_nat, n_cc;
    um_sc_dob dob[UM_SC_MAX_DOB];
    char nat[UM_SC_MAX_CC][3]; /* nationality / citizenship, ISO alpha-2 */
    char cc[UM_SC_MAX_CC][3];  /* address / birth countries, ISO alpha-2 */
    bool orphan;               /* aliases only, primary row missing */
} um_sc_entry;

typedef struct um_sc_lname {
    uint32_t entry;
    const char *name;
    const char *kind; /* "primary", "a.k.a.", "f.k.a.", "n.k.a.", "weak a.k.a.", "original script" */
} um_sc_lname;

typedef struct um_sc_ident {
    const char *type;  /* "email", "wallet" */
    const char *value; /* canonical */
    uint32_t entry;
} um_sc_ident;

typedef struct um_sc_listfile {
    char *list, *path, *date, *what;
    int age_days;
    size_t entries, names;
} um_sc_listfile;

typedef struct um_sc_lists {
    um_arena arena;
    um_sc_entry *e;
    size_t n_e, cap_e;
    um_sc_lname *nm;
    size_t n_nm, cap_nm;
    um_sc_ident *id;
    size_t n_id, cap_id;
    um_sc_listfile *files;
    size_t n_files, cap_files;
    char **warnings;
    size_t n_warnings, cap_warnings;
} um_sc_lists;

/* Loads OFAC CSVs from ofac_dir (SDN and, when present, the Consolidated
 * non-SDN cons_*.csv), the UN XML and the EU FSF XML (any may be NULL:
 * skipped; a missing EU file is skipped silently, it is not bundled).
 * dates_tsv (may be NULL) gives list dates for bundled files. Bad rows are
 * skipped and counted in a warning; only out-of-memory and "nothing at all
 * could be read" fail. err gets a message on failure. */
um_status um_sc_lists_load(um_sc_lists *L, const char *ofac_dir, const char *un_xml, const char *eu_xml,
                           const char *dates_tsv, char *err, size_t errlen);
/* The same with every list's path named (any may be NULL: skipped). uk_xml:
 * the UK Sanctions List XML (FCDO), loaded only when the file exists. In
 * ofac_dir, sdn_advanced.xml (cons_advanced.xml), when present and
 * readable, is loaded instead of the SDN (Consolidated) CSV files. */
typedef struct um_sc_list_paths {
    const char *ofac_dir, *un_xml, *eu_xml, *uk_xml, *dates_tsv;
} um_sc_list_paths;
um_status um_sc_lists_load_paths(um_sc_lists *L, const um_sc_list_paths *p, char *err, size_t errlen);
void um_sc_lists_free(um_sc_lists *L);
/* ISO alpha-2 code of a country name or code; NULL when unknown. */
const char *um_sc_country_code(const char *s, size_t n);
/* Parses "YYYY-MM-DD", "YYYY-MM" or "YYYY"; false when malformed. */
bool um_sc_parse_dob(const char *s, um_sc_dob *out);

/* ---- compiled index file (idxfile.c) ---------------------------------------- */

#define UM_SC_IDX_VERSION 7 /* 5 was the run-length typo lists, reverted; 7: cn_has CN_TYPO_UNSAFE */
typedef struct um_sc_sect {
    const void *p;
    uint64_t len;
} um_sc_sect;
typedef struct um_sc_idxmap {
    void *base;
    size_t len;
    bool mapped; /* through um_os.map; else read into um_malloc'd memory (the SIGBUS guard is off) */
} um_sc_idxmap;
/* Writes the n sections under a header (magic, version, key, size,
 * checksum) to dir/name atomically (temporary file, fsync, rename). */
um_status um_sc_idx_write(const char *dir, const char *name, uint64_t key, const um_sc_sect *sec, int n, char *err,
                          size_t errlen);
/* Maps path read-only (um_os.map; read into memory when the SIGBUS guard
 * is off) and checks magic, version, size, key, checksum and every
 * section's bounds under the guard (a file cut short meanwhile is refused);
 * sec[0..n) then point into the map. On any failure nothing stays mapped
 * and why[] says what was wrong. */
um_status um_sc_idx_map(const char *path, uint64_t key, um_sc_idxmap *m, um_sc_sect *sec, int n, char *why,
                        size_t whylen);
void um_sc_idx_unmap(um_sc_idxmap *m);

#endif
