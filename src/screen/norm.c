/*
 * norm.c - name normaliser for sanctions screening.
 *
 * A name becomes a list of "units" that compare by canonical key:
 *   1. NFKC + case fold (utf8proc); Latin diacritics removed (Kyŏng -> kyong);
 *      apostrophes deleted (CH'OE -> choe); every other non-letter separates.
 *   2. Hangul syllables are romanised by Unicode syllable arithmetic
 *      (initial/vowel/final jamo, Revised Romanization) - no ICU needed.
 *      A small table maps common Hanja/Hanzi of Korean names to their Hangul
 *      reading first. Cyrillic goes through a Korean-specific letter table
 *      (Kontsevich and the traditional Russian spellings: Ким Чен Ын).
 *   3. A name that looks Korean (a common Korean surname as a whole word,
 *      or Hangul/Cyrillic input) has each run of Latin words concatenated and
 *      re-split into syllables, longest syllable first, so "Jong Un",
 *      "Jong-un" and "Jongun" all give jong + un.
 *   4. Each syllable's key comes from data/names/korean_variants.tsv when the
 *      spelling is listed there, else from folding rules: syllable-initial
 *      g/b/d/j -> k/p/t/ch, doubled (tense) consonants single, eo -> o,
 *      eu -> u, oo -> u, ee -> i.
 *   5. In entity names, legal forms and generic business words (CORP, CO,
 *      LTD, LLC, TRADING, COMPANY, GROUP ...) are flagged generic, and
 *      Korea / Korean / Choson / Chosun / DPRK share the key "korea".
 * No unit is dropped for being short (O, U, Il, Un are real syllables).
 *
 * Scripts the tables above do not read (Han outside the Korean-name table,
 * kana, Greek, Arabic, Thai, ...) go through ICU "Any-Latin; Latin-ASCII",
 * one run of such letters at a time; Han comes out as Mandarin pinyin, so the
 * characters themselves are also kept, as an "original script" form whose
 * units are the characters (Han, kana) or words (other scripts) as written.
 * The transliterator is opened at the first name that needs it, once per
 * normaliser, and its results are cached per distinct run; both sit behind
 * a mutex, so the normaliser stays shareable between threads. List names
 * are normalised without ICU (its Han-Latin rules take about 100 ms to load,
 * more than the whole index build): they keep the Korean-name Han table
 * reading and their original-script form, and a query in the same script
 * meets them there.
 *
 * Ownership: um_sc_norm owns its maps, arena and transliterator; the
 * normalising functions write into the caller's um_sc_name and allocate
 * nothing except utf8proc's scratch (and ICU's, on a cache miss).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>
#include <utf8proc.h>

#include <unicode/ustring.h>
#include <unicode/utrans.h>

#include "screen_int.h"

/* ---- Hangul syllable arithmetic ----------------------------------------- */

static const char *const rr_init[19] = {"g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s",
                                        "ss", "", "j", "jj", "ch", "k", "t", "p", "h"};
/* North Korea's own romanisation writes the aspirates ㅋ ㅌ ㅍ with h
 * (Unpha, Thaephyongsan, Phyongyang): a third spelling of those syllables */
static const char *const nk_asp[3] = {"kh", "th", "ph"};
static const char *const mr_init[19] = {"k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s",
                                        "ss", "", "ch", "tch", "ch", "k", "t", "p", "h"};
static const char *const rr_vow[21] = {"a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae",
                                       "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i"};
static const char *const mr_vow[21] = {"a", "ae", "ya", "yae", "o", "e", "yo", "ye", "o", "wa", "wae",
                                       "oe", "yo", "u", "wo", "we", "wi", "yu", "u", "ui", "i"};
static const char *const fin[28] = {"", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l",
                                    "p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t"};

/* Romanises one Hangul syllable (U+AC00..U+D7A3) into out (RR, no context rules). */
static size_t cat3(char *out, size_t cap, const char *a, const char *b, const char *c) {
    size_t o = 0;
    for (const char *p = a; *p && o + 1 < cap; p++) out[o++] = *p;
    for (const char *p = b; *p && o + 1 < cap; p++) out[o++] = *p;
    for (const char *p = c; *p && o + 1 < cap; p++) out[o++] = *p;
    if (cap) out[o] = 0;
    return o;
}

static void hangul_rr(uint32_t cp, char *out, size_t cap) {
    uint32_t s = cp - 0xAC00u;
    uint32_t l = s / (21 * 28), v = (s % (21 * 28)) / 28, t = s % 28;
    cat3(out, cap, rr_init[l], rr_vow[v], fin[t]);
}

/* Common Hanja / Hanzi of Korean names and their Hangul reading, as UTF-8
 * pairs "han hangul". Han characters not listed are ignored (reading them
 * needs ICU and is ambiguous between languages). */
static const char han_table[] =
    "金김正정恩은日일成성朴박李리崔최龍룡龙룡哲철明명英영永영南남男남浩호虎호光광國국国국東동东동"
    "洙수秀수植식勳훈勲훈革혁赫혁峰봉春춘玉옥順순顺순姬희姫희花화淑숙子자賢현贤현鉉현铉현俊준仁인"
    "元원洪홍韓한韩한姜강張장张장鄭정郑정趙조赵조尹윤林림吳오吴오申신安안宋송柳류黃황黄황高고全전"
    "孫손孙손文문梁량白백許허许허玄현延연太태泰태鐵철铁철敏민民민珍진鎭진镇진振진在재載재载재基기"
    "吉길德덕善선石석錫석锡석碩석硕석學학学학海해雲운云운允윤泳영勇용用용容용雄웅一일日일秉병炳병"
    "根근模모浩호鎬호镐호奎규圭규錦금锦금今금琴금承승勝승胜승忠충衡형亨형炯형哲철喆철澈철徹철彻철"
    "蓮련莲련連련连련蓮련麗려丽려烈렬列렬禮례礼례魯로鲁로盧로卢로陸륙陆륙崙륜仑륜倫륜伦륜律률栗률"
    "范범凡범方방房방裵배裴배表표卞변邊변边변奉봉鳳봉凤봉夫부富부慶경庆경京경景경敬경卿경";

#include "unihan_ko.h"

/* Sino-Korean reading from Unicode's Unihan (kHangul; 0 when none) */
static uint32_t unihan_hangul(uint32_t cp) {
    size_t lo = 0, hi = UM_UNIHAN_KO_N;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (um_unihan_ko[mid][0] < cp) lo = mid + 1;
        else hi = mid;
    }
    return lo < UM_UNIHAN_KO_N && um_unihan_ko[lo][0] == cp ? um_unihan_ko[lo][1] : 0;
}

/* Hanja of the common Korean surnames: a run of 2-4 Han characters that
 * starts with one of them is read as a Korean name (金 -> Kim, not Jin) */
static const char han_surnames[] = "金李朴崔鄭郑姜趙赵尹張张林韓韩吳吴申安宋柳洪全高文孫孙梁裵裴白許许劉刘南沈盧卢河丁成車车具禹朱任羅罗辛閔闵兪俞池陳陈嚴严元蔡千方康玄咸卞廉楊杨邊边呂吕秦";

static bool han_is_surname(uint32_t cp) {
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)han_surnames;
    utf8proc_ssize_t left = (utf8proc_ssize_t)(sizeof han_surnames - 1);
    while (left > 0) {
        utf8proc_int32_t a;
        utf8proc_ssize_t k = utf8proc_iterate(p, left, &a);
        if (k <= 0) break;
        if ((uint32_t)a == cp) return true;
        p += k, left -= k;
    }
    return false;
}

static uint32_t han_table_get(uint32_t cp);

/* The Korean reading of a Han character: the name table first, then Unihan. */
static uint32_t han_to_hangul(uint32_t cp) {
    uint32_t h = han_table_get(cp);
    return h ? h : unihan_hangul(cp);
}

static uint32_t han_table_get(uint32_t cp) {
    if (!((cp >= 0x3400 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF))) return 0;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)han_table;
    utf8proc_ssize_t left = (utf8proc_ssize_t)(sizeof han_table - 1);
    while (left > 0) {
        utf8proc_int32_t a, b;
        utf8proc_ssize_t k = utf8proc_iterate(p, left, &a);
        if (k <= 0) break;
        p += k, left -= k;
        k = utf8proc_iterate(p, left, &b);
        if (k <= 0) break;
        p += k, left -= k;
        if ((uint32_t)a == cp) return (uint32_t)b;
    }
    return 0;
}

/* Cyrillic (lower case, after case folding) -> Latin for Korean names. */
static const char *cyr_latin(uint32_t cp) {
    static const char *const t[32] = {"a", "p", "w", "k", "t", "e", "ch", "ch", "i", "i", "k",
                                      "l", "m", "n", "o", "p", "r", "s", "t", "u", "p", "h",
                                      "ch", "ch", "s", "s", "", "u", "", "ae", "yu", "ya"};
    if (cp >= 0x430 && cp <= 0x44F) return t[cp - 0x430];
    switch (cp) {
    case 0x451: return "yo"; /* ё */
    case 0x456: case 0x457: return "i";
    case 0x454: return "ye";
    case 0x45E: return "w";
    case 0x491: return "k";
    default: return NULL;
    }
}

/* Cyrillic (lower case) -> Latin, Russian names (BGN/PCGN without marks) */
static const char *cyr_russian(uint32_t cp) {
    static const char *const t[32] = {"a", "b", "v", "g", "d", "e", "zh", "z", "i", "y", "k",
                                      "l", "m", "n", "o", "p", "r", "s", "t", "u", "f", "kh",
                                      "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"};
    if (cp >= 0x430 && cp <= 0x44F) return t[cp - 0x430];
    switch (cp) {
    case 0x451: return "e"; /* ё */
    case 0x456: return "i";
    case 0x457: return "yi";
    case 0x454: return "ye";
    case 0x45E: return "u";
    case 0x491: return "g";
    default: return "";
    }
}

/* ---- ICU fallback ------------------------------------------------------- */

#define TL_CACHE_MAX 8192 /* distinct runs cached; the cache is emptied when full */
#define TL_UCAP 4096      /* UTF-16 units of one run, before and after */

struct um_sc_translit {
    mtx_t mu;
    UTransliterator *tr;
    bool tried; /* open attempted (it may have failed: then no fallback) */
    um_map cache; /* run (UTF-8) -> Latin (arena string) */
    um_arena arena;
    size_t calls;
};

static um_sc_translit *tl_new(void) {
    um_sc_translit *t = um_calloc(1, sizeof *t);
    if (!t) return NULL;
    if (mtx_init(&t->mu, mtx_plain) != thrd_success) {
        um_free(t);
        return NULL;
    }
    um_map_init(&t->cache);
    um_arena_init(&t->arena);
    return t;
}

static void tl_free(um_sc_translit *t) {
    if (!t) return;
    if (t->tr) utrans_close(t->tr);
    um_map_free(&t->cache);
    um_arena_free(&t->arena);
    mtx_destroy(&t->mu);
    um_free(t);
}

/* Latin (ASCII) reading of in[0..n) through ICU, into out (NUL-terminated).
 * false when ICU is unavailable or the run is too long: the caller then
 * drops the run, as it did before ICU. Called with t->mu not held. */
static bool tl_latin(um_sc_translit *t, const char *in, size_t n, char *out, size_t cap) {
    if (!t || !n || cap < 2) return false;
    bool ok = false;
    if (mtx_lock(&t->mu) != thrd_success) return false;
    const char *hit = um_map_get(&t->cache, in, n);
    if (hit) {
        snprintf(out, cap, "%s", hit);
        mtx_unlock(&t->mu);
        return true;
    }
    if (!t->tried) {
        t->tried = true;
        UChar id[32];
        u_uastrncpy(id, "Any-Latin; Latin-ASCII", (int32_t)(sizeof id / sizeof id[0]));
        UErrorCode e = U_ZERO_ERROR;
        t->tr = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &e);
        if (U_FAILURE(e)) {
            if (t->tr) utrans_close(t->tr);
            t->tr = NULL;
        }
    }
    if (t->tr && n <= UM_SC_MAX_INPUT) {
        UChar u[TL_UCAP];
        int32_t ulen = 0;
        UErrorCode e = U_ZERO_ERROR;
        u_strFromUTF8Lenient(u, TL_UCAP, &ulen, in, (int32_t)n, &e);
        if (U_SUCCESS(e) && ulen < TL_UCAP) {
            int32_t limit = ulen;
            utrans_transUChars(t->tr, u, &ulen, TL_UCAP, 0, &limit, &e);
            t->calls++;
            int32_t olen = 0;
            if (U_SUCCESS(e) && ulen < TL_UCAP) u_strToUTF8(out, (int32_t)cap - 1, &olen, u, ulen, &e);
            if (U_SUCCESS(e) && olen >= 0 && (size_t)olen < cap) {
                out[olen] = 0;
                ok = true;
                if (t->cache.len >= TL_CACHE_MAX) {
                    um_map_free(&t->cache);
                    um_arena_free(&t->arena);
                    um_map_init(&t->cache);
                    um_arena_init(&t->arena);
                }
                bool created;
                um_map_slot *sl = um_map_upsert(&t->cache, in, n, &created);
                if (sl && created) sl->val = um_arena_strdup(&t->arena, out); /* NULL (no memory): a miss next time */
            }
        }
    }
    mtx_unlock(&t->mu);
    return ok;
}

