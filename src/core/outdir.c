/*
 * outdir.c - the output folder: one run's whole set, published in one step.
 *
 * For an output folder P/NAME:
 *   P/.NAME.lock        the lock (flock) two scans take turns on; kept
 *   P/.NAME.tmp.PID     the new set while it is built (every sink writes
 *                       here), then swapped with P/NAME
 *   P/.NAME.old.PID     the previous set after a two-rename publish, on
 *                       file systems without RENAME_EXCHANGE
 * Holding the lock, a run removes every .NAME.tmp.* / .NAME.old.* it finds:
 * no live run can own them (a killed run's are what is left). Every
 * registered sink (src/sink/sinks.def) writes into the staging folder, so
 * a new sink's files are part of the set with no change here.
 */
#include "scan.h"

#include <errno.h>
#include <libgen.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <dirent.h>
#include <unistd.h>

double um_now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

double um_thread_cpu_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

void um_scan_set_cancel(um_scan *s, const volatile sig_atomic_t *flag) {
    if (s) s->cancel = flag;
}

bool um_scan_cancelled(const um_scan *s) { return (s->cancel && *s->cancel) || atomic_load(&s->sinks_failed); }

size_t um_scan_input_count(const um_scan *s) { return s->n_inputs; }

void um_scan_input_at(const um_scan *s, size_t i, um_input_info *out) {
    static const char *const status[] = {"not read", "read", "skipped", "rejected"};
    const um_input *in = &s->inputs[i];
    out->path = in->path;
    out->format = in->reader ? in->reader->name : NULL;
    out->size = in->size;
    out->status = status[in->status];
    out->reason = in->reason;
    out->has_hash = in->has_hash;
    out->hash = in->hash;
    out->journal = in->journal_name;
}

um_status um_scan_cancel_status(um_scan *s) {
    um_scan_issues_lock();
    if (!s->errmsg) s->errmsg = um_strdup("cancelled");
    um_scan_issues_unlock();
    return UM_ECANCELED;
}

/* Splits dir into its parent and base name (heap strings). A trailing '/'
 * is ignored; a symbolic link to a folder is resolved, so the swap replaces
 * the folder it points to, not the link. */
static bool split_dir(const char *dir, char **parent, char **base) {
    *parent = *base = NULL;
    char *d = um_strdup(dir);
    if (!d) return false;
    size_t n = strlen(d);
    while (n > 1 && d[n - 1] == '/') d[--n] = 0;
    struct stat st;
    if (lstat(d, &st) == 0 && S_ISLNK(st.st_mode)) {
        char *r = realpath(d, NULL);
        if (r) {
            um_free(d);
            d = um_strdup(r);
            free(r);
            if (!d) return false;
        }
    }
    char *a = um_strdup(d), *b = um_strdup(d);
    if (a && b) {
        *parent = um_strdup(dirname(a));
        *base = um_strdup(basename(b));
    }
    um_free(a), um_free(b), um_free(d);
    if (!*parent || !*base || strcmp(*base, "/") == 0 || strcmp(*base, ".") == 0 || strcmp(*base, "..") == 0) {
        um_free(*parent), um_free(*base);
        *parent = *base = NULL;
        return false;
    }
    return true;
}

um_status um_scan_lock_output(um_scan *s, const char *dir, bool wait) {
    if (s->out_lock >= 0) return UM_OK;
    char *parent, *base;
    if (!split_dir(dir, &parent, &base)) {
        um_scan_set_error(s, "%s: not usable as an output folder", dir);
        return UM_EINVAL;
    }
    char *lock = NULL;
    if (asprintf(&lock, "%s/.%s.lock", parent, base) < 0) lock = NULL;
    um_free(parent), um_free(base);
    if (!lock) return UM_ENOMEM;
    const um_os *os = um_os_get();
    long holder = 0;
    int h = os->lock(os->ud, lock, wait, &holder);
    if (h < 0) {
        um_status st = errno == EWOULDBLOCK ? UM_EBUSY : UM_EIO;
        if (st == UM_EBUSY) {
            if (holder > 0)
                um_scan_set_error(s, "output folder %s is in use by another scan (process %ld); "
                                     "wait for it, or use --wait", dir, holder);
            else um_scan_set_error(s, "output folder %s is in use by another scan; wait for it, or use --wait", dir);
        } else {
            um_scan_set_error(s, "cannot lock output folder %s (%s): %s", dir, lock, strerror(errno));
        }
        free(lock);
        return st;
    }
    s->out_lock = h;
    s->out_lock_path = lock;
    return UM_OK;
}

