/*
 * nkey.c - the public key of a NATS user nkey seed (bus.h), so that
 * `--nats-nkey FILE` needs only the seed file: libnats signs the server's
 * nonce with the seed (natsOptions_SetNKeyFromSeed) but must be told the
 * public key. The encoding is the NATS nkeys one: base32 (RFC 4648, no
 * padding) of prefix byte(s), the 32-byte Ed25519 seed or public key, and
 * a CRC-16 (XMODEM: polynomial 0x1021, initial 0) little-endian. A seed is
 * "SU" + 56 characters (prefix bytes 0x95 0x00 for a user), a user public
 * key "U" + 55. The key pair is derived with libsodium's Ed25519.
 */
#include "bus.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define PREFIX_SEED (18u << 3)
#define PREFIX_USER (20u << 3)

static uint16_t crc16(const uint8_t *p, size_t n) {
    uint16_t c = 0;
    for (size_t i = 0; i < n; i++) {
        c ^= (uint16_t)(p[i] << 8);
        for (int b = 0; b < 8; b++) c = (uint16_t)(c & 0x8000 ? (c << 1) ^ 0x1021 : c << 1);
    }
    return c;
}

static const char B32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

static size_t b32_decode(const char *s, size_t n, uint8_t *out, size_t cap) {
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        const char *p = memchr(B32, s[i], 32);
        if (!p || !s[i]) return 0;
        acc = (acc << 5) | (uint32_t)(p - B32);
        bits += 5;
        if (bits >= 8) {
            if (o == cap) return 0;
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    return o;
}

static void b32_encode(const uint8_t *p, size_t n, char *out) {
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 8) | p[i];
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            *out++ = B32[(acc >> bits) & 31];
        }
    }
    if (bits) *out++ = B32[(acc << (5 - bits)) & 31];
    *out = 0;
}

/* The first whitespace-separated word of the file that looks like a user
 * seed ("SU" + 56 base32 characters; the nk tool's output, or the seed
 * block of a .creds file). */
static bool find_seed(const char *path, char seed[59], char **err) {
    FILE *f = fopen(path, "r");
    if (!f) {
        *err = um_strdup("cannot be read");
        return false;
    }
    char w[128];
    bool found = false;
    while (!found && fscanf(f, "%127s", w) == 1)
        if (strlen(w) == 58 && w[0] == 'S' && w[1] == 'U' && strspn(w, B32) == 58) {
            memcpy(seed, w, 59);
            found = true;
        }
    sodium_memzero(w, sizeof w);
    fclose(f);
    if (!found) *err = um_strdup("it holds no user seed (a word SU... of 58 characters)");
    return found;
}

bool um_nkey_public(const char *seed_file, char pub[57], char **err) {
    char seed[59];
    uint8_t raw[36], pk[32], sk[64], out[35];
    if (!find_seed(seed_file, seed, err)) return false;
    bool ok = b32_decode(seed, 58, raw, sizeof raw) == 36;
    sodium_memzero(seed, sizeof seed);
    ok = ok && (raw[0] & 0xf8) == PREFIX_SEED && ((unsigned)(raw[0] & 7) << 5 | (raw[1] >> 3)) == PREFIX_USER &&
         crc16(raw, 34) == (uint16_t)(raw[34] | raw[35] << 8);
    if (ok && (sodium_init() < 0 || crypto_sign_seed_keypair(pk, sk, raw + 2) != 0)) ok = false;
    sodium_memzero(raw, sizeof raw);
    sodium_memzero(sk, sizeof sk);
    if (!ok) {
        *err = um_strdup("the seed is malformed (bad prefix or checksum)");
        return false;
    }
    out[0] = PREFIX_USER;
    memcpy(out + 1, pk, 32);
    uint16_t c = crc16(out, 33);
    out[33] = (uint8_t)c, out[34] = (uint8_t)(c >> 8);
    b32_encode(out, 35, pub);
    return true;
}
