/*
 * csv.h - RFC 4180 record reader (quoted fields, doubled quotes, embedded
 * newlines, CRLF), streaming from a FILE, with line numbers and limits.
 *
 * Ownership: field pointers returned by um_csv_next() point into the
 * reader's buffer and are valid until the next call.
 */
#ifndef UM_CSV_H
#define UM_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define UM_CSV_MAX_FIELDS 512
#define UM_CSV_MAX_RECORD (16u << 20)

typedef struct um_csv {
    FILE *f;
    char sep;
    char *buf;
    size_t cap, len;
    size_t *offs;
    size_t nf, cap_f;
    const char *fields[UM_CSV_MAX_FIELDS];
    size_t lens[UM_CSV_MAX_FIELDS];
    uint64_t line;      /* first line of the record just returned */
    uint64_t next_line; /* line the next record starts on */
    uint64_t bytes;
    bool eof;
    bool bom_skipped;
} um_csv;

typedef enum um_csv_res {
    UM_CSV_RECORD = 0, /* a record (fields/lens/nf set) */
    UM_CSV_EOF = 1,
    UM_CSV_BAD = 2     /* malformed record (reason set); reading can go on */
} um_csv_res;

void um_csv_init(um_csv *c, FILE *f, char sep);
void um_csv_free(um_csv *c);
/* Reads the next record. On UM_CSV_BAD *reason is a static string. Blank
 * lines are skipped. Fields are NUL-terminated (embedded NUL bytes make the
 * record bad). */
um_csv_res um_csv_next(um_csv *c, size_t *nf, const char **reason);
/* Guesses the separator (',', ';', '\t' or '|') from a header line. */
char um_csv_sniff_sep(const char *head, size_t n);

#endif
