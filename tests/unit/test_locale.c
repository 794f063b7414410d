/* test_locale.c - libunmask's character classes and case folding do not
 * depend on the locale a program embedding it sets (src/util/ascii.h).
 *
 * 1. um_ascii_* answer what <ctype.h> answers in the "C" locale, for all
 *    256 byte values; um_ascii_lower_n (eight bytes at a time) equals the
 *    byte-wise fold at every length and alignment.
 * 2. Under tr_TR.ISO-8859-9 for LC_CTYPE (made with localedef into a
 *    temporary folder, LOCPATH): <ctype.h> folds 'I' to 0xFD there (checked,
 *    so the locale is known to be in force), the library's string helpers
 *    still fold ASCII, and a scan (the demo case plus applicants whose names
 *    and e-mail addresses hold a capital I and UTF-8 letters) writes the same
 *    bytes as in the "C" locale. Before ascii.h the e-mail addresses folded
 *    to different values and the name key (soundex) read outside its table.
 * 3. Under de_DE.UTF-8 for LC_ALL (a decimal comma; made the same way):
 *    snprintf prints "6,90" and strtod stops at a '.' there (checked), the
 *    library's own (src/util/cfmt.h, um_buf_printf, um_arena_printf) print
 *    and read a '.', also on a thread of their own, and the scan writes the
 *    same bytes as in the "C" locale. Before cfmt.h the clusters' weights,
 *    the findings' evidence ("score=0,93") and the CSVs changed.
 *    The sanctions lists read the same too: a listed name with its Hangul
 *    spelling in brackets gives that spelling as an "original script" alias
 *    (src/screen/lists.c asked isalpha() whether the brackets held Latin
 *    letters, true for UTF-8 lead bytes there: no alias).
 *    Exit 77 (skipped) when localedef or the locale's sources are missing
 *    (scripts/install-deps.sh --test installs `locales`).
 */
#include "harness.h"
#include "os/os.h"
#include "util/ascii.h"
#include "util/cfmt.h"
#include "util/util.h"

#include <ctype.h>
#include <locale.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unmask.h"

static void test_c_table(void) {
    CHECK(setlocale(LC_ALL, "C") != NULL);
    int bad = 0;
    for (int c = 0; c < 256; c++) {
        bad += !um_ascii_isalpha(c) != !isalpha(c);
        bad += !um_ascii_isdigit(c) != !isdigit(c);
        bad += !um_ascii_isalnum(c) != !isalnum(c);
        bad += !um_ascii_isspace(c) != !isspace(c);
        bad += !um_ascii_isupper(c) != !isupper(c);
        bad += !um_ascii_islower(c) != !islower(c);
        bad += !um_ascii_isxdigit(c) != !isxdigit(c);
        bad += um_ascii_tolower(c) != tolower(c);
        bad += um_ascii_toupper(c) != toupper(c);
        if (bad) {
            fprintf(stderr, "byte 0x%02x differs from the C locale\n", c);
            break;
        }
    }
    CHECK_INTEQ(bad, 0);
    /* the eight-at-a-time fold, every length 0..40 at every offset 0..7 */
    unsigned char src[48], dst[48];
    int diff = 0;
    for (int round = 0; round < 6; round++) {
        for (int i = 0; i < 48; i++) src[i] = (unsigned char)(i * 43 + round * 64 + 7);
        for (size_t off = 0; off < 8; off++)
            for (size_t n = 0; n + off <= 40; n++) {
                memset(dst, 0xAA, sizeof dst);
                um_ascii_lower_n((char *)dst + off, (const char *)src + off, n);
                for (size_t i = 0; i < 48; i++) {
                    int want = i >= off && i < off + n ? tolower(src[i]) : 0xAA;
                    diff += dst[i] != want;
                }
            }
    }
    CHECK_INTEQ(diff, 0);
}

/* ---- under a Turkish 8-bit locale ------------------------------------------ */

static char g_tmp[256];

