/*
 * canon.c - canonical forms of identifiers, so that the same phone, email,
 * wallet, handle or address written two ways compares equal.
 */
#include <stdlib.h>
#include <string.h>

#include "../core/internal.h"
#include "checksum.h"
#include "../util/ascii.h"

/* Providers that ignore dots (Gmail) or a +tag (most large providers) in the
 * local part; the canonical form drops them so one mailbox is one value. */
static const char *const plus_tag_domains[] = {
    "gmail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "icloud.com", "me.com",
    "mac.com", "protonmail.com", "proton.me", "pm.me", "fastmail.com", "zoho.com", "yandex.com", "yandex.ru"};

/* A few of the best-known disposable-mailbox services (receive-only, no
 * sign-up). A short built-in list: a hit is a flag, a miss proves nothing. */
static const char *const disposable_domains[] = {
    "mailinator.com", "guerrillamail.com", "guerrillamail.net", "sharklasers.com", "grr.la",
    "10minutemail.com", "10minutemail.net", "temp-mail.org", "tempmail.com", "tempmail.net",
    "yopmail.com", "yopmail.fr", "trashmail.com", "trashmail.de", "getnada.com", "nada.email",
    "dispostable.com", "maildrop.cc", "throwawaymail.com", "fakeinbox.com", "mohmal.com",
    "emailondeck.com", "mintemail.com", "spamgourmet.com", "moakt.com", "tempr.email",
    "mailnesia.com", "mytemp.email", "tempail.com", "burnermail.io", "inboxkitten.com",
    "mail.tm", "tmpmail.org", "tmail.ws", "mailpoof.com", "dropmail.me", "emailfake.com",
    "guerrillamailblock.com", "spam4.me", "discard.email", "mailcatch.com", "33mail.com"};

static bool email_local_char(unsigned char c) {
    return um_ascii_isalnum(c) || c >= 0x80 || strchr("!#$%&'*+/=?^_`{|}~.-", c);
}

char *um_canon_email(um_arena *a, const char *s) {
    char *e = um_lower_trim(a, s, strlen(s));
    if (!e) return NULL;
    if (strncmp(e, "mailto:", 7) == 0) e += 7;
    size_t n = strlen(e);
    if (n >= 2 && e[0] == '<' && e[n - 1] == '>') { /* "<x@y.z>" */
        e[n - 1] = 0;
        e++;
    }
    char *at = strchr(e, '@');
    if (!at || at == e || !at[1] || strchr(at + 1, '@')) return NULL;
    *at = 0;
    char *local = e, *dom = at + 1;
    if (strcmp(dom, "googlemail.com") == 0) dom = "gmail.com";
    /* domain: labels of letters, digits, '-' (or UTF-8), at least two, none empty */
    size_t dl = strlen(dom);
    if (dl > 253 || !strchr(dom, '.') || dom[0] == '.' || dom[dl - 1] == '.' || strstr(dom, "..")) return NULL;
    for (const char *p = dom; *p; p++)
        if (!(um_ascii_isalnum((unsigned char)*p) || *p == '-' || *p == '.' || ((unsigned char)*p & 0x80))) return NULL;
    for (const char *p = local; *p; p++)
        if (!email_local_char((unsigned char)*p)) return NULL;
    bool tags = false;
    for (size_t i = 0; i < UM_ARRAY_LEN(plus_tag_domains); i++)
        if (strcmp(dom, plus_tag_domains[i]) == 0) tags = true;
    if (tags) {
        char *plus = strchr(local, '+');
        if (plus) *plus = 0;
    }
    if (strcmp(dom, "gmail.com") == 0) {
        char *w = local;
        for (char *p = local; *p; p++)
            if (*p != '.') *w++ = *p;
        *w = 0;
    }
    size_t ll = strlen(local);
    /* empty after the provider's rules ("+tag@gmail.com", "...@gmail.com"),
     * or dots where no mail system accepts them: not an address */
    if (ll == 0 || ll > 64 || local[0] == '.' || local[ll - 1] == '.' || strstr(local, "..")) return NULL;
    return um_arena_printf(a, "%s@%s", local, dom);
}

bool um_email_disposable(const char *canon) {
    const char *at = canon ? strrchr(canon, '@') : NULL;
    if (!at) return false;
    for (size_t i = 0; i < UM_ARRAY_LEN(disposable_domains); i++)
        if (strcmp(at + 1, disposable_domains[i]) == 0) return true;
    return false;
}

