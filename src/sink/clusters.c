/*
 * clusters.c - clusters.jsonl: the persona clusters of the linkage stage,
 * one line per cluster, then one per generic value (docs/SCHEMA.md). The
 * lines come from the link analyzer's result (um_link_clusters_jsonl);
 * written atomically through the OS seam.
 */
#include "../core/internal.h"

static um_status write_clusters(struct um_scan *s, const char *dir) {
    um_buf b;
    um_buf_init(&b);
    um_status st = um_link_clusters_jsonl(s, &b);
    if (st == UM_OK) st = um_write_file_atomic(s, dir, "clusters.jsonl", &b);
    um_buf_free(&b);
    return st;
}

const um_sink um_sink_clusters = {"clusters", "clusters.jsonl: persona clusters in three tiers, explained",
                                  write_clusters, false};
