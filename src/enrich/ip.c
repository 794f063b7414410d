/*
 * ip.c - IP enrichment. PLACEHOLDER: classifies private addresses only;
 * the MaxMind and bundled-list lookups are being added.
 */
#include <string.h>
#include <arpa/inet.h>

#include "../core/internal.h"

struct um_ipdb {
    int unused;
};

um_status um_ipdb_open(um_ctx *ctx, um_ipdb **out, const um_ctx_options *opt, const char *data_dir) {
    (void)ctx, (void)opt, (void)data_dir;
    *out = um_calloc(1, sizeof **out);
    return *out ? UM_OK : UM_ENOMEM;
}

void um_ipdb_close(um_ipdb *db) { um_free(db); }

void um_ipdb_enrich(um_ipdb *db, um_event *ev) {
    (void)db;
    if (!ev->ip) return;
    struct in_addr a4;
    if (inet_pton(AF_INET, ev->ip, &a4) == 1) {
        uint32_t x = ntohl(a4.s_addr);
        if ((x >> 24) == 10 || (x >> 24) == 127 || (x >> 20) == 0xAC1 || (x >> 16) == 0xC0A8 ||
            (x >> 16) == 0xA9FE)
            ev->net_flags |= UM_NET_PRIVATE;
    }
}
