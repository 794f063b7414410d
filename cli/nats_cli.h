/* nats_cli.h - NATS options shared by `unmask scan` and `unmask worker` (cli/nats.c). */
#ifndef UM_NATS_CLI_H
#define UM_NATS_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "unmask.h"

enum {
    UM_CLI_O_NATS = 1000,
    UM_CLI_O_NATS_USER,
    UM_CLI_O_NATS_PASSFILE,
    UM_CLI_O_NATS_TOKENFILE,
    UM_CLI_O_NATS_CREDS,
    UM_CLI_O_NATS_TLS,
    UM_CLI_O_NATS_CA,
    UM_CLI_O_NATS_CERT,
    UM_CLI_O_NATS_KEY,
    UM_CLI_O_NATS_TLSNAME,
    UM_CLI_O_NATS_NKEY,
    UM_CLI_O_NATS_SHARDS,
    UM_CLI_O_NATS_PARTS
};

#define UM_CLI_NATS_LONGOPTS                                                                                      \
    {"nats", required_argument, 0, UM_CLI_O_NATS}, {"nats-user", required_argument, 0, UM_CLI_O_NATS_USER},       \
        {"nats-password-file", required_argument, 0, UM_CLI_O_NATS_PASSFILE},                                     \
        {"nats-token-file", required_argument, 0, UM_CLI_O_NATS_TOKENFILE},                                       \
        {"nats-creds", required_argument, 0, UM_CLI_O_NATS_CREDS}, {"nats-tls", no_argument, 0, UM_CLI_O_NATS_TLS}, \
        {"nats-ca", required_argument, 0, UM_CLI_O_NATS_CA}, {"nats-cert", required_argument, 0, UM_CLI_O_NATS_CERT}, \
        {"nats-key", required_argument, 0, UM_CLI_O_NATS_KEY},                                                    \
        {"nats-tls-name", required_argument, 0, UM_CLI_O_NATS_TLSNAME},                                           \
        {"nats-nkey", required_argument, 0, UM_CLI_O_NATS_NKEY},                                                  \
        {"nats-link-shards", required_argument, 0, UM_CLI_O_NATS_SHARDS},                                         \
        {"nats-partitions", required_argument, 0, UM_CLI_O_NATS_PARTS}

typedef struct um_cli_nats {
    um_nats_opts o;
    const char *pass_file, *token_file;
    char *secret_pass, *secret_token; /* heap, wiped by um_cli_nats_clear */
    bool bad;                         /* an option's value was refused (said on stderr) */
} um_cli_nats;

extern const char um_cli_nats_help[];
/* 1 when c is a NATS option (taken into n), else 0. */
int um_cli_nats_opt(int c, const char *arg, um_cli_nats *n);
/* Reads the secrets (files, environment); false after saying why on stderr. */
bool um_cli_nats_finish(um_cli_nats *n);
void um_cli_nats_clear(um_cli_nats *n);
int um_cli_worker(int argc, char **argv);

#endif
