/*
 * activity.h - the sink side of the `activity` analyzer (activity.c): writes
 * the tables activity, logins, logins_total and subject_zone
 * (docs/SCHEMA.md) into an open case database inside the caller's
 * transaction, one subject after another in the order of by_id (subject
 * indexes sorted by subject id, so rows keyed by subject id are appended;
 * NULL: subject index order). Returns 0, or -1 on an SQLite error (message
 * on the handle).
 */
#ifndef UM_ACTIVITY_H
#define UM_ACTIVITY_H

#include <sqlite3.h>
#include <stdint.h>

struct um_scan;
int um_activity_write_sqlite(struct um_scan *scan, sqlite3 *db, const uint32_t *by_id);

#endif
