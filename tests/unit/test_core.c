/* test_core.c - time parsing, CSV, canonical forms, scoring, JSON escaping, lines. */
#include "core/scan.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"
#include "util/csv.h"
#include "util/json.h"
#include "util/util.h"

static void t_time(void) {
    int64_t us;
    int tz;
    bool has;
    CHECK(um_time_parse_iso("2024-08-13T15:58:20.353Z", 24, &us, &tz, &has));
    CHECK_INTEQ(us, 1723564700353000LL);
    CHECK(has && tz == 0);
    CHECK(um_time_parse_iso("2022-01-24T00:10:08-05:00", 25, &us, &tz, &has));
    CHECK_INTEQ(tz, -300);
    char out[40];
    um_time_format(us, out, sizeof out);
    CHECK_STREQ(out, "2022-01-24T05:10:08.000000Z");
    CHECK(um_time_parse_iso("2019-05-16 01:38:19.616", 23, &us, NULL, &has));
    CHECK(!has);
    CHECK(!um_time_parse_iso("2017-09-31T00:00:00Z", 20, &us, NULL, NULL)); /* no Sept 31 */
    CHECK(!um_time_parse_iso("2023-02-29T00:00:00Z", 20, &us, NULL, NULL));
    CHECK(um_time_parse_iso("2024-02-29T00:00:00Z", 20, &us, NULL, NULL));
    CHECK(!um_time_parse_iso("2024-01-01T25:00:00Z", 20, &us, NULL, NULL));
    CHECK(!um_time_parse_iso("yesterday", 9, &us, NULL, NULL));
    CHECK(um_time_parse_git("Tue Nov 3 10:20:30 2020 +0900", 29, &us, &tz));
    CHECK_INTEQ(tz, 540);
    um_time_format(us, out, sizeof out);
    CHECK_STREQ(out, "2020-11-03T01:20:30.000000Z");
    CHECK(um_time_parse_epoch("1588317684.5", 12, &us));
    CHECK_INTEQ(us, 1588317684500000LL);
}

/* um_time_format writes its digits itself: the same text as gmtime_r and
 * snprintf (its former body) over a spread of times, leap days, era and
 * year boundaries and negative times included. */
static void t_time_format(void) {
    int64_t fixed[] = {0,
                       -1,
                       1,
                       951782400LL * 1000000,             /* 2000-02-29 */
                       951868799LL * 1000000 + 999999,    /* 2000-02-29T23:59:59.999999 */
                       4107542400LL * 1000000,            /* 2100-03-01 */
                       -62167219200LL * 1000000,          /* 0000-01-01 */
                       -62167219200LL * 1000000 - 1,      /* the year -1: printf's form */
                       253402300799LL * 1000000 + 999999, /* 9999-12-31T23:59:59.999999 */
                       253402300800LL * 1000000,          /* 10000-01-01: five digits */
                       -11644473600LL * 1000000,          /* 1601-01-01 (FILETIME's epoch) */
                       1723564700353000LL};
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    int bad = 0;
    for (int i = 0; i < 200000; i++) {
        int64_t us;
        if (i < (int)UM_ARRAY_LEN(fixed)) us = fixed[i];
        else {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            /* years about -300 to 10300; every fifth near now */
            us = i % 5 ? (int64_t)(x % (330000000000ULL * 1000000)) - 71000000000LL * 1000000
                       : 1500000000LL * 1000000 + (int64_t)(x % (400000000ULL * 1000000));
        }
        char got[40], want[96];
        size_t n = um_time_format(us, got, sizeof got);
        time_t secs = (time_t)(us >= 0 ? us / 1000000 : (us - 999999) / 1000000);
        struct tm tm;
        gmtime_r(&secs, &tm);
        snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long)(us - (int64_t)secs * 1000000));
        if (strcmp(got, want) != 0 || n != strlen(want)) {
            if (bad++ < 5) fprintf(stderr, "  time %lld: got %s want %s\n", (long long)us, got, want);
        }
    }
    CHECK_INTEQ(bad, 0);
    char small[8];
    CHECK_INTEQ(um_time_format(0, small, sizeof small), 7); /* truncated as snprintf truncates */
    CHECK_STREQ(small, "1970-01");
    char none[4];
    CHECK_INTEQ(um_time_format(UM_TIME_NONE, none, sizeof none), 1);
    CHECK_STREQ(none, "-");
}

