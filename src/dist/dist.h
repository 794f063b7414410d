/*
 * dist.h - the scan's side of scale-out over NATS JetStream (nats.c).
 * libnats stays behind src/dist/: nothing else includes <nats/nats.h>.
 */
#ifndef UM_DIST_H
#define UM_DIST_H

#include "../core/scan.h"

/* A heap copy of um_nats_opts (um_scan_set_nats). */
typedef struct um_nats_conf um_nats_conf;
um_nats_conf *um_nats_conf_copy(const um_nats_opts *o);
void um_nats_conf_free(um_nats_conf *c);

/* The phase-1 driver when the scan has a bus (run.c): log inputs read by
 * workers, replayed here in input order; others through read_input. */
um_status um_dist_read_logs(um_scan *s, um_status (*read_input)(um_scan *, um_input *));

/* The identity index's blocking on workers (docs/SCALING.md): the scan's
 * observations are routed to s->nats link shards by the hash of their
 * canonical value; each shard's worker runs um_lk_block over its part and
 * sends the values back; the shards' values, checked against obs, are
 * merged into *out in hash order, which is what um_lk_block over all of obs
 * gives. false when the scan has no bus or no shards (*out untouched);
 * else true with *st (UM_OK, or the error, said with um_scan_set_error). */
/* Each shard also sends its pair pieces (um_lk_pieces) to *nparts pair
 * partitions, units on workers that merge them (um_lk_pair_partition); the
 * partitions' pairs, checked against the merged blocking, are (*part)[p]
 * with (*npart)[p] pieces, for um_lk_run_pairs (free each, then both, with
 * um_free). */
struct um_lk_obs;
struct um_lk_blocked;
struct um_lk_piece;
bool um_dist_link_block(um_scan *s, const struct um_lk_obs *obs, size_t nobs, size_t nsubjects, const size_t *cap,
                        struct um_lk_blocked *out, struct um_lk_piece ***part, size_t **npart, unsigned *nparts,
                        um_status *st);

#endif
