/*
 * smtpd.c -- the server process: listeners, the epoll loop, timers, the
 * control socket and signals (see smtpd.h).
 */
#include "servers/smtpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/log.h"

#define CTL_LINE_MAX 512
#define SYNC_ROUNDS  64

struct ctl_client {
	struct ep_ref ref;
	struct smtpd *srv;
	int fd;
	uint32_t events;
	char in[CTL_LINE_MAX];
	size_t in_len;
	char *sync_prefix;         /* a sync waits for the drain */
	bool sync_pending;
	bool dead;
	struct ctl_client *next;
};

void
smtpd_watch(struct smtpd *s, int fd, struct ep_ref *ref, uint32_t *cur,
    uint32_t want)
{
	struct epoll_event ev = { .events = want, .data.ptr = ref };

	if (*cur == want)
		return;
	/* Client fds are added at accept; a relay fd on first use. */
	if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 && errno == ENOENT)
		epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev);
	*cur = want;
}

void
smtpd_hold(struct smtpd *s, struct conn *c)
{
	c->hnext = s->held;
	s->held = c;
}

void
smtpd_unhold(struct smtpd *s, struct conn *c)
{
	for (struct conn **pp = &s->held; *pp; pp = &(*pp)->hnext)
		if (*pp == c) {
			*pp = c->hnext;
			c->hnext = NULL;
			return;
		}
}

void
smtpd_conn_closed(struct smtpd *s, struct conn *c)
{
	smtpd_unhold(s, c);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->n_conns--;
	c->next = s->dead;
	c->prev = NULL;
	s->dead = c;
}

static int
listen_one(struct smtpd *s, struct persona *p, struct ep_ref *ref,
    struct dl_err *err)
{
	int one = 1;
	int fd = socket(p->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);

	if (fd < 0)
		return dl_errf(err, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* A mail host's IPv6 address is on a local route, not on an interface
	   (docs/architecture.md, "Topology"): binding to it needs FREEBIND. */
	if (p->addr.ss_family == AF_INET6 &&
	    (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one)) < 0)) {
		int e = errno;
		close(fd);
		return dl_errf(err, "%s:%d: persona '%s': IPv6 socket options: %s",
		    p->file, p->line, p->name, strerror(e));
	}
	if (bind(fd, (struct sockaddr *)&p->addr, p->addr_len) < 0 ||
	    listen(fd, 1024) < 0) {
		int e = errno;
		close(fd);
		return dl_errf(err, "%s:%d: persona '%s': cannot listen on %s port "
		    "%d: %s", p->file, p->line, p->name, p->addr_str, p->port,
		    strerror(e));
	}
	p->listen_fd = fd;
	ref->kind = EP_LISTEN;
	ref->obj = p;
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = ref };
	epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev);
	return 0;
}

static int
control_listen(struct smtpd *s, struct dl_err *err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	if (strlen(s->o.control_path) >= sizeof(sun.sun_path))
		return dl_errf(err, "%s: control path too long, expected at most "
		    "%zu bytes", s->o.control_path, sizeof(sun.sun_path) - 1);
	memcpy(sun.sun_path, s->o.control_path, strlen(s->o.control_path) + 1);
	unlink(s->o.control_path);
	s->ctl_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->ctl_fd < 0 || bind(s->ctl_fd, (struct sockaddr *)&sun,
	    sizeof(sun)) < 0 || listen(s->ctl_fd, 16) < 0)
		return dl_errf(err, "%s: cannot listen: %s", s->o.control_path,
		    strerror(errno));
	s->ctl_ref.kind = EP_CTL_LISTEN;
	s->ctl_ref.obj = s;
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &s->ctl_ref };
	epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->ctl_fd, &ev);
	return 0;
}

static int
signals_init(struct smtpd *s, struct dl_err *err)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	s->sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (s->sig_fd < 0)
		return dl_errf(err, "signalfd: %s", strerror(errno));
	s->sig_ref.kind = EP_SIGNAL;
	s->sig_ref.obj = s;
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &s->sig_ref };
	epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->sig_fd, &ev);
	return 0;
}

