/*
 * rules.h - pure matching functions behind the `endpoint` and `hours`
 * analyzers, exposed so they can be tested without a scan.
 *
 *  - IP-KVM USB identities (data/ioc/kvm_usb_device.csv) -> EP-01.
 *  - Activity-hour and commit-offset decisions (TM-01, TM-02).
 *
 * (Remote-access and VPN detection are Sigma rules now: rules/, src/sigma/.)
 *
 * Ownership: a kvm list owns copies of every string it loads;
 * results point into the set and live until it is freed.
 */
#ifndef UM_DETECT_RULES_H
#define UM_DETECT_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../core/internal.h"


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

/* Does the context's Sigma rule pack (shipped + --rules) hold a rule with
 * logsource product okta or azure signinlogs? The sign-in readers present
 * records to the rules only then. Never compiles (it runs on reader
 * threads): true when the pack is not compiled yet; a scan builds it before
 * any log input is read (um_scan_prepare; with threads the first worker,
 * before any part is read). */
bool um_rules_want_signins(um_ctx *ctx);

/* The folder of the compiled rule pack cache (src/sigma/hscache.h) into
 * buf: $XDG_CACHE_HOME/unmask, else $HOME/.cache/unmask. false (no cache)
 * when neither is set to an absolute path, the path does not fit, or
 * UNMASK_RULE_CACHE is "off" or "0". */
bool um_rules_cache_dir(char *buf, size_t cap);

/* ---- claims ---------------------------------------------------------- */

/* Does one of subject sid's own claims match spec, a rule's
 * unmask_consistent_with ("language:korean,ko; country:KR")? Then a
 * language/locale signal is consistent with what the person said. */
bool um_claims_consistent(um_scan *s, um_sid sid, const char *spec);

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
    int fit_offset;        /* the whole-hour UTC offset (-12h..+14h) whose
                              09-18h holds the most activity: the fitted zone */
    double fit_share;      /* share of activity in 09-18h of fit_offset */
} um_hours_result;

/* The best-fitting whole-hour UTC offset for an activity histogram (most
 * activity in 09-18h local time; ties go to the offset nearest prefer).
 * *share gets its share; false when hist is empty. */
bool um_hours_fit(const uint32_t hist[24], int prefer, int *offset, double *share);

/* hist: active (day, hour) counts per UTC hour; days: distinct days.
 * TM-01 fires when >= 60 % of the activity falls in 09-18h of one of
 * UTC+7..+10 (Laos, China, Korea, Vladivostok) and <= 30 % in 08-19h of
 * the claim. out->fit_* is filled whenever there is activity. */
bool um_hours_decide(const uint32_t hist[24], unsigned days, um_claim_zone claim,
                     um_hours_result *out);
/* Commit offsets: n_asia with +0800/+0900/+1000 among n_total commits. */
bool um_commit_tz_decide(unsigned n_asia, unsigned n_total);
bool um_commit_offset_is_asia(int tz_min);

#endif