size_t um_sc_norm_icu_calls(const um_sc_norm *nm) {
    if (!nm || !nm->tl || mtx_lock(&nm->tl->mu) != thrd_success) return 0;
    size_t c = nm->tl->calls;
    mtx_unlock(&nm->tl->mu);
    return c;
}

/* ---- generic words in entity names -------------------------------------- */

typedef struct generic_word {
    const char *w;
    const char *key;
    float weight;
} generic_word;

static const generic_word generic_words[] = {
    {"korea", "korea", 0.2f}, {"korean", "korea", 0.2f}, {"choson", "korea", 0.2f}, {"chosun", "korea", 0.2f},
    {"joson", "korea", 0.2f}, {"dprk", "korea", 0.2f}, {"coree", "korea", 0.2f},
    {"co", "co", 0.1f}, {"corp", "corp", 0.1f}, {"corporation", "corp", 0.1f}, {"company", "co", 0.1f},
    {"companies", "co", 0.1f}, {"ltd", "ltd", 0.1f}, {"limited", "ltd", 0.1f}, {"llc", "llc", 0.1f},
    {"inc", "inc", 0.1f}, {"incorporated", "inc", 0.1f}, {"plc", "plc", 0.1f}, {"jsc", "jsc", 0.1f},
    {"ojsc", "jsc", 0.1f}, {"cjsc", "jsc", 0.1f}, {"pjsc", "jsc", 0.1f}, {"oao", "jsc", 0.1f},
    {"zao", "jsc", 0.1f}, {"ooo", "llc", 0.1f}, {"sa", "sa", 0.1f}, {"ag", "ag", 0.1f},
    {"gmbh", "gmbh", 0.1f}, {"bv", "bv", 0.1f}, {"nv", "nv", 0.1f}, {"srl", "srl", 0.1f},
    {"spa", "spa", 0.1f}, {"fze", "fze", 0.1f}, {"fzc", "fze", 0.1f}, {"fzco", "fze", 0.1f},
    {"llp", "llp", 0.1f}, {"pte", "pte", 0.1f}, {"bhd", "bhd", 0.1f}, {"trading", "trading", 0.1f},
    {"trade", "trading", 0.1f}, {"group", "group", 0.1f}, {"general", "general", 0.1f},
    {"international", "international", 0.1f}, {"intl", "international", 0.1f}, {"holding", "holding", 0.1f},
    {"holdings", "holding", 0.1f}, {"enterprise", "enterprise", 0.1f}, {"enterprises", "enterprise", 0.1f},
    {"industrial", "industry", 0.1f}, {"industry", "industry", 0.1f}, {"industries", "industry", 0.1f},
    {"commercial", "commercial", 0.1f}, {"import", "import", 0.1f}, {"export", "export", 0.1f},
    {"development", "development", 0.1f}, {"technology", "technology", 0.1f},
    {"technologies", "technology", 0.1f}, {"tech", "technology", 0.1f}, {"service", "service", 0.1f},
    {"services", "service", 0.1f}, {"joint", "joint", 0.1f}, {"venture", "venture", 0.1f},
    {"bank", "bank", 0.15f}, {"banking", "bank", 0.15f}, {"airline", "air", 0.1f}, {"airlines", "air", 0.1f},
    {"airways", "air", 0.1f}, {"air", "air", 0.1f}, {"shipping", "shipping", 0.15f}, {"ship", "shipping", 0.15f},
    {"management", "management", 0.1f}, {"global", "global", 0.1f}, {"solutions", "solutions", 0.1f},
    {"the", "the", 0.05f}, {"of", "of", 0.05f}, {"and", "and", 0.05f}, {"for", "for", 0.05f},
    {"in", "in", 0.05f}, {"de", "de", 0.05f}, {"la", "la", 0.05f}, {"el", "el", 0.05f},
    /* more legal forms: Bulgarian OOD/EOOD, Russian AO/PAO, Mexican S.A. de C.V.,
     * French SAS/SARL, Latin American LTDA */
    {"ood", "llc", 0.1f}, {"eood", "llc", 0.1f}, {"ao", "jsc", 0.1f}, {"pao", "jsc", 0.1f},
    {"cv", "cv", 0.1f}, {"sas", "sas", 0.1f}, {"sarl", "srl", 0.1f}, {"ltda", "ltd", 0.1f},
};

static const generic_word *find_generic(const um_sc_norm *nm, const char *w, size_t n) {
    return um_map_get(&nm->generic, w, n);
}

static bool one_typo(const char *a, size_t n, const char *b, size_t m);

/* A generic word, or in a query one written with a typo (Corporatoin,
 * Tradng, Compnay, Banxk, Bnk: a doubled, dropped, inserted or swapped
 * letter in a generic word of 4+ letters, a substituted one from 5 letters,
 * or in a 4-letter word past its first letter: Banr, Trcde). A business
 * word read as generic only lowers its weight: a name of generic words
 * alone never matches (capped at 0.5). */
static bool str_is_syllables(const um_sc_norm *nm, const char *w, size_t n);

/* Per-thread memo of the tests that depend on one written word alone and
 * the (immutable) tables: find_generic_typo() of a query word, and
 * joined_word(). A batch repeats given names and surnames, and these tests
 * scan the generic words' table for every long word. Direct-mapped by a
 * hash of the word; a slot holds the tables' generation (um_sc_norm.gen),
 * so tables freed and others made at the same address are never read
 * through it. Words of NMEMO_LEN letters or more are not kept. */
#define NMEMO_SLOTS 256
#define NMEMO_LEN 32
enum { NM_GENTYPO = 1, NM_JOINED = 2, NM_JOINED_ENT = 3 };
typedef struct nmemo_slot {
    uint64_t gen; /* 0: empty */
    uint8_t kind, n;
    int16_t res;
    char s[NMEMO_LEN];
} nmemo_slot;
static _Thread_local nmemo_slot *tl_nmemo;
static tss_t nmemo_key;
static once_flag nmemo_once = ONCE_FLAG_INIT;
static bool nmemo_ok;
static void nmemo_free(void *p) { um_free(p); }
static void nmemo_init(void) { nmemo_ok = tss_create(&nmemo_key, nmemo_free) == thrd_success; }

/* the slot of (kind, w): *hit when it holds the result; NULL: no memo */
static nmemo_slot *nmemo_slot_of(const um_sc_norm *nm, uint8_t kind, const char *w, size_t n, bool *hit) {
    *hit = false;
    if (n >= NMEMO_LEN) return NULL;
    if (!tl_nmemo) {
        call_once(&nmemo_once, nmemo_init);
        if (!nmemo_ok) return NULL;
        nmemo_slot *t = um_calloc(NMEMO_SLOTS, sizeof *t);
        if (!t) return NULL;
        if (tss_set(nmemo_key, t) != thrd_success) {
            um_free(t);
            return NULL;
        }
        tl_nmemo = t;
    }
    nmemo_slot *m = &tl_nmemo[(um_hash64(w, n, kind) >> 7) & (NMEMO_SLOTS - 1)];
    *hit = m->gen == nm->gen && m->kind == kind && m->n == n && memcmp(m->s, w, n) == 0;
    return m;
}

static void nmemo_put(const um_sc_norm *nm, nmemo_slot *m, uint8_t kind, const char *w, size_t n, int res) {
    if (!m) return;
    m->gen = nm->gen;
    m->kind = kind;
    m->n = (uint8_t)n;
    memcpy(m->s, w, n);
    m->res = (int16_t)res;
}

static const generic_word *find_generic_typo_scan(const um_sc_norm *nm, const char *w, size_t n);

static const generic_word *find_generic_typo(const um_sc_norm *nm, const char *w, size_t n, bool query) {
    if (!query || n < 3) return find_generic(nm, w, n);
    bool hit;
    nmemo_slot *m = nmemo_slot_of(nm, NM_GENTYPO, w, n, &hit);
    if (hit) return m->res ? &generic_words[m->res - 1] : NULL;
    const generic_word *g = find_generic_typo_scan(nm, w, n);
    nmemo_put(nm, m, NM_GENTYPO, w, n, g ? (int)(g - generic_words) + 1 : 0);
    return g;
}

static const generic_word *find_generic_typo_scan(const um_sc_norm *nm, const char *w, size_t n) {
    const generic_word *g = find_generic(nm, w, n);
    if (g) return g;
    /* a word that reads as Korean syllables is a name (Bak is not a typo of
     * Bank, Jeson not of Joson), unless it is a letter short, long or
     * swapped in a word of 4+ letters (Kore, Koean, Limite) */
    int syl = -1; /* str_is_syllables(), computed when first needed */
    uint32_t wm = 0; /* letters: one edit changes at most 2 of the set */
    for (size_t k = 0; k < n; k++)
        if (w[k] >= 'a' && w[k] <= 'z') wm |= 1u << (w[k] - 'a');
    /* the words of a length near n, in table order (a longer word: all) */
    uint64_t near[2] = {n < 64 ? nm->gen_near[n][0] : ~0ull, n < 64 ? nm->gen_near[n][1] : ~0ull};
    for (int h = 0; h < 2; h++) {
        for (uint64_t b = near[h]; b; b &= b - 1) {
            size_t i = (size_t)h * 64 + (size_t)__builtin_ctzll(b);
            if (i >= UM_ARRAY_LEN(generic_words)) break;
            const char *x = generic_words[i].w;
            size_t m = nm->gen_len[i];
            if (m < 4 || (n > m ? n - m : m - n) > 1) continue;
            uint32_t dm = wm ^ nm->gen_mask[i];
            if (dm & (dm - 1) & ((dm & (dm - 1)) - 1)) continue; /* 3 letters or more differ */
            if (one_typo(w, n, x, m)) {
                if (syl < 0) syl = str_is_syllables(nm, w, n);
                if (!(syl && n < 4)) return &generic_words[i];
            }
            if (n == m && w[0] == x[0]) {
                if (syl < 0) syl = str_is_syllables(nm, w, n);
                if (syl) continue;
                size_t d = 0;
                for (size_t k = 0; k < n && d < 2; k++) d += w[k] != x[k];
                if (d == 1) return &generic_words[i];
            }
        }
    }
    return NULL;
}

/* Words that may be written joined to a neighbour in an entity name
 * (MANAGEMENTPTE, TANCHONCOMMERCIAL, PEOPLESREPUBLIC): the generic words
 * of 4+ letters, the 3-letter legal forms, and the words of the ways of
 * naming North Korea */
static bool joinable(const char *x, size_t m) {
    static const char *const extra[] = {"democratic", "peoples", "people", "republic", "korea", "pte", "ltd", "llc",
                                        "inc",        "plc",     "jsc",    "fze",      "bhd",   "srl"};
    for (size_t i = 0; i < UM_ARRAY_LEN(extra); i++)
        if (strlen(extra[i]) == m && memcmp(extra[i], x, m) == 0) return true;
    return m >= 4;
}

/* Key of a non-Korean word: the spellings of one name across languages
 * folded together - German and French renderings of Russian names
 * (w/v, -off/-ov, sch/tsch/tch, ou/u, j/zh, kh/h), y/i, doubled letters */
static void fold_latin(const char *s, size_t n, char *out, size_t cap) {
    char a[UM_SC_KEYLEN * 2];
    size_t o = 0;
    if (n >= UM_SC_KEYLEN) n = UM_SC_KEYLEN - 1;
    for (size_t i = 0; i < n && o + 2 < sizeof a;) {
        const char *p = s + i;
        size_t left = n - i;
        if (left >= 7 && !memcmp(p, "schtsch", 7)) a[o++] = 's', a[o++] = 'h', i += 7;
        else if (left >= 5 && !memcmp(p, "chtch", 5)) a[o++] = 's', a[o++] = 'h', i += 5;
        else if (left >= 4 && !memcmp(p, "tsch", 4)) a[o++] = 'c', a[o++] = 'h', i += 4;
        else if (left >= 4 && !memcmp(p, "shch", 4)) a[o++] = 's', a[o++] = 'h', i += 4;
        else if (left >= 3 && (!memcmp(p, "sch", 3))) a[o++] = 's', a[o++] = 'h', i += 3;
        else if (left >= 3 && !memcmp(p, "tch", 3)) a[o++] = 'c', a[o++] = 'h', i += 3;
        /* German sch is both sh and zh (Schukow = Zhukov), z is ts
         * (Pewzow = Pevtsov) */
        /* Polish: szcz = shch, sz = sh, cz = ch, rz = zh (Matjuszczenko =
         * Matyushchenko, Strirzow = Strizhov) */
        else if (left >= 4 && !memcmp(p, "szcz", 4)) a[o++] = 's', a[o++] = 'h', i += 4;
        else if (left >= 2 && (!memcmp(p, "sz", 2) || !memcmp(p, "rz", 2))) a[o++] = 's', a[o++] = 'h', i += 2;
        else if (left >= 2 && !memcmp(p, "cz", 2)) a[o++] = 'c', a[o++] = 'h', i += 2;
        else if (left >= 2 && !memcmp(p, "zh", 2)) a[o++] = 's', a[o++] = 'h', i += 2;
        else if (left >= 2 && (!memcmp(p, "ts", 2) || !memcmp(p, "tz", 2))) a[o++] = 'z', i += 2;
        else if (left >= 2 && !memcmp(p, "kh", 2)) a[o++] = 'h', i += 2;
        else if (left >= 2 && !memcmp(p, "ou", 2)) a[o++] = 'u', i += 2;
        else if (left >= 2 && !memcmp(p, "ph", 2)) a[o++] = 'f', i += 2;
        else if (left >= 2 && !memcmp(p, "ck", 2)) a[o++] = 'k', i += 2;
        else if (*p == 'w') a[o++] = 'v', i++;
        else if (*p == 'y') a[o++] = 'i', i++;
        else a[o++] = *p, i++;
    }
    a[o] = 0;
    /* -off, -ow, -iy/-ii/-ij endings */
    if (o > 4 && a[o - 1] == 'f' && a[o - 2] == 'f') a[o - 2] = 'v', a[--o] = 0;
    if (o > 4 && a[o - 1] == 'i' && (a[o - 2] == 'i' || a[o - 2] == 'j')) a[--o] = 0, a[o - 1] = 'i';
    size_t k = 0;
    for (size_t i = 0; i < o && k + 1 < cap; i++)
        if (!(i > 0 && a[i] == a[i - 1] && a[i] >= 'a' && a[i] <= 'z')) out[k++] = a[i];
    out[k] = 0;
}

