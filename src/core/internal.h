/*
 * internal.h - the data model and the stage interfaces inside libunmask.
 *
 *   sources -> readers -> records -> enrich -> subjects -> analyzers
 *           -> findings -> score -> sinks
 *
 * Records are of two kinds here:
 *   - um_person: one row of an identity source (HR/applicant export, payroll,
 *     shipping). A list of (attribute, value) pairs. Persons are joined into
 *     subjects by declared keys (um_attr_is_join_key()).
 *   - um_event: "account/host did X at time T" from a log. Events stream:
 *     they are enriched, resolved to a subject and handed to every analyzer,
 *     then forgotten. Analyzers keep bounded per-subject state.
 *
 * Ownership: strings inside an um_event or um_person handed to the scan are
 * borrowed for the duration of the call; the scan copies what it keeps.
 */
#ifndef UM_INTERNAL_H
#define UM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../../include/unmask.h"
#include "../util/timeparse.h"
#include "../util/util.h"
#include "pstate.h"
#include "../enrich/phone.h"

/* ---- identity records ---------------------------------------------------- */

/* X-macro: attribute, JSON/CSV field name used in mapping files and docs. */
#define UM_ATTR_LIST(X)                                                      \
    X(CANDIDATE_ID, "candidate_id")                                          \
    X(EMPLOYEE_ID, "employee_id")                                            \
    X(FULL_NAME, "full_name")                                                \
    X(FIRST_NAME, "first_name")                                              \
    X(LAST_NAME, "last_name")                                                \
    X(DOB, "date_of_birth")                                                  \
    X(EMAIL, "email")                  /* personal / applicant email */      \
    X(WORK_EMAIL, "work_email")        /* join key */                        \
    X(IDP_LOGIN, "idp_login")          /* Okta/Entra login, join key */      \
    X(USERNAME, "username")            /* endpoint / AD user, join key */    \
    X(HOSTNAME, "hostname")            /* assigned computer, join key */     \
    X(PHONE, "phone")                                                        \
    X(ADDRESS, "address")              /* street line(s) */                  \
    X(CITY, "city")                                                          \
    X(REGION, "region")                                                      \
    X(POSTAL_CODE, "postal_code")                                            \
    X(COUNTRY, "country")              /* claimed country of residence */    \
    X(TIMEZONE, "timezone")            /* claimed IANA zone or UTC offset */ \
    X(LINKEDIN, "linkedin")                                                  \
    X(GITHUB, "github")                                                      \
    X(GIT_EMAIL, "git_email")          /* commit author email, join key */   \
    X(RESUME, "resume_text")                                                 \
    X(REFERRED_BY, "referred_by")                                            \
    X(HIRE_DATE, "hire_date")                                                \
    X(ROLE, "role")                                                          \
    X(DEPARTMENT, "department")        /* team / org unit (allowlist scope) */ \
    X(PAYOUT_ACCOUNT, "payout_account") /* bank account / IBAN / PayPal */   \
    X(PAYOUT_NAME, "payout_name")      /* account holder name */             \
    X(WALLET, "wallet")                                                      \
    X(PAYOUT_METHOD, "payout_method")                                        \
    X(CHANGE_DATE, "change_date")                                            \
    X(DEVICE_SERIAL, "device_serial")                                        \
    X(SHIP_ADDRESS, "ship_address")    /* full ship-to address */            \
    X(SHIP_DATE, "ship_date")                                                \
    X(TELEGRAM, "telegram")                                                  \
    X(PHOTO, "photo")                  /* profile photo file (JPEG/PNG) */     \
    X(LANGUAGES, "languages")          /* languages the person says they use */ \
    X(NATIONAL_ID, "national_id")      /* SSN / national id: fuzzy person matching only */

typedef enum um_attr {
#define UM_ATTR_ENUM(id, name) UM_ATTR_##id,
    UM_ATTR_LIST(UM_ATTR_ENUM)
#undef UM_ATTR_ENUM
    UM_ATTR__COUNT
} um_attr;

const char *um_attr_name(um_attr a);
/* -1 when unknown. */
int um_attr_from_name(const char *name);
bool um_attr_is_join_key(um_attr a);

typedef struct um_kv {
    um_attr attr;
    const char *value;
} um_kv;

typedef enum um_person_kind {
    UM_PERSON_APPLICANT,
    UM_PERSON_EMPLOYEE,
    UM_PERSON_PAYROLL,
    UM_PERSON_SHIPPING
} um_person_kind;

