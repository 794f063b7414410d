/*
 * registry.c - the one table of sinks. Adding a sink: one file that defines
 * `const um_sink um_sink_NAME`, plus one line in sinks.def.
 */
#include "../core/internal.h"

#define UM_SINK(name) extern const um_sink um_sink_##name;
#include "sinks.def"
#undef UM_SINK

static const um_sink *const sinks[] = {
#define UM_SINK(name) &um_sink_##name,
#include "sinks.def"
#undef UM_SINK
};

size_t um_sink_count(void) { return UM_ARRAY_LEN(sinks); }
const um_sink *um_sink_at(size_t i) { return i < UM_ARRAY_LEN(sinks) ? sinks[i] : NULL; }