void um_sc_latin_key(const char *s, size_t n, char *out, size_t cap) { fold_latin(s, n, out, cap); }

/* Common Korean surnames (spellings; their keys form the surname set). */
static const char *const surnames[] = {
    "kim", "ri", "pak", "choe", "jong", "kang", "ko", "han", "ho", "o", "u", "rim", "ryu", "ryang", "ro",
    "son", "mun", "chu", "paek", "ku", "pyon", "pae", "sim", "sin", "yun", "kil", "jon", "hyon", "tong",
    "hwang", "song", "yom", "kwak", "ok", "chang", "thae", "an", "cho", "jo", "chi", "so", "nam", "min",
    "cha", "hong", "yang", "kye", "myong", "ju", "yu", "hyun", "no",
    /* less common, none a Chinese surname in pinyin: Kwon, Ra/Na, Ryom/Yom,
     * Pang/Bang, Chae, Pyo, Sok, Tak, Ha, Won */
    "kwon", "ra", "ryom", "pang", "chae", "pyo", "sok", "tak", "ha", "won"};

/* Spellings of the most common surnames, North and South, for a surname
 * written with a typo (a doubled, dropped or swapped letter) */
static const char *const typo_surnames[] = {"kim", "lee", "park", "pak", "choi", "choe", "jung", "jong", "chong",
                                            "kang", "yoon", "jang", "chang", "rim", "lim", "shin", "hwang",
                                            "song", "hong", "moon", "yang", "ryu", "han", "cho"};

/* a and b differ by one doubled, dropped, inserted or swapped letter
 * (never a substitution: Kam is not a typo of Kim); 3+ letters */
/* a (n letters) is b with one letter added */
static bool added_letter(const char *a, size_t n, const char *b) {
    size_t i = 0;
    while (i < n - 1 && a[i] == b[i]) i++;
    return memcmp(a + i + 1, b + i, n - 1 - i) == 0;
}

static bool one_typo(const char *a, size_t n, const char *b, size_t m) {
    if (n < 3 || m < 3) return false;
    if (n == m) {
        size_t i = 0;
        while (i < n && a[i] == b[i]) i++;
        return i + 1 < n && a[i] == b[i + 1] && a[i + 1] == b[i] && memcmp(a + i + 2, b + i + 2, n - i - 2) == 0;
    }
    if (n + 1 == m) return one_typo(b, m, a, n);
    if (n != m + 1) return false;
    size_t i = 0;
    while (i < m && a[i] == b[i]) i++;
    return memcmp(a + i + 1, b + i, m - i) == 0;
}

/* a and b differ in one substituted letter (Eepublic, Reoublic, Korda) */
static bool one_sub(const char *a, size_t n, const char *b, size_t m) {
    if (n != m || n < 3) return false;
    size_t d = 0;
    for (size_t i = 0; i < n; i++) d += a[i] != b[i];
    return d == 1;
}

/* ---- folding ------------------------------------------------------------ */

static void fold_syllable(const char *sp, size_t n, char *out, size_t cap) {
    char a[UM_SC_KEYLEN];
    if (n >= sizeof a) n = sizeof a - 1;
    memcpy(a, sp, n);
    a[n] = 0;
    const char *p = a;
    size_t o = 0;
    /* syllable-initial consonant: tch jj chh kk tt pp ss sh th ph kh ->
     * ch ch ch k t p s s t p k, then g b d j -> k p t ch (the first that
     * fits, in that order; a switch on the first letter, not 15 string
     * compares per syllable) */
    const char *to = NULL;
    size_t k = 0;
    switch (p[0]) {
    case 't':
        if (p[1] == 'c' && p[2] == 'h') to = "ch", k = 3;
        else if (p[1] == 't' || p[1] == 'h') to = "t", k = 2;
        break;
    case 'j': to = "ch", k = p[1] == 'j' ? 2 : 1; break;
    case 'c':
        if (p[1] == 'h' && p[2] == 'h') to = "ch", k = 3;
        break;
    case 'k':
        if (p[1] == 'k' || p[1] == 'h') to = "k", k = 2;
        break;
    case 'p':
        if (p[1] == 'p' || p[1] == 'h') to = "p", k = 2;
        break;
    case 's':
        if (p[1] == 's' || p[1] == 'h') to = "s", k = 2;
        break;
    case 'g': to = "k", k = 1; break;
    case 'b': to = "p", k = 1; break;
    case 'd': to = "t", k = 1; break;
    default: break;
    }
    if (to) {
        size_t tl = strlen(to);
        if (o + tl < cap) memcpy(out + o, to, tl), o += tl;
        p += k;
    }
    while (*p && o + 1 < cap) {
        if ((p[0] == 'e' && p[1] == 'o') || (p[0] == 'o' && p[1] == 'o')) {
            out[o++] = p[0] == 'e' ? 'o' : 'u';
            p += 2;
        } else if (p[0] == 'e' && p[1] == 'u') {
            out[o++] = 'u';
            p += 2;
        } else if (p[0] == 'e' && p[1] == 'e') {
            out[o++] = 'i';
            p += 2;
        } else {
            out[o++] = *p++;
        }
    }
    out[o < cap ? o : cap - 1] = 0;
}

/* ---- syllable lookup: spellings of up to 8 bytes packed into an integer --- */

static uint64_t pack8(const char *s, size_t n) {
    uint64_t k = 0;
    memcpy(&k, s, n); /* n <= 8; letters are never 0, so the packing is unique */
    return k;
}

static size_t syl_slot(uint64_t k, size_t mask) { return (size_t)((k * 0x9E3779B97F4A7C15ull) >> 29) & mask; }

/* canonical key of a valid syllable spelling, or NULL */
static const char *syl_get(const um_sc_norm *nm, const char *s, size_t n) {
    if (!n) return NULL;
    if (n > 8 || !nm->syl_k) return um_map_get(&nm->syl, s, n);
    uint64_t k = pack8(s, n);
    for (size_t i = syl_slot(k, nm->syl_mask);; i = (i + 1) & nm->syl_mask) {
        if (nm->syl_k[i] == k) return nm->syl_v[i];
        if (!nm->syl_k[i]) return NULL;
    }
}

static um_status build_syl_table(um_sc_norm *nm) {
    size_t cap = 64;
    while (cap < nm->syl.len * 2 + 2) cap <<= 1;
    nm->syl_k = um_calloc(cap, sizeof *nm->syl_k);
    nm->syl_v = um_calloc(cap, sizeof *nm->syl_v);
    if (!nm->syl_k || !nm->syl_v) return UM_ENOMEM;
    nm->syl_mask = cap - 1;
    for (size_t j = 0; j < nm->syl.cap; j++) {
        const um_map_slot *sl = &nm->syl.slots[j];
        if (!sl->key || sl->klen > 8 || !sl->klen || memchr(sl->key, 0, sl->klen)) continue;
        uint64_t k = pack8(sl->key, sl->klen);
        size_t i = syl_slot(k, nm->syl_mask);
        while (nm->syl_k[i] && nm->syl_k[i] != k) i = (i + 1) & nm->syl_mask;
        nm->syl_k[i] = k;
        nm->syl_v[i] = sl->val;
    }
    return UM_OK;
}

/* the bit of a packed surname key in sur_bloom (0-255) */
#define SUR_BIT(k) ((unsigned)(((k) * 0x9E3779B97F4A7C15ull) >> 56))

/* rank + 1 of a common surname's key (lower = more common), 0 when not one */
static uintptr_t surname_rank(const um_sc_norm *nm, const char *key) {
    size_t n = strlen(key);
    if (n > 8 || !n) return (uintptr_t)um_map_get(&nm->surname, key, n);
    uint64_t k = pack8(key, n);
    unsigned bit = SUR_BIT(k); /* most keys are no surname: one bit test, not a scan of sur_k */
    if (!(nm->sur_bloom[bit >> 6] >> (bit & 63) & 1)) return 0;
    for (size_t i = 0; i < nm->n_sur; i++)
        if (nm->sur_k[i] == k) return nm->sur_rank[i];
    return 0;
}

static void copy_str(char *dst, size_t cap, const char *src, size_t n) {
    if (!cap) return;
    if (n >= cap) n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
}

void um_sc_syl_key(const um_sc_norm *nm, const char *sp, size_t n, char *key, size_t keycap) {
    const char *k = syl_get(nm, sp, n);
    if (k) {
        copy_str(key, keycap, k, strlen(k));
        return;
    }
    fold_syllable(sp, n, key, keycap);
    k = syl_get(nm, key, strlen(key)); /* folded onto a spelling of the table */
    if (k) copy_str(key, keycap, k, strlen(k));
}

bool um_sc_is_syllable(const um_sc_norm *nm, const char *w, size_t n) { return syl_get(nm, w, n) != NULL; }
bool um_sc_is_surname(const um_sc_norm *nm, const char *key) { return surname_rank(nm, key) != 0; }
bool um_sc_is_generic_key(const um_sc_norm *nm, const char *key) {
    (void)nm;
    for (size_t i = 0; i < UM_ARRAY_LEN(generic_words); i++)
        if (strcmp(generic_words[i].key, key) == 0) return true;
    return false;
}

int um_sc_syl_repairs(const um_sc_norm *nm, const char *w, size_t n, char keys[][UM_SC_KEYLEN], int max) {
    if (n < 2 || n > 6 || syl_get(nm, w, n)) return 0; /* a syllable is a name of its own, not a typo */
    for (size_t i = 0; i < n; i++)
        if (w[i] < 'a' || w[i] > 'z') return 0;
    int nk = 0;
    char t[8];
    /* edit e: 0..n-1 a letter dropped, n..2n-2 two neighbours swapped, then
     * (words of 2-3 letters: KM, Jn, Pyn) a letter a-z inserted at each place,
     * then (words of 3+ letters: Tohg, Nzm, Byeobg) a letter a-z substituted
     * at each place */
    size_t ni = n <= 3 ? 26 * (n + 1) : 0, ns = n >= 3 ? 26 * n : 0;
    size_t ne = n + (n - 1) + ni + ns;
    for (size_t e = 0; e < ne; e++) {
        size_t m;
        if (e >= 2 * n - 1 + ni) {
            size_t k = e - (2 * n - 1 + ni), pos = k / 26;
            char c = (char)('a' + k % 26);
            if (w[pos] == c) continue;
            memcpy(t, w, n);
            t[pos] = c;
            m = n;
        } else if (e < n) {
            memcpy(t, w, e);
            memcpy(t + e, w + e + 1, n - e - 1);
            m = n - 1;
        } else if (e < 2 * n - 1) {
            size_t i = e - n;
            memcpy(t, w, n);
            t[i] = w[i + 1], t[i + 1] = w[i];
            m = n;
        } else {
            size_t k = e - (2 * n - 1), pos = k / 26;
            memcpy(t, w, pos);
            t[pos] = (char)('a' + k % 26);
            memcpy(t + pos + 1, w + pos, n - pos);
            m = n + 1;
        }
        t[m] = 0;
        const char *key = m ? syl_get(nm, t, m) : NULL;
        if (!key) continue;
        bool dup = false;
        for (int j = 0; j < nk && !dup; j++) dup = strcmp(keys[j], key) == 0;
        if (dup) continue;
        if (nk == max) return -1; /* too many readings: no evidence of any */
        copy_str(keys[nk++], UM_SC_KEYLEN, key, strlen(key));
    }
    return nk;
}

static um_status add_syl(um_sc_norm *nm, const char *sp, const char *key, bool replace) {
    size_t n = strlen(sp);
    if (!n || n >= UM_SC_KEYLEN) return UM_OK;
    bool created;
    um_map_slot *sl = um_map_upsert(&nm->syl, sp, n, &created);
    if (!sl) return UM_ENOMEM;
    if (created || replace) {
        char *k = um_arena_strdup(&nm->arena, key);
        if (!k) return UM_ENOMEM;
        sl->val = k;
    }
    if (n > nm->max_syl) nm->max_syl = n;
    return UM_OK;
}

