/* test_pmerge.c - the fold of one finding made in two person partitions
 * (um_finding_fold, src/core/findings.c; used by the merge in
 * src/core/pmerge.c): counts add, first/last widen, weight and strength
 * the larger, evidence the first three samples by position, the seen-event
 * sets united; and the same analysis over K partitions through the library
 * API equals the one without (the demo case; tests/e2e/partitions.sh
 * compares every output file). */
#include "core/scan.h"
#include "detect/net.h"
#include "harness.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void sample(um_finding *f, uint64_t pos, const char *file, uint64_t line) {
    size_t n = f->info.n_evidence++;
    f->ev[n].file = file;
    f->ev[n].line = line;
    f->ev_pos[n] = pos;
}

static void seen(um_finding *f, const uint64_t *h, size_t n) {
    f->cap_seen = 16;
    f->seen = um_calloc(16, sizeof *f->seen);
    for (size_t i = 0; i < n; i++) f->seen[h[i] & 15] = h[i]; /* distinct low bits: no probing */
    f->n_seen = (uint32_t)n;
}

static void t_fold(void) {
    um_finding a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    a.info.count = 2;
    a.info.first_us = 100;
    a.info.last_us = 200;
    a.info.weight = 20;
    a.strength = UM_WEAK;
    a.info.strength = "weak";
    a.info.summary = "made first";
    sample(&a, 64 * 10 + 3, "x.log", 10);
    sample(&a, 64 * 30 + 3, "x.log", 30);
    b.info.count = 5;
    b.info.first_us = 50;
    b.info.last_us = 150;
    b.info.weight = 30;
    b.strength = UM_MEDIUM;
    b.info.strength = "medium";
    b.info.summary = "made later";
    sample(&b, 64 * 20 + 3, "y.log", 20);
    sample(&b, 64 * 40 + 3, "y.log", 40);
    sample(&b, 64 * 50 + 3, "y.log", 50);
    uint64_t ha[] = {0x11, 0x22}, hb[] = {0x22, 0x33, 0x44};
    seen(&a, ha, 2);
    seen(&b, hb, 3);
    um_finding_fold(&a, &b);
    CHECK_INTEQ(a.info.count, 7);
    CHECK_INTEQ(a.info.first_us, 50);
    CHECK_INTEQ(a.info.last_us, 200);
    CHECK_INTEQ(a.info.weight, 30);
    CHECK(a.strength == UM_MEDIUM);
    CHECK_STREQ(a.info.strength, "medium");
    CHECK_STREQ(a.info.summary, "made first");
    CHECK_INTEQ(a.info.n_evidence, 3);
    CHECK_INTEQ(a.ev[0].line, 10);
    CHECK_INTEQ(a.ev[1].line, 20);
    CHECK_INTEQ(a.ev[2].line, 30);
    CHECK_STREQ(a.ev[1].file, "y.log");
    CHECK_INTEQ(a.ev_pos[2], 64 * 30 + 3);
    CHECK_INTEQ(a.n_seen, 4); /* 0x22 counted once */
    CHECK(b.seen == NULL && b.cap_seen == 0);
    um_free(a.seen);

    /* none on one side, times unknown on the other */
    um_finding c, d;
    memset(&c, 0, sizeof c);
    memset(&d, 0, sizeof d);
    c.info.first_us = c.info.last_us = UM_TIME_NONE;
    d.info.first_us = 7;
    d.info.last_us = 9;
    d.info.count = 1;
    sample(&d, 64, "z.log", 1);
    um_finding_fold(&c, &d);
    CHECK_INTEQ(c.info.first_us, 7);
    CHECK_INTEQ(c.info.last_us, 9);
    CHECK_INTEQ(c.info.n_evidence, 1);
    CHECK_STREQ(c.ev[0].file, "z.log");
}

/* The demo case through the library: 1 and 5 partitions, the same findings
 * (subject, indicator, key, count, first, last, evidence lines). */
