/*
 * bus.h - what the files of src/dist/ share about the NATS connection
 * (nats.c): connecting (streams made), error text, publishing with retries,
 * the worker handle. Includes libnats; nothing outside src/dist/ includes
 * this header.
 */
#ifndef UM_BUS_H
#define UM_BUS_H

#include <nats/nats.h>
#include <pthread.h>

#include "dist.h"

#define UM_BUS_NS 1000000000LL

struct um_nats_conf {
    char *url, *user, *password, *token, *creds, *nkey, *ca, *cert, *key, *tls_name;
    bool tls;
    unsigned ack_wait_s, max_ack_pending;
    unsigned link_shards; /* 0: the identity index on the scan's side */
    unsigned partitions;  /* person partitions on workers (0: none) */
};

struct um_worker {
    um_ctx *ctx;
    um_nats_conf *conf;
    char *errmsg;
    void (*log)(void *ud, const char *line);
    void *log_ud;
    unsigned pause_ms;
    unsigned part_threads; /* threads for person partitions, on their own queue (default 4) */
    unsigned scan_lost_s;  /* a partition waiting for events is given up after this long without the scan's heartbeat */
    natsConnection *nc;
    jsCtx *js;
    const volatile sig_atomic_t *stop;
    pthread_mutex_t mu; /* errmsg, log */
    um_status fatal;
    uint64_t pf_digest; /* of ctx's prefilters (um_scan_prepare; 0: none built): units with it are prefiltered here */
    uint64_t ctx_digest; /* what the person partitions read from ctx (um_bus_ctx_digest): other units are refused */
};

/* Connects with c's credentials and TLS, makes the streams; NULL, or an
 * error message (heap). */
char *um_bus_connect(const um_nats_conf *c, natsConnection **nc, jsCtx **js);
/* "what: status - detail" (heap), saying so when credentials were refused. */
char *um_bus_err(natsStatus st, const char *what);
/* Publishes with a message id (NULL none), retrying while the server is away. */
natsStatus um_bus_publish(jsCtx *js, const char *subj, const void *p, size_t n, const char *id,
                          bool (*stop)(void *ud), void *ud);
int64_t um_bus_now_ms(void);
/* A digest, never 0, of what the partitioned analyzers read from ctx (the
 * indicator and network lists and the KVM list, the .csv files of DATA/ioc, and
 * whether VNC is an approved remote-access tool): equal digests, equal answers from a person
 * partition run on another machine. */
uint64_t um_bus_ctx_digest(const um_ctx *ctx);
/* The public key ("U...", 56 characters) of the user nkey seed in seed_file
 * (nkey.c); false with *err (heap) when the file has none or it is malformed. */
bool um_nkey_public(const char *seed_file, char pub[57], char **err);
void um_bus_log(um_worker *w, const char *fmt, ...) UM_PRINTF(2, 3);

#endif