/* Calls fn with every syllable Hangul can write, in each spelling system
 * (RR, simplified MR, and North Korea's aspirates kh/th/ph), and its key. */
static um_status each_syllable(um_sc_norm *nm, um_status (*fn)(um_sc_norm *, const char *, size_t, const char *)) {
    for (int l = 0; l < 19; l++)
        for (int v = 0; v < 21; v++)
            for (int t = 0; t < 28; t++)
                for (int sys = 0; sys < 3; sys++) {
                    if (sys == 2 && (l < 15 || l > 17)) continue;
                    char sp[24], key[UM_SC_KEYLEN];
                    size_t spn = cat3(sp, sizeof sp, sys == 2 ? nk_asp[l - 15] : sys ? mr_init[l] : rr_init[l],
                                      sys ? mr_vow[v] : rr_vow[v], fin[t]);
                    fold_syllable(sp, spn, key, sizeof key);
                    um_status st = fn(nm, sp, spn, key);
                    if (st != UM_OK) return st;
                }
    return UM_OK;
}

static um_status syl_add(um_sc_norm *nm, const char *sp, size_t spn, const char *key) {
    (void)spn;
    return add_syl(nm, sp, key, false);
}

/* a spelling keyed by the rules (not the variant file) whose key is itself a
 * spelling the file keys otherwise takes the file's key */
static um_status syl_refold(um_sc_norm *nm, const char *sp, size_t spn, const char *key) {
    const char *cur = um_map_get(&nm->syl, sp, spn);
    if (!cur || strcmp(cur, key) != 0) return UM_OK; /* keyed by the file */
    const char *k2 = um_map_get(&nm->syl, key, strlen(key));
    return k2 && strcmp(k2, key) != 0 ? add_syl(nm, sp, k2, true) : UM_OK;
}

static um_status load_variants(um_sc_norm *nm, const char *path, char *warn, size_t warnlen) {
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (!f) {
        snprintf(warn, warnlen, "Korean variant table %s not readable; folding rules only", path ? path : "(none)");
        return UM_OK;
    }
    um_map seen; /* spellings given by the file: first line wins */
    um_map_init(&seen);
    char line[2048];
    um_status st = UM_OK;
    while (st == UM_OK && fgets(line, sizeof line, f)) {
        char *s = um_trim(line);
        if (!*s || *s == '#') continue;
        char *tab = strchr(s, '\t');
        if (!tab) continue;
        *tab = 0;
        char key[UM_SC_KEYLEN];
        fold_syllable(s, strlen(s), key, sizeof key);
        for (char *tok = strtok(tab + 1, " \t\r\n"); tok && st == UM_OK; tok = strtok(NULL, " \t\r\n")) {
            bool ok = true;
            for (char *c = tok; *c; c++)
                if (*c < 'a' || *c > 'z') ok = false;
            size_t tl = strlen(tok);
            if (!ok || tl >= UM_SC_KEYLEN) continue;
            bool created;
            um_map_slot *sl = um_map_upsert(&seen, tok, tl, &created);
            if (!sl) {
                st = UM_ENOMEM;
                break;
            }
            if (!created) continue;
            st = add_syl(nm, tok, key, true);
            nm->n_variants++;
        }
    }
    um_map_free(&seen);
    fclose(f);
    return st;
}

um_status um_sc_norm_init(um_sc_norm *nm, const char *variants_path, char *warn, size_t warnlen) {
    memset(nm, 0, sizeof *nm);
    static _Atomic uint64_t gens;
    nm->gen = atomic_fetch_add(&gens, 1) + 1;
    um_arena_init(&nm->arena);
    um_map_init(&nm->syl);
    um_map_init(&nm->surname);
    um_map_init(&nm->generic);
    if (warnlen) warn[0] = 0;
    _Static_assert(UM_ARRAY_LEN(generic_words) <= UM_SC_N_GENERIC, "generic word tables");
    _Static_assert(UM_SC_N_GENERIC <= 128, "gen_near holds 128 words");
    for (size_t i = 0; i < UM_ARRAY_LEN(generic_words); i++) {
        const char *x = generic_words[i].w;
        nm->gen_len[i] = (uint8_t)strlen(x);
        nm->gen_jlen[i] = nm->gen_len[i] >= 3 && joinable(x, nm->gen_len[i]) ? nm->gen_len[i] : 0;
        for (size_t n = nm->gen_len[i] - 1; nm->gen_len[i] >= 4 && n <= nm->gen_len[i] + 1u; n++)
            if (n < 64) nm->gen_near[n][i / 64] |= 1ull << (i % 64);
        for (; *x; x++) nm->gen_mask[i] |= 1u << (*x - 'a');
        bool created;
        um_map_slot *sl = um_map_upsert(&nm->generic, generic_words[i].w, strlen(generic_words[i].w), &created);
        if (!sl) return UM_ENOMEM;
        sl->val = (void *)&generic_words[i];
    }
    /* every syllable Hangul can write, in RR and simplified MR spelling */
    if (each_syllable(nm, syl_add) != UM_OK) return UM_ENOMEM;
    um_status st = load_variants(nm, variants_path, warn, warnlen);
    if (st != UM_OK) return st;
    /* a spelling the rules fold onto a spelling of the variant file takes
     * that spelling's key (Seung folds to Sung, which the file keys as
     * Song: Seung = Sung = Song) */
    if (each_syllable(nm, syl_refold) != UM_OK) return UM_ENOMEM;
    if (build_syl_table(nm) != UM_OK) return UM_ENOMEM;
    nm->tl = tl_new();
    if (!nm->tl) return UM_ENOMEM;
    for (size_t i = 0; i < UM_ARRAY_LEN(surnames); i++) {
        char key[UM_SC_KEYLEN];
        um_sc_syl_key(nm, surnames[i], strlen(surnames[i]), key, sizeof key);
        bool created;
        um_map_slot *sl = um_map_upsert(&nm->surname, key, strlen(key), &created);
        if (!sl) return UM_ENOMEM;
        if (created) {
            sl->val = (void *)(uintptr_t)(i + 1); /* rank: lower = more common */
            size_t kl = strlen(key);
            if (kl && kl <= 8 && nm->n_sur < UM_ARRAY_LEN(nm->sur_k)) {
                nm->sur_k[nm->n_sur] = pack8(key, kl);
                nm->sur_bloom[SUR_BIT(nm->sur_k[nm->n_sur]) >> 6] |= 1ull << (SUR_BIT(nm->sur_k[nm->n_sur]) & 63);
                nm->sur_rank[nm->n_sur++] = i + 1;
            }
        }
    }
    return UM_OK;
}

void um_sc_norm_free(um_sc_norm *nm) {
    if (!nm) return;
    um_map_free(&nm->syl);
    um_map_free(&nm->surname);
    um_map_free(&nm->generic);
    um_arena_free(&nm->arena);
    um_free(nm->syl_k);
    um_free(nm->syl_v);
    tl_free(nm->tl);
    nm->syl_k = NULL;
    nm->syl_v = NULL;
    nm->tl = NULL;
}

/* ---- words ---------------------------------------------------------------- */

#define W_MAX 48
#define W_LEN 64
#define W_HANGUL 1
#define W_CYR 2
#define W_FAMILY 4
#define W_RUS 8 /* Cyrillic read as Russian */
#define W_DOT 16  /* one letter ended by a full stop (S.A.) */
#define W_GLUE 32 /* ... and the next letter follows the stop at once (S.A.: the S) */
#define W_HYPH 64 /* joined by a hyphen to the word before it (Jean-Pierre: the Pierre) */

typedef struct word {
    char s[W_LEN];
    char alt[W_LEN]; /* Cyrillic: the Russian reading (s has the Korean one) */
    uint8_t n, flags, altn;
    int8_t syl; /* all syllables: -1 not yet known, 0 no, 1 yes */
} word;

typedef struct words {
    word w[W_MAX];
    int n;
    bool truncated;
    bool query; /* a query (typos in generic words are read as the word) */
    bool liaison; /* set by the caller: Hangul read with liaison (see split_words) */
    bool moved;   /* a final consonant was carried over */
    /* original-script tokens: one Han or kana character, or one word of
     * another script ICU reads, as written (NFKC, case folded) */
    char sc[W_MAX][UM_SC_KEYLEN];
    int nsc;
} words;

static void w_addc(words *ws, word *cur, char c) {
    if (cur->n + 1 < W_LEN) cur->s[cur->n++] = c;
    else ws->truncated = true;
}

static void w_adds(words *ws, word *cur, const char *s) {
    for (; *s; s++) w_addc(ws, cur, *s);
}

static void w_end(words *ws, word *cur) {
    if (cur->n) {
        cur->s[cur->n] = 0;
        cur->syl = -1;
        if (ws->n < W_MAX) ws->w[ws->n++] = *cur;
        else ws->truncated = true;
    }
    uint8_t keep = cur->flags & W_FAMILY;
    memset(cur, 0, sizeof *cur);
    cur->flags = keep;
}

static bool is_apostrophe(uint32_t cp) {
    return cp == '\'' || cp == '`' || cp == 0x2019 || cp == 0x2018 || cp == 0x02BC || cp == 0x02BB ||
           cp == 0x00B4 || cp == 0x02B9 || cp == 0x2032;
}

/* Cyrillic words: Kontsevich writes aspiration with a following х
 * (Чхве, Пхеньян); n-final readings that are far more common as -ng in
 * names (Рён = Ryong, Чон = Jong) become -ng. */
static void cyr_fix(word *w) {
    char tmp[W_LEN];
    size_t o = 0;
    for (size_t i = 0; i < w->n && o + 1 < sizeof tmp; i++) {
        if (i > 0 && w->s[i] == 'h' && strchr("hktp", w->s[i - 1])) continue;
        /* чж (Kontsevich ㅈ: Чжон) reads ch + ch: one */
        if (o >= 2 && tmp[o - 2] == 'c' && tmp[o - 1] == 'h' && w->s[i] == 'c' && i + 1 < w->n && w->s[i + 1] == 'h') {
            i++;
            continue;
        }
        tmp[o++] = w->s[i];
    }
    tmp[o] = 0;
    static const char *const ng[] = {"ryon", "yon", "kyon", "myon", "pyon", "chon"};
    for (size_t i = 0; i < UM_ARRAY_LEN(ng); i++)
        if (strcmp(tmp, ng[i]) == 0 && o + 2 < sizeof tmp) {
            tmp[o++] = 'g';
            tmp[o] = 0;
        }
    memcpy(w->s, tmp, o + 1);
    w->n = (uint8_t)o;
}

/* ---- scripts the tables do not read --------------------------------------- */

static bool is_han(uint32_t c) {
    return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
           (c >= 0x20000 && c <= 0x2FFFF);
}

static bool is_kana(uint32_t c) {
    return (c >= 0x3041 && c <= 0x30FF && c != 0x30FB) || (c >= 0x31F0 && c <= 0x31FF);
}

/* 0: read by the loop below (ASCII, Latin with marks, Hangul syllables,
 * Cyrillic, punctuation), 1: Han, 2: another letter (kana, Greek, Arabic,
 * Thai, jamo ...), 3: a combining mark */
static int cp_kind(uint32_t c) {
    if (c < 0x80 || (c >= 0xAC00 && c <= 0xD7A3) || cyr_latin(c)) return 0;
    if (is_han(c)) return 1;
    if (is_kana(c)) return 2;
    utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)c);
    if (cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_MC || cat == UTF8PROC_CATEGORY_ME) return 3;
    if (cat < UTF8PROC_CATEGORY_LU || cat > UTF8PROC_CATEGORY_LO) return 0;
    utf8proc_int32_t d[8];
    int last;
    utf8proc_ssize_t dn = utf8proc_decompose_char((utf8proc_int32_t)c, d, 8,
                                                  UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD |
                                                      UTF8PROC_COMPAT,
                                                  &last);
    for (utf8proc_ssize_t i = 0; i < dn && i < 8; i++)
        if (d[i] >= 'a' && d[i] <= 'z') return 0; /* ŏ, é, ß: the loop keeps the ASCII part */
    return 2;
}

