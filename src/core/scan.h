/*
 * scan.h - the scan's own state, shared by the core files (scan.c,
 * subjects.c, findings.c) and the sinks. Analyzers and readers use the
 * accessors in internal.h instead.
 */
#ifndef UM_SCAN_H
#define UM_SCAN_H

#include "internal.h"
#include "../os/os.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>

#define UM_MAX_KEPT_REJECTS 10000
#define UM_MAX_EVIDENCE 3
#define UM_MAX_JOINS 12
#define UM_SEEN_SLOTS 8192 /* per finding at most; then no more de-duplication */

struct um_ctx {
    char *errmsg;
    char *data_dir;
    um_notes warnings; /* set-up warnings (um_ctx_warning) */
    um_ipdb *ipdb;
    um_ioc *ioc;
    char **approved_rmm;
    size_t n_approved_rmm, cap_approved_rmm;
    char *allowlist; /* software allowlist path, NULL none */
    char *rules;     /* extra Sigma rules path, NULL none */
    /* per analyzer (table order): compiled data, and whether compile ran */
    void **compiled;
    um_status *compiled_st;
    bool *compiled_done;
    pthread_mutex_t *compile_locks; /* per analyzer: guards its lazy compile */
    bool lock_ready;
    /* lazy parts (um_ctx_options.lazy): opened once by the first
     * um_ctx_ipdb / um_ctx_ioc; part_lock guards the opening and warnings */
    pthread_mutex_t part_lock;
    bool part_lock_ready;
    _Atomic bool ipdb_ready, ioc_ready;
    char *country_mmdb, *asn_mmdb; /* the options' paths, for a late ipdb */
};

typedef enum um_input_status { UM_IN_PENDING, UM_IN_READ, UM_IN_SKIPPED, UM_IN_REJECTED } um_input_status;

typedef struct um_input {
    char *path;
    const um_reader *reader;
    uint64_t size;
    bool is_dir;    /* a repository folder; read() gets f == NULL */
    bool in_folder; /* found by walking a folder (not named directly) */
    /* a pipe, FIFO or terminal (or "-", standard input): read once, as a
     * stream; its first bytes, read for format detection, are in head */
    bool is_stream;
    int fd;
    char *head;
    size_t head_len;
    const char *skip; /* not read, and why (arena or static string) */
    um_input_status status;
    const char *reason; /* why skipped or rejected whole (for case.db) */
    /* journal.c: what the reader produced, kept for incremental scans */
    bool has_hash;
    uint64_t hash;       /* content hash (files), for the case's input list */
    char *journal_name;  /* file name in CASE/journal/ once kept, or NULL */
    char *replay;        /* an earlier journal to replay instead of reading, or NULL */
    struct um_jw *jw;    /* the journal being written while the input is read */
    bool replay_gone;    /* the file is gone: replayed from its journal alone */
    bool raw_kept;       /* a raw record without a bag was handed on (records.c) */
} um_input;

typedef struct um_stored_person {
    um_person_kind kind;
    const char *file;
    uint64_t line;
    size_t n;
    um_kv *kv;
} um_stored_person;

/* The values of one attribute of one subject, with where each came from.
 * One allocation holds cap values, then cap files, then cap lines (most
 * sets hold one value: at a million people the three arrays and 40-byte
 * headers of the old layout were a gigabyte). */
typedef struct um_valset {
    const char **v;
    uint32_t n, cap;
} um_valset;

static inline const char **um_valset_files(const um_valset *vs) { return vs->v + vs->cap; }
static inline uint64_t *um_valset_lines(const um_valset *vs) { return (uint64_t *)(vs->v + 2 * (size_t)vs->cap); }
/* A block of one value is in the scan's arena; larger ones are malloc'd. */
static inline void um_valset_free(um_valset *vs) {
    if (vs->cap > 1) um_free(vs->v);
}

struct um_subject {
    char *id;
    const char *display;
    bool identity;
    /* The attributes it holds: vs[slot[a] - 1] for attribute a (slot 0:
     * none). A subject holds a dozen of the 36 attributes: 36 sets inline
     * were 576 bytes a subject. Read through um_subject_attr(). */
    uint8_t slot[UM_ATTR__COUNT];
    uint8_t nvs, capvs;
    um_valset *vs;
    um_valset sources; /* "employee_id=E1" */
    um_valset joins;   /* sentences */
    size_t *findings;
    size_t n_findings, cap_findings;
    int score;
    um_level level;
    /* its um_subject_info is in um_scan.infos, made by um_scan_finalize
     * (88 bytes a subject that were held from the build on, through the
     * analyzers' peak, before anything read them) */
};

