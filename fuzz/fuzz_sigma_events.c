/*
 * fuzz_sigma_events.c - the event-file input of `unmask rules match`
 * (src/sigma/input.c: JSON object splitting, the JSON-lines fast path and
 * the Windows JSON bag; Okta / Entra sign-ins mapped and flattened, Graph
 * pages) over arbitrary bytes, matched against a fixed rule
 * set. Checked: records never outnumber input bytes; every reject has a
 * reason; line numbers never go backwards.
 */
#include <string.h>

#include "sigma/input.h"
#include "um_fuzz.h"

static um_sigma_db *db;
static um_sigma_scratch *scratch;

static const char rules[] =
    "title: a\nid: a\nlogsource: {product: windows, category: process_creation}\n"
    "detection: {sel: {Image|endswith: ['\\cmd.exe', '\\AnyDesk.exe'], CommandLine|contains|all: [a, b]},"
    " kw: [whoami], condition: sel or kw}\n---\n"
    "title: b\nid: b\nlogsource: {product: windows}\ndetection: {s: {EventID: 10, TargetImage|re: '(?i)team.*'}, condition: s}\n---\n"
    "title: c\nid: c\nlogsource: {product: okta, service: okta}\n"
    "detection: {s: {client.ipAddress|cidr: 73.0.0.0/8, debugContext.debugData.dtHash: '*'}, condition: s}\n---\n"
    "title: d\nid: d\nlogsource: {product: azure, service: signinlogs}\n"
    "detection: {s: {status.errorCode: 0, location.geoCoordinates.latitude|startswith: '3'}, condition: s}\n";

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    return 0;
}

typedef struct st {
    uint64_t n, last;
} st;

static int hit(void *ud, const um_sigma_hit *h) {
    (void)ud, (void)h;
    return 0;
}

static int on_rec(void *ud, const um_sigma_record *r, const char *file, uint64_t line, const char *why) {
    st *s = ud;
    s->n++;
    if (line < s->last) um_fuzz_fail("sigma input: line numbers went backwards", file);
    s->last = line;
    if (!r) {
        if (!why || !*why) um_fuzz_fail("sigma input: reject without a reason", file);
        return 0;
    }
    um_sigma_match(db, scratch, &r->ev, hit, NULL);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!db) {
        um_sigma_compiler *c = NULL;
        if (um_sigma_compiler_new(&c) != UM_OK || um_sigma_add_text(c, "r.yml", rules, sizeof rules - 1) != UM_OK ||
            um_sigma_refusal_count(c) || um_sigma_compile(c, &db) != UM_OK || um_sigma_scratch_new(db, &scratch) != UM_OK)
            um_fuzz_fail("sigma input: fixed rules do not compile", NULL);
        um_sigma_compiler_free(c);
    }
    const char *path = um_fuzz_write("events.json", data, size);
    st s = {0, 0};
    um_sigma_input_stats is;
    um_sigma_read_file(path, on_rec, &s, &is);
    if (s.n > size + 1) um_fuzz_fail("sigma input: more records than bytes", path);
    return 0;
}