static char *findings_text(unsigned k, bool roundtrip, um_scan_stats *stats) {
    const char *src = getenv("UM_SRC_DIR");
    char demo[4096];
    snprintf(demo, sizeof demo, "%s/examples/demo", src ? src : ".");
    um_ctx *ctx = NULL;
    um_ctx_options o;
    memset(&o, 0, sizeof o);
    if (um_ctx_open(&ctx, &o) != UM_OK) {
        um_ctx_close(ctx);
        return NULL;
    }
    um_scan *s = NULL;
    char *out = NULL;
    if (um_scan_new(ctx, &s) == UM_OK && um_scan_set_partitions(s, k) == UM_OK &&
        um_scan_set_partition_roundtrip(s, roundtrip) == UM_OK && um_scan_add_path(s, demo, NULL) == UM_OK &&
        um_scan_run(s, NULL, NULL) == UM_OK) {
        um_buf b;
        um_buf_init(&b);
        for (size_t r = 0; r < um_scan_subject_count(s); r++) {
            const um_subject_info *u = um_scan_subject(s, r);
            for (size_t i = 0; i < u->n_findings; i++) {
                const um_finding_info *f = um_scan_finding(s, u->findings[i]);
                um_buf_printf(&b, "%s %s %s %llu %lld %lld %s|", u->id, f->indicator, f->key,
                              (unsigned long long)f->count, (long long)f->first_us, (long long)f->last_us, f->summary);
                for (size_t e = 0; e < f->n_evidence; e++)
                    um_buf_printf(&b, " %s:%llu", f->evidence[e].file, (unsigned long long)f->evidence[e].line);
                um_buf_printf(&b, "\n");
            }
        }
        out = b.oom ? NULL : strdup(b.s ? b.s : "");
        um_buf_free(&b);
        um_scan_get_stats(s, stats);
    }
    um_scan_free(s);
    um_ctx_close(ctx);
    return out;
}

static void t_demo(void) {
    um_scan_stats one, five;
    char *a = findings_text(1, false, &one), *b = findings_text(5, false, &five);
    CHECK(a && b);
    if (a && b) {
        CHECK(strlen(a) > 1000);
        CHECK_STREQ(a, b);
    }
    CHECK_INTEQ(one.partitions_busy, 0);
    CHECK(five.partitions_busy >= 2 && five.partitions_busy <= 5);
    CHECK(five.partition_calls > 0);
    free(a);
    free(b);
    um_scan *s = NULL;
    CHECK(um_scan_set_partitions(s, 2) == UM_EINVAL);
}

/* Every partition's state saved to bytes and loaded back before the merge
 * (pstate.h): the same findings (fuzz_pstate checks that a state cut
 * short does not load). */
static void t_roundtrip(void) {
    um_scan_stats one, rt;
    char *a = findings_text(1, false, &one), *b = findings_text(4, true, &rt);
    CHECK(a && b);
    if (a && b) CHECK_STREQ(a, b);
    CHECK(rt.partitions_busy >= 2);
    CHECK(rt.partition_state_bytes > 1000);
    CHECK_INTEQ(one.partition_state_bytes, 0);
    free(a);
    free(b);
}

static const char *first_ship_country(const um_scan *s, um_sid sid) {
    size_t n;
    const char *const *v = um_subject_values(s, sid, UM_ATTR_SHIP_ADDRESS, &n);
    for (size_t k = 0; k < n; k++) {
        const char *cc = um_ship_country(v[k]);
        if (cc) return cc;
    }
    return NULL;
}

/* The subject table a worker's partitioned analyzers read (subtab.c): the
 * demo's subjects through the bytes give the same ids, identity flags,
 * claimed countries and zones, and ship-to countries (the street stays
 * home); loaded and saved again, the same bytes; cut short, refused. */
