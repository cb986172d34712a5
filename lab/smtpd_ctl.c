/*
 * smtpd_ctl.c -- see smtpd_ctl.h.
 */
#include "lab/smtpd_ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lab/addr.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/spawn.h"

struct dl_smtpd_ctl {
	pid_t pid;
	int ctl;                  /* connected control socket */
	char *config, *evidence, *keylog, *control, *log;
};

static int
read_line_fd(int fd, char *buf, size_t len, int timeout_ms)
{
	size_t n = 0;
	long deadline = dl_now_ms() + timeout_ms;

	while (n + 1 < len) {
		struct pollfd p = { fd, POLLIN, 0 };
		long left = deadline - dl_now_ms();
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return -1;
		ssize_t r = read(fd, buf + n, 1);
		if (r <= 0)
			return -1;
		if (buf[n] == '\n') {
			buf[n] = '\0';
			return 0;
		}
		n++;
	}
	return -1;
}

/* The last lines of the server's own log, to quote in an error. */
static void
log_tail(const char *path, struct dl_err *err, const char *what)
{
	struct dl_buf b = DL_BUF_INIT;

	dl_read_file(path, &b);
	const char *p = b.data ? b.data : "";
	size_t len = b.len;
	while (len > 0 && p[len - 1] == '\n')
		len--;
	size_t start = len;
	for (int lines = 0; start > 0 && lines < 3; start--)
		if (p[start - 1] == '\n' && ++lines == 3)
			break;
	dl_errf(err, "%s; dl-smtpd says: %.*s", what, (int)(len - start), p + start);
	dl_buf_free(&b);
}

struct dl_smtpd_ctl *
dl_smtpd_ctl_start(const char *bindir, const char *rundir, const char *config_text,
    struct dl_err *err)
{
	struct dl_smtpd_ctl *s = dl_xcalloc(1, sizeof(*s));
	int ready[2];
	char line[64];

	s->config = dl_xasprintf("%s/personas.conf", rundir);
	s->evidence = dl_xasprintf("%s/evidence.jsonl", rundir);
	s->keylog = dl_xasprintf("%s/tls-keys.log", rundir);
	s->control = dl_xasprintf("%s/smtpd.ctl", rundir);
	s->log = dl_xasprintf("%s/smtpd.log", rundir);
	s->ctl = -1;
	/* A run whose cases have no persona still gets a server: one idle persona. */
	const char *conf = config_text[0] ? config_text :
	    "persona danelab-idle/none\nlisten " DL_LAB_IDLE_SMTP " 25\nstarttls no\n";
	if (dl_write_file(s->config, conf, strlen(conf)) < 0 || pipe(ready) < 0) {
		dl_errf(err, "%s: %s", s->config, strerror(errno));
		dl_smtpd_ctl_stop(s);
		return NULL;
	}
	s->pid = fork();
	if (s->pid == 0) {
		char fd[16], *prog = dl_xasprintf("%s/dl-smtpd", bindir);
		int lg = open(s->log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
		close(ready[0]);
		if (lg >= 0) {
			dup2(lg, 1);
			dup2(lg, 2);
		}
		snprintf(fd, sizeof(fd), "%d", ready[1]);
		execl(prog, prog, "--config", s->config, "--evidence", s->evidence,
		    "--keylog", s->keylog, "--control", s->control, "--ready-fd", fd,
		    (char *)NULL);
		dprintf(2, "cannot run %s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	close(ready[1]);
	int rc = s->pid > 0 ? read_line_fd(ready[0], line, sizeof(line), 10000) : -1;
	close(ready[0]);
	if (rc < 0 || strcmp(line, "ready") != 0) {
		log_tail(s->log, err, "the mock SMTP server did not become ready");
		dl_smtpd_ctl_stop(s);
		return NULL;
	}
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", s->control);
	s->ctl = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->ctl < 0 || connect(s->ctl, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		dl_errf(err, "control socket %s: %s", s->control, strerror(errno));
		dl_smtpd_ctl_stop(s);
		return NULL;
	}
	return s;
}

int
dl_smtpd_ctl_sync(struct dl_smtpd_ctl *s, const char *prefix, int timeout_ms,
    struct dl_err *err)
{
	long deadline = dl_now_ms() + timeout_ms;
	char line[64];

	for (;;) {
		char *cmd = dl_xasprintf("sync %s\n", prefix);
		ssize_t w = write(s->ctl, cmd, strlen(cmd));
		free(cmd);
		if (w < 0 || read_line_fd(s->ctl, line, sizeof(line),
		    (int)(deadline - dl_now_ms())) < 0)
			return dl_errf(err, "no answer on the control socket");
		unsigned long open_conns;
		if (sscanf(line, "open %lu", &open_conns) != 1)
			return dl_errf(err, "unexpected control answer \"%s\"", line);
		if (open_conns == 0)
			return 0;
		/* The client has exited; its sockets close within microseconds. */
		if (dl_now_ms() >= deadline)
			return dl_errf(err, "%lu connection(s) of %s still open", open_conns,
			    prefix);
		struct timespec ts = { 0, 1000000L };
		nanosleep(&ts, NULL);
	}
}

const char *
dl_smtpd_ctl_keylog_path(const struct dl_smtpd_ctl *s)
{
	return s->keylog;
}

const char *
dl_smtpd_ctl_evidence_path(const struct dl_smtpd_ctl *s)
{
	return s->evidence;
}

const char *
dl_smtpd_ctl_log_path(const struct dl_smtpd_ctl *s)
{
	return s->log;
}

void
dl_smtpd_ctl_stop(struct dl_smtpd_ctl *s)
{
	if (s == NULL)
		return;
	if (s->ctl >= 0)
		close(s->ctl);
	if (s->pid > 0) {
		bool timed_out;
		kill(s->pid, SIGTERM);
		/* It flushes evidence on SIGTERM; a bounded wait, then force. */
		if (dl_wait_child(s->pid, dl_now_ms() + 2000, &timed_out) < 0 || timed_out)
			kill(s->pid, SIGKILL);
	}
	free(s->config);
	free(s->evidence);
	free(s->keylog);
	free(s->control);
	free(s->log);
	free(s);
}
