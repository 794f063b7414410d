/*
 * fuzz_journal.c - the journal reader (src/core/journal.c) over arbitrary
 * bytes, through the public API: a case is built once (a small Okta log and
 * an HR export, journals kept); each input replaces the Okta file's journal
 * and a scan adds to the case (um_scan_add_case) and runs. A damaged
 * journal is an error (UM_EPARSE, "damaged") or an unusable one (the file
 * is read again); never a crash, an out-of-range attribute or a leak. The
 * corpus holds the real journals, so mutations start past the header.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "um_fuzz.h"

static char case_dir[4096], journal[4200];

static const char okta[] =
    "{\"uuid\":\"u1\",\"published\":\"2026-02-10T15:00:00.000Z\",\"eventType\":\"user.session.start\","
    "\"actor\":{\"alternateId\":\"ann.lee@corp.example\",\"displayName\":\"Ann Lee\"},"
    "\"client\":{\"ipAddress\":\"73.12.4.5\",\"geographicalContext\":{\"city\":\"Austin\",\"country\":\"United States\"}},"
    "\"outcome\":{\"result\":\"SUCCESS\"},\"securityContext\":{\"isProxy\":false}}\n";
static const char hr[] = "Employee ID,Full Name,Work Email,Okta Login,Phone\n"
                         "E1,Ann Lee,ann.lee@corp.example,ann.lee@corp.example,+1 512 555 0100\n";

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    um_ctx *ctx = um_fuzz_ctx();
    char okp[4096], hrp[4096];
    snprintf(okp, sizeof okp, "%s", um_fuzz_write("okta.jsonl", (const uint8_t *)okta, sizeof okta - 1));
    snprintf(hrp, sizeof hrp, "%s", um_fuzz_write("hr.csv", (const uint8_t *)hr, sizeof hr - 1));
    snprintf(case_dir, sizeof case_dir, "%s/case", um_fuzz_tmpdir());
    um_scan *s = NULL;
    if (um_scan_new(ctx, &s) != UM_OK || um_scan_keep_journal(s, case_dir, true) != UM_OK ||
        um_scan_add_path(s, hrp, NULL) != UM_OK || um_scan_add_path(s, okp, NULL) != UM_OK ||
        um_scan_run(s, NULL, NULL) != UM_OK || um_scan_write_outputs(s, case_dir) != UM_OK)
        um_fuzz_fail("cannot build the case", s ? um_scan_errmsg(s) : "");
    um_scan_free(s);
    /* the Okta file's journal: the one named -okta.umj */
    char cmd[8300];
    snprintf(cmd, sizeof cmd, "ls %s/journal/*-okta.umj", case_dir);
    FILE *p = popen(cmd, "r");
    if (!p || !fgets(journal, sizeof journal, p)) um_fuzz_fail("no journal for the Okta file", case_dir);
    pclose(p);
    journal[strcspn(journal, "\n")] = 0;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    FILE *f = fopen(journal, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) um_fuzz_fail("cannot write", journal);
    um_scan *s = NULL;
    if (um_scan_new(um_fuzz_ctx(), &s) != UM_OK) um_fuzz_fail("um_scan_new", "");
    um_status st = um_scan_add_case(s, case_dir, true);
    if (st == UM_OK) st = um_scan_run(s, NULL, NULL);
    if (st == UM_OK) um_fuzz_walk(s);
    else if (st != UM_EPARSE && st != UM_ENOMEM) um_fuzz_fail("add to a case failed", um_scan_errmsg(s));
    um_scan_free(s);
    return 0;
}
