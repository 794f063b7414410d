/* rsink.c - the record sink that forwards to the scan (rsink.h). */
#include <stdarg.h>
#include <stdio.h>

#include "rsink.h"

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
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    s->issue(s->ud, reject, line, msg);
}
