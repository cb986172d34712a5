/*
 * dl-smtpload_main.c -- bin/dl-smtpload: a load generator for dl-smtpd.
 *
 * N concurrent sessions, each: greeting, EHLO, STARTTLS, TLS handshake
 * (no verification: this measures the server), EHLO, MAIL, RCPT, DATA,
 * message, QUIT; repeated for D seconds or M sessions.  One event loop.
 *
 *   dl-smtpload -a ADDR [-p PORT] [--count K] [-c CONC] [-d SEC] [-n MAX]
 *               [--servername NAME]
 *
 * --count K spreads sessions over K consecutive IPv4 addresses from ADDR
 * (one persona each).  Prints one line:
 *   sessions=N failed=N seconds=S rate=R/s
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "servers/persona.h"
#include "servers/smtp_parse.h"
#include "servers/tls.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/log.h"

enum step {
	S_GREET, S_EHLO1, S_STARTTLS, S_HANDSHAKE, S_EHLO2, S_MAIL, S_RCPT,
	S_DATA, S_BODY, S_QUIT, S_DONE,
};

/* What each step sends and the reply code it expects. */
static const struct {
	const char *send;
	int expect;
} steps[] = {
	[S_GREET] = { NULL, 220 },
	[S_EHLO1] = { "EHLO load.danelab.test\r\n", 250 },
	[S_STARTTLS] = { "STARTTLS\r\n", 220 },
	[S_HANDSHAKE] = { NULL, 0 },
	[S_EHLO2] = { "EHLO load.danelab.test\r\n", 250 },
	[S_MAIL] = { "MAIL FROM:<load@danelab.test>\r\n", 250 },
	[S_RCPT] = { "RCPT TO:<sink@danelab.test>\r\n", 250 },
	[S_DATA] = { "DATA\r\n", 354 },
	[S_BODY] = { "Subject: load\r\nMessage-ID: <load@danelab.test>\r\n\r\n"
	    "A message from dl-smtpload.\r\n.\r\n", 250 },
	[S_QUIT] = { "QUIT\r\n", 221 },
};

struct sess {
	int fd;
	SSL *ssl;
	enum step step;
	char in[2048];
	size_t in_len;
	uint32_t events;
};

struct load {
	SSL_CTX *ctx;
	int epfd;
	struct sockaddr_in base;
	int count, next_target;
	const char *servername;
	long started, ok, failed, max;
	double deadline;
	struct sess *sess;
	int conc;
};

static void
watch(struct load *l, struct sess *s, uint32_t want)
{
	struct epoll_event ev = { .events = want, .data.ptr = s };

	if (s->events == want)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_MOD, s->fd, &ev);
	s->events = want;
}

static int sess_start(struct load *l, struct sess *s);

static void
sess_end(struct load *l, struct sess *s, bool ok)
{
	if (ok)
		l->ok++;
	else
		l->failed++;
	SSL_free(s->ssl);
	s->ssl = NULL;
	close(s->fd);
	s->fd = -1;
	if ((l->max == 0 || l->started < l->max) && (dl_now_ns() / 1e9) < l->deadline)
		sess_start(l, s);
}

static int
sess_start(struct load *l, struct sess *s)
{
	struct sockaddr_in a = l->base;

	a.sin_addr.s_addr = htonl(ntohl(a.sin_addr.s_addr) +
	    (uint32_t)(l->next_target++ % l->count));
	memset(s, 0, sizeof(*s));
	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return -1;
	l->started++;
	int one = 1;
	setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(s->fd, (struct sockaddr *)&a, sizeof(a)) < 0 &&
	    errno != EINPROGRESS) {
		close(s->fd);
		s->fd = -1;
		l->failed++;
		return -1;
	}
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = s };
	s->events = EPOLLIN;
	epoll_ctl(l->epfd, EPOLL_CTL_ADD, s->fd, &ev);
	return 0;
}

