/*
 * fuzz_csv.c - the RFC 4180 record reader (src/util/csv.h) over arbitrary
 * bytes. The first byte picks the separator (',', ';', tab, '|', or the one
 * um_csv_sniff_sep() guesses from the rest); the rest is the stream.
 *
 * Checked: field count within UM_CSV_MAX_FIELDS, every field NUL-terminated
 * at its stated length (the header promises embedded NULs make the record
 * bad), line numbers never going backwards, and the reader ending.
 */
#include <string.h>

#include "um_fuzz.h"
#include "util/csv.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    static const char seps[] = {',', ';', '\t', '|'};
    const char *body = (const char *)data + 1;
    size_t n = size - 1;
    char sep = data[0] < 4 * 50 ? seps[data[0] % 4] : um_csv_sniff_sep(body, n);
    FILE *f = um_fuzz_stream(data + 1, n);
    um_csv c;
    um_csv_init(&c, f, sep);
    uint64_t last_line = 0, records = 0;
    for (;;) {
        size_t nf = 0;
        const char *reason = NULL;
        um_csv_res r = um_csv_next(&c, &nf, &reason);
        if (r == UM_CSV_EOF) break;
        if (++records > size + 2) um_fuzz_fail("csv: more records than input bytes", NULL);
        if (c.line < last_line) um_fuzz_fail("csv: line numbers went backwards", NULL);
        last_line = c.line;
        if (r == UM_CSV_BAD) {
            if (!reason) um_fuzz_fail("csv: bad record without a reason", NULL);
            continue;
        }
        if (nf > UM_CSV_MAX_FIELDS) um_fuzz_fail("csv: too many fields", NULL);
        for (size_t i = 0; i < nf; i++) {
            if (!c.fields[i]) um_fuzz_fail("csv: NULL field", NULL);
            if (strlen(c.fields[i]) != c.lens[i]) um_fuzz_fail("csv: field length differs from strlen", NULL);
        }
    }
    um_csv_free(&c);
    fclose(f);
    return 0;
}
