/*
 * screen.c - the sanctions screener: index, matcher, scores, public API.
 *
 * Every list name (primary and aliases) is normalised once into units
 * (norm.c) whose canonical keys are interned; an inverted index maps each key
 * (and the 3-letter prefix of each non-Korean word of 5+ letters, for typos)
 * to the names holding it. A query is normalised the same way; names sharing
 * enough key weight with it are scored:
 *
 *   pairs     best one-to-one pairing of query and list units by similarity
 *             (1.0 same key; spelling similarity for near misses, damped for
 *             Korean syllables, where one letter is another syllable)
 *   name      weighted Dice: 2 * sum(sim * (wq + wl) / 2) / (sum wq + sum wl)
 *             x 0.8 for every distinctive unit (weight >= 0.5) left unpaired
 *             x 0.9 when the order is not the listed one or a rotation of it
 *             (surname moved); capped at 0.5 when only generic words or only
 *             surnames pair
 *   adjust    DOB disagreeing with every listed DOB -0.25, agreeing +0.02
 *             (year) / +0.05 (day); nationality disagreeing with a listed one
 *             -0.10, agreeing +0.03; query type person vs listed entity (or
 *             the reverse) rules the entry out
 *
 * Weights: syllables and words 1.0; a common Korean surname in surname
 * position 0.5; a non-Korean token of 1-2 letters 0.6; generic business
 * words 0.05-0.2. docs/SCREENING.md gives the calibration.
 *
 * Ownership: the screener owns everything it loaded and is immutable after
 * um_screener_open(); um_screen_name allocates per call (scratch + result).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <time.h>

#include "../core/internal.h"
#include "../os/os.h"
#include "screen_int.h"
#include "../util/ascii.h"
#include "um_sc_code_hash.h"

#define DEFAULT_THRESHOLD 0.80
#define DEFAULT_LIMIT 10
#define MAX_DF 4000 /* a key in more names than this is no candidate key */
#define CAND_TYPO 1 /* a candidate holds an affix or deletion key of the query */
#define CAND_XOK 2  /* ... and every query unit that pairs only by key (collect()) */
#define CAND_RUN 4  /* ... and has a run near a query word (typo_run(), tested in the walk) */
#define NO_KEY UINT32_MAX
/* units that make up a run (typo keys of words joined): not generic, a
 * number, original script or a surname */
#define RUNNABLE(fl) (!((fl) & (UM_SCU_GENERIC | UM_SCU_NUMBER | UM_SCU_SCRIPT | UM_SCU_SURNAME)))
#define CN_HAS_LATIN 1   /* a unit that is not Korean, generic or a number: near-pairs with anything */
#define CN_HAS_KOREAN 2  /* a Korean syllable: near-pairs with non-Korean units only (x0.8) */
#define CN_HAS_ANY (CN_HAS_LATIN | CN_HAS_KOREAN)
/* a unit that may pair with a query word of 7+ letters (one edit, or the
 * same spelling) without the name holding an end key (affix key) of that
 * word's key or spelling: a Korean syllable of 6+ letters (its ends are
 * not posted), a spelling of 6+ letters whose key's ends are not its own
 * (folded: -ey/-ei, kh/h) or whose key is too short for end keys, unless
 * those ends are posted under their own keys (raw_end_key(); they are); or
 * a name whose keys did not all fit its postings. collect()'s treq leaves
 * such a name alone. */
#define CN_TYPO_UNSAFE 4
#define RUN_SLOW 63u     /* cn_run: the runs do not fit the word */
/* paux: the name's run length (6 bits: 0 no run, PAUX_TWO two runs,
 * RUN_SLOW more or a longer one), then 16 bits: a run's letters folded (a
 * letter and the one 16 after it share a bit: the folded sets of two words
 * differ in no more letters than the words do), or the lengths of two
 * runs; then the weight L rounded down to an eighth (10 bits; never more
 * than L, so a bound from it is never less) */
#define PAUX_TWO 62u
#define PAUX_LEN(a) ((a) >> 26)
#define PAUX_FOLD(a) (((a) >> 10) & 0xffffu)
#define PAUX_LEN1(a) (((a) >> 10) & 63u)
#define PAUX_LEN2(a) (((a) >> 16) & 63u)
#define PAUX_L8(a) ((a) & 0x3ffu)
static inline uint32_t fold16(uint32_t m) { return (m & 0xffffu) | (m >> 16); }

typedef struct cunit {
    uint32_t key;
    uint32_t pkey; /* prefix key id (typo candidates), NO_KEY when none */
    uint32_t skey; /* suffix key id (typo candidates), NO_KEY when none */
    uint32_t rpkey, rskey; /* first unit of a run of words: the run's prefix and suffix keys (else NO_KEY) */
    uint32_t kmask, rmask; /* letters of the key and of the spelling (a-z bits): a cheap typo filter */
    uint32_t runmask;      /* first unit of a run of Korean syllables: the run's letters, and its length */
    uint8_t runlen;        /* (0 elsewhere) */
    float w;
    uint8_t flags, word, rawlen;
    uint32_t raw; /* spelling: offset into ustr */
} cunit;

#define URAW(s, c) ((s)->ustr + (c)->raw)

struct um_screener {
    char err[512];
    um_ctx *ctx; /* indicator lists (um_ioc) */
    bool ctx_borrowed; /* ctx belongs to the caller (um_screener_open_ctx) */
    um_sc_norm norm;
    um_sc_lists lists;
    char **warn;
    size_t n_warn, cap_warn;
    um_list_info *info;
    /* compiled names: each list name once per distinct normalised form */
    size_t n_names, cap_cn;
    uint32_t *cn_lname; /* compiled name -> index into lists.nm */
    uint8_t *cn_type;   /* compiled name -> entry type (um_sc_etype), kept compact for the candidate loop */
    /* per compiled name, for the upper bound on its score (collect()) */
    float *cn_L;        /* sum of unit weights */
    uint8_t *cn_nld;    /* distinctive units: weight >= 0.5, not generic */
    uint8_t *cn_has;    /* CN_HAS_* */
    /* per compiled name, its runs (typo_run()) in one word the candidate
     * walk reads before anything else of the name: up to two runs, each
     * its length (6 bits, 0 no run) and letters (26 bits); RUN_SLOW in the
     * first: more runs or a longer one, read the units */
    uint64_t *cn_run;
    uint32_t *uoff;     /* n_names + 1 */
    cunit *units;
    /* the candidate keys of each unit packed (key unless generic, prefix,
     * suffix: 12 bytes, not the 48 of a cunit) and every unit's key, for
     * the candidate loop, which touches many names */
    uint32_t (*ucand)[5];
    uint32_t *ukey;
    /* what bound() reads of a unit, in 20 bytes (one cache line holds a
     * name's units): key, letters of key, spelling and run, flags, lengths */
    struct unear { uint32_t key, kmask, rmask, runmask; uint8_t flags, klen, rlen, runlen; } *unear;
    uint8_t *is_entity_name;
    char *ustr;          /* spellings of the units, NUL-terminated */
    size_t ustr_len, ustr_cap;
    /* keys */
    um_map keys; /* key -> id + 1 (while building) */
    uint32_t *ktab;      /* open addressing: slot -> key id + 1 (0 empty); lookups */
    uint32_t ktab_mask;
    const char **keystr;
    uint8_t *keylen;
    size_t n_keys, cap_keys;
    uint32_t *poff, *post; /* postings per key id */
    /* beside each posting, what the walk needs of its name before it reads
     * the name (PAUX_*): read in order with the posting, where a read of
     * the name elsewhere in memory is a cache miss */
    uint32_t *paux;
    um_map idents;         /* "type\x1fvalue" -> ident index + 1 */
    /* one party listed on several lists (OFAC SDN and UN, ...): entries of
     * different lists with the same type, the same primary name (keys in
     * any order) and, when both give one, a date of birth in common */
    uint32_t *party;       /* entry -> party id (the party's first entry) */
    uint32_t *party_next;  /* entry -> next entry of its party, NO_KEY at the end */
    /* the compiled index file: when mapped, the arrays above (not keystr,
     * the lists' arrays or idents) point into it, read-only */
    um_sc_idxmap map;
    bool mapped;
    char index_path[4096]; /* the file read or written; "" when none */
    const char *index_state; /* "loaded", "built and written", "built (not written: ...)" */
    char index_note[600];
    double open_ms_index;    /* time to map and check the index file */
    uint64_t gen;            /* this screener among every one opened in the process (make_form's memo) */
};

struct um_screen_result {
    um_arena arena;
    um_screen_match *m;
    size_t n, cap;
    const char *query;
};

static void add_warn(um_screener *s, const char *w) {
    if (!w || !*w) return;
    char *c = um_strdup(w);
    if (!c) return;
    if (!um_grow((void **)&s->warn, &s->cap_warn, s->n_warn + 1, sizeof *s->warn)) {
        um_free(c);
        return;
    }
    s->warn[s->n_warn++] = c;
}

static const char *type_name(um_sc_etype t) {
    switch (t) {
    case UM_SC_T_PERSON: return "person";
    case UM_SC_T_ENTITY: return "entity";
    case UM_SC_T_VESSEL: return "vessel";
    case UM_SC_T_AIRCRAFT: return "aircraft";
    default: return "unknown";
    }
}

static uint32_t intern(um_screener *s, const char *key, size_t n) {
    bool created;
    um_map_slot *sl = um_map_upsert(&s->keys, key, n, &created);
    if (!sl) return NO_KEY;
    if (!created) return (uint32_t)((uintptr_t)sl->val - 1);
    if (!um_grow((void **)&s->keystr, &s->cap_keys, s->n_keys + 1, sizeof *s->keystr)) return NO_KEY;
    size_t cap = s->cap_keys;
    uint8_t *kl = um_realloc(s->keylen, cap);
    if (!kl) return NO_KEY;
    s->keylen = kl;
    s->keystr[s->n_keys] = sl->key;
    s->keylen[s->n_keys] = (uint8_t)(n > 255 ? 255 : n);
    sl->val = (void *)(uintptr_t)(s->n_keys + 1);
    return (uint32_t)s->n_keys++;
}

static uint32_t key_lookup(const um_screener *s, const char *key, size_t n) {
    if (!s->ktab) return NO_KEY;
    for (uint32_t h = (uint32_t)um_hash64(key, n, 0) & s->ktab_mask;; h = (h + 1) & s->ktab_mask) {
        uint32_t v = s->ktab[h];
        if (!v) return NO_KEY;
        if (s->keylen[v - 1] == (n > 255 ? 255 : n) && memcmp(s->keystr[v - 1], key, n) == 0 &&
            s->keystr[v - 1][n] == 0)
            return v - 1;
    }
}

/* the lookup table of keystr (after the index is built) */
static bool build_ktab(um_screener *s) {
    size_t cap = 64;
    while (cap < s->n_keys * 2 + 2) cap *= 2;
    s->ktab = um_calloc(cap, sizeof *s->ktab);
    if (!s->ktab) return false;
    s->ktab_mask = (uint32_t)(cap - 1);
    for (size_t i = 0; i < s->n_keys; i++) {
        const char *k = s->keystr[i];
        uint32_t h = (uint32_t)um_hash64(k, strlen(k), 0) & s->ktab_mask;
        while (s->ktab[h]) h = (h + 1) & s->ktab_mask;
        s->ktab[h] = (uint32_t)i + 1;
    }
    return true;
}

/* a spelling into ustr; its offset, UINT32_MAX when out of memory */
static uint32_t ustr_add(um_screener *s, const char *w, size_t n) {
    if (!um_grow((void **)&s->ustr, &s->ustr_cap, s->ustr_len + n + 1, 1)) return UINT32_MAX;
    uint32_t off = (uint32_t)s->ustr_len;
    memcpy(s->ustr + off, w, n);
    s->ustr[off + n] = 0;
    s->ustr_len += n + 1;
    return off;
}

/* typo candidate keys of a non-Korean word of 5+ letters, or of a run of
 * Korean syllables joined: "\x01" + its first 3 letters, "\x03" + its last
 * 3 (a typo leaves at least one of the two whole) */
static bool affix_keys(const char *w, size_t n, char *pre, char *suf) {
    if (n < 5) return false;
    pre[0] = 1;
    memcpy(pre + 1, w, 3);
    pre[4] = 0;
    suf[0] = 3;
    memcpy(suf + 1, w + n - 3, 3);
    suf[4] = 0;
    return true;
}

/* "\x04" + the first 3 letters of a spelling (e 0), "\x05" + the last 3
 * (e 1): a list unit's spelling ends that its key's ends are not (treq) */
static void raw_end_key(const char *w, size_t n, int e, char *out) {
    out[0] = e ? 5 : 4;
    memcpy(out + 1, e ? w + n - 3 : w, 3);
    out[4] = 0;
}

static bool prefix_key(const um_sc_unit *u, char *pre, char *suf) {
    if (u->flags & (UM_SCU_KOREAN | UM_SCU_GENERIC | UM_SCU_NUMBER | UM_SCU_SCRIPT)) return false;
    /* the key: the spellings it folds together (Tsaryov, Zarjow) share its
     * ends, and a typo in the spelling is one in the key */
    return affix_keys(u->key, strlen(u->key), pre, suf);
}

/* at most 2 (4) bits set in x: the lowest set bit cleared twice (four
 * times) leaves nothing - the letter-set tests of a typo ("one edit
 * changes at most 2 letters of the set") without a count of every bit
 * (no popcnt instruction is assumed) */
static inline uint32_t clr_low(uint32_t x) { return x & (x - 1); }
static inline bool bits_le2(uint32_t x) { return clr_low(clr_low(x)) == 0; }
static inline bool bits_le4(uint32_t x) { return clr_low(clr_low(clr_low(clr_low(x)))) == 0; }

static uint32_t letter_mask(const char *w) {
    uint32_t m = 0;
    for (; *w; w++)
        if (*w >= 'a' && *w <= 'z') m |= 1u << (*w - 'a');
    return m;
}

static bool grow_names(um_screener *s, size_t need) {
    if (need <= s->cap_cn) return true;
    size_t cap = s->cap_cn * 2 > need ? s->cap_cn * 2 : need;
    uint32_t *a = um_realloc(s->cn_lname, cap * sizeof *a);
    if (a) s->cn_lname = a;
    uint8_t *t = um_realloc(s->cn_type, cap);
    if (t) s->cn_type = t;
    float *l = um_realloc(s->cn_L, cap * sizeof *l);
    if (l) s->cn_L = l;
    uint8_t *d = um_realloc(s->cn_nld, cap);
    if (d) s->cn_nld = d;
    uint8_t *h = um_realloc(s->cn_has, cap);
    if (h) s->cn_has = h;
    uint64_t *r = um_realloc(s->cn_run, cap * sizeof *r);
    if (r) s->cn_run = r;
    uint32_t *u = um_realloc(s->uoff, (cap + 1) * sizeof *u);
    if (u) s->uoff = u;
    if (!a || !t || !l || !d || !h || !r || !u) return false;
    s->cap_cn = cap;
    return true;
}

/* Deletion keys: "\x02" + a short non-Korean word with one letter taken
 * out (d < n), or whole (d == n). Two words one typo apart (a letter
 * substituted, dropped, added or two swapped) share one: the candidates
 * for a typo in a word too short for the affix keys. */
#define DEL_MIN 3
#define DEL_MAX 7
#define DEL_MAX_DF 400 /* a deletion key in more names is not used */
static bool del_word(const um_sc_unit *u) {
    if (u->flags & (UM_SCU_KOREAN | UM_SCU_GENERIC | UM_SCU_NUMBER | UM_SCU_SCRIPT)) return false;
    size_t n = strlen(u->raw);
    return n >= DEL_MIN && n <= DEL_MAX;
}
/* a listed word indexed under its deletion keys: a short non-Korean word,
 * or a Korean syllable of 4+ letters (a swapped or dropped letter that
 * gives no syllable: Cohl, Chl for Chol; the query word is then no listed
 * word, and a key in more than DEL_MAX_DF names is not used). A 3-letter
 * syllable's keys of 2 letters are not (Tao would find Tai). */
static bool del_listed(const um_sc_unit *u) {
    if (u->flags & (UM_SCU_GENERIC | UM_SCU_NUMBER | UM_SCU_SCRIPT)) return false;
    size_t n = strlen(u->raw);
    return n >= (u->flags & UM_SCU_KOREAN ? DEL_MIN + 1 : DEL_MIN) && n <= DEL_MAX;
}

static size_t del_key(const char *w, size_t n, size_t d, char *out) {
    size_t o = 0;
    out[o++] = 2;
    for (size_t i = 0; i < n; i++)
        if (i != d) out[o++] = w[i];
    out[o] = 0;
    return o;
}

/* A posting: the compiled name in the high 24 bits (postings sort by
 * name), its entry type and number of distinctive units (at most 31) in
 * the low 8, so the walk rules a name out without touching it. */
#define POST_NAME(v) ((v) >> 8)
#define POST_TYPE(v) (((v) >> 5) & 7u)
#define POST_NLD(v) ((v) & 31u)
#define MAX_NAMES (1u << 24)
static uint32_t post_code(const um_screener *s, uint32_t ni) {
    uint32_t nld = s->cn_nld[ni] > 31 ? 31 : s->cn_nld[ni];
    return ni << 8 | ((uint32_t)(s->cn_type[ni] & 7) << 5) | nld;
}

/* a name of generic words alone (INTERNATIONAL INDUSTRIAL DEVELOPMENT
 * BANK): its generic words are its candidate keys */
static bool all_generic(const um_screener *s, uint32_t ni) {
    if (s->uoff[ni] == s->uoff[ni + 1]) return false;
    for (uint32_t k = s->uoff[ni]; k < s->uoff[ni + 1]; k++)
        if (!(s->units[k].flags & UM_SCU_GENERIC)) return false;
    return true;
}

static um_status build_index(um_screener *s) {
    um_sc_lists *L = &s->lists;
    size_t n_units = 0, cap_units = L->n_nm * 4 + 16;
    uint32_t *dpairs = NULL; /* (compiled name, deletion key) pairs, names in order */
    size_t n_dp = 0, cap_dp = 0;
    s->n_names = 0;
    s->cap_cn = 0;
    s->is_entity_name = um_calloc(L->n_nm + 1, 1);
    s->units = um_malloc(cap_units * sizeof *s->units);
    uint32_t *df = NULL;
    if (!s->is_entity_name || !s->units || !grow_names(s, L->n_nm * 2 + 16)) return UM_ENOMEM;
    um_sc_name forms[UM_SC_MAX_FORMS];
    for (size_t i = 0; i < L->n_nm; i++) {
        const um_sc_entry *e = &L->e[L->nm[i].entry];
        int want = e->type == UM_SC_T_ENTITY || e->type == UM_SC_T_VESSEL || e->type == UM_SC_T_AIRCRAFT ? 1
                   : e->type == UM_SC_T_UNKNOWN                                                         ? -1
                                                                                                          : 0;
        bool ent = false;
        int nf = um_sc_norm_forms(&s->norm, L->nm[i].name, want, false, forms, &ent);
        s->is_entity_name[i] = ent;
        for (int f = 0; f < nf; f++) {
            const um_sc_name *nm = &forms[f];
            if (!nm->n && f) continue;
            if (!grow_names(s, s->n_names + 2) ||
                !um_grow((void **)&s->units, &cap_units, n_units + (size_t)nm->n, sizeof *s->units))
                goto oom;
            size_t ni = s->n_names++;
            s->cn_lname[ni] = (uint32_t)i;
            s->cn_type[ni] = (uint8_t)e->type;
            s->uoff[ni] = (uint32_t)n_units;
            float Lw = 0;
            uint8_t nld = 0, has = 0;
            for (int k = 0; k < nm->n; k++) {
                const um_sc_unit *u = &nm->u[k];
                cunit *c = &s->units[n_units++];
                memset(c, 0, sizeof *c); /* padding too: the index file is compared by checksum */
                size_t kl = strlen(u->key);
                c->key = intern(s, u->key, kl);
                if (c->key == NO_KEY) goto oom;
                c->w = u->w;
                c->flags = u->flags;
                c->word = u->word;
                size_t rl = strlen(u->raw);
                c->raw = ustr_add(s, u->raw, rl);
                if (c->raw == UINT32_MAX) goto oom;
                c->rawlen = (uint8_t)rl;
                c->runmask = 0;
                c->runlen = 0;
                c->kmask = letter_mask(u->key);
                c->rmask = letter_mask(u->raw);
                char pk[8], sk[8];
                c->pkey = c->skey = c->rpkey = c->rskey = NO_KEY;
                if (prefix_key(u, pk, sk) &&
                    ((c->pkey = intern(s, pk, 4)) == NO_KEY || (c->skey = intern(s, sk, 4)) == NO_KEY))
                    goto oom;
                /* deletion keys of a short word (a typo in it: Znc, Spfce) */
                if (del_listed(u)) {
                    char dk[DEL_MAX + 2];
                    size_t rl2 = strlen(u->raw);
                    for (size_t d = 0; d <= rl2; d++) {
                        size_t dn = del_key(u->raw, rl2, d, dk);
                        uint32_t id = intern(s, dk, dn);
                        if (id == NO_KEY || !um_grow((void **)&dpairs, &cap_dp, n_dp + 2, sizeof *dpairs)) goto oom;
                        dpairs[n_dp++] = (uint32_t)ni;
                        dpairs[n_dp++] = id;
                    }
                }
                Lw += u->w;
                if (!(u->flags & (UM_SCU_GENERIC | UM_SCU_NUMBER | UM_SCU_SCRIPT))) {
                    if (u->flags & UM_SCU_KOREAN) {
                        if (rl >= 6 || kl >= 6) has |= CN_TYPO_UNSAFE;
                    } else if (rl >= 6) {
                        /* the ends of a spelling of 6+ letters that are not its
                         * key's ends (-ey/-ei, kh/h, ts/z, or a key too short
                         * for end keys): posted under their own keys,
                         * "\x04" + first 3, "\x05" + last 3, which only
                         * collect()'s treq test reads */
                        bool pre = kl >= 5 && memcmp(u->key, u->raw, 3) == 0;
                        bool suf = kl >= 5 && memcmp(u->key + kl - 3, u->raw + rl - 3, 3) == 0;
                        for (int end = 0; end < 2; end++) {
                            if (end ? suf : pre) continue;
                            char ek[8];
                            raw_end_key(u->raw, rl, end, ek);
                            uint32_t id = intern(s, ek, 4);
                            if (id == NO_KEY || !um_grow((void **)&dpairs, &cap_dp, n_dp + 2, sizeof *dpairs)) goto oom;
                            dpairs[n_dp++] = (uint32_t)ni;
                            dpairs[n_dp++] = id;
                        }
                    }
                }
                if (u->w >= 0.5f && !(u->flags & UM_SCU_GENERIC)) nld++;
                if (!(u->flags & (UM_SCU_GENERIC | UM_SCU_NUMBER)))
                    has |= (u->flags & UM_SCU_KOREAN) ? CN_HAS_KOREAN : CN_HAS_LATIN;
            }
            /* a run of Korean syllables: typo keys of the run joined, on its first unit */
            uint64_t runs = 0;
            int nruns = 0;
            for (int k = 0; k < nm->n;) {
                if (!RUNNABLE(nm->u[k].flags)) {
                    k++;
                    continue;
                }
                int e2 = k;
                char run[UM_SC_KEYLEN * 4];
                size_t rn = 0;
                while (e2 < nm->n && RUNNABLE(nm->u[e2].flags)) {
                    size_t rl = strlen(nm->u[e2].raw);
                    if (rn + rl < sizeof run) memcpy(run + rn, nm->u[e2].raw, rl), rn += rl;
                    e2++;
                }
                char pk[8], sk[8];
                cunit *c0 = &s->units[s->uoff[ni] + (size_t)k];
                run[rn] = 0;
                c0->runmask = letter_mask(run);
                c0->runlen = (uint8_t)(rn > 255 ? 255 : rn);
                if (c0->runlen) {
                    uint32_t slot = c0->runlen >= RUN_SLOW || nruns >= 2 ? RUN_SLOW << 26
                                                                          : (uint32_t)c0->runlen << 26 | c0->runmask;
                    if (slot >> 26 == RUN_SLOW) runs = (uint64_t)slot; /* the units are read */
                    else if ((uint32_t)runs >> 26 != RUN_SLOW) runs |= (uint64_t)slot << (32 * nruns);
                    nruns++;
                }
                if (e2 - k > 1 && affix_keys(run, rn, pk, sk) &&
                    ((c0->rpkey = intern(s, pk, 4)) == NO_KEY || (c0->rskey = intern(s, sk, 4)) == NO_KEY))
                    goto oom;
                /* a short run of an entity name (SENAT = sen-at, HANA =
                 * han-a, KOTI) has the deletion keys of its spelling: a
                 * typo in it (ENAT, HAMA, KOTGI) splits into other
                 * syllables, and 4 letters have no affix keys */
                if (ent && e2 - k > 1 && rn >= DEL_MIN + 1 && rn <= DEL_MAX)
                    for (size_t d = 0; d <= rn; d++) {
                        char dk[DEL_MAX + 2];
                        size_t dn = del_key(run, rn, d, dk);
                        uint32_t id = intern(s, dk, dn);
                        if (id == NO_KEY || !um_grow((void **)&dpairs, &cap_dp, n_dp + 2, sizeof *dpairs)) goto oom;
                        dpairs[n_dp++] = (uint32_t)ni;
                        dpairs[n_dp++] = id;
                    }
                k = e2;
            }
            s->cn_L[ni] = Lw;
            s->cn_nld[ni] = nld;
            s->cn_has[ni] = has;
            s->cn_run[ni] = runs;
        }
    }
    s->uoff[s->n_names] = (uint32_t)n_units;
    if (s->n_names >= MAX_NAMES) goto oom; /* postings hold a name in 24 bits */
    df = um_calloc(s->n_keys + 1, sizeof *df);
    s->poff = um_calloc(s->n_keys + 2, sizeof *s->poff);
    if (!df || !s->poff) goto oom;
    /* count, then fill (names in order, so postings are sorted) */
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            size_t tot = 0;
            for (size_t k = 0; k < s->n_keys; k++) {
                s->poff[k] = (uint32_t)tot;
                tot += df[k];
                df[k] = 0;
            }
            s->poff[s->n_keys] = (uint32_t)tot;
            s->post = um_malloc((tot + 1) * sizeof *s->post);
            if (!s->post) goto oom;
        }
        size_t dp = 0;
        for (size_t i = 0; i < s->n_names; i++) {
            uint32_t seen[UM_SC_MAX_UNITS * 5 + 64];
            int n_seen = 0;
            for (; dp < n_dp && dpairs[dp] == i; dp += 2) {
                uint32_t id = dpairs[dp + 1];
                bool dup = false;
                for (int q = 0; q < n_seen; q++) dup |= seen[q] == id;
                if (!dup && n_seen >= (int)(sizeof seen / sizeof *seen)) s->cn_has[i] |= CN_TYPO_UNSAFE;
                if (dup || n_seen >= (int)(sizeof seen / sizeof *seen)) continue;
                seen[n_seen++] = id;
                if (pass == 0) df[id]++;
                else s->post[s->poff[id] + df[id]++] = post_code(s, (uint32_t)i);
            }
            bool allgen = all_generic(s, (uint32_t)i);
            for (uint32_t k = s->uoff[i]; k < s->uoff[i + 1]; k++) {
                const cunit *c = &s->units[k];
                uint32_t ids[5] = {(c->flags & UM_SCU_GENERIC) && !allgen ? NO_KEY : c->key, c->pkey, c->skey,
                                   c->rpkey, c->rskey};
                for (int j = 0; j < 5; j++) {
                    if (ids[j] == NO_KEY) continue;
                    bool dup = false;
                    for (int q = 0; q < n_seen; q++) dup |= seen[q] == ids[j];
                    if (!dup && n_seen >= (int)(sizeof seen / sizeof *seen)) s->cn_has[i] |= CN_TYPO_UNSAFE;
                    if (dup || n_seen >= (int)(sizeof seen / sizeof *seen)) continue;
                    seen[n_seen++] = ids[j];
                    if (pass == 0) df[ids[j]]++;
                    else s->post[s->poff[ids[j]] + df[ids[j]]++] = post_code(s, (uint32_t)i);
                }
            }
        }
    }
    um_free(df);
    um_free(dpairs);
    dpairs = NULL;
    s->paux = um_malloc(((size_t)s->poff[s->n_keys] + 1) * sizeof *s->paux);
    if (!s->paux) return UM_ENOMEM;
    for (size_t i = 0; i < s->poff[s->n_keys]; i++) {
        uint32_t ni = POST_NAME(s->post[i]);
        uint32_t r = (uint32_t)s->cn_run[ni], r2 = (uint32_t)(s->cn_run[ni] >> 32), len = r >> 26, fold = 0;
        if (r2 && (len >= PAUX_TWO || r2 >> 26 >= PAUX_TWO)) len = RUN_SLOW;
        else if (r2) fold = len | (r2 >> 26) << 6, len = PAUX_TWO;
        else if (len >= PAUX_TWO) len = RUN_SLOW;
        else if (len) fold = fold16(r & 0x3ffffffu);
        float l8 = floorf(s->cn_L[ni] * 8);
        uint32_t lq = l8 > 1023 ? 1023 : l8 < 0 ? 0 : (uint32_t)l8;
        s->paux[i] = len << 26 | fold << 10 | lq;
    }
    s->ucand = um_malloc((n_units + 1) * sizeof *s->ucand);
    s->ukey = um_malloc((n_units + 1) * sizeof *s->ukey);
    s->unear = um_malloc((n_units + 1) * sizeof *s->unear);
    if (!s->ucand || !s->ukey || !s->unear) return UM_ENOMEM;
    memset(s->unear, 0, (n_units + 1) * sizeof *s->unear);
    for (size_t ni = 0; ni < s->n_names; ni++) {
        bool allgen = all_generic(s, (uint32_t)ni);
        for (size_t k = s->uoff[ni]; k < s->uoff[ni + 1]; k++)
            s->ucand[k][0] = (s->units[k].flags & UM_SCU_GENERIC) && !allgen ? NO_KEY : s->units[k].key;
    }
    for (size_t k = 0; k < n_units; k++) {
        const cunit *c = &s->units[k];
        s->ucand[k][1] = c->pkey;
        s->ucand[k][2] = c->skey;
        s->ucand[k][3] = c->rpkey;
        s->ucand[k][4] = c->rskey;
        s->ukey[k] = c->key;
        s->unear[k].key = c->key;
        s->unear[k].runmask = c->runmask;
        s->unear[k].runlen = c->runlen;
        s->unear[k].kmask = c->kmask;
        s->unear[k].rmask = c->rmask;
        s->unear[k].flags = c->flags;
        s->unear[k].klen = s->keylen[c->key];
        s->unear[k].rlen = c->rawlen;
    }
    return UM_OK;
