/*
 * columns.h - recognising identity-record column names ("First Name",
 * "candidate_id", "Ship To Address" ...) in CSV headers and JSON keys.
 */
#ifndef UM_COLUMNS_H
#define UM_COLUMNS_H

#include "../core/internal.h"

/* Attribute for a column/key name, or -1 when not recognised. */
int um_column_attr(const char *name);
/* What kind of record a set of mapped columns describes. */
um_person_kind um_column_kind(const int *attrs, size_t n);

#endif
