/*
 * person_csv.c - applicant / HR / payroll / shipping exports as CSV with any
 * column names. Common header names are recognised (read/columns.c); the
 * rest come from a --mapping file. Each row becomes one um_person.
 */
#include <string.h>

#include "../core/internal.h"
#include "../util/csv.h"
#include "columns.h"

static int detect(const char *path, const char *head, size_t n) {
    (void)path;
    if (n == 0 || head[0] == '{' || head[0] == '[') return 0;
    char sep = um_csv_sniff_sep(head, n);
    const char *nl = memchr(head, '\n', n);
    size_t end = nl ? (size_t)(nl - head) : n;
    /* count header cells we recognise */
    char line[4096];
    if (end >= sizeof line) end = sizeof line - 1;
    memcpy(line, head, end);
    line[end] = 0;
    int known = 0, cells = 0;
    char *save = NULL, seps[2] = {sep, 0};
    for (char *t = strtok_r(line, seps, &save); t; t = strtok_r(NULL, seps, &save)) {
        cells++;
        if (um_column_attr(t) >= 0) known++;
    }
    if (known >= 2 && known * 3 >= cells) return 60;
    if (known >= 1) return 20;
    return 0;
}

static um_status read_csv(um_reader_ctx *rc, FILE *f) {
    char head[4096];
    size_t hn = fread(head, 1, sizeof head, f);
    rewind(f);
    um_csv c;
    um_csv_init(&c, f, um_csv_sniff_sep(head, hn));
    size_t nf;
    const char *why;
    int map[UM_CSV_MAX_FIELDS];
    size_t ncols = 0;
    um_person_kind kind = UM_PERSON_APPLICANT;
    um_csv_res r;
    /* header */
    while ((r = um_csv_next(&c, &nf, &why)) == UM_CSV_BAD) um_reject(rc, c.line, "header: %s", why);
    if (r == UM_CSV_EOF) {
        um_warn(rc, 0, "empty file");
        um_csv_free(&c);
        return UM_OK;
    }
    ncols = nf;
    bool any = false;
    for (size_t i = 0; i < nf; i++) {
        int m = um_rc_mapped_attr(rc, c.fields[i]);
        if (m == -1) m = um_column_attr(c.fields[i]);
        map[i] = m < 0 ? -1 : m;
        if (map[i] >= 0) any = true;
        else if (m == -1 && c.lens[i]) um_warn(rc, c.line, "column '%.80s' not recognised; ignored (map it with --mapping)", c.fields[i]);
    }
    kind = um_column_kind(map, nf);
    if (!any) {
        um_reject(rc, c.line, "no recognised column in header");
        um_csv_free(&c);
        return UM_OK;
    }
    um_kv kv[UM_CSV_MAX_FIELDS];
    while ((r = um_csv_next(&c, &nf, &why)) != UM_CSV_EOF) {
        um_rc_progress(rc, c.bytes);
        if (r == UM_CSV_BAD) {
            um_reject(rc, c.line, "%s", why);
            continue;
        }
        if (nf != ncols) {
            um_reject(rc, c.line, "ragged row: %zu fields, header has %zu", nf, ncols);
            continue;
        }
        size_t n = 0;
        bool bad_utf8 = false;
        for (size_t i = 0; i < nf; i++) {
            if (map[i] < 0 || !c.lens[i]) continue;
            if (!um_utf8_valid(c.fields[i], c.lens[i])) { bad_utf8 = true; break; }
            kv[n].attr = (um_attr)map[i];
            kv[n].value = c.fields[i];
            n++;
        }
        if (bad_utf8) {
            um_reject(rc, c.line, "invalid UTF-8 (convert the file to UTF-8)");
            continue;
        }
        if (!n) {
            um_reject(rc, c.line, "row has no value in a recognised column");
            continue;
        }
        um_person p = {kind, um_rc_file(rc), c.line, n, kv};
        um_status st = um_emit_person(rc, &p);
        if (st != UM_OK) {
            um_csv_free(&c);
            return st;
        }
    }
    um_csv_free(&c);
    return UM_OK;
}

const um_reader um_reader_person_csv = {
    "person-csv",
    "applicant, HR, payroll and laptop-shipping exports as CSV (header names detected; --mapping for the rest)",
    0, detect, read_csv, NULL, true, false, NULL, 0, NULL, NULL};