typedef struct um_person {
    um_person_kind kind;
    const char *file;
    uint64_t line;
    size_t n;
    const um_kv *kv;
} um_person;

/* ---- events -------------------------------------------------------------- */

typedef enum um_event_kind {
    UM_EV_SIGNIN,   /* IdP sign-in / authentication */
    UM_EV_LOGON,    /* Windows logon 4624/4625, RDP */
    UM_EV_PROCESS,  /* process start (Sysmon 1, 4688) */
    UM_EV_NETCONN,  /* network connection (Sysmon 3, Zeek conn) */
    UM_EV_DNS,      /* DNS query (Sysmon 22) */
    UM_EV_FILE,     /* file create (Sysmon 11) */
    UM_EV_USB,      /* device attached (PnP, USB text) */
    UM_EV_REMOTE,   /* remote-desktop protocol session seen (Zeek rfb/rdp) */
    UM_EV_COMMIT,   /* git commit */
    UM_EV_OTHER,
    UM_EV_RAW       /* a Windows record of a type only the Sigma rules read
                       (Sysmon 10, 7045 ...): fields set; not counted as an
                       event, not enriched, its subject resolved on a hit */
} um_event_kind;

const char *um_event_kind_name(um_event_kind k);

/* Network classification bits (enrich/ip.c). */
enum {
    UM_NET_PRIVATE = 1u << 0,  /* private, loopback, link-local: never geolocated */
    UM_NET_DPRK = 1u << 1,     /* inside DPRK-allocated space */
    UM_NET_VPN = 1u << 2,      /* VPN provider range / ASN */
    UM_NET_HOSTING = 1u << 3,  /* datacenter / hosting */
    UM_NET_ASTRILL = 1u << 4,  /* Astrill VPN specifically */
    UM_NET_PROXY_LOG = 1u << 5 /* the log itself says anonymising proxy */
};

typedef struct um_event {
    um_event_kind kind;
    int64_t ts;        /* UTC microseconds, UM_TIME_NONE when unknown */
    int tz_min;        /* UTC offset the source recorded (git), if has_tz */
    bool has_tz;
    int success;       /* 1 success, 0 failure, -1 not applicable/unknown */
    const char *user;  /* account as logged: email, DOMAIN\user, git email */
    const char *user_name; /* display name when the log has one */
    const char *host;  /* computer the event happened on */
    const char *ip;    /* remote address: sign-in client, connection peer */
    uint32_t port;     /* remote port (netconn) */
    const char *country; /* ISO2 country the log itself reports (Okta, Entra) */
    const char *city;
    uint32_t asn;      /* ASN the log itself reports, 0 unknown */
    const char *as_org;
    int is_proxy;      /* log's own proxy verdict: 1, 0, -1 unknown */
    const char *action;  /* eventType / operation / EventID text */
    const char *app;     /* application signed in to */
    const char *image;   /* process image path */
    const char *cmdline;
    const char *product; /* PE metadata: Product / Company / Description */
    const char *company;
    const char *description;
    const char *original_file;
    const char *parent_image;
    const char *target;  /* file path, DNS query name, URL */
    const char *device_id;   /* PnP DeviceId or USB path */
    const char *device_desc;
    int usb_vid, usb_pid;    /* -1 when unknown */
    const char *usb_serial;
    const char *subject_text; /* commit subject */
    const char *browser_hash; /* Okta debugData.dtHash: the browser's device token hash */
    double lat, lon;          /* the log's own geolocation of ip (Okta, Entra), if has_geo */
    bool has_geo;
    const char *src_file;
    uint64_t src_line;
    const char *record_id;
    /* The record's own fields (Windows EventData/System names, Zeek names,
     * or a reader's presentation in Sysmon names), borrowed like the rest:
     * what the Sigma rules (detect/rules.c) match. NULL for sources without. */
    const struct um_winfields *fields;
    /* Set when the event was read in a part (src/core/partition.h) and no
     * analyzer's prefilter needed its field bag: fields is then an empty
     * bag standing for the record's (not copied). */
    bool fields_dropped;
    /* filled by enrich */
    const char *ip_country;  /* from IP database; NULL if none/private */
    uint32_t ip_asn;
    const char *ip_org;
    uint32_t net_flags;
} um_event;
struct um_winfields;
static inline void um_event_set_fields(um_event *ev, const struct um_winfields *f) { ev->fields = f; }

/* ---- readers ------------------------------------------------------------- */

