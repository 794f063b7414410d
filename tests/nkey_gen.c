/*
 * nkey_gen.c - a throw-away NATS user nkey pair for tests/e2e/nats_secure.sh:
 *   nkey_gen SEEDFILE   writes a fresh random user seed (SU..., mode 0600)
 *                       to SEEDFILE and prints its public key (U...)
 * The keys come from nkeys_test.h, independent of src/dist/nkey.c;
 * nats-server decodes the public key in its configuration and verifies the
 * nonce signature libnats makes with the seed. Exit 0, or 1.
 */
#include <fcntl.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "nkeys_test.h"

int main(int argc, char **argv) {
    if (argc != 2 || sodium_init() < 0) {
        fprintf(stderr, "usage: nkey_gen SEEDFILE\n");
        return 1;
    }
    key k;
    new_key(&k, T_USER);
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || dprintf(fd, "%s\n", k.seed) < 0 || close(fd) != 0) {
        perror(argv[1]);
        return 1;
    }
    printf("%s\n", k.pub);
    return 0;
}
