/*
 * unmask.h - public API of libunmask.
 *
 * libunmask reads HR/applicant exports, payroll and shipping records, sign-in
 * logs, endpoint logs and git histories; joins them into claimed persons
 * ("subjects"); runs analyzers that produce explained findings; scores every
 * subject; and writes the results (JSON lines, SQLite case file).
 *
 * Conventions (stated once, valid for every function below):
 *
 *  - Every call that can fail returns an um_status. UM_OK is 0. On failure a
 *    human-readable message is kept on the handle and returned by
 *    um_ctx_errmsg() / um_scan_errmsg() until the next call on that handle.
 *  - The library never prints to stdout/stderr and never exits.
 *  - Ownership: strings passed in are borrowed for the duration of the call
 *    and copied if kept. Pointers handed out (const char *, const um_*_info *)
 *    are owned by the handle they came from and stay valid until that handle
 *    is freed. Objects created with um_X_new()/um_X_open() are freed with the
 *    matching um_X_free()/um_X_close(); passing NULL to those is a no-op.
 *  - An um_ctx holds compiled, immutable data (indicator lists, network lists,
 *    IP databases). Several um_scan handles may share one um_ctx; each um_scan
 *    must be used by one thread at a time.
 */
#ifndef UNMASK_H
#define UNMASK_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define UM_VERSION "0.1.0"
#define UM_SCHEMA_VERSION 1 /* version of subjects.jsonl / findings.jsonl */

typedef enum um_status {
    UM_OK = 0,
    UM_ENOMEM = 1,   /* allocation failed */
    UM_EIO = 2,      /* file could not be read or written */
    UM_EPARSE = 3,   /* input could not be parsed at all */
    UM_EINVAL = 4,   /* bad argument or option */
    UM_EDB = 5,      /* SQLite error */
    UM_ENOTFOUND = 6,/* file, format or item not found */
    UM_ELIMIT = 7,   /* a resource limit was reached */
    UM_EBUSY = 8,    /* the output folder is in use by another scan */
    UM_ECANCELED = 9 /* stopped by um_scan_set_cancel's flag */
} um_status;

const char *um_status_str(um_status st);

/* Mapped files and SIGBUS. The library maps large regular files (log
 * inputs, its journals) to read them; a file cut short by another process
 * while mapped raises SIGBUS. So that this is a counted error and not a
 * crash, the first time the library maps a file it installs a process-wide
 * SIGBUS handler (sigaction, SA_SIGINFO, through its OS seam): a fault in a
 * mapping the library is reading becomes zeros and the file is treated as
 * cut short (an input is read on to its new end, a journal or a content
 * hash fails with a clear error); any other SIGBUS goes on to the handler
 * installed before the library's, or to the default action. A program that
 * handles SIGBUS itself calls um_sigbus_guard(0) before opening a context:
 * the library then installs nothing and reads every file with read(),
 * never mapping one. um_sigbus_guard(1) undoes that. UM_EINVAL for 0 once
 * the handler is installed (it stays for the process's life). */
um_status um_sigbus_guard(int on);

typedef enum um_level {
    UM_LEVEL_CLEAN = 0,
    UM_LEVEL_REVIEW = 1,
    UM_LEVEL_HIGH = 2
} um_level;

const char *um_level_str(um_level lv);
/* Parses "clean", "review", "high"; returns -1 when unknown. */
int um_level_parse(const char *s);

/* ---- context: compiled, shareable data ---------------------------------- */

typedef struct um_ctx um_ctx;

typedef struct um_ctx_options {
    /* Folder with bundled lists (ioc/, network/). NULL: the compiled-in
     * install path, then ./data. */
    const char *data_dir;
    /* MaxMind-format databases. NULL: look in data_dir/ipdb/. Missing files
     * give a warning (um_ctx_warning) and no IP-database enrichment. */
    const char *country_mmdb;
    const char *asn_mmdb;
    /* Comma-separated remote-access tool names the organisation approves
     * (e.g. "ConnectWise,TeamViewer"); these never produce EP-02. */
    const char *approved_rmm;
    /* The company's software allowlist: a CSV with the columns product,
     * approved and scope (docs/sigma.md, "Approved tools"); a tool approved
     * for the person (role / department / host) gives no finding, one
     * approved only for others is reported as such. NULL: none. */
    const char *allowlist;
    /* More Sigma rules (a file or a folder of *.yml) run beside the
     * shipped rule pack; NULL: none. Refused rules are context warnings. */
    const char *rules;
    /* Parts opened on first use instead of at um_ctx_open (UM_CTX_LAZY_*
     * bits), for a caller that may never need them: `unmask screen` reads
     * the screening index, and the indicator lists only for an identifier.
     * 0 (the default): everything at open. A part opened late adds its
     * warnings (um_ctx_warning) then; opening is thread-safe (once, by the
     * first caller). A scan (um_scan_new) opens every lazy part. */
    unsigned lazy;
} um_ctx_options;

