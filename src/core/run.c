/* run.c - the scan driver: identity inputs, subjects, analyzers, log inputs, finish. */
#include "scan.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- run ---- */

static um_status read_input(um_scan *s, um_input *in) {
    um_reader_ctx rc = {s, in, in->reader};
    s->stats.files++;
    if (!in->reader) {
        /* A file named on the command line must be read; one found while
         * walking a folder (a README, a picture) is skipped with a warning. */
        if (in->in_folder) um_warn(&rc, 0, "skipped: format not recognised");
        else um_reject(&rc, 0, "format not recognised (use --format to name it; see `unmask formats`)");
        return UM_OK;
    }
    if (!in->is_dir && in->size == 0) {
        um_warn(&rc, 0, "empty file");
        return UM_OK;
    }
    if (in->is_dir) { /* readers of folders (git-repo) get no stream */
        um_status st = in->reader->read(&rc, NULL);
        if (st != UM_OK && !s->errmsg) um_scan_set_error(s, "%s: %s", in->path, um_status_str(st));
        return st;
    }
    FILE *f = fopen(in->path, "rb");
    if (!f) {
        um_scan_set_error(s, "%s: %s", in->path, strerror(errno));
        return UM_EIO;
    }
    unsigned char bomb[2];
    size_t nb = fread(bomb, 1, 2, f);
    int bom = um_utf16_bom(bomb, nb);
    if (bom) {
        FILE *t = um_os_get()->tmpfile(um_os_get()->ud);
        if (!t || !um_utf16_convert(f, t, bom == 2, 0) || fflush(t) != 0) {
            if (t) fclose(t);
            fclose(f);
            um_scan_set_error(s, "%s: cannot convert from UTF-16: %s", in->path, strerror(errno));
            return UM_EIO;
        }
        fclose(f);
        f = t;
        um_warn(&rc, 0, "file is UTF-16%s; read after conversion to UTF-8", bom == 2 ? "BE" : "LE");
    }
    rewind(f);
    um_status st = in->reader->read(&rc, f);
    if (st == UM_OK && ferror(f)) {
        um_scan_set_error(s, "%s: read error", in->path);
        st = UM_EIO;
    }
    fclose(f);
    s->bytes_before += in->size;
    s->stats.bytes += in->size;
    if (st != UM_OK && !s->errmsg) um_scan_set_error(s, "%s: %s", in->path, um_status_str(st));
    return st;
}


um_status um_scan_run(um_scan *s, um_progress_fn cb, void *ud) {
    if (s->ran) {
        um_scan_set_error(s, "scan already ran");
        return UM_EINVAL;
    }
    s->ran = true;
    s->progress = cb;
    s->progress_ud = ud;
    for (size_t i = 0; i < s->n_inputs; i++) s->bytes_total += s->inputs[i].size;
    s->analyzer_state = um_calloc(um_analyzer_count() + 1, sizeof(void *));
    if (!s->analyzer_state) return UM_ENOMEM;

    um_status st = UM_OK;
    for (size_t i = 0; i < s->n_inputs && st == UM_OK; i++)
        if (s->inputs[i].reader && s->inputs[i].reader->phase == 0) st = read_input(s, &s->inputs[i]);
    if (st == UM_OK) st = um_subjects_build(s);
    for (size_t i = 0; i < um_analyzer_count() && st == UM_OK; i++)
        if (um_analyzer_at(i)->on_subjects)
            st = um_analyzer_at(i)->on_subjects(s, &s->analyzer_state[i]);
    for (size_t i = 0; i < s->n_inputs && st == UM_OK; i++)
        if (!s->inputs[i].reader || s->inputs[i].reader->phase != 0) st = read_input(s, &s->inputs[i]);
    for (size_t i = 0; i < um_analyzer_count() && st == UM_OK; i++)
        if (um_analyzer_at(i)->finish) st = um_analyzer_at(i)->finish(s, s->analyzer_state[i]);
    if (st == UM_OK) st = um_scan_finalize(s);
    if (st == UM_ENOMEM && !s->errmsg) um_scan_set_error(s, "out of memory");
    return st;
}