/* Phones: our own syntax check first (digits and the usual separators, one
 * leading + or 00, an extension cut off), then libphonenumber for E.164 and
 * the line type with the claimed country as default region. The canonical
 * form is E.164, which parses to itself in every region. */
char *um_canon_phone_region(um_arena *a, const char *s, const char *region, um_phone_type *type) {
    if (type) *type = UM_PHONE_INVALID;
    size_t n = strlen(s);
    if (n > 64) return NULL;
    char d[80];
    size_t k = 0, digits = 0;
    const char *p = s;
    while (*p && um_ascii_isspace((unsigned char)*p)) p++;
    if (*p == '+') {
        d[k++] = '+';
        p++;
    } else if (p[0] == '0' && p[1] == '0') { /* 00: the international prefix almost everywhere */
        d[k++] = '+';
        p += 2;
    }
    for (; *p; p++) {
        if (um_ascii_isdigit((unsigned char)*p)) {
            d[k++] = *p;
            digits++;
        } else if (*p == 'x' || *p == 'X' || *p == ';' || *p == '#' || *p == ',') {
            break; /* extension or dialling suffix */
        } else if (um_starts_with_ci(p, "ext")) {
            break;
        } else if (!strchr(" -.()/", *p)) {
            return NULL;
        }
    }
    d[k] = 0;
    if (digits < 7 || digits > 15) return NULL;
    char out[40];
    int valid = 0;
    const char *reg = region && *region ? region : "US";
    um_phone_type t;
    /* NANP fast path (libphonenumber costs ~70 us a number): +1 or, in a
     * NANP region, 10 digits / 1 + 10 digits, area code and exchange
     * starting 2-9. The E.164 form is the same libphonenumber would give, and
     * it takes this path again, so it stays a fixed point. */
    const char *nd = NULL;
    bool nanp_region = strcmp(reg, "US") == 0 || strcmp(reg, "CA") == 0;
    if (d[0] == '+' && d[1] == '1' && digits == 11) nd = d + 2;
    else if (d[0] != '+' && nanp_region && digits == 10) nd = d;
    else if (d[0] != '+' && nanp_region && digits == 11 && d[0] == '1') nd = d + 1;
    if (nd && nd[0] >= '2' && nd[3] >= '2') {
        snprintf(out, sizeof out, "+1%.10s", nd);
        t = UM_PHONE_FIXED_OR_MOBILE;
        if (type) { /* the exact type only when asked */
            int v2 = 0;
            char o2[40];
            um_phone_type t2 = um_phone_parse(out, "US", o2, sizeof o2, &v2);
            if (t2 != UM_PHONE_INVALID) t = t2;
        }
    } else if (type) {
        t = um_phone_parse(d, reg, out, sizeof out, &valid);
    } else {
        t = um_phone_parse_fast(d, reg, out, sizeof out);
    }
    if (t == UM_PHONE_INVALID) return NULL;
    size_t olen = strlen(out);
    if (olen < 8 || olen > 16) return NULL; /* E.164: at most 15 digits, or it is not valid input again */
    if (type) *type = t;
    return um_arena_strdup(a, out);
}

char *um_canon_phone(um_arena *a, const char *s) { return um_canon_phone_region(a, s, "US", NULL); }

static bool b58_string(const char *s) {
    for (; *s; s++)
        if (!strchr("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz", *s)) return false;
    return true;
}

static bool all_hex(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!um_ascii_isxdigit((unsigned char)s[i])) return false;
    return true;
}

/* EIP-55: a mixed-case address must carry its checksum; all-lower or
 * all-upper addresses carry none. */
static int eip55_check(const char *hex40) {
    bool lo = false, up = false;
    for (int i = 0; i < 40; i++) {
        if (um_ascii_islower((unsigned char)hex40[i])) lo = true;
        if (um_ascii_isupper((unsigned char)hex40[i])) up = true;
    }
    if (!(lo && up)) return -1;
    char low[41];
    for (int i = 0; i < 40; i++) low[i] = (char)um_ascii_tolower((unsigned char)hex40[i]);
    low[40] = 0;
    uint8_t h[32];
    um_keccak256(low, 40, h);
    for (int i = 0; i < 40; i++) {
        if (!um_ascii_isalpha((unsigned char)hex40[i])) continue;
        int nib = (h[i / 2] >> (i % 2 ? 0 : 4)) & 15;
        if ((nib >= 8) != (um_ascii_isupper((unsigned char)hex40[i]) != 0)) return 0;
    }
    return 1;
}

