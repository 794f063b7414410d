/* os_posix.c - the default OS seam (os.h) on POSIX systems. */
#include "os.h"
#include "../util/util.h"

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <sys/file.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *px_getenv(void *ud, const char *name) {
    (void)ud;
    return getenv(name);
}

/* The command line of a child (um_os_child_entry): program, flag, role,
 * argument, memory limit (MiB), CPU limit (s). The child writes to CHILD_FD. */
#define CHILD_FLAG "--unmask-child"
#define CHILD_ARGC 6
#define CHILD_FD 3

static void set_limits(unsigned long mem_mb, unsigned long cpu_s) {
#if !UM_ASAN /* ASan reserves terabytes of address space (UM_ASAN: util.h) */
    if (mem_mb) {
        struct rlimit as = {(rlim_t)mem_mb << 20, (rlim_t)mem_mb << 20};
        setrlimit(RLIMIT_AS, &as);
    }
#else
    (void)mem_mb;
#endif
    if (cpu_s) {
        struct rlimit cpu = {(rlim_t)cpu_s, (rlim_t)cpu_s};
        setrlimit(RLIMIT_CPU, &cpu);
    }
}

void um_os_child_entry(int argc, char **argv, const um_os_child *c) {
    if (argc != CHILD_ARGC || !argv || !argv[1] || strcmp(argv[1], CHILD_FLAG) != 0 || strcmp(argv[2], c->role) != 0)
        return;
    set_limits(strtoul(argv[4], NULL, 10), strtoul(argv[5], NULL, 10));
    c->fn(argv[3], CHILD_FD);
    _exit(0);
}

