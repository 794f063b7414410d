/*
 * token.c - the API bearer token: generated once (32 bytes from libsodium's
 * CSPRNG, base64url), kept in a file of mode 0600 that is never replaced,
 * and compared in constant time.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"

int um_token_equal(const char *given, const char *secret) {
    if (!given || !secret) return 0;
    size_t ls = strlen(secret), lg = strnlen(given, ls + 1);
    /* runs over the secret's length whatever was given: no early exit */
    unsigned char diff = (unsigned char)(lg != ls);
    for (size_t i = 0; i < ls; i++) {
        unsigned char g = i < lg ? (unsigned char)given[i] : 0;
        diff |= (unsigned char)(g ^ (unsigned char)secret[i]);
    }
    return ls > 0 && diff == 0;
}

/* "<path>: <what>: <strerror>" */
static um_status err(char *e, size_t n, um_status st, const char *what, const char *path) {
    if (e && n) snprintf(e, n, "%s: %s: %s", path, what, strerror(errno));
    return st;
}

um_status um_token_load_or_create(const char *path, char *out, size_t n, int *created, char *e, size_t en) {
    if (created) *created = 0;
    if (!path || !out || n < 64) {
        if (e && en) snprintf(e, en, "token: bad arguments");
        return UM_EINVAL;
    }
    out[0] = 0;
    if (sodium_init() < 0) {
        if (e && en) snprintf(e, en, "token: libsodium failed to initialise");
        return UM_EIO;
    }
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
        struct stat st;
        if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
            close(fd);
            return err(e, en, UM_EIO, "not a regular file", path);
        }
        if (st.st_mode & 077) {
            close(fd);
            errno = EPERM;
            return err(e, en, UM_EINVAL, "token file is readable by others; chmod 600 it", path);
        }
        char buf[256];
        ssize_t r = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (r < 0) return err(e, en, UM_EIO, "cannot read", path);
        buf[r] = 0;
        buf[strcspn(buf, "\r\n")] = 0;
        size_t len = strlen(buf);
        if (len < 16 || len >= n) {
            if (e && en) snprintf(e, en, "%s: token must be 16 to %zu characters", path, n - 1);
            return UM_EINVAL;
        }
        memcpy(out, buf, len + 1);
        sodium_memzero(buf, sizeof buf);
        return UM_OK;
    }
    if (errno != ENOENT) return err(e, en, UM_EIO, "cannot open", path);
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, n, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return err(e, en, UM_EIO, "cannot create token file", path);
    size_t len = strlen(out);
    int ok = fchmod(fd, 0600) == 0 && write(fd, out, len) == (ssize_t)len && write(fd, "\n", 1) == 1;
    if (close(fd) != 0) ok = 0;
    if (!ok) {
        unlink(path);
        out[0] = 0;
        return err(e, en, UM_EIO, "cannot write token file", path);
    }
    if (created) *created = 1;
    return UM_OK;
}