#define UM_CTX_LAZY_IPDB 1u /* IP databases and network lists */
#define UM_CTX_LAZY_IOC 2u  /* indicator lists (data/ioc) */

/* Opens a context. *out is set even on failure (to read the message) and
 * must be closed with um_ctx_close(). */
um_status um_ctx_open(um_ctx **out, const um_ctx_options *opt);
void um_ctx_close(um_ctx *ctx);
const char *um_ctx_errmsg(const um_ctx *ctx);
/* Non-fatal set-up warnings (e.g. "no IP database"), i from 0; NULL past the end. */
const char *um_ctx_warning(const um_ctx *ctx, size_t i);

/* Case settings: an input folder may hold unmask.conf, "key = value" lines
 * (# comments): approved_rmm = A,B (as um_ctx_options.approved_rmm),
 * allowlist = FILE (the software allowlist, a path relative to the folder)
 * and fail_on = review|high|never. Callers' own options win over these. */
typedef struct um_case_settings {
    char approved_rmm[512]; /* "" when not set */
    char allowlist[4096];   /* allowlist = FILE (relative to the folder); "" when not set */
    int fail_on;            /* -1 not set, else UM_LEVEL_REVIEW, UM_LEVEL_HIGH or 3 (never) */
} um_case_settings;

/* Sets *cs to "nothing set". */
void um_case_settings_init(um_case_settings *cs);
/* Reads DIR/unmask.conf when there is one (a later folder's settings
 * override an earlier one's); no file, or DIR not a folder, is UM_OK. On
 * a bad line UM_EPARSE (UM_EINVAL for a bad value), with the reason
 * ("PATH:LINE: ...") in err. */
um_status um_case_settings_read(const char *dir, um_case_settings *cs, char *err, size_t err_cap);

/* ---- scan ---------------------------------------------------------------- */

typedef struct um_scan um_scan;

um_status um_scan_new(um_ctx *ctx, um_scan **out);
void um_scan_free(um_scan *scan);
const char *um_scan_errmsg(const um_scan *scan);

/* Adds a file or a folder (walked recursively, sorted by name). format is a
 * reader name from um_reader_name() or NULL to detect from content. */
um_status um_scan_add_path(um_scan *scan, const char *path, const char *format);

/* Optional column-mapping file for HR/applicant exports ("column = field"
 * lines; see docs/FORMATS.md). */
um_status um_scan_set_mapping(um_scan *scan, const char *path);

/* An earlier case file (case.db) whose analysts' pair verdicts the linkage
 * honours (docs/SCHEMA.md, table verdicts): `same_person` links two subjects
 * as one operator, `not_same_person` keeps them out of one same-operator
 * cluster. Read when the scan runs; a missing file or table means none. The
 * CLI passes OUT/case.db, and the new case.db keeps the verdict rows. */
um_status um_scan_set_verdicts(um_scan *scan, const char *case_db);

/* Resource limits of one scan. Input is attacker-influenced: a log with
 * millions of made-up account names must not exhaust memory. When a limit is
 * reached the scan goes on, the excess is counted and one warning says what
 * was dropped. */
typedef enum um_limit {
    UM_LIMIT_PERSONS = 0,      /* identity records kept (default 20,000,000) */
    UM_LIMIT_IDENTITY_MB,      /* bytes of identity values kept, MiB (default 8192) */
    UM_LIMIT_LOG_SUBJECTS,     /* accounts/hosts seen only in logs (default 2,000,000) */
    UM_LIMIT_FINDINGS,         /* distinct findings (default 2,000,000) */
    UM_LIMIT__COUNT
} um_limit;

um_status um_scan_set_limit(um_scan *scan, um_limit which, uint64_t value);
/* Parses "persons=N,identity_mb=N,log_subjects=N,findings=N". */
um_status um_scan_set_limits(um_scan *scan, const char *spec);
/* Reads log inputs on n - 1 worker threads while the calling thread runs
 * the analyzers over what they read, input by input in order: results are
 * the same as with one thread. 0 means the number of online cores; the
 * default is 1 (everything on the calling thread). Before um_scan_run. */