static void t_csv(void) {
    const char *text = "\xEF\xBB\xBFid,name,note\r\n1,\"Kim, Jong\",\"a \"\"q\"\"\nline\"\n\n2,x\n3,\"bad\"x,y\n4,z,w\n";
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    um_csv c;
    um_csv_init(&c, f, ',');
    size_t nf;
    const char *why;
    CHECK_INTEQ(um_csv_next(&c, &nf, &why), UM_CSV_RECORD);
    CHECK_INTEQ(nf, 3);
    CHECK_STREQ(c.fields[0], "id");
    CHECK_INTEQ(um_csv_next(&c, &nf, &why), UM_CSV_RECORD);
    CHECK_STREQ(c.fields[1], "Kim, Jong");
    CHECK_STREQ(c.fields[2], "a \"q\"\nline");
    CHECK_INTEQ(c.line, 2);
    CHECK_INTEQ(um_csv_next(&c, &nf, &why), UM_CSV_RECORD);
    CHECK_INTEQ(nf, 2); /* ragged: the reader decides */
    CHECK_INTEQ(c.line, 5);
    CHECK_INTEQ(um_csv_next(&c, &nf, &why), UM_CSV_BAD);
    CHECK_INTEQ(um_csv_next(&c, &nf, &why), UM_CSV_RECORD);
    CHECK_STREQ(c.fields[0], "4");
    CHECK_INTEQ(c.line, 7);
    CHECK_INTEQ(um_csv_next(&c, &nf, &why), UM_CSV_EOF);
    um_csv_free(&c);
    fclose(f);
}

static void t_canon(void) {
    um_arena a;
    um_arena_init(&a);
    CHECK_STREQ(um_canon_email(&a, " John.Doe+jobs@GMail.com "), "johndoe@gmail.com");
    CHECK(um_canon_email(&a, "not an email") == NULL);
    CHECK_STREQ(um_canon_phone(&a, "(609) 459-0680"), "+16094590680");
    CHECK_STREQ(um_canon_phone(&a, "+62 857-3217-2769"), "+6285732172769");
    CHECK(um_canon_phone(&a, "call me") == NULL);
    CHECK_STREQ(um_canon_wallet(&a, "0x5C411CB174C2E163F6465252AE895F3E3E5A8792"),
                "0x5c411cb174c2e163f6465252ae895f3e3e5a8792");
    CHECK_STREQ(um_canon_wallet(&a, "1HmqvgSXUVES1jn4TQPzk9dxo1NE8wim2T"), "1HmqvgSXUVES1jn4TQPzk9dxo1NE8wim2T");
    CHECK_STREQ(um_canon_handle(&a, "https://github.com/PonyJackal/"), "ponyjackal");
    CHECK_STREQ(um_canon_handle(&a, "@ETHFuji"), "ethfuji");
    CHECK_STREQ(um_canon_address(&a, "1200 N. Main Street, Apt #4"), "1200 n main st apt apt 4");
    CHECK_STREQ(um_canon_address(&a, "1200 North Main St Apartment 4"), "1200 n main st apt 4");
    CHECK_STREQ(um_country_code("United States"), "US");
    CHECK_STREQ(um_country_code("kr"), "KR");
    CHECK(um_country_code("Atlantis") == NULL);
    CHECK_STREQ(um_country_code("Austin, TX"), "US");
    CHECK_STREQ(um_country_code("Portland, Oregon 97201"), "US");
    CHECK_STREQ(um_country_code("Toronto, Canada"), "CA");
    CHECK_STREQ(um_country_code("Seoul, South Korea"), "KR");
    CHECK(um_country_code("Springfield, Nowhere") == NULL);
    int m;
    CHECK(um_tz_offset("America/New_York", &m) && m == -300);
    CHECK(um_tz_offset("UTC+9", &m) && m == 540);
    CHECK(um_tz_offset("-05:00", &m) && m == -300);
    CHECK(um_tz_offset("America/Vancouver", &m) && m == -480);
    CHECK(!um_tz_offset("Mars/Olympus", &m));
    um_arena_free(&a);
}

/* Small blocks on pointer alignment are packed (not rounded to 16), and
 * the maps' 24-byte slots keep keys with embedded bytes and equal low
 * hash halves apart. */
