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

/* The one line loop of the text readers, on top of um_lines_next: the next
 * line worth parsing (NUL-padded for the JSON parser). Reports progress;
 * rejects an over-long line ("line longer than MAX bytes", counted in
 * l->n_too_long); with UM_LINE_BOM drops a UTF-8 byte-order mark on line 1;
 * with UM_LINE_SKIP_BLANK skips lines of only spaces and tabs (and, with
 * UM_LINE_SKIP_WS, also CR/LF). false at end of file. */
enum { UM_LINE_BOM = 1u << 0, UM_LINE_SKIP_BLANK = 1u << 1, UM_LINE_SKIP_WS = 1u << 2 };
bool um_rsink_next_line(um_lines *l, const um_rsink *sink, unsigned flags, const char **line, size_t *len);

#endif
