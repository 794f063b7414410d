/*
 * sqlite.c - the SQLite case file (schema in docs/SCHEMA.md).
 *
 * The database is built under a temporary name in one transaction (no
 * journal, prepared statements, every value bound, indexes after the load),
 * fsync'd and renamed into the output set, so an interrupted scan never
 * leaves a half-written or duplicated case file.
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/internal.h"
#include "../detect/activity.h"
#include "../os/os.h"
#include "case_schema.h"

/* Tables first, without keys: rows go in in one transaction through
 * prepared statements, then the unique and lookup indexes are built once
 * over the loaded rows (a sort, not millions of random B-tree inserts). The
 * file is a private temporary until it is complete, so it is written with
 * no journal and no syncs, then fsync'd once before it is renamed.
 *
 * The scan's tables load and their indexes sort with a large page cache
 * (a sort bigger than the cache goes to temporary files, and the tables
 * are read back for it). The activity tables come last, `logins` two
 * thirds of a log-heavy case: they are filled in key order and never read
 * back, so they go through a small cache (ACTIVITY_CACHE) whose page
 * buffers are reused, where a large one takes a fresh allocation (a page
 * fault, on this VM a costly one) for every page. Their pages reach the
 * kernel during the load, and their writeback starts then
 * (writeback_kick). */
#define ACTIVITY_CACHE "PRAGMA cache_size=-1024;"
static const char *const schema =
    "PRAGMA journal_mode=OFF;"
    "PRAGMA synchronous=OFF;"
    "PRAGMA locking_mode=EXCLUSIVE;"
    "PRAGMA cache_size=-65536;"
    "PRAGMA threads=2;" /* the index builds after the load sort on a second core */
    "CREATE TABLE meta(key TEXT, value TEXT);"
    "CREATE TABLE subjects(id TEXT, rank INTEGER, display TEXT, score INTEGER,"
    " level TEXT, identity INTEGER, n_findings INTEGER);"
    /* the per-subject tables are b-trees on their key (WITHOUT ROWID), filled
     * in key order (subjects by id): no separate key index to sort afterwards */
    "CREATE TABLE subject_sources(subject_id TEXT, source TEXT, PRIMARY KEY(subject_id, source)) WITHOUT ROWID;"
    "CREATE TABLE subject_joins(subject_id TEXT, seq INTEGER, sentence TEXT, PRIMARY KEY(subject_id, seq))"
    " WITHOUT ROWID;"
    /* identifiers: ~14 rows a person, so the rows hold numbers where they
     * can: the kind (identifier_kinds.id; the linking kinds first, see
     * case_schema.h) and the file as inputs.seq (file only for a path that is
     * not an input); the view `identifiers` gives them back with names and
     * paths. The view is two arms on the kind's number, the linking kinds
     * and the rest: the first states the partial value index's condition
     * (kind <= 12), so a lookup by kind and value through the view uses that
     * index, and each arm tests k.id before it reads identifier_rows, so the
     * other arm reads no row for a kind it does not hold */
    "CREATE TABLE identifier_kinds(id INTEGER PRIMARY KEY, name TEXT);"
    "CREATE TABLE identifier_rows(subject_id TEXT, kind INTEGER, value TEXT, input INTEGER, line INTEGER,"
    " file TEXT, PRIMARY KEY(subject_id, kind, value)) WITHOUT ROWID;"
    "CREATE VIEW identifiers(subject_id, kind, value, file, line) AS"
    " SELECT r.subject_id, k.name, r.value, coalesce(n.path, r.file), r.line FROM identifier_rows r"
    " JOIN identifier_kinds k ON k.id = r.kind LEFT JOIN inputs n ON n.seq = r.input"
    " WHERE k.id <= " UM_CASE_LINK_KIND_MAX_SQL " AND r.kind <= " UM_CASE_LINK_KIND_MAX_SQL
    " UNION ALL"
    " SELECT r.subject_id, k.name, r.value, coalesce(n.path, r.file), r.line FROM identifier_rows r"
    " JOIN identifier_kinds k ON k.id = r.kind LEFT JOIN inputs n ON n.seq = r.input"
    " WHERE k.id > " UM_CASE_LINK_KIND_MAX_SQL ";"
    "CREATE TABLE findings(id TEXT, subject_id TEXT, indicator TEXT, analyzer TEXT,"
    " strength TEXT, weight INTEGER, summary TEXT, key TEXT, count INTEGER, first_seen TEXT,"
    " last_seen TEXT);"
    "CREATE TABLE evidence(finding_id TEXT, seq INTEGER, file TEXT, line INTEGER, record TEXT,"
    " time TEXT, vals TEXT);"
    "CREATE TABLE rejects(seq INTEGER PRIMARY KEY, kind TEXT, file TEXT, line INTEGER,"
    " reader TEXT, reason TEXT);"
    "CREATE TABLE inputs(seq INTEGER PRIMARY KEY, path TEXT, format TEXT, size INTEGER,"
    " status TEXT, reason TEXT, hash TEXT, journal TEXT);"
    "CREATE TABLE events_summary(key TEXT PRIMARY KEY, value INTEGER);"
    /* analysts' decisions (unmask serve); carried over from the previous case.db */
    "CREATE TABLE verdicts(id INTEGER PRIMARY KEY, target_kind TEXT NOT NULL, target_a TEXT NOT NULL,"
    " target_b TEXT, verdict TEXT NOT NULL, who TEXT NOT NULL, at TEXT NOT NULL, note TEXT);"
    "CREATE INDEX verdicts_target ON verdicts(target_kind, target_a, target_b);";

