/*
 * clusters.c - clusters.jsonl: the persona clusters of the linkage stage,
 * one line per cluster, then one per generic value (docs/SCHEMA.md). The
 * lines come from the link analyzer's result (um_link_clusters_write), a
 * line at a time, written atomically through the OS seam.
 */
#include "../core/internal.h"

static um_status write_clusters(struct um_scan *s, const char *dir) {
    return um_link_clusters_write(s, dir, "clusters.jsonl");
}

const um_sink um_sink_clusters = {"clusters", "clusters.jsonl: persona clusters in three tiers, explained",
                                  write_clusters, false};
