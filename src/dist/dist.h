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

#endif
