/* inputs.c - inputs: files and folders named by the caller, walked and matched to readers; the column mapping. */
#include "scan.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
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

static um_input *new_input(um_scan *s, const char *path) {
    if (!um_grow((void **)&s->inputs, &s->cap_inputs, s->n_inputs + 1, sizeof *s->inputs)) return NULL;
    um_input *in = &s->inputs[s->n_inputs];
    memset(in, 0, sizeof *in);
    in->fd = -1;
    in->path = um_strdup(path);
    if (!in->path) return NULL;
    s->n_inputs++;
    return in;
}

/* An input that is not read, and why (a warning at run time). */
static um_status add_skipped(um_scan *s, const char *path, bool in_folder, const char *why) {
    um_input *in = new_input(s, path);
    if (!in) return UM_ENOMEM;
    in->in_folder = in_folder;
    in->skip = why ? why : "skipped";
    return UM_OK;
}

/* The reader for a file starting with head[0..n) (UTF-16 looked at as the
 * UTF-8 it will become). */
static const um_reader *detect_head(um_scan *s, const char *path, char *head, size_t n) {
    int bom = um_utf16_bom((const unsigned char *)head, n);
    char conv[HEAD_BYTES + 1];
    if (bom) { /* detect on the UTF-8 the reader will see */
        FILE *in = fmemopen(head + 2, n - 2 ? n - 2 : 1, "r"), *m = fmemopen(conv, HEAD_BYTES, "w");
        size_t k = 0;
        if (in && m && n > 2) {
            setvbuf(m, NULL, _IONBF, 0);
            um_utf16_convert(in, m, bom == 2, HEAD_BYTES);
            k = (size_t)ftell(m);
        }
        if (in) fclose(in);
        if (m) fclose(m);
        conv[k] = 0;
        head = conv, n = k;
    }
    head[n] = 0;
    const um_reader *r = um_reader_detect(path, head, n);
    if (!r && s->mapping.len && header_is_mapped(s, head, n)) r = um_reader_for_mapped_csv();
    return r;
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
        fclose(f);
        r = detect_head(s, path, head, n);
    }
    um_input *in = new_input(s, path);
    if (!in) return UM_ENOMEM;
    in->reader = r; /* NULL: reported as an unrecognised file at run time */
    in->size = size;
    in->in_folder = in_folder;
    return UM_OK;
}

/* A stream named directly ("-", a pipe, a FIFO, a terminal): waits up to
 * the stream timeout for its first byte, reads the head for detection and
 * keeps the descriptor for its turn to be read. */
static um_status add_stream(um_scan *s, const char *path, const char *format) {
    bool std_in = strcmp(path, "-") == 0;
    int fd = std_in ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        um_scan_set_error(s, "%s: %s", std_in ? "standard input" : path, strerror(errno));
        return UM_EIO;
    }
    struct pollfd pf = {fd, POLLIN, 0};
    int pr;
    do pr = poll(&pf, 1, s->stream_timeout_ms);
    while (pr < 0 && errno == EINTR && !um_scan_cancelled(s));
    if (pr <= 0) {
        if (um_scan_cancelled(s)) um_scan_set_error(s, "cancelled");
        else um_scan_set_error(s, "%s: nothing to read after %d s (a FIFO with no writer, or a silent pipe); "
                                  "start the writer first",
                               std_in ? "standard input" : path, s->stream_timeout_ms / 1000);
        close(fd);
        return um_scan_cancelled(s) ? UM_ECANCELED : UM_EIO;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK); /* the writer is there: block from now on */
    char *head = um_malloc(HEAD_BYTES + 1);
    if (!head) {
        close(fd);
        return UM_ENOMEM;
    }
    size_t n = 0;
    while (n < HEAD_BYTES) {
        ssize_t k = read(fd, head + n, HEAD_BYTES - n);
        if (k < 0 && errno == EINTR && !um_scan_cancelled(s)) continue;
        if (k <= 0) break;
        n += (size_t)k;
    }
    const um_reader *r = NULL;
    if (format && !(r = um_reader_find(format))) {
        um_scan_set_error(s, "unknown format '%s' (see `unmask formats`)", format);
        um_free(head);
        close(fd);
        return UM_EINVAL;
    }
    char det[HEAD_BYTES + 1];
    memcpy(det, head, n);
    if (!r) r = detect_head(s, std_in ? "stdin" : path, det, n);
    um_input *in = new_input(s, std_in ? "-" : path);
    if (!in) {
        um_free(head);
        close(fd);
        return UM_ENOMEM;
    }
    in->reader = r;
    in->is_stream = true;
    in->fd = fd;
    in->head = head;
    in->head_len = n;
    in->size = n; /* grows as it is read */
    return UM_OK;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Remembers (dev, ino); returns the first path seen with it, or NULL when
 * it is new. */