/* Room for every connection we allow, plus listeners and slack. */
static void
raise_fd_limit(struct smtpd *s)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)s->o.max_conns * 2 + s->set.n + 64;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < need) {
		rl.rlim_cur = need < rl.rlim_max ? need : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int
smtpd_init(struct smtpd *s, const struct smtpd_opts *o, struct dl_err *err)
{
	memset(s, 0, sizeof(*s));
	s->o = *o;
	s->epfd = s->ctl_fd = s->sig_fd = -1;
	if (persona_conf_load(o->config_path, &s->set, err) < 0)
		return -1;
	if (tls_store_init(&s->tls, o->keylog_path, err) < 0 ||
	    tls_personas_load(&s->tls, &s->set, err) < 0)
		return -1;
	if (o->evidence_path) {
		s->evidence = fopen(o->evidence_path, "a");
		if (s->evidence == NULL)
			return dl_errf(err, "%s: %s", o->evidence_path, strerror(errno));
	}
	raise_fd_limit(s);
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0)
		return dl_errf(err, "epoll_create1: %s", strerror(errno));
	s->listen_refs = dl_xcalloc(s->set.n, sizeof(*s->listen_refs));
	for (size_t i = 0; i < s->set.n; i++)
		if (listen_one(s, &s->set.v[i], &s->listen_refs[i], err) < 0)
			return -1;
	if (o->control_path && control_listen(s, err) < 0)
		return -1;
	return signals_init(s, err);
}

static void
peer_str(const struct sockaddr_storage *ss, char *out, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(out, len, "%s:%d", a, ntohs(s4->sin_port));
	} else {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(out, len, "[%s]:%d", a, ntohs(s6->sin6_port));
	}
}

static void
accept_one(struct smtpd *s, struct persona *p, int fd,
    const struct sockaddr_storage *ss)
{
	char peer[80];

	if (s->n_conns >= (size_t)s->o.max_conns) {
		static const char busy[] = "421 4.3.2 too many connections\r\n";
		s->refused++;
		log_warn("smtp", "persona %s: refusing a connection: %zu open",
		    p->name, s->n_conns);
		(void)!send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		close(fd);
		return;
	}
	/* Replies are small writes: no Nagle delay between them and TLS records. */
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	peer_str(ss, peer, sizeof(peer));
	struct conn *c = conn_new(s, p, fd, peer);
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	s->n_conns++;
	s->accepted++;
	struct epoll_event ev = { .events = 0, .data.ptr = &c->ref };
	epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev);
	if (p->relay) {
		if (relay_start(c) < 0) {
			ev_list_add(&c->ev.actions, "relay-connect-failed", 20);
			conn_queue(c, "421 4.4.0 relay unavailable\r\n", 29);
			c->close_pending = true;
			c->close_end = END_RELAY_CLOSE;
		}
		conn_run(c);
		return;
	}
	session_start(c);
}

static void
on_listen(struct smtpd *s, struct persona *p)
{
	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int fd = accept4(p->listen_fd, (struct sockaddr *)&ss, &sl,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				log_warn("smtp", "persona %s: accept: %s", p->name,
				    strerror(errno));
			return;
		}
		accept_one(s, p, fd, &ss);
	}
}

/* ---- control socket ---- */