um_status um_scan_set_threads(um_scan *scan, unsigned n);
/* With threads: JSON-lines log files of at least twice `bytes` are read in
 * line-aligned parts of about `bytes` on different threads (results stay
 * the same). 0 means the default, 8 MiB; at least 4096. Before um_scan_run. */
um_status um_scan_set_part_size(um_scan *scan, uint64_t bytes);
/* Runs the per-person analyzers as k instances, each fed the events of
 * the people hashed to its partition, and merges their state and findings
 * before the analyzers finish (docs/SCALING.md, "Partitioned analysis"):
 * results are the same as with 1 (the default). At most 1024. Before
 * um_scan_run. */
um_status um_scan_set_partitions(um_scan *scan, unsigned k);
/* Tests of partitions on other machines: with partitions, every partition's
 * state (its analyzer instances and findings, src/core/pstate.h) is saved
 * to bytes after the last event and loaded back into new instances, the
 * old ones freed, before the merge; results are the same. Before
 * um_scan_run. */
um_status um_scan_set_partition_roundtrip(um_scan *scan, bool on);

/* ---- scale-out over NATS JetStream (src/dist/, docs/SCALING.md) ---------- */

/* How to reach the bus. Strings are borrowed for the call they are passed
 * to (copied). Credentials: user + password, or token, or a creds file
 * (JWT + nkey seed), or a user nkey seed file (the server lists the public
 * key). TLS is used when tls is set or any tls_* option is. */
typedef struct um_nats_opts {
    const char *url;      /* "nats://host:port", several comma-separated */
    const char *user, *password;
    const char *token;
    const char *creds_file;
    bool tls;
    const char *tls_ca;   /* CA certificates (PEM) the server's is checked against */
    const char *tls_cert; /* client certificate and key (PEM), both or neither */
    const char *tls_key;
    const char *tls_name; /* the name the server's certificate must carry (default: the URL's host name) */
    const char *nkey_seed_file; /* a user nkey seed ("SU...", alone or in a block) */
    unsigned ack_wait_s;  /* worker: an unacknowledged unit is redelivered after this (default 30) */
    unsigned max_ack_pending; /* worker consumer: units out at once over all workers (default 256) */
    /* scan: the identity index's blocking runs on workers in this many
     * shards, observations routed by the hash of the canonical value
     * (0: 8; at most 1024; negative: on the scan's side) */
    int link_shards;
    /* scan: the per-person analyzers' partitions (hours, net, travel, code,
     * ioc, endpoint, browser, activity, link) run on workers, K of them,
     * events routed by the hash of their subject's id; their states come
     * back and are merged here (0: on the scan's side; 2 to 1024) */
    unsigned partitions;
} um_nats_opts;

/* Reads the log inputs through workers on the bus (`unmask worker`): each
 * log input's bytes are published, a worker reads and parses them and
 * sends back what its reader emitted, and this scan replays it in input
 * order, so the outputs are those of a local scan. Identity inputs, and
 * inputs whose readers must run here (EVTX, git), are read locally. The
 * connection is made by um_scan_run. Before um_scan_run. */
um_status um_scan_set_nats(um_scan *scan, const um_nats_opts *opts);

/* A worker: takes units of work from the bus until stopped. */
typedef struct um_worker um_worker;
um_status um_worker_new(um_ctx *ctx, const um_nats_opts *opts, um_worker **out);
void um_worker_free(um_worker *w);
const char *um_worker_errmsg(const um_worker *w);
/* Lines saying what the worker did (a unit taken, done, dropped), for a log. */
void um_worker_set_log(um_worker *w, void (*fn)(void *ud, const char *line), void *ud);
/* Testing the fault paths: pause this long after each result message. */
void um_worker_set_pause_ms(um_worker *w, unsigned ms);
/* Threads for person partitions (a scan's --nats-partitions), which take
 * their units from a queue of their own and hold them while the scan
 * replays its events (mostly waiting for them); 0: this worker runs
 * none. Default 4. */
void um_worker_set_partition_threads(um_worker *w, unsigned n);
/* Connects and serves with n threads (0: 1) for units, plus the partition
 * threads, until *stop is set (checked at least once a second) or a fatal
 * error: UM_OK when stopped, else the error with its message
 * (um_worker_errmsg). */
um_status um_worker_run(um_worker *w, unsigned n, const volatile sig_atomic_t *stop);