static void sc_add(words *ws, const char *s, size_t n) {
    if (!n) return;
    if (ws->nsc >= W_MAX) {
        ws->truncated = true;
        return;
    }
    while (n >= UM_SC_KEYLEN) { /* cut on a character boundary */
        n--;
        while (n && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
    }
    memcpy(ws->sc[ws->nsc], s, n);
    ws->sc[ws->nsc][n] = 0;
    ws->nsc++;
}

#define RW_CAP 4096

typedef struct rewrite {
    char s[RW_CAP];
    size_t n;
    bool full;
} rewrite;

static void rw_add(rewrite *r, const void *p, size_t n) {
    if (r->n + n >= RW_CAP) {
        r->full = true;
        return;
    }
    memcpy(r->s + r->n, p, n);
    r->n += n;
}

/* A run of Han / other-script letters: kept as written when it is all Han
 * from the Korean-name table (the loop reads it), else read by ICU. */
static void rw_run(const um_sc_norm *nm, rewrite *r, const utf8proc_uint8_t *run, size_t n, bool icu) {
    if (!icu) {
        rw_add(r, run, n);
        return;
    }
    char lat[1024];
    if (!tl_latin(nm->tl, (const char *)run, n, lat, sizeof lat)) return; /* unreadable: dropped */
    rw_add(r, " ", 1);
    rw_add(r, lat, strlen(lat));
    rw_add(r, " ", 1);
}

/* Collects the original-script tokens of p[0..left) and rewrites the runs
 * the tables cannot read into Latin. Returns false (r unused) when there is
 * nothing to rewrite. */
/* A run of Han is read as a Korean name (Sino-Korean readings) when every
 * character is in the Korean-name table, or when it is 2-4 characters that
 * all have a Korean reading and the first is a common Korean surname. */
typedef struct hanrun {
    int n;
    bool other, all_table, all_read, first_sur;
} hanrun;

/* Collects the original-script tokens of p[0..left) and rewrites the runs
 * of Han / kana / other scripts that are not read as a Korean name: into
 * Latin through ICU (use_icu), else away (they stay in the original-script
 * form). force_icu: Korean-looking Han runs too (the Chinese reading of a
 * query, as a form of its own). *korean_han: a run was read as Korean.
 * Returns false (r unused) when there is nothing to rewrite. */
static bool prepass(const um_sc_norm *nm, const utf8proc_uint8_t *p, utf8proc_ssize_t left, bool use_icu,
                    bool force_icu, words *ws, rewrite *r, bool *korean_han) {
    const utf8proc_uint8_t *run = NULL, *wd = NULL;
    bool changed = false;
    hanrun hr = {0, false, true, true, false};
    r->n = 0;
    r->full = false;
    for (;;) {
        utf8proc_int32_t cp = -1;
        utf8proc_ssize_t k = 0;
        int kind = 0;
        if (left > 0) {
            k = utf8proc_iterate(p, left, &cp);
            if (k <= 0) k = 1, cp = -1;
            kind = cp < 0 ? 0 : cp_kind((uint32_t)cp);
        }
        bool cjk = kind == 1 || (kind == 2 && is_kana((uint32_t)cp));
        if (kind == 3 && !run) kind = 0;
        if (wd && (kind == 0 || cjk)) { /* a wd of another script ends */
            sc_add(ws, (const char *)wd, (size_t)(p - wd));
            wd = NULL;
        }
        if (kind == 0 && run) { /* a run ends */
            bool korean = !hr.other && hr.all_read && (hr.all_table || (hr.first_sur && hr.n >= 2 && hr.n <= 4));
            if (korean && !force_icu) {
                rw_add(r, run, (size_t)(p - run));
                if (korean_han) *korean_han = true;
            } else if (use_icu) {
                rw_run(nm, r, run, (size_t)(p - run), true);
                changed = true;
            } else {
                rw_add(r, " ", 1);
                changed = true;
            }
            run = NULL;
            hr = (hanrun){0, false, true, true, false};
        }
        if (left <= 0) break;
        if (kind == 0) {
            rw_add(r, p, (size_t)k);
        } else {
            if (!run) run = p;
            if (kind == 1) {
                uint32_t c = (uint32_t)cp;
                if (!hr.n) hr.first_sur = han_is_surname(c);
                hr.all_table &= han_table_get(c) != 0;
                hr.all_read &= han_to_hangul(c) != 0;
                hr.n++;
            } else if (kind == 2) {
                hr.other = true;
            }
            if (cjk) sc_add(ws, (const char *)p, (size_t)k);
            else if (kind == 2 && !wd) wd = p;
        }
        p += k, left -= k;
    }
    if (r->full) ws->truncated = true;
    return changed;
}

static bool word_is_syllables(const um_sc_norm *nm, word *w);

static bool ko_edge(uint32_t cp, bool first);

static void split_words(const um_sc_norm *nm, const char *s, bool icu, bool force_icu, words *ws, bool *korean_han) {
    ws->n = 0;
    ws->nsc = 0;
    ws->truncated = false;
    ws->query = icu;
    size_t n = strnlen(s, UM_SC_MAX_INPUT + 1);
    if (n > UM_SC_MAX_INPUT) {
        n = UM_SC_MAX_INPUT;
        ws->truncated = true;
    }
    utf8proc_uint8_t *m = NULL;
    bool ascii = true;
    for (size_t i = 0; i < n && ascii; i++) ascii = (unsigned char)s[i] < 0x80;
    utf8proc_ssize_t mn = ascii ? -1 : utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &m,
                                       UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD);
    const utf8proc_uint8_t *p;
    utf8proc_ssize_t left;
    rewrite rw;
    if (mn >= 0 && m) {
        p = m;
        left = mn;
        if (prepass(nm, p, left, icu, force_icu, ws, &rw, korean_han)) {
            p = (const utf8proc_uint8_t *)rw.s;
            left = (utf8proc_ssize_t)rw.n;
        }
    } else { /* ASCII (nothing to normalise), or invalid UTF-8: ASCII letters only */
        free(m);
        m = NULL;
        p = (const utf8proc_uint8_t *)s;
        left = (utf8proc_ssize_t)n;
    }
    /* a comma in a person name separates FAMILY from Given (SDN style) */
    int commas = 0;
    for (utf8proc_ssize_t i = 0; i < left; i++) commas += p[i] == ',';
    word cur;
    memset(&cur, 0, sizeof cur);
    if (commas == 1) cur.flags = W_FAMILY;
    int carry = -1; /* liaison: the initial carried over to the next syllable */
    ws->moved = false;
    while (left > 0) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(p, left, &cp);
        if (k <= 0) { /* stray byte */
            p++, left--;
            w_end(ws, &cur);
            continue;
        }
        p += k, left -= k;
        uint32_t c = (uint32_t)cp;
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            if (cur.flags & (W_HANGUL | W_CYR)) w_end(ws, &cur);
            /* letters and digits are separate words (Bureau53 = Bureau 53) */
            if (cur.n && ((cur.s[cur.n - 1] >= '0' && cur.s[cur.n - 1] <= '9') != (c >= '0' && c <= '9')))
                w_end(ws, &cur);
            w_addc(ws, &cur, (char)c);
        } else if (c >= 'A' && c <= 'Z') {
            if (cur.flags & (W_HANGUL | W_CYR)) w_end(ws, &cur);
            if (cur.n && cur.s[cur.n - 1] >= '0' && cur.s[cur.n - 1] <= '9') w_end(ws, &cur);
            w_addc(ws, &cur, (char)(c - 'A' + 'a'));
        } else if (is_apostrophe(c)) {
            continue;
        } else if (c == ',') {
            w_end(ws, &cur);
            cur.flags &= (uint8_t)~W_FAMILY;
        } else if ((c >= 0xAC00 && c <= 0xD7A3) || han_to_hangul(c)) {
            uint32_t h = (c >= 0xAC00 && c <= 0xD7A3) ? c : han_to_hangul(c);
            if (ws->liaison) {
                /* liaison (Revised Romanization follows the sound): a final
                 * consonant before a syllable with a silent initial is read
                 * as that syllable's initial (윳옹 = yu-song, 댑옹 = dae-bong,
                 * 골요 = go-ryo); ㅇ and the double finals stay */
                static const int8_t fin2init[28] = {-1, 0,  1,  -1, 2, -1, -1, 3,  5,  -1, -1, -1, -1, -1,
                                                    -1, -1, 6,  7,  -1, 9, 10, -1, 12, 14, 15, 16, 17, -1};
                uint32_t si = h - 0xAC00u, L = si / 588, V = (si % 588) / 28, T = si % 28;
                if (carry >= 0 && L == 11) L = (uint32_t)carry;
                carry = -1;
                if (T && fin2init[T] >= 0 && left > 0 && !ko_edge(c, false)) {
                    utf8proc_int32_t nx;
                    utf8proc_ssize_t k2 = utf8proc_iterate(p, left, &nx);
                    if (k2 > 0 && nx >= 0xAC00 && nx <= 0xD7A3 && (uint32_t)(nx - 0xAC00) / 588 == 11 &&
                        !ko_edge((uint32_t)nx, true)) {
                        carry = fin2init[T];
                        T = 0;
                        ws->moved = true;
                    }
                }
                h = 0xAC00u + (L * 21 + V) * 28 + T;
            }
            w_end(ws, &cur);
            char r[16];
            hangul_rr(h, r, sizeof r);
            cur.flags |= W_HANGUL;
            w_adds(ws, &cur, r);
            w_end(ws, &cur); /* one syllable per unit */
        } else if (cyr_latin(c)) {
            if (cur.n && !(cur.flags & W_CYR)) w_end(ws, &cur);
            cur.flags |= W_CYR;
            w_adds(ws, &cur, cyr_latin(c));
            for (const char *r = cyr_russian(c); *r && cur.altn + 1 < W_LEN; r++) cur.alt[cur.altn++] = *r;
        } else if (c >= 0x80 && utf8proc_category((utf8proc_int32_t)c) <= UTF8PROC_CATEGORY_LO) {
            /* other letters: strip marks, keep what is ASCII (ŏ -> o, ß -> ss) */
            utf8proc_int32_t d[8];
            int last;
            utf8proc_ssize_t dn = utf8proc_decompose_char((utf8proc_int32_t)c, d, 8,
                                                          UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK |
                                                              UTF8PROC_CASEFOLD | UTF8PROC_COMPAT,
                                                          &last);
            bool any = false;
            for (utf8proc_ssize_t i = 0; i > -1 && i < dn && i < 8; i++)
                if (d[i] >= 'a' && d[i] <= 'z') {
                    w_addc(ws, &cur, (char)d[i]);
                    any = true;
                }
            if (!any && !(utf8proc_category((utf8proc_int32_t)c) == UTF8PROC_CATEGORY_MN)) w_end(ws, &cur);
        } else if (c >= 0x300 && c < 0x370) {
            continue; /* combining mark left over */
        } else if (c == '.') {
            if (cur.n == 1 && cur.s[0] >= 'a' && cur.s[0] <= 'z' && !(cur.flags & (W_HANGUL | W_CYR))) {
                cur.flags |= W_DOT;
                if (left > 0 && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) cur.flags |= W_GLUE;
            }
            w_end(ws, &cur);
        } else if (c == '-' || c == 0x2010 || c == 0x2011) {
            /* a hyphen between two Latin words: the second part of one name
             * (Jean-Pierre, Amir-Mansour), not a name of its own */
            bool after = cur.n && !(cur.flags & (W_HANGUL | W_CYR));
            w_end(ws, &cur);
            if (after && left > 0 && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) cur.flags |= W_HYPH;
        } else {
            w_end(ws, &cur);
        }
    }
    w_end(ws, &cur);
    free(m);
    for (int i = 0; i < ws->n; i++)
        if (ws->w[i].flags & W_CYR) cyr_fix(&ws->w[i]);
    /* Cyrillic that does not split into Korean syllables is a Russian (or
     * other) name: every Cyrillic word then takes its Russian reading
     * (Владимир -> vladimir, not wlatimir) */
    bool russian = false;
    for (int i = 0; i < ws->n && !russian; i++)
        if (ws->w[i].flags & W_CYR) russian = !word_is_syllables(nm, &ws->w[i]);
    for (int i = 0; i < ws->n && russian; i++) {
        word *w = &ws->w[i];
        if (!(w->flags & W_CYR)) continue;
        memcpy(w->s, w->alt, w->altn);
        w->n = w->altn;
        w->s[w->n] = 0;
        w->flags = (uint8_t)((w->flags & ~W_CYR) | W_RUS);
        w->syl = -1;
    }
}

/* ---- segmentation ------------------------------------------------------- */

/* Splits s[0..n) into known syllables, longest first; cut[] gets the end of
 * each syllable. Returns the count, or -1 when s is not all syllables. */
static int segment(const um_sc_norm *nm, const char *s, int n, int *cut, int maxcut) {
    if (n <= 0 || n > 160) return -1;
    signed char fail[161];
    memset(fail, 0, sizeof fail);
    int pos[161], len[161], depth = 0, i = 0;
    int L = (int)nm->max_syl < n ? (int)nm->max_syl : n;
    /* iterative DFS: at position i try lengths L..1 */
    len[0] = L + 1;
    pos[0] = 0;
    for (;;) {
        i = pos[depth];
        if (i == n) break;
        int l = len[depth] - 1;
        bool found = false;
        if (!fail[i])
            for (; l >= 1; l--)
                if (i + l <= n && !fail[i + l] && syl_get(nm, s + i, (size_t)l)) {
                    found = true;
                    break;
                }
        if (found) {
            len[depth] = l;
            if (depth + 1 >= maxcut || depth + 1 > 160) return -1;
            depth++;
            pos[depth] = i + l;
            int rest = n - (i + l);
            len[depth] = ((int)nm->max_syl < rest ? (int)nm->max_syl : rest) + 1;
        } else {
            fail[i] = 1;
            if (depth == 0) return -1;
            depth--;
        }
    }
    for (int k = 0; k < depth; k++) cut[k] = pos[k + 1];
    return depth;
}

static bool is_vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

/* A split of a written word of 5+ letters that puts a vowel-only syllable
 * after a syllable ending in a vowel (bu-re-a-u, ge-ne-ra-l) reads an
 * English word as Korean: romanised Korean words do not run vowels together
 * that way, so the word is kept whole. */