typedef struct um_reader_ctx um_reader_ctx;

/* Phase 0 readers make identity records and run before phase 1 (events), so
 * every event can be resolved to a subject as it streams. */
typedef struct um_reader {
    const char *name;        /* stable, used by --format */
    const char *description; /* one line for --help / docs */
    int phase;               /* 0 identity, 1 events */
    /* Content sniffing: returns a confidence 0..100 that this reader handles
     * a file starting with head[0..n) named path. */
    int (*detect)(const char *path, const char *head, size_t n);
    /* Reads the whole stream, calling um_emit_* and um_reject as it goes.
     * Returns UM_OK unless reading itself failed (I/O); bad records are
     * rejects, not errors. f is NULL for a folder input (one this reader
     * claimed with claims_dir); um_rc_file() gives its path. */
    um_status (*read)(um_reader_ctx *rc, FILE *f);
    /* Optional: true when the folder at path is one input for this reader
     * (a git repository: its history), not a folder to walk. */
    bool (*claims_dir)(const char *path);
    /* Takes CSV files whose header none of the readers knows but the
     * --mapping file maps (identity exports with unusual column names). */
    bool takes_mapped_csv;
    /* Must run on the scan's own thread (libevtx's child process, libgit2):
     * with --threads, other log inputs are read on worker threads. */
    bool serial;
    /* Optional: the reader reads a file in line-aligned parts, each on its
     * own (src/core/partition.h). splittable() says whether a file starting
     * with head[0..n) may be split (JSON lines, not an array); read() is
     * then called once per part with um_rc_part(rc) set, and keeps its
     * end-of-file tallies in the part's summary (part_size bytes, plain
     * data) instead of warning; part_merge folds a later part's summary
     * into an earlier one's; part_finish warns as read() would at the end
     * of the whole file. */
    bool (*splittable)(const char *head, size_t n);
    size_t part_size;
    void (*part_merge)(void *into, const void *part);
    void (*part_finish)(um_reader_ctx *rc, const void *merged);
} um_reader;

const um_reader *um_reader_at(size_t i);
const um_reader *um_reader_find(const char *name);
/* The reader with the highest detect() score (> 0), or NULL. */
const um_reader *um_reader_detect(const char *path, const char *head, size_t n);
/* The reader whose claims_dir() takes the folder at path, or NULL. */
const um_reader *um_reader_for_dir(const char *path);
/* The reader for CSV files the --mapping file maps, or NULL. */
const um_reader *um_reader_for_mapped_csv(void);

/* What a reader can call. */
const char *um_rc_file(const um_reader_ctx *rc);
struct um_scan *um_rc_scan(um_reader_ctx *rc);
/* Column mapping from --mapping: source column name -> attribute, or -1. */
int um_rc_mapped_attr(um_reader_ctx *rc, const char *column);
void um_rc_progress(um_reader_ctx *rc, uint64_t bytes_read);
/* The part being read (src/core/partition.h), NULL when the whole file is. */
struct um_part *um_rc_part(const um_reader_ctx *rc);
um_status um_emit_event(um_reader_ctx *rc, um_event *ev);
um_status um_emit_person(um_reader_ctx *rc, const um_person *p);
/* A record that could not be used. line is 1-based (0 when not known). */
void um_reject(um_reader_ctx *rc, uint64_t line, const char *fmt, ...) UM_PRINTF(3, 4);
/* A record that was used but had something wrong worth telling. */
void um_warn(um_reader_ctx *rc, uint64_t line, const char *fmt, ...) UM_PRINTF(3, 4);
void um_event_init(um_event *ev);

#define UM_LINES_PADDING 64 /* == UM_JSON_PADDING */
/* Line reader with padding for the JSON parser; lines may hold NUL bytes.
 * Lines longer than max are skipped whole and reported via *too_long. */
