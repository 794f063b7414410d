/* test_sigbus.c - the SIGBUS guard for mapped files (um_sigbus_guard,
 * um_os.guard_sigbus / map / unmap in src/os/os.h; src/core/lines.c). One
 * program, in this order, as the guard is process-wide:
 *
 * 1. um_sigbus_guard(0) before anything is mapped: a scan that keeps
 *    journals and a second one that replays them (--add) install no SIGBUS
 *    handler and map nothing (files read), with the same results.
 * 2. um_sigbus_guard(1), a seam whose guard_sigbus counts its calls: the
 *    library installs the guard through it once; a SIGBUS that is not a
 *    fault in the library's mappings (raise) reaches the program's handler
 *    installed before; turning the guard off now is refused.
 * 3. A journal cut short by "another process" after the library mapped it
 *    for the replay (a seam whose map truncates the file on its second
 *    mapping: journal_usable maps it first) makes the scan fail with
 *    UM_EIO and a message that says so; before, the process died of SIGBUS.
 * 4. The same for a JSON events file read by `rules match`
 *    (um_sigma_read_file): one more reject that says why.
 * 5. A log input the scan maps to read line by line (src/core/lines.c,
 *    through the seam's map) cut short after it was mapped: the scan ends
 *    (the rest read through the FILE, or an error that says so), no crash.
 * 6. The screening index file (src/screen/idxfile.c) cut short after it was
 *    mapped, before its check: refused as cut short and rebuilt (written
 *    again, loaded on the next open), and the screener answers; before, it
 *    was mapped outside the seam and a cut killed the process.
 */
#include "core/internal.h"
#include "harness.h"
#include "os/os.h"
#include "sigma/input.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unmask.h"

static char g_dir[64], g_case[128], g_data[4096], g_logs[4096];
static struct sigaction g_start; /* SIGBUS as the program started */

static bool scan(const char *case_dir, bool add, um_status *st, char *err, size_t cap) {
    um_ctx_options opt = {0};
    opt.data_dir = g_data;
    um_ctx *ctx = NULL;
    um_scan *s = NULL;
    *st = um_ctx_open(&ctx, &opt);
    if (*st == UM_OK) *st = um_scan_new(ctx, &s);
    if (*st == UM_OK) *st = add ? um_scan_add_case(s, case_dir, true) : um_scan_keep_journal(s, case_dir, true);
    if (*st == UM_OK && !add) *st = um_scan_add_path(s, g_logs, NULL);
    if (*st == UM_OK) *st = um_scan_run(s, NULL, NULL);
    if (*st == UM_OK) *st = um_scan_write_outputs(s, case_dir);
    snprintf(err, cap, "%s", *st == UM_OK ? "" : s ? um_scan_errmsg(s) : ctx ? um_ctx_errmsg(ctx) : "?");
    um_scan_free(s);
    um_ctx_close(ctx);
    return *st == UM_OK;
}