oom:
    um_free(df);
    um_free(dpairs);
    return UM_ENOMEM;
}

/* identifiers from SDN remarks: "type\x1fvalue" -> index + 1 */
static um_status build_idents(um_screener *s) {
    const um_sc_lists *L = &s->lists;
    for (size_t i = 0; i < L->n_id; i++) {
        char key[1024];
        int n = snprintf(key, sizeof key, "%s\x1f%s", L->id[i].type, L->id[i].value);
        if (n < 0 || (size_t)n >= sizeof key) continue;
        bool created;
        um_map_slot *sl = um_map_upsert(&s->idents, key, (size_t)n, &created);
        if (!sl) return UM_ENOMEM;
        if (created) sl->val = (void *)(uintptr_t)(i + 1);
    }
    return UM_OK;
}

static int cmp_key_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

static bool dob_overlap(const um_sc_entry *a, const um_sc_entry *b) {
    if (!a->n_dob || !b->n_dob) return true; /* nothing to tell them apart */
    for (int i = 0; i < a->n_dob; i++)
        for (int j = 0; j < b->n_dob; j++)
            if (a->dob[i].y0 <= b->dob[j].y1 && b->dob[j].y0 <= a->dob[i].y1) return true;
    return false;
}

static um_status build_parties(um_screener *s) {
    um_sc_lists *L = &s->lists;
    s->party = um_malloc((L->n_e + 1) * sizeof *s->party);
    s->party_next = um_malloc((L->n_e + 1) * sizeof *s->party_next);
    if (!s->party || !s->party_next) return UM_ENOMEM;
    for (size_t i = 0; i < L->n_e; i++) s->party[i] = (uint32_t)i, s->party_next[i] = NO_KEY;
    um_map by; /* type + sorted keys of the primary name -> first entry + 1 */
    um_map_init(&by);
    um_status st = UM_OK;
    uint32_t last_lname = NO_KEY;
    for (size_t ci = 0; ci < s->n_names && st == UM_OK; ci++) {
        /* the first compiled form of each primary name */
        uint32_t li = s->cn_lname[ci];
        if (li == last_lname) continue;
        last_lname = li;
        if (strcmp(L->nm[li].kind, "primary") != 0) continue;
        size_t i = L->nm[li].entry;
        const um_sc_entry *e = &L->e[i];
        if (e->orphan || !e->primary) continue;
        int nu = (int)(s->uoff[ci + 1] - s->uoff[ci]);
        if (nu < 2 || nu > UM_SC_MAX_UNITS) continue; /* one word is too little to say it is the same party */
        const char *k[UM_SC_MAX_UNITS];
        for (int u = 0; u < nu; u++) k[u] = s->keystr[s->units[s->uoff[ci] + (size_t)u].key];
        qsort(k, (size_t)nu, sizeof *k, cmp_key_str);
        char key[UM_SC_MAX_UNITS * 256 + 8];
        size_t n = 0;
        key[n++] = (char)('0' + e->type);
        for (int u = 0; u < nu; u++) {
            size_t l = strlen(k[u]);
            key[n++] = ' ';
            memcpy(key + n, k[u], l);
            n += l;
        }
        bool created;
        um_map_slot *sl = um_map_upsert(&by, key, n, &created);
        if (!sl) {
            st = UM_ENOMEM;
            break;
        }
        if (created) {
            sl->val = (void *)(uintptr_t)(i + 1);
            continue;
        }
        uint32_t first = (uint32_t)((uintptr_t)sl->val - 1), last = first;
        bool other_list = true, dob_ok = true;
        for (uint32_t j = first; j != NO_KEY; j = s->party_next[j]) {
            other_list &= strcmp(L->e[j].list, e->list) != 0;
            dob_ok &= dob_overlap(&L->e[j], e);
            last = j;
        }
        if (!other_list || !dob_ok) continue; /* a namesake on the same list, or another DOB */
        s->party[i] = first;
        s->party_next[last] = (uint32_t)i;
    }
    um_map_free(&by);
    return st;
}

/* ---- the compiled index as a file (idxfile.c has the format) ------------------ */

/* an entry, a list name, an identifier and a list file as stored: strings
 * are offsets into the string section (NOSTR: NULL) */
#define NOSTR UINT32_MAX
typedef struct sent {
    uint32_t list, uid, primary, programs;
    uint8_t type, n_dob, n_nat, n_cc, orphan, pad[3];
    um_sc_dob dob[UM_SC_MAX_DOB];
    char nat[UM_SC_MAX_CC][3];
    char cc[UM_SC_MAX_CC][3];
} sent;
typedef struct slname { uint32_t entry, name, kind; } slname;
typedef struct sident { uint32_t type, value, entry; } sident;
typedef struct sfile { uint32_t list, path, date, what; uint64_t entries, names; } sfile;
typedef struct scount {
    uint64_t n_e, n_nm, n_id, n_files, n_warn, n_names, n_units, n_keys, n_post, ustr_len, str_len;
    uint32_t ktab_mask, pad;
} scount;

enum {
    SX_COUNT, SX_STR, SX_ENT, SX_LNM, SX_IDS, SX_FILES, SX_WARN, SX_CN_LNAME, SX_CN_TYPE, SX_CN_L, SX_CN_NLD,
    SX_CN_HAS, SX_UOFF, SX_UNITS, SX_UCAND, SX_UKEY, SX_UNEAR, SX_ISENT, SX_USTR, SX_KEYOFF, SX_KEYLEN, SX_POFF,
    SX_POST, SX_PARTY, SX_PARTY_NEXT, SX_CN_RUN, SX_PAUX, SX_KTAB, SX_N /* the key table last (test_screen_index) */
};

typedef struct sbuf {
    char *p;
    size_t n, cap;
    bool oom;
} sbuf;

static uint32_t sb_str(sbuf *b, const char *str) {
    if (!str) return NOSTR;
    size_t l = strlen(str);
    if (!um_grow((void **)&b->p, &b->cap, b->n + l + 1, 1)) {
        b->oom = true;
        return NOSTR;
    }
    uint32_t off = (uint32_t)b->n;
    memcpy(b->p + b->n, str, l + 1);
    b->n += l + 1;
    return off;
}

static um_status index_save(um_screener *s, const char *dir, const char *name, uint64_t key, char *err,
                            size_t errlen) {
    const um_sc_lists *L = &s->lists;
    sbuf b = {0};
    sent *E = um_calloc(L->n_e + 1, sizeof *E);
    slname *N = um_calloc(L->n_nm + 1, sizeof *N);
    sident *I = um_calloc(L->n_id + 1, sizeof *I);
    sfile *F = um_calloc(L->n_files + 1, sizeof *F);
    uint32_t *W = um_calloc(s->n_warn + 1, sizeof *W), *K = um_calloc(s->n_keys + 1, sizeof *K);
    um_status st = UM_ENOMEM;
    if (!E || !N || !I || !F || !W || !K) goto out;
    sb_str(&b, "");
    for (size_t i = 0; i < L->n_e; i++) {
        const um_sc_entry *e = &L->e[i];
        sent *o = &E[i];
        o->list = sb_str(&b, e->list), o->uid = sb_str(&b, e->uid), o->primary = sb_str(&b, e->primary);
        o->programs = sb_str(&b, e->programs);
        o->type = (uint8_t)e->type, o->n_dob = e->n_dob, o->n_nat = e->n_nat, o->n_cc = e->n_cc;
        o->orphan = e->orphan;
        memcpy(o->dob, e->dob, sizeof o->dob);
        memcpy(o->nat, e->nat, sizeof o->nat);
        memcpy(o->cc, e->cc, sizeof o->cc);
    }
    for (size_t i = 0; i < L->n_nm; i++)
        N[i] = (slname){L->nm[i].entry, sb_str(&b, L->nm[i].name), sb_str(&b, L->nm[i].kind)};
    for (size_t i = 0; i < L->n_id; i++)
        I[i] = (sident){sb_str(&b, L->id[i].type), sb_str(&b, L->id[i].value), L->id[i].entry};
    for (size_t i = 0; i < L->n_files; i++) {
        const um_sc_listfile *f = &L->files[i];
        F[i] = (sfile){sb_str(&b, f->list), sb_str(&b, f->path), sb_str(&b, f->date), sb_str(&b, f->what),
                       f->entries, f->names};
    }
    for (size_t i = 0; i < s->n_warn; i++) W[i] = sb_str(&b, s->warn[i]);
    for (size_t i = 0; i < s->n_keys; i++) K[i] = sb_str(&b, s->keystr[i]);
    if (b.oom) goto out;
    size_t nu = s->uoff[s->n_names];
    scount c = {L->n_e, L->n_nm, L->n_id, L->n_files, s->n_warn, s->n_names, nu, s->n_keys,
                s->poff[s->n_keys], s->ustr_len, b.n, s->ktab_mask, 0};
    um_sc_sect sec[SX_N] = {
        [SX_COUNT] = {&c, sizeof c},
        [SX_STR] = {b.p, b.n},
        [SX_ENT] = {E, L->n_e * sizeof *E},
        [SX_LNM] = {N, L->n_nm * sizeof *N},
        [SX_IDS] = {I, L->n_id * sizeof *I},
        [SX_FILES] = {F, L->n_files * sizeof *F},
        [SX_WARN] = {W, s->n_warn * sizeof *W},
        [SX_CN_LNAME] = {s->cn_lname, s->n_names * sizeof *s->cn_lname},
        [SX_CN_TYPE] = {s->cn_type, s->n_names},
        [SX_CN_L] = {s->cn_L, s->n_names * sizeof *s->cn_L},
        [SX_CN_NLD] = {s->cn_nld, s->n_names},
        [SX_CN_HAS] = {s->cn_has, s->n_names},
        [SX_UOFF] = {s->uoff, (s->n_names + 1) * sizeof *s->uoff},
        [SX_UNITS] = {s->units, nu * sizeof *s->units},
        [SX_UCAND] = {s->ucand, nu * sizeof *s->ucand},
        [SX_UKEY] = {s->ukey, nu * sizeof *s->ukey},
        [SX_UNEAR] = {s->unear, nu * sizeof *s->unear},
        [SX_ISENT] = {s->is_entity_name, L->n_nm},
        [SX_USTR] = {s->ustr, s->ustr_len},
        [SX_KEYOFF] = {K, s->n_keys * sizeof *K},
        [SX_KEYLEN] = {s->keylen, s->n_keys},
        [SX_POFF] = {s->poff, (s->n_keys + 1) * sizeof *s->poff},
        [SX_POST] = {s->post, s->poff[s->n_keys] * sizeof *s->post},
        [SX_PARTY] = {s->party, L->n_e * sizeof *s->party},
        [SX_PARTY_NEXT] = {s->party_next, L->n_e * sizeof *s->party_next},
        [SX_KTAB] = {s->ktab, ((size_t)s->ktab_mask + 1) * sizeof *s->ktab},
        [SX_CN_RUN] = {s->cn_run, s->n_names * sizeof *s->cn_run},
        [SX_PAUX] = {s->paux, s->poff[s->n_keys] * sizeof *s->paux},
    };
    st = um_sc_idx_write(dir, name, key, sec, SX_N, err, errlen);
out:
    um_free(E), um_free(N), um_free(I), um_free(F), um_free(W), um_free(K), um_free(b.p);
    return st;
}

static int age_of(const char *date) {
    int y, m, d;
    if (!date || sscanf(date, "%4d-%2d-%2d", &y, &m, &d) != 3) return -1;
    struct tm t = {0};
    t.tm_year = y - 1900, t.tm_mon = m - 1, t.tm_mday = d, t.tm_hour = 12;
    time_t then = timegm(&t);
    if (then == (time_t)-1) return -1;
    long days = (long)((time(NULL) - then) / 86400);
    return days < 0 ? 0 : (int)days;
}

/* Every array of the screener from a mapped, checked index file. The
 * lists' entries, names, identifiers and files become small heap arrays
 * whose strings point into the map; the rest is used in place. Returns
 * false (nothing kept) when a count disagrees with a section's size or an
 * offset points outside its section: the file is then rebuilt. */
static bool index_load(um_screener *s, const um_sc_sect *sec) {
    if (sec[SX_COUNT].len != sizeof(scount)) return false;
    scount c;
    memcpy(&c, sec[SX_COUNT].p, sizeof c);
    const uint64_t big = (uint64_t)1 << 31;
    if (c.n_e > big || c.n_nm > big || c.n_id > big || c.n_files > big || c.n_warn > big || c.n_names >= MAX_NAMES ||
        c.n_units > big || c.n_keys > big || c.n_post > big || c.ustr_len > big || c.str_len > big ||
        (c.ktab_mask & (c.ktab_mask + 1)) != 0 || c.ktab_mask < c.n_keys)
        return false;
#define SZ(x, n, t) (sec[x].len == (uint64_t)(n) * sizeof(t))
    if (!SZ(SX_STR, c.str_len, char) || !SZ(SX_ENT, c.n_e, sent) || !SZ(SX_LNM, c.n_nm, slname) ||
        !SZ(SX_IDS, c.n_id, sident) || !SZ(SX_FILES, c.n_files, sfile) || !SZ(SX_WARN, c.n_warn, uint32_t) ||
        !SZ(SX_CN_LNAME, c.n_names, uint32_t) || !SZ(SX_CN_TYPE, c.n_names, uint8_t) ||
        !SZ(SX_CN_L, c.n_names, float) || !SZ(SX_CN_NLD, c.n_names, uint8_t) ||
        !SZ(SX_CN_HAS, c.n_names, uint8_t) || !SZ(SX_UOFF, c.n_names + 1, uint32_t) ||
        !SZ(SX_UNITS, c.n_units, cunit) || !SZ(SX_UCAND, c.n_units, uint32_t[5]) ||
        !SZ(SX_UKEY, c.n_units, uint32_t) || !SZ(SX_UNEAR, c.n_units, struct unear) ||
        !SZ(SX_ISENT, c.n_nm, uint8_t) || !SZ(SX_USTR, c.ustr_len, char) || !SZ(SX_KEYOFF, c.n_keys, uint32_t) ||
        !SZ(SX_KEYLEN, c.n_keys, uint8_t) || !SZ(SX_POFF, c.n_keys + 1, uint32_t) ||
        !SZ(SX_POST, c.n_post, uint32_t) || !SZ(SX_PARTY, c.n_e, uint32_t) ||
        !SZ(SX_PARTY_NEXT, c.n_e, uint32_t) || !SZ(SX_KTAB, (uint64_t)c.ktab_mask + 1, uint32_t) ||
        !SZ(SX_CN_RUN, c.n_names, uint64_t) || !SZ(SX_PAUX, c.n_post, uint32_t))
        return false;
#undef SZ
    const char *str = sec[SX_STR].p;
    if (!c.str_len || str[c.str_len - 1] || (c.ustr_len && ((const char *)sec[SX_USTR].p)[c.ustr_len - 1]))
        return false;
#define STR(o) ((o) == NOSTR ? NULL : (o) < c.str_len ? str + (o) : (ok = false, ""))
    bool ok = true;
    um_sc_lists *L = &s->lists;
    L->e = um_calloc(c.n_e + 1, sizeof *L->e);
    L->nm = um_calloc(c.n_nm + 1, sizeof *L->nm);
    L->id = um_calloc(c.n_id + 1, sizeof *L->id);
    L->files = um_calloc(c.n_files + 1, sizeof *L->files);
    const char **ks = um_calloc(c.n_keys + 1, sizeof *ks);
    if (!L->e || !L->nm || !L->id || !L->files || !ks) ok = false;
    for (size_t i = 0; ok && i < c.n_e; i++) {
        const sent *o = &((const sent *)sec[SX_ENT].p)[i];
        um_sc_entry *e = &L->e[i];
        e->list = STR(o->list), e->uid = STR(o->uid), e->primary = STR(o->primary), e->programs = STR(o->programs);
        e->type = (um_sc_etype)o->type;
        e->n_dob = o->n_dob > UM_SC_MAX_DOB ? UM_SC_MAX_DOB : o->n_dob;
        e->n_nat = o->n_nat > UM_SC_MAX_CC ? UM_SC_MAX_CC : o->n_nat;
        e->n_cc = o->n_cc > UM_SC_MAX_CC ? UM_SC_MAX_CC : o->n_cc;
        e->orphan = o->orphan;
        memcpy(e->dob, o->dob, sizeof e->dob);
        memcpy(e->nat, o->nat, sizeof e->nat);
        memcpy(e->cc, o->cc, sizeof e->cc);
        for (int k = 0; k < UM_SC_MAX_CC; k++) e->nat[k][2] = e->cc[k][2] = 0;
        if (!e->list || !e->uid || !e->primary) ok = false;
    }
    for (size_t i = 0; ok && i < c.n_nm; i++) {
        const slname *o = &((const slname *)sec[SX_LNM].p)[i];
        L->nm[i].entry = o->entry;
        L->nm[i].name = STR(o->name);
        L->nm[i].kind = STR(o->kind);
        if (o->entry >= c.n_e || !L->nm[i].name || !L->nm[i].kind) ok = false;
    }
    for (size_t i = 0; ok && i < c.n_id; i++) {
        const sident *o = &((const sident *)sec[SX_IDS].p)[i];
        L->id[i].type = STR(o->type);
        L->id[i].value = STR(o->value);
        L->id[i].entry = o->entry;
        if (o->entry >= c.n_e || !L->id[i].type || !L->id[i].value) ok = false;
    }
    for (size_t i = 0; ok && i < c.n_files; i++) {
        const sfile *o = &((const sfile *)sec[SX_FILES].p)[i];
        um_sc_listfile *f = &L->files[i];
        f->list = (char *)STR(o->list), f->path = (char *)STR(o->path), f->date = (char *)STR(o->date);
        f->what = (char *)STR(o->what);
        f->age_days = age_of(f->date);
        f->entries = (size_t)o->entries, f->names = (size_t)o->names;
        if (!f->list || !f->path || !f->what) ok = false;
    }
    for (size_t i = 0; ok && i < c.n_keys; i++) {
        ks[i] = STR(((const uint32_t *)sec[SX_KEYOFF].p)[i]);
        if (!ks[i]) ok = false;
    }
    /* the arrays used in place: every index in them within bounds */
    const uint32_t *uoff = sec[SX_UOFF].p, *poff = sec[SX_POFF].p, *post = sec[SX_POST].p;
    const uint32_t *lname = sec[SX_CN_LNAME].p, *party = sec[SX_PARTY].p, *pnext = sec[SX_PARTY_NEXT].p;
    const uint32_t *ukey = sec[SX_UKEY].p, *ktab = sec[SX_KTAB].p;
    const uint32_t(*ucand)[5] = sec[SX_UCAND].p;
    const cunit *units = sec[SX_UNITS].p;
    if (ok && (uoff[0] != 0 || uoff[c.n_names] != c.n_units || poff[0] != 0 || poff[c.n_keys] != c.n_post))
        ok = false;
    for (size_t i = 0; ok && i < c.n_names; i++)
        if (uoff[i + 1] < uoff[i] || uoff[i + 1] - uoff[i] > UM_SC_MAX_UNITS || lname[i] >= c.n_nm) ok = false;
    for (size_t k = 0; ok && k < c.n_keys; k++)
        if (poff[k + 1] < poff[k]) ok = false;
    for (size_t i = 0; ok && i < c.n_post; i++)
        if (POST_NAME(post[i]) >= c.n_names) ok = false;
    for (size_t i = 0; ok && i < c.n_e; i++)
        if (party[i] >= c.n_e || (pnext[i] != NO_KEY && pnext[i] >= c.n_e)) ok = false;
    for (size_t i = 0; ok && i < c.n_units; i++) {
        const cunit *u = &units[i];
        if (u->key >= c.n_keys || ukey[i] >= c.n_keys || u->raw >= c.ustr_len ||
            (u->pkey != NO_KEY && u->pkey >= c.n_keys) || (u->skey != NO_KEY && u->skey >= c.n_keys))
            ok = false;
        for (int j = 0; j < 5; j++)
            if (ucand[i][j] != NO_KEY && ucand[i][j] >= c.n_keys) ok = false;
    }
    for (size_t i = 0; ok && i <= c.ktab_mask; i++)
        if (ktab[i] > c.n_keys) ok = false;
#undef STR
    if (!ok) {
        um_free(L->e), um_free(L->nm), um_free(L->id), um_free(L->files), um_free(ks);
        memset(L, 0, sizeof *L);
        return false;
    }
    L->n_e = L->cap_e = (size_t)c.n_e;
    L->n_nm = L->cap_nm = (size_t)c.n_nm;
    L->n_id = L->cap_id = (size_t)c.n_id;
    L->n_files = L->cap_files = (size_t)c.n_files;
    for (size_t i = 0; i < c.n_warn; i++) {
        uint32_t o = ((const uint32_t *)sec[SX_WARN].p)[i];
        if (o < c.str_len) add_warn(s, str + o);
    }
    s->keystr = ks;
    s->n_keys = s->cap_keys = (size_t)c.n_keys;
    s->n_names = s->cap_cn = (size_t)c.n_names;
    s->cn_lname = (uint32_t *)lname;
    s->cn_type = (uint8_t *)sec[SX_CN_TYPE].p;
    s->cn_L = (float *)sec[SX_CN_L].p;
    s->cn_nld = (uint8_t *)sec[SX_CN_NLD].p;
    s->cn_has = (uint8_t *)sec[SX_CN_HAS].p;
    s->cn_run = (uint64_t *)sec[SX_CN_RUN].p;
    s->paux = (uint32_t *)sec[SX_PAUX].p;
    s->uoff = (uint32_t *)uoff;
    s->units = (cunit *)units;
    s->ucand = (uint32_t(*)[5])ucand;
    s->ukey = (uint32_t *)ukey;
    s->unear = (struct unear *)sec[SX_UNEAR].p;
    s->is_entity_name = (uint8_t *)sec[SX_ISENT].p;
    s->ustr = (char *)sec[SX_USTR].p;
    s->ustr_len = (size_t)c.ustr_len;
    s->keylen = (uint8_t *)sec[SX_KEYLEN].p;
    s->poff = (uint32_t *)poff;
    s->post = (uint32_t *)post;
    s->party = (uint32_t *)party;
    s->party_next = (uint32_t *)pnext;
    s->ktab = (uint32_t *)ktab;
    s->ktab_mask = c.ktab_mask;
    s->mapped = true;
    return true;
}