typedef struct um_lines {
    FILE *f;
    char *buf;
    size_t cap, fill, pos;
    uint64_t lineno; /* line number of the line last returned (1-based) */
    uint64_t bytes;  /* bytes consumed so far */
    size_t max;
    uint64_t n_too_long; /* lines um_rsink_next_line rejected as too long */
    bool eof, skipping;
    bool padded;      /* saved[] holds bytes overwritten at saved_at */
    size_t saved_at;
    char saved[UM_LINES_PADDING];
    /* zero-copy (um_lines_allow_map): lines returned in place from the
     * registered mapping of the file; NULL when reading through f */
    const struct um_lines_map *map;
    uint64_t mpos, mend, mseen; /* next byte; end of the mapped range; bytes passed to map->seen */
    uint64_t mdrop;             /* pages before this were given back (MADV_DONTNEED) */
    uint64_t mfault;            /* page tables are filled up to here (MADV_POPULATE_READ) */
} um_lines;
void um_lines_init(um_lines *l, FILE *f, size_t max);
void um_lines_free(um_lines *l);
/* Next line without its newline (and without a trailing \r). Returns false
 * at end of file. *too_long is set when the line exceeded max (then *line is
 * an empty string). UM_LINES_PADDING readable bytes follow the line: NUL
 * bytes, unless the reader called um_lines_allow_map (then any bytes). */
bool um_lines_next(um_lines *l, const char **line, size_t *len, bool *too_long);

/* A regular file mapped read-only for the line reader. A driver that hands
 * a reader a FILE on a regular file (run.c, threads.c) may map the file and
 * register the mapping for its thread around reader->read; a reader that
 * does not need its lines NUL-terminated (only UM_LINES_PADDING readable
 * bytes after them: the JSON parser's promise) calls um_lines_allow_map
 * after um_lines_init, and its lines then come straight from the mapping,
 * without the kernel copying the file into a buffer. Bytes are the same
 * either way: the line reader starts at f's position, reads [that, end) of
 * the mapping, and goes back to reading f (seeked to where it stopped) for
 * a line too near the file's mapped end for the padding, one without a
 * newline, or bytes past the size mapped (a file still growing). seen(),
 * when set, is called with the mapped bytes in file order, once each, as
 * the reader passes over them (the journal's content hash, journal.c). */
typedef struct um_lines_map {
    FILE *f;          /* the stream the reader is given */
    const char *base; /* bytes [0, size) of the file */
    uint64_t size;
    uint64_t end; /* the part's end (UINT64_MAX: the whole file) */
    void (*seen)(void *ud, uint64_t off, const char *p, size_t n);
    void *ud;
} um_lines_map;
/* Maps fd (a regular file, not empty) for f; false (m cleared) when it cannot. */
bool um_lines_map_fd(um_lines_map *m, FILE *f, int fd, uint64_t end);
void um_lines_map_close(um_lines_map *m);
/* Registers m for this thread (NULL: none) until the next call. */
void um_lines_map_use(const um_lines_map *m);
/* Lets l read zero-copy from the mapping registered for l->f, if any. */
void um_lines_allow_map(um_lines *l);
/* Calls fn over [p, p + n) of a file mapping under the same SIGBUS guard:
 * false when the file was cut short while fn read it (fn then saw zeros
 * past the cut; the caller drops what it computed), never a crash; false
 * too when the guard is off (the caller maps nothing then: um_lines_guard). */
bool um_lines_map_read(const char *p, size_t n, void (*fn)(void *ud, const char *p, size_t n), void *ud);
/* True when the SIGBUS guard is installed (installing it through the OS
 * seam on the first call); false: it is off (um_sigbus_guard(0), or the seam
 * has none) and files must be read, not mapped. */
bool um_lines_guard(void);
/* The same guard around code that reads [p, p + n) between begin and end
 * on this thread (nests); end is false when the file was cut short
 * meanwhile (the code read zeros past the cut). Only after um_lines_guard()
 * said true. */
typedef struct um_lines_guarded {
    const um_lines_map *prev;
    sig_atomic_t prev_bus;
    um_lines_map map;
} um_lines_guarded;
void um_lines_guard_begin(um_lines_guarded *g, const void *p, size_t n);
bool um_lines_guard_end(um_lines_guarded *g);

/* ---- warnings while building compiled data -------------------------------- */

/* A list of warning sentences. Code that builds compiled data (IP and
 * indicator lists, analyzers' compile steps) notes warnings here instead of
 * reaching into a context or a scan; the context keeps its own as ctx
 * warnings, a compiled analyzer replays its own into every scan
 * (um_notes_replay -> um_scan_warn), so each scan's output still says them. */
typedef struct um_notes {
    char **v;
    size_t n, cap;
} um_notes;
void um_notes_add(um_notes *n, const char *fmt, ...) UM_PRINTF(2, 3);
void um_notes_replay(const um_notes *n, struct um_scan *scan, const char *about);
void um_notes_free(um_notes *n);

/* ---- enrichment ---------------------------------------------------------- */

