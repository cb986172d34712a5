/*
 * capture.c -- see capture.h.
 */
#include "lab/capture.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"

struct dl_capture {
	pid_t pid;
	char *path, *log;
};

/* The child's "ready" line, within timeout_ms. */
static int
wait_ready(int fd, int timeout_ms)
{
	char buf[8];
	size_t n = 0;

	while (n < 6) {
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, timeout_ms) <= 0)
			return -1;
		ssize_t r = read(fd, buf + n, 6 - n);
		if (r <= 0)
			return -1;
		n += (size_t)r;
	}
	return memcmp(buf, "ready\n", 6) == 0 ? 0 : -1;
}

static void
log_said(const char *log, struct dl_err *err, const char *what)
{
	struct dl_buf b = DL_BUF_INIT;

	dl_read_file(log, &b);
	while (b.len && b.data[b.len - 1] == '\n')
		b.data[--b.len] = '\0';
	dl_errf(err, "%s%s%s", what, b.len ? ": " : "", b.len ? b.data : "");
	dl_buf_free(&b);
}

static void
capture_free(struct dl_capture *c)
{
	free(c->path);
	free(c->log);
	free(c);
}

struct dl_capture *
dl_capture_start(const char *bindir, const char *iface, const char *path,
    const char *log_path, struct dl_err *err)
{
	struct dl_capture *c = dl_xcalloc(1, sizeof(*c));
	int ready[2];

	c->path = dl_xstrdup(path);
	c->log = dl_xstrdup(log_path);
	if (pipe2(ready, O_CLOEXEC) < 0) {
		dl_errf(err, "pipe: %s", strerror(errno));
		capture_free(c);
		return NULL;
	}
	c->pid = fork();
	if (c->pid == 0) {
		char fd[16], *prog = dl_xasprintf("%s/dl-capture", bindir);
		int lg = open(c->log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
		if (lg >= 0) {
			dup2(lg, 1);
			dup2(lg, 2);
		}
		/* The write end must survive exec; the read end must not. */
		int w = dup(ready[1]);
		snprintf(fd, sizeof(fd), "%d", w);
		execl(prog, prog, "-i", iface, "-w", c->path, "--ready-fd", fd, (char *)NULL);
		dprintf(2, "cannot run %s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	close(ready[1]);
	int rc = c->pid > 0 ? wait_ready(ready[0], 10000) : -1;
	close(ready[0]);
	if (rc < 0) {
		if (c->pid > 0) {
			kill(c->pid, SIGKILL);
			waitpid(c->pid, NULL, 0);
		}
		log_said(c->log, err, "the packet capture did not start");
		capture_free(c);
		return NULL;
	}
	return c;
}

const char *
dl_capture_path(const struct dl_capture *c)
{
	return c->path;
}

int
dl_capture_stop(struct dl_capture *c, struct dl_err *err)
{
	int st = 0, rc = 0;

	kill(c->pid, SIGTERM);
	/* Bounded: a capture that will not end must not hold the run. */
	for (int i = 0; i < 500; i++) {
		pid_t w = waitpid(c->pid, &st, WNOHANG);
		if (w == c->pid)
			break;
		if (i == 499) {
			kill(c->pid, SIGKILL);
			waitpid(c->pid, &st, 0);
		}
		nanosleep(&(struct timespec){ 0, 10 * 1000000L }, NULL);
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		log_said(c->log, err, "the packet capture ended badly");
		rc = -1;
	}
	capture_free(c);
	return rc;
}
