/*
 * csv.c - subjects.csv and findings.csv for spreadsheet users.
 *
 * Every text cell is attacker-influenced (names, résumé-derived values,
 * account names), so a cell that a spreadsheet would run as a formula
 * (starting with = + - @ TAB or CR) is neutralised with a leading
 * apostrophe, and cells are quoted per RFC 4180.
 */
#include <string.h>

#include "../core/internal.h"


void um_csv_cell(um_buf *b, const char *v) {
    if (!v) v = "";
    bool formula = strchr("=+-@\t\r", v[0]) && v[0];
    bool quote = formula || strpbrk(v, ",\"\n\r") != NULL;
    if (quote) um_buf_addc(b, '"');
    if (formula) um_buf_addc(b, '\'');
    for (const char *p = v; *p; p++) {
        if (*p == '"') um_buf_addc(b, '"');
        um_buf_addc(b, *p);
    }
    if (quote) um_buf_addc(b, '"');
}

static void cell_join(um_buf *b, const char *const *v, size_t n) {
    um_buf tmp;
    um_buf_init(&tmp);
    for (size_t i = 0; i < n; i++) {
        if (i) um_buf_adds(&tmp, "; ");
        um_buf_adds(&tmp, v[i]);
    }
    um_csv_cell(b, tmp.s ? tmp.s : "");
    um_buf_free(&tmp);
}

static void cell_time(um_buf *b, int64_t us) {
    char t[40] = "";
    if (us != UM_TIME_NONE) um_time_format(us, t, sizeof t);
    um_csv_cell(b, t);
}

static um_status write_csv(um_scan *s, const char *dir) {
    um_buf b;
    um_buf_init(&b);
    um_buf_adds(&b, "rank,id,level,score,display,names,sources,findings,top_reasons\r\n");
    for (size_t i = 0; i < um_scan_subject_count(s); i++) {
        const um_subject_info *u = um_scan_subject(s, i);
        um_buf_printf(&b, "%zu,", i + 1);
        um_csv_cell(&b, u->id);
        um_buf_printf(&b, ",%s,%d,", um_level_str(u->level), u->score);
        um_csv_cell(&b, u->display);
        um_buf_addc(&b, ',');
        cell_join(&b, u->names, u->n_names);
        um_buf_addc(&b, ',');
        cell_join(&b, u->sources, u->n_sources);
        um_buf_printf(&b, ",%zu,", u->n_findings);
        const char *top[3];
        size_t nt = 0;
        for (size_t k = 0; k < u->n_findings && nt < 3; k++) top[nt++] = um_scan_finding(s, u->findings[k])->summary;
        cell_join(&b, top, nt);
        um_buf_adds(&b, "\r\n");
    }
    um_status st = um_write_file_atomic(s, dir, "subjects.csv", &b);
    um_buf_reset(&b);
    um_buf_adds(&b, "id,subject_id,indicator,strength,weight,count,first_seen,last_seen,key,summary\r\n");
    for (size_t i = 0; st == UM_OK && i < um_scan_subject_count(s); i++) {
        const um_subject_info *u = um_scan_subject(s, i);
        for (size_t k = 0; k < u->n_findings; k++) {
            const um_finding_info *f = um_scan_finding(s, u->findings[k]);
            um_csv_cell(&b, f->id);
            um_buf_addc(&b, ',');
            um_csv_cell(&b, f->subject_id);
            um_buf_addc(&b, ',');
            um_csv_cell(&b, f->indicator);
            um_buf_printf(&b, ",%s,%d,%llu,", f->strength, f->weight, (unsigned long long)f->count);
            cell_time(&b, f->first_us);
            um_buf_addc(&b, ',');
            cell_time(&b, f->last_us);
            um_buf_addc(&b, ',');
            um_csv_cell(&b, f->key);
            um_buf_addc(&b, ',');
            um_csv_cell(&b, f->summary);
            um_buf_adds(&b, "\r\n");
        }
    }
    if (st == UM_OK) st = um_write_file_atomic(s, dir, "findings.csv", &b);
    um_buf_free(&b);
    return st;
}

const um_sink um_sink_csv = {"csv", "subjects.csv and findings.csv for spreadsheets (formulas neutralised)", write_csv};
