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
    if (!quote) { /* then it holds no quote either */
        um_buf_adds(b, v);
        return;
    }
    um_buf_addc(b, '"');
    if (formula) um_buf_addc(b, '\'');
    for (const char *p = v; *p; p++) {
        if (*p == '"') um_buf_addc(b, '"');
        um_buf_addc(b, *p);
    }
    um_buf_addc(b, '"');
}

static void cell_join(um_buf *b, const char *const *v, size_t n) {
    if (n <= 1) {
        um_csv_cell(b, n ? v[0] : "");
        return;
    }
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

typedef struct {
    um_scan *s;
    size_t i, k;
    bool head;
} cursor_t;

static bool gen_subject(void *arg, um_buf *b) {
    cursor_t *c = arg;
    um_scan *s = c->s;
    if (!c->head) {
        c->head = true;
        um_buf_adds(b, "rank,id,level,score,display,names,sources,findings,top_reasons\r\n");
        return true;
    }
    if (c->i >= um_scan_subject_count(s)) return false;
    size_t i = c->i++;
    const um_subject_info *u = um_scan_subject(s, i);
    um_buf_printf(b, "%zu,", i + 1);
    um_csv_cell(b, u->id);
    um_buf_printf(b, ",%s,%d,", um_level_str(u->level), u->score);
    um_csv_cell(b, u->display);
    um_buf_addc(b, ',');
    cell_join(b, u->names, u->n_names);
    um_buf_addc(b, ',');
    cell_join(b, u->sources, u->n_sources);
    um_buf_printf(b, ",%zu,", u->n_findings);
    const char *top[3];
    size_t nt = 0;
    for (size_t k = 0; k < u->n_findings && nt < 3; k++) top[nt++] = um_scan_finding(s, u->findings[k])->summary;
    cell_join(b, top, nt);
    um_buf_adds(b, "\r\n");
    return true;
}

static bool gen_finding(void *arg, um_buf *b) {
    cursor_t *c = arg;
    if (!c->head) {
        c->head = true;
        um_buf_adds(b, "id,subject_id,indicator,strength,weight,count,first_seen,last_seen,key,summary\r\n");
        return true;
    }
    for (; c->i < um_scan_subject_count(c->s); c->i++, c->k = 0) {
        const um_subject_info *u = um_scan_subject(c->s, c->i);
        if (c->k >= u->n_findings) continue;
        const um_finding_info *f = um_scan_finding(c->s, u->findings[c->k++]);
        um_csv_cell(b, f->id);
        um_buf_addc(b, ',');
        um_csv_cell(b, f->subject_id);
        um_buf_addc(b, ',');
        um_csv_cell(b, f->indicator);
        um_buf_printf(b, ",%s,%d,%llu,", f->strength, f->weight, (unsigned long long)f->count);
        cell_time(b, f->first_us);
        um_buf_addc(b, ',');
        cell_time(b, f->last_us);
        um_buf_addc(b, ',');
        um_csv_cell(b, f->key);
        um_buf_addc(b, ',');
        um_csv_cell(b, f->summary);
        um_buf_adds(b, "\r\n");
        return true;
    }
    return false;
}

/* Written piece by piece (um_write_file_stream): never whole in memory. */
static um_status write_csv(um_scan *s, const char *dir) {
    cursor_t c = {s, 0, 0, false};
    um_status st = um_write_file_stream(s, dir, "subjects.csv", gen_subject, &c);
    c = (cursor_t){s, 0, 0, false};
    if (st == UM_OK) st = um_write_file_stream(s, dir, "findings.csv", gen_finding, &c);
    return st;
}

const um_sink um_sink_csv = {"csv", "subjects.csv and findings.csv for spreadsheets (formulas neutralised)",
                             write_csv, false};
