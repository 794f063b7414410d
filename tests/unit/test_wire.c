/*
 * test_wire.c - the bus's byte formats (src/dist/wire.h): recorded batches
 * survive encoding and decoding exactly (fed whole, byte by byte, in odd
 * pieces), encoding is deterministic, and hostile bytes (bad tags, kinds,
 * ranges, lengths, NULs, bytes after the end, truncated units) are refused
 * with a reason, never crash. `test_wire --write-corpus DIR` writes the
 * seed files of fuzz/corpus/wire.
 */
#include "harness.h"

#include "dist/wire.h"

static const char *IN = "/logs/okta.jsonl";

static um_rec_batch *sample(void) {
    um_rec_batch *b = um_rec_batch_new();
    um_rec_item *it = um_rec_batch_item(b);
    it->kind = UM_REC_EVENT;
    um_event_init(&it->ev);
    it->ev.kind = UM_EV_SIGNIN;
    it->ev.ts = 1700000000123456;
    it->ev.tz_min = -300;
    it->ev.has_tz = true;
    it->ev.success = 0;
    it->ev.port = 443;
    it->ev.asn = 4242;
    it->ev.is_proxy = 1;
    it->ev.usb_vid = 0x1234;
    it->ev.src_line = 77;
    it->ev.net_flags = 5;
    it->ev.has_geo = true, it->ev.lat = 39.0392, it->ev.lon = 125.7625;
    it->ev.browser_hash = um_rec_batch_keep(b, "dth-1", 5);
    it->ev.user = um_rec_batch_keep(b, "kim@example.com", 15);
    it->ev.ip = um_rec_batch_keep(b, "175.45.176.9", 12);
    it->ev.cmdline = um_rec_batch_keep(b, "", 0); /* empty, not none */
    it->ev.src_file = IN;                         /* the input's own: sent as none */
    it->ev.record_id = um_rec_batch_keep(b, "r-1", 3);
    it->bag = um_arena_alloc(&b->arena, 2 * sizeof *it->bag);
    it->nbag = 2;
    memset(it->bag, 0, 2 * sizeof *it->bag);
    it->bag[0].name = "EventID", it->bag[0].nlen = 7, it->bag[0].value = "4624", it->bag[0].len = 4, it->bag[0].count = 1;
    it->bag[1].name = "Data", it->bag[1].nlen = 4, it->bag[1].value = "a\0b", it->bag[1].len = 3, it->bag[1].count = 2;
    it = um_rec_batch_item(b);
    it->kind = UM_REC_EVENT;
    um_event_init(&it->ev);
    it->ev.kind = UM_EV_RAW;
    it->ev.ts = UM_TIME_NONE;
    it->ev.src_file = um_rec_batch_keep(b, "/repo/other", 11);
    it->bag = um_arena_alloc(&b->arena, 1); /* an empty bag, not none */
    it = um_rec_batch_item(b);
    it->kind = UM_REC_REJECT, it->line = 9, it->msg = "bad JSON";
    it = um_rec_batch_item(b);
    it->kind = UM_REC_WARN, it->line = 0, it->msg = "odd";
    it = um_rec_batch_item(b); /* a bag the workers' prefilters dropped: not the same as none */
    it->kind = UM_REC_EVENT;
    um_event_init(&it->ev);
    it->ev.kind = UM_EV_PROCESS;
    it->dropped = true;
    return b;
}

static void encode(um_buf *o, const um_rec_batch *b) {
    um_wire_put_batch(o, b, IN);
    um_wire_put_end(o, UM_EIO, "read error");
}

/* Decodes bytes fed in pieces of step (0: whole); re-encodes what came out. */
static um_status decode(const um_buf *in, size_t step, um_buf *re, bool *ended, int *status, const char **why) {
    um_wire_dec *d = um_wire_dec_new();
    um_status st = UM_OK;
    size_t off = 0;
    *why = NULL;
    while (off < in->len && st == UM_OK) {
        size_t n = step ? (in->len - off < step ? in->len - off : step) : in->len;
        um_rec_batch *b = NULL;
        st = um_wire_dec_feed(d, in->s + off, n, &b, why);
        off += n;
        if (b) {
            um_wire_put_batch(re, b, IN);
            um_rec_batch_free(b);
        }
    }
    const char *err = NULL;
    *ended = um_wire_dec_ended(d, status, &err);
    if (*ended) um_wire_put_end(re, *status, err);
    um_wire_dec_free(d);
    return st;
}

