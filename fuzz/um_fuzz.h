/*
 * um_fuzz.h - helpers shared by the fuzz targets in fuzz/: the one context
 * per process, a private temporary folder for inputs that must be files, and
 * a scan driver that runs one named reader over one input through the
 * public API and then touches every result the scan hands out.
 *
 * The targets are built two ways (fuzz/CMakeLists.txt): with clang and
 * libFuzzer when UM_FUZZ=ON, or with the replay driver (fuzz/replay.c) in
 * the ordinary builds, where ctest replays each corpus folder.
 *
 * Failures of the harness itself (no data folder, no temporary folder) abort:
 * a fuzz run that silently tests nothing is worse than one that stops.
 */
#ifndef UM_FUZZ_H
#define UM_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "unmask.h"

/* libFuzzer entry points (defined by each target). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The shared context, opened on first use with data_dir from
 * UNMASK_DATA_DIR or the repository's data/ folder (UM_FUZZ_DATA_DIR). */
um_ctx *um_fuzz_ctx(void);

/* The bundled data folder: UNMASK_DATA_DIR, else the repository's data/
 * (UM_FUZZ_DATA_DIR). */
const char *um_fuzz_data_dir(void);

/* Private folder (mode 0700, removed at exit with everything under it) for
 * inputs that must be files; on /dev/shm when available. */
const char *um_fuzz_tmpdir(void);

/* Creates <tmpdir>/<name> (a folder; parents must exist) and returns its
 * path (static buffer, valid until the next call). */
const char *um_fuzz_mkdir(const char *name);

/* Writes data[0..size) to <tmpdir>/<name> and returns the path (static
 * buffer, valid until the next call). */
const char *um_fuzz_write(const char *name, const uint8_t *data, size_t size);

/* A read-only stream over data[0..size) (an empty stream when size is 0).
 * Close with fclose(). */
FILE *um_fuzz_stream(const uint8_t *data, size_t size);

/* Runs one scan: input path read by reader `format` (NULL: detected),
 * optional mapping file, then walks every result. Returns the status of
 * um_scan_run (or of the step that failed before it). */
um_status um_fuzz_scan(const char *path, const char *format, const char *mapping);

/* Reads every string the scan hands out (subjects, findings, evidence,
 * rejects, warnings) so a dangling or unterminated one shows up under ASan,
 * and checks the invariants the public header states. Aborts on a broken
 * invariant. */
void um_fuzz_walk(const um_scan *scan);

/* A small valid set of sanctions files under the private folder, made
 * once: a data folder holding only the real Korean variant table (no
 * indicator lists, no IP data), an OFAC folder with sdn.csv, alt.csv,
 * add.csv and sdn_comments.csv (made-up rows in the real format, ent_nums
 * referring to each other) and a one-record UN consolidated.xml. */
typedef struct um_fuzz_lists {
    const char *data_dir, *ofac_dir, *un_xml;
} um_fuzz_lists;
const um_fuzz_lists *um_fuzz_sanctions(void);

/* OFAC fixture file i (0 sdn.csv, 1 alt.csv, 2 add.csv, 3 sdn_comments.csv):
 * returns its name, *text and *len its contents. */
const char *um_fuzz_ofac_file(unsigned i, const char **text, size_t *len);

/* Reads every string of a screening result and checks what the header
 * promises: at most `limit` matches, none NULL, scores within 0..1 and
 * ranked best first (the ranking is a soft check). */
void um_fuzz_screen_walk(const um_screen_result *r, size_t limit);

/* Reads the load report of an open screener: every list file (list, path
 * and what never NULL), every warning and the totals. */
void um_fuzz_screener_walk(const um_screener *s);

/* XML list targets. um_fuzz_xml_guard writes dir/secret.txt holding
 * UM_FUZZ_SECRET and replaces libxml2's external entity loader by one that
 * lets only allow1 and allow2 (either may be NULL; the strings must live on)
 * through and fails on any other URL or path: a DTD, an external or a
 * parameter entity being fetched. A loaded name holding the secret when the
 * input does not (um_fuzz_contains) means an external entity was read. */
#define UM_FUZZ_SECRET "UMFUZZSECRETMARKER"
void um_fuzz_xml_guard(const char *dir, const char *allow1, const char *allow2);
/* true when needle occurs in data[0..size) (inputs may hold NULs) */
bool um_fuzz_contains(const uint8_t *data, size_t size, const char *needle);

/* Opens a screener with o (only running out of memory may keep it from
 * opening; `what` says which list file was bad in the message), reads its
 * load report, asks the name query q and the identifier query (id_type,
 * id_value), and walks the results. */
void um_fuzz_screen_once(const um_screener_options *o, const um_screen_query *q, const char *id_type,
                         const char *id_value, const char *what);

/* Aborts with a message: a broken safety contract (NULL or out-of-range
 * result, a field longer than its buffer, a reader failing a scan), so
 * libFuzzer keeps the input as a crash and ctest's replay fails. */
void um_fuzz_fail(const char *what, const char *detail);

/* A broken semantic invariant (a canonical form that is not a fixed point,
 * a time that does not round-trip): aborts like um_fuzz_fail() when
 * UM_FUZZ_STRICT is set in the environment (the fuzzing runs set it), else
 * prints a note to stderr and goes on, so the ctest replay stays a safety
 * check and known semantic findings do not turn it red. */
void um_fuzz_soft(const char *what, const char *detail);

#endif
