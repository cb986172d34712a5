/*
 * spawn.c -- see spawn.h.
 */
#include "util/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/exe.h"

/*
 * Between fork and exec only async-signal-safe calls: the runner forks
 * from a process with threads.  ldns defines a dprintf macro of its own,
 * so the message is written piece by piece.
 */
static void __attribute__((noreturn))
child_fail(const char *what, const char *path)
{
	const char *why = strerror(errno);

	if (write(2, "danelab: cannot ", 16) < 0 || write(2, what, strlen(what)) < 0 ||
	    write(2, path, strlen(path)) < 0 || write(2, ": ", 2) < 0 ||
	    write(2, why, strlen(why)) < 0 || write(2, "\n", 1) < 0)
		_exit(126);
	_exit(127);
}

static void __attribute__((noreturn))
child(const struct dl_spawn *s, const char *exe)
{
	int flags = O_WRONLY | O_CREAT | (s->append ? O_APPEND : O_TRUNC);

	if (s->own_group)
		setpgid(0, 0);
	int in = open("/dev/null", O_RDONLY);
	if (in < 0 || dup2(in, 0) < 0)
		child_fail("open ", "/dev/null");
	if (s->out_fd > 2) {
		if (dup2(s->out_fd, 1) < 0 || dup2(s->out_fd, 2) < 0)
			child_fail("redirect to a pipe for ", exe);
		close(s->out_fd);
	} else {
		int out = -1;
		if (s->out) {
			out = open(s->out, flags, 0644);
			if (out < 0 || dup2(out, 1) < 0)
				child_fail("open ", s->out);
		}
		if (s->err && out >= 0 && strcmp(s->err, s->out) == 0) {
			if (dup2(out, 2) < 0)
				child_fail("open ", s->err);
		} else if (s->err) {
			int er = open(s->err, flags, 0644);
			if (er < 0 || dup2(er, 2) < 0)
				child_fail("open ", s->err);
		}
	}
	if (s->cwd && chdir(s->cwd) < 0)
		child_fail("enter ", s->cwd);
	if (s->env)
		execve(exe, s->argv, s->env);
	else
		execv(exe, s->argv);
	child_fail("run ", exe);
}

pid_t
dl_spawn(const struct dl_spawn *s, struct dl_err *err)
{
	char buf[4096];
	/* Before the fork: dl_exe_path reads the environment. */
	const char *exe = s->path ? s->path : dl_exe_path(s->argv[0], buf, sizeof(buf));
	pid_t pid = fork();

	if (pid < 0)
		return dl_errf(err, "fork for %s: %s", s->argv[0], strerror(errno));
	if (pid == 0)
		child(s, exe);
	/* In both: whichever runs first, a kill of the group finds it. */
	if (s->own_group)
		setpgid(pid, pid);
	return pid;
}

static int
status_of(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

int
dl_wait_child(pid_t pid, int64_t deadline_ms, bool *timed_out)
{
	int st;

	if (timed_out)
		*timed_out = false;
	if (deadline_ms < 0) {
		while (waitpid(pid, &st, 0) < 0)
			if (errno != EINTR)
				return -1;
		return status_of(st);
	}
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -1;
		if (dl_now_ms() >= deadline_ms) {
			if (timed_out)
				*timed_out = true;
			/* The group, for children that have one; the pid, for the rest. */
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return 124;
		}
		/* Short naps: the programs waited for take milliseconds. */
		struct timespec ts = { 0, 1000000L };
		nanosleep(&ts, NULL);
	}
	return status_of(st);
}

int
dl_spawn_run(const struct dl_spawn *s, int64_t timeout_ms, bool *timed_out,
    struct dl_err *err)
{
	bool late = false;
	pid_t pid = dl_spawn(s, err);

	if (timed_out)
		*timed_out = false;
	if (pid < 0)
		return -1;
	int rc = dl_wait_child(pid, timeout_ms < 0 ? -1 : dl_now_ms() + timeout_ms, &late);
	if (late)
		dl_errf(err, "%s: timed out after %lld ms", s->argv[0], (long long)timeout_ms);
	if (timed_out)
		*timed_out = late;
	return rc;
}
