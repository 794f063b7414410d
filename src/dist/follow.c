/*
 * follow.c - continuous mode (um_worker_follow, `unmask worker --follow`).
 *
 * A log shipper publishes events to unmask.events.SOURCE (stream
 * UNMASK_EVENTS; SOURCE names a log reader). This loop takes them from the
 * durable consumer "unmask-follow", writes each message into the spool
 * folder as SOURCE/SEQUENCE.jsonl (the stream sequence, zero-padded: one
 * file per message, written to a temporary name, synced and renamed)
 * and only then acknowledges it. A message delivered twice (a crash
 * between the rename and the acknowledgement) lands in the same file: it is
 * never counted twice. At most every interval a round adds the spool files
 * not yet in the case to it, incrementally (scan --add, core/journal.c):
 * the case's inputs are replayed from their journals in CASE/journal/, the
 * new files read in stream order, and the case written through the
 * ordinary output set (lock, staging, atomic swap), so `unmask serve` sees
 * a whole round or the one before. A follower killed at any point loses
 * nothing: a message is acknowledged only once spooled, a spooled file
 * that is not in the case (case.db `inputs`) is added by the next round,
 * and one that is is never added again. Each finding line that is new or
 * changed since the last round (the lines of the previous findings.jsonl,
 * read at start, so a restart does not publish everything again) is
 * published to unmask.findings, with the line's hash as message id; a
 * finding that is gone (more evidence can change links and clusters) gets
 * {"schema":1,"id":ID,"withdrawn":true}. A round still re-reads the
 * journals of every earlier message and hashes every spool file (cheaper
 * than parsing, but growing with the case).
 *
 * Backpressure: the consumer's MaxAckPending bounds the messages in hand;
 * the stream's limits (7 days, or what the operator sets) bound the bus.
 */
#include "bus.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DURABLE_FOLLOW "unmask-follow"

static bool f_stopped(um_worker *w) { return w->stop && *w->stop; }
static bool f_stop_cb(void *ud) { return f_stopped(ud); }

static bool mkdir_p(const char *path) {
    char buf[4096];
    size_t n = strlen(path);
    if (n >= sizeof buf) return false;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != 0) continue;
        char c = buf[i];
        buf[i] = 0;
        if (mkdir(buf, 0700) != 0 && errno != EEXIST) return false;
        buf[i] = c;
    }
    return true;
}

/* A reader name as a subject token: [a-z0-9-], a log reader that reads files. */
static const um_reader *source_reader(const char *subj, const char **name) {
    const char *pre = "unmask.events.";
    if (strncmp(subj, pre, strlen(pre)) != 0) return NULL;
    const char *s = subj + strlen(pre);
    size_t n = strlen(s);
    if (n == 0 || n > 32) return NULL;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-')) return NULL;
    const um_reader *r = um_reader_find(s);
    if (!r || r->phase == 0 || r->serial || r->claims_dir) return NULL;
    *name = s;
    return r;
}

static bool spool_write(const char *dir, const char *source, uint64_t seq, const void *p, size_t n) {
    char d[4300], tmp[4400], fin[4400];
    if (snprintf(d, sizeof d, "%s/%s", dir, source) >= (int)sizeof d) return false;
    if (!mkdir_p(d)) return false;
    snprintf(fin, sizeof fin, "%s/%020llu.jsonl", d, (unsigned long long)seq);
    snprintf(tmp, sizeof tmp, "%s/.%020llu.tmp", d, (unsigned long long)seq);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return false;
    const char *q = p;
    size_t left = n;
    bool ok = true;
    while (left && ok) {
        ssize_t w = write(fd, q, left);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) ok = false;
        else q += w, left -= (size_t)w;
    }
    if (ok && n && ((const char *)p)[n - 1] != '\n') ok = write(fd, "\n", 1) == 1;
    if (ok) ok = fsync(fd) == 0;
    if (close(fd) != 0) ok = false;
    if (ok) ok = rename(tmp, fin) == 0;
    if (!ok) unlink(tmp);
    if (ok) { /* the rename itself durable */
        int dfd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) fsync(dfd), close(dfd);
    }
    return ok;
}

static void set_add(um_map *set, const char *s, size_t n) {
    bool created;
    um_map_slot *sl = um_map_upsert(set, s, n, &created);
    if (sl) sl->val = (void *)1;
}

