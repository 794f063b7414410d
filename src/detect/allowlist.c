/*
 * allowlist.c - the company software allowlist (see allowlist.h).
 */
#include "allowlist.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../util/csv.h"
#include "../util/util.h"
#include "../util/ascii.h"

typedef struct al_row {
    const char *product;
    bool approved;
    const char *scope; /* "" = everyone */
} al_row;

struct um_allowlist {
    um_arena arena;
    al_row *rows;
    size_t n, cap;
};

static int col(const um_csv *c, size_t nf, const char *name) {
    for (size_t i = 0; i < nf; i++) {
        char *t = um_strdup(c->fields[i]);
        bool eq = t && um_streq_ci(um_trim(t), name);
        um_free(t);
        if (eq) return (int)i;
    }
    return -1;
}

static int yesno(const char *s) {
    static const char *const yes[] = {"yes", "y", "true", "1", "approved", "allowed"};
    static const char *const no[] = {"no", "n", "false", "0", "banned", "denied", "not approved"};
    for (size_t i = 0; i < UM_ARRAY_LEN(yes); i++)
        if (um_streq_ci(s, yes[i])) return 1;
    for (size_t i = 0; i < UM_ARRAY_LEN(no); i++)
        if (um_streq_ci(s, no[i])) return 0;
    return -1;
}

um_status um_allowlist_load(const char *path, um_allowlist **out, size_t *bad, size_t *bad_line, char *err,
                            size_t errlen) {
    *out = NULL;
    *bad = 0;
    *bad_line = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return UM_EIO;
    }
    char head[4096];
    size_t hn = fread(head, 1, sizeof head, f);
    rewind(f);
    um_allowlist *al = um_calloc(1, sizeof *al);
    if (!al) {
        fclose(f);
        return UM_ENOMEM;
    }
    um_arena_init(&al->arena);
    um_csv c;
    um_csv_init(&c, f, um_csv_sniff_sep(head, hn));
    size_t nf = 0;
    const char *why = NULL;
    int cp = -1, ca = -1, cs = -1;
    um_status st = UM_OK;
    if (um_csv_next(&c, &nf, &why) != UM_CSV_RECORD || (cp = col(&c, nf, "product")) < 0 ||
        (ca = col(&c, nf, "approved")) < 0) {
        snprintf(err, errlen, "%s: the header needs the columns product and approved (optional: scope)", path);
        st = UM_EPARSE;
        goto out;
    }
    cs = col(&c, nf, "scope");
    for (;;) {
        um_csv_res r = um_csv_next(&c, &nf, &why);
        if (r == UM_CSV_EOF) break;
        int a = -1;
        char *prod = NULL, *scope = NULL;
        if (r == UM_CSV_RECORD && (size_t)cp < nf && (size_t)ca < nf) {
            char *p = um_arena_strdup(&al->arena, c.fields[cp]);
            char *ap = um_arena_strdup(&al->arena, c.fields[ca]);
            prod = p ? um_trim(p) : NULL;
            a = ap ? yesno(um_trim(ap)) : -1;
            char *sc = cs >= 0 && (size_t)cs < nf ? um_arena_strdup(&al->arena, c.fields[cs]) : NULL;
            scope = sc ? um_trim(sc) : (char *)"";
            if (scope && !strcmp(scope, "*")) scope = (char *)"";
        }
        if (!prod || !*prod || a < 0 || !scope) {
            if (!*bad) *bad_line = c.line;
            (*bad)++;
            continue;
        }
        if (!um_grow((void **)&al->rows, &al->cap, al->n + 1, sizeof *al->rows)) {
            st = UM_ENOMEM;
            goto out;
        }
        al->rows[al->n++] = (al_row){prod, a == 1, scope};
    }
out:
    um_csv_free(&c);
    fclose(f);
    if (st != UM_OK) {
        um_allowlist_free(al);
        return st;
    }
    *out = al;
    return UM_OK;
}

void um_allowlist_free(um_allowlist *al) {
    if (!al) return;
    um_free(al->rows);
    um_arena_free(&al->arena);
    um_free(al);
}

size_t um_allowlist_count(const um_allowlist *al) { return al ? al->n : 0; }

static bool has_ci(const char *hay, const char *needle, size_t nn) {
    if (!hay) return false;
    size_t hn = strlen(hay);
    for (size_t i = 0; i + nn <= hn; i++) {
        size_t k = 0;
        while (k < nn && um_ascii_tolower((unsigned char)hay[i + k]) == um_ascii_tolower((unsigned char)needle[k])) k++;
        if (k == nn) return true;
    }
    return false;
}


/* One scope item ("role:IT", "host:LT-*", "*"). */
static bool item_fits(const char *it, size_t n, const char *const *roles, size_t nroles, const char *host) {
    while (n && um_ascii_isspace((unsigned char)*it)) it++, n--;
    while (n && um_ascii_isspace((unsigned char)it[n - 1])) n--;
    if (n == 0 || (n == 1 && *it == '*')) return true;
    const char *colon = memchr(it, ':', n);
    if (!colon) return false;
    size_t kl = (size_t)(colon - it);
    const char *v = colon + 1;
    size_t vn = n - kl - 1;
    while (vn && um_ascii_isspace((unsigned char)*v)) v++, vn--;
    if (vn == 0) return false;
    if (um_strneq_ci(it, kl, "role") || um_strneq_ci(it, kl, "department") || um_strneq_ci(it, kl, "team")) {
        for (size_t i = 0; i < nroles; i++)
            if (has_ci(roles[i], v, vn)) return true;
        return false;
    }
    if (um_strneq_ci(it, kl, "host")) return host && um_glob(v, vn, host, true);
    return false;
}

static bool scope_fits(const char *scope, const char *const *roles, size_t nroles, const char *host) {
    if (!*scope) return true;
    const char *p = scope;
    for (;;) {
        const char *semi = strchr(p, ';');
        size_t n = semi ? (size_t)(semi - p) : strlen(p);
        if (item_fits(p, n, roles, nroles, host)) return true;
        if (!semi) return false;
        p = semi + 1;
    }
}

um_allow um_allowlist_check(const um_allowlist *al, const char *tool, const char *const *roles, size_t nroles,
                            const char *host, const char **scope_out) {
    if (scope_out) *scope_out = NULL;
    if (!al || !tool) return UM_ALLOW_UNLISTED;
    bool listed = false;
    const char *approved_scope = NULL;
    for (size_t i = 0; i < al->n; i++) {
        const al_row *r = &al->rows[i];
        if (!um_streq_ci(r->product, tool)) continue;
        listed = true;
        bool fits = scope_fits(r->scope, roles, nroles, host);
        if (fits && !r->approved) {
            if (scope_out) *scope_out = r->scope;
            return UM_ALLOW_BANNED;
        }
        if (fits && r->approved) {
            if (scope_out) *scope_out = r->scope;
            return UM_ALLOW_APPROVED;
        }
        if (r->approved && !approved_scope) approved_scope = r->scope;
    }
    if (!listed) return UM_ALLOW_UNLISTED;
    if (scope_out) *scope_out = approved_scope;
    return approved_scope ? UM_ALLOW_NOT_IN_SCOPE : UM_ALLOW_BANNED;
}
