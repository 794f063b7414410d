/*
 * test_screen_index.c - the compiled screening index file (src/screen/
 * idxfile.c, screen.c): written at the first open, memory-mapped at the
 * next with the same results, rebuilt when a list file changes, and
 * rebuilt - never trusted, never a crash - when the file is truncated,
 * extended, of another version, or corrupted anywhere (a flipped byte at
 * many offsets, a section table that disagrees with a valid checksum).
 * Works on small fixture lists in a temporary folder.
 */
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "util/util.h"
#include "unmask.h"

static char dir[256], ofac[300], un[300], idx[300];

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

static const char *SDN = "99999,\"SONG, Kum Hyok\",\"individual\",\"DPRK4\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"
                         "\"DOB 01 Jan 1990; nationality Korea, North.\"\r\n"
                         "99998,\"KOREA RYONBONG GENERAL CORPORATION\",-0- ,\"DPRK\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n"
                         "99997,\"IVANOV, Sergei Petrovich\",\"individual\",\"RUSSIA-EO14024\",-0- ,-0- ,-0- ,-0- ,-0- ,"
                         "-0- ,-0- ,\"DOB 1970.\"\r\n";

static um_screener *open_idx(const char **state) {
    char dd[1024];
    snprintf(dd, sizeof dd, "%s/data", um_t_src());
    um_screener_options o = {0};
    o.data_dir = dd;
    o.ofac_dir = ofac;
    o.un_xml = un;
    o.index_file = idx;
    um_screener *s = NULL;
    um_status st = um_screener_open(&s, &o);
    if (st != UM_OK) fprintf(stderr, "open: %s\n", um_screener_errmsg(s));
    CHECK_INTEQ(st, UM_OK);
    um_screener_index_info(s, NULL, state, NULL);
    return s;
}

/* the matches of a few queries as one string (uid, score, explanation) */
static void answers(um_screener *s, um_buf *b) {
    static const char *q[] = {"Song Kum-hyok", "Ryonbong General Corp", "Sergey Ivanov", "Kim Min-jun", "Sung Kum Hyuk"};
    for (size_t i = 0; i < sizeof q / sizeof *q; i++) {
        um_screen_query sq = {0};
        sq.name = q[i];
        sq.threshold = 0.5;
        um_screen_result *r = NULL;
        CHECK_INTEQ(um_screen_name(s, &sq, &r), UM_OK);
        for (size_t k = 0; k < um_screen_result_count(r); k++) {
            const um_screen_match *m = um_screen_result_match(r, k);
            char t[64];
            snprintf(t, sizeof t, "|%s %.3f ", m->uid, m->score);
            um_buf_adds(b, t);
            um_buf_adds(b, m->explanation);
            um_buf_adds(b, m->also_listed);
            um_buf_adds(b, m->listed);
        }
        um_buf_addc(b, '\n');
        um_screen_result_free(r);
    }
    um_screen_result *r = NULL;
    CHECK_INTEQ(um_screen_identifier(s, "email", "nobody@example.com", &r), UM_OK);
    um_screen_result_free(r);
}

static size_t file_size(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 ? (size_t)st.st_size : 0;
}