static void
ctl_send(struct ctl_client *k, const char *line)
{
	/* Replies are short; a client that does not read loses them. */
	if (send(k->fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		k->dead = true;
}

static size_t
count_open(const struct smtpd *s, const char *prefix)
{
	size_t n = 0, pl = strlen(prefix);

	for (const struct conn *c = s->conns; c; c = c->next)
		if (!c->dead && strncmp(c->p->name, prefix, pl) == 0)
			n++;
	return n;
}

static void
ctl_command(struct smtpd *s, struct ctl_client *k, char *line)
{
	char reply[160];

	if (strncmp(line, "sync", 4) == 0 && (line[4] == '\0' || line[4] == ' ')) {
		free(k->sync_prefix);
		k->sync_prefix = dl_xstrdup(line[4] ? line + 5 : "");
		k->sync_pending = true;
		s->sync_wanted = true;
	} else if (strcmp(line, "stats") == 0) {
		snprintf(reply, sizeof(reply), "conns %zu accepted %llu refused %llu "
		    "personas %zu\n", s->n_conns, (unsigned long long)s->accepted,
		    (unsigned long long)s->refused, s->set.n);
		ctl_send(k, reply);
	} else if (strcmp(line, "quit") == 0) {
		ctl_send(k, "ok\n");
		s->stop = true;
	} else {
		ctl_send(k, "error unknown command, expected sync [PREFIX], stats "
		    "or quit\n");
	}
}

static void
on_ctl(struct smtpd *s, struct ctl_client *k)
{
	for (;;) {
		ssize_t r = read(k->fd, k->in + k->in_len, sizeof(k->in) - k->in_len);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (r <= 0) {
			k->dead = true;
			return;
		}
		k->in_len += (size_t)r;
		char *nl;
		while ((nl = memchr(k->in, '\n', k->in_len)) != NULL) {
			size_t ll = (size_t)(nl - k->in);
			*nl = '\0';
			if (ll > 0 && k->in[ll - 1] == '\r')
				k->in[ll - 1] = '\0';
			ctl_command(s, k, k->in);
			memmove(k->in, nl + 1, k->in_len - ll - 1);
			k->in_len -= ll + 1;
		}
		if (k->in_len == sizeof(k->in)) {
			ctl_send(k, "error line too long\n");
			k->dead = true;
			return;
		}
	}
}

static void
on_ctl_listen(struct smtpd *s)
{
	int fd;

	while ((fd = accept4(s->ctl_fd, NULL, NULL, SOCK_NONBLOCK |
	    SOCK_CLOEXEC)) >= 0) {
		struct ctl_client *k = dl_xcalloc(1, sizeof(*k));
		k->ref.kind = EP_CTL;
		k->ref.obj = k;
		k->srv = s;
		k->fd = fd;
		k->next = s->ctls;
		s->ctls = k;
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &k->ref };
		epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev);
	}
}

static void
ctl_reap(struct smtpd *s)
{
	for (struct ctl_client **pp = &s->ctls; *pp;) {
		struct ctl_client *k = *pp;
		if (!k->dead) {
			pp = &k->next;
			continue;
		}
		*pp = k->next;
		close(k->fd);
		free(k->sync_prefix);
		free(k);
	}
}

/* ---- loop ---- */

static void
dispatch(struct smtpd *s, struct epoll_event *e)
{
	struct ep_ref *ref = e->data.ptr;

	switch (ref->kind) {
	case EP_LISTEN:
		on_listen(s, ref->obj);
		break;
	case EP_CONN: {
		struct conn *c = ref->obj;
		if (!c->dead)
			conn_run(c);
		break;
	}
	case EP_UPSTREAM: {
		struct conn *c = ref->obj;
		if (!c->dead)
			relay_upstream_event(c, e->events);
		break;
	}
	case EP_CTL_LISTEN:
		on_ctl_listen(s);
		break;
	case EP_CTL:
		on_ctl(s, ref->obj);
		break;
	case EP_SIGNAL: {
		struct signalfd_siginfo si;
		while (read(s->sig_fd, &si, sizeof(si)) == sizeof(si))
			s->stop = true;
		break;
	}
	}
}

static void
reap(struct smtpd *s)
{
	while (s->dead) {
		struct conn *c = s->dead;
		s->dead = c->next;
		conn_free(c);
	}
	ctl_reap(s);
}