/* The values of attribute a of u (an empty set when it has none). */
static inline const um_valset *um_subject_attr(const um_subject *u, um_attr a) {
    static const um_valset none = {NULL, 0, 0};
    return u->slot[a] ? &u->vs[u->slot[a] - 1] : &none;
}
/* The same, the set added when absent; NULL when out of memory. */
um_valset *um_subject_attr_add(um_subject *u, um_attr a);

typedef struct um_finding {
    um_finding_info info;
    um_sid subject;
    unsigned flags;
    um_strength strength;
    um_evidence ev[UM_MAX_EVIDENCE];
    /* hashes of (host, record id, time) already counted, so one event read
     * twice (an .evtx and its JSON rendering) counts once; bounded */
    uint64_t *seen;
    uint32_t n_seen, cap_seen;
    /* positions (um_scan.cur_pos when added): of the add that made the
     * finding, and of each evidence sample; the merge of partitioned
     * analysis orders by them (pmerge.c) */
    uint64_t pos;
    uint64_t ev_pos[UM_MAX_EVIDENCE];
} um_finding;

struct um_scan {
    um_ctx *ctx;
    char *errmsg;
    um_arena arena; /* everything kept until um_scan_free */
    um_input *inputs;
    size_t n_inputs, cap_inputs;
    um_map mapping; /* lower-case column -> (attr + 1) */
    uint64_t mapping_digest; /* of the mapping's lines, for journals */
    char *journal_dir;  /* journal.c: new journals while the scan runs (P/.NAME.jnl.PID.N), or NULL */
    char *case_dir;     /* the case folder the journals are published into */
    bool journal_hash_only; /* content hashes kept, no journals */
    int journal_mute;   /* > 0 while the scan handles a record: what it derives is not journaled */
    /* um_scan_prepare: the prefilters' compiled data is built (on the
     * scan's thread, before any worker starts); their digest; the scan
     * thread's prefilter scratch (per analyzer) and the empty bag of events
     * whose bag no prefilter needs */
    bool pf_ready;
    uint64_t pf_digest;
    void **pf_scratch;
    struct um_winfields *pf_empty;
    /* a distributed worker's scan for a unit of a scan whose rules are
     * not this context's (src/dist/): the readers' gates, which read this
     * context's pack, say yes, so every field bag is made and sent */
    bool gates_open;
    char *verdicts_db; /* earlier case.db whose pair verdicts linkage honours, or NULL */
    bool ran;

    /* identity records as read, until um_subjects_build has joined them:
     * then the array and person_arena (their raw values) are freed; the
     * canonical values the subjects keep are in arena */
    um_stored_person *persons;
    size_t n_persons, cap_persons;
    um_arena person_arena;

    um_subject *subjects;
    size_t n_subjects, cap_subjects;
    um_map key_index;     /* "attr=value" -> subject + 1 (join keys, emails); um_subjects_index */
    size_t n_identity;    /* subjects [0, n_identity) are um_subjects_build's */
    bool subjects_built, key_index_built;
    um_map account_index; /* "account:x" / "host:y" -> subject + 1 */
    um_map event_join_seen;
    um_map resolve_cache; /* "kind|user|host" -> subject + 1 */
    struct um_resolve_memo *resolve_memo; /* UM_RESOLVE_MEMO entries in front of resolve_cache, or NULL */

    um_finding *findings;
    size_t n_findings, cap_findings;
    um_map finding_index; /* "sid|indicator|key" -> finding + 1 */

    um_reject_info *rejects, *warnings;
    size_t n_rejects, n_warnings, cap_rejects, cap_warnings;
    uint64_t rejects_total, warnings_total;

    size_t *rank; /* subject order for results */
    um_subject_info *infos; /* by subject index (rank.c) */

