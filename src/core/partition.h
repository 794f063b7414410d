/*
 * partition.h - the partition / merge contract of a parallel scan.
 *
 * `unmask scan --threads N` (src/core/threads.c) and distributed workers
 * (issue 9) cut the log inputs of one scan into PARTS, run the costly,
 * stateless per-record work of each part independently (on a worker
 * thread, or on another machine), and MERGE the parts' outputs on the
 * scan's own thread in a fixed order. The merged scan is byte-for-byte the
 * scan one thread would make, for any number and placement of workers.
 *
 * 1. Parts. A part is one phase-1 input (um_part.input), or one byte range
 *    of it when its reader can split it (um_reader.part_size != 0 and the
 *    reader's splittable() accepts the file's first bytes: JSON-lines files
 *    of the winlog-jsonl, okta and entra readers). Ranges are cut at line
 *    boundaries: part p > 0 starts ONE BYTE EARLY, on the newline that ends
 *    part p - 1's last line, so its first line is empty (every line reader
 *    skips blank lines) and a byte-order mark is only ever seen by part 0.
 *    The last part reads to the end of the file (even past the size seen
 *    when the input was found). Parts are numbered in file order.
 *
 * 2. What a part produces (all serialisable; no pointers into scan state):
 *    - an ORDERED list of items, in the order the reader made them:
 *        event  - an um_event with all its strings copied; its field bag
 *                 (um_event.fields) copied only when an analyzer's
 *                 prefilter asked for it (3), else `fields_dropped` set;
 *        reject - (line, reason);   warning - (line, text);
 *      lines are LOCAL to the part (1 = the part's first line; 0 = none);
 *    - `lines`: the number of lines the reader's line loop counted in the
 *      part (um_lines.lineno at its end; every part but the last ends with
 *      a newline, so this is the part's number of newlines);
 *    - the reader's per-part summary: um_reader.part_size bytes of plain
 *      data (counters, small arrays; no pointers), zeroed before the part
 *      is read, filled by the reader instead of its end-of-file warnings.
 *
 * 3. Prefilters: the parallel half of an analyzer. um_analyzer.prefilter
 *    runs inside the part for every event, reading only the event and the
 *    context's compiled data (um_ctx_compiled; never the scan). It returns
 *    true when the analyzer's on_event needs the event's field bag (the
 *    Sigma `rules` analyzer: some rule matches it). When no analyzer needs
 *    it, the bag is not copied: the event reaches on_event with an empty
 *    bag and `fields_dropped` set, and every analyzer must then do exactly
 *    what it would have done with the full bag (for `rules`: nothing but
 *    its first-use set-up). A raw record (UM_EV_RAW, sid -1) whose bag no
 *    analyzer needs is not kept at all, except the first of each part (so
 *    first-use set-up and its warnings keep their place); analyzers without
 *    a prefilter must therefore ignore raw records. A prefilter that cannot
 *    decide (no memory, compile failure) returns true: correct, only slower.
 *
 * 4. Merge, on the scan's thread, inputs in input order, parts in part
 *    order, items in item order:
 *    - line numbers: local line L of part p is file line L + base(p), with
 *      base(0) = 0 and base(p) = base(p-1) + lines(p-1) - 1 (the shared
 *      newline of 1.); line 0 stays 0;
 *    - every item is handed to um_emit_event / um_reject / um_warn, so
 *      enrichment, subject resolution (log-only subjects get their ids in
 *      order of first appearance), every analyzer's state, findings (counts,
 *      first/last, evidence samples), limits, rejects and warnings see the
 *      exact sequence of a one-thread scan. What runs in parallel is
 *      reading, parsing, field mapping and the prefilters (Sigma matching);
 *      analyzer state is partitioned by person instead, when asked (5.).
 *    - after the input's last part: the parts' summaries are folded with
 *      um_reader.part_merge(into, part) in part order (into starts as part
 *      0's) and um_reader.part_finish(rc, merged) says the end-of-file
 *      warnings a whole-file read would have said; then the input counts as
 *      read (bytes, files_read) once.
 *    - an error in a part (I/O, out of memory) fails the scan at that
 *      part's place in the order, with the part's message.
 *
 * 5. Analysis partitioned by person (src/core/pmerge.c;
 *    um_scan_set_partitions(s, K), UNMASK_PARTITIONS in the CLI for tests).
 *    Every event, after enrichment and subject resolution in the order of
 *    4., has a POSITION: its number in that order * 64 + the analyzer's
 *    index (um_scan_position), the same with or without partitions, and
 *    every finding and evidence sample records the position of its add.
 *    An analyzer with the part_new / merge hooks (internal.h) runs as K
 *    instances; the event of subject s goes to the instance of partition
 *    P = hash(subject id of s) mod K (sid -1: partition 0), and the findings
 *    that instance adds go into partition P's own table. Analyzers without
 *    the hooks (today only the Sigma `rules`: its correlation windows group
 *    several people) run once, on the scan's table. After the last event:
 *    - merge(primary, instance) for every analyzer, partitions in order: the
 *      per-person state moves (the partitions' people are disjoint); state
 *      that spans people is united and put back in position order (browser:
 *      a dtHash's people; link: sign-in IPs; activity: the first N people
 *      keep a heatmap or a timeline), so the primary holds what one
 *      instance fed every event would hold;
 *    - the K + 1 finding tables are merged by position (each table's
 *      positions only grow), so findings are made in the one-thread order;
 *      one (subject, indicator, key) in two tables is folded: counts add,
 *      first/last widen, weight and strength the larger, evidence samples
 *      the first UM_MAX_EVIDENCE by position, the summary the first's;
 *    - the findings limit is checked there, in that order;
 *    then every analyzer's finish runs once, on the primaries. The outputs
 *    are byte for byte those of the scan without partitions (test_pmerge,
 *    tests/e2e/partitions.sh, fairness.sh). Not exact: the place among the
 *    warnings of a cap's warning (findings limit, 500,000 dtHashes, the
 *    heatmap caps), said at the merge instead of at the event. All of this
 *    runs in the scan's process, on the thread that replays events in
 *    order; the partitions do not yet run on workers (docs/SCALING.md).
 *    What a worker would send back is built: a partition's instances and
 *    finding table saved as bytes and loaded by the coordinator before the
 *    merge (um_pa_save / um_pa_load, pstate.h; the analyzers' save / load
 *    hooks), tested by a round trip in one process (um_scan_set_partition_
 *    roundtrip, UNMASK_PARTITION_ROUNDTRIP).
 *
 * A distributed worker (issue 9) implements 1.-3. remotely: it is sent the
 * part (input path or content, range, part number), runs the reader with a
 * recording reader context and the prefilters, and ships back the items,
 * line count and summary; the coordinator merges them as in 4.
 */
#ifndef UM_PARTITION_H
#define UM_PARTITION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UM_PART_BYTES (8u << 20) /* target size of a part of a split file */

/* One part of one input. */
typedef struct um_part {
    size_t input;      /* index of the input in the scan */
    size_t index;      /* part number in the input, 0-based */
    size_t count;      /* parts of this input */
    uint64_t off;      /* first byte (part > 0: the newline ending the previous part) */
    uint64_t end;      /* one past the last byte; UINT64_MAX: to end of file */
    uint64_t lines;    /* out: lines the reader's line loop counted (um_lines.lineno) */
    void *summary;     /* out: the reader's part_size bytes, zeroed before reading */
} um_part;

#endif
