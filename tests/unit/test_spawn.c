/*
 * test_spawn.c -- util/clock and util/spawn: where a child's output goes,
 * its exit status, and that a child past its deadline is killed with its
 * process group.  Children are /bin/sh one-liners; none touches the network.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/unit/cu.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/spawn.h"

static void
test_clock(void)
{
	int64_t a = dl_now_ms(), ns = dl_now_ns(), b = dl_now_ms();

	CU_ASSERT(a > 0);
	CU_ASSERT(b >= a);
	/* One clock: the two precisions agree. */
	CU_ASSERT(ns / 1000000 >= a && ns / 1000000 <= b);
	int64_t wall = dl_wall_ms(), t = (int64_t)time(NULL) * 1000;
	CU_ASSERT(wall >= t - 1000 && wall <= t + 2000);
}

static char *
file_text(const char *path)
{
	struct dl_buf b = DL_BUF_INIT;

	if (dl_read_file(path, &b) < 0)
		return dl_xstrdup("(unreadable)");
	return b.data ? dl_buf_take(&b) : dl_xstrdup("");
}

/* One file for both streams, or two; truncated, or appended to. */
static void
test_output_files(void)
{
	char *out = dl_xasprintf("%s/out", cu_tmpdir());
	char *err = dl_xasprintf("%s/err", cu_tmpdir());
	char *argv[] = { "/bin/sh", "-c", "echo out; echo err >&2; exit 3", NULL };
	struct dl_spawn s = { .argv = argv, .out = out, .err = out };
	struct dl_err e;
	bool late = true;
	char *t;

	CU_ASSERT_EQUAL(dl_spawn_run(&s, 10000, &late, &e), 3);
	CU_ASSERT_FALSE(late);
	t = file_text(out);
	CU_ASSERT_STRING_EQUAL(t, "out\nerr\n");
	free(t);

	s.err = err;
	CU_ASSERT_EQUAL(dl_spawn_run(&s, 10000, NULL, &e), 3);
	t = file_text(out);
	CU_ASSERT_STRING_EQUAL(t, "out\n"); /* truncated */
	free(t);
	t = file_text(err);
	CU_ASSERT_STRING_EQUAL(t, "err\n");
	free(t);

	s.append = true;
	CU_ASSERT_EQUAL(dl_spawn_run(&s, -1, NULL, &e), 3);
	t = file_text(out);
	CU_ASSERT_STRING_EQUAL(t, "out\nout\n");
	free(t);
	free(out);
	free(err);
}

/* The environment, the directory and stdin the child gets. */
static void
test_env_cwd_stdin(void)
{
	char *out = dl_xasprintf("%s/out", cu_tmpdir());
	char *argv[] = { "/bin/sh", "-c", "echo \"$X\"; pwd; cat; echo end", NULL };
	char *env[] = { "X=given", "PATH=/usr/bin:/bin", NULL };
	struct dl_spawn s = { .argv = argv, .env = env, .cwd = "/", .out = out };
	struct dl_err e;

	CU_ASSERT_EQUAL(dl_spawn_run(&s, 10000, NULL, &e), 0);
	char *t = file_text(out);
	CU_ASSERT_STRING_EQUAL(t, "given\n/\nend\n"); /* stdin is empty */
	free(t);
	free(out);
}

/* stdout and stderr into a pipe the caller reads. */
static void
test_pipe(void)
{
	int fd[2];
	char buf[64];
	char *argv[] = { "/bin/sh", "-c", "printf a; printf b >&2", NULL };
	struct dl_err e;

	CU_ASSERT_EQUAL_FATAL(pipe2(fd, O_CLOEXEC), 0);
	struct dl_spawn s = { .argv = argv, .out_fd = fd[1] };
	pid_t pid = dl_spawn(&s, &e);
	close(fd[1]);
	CU_ASSERT_FATAL(pid > 0);
	size_t len = 0;
	for (ssize_t n; (n = read(fd[0], buf + len, sizeof(buf) - 1 - len)) > 0;)
		len += (size_t)n;
	buf[len] = '\0';
	close(fd[0]);
	CU_ASSERT_EQUAL(dl_wait_child(pid, -1, NULL), 0);
	CU_ASSERT_STRING_EQUAL(buf, "ab");
}