/* the key of the index: code, format, and every input file's identity
 * (device, inode, size, modification time in ns; not its path, which one
 * program writes relative and another absolute); a file replaced (data
 * update renames new files into place) or edited changes it */
static void key_file(uint64_t *h, const char *path) {
    struct stat st;
    char buf[200];
    int n;
    if (path && stat(path, &st) == 0)
        n = snprintf(buf, sizeof buf, "%llu|%llu|%lld|%lld.%09ld", (unsigned long long)st.st_dev,
                     (unsigned long long)st.st_ino, (long long)st.st_size, (long long)st.st_mtim.tv_sec,
                     (long)st.st_mtim.tv_nsec);
    else n = snprintf(buf, sizeof buf, "absent");
    if (n > 0) *h = um_hash64(buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1, *h);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void key_dir(uint64_t *h, const char *dir) {
    DIR *d = dir ? opendir(dir) : NULL;
    if (!d) {
        key_file(h, dir);
        return;
    }
    char *names[512];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < 512)
        if (de->d_name[0] != '.') names[n] = um_strdup(de->d_name), n += names[n] != NULL;
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        char p[4200];
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        *h = um_hash64(names[i], strlen(names[i]), *h); /* the name decides how a file is read */
        key_file(h, p);
        um_free(names[i]);
    }
}

static bool file_exists(const char *p) {
    struct stat st;
    return p && stat(p, &st) == 0;
}

/* Where the index file is read and written, in order: opt->index_file
 * ("" for none); else, for the lists of the data folder (no list path
 * given), DATA/sanctions/screen.idx beside them, then the user's cache
 * ($XDG_CACHE_HOME or ~/.cache, unmask/screen-HASH.idx, HASH of the data
 * folder's path) for a data folder that cannot be written. Lists given by
 * path are compiled in memory unless opt->index_file names a file. */
static void copy_str(char *dst, size_t cap, const char *src) {
    size_t n = strnlen(src, cap - 1);
    memcpy(dst, src, n);
    dst[n] = 0;
}

static int index_paths(um_screener *s, const um_screener_options *opt, const char *dd, char cand[2][4096]) {
    (void)s;
    if (opt->index_file) {
        if (!*opt->index_file) return 0;
        snprintf(cand[0], sizeof cand[0], "%s", opt->index_file);
        return 1;
    }
    if (!dd || opt->ofac_dir || opt->un_xml || opt->eu_xml || opt->uk_xml) return 0;
    int n = 0;
    snprintf(cand[n++], sizeof cand[0], "%s/sanctions/screen.idx", dd);
    const um_os *os = um_os_get();
    const char *xdg = os->getenv(os->ud, "XDG_CACHE_HOME"), *home = os->getenv(os->ud, "HOME");
    char base[4096];
    if (xdg && *xdg == '/') snprintf(base, sizeof base, "%s", xdg);
    else if (home && *home == '/') snprintf(base, sizeof base, "%s/.cache", home);
    else return n;
    char real[4096];
    const char *id = realpath(dd, real) ? real : dd;
    unsigned long long h = (unsigned long long)um_hash64(id, strlen(id), 0);
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/unmask", base);
    os->mkdir(os->ud, base);
    os->mkdir(os->ud, dir);
    char file[4300];
    snprintf(file, sizeof file, "%s/screen-%016llx.idx", dir, h);
    if (strlen(file) < sizeof cand[0]) copy_str(cand[n++], sizeof cand[0], file);
    return n;
}

um_status um_screener_open(um_screener **out, const um_screener_options *opt) {
    return um_screener_open_ctx(out, opt, NULL);
}

