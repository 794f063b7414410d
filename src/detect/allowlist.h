/*
 * allowlist.h - the company's software allowlist (catalogue), read as an
 * input: a CSV with a header naming at least `product` and `approved`, and
 * optionally `scope` (other columns are ignored):
 *
 *   product,approved,scope
 *   NinjaOne,yes,*
 *   TeamViewer,yes,role:IT
 *   AnyDesk,no,
 *
 * product  the tool as the rules name it (`unmask_tool`), case-insensitive;
 * approved yes/true/1/approved or no/false/0/banned;
 * scope    empty or `*`: everyone; `role:TEXT` / `department:TEXT`: people
 *          whose role (HR `role` column) contains TEXT (case-insensitive);
 *          `host:GLOB`: computers whose name matches GLOB (`*` wildcards);
 *          several scopes separated by `;` (any of them).
 *
 * Decision for (tool, person): an approved row whose scope fits -> approved;
 * a `no` row whose scope fits -> banned; rows for the tool but none fits ->
 * not approved for this person (flagged, saying where it is approved);
 * no row -> unlisted (the --approved-rmm setting decides).
 *
 * Ownership: the allowlist owns its strings; immutable after loading.
 */
#ifndef UM_ALLOWLIST_H
#define UM_ALLOWLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "../../include/unmask.h"

typedef struct um_allowlist um_allowlist;

typedef enum um_allow {
    UM_ALLOW_UNLISTED = 0,
    UM_ALLOW_APPROVED,
    UM_ALLOW_NOT_IN_SCOPE, /* approved elsewhere (scope says where) */
    UM_ALLOW_BANNED
} um_allow;

/* Loads path. Bad rows are skipped and counted in *bad (first at *bad_line).
 * err gets a message on failure (UM_EIO, UM_EPARSE when the header lacks
 * product/approved). */
um_status um_allowlist_load(const char *path, um_allowlist **out, size_t *bad, size_t *bad_line,
                            char *err, size_t errlen);
void um_allowlist_free(um_allowlist *al);
size_t um_allowlist_count(const um_allowlist *al);

/* roles: the person's role/department values (may be NULL/0); host may be
 * NULL. *scope_out (may be NULL) gets the scope text of the deciding row
 * (for NOT_IN_SCOPE: the scopes where the tool is approved). */
um_allow um_allowlist_check(const um_allowlist *al, const char *tool, const char *const *roles, size_t nroles,
                            const char *host, const char **scope_out);

#endif