um_wallet_info um_wallet_check(const char *s) {
    um_wallet_info w = {"unknown", -1};
    size_t n = strlen(s);
    uint8_t pl[64];
    size_t pn = 0;
    if (n == 42 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && all_hex(s + 2, 40)) {
        w.kind = "evm";
        w.checksum = eip55_check(s + 2);
    } else if (um_starts_with_ci(s, "bc1") || um_starts_with_ci(s, "tb1") || um_starts_with_ci(s, "ltc1")) {
        w.kind = um_starts_with_ci(s, "ltc1") ? "litecoin-bech32" : "bitcoin-bech32";
        w.checksum = um_bech32_check(s) ? 1 : 0;
    } else if (n >= 26 && n <= 35 && (s[0] == '1' || s[0] == '3') && b58_string(s)) {
        w.kind = "bitcoin-base58";
        w.checksum = um_base58check(s, pl, sizeof pl, &pn) && pn == 21 && (pl[0] == 0 || pl[0] == 5);
    } else if (n == 34 && s[0] == 'T' && b58_string(s)) {
        w.kind = "tron";
        w.checksum = um_base58check(s, pl, sizeof pl, &pn) && pn == 21 && pl[0] == 0x41;
    } else if (n >= 32 && n <= 44 && b58_string(s)) {
        w.kind = "solana";
        uint8_t raw[64];
        w.checksum = um_base58_decode(s, raw, sizeof raw) == 32 ? -1 : 0; /* no checksum; length only */
        if (w.checksum == 0) w.kind = "unknown";
    }
    return w;
}

char *um_canon_wallet(um_arena *a, const char *s) {
    char *d = um_arena_strdup(a, s);
    if (!d) return NULL;
    d = um_trim(d);
    if (!*d) return NULL;
    /* strip URI schemes like ethereum: / bitcoin: and a ?amount= query */
    char *colon = strchr(d, ':');
    if (colon && colon - d < 12) d = colon + 1;
    char *q = strpbrk(d, "?@");
    if (q) *q = 0;
    if (!*d || strlen(d) > 100) return NULL;
    for (char *p = d; *p; p++)
        if (!um_ascii_isalnum((unsigned char)*p)) return NULL;
    /* EVM and bech32 addresses are case-insensitive: lower-case them.
     * Base58 (Bitcoin legacy, Tron, Solana) is case-sensitive: keep. */
    if ((d[0] == '0' && (d[1] == 'x' || d[1] == 'X')) || um_starts_with_ci(d, "bc1") ||
        um_starts_with_ci(d, "tb1") || um_starts_with_ci(d, "ltc1")) {
        for (char *p = d; *p; p++) *p = (char)um_ascii_tolower((unsigned char)*p);
    }
    return d;
}

/* Handles from URLs: github.com/USER[/repo], linkedin.com/in/NAME,
 * t.me/NAME, x.com/NAME, any country subdomain of linkedin.com. */
char *um_canon_handle(um_arena *a, const char *s) {
    char *d = um_lower_trim(a, s, strlen(s));
    if (!d) return NULL;
    static const char *prefixes[] = {"https://", "http://", "www.", "m.", "github.com/", "t.me/", "telegram.me/",
                                     "linkedin.com/in/", "linkedin.com/pub/", "x.com/", "twitter.com/"};
    /* strip until nothing strips ("www.www.x", "@www.x"): the result then
     * strips nothing either, so it is a fixed point */
    for (int round = 0; round < 200; round++) {
        const char *before = d;
        for (size_t i = 0; i < UM_ARRAY_LEN(prefixes); i++) {
            size_t k = strlen(prefixes[i]);
            if (strncmp(d, prefixes[i], k) == 0) d += k;
        }
        /* xx.linkedin.com/in/: a country subdomain */
        if (um_ascii_isalpha((unsigned char)d[0]) && um_ascii_isalpha((unsigned char)d[1]) &&
            strncmp(d + 2, ".linkedin.com/", 14) == 0)
            d += 3;
        while (*d == '@') d++;
        d = um_trim(d);
        if (d == before) break;
    }
    for (size_t i = 0; i < UM_ARRAY_LEN(prefixes); i++)
        if (strncmp(d, prefixes[i], strlen(prefixes[i])) == 0) return NULL;
    char *q = strpbrk(d, "?#/"); /* cut the URL's path, query and fragment */
    if (q) *q = 0;
    d = um_trim(d);
    for (size_t i = 0; i < UM_ARRAY_LEN(prefixes); i++) /* "www.?x" cut to "www.": nothing left */
        if (strncmp(d, prefixes[i], strlen(prefixes[i])) == 0) return NULL;
    if (!*d || *d == '@' || strlen(d) > 100) return NULL;
    for (const char *p = d; *p; p++)
        if (!(um_ascii_isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.' || *p == '%' ||
              ((unsigned char)*p & 0x80)))
            return NULL;
    /* a bare host name left over ("github.com") is not a handle */
    if (strchr(d, '.') && (strstr(d, ".com") || strstr(d, ".me"))) return NULL;
    return d;
}

