/*
 * fetch_curl.c - the um_os fetch function: one URL into one new file with
 * libcurl (Debian's libcurl4-openssl-dev), for `unmask data update`.
 *
 * HTTPS only (certificates verified against the system store) unless the
 * caller allows plain HTTP; redirects are followed (at most 5) under the
 * same protocol rule. A proxy comes from the options or, as libcurl does,
 * from https_proxy / all_proxy / no_proxy. The body must be complete
 * (Content-Length honoured: a cut connection is an error), within
 * max_bytes, with status 200, inside the time limits; otherwise the file
 * is removed. The file is created exclusively (O_EXCL, 0644) and fsync'd.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "os.h"

typedef struct sink {
    int fd;
    long long got, max;
    bool too_big, write_failed;
} sink;

static size_t on_body(char *p, size_t sz, size_t n, void *ud) {
    sink *s = ud;
    size_t len = sz * n;
    if (s->got + (long long)len > s->max) {
        s->too_big = true;
        return 0; /* aborts the transfer */
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(s->fd, p + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            s->write_failed = true;
            return 0;
        }
        off += (size_t)w;
    }
    s->got += (long long)len;
    return len;
}

/* curl_global_init is not thread-safe before 7.84; do it once, early */
static void global_init(void) {
    static bool done;
    if (!done) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        done = true;
    }
}

int um_os_curl_fetch(void *ud, const char *url, const char *path, const um_os_fetch_opts *o, char *err,
                     size_t err_cap) {
    (void)ud;
    um_os_fetch_opts none = {0};
    if (!o) o = &none;
    global_init();
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, err_cap, "cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    sink s = {fd, 0, o->max_bytes > 0 ? o->max_bytes : 512LL << 20, false, false};
    long timeout = o->timeout_s > 0 ? o->timeout_s : 900;
    long stall = o->stall_s > 0 ? o->stall_s : timeout < 60 ? timeout : 60;
    char cerr[CURL_ERROR_SIZE] = "";
    const char *protos = o->allow_http ? "https,http" : "https";
    CURL *c = curl_easy_init();
    CURLcode rc = c ? CURLE_OK : CURLE_FAILED_INIT;
    if (c) {
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, protos);
        curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, protos);
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, o->connect_timeout_s > 0 ? o->connect_timeout_s : 30L);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, stall);
        curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)s.max);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
        curl_easy_setopt(c, CURLOPT_USERAGENT, o->user_agent ? o->user_agent : "unmask");
        curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, ""); /* gzip/deflate when the server offers it */
        if (o->proxy && *o->proxy) curl_easy_setopt(c, CURLOPT_PROXY, o->proxy);
        rc = curl_easy_perform(c);
    }
    long status = 0;
    if (c) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    bool ok = rc == CURLE_OK && status == 200 && !s.too_big && !s.write_failed;
    if (rc == CURLE_OK && status != 200) snprintf(err, err_cap, "HTTP %ld from %s", status, url);
    else if (s.too_big || rc == CURLE_FILESIZE_EXCEEDED)
        snprintf(err, err_cap, "larger than the limit of %lld bytes (%s)", s.max, url), ok = false;
    else if (s.write_failed) snprintf(err, err_cap, "cannot write %s: %s", path, strerror(errno));
    else if (rc == CURLE_OPERATION_TIMEDOUT)
        snprintf(err, err_cap, "timed out (limit %ld s, or under 1 byte/s for %ld s): %s", timeout, stall, url);
    else if (rc != CURLE_OK)
        snprintf(err, err_cap, "%s: %s", url, *cerr ? cerr : curl_easy_strerror(rc));
    if (c) curl_easy_cleanup(c);
    if (ok && fsync(fd) != 0) {
        snprintf(err, err_cap, "cannot write %s: %s", path, strerror(errno));
        ok = false;
    }
    if (close(fd) != 0 && ok) {
        snprintf(err, err_cap, "cannot write %s: %s", path, strerror(errno));
        ok = false;
    }
    if (!ok) unlink(path);
    return ok ? 0 : -1;
}