static void t_arena_map(void) {
    um_arena a;
    um_arena_init(&a);
    (void)um_arena_strdup(&a, "abc"); /* the next block starts off 8 */
    char *p = um_arena_alloc_aligned(&a, 24, 8), *q = um_arena_alloc_aligned(&a, 24, 8);
    CHECK(p && q && ((uintptr_t)p & 7) == 0 && ((uintptr_t)q & 7) == 0);
    CHECK_INTEQ(q - p, 24);
    char *r = um_arena_alloc_aligned(&a, 3, 0); /* 0: max_align_t */
    CHECK(r && ((uintptr_t)r & (sizeof(max_align_t) - 1)) == 0);
    um_arena_free(&a);
    CHECK_INTEQ(sizeof(um_map_slot), 3 * sizeof(void *));
    um_map m;
    um_map_init(&m);
    char k[32];
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(k, sizeof k, "key=%d", i);
        bool created;
        um_map_slot *sl = um_map_upsert(&m, k, (size_t)n, &created);
        CHECK(sl && created);
        if (sl) sl->val = (void *)(intptr_t)(i + 1);
    }
    CHECK_INTEQ(m.len, 5000);
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(k, sizeof k, "key=%d", i);
        CHECK_INTEQ((intptr_t)um_map_get(&m, k, (size_t)n), i + 1);
    }
    CHECK(um_map_get(&m, "key=5000", 8) == NULL);
    CHECK(um_map_get(&m, "key=1\0", 6) == NULL); /* the length is compared */
    um_map_free(&m);
}

/* um_calloc_table: 2 MiB-aligned, zeroed, writable to its last byte, for
 * sizes below and above one huge page; overflow refused. */
static void t_calloc_table(void) {
    static const size_t sizes[][2] = {{1, 1}, {1u << 15, 64}, {(1u << 16) + 3, 80}};
    for (size_t k = 0; k < UM_ARRAY_LEN(sizes); k++) {
        size_t n = sizes[k][0], sz = sizes[k][1];
        unsigned char *p = um_calloc_table(n, sz);
        CHECK(p != NULL);
        if (!p) continue;
        CHECK(((uintptr_t)p & ((2u << 20) - 1)) == 0);
        size_t nz = 0;
        for (size_t i = 0; i < n * sz; i += 4096) nz += p[i] != 0;
        CHECK_INTEQ(nz + p[n * sz - 1], 0);
        memset(p, 0xab, n * sz);
        CHECK_INTEQ(p[n * sz - 1], 0xab);
        um_free_table(p, n, sz);
    }
    CHECK(um_calloc_table(SIZE_MAX / 8, 16) == NULL);
    um_free_table(NULL, 1, 1);
}

static um_finding mk(const char *ind, um_strength s, int w, unsigned flags) {
    um_finding f;
    memset(&f, 0, sizeof f);
    f.info.indicator = ind;
    f.info.weight = w;
    f.strength = s;
    f.flags = flags;
    return f;
}

static void t_score(void) {
    int score;
    um_level lv;
    um_finding a = mk("NET-01", UM_WEAK, 15, 0), b = mk("TM-02", UM_WEAK, 10, 0),
               c = mk("EP-04", UM_WEAK, 10, UM_F_CORROBORATE_ONLY), d = mk("NET-06", UM_WEAK, 10, 0);
    const um_finding *weak[] = {&a, &b, &c, &d};
    um_score_subject(weak, 4, &score, &lv);
    CHECK_INTEQ(lv, UM_LEVEL_CLEAN); /* weak findings alone never reach review */
    CHECK(score < 30);
    um_finding e = mk("EP-02", UM_MEDIUM, 25, 0);
    const um_finding *m1[] = {&e, &a};
    um_score_subject(m1, 2, &score, &lv);
    CHECK_INTEQ(score, 40);
    CHECK_INTEQ(lv, UM_LEVEL_REVIEW);
    um_finding s1 = mk("EP-01", UM_STRONG, 50, 0), s2 = mk("EP-01", UM_STRONG, 50, 0);
    const um_finding *st[] = {&s1, &s2, &e};
    um_score_subject(st, 3, &score, &lv);
    CHECK_INTEQ(score, 75); /* one indicator counts once */
    CHECK_INTEQ(lv, UM_LEVEL_HIGH);
    const um_finding *only_c[] = {&c};
    um_score_subject(only_c, 1, &score, &lv);
    CHECK_INTEQ(score, 0); /* corroborate-only counts for nothing alone */
}

