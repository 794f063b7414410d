/*
 * sigma.h - the Sigma rule engine of libunmask: Sigma YAML rules (and Sigma v2
 * correlation rules) compiled once into an immutable um_sigma_db, matched
 * against events that callers present as a list of borrowed (name, value)
 * views.
 *
 *   um_sigma_compiler  collects rule files; refused rules are kept with file,
 *                      line and the feature that is not supported.
 *   um_sigma_db        compiled, immutable: vectorscan databases for string
 *                      tests, hash sets for exact values, condition trees.
 *                      Any number of threads may match against one db.
 *   um_sigma_scratch   per-thread (per-scan) mutable state for matching.
 *   um_sigma_corr      per-scan state of the correlation rules (bounded).
 *
 * Reading (as SigmaHQ's pySigma reads rules): YAML 1.1 scalars (an unquoted
 * `00000429` stays the string "00000429", `0123` is the integer 83, `true`,
 * `yes`, `on` are booleans, `~`/`null`/empty are null); numbers and booleans
 * match the event's text of them ("4688", "true"); string matching is ASCII
 * case-insensitive unless `|cased`.
 *
 * Events: field names are the Windows event names as the readers give them
 * (EventData names, plus System names "EventID", "Channel", "Provider" /
 * "Provider_Name", "Computer", "EventRecordID"; Winlogbeat prefixes
 * `winlog.event_data.` / `winlog.` are stripped; NXLog aliases "Hostname",
 * "SourceName" accepted). Security 4688 is presented to process_creation
 * rules with Sysmon names (NewProcessName -> Image, ParentProcessName ->
 * ParentImage, NewProcessId -> ProcessId, ProcessId -> ParentProcessId,
 * SubjectUserName -> User).
 *
 * Ownership: the compiler copies what it keeps; a db owns everything it
 * hands out (rule info strings) until um_sigma_db_free(). Event views are
 * borrowed for the duration of the call; hit fields point into them.
 */
#ifndef UM_SIGMA_H
#define UM_SIGMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../include/unmask.h"

typedef struct um_sigma_compiler um_sigma_compiler;
typedef struct um_sigma_db um_sigma_db;
typedef struct um_sigma_scratch um_sigma_scratch;
typedef struct um_sigma_corr um_sigma_corr;

/* ---- compiling ---------------------------------------------------------- */

um_status um_sigma_compiler_new(um_sigma_compiler **out);
void um_sigma_compiler_free(um_sigma_compiler *c);
/* Adds one YAML file (one or more documents) or, for a folder, every *.yml /
 * *.yaml below it (sorted). A rule that cannot be read or uses something not
 * supported is refused (see um_sigma_refusal_at), never dropped silently;
 * the return is UM_OK unless the path itself cannot be read (UM_EIO). */
um_status um_sigma_add_path(um_sigma_compiler *c, const char *path);
/* Adds rules from text; name is used as the file name in messages. */
um_status um_sigma_add_text(um_sigma_compiler *c, const char *name, const char *text, size_t len);
/* Builds the db. The compiler keeps its refusals (including rules refused
 * while building) and may be freed afterwards. */
um_status um_sigma_compile(um_sigma_compiler *c, um_sigma_db **out);
const char *um_sigma_compiler_errmsg(const um_sigma_compiler *c);

/* The compiled-database cache (src/sigma/hscache.h): when a folder is set
 * before um_sigma_compile, the vectorscan databases are read from
 * dir/sigma-DIGEST.hsdb when it holds them for exactly these patterns, this
 * vectorscan and this machine, and the file is (re)written when something
 * had to be compiled. A missing, stale, foreign or damaged file only costs
 * the compile; the db is the same either way. dir is copied; NULL: none
 * (the default). Returns UM_ENOMEM or UM_OK. */
um_status um_sigma_compiler_set_cache(um_sigma_compiler *c, const char *dir);
typedef struct um_sigma_cache_stats {
    size_t hits, misses; /* databases deserialized / compiled */
    bool rejected;       /* a file was there but failed a check (ignored, rewritten) */
    bool written;        /* the file was (re)written */
    char why[160];       /* when rejected or not written: the reason */
} um_sigma_cache_stats;
/* What the cache did in the last um_sigma_compile (zeros without one). */
void um_sigma_compiler_cache_stats(const um_sigma_compiler *c, um_sigma_cache_stats *out);

