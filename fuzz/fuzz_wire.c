/*
 * fuzz_wire.c - the decoders of what comes over the bus (src/dist/wire.h):
 * work units and result streams are written by other machines, so hostile.
 *
 * First byte: 0 a work unit, 255 an identity shard's observations (then
 * blocked as a worker does, and the blocking checked against them), 254 a
 * shard's blocking (checked against no observations: refused unless
 * empty), 253 the person partitions' events (decoded as a worker does, then
 * re-encoded to a fixed point), 252 pair pieces (a shard's, then a pair
 * partition's order; merged as a partition does; checked against an empty
 * blocking: refused unless none); an identity shard's observations (255)
 * also make their pair pieces, which must round-trip and fit the blocking;
 * else a result stream fed in pieces whose sizes come from that
 * byte. Checked: a decoded unit encodes back to the same
 * bytes; every decoded batch re-encodes and decodes again to the same bytes
 * (no information lost or invented).
 */
#include <string.h>

#include "um_fuzz.h"
#include "dist/wire.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    return 0;
}

static void recheck(const um_rec_batch *b) {
    um_buf o;
    um_buf_init(&o);
    um_wire_put_batch(&o, b, "/in");
    um_wire_dec *d = um_wire_dec_new();
    um_rec_batch *b2 = NULL;
    const char *why = NULL;
    if (um_wire_dec_feed(d, o.s, o.len, &b2, &why) != UM_OK || um_wire_dec_pending(d) != 0)
        um_fuzz_soft("wire: a re-encoded batch does not decode", why);
    um_buf o2;
    um_buf_init(&o2);
    if (b2) um_wire_put_batch(&o2, b2, "/in");
    if (o.len != o2.len || (o.len && memcmp(o.s, o2.s, o.len) != 0)) um_fuzz_soft("wire: round trip differs", NULL);
    um_buf_free(&o), um_buf_free(&o2);
    um_rec_batch_free(b2);
    um_wire_dec_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    const char *why = NULL;
    if (data[0] == 0) {
        um_wire_unit u;
        if (um_wire_unit_get(data + 1, size - 1, &u, &why) == UM_OK) {
            um_buf o;
            um_buf_init(&o);
            um_wire_unit_put(&o, &u);
            if (o.len != size - 1 || memcmp(o.s, data + 1, o.len) != 0) {
                /* varints may be over-long in the input; the decoded unit must still round-trip */
                um_wire_unit v;
                if (um_wire_unit_get(o.s, o.len, &v, &why) != UM_OK) um_fuzz_soft("wire: unit round trip", why);
                else um_wire_unit_clear(&v);
            }
            um_buf_free(&o);
            um_wire_unit_clear(&u);
        }
        return 0;
    }
    if (data[0] == 255) {
        um_wire_obsset os;
        if (um_wire_obs_get(data + 1, size - 1, &os, &why) == UM_OK) {
            um_lk_blocked b;
            /* a subject count of millions is legitimate but too big to sort here */
            if (os.nsubjects <= (1u << 20) && um_lk_block(os.obs, os.n, os.nsubjects, os.cap, &b) == UM_OK) {
                um_buf o;
                um_buf_init(&o);
                um_wire_block_put(&o, &b, NULL);
                um_lk_blocked m;
                memset(&m, 0, sizeof m);
                if (um_wire_block_get(o.s, o.len, &m, &why) != UM_OK) um_fuzz_soft("wire: blocking round trip", why);
                else if ((why = um_wire_block_check(&m, os.obs, os.n, os.nsubjects, os.cap)) != NULL)
                    um_fuzz_soft("wire: a worker's own blocking fails the check", why);
                um_lk_piece *pc = NULL, *back = NULL;
                size_t npc = 0, nback = 0, cap = 0;
                if (m.nvals && um_lk_pieces(&b, NULL, &pc, &npc) == UM_OK) {
                    um_buf q;
                    um_buf_init(&q);
                    um_wire_pieces_put(&q, pc, npc);
                    if (um_wire_pieces_get(q.s, q.len, 0, (uint32_t)m.nvals, &back, &nback, &cap, &why, false) != UM_OK ||
                        nback != npc || (npc && memcmp(back, pc, npc * sizeof *pc) != 0))
                        um_fuzz_soft("wire: pair pieces round trip", why);
                    else if ((why = um_wire_pieces_check(back, nback, &m, os.nsubjects)) != NULL)
                        um_fuzz_soft("wire: a worker's own pair pieces fail the check", why);
                    um_buf_free(&q);
                }
                um_free(pc);
                um_free(back);
                um_lk_blocked_free(&m);
                um_buf_free(&o);
                um_lk_blocked_free(&b);
            }
            um_wire_obsset_free(&os);
        }
        return 0;
    }
    if (data[0] == 253) { /* the person partitions' events and control items, as a worker reads a frame */
        static const um_winfields empty;
        um_arena a;
        um_arena_init(&a);
        um_buf o[2];
        um_buf_init(&o[0]), um_buf_init(&o[1]);
        um_pk r = um_pk_over(data + 1, size - 1);
        for (int pass = 0; pass < 2; pass++) { /* the decoded events re-encode to a fixed point */
            const char *last = NULL, *prev = NULL;
            uint64_t seq;
            um_sid sid;
            um_event ev;
            while (r.pos < r.n) {
                um_wire_evctl c; /* and the control items: a subject told, the end */
                int ctl = um_wire_evctl_get(&r, &a, &c);
                if (ctl < 0) break;
                if (ctl && c.tag == UM_WIRE_EV_SUBJECT) um_wire_evctl_sub(&o[pass], (um_sid)c.n, c.id);
                else if (ctl) um_wire_evctl_end(&o[pass], c.n, c.events);
                if (ctl) continue;
                if (um_wire_ev_get(&r, &a, 1000, &empty, &seq, &sid, &ev, &last) != UM_OK) break;
                um_wire_ev_put(&o[pass], seq, sid, &ev, prev);
                prev = ev.src_file;
            }
            if (pass == 1 && r.pos < r.n) um_fuzz_soft("wire: re-encoded events do not decode", r.bad);
            r = um_pk_over(o[0].s, o[0].len);
        }
        if (o[0].len != o[1].len || (o[0].len && memcmp(o[0].s, o[1].s, o[0].len) != 0))
            um_fuzz_soft("wire: events round trip differs", NULL);
        um_buf_free(&o[0]), um_buf_free(&o[1]);
        um_arena_free(&a);
        return 0;
    }
    if (data[0] == 252) {
        um_lk_piece *q = NULL;
        size_t n = 0, cap = 0;
        for (int order = 0; order < 2; order++) {
            n = 0;
            if (um_wire_pieces_get(data + 1, size - 1, 0, 1000, &q, &n, &cap, &why, order == 1) != UM_OK) continue;
            um_lk_blocked none;
            memset(&none, 0, sizeof none);
            if (n && um_wire_pieces_check(q, n, &none, 1u << 20) == NULL)
                um_fuzz_soft("wire: pair pieces passed the check with no blocking", NULL);
            if (um_lk_pair_partition(q, &n) != UM_OK) um_fuzz_soft("wire: pair partition failed", NULL);
        }
        um_free(q);
        return 0;
    }
    if (data[0] == 254) {
        um_lk_blocked m;
        memset(&m, 0, sizeof m);
        if (um_wire_block_get(data + 1, size - 1, &m, &why) == UM_OK && m.nvals &&
            um_wire_block_check(&m, NULL, 0, 0, NULL) == NULL)
            um_fuzz_soft("wire: a blocking passed the check with no observations", NULL);
        um_lk_blocked_free(&m);
        return 0;
    }
    size_t step = data[0];
    um_wire_dec *d = um_wire_dec_new();
    if (!d) return 0;
    for (size_t off = 1; off < size;) {
        size_t n = size - off < step ? size - off : step;
        um_rec_batch *b = NULL;
        if (um_wire_dec_feed(d, data + off, n, &b, &why) != UM_OK) break;
        if (b) recheck(b);
        um_rec_batch_free(b);
        off += n;
    }
    um_wire_dec_free(d);
    return 0;
}