static long file_size(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void test_opt_out(void) {
    CHECK_INTEQ(um_sigbus_guard(0), UM_OK);
    um_status st;
    char err[512];
    CHECK(scan(g_case, false, &st, err, sizeof err));
    char subj[256];
    snprintf(subj, sizeof subj, "%s/subjects.jsonl", g_case);
    long first = file_size(subj);
    CHECK(first > 0);
    CHECK(scan(g_case, true, &st, err, sizeof err)); /* journals replayed, read into memory */
    if (st != UM_OK) fprintf(stderr, "replay: %s\n", err);
    CHECK_INTEQ(file_size(subj), first);
    struct sigaction cur; /* nothing installed: what there was at the start (SIG_DFL, or ASan's) */
    CHECK(sigaction(SIGBUS, NULL, &cur) == 0);
    CHECK(cur.sa_flags == g_start.sa_flags && (void *)cur.sa_sigaction == (void *)g_start.sa_sigaction);
    CHECK(!um_lines_guard());
    /* an input is not mapped with the guard off */
    char p[256];
    snprintf(p, sizeof p, "%s/probe.txt", g_dir);
    FILE *f = fopen(p, "w+");
    CHECK(f && fputs("one line\n", f) >= 0 && fflush(f) == 0);
    um_lines_map m;
    CHECK(f && !um_lines_map_fd(&m, f, fileno(f), UINT64_MAX));
    if (f) fclose(f);
}

static int n_guard;
static bool (*g_on_fault)(void *);
static int counting_guard(void *ud, bool (*on_fault)(void *addr)) {
    n_guard++;
    g_on_fault = on_fault;
    return um_os_default()->guard_sigbus(ud, on_fault);
}

static volatile sig_atomic_t g_prog_bus;
static void prog_handler(int sig, siginfo_t *si, void *uc) {
    (void)sig, (void)uc;
    if (si && si->si_code > 0) { /* a real fault passed on: die of it (returning would fault again) */
        static const char msg[] = "test_sigbus: a fault in a mapping reached the program's handler\n";
        (void)!write(2, msg, sizeof msg - 1);
        signal(SIGBUS, SIG_DFL);
        return;
    }
    g_prog_bus = 1;
}

static void test_through_seam(void) {
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = prog_handler;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(SIGBUS, &sa, &old) == 0); /* the program's, before the library's */
    CHECK_INTEQ(um_sigbus_guard(1), UM_OK);
    um_os os = *um_os_default();
    os.guard_sigbus = counting_guard;
    const um_os *prev = um_os_install(&os);
    CHECK(um_lines_guard());
    CHECK(um_lines_guard());
    CHECK_INTEQ(n_guard, 1);
    CHECK(g_on_fault != NULL && !g_on_fault((void *)&n_guard)); /* not in a mapping being read */
    struct sigaction cur;
    CHECK(sigaction(SIGBUS, NULL, &cur) == 0);
    CHECK((cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction != prog_handler); /* the library's */
    raise(SIGBUS); /* not a fault in a mapping: passed on */
    CHECK_INTEQ(g_prog_bus, 1);
    CHECK_INTEQ(um_sigbus_guard(0), UM_EINVAL); /* installed: it stays */
    CHECK_INTEQ(um_sigbus_guard(1), UM_OK);
    um_os_install(prev);
}

/* map: the default's, and the second mapping of a journal file is followed
 * by the file being cut to two pages, as another process could */
static int n_journal_maps, n_cut;
static const void *cutting_map(void *ud, int fd, size_t len, uint64_t off) {
    const void *p = um_os_default()->map(ud, fd, len, off);
    char link[64], path[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (p && n > 0) {
        path[n] = 0;
        if (strstr(path, "/journal/") && strstr(path, "winlog") && ++n_journal_maps == 2 && len > 3 * 4096) {
            CHECK(truncate(path, 2 * 4096) == 0);
            n_cut++;
        }
    }
    return p;
}

static void test_journal_cut(void) {
    um_os os = *um_os_default();
    os.map = cutting_map;
    const um_os *prev = um_os_install(&os);
    um_status st;
    char err[512];
    CHECK(!scan(g_case, true, &st, err, sizeof err));
    um_os_install(prev);
    CHECK_INTEQ(n_cut, 1);
    CHECK_INTEQ(st, UM_EIO);
    CHECK(strstr(err, "was cut short while it was read") != NULL);
    if (!strstr(err, "cut short")) fprintf(stderr, "error: %s\n", err);
}

static const char *g_cut_path;
static const void *cut_first_map(void *ud, int fd, size_t len, uint64_t off) {
    const void *p = um_os_default()->map(ud, fd, len, off);
    if (p && g_cut_path && len > 3 * 4096) {
        CHECK(truncate(g_cut_path, 2 * 4096) == 0);
        n_cut++;
        g_cut_path = NULL;
    }
    return p;
}

static int n_records, n_rejects_cut;
static int on_record(void *ud, const um_sigma_record *rec, const char *file, uint64_t line, const char *why) {
    (void)ud, (void)file, (void)line;
    if (rec) n_records++;
    else if (why && strstr(why, "cut short")) n_rejects_cut++;
    return 0;
}

static void test_events_cut(void) {
    char path[128];
    snprintf(path, sizeof path, "%s/events.jsonl", g_dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    for (int i = 0; f && i < 400; i++)
        fprintf(f, "{\"EventID\":4624,\"Channel\":\"Security\",\"Computer\":\"host%03d\",\"TargetUserName\":\"u%d\"}\n",
                i, i);
    if (f) fclose(f);
    n_cut = 0;
    g_cut_path = path;
    um_os os = *um_os_default();
    os.map = cut_first_map;
    const um_os *prev = um_os_install(&os);
    um_sigma_input_stats st = {0};
    CHECK_INTEQ(um_sigma_read_file(path, on_record, NULL, &st), UM_OK);
    um_os_install(prev);
    CHECK_INTEQ(n_cut, 1);
    CHECK_INTEQ(n_rejects_cut, 1);
    CHECK(n_records > 0 && n_records < 400); /* the records before the cut */
}

/* map: the default's; the first whole-file mapping of g_cut_path is
 * followed by the file being cut to two pages */
static int n_whole_cut;
static const void *cut_whole_map(void *ud, int fd, size_t len, uint64_t off) {
    const void *p = um_os_default()->map(ud, fd, len, off);
    struct stat st;
    char link[64], path[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (p && g_cut_path && n > 0 && off == 0 && fstat(fd, &st) == 0 && (size_t)st.st_size == len && len > 3 * 4096) {
        path[n] = 0;
        if (strcmp(path, g_cut_path) == 0) {
            CHECK(truncate(g_cut_path, 2 * 4096) == 0);
            n_whole_cut++;
            g_cut_path = NULL;
        }
    }
    return p;
}

static void test_input_cut(void) {
    char path[PATH_MAX], in[256];
    snprintf(in, sizeof in, "%s/in", g_dir);
    CHECK(mkdir(in, 0700) == 0);
    snprintf(path, sizeof path, "%s/events.jsonl", in);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    for (int i = 0; f && i < 2000; i++)
        fprintf(f, "{\"EventID\":4624,\"Channel\":\"Security\",\"Computer\":\"host%03d\",\"TargetUserName\":\"u%d\"}\n",
                i % 50, i);
    if (f) fclose(f);
    char real[PATH_MAX];
    CHECK(realpath(path, real) != NULL);
    g_cut_path = real;
    n_whole_cut = 0;
    um_os os = *um_os_default();
    os.map = cut_whole_map;
    const um_os *prev = um_os_install(&os);
    um_ctx_options opt = {0};
    opt.data_dir = g_data;
    um_ctx *ctx = NULL;
    um_scan *s = NULL;
    um_status st = um_ctx_open(&ctx, &opt);
    if (st == UM_OK) st = um_scan_new(ctx, &s);
    if (st == UM_OK) st = um_scan_add_path(s, path, NULL);
    if (st == UM_OK) st = um_scan_run(s, NULL, NULL);
    const char *err = st == UM_OK ? "" : s ? um_scan_errmsg(s) : "?";
    CHECK(st == UM_OK || strstr(err, "cut short") != NULL);
    if (st != UM_OK) fprintf(stderr, "scan: %s\n", err);
    um_scan_free(s);
    um_ctx_close(ctx);
    um_os_install(prev);
    g_cut_path = NULL;
    CHECK_INTEQ(n_whole_cut, 1); /* mapped through the seam */
}

static um_status open_screener(const char *idx, const char **state, bool *found) {
    um_screener_options o = {0};
    o.data_dir = g_data;
    o.index_file = idx;
    um_screener *s = NULL;
    um_status st = um_screener_open(&s, &o);
    *state = "";
    *found = false;
    if (st == UM_OK) {
        const char *path = NULL, *stt = NULL;
        um_screener_index_info(s, &path, &stt, NULL);
        *state = stt && strcmp(stt, "loaded") == 0 ? "loaded" : stt && strcmp(stt, "built and written") == 0 ? "written" : "other";
        um_screen_query q = {0};
        q.name = "Kim Jong Un";
        um_screen_result *r = NULL;
        if (um_screen_name(s, &q, &r) == UM_OK)
            for (size_t i = 0; i < um_screen_result_count(r); i++)
                *found |= strcmp(um_screen_result_match(r, i)->uid, "20157") == 0;
        um_screen_result_free(r);
    } else {
        fprintf(stderr, "screener: %s\n", s ? um_screener_errmsg(s) : "?");
    }
    um_screener_close(s);
    return st;
}

static void test_index_cut(void) {
    char idx[PATH_MAX];
    snprintf(idx, sizeof idx, "%s/screen.idx", g_dir);
    const char *state;
    bool found;
    CHECK_INTEQ(open_screener(idx, &state, &found), UM_OK);
    CHECK_STREQ(state, "written");
    CHECK(found);
    long size = file_size(idx);
    CHECK(size > 3 * 4096);
    CHECK_INTEQ(open_screener(idx, &state, &found), UM_OK); /* control: the file is good */
    CHECK_STREQ(state, "loaded");
    char real[PATH_MAX];
    CHECK(realpath(idx, real) != NULL);
    g_cut_path = real;
    n_whole_cut = 0;
    um_os os = *um_os_default();
    os.map = cut_whole_map;
    const um_os *prev = um_os_install(&os);
    CHECK_INTEQ(open_screener(idx, &state, &found), UM_OK);
    um_os_install(prev);
    g_cut_path = NULL;
    CHECK_INTEQ(n_whole_cut, 1);
    CHECK_STREQ(state, "written"); /* refused after the cut, rebuilt */
    CHECK(found);
    CHECK_INTEQ(file_size(idx), size);
    CHECK_INTEQ(open_screener(idx, &state, &found), UM_OK);
    CHECK_STREQ(state, "loaded");
}

int main(void) {
    if (sigaction(SIGBUS, NULL, &g_start) != 0) return 1;
    snprintf(g_dir, sizeof g_dir, "/tmp/unmask-test-sigbus-XXXXXX");
    if (!mkdtemp(g_dir)) return 1;
    snprintf(g_case, sizeof g_case, "%s/case", g_dir);
    snprintf(g_data, sizeof g_data, "%s/data", um_t_src());
    snprintf(g_logs, sizeof g_logs, "%s/examples/demo/logs", um_t_src());
    RUN(test_opt_out);
    RUN(test_through_seam);
    RUN(test_journal_cut);
    RUN(test_events_cut);
    RUN(test_input_cut);
    RUN(test_index_cut);
    um_os_get()->remove_tree(um_os_get()->ud, g_dir);
    return um_t_report();
}
