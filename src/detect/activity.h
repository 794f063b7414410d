/*
 * activity.h - the sink side of the `activity` analyzer (activity.c): writes
 * the tables activity, logins, logins_total and subject_zone
 * (docs/SCHEMA.md) into an open case database inside the caller's
 * transaction. Returns 0, or -1 on an SQLite error (message on the handle).
 */
#ifndef UM_ACTIVITY_H
#define UM_ACTIVITY_H

#include <sqlite3.h>

struct um_scan;
int um_activity_write_sqlite(struct um_scan *scan, sqlite3 *db);

#endif