    um_buf json_line; /* um_scan_subject_json() */
    um_scan_stats stats;
    uint64_t limit[UM_LIMIT__COUNT];
    size_t n_log_subjects;
    bool limit_warned[UM_LIMIT__COUNT];
    void **analyzer_state;
    um_progress_fn progress;
    void *progress_ud;
    uint64_t bytes_before; /* bytes of inputs already finished */
    uint64_t bytes_total;
    int64_t last_progress_us;
    int64_t future_limit_us; /* events after this are rejected (set once per run) */
    unsigned threads;        /* um_scan_set_threads: log inputs read on threads - 1 workers */
    uint64_t part_bytes;     /* um_scan_set_part_size, 0: UM_PART_BYTES */
    struct um_nats_conf *nats; /* um_scan_set_nats: log inputs read by workers on the bus (src/dist/) */
    /* the position of what the analyzers are handling now: event number
     * (1, 2, ... in the one-thread order) * 64 + analyzer index; 0 before
     * the first event. Findings and evidence samples carry it (pmerge.c). */
    uint64_t ev_seq, cur_pos;
    unsigned partitions;  /* um_scan_set_partitions: person partitions of the analysis (1: none) */
    struct um_pa *pa;     /* pmerge.c: the partitions' analyzer instances and findings, while events run */
    bool pa_roundtrip;    /* um_scan_set_partition_roundtrip: every partition's state saved and loaded back before the merge */

    /* output folder (outdir.c) */
    int out_lock; /* lock handle, -1 when none */
    char *out_lock_path;
    const volatile sig_atomic_t *cancel;
    /* set while sinks run on two threads and one side failed: the other
     * stops at its next um_scan_cancelled() check */
    atomic_int sinks_failed;
    double t_read, t_analyze, t_write; /* seconds, for um_scan_stats */

    /* inputs.c: every folder and file met, by (device, inode) -> first path */
    um_map seen_inodes;
    int max_depth;         /* folders deeper are skipped with a warning */
    int stream_timeout_ms; /* wait for a stream's first byte */
};

/* The scan's error message and its kept rejects and warnings are changed
 * under this lock (sinks may run on two threads: outdir.c). */
void um_scan_issues_lock(void);
void um_scan_issues_unlock(void);

/* Monotonic seconds. */
double um_now_s(void);
double um_thread_cpu_s(void); /* CPU seconds of the calling thread */
/* Releases the output-folder lock (um_scan_free does). */
void um_scan_unlock_output(um_scan *s);

/* What a reader is handed: the scan, the input being read, its reader. */
typedef struct um_rec_task um_rec_task;
struct um_reader_ctx {
    um_scan *scan;
    const um_input *in;
    const um_reader *reader;
    um_rec_task *rec; /* set on a worker thread: records are recorded, replayed in order (threads.c) */
    struct um_part *part; /* the part of the file being read (partition.h), NULL: all of it */
};

/* threads.c: recording on a worker, and the threaded phase-1 driver.
 * um_threads_start (before the identity inputs are read, so workers read
 * and match log parts meanwhile) sets *out to NULL when no worker thread
 * could start (the caller then reads inputs one by one); um_threads_read_logs
 * replays every phase-1 input in order; um_threads_stop joins and frees. */
typedef struct um_thr_pool um_thr_pool;
um_status um_rec_event(um_rec_task *t, const um_event *ev);
void um_rec_issue(um_rec_task *t, bool reject, uint64_t line, const char *fmt, va_list ap);
um_status um_threads_start(um_scan *s, um_thr_pool **out);
/* run.c: compiles the data every analyzer's prefilter (and the readers'
 * gates such as um_rules_want_signins) reads, when the scan has log inputs,
 * and readies the scan thread's prefilters. Before any log input is read:
 * on one thread before the identity inputs; with threads the pool's first
 * worker builds it before any part is read (threads.c) while the identity
 * inputs are read here, and this only picks it up. Idempotent. */
um_status um_scan_prepare(um_scan *s, bool force);
/* pmerge.c: analysis partitioned by person (partition.h 5.). um_pa_start
 * after the analyzers' on_subjects makes each partitionable analyzer's
 * instances (nothing when um_scan.partitions < 2); um_pa_on_event hands an
 * event to analyzer i's instance of the event subject's partition, its
 * findings into that partition's table; um_pa_merge, after the last event
 * and before finish, folds the instances into the primaries and the
 * partitions' findings into the scan's; um_pa_free frees what is left. */
um_status um_pa_start(um_scan *s);
/* The same for partition p only (a worker running one partition: the
 * others' instances are not made). */
um_status um_pa_start_one(um_scan *s, unsigned p);
um_status um_pa_on_event(um_scan *s, size_t i, um_sid sid, const um_event *ev);
um_status um_pa_merge(um_scan *s);
void um_pa_free(um_scan *s);
/* pmerge.c: partition p's state (its analyzer instances and finding table,
 * after the last event) as bytes (pstate.h), and the same bytes loaded
 * back as partition p's state, replacing what it held (on an error nothing
 * is replaced; UM_EPARSE and *why for bytes that are not a state of this
 * scan). The workers' side of partitions on the bus (docs/SCALING.md). */
