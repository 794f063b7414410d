/*
 * fuzz_caseconf.c - the case settings file (unmask.conf in an input
 * folder: "approved_rmm = A,B", "fail_on = review") as the CLI reads it,
 * then the approved-tool list as the library splits it in um_ctx_open().
 *
 * The parser is a static function of the CLI, so this file includes
 * cli/unmask.c with its main() renamed; nothing of the CLI is changed.
 * Messages the CLI prints for a bad file go to stderr (run with
 * -close_fd_mask=2 to silence them).
 */
#define main um_fuzz_cli_main_unused
#include "../cli/unmask.c"
#undef main

#include "core/internal.h"
#include "um_fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    um_fuzz_tmpdir();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    um_fuzz_write("unmask.conf", data, size);
    case_conf cc;
    memset(&cc, 0x5a, sizeof cc); /* the CLI zeroes it; check no field is read unset */
    cc.approved_rmm[0] = 0;
    cc.fail_on[0] = 0;
    int rc = read_case_conf(um_fuzz_tmpdir(), &cc);
    if (rc != 0 && rc != -1) um_fuzz_fail("caseconf: unexpected return", NULL);
    if (!memchr(cc.approved_rmm, 0, sizeof cc.approved_rmm) || !memchr(cc.fail_on, 0, sizeof cc.fail_on))
        um_fuzz_fail("caseconf: setting not NUL-terminated", NULL);
    if (cc.fail_on[0]) {
        int f = parse_fail_on(cc.fail_on);
        if (f != -1 && (f < 1 || f > 3)) um_fuzz_fail("caseconf: fail_on out of range", cc.fail_on);
    }
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