static void t_subtab(void) {
    const char *src = getenv("UM_SRC_DIR");
    char demo[4096];
    snprintf(demo, sizeof demo, "%s/examples/demo", src ? src : ".");
    um_ctx *ctx = NULL;
    um_ctx_options o;
    memset(&o, 0, sizeof o);
    CHECK(um_ctx_open(&ctx, &o) == UM_OK);
    um_scan *a = NULL, *b = NULL, *c = NULL;
    CHECK(um_scan_new(ctx, &a) == UM_OK && um_scan_add_path(a, demo, NULL) == UM_OK && um_scan_run(a, NULL, NULL) == UM_OK);
    um_buf t1, t2;
    um_buf_init(&t1);
    um_buf_init(&t2);
    um_subtab_put(&t1, a);
    CHECK(!t1.oom && um_scan_nsubjects(a) > 100);
    printf("subject table: %zu subjects, %zu bytes (%.1f a subject)\n", um_scan_nsubjects(a), t1.len,
           (double)t1.len / (double)um_scan_nsubjects(a));
    size_t streets = 0; /* no ship-to address goes on the bus whole */
    for (size_t i = 0; i < um_scan_nsubjects(a); i++) {
        size_t na;
        const char *const *v = um_subject_values(a, (um_sid)i, UM_ATTR_SHIP_ADDRESS, &na);
        for (size_t k = 0; k < na; k++) streets += strlen(v[k]) > 8 && memmem(t1.s, t1.len, v[k], strlen(v[k])) != NULL;
    }
    CHECK_INTEQ(streets, 0);
    const char *why = NULL;
    CHECK(um_scan_new(ctx, &b) == UM_OK && um_subtab_load(b, t1.s, t1.len, &why) == UM_OK);
    CHECK_INTEQ(um_scan_nsubjects(b), um_scan_nsubjects(a));
    size_t bad = 0, ships = 0;
    for (size_t i = 0; i < um_scan_nsubjects(a) && i < um_scan_nsubjects(b); i++) {
        um_sid sid = (um_sid)i;
        bad += strcmp(um_subject_id(a, sid), um_subject_id(b, sid)) != 0;
        bad += um_subject_has_identity(a, sid) != um_subject_has_identity(b, sid);
        static const um_attr at[] = {UM_ATTR_COUNTRY, UM_ATTR_TIMEZONE};
        for (size_t k = 0; k < 2; k++) {
            size_t na, nb;
            const char *const *va = um_subject_values(a, sid, at[k], &na);
            const char *const *vb = um_subject_values(b, sid, at[k], &nb);
            bad += na != nb;
            for (size_t j = 0; j < na && j < nb; j++) bad += strcmp(va[j], vb[j]) != 0;
        }
        const char *ca = first_ship_country(a, sid), *cb = first_ship_country(b, sid);
        ships += ca != NULL;
        bad += (ca == NULL) != (cb == NULL) || (ca && strcmp(ca, cb) != 0);
    }
    CHECK_INTEQ(bad, 0);
    CHECK(ships > 10);
    um_subtab_put(&t2, b);
    CHECK(t1.len == t2.len && memcmp(t1.s, t2.s, t1.len) == 0);
    CHECK(um_scan_new(ctx, &c) == UM_OK);
    CHECK(um_subtab_load(c, t1.s, t1.len - 1, &why) == UM_EPARSE && why);
    CHECK_INTEQ(um_scan_nsubjects(c), 0);
    CHECK(um_subtab_load(c, t1.s, t1.len / 2, &why) == UM_EPARSE);
    CHECK(um_subtab_load(c, t1.s, 4, &why) == UM_EPARSE);
    CHECK(um_subtab_load(b, t1.s, t1.len, &why) == UM_EINVAL); /* b has subjects */
    /* a worker's partition: log-only subjects told at the scan's numbers,
     * the numbers between as placeholders (no id, no identity), then padded */
    size_t n0 = um_scan_nsubjects(b);
    um_sid far = (um_sid)n0 + 3, near = (um_sid)n0 + 1;
    CHECK(um_subject_place(b, far, "A-00000000000f") == UM_OK && um_scan_nsubjects(b) == n0 + 4);
    CHECK(strcmp(um_subject_id(b, far), "A-00000000000f") == 0 && !um_subject_has_identity(b, far));
    CHECK(*um_subject_id(b, near) == 0 && !um_subject_has_identity(b, near));
    CHECK(um_subject_place(b, near, "H-00000000000e") == UM_OK && strcmp(um_subject_id(b, near), "H-00000000000e") == 0);
    CHECK(um_subject_place(b, near, "A-0000000000aa") == UM_EINVAL); /* told twice */
    CHECK(um_subject_place(b, 0, "A-0000000000ab") == UM_EINVAL);    /* an identity subject */
    CHECK(um_subject_place(b, far + 5, NULL) == UM_OK && um_scan_nsubjects(b) == n0 + 8);
    CHECK(um_subject_place(b, 2, NULL) == UM_OK && um_scan_nsubjects(b) == n0 + 8); /* never shrinks */
    um_buf_free(&t1);
    um_buf_free(&t2);
    um_scan_free(a);
    um_scan_free(b);
    um_scan_free(c);
    um_ctx_close(ctx);
}

int main(void) {
    RUN(t_fold);
    RUN(t_demo);
    RUN(t_roundtrip);
    RUN(t_subtab);
    return um_t_report();
}
