/* outdir.c - the output folder: created, stale temporaries removed, every
 * registered sink (src/sink/sinks.def) run in order. */
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
    um_status st = UM_OK;
    for (size_t i = 0; i < um_sink_count() && st == UM_OK; i++) st = um_sink_at(i)->write(s, dir);
    return st;
}
