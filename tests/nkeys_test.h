/*
 * nkeys_test.h - NATS nkeys for the test helpers nkey_gen.c and jwt_gen.c,
 * written from the published format (base32 of a type prefix and the 32-byte
 * Ed25519 seed or public key, then CRC-16/XMODEM little-endian) and kept
 * independent of src/dist/nkey.c: nats-server checks what these make, so a
 * mistake here or there fails the tests. Header-only, test code.
 */
#ifndef UM_NKEYS_TEST_H
#define UM_NKEYS_TEST_H

#include <sodium.h>
#include <stdint.h>
#include <string.h>

enum { T_OPERATOR = 14 << 3, T_ACCOUNT = 0, T_USER = 20 << 3, T_SEED = 18 << 3 };

typedef struct key {
    uint8_t pk[32], sk[64];
    char pub[64], seed[64]; /* "U...", "SU..." */
} key;

static uint16_t crc16(const uint8_t *p, size_t n) {
    uint16_t c = 0;
    while (n--) {
        c ^= (uint16_t)(*p++ << 8);
        for (int b = 0; b < 8; b++) c = (uint16_t)((c & 0x8000) ? (c << 1) ^ 0x1021 : (c << 1));
    }
    return c;
}

/* RFC 4648 base32 without padding; out holds (8n + 4) / 5 + 1 bytes. */
static void b32(const uint8_t *p, size_t n, char *out) {
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    unsigned long long acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 8) | p[i], bits += 8;
        while (bits >= 5) bits -= 5, *out++ = a[(acc >> bits) & 31];
    }
    if (bits) *out++ = a[(acc << (5 - bits)) & 31];
    *out = 0;
}

/* A fresh random key pair of the given type (T_OPERATOR, T_ACCOUNT, T_USER). */
static void new_key(key *k, int type) {
    uint8_t seed[36], pub[35];
    seed[0] = (uint8_t)(T_SEED | (type >> 5));
    seed[1] = (uint8_t)((type & 31) << 3);
    randombytes_buf(seed + 2, 32);
    uint16_t c = crc16(seed, 34);
    seed[34] = (uint8_t)c, seed[35] = (uint8_t)(c >> 8);
    crypto_sign_seed_keypair(k->pk, k->sk, seed + 2);
    pub[0] = (uint8_t)type;
    memcpy(pub + 1, k->pk, 32);
    c = crc16(pub, 33);
    pub[33] = (uint8_t)c, pub[34] = (uint8_t)(c >> 8);
    b32(seed, 36, k->seed);
    b32(pub, 35, k->pub);
}

#endif