/* Lines of a file into a set. */
static void load_lines(um_map *set, const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] == '\n') n--;
        set_add(set, line, (size_t)n);
    }
    free(line);
    fclose(f);
}

static uint64_t fnv(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

/* The finding id of a findings.jsonl line ("id":"F-..."), as a view. */
static const char *line_id(const char *line, size_t n, size_t *len) {
    const char *k = "\"id\":\"";
    const char *p = NULL;
    for (size_t i = 0; i + 6 <= n && !p; i++)
        if (memcmp(line + i, k, 6) == 0) p = line + i + 6;
    if (!p) return NULL;
    const char *e = memchr(p, '"', (size_t)(line + n - p));
    if (!e) return NULL;
    *len = (size_t)(e - p);
    return p;
}

typedef struct spool_file {
    uint64_t seq;
    char *path;
    const char *reader; /* um_reader_name(): static */
} spool_file;

static int spool_cmp(const void *a, const void *b) {
    const spool_file *x = a, *y = b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The spool's message files not yet in the case (paths not in in_case), in
 * stream order: *out (heap, each path heap), *n. false on no memory. */
static bool spool_new(const char *spool, const um_map *in_case, spool_file **out, size_t *n) {
    size_t cap = 0;
    *out = NULL, *n = 0;
    for (size_t i = 0; i < um_reader_count(); i++) {
        const char *name = um_reader_name(i);
        char d[4300];
        if (snprintf(d, sizeof d, "%s/%s", spool, name) >= (int)sizeof d) continue;
        DIR *dir = opendir(d);
        if (!dir) continue;
        struct dirent *e;
        bool ok = true;
        while (ok && (e = readdir(dir))) {
            char *end = NULL;
            if (strlen(e->d_name) != 26 || strcmp(e->d_name + 20, ".jsonl") != 0) continue;
            unsigned long long seq = strtoull(e->d_name, &end, 10);
            if (end != e->d_name + 20) continue;
            char pb[4400];
            if (snprintf(pb, sizeof pb, "%s/%.26s", d, e->d_name) >= (int)sizeof pb) continue;
            char *path = um_strdup(pb);
            if (!path) ok = false;
            else if (um_map_get(in_case, path, strlen(path))) um_free(path);
            else if (!um_grow((void **)out, &cap, *n + 1, sizeof **out)) um_free(path), ok = false;
            else (*out)[(*n)++] = (spool_file){seq, path, name};
        }
        closedir(dir);
        if (!ok) return false;
    }
    if (*n) qsort(*out, *n, sizeof **out, spool_cmp);
    return true;
}

/* One round, incremental: the case's inputs (identity inputs and the spool
 * files of earlier rounds) are put back from their journals
 * (um_scan_add_case), the spool files not yet in the case are added in
 * stream order, and the case is written (lock, staging, atomic swap), with
 * journals for the next round. The first round (no case yet) starts from
 * the identity inputs. Nothing new: nothing is done. Then what is new or
 * changed is published, and a withdrawal ({"schema":1,"id":ID,
 * "withdrawn":true}) for each finding that is gone. */
static um_status round_scan(um_worker *w, const um_follow_opts *fo, const char *spool, um_map *seen, size_t *published,
                            size_t *added) {
    *published = *added = 0;
    um_scan *s = NULL;
    um_status st = um_scan_new(w->ctx, &s);
    if (st != UM_OK) return st;
    char db[4200];
    snprintf(db, sizeof db, "%s/case.db", fo->out_dir);
    struct stat sb;
    bool have_case = stat(db, &sb) == 0;
    um_scan_set_cancel(s, w->stop);
    if (st == UM_OK) st = um_scan_lock_output(s, fo->out_dir, true);
    if (st == UM_OK) st = um_scan_set_verdicts(s, db);
    if (st == UM_OK) st = have_case ? um_scan_add_case(s, fo->out_dir, true) : um_scan_keep_journal(s, fo->out_dir, true);
    for (size_t i = 0; i < fo->n_identity && st == UM_OK && !have_case; i++)
        st = um_scan_add_path(s, fo->identity[i], NULL);
    um_map in_case;
    um_map_init(&in_case);
    for (size_t i = 0; i < s->n_inputs && st == UM_OK; i++)
        if (s->inputs[i].path) set_add(&in_case, s->inputs[i].path, strlen(s->inputs[i].path));
    spool_file *nf = NULL;
    size_t n_new = 0;
    if (st == UM_OK && !spool_new(spool, &in_case, &nf, &n_new)) st = UM_ENOMEM;
    um_map_free(&in_case);
    for (size_t i = 0; i < n_new && st == UM_OK; i++) st = um_scan_add_path(s, nf[i].path, nf[i].reader);
    for (size_t i = 0; i < n_new; i++) um_free(nf[i].path);
    um_free(nf);
    if (st == UM_OK && have_case && n_new == 0) { /* nothing new */
        um_scan_free(s);
        return UM_OK;
    }
    *added = n_new;
    if (st == UM_OK) st = um_scan_run(s, NULL, NULL);
    if (st == UM_OK) st = um_scan_write_outputs(s, fo->out_dir);
    if (st != UM_OK) {
        pthread_mutex_lock(&w->mu);
        um_free(w->errmsg);
        w->errmsg = um_strdup(um_scan_errmsg(s));
        pthread_mutex_unlock(&w->mu);
        um_scan_free(s);
        return st;
    }
    um_scan_free(s);
    char path[4200];
    snprintf(path, sizeof path, "%s/findings.jsonl", fo->out_dir);
    FILE *f = fopen(path, "rb");
    if (!f) return UM_EIO;
    um_map now, now_ids;
    um_map_init(&now);
    um_map_init(&now_ids);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    *published = 0;
    while ((n = getline(&line, &cap, f)) > 0 && st == UM_OK) {
        if (line[n - 1] == '\n') n--;
        set_add(&now, line, (size_t)n);
        size_t il;
        const char *idv = line_id(line, (size_t)n, &il);
        if (idv) set_add(&now_ids, idv, il);
        if (um_map_get(seen, line, (size_t)n)) continue;
        char id[40];
        snprintf(id, sizeof id, "f-%016llx-%zd", (unsigned long long)fnv(line, (size_t)n), n);
        if (um_bus_publish(w->js, "unmask.findings", line, (size_t)n, id, f_stop_cb, w) != NATS_OK) st = UM_EIO;
        else (*published)++;
    }
    free(line);
    fclose(f);
    for (size_t i = 0; i < seen->cap && st == UM_OK; i++) { /* findings gone since the last round */
        const um_map_slot *sl = &seen->slots[i];
        if (!sl->key || !sl->val) continue;
        size_t il;
        const char *idv = line_id(sl->key, sl->klen, &il);
        if (!idv || um_map_get(&now_ids, idv, il)) continue;
        char msg[256], id[160];
        snprintf(msg, sizeof msg, "{\"schema\":1,\"id\":\"%.*s\",\"withdrawn\":true}", (int)(il < 100 ? il : 100), idv);
        snprintf(id, sizeof id, "w-%016llx", (unsigned long long)fnv(sl->key, sl->klen));
        if (um_bus_publish(w->js, "unmask.findings", msg, strlen(msg), id, f_stop_cb, w) != NATS_OK) st = UM_EIO;
        else (*published)++;
    }
    um_map_free(&now_ids);
    um_map_free(seen);
    *seen = now;
    return st;
}

um_status um_worker_follow(um_worker *w, const um_follow_opts *fo, const volatile sig_atomic_t *stop) {
    if (!w->conf || !fo || !fo->out_dir || !*fo->out_dir) return UM_EINVAL;
    char spool[4200];
    if (fo->spool_dir) snprintf(spool, sizeof spool, "%s", fo->spool_dir);
    else {
        size_t n = strlen(fo->out_dir);
        while (n > 1 && fo->out_dir[n - 1] == '/') n--;
        snprintf(spool, sizeof spool, "%.*s.spool", (int)n, fo->out_dir);
    }
    if (!mkdir_p(spool)) {
        um_free(w->errmsg);
        w->errmsg = um_strdup("cannot create the spool folder");
        return UM_EIO;
    }
    char *err = um_bus_connect(w->conf, &w->nc, &w->js);
    if (err || !w->nc) {
        um_free(w->errmsg);
        w->errmsg = err;
        return err ? UM_EIO : UM_ENOMEM;
    }
    w->stop = stop;
    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.Durable = DURABLE_FOLLOW;
    cc.AckPolicy = js_AckExplicit;
    cc.AckWait = (int64_t)w->conf->ack_wait_s * UM_BUS_NS;
    cc.MaxAckPending = w->conf->max_ack_pending;
    cc.FilterSubject = "unmask.events.>";
    jsConsumerInfo *ci = NULL;
    jsErrCode je = 0;
    natsStatus ns = js_AddConsumer(&ci, w->js, "UNMASK_EVENTS", &cc, NULL, &je);
    if (ns != NATS_OK) ns = js_UpdateConsumer(&ci, w->js, "UNMASK_EVENTS", &cc, NULL, &je);
    if (ci) jsConsumerInfo_Destroy(ci);
    natsSubscription *sub = NULL;
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = "UNMASK_EVENTS";
    so.Consumer = DURABLE_FOLLOW;
    so.ManualAck = true;
    ns = js_PullSubscribe(&sub, w->js, "unmask.events.>", DURABLE_FOLLOW, NULL, &so, &je);
    um_status st = UM_OK;
    if (ns != NATS_OK) {
        um_free(w->errmsg);
        w->errmsg = um_bus_err(ns, "subscribing to unmask.events.>");
        st = UM_EIO;
    }
    um_map seen;
    um_map_init(&seen);
    char prev[4200];
    snprintf(prev, sizeof prev, "%s/findings.jsonl", fo->out_dir);
    load_lines(&seen, prev);
    unsigned interval = fo->interval_s ? fo->interval_s : 10;
    int64_t last = 0;
    uint64_t pending = 0, total = 0;
    bool first = true; /* a first round adds what a killed follower spooled but did not add */
    if (st == UM_OK) um_bus_log(w, "following unmask.events.> into %s (spool %s)", fo->out_dir, spool);
    while (st == UM_OK && !f_stopped(w)) {
        natsMsgList list = {0};
        ns = natsSubscription_Fetch(&list, sub, 256, 1000, &je);
        if (ns != NATS_OK && ns != NATS_TIMEOUT) {
            natsMsgList_Destroy(&list);
            nats_Sleep(250); /* the server is away: try again */
            continue;
        }
        for (int k = 0; k < list.Count && !f_stopped(w); k++) {
            natsMsg *m = list.Msgs[k];
            const char *name = NULL;
            const um_reader *r = source_reader(natsMsg_GetSubject(m), &name);
            jsMsgMetaData *meta = NULL;
            if (!r || natsMsg_GetMetaData(&meta, m) != NATS_OK) {
                um_bus_log(w, "dropped a message on %s: no log reader of that name", natsMsg_GetSubject(m));
                (void)natsMsg_Term(m, NULL);
                if (meta) jsMsgMetaData_Destroy(meta);
                continue;
            }
            if (spool_write(spool, name, meta->Sequence.Stream, natsMsg_GetData(m), (size_t)natsMsg_GetDataLength(m))) {
                if (natsMsg_AckSync(m, NULL, &je) == NATS_OK) pending++, total++;
            } else {
                um_bus_log(w, "cannot write to the spool folder %s: the message stays on the bus", spool);
                (void)natsMsg_NakWithDelay(m, 5000, NULL);
            }
            jsMsgMetaData_Destroy(meta);
        }
        natsMsgList_Destroy(&list);
        if ((pending || first) && um_bus_now_ms() - last >= (int64_t)interval * 1000 && !f_stopped(w)) {
            first = false;
            size_t pub = 0, added = 0;
            st = round_scan(w, fo, spool, &seen, &pub, &added);
            if (st == UM_OK && added)
                um_bus_log(w, "round: %zu messages added to the case (%llu received, %llu in all), %zu findings "
                              "new or changed published",
                           added, (unsigned long long)pending, (unsigned long long)total, pub);
            pending = 0;
            last = um_bus_now_ms();
        }
    }
    if (st == UM_ECANCELED && f_stopped(w)) st = UM_OK;
    um_map_free(&seen);
    if (sub) natsSubscription_Destroy(sub);
    jsCtx_Destroy(w->js);
    natsConnection_Destroy(w->nc);
    w->js = NULL, w->nc = NULL;
    return st;
}