um_status um_pa_save(um_scan *s, unsigned p, um_buf *out);
/* pmerge.c: the partitions on workers (src/dist/nats.c). With a remote
 * function set (after um_pa_start), each event the scan's partitioned
 * analyzers would see is handed to fn once, with its partition p and its
 * event number seq (its position / 64), and the instances see nothing;
 * their states come back with um_pa_load before um_pa_merge. fn NULL: the
 * instances run here again. */
typedef um_status (*um_pa_remote_fn)(void *ud, unsigned p, uint64_t seq, um_sid sid, const um_event *ev);
void um_pa_set_remote(um_scan *s, um_pa_remote_fn fn, void *ud);
/* The findings partition p's table holds (0: no partitions). */
size_t um_pa_nfindings(const um_scan *s, unsigned p);
/* pmerge.c, on a worker: event number seq of subject sid through every
 * partitioned analyzer's instance of partition p, at the positions the
 * scan gave it. UM_EPARSE when the event is not p's (by its subject's id),
 * its subject is out of range or seq does not grow. */
um_status um_pa_run_event(um_scan *s, unsigned p, uint64_t seq, um_sid sid, const um_event *ev);
um_status um_pa_load(um_scan *s, unsigned p, const void *bytes, size_t n, const char **why);
/* Fuzzing and tests: bytes loaded as a partition state (K <= 64) of scan s,
 * after it ran, into throwaway instances; resave (or NULL) gets what was
 * loaded saved again. */
um_status um_pa_try_load(um_scan *s, const void *bytes, size_t n, um_buf *resave, const char **why);
/* findings.c: folds finding `from` (same subject, indicator and key) into
 * `into`: counts add, first/last widen, weight and strength the larger,
 * evidence samples the first by position, the seen-event sets united;
 * into keeps its summary (it was made first). from's seen set is taken. */
void um_finding_fold(um_finding *into, um_finding *from);
/* records.c: do the prefilters of the scan's thread want ev's bag? (true
 * when they cannot tell) */
bool um_scan_bag_needed(um_scan *s, const um_event *ev);
um_status um_threads_read_logs(um_scan *s, um_thr_pool *p, um_status (*read_input)(um_scan *, um_input *));
void um_threads_stop(um_thr_pool *p);

/* journal.c: per-input journals (incremental scans, docs/ARCHITECTURE.md) */
struct um_jw;
um_status um_journal_begin(um_scan *s, um_input *in); /* before the reader runs (no-op when off) */
/* The input file opened for its reader: when the scan keeps content hashes,
 * a FILE that hashes the bytes as they are read (in->hash at fclose);
 * else plain fopen. NULL with errno set on failure. */
FILE *um_journal_fopen(um_scan *s, um_input *in, um_lines_map *m);
um_status um_journal_end(um_scan *s, um_input *in, bool ok);
/* Will um_journal_end need in's content hash (a case keeps journals)? It
 * takes it itself unless in->has_hash (threads.c: the parts of a split
 * input hash their own blocks while they read them, um_thash). */
bool um_journal_wants_hash(const um_scan *s, const um_input *in);

/* The content hash of a file (journal.c): XXH3 (seeded) of each
 * UM_HASH_BLOCK-byte block at its fixed offset, the last one shorter, and
 * XXH3 of the blocks' digests (8 bytes little-endian each) in file order.
 * Blocks at fixed offsets make the digest independent of how the file is
 * cut: a part read on a worker hashes the blocks that start in its range,
 * in cache as it reads them, and the scan's thread folds the parts'
 * digests in order (no second pass over the file). A hasher starts at a
 * block boundary (um_thash_init's off) and is given bytes in order; with
 * top false it keeps the block digests (um_thash.digs, for um_thash_fold)
 * instead of folding them itself. um_thash_add: false when out of memory. */
#define UM_HASH_BLOCK (64u << 10)
typedef struct um_thash {
    uint64_t off;          /* file offset of the next byte */
    um_hstream *blk; /* the block being hashed in pieces (lazily) */
    um_hstream *top; /* the blocks' digests (top hasher), else digs */
    uint64_t *digs;
    size_t n, cap;
    bool partial; /* blk holds the start of a block */
    bool oom;
} um_thash;
bool um_thash_init(um_thash *h, uint64_t off, bool top);
bool um_thash_add(um_thash *h, const char *p, size_t n);
/* The last block (shorter than UM_HASH_BLOCK) ends here. */
bool um_thash_end(um_thash *h);
/* Folds a part hasher's block digests (after um_thash_end) into top. */
bool um_thash_fold(um_thash *top, const um_thash *part);
uint64_t um_thash_digest(const um_thash *h); /* a top hasher's, after um_thash_end */
void um_thash_free(um_thash *h);
void um_journal_person(um_reader_ctx *rc, const um_person *p);
void um_journal_event(um_reader_ctx *rc, const um_event *ev);
void um_journal_issue(um_reader_ctx *rc, bool reject, uint64_t line, const char *msg);
um_status um_journal_replay(um_scan *s, um_input *in); /* in->replay: the recorded items, in order */
/* Into the staging folder stage: stage/journal/ with every input's journal
 * (new ones moved, replayed ones linked from the case). */
