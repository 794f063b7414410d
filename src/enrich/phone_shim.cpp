// phone_shim.cpp - the thin C++ shim over libphonenumber (Debian
// libphonenumber-dev) behind enrich/phone.h: parse with a default region,
// format as E.164, report the line type. Nothing here throws: the library
// reports errors by return codes.
#include <cstring>
#include <string>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include "phone.h"

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

extern "C" const char *um_phone_type_name(um_phone_type t) {
    switch (t) {
    case UM_PHONE_FIXED: return "fixed_line";
    case UM_PHONE_MOBILE: return "mobile";
    case UM_PHONE_FIXED_OR_MOBILE: return "fixed_line_or_mobile";
    case UM_PHONE_VOIP: return "voip";
    case UM_PHONE_TOLL_FREE: return "toll_free";
    case UM_PHONE_OTHER: return "other";
    case UM_PHONE_UNKNOWN: return "unknown";
    default: return "invalid";
    }
}

/* text as E.164 into out (possible numbers only, extension dropped); n
 * keeps the parsed number. */
static bool parse_e164(const char *text, const char *region, PhoneNumber *n, char *out, size_t cap) {
    if (cap) out[0] = 0;
    if (!text || !cap) return false;
    const PhoneNumberUtil *u = PhoneNumberUtil::GetInstance();
    std::string reg = region && *region ? region : "ZZ";
    if (u->Parse(std::string(text), reg, n) != PhoneNumberUtil::NO_PARSING_ERROR) return false;
    if (!u->IsPossibleNumber(*n)) return false;
    n->clear_extension();
    std::string e164;
    u->Format(*n, PhoneNumberUtil::E164, &e164);
    if (e164.size() + 1 > cap || e164.size() < 8) return false;
    memcpy(out, e164.c_str(), e164.size() + 1);
    return true;
}

extern "C" um_phone_type um_phone_parse(const char *text, const char *region, char *out, size_t cap,
                                        int *valid) {
    if (valid) *valid = 0;
    PhoneNumber n;
    if (!parse_e164(text, region, &n, out, cap)) return UM_PHONE_INVALID;
    const PhoneNumberUtil *u = PhoneNumberUtil::GetInstance();
    bool ok = u->IsValidNumber(n);
    if (valid) *valid = ok ? 1 : 0;
    if (!ok) return UM_PHONE_UNKNOWN;
    switch (u->GetNumberType(n)) {
    case PhoneNumberUtil::FIXED_LINE: return UM_PHONE_FIXED;
    case PhoneNumberUtil::MOBILE: return UM_PHONE_MOBILE;
    case PhoneNumberUtil::FIXED_LINE_OR_MOBILE: return UM_PHONE_FIXED_OR_MOBILE;
    case PhoneNumberUtil::VOIP: return UM_PHONE_VOIP;
    case PhoneNumberUtil::TOLL_FREE: return UM_PHONE_TOLL_FREE;
    case PhoneNumberUtil::UNKNOWN: return UM_PHONE_UNKNOWN;
    default: return UM_PHONE_OTHER;
    }
}

extern "C" um_phone_type um_phone_parse_fast(const char *text, const char *region, char *out, size_t cap) {
    PhoneNumber n;
    return parse_e164(text, region, &n, out, cap) ? UM_PHONE_UNKNOWN : UM_PHONE_INVALID;
}