static bool make_locale(void) {
    if (!um_t_mkdtemp(g_tmp, sizeof g_tmp, "unmask-test-locale")) return false;
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "command -v localedef >/dev/null && localedef -i tr_TR -f ISO-8859-9 '%s/tr_TR.ISO-8859-9' >/dev/null 2>&1"
             " && localedef -i de_DE -f UTF-8 '%s/de_DE.UTF-8' >/dev/null 2>&1",
             g_tmp, g_tmp);
    if (system(cmd) != 0) return false; /* before any scan: no thread yet */
    return setenv("LOCPATH", g_tmp, 1) == 0;
}

static void test_helpers(void) {
    /* the locale is in force: the C library folds I to dotless i (0xFD) */
    CHECK_INTEQ(tolower('I'), 0xFD);
    CHECK(um_streq_ci("INDEX", "index"));
    CHECK(um_strneq_ci("Image", 5, "IMAGE"));
    CHECK(um_starts_with_ci("IMAGE.EXE", "image"));
    CHECK(um_ends_with_ci("C:\\TOOLS\\ANYDESK.EXE", "anydesk.exe"));
    CHECK(um_strstr_ci("C:\\WINDOWS\\SYSTEM32\\CMD.EXE", "system32\\cmd") != NULL);
    CHECK(um_glob("*WINDOWS\\SYS*", 13, "c:\\windows\\system32", true));
    CHECK(!um_glob("*WINDOWS\\SYS*", 13, "c:\\windows\\system32", false));
    um_arena a;
    um_arena_init(&a);
    const char *lt = um_lower_trim(&a, "  IRINA.KIM@EXAMPLE.COM ", 24);
    CHECK_STREQ(lt, "irina.kim@example.com");
    um_arena_free(&a);
}

static const char applicants[] =
    "Candidate ID,First Name,Last Name,Email,Phone,Country\n"
    "C90001,Ivan,Ilic,IRINA.KIM@EXAMPLE.COM,+1 604-281-9761,Canada\n"
    "C90002,Irina,Kim,irina.kim@example.com,+1 604-281-9762,Canada\n"
    "C90003,\xC4\xB0lker,I\xC5\x9F\xC4\xB1k,ILKER.ISIK@EXAMPLE.COM,+1 604-281-9763,Canada\n"
    "C90004,Ilker,Isik,Ilker.Isik@Example.com,+1 604-281-9764,Canada\n";

static char *slurp(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *d = NULL;
    long len = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (len >= 0 && fseek(f, 0, SEEK_SET) == 0 && (d = malloc((size_t)len + 1)) != NULL) {
        *n = fread(d, 1, (size_t)len, f);
        d[*n] = 0;
    }
    fclose(f);
    return d;
}

/* scans the demo case and the applicants into out; true on success */
static bool scan_to(const char *hr, const char *out) {
    char data[4096], demo[4096];
    snprintf(data, sizeof data, "%s/data", um_t_src());
    snprintf(demo, sizeof demo, "%s/examples/demo", um_t_src());
    um_ctx_options opt = {0};
    opt.data_dir = data;
    um_ctx *ctx = NULL;
    um_scan *s = NULL;
    bool ok = um_ctx_open(&ctx, &opt) == UM_OK && um_scan_new(ctx, &s) == UM_OK &&
              um_scan_add_path(s, demo, NULL) == UM_OK && um_scan_add_path(s, hr, NULL) == UM_OK &&
              um_scan_run(s, NULL, NULL) == UM_OK && um_scan_write_outputs(s, out) == UM_OK;
    if (!ok) fprintf(stderr, "scan: %s\n", s ? um_scan_errmsg(s) : ctx ? um_ctx_errmsg(ctx) : "?");
    um_scan_free(s);
    um_ctx_close(ctx);
    return ok;
}

/* scans in the "C" locale and in `name` for `category` (the locale the
 * process had is given back), and compares the outputs byte for byte */
