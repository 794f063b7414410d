/*
 * nats.c - scale-out over NATS JetStream: the connection (bus.h), the scan's
 * side (um_dist_read_logs) and the worker (um_worker_*); follow.c is the
 * continuous mode. Only src/dist/ includes libnats.
 *
 * Streams (file storage, created by whoever comes first):
 *   UNMASK_WORK  "unmask.work"           work-queue retention: one message
 *                                        per log input (a unit, wire.h);
 *                                        durable pull consumer
 *                                        "unmask-workers", explicit acks,
 *                                        AckWait, MaxAckPending
 *   UNMASK_DATA  "unmask.data.SCAN.UNIT" the input's bytes in frames
 *   UNMASK_RES   "unmask.res.SCAN.UNIT"  what the reader emitted, as frames
 *                                        of the wire.h result stream
 *   UNMASK_PART  "unmask.ev.SCAN.P|t"    person partitions (--nats-partitions):
 *                "unmask.find.SCAN.P"    partition P's events (UME1 frames)
 *                                        and the subject table; P's state
 * DATA and RES keep messages a day at most, drop duplicates by message id
 * (Nats-Msg-Id "SCAN.d|r.UNIT.PART") within an hour, and allow direct gets:
 * both sides read a unit's frames with "next message on this subject at or
 * after sequence N", which needs no consumer state and so survives a
 * restart of the server.
 *
 * The scan publishes a unit's frames and then its work message, a bounded
 * window of bytes ahead of the unit it replays; for each log input in order
 * it reads the unit's result frames (part numbers below the next expected
 * one are duplicates and skipped), replays the batches and purges the
 * unit's subjects. A worker fetches a unit, copies its frames into a
 * temporary file, runs the reader with a recorder (core/rec.h) whose
 * batches are encoded and cut into frames of the size the unit names
 * (deterministic: a redelivered unit gives the same frames under the same
 * ids), marks the work message in progress as it goes, and acknowledges it
 * at the end. A worker killed part-way leaves its unit unacknowledged: the
 * server redelivers it after AckWait to another worker, whose frames the
 * server de-duplicates or the scan skips. A unit whose data is gone (the
 * scan finished or gave up) is acknowledged and dropped.
 *
 * Person partitions (docs/SCALING.md): while the scan replays, every event
 * its partitioned analyzers would see goes, with its event number, into its
 * partition's frames (part_pub); after the last one the subject table and
 * one unit a partition (reader "@part") follow. A worker runs partition P
 * in an empty scan with the table loaded (do_part) and publishes its state
 * (um_pa_save) before it acknowledges; the scan loads the K states
 * (um_pa_load) for the merge.
 *
 * Identity shards (reader "@link", um_dist_link_block): a shard's worker
 * blocks its observations and routes its pair pieces to the pair
 * partitions (unmask.res.SCAN.q.P.SHARD, "UMP1" frames, send_pieces)
 * before its result; the scan then sends one unit a pair partition (reader
 * "@pairs", do_pairs), whose worker merges the pieces by pair and sends
 * the pairs back in the engine's edge order for um_lk_run_pairs.
 */
#include "bus.h"
#include "wire.h"

#include <dirent.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "../os/os.h"
#include "../read/signin.h"

#define STREAM_WORK "UNMASK_WORK"
#define STREAM_DATA "UNMASK_DATA"
#define STREAM_RES "UNMASK_RES"
#define STREAM_PART "UNMASK_PART" /* person partitions: unmask.ev.SCAN.P events, unmask.find.SCAN.P states */
#define PART_READER "@part"       /* a unit's reader name: a person partition, not a log input */
#define SUBJ_WORK "unmask.work"
#define DURABLE "unmask-workers"
#define STREAM_PWORK "UNMASK_PWORK" /* the person partitions' units, apart: they wait for events */
#define SUBJ_PWORK "unmask.pwork"
#define PDURABLE "unmask-partitions"
#define HEARTBEAT_MS 2000 /* a scan with person partitions on workers says it is alive this often */
#define SCAN_LOST_S 60    /* a worker waiting for events gives a partition up after this long without it */
#define PART_THREADS 4    /* a worker's partition threads by default: mostly waiting for events */
#define NS UM_BUS_NS
#define WINDOW_BYTES ((uint64_t)256 << 20) /* input bytes published ahead of the replay */
#define FALLBACK_STATUS 200                 /* end status: read this input on the scan's side */
#define RETRY_FOR_S 600                     /* give up on an unreachable server after this */
#define GONE_WAIT_S 10  /* a worker: a unit's bytes not found on the server are looked for again this long */
#define MAX_GEN 3       /* a scan: a log unit whose bytes a worker did not find is sent again, this often in all */
#define GEN_SHIFT 56    /* a resent unit's number: the generation above the input and part bits */


static char *um_fmt(const char *fmt, ...) UM_PRINTF(1, 2);
static char *um_fmt(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *m = um_vfmt(fmt, ap);
    va_end(ap);
    return m;
}

static char *dup0(const char *s) { return s && *s ? um_strdup(s) : NULL; }

um_nats_conf *um_nats_conf_copy(const um_nats_opts *o) {
    um_nats_conf *c = um_calloc(1, sizeof *c);
    if (!c) return NULL;
    c->url = dup0(o->url);
    c->user = dup0(o->user);
    c->password = o->password ? um_strdup(o->password) : NULL;
    c->token = dup0(o->token);
    c->creds = dup0(o->creds_file);
    c->ca = dup0(o->tls_ca);
    c->cert = dup0(o->tls_cert);
    c->key = dup0(o->tls_key);
    c->tls_name = dup0(o->tls_name);
    c->nkey = dup0(o->nkey_seed_file);
    c->tls = o->tls || c->ca || c->cert || c->key || c->tls_name;
    c->ack_wait_s = o->ack_wait_s ? o->ack_wait_s : 30;
    c->max_ack_pending = o->max_ack_pending ? o->max_ack_pending : 256;
    c->partitions = o->partitions >= 2 ? o->partitions : 0;
    c->link_shards = o->link_shards < 0 ? 0 : o->link_shards == 0 ? 8 : (unsigned)o->link_shards;
    if (!c->url || (o->user && !c->user) || (o->password && !c->password) || (o->token && !c->token) ||
        (o->creds_file && !c->creds) || (o->tls_name && *o->tls_name && !c->tls_name) ||
        (o->nkey_seed_file && *o->nkey_seed_file && !c->nkey)) {
        um_nats_conf_free(c);
        return NULL;
    }
    return c;
}

void um_nats_conf_free(um_nats_conf *c) {
    if (!c) return;
    if (c->password) memset(c->password, 0, strlen(c->password));
    if (c->token) memset(c->token, 0, strlen(c->token));
    um_free(c->url), um_free(c->user), um_free(c->password), um_free(c->token), um_free(c->creds);
    um_free(c->ca), um_free(c->cert), um_free(c->key), um_free(c->tls_name), um_free(c->nkey);
    um_free(c);
}

static bool set(const char *s) { return s && *s; }

/* NULL, or why the options cannot work. */
static const char *opts_check(const um_nats_opts *o) {
    if (!o || !set(o->url)) return "a NATS URL is needed";
    if (set(o->tls_cert) != set(o->tls_key)) return "a TLS client certificate needs its key, and a key its certificate";
    if (set(o->creds_file) && set(o->nkey_seed_file)) return "give a NATS creds file or an nkey seed file, not both";
    if (o->link_shards > 1024) return "at most 1024 identity-index shards";
    if (o->partitions > 1024) return "at most 1024 person partitions";
    return NULL;
}

um_status um_scan_set_nats(um_scan *s, const um_nats_opts *o) {
    const char *bad = opts_check(o);
    if (bad) {
        um_scan_set_error(s, "%s", bad);
        return UM_EINVAL;
    }
    um_nats_conf *c = um_nats_conf_copy(o);
    if (!c) return UM_ENOMEM;
    um_nats_conf_free(s->nats);
    s->nats = c;
    if (c->partitions) return um_scan_set_partitions(s, c->partitions); /* run on workers (um_dist_read_logs) */
    return UM_OK;
}

/* ---- connection ---- */

char *um_bus_err(natsStatus st, const char *what) {
    const char *detail = nats_GetLastError(NULL);
    char *m = NULL;
    if (st == NATS_CONNECTION_AUTH_FAILED || (detail && strstr(detail, "uthorization")))
        m = um_fmt("%s: the NATS server refused the credentials (authorization violation); check the user and "
                   "password, token, creds file or nkey seed",
                   what);
    else
        m = um_fmt("%s: %s%s%s", what, natsStatus_GetText(st), detail && *detail ? " - " : "",
                   detail ? detail : "");
    return m;
}

/* The host of the first URL when it is a name (not an IP literal): the
 * name the server's TLS certificate must carry. */
static bool tls_host(const char *url, char *out, size_t cap) {
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    const char *end = p + strcspn(p, ",/");
    const char *at = memchr(p, '@', (size_t)(end - p));
    if (at) p = at + 1;
    if (*p == '[') return false; /* IPv6 literal */
    size_t n = strcspn(p, ":,/");
    if (n == 0 || n >= cap) return false;
    memcpy(out, p, n);
    out[n] = 0;
    bool digits = true;
    for (size_t i = 0; i < n; i++)
        if (!((out[i] >= '0' && out[i] <= '9') || out[i] == '.')) digits = false;
    return !digits;
}

char *um_bus_connect(const um_nats_conf *c, natsConnection **nc, jsCtx **js) {
    natsOptions *o = NULL;
    natsStatus st = natsOptions_Create(&o);
    char *what = um_fmt("NATS at %s", c->url);
    if (!what) return NULL;
    if (st == NATS_OK) st = natsOptions_SetURL(o, c->url);
    if (st == NATS_OK) st = natsOptions_SetName(o, "unmask");
    if (st == NATS_OK) st = natsOptions_SetTimeout(o, 5000);
    if (st == NATS_OK) st = natsOptions_SetMaxReconnect(o, -1); /* a restarted server is waited for */
    if (st == NATS_OK) st = natsOptions_SetReconnectWait(o, 250);
    if (st == NATS_OK) st = natsOptions_SetReconnectBufSize(o, 32 << 20);
    if (st == NATS_OK && c->user) st = natsOptions_SetUserInfo(o, c->user, c->password ? c->password : "");
    if (st == NATS_OK && c->token) st = natsOptions_SetToken(o, c->token);
    if (st == NATS_OK && c->creds) st = natsOptions_SetUserCredentialsFromFiles(o, c->creds, NULL);
    if (st == NATS_OK && c->tls) st = natsOptions_SetSecure(o, true);
    char host[256];
    if (st == NATS_OK && c->tls_name) st = natsOptions_SetExpectedHostname(o, c->tls_name);
    else if (st == NATS_OK && c->tls && tls_host(c->url, host, sizeof host))
        st = natsOptions_SetExpectedHostname(o, host);
    if (st == NATS_OK && c->nkey) {
        char pub[57], *err = NULL;
        if (!um_nkey_public(c->nkey, pub, &err)) {
            char *m = um_fmt("%s: nkey seed file %s: %s", what, c->nkey, err ? err : "unusable");
            um_free(err);
            um_free(what);
            natsOptions_Destroy(o);
            return m;
        }
        st = natsOptions_SetNKeyFromSeed(o, pub, c->nkey);
    }
    if (st == NATS_OK && c->ca) st = natsOptions_LoadCATrustedCertificates(o, c->ca);
    if (st == NATS_OK && c->cert) st = natsOptions_LoadCertificatesChain(o, c->cert, c->key);
    if (st != NATS_OK) {
        char *m = um_bus_err(st, "NATS connection options");
        natsOptions_Destroy(o);
        um_free(what);
        return m;
    }
    st = natsConnection_Connect(nc, o);
    /* Once in a few dozen test runs under ASan, nats-server 2.9.10 refused
     * the last of a scan's connections with a valid nkey ("authentication
     * error", cause not found; the same seed was accepted a moment before):
     * one more try after 200 ms. Wrong credentials are refused twice. */
    if (st == NATS_CONNECTION_AUTH_FAILED && (c->nkey || c->creds)) {
        nats_Sleep(200);
        st = natsConnection_Connect(nc, o);
    }
    natsOptions_Destroy(o);
    if (st != NATS_OK) {
        char *m = um_bus_err(st, what);
        /* A server requiring a client certificate closes a TLS 1.3
         * connection without one after the handshake: say so. */
        if (m && c->tls && st != NATS_CONNECTION_AUTH_FAILED && !strstr(m, "refused the credentials")) {
            char *m2 = um_fmt("%s (TLS: is the server's certificate signed by the --nats-ca CA and issued to the "
                              "expected name, and does the server accept this client certificate%s?)",
                              m, c->cert ? "" : " - none was given");
            if (m2) um_free(m), m = m2;
        }
        um_free(what);
        *nc = NULL;
        return m;
    }
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.Wait = 5000;
    st = natsConnection_JetStream(js, *nc, &jo);
    if (st != NATS_OK) {
        char *m = um_bus_err(st, what);
        natsConnection_Destroy(*nc);
        *nc = NULL;
        um_free(what);
        return m;
    }
    /* The streams: created by the first comer; an existing one is used. */
    static const struct {
        const char *name, *subject, *subject2;
        bool work;
        unsigned hours; /* messages kept at most */
    } streams[] = {{STREAM_WORK, SUBJ_WORK, NULL, true, 24},
                   {STREAM_PWORK, SUBJ_PWORK, NULL, true, 24},
                   {STREAM_DATA, "unmask.data.>", NULL, false, 24},
                   {STREAM_RES, "unmask.res.>", NULL, false, 24},
                   {"UNMASK_EVENTS", "unmask.events.>", NULL, false, 7 * 24},
                   {"UNMASK_FINDINGS", "unmask.findings", NULL, false, 7 * 24},
                   {STREAM_PART, "unmask.ev.>", "unmask.find.>", false, 24}};
    for (size_t i = 0; i < UM_ARRAY_LEN(streams); i++) {
        jsStreamConfig sc;
        jsStreamConfig_Init(&sc);
        const char *subj[2] = {streams[i].subject, streams[i].subject2};
        sc.Name = streams[i].name;
        sc.Subjects = subj;
        sc.SubjectsLen = streams[i].subject2 ? 2 : 1;
        sc.Storage = js_FileStorage;
        sc.Retention = streams[i].work ? js_WorkQueuePolicy : js_LimitsPolicy;
        sc.Duplicates = 3600 * NS;
        sc.MaxAge = (int64_t)streams[i].hours * 3600 * NS;
        sc.AllowDirect = true;
        jsErrCode je = 0;
        jsStreamInfo *si = NULL;
        st = js_AddStream(&si, *js, &sc, NULL, &je);
        if (si) jsStreamInfo_Destroy(si);
        if (st != NATS_OK && je != JSStreamNameExistErr) {
            char *m = um_bus_err(st, what);
            char *m2 = um_fmt("%s (creating stream %s; is JetStream enabled, nats-server -js?)", m ? m : "?",
                              streams[i].name);
            um_free(m);
            jsCtx_Destroy(*js);
            natsConnection_Destroy(*nc);
            *js = NULL, *nc = NULL;
            um_free(what);
            return m2;
        }
    }
    um_free(what);
    return NULL;
}

