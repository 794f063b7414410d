/* inputs.c - inputs: files and folders named by the caller, walked and matched to readers; the column mapping. */
#include "scan.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../util/csv.h"

#define HEAD_BYTES 8192

/* A CSV header none of whose columns the readers know, but which the
 * --mapping file names: an identity export with unusual column names. */
static bool header_is_mapped(um_scan *s, const char *head, size_t n) {
    char sep = um_csv_sniff_sep(head, n);
    const char *nl = memchr(head, '\n', n);
    size_t end = nl ? (size_t)(nl - head) : n;
    for (size_t i = 0; i < end;) {
        size_t j = i;
        while (j < end && head[j] != sep) j++;
        char col[256];
        size_t k = 0;
        for (size_t x = i; x < j && k < sizeof col - 1; x++)
            if (head[x] != '"' && head[x] != '\r') col[k++] = (char)(head[x] >= 'A' && head[x] <= 'Z' ? head[x] + 32 : head[x]);
        col[k] = 0;
        char *c = um_trim(col);
        intptr_t v = (intptr_t)um_map_get(&s->mapping, c, strlen(c));
        if (v >= 2) return true; /* mapped to an attribute (1 = ignore) */
        i = j + 1;
    }
    return false;
}

static um_status add_file(um_scan *s, const char *path, const char *format, uint64_t size,
                          bool in_folder) {
    const um_reader *r = NULL;
    if (format) {
        r = um_reader_find(format);
        if (!r) {
            um_scan_set_error(s, "unknown format '%s' (see `unmask formats`)", format);
            return UM_EINVAL;
        }
    } else {
        FILE *f = fopen(path, "rb");
        if (!f) {
            um_scan_set_error(s, "%s: %s", path, strerror(errno));
            return UM_EIO;
        }
        char head[HEAD_BYTES + 1];
        size_t n = fread(head, 1, HEAD_BYTES, f);
        int bom = um_utf16_bom((const unsigned char *)head, n);
        if (bom) { /* detect on the UTF-8 the reader will see */
            FILE *m = fmemopen(head, HEAD_BYTES, "w");
            rewind(f);
            (void)getc(f), (void)getc(f);
            if (m) {
                setvbuf(m, NULL, _IONBF, 0);
                um_utf16_convert(f, m, bom == 2, HEAD_BYTES);
                n = (size_t)ftell(m);
                fclose(m);
            } else {
                n = 0;
            }
        }
        head[n] = 0;
        fclose(f);
        r = um_reader_detect(path, head, n);
        if (!r && s->mapping.len && header_is_mapped(s, head, n)) r = um_reader_for_mapped_csv();
    }
    if (!um_grow((void **)&s->inputs, &s->cap_inputs, s->n_inputs + 1, sizeof *s->inputs))
        return UM_ENOMEM;
    um_input *in = &s->inputs[s->n_inputs++];
    memset(in, 0, sizeof *in);
    in->path = um_strdup(path);
    in->reader = r; /* NULL: reported as an unrecognised file at run time */
    in->size = size;
    in->in_folder = in_folder;
    return in->path ? UM_OK : UM_ENOMEM;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static um_status add_path_rec(um_scan *s, const char *path, const char *format, int depth) {
    struct stat st;
    if (stat(path, &st) != 0) {
        um_scan_set_error(s, "%s: %s", path, strerror(errno));
        return UM_ENOTFOUND;
    }
    if (!S_ISDIR(st.st_mode)) {
        /* case settings (read by the CLI) are not an input */
        if (depth > 0 && strcmp(um_basename_any(path), "unmask.conf") == 0) return UM_OK;
        return add_file(s, path, format, (uint64_t)st.st_size, depth > 0);
    }
    if (depth > 32) return UM_OK;
    /* A folder a reader takes whole (a git repository) is one input. */
    const um_reader *dr = format ? NULL : um_reader_for_dir(path);
    if (dr) {
        if (!um_grow((void **)&s->inputs, &s->cap_inputs, s->n_inputs + 1, sizeof *s->inputs))
            return UM_ENOMEM;
        um_input *in = &s->inputs[s->n_inputs++];
        memset(in, 0, sizeof *in);
        in->path = um_strdup(path);
        in->reader = dr;
        in->size = 0;
        in->is_dir = true;
        return in->path ? UM_OK : UM_ENOMEM;
    }
    DIR *d = opendir(path);
    if (!d) {
        um_scan_set_error(s, "%s: %s", path, strerror(errno));
        return UM_EIO;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    um_status st2 = UM_OK;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue; /* hidden files and . / .. */
        if (!um_grow((void **)&names, &cap, n + 1, sizeof *names)) { st2 = UM_ENOMEM; break; }
        names[n++] = um_strdup(e->d_name);
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        if (st2 == UM_OK) {
            char *child = NULL;
            if (asprintf(&child, "%s/%s", path, names[i]) < 0) st2 = UM_ENOMEM;
            else {
                struct stat cs;
                /* README/ground-truth files beside data are not inputs. */
                if (stat(child, &cs) == 0 && (S_ISDIR(cs.st_mode) || S_ISREG(cs.st_mode)))
                    st2 = add_path_rec(s, child, format, depth + 1);
                free(child);
            }
        }
        um_free(names[i]);
    }
    um_free(names);
    return st2;
}

um_status um_scan_add_path(um_scan *s, const char *path, const char *format) {
    if (!path) return UM_EINVAL;
    return add_path_rec(s, path, format, 0);
}

um_status um_scan_set_mapping(um_scan *s, const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        um_scan_set_error(s, "mapping %s: %s", path, strerror(errno));
        return UM_EIO;
    }
    char line[1024];
    unsigned ln = 0;
    um_status st = UM_OK;
    while (fgets(line, sizeof line, f)) {
        ln++;
        char *t = um_trim(line);
        if (!*t || *t == '#') continue;
        char *eq = strchr(t, '=');
        if (!eq) {
            um_scan_set_error(s, "mapping %s:%u: expected 'column = field'", path, ln);
            st = UM_EPARSE;
            break;
        }
        *eq = 0;
        char *col = um_trim(t), *field = um_trim(eq + 1);
        int a = um_attr_from_name(field);
        if (a < 0 && strcmp(field, "ignore") != 0) {
            um_scan_set_error(s, "mapping %s:%u: unknown field '%s'", path, ln, field);
            st = UM_EPARSE;
            break;
        }
        char *lc = um_lower_trim(&s->arena, col, strlen(col));
        um_map_slot *sl = lc ? um_map_upsert(&s->mapping, lc, strlen(lc), NULL) : NULL;
        if (!sl) { st = UM_ENOMEM; break; }
        sl->val = (void *)(intptr_t)(a + 2); /* 1 = ignore, 2.. = attr */
    }
    fclose(f);
    return st;
}
