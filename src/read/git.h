/*
 * git.h - the git history parsers behind the git-log and git-repo readers,
 * callable without a scan (tests, tools). Events and problems go to a sink.
 */
#ifndef UM_READ_GIT_H
#define UM_READ_GIT_H

#include "../core/internal.h"
#include "rsink.h"

/* Where parsed commits and problems go: the readers' one record sink. */
typedef um_rsink um_git_sink;

um_status um_git_parse_log(FILE *f, const um_git_sink *sink);
um_status um_git_parse_repo(const char *dir, const um_git_sink *sink);

#endif