/* Fire due timers; returns the epoll timeout until the next one. */
static int
timers(struct smtpd *s)
{
	int64_t now = dl_now_ms(), next = -1;
	struct conn *due = NULL;

	for (struct conn **pp = &s->held; *pp;) {
		struct conn *c = *pp;
		if (c->hold_until_ms <= now) {
			*pp = c->hnext;
			c->hnext = due;
			due = c;
			continue;
		}
		if (next < 0 || c->hold_until_ms < next)
			next = c->hold_until_ms;
		pp = &c->hnext;
	}
	while (due) {
		struct conn *c = due;
		due = c->hnext;
		c->hnext = NULL;
		if (!c->dead)
			conn_release_hold(c);
	}
	int t = next < 0 ? 1000 : (int)(next - now);
	return t > 1000 ? 1000 : t < 0 ? 0 : t;
}

static void
idle_sweep(struct smtpd *s)
{
	int64_t limit = dl_now_ms() - (int64_t)s->o.timeout_s * 1000;

	for (struct conn *c = s->conns, *n; c; c = n) {
		n = c->next;
		if (c->last_io_ms < limit && c->hold_until_ms == 0)
			conn_close(c, END_TIMEOUT);
	}
}

/* Handle whatever is ready now, without waiting, until nothing is. */
static void
drain(struct smtpd *s)
{
	struct epoll_event evs[128];

	for (int round = 0; round < SYNC_ROUNDS; round++) {
		int n = epoll_wait(s->epfd, evs, 128, 0);
		if (n <= 0)
			break;
		for (int i = 0; i < n; i++)
			dispatch(s, &evs[i]);
		reap(s);
	}
}

static void
answer_syncs(struct smtpd *s)
{
	char reply[64];

	drain(s);
	for (struct ctl_client *k = s->ctls; k; k = k->next) {
		if (!k->sync_pending || k->dead)
			continue;
		snprintf(reply, sizeof(reply), "open %zu\n",
		    count_open(s, k->sync_prefix));
		k->sync_pending = false;
		ctl_send(k, reply);
	}
	s->sync_wanted = false;
	reap(s);
}

static void
signal_ready(struct smtpd *s)
{
	if (s->o.ready_fd < 0)
		return;
	(void)!write(s->o.ready_fd, "ready\n", 6);
	close(s->o.ready_fd);
	s->o.ready_fd = -1;
}

int
smtpd_run(struct smtpd *s, struct dl_err *err)
{
	struct epoll_event evs[256];
	int64_t last_sweep = dl_now_ms();

	signal_ready(s);
	while (!s->stop) {
		int timeout = timers(s);
		int n = epoll_wait(s->epfd, evs, 256, timeout);
		if (n < 0 && errno != EINTR)
			return dl_errf(err, "epoll_wait: %s", strerror(errno));
		for (int i = 0; i < n; i++)
			dispatch(s, &evs[i]);
		reap(s);
		if (s->sync_wanted)
			answer_syncs(s);
		if (dl_now_ms() - last_sweep >= 1000) {
			idle_sweep(s);
			reap(s);
			last_sweep = dl_now_ms();
		}
	}
	return 0;
}

void
smtpd_free(struct smtpd *s)
{
	while (s->conns)
		conn_close(s->conns, END_SHUTDOWN);
	reap(s);
	for (struct ctl_client *k = s->ctls; k; k = k->next)
		k->dead = true;
	ctl_reap(s);
	for (size_t i = 0; i < s->set.n; i++)
		if (s->set.v[i].listen_fd >= 0)
			close(s->set.v[i].listen_fd);
	if (s->ctl_fd >= 0) {
		close(s->ctl_fd);
		unlink(s->o.control_path);
	}
	if (s->sig_fd >= 0)
		close(s->sig_fd);
	if (s->epfd >= 0)
		close(s->epfd);
	if (s->evidence)
		fclose(s->evidence);
	free(s->listen_refs);
	tls_store_free(&s->tls);
	persona_set_free(&s->set);
	memset(s, 0, sizeof(*s));
}
