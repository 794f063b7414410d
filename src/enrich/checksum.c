/*
 * checksum.c - the checksums that make a payout identifier verifiable:
 * SHA-256 (Bitcoin / Tron base58check), Keccak-256 (EIP-55 mixed-case EVM
 * addresses), base58 decoding, bech32 / bech32m (BIP-173 / BIP-350), IBAN
 * mod-97 (ISO 13616) and the US ABA routing-number check (3-7-1 weights).
 *
 * Written from the published specifications; no state, no allocation.
 */
#include <string.h>

#include "checksum.h"
#include "../util/ascii.h"

/* ---- SHA-256 (FIPS 180-4) ------------------------------------------------ */

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(uint32_t h[8], const uint8_t *p) {
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = k + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K256[i] + w[i];
        uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        k = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += k;
}

void um_sha256(const void *data, size_t n, uint8_t out[32]) {
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    const uint8_t *p = data;
    size_t left = n;
    while (left >= 64) {
        sha256_block(h, p);
        p += 64;
        left -= 64;
    }
    uint8_t tail[128] = {0};
    memcpy(tail, p, left);
    tail[left] = 0x80;
    size_t tl = left + 9 <= 64 ? 64 : 128;
    uint64_t bits = (uint64_t)n * 8;
    for (int i = 0; i < 8; i++) tail[tl - 1 - i] = (uint8_t)(bits >> (8 * i));
    sha256_block(h, tail);
    if (tl == 128) sha256_block(h, tail + 64);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(h[i] >> 8);
        out[4 * i + 3] = (uint8_t)h[i];
    }
}

/* ---- Keccak-256 (the pre-SHA-3 padding Ethereum uses) --------------------- */

static const uint64_t KRC[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL};
static const int KROT[24] = {1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44};
static const int KPI[24] = {10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1};

static void keccakf(uint64_t st[25]) {
    for (int r = 0; r < 24; r++) {
        uint64_t bc[5];
        for (int i = 0; i < 5; i++) bc[i] = st[i] ^ st[i + 5] ^ st[i + 10] ^ st[i + 15] ^ st[i + 20];
        for (int i = 0; i < 5; i++) {
            uint64_t t = bc[(i + 4) % 5] ^ (bc[(i + 1) % 5] << 1 | bc[(i + 1) % 5] >> 63);
            for (int j = 0; j < 25; j += 5) st[j + i] ^= t;
        }
        uint64_t t = st[1];
        for (int i = 0; i < 24; i++) {
            int j = KPI[i];
            uint64_t tmp = st[j];
            st[j] = t << KROT[i] | t >> (64 - KROT[i]);
            t = tmp;
        }
        for (int j = 0; j < 25; j += 5) {
            for (int i = 0; i < 5; i++) bc[i] = st[j + i];
            for (int i = 0; i < 5; i++) st[j + i] ^= (~bc[(i + 1) % 5]) & bc[(i + 2) % 5];
        }
        st[0] ^= KRC[r];
    }
}

void um_keccak256(const void *data, size_t n, uint8_t out[32]) {
    uint64_t st[25] = {0};
    const size_t rate = 136;
    const uint8_t *p = data;
    uint8_t block[136];
    for (;;) {
        size_t take = n < rate ? n : rate;
        memset(block, 0, sizeof block);
        memcpy(block, p, take);
        if (take < rate) {
            block[take] ^= 0x01;
            block[rate - 1] ^= 0x80;
        }
        for (size_t i = 0; i < rate / 8; i++) {
            uint64_t w = 0;
            for (int b = 7; b >= 0; b--) w = w << 8 | block[8 * i + (size_t)b];
            st[i] ^= w;
        }
        keccakf(st);
        if (take < rate) break;
        p += take;
        n -= take;
        /* an input that is an exact multiple of the rate gets one padding block */
    }
    for (int i = 0; i < 32; i++) out[i] = (uint8_t)(st[i / 8] >> (8 * (i % 8)));
}

/* ---- base58 --------------------------------------------------------------- */