/* Continuous mode (docs/SCALING.md): events a log shipper publishes to
 * unmask.events.SOURCE (SOURCE a log reader's name: okta, entra,
 * winlog-jsonl ...; one or more lines a message, Nats-Msg-Id for the
 * shipper's retries) are taken from the durable consumer "unmask-follow",
 * kept in the spool folder (one file per stream sequence, written before
 * the message is acknowledged), and at most every interval_s seconds the
 * case in out_dir is scanned again from the identity inputs and the whole
 * spool; each finding line that is new or changed since the last round is
 * published to unmask.findings. A restart resumes from the durable
 * consumer: nothing lost, nothing counted twice. Runs until *stop. */
typedef struct um_follow_opts {
    const char *out_dir;
    const char *spool_dir; /* NULL: OUT_DIR.spool beside the case folder */
    const char *const *identity;
    size_t n_identity;
    unsigned interval_s;   /* 0: 10 */
} um_follow_opts;
um_status um_worker_follow(um_worker *w, const um_follow_opts *fo, const volatile sig_atomic_t *stop);

typedef struct um_progress {
    const char *file;      /* file being read */
    uint64_t bytes_done;   /* over all inputs */
    uint64_t bytes_total;
    uint64_t records;      /* records read so far */
} um_progress;
typedef void (*um_progress_fn)(void *ud, const um_progress *p);

/* Input walking (um_scan_add_path):
 *   - folders are walked recursively, sorted, hidden entries skipped, to a
 *     depth of max_depth folders below the one named (default 32); deeper
 *     folders are skipped with a warning;
 *   - symbolic links are followed, but every folder and file is read once:
 *     one met again (a link loop such as x -> ., overlapping inputs such as
 *     "demo demo/logs", a hard link) is skipped with a warning naming the
 *     first path, detected by device and inode;
 *   - "-", a pipe, a FIFO or a terminal named directly is read once as a
 *     stream, its format detected from its first bytes (or forced); when no
 *     byte arrives within the stream timeout (default 10 s; a FIFO with no
 *     writer) um_scan_add_path fails with a message. FIFOs, sockets and
 *     devices met inside a folder are skipped with a warning. EVTX needs a
 *     seekable file: from a stream it is rejected. */
#define UM_DEFAULT_MAX_DEPTH 32
#define UM_DEFAULT_STREAM_TIMEOUT_MS 10000
void um_scan_set_max_depth(um_scan *scan, int depth);
void um_scan_set_stream_timeout(um_scan *scan, int ms);

/* Reads every input, joins subjects, runs analyzers and scores. */
um_status um_scan_run(um_scan *scan, um_progress_fn cb, void *ud);

/* ---- incremental scans (docs/ARCHITECTURE.md "Incremental scans") -------- *
 *
 * um_scan_keep_journal: this scan records each input file's content hash
 * in the case's `inputs` table and, with records, keeps per input what its
 * reader produced (a journal), published with the output set in
 * dir/journal/ (um_scan_write_outputs(scan, dir)). Takes dir's lock
 * (um_scan_lock_output). Call before adding inputs.
 *
 * um_scan_add_case: as um_scan_keep_journal, and first adds the inputs of
 * the existing case in dir, in the case's order: a file whose size and
 * content hash are those the case recorded is replayed from its journal
 * instead of being parsed again (when the journal was written by this
 * version, the same reader and the same column mapping; else read again); a
 * file that changed since is refused (UM_EINVAL: it would be counted twice);
 * a file that is gone is replayed from its journal (a warning says so); a
 * folder (git repository) is read again. Then add the new inputs with
 * um_scan_add_path (one already in the case is "seen before") and run: the
 * result is the one a full scan over the old inputs followed by the new
 * ones gives, with the same options (mapping, limits, rules, allowlist). */
um_status um_scan_keep_journal(um_scan *scan, const char *dir, bool records);
um_status um_scan_add_case(um_scan *scan, const char *dir, bool records);

/* ---- results (valid after um_scan_run) ----------------------------------- */

typedef struct um_evidence {
    const char *file;   /* source file */
    uint64_t line;      /* 1-based line, 0 if not line-based */
    const char *record; /* record id inside the file, or NULL */
    int64_t time_us;    /* event time, UTC microseconds; INT64_MIN if none */
    const char *values; /* "key=value; ..." the analyzer looked at */
} um_evidence;

typedef struct um_finding_info {
    const char *id;         /* stable finding id (hex) */
    const char *indicator;  /* e.g. "EP-02", from docs/indicators.md */
    const char *analyzer;   /* analyzer name */
    const char *subject_id; /* subject the finding is about */
    const char *strength;   /* "weak", "medium", "strong" */
    int weight;             /* points added to the subject score */
    const char *summary;    /* one human sentence */
    const char *key;        /* what was aggregated over (tool, ip, ...) */
    uint64_t count;         /* events behind the finding */
    int64_t first_us, last_us;
    size_t n_evidence;
    const um_evidence *evidence;
} um_finding_info;

