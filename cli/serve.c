/*
 * serve.c - `unmask serve`: the HTTP server (libmicrohttpd). Thin glue: it
 * reads requests (body capped at --max-body), hands them to um_api_handle
 * (src/report/api.c, where auth, routing and JSON live) and writes the
 * response with the security headers the library names.
 *
 *   unmask serve CASE [--listen ADDR:PORT] [--token-file FILE]
 *                [--tls-cert FILE --tls-key FILE] [--insecure-remote]
 *                [--read-only] [--threads N] [--max-body BYTES] [--data-dir DIR]
 *
 * Exit codes: 0 after SIGINT/SIGTERM, 2 on a start-up error.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "unmask.h"

int um_cli_serve(int argc, char **argv);

#define SV_EXIT_ERROR 2

static void usage_serve(FILE *o) {
    fprintf(o,
            "Usage: unmask serve CASE [--listen ADDR:PORT] [--token-file FILE] [options]\n"
            "\n"
            "Serves a case (the folder written by 'unmask scan', or its case.db): a JSON API\n"
            "under /v1 (docs/api.md) and the web UI at /. Analysts' verdicts are stored in\n"
            "the case file. POST /v1/screen screens one applicant (name, dob, emails,\n"
            "phones, wallets, urls) against the sanctions and indicator lists and the case.\n"
            "\n"
            "Every /v1 request needs 'Authorization: Bearer TOKEN'. The token is created on\n"
            "first start (32 random bytes, file mode 0600) and read from the token file\n"
            "afterwards. Open the UI at http://ADDR:PORT/#token=TOKEN, or paste the token.\n"
            "\n"
            "Options:\n"
            "      --listen ADDR:PORT  address to listen on (default 127.0.0.1:8640; [::1]:PORT for IPv6)\n"
            "      --token-file FILE   bearer token file (default: api-token beside case.db)\n"
            "      --tls-cert FILE     PEM certificate: serve HTTPS\n"
            "      --tls-key FILE      PEM private key for --tls-cert\n"
            "      --insecure-remote   allow a non-loopback address without TLS (the token then\n"
            "                          crosses the network in clear text)\n"
            "      --read-only         refuse verdict POSTs; open the case read-only\n"
            "      --threads N         worker threads (default 2)\n"
            "      --max-body BYTES    largest request body accepted (default 65536; larger: 413)\n"
            "      --data-dir DIR      bundled lists (default: installed data, then ./data)\n"
            "  -h, --help              this help\n"
            "\n"
            "Without TLS or --insecure-remote, only loopback addresses are accepted.\n"
            "Exit status: 0 after SIGINT/SIGTERM, 2 on a start-up error.\n");
}

typedef struct sv_req {
    char *uri;        /* raw request URI with the query string */
    char *body;
    size_t len, cap;
    bool too_large;
    bool answered;
} sv_req;

typedef struct sv {
    um_api *api;
    size_t max_body;
} sv;

static void *uri_log(void *cls, const char *uri, struct MHD_Connection *con) {
    (void)cls;
    (void)con;
    sv_req *r = calloc(1, sizeof *r);
    if (r) r->uri = strdup(uri ? uri : "/");
    return r;
}

static void completed(void *cls, struct MHD_Connection *con, void **con_cls, enum MHD_RequestTerminationCode t) {
    (void)cls;
    (void)con;
    (void)t;
    sv_req *r = *con_cls;
    if (!r) return;
    free(r->uri);
    free(r->body);
    free(r);
    *con_cls = NULL;
}

