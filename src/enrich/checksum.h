/*
 * checksum.h - checksums of payout identifiers (enrich/checksum.c).
 * No allocation, no state; every function is safe on any NUL-terminated
 * input.
 */
#ifndef UM_CHECKSUM_H
#define UM_CHECKSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void um_sha256(const void *data, size_t n, uint8_t out[32]);
/* Keccak-256 as Ethereum uses it (original padding, not FIPS SHA3-256). */
void um_keccak256(const void *data, size_t n, uint8_t out[32]);
/* Base58 (Bitcoin alphabet) into out; the byte count, 0 when invalid or
 * longer than cap. */
size_t um_base58_decode(const char *s, uint8_t *out, size_t cap);
/* Base58check: payload without the 4-byte double-SHA-256 checksum. */
bool um_base58check(const char *s, uint8_t *payload, size_t cap, size_t *plen);
/* 1 valid bech32, 2 valid bech32m, 0 invalid (case-insensitive input). */
int um_bech32_check(const char *s);
/* IBAN in compact upper-case form: ISO 13616 mod-97 == 1. */
bool um_iban_valid(const char *s);
/* First nine characters are a US ABA routing number with a valid check digit. */
bool um_aba_valid(const char *s);

#endif