typedef struct um_subject_info {
    const char *id;          /* stable id "S-<hex>" */
    const char *display;     /* best name or account */
    size_t n_names;
    const char *const *names;
    size_t n_sources;        /* source ids joined into this subject */
    const char *const *sources; /* "employee_id=E1001", "okta=jdoe@x" ... */
    size_t n_joins;          /* how the join was made, one sentence each */
    const char *const *joins;
    int score;
    um_level level;
    size_t n_findings;       /* indexes into um_scan_finding(), by weight */
    const size_t *findings;
} um_subject_info;

/* Subjects ranked by score (desc), then id. */
size_t um_scan_subject_count(const um_scan *scan);
const um_subject_info *um_scan_subject(const um_scan *scan, size_t i);
size_t um_scan_finding_count(const um_scan *scan);
const um_finding_info *um_scan_finding(const um_scan *scan, size_t i);

typedef struct um_reject_info {
    const char *file;
    uint64_t line;
    const char *reader;
    const char *reason;
} um_reject_info;

typedef struct um_scan_stats {
    uint64_t files, bytes, records, events, persons, rejects, warnings;
    size_t subjects, findings;
    /* files: every input met; files_read of them were read, files_skipped
     * were not (each with a warning giving the reason: empty, format not
     * recognised in a folder, seen before, symbolic-link loop, too deep, not
     * a regular file); the rest were rejected whole (a reject says why). */
    uint64_t files_read, files_skipped;
    /* seconds spent reading inputs (readers and the per-event analyzers they
     * feed), in the rest of the analysis (joins, finish, ranking) and in
     * um_scan_write_outputs (0 before it ran) */
    double read_s, analyze_s, write_s;
    /* um_scan_set_partitions: person partitions that handled events, and
     * the analyzer calls routed to partition instances (0 without) */
    unsigned partitions_busy;
    uint64_t partition_calls;
    /* where um_scan_run's wall time went, in seconds: start (identity
     * inputs, subjects, up to the log inputs), logs (the log inputs), finish
     * (partition merge, the analyzers' finish, scoring). With threads, the
     * log phase's threads: CPU seconds of the scan's thread replaying events
     * in order (enrichment, subjects, analyzers, journals) and reading parts
     * itself while it had nothing to replay, the wall seconds it waited for
     * a worker, and the workers' CPU seconds and seconds waiting for room
     * (all 0 without workers). */
    double start_s, logs_s, finish_s;
    double replay_cpu_s, help_cpu_s, wait_s, workers_cpu_s, workers_wait_s;
    /* um_scan_set_partition_roundtrip: bytes of the partitions' saved
     * states, and the findings their tables carried */
    uint64_t partition_state_bytes, partition_state_findings;
    /* person partitions on workers (um_scan_set_nats with partitions): wall
     * seconds from the scan's last event to the last state loaded */
    double partition_tail_s;
    /* um_scan_write_outputs: wall seconds of the sinks (the rest of
     * write_s publishes the set), and the CPU seconds of the sinks marked
     * own_thread (case.db; on its own thread with more than one scan
     * thread) and of the other sinks */
    double sinks_s, casedb_cpu_s, sinks_cpu_s;
} um_scan_stats;

void um_scan_get_stats(const um_scan *scan, um_scan_stats *out);
/* Rejects and warnings are both kept (first UM_MAX_KEPT_REJECTS of each in
 * memory; all are counted). */
size_t um_scan_reject_count(const um_scan *scan);
const um_reject_info *um_scan_reject(const um_scan *scan, size_t i);
size_t um_scan_warning_count(const um_scan *scan);
const um_reject_info *um_scan_warning(const um_scan *scan, size_t i);

/* Subject i (rank order) as its subjects.jsonl line, without the newline.
 * The string is owned by the scan and valid until the next call. */
const char *um_scan_subject_json(um_scan *scan, size_t i);

/* Highest level of any subject. */
um_level um_scan_max_level(const um_scan *scan);

/* ---- sinks --------------------------------------------------------------- */

/* Writes the output set - subjects.jsonl, findings.jsonl, subjects.csv,
 * findings.csv, case.db - into dir (created, mode 0700) as one unit: the
 * whole set is built in a sibling folder (.NAME.tmp.PID beside dir) and
 * swapped with dir in one atomic step (renameat2 RENAME_EXCHANGE; two
 * renames where the file system lacks it, a moment in which dir is absent,
 * never mixed). A reader of dir sees the previous set or the new one; a
 * failed or cancelled run leaves the previous set byte for byte and removes
 * its temporaries; those of a killed run are removed by the next one. Other
 * files a user put in dir are carried over into the new set. The folder is
 * locked for the call (um_scan_lock_output; taken here when not already
 * held, without waiting). */
