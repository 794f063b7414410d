/*
 * gen_demo.c - writes a synthetic company ("Larkspur Analytics") as the
 * exports and logs a security team really has, with planted DPRK IT-worker
 * teams and benign look-alikes, plus the ground truth (truth.csv).
 *
 *   gen_demo [--seed N] [--people N] --out DIR
 *
 * Everything comes from one seeded PRNG (splitmix64) and fixed dates
 * (activity window 2026-09-14 .. 2026-09-25): the same seed gives
 * byte-identical output. No wall clock, no locale, libc + libm only.
 * The model is described in docs/DEMO.md.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- PRNG ---------------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd64(void) {
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
/* uniform in [0, n) */
static uint32_t rn(uint32_t n) { return n ? (uint32_t)(rnd64() % n) : 0; }
/* uniform in [lo, hi] */
static int rr(int lo, int hi) { return lo + (int)rn((uint32_t)(hi - lo + 1)); }
/* true with probability pct/100 */
static bool chance(int pct) { return (int)rn(100) < pct; }
#define PICK(arr) ((arr)[rn((uint32_t)(sizeof(arr) / sizeof(arr)[0]))])
#define NELEM(arr) (sizeof(arr) / sizeof(arr)[0])

static void rhex(char *out, size_t n) {
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) out[i] = hx[rn(16)];
    out[n] = 0;
}
static void ralnum(char *out, size_t n, const char *alphabet) {
    size_t k = strlen(alphabet);
    for (size_t i = 0; i < n; i++) out[i] = alphabet[rn((uint32_t)k)];
    out[n] = 0;
}

/* ---- small utilities ----------------------------------------------------- */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("gen_demo: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) die("out of memory");
    return p;
}

static void scopy(char *d, size_t cap, const char *s) {
    size_t n = 0;
    for (; s[n] && n + 1 < cap; n++) d[n] = s[n];
    d[n] = 0;
}

/* Growable string. */
typedef struct sb {
    char *s;
    size_t len, cap;
} sb;

static void sb_need(sb *b, size_t extra) {
    if (b->len + extra + 1 <= b->cap) return;
    size_t c = b->cap ? b->cap : 256;
    while (c < b->len + extra + 1) c *= 2;
    char *n = realloc(b->s, c);
    if (!n) die("out of memory");
    b->s = n;
    b->cap = c;
}
static void sb_addn(sb *b, const char *s, size_t n) {
    sb_need(b, n);
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
}
static void sb_add(sb *b, const char *s) { sb_addn(b, s, strlen(s)); }
static void sb_printf(sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sb *b, const char *fmt, ...) {
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) die("format error");
    sb_need(b, (size_t)n);
    if ((size_t)n < sizeof tmp) {
        memcpy(b->s + b->len, tmp, (size_t)n + 1);
    } else {
        va_start(ap, fmt);
        vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}
/* JSON string literal (with quotes). */
static void sb_json(sb *b, const char *s) {
    if (!s) {
        sb_add(b, "null");
        return;
    }
    sb_addn(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': sb_add(b, "\\\""); break;
        case '\\': sb_add(b, "\\\\"); break;
        case '\n': sb_add(b, "\\n"); break;
        case '\r': sb_add(b, "\\r"); break;
        case '\t': sb_add(b, "\\t"); break;
        default:
            if (*p < 0x20) sb_printf(b, "\\u%04x", *p);
            else sb_addn(b, (const char *)p, 1);
        }
    }
    sb_addn(b, "\"", 1);
}
/* "key":"value", */
static void jkv(sb *b, const char *k, const char *v) {
    sb_json(b, k);
    sb_addn(b, ":", 1);
    sb_json(b, v);
    sb_addn(b, ",", 1);
}
static void jki(sb *b, const char *k, long long v) {
    sb_json(b, k);
    sb_printf(b, ":%lld,", v);
}
static void jend(sb *b) { /* drop trailing comma, close object */
    if (b->len && b->s[b->len - 1] == ',') b->len--;
    sb_addn(b, "}", 1);
}

/* RFC 4180 field. */
static void csv_field(FILE *f, const char *s, bool last) {
    bool q = false;
    for (const char *p = s; *p; p++)
        if (*p == ',' || *p == '"' || *p == '\n' || *p == '\r') q = true;
    if (*s == ' ' || (*s && s[strlen(s) - 1] == ' ')) q = true;
    if (q) {
        fputc('"', f);
        for (const char *p = s; *p; p++) {
            if (*p == '"') fputc('"', f);
            fputc(*p, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
    fputs(last ? "\r\n" : ",", f);
}
static void csv_row(FILE *f, int n, const char *const *v) {
    for (int i = 0; i < n; i++) csv_field(f, v[i] ? v[i] : "", i == n - 1);
}

/* ASCII fold of the few non-ASCII letters in our name pools, lower-cased,
 * letters only (for e-mail local parts and account names). */
static void fold_lower(char *out, size_t cap, const char *in) {
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p && n + 3 < cap; p++) {
        if (*p == 0xC3 && p[1]) {
            const char *r = "";
            switch (p[1]) {
            case 0xA4: case 0x84: r = "ae"; break;
            case 0xB6: case 0x96: r = "oe"; break;
            case 0xBC: case 0x9C: r = "ue"; break;
            case 0x9F: r = "ss"; break;
            case 0xA9: case 0xA8: r = "e"; break;
            default: r = "";
            }
            for (; *r && n + 1 < cap; r++) out[n++] = *r;
            p++;
        } else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) {
            out[n++] = (char)(*p | 0x20);
        }
    }
    out[n] = 0;
}

/* ---- time ---------------------------------------------------------------- */

static int64_t days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}
static void civil_from_days(int64_t z, int *y, int *m, int *d) {
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}
/* ms since epoch -> "YYYY-MM-DD" + sepchar + "HH:MM:SS" (+ ".mmm" if ms) */
static void fmt_time(char *out, size_t cap, int64_t ms, char sep, bool with_ms) {
    int64_t s = ms / 1000, day = s / 86400, sod = s % 86400;
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    if (with_ms)
        snprintf(out, cap, "%04d-%02d-%02d%c%02d:%02d:%02d.%03d", y, m, d, sep, (int)(sod / 3600),
                 (int)(sod / 60 % 60), (int)(sod % 60), (int)(ms % 1000));
    else
        snprintf(out, cap, "%04d-%02d-%02d%c%02d:%02d:%02d", y, m, d, sep, (int)(sod / 3600),
                 (int)(sod / 60 % 60), (int)(sod % 60));
}
static void fmt_date(char *out, size_t cap, int64_t day) {
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    snprintf(out, cap, "%04d-%02d-%02d", y, m, d);
}
/* ISO 8601 with the given UTC offset, as git %aI prints it. */
static void fmt_iso_off(char *out, size_t cap, int64_t utc_s, int off_min) {
    char t[32];
    fmt_time(t, sizeof t, (utc_s + off_min * 60) * 1000, 'T', false);
    int a = off_min < 0 ? -off_min : off_min;
    char buf[64];
    snprintf(buf, sizeof buf, "%s%c%02d:%02d", t, off_min < 0 ? '-' : '+', a / 60, a % 60);
    scopy(out, cap, buf);
}

#define WINDOW_Y 2026
#define WINDOW_M 9
#define WINDOW_D 14 /* a Monday */
#define WINDOW_DAYS 12
static int64_t window_day0; /* days since epoch of 2026-09-14 */

/* Weekday of a day number: 0 = Monday. */
static int weekday(int64_t day) { return (int)(((day % 7) + 7 + 3) % 7); }

/* ---- reference data ------------------------------------------------------ */

enum { US, CA, GB, DE, JP, KR, KP };
static const char *const country_iso[] = {"US", "CA", "GB", "DE", "JP", "KR", "KP"};
static const char *const country_name[] = {"United States", "Canada", "United Kingdom", "Germany",
                                           "Japan", "South Korea", "North Korea"};

typedef struct city {
    const char *name, *region, *region_full;
    int country;
    const char *tz;
    int off;           /* UTC offset in minutes in September 2026 */
    const char *zip;   /* '#' digit, 'A' letter */
    double lat, lon;
    int isp;           /* residential ISP index */
} city;

enum {
    ISP_COMCAST, ISP_COMCAST2, ISP_CHARTER, ISP_ROGERS, ISP_BT, ISP_DTAG, ISP_OCN, ISP_KT, ISP_ATT_OFFICE,
    NET_ASTRILL_VULTR, NET_ASTRILL_DO, NET_M247, NET_M247B, NET_DATACAMP, NET_DO, NET_STARKP
};
/* Real address blocks: residential blocks are in neither the VPN nor the
 * datacenter list; the VPN/hosting blocks are inside those lists; STAR-KP is
 * the DPRK allocation 175.45.176.0/22. */
typedef struct net {
    uint32_t base, size;
    unsigned asn;
    const char *as_org, *isp, *domain;
    bool proxy;
} net;
#define IP4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))
static const net nets[] = {
    [ISP_COMCAST] = {IP4(73, 0, 0, 0), 1u << 24, 7922, "Comcast Cable Communications, LLC", "Comcast Cable", "comcast.net", false},
    [ISP_COMCAST2] = {IP4(98, 192, 0, 0), 1u << 22, 7922, "Comcast Cable Communications, LLC", "Comcast Cable", "comcast.net", false},
    [ISP_CHARTER] = {IP4(70, 112, 0, 0), 1u << 19, 11427, "Charter Communications Inc", "Spectrum", "rr.com", false},
    [ISP_ROGERS] = {IP4(99, 224, 0, 0), 1u << 21, 812, "Rogers Communications Canada Inc.", "Rogers Cable", "rogers.com", false},
    [ISP_BT] = {IP4(86, 128, 0, 0), 1u << 22, 2856, "British Telecommunications PLC", "BT", "btcentralplus.com", false},
    [ISP_DTAG] = {IP4(91, 0, 0, 0), 1u << 22, 3320, "Deutsche Telekom AG", "Deutsche Telekom AG", "t-ipconnect.de", false},
    [ISP_OCN] = {IP4(153, 128, 0, 0), 1u << 22, 4713, "NTT Communications Corporation", "OCN", "ocn.ne.jp", false},
    [ISP_KT] = {IP4(121, 128, 0, 0), 1u << 22, 4766, "Korea Telecom", "KT Corporation", "kt.co.kr", false},
    [ISP_ATT_OFFICE] = {IP4(12, 201, 44, 16), 8, 7018, "AT&T Services, Inc.", "AT&T Enterprises", "att.com", false},
    [NET_ASTRILL_VULTR] = {IP4(45, 76, 0, 0), 1u << 17, 20473, "Astrill VPN", "Astrill VPN", "astrill.com", true},
    [NET_ASTRILL_DO] = {IP4(167, 99, 0, 0), 1u << 16, 14061, "Astrill VPN", "Astrill VPN", "astrill.com", true},
    [NET_M247] = {IP4(37, 120, 132, 0), 1u << 10, 9009, "M247 Europe SRL", "M247 Ltd", "m247.com", true},
    [NET_M247B] = {IP4(146, 70, 16, 0), 1u << 12, 9009, "M247 Europe SRL", "M247 Ltd", "m247.com", true},
    [NET_DATACAMP] = {IP4(138, 199, 6, 0), 1u << 9, 60068, "Datacamp Limited", "CDN77", "datacamp.co.uk", true},
    [NET_DO] = {IP4(159, 89, 0, 0), 1u << 13, 14061, "DigitalOcean, LLC", "DigitalOcean", "digitalocean.com", false},
    [NET_STARKP] = {IP4(175, 45, 176, 0), 1u << 10, 131279, "Star Joint Venture Co. Ltd.", "Star Joint Venture Co. Ltd.", NULL, false},
};

