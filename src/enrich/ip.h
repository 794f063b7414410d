/*
 * ip.h - IP address parsing shared by enrich/ip.c (the IP database) and the
 * network analyzer (detect/net.c), and exposed to the unit tests.
 *
 * um_ip_parse() accepts what logs write: IPv4, IPv6, IPv4-mapped IPv6
 * ("::ffff:1.2.3.4", returned as IPv4), zone suffixes ("fe80::1%eth0"),
 * and port forms ("1.2.3.4:5678", "[2001:db8::1]:443"). Internal to
 * libunmask.
 */
#ifndef UM_ENRICH_IP_H
#define UM_ENRICH_IP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An address: family 4 uses v4 (host byte order); family 6 uses hi/lo (the
 * 128 bits, most significant first). bytes[] holds it in network order (4
 * or 16 bytes). */
typedef struct um_ipaddr {
    int family;
    uint32_t v4;
    uint64_t hi, lo;
    uint8_t bytes[16];
} um_ipaddr;

/* Parses s[0..n) (n may be (size_t)-1 for a NUL-terminated string).
 * Leading/trailing spaces are ignored. false when it is not an address. */
bool um_ip_parse(const char *s, size_t n, um_ipaddr *out);

/* Private, loopback, link-local, CGNAT, ULA, unspecified, multicast,
 * benchmarking and reserved space: never geolocated. */
bool um_ip_is_private(const um_ipaddr *a);

/* Canonical text form (inet_ntop) into buf; returns buf, "" on failure. */
const char *um_ip_format(const um_ipaddr *a, char *buf, size_t n);

#endif