um_status um_scan_write_outputs(um_scan *scan, const char *dir);

/* Locks the output folder dir for this scan until um_scan_free, so two
 * scans never write one folder at once: the lock is the file .NAME.lock
 * beside dir (flock; released by the system if the process dies). Busy:
 * UM_EBUSY with a message naming the other process, or, when wait, blocks
 * until it is free. Take it before um_scan_run so a second scan learns at
 * once. */
um_status um_scan_lock_output(um_scan *scan, const char *dir, bool wait);
/* true while this scan holds its output-folder lock. */
bool um_scan_lock_held(const um_scan *scan);

/* Cancellation: while *flag (e.g. set by a signal handler) is non-zero the
 * scan stops at its next check point (each record, each input, each output
 * file, before the publish step) with UM_ECANCELED, removing its
 * temporaries. flag must outlive the scan; NULL turns it off. */
void um_scan_set_cancel(um_scan *scan, const volatile sig_atomic_t *flag);

/* ---- readers ------------------------------------------------------------- */

size_t um_reader_count(void);
const char *um_reader_name(size_t i);
const char *um_reader_description(size_t i);

/* ---- screening ---- */
/*
 * Sanctions screening (src/screen/, docs/SCREENING.md): names against the
 * OFAC SDN (CSV or advanced XML) and Consolidated lists, the UN consolidated
 * list, the EU financial sanctions file and the UK Sanctions List, identifiers (email, wallet,
 * GitHub handle, phone) against the indicator lists in data/ioc and the
 * identifiers in SDN remarks. A screener needs no um_ctx. It is immutable
 * after um_screener_open(), so one screener may serve many threads at once.
 * Results are owned by the caller (um_screen_result_free); their strings
 * stay valid until the result is freed.
 */
typedef struct um_screener um_screener;

typedef struct um_screener_options {
    const char *data_dir; /* bundled data (sanctions/, names/, ioc/); NULL: UNMASK_DATA_DIR, then ./data */
    const char *ofac_dir; /* folder with sdn.csv, alt.csv, add.csv, sdn_comments.csv; NULL: data_dir/sanctions/ofac */
    const char *un_xml;   /* UN consolidated.xml; NULL: data_dir/sanctions/un/consolidated.xml */
    const char *eu_xml;   /* EU financial sanctions file (FSF XML 1.1); NULL: data_dir/sanctions/eu/fsf.xml if present */
    /* The compiled index file (memory-mapped; rebuilt atomically when the
     * lists or the code change, or when it is corrupt). NULL: for the lists
     * of data_dir, data_dir/sanctions/screen.idx, else the user's cache
     * (~/.cache/unmask); lists given by path are compiled in memory. "":
     * no file. A path: that file (read, or written when stale). */
    const char *index_file;
    const char *uk_xml;   /* UK Sanctions List XML (FCDO); NULL: data_dir/sanctions/uk/UK-Sanctions-List.xml if present */
} um_screener_options;

/* *out is set even on failure (to read the message); close it either way. */
um_status um_screener_open(um_screener **out, const um_screener_options *opt);
void um_screener_close(um_screener *s);
const char *um_screener_errmsg(const um_screener *s);
/* The compiled index: *path the file read or written ("" when none),
 * *state "loaded", "built and written", "built (not written)" or "built in
 * memory (no index file)", *open_ms the time to map and check the file
 * (0 when built). Any pointer may be NULL; strings live as long as s. */
void um_screener_index_info(const um_screener *s, const char **path, const char **state, double *open_ms);
/* Load warnings (missing file, skipped rows), i from 0; NULL past the end.
 * The indicator lists' warnings come last: a screener with its own context
 * opens those lists when a call first reaches them (or at the first
 * identifier screened), not at um_screener_open. */
const char *um_screener_warning(const um_screener *s, size_t i);

typedef struct um_list_info {
    const char *list;  /* "OFAC SDN", "UN" */
    const char *path;  /* file read */
    const char *what;  /* what the file holds */
    const char *date;  /* list date YYYY-MM-DD (publisher's, else file time); NULL if unknown */
    int age_days;      /* days from date to now; -1 if unknown */
    size_t entries;    /* entries added by this file */
    size_t rows;       /* rows or names read */
} um_list_info;

