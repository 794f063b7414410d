/*
 * ioc.c - published DPRK IT-worker indicator lists, one CSV per type in data/ioc.
 *
 * Every CSV has the header type,value,first_reported,source_url,
 * source_repo_path_commit,note. Values are canonicalised by type so that a
 * lookup with a canonical value (as subjects.c stores them) is an exact hash
 * lookup on "type\x1fvalue". Wallet rows are also indexed under the
 * chain-agnostic type "wallet".
 *
 * A row is "sanctioned" (IOC-01) when its source_repo_path_commit names the
 * OFAC SDN file, or, for rows without a repository path, when its
 * source_url is an OFAC / Treasury page. Rows by OSINT researchers that
 * merely cite a Treasury press release (on-chain tracing after a
 * designation) stay IOC-02: they are not themselves on the SDN list.
 *
 * Corrupt rows are skipped and counted; each file with skipped rows gives
 * one context warning.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "../core/internal.h"
#include "../util/csv.h"

struct um_ioc {
    um_arena arena;
    um_map index; /* "type\x1fvalue" -> um_ioc_hit* */
    size_t n;     /* rows loaded */
};

static bool has_word_ci(const char *s, const char *w) { return s && um_strstr_ci(s, w) != NULL; }

static bool is_sanctioned(const char *url, const char *repo) {
    bool repo_given = repo && *repo && !um_starts_with_ci(repo, "n/a");
    if (repo_given) return has_word_ci(repo, "ofac") || has_word_ci(repo, "sdn");
    return has_word_ci(url, "ofac") || has_word_ci(url, "sdn") || has_word_ci(url, "treasury.gov");
}

/* Canonical value of a list row by type; NULL when the value is not valid. */
static char *canon_by_type(um_arena *a, const char *type, const char *v) {
    if (um_starts_with_ci(type, "wallet")) return um_canon_wallet(a, v);
    if (um_streq_ci(type, "email")) return um_canon_email(a, v);
    if (um_streq_ci(type, "phone")) return um_canon_phone(a, v);
    if (um_streq_ci(type, "github") || um_streq_ci(type, "telegram") || um_streq_ci(type, "linkedin") ||
        um_streq_ci(type, "x_twitter") || um_streq_ci(type, "npm_user"))
        return um_canon_handle(a, v);
    /* ip, cidr, asn, domain, persona, front company, sanctioned party, usb:
     * kept verbatim (lower-case, trimmed) so exact lookups of their type work */
    char *d = um_lower_trim(a, v, strlen(v));
    return d && *d ? d : NULL;
}

static um_status put(um_ioc *ioc, const char *type, const um_ioc_hit *h) {
    char key[1024];
    int n = snprintf(key, sizeof key, "%s\x1f%s", type, h->value);
    if (n < 0 || (size_t)n >= sizeof key) return UM_OK; /* absurdly long: never matches anyway */
    bool created;
    um_map_slot *sl = um_map_upsert(&ioc->index, key, (size_t)n, &created);
    if (!sl) return UM_ENOMEM;
    const um_ioc_hit *old = sl->val;
    /* first row wins, except that a sanctioned row replaces an OSINT one */
    if (created || (!old->sanctioned && h->sanctioned)) sl->val = (void *)h;
    return UM_OK;
}

static um_status add_row(um_ioc *ioc, const char *const *f, bool *bad) {
    *bad = false;
    char *type = um_lower_trim(&ioc->arena, f[0], strlen(f[0]));
    if (!type) return UM_ENOMEM;
    if (!*type || !*f[1]) {
        *bad = true;
        return UM_OK;
    }
    char *val = canon_by_type(&ioc->arena, type, f[1]);
    if (!val) {
        *bad = true;
        return UM_OK;
    }
    um_ioc_hit *h = um_arena_alloc(&ioc->arena, sizeof *h);
    if (!h) return UM_ENOMEM;
    h->type = type;
    h->value = val;
    h->source = um_arena_strdup(&ioc->arena, *f[3] ? f[3] : f[4]);
    h->note = um_arena_strdup(&ioc->arena, f[5]);
    h->sanctioned = is_sanctioned(f[3], f[4]);
    if (!h->source || !h->note) return UM_ENOMEM;
    um_status st = put(ioc, type, h);
    if (st == UM_OK && strncmp(type, "wallet_", 7) == 0) st = put(ioc, "wallet", h);
    if (st == UM_OK) ioc->n++;
    return st;
}

