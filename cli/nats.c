/*
 * nats.c - the CLI's NATS options (shared by `unmask scan --nats` and
 * `unmask worker`) and the `unmask worker` command. Thin: the bus is
 * handled by the library (src/dist/).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nats_cli.h"
#include "util/util.h"

#define EXIT_ERROR 2

const char um_cli_nats_help[] =
    "      --nats URL          NATS server(s) with JetStream, nats://host:4222 (several\n"
    "                          comma-separated)\n"
    "      --nats-user USER    user name; the password from $UNMASK_NATS_PASSWORD or\n"
    "      --nats-password-file FILE  (first line)\n"
    "      --nats-token-file FILE  token (first line; or $UNMASK_NATS_TOKEN)\n"
    "      --nats-creds FILE   user JWT and nkey seed (.creds file)\n"
    "      --nats-nkey FILE    user nkey seed (SU...; the server lists its public key)\n"
    "      --nats-tls          connect with TLS (implied by the four below)\n"
    "      --nats-ca FILE      CA certificates (PEM) the server's certificate must chain to\n"
    "      --nats-cert FILE    client certificate (PEM), with --nats-key FILE\n"
    "      --nats-tls-name NAME  name the server's certificate must carry (default: the\n"
    "                          URL's host name; not checked for an IP address without it)\n"
    "      --nats-link-shards N  scan: the identity index's blocking runs on the workers in\n"
    "                          N shards, identifiers routed by the hash of their canonical\n"
    "                          value, and its candidate pairs in N pair partitions\n"
    "                          (default 8; 0: both on the scan's side)\n"
    "      --nats-partitions K  scan: the per-person analyzers run on the workers as K\n"
    "                          person partitions (2-1024; default: on the scan's side)\n";

/* First line of a file, into a heap string (secrets: never echoed). */
static char *first_line(const char *path, const char *what) {
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "unmask: cannot read the %s file %s: %s\n", what, path, strerror(errno));
        return NULL;
    }
    char buf[4096];
    char *r = fgets(buf, sizeof buf, f) ? buf : NULL;
    fclose(f);
    if (!r) {
        fprintf(stderr, "unmask: the %s file %s is empty\n", what, path);
        return NULL;
    }
    buf[strcspn(buf, "\r\n")] = 0;
    char *s = strdup(buf);
    memset(buf, 0, sizeof buf);
    return s;
}

/* arg as a whole number in [lo, hi] into *v; false (said, n->bad set) when it is not */
static bool range_arg(um_cli_nats *n, const char *opt, const char *arg, long lo, long hi, long *v) {
    char *end = NULL;
    errno = 0;
    *v = strtol(arg, &end, 10);
    if (errno || !end || *end || end == arg || *v < lo || *v > hi) {
        fprintf(stderr, "unmask: %s wants %ld to %ld, not '%s'\n", opt, lo, hi, arg);
        n->bad = true;
        return false;
    }
    return true;
}

int um_cli_nats_opt(int c, const char *arg, um_cli_nats *n) {
    switch (c) {
    case UM_CLI_O_NATS: n->o.url = arg; return 1;
    case UM_CLI_O_NATS_USER: n->o.user = arg; return 1;
    case UM_CLI_O_NATS_PASSFILE: n->pass_file = arg; return 1;
    case UM_CLI_O_NATS_TOKENFILE: n->token_file = arg; return 1;
    case UM_CLI_O_NATS_CREDS: n->o.creds_file = arg; return 1;
    case UM_CLI_O_NATS_TLS: n->o.tls = true; return 1;
    case UM_CLI_O_NATS_CA: n->o.tls_ca = arg; return 1;
    case UM_CLI_O_NATS_CERT: n->o.tls_cert = arg; return 1;
    case UM_CLI_O_NATS_KEY: n->o.tls_key = arg; return 1;
    case UM_CLI_O_NATS_TLSNAME: n->o.tls_name = arg; return 1;
    case UM_CLI_O_NATS_NKEY: n->o.nkey_seed_file = arg; return 1;
    case UM_CLI_O_NATS_SHARDS: {
        long v;
        if (range_arg(n, "--nats-link-shards", arg, 0, 1024, &v)) n->o.link_shards = v == 0 ? -1 : (int)v;
        return 1;
    }
    case UM_CLI_O_NATS_PARTS: {
        long v;
        if (range_arg(n, "--nats-partitions", arg, 2, 1024, &v)) n->o.partitions = (unsigned)v;
        return 1;
    }
    default: return 0;
    }
}

