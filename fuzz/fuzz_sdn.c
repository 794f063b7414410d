/*
 * fuzz_sdn.c - the OFAC SDN CSV loader (src/screen/lists.c) over arbitrary
 * bytes, through the public screening API.
 *
 * Input: the first byte picks the file the rest becomes (low two bits:
 * sdn.csv, alt.csv, add.csv, sdn_comments.csv) and the name query run
 * afterwards (the bits above). The other three files are small, valid,
 * made-up rows in the real format (no header, CRLF, "-0- " for empty,
 * the trailing 0x1A byte) whose ent_nums refer to each other, so aliases,
 * addresses and remark continuations land on existing entries (the
 * fixture of um_fuzz_sanctions()). All four go to a folder under the
 * harness's private folder (/dev/shm); the UN list and the data folder are
 * the fixture's (one UN record; the Korean variant table only).
 *
 * Checked: um_screener_open never fails on a bad file (bad rows are skipped
 * with a warning; the UN record always gives one name, so only
 * out-of-memory may fail), every load report string and every result
 * string is readable, results stay within the limit, scores within 0..1.
 */
#include <stdlib.h>
#include <string.h>

#include "um_fuzz.h"

static const um_screen_query k_queries[] = {
    {"Kim Jong Un", NULL, NULL, UM_SCREEN_ANY, 0, 0},
    {"\xea\xb9\x80\xec\xa0\x95\xec\x9d\x80", NULL, NULL, UM_SCREEN_PERSON, 0, 0}, /* 김정은 */
    {"\xd0\x9a\xd0\xb8\xd0\xbc \xd0\xa7\xd0\xb5\xd0\xbd \xd0\xab\xd0\xbd", "1984", "KP", UM_SCREEN_PERSON, 0,
     0}, /* Ким Чен Ын */
    {"Korea Mining Development Trading Corp", NULL, "North Korea", UM_SCREEN_ENTITY, 0.5, 3},
    {"KIM Jong-eun", "1984-01-08", NULL, UM_SCREEN_ANY, 0.3, 50},
    {"Ri Su-yong", NULL, NULL, UM_SCREEN_ANY, 0.01, 100},
    {"Chong Chon Gang", NULL, NULL, UM_SCREEN_ANY, 0, 0},
    {"KOMID", NULL, NULL, UM_SCREEN_ENTITY, 0, 0},
};

static char g_ofac[512];
static const um_fuzz_lists *g_fx;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    g_fx = um_fuzz_sanctions();
    snprintf(g_ofac, sizeof g_ofac, "%s", um_fuzz_mkdir("ofac"));
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    unsigned pick = data[0] & 3u;
    const um_screen_query *q = &k_queries[(data[0] >> 2) % (sizeof k_queries / sizeof k_queries[0])];
    for (unsigned i = 0; i < 4; i++) {
        const char *text;
        size_t len;
        char name[64];
        snprintf(name, sizeof name, "ofac/%s", um_fuzz_ofac_file(i, &text, &len));
        if (i == pick) um_fuzz_write(name, data + 1, size - 1);
        else um_fuzz_write(name, (const uint8_t *)text, len);
    }
    um_screener_options o = {0};
    o.data_dir = g_fx->data_dir;
    o.ofac_dir = g_ofac;
    o.un_xml = g_fx->un_xml;
    /* identifiers from remarks, as the loader canonicalised them */
    um_fuzz_screen_once(&o, q, (data[0] & 4) ? "wallet" : "email",
                        (data[0] & 4) ? "1PfwHNxUnkpfkK9MKjMqzR3Xq3KCtq9u17" : "KJU@example.kp",
                        "um_screener_open failed on a bad OFAC file");
    return 0;
}
