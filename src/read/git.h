/*
 * git.h - the git history parsers behind the git-log and git-repo readers,
 * callable without a scan (tests, tools). Events and problems go to a sink.
 */
#ifndef UM_READ_GIT_H
#define UM_READ_GIT_H

#include "../core/internal.h"

/* Where parsed commits and problems go. issue(): reject when reject is true,
 * otherwise a warning. progress() may be NULL. */
typedef struct um_git_sink {
    void *ud;
    um_status (*event)(void *ud, um_event *ev);
    void (*issue)(void *ud, bool reject, uint64_t line, const char *msg);
    void (*progress)(void *ud, uint64_t bytes);
} um_git_sink;

um_status um_git_parse_log(FILE *f, const um_git_sink *sink);
um_status um_git_parse_repo(const char *dir, const um_git_sink *sink);

#endif