static unsigned char *slurp(const char *p, size_t *n) {
    FILE *f = fopen(p, "rb");
    if (!f) return NULL;
    *n = file_size(p);
    unsigned char *b = malloc(*n + 1);
    if (b && fread(b, 1, *n, f) != *n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    return b;
}

static void spit(const char *p, const unsigned char *b, size_t n) {
    FILE *f = fopen(p, "wb");
    CHECK(f != NULL);
    if (!f) return;
    CHECK(fwrite(b, 1, n, f) == n);
    fclose(f);
}

/* the file as damaged must be refused and rebuilt with the same answers */
static void expect_rebuilt(const char *what, const char *want) {
    const char *state = NULL;
    um_screener *s = open_idx(&state);
    if (!s) return;
    if (strcmp(state, "built and written") != 0) fprintf(stderr, "%s: state %s\n", what, state);
    CHECK_STREQ(state, "built and written");
    um_buf b;
    um_buf_init(&b);
    answers(s, &b);
    if (strcmp(b.s ? b.s : "", want) != 0) fprintf(stderr, "%s: answers differ\n", what);
    CHECK_STREQ(b.s ? b.s : "", want);
    um_buf_free(&b);
    um_screener_close(s);
}

static void t_index(void) {
    snprintf(dir, sizeof dir, "/tmp/um_test_screen_index.%ld", (long)getpid());
    snprintf(ofac, sizeof ofac, "%s/ofac", dir);
    snprintf(un, sizeof un, "%s/un.xml", dir);
    snprintf(idx, sizeof idx, "%s/screen.idx", dir);
    CHECK(mkdir(dir, 0700) == 0);
    CHECK(mkdir(ofac, 0700) == 0);
    char p[400];
    snprintf(p, sizeof p, "%s/sdn.csv", ofac);
    write_file(p, SDN);
    snprintf(p, sizeof p, "%s/alt.csv", ofac);
    write_file(p, "99999,1,\"aka\",\"SONG, Geum-hyeok\",-0- \r\n");
    write_file(un, "<?xml version=\"1.0\"?><CONSOLIDATED_LIST dateGenerated=\"2026-01-02T00:00:00\"><INDIVIDUALS>"
                   "<INDIVIDUAL><DATAID>1</DATAID><REFERENCE_NUMBER>KPi.999</REFERENCE_NUMBER><FIRST_NAME>KUM HYOK"
                   "</FIRST_NAME><SECOND_NAME>SONG</SECOND_NAME><UN_LIST_TYPE>DPRK</UN_LIST_TYPE>"
                   "<INDIVIDUAL_DATE_OF_BIRTH><YEAR>1990</YEAR></INDIVIDUAL_DATE_OF_BIRTH></INDIVIDUAL>"
                   "</INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>");

    /* built and written, then loaded: the same answers */
    const char *state = NULL;
    um_screener *s = open_idx(&state);
    CHECK_STREQ(state, "built and written");
    um_buf want;
    um_buf_init(&want);
    answers(s, &want);
    CHECK(want.s && strstr(want.s, "|99999 ") != NULL);
    CHECK(want.s && strstr(want.s, "|99998 ") != NULL);
    CHECK(want.s && strstr(want.s, "UN KPi.999") != NULL); /* the party link survives */
    size_t entries0 = 0, names0 = 0;
    um_screener_size(s, &entries0, &names0);
    size_t nlists0 = um_screener_list_count(s);
    um_screener_close(s);
    CHECK(file_size(idx) > 64);
    s = open_idx(&state);
    CHECK_STREQ(state, "loaded");
    double ms = -1;
    um_screener_index_info(s, NULL, NULL, &ms);
    CHECK(ms >= 0);
    um_buf got;
    um_buf_init(&got);
    answers(s, &got);
    CHECK_STREQ(got.s ? got.s : "", want.s ? want.s : "-");
    um_buf_free(&got);
    size_t entries = 0, names = 0;
    um_screener_size(s, &entries, &names);
    CHECK(entries == entries0 && names == names0);
    CHECK(um_screener_list_count(s) == nlists0);
    CHECK(nlists0 > 0 && um_screener_list(s, 0)->date != NULL);
    um_screener_close(s);

    /* a list file changed: stale, rebuilt, the new entry found */
    snprintf(p, sizeof p, "%s/sdn.csv", ofac);
    um_buf b2;
    um_buf_init(&b2);
    um_buf_adds(&b2, SDN);
    um_buf_adds(&b2, "99996,\"PAEK, Sol Ju\",\"individual\",\"DPRK3\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n");
    write_file(p, b2.s);
    um_buf_free(&b2);
    s = open_idx(&state);
    CHECK_STREQ(state, "built and written");
    um_screen_query q = {0};
    q.name = "Paek Sol-ju";
    um_screen_result *r = NULL;
    CHECK_INTEQ(um_screen_name(s, &q, &r), UM_OK);
    CHECK(um_screen_result_count(r) == 1 && strcmp(um_screen_result_match(r, 0)->uid, "99996") == 0);
    um_screen_result_free(r);
    um_screener_close(s);
    write_file(p, SDN); /* back, and rebuilt again */
    s = open_idx(&state);
    CHECK_STREQ(state, "built and written");
    um_screener_close(s);

    /* damage: every way is refused and rebuilt with the same answers */
    size_t n = 0;
    unsigned char *good = slurp(idx, &n);
    CHECK(good != NULL && n > 200);
    if (!good) return;
    spit(idx, good, 0);
    expect_rebuilt("empty", want.s);
    spit(idx, good, 20);
    expect_rebuilt("header cut", want.s);
    for (int k = 1; k < 8; k++) {
        spit(idx, good, n * (size_t)k / 8);
        expect_rebuilt("truncated", want.s);
    }
    unsigned char *big = malloc(n + 4096);
    if (big) {
        memcpy(big, good, n);
        memset(big + n, 0x41, 4096);
        spit(idx, big, n + 4096);
        expect_rebuilt("extended", want.s);
        free(big);
    }
    unsigned char *bad = malloc(n);
    CHECK(bad != NULL);
    if (bad) {
        /* a byte flipped at offsets across the file, header included */
        for (size_t off = 0; off < n; off += n / 23 + 1) {
            memcpy(bad, good, n);
            bad[off] ^= 0x5a;
            spit(idx, bad, n);
            expect_rebuilt("flipped byte", want.s);
        }
        /* another format version */
        memcpy(bad, good, n);
        bad[8] ^= 1;
        spit(idx, bad, n);
        expect_rebuilt("version", want.s);
        /* a section table that disagrees with the counts, under a valid
         * checksum (XXH3 of bytes [40, size), idxfile.c): refused by the
         * loader's own checks */
        memcpy(bad, good, n);
        uint64_t len;
        memcpy(&len, bad + 40 + 8, 8); /* length of section 0 */
        len += 8;
        memcpy(bad + 40 + 8, &len, 8);
        uint64_t ck = um_hash64(bad + 40, n - 40, 0);
        memcpy(bad + 32, &ck, 8);
        spit(idx, bad, n);
        expect_rebuilt("section table", want.s);
        /* posting lists pointing past the names, under a valid checksum:
         * the last 4 bytes of the file belong to the last section (the key
         * lookup table) */
        memcpy(bad, good, n);
        memset(bad + n - 4, 0xff, 4);
        ck = um_hash64(bad + 40, n - 40, 0);
        memcpy(bad + 32, &ck, 8);
        spit(idx, bad, n);
        expect_rebuilt("out-of-range ids", want.s);
        free(bad);
    }
    free(good);

    /* a folder that cannot take the file: built in memory, still answers */
    snprintf(idx, sizeof idx, "%s/no/such/folder/screen.idx", dir);
    s = open_idx(&state);
    CHECK_STREQ(state, "built (not written)");
    um_buf got2;
    um_buf_init(&got2);
    answers(s, &got2);
    CHECK_STREQ(got2.s ? got2.s : "", want.s ? want.s : "-");
    um_buf_free(&got2);
    um_screener_close(s);
    um_buf_free(&want);

    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

int main(void) {
    RUN(t_index);
    return um_t_report();
}