typedef struct um_sigma_refusal {
    const char *file;
    uint32_t line;       /* 1-based, 0 when unknown */
    const char *rule;    /* rule title or id when known, else NULL */
    const char *message; /* names the unsupported feature or the error */
} um_sigma_refusal;
size_t um_sigma_refusal_count(const um_sigma_compiler *c);
const um_sigma_refusal *um_sigma_refusal_at(const um_sigma_compiler *c, size_t i);

/* ---- the compiled db ---------------------------------------------------- */

void um_sigma_db_free(um_sigma_db *db);

typedef struct um_sigma_rule_info {
    const char *id, *name, *title, *status, *level, *description, *author, *date;
    const char *file;
    uint32_t line;
    const char *logsource; /* "windows/process_creation", "windows/service:security" */
    const char *const *tags;
    size_t ntags;
    const char *const *references;
    size_t nreferences;
    bool correlation;      /* a Sigma v2 correlation rule */
    const char *corr_type; /* event_count, value_count, temporal, temporal_ordered */
    bool emits;            /* false: a base rule only used by correlations (generate: false) */
} um_sigma_rule_info;

size_t um_sigma_rule_count(const um_sigma_db *db);
/* A digest of the rule texts the db was compiled from, in the order added
 * (same texts, same matches). */
uint64_t um_sigma_db_digest(const um_sigma_db *db);
const um_sigma_rule_info *um_sigma_rule_at(const um_sigma_db *db, size_t i);
/* A top-level scalar attribute of rule i ("unmask_indicator", custom fields),
 * or NULL. */
const char *um_sigma_rule_attr(const um_sigma_db *db, size_t i, const char *name);
/* Counts for `rules list`: string patterns, exact values, groups. */
void um_sigma_db_stats(const um_sigma_db *db, size_t *patterns, size_t *exact, size_t *groups);

/* ---- matching ----------------------------------------------------------- */

typedef struct um_sigma_kv {
    const char *name;
    size_t nlen;
    const char *value; /* need not be NUL-terminated */
    size_t vlen;
} um_sigma_kv;

typedef struct um_sigma_event {
    const um_sigma_kv *f;
    size_t n;
    int64_t ts; /* UTC microseconds; INT64_MIN when unknown (correlations skip it) */
    /* NULL, or hash[i] = the case-folded name hash of f[i] (util/wordhash.h,
     * um_word_hash(name, nlen, true, ...)): the Windows field bag has it
     * already, and the matcher then hashes no name itself */
    const uint32_t *hash;
} um_sigma_event;

#define UM_SIGMA_MAX_HIT_FIELDS 16
typedef struct um_sigma_hit {
    size_t rule;
    size_t nfields;
    um_sigma_kv fields[UM_SIGMA_MAX_HIT_FIELDS]; /* rule field name -> event value */
    /* correlation hits: */
    const char *group_key; /* "User=alice" (NUL-terminated), NULL for event rules */
    uint64_t count;        /* events (event_count) or distinct values (value_count) */
    int64_t first_ts, last_ts;
} um_sigma_hit;

/* Return non-zero to stop matching this event. */
typedef int (*um_sigma_hit_fn)(void *ud, const um_sigma_hit *hit);

um_status um_sigma_scratch_new(const um_sigma_db *db, um_sigma_scratch **out);
void um_sigma_scratch_free(um_sigma_scratch *s);

/* Runs every event rule whose logsource fits ev and calls fn for each hit
 * (rules with generate: false base rules included: fn sees every hit and
 * um_sigma_rule_info.emits says whether to show it). */
um_status um_sigma_match(const um_sigma_db *db, um_sigma_scratch *s, const um_sigma_event *ev,
                         um_sigma_hit_fn fn, void *ud);

/* ---- correlations ------------------------------------------------------- */

/* Per-scan state, bounded: at most max_keys group-by keys per correlation
 * rule (beyond that new keys are counted in *dropped and ignored). */
um_status um_sigma_corr_new(const um_sigma_db *db, size_t max_keys, um_sigma_corr **out);
void um_sigma_corr_free(um_sigma_corr *c);
/* Feeds one base-rule hit (from um_sigma_match on ev); calls fn for each
 * correlation rule it completes. Events should arrive in time order per
 * group; an event without a time is ignored. */
um_status um_sigma_corr_feed(um_sigma_corr *c, um_sigma_scratch *s, const um_sigma_hit *base,
                             const um_sigma_event *ev, um_sigma_hit_fn fn, void *ud);
uint64_t um_sigma_corr_dropped(const um_sigma_corr *c);

#endif
