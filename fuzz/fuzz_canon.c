/*
 * fuzz_canon.c - the canonical forms (src/enrich/canon.c) and the string
 * helpers hostile values pass through (util.h): every um_canon_* function,
 * um_country_code(), um_tz_offset(), um_lower_trim(), um_basename_any() and
 * the JSON string escaper used by the sinks.
 *
 * Checked, for every canonicaliser: the output is valid input (canonicalising
 * it again does not refuse it) and a fixed point (gives the same text), or
 * matching would depend on how often a value was cleaned; the phone form is
 * checked with the input's region and with others (E.164 parses the same
 * everywhere). ctest's replay runs this target strict (UM_FUZZ_STRICT=1,
 * fuzz/CMakeLists.txt), so a broken property fails CI. Also: a country code
 * is two upper-case letters; the escaper's output is valid UTF-8 with no
 * raw control bytes; the checksum helpers never read past their input.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "um_fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    return 0;
}

typedef char *(*canon_fn)(um_arena *, const char *);

static void check_fixed_point(um_arena *a, canon_fn fn, const char *name, const char *s) {
    char *c = fn(a, s);
    if (!c) return;
    char *again = fn(a, c);
    if (!again) {
        um_fuzz_soft(name, "canonical form is not valid input to itself");
        return;
    }
    if (strcmp(c, again) != 0) {
        fprintf(stderr, "%s: \"%s\" -> \"%s\" -> \"%s\"\n", name, s, c, again);
        um_fuzz_soft(name, "canonical form is not a fixed point");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *s = malloc(size + 1);
    if (!s) return 0;
    if (size) memcpy(s, data, size);
    s[size] = 0;
    um_arena a;
    um_arena_init(&a);
    check_fixed_point(&a, um_canon_email, "um_canon_email", s);
    check_fixed_point(&a, um_canon_phone, "um_canon_phone", s);
    check_fixed_point(&a, um_canon_wallet, "um_canon_wallet", s);
    check_fixed_point(&a, um_canon_handle, "um_canon_handle", s);
    check_fixed_point(&a, um_canon_address, "um_canon_address", s);
    check_fixed_point(&a, um_canon_account, "um_canon_account", s);
    check_fixed_point(&a, um_canon_serial, "um_canon_serial", s);
    static const char *const regions[] = {"US", "GB", "DE", "JP", "KR", "CN", ""};
    um_phone_type t;
    const char *reg = regions[size % UM_ARRAY_LEN(regions)];
    char *ph = um_canon_phone_region(&a, s, reg, &t);
    if (ph) {
        for (size_t i = 0; i < UM_ARRAY_LEN(regions); i++) {
            char *again = um_canon_phone_region(&a, ph, regions[i], NULL);
            if (!again || strcmp(again, ph) != 0) {
                fprintf(stderr, "um_canon_phone_region: \"%s\" (%s) -> \"%s\" -> \"%s\" (%s)\n", s, reg, ph,
                        again ? again : "(refused)", regions[i]);
                um_fuzz_soft("um_canon_phone_region", "E.164 form is not a fixed point in every region");
            }
        }
    }
    char *hs = um_host_serial(&a, s);
    if (hs) {
        char *again = um_canon_serial(&a, hs);
        if (!again || strcmp(again, hs) != 0) um_fuzz_soft("um_host_serial", "serial is not canonical");
    }
    char *em = um_canon_email(&a, s);
    if (em) (void)um_email_disposable(em);
    char *ad = um_canon_address(&a, s);
    if (ad) (void)um_address_forwarder(ad);
    (void)um_wallet_check(s);
    char *ac = um_canon_account(&a, s);
    (void)um_account_verify(s, ac);
    const char *cc = um_country_code(s);
    if (cc && (strlen(cc) != 2 || cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z'))
        um_fuzz_soft("um_country_code", "not two upper-case letters");
    int m = 0;
    if (um_tz_offset(s, &m) && (m < -16 * 60 || m > 16 * 60)) um_fuzz_soft("um_tz_offset", "offset beyond +-16h");
    char *lt = um_lower_trim(&a, s, size);
    if (lt && strlen(lt) > size) um_fuzz_soft("um_lower_trim", "longer than its input");
    const char *base = um_basename_any(s);
    if (base < s || base > s + strlen(s)) um_fuzz_fail("um_basename_any", "points outside its input");
    (void)um_utf8_valid((const char *)data, size); /* exact-size buffer: no read past n */
    um_buf b;
    um_buf_init(&b);
    um_buf_add_json_str(&b, s);
    if (!b.oom && b.s) {
        if (!um_utf8_valid(b.s, b.len)) um_fuzz_soft("um_buf_add_json_str", "output is not valid UTF-8");
        for (size_t i = 0; i < b.len; i++)
            if ((unsigned char)b.s[i] < 0x20) um_fuzz_soft("um_buf_add_json_str", "raw control byte in output");
    }
    um_buf_free(&b);
    um_arena_free(&a);
    free(s);
    return 0;
}