um_status um_screener_open_ctx(um_screener **out, const um_screener_options *opt, um_ctx *ctx) {
    um_screener_options none = {0};
    if (!opt) opt = &none;
    um_screener *s = um_calloc(1, sizeof *s);
    *out = s;
    if (!s) return UM_ENOMEM;
    static _Atomic uint64_t gens;
    s->gen = atomic_fetch_add(&gens, 1) + 1;
    um_map_init(&s->keys);
    um_map_init(&s->idents);
    um_status st = UM_OK;
    if (ctx) { /* the caller's context: its indicator lists and data folder */
        s->ctx = ctx;
        s->ctx_borrowed = true;
    } else {
        um_ctx_options co = {0};
        co.data_dir = opt->data_dir;
        /* the screener never reads the IP databases, and the indicator
         * lists only for an identifier (um_screen_identifier): both on
         * first use, so that `screen --name` pays for the index alone */
        co.lazy = UM_CTX_LAZY_IPDB | UM_CTX_LAZY_IOC;
        st = um_ctx_open(&s->ctx, &co);
    }
    const char *dd = NULL;
    if (st == UM_OK) {
        dd = um_ctx_data_dir(s->ctx);
    } else {
        if (!opt->ofac_dir && !opt->un_xml) {
            snprintf(s->err, sizeof s->err, "%s", um_ctx_errmsg(s->ctx));
            return st;
        }
        add_warn(s, "no data folder: indicator lists and the Korean variant table are not loaded");
        um_ctx_close(s->ctx);
        s->ctx = NULL;
    }
    char vpath[4096], opath[4096], upath[4096], dpath[4096], epath[4096], kpath[4096];
    snprintf(vpath, sizeof vpath, "%s/names/korean_variants.tsv", dd ? dd : ".");
    snprintf(opath, sizeof opath, "%s/sanctions/ofac", dd ? dd : ".");
    snprintf(upath, sizeof upath, "%s/sanctions/un/consolidated.xml", dd ? dd : ".");
    snprintf(dpath, sizeof dpath, "%s/sanctions/lists.tsv", dd ? dd : ".");
    snprintf(epath, sizeof epath, "%s/sanctions/eu/fsf.xml", dd ? dd : ".");
    snprintf(kpath, sizeof kpath, "%s/sanctions/uk/UK-Sanctions-List.xml", dd ? dd : ".");
    char warn[512];
    st = um_sc_norm_init(&s->norm, dd ? vpath : NULL, warn, sizeof warn);
    if (st != UM_OK) {
        snprintf(s->err, sizeof s->err, "out of memory building name tables");
        return st;
    }
    add_warn(s, warn);
    const char *ofac = opt->ofac_dir ? opt->ofac_dir : dd ? opath : NULL;
    const char *un = opt->un_xml ? opt->un_xml : dd ? upath : NULL;
    if (opt->un_xml && !file_exists(opt->un_xml)) {
        snprintf(s->err, sizeof s->err, "UN list '%s' not found", opt->un_xml);
        return UM_ENOTFOUND;
    }
    if (opt->eu_xml && !file_exists(opt->eu_xml)) {
        snprintf(s->err, sizeof s->err, "EU list '%s' not found", opt->eu_xml);
        return UM_ENOTFOUND;
    }
    if (opt->uk_xml && !file_exists(opt->uk_xml)) {
        snprintf(s->err, sizeof s->err, "UK list '%s' not found", opt->uk_xml);
        return UM_ENOTFOUND;
    }
    const char *eu = opt->eu_xml ? opt->eu_xml : dd ? epath : NULL;
    /* the compiled index file: its key covers the code and every input file */
    uint64_t key = um_hash64("unmask screening index", 22, UM_SC_CODE_HASH);
    uint64_t shape[] = {UM_SC_IDX_VERSION, sizeof(cunit), sizeof(sent), sizeof(um_sc_dob), sizeof(struct unear)};
    key = um_hash64(shape, sizeof shape, key);
    key_dir(&key, ofac);
    key_file(&key, un);
    key_file(&key, eu);
    const char *uk = opt->uk_xml ? opt->uk_xml : dd ? kpath : NULL;
    key_file(&key, uk);
    key_file(&key, dd ? dpath : NULL);
    key_file(&key, dd ? vpath : NULL);
    char cand[2][4096];
    int ncand = index_paths(s, opt, dd, cand);
    bool loaded = false;
    for (int i = 0; i < ncand && !loaded; i++) {
        um_sc_sect sec[SX_N];
        char why[200];
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        um_status ms = um_sc_idx_map(cand[i], key, &s->map, sec, SX_N, why, sizeof why);
        if (ms == UM_OK && !index_load(s, sec)) {
            um_sc_idx_unmap(&s->map);
            snprintf(why, sizeof why, "inconsistent sections");
            ms = UM_EPARSE;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (ms == UM_OK) {
            loaded = true;
            s->open_ms_index = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-6;
            copy_str(s->index_path, sizeof s->index_path, cand[i]);
            s->index_state = "loaded";
        } else if (!s->index_note[0]) {
            copy_str(s->index_note, sizeof s->index_note - 220, cand[i]);
            strcat(s->index_note, ": ");
            strcat(s->index_note, why);
        }
    }
    if (!loaded) {
        um_sc_list_paths lp = {ofac, un, eu, uk, dd ? dpath : NULL};
        st = um_sc_lists_load_paths(&s->lists, &lp, s->err, sizeof s->err);
        for (size_t i = 0; i < s->lists.n_warnings; i++) add_warn(s, s->lists.warnings[i]);
        if (st != UM_OK) return st;
        st = build_index(s);
        if (st == UM_OK) st = build_parties(s);
        if (st == UM_OK && !build_ktab(s)) st = UM_ENOMEM;
        if (st != UM_OK) {
            snprintf(s->err, sizeof s->err, "out of memory building the name index");
            return st;
        }
        s->index_state = ncand ? "built (not written)" : "built in memory (no index file)";
        for (int i = 0; i < ncand; i++) {
            char dir[4096], err[600];
            copy_str(dir, sizeof dir, cand[i]);
            char *slash = strrchr(dir, '/');
            const char *name = slash ? slash + 1 : dir;
            if (slash) *slash = 0;
            else snprintf(dir, sizeof dir, ".");
            if (index_save(s, dir, name, key, err, sizeof err) == UM_OK) {
                copy_str(s->index_path, sizeof s->index_path, cand[i]);
                s->index_state = "built and written";
                break;
            }
        }
    }
    if (build_idents(s) != UM_OK) {
        snprintf(s->err, sizeof s->err, "out of memory building the identifier index");
        return UM_ENOMEM;
    }
    /* the indicator lists' warnings: a borrowed (scan's) context has them
     * now; the screener's own opens those lists on first use, and
     * um_screener_warning() lists their warnings after these */
    if (s->ctx && s->ctx_borrowed)
        for (size_t i = 0; um_ctx_warning(s->ctx, i); i++)
            if (strstr(um_ctx_warning(s->ctx, i), "indicator")) add_warn(s, um_ctx_warning(s->ctx, i));
    s->info = um_calloc(s->lists.n_files + 1, sizeof *s->info);
    if (!s->info) return UM_ENOMEM;
    for (size_t i = 0; i < s->lists.n_files; i++) {
        const um_sc_listfile *f = &s->lists.files[i];
        s->info[i] = (um_list_info){f->list, f->path, f->what, f->date, f->age_days, f->entries, f->names};
    }
    return UM_OK;
}

void um_screener_close(um_screener *s) {
    if (!s) return;
    if (!s->ctx_borrowed) um_ctx_close(s->ctx);
    um_sc_norm_free(&s->norm);
    um_sc_lists_free(&s->lists);
    for (size_t i = 0; i < s->n_warn; i++) um_free(s->warn[i]);
    um_free(s->warn);
    um_free(s->info);
    um_map_free(&s->keys);
    um_map_free(&s->idents);
    um_free(s->keystr);
    if (s->mapped) { /* the rest lives in the map */
        um_sc_idx_unmap(&s->map);
        um_free(s);
        return;
    }
    um_free(s->ktab);
    um_free(s->ustr);
    um_free(s->uoff);
    um_free(s->cn_lname);
    um_free(s->cn_type);
    um_free(s->cn_L);
    um_free(s->cn_nld);
    um_free(s->cn_has);
    um_free(s->cn_run);
    um_free(s->paux);
    um_free(s->units);
    um_free(s->ucand);
    um_free(s->party);
    um_free(s->party_next);
    um_free(s->ukey);
    um_free(s->unear);
    um_free(s->is_entity_name);
    um_free(s->keylen);
    um_free(s->poff);
    um_free(s->post);
    um_free(s);
}

void um_screener_index_info(const um_screener *s, const char **path, const char **state, double *open_ms) {
    if (path) *path = s ? s->index_path : "";
    if (state) *state = s && s->index_state ? s->index_state : "";
    if (open_ms) *open_ms = s ? s->open_ms_index : 0;
}

const char *um_screener_errmsg(const um_screener *s) { return s ? s->err : "out of memory"; }
const char *um_screener_warning(const um_screener *s, size_t i) {
    if (!s) return NULL;
    if (i < s->n_warn) return s->warn[i];
    if (!s->ctx || s->ctx_borrowed) return NULL;
    /* the screener's own context: its indicator lists' warnings, the lists
     * opened now if no identifier was screened yet (as open did before) */
    um_ctx_ioc(s->ctx);
    i -= s->n_warn;
    for (size_t k = 0; um_ctx_warning(s->ctx, k); k++)
        if (strstr(um_ctx_warning(s->ctx, k), "indicator") && i-- == 0) return um_ctx_warning(s->ctx, k);
    return NULL;
}
size_t um_screener_list_count(const um_screener *s) { return s && s->info ? s->lists.n_files : 0; }
const um_list_info *um_screener_list(const um_screener *s, size_t i) {
    return s && s->info && i < s->lists.n_files ? &s->info[i] : NULL;
}
void um_screener_size(const um_screener *s, size_t *entries, size_t *names) {
    if (entries) *entries = s ? s->lists.n_e : 0;
    if (names) *names = s ? s->lists.n_nm : 0;
}

/* ---- similarity ------------------------------------------------------------ */

typedef struct qunit {
    um_sc_unit u;
    uint32_t key;
    int keylen, rawlen;
    uint32_t kmask, rmask;
    bool ent; /* of an entity name: a typo is tolerated from fewer letters */
    uint32_t altkey; /* Kontsevich -n written for -ng (or the reverse): that syllable's key id */
    /* a word of a Korean person name that is no syllable, read as one with
     * a typo (KM = Kim, GMI = Gim): the key ids of the syllables one edit away */
    uint32_t rk[12];
    int nrk;
    bool gtypo; /* of an entity name, may be a listed business word with a typo (unit_sim) */
    /* the word is itself a listed name word, so a typo of another needs 8
     * letters (Patel is not Patek); in an entity name only a word of many
     * listed names (a word listed once, MOSCO, may still be MOSCOW typed) */
    bool common;
    /* the word is a common Korean surname: another family, never a
     * surname written with a typo (Cho is not Choe typed) */
    bool sur;
    /* ... only through its key, not as written (CHEO keys as cho): may
     * still be the family written with two letters swapped (family_typo) */
    bool sursw;
    /* a given syllable whose key few listed names hold (RARE_DF): evidence
     * that lets another given syllable of the query carry a typo */
    bool rare;
    /* may be a given syllable written with a typo that gives another valid
     * syllable (given_typo): another given syllable of the query is rare,
     * or this one is a syllable no name uses (unused) */
    bool gtyp;
    /* a syllable (or a word keyed as one) that at most UNUSED_DF listed
     * names hold (Wo, Chyol, Hyo): no given name in use, so more likely a
     * listed syllable typed than another person's name */
    bool unused;
    char skey[UM_SC_KEYLEN]; /* not read as Korean: the word's key as a Korean syllable ("" when none) */
    uint32_t smask;          /* its letters (0 when none) */
    /* key ids collect() looks up (NO_KEY: none, or no such key): the end
     * keys of the key (prefix_key) and of the spelling (affix_keys, not
     * Korean), the spelling keyed as the other script would key it (xreq,
     * 6 letters at most), the spelling's ends posted apart (treq,
     * raw_end_key(), 7+ letters), the deletion keys found (a short word
     * that is no listed word), in order */
    uint32_t cid[4], xalt[3], tend[2], did[DEL_MAX + 1];
    int ndid;
    /* a key of 7+ letters that is a generic business word's (HOLDING for
     * KHOLDINGG): a generic list unit pairs with it by key, and a generic
     * unit's key is not posted, so treq does not require it */
    bool gkey;
} qunit;

#define ENT_COMMON_DF 20

/* a given syllable held by at most this many listed names is rare evidence
 * (Hwan, Sop, Pom; not Il, Jin, Chol, Jong, Song: 85-300) */
#define RARE_DF 40
#define UNUSED_DF 10

#define SYL_TYPO_SIM 0.72 /* a syllable written with a typo (0.8, x0.9 as Korean) */



/* Optimal string alignment distance of a and b, stopped at 3; for a
 * distance of 1, *op gets the kind of edit: 0 a letter substituted, 1 two
 * neighbours swapped, 2 a letter doubled, dropped or inserted. */
static int osa(const char *a, int n, const char *b, int m, int *op) {
    if (op) *op = 0;
    if (n > UM_SC_KEYLEN * 2) n = UM_SC_KEYLEN * 2;
    if (m > UM_SC_KEYLEN * 2) m = UM_SC_KEYLEN * 2;
    if (abs(n - m) > 2) return 3;
    int r0[UM_SC_KEYLEN * 2 + 1], r1[UM_SC_KEYLEN * 2 + 1], r2[UM_SC_KEYLEN * 2 + 1];
    int *pp = r0, *pr = r1, *cu = r2; /* rows i-2, i-1, i */
    for (int j = 0; j <= m; j++) pr[j] = j, pp[j] = 0;
    for (int i = 1; i <= n; i++) {
        int rowmin = cu[0] = i;
        for (int j = 1; j <= m; j++) {
            int v = pr[j - 1] + (a[i - 1] != b[j - 1]);
            if (pr[j] + 1 < v) v = pr[j] + 1;
            if (cu[j - 1] + 1 < v) v = cu[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && pp[j - 2] + 1 < v)
                v = pp[j - 2] + 1;
            cu[j] = v;
            if (v < rowmin) rowmin = v;
        }
        if (rowmin >= 3) return 3;
        int *t = pp;
        pp = pr, pr = cu, cu = t;
    }
    int r = pr[m] > 3 ? 3 : pr[m];
    if (r == 1 && op) {
        if (n != m) *op = 2;
        else {
            int i = 0;
            while (i < n && a[i] == b[i]) i++;
            *op = (i + 1 < n && a[i] == b[i + 1] && a[i + 1] == b[i]) ? 1 : 0;
        }
    }
    return r;
}

/* Typo tolerance, by length and by how common the written word is: a
 * swapped, doubled or dropped letter from 4 letters, a substituted one from
 * 6 (Patel is not Patek), two edits from 9; a word that is itself a listed
 * name word (common: another person's real name, not a typo) needs 8
 * letters for one edit and never gets two. Returns the similarity, 0 when
 * the pair is not a typo. */
static double typo_sim_e(const char *a, int n, const char *b, int m, bool common, bool two, bool nosub, bool ent) {
    int L = n > m ? n : m;
    if (L < 3) return 0;
    int op = 0;
    int d = osa(a, n, b, m, &op);
    if (d < 0) return 0;
    if (d == 0) return 1;
    if (d == 1) {
        if (op == 0 && nosub) return 0;
        /* in an entity name the other words carry the match: a substituted
         * letter from 4 letters (Labou, Spfce), a dropped one from 3 (Znc) */
        int need = op == 0 ? (ent ? 4 : 6) : op == 1 ? 3 : ent ? 3 : 4;
        if (common && need < 8) need = 8;
        if (L < need) return 0;
    } else if (d == 2) {
        if (common || !two || L < 9) return 0;
    } else {
        return 0;
    }
    /* at least 0.8; in an entity name 0.85, so that one typo in its only
     * distinctive word (SENAT typed SENAX: 0.85 x 0.95 in the word pass)
     * still reads as the calibration says, every part accounted for */
    double r = 1.0 - (double)d / (double)L, lo = ent ? 0.85 : 0.8;
    return r < lo ? lo : r;
}


/* can typo_sim_e() accept two spellings of n and m letters whose letter
 * sets differ in the letters of dmask? (one edit changes at most 2, two at
 * most 4) */
static inline bool near_possible(int n, int m, uint32_t dmask, bool common, bool ent) {
    int L = n > m ? n : m, dd = abs(n - m);
    if (L < 3 || dd > 2 || !bits_le4(dmask)) return false;
    if (dd == 0 && dmask == 0) return true; /* perhaps the same spelling (another key) */
    bool one = bits_le2(dmask) && dd <= 1 && (common ? L >= 8 : dd == 0 ? L >= 3 : L >= (ent ? 3 : 4));
    bool two = !common && L >= 9;
    return one || two;
}

/* may query unit flags qf pair with listed unit flags lf as a typo of a
 * listed generic word (one edit: lengths within one, letter sets within 2) */
static inline bool generic_typo_ok(uint8_t qf, uint8_t lf, int qn, int ln, uint32_t qm, uint32_t lm) {
    return !(qf & (UM_SCU_GENERIC | UM_SCU_NUMBER | UM_SCU_SCRIPT)) && (lf & UM_SCU_GENERIC) &&
           !(lf & (UM_SCU_NUMBER | UM_SCU_SCRIPT)) && ln >= 4 && abs(qn - ln) <= 1 && bits_le2(qm ^ lm);
}

/* a ends in n and b is a + g, or the reverse */
static bool n_ng(const char *a, const char *b) {
    size_t n = strlen(a), m = strlen(b);
    if (n + 1 == m) return n && a[n - 1] == 'n' && b[m - 1] == 'g' && memcmp(a, b, n) == 0;
    if (m + 1 == n) return m && b[m - 1] == 'n' && a[n - 1] == 'g' && memcmp(a, b, m) == 0;
    return false;
}

/* kind: 0 exact spelling, 1 variant (same key), 2 near (spelling), 3 typo
 * across syllables (a written word against one or more written words) */
static double unit_sim(const um_screener *s, const qunit *q, const cunit *l, int *kind) {
    if (kind) *kind = 2;
    if (q->key != NO_KEY && q->key == l->key) {
        if (kind) *kind = strcmp(q->u.raw, URAW(s, l)) == 0 ? 0 : 1;
        return 1.0;
    }
    uint8_t f = q->u.flags | l->flags;
    if (f & (UM_SCU_GENERIC | UM_SCU_NUMBER | UM_SCU_SCRIPT)) {
        /* a listed business word of 4+ letters written with a typo in an
         * entity name (GRADING for TRADING, TIMITED, BAK, BAN for BANK): one
         * edit by the entity rules, whatever the query word reads as */
        if (q->ent && generic_typo_ok(q->u.flags, l->flags, q->rawlen, l->rawlen, q->rmask, l->rmask)) {
            double r = typo_sim_e(q->u.raw, q->rawlen, URAW(s, l), l->rawlen, false, false, false, true);
            if (r > 0 && r < 1) return r * 0.95;
        }
        return 0;
    }
    if (q->nrk && (l->flags & UM_SCU_KOREAN))
        for (int k = 0; k < q->nrk; k++)
            if (q->rk[k] == l->key) return SYL_TYPO_SIM;
    if ((q->u.flags & UM_SCU_KOREAN) && (l->flags & UM_SCU_KOREAN)) {
        /* Kontsevich writes -n and -ng alike (Сон: Son or Song, Кван: Kwang) */
        if ((q->u.flags & UM_SCU_CYR) && (q->altkey == l->key || n_ng(q->u.key, s->keystr[l->key]))) {
            if (kind) *kind = 1;
            return 0.95;
        }
        return 0; /* another syllable */
    }
    const char *lk = s->keystr[l->key];
    int ql = q->keylen, ll = s->keylen[l->key];
    int qr = q->rawlen, lr = l->rawlen;
    /* two edits change at most 4 letters of the letter set */
    bool kok = abs(ql - ll) <= 2 && bits_le4(q->kmask ^ l->kmask);
    bool rok = abs(qr - lr) <= 2 && bits_le4(q->rmask ^ l->rmask);
    if (!kok && !rok) return 0;
    bool common = q->common; /* the query word is itself a listed name word */
    double r = kok ? typo_sim_e(q->u.key, ql, lk, ll, common, true, false, q->ent) : 0;
    double r2 = rok ? typo_sim_e(q->u.raw, qr, URAW(s, l), lr, common, true, false, q->ent) : 0;
    if (r2 > r) r = r2;
    if (r <= 0) return 0;
    if ((q->u.flags & UM_SCU_KOREAN) || (l->flags & UM_SCU_KOREAN)) r *= 0.9;
    return r;
}

/* A pairing of query and list units. Pair k joins the query units
 * [qi, qe) with the list units [li, le): one unit each in the unit pass;
 * whole written words in the word pass (a typo across syllables, "Jnogun"
 * for "Jong Un"). */
typedef struct pairing {
    int n;
    int8_t qi[UM_SC_MAX_UNITS], qe[UM_SC_MAX_UNITS], li[UM_SC_MAX_UNITS], le[UM_SC_MAX_UNITS];
    int8_t kind[UM_SC_MAX_UNITS];
    double sim[UM_SC_MAX_UNITS];
    double Q, L, M, dice, pen, order, cap, name;
    double biz; /* 0.9: other business words on each side (biz_adjust()); 0 or 1 none */
    int unmatched_q, unmatched_l;
    const char *cap_reason;
} pairing;

/* order drops of a unit pairing, as finish_pairing() weighs them: 0 in
 * order, 1 a rotation, 2 neither */
static int order_drops(const pairing *p, int nq) {
    int seq[UM_SC_MAX_UNITS], ns = 0;
    for (int i = 0; i < nq; i++)
        for (int k = 0; k < p->n; k++)
            if (p->qi[k] == i) seq[ns++] = p->li[k];
    int drops = 0;
    for (int k = 1; k < ns; k++) drops += seq[k] < seq[k - 1];
    if (ns > 1 && drops == 1 && seq[ns - 1] > seq[0]) drops = 2;
    return drops > 1 ? 2 : drops;
}

/* the name score of a pairing (sums, penalties, order, caps) */
static void finish_pairing(const qunit *q, int nq, const cunit *l, int nl, pairing *p) {
    bool qused[UM_SC_MAX_UNITS] = {0}, lused[UM_SC_MAX_UNITS] = {0};
    p->Q = p->L = p->M = 0;
    p->unmatched_q = p->unmatched_l = 0;
    p->cap_reason = NULL;
    for (int i = 0; i < nq; i++) p->Q += q[i].u.w;
    for (int j = 0; j < nl; j++) p->L += l[j].w;
    double md = 0, ld = 0;
    bool given = false;
    for (int k = 0; k < p->n; k++) {
        double wq = 0, wl = 0, wld = 0;
        bool qsur = true, lsur = true, lgen = true;
        for (int i = p->qi[k]; i < p->qe[k]; i++) {
            wq += q[i].u.w;
            qused[i] = true;
            qsur &= (q[i].u.flags & UM_SCU_SURNAME) != 0;
        }
        for (int j = p->li[k]; j < p->le[k]; j++) {
            wl += l[j].w;
            lused[j] = true;
            lsur &= (l[j].flags & UM_SCU_SURNAME) != 0;
            lgen &= (l[j].flags & UM_SCU_GENERIC) != 0;
            if (!(l[j].flags & UM_SCU_GENERIC)) wld += l[j].w;
        }
        p->M += p->sim[k] * (wq + wl) / 2;
        md += p->sim[k] * wld;
        if (!lsur && !qsur && !lgen) given = true;
    }
    for (int j = 0; j < nl; j++)
        if (!(l[j].flags & UM_SCU_GENERIC)) ld += l[j].w;
    p->dice = p->Q + p->L > 0 ? 2 * p->M / (p->Q + p->L) : 0;
    p->pen = 1;
    for (int i = 0; i < nq; i++)
        if (!qused[i] && q[i].u.w >= 0.5f && !(q[i].u.flags & UM_SCU_GENERIC)) p->unmatched_q++, p->pen *= 0.8;
    for (int j = 0; j < nl; j++)
        if (!lused[j] && l[j].w >= 0.5f && !(l[j].flags & UM_SCU_GENERIC)) p->unmatched_l++, p->pen *= 0.8;
    /* order: list positions read in query order must be increasing up to
     * one rotation (a surname moved to the other end) */
    p->order = order_drops(p, nq) > 1 ? 0.9 : 1.0;
    p->cap = 1.0;
    if (ld <= 0 && nl > 0) { /* a listed name of generic words alone: every word of it, and nothing else */
        if (p->unmatched_l || p->n == 0) {
            p->cap = 0.5;
            p->cap_reason = "a listed name of generic words only, not every word paired";
        }
        for (int i = 0; i < nq; i++) /* nor a word more in the query (Industrial Development Bank) */
            if (!qused[i] && p->cap == 1.0) {
                p->cap = 0.5;
                p->cap_reason = "a listed name of generic words only, not every word paired";
            }
        for (int j = 0; j < nl; j++)
            if (!lused[j] && p->cap == 1.0) {
                p->cap = 0.5;
                p->cap_reason = "a listed name of generic words only, not every word paired";
            }
    } else if (md <= 0 || md < 0.5 * ld) {
        p->cap = 0.5;
        p->cap_reason = "only generic words or a minority of the listed name paired";
    } else if (!given) {
        p->cap = 0.5;
        p->cap_reason = "only a surname paired";
    }
    /* in an entity name the syllables of one written word keep their order:
     * a query word that is whole listed words rotated is another word
     * (Gangnam is not NAMGANG, Haitong not DONGHAI, Tianli not LI, Tian).
     * Only a rotation of whole listed words: a swap inside a word (AALBUGA
     * for ALABUGA) or parts of two listed words (DADONG HONGDA for DANDONG
     * HONGDA) are typos the pairing crossed. Names of people may be
     * rotated (Jong Un Kim). */
    for (int i0 = 0; i0 < nq && p->cap > 0.5; i0++) {
        if (!q[i0].ent || (i0 > 0 && q[i0 - 1].u.word == q[i0].u.word)) continue;
        int seq[UM_SC_MAX_UNITS], ns = 0;
        bool ok = true, mine[UM_SC_MAX_UNITS] = {0};
        for (int i = i0; i < nq && q[i].u.word == q[i0].u.word; i++) {
            if (!(q[i].u.flags & UM_SCU_KOREAN)) ok = false;
            for (int k = 0; k < p->n; k++)
                if (p->qi[k] == i) {
                    if (p->qe[k] != i + 1 || p->le[k] != p->li[k] + 1) ok = false;
                    else seq[ns++] = p->li[k], mine[p->li[k]] = true;
                }
        }
        if (!ok || ns < 2) continue;
        int drops = 0;
        for (int k = 1; k < ns; k++) drops += seq[k] < seq[k - 1];
        if (drops != 1 || seq[ns - 1] > seq[0]) continue;
        for (int k = 0; k < ns && ok; k++) /* whole listed words */
            for (int j = 0; j < nl; j++)
                if (l[j].word == l[seq[k]].word && !mine[j]) ok = false;
        if (!ok) continue;
        p->cap = 0.5;
        p->cap_reason = "a word of an entity name paired with listed words rotated";
    }
    double v = p->dice * p->pen * p->order;
    p->name = v < p->cap ? v : p->cap;
}

/* A written word (or two or three neighbouring ones) as one string: the
 * spellings and the keys of its units joined. */
typedef struct wspan {
    int a, b;        /* units [a, b) */
    bool typo;       /* may be compared for typos: no generic word, number or script unit */
    char raw[UM_SC_KEYLEN * 2], key[UM_SC_KEYLEN * 2];
    int rl, kl;
} wspan;

#define MAX_WORDS 16

/* start[] gets the first unit of each written word; -1 when more than MAX_WORDS */
static int word_starts(const uint8_t *word, size_t stride, int n, int *start) {
    int nw = 0;
    for (int i = 0; i < n; i++)
        if (i == 0 || *(const uint8_t *)((const char *)word + (size_t)i * stride) !=
                          *(const uint8_t *)((const char *)word + (size_t)(i - 1) * stride)) {
            if (nw == MAX_WORDS) return -1;
            start[nw++] = i;
        }
    start[nw] = n;
    return nw;
}

/* raw and key with their lengths (the units' own: rawlen, keylen) */
static void span_add(wspan *w, const char *raw, size_t r, const char *key, size_t k, uint8_t flags) {
    if (w->rl + (int)r < (int)sizeof w->raw) memcpy(w->raw + w->rl, raw, r), w->rl += (int)r;
    if (w->kl + (int)k < (int)sizeof w->key) memcpy(w->key + w->kl, key, k), w->kl += (int)k;
    w->raw[w->rl] = w->key[w->kl] = 0;
    if (flags & (UM_SCU_GENERIC | UM_SCU_NUMBER | UM_SCU_SCRIPT)) w->typo = false;
}

/* the letters of a span's spelling (letter_mask()), made at the first
 * test that needs them and kept for the others */
static inline uint32_t span_mask(const wspan *w, uint32_t *m, bool *ok) {
    if (!*ok) *m = letter_mask(w->raw), *ok = true;
    return *m;
}

/* true when, of n words paired in order (query words qw[0..n), list words
 * lw[0], lw[stride], ...: single-word spans), exactly one pair differs in
 * both spelling and key */
static bool one_word_differs(const wspan *qw, const wspan *lw, int stride, int n) {
    int diff = 0;
    for (int k = 0; k < n; k++) {
        const wspan *a = &qw[k], *c = &lw[k * stride];
        bool eq = (a->kl == c->kl && memcmp(a->key, c->key, (size_t)a->kl) == 0) ||
                  (a->rl == c->rl && memcmp(a->raw, c->raw, (size_t)a->rl) == 0);
        diff += !eq;
    }
    return diff == 1;
}

/* A substituted letter in one word of several joined is judged by the
 * word's own length and commonness, as it would be alone: "Patel Umar" is
 * not "PATEK, Umar" (patelumar ~ patekumar is long enough; Patel alone is
 * not). A dropped, doubled or swapped letter keeps the joined length
 * (KANG Kyng Il). */
static bool sub_typo_ok(const char *a, int n, const char *b, int m, bool common, bool ent) {
    int op = -1;
    if (osa(a, n, b, m, &op) != 1 || op != 0) return true;
    return typo_sim_e(a, n, b, m, common, false, false, ent) > 0;
}

/* Of n words paired in order, the one that differs (one_word_differs) */
static bool one_word_typo(const qunit *q, const int *qs, int i, const wspan *qw, const wspan *lw, int stride, int n,
                          bool ent) {
    for (int k = 0; k < n; k++) {
        const wspan *a = &qw[k], *c = &lw[k * stride];
        if ((a->kl == c->kl && memcmp(a->key, c->key, (size_t)a->kl) == 0) ||
            (a->rl == c->rl && memcmp(a->raw, c->raw, (size_t)a->rl) == 0))
            continue;
        bool common = qs[i + k + 1] - qs[i + k] == 1 && q[qs[i + k]].common;
        return sub_typo_ok(a->key, a->kl, c->key, c->kl, common, ent) ||
               sub_typo_ok(a->raw, a->rl, c->raw, c->rl, common, ent);
    }
    return true;
}

static void score_words(const um_screener *s, const qunit *q, int nq, const cunit *l, int nl, const bool *qdone,
                        const bool *ldone, pairing *p) {
    int qs[MAX_WORDS + 1], ls[MAX_WORDS + 1];
    int nqw = word_starts(&q[0].u.word, sizeof *q, nq, qs);
    int nlw = word_starts(&l[0].word, sizeof *l, nl, ls);
    p->n = 0;
    p->name = 0;
    if (nqw < 0 || nlw < 0) return; /* more words than the pass handles */
    /* every query span (1-2 words) against every list span (1-3 words), once */
    enum { QN = 2, LN = 3 };
    static const double none = 0;
    double sim[MAX_WORDS][QN][MAX_WORDS][LN];
    wspan ls_[MAX_WORDS][LN];
    for (int j = 0; j < nlw; j++)
        for (int ln = 1; ln <= LN && j + ln <= nlw; ln++) {
            wspan *c = &ls_[j][ln - 1];
            c->a = ls[j], c->b = ls[j + ln], c->typo = true, c->rl = c->kl = 0;
            c->raw[0] = c->key[0] = 0;
            for (int k = c->a; k < c->b; k++) span_add(c, URAW(s, &l[k]), l[k].rawlen, s->keystr[l[k].key], s->keylen[l[k].key], l[k].flags);
        }
    wspan qw1[MAX_WORDS]; /* each query word alone */
    for (int i = 0; i < nqw; i++) {
        wspan *w = &qw1[i];
        w->a = qs[i], w->b = qs[i + 1], w->typo = true, w->rl = w->kl = 0;
        w->raw[0] = w->key[0] = 0;
        for (int k = w->a; k < w->b; k++) span_add(w, q[k].u.raw, (size_t)q[k].rawlen, q[k].u.key, (size_t)q[k].keylen, q[k].u.flags);
    }
    bool lall[MAX_WORDS][LN];
    uint32_t lmask[MAX_WORDS][LN];
    bool lmask_ok[MAX_WORDS][LN];
    memset(lmask_ok, 0, sizeof lmask_ok);
    for (int j = 0; j < nlw; j++)
        for (int ln = 1; ln <= LN && j + ln <= nlw; ln++) {
            lall[j][ln - 1] = true;
            for (int k = ls_[j][ln - 1].a; k < ls_[j][ln - 1].b; k++) lall[j][ln - 1] &= ldone[k];
        }
    for (int i = 0; i < nqw; i++)
        for (int qn = 1; qn <= QN; qn++) {
            wspan a = {qs[i], i + qn <= nqw ? qs[i + qn] : 0, true, {0}, {0}, 0, 0};
            uint32_t amask = 0;
            bool amask_ok = false;
            if (i + qn <= nqw)
                for (int k = a.a; k < a.b; k++) span_add(&a, q[k].u.raw, (size_t)q[k].rawlen, q[k].u.key, (size_t)q[k].keylen, q[k].u.flags);
            /* spans whose units all paired exactly in the unit pass are not typos */
            bool qall = true;
            for (int k = a.a; k < a.b && i + qn <= nqw; k++) qall &= qdone[k];
            /* a word that is itself a listed word is a real name, not a typo */
            bool common = a.b - a.a == 1 && q[a.a].common;
            /* Korean: a syllable written on its own that is another valid
             * syllable is another name (Ryong Ha is not Ryong Hae), and a
             * changed letter is another syllable; a typo is a letter doubled,
             * dropped or swapped inside a written word of several syllables
             * or one that no longer splits ("Ryongahe", "Jnogun") */
            bool kor = false, clean = true;
            for (int k = a.a; k < a.b && i + qn <= nqw; k++) {
                kor |= (q[k].u.flags & UM_SCU_KOREAN) != 0;
                bool single = (k == a.a || q[k - 1].u.word != q[k].u.word) &&
                              (k + 1 == a.b || q[k + 1].u.word != q[k].u.word);
                clean &= single && (q[k].u.flags & UM_SCU_KOREAN);
            }
            for (int j = 0; j < nlw; j++)
                for (int ln = 1; ln <= LN; ln++) {
                    double v = none;
                    const wspan *c = &ls_[j][ln - 1];
                    if (i + qn <= nqw && j + ln <= nlw) {
                        if ((a.kl == c->kl && memcmp(a.key, c->key, (size_t)a.kl) == 0) ||
                            (a.rl == c->rl && memcmp(a.raw, c->raw, (size_t)a.rl) == 0))
                        {
                            /* words joined (AlQaeda = Al Qaeda): Korean runs have a joined form of their own */
                            bool ko = true;
                            for (int k = a.a; k < a.b; k++) ko &= (q[k].u.flags & UM_SCU_KOREAN) != 0;
                            for (int k = c->a; k < c->b; k++) ko &= (l[k].flags & UM_SCU_KOREAN) != 0;
                            v = qn == 1 && ln == 1 ? 1 : ko ? 0 : 0.95;
                        }
                        /* with as many words on each side, a typo stays
                         * inside one word: the other words must be equal, so
                         * an edit that moves the boundary is two names
                         * ("Patel Kumar" is not "PATEK, Umar" by
                         * patelkumar ~ patekumar) */
                        else if (a.typo && c->typo && !(qn == ln && qn > 1 && !one_word_differs(&qw1[i], &ls_[j][0], LN, qn)) &&
                                 !(qall && lall[j][ln - 1]) &&
                                 bits_le4(span_mask(&a, &amask, &amask_ok) ^
                                          span_mask(c, &lmask[j][ln - 1], &lmask_ok[j][ln - 1]))) {
                            bool two = qn == 1 && ln == 1; /* two edits only inside one word */
                            bool ck = true; /* all Korean: no substituted letter */
                            for (int k = a.a; k < a.b; k++) ck &= (q[k].u.flags & UM_SCU_KOREAN) != 0;
                            for (int k = c->a; k < c->b; k++) ck &= (l[k].flags & UM_SCU_KOREAN) != 0;
                            /* in an entity name a word of several syllables is a
                             * company's name: the entity rules (KOTI typed ROTI,
                             * SENAT typed SENAX) */
                            bool ent = q[0].ent;
                            if (ent) ck = false;
                            ck |= kor && clean;
                            if (ck && clean) v = 0;
                            else if (qn == ln && qn > 1 && !one_word_typo(q, qs, i, &qw1[i], &ls_[j][0], LN, qn, ent))
                                v = 0;
                            else {
                                v = typo_sim_e(a.key, a.kl, c->key, c->kl, common, two, ck, ent);
                                double s2 = typo_sim_e(a.raw, a.rl, c->raw, c->rl, common, two, ck, ent);
                                if (s2 > v) v = s2;
                            }
                            v *= 0.95; /* a typo is never as good as a spelling variant */
                        }
                    }
                    sim[i][qn - 1][j][ln - 1] = v;
                }
        }
    pairing w;
    for (int pass = 0; pass < 2; pass++) { /* greedy two ways: best pair first, most units explained first */
        memset(&w, 0, sizeof w);
        bool qw_used[MAX_WORDS] = {0}, lw_used[MAX_WORDS] = {0};
        for (;;) {
            double best = 0, bw = 0;
            int bi = -1, bj = -1, bqn = 0, bln = 0;
            for (int i = 0; i < nqw; i++)
                for (int qn = 1; qn <= QN && i + qn <= nqw; qn++) {
                    if (qw_used[i + qn - 1]) break;
                    for (int j = 0; j < nlw; j++)
                        for (int ln = 1; ln <= LN && j + ln <= nlw; ln++) {
                            if (lw_used[j + ln - 1]) break;
                            double v = sim[i][qn - 1][j][ln - 1];
                            if (v <= 0) continue;
                            /* "Jong-nu" = "Jong Un" as a whole rather than jong = jong, nu left over */
                            double sc = pass ? v * (double)(qs[i + qn] - qs[i] + ls[j + ln] - ls[j]) : v;
                            if (sc > bw + 1e-9 || (fabs(sc - bw) < 1e-9 && v > best))
                                best = v, bw = sc, bi = i, bj = j, bqn = qn, bln = ln;
                        }
                }
            if (bi < 0 || w.n >= UM_SC_MAX_UNITS) break;
            for (int k = 0; k < bqn; k++) qw_used[bi + k] = true;
            for (int k = 0; k < bln; k++) lw_used[bj + k] = true;
            w.qi[w.n] = (int8_t)qs[bi];
            w.qe[w.n] = (int8_t)qs[bi + bqn];
            w.li[w.n] = (int8_t)ls[bj];
            w.le[w.n] = (int8_t)ls[bj + bln];
            w.sim[w.n] = best;
            w.kind[w.n] = best >= 1 ? 1 : 3;
            w.n++;
        }
        finish_pairing(q, nq, l, nl, &w);
        if (w.name > p->name + 1e-9) *p = w;
    }
}


/* A family name written with one typo (CHE for CHOE, KI for KIM, ANG for
 * KANG, CHEEN for CHEN, DOIN for SOIN): a letter doubled, dropped, added,
 * swapped or changed, from 3 letters. Only a candidate pair: score_name()
 * keeps it when the rest of the name is the evidence (family_typo_ok). A
 * query word that is itself a common Korean surname is another family (Cho
 * is not Choe typed), and outside Korean one that is a listed name word is
 * another person's real name (Patel is not Patek). */
static bool family_typo(const um_screener *s, const qunit *q, const cunit *l) {
    /* the listed family: written first before a comma, or a common
     * surname as the first word (a surname guessed at the other end of a
     * name without a comma may be a given name: YO'N CHO'NG NAM) */
    if (q->ent || !((l->flags & UM_SCU_FAMILY) || ((l->flags & UM_SCU_SURNAME) && l->word == 0)))
        return false;
    if ((q->u.flags | l->flags) & (UM_SCU_GENERIC | UM_SCU_NUMBER | UM_SCU_SCRIPT)) return false;
    if (!(l->flags & UM_SCU_KOREAN) && q->common) return false;
    int qr = q->rawlen, lr = l->rawlen, ql = q->keylen, ll = s->keylen[l->key];
    if (q->sur) {
        /* read as a surname only through its key (CHEO keys as cho, a
         * vowel form no one writes Cho with): two neighbours of the listed
         * spelling swapped (CHOE) is that family typed; a spelling of a
         * surname itself (Cho, Jo) stays another family */
        int op = -1;
        return q->sursw && qr == lr && osa(q->u.raw, qr, URAW(s, l), lr, &op) == 1 && op == 1;
    }
    if ((qr > lr ? qr : lr) >= 3 && abs(qr - lr) <= 1 && bits_le2(q->rmask ^ l->rmask) &&
        osa(q->u.raw, qr, URAW(s, l), lr, NULL) == 1)
        return true;
    if ((ql > ll ? ql : ll) >= 3 && abs(ql - ll) <= 1 && bits_le2(q->kmask ^ l->kmask) &&
        osa(q->u.key, ql, s->keystr[l->key], ll, NULL) == 1)
        return true;
    /* a word not read as Korean, keyed as a syllable (GI: ki, for KIM) */
    int sl = (int)strlen(q->skey);
    return sl && (l->flags & UM_SCU_KOREAN) && (sl > ll ? sl : ll) >= 3 && abs(sl - ll) <= 1 &&
           osa(q->skey, sl, s->keystr[l->key], ll, NULL) == 1;
}

/* A word of an entity name one edit from a listed word by the entity rules
 * (a substituted letter from 4 letters, a dropped one from 3), whatever it
 * reads as: a listed word itself (NOVI for NOVIN, DAW for DAWN) or another
 * syllable (KUNG for TUNG). Only a candidate pair: score_name() keeps it
 * when the rest of the name is the evidence (ent_typo_ok). Returns the
 * similarity (0: none). */
static double ent_typo(const um_screener *s, const qunit *q, const cunit *l) {
    if (!q->ent || ((q->u.flags | l->flags) & (UM_SCU_GENERIC | UM_SCU_NUMBER | UM_SCU_SCRIPT))) return 0;
    double r = 0;
    if (abs(q->rawlen - l->rawlen) <= 1 && bits_le2(q->rmask ^ l->rmask))
        r = typo_sim_e(q->u.raw, q->rawlen, URAW(s, l), l->rawlen, false, false, false, true);
    int ll = s->keylen[l->key];
    if (r <= 0 && abs(q->keylen - ll) <= 1 && bits_le2(q->kmask ^ l->kmask))
        r = typo_sim_e(q->u.key, q->keylen, s->keystr[l->key], ll, false, false, false, true);
    return r > 0 && r < 1 ? r * 0.95 : 0;
}

/* A word of a person name (not two Korean syllables: given_typo) one edit
 * from a listed word by the entity rules (Bzng for Beng, Romad for Roman),
 * when the typed word is no listed word itself (Patel is not Patek: another
 * person's real name). Only a candidate pair (ent_typo_ok, person). */
static double person_typo(const um_screener *s, const qunit *q, const cunit *l) {
    if (q->ent || q->common || q->sur || q->rawlen < 3 || l->rawlen < 3 ||
        ((q->u.flags & UM_SCU_KOREAN) && (l->flags & UM_SCU_KOREAN)) ||
        ((q->u.flags | l->flags) & (UM_SCU_GENERIC | UM_SCU_NUMBER | UM_SCU_SCRIPT)))
        return 0;
    double r = 0;
    if (abs(q->rawlen - l->rawlen) <= 1 && bits_le2(q->rmask ^ l->rmask))
        r = typo_sim_e(q->u.raw, q->rawlen, URAW(s, l), l->rawlen, false, false, false, true);
    return r > 0 && r < 1 ? r * 0.9 : 0;
}

/* Pair k of p is an entity word typo (ent_typo): kept only when every other
 * distinctive unit on both sides paired exactly and those carry 6 letters
 * or more (JAMMOUL ... AYD for AYAD; not KOT CORP, YUK KUNG: too little).
 * A person word typo (person_typo) also needs one of those units rare
 * (RARE_DF listed names at most): common + common (Zheng Wei, Patel Umar)
 * is no evidence. */
static bool ent_typo_ok(const um_screener *s, const qunit *q, const cunit *l, const pairing *p, int k, bool person) {
    if (p->unmatched_q || p->unmatched_l) return false;
    int letters = 0;
    bool rare = !person;
    for (int t = 0; t < p->n; t++) {
        if (t == k) continue;
        bool gen = true;
        for (int j = p->li[t]; j < p->le[t]; j++) gen &= (l[j].flags & UM_SCU_GENERIC) != 0;
        if (gen) continue;
        if (p->sim[t] < 1) return false;
        for (int j = p->li[t]; j < p->le[t]; j++)
            if (!(l[j].flags & UM_SCU_GENERIC)) {
                letters += l[j].rawlen;
                rare |= l[j].key != NO_KEY && s->poff[l[j].key + 1] - s->poff[l[j].key] <= RARE_DF;
            }
    }
    (void)q;
    return letters >= 6 && rare;
}

/* A given syllable written with a letter dropped, doubled, added or swapped
 * that gives another valid syllable (Chu for Chun, Hok for Hyok, ong for
 * Jong): another name by the fairness rule, unless the rest of the name is
 * rare evidence (given_typo_ok). The listed syllable has 3+ letters; a
 * changed letter stays another syllable (Ri Je Sun is not RI Je Son). */
static bool given_typo(const um_screener *s, const qunit *q, const cunit *l) {
    if (!q->gtyp || q->ent || !(l->flags & UM_SCU_KOREAN) ||
        (l->flags & (UM_SCU_SURNAME | UM_SCU_FAMILY | UM_SCU_GENERIC | UM_SCU_NUMBER | UM_SCU_SCRIPT)))
        return false;
    int op = 0;
    int qr = q->rawlen, lr = l->rawlen;
    if ((qr > lr ? qr : lr) >= 3 && lr >= 3 && abs(qr - lr) <= 1 && bits_le2(q->rmask ^ l->rmask) &&
        osa(q->u.raw, qr, URAW(s, l), lr, &op) == 1 && op != 0)
        return true;
    int ql = q->keylen, ll = s->keylen[l->key];
    return ll >= 3 && abs(ql - ll) <= 1 && bits_le2(q->kmask ^ l->kmask) &&
           osa(q->u.key, ql, s->keystr[l->key], ll, &op) == 1 && op != 0;
}

/* Pair k of p is a given syllable typo (given_typo): kept only when every
 * other distinctive unit on both sides paired exactly, no other typo, and
 * one of the exactly paired given syllables is rare (RARE_DF). Common +
 * common (KIM Son Hun, RI Su-yon) is never enough. */
static bool given_typo_ok(const um_screener *s, const qunit *q, const cunit *l, const pairing *p, int k) {
    if (p->unmatched_q || p->unmatched_l) return false;
    bool rare = false, given = false, fam = false;
    for (int t = 0; t < p->n; t++) {
        if (t == k) continue;
        if (p->sim[t] < 1) return false;
        for (int i = p->qi[t]; i < p->qe[t]; i++)
            for (int j = p->li[t]; j < p->le[t]; j++) {
                bool g = !(l[j].flags & (UM_SCU_GENERIC | UM_SCU_SURNAME | UM_SCU_FAMILY));
                rare |= q[i].rare && q[i].key == l[j].key && g;
                given |= g && !(q[i].u.flags & UM_SCU_GENERIC);
                fam |= (l[j].flags & (UM_SCU_SURNAME | UM_SCU_FAMILY)) != 0;
            }
    }
    (void)s;
    /* a typed syllable no name uses (unused): the family and another given
     * syllable paired exactly are the evidence (Wo Uk PAE is PAE, Won Uk
     * typed; Kim Sang Hun, a name in use, stays another person) */
    return rare || (q[p->qi[k]].unused && given && fam);
}

/* Pair k of p is a family name typo (family_typo): kept only when the rest
 * of the name is all the evidence - every other distinctive unit on both
 * sides paired exactly (key or spelling variant), at least two of them
 * given names, and no other typo. A common surname plus one given syllable
 * (KIM, Son for KIM, Song) is never enough: typo tolerance shrinks as the
 * name carries less. */
static bool family_typo_ok(const um_screener *s, const qunit *q, int nq, const cunit *l, int nl, const pairing *p,
                           int k) {
    if (p->unmatched_q || p->unmatched_l) return false;
    int given = 0;
    for (int t = 0; t < p->n; t++) {
        if (t == k) continue;
        /* paired exactly: the same key, or the same spelling read in the
         * other script (a name not read as Korean for its typo'd surname) */
        if (p->sim[t] < 1 && !(p->qe[t] - p->qi[t] == 1 && p->le[t] - p->li[t] == 1 &&
                               strcmp(q[p->qi[t]].u.raw, URAW(s, &l[p->li[t]])) == 0))
            return false;
        for (int j = p->li[t]; j < p->le[t]; j++)
            if (!(l[j].flags & (UM_SCU_GENERIC | UM_SCU_SURNAME | UM_SCU_FAMILY))) given++;
    }
    (void)q, (void)nq, (void)nl;
    return given >= 2;
}

/* A vessel or an aircraft has no legal form and no business word: no name
 * of one on the lists holds CO, LLC, JSC, S.A., TRADING, BANK, SHIPPING...
 * A query that carries one (left unpaired) names a company, not the ship
 * (Victory Company Limited is not the vessel VICTORY, Atlantic JSC not
 * ATLANTIS). The ways of naming Korea and the small words (of, the) do
 * not count. */
static void vessel_cap(const um_screener *s, const qunit *q, int nq, uint32_t ni, pairing *p) {
    uint8_t ty = s->cn_type[ni];
    if ((ty != UM_SC_T_VESSEL && ty != UM_SC_T_AIRCRAFT) || p->cap <= 0.5) return;
    bool used[UM_SC_MAX_UNITS] = {0};
    for (int k = 0; k < p->n; k++)
        for (int i = p->qi[k]; i < p->qe[k]; i++) used[i] = true;
    for (int i = 0; i < nq; i++) {
        if (used[i] || !(q[i].u.flags & UM_SCU_GENERIC) || q[i].u.w < 0.09f || strcmp(q[i].u.key, "korea") == 0)
            continue;
        p->cap = 0.5;
        p->cap_reason = "a legal form or business word in the query, against a vessel or aircraft";
        if (p->name > 0.5) p->name = 0.5;
        return;
    }
}

/* the keys of the business words (not the legal forms, the ways of naming
 * Korea or the small words): what a company does */
static bool biz_key(const char *k) {
    static const char *const biz[] = {"trading", "group", "general", "international", "holding", "enterprise",
                                      "industry", "commercial", "import", "export", "development", "technology",
                                      "service", "joint", "venture", "bank", "air", "shipping", "management",
                                      "global", "solutions"};
    for (size_t i = 0; i < sizeof biz / sizeof *biz; i++)
        if (strcmp(k, biz[i]) == 0) return true;
    return false;
}

/* Business words weigh little, so that a listed company matches without
 * them (ALABUGA MACHINERY for LLC ALABUGA MACHINERY). But a business word
 * of the query left unpaired beside one of the listed name left unpaired
 * says two lines of business: Northern Import Export is not NORTHERN
 * SHIPPING, Sterling Group not STERLING SHIPPING: x0.9. */
static void biz_adjust(const um_screener *s, const qunit *q, int nq, const cunit *l, int nl, pairing *p) {
    if (p->name <= 0) return;
    bool qu[UM_SC_MAX_UNITS] = {0}, lu[UM_SC_MAX_UNITS] = {0}, qb = false, lb = false;
    for (int k = 0; k < p->n; k++) {
        for (int i = p->qi[k]; i < p->qe[k]; i++) qu[i] = true;
        for (int j = p->li[k]; j < p->le[k]; j++) lu[j] = true;
    }
    for (int i = 0; i < nq && !qb; i++) qb = !qu[i] && (q[i].u.flags & UM_SCU_GENERIC) && biz_key(q[i].u.key);
    for (int j = 0; j < nl && qb && !lb; j++) lb = !lu[j] && (l[j].flags & UM_SCU_GENERIC) && biz_key(s->keystr[l[j].key]);
    if (!qb || !lb) return;
    p->biz = 0.9;
    double v = p->dice * p->pen * p->order * p->biz;
    if (v < p->name) p->name = v;
}

static void score_name(const um_screener *s, const qunit *q, int nq, const cunit *l, int nl, pairing *p,
                       bool kinds, double floor_name) {
    memset(p, 0, sizeof *p);
    double sim[UM_SC_MAX_UNITS][UM_SC_MAX_UNITS];
    int kind[UM_SC_MAX_UNITS][UM_SC_MAX_UNITS];
    int8_t ftypo[UM_SC_MAX_UNITS][UM_SC_MAX_UNITS]; /* 1 entity word, 2 family or given syllable, 3 other person word */
    bool anyf = false;
    for (int i = 0; i < nq; i++)
        for (int j = 0; j < nl; j++) {
            sim[i][j] = unit_sim(s, &q[i], &l[j], kinds ? &kind[i][j] : NULL);
            double et = 0;
            ftypo[i][j] = 0;
            if (sim[i][j] <= 0) {
                if (q[i].ent) et = ent_typo(s, &q[i], &l[j]), ftypo[i][j] = et > 0;
                else if (family_typo(s, &q[i], &l[j]) || given_typo(s, &q[i], &l[j])) ftypo[i][j] = 2;
                else if ((et = person_typo(s, &q[i], &l[j])) > 0) ftypo[i][j] = 3;
            }
            if (ftypo[i][j]) {
                sim[i][j] = et > 0 ? et : SYL_TYPO_SIM;
                if (kinds) kind[i][j] = 3;
                anyf = true;
            }
        }
    bool qused[UM_SC_MAX_UNITS] = {0}, lused[UM_SC_MAX_UNITS] = {0};
    for (;;) { /* greedy best pair; ties: heavier, then earlier */
        int bi = -1, bj = -1;
        double best = 0, bw = 0;
        for (int i = 0; i < nq; i++) {
            if (qused[i]) continue;
            for (int j = 0; j < nl; j++) {
                if (lused[j] || sim[i][j] <= 0) continue;
                double w = q[i].u.w + l[j].w;
                if (sim[i][j] > best + 1e-9 || (fabs(sim[i][j] - best) < 1e-9 && w > bw)) {
                    best = sim[i][j];
                    bw = w;
                    bi = i;
                    bj = j;
                }
            }
        }
        if (bi < 0) break;
        qused[bi] = lused[bj] = true;
        p->qi[p->n] = (int8_t)bi;
        p->qe[p->n] = (int8_t)(bi + 1);
        p->li[p->n] = (int8_t)bj;
        p->le[p->n] = (int8_t)(bj + 1);
        p->sim[p->n] = best;
        p->kind[p->n] = (int8_t)(kinds ? kind[bi][bj] : 2);
        p->n++;
    }
    /* a word written twice on both sides (AL-RAWI, Saif-al-Din): the greedy
     * pass may cross the two pairs; exchanging partners of equal keys and
     * weights leaves the sums alone and may restore the order */
    for (int k1 = 0; k1 < p->n; k1++)
        for (int k2 = k1 + 1; k2 < p->n; k2++) {
            int a = p->qi[k1], b = p->qi[k2], c = p->li[k1], d = p->li[k2];
            if (q[a].key != q[b].key || l[c].key != l[d].key || p->sim[k1] != p->sim[k2]) continue;
            int before = order_drops(p, nq);
            if (!before) continue;
            finish_pairing(q, nq, l, nl, p);
            double was = p->name;
            p->li[k1] = (int8_t)d, p->le[k1] = (int8_t)(d + 1);
            p->li[k2] = (int8_t)c, p->le[k2] = (int8_t)(c + 1);
            finish_pairing(q, nq, l, nl, p);
            if (order_drops(p, nq) >= before || p->name <= was) { /* no better: back */
                p->li[k1] = (int8_t)c, p->le[k1] = (int8_t)(c + 1);
                p->li[k2] = (int8_t)d, p->le[k2] = (int8_t)(d + 1);
            }
        }
    finish_pairing(q, nq, l, nl, p);
    /* a family name typo stays only with the rest of the name as evidence */
    for (int k = 0; anyf && k < p->n; k++) {
        if (!ftypo[p->qi[k]][p->li[k]]) continue;
        const cunit *lf = &l[p->li[k]];
        int fk = ftypo[p->qi[k]][p->li[k]];
        if (fk == 1 || fk == 3 ? ent_typo_ok(s, q, l, p, k, fk == 3)
            : (lf->flags & (UM_SCU_SURNAME | UM_SCU_FAMILY)) ? family_typo_ok(s, q, nq, l, nl, p, k)
                                                            : given_typo_ok(s, q, l, p, k))
            continue;
        for (int t = k; t + 1 < p->n; t++) {
            p->qi[t] = p->qi[t + 1], p->qe[t] = p->qe[t + 1], p->li[t] = p->li[t + 1], p->le[t] = p->le[t + 1];
            p->sim[t] = p->sim[t + 1], p->kind[t] = p->kind[t + 1];
        }
        p->n--;
        k--;
        finish_pairing(q, nq, l, nl, p);
    }
    /* a unit left over on both sides may be a typo across syllables: the
     * word pass, when pairing every leftover at 0.95 could reach the floor */
    /* or a unit left over on one side only when a query word paired near
     * with a part of a listed word (HONGD = hong, da left over), or the
     * leftover is part of a written word whose other parts paired (MARIN =
     * ma-rin, e of MARINE left over) */
    bool partial = false;
    if (p->name < 0.999 && (p->unmatched_q != 0) != (p->unmatched_l != 0)) {
        bool qp[UM_SC_MAX_UNITS] = {0}, lp[UM_SC_MAX_UNITS] = {0};
        for (int k = 0; k < p->n; k++) {
            partial |= p->sim[k] < 1;
            for (int i = p->qi[k]; i < p->qe[k]; i++) qp[i] = true;
            for (int j = p->li[k]; j < p->le[k]; j++) lp[j] = true;
        }
        for (int i = 0; i < nq && !partial; i++)
            if (!qp[i])
                for (int t = 0; t < nq && !partial; t++) partial = qp[t] && q[t].u.word == q[i].u.word;
        for (int j = 0; j < nl && !partial; j++)
            if (!lp[j])
                for (int t = 0; t < nl && !partial; t++) partial = lp[t] && l[t].word == l[j].word;
    }
    if (p->name < 0.999 && ((p->unmatched_q && p->unmatched_l) || partial)) {
        double left = 0;
        bool qu[UM_SC_MAX_UNITS] = {0}, lu[UM_SC_MAX_UNITS] = {0};
        bool qx[UM_SC_MAX_UNITS] = {0}, lx[UM_SC_MAX_UNITS] = {0}; /* paired exactly */
        for (int k = 0; k < p->n; k++) {
            for (int i = p->qi[k]; i < p->qe[k]; i++) qu[i] = true, qx[i] = p->sim[k] >= 1;
            for (int j = p->li[k]; j < p->le[k]; j++) lu[j] = true, lx[j] = p->sim[k] >= 1;
        }
        /* the word pass pairs anew: a unit the unit pass paired below 1
         * (ril = ri, a near pair) may be part of a better word pair (an-da-ril
         * = an-da-ri-el), so only the exact pairs are kept in the bound and
         * every other unit counts as pairable at 0.95 */
        double mx = 0;
        for (int k = 0; k < p->n; k++) {
            if (p->sim[k] < 1) continue;
            for (int i = p->qi[k]; i < p->qe[k]; i++) mx += q[i].u.w / 2;
            for (int j = p->li[k]; j < p->le[k]; j++) mx += l[j].w / 2;
        }
        for (int i = 0; i < nq; i++) left += qx[i] ? 0 : q[i].u.w;
        for (int j = 0; j < nl; j++) left += lx[j] ? 0 : l[j].w;
        (void)qu, (void)lu;
        double up = p->Q + p->L > 0 ? 2 * (mx + 0.95 * left / 2) / (p->Q + p->L) : 0;
        if (up >= floor_name) { /* floor_name > 1: no typo across syllables possible (collect) */
            pairing w;
            score_words(s, q, nq, l, nl, qx, lx, &w);
            if (w.name > p->name + 1e-9) *p = w;
        }
    }
}

/* ---- results ----------------------------------------------------------------- */

static um_screen_result *result_new(void) {
    um_screen_result *r = um_calloc(1, sizeof *r);
    if (r) um_arena_init(&r->arena);
    return r;
}

static um_screen_match *result_add(um_screen_result *r) {
    if (!um_grow((void **)&r->m, &r->cap, r->n + 1, sizeof *r->m)) return NULL;
    um_screen_match *m = &r->m[r->n++];
    memset(m, 0, sizeof *m);
    return m;
}

size_t um_screen_result_count(const um_screen_result *r) { return r ? r->n : 0; }
const um_screen_match *um_screen_result_match(const um_screen_result *r, size_t i) {
    return r && i < r->n ? &r->m[i] : NULL;
}
const char *um_screen_result_query(const um_screen_result *r) { return r && r->query ? r->query : ""; }
void um_screen_result_free(um_screen_result *r) {
    if (!r) return;
    um_free(r->m);
    um_arena_free(&r->arena);
    um_free(r);
}

/* ---- name screening ----------------------------------------------------------- */

static bool dob_agrees(const um_sc_dob *l, const um_sc_dob *q, bool *exact) {
    *exact = false;
    if (q->y0 < l->y0 || q->y0 > l->y1) return false;
    if (l->y0 == l->y1 && l->m && q->m && l->m != q->m) return false;
    if (l->y0 == l->y1 && l->d && q->d && l->d != q->d) return false;
    *exact = l->y0 == l->y1 && l->m && q->m && l->d && q->d;
    return true;
}

typedef struct cand {
    uint32_t entry, name; /* name: compiled name */
    int form;             /* query form that scored it */
    double score, name_score;
    double adj_dob, adj_nat;
} cand;

static int cmp_cand(const void *a, const void *b) {
    const cand *x = a, *y = b;
    if (x->score != y->score) return x->score < y->score ? 1 : -1;
    return x->entry < y->entry ? -1 : x->entry > y->entry;
}

static const char *kind_word(int k) { return k == 0 ? "exact" : k == 1 ? "variant" : k == 3 ? "typo" : "near"; }

/* "%.2f" without printf (explanations are built for every match) */
static void add_fix2(um_buf *b, double v) {
    if (!(v == v)) v = 0;
    if (v < 0) {
        um_buf_addc(b, '-');
        v = -v;
    }
    if (v > 1e6) v = 1e6;
    long long x = (long long)nearbyint(v * 100);
    char t[32];
    int n = 0;
    long long ip = x / 100;
    int fp = (int)(x % 100);
    char d[24];
    int nd = 0;
    do d[nd++] = (char)('0' + ip % 10), ip /= 10;
    while (ip && nd < 20);
    while (nd) t[n++] = d[--nd];
    t[n++] = '.';
    t[n++] = (char)('0' + fp / 10);
    t[n++] = (char)('0' + fp % 10);
    um_buf_add(b, t, (size_t)n);
}

static void add_int(um_buf *b, int v) {
    char t[16];
    int n = 0;
    if (v < 0) v = 0;
    do t[n++] = (char)('0' + v % 10), v /= 10;
    while (v && n < 15);
    while (n) um_buf_addc(b, t[--n]);
}

static void explain(const um_screener *s, um_screen_result *r, um_screen_match *m, const cand *c, const qunit *q,
                    int nq, const um_sc_dob *qd, const char *qcc) {
    const um_sc_entry *e = &s->lists.e[c->entry];
    const cunit *l = &s->units[s->uoff[c->name]];
    int nl = (int)(s->uoff[c->name + 1] - s->uoff[c->name]);
    pairing p;
    score_name(s, q, nq, l, nl, &p, true, 0);
    vessel_cap(s, q, nq, c->name, &p);
    biz_adjust(s, q, nq, l, nl, &p);
    um_buf b;
    um_buf_init(&b);
    const um_sc_lname *ln = &s->lists.nm[s->cn_lname[c->name]];
    um_buf_adds(&b, e->list);
    um_buf_addc(&b, ' ');
    um_buf_adds(&b, e->uid);
    um_buf_adds(&b, " \"");
    um_buf_adds(&b, e->primary);
    um_buf_adds(&b, "\" (");
    um_buf_adds(&b, type_name(e->type));
    um_buf_adds(&b, ") via ");
    um_buf_adds(&b, ln->kind);
    um_buf_adds(&b, " \"");
    um_buf_adds(&b, ln->name);
    um_buf_adds(&b, "\": ");
    double tot = p.Q + p.L;
    bool qu[UM_SC_MAX_UNITS] = {0}, lu[UM_SC_MAX_UNITS] = {0};
    for (int k = 0; k < p.n; k++) {
        double wq = 0, wl = 0;
        bool sur = false, gen = false, scr = false;
        if (k) um_buf_adds(&b, "; ");
        for (int i = p.qi[k]; i < p.qe[k]; i++) {
            if (i > p.qi[k]) um_buf_addc(&b, '-');
            um_buf_adds(&b, q[i].u.raw);
            wq += q[i].u.w;
            qu[i] = true;
            sur |= (q[i].u.flags & UM_SCU_SURNAME) != 0;
        }
        um_buf_addc(&b, '=');
        for (int j = p.li[k]; j < p.le[k]; j++) {
            if (j > p.li[k]) um_buf_addc(&b, '-');
            um_buf_adds(&b, URAW(s, &l[j]));
            wl += l[j].w;
            lu[j] = true;
            sur |= (l[j].flags & UM_SCU_SURNAME) != 0;
            gen |= (l[j].flags & UM_SCU_GENERIC) != 0;
            scr |= (l[j].flags & UM_SCU_SCRIPT) != 0;
        }
        double contrib = tot > 0 ? p.sim[k] * (wq + wl) / tot : 0;
        um_buf_adds(&b, " (");
        um_buf_adds(&b, kind_word(p.kind[k]));
        if (p.kind[k] == 1 && p.le[k] - p.li[k] == 1) {
            um_buf_adds(&b, " key ");
            um_buf_adds(&b, s->keystr[l[p.li[k]].key]);
        }
        um_buf_adds(&b, ", sim ");
        add_fix2(&b, p.sim[k]);
        um_buf_adds(&b, ", +");
        add_fix2(&b, contrib);
        um_buf_addc(&b, ')');
        if (sur) um_buf_adds(&b, " [surname, low weight]");
        if (gen) um_buf_adds(&b, " [generic word]");
        if (scr) um_buf_adds(&b, " [original script]");
    }
    bool first = true;
    for (int i = 0; i < nq; i++) {
        if (qu[i]) continue;
        um_buf_adds(&b, first ? "; query only: " : ", ");
        um_buf_adds(&b, q[i].u.raw);
        first = false;
    }
    first = true;
    for (int j = 0; j < nl; j++) {
        if (lu[j]) continue;
        um_buf_adds(&b, first ? "; list only: " : ", ");
        um_buf_adds(&b, URAW(s, &l[j]));
        first = false;
    }
    um_buf_adds(&b, "; name score ");
    add_fix2(&b, p.name);
    um_buf_adds(&b, " (dice ");
    add_fix2(&b, p.dice);
    if (p.unmatched_q + p.unmatched_l) {
        um_buf_adds(&b, " x0.8^");
        add_int(&b, p.unmatched_q + p.unmatched_l);
        um_buf_adds(&b, " unpaired");
    }
    if (p.order < 1) um_buf_adds(&b, " x0.9 order");
    if (p.biz > 0 && p.biz < 1) um_buf_adds(&b, " x0.9 other business words");
    if (p.cap < 1 && p.cap_reason) {
        um_buf_adds(&b, ", capped ");
        add_fix2(&b, p.cap);
        um_buf_adds(&b, ": ");
        um_buf_adds(&b, p.cap_reason);
    }
    um_buf_adds(&b, ")");
    if (qd) {
        if (!e->n_dob) um_buf_adds(&b, "; DOB: none listed");
        else if (c->adj_dob < 0) {
            um_buf_adds(&b, "; DOB disagrees with every listed DOB ");
            add_fix2(&b, c->adj_dob);
        } else {
            um_buf_adds(&b, "; DOB agrees +");
            add_fix2(&b, c->adj_dob);
        }
    }
    if (qcc) {
        um_buf_adds(&b, c->adj_nat < 0 ? "; nationality " : "; country ");
        um_buf_adds(&b, qcc);
        if (c->adj_nat < 0) {
            um_buf_adds(&b, " not listed ");
            add_fix2(&b, c->adj_nat);
        } else if (c->adj_nat > 0) {
            um_buf_adds(&b, " listed +");
            add_fix2(&b, c->adj_nat);
        } else {
            um_buf_adds(&b, ": no nationality listed");
        }
    }
    um_buf_adds(&b, "; score ");
    add_fix2(&b, c->score);
    m->explanation = b.oom ? "(explanation unavailable: out of memory)" : um_arena_strdup(&r->arena, b.s);
    um_buf_free(&b);
}

/* "DOB 1984-01-08, 1983; nationality KP" of an entry ("" when none) */
static const char *listed_attrs(um_screen_result *r, const um_sc_entry *e) {
    um_buf b;
    um_buf_init(&b);
    for (int k = 0; k < e->n_dob; k++) {
        const um_sc_dob *d = &e->dob[k];
        um_buf_adds(&b, k ? ", " : "DOB ");
        char t[32];
        if (d->y0 != d->y1) snprintf(t, sizeof t, "%d to %d", d->y0, d->y1);
        else if (d->m && d->d) snprintf(t, sizeof t, "%04d-%02d-%02d", d->y0, d->m, d->d);
        else if (d->m) snprintf(t, sizeof t, "%04d-%02d", d->y0, d->m);
        else snprintf(t, sizeof t, "%04d", d->y0);
        um_buf_adds(&b, t);
    }
    for (int k = 0; k < e->n_nat; k++) {
        um_buf_adds(&b, k ? ", " : e->n_dob ? "; nationality " : "nationality ");
        um_buf_adds(&b, e->nat[k]);
    }
    const char *out = b.oom || !b.s ? "" : um_arena_strdup(&r->arena, b.s);
    um_buf_free(&b);
    return out;
}

/* "UN KPi.066" for the other entries of an entry's party ("" when none) */
static const char *also_listed(const um_screener *s, um_screen_result *r, uint32_t entry) {
    um_buf b;
    um_buf_init(&b);
    for (uint32_t j = s->party[entry]; j != NO_KEY; j = s->party_next[j]) {
        if (j == entry) continue;
        if (b.len) um_buf_adds(&b, "; ");
        um_buf_adds(&b, s->lists.e[j].list);
        um_buf_addc(&b, ' ');
        um_buf_adds(&b, s->lists.e[j].uid);
    }
    const char *out = b.oom || !b.s ? "" : um_arena_strdup(&r->arena, b.s);
    um_buf_free(&b);
    return out;
}

static const char *describe_query(um_screen_result *r, const qunit *q, int nq) {
    um_buf b;
    um_buf_init(&b);
    for (int i = 0; i < nq; i++) { /* no printf: this runs for every query */
        if (i) um_buf_addc(&b, ' ');
        um_buf_adds(&b, q[i].u.raw);
        um_buf_adds(&b, "->");
        um_buf_adds(&b, q[i].u.key);
        um_buf_adds(&b, (q[i].u.flags & UM_SCU_GENERIC) ? "(generic)"
                        : (q[i].u.flags & UM_SCU_SURNAME) ? "(surname)"
                                                          : "");
    }
    const char *out = b.oom ? "" : um_arena_strdup(&r->arena, b.s ? b.s : "");
    um_buf_free(&b);
    return out;
}

typedef struct qform {
    qunit q[UM_SC_MAX_UNITS];
    int nq;
    double Q; /* sum of all weights */
    /* words that may hold a typo across syllables: runs of Korean syllables
     * joined, non-Korean words of 4+ letters (letters and length) */
    int nt;
    uint32_t tmask[UM_SC_MAX_UNITS];
    uint8_t tlen[UM_SC_MAX_UNITS];
    /* by run length (RUN_SLOW and over: not used), the words within one
     * letter of it (bits of t): typo_run()'s length test as one read */
    uint32_t tnear[64];
    uint16_t tfold[UM_SC_MAX_UNITS]; /* tmask folded (fold16()) */
    int pmax; /* the most list units the query can pair (bound()'s P at most) */
    /* the same when the word pass runs (a typo): a query word of n letters
     * pairs with a span of list words of at most n + 2 letters, each unit
     * one letter at least (ANDARIL = AN-DA-RI-EL: 3 units with 4) */
    int pmax_t;
} qform;

/* What make_form() makes of one query unit that depends on the unit alone
 * (its key, spelling, flags and weight; not its word's index) and whether
 * the name is an entity's: key ids and letters, listed-word tests, the
 * syllable key. Not the syllable repairs (rk: only in a name with a
 * syllable, unit_rk()) nor gtyp (the name's other units). */
static void make_unit(const um_screener *s, const um_sc_unit *in, qunit *q, bool ent) {
    q->u = *in;
    for (int k = 0; k < 4; k++) q->cid[k] = NO_KEY;
    for (int k = 0; k < 3; k++) q->xalt[k] = NO_KEY;
    q->tend[0] = q->tend[1] = NO_KEY;
    q->ndid = 0;
    q->gkey = false;
    /* a query word read as a business word with a typo (SHOP as SHIP,
     * EXPERT as EXPORT) that is itself a listed word is that word: a
     * real word is not a typo */
    if ((in->flags & UM_SCU_GENERIC) && !(in->flags & (UM_SCU_NUMBER | UM_SCU_SCRIPT))) {
        const char *r = in->raw;
        size_t rn = strlen(r);
        char lk[UM_SC_KEYLEN];
        if (rn >= 3 && !um_map_get(&s->norm.generic, r, rn)) {
            um_sc_latin_key(r, rn, lk, sizeof lk);
            if (key_lookup(s, lk, strlen(lk)) != NO_KEY) {
                memcpy(q->u.key, lk, strlen(lk) + 1);
                q->u.flags &= (uint8_t)~UM_SCU_GENERIC;
                q->u.w = 1.0f;
            }
        }
    }
    q->keylen = (int)strlen(q->u.key);
    q->rawlen = (int)strlen(in->raw);
    q->key = key_lookup(s, q->u.key, (size_t)q->keylen);
    q->kmask = letter_mask(q->u.key);
    q->rmask = letter_mask(in->raw);
    q->ent = ent;
    q->altkey = NO_KEY;
    q->nrk = 0;
    q->common = q->key != NO_KEY && (!ent || s->poff[q->key + 1] - s->poff[q->key] >= ENT_COMMON_DF);
    q->sur = !ent && (um_sc_is_surname(&s->norm, q->u.key) || um_sc_is_surname(&s->norm, in->raw));
    q->sursw = q->sur && q->rawlen >= 4 && !um_sc_is_surname(&s->norm, in->raw);
    q->skey[0] = 0;
    q->rare = !ent && q->key != NO_KEY && (q->u.flags & UM_SCU_KOREAN) &&
              !(q->u.flags & (UM_SCU_SURNAME | UM_SCU_GENERIC | UM_SCU_NUMBER | UM_SCU_SCRIPT)) &&
              s->poff[q->key + 1] - s->poff[q->key] <= RARE_DF;
    q->gtyp = false;
    q->unused = false;
    if (!ent && !(q->u.flags & (UM_SCU_KOREAN | UM_SCU_GENERIC | UM_SCU_NUMBER | UM_SCU_SCRIPT)) &&
        q->rawlen <= 4 && um_sc_is_syllable(&s->norm, in->raw, (size_t)q->rawlen))
        um_sc_syl_key(&s->norm, in->raw, (size_t)q->rawlen, q->skey, sizeof q->skey);
    q->smask = q->skey[0] ? letter_mask(q->skey) : 0;
    q->gtypo = false;
    for (int g = 0; ent && g < UM_SC_N_GENERIC && !q->gtypo; g++)
        q->gtypo = s->norm.gen_len[g] && generic_typo_ok(q->u.flags, UM_SCU_GENERIC, q->rawlen, s->norm.gen_len[g],
                                                         q->rmask, s->norm.gen_mask[g]);
    if ((q->u.flags & UM_SCU_CYR) && (q->u.flags & UM_SCU_KOREAN) && q->keylen > 1) {
        /* the spelling with -ng (or without), through the syllable
         * table: Сун is sun or sung, whose key is that of song */
        char alt[UM_SC_KEYLEN + 2], ak[UM_SC_KEYLEN];
        size_t rl = (size_t)q->rawlen;
        memcpy(alt, in->raw, rl);
        if (rl && alt[rl - 1] == 'n') alt[rl++] = 'g';
        else if (rl > 2 && alt[rl - 1] == 'g' && alt[rl - 2] == 'n') rl--;
        alt[rl] = 0;
        um_sc_syl_key(&s->norm, alt, rl, ak, sizeof ak);
        q->altkey = key_lookup(s, ak, strlen(ak));
        if (q->altkey == NO_KEY) { /* the key with -ng, as before */
            int kl = q->keylen;
            memcpy(alt, q->u.key, (size_t)kl);
            if (alt[kl - 1] == 'n') alt[kl++] = 'g';
            else if (kl > 2 && alt[kl - 1] == 'g' && alt[kl - 2] == 'n') kl--;
            q->altkey = key_lookup(s, alt, (size_t)kl);
        }
    }
    char pk[8], sk[8];
    if (prefix_key(&q->u, pk, sk)) q->cid[0] = key_lookup(s, pk, 4), q->cid[1] = key_lookup(s, sk, 4);
    if (!(q->u.flags & (UM_SCU_KOREAN | UM_SCU_GENERIC | UM_SCU_NUMBER | UM_SCU_SCRIPT)) &&
        affix_keys(q->u.raw, (size_t)q->rawlen, pk, sk))
        q->cid[2] = key_lookup(s, pk, 4), q->cid[3] = key_lookup(s, sk, 4);
    if (q->key == NO_KEY && del_word(&q->u)) {
        char dk[DEL_MAX + 2];
        size_t rl = (size_t)q->rawlen;
        for (size_t d = 0; d <= rl; d++) {
            size_t dn = del_key(q->u.raw, rl, d, dk);
            uint32_t id = key_lookup(s, dk, dn);
            if (id != NO_KEY) q->did[q->ndid++] = id;
        }
    }
    if (q->keylen >= 7) q->gkey = um_sc_is_generic_key(&s->norm, q->u.key);
    if (q->rawlen <= 6) {
        char alt[3][UM_SC_KEYLEN];
        um_sc_latin_key(q->u.raw, (size_t)q->rawlen, alt[0], sizeof alt[0]);
        memcpy(alt[1], q->u.raw, (size_t)q->rawlen + 1);
        um_sc_syl_key(&s->norm, q->u.raw, (size_t)q->rawlen, alt[2], sizeof alt[2]);
        for (int a = 0; a < 3; a++) q->xalt[a] = key_lookup(s, alt[a], strlen(alt[a]));
    } else if (q->rawlen >= 3) {
        char ek[8];
        for (int e = 0; e < 2; e++) raw_end_key(q->u.raw, (size_t)q->rawlen, e, ek), q->tend[e] = key_lookup(s, ek, 4);
    }
}

/* the syllable repairs of a word of a name with a syllable in it */
static bool unit_rk_wanted(const qunit *q) {
    return q->rawlen <= 6 && !(q->u.flags & (UM_SCU_KOREAN | UM_SCU_GENERIC | UM_SCU_NUMBER | UM_SCU_SCRIPT));
}
static void unit_rk(const um_screener *s, qunit *q) {
    char rk[12][UM_SC_KEYLEN];
    int nr = um_sc_syl_repairs(&s->norm, q->u.raw, (size_t)q->rawlen, rk, 12);
    q->nrk = 0;
    for (int k = 0; k < nr; k++) {
        uint32_t id = key_lookup(s, rk[k], strlen(rk[k]));
        if (id != NO_KEY) q->rk[q->nrk++] = id;
    }
}

/* Per-word memo, per thread: make_unit() and unit_rk() are functions of
 * the unit, the entity flag and the screener, so a thread keeps their
 * results for the units it met last (direct-mapped by a hash of the unit;
 * a slot holds the screener's generation, so a screener closed and
 * another opened at the same address never reads the other's). A batch
 * repeats given names and surnames; no whole-name result is kept: every
 * query still walks, bounds and scores. */
#define UMEMO_SLOTS 512
typedef struct umemo_slot {
    uint64_t gen; /* 0: empty */
    uint64_t h;
    bool ent, rk_done;
    um_sc_unit in;
    qunit out;
} umemo_slot;
static _Thread_local umemo_slot *tl_memo;
static pthread_key_t memo_key;
static pthread_once_t memo_once = PTHREAD_ONCE_INIT;
static bool memo_key_ok;
static void memo_free(void *p) { um_free(p); }
static void memo_init(void) { memo_key_ok = pthread_key_create(&memo_key, memo_free) == 0; }

static umemo_slot *memo_table(void) {
    if (tl_memo) return tl_memo;
    if (pthread_once(&memo_once, memo_init) != 0 || !memo_key_ok) return NULL;
    umemo_slot *t = um_calloc(UMEMO_SLOTS, sizeof *t);
    if (!t) return NULL;
    if (pthread_setspecific(memo_key, t) != 0) {
        um_free(t);
        return NULL;
    }
    return tl_memo = t;
}

static uint64_t unit_hash(const um_sc_unit *u, size_t kl, size_t rl, bool ent) {
    uint64_t h = um_hash64(u->key, kl, 0x9e3779b97f4a7c15ull ^ u->flags ^ (uint64_t)ent << 8);
    uint32_t wb;
    memcpy(&wb, &u->w, sizeof wb);
    return um_hash64(u->raw, rl, h ^ wb);
}

static bool unit_same(const um_sc_unit *a, const um_sc_unit *b, size_t kl, size_t rl) {
    return a->flags == b->flags && memcmp(&a->w, &b->w, sizeof a->w) == 0 && memcmp(a->key, b->key, kl + 1) == 0 &&
           memcmp(a->raw, b->raw, rl + 1) == 0;
}

/* make_unit(), and unit_rk() when want_rk, through the memo */
static void unit_memo(const um_screener *s, const um_sc_unit *in, qunit *q, bool ent, bool sylname) {
    umemo_slot *t = memo_table();
    size_t kl = strnlen(in->key, sizeof in->key - 1), rl = strnlen(in->raw, sizeof in->raw - 1);
    uint64_t h = t ? unit_hash(in, kl, rl, ent) : 0;
    umemo_slot *m = t ? &t[h & (UMEMO_SLOTS - 1)] : NULL;
    if (m && m->gen == s->gen && m->h == h && m->ent == ent && unit_same(&m->in, in, kl, rl)) {
        if (sylname && !m->rk_done && unit_rk_wanted(&m->out)) unit_rk(s, &m->out), m->rk_done = true;
        *q = m->out;
    } else {
        make_unit(s, in, q, ent);
        if (sylname && unit_rk_wanted(q)) unit_rk(s, q);
        if (m) {
            m->gen = s->gen, m->h = h, m->ent = ent, m->in = *in, m->out = *q;
            m->rk_done = sylname;
        }
    }
    q->u.word = in->word;
    if (!(sylname && unit_rk_wanted(q))) q->nrk = 0;
}

static void make_form(const um_screener *s, const um_sc_name *qn, qform *f, bool ent) {
    f->nq = qn->n;
    f->Q = 0;
    f->nt = 0;
    f->pmax = 0;
    f->pmax_t = 0;
    memset(f->tnear, 0, sizeof f->tnear);
    /* a syllable typo is looked for only in a name with a Korean syllable
     * in it (not in Mark Taylor: the work of the look-up is saved) */
    bool sylname = false;
    for (int i = 0; i < qn->n && !ent && !sylname; i++)
        sylname = (qn->u[i].flags & UM_SCU_KOREAN) || um_sc_is_syllable(&s->norm, qn->u[i].raw, strlen(qn->u[i].raw));
    for (int i = 0; i < qn->n; i++) {
        unit_memo(s, &qn->u[i], &f->q[i], ent, sylname);
        f->Q += f->q[i].u.w;
        int rl = f->q[i].rawlen;
        if (i == qn->n - 1) /* every unit known: which may be a given syllable typo */
            for (int a = 0; a < qn->n; a++) {
                const qunit *x = &f->q[a];
                if (ent || (x->u.flags & (UM_SCU_SURNAME | UM_SCU_GENERIC | UM_SCU_NUMBER | UM_SCU_SCRIPT)) ||
                    !((x->u.flags & UM_SCU_KOREAN) || x->skey[0]))
                    continue;
                /* a word that is itself a common syllable (Son, Il) is
                 * more likely another name than a typo */
                if (x->key != NO_KEY && s->poff[x->key + 1] - s->poff[x->key] > RARE_DF) continue;
                /* (a whole written word: not a part of words joined, Hok of
                 * Ho Kim read as hok-im) */
                bool whole = !qn->joined && (a == 0 || qn->u[a - 1].word != x->u.word) &&
                             (a + 1 == qn->n || qn->u[a + 1].word != x->u.word);
                f->q[a].unused = whole && (x->key == NO_KEY || s->poff[x->key + 1] - s->poff[x->key] <= UNUSED_DF);
                f->q[a].gtyp = f->q[a].unused;
                for (int b = 0; b < qn->n && !f->q[a].gtyp; b++) f->q[a].gtyp = b != a && f->q[b].rare;
            }
        f->pmax += !(f->q[i].u.flags & UM_SCU_KOREAN) && rl >= 4 ? (rl / 2 > 3 ? 3 : rl / 2) : 1;
        f->pmax_t += rl + (i == 0 || qn->u[i - 1].word != qn->u[i].word ? 2 : 0);
    }
    /* the typo test's words and runs, from the units' own lengths and
     * letters (rawlen, rmask: those of the spelling) */
    for (int i = 0; i < qn->n;) {
        const um_sc_unit *u = &qn->u[i];
        if (u->flags & (UM_SCU_GENERIC | UM_SCU_NUMBER | UM_SCU_SCRIPT | UM_SCU_SURNAME)) {
            i++;
            continue;
        }
        uint32_t m = 0;
        size_t len = 0;
        /* each word, and each run of words joined */
        int e2 = i;
        while (e2 < qn->n && RUNNABLE(qn->u[e2].flags)) e2++;
        for (int k = i; k < e2 && f->nt < UM_SC_MAX_UNITS - 1; k++)
            if (!(qn->u[k].flags & UM_SCU_KOREAN) && f->q[k].rawlen >= 3) {
                f->tmask[f->nt] = f->q[k].rmask;
                f->tlen[f->nt] = (uint8_t)f->q[k].rawlen;
                f->nt++;
            }
        for (; i < e2; i++) m |= f->q[i].rmask, len += (size_t)f->q[i].rawlen;
        if (len >= 3 && f->nt < UM_SC_MAX_UNITS) {
            f->tmask[f->nt] = m;
            f->tlen[f->nt] = (uint8_t)(len > 255 ? 255 : len);
            f->nt++;
        }
    }
    for (int t = 0; t < f->nt; t++) f->tfold[t] = (uint16_t)fold16(f->tmask[t]);
    for (int t = 0; t < f->nt; t++)
        for (int d = -1; d <= 1; d++)
            if (f->tlen[t] + d >= 0 && f->tlen[t] + d < 64) f->tnear[f->tlen[t] + d] |= 1u << t;
}

#define CANDS_INLINE 32

typedef struct cands {
    cand *c;
    size_t n, cap;
    cand inl[CANDS_INLINE];
} cands;

static bool cands_push(cands *cs, const cand *c) {
    if (cs->n == cs->cap) {
        size_t nc = cs->cap * 2;
        cand *m = um_malloc(nc * sizeof *m);
        if (!m) return false;
        memcpy(m, cs->c, cs->n * sizeof *m);
        if (cs->c != cs->inl) um_free(cs->c);
        cs->c = m;
        cs->cap = nc;
    }
    cs->c[cs->n++] = *c;
    return true;
}

/* a typo needs a run of the name within one edit's letters and length of
 * a query word */
static bool typo_run_units(const um_screener *s, const qform *f, uint32_t ni) {
    const struct unear *l = &s->unear[s->uoff[ni]];
    int nl = (int)(s->uoff[ni + 1] - s->uoff[ni]);
    for (int j = 0; j < nl; j++) {
        if (!l[j].runlen) continue;
        for (int t = 0; t < f->nt; t++)
            if (abs((int)l[j].runlen - (int)f->tlen[t]) <= 1 && bits_le2(l[j].runmask ^ f->tmask[t])) return true;
    }
    return false;
}

/* the same from the name's run word (cn_run), the units only when it says
 * so: one read of a dense array instead of two of the name's units */
static inline bool typo_run(const um_screener *s, const qform *f, uint32_t ni) {
    uint64_t r = s->cn_run[ni];
    if ((uint32_t)r >> 26 == RUN_SLOW) return typo_run_units(s, f, ni);
    for (; r; r >>= 32) {
        uint32_t m = (uint32_t)r & 0x3ffffffu;
        for (uint32_t b = f->tnear[(uint32_t)r >> 26]; b; b &= b - 1)
            if (bits_le2(m ^ f->tmask[__builtin_ctz(b)])) return true;
    }
    return false;
}

/* The part of the walk's run test read from the word beside a posting
 * (paux): false when the name has no run within one edit's length and
 * folded letters of a query word, so typo_run() would be false for it. A
 * function of the name alone (every posting of a name carries the same
 * word). */
static inline bool paux_run(const qform *f, uint32_t a) {
    uint32_t len = PAUX_LEN(a);
    if (!len) return false;
    if (len == RUN_SLOW) return true;
    if (len == PAUX_TWO) return (f->tnear[PAUX_LEN1(a)] | f->tnear[PAUX_LEN2(a)]) != 0;
    for (uint32_t b = f->tnear[len]; b; b &= b - 1)
        if (bits_le2(PAUX_FOLD(a) ^ f->tfold[__builtin_ctz(b)])) return true;
    return false;
}

/* Upper bound on score_name() for query q against compiled name ni, from
 * which query units have their key in the name (exact), which can at most
 * pair by spelling (non-Korean units with anything, Korean ones with a
 * non-Korean unit, x0.8) and which cannot pair at all; each of the latter,
 * and each distinctive list unit left over once every pairable query unit
 * has a partner, costs the 0.8 factor. */
static double bound(const um_screener *s, const qform *f, uint32_t ni, bool typo, double floor) {
    const struct unear *l = &s->unear[s->uoff[ni]];
    int nl = (int)(s->uoff[ni + 1] - s->uoff[ni]);
    uint8_t has = s->cn_has[ni] & CN_HAS_ANY;
    double Qs = 0;
    int P = 0, D = 0;
    /* once a unit is left unpaired, the bound cannot exceed 0.8^D x
     * (Q - lost + L) / (Q + L), lost the weight the units so far cannot
     * bring: below the floor (with room for rounding), the units left are
     * not looked at - the caller only compares the bound with the floor */
    double L0 = s->cn_L[ni], lost = 0, pen0 = 1;
    bool early = f->Q + L0 > 0;
    for (int i = 0; i < f->nq; i++) {
        const qunit *q = &f->q[i];
        double smax = 0;
        bool exact = false;
        if (q->key != NO_KEY)
            for (int j = 0; j < nl && !exact; j++) exact = l[j].key == q->key;
        int cover = 1; /* list units it may pair with */
        if (exact) smax = 1;
        else if (q->u.flags & (UM_SCU_GENERIC | UM_SCU_NUMBER)) smax = 0;
        else if ((q->u.flags & UM_SCU_KOREAN) && (typo || (q->u.flags & UM_SCU_CYR))) {
            smax = has ? 0.95 : 0; /* the word pass (a typo across syllables), Kontsevich -n/-ng */
            if (typo) cover = q->rawlen + 2; /* its word pairs with list units of up to n + 2 letters */
        } else if (typo && !(q->u.flags & UM_SCU_KOREAN)) {
            smax = has ? 1 : 0;
            cover = q->rawlen + 2; /* joined words; a word read as syllables (NATIONAL = NAT-I-ON-AL) */
        } else {
            /* a near pair needs a list unit (not Korean when the query unit is)
             * within two edits: length and letters */
            smax = 0;
            for (int j = 0; j < nl && smax < 1; j++) {
                const struct unear *c = &l[j];
                if (c->flags & (UM_SCU_GENERIC | UM_SCU_NUMBER | UM_SCU_SCRIPT)) continue;
                /* an entity word: any one edit beside rare evidence (ent_typo) */
                if ((q->u.flags & UM_SCU_KOREAN) && (c->flags & UM_SCU_KOREAN) && !q->ent) continue;
                bool common = q->common && !q->ent;
                bool kok = near_possible(q->keylen, c->klen, q->kmask ^ c->kmask, common, q->ent);
                bool rok = near_possible(q->rawlen, c->rlen, q->rmask ^ c->rmask, common, q->ent);
                if (kok || rok) smax = ((q->u.flags | c->flags) & UM_SCU_KOREAN) ? 0.9 : 1;
            }
        }
        /* a family name written with a typo (family_typo: letters and length) */
        if (smax < SYL_TYPO_SIM && !q->ent && (!q->sur || q->sursw) &&
            !(q->u.flags & (UM_SCU_GENERIC | UM_SCU_NUMBER | UM_SCU_SCRIPT)))
            for (int j = 0; j < nl && smax < SYL_TYPO_SIM; j++) {
                const struct unear *c = &l[j];
                if (!(c->flags & (UM_SCU_SURNAME | UM_SCU_FAMILY)) ||
                    (c->flags & (UM_SCU_GENERIC | UM_SCU_NUMBER | UM_SCU_SCRIPT)) ||
                    (!(c->flags & UM_SCU_KOREAN) && q->common))
                    continue;
                if ((abs(q->rawlen - (int)c->rlen) <= 1 && bits_le2(q->rmask ^ c->rmask)) ||
                    (abs(q->keylen - (int)c->klen) <= 1 && bits_le2(q->kmask ^ c->kmask)) ||
                    (q->smask && (c->flags & UM_SCU_KOREAN) && abs((int)strlen(q->skey) - (int)c->klen) <= 1 &&
                     bits_le2(q->smask ^ c->kmask)))
                    smax = SYL_TYPO_SIM;
            }
        /* a given syllable written with a typo beside a rare one (given_typo) */
        if (smax < SYL_TYPO_SIM && q->gtyp)
            for (int j = 0; j < nl && smax < SYL_TYPO_SIM; j++) {
                const struct unear *c = &l[j];
                if (!(c->flags & UM_SCU_KOREAN) ||
                    (c->flags & (UM_SCU_SURNAME | UM_SCU_FAMILY | UM_SCU_GENERIC | UM_SCU_NUMBER | UM_SCU_SCRIPT)))
                    continue;
                if ((c->rlen >= 3 && abs(q->rawlen - (int)c->rlen) <= 1 && bits_le2(q->rmask ^ c->rmask)) ||
                    (c->klen >= 3 && abs(q->keylen - (int)c->klen) <= 1 && bits_le2(q->kmask ^ c->kmask)))
                    smax = SYL_TYPO_SIM;
            }
        /* a syllable written with a typo (KM = Kim) */
        for (int k = 0; k < q->nrk && smax < SYL_TYPO_SIM; k++)
            for (int j = 0; j < nl; j++)
                if (l[j].key == q->rk[k]) smax = SYL_TYPO_SIM;
        /* a listed business word written with a typo (unit_sim: at most 0.95) */
        if (q->ent && smax < 0.95 && !(q->u.flags & (UM_SCU_GENERIC | UM_SCU_NUMBER)))
            for (int j = 0; j < nl && smax < 0.95; j++)
                if (generic_typo_ok(q->u.flags, l[j].flags, q->rawlen, l[j].rlen, q->rmask, l[j].rmask)) smax = 0.95;
        if (smax > 0) {
            P += cover;
            Qs += smax * q->u.w;
        } else if (q->u.w >= 0.5f && !(q->u.flags & UM_SCU_GENERIC)) {
            D++;
            pen0 *= 0.8;
        }
        lost += (1 - smax) * q->u.w;
        if (early && D && D <= 30 && pen0 * (f->Q - lost + L0) / (f->Q + L0) < floor - 1e-9) return 0;
    }
    double L = s->cn_L[ni];
    if (f->Q + L <= 0) return 0;
    double dice = (Qs + (L < P ? L : P)) / (f->Q + L);
    int un = D + (s->cn_nld[ni] > P ? s->cn_nld[ni] - P : 0);
    double pen = 1;
    for (int k = 0; k < un && pen > 1e-3; k++) pen *= 0.8;
    return dice * pen;
}

/* bound() with every query unit paired at its best: O(1), from the sizes
 * of the two names alone (a list name much longer than the query) */
static inline double quick_bound_l(const qform *f, double L, int nld, bool typo) {
    if (f->Q + L <= 0) return 0;
    int pm = typo ? f->pmax_t : f->pmax;
    double dice = (f->Q + (L < pm ? L : pm)) / (f->Q + L);
    int un = nld > pm ? nld - pm : 0;
    for (int k = 0; k < un && dice > 1e-3; k++) dice *= 0.8;
    return dice;
}

static double quick_bound(const um_screener *s, const qform *f, uint32_t ni, bool typo) {
    return quick_bound_l(f, s->cn_L[ni], s->cn_nld[ni], typo);
}

/* moves *cur to the first posting >= v in post[*cur, end) (galloping,
 * then binary search) and says whether it is v */
static inline bool post_seek(const uint32_t *post, uint32_t *cur, uint32_t end, uint32_t v) {
    uint32_t lo = *cur;
    if (lo >= end || post[lo] >= v) return lo < end && post[lo] == v;
    uint32_t step = 1, hi = lo + 1; /* post[lo] < v */
    while (hi < end && post[hi] < v) {
        lo = hi;
        step *= 2;
        hi = lo + step;
    }
    if (hi > end) hi = end;
    /* post[lo] < v, and post[hi] >= v or hi == end */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (post[mid] < v) lo = mid;
        else hi = mid;
    }
    *cur = hi;
    return hi < end && post[hi] == v;
}