static const char *seen_before(um_scan *s, const struct stat *st, const char *path, bool *oom) {
    char key[48];
    int n = snprintf(key, sizeof key, "%llx:%llx", (unsigned long long)st->st_dev, (unsigned long long)st->st_ino);
    bool created;
    um_map_slot *sl = um_map_upsert(&s->seen_inodes, key, (size_t)n, &created);
    if (!sl) {
        *oom = true;
        return NULL;
    }
    if (!created) return sl->val;
    sl->val = um_arena_strdup(&s->arena, path);
    if (!sl->val) *oom = true;
    return NULL;
}

static const char *file_kind(mode_t m) {
    return S_ISFIFO(m) ? "a FIFO" : S_ISSOCK(m) ? "a socket" : S_ISCHR(m) ? "a character device"
           : S_ISBLK(m) ? "a block device" : "not a regular file";
}

static um_status add_path_rec(um_scan *s, const char *path, const char *format, int depth) {
    struct stat st, lst;
    if (depth == 0 && strcmp(path, "-") == 0) return add_stream(s, path, format);
    if (stat(path, &st) != 0) {
        if (depth > 0 && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode))
            return add_skipped(s, path, true, "skipped: broken symbolic link");
        um_scan_set_error(s, "%s: %s", path, strerror(errno));
        return UM_ENOTFOUND;
    }
    if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
        if (depth == 0 && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) || S_ISSOCK(st.st_mode)))
            return add_stream(s, path, format);
        char *why = um_arena_printf(&s->arena, "skipped: %s (name it on the command line to read it)",
                                    file_kind(st.st_mode));
        return add_skipped(s, path, depth > 0, why);
    }
    bool oom = false;
    const char *first = seen_before(s, &st, path, &oom);
    if (oom) return UM_ENOMEM;
    if (first) {
        char *why = S_ISDIR(st.st_mode)
                        ? um_arena_printf(&s->arena, "skipped: folder already read as %s (a symbolic-link loop or "
                                                     "overlapping inputs)", first)
                        : um_arena_printf(&s->arena, "skipped: same file as %s (read once)", first);
        return add_skipped(s, path, depth > 0, why);
    }
    if (!S_ISDIR(st.st_mode)) {
        /* case settings (read by the CLI) are not an input */
        if (depth > 0 && strcmp(um_basename_any(path), "unmask.conf") == 0) return UM_OK;
        return add_file(s, path, format, (uint64_t)st.st_size, depth > 0);
    }
    if (depth > s->max_depth) {
        char *why = um_arena_printf(&s->arena, "skipped: folder deeper than the depth limit (%d; --max-depth)",
                                    s->max_depth);
        return add_skipped(s, path, true, why);
    }
    /* A folder a reader takes whole (a git repository) is one input. */
    const um_reader *dr = format ? NULL : um_reader_for_dir(path);
    if (dr) {
        um_input *in = new_input(s, path);
        if (!in) return UM_ENOMEM;
        in->reader = dr;
        in->size = 0;
        in->is_dir = true;
        return UM_OK;
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

um_status um_scan_set_verdicts(um_scan *s, const char *case_db) {
    if (!case_db) return UM_EINVAL;
    char *c = um_strdup(case_db);
    if (!c) return UM_ENOMEM;
    um_free(s->verdicts_db);
    s->verdicts_db = c;
    return UM_OK;
}

const char *um_scan_verdicts_db(const um_scan *s) { return s ? s->verdicts_db : NULL; }

void um_scan_set_max_depth(um_scan *s, int depth) {
    if (s) s->max_depth = depth < 0 ? 0 : depth;
}

void um_scan_set_stream_timeout(um_scan *s, int ms) {
    if (s) s->stream_timeout_ms = ms < 0 ? 0 : ms;
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
        char dig[300];
        int dn = snprintf(dig, sizeof dig, "%s=%d", lc, a);
        s->mapping_digest = um_hash64(dig, dn > 0 && dn < (int)sizeof dig ? (size_t)dn : 0, s->mapping_digest + 1);
    }
    fclose(f);
    return st;
}