typedef struct um_ipdb um_ipdb;
/* Opens databases and bundled lists; missing or bad ones are warnings. */
um_status um_ipdb_open(um_ipdb **out, const um_ctx_options *opt, const char *data_dir, um_notes *warnings);
void um_ipdb_close(um_ipdb *db);
/* Fills ip_country/ip_asn/ip_org/net_flags (strings owned by db). */
void um_ipdb_enrich(um_ipdb *db, um_event *ev);
/* A hint only: starts loading the cache line um_ipdb_enrich will read for
 * address ip (may be NULL), so the load overlaps other work. */
void um_ipdb_prefetch(const um_ipdb *db, const char *ip);

/* ---- indicator lists (IOC) ----------------------------------------------- */

typedef struct um_ioc um_ioc;
um_status um_ioc_open(um_ioc **out, const char *data_dir, um_notes *warnings);
void um_ioc_close(um_ioc *ioc);
typedef struct um_ioc_hit {
    const char *type;   /* wallet, email, github, phone, telegram, ... */
    const char *value;  /* canonical value matched */
    const char *source; /* list / reference */
    const char *note;
    bool sanctioned;    /* from an OFAC/UN designation: IOC-01 */
} um_ioc_hit;
/* Exact match of a canonicalised value of the given type; NULL when none. */
const um_ioc_hit *um_ioc_lookup(const um_ioc *ioc, const char *type, const char *value);
size_t um_ioc_count(const um_ioc *ioc);

/* ---- subjects ------------------------------------------------------------ */

typedef struct um_subject um_subject;
/* Index of the subject for a record; -1 when none. */
typedef int32_t um_sid;

/* ---- findings ------------------------------------------------------------ */

typedef enum um_strength { UM_WEAK = 0, UM_MEDIUM = 1, UM_STRONG = 2 } um_strength;
const char *um_strength_str(um_strength s);

/* Flags on a finding. */
enum {
    /* Sensitive signal (language, locale, travel): may only corroborate; it
     * never counts unless the subject has an independent medium/strong
     * finding, and it never raises the level on its own. */
    UM_F_CORROBORATE_ONLY = 1u << 0
};

typedef struct um_finding_spec {
    const char *indicator; /* "EP-02" */
    const char *analyzer;  /* "endpoint" */
    um_strength strength;
    int weight;
    unsigned flags;
    const char *key;       /* aggregation key (tool name, ip, address ...) */
} um_finding_spec;

/* Records (or aggregates into) the finding (subject, indicator, key):
 * count += 1, first/last time widened, evidence kept up to a few samples.
 * summary is formatted only when the finding is new. ev may be NULL (then
 * evidence comes from file/line/values). values: "k=v; ..." text. */
um_status um_finding_add(struct um_scan *scan, um_sid subject, const um_finding_spec *spec,
                         const um_event *ev, const char *file, uint64_t line,
                         const char *values, const char *summary_fmt, ...)
    UM_PRINTF(8, 9);

/* For analyzers that aggregate events themselves: adds n more events, the
 * latest at last_us (UM_TIME_NONE if unknown), to the finding (subject,
 * indicator, key) that um_finding_add created. UM_ENOTFOUND if there is none,
 * except when the findings limit refused it (UM_OK: nothing to count on). */
um_status um_finding_add_count(struct um_scan *scan, um_sid subject, const char *indicator, const char *key,
                               uint64_t n, int64_t last_us);

/* ---- analyzers ----------------------------------------------------------- */

