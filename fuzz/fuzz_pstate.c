/*
 * fuzz_pstate.c - the loader of a person partition's saved state
 * (src/core/pstate.h, pmerge.c um_pa_load): what a worker sends the
 * coordinator, so hostile. The input is the state's bytes, loaded into
 * throwaway instances of a scan of the demo case (examples/demo, run once:
 * the states name its subjects; the corpus seeds are real states of that
 * scan in 8 partitions, so they reach every analyzer's loader).
 *
 * The seeds name the demo's 350 subjects: if the demo's subjects change,
 * the header refuses them ("state of another subject table") and they
 * reach no analyzer; write new ones from a partitioned run (um_pa_save of
 * each partition before the merge). The demo scan takes ~4 s at start
 * (more under load), so libFuzzer's fork mode pays it once per job.
 *
 * Inputs starting "UMT1" are subject tables (subtab.c) instead, loaded into
 * a fresh scan; "UMT1" alone stands for the demo scan's table.
 *
 * Checked: loading never crashes or leaks; a state that loads, saved again
 * and loaded again, saves to the same bytes (nothing lost or invented); a
 * proper prefix of a state that loads does not (truncation is an error).
 */
#include <string.h>

#include "core/scan.h"
#include "um_fuzz.h"

static um_scan *scan;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    return 0;
}

static um_scan *demo_scan(void) {
    if (scan) return scan;
    char demo[4096];
    snprintf(demo, sizeof demo, "%s/../examples/demo", um_fuzz_data_dir());
    if (um_scan_new(um_fuzz_ctx(), &scan) != UM_OK || um_scan_add_path(scan, demo, NULL) != UM_OK ||
        um_scan_run(scan, NULL, NULL) != UM_OK)
        um_fuzz_fail("pstate: the demo scan did not run", demo);
    return scan;
}

/* A subject table (subtab.c, "UMT1"): loaded into a fresh scan; the
 * input "UMT1" alone stands for the demo scan's own table. */
static void subject_table(um_scan *demo, const uint8_t *data, size_t size) {
    um_buf own, again;
    um_buf_init(&own);
    um_buf_init(&again);
    if (size == 4) {
        um_subtab_put(&own, demo);
        data = (const uint8_t *)own.s;
        size = own.len;
    }
    um_scan *s = NULL;
    const char *why = NULL;
    if (um_scan_new(um_fuzz_ctx(), &s) != UM_OK) um_fuzz_fail("pstate: no scan", NULL);
    if (um_subtab_load(s, data, size, &why) == UM_OK) {
        um_subtab_put(&again, s);
        um_scan *t = NULL;
        if (um_scan_new(um_fuzz_ctx(), &t) != UM_OK) um_fuzz_fail("pstate: no scan", NULL);
        if (um_subtab_load(t, again.s, again.len, &why) != UM_OK)
            um_fuzz_soft("pstate: a subject table saved from a loaded one does not load", why);
        um_scan_free(t);
        if (um_scan_new(um_fuzz_ctx(), &t) != UM_OK) um_fuzz_fail("pstate: no scan", NULL);
        if (um_subtab_load(t, data, size - 1, &why) == UM_OK) um_fuzz_soft("pstate: a truncated subject table loaded", NULL);
        um_scan_free(t);
    }
    um_scan_free(s);
    um_buf_free(&own);
    um_buf_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    um_scan *s = demo_scan();
    if (size >= 4 && memcmp(data, "UMT1", 4) == 0) {
        subject_table(s, data, size);
        return 0;
    }
    const char *why = NULL;
    um_buf again;
    um_buf_init(&again);
    if (um_pa_try_load(s, data, size, &again, &why) == UM_OK) {
        um_buf third;
        um_buf_init(&third);
        if (um_pa_try_load(s, again.s, again.len, &third, &why) != UM_OK)
            um_fuzz_soft("pstate: a state saved from a loaded one does not load", why);
        else if (third.len != again.len || memcmp(third.s, again.s, again.len) != 0)
            um_fuzz_soft("pstate: load + save is not a fixed point", NULL);
        um_buf_free(&third);
        if (size && um_pa_try_load(s, data, size - 1, NULL, &why) == UM_OK)
            um_fuzz_soft("pstate: a truncated state loaded", "one byte short");
        if (size > 1 && um_pa_try_load(s, data, size / 2, NULL, &why) == UM_OK)
            um_fuzz_soft("pstate: a truncated state loaded", "half");
    }
    um_buf_free(&again);
    return 0;
}
