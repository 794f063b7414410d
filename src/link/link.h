/*
 * link.h - the linkage engine: observations of identifiers held by subjects
 * -> Fellegi-Sunter weighted edges -> clusters with stable ids in three
 * tiers, each edge and cluster explained. Pure functions over arrays; it
 * knows nothing of scans, readers or sinks (docs/linking.md).
 *
 *   um_lk_obs[]  (subject, kind, canonical value, raw value, file, line)
 *      |  block by value (sort by hash), count subjects per value
 *      |  values held by more than the kind's cap are generic: no pairs,
 *      |  reported in um_lk_result.generic (value, count, kind)
 *      v
 *   candidate pairs (streamed per subject; never all held at once)
 *      |  EM over agreement patterns -> m per kind; u per value = its
 *      |  frequency (a value many share is weak evidence)
 *      v
 *   edges: weight = sum over kinds of log2(m_k / u_v) (best value per kind),
 *          tier same_operator / possible / related by the principles below
 *      v
 *   clusters per tier (constrained merging: no chaining), weakest link,
 *   stable ids from the smallest member id, verdicts honoured.
 *
 * Principles (Senzing-style behaviours): exclusive identifiers (personal
 * email, mobile/VoIP phone, payout account, wallet, device serial, handle,
 * near-duplicate résumé or photo) point to one operator; co-location
 * identifiers (home address, landline, IP address, referral) are shared by
 * households and colleagues and only ever make `related` edges. A phone or
 * payout account shared only by people who also share a home address is a
 * household's (landline, joint account): related. Ship-to addresses and IPs
 * shared by three or more subjects who claim different homes are the
 * laptop-farm pattern, reported as um_lk_group entries (not same-operator
 * edges: a facilitator is not the operator).
 *
 * Ownership: um_lk_run borrows the observation array (and the strings it
 * points to) for its duration only; the result owns everything it returns
 * and is freed with um_lk_result_free. Not thread-safe per result; separate
 * runs may proceed in parallel.
 */
#ifndef UM_LINK_H
#define UM_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../include/unmask.h"

#define UM_LK_KIND_LIST(X)                                                             \
    X(EMAIL, "email", 1, 10)         /* personal email */                             \
    X(PHONE, "phone", 1, 10)         /* mobile, VoIP or type unknown */               \
    X(LANDLINE, "landline", 0, 10)   /* fixed line */                                 \
    X(PAYOUT, "payout_account", 1, 10)                                                \
    X(WALLET, "wallet", 1, 10)                                                        \
    X(SERIAL, "device_serial", 1, 10)                                                 \
    X(HANDLE, "handle", 1, 10)       /* GitHub, LinkedIn, Telegram */                 \
    X(RESUME, "resume", 1, 10)       /* near-duplicate résumé group */               \
    X(PHOTO, "photo", 1, 10)         /* near-duplicate photo group */                \
    X(HOME, "home_address", 0, 10)                                                    \
    X(SHIP, "ship_address", 0, 50)   /* laptop ship-to */                             \
    X(IP, "ip", 0, 25)               /* sign-in / home IP */                          \
    X(REFERRAL, "referral", 0, 10)   /* referred by the same person */               \
    X(NAME_DOB, "name_dob", 0, 10)   /* same name and date of birth (corroboration) */ \
    X(PERSON, "same_person", 1, 10)  /* fuzzy person match, strong (person.c) */      \
    X(PERSON_POSSIBLE, "same_person_possible", 2, 10) /* weaker match: possible at most */

typedef enum um_lk_kind {
#define UM_LK_ENUM(id, name, excl, cap) UM_LK_##id,
    UM_LK_KIND_LIST(UM_LK_ENUM)
#undef UM_LK_ENUM
    UM_LK__COUNT
} um_lk_kind;

const char *um_lk_kind_name(um_lk_kind k);
int um_lk_kind_from_name(const char *s); /* -1 when unknown */
/* exclusive: 1 points to one operator; 2 as well, but on its own makes a
 * `possible` edge at most (it adds to the weight, never to "few holders") */
bool um_lk_kind_exclusive(um_lk_kind k);

