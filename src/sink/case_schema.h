/*
 * case_schema.h - what the case.db writer (sink/sqlite.c) and its readers
 * (report/case.c, report/api.c) agree on beyond the table definitions.
 *
 * identifier_kinds numbers the kinds of identifier_rows: the kinds that tie
 * two claimed people together (UM_CASE_LINK_KINDS, in this order) are
 * 1..UM_CASE_LINK_KIND_MAX, every other attribute comes after them. Only the
 * linking kinds are indexed by value (the partial index identifier_rows_value
 * WHERE kind <= UM_CASE_LINK_KIND_MAX): a query that looks up a shared value
 * names `kind <= 12` on identifier_rows to use it.
 */
#ifndef UM_CASE_SCHEMA_H
#define UM_CASE_SCHEMA_H

#define UM_CASE_LINK_KINDS                                                                              \
    "phone", "email", "address", "payout_account", "payout_name", "wallet", "device_serial", "ship_address", \
        "github", "linkedin", "telegram", "git_email"
#define UM_CASE_LINK_KINDS_SQL                                                                            \
    "'phone','email','address','payout_account','payout_name','wallet','device_serial','ship_address','github'," \
    "'linkedin','telegram','git_email'"
#define UM_CASE_LINK_KIND_MAX 12
#define UM_CASE_STR_(x) #x
#define UM_CASE_STR(x) UM_CASE_STR_(x)
#define UM_CASE_LINK_KIND_MAX_SQL UM_CASE_STR(UM_CASE_LINK_KIND_MAX)

/* meta `content_hash`: how inputs.hash was taken (core/journal.c, um_thash:
 * XXH3 of 64 KiB blocks, then of their digests). A case without the row
 * holds XXH3 of each file's bytes as one sequence; `--add` checks it so. */
#define UM_CASE_HASH_DEF "xxh3-64k-blocks"

#endif