/* A program that cannot run exits 127 and says why; a signal is 128 + it. */
static void
test_failures(void)
{
	char *err = dl_xasprintf("%s/err", cu_tmpdir());
	char *missing[] = { "/nonexistent/danelab-x", NULL };
	char *killed[] = { "/bin/sh", "-c", "kill -TERM $$", NULL };
	struct dl_spawn s = { .argv = missing, .err = err };
	struct dl_err e;

	CU_ASSERT_EQUAL(dl_spawn_run(&s, 10000, NULL, &e), 127);
	char *t = file_text(err);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "cannot run /nonexistent/danelab-x: "));
	free(t);
	s.argv = killed;
	CU_ASSERT_EQUAL(dl_spawn_run(&s, 10000, NULL, &e), 128 + SIGTERM);
	free(err);
}

/* Is pid gone (or a zombie nobody reaped yet)? */
static bool
gone(pid_t pid)
{
	char path[64], st[256];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return true;
	size_t n = fread(st, 1, sizeof(st) - 1, f);
	fclose(f);
	st[n] = '\0';
	const char *rp = strrchr(st, ')');
	return rp && rp[1] == ' ' && (rp[2] == 'Z' || rp[2] == 'X');
}

/*
 * Past the deadline the child and its helpers die: the helper here is a
 * grandchild in the child's process group.  The deadline passes only once
 * the helper is known to run (its pid file), so no timing decides this.
 */
static void
test_deadline_kills_group(void)
{
	char *pidf = dl_xasprintf("%s/helper.pid", cu_tmpdir());
	char *tmp = dl_xasprintf("%s.tmp", pidf);
	char *script = dl_xasprintf("sleep 300 & echo $! > %s; mv %s %s; wait", tmp, tmp, pidf);
	char *argv[] = { "/bin/sh", "-c", script, NULL };
	struct dl_spawn s = { .argv = argv, .own_group = true };
	struct dl_err e;
	bool late = false;
	pid_t pid = dl_spawn(&s, &e);
	struct dl_buf b = DL_BUF_INIT;

	CU_ASSERT_FATAL(pid > 0);
	/* Bounded by the hung-process limit only: 30 s. */
	for (int i = 0; i < 3000 && access(pidf, F_OK) != 0; i++)
		nanosleep(&(struct timespec){ 0, 10000000L }, NULL);
	CU_ASSERT_EQUAL_FATAL(dl_read_file(pidf, &b), 0);
	pid_t helper = (pid_t)atoi(b.data);
	CU_ASSERT_FATAL(helper > 0);
	CU_ASSERT_FALSE(gone(helper));
	CU_ASSERT_EQUAL(dl_wait_child(pid, dl_now_ms(), &late), 124);
	CU_ASSERT_TRUE(late);
	/* SIGKILL is delivered before kill() returns; the reaper may lag. */
	for (int i = 0; i < 3000 && !gone(helper); i++)
		nanosleep(&(struct timespec){ 0, 10000000L }, NULL);
	CU_ASSERT_TRUE(gone(helper));
	if (!gone(helper))
		kill(helper, SIGKILL);
	dl_buf_free(&b);
	free(script);
	free(tmp);
	free(pidf);
}

/* A run that times out says so in err. */
static void
test_run_timeout_message(void)
{
	char *argv[] = { "/bin/sh", "-c", "exec sleep 300", NULL };
	struct dl_spawn s = { .argv = argv };
	struct dl_err e = { { 0 } };
	bool late = false;

	CU_ASSERT_EQUAL(dl_spawn_run(&s, 0, &late, &e), 124);
	CU_ASSERT_TRUE(late);
	CU_ASSERT_STRING_EQUAL(e.msg, "/bin/sh: timed out after 0 ms");
}

static const struct cu_test tests[] = {
	{ "clock", test_clock },
	{ "output_files", test_output_files },
	{ "env_cwd_stdin", test_env_cwd_stdin },
	{ "pipe", test_pipe },
	{ "failures", test_failures },
	{ "deadline_kills_group", test_deadline_kills_group },
	{ "run_timeout_message", test_run_timeout_message },
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	return cu_main(argc, argv, "spawn", tests);
}
