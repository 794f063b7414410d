/* status.c - status, level and strength names; the one printf-to-heap helper. */
#include "scan.h"
#include "../util/cfmt.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *um_status_str(um_status st) {
    switch (st) {
    case UM_OK: return "ok";
    case UM_ENOMEM: return "out of memory";
    case UM_EIO: return "I/O error";
    case UM_EPARSE: return "parse error";
    case UM_EINVAL: return "invalid argument";
    case UM_EDB: return "database error";
    case UM_ENOTFOUND: return "not found";
    case UM_ELIMIT: return "limit reached";
    case UM_EBUSY: return "in use by another scan";
    case UM_ECANCELED: return "cancelled";
    }
    return "unknown status";
}

const char *um_level_str(um_level lv) {
    switch (lv) {
    case UM_LEVEL_HIGH: return "high";
    case UM_LEVEL_REVIEW: return "review";
    default: return "clean";
    }
}

int um_level_parse(const char *s) {
    if (!s) return -1;
    if (strcmp(s, "clean") == 0) return UM_LEVEL_CLEAN;
    if (strcmp(s, "review") == 0) return UM_LEVEL_REVIEW;
    if (strcmp(s, "high") == 0) return UM_LEVEL_HIGH;
    return -1;
}

const char *um_strength_str(um_strength s) {
    return s == UM_STRONG ? "strong" : s == UM_MEDIUM ? "medium" : "weak";
}

char *um_vfmt(const char *fmt, va_list ap) { return um_vasprintf(fmt, ap); }