size_t um_screener_list_count(const um_screener *s);
const um_list_info *um_screener_list(const um_screener *s, size_t i);
/* Totals over all lists: entries and names (primary + aliases) indexed. */
void um_screener_size(const um_screener *s, size_t *entries, size_t *names);

typedef enum um_screen_type {
    UM_SCREEN_ANY = 0,
    UM_SCREEN_PERSON = 1,
    UM_SCREEN_ENTITY = 2
} um_screen_type;

typedef struct um_screen_query {
    const char *name;    /* required */
    const char *dob;     /* "YYYY-MM-DD", "YYYY-MM" or "YYYY"; NULL if unknown */
    const char *country; /* nationality, ISO alpha-2 or English name; NULL if unknown */
    um_screen_type type;
    double threshold;    /* report matches scoring at least this; 0: default 0.80 */
    size_t limit;        /* at most this many matches; 0: default 10 */
} um_screen_query;

typedef struct um_screen_match {
    const char *list;         /* "OFAC SDN", "UN", or the indicator list for identifiers */
    const char *uid;          /* the list's own id: OFAC ent_num, UN reference number (KPi.066) */
    const char *entry_name;   /* the entry's primary name */
    const char *matched_name; /* the name or alias (or identifier) that matched */
    const char *alias_kind;   /* "primary", "a.k.a.", "f.k.a.", "weak a.k.a.", "original script", "identifier" */
    const char *entry_type;   /* "person", "entity", "vessel", "aircraft", "unknown" */
    double score;             /* 0..1, calibrated (docs/SCREENING.md) */
    const char *explanation;  /* entry, alias, token alignment, each part's contribution */
    /* the entry's own attributes, for confirming or clearing a name match */
    int dob_check;            /* query DOB against the listed ones: 1 agrees, -1 disagrees, 0 not compared */
    int country_check;        /* query nationality: 1 listed, -1 differs from the listed one, 0 not compared */
    const char *programs;     /* sanctions programmes of the entry ("DPRK3; DPRK4"), "" when none */
    const char *listed;       /* listed DOBs and nationalities ("DOB 1984-01-08; nationality KP"), "" when none */
    const char *also_listed;  /* the same party on other lists ("UN KPi.066"), "" when none; its matches follow */
} um_screen_match;

typedef struct um_screen_result um_screen_result;

/* Screens a name. UM_EINVAL for a missing name or malformed dob. */
um_status um_screen_name(const um_screener *s, const um_screen_query *q, um_screen_result **out);
/* Screens an identifier exactly (after canonicalisation: wallets in any
 * case where the chain ignores case, URL/@ forms of handles, phone
 * punctuation). kind: "email", "wallet", "github", "phone", "telegram". */
um_status um_screen_identifier(const um_screener *s, const char *kind, const char *value, um_screen_result **out);
size_t um_screen_result_count(const um_screen_result *r);
const um_screen_match *um_screen_result_match(const um_screen_result *r, size_t i);
/* How the query itself was read (units and keys), for explanations. */
const char *um_screen_result_query(const um_screen_result *r);
void um_screen_result_free(um_screen_result *r);
/* Installs new copies of the sanctions lists into data_dir/sanctions, from
 * from_dir (files brought by hand: sdn.csv, alt.csv, add.csv,
 * sdn_comments.csv, cons_*.csv, sdn_advanced.xml, consolidated.xml,
 * fsf.xml, UK-Sanctions-List.xml) or, when from_dir is NULL, downloaded
 * from the URLs of the sources file (data_dir/sanctions/sources.conf: the
 * publishers' HTTPS addresses). Every file is checked before anything is
 * replaced: loaded with the screener's own loaders and compared with the
 * installed copy, a list that stops loading, loses more than max_drop (0:
 * 10 %) of its entries or of a file's bytes, is dated before the installed
 * copy, or has new malformed rows is refused (UM_EPARSE) unless force; each
 * list folder is swapped in with one rename, so a truncated, malformed or
 * failed download never replaces good data. When fetching, each source
 * (the files of one list) is fetched, checked and installed on its own: a
 * failed source keeps its installed copy and makes the call fail (the
 * others are still installed). report (caller's buffer) says what was
 * fetched, checked and done. UM_ENOTFOUND: no list file in from_dir, or no
 * source to fetch. */
