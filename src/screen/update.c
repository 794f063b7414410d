/*
 * update.c - installs new copies of the sanctions lists into the data
 * folder (`unmask data update --from DIR`), checked before they replace
 * anything:
 *
 *   1. the known files found in from_dir (OFAC sdn.csv, alt.csv, add.csv,
 *      sdn_comments.csv, cons_*.csv; UN consolidated.xml; EU fsf.xml) are
 *      copied into a staging folder beside the lists (data/sanctions/
 *      .update-PID), over a copy of the current files, so an update of one
 *      file keeps the others;
 *   2. the staged lists are loaded with the screener's own loaders and
 *      compared with the current ones: a list that no longer loads, loses
 *      more than max_drop of its entries, has malformed rows, or a file that
 *      shrank by more than max_drop is refused (force: installed anyway);
 *   3. each list folder is swapped in with one rename (RENAME_EXCHANGE), so
 *      a reader sees the old folder or the new one; lists.tsv gets the
 *      install date of the new files (written aside, renamed over).
 *
 * A truncated or malformed file therefore never replaces good data. The
 * staging folder is removed on every path. Ownership: the caller owns
 * report; nothing else is kept.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../core/internal.h"
#include "../os/os.h"
#include "screen_int.h"
#include "../util/cfmt.h"

static const struct {
    const char *file, *sub; /* name in from_dir, folder under sanctions/ */
} known[] = {{"sdn.csv", "ofac"},           {"alt.csv", "ofac"},          {"add.csv", "ofac"},
             {"sdn_comments.csv", "ofac"},  {"cons_prim.csv", "ofac"},    {"cons_alt.csv", "ofac"},
             {"cons_add.csv", "ofac"},      {"cons_comments.csv", "ofac"}, {"sdn_advanced.xml", "ofac"},
             {"cons_advanced.xml", "ofac"}, {"consolidated.xml", "un"},    {"fsf.xml", "eu"},
             {"UK-Sanctions-List.xml", "uk"}};
static const char *const subs[] = {"ofac", "un", "eu", "uk"};

static void rep(char *r, size_t cap, const char *fmt, ...) UM_PRINTF(3, 4);
static void rep(char *r, size_t cap, const char *fmt, ...) {
    size_t n = strlen(r);
    if (n + 1 >= cap) return;
    va_list ap;
    va_start(ap, fmt);
    um_vsnprintf(r + n, cap - n, fmt, ap);
    va_end(ap);
}

static bool copy_file(const char *from, const char *to) {
    FILE *a = fopen(from, "rb");
    if (!a) return false;
    FILE *b = fopen(to, "wb");
    if (!b) {
        fclose(a);
        return false;
    }
    char buf[65536];
    size_t n;
    bool ok = true;
    while (ok && (n = fread(buf, 1, sizeof buf, a)) > 0) ok = fwrite(buf, 1, n, b) == n;
    ok = ok && !ferror(a);
    fclose(a);
    if (fflush(b) != 0 || fsync(fileno(b)) != 0) ok = false;
    if (fclose(b) != 0) ok = false;
    return ok;
}