int64_t um_bus_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef bool (*stop_fn)(void *ud);

/* Publishes with a message id, retrying while the server is away or its
 * streams are not back yet (a restart) for up to RETRY_FOR_S. */
natsStatus um_bus_publish(jsCtx *js, const char *subj, const void *p, size_t n, const char *id, stop_fn stop,
                          void *ud) {
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MsgId = id;
    po.MaxWait = 10000;
    int64_t t0 = um_bus_now_ms();
    for (int wait = 50;; wait = wait < 1000 ? wait * 2 : 1000) {
        jsPubAck *pa = NULL;
        jsErrCode je = 0;
        natsStatus st = js_Publish(&pa, js, subj, p, (int)n, &po, &je);
        if (pa) jsPubAck_Destroy(pa);
        if (st == NATS_OK) return NATS_OK;
        /* "no responders": the server is up and its streams are not yet
         * (a restart recovering its store), whatever error code came with it */
        if ((je != 0 && st != NATS_NO_RESPONDERS) || (stop && stop(ud)) || um_bus_now_ms() - t0 > RETRY_FOR_S * 1000)
            return st;
        nats_Sleep(wait);
    }
}

static int cmp_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Reads the files their loaders read (um_ioc_open: every *.csv of
 * DATA/ioc in name order; the endpoint analyzer's KVM list is one of them)
 * and the approvals they ask for (um_ctx_rmm_approved); a file that cannot
 * be read counts as absent, as for the loaders. The IP data and the allowlist are
 * not read by the partitioned analyzers (the scan enriches events before
 * they are sent; the allowlist is the Sigma analyzer's, on the scan). */
uint64_t um_bus_ctx_digest(const um_ctx *ctx) {
    uint64_t d = um_hash64("UMC1", 4, 0x243f6a8885a308d3ULL);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/ioc", ctx->data_dir ? ctx->data_dir : "");
    DIR *dp = ctx->data_dir ? opendir(dir) : NULL;
    char **names = NULL;
    size_t n = 0, cap = 0;
    for (struct dirent *e; dp && (e = readdir(dp));) {
        size_t len = strlen(e->d_name);
        if (len < 5 || e->d_name[0] == '.' || strcmp(e->d_name + len - 4, ".csv") != 0) continue;
        char *c = um_strdup(e->d_name);
        if (!c || !um_grow((void **)&names, &cap, n + 1, sizeof *names)) {
            um_free(c);
            d ^= 0x1; /* out of memory: a digest nobody else has */
            break;
        }
        names[n++] = c;
    }
    if (dp) closedir(dp);
    if (n) qsort(names, n, sizeof *names, cmp_name);
    char buf[65536];
    for (size_t i = 0; i < n; i++) {
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        d = um_hash64(names[i], strlen(names[i]) + 1, d);
        FILE *f = fopen(path, "rb");
        for (size_t got; f && (got = fread(buf, 1, sizeof buf, f)) > 0;) d = um_hash64(buf, got, d);
        if (f) fclose(f);
        um_free(names[i]);
    }
    um_free(names);
    /* the approvals they ask about (endpoint.c: VNC); the other tools are
     * the Sigma analyzer's, on the scan */
    static const char *const asked[] = {"VNC"};
    for (size_t i = 0; i < UM_ARRAY_LEN(asked); i++) {
        unsigned char yes = um_ctx_rmm_approved(ctx, asked[i]) ? 1 : 0;
        d = um_hash64(&yes, 1, um_hash64(asked[i], strlen(asked[i]), d));
    }
    return d ? d : 1;
}

/* The next message on subj at or after sequence *seq: NATS_OK (then *seq is
 * past it), NATS_NOT_FOUND, or an error. */
static natsStatus next_msg(jsCtx *js, const char *stream, const char *subj, uint64_t *seq, natsMsg **m) {
    jsDirectGetMsgOptions o;
    jsDirectGetMsgOptions_Init(&o);
    o.Sequence = *seq;
    o.NextBySubject = subj;
    *m = NULL;
    natsStatus st = js_DirectGetMsg(m, js, stream, NULL, &o);
    if (st != NATS_OK) return st;
    uint64_t s = natsMsg_GetSequence(*m);
    if (s == 0) {
        const char *h = NULL;
        if (natsMsgHeader_Get(*m, "Nats-Sequence", &h) == NATS_OK && h) s = strtoull(h, NULL, 10);
    }
    *seq = (s >= *seq ? s : *seq) + 1;
    return NATS_OK;
}

static void purge(jsCtx *js, const char *stream, const char *subj) {
    jsOptions o;
    jsOptions_Init(&o);
    o.Stream.Purge.Subject = subj;
    jsErrCode je = 0;
    (void)js_PurgeStream(js, stream, &o, &je);
}

/* ---- the scan's side ---- */

typedef struct sub_run {
    um_scan *s;
    jsCtx *js;
    char id[33];
    size_t frame;
    bool *remote;          /* per input: read by a worker */
    uint64_t **starts;     /* per input: starts of its parts (a split file), else NULL */
    size_t *nparts;        /* per input: parts (0: sent whole) */
    unsigned **gens;       /* per input, per part (one when whole): units sent (resent: collect) */
    uint64_t ahead;        /* bytes published and not yet replayed */
} sub_run;

/* Checks a reader's part summary from a worker (partition.h, 2.: the
 * reader's C struct, so scan and workers must run the same unmask build):
 * only readers listed here are split over the bus. */
static bool (*part_validator(const um_reader *r))(const void *) {
    if (!r->part_size || !r->part_merge || !r->part_finish) return NULL;
    if (strcmp(r->name, "winlog-jsonl") == 0) return um_winjson_part_valid;
    if (strcmp(r->name, "okta") == 0 || strcmp(r->name, "entra") == 0) return um_signin_part_valid;
    return NULL;
}

/* The unit number of part p of input i (whole: i). */
static uint64_t unit_no(const sub_run *r, size_t i, size_t p) {
    return r->nparts[i] ? ((uint64_t)(p + 1) << 32) | i : i;
}

static bool scan_stop(void *ud) { return um_scan_cancelled(ud); }

/* Publishes bytes [off, end) of input i (end UINT64_MAX: to its end) as
 * unit `unit` (part pi of pc when pc > 1) and its work message. *readable
 * false: the file could not be read now (then read it here). */
static um_status submit_range(sub_run *r, size_t i, uint64_t unit, uint64_t off, uint64_t end, size_t pi, size_t pc,
                              bool *readable) {
    um_scan *s = r->s;
    um_input *in = &s->inputs[i];
    *readable = true;
    FILE *f = fopen(in->path, "rb");
    if (!f) {
        *readable = false;
        return UM_OK;
    }
    if (pc <= 1) {
        unsigned char bom[2];
        size_t nb = fread(bom, 1, 2, f);
        if (um_utf16_bom(bom, nb)) { /* converted on the scan's side, as with threads */
            fclose(f);
            *readable = false;
            return UM_OK;
        }
    }
    if (fseeko(f, (off_t)off, SEEK_SET) != 0) {
        fclose(f);
        *readable = false;
        return UM_OK;
    }
    char subj[96], id[96];
    snprintf(subj, sizeof subj, "unmask.data.%s.%llu", r->id, (unsigned long long)unit);
    um_buf b;
    um_buf_init(&b);
    uint64_t total = 0, left = end == UINT64_MAX ? UINT64_MAX : end - off;
    uint32_t part = 0;
    um_status st = UM_OK;
    char *chunk = um_malloc(r->frame);
    if (!chunk) {
        fclose(f);
        return UM_ENOMEM;
    }
    for (;;) {
        size_t want = left < r->frame ? (size_t)left : r->frame;
        size_t n = want ? fread(chunk, 1, want, f) : 0;
        if (n == 0 && part > 0) break;
        um_buf_reset(&b);
        um_wire_frame_put(&b, "UMD1", part);
        um_buf_add(&b, chunk, n);
        if (b.oom) {
            st = UM_ENOMEM;
            break;
        }
        snprintf(id, sizeof id, "%s.d.%llu.%u", r->id, (unsigned long long)unit, part);
        natsStatus ns = um_bus_publish(r->js, subj, b.s, b.len, id, scan_stop, s);
        if (ns != NATS_OK) {
            char *m = um_bus_err(ns, "publishing input bytes");
            um_scan_set_error(s, "%s: %s", in->path, m ? m : "NATS error");
            um_free(m);
            st = um_scan_cancelled(s) ? um_scan_cancel_status(s) : UM_EIO;
            break;
        }
        total += n;
        if (left != UINT64_MAX) left -= n;
        part++;
        if (n < r->frame) break;
    }
    bool rerr = ferror(f);
    fclose(f);
    um_free(chunk);
    if (st == UM_OK && (rerr || (end != UINT64_MAX && left != 0))) {
        *readable = false;
        um_buf_free(&b);
        return UM_OK;
    }
    if (st == UM_OK) {
        um_wire_unit u = {r->id, unit, (char *)in->reader->name, in->path, total, part, r->frame,
                          s->pf_ready ? s->pf_digest : 0, pc > 1 ? pi : 0, pc > 1 ? pc : 0};
        um_buf_reset(&b);
        um_wire_unit_put(&b, &u);
        snprintf(id, sizeof id, "%s.w.%llu", r->id, (unsigned long long)unit);
        natsStatus ns = b.oom ? NATS_NO_MEMORY : um_bus_publish(r->js, SUBJ_WORK, b.s, b.len, id, scan_stop, s);
        if (ns != NATS_OK) {
            char *m = um_bus_err(ns, "publishing a work unit");
            um_scan_set_error(s, "%s: %s", in->path, m ? m : "NATS error");
            um_free(m);
            st = um_scan_cancelled(s) ? um_scan_cancel_status(s) : UM_EIO;
        }
        r->ahead += total;
    }
    um_buf_free(&b);
    return st;
}

/* Publishes part p of input i (p 0 of 0 parts: the whole input) again,
 * as generation gen (a new unit number, so new subjects and message ids):
 * a worker did not find its bytes on the server (lost in a restart). */
static um_status resubmit(sub_run *r, size_t i, size_t p, unsigned gen, uint64_t *unit) {
    size_t n = r->nparts[i];
    uint64_t base = unit_no(r, i, p), ahead = r->ahead;
    *unit = base | (uint64_t)gen << GEN_SHIFT;
    bool readable = true;
    um_status st = n ? submit_range(r, i, *unit, r->starts[i][p],
                                    p + 1 < n ? r->starts[i][p + 1] + 1 : UINT64_MAX, p, n, &readable)
                     : submit_range(r, i, *unit, 0, UINT64_MAX, 0, 0, &readable);
    r->ahead = ahead; /* counted once, when it was first sent */
    if (st == UM_OK && !readable) {
        um_scan_set_error(r->s, "%s: the file could not be read again to send it a second time", r->s->inputs[i].path);
        st = UM_EIO;
    }
    return st;
}

/* Publishes input i: whole, or in the line-aligned parts its reader can be
 * split into (partition.h, 1.), each a unit of its own, so different
 * workers read the parts of one big file. An input that cannot be read now
 * is read here instead (r->remote[i] false). */
static um_status submit(sub_run *r, size_t i) {
    um_scan *s = r->s;
    um_input *in = &s->inputs[i];
    um_status st = part_validator(in->reader) ? um_part_cuts(in, s->part_bytes, &r->starts[i], &r->nparts[i]) : UM_OK;
    if (st != UM_OK) return st;
    bool readable = true;
    size_t n = r->nparts[i];
    if (!(r->gens[i] = um_calloc(n ? n : 1, sizeof *r->gens[i]))) return UM_ENOMEM;
    if (!n) st = submit_range(r, i, i, 0, UINT64_MAX, 0, 0, &readable);
    for (size_t p = 0; p < n && st == UM_OK && readable; p++) {
        uint64_t end = p + 1 < n ? r->starts[i][p + 1] + 1 : UINT64_MAX; /* the next part re-reads our last newline */
        st = submit_range(r, i, unit_no(r, i, p), r->starts[i][p], end, p, n, &readable);
    }
    if (st == UM_OK && !readable) {
        if (n) { /* parts already out stay unanswered; their subjects are purged at the end */
            um_scan_set_error(s, "%s: the file could not be read again while it was being sent", in->path);
            return UM_EIO;
        }
        r->remote[i] = false; /* read here: reports the error as a local scan does */
    }
    return st;
}

/* Replays part pi of input i (pt NULL: the whole input, pi 0) from its
 * result frames, lines shifted by base. pt NULL: counted as read or
 * failed; else one part: pt->lines and pt->summary are the worker's.
 * *fallback: the worker says read it here. A worker that did not find the
 * unit's bytes on the server says so on SUBJ.gone: the unit is sent again
 * under a new number (up to MAX_GEN times), and its frames from the one
 * after the last replayed on are replayed (a unit's frames are the same
 * bytes whoever reads it). *units: the generations sent (for the purge). */
static um_status collect(sub_run *r, size_t i, size_t pi, uint64_t base, um_part *pt, um_winfields *wf,
                         um_winfields *empty, bool *fallback, unsigned *units) {
    um_scan *s = r->s;
    um_input *in = &s->inputs[i];
    char subj[96], gsubj[112];
    uint64_t unit = unit_no(r, i, pi);
    unsigned gen = 0;
    snprintf(subj, sizeof subj, "unmask.res.%s.%llu", r->id, (unsigned long long)unit);
    snprintf(gsubj, sizeof gsubj, "%s.gone", subj);
    int64_t gone_checked = um_bus_now_ms();
    *units = 1;
    um_wire_dec *d = um_wire_dec_new();
    if (!d) return UM_ENOMEM;
    uint64_t seq = 1;
    uint32_t want = 0;
    bool replayed = false;
    um_status st = UM_OK;
    int64_t last_ok = um_bus_now_ms();
    int idle = 1;
    *fallback = false;
    while (st == UM_OK) {
        if (um_scan_cancelled(s)) {
            st = um_scan_cancel_status(s);
            break;
        }
        natsMsg *m = NULL;
        natsStatus ns = next_msg(r->js, STREAM_RES, subj, &seq, &m);
        if (ns == NATS_NOT_FOUND && um_bus_now_ms() - gone_checked >= 1000) { /* not there yet: or gone? */
            gone_checked = um_bus_now_ms();
            uint64_t gseq = 1;
            natsMsg *g = NULL;
            if (next_msg(r->js, STREAM_RES, gsubj, &gseq, &g) == NATS_OK) {
                natsMsg_Destroy(g);
                if (++gen >= MAX_GEN) {
                    um_scan_set_error(s, "%s: the workers did not find its bytes on the NATS server after %u sendings "
                                         "(is the server losing messages? see its log)",
                                      in->path, MAX_GEN);
                    st = UM_EIO;
                    break;
                }
                if ((st = resubmit(r, i, pi, gen, &unit)) != UM_OK) break;
                *units = gen + 1;
                snprintf(subj, sizeof subj, "unmask.res.%s.%llu", r->id, (unsigned long long)unit);
                snprintf(gsubj, sizeof gsubj, "%s.gone", subj);
                seq = 1; /* frames from want on: the same bytes from the unit sent again */
                continue;
            }
        }
        if (ns == NATS_NOT_FOUND) { /* not there yet: the workers are busy, or none is up */
            nats_Sleep(idle);
            idle = idle < 50 ? idle * 2 : 50;
            last_ok = um_bus_now_ms();
            continue;
        }
        if (ns != NATS_OK) { /* the server is away (a restart): wait for it */
            if (um_bus_now_ms() - last_ok > RETRY_FOR_S * 1000) {
                char *e = um_bus_err(ns, "reading results");
                um_scan_set_error(s, "%s: %s", in->path, e ? e : "NATS error");
                um_free(e);
                st = UM_EIO;
                break;
            }
            nats_Sleep(250);
            continue;
        }
        idle = 1;
        last_ok = um_bus_now_ms();
        const char *p = natsMsg_GetData(m);
        size_t n = (size_t)natsMsg_GetDataLength(m);
        uint32_t part;
        if (!um_wire_frame_get(p, n, "UMR1", &part) || part > want) {
            um_scan_set_error(s, "%s: malformed or out-of-order result frame from a worker", in->path);
            natsMsg_Destroy(m);
            st = UM_EPARSE;
            break;
        }
        if (part < want) { /* a second copy (redelivered unit): skipped */
            natsMsg_Destroy(m);
            continue;
        }
        want++;
        um_rec_batch *b = NULL;
        const char *why = NULL;
        st = um_wire_dec_feed(d, p + UM_WIRE_FRAME_HDR, n - UM_WIRE_FRAME_HDR, &b, &why);
        natsMsg_Destroy(m);
        if (st != UM_OK) {
            um_scan_set_error(s, "%s: bad results from a worker: %s", in->path, why ? why : "?");
            break;
        }
        if (b) {
            replayed = true;
            st = um_rec_replay(s, in, b, base, wf, empty);
            um_rec_batch_free(b);
            um_reader_ctx prc = {s, in, in->reader, NULL, NULL};
            um_rc_progress(&prc, 0);
        }
        int ws;
        const char *werr;
        if (st == UM_OK && um_wire_dec_ended(d, &ws, &werr)) {
            if (ws == FALLBACK_STATUS && !replayed && !pt) *fallback = true;
            else if (ws == FALLBACK_STATUS && pt) {
                um_scan_set_error(s, "%s: a worker could not read a part of the file", in->path);
                st = UM_EIO;
            }
            else if (ws == FALLBACK_STATUS) {
                um_scan_set_error(s, "%s: a worker gave results and then gave the input back", in->path);
                st = UM_EPARSE;
            } else if (ws < 0 || ws > UM_ECANCELED) {
                um_scan_set_error(s, "%s: bad status from a worker", in->path);
                st = UM_EPARSE;
            } else if (pt) {
                uint64_t lines;
                const void *sum;
                size_t sn;
                if (ws != UM_OK) {
                    um_scan_set_error(s, "%s: %s", in->path, werr ? werr : um_status_str((um_status)ws));
                    st = (um_status)ws;
                } else if (!um_wire_dec_part(d, &lines, &sum, &sn) || sn != in->reader->part_size ||
                           !part_validator(in->reader)(sum)) {
                    um_scan_set_error(s, "%s: a worker's part result has no or a bad summary", in->path);
                    st = UM_EPARSE;
                } else {
                    pt->lines = lines;
                    memcpy(pt->summary, sum, sn);
                }
            } else
                st = um_rec_input_done(s, in, (um_status)ws, werr);
            break;
        }
    }
    um_wire_dec_free(d);
    return st;
}

/* Replays the parts of split input i in order and merges them as local
 * threads do (partition.h, 4.): lines shifted by the lines before, the
 * summaries folded, the end-of-file warnings said once, the input counted
 * once. */
static um_status collect_parts(sub_run *r, size_t i, um_winfields *wf, um_winfields *empty) {
    um_scan *s = r->s;
    um_input *in = &s->inputs[i];
    const um_reader *rd = in->reader;
    void *merged = um_calloc(1, rd->part_size), *sum = um_calloc(1, rd->part_size);
    um_status st = merged && sum ? UM_OK : UM_ENOMEM;
    uint64_t base = 0;
    for (size_t p = 0; p < r->nparts[i] && st == UM_OK; p++) {
        um_part pt = {i, p, r->nparts[i], 0, UINT64_MAX, 0, sum};
        memset(sum, 0, rd->part_size);
        bool fallback = false;
        st = collect(r, i, p, base, &pt, wf, empty, &fallback, &r->gens[i][p]);
        if (st != UM_OK) break;
        if (p == 0) memcpy(merged, sum, rd->part_size);
        else rd->part_merge(merged, sum);
        if (pt.lines) base += pt.lines - 1; /* the next part re-reads our last newline */
    }
    if (st == UM_OK) {
        um_reader_ctx rc = {s, in, rd, NULL, NULL};
        rd->part_finish(&rc, merged);
        st = um_rec_input_done(s, in, UM_OK, NULL);
    } else if (!um_scan_cancelled(s)) {
        um_rec_input_done(s, in, st, NULL);
    }
    um_free(merged);
    um_free(sum);
    return st;
}

static void new_scan_id(char id[33]);
static size_t frame_size(natsConnection *nc);
static um_status collect_blob(um_scan *s, jsCtx *js, const char *stream, const char *subj, const char *what,
                              um_buf *out);
/* A worker's refusal in place of a collected result ("UMX1" and its message
 * after the length): said on the scan ("WHAT: a worker could not VERB it"), true. */
static bool worker_refused(um_scan *s, const char *what, const char *verb, const um_buf *b) {
    if (b->len < 12 || memcmp(b->s + 8, "UMX1", 4) != 0) return false;
    um_scan_set_error(s, "%s: a worker could not %s it: %.*s", what, verb, (int)(b->len - 12 > 200 ? 200 : b->len - 12),
                      b->s + 12);
    return true;
}

/* ---- the person partitions on workers (docs/SCALING.md) ---- */

#define PART_UNIT(p) ((UINT64_C(1) << 62) | (uint64_t)(p)) /* unit numbers apart from the log inputs' */

/* The scan's side. Before the first event: the subject table as it stands
 * (the identity subjects) on unmask.ev.SCAN.t and one unit a partition on
 * the partitions' work queue, so workers run the partitions while the scan
 * replays. Then every event the partitioned analyzers would see, in the
 * replay's order, with its event number, appended to its partition's
 * frame, preceded by a subject item the first time a subject made during
 * the replay (a log-only account) appears there; full frames go to
 * unmask.ev.SCAN.P as they fill. After the last event: an end item (the
 * final subject count) in every partition. A heartbeat on unmask.ev.SCAN.a
 * tells a worker waiting for events that the scan is still there. */
typedef struct part_pub {
    um_scan *s;
    jsCtx *js;
    const char *id;
    size_t frame;
    unsigned k;
    um_buf *buf;     /* per partition: the frame being filled */
    char **file;     /* per partition: the previous event's file in that frame (heap) */
    uint32_t *frames; /* per partition: frames published */
    uint64_t *sent;  /* per partition: events */
    uint64_t events, bytes;
    size_t n0;            /* subjects in the table sent first */
    unsigned char *told;  /* per subject from n0 on: its partition was told of it */
    size_t ntold;
    uint64_t ctx_digest; /* of what the partitioned analyzers read from the context (um_bus_ctx_digest) */
    size_t flush_at;     /* a partition's frame goes out at this many bytes */
    pthread_t hb;
    bool hb_on;
    atomic_bool hb_stop;
} part_pub;

static um_status part_flush(part_pub *pp, unsigned p) {
    if (!pp->buf[p].len) return UM_OK;
    if (pp->buf[p].oom) return UM_ENOMEM;
    char subj[96], id[128];
    snprintf(subj, sizeof subj, "unmask.ev.%s.%u", pp->id, p);
    snprintf(id, sizeof id, "%s.e.%u.%u", pp->id, p, pp->frames[p]);
    natsStatus ns = um_bus_publish(pp->js, subj, pp->buf[p].s, pp->buf[p].len, id, scan_stop, pp->s);
    if (ns != NATS_OK) {
        if (um_scan_cancelled(pp->s)) return um_scan_cancel_status(pp->s);
        char *m = um_bus_err(ns, "publishing a partition's events");
        um_scan_set_error(pp->s, "%s", m ? m : "NATS error");
        um_free(m);
        return UM_EIO;
    }
    pp->bytes += pp->buf[p].len;
    pp->frames[p]++;
    um_buf_reset(&pp->buf[p]);
    um_free(pp->file[p]);
    pp->file[p] = NULL;
    return UM_OK;
}

static um_status part_event(void *ud, unsigned p, uint64_t seq, um_sid sid, const um_event *ev) {
    part_pub *pp = ud;
    um_buf *b = &pp->buf[p];
    if (!b->len) um_wire_frame_put(b, "UME2", pp->frames[p]);
    if (sid >= 0 && (size_t)sid >= pp->n0) { /* made during the replay: its partition is told once */
        size_t x = (size_t)sid - pp->n0;
        if (x >= pp->ntold) {
            size_t cap = pp->ntold;
            if (!um_grow((void **)&pp->told, &cap, x + 1, 1)) return UM_ENOMEM;
            memset(pp->told + pp->ntold, 0, cap - pp->ntold);
            pp->ntold = cap;
        }
        if (!pp->told[x]) {
            pp->told[x] = 1;
            um_wire_evctl_sub(b, sid, um_subject_id(pp->s, sid));
        }
    }
    um_wire_ev_put(b, seq, sid, ev, pp->file[p]);
    if (ev->src_file && (!pp->file[p] || strcmp(pp->file[p], ev->src_file) != 0)) {
        um_free(pp->file[p]);
        if (!(pp->file[p] = um_strdup(ev->src_file))) return UM_ENOMEM;
    }
    if (b->oom) return UM_ENOMEM;
    pp->events++;
    pp->sent[p]++;
    return b->len >= pp->flush_at ? part_flush(pp, p) : UM_OK;
}

static bool hb_stopped(void *ud) { return atomic_load(&((part_pub *)ud)->hb_stop); }

static void *heartbeat(void *ud) {
    part_pub *pp = ud;
    char subj[96];
    snprintf(subj, sizeof subj, "unmask.ev.%s.a", pp->id);
    while (!hb_stopped(pp)) {
        (void)um_bus_publish(pp->js, subj, "UMA1", 4, NULL, hb_stopped, pp);
        for (int t = 0; t < HEARTBEAT_MS / 100 && !hb_stopped(pp); t++) nats_Sleep(100);
    }
    return NULL;
}

static void part_pub_free(part_pub *pp) {
    if (pp->hb_on) {
        atomic_store(&pp->hb_stop, true);
        pthread_join(pp->hb, NULL);
        pp->hb_on = false;
    }
    for (unsigned p = 0; pp->buf && p < pp->k; p++) um_buf_free(&pp->buf[p]);
    for (unsigned p = 0; pp->file && p < pp->k; p++) um_free(pp->file[p]);
    um_free(pp->buf);
    um_free(pp->file);
    um_free(pp->frames);
    um_free(pp->sent);
    um_free(pp->told);
}

/* Publishes a unit's bytes as "UMD1" frames on subj, ids ID.TAG.FRAME;
 * *nframes: how many. */
static natsStatus publish_frames(um_scan *s, jsCtx *js, const char *subj, const char *idp, size_t frame,
                                 const um_buf *data, uint32_t *nframes) {
    um_buf b;
    um_buf_init(&b);
    char id[160];
    uint32_t part = 0;
    size_t off = 0;
    natsStatus ns = NATS_OK;
    do {
        size_t n = data->len - off < frame ? data->len - off : frame;
        um_buf_reset(&b);
        um_wire_frame_put(&b, "UMD1", part);
        um_buf_add(&b, data->s + off, n);
        snprintf(id, sizeof id, "%s.%u", idp, part);
        ns = b.oom ? NATS_NO_MEMORY : um_bus_publish(js, subj, b.s, b.len, id, scan_stop, s);
        off += n;
        part++;
    } while (ns == NATS_OK && off < data->len);
    um_buf_free(&b);
    *nframes = part;
    return ns;
}

/* Before the first event: the subject table, one unit a partition on the
 * partitions' queue, the heartbeat. */
static um_status part_pub_init(part_pub *pp, um_scan *s, jsCtx *js, const char *id, size_t frame) {
    memset(pp, 0, sizeof *pp);
    pp->s = s, pp->js = js, pp->id = id, pp->frame = frame, pp->k = s->partitions;
    atomic_init(&pp->hb_stop, false);
    pp->ctx_digest = um_bus_ctx_digest(s->ctx); /* near the context's loading: what this scan's analyzers read */
    pp->buf = um_calloc(pp->k, sizeof *pp->buf);
    pp->file = um_calloc(pp->k, sizeof *pp->file);
    pp->frames = um_calloc(pp->k, sizeof *pp->frames);
    pp->sent = um_calloc(pp->k, sizeof *pp->sent);
    if (!pp->buf || !pp->file || !pp->frames || !pp->sent) return UM_ENOMEM;
    for (unsigned p = 0; p < pp->k; p++) um_buf_init(&pp->buf[p]);
    pp->n0 = um_scan_nsubjects(s);
    const um_os *os = um_os_get();
    const char *fb = os->getenv(os->ud, "UNMASK_EV_FRAME_BYTES"); /* tests: small frames, events flow sooner */
    pp->flush_at = fb && atol(fb) > 0 && (size_t)atol(fb) < frame / 2 ? (size_t)atol(fb) : frame / 2;
    um_buf tab, b;
    um_buf_init(&tab);
    um_buf_init(&b);
    um_subtab_put(&tab, s);
    um_status st = tab.oom ? UM_ENOMEM : UM_OK;
    char subj[96], idp[128];
    snprintf(subj, sizeof subj, "unmask.ev.%s.t", id);
    snprintf(idp, sizeof idp, "%s.t", id);
    uint32_t tframes = 0;
    natsStatus ns = st == UM_OK ? publish_frames(s, js, subj, idp, frame, &tab, &tframes) : NATS_OK;
    /* the most subjects the scan can have: a worker refuses a subject past it */
    uint64_t lim = s->limit[UM_LIMIT_LOG_SUBJECTS], most = pp->n0 + (lim < INT32_MAX ? lim : INT32_MAX);
    if (most > INT32_MAX) most = INT32_MAX;
    for (unsigned p = 0; p < pp->k && st == UM_OK && ns == NATS_OK; p++) {
        char path[64];
        snprintf(path, sizeof path, "person partition %u of %u", p, pp->k);
        /* size: the subject table's bytes; parts: the most subjects; the
         * digest of the context a worker must have to run it */
        um_wire_unit u = {(char *)id, PART_UNIT(p), PART_READER, path, tab.len, most, frame, pp->ctx_digest, p, pp->k};
        um_buf_reset(&b);
        um_wire_unit_put(&b, &u);
        snprintf(idp, sizeof idp, "%s.w.%llu", id, (unsigned long long)PART_UNIT(p));
        ns = b.oom ? NATS_NO_MEMORY : um_bus_publish(js, SUBJ_PWORK, b.s, b.len, idp, scan_stop, s);
    }
    um_buf_free(&tab);
    um_buf_free(&b);
    if (st == UM_OK && ns != NATS_OK) {
        if (um_scan_cancelled(s)) return um_scan_cancel_status(s);
        char *m = um_bus_err(ns, "publishing the person partitions' table or units");
        um_scan_set_error(s, "%s", m ? m : "NATS error");
        um_free(m);
        return ns == NATS_NO_MEMORY ? UM_ENOMEM : UM_EIO;
    }
    if (st == UM_OK && pthread_create(&pp->hb, NULL, heartbeat, pp) == 0) pp->hb_on = true;
    else if (st == UM_OK) st = UM_ENOMEM;
    if (st == UM_OK) um_pa_set_remote(s, part_event, pp);
    return st;
}

/* After the last event: every partition's end item and last frame; then
 * each partition's state, loaded as partition P's (um_pa_load) for the
 * merge. */
static um_status part_finish(part_pub *pp) {
    um_scan *s = pp->s;
    um_pa_set_remote(s, NULL, NULL);
    um_status st = UM_OK;
    int64_t t0 = um_bus_now_ms();
    for (unsigned p = 0; p < pp->k && st == UM_OK; p++) {
        um_buf *b = &pp->buf[p];
        if (!b->len) um_wire_frame_put(b, "UME2", pp->frames[p]);
        um_wire_evctl_end(b, um_scan_nsubjects(s), pp->sent[p]);
        st = part_flush(pp, p);
    }
    um_buf b;
    um_buf_init(&b);
    s->stats.partition_state_bytes = 0;
    s->stats.partition_state_findings = 0;
    for (unsigned p = 0; p < pp->k && st == UM_OK; p++) {
        char subj[96], what[64];
        snprintf(subj, sizeof subj, "unmask.find.%s.%u", pp->id, p);
        snprintf(what, sizeof what, "person partition %u", p);
        um_buf_reset(&b);
        st = collect_blob(s, pp->js, STREAM_PART, subj, what, &b);
        if (st != UM_OK) break;
        const char *why = NULL;
        if (worker_refused(s, what, "run", &b)) {
            st = UM_EIO;
        } else if ((st = um_pa_load(s, p, b.s + 8, b.len - 8, &why)) != UM_OK) {
            if (st == UM_EPARSE)
                um_scan_set_error(s, "person partition %u: a worker's state does not load: %s", p, why ? why : "?");
        } else {
            s->stats.partition_state_bytes += b.len - 8;
            s->stats.partition_state_findings += um_pa_nfindings(s, p);
        }
    }
    s->stats.partition_tail_s = (double)(um_bus_now_ms() - t0) / 1000;
    um_buf_free(&b);
    return st;
}

um_status um_dist_read_logs(um_scan *s, um_status (*read_input)(um_scan *, um_input *)) {
    natsConnection *nc = NULL;
    jsCtx *js = NULL;
    char *err = um_bus_connect(s->nats, &nc, &js);
    if (err || !nc) {
        um_scan_set_error(s, "%s", err ? err : "out of memory");
        um_free(err);
        return err ? UM_EIO : UM_ENOMEM;
    }
    sub_run r = {.s = s, .js = js};
    new_scan_id(r.id);
    r.frame = frame_size(nc);
    part_pub pp;
    bool parts = s->nats->partitions && s->pa;
    um_status pst = parts ? part_pub_init(&pp, s, js, r.id, r.frame) : UM_OK;
    r.remote = um_calloc(s->n_inputs + 1, sizeof *r.remote);
    r.starts = um_calloc(s->n_inputs + 1, sizeof *r.starts);
    r.nparts = um_calloc(s->n_inputs + 1, sizeof *r.nparts);
    r.gens = um_calloc(s->n_inputs + 1, sizeof *r.gens);
    um_winfields *wf = um_calloc(1, sizeof *wf), *empty = um_calloc(1, sizeof *empty);
    um_status st = r.remote && r.starts && r.nparts && r.gens && wf && empty ? pst : UM_ENOMEM;
    for (size_t i = 0; i < s->n_inputs && st == UM_OK; i++) {
        um_input *in = &s->inputs[i];
        r.remote[i] = in->reader && in->reader->phase != 0 && !in->reader->serial && !in->is_dir && !in->is_stream &&
                      !in->skip && in->size > 0 && !in->replay;
    }
    size_t next = 0;
    for (size_t i = 0; i < s->n_inputs && st == UM_OK; i++) {
        um_input *in = &s->inputs[i];
        if (in->reader && in->reader->phase == 0) continue;
        if (um_scan_cancelled(s)) {
            st = um_scan_cancel_status(s);
            break;
        }
        if (next <= i) next = i; /* publish this one, then a window ahead */
        while (st == UM_OK && next < s->n_inputs && (next <= i || r.ahead < WINDOW_BYTES)) {
            if (r.remote[next] && !(s->inputs[next].reader && s->inputs[next].reader->phase == 0))
                st = submit(&r, next);
            next++;
        }
        if (st != UM_OK) break;
        if (!r.remote[i]) {
            st = read_input(s, in);
            continue;
        }
        bool fallback = false;
        st = um_journal_begin(s, in); /* the items are journaled as they are replayed */
        unsigned gens = 1;
        if (st == UM_OK && !r.nparts[i]) st = collect(&r, i, 0, 0, NULL, wf, empty, &fallback, r.gens[i] ? &r.gens[i][0] : &gens);
        if (st == UM_OK && r.nparts[i]) st = collect_parts(&r, i, wf, empty);
        um_status je = um_journal_end(s, in, st == UM_OK && !fallback && in->status == UM_IN_READ);
        if (st == UM_OK) st = je;
        r.ahead -= r.ahead >= in->size ? in->size : r.ahead;
        for (size_t p = 0; p < (r.nparts[i] ? r.nparts[i] : 1); p++)
            for (unsigned g = 0; g < (r.gens[i] ? r.gens[i][p] : 1) || g == 0; g++) {
                char subj[96];
                uint64_t u = unit_no(&r, i, p) | (uint64_t)g << GEN_SHIFT;
                snprintf(subj, sizeof subj, "unmask.data.%s.%llu", r.id, (unsigned long long)u);
                purge(js, STREAM_DATA, subj);
                snprintf(subj, sizeof subj, "unmask.res.%s.%llu", r.id, (unsigned long long)u);
                purge(js, STREAM_RES, subj);
            }
        if (st == UM_OK && fallback) st = read_input(s, in);
    }
    if (parts) {
        if (st == UM_OK) st = part_finish(&pp);
        um_pa_set_remote(s, NULL, NULL);
        part_pub_free(&pp);
    }
    char subj[96];
    snprintf(subj, sizeof subj, "unmask.data.%s.>", r.id);
    purge(js, STREAM_DATA, subj);
    snprintf(subj, sizeof subj, "unmask.res.%s.>", r.id);
    purge(js, STREAM_RES, subj);
    if (parts) {
        snprintf(subj, sizeof subj, "unmask.ev.%s.>", r.id);
        purge(js, STREAM_PART, subj);
        snprintf(subj, sizeof subj, "unmask.find.%s.>", r.id);
        purge(js, STREAM_PART, subj);
    }
    um_free(r.remote);
    for (size_t i = 0; r.starts && i < s->n_inputs; i++) um_free(r.starts[i]);
    for (size_t i = 0; r.gens && i < s->n_inputs; i++) um_free(r.gens[i]);
    um_free(r.gens);
    um_free(r.starts);
    um_free(r.nparts);
    um_free(wf);
    um_free(empty);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    return st;
}

/* ---- the identity index in shards (docs/SCALING.md) ---- */

#define LINK_READER "@link" /* the unit's reader name: a shard of observations, not a log input */
#define PAIRS_READER "@pairs" /* a pair partition: the shards' pair pieces of its pairs */
#define PAIRS_UNIT(p) ((UINT64_C(1) << 61) | (uint64_t)(p)) /* unit numbers apart from the shards' (0 .. 1023) */


static void new_scan_id(char id[33]) {
    unsigned char rnd[16];
    if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
        for (size_t k = 0; k < sizeof rnd; k++) rnd[k] = (unsigned char)(rand() ^ (int)time(NULL) >> (k % 8));
    }
    for (size_t k = 0; k < sizeof rnd; k++) snprintf(id + 2 * k, 3, "%02x", rnd[k]);
}

static size_t frame_size(natsConnection *nc) {
    int64_t mp = natsConnection_GetMaxPayload(nc);
    size_t f = mp > 16384 ? (size_t)(mp - 8192) : 8192;
    return f > (size_t)1 << 20 ? (size_t)1 << 20 : f;
}

/* Publishes data as the frames of unit `unit` of scan sid, then its work message. */
static um_status publish_unit(um_scan *s, jsCtx *js, const char *sid, size_t frame, uint64_t unit, const char *reader,
                              uint64_t arg, const char *name, const um_buf *data) {
    char subj[96], id[128];
    snprintf(subj, sizeof subj, "unmask.data.%s.%llu", sid, (unsigned long long)unit);
    snprintf(id, sizeof id, "%s.d.%llu", sid, (unsigned long long)unit);
    um_buf b;
    um_buf_init(&b);
    uint32_t part = 0;
    natsStatus ns = publish_frames(s, js, subj, id, frame, data, &part);
    if (ns == NATS_OK) {
        um_wire_unit u = {(char *)sid, unit, (char *)reader, (char *)name, data->len, part, frame, arg, 0, 0};
        um_buf_reset(&b);
        um_wire_unit_put(&b, &u);
        snprintf(id, sizeof id, "%s.w.%llu", sid, (unsigned long long)unit);
        ns = b.oom ? NATS_NO_MEMORY : um_bus_publish(js, SUBJ_WORK, b.s, b.len, id, scan_stop, s);
    }
    um_buf_free(&b);
    if (ns == NATS_OK) return UM_OK;
    if (um_scan_cancelled(s)) return um_scan_cancel_status(s);
    char *m = um_bus_err(ns, "publishing an identity-index shard");
    um_scan_set_error(s, "%s", m ? m : "NATS error");
    um_free(m);
    return ns == NATS_NO_MEMORY ? UM_ENOMEM : UM_EIO;
}

/* A unit's result on subj of stream: an 8-byte LE length, then that many
 * bytes, in frames (copies of a frame, from a redelivered unit, skipped). */
static um_status collect_blob(um_scan *s, jsCtx *js, const char *stream, const char *subj, const char *what,
                              um_buf *out) {
    uint64_t seq = 1, want_len = UINT64_MAX;
    uint32_t want = 0;
    int64_t last_ok = um_bus_now_ms();
    int idle = 1;
    for (;;) {
        if (um_scan_cancelled(s)) return um_scan_cancel_status(s);
        natsMsg *m = NULL;
        natsStatus ns = next_msg(js, stream, subj, &seq, &m);
        if (ns == NATS_NOT_FOUND) {
            nats_Sleep(idle);
            idle = idle < 50 ? idle * 2 : 50;
            last_ok = um_bus_now_ms();
            continue;
        }
        if (ns != NATS_OK) {
            if (um_bus_now_ms() - last_ok > RETRY_FOR_S * 1000) {
                char *e = um_bus_err(ns, "reading a worker's result");
                um_scan_set_error(s, "%s: %s", what, e ? e : "NATS error");
                um_free(e);
                return UM_EIO;
            }
            nats_Sleep(250);
            continue;
        }
        idle = 1;
        last_ok = um_bus_now_ms();
        const char *p = natsMsg_GetData(m);
        size_t n = (size_t)natsMsg_GetDataLength(m);
        uint32_t part;
        if (!um_wire_frame_get(p, n, "UMR1", &part) || part > want) {
            natsMsg_Destroy(m);
            um_scan_set_error(s, "%s: malformed or out-of-order result frame from a worker", what);
            return UM_EPARSE;
        }
        if (part == want) {
            want++;
            um_buf_add(out, p + UM_WIRE_FRAME_HDR, n - UM_WIRE_FRAME_HDR);
        }
        natsMsg_Destroy(m);
        if (out->oom) return UM_ENOMEM;
        if (want_len == UINT64_MAX && out->len >= 8) {
            want_len = 0;
            for (int k = 0; k < 8; k++) want_len |= (uint64_t)(unsigned char)out->s[k] << (8 * k);
        }
        if (want_len != UINT64_MAX && out->len - 8 >= want_len) {
            if (out->len - 8 == want_len) return UM_OK;
            um_scan_set_error(s, "%s: a worker sent more than it announced", what);
            return UM_EPARSE;
        }
    }
}

/* Reads a shard's frame counts per pair partition ("UMF1", varint np, np
 * varints) into nfr. */
static bool frames_get(const char *p, size_t n, unsigned np, uint32_t *nfr) {
    um_pk r = um_pk_over(p, n);
    if (n < 4 || memcmp(p, "UMF1", 4) != 0) return false;
    r.pos = 4;
    if (um_pk_get_ur(&r, 1024, "") != np) return false;
    for (unsigned i = 0; i < np; i++) nfr[i] = (uint32_t)um_pk_get_ur(&r, UINT32_MAX, "");
    return !r.bad && r.pos == r.n;
}

bool um_dist_link_block(um_scan *s, const um_lk_obs *obs, size_t nobs, size_t ns, const size_t *cap,
                        um_lk_blocked *out, um_lk_piece ***partp, size_t **npartp, unsigned *nparts, um_status *stp) {
    if (!s->nats || !s->nats->link_shards) return false;
    unsigned nsh = s->nats->link_shards, np = nsh; /* as many pair partitions as shards */
    memset(out, 0, sizeof *out);
    *partp = NULL;
    *npartp = NULL;
    *nparts = np;
    um_lk_piece **part = um_calloc(np, sizeof *part);
    size_t *npart = um_calloc(np, sizeof *npart);
    uint32_t *nfr = um_calloc((size_t)nsh * np, sizeof *nfr), *vbase = um_calloc(nsh, sizeof *vbase),
             *vcnt = um_calloc(nsh, sizeof *vcnt);
    natsConnection *nc = NULL;
    jsCtx *js = NULL;
    char *err = um_bus_connect(s->nats, &nc, &js);
    if (err || !nc) {
        um_scan_set_error(s, "%s", err ? err : "out of memory");
        um_free(err);
        um_free(part), um_free(npart), um_free(nfr), um_free(vbase), um_free(vcnt);
        *stp = err ? UM_EIO : UM_ENOMEM;
        return true;
    }
    char sid[33];
    new_scan_id(sid);
    size_t frame = frame_size(nc);
    um_buf *bufs = um_calloc(nsh, sizeof *bufs);
    size_t *cnt = um_calloc(nsh, sizeof *cnt);
    uint64_t *prev = um_calloc(nsh, sizeof *prev);
    um_status st = bufs && cnt && prev && part && npart && nfr && vbase && vcnt && nobs <= UINT32_MAX - 2 ? UM_OK : UM_ENOMEM;
    size_t sent = 0;
    /* route: pass 1 counts (the header carries the count), pass 2 encodes */
    for (int pass = 0; pass < 2 && st == UM_OK; pass++) {
        if (pass == 1)
            for (unsigned k = 0; k < nsh; k++) {
                um_buf_init(&bufs[k]);
                um_wire_obs_head(&bufs[k], ns, cnt[k], cap);
            }
        for (size_t i = 0; i < nobs; i++) {
            const um_lk_obs *o = &obs[i];
            if (o->subject >= ns || o->kind >= UM_LK__COUNT || !o->value || !o->value[0]) continue;
            uint64_t h = um_lk_obs_hash(o);
            unsigned k = um_wire_shard_of(h, nsh);
            if (pass == 0) {
                cnt[k]++;
                sent++;
                continue;
            }
            um_wire_obs_put(&bufs[k], prev[k] ? i + 1 - prev[k] : i, o, h);
            prev[k] = i + 1;
        }
    }
    for (unsigned k = 0; k < nsh && st == UM_OK; k++)
        if (bufs[k].oom) st = UM_ENOMEM;
    char name[64];
    for (unsigned k = 0; k < nsh && st == UM_OK; k++) {
        if (!cnt[k]) continue;
        snprintf(name, sizeof name, "identity shard %u of %u", k, nsh);
        st = publish_unit(s, js, sid, frame, k, LINK_READER, np, name, &bufs[k]);
        um_buf_free(&bufs[k]); /* on the bus now */
    }
    um_buf res;
    um_buf_init(&res);
    for (unsigned k = 0; k < nsh && st == UM_OK; k++) {
        if (!cnt[k]) continue;
        um_buf_reset(&res);
        char subj[96], what[64];
        snprintf(subj, sizeof subj, "unmask.res.%s.%u", sid, k);
        snprintf(what, sizeof what, "identity-index shard %u", k);
        st = collect_blob(s, js, STREAM_RES, subj, what, &res);
        if (st != UM_OK) break;
        const char *why = NULL;
        size_t used = 0, v0 = out->nvals;
        if (worker_refused(s, what, "block", &res)) {
            st = UM_EIO;
        } else if (um_wire_block_get_part(res.s + 8, res.len - 8, out, &used, &why) != UM_OK) {
            um_scan_set_error(s, "identity-index shard %u: bad blocking from a worker: %s", k, why ? why : "?");
            st = UM_EPARSE;
        } else if (!frames_get(res.s + 8 + used, res.len - 8 - used, np, nfr + (size_t)k * np)) {
            um_scan_set_error(s, "identity-index shard %u: bad pair-piece frame counts from a worker", k);
            st = UM_EPARSE;
        }
        vbase[k] = (uint32_t)v0;
        vcnt[k] = (uint32_t)(out->nvals - v0);
    }
    um_buf_free(&res);
    if (st == UM_OK) {
        const char *why = um_wire_block_check(out, obs, nobs, ns, cap);
        if (!why && out->nobs != sent) why = "observations lost";
        if (why) {
            um_scan_set_error(s, "identity-index shards: the workers' blocking does not fit the observations: %s", why);
            st = UM_EPARSE;
        }
    }
    /* the pair partitions: each merges the pieces the shards sent it */
    um_buf u;
    um_buf_init(&u);
    for (unsigned p = 0; p < np && st == UM_OK; p++) {
        size_t with = 0;
        for (unsigned k = 0; k < nsh; k++) with += nfr[(size_t)k * np + p] != 0;
        if (!with) continue;
        um_buf_reset(&u);
        um_buf_add(&u, "UMU1", 4);
        um_pk_u(&u, np);
        um_pk_u(&u, p);
        um_pk_u(&u, with);
        for (unsigned k = 0; k < nsh; k++) {
            if (!nfr[(size_t)k * np + p]) continue;
            um_pk_u(&u, k);
            um_pk_u(&u, vbase[k]);
            um_pk_u(&u, vcnt[k]);
            um_pk_u(&u, nfr[(size_t)k * np + p]);
        }
        snprintf(name, sizeof name, "pair partition %u of %u", p, np);
        st = u.oom ? UM_ENOMEM : publish_unit(s, js, sid, frame, PAIRS_UNIT(p), PAIRS_READER, 0, name, &u);
    }
    um_buf_free(&u);
    um_buf_init(&res);
    for (unsigned p = 0; p < np && st == UM_OK; p++) {
        size_t with = 0;
        for (unsigned k = 0; k < nsh; k++) with += nfr[(size_t)k * np + p] != 0;
        if (!with) continue;
        um_buf_reset(&res);
        char subj[96], what[64];
        snprintf(subj, sizeof subj, "unmask.res.%s.%llu", sid, (unsigned long long)PAIRS_UNIT(p));
        snprintf(what, sizeof what, "pair partition %u", p);
        st = collect_blob(s, js, STREAM_RES, subj, what, &res);
        if (st != UM_OK) break;
        const char *why = NULL;
        size_t pcap = 0;
        if (worker_refused(s, what, "merge", &res)) {
            st = UM_EIO;
        } else if (um_wire_pieces_get(res.s + 8, res.len - 8, 0, (uint32_t)out->nvals, &part[p], &npart[p], &pcap,
                                      &why, true) != UM_OK ||
                   (why = um_wire_pieces_check(part[p], npart[p], out, ns)) != NULL) {
            um_scan_set_error(s, "pair partition %u: bad pairs from a worker: %s", p, why ? why : "?");
            st = UM_EPARSE;
        }
    }
    um_buf_free(&res);
    char subj[96];
    snprintf(subj, sizeof subj, "unmask.data.%s.>", sid);
    purge(js, STREAM_DATA, subj);
    snprintf(subj, sizeof subj, "unmask.res.%s.>", sid);
    purge(js, STREAM_RES, subj);
    for (unsigned k = 0; bufs && k < nsh; k++) um_buf_free(&bufs[k]);
    um_free(bufs);
    um_free(cnt);
    um_free(prev);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    um_free(nfr);
    um_free(vbase);
    um_free(vcnt);
    if (st != UM_OK) {
        um_lk_blocked_free(out);
        for (unsigned p = 0; part && p < np; p++) um_free(part[p]);
        um_free(part);
        um_free(npart);
    } else {
        *partp = part;
        *npartp = npart;
    }
    *stp = st;
    return true;
}

/* ---- the worker ---- */


um_status um_worker_new(um_ctx *ctx, const um_nats_opts *o, um_worker **out) {
    *out = NULL;
    um_worker *w = um_calloc(1, sizeof *w);
    if (!w) return UM_ENOMEM;
    pthread_mutex_init(&w->mu, NULL);
    w->ctx = ctx;
    w->part_threads = PART_THREADS;
    *out = w;
    const char *bad = opts_check(o);
    if (bad) {
        w->errmsg = um_strdup(bad);
        return UM_EINVAL;
    }
    if (!(w->conf = um_nats_conf_copy(o))) return UM_ENOMEM;
    return UM_OK;
}

void um_worker_free(um_worker *w) {
    if (!w) return;
    um_nats_conf_free(w->conf);
    um_free(w->errmsg);
    pthread_mutex_destroy(&w->mu);
    um_free(w);
}

const char *um_worker_errmsg(const um_worker *w) { return w && w->errmsg ? w->errmsg : ""; }

void um_worker_set_log(um_worker *w, void (*fn)(void *ud, const char *line), void *ud) {
    w->log = fn;
    w->log_ud = ud;
}

void um_worker_set_pause_ms(um_worker *w, unsigned ms) { w->pause_ms = ms; }

void um_bus_log(um_worker *w, const char *fmt, ...) {
    if (!w->log) return;
    va_list ap;
    va_start(ap, fmt);
    char *m = um_vfmt(fmt, ap);
    va_end(ap);
    if (!m) return;
    pthread_mutex_lock(&w->mu);
    w->log(w->log_ud, m);
    pthread_mutex_unlock(&w->mu);
    free(m);
}

static void wfatal(um_worker *w, um_status st, char *msg) {
    pthread_mutex_lock(&w->mu);
    if (w->fatal == UM_OK) {
        w->fatal = st;
        um_free(w->errmsg);
        w->errmsg = msg;
        msg = NULL;
    }
    pthread_mutex_unlock(&w->mu);
    um_free(msg);
}

static bool w_stopped(um_worker *w) {
    pthread_mutex_lock(&w->mu);
    bool f = w->fatal != UM_OK;
    pthread_mutex_unlock(&w->mu);
    return (w->stop && *w->stop) || f;
}

static bool w_stop_cb(void *ud) { return w_stopped(ud); }

/* One unit being worked on. */
typedef struct unit_run {
    um_worker *w;
    natsMsg *work;     /* the work message (in progress, acked at the end) */
    um_wire_unit u;
    const char *in_path; /* where the worker keeps the input's bytes */
    char subj[96];     /* result subject */
    char tag;          /* of the result frames' message ids: SCAN.TAG.UNIT.PART ('r'; 'f' a partition's state) */
    um_buf out;        /* encoded results not yet sent */
    uint32_t part;
    uint64_t sent; /* result bytes published */
    int64_t last_progress;
    bool failed;       /* could not publish: the unit is left for redelivery */
    bool prefiltered;  /* the prefilters ran here (the scan's rules are this worker's) */
} unit_run;

static void keep_alive(unit_run *ur) {
    int64_t t = um_bus_now_ms();
    if (t - ur->last_progress < 1000 * (int64_t)ur->w->conf->ack_wait_s / 4) return;
    ur->last_progress = t;
    (void)natsMsg_InProgress(ur->work, NULL);
}

/* Sends every full frame (all of it when last). */
static um_status send_frames(unit_run *ur, bool last) {
    size_t frame = (size_t)ur->u.frame, off = 0;
    um_buf b;
    um_buf_init(&b);
    um_status st = UM_OK;
    while (ur->out.len - off >= frame || (last && (off < ur->out.len || ur->part == 0 || off == 0))) {
        size_t n = ur->out.len - off < frame ? ur->out.len - off : frame;
        um_buf_reset(&b);
        um_wire_frame_put(&b, "UMR1", ur->part);
        um_buf_add(&b, ur->out.s + off, n);
        if (b.oom) {
            st = UM_ENOMEM;
            break;
        }
        char id[128];
        snprintf(id, sizeof id, "%s.%c.%llu.%u", ur->u.scan_id, ur->tag ? ur->tag : 'r', (unsigned long long)ur->u.unit,
                 ur->part);
        if (um_bus_publish(ur->w->js, ur->subj, b.s, b.len, id, w_stop_cb, ur->w) != NATS_OK) {
            ur->failed = true;
            st = UM_EIO;
            break;
        }
        ur->part++;
        ur->sent += b.len;
        off += n;
        keep_alive(ur);
        if (ur->w->pause_ms) nats_Sleep(ur->w->pause_ms);
        if (last && off >= ur->out.len) break;
    }
    um_buf_free(&b);
    memmove(ur->out.s, ur->out.s + off, ur->out.len - off);
    ur->out.len -= off;
    if (ur->out.s) ur->out.s[ur->out.len] = 0;
    return st;
}

static um_status on_batch(void *ud, const um_rec_batch *b) {
    unit_run *ur = ud;
    um_wire_put_batch(&ur->out, b, ur->in_path);
    if (ur->out.oom) return UM_ENOMEM;
    if (w_stopped(ur->w)) return UM_ECANCELED;
    return send_frames(ur, false);
}

/* A scan's heartbeat as a worker waiting for its events sees it (the
 * sequence of the last message on SUBJ; a server that does not answer
 * stops the clock, as a restart must not give a partition up). */
typedef struct scan_alive {
    const char *subj;
    uint64_t seq;
    int64_t since, checked; /* ms: the heartbeat last moved; last looked at */
    int64_t gone;           /* ms: a heartbeat seen before was first not found (the scan purged it) */
    uint64_t waits;         /* times the worker had caught up with the scan */
} scan_alive;

static bool scan_is_alive(unit_run *ur, scan_alive *a) {
    int64_t now = um_bus_now_ms();
    if (!a->since) a->since = now;
    if (now - a->checked < 1000) return true;
    a->checked = now;
    jsDirectGetMsgOptions o;
    jsDirectGetMsgOptions_Init(&o);
    o.LastBySubject = a->subj;
    natsMsg *m = NULL;
    natsStatus ns = js_DirectGetMsg(&m, ur->w->js, STREAM_PART, NULL, &o);
    if (ns == NATS_OK) {
        uint64_t q = natsMsg_GetSequence(m);
        const char *h = NULL;
        if (!q && natsMsgHeader_Get(m, "Nats-Sequence", &h) == NATS_OK && h) q = strtoull(h, NULL, 10);
        if (q != a->seq) a->seq = q, a->since = now;
        natsMsg_Destroy(m);
        a->gone = 0;
    } else if (ns != NATS_NOT_FOUND) {
        a->since = now; /* the server is away: not the scan's silence */
    } else if (a->seq && !a->gone) {
        a->gone = now;
    }
    /* purged (the scan ended or failed): looked for again as frames are */
    if (a->gone && now - a->gone >= (int64_t)GONE_WAIT_S * 1000) return false;
    return now - a->since < 1000 * (int64_t)ur->w->scan_lost_s;
}

/* Hands the payloads of frames 0 .. nframes - 1 (magic) on subj of stream
 * to fn in order (copies skipped). 1 done (or fn said 2: the last one),
 * 0 gone (not found for GONE_WAIT_S: the scan purged them, or the server
 * lost them; or fn said so: 0), -1 could not (stopped, the server stayed
 * away, or fn: -1). Every frame is on the server before the unit is sent,
 * so "not found" is looked for again: a server restarting answers it
 * before its store is back. alive (not NULL): frames still to come as the
 * scan sends them; waited for while its heartbeat moves (gone once it has
 * not for scan_lost_s). */
static int fetch_frames(unit_run *ur, const char *stream, const char *subj, const char magic[4], uint64_t nframes,
                        int (*fn)(void *ud, const char *p, size_t n), void *ud, scan_alive *alive) {
    uint64_t seq = 1;
    uint32_t want = 0;
    int64_t t0 = um_bus_now_ms(), missing = 0;
    int idle = 20; /* ms between looks for a frame the scan has not sent yet: backs off to 200 */
    while (want < nframes) {
        if (w_stopped(ur->w)) return -1;
        natsMsg *m = NULL;
        natsStatus ns = next_msg(ur->w->js, stream, subj, &seq, &m);
        if (ns == NATS_NOT_FOUND) {
            int64_t now = um_bus_now_ms();
            if (alive && !missing) alive->waits++;
            if (!missing) missing = now;
            if (alive ? !scan_is_alive(ur, alive) : now - missing >= (int64_t)GONE_WAIT_S * 1000) return 0;
            keep_alive(ur);
            nats_Sleep(alive ? idle : 250);
            idle = idle < 200 ? idle * 2 : 200;
            continue;
        }
        missing = 0;
        idle = 20;
        if (ns != NATS_OK) {
            if (um_bus_now_ms() - t0 > RETRY_FOR_S * 1000) return -1;
            if (alive) alive->since = um_bus_now_ms();
            nats_Sleep(250);
            continue;
        }
        t0 = um_bus_now_ms();
        const char *p = natsMsg_GetData(m);
        size_t n = (size_t)natsMsg_GetDataLength(m);
        uint32_t part;
        if (!um_wire_frame_get(p, n, magic, &part) || part > want) {
            natsMsg_Destroy(m);
            return 0; /* not what the scan sends: treated as gone */
        }
        int r = 1;
        if (part == want) {
            r = fn(ud, p + UM_WIRE_FRAME_HDR, n - UM_WIRE_FRAME_HDR);
            want++;
        }
        natsMsg_Destroy(m);
        if (r == 2) return 1;
        if (r != 1) return r;
        keep_alive(ur);
    }
    return 1;
}

typedef struct to_file {
    FILE *f;
    uint64_t total;
} to_file;

static int write_frame(void *ud, const char *p, size_t n) {
    to_file *t = ud;
    if (fwrite(p, 1, n, t->f) != n) return -1;
    t->total += n;
    return 1;
}

/* Copies the unit's input bytes into f. 1 done, 0 gone (the scan purged
 * them), -1 could not (stopped, or the server stayed away). */
static int fetch_data(unit_run *ur, FILE *f) {
    char subj[96];
    snprintf(subj, sizeof subj, "unmask.data.%s.%llu", ur->u.scan_id, (unsigned long long)ur->u.unit);
    to_file t = {f, 0};
    int r = fetch_frames(ur, STREAM_DATA, subj, "UMD1", ur->u.parts, write_frame, &t, NULL);
    if (r != 1) return r;
    if (t.total != ur->u.size || fflush(f) != 0) return 0;
    return 1;
}
/* A private folder for one unit's input, the file named as the input is
 * (readers may take the log kind from the name: Zeek). */
static FILE *unit_file(um_worker *w, const char *orig, char *dir, size_t dcap, char *path, size_t pcap) {
    const um_os *os = um_os_get();
    const char *td = os->getenv(os->ud, "TMPDIR");
    snprintf(dir, dcap, "%s/unmask-unit-XXXXXX", td && *td ? td : "/tmp");
    if (!mkdtemp(dir)) {
        dir[0] = 0;
        return NULL;
    }
    const char *b = strrchr(orig, '/');
    b = b ? b + 1 : orig;
    if (!*b || strcmp(b, ".") == 0 || strcmp(b, "..") == 0 || strlen(b) > 200) b = "input";
    snprintf(path, pcap, "%s/%s", dir, b);
    FILE *f = fopen(path, "wb+");
    if (!f) { /* the folder goes too */
        rmdir(dir);
        dir[0] = path[0] = 0;
    }
    (void)w;
    return f;
}

static void unit_file_remove(const char *dir, const char *path) {
    if (path[0]) unlink(path);
    if (dir[0]) rmdir(dir);
}

/* A shard's pair pieces routed to their pair partitions (um_lk_pair_part):
 * partition p's as "UMQ1" bytes in frames "UMP1" + frame number on
 * unmask.res.SCAN.q.P.SHARD, ids SCAN.q.SHARD.P.FRAME (a redelivered shard
 * sends the same frames; the server drops the copies, and the merge is
 * idempotent anyway). nfr[p]: frames of partition p (0: no piece). */
static um_status send_pieces(unit_run *ur, const um_lk_piece *pc, size_t npc, unsigned np, uint32_t *nfr,
                             size_t *bytes) {
    size_t *cnt = um_calloc(np + 1, sizeof *cnt);
    um_lk_piece *tmp = um_malloc((npc ? npc : 1) * sizeof *tmp);
    unsigned *of = um_malloc((npc ? npc : 1) * sizeof *of);
    um_status st = cnt && tmp && of ? UM_OK : UM_ENOMEM;
    for (size_t i = 0; st == UM_OK && i < npc; i++) cnt[(of[i] = um_lk_pair_part(pc[i].a, pc[i].b, np)) + 1]++;
    for (unsigned p = 0; st == UM_OK && p < np; p++) cnt[p + 1] += cnt[p];
    for (size_t i = 0; st == UM_OK && i < npc; i++) tmp[cnt[of[i]]++] = pc[i]; /* in order within a partition */
    um_buf q, f;
    um_buf_init(&q);
    um_buf_init(&f);
    size_t frame = (size_t)ur->u.frame, start = 0;
    for (unsigned p = 0; st == UM_OK && p < np; p++) {
        size_t end = cnt[p]; /* cnt[p] is now the end of partition p */
        if (end == start) continue;
        um_buf_reset(&q);
        um_wire_pieces_put(&q, tmp + start, end - start);
        if (q.oom) st = UM_ENOMEM;
        char subj[128], id[160];
        snprintf(subj, sizeof subj, "unmask.res.%s.q.%u.%llu", ur->u.scan_id, p, (unsigned long long)ur->u.unit);
        for (size_t off = 0; st == UM_OK && off < q.len; off += frame) {
            size_t n = q.len - off < frame ? q.len - off : frame;
            um_buf_reset(&f);
            um_wire_frame_put(&f, "UMP1", nfr[p]);
            um_buf_add(&f, q.s + off, n);
            snprintf(id, sizeof id, "%s.q.%llu.%u.%u", ur->u.scan_id, (unsigned long long)ur->u.unit, p, nfr[p]);
            if (f.oom) st = UM_ENOMEM;
            else if (w_stopped(ur->w)) st = UM_ECANCELED;
            else if (um_bus_publish(ur->w->js, subj, f.s, f.len, id, w_stop_cb, ur->w) != NATS_OK) st = UM_EIO;
            nfr[p]++;
            *bytes += f.len;
            keep_alive(ur);
        }
        start = end;
    }
    um_buf_free(&q);
    um_buf_free(&f);
    um_free(cnt);
    um_free(tmp);
    um_free(of);
    return st;
}

static int to_buf_frame(void *ud, const char *p, size_t n) {
    um_buf *b = ud;
    um_buf_add(b, p, n);
    return b->oom ? -1 : 1;
}

/* A shard's or a pair partition's last frame: PAY (freed here) after its
 * 8-byte length, sent with the unit's other frames and acknowledged; on a
 * failure the unit is left for redelivery. N WHAT goes to the log. */
static void send_result(unit_run *ur, um_buf *pay, size_t n, const char *what) {
    um_worker *w = ur->w;
    unsigned char len[8];
    for (int k = 0; k < 8; k++) len[k] = (unsigned char)((uint64_t)pay->len >> (8 * k));
    um_buf_add(&ur->out, (const char *)len, 8);
    um_buf_add(&ur->out, pay->s ? pay->s : "", pay->len);
    bool oom = pay->oom || ur->out.oom;
    um_buf_free(pay);
    if (!oom && !w_stopped(w) && send_frames(ur, true) == UM_OK) {
        natsStatus ns = natsMsg_AckSync(ur->work, NULL, NULL);
        um_bus_log(w, "scan %s unit %llu done: %s, %zu %s, %u result frames, %llu bytes%s", ur->u.scan_id,
                   (unsigned long long)ur->u.unit, ur->u.path, n, what, ur->part, (unsigned long long)ur->sent,
                   ns == NATS_OK ? "" : " (acknowledgement lost: the unit will come again and be de-duplicated)");
    } else {
        um_bus_log(w, "scan %s %s left for redelivery", ur->u.scan_id, ur->u.path);
    }
}

/* A pair partition (docs/SCALING.md): the pieces the shards sent it,
 * merged by pair and put in pair order (um_lk_pair_partition), sent back.
 * The unit's bytes ("UMU1"): varint partitions, varint this one, varint
 * shards, then per shard varint shard, varint its first value in the
 * merged blocking, varint its values, varint frames. Deterministic: a
 * redelivered partition sends the same frames. */
static void do_pairs(unit_run *ur) {
    um_worker *w = ur->w;
    char *mem = NULL;
    size_t msz = 0;
    FILE *f = open_memstream(&mem, &msz);
    int got = f ? fetch_data(ur, f) : -1;
    if (f && fclose(f) != 0 && got == 1) got = -1;
    um_buf pay, fr;
    um_buf_init(&pay);
    um_buf_init(&fr);
    um_lk_piece *arr = NULL;
    size_t narr = 0, cap = 0, nsh = 0;
    const char *why = NULL;
    uint64_t np = 0, p = 0;
    if (got == 1) {
        um_pk r = um_pk_over(mem, msz);
        if (msz < 4 || memcmp(mem, "UMU1", 4) != 0) um_pk_fail(&r, "not a pair partition's unit");
        r.pos = 4;
        np = um_pk_get_ur(&r, 1024, "too many pair partitions");
        p = um_pk_get_ur(&r, np ? np - 1 : 0, "bad pair partition number");
        uint64_t ns = um_pk_get_ur(&r, 1024, "too many shards"), v[4] = {0};
        if (!np) um_pk_fail(&r, "no pair partitions");
        why = r.bad;
        for (uint64_t i = 0; !why && got == 1 && i < ns; i++) {
            v[0] = um_pk_get_ur(&r, 1023, "shard out of range");
            v[1] = um_pk_get_ur(&r, UINT32_MAX - 2, "value out of range");
            v[2] = um_pk_get_ur(&r, UINT32_MAX - 2 - v[1], "value out of range");
            v[3] = um_pk_get_ur(&r, UINT32_MAX, "too many frames");
            if ((why = r.bad) != NULL) break;
            char subj[128];
            snprintf(subj, sizeof subj, "unmask.res.%s.q.%llu.%llu", ur->u.scan_id, (unsigned long long)p,
                     (unsigned long long)v[0]);
            um_buf_reset(&fr);
            got = fetch_frames(ur, STREAM_RES, subj, "UMP1", v[3], to_buf_frame, &fr, NULL);
            if (got == 1 && um_wire_pieces_get(fr.s, fr.len, (uint32_t)v[1], (uint32_t)v[2], &arr, &narr, &cap, &why,
                                               false) != UM_OK)
                break;
            nsh++;
        }
        if (!why && got == 1 && r.pos != r.n) why = "bytes after the pair partition unit";
    }
    free(mem);
    um_buf_free(&fr);
    if (got == -1) {
        um_free(arr);
        um_buf_free(&pay);
        um_bus_log(w, "scan %s %s left for redelivery", ur->u.scan_id, ur->u.path);
        return;
    }
    size_t pieces_in = narr;
    if (got == 0) {
        um_buf_add(&pay, "UMX1", 4);
        why = "its pair pieces were not found on the NATS server (lost in a restart?)";
        um_buf_add(&pay, why, strlen(why));
    } else if (why) {
        um_buf_add(&pay, "UMX1", 4);
        um_buf_add(&pay, why, strlen(why));
    } else {
        um_status st = um_lk_pair_partition(arr, &narr);
        if (st == UM_OK) {
            um_wire_pieces_put(&pay, arr, narr);
            um_bus_log(w, "scan %s unit %llu: %s merged, %zu pieces from %zu shards, %zu after the merge; sending",
                       ur->u.scan_id, (unsigned long long)ur->u.unit, ur->u.path, pieces_in, nsh, narr);
        } else {
            um_buf_add(&pay, "UMX1", 4);
            um_buf_add(&pay, um_status_str(st), strlen(um_status_str(st)));
        }
    }
    um_free(arr);
    send_result(ur, &pay, narr, "pairs' pieces");
}

/* A shard of the identity index: the observations' blocking (um_lk_block),
 * sent back with the scan's observation numbers. Deterministic, as a
 * reader's unit: a redelivered shard gives the same frames. */
static void do_link(unit_run *ur) {
    um_worker *w = ur->w;
    char *mem = NULL;
    size_t msz = 0;
    FILE *f = open_memstream(&mem, &msz);
    int got = f ? fetch_data(ur, f) : -1;
    if (f && fclose(f) != 0 && got == 1) got = -1;
    if (got == -1) {
        um_bus_log(w, "scan %s %s left for redelivery", ur->u.scan_id, ur->u.path);
        free(mem);
        return;
    }
    um_wire_obsset os;
    const char *why = NULL;
    um_buf pay;
    um_buf_init(&pay);
    size_t nv = 0;
    if (got == 0) { /* the scan ended, or the server lost them: a waiting scan is told (refused) */
        um_buf_add(&pay, "UMX1", 4);
        why = "its observations were not found on the NATS server (lost in a restart?)";
        um_buf_add(&pay, why, strlen(why));
    } else if (um_wire_obs_get(mem, msz, &os, &why) != UM_OK) {
        um_buf_add(&pay, "UMX1", 4);
        um_buf_add(&pay, why ? why : "?", strlen(why ? why : "?"));
    } else {
        um_lk_blocked b;
        um_status st = um_lk_block(os.obs, os.n, os.nsubjects, os.cap, &b);
        um_lk_piece *pc = NULL;
        size_t npc = 0;
        unsigned np = (unsigned)ur->u.prefilter; /* a shard's unit: the number of pair partitions */
        if (st == UM_OK && (np == 0 || np > 1024)) st = UM_EINVAL;
        if (st == UM_OK) st = um_lk_pieces(&b, os.gidx, &pc, &npc);
        uint32_t *nfr = NULL;
        if (st == UM_OK && !(nfr = um_calloc(np, sizeof *nfr))) st = UM_ENOMEM;
        size_t pbytes = 0;
        if (st == UM_OK) st = send_pieces(ur, pc, npc, np, nfr, &pbytes);
        if (st == UM_OK) {
            um_wire_block_put(&pay, &b, os.gidx);
            size_t blen = pay.len;
            um_buf_add(&pay, "UMF1", 4);
            um_pk_u(&pay, np);
            uint64_t nframes = 0;
            for (unsigned p = 0; p < np; p++) um_pk_u(&pay, nfr[p]), nframes += nfr[p];
            nv = b.nvals;
            um_bus_log(w,
                       "scan %s unit %llu: %s blocked, %zu observations, %zu shared values (%zu bytes); %zu pair "
                       "pieces to %u pair partitions (%llu frames, %zu bytes); sending",
                       ur->u.scan_id, (unsigned long long)ur->u.unit, ur->u.path, os.n, nv, blen, npc, np,
                       (unsigned long long)nframes, pbytes);
        } else if (st == UM_EIO || st == UM_ECANCELED) {
            um_free(nfr);
            um_free(pc);
            um_lk_blocked_free(&b);
            um_wire_obsset_free(&os);
            um_buf_free(&pay);
            free(mem);
            um_bus_log(w, "scan %s %s left for redelivery", ur->u.scan_id, ur->u.path);
            return;
        } else {
            um_buf_add(&pay, "UMX1", 4);
            um_buf_add(&pay, um_status_str(st), strlen(um_status_str(st)));
        }
        um_free(nfr);
        um_free(pc);
        um_lk_blocked_free(&b);
        um_wire_obsset_free(&os);
    }
    free(mem);
    send_result(ur, &pay, nv, "shared values");
}

/* A person partition (docs/SCALING.md), taken when the scan starts
 * replaying: the scan's subject table (its identity subjects) loaded into
 * an empty scan, the partitioned analyzers' instances of partition P fed
 * the partition's events as the scan sends them, in its order at its
 * positions (subjects it makes meanwhile are told before their first
 * event; other partitions' are placeholders), and after the end item their
 * state (um_pa_save) sent back. Nothing is acknowledged before the state is
 * published: a worker killed part-way leaves the unit to be redelivered,
 * and the next worker rebuilds the state from the events, which stay in
 * the stream until the scan purges them. Deterministic: the same events
 * give the same bytes, under the same message ids. */
typedef struct part_feed {
    unit_run *ur;
    um_scan *s;
    unsigned p;
    um_arena arena;
    um_winfields *empty;
    uint64_t events, bytes, frames;
    size_t n0, most; /* subjects in the table; the most the scan can have */
    bool ended;
    const char *bad;
    um_status st;
} part_feed;

static int feed_fail(part_feed *f, um_status st, const char *why) {
    f->st = st;
    f->bad = why ? why : um_status_str(st);
    return 0;
}

static int feed_events(void *ud, const char *p, size_t n) {
    part_feed *f = ud;
    if (!f->frames++)
        um_bus_log(f->ur->w, "scan %s %s: first events in", f->ur->u.scan_id, f->ur->u.path);
    f->bytes += n;
    um_arena_reset(&f->arena);
    um_pk r = um_pk_over(p, n);
    const char *last_file = NULL;
    while (r.pos < r.n) {
        if (f->ended) return feed_fail(f, UM_EPARSE, "items after the end of the partition's events");
        um_wire_evctl c;
        int ctl = um_wire_evctl_get(&r, &f->arena, &c);
        if (ctl < 0) return feed_fail(f, UM_EPARSE, r.bad);
        um_status st = UM_OK;
        if (ctl && c.tag == UM_WIRE_EV_SUBJECT) { /* a subject made during the replay, before its first event */
            if (c.n < f->n0 || c.n >= f->most) return feed_fail(f, UM_EPARSE, "a new subject out of range");
            st = um_subject_place(f->s, (um_sid)c.n, c.id);
            if (st != UM_OK) return feed_fail(f, st, st == UM_EINVAL ? "a subject told twice" : NULL);
            continue;
        }
        if (ctl) { /* the end: the scan's subject count, checked against what was told and sent */
            if (c.n < um_scan_nsubjects(f->s) || c.n > f->most || c.events != f->events)
                return feed_fail(f, UM_EPARSE, "the end of the events does not match them");
            if ((st = um_subject_place(f->s, (um_sid)c.n, NULL)) != UM_OK) return feed_fail(f, st, NULL);
            f->ended = true;
            continue;
        }
        uint64_t seq;
        um_sid sid;
        um_event ev;
        st = um_wire_ev_get(&r, &f->arena, um_scan_nsubjects(f->s), f->empty, &seq, &sid, &ev, &last_file);
        if (st == UM_OK && sid >= 0 && !*um_subject_id(f->s, sid))
            return feed_fail(f, UM_EPARSE, "an event of a subject the scan did not tell of");
        if (st == UM_OK) st = um_pa_run_event(f->s, f->p, seq, sid, &ev);
        if (st != UM_OK)
            return feed_fail(f, st, r.bad ? r.bad
                                    : st == UM_EPARSE ? "an event of another partition, of an unknown subject, or out of order"
                                                      : NULL);
        f->events++;
    }
    return f->ended ? 2 : 1;
}

static int to_buf(void *ud, const char *p, size_t n) {
    um_buf_add(ud, p, n);
    return ((um_buf *)ud)->oom ? -1 : 1;
}

static void do_part(unit_run *ur) {
    um_worker *w = ur->w;
    unsigned p = (unsigned)ur->u.part_index, k = (unsigned)ur->u.part_count;
    char subj[96], hsubj[96];
    um_buf tab, pay;
    um_buf_init(&tab);
    um_buf_init(&pay);
    snprintf(subj, sizeof subj, "unmask.ev.%s.t", ur->u.scan_id);
    uint64_t tframes = ur->u.size ? (ur->u.size + ur->u.frame - 1) / ur->u.frame : 1;
    int got = fetch_frames(ur, STREAM_PART, subj, "UMD1", tframes, to_buf, &tab, NULL);
    if (got == 1 && tab.len != ur->u.size) got = 0;
    part_feed f = {.ur = ur, .p = p, .st = UM_OK};
    um_arena_init(&f.arena);
    snprintf(hsubj, sizeof hsubj, "unmask.ev.%s.a", ur->u.scan_id);
    scan_alive alive = {.subj = hsubj};
    um_status st = UM_OK;
    const char *why = NULL;
    char ctx_why[200];
    if (got == 1) {
        if (ur->u.prefilter != w->ctx_digest) { /* a different context: another answer, so none */
            snprintf(ctx_why, sizeof ctx_why,
                     "this worker's context differs from the scan's (data/ioc lists or VNC approval; digest %016llx, "
                     "the scan's %016llx): start it with the scan's --data-dir and --approved-rmm",
                     (unsigned long long)w->ctx_digest, (unsigned long long)ur->u.prefilter);
            why = ctx_why;
        } else if (k < 2 || k > 1024) why = "bad number of partitions";
        else if ((st = um_scan_new(w->ctx, &f.s)) != UM_OK) why = um_status_str(st);
        else if ((st = um_subtab_load(f.s, tab.s, tab.len, &why)) != UM_OK) {
            if (!why) why = um_status_str(st);
        } else if ((f.n0 = um_scan_nsubjects(f.s)) > ur->u.parts || ur->u.parts > INT32_MAX)
            why = "bad subject bound";
        else if ((st = um_scan_prepare(f.s, false)) != UM_OK) why = "the compiled context could not be built";
        else if (!(f.s->analyzer_state = um_calloc(um_analyzer_count() + 1, sizeof(void *))) ||
                 !(f.empty = um_calloc(1, sizeof *f.empty)))
            why = "out of memory";
        f.most = (size_t)ur->u.parts;
        for (size_t i = 0; !why && i < um_analyzer_count(); i++) {
            const um_analyzer *a = um_analyzer_at(i);
            if (a->part_new && a->merge && a->on_subjects && (st = a->on_subjects(f.s, &f.s->analyzer_state[i])) != UM_OK)
                why = f.s->errmsg ? f.s->errmsg : um_status_str(st);
        }
        if (!why && ((st = um_scan_set_partitions(f.s, k)) != UM_OK || (st = um_pa_start_one(f.s, p)) != UM_OK))
            why = f.s->errmsg ? f.s->errmsg : um_status_str(st);
        if (!why) {
            snprintf(subj, sizeof subj, "unmask.ev.%s.%u", ur->u.scan_id, p);
            got = fetch_frames(ur, STREAM_PART, subj, "UME2", UINT64_MAX, feed_events, &f, &alive);
            if (got == 0 && f.bad) {
                why = f.bad;
                got = 1;
            } else if (got == 0) {
                if (alive.gone)
                    snprintf(ctx_why, sizeof ctx_why, "the scan stopped sending its events (it ended)");
                else
                    snprintf(ctx_why, sizeof ctx_why, "the scan stopped sending its events (no heartbeat for %u s)",
                             w->scan_lost_s);
                why = ctx_why;
                got = 1;
            }
        }
        /* fault tests: ten pauses before the state goes out, the unit kept alive */
        for (unsigned t = 0; got == 1 && !why && w->pause_ms && t < 10 * w->pause_ms && !w_stopped(w); t += 100) {
            nats_Sleep(100);
            keep_alive(ur);
        }
        if (got == 1 && !why && (st = um_pa_save(f.s, p, &pay)) != UM_OK) why = um_status_str(st);
    }
    if (got == 0) { /* the scan ended, or the server lost them: a waiting scan is told (refused) */
        why = "its subject table was not found on the NATS server (lost in a restart?)";
        got = 1;
    }
    if (got != 1) {
        um_bus_log(w, "scan %s %s left for redelivery", ur->u.scan_id, ur->u.path);
    } else {
        if (why) {
            um_buf_reset(&pay);
            um_buf_add(&pay, "UMX1", 4);
            um_buf_add(&pay, why, strlen(why));
        }
        snprintf(ur->subj, sizeof ur->subj, "unmask.find.%s.%u", ur->u.scan_id, p);
        ur->tag = 'f';
        char what[160];
        snprintf(what, sizeof what, "events (%llu bytes in %llu frames; caught up with the scan %llu times)%s%.80s",
                 (unsigned long long)f.bytes, (unsigned long long)f.frames, (unsigned long long)alive.waits,
                 why ? ", failed: " : "", why ? why : "");
        send_result(ur, &pay, (size_t)f.events, what);
    }
    um_scan_free(f.s);
    um_free(f.empty);
    um_arena_free(&f.arena);
    um_buf_free(&tab);
}

static void do_unit(um_worker *w, natsMsg *msg) {
    unit_run ur;
    memset(&ur, 0, sizeof ur);
    ur.w = w;
    ur.work = msg;
    ur.last_progress = um_bus_now_ms();
    um_buf_init(&ur.out);
    const char *why = NULL;
    if (um_wire_unit_get(natsMsg_GetData(msg), (size_t)natsMsg_GetDataLength(msg), &ur.u, &why) != UM_OK) {
        um_bus_log(w, "dropped a malformed work message: %s", why ? why : "?");
        (void)natsMsg_Term(msg, NULL);
        return;
    }
    snprintf(ur.subj, sizeof ur.subj, "unmask.res.%s.%llu", ur.u.scan_id, (unsigned long long)ur.u.unit);
    /* the unit's digest against this worker's, said when taken: a log
     * unit's rules (prefilters run only when equal), a person partition's
     * context (refused when different); none for an identity shard */
    bool part = strcmp(ur.u.reader, PART_READER) == 0,
         link = strcmp(ur.u.reader, LINK_READER) == 0 || strcmp(ur.u.reader, PAIRS_READER) == 0;
    uint64_t mine = part ? w->ctx_digest : w->pf_digest;
    um_bus_log(w, "scan %s unit %llu taken: %s (%llu bytes%s%s%s)", ur.u.scan_id, (unsigned long long)ur.u.unit,
               ur.u.path, (unsigned long long)ur.u.size, link ? "" : part ? "; context digest " : "; rules digest ",
               link                    ? ""
               : !ur.u.prefilter       ? "none"
               : ur.u.prefilter == mine ? "the same as this worker's"
                                       : "not this worker's",
               link || !ur.u.prefilter || ur.u.prefilter == mine || mine ? "" : " (this worker has none)");
    if (strcmp(ur.u.reader, PART_READER) == 0) {
        do_part(&ur);
        um_wire_unit_clear(&ur.u);
        um_buf_free(&ur.out);
        return;
    }
    if (strcmp(ur.u.reader, PAIRS_READER) == 0) {
        do_pairs(&ur);
        um_wire_unit_clear(&ur.u);
        um_buf_free(&ur.out);
        return;
    }
    if (strcmp(ur.u.reader, LINK_READER) == 0) {
        do_link(&ur);
        um_wire_unit_clear(&ur.u);
        um_buf_free(&ur.out);
        return;
    }
    const um_reader *rd = um_reader_find(ur.u.reader);
    char dir[4096] = "", path[4400] = "";
    FILE *f = NULL;
    int got = -1;
    um_status st = UM_OK;
    char *err = NULL;
    um_scan *s = NULL;
    if (!rd || rd->phase == 0 || rd->serial) {
        um_wire_put_end(&ur.out, FALLBACK_STATUS, NULL); /* the scan reads it itself */
    } else if (!(f = unit_file(w, ur.u.path, dir, sizeof dir, path, sizeof path))) {
        um_wire_put_end(&ur.out, FALLBACK_STATUS, NULL);
    } else if ((got = fetch_data(&ur, f)) != 1 || fclose(f) != 0) {
        if (got == 1) got = -1; /* fclose failed */
        else fclose(f);
        unit_file_remove(dir, path);
        if (got == 0) { /* said on SUBJ.gone: a scan still waiting sends the unit again */
            char gsubj[112], id[128];
            snprintf(gsubj, sizeof gsubj, "%s.gone", ur.subj);
            snprintf(id, sizeof id, "%s.g.%llu", ur.u.scan_id, (unsigned long long)ur.u.unit);
            natsStatus ns = um_bus_publish(w->js, gsubj, "UMG1", 4, id, w_stop_cb, w);
            um_bus_log(w, "scan %s unit %llu dropped: its input's bytes were not found on the server for %d s (the scan "
                          "ended, or a restart lost them)%s",
                       ur.u.scan_id, (unsigned long long)ur.u.unit, GONE_WAIT_S,
                       ns == NATS_OK ? "; said so, for the scan to send it again" : "");
            if (ns == NATS_OK) (void)natsMsg_AckSync(msg, NULL, NULL);
        } else {
            um_bus_log(w, "scan %s unit %llu left for redelivery", ur.u.scan_id, (unsigned long long)ur.u.unit);
        }
        um_wire_unit_clear(&ur.u);
        um_buf_free(&ur.out);
        return;
    } else if ((st = um_scan_new(w->ctx, &s)) == UM_OK) {
        um_input in;
        memset(&in, 0, sizeof in);
        in.path = path;
        in.reader = rd;
        in.size = ur.u.size;
        ur.in_path = path;
        bool fallback = false;
        um_part pt = {0, (size_t)ur.u.part_index, (size_t)ur.u.part_count, 0, UINT64_MAX, 0, NULL};
        bool is_part = ur.u.part_count > 1;
        if (is_part && (!rd->part_size || !(pt.summary = um_calloc(1, rd->part_size)))) st = UM_ENOMEM;
        /* the prefilters (the Sigma matching) run here when this worker's
         * rules are the scan's: only bags an analyzer needs cross the bus */
        bool pf = ur.u.prefilter && ur.u.prefilter == w->pf_digest;
        ur.prefiltered = pf;
        s->gates_open = !pf; /* the readers' gates read this worker's pack: only good for the same rules */
        if (ur.u.prefilter && !pf)
            um_bus_log(w, "scan %s unit %llu: the scan's rules differ from this worker's: every field bag goes back",
                       ur.u.scan_id, (unsigned long long)ur.u.unit);
        if (st == UM_OK) st = um_rec_read(s, &in, is_part ? &pt : NULL, pf, on_batch, &ur, &fallback, &err);
        if (fallback && ur.part == 0 && ur.out.len == 0) um_wire_put_end(&ur.out, FALLBACK_STATUS, NULL);
        else if (!ur.failed && !w_stopped(w)) {
            if (is_part && st == UM_OK && !fallback) um_wire_put_part(&ur.out, pt.lines, pt.summary, rd->part_size);
            um_wire_put_end(&ur.out, (int)(fallback ? UM_EIO : st), err);
        }
        um_free(pt.summary);
    }
    unit_file_remove(dir, path);
    um_scan_free(s);
    free(err);
    if (!ur.failed && !w_stopped(w) && send_frames(&ur, true) == UM_OK) {
        jsErrCode je = 0;
        natsStatus ns = natsMsg_AckSync(msg, NULL, &je);
        um_bus_log(w, "scan %s unit %llu done: %u result frames, %llu bytes%s%s", ur.u.scan_id, (unsigned long long)ur.u.unit,
             ur.part, (unsigned long long)ur.sent, ur.prefiltered ? ", prefiltered" : "",
             ns == NATS_OK ? "" : " (acknowledgement lost: the unit will come again and be de-duplicated)");
    } else {
        um_bus_log(w, "scan %s unit %llu left for redelivery", ur.u.scan_id, (unsigned long long)ur.u.unit);
    }
    um_wire_unit_clear(&ur.u);
    um_buf_free(&ur.out);
}

/* A work queue a worker thread serves: the units (log inputs, shards, pair
 * partitions), or the person partitions, which hold a thread while their
 * scan replays and so have threads of their own. */
typedef struct wqueue {
    const char *stream, *subj, *durable;
} wqueue;
static const wqueue queues[2] = {{STREAM_WORK, SUBJ_WORK, DURABLE}, {STREAM_PWORK, SUBJ_PWORK, PDURABLE}};

typedef struct wthread_arg {
    um_worker *w;
    const wqueue *q;
} wthread_arg;

static void *wthread(void *arg) {
    um_worker *w = ((wthread_arg *)arg)->w;
    const wqueue *q = ((wthread_arg *)arg)->q;
    natsSubscription *sub = NULL;
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = q->stream;
    so.Consumer = q->durable;
    so.ManualAck = true;
    jsErrCode je = 0;
    natsStatus st = js_PullSubscribe(&sub, w->js, q->subj, q->durable, NULL, &so, &je);
    if (st != NATS_OK) {
        wfatal(w, UM_EIO, um_bus_err(st, "subscribing to the work queue"));
        return NULL;
    }
    while (!w_stopped(w)) {
        natsMsgList list = {0};
        st = natsSubscription_Fetch(&list, sub, 1, 1000, &je);
        if (st == NATS_TIMEOUT) continue;
        if (st != NATS_OK) { /* the server is away, or a request failed: try again */
            natsMsgList_Destroy(&list);
            nats_Sleep(250);
            continue;
        }
        for (int k = 0; k < list.Count; k++) {
            if (w_stopped(w)) break; /* left unacknowledged: redelivered */
            do_unit(w, list.Msgs[k]);
        }
        natsMsgList_Destroy(&list);
    }
    natsSubscription_Destroy(sub); /* not unsubscribed: the durable consumer stays */
    return NULL;
}

void um_worker_set_partition_threads(um_worker *w, unsigned n) { w->part_threads = n; }

um_status um_worker_run(um_worker *w, unsigned n, const volatile sig_atomic_t *stop) {
    if (!w->conf) return UM_EINVAL;
    char *err = um_bus_connect(w->conf, &w->nc, &w->js);
    if (err || !w->nc) {
        um_free(w->errmsg);
        w->errmsg = err;
        return err ? UM_EIO : UM_ENOMEM;
    }
    for (size_t i = 0; i < UM_ARRAY_LEN(queues); i++) {
        jsConsumerConfig cc;
        jsConsumerConfig_Init(&cc);
        cc.Durable = queues[i].durable;
        cc.AckPolicy = js_AckExplicit;
        cc.AckWait = (int64_t)w->conf->ack_wait_s * NS;
        cc.MaxAckPending = w->conf->max_ack_pending;
        cc.FilterSubject = queues[i].subj;
        jsConsumerInfo *ci = NULL;
        jsErrCode je = 0;
        natsStatus ns = js_AddConsumer(&ci, w->js, queues[i].stream, &cc, NULL, &je);
        if (ns != NATS_OK) ns = js_UpdateConsumer(&ci, w->js, queues[i].stream, &cc, NULL, &je);
        if (ci) jsConsumerInfo_Destroy(ci);
        if (ns != NATS_OK) um_bus_log(w, "using the existing %s consumer (its settings could not be changed)",
                                      i ? "partition" : "work");
    }
    w->stop = stop;
    w->fatal = UM_OK;
    /* what the prefilters read, built once before the threads (they only
     * peek at it), and its digest, which a unit's must equal */
    um_scan *ps = NULL;
    w->pf_digest = 0;
    if (um_scan_new(w->ctx, &ps) == UM_OK && um_scan_prepare(ps, true) == UM_OK && ps->pf_ready)
        w->pf_digest = ps->pf_digest;
    else
        um_bus_log(w, "the prefilters could not be built (%s): every field bag goes back to the scan",
                   ps && ps->errmsg ? ps->errmsg : "out of memory");
    um_scan_free(ps);
    w->ctx_digest = um_bus_ctx_digest(w->ctx);
    const um_os *os = um_os_get();
    const char *lost = os->getenv(os->ud, "UNMASK_SCAN_LOST_S"); /* tests */
    w->scan_lost_s = lost && atoi(lost) > 0 ? (unsigned)atoi(lost) : SCAN_LOST_S;
    if (n == 0) n = 1;
    unsigned np = w->part_threads, all = n + np;
    pthread_t *th = um_calloc(all, sizeof *th);
    wthread_arg *args = um_calloc(all, sizeof *args);
    um_status st = th && args ? UM_OK : UM_ENOMEM;
    unsigned started = 0;
    for (; st == UM_OK && started < all; started++) {
        args[started] = (wthread_arg){w, &queues[started >= n]};
        if (pthread_create(&th[started], NULL, wthread, &args[started]) != 0) break;
    }
    if (st == UM_OK)
        um_bus_log(w, "serving %s with %u thread%s for units and %u for person partitions", w->conf->url,
                   started < n ? started : n, n == 1 ? "" : "s", started > n ? started - n : 0);
    for (unsigned k = 0; k < started; k++) pthread_join(th[k], NULL);
    um_free(args);
    um_free(th);
    jsCtx_Destroy(w->js);
    natsConnection_Destroy(w->nc);
    w->js = NULL, w->nc = NULL;
    if (st == UM_OK) st = w->fatal;
    return st;
}