typedef struct um_lists_update_options {
    const char *data_dir; /* the folder holding sanctions/; NULL: as um_ctx_open finds it */
    const char *from_dir; /* files brought by hand; NULL: download them */
    double max_drop;      /* fraction, 0: 0.10 */
    int force;            /* non-zero: install even what the checks refuse */
    /* downloading (from_dir NULL) */
    const char *sources;  /* sources file; NULL: data_dir/sanctions/sources.conf */
    const char *only;     /* comma-separated sources to fetch ("ofac-sdn,uk"); NULL: all in the file */
    const char *proxy;    /* proxy URL; NULL: the https_proxy / all_proxy / no_proxy environment */
    long timeout_s;       /* per file, whole transfer; 0: 900 (a stalled transfer ends after 60 s) */
    long connect_timeout_s; /* 0: 30 */
    long long max_bytes;  /* per file; 0: 512 MiB */
    int allow_http;       /* non-zero: plain http:// URLs too (always allowed for a loopback host) */
} um_lists_update_options;
um_status um_lists_update(const um_lists_update_options *o, char *report, size_t cap);
/* ---- end screening ---- */

/* ---- case file: report and HTTP API (src/report/, docs/api.md) ---------- */
/*
 * An um_case reads a case file written by um_scan_write_outputs (case.db,
 * docs/SCHEMA.md) and, when opened writable, stores analysts' verdicts in it.
 * One um_case may be used by several threads (it serialises its own SQLite
 * use).
 */
typedef struct um_case um_case;

/* path: the case folder (holding case.db) or the case.db file. *out is set
 * even on failure (to read the message); close it either way. */
um_status um_case_open(um_case **out, const char *path, int writable);
void um_case_close(um_case *c);
const char *um_case_errmsg(const um_case *c);
/* The case.db path opened. */
const char *um_case_path(const um_case *c);
/* 1 when the case holds persona clusters (the clusters contract of
 * docs/SCHEMA.md); 0: the views show groups derived from shared identifiers. */
int um_case_has_clusters(const um_case *c);

/* Writes the self-contained HTML report (no network fetch; works from a
 * file URL) to out_path (mode 0600, written under a temporary name and
 * renamed). */
um_status um_report_write(um_case *c, const char *out_path);

/*
 * The JSON HTTP API as a pure function: request in, response out, no
 * sockets (the server in cli/serve.c only moves bytes). Every /v1 route
 * requires "Authorization: Bearer <token>"; the static UI files do not.
 * um_api_handle may be called from several threads at once.
 */
typedef struct um_api um_api;

typedef struct um_api_options {
    const char *case_path;   /* case folder or case.db (required) */
    int writable;            /* accept verdict POSTs */
    const char *token;       /* bearer token (required, >= 16 characters) */
    size_t max_body;         /* request body limit in bytes; 0: 64 KiB */
    const char *data_dir;    /* bundled lists (screening, IOC); NULL: default */
} um_api_options;

/* *out is set even on failure (to read the message); close it either way. */
um_status um_api_open(um_api **out, const um_api_options *opt);
void um_api_close(um_api *a);
const char *um_api_errmsg(const um_api *a);
size_t um_api_max_body(const um_api *a);

typedef struct um_api_request {
    const char *method;        /* "GET", "POST", ... */
    const char *path;          /* "/v1/subjects" (no query string) */
    const char *query;         /* raw query string without '?', or NULL */
    const char *authorization; /* Authorization header or NULL */
    const char *content_type;  /* Content-Type header or NULL */
    const char *body;          /* request body (not NUL-terminated) */
    size_t body_len;
    int body_too_large;        /* the server stopped reading at max_body */
} um_api_request;

typedef struct um_api_response {
    int status;               /* HTTP status */
    const char *content_type; /* static string */
    char *body;               /* owned by the response (um_api_response_free) */
    size_t body_len;
    const unsigned char *static_body; /* embedded asset (not freed) when body is NULL */
    int www_authenticate;     /* add "WWW-Authenticate: Bearer" (401) */
    int cacheable;            /* static asset: may be cached */
} um_api_response;

void um_api_handle(um_api *a, const um_api_request *rq, um_api_response *rs);
void um_api_response_free(um_api_response *rs);
/* Security headers every response carries (Content-Security-Policy etc.):
 * name/value pairs, i from 0; NULL past the end. */
const char *um_api_header_name(size_t i);
const char *um_api_header_value(size_t i);

/* 1 when a equals b, in time that depends only on the length of b (the
 * secret); 0 otherwise (also when either is NULL). */
int um_token_equal(const char *given, const char *secret);
/* Reads the bearer token from path, or creates it (32 random bytes,
 * base64url, file mode 0600, never replaced) when the file does not exist.
 * *created tells which. out must hold 64 bytes. */
um_status um_token_load_or_create(const char *path, char *out, size_t n, int *created, char *err, size_t errn);

#ifdef __cplusplus
}
#endif
#endif