static um_status load_file(um_notes *warn, um_ioc *ioc, const char *path, const char *name) {
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        um_notes_add(warn, "indicator list %s could not be opened; skipped", name);
        return UM_OK;
    }
    um_csv c;
    um_csv_init(&c, fp, ',');
    size_t nf;
    const char *why;
    uint64_t skipped = 0, first_bad = 0;
    um_status st = UM_OK;
    bool header = false;
    um_csv_res r;
    while ((r = um_csv_next(&c, &nf, &why)) != UM_CSV_EOF) {
        if (!header) {
            header = true;
            if (r != UM_CSV_RECORD || nf < 6 || !um_streq_ci(c.fields[0], "type") ||
                !um_streq_ci(c.fields[1], "value")) {
                um_notes_add(warn, "indicator list %s: header is not "
                                        "type,value,first_reported,source_url,source_repo_path_commit,note; "
                                        "file skipped", name);
                break;
            }
            continue;
        }
        bool bad = r != UM_CSV_RECORD || nf != 6;
        for (size_t i = 0; !bad && i < nf; i++)
            if (!um_utf8_valid(c.fields[i], c.lens[i])) bad = true;
        if (!bad) {
            st = add_row(ioc, c.fields, &bad);
            if (st != UM_OK) break;
        }
        if (bad) {
            if (!skipped) first_bad = c.line;
            skipped++;
        }
    }
    if (st == UM_OK && skipped)
        um_notes_add(warn, "indicator list %s: %llu corrupt row(s) skipped (first at line %llu)", name,
                           (unsigned long long)skipped, (unsigned long long)first_bad);
    um_csv_free(&c);
    fclose(fp);
    return st;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

um_status um_ioc_open(um_ioc **out, const char *data_dir, um_notes *warn) {
    um_ioc *ioc = um_calloc(1, sizeof *ioc);
    *out = ioc;
    if (!ioc) return UM_ENOMEM;
    um_arena_init(&ioc->arena);
    um_map_init(&ioc->index);
    if (!data_dir) return UM_OK;
    char *dir = um_arena_printf(&ioc->arena, "%s/ioc", data_dir);
    if (!dir) return UM_ENOMEM;
    DIR *d = opendir(dir);
    if (!d) {
        um_notes_add(warn, "no indicator lists (%s not found): IOC-01/IOC-02 checks are off", dir);
        return UM_OK;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    um_status st = UM_OK;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 5 || e->d_name[0] == '.' || strcmp(e->d_name + len - 4, ".csv") != 0) continue;
        char *copy = um_arena_strdup(&ioc->arena, e->d_name);
        if (!copy || !um_grow((void **)&names, &cap, n + 1, sizeof *names)) {
            st = UM_ENOMEM;
            break;
        }
        names[n++] = copy;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_str); /* deterministic: first row wins */
    for (size_t i = 0; i < n && st == UM_OK; i++) {
        char *path = um_arena_printf(&ioc->arena, "%s/%s", dir, names[i]);
        st = path ? load_file(warn, ioc, path, names[i]) : UM_ENOMEM;
    }
    um_free(names);
    return st;
}

void um_ioc_close(um_ioc *ioc) {
    if (!ioc) return;
    um_map_free(&ioc->index);
    um_arena_free(&ioc->arena);
    um_free(ioc);
}

const um_ioc_hit *um_ioc_lookup(const um_ioc *ioc, const char *type, const char *value) {
    if (!ioc || !type || !value || !*value) return NULL;
    char key[1024];
    int n = snprintf(key, sizeof key, "%s\x1f%s", type, value);
    if (n < 0 || (size_t)n >= sizeof key) return NULL;
    return um_map_get(&ioc->index, key, (size_t)n);
}

size_t um_ioc_count(const um_ioc *ioc) { return ioc ? ioc->n : 0; }