/* scores compiled name ni for the query and keeps it when it reaches thr */

static um_status consider(const um_screener *s, const qform *f, int form, uint32_t ni, uint8_t how, bool have_dob,
                          const um_sc_dob *qd, const char *qcc, double thr, double floor_name, cands *out) {
    const qunit *q = f->q;
    int nq = f->nq;
    /* how: CAND_TYPO (an affix or deletion key), CAND_XOK (every unit
     * that pairs only by key holds one): a typo candidate without a run
     * near a query word is no typo, and without XOK it cannot score */
    bool typo = how & CAND_TYPO;
    if (typo) {
        typo = how & CAND_RUN;
        if (!typo && !(how & CAND_XOK)) return UM_OK;
    }
        if (quick_bound(s, f, ni, typo) < floor_name) return UM_OK;
        if (bound(s, f, ni, typo, floor_name) < floor_name) return UM_OK;
        pairing p;
        score_name(s, q, nq, &s->units[s->uoff[ni]], (int)(s->uoff[ni + 1] - s->uoff[ni]), &p, false,
                   typo ? floor_name : 2);
        vessel_cap(s, q, nq, ni, &p);
        biz_adjust(s, q, nq, &s->units[s->uoff[ni]], (int)(s->uoff[ni + 1] - s->uoff[ni]), &p);
        if (p.name < floor_name) return UM_OK;
        uint32_t ei = s->lists.nm[s->cn_lname[ni]].entry;
        const um_sc_entry *e = &s->lists.e[ei];
        cand c = {ei, ni, form, 0, p.name, 0, 0};
        if (have_dob && e->n_dob) {
            bool any = false, exact = false;
            for (int k = 0; k < e->n_dob; k++) {
                bool ex;
                if (dob_agrees(&e->dob[k], qd, &ex)) any = true, exact |= ex;
            }
            c.adj_dob = !any ? -0.25 : exact ? 0.05 : 0.02;
        }
        if (qcc) {
            bool in_nat = false, in_cc = false;
            for (int k = 0; k < e->n_nat; k++) in_nat |= strcmp(e->nat[k], qcc) == 0;
            for (int k = 0; k < e->n_cc; k++) in_cc |= strcmp(e->cc[k], qcc) == 0;
            c.adj_nat = e->n_nat ? (in_nat ? 0.03 : -0.10) : (in_cc ? 0.02 : 0);
        }
        c.score = c.name_score + c.adj_dob + c.adj_nat;
        if (c.score > 1) c.score = 1;
        if (c.score < 0) c.score = 0;
        if (c.score + 1e-9 < thr) return UM_OK;
        bool merged = false; /* best name per entry */
        for (size_t k = 0; k < out->n; k++)
            if (out->c[k].entry == ei) {
                if (c.score > out->c[k].score + 1e-12) out->c[k] = c;
                merged = true;
                break;
            }
        if (!merged && !cands_push(out, &c)) return UM_ENOMEM;
    return UM_OK;
}

