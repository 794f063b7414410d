/*
 * fuzz_detect.c - format detection: every reader's detect() and
 * um_reader_detect() over an arbitrary file head, as the scanner calls them
 * (at most 8 KiB, NUL after the last byte read). The first input byte picks
 * the file name, so name-based hints are reached too.
 *
 * Checked: each confidence is within 0..100 and um_reader_detect() returns
 * a reader whose own confidence is the highest (and at least 30) or NULL.
 */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "um_fuzz.h"

#define UM_FUZZ_HEAD 8192

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const names[] = {
        "input",        "in.csv",         "in.json",      "in.jsonl",        "in.evtx",
        "in.log",       "in.txt",         "conn.log",     "rfb.log",         "rdp.log",
        "signins.json", "okta.json",      "Security.evtx", "git.log",        "HEAD",
        "usb.txt",      "/x/y/dmesg",     "C:\\logs\\a.JSON", "payroll.CSV", ".hidden",
        "",             "a.tsv",          "lsusb.txt",    "sysmon.json",     "winlogbeat.ndjson"};
    size_t which = size ? data[0] % (sizeof names / sizeof names[0]) : 0;
    const char *head_in = size ? (const char *)data + 1 : "";
    size_t n = size ? size - 1 : 0;
    if (n > UM_FUZZ_HEAD) n = UM_FUZZ_HEAD;
    char *head = malloc(n + 1);
    if (!head) return 0;
    memcpy(head, head_in, n);
    head[n] = 0;
    const char *path = names[which];
    int best = 29;
    for (size_t i = 0; i < um_reader_count(); i++) {
        const um_reader *r = um_reader_at(i);
        if (!r->detect) continue;
        int sc = r->detect(path, head, n);
        if (sc < 0 || sc > 100) um_fuzz_soft("detect: confidence out of 0..100", r->name);
        if (sc > best) best = sc;
    }
    const um_reader *got = um_reader_detect(path, head, n);
    if (got) {
        int sc = got->detect(path, head, n);
        if (sc != best) um_fuzz_soft("detect: um_reader_detect did not pick the highest", got->name);
    } else if (best > 29) {
        um_fuzz_soft("detect: a reader was confident but none was picked", NULL);
    }
    free(head);
    return 0;
}
