/*
 * os.h - the one seam between libunmask and the operating system, in the
 * manner of SQLite's VFS. The library asks the OS for these things only
 * through the installed um_os:
 *
 *   getenv          environment lookup (UNMASK_DATA_DIR, UNMASK_EVTX_CHILD_MB)
 *   spawn_isolated  run a function in a child process under memory and CPU
 *                   limits, reading what it writes from a pipe (libevtx); the
 *                   child is a fresh copy of this program, never a fork
 *                   (um_os_child_entry)
 *   reap            wait for (or kill and wait for) such a child
 *   tmpfile         an anonymous temporary file (UTF-16 conversion)
 *   mkdir           create the output folder (0700; existing is fine)
 *   temp_name       the temporary name a file is written under before it is
 *                   renamed into place (".NAME.tmp.PID")
 *   write_atomic    write a whole file: temporary, fsync, rename
 *   write_stream    the same with the bytes handed over in pieces (the
 *                   large JSONL/CSV outputs are never whole in memory)
 *   rename, remove  for files written by other means (SQLite)
 *   remove_stale_temps
 *                   delete temporaries an earlier, killed run left in a
 *                   folder (their process is gone)
 *   lock, unlock    an exclusive lock on a lock file (the output folder's)
 *   exchange        swap two folders atomically (the output set's publish)
 *   remove_tree     delete a folder and everything under it
 *   sync_dir        make a folder's entries durable (fsync)
 *   fetch           download one URL into a new file (libcurl, fetch_curl.c:
 *                   `unmask data update`); tests replace it or serve loopback
 *   map, unmap      map a file read-only (journals, content hashes, inputs
 *                   read line by line, the screening index); tests
 *                   cut the file short between map and the reading
 *   guard_sigbus    install the process's SIGBUS handler for mapped files cut
 *                   short while read (see below); NULL: none, and the
 *                   library reads files instead of mapping them
 *
 * um_os_default() is the POSIX implementation (os_posix.c). Tests install a
 * replacement with um_os_install() to simulate failures (a fork that fails,
 * an environment without a variable). Installing is process-wide and not
 * thread-safe: do it before opening contexts, restore it after.
 *
 * Functions returning int return 0 on success and -1 with errno set.
 */
#ifndef UM_OS_H
#define UM_OS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct um_os_limits {
    unsigned long mem_mb; /* address-space limit of the child; 0: none */
    unsigned long cpu_s;  /* CPU-time limit of the child; 0: none */
} um_os_limits;

/* Runs in the child: writes its results to fd, then returns (the child then
 * exits). */
typedef void (*um_os_child_fn)(const char *arg, int fd);

/* A kind of child process, named so that a fresh copy of the program knows
 * what to run. The default seam starts a child by executing this program
 * again (/proc/self/exe) with the role and its argument on the command line:
 * a fork() of a process that may run threads could leave the child waiting
 * forever on a lock another thread held (the allocator's, under ASan). The
 * module that defines a role runs um_os_child_entry from a constructor, so
 * the copy runs the role before main() and exits. */
typedef struct um_os_child {
    const char *role; /* [a-z]+, unique in the program */
    um_os_child_fn fn;
} um_os_child;

/* From a constructor of the module that defines c (glibc passes argc and
 * argv to constructors): when this process was started by the default
 * spawn_isolated for c->role, applies the limits, runs c->fn and exits;
 * otherwise returns at once. */
void um_os_child_entry(int argc, char **argv, const um_os_child *c);

/* The next piece of a file being written (write_stream): sets *data, *len
 * and returns 1; returns 0 at the end, -1 when the producer failed (then
 * nothing is left behind and the producer knows why). */
typedef int (*um_os_chunk_fn)(void *arg, const void **data, size_t *len);
/* Limits of one download (um_os.fetch). */
typedef struct um_os_fetch_opts {
    const char *proxy;       /* proxy URL; NULL: libcurl's environment (https_proxy, all_proxy, no_proxy) */
    long timeout_s;          /* whole transfer; 0: 900 */
    long connect_timeout_s;  /* 0: 30 */
    long stall_s;            /* abort when under 1 byte/s for this long; 0: min(timeout, 60) */
    long long max_bytes;     /* refuse a body larger than this; 0: 512 MiB */
    bool allow_http;         /* plain http:// (and redirects to it) too; otherwise HTTPS only */
    const char *user_agent;  /* NULL: "unmask" */
} um_os_fetch_opts;