/* removes a folder of plain files (the staging folder) */
static void rm_tree(const char *dir) {
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char p[4096];
        while ((e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            struct stat st;
            if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) rm_tree(p);
            else unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

static long long file_size(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 ? (long long)st.st_size : -1;
}

#define N_LISTS 5

typedef struct counts {
    size_t n[N_LISTS]; /* OFAC SDN, OFAC Consolidated, UN, EU, UK */
    char date[N_LISTS][11]; /* newest list date among the list's files ("" unknown) */
    bool malformed;
    char first_warning[300];
} counts;

static int list_index(const char *list) {
    return !strcmp(list, "OFAC SDN") ? 0 : !strcmp(list, "OFAC Consolidated") ? 1 : !strcmp(list, "UN") ? 2
           : !strcmp(list, "EU")     ? 3
                                     : 4;
}

static const char *const list_names[N_LISTS] = {"OFAC SDN", "OFAC Consolidated", "UN", "EU", "UK"};

/* loads the lists under root (ofac/, un/consolidated.xml, eu/fsf.xml,
 * uk/UK-Sanctions-List.xml); the dates are the publisher's where the file
 * has one (XML), else the file's modification time */
static um_status count_lists(const char *root, counts *c) {
    memset(c, 0, sizeof *c);
    char ofac[4096], un[4096], eu[4096], uk[4096];
    snprintf(ofac, sizeof ofac, "%s/ofac", root);
    snprintf(un, sizeof un, "%s/un/consolidated.xml", root);
    snprintf(eu, sizeof eu, "%s/eu/fsf.xml", root);
    snprintf(uk, sizeof uk, "%s/uk/UK-Sanctions-List.xml", root);
    um_sc_lists L;
    char err[512];
    um_sc_list_paths lp = {ofac, un, eu, uk, NULL};
    um_status st = um_sc_lists_load_paths(&L, &lp, err, sizeof err);
    if (st == UM_OK || st == UM_ENOTFOUND) {
        for (size_t i = 0; i < L.n_e; i++) c->n[list_index(L.e[i].list)]++;
        for (size_t i = 0; i < L.n_files; i++) {
            const um_sc_listfile *f = &L.files[i];
            char *d = c->date[list_index(f->list)];
            if (f->date && strlen(f->date) == 10 && strcmp(f->date, d) > 0) memcpy(d, f->date, 11);
        }
        for (size_t i = 0; i < L.n_warnings; i++) {
            const char *w = L.warnings[i];
            if (strstr(w, "malformed") || strstr(w, "not well-formed") || strstr(w, "is not a") ||
                strstr(w, "skipped (first")) {
                if (!c->malformed) snprintf(c->first_warning, sizeof c->first_warning, "%s", w);
                c->malformed = true;
            }
        }
        st = UM_OK;
    }
    um_sc_lists_free(&L);
    return st;
}

/* lists.tsv with today's date for the installed files (written aside, renamed) */
static bool write_dates(const char *sanc, const bool *installed, const char *from_dir) {
    char path[4096], tmp[4200];
    int np = snprintf(path, sizeof path, "%s/lists.tsv", sanc);
    int nt = snprintf(tmp, sizeof tmp, "%s/.lists.tsv.%ld", sanc, (long)getpid());
    if (np < 0 || (size_t)np >= sizeof path || nt < 0 || (size_t)nt >= sizeof tmp) return false; /* path too long */
    FILE *in = fopen(path, "rb"), *out = fopen(tmp, "wb");
    if (!out) {
        if (in) fclose(in);
        return false;
    }
    char today[16];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
    char line[1024];
    while (in && fgets(line, sizeof line, in)) {
        bool drop = false;
        for (size_t k = 0; k < UM_ARRAY_LEN(known) && !drop; k++) {
            char rel[128];
            int n = snprintf(rel, sizeof rel, "%s/%s\t", known[k].sub, known[k].file);
            drop = installed[k] && n > 0 && strncmp(line, rel, (size_t)n) == 0;
        }
        if (!drop) fputs(line, out);
    }
    if (in) fclose(in);
    for (size_t k = 0; k < UM_ARRAY_LEN(known); k++)
        if (installed[k])
            fprintf(out, "%s/%s\t%s\tinstalled by unmask data update from %.1100s\n", known[k].sub, known[k].file, today,
                    from_dir);
    bool ok = fflush(out) == 0 && fsync(fileno(out)) == 0;
    if (fclose(out) != 0) ok = false;
    if (ok && rename(tmp, path) != 0) ok = false;
    if (!ok) unlink(tmp);
    return ok;
}

/* Checks the list files in from_dir against the installed ones under
 * dd/sanctions and swaps them in (steps 1-3 at the top of this file). */
static um_status update_from(const char *dd, const char *from_dir, const char *origin, const um_lists_update_options *o,
                             char *report, size_t cap) {
    double max_drop = o->max_drop > 0 ? o->max_drop : 0.10;
    char sanc[4096], stage[4200], p[4400], q[4400];
    snprintf(sanc, sizeof sanc, "%s/sanctions", dd);
    snprintf(stage, sizeof stage, "%s/.update-%ld", sanc, (long)getpid());
    rm_tree(stage);
    if (mkdir(stage, 0755) != 0) {
        rep(report, cap, "cannot create %s: %s\n", stage, strerror(errno));
        return UM_EIO;
    }
    um_status st = UM_OK;
    bool installed[UM_ARRAY_LEN(known)] = {0};
    size_t n_new = 0;
    /* staging: the current files, then the new ones over them */
    for (size_t i = 0; i < UM_ARRAY_LEN(subs) && st == UM_OK; i++) {
        snprintf(p, sizeof p, "%s/%s", stage, subs[i]);
        if (mkdir(p, 0755) != 0) st = UM_EIO;
        snprintf(q, sizeof q, "%s/%s", sanc, subs[i]);
        DIR *d = opendir(q);
        struct dirent *e;
        while (st == UM_OK && d && (e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.') continue;
            char a[8800], b[8800];
            snprintf(a, sizeof a, "%s/%s", q, e->d_name);
            snprintf(b, sizeof b, "%s/%s", p, e->d_name);
            struct stat sb;
            if (stat(a, &sb) == 0 && S_ISREG(sb.st_mode) && !copy_file(a, b)) st = UM_EIO;
        }
        if (d) closedir(d);
    }
    for (size_t k = 0; k < UM_ARRAY_LEN(known) && st == UM_OK; k++) {
        snprintf(p, sizeof p, "%s/%s", from_dir, known[k].file);
        struct stat sb;
        if (stat(p, &sb) != 0 || !S_ISREG(sb.st_mode)) continue;
        snprintf(q, sizeof q, "%s/%s/%s", stage, known[k].sub, known[k].file);
        if (!copy_file(p, q)) {
            st = UM_EIO;
            break;
        }
        installed[k] = true;
        n_new++;
        /* a file that shrank by more than max_drop */
        char cur[4400];
        snprintf(cur, sizeof cur, "%s/%s/%s", sanc, known[k].sub, known[k].file);
        long long was = file_size(cur), now = (long long)sb.st_size;
        rep(report, cap, "%s: %lld bytes (was %lld)\n", known[k].file, now, was);
        if (was > 0 && (double)now < (1.0 - max_drop) * (double)was && !o->force) {
            rep(report, cap, "refused: %s is %.0f%% smaller than the installed copy (a truncated download?); "
                             "--force installs it anyway\n",
                known[k].file, 100.0 * (1.0 - (double)now / (double)was));
            st = UM_EPARSE;
        }
    }
    /* a new sdn.csv is the whole SDN list: the sdn_*.csv supplements beside
     * the old one (the bundled rows designated after it) would keep
     * delisted parties listed; they go (the entry-count check still sees
     * any loss) */
    if (st == UM_OK && installed[0]) {
        snprintf(p, sizeof p, "%s/ofac", stage);
        DIR *d = opendir(p);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            size_t len = strlen(e->d_name);
            if (strncmp(e->d_name, "sdn_", 4) != 0 || len < 8 || strcmp(e->d_name + len - 4, ".csv") != 0 ||
                !strcmp(e->d_name, "sdn_comments.csv"))
                continue;
            char f[8800];
            snprintf(f, sizeof f, "%s/%s", p, e->d_name);
            if (unlink(f) == 0) rep(report, cap, "%s removed: a supplement to the replaced sdn.csv\n", e->d_name);
        }
        if (d) closedir(d);
    }
    if (st == UM_OK && !n_new) {
        rep(report, cap, "no list file in %s (expected sdn.csv, alt.csv, add.csv, sdn_comments.csv, cons_*.csv, "
                         "sdn_advanced.xml, consolidated.xml, fsf.xml, UK-Sanctions-List.xml)\n",
            from_dir);
        st = UM_ENOTFOUND;
    }
    counts before, after;
    if (st == UM_OK) st = count_lists(sanc, &before);
    if (st == UM_OK) st = count_lists(stage, &after);
    for (int l = 0; l < N_LISTS && st == UM_OK; l++) {
        if (!before.n[l] && !after.n[l]) continue;
        rep(report, cap, "%s: %zu entries (was %zu)\n", list_names[l], after.n[l], before.n[l]);
        if (before.n[l] && (double)after.n[l] < (1.0 - max_drop) * (double)before.n[l] && !o->force) {
            rep(report, cap, "refused: %s would lose %.0f%% of its entries (more than %.0f%%); --force installs it "
                             "anyway\n",
                list_names[l], 100.0 * (1.0 - (double)after.n[l] / (double)before.n[l]), 100.0 * max_drop);
            st = UM_EPARSE;
        }
    }
    for (int l = 0; l < N_LISTS && st == UM_OK; l++) {
        /* a publication date older than the installed copy's: a stale mirror or a replayed file */
        if (*before.date[l] && *after.date[l] && strcmp(after.date[l], before.date[l]) < 0 && !o->force) {
            rep(report, cap, "refused: %s is dated %s, older than the installed copy (%s); --force installs it anyway\n",
                list_names[l], after.date[l], before.date[l]);
            st = UM_EPARSE;
        }
    }
    if (st == UM_OK && after.malformed && !before.malformed && !o->force) {
        rep(report, cap, "refused: %s; --force installs it anyway\n", after.first_warning);
        st = UM_EPARSE;
    }
    /* swap each list folder in with one rename */
    for (size_t i = 0; i < UM_ARRAY_LEN(subs) && st == UM_OK; i++) {
        bool touched = false;
        for (size_t k = 0; k < UM_ARRAY_LEN(known); k++) touched |= installed[k] && !strcmp(known[k].sub, subs[i]);
        if (!touched) continue;
        snprintf(p, sizeof p, "%s/%s", stage, subs[i]);
        snprintf(q, sizeof q, "%s/%s", sanc, subs[i]);
        struct stat sb;
        int rc = stat(q, &sb) == 0 ? renameat2(AT_FDCWD, p, AT_FDCWD, q, RENAME_EXCHANGE) : rename(p, q);
        if (rc != 0) {
            rep(report, cap, "cannot swap in %s: %s\n", q, strerror(errno));
            st = UM_EIO;
        }
    }
    if (st == UM_OK && !write_dates(sanc, installed, origin)) {
        rep(report, cap, "lists installed, but %s/lists.tsv could not be rewritten: dates may be stale\n", sanc);
    }
    if (st == UM_OK) rep(report, cap, "installed %zu file(s) into %s\n", n_new, sanc);
    rm_tree(stage);
    return st;
}

/* ---- fetching (unmask data update without --from) --------------------------- */

/* The sources file: one line per file, "SOURCE FILE URL" separated by
 * blanks; '#' starts a comment. SOURCE groups the files of one list (they
 * are checked and installed together: the four SDN CSV files); FILE must
 * be one of the known names above; URL is https:// (http:// only for a
 * loopback host, or with allow_http). */
typedef struct source_line {
    char src[64], file[64], url[1024];
} source_line;

static bool known_file(const char *f) {
    for (size_t k = 0; k < UM_ARRAY_LEN(known); k++)
        if (!strcmp(known[k].file, f)) return true;
    return false;
}

/* http:// to 127.0.0.0/8, localhost or [::1] */
static bool loopback_http(const char *url) {
    if (strncmp(url, "http://", 7) != 0) return false;
    const char *h = url + 7;
    size_t n = strcspn(h, ":/?#");
    if (*h == '[') return strncmp(h, "[::1]", 5) == 0;
    if (n == 9 && !strncmp(h, "localhost", 9)) return true;
    if (strncmp(h, "127.", 4) != 0) return false;
    for (size_t i = 4; i < n; i++)
        if (!(h[i] == '.' || (h[i] >= '0' && h[i] <= '9'))) return false;
    return true;
}

static um_status read_sources(const char *path, source_line **out, size_t *n, char *report, size_t cap) {
    *out = NULL;
    *n = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        rep(report, cap, "cannot read the sources file %s: %s\n", path, strerror(errno));
        return UM_ENOTFOUND;
    }
    char line[2048];
    size_t cap_l = 0, lineno = 0;
    um_status st = UM_OK;
    while (st == UM_OK && fgets(line, sizeof line, f)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        char a[64], b[64], c[1024], extra[2];
        int k = sscanf(line, "%63s %63s %1023s %1s", a, b, c, extra);
        if (k <= 0) continue;
        if (k != 3 || !known_file(b)) {
            rep(report, cap, "%s:%zu: expected \"SOURCE FILE URL\" with FILE one of the list files unmask reads\n", path,
                lineno);
            st = UM_EPARSE;
            break;
        }
        if (!um_grow((void **)out, &cap_l, *n + 1, sizeof **out)) {
            st = UM_ENOMEM;
            break;
        }
        source_line *s = &(*out)[(*n)++];
        snprintf(s->src, sizeof s->src, "%s", a);
        snprintf(s->file, sizeof s->file, "%s", b);
        snprintf(s->url, sizeof s->url, "%s", c);
    }
    fclose(f);
    if (st != UM_OK) {
        um_free(*out);
        *out = NULL;
        *n = 0;
    }
    return st;
}

static bool wanted(const char *only, const char *src) {
    if (!only || !*only) return true;
    size_t n = strlen(src);
    for (const char *p = only; *p;) {
        size_t k = strcspn(p, ",");
        if (k == n && !strncmp(p, src, n)) return true;
        p += k;
        if (*p == ',') p++;
    }
    return false;
}

static um_status fetch_all(const char *dd, const um_lists_update_options *o, char *report, size_t cap) {
    char conf[4096];
    if (o->sources) snprintf(conf, sizeof conf, "%s", o->sources);
    else snprintf(conf, sizeof conf, "%s/sanctions/sources.conf", dd);
    source_line *S;
    size_t n;
    um_status st = read_sources(conf, &S, &n, report, cap);
    if (st != UM_OK) return st;
    char dl[4200];
    snprintf(dl, sizeof dl, "%s/sanctions/.fetch-%ld", dd, (long)getpid());
    rm_tree(dl);
    if (mkdir(dl, 0700) != 0) {
        rep(report, cap, "cannot create %s: %s\n", dl, strerror(errno));
        um_free(S);
        return UM_EIO;
    }
    const um_os *os = um_os_get();
    um_os_fetch_opts fo = {o->proxy, o->timeout_s, o->connect_timeout_s, 0, o->max_bytes, false, "unmask data update"};
    size_t groups = 0, failed = 0;
    um_status worst = UM_OK;
    for (size_t i = 0; i < n; i++) {
        bool first = true;
        for (size_t j = 0; j < i && first; j++) first = strcmp(S[j].src, S[i].src) != 0;
        if (!first || !wanted(o->only, S[i].src)) continue;
        groups++;
        /* one folder per source: its files are checked and swapped in together */
        char gdir[4400];
        snprintf(gdir, sizeof gdir, "%s/%s", dl, S[i].src);
        um_status gst = mkdir(gdir, 0700) == 0 ? UM_OK : UM_EIO;
        for (size_t j = i; j < n && gst == UM_OK; j++) {
            if (strcmp(S[j].src, S[i].src) != 0) continue;
            const char *u = S[j].url;
            bool https = strncmp(u, "https://", 8) == 0, lo = loopback_http(u);
            if (!https && !lo && !(o->allow_http && strncmp(u, "http://", 7) == 0)) {
                rep(report, cap, "%s: refused %s: only https:// (http:// for a loopback host, or with --allow-http)\n",
                    S[i].src, u);
                gst = UM_EINVAL;
                break;
            }
            fo.allow_http = lo || o->allow_http;
            char path[4600], err[1400] = "";
            snprintf(path, sizeof path, "%s/%s", gdir, S[j].file);
            if (!os->fetch || os->fetch(os->ud, u, path, &fo, err, sizeof err) != 0) {
                rep(report, cap, "%s: download of %s failed: %s\n", S[i].src, S[j].file, *err ? err : "no fetch function");
                gst = UM_EIO;
            } else {
                rep(report, cap, "%s: fetched %s\n", S[i].src, u);
            }
        }
        if (gst == UM_OK) {
            rep(report, cap, "%s: checking\n", S[i].src);
            char origin[1200];
            snprintf(origin, sizeof origin, "%s (%.1000s)", S[i].src, S[i].url);
            gst = update_from(dd, gdir, origin, o, report, cap);
        }
        if (gst != UM_OK) {
            rep(report, cap, "%s: not installed; the installed copy is kept\n", S[i].src);
            failed++;
            worst = gst;
        }
    }
    rm_tree(dl);
    um_free(S);
    if (!groups) {
        rep(report, cap, "no source to fetch (%s%s%s)\n", conf, o->only ? ", --only " : "", o->only ? o->only : "");
        return UM_ENOTFOUND;
    }
    if (failed) rep(report, cap, "%zu of %zu source(s) not installed\n", failed, groups);
    return worst;
}

um_status um_lists_update(const um_lists_update_options *o, char *report, size_t cap) {
    if (!o || !report || !cap) return UM_EINVAL;
    *report = 0;
    char dd[3800];
    if (o->data_dir) {
        snprintf(dd, sizeof dd, "%s", o->data_dir);
    } else { /* the data folder a context would use */
        um_ctx *ctx = NULL;
        um_ctx_options co = {0};
        co.lazy = UM_CTX_LAZY_IPDB | UM_CTX_LAZY_IOC; /* its folder only */
        if (um_ctx_open(&ctx, &co) != UM_OK) {
            rep(report, cap, "%s\n", um_ctx_errmsg(ctx));
            um_ctx_close(ctx);
            return UM_ENOTFOUND;
        }
        snprintf(dd, sizeof dd, "%s", um_ctx_data_dir(ctx));
        um_ctx_close(ctx);
    }
    /* one update at a time per data folder: two would stage and swap over
     * each other (sanctions/.update.lock, flock, through the OS seam) */
    char lockp[4096];
    snprintf(lockp, sizeof lockp, "%s/sanctions/.update.lock", dd);
    const um_os *os = um_os_get();
    long holder = 0;
    int lk = os->lock(os->ud, lockp, false, &holder);
    if (lk < 0) {
        if (errno == EWOULDBLOCK)
            rep(report, cap, "another unmask data update (process %ld) is updating %s/sanctions; try again when it ends\n",
                holder, dd);
        else rep(report, cap, "cannot lock %s: %s\n", lockp, strerror(errno));
        return errno == EWOULDBLOCK ? UM_EBUSY : UM_EIO;
    }
    um_status st = o->from_dir ? update_from(dd, o->from_dir, o->from_dir, o, report, cap) : fetch_all(dd, o, report, cap);
    os->unlock(os->ud, lk);
    return st;
}