/* The case.db this run replaces. Sinks write into the staging folder
 * P/.NAME.tmp.PID (core/outdir.c) that is then swapped with P/NAME, so the
 * previous file is P/NAME/case.db; written straight into a folder, it is
 * dir/case.db. */
static void previous_case(const char *dir, char *out, size_t cap) {
    const char *slash = strrchr(dir, '/');
    const char *base = slash ? slash + 1 : dir;
    const char *tmp = base[0] == '.' ? strstr(base, ".tmp.") : NULL;
    if (tmp && tmp > base + 1 && strspn(tmp + 5, "0123456789") == strlen(tmp + 5) && tmp[5]) {
        int plen = slash ? (int)(slash - dir) : 0;
        snprintf(out, cap, "%.*s%s%.*s/case.db", plen, dir, slash ? "/" : "", (int)(tmp - base - 1), base + 1);
    } else {
        snprintf(out, cap, "%s/case.db", dir);
    }
}

/* The analysts' verdicts in the case.db being replaced are copied into the
 * new one (the scan recomputes everything else). A previous file that cannot
 * be read is left alone: its verdicts stay in it and a warning says so. */
static void carry_verdicts(um_scan *s, sqlite3 *db, const char *old_path) {
    struct stat st;
    if (stat(old_path, &st) != 0) return;
    sqlite3_stmt *q = NULL;
    int ok = sqlite3_prepare_v2(db, "ATTACH DATABASE ? AS old", -1, &q, NULL) == SQLITE_OK;
    if (ok) {
        sqlite3_bind_text(q, 1, old_path, -1, SQLITE_TRANSIENT);
        ok = sqlite3_step(q) == SQLITE_DONE;
    }
    sqlite3_finalize(q);
    if (!ok) {
        um_scan_warn(s, "case.db", "previous %s not readable; its verdicts were not carried over", old_path);
        return;
    }
    int have = 0;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM old.sqlite_master WHERE type='table' AND name='verdicts'", -1,
                           &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        have = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    if (have &&
        sqlite3_exec(db,
                     "INSERT INTO verdicts(id, target_kind, target_a, target_b, verdict, who, at, note)"
                     " SELECT id, target_kind, target_a, target_b, verdict, who, at, note FROM old.verdicts",
                     NULL, NULL, NULL) != SQLITE_OK)
        um_scan_warn(s, "case.db", "verdicts of the previous %s could not be copied: %s", old_path,
                     sqlite3_errmsg(db));
    sqlite3_exec(db, "DETACH DATABASE old", NULL, NULL, NULL);
}

