/* csv.c - see csv.h. */
#include "csv.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void um_csv_init(um_csv *c, FILE *f, char sep) {
    memset(c, 0, sizeof *c);
    c->f = f;
    c->sep = sep ? sep : ',';
    c->next_line = 1;
}

void um_csv_free(um_csv *c) {
    um_free(c->buf);
    um_free(c->offs);
    memset(c, 0, sizeof *c);
}

static bool put(um_csv *c, char ch) {
    if (c->len + 2 > c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 1024;
        char *nb = um_realloc(c->buf, nc);
        if (!nb) return false;
        c->buf = nb;
        c->cap = nc;
    }
    c->buf[c->len++] = ch;
    return true;
}

static bool end_field(um_csv *c) {
    if (!um_grow((void **)&c->offs, &c->cap_f, c->nf + 2, sizeof *c->offs)) return false;
    if (!put(c, 0)) return false;
    c->offs[++c->nf] = c->len;
    return true;
}

um_csv_res um_csv_next(um_csv *c, size_t *nfp, const char **reason) {
    for (;;) {
        if (c->eof) return UM_CSV_EOF;
        c->len = 0;
        c->nf = 0;
        if (!um_grow((void **)&c->offs, &c->cap_f, 2, sizeof *c->offs)) {
            *reason = "out of memory";
            return UM_CSV_BAD;
        }
        c->offs[0] = 0;
        c->line = c->next_line;
        bool inq = false, after_q = false, bad = false, any = false, nul = false;
        const char *why = NULL;
        int ch;
        for (;;) {
            ch = getc_unlocked(c->f);
            if (ch == EOF) {
                c->eof = true;
                if (inq) { bad = true; why = "unterminated quoted field at end of file"; }
                break;
            }
            c->bytes++;
            if (!c->bom_skipped) {
                c->bom_skipped = true;
                if (ch == 0xEF) {
                    int b2 = getc_unlocked(c->f), b3 = getc_unlocked(c->f);
                    if (b2 == 0xBB && b3 == 0xBF) { c->bytes += 2; continue; }
                    if (b3 != EOF) ungetc(b3, c->f);
                    if (b2 != EOF) ungetc(b2, c->f); /* only one pushback is portable */
                }
            }
            any = true;
            if (ch == 0) nul = true;
            if (c->len > UM_CSV_MAX_RECORD) {
                bad = true;
                why = "record longer than 16 MiB";
                if (ch == '\n') { c->next_line++; if (!inq) break; }
                continue;
            }
            if (inq) {
                if (ch == '"') {
                    int nx = getc_unlocked(c->f);
                    if (nx == '"') { c->bytes++; put(c, '"'); continue; }
                    if (nx != EOF) ungetc(nx, c->f);
                    inq = false;
                    after_q = true;
                    continue;
                }
                if (ch == '\n') c->next_line++;
                put(c, (char)ch);
                continue;
            }
            if (ch == '\r') continue;
            if (ch == '\n') { c->next_line++; break; }
            if (ch == c->sep) {
                if (!end_field(c)) { bad = true; why = "out of memory"; }
                after_q = false;
                continue;
            }
            if (ch == '"' && c->len == c->offs[c->nf] && !after_q) { inq = true; continue; }
            if (after_q && !bad) { bad = true; why = "text after closing quote"; }
            put(c, (char)ch);
        }
        if (!any) {
            if (c->eof) return UM_CSV_EOF;
            continue;
        }
        if (!end_field(c)) { bad = true; why = "out of memory"; }
        if (c->nf == 1 && c->buf[0] == 0 && !bad) continue; /* blank line */
        if (nul && !bad) { bad = true; why = "NUL byte in record"; }
        if (c->nf > UM_CSV_MAX_FIELDS && !bad) { bad = true; why = "more than 512 fields"; }
        if (bad) {
            *reason = why;
            return UM_CSV_BAD;
        }
        for (size_t i = 0; i < c->nf; i++) {
            c->fields[i] = c->buf + c->offs[i];
            c->lens[i] = c->offs[i + 1] - c->offs[i] - 1;
        }
        *nfp = c->nf;
        return UM_CSV_RECORD;
    }
}

char um_csv_sniff_sep(const char *head, size_t n) {
    static const char seps[] = {',', ';', '\t', '|'};
    size_t best = 0;
    char bs = ',';
    const char *nl = memchr(head, '\n', n);
    size_t end = nl ? (size_t)(nl - head) : n;
    for (size_t k = 0; k < sizeof seps; k++) {
        size_t cnt = 0;
        bool q = false;
        for (size_t i = 0; i < end; i++) {
            if (head[i] == '"') q = !q;
            else if (!q && head[i] == seps[k]) cnt++;
        }
        if (cnt > best) { best = cnt; bs = seps[k]; }
    }
    return bs;
}
