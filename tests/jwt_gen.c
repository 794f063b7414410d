/*
 * jwt_gen.c - a throw-away NATS operator / account / user JWT chain for
 * tests/e2e/nats_creds.sh (decentralised auth: the `.creds` file path of
 * `--nats-creds`):
 *   jwt_gen DIR   writes DIR/operator.jwt, DIR/account.jwt, DIR/user.creds
 *                 (a user of that account), DIR/stranger.creds (a user of
 *                 an account the server does not know) and DIR/auth.conf
 *                 (nats-server configuration: the operator, a system
 *                 account, which JetStream needs, and both accounts
 *                 preloaded in a memory resolver), files mode 0600, and
 *                 prints the account's public key (A...)
 * Written from the published formats: nkeys (base32 of a type prefix, the
 * 32-byte Ed25519 seed or public key, CRC-16/XMODEM little-endian:
 * nkeys_test.h) and NATS JWT v2 (header {"typ":"JWT","alg":"ed25519-nkey"},
 * claims with iss/sub as public nkeys and a "nats" object, each part
 * base64url without padding, the Ed25519 signature of "header.claims" by
 * the issuer). nats-server verifies the chain (operator -> account ->
 * user) and libnats signs the server's nonce with the seed in the creds
 * file, so a mistake anywhere fails the test. The account may use
 * JetStream (disk and memory storage unlimited). Exit 0, or 1.
 */
#include <fcntl.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nkeys_test.h"

static void b64(const void *p, size_t n, char *out, size_t cap) {
    sodium_bin2base64(out, cap, p, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* A JWT about sub issued (and signed) by iss; nats: the "nats" object. */
static void jwt(const key *iss, const char *sub, const char *name, const char *nats, char *out, size_t cap) {
    static const char hdr[] = "{\"typ\":\"JWT\",\"alg\":\"ed25519-nkey\"}";
    uint8_t rnd[32];
    char jti[64], claims[2048], c64[4096], h64[128];
    randombytes_buf(rnd, sizeof rnd);
    b32(rnd, sizeof rnd, jti);
    snprintf(claims, sizeof claims, "{\"jti\":\"%s\",\"iat\":%lld,\"iss\":\"%s\",\"name\":\"%s\",\"sub\":\"%s\",\"nats\":%s}",
             jti, (long long)time(NULL), iss->pub, name, sub, nats);
    b64(hdr, strlen(hdr), h64, sizeof h64);
    b64(claims, strlen(claims), c64, sizeof c64);
    char signed_part[4300];
    snprintf(signed_part, sizeof signed_part, "%s.%s", h64, c64);
    uint8_t sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, NULL, (const uint8_t *)signed_part, strlen(signed_part), iss->sk);
    char s64[128];
    b64(sig, sizeof sig, s64, sizeof s64);
    snprintf(out, cap, "%s.%s", signed_part, s64);
}

static int write_file(const char *dir, const char *name, const char *text) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || dprintf(fd, "%s", text) < 0 || close(fd) != 0) {
        perror(path);
        return 1;
    }
    return 0;
}

static int write_creds(const char *dir, const char *name, const char *ujwt, const key *user) {
    char text[8192];
    snprintf(text, sizeof text,
             "-----BEGIN NATS USER JWT-----\n%s\n------END NATS USER JWT------\n\n"
             "************************* IMPORTANT *************************\n"
             "NKEY Seed printed below can be used to sign and prove identity.\n"
             "NKEYs are sensitive and should be treated as secrets.\n\n"
             "-----BEGIN USER NKEY SEED-----\n%s\n------END USER NKEY SEED------\n\n"
             "*************************************************************\n",
             ujwt, user->seed);
    return write_file(dir, name, text);
}

int main(int argc, char **argv) {
    if (argc != 2 || sodium_init() < 0) {
        fprintf(stderr, "usage: jwt_gen DIR\n");
        return 1;
    }
    const char *dir = argv[1];
    key op, acc, user, other_acc, stranger, sys;
    new_key(&op, T_OPERATOR);
    new_key(&sys, T_ACCOUNT);
    new_key(&acc, T_ACCOUNT);
    new_key(&user, T_USER);
    new_key(&other_acc, T_ACCOUNT);
    new_key(&stranger, T_USER);
    static const char acc_nats[] =
        "{\"limits\":{\"subs\":-1,\"data\":-1,\"payload\":-1,\"imports\":-1,\"exports\":-1,\"wildcards\":true,"
        "\"conn\":-1,\"leaf\":-1,\"mem_storage\":-1,\"disk_storage\":-1,\"streams\":-1,\"consumer\":-1},"
        "\"default_permissions\":{\"pub\":{},\"sub\":{}},\"type\":\"account\",\"version\":2}";
    static const char user_nats[] = "{\"pub\":{},\"sub\":{},\"subs\":-1,\"data\":-1,\"payload\":-1,\"type\":\"user\",\"version\":2}";
    char ojwt[8192], ajwt[8192], ujwt[8192], sjwt[8192], sysjwt[8192], onats[256], conf[32768];
    snprintf(onats, sizeof onats, "{\"system_account\":\"%s\",\"type\":\"operator\",\"version\":2}", sys.pub);
    jwt(&op, op.pub, "unmask-test-operator", onats, ojwt, sizeof ojwt);
    jwt(&op, sys.pub, "SYS", "{\"limits\":{\"subs\":-1,\"data\":-1,\"payload\":-1,\"imports\":-1,\"exports\":-1,"
        "\"wildcards\":true,\"conn\":-1,\"leaf\":-1},\"type\":\"account\",\"version\":2}", sysjwt, sizeof sysjwt);
    jwt(&op, acc.pub, "unmask", acc_nats, ajwt, sizeof ajwt);
    jwt(&acc, user.pub, "worker", user_nats, ujwt, sizeof ujwt);
    jwt(&other_acc, stranger.pub, "stranger", user_nats, sjwt, sizeof sjwt);
    snprintf(conf, sizeof conf,
             "operator: \"%s/operator.jwt\"\nsystem_account: %s\nresolver: MEMORY\n"
             "resolver_preload: {\n  %s: \"%s\"\n  %s: \"%s\"\n}\n",
             dir, sys.pub, sys.pub, sysjwt, acc.pub, ajwt);
    if (write_file(dir, "operator.jwt", ojwt) || write_file(dir, "auth.conf", conf) || write_file(dir, "account.jwt", ajwt) ||
        write_creds(dir, "user.creds", ujwt, &user) || write_creds(dir, "stranger.creds", sjwt, &stranger))
        return 1;
    printf("%s\n", acc.pub);
    return 0;
}