static void rand_ip(char *out, size_t cap, int n) {
    uint32_t a;
    do a = nets[n].base + rn(nets[n].size);
    while ((a & 0xFF) == 0 || (a & 0xFF) == 255);
    snprintf(out, cap, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xFF, (a >> 8) & 0xFF, a & 0xFF);
}

enum {
    C_AUSTIN, C_SEATTLE, C_PORTLAND, C_SF, C_DENVER, C_CHICAGO, C_NYC, C_BOSTON, C_ATLANTA, C_RALEIGH,
    C_PHOENIX, C_MINNEAPOLIS, C_TORONTO, C_VANCOUVER, C_LONDON, C_MANCHESTER, C_BERLIN, C_MUNICH,
    C_TOKYO, /* Korean-American neighbourhoods */ C_FULLERTON, C_FORTLEE, C_ANNANDALE, C_LA, C_DULUTH,
    /* facilitator towns and foreign places */ C_HILLSBORO, C_PLANO, C_SEOUL, C_PYONGYANG, C_COUNT
};
static const city cities[C_COUNT] = {
    [C_AUSTIN] = {"Austin", "TX", "Texas", US, "America/Chicago", -300, "787##", 30.2672, -97.7431, ISP_CHARTER},
    [C_SEATTLE] = {"Seattle", "WA", "Washington", US, "America/Los_Angeles", -420, "981##", 47.6062, -122.3321, ISP_COMCAST},
    [C_PORTLAND] = {"Portland", "OR", "Oregon", US, "America/Los_Angeles", -420, "972##", 45.5152, -122.6784, ISP_COMCAST},
    [C_SF] = {"San Francisco", "CA", "California", US, "America/Los_Angeles", -420, "941##", 37.7749, -122.4194, ISP_COMCAST2},
    [C_DENVER] = {"Denver", "CO", "Colorado", US, "America/Denver", -360, "802##", 39.7392, -104.9903, ISP_COMCAST},
    [C_CHICAGO] = {"Chicago", "IL", "Illinois", US, "America/Chicago", -300, "606##", 41.8781, -87.6298, ISP_COMCAST2},
    [C_NYC] = {"Brooklyn", "NY", "New York", US, "America/New_York", -240, "112##", 40.6782, -73.9442, ISP_CHARTER},
    [C_BOSTON] = {"Boston", "MA", "Massachusetts", US, "America/New_York", -240, "021##", 42.3601, -71.0589, ISP_COMCAST},
    [C_ATLANTA] = {"Atlanta", "GA", "Georgia", US, "America/New_York", -240, "303##", 33.7490, -84.3880, ISP_COMCAST},
    [C_RALEIGH] = {"Raleigh", "NC", "North Carolina", US, "America/New_York", -240, "276##", 35.7796, -78.6382, ISP_CHARTER},
    [C_PHOENIX] = {"Phoenix", "AZ", "Arizona", US, "America/Phoenix", -420, "850##", 33.4484, -112.0740, ISP_COMCAST2},
    [C_MINNEAPOLIS] = {"Minneapolis", "MN", "Minnesota", US, "America/Chicago", -300, "554##", 44.9778, -93.2650, ISP_COMCAST},
    [C_TORONTO] = {"Toronto", "ON", "Ontario", CA, "America/Toronto", -240, "M#A #A#", 43.6532, -79.3832, ISP_ROGERS},
    [C_VANCOUVER] = {"Vancouver", "BC", "British Columbia", CA, "America/Vancouver", -420, "V#A #A#", 49.2827, -123.1207, ISP_ROGERS},
    [C_LONDON] = {"London", "", "England", GB, "Europe/London", 60, "E# #AA", 51.5072, -0.1276, ISP_BT},
    [C_MANCHESTER] = {"Manchester", "", "England", GB, "Europe/London", 60, "M## #AA", 53.4808, -2.2426, ISP_BT},
    [C_BERLIN] = {"Berlin", "BE", "Berlin", DE, "Europe/Berlin", 120, "10###", 52.5200, 13.4050, ISP_DTAG},
    [C_MUNICH] = {"München", "BY", "Bavaria", DE, "Europe/Berlin", 120, "80###", 48.1351, 11.5820, ISP_DTAG},
    [C_TOKYO] = {"Tokyo", "13", "Tokyo", JP, "Asia/Tokyo", 540, "15#-####", 35.6762, 139.6503, ISP_OCN},
    [C_FULLERTON] = {"Fullerton", "CA", "California", US, "America/Los_Angeles", -420, "928##", 33.8704, -117.9242, ISP_CHARTER},
    [C_FORTLEE] = {"Fort Lee", "NJ", "New Jersey", US, "America/New_York", -240, "0702#", 40.8509, -73.9701, ISP_COMCAST},
    [C_ANNANDALE] = {"Annandale", "VA", "Virginia", US, "America/New_York", -240, "2200#", 38.8304, -77.1964, ISP_COMCAST2},
    [C_LA] = {"Los Angeles", "CA", "California", US, "America/Los_Angeles", -420, "900##", 34.0617, -118.3000, ISP_CHARTER},
    [C_DULUTH] = {"Duluth", "GA", "Georgia", US, "America/New_York", -240, "3009#", 34.0029, -84.1446, ISP_COMCAST},
    [C_HILLSBORO] = {"Hillsboro", "OR", "Oregon", US, "America/Los_Angeles", -420, "9712#", 45.5229, -122.9898, ISP_COMCAST},
    [C_PLANO] = {"Plano", "TX", "Texas", US, "America/Chicago", -300, "7502#", 33.0198, -96.6989, ISP_CHARTER},
    [C_SEOUL] = {"Seoul", "11", "Seoul", KR, "Asia/Seoul", 540, "04###", 37.5665, 126.9780, ISP_KT},
    [C_PYONGYANG] = {"Pyongyang", "", "Pyongyang", KP, "Asia/Pyongyang", 540, "", 39.0392, 125.7625, NET_STARKP},
};
static const int us_home_cities[] = {C_AUSTIN, C_SEATTLE, C_PORTLAND, C_SF, C_DENVER, C_CHICAGO, C_NYC,
                                     C_BOSTON, C_ATLANTA, C_RALEIGH, C_PHOENIX, C_MINNEAPOLIS};
static const int us_exit_cities[] = {C_LA, C_SEATTLE, C_NYC, C_CHICAGO, C_ATLANTA};

static void rand_zip(char *out, size_t cap, const char *pat) {
    size_t n = 0;
    for (const char *p = pat; *p && n + 1 < cap; p++)
        out[n++] = *p == '#' ? (char)('0' + rn(10)) : *p == 'A' ? "ABCEGHJKLMNPRSTVXY"[rn(18)] : *p;
    out[n] = 0;
}

/* Name pools (UTF-8). */
static const char *const first_us[] = {
    "James", "Mary", "Michael", "Jennifer", "Robert", "Linda", "David", "Elizabeth", "William", "Sarah",
    "Richard", "Jessica", "Joseph", "Karen", "Thomas", "Emily", "Christopher", "Ashley", "Megan", "Matthew",
    "Rachel", "Andrew", "Laura", "Joshua", "Nicole", "Ryan", "Amanda", "Brandon", "Stephanie", "Kevin",
    "Heather", "Brian", "Rebecca", "Jason", "Katherine", "Justin", "Olivia", "Tyler", "Hannah", "Aaron",
    "Lauren", "Nathan", "Samantha", "Eric", "Victoria", "Adam", "Natalie", "Logan", "Madison", "Carlos",
    "Sofia", "Luis", "Gabriela", "Priya", "Arjun", "Wei", "Mei", "Omar", "Fatima", "Noah", "Chloe", "Ethan",
    "Zoe", "Marcus", "Tanya", "Derek", "Alicia", "Grant", "Monica", "Trevor"};
static const char *const last_us[] = {
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Thompson",
    "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "Wright", "Scott", "Green",
    "Baker", "Adams", "Nelson", "Hill", "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans",
    "Turner", "Torres", "Parker", "Collins", "Edwards", "Stewart", "Morris", "Murphy", "Cook", "Rogers",
    "Patel", "Nguyen", "Chen", "Singh", "O'Brien", "Sullivan", "Bennett", "Foster", "Hughes", "Reyes",
    "Fischer", "Brooks", "Sanders", "Price", "Barnes", "Ross", "Henderson", "Coleman", "Jenkins", "Perry"};
static const char *const first_gb[] = {"Oliver", "George", "Harry", "Jack", "Charlie", "Amelia", "Isla", "Ava",
                                       "Poppy", "Freya", "Alfie", "Imogen", "Rhys", "Siobhan", "Callum", "Niamh"};
static const char *const last_gb[] = {"Wright", "Hughes", "Price", "Cooper", "Ward", "Cox", "Bell", "Murray",
                                      "Fletcher", "Doyle", "Khan", "Ahmed", "Davies", "Lloyd", "Walsh", "Pryce"};
static const char *const first_de[] = {"Lukas", "Jonas", "Leon", "Felix", "Maximilian", "Paul", "Anna", "Lena",
                                       "Marie", "Sophie", "Jürgen", "Björn", "Katrin", "Sabine", "Jörg", "Anja"};
static const char *const last_de[] = {"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner",
                                      "Becker", "Schulz", "Hoffmann", "Schröder", "Koch", "Richter", "Klein",
                                      "Wolf", "Neumann", "Krüger", "Weiß"};
static const char *const first_ka[] = {"Daniel", "Grace", "Esther", "Ji-woo", "Min-jun", "Sung-min", "Hannah",
                                       "Joseph", "Eun-ji", "Jae-hyun", "Christine", "Paul", "Soo-ah", "David"};
static const char *const last_ka[] = {"Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang",
                                      "Lim", "Han", "Shin"};
static const char *const streets_us[] = {"Maple Ave", "Oak St", "Cedar Ln", "Pine St", "Elm Dr", "Lakeview Dr",
                                         "Washington St", "Park Ave", "Hillcrest Rd", "Sunset Blvd",
                                         "Willow Way", "Highland Ave", "Meadow Ln", "Chestnut St", "River Rd",
                                         "Franklin Ave", "Greenwood Ave", "Birch Ct", "Spring St", "Aspen Way"};
static const char *const streets_gb[] = {"Church Lane", "Victoria Road", "Station Road", "Mill Lane",
                                         "Park Road", "Queens Road", "Manor Way", "Albert Street"};
static const char *const streets_de[] = {"Hauptstraße", "Lindenallee", "Gartenstraße", "Schillerstraße",
                                         "Bergstraße", "Goethestraße", "Kastanienweg", "Mühlenweg"};
static const char *const streets_jp[] = {"Jingumae", "Ebisu-minami", "Ohashi", "Nakameguro", "Sangenjaya"};
static const char *const mail_us[] = {"gmail.com", "gmail.com", "gmail.com", "outlook.com", "yahoo.com",
                                      "icloud.com", "proton.me", "hotmail.com"};
static const char *const mail_de[] = {"gmx.de", "web.de", "gmail.com", "posteo.de"};
static const char *const mail_gb[] = {"gmail.com", "btinternet.com", "outlook.com", "yahoo.co.uk"};

static const char *const eng_titles[] = {"Software Engineer", "Senior Software Engineer", "Staff Engineer",
                                         "Backend Engineer", "Frontend Engineer", "Data Engineer",
                                         "DevOps Engineer", "QA Engineer", "Senior Backend Engineer"};
