/*
 * nkey_gen.c - a throw-away NATS user nkey pair for tests/e2e/nats_secure.sh:
 *   nkey_gen SEEDFILE   writes a fresh random user seed (SU..., mode 0600)
 *                       to SEEDFILE and prints its public key (U...)
 * Written from the nkeys format (base32 of prefix, 32-byte Ed25519 seed or
 * public key, CRC-16/XMODEM little-endian), independently of
 * src/dist/nkey.c; nats-server checks both (it decodes the public key in its
 * configuration and verifies the nonce signature libnats makes with the
 * seed), so a mistake here or there fails the test. Exit 0, or 1.
 */
#include <fcntl.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static uint16_t crc16(const uint8_t *p, size_t n) {
    uint16_t c = 0;
    while (n--) {
        c ^= (uint16_t)(*p++ << 8);
        for (int b = 0; b < 8; b++) c = (uint16_t)((c & 0x8000) ? (c << 1) ^ 0x1021 : (c << 1));
    }
    return c;
}

static void enc(const uint8_t *p, size_t n, char *out) {
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

int main(int argc, char **argv) {
    if (argc != 2 || sodium_init() < 0) {
        fprintf(stderr, "usage: nkey_gen SEEDFILE\n");
        return 1;
    }
    uint8_t seed[36], pub[35], pk[32], sk[64];
    seed[0] = (18 << 3) | ((20 << 3) >> 5); /* seed prefix | user type, high bits */
    seed[1] = (uint8_t)(((20 << 3) & 31) << 3);
    randombytes_buf(seed + 2, 32);
    uint16_t c = crc16(seed, 34);
    seed[34] = (uint8_t)c, seed[35] = (uint8_t)(c >> 8);
    crypto_sign_seed_keypair(pk, sk, seed + 2);
    pub[0] = 20 << 3;
    memcpy(pub + 1, pk, 32);
    c = crc16(pub, 33);
    pub[33] = (uint8_t)c, pub[34] = (uint8_t)(c >> 8);
    char s[64], u[64];
    enc(seed, 36, s);
    enc(pub, 35, u);
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || dprintf(fd, "%s\n", s) < 0 || close(fd) != 0) {
        perror(argv[1]);
        return 1;
    }
    printf("%s\n", u);
    return 0;
}
