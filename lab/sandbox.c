/*
 * sandbox.c -- see sandbox.h.  The order of the steps matters: the user
 * namespace first (it grants the capabilities the rest needs), mounts made
 * private before any mount so nothing propagates to the host, and /proc
 * mounted by a member of the new pid namespace.
 */
#include "lab/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const scratch_candidates[] = {
	"/tmp", "/var/tmp", "/mnt", "/media", "/srv", "/opt",
};

/* Is `path` equal to `dir` or below it? */
static int
path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (strncmp(path, dir, n) != 0)
		return 0;
	return path[n] == '\0' || path[n] == '/' || strcmp(dir, "/") == 0;
}

const char *
dl_sandbox_pick_scratch(const char *const *keep, size_t n_keep)
{
	char cwd[PATH_MAX], real[PATH_MAX], cand[PATH_MAX];
	struct stat st;

	if (getcwd(cwd, sizeof(cwd)) == NULL)
		cwd[0] = '\0';
	for (size_t c = 0; c < sizeof(scratch_candidates) /
	    sizeof(scratch_candidates[0]); c++) {
		const char *name = scratch_candidates[c];
		int hides = 0;

		/* The mount point itself must be a real directory, not a
		   symlink to somewhere that may hold kept paths. */
		if (lstat(name, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (realpath(name, cand) == NULL || strcmp(cand, name) != 0)
			continue;
		if (cwd[0] && path_under(cwd, cand))
			hides = 1;
		for (size_t i = 0; !hides && i < n_keep; i++) {
			const char *k = keep[i];
			if (realpath(k, real) != NULL)
				k = real;
			if (path_under(k, cand))
				hides = 1;
		}
		if (!hides)
			return name;
	}
	return NULL;
}

static int
write_proc(const char *path, const char *text, struct dl_err *err)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return dl_errf(err, "sandbox: open %s: %s", path, strerror(errno));
	n = write(fd, text, strlen(text));
	close(fd);
	if (n != (ssize_t)strlen(text))
		return dl_errf(err, "sandbox: write %s: %s", path, strerror(errno));
	return 0;
}

/*
 * User, network and mount namespaces; the caller becomes root inside.
 * Real root keeps its real identity (no user namespace): an MTA under test
 * must hand files to its own service accounts (Postfix, Exim), which a
 * single-uid user namespace cannot map.  The network, mount and pid
 * namespaces isolate the lab either way.
 */
static int
enter_user_net_mnt(struct dl_err *err)
{
	char map[64];
	uid_t uid = getuid();
	gid_t gid = getgid();

	if (geteuid() == 0 && getenv("DANELAB_USERNS") == NULL) {
		if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0)
			return dl_errf(err, "sandbox: unshare(net, mount): %s", strerror(errno));
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			return dl_errf(err, "sandbox: make mounts private: %s", strerror(errno));
		return 0;
	}
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS) < 0)
		return dl_errf(err, "sandbox: unshare(user, net, mount): %s "
		    "(are unprivileged user namespaces enabled?)", strerror(errno));
	if (write_proc("/proc/self/setgroups", "deny", err) < 0)
		return -1;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
	if (write_proc("/proc/self/uid_map", map, err) < 0)
		return -1;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
	if (write_proc("/proc/self/gid_map", map, err) < 0)
		return -1;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return dl_errf(err, "sandbox: make mounts private: %s",
		    strerror(errno));
	return 0;
}

static int
exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

static void
noop_handler(int sig)
{
	(void)sig;
}

/*
 * Wait for `child` with SIGINT/SIGTERM/SIGHUP/SIGCHLD blocked and taken
 * with sigwaitinfo(): forward the first three to `child`, reap on SIGCHLD
 * (every child when `reap_all`, as pid 1 must), and _exit with the
 * child's status once it is gone.  The no-op handlers matter for pid 1:
 * the kernel drops signals that init has not installed a handler for.
 */
static void __attribute__((noreturn))
wait_and_forward(pid_t child, int reap_all, const sigset_t *set)
{
	struct sigaction sa;
	siginfo_t si;
	int status;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = noop_handler;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	for (;;) {
		pid_t p;
		while ((p = waitpid(reap_all ? -1 : child, &status, WNOHANG)) > 0) {
			if (p == child)
				_exit(exit_code(status));
		}
		if (p < 0 && errno == ECHILD)
			_exit(1);
		if (sigwaitinfo(set, &si) < 0)
			continue;
		if (si.si_signo != SIGCHLD)
			kill(child, si.si_signo);
	}
}

/*
 * Write `text` to scratch/danelab-NAME and bind it over /etc/NAME, so the
 * lab never reads the host's copy.  out gets the file's path, or "" when
 * the host has no /etc/NAME (or a dangling link): nothing to cover, and
 * creating one would touch the host's /etc.
 */