static bool plausible_split(const char *s, int n, const int *cut, int nc) {
    if (n < 5) return true;
    int start = 0;
    for (int c = 0; c < nc; c++) {
        bool vowel_only = true;
        for (int k = start; k < cut[c]; k++) vowel_only &= is_vowel(s[k]);
        if (vowel_only && start > 0 && is_vowel(s[start - 1])) return false;
        start = cut[c];
    }
    return true;
}

static bool word_is_syllables(const um_sc_norm *nm, word *w) {
    int cut[W_LEN];
    if (w->syl >= 0) return w->syl;
    w->syl = 0;
    if (w->flags & W_HANGUL) w->syl = 1;
    else {
        for (int i = 0; i < w->n; i++)
            if (w->s[i] < 'a' || w->s[i] > 'z') return false;
        int nc = segment(nm, w->s, w->n, cut, W_LEN);
        w->syl = nc > 0 && ((w->flags & W_CYR) || plausible_split(w->s, w->n, cut, nc));
    }
    return w->syl;
}

static bool str_is_syllables(const um_sc_norm *nm, const char *w, size_t n) {
    int cut[W_LEN];
    if (n >= W_LEN) return false;
    for (size_t i = 0; i < n; i++)
        if (w[i] < 'a' || w[i] > 'z') return false;
    int nc = segment(nm, w, n, cut, W_LEN);
    return nc > 0 && plausible_split(w, n, cut, nc);
}

static void put_unit(um_sc_name *out, const char *raw, size_t n, const char *key, uint8_t flags, uint8_t wi,
                     float w) {
    if (out->n >= UM_SC_MAX_UNITS) {
        out->truncated = true;
        return;
    }
    um_sc_unit *u = &out->u[out->n++];
    if (n >= UM_SC_KEYLEN) n = UM_SC_KEYLEN - 1;
    memcpy(u->raw, raw, n);
    u->raw[n] = 0;
    copy_str(u->key, sizeof u->key, key, strlen(key));
    u->flags = flags;
    u->word = wi;
    u->w = w;
}

/* word i is the second or later part of a hyphenated Latin name */
static bool hyph_part(const words *ws, int i) { return i > 0 && i < ws->n && (ws->w[i].flags & W_HYPH); }

static void build_form(const um_sc_norm *nm, words *ws, bool entity, bool concat, um_sc_name *out) {
    out->n = out->nwords = 0;
    out->korean = out->truncated = false;
    out->truncated = ws->truncated;
    out->joined = concat;
    out->nwords = ws->n;
    bool family_seen = false;
    for (int i = 0; i < ws->n; i++) family_seen |= (ws->w[i].flags & W_FAMILY) != 0;
    if (entity) family_seen = false;
    /* Korean mode: Hangul/Cyrillic input or a common surname as a first or
     * last whole word (or the family part). */
    bool korean = false;
    for (int i = 0; i < ws->n && !korean; i++) {
        const word *w = &ws->w[i];
        if (w->flags & (W_HANGUL | W_CYR)) korean = true;
        bool edge = i == 0 || i == ws->n - 1 || (w->flags & W_FAMILY);
        /* a middle initial after a comma name's given name (DROGANOV,
         * Aleksey O.; PECHEGIN, Andrey I.) is no surname at the far end */
        if (family_seen && i == ws->n - 1 && !(w->flags & W_FAMILY) && w->n == 1 && (w->flags & W_DOT)) edge = false;
        if (edge && !entity && w->n < UM_SC_KEYLEN && syl_get(nm, w->s, w->n)) {
            char key[UM_SC_KEYLEN];
            um_sc_syl_key(nm, w->s, w->n, key, sizeof key);
            if (surname_rank(nm, key)) korean = true;
        }
        if (entity && (w->flags & (W_HANGUL | W_CYR))) korean = true;
    }
    /* ... or a surname with a typo (Kimm, Parck) at one end when every other
     * word splits into syllables */
    if (!korean && !entity && ws->n >= 2 && ws->n <= 4) {
        int edge = -1;
        for (int e = 0; e < 2 && edge < 0; e++) {
            const word *w = &ws->w[e ? ws->n - 1 : 0];
            /* one_typo() needs 3+ letters and lengths within one: the
             * table's 3-5 letters pair only with words of 3-6 */
            for (size_t k = 0; k < UM_ARRAY_LEN(typo_surnames) && edge < 0 && w->n >= 3 && w->n <= 6; k++) {
                const char *t = typo_surnames[k];
                /* one_typo() leaves the first letter, or swaps or drops one
                 * of the first two: a cheap necessary test first */
                if (w->s[0] != t[0] && w->s[0] != t[1] && w->s[1] != t[0]) continue;
                size_t m = strlen(t);
                if (m + 1 >= (size_t)w->n && (size_t)w->n + 1 >= m && one_typo(w->s, w->n, t, m))
                    edge = e ? ws->n - 1 : 0;
            }
        }
        bool rest = edge >= 0;
        for (int i = 0; i < ws->n && rest; i++)
            if (i != edge) rest = word_is_syllables(nm, &ws->w[i]);
        korean = rest;
    }
    if (entity) korean = true; /* Korean company names split the same way (Ryonbong = Ryon-bong) */
    out->korean = korean;
    int i = 0;
    while (i < ws->n) {
        word *w = &ws->w[i];
        bool digits = true;
        for (int k = 0; k < w->n; k++)
            if (w->s[k] < '0' || w->s[k] > '9') digits = false;
        const generic_word *g = entity ? find_generic_typo(nm, w->s, w->n, ws->query) : NULL;
        uint8_t fam = (family_seen && (w->flags & W_FAMILY)) ? UM_SCU_FAMILY : 0;
        if (g) {
            put_unit(out, w->s, w->n, g->key, UM_SCU_GENERIC, (uint8_t)i, g->weight);
            i++;
            continue;
        }
        if (digits) {
            put_unit(out, w->s, w->n, w->s, UM_SCU_NUMBER, (uint8_t)i, 1.0f);
            i++;
            continue;
        }
        if (w->flags & W_HANGUL) {
            char key[UM_SC_KEYLEN];
            um_sc_syl_key(nm, w->s, w->n, key, sizeof key);
            put_unit(out, w->s, w->n, key, UM_SCU_KOREAN | UM_SCU_HANGUL | fam, (uint8_t)i, 1.0f);
            i++;
            continue;
        }
        if (!korean || !word_is_syllables(nm, w)) {
            /* a non-Korean word: compared whole, by a spelling key that
             * merges the usual foreign renderings (Iwanow, Ivanoff, Ivanov) */
            uint8_t fl = fam | ((w->flags & W_CYR) ? UM_SCU_CYR : 0);
            char key[UM_SC_KEYLEN];
            fold_latin(w->s, w->n, key, sizeof key);
            put_unit(out, w->s, w->n, key, fl, (uint8_t)i, 1.0f);
            i++;
            continue;
        }
        /* a run of Latin words that are all syllables, same family part */
        int j = i;
        char run[160];
        int rn = 0, wstart[W_MAX + 1];
        uint8_t rflags = 0;
        while (j < ws->n) {
            word *x = &ws->w[j];
            if ((j > i && !concat) || (x->flags & W_HANGUL) || (entity && find_generic_typo(nm, x->s, x->n, ws->query)) ||
                !word_is_syllables(nm, x) ||
                ((x->flags & W_FAMILY) != (w->flags & W_FAMILY)) || rn + x->n >= (int)sizeof run)
                break;
            wstart[j - i] = rn;
            memcpy(run + rn, x->s, x->n);
            rn += x->n;
            rflags |= x->flags;
            j++;
        }
        if (j == i) { /* cannot happen (w itself qualifies), but stay safe */
            put_unit(out, w->s, w->n, w->s, fam, (uint8_t)i, 1.0f);
            i++;
            continue;
        }
        wstart[j - i] = rn;
        int cut[160];
        int nc = segment(nm, run, rn, cut, 160);
        int start = 0;
        for (int c = 0; c < nc; c++) {
            int wi = 0;
            while (i + wi + 1 < j && wstart[wi + 1] <= start) wi++;
            char key[UM_SC_KEYLEN];
            um_sc_syl_key(nm, run + start, (size_t)(cut[c] - start), key, sizeof key);
            uint8_t fl = UM_SCU_KOREAN | fam | ((rflags & W_CYR) ? UM_SCU_CYR : 0);
            put_unit(out, run + start, (size_t)(cut[c] - start), key, fl, (uint8_t)(i + wi), 1.0f);
            start = cut[c];
        }
        i = j;
    }
    /* surname weight: one common Korean surname per name - a whole word in
     * the family part, else the first or last whole word (the more common
     * surname of the two when both qualify: "Jong Un Kim" -> Kim) */
    if (!entity && korean) {
        int best = -1;
        uintptr_t best_rank = 0;
        for (int k = 0; k < out->n; k++) {
            um_sc_unit *u = &out->u[k];
            if (!(u->flags & UM_SCU_KOREAN)) continue;
            uintptr_t rank = surname_rank(nm, u->key);
            if (!rank) continue;
            bool whole = (k == 0 || out->u[k - 1].word != u->word) &&
                         (k == out->n - 1 || out->u[k + 1].word != u->word);
            bool pos;
            if (family_seen) pos = (u->flags & UM_SCU_FAMILY) != 0;
            else if (u->flags & UM_SCU_HANGUL) pos = k == 0; /* 김정은: first syllable */
            else pos = u->word == out->u[0].word || u->word == out->u[out->n - 1].word;
            if (whole && pos && (best < 0 || rank < best_rank)) {
                best = k;
                best_rank = rank;
            }
        }
        if (best >= 0) {
            out->u[best].flags |= UM_SCU_SURNAME;
            out->u[best].w = 0.5f;
        }
    }
    /* Not Korean, a person: a patronymic (Vladimirovich, Ivanovna, -ogly)
     * and a second or later given name of a "FAMILY, Given Middle" name are
     * often left out, so they weigh little and are not missed when absent
     * (Mark Taylor = TAYLOR, Mark John; Vladimir Putin = PUTIN, Vladimir
     * Vladimirovich). They still count when they are there. */
    if (!entity && !korean) {
        static const char *const patr[] = {"ovich", "evich", "ovna", "evna", "ichna", "ovic", "evic", "ogly", "oglu", "kyzy", "qizi"};
        /* the middle names together weigh at most two of them (AL-TIKRITI,
         * Yasir Sabawi Ibrahim Hasan: 3 x 0.3), so that a name with many
         * is matched by family and first name as one with one or two is */
        int nmid = 0;
        for (int k = 0, gs = 0, lw = -1; k < out->n && family_seen; k++) {
            const um_sc_unit *u = &out->u[k];
            if ((u->flags & UM_SCU_FAMILY) || (u->flags & (UM_SCU_GENERIC | UM_SCU_NUMBER))) continue;
            if (u->word != lw) gs += !gs || !hyph_part(ws, u->word), lw = u->word;
            if (gs > 1) nmid++;
        }
        float wmid = nmid > 2 ? 0.9f / (float)nmid : 0.45f;
        int given_seen = 0, last_word = -1;
        for (int k = 0; k < out->n; k++) {
            um_sc_unit *u = &out->u[k];
            size_t n = strlen(u->raw);
            /* (every ending is 4+ letters after 3+ and ends in one of these) */
            bool is_patr = false, maybe = n >= 7 && memchr("hacyui", u->raw[n - 1], 6);
            for (size_t p = 0; p < UM_ARRAY_LEN(patr) && !is_patr && maybe; p++) {
                size_t pl = strlen(patr[p]);
                is_patr = n >= pl + 3 && memcmp(u->raw + n - pl, patr[p], pl) == 0;
            }
            bool middle = false;
            if (family_seen && !(u->flags & UM_SCU_FAMILY) && !(u->flags & (UM_SCU_GENERIC | UM_SCU_NUMBER))) {
                /* the second part of a hyphenated given name belongs to
                 * that name: Jean-Pierre's Pierre is not a middle name that
                 * may be left out (Jean Dupont is not DUPONT, Jean-Pierre) */
                if (u->word != last_word) given_seen += !given_seen || !hyph_part(ws, u->word), last_word = u->word;
                middle = given_seen > 1;
            }
            if (middle) u->w = wmid;
            else if (is_patr) u->w = 0.45f;
        }
    }
    /* a short non-Korean token weighs a little less, but is never dropped */
    for (int k = 0; k < out->n; k++) {
        um_sc_unit *u = &out->u[k];
        if (!(u->flags & (UM_SCU_KOREAN | UM_SCU_GENERIC | UM_SCU_NUMBER)) && strlen(u->raw) <= 2 && u->w > 0.6f)
            u->w = 0.6f;
    }
}

/* CJK company words, marked generic in the original-script form of an entity */
static const char *const cjk_generic[] = {"有限公司", "股份", "公司", "会社", "會社", "株式", "集团", "集團", "贸易", "貿易"};

