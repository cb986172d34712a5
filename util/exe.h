/*
 * exe.h -- find a system daemon's executable whatever the caller's PATH.
 *
 * NSD, Unbound and unbound-control live in /usr/sbin on Debian, which an
 * ordinary user's login PATH does not contain.  The caller's PATH still
 * comes first, so a stand-in earlier in PATH (tests) or a locally built
 * daemon wins.
 */
#ifndef DL_EXE_H
#define DL_EXE_H

#include <stddef.h>

/*
 * The executable to run for `name`: name itself if it contains a '/',
 * else the first executable NAME in $PATH, then /usr/sbin and /sbin.  The
 * result is written to buf (len bytes); if nothing is found, name is
 * copied there so the exec fails with the usual ENOENT.  Returns buf.
 * Call before fork: it reads the environment.
 */
const char *dl_exe_path(const char *name, char *buf, size_t len);

#endif
