/*
 * fuzz_reader.c - one reader over arbitrary bytes, through the public scan
 * API. Compiled once per reader: -DUM_FUZZ_READER="okta" names the reader
 * (its --format name) and -DUM_FUZZ_EXT=".json" the input file's suffix.
 *
 * Each input is written to a file in the harness's private folder (readers
 * are handed a path; libevtx opens it itself and needs it seekable), read
 * with the reader forced, and every result is walked. The reader contract
 * (src/core/internal.h) says bad records are rejects, never errors, so a
 * scan over a regular file that fails for any reason but memory is a bug.
 */
#include <stdbool.h>
#include <string.h>

#include "um_fuzz.h"

#ifndef UM_FUZZ_READER
#error "UM_FUZZ_READER must name a reader"
#endif
#ifndef UM_FUZZ_EXT
#define UM_FUZZ_EXT ".txt"
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    bool found = false;
    for (size_t i = 0; i < um_reader_count(); i++)
        if (strcmp(um_reader_name(i), UM_FUZZ_READER) == 0) found = true;
    if (!found) um_fuzz_fail("no such reader", UM_FUZZ_READER);
    um_fuzz_ctx();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *path = um_fuzz_write("input" UM_FUZZ_EXT, data, size);
    um_status st = um_fuzz_scan(path, UM_FUZZ_READER, NULL);
    if (st != UM_OK && st != UM_ENOMEM) um_fuzz_fail("reader failed the scan on a regular file", um_status_str(st));
    return 0;
}
