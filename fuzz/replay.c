/*
 * replay.c - a stand-in for libFuzzer's main() in builds without it (gcc,
 * the dev and ASan presets): runs LLVMFuzzerTestOneInput() once over every
 * file named on the command line and every file under the folders named
 * (sorted, hidden entries skipped). ctest uses it to replay the corpus folders
 * so every crash ever found stays fixed.
 *
 * Options libFuzzer would take (arguments starting with '-') are ignored.
 * Exit status: 0 when every input ran, 1 when a file could not be read (a
 * crash aborts the process, which ctest reports).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "um_fuzz.h"

static size_t g_runs, g_failed;

static int cmp_names(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void run_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        g_failed++;
        return;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    int err = ferror(f);
    fclose(f);
    if (!buf || err) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        free(buf);
        g_failed++;
        return;
    }
    /* an exact-size copy, so reads past the end are caught under ASan */
    uint8_t *exact = malloc(n ? n : 1);
    if (!exact) {
        free(buf);
        g_failed++;
        return;
    }
    memcpy(exact, buf, n);
    free(buf);
    if (getenv("UM_REPLAY_VERBOSE")) fprintf(stderr, "replay: %s (%zu bytes)\n", path, n);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    g_runs++;
}

static void run_path(const char *path, int depth) {
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: %s not found\n", path);
        g_failed++;
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        run_file(path);
        return;
    }
    if (depth > 8) return;
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "replay: cannot open folder %s\n", path);
        g_failed++;
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            char **nn = realloc(names, nc * sizeof *nn);
            if (!nn) break;
            names = nn;
            cap = nc;
        }
        names[n] = strdup(e->d_name);
        if (names[n]) n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(path) + strlen(names[i]) + 2;
        char *child = malloc(len);
        if (child) {
            snprintf(child, len, "%s/%s", path, names[i]);
            run_path(child, depth + 1);
            free(child);
        }
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv) {
    LLVMFuzzerInitialize(&argc, &argv);
    int inputs = 0;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-') continue;
        run_path(argv[i], 0);
        inputs++;
    }
    if (!inputs) {
        fprintf(stderr, "usage: %s FILE|FOLDER...\n", argv[0]);
        return 2;
    }
    printf("replay: %zu input(s) ran, %zu unreadable\n", g_runs, g_failed);
    return g_failed ? 1 : 0;
}