static const char *const other_titles[] = {"Product Manager", "Account Executive", "Customer Success Manager",
                                           "Financial Analyst", "Recruiter", "Marketing Manager",
                                           "Product Designer", "HR Generalist", "Sales Development Rep",
                                           "Support Engineer", "Data Analyst", "Technical Writer"};
static const char *const skills[] = {"Python", "Go", "TypeScript", "React", "PostgreSQL", "Kubernetes", "AWS",
                                     "Terraform", "Kafka", "Java", "Rust", "GraphQL", "Spark", "dbt", "C++"};
static const char *const prior_employers[] = {"a regional bank", "a logistics start-up", "a healthcare SaaS company",
                                              "a telecom operator", "a retail chain", "a university lab",
                                              "an e-commerce marketplace", "a consulting firm",
                                              "an insurance group", "a media company"};
static const char *const commit_subjects[] = {
    "Fix null check in invoice exporter", "Add retry with backoff to webhook sender",
    "Bump dependencies", "Refactor report query builder", "Add tests for tenant isolation",
    "Update README with local setup steps", "Handle empty CSV uploads", "Cache feature flags per request",
    "Fix flaky integration test", "Add pagination to audit log API", "Remove dead code in scheduler",
    "Improve error message for expired tokens", "Add metrics for queue depth", "Fix timezone bug in digest email",
    "Migrate settings page to new form component", "Tighten input validation on import",
    "Add index on events.created_at", "Split billing worker into two jobs", "Fix typo in onboarding copy",
    "Log request id in gateway"};

/* ---- people -------------------------------------------------------------- */

enum { L_BENIGN, L_LOOKALIKE, L_DPRK };
static const char *const label_name[] = {"benign", "lookalike", "dprk"};

enum role {
    R_STAFF, R_KOREAN_AM, R_COUPLE, R_OFFICE, R_IT_RMM, R_TRAVEL, R_TOKYO, R_NIGHT, R_T1, R_T2, R_T3, R_APPLICANT
};

typedef struct payout {
    const char *method;
    char account[48], wallet[64], holder[96];
    int64_t day;
} payout;

typedef struct person {
    enum role role;
    int label;
    const char *kind, *expect;
    int team, tslot; /* team 0..2 and position in team, -1 none */
    bool employee, engineer;
    char eid[16], cid[16];
    char first[40], last[40], full[84];
    char email[96], work[128], user[32], host[24], oktaid[32];
    char phone[24], street[80], zip[16];
    int home;          /* city index (claimed home) */
    char linkedin[160], github[128], referred[84], resume[420], title[48];
    int64_t hire_day, apply_day;
    char serial[16], ship_to[200];
    int64_t ship_day;
    bool shipped;
    payout pay[3];
    int npay;
    int act_off; /* UTC offset (min) where the work is really done */
    int git_off; /* offset written into git commits */
    char home_ip[20], mobile_ip[20];
    int mobile_isp;
    int travel_city; /* R_TRAVEL */
} person;

static person *P;
static int NP;

static const char *const domain_co = "larkspur.example";

static bool name_taken(const char *full, int upto) {
    for (int i = 0; i < upto; i++)
        if (strcmp(P[i].full, full) == 0) return true;
    return false;
}
static bool phone_taken(const char *ph, int upto) {
    for (int i = 0; i < upto; i++)
        if (strcmp(P[i].phone, ph) == 0) return true;
    return false;
}

static void make_name(person *p, int idx, const char *const *fp, size_t fn, const char *const *lp, size_t ln) {
    for (;;) {
        snprintf(p->first, sizeof p->first, "%s", fp[rn((uint32_t)fn)]);
        snprintf(p->last, sizeof p->last, "%s", lp[rn((uint32_t)ln)]);
        snprintf(p->full, sizeof p->full, "%s %s", p->first, p->last);
        if (!name_taken(p->full, idx)) return;
    }
}

static void make_phone(person *p, int idx) {
    int c = cities[p->home].country;
    do {
        switch (c) {
        case GB: snprintf(p->phone, sizeof p->phone, "+44 7700 900%03d", rr(0, 999)); break;
        case DE: {
            int a = rr(1000, 9999), b = rr(0, 9999);
            snprintf(p->phone, sizeof p->phone, "+49 151 %04d%04d", a, b);
            break;
        }
        case JP: {
            int a = rr(1000, 9999), b = rr(0, 9999);
            snprintf(p->phone, sizeof p->phone, "+81 90-%04d-%04d", a, b);
            break;
        }
        default: {
            static const int area[C_COUNT] = {
                [C_AUSTIN] = 512, [C_SEATTLE] = 206, [C_PORTLAND] = 503, [C_SF] = 415, [C_DENVER] = 303,
                [C_CHICAGO] = 312, [C_NYC] = 718, [C_BOSTON] = 617, [C_ATLANTA] = 404, [C_RALEIGH] = 919,
                [C_PHOENIX] = 602, [C_MINNEAPOLIS] = 612, [C_TORONTO] = 416, [C_VANCOUVER] = 604,
                [C_FULLERTON] = 714, [C_FORTLEE] = 201, [C_ANNANDALE] = 703, [C_LA] = 213, [C_DULUTH] = 678,
                [C_HILLSBORO] = 971, [C_PLANO] = 469};
            int ac = area[p->home] ? area[p->home] : 646;
            bool paren = chance(50);
            int a = rr(201, 989), b = rr(0, 9999);
            if (paren) snprintf(p->phone, sizeof p->phone, "(%d) %03d-%04d", ac, a, b);
            else snprintf(p->phone, sizeof p->phone, "+1 %d-%03d-%04d", ac, a, b);
        }
        }
    } while (phone_taken(p->phone, idx));
}

static void make_street(char *out, size_t cap, int home) {
    /* one RNG call per statement: argument evaluation order is unspecified */
    int a = rr(1, 180), b = rr(1, 30), c = rr(1, 20), apt = rr(1, 40) * 10;
    apt += rr(1, 9);
    bool has_apt = chance(20);
    switch (cities[home].country) {
    case GB: snprintf(out, cap, "%d %s", a, PICK(streets_gb)); break;
    case DE: snprintf(out, cap, "%s %d", PICK(streets_de), a % 120 + 1); break;
    case JP: snprintf(out, cap, "%d-%d-%d %s", a % 6 + 1, b, c, PICK(streets_jp)); break;
    default: {
        int num = rr(100, 9899);
        const char *st = PICK(streets_us);
        if (has_apt) snprintf(out, cap, "%d %s Apt %d", num, st, apt);
        else snprintf(out, cap, "%d %s", num, st);
    }
    }
}

/* "street, city, ST 12345, US" */
static void full_address(char *out, size_t cap, const char *street, int home, const char *zip) {
    const city *c = &cities[home];
    if (c->region[0] && c->country != DE && c->country != JP)
        snprintf(out, cap, "%s, %s, %s %s, %s", street, c->name, c->region, zip, country_iso[c->country]);
    else
        snprintf(out, cap, "%s, %s %s, %s", street, zip, c->name, country_iso[c->country]);
}

static void bank_account(char *out, size_t cap, int country) {
    char d[32];
    switch (country) {
    case GB: case DE: {
        /* IBAN with a correct mod-97 check */
        char bban[32];
        if (country == GB) {
            static const char *const banks[] = {"NWBK", "BARC", "LOYD", "HBUK", "MONZ"};
            char acct[16];
            ralnum(acct, 14, "0123456789");
            snprintf(bban, sizeof bban, "%s%s", PICK(banks), acct);
        } else {
            ralnum(bban, 18, "0123456789");
        }
        const char *cc = country == GB ? "GB" : "DE";
        char tmp[80];
        size_t n = 0;
        for (const char *p = bban; *p; p++) {
            if (*p >= 'A' && *p <= 'Z') n += (size_t)snprintf(tmp + n, sizeof tmp - n, "%d", *p - 'A' + 10);
            else tmp[n++] = *p;
        }
        n += (size_t)snprintf(tmp + n, sizeof tmp - n, "%d%d00", cc[0] - 'A' + 10, cc[1] - 'A' + 10);
        unsigned rem = 0;
        for (size_t i = 0; i < n; i++) rem = (rem * 10 + (unsigned)(tmp[i] - '0')) % 97;
        snprintf(out, cap, "%s%02u%s", cc, 98 - rem, bban);
        return;
    }
    case CA:
        ralnum(d, 7, "0123456789");
        int transit = rr(1, 99999), inst = PICK(((const int[]){1, 2, 3, 4, 6, 10}));
        snprintf(out, cap, "%05d-%03d-%s", transit, inst, d);
        return;
    case JP:
        ralnum(d, 7, "0123456789");
        snprintf(out, cap, "0005-%03d-%s", rr(100, 999), d);
        return;
    default: {
        static const char *const rtn[] = {"021000021", "026009593", "121000358", "111000614", "071000013",
                                          "122105155", "322271627", "091000022"};
        ralnum(d, 10, "0123456789");
        snprintf(out, cap, "%s-%s", PICK(rtn), d);
    }
    }
}

static void evm_wallet(char *out) {
    out[0] = '0';
    out[1] = 'x';
    rhex(out + 2, 40);
}

static void std_payout(person *p, int64_t day) {
    payout *y = &p->pay[p->npay++];
    int c = cities[p->home].country;
    y->method = c == US ? "Direct Deposit" : "Bank Transfer";
    bank_account(y->account, sizeof y->account, c);
    snprintf(y->holder, sizeof y->holder, "%s", p->full);
    y->day = day;
}

/* Résumé texts: benign ones are assembled per person; each DPRK team reuses
 * one template with a few words changed (LINK-02). */
static const char *const eng_deeds[] = {
    "owned the payments integration", "ran the on-call rotation", "moved the nightly batch jobs to streaming",
    "built the internal admin tool", "cut CI time in half", "led the migration off a legacy monolith",
    "designed the public REST API", "introduced contract tests between services", "rewrote the search indexer",
    "maintained the mobile release train", "set up observability with OpenTelemetry",
    "shipped the first version of the billing system"};
static const char *const other_notes[] = {
    "Comfortable with SQL and spreadsheets.", "Bilingual English/Spanish.", "Led a team of four.",
    "Certified Salesforce administrator.", "Mentors new hires.", "Volunteer treasurer of a local food bank.",
    "Organised the company's first customer conference.", "Built the quarterly forecasting model.",
    "Ran onboarding for forty people a year.", "Wrote the style guide still in use."};
static void benign_resume(person *p) {
    const char *s1 = PICK(skills), *s2, *s3;
    do s2 = PICK(skills); while (s2 == s1);
    do s3 = PICK(skills); while (s3 == s1 || s3 == s2);
    int yrs = rr(2, 15);
    const char *e1 = PICK(prior_employers), *e2;
    do e2 = PICK(prior_employers); while (e2 == e1);
    if (p->engineer) {
        switch (rn(4)) {
        case 0:
            snprintf(p->resume, sizeof p->resume, "%s, %d years. Mostly %s and %s, some %s. At %s I %s.", p->title,
                     yrs, s1, s2, s3, e1, PICK(eng_deeds));
            break;
        case 1:
            snprintf(p->resume, sizeof p->resume, "I have spent %d years writing %s at %s and %s; before that %s. "
                     "Proudest of the time I %s.", yrs, s1, e1, e2, s2, PICK(eng_deeds));
            break;
        case 2: {
            const char *d1 = PICK(eng_deeds), *d2 = PICK(eng_deeds);
            snprintf(p->resume, sizeof p->resume, "Engineer (%s, %s). %s: %s. %s: %s and on-call.", s1, s2, e1, d1,
                     e2, d2);
            break;
        }
        default:
            snprintf(p->resume, sizeof p->resume, "%d yrs exp. Stack: %s/%s/%s. Recent: %s at %s.", yrs, s1, s2, s3,
                     PICK(eng_deeds), e1);
        }
    } else {
        bool form = rn(2);
        const char *note = PICK(other_notes);
        snprintf(p->resume, sizeof p->resume, form ? "%s, %d years at %s and %s. %s" : "%s (%d years; %s, then %s). %s",
                 p->title, yrs, e1, e2, note);
    }
}
#define TEAM1_RESUME                                                                              \
    "Passionate full-stack developer with %d+ years of experience building scalable web3 and fintech "   \
    "applications using React, Node.js, Solidity and AWS. Proven track record of delivering high-quality " \
    "code on time for clients worldwide. Strong communicator, fast learner, team player."
