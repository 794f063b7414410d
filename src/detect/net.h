/*
 * net.h - the decision rules of the sign-in network analyzer (detect/net.c),
 * as pure functions so they can be tested without a scan.
 *
 *   NET-05  sign-in from DPRK-allocated space          strong 60
 *   NET-01  sign-in via Astrill VPN                    medium 20
 *           via another VPN / proxy / hosting network  weak 10
 *   NET-06  sign-in country != claimed country         weak 10, medium 25
 *           when foreign sign-ins are the majority of >= 5
 *   NET-07  address listed in data/ioc/ip.csv          weak 10
 */
#ifndef UM_DETECT_NET_H
#define UM_DETECT_NET_H

#include "../core/internal.h"

#define UM_NET05_WEIGHT 60
#define UM_NET01_ASTRILL_WEIGHT 20
#define UM_NET01_WEIGHT 10
#define UM_NET06_WEAK_WEIGHT 10
#define UM_NET06_MEDIUM_WEIGHT 25
#define UM_NET06_MIN_SIGNINS 5
#define UM_NET07_WEIGHT 10

/* NET-01 for a sign-in's net_flags: the network class ("Astrill VPN",
 * "a VPN network", "an anonymising proxy", "a hosting network") with its
 * strength and weight, or NULL when the network is not anonymising. */
const char *um_net01_class(uint32_t net_flags, um_strength *strength, int *weight);

/* Does a sign-in's country say where the person is? Not when it is private
 * space (no country) or an anonymising exit (VPN, hosting, proxy): the
 * country of a VPN server is not the user's. */
bool um_net_country_counts(uint32_t net_flags);

/* ISO2 country of a ship-to address text: its last comma-separated part
 * when that is a country name or code (no digits); NULL otherwise. */
const char *um_ship_country(const char *addr);

/* NET-06 from the subject's counters: n_known sign-ins with a country that
 * counts, n_foreign of them outside the claimed country. false when there is
 * nothing to report (n_foreign == 0). */
bool um_net06_strength(uint64_t n_known, uint64_t n_foreign, um_strength *strength, int *weight);

/* ---- impossible travel (detect/travel.c) ---- */

/* Great-circle distance in km. */
double um_geo_km(double lat1, double lon1, double lat2, double lon2);
/* Two sign-in places a and b (coordinates when *_geo, ISO2 country, UTC
 * time in us): 1 impossible by coordinates (>= 500 km at > 900 km/h), 2 by
 * countries (two countries < 1 h apart, when either lacks coordinates), 0
 * possible. *km and *kmh are set for coordinates (kmh may be INFINITY). */
int um_travel_impossible(bool a_geo, double alat, double alon, const char *acc, int64_t ats, bool b_geo,
                         double blat, double blon, const char *bcc, int64_t bts, double *km, double *kmh);

#endif