#define MAX_QKEYS (UM_SC_MAX_UNITS * 4)
#define PEND_MAX 16
/* Postings of the walked lists gathered and merged at most (more: the
 * lists are merged head by head), each as its posting (high 32 bits),
 * its list (7 bits) and its index in post (25 bits). */
#define WALK_SORT_MAX 1024
#define WS_K(x) ((uint32_t)((x) >> 25) & 127u)
#define WS_PI(x) ((uint32_t)(x) & 0x1ffffffu)

/* The walked lists gathered one after the other (run r is
 * a[seg[r]..seg[r+1]), each sorted) merged into one list sorted by value,
 * the shortest runs first (the result so far with the next shortest run:
 * the long affix lists are moved once or twice, not once a pass), without
 * a branch on the data. Every value is distinct (a name has one posting in
 * a list, and the value holds the list), so any merge order gives the one
 * order by value: by name, and for one name by list - the order a stable
 * sort by name gives. The result is in t1 or t2 (or a with one run) and
 * has seg[nseg] values. */
static uint64_t *merge_runs(uint64_t *a, uint64_t *t1, uint64_t *t2, const uint32_t *seg, int nseg) {
    if (nseg <= 1) return a;
    int ord[MAX_QKEYS];
    for (int r = 0; r < nseg; r++) { /* by length, insertion sort (a few runs) */
        int j = r;
        uint32_t len = seg[r + 1] - seg[r];
        while (j > 0 && seg[ord[j - 1] + 1] - seg[ord[j - 1]] > len) ord[j] = ord[j - 1], j--;
        ord[j] = r;
    }
    const uint64_t *x = a + seg[ord[0]];
    uint32_t xn = seg[ord[0] + 1] - seg[ord[0]];
    uint64_t *out = t1, *spare = t2;
    for (int r = 1; r < nseg; r++) {
        const uint64_t *y = a + seg[ord[r]];
        uint32_t yn = seg[ord[r] + 1] - seg[ord[r]], i = 0, j = 0, w = 0;
        while (i < xn && j < yn) {
            uint64_t u = x[i], v = y[j];
            bool t = v < u;
            out[w++] = t ? v : u;
            j += t;
            i += !t;
        }
        while (i < xn) out[w++] = x[i++];
        while (j < yn) out[w++] = y[j++];
        x = out;
        xn = w;
        uint64_t *tt = out;
        out = spare;
        spare = tt;
    }
    return (uint64_t *)x;
}