static int px_spawn_isolated(void *ud, const um_os_limits *lim, const um_os_child *c, const char *arg, int *read_fd,
                             long *child) {
    (void)ud;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    int wfd = fds[1];
    if (wfd == CHILD_FD) { /* dup2 onto itself would keep close-on-exec */
        wfd = fcntl(fds[1], F_DUPFD_CLOEXEC, CHILD_FD + 1);
        close(fds[1]);
        if (wfd < 0) {
            int e = errno;
            close(fds[0]);
            errno = e;
            return -1;
        }
    }
    char mem[24], cpu[24];
    snprintf(mem, sizeof mem, "%lu", lim->mem_mb);
    snprintf(cpu, sizeof cpu, "%lu", lim->cpu_s);
    char *argv[] = {"unmask-child", CHILD_FLAG, (char *)c->role, (char *)arg, mem, cpu, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    sigset_t none, pipe_sig;
    sigemptyset(&none);
    sigemptyset(&pipe_sig);
    sigaddset(&pipe_sig, SIGPIPE);
    pid_t pid = 0;
    int rc = posix_spawn_file_actions_init(&fa);
    if (rc == 0 && (rc = posix_spawnattr_init(&at)) != 0) posix_spawn_file_actions_destroy(&fa);
    if (rc == 0) {
        rc = posix_spawn_file_actions_adddup2(&fa, wfd, CHILD_FD);
        if (rc == 0) rc = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
        if (rc == 0) rc = posix_spawnattr_setsigmask(&at, &none);
        if (rc == 0) rc = posix_spawnattr_setsigdefault(&at, &pipe_sig);
        if (rc == 0) rc = posix_spawn(&pid, "/proc/self/exe", &fa, &at, argv, environ);
        posix_spawnattr_destroy(&at);
        posix_spawn_file_actions_destroy(&fa);
    }
    close(wfd);
    if (rc != 0) {
        close(fds[0]);
        errno = rc;
        return -1;
    }
    *read_fd = fds[0];
    *child = (long)pid;
    return 0;
}

static bool px_reap(void *ud, long child, bool kill_first, char *how, size_t how_cap) {
    (void)ud;
    int wst = 0;
    if (kill_first) kill((pid_t)child, SIGKILL); /* we stopped reading: do not leave it running */
    while (waitpid((pid_t)child, &wst, 0) < 0 && errno == EINTR) {
    }
    if (WIFSIGNALED(wst)) snprintf(how, how_cap, "signal %d (memory or CPU limit, or a crash)", WTERMSIG(wst));
    else snprintf(how, how_cap, "exit status %d", WIFEXITED(wst) ? WEXITSTATUS(wst) : -1);
    return WIFEXITED(wst) && WEXITSTATUS(wst) == 0;
}

/* Like tmpfile(), but in $TMPDIR when set (glibc's tmpfile() ignores it),
 * so an operator can put conversions on a disk with room. */
static FILE *px_tmpfile(void *ud) {
    const char *d = px_getenv(ud, "TMPDIR");
    if (!d || !*d) d = "/tmp";
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/.unmask.XXXXXX", d);
    if (n <= 0 || (size_t)n >= sizeof path) return tmpfile();
    int fd = mkostemp(path, O_CLOEXEC);
    if (fd < 0) return NULL;
    unlink(path); /* anonymous: gone when closed, or when the process dies */
    FILE *f = fdopen(fd, "w+b");
    if (!f) close(fd);
    return f;
}

static int px_mkdir(void *ud, const char *path) {
    (void)ud;
    return mkdir(path, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

static bool px_temp_name(void *ud, char *buf, size_t cap, const char *dir, const char *name) {
    (void)ud;
    int n = snprintf(buf, cap, "%s/.%s.tmp.%ld", dir, name, (long)getpid());
    return n > 0 && (size_t)n < cap;
}

static int px_write_stream(void *ud, const char *dir, const char *name, um_os_chunk_fn next, void *arg, char *err,
                           size_t err_cap) {
    char tmp[4096], dst[4096];
    if (err_cap) err[0] = 0;
    snprintf(dst, sizeof dst, "%s/%s", dir, name);
    px_temp_name(ud, tmp, sizeof tmp, dir, name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, err_cap, "cannot write %s: %s", tmp, strerror(errno));
        return -1;
    }
    const void *data;
    size_t len;
    int more;
    while ((more = next(arg, &data, &len)) > 0) {
        const char *p = data;
        size_t off = 0;
        while (off < len) {
            ssize_t w = write(fd, p + off, len - off);
            if (w < 0) {
                if (errno == EINTR) continue;
                snprintf(err, err_cap, "cannot write %s: %s", tmp, strerror(errno));
                close(fd);
                unlink(tmp);
                return -1;
            }
            off += (size_t)w;
        }
    }
    if (more < 0) { /* the producer failed: it says why */
        close(fd);
        unlink(tmp);
        return -1;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        snprintf(err, err_cap, "cannot write %s: %s", tmp, strerror(errno));
        unlink(tmp);
        return -1;
    }
    if (rename(tmp, dst) != 0) {
        snprintf(err, err_cap, "cannot rename %s: %s", tmp, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

typedef struct {
    const void *data;
    size_t len;
    bool done;
} one_piece;

static int next_piece(void *arg, const void **data, size_t *len) {
    one_piece *o = arg;
    if (o->done) return 0;
    o->done = true;
    *data = o->data;
    *len = o->len;
    return 1;
}

static int px_write_atomic(void *ud, const char *dir, const char *name, const void *data, size_t len, char *err,
                           size_t err_cap) {
    one_piece o = {data, len, false};
    return px_write_stream(ud, dir, name, next_piece, &o, err, err_cap);
}

static int px_rename(void *ud, const char *from, const char *to) {
    (void)ud;
    return rename(from, to);
}

static int px_remove(void *ud, const char *path) {
    (void)ud;
    return unlink(path);
}

/* ".NAME.tmp.PID" (with SQLite's -wal/-shm/-journal companions) whose
 * process PID is gone. */
static void px_remove_stale_temps(void *ud, const char *dir) {
    (void)ud;
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *t = strstr(e->d_name, ".tmp.");
        if (e->d_name[0] != '.' || !t) continue;
        char *end;
        long pid = strtol(t + 5, &end, 10);
        if (pid <= 0 || (*end && strcmp(end, "-wal") && strcmp(end, "-shm") && strcmp(end, "-journal")))
            continue;
        if (pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
        char p[4352];
        int n = snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (n > 0 && (size_t)n < sizeof p) unlink(p);
    }
    closedir(d);
}

static int px_lock(void *ud, const char *path, bool wait, long *holder) {
    (void)ud;
    if (holder) *holder = 0;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return -1;
    while (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
        if (errno == EINTR && wait) continue;
        int e = errno;
        if (holder) {
            char b[32] = "";
            ssize_t n = pread(fd, b, sizeof b - 1, 0);
            if (n > 0) *holder = strtol(b, NULL, 10);
        }
        close(fd);
        errno = e == EAGAIN ? EWOULDBLOCK : e;
        return -1;
    }
    char b[32];
    int n = snprintf(b, sizeof b, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, b, (size_t)n, 0) != n) { /* the pid is only informative */
    }
    return fd;
}

static void px_unlock(void *ud, int handle) {
    (void)ud;
    if (handle >= 0) close(handle); /* releases the flock */
}

static int px_exchange(void *ud, const char *a, const char *b) {
    (void)ud;
    return renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st, (void)ftw;
    int rc = flag == FTW_DP ? rmdir(path) : unlink(path);
    return rc != 0 && errno != ENOENT ? -1 : 0;
}

static int px_remove_tree(void *ud, const char *path) {
    (void)ud;
    struct stat st;
    if (lstat(path, &st) != 0) return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode)) return unlink(path);
    return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int px_sync_dir(void *ud, const char *path) {
    (void)ud;
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

static const void *px_map(void *ud, int fd, size_t len, uint64_t off) {
    (void)ud;
    void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, (off_t)off);
    return p == MAP_FAILED ? NULL : p;
}

static void px_unmap(void *ud, const void *p, size_t len) {
    (void)ud;
    if (p) munmap((void *)p, len);
}

/* The SIGBUS guard: the library's on_fault first; a fault it does not own
 * goes to the handler there was before, as that handler asked to be called,
 * or ends the process as SIGBUS would have. */
static bool (*volatile bus_on_fault)(void *addr);
static struct sigaction bus_prev;

static void px_on_sigbus(int sig, siginfo_t *si, void *uc) {
    bool (*fn)(void *) = bus_on_fault;
    if (si && si->si_code > 0 && fn && fn(si->si_addr)) return; /* si_code > 0: from the kernel, si_addr valid */
    if (bus_prev.sa_flags & SA_SIGINFO) {
        bus_prev.sa_sigaction(sig, si, uc);
    } else if (bus_prev.sa_handler != SIG_DFL && bus_prev.sa_handler != SIG_IGN) {
        bus_prev.sa_handler(sig);
    } else {
        signal(SIGBUS, SIG_DFL);
        raise(SIGBUS);
    }
}

static int px_guard_sigbus(void *ud, bool (*on_fault)(void *addr)) {
    (void)ud;
    if (bus_on_fault) return bus_on_fault == on_fault ? 0 : (errno = EBUSY, -1);
    bus_on_fault = on_fault;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = px_on_sigbus;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGBUS, &sa, &bus_prev) != 0) {
        bus_on_fault = NULL;
        return -1;
    }
    return 0;
}

/* fetch_curl.c */
int um_os_curl_fetch(void *ud, const char *url, const char *path, const um_os_fetch_opts *o, char *err, size_t err_cap);

static const um_os posix_os = {
    NULL,     px_getenv,      px_spawn_isolated, px_reap,   px_tmpfile,           px_mkdir, px_temp_name,
    px_write_atomic, px_rename, px_remove,         px_remove_stale_temps,
    px_lock, px_unlock, px_exchange, px_remove_tree, px_sync_dir, px_write_stream, um_os_curl_fetch,
    px_map,   px_unmap,       px_guard_sigbus,
};

static const um_os *installed = &posix_os;

const um_os *um_os_default(void) { return &posix_os; }
const um_os *um_os_get(void) { return installed; }

const um_os *um_os_install(const um_os *os) {
    const um_os *old = installed;
    installed = os ? os : &posix_os;
    return old;
}
