/* test_correlate.c - the pure decisions behind the correlation analyzers:
 * impossible travel (detect/travel.c), the ship-to country (detect/net.c),
 * payout churn, holder and crypto checks (detect/payout.c) and the fitted
 * activity zone (detect/hours.c). Whole scans: tests/e2e/fairness.sh. */
#include <math.h>
#include <string.h>

#include "detect/net.h"
#include "detect/rules.h"
#include "harness.h"

bool um_payout_holder_matches(const char *holder, const char *const *names, size_t n_names);
bool um_payout_is_crypto(const char *method);
bool um_payout_churn(const int64_t *days, size_t n, int64_t *from, int64_t *to);

#define H (3600LL * 1000000LL)

static void t_travel(void) {
    double km, kmh;
    /* New York -> Seoul: 11,000 km */
    km = um_geo_km(40.71, -74.01, 37.57, 126.98);
    CHECK(km > 10900 && km < 11200);
    CHECK(fabs(um_geo_km(10, 10, 10, 10)) < 1e-9);
    /* 11,000 km in 2 hours: impossible by coordinates */
    CHECK_INTEQ(um_travel_impossible(true, 40.71, -74.01, "US", 0, true, 37.57, 126.98, "KR", 2 * H, &km, &kmh), 1);
    CHECK(kmh > 5000);
    /* the same trip in 15 hours (a flight): possible */
    CHECK_INTEQ(um_travel_impossible(true, 40.71, -74.01, "US", 0, true, 37.57, 126.98, "KR", 15 * H, &km, &kmh), 0);
    /* order of the two does not matter */
    CHECK_INTEQ(um_travel_impossible(true, 37.57, 126.98, "KR", 2 * H, true, 40.71, -74.01, "US", 0, &km, &kmh), 1);
    /* Basel -> Freiburg (60 km) in 10 minutes across a border: short hops never count */
    CHECK_INTEQ(um_travel_impossible(true, 47.56, 7.59, "CH", 0, true, 47.99, 7.85, "DE", H / 6, &km, &kmh), 0);
    /* same second, far apart */
    CHECK_INTEQ(um_travel_impossible(true, 40.71, -74.01, "US", 5, true, 51.5, -0.12, "GB", 5, &km, &kmh), 1);
    CHECK(isinf(kmh));
    /* countries only: two countries within the hour, not after it */
    CHECK_INTEQ(um_travel_impossible(false, 0, 0, "US", 0, false, 0, 0, "DE", H / 2, &km, &kmh), 2);
    CHECK_INTEQ(um_travel_impossible(false, 0, 0, "US", 0, false, 0, 0, "DE", 2 * H, &km, &kmh), 0);
    CHECK_INTEQ(um_travel_impossible(false, 0, 0, "US", 0, true, 1, 1, "US", 60, &km, &kmh), 0);
    CHECK_INTEQ(um_travel_impossible(false, 0, 0, NULL, 0, false, 0, 0, "US", 60, &km, &kmh), 0);
}

static void t_ship_country(void) {
    CHECK_STREQ(um_ship_country("455 ridgeview ln plano tx 75024 us"), "US");
    CHECK_STREQ(um_ship_country("1104 Cedar Ln, Vancouver, BC V3X 6T8, CA"), "CA");
    CHECK_STREQ(um_ship_country("Hauptstr. 5, 10115 Berlin, Germany"), "DE");
    CHECK(um_ship_country("455 ridgeview ln plano tx") == NULL);     /* state, no country */
    CHECK(um_ship_country("455 ridgeview ln plano tx 75024") == NULL); /* postal code last */
    CHECK(um_ship_country("") == NULL);
    CHECK(um_ship_country(NULL) == NULL);
}

static void t_payout(void) {
    const char *john[] = {"John Smith"};
    CHECK(um_payout_holder_matches("John Smith", john, 1));
    CHECK(um_payout_holder_matches("SMITH JOHN", john, 1));
    CHECK(um_payout_holder_matches("J. Smith", john, 1));
    CHECK(um_payout_holder_matches("John & Mary Smith", john, 1));
    CHECK(um_payout_holder_matches("Smith Consulting LLC", john, 1));
    CHECK(!um_payout_holder_matches("Marcus D. Whitfield", john, 1));
    const char *parts[] = {"Nicole Green", "Nicole", "Green"};
    CHECK(!um_payout_holder_matches("Marcus D. Whitfield", parts, 3));
    CHECK(um_payout_holder_matches("", parts, 3)); /* nothing to compare */
    const char *kim[] = {"Min-jun Kim"};
    CHECK(um_payout_holder_matches("Kim Min Jun", kim, 1));

    CHECK(um_payout_is_crypto("Crypto (USDC)"));
    CHECK(um_payout_is_crypto("USDT TRC20"));
    CHECK(!um_payout_is_crypto("Direct Deposit"));
    CHECK(!um_payout_is_crypto("Wise"));
    CHECK(!um_payout_is_crypto(NULL));

    int64_t from = 0, to = 0;
    int64_t three_in_37[] = {20600, 20618, 20637};
    CHECK(um_payout_churn(three_in_37, 3, &from, &to));
    CHECK(from == 20600 && to == 20637);
    int64_t spread[] = {17000, 18500, 20000};
    CHECK(!um_payout_churn(spread, 3, &from, &to));
    int64_t two[] = {20600, 20601};
    CHECK(!um_payout_churn(two, 2, &from, &to));
    int64_t unsorted[] = {20700, 15000, 20650, 20690};
    CHECK(um_payout_churn(unsorted, 4, &from, &to));
    CHECK(from == 20650 && to == 20700);
}

static void t_fit(void) {
    uint32_t h[24] = {0};
    int off;
    double share;
    CHECK(!um_hours_fit(h, 0, &off, &share));
    for (int i = 0; i < 9; i++) h[i] = 5; /* 00-09 UTC: 09-18 at UTC+9 */
    CHECK(um_hours_fit(h, -300, &off, &share));
    CHECK_INTEQ(off, 540);
    CHECK(share > 0.99);
    memset(h, 0, sizeof h);
    for (int i = 14; i < 23; i++) h[i] = 5; /* 14-23 UTC: 09-18 at UTC-5 */
    CHECK(um_hours_fit(h, -300, &off, &share));
    CHECK_INTEQ(off, -300);
    um_hours_result r;
    um_claim_zone ny = um_claim_zone_of("America/New_York", NULL);
    CHECK(!um_hours_decide(h, 20, ny, &r));
    CHECK_INTEQ(r.fit_offset, -300);
    /* UTC+7 (Laos): 02-11 UTC */
    memset(h, 0, sizeof h);
    for (int i = 2; i < 11; i++) h[i] = 5;
    CHECK(um_hours_decide(h, 20, ny, &r));
    CHECK_INTEQ(r.asia_offset, 420);
    CHECK_INTEQ(r.fit_offset, 420);
}

int main(void) {
    RUN(t_travel);
    RUN(t_ship_country);
    RUN(t_payout);
    RUN(t_fit);
    return um_t_report();
}