/* consider() for names in walk order, their units prefetched first */
static um_status consider_batch(const um_screener *s, const qform *f, int form, const uint32_t *ni, const uint8_t *how,
                                int n, bool have_dob, const um_sc_dob *qd, const char *qcc, double thr,
                                double floor_name, cands *out) {
    for (int i = 0; i < n; i++) {
        const uint32_t o = s->uoff[ni[i]];
        __builtin_prefetch(&s->unear[o]);
        __builtin_prefetch(&s->cn_has[ni[i]]);
    }
    for (int i = 0; i < n; i++) {
        um_status st = consider(s, f, form, ni[i], how[i], have_dob, qd, qcc, thr, floor_name, out);
        if (st != UM_OK) return st;
    }
    return UM_OK;
}

static um_status collect_generic(const um_screener *s, const um_screen_query *qq, const qform *f, int form,
                                 const uint32_t *gk, int gk_n, bool have_dob, const um_sc_dob *qd, const char *qcc,
                                 double thr, double floor_name, cands *out) {
    /* names of generic words alone, through the query's generic words */
    if (gk_n) {
        uint32_t gcur[MAX_QKEYS], gend[MAX_QKEYS];
        for (int k = 0; k < gk_n; k++) gcur[k] = s->poff[gk[k]], gend[k] = s->poff[gk[k] + 1];
        for (;;) {
            uint32_t ni = NO_KEY;
            for (int k = 0; k < gk_n; k++)
                if (gcur[k] < gend[k] && s->post[gcur[k]] < ni) ni = s->post[gcur[k]];
            if (ni == NO_KEY) break;
            for (int k = 0; k < gk_n; k++)
                if (gcur[k] < gend[k] && s->post[gcur[k]] == ni) gcur[k]++;
            ni = POST_NAME(ni);
            uint8_t ty = s->cn_type[ni];
            if (qq->type == UM_SCREEN_PERSON && ty != UM_SC_T_PERSON && ty != UM_SC_T_UNKNOWN) continue;
            if (qq->type == UM_SCREEN_ENTITY && ty == UM_SC_T_PERSON) continue;
            if ((s->cn_has[ni] & CN_HAS_ANY) || s->cn_nld[ni] || !all_generic(s, ni)) continue;
            um_status st = consider(s, f, form, ni, CAND_XOK, have_dob, qd, qcc, thr, floor_name, out);
            if (st != UM_OK) return st;
        }
    }
    return UM_OK;
}

/* a deletion key of the query (a short word's, or a short run's of an
 * entity name) with weight w: walked whatever its weight when in at most
 * DEL_MAX_DF names, a typo candidate's key; nothing when already there */
static void add_del_key(const um_screener *s, uint32_t id, float w, uint32_t *kid, uint32_t *kdf, float *kw,
                        bool *kaff, bool *kforce, uint32_t *kcov, uint32_t *ktc, int *nk) {
    for (int k = 0; k < *nk; k++)
        if (kid[k] == id) return;
    uint32_t df = s->poff[id + 1] - s->poff[id];
    if (df > DEL_MAX_DF) return;
    int n = (*nk)++;
    kid[n] = id;
    kdf[n] = df;
    kw[n] = w;
    kaff[n] = true;
    kforce[n] = true;
    kcov[n] = 0;
    ktc[n] = 0;
}