static int
cover_etc(const char *scratch, const char *name, const char *text, char *out,
    size_t outlen, struct dl_err *err)
{
	char etc[64];
	struct stat st;
	size_t len = strlen(text);
	int fd;

	snprintf(out, outlen, "%s/danelab-%s", scratch, name);
	snprintf(etc, sizeof(etc), "/etc/%s", name);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
		dl_errf(err, "sandbox: write %s: %s", out, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	if (stat(etc, &st) < 0) {
		out[0] = '\0';
		return 0;
	}
	if (mount(out, etc, NULL, MS_BIND, NULL) < 0)
		return dl_errf(err, "sandbox: bind %s over %s: %s", out, etc,
		    strerror(errno));
	return 0;
}

/* Mounts made by the worker, a member of the new pid namespace. */
static int
setup_mounts(const char *scratch, const struct dl_sandbox_opts *opts,
    struct dl_sandbox_info *info, struct dl_err *err)
{
	const char *rc = opts->resolv_conf ? opts->resolv_conf :
	    "# danelab lab resolver\nnameserver 127.0.0.1\noptions trust-ad\n";
	/* Only loopback names: every lab name comes from the lab's DNS. */
	const char *hosts = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";
	char hosts_file[PATH_MAX];

	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	    NULL) < 0)
		return dl_errf(err, "sandbox: mount /proc: %s", strerror(errno));
	if (mount("danelab", scratch, "tmpfs", MS_NOSUID | MS_NODEV,
	    "mode=1777") < 0)
		return dl_errf(err, "sandbox: mount tmpfs on %s: %s", scratch,
		    strerror(errno));
	snprintf(info->scratch, sizeof(info->scratch), "%s", scratch);
	if (cover_etc(scratch, "resolv.conf", rc, info->resolv_conf,
	    sizeof(info->resolv_conf), err) < 0)
		return -1;
	return cover_etc(scratch, "hosts", hosts, hosts_file, sizeof(hosts_file), err);
}

/* Network setup inside: lo up, IPv6 enabled on it. */
static int
setup_net(struct dl_err *err)
{
	const char *v6 = "/proc/sys/net/ipv6/conf/lo/disable_ipv6";

	if (dl_sandbox_lo_up(err) < 0)
		return -1;
	if (access(v6, F_OK) == 0 && write_proc(v6, "0", err) < 0)
		return -1;
	return 0;
}

/* Returns only in the worker. */
static int
fork_init_and_worker(const sigset_t *set, const sigset_t *oldset,
    struct dl_err *err)
{
	int alive[2];
	pid_t init, worker;

	if (pipe2(alive, O_CLOEXEC) < 0)
		return dl_errf(err, "sandbox: pipe: %s", strerror(errno));
	if (unshare(CLONE_NEWPID) < 0)
		return dl_errf(err, "sandbox: unshare(pid): %s", strerror(errno));
	init = fork();
	if (init < 0)
		return dl_errf(err, "sandbox: fork: %s", strerror(errno));
	if (init > 0) {
		close(alive[0]);
		wait_and_forward(init, 0, set);
	}
	/* pid 1.  If the waiter died before PDEATHSIG was armed, the pipe's
	   write end is already closed: give up at once. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	close(alive[1]);
	struct pollfd pfd = { .fd = alive[0], .events = POLLIN };
	if (poll(&pfd, 1, 0) != 0)
		_exit(1);
	worker = fork();
	if (worker < 0)
		_exit(1);
	if (worker > 0) {
		close(alive[0]);
		wait_and_forward(worker, 1, set);
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	close(alive[0]);
	if (getppid() != 1)
		_exit(1);
	sigprocmask(SIG_SETMASK, oldset, NULL);
	return 0;
}

int
dl_sandbox_enter(const struct dl_sandbox_opts *opts,
    struct dl_sandbox_info *info, struct dl_err *err)
{
	sigset_t set, oldset;
	const char *scratch;

	memset(info, 0, sizeof(*info));
	scratch = opts->scratch ? opts->scratch :
	    dl_sandbox_pick_scratch(opts->keep, opts->n_keep);
	if (scratch == NULL)
		return dl_errf(err, "sandbox: no scratch mount point hides "
		    "none of the paths to keep (tried /tmp, /var/tmp, /mnt, "
		    "/media, /srv, /opt)");
	if (enter_user_net_mnt(err) < 0)
		return -1;
	/* Block before forking so no signal slips between fork and wait. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &oldset);
	fflush(NULL);
	if (fork_init_and_worker(&set, &oldset, err) < 0) {
		sigprocmask(SIG_SETMASK, &oldset, NULL);
		return -1;
	}
	if (setup_mounts(scratch, opts, info, err) < 0)
		return -1;
	return setup_net(err);
}
