/*
 * registry.c - the one table of analyzers. Adding an analyzer: one file that
 * defines `const um_analyzer um_analyzer_NAME`, plus one line in
 * analyzers.def. Analyzers run in table order.
 */
#include "../core/internal.h"

#define UM_ANALYZER(name) extern const um_analyzer um_analyzer_##name;
#include "analyzers.def"
#undef UM_ANALYZER

static const um_analyzer *const analyzers[] = {
#define UM_ANALYZER(name) &um_analyzer_##name,
#include "analyzers.def"
#undef UM_ANALYZER
};

size_t um_analyzer_count(void) { return UM_ARRAY_LEN(analyzers); }
const um_analyzer *um_analyzer_at(size_t i) {
    return i < UM_ARRAY_LEN(analyzers) ? analyzers[i] : NULL;
}

int um_analyzer_index(const um_analyzer *a) {
    for (size_t i = 0; i < UM_ARRAY_LEN(analyzers); i++)
        if (analyzers[i] == a) return (int)i;
    return -1;
}