um_status um_journal_publish(um_scan *s, const char *stage, const char *target);
void um_journal_free(um_scan *s);
bool um_journal_own_dir(const um_scan *s, const char *name); /* name: an entry of the output's parent */

/* status.c: vasprintf into a heap string (free()), NULL on failure. */
char *um_vfmt(const char *fmt, va_list ap);
/* ctx.c */
bool um_dir_exists(const char *path);
/* utf16.c: 1 UTF-16LE BOM, 2 UTF-16BE BOM, 0 none. */
int um_utf16_bom(const unsigned char *h, size_t n);
/* Converts UTF-16 (after the BOM) from in to UTF-8 in out, at most max_out
 * bytes (0: no limit). false on a write error. */
bool um_utf16_convert(FILE *in, FILE *out, bool be, size_t max_out);
/* rank.c: finding ids, scores, ranking; the scan is then readable. */
um_status um_scan_finalize(um_scan *s);

/* true (and one warning the first time) when limit which is reached at n. */
bool um_scan_over_limit(um_scan *scan, um_limit which, uint64_t n);

/* subjects.c */
um_status um_subjects_build(um_scan *scan);
/* Builds the index events are resolved through (once; before the first log
 * input: a scan of identity exports alone never needs it). */
um_status um_subjects_index(um_scan *scan);
um_sid um_subjects_resolve(um_scan *scan, const um_event *ev);
/* A hint only: starts loading the memo entry um_subjects_resolve will read
 * for ev, so the load overlaps other work (records.c: the Sigma prefilter). */
void um_subjects_prefetch(const um_scan *scan, const um_event *ev);
void um_free_resolve_memo(um_scan *scan);
bool um_valset_add(um_arena *a, um_valset *vs, const char *v, const char *file, uint64_t line);
/* subjects.c: a subject from another process's subject table (subtab.c),
 * appended with its id and identity flag and no values; *out its number. */
um_status um_subject_install(um_scan *s, const char *id, bool identity, um_sid *out);
/* subjects.c, on a worker running a person partition while the scan
 * replays (docs/SCALING.md): the log-only subject the scan numbered sid,
 * with its id. Subjects up to sid that this partition was not told of
 * (other partitions' accounts) are placeholders: no id (""), no identity,
 * no values. id NULL: only placeholders, up to sid subjects in all.
 * UM_EINVAL when sid is already a subject with an id. */
um_status um_subject_place(um_scan *s, um_sid sid, const char *id);
/* subtab.c: the subject table as the partitioned analyzers read it on a
 * worker (docs/SCALING.md): "UMT1", varint version (1), varint subjects,
 * each: string id, varint flags (1: an identity record), varint attribute
 * sets, each: varint attribute (UM_ATTR_COUNTRY, UM_ATTR_TIMEZONE or
 * UM_ATTR_SHIP_ADDRESS), varint values (>= 1), strings (not empty). A
 * ship-to address travels as its country only ("0 cc", which
 * um_ship_country reads as it reads the whole address), in the order of the
 * subject's addresses, those without a country left out: the street never
 * goes on the bus. Values' source file and line stay on the coordinator
 * (finish, which names them, runs there). */
void um_subtab_put(um_buf *out, const um_scan *s);
/* Loads a table into s, which must have no subjects yet; UM_EPARSE and *why
 * for bytes that are not one (hostile: ids unique and not empty, values
 * without NUL, attributes from the list, counts bounded by the bytes). */
um_status um_subtab_load(um_scan *s, const void *bytes, size_t n, const char **why);

/* score.c: combines findings into a score and level (fairness caps). */
void um_score_subject(const um_finding *const *f, size_t n, int *score, um_level *level);
/* Is the indicator a where-is-this-person signal (sign-in country, travel,
 * activity hours, commit offsets, input language)? Such findings cannot be
 * the independent corroboration a corroborate-only finding needs. */
bool um_score_is_locale(const char *indicator);

#endif
