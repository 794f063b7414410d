/*
 * rsink.h - the one record sink of readers whose parsers can run without a
 * scan (git, USB text, Zeek): events and problems go to the sink, so tests
 * capture them; the registered readers pass um_rsink_reader(rc), which
 * forwards to um_emit_event / um_reject / um_warn / um_rc_progress.
 */
#ifndef UM_READ_RSINK_H
#define UM_READ_RSINK_H

#include "../core/internal.h"

typedef struct um_rsink {
    void *ud;
    /* ev and its strings are valid only during the call */
    um_status (*event)(void *ud, um_event *ev);
    /* a reject when reject is true, otherwise a warning */
    void (*issue)(void *ud, bool reject, uint64_t line, const char *msg);
    /* bytes read so far; may be NULL */
    void (*progress)(void *ud, uint64_t bytes);
} um_rsink;

/* A sink that forwards to the scan through rc. */
um_rsink um_rsink_reader(um_reader_ctx *rc);
/* Formats a reject (or warning) and hands it to the sink. */
void um_rsink_issue(const um_rsink *s, bool reject, uint64_t line, const char *fmt, ...) UM_PRINTF(4, 5);

#endif