static enum MHD_Result reply(struct MHD_Connection *con, const um_api_response *rs) {
    struct MHD_Response *resp;
    if (rs->body)
        resp = MHD_create_response_from_buffer(rs->body_len, rs->body, MHD_RESPMEM_MUST_COPY);
    else
        resp = MHD_create_response_from_buffer(rs->body_len, (void *)rs->static_body, MHD_RESPMEM_PERSISTENT);
    if (!resp) return MHD_NO;
    for (size_t i = 0; um_api_header_name(i); i++)
        MHD_add_response_header(resp, um_api_header_name(i), um_api_header_value(i));
    MHD_add_response_header(resp, "Content-Type", rs->content_type ? rs->content_type : "application/json");
    MHD_add_response_header(resp, "Cache-Control", rs->cacheable ? "no-cache" : "no-store");
    if (rs->www_authenticate) MHD_add_response_header(resp, "WWW-Authenticate", "Bearer realm=\"unmask\"");
    enum MHD_Result ret = MHD_queue_response(con, (unsigned)rs->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result answer(sv *s, struct MHD_Connection *con, const char *method, sv_req *r) {
    um_api_request rq;
    memset(&rq, 0, sizeof rq);
    char *uri = r && r->uri ? r->uri : NULL;
    char *q = uri ? strchr(uri, '?') : NULL;
    if (q) *q = 0;
    rq.method = method;
    rq.path = uri ? uri : "/";
    rq.query = q ? q + 1 : NULL;
    rq.authorization = MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    rq.content_type = MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    rq.body = r ? r->body : NULL;
    rq.body_len = r ? r->len : 0;
    rq.body_too_large = r ? r->too_large : 0;
    um_api_response rs;
    um_api_handle(s->api, &rq, &rs);
    if (q) *q = '?';
    enum MHD_Result ret = reply(con, &rs);
    um_api_response_free(&rs);
    if (r) r->answered = true;
    return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *con, const char *url, const char *method,
                               const char *version, const char *upload, size_t *upload_size, void **con_cls) {
    (void)url;
    (void)version;
    sv *s = cls;
    sv_req *r = *con_cls;
    if (!r) return MHD_NO; /* out of memory in uri_log */
    if (r->answered) {     /* the rest of a body we already refused */
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!r->too_large) {
            if (r->len + *upload_size > s->max_body) {
                r->too_large = true;
                free(r->body);
                r->body = NULL;
                r->len = 0;
            } else {
                if (r->len + *upload_size > r->cap) {
                    size_t nc = r->cap ? r->cap * 2 : 4096;
                    while (nc < r->len + *upload_size) nc *= 2;
                    char *nb = realloc(r->body, nc);
                    if (!nb) return MHD_NO;
                    r->body = nb;
                    r->cap = nc;
                }
                memcpy(r->body + r->len, upload, *upload_size);
                r->len += *upload_size;
            }
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (!r->len && !r->too_large && !r->body) {
        /* first call: refuse a declared oversize body before reading it */
        const char *cl = MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > s->max_body) {
            r->too_large = true;
            return answer(s, con, method, r);
        }
        const char *te = MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
        if ((cl && strtoull(cl, NULL, 10) > 0) || te) {
            r->body = malloc(1); /* marks "first call done" */
            if (!r->body) return MHD_NO;
            r->cap = 1;
            return MHD_YES;
        }
    }
    return answer(s, con, method, r);
}

/* "127.0.0.1:8640", "[::1]:8640", ":8640" (loopback). */
static bool parse_listen(const char *spec, struct sockaddr_storage *ss, socklen_t *len, bool *loopback) {
    char host[128];
    const char *port;
    memset(ss, 0, sizeof *ss);
    if (spec[0] == '[') {
        const char *e = strchr(spec, ']');
        if (!e || e[1] != ':' || (size_t)(e - spec - 1) >= sizeof host) return false;
        memcpy(host, spec + 1, (size_t)(e - spec - 1));
        host[e - spec - 1] = 0;
        port = e + 2;
    } else {
        const char *c = strrchr(spec, ':');
        if (!c || (size_t)(c - spec) >= sizeof host) return false;
        memcpy(host, spec, (size_t)(c - spec));
        host[c - spec] = 0;
        if (!*host) strcpy(host, "127.0.0.1");
        port = c + 1;
    }
    char *end;
    long p = strtol(port, &end, 10);
    if (!*port || *end || p < 0 || p > 65535) return false;
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)p);
        *len = sizeof *a4;
        *loopback = (ntohl(a4->sin_addr.s_addr) >> 24) == 127;
        return true;
    }
    if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)p);
        *len = sizeof *a6;
        *loopback = IN6_IS_ADDR_LOOPBACK(&a6->sin6_addr);
        return true;
    }
    return false;
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *b = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            if (cap > (1u << 20)) break; /* a PEM file is small */
            char *nb = realloc(b, cap);
            if (!nb) break;
            b = nb;
        }
        size_t r = fread(b + n, 1, 4096, f);
        n += r;
        if (r < 4096) {
            b[n] = 0;
            fclose(f);
            return b;
        }
    }
    free(b);
    fclose(f);
    return NULL;
}

enum { S_LISTEN = 256, S_TOKEN, S_CERT, S_KEY, S_INSECURE, S_RO, S_THREADS, S_MAXBODY, S_DATA };

