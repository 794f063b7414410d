/*
 * rules.h - pure matching functions behind the `endpoint` and `hours`
 * analyzers, exposed so they can be tested without a scan.
 *
 *  - Remote-access / VPN rule tables (data/rules/, docs/rules.md):
 *    process base names with at most one '*', case-insensitive equality on
 *    signer/company/product/description, DNS suffixes on a label boundary,
 *    folder segments inside paths. Matching is linear in the input; it never
 *    searches a whole event text for a substring.
 *  - IP-KVM USB identities (data/ioc/kvm_usb_device.csv) -> EP-01.
 *  - Activity-hour and commit-offset decisions (TM-01, TM-02).
 *
 * Ownership: a ruleset / kvm list owns copies of every string it loads;
 * results point into the set and live until it is freed.
 */
#ifndef UM_DETECT_RULES_H
#define UM_DETECT_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../core/internal.h"

/* ---- remote-access / VPN rules ---------------------------------------- */

typedef enum um_rule_kind {
    UM_RK_IMAGE,       /* process base name, glob with at most one '*' */
    UM_RK_SIGNER,      /* code-signing subject; compared with PE Company too */
    UM_RK_COMPANY,     /* PE CompanyName */
    UM_RK_PRODUCT,     /* PE ProductName */
    UM_RK_DESCRIPTION, /* PE FileDescription */
    UM_RK_DOMAIN,      /* DNS name suffix on a label boundary */
    UM_RK_PATH         /* folder segment, '\' and '/' treated alike */
} um_rule_kind;

typedef struct um_rule {
    const char *tool;      /* normalised tool name, e.g. "AnyDesk" */
    const char *indicator; /* "EP-02" (remote access) or "EP-03" (VPN) */
    um_rule_kind kind;
    const char *value;     /* lower-case; paths with '/' for separators */
    size_t len;
    size_t star;           /* position of '*' in value, or SIZE_MAX */
} um_rule;

typedef struct um_ruleset {
    um_rule *r;
    size_t n, cap;
    /* index: "<class>:<value>" -> rule + 1 for equality rules (image names
     * without '*', company/signer, product, description, domain), so an
     * event costs a few hash lookups instead of a pass over every rule */
    um_map exact;
    size_t *linear; /* rules still matched one by one: image globs, paths */
    size_t n_linear, cap_linear;
    size_t bad_lines;       /* lines that could not be used */
    uint64_t first_bad_line;
    um_arena arena;
} um_ruleset;

void um_ruleset_init(um_ruleset *rs);
void um_ruleset_free(um_ruleset *rs);
/* kind name ("image", "domain", ...) -> kind; -1 when unknown. */
int um_rule_kind_from_name(const char *name);
const char *um_rule_kind_name(um_rule_kind k);
/* Adds one rule; false (nothing added) when the value is empty, too long,
 * has more than one '*', or the kind is unknown. */
bool um_ruleset_add(um_ruleset *rs, const char *indicator, const char *tool, const char *kind,
                    const char *value);
/* Reads a TSV table (tool<TAB>kind<TAB>value, '#' comments). Unusable
 * lines are counted in bad_lines. UM_ENOMEM on allocation failure. */
um_status um_ruleset_load(um_ruleset *rs, FILE *f, const char *indicator);

/* Case-insensitive match of a glob with at most one '*' (pattern already
 * lower-case) against s. */
bool um_glob1_match(const char *pat, size_t plen, size_t star, const char *s);
/* name == suffix or name ends with "." suffix (case-insensitive, trailing
 * dot of a fully-qualified name ignored). */
bool um_domain_suffix_match(const char *suffix, const char *name);
/* path contains the folder segment seg (lower-case, '/' separators, starts
 * and ends with '/'), case-insensitive, '\' and '/' alike. */
bool um_path_has_segment(const char *seg, const char *path);
/* The process is a web browser (DNS rules ignore browsers). */
bool um_is_browser_image(const char *image);

/* The first rule that matches the event (see docs/rules.md for which
 * fields each event kind is matched on), or NULL. The command line is
 * never looked at. */
const um_rule *um_rules_match_event(const um_ruleset *rs, const um_event *ev);

/* ---- IP-KVM USB devices ---------------------------------------------- */

typedef struct um_kvm_list {
    uint32_t *ids; /* vid << 16 | pid */
    size_t n_ids;
    const char **strings; /* lower-case manufacturer / product strings */
    size_t n_strings;
    const char **serials; /* lower-case serial numbers */
    size_t n_serials;
    size_t cap_ids, cap_strings, cap_serials;
    um_arena arena;
} um_kvm_list;

void um_kvm_list_init(um_kvm_list *k);
void um_kvm_list_free(um_kvm_list *k);
/* Reads kvm_usb_device.csv (type,value,...). Built-in names from the
 * vendors' sources are always added by um_kvm_list_init. */
um_status um_kvm_list_load(um_kvm_list *k, FILE *f);

typedef struct um_kvm_match {
    um_strength strength;
    int weight;
    char key[64];       /* "1d6b:0104" or the matching string */
    const char *reason; /* static text for the summary */
} um_kvm_match;

/* Decides EP-01 for a device: vid/pid (-1 unknown), its text strings
 * (description, manufacturer, product; NULLs allowed) and serial. */
bool um_kvm_match_device(const um_kvm_list *k, int vid, int pid, const char *const *strs,
                         size_t nstr, const char *serial, um_kvm_match *out);

/* ---- activity hours (TM-01) and commit offsets (TM-02) ---------------- */

#define UM_TM01_WEIGHT 20
#define UM_TM02_WEIGHT 10
#define UM_TM01_MIN_HOURS 20u
#define UM_TM01_MIN_DAYS 5u

/* A claimed zone range in minutes (lo..hi; a country may span zones). */
typedef struct um_claim_zone {
    int lo, hi;
    bool known;
} um_claim_zone;

/* Claimed zone from a TIMEZONE value, else a COUNTRY value (ISO-2 or name);
 * known = false when neither can be placed. */
um_claim_zone um_claim_zone_of(const char *timezone, const char *country);
/* The claim lies in the Americas/Europe (every offset <= +3h), the only
 * claims TM-01/TM-02 compare against. */
bool um_claim_is_west(um_claim_zone z);

typedef struct um_hours_result {
    bool fire;
    unsigned total;        /* active hours in the histogram */
    int asia_offset;       /* +480 or +540: the better-fitting zone */
    double asia_share;     /* share in 09-18h of that zone */
    double claimed_share;  /* best share in 08-19h of the claimed zone(s) */
} um_hours_result;

/* hist: active (day, hour) counts per UTC hour; days: distinct days. */
bool um_hours_decide(const uint32_t hist[24], unsigned days, um_claim_zone claim,
                     um_hours_result *out);
/* Commit offsets: n_asia with +0800/+0900/+1000 among n_total commits. */
bool um_commit_tz_decide(unsigned n_asia, unsigned n_total);
bool um_commit_offset_is_asia(int tz_min);

#endif