bool um_cli_nats_finish(um_cli_nats *n) {
    if (n->bad) return false;
    if (n->pass_file && !(n->secret_pass = first_line(n->pass_file, "password"))) return false;
    if (!n->secret_pass && getenv("UNMASK_NATS_PASSWORD") && !(n->secret_pass = strdup(getenv("UNMASK_NATS_PASSWORD"))))
        return false;
    if (n->token_file && !(n->secret_token = first_line(n->token_file, "token"))) return false;
    if (!n->secret_token && getenv("UNMASK_NATS_TOKEN") && !(n->secret_token = strdup(getenv("UNMASK_NATS_TOKEN"))))
        return false;
    if (n->secret_pass && !n->o.user) {
        fprintf(stderr, "unmask: a NATS password needs --nats-user\n");
        return false;
    }
    n->o.password = n->secret_pass;
    n->o.token = n->secret_token;
    if (!n->o.url && (n->o.user || n->o.token || n->o.creds_file || n->o.nkey_seed_file || n->o.tls ||
                       n->o.tls_ca || n->o.tls_cert || n->o.tls_key || n->o.tls_name)) {
        fprintf(stderr, "unmask: NATS options need --nats URL\n");
        return false;
    }
    return true;
}

void um_cli_nats_clear(um_cli_nats *n) {
    if (n->secret_pass) memset(n->secret_pass, 0, strlen(n->secret_pass));
    if (n->secret_token) memset(n->secret_token, 0, strlen(n->secret_token));
    free(n->secret_pass);
    free(n->secret_token);
    n->secret_pass = n->secret_token = NULL;
}

/* ---- unmask worker ---- */

static void usage_worker(FILE *o) {
    fprintf(o,
            "Usage: unmask worker --nats URL [options]\n"
            "       unmask worker --nats URL --follow --out DIR [options] [IDENTITY_INPUT...]\n"
            "\n"
            "Serves scans submitted with 'unmask scan --nats URL': takes units of work\n"
            "(one log input, or one line-aligned part of a big JSON-lines file, each)\n"
            "from NATS JetStream, reads and parses the input bytes\n"
            "that came with the unit, and sends back what the reader found; the scan\n"
            "replays it in input order, so its outputs are those of a local scan. Any\n"
            "number of workers on any machines; no shared file system. A unit a worker\n"
            "does not finish (killed, stopped) is given to another after --ack-wait.\n"
            "Runs until SIGINT or SIGTERM (a unit in hand is left for redelivery).\n"
            "\n"
            "With --follow (continuous mode): events a log shipper publishes to\n"
            "unmask.events.SOURCE (SOURCE a log format: okta, entra, winlog-jsonl ...;\n"
            "JSON lines, one or more a message) are kept in a spool folder and, at most\n"
            "every --interval seconds, the spool files not yet in the case in --out are\n"
            "added to it (as 'scan --add'; the first round also reads the\n"
            "IDENTITY_INPUTs); finding lines new or changed since the last\n"
            "round are published to unmask.findings. A restart resumes where it stopped\n"
            "(durable consumer 'unmask-follow'); nothing is lost or counted twice.\n"
            "\n"
            "Options:\n"
            "%s"
            "      --threads N         units worked on at once (default 1)\n"
            "      --partition-threads N  person partitions (a scan's --nats-partitions) run\n"
            "                          at once (default 4): each is held, mostly waiting,\n"
            "                          while its scan replays; a queue of its own; 0: none\n"
            "      --ack-wait S        seconds without progress before a unit is given to\n"
            "                          another worker (default 30; the consumer is shared:\n"
            "                          the last worker started sets it for all)\n"
            "      --max-ack-pending N units out at once over all workers (default 256)\n"
            "      --data-dir DIR      bundled lists (default: installed data, then ./data)\n"
            "      --approved-rmm LIST remote-access tools your IT approves, as the scan's\n"
            "                          (a person partition is refused when its scan's lists in\n"
            "                          DIR/ioc or its VNC approval differ from this worker's)\n"
            "      --follow            continuous mode (above)\n"
            "  -o, --out DIR           --follow: the case folder (outputs as 'unmask scan')\n"
            "      --spool DIR         --follow: where events are kept (default DIR.spool)\n"
            "      --interval S        --follow: at most one scan every S seconds (default 10)\n"
            "  -v, --verbose           a line on stderr per unit taken and done\n"
            "      --test-pause-ms MS  pause after each result message, and ten times MS before\n"
            "                          a person partition's state (fault tests only)\n"
            "  -h, --help              this help\n"
            "\n"
            "Exit status: 0 stopped by a signal, 2 error (bad option, the server could not\n"
            "be reached or refused the credentials).\n",
            um_cli_nats_help);
}

static volatile sig_atomic_t w_signal;
static void w_on_signal(int sig) {
    if (!w_signal) w_signal = sig;
}

static void w_log(void *ud, const char *line) {
    (void)ud;
    char buf[UM_TERM_BUF];
    fprintf(stderr, "unmask worker: %s\n", um_term_escape(line, buf, sizeof buf));
}

extern const char *default_data_dir;