typedef struct um_analyzer {
    const char *name;
    const char *description;
    /* After identity records are joined (before events). */
    um_status (*on_subjects)(struct um_scan *scan, void **state);
    /* Every event, already enriched and resolved (subject may be -1). */
    um_status (*on_event)(struct um_scan *scan, void *state, um_sid subject, const um_event *ev);
    /* After all events. */
    um_status (*finish)(struct um_scan *scan, void *state);
    void (*free_state)(void *state);
    /* Optional: builds the analyzer's immutable data (rule tables, list
     * indexes) once per um_ctx; every scan (and thread) then shares it
     * read-only through um_ctx_compiled(). Runs at um_ctx_open, or on first
     * use when lazy (for costly data not every scan needs). A failure that
     * should not stop scans is recorded inside *compiled, not returned. */
    um_status (*compile)(um_ctx *ctx, void **compiled);
    void (*free_compiled)(void *compiled);
    bool lazy;
    /* Optional, thread-safe: the parallel half of on_event, run where the
     * event is read (a worker thread; src/core/partition.h, point 3). Reads
     * only ev and the compiled data; *scratch is the caller's per-thread
     * slot for this analyzer (NULL at first, freed with free_scratch).
     * Returns true when on_event needs ev->fields (or cannot tell). An
     * analyzer that reads ev->fields must have one (without, the bag of an
     * event read in a part is dropped when no prefilter needs it). */
    bool (*prefilter)(um_ctx *ctx, void **scratch, const um_event *ev);
    void (*free_scratch)(void *scratch);
    /* With a prefilter: a digest of what its decisions depend on in the
     * compiled data (equal digests, equal decisions). An input's journal
     * (core/journal.c) keeps only the bags the prefilters asked for, so it
     * is replayed only under the same digest. */
    uint64_t (*prefilter_digest)(const void *compiled);
    /* Optional, together: analysis partitioned by person (src/core/pmerge.c,
     * partition.h 5.). part_new makes an empty instance for one person
     * partition; primary is the state on_subjects made, which the instance
     * may read but never change; it reports nothing (no findings, no
     * warnings: what on_subjects reported stays the primary's). Each
     * partition instance then sees on_event for its own persons' events
     * only (sid < 0 events go to partition 0). After the last event, merge
     * folds every partition instance into the primary, partitions in
     * order, and takes ownership of `from` (frees it or keeps its storage);
     * finish then runs once on the primary. An analyzer with these hooks
     * keeps per-person state only, adds findings in on_event only for the
     * event's subject, and warns in on_event about nothing. */
    um_status (*part_new)(struct um_scan *scan, const void *primary, void **out);
    um_status (*merge)(struct um_scan *scan, void *into, void *from);
    /* Optional, with part_new / merge: a partition's instance as bytes, so
     * a partition can run in another process and be merged here (pstate.h,
     * pmerge.c). save appends the instance's state after its last event to
     * out, deterministically, starting with the version of its own format;
     * it does not change the instance. load makes an instance from bytes
     * another process saved (primary is this scan's, as for part_new),
     * reads only what r holds and must read it all; subject-derived data
     * (claims, identity) it takes from this scan's subject table. The bytes
     * are hostile: a bad state is UM_EPARSE with r->bad set (um_pk_fail),
     * nothing leaked, *out untouched. */
    um_status (*save)(struct um_scan *scan, const void *inst, um_buf *out);
    um_status (*load)(struct um_scan *scan, const void *primary, struct um_pk *r, void **out);
} um_analyzer;

size_t um_analyzer_count(void);
const um_analyzer *um_analyzer_at(size_t i);
/* Index of a in the table, or -1. */
int um_analyzer_index(const um_analyzer *a);
/* The data a->compile built for ctx (NULL when a has no compile step).
 * Thread-safe: a lazy analyzer is compiled once, by the first caller. */
um_status um_ctx_compiled(um_ctx *ctx, const um_analyzer *a, const void **out);
/* The data a->compile built for ctx if it is built already, else NULL (never
 * compiles: for code on worker threads, where a scan compiled what its
 * prefilters and gates need before they started; um_scan_prepare). */
const void *um_ctx_compiled_peek(um_ctx *ctx, const um_analyzer *a);


/* What analyzers may read about the scan. */
um_ctx *um_scan_ctx(struct um_scan *scan);
/* true: a reader's gate (um_rules_want_signins) must say yes, whatever the
 * context's pack holds (a worker reading for a scan with other rules). */
bool um_scan_gates_open(const struct um_scan *scan);
/* The folder with bundled lists and rules (data/). */
const char *um_ctx_data_dir(const um_ctx *ctx);
/* um_ctx_options.allowlist / .rules as given (NULL when not set). */
const char *um_ctx_allowlist_path(const um_ctx *ctx);
const char *um_ctx_rules_path(const um_ctx *ctx);
/* A warning about the scan as a whole (a rule file that could not be read,
 * an identifier too common to link), kept with the rejects and warnings;
 * about names the analyzer (e.g. "link"). */
void um_scan_warn(struct um_scan *scan, const char *about, const char *fmt, ...) UM_PRINTF(3, 4);
um_ipdb *um_ctx_ipdb(um_ctx *ctx);
um_ioc *um_ctx_ioc(um_ctx *ctx);
/* Approved remote-access tool (case-insensitive name)? */
bool um_ctx_rmm_approved(const um_ctx *ctx, const char *tool);
size_t um_scan_nsubjects(const struct um_scan *scan);
/* Threads the scan may use (um_scan_set_threads; 1: the scan's own only). */
unsigned um_scan_thread_count(const struct um_scan *scan);
/* The position of the event on_event is handling: grows with every event
 * in the one-thread order (0 before the first), the same whether the
 * analysis is partitioned or not. An analyzer whose merge hook must put
 * partitions' state back in event order records it (src/detect/browser.c). */