static um_status collect(const um_screener *s, const um_screen_query *qq, const qform *f, int form, bool have_dob,
                         const um_sc_dob *qd, const char *qcc, double thr, cands *out) {
    const qunit *q = f->q;
    int nq = f->nq;
    uint32_t kid[MAX_QKEYS], kdf[MAX_QKEYS];
    float kw[MAX_QKEYS];
    bool kaff[MAX_QKEYS]; /* a prefix or suffix key (typo candidates) */
    bool kforce[MAX_QKEYS]; /* walked whatever its weight (deletion keys) */
    uint32_t kcov[MAX_QKEYS]; /* query units a name holding the key may pair (bits) */
    uint32_t ktc[MAX_QKEYS];  /* query units whose key or end key (affix) it is (bits; treq) */
    uint32_t tok = 0;         /* query units whose key and end keys are all looked up (or listed nowhere) */
    uint32_t skipped = 0;     /* surnames whose keys are not used */
    int nk = 0;
    /* A surname alone never carries a match (capped at 0.5), so its long
     * posting list (Kim, Ri, Pak) is skipped when the query has more. */
    int distinct = 0;
    for (int i = 0; i < nq; i++) distinct += !(q[i].u.flags & UM_SCU_GENERIC);
    /* ... unless nothing else of the query is in the index (a typo in
     * every other part) */
    bool other_keys = false;
    for (int i = 0; i < nq; i++)
        if (!(q[i].u.flags & (UM_SCU_GENERIC | UM_SCU_SURNAME)) && q[i].key != NO_KEY) other_keys = true;
    double gen_w = 0;
    uint32_t gk[MAX_QKEYS];
    int gk_n = 0;
    for (int i = 0; i < nq; i++) {
        if (q[i].u.flags & UM_SCU_GENERIC) {
            bool dup = q[i].key == NO_KEY;
            for (int k = 0; k < gk_n; k++) dup |= gk[k] == q[i].key;
            if (!dup && gk_n < MAX_QKEYS) gk[gk_n++] = q[i].key;
            continue;
        }
        if ((q[i].u.flags & UM_SCU_SURNAME) && distinct > 1 && other_keys) {
            skipped |= 1u << i;
            continue;
        }
        gen_w += q[i].u.w;
        uint32_t ids[5] = {q[i].key, NO_KEY, NO_KEY, NO_KEY, NO_KEY};
        bool cyr_alt = false;
        /* the end keys of the key (prefix_key), and the ends of the
         * spelling: a list run of Korean syllables has the keys of its
         * spelling's ends (Ryonbnog, Ryong Bong); looked up in make_unit() */
        for (int j = 0; j < 4; j++) ids[1 + j] = q[i].cid[j];
        if ((q[i].u.flags & UM_SCU_CYR) && (q[i].u.flags & UM_SCU_KOREAN) && q[i].keylen > 1) {
            /* Kontsevich -n: the -ng syllable too, and the reverse */
            ids[1] = q[i].altkey;
            cyr_alt = true;
        }
        bool all5 = true;
        for (int j = 0; j < 5; j++) {
            if (ids[j] == NO_KEY) continue;
            bool dup = false;
            for (int k = 0; k < nk; k++)
                if (kid[k] == ids[j]) dup = true, kcov[k] |= j && !cyr_alt ? 0 : 1u << i, ktc[k] |= 1u << i;
            if (dup) continue;
            if (nk >= MAX_QKEYS) {
                all5 = false;
                continue;
            }
            uint32_t df = s->poff[ids[j] + 1] - s->poff[ids[j]];
            if (df > MAX_DF) {
                all5 = false;
                continue;
            }
            ktc[nk] = 1u << i;
            kid[nk] = ids[j];
            kdf[nk] = df;
            kw[nk] = j && !cyr_alt ? q[i].u.w * 0.5f : q[i].u.w;
            kaff[nk] = j > 0 && !cyr_alt;
            kforce[nk] = false;
            kcov[nk] = kaff[nk] ? 0 : 1u << i;
            nk++;
        }
        if (all5) tok |= 1u << i;
        /* a short word that is no listed word may hold a typo: its deletion
         * keys, when rare enough (rarity bounds the work), always walked */
        if (q[i].key == NO_KEY && del_word(&q[i].u))
            for (int d = 0; d < q[i].ndid && nk < MAX_QKEYS; d++)
                add_del_key(s, q[i].did[d], q[i].u.w * 0.5f, kid, kdf, kw, kaff, kforce, kcov, ktc, &nk);
    }
    /* runs of Korean syllables joined: a typo that splits a word into other
     * syllables ("Ryongahe") keeps the first or the last letters */
    for (int i = 0; i < nq;) {
        if (!RUNNABLE(q[i].u.flags)) {
            i++;
            continue;
        }
        int e2 = i;
        char run[UM_SC_KEYLEN * 4];
        size_t rn = 0;
        float rw = 0;
        while (e2 < nq && RUNNABLE(q[e2].u.flags)) {
            size_t rl = (size_t)q[e2].rawlen;
            if (rn + rl < sizeof run) memcpy(run + rn, q[e2].u.raw, rl), rn += rl;
            rw += q[e2].u.w;
            e2++;
        }
        char pk[8], sk[8];
        /* the deletion keys of a short run of an entity name, as listed
         * (build_index()), always walked when rare enough */
        if (q[i].ent && e2 - i > 1 && rn >= DEL_MIN + 1 && rn <= DEL_MAX)
            for (size_t d = 0; d <= rn && nk < MAX_QKEYS; d++) {
                char dk[DEL_MAX + 2];
                size_t dn = del_key(run, rn, d, dk);
                uint32_t id = key_lookup(s, dk, dn);
                if (id != NO_KEY) add_del_key(s, id, rw * 0.25f, kid, kdf, kw, kaff, kforce, kcov, ktc, &nk);
            }
        if (e2 - i > 1 && affix_keys(run, rn, pk, sk)) {
            uint32_t ids[2] = {key_lookup(s, pk, 4), key_lookup(s, sk, 4)};
            for (int j = 0; j < 2 && nk < MAX_QKEYS; j++) {
                if (ids[j] == NO_KEY) continue;
                bool dup = false;
                for (int k = 0; k < nk; k++) dup |= kid[k] == ids[j];
                uint32_t df = s->poff[ids[j] + 1] - s->poff[ids[j]];
                if (dup || df > MAX_DF) continue;
                kid[nk] = ids[j];
                kdf[nk] = df;
                kw[nk] = rw * 0.25f; /* both ends: half the run, never enough alone */
                kaff[nk] = true;
                kforce[nk] = false;
                kcov[nk] = 0;
                ktc[nk] = 0;
                nk++;
            }
        }
        i = e2;
    }
    double floor0 = thr - (have_dob ? 0.05 : 0) - (qcc ? 0.03 : 0) - 1e-6;
    if (!nk) return collect_generic(s, qq, f, form, gk, gk_n, have_dob, qd, qcc, thr, floor0, out);
    /* A name qualifies with key weight >= need. Walk the posting lists of the
     * rarest keys only: a name in none of them holds at most the weight of
     * the other keys, and once that is below need it cannot qualify. */
    float need = (float)(0.5 * gen_w);
    /* Rarity. At a floor above 0.8 x (1 - 0.5 / 64) (the default
     * threshold, no date of birth or nationality to add) a name scores only
     * when every distinctive query unit pairs: one left over costs x0.8 on
     * a Dice below 1. Without a typo (no affix or deletion key of the query
     * in the name: the word pass does not run), a unit whose key is a listed
     * word of at most 6 letters (a common syllable or name) pairs only with
     * a list unit of its key, or one spelt the same and keyed as the other
     * script would key it (Korean / not Korean): a typo of a listed word
     * needs 8 letters. So such a name must hold, for every such unit, one of
     * those keys (kcov, xreq) - the test bound() would make, made in the
     * walk from the postings, without reading the name - and the walk needs
     * only the exact keys of the unit that costs least, beside the affix
     * and deletion keys: a common syllable beside a rare one costs what the
     * rare one costs. The candidates and results are those of the weight
     * rule alone. */
    uint32_t xreq = 0, treq = 0;
    uint32_t tqid[MAX_QKEYS], tqbit[MAX_QKEYS], tqcur[MAX_QKEYS], tqend[MAX_QKEYS]; /* treq's spelling end keys */
    int ntq = 0;
    const double floor_strict = 0.8 * (1 - 0.5 / 64);
    if (thr - (have_dob ? 0.05 : 0) - (qcc ? 0.03 : 0) - 1e-6 > floor_strict) {
        for (int i = 0; i < nq; i++) {
            const qunit *u = &q[i];
            if (u->key == NO_KEY || u->u.w < 0.5f || (skipped >> i & 1) ||
                (u->u.flags & (UM_SCU_GENERIC | UM_SCU_NUMBER | UM_SCU_SCRIPT | UM_SCU_CYR)) || u->keylen > 6 ||
                u->rawlen > 6 || u->nrk || u->gtypo || !u->common) /* also pairs by a typo */
                continue;
            bool have = false;
            for (int k = 0; k < nk; k++) have |= kid[k] == u->key;
            if (!have) continue; /* too common a key to be looked up */
            /* the same spelling keyed as the other script would key it
             * (xalt: looked up in make_unit()) */
            bool ok = true;
            for (int a = 0; a < 3 && ok; a++) {
                uint32_t id = u->xalt[a];
                if (id == NO_KEY || id == u->key) continue;
                bool dup = false;
                for (int k = 0; k < nk; k++)
                    if (kid[k] == id) dup = true, kcov[k] |= 1u << i;
                if (dup) continue;
                uint32_t df = s->poff[id + 1] - s->poff[id];
                if (df > MAX_DF || nk >= MAX_QKEYS) {
                    ok = false;
                    continue;
                }
                kid[nk] = id;
                kdf[nk] = df;
                kw[nk] = 0;
                kaff[nk] = false;
                kforce[nk] = false;
                kcov[nk] = 1u << i;
                ktc[nk] = 0;
                nk++;
            }
            if (ok) xreq |= 1u << i;
        }
        /* The same for a listed word of 7+ letters, with its typos (treq):
         * a name scored without a typo (no run near a query word, or no
         * typo key) pairs such a word u only in the unit pass, by unit_sim
         * or family_typo. u is a listed word (common), so a near pair is one
         * edit at 8 letters (never two), and person_typo, given_typo and the
         * syllable repairs do not apply (no entity name, no syllable, 7+
         * letters). One edit in a word of 7+ letters leaves its first or its
         * last three letters whole, so a list unit c pairs only when the name
         * holds u's key, an end key of u's key (c's key one edit away: c's
         * end keys are posted), or an end key of u's spelling (c's spelling
         * one edit away or the same: c's end keys are those of its spelling
         * unless CN_TYPO_UNSAFE says otherwise, and a Korean syllable that
         * could pair, 6+ letters, is unsafe too). A name without one of those
         * keys for every such word, not unsafe, is ruled out in the walk -
         * what bound() and score_name() would find. Every one of the five
         * keys must be looked up (none too common, MAX_DF), or listed
         * nowhere. */
        for (int i = 0; i < nq; i++) {
            const qunit *u = &q[i];
            if (!(tok >> i & 1) || u->ent || !u->common || u->key == NO_KEY || u->u.w < 0.5f || (skipped >> i & 1) ||
                (u->u.flags & (UM_SCU_KOREAN | UM_SCU_GENERIC | UM_SCU_NUMBER | UM_SCU_SCRIPT | UM_SCU_CYR |
                               UM_SCU_SURNAME)) ||
                u->keylen < 7 || u->rawlen < 7 || u->nrk || u->gtyp || u->gtypo || u->skey[0] || u->gkey)
                continue;
            /* the ends of the spelling posted apart (raw_end_key()) */
            const uint32_t *eid = u->tend;
            bool ok = ntq + 2 <= MAX_QKEYS;
            for (int e = 0; e < 2 && ok; e++) ok = eid[e] == NO_KEY || s->poff[eid[e] + 1] - s->poff[eid[e]] <= MAX_DF;
            if (!ok) continue;
            for (int e = 0; e < 2; e++) {
                if (eid[e] == NO_KEY) continue;
                bool dup = false;
                for (int k = 0; k < ntq; k++)
                    if (tqid[k] == eid[e]) dup = true, tqbit[k] |= 1u << i;
                if (!dup) tqid[ntq] = eid[e], tqbit[ntq++] = 1u << i;
            }
            treq |= 1u << i;
        }
    }
    /* a family name written with a typo (family_typo) pairs with no key:
     * a whole word at either end of a person name of three distinctive
     * units or more may be missing when every other required unit is there */
    uint32_t famcap = 0;
    if (xreq && !q[0].ent) {
        int nd = 0, lastw = -1;
        for (int i = 0; i < nq; i++) {
            nd += !(q[i].u.flags & (UM_SCU_GENERIC | UM_SCU_NUMBER | UM_SCU_SCRIPT));
            lastw = q[i].u.word;
        }
        /* a query with its surname found (Lim Ji-woo) has its family at
         * that end: no typo of one there; but a surname read at one end may
         * be a given syllable of the listed name (Jong Man K'um for KIM,
         * Jong Man: given names first), so a whole word at the other end may
         * still be the family typed (family_typo pairs it) */
        bool sur0 = false, sur1 = false;
        for (int i = 0; i < nq; i++)
            if (q[i].u.flags & UM_SCU_SURNAME) {
                if (q[i].u.word == q[0].u.word) sur0 = true;
                if (q[i].u.word == lastw) sur1 = true;
                if (q[i].u.word != q[0].u.word && q[i].u.word != lastw) nd = 0;
            }
        for (int i = 0; i < nq && nd >= 3; i++) {
            bool whole = (i == 0 || q[i - 1].u.word != q[i].u.word) && (i + 1 == nq || q[i + 1].u.word != q[i].u.word);
            bool end0 = q[i].u.word == q[0].u.word && !sur0, end1 = q[i].u.word == lastw && !sur1;
            if (whole && (!q[i].sur || q[i].sursw) && q[i].rawlen <= 5 && (end0 || end1)) famcap |= 1u << i;
        }
        famcap &= xreq;
    }
    /* ... and so may a given syllable written with a typo beside a rare one
     * (given_typo): the rare one is required, and its list is short */
    if (xreq && !q[0].ent)
        for (int i = 0; i < nq; i++)
            if (q[i].gtyp) famcap |= (1u << i) & xreq;
    /* ... and any one word of an entity name (ent_typo) */
    if (xreq && q[0].ent) famcap |= xreq;
    int ord[MAX_QKEYS];
    for (int k = 0; k < nk; k++) {
        int j = k;
        /* forced keys first, then the rarest */
        while (j > 0 && (kforce[k] && !kforce[ord[j - 1]] ? true
                         : kforce[k] != kforce[ord[j - 1]] ? false
                                                           : kdf[ord[j - 1]] > kdf[k]))
            ord[j] = ord[j - 1], j--;
        ord[j] = k;
    }
    double rest = 0;
    int nforced = 0;
    for (int k = 0; k < nk; k++) rest += kw[k], nforced += kforce[k];
    int nwalk = 0;
    while (nwalk < nk && (nwalk < nforced || !(rest < (double)need - 1e-4))) rest -= kw[ord[nwalk++]];
    if (xreq) { /* the exact keys of one required unit and every typo key, when they cost less */
        uint64_t old = 0, best = UINT64_MAX, aff = 0;
        uint32_t bm = 0; /* the units whose exact keys are walked */
        for (int k = 0; k < nwalk; k++) old += kdf[ord[k]];
        for (int k = 0; k < nk; k++) aff += kaff[k] ? kdf[k] : 0;
        /* a unit outside famcap is always there; when every required unit
         * is in famcap (one may be missing: KIM Gwang-Hyo, Gwang and Hyo
         * both rare, either typed), a name holds one of any two of them */
        bool pair = !(xreq & ~famcap) && (xreq & (xreq - 1));
        for (int i = 0; i < nq; i++) {
            if (!(xreq >> i & 1) || ((famcap >> i & 1) && !pair)) continue; /* walked: always there */
            for (int j = pair ? i + 1 : nq; j < (pair ? nq : nq + 1); j++) {
                if (j < nq && !(xreq >> j & 1)) continue;
                uint32_t m = 1u << i | (j < nq ? 1u << j : 0);
                uint64_t c = aff;
                for (int k = 0; k < nk; k++)
                    if ((kcov[k] & m) && !kaff[k]) c += kdf[k];
                if (c < best) best = c, bm = m;
            }
        }
        if (bm && best < old) {
            int o2[MAX_QKEYS], n2 = 0;
            for (int k = 0; k < nk; k++)
                if ((kcov[ord[k]] & bm) || kaff[ord[k]]) o2[n2++] = ord[k];
            nwalk = n2;
            for (int k = 0; k < nk; k++)
                if (!((kcov[ord[k]] & bm) || kaff[ord[k]])) o2[n2++] = ord[k];
            memcpy(ord, o2, (size_t)nk * sizeof *ord);
        }
    }
    /* every required unit covered, or all but one family name typo */
#define XREQ_OK(c) (((c) & xreq) == xreq || (((xreq & ~(c)) & ((xreq & ~(c)) - 1)) == 0 && (xreq & ~(c) & famcap)))
    uint32_t cur[MAX_QKEYS], end[MAX_QKEYS];
    for (int k = 0; k < nwalk; k++) {
        cur[k] = s->poff[kid[ord[k]]];
        end[k] = s->poff[kid[ord[k]] + 1];
    }
    /* the DOB and nationality checks can add at most this to a name score */
    double floor_name = thr - (have_dob ? 0.05 : 0) - (qcc ? 0.03 : 0) - 1e-6;
    float unwalked = 0;
    uint32_t unwalked_cov = 0, unwalked_tc = 0;
    bool unwalked_aff = false;
    for (int k = nwalk; k < nk; k++)
        unwalked += kw[ord[k]], unwalked_cov |= kcov[ord[k]], unwalked_aff |= kaff[ord[k]], unwalked_tc |= ktc[ord[k]];
    for (int k = 0; k < ntq; k++) {
        tqbit[k] &= treq;
        unwalked_tc |= tqbit[k];
        tqcur[k] = s->poff[tqid[k]];
        tqend[k] = s->poff[tqid[k] + 1];
    }
    /* a name with more distinctive units than the query can pair leaves
     * one unpaired: x0.8 on a Dice below 1 (at most 1 - 0.5 / 64) */
    int nld_max = 31;
    {
        double pen = 0.8 * (1 - 0.5 / 64);
        for (int u = 1; u < 31; u++, pen *= 0.8)
            if (pen < floor_name) {
                nld_max = f->pmax + u - 1;
                break;
            }
    }
    int nld_max_t = nld_max + (f->pmax_t > f->pmax ? f->pmax_t - f->pmax : 0); /* a typo candidate */
    if (nld_max_t > 31) nld_max_t = 31;
    const uint32_t *post = s->post;
    /* the unwalked (common) keys are probed in their own posting lists,
     * which are sorted like the walk: a cursor per list moves forward by
     * galloping, so a probe reads a few words near the last one instead of
     * the name's units elsewhere in memory */
    uint32_t ucur[MAX_QKEYS], uend[MAX_QKEYS];
    for (int k = nwalk; k < nk; k++) {
        ucur[k] = s->poff[kid[ord[k]]];
        uend[k] = s->poff[kid[ord[k]] + 1];
    }
    uint32_t pend[PEND_MAX];
    uint8_t phow[PEND_MAX];
    int npend = 0;
    /* the head of each walked list (NO_KEY once it is done: no posting is
     * NO_KEY, names are fewer than 2^24 - 1), its weight and typo flag */
    const uint32_t *paux = s->paux;
    uint32_t head[MAX_QKEYS], ck[MAX_QKEYS], tk[MAX_QKEYS];
    float wk[MAX_QKEYS];
    bool ak[MAX_QKEYS];
    int nw4 = (nwalk + 3) & ~3; /* the heads in fours (NO_KEY after the last): a minimum of fixed width */
    for (int k = nwalk; k < nw4; k++) head[k] = NO_KEY;
    for (int k = 0; k < nwalk; k++) {
        head[k] = cur[k] < end[k] ? post[cur[k]] : NO_KEY;
        wk[k] = kw[ord[k]];
        ak[k] = kaff[ord[k]];
        ck[k] = kcov[ord[k]];
        tk[k] = ktc[ord[k]] & treq;
    }
    /* The names met, in name order, each once with what the walked keys
     * it holds give: their weight (summed in list order whichever way),
     * typo flag and units covered. Few postings (the usual case) are
     * gathered list after list and the lists merged, shortest first,
     * without a branch that depends on the data (merge_runs(); the walk
     * takes 3-6 lists); more are merged head by head. (Leaving out, as
     * they are gathered, the postings whose name the walk skips whatever
     * its other postings - too many distinctive units, another entry type
     * - was tried: it drops few and costs more than it saves.) */
    /* the entry types the query keeps (bits): a person query persons and
     * entries of unknown type, an entity query all but persons */
    const uint32_t tkeep = qq->type == UM_SCREEN_PERSON   ? (1u << UM_SC_T_PERSON | 1u << UM_SC_T_UNKNOWN)
                           : qq->type == UM_SCREEN_ENTITY ? ~(1u << UM_SC_T_PERSON)
                                                          : ~0u;
    /* Typo keys walked for the names that may be typos only. A name whose
     * run is not near a query word (paux_run() false: a property of the
     * name, the same in every posting) is no typo candidate whatever typo
     * keys it holds (run stays false below), so it is handed to consider()
     * only when it holds the keys of the units that pair only by key
     * (XREQ_OK). When the walk holds every key that covers one such unit
     * whose absence XREQ_OK never forgives (a unit outside famcap, or two
     * units), each name that can pass is met through that unit's lists;
     * then the typo keys' lists (pure: they cover no unit) are gathered
     * only for names whose run is near, and the other names met are
     * probed in them, so every name met ends with the keys, weight (summed
     * in the same list order) and typo flag of the full walk, and the
     * names no longer met are ones XREQ_OK drops. */
    uint64_t fmask = 0; /* the walked lists gathered filtered (by walk index) */
    float fw = 0;       /* their weight */
    if (xreq && nwalk <= 64) {
        uint32_t wd = 0;
        for (int i = 0; i < nq; i++) {
            if (!(xreq >> i & 1)) continue;
            bool all = true;
            for (int k = nwalk; k < nk && all; k++) all = !(kcov[ord[k]] >> i & 1);
            if (all) wd |= 1u << i;
        }
        if ((wd & ~famcap) || (wd & (wd - 1)))
            for (int k = 0; k < nwalk; k++)
                if (kaff[ord[k]] && !kcov[ord[k]]) fmask |= 1ull << k, fw += kw[ord[k]];
    }
    uint32_t fcur[64], fend[64];
    uint64_t wbuf[WALK_SORT_MAX], wtmp[WALK_SORT_MAX], wtmp2[WALK_SORT_MAX], *ws = NULL;
    size_t wn = 0, wi = 0;
    if (s->poff[s->n_keys] <= WS_PI(UINT32_MAX)) {
        uint32_t seg[MAX_QKEYS + 1];
        size_t tot = 0;
        for (int k = 0; k < nwalk; k++) tot += end[k] - cur[k];
        if (fmask && tot > WALK_SORT_MAX) { /* gathered filtered: fits? */
            tot = 0;
            for (int k = 0; k < nwalk; k++)
                if (fmask >> k & 1) {
                    for (uint32_t i = cur[k]; i < end[k]; i++) tot += paux_run(f, paux[i]);
                } else tot += end[k] - cur[k];
            if (tot > WALK_SORT_MAX) fmask = 0, fw = 0; /* the head-by-head walk, unfiltered */
        }
        if (tot <= WALK_SORT_MAX) {
            for (int k = 0; k < nwalk; k++) {
                seg[k] = (uint32_t)wn;
                if (fmask >> k & 1) {
                    fcur[k] = cur[k], fend[k] = end[k];
                    for (uint32_t i = cur[k]; i < end[k]; i++) {
                        wbuf[wn] = (uint64_t)post[i] << 32 | (uint64_t)k << 25 | i;
                        wn += paux_run(f, paux[i]);
                    }
                } else
                    for (uint32_t i = cur[k]; i < end[k]; i++) wbuf[wn++] = (uint64_t)post[i] << 32 | (uint64_t)k << 25 | i;
            }
            seg[nwalk] = (uint32_t)wn;
            ws = merge_runs(wbuf, wtmp, wtmp2, seg, nwalk);
        }
    } else fmask = 0, fw = 0;
    /* a bound on the filtered lists' weight for the first weight test (a
     * looser test: the exact one follows the probes) */
    const float fw_slack = fmask ? fw + 0.01f : 0;
    for (;;) {
        uint32_t v = NO_KEY; /* and so when no list is walked (nwalk 0) */
        float w = 0;
        bool typo = false;
        uint32_t cov = 0, pi = 0, tc = 0;
        uint64_t hm = 0; /* the walked lists that hold it (gathered path, first 64) */
        if (ws) {
            if (wi == wn) break;
            uint64_t x = ws[wi];
            v = (uint32_t)(x >> 32);
            do {
                uint32_t k = WS_K(x);
                pi = WS_PI(x);
                w += wk[k];
                typo |= ak[k];
                cov |= ck[k];
                tc |= tk[k];
                hm |= 1ull << (k & 63);
            } while (++wi < wn && (uint32_t)((x = ws[wi]) >> 32) == v);
        } else {
            for (int k = 0; k < nw4; k += 4) {
                uint32_t a = head[k] < head[k + 1] ? head[k] : head[k + 1];
                uint32_t b = head[k + 2] < head[k + 3] ? head[k + 2] : head[k + 3];
                a = a < b ? a : b;
                v = a < v ? a : v;
            }
            if (v == NO_KEY) break;
            /* the weight of the walked keys comes from the walk itself; the
             * others are looked up only for a name that could still qualify:
             * the cost is the length of the rare lists, not of the common ones */
            for (int k = 0; k < nwalk; k++)
                if (head[k] == v) {
                    pi = cur[k];
                    w += wk[k];
                    typo |= ak[k];
                    cov |= ck[k];
                    tc |= tk[k];
                    head[k] = ++cur[k] < end[k] ? post[cur[k]] : NO_KEY;
                }
        }
        if ((int)POST_NLD(v) > nld_max_t) continue;
        uint32_t ni = POST_NAME(v);
        if (!(tkeep >> POST_TYPE(v) & 1u)) continue;
        if (w + unwalked + fw_slack < need - 1e-4f) continue;
        if (!typo && !unwalked_aff && !XREQ_OK(cov | unwalked_cov)) continue;
        if (fmask && !paux_run(f, paux[pi])) {
            /* no typo candidate (run false below): what the full walk would
             * drop first, then the filtered lists probed for it */
            if (!XREQ_OK(cov | unwalked_cov) ||
                quick_bound_l(f, PAUX_L8(paux[pi]) / 8.0, (int)POST_NLD(v), false) < floor_name)
                continue;
            bool got = false;
            for (uint64_t m = fmask; m; m &= m - 1) {
                int k = __builtin_ctzll(m);
                if (post_seek(post, &fcur[k], fend[k], v)) hm |= 1ull << k, tc |= tk[k], got = true;
            }
            if (got) { /* the weight in list order, as the full walk sums it */
                w = 0;
                typo = false;
                for (uint64_t m = hm; m; m &= m - 1) {
                    int k = __builtin_ctzll(m);
                    w += wk[k];
                    typo |= ak[k];
                }
            }
        }
        /* Before the probes of the unwalked keys, what consider() would
         * rule out whatever they add: a name without a run near a query
         * word is no typo (whatever typo key it holds), so it needs the
         * keys of every unit that pairs only by key, and a size that can
         * reach the floor without a typo. From the word beside the
         * posting (paux), read with it; the name's run word only when
         * the run's length and folded letters are near a query word's. */
        uint32_t a = paux[pi];
        bool run = false;
        if ((typo || unwalked_aff) && PAUX_LEN(a)) {
            if (PAUX_LEN(a) == RUN_SLOW) run = typo_run(s, f, ni);
            else if (PAUX_LEN(a) == PAUX_TWO) run = (f->tnear[PAUX_LEN1(a)] | f->tnear[PAUX_LEN2(a)]) && typo_run(s, f, ni);
            else
                for (uint32_t b = f->tnear[PAUX_LEN(a)]; b; b &= b - 1)
                    if (bits_le2(PAUX_FOLD(a) ^ f->tfold[__builtin_ctz(b)])) {
                        run = typo_run(s, f, ni);
                        break;
                    }
        }
        if (!run && (!XREQ_OK(cov | unwalked_cov) ||
                     quick_bound_l(f, PAUX_L8(a) / 8.0, (int)POST_NLD(v), false) < floor_name))
            continue;
        /* a word of 7+ letters (treq) without its key or an end key, in a
         * name scored without a typo, is left unpaired (see treq): the
         * name's unsafe bit only when the keys are missing */
        bool tmiss = treq && (tc & treq) != treq && !(s->cn_has[ni] & CN_TYPO_UNSAFE);
        if (tmiss && !run && ((tc | unwalked_tc) & treq) != treq) continue;
        /* The probes of the unwalked keys only add weight, keys and the
         * typo flag. They are left out when what they could add changes
         * nothing: the weight already reaches need (it only grows), and
         * either a typo candidate with a run (scored as a typo whatever
         * else it holds) or the required keys already held (XREQ_OK only
         * gains) by a name that is no typo candidate (no run: consider()
         * scores it as a name without a typo whether or not it holds a
         * typo key) within the size a name without a typo may have. */
        bool probe = !(w >= need - 1e-4f && (typo ? run || XREQ_OK(cov)
                                                  : !run && XREQ_OK(cov) && (int)POST_NLD(v) <= nld_max));
        /* (and when the treq keys are still to be found: probing only adds
         * what the name holds) */
        if (probe || (tmiss && unwalked_tc))
            for (int k = nwalk; k < nk; k++)
                if (post_seek(post, &ucur[k], uend[k], v))
                    w += kw[ord[k]], typo |= kaff[ord[k]], cov |= kcov[ord[k]], tc |= ktc[ord[k]];
        if (tmiss && (!typo || !run))
            for (int k = 0; k < ntq && (tc & treq) != treq; k++)
                if (!(tc & tqbit[k]) && post_seek(post, &tqcur[k], tqend[k], v)) tc |= tqbit[k];
        if (w < need - 1e-4f || (!typo && !XREQ_OK(cov))) continue;
        if (tmiss && (!typo || !run) && (tc & treq) != treq) continue;
        if (!typo && (int)POST_NLD(v) > nld_max) continue;
        /* scored in batches, in walk order: the batch's name data is
         * prefetched first, so the cache misses of one name overlap those
         * of the next instead of each stalling the scoring in turn */
        __builtin_prefetch(&s->uoff[ni]);
        __builtin_prefetch(&s->cn_L[ni]);
        __builtin_prefetch(&s->cn_nld[ni]);
        pend[npend] = ni;
        phow[npend++] = (uint8_t)((typo ? CAND_TYPO : 0) | (XREQ_OK(cov) ? CAND_XOK : 0) | (run ? CAND_RUN : 0));
        if (npend == PEND_MAX) {
            um_status st = consider_batch(s, f, form, pend, phow, npend, have_dob, qd, qcc, thr, floor_name, out);
            if (st != UM_OK) return st;
            npend = 0;
        }
    }
    um_status st = consider_batch(s, f, form, pend, phow, npend, have_dob, qd, qcc, thr, floor_name, out);
    if (st != UM_OK) return st;
    return collect_generic(s, qq, f, form, gk, gk_n, have_dob, qd, qcc, thr, floor_name, out);
#undef XREQ_OK
}

um_status um_screen_name(const um_screener *s, const um_screen_query *qq, um_screen_result **out) {
    *out = NULL;
    if (!s || !qq || !qq->name) return UM_EINVAL;
    um_sc_dob qd;
    bool have_dob = qq->dob && *qq->dob;
    if (have_dob && !um_sc_parse_dob(qq->dob, &qd)) return UM_EINVAL;
    const char *qcc = qq->country && *qq->country ? um_sc_country_code(qq->country, strlen(qq->country)) : NULL;
    if (qq->country && *qq->country && !qcc) return UM_EINVAL;
    double thr = qq->threshold > 0 ? qq->threshold : DEFAULT_THRESHOLD;
    size_t limit = qq->limit ? qq->limit : DEFAULT_LIMIT;
    um_screen_result *r = result_new();
    if (!r) return UM_ENOMEM;
    *out = r;
    int want = qq->type == UM_SCREEN_ENTITY ? 1 : qq->type == UM_SCREEN_PERSON ? 0 : -1;
    um_sc_name qn[UM_SC_MAX_FORMS];
    bool qent = false;
    int nforms = um_sc_norm_forms(&s->norm, qq->name, want, true, qn, &qent);
    qform f[UM_SC_MAX_FORMS];
    for (int i = 0; i < nforms; i++) make_form(s, &qn[i], &f[i], qent);
    r->query = describe_query(r, f[0].q, f[0].nq);
    cands cs;
    cs.c = cs.inl;
    cs.n = 0;
    cs.cap = CANDS_INLINE;
    um_status st = UM_OK;
    for (int i = 0; i < nforms && st == UM_OK; i++)
        if (f[i].nq) st = collect(s, qq, &f[i], i, have_dob, &qd, qcc, thr, &cs);
    if (st == UM_OK && cs.n) {
        qsort(cs.c, cs.n, sizeof *cs.c, cmp_cand);
        /* entries of one party shown together: each right after the best of its party */
        for (size_t k = 0; k + 1 < cs.n; k++) {
            uint32_t pk = s->party[cs.c[k].entry];
            size_t at = k + 1;
            for (size_t j = k + 1; j < cs.n; j++)
                if (s->party[cs.c[j].entry] == pk) {
                    cand t = cs.c[j];
                    memmove(&cs.c[at + 1], &cs.c[at], (j - at) * sizeof *cs.c);
                    cs.c[at++] = t;
                }
            k = at - 1;
        }
        for (size_t k = 0; k < cs.n && k < limit; k++) {
            um_screen_match *m = result_add(r);
            if (!m) {
                st = UM_ENOMEM;
                break;
            }
            const cand *c = &cs.c[k];
            const um_sc_entry *e = &s->lists.e[c->entry];
            const um_sc_lname *ln = &s->lists.nm[s->cn_lname[c->name]];
            m->list = e->list;
            m->uid = e->uid;
            m->entry_name = e->primary;
            m->matched_name = ln->name;
            m->alias_kind = ln->kind;
            m->entry_type = type_name(e->type);
            m->score = floor(c->score * 1000 + 0.5) / 1000;
            m->dob_check = !have_dob || !e->n_dob ? 0 : c->adj_dob > 0 ? 1 : -1;
            m->country_check = !qcc || !e->n_nat ? 0 : c->adj_nat > 0 ? 1 : -1;
            m->programs = e->programs ? e->programs : "";
            m->listed = listed_attrs(r, e);
            m->also_listed = also_listed(s, r, c->entry);
            explain(s, r, m, c, f[c->form].q, f[c->form].nq, have_dob ? &qd : NULL, qcc);
        }
    }
    if (cs.c != cs.inl) um_free(cs.c);
    return st;
}

/* ---- identifiers ------------------------------------------------------------- */

um_status um_screen_identifier(const um_screener *s, const char *kind, const char *value, um_screen_result **out) {
    *out = NULL;
    if (!s || !kind || !value) return UM_EINVAL;
    um_screen_result *r = result_new();
    if (!r) return UM_ENOMEM;
    *out = r;
    char v[1024];
    snprintf(v, sizeof v, "%s", value);
    char *canon = NULL;
    const char *type = NULL;
    if (um_streq_ci(kind, "email")) canon = um_canon_email(&r->arena, v), type = "email";
    else if (um_streq_ci(kind, "wallet")) canon = um_canon_wallet(&r->arena, v), type = "wallet";
    else if (um_streq_ci(kind, "github")) canon = um_canon_handle(&r->arena, v), type = "github";
    else if (um_streq_ci(kind, "telegram")) canon = um_canon_handle(&r->arena, v), type = "telegram";
    else if (um_streq_ci(kind, "phone")) canon = um_canon_phone(&r->arena, v), type = "phone";
    else return UM_EINVAL;
    r->query = canon ? canon : "";
    if (!canon || !*canon) return UM_OK;
    /* EVM addresses are case-insensitive: um_canon_wallet lower-cases them */
    const um_ioc_hit *h = s->ctx ? um_ioc_lookup(um_ctx_ioc(s->ctx), type, canon) : NULL;
    if (h) {
        um_screen_match *m = result_add(r);
        if (!m) return UM_ENOMEM;
        m->programs = m->listed = m->also_listed = "";
        m->list = h->sanctioned ? "indicator list (OFAC-sourced)" : "indicator list";
        m->uid = h->source;
        m->entry_name = h->note;
        m->matched_name = h->value;
        m->alias_kind = "identifier";
        m->entry_type = h->type;
        m->score = 1.0;
        m->explanation = um_arena_printf(&r->arena, "exact %s match after canonicalisation (%s -> %s) in data/ioc (%s); %s",
                                         h->type, value, canon, h->sanctioned ? "sanctioned source" : "published OSINT",
                                         h->note);
    }
    char key[1100];
    int n = snprintf(key, sizeof key, "%s\x1f%s", type, canon);
    uintptr_t id = n > 0 && (size_t)n < sizeof key ? (uintptr_t)um_map_get(&s->idents, key, (size_t)n) : 0;
    if (id) {
        const um_sc_ident *x = &s->lists.id[id - 1];
        const um_sc_entry *e = &s->lists.e[x->entry];
        um_screen_match *m = result_add(r);
        if (!m) return UM_ENOMEM;
        m->list = e->list;
        m->uid = e->uid;
        m->entry_name = e->primary;
        m->matched_name = x->value;
        m->programs = e->programs ? e->programs : "";
        m->listed = listed_attrs(r, e);
        m->alias_kind = "identifier";
        m->entry_type = type_name(e->type);
        m->score = 1.0;
        m->explanation = um_arena_printf(&r->arena, "exact %s match after canonicalisation (%s -> %s) in the remarks of %s %s \"%s\"",
                                         type, value, canon, e->list, e->uid, e->primary);
    }
    return UM_OK;
}
