/*
 * fuzz_caseconf.c - the case settings file (unmask.conf in an input
 * folder: "approved_rmm = A,B", "fail_on = review") as the library reads it
 * (um_case_settings_read), then the approved-tool list as the library
 * splits it in um_ctx_open().
 */
#include <string.h>

#include "core/internal.h"
#include "um_fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    um_fuzz_tmpdir();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    um_fuzz_write("unmask.conf", data, size);
    um_case_settings cc;
    memset(&cc, 0x5a, sizeof cc); /* init must set every field */
    um_case_settings_init(&cc);
    char err[4400];
    memset(err, 0x5a, sizeof err);
    um_status rc = um_case_settings_read(um_fuzz_tmpdir(), &cc, err, sizeof err);
    if (rc != UM_OK && rc != UM_EPARSE && rc != UM_EINVAL) um_fuzz_fail("caseconf: unexpected status", NULL);
    if (!memchr(cc.approved_rmm, 0, sizeof cc.approved_rmm) || !memchr(err, 0, sizeof err))
        um_fuzz_fail("caseconf: setting or message not NUL-terminated", NULL);
    if (rc != UM_OK && !err[0]) um_fuzz_fail("caseconf: error without a message", NULL);
    if (cc.fail_on != -1 && (cc.fail_on < 1 || cc.fail_on > 3)) um_fuzz_fail("caseconf: fail_on out of range", NULL);
    if (cc.approved_rmm[0]) {
        /* the data folder is the (list-less) temporary folder: the
         * context opens fast and only the approved-tool list is parsed */
        um_ctx_options o = {0};
        o.data_dir = um_fuzz_tmpdir();
        o.approved_rmm = cc.approved_rmm;
        um_ctx *ctx = NULL;
        if (um_ctx_open(&ctx, &o) == UM_OK) {
            (void)um_ctx_rmm_approved(ctx, "TeamViewer");
            (void)um_ctx_rmm_approved(ctx, "");
            /* the first listed tool, trimmed, must be approved */
            char first[sizeof cc.approved_rmm];
            size_t n = strcspn(cc.approved_rmm, ",");
            memcpy(first, cc.approved_rmm, n);
            first[n] = 0;
            const char *t = um_trim(first);
            if (*t && !um_ctx_rmm_approved(ctx, t)) um_fuzz_soft("caseconf: first approved tool not approved", t);
        }
        um_ctx_close(ctx);
    }
    return 0;
}