static void test_round_trip(void) {
    um_rec_batch *b = sample();
    um_buf o, o2;
    um_buf_init(&o), um_buf_init(&o2);
    encode(&o, b);
    encode(&o2, b);
    CHECK(o.len == o2.len && memcmp(o.s, o2.s, o.len) == 0); /* deterministic */
    size_t steps[] = {0, 1, 2, 3, 7, 64};
    for (size_t k = 0; k < sizeof steps / sizeof *steps; k++) {
        um_buf re;
        um_buf_init(&re);
        bool ended = false;
        int status = -1;
        const char *why;
        CHECK_INTEQ(decode(&o, steps[k], &re, &ended, &status, &why), UM_OK);
        CHECK(ended);
        CHECK_INTEQ(status, UM_EIO);
        CHECK(re.len == o.len && memcmp(re.s, o.s, o.len) == 0);
        um_buf_free(&re);
    }
    /* the decoded fields themselves */
    um_wire_dec *d = um_wire_dec_new();
    um_rec_batch *got = NULL;
    const char *why = NULL;
    CHECK_INTEQ(um_wire_dec_feed(d, o.s, o.len, &got, &why), UM_OK);
    CHECK(got && got->n == 5);
    if (got && got->n == 5) {
        const um_rec_item *e = &got->items[0];
        CHECK_INTEQ(e->ev.kind, UM_EV_SIGNIN);
        CHECK_INTEQ(e->ev.ts, 1700000000123456);
        CHECK_INTEQ(e->ev.tz_min, -300);
        CHECK_INTEQ(e->ev.success, 0);
        CHECK_INTEQ(e->ev.usb_vid, 0x1234);
        CHECK_INTEQ(e->ev.usb_pid, -1);
        CHECK_STREQ(e->ev.user, "kim@example.com");
        CHECK(e->ev.has_geo && e->ev.lat == 39.0392 && e->ev.lon == 125.7625); /* exact: the double's bits */
        CHECK_STREQ(e->ev.browser_hash, "dth-1");
        CHECK(!got->items[1].ev.has_geo);
        CHECK_STREQ(e->ev.cmdline, "");
        CHECK(e->ev.host == NULL);
        CHECK(e->ev.src_file == NULL); /* the input's own path: filled in on replay */
        CHECK(e->nbag == 2 && e->bag[1].len == 3 && memcmp(e->bag[1].value, "a\0b", 3) == 0 && e->bag[1].count == 2);
        CHECK(got->items[1].bag != NULL && got->items[1].nbag == 0);
        CHECK_STREQ(got->items[1].ev.src_file, "/repo/other");
        CHECK_INTEQ(got->items[1].ev.ts, UM_TIME_NONE);
        CHECK(got->items[2].kind == UM_REC_REJECT && got->items[2].line == 9);
        CHECK_STREQ(got->items[2].msg, "bad JSON");
        CHECK(got->items[3].kind == UM_REC_WARN);
        CHECK(got->items[4].dropped && !got->items[4].bag && got->items[4].ev.kind == UM_EV_PROCESS);
        CHECK(!got->items[0].dropped && !got->items[1].dropped);
    }
    um_rec_batch_free(got);
    um_wire_dec_free(d);
    /* truncated: no error, not ended, the unfinished item held */
    d = um_wire_dec_new();
    CHECK_INTEQ(um_wire_dec_feed(d, o.s, o.len - 1, &got, &why), UM_OK);
    CHECK(!um_wire_dec_ended(d, NULL, NULL));
    CHECK(um_wire_dec_pending(d) > 0);
    um_rec_batch_free(got);
    um_wire_dec_free(d);
    um_buf_free(&o), um_buf_free(&o2);
    um_rec_batch_free(b);
}

static um_status feed1(const char *p, size_t n, const char **why) {
    um_wire_dec *d = um_wire_dec_new();
    um_rec_batch *b = NULL;
    um_status st = um_wire_dec_feed(d, p, n, &b, why);
    um_rec_batch_free(b);
    um_wire_dec_free(d);
    return st;
}

/* An event header with one field changed: kind, then the 12 numbers. */
static void event_with(um_buf *o, const unsigned char *nums, size_t n) {
    um_buf_addc(o, 1);
    um_buf_add(o, (const char *)nums, n);
}