static void scan_compare(int category, const char *name, const char *tag) {
    char hr[512], c_out[512], l_out[512];
    snprintf(hr, sizeof hr, "%s/applicants.csv", g_tmp);
    snprintf(c_out, sizeof c_out, "%s/out-c-%s", g_tmp, tag);
    snprintf(l_out, sizeof l_out, "%s/out-%s", g_tmp, tag);
    FILE *f = fopen(hr, "wb");
    CHECK(f && fwrite(applicants, 1, sizeof applicants - 1, f) == sizeof applicants - 1);
    if (f) fclose(f);
    CHECK(setlocale(category, "C") != NULL);
    CHECK(scan_to(hr, c_out));
    CHECK(setlocale(category, name) != NULL);
    CHECK(scan_to(hr, l_out));
    CHECK(setlocale(category, "C") != NULL);
    static const char *const files[] = {"subjects.jsonl", "findings.jsonl", "clusters.jsonl", "subjects.csv",
                                        "findings.csv"};
    for (size_t i = 0; i < UM_ARRAY_LEN(files); i++) {
        char a[600], b[600];
        snprintf(a, sizeof a, "%s/%s", c_out, files[i]);
        snprintf(b, sizeof b, "%s/%s", l_out, files[i]);
        size_t na = 0, nb = 0;
        char *x = slurp(a, &na), *y = slurp(b, &nb);
        bool same = x && y && na == nb && memcmp(x, y, na) == 0;
        if (!same) fprintf(stderr, "%s differs between the C and the %s locale\n", files[i], name);
        CHECK(same);
        free(x);
        free(y);
    }
}

static void test_scan_same(void) {
    const char *tr = setlocale(LC_CTYPE, NULL);
    char tr_name[64];
    snprintf(tr_name, sizeof tr_name, "%s", tr ? tr : "");
    CHECK_INTEQ(tolower('I'), 0xFD);
    scan_compare(LC_CTYPE, tr_name, "tr");
    CHECK(setlocale(LC_CTYPE, tr_name) != NULL);
    /* the two spellings of each address are one value: a shared e-mail */
    size_t n = 0;
    char *subj = NULL;
    char p[320];
    snprintf(p, sizeof p, "%s/out-c-tr/findings.jsonl", g_tmp);
    subj = slurp(p, &n);
    CHECK(subj && strstr(subj, "irina.kim@example.com") != NULL);
    free(subj);
}

/* The matches of two names screened against a one-entry OFAC file, as text. */
static void screen_text(const char *ofac_dir, const char *const names[2], char *out, size_t cap) {
    char dd[1024];
    snprintf(dd, sizeof dd, "%s/data", um_t_src());
    um_screener_options o = {0};
    o.data_dir = dd;
    o.ofac_dir = ofac_dir;
    o.index_file = "";
    um_screener *s = NULL;
    out[0] = 0;
    CHECK_INTEQ(um_screener_open(&s, &o), UM_OK);
    size_t len = 0;
    for (int k = 0; k < 2 && s; k++) {
        um_screen_query q = {0};
        q.name = names[k];
        um_screen_result *r = NULL;
        if (um_screen_name(s, &q, &r) != UM_OK) continue;
        for (size_t i = 0; i < um_screen_result_count(r) && len < cap; i++) {
            const um_screen_match *m = um_screen_result_match(r, i);
            if (strcmp(m->uid, "99997") != 0) continue;
            int n = um_snprintf(out + len, cap - len, "%s|%s|%s|%.3f\n", m->uid, m->matched_name, m->alias_kind, m->score);
            if (n > 0) len += (size_t)n;
        }
        um_screen_result_free(r);
    }
    um_screener_close(s);
}

static void test_lists_same(void) {
    char dir[512], path[600];
    snprintf(dir, sizeof dir, "%s/ofac", g_tmp);
    CHECK(mkdir(dir, 0700) == 0);
    snprintf(path, sizeof path, "%s/sdn.csv", dir);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    fputs("99997,\"PAK, Myong Ho (\xEB\xB0\x95\xEB\xAA\x85\xED\x98\xB8)\",\"individual\",\"DPRK3\",-0- ,-0- ,-0- ,-0- ,"
          "-0- ,-0- ,-0- ,\"DOB 01 Jan 1970.\"\r\n",
          f);
    fclose(f);
    snprintf(path, sizeof path, "%s/alt.csv", dir);
    f = fopen(path, "wb");
    if (f) fclose(f);
    const char *const names[2] = {"Pak Myong Ho", "\xEB\xB0\x95\xEB\xAA\x85\xED\x98\xB8"};
    char in_c[1024], in_tr[1024];
    const char *tr = setlocale(LC_CTYPE, NULL);
    char tr_name[64];
    snprintf(tr_name, sizeof tr_name, "%s", tr ? tr : "");
    CHECK(isalpha(0xEB)); /* the locale is in force: a UTF-8 lead byte is a letter */
    screen_text(dir, names, in_tr, sizeof in_tr);
    CHECK(setlocale(LC_CTYPE, "C") != NULL);
    screen_text(dir, names, in_c, sizeof in_c);
    CHECK(setlocale(LC_CTYPE, tr_name) != NULL);
    /* the bracketed spelling is an alias of its own: the Latin name is
     * "PAK, Myong Ho", found exactly */
    CHECK(strncmp(in_c, "99997|PAK, Myong Ho|primary|1.000\n", 34) == 0);
    CHECK_STREQ(in_tr, in_c);
}