uint64_t um_scan_position(const struct um_scan *scan);
/* The per-scan state analyzer a made in on_subjects (NULL if none): for an
 * analyzer's own sink-side code (src/detect/activity.c). */
void *um_scan_analyzer_state(const struct um_scan *scan, const struct um_analyzer *a);
/* Values of one attribute joined into subject s (deduplicated, canonical
 * lower-case for emails/handles); *n set to the count. */
const char *const *um_subject_values(const struct um_scan *scan, um_sid sid, um_attr a, size_t *n);
/* The same with where each value came from: file[k], line[k] for value k. */
const char *const *um_subject_values_at(const struct um_scan *scan, um_sid sid, um_attr a, size_t *n,
                                        const char *const **file, const uint64_t **line);
/* The subject at rank r of the results (um_scan_subject(scan, r)); -1 past
 * the end or before the scan ran. */
um_sid um_scan_ranked_sid(const struct um_scan *scan, size_t r);
/* Where the first value of attribute a came from (file, line). */
bool um_subject_value_src(const struct um_scan *scan, um_sid sid, um_attr a, const char *value,
                          const char **file, uint64_t *line);
const char *um_subject_id(const struct um_scan *scan, um_sid sid);
const char *um_subject_display(const struct um_scan *scan, um_sid sid);
/* true when the subject came from an HR/applicant/payroll record, false for
 * an account or host seen only in logs. */
bool um_subject_has_identity(const struct um_scan *scan, um_sid sid);

/* ---- screening (src/screen/) -------------------------------------------- */

/* um_screener_open() reading indicator lists and the data folder from ctx,
 * which must outlive the screener (used to compile the sanctions analyzer). */
um_status um_screener_open_ctx(um_screener **out, const um_screener_options *opt, um_ctx *ctx);

/* ---- sinks (src/sink/, one file each, one line in sinks.def) ----------------- */

/* A sink writes the results of a finished scan into the output folder,
 * reading them only through the result accessors (unmask.h um_scan_subject,
 * um_scan_finding, um_scan_reject, um_scan_get_stats ...; here
 * um_scan_ranked_sid, um_subject_values_at). It writes through the OS seam
 * (um_write_file_atomic) and computes nothing. Sinks run in table order. */
typedef struct um_sink {
    const char *name;
    const char *description;
    um_status (*write)(struct um_scan *scan, const char *dir);
    /* May run on its own thread beside the others (with more than one scan
     * thread, um_scan_set_threads): it only reads the results and writes
     * its own files; its warnings and errors are taken under a lock. */
    bool own_thread;
} um_sink;

size_t um_sink_count(void);
const um_sink *um_sink_at(size_t i);
/* true once the scan's cancel flag is set (um_scan_set_cancel): a long sink
 * checks it now and then and returns um_scan_cancel_status(). */
bool um_scan_cancelled(const struct um_scan *scan);
um_status um_scan_cancel_status(struct um_scan *scan);
/* Every input met (in order) and what became of it, for the case file. */
typedef struct um_input_info {
    const char *path;
    const char *format; /* reader name, NULL when none */
    uint64_t size;      /* bytes (of a stream: read) */
    const char *status; /* "read", "skipped", "rejected", "not read" */
    const char *reason; /* why skipped or rejected whole, or NULL */
    bool has_hash;
    uint64_t hash;       /* content hash of a file read (journal.c) */
    const char *journal; /* its journal in CASE/journal/, or NULL */
} um_input_info;
size_t um_scan_input_count(const struct um_scan *scan);
void um_scan_input_at(const struct um_scan *scan, size_t i, um_input_info *out);
/* Sets the scan's error message (what a failing sink reports). */
void um_scan_set_error(struct um_scan *scan, const char *fmt, ...) UM_PRINTF(2, 3);
/* Writes b to dir/name atomically through the OS seam (temporary, fsync,
 * rename); on failure the scan's error says why. */
um_status um_write_file_atomic(struct um_scan *scan, const char *dir, const char *name, const um_buf *b);
/* The same for a large file, never whole in memory: gen(arg, b) appends the
 * next piece (a line or a few) to b and returns true, false at the end;
 * what it appended is written out about a megabyte at a time. */
