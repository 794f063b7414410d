/* test_os.c - the OS seam (src/os/os.h): the library reaches the
 * environment, child processes and output files only through the installed
 * um_os, so a test can replace it. */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "os/os.h"
#include "unmask.h"

static int n_getenv, n_spawn, n_mkdir, n_write, n_stream, n_stale;
static const um_os *real;

static const char *fake_getenv(void *ud, const char *name) {
    (void)ud;
    n_getenv++;
    if (strcmp(name, "UNMASK_DATA_DIR") == 0) return "/nonexistent/unmask-fake-data";
    /* the counts below are the outputs' (the rule cache: test_sigma_cache) */
    if (strcmp(name, "UNMASK_RULE_CACHE") == 0) return "off";
    return real->getenv(real->ud, name);
}

static int failing_spawn(void *ud, const um_os_limits *lim, const um_os_child *c, const char *arg, int *read_fd,
                         long *child) {
    (void)ud, (void)lim, (void)c, (void)arg, (void)read_fd, (void)child;
    n_spawn++;
    errno = EAGAIN;
    return -1;
}

static int counting_mkdir(void *ud, const char *path) {
    (void)ud;
    n_mkdir++;
    return real->mkdir(real->ud, path);
}

static int counting_write(void *ud, const char *dir, const char *name, const void *data, size_t len, char *err,
                          size_t cap) {
    (void)ud;
    n_write++;
    return real->write_atomic(real->ud, dir, name, data, len, err, cap);
}

static int counting_stream(void *ud, const char *dir, const char *name, um_os_chunk_fn next, void *arg, char *err,
                           size_t cap) {
    (void)ud;
    n_stream++;
    return real->write_stream(real->ud, dir, name, next, arg, err, cap);
}

static void counting_stale(void *ud, const char *dir) {
    (void)ud;
    n_stale++;
    real->remove_stale_temps(real->ud, dir);
}

static um_os fake(void) {
    um_os o = *real;
    o.getenv = fake_getenv;
    o.spawn_isolated = failing_spawn;
    o.mkdir = counting_mkdir;
    o.write_atomic = counting_write;
    o.write_stream = counting_stream;
    o.remove_stale_temps = counting_stale;
    return o;
}

/* The data folder comes from the seam's environment, not the process's. */
static void test_env_through_seam(void) {
    um_os o = fake();
    um_os_install(&o);
    um_ctx *ctx = NULL;
    um_status st = um_ctx_open(&ctx, NULL);
    CHECK_INTEQ(st, UM_ENOTFOUND);
    CHECK(strstr(um_ctx_errmsg(ctx), "/nonexistent/unmask-fake-data") != NULL);
    CHECK(n_getenv >= 1);
    um_ctx_close(ctx);
    um_os_install(NULL);
    CHECK(um_os_get() == um_os_default());
}

/* A child process that cannot be started makes the EVTX file a counted
 * reject, never a crash or a scan error; outputs go through the seam. */
static void test_spawn_failure_is_reject(void) {
    char data[4096], evtx[4096], root[512], out[600];
    const char *src = um_t_src();
    snprintf(data, sizeof data, "%s/data", src);
    snprintf(evtx, sizeof evtx, "%s/tests/data/evtx/DE_RDP_Tunneling_4624.evtx", src);
    /* the output folder inside a folder of its own: the scan's lock file
     * (.out.lock, kept beside it) goes with it */
    CHECK(um_t_mkdtemp(root, sizeof root, "unmask-test-os") != NULL);
    snprintf(out, sizeof out, "%s/out", root);
    CHECK(mkdir(out, 0700) == 0);
    um_os o = fake();
    um_os_install(&o);
    um_ctx_options opt = {0};
    opt.data_dir = data;
    um_ctx *ctx = NULL;
    um_scan *s = NULL;
    CHECK_INTEQ(um_ctx_open(&ctx, &opt), UM_OK);
    CHECK_INTEQ(um_scan_new(ctx, &s), UM_OK);
    CHECK_INTEQ(um_scan_add_path(s, evtx, NULL), UM_OK);
    CHECK_INTEQ(um_scan_run(s, NULL, NULL), UM_OK);
    CHECK_INTEQ(n_spawn, 1);
    CHECK_INTEQ(um_scan_reject_count(s), 1);
    const um_reject_info *r = um_scan_reject(s, 0);
    CHECK(r && strstr(r->reason, "cannot start the EVTX reader process") != NULL);
    CHECK_INTEQ(um_scan_write_outputs(s, out), UM_OK);
    CHECK_INTEQ(n_mkdir, 1);
    CHECK_INTEQ(n_stale, 1);
    CHECK(n_stream >= 5); /* subjects/findings/clusters .jsonl and the CSVs, piece by piece */
    um_scan_free(s);
    um_ctx_close(ctx);
    um_os_install(NULL);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    CHECK(system(cmd) == 0);
}

int main(void) {
    real = um_os_default();
    RUN(test_env_through_seam);
    RUN(test_spawn_failure_is_reject);
    return um_t_report();
}