static void t_json_escape(void) {
    um_buf b;
    um_buf_init(&b);
    um_buf_add_json(&b, "a\"b\\c\n\x01\xff<\xe2\x80\xa8>");
    CHECK_STREQ(b.s, "\"a\\\"b\\\\c\\n\\u0001\\ufffd<\\u2028>\"");
    um_buf_free(&b);
}

static void t_csv_cell(void) {
    um_buf b;
    um_buf_init(&b);
    um_csv_cell(&b, "=HYPERLINK(\"http://x\",\"y\")");
    CHECK_STREQ(b.s, "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
    um_buf_reset(&b);
    um_csv_cell(&b, "@SUM(A1)");
    CHECK_STREQ(b.s, "\"'@SUM(A1)\"");
    um_buf_reset(&b);
    um_csv_cell(&b, "-2+3");
    CHECK_STREQ(b.s, "\"'-2+3\"");
    um_buf_reset(&b);
    um_csv_cell(&b, "Kim, Jong\nUn");
    CHECK_STREQ(b.s, "\"Kim, Jong\nUn\"");
    um_buf_reset(&b);
    um_csv_cell(&b, "plain");
    CHECK_STREQ(b.s, "plain");
    um_buf_free(&b);
}

static void t_strstr_ci(void) {
    const char *h = "Microsoft-Windows-Sysmon/Operational";
    CHECK(um_strstr_ci(h, "sysmon") == h + 18);
    CHECK(um_strstr_ci(h, "SYSMON/OPERATIONAL") == h + 18);
    CHECK(um_strstr_ci(h, "m") == h);
    CHECK(um_strstr_ci(h, "") == h);
    CHECK(um_strstr_ci(h, "operationalx") == NULL); /* runs past the end */
    CHECK(um_strstr_ci("aaab", "aab") != NULL);    /* a partial match before the real one */
    CHECK(um_strstr_ci("VID_1234&PID_9", "pid_") != NULL);
    CHECK(um_strstr_ci(NULL, "x") == NULL);
    CHECK(um_strstr_ci("Kernel-PnP", "kernel-pnp/") == NULL);
}

static void t_json(void) {
    um_json *p = um_json_new();
    const char *doc = "{\"a\":{\"b\":\"x\",\"b\":\"y\"},\"n\":\"42\",\"Key\":1,\"arr\":[1,2,3]}";
    char buf[256];
    memset(buf, 0, sizeof buf);
    memcpy(buf, doc, strlen(doc));
    um_jval root;
    const char *err;
    CHECK(um_json_parse(p, buf, strlen(doc), &root, &err) == 0);
    unsigned dups = 0;
    um_jval v = um_jpath(root, "a.b", &dups);
    CHECK_STREQ(um_jstr(v, NULL), "x");
    CHECK_INTEQ(dups, 1);
    int64_t n;
    CHECK(um_jint(um_jget(root, "n", NULL), &n) && n == 42);
    CHECK(um_jok(um_jget_ci(root, "key", NULL)));
    CHECK(!um_jok(um_jget(root, "key", NULL)));
    CHECK_INTEQ(um_jlen(um_jget(root, "arr", NULL)), 3);
    /* um_jmembers: in order, strings with their length, at most max listed */
    um_jmember m[8];
    CHECK_INTEQ(um_jmembers(root, m, 8), 4);
    CHECK(m[0].klen == 1 && !memcmp(m[0].key, "a", 1) && m[0].type == UM_J_OBJECT && !m[0].str);
    CHECK(m[1].type == UM_J_STRING && m[1].slen == 2 && !strcmp(m[1].str, "42"));
    CHECK(m[2].klen == 3 && m[2].type == UM_J_INT && um_jint(m[2].val, &n) && n == 1);
    CHECK(m[3].type == UM_J_ARRAY && um_jlen(m[3].val) == 3);
    CHECK_INTEQ(um_jmembers(m[0].val, m, 1), 2); /* both b's counted, the first listed */
    CHECK(!strcmp(m[0].str, "x"));
    CHECK_INTEQ(um_jmembers(um_jget(root, "arr", NULL), m, 8), 0);
    CHECK_INTEQ(um_jmembers(um_jget(root, "none", NULL), m, 8), 0);
    memcpy(buf, "{\"a\":", 5);
    buf[5] = 0;
    CHECK(um_json_parse(p, buf, 5, &root, &err) != 0);
    um_json_free(p);
}

static void t_lines(void) {
    const char text[] = "\nab\r\n{\"x\":1}\ntoolongline\nlast";
    FILE *f = fmemopen((void *)text, sizeof text - 1, "r");
    um_lines l;
    um_lines_init(&l, f, 8);
    const char *line;
    size_t n;
    bool tl;
    CHECK(um_lines_next(&l, &line, &n, &tl) && n == 0 && !tl);
    CHECK(um_lines_next(&l, &line, &n, &tl) && n == 2 && memcmp(line, "ab", 2) == 0 && line[2] == 0);
    CHECK(um_lines_next(&l, &line, &n, &tl) && n == 7 && strcmp(line, "{\"x\":1}") == 0);
    for (int i = 0; i < UM_JSON_PADDING; i++) CHECK(line[n + (size_t)i] == 0 || i > 64);
    CHECK(um_lines_next(&l, &line, &n, &tl) && tl && n == 0);
    CHECK_INTEQ(l.lineno, 4);
    CHECK(um_lines_next(&l, &line, &n, &tl) && !tl && strcmp(line, "last") == 0);
    CHECK_INTEQ(l.lineno, 5);
    CHECK(!um_lines_next(&l, &line, &n, &tl));
    CHECK_INTEQ(l.bytes, sizeof text - 1);
    um_lines_free(&l);
    fclose(f);
}

/* ---- lines from a mapped file (um_lines_allow_map) ---- */

typedef struct seen_buf {
    uint64_t start, next;
    const char *file; /* the file's bytes, to compare */
    bool ok;
} seen_buf;

static void seen_cb(void *ud, uint64_t off, const char *p, size_t n) {
    seen_buf *b = ud;
    if (off != b->next || memcmp(p, b->file + off, n) != 0) b->ok = false;
    b->next = off + n;
}

/* [off, end) of a file as a stream, positions being file offsets (as a part is read) */
typedef struct range_file {
    int fd;
    uint64_t pos, end, start;
} range_file;
static ssize_t range_read(void *c, char *out, size_t size) {
    range_file *k = c;
    if (k->pos >= k->end) return 0;
    if (size > k->end - k->pos) size = (size_t)(k->end - k->pos);
    ssize_t r = pread(k->fd, out, size, (off_t)k->pos);
    if (r > 0) k->pos += (uint64_t)r;
    return r;
}
static int range_seek(void *c, off64_t *off, int whence) {
    range_file *k = c;
    int64_t to = whence == SEEK_SET ? *off : whence == SEEK_CUR ? (int64_t)k->pos + *off : -1;
    if (to < 0) return -1;
    k->pos = (uint64_t)to;
    *off = to;
    return 0;
}
static int range_close(void *c) { return close(((range_file *)c)->fd); }

/* Every line of [start, end) of path as text (number, length, too long,
 * bytes), read through the stream or zero-copy; grow: bytes appended to the
 * file after it was mapped. */
static char *lines_dump(const char *path, uint64_t start, uint64_t end, bool map, size_t max, const char *grow,
                        seen_buf *seen) {
    range_file *k = calloc(1, sizeof *k);
    k->fd = open(path, O_RDONLY);
    k->pos = k->start = start;
    k->end = end;
    cookie_io_functions_t io = {range_read, NULL, range_seek, range_close};
    FILE *f = fopencookie(k, "rb", io);
    um_lines_map m;
    bool mapped = map && um_lines_map_fd(&m, f, k->fd, end);
    CHECK(mapped == map);
    if (mapped && seen) m.seen = seen_cb, m.ud = seen, seen->next = start, seen->ok = true;
    if (grow) {
        FILE *a = fopen(path, "ab");
        fputs(grow, a);
        fclose(a);
    }
    um_lines_map_use(mapped ? &m : NULL);
    um_lines l;
    um_lines_init(&l, f, max);
    um_lines_allow_map(&l);
    CHECK(!map || l.map);
    um_buf out;
    um_buf_init(&out);
    const char *line;
    size_t n;
    bool tl;
    while (um_lines_next(&l, &line, &n, &tl)) {
        um_buf_printf(&out, "%llu %zu %d [", (unsigned long long)l.lineno, n, tl);
        for (size_t i = 0; i < n; i++) um_buf_printf(&out, "%02x", (unsigned char)line[i]);
        um_buf_printf(&out, "]\n");
    }
    um_buf_printf(&out, "bytes %llu lines %llu\n", (unsigned long long)l.bytes, (unsigned long long)l.lineno);
    um_lines_map_use(NULL);
    um_lines_free(&l);
    fclose(f);
    free(k);
    if (mapped) um_lines_map_close(&m);
    return out.s;
}

static void t_lines_map(void) {
    char path[] = "/tmp/unmask-test-lines-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    unsigned seed = 12345;
    for (int variant = 0; variant < 6; variant++) {
        /* random lines: blank, CRLF, longer than max, NUL bytes; the last one
         * within the parser's padding of the end, with or without a newline */
        um_buf b;
        um_buf_init(&b);
        int nlines = 200 + variant * 50;
        for (int i = 0; i < nlines; i++) {
            seed = seed * 1103515245u + 12345u;
            size_t len = (seed >> 16) % (i % 17 == 0 ? 400 : 120);
            for (size_t k = 0; k < len; k++) {
                seed = seed * 1103515245u + 12345u;
                char c = (char)('a' + (seed >> 16) % 26);
                if ((seed >> 8) % 97 == 0) c = 0;
                um_buf_add(&b, &c, 1);
            }
            if (i % 5 == 0) um_buf_add(&b, "\r", 1);
            if (i + 1 < nlines || variant % 2 == 0) um_buf_add(&b, "\n", 1);
        }
        if (variant >= 4) um_buf_add(&b, "{\"tail\":1}\n", 11); /* a short line near the end */
        FILE *w = fopen(path, "wb");
        fwrite(b.s, 1, b.len, w);
        fclose(w);
        char *plain = lines_dump(path, 0, UINT64_MAX, false, 200, NULL, NULL);
        seen_buf sb = {0, 0, b.s, true};
        char *mapped = lines_dump(path, 0, UINT64_MAX, true, 200, NULL, &sb);
        CHECK_STREQ(mapped, plain);
        CHECK(sb.ok && sb.next > b.len / 2); /* the mapped bytes passed over, in order, once */
        free(plain), free(mapped);
        /* a part: from a newline in the middle to the newline after a later one */
        const char *nl1 = memchr(b.s + b.len / 3, '\n', b.len / 3);
        const char *nl2 = memchr(b.s + 2 * b.len / 3, '\n', b.len / 3);
        CHECK(nl1 && nl2);
        if (nl1 && nl2) {
            uint64_t s0 = (uint64_t)(nl1 - b.s), e0 = (uint64_t)(nl2 - b.s) + 1;
            plain = lines_dump(path, s0, e0, false, 200, NULL, NULL);
            mapped = lines_dump(path, s0, e0, true, 200, NULL, NULL);
            CHECK_STREQ(mapped, plain);
            free(plain), free(mapped);
        }
        /* a file growing while read: bytes past the mapped size through the stream */
        mapped = lines_dump(path, 0, UINT64_MAX, true, 200, "grown one\ngrown two\n", NULL);
        plain = lines_dump(path, 0, UINT64_MAX, false, 200, NULL, NULL);
        CHECK_STREQ(mapped, plain);
        CHECK(strstr(plain, "bytes ") != NULL);
        free(plain), free(mapped);
        um_buf_free(&b);
    }
    unlink(path);
}

/* A mapped file cut short while its lines are read: no SIGBUS, the rest
 * read as the file now is (here: nothing). */
static void t_lines_map_truncated(void) {
    char path[] = "/tmp/unmask-test-trunc-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    FILE *w = fdopen(fd, "wb");
    for (int i = 0; i < 20000; i++) fprintf(w, "{\"n\":%d,\"pad\":\"%080d\"}\n", i, i);
    fclose(w);
    FILE *f = fopen(path, "rb");
    um_lines_map m;
    CHECK(um_lines_map_fd(&m, f, fileno(f), UINT64_MAX));
    um_lines_map_use(&m);
    um_lines l;
    um_lines_init(&l, f, 4096);
    um_lines_allow_map(&l);
    CHECK(l.map != NULL);
    const char *line;
    size_t n;
    bool tl;
    for (int i = 0; i < 10; i++) CHECK(um_lines_next(&l, &line, &n, &tl) && n > 90);
    CHECK(truncate(path, 0) == 0);
    int more = 0;
    while (um_lines_next(&l, &line, &n, &tl)) more++;
    CHECK(more <= 1); /* at most the line the cut went through, as zeros */
    CHECK(l.map == NULL);
    um_lines_map_use(NULL);
    um_lines_free(&l);
    fclose(f);
    um_lines_map_close(&m);
    unlink(path);
}

/* um_lines_map_read over a mapping whose file is cut short meanwhile (the
 * journal's content hash): false, no SIGBUS; over an intact one: true. */
static void sum_bytes(void *ud, const char *p, size_t n) {
    for (size_t i = 0; i < n; i++) *(uint64_t *)ud += (unsigned char)p[i];
}

static void t_lines_map_read_truncated(void) {
    char path[] = "/tmp/unmask-test-trunc-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    enum { N = 3 << 16 };
    char *b = malloc(N);
    memset(b, 'x', N);
    CHECK(write(fd, b, N) == N);
    free(b);
    void *m = mmap(NULL, N, PROT_READ, MAP_PRIVATE, fd, 0);
    CHECK(m != MAP_FAILED);
    uint64_t sum = 0;
    CHECK(um_lines_map_read(m, N, sum_bytes, &sum));
    CHECK_INTEQ(sum, (uint64_t)N * 'x');
    CHECK(ftruncate(fd, 4096) == 0);
    sum = 0;
    CHECK(!um_lines_map_read(m, N, sum_bytes, &sum));
    CHECK_INTEQ(sum, (uint64_t)4096 * 'x'); /* the rest read as zeros */
    munmap(m, N);
    close(fd);
    unlink(path);
}

/* The content hash (um_thash): XXH3 of each 64 KiB block at its fixed
 * offset, then of the digests (8 bytes little-endian) in order - the same
 * digest whatever the pieces the bytes come in and however a file is cut
 * into parts (each part hashing the blocks that start in it, folded in
 * order), as threads.c's parts and journal.c's one-thread read rely on. */
static uint64_t thash_ref(const char *p, size_t n) {
    const uint64_t seed = 0x6a09e667f3bcc908ULL;
    size_t nb = (n + UM_HASH_BLOCK - 1) / UM_HASH_BLOCK;
    unsigned char *d = malloc(nb * 8 + 1);
    for (size_t b = 0; b < nb; b++) {
        size_t len = n - b * UM_HASH_BLOCK < UM_HASH_BLOCK ? n - b * UM_HASH_BLOCK : UM_HASH_BLOCK;
        uint64_t h = um_hash64(p + b * UM_HASH_BLOCK, len, seed);
        for (int i = 0; i < 8; i++) d[b * 8 + i] = (unsigned char)(h >> (8 * i));
    }
    uint64_t r = um_hash64(d, nb * 8, seed);
    free(d);
    return r;
}

static void t_thash(void) {
    const size_t B = UM_HASH_BLOCK;
    const size_t sizes[] = {0, 1, B - 1, B, B + 1, 5 * B + 123, 7 * B};
    char *buf = malloc(7 * B + 200);
    uint64_t x = 88172645463325252ULL;
    for (size_t i = 0; i < 7 * B + 200; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        buf[i] = (char)x;
    }
    uint64_t prev = 0;
    for (size_t si = 0; si < UM_ARRAY_LEN(sizes); si++) {
        size_t n = sizes[si];
        uint64_t want = thash_ref(buf, n);
        CHECK(si == 0 || want != prev); /* the digest depends on the bytes */
        prev = want;
        um_thash h;
        CHECK(um_thash_init(&h, 0, true)); /* whole */
        CHECK(um_thash_add(&h, buf, n) && um_thash_end(&h));
        CHECK_INTEQ(um_thash_digest(&h), want);
        um_thash_free(&h);
        CHECK(um_thash_init(&h, 0, true)); /* in uneven pieces */
        for (size_t at = 0, k = 1; at < n; at += k, k = k * 3 + 7)
            CHECK(um_thash_add(&h, buf + at, at + k <= n ? k : n - at));
        CHECK(um_thash_end(&h));
        CHECK_INTEQ(um_thash_digest(&h), want);
        um_thash_free(&h);
        /* parts cut at arbitrary offsets, each hashing the blocks that start
         * in [cut_i, cut_i+1), read past its end to its last block's end */
        const size_t cuts[] = {0, 17, B - 3, B, 3 * B + 5, 3 * B + 9, n};
        um_thash top;
        CHECK(um_thash_init(&top, 0, true));
        size_t lo = 0;
        for (size_t c = 1; c < UM_ARRAY_LEN(cuts); c++) {
            size_t end = cuts[c] < n ? cuts[c] : n;
            if (c + 1 == UM_ARRAY_LEN(cuts)) end = n;
            size_t from = lo == 0 ? 0 : (lo + B - 1) / B * B;
            size_t to = c + 1 == UM_ARRAY_LEN(cuts) ? n : (end + B - 1) / B * B;
            if (to > n) to = n;
            if (from > to) from = to;
            um_thash part;
            CHECK(um_thash_init(&part, from, false));
            CHECK(um_thash_add(&part, buf + from, to - from) && um_thash_end(&part));
            CHECK(um_thash_fold(&top, &part));
            um_thash_free(&part);
            if (end > lo) lo = end;
        }
        CHECK(um_thash_end(&top));
        CHECK_INTEQ(um_thash_digest(&top), want);
        um_thash_free(&top);
    }
    free(buf);
}

static void t_term_escape(void) {
    char b[64];
    CHECK_STREQ(um_term_escape("plain name", b, sizeof b), "plain name");
    CHECK_STREQ(um_term_escape("\x1b]0;pwned\x07x", b, sizeof b), "\\x1b]0;pwned\\x07x");
    CHECK_STREQ(um_term_escape("\x1b[2J", b, sizeof b), "\\x1b[2J");
    CHECK_STREQ(um_term_escape("a\tb\nc\rd\x7f", b, sizeof b), "a\\x09b\\x0ac\\x0dd\\x7f");
    CHECK_STREQ(um_term_escape("Kim \xea\xb9\x80 Jos\xc3\xa9", b, sizeof b), "Kim \xea\xb9\x80 Jos\xc3\xa9");
    CHECK_STREQ(um_term_escape("\xc2\x9b" "2J", b, sizeof b), "\\u009b2J");           /* C1 CSI */
    CHECK_STREQ(um_term_escape("a\xe2\x80\xaegnp.exe", b, sizeof b), "a\\u202egnp.exe"); /* RLO */
    CHECK_STREQ(um_term_escape("bad\xff\xc3", b, sizeof b), "bad\\xff\\xc3");
    CHECK_STREQ(um_term_escape("C:\\Users\\x", b, sizeof b), "C:\\Users\\x");
    CHECK_STREQ(um_term_escape(NULL, b, sizeof b), "");
    char s8[8];
    CHECK_STREQ(um_term_escape("abcdefgh", s8, sizeof s8), "abcd...");
    CHECK_STREQ(um_term_escape("abcdefg", s8, sizeof s8), "abcdefg");
    CHECK_STREQ(um_term_escape("\x1b\x1b", s8, sizeof s8), "\\x1b...");
    CHECK_STREQ(um_term_escape("ab\xea\xb9\x80\xea\xb9\x80", s8, sizeof s8), "ab..."); /* no split char */
    um_buf bb;
    um_buf_init(&bb);
    um_buf_add_term(&bb, "x\0y\x1b", 4);
    CHECK_STREQ(bb.s, "x\\x00y\\x1b");
    um_buf_free(&bb);
}

int main(void) {
    RUN(t_term_escape);
    RUN(t_strstr_ci);
    RUN(t_lines);
    RUN(t_lines_map);
    RUN(t_lines_map_truncated);
    RUN(t_lines_map_read_truncated);
    RUN(t_thash);
    RUN(t_time);
    RUN(t_time_format);
    RUN(t_csv);
    RUN(t_canon);
    RUN(t_arena_map);
    RUN(t_calloc_table);
    RUN(t_score);
    RUN(t_json_escape);
    RUN(t_csv_cell);
    RUN(t_json);
    return um_t_report();
}