static int
sess_send(struct sess *s, const char *data)
{
	size_t n = strlen(data);

	/* Commands are small: one write fits in the socket buffer. */
	if (s->ssl)
		return SSL_write(s->ssl, data, (int)n) == (int)n ? 0 : -1;
	return send(s->fd, data, n, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -1;
}

/* A complete reply in the buffer: its code (consumed), 0 if incomplete, -1 bad. */
static int
take_reply(struct sess *s)
{
	size_t used;
	int code, r = smtp_take_reply(s->in, s->in_len, &code, &used);

	if (r <= 0)
		return r;
	memmove(s->in, s->in + used, s->in_len - used);
	s->in_len -= used;
	return code;
}

static int
handshake(struct load *l, struct sess *s)
{
	int r = SSL_connect(s->ssl);

	if (r == 1) {
		s->step = S_EHLO2;
		watch(l, s, EPOLLIN);
		return sess_send(s, steps[S_EHLO2].send);
	}
	int e = SSL_get_error(s->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		watch(l, s, e == SSL_ERROR_WANT_READ ? EPOLLIN : EPOLLOUT);
		return 0;
	}
	ERR_clear_error();
	return -1;
}

static int
start_tls(struct load *l, struct sess *s)
{
	s->ssl = SSL_new(l->ctx);
	if (s->ssl == NULL || SSL_set_fd(s->ssl, s->fd) != 1)
		return -1;
	if (l->servername)
		SSL_set_tlsext_host_name(s->ssl, l->servername);
	s->step = S_HANDSHAKE;
	return handshake(l, s);
}

static int
sess_read(struct sess *s)
{
	size_t space = sizeof(s->in) - s->in_len;

	if (space == 0)
		return -1;
	int e, r = tls_read_some(s->ssl, s->fd, s->in + s->in_len, space, &e);
	if (r > 0)
		s->in_len += (size_t)r;
	else
		ERR_clear_error();
	return r;
}

/* Advance one session; returns -1 on failure, 1 when done. */
static int
sess_event(struct load *l, struct sess *s)
{
	if (s->step == S_HANDSHAKE)
		return handshake(l, s);
	for (;;) {
		int code;
		while ((code = take_reply(s)) > 0) {
			if (code != steps[s->step].expect)
				return -1;
			if (s->step == S_QUIT)
				return 1;
			if (s->step == S_STARTTLS) {
				if (s->in_len != 0)
					return -1;
				return start_tls(l, s);
			}
			s->step++;
			if (sess_send(s, steps[s->step].send) < 0)
				return -1;
		}
		if (code < 0)
			return -1;
		int r = sess_read(s);
		if (r <= 0)
			return r;
	}
}

static int
run(struct load *l)
{
	struct epoll_event evs[256];

	for (int i = 0; i < l->conc; i++)
		if (l->max == 0 || l->started < l->max)
			sess_start(l, &l->sess[i]);
	while (l->ok + l->failed < l->started) {
		int n = epoll_wait(l->epfd, evs, 256, 1000);
		if (n < 0 && errno != EINTR)
			return -1;
		for (int i = 0; i < n; i++) {
			struct sess *s = evs[i].data.ptr;
			if (s->fd < 0)
				continue;
			int r = sess_event(l, s);
			if (r != 0)
				sess_end(l, s, r > 0);
		}
		if ((dl_now_ns() / 1e9) > l->deadline + 10)
			break; /* sessions stuck past the end: count them failed */
	}
	l->failed += l->started - l->ok - l->failed;
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'k' },
		{ "servername", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct load l = { .count = 1, .conc = 16 };
	const char *addr = NULL, *port = "25";
	double secs = 5;
	int ch;

	while ((ch = getopt_long(argc, argv, "a:p:c:d:n:", opts, NULL)) != -1) {
		switch (ch) {
		case 'a': addr = optarg; break;
		case 'p': port = optarg; break;
		case 'c': l.conc = atoi(optarg); break;
		case 'd': secs = atof(optarg); break;
		case 'n': l.max = atol(optarg); break;
		case 'k': l.count = atoi(optarg); break;
		case 's': l.servername = optarg; break;
		default:
			fprintf(stderr, "usage: dl-smtpload -a ADDR [-p PORT] [--count K] "
			    "[-c CONC] [-d SEC] [-n MAX] [--servername NAME]\n");
			return 2;
		}
	}
	struct sockaddr_storage ss;
	socklen_t sl;
	struct dl_err err;
	dl_log_init(argv[0], DL_LOG_WARN);
	if (addr == NULL || l.conc < 1 || l.conc > 10000 || l.count < 1 ||
	    persona_parse_addr(addr, port, &ss, &sl, &err) < 0 ||
	    ss.ss_family != AF_INET) {
		fprintf(stderr, "dl-smtpload: need -a IPv4-LAB-ADDR (and sane -c, "
		    "--count)%s%s\n", addr ? ": " : "", addr ? err.msg : "");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	memcpy(&l.base, &ss, sizeof(l.base));
	l.ctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_verify(l.ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_session_cache_mode(l.ctx, SSL_SESS_CACHE_OFF);
	l.epfd = epoll_create1(EPOLL_CLOEXEC);
	l.sess = calloc((size_t)l.conc, sizeof(*l.sess));
	double t0 = (dl_now_ns() / 1e9);
	l.deadline = t0 + secs;
	run(&l);
	double dt = (dl_now_ns() / 1e9) - t0;
	printf("sessions=%ld failed=%ld seconds=%.2f rate=%.1f/s\n", l.ok,
	    l.failed, dt, l.ok / dt);
	free(l.sess);
	close(l.epfd);
	SSL_CTX_free(l.ctx);
	return l.failed > 0 && l.ok == 0 ? 1 : 0;
}