int um_cli_worker(int argc, char **argv) {
    enum { O_THREADS = 300, O_ACK, O_MAXP, O_DATA, O_PAUSE, O_FOLLOW, O_SPOOL, O_INTERVAL, O_RMM, O_PTHREADS };
    static const struct option opts[] = {UM_CLI_NATS_LONGOPTS,
                                         {"threads", required_argument, 0, O_THREADS},
                                         {"partition-threads", required_argument, 0, O_PTHREADS},
                                         {"ack-wait", required_argument, 0, O_ACK},
                                         {"max-ack-pending", required_argument, 0, O_MAXP},
                                         {"data-dir", required_argument, 0, O_DATA},
                                         {"approved-rmm", required_argument, 0, O_RMM},
                                         {"test-pause-ms", required_argument, 0, O_PAUSE},
                                         {"follow", no_argument, 0, O_FOLLOW},
                                         {"out", required_argument, 0, 'o'},
                                         {"spool", required_argument, 0, O_SPOOL},
                                         {"interval", required_argument, 0, O_INTERVAL},
                                         {"verbose", no_argument, 0, 'v'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    um_cli_nats n;
    memset(&n, 0, sizeof n);
    um_ctx_options co = {0};
    long threads = 1, pause = 0, interval = 10, pthreads = -1;
    int verbose = 0, follow = 0, c;
    const char *out = NULL, *spool = NULL;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:vh", opts, NULL)) != -1) {
        if (um_cli_nats_opt(c, optarg, &n)) continue;
        char *end = NULL;
        long v = 0;
        if (c == O_THREADS || c == O_PTHREADS || c == O_ACK || c == O_MAXP || c == O_PAUSE || c == O_INTERVAL) {
            errno = 0;
            v = strtol(optarg, &end, 10);
            if (errno || !end || *end || v < (c == O_PAUSE || c == O_PTHREADS ? 0 : 1) ||
                v > (c == O_THREADS || c == O_PTHREADS ? 256 : 1000000)) {
                fprintf(stderr, "unmask worker: --%s needs a number in range\n", argv[optind - 1] + 2);
                return EXIT_ERROR;
            }
        }
        switch (c) {
        case O_THREADS: threads = v; break;
        case O_PTHREADS: pthreads = v; break;
        case O_ACK: n.o.ack_wait_s = (unsigned)v; break;
        case O_MAXP: n.o.max_ack_pending = (unsigned)v; break;
        case O_PAUSE: pause = v; break;
        case O_INTERVAL: interval = v; break;
        case O_FOLLOW: follow = 1; break;
        case 'o': out = optarg; break;
        case O_SPOOL: spool = optarg; break;
        case O_DATA: co.data_dir = optarg; break;
        case O_RMM: co.approved_rmm = optarg; break;
        case 'v': verbose = 1; break;
        case 'h': usage_worker(stdout); return 0;
        default: {
            char buf[UM_TERM_BUF];
            fprintf(stderr, "unmask worker: unknown option or missing value: %s\n\n",
                    um_term_escape(argv[optind - 1], buf, sizeof buf));
            usage_worker(stderr);
            return EXIT_ERROR;
        }
        }
    }
    if (optind < argc && !follow) {
        fprintf(stderr, "unmask worker: takes no INPUT (inputs come with the units; identity inputs go with --follow)\n");
        return EXIT_ERROR;
    }
    if (follow && !out) {
        fprintf(stderr, "unmask worker: --follow needs --out DIR\n");
        return EXIT_ERROR;
    }
    if (!n.o.url) {
        fprintf(stderr, "unmask worker: --nats URL is needed\n\n");
        usage_worker(stderr);
        return EXIT_ERROR;
    }
    if (!um_cli_nats_finish(&n)) {
        um_cli_nats_clear(&n);
        return EXIT_ERROR;
    }
    if (!co.data_dir) co.data_dir = default_data_dir;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = w_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    int rc = EXIT_ERROR;
    um_ctx *ctx = NULL;
    um_worker *w = NULL;
    char buf[UM_TERM_BUF];
    if (um_ctx_open(&ctx, &co) != UM_OK) {
        fprintf(stderr, "unmask worker: %s\n", um_term_escape(um_ctx_errmsg(ctx), buf, sizeof buf));
        goto out;
    }
    if (um_worker_new(ctx, &n.o, &w) != UM_OK) {
        fprintf(stderr, "unmask worker: %s\n", w ? um_term_escape(um_worker_errmsg(w), buf, sizeof buf) : "out of memory");
        goto out;
    }
    um_cli_nats_clear(&n); /* the library holds its own copy */
    if (verbose) um_worker_set_log(w, w_log, NULL);
    um_worker_set_pause_ms(w, (unsigned)pause);
    if (pthreads >= 0) um_worker_set_partition_threads(w, (unsigned)pthreads);
    um_follow_opts fo = {out, spool, (const char *const *)(argv + optind), (size_t)(argc - optind), (unsigned)interval};
    if (follow ? um_worker_follow(w, &fo, &w_signal) != UM_OK : um_worker_run(w, (unsigned)threads, &w_signal) != UM_OK) {
        fprintf(stderr, "unmask worker: %s\n", um_term_escape(um_worker_errmsg(w), buf, sizeof buf));
        goto out;
    }
    rc = 0;
out:
    um_cli_nats_clear(&n);
    um_worker_free(w);
    um_ctx_close(ctx);
    return rc;
}
