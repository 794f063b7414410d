/*
 * registry.c - the one table of readers. Adding a reader: one file that
 * defines `const um_reader um_reader_NAME`, plus one line in readers.def.
 */
#include <string.h>

#include "../core/internal.h"

#define UM_READER(name) extern const um_reader um_reader_##name;
#include "readers.def"
#undef UM_READER

static const um_reader *const readers[] = {
#define UM_READER(name) &um_reader_##name,
#include "readers.def"
#undef UM_READER
};

size_t um_reader_count(void) { return UM_ARRAY_LEN(readers); }
const um_reader *um_reader_at(size_t i) { return i < UM_ARRAY_LEN(readers) ? readers[i] : NULL; }
const char *um_reader_name(size_t i) { return i < UM_ARRAY_LEN(readers) ? readers[i]->name : NULL; }
const char *um_reader_description(size_t i) {
    return i < UM_ARRAY_LEN(readers) ? readers[i]->description : NULL;
}

const um_reader *um_reader_find(const char *name) {
    for (size_t i = 0; i < UM_ARRAY_LEN(readers); i++)
        if (strcmp(readers[i]->name, name) == 0) return readers[i];
    return NULL;
}

const um_reader *um_reader_detect(const char *path, const char *head, size_t n) {
    /* Below 30 a guess is too weak to act on: the file is reported as not
     * recognised and --format can name its reader. */
    const um_reader *best = NULL;
    int best_score = 29;
    for (size_t i = 0; i < UM_ARRAY_LEN(readers); i++) {
        int sc = readers[i]->detect ? readers[i]->detect(path, head, n) : 0;
        if (sc > best_score) {
            best_score = sc;
            best = readers[i];
        }
    }
    return best;
}

const um_reader *um_reader_for_dir(const char *path) {
    for (size_t i = 0; i < UM_ARRAY_LEN(readers); i++)
        if (readers[i]->claims_dir && readers[i]->claims_dir(path)) return readers[i];
    return NULL;
}

const um_reader *um_reader_for_mapped_csv(void) {
    for (size_t i = 0; i < UM_ARRAY_LEN(readers); i++)
        if (readers[i]->takes_mapped_csv) return readers[i];
    return NULL;
}
