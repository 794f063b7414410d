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

um_status um_scan_write_outputs(um_scan *s, const char *dir) {
    if (!s->rank) {
        um_scan_set_error(s, "scan has not run");
        return UM_EINVAL;
    }
    const um_os *os = um_os_get();
    if (os->mkdir(os->ud, dir) != 0) {
        um_scan_set_error(s, "cannot create %s: %s", dir, strerror(errno));
        return UM_EIO;
    }
    os->remove_stale_temps(os->ud, dir); /* left by a killed earlier run */
    um_status st = um_sink_jsonl(s, dir);
    if (st == UM_OK) st = um_sink_csv(s, dir);
    if (st == UM_OK) st = um_sink_sqlite(s, dir);
    return st;
}
