/*
 * fuzz_screen.c - name and identifier screening (src/screen/norm.c and
 * screen.c) with arbitrary queries against the real bundled lists.
 *
 * The screener is opened once (LLVMFuzzerInitialize) over the bundled data
 * folder: UNMASK_DATA_DIR, else the repository's data/ - full OFAC SDN, the
 * UN consolidated list, the indicator lists and the Korean variant table.
 * It is immutable after opening, so reusing it across inputs is what the
 * API promises to allow.
 *
 * Input: the first byte is the selector, the rest the query text.
 *   bits 0-2: 0 any name, 1 person, 2 entity (names), 3 email, 4 wallet,
 *             5 github, 6 phone, 7 telegram (identifiers);
 *   bits 3-4: threshold (default, 0.5, 0.95, 0.01);
 *   bits 5-6: limit (default, 1, 50, 1000);
 *   bit 7:    for names, the text is "name\x1fdob\x1fcountry" (fields after
 *             the name optional); else the whole text is the name.
 * The text is cut at its first NUL (the API takes C strings).
 *
 * Checked: a name query fails only with UM_EINVAL when a dob or country was
 * given (both are validated), an identifier query never fails, results
 * stay within the limit with scores within 0..1 and ranked best first (a
 * soft check), every result string is readable, identifier matches score 1.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "um_fuzz.h"

static um_screener *g_screener;

static void close_screener(void) {
    um_screener_close(g_screener);
    g_screener = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    um_screener_options o = {0};
    o.data_dir = um_fuzz_data_dir();
    um_status st = um_screener_open(&g_screener, &o);
    if (st != UM_OK) um_fuzz_fail("um_screener_open over the bundled data", um_screener_errmsg(g_screener));
    size_t entries = 0, names = 0;
    um_screener_size(g_screener, &entries, &names);
    if (entries < 1000) um_fuzz_fail("the bundled lists look empty", um_fuzz_data_dir());
    atexit(close_screener);
    return 0;
}

static const char *const k_kinds[] = {"email", "wallet", "github", "phone", "telegram"};
static const double k_thresholds[] = {0, 0.5, 0.95, 0.01};
static const size_t k_limits[] = {0, 1, 50, 1000};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    if (!g_screener) LLVMFuzzerInitialize(NULL, NULL);
    unsigned sel = data[0];
    char *text = malloc(size); /* size - 1 bytes of text + NUL */
    if (!text) return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = 0;

    um_screen_result *r = NULL;
    unsigned op = sel & 7u;
    if (op < 3) {
        um_screen_query q = {0};
        q.name = text;
        q.type = op == 1 ? UM_SCREEN_PERSON : op == 2 ? UM_SCREEN_ENTITY : UM_SCREEN_ANY;
        q.threshold = k_thresholds[(sel >> 3) & 3u];
        q.limit = k_limits[(sel >> 5) & 3u];
        if (sel & 0x80) {
            char *us = strchr(text, '\x1f');
            if (us) {
                *us = 0;
                q.dob = us + 1;
                char *us2 = strchr(q.dob, '\x1f');
                if (us2) {
                    *us2 = 0;
                    q.country = us2 + 1;
                }
            }
        }
        um_status st = um_screen_name(g_screener, &q, &r);
        bool checked = (q.dob && *q.dob) || (q.country && *q.country);
        if (st == UM_OK) um_fuzz_screen_walk(r, q.limit ? q.limit : 10);
        else if (!(st == UM_ENOMEM || (st == UM_EINVAL && checked)))
            um_fuzz_fail("um_screen_name failed", um_status_str(st));
    } else {
        um_status st = um_screen_identifier(g_screener, k_kinds[op - 3], text, &r);
        if (st == UM_OK) {
            um_fuzz_screen_walk(r, SIZE_MAX);
            for (size_t i = 0; i < um_screen_result_count(r); i++)
                if (um_screen_result_match(r, i)->score != 1.0) um_fuzz_fail("identifier match scoring below 1", NULL);
        } else if (st != UM_ENOMEM) {
            um_fuzz_fail("um_screen_identifier failed", um_status_str(st));
        }
    }
    um_screen_result_free(r);
    free(text);
    return 0;
}
