/*
 * fuzz_mapping.c - the column-mapping file (um_scan_set_mapping(), the
 * --mapping option) and its use by the identity CSV reader.
 *
 * Input: mapping text, optionally followed by a line "%%" and a CSV export
 * to read with it; without "%%" a fixed semicolon-separated export whose
 * columns the seeds map is used. A mapping the parser refuses is a normal
 * outcome (UM_EPARSE with a message); anything else must scan cleanly.
 */
#include <stdbool.h>
#include <string.h>

#include "um_fuzz.h"

static const char k_default_csv[] =
    "Cand #;Nom complet;Courriel perso;Tel;Notes;Pays;Fuseau\n"
    "C-400;Jon Kim;jon.kim@example.com;+1 415-555-0123;met at meetup;US;America/New_York\n"
    "C-401;Kai Lu;kai.lu@example.com;;;;\n"
    "C-402;Jon Kim;jon.kim@example.com;+1 415 555 0123;x;Canada;UTC-5\n";

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    um_fuzz_ctx();
    return 0;
}

/* Start of the "%%" separator line in data, or NULL. */
static const uint8_t *find_sep(const uint8_t *data, size_t size) {
    for (size_t i = 0; i + 2 <= size; i++)
        if ((i == 0 || data[i - 1] == '\n') && data[i] == '%' && data[i + 1] == '%' &&
            (i + 2 == size || data[i + 2] == '\n'))
            return data + i;
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const uint8_t *sep = find_sep(data, size);
    size_t map_len = sep ? (size_t)(sep - data) : size;
    char map_path[600], csv_path[600];
    snprintf(map_path, sizeof map_path, "%s", um_fuzz_write("mapping.txt", data, map_len));
    if (sep) {
        size_t skip = map_len + 2 + (map_len + 2 < size);
        snprintf(csv_path, sizeof csv_path, "%s",
                 um_fuzz_write("export.csv", data + skip, size - skip));
    } else {
        snprintf(csv_path, sizeof csv_path, "%s",
                 um_fuzz_write("export.csv", (const uint8_t *)k_default_csv, sizeof k_default_csv - 1));
    }
    um_status st = um_fuzz_scan(csv_path, "person-csv", map_path);
    if (st != UM_OK && st != UM_EPARSE && st != UM_ENOMEM)
        um_fuzz_fail("mapping: unexpected status", um_status_str(st));
    return 0;
}
