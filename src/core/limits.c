/* limits.c - resource limits of a scan (--limit) and the one warning when one is reached. */
#include "scan.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

um_status um_scan_set_limit(um_scan *s, um_limit which, uint64_t value) {
    if ((unsigned)which >= UM_LIMIT__COUNT || value == 0) {
        um_scan_set_error(s, "invalid limit");
        return UM_EINVAL;
    }
    s->limit[which] = value;
    return UM_OK;
}

um_status um_scan_set_limits(um_scan *s, const char *spec) {
    static const char *const names[UM_LIMIT__COUNT] = {"persons", "identity_mb", "log_subjects", "findings"};
    char *copy = um_strdup(spec), *save = NULL;
    if (!copy) return UM_ENOMEM;
    um_status st = UM_OK;
    for (char *t = strtok_r(copy, ",", &save); t && st == UM_OK; t = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(t, '='), *end = NULL;
        int which = -1;
        if (eq) {
            *eq = 0;
            for (int i = 0; i < UM_LIMIT__COUNT; i++)
                if (strcmp(um_trim(t), names[i]) == 0) which = i;
        }
        unsigned long long v = eq ? strtoull(eq + 1, &end, 10) : 0;
        if (which < 0 || !end || *um_trim(end) || v == 0) {
            um_scan_set_error(s, "bad limit '%s' (use persons=N, identity_mb=N, log_subjects=N, findings=N)", t);
            st = UM_EINVAL;
        } else {
            s->limit[which] = v;
        }
    }
    um_free(copy);
    return st;
}

bool um_scan_over_limit(um_scan *s, um_limit which, uint64_t n) {
    if (n < s->limit[which]) return false;
    if (!s->limit_warned[which]) {
        static const char *const what[UM_LIMIT__COUNT] = {
            "identity records (limit persons)", "identity data (limit identity_mb)",
            ("accounts and hosts seen only in logs (limit log_subjects); events of further ones are "
             "counted but not analyzed"),
            "distinct findings (limit findings); further ones are dropped"};
        s->limit_warned[which] = true;
        um_scan_warn(s, "limits", "resource limit reached: %llu %s", (unsigned long long)s->limit[which],
                     what[which]);
    }
    return true;
}

um_status um_scan_set_threads(um_scan *s, unsigned n) {
    if (!s) return UM_EINVAL;
    if (n == 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        n = c > 0 ? (unsigned)c : 1;
    }
    s->threads = n > 256 ? 256 : n;
    return UM_OK;
}

unsigned um_scan_thread_count(const um_scan *s) { return s->threads ? s->threads : 1; }

um_status um_scan_set_part_size(um_scan *s, uint64_t bytes) {
    if (!s) return UM_EINVAL;
    s->part_bytes = bytes == 0 ? 0 : bytes < 4096 ? 4096 : bytes;
    return UM_OK;
}
