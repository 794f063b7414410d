/* utf16.c - UTF-16 inputs converted to UTF-8 on the fly. */
#include "scan.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- UTF-16 inputs ----
 * Windows tools (PowerShell Export-Csv, some EVTX exporters, regedit) write
 * UTF-16 with a byte-order mark. Such a file is converted to UTF-8 on the fly
 * (a temporary file, so memory stays flat) and read like any other, with a
 * warning. Unpaired surrogates become U+FFFD. */

int um_utf16_bom(const unsigned char *h, size_t n) {
    if (n >= 2 && h[0] == 0xFF && h[1] == 0xFE) return 1; /* little-endian */
    if (n >= 2 && h[0] == 0xFE && h[1] == 0xFF) return 2; /* big-endian */
    return 0;
}

static size_t put_utf8(unsigned cp, unsigned char *o) {
    if (cp < 0x80) { o[0] = (unsigned char)cp; return 1; }
    if (cp < 0x800) { o[0] = (unsigned char)(0xC0 | cp >> 6); o[1] = (unsigned char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | cp >> 12);
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | cp >> 18);
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Converts UTF-16 (after the BOM) from in to UTF-8 in out, at most max_out
 * bytes (0: no limit). Returns false on a write error. */
bool um_utf16_convert(FILE *in, FILE *out, bool be, size_t max_out) {
    unsigned pending = 0; /* high surrogate waiting for its pair */
    size_t written = 0;
    int a, b;
    while ((a = getc(in)) != EOF && (b = getc(in)) != EOF) {
        unsigned u = be ? (unsigned)(a << 8 | b) : (unsigned)(b << 8 | a), cp;
        if (u >= 0xD800 && u <= 0xDBFF) {
            if (pending) { unsigned char o[4]; size_t k = put_utf8(0xFFFD, o); if (fwrite(o, 1, k, out) != k) return false; }
            pending = u;
            continue;
        }
        if (u >= 0xDC00 && u <= 0xDFFF) {
            cp = pending ? 0x10000 + ((pending - 0xD800) << 10) + (u - 0xDC00) : 0xFFFD;
            pending = 0;
        } else {
            if (pending) { unsigned char o[4]; size_t k = put_utf8(0xFFFD, o); if (fwrite(o, 1, k, out) != k) return false; }
            pending = 0;
            cp = u;
        }
        unsigned char o[4];
        size_t k = put_utf8(cp, o);
        if (max_out && written + k > max_out) break;
        if (fwrite(o, 1, k, out) != k) return false;
        written += k;
    }
    return true;
}