#define TEAM2_RESUME                                                                              \
    "Senior software engineer (%d years) specialised in %s, microservices and cloud-native systems. "     \
    "Delivered 30+ projects for startups and enterprises; expert in clean architecture and CI/CD. "      \
    "Available to start immediately and flexible with working hours."
#define TEAM3_RESUME                                                                              \
    "%s with %d years of experience in backend development and data pipelines. Worked with distributed " \
    "teams across several time zones; comfortable with Python, Go and PostgreSQL."

/* ---- event sinks --------------------------------------------------------- */

typedef struct evline {
    int64_t ms;
    uint32_t seq;
    char *s;
} evline;
typedef struct evbuf {
    evline *v;
    size_t n, cap;
} evbuf;
static evbuf ev_okta, ev_sysmon, ev_git;
static uint32_t ev_seq;

static void ev_push(evbuf *b, int64_t ms, sb *line) {
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 1024;
        b->v = realloc(b->v, b->cap * sizeof *b->v);
        if (!b->v) die("out of memory");
    }
    b->v[b->n++] = (evline){ms, ev_seq++, line->s};
    line->s = NULL;
    line->len = line->cap = 0;
}
static int ev_cmp(const void *a, const void *b) {
    const evline *x = a, *y = b;
    if (x->ms != y->ms) return x->ms < y->ms ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}
static void ev_write(evbuf *b, const char *path) {
    qsort(b->v, b->n, sizeof *b->v, ev_cmp);
    FILE *f = fopen(path, "wb");
    if (!f) die("cannot write %s: %s", path, strerror(errno));
    for (size_t i = 0; i < b->n; i++) {
        fputs(b->v[i].s, f);
        fputc('\n', f);
        free(b->v[i].s);
    }
    if (fclose(f) != 0) die("cannot write %s", path);
    free(b->v);
    memset(b, 0, sizeof *b);
}

/* ---- Okta System Log ----------------------------------------------------- */

typedef struct geo {
    const char *city, *state, *country;
    char postal[16];
    double lat, lon;
} geo;

static void geo_of_city(geo *g, int c) {
    g->city = cities[c].name;
    g->state = cities[c].region_full;
    g->country = country_name[cities[c].country];
    if (cities[c].zip[0]) rand_zip(g->postal, sizeof g->postal, cities[c].zip);
    else g->postal[0] = 0;
    g->lat = cities[c].lat + (double)rr(-400, 400) / 10000.0;
    g->lon = cities[c].lon + (double)rr(-400, 400) / 10000.0;
}

static const char *const sso_apps[] = {"Slack", "Google Workspace", "GitHub Enterprise Cloud", "Workday",
                                       "Zoom", "Atlassian Cloud", "Salesforce", "Box"};