/* Built after the scan's tables, in the same transaction. */
static const char *const indexes =
    "CREATE UNIQUE INDEX meta_key ON meta(key);"
    "CREATE UNIQUE INDEX subjects_id ON subjects(id);"
    "CREATE UNIQUE INDEX identifier_kinds_name ON identifier_kinds(name);"
    /* only the linking kinds are looked up by value (shared identifiers) */
    "CREATE INDEX identifier_rows_value ON identifier_rows(kind, value) WHERE kind <= " UM_CASE_LINK_KIND_MAX_SQL ";"
    "CREATE UNIQUE INDEX findings_id ON findings(id);"
    "CREATE INDEX findings_subject ON findings(subject_id);"
    "CREATE UNIQUE INDEX evidence_key ON evidence(finding_id, seq);";

typedef struct {
    sqlite3 *db;
    um_scan *s;
    uint32_t *by_id;                 /* subject indexes in subject id order */
    um_attr attr_of[UM_ATTR__COUNT]; /* identifier_kinds.id - 1 -> attribute */
} db_t;

/* Kind numbers: the linking kinds 1..UM_CASE_LINK_KIND_MAX in their order,
 * then every other attribute in the attribute list's order. */
static void number_kinds(db_t *d) {
    static const char *const link[] = {UM_CASE_LINK_KINDS};
    _Static_assert(UM_ARRAY_LEN(link) == UM_CASE_LINK_KIND_MAX, "UM_CASE_LINK_KIND_MAX");
    bool used[UM_ATTR__COUNT] = {0};
    int n = 0;
    for (size_t i = 0; i < UM_ARRAY_LEN(link); i++) {
        int a = um_attr_from_name(link[i]);
        if (a >= 0 && !used[a]) used[a] = true, d->attr_of[n++] = (um_attr)a;
    }
    for (int a = 0; a < UM_ATTR__COUNT; a++)
        if (!used[a]) d->attr_of[n++] = (um_attr)a;
}

static um_status fail(db_t *d, const char *what) {
    um_scan_set_error(d->s, "case.db: %s: %s", what, d->db ? sqlite3_errmsg(d->db) : "no handle");
    return UM_EDB;
}

/* Every text bound is the scan's (or static) and outlives the step: bound
 * without a copy. */
static void bind_text(sqlite3_stmt *st, int i, const char *v) {
    if (v) sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else sqlite3_bind_null(st, i);
}

static void bind_time(sqlite3_stmt *st, int i, int64_t us) {
    if (us == UM_TIME_NONE) {
        sqlite3_bind_null(st, i);
        return;
    }
    char t[40];
    um_time_format(us, t, sizeof t);
    sqlite3_bind_text(st, i, t, -1, SQLITE_TRANSIENT);
}

