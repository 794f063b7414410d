/*
 * nats_pub.c - a stand-in log shipper and SIEM for tests/e2e/nats_follow.sh:
 *   nats_pub pub URL SUBJECT FILE LINES [FROM [TO]]  publish FILE's lines,
 *        LINES a message, messages FROM..TO (0-based, default all), with
 *        Nats-Msg-Id "SUBJECT-N" (JetStream publish, acknowledged)
 *   nats_pub dump URL STREAM   print every message of STREAM, one a line
 *   nats_pub count URL STREAM  print the number of messages in STREAM
 *   nats_pub purge URL STREAM  remove every message of STREAM (tests/e2e/nats.sh:
 *        a unit's bytes lost on the server)
 * Exit 0, or 1 with a message.
 */
#include <nats/nats.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int die(const char *what, natsStatus s) {
    fprintf(stderr, "nats_pub: %s: %s\n", what, natsStatus_GetText(s));
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: nats_pub pub URL SUBJECT FILE LINES [FROM [TO]] | dump|count|purge URL STREAM\n");
        return 1;
    }
    natsConnection *nc = NULL;
    jsCtx *js = NULL;
    natsStatus s = natsConnection_ConnectTo(&nc, argv[2]);
    if (s != NATS_OK) return die("connect", s);
    if ((s = natsConnection_JetStream(&js, nc, NULL)) != NATS_OK) return die("jetstream", s);
    int rc = 0;
    if (strcmp(argv[1], "pub") == 0 && argc >= 6) {
        FILE *f = fopen(argv[4], "rb");
        if (!f) return die("open", NATS_ERR);
        long per = atol(argv[5]), from = argc > 6 ? atol(argv[6]) : 0, to = argc > 7 ? atol(argv[7]) : -1;
        char *line = NULL, *msg = NULL;
        size_t cap = 0, mlen = 0, mcap = 0;
        long lines = 0, idx = 0;
        ssize_t n;
        for (;;) {
            n = getline(&line, &cap, f);
            if (n > 0) {
                if (mlen + (size_t)n + 1 > mcap) {
                    mcap = (mlen + (size_t)n + 1) * 2;
                    msg = realloc(msg, mcap);
                }
                memcpy(msg + mlen, line, (size_t)n);
                mlen += (size_t)n;
                lines++;
            }
            if ((n <= 0 && mlen) || lines == per) {
                if (idx >= from && (to < 0 || idx <= to)) {
                    char id[256];
                    snprintf(id, sizeof id, "%s-%ld", argv[3], idx);
                    jsPubOptions po;
                    jsPubOptions_Init(&po);
                    po.MsgId = id;
                    jsPubAck *pa = NULL;
                    s = js_Publish(&pa, js, argv[3], msg, (int)mlen, &po, NULL);
                    if (pa) jsPubAck_Destroy(pa);
                    if (s != NATS_OK) {
                        rc = die("publish", s);
                        break;
                    }
                }
                idx++;
                mlen = 0;
                lines = 0;
            }
            if (n <= 0) break;
        }
        free(line);
        free(msg);
        fclose(f);
    } else if (strcmp(argv[1], "dump") == 0) {
        jsStreamInfo *si = NULL;
        if ((s = js_GetStreamInfo(&si, js, argv[3], NULL, NULL)) != NATS_OK) return die("stream info", s);
        uint64_t first = si->State.FirstSeq, last = si->State.LastSeq;
        jsStreamInfo_Destroy(si);
        for (uint64_t q = first; q && q <= last; q++) {
            natsMsg *m = NULL;
            if (js_GetMsg(&m, js, argv[3], q, NULL, NULL) != NATS_OK) continue;
            fwrite(natsMsg_GetData(m), 1, (size_t)natsMsg_GetDataLength(m), stdout);
            fputc('\n', stdout);
            natsMsg_Destroy(m);
        }
    } else if (strcmp(argv[1], "count") == 0) {
        jsStreamInfo *si = NULL;
        if ((s = js_GetStreamInfo(&si, js, argv[3], NULL, NULL)) != NATS_OK) return die("stream info", s);
        printf("%llu\n", (unsigned long long)si->State.Msgs);
        jsStreamInfo_Destroy(si);
    } else if (strcmp(argv[1], "purge") == 0) {
        if ((s = js_PurgeStream(js, argv[3], NULL, NULL)) != NATS_OK) rc = die("purge", s);
    } else {
        fprintf(stderr, "nats_pub: unknown mode\n");
        rc = 1;
    }
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    return rc;
}
