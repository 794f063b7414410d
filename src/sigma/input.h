/*
 * input.h - Windows event files (.evtx, evtx_dump / Sigma regression JSON,
 * NXLog/OTRF and Winlogbeat JSON lines) as Sigma events, for the rules CLI.
 * Ownership: a record and its views live only during the callback.
 */
#ifndef UM_SIGMA_INPUT_H
#define UM_SIGMA_INPUT_H

#include "sigma.h"

typedef struct um_sigma_record {
    um_sigma_event ev;
    const char *record_id; /* EventRecordID text or NULL */
    const char *host;      /* Computer or NULL */
} um_sigma_record;

typedef struct um_sigma_input_stats {
    uint64_t records, rejects, bytes;
} um_sigma_input_stats;

/* rec is NULL for a record that cannot be used (why says why). line: the
 * line the JSON object starts on, or the EVTX record number (1-based).
 * Return non-zero to stop. */
typedef int (*um_sigma_record_fn)(void *ud, const um_sigma_record *rec, const char *file, uint64_t line,
                                  const char *why);

/* UM_EIO when the file cannot be opened; bad records go to fn. */
um_status um_sigma_read_file(const char *path, um_sigma_record_fn fn, void *ud, um_sigma_input_stats *st);

#endif
