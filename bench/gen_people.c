/*
 * gen_people - writes a large, deterministic applicant export (an ATS
 * "candidates" CSV shaped like examples/demo/hr/applicants.csv) for the
 * identity-scale benchmark (bench/scale.sh, issue 13 point 5).
 *
 *   gen_people --people N --out FILE [--seed S] [--common PCT] [--rings PCT]
 *
 * Every row has the 15 columns of the demo export and about ten
 * identifiers: candidate id, name, personal email, phone, street address
 * (with city, state, postal code, country), time zone, LinkedIn URL,
 * GitHub handle and, for some, a referrer. Rows are ~140 bytes, as the
 * export in the issue (1,000,000 people, 140 MB).
 *
 * What the linkage has to cope with:
 *   - rings: --rings PCT (default 1) percent of the people belong to
 *     persona rings of 3 to 8 members that share a phone, a street address
 *     or a GitHub handle and write their Gmail address with different dots
 *     and +tags of one mailbox, as the persona networks in the research do;
 *   - very common values: --common PCT (default 20) percent of the people
 *     carry one of five placeholder phones ("000-000-0000", the recruiting
 *     agency's switchboard ...) and one of five shared addresses (the
 *     agency's office, a co-working space), which must be treated as
 *     generic values, not as a link between strangers.
 * A summary (people, rings, ring members, people with common values) goes
 * to stderr.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UM_ARRAY_N(a) ((unsigned)(sizeof(a) / sizeof((a)[0])))

static uint64_t rng_state;
static uint64_t rnd(void) { /* splitmix64 */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static unsigned pick(unsigned n) { return (unsigned)(rnd() % n); }

static const char *const first[] = {
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
    "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
    "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Betty", "Mark", "Sandra", "Steven", "Ashley",
    "Andrew", "Emily", "Joshua", "Michelle", "Kevin", "Amanda", "Brian", "Melissa", "Ryan", "Stephanie",
    "Jacob", "Rebecca", "Gary", "Laura", "Eric", "Hannah", "Wei", "Priya", "Carlos", "Sofia",
    "Ahmed", "Fatima", "Hiroshi", "Yuki", "Ivan", "Olga", "Lucas", "Camila", "Omar", "Aisha",
    "Min-jun", "Seo-yeon", "Arjun", "Ananya", "Mateo", "Valentina", "Noah", "Chloe", "Ethan", "Isla"};
static const char *const last[] = {
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
    "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
    "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
    "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
    "Chen", "Patel", "Singh", "Kim", "Park", "Tanaka", "Ivanov", "Novak", "Silva", "Costa"};
static const char *const streets[] = {"Oak", "Maple", "Cedar", "Pine", "Elm", "Lakeview", "Hillcrest", "Sunset",
                                      "Park", "Washington", "Lincoln", "Jefferson", "Highland", "River", "Main"};
static const char *const stypes[] = {"St", "Ave", "Rd", "Ln", "Dr", "Blvd", "Ct", "Way"};
static const struct {
    const char *city, *state, *country, *tz, *cc;
} places[] = {
    {"Seattle", "WA", "United States", "America/Los_Angeles", "1"},
    {"Austin", "TX", "United States", "America/Chicago", "1"},
    {"New York", "NY", "United States", "America/New_York", "1"},
    {"Denver", "CO", "United States", "America/Denver", "1"},
    {"Atlanta", "GA", "United States", "America/New_York", "1"},
    {"Toronto", "ON", "Canada", "America/Toronto", "1"},
    {"Vancouver", "BC", "Canada", "America/Vancouver", "1"},
    {"London", "", "United Kingdom", "Europe/London", "44"},
    {"Berlin", "", "Germany", "Europe/Berlin", "49"},
    {"Warsaw", "", "Poland", "Europe/Warsaw", "48"},
    {"Manila", "", "Philippines", "Asia/Manila", "63"},
    {"Bengaluru", "KA", "India", "Asia/Kolkata", "91"}};
static const char *const domains[] = {"gmail.com", "outlook.com", "yahoo.com", "proton.me", "icloud.com"};
static const char *const skills[] = {"React", "Go", "Rust", "Python", "Java", "Kotlin", "Spark", "Node.js",
                                     "Solidity", "iOS", "DevOps", "data engineering"};
/* The very common values: placeholders and shared offices. */
static const char *const common_phones[] = {"000-000-0000", "+1 (555) 555-5555", "+1 800 555 0100",
                                            "123-456-7890", "+63 2 8888 0000"};
static const char *const common_addr[] = {"1 Market St Suite 300", "100 Recruiting Plaza", "500 Co-Work Hub",
                                          "PO Box 1", "N/A"};

/* A ring: members share one identifier family. */
typedef struct {
    uint64_t first; /* first member's index */
    unsigned size, kind;
    unsigned shared; /* seed of the shared value */
} ring;

