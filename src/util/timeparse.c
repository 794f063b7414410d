/* timeparse.c - see timeparse.h. */
#include "timeparse.h"
#include "ascii.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int y, int m) {
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

bool um_time_from_civil(int y, int mo, int d, int h, int mi, int s, int64_t *epoch_s) {
    if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
        h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60)
        return false;
    /* Howard Hinnant's days_from_civil. */
    int yy = y - (mo <= 2);
    int era = yy / 400;
    unsigned yoe = (unsigned)(yy - era * 400);
    unsigned doy = (unsigned)((153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1);
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = (int64_t)era * 146097 + (int64_t)doe - 719468;
    *epoch_s = days * 86400 + h * 3600 + mi * 60 + (s == 60 ? 59 : s);
    return true;
}

static bool digits(const char *s, size_t n, size_t at, size_t k, int *out) {
    if (at + k > n) return false;
    int v = 0;
    for (size_t i = 0; i < k; i++) {
        if (!um_ascii_isdigit((unsigned char)s[at + i])) return false;
        v = v * 10 + (s[at + i] - '0');
    }
    *out = v;
    return true;
}

bool um_time_parse_iso(const char *s, size_t n, int64_t *us, int *tz_min, bool *has_tz) {
    while (n && um_ascii_isspace((unsigned char)s[n - 1])) n--;
    while (n && um_ascii_isspace((unsigned char)*s)) { s++; n--; }
    int y, mo, d, h, mi, sec = 0;
    if (!digits(s, n, 0, 4, &y) || n < 16 || s[4] != '-' || !digits(s, n, 5, 2, &mo) ||
        s[7] != '-' || !digits(s, n, 8, 2, &d) || (s[10] != 'T' && s[10] != ' ' && s[10] != 't') ||
        !digits(s, n, 11, 2, &h) || s[13] != ':' || !digits(s, n, 14, 2, &mi))
        return false;
    size_t i = 16;
    if (i < n && s[i] == ':') {
        if (!digits(s, n, 17, 2, &sec)) return false;
        i = 19;
    }
    int64_t frac = 0;
    if (i < n && (s[i] == '.' || s[i] == ',')) {
        i++;
        size_t k = 0;
        int64_t scale = 100000;
        while (i < n && um_ascii_isdigit((unsigned char)s[i])) {
            if (k < 6) frac += (s[i] - '0') * scale, scale /= 10;
            k++;
            i++;
        }
        if (!k) return false;
    }
    int off = 0;
    bool tz = false;
    if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
        tz = true;
        i++;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        int sign = s[i] == '-' ? -1 : 1, oh, om = 0;
        i++;
        if (!digits(s, n, i, 2, &oh)) return false;
        i += 2;
        if (i < n && s[i] == ':') i++;
        if (i < n) {
            if (!digits(s, n, i, 2, &om)) return false;
            i += 2;
        }
        if (oh > 14 || om > 59) return false;
        off = sign * (oh * 60 + om);
        tz = true;
    }
    if (i != n) return false;
    int64_t e;
    if (!um_time_from_civil(y, mo, d, h, mi, sec, &e)) return false;
    *us = (e - (int64_t)off * 60) * 1000000 + frac;
    if (tz_min) *tz_min = off;
    if (has_tz) *has_tz = tz;
    return true;
}

bool um_time_parse_epoch(const char *s, size_t n, int64_t *us) {
    size_t i = 0;
    int64_t secs = 0, frac = 0, scale = 100000;
    if (!n) return false;
    for (; i < n && um_ascii_isdigit((unsigned char)s[i]); i++) {
        if (secs > 100000000000LL) return false;
        secs = secs * 10 + (s[i] - '0');
    }
    if (i == 0) return false;
    if (i < n && s[i] == '.') {
        i++;
        for (; i < n && um_ascii_isdigit((unsigned char)s[i]); i++)
            if (scale) frac += (s[i] - '0') * scale, scale /= 10;
    }
    if (i != n) return false;
    *us = secs * 1000000 + frac;
    return true;
}