static void okta_event(const person *p, int64_t ms, const char *ip, int netidx, const geo *g, bool sso,
                       bool mac) {
    sb b = {0};
    char u[40], pub[40];
    rhex(u, 8);
    char u2[8], u3[8], u4[8], u5[16];
    rhex(u2, 4);
    rhex(u3, 3);
    rhex(u4, 4);
    rhex(u5, 12);
    fmt_time(pub, sizeof pub, ms, 'T', true);
    sb_add(&b, "{");
    sb_printf(&b, "\"uuid\":\"%s-%s-11f1-%s-%s\",", u, u2, u4, u5);
    sb_printf(&b, "\"published\":\"%sZ\",", pub);
    jkv(&b, "eventType", sso ? "user.authentication.sso" : "user.session.start");
    jkv(&b, "version", "0");
    jkv(&b, "severity", "INFO");
    jkv(&b, "displayMessage", sso ? "User single sign on to app" : "User login to Okta");
    sb_add(&b, "\"actor\":{");
    jkv(&b, "id", p->oktaid);
    jkv(&b, "type", "User");
    jkv(&b, "alternateId", p->work);
    jkv(&b, "displayName", p->full);
    jend(&b);
    sb_add(&b, ",\"client\":{\"userAgent\":{");
    if (mac) {
        jkv(&b, "rawUserAgent",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/139.0.0.0 Safari/537.36");
        jkv(&b, "os", "Mac OS X");
    } else {
        jkv(&b, "rawUserAgent",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/139.0.0.0 Safari/537.36");
        jkv(&b, "os", "Windows 10");
    }
    jkv(&b, "browser", "CHROME");
    jend(&b);
    sb_add(&b, ",\"device\":\"Computer\",");
    jkv(&b, "ipAddress", ip);
    sb_add(&b, "\"geographicalContext\":{");
    jkv(&b, "city", g->city);
    jkv(&b, "state", g->state);
    jkv(&b, "country", g->country);
    if (g->postal[0]) jkv(&b, "postalCode", g->postal);
    else sb_add(&b, "\"postalCode\":null,");
    sb_printf(&b, "\"geolocation\":{\"lat\":%.4f,\"lon\":%.4f}}},", g->lat, g->lon);
    sb_add(&b, "\"outcome\":{\"result\":\"SUCCESS\",\"reason\":null},");
    const net *n = &nets[netidx];
    sb_printf(&b, "\"securityContext\":{\"asNumber\":%u,", n->asn);
    jkv(&b, "asOrg", n->as_org);
    jkv(&b, "isp", n->isp);
    jkv(&b, "domain", n->domain);
    sb_printf(&b, "\"isProxy\":%s}", n->proxy ? "true" : "false");
    if (sso) {
        char app[24];
        ralnum(app, 17, "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ0123456789");
        const char *name = PICK(sso_apps);
        sb_add(&b, ",\"target\":[{");
        sb_printf(&b, "\"id\":\"0oa%s\",", app);
        jkv(&b, "type", "AppInstance");
        jkv(&b, "alternateId", name);
        jkv(&b, "displayName", name);
        jend(&b);
        sb_add(&b, "]");
    }
    sb_add(&b, "}");
    ev_push(&ev_okta, ms, &b);
}

/* ---- Windows events (NXLog JSON flavour) --------------------------------- */

typedef struct sw {
    const char *image, *cmd, *desc, *product, *company, *orig, *ver;
} sw;
/* %U in image/cmd is replaced by the account name. */
static const sw sw_common[] = {
    {"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
     "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\"", "Google Chrome", "Google Chrome",
     "Google LLC", "chrome.exe", "139.0.7258.128"},
    {"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE",
     "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE\"", "Microsoft Outlook",
     "Microsoft Outlook", "Microsoft Corporation", "Outlook.exe", "16.0.19029.20156"},
    {"C:\\Users\\%U\\AppData\\Local\\Microsoft\\WindowsApps\\ms-teams.exe", "ms-teams.exe", "Microsoft Teams",
     "Microsoft Teams", "Microsoft Corporation", "ms-teams.exe", "25212.2204.3856.1512"},
    {"C:\\Users\\%U\\AppData\\Local\\slack\\app-4.45.64\\slack.exe",
     "\"C:\\Users\\%U\\AppData\\Local\\slack\\app-4.45.64\\slack.exe\" --process-start-args --startup",
     "Slack", "Slack", "Slack Technologies, LLC", "slack.exe", "4.45.64"},
    {"C:\\Program Files\\Zoom\\bin\\Zoom.exe", "\"C:\\Program Files\\Zoom\\bin\\Zoom.exe\"", "Zoom Workplace",
     "Zoom Workplace", "Zoom Video Communications, Inc.", "Zoom.exe", "6.5.7.9933"},
    {"C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE",
     "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE\" /dde", "Microsoft Excel",
     "Microsoft Office", "Microsoft Corporation", "Excel.exe", "16.0.19029.20156"},
};
static const sw sw_eng[] = {
    {"C:\\Users\\%U\\AppData\\Local\\Programs\\Microsoft VS Code\\Code.exe",
     "\"C:\\Users\\%U\\AppData\\Local\\Programs\\Microsoft VS Code\\Code.exe\"", "Visual Studio Code",
     "Visual Studio Code", "Microsoft Corporation", "electron.exe", "1.104.0"},
    {"C:\\Program Files\\Git\\cmd\\git.exe", "git fetch --prune origin", "Git for Windows", "Git",
     "The Git Development Community", "git.exe", "2.51.0.1"},
    {"C:\\Program Files\\Docker\\Docker\\Docker Desktop.exe", "\"C:\\Program Files\\Docker\\Docker\\Docker Desktop.exe\"",
     "Docker Desktop", "Docker Desktop", "Docker Inc.", "Docker Desktop.exe", "4.45.0"},
    {"C:\\Program Files\\nodejs\\node.exe", "node C:\\Users\\%U\\src\\collateral-service\\scripts\\seed.js",
     "Node.js JavaScript Runtime", "Node.js", "Node.js", "node.exe", "22.19.0"},
    {"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
     "powershell.exe -NoProfile -Command \"Get-ChildItem .\\build | Remove-Item -Recurse\"",
     "Windows PowerShell", "Microsoft® Windows® Operating System", "Microsoft Corporation", "PowerShell.EXE",
     "10.0.26100.1"},
};
enum { RMM_ANYDESK, RMM_RUSTDESK, RMM_TEAMVIEWER, RMM_SCREENCONNECT };
static const sw sw_rmm[] = {
    [RMM_ANYDESK] = {"C:\\Program Files (x86)\\AnyDesk\\AnyDesk.exe",
                     "\"C:\\Program Files (x86)\\AnyDesk\\AnyDesk.exe\" --service", "AnyDesk", "AnyDesk",
                     "AnyDesk Software GmbH", "AnyDesk.exe", "9.0.5"},
    [RMM_RUSTDESK] = {"C:\\Program Files\\RustDesk\\rustdesk.exe", "\"C:\\Program Files\\RustDesk\\rustdesk.exe\" --service",
                      "RustDesk Remote Desktop", "RustDesk", "Purslane Ltd", "rustdesk.exe", "1.4.1"},
    [RMM_TEAMVIEWER] = {"C:\\Program Files\\TeamViewer\\TeamViewer.exe", "\"C:\\Program Files\\TeamViewer\\TeamViewer.exe\"",
                        "TeamViewer", "TeamViewer", "TeamViewer Germany GmbH", "TeamViewer.exe", "15.69.4"},
    [RMM_SCREENCONNECT] = {"C:\\Program Files (x86)\\ScreenConnect Client (6f3a9c1e2b7d4a05)\\ScreenConnect.ClientService.exe",
                           "\"C:\\Program Files (x86)\\ScreenConnect Client (6f3a9c1e2b7d4a05)\\ScreenConnect.ClientService.exe\" "
                           "\"?e=Access&y=Guest&h=support.larkspur.example&p=8041&k=BgIAAACkAABSU0ExAAgAAAEAAQ\"",
                           "ScreenConnect Client Service", "ScreenConnect", "ConnectWise, LLC",
                           "ScreenConnect.ClientService.exe", "25.4.16.9293"},
};
static const char *const rmm_dns[] = {
    [RMM_ANYDESK] = "relay-8f2b41c7.net.anydesk.com",
    [RMM_RUSTDESK] = "rs-ny.rustdesk.com",
    [RMM_TEAMVIEWER] = "router14.teamviewer.com",
    [RMM_SCREENCONNECT] = "instance-k2x9vq-relay.screenconnect.com",
};
static const int rmm_port[] = {[RMM_ANYDESK] = 7070, [RMM_RUSTDESK] = 21116, [RMM_TEAMVIEWER] = 5938,
                               [RMM_SCREENCONNECT] = 8041};

static void subst_user(char *out, size_t cap, const char *in, const char *user) {
    size_t n = 0;
    for (const char *p = in; *p && n + 1 < cap; p++) {
        if (p[0] == '%' && p[1] == 'U') {
            for (const char *u = user; *u && n + 1 < cap; u++) out[n++] = *u;
            p++;
        } else {
            out[n++] = *p;
        }
    }
    out[n] = 0;
}

static void win_fqdn(char *out, size_t cap, const person *p) {
    snprintf(out, cap, "%s.corp.%s", p->host, domain_co);
}

/* Common NXLog header; ms = UTC event time. */
static void win_head(sb *b, const person *p, int64_t ms, int eid, bool sysmon) {
    char fq[96], t[40], lt[40], rt[40];
    win_fqdn(fq, sizeof fq, p);
    int local_off = cities[p->home].off; /* laptop clock: the claimed home zone */
    fmt_time(lt, sizeof lt, ms + (int64_t)local_off * 60000, ' ', false);
    int64_t recv = ms + rr(200, 4000);
    fmt_time(rt, sizeof rt, recv + (int64_t)local_off * 60000, ' ', false);
    sb_add(b, "{");
    jkv(b, "EventTime", lt);
    jkv(b, "Hostname", fq);
    jkv(b, "EventType", "INFO");
    jki(b, "EventID", eid);
    if (sysmon) {
        jkv(b, "SourceName", "Microsoft-Windows-Sysmon");
        jki(b, "ProcessID", 3140);
        jkv(b, "Channel", "Microsoft-Windows-Sysmon/Operational");
        fmt_time(t, sizeof t, ms, ' ', true);
        jkv(b, "UtcTime", t);
    } else {
        jkv(b, "SourceName", "Microsoft-Windows-Security-Auditing");
        jki(b, "ProcessID", 4);
        jkv(b, "Channel", "Security");
    }
    jkv(b, "EventReceivedTime", rt);
    fmt_time(t, sizeof t, recv, 'T', true);
    sb_printf(b, "\"@timestamp\":\"%sZ\",", t);
}

static void guid(char *out, size_t cap) {
    char a[12], c[8], d[12];
    rhex(a, 8);
    rhex(c, 4);
    rhex(d, 8);
    snprintf(out, cap, "{%s-%s-%04x-0000-0010%s}", a, c, (unsigned)rr(0x6000, 0x6fff), d);
}

static void sysmon_proc(const person *p, int64_t ms, const sw *s, int *pid_out) {
    sb b = {0};
    char img[256], cmd[512], g[64], user[48];
    subst_user(img, sizeof img, s->image, p->user);
    subst_user(cmd, sizeof cmd, s->cmd, p->user);
    snprintf(user, sizeof user, "CORP\\%s", p->user);
    win_head(&b, p, ms, 1, true);
    guid(g, sizeof g);
    jkv(&b, "ProcessGuid", g);
    int pid = rr(1000, 24000) & ~3;
    char num[16];
    snprintf(num, sizeof num, "%d", pid);
    jkv(&b, "ProcessId", num);
    jkv(&b, "Image", img);
    jkv(&b, "FileVersion", s->ver);
    jkv(&b, "Description", s->desc);
    jkv(&b, "Product", s->product);
    jkv(&b, "Company", s->company);
    jkv(&b, "OriginalFileName", s->orig);
    jkv(&b, "CommandLine", cmd);
    jkv(&b, "User", user);
    jkv(&b, "IntegrityLevel", "Medium");
    jkv(&b, "ParentImage", "C:\\Windows\\explorer.exe");
    jend(&b);
    ev_push(&ev_sysmon, ms, &b);
    if (pid_out) *pid_out = pid;
}

static void sysmon_dns(const person *p, int64_t ms, const char *image, const char *query, const char *answer) {
    sb b = {0};
    char img[256], g[64], res[64];
    subst_user(img, sizeof img, image, p->user);
    win_head(&b, p, ms, 22, true);
    guid(g, sizeof g);
    jkv(&b, "ProcessGuid", g);
    char num[16];
    snprintf(num, sizeof num, "%d", rr(1000, 24000) & ~3);
    jkv(&b, "ProcessId", num);
    jkv(&b, "QueryName", query);
    jkv(&b, "QueryStatus", "0");
    snprintf(res, sizeof res, "::ffff:%s;", answer);
    jkv(&b, "QueryResults", res);
    jkv(&b, "Image", img);
    jend(&b);
    ev_push(&ev_sysmon, ms, &b);
}

static void sysmon_net(const person *p, int64_t ms, const char *image, const char *dst, const char *dsthost,
                       int port) {
    sb b = {0};
    char img[256], g[64], fq[96], user[48], num[16];
    subst_user(img, sizeof img, image, p->user);
    win_fqdn(fq, sizeof fq, p);
    snprintf(user, sizeof user, "CORP\\%s", p->user);
    win_head(&b, p, ms, 3, true);
    guid(g, sizeof g);
    jkv(&b, "ProcessGuid", g);
    snprintf(num, sizeof num, "%d", rr(1000, 24000) & ~3);
    jkv(&b, "ProcessId", num);
    jkv(&b, "Image", img);
    jkv(&b, "User", user);
    jkv(&b, "Protocol", "tcp");
    jkv(&b, "Initiated", "true");
    jkv(&b, "SourceIsIpv6", "false");
    char sip[20];
    int net3 = rr(0, 3), host4 = rr(2, 250);
    snprintf(sip, sizeof sip, "192.168.%d.%d", net3, host4);
    jkv(&b, "SourceIp", sip);
    jkv(&b, "SourceHostname", fq);
    snprintf(num, sizeof num, "%d", rr(49152, 65000));
    jkv(&b, "SourcePort", num);
    jkv(&b, "DestinationIsIpv6", "false");
    jkv(&b, "DestinationIp", dst);
    jkv(&b, "DestinationHostname", dsthost);
    snprintf(num, sizeof num, "%d", port);
    jkv(&b, "DestinationPort", num);
    jend(&b);
    ev_push(&ev_sysmon, ms, &b);
}

typedef struct usbdev {
    const char *vidpid, *serial, *desc, *cls, *classid, *compat;
} usbdev;
#define COMPAT_HID "USB\\Class_03&SubClass_01&Prot_01 USB\\Class_03&SubClass_01 USB\\Class_03"
static const usbdev usb_pikvm = {"VID_1D6B&PID_0104", "CAFEBABE", "PiKVM Composite Device", "HIDClass",
                                 "{745a17a0-74d3-11d0-b6fe-00a0c90f57da}", COMPAT_HID};
static const usbdev usb_tinypilot = {"VID_1D6B&PID_0104", "6b65796d696d6570690", "Multifunction USB Device",
                                     "HIDClass", "{745a17a0-74d3-11d0-b6fe-00a0c90f57da}", COMPAT_HID};
static const usbdev usb_benign[] = {
    {"VID_046D&PID_C52B", "", "Logitech USB Input Device", "HIDClass", "{745a17a0-74d3-11d0-b6fe-00a0c90f57da}", COMPAT_HID},
    {"VID_1050&PID_0407", "", "YubiKey OTP+FIDO+CCID", "HIDClass", "{745a17a0-74d3-11d0-b6fe-00a0c90f57da}", COMPAT_HID},
    {"VID_0BDA&PID_8153", "", "Realtek USB GbE Family Controller", "Net", "{4d36e972-e325-11ce-bfc1-08002be10318}",
     "USB\\Class_ff&SubClass_ff&Prot_00 USB\\Class_ff&SubClass_ff USB\\Class_ff"},
    {"VID_0781&PID_5581", "", "SanDisk Ultra USB Device", "DiskDrive", "{4d36e967-e325-11ce-bfc1-08002be10318}",
     "USB\\Class_08&SubClass_06&Prot_50 USB\\Class_08&SubClass_06 USB\\Class_08"},
};

static void pnp_6416(const person *p, int64_t ms, const usbdev *d) {
    sb b = {0};
    char id[96], vendor[160], machine[40], serial[40];
    if (d->serial[0]) snprintf(serial, sizeof serial, "%s", d->serial);
    else if (strcmp(d->cls, "DiskDrive") == 0) ralnum(serial, 20, "0123456789ABCDEF");
    else {
        unsigned h = (unsigned)rr(0x10000000, 0x7fffffff);
        snprintf(serial, sizeof serial, "7&%x&0&%04d", h, rr(1, 4));
    }
    snprintf(id, sizeof id, "USB\\%s\\%s", d->vidpid, serial);
    snprintf(vendor, sizeof vendor, "USB\\%s&REV_0510 USB\\%s", d->vidpid, d->vidpid);
    snprintf(machine, sizeof machine, "%s$", p->host);
    win_head(&b, p, ms, 6416, false);
    jkv(&b, "Category", "Plug and Play Events");
    jkv(&b, "SubjectUserSid", "S-1-5-18");
    jkv(&b, "SubjectUserName", machine);
    jkv(&b, "SubjectDomainName", "CORP");
    jkv(&b, "SubjectLogonId", "0x3e7");
    jkv(&b, "DeviceId", id);
    jkv(&b, "DeviceDescription", d->desc);
    jkv(&b, "ClassId", d->classid);
    jkv(&b, "ClassName", d->cls);
    jkv(&b, "VendorIds", vendor);
    jkv(&b, "CompatibleIds", d->compat);
    jkv(&b, "LocationInformation", "Port_#0002.Hub_#0001");
    jend(&b);
    ev_push(&ev_sysmon, ms, &b);
}

/* ---- git ----------------------------------------------------------------- */

static void git_commit(const person *p, int64_t utc_s, int off) {
    sb b = {0};
    char h[44], a[40], c[40];
    rhex(h, 40);
    fmt_iso_off(a, sizeof a, utc_s, off);
    fmt_iso_off(c, sizeof c, utc_s + (chance(30) ? rr(60, 7200) : 0), off);
    sb_printf(&b, "%s\t%s\t%s\t%s\t%s\t%s", h, p->full, p->work, a, c, PICK(commit_subjects));
    ev_push(&ev_git, utc_s * 1000, &b);
}

/* ---- activity ------------------------------------------------------------ */

/* UTC ms of local time (day index from the window start, minutes after local
 * midnight) at offset off. */
static int64_t local_ms(int dayi, int minute, int off) {
    int sec = rr(0, 59);
    int msec = rr(0, 999);
    return ((window_day0 + dayi) * 86400 + (int64_t)minute * 60 + sec - (int64_t)off * 60) * 1000 + msec;
}

typedef struct where {
    int net;       /* nets[] index */
    const char *ip;
    int geo_city;  /* for geographicalContext */
} where;

/* Sign-ins, endpoint activity and commits of one person for the window. */
static void simulate(person *p) {
    bool mac = !p->engineer && p->role == R_STAFF && chance(15);
    int homeoff = cities[p->home].off;
    /* workday activity window in minutes of local time */
    int start = rr(7 * 60 + 30, 9 * 60 + 30), end = start + rr(8 * 60, 9 * 60 + 30);
    int off = homeoff;
    if (p->role == R_NIGHT) {
        start = 22 * 60 + rr(-20, 20);
        end = start + 8 * 60;
    }
    if (p->label == L_DPRK) {
        off = p->act_off;
        if (p->team != 2) { /* teams 1 and 2: their own daytime (UTC+9 / UTC+8) */
            start = rr(8 * 60 + 30, 10 * 60);
            end = start + rr(9 * 60, 11 * 60);
        } else { /* team 3 works in shifts that fit the claimed zone */
            off = homeoff;
        }
    }
    int rmm = -1;
    const usbdev *kvm = NULL;
    if (p->role == R_IT_RMM) rmm = RMM_SCREENCONNECT;
    if (p->team == 0) {
        rmm = RMM_ANYDESK;
        if (p->tslot == 0 || p->tslot == 3) kvm = &usb_pikvm;
    } else if (p->team == 1) {
        rmm = p->tslot == 2 ? RMM_ANYDESK : RMM_RUSTDESK;
        if (p->tslot == 2) kvm = &usb_tinypilot;
    } else if (p->team == 2) {
        rmm = RMM_TEAMVIEWER;
    }
    int want_commits = p->engineer ? rr(3, 9) : 0;
    if (p->label == L_DPRK && p->engineer) want_commits = rr(8, 14);
    bool usb_benign_dev = p->label != L_DPRK && chance(8);
    int kvm_day = rr(0, 4), usb_day = rr(0, WINDOW_DAYS - 1), rmm_days = 0;
    bool trip_direct = false; /* the first sign-in abroad is from the hotel, not the VPN */

    for (int d = 0; d < WINDOW_DAYS; d++) {
        int wd = weekday(window_day0 + d);
        if (wd >= 5) continue;
        bool dprk = p->label == L_DPRK;
        int dayoff = off;
        int s0 = start, e0 = end;
        bool travelling = p->role == R_TRAVEL && d >= 7; /* second week abroad */
        if (travelling) {
            dayoff = cities[p->travel_city].off;
            s0 = rr(8 * 60, 10 * 60);
            e0 = s0 + rr(7 * 60, 9 * 60);
        }
        int present = dprk ? 95 : p->role == R_STAFF ? 50 : 85;
        if (!chance(present)) continue;
        /* --- Okta --- */
        int nsign = 1 + (chance(p->role == R_STAFF ? 10 : 40) ? 1 : 0);
        if (dprk && chance(50)) nsign++;
        for (int k = 0; k < nsign; k++) {
            int m = k == 0 ? s0 + rr(0, 30) : rr(s0 + 60, e0 - 10);
            int64_t ms = local_ms(d, m, dayoff);
            geo g;
            where w = {0};
            char ip[20];
            w.ip = p->home_ip;
            w.net = cities[p->home].isp;
            w.geo_city = p->home;
            if (p->role == R_OFFICE && wd <= 3) {
                w.ip = "12.201.44.18";
                w.net = ISP_ATT_OFFICE;
                w.geo_city = C_AUSTIN;
            } else if (travelling) {
                if (trip_direct && chance(60)) {
                    rand_ip(ip, sizeof ip, chance(50) ? NET_M247 : NET_DATACAMP);
                    w.ip = ip;
                    w.net = ip[0] == '3' ? NET_M247 : NET_DATACAMP;
                    w.geo_city = p->home == C_SEATTLE ? C_SEATTLE : C_LA;
                } else {
                    w.ip = p->mobile_ip;
                    w.net = p->mobile_isp;
                    w.geo_city = p->travel_city;
                    trip_direct = true;
                }
            } else if (p->team == 0) {
                int r = (int)rn(100);
                if (p->tslot == 2 && k == 0 && (d == 3 || d == 8)) {
                    rand_ip(ip, sizeof ip, NET_STARKP);
                    w.ip = ip;
                    w.net = NET_STARKP;
                    w.geo_city = C_PYONGYANG;
                } else if (r < 50) {
                    w.ip = "73.37.118.204"; /* the laptop farm's cable line in Hillsboro */
                    w.net = ISP_COMCAST;
                    w.geo_city = C_HILLSBORO;
                } else {
                    rand_ip(ip, sizeof ip, chance(60) ? NET_ASTRILL_VULTR : NET_ASTRILL_DO);
                    w.ip = ip;
                    w.net = ip[0] == '4' ? NET_ASTRILL_VULTR : NET_ASTRILL_DO;
                    w.geo_city = PICK(us_exit_cities);
                }
            } else if (p->team == 1) {
                int r = (int)rn(100);
                if (r < 40) {
                    w.ip = "70.114.203.57"; /* facilitator's Spectrum line in Plano */
                    w.net = ISP_CHARTER;
                    w.geo_city = C_PLANO;
                } else if (r < 80) {
                    int n = chance(50) ? NET_M247B : NET_DATACAMP;
                    rand_ip(ip, sizeof ip, n);
                    w.ip = ip;
                    w.net = n;
                    w.geo_city = PICK(us_exit_cities);
                } else {
                    rand_ip(ip, sizeof ip, NET_DO);
                    w.ip = ip;
                    w.net = NET_DO;
                    w.geo_city = C_NYC;
                }
            } else if (p->team == 2) {
                if (chance(75)) {
                    rand_ip(ip, sizeof ip, chance(50) ? NET_ASTRILL_VULTR : NET_ASTRILL_DO);
                    w.ip = ip;
                    w.net = ip[0] == '4' ? NET_ASTRILL_VULTR : NET_ASTRILL_DO;
                    w.geo_city = cities[p->home].country == GB ? C_LONDON : PICK(us_exit_cities);
                }
            } else if (chance(12)) {
                w.ip = p->mobile_ip; /* phone hotspot / second line at home */
                w.net = p->mobile_isp;
            }
            geo_of_city(&g, w.geo_city);
            okta_event(p, ms, w.ip, w.net, &g, k > 0 || (!dprk && chance(25)), mac);
        }
        /* --- endpoint --- */
        if (!mac) {
            int nproc = dprk ? rr(1, 3) : chance(45) ? 1 : 0;
            if (p->role != R_STAFF && p->label != L_DPRK && chance(30)) nproc++;
            for (int k = 0; k < nproc; k++) {
                const sw *s = p->engineer && chance(55) ? &sw_eng[rn(NELEM(sw_eng))] : &sw_common[rn(NELEM(sw_common))];
                sysmon_proc(p, local_ms(d, rr(s0, e0 - 5), dayoff), s, NULL);
            }
            if (chance(dprk ? 40 : 10)) {
                int64_t ms = local_ms(d, rr(s0, e0 - 5), dayoff);
                const char *q = PICK(((const char *const[]){"mail.google.com", "app.slack.com", "github.com",
                                                           "larkspur.okta.com", "docs.google.com"}));
                const char *ans = PICK(((const char *const[]){"142.250.72.37", "34.226.1.47", "140.82.114.4"}));
                sysmon_dns(p, ms, sw_common[0].image, q, ans);
            }
            if (rmm >= 0 && (chance(rmm == RMM_SCREENCONNECT ? 50 : 70) || rmm_days == 0)) {
                rmm_days++;
                int m = rr(s0, e0 - 30);
                int64_t ms = local_ms(d, m, dayoff);
                sysmon_proc(p, ms, &sw_rmm[rmm], NULL);
                char dst[20];
                rand_ip(dst, sizeof dst, NET_DO);
                if (chance(60)) sysmon_dns(p, ms + rr(500, 4000), sw_rmm[rmm].image, rmm_dns[rmm], dst);
                if (chance(50)) sysmon_net(p, ms + rr(5000, 9000), sw_rmm[rmm].image, dst, rmm_dns[rmm], rmm_port[rmm]);
            }
            if (kvm && (d == kvm_day || d == kvm_day + 3)) pnp_6416(p, local_ms(d, rr(s0, s0 + 60), dayoff), kvm);
            if (usb_benign_dev && d == usb_day) {
                int64_t ms = local_ms(d, rr(s0, e0), dayoff);
                pnp_6416(p, ms, &usb_benign[rn(NELEM(usb_benign))]);
            }
        }
        /* --- git --- */
        if (want_commits > 0) {
            int left = 0;
            for (int dd = d; dd < WINDOW_DAYS; dd++)
                if (weekday(window_day0 + dd) < 5) left++;
            int today = want_commits / (left ? left : 1) + (chance(50) ? 1 : 0);
            if (today > want_commits) today = want_commits;
            for (int k = 0; k < today; k++) {
                int64_t ms = local_ms(d, rr(s0 + 30, e0 - 10), dayoff);
                git_commit(p, ms / 1000, p->git_off);
            }
            want_commits -= today;
        }
    }
}

/* ---- roster -------------------------------------------------------------- */

static void make_handle(char *out, size_t cap, const person *p) {
    char f[40], l[40];
    fold_lower(f, sizeof f, p->first);
    fold_lower(l, sizeof l, p->last);
    switch (rn(4)) {
    case 0: snprintf(out, cap, "%s%s", f, l); break;
    case 1: snprintf(out, cap, "%c%s%d", f[0], l, rr(1, 99)); break;
    case 2: snprintf(out, cap, "%s-%s", f, l); break;
    default: snprintf(out, cap, "%s%s", l, f); break;
    }
}

static bool work_taken(const char *w, int upto) {
    for (int i = 0; i < upto; i++)
        if (strcmp(P[i].work, w) == 0) return true;
    return false;
}
static bool user_taken(const char *u, int upto) {
    for (int i = 0; i < upto; i++)
        if (strcmp(P[i].user, u) == 0) return true;
    return false;
}

/* Fills contact data, accounts and home for person i (name and home set). */
static bool street_taken(const char *street, int home, int upto) {
    for (int i = 0; i < NP; i++)
        if (i != upto && P[i].home == home && strcmp(P[i].street, street) == 0) return true;
    return false;
}

static void fill_person(int i) {
    person *p = &P[i];
    char f[40], l[40];
    fold_lower(f, sizeof f, p->first);
    fold_lower(l, sizeof l, p->last);
    int c = cities[p->home].country;
    const char *dom = c == DE ? PICK(mail_de) : c == GB ? PICK(mail_gb) : PICK(mail_us);
    if (!p->email[0]) {
        switch (rn(3)) {
        case 0: snprintf(p->email, sizeof p->email, "%s.%s@%s", f, l, dom); break;
        case 1: snprintf(p->email, sizeof p->email, "%s%s%d@%s", f, l, rr(1, 99), dom); break;
        default: snprintf(p->email, sizeof p->email, "%c%s%02d@%s", f[0], l, rr(0, 99), dom); break;
        }
    }
    snprintf(p->work, sizeof p->work, "%s.%s@%s", f, l, domain_co);
    for (int k = 2; work_taken(p->work, i); k++) snprintf(p->work, sizeof p->work, "%s.%s%d@%s", f, l, k, domain_co);
    snprintf(p->user, sizeof p->user, "%c%.18s", f[0], l);
    for (int k = 2; user_taken(p->user, i); k++) snprintf(p->user, sizeof p->user, "%c%.16s%d", f[0], l, k);
    snprintf(p->host, sizeof p->host, "LK-W%05d", 10000 + i * 7 + rr(0, 6));
    char id[24];
    ralnum(id, 17, "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ0123456789");
    snprintf(p->oktaid, sizeof p->oktaid, "00u%s", id);
    if (!p->phone[0]) make_phone(p, i);
    if (!p->street[0])
        do make_street(p->street, sizeof p->street, p->home);
        while (street_taken(p->street, p->home, i));
    if (!p->zip[0]) rand_zip(p->zip, sizeof p->zip, cities[p->home].zip);
    if (!p->linkedin[0] && chance(70)) {
        char h[8];
        rhex(h, 6);
        snprintf(p->linkedin, sizeof p->linkedin, "https://www.linkedin.com/in/%s-%s-%s", f, l, h);
    }
    if (!p->github[0] && p->engineer && chance(80)) {
        char h[96];
        make_handle(h, sizeof h, p);
        snprintf(p->github, sizeof p->github, chance(50) ? "https://github.com/%s" : "%s", h);
    }
    if (!p->resume[0]) benign_resume(p);
    ralnum(p->serial, 10, "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ");
    p->serial[0] = '5', p->serial[1] = 'C', p->serial[2] = 'G';
    rand_ip(p->home_ip, sizeof p->home_ip, cities[p->home].isp);
    p->mobile_isp = cities[p->home].isp;
    rand_ip(p->mobile_ip, sizeof p->mobile_ip, p->mobile_isp);
    if (!p->git_off && p->label != L_DPRK) p->git_off = cities[p->home].off;
    if (p->role == R_TRAVEL) { /* hotel / local SIM while abroad */
        p->mobile_isp = cities[p->travel_city].isp;
        rand_ip(p->mobile_ip, sizeof p->mobile_ip, p->mobile_isp);
    }
}

static const char *const team_kind[3] = {"team1-laptop-farm", "team2-referral-ring", "team3-shared-wallet"};

static void setup(int npeople) {
    /* roles: the specials first, then the rest; then shuffled into ID order */
    static const struct { enum role r; int n; const char *kind; } special[] = {
        {R_T1, 4, NULL}, {R_T2, 4, NULL}, {R_T3, 3, NULL},
        {R_KOREAN_AM, 5, "korean_american"}, {R_COUPLE, 4, "shared_home"}, {R_OFFICE, 18, "office_nat"},
        {R_IT_RMM, 4, "approved_rmm"}, {R_TRAVEL, 3, "vpn_travel"}, {R_TOKYO, 2, "moved_to_tokyo"},
        {R_NIGHT, 4, "night_shift"},
    };
    int nspecial = 0;
    for (size_t k = 0; k < NELEM(special); k++) nspecial += special[k].n;
    if (npeople < nspecial + 20) die("--people must be at least %d", nspecial + 20);
    int napplicants = npeople / 6; /* applicants never hired (one of them is a team-2 persona) */
    NP = npeople + napplicants;
    P = calloc((size_t)NP, sizeof *P);
    if (!P) die("out of memory");
    int i = 0, tslot[3] = {0, 0, 0};
    for (size_t k = 0; k < NELEM(special); k++)
        for (int j = 0; j < special[k].n; j++, i++) {
            P[i].role = special[k].r;
            P[i].kind = special[k].kind;
            P[i].team = -1;
            P[i].tslot = -1;
            if (special[k].r >= R_T1 && special[k].r <= R_T3) {
                P[i].team = special[k].r - R_T1;
                P[i].tslot = tslot[P[i].team]++;
                P[i].kind = team_kind[P[i].team];
            }
        }
    for (; i < NP; i++) {
        P[i].role = i < npeople ? R_STAFF : R_APPLICANT;
        P[i].kind = i < npeople ? "staff" : "applicant";
        P[i].team = P[i].tslot = -1;
    }
    /* the last team-2 persona is an applicant only */
    for (i = 0; i < NP; i++)
        if (P[i].team == 1 && P[i].tslot == 3) P[i].role = R_APPLICANT;

    /* per-person attributes, in roster order */
    for (i = 0; i < NP; i++) {
        person *p = &P[i];
        p->employee = p->role != R_APPLICANT;
        p->label = p->team >= 0 ? L_DPRK : (p->role == R_STAFF || p->role == R_APPLICANT) ? L_BENIGN : L_LOOKALIKE;
        p->expect = "clean";
        int64_t y2018 = days_from_civil(2018, 3, 1), y2026 = days_from_civil(2026, 8, 24);
        p->hire_day = y2018 + rn((uint32_t)(y2026 - y2018));
        p->hire_day -= (weekday(p->hire_day) + 7) % 7; /* Mondays */
        switch (p->team >= 0 ? R_T1 : p->role) {
        case R_STAFF:
        case R_APPLICANT: {
            int r = (int)rn(100);
            if (r < 70) p->home = PICK(us_home_cities);
            else if (r < 80) p->home = chance(60) ? C_TORONTO : C_VANCOUVER;
            else if (r < 90) p->home = chance(70) ? C_LONDON : C_MANCHESTER;
            else p->home = chance(60) ? C_BERLIN : C_MUNICH;
            int c = cities[p->home].country;
            if (c == GB) make_name(p, i, first_gb, NELEM(first_gb), last_gb, NELEM(last_gb));
            else if (c == DE) make_name(p, i, first_de, NELEM(first_de), last_de, NELEM(last_de));
            else make_name(p, i, first_us, NELEM(first_us), last_us, NELEM(last_us));
            p->engineer = chance(55);
            break;
        }
        case R_KOREAN_AM: {
            static const int k_cities[] = {C_FULLERTON, C_FORTLEE, C_ANNANDALE, C_LA, C_DULUTH};
            p->home = k_cities[i % 5];
            make_name(p, i, first_ka, NELEM(first_ka), last_ka, NELEM(last_ka));
            p->engineer = chance(60);
            break;
        }
        case R_OFFICE:
            p->home = C_AUSTIN;
            make_name(p, i, first_us, NELEM(first_us), last_us, NELEM(last_us));
            p->engineer = chance(50);
            break;
        case R_NIGHT:
            p->home = PICK(((const int[]){C_ATLANTA, C_RALEIGH, C_CHICAGO, C_MINNEAPOLIS}));
            make_name(p, i, first_us, NELEM(first_us), last_us, NELEM(last_us));
            break;
        case R_TOKYO:
            p->home = C_TOKYO;
            make_name(p, i, first_us, NELEM(first_us), last_us, NELEM(last_us));
            p->engineer = true;
            p->hire_day = days_from_civil(2021, 4, 5) + rn(300);
            break;
        case R_TRAVEL:
            p->home = PICK(((const int[]){C_SEATTLE, C_SF, C_DENVER, C_BOSTON}));
            p->travel_city = (i % 3 == 1) ? C_TOKYO : C_SEOUL;
            make_name(p, i, first_us, NELEM(first_us), last_us, NELEM(last_us));
            p->engineer = chance(60);
            break;
        case R_COUPLE:
        case R_IT_RMM:
            p->home = PICK(us_home_cities);
            make_name(p, i, first_us, NELEM(first_us), last_us, NELEM(last_us));
            break;
        default: /* DPRK personas: stolen or invented Western identities */
            make_name(p, i, first_us, NELEM(first_us), last_us, NELEM(last_us));
            p->engineer = !(p->team == 0 && p->tslot == 3);
            p->hire_day = days_from_civil(2026, 5, 4) + 7 * rn(15);
            if (p->team == 0) {
                static const int h[] = {C_CHICAGO, C_PHOENIX, C_ATLANTA, C_DENVER};
                p->home = h[p->tslot];
                p->act_off = 540;
                p->git_off = p->tslot == 1 ? cities[p->home].off : 540; /* one set the clock right */
            } else if (p->team == 1) {
                static const int h[] = {C_RALEIGH, C_TORONTO, C_MINNEAPOLIS, C_BOSTON};
                p->home = h[p->tslot];
                p->act_off = 480;
                p->git_off = p->tslot <= 1 ? 480 : cities[p->home].off;
            } else {
                static const int h[] = {C_NYC, C_LONDON, C_SF};
                p->home = h[p->tslot];
                p->act_off = cities[p->home].off;
                p->git_off = cities[p->home].off;
            }
        }
        if (p->role == R_IT_RMM) snprintf(p->title, sizeof p->title, "IT Support Specialist");
        else if (p->role == R_NIGHT) snprintf(p->title, sizeof p->title, "Support Engineer (Night Shift)");
        else if (p->engineer) snprintf(p->title, sizeof p->title, "%s", PICK(eng_titles));
        else if (p->label == L_DPRK) snprintf(p->title, sizeof p->title, "QA Analyst");
        else snprintf(p->title, sizeof p->title, "%s", PICK(other_titles));
        p->apply_day = p->hire_day - rr(20, 60);
        if (p->role == R_APPLICANT) p->apply_day = days_from_civil(2026, 6, 1) + rn(90);
    }

    /* couples: pairs share a street address and a referral */
    int prev = -1;
    for (i = 0; i < NP; i++) {
        if (P[i].role != R_COUPLE) continue;
        if (prev < 0) {
            prev = i;
            continue;
        }
        person *a = &P[prev], *b = &P[i];
        b->home = a->home;
        make_street(a->street, sizeof a->street, a->home);
        scopy(b->street, sizeof b->street, a->street);
        rand_zip(a->zip, sizeof a->zip, cities[a->home].zip);
        scopy(b->zip, sizeof b->zip, a->zip);
        if (chance(60)) { /* married, same surname */
            scopy(b->last, sizeof b->last, a->last);
            snprintf(b->full, sizeof b->full, "%s %s", b->first, b->last);
        }
        scopy(b->referred, sizeof b->referred, a->full);
        prev = -1;
    }

    /* DPRK teams: template résumés, shared phones, referral chains */
    int members[3][4], nm[3] = {0, 0, 0};
    for (i = 0; i < NP; i++)
        if (P[i].team >= 0) members[P[i].team][nm[P[i].team]++] = i;
    for (int t = 0; t < 3; t++)
        for (int j = 0; j < nm[t]; j++) {
            person *p = &P[members[t][j]];
            if (t == 0) snprintf(p->resume, sizeof p->resume, TEAM1_RESUME, rr(7, 9));
            else if (t == 1) snprintf(p->resume, sizeof p->resume, TEAM2_RESUME, rr(8, 11),
                                      j % 2 ? "Node.js" : "Golang");
            else snprintf(p->resume, sizeof p->resume, TEAM3_RESUME, p->title, rr(5, 9));
        }
    /* fill the rest of every person's fields */
    for (i = 0; i < NP; i++) fill_person(i);

    /* team 1 (laptop farm): ID-09-style mailboxes, a shared phone */
    {
        static const char *const mb[] = {"smartdev0725@gmail.com", "topcoder1103@outlook.com",
                                         "seniordev0918@gmail.com", "talentqa0412@gmail.com"};
        for (int j = 0; j < nm[0]; j++) snprintf(P[members[0][j]].email, sizeof P[0].email, "%s", mb[j]);
        scopy(P[members[0][3]].phone, sizeof P[0].phone, P[members[0][1]].phone);
        P[members[0][0]].expect = "high";
        P[members[0][1]].expect = "high";
        P[members[0][2]].expect = "high";
        P[members[0][3]].expect = "high";
    }
    /* team 2: referral chain, a phone shared with the applicant, IOC GitHub */
    {
        for (int j = 1; j < nm[1]; j++)
            scopy(P[members[1][j]].referred, sizeof P[0].referred, P[members[1][j - 1]].full);
        person *app = &P[members[1][3]];
        scopy(app->phone, sizeof app->phone, P[members[1][2]].phone);
        snprintf(app->github, sizeof app->github, "https://github.com/bbshark99");
        for (int j = 0; j < nm[1]; j++) P[members[1][j]].expect = "review";
        P[members[1][0]].expect = "high";
        P[members[1][1]].expect = "high";
    }
    for (int j = 0; j < nm[2]; j++) P[members[2][j]].expect = "review";

    /* hire order -> employee and candidate ids */
    int *ord = xmalloc(sizeof *ord * (size_t)NP);
    for (i = 0; i < NP; i++) ord[i] = i;
    for (i = 1; i < NP; i++) { /* insertion sort on apply day, stable */
        int v = ord[i], j = i - 1;
        while (j >= 0 && P[ord[j]].apply_day > P[v].apply_day) {
            ord[j + 1] = ord[j];
            j--;
        }
        ord[j + 1] = v;
    }
    int ne = 0;
    for (i = 0; i < NP; i++) {
        person *p = &P[ord[i]];
        snprintf(p->cid, sizeof p->cid, "C%05d", 20011 + i * 3 + rr(0, 2));
        if (p->employee) snprintf(p->eid, sizeof p->eid, "E%04d", 1001 + ne++);
    }
    free(ord);

    /* payouts and shipping */
    char w_team1[48], w_team3[48], acct_team2[48];
    evm_wallet(w_team1);
    evm_wallet(w_team3);
    bank_account(acct_team2, sizeof acct_team2, US);
    for (i = 0; i < NP; i++) {
        person *p = &P[i];
        if (!p->employee) continue;
        int64_t d0 = p->hire_day;
        p->ship_day = d0 - rr(3, 8);
        full_address(p->ship_to, sizeof p->ship_to, p->street, p->home, p->zip);
        p->shipped = p->role != R_OFFICE;
        if (p->team < 0) {
            std_payout(p, d0);
            if (p->role == R_TOKYO) { /* moved: new Japanese account this summer */
                payout *y = &p->pay[p->npay++];
                y->method = "Bank Transfer";
                bank_account(y->account, sizeof y->account, JP);
                snprintf(y->holder, sizeof y->holder, "%s", p->full);
                y->day = days_from_civil(2026, 7, 1);
                p->pay[0].method = "Direct Deposit";
                bank_account(p->pay[0].account, sizeof p->pay[0].account, US);
            } else if (p->role == R_STAFF && chance(5)) {
                payout *y = &p->pay[p->npay++];
                *y = p->pay[0];
                bank_account(y->account, sizeof y->account, cities[p->home].country);
                y->day = d0 + rr(60, 900);
            }
            continue;
        }
        /* DPRK payouts: churn within 90 days, shared destinations */
        if (p->team == 0) {
            full_address(p->ship_to, sizeof p->ship_to, "1870 Sandpiper Ct", C_HILLSBORO, "97124");
            std_payout(p, d0);
            payout *y = &p->pay[p->npay++];
            y->method = "Crypto (USDC)";
            snprintf(y->wallet, sizeof y->wallet, "%s",
                     p->tslot == 2 ? "0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c" : w_team1);
            snprintf(y->holder, sizeof y->holder, "%s", p->full);
            y->day = d0 + rr(14, 40);
        } else if (p->team == 1) {
            full_address(p->ship_to, sizeof p->ship_to, "455 Ridgeview Ln", C_PLANO, "75024");
            std_payout(p, d0);
            payout *y = &p->pay[p->npay++];
            y->method = p->tslot == 2 ? "Payoneer" : "Direct Deposit";
            if (p->tslot == 2) {
                char h[12];
                ralnum(h, 8, "0123456789");
                snprintf(y->account, sizeof y->account, "PAYONEER-%s", h);
            } else {
                snprintf(y->account, sizeof y->account, "%s", acct_team2);
            }
            snprintf(y->holder, sizeof y->holder, "%s", p->tslot == 2 ? p->full : "Marcus D. Whitfield");
            y->day = d0 + rr(10, 30);
            if (p->tslot == 2) {
                payout *z = &p->pay[p->npay++];
                z->method = "Wise";
                bank_account(z->account, sizeof z->account, US);
                snprintf(z->holder, sizeof z->holder, "%s", p->full);
                z->day = y->day + rr(15, 35);
            }
        } else {
            payout *y = &p->pay[p->npay++];
            y->method = "Crypto (USDT)";
            snprintf(y->wallet, sizeof y->wallet, "%s", w_team3);
            snprintf(y->holder, sizeof y->holder, "%s", p->full);
            y->day = d0;
        }
    }
}

/* ---- writers ------------------------------------------------------------- */

static FILE *open_out(const char *dir, const char *sub, const char *name, char *path, size_t cap) {
    snprintf(path, cap, "%s/%s", dir, sub);
    if (mkdir(path, 0755) != 0 && errno != EEXIST) die("cannot create %s: %s", path, strerror(errno));
    snprintf(path, cap, "%s/%s/%s", dir, sub, name);
    FILE *f = fopen(path, "wb");
    if (!f) die("cannot write %s: %s", path, strerror(errno));
    return f;
}
static void close_out(FILE *f, const char *path) {
    if (fclose(f) != 0) die("cannot write %s", path);
}

/* Persons in id order: employees by employee id, applicants by candidate id. */
static int cmp_cid(const void *a, const void *b) {
    return strcmp(P[*(const int *)a].cid, P[*(const int *)b].cid);
}
static int cmp_eid(const void *a, const void *b) {
    const person *x = &P[*(const int *)a], *y = &P[*(const int *)b];
    if (x->employee != y->employee) return x->employee ? -1 : 1;
    return strcmp(x->employee ? x->eid : x->cid, y->employee ? y->eid : y->cid);
}

static void write_all(const char *dir) {
    char path[4096], d1[16], d2[16];
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) die("cannot create %s: %s", dir, strerror(errno));
    int *ord = xmalloc(sizeof *ord * (size_t)NP);
    for (int i = 0; i < NP; i++) ord[i] = i;

    /* applicants */
    qsort(ord, (size_t)NP, sizeof *ord, cmp_cid);
    FILE *f = open_out(dir, "hr", "applicants.csv", path, sizeof path);
    {
        const char *h[] = {"Candidate ID", "First Name", "Last Name", "Email", "Phone", "Address", "City",
                           "State", "Postal Code", "Country", "Time Zone", "LinkedIn", "GitHub", "Referred By",
                           "Resume"};
        csv_row(f, 15, h);
        for (int k = 0; k < NP; k++) {
            const person *p = &P[ord[k]];
            const city *c = &cities[p->home];
            const char *v[] = {p->cid, p->first, p->last, p->email, p->phone, p->street, c->name, c->region,
                               p->zip, country_name[c->country], c->tz, p->linkedin, p->github, p->referred,
                               p->resume};
            csv_row(f, 15, v);
        }
    }
    close_out(f, path);

    qsort(ord, (size_t)NP, sizeof *ord, cmp_eid);
    f = open_out(dir, "hr", "employees.csv", path, sizeof path);
    {
        const char *h[] = {"Employee ID", "Candidate ID", "Full Name", "Work Email", "Okta Login", "Username",
                           "Hostname", "Hire Date", "Job Title", "Country", "Time Zone"};
        csv_row(f, 11, h);
        for (int k = 0; k < NP; k++) {
            const person *p = &P[ord[k]];
            if (!p->employee) continue;
            fmt_date(d1, sizeof d1, p->hire_day);
            const city *c = &cities[p->home];
            const char *v[] = {p->eid, p->cid, p->full, p->work, p->work, p->user, p->host, d1, p->title,
                               country_iso[c->country], c->tz};
            csv_row(f, 11, v);
        }
    }
    close_out(f, path);

    f = open_out(dir, "payroll", "payouts.csv", path, sizeof path);
    {
        const char *h[] = {"Employee ID", "Payee Name", "Payout Method", "Bank Account", "Wallet Address",
                           "Account Holder", "Change Date"};
        csv_row(f, 7, h);
        for (int k = 0; k < NP; k++) {
            const person *p = &P[ord[k]];
            for (int j = 0; j < p->npay; j++) {
                fmt_date(d1, sizeof d1, p->pay[j].day);
                const char *v[] = {p->eid, p->full, p->pay[j].method, p->pay[j].account, p->pay[j].wallet,
                                   p->pay[j].holder, d1};
                csv_row(f, 7, v);
            }
        }
    }
    close_out(f, path);

    f = open_out(dir, "it", "laptop_shipping.csv", path, sizeof path);
    {
        const char *h[] = {"Employee ID", "Full Name", "Serial Number", "Ship To Address", "Ship Date"};
        csv_row(f, 5, h);
        for (int k = 0; k < NP; k++) {
            const person *p = &P[ord[k]];
            if (!p->employee || !p->shipped) continue;
            fmt_date(d2, sizeof d2, p->ship_day);
            const char *v[] = {p->eid, p->full, p->serial, p->ship_to, d2};
            csv_row(f, 5, v);
        }
    }
    close_out(f, path);

    /* logs: simulate everyone in id order, then write sorted by time */
    for (int k = 0; k < NP; k++)
        if (P[ord[k]].employee) simulate(&P[ord[k]]);
    snprintf(path, sizeof path, "%s/logs", dir);
    if (mkdir(path, 0755) != 0 && errno != EEXIST) die("cannot create %s: %s", path, strerror(errno));
    snprintf(path, sizeof path, "%s/logs/okta.jsonl", dir);
    ev_write(&ev_okta, path);
    snprintf(path, sizeof path, "%s/logs/sysmon.jsonl", dir);
    ev_write(&ev_sysmon, path);
    snprintf(path, sizeof path, "%s/git", dir);
    if (mkdir(path, 0755) != 0 && errno != EEXIST) die("cannot create %s: %s", path, strerror(errno));
    snprintf(path, sizeof path, "%s/git/commits.tsv", dir);
    ev_write(&ev_git, path);

    /* ground truth */
    snprintf(path, sizeof path, "%s/truth.csv", dir);
    f = fopen(path, "wb");
    if (!f) die("cannot write %s: %s", path, strerror(errno));
    fputs("subject,label,kind,expected_min_level\n", f);
    for (int k = 0; k < NP; k++) {
        const person *p = &P[ord[k]];
        char id[32], *q;
        snprintf(id, sizeof id, "%s", p->employee ? p->eid : p->cid);
        for (q = id; *q; q++) *q = (char)(*q | 0x20);
        fprintf(f, "%s=%s,%s,%s,%s\n", p->employee ? "employee_id" : "candidate_id", id, label_name[p->label],
                p->kind, p->expect);
    }
    if (fclose(f) != 0) die("cannot write %s", path);
    free(ord);
}

static void usage(FILE *f) {
    fputs("Usage: gen_demo [--seed N] [--people N] --out DIR\n"
          "Writes a synthetic company (HR, payroll, shipping, Okta, Sysmon, git) with planted\n"
          "DPRK IT-worker teams and benign look-alikes, plus DIR/truth.csv.\n",
          f);
}

int main(int argc, char **argv) {
    unsigned long long seed = 1;
    long people = 300;
    const char *out = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end;
        if (strcmp(a, "--seed") == 0 && v) {
            errno = 0;
            seed = strtoull(v, &end, 10);
            if (errno || *end || !*v) die("bad --seed '%s'", v);
            i++;
        } else if (strcmp(a, "--people") == 0 && v) {
            errno = 0;
            people = strtol(v, &end, 10);
            if (errno || *end || people < 1 || people > 20000) die("bad --people '%s'", v);
            i++;
        } else if (strcmp(a, "--out") == 0 && v) {
            out = v;
            i++;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (!out) {
        usage(stderr);
        return 2;
    }
    rng_state = seed * 0x2545F4914F6CDD1Dull + 0x1234567ull;
    window_day0 = days_from_civil(WINDOW_Y, WINDOW_M, WINDOW_D);
    setup((int)people);
    write_all(out);
    free(P);
    return 0;
}