/* Every statement binds all its parameters for every row: no clearing. */
static int step(sqlite3_stmt *st) {
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int cmp_rank_id(const void *a, const void *b, void *ud) {
    const um_scan *s = ud;
    return strcmp(um_scan_subject(s, *(const uint32_t *)a)->id, um_scan_subject(s, *(const uint32_t *)b)->id);
}

/* identifier_rows go in ID_BATCH rows a statement: the table's cursor stays
 * open across the rows of one statement, so each appended row is placed
 * without a new descent of the b-tree (and the statement overhead is paid
 * once per batch). */
#define ID_BATCH 32
typedef struct {
    const char *sid, *value, *file;
    int kind;
    sqlite3_int64 input, line;
} id_row;
typedef struct {
    sqlite3_stmt *one, *many;
    id_row rows[ID_BATCH];
    int n;
} id_batch;

static void id_bind(sqlite3_stmt *q, int base, const id_row *r) {
    bind_text(q, base + 1, r->sid);
    sqlite3_bind_int(q, base + 2, r->kind);
    bind_text(q, base + 3, r->value);
    if (r->input) sqlite3_bind_int64(q, base + 4, r->input);
    else sqlite3_bind_null(q, base + 4);
    sqlite3_bind_int64(q, base + 5, r->line);
    bind_text(q, base + 6, r->file);
}

/* Writes a full batch, or (all) whatever is buffered. */
static int id_flush(id_batch *b, bool all) {
    int rc = SQLITE_OK;
    if (b->n == ID_BATCH) {
        for (int i = 0; i < ID_BATCH; i++) id_bind(b->many, 6 * i, &b->rows[i]);
        rc = step(b->many);
        b->n = 0;
    } else if (all) {
        for (int i = 0; i < b->n && rc == SQLITE_OK; i++) {
            id_bind(b->one, 0, &b->rows[i]);
            rc = step(b->one);
        }
        b->n = 0;
    }
    return rc;
}

static um_status write_subject_rows_batched(db_t *d, sqlite3_stmt **st, const um_map *seq_of, id_batch *batch);

/* subject_sources, subject_joins and identifier_rows in subject id order:
 * their tables are keyed by subject id, so every row is appended to its
 * b-tree. d->by_id gets the subject indexes in that order (for the
 * activity tables). */
static um_status write_subject_rows(db_t *d, sqlite3_stmt **st, const um_map *seq_of) {
    id_batch batch = {st[4], NULL, {{0}}, 0};
    {
        um_buf sql;
        um_buf_init(&sql);
        um_buf_adds(&sql, "INSERT INTO identifier_rows VALUES(?,?,?,?,?,?)");
        for (int i = 1; i < ID_BATCH; i++) um_buf_adds(&sql, ",(?,?,?,?,?,?)");
        int prc = sql.oom ? SQLITE_NOMEM : sqlite3_prepare_v2(d->db, sql.s, -1, &batch.many, NULL);
        um_buf_free(&sql);
        if (prc != SQLITE_OK) return fail(d, "prepare");
    }
    um_status rc = write_subject_rows_batched(d, st, seq_of, &batch);
    if (rc == UM_OK && id_flush(&batch, true) != SQLITE_OK) rc = fail(d, "identifiers");
    sqlite3_finalize(batch.many);
    return rc;
}

static um_status write_subject_rows_batched(db_t *d, sqlite3_stmt **st, const um_map *seq_of, id_batch *batch) {
    um_scan *s = d->s;
    const char *last_file = NULL;
    sqlite3_int64 last_seq = 0;
    uint32_t *order = um_malloc((um_scan_subject_count(s) + 1) * sizeof *order);
    if (!order) return UM_ENOMEM;
    d->by_id = order; /* freed by the caller */
    for (size_t r = 0; r < um_scan_subject_count(s); r++) order[r] = (uint32_t)r;
    qsort_r(order, um_scan_subject_count(s), sizeof *order, cmp_rank_id, s);
    for (size_t o = 0; o < um_scan_subject_count(s); o++) {
        if ((o & 4095) == 0 && um_scan_cancelled(s)) return um_scan_cancel_status(s);
        size_t r = order[o];
        const um_subject_info *u = um_scan_subject(s, r);
        um_sid sid = um_scan_ranked_sid(s, r);
        order[o] = (uint32_t)sid; /* kept for the activity tables */
        for (size_t k = 0; k < u->n_sources; k++) {
            bind_text(st[2], 1, u->id);
            bind_text(st[2], 2, u->sources[k]);
            if (step(st[2]) != SQLITE_OK) return fail(d, "subject_sources");
        }
        for (size_t k = 0; k < u->n_joins; k++) {
            bind_text(st[3], 1, u->id);
            sqlite3_bind_int64(st[3], 2, (sqlite3_int64)k);
            bind_text(st[3], 3, u->joins[k]);
            if (step(st[3]) != SQLITE_OK) return fail(d, "subject_joins");
        }
        for (int kn = 0; kn < UM_ATTR__COUNT; kn++) { /* in kind number order: rows appended */
            um_attr a = d->attr_of[kn];
            /* free text and government ids are kept out of the case index */
            if (a == UM_ATTR_RESUME || a == UM_ATTR_NATIONAL_ID) continue;
            size_t nv;
            const char *const *files;
            const uint64_t *lines;
            const char *const *vals = um_subject_values_at(s, sid, a, &nv, &files, &lines);
            for (size_t k = 0; k < nv; k++) {
                if (files[k] != last_file) { /* a subject's values mostly come from one file */
                    last_file = files[k];
                    last_seq = files[k] ? (sqlite3_int64)(uintptr_t)um_map_get(seq_of, files[k], strlen(files[k]))
                                        : 0;
                }
                /* the file as text only when it is not an input's path */
                batch->rows[batch->n++] = (id_row){u->id, vals[k], last_seq ? NULL : files[k], kn + 1, last_seq,
                                                   (sqlite3_int64)lines[k]};
                if (id_flush(batch, false) != SQLITE_OK) return fail(d, "identifiers");
            }
        }
    }
    return UM_OK;
}

static um_status write_all(db_t *d) {
    um_scan *s = d->s;
    sqlite3_stmt *st[8] = {0};
    static const char *sql[8] = {
        "INSERT INTO meta VALUES(?,?)",
        "INSERT INTO subjects VALUES(?,?,?,?,?,?,?)",
        "INSERT INTO subject_sources VALUES(?,?)",
        "INSERT INTO subject_joins VALUES(?,?,?)",
        "INSERT INTO identifier_rows VALUES(?,?,?,?,?,?)",
        "INSERT INTO findings VALUES(?,?,?,?,?,?,?,?,?,?,?)",
        "INSERT INTO evidence VALUES(?,?,?,?,?,?,?)",
        "INSERT INTO rejects VALUES(?,?,?,?,?,?)"};
    um_status rc = UM_OK;
    for (int i = 0; i < 8; i++)
        if (sqlite3_prepare_v2(d->db, sql[i], -1, &st[i], NULL) != SQLITE_OK) {
            rc = fail(d, "prepare");
            goto out;
        }
    char num[32];
    const char *meta[][2] = {
        {"schema_version", NULL}, {"unmask_version", UM_VERSION}, {"content_hash", UM_CASE_HASH_DEF}};
    snprintf(num, sizeof num, "%d", UM_SCHEMA_VERSION);
    meta[0][1] = num;
    for (size_t i = 0; i < UM_ARRAY_LEN(meta); i++) {
        bind_text(st[0], 1, meta[i][0]);
        bind_text(st[0], 2, meta[i][1]);
        if (step(st[0]) != SQLITE_OK) { rc = fail(d, "meta"); goto out; }
    }
    for (size_t r = 0; r < um_scan_subject_count(s); r++) {
        if ((r & 4095) == 0 && um_scan_cancelled(s)) {
            rc = um_scan_cancel_status(s);
            goto out;
        }
        const um_subject_info *u = um_scan_subject(s, r);
        um_sid sid = um_scan_ranked_sid(s, r);
        bind_text(st[1], 1, u->id);
        sqlite3_bind_int64(st[1], 2, (sqlite3_int64)r + 1);
        bind_text(st[1], 3, u->display);
        sqlite3_bind_int(st[1], 4, u->score);
        bind_text(st[1], 5, um_level_str(u->level));
        sqlite3_bind_int(st[1], 6, um_subject_has_identity(s, sid));
        sqlite3_bind_int64(st[1], 7, (sqlite3_int64)u->n_findings);
        if (step(st[1]) != SQLITE_OK) { rc = fail(d, "subjects"); goto out; }
        for (size_t k = 0; k < u->n_findings; k++) {
            const um_finding_info *f = um_scan_finding(s, u->findings[k]);
            bind_text(st[5], 1, f->id);
            bind_text(st[5], 2, f->subject_id);
            bind_text(st[5], 3, f->indicator);
            bind_text(st[5], 4, f->analyzer);
            bind_text(st[5], 5, f->strength);
            sqlite3_bind_int(st[5], 6, f->weight);
            bind_text(st[5], 7, f->summary);
            bind_text(st[5], 8, f->key);
            sqlite3_bind_int64(st[5], 9, (sqlite3_int64)f->count);
            bind_time(st[5], 10, f->first_us);
            bind_time(st[5], 11, f->last_us);
            if (step(st[5]) != SQLITE_OK) { rc = fail(d, "findings"); goto out; }
            for (size_t e = 0; e < f->n_evidence; e++) {
                const um_evidence *ev = &f->evidence[e];
                bind_text(st[6], 1, f->id);
                sqlite3_bind_int64(st[6], 2, (sqlite3_int64)e);
                bind_text(st[6], 3, ev->file);
                sqlite3_bind_int64(st[6], 4, (sqlite3_int64)ev->line);
                bind_text(st[6], 5, ev->record);
                bind_time(st[6], 6, ev->time_us);
                bind_text(st[6], 7, ev->values);
                if (step(st[6]) != SQLITE_OK) { rc = fail(d, "evidence"); goto out; }
            }
        }
    }
    /* the kinds, then a map from input path to inputs.seq */
    {
        sqlite3_stmt *q = NULL;
        if (sqlite3_prepare_v2(d->db, "INSERT INTO identifier_kinds VALUES(?,?)", -1, &q, NULL) != SQLITE_OK) {
            rc = fail(d, "prepare");
            goto out;
        }
        for (int k = 0; k < UM_ATTR__COUNT && rc == UM_OK; k++) {
            sqlite3_bind_int(q, 1, k + 1);
            bind_text(q, 2, um_attr_name(d->attr_of[k]));
            if (step(q) != SQLITE_OK) rc = fail(d, "identifier_kinds");
        }
        sqlite3_finalize(q);
        if (rc != UM_OK) goto out;
    }
    um_map seq_of;
    um_map_init(&seq_of);
    for (size_t i = 0; i < um_scan_input_count(s); i++) {
        um_input_info in;
        um_scan_input_at(s, i, &in);
        bool created;
        um_map_slot *sl = in.path ? um_map_upsert(&seq_of, in.path, strlen(in.path), &created) : NULL;
        if (in.path && !sl) {
            um_map_free(&seq_of);
            rc = UM_ENOMEM;
            goto out;
        }
        if (sl && created) sl->val = (void *)(uintptr_t)(i + 1); /* the first input of that path */
    }
    rc = write_subject_rows(d, st, &seq_of);
    um_map_free(&seq_of);
    if (rc != UM_OK) goto out;
    sqlite3_int64 seq = 0;
    for (int kind = 0; kind < 2; kind++) {
        size_t n = kind ? um_scan_warning_count(s) : um_scan_reject_count(s);
        for (size_t i = 0; i < n; i++) {
            const um_reject_info *ri = kind ? um_scan_warning(s, i) : um_scan_reject(s, i);
            sqlite3_bind_int64(st[7], 1, ++seq);
            bind_text(st[7], 2, kind ? "warning" : "reject");
            bind_text(st[7], 3, ri->file);
            sqlite3_bind_int64(st[7], 4, (sqlite3_int64)ri->line);
            bind_text(st[7], 5, ri->reader);
            bind_text(st[7], 6, ri->reason);
            if (step(st[7]) != SQLITE_OK) { rc = fail(d, "rejects"); goto out; }
        }
    }
    {
        sqlite3_stmt *q = NULL;
        if (sqlite3_prepare_v2(d->db, "INSERT INTO inputs VALUES(?,?,?,?,?,?,?,?)", -1, &q, NULL) != SQLITE_OK) {
            rc = fail(d, "prepare");
            goto out;
        }
        for (size_t i = 0; i < um_scan_input_count(s) && rc == UM_OK; i++) {
            um_input_info in;
            um_scan_input_at(s, i, &in);
            sqlite3_bind_int64(q, 1, (sqlite3_int64)i + 1);
            bind_text(q, 2, in.path);
            bind_text(q, 3, in.format);
            sqlite3_bind_int64(q, 4, (sqlite3_int64)in.size);
            bind_text(q, 5, in.status);
            bind_text(q, 6, in.reason);
            char hx[20];
            snprintf(hx, sizeof hx, "%016llx", (unsigned long long)in.hash);
            bind_text(q, 7, in.has_hash ? hx : NULL);
            bind_text(q, 8, in.journal);
            if (step(q) != SQLITE_OK) rc = fail(d, "inputs");
        }
        sqlite3_finalize(q);
        if (rc != UM_OK) goto out;
    }
    {
        um_scan_stats stats;
        um_scan_get_stats(s, &stats);
        const struct { const char *k; uint64_t v; } sm[] = {
            {"files", stats.files},     {"bytes", stats.bytes},
            {"records", stats.records}, {"events", stats.events},
            {"persons", stats.persons}, {"rejects", stats.rejects},
            {"warnings", stats.warnings}, {"files_read", stats.files_read},
            {"files_skipped", stats.files_skipped},
            {"files_rejected", stats.files - stats.files_read - stats.files_skipped}};
        sqlite3_stmt *q = NULL;
        if (sqlite3_prepare_v2(d->db, "INSERT INTO events_summary VALUES(?,?)", -1, &q, NULL) != SQLITE_OK) {
            rc = fail(d, "prepare");
            goto out;
        }
        for (size_t i = 0; i < UM_ARRAY_LEN(sm) && rc == UM_OK; i++) {
            bind_text(q, 1, sm[i].k);
            sqlite3_bind_int64(q, 2, (sqlite3_int64)sm[i].v);
            if (step(q) != SQLITE_OK) rc = fail(d, "events_summary");
        }
        sqlite3_finalize(q);
    }
out:
    for (int i = 0; i < 8; i++) sqlite3_finalize(st[i]);
    return rc;
}

/* The file's pages handed to the kernel so far are sent to the disk while
 * the load goes on (asynchronous: SYNC_FILE_RANGE_WRITE), every
 * WRITEBACK_STEP bytes the file grows, so the fsync before the rename waits
 * for the last part only. Called by SQLite every few thousand virtual
 * machine steps (a progress handler that never interrupts). */
#define WRITEBACK_STEP (2 << 20)
typedef struct {
    int fd; /* the temporary file, read-only (-1: opened for the fsync) */
    off_t sent;
} writeback_t;

#ifdef SYNC_FILE_RANGE_WRITE
static int writeback_kick(void *ud) {
    writeback_t *w = ud;
    struct stat st;
    if (fstat(w->fd, &st) == 0 && st.st_size - w->sent >= WRITEBACK_STEP) {
        (void)sync_file_range(w->fd, w->sent, st.st_size - w->sent, SYNC_FILE_RANGE_WRITE);
        w->sent = st.st_size;
    }
    return 0;
}
#endif

static um_status write_sqlite(um_scan *s, const char *dir) {
    char tmp[4096], dst[4096], side[4200];
    snprintf(dst, sizeof dst, "%s/case.db", dir);
    const um_os *os = um_os_get();
    if (!os->temp_name(os->ud, tmp, sizeof tmp, dir, "case.db")) {
        um_scan_set_error(s, "output folder name too long: %s", dir);
        return UM_EINVAL;
    }
    os->remove(os->ud, tmp);
    db_t d = {NULL, s, NULL, {0}};
    number_kinds(&d);
    mode_t old = umask(077);
    /* one thread uses this handle: no per-call mutex */
    int orc = sqlite3_open_v2(tmp, &d.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    umask(old);
    if (orc != SQLITE_OK) {
        um_status r = fail(&d, "open");
        sqlite3_close(d.db);
        return r;
    }
    um_status rc = UM_OK;
    if (sqlite3_exec(d.db, schema, NULL, NULL, NULL) != SQLITE_OK) rc = fail(&d, "schema");
    /* the schema made the file; this descriptor is closed only after the
     * handle (closing one drops the process's locks on the file) */
    writeback_t wb = {open(tmp, O_RDONLY | O_CLOEXEC), 0};
#ifdef SYNC_FILE_RANGE_WRITE
    if (wb.fd >= 0) sqlite3_progress_handler(d.db, 20000, writeback_kick, &wb);
#endif
    if (rc == UM_OK) { /* ATTACH: outside the transaction */
        char prev[4200];
        previous_case(dir, prev, sizeof prev);
        carry_verdicts(s, d.db, prev);
    }
    if (rc == UM_OK && sqlite3_exec(d.db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) rc = fail(&d, "begin");
    if (rc == UM_OK) rc = write_all(&d);
    if (rc == UM_OK && sqlite3_exec(d.db, indexes, NULL, NULL, NULL) != SQLITE_OK) rc = fail(&d, "indexes");
    if (rc == UM_OK && um_link_case_tables(s, d.db) != UM_OK) rc = fail(&d, "cluster tables");
    if (rc == UM_OK && sqlite3_exec(d.db, ACTIVITY_CACHE, NULL, NULL, NULL) != SQLITE_OK) rc = fail(&d, "cache");
    if (rc == UM_OK && um_activity_write_sqlite(s, d.db, d.by_id) != 0) rc = fail(&d, "activity");
    if (rc == UM_OK && um_scan_cancelled(s)) rc = um_scan_cancel_status(s);
    if (rc == UM_OK && sqlite3_exec(d.db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) rc = fail(&d, "commit");
    um_free(d.by_id);
    if (sqlite3_close(d.db) != SQLITE_OK && rc == UM_OK) rc = fail(&d, "close");
    if (rc == UM_OK) { /* written without syncs: make it durable before the rename */
        int fd = wb.fd >= 0 ? wb.fd : open(tmp, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fsync(fd) != 0) {
            um_scan_set_error(s, "cannot write %s: %s", tmp, strerror(errno));
            rc = UM_EIO;
        }
        if (fd >= 0 && fd != wb.fd) close(fd);
    }
    if (wb.fd >= 0) close(wb.fd);
    if (rc == UM_OK) {
        /* an old case.db's WAL must not be replayed into the new file */
        snprintf(side, sizeof side, "%s-wal", dst);
        os->remove(os->ud, side);
        snprintf(side, sizeof side, "%s-shm", dst);
        os->remove(os->ud, side);
        if (os->rename(os->ud, tmp, dst) != 0) {
            um_scan_set_error(s, "cannot rename %s to %s", tmp, dst);
            rc = UM_EIO;
        }
    }
    if (rc != UM_OK) os->remove(os->ud, tmp);
    snprintf(side, sizeof side, "%s-wal", tmp);
    os->remove(os->ud, side);
    snprintf(side, sizeof side, "%s-shm", tmp);
    os->remove(os->ud, side);
    return rc;
}

/* Built on its own thread while the JSONL and CSV files are written. */
const um_sink um_sink_sqlite = {"sqlite", "case.db, the SQLite case index (docs/SCHEMA.md)", write_sqlite,
                                true};
