/*
 * test_sigma_cache.c - the compiled-database cache of the Sigma engine
 * (src/sigma/hscache.h): a cold compile writes the file, a warm one reads
 * every database from it and matches the same; a damaged, truncated,
 * foreign, hostile (checksum fixed up over garbage), symlinked, shared-
 * writable or misplaced cache file is ignored and rewritten, never a crash
 * and never a different match; a changed pack gets its own file.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../harness.h"
#include "sigma/sigma.h"
#include "util/util.h"

static const char rules[] =
    "title: AnyDesk started\nid: r1\n"
    "logsource: {product: windows, category: process_creation}\n"
    "detection:\n  sel:\n    Image|endswith: '\\AnyDesk.exe'\n"
    "  cmd:\n    CommandLine|contains: ['--silent', 'remote-support', '/S /V']\n  condition: sel or cmd\n"
    "---\n"
    "title: TeamViewer as a target\nid: r2\n"
    "logsource: {product: windows, category: process_access}\n"
    "detection:\n  sel:\n    TargetImage|endswith: '\\TeamViewer.exe'\n  condition: sel\n"
    "---\n"
    "title: a keyword\nid: r3\n"
    "logsource: {product: windows, category: process_creation}\n"
    "detection:\n  kw:\n    - 'rustdesk'\n  condition: kw\n";

#define KV(n, v) {n, sizeof(n) - 1, v, sizeof(v) - 1}
static const um_sigma_kv ev1[] = {KV("EventID", "1"), KV("Channel", "Microsoft-Windows-Sysmon/Operational"),
                                  KV("Image", "C:\\Users\\x\\Downloads\\anydesk.EXE")};
static const um_sigma_kv ev2[] = {KV("EventID", "1"), KV("Channel", "Microsoft-Windows-Sysmon/Operational"),
                                  KV("Image", "C:\\x\\setup.exe"), KV("CommandLine", "setup.exe /S /V")};
static const um_sigma_kv ev3[] = {KV("winlog.event_id", "10"),
                                  KV("winlog.provider_name", "Microsoft-Windows-Sysmon"),
                                  KV("winlog.event_data.TargetImage", "C:\\Program Files\\TeamViewer\\TeamViewer.exe")};
static const um_sigma_kv ev4[] = {KV("EventID", "1"), KV("Channel", "Microsoft-Windows-Sysmon/Operational"),
                                  KV("Image", "C:\\tools\\RustDesk.exe")};
static const um_sigma_kv ev5[] = {KV("EventID", "1"), KV("Channel", "Microsoft-Windows-Sysmon/Operational"),
                                  KV("Image", "C:\\Windows\\notepad.exe")};

static char dir[256], file[512];

static int on_hit(void *ud, const um_sigma_hit *h) {
    unsigned *mask = ud;
    *mask |= 1u << (h->rule & 15);
    return 0;
}

/* Bit i*4+rule for event i: what the compiled pack matches. */
static unsigned long matches(um_sigma_db *db) {
    const um_sigma_kv *evs[] = {ev1, ev2, ev3, ev4, ev5};
    size_t ns[] = {3, 4, 3, 3, 3};
    unsigned long all = 0;
    um_sigma_scratch *s = NULL;
    if (um_sigma_scratch_new(db, &s) != UM_OK) return 0;
    for (int i = 0; i < 5; i++) {
        unsigned m = 0;
        um_sigma_event ev = {evs[i], ns[i], 0, NULL};
        if (um_sigma_match(db, s, &ev, on_hit, &m) != UM_OK) m = 0xf;
        all |= (unsigned long)(m & 0xf) << (4 * i);
    }
    um_sigma_scratch_free(s);
    return all;
}

/* Compiles text with the cache in dir; *st gets what the cache did. */
static unsigned long compile(const char *text, size_t len, um_sigma_cache_stats *st, const char *cdir) {
    um_sigma_compiler *c = NULL;
    um_sigma_db *db = NULL;
    unsigned long m = 0;
    memset(st, 0, sizeof *st);
    if (um_sigma_compiler_new(&c) == UM_OK && um_sigma_compiler_set_cache(c, cdir) == UM_OK &&
        um_sigma_add_text(c, "mem.yml", text, len) == UM_OK && um_sigma_compile(c, &db) == UM_OK) {
        m = matches(db);
        um_sigma_compiler_cache_stats(c, st);
    }
    um_sigma_db_free(db);
    um_sigma_compiler_free(c);
    return m;
}

