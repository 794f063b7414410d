/*
 * canon.c - canonical forms of identifiers, so that the same phone, email,
 * wallet, handle or address written two ways compares equal.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "../core/internal.h"

char *um_canon_email(um_arena *a, const char *s) {
    char *e = um_lower_trim(a, s, strlen(s));
    if (!e) return NULL;
    if (strncmp(e, "mailto:", 7) == 0) e += 7;
    char *at = strchr(e, '@');
    if (!at || at == e || !at[1] || strchr(at + 1, '@') || !strchr(at + 1, '.')) return NULL;
    for (char *p = e; *p; p++)
        if (isspace((unsigned char)*p) || *p == ',' || *p == ';' || *p == '<' || *p == '>')
            return NULL;
    /* Gmail ignores dots and +tags in the local part. */
    if (strcmp(at + 1, "gmail.com") == 0 || strcmp(at + 1, "googlemail.com") == 0) {
        char *w = e;
        bool plus = false;
        for (char *p = e; p < at; p++) {
            if (*p == '+') plus = true;
            if (plus || *p == '.') continue;
            *w++ = *p;
        }
        memmove(w, "@gmail.com", 11);
    }
    return e;
}

char *um_canon_phone(um_arena *a, const char *s) {
    size_t n = strlen(s);
    char *d = um_arena_alloc(a, n + 2);
    if (!d) return NULL;
    size_t k = 0, digits = 0;
    const char *p = s;
    while (*p && isspace((unsigned char)*p)) p++;
    bool plus = *p == '+';
    if (!plus && p[0] == '0' && p[1] == '0') { /* 00 international prefix */
        plus = true;
        p += 2;
    }
    if (plus) d[k++] = '+';
    for (; *p; p++) {
        if (isdigit((unsigned char)*p)) {
            d[k++] = *p;
            digits++;
        } else if (*p == 'x' || *p == 'X' || *p == ';') {
            break; /* extension */
        } else if (!strchr(" -.()/+", *p)) {
            return NULL;
        }
    }
    d[k] = 0;
    if (digits < 7 || digits > 15) return NULL;
    /* North American numbers written without +1 */
    if (!plus && digits == 10) {
        memmove(d + 2, d, k + 1);
        d[0] = '+';
        d[1] = '1';
    } else if (!plus && digits == 11 && d[0] == '1') {
        memmove(d + 1, d, k + 1);
        d[0] = '+';
    }
    return d;
}

char *um_canon_wallet(um_arena *a, const char *s) {
    char *d = um_arena_strdup(a, s);
    if (!d) return NULL;
    d = um_trim(d);
    if (!*d) return NULL;
    /* strip URI schemes like ethereum: / bitcoin: */
    char *colon = strchr(d, ':');
    if (colon && colon - d < 12) d = colon + 1;
    if (!*d) return NULL; /* a scheme and nothing else */
    for (char *p = d; *p; p++)
        if (!isalnum((unsigned char)*p)) return NULL;
    if ((d[0] == '0' && (d[1] == 'x' || d[1] == 'X')) || strncmp(d, "bc1", 3) == 0 ||
        strncmp(d, "BC1", 3) == 0) {
        for (char *p = d; *p; p++) *p = (char)tolower((unsigned char)*p); /* EVM / bech32 */
    }
    return d;
}

char *um_canon_handle(um_arena *a, const char *s) {
    char *d = um_lower_trim(a, s, strlen(s));
    if (!d) return NULL;
    static const char *prefixes[] = {"https://", "http://", "www.", "github.com/", "t.me/",
                                     "telegram.me/", "linkedin.com/in/", "x.com/", "twitter.com/"};
    for (size_t i = 0; i < UM_ARRAY_LEN(prefixes); i++) {
        size_t k = strlen(prefixes[i]);
        if (strncmp(d, prefixes[i], k) == 0) d += k;
    }
    while (*d == '@') d++;
    char *q = strpbrk(d, "?#/"); /* cut the URL's path, query and fragment first */
    if (q) *q = 0;
    d = um_trim(d);
    return *d && !strpbrk(d, " \t") ? d : NULL;
}

