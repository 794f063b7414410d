/*
 * signin.h - shared parts of the identity-provider sign-in readers (Okta
 * System Log in read/okta.c, Entra ID sign-in logs in read/entra.c):
 *
 *   - um_signin_read_json(): the JSON framing both readers use. It accepts
 *     JSON lines (one record per line), a JSON array of records (compact or
 *     pretty-printed over many lines, streamed element by element so a bad
 *     element costs only itself), pretty-printed objects one after another,
 *     and the Microsoft Graph page wrapper {"value":[...]}.
 *   - the per-record field mappers, exposed so tests can check every field
 *     on parsed JSON directly.
 *
 * Internal to libunmask.
 */
#ifndef UM_READ_SIGNIN_H
#define UM_READ_SIGNIN_H

#include "../core/internal.h"
#include "../util/json.h"

/* Longest account name a sign-in record may carry. */
#define UM_SIGNIN_MAX_USER 512

/* Messages from a mapper: why is set when the record is unusable, warn
 * (possibly empty) when it is usable but has something worth telling. */
typedef struct um_signin_msg {
    char why[200];
    char warn[200];
} um_signin_msg;

/* Called once per record. line is the 1-based line the record starts on;
 * pos is its place in the file ("event[3]", "value[0]") or NULL for a JSON
 * line (the line number identifies it). rec is valid during the call only. */
typedef um_status (*um_signin_rec_fn)(um_reader_ctx *rc, void *ud, um_jval rec, uint64_t line,
                                      const char *pos);

/* Reads f in any of the framings above, calling fn for each record. Bad
 * framing (truncated or invalid JSON, NUL bytes, invalid UTF-8, over-long
 * records) becomes um_reject; an empty file a warning. Returns UM_OK unless
 * memory ran out or fn failed. */
um_status um_signin_read_json(um_reader_ctx *rc, FILE *f, um_signin_rec_fn fn, void *ud);

/* Field mappers. Each fills ev (already um_event_init'ed; strings point
 * into rec's parser memory) and returns 1 for a sign-in event, 0 for a
 * record of another type (not an error: the caller counts it as skipped)
 * and -1 for an unusable record (msg->why says why). src_line is not set. */
/* Reads a whole sign-in log, mapping each record with map (> 0 event,
 * 0 skipped, < 0 rejected with msg.why). Skipped records are counted in one
 * warning, skipped_fmt with a %llu for the count. */
typedef int (*um_signin_map_fn)(um_jval rec, um_event *ev, um_signin_msg *msg);
/* Each sign-in event also carries the whole record, flattened to dotted
 * names ("client.ipAddress"; Entra without its "properties." prefix, so
 * "ipAddress", "status.errorCode"), with _unmask_category = category
 * (um_signin_category): what Sigma rules with logsource product
 * okta / azure signinlogs match (arrays and nulls are left out). */
um_status um_signin_read(um_reader_ctx *rc, FILE *f, um_signin_map_fn map, const char *skipped_fmt);
/* The Sigma category a mapper's records are presented as: "okta" for
 * um_okta_map, "azure_signinlogs" for um_entra_map. */
const char *um_signin_category(um_signin_map_fn map);

/* The flattening on its own (the rules CLI, src/sigma/input.c): bag is
 * reset and filled with rec's scalars under dotted names plus
 * _unmask_category; names and number texts go into pool (pool_cap bytes,
 * UM_SIGNIN_POOL is enough for any record; what does not fit is left out).
 * bag and pool must outlive the use of the bag; rec's strings are borrowed. */
#define UM_SIGNIN_POOL (64 * 1024)
struct um_winfields;
void um_signin_flatten(um_jval rec, const char *category, struct um_winfields *bag, char *pool, size_t pool_cap);

/* Split reading (src/core/partition.h): a file whose first bytes show JSON
 * lines may be read in parts; each part's tallies (um_signin_sum) are
 * merged, and part_finish says the end-of-file warnings of a whole read. */
typedef struct um_signin_sum {
    uint64_t records, skipped;
} um_signin_sum;
bool um_signin_splittable(const char *head, size_t n);
void um_signin_part_merge(void *into, const void *part);
/* Any two counters are a valid summary (from another machine). */
bool um_signin_part_valid(const void *summary);
void um_signin_part_finish(um_reader_ctx *rc, const void *merged, const char *skipped_fmt);

int um_okta_map(um_jval rec, um_event *ev, um_signin_msg *msg);
int um_entra_map(um_jval rec, um_event *ev, um_signin_msg *msg);

/* ---- helpers shared by the mappers ---- */

/* The log's own coordinates of the client address (Okta geolocation.lat/lon,
 * Entra geoCoordinates.latitude/longitude): sets ev->lat/lon/has_geo when
 * both are numbers in range; a value out of range or not a number is a
 * warning and no geolocation. Both absent or null: nothing. */
void um_signin_geo(um_signin_msg *msg, um_jval lat, um_jval lon, um_event *ev);

/* Field access that notices duplicate keys and wrong types. */
typedef struct um_sf {
    um_jval root;
    um_signin_msg *msg;
    bool bad; /* a duplicate key or bad value was met; msg->why says which */
    /* um_sf_list: the members of one object (listed, in document order,
     * borrowed from the caller), so the paths read from it find their first
     * key in the list instead of walking the object once per path. NULL
     * (the zero value): every path walks. */
    const um_jmember *lm;
    size_t ln;
    um_jval lobj;
} um_sf;

/* Lists obj's members into m[max] for the paths later read from obj (a
 * record's root: ~15 paths each). Same answers, duplicates counted the same;
 * an object of more than max members is not listed (its paths walk). */
void um_sf_list(um_sf *sf, um_jval obj, um_jmember *m, size_t max);
#define UM_SF_LIST_MAX 96

/* Value at a dotted path of root (missing when absent); a duplicate key on
 * the way marks sf bad. */
um_jval um_sf_get(um_sf *sf, um_jval from, const char *path);
/* String at path, NULL when absent or null. A non-string value, or a string
 * with a NUL character or invalid UTF-8, marks sf bad. */
const char *um_sf_str(um_sf *sf, um_jval from, const char *path);
/* Formats msg->why (first problem wins) and marks sf bad. */
void um_sf_fail(um_sf *sf, const char *fmt, ...) UM_PRINTF(2, 3);
/* Appends to msg->warn ("; " between). */
void um_signin_warn(um_signin_msg *msg, const char *fmt, ...) UM_PRINTF(2, 3);
/* Parses a strict ISO 8601 time at path into *us; false (sf bad) on a bad
 * or missing value when required. Returns whether a time was set. */
bool um_sf_time(um_sf *sf, um_jval from, const char *path, bool required, int64_t *us);
/* Country text to ISO2 (warns when unknown). */
const char *um_signin_country(um_signin_msg *msg, const char *text);
/* ASN from a number or numeric string; 0 (and a warning) when out of range. */
uint32_t um_signin_asn(um_signin_msg *msg, um_jval v, const char *what);

#endif