typedef enum um_lk_tier { UM_LK_NONE = 0, UM_LK_RELATED = 1, UM_LK_POSSIBLE = 2, UM_LK_SAME = 3 } um_lk_tier;
const char *um_lk_tier_name(um_lk_tier t); /* "same_operator", "possible", "related" */

typedef struct um_lk_obs {
    uint32_t subject;  /* 0 .. nsubjects-1 */
    uint8_t kind;      /* um_lk_kind */
    float sim;         /* 1 for an exact value; similarity for RESUME/PHOTO groups */
    float weight;      /* > 0: the caller's weight for this value (same_person: the matcher's log2
                          odds), used instead of log2(m/u); 0: the engine's */
    const char *value; /* canonical value (the blocking key) */
    const char *raw;   /* as written (may be NULL) */
    const char *file;  /* may be NULL */
    uint64_t line;
    uint64_t hash;     /* 0: computed from (kind, value); values are compared on equal hashes */
    /* 56 bytes, no padding (weight beside sim: 72 before; a time nothing
     * read: 64; the analyzer's largest array at a million people) */
} um_lk_obs;

typedef enum um_lk_verdict_kind { UM_LK_VERDICT_SAME = 1, UM_LK_VERDICT_DIFFERENT = 2 } um_lk_verdict_kind;
typedef struct um_lk_verdict {
    uint32_t a, b;
    um_lk_verdict_kind kind;
} um_lk_verdict;

typedef struct um_lk_options {
    size_t nsubjects;
    const char *const *subject_ids; /* stable ids (for cluster ids and order); may be NULL */
    /* subject -> home key (canonical home address) for the household and
     * farm principles; NULL entries (or a NULL array) mean unknown */
    const char *const *home;
    /* subject -> claimed city (lower case); IP farm rule: colleagues behind
     * an office NAT claim one city, a farm's hires claim several */
    const char *const *city;
    size_t cap[UM_LK__COUNT];       /* 0: the kind's default (UM_LK_KIND_LIST) */
    const um_lk_verdict *verdicts;
    size_t nverdicts;
    double same_weight;   /* min weight of a same_operator edge (default 6) */
    size_t max_cluster;   /* hard cap on a cluster's size (default 50) */
    int em_iterations;    /* default 25; 0 uses the default */
    bool no_em;           /* use the default m per kind (benchmark baseline parity) */
    size_t farm_min;      /* subjects on one ship-to / IP with distinct homes (default 3) */
} um_lk_options;

/* One shared value on an edge. */
typedef struct um_lk_why {
    uint8_t kind;
    uint32_t value_id; /* index into um_lk_result.values */
    uint32_t obs_a, obs_b; /* observations of each side (index into the input) */
    double weight;     /* log2(m/u) */
} um_lk_why;

typedef struct um_lk_edge {
    uint32_t a, b;     /* a < b */
    um_lk_tier tier;
    double weight;     /* sum of the why weights */
    uint32_t why_off, why_n; /* into um_lk_result.why */
    bool household;    /* exclusive kinds demoted: both share a home */
    bool verdict;      /* forced by an analyst verdict */
} um_lk_edge;

typedef struct um_lk_value {
    uint8_t kind;
    uint32_t first_obs; /* an observation holding it (its value string is the caller's) */
    uint32_t nsubjects; /* distinct subjects holding it (capped counting stops at cap+1) */
    double u, weight;   /* u = frequency; weight = log2(m_kind / u) */
    bool generic;       /* over the cap: no pairs */
} um_lk_value;

typedef struct um_lk_cluster {
    char id[16];        /* "C-" + 12 hex, stable: from the smallest member id */
    um_lk_tier tier;
    uint32_t *members;  /* subject indexes, ascending */
    size_t nmembers;
    uint32_t *edges;    /* indexes into um_lk_result.edges inside the cluster */
    size_t nedges;
    int32_t weakest;    /* edge index of the weakest spanning link, -1 none */
    int32_t parent;     /* cluster index one tier down that contains it, -1 none */
    double min_weight, max_weight;
} um_lk_cluster;

/* Laptop-farm pattern: one ship-to address or IP behind several subjects
 * who claim different homes; or a parcel forwarder. */
typedef struct um_lk_group {
    uint8_t kind;
    uint32_t value_id;
    uint32_t *members;
    size_t nmembers;
    size_t distinct_homes;
} um_lk_group;