static void build_script(const um_sc_norm *nm, const words *ws, bool entity, um_sc_name *out) {
    (void)nm;
    out->n = 0;
    out->nwords = ws->nsc;
    out->korean = false;
    out->truncated = ws->truncated;
    for (int i = 0; i < ws->nsc; i++)
        put_unit(out, ws->sc[i], strlen(ws->sc[i]), ws->sc[i], UM_SCU_SCRIPT, (uint8_t)i, 1.0f);
    if (!entity) return;
    for (int i = 0; i < out->n; i++)
        for (size_t g = 0; g < UM_ARRAY_LEN(cjk_generic); g++) {
            const char *w = cjk_generic[g];
            size_t wl = strlen(w), used = 0;
            int k = i;
            while (k < out->n && used < wl && strncmp(w + used, out->u[k].key, strlen(out->u[k].key)) == 0)
                used += strlen(out->u[k].key), k++;
            if (used != wl) continue;
            for (int j = i; j < k; j++) {
                out->u[j].flags |= UM_SCU_GENERIC;
                out->u[j].w = 0.1f;
            }
        }
}

/* Can the joined form differ from the per-word one? Only when two written
 * words next to each other are both joined (the run rule in build_form). */
static bool may_join(const um_sc_norm *nm, words *ws, bool entity, bool korean) {
    if (!korean) return false;
    for (int i = 0; i + 1 < ws->n; i++) {
        word *a = &ws->w[i], *b = &ws->w[i + 1];
        if ((a->flags & W_HANGUL) || (b->flags & W_HANGUL) || (a->flags & W_FAMILY) != (b->flags & W_FAMILY)) continue;
        if (entity && (find_generic_typo(nm, a->s, a->n, ws->query) || find_generic_typo(nm, b->s, b->n, ws->query)))
            continue;
        if (word_is_syllables(nm, a) && word_is_syllables(nm, b)) return true;
    }
    return false;
}

static bool words_entity(const um_sc_norm *nm, const words *ws) {
    for (int i = 0; i < ws->n; i++) {
        const generic_word *g = find_generic_typo(nm, ws->w[i].s, ws->w[i].n, ws->query);
        if (g && g->weight >= 0.1f) return true;
    }
    return false;
}

/* Abbreviations written out, both sides (Dept = Department) */
static const struct {
    const char *abbr, *full;
} abbrevs[] = {{"dept", "department"}, {"dpt", "department"}, {"govt", "government"}, {"natl", "national"},
               {"assn", "association"}, {"assoc", "association"}, {"mfg", "manufacturing"},
               {"univ", "university"}, {"inst", "institute"}, {"acad", "academy"}, {"admin", "administration"},
               {"cttee", "committee"}, {"cmte", "committee"}, {"bros", "brothers"}, {"mgmt", "management"},
               {"svc", "service"}, {"svcs", "services"}, {"mfrs", "manufacturers"}, {"minstry", "ministry"},
               {"hq", "headquarters"}, {"bur", "bureau"}, {"org", "organization"}, {"organisation", "organization"},
               {"centre", "center"}, {"defence", "defense"}};

static void set_word(word *w, const char *s) {
    size_t n = strlen(s);
    if (n >= W_LEN) n = W_LEN - 1;
    memcpy(w->s, s, n);
    w->s[n] = 0;
    w->n = (uint8_t)n;
    w->syl = -1;
}

static bool word_is(const word *w, const char *s) {
    return w->n && s[0] == w->s[0] && strlen(s) == w->n && memcmp(w->s, s, w->n) == 0;
}

/* Rewrites the words of a name in place: abbreviations written out, and
 * the ways of naming North Korea in an entity name ("of the Democratic
 * People's Republic of Korea", "of DPRK", "of North Korea", "D.P.R.K.",
 * "DPR Korea") as one word, dprk (a generic word, key korea). */
static void ko_translate(words *ws);

static void rewrite_words(words *ws) {
    ko_translate(ws);
    for (int i = 0; i < ws->n; i++)
        for (size_t k = 0; k < UM_ARRAY_LEN(abbrevs); k++)
            if (word_is(&ws->w[i], abbrevs[k].abbr)) {
                set_word(&ws->w[i], abbrevs[k].full);
                break;
            }
    static const char *const phrases[][6] = {
        {"democratic", "peoples", "republic", "of", "korea", NULL}, {"democratic", "people", "republic", "of", "korea", NULL},
        {"democratic", "people", "s", "republic", "of", "korea"},   {"d", "p", "r", "k", NULL, NULL},
        {"d", "p", "r", "korea", NULL, NULL},                      {"dpr", "korea", NULL, NULL, NULL, NULL},
        {"dpr", "of", "korea", NULL, NULL, NULL},                  {"north", "korea", NULL, NULL, NULL, NULL},
        {"n", "korea", NULL, NULL, NULL, NULL},                    {"dprk", "korea", NULL, NULL, NULL, NULL}};
    /* one word of 5+ letters of a phrase of 2+ words may carry a typo
     * (Reublic, Rpeublic, Eepublic, Democraticq, Peoplevs, Orea, Korda) */
    for (int i = 0; i < ws->n; i++)
        for (size_t p = 0; p < UM_ARRAY_LEN(phrases); p++) {
            int k = 0, typos = 0;
            while (k < 6 && phrases[p][k] && i + k < ws->n) {
                const word *w = &ws->w[i + k];
                const char *x = phrases[p][k];
                size_t xl = strlen(x);
                if (word_is(w, x)) {
                    k++;
                    continue;
                }
                /* (one_typo() and one_sub() need lengths within one) */
                if (typos || xl < 5 || !phrases[p][1] || (w->flags & W_HANGUL) || (size_t)w->n + 1 < xl ||
                    xl + 1 < (size_t)w->n || !(one_typo(w->s, w->n, x, xl) || one_sub(w->s, w->n, x, xl)))
                    break;
                typos++;
                k++;
            }
            if (k < 6 && phrases[p][k]) continue;
            set_word(&ws->w[i], "dprk");
            memmove(&ws->w[i + 1], &ws->w[i + k], (size_t)(ws->n - i - k) * sizeof ws->w[0]);
            ws->n -= k - 1;
            break;
        }
}

/* Generic words of Korean entity names in Hangul, translated (the lists
 * write them in English): 조선무역은행 = Korea Trade Bank */
static const struct {
    const char *ko, *en;
} ko_words[] = {{"주식회사", "company"}, {"무역회사", "trading company"}, {"공업부", "industry department"},
                {"은행", "bank"},          {"무역", "trading"},           {"항공", "airline"},
                {"회사", "company"},       {"공사", "corporation"},        {"상사", "trading"},
                {"조선", "korea"},         {"해운", "shipping"},           {"기술", "technology"},
                {"개발", "development"},   {"보험", "insurance"},          {"대학", "university"},
                {"위원회", "committee"},   {"연구소", "institute"},        {"총국", "general bureau"},
                {"그룹", "group"},         {"합영", "joint venture"},      {"국제", "international"},
                {"공업", "industry"},      {"상업", "commercial"},         {"광업", "mining"},
                {"기계", "machinery"},     {"전자", "electronics"},        {"수출입", "import export"},      {"성", "ministry"},             {"부", "department"},
                {"총", "general"}};

/* is cp the first (or the last) syllable of a translated Hangul word?
 * Liaison never crosses into or out of one (상업은행 stays 상업 + 은행) */
static bool ko_edge(uint32_t cp, bool first) {
    for (size_t d = 0; d < UM_ARRAY_LEN(ko_words); d++) {
        const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)ko_words[d].ko;
        utf8proc_ssize_t left = (utf8proc_ssize_t)strlen(ko_words[d].ko);
        utf8proc_int32_t c = -1, last = -1;
        bool at_first = true;
        while (left > 0) {
            utf8proc_ssize_t m = utf8proc_iterate(p, left, &c);
            if (m <= 0) break;
            if (at_first && first && (uint32_t)c == cp) return true;
            at_first = false;
            last = c;
            p += m, left -= m;
        }
        if (!first && (uint32_t)last == cp) return true;
    }
    return false;
}

/* the number of Hangul words from ws->w[i] that spell ko_words[d], 0 when they do not */
static int ko_word_at(const words *ws, int i, size_t d) {
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)ko_words[d].ko;
    utf8proc_ssize_t left = (utf8proc_ssize_t)strlen(ko_words[d].ko);
    int k = 0;
    while (left > 0) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t m = utf8proc_iterate(p, left, &cp);
        if (m <= 0) break;
        p += m, left -= m;
        char r[16];
        hangul_rr((uint32_t)cp, r, sizeof r);
        if (!(i + k < ws->n && (ws->w[i + k].flags & W_HANGUL) && word_is(&ws->w[i + k], r))) return 0;
        k++;
    }
    return k;
}

static void ko_translate(words *ws) {
    for (int i = 0; i < ws->n; i++) {
        if (!(ws->w[i].flags & W_HANGUL)) continue;
        for (size_t d = 0; d < UM_ARRAY_LEN(ko_words); d++) {
            int k = ko_word_at(ws, i, d);
            bool ok = k > 0;
            /* a one-syllable word (성 ministry, 부 department) only ends a
             * name of 3+ syllables; 총 (general) only stands before another
             * translated word of 2+ syllables (총무역회사 general trading
             * company, 조선룡봉총회사) */
            if (ok && k == 1 && !strcmp(ko_words[d].en, "general")) {
                bool next = false;
                for (size_t e = 0; e < UM_ARRAY_LEN(ko_words) && !next; e++) next = ko_word_at(ws, i + 1, e) >= 2;
                ok = next && i >= 2;
            } else if (k == 1)
                ok = i == ws->n - 1 && i >= 2;
            if (!ok) continue;
            const char *en = ko_words[d].en, *sp = strchr(en, ' ');
            int nw = sp ? 2 : 1;
            /* k Hangul words become nw English words */
            memmove(&ws->w[i + nw], &ws->w[i + k], (size_t)(ws->n - i - k) * sizeof ws->w[0]);
            ws->n += nw - k;
            char a[W_LEN];
            size_t al = sp ? (size_t)(sp - en) : strlen(en);
            memcpy(a, en, al);
            a[al] = 0;
            ws->w[i].flags &= (uint8_t)~W_HANGUL;
            set_word(&ws->w[i], a);
            if (sp) {
                ws->w[i + 1] = ws->w[i];
                set_word(&ws->w[i + 1], sp + 1);
            }
            i += nw - 1;
            break;
        }
    }
}

/* A query word that is a generic word joined to another word of 3+
 * letters (MANAGEMENTPTE, INTERNATIONALHOLDINGS, TANCHONCOMMERCIAL) is
 * split in two, the longest such generic word first; true when any was. */
/* the length of the business word (in an entity name also a short legal
 * form, KOHASAG) joined at the start (*pre) or the end of w, 0 when none */
static size_t joined_word_scan(const um_sc_norm *nm, const word *w, bool ent, bool *pre);

static size_t joined_word(const um_sc_norm *nm, const word *w, bool ent, bool *pre) {
    *pre = false;
    if (w->n < (ent ? 6u : 7u) || (w->flags & W_HANGUL)) return 0;
    bool hit;
    uint8_t kind = ent ? NM_JOINED_ENT : NM_JOINED;
    nmemo_slot *m = nmemo_slot_of(nm, kind, w->s, w->n, &hit);
    if (hit) {
        *pre = m->res & 1;
        return (size_t)(m->res >> 1);
    }
    size_t best = joined_word_scan(nm, w, ent, pre);
    nmemo_put(nm, m, kind, w->s, w->n, (int)(best << 1 | (*pre ? 1u : 0u)));
    return best;
}

static size_t joined_word_scan(const um_sc_norm *nm, const word *w, bool ent, bool *pre) {
    size_t best = 0;
    *pre = false;
    if (find_generic(nm, w->s, w->n)) return 0;
    for (size_t g = 0; g < UM_ARRAY_LEN(generic_words); g++) {
        size_t m = nm->gen_jlen[g]; /* 0: under 3 letters or not joinable */
        /* the other part 3+ letters, or 2 beside a business word of 7+
         * (CKINTERNATIONAL, MLHOLDING) */
        if (!m || m + (m >= 7 ? 2 : 3) > w->n || m <= best) continue;
        const char *x = generic_words[g].w;
        if (memcmp(w->s, x, m) == 0) best = m, *pre = true;
        else if (memcmp(w->s + w->n - m, x, m) == 0) best = m, *pre = false;
    }
    /* a short legal form written joined to the end of the name
     * (KOHASAG, GKROOO, GRIFFONFZC, PARTNERSOOD): an entity name only */
    static const char *const forms[] = {"ag", "ao", "sa", "ood", "ooo", "fzc", "fze", "llc", "ltd", "jsc",
                                        "srl", "gmbh", "eood", "ltda"};
    for (size_t g = 0; ent && g < UM_ARRAY_LEN(forms); g++) {
        size_t m = strlen(forms[g]);
        if (m <= best || w->n < m + (m < 3 ? 4 : 3)) continue;
        if (memcmp(w->s + w->n - m, forms[g], m) == 0) best = m, *pre = false;
    }
    /* and a Russian legal form joined to the start (OOOVMK, OOOKOMPANIYA) */
    static const char *const pforms[] = {"ooo", "oao", "zao", "pao", "jsc"};
    for (size_t g = 0; ent && g < UM_ARRAY_LEN(pforms); g++)
        if (3 > best && w->n >= 6 && memcmp(w->s, pforms[g], 3) == 0) best = 3, *pre = true;
    static const char *const phrase[] = {"democratic", "peoples", "people", "republic"};
    for (size_t g = 0; g < UM_ARRAY_LEN(phrase); g++) {
        size_t m = strlen(phrase[g]);
        if (m + 3 > w->n || m <= best) continue;
        if (memcmp(w->s, phrase[g], m) == 0) best = m, *pre = true;
        else if (memcmp(w->s + w->n - m, phrase[g], m) == 0) best = m, *pre = false;
    }
    return best;
}

