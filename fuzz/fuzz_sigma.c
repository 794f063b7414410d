/*
 * fuzz_sigma.c - the Sigma compiler (src/sigma/compile.c) over arbitrary
 * YAML, then the matcher and the correlation state over a few fixed events.
 *
 * Checked: compiling never fails except for memory; every refusal has a file
 * and a message; every loaded rule has its info; matching only reports
 * loaded rules with fields that point into the event.
 */
#include <string.h>

#include "sigma/sigma.h"
#include "um_fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    return 0;
}

typedef struct fctx {
    const um_sigma_db *db;
    const um_sigma_event *ev;
    um_sigma_scratch *s;
    um_sigma_corr *corr;
} fctx;

static int on_corr(void *ud, const um_sigma_hit *h) {
    fctx *c = ud;
    if (!um_sigma_rule_at(c->db, h->rule) || !h->group_key) um_fuzz_fail("sigma: bad correlation hit", NULL);
    return 0;
}

static int on_hit(void *ud, const um_sigma_hit *h) {
    fctx *c = ud;
    if (!um_sigma_rule_at(c->db, h->rule)) um_fuzz_fail("sigma: hit of a rule not loaded", NULL);
    for (size_t i = 0; i < h->nfields; i++) {
        bool inside = false;
        for (size_t k = 0; k < c->ev->n; k++)
            if (h->fields[i].value == c->ev->f[k].value) inside = true;
        if (!inside || !h->fields[i].name) um_fuzz_fail("sigma: hit field not from the event", NULL);
    }
    um_sigma_corr_feed(c->corr, c->s, h, c->ev, on_corr, c);
    return 0;
}

#define KV(n, v) {n, sizeof(n) - 1, v, sizeof(v) - 1}
static const um_sigma_kv ev1[] = {
    KV("EventID", "1"), KV("Channel", "Microsoft-Windows-Sysmon/Operational"), KV("Computer", "pc1"),
    KV("Image", "C:\\Windows\\System32\\cmd.exe"), KV("CommandLine", "cmd.exe /c whoami -all"),
    KV("ParentImage", "C:\\Windows\\explorer.exe"), KV("User", "CORP\\alice"), KV("DestinationIp", "10.1.2.3"),
    KV("Count", "12"), KV("Empty", ""),
};
static const um_sigma_kv ev2[] = {
    KV("EventID", "4688"), KV("Channel", "Security"), KV("Computer", "pc1"),
    KV("NewProcessName", "C:\\Temp\\AnyDesk.exe"), KV("ParentProcessName", "C:\\Windows\\explorer.exe"),
    KV("CommandLine", "AnyDesk.exe --silent"), KV("SubjectUserName", "alice"),
};
static const um_sigma_kv ev3[] = {
    KV("event_id", "10"), KV("provider_name", "Microsoft-Windows-Sysmon"), KV("winlog.event_data.TargetImage",
    "C:\\Program Files\\TeamViewer\\TeamViewer.exe"), KV("SourceImage", "C:\\x\\y.exe"), KV("GrantedAccess", "0x1410"),
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    um_sigma_compiler *c = NULL;
    if (um_sigma_compiler_new(&c) != UM_OK) um_fuzz_fail("sigma: compiler_new", NULL);
    if (um_sigma_add_text(c, "fuzz.yml", (const char *)data, size) != UM_OK) um_fuzz_fail("sigma: add_text", NULL);
    for (size_t i = 0; i < um_sigma_refusal_count(c); i++) {
        const um_sigma_refusal *r = um_sigma_refusal_at(c, i);
        if (!r || !r->file || !r->message || !*r->message) um_fuzz_fail("sigma: refusal without a message", NULL);
    }
    um_sigma_db *db = NULL;
    if (um_sigma_compile(c, &db) == UM_OK) {
        for (size_t i = 0; i < um_sigma_rule_count(db); i++) {
            const um_sigma_rule_info *ri = um_sigma_rule_at(db, i);
            if (ri && (!ri->file || !ri->logsource)) um_fuzz_fail("sigma: rule info incomplete", NULL);
        }
        fctx f = {db, NULL, NULL, NULL};
        if (um_sigma_scratch_new(db, &f.s) == UM_OK && um_sigma_corr_new(db, 16, &f.corr) == UM_OK) {
            const um_sigma_event evs[] = {{ev1, sizeof ev1 / sizeof ev1[0], 1000000, NULL},
                                          {ev2, sizeof ev2 / sizeof ev2[0], 2000000, NULL},
                                          {ev3, sizeof ev3 / sizeof ev3[0], 3000000, NULL}};
            for (int round = 0; round < 2; round++)
                for (size_t k = 0; k < 3; k++) {
                    f.ev = &evs[k];
                    um_sigma_match(db, f.s, &evs[k], on_hit, &f);
                }
        }
        um_sigma_corr_free(f.corr);
        um_sigma_scratch_free(f.s);
        um_sigma_db_free(db);
    }
    um_sigma_compiler_free(c);
    return 0;
}
