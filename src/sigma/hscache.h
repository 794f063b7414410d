/*
 * hscache.h - the compiled vectorscan databases of a rule pack kept in a
 * cache file, so that a scan with an unchanged pack deserializes them
 * instead of compiling them again (hs_compile_multi is most of the cost of
 * starting a scan: ~0.6 s of CPU for the shipped pack).
 *
 * One file per pack (its name carries the digest of the rule texts); in it,
 * one entry per hs_compile_multi call, keyed by a 128-bit hash of exactly
 * what that call compiles (every expression, flag and id, the mode) and of
 * the environment (vectorscan's version string, the host platform vectorscan
 * tunes for, this format's version). A stale or foreign entry therefore never
 * matches: at worst the database is compiled again.
 *
 * The file is trusted only as far as it can be checked: a regular file owned
 * by this user and writable by no one else, at most SG_HSCACHE_MAX bytes,
 * with the magic, the environment key and a checksum of its whole body; any
 * entry that does not parse, or that vectorscan does not deserialize (it
 * checks its own header, platform and the bytecode's CRC), is a miss. The
 * file is as trusted as the user's other files: someone who can write it
 * can also replace the program. A file failing a check is ignored and rewritten (never a crash,
 * never a different result). Written atomically (temporary, rename) and
 * only when something was compiled, holding the entries of this compile.
 *
 * Ownership: sg_hscache_open returns a cache owned by the caller, released
 * by sg_hscache_close (which writes it when needed); a database returned by
 * sg_hscache_get belongs to the caller (hs_free_database).
 */
#ifndef UM_SIGMA_HSCACHE_H
#define UM_SIGMA_HSCACHE_H

#include <hs/hs.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sigma.h"

#define SG_HSCACHE_MAX (256u << 20)

typedef struct sg_hscache sg_hscache;

typedef struct sg_hskey {
    uint64_t a, b;
} sg_hskey;

typedef um_sigma_cache_stats sg_hscache_stats;

/* Opens the cache file dir/name (dir and its parent are made 0700 when it
 * is written). NULL only when out of memory; a missing or unusable file
 * gives an empty cache. */
sg_hscache *sg_hscache_open(const char *dir, const char *name);
/* The key of one hs_compile_multi call. */
sg_hskey sg_hscache_key(const char *const *expr, const unsigned *flags, const unsigned *ids, unsigned n,
                        unsigned mode);
/* The database stored under key, deserialized, or NULL (a miss). */
hs_database_t *sg_hscache_get(sg_hscache *hc, sg_hskey key);
/* Remembers db (serialized now; db stays the caller's) under key. */
void sg_hscache_put(sg_hscache *hc, sg_hskey key, const hs_database_t *db);
/* Writes the file when an entry was compiled (or the file was rejected) and
 * write is true; frees hc. *st (when not NULL) gets the counts. */
void sg_hscache_close(sg_hscache *hc, bool write, sg_hscache_stats *st);

#endif