static bool split_joined(const um_sc_norm *nm, words *ws, bool ent) {
    bool any = false;
    for (int i = 0; i < ws->n && ws->n < W_MAX; i++) {
        bool pre;
        size_t best = joined_word(nm, &ws->w[i], ent, &pre);
        if (!best) continue;
        size_t cut = pre ? best : ws->w[i].n - best;
        memmove(&ws->w[i + 1], &ws->w[i], (size_t)(ws->n - i) * sizeof ws->w[0]);
        ws->n++;
        word *a = &ws->w[i], *b = &ws->w[i + 1];
        char full[W_LEN];
        memcpy(full, a->s, a->n);
        full[a->n] = 0;
        set_word(b, full + cut);
        full[cut] = 0;
        set_word(a, full);
        any = true;
        i--; /* the first part may hold another (INTERNATIONALINDUSTRIALDEVELOPMENT) */
    }
    return any;
}

/* In an entity name, letters written with full stops and no space between
 * are one word: S.A. = SA, S.A. DE C.V. = SA DE CV, V.R. FRUIT = VR FRUIT
 * (initials of a person, P. N. Lebedev, stay apart). */
static void join_initials(words *ws) {
    for (int i = 0; i + 1 < ws->n; i++) {
        if ((ws->w[i].flags & (W_DOT | W_GLUE)) != (W_DOT | W_GLUE)) continue;
        int j = i + 1;
        while (j < ws->n && ws->w[j].n == 1 && (ws->w[j - 1].flags & W_GLUE)) j++;
        if (j - i < 2) continue;
        char buf[W_LEN];
        int k = 0;
        for (int t = i; t < j && k + 1 < W_LEN; t++) buf[k++] = ws->w[t].s[0];
        buf[k] = 0;
        ws->w[i].flags &= (uint8_t)~(W_DOT | W_GLUE);
        set_word(&ws->w[i], buf);
        memmove(&ws->w[i + 1], &ws->w[j], (size_t)(ws->n - j) * sizeof ws->w[0]);
        ws->n -= j - i - 1;
    }
}

/* A legal form written in letters with full stops (S.A. DE C.V., L.L.C.,
 * S.A.L.) whose letters come back split elsewhere once the stops are gone
 * (S ADE C V, SA DE C V, S A DEC V, LL C, SA L): at the end of an entity
 * name, the shortest run of words of at most 3 letters each whose letters
 * joined spell one of these forms is written as join_initials() writes the
 * dotted form. */
static void rejoin_legal_tail(words *ws) {
    static const struct { const char *letters, *words; } forms[] = {
        {"sadecv", "sa de cv"},           {"sderldecv", "s de rl de cv"}, {"sprderldecv", "spr de rl de cv"},
        {"sderl", "s de rl"},             {"sal", "sal"},                 {"llc", "llc"},
        {"sas", "sas"},                   {"scs", "scs"},                 {"sarl", "sarl"},
        {"srl", "srl"},                   {"bv", "bv"},                   {"nv", "nv"},
        {"ltd", "ltd"},                   {"sa", "sa"},
    };
    int n = ws->n;
    for (int start = n - 1; start >= 0 && n - start <= 8; start--) {
        if (ws->w[start].n > 3 || (ws->w[start].flags & W_HANGUL)) return;
        /* also with the form's S joined to the word before the run, a word
         * of 5+ letters (PRODUCTOSS A DE C V, GENERALESS A, CIMEXS A) */
        word *pw = start ? &ws->w[start - 1] : NULL;
        bool may_borrow = pw && pw->n >= 5 && pw->s[pw->n - 1] == 's' && !(pw->flags & W_HANGUL);
        for (int borrow = 0; borrow < 2; borrow++) {
            if (borrow ? !may_borrow : start == n - 1) continue; /* one short word alone is no run */
            char buf[W_LEN];
            size_t k = 0;
            bool ok = true;
            if (borrow) buf[k++] = 's';
            for (int t = start; t < n && ok; t++) {
                for (size_t c = 0; c < ws->w[t].n && ok; c++) ok = ws->w[t].s[c] >= 'a' && ws->w[t].s[c] <= 'z';
                if (ok && k + ws->w[t].n < sizeof buf) memcpy(buf + k, ws->w[t].s, ws->w[t].n), k += ws->w[t].n;
            }
            if (!ok) return;
            buf[k] = 0;
            for (size_t f = 0; f < UM_ARRAY_LEN(forms); f++) {
                if (strcmp(buf, forms[f].letters) != 0) continue;
                /* the canonical words, unless already written so */
                char cw[W_LEN];
                snprintf(cw, sizeof cw, "%s", forms[f].words);
                int nw = 0;
                char *parts[8];
                for (char *tok = strtok(cw, " "); tok && nw < 8; tok = strtok(NULL, " ")) parts[nw++] = tok;
                bool same = !borrow && nw == n - start;
                for (int t = 0; same && t < nw; t++) same = strcmp(parts[t], ws->w[start + t].s) == 0;
                if (same) return;
                if (start + nw > W_MAX) return;
                if (borrow) {
                    char cut[W_LEN];
                    memcpy(cut, pw->s, pw->n - 1);
                    cut[pw->n - 1] = 0;
                    set_word(pw, cut);
                }
                for (int t = 0; t < nw; t++) {
                    word *w = &ws->w[start + t];
                    if (start + t >= n) memset(w, 0, sizeof *w);
                    w->flags &= (uint8_t)~(W_DOT | W_GLUE);
                    w->altn = 0;
                    w->alt[0] = 0;
                    set_word(w, parts[t]);
                }
                ws->n = start + nw;
                return;
            }
        }
    }
}

int um_sc_norm_forms(const um_sc_norm *nm, const char *s, int entity, bool icu, um_sc_name out[UM_SC_MAX_FORMS],
                     bool *is_entity) {
    words ws;
    ws.n = ws.nsc = 0;
    ws.truncated = false;
    ws.liaison = false;
    bool korean_han = false;
    if (s) split_words(nm, s, icu, false, &ws, &korean_han);
    /* a listed entity name with letters written S.A. is also read with
     * them joined (SA), a form of its own: queries write both */
    words *wj = NULL;
    if (!icu && entity > 0) {
        bool glue = false;
        for (int i = 0; i < ws.n && !glue; i++) glue = (ws.w[i].flags & (W_DOT | W_GLUE)) == (W_DOT | W_GLUE);
        if (glue && (wj = um_malloc(sizeof *wj)) != NULL) {
            *wj = ws;
            join_initials(wj);
            rewrite_words(wj);
        }
    }
    rewrite_words(&ws);
    bool ent = entity > 0 || (entity < 0 && words_entity(nm, &ws));
    if (is_entity) *is_entity = ent;
    if (ent && icu) rejoin_legal_tail(&ws); /* a query: list names write their stops */
    build_form(nm, &ws, ent, false, &out[0]);
    int n = 1;
    if (may_join(nm, &ws, ent, out[0].korean)) {
        build_form(nm, &ws, ent, true, &out[n]);
        if (!um_sc_name_same(&out[0], &out[1])) n++;
    }
    if (wj) {
        if (n < UM_SC_MAX_FORMS) {
            build_form(nm, wj, ent, false, &out[n]);
            if (out[n].n && !um_sc_name_same(&out[0], &out[n])) n++;
        }
        um_free(wj);
    }
    if (ws.nsc) build_script(nm, &ws, ent, &out[n++]);
    /* a query in Han read as a Korean name is also read as Chinese (李伟:
     * Ri Wi and Li Wei), a form of its own */
    if (korean_han && icu && n < UM_SC_MAX_FORMS) {
        words w2;
        w2.n = w2.nsc = 0;
        w2.truncated = false;
        w2.liaison = false;
        split_words(nm, s, true, true, &w2, NULL);
        rewrite_words(&w2);
        build_form(nm, &w2, ent, false, &out[n]);
        if (out[n].n && !um_sc_name_same(&out[0], &out[n])) n++;
    }
    /* a query entity name in Hangul is also read with liaison, a form of
     * its own (the lists romanise names as they sound: 유송 and 윳옹 are
     * both YUSONG) */
    if (icu && ent && n < UM_SC_MAX_FORMS) {
        bool hangul = false;
        for (int i = 0; i < ws.n && !hangul; i++) hangul = (ws.w[i].flags & W_HANGUL) != 0;
        words *wl = hangul ? um_malloc(sizeof *wl) : NULL;
        if (wl) {
            wl->n = wl->nsc = 0;
            wl->truncated = false;
            wl->liaison = true;
            split_words(nm, s, icu, false, wl, NULL);
            if (wl->moved) {
                rewrite_words(wl);
                build_form(nm, wl, true, false, &out[n]);
                if (out[n].n && !um_sc_name_same(&out[0], &out[n])) n++;
            }
            um_free(wl);
        }
    }
    /* a query person name read as Korean whose first or last word is a
     * surname with a letter added (PAKI, CHOPE, KIUM, KIANG): split into
     * syllables it reads as the surname and a syllable of its own (pak-i),
     * which no listed name holds; also read with that word whole, a form of
     * its own, so that it pairs with the listed family as one typo
     * (family_typo, unit_sim) */
    if (icu && !ent && n < UM_SC_MAX_FORMS && out[0].korean && ws.n >= 2) {
        int edge = -1;
        for (int e = 0; e < 2 && edge < 0; e++) {
            word *w = &ws.w[e ? ws.n - 1 : 0];
            if ((w->flags & (W_HANGUL | W_CYR)) || w->n < 4 || w->n > 6 || syl_get(nm, w->s, w->n) ||
                !word_is_syllables(nm, w))
                continue;
            /* a surname spelling of its own (Choi, Shin) is another family */
            bool own = false;
            char fk[UM_SC_KEYLEN];
            fold_latin(w->s, w->n, fk, sizeof fk);
            own = surname_rank(nm, fk) != 0;
            for (size_t k = 0; k < UM_ARRAY_LEN(typo_surnames) && !own; k++)
                own = strlen(typo_surnames[k]) == w->n && memcmp(typo_surnames[k], w->s, w->n) == 0;
            if (own) continue;
            for (size_t k = 0; k < UM_ARRAY_LEN(surnames) + UM_ARRAY_LEN(typo_surnames) && edge < 0; k++) {
                const char *sn = k < UM_ARRAY_LEN(surnames) ? surnames[k] : typo_surnames[k - UM_ARRAY_LEN(surnames)];
                if (strlen(sn) + 1 == w->n && added_letter(w->s, w->n, sn)) edge = e ? ws.n - 1 : 0;
            }
        }
        words *w4 = edge >= 0 ? um_malloc(sizeof *w4) : NULL;
        if (w4) {
            *w4 = ws;
            w4->w[edge].syl = 0; /* read whole */
            build_form(nm, w4, false, false, &out[n]);
            if (out[n].n && !um_sc_name_same(&out[0], &out[n])) n++;
            um_free(w4);
        }
    }
    /* a query entity name with a business word joined to its neighbour
     * (MANAGEMENTPTE, TANCHONCOMMERCIAL): also read with the words apart */
    bool longw = false;
    for (int i = 0; i < ws.n && !longw; i++) longw = ws.w[i].n >= (ent ? 6 : 7) && !(ws.w[i].flags & W_HANGUL);
    /* (a copy of the words only when one of them holds such a word) */
    bool joined = false;
    for (int i = 0; i < ws.n && ws.n < W_MAX && !joined && icu && longw && n < UM_SC_MAX_FORMS && entity != 0; i++) {
        bool pre;
        joined = joined_word(nm, &ws.w[i], ent, &pre) > 0;
    }
    if (joined) {
        words *w3 = um_malloc(sizeof *w3);
        if (w3) {
            *w3 = ws;
            if (split_joined(nm, w3, ent)) {
                rewrite_words(w3);
                bool ent3 = entity > 0 || words_entity(nm, w3);
                if (ent3) {
                    build_form(nm, w3, true, false, &out[n]);
                    if (out[n].n && !um_sc_name_same(&out[0], &out[n])) n++;
                }
            }
            um_free(w3);
        }
    }
    return n;
}

void um_sc_norm_name(const um_sc_norm *nm, const char *s, bool entity, bool concat, um_sc_name *out) {
    words ws;
    ws.n = ws.nsc = 0;
    ws.truncated = false;
    ws.liaison = false;
    if (s) split_words(nm, s, false, false, &ws, NULL);
    rewrite_words(&ws);
    build_form(nm, &ws, entity, concat, out);
}

bool um_sc_name_same(const um_sc_name *a, const um_sc_name *b) {
    if (a->n != b->n) return false;
    for (int i = 0; i < a->n; i++)
        if (strcmp(a->u[i].key, b->u[i].key) != 0 || a->u[i].w != b->u[i].w) return false;
    return true;
}
