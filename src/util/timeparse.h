/*
 * timeparse.h - strict timestamp parsing. Every parser validates the
 * calendar (2017-09-31 is rejected) and returns UTC microseconds since the
 * epoch. Offsets found in the text are returned in *tz_min when asked.
 */
#ifndef UM_TIMEPARSE_H
#define UM_TIMEPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UM_TIME_NONE INT64_MIN

/* ISO 8601 / RFC 3339: "2024-08-13T15:58:20.353Z", "...+09:00", "... -0500",
 * a space instead of T, and no zone (then taken as UTC and *has_tz false).
 * Also Sysmon's "2019-05-16 01:38:19.616". Returns false on anything else. */
bool um_time_parse_iso(const char *s, size_t n, int64_t *us, int *tz_min, bool *has_tz);
/* Epoch seconds with optional fraction ("1588317684.123456"). */
bool um_time_parse_epoch(const char *s, size_t n, int64_t *us);
/* git's default date: "Tue Nov 3 10:20:30 2020 +0900". */
bool um_time_parse_git(const char *s, size_t n, int64_t *us, int *tz_min);
/* Days-from-civil helper: false when the date does not exist. */
bool um_time_from_civil(int y, int mo, int d, int h, int mi, int s, int64_t *epoch_s);
/* Formats as "2024-08-13T15:58:20.353000Z" into out (>= 32 bytes; "-" for
 * UM_TIME_NONE), the UTC date of the proleptic Gregorian calendar as
 * gmtime_r gives it, without printf for years 0-9999. Returns the length
 * written (without the NUL). */
#define UM_TIME_TEXT 28 /* "YYYY-MM-DDTHH:MM:SS.ffffffZ" and its NUL */
size_t um_time_format(int64_t us, char *out, size_t outsz);
/* Latest plausible time: now + 2 days. Times after it are "in the future". */
int64_t um_time_future_limit(void);

#endif
