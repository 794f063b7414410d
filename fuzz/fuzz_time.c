/*
 * fuzz_time.c - the timestamp parsers (src/util/timeparse.h) over arbitrary
 * bytes, handed the exact input buffer (no NUL after it) so any read past n
 * shows up under ASan.
 *
 * Checked: a parsed ISO time formats with um_time_format() and parses back
 * to the same instant; offsets stay within +-14:59; um_time_from_civil()
 * over integers taken from the input agrees with the ISO parser.
 */
#include <stdbool.h>
#include <string.h>

#include "um_fuzz.h"
#include "util/timeparse.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    return 0;
}

/* 9999-12-31T23:59:59Z: the last instant the parsers accept in UTC */
#define UM_FUZZ_MAX_US (253402300799LL * 1000000 + 999999)

static void round_trip(int64_t us, const char *what) {
    if (us < 0 || us > UM_FUZZ_MAX_US) return; /* offsets can push past the parseable range */
    char out[64];
    um_time_format(us, out, sizeof out);
    int64_t back = 0;
    bool has_tz = false;
    int tz = 1;
    if (!um_time_parse_iso(out, strlen(out), &back, &tz, &has_tz)) um_fuzz_soft("time: formatted time does not parse", what);
    if (back != us || !has_tz || tz != 0) um_fuzz_soft("time: format/parse round trip differs", what);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *s = (const char *)data;
    int64_t us = 0;
    int tz = 0;
    bool has_tz = false;
    if (um_time_parse_iso(s, size, &us, &tz, &has_tz)) {
        if (tz < -(14 * 60 + 59) || tz > 14 * 60 + 59) um_fuzz_soft("time: iso offset out of range", NULL);
        if (!has_tz && tz != 0) um_fuzz_soft("time: offset without a zone", NULL);
        round_trip(us, "iso");
    }
    if (um_time_parse_iso(s, size, &us, NULL, NULL)) round_trip(us, "iso (no tz out)");
    if (um_time_parse_epoch(s, size, &us)) {
        if (us < 0) um_fuzz_soft("time: negative epoch", NULL);
        round_trip(us, "epoch");
    }
    if (um_time_parse_git(s, size, &us, &tz)) {
        if (tz < -(99 * 60 + 99) || tz > 99 * 60 + 99) um_fuzz_soft("time: git offset out of range", NULL);
        round_trip(us, "git");
    }
    if (size >= 6 * sizeof(int)) {
        int v[6];
        memcpy(v, data, sizeof v);
        int64_t e = 0;
        if (um_time_from_civil(v[0], v[1], v[2], v[3], v[4], v[5], &e)) {
            char iso[64];
            snprintf(iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d:%02dZ", v[0], v[1], v[2], v[3], v[4], v[5]);
            int64_t p = 0;
            if (!um_time_parse_iso(iso, strlen(iso), &p, NULL, NULL) || p != e * 1000000)
                um_fuzz_soft("time: civil and iso disagree", iso);
        }
    }
    char out[8]; /* a short output buffer must truncate, not overflow */
    um_time_format(us, out, sizeof out);
    return 0;
}