typedef struct um_os {
    void *ud; /* handed to every function */
    const char *(*getenv)(void *ud, const char *name);
    /* Starts c->fn(arg, fd) in an isolated process; *read_fd is the
     * parent's end of the pipe (close-on-exec), *child identifies the
     * process. */
    int (*spawn_isolated)(void *ud, const um_os_limits *lim, const um_os_child *c, const char *arg, int *read_fd,
                          long *child);
    /* Waits for child, killing it first when kill_first. Returns true when
     * it exited with status 0; how[] always says how it ended
     * ("signal 9 (...)", "exit status 3"). */
    bool (*reap)(void *ud, long child, bool kill_first, char *how, size_t how_cap);
    FILE *(*tmpfile)(void *ud);
    int (*mkdir)(void *ud, const char *path);
    /* dir/.name.tmp.<process id> into buf; false when it does not fit. */
    bool (*temp_name)(void *ud, char *buf, size_t cap, const char *dir, const char *name);
    /* On failure err[] holds a message naming the path ("cannot write ..."). */
    int (*write_atomic)(void *ud, const char *dir, const char *name, const void *data, size_t len, char *err,
                        size_t err_cap);
    int (*rename)(void *ud, const char *from, const char *to);
    int (*remove)(void *ud, const char *path);
    void (*remove_stale_temps)(void *ud, const char *dir);
    /* Exclusive lock on the file path (created 0600 when absent): returns a
     * handle >= 0, or -1 with errno EWOULDBLOCK when another process holds
     * it and !wait. The lock ends with unlock() or the process. The holder's
     * process id is written into the file; *holder (when not NULL) gets the
     * one read from it when the lock is busy (0 if unknown). */
    int (*lock)(void *ud, const char *path, bool wait, long *holder);
    void (*unlock)(void *ud, int handle);
    /* Swaps the folders a and b in one step (both exist). -1 with errno
     * EINVAL/ENOSYS where the file system cannot (the caller falls back to
     * two renames). */
    int (*exchange)(void *ud, const char *a, const char *b);
    /* Removes path and everything under it; symbolic links are removed,
     * never followed. Missing is fine. */
    int (*remove_tree)(void *ud, const char *path);
    int (*sync_dir)(void *ud, const char *path);
    /* Like write_atomic, the bytes coming from next(arg, ...) piece by
     * piece. -1 with err[] empty when next failed. */
    int (*write_stream)(void *ud, const char *dir, const char *name, um_os_chunk_fn next, void *arg, char *err,
                        size_t err_cap);
    /* Downloads url into path (created; must not exist). Success only for a
     * complete body with status 200 within the limits; on failure the file
     * is removed and err[] says why ("HTTP 500", "timed out after 2 s",
     * "larger than 1000 bytes", "transfer closed with 5 bytes remaining"). */
    int (*fetch)(void *ud, const char *url, const char *path, const um_os_fetch_opts *o, char *err, size_t err_cap);
    /* len bytes of the regular file fd from off (a multiple of the page
     * size), mapped read-only and private; NULL with errno set when it
     * cannot. The library reads a mapping only under the SIGBUS guard. */
    const void *(*map)(void *ud, int fd, size_t len, uint64_t off);
    void (*unmap)(void *ud, const void *p, size_t len);
    /* Installs the process-wide SIGBUS handler, once (the library calls it
     * the first time it maps a file, unless um_sigbus_guard(0) turned the
     * guard off). On a SIGBUS raised by the kernel the handler calls
     * on_fault(si_addr): true means the address was in a mapping the library
     * reads and it has mapped zero pages over the rest (the read goes on and
     * the library reports the file as cut short); false, or a signal sent by
     * kill/raise, goes to the handler installed before (SA_SIGINFO or not),
     * else to the default action (the process ends with SIGBUS). 0 when
     * installed; -1: not, and the library then reads files with read()
     * instead of mapping them (as with guard_sigbus NULL). */
    int (*guard_sigbus)(void *ud, bool (*on_fault)(void *addr));
} um_os;

/* The POSIX implementation. */
const um_os *um_os_default(void);
/* The installed seam (the default unless replaced). */
const um_os *um_os_get(void);
/* Installs os (NULL: the default) and returns the one installed before.
 * os must stay valid while installed. */
const um_os *um_os_install(const um_os *os);

#endif