bool um_scan_lock_held(const um_scan *s) { return s && s->out_lock >= 0; }

void um_scan_unlock_output(um_scan *s) {
    if (s->out_lock >= 0) um_os_get()->unlock(um_os_get()->ud, s->out_lock);
    s->out_lock = -1;
    free(s->out_lock_path);
    s->out_lock_path = NULL;
}

/* Holding the lock: every .BASE.tmp.* and .BASE.old.* in parent is a dead
 * run's. */
static void remove_dead_sets(const um_scan *s, const char *parent, const char *base) {
    const um_os *os = um_os_get();
    DIR *d = opendir(parent);
    if (!d) return;
    size_t bl = strlen(base);
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *n = e->d_name;
        if (n[0] != '.' || strncmp(n + 1, base, bl) != 0) continue;
        if (strncmp(n + 1 + bl, ".tmp.", 5) != 0 && strncmp(n + 1 + bl, ".old.", 5) != 0 &&
            strncmp(n + 1 + bl, ".jnl.", 5) != 0)
            continue;
        if (um_journal_own_dir(s, n)) continue; /* this run's journals, published below */
        char *p = NULL;
        if (asprintf(&p, "%s/%s", parent, n) >= 0) {
            os->remove_tree(os->ud, p);
            free(p);
        }
    }
    closedir(d);
}

/* Entries of the previous set the sinks did not write (a user's notes) are
 * carried into the new set: files by hard link, anything else by rename.
 * Our own leftovers (hidden temporaries) are not. */
static um_status carry_over(um_scan *s, const char *old, const char *stage) {
    DIR *d = opendir(old);
    if (!d) return UM_OK;
    um_status st = UM_OK;
    struct dirent *e;
    while (st == UM_OK && (e = readdir(d))) {
        const char *n = e->d_name;
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0) continue;
        if (n[0] == '.' && (strstr(n, ".tmp.") || strstr(n, "-wal") || strstr(n, "-shm") || strstr(n, "-journal")))
            continue;
        char *from = NULL, *to = NULL;
        if (asprintf(&from, "%s/%s", old, n) < 0) from = NULL;
        if (asprintf(&to, "%s/%s", stage, n) < 0) to = NULL;
        struct stat st1, st2;
        if (!from || !to) st = UM_ENOMEM;
        else if (lstat(to, &st2) == 0) { /* written by this run */
        } else if (lstat(from, &st1) == 0) {
            int rc = S_ISREG(st1.st_mode) ? link(from, to) : rename(from, to);
            if (rc != 0) {
                um_scan_set_error(s, "cannot carry %s into the new output set: %s", from, strerror(errno));
                st = UM_EIO;
            }
        }
        free(from), free(to);
    }
    closedir(d);
    return st;
}

typedef struct {
    um_scan *s;
    const um_sink *sink;
    const char *dir;
    um_status st;
    pthread_t th;
    bool started;
    double cpu_s; /* the sink's CPU seconds on its thread */
} sink_job;

static void *sink_main(void *arg) {
    sink_job *j = arg;
    double c = um_thread_cpu_s();
    j->st = j->sink->write(j->s, j->dir);
    j->cpu_s = um_thread_cpu_s() - c;
    return NULL;
}

/* A sink on the calling thread; its CPU seconds added to cpu[own_thread]
 * (the stats are set once every sink is done: a threaded sink reads them). */
static um_status sink_here(um_scan *s, const um_sink *k, const char *dir, double cpu[2]) {
    double c = um_thread_cpu_s();
    um_status st = k->write(s, dir);
    cpu[k->own_thread] += um_thread_cpu_s() - c;
    return st;
}

/* Every registered sink (src/sink/sinks.def), in order, into folder dir
 * (the staging folder): whatever they write is part of the published set.
 * With more than one scan thread, the sinks marked own_thread (case.db)
 * run on their own thread while the others write in order; a failure on
 * either side stops the other (um_scan_cancelled) and the first error is
 * the one reported. */