static void csv_field(FILE *f, const char *s) {
    if (!strpbrk(s, ",\"\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

int main(int argc, char **argv) {
    uint64_t people = 1000000;
    unsigned common_pct = 20, ring_pct = 1;
    const char *out = NULL;
    rng_state = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--people") && i + 1 < argc) people = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--out") && i + 1 < argc) out = argv[++i];
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc) rng_state = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--common") && i + 1 < argc) common_pct = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--rings") && i + 1 < argc) ring_pct = (unsigned)strtoul(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "usage: gen_people --people N --out FILE [--seed S] [--common PCT] [--rings PCT]\n");
            return 2;
        }
    }
    if (!out) {
        fprintf(stderr, "gen_people: --out FILE is required\n");
        return 2;
    }
    FILE *f = strcmp(out, "-") == 0 ? stdout : fopen(out, "w");
    if (!f) {
        perror("gen_people");
        return 2;
    }
    static char obuf[1 << 20];
    setvbuf(f, obuf, _IOFBF, sizeof obuf);
    fputs("Candidate ID,First Name,Last Name,Email,Phone,Address,City,State,Postal Code,Country,Time Zone,"
          "LinkedIn,GitHub,Referred By,Resume\n",
          f);
    ring r = {0};
    uint64_t rings = 0, ringed = 0, common = 0;
    uint64_t ring_every = ring_pct ? 100 * 5 / ring_pct : 0; /* mean ring size ~5 */
    char email[160], phone[48], addr[96], zip[16], li[160], gh[96], ref[16], resume[128], cid[24];
    for (uint64_t i = 0; i < people; i++) {
        /* start a new ring now and then; its members are consecutive rows
         * shuffled into the export by their candidate ids */
        if (ring_every && i >= r.first + r.size && pick((unsigned)ring_every) == 0) {
            r.first = i, r.size = 3 + pick(6), r.kind = pick(3), r.shared = (unsigned)rnd();
            rings++;
        }
        int in_ring = ring_every && i >= r.first && i < r.first + r.size && rings;
        unsigned fi = pick(UM_ARRAY_N(first)), la = pick(UM_ARRAY_N(last)), pl = pick(UM_ARRAY_N(places));
        /* candidate ids are not in row order (exports are sorted by other columns) */
        snprintf(cid, sizeof cid, "C%07" PRIu64, (i * 7919 + 13) % (people * 2 + 1));
        const char *dom = domains[pick(UM_ARRAY_N(domains))];
        char lf[32], ll[32];
        snprintf(lf, sizeof lf, "%s", first[fi]);
        snprintf(ll, sizeof ll, "%s", last[la]);
        for (char *p = lf; *p; p++) *p = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
        for (char *p = ll; *p; p++) *p = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
        snprintf(email, sizeof email, "%s.%s%" PRIu64 "@%s", lf, ll, i % 100000, dom);
        snprintf(phone, sizeof phone, "+%s %03u-%03u-%04u", places[pl].cc, 200 + pick(700), pick(1000),
                 (unsigned)(i % 10000));
        snprintf(addr, sizeof addr, "%u %s %s", 1 + pick(9999), streets[pick(UM_ARRAY_N(streets))],
                 stypes[pick(UM_ARRAY_N(stypes))]);
        snprintf(zip, sizeof zip, "%05u", pick(100000));
        snprintf(li, sizeof li, "https://www.linkedin.com/in/%s-%s-%06" PRIx64, lf, ll, i);
        snprintf(gh, sizeof gh, "%s%s%" PRIu64, lf, ll, i % 1000);
        ref[0] = 0;
        if (pick(20) == 0) snprintf(ref, sizeof ref, "E%04u", 1000 + pick(5000));
        if (pick(3) == 0)
            snprintf(resume, sizeof resume, "%u years of %s", 1 + pick(20), skills[pick(UM_ARRAY_N(skills))]);
        else resume[0] = 0;
        if (in_ring) {
            ringed++;
            unsigned k = (unsigned)(i - r.first);
            /* one mailbox, written with dots and +tags */
            snprintf(email, sizeof email, "%sdev%u%s+%u@gmail.com", k % 2 ? "j" : "j.", r.shared % 100000,
                     k % 3 ? "" : ".", k);
            if (r.kind == 0) snprintf(phone, sizeof phone, "+1 %03u-%03u-%04u", 200 + r.shared % 700,
                                      (r.shared >> 10) % 1000, (r.shared >> 20) % 10000);
            else if (r.kind == 1) snprintf(addr, sizeof addr, k % 2 ? "%u Ring Rd" : "%u RING RD", r.shared % 9999);
            else snprintf(gh, sizeof gh, "dev-%08x", r.shared);
        } else if (pick(100) < common_pct) {
            common++;
            snprintf(phone, sizeof phone, "%s", common_phones[pick(UM_ARRAY_N(common_phones))]);
            snprintf(addr, sizeof addr, "%s", common_addr[pick(UM_ARRAY_N(common_addr))]);
        }
        const char *cols[15] = {cid, first[fi], last[la], email, phone, addr, places[pl].city, places[pl].state,
                                zip, places[pl].country, places[pl].tz, li, gh, ref, resume};
        for (int c = 0; c < 15; c++) {
            if (c) fputc(',', f);
            csv_field(f, cols[c]);
        }
        fputc('\n', f);
    }
    if (fflush(f) != 0 || (f != stdout && fclose(f) != 0)) {
        perror("gen_people");
        return 2;
    }
    fprintf(stderr, "gen_people: %" PRIu64 " people, %" PRIu64 " rings (%" PRIu64 " members), %" PRIu64
                    " with a very common phone and address\n",
            people, rings, ringed, common);
    return 0;
}
