/* rsink.c - the record sink that forwards to the scan (rsink.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rsink.h"
#include "../util/cfmt.h"

static um_status fwd_event(void *ud, um_event *ev) { return um_emit_event(ud, ev); }
static void fwd_progress(void *ud, uint64_t bytes) { um_rc_progress(ud, bytes); }

static void fwd_issue(void *ud, bool reject, uint64_t line, const char *msg) {
    if (reject) um_reject(ud, line, "%s", msg);
    else um_warn(ud, line, "%s", msg);
}

um_rsink um_rsink_reader(um_reader_ctx *rc) { return (um_rsink){rc, fwd_event, fwd_issue, fwd_progress}; }

void um_rsink_issue(const um_rsink *s, bool reject, uint64_t line, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    um_vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    s->issue(s->ud, reject, line, msg);
}

bool um_rsink_next_line(um_lines *l, const um_rsink *sink, unsigned flags, const char **line, size_t *len) {
    bool too_long;
    while (um_lines_next(l, line, len, &too_long)) {
        if (sink->progress) sink->progress(sink->ud, l->bytes);
        if (too_long) {
            l->n_too_long++;
            um_rsink_issue(sink, true, l->lineno, "line longer than %zu bytes", l->max);
            continue;
        }
        if ((flags & UM_LINE_BOM) && l->lineno == 1 && *len >= 3 && memcmp(*line, "\xEF\xBB\xBF", 3) == 0) {
            *line += 3;
            *len -= 3;
        }
        if (flags & (UM_LINE_SKIP_BLANK | UM_LINE_SKIP_WS)) {
            const char *p = *line;
            size_t i = 0;
            bool ws = flags & UM_LINE_SKIP_WS;
            while (i < *len && (p[i] == ' ' || p[i] == '\t' || (ws && (p[i] == '\r' || p[i] == '\n')))) i++;
            if (i == *len) continue; /* blank line: not a record */
        }
        return true;
    }
    return false;
}