/* Device serials: upper-case letters and digits; "S/N:", "SN " and
 * "Serial:" prefixes and separators dropped. */
char *um_canon_serial(um_arena *a, const char *s) {
    while (*s && um_ascii_isspace((unsigned char)*s)) s++;
    static const char *pre[] = {"serial number", "serial", "s/n", "sn"};
    for (size_t i = 0; i < UM_ARRAY_LEN(pre); i++)
        if (um_starts_with_ci(s, pre[i])) {
            const char *r = s + strlen(pre[i]);
            if (*r == ':' || *r == ' ' || *r == '#') {
                s = r;
                break;
            }
        }
    size_t n = strlen(s);
    if (n > 64) return NULL;
    char *d = um_arena_alloc(a, n + 1);
    if (!d) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (um_ascii_isalnum(c)) d[k++] = (char)um_ascii_toupper(c);
        else if (!strchr(" -_.:#/", c)) return NULL;
    }
    d[k] = 0;
    return k >= 5 && k <= 40 ? d : NULL;
}

/* A serial embedded in a host name: "BWL-C02XK1JHJG5H.corp.example.io",
 * "LAPTOP-5CG1234XYZ", "DESKTOP-7F3K2QZ": the first label's dash-separated
 * part that mixes letters and digits and is 7-20 characters long. Windows'
 * own random names (DESKTOP-XXXXXXX) are returned too; they only join when
 * a serial column holds the same value. */
char *um_host_serial(um_arena *a, const char *host) {
    char buf[256];
    size_t n = 0;
    const char *p = host;
    const char *bs = strrchr(p, '\\'); /* DOMAIN\HOST */
    if (bs) p = bs + 1;
    while (p[n] && p[n] != '.' && n < sizeof buf - 1) {
        buf[n] = p[n];
        n++;
    }
    buf[n] = 0;
    char *best = NULL;
    for (char *tok = buf, *next; tok && *tok; tok = next) {
        next = strchr(tok, '-');
        if (next) *next++ = 0;
        size_t tl = strlen(tok);
        bool digit = false, alpha = false, ok = tl >= 7 && tl <= 20;
        for (size_t i = 0; i < tl && ok; i++) {
            if (um_ascii_isdigit((unsigned char)tok[i])) digit = true;
            else if (um_ascii_isalpha((unsigned char)tok[i])) alpha = true;
            else ok = false;
        }
        if (ok && digit && alpha) best = tok;
    }
    return best ? um_canon_serial(a, best) : NULL;
}

/* USPS Publication 28: street suffixes (C1) and secondary unit designators
 * (C2), directionals; the common spellings only. */
static const struct { const char *from, *to; } addr_ab[] = {
    {"street", "st"}, {"str", "st"}, {"avenue", "ave"}, {"av", "ave"}, {"avn", "ave"}, {"road", "rd"},
    {"drive", "dr"}, {"drv", "dr"}, {"boulevard", "blvd"}, {"boul", "blvd"}, {"lane", "ln"},
    {"court", "ct"}, {"crt", "ct"}, {"place", "pl"}, {"highway", "hwy"}, {"hiway", "hwy"},
    {"parkway", "pkwy"}, {"pky", "pkwy"}, {"circle", "cir"}, {"circ", "cir"}, {"terrace", "ter"},
    {"terr", "ter"}, {"square", "sq"}, {"trail", "trl"}, {"way", "way"}, {"expressway", "expy"},
    {"freeway", "fwy"}, {"turnpike", "tpke"}, {"crossing", "xing"}, {"heights", "hts"},
    {"mount", "mt"}, {"mountain", "mtn"}, {"point", "pt"}, {"ridge", "rdg"}, {"creek", "crk"},
    {"center", "ctr"}, {"centre", "ctr"}, {"plaza", "plz"}, {"alley", "aly"}, {"loop", "loop"},
    {"park", "park"}, {"grove", "grv"}, {"hollow", "holw"}, {"junction", "jct"}, {"station", "sta"},
    {"village", "vlg"}, {"valley", "vly"}, {"view", "vw"}, {"estates", "ests"}, {"meadows", "mdws"},
    {"apartment", "apt"}, {"suite", "ste"}, {"unit", "apt"}, {"#", "apt"}, {"no", "apt"}, {"floor", "fl"},
    {"building", "bldg"}, {"room", "rm"}, {"department", "dept"}, {"office", "ofc"}, {"lot", "lot"},
    {"space", "spc"}, {"trailer", "trlr"}, {"penthouse", "ph"}, {"basement", "bsmt"},
    {"north", "n"}, {"south", "s"}, {"east", "e"}, {"west", "w"}, {"northeast", "ne"},
    {"northwest", "nw"}, {"southeast", "se"}, {"southwest", "sw"}, {"post", "po"}};

char *um_canon_address(um_arena *a, const char *s) {
    size_t n = strlen(s);
    um_buf out;
    um_buf_init(&out);
    size_t i = 0;
    bool prev_zip5 = false; /* last token was a 5-digit ZIP: a "-dddd" after it is the +4 */
    while (i < n) {
        size_t gap = i;
        while (i < n && !um_ascii_isalnum((unsigned char)s[i]) && s[i] != '#' && !((unsigned char)s[i] & 0x80)) i++;
        bool dash = false;
        for (size_t g = gap; g < i; g++)
            if (s[g] == '-') dash = true;
        size_t st = i;
        if (i < n && s[i] == '#') i++;
        else
            while (i < n && (um_ascii_isalnum((unsigned char)s[i]) || ((unsigned char)s[i] & 0x80))) i++;
        if (i == st) break;
        char tok[128];
        size_t tl = i - st < sizeof tok - 1 ? i - st : sizeof tok - 1;
        bool digits = true;
        for (size_t k = 0; k < tl; k++) {
            tok[k] = (char)um_ascii_tolower((unsigned char)s[st + k]);
            if (!um_ascii_isdigit((unsigned char)tok[k])) digits = false;
        }
        tok[tl] = 0;
        if (prev_zip5 && dash && digits && tl == 4) { /* ZIP+4: compare on the ZIP */
            prev_zip5 = false;
            continue;
        }
        prev_zip5 = digits && tl == 5;
        const char *w = tok;
        for (size_t k = 0; k < UM_ARRAY_LEN(addr_ab); k++)
            if (strcmp(tok, addr_ab[k].from) == 0) w = addr_ab[k].to;
        /* "P.O. Box", "P O Box": tokens p + o become po (on tokens, so the
         * canonical form gives the same again) */
        if (strcmp(w, "o") == 0 && out.len && out.s[out.len - 1] == 'p' &&
            (out.len == 1 || out.s[out.len - 2] == ' ')) {
            um_buf_addc(&out, 'o');
            continue;
        }
        if (out.len) um_buf_addc(&out, ' ');
        um_buf_adds(&out, w);
    }
    char *r = out.len && !out.oom ? um_arena_strdup(a, out.s) : NULL;
    um_buf_free(&out);
    return r;
}

/* Parcel forwarders / reshippers: words in the canonical address that name
 * a forwarding service, or its customer-suite pattern. A built-in list of
 * service names; a hit says "this address receives other people's parcels". */
const char *um_address_forwarder(const char *canon) {
    static const char *const names[] = {
        "shipito", "myus", "stackry", "planet express", "planetexpress", "borderlinx", "comgateway",
        "usgobuy", "viabox", "shop and ship", "shopandship", "aramex", "bongo", "reship", "forward2me",
        "parcel forwarding", "package forwarding", "mail forwarding", "ship7", "fishisfast", "qwintry",
        "mailbox forwarding", "virtual mailbox", "ipostal", "anytime mailbox", "anytimemailbox",
        "earth class mail", "traveling mailbox", "postscanmail", "usa2me", "eshopworld", "polar express"};
    if (!canon) return NULL;
    for (size_t i = 0; i < UM_ARRAY_LEN(names); i++) {
        const char *h = strstr(canon, names[i]);
        size_t k = strlen(names[i]);
        if (h && (h == canon || h[-1] == ' ') && (h[k] == 0 || h[k] == ' ')) return names[i];
    }
    return NULL;
}

/* A crypto address written where a bank account was expected (payout
 * account columns often hold wallets): 0x + 40 hex, bech32 (bc1/ltc1), or a
 * mixed-case base58 string of wallet length. Bank numbers and IBANs are not
 * mixed-case, so they never match the last rule. */
static bool looks_like_wallet(const char *s) {
    while (um_ascii_isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && um_ascii_isspace((unsigned char)s[n - 1])) n--;
    if (n == 42 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        for (size_t i = 2; i < n; i++)
            if (!um_ascii_isxdigit((unsigned char)s[i])) return false;
        return true;
    }
    if (um_starts_with_ci(s, "bc1") || um_starts_with_ci(s, "ltc1")) {
        for (size_t i = 0; i < n; i++)
            if (!um_ascii_isalnum((unsigned char)s[i])) return false;
        return n >= 14 && n <= 90;
    }
    if (n < 25 || n > 44) return false;
    bool lower = false, upper = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!um_ascii_isalnum(c) || c == '0' || c == 'O' || c == 'I' || c == 'l') return false;
        if (um_ascii_islower(c)) lower = true;
        if (um_ascii_isupper(c)) upper = true;
    }
    return lower && upper;
}

char *um_canon_account(um_arena *a, const char *s) {
    if (strchr(s, '@')) return um_canon_email(a, s); /* PayPal / Wise by email */
    if (looks_like_wallet(s)) {
        char *w = um_canon_wallet(a, s);
        return w && looks_like_wallet(w) ? w : NULL; /* "bc1?x" cut to "bc1": no longer a wallet */
    }
    size_t n = strlen(s);
    char *d = um_arena_alloc(a, n + 1);
    if (!d) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (um_ascii_isalnum((unsigned char)s[i])) d[k++] = (char)um_ascii_toupper((unsigned char)s[i]);
    d[k] = 0;
    /* a canonical account must not itself look like a wallet or email */
    return k >= 4 && !looks_like_wallet(d) ? d : NULL;
}

um_account_check um_account_verify(const char *raw, const char *canon) {
    if (!canon) return UM_ACCT_UNKNOWN;
    size_t n = strlen(canon);
    if (n >= 15 && n <= 34 && um_ascii_isupper((unsigned char)canon[0]) && um_ascii_isupper((unsigned char)canon[1]) &&
        um_ascii_isdigit((unsigned char)canon[2]) && um_ascii_isdigit((unsigned char)canon[3])) {
        bool alnum = true;
        for (size_t i = 4; i < n; i++)
            if (!um_ascii_isalnum((unsigned char)canon[i])) alnum = false;
        if (alnum) return um_iban_valid(canon) ? UM_ACCT_IBAN_OK : UM_ACCT_IBAN_BAD;
    }
    /* US "routing account": nine digits, a separator, then the account */
    const char *p = raw;
    while (*p && um_ascii_isspace((unsigned char)*p)) p++;
    size_t digits = 0;
    while (um_ascii_isdigit((unsigned char)p[digits])) digits++;
    if (digits == 9 && (p[9] == '-' || p[9] == ' ' || p[9] == '/' || p[9] == ':') &&
        um_ascii_isdigit((unsigned char)p[10]))
        return um_aba_valid(p) ? UM_ACCT_ABA_OK : UM_ACCT_ABA_BAD;
    return UM_ACCT_UNKNOWN;
}

static const struct {
    const char *code, *names;
} countries[] = {
    {"US", "|us|usa|united states|united states of america|america|"},
    {"CA", "|ca|canada|"},
    {"MX", "|mx|mexico|"},
    {"GB", "|gb|uk|united kingdom|great britain|england|scotland|wales|"},
    {"IE", "|ie|ireland|"},
    {"DE", "|de|germany|deutschland|"},
    {"FR", "|fr|france|"},
    {"NL", "|nl|netherlands|the netherlands|holland|"},
    {"ES", "|es|spain|"},
    {"PT", "|pt|portugal|"},
    {"IT", "|it|italy|"},
    {"PL", "|pl|poland|"},
    {"UA", "|ua|ukraine|"},
    {"RU", "|ru|russia|russian federation|"},
    {"CN", "|cn|china|people's republic of china|prc|"},
    {"HK", "|hk|hong kong|"},
    {"JP", "|jp|japan|"},
    {"KR", "|kr|south korea|korea, republic of|republic of korea|korea|korea, south|"},
    {"KP", "|kp|north korea|dprk|korea, democratic people's republic of|democratic people's republic of korea|korea, north|democratic peoples republic of korea|"},
    {"VN", "|vn|vietnam|viet nam|"},
    {"LA", "|la|laos|lao people's democratic republic|"},
    {"TH", "|th|thailand|"},
    {"MY", "|my|malaysia|"},
    {"SG", "|sg|singapore|"},
    {"ID", "|id|indonesia|"},
    {"PH", "|ph|philippines|"},
    {"IN", "|in|india|"},
    {"PK", "|pk|pakistan|"},
    {"AE", "|ae|united arab emirates|uae|"},
    {"NG", "|ng|nigeria|"},
    {"BR", "|br|brazil|"},
    {"AR", "|ar|argentina|"},
    {"CO", "|co|colombia|"},
    {"AU", "|au|australia|"},
    {"NZ", "|nz|new zealand|"},
    {"SE", "|se|sweden|"},
    {"CH", "|ch|switzerland|"},
    {"TW", "|tw|taiwan|"},
    {"KH", "|kh|cambodia|"},
    {"MN", "|mn|mongolia|"},
    {"IR", "|ir|iran|iran (islamic republic of)|"},
    {"SY", "|sy|syria|syrian arab republic|"},
    {"LY", "|ly|libya|"},
    {"MM", "|mm|burma|myanmar|"},
    {"CU", "|cu|cuba|"},
    {"BY", "|by|belarus|"},
    {"IQ", "|iq|iraq|"},
    {"LB", "|lb|lebanon|"},
    {"VE", "|ve|venezuela|"},
    {"TR", "|tr|turkey|turkiye|"},
    {"EG", "|eg|egypt|"},
    {"SD", "|sd|sudan|"},
    {"YE", "|ye|yemen|"},
    {"AF", "|af|afghanistan|"},
    {"SO", "|so|somalia|"},
    {"AO", "|ao|angola|"},
    {"UG", "|ug|uganda|"},
    {"TZ", "|tz|tanzania|"},
    {"GQ", "|gq|equatorial guinea|"},
    {"ER", "|er|eritrea|"},
    {"ET", "|et|ethiopia|"},
    {"KW", "|kw|kuwait|"},
    {"QA", "|qa|qatar|"},
    {"SA", "|sa|saudi arabia|"},
    {"KZ", "|kz|kazakhstan|"},
    {"UZ", "|uz|uzbekistan|"},
    {"NI", "|ni|nicaragua|"},
    {"PA", "|pa|panama|"},
};

static const char *country_exact(const char *s);

/* "Austin, TX", "Toronto, Canada", "Seoul, South Korea": the last
 * comma-separated part names the country, or a US state does ("Georgia"
 * is left out: the country and the state share the name). */
const char *um_country_code(const char *s) {
    static const char *const us_states =
        "|al|ak|az|ar|ca|co|ct|de|fl|ga|hi|id|il|in|ia|ks|ky|la|me|md|ma|mi|mn|ms|mo|mt|ne|nv|nh|nj|nm|ny|nc|nd|"
        "oh|ok|or|pa|ri|sc|sd|tn|tx|ut|vt|va|wa|wv|wi|wy|dc|alabama|alaska|arizona|arkansas|california|colorado|"
        "connecticut|delaware|florida|hawaii|idaho|illinois|indiana|iowa|kansas|kentucky|louisiana|maine|"
        "maryland|massachusetts|michigan|minnesota|mississippi|missouri|montana|nebraska|nevada|new hampshire|"
        "new jersey|new mexico|new york|north carolina|north dakota|ohio|oklahoma|oregon|pennsylvania|"
        "rhode island|south carolina|south dakota|tennessee|texas|utah|vermont|virginia|washington|"
        "west virginia|wisconsin|wyoming|";
    if (!s) return NULL;
    const char *c = country_exact(s);
    const char *comma = strrchr(s, ',');
    if (c || !comma) return c;
    if ((c = country_exact(comma + 1))) return c;
    char st[40], key[44];
    size_t n = 0;
    for (const char *p = comma + 1; *p && n < sizeof st - 1; p++)
        if (*p != ' ' || n) st[n++] = (char)um_ascii_tolower((unsigned char)*p);
    while (n && (st[n - 1] == ' ' || um_ascii_isdigit((unsigned char)st[n - 1]))) n--; /* "TX 78701" */
    st[n] = 0;
    snprintf(key, sizeof key, "|%s|", st);
    return n && strstr(us_states, key) ? "US" : NULL;
}