char *um_canon_address(um_arena *a, const char *s) {
    static const struct { const char *from, *to; } ab[] = {
        {"street", "st"}, {"avenue", "ave"}, {"road", "rd"}, {"drive", "dr"},
        {"boulevard", "blvd"}, {"lane", "ln"}, {"court", "ct"}, {"apartment", "apt"},
        {"suite", "ste"}, {"unit", "apt"}, {"north", "n"}, {"south", "s"},
        {"east", "e"}, {"west", "w"}, {"place", "pl"}, {"highway", "hwy"}, {"#", "apt"}};
    size_t n = strlen(s);
    um_buf out;
    um_buf_init(&out);
    size_t i = 0;
    while (i < n) {
        while (i < n && !isalnum((unsigned char)s[i]) && s[i] != '#' && !((unsigned char)s[i] & 0x80)) i++;
        size_t st = i;
        if (i < n && s[i] == '#') i++;
        else
            while (i < n && (isalnum((unsigned char)s[i]) || ((unsigned char)s[i] & 0x80))) i++;
        if (i == st) break;
        char tok[128];
        size_t tl = i - st < sizeof tok - 1 ? i - st : sizeof tok - 1;
        for (size_t k = 0; k < tl; k++) tok[k] = (char)tolower((unsigned char)s[st + k]);
        tok[tl] = 0;
        const char *w = tok;
        for (size_t k = 0; k < UM_ARRAY_LEN(ab); k++)
            if (strcmp(tok, ab[k].from) == 0) w = ab[k].to;
        if (out.len) um_buf_addc(&out, ' ');
        um_buf_adds(&out, w);
    }
    char *r = out.len && !out.oom ? um_arena_strdup(a, out.s) : NULL;
    um_buf_free(&out);
    return r;
}

/* A crypto address written where a bank account was expected (payout
 * account columns often hold wallets): 0x + 40 hex, bech32 (bc1/ltc1), or a
 * mixed-case base58 string of wallet length. Bank numbers and IBANs are not
 * mixed-case, so they never match the last rule. */
static bool looks_like_wallet(const char *s) {
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) n--;
    if (n == 42 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        for (size_t i = 2; i < n; i++)
            if (!isxdigit((unsigned char)s[i])) return false;
        return true;
    }
    if (um_starts_with_ci(s, "bc1") || um_starts_with_ci(s, "ltc1")) return n >= 14 && n <= 90;
    if (n < 25 || n > 44) return false;
    bool lower = false, upper = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isalnum(c) || c == '0' || c == 'O' || c == 'I' || c == 'l') return false;
        if (islower(c)) lower = true;
        if (isupper(c)) upper = true;
    }
    return lower && upper;
}

char *um_canon_account(um_arena *a, const char *s) {
    if (looks_like_wallet(s)) return um_canon_wallet(a, s);
    size_t n = strlen(s);
    char *d = um_arena_alloc(a, n + 1);
    if (!d) return NULL;
    size_t k = 0;
    bool has_at = strchr(s, '@') != NULL;
    if (has_at) return um_canon_email(a, s); /* PayPal / Wise by email */
    for (size_t i = 0; i < n; i++)
        if (isalnum((unsigned char)s[i])) d[k++] = (char)toupper((unsigned char)s[i]);
    d[k] = 0;
    return k >= 4 ? d : NULL;
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
        if (*p != ' ' || n) st[n++] = (char)tolower((unsigned char)*p);
    while (n && (st[n - 1] == ' ' || isdigit((unsigned char)st[n - 1]))) n--; /* "TX 78701" */
    st[n] = 0;
    snprintf(key, sizeof key, "|%s|", st);
    return n && strstr(us_states, key) ? "US" : NULL;
}

static const char *country_exact(const char *s) { return um_country_exact(s, strlen(s)); }

const char *um_country_exact(const char *s, size_t len) {
    char buf[96];
    size_t n = 0;
    while (len && *s == ' ') s++, len--;
    for (; n < len && s[n] && n < sizeof buf - 3; n++) buf[n + 1] = (char)tolower((unsigned char)s[n]);
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
        {"us/eastern", -300}, {"est", -300}, {"edt", -300}, {"eastern", -300},
        {"america/chicago", -360}, {"us/central", -360}, {"cst", -360}, {"cdt", -360}, {"central", -360},
        {"america/denver", -420}, {"america/phoenix", -420}, {"us/mountain", -420}, {"mst", -420},
        {"mountain", -420}, {"america/los_angeles", -480}, {"us/pacific", -480}, {"pst", -480},
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
    for (; s[n] && n < sizeof buf - 1; n++) buf[n] = (char)tolower((unsigned char)s[n]);
    buf[n] = 0;
    char *t = um_trim(buf);
    for (size_t i = 0; i < UM_ARRAY_LEN(zones); i++)
        if (strcmp(t, zones[i].name) == 0) {
            *minutes = zones[i].off;
            return true;
        }
    if (strncmp(t, "utc", 3) == 0 || strncmp(t, "gmt", 3) == 0) t += 3;
    if ((*t == '+' || *t == '-') && isdigit((unsigned char)t[1])) {
        int sign = *t == '-' ? -1 : 1;
        char *end;
        long h = strtol(t + 1, &end, 10);
        long m = 0;
        if (*end == ':') m = strtol(end + 1, &end, 10);
        else if (h >= 100) { m = h % 100; h /= 100; }
        if (*end || h > 14 || m > 59) return false;
        *minutes = sign * (int)(h * 60 + m);
        return true;
    }
    return false;
}