typedef struct um_lk_stats {
    size_t nobs, nvalues, ngeneric, candidate_pairs, edges;
    size_t collisions; /* hash runs holding more than one (kind, value), split by comparing the strings */
    double m[UM_LK__COUNT], u[UM_LK__COUNT]; /* m per kind (EM), mean u per kind */
    size_t em_pairs[UM_LK__COUNT];           /* candidate pairs agreeing on the kind */
    double lambda;                           /* EM share of matches among candidates */
    int em_iterations;
} um_lk_stats;

typedef struct um_lk_result {
    um_lk_value *values;
    size_t nvalues;
    uint32_t *generic; /* value ids over their cap, most common first */
    size_t ngeneric;
    um_lk_edge *edges;
    size_t nedges;
    um_lk_why *why;
    size_t nwhy;
    um_lk_cluster *clusters;
    size_t nclusters;
    um_lk_group *groups;
    size_t ngroups;
    /* holders of value v: vsub[j] (subject) and vobs[j] (its observation)
     * for j in [vstart[v], vstart[v+1]), ascending by subject; empty for
     * generic values */
    uint32_t *vstart, *vsub, *vobs;
    int32_t *cluster_of[4]; /* per tier (index by um_lk_tier): subject -> cluster index or -1 */
    um_lk_stats stats;
} um_lk_result;

um_status um_lk_run(const um_lk_obs *obs, size_t nobs, const um_lk_options *opt, um_lk_result **out);

/* ---- the run in two steps: blocking (a shard of the identity index) ------ */

/* One value held by two or more subjects, found by blocking. Holders are
 * [mstart, the next value's mstart or nmem) in msub/mobs, ascending by
 * subject, one (the first) observation each; none when generic. */
typedef struct um_lk_bval {
    uint64_t hash;      /* um_lk_obs_hash of its observations */
    uint8_t kind;
    bool generic;       /* more holders than the kind's cap */
    uint32_t first_obs; /* the first holder's observation */
    uint32_t nsubjects; /* distinct holders */
    uint32_t mstart;
} um_lk_bval;

typedef struct um_lk_blocked {
    um_lk_bval *vals;   /* ascending by hash (equal hashes: by kind, value) */
    size_t nvals;
    uint32_t *msub, *mobs;
    size_t nmem;
    size_t nobs;        /* observations taken (subject, kind and value valid) */
    size_t collisions;  /* hash runs split by comparing the strings */
} um_lk_blocked;

/* The 64-bit blocking key of an observation: its hash, or one of (kind, value). */
uint64_t um_lk_obs_hash(const um_lk_obs *o);
/* Blocking alone: every decision it makes (holders, distinct counts, the
 * generic cap) depends only on the observations of one hash, so run over
 * the observations of a set of hashes (a shard) it finds exactly the values
 * of those hashes that a run over everything finds. cap: per kind, 0 or
 * NULL the default. Indexes in *out are into obs. Free with
 * um_lk_blocked_free. */
um_status um_lk_block(const um_lk_obs *obs, size_t nobs, size_t nsubjects, const size_t *cap, um_lk_blocked *out);
void um_lk_blocked_free(um_lk_blocked *b);
/* The rest of um_lk_run (frequencies over the population of obs, EM,
 * edges, clusters, groups) from a blocking of obs; um_lk_run = um_lk_block
 * + this. Takes b's holder arrays (b is left without them; free it after).
 * b must be consistent with obs (src/dist/ checks one from the bus). */
um_status um_lk_run_blocked(const um_lk_obs *obs, size_t nobs, const um_lk_options *opt, um_lk_blocked *b,
                            um_lk_result **out);
void um_lk_result_free(um_lk_result *r);

/* ---- candidate pairs from pieces (pair partitions, docs/SCALING.md) ------
 * A shard of the identity index sees only the values of its hashes, so it
 * cannot finish a pair: two subjects may share an email in one shard and a
 * phone in another. It emits pieces instead, one per (pair, kind) sharing a
 * non-generic value of that kind in the shard: the rarest such value
 * (fewest holders, then first in hash order, i.e. the lowest value id) and
 * the first in hash order. Pieces of one (pair, kind) from any number of
 * shards, in any order, any number of times, merge into the piece the
 * engine's own pair has: min by (holders, best), min first. */
