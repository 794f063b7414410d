/*
 * phone.h - the C face of the libphonenumber shim (enrich/phone_shim.cpp).
 * No C++ type crosses this header. libphonenumber's utility object is a
 * process-wide singleton built on first use and read-only afterwards, so
 * these calls are safe from several threads.
 */
#ifndef UM_PHONE_H
#define UM_PHONE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum um_phone_type {
    UM_PHONE_INVALID = 0, /* not a possible number */
    UM_PHONE_UNKNOWN,     /* possible, but no type (or not valid for its region) */
    UM_PHONE_FIXED,       /* landline */
    UM_PHONE_MOBILE,
    UM_PHONE_FIXED_OR_MOBILE, /* NANP and a few others cannot tell */
    UM_PHONE_VOIP,
    UM_PHONE_TOLL_FREE,
    UM_PHONE_OTHER /* premium, shared cost, pager, UAN, personal number, voicemail */
} um_phone_type;

const char *um_phone_type_name(um_phone_type t);

/* Parses text (any national or international spelling) with region as the
 * default region (ISO alpha-2, NULL or "" for none: then only numbers
 * written with + or 00 parse). On success writes E.164 ("+14155550123",
 * NUL-terminated) into out and returns the type; returns UM_PHONE_INVALID
 * and leaves out empty when the text is not a possible number or does not
 * fit in cap. valid (may be NULL) is set to 1 when libphonenumber considers
 * the number valid for its region (assigned ranges), else 0. */
um_phone_type um_phone_parse(const char *text, const char *region, char *out, size_t cap, int *valid);
/* The same without the (slower) validity and type checks: UM_PHONE_UNKNOWN
 * for a possible number, UM_PHONE_INVALID otherwise. */
um_phone_type um_phone_parse_fast(const char *text, const char *region, char *out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif
