/*
 * fuzz_canon.c - the canonical forms (src/enrich/canon.c) and the string
 * helpers hostile values pass through (util.h): every um_canon_* function,
 * um_country_code(), um_tz_offset(), um_lower_trim(), um_basename_any() and
 * the JSON string escaper used by the sinks.
 *
 * Checked: each canonical form is a fixed point (canonicalising it again
 * gives the same text, or matching would depend on how often a value was
 * cleaned); a country code is two upper-case letters; the escaper's output
 * is valid UTF-8 with no raw control bytes.
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