typedef bool (*um_gen_fn)(void *arg, um_buf *b);
um_status um_write_file_stream(struct um_scan *scan, const char *dir, const char *name, um_gen_fn gen, void *arg);
/* One RFC 4180 cell, formula-neutralised (a leading = + - @ TAB CR gets '). */
void um_csv_cell(um_buf *b, const char *v);
/* One subject as a JSON object (subjects.jsonl line, um_scan_subject_json). */
void um_json_subject(um_buf *b, const struct um_scan *scan, const um_subject_info *u);

/* ---- linkage output (detect/link.c) ---------------------------------------- */

/* clusters.jsonl of a finished scan written as dir/name through
 * um_write_file_stream, a line at a time (empty when the link analyzer did
 * not run); the case.db tables clusters, cluster_members,
 * cluster_edges and generic_values written into an open sqlite3 handle. */
um_status um_link_clusters_write(struct um_scan *scan, const char *dir, const char *name);
um_status um_link_case_tables(const struct um_scan *scan, void *sqlite_db);
/* The earlier case.db named by um_scan_set_verdicts (NULL when none): its
 * verdict rows are copied into the new case.db. */
const char *um_scan_verdicts_db(const struct um_scan *scan);

/* ---- canonical forms (enrich/canon.c) ------------------------------------ */

/* Each writes a canonical form of s into the arena and returns it, or NULL
 * when s is not a valid value of that kind. */
/* Every canonical form is a fixed point: canonicalising it again gives the
 * same text (and never NULL). fuzz/fuzz_canon.c checks both. */
char *um_canon_email(um_arena *a, const char *s);     /* lower; Gmail dots, +tags, googlemail */
char *um_canon_phone(um_arena *a, const char *s);     /* E.164, default region US */
/* E.164 with region (ISO alpha-2, the claimed country) as the default
 * region; *type (may be NULL) gets libphonenumber's line type. */
char *um_canon_phone_region(um_arena *a, const char *s, const char *region, um_phone_type *type);
char *um_canon_wallet(um_arena *a, const char *s);    /* EVM/bech32 lower-case, base58 as is */
char *um_canon_handle(um_arena *a, const char *s);    /* github/linkedin/telegram: lower, no @, no URL */
char *um_canon_address(um_arena *a, const char *s);   /* lower, punctuation folded, USPS abbreviations, ZIP5 */
char *um_canon_account(um_arena *a, const char *s);   /* bank/IBAN: upper alnum; wallet; email */
char *um_canon_serial(um_arena *a, const char *s);    /* device serial: upper alnum, prefix dropped */
/* The device serial a host name embeds ("BWL-<serial>.corp..."), canonical; NULL if none. */
char *um_host_serial(um_arena *a, const char *host);
/* Canonical email's domain is a disposable-mailbox service. */
bool um_email_disposable(const char *canon);
/* Name of the parcel-forwarding service a canonical address names, or NULL. */
const char *um_address_forwarder(const char *canon);

typedef struct um_wallet_info {
    const char *kind; /* evm, bitcoin-base58, bitcoin-bech32, litecoin-bech32, tron, solana, unknown */
    int checksum;     /* 1 valid, 0 fails its checksum, -1 the format carries none */
} um_wallet_info;
um_wallet_info um_wallet_check(const char *canon_or_raw);

typedef enum um_account_check {
    UM_ACCT_UNKNOWN, /* no checksum to verify */
    UM_ACCT_IBAN_OK,
    UM_ACCT_IBAN_BAD,
    UM_ACCT_ABA_OK,
    UM_ACCT_ABA_BAD
} um_account_check;
/* Checks a payout account: IBAN mod-97 on the canonical form, ABA routing
 * check digit when the raw value is "ROUTING<sep>ACCOUNT". */
um_account_check um_account_verify(const char *raw, const char *canon);
/* Country name or code to ISO 3166 alpha-2 (upper case, static), NULL if unknown. */
const char *um_country_code(const char *s);
/* The one country table behind it: exact name or alpha-2 code s[0..len)
 * (case and surrounding blanks ignored), no "City, Country" parsing. */
const char *um_country_exact(const char *s, size_t len);
/* Claimed time zone ("America/New_York", "UTC-5", "EST", "-05:00") to a
 * standard UTC offset in minutes; false when unknown. */
bool um_tz_offset(const char *s, int *minutes);

#endif
