/*
 * spawn.h -- start a program as a child process and wait for it, bounded.
 *
 * One fork/exec for the runner's adapters and tools and the lab's daemons:
 * stdin is /dev/null, stdout and stderr go where the caller says, and a
 * child that does not end by its deadline is killed (with its process
 * group, when it has one), so a hung program never holds a run.
 */
#ifndef DL_SPAWN_H
#define DL_SPAWN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/err.h"

struct dl_spawn {
	char *const *argv;   /* argv[0] names the program */
	const char *path;    /* the executable; NULL: dl_exe_path(argv[0]) */
	char *const *env;    /* NULL: the caller's environment */
	const char *cwd;     /* NULL: the caller's directory */
	const char *out;     /* stdout to this file (created); NULL: inherited */
	const char *err;     /* stderr likewise; the same name as out: one file */
	bool append;         /* out and err are appended to, not truncated */
	int out_fd;          /* > 2: stdout and stderr to this descriptor instead
	                        (a pipe's write end; closed in the child) */
	bool own_group;      /* its own process group: a kill reaches its helpers */
};

/*
 * Start the program; returns its pid, or -1 with err set when it could not
 * be forked.  A program that cannot be executed exits 127 after saying why
 * on its stderr.
 */
pid_t dl_spawn(const struct dl_spawn *s, struct dl_err *err);

/*
 * Wait for pid until deadline_ms (dl_now_ms(); < 0: no deadline).  Returns
 * its exit status (0..255), 128 + the signal that ended it, 124 when the
 * deadline passed (it is killed with SIGKILL, and its group), or -1 on an
 * error.  *timed_out (may be NULL) says whether the deadline passed.
 */
int dl_wait_child(pid_t pid, int64_t deadline_ms, bool *timed_out);

/*
 * Spawn and wait at most timeout_ms (< 0: no bound).  Returns as
 * dl_wait_child; on a timeout err says so, naming argv[0].
 */
int dl_spawn_run(const struct dl_spawn *s, int64_t timeout_ms, bool *timed_out,
	struct dl_err *err);

#endif
