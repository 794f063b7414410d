/* results.c - the public result accessors. */
#include "scan.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- results ---- */

size_t um_scan_subject_count(const um_scan *s) { return s->rank ? s->n_subjects : 0; }
const um_subject_info *um_scan_subject(const um_scan *s, size_t i) {
    return s->rank && i < s->n_subjects ? &s->infos[s->rank[i]] : NULL;
}
size_t um_scan_finding_count(const um_scan *s) { return s->n_findings; }
const um_finding_info *um_scan_finding(const um_scan *s, size_t i) {
    return i < s->n_findings ? &s->findings[i].info : NULL;
}
void um_scan_get_stats(const um_scan *s, um_scan_stats *out) {
    *out = s->stats;
    out->read_s = s->t_read;
    out->analyze_s = s->t_analyze;
    out->write_s = s->t_write;
}
size_t um_scan_reject_count(const um_scan *s) { return s->n_rejects; }
const um_reject_info *um_scan_reject(const um_scan *s, size_t i) {
    return i < s->n_rejects ? &s->rejects[i] : NULL;
}
size_t um_scan_warning_count(const um_scan *s) { return s->n_warnings; }
const um_reject_info *um_scan_warning(const um_scan *s, size_t i) {
    return i < s->n_warnings ? &s->warnings[i] : NULL;
}

um_level um_scan_max_level(const um_scan *s) {
    um_level m = UM_LEVEL_CLEAN;
    for (size_t i = 0; i < s->n_subjects; i++)
        if (s->subjects[i].level > m) m = s->subjects[i].level;
    return m;
}

const char *um_scan_subject_json(um_scan *s, size_t i) {
    const um_subject_info *u = um_scan_subject(s, i);
    if (!u) return NULL;
    um_buf_reset(&s->json_line);
    um_json_subject(&s->json_line, s, u);
    return s->json_line.oom ? NULL : s->json_line.s;
}

um_sid um_scan_ranked_sid(const um_scan *s, size_t r) {
    return s->rank && r < s->n_subjects ? (um_sid)s->rank[r] : -1;
}