/* ---- under a locale with a decimal comma ------------------------------------ */

/* what the library prints and reads, in the calling thread's locale */
static void *c_numbers(void *arg) {
    int *bad = arg;
    char t[64];
    um_snprintf(t, sizeof t, "%.2f %g %.17g %e", 6.9, 0.5, 0.1, 1500.0);
    *bad += strcmp(t, "6.90 0.5 0.10000000000000001 1.500000e+03") != 0;
    char *end = NULL;
    *bad += um_strtod("1.5", &end) != 1.5 || *end != 0;
    *bad += um_strtod("2,5", &end) != 2.0 || *end != ',';
    um_buf b;
    um_buf_init(&b);
    um_buf_printf(&b, "\"weight\":%.2f", 14.97);
    *bad += strcmp(b.s, "\"weight\":14.97") != 0;
    um_buf_free(&b);
    um_arena a;
    um_arena_init(&a);
    const char *s = um_arena_printf(&a, "score=%.2f", 0.93);
    *bad += !s || strcmp(s, "score=0.93") != 0;
    um_arena_free(&a);
    FILE *f = tmpfile();
    if (f) {
        um_fprintf(f, "%5.1f%%", 42.25);
        rewind(f);
        *bad += !fgets(t, sizeof t, f) || strcmp(t, " 42.2%") != 0;
        fclose(f);
    } else {
        (*bad)++;
    }
    return NULL;
}

static void test_decimal_comma(void) {
    char t[32];
    snprintf(t, sizeof t, "%.2f", 6.9);
    CHECK_STREQ(t, "6,90"); /* the locale is in force */
    char *end = NULL;
    CHECK(strtod("1.5", &end) == 1.0 && *end == '.');
    int bad = 0;
    c_numbers(&bad);
    CHECK_INTEQ(bad, 0);
    /* a thread the program starts follows the global locale too */
    int tbad = 0;
    pthread_t th;
    CHECK(pthread_create(&th, NULL, c_numbers, &tbad) == 0 && pthread_join(th, NULL) == 0);
    CHECK_INTEQ(tbad, 0);
    /* the calling thread's locale is given back */
    snprintf(t, sizeof t, "%.1f", 2.5);
    CHECK_STREQ(t, "2,5");
}

static void test_scan_decimal_comma(void) { scan_compare(LC_ALL, "de_DE.UTF-8", "de"); }

int main(int argc, char **argv) {
    (void)argc, (void)argv;
    RUN(test_c_table);
    if (um_t_fail) return um_t_report();
    if (!make_locale() || !setlocale(LC_CTYPE, "tr_TR.ISO-8859-9")) {
        printf("tr_TR.ISO-8859-9 or de_DE.UTF-8 could not be made (localedef, package locales): parts 2, 3 skipped\n");
        um_t_report();
        if (g_tmp[0]) um_os_get()->remove_tree(um_os_get()->ud, g_tmp);
        return 77;
    }
    RUN(test_helpers);
    RUN(test_scan_same);
    RUN(test_lists_same);
    CHECK(setlocale(LC_ALL, "C") != NULL);
    if (!setlocale(LC_ALL, "de_DE.UTF-8")) {
        fprintf(stderr, "de_DE.UTF-8 was made but cannot be set\n");
        um_t_fail++;
    } else {
        RUN(test_decimal_comma);
        RUN(test_scan_decimal_comma);
    }
    setlocale(LC_ALL, "C");
    um_os_get()->remove_tree(um_os_get()->ud, g_tmp);
    return um_t_report();
}
