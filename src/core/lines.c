/* lines.c - the line reader shared by the text readers. */
#include "scan.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../util/json.h"

/* ---- lines ---- */

/* The reader keeps a window [pos, fill) of the file in buf; a line is
 * normally returned in place (no copy) with the next bytes temporarily
 * overwritten by NUL padding, which is restored on the next call. */
#define UM_LINES_CHUNK (1u << 20)

void um_lines_init(um_lines *l, FILE *f, size_t max) {
    memset(l, 0, sizeof *l);
    l->f = f;
    l->max = max;
}

void um_lines_free(um_lines *l) {
    um_free(l->buf);
    memset(l, 0, sizeof *l);
}

/* Makes room and reads more; false at EOF or on allocation failure. */
static bool lines_fill(um_lines *l) {
    if (l->eof) return false;
    if (l->pos > 0) { /* slide the unread tail to the front */
        memmove(l->buf, l->buf + l->pos, l->fill - l->pos);
        l->fill -= l->pos;
        l->pos = 0;
    }
    size_t want = l->fill + UM_LINES_CHUNK + UM_JSON_PADDING + 1;
    if (want > l->cap) {
        char *nb = um_realloc(l->buf, want);
        if (!nb) return false;
        l->buf = nb;
        l->cap = want;
    }
    size_t n = fread(l->buf + l->fill, 1, UM_LINES_CHUNK, l->f);
    if (n == 0) {
        l->eof = true;
        return false;
    }
    l->fill += n;
    return true;
}

bool um_lines_next(um_lines *l, const char **line, size_t *len, bool *too_long) {
    *too_long = false;
    if (l->padded) { /* undo the padding written after the previous line */
        memcpy(l->buf + l->saved_at, l->saved, sizeof l->saved);
        l->padded = false;
    }
    for (;;) {
        char *start = l->buf ? l->buf + l->pos : NULL;
        char *nl = start ? memchr(start, '\n', l->fill - l->pos) : NULL;
        size_t n;
        bool last = false;
        if (nl) {
            n = (size_t)(nl - start);
        } else {
            size_t have = l->buf ? l->fill - l->pos : 0;
            if (have > l->max) { /* drop the over-long line's bytes so far */
                l->skipping = true;
                l->bytes += have;
                l->pos = l->fill;
            }
            if (lines_fill(l)) continue;
            if (l->skipping) { /* long line ran to EOF */
                l->skipping = false;
                l->lineno++;
                *too_long = true;
                *line = "";
                *len = 0;
                return true;
            }
            have = l->buf ? l->fill - l->pos : 0;
            if (!have) return false;
            n = have;
            last = true;
        }
        size_t consumed = n + (last ? 0 : 1);
        l->bytes += consumed;
        l->lineno++;
        if (l->skipping || n > l->max) {
            l->skipping = false;
            l->pos += consumed;
            *too_long = true;
            *line = "";
            *len = 0;
            return true;
        }
        char *p = l->buf + l->pos;
        l->pos += consumed;
        if (n && p[n - 1] == '\r') n--;
        /* pad: save the bytes we overwrite; the buffer always has room */
        size_t at = (size_t)(p - l->buf) + n;
        if (at + sizeof l->saved > l->cap) { /* cannot happen: cap >= fill + padding */
            *too_long = true;
            *line = "";
            *len = 0;
            return true;
        }
        memcpy(l->saved, l->buf + at, sizeof l->saved);
        memset(l->buf + at, 0, sizeof l->saved);
        l->saved_at = at;
        l->padded = true;
        *line = p;
        *len = n;
        return true;
    }
}