typedef struct um_lk_piece {
    uint32_t a, b;         /* subjects, a < b */
    uint32_t best;         /* value id: the rarest shared value of the kind */
    uint32_t first;        /* value id: the first shared value of the kind (hash order) */
    uint32_t holders;      /* best's distinct holders */
    uint32_t obs_a, obs_b; /* best's observation of a and of b */
    uint8_t kind;
} um_lk_piece;

/* The pieces of a (shard's) blocking b, merged (sorted by a, b, kind; one
 * per key). Value ids are b's (add the shard's first global value id);
 * observations are mapped through gidx (NULL: b's as they are). *out is
 * freed with um_free. */
um_status um_lk_pieces(const um_lk_blocked *b, const uint32_t *gidx, um_lk_piece **out, size_t *n);
/* Sorts p by (a, b, kind) and folds equal keys (commutative, idempotent);
 * returns the pieces left. */
size_t um_lk_pieces_merge(um_lk_piece *p, size_t n);
/* The pair partition of (a, b), of n. */
unsigned um_lk_pair_part(uint32_t a, uint32_t b, unsigned n);
/* A pair partition's work: merges q (the pieces of its pairs, from any
 * shards, any number of times) and puts them in pair order: pairs by (a,
 * first shared value of any kind, b), the order in which the engine makes
 * edges, each pair's pieces together by kind. *n: pieces in, pieces left. */
um_status um_lk_pair_partition(um_lk_piece *q, size_t *n);
/* The coordinator's part: um_lk_run_blocked with the candidate pairs taken
 * from nparts pair partitions' outputs (um_lk_pair_partition; part[p] holds
 * only pairs with um_lk_pair_part(a, b, nparts) == p; value ids of the
 * merged blocking blk) instead of gathered from blk's holders: the
 * partitions' agreement patterns summed for EM, then their pair streams
 * merged in pair order and each pair weighed and tiered into an edge (homes
 * and verdicts stay here). The result is um_lk_run_blocked's for complete
 * pieces. UM_EINVAL when a piece is out of range, names a value of another
 * kind or a generic one, or a partition's pairs are out of order, in
 * another partition or repeated. */
um_status um_lk_run_pairs(const um_lk_obs *obs, size_t nobs, const um_lk_options *opt, um_lk_blocked *blk,
                          um_lk_piece *const *part, const size_t *npart, unsigned nparts, um_lk_result **out);
/* The three in one process: routes pieces (every shard's) by
 * um_lk_pair_part into nparts (0: 1) partitions, um_lk_pair_partition on
 * each, um_lk_run_pairs. */
um_status um_lk_run_pieces(const um_lk_obs *obs, size_t nobs, const um_lk_options *opt, um_lk_blocked *blk,
                           um_lk_piece *pieces, size_t npieces, unsigned nparts, um_lk_result **out);

/* Evidence propagation over same_operator edges only: out[i] = in[i] +
 * share * max over neighbours j of (in[j] * p(edge)), one hop, where p is
 * the edge's match probability (1 - 2^-weight). from[i] is the neighbour
 * the share came from (-1 none), edge[i] its edge. Never over related or
 * possible edges. */
void um_lk_propagate(const um_lk_result *r, size_t nsubjects, const double *in, double share, double *out,
                     int32_t *from, int32_t *edge);

/* ---- output (output.c) ---------------------------------------------------- */

struct um_buf;
/* One clusters.jsonl line for cluster ci (ids: subject index -> stable id;
 * score: the cluster's score, its highest member's). */
void um_lk_cluster_json(struct um_buf *b, const um_lk_result *r, size_t ci, const um_lk_obs *obs, size_t nobs,
                        const char *const *ids, int score);
/* One line naming generic value gi (which value, how many people, the cap). */
void um_lk_generic_json(struct um_buf *b, const um_lk_result *r, size_t gi, const um_lk_obs *obs, size_t nobs,
                        size_t cap);
/* Writes the tables clusters, cluster_members, cluster_edges and
 * generic_values into an open sqlite3 handle (db), inside the caller's
 * transaction. caps: per kind, for generic_values.cap (may be NULL). */