static const char B58[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

size_t um_base58_decode(const char *s, uint8_t *out, size_t cap) {
    size_t n = strlen(s);
    if (n == 0 || n > 128) return 0;
    uint8_t buf[128] = {0}; /* big-endian number, 58^128 < 256^96 */
    size_t len = 0;
    size_t zeros = 0;
    while (zeros < n && s[zeros] == '1') zeros++;
    for (size_t i = 0; i < n; i++) {
        const char *q = strchr(B58, s[i]);
        if (!q || !s[i]) return 0;
        unsigned carry = (unsigned)(q - B58);
        for (size_t j = 0; j < len; j++) {
            carry += (unsigned)buf[sizeof buf - 1 - j] * 58;
            buf[sizeof buf - 1 - j] = (uint8_t)carry;
            carry >>= 8;
        }
        while (carry) {
            if (len == sizeof buf) return 0;
            buf[sizeof buf - 1 - len++] = (uint8_t)carry;
            carry >>= 8;
        }
    }
    if (zeros + len > cap) return 0;
    memset(out, 0, zeros);
    memcpy(out + zeros, buf + sizeof buf - len, len);
    return zeros + len;
}

bool um_base58check(const char *s, uint8_t *payload, size_t cap, size_t *plen) {
    uint8_t raw[128], h[32], h2[32];
    size_t n = um_base58_decode(s, raw, sizeof raw);
    if (n < 5 || n - 4 > cap) return false;
    um_sha256(raw, n - 4, h);
    um_sha256(h, 32, h2);
    if (memcmp(h2, raw + n - 4, 4) != 0) return false;
    memcpy(payload, raw, n - 4);
    *plen = n - 4;
    return true;
}

/* ---- bech32 / bech32m ----------------------------------------------------- */

static uint32_t bech32_polymod(const uint8_t *v, size_t n) {
    static const uint32_t G[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
    uint32_t chk = 1;
    for (size_t i = 0; i < n; i++) {
        uint32_t top = chk >> 25;
        chk = (chk & 0x1ffffff) << 5 ^ v[i];
        for (int k = 0; k < 5; k++)
            if ((top >> k) & 1) chk ^= G[k];
    }
    return chk;
}

int um_bech32_check(const char *s) {
    static const char CH[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    size_t n = strlen(s);
    if (n < 8 || n > 90) return 0;
    const char *sep = strrchr(s, '1');
    if (!sep || sep == s || (size_t)(s + n - sep) < 7) return 0;
    size_t hrp = (size_t)(sep - s);
    uint8_t v[200];
    size_t k = 0;
    for (size_t i = 0; i < hrp; i++) v[k++] = (uint8_t)(um_ascii_tolower((unsigned char)s[i]) >> 5);
    v[k++] = 0;
    for (size_t i = 0; i < hrp; i++) v[k++] = (uint8_t)(um_ascii_tolower((unsigned char)s[i]) & 31);
    for (const char *p = sep + 1; *p; p++) {
        const char *q = strchr(CH, um_ascii_tolower((unsigned char)*p));
        if (!q || !*p) return 0;
        v[k++] = (uint8_t)(q - CH);
    }
    uint32_t pm = bech32_polymod(v, k);
    if (pm == 1) return 1;
    if (pm == 0x2bc830a3) return 2;
    return 0;
}

/* ---- bank identifiers ----------------------------------------------------- */

bool um_iban_valid(const char *s) {
    size_t n = strlen(s);
    if (n < 15 || n > 34) return false;
    unsigned rem = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[(i + 4) % n];
        if (um_ascii_isdigit(c)) rem = (rem * 10 + (unsigned)(c - '0')) % 97;
        else if (um_ascii_isupper(c)) rem = (rem * 100 + (unsigned)(c - 'A' + 10)) % 97;
        else return false;
    }
    return rem == 1;
}

bool um_aba_valid(const char *s) {
    static const int w[9] = {3, 7, 1, 3, 7, 1, 3, 7, 1};
    int sum = 0;
    for (int i = 0; i < 9; i++) {
        if (!um_ascii_isdigit((unsigned char)s[i])) return false;
        sum += w[i] * (s[i] - '0');
    }
    return sum % 10 == 0 && !(s[0] == '0' && s[1] == '0' && strncmp(s, "000000000", 9) == 0);
}
