/* outdir.c - the output folder: stale temporaries removed, sinks run. */
#include "scan.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <signal.h>

/* Removes temporary files a killed earlier run left in dir (".NAME.tmp.PID",
 * with SQLite's -wal/-shm companions), when process PID is gone. */
static void remove_stale_temps(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *t = strstr(e->d_name, ".tmp.");
        if (e->d_name[0] != '.' || !t) continue;
        char *end;
        long pid = strtol(t + 5, &end, 10);
        if (pid <= 0 || (*end && strcmp(end, "-wal") && strcmp(end, "-shm") && strcmp(end, "-journal")))
            continue;
        if (pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
        char *p = NULL;
        if (asprintf(&p, "%s/%s", dir, e->d_name) >= 0) unlink(p);
        free(p);
    }
    closedir(d);
}

um_status um_scan_write_outputs(um_scan *s, const char *dir) {
    if (!s->rank) {
        um_scan_set_error(s, "scan has not run");
        return UM_EINVAL;
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        um_scan_set_error(s, "cannot create %s: %s", dir, strerror(errno));
        return UM_EIO;
    }
    remove_stale_temps(dir);
    um_status st = um_sink_jsonl(s, dir);
    if (st == UM_OK) st = um_sink_csv(s, dir);
    if (st == UM_OK) st = um_sink_sqlite(s, dir);
    return st;
}