static char *slurp(const char *p, size_t *len) {
    FILE *f = fopen(p, "rb");
    if (!f) return NULL;
    char *b = malloc(1 << 22);
    *len = b ? fread(b, 1, 1 << 22, f) : 0;
    fclose(f);
    return b;
}

static void spit(const char *p, const char *b, size_t len, mode_t mode) {
    unlink(p);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return;
    if (len && write(fd, b, len) != (ssize_t)len) CHECK(!"write");
    close(fd);
    chmod(p, mode);
}

static unsigned long want;
static size_t ndb;
static char *good;
static size_t goodlen;

/* After damage: the compile matches the same, rebuilds, and rewrites a file
 * the next compile reads entirely. */
static void expect_rebuilt(const char *what) {
    um_sigma_cache_stats st;
    unsigned long m = compile(rules, sizeof rules - 1, &st, dir);
    if (m != want) fprintf(stderr, "damage '%s': matches differ\n", what);
    CHECK(m == want);
    CHECK_INTEQ(st.misses, ndb);
    CHECK(st.written);
    m = compile(rules, sizeof rules - 1, &st, dir);
    CHECK(m == want);
    CHECK_INTEQ(st.hits, ndb);
    CHECK_INTEQ(st.misses, 0);
}

static void put64(char *p, uint64_t v) { memcpy(p, &v, 8); }
static uint64_t get64(const char *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* The checksum as hscache.c makes it: the body, seeded with the header. */
static void fixsum(char *b, size_t len) { put64(b + 24, um_hash64(b + 32, len - 32, um_hash64(b, 24, get64(b + 8)))); }

static void test_cold_warm(void) {
    um_sigma_cache_stats st;
    want = compile(rules, sizeof rules - 1, &st, NULL);
    /* r1 on ev1 and ev2, r2 on ev3, r3 on ev4, nothing on ev5 */
    CHECK(want == ((1ul << 0) | (1ul << 4) | (2ul << 8) | (4ul << 12)));
    CHECK_INTEQ(st.hits + st.misses, 0);
    unsigned long m = compile(rules, sizeof rules - 1, &st, dir);
    CHECK(m == want);
    CHECK(st.misses > 0);
    CHECK_INTEQ(st.hits, 0);
    CHECK(st.written);
    CHECK(!st.rejected);
    ndb = st.misses;
    m = compile(rules, sizeof rules - 1, &st, dir);
    CHECK(m == want);
    CHECK_INTEQ(st.hits, ndb);
    CHECK_INTEQ(st.misses, 0);
    CHECK(!st.written); /* nothing new: the file is left alone */
    /* find the file (its name carries the pack digest) */
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (!strncmp(e->d_name, "sigma-", 6)) snprintf(file, sizeof file, "%s/%s", dir, e->d_name);
    if (d) closedir(d);
    CHECK(file[0] != 0);
    good = slurp(file, &goodlen);
    CHECK(good && goodlen > 64);
}

static void test_damage(void) {
    if (!good) return;
    char *b = malloc(goodlen);
    if (!b) return;
    /* one byte flipped anywhere: the checksum */
    for (size_t off = 0; off < goodlen; off += goodlen / 7 + 1) {
        memcpy(b, good, goodlen);
        b[off] ^= 0x5a;
        spit(file, b, goodlen, 0600);
        expect_rebuilt("flipped byte");
    }
    /* truncated, empty, garbage */
    spit(file, good, goodlen / 2, 0600);
    expect_rebuilt("half");
    spit(file, good, 20, 0600);
    expect_rebuilt("20 bytes");
    spit(file, good, 0, 0600);
    expect_rebuilt("empty");
    for (size_t i = 0; i < goodlen; i++) b[i] = (char)(i * 131 + 7);
    spit(file, b, goodlen, 0600);
    expect_rebuilt("garbage");
    /* hostile: the checksum recomputed over damaged content (the file's own
     * environment key is the checksum's seed) */
    uint64_t env = get64(good + 8);
    for (size_t off = 32 + 24 + 40; off < goodlen; off += goodlen / 5 + 1) {
        memcpy(b, good, goodlen);
        for (size_t k = off; k < off + 64 && k < goodlen; k++) b[k] = (char)~b[k];
        fixsum(b, goodlen);
        spit(file, b, goodlen, 0600);
        um_sigma_cache_stats st;
        unsigned long m = compile(rules, sizeof rules - 1, &st, dir);
        /* vectorscan checks its bytecode's CRC when deserializing: the
         * damaged database is compiled again, the others are read */
        CHECK(m == want);
        CHECK(st.misses >= 1);
        CHECK_INTEQ(st.hits + st.misses, ndb);
        CHECK(st.written);
        spit(file, good, goodlen, 0600);
    }
    /* entry count and lengths out of range, checksum fixed up */
    memcpy(b, good, goodlen);
    put64(b + 16, UINT64_MAX / 3);
    fixsum(b, goodlen);
    spit(file, b, goodlen, 0600);
    expect_rebuilt("entry count");
    memcpy(b, good, goodlen);
    put64(b + 32 + 16, UINT64_MAX - 8);
    fixsum(b, goodlen);
    spit(file, b, goodlen, 0600);
    expect_rebuilt("entry length");
    memcpy(b, good, goodlen);
    put64(b + 8, env ^ 1); /* another vectorscan or machine */
    spit(file, b, goodlen, 0600);
    expect_rebuilt("environment");
    /* writable by others: not trusted */
    spit(file, good, goodlen, 0666);
    expect_rebuilt("mode 0666");
    struct stat sb;
    CHECK(stat(file, &sb) == 0 && (sb.st_mode & 077) == 0);
    /* a symbolic link to a valid file: not followed */
    char other[600];
    snprintf(other, sizeof other, "%s/elsewhere", dir);
    spit(other, good, goodlen, 0600);
    unlink(file);
    CHECK(symlink(other, file) == 0);
    expect_rebuilt("symlink");
    CHECK(lstat(file, &sb) == 0 && S_ISREG(sb.st_mode));
    unlink(other);
    /* a folder in its place: compiled, not written, no crash */
    unlink(file);
    CHECK(mkdir(file, 0700) == 0);
    um_sigma_cache_stats st;
    CHECK(compile(rules, sizeof rules - 1, &st, dir) == want);
    CHECK(st.rejected);
    CHECK(!st.written);
    rmdir(file);
    spit(file, good, goodlen, 0600);
    /* a cache folder that cannot be made: compiled, no crash */
    char bad[600];
    snprintf(bad, sizeof bad, "%s/no/such/dir", dir);
    CHECK(compile(rules, sizeof rules - 1, &st, bad) == want);
    CHECK(!st.written);
    free(b);
}

static void test_other_pack(void) {
    /* the same pack with one more rule: a file of its own, the shared
     * databases need not be the same (the pattern ids move) */
    static const char more[] = "---\ntitle: extra\nid: r4\n"
                               "logsource: {product: windows, category: process_access}\n"
                               "detection:\n  sel:\n    TargetImage|contains: 'lsass'\n  condition: sel\n";
    char *both = malloc(sizeof rules + sizeof more);
    if (!both) return;
    memcpy(both, rules, sizeof rules - 1);
    memcpy(both + sizeof rules - 1, more, sizeof more);
    char stale[600];
    snprintf(stale, sizeof stale, "%s/.sigma-0.hsdb.tmp.999999999", dir); /* a killed writer's */
    spit(stale, "x", 1, 0600);
    um_sigma_cache_stats st;
    unsigned long m = compile(both, strlen(both), &st, dir);
    CHECK(m == want);
    CHECK(st.written);
    CHECK(access(stale, F_OK) != 0);
    CHECK(st.misses > 0);
    m = compile(both, strlen(both), &st, dir);
    CHECK(m == want);
    CHECK_INTEQ(st.misses, 0);
    /* the first pack's file is still whole */
    m = compile(rules, sizeof rules - 1, &st, dir);
    CHECK(m == want);
    CHECK_INTEQ(st.misses, 0);
    free(both);
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/um-sigma-cache.XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_cold_warm);
    RUN(test_damage);
    RUN(test_other_pack);
    free(good);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2]))) continue;
        char p[600];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (unlink(p) != 0) rmdir(p);
    }
    if (d) closedir(d);
    CHECK(rmdir(dir) == 0);
    return um_t_report();
}
