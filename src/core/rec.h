/*
 * rec.h - recorded reader output (threads.c): what a reader emitted (events
 * with their strings and field bags deep-copied, rejects, warnings), in
 * batches of about 1 MiB, replayed later in order on the scan's thread
 * through the ordinary um_emit_event / um_reject / um_warn (partition.h).
 * threads.c records on worker threads; src/dist/ records in worker
 * processes on other machines and carries the batches over NATS
 * (src/dist/wire.h).
 *
 * Ownership: a batch owns its items and their strings (one arena).
 */
#ifndef UM_REC_H
#define UM_REC_H

#include "scan.h"
#include "../read/winevent.h"
#include "partition.h"

enum { UM_REC_EVENT, UM_REC_REJECT, UM_REC_WARN };

typedef struct um_rec_item {
    int kind;
    bool dropped; /* event: its field bag was not copied (partition.h, 3.) */
    uint64_t line;
    const char *msg;  /* reject / warn */
    um_event ev;      /* event: strings in the batch's arena; src_file may be the input's path */
    um_winfield *bag; /* NULL: no field bag; else nbag fields (maybe 0) */
    uint32_t nbag;
} um_rec_item;

typedef struct um_rec_batch {
    struct um_rec_batch *next;
    um_arena arena;
    um_rec_item *items;
    size_t n, cap, bytes;
} um_rec_batch;

um_rec_batch *um_rec_batch_new(void);
void um_rec_batch_free(um_rec_batch *b);
/* Appends a zeroed item; NULL when out of memory. */
um_rec_item *um_rec_batch_item(um_rec_batch *b);
/* Copies s[0..n) (plus a NUL) into the batch; NULL when out of memory. */
char *um_rec_batch_keep(um_rec_batch *b, const char *s, size_t n);

/* Reads all of input in (a file at in->path) outside any scan's pool (a
 * worker process) with the recording reader context, handing every full
 * batch to flush, which borrows it (an error from flush stops the read).
 * prefilter: the analyzers' prefilters may drop field bags (partition.h,
 * 3.; only when the scan that replays has the same compiled context);
 * false keeps every bag. *fallback: the input must be read by the scan
 * itself (not openable, UTF-16). Returns the read status, *err its message
 * (heap, free()) or NULL. */
typedef um_status (*um_rec_flush_fn)(void *ud, const um_rec_batch *b);
um_status um_rec_read(um_scan *s, um_input *in, um_part *part, bool prefilter, um_rec_flush_fn flush, void *ud,
                      bool *fallback, char **err);
/* part: NULL reads the whole file; else the file holds the bytes of one
 * part (partition.h, 1.; off 0, end UINT64_MAX, index and count set,
 * summary zeroed, reader->part_size bytes) and part->lines is set. */
/* The starts of the line-aligned parts of about psize bytes (0: the
 * default) in->path is cut into, as `--threads` cuts it (partition.h, 1.):
 * *starts (heap) and *n >= 2, or *n 0 when the file is not split. */
um_status um_part_cuts(const um_input *in, uint64_t psize, uint64_t **starts, size_t *n);

/* Replays one batch of input in into the scan (the scan's thread). src_file
 * NULL in an event means the input's own path. wf is scratch; empty is the
 * empty bag of events whose bag was dropped. */
um_status um_rec_replay(um_scan *s, um_input *in, const um_rec_batch *b, uint64_t base, um_winfields *wf,
                        um_winfields *empty);
/* (base: added to every non-zero line, the part's first line - 1; partition.h, 4.) */
/* Counts a recorded input as read (st UM_OK) or failed (st, err), as
 * reading it on the scan's thread would have. Returns st. */
um_status um_rec_input_done(um_scan *s, um_input *in, um_status st, const char *err);

#endif