static um_status run_sinks(um_scan *s, const char *dir) {
    sink_job jobs[4];
    size_t nj = 0;
    um_status st = UM_OK;
    double cpu[2] = {0, 0};
    for (size_t i = 0; i < um_sink_count() && s->threads > 1; i++) {
        const um_sink *k = um_sink_at(i);
        if (!k->own_thread || nj == UM_ARRAY_LEN(jobs)) continue;
        sink_job *j = &jobs[nj++];
        *j = (sink_job){s, k, dir, UM_OK, 0, false, 0};
        j->started = pthread_create(&j->th, NULL, sink_main, j) == 0;
    }
    for (size_t i = 0; i < um_sink_count() && st == UM_OK; i++) {
        const um_sink *k = um_sink_at(i);
        bool threaded = false;
        for (size_t j = 0; j < nj; j++) threaded |= jobs[j].sink == k && jobs[j].started;
        if (threaded) continue;
        if (um_scan_cancelled(s)) st = um_scan_cancel_status(s);
        else st = sink_here(s, k, dir, cpu);
    }
    if (st != UM_OK) atomic_store(&s->sinks_failed, 1); /* the threaded sinks stop at their next check */
    for (size_t j = 0; j < nj; j++) {
        if (!jobs[j].started) continue;
        pthread_join(jobs[j].th, NULL);
        cpu[1] += jobs[j].cpu_s;
        if (st == UM_OK) st = jobs[j].st;
    }
    atomic_store(&s->sinks_failed, 0);
    s->stats.sinks_cpu_s = cpu[0];
    s->stats.casedb_cpu_s = cpu[1];
    return st;
}

um_status um_scan_write_outputs(um_scan *s, const char *dir) {
    if (!s->rank) {
        um_scan_set_error(s, "scan has not run");
        return UM_EINVAL;
    }
    double t0 = um_now_s();
    const um_os *os = um_os_get();
    char *parent = NULL, *base = NULL, *stage = NULL, *old = NULL;
    um_status st = um_scan_lock_output(s, dir, false);
    if (st != UM_OK) return st;
    if (!split_dir(dir, &parent, &base)) {
        um_scan_set_error(s, "%s: not usable as an output folder", dir);
        return UM_EINVAL;
    }
    if (asprintf(&stage, "%s/.%s.tmp.%ld", parent, base, (long)getpid()) < 0) stage = NULL;
    if (asprintf(&old, "%s/.%s.old.%ld", parent, base, (long)getpid()) < 0) old = NULL;
    char *target = NULL;
    if (asprintf(&target, "%s/%s", parent, base) < 0) target = NULL;
    if (!stage || !old || !target) {
        st = UM_ENOMEM;
        goto out;
    }
    remove_dead_sets(s, parent, base);
    struct stat tst;
    bool exists = stat(target, &tst) == 0;
    if (exists && !S_ISDIR(tst.st_mode)) {
        um_scan_set_error(s, "%s exists and is not a folder", dir);
        st = UM_EIO;
        goto out;
    }
    if (exists) os->remove_stale_temps(os->ud, target); /* temporaries of older versions */
    if (os->mkdir(os->ud, stage) != 0) {
        um_scan_set_error(s, "cannot create %s: %s", stage, strerror(errno));
        st = UM_EIO;
        goto out;
    }
    double ts = um_now_s();
    st = run_sinks(s, stage);
    s->stats.sinks_s = um_now_s() - ts;
    if (st == UM_OK) st = um_journal_publish(s, stage, target);
    if (st == UM_OK && exists) st = carry_over(s, target, stage);
    if (st == UM_OK && os->sync_dir(os->ud, stage) != 0) {
        um_scan_set_error(s, "cannot write %s: %s", stage, strerror(errno));
        st = UM_EIO;
    }
    if (st == UM_OK && um_scan_cancelled(s)) st = um_scan_cancel_status(s);
    if (st != UM_OK) goto out;
    /* the publish step */
    if (!exists) {
        if (os->rename(os->ud, stage, target) != 0) {
            um_scan_set_error(s, "cannot create %s: %s", dir, strerror(errno));
            st = UM_EIO;
        }
    } else if (os->exchange(os->ud, stage, target) == 0) {
        os->remove_tree(os->ud, stage); /* now the previous set */
    } else if (errno == EINVAL || errno == ENOSYS || errno == ENOTSUP) {
        /* no RENAME_EXCHANGE here: the folder is briefly absent, never mixed */
        if (os->rename(os->ud, target, old) != 0 || os->rename(os->ud, stage, target) != 0) {
            int e = errno;
            if (stat(target, &tst) != 0) os->rename(os->ud, old, target); /* put the old set back */
            um_scan_set_error(s, "cannot replace %s: %s", dir, strerror(e));
            st = UM_EIO;
        } else {
            os->remove_tree(os->ud, old);
        }
    } else {
        um_scan_set_error(s, "cannot replace %s: %s", dir, strerror(errno));
        st = UM_EIO;
    }
    if (st == UM_OK) os->sync_dir(os->ud, parent);
out:
    if (stage && st != UM_OK) os->remove_tree(os->ud, stage);
    free(stage), free(old), free(target);
    um_free(parent), um_free(base);
    s->t_write = um_now_s() - t0;
    return st;
}