static void test_hostile(void) {
    const char *why;
    CHECK_INTEQ(feed1("\x09", 1, &why), UM_EPARSE); /* unknown tag */
    CHECK(why != NULL);
    CHECK_INTEQ(feed1("\x04\x00\x00\x02", 4, &why), UM_EPARSE); /* bytes after the end */
    CHECK_INTEQ(feed1("\x02\x01\x00", 3, &why), UM_EPARSE);     /* reject without a reason */
    CHECK_INTEQ(feed1("\x02\x01\x03" "a\0", 5, &why), UM_EPARSE); /* NUL in a string */
    CHECK_INTEQ(feed1("\x02\x01\xff\xff\xff\xff\x0f", 7, &why), UM_EPARSE); /* string longer than allowed */
    CHECK_INTEQ(feed1("\x02\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 11, &why), UM_EPARSE); /* varint overflow */
    /* event fields out of range: kind, success, usb id, time zone */
    unsigned char ok[] = {0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0};
    um_buf o;
    um_buf_init(&o);
    unsigned char bad_kind[sizeof ok];
    memcpy(bad_kind, ok, sizeof ok), bad_kind[0] = 11;
    event_with(&o, bad_kind, sizeof ok);
    CHECK_INTEQ(feed1(o.s, o.len, &why), UM_EPARSE);
    um_buf_reset(&o);
    unsigned char bad_geo[sizeof ok];
    memcpy(bad_geo, ok, sizeof ok), bad_geo[13] = 2; /* has_geo neither 0 nor 1 */
    event_with(&o, bad_geo, sizeof ok);
    CHECK_INTEQ(feed1(o.s, o.len, &why), UM_EPARSE);
    um_buf_reset(&o);
    unsigned char bad_success[sizeof ok];
    memcpy(bad_success, ok, sizeof ok), bad_success[4] = 4; /* zigzag 2 */
    event_with(&o, bad_success, sizeof ok);
    CHECK_INTEQ(feed1(o.s, o.len, &why), UM_EPARSE);
    um_buf_reset(&o);
    /* a complete valid event with no strings and a bag of 257 fields */
    event_with(&o, ok, sizeof ok);
    for (int k = 0; k < 26; k++) um_buf_addc(&o, 0);
    um_buf_add(&o, "\x83\x02", 2); /* 259 = 257 fields + 2 */
    CHECK_INTEQ(feed1(o.s, o.len, &why), UM_EPARSE);
    um_buf_reset(&o);
    event_with(&o, ok, sizeof ok);
    for (int k = 0; k < 26; k++) um_buf_addc(&o, 0);
    um_buf_addc(&o, 0); /* no bag: valid */
    CHECK_INTEQ(feed1(o.s, o.len, &why), UM_OK);
    um_buf_reset(&o);
    event_with(&o, ok, sizeof ok);
    for (int k = 0; k < 26; k++) um_buf_addc(&o, 0);
    um_buf_add(&o, "\x82\x02", 2); /* 258 = 256 fields + 2, but none follow: incomplete, not an error */
    CHECK_INTEQ(feed1(o.s, o.len, &why), UM_OK);
    um_buf_free(&o);
}

static void test_unit(void) {
    um_wire_unit u = {"0a1b2c", 7, "okta", "/logs/a b\n.jsonl", 123456, 3, 1040384, 0xfedcba9876543210ull, 0, 0}, v;
    um_buf o;
    um_buf_init(&o);
    um_wire_unit_put(&o, &u);
    const char *why = NULL;
    CHECK_INTEQ(um_wire_unit_get(o.s, o.len, &v, &why), UM_OK);
    CHECK_STREQ(v.scan_id, "0a1b2c");
    CHECK_STREQ(v.path, "/logs/a b\n.jsonl");
    CHECK_STREQ(v.reader, "okta");
    CHECK(v.unit == 7 && v.size == 123456 && v.parts == 3 && v.frame == 1040384 && v.prefilter == 0xfedcba9876543210ull);
    um_wire_unit_clear(&v);
    for (size_t n = 0; n < o.len; n++) CHECK_INTEQ(um_wire_unit_get(o.s, n, &v, &why), UM_EPARSE);
    um_buf_addc(&o, 0);
    CHECK_INTEQ(um_wire_unit_get(o.s, o.len, &v, &why), UM_EPARSE); /* trailing byte */
    um_wire_unit w = {"../x", 1, "okta", "p", 1, 1, 4096, 0, 0, 0};
    um_buf_reset(&o);
    um_wire_unit_put(&o, &w);
    CHECK_INTEQ(um_wire_unit_get(o.s, o.len, &v, &why), UM_EPARSE); /* a scan id that is no subject token */
    um_wire_unit x = {"ab", 1, "okta", "p", 1, 1, 10, 0, 0, 0};
    um_buf_reset(&o);
    um_wire_unit_put(&o, &x);
    CHECK_INTEQ(um_wire_unit_get(o.s, o.len, &v, &why), UM_EPARSE); /* frame too small */
    /* one part of a split file: index and count travel; a bad pair is refused */
    um_wire_unit y = {"ab", (3ull << 32) | 5, "okta", "p", 100, 1, 4096, 7, 2, 4};
    um_buf_reset(&o);
    um_wire_unit_put(&o, &y);
    CHECK_INTEQ(um_wire_unit_get(o.s, o.len, &v, &why), UM_OK);
    CHECK(v.part_index == 2 && v.part_count == 4 && v.unit == ((3ull << 32) | 5));
    um_wire_unit_clear(&v);
    y.part_index = 4;
    um_buf_reset(&o);
    um_wire_unit_put(&o, &y);
    CHECK_INTEQ(um_wire_unit_get(o.s, o.len, &v, &why), UM_EPARSE); /* index past the count */
    /* a part item: line count and summary (with NUL bytes) before the end */
    um_buf_reset(&o);
    const unsigned char sum[8] = {1, 0, 0, 0, 0, 0, 2, 0};
    um_wire_put_part(&o, 1234, sum, sizeof sum);
    um_wire_put_end(&o, 0, NULL);
    um_wire_dec *d = um_wire_dec_new();
    um_rec_batch *b = NULL;
    CHECK_INTEQ(um_wire_dec_feed(d, o.s, o.len, &b, &why), UM_OK);
    um_rec_batch_free(b);
    uint64_t lines = 0;
    const void *got = NULL;
    size_t gn = 0;
    CHECK(um_wire_dec_ended(d, NULL, NULL) && um_wire_dec_part(d, &lines, &got, &gn));
    CHECK(lines == 1234 && gn == sizeof sum && memcmp(got, sum, sizeof sum) == 0);
    um_wire_dec_free(d);
    um_buf_reset(&o); /* two part items: refused */
    um_wire_put_part(&o, 1, sum, sizeof sum);
    um_wire_put_part(&o, 1, sum, sizeof sum);
    d = um_wire_dec_new();
    b = NULL;
    CHECK_INTEQ(um_wire_dec_feed(d, o.s, o.len, &b, &why), UM_EPARSE);
    um_rec_batch_free(b);
    um_wire_dec_free(d);
    um_buf_free(&o);
    /* frames */
    um_buf f;
    um_buf_init(&f);
    um_wire_frame_put(&f, "UMR1", 70000);
    uint32_t part = 0;
    CHECK(um_wire_frame_get(f.s, f.len, "UMR1", &part) && part == 70000);
    CHECK(!um_wire_frame_get(f.s, f.len, "UMD1", &part));
    CHECK(!um_wire_frame_get(f.s, 7, "UMR1", &part));
    um_buf_free(&f);
}

/* ---- identity-index shards ---- */

#define SH_NS 400
#define SH_NO 4000
static um_lk_obs SO[SH_NO];
static char SV[SH_NO][32];

/* A world with shared values (pools), generic ones (a few values many
 * hold), repeated observations of one subject and forced hash collisions
 * (explicit hashes: two values on one hash). */
static size_t shard_world(uint64_t seed) {
    uint64_t x = seed;
    size_t n = 0;
    for (size_t i = 0; i < SH_NO; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        uint32_t r = (uint32_t)(x >> 33);
        um_lk_kind k = (um_lk_kind)(r % UM_LK__COUNT);
        uint32_t subj = (r >> 5) % SH_NS;
        unsigned pool = (r >> 14) % 100;
        if (pool < 5) snprintf(SV[n], sizeof SV[n], "common-%u", pool); /* many holders: generic */
        else if (pool < 60) snprintf(SV[n], sizeof SV[n], "v%u", (r >> 20) % 120); /* a few holders */
        else snprintf(SV[n], sizeof SV[n], "own-%zu", i);                     /* one holder */
        if (pool < 5) k = pool & 1 ? UM_LK_EMAIL : UM_LK_PHONE;
        SO[n] = (um_lk_obs){.subject = subj, .kind = (uint8_t)k, .sim = 1, .value = SV[n], .raw = SV[n],
                            .file = "t.csv", .line = i + 2};
        if (pool >= 95) SO[n].hash = 0x123456789abcdef1ULL; /* colliding values, a few holders each */
        n++;
    }
    SO[7].value = ""; /* not taken */
    SO[9].subject = SH_NS + 3;
    return n;
}

static void shard_route(size_t no, unsigned nsh, um_lk_blocked *merged, um_lk_piece **pc, size_t *npc) {
    memset(merged, 0, sizeof *merged);
    size_t pcap = 0;
    *pc = NULL;
    *npc = 0;
    for (unsigned k = 0; k < nsh; k++) {
        size_t cnt = 0;
        for (size_t i = 0; i < no; i++)
            if (SO[i].subject < SH_NS && SO[i].value[0] && um_wire_shard_of(um_lk_obs_hash(&SO[i]), nsh) == k) cnt++;
        um_buf b;
        um_buf_init(&b);
        um_wire_obs_head(&b, SH_NS, cnt, NULL);
        size_t prev = 0;
        for (size_t i = 0; i < no; i++) {
            if (SO[i].subject >= SH_NS || !SO[i].value[0]) continue;
            uint64_t h = um_lk_obs_hash(&SO[i]);
            if (um_wire_shard_of(h, nsh) != k) continue;
            um_wire_obs_put(&b, prev ? i + 1 - prev : i, &SO[i], h);
            prev = i + 1;
        }
        um_wire_obsset os;
        const char *why = NULL;
        CHECK(um_wire_obs_get(b.s, b.len, &os, &why) == UM_OK);
        CHECK(os.n == cnt);
        um_lk_blocked bl;
        CHECK(um_lk_block(os.obs, os.n, os.nsubjects, os.cap, &bl) == UM_OK);
        um_buf r;
        um_buf_init(&r);
        um_wire_block_put(&r, &bl, os.gidx);
        size_t blen = r.len, used = 0, v0 = merged->nvals;
        um_lk_piece *q = NULL;
        size_t nq = 0;
        CHECK(um_lk_pieces(&bl, os.gidx, &q, &nq) == UM_OK);
        um_wire_pieces_put(&r, q, nq);
        um_free(q);
        CHECK(um_wire_block_get(r.s, r.len, merged, &why) == UM_EPARSE); /* the pieces follow */
        CHECK(um_wire_block_get_part(r.s, r.len, merged, &used, &why) == UM_OK && used == blen);
        CHECK(um_wire_pieces_get(r.s + used, r.len - used, (uint32_t)v0, (uint32_t)(merged->nvals - v0), pc, npc,
                                 &pcap, &why, false) == UM_OK);
        /* hostile: every cut of the pieces is refused */
        for (size_t cut = used; cut + 1 < r.len; cut += 3) {
            size_t n0 = *npc;
            CHECK(um_wire_pieces_get(r.s + used, cut - used, (uint32_t)v0, (uint32_t)(merged->nvals - v0), pc, npc,
                                     &pcap, &why, false) == UM_EPARSE && *npc == n0);
        }
        um_buf_free(&r);
        um_lk_blocked_free(&bl);
        um_wire_obsset_free(&os);
        um_buf_free(&b);
    }
}


static void shard_copy(const um_lk_blocked *a, um_lk_blocked *b) {
    *b = *a;
    b->vals = um_malloc((a->nvals + 1) * sizeof *b->vals);
    b->msub = um_malloc((a->nmem + 1) * sizeof *b->msub);
    b->mobs = um_malloc((a->nmem + 1) * sizeof *b->mobs);
    memcpy(b->vals, a->vals, a->nvals * sizeof *a->vals);
    memcpy(b->msub, a->msub, a->nmem * sizeof *a->msub);
    memcpy(b->mobs, a->mobs, a->nmem * sizeof *a->mobs);
}

/* Everything the sinks read of a result. */
static bool same_result(const um_lk_result *g, const um_lk_result *w) {
    if (g->nedges != w->nedges || g->nwhy != w->nwhy || g->nclusters != w->nclusters || g->ngroups != w->ngroups ||
        g->nvalues != w->nvalues)
        return false;
    if (g->stats.candidate_pairs != w->stats.candidate_pairs || g->stats.lambda != w->stats.lambda ||
        g->stats.em_iterations != w->stats.em_iterations)
        return false;
    for (int k = 0; k < UM_LK__COUNT; k++)
        if (g->stats.m[k] != w->stats.m[k] || g->stats.em_pairs[k] != w->stats.em_pairs[k]) return false;
    for (size_t e = 0; e < w->nedges; e++) {
        const um_lk_edge *x = &g->edges[e], *y = &w->edges[e];
        if (x->a != y->a || x->b != y->b || x->tier != y->tier || x->weight != y->weight || x->why_off != y->why_off ||
            x->why_n != y->why_n || x->household != y->household || x->verdict != y->verdict)
            return false;
    }
    for (size_t i = 0; i < w->nwhy; i++) {
        const um_lk_why *x = &g->why[i], *y = &w->why[i];
        if (x->kind != y->kind || x->value_id != y->value_id || x->obs_a != y->obs_a || x->obs_b != y->obs_b ||
            x->weight != y->weight)
            return false;
    }
    for (size_t c = 0; c < w->nclusters; c++) {
        const um_lk_cluster *x = &g->clusters[c], *y = &w->clusters[c];
        if (strcmp(x->id, y->id) != 0 || x->tier != y->tier || x->nmembers != y->nmembers || x->nedges != y->nedges ||
            x->weakest != y->weakest || x->parent != y->parent ||
            memcmp(x->members, y->members, y->nmembers * sizeof *y->members) != 0 ||
            memcmp(x->edges, y->edges, y->nedges * sizeof *y->edges) != 0)
            return false;
    }
    for (size_t v = 0; v < w->nvalues; v++)
        if (g->values[v].weight != w->values[v].weight) return false;
    return true;
}

static void test_shards(void) {
    size_t no = shard_world(42);
    um_lk_blocked ref;
    CHECK(um_lk_block(SO, no, SH_NS, NULL, &ref) == UM_OK);
    CHECK(ref.collisions >= 1);
    size_t ngen = 0;
    for (size_t v = 0; v < ref.nvals; v++) ngen += ref.vals[v].generic;
    CHECK(ngen >= 5 && ref.nvals > ngen + 100);
    if (ngen < 5 || ref.nvals <= ngen + 100) fprintf(stderr, "world: %zu values, %zu generic\n", ref.nvals, ngen);
    um_lk_options o = {0};
    o.nsubjects = SH_NS;
    /* homes (households demote phones and payout accounts) and verdicts */
    static char hbuf[SH_NS][16];
    static const char *home[SH_NS];
    for (size_t i = 0; i < SH_NS; i++) {
        snprintf(hbuf[i], sizeof hbuf[i], "h%zu", i % 40);
        home[i] = i % 3 ? NULL : hbuf[i];
    }
    for (size_t i = 0; i < no; i++) /* people who share a phone live together */
        if (SO[i].kind == UM_LK_PHONE && SO[i].value[0] == 'v' && SO[i].subject < SH_NS) home[SO[i].subject] = SO[i].value;
    o.home = home;
    const um_lk_verdict ver[] = {{3, 250, UM_LK_VERDICT_SAME}, {SO[20].subject, SO[21].subject, UM_LK_VERDICT_DIFFERENT}};
    o.verdicts = ver;
    o.nverdicts = 2;
    um_lk_result *want = NULL;
    CHECK(um_lk_run(SO, no, &o, &want) == UM_OK);
    CHECK(want->nedges > 50);
    size_t nhouse = 0;
    for (size_t e = 0; e < want->nedges; e++) nhouse += want->edges[e].household;
    CHECK(nhouse > 0);
    static const unsigned shards[] = {1, 3, 8, 64};
    for (size_t si = 0; si < sizeof shards / sizeof *shards; si++) {
        um_lk_blocked m;
        um_lk_piece *pc = NULL;
        size_t npc = 0;
        shard_route(no, shards[si], &m, &pc, &npc);
        CHECK(um_wire_pieces_check(pc, npc, &m, SH_NS) == NULL);
        um_lk_blocked mk; /* um_lk_run_blocked takes m's holders */
        shard_copy(&m, &mk);
        CHECK(um_wire_block_check(&m, SO, no, SH_NS, NULL) == NULL);
        CHECK(m.nobs == ref.nobs && m.collisions == ref.collisions);
        CHECK(m.nvals == ref.nvals && m.nmem == ref.nmem);
        for (size_t v = 0; v < ref.nvals && v < m.nvals; v++) {
            const um_lk_bval *a = &m.vals[v], *c = &ref.vals[v];
            CHECK(a->hash == c->hash && a->kind == c->kind && a->generic == c->generic &&
                  a->first_obs == c->first_obs && a->nsubjects == c->nsubjects && a->mstart == c->mstart);
        }
        CHECK(memcmp(m.msub, ref.msub, ref.nmem * sizeof *ref.msub) == 0);
        CHECK(memcmp(m.mobs, ref.mobs, ref.nmem * sizeof *ref.mobs) == 0);
        /* the rest of the run from the merged blocking: the same edges, clusters */
        um_lk_result *got = NULL;
        CHECK(um_lk_run_blocked(SO, no, &o, &m, &got) == UM_OK);
        CHECK(got && got->nedges == want->nedges && got->nclusters == want->nclusters && got->nwhy == want->nwhy);
        for (size_t e = 0; got && e < got->nedges && e < want->nedges; e++)
            CHECK(got->edges[e].a == want->edges[e].a && got->edges[e].b == want->edges[e].b &&
                  got->edges[e].tier == want->edges[e].tier && got->edges[e].weight == want->edges[e].weight &&
                  got->edges[e].why_n == want->edges[e].why_n && got->edges[e].household == want->edges[e].household);
        for (size_t c = 0; got && c < got->nclusters && c < want->nclusters; c++)
            CHECK(strcmp(got->clusters[c].id, want->clusters[c].id) == 0 &&
                  got->clusters[c].nmembers == want->clusters[c].nmembers);
        um_lk_result_free(got);
        /* the pair pieces, merged in 1, 2 and 7 pair partitions, the second
         * time delivered twice and in reverse order: the same result */
        static const unsigned nps[] = {1, 3, 7};
        for (size_t pi = 0; pi < 3; pi++) {
            unsigned np = nps[pi];
            size_t n2 = np == 3 ? 2 * npc : npc;
            um_lk_piece *cp = um_malloc((n2 ? n2 : 1) * sizeof *cp);
            for (size_t i = 0; i < npc; i++) cp[i] = pc[np == 3 ? npc - 1 - i : i];
            if (np == 3) memcpy(cp + npc, pc, npc * sizeof *pc);
            um_lk_blocked m2;
            shard_copy(&mk, &m2);
            got = NULL;
            CHECK(um_lk_run_pieces(SO, no, &o, &m2, cp, n2, np, &got) == UM_OK);
            CHECK(got && same_result(got, want));
            if (got && !same_result(got, want)) fprintf(stderr, "pieces: %u shards, %u pair partitions differ\n", shards[si], np);
            um_lk_result_free(got);
            um_lk_blocked_free(&m2);
            um_free(cp);
        }
        /* a partition's pairs out of order, repeated or in another partition: refused */
        if (npc > 4) {
            um_lk_piece *one = um_malloc((npc + 1) * sizeof *one);
            memcpy(one, pc, npc * sizeof *pc);
            size_t n1 = npc;
            CHECK(um_lk_pair_partition(one, &n1) == UM_OK);
            um_lk_piece *parts[2] = {one, one};
            size_t np1[2] = {n1, 0};
            um_lk_blocked m2;
            shard_copy(&mk, &m2);
            got = NULL;
            CHECK(um_lk_run_pairs(SO, no, &o, &m2, parts, np1, 1, &got) == UM_OK && got && same_result(got, want));
            um_lk_result_free(got);
            um_lk_blocked_free(&m2);
            shard_copy(&mk, &m2);
            CHECK(um_lk_run_pairs(SO, no, &o, &m2, parts, np1, 2, &got) == UM_EINVAL && !got); /* wrong partition */
            um_lk_blocked_free(&m2);
            one[n1] = one[0]; /* the first pair again (its first piece), at the end */
            np1[0] = n1 + 1;
            shard_copy(&mk, &m2);
            CHECK(um_lk_run_pairs(SO, no, &o, &m2, parts, np1, 1, &got) == UM_EINVAL && !got);
            um_lk_blocked_free(&m2);
            um_free(one);
        }
        /* a tampered piece is refused */
        if (npc > 2) {
            um_lk_piece keep = pc[1];
            pc[1].holders++;
            CHECK(um_wire_pieces_check(pc, npc, &mk, SH_NS) != NULL);
            pc[1] = keep;
            pc[1].obs_a = pc[1].obs_b;
            CHECK(um_wire_pieces_check(pc, npc, &mk, SH_NS) != NULL);
            pc[1] = keep;
            pc[1].b = pc[1].a;
            CHECK(um_wire_pieces_check(pc, npc, &mk, SH_NS) != NULL);
            pc[1] = keep;
            pc[1].first = pc[1].best + 1;
            CHECK(um_wire_pieces_check(pc, npc, &mk, SH_NS) != NULL);
            pc[1] = keep;
        }
        um_free(pc);
        um_lk_blocked_free(&mk);
        /* a tampered blocking is refused before it reaches the engine */
        if (m.nvals > 2 && m.nmem > 2) {
            um_lk_bval keep = m.vals[1];
            m.vals[1].nsubjects += 20;
            CHECK(um_wire_block_check(&m, SO, no, SH_NS, NULL) != NULL);
            m.vals[1] = keep;
            uint32_t ks = m.msub[1];
            m.msub[1] = SH_NS - 1;
            CHECK(um_wire_block_check(&m, SO, no, SH_NS, NULL) != NULL);
            m.msub[1] = ks;
            m.vals[1].first_obs = (uint32_t)no + 5;
            CHECK(um_wire_block_check(&m, SO, no, SH_NS, NULL) != NULL);
            m.vals[1] = keep;
            m.vals[2].hash = 0;
            CHECK(um_wire_block_check(&m, SO, no, SH_NS, NULL) != NULL);
            m.vals[2] = m.vals[1];
            CHECK(um_wire_block_check(&m, SO, no, SH_NS, NULL) != NULL);
        }
        um_lk_blocked_free(&m);
    }
    um_lk_result_free(want);
    um_lk_blocked_free(&ref);
    /* hostile shard messages: refused with a reason */
    um_buf b;
    um_buf_init(&b);
    um_wire_obs_head(&b, SH_NS, 2, NULL);
    um_wire_obs_put(&b, 5, &SO[0], 77);
    um_wire_obs_put(&b, 0, &SO[1], 78); /* not ascending */
    um_wire_obsset os;
    const char *why = NULL;
    CHECK(um_wire_obs_get(b.s, b.len, &os, &why) == UM_EPARSE && why);
    for (size_t cut = 0; cut + 1 < b.len; cut++) CHECK(um_wire_obs_get(b.s, cut, &os, &why) == UM_EPARSE);
    um_buf_reset(&b);
    um_wire_obs_head(&b, 3, 1, NULL);
    um_lk_obs bad = SO[0];
    bad.subject = 3; /* out of range */
    um_wire_obs_put(&b, 0, &bad, 77);
    CHECK(um_wire_obs_get(b.s, b.len, &os, &why) == UM_EPARSE);
    um_buf_reset(&b);
    um_wire_obs_head(&b, 3, 1, NULL);
    um_wire_obs_put(&b, 0, &SO[0], 0); /* zero hash */
    CHECK(um_wire_obs_get(b.s, b.len, &os, &why) == UM_EPARSE);
    um_buf_reset(&b);
    um_wire_obs_head(&b, SH_NS, 1000000, NULL); /* a count the bytes cannot hold */
    CHECK(um_wire_obs_get(b.s, b.len, &os, &why) == UM_EPARSE);
    um_lk_blocked z;
    memset(&z, 0, sizeof z);
    um_buf_reset(&b);
    um_buf_add(&b, "UMB1", 4);
    um_buf_add(&b, "\x01\x00\x05", 3); /* 5 values, none there */
    CHECK(um_wire_block_get(b.s, b.len, &z, &why) == UM_EPARSE && z.nvals == 0);
    CHECK(um_wire_block_get("UMX1", 4, &z, &why) == UM_EPARSE);
    um_lk_blocked_free(&z);
    um_buf_free(&b);
}

static void write_corpus(const char *dir) {
    um_rec_batch *b = sample();
    um_buf o;
    um_buf_init(&o);
    char path[4096];
    /* mode byte 1: result stream */
    um_buf_addc(&o, 1);
    encode(&o, b);
    snprintf(path, sizeof path, "%s/results", dir);
    FILE *f = fopen(path, "wb");
    if (f) fwrite(o.s, 1, o.len, f), fclose(f);
    um_buf_reset(&o);
    um_buf_addc(&o, 0);
    um_wire_unit u = {"0a1b2c", 7, "okta", "/logs/okta.jsonl", 123456, 3, 1040384, 0, 0, 0};
    um_wire_unit_put(&o, &u);
    snprintf(path, sizeof path, "%s/unit", dir);
    f = fopen(path, "wb");
    if (f) fwrite(o.s, 1, o.len, f), fclose(f);
    /* mode bytes 255 and 254: an identity shard's observations, a blocking */
    size_t no = shard_world(7);
    um_buf_reset(&o);
    um_buf_addc(&o, (char)255);
    um_wire_obs_head(&o, SH_NS, 60, NULL);
    size_t prev = 0, put = 0;
    for (size_t i = 0; i < no && put < 60; i++) {
        if (SO[i].subject >= SH_NS || !SO[i].value[0]) continue;
        um_wire_obs_put(&o, prev ? i + 1 - prev : i, &SO[i], um_lk_obs_hash(&SO[i]));
        prev = i + 1;
        put++;
    }
    snprintf(path, sizeof path, "%s/shard-obs", dir);
    f = fopen(path, "wb");
    if (f) fwrite(o.s, 1, o.len, f), fclose(f);
    um_lk_blocked bl;
    if (um_lk_block(SO, 200, SH_NS, NULL, &bl) == UM_OK) {
        um_buf_reset(&o);
        um_buf_addc(&o, (char)254);
        um_wire_block_put(&o, &bl, NULL);
        snprintf(path, sizeof path, "%s/shard-blocking", dir);
        f = fopen(path, "wb");
        if (f) fwrite(o.s, 1, o.len, f), fclose(f);
        um_lk_blocked_free(&bl);
    }
    um_buf_free(&o);
    um_rec_batch_free(b);
}



/* The person partitions' events (UME1): what the partitioned analyzers
 * read survives exactly, a repeated file is sent once, a bag is only said
 * to be there, the rest of the event stays home; cut short or out of
 * range is refused with a reason. */
static void test_part_events(void) {
    um_rec_batch *b = sample();
    um_event e1 = b->items[0].ev, e2 = b->items[1].ev;
    e1.src_file = "/logs/a.jsonl";
    e2.src_file = "/logs/a.jsonl";
    e1.cmdline = "powershell -enc SECRET";
    e1.ip_country = "KP";
    e1.ip_org = "Star JV";
    static const um_winfields bag;
    e1.fields = &bag;
    um_buf o;
    um_buf_init(&o);
    um_wire_ev_put(&o, 7, 3, &e1, NULL);
    size_t one = o.len;
    um_wire_ev_put(&o, 9, -1, &e2, e1.src_file);
    CHECK(!o.oom && !memmem(o.s, o.len, "SECRET", 6));
    CHECK(memmem(o.s + one, o.len - one, "/logs/a.jsonl", 13) == NULL); /* the file once a frame */
    um_arena a;
    um_arena_init(&a);
    static const um_winfields empty;
    um_pk r = um_pk_over(o.s, o.len);
    const char *last = NULL;
    uint64_t seq;
    um_sid sid;
    um_event d;
    CHECK(um_wire_ev_get(&r, &a, 10, &empty, &seq, &sid, &d, &last) == UM_OK);
    CHECK(seq == 7 && sid == 3 && d.kind == e1.kind && d.ts == e1.ts && d.tz_min == e1.tz_min && d.has_tz);
    CHECK(d.port == e1.port && d.asn == e1.asn && d.is_proxy == e1.is_proxy && d.usb_vid == e1.usb_vid);
    CHECK(d.src_line == e1.src_line && d.net_flags == e1.net_flags && d.has_geo == e1.has_geo);
    CHECK(!d.has_geo || (d.lat == e1.lat && d.lon == e1.lon));
    CHECK(d.fields == &empty && d.fields_dropped && d.cmdline == NULL);
    CHECK(d.user && strcmp(d.user, e1.user) == 0 && strcmp(d.ip_country, "KP") == 0 && strcmp(d.ip_org, "Star JV") == 0);
    CHECK(d.src_file && strcmp(d.src_file, "/logs/a.jsonl") == 0);
    CHECK(um_wire_ev_get(&r, &a, 10, &empty, &seq, &sid, &d, &last) == UM_OK);
    CHECK(seq == 9 && sid == -1 && d.fields == NULL && strcmp(d.src_file, "/logs/a.jsonl") == 0);
    CHECK(r.pos == r.n);
    /* subject out of range (10 subjects: 3 is fine, 2 subjects: not) */
    r = um_pk_over(o.s, o.len);
    last = NULL;
    CHECK(um_wire_ev_get(&r, &a, 2, &empty, &seq, &sid, &d, &last) == UM_EPARSE && r.bad);
    /* every cut of the first event is refused */
    for (size_t n = 0; n < one; n++) {
        r = um_pk_over(o.s, n);
        last = NULL;
        CHECK(um_wire_ev_get(&r, &a, 10, &empty, &seq, &sid, &d, &last) == UM_EPARSE);
    }
    /* a "same file" event at a frame's start is refused */
    r = um_pk_over(o.s + one, o.len - one);
    last = NULL;
    CHECK(um_wire_ev_get(&r, &a, 10, &empty, &seq, &sid, &d, &last) == UM_EPARSE);
    /* control items: a subject told, an event after it, the end; event number 0 is not an event */
    um_buf c;
    um_buf_init(&c);
    um_wire_evctl_sub(&c, 12, "A-0123456789ab");
    um_wire_ev_put(&c, 11, 12, &e2, NULL);
    size_t before_end = c.len;
    um_wire_evctl_end(&c, 40, 1);
    r = um_pk_over(c.s, c.len);
    last = NULL;
    um_wire_evctl x;
    CHECK(um_wire_evctl_get(&r, &a, &x) == 1 && x.tag == UM_WIRE_EV_SUBJECT && x.n == 12 &&
          strcmp(x.id, "A-0123456789ab") == 0);
    CHECK(um_wire_evctl_get(&r, &a, &x) == 0); /* an event: nothing read */
    CHECK(um_wire_ev_get(&r, &a, 13, &empty, &seq, &sid, &d, &last) == UM_OK && seq == 11 && sid == 12);
    CHECK(um_wire_evctl_get(&r, &a, &x) == 1 && x.tag == UM_WIRE_EV_END && x.n == 40 && x.events == 1);
    CHECK(r.pos == r.n);
    for (size_t n = 1; n < 4; n++) { /* every cut of the subject item is refused */
        r = um_pk_over(c.s, n);
        CHECK(um_wire_evctl_get(&r, &a, &x) == -1 && r.bad);
    }
    static const unsigned char bad_tag[] = {0, 3, 1}, no_id[] = {0, 1, 5, 1}, seq0[] = {0};
    r = um_pk_over(bad_tag, sizeof bad_tag);
    CHECK(um_wire_evctl_get(&r, &a, &x) == -1);
    r = um_pk_over(no_id, sizeof no_id);
    CHECK(um_wire_evctl_get(&r, &a, &x) == -1); /* an empty id */
    r = um_pk_over(seq0, sizeof seq0);
    last = NULL;
    CHECK(um_wire_ev_get(&r, &a, 10, &empty, &seq, &sid, &d, &last) == UM_EPARSE);
    r = um_pk_over(c.s + before_end, c.len - before_end - 1); /* the end cut short */
    CHECK(um_wire_evctl_get(&r, &a, &x) == -1);
    um_buf_free(&c);
    um_arena_free(&a);
    um_buf_free(&o);
    um_rec_batch_free(b);
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--write-corpus") == 0) {
        write_corpus(argv[2]);
        return 0;
    }
    RUN(test_round_trip);
    RUN(test_hostile);
    RUN(test_unit);
    RUN(test_shards);
    RUN(test_part_events);
    return um_t_report();
}