int um_cli_serve(int argc, char **argv) {
    static const struct option lo[] = {
        {"listen", required_argument, 0, S_LISTEN},   {"token-file", required_argument, 0, S_TOKEN},
        {"tls-cert", required_argument, 0, S_CERT},   {"tls-key", required_argument, 0, S_KEY},
        {"insecure-remote", no_argument, 0, S_INSECURE}, {"read-only", no_argument, 0, S_RO},
        {"threads", required_argument, 0, S_THREADS}, {"max-body", required_argument, 0, S_MAXBODY},
        {"data-dir", required_argument, 0, S_DATA},   {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *listen = "127.0.0.1:8640", *token_file = NULL, *cert = NULL, *key = NULL, *data_dir = NULL;
    bool insecure = false, ro = false;
    long threads = 2;
    unsigned long long max_body = 65536;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch (c) {
        case S_LISTEN: listen = optarg; break;
        case S_TOKEN: token_file = optarg; break;
        case S_CERT: cert = optarg; break;
        case S_KEY: key = optarg; break;
        case S_INSECURE: insecure = true; break;
        case S_RO: ro = true; break;
        case S_THREADS:
            threads = strtol(optarg, NULL, 10);
            if (threads < 1 || threads > 64) {
                fprintf(stderr, "unmask serve: --threads must be 1 to 64\n");
                return SV_EXIT_ERROR;
            }
            break;
        case S_MAXBODY:
            max_body = strtoull(optarg, NULL, 10);
            if (max_body < 1024 || max_body > 64u * 1024 * 1024) {
                fprintf(stderr, "unmask serve: --max-body must be 1024 to 67108864\n");
                return SV_EXIT_ERROR;
            }
            break;
        case S_DATA: data_dir = optarg; break;
        case 'h': usage_serve(stdout); return 0;
        default: usage_serve(stderr); return SV_EXIT_ERROR;
        }
    }
    if (optind + 1 != argc) {
        usage_serve(stderr);
        return SV_EXIT_ERROR;
    }
    const char *case_path = argv[optind];
    if ((cert == NULL) != (key == NULL)) {
        fprintf(stderr, "unmask serve: --tls-cert and --tls-key go together\n");
        return SV_EXIT_ERROR;
    }
    struct sockaddr_storage ss;
    socklen_t sslen;
    bool loopback;
    if (!parse_listen(listen, &ss, &sslen, &loopback)) {
        fprintf(stderr, "unmask serve: --listen %s: expected ADDR:PORT (e.g. 127.0.0.1:8640 or [::1]:8640)\n", listen);
        return SV_EXIT_ERROR;
    }
    if (!loopback && !cert && !insecure) {
        fprintf(stderr,
                "unmask serve: refusing to listen on %s without TLS: give --tls-cert/--tls-key, or\n"
                "--insecure-remote to accept that the token crosses the network in clear text\n",
                listen);
        return SV_EXIT_ERROR;
    }
    /* the token file defaults to api-token beside case.db */
    char tf[4096];
    if (!token_file) {
        struct stat st;
        if (stat(case_path, &st) == 0 && S_ISDIR(st.st_mode)) snprintf(tf, sizeof tf, "%s/api-token", case_path);
        else {
            const char *sl = strrchr(case_path, '/');
            if (sl) snprintf(tf, sizeof tf, "%.*s/api-token", (int)(sl - case_path), case_path);
            else snprintf(tf, sizeof tf, "api-token");
        }
        token_file = tf;
    }
    char token[128], err[512];
    int created = 0;
    if (um_token_load_or_create(token_file, token, sizeof token, &created, err, sizeof err) != UM_OK) {
        fprintf(stderr, "unmask serve: %s\n", err);
        return SV_EXIT_ERROR;
    }
    um_api_options ao;
    memset(&ao, 0, sizeof ao);
    ao.case_path = case_path;
    ao.writable = !ro;
    ao.token = token;
    ao.max_body = (size_t)max_body;
    ao.data_dir = data_dir;
    um_api *api = NULL;
    if (um_api_open(&api, &ao) != UM_OK) {
        fprintf(stderr, "unmask serve: %s\n", um_api_errmsg(api));
        um_api_close(api);
        return SV_EXIT_ERROR;
    }
    char *cert_pem = NULL, *key_pem = NULL;
    if (cert) {
        cert_pem = slurp(cert);
        key_pem = slurp(key);
        if (!cert_pem || !key_pem) {
            fprintf(stderr, "unmask serve: cannot read %s\n", !cert_pem ? cert : key);
            free(cert_pem);
            free(key_pem);
            um_api_close(api);
            return SV_EXIT_ERROR;
        }
    }
    /* signals are taken by sigwait below; the server threads inherit the mask */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    sv s = {api, (size_t)max_body};
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
    if (cert) flags |= MHD_USE_TLS;
    struct MHD_OptionItem tls_opts[] = {
        {cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, cert_pem},
        {cert ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, key_pem},
        {MHD_OPTION_END, 0, NULL}};
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, handler, &s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads, MHD_OPTION_CONNECTION_LIMIT, (unsigned)1024,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_URI_LOG_CALLBACK, uri_log, NULL,
        MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_ARRAY, tls_opts, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "unmask serve: cannot listen on %s (address in use, or TLS files invalid)\n", listen);
        free(cert_pem);
        free(key_pem);
        um_api_close(api);
        return SV_EXIT_ERROR;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    unsigned port = di ? di->port : 0;
    char host[INET6_ADDRSTRLEN] = "?";
    if (ss.ss_family == AF_INET) inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof host);
    else inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host, sizeof host);
    printf("unmask serve: %s on %s://%s%s%s:%u/ (token %s in %s)\n", "listening",
           cert ? "https" : "http", ss.ss_family == AF_INET6 ? "[" : "", host, ss.ss_family == AF_INET6 ? "]" : "",
           port, created ? "created" : "read", token_file);
    fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    MHD_stop_daemon(d);
    free(cert_pem);
    free(key_pem);
    um_api_close(api);
    return 0;
}
