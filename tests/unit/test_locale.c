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
 *    Exit 77 (skipped) when localedef or the locale's sources are missing
 *    (scripts/install-deps.sh --test installs `locales`).
 */
#include "harness.h"
#include "os/os.h"
#include "util/ascii.h"
#include "util/util.h"

#include <ctype.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static char g_tmp[64];

static bool make_locale(void) {
    snprintf(g_tmp, sizeof g_tmp, "/tmp/unmask-test-locale-XXXXXX");
    if (!mkdtemp(g_tmp)) return false;
    char cmd[256];
    snprintf(cmd, sizeof cmd,
             "command -v localedef >/dev/null && localedef -i tr_TR -f ISO-8859-9 '%s/tr_TR.ISO-8859-9' >/dev/null 2>&1",
             g_tmp);
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

static void test_scan_same(void) {
    char hr[128], c_out[128], tr_out[128];
    snprintf(hr, sizeof hr, "%s/applicants.csv", g_tmp);
    snprintf(c_out, sizeof c_out, "%s/out-c", g_tmp);
    snprintf(tr_out, sizeof tr_out, "%s/out-tr", g_tmp);
    FILE *f = fopen(hr, "wb");
    CHECK(f && fwrite(applicants, 1, sizeof applicants - 1, f) == sizeof applicants - 1);
    if (f) fclose(f);
    const char *tr = setlocale(LC_CTYPE, NULL);
    char tr_name[64];
    snprintf(tr_name, sizeof tr_name, "%s", tr ? tr : "");
    CHECK(setlocale(LC_CTYPE, "C") != NULL);
    CHECK(scan_to(hr, c_out));
    CHECK(setlocale(LC_CTYPE, tr_name) != NULL);
    CHECK_INTEQ(tolower('I'), 0xFD);
    CHECK(scan_to(hr, tr_out));
    CHECK(setlocale(LC_CTYPE, "C") != NULL);
    static const char *const files[] = {"subjects.jsonl", "findings.jsonl", "clusters.jsonl", "subjects.csv",
                                        "findings.csv"};
    for (size_t i = 0; i < UM_ARRAY_LEN(files); i++) {
        char a[256], b[256];
        snprintf(a, sizeof a, "%s/%s", c_out, files[i]);
        snprintf(b, sizeof b, "%s/%s", tr_out, files[i]);
        size_t na = 0, nb = 0;
        char *x = slurp(a, &na), *y = slurp(b, &nb);
        bool same = x && y && na == nb && memcmp(x, y, na) == 0;
        if (!same) fprintf(stderr, "%s differs between the C and the tr_TR.ISO-8859-9 locale\n", files[i]);
        CHECK(same);
        free(x);
        free(y);
    }
    /* the two spellings of each address are one value: a shared e-mail */
    size_t n = 0;
    char *subj = NULL;
    char p[256];
    snprintf(p, sizeof p, "%s/findings.jsonl", c_out);
    subj = slurp(p, &n);
    CHECK(subj && strstr(subj, "irina.kim@example.com") != NULL);
    free(subj);
}

int main(int argc, char **argv) {
    (void)argc, (void)argv;
    RUN(test_c_table);
    if (um_t_fail) return um_t_report();
    if (!make_locale() || !setlocale(LC_CTYPE, "tr_TR.ISO-8859-9")) {
        printf("tr_TR.ISO-8859-9 could not be made (localedef, package locales): part 2 skipped\n");
        um_t_report();
        if (g_tmp[0]) um_os_get()->remove_tree(um_os_get()->ud, g_tmp);
        return 77;
    }
    RUN(test_helpers);
    RUN(test_scan_same);
    um_os_get()->remove_tree(um_os_get()->ud, g_tmp);
    return um_t_report();
}