um_status um_lk_write_sqlite(void *db, const um_lk_result *r, const um_lk_obs *obs, size_t nobs,
                             const char *const *ids, const int *cluster_score, const size_t *caps);
/* The current pair verdicts (`same_person`, `not_same_person`) of a case.db
 * (docs/SCHEMA.md, table verdicts) for the subjects in ids; a missing file
 * or table gives none. *out is freed by the caller with um_free. */
um_status um_lk_read_verdicts(const char *case_db, const char *const *ids, size_t nids, um_lk_verdict **out,
                              size_t *nout);
size_t um_lk_kind_cap(um_lk_kind k);

/* ---- the same person without a shared key (person.c) -------------------- */

typedef struct um_lk_person {
    const char *first, *last, *dob, *city, *email, *natid, *street, *postcode; /* any may be NULL */
} um_lk_person;

#define UM_LK_PFIELDS 8
typedef struct um_lk_ppair {
    uint32_t a, b;
    double total;                 /* prior + sum of field weights (log2) */
    double prob;                  /* 1 / (1 + 2^-total) */
    uint8_t level[UM_LK_PFIELDS]; /* 0 exact, 1 close, 2 weak, 3 different, 4 missing */
    float weight[UM_LK_PFIELDS];  /* log2(m/u) of that level (term frequency on exact names) */
} um_lk_ppair;

typedef struct um_lk_pmatch {
    uint32_t *cluster;  /* record -> cluster representative (a record index) */
    um_lk_ppair *pairs; /* matched pairs (prob >= threshold), explained */
    size_t npairs;
    size_t scored_pairs; /* candidate pairs compared after blocking */
    double m[UM_LK_PFIELDS][5], u[UM_LK_PFIELDS][5];
    double lambda;        /* share of matches among candidates (EM) */
    double lambda_global; /* prior: share of matches among all record pairs */
} um_lk_pmatch;

/* Matches records with no shared key. threshold: minimum match probability
 * (0.5 is the Fellegi-Sunter decision boundary). */
um_status um_lk_person_match(const um_lk_person *recs, size_t n, double threshold, um_lk_pmatch **out);
/* UM_LK_PM_STRICT: blocking only on keys that pair two fields (an
 * identifying field with a name code, a birth year with both name codes,
 * a name with the city ...), blocks of at most 50: candidate pairs grow
 * with the records, not their square (the scan's mode). */
#define UM_LK_PM_STRICT 1u
um_status um_lk_person_match_flags(const um_lk_person *recs, size_t n, double threshold, unsigned flags,
                                   um_lk_pmatch **out);
void um_lk_pmatch_free(um_lk_pmatch *r);
/* The scan's conservative decision on a matched pair (docs/linking.md §5):
 * 0 no link, 1 same_person_possible, 2 same_person. The identifying fields
 * (date of birth, email, national id, street + postcode) give >= 5 bits of
 * their own weights and one agrees exactly or closely (names and city never
 * suffice); a name part agrees and none disagrees, unless two of birth
 * date, email and national id agree; a different birth date needs two other
 * identifying fields; p >= 0.95. Strong: both name parts agree, two
 * identifying fields, the birth date not differing, p >= 0.99. */
int um_lk_person_gate(const um_lk_ppair *pp);
const char *um_lk_person_field_name(int f);

/* ---- near duplicates ----------------------------------------------------- */

/* MinHash over word 3-shingles of normalised text (lower case, letters and
 * digits), 128 permutations, LSH 32 bands x 4 rows; pairs whose estimated
 * Jaccard is >= threshold are joined into groups. group[i] gets the group
 * number of text i (-1: no near duplicate), sim[i] its best similarity. */
um_status um_lk_minhash_groups(const char *const *texts, size_t n, double threshold, int32_t *group, float *sim);

/* 64-bit DCT perceptual hash of an image file (JPEG via libturbojpeg, PNG
 * via libpng). UM_EINVAL when not a decodable image. */
um_status um_lk_phash_file(const char *path, uint64_t *out);
um_status um_lk_phash_gray(const uint8_t *gray, int w, int h, uint64_t *out);
/* Groups hashes within max_dist Hamming distance (multi-index blocking). */
um_status um_lk_phash_groups(const uint64_t *h, size_t n, int max_dist, int32_t *group, float *sim);

#endif