bool um_time_parse_git(const char *s, size_t n, int64_t *us, int *tz_min) {
    static const char *mons[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char buf[64];
    if (n >= sizeof buf) return false;
    memcpy(buf, s, n);
    buf[n] = 0;
    char wd[8], mon[8], off[8];
    int d, h, mi, sec, y, used = 0;
    if (sscanf(buf, "%7s %7s %d %d:%d:%d %d %7s%n", wd, mon, &d, &h, &mi, &sec, &y, off,
               &used) != 8)
        return false;
    while (buf[used] == ' ') used++;
    if (buf[used]) return false;
    int mo = 0;
    for (int k = 0; k < 12; k++)
        if (strcmp(mon, mons[k]) == 0) mo = k + 1;
    if (!mo || strlen(off) != 5 || (off[0] != '+' && off[0] != '-')) return false;
    int oh, om;
    if (!digits(off, 5, 1, 2, &oh) || !digits(off, 5, 3, 2, &om)) return false;
    int offm = (off[0] == '-' ? -1 : 1) * (oh * 60 + om);
    int64_t e;
    if (!um_time_from_civil(y, mo, d, h, mi, sec, &e)) return false;
    *us = (e - (int64_t)offm * 60) * 1000000;
    if (tz_min) *tz_min = offm;
    return true;
}

/* Days since 1970-01-01 to a date of the proleptic Gregorian calendar
 * (what gmtime_r gives), counted in 400-year eras of 146,097 days with the
 * year starting on March 1st so that February's leap day comes last. */
static void civil_of_days(int64_t days, int64_t *y, int *mo, int *d) {
    days += 719468; /* 0000-03-01 to 1970-01-01 */
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;                                    /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                /* [0, 365], from March 1st */
    int64_t mp = (5 * doy + 2) / 153;                                     /* [0, 11], March = 0 */
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *mo = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*mo <= 2);
}

static char *put_digits(char *p, unsigned v, int n) {
    for (int i = n - 1; i >= 0; i--, v /= 10) p[i] = (char)('0' + v % 10);
    return p + n;
}

size_t um_time_format(int64_t us, char *out, size_t outsz) {
    if (us == UM_TIME_NONE) {
        snprintf(out, outsz, "-");
        return outsz ? 1 : 0;
    }
    int64_t secs = us >= 0 ? us / 1000000 : (us - 999999) / 1000000;
    int64_t frac = us - secs * 1000000;
    int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    int64_t sod = secs - days * 86400;
    int64_t y;
    int mo, d;
    civil_of_days(days, &y, &mo, &d);
    if (y < 0 || y > 9999 || outsz < UM_TIME_TEXT) { /* the printf form: a sign or a fifth digit */
        int n = snprintf(out, outsz, "%04lld-%02d-%02dT%02d:%02d:%02d.%06ldZ", (long long)y, mo, d,
                         (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60), (long)frac);
        return n < 0 ? 0 : (size_t)n < outsz ? (size_t)n : outsz ? outsz - 1 : 0;
    }
    char *p = put_digits(out, (unsigned)y, 4);
    *p++ = '-';
    p = put_digits(p, (unsigned)mo, 2);
    *p++ = '-';
    p = put_digits(p, (unsigned)d, 2);
    *p++ = 'T';
    p = put_digits(p, (unsigned)(sod / 3600), 2);
    *p++ = ':';
    p = put_digits(p, (unsigned)(sod / 60 % 60), 2);
    *p++ = ':';
    p = put_digits(p, (unsigned)(sod % 60), 2);
    *p++ = '.';
    p = put_digits(p, (unsigned)frac, 6);
    *p++ = 'Z';
    *p = 0;
    return (size_t)(p - out);
}

int64_t um_time_future_limit(void) {
    return ((int64_t)time(NULL) + 2 * 86400) * 1000000;
}
