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
#include "screen_int.h"

static const struct {
    const char *file, *sub; /* name in from_dir, folder under sanctions/ */
} known[] = {{"sdn.csv", "ofac"},           {"alt.csv", "ofac"},          {"add.csv", "ofac"},
             {"sdn_comments.csv", "ofac"},  {"cons_prim.csv", "ofac"},    {"cons_alt.csv", "ofac"},
             {"cons_add.csv", "ofac"},      {"cons_comments.csv", "ofac"}, {"consolidated.xml", "un"},
             {"fsf.xml", "eu"}};
static const char *const subs[] = {"ofac", "un", "eu"};

static void rep(char *r, size_t cap, const char *fmt, ...) UM_PRINTF(3, 4);
static void rep(char *r, size_t cap, const char *fmt, ...) {
    size_t n = strlen(r);
    if (n + 1 >= cap) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r + n, cap - n, fmt, ap);
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

typedef struct counts {
    size_t n[4]; /* OFAC SDN, OFAC Consolidated, UN, EU */
    bool malformed;
    char first_warning[300];
} counts;

static int list_index(const char *list) {
    return !strcmp(list, "OFAC SDN") ? 0 : !strcmp(list, "OFAC Consolidated") ? 1 : !strcmp(list, "UN") ? 2 : 3;
}

static const char *const list_names[4] = {"OFAC SDN", "OFAC Consolidated", "UN", "EU"};

/* loads the lists under root (ofac/, un/consolidated.xml, eu/fsf.xml) */
static um_status count_lists(const char *root, counts *c) {
    memset(c, 0, sizeof *c);
    char ofac[4096], un[4096], eu[4096];
    snprintf(ofac, sizeof ofac, "%s/ofac", root);
    snprintf(un, sizeof un, "%s/un/consolidated.xml", root);
    snprintf(eu, sizeof eu, "%s/eu/fsf.xml", root);
    um_sc_lists L;
    char err[512];
    um_status st = um_sc_lists_load(&L, ofac, un, eu, NULL, err, sizeof err);
    if (st == UM_OK || st == UM_ENOTFOUND) {
        for (size_t i = 0; i < L.n_e; i++) c->n[list_index(L.e[i].list)]++;
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
    snprintf(path, sizeof path, "%s/lists.tsv", sanc);
    snprintf(tmp, sizeof tmp, "%s/.lists.tsv.%ld", sanc, (long)getpid());
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
            fprintf(out, "%s/%s\t%s\tinstalled by unmask data update from %.300s\n", known[k].sub, known[k].file, today,
                    from_dir);
    bool ok = fflush(out) == 0 && fsync(fileno(out)) == 0;
    if (fclose(out) != 0) ok = false;
    if (ok && rename(tmp, path) != 0) ok = false;
    if (!ok) unlink(tmp);
    return ok;
}

um_status um_lists_update(const um_lists_update_options *o, char *report, size_t cap) {
    if (!o || !o->from_dir || !report || !cap) return UM_EINVAL;
    *report = 0;
    char dd[3800];
    if (o->data_dir) {
        snprintf(dd, sizeof dd, "%s", o->data_dir);
    } else { /* the data folder a context would use */
        um_ctx *ctx = NULL;
        um_ctx_options co = {0};
        if (um_ctx_open(&ctx, &co) != UM_OK) {
            rep(report, cap, "%s\n", um_ctx_errmsg(ctx));
            um_ctx_close(ctx);
            return UM_ENOTFOUND;
        }
        snprintf(dd, sizeof dd, "%s", um_ctx_data_dir(ctx));
        um_ctx_close(ctx);
    }
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
        snprintf(p, sizeof p, "%s/%s", o->from_dir, known[k].file);
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
    if (st == UM_OK && !n_new) {
        rep(report, cap, "no list file in %s (expected sdn.csv, alt.csv, add.csv, sdn_comments.csv, cons_*.csv, "
                         "consolidated.xml, fsf.xml)\n",
            o->from_dir);
        st = UM_ENOTFOUND;
    }
    counts before, after;
    if (st == UM_OK) st = count_lists(sanc, &before);
    if (st == UM_OK) st = count_lists(stage, &after);
    for (int l = 0; l < 4 && st == UM_OK; l++) {
        if (!before.n[l] && !after.n[l]) continue;
        rep(report, cap, "%s: %zu entries (was %zu)\n", list_names[l], after.n[l], before.n[l]);
        if (before.n[l] && (double)after.n[l] < (1.0 - max_drop) * (double)before.n[l] && !o->force) {
            rep(report, cap, "refused: %s would lose %.0f%% of its entries (more than %.0f%%); --force installs it "
                             "anyway\n",
                list_names[l], 100.0 * (1.0 - (double)after.n[l] / (double)before.n[l]), 100.0 * max_drop);
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
    if (st == UM_OK && !write_dates(sanc, installed, o->from_dir)) {
        rep(report, cap, "lists installed, but %s/lists.tsv could not be rewritten: dates may be stale\n", sanc);
    }
    if (st == UM_OK) rep(report, cap, "installed %zu file(s) into %s\n", n_new, sanc);
    rm_tree(stage);
    return st;
}