static const char *country_exact(const char *s) { return um_country_exact(s, strlen(s)); }

const char *um_country_exact(const char *s, size_t len) {
    char buf[96];
    size_t n = 0;
    while (len && *s == ' ') s++, len--;
    for (; n < len && s[n] && n < sizeof buf - 3; n++) buf[n + 1] = (char)um_ascii_tolower((unsigned char)s[n]);
    while (n && buf[n] == ' ') n--;
    buf[0] = '|';
    buf[n + 1] = '|';
    buf[n + 2] = 0;
    if (n == 0) return NULL;
    for (size_t i = 0; i < UM_ARRAY_LEN(countries); i++)
        if (strstr(countries[i].names, buf)) return countries[i].code;
    return NULL;
}

bool um_tz_offset(const char *s, int *minutes) {
    static const struct { const char *name; int off; } zones[] = {
        {"america/new_york", -300}, {"america/detroit", -300}, {"america/toronto", -300},
        {"america/montreal", -300}, {"america/halifax", -240}, {"america/argentina/buenos_aires", -180},
        {"us/eastern", -300}, {"est", -300}, {"edt", -300}, {"eastern", -300},
        {"america/chicago", -360}, {"america/winnipeg", -360}, {"us/central", -360}, {"cst", -360}, {"cdt", -360}, {"central", -360},
        {"america/denver", -420}, {"america/phoenix", -420}, {"america/edmonton", -420}, {"us/mountain", -420}, {"mst", -420},
        {"mountain", -420}, {"america/los_angeles", -480}, {"america/vancouver", -480},
        {"america/tijuana", -480}, {"us/pacific", -480}, {"pst", -480},
        {"pdt", -480}, {"pacific", -480}, {"america/anchorage", -540}, {"pacific/honolulu", -600},
        {"america/sao_paulo", -180}, {"america/mexico_city", -360}, {"america/bogota", -300},
        {"europe/london", 0}, {"europe/dublin", 0}, {"europe/lisbon", 0}, {"utc", 0}, {"gmt", 0},
        {"europe/berlin", 60}, {"europe/paris", 60}, {"europe/madrid", 60}, {"europe/amsterdam", 60},
        {"europe/warsaw", 60}, {"europe/rome", 60}, {"europe/stockholm", 60}, {"cet", 60},
        {"europe/kyiv", 120}, {"europe/kiev", 120}, {"europe/helsinki", 120}, {"europe/moscow", 180},
        {"asia/dubai", 240}, {"asia/karachi", 300}, {"asia/kolkata", 330}, {"asia/calcutta", 330},
        {"ist", 330}, {"asia/bangkok", 420}, {"asia/ho_chi_minh", 420}, {"asia/jakarta", 420},
        {"asia/vientiane", 420}, {"asia/shanghai", 480}, {"asia/hong_kong", 480},
        {"asia/singapore", 480}, {"asia/manila", 480}, {"asia/taipei", 480},
        {"asia/kuala_lumpur", 480}, {"asia/tokyo", 540}, {"asia/seoul", 540}, {"jst", 540},
        {"kst", 540}, {"asia/pyongyang", 540}, {"asia/vladivostok", 600},
        {"australia/sydney", 600}, {"pacific/auckland", 720}};
    char buf[64];
    size_t n = 0;
    while (*s == ' ') s++;
    for (; s[n] && n < sizeof buf - 1; n++) buf[n] = (char)um_ascii_tolower((unsigned char)s[n]);
    buf[n] = 0;
    char *t = um_trim(buf);
    for (size_t i = 0; i < UM_ARRAY_LEN(zones); i++)
        if (strcmp(t, zones[i].name) == 0) {
            *minutes = zones[i].off;
            return true;
        }
    if (strncmp(t, "utc", 3) == 0 || strncmp(t, "gmt", 3) == 0) t += 3;
    if ((*t == '+' || *t == '-') && um_ascii_isdigit((unsigned char)t[1])) {
        int sign = *t == '-' ? -1 : 1;
        char *end;
        long h = strtol(t + 1, &end, 10);
        long m = 0;
        if (*end == ':') {
            if (!um_ascii_isdigit((unsigned char)end[1])) return false; /* "-05:-0520" */
            m = strtol(end + 1, &end, 10);
        }
        else if (h >= 100) { m = h % 100; h /= 100; }
        if (*end || h < 0 || h > 14 || m < 0 || m > 59) return false;
        *minutes = sign * (int)(h * 60 + m);
        return true;
    }
    return false;
}
