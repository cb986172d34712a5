/*
 * smtp.c -- the SMTP client state machine (see smtp.h).
 */
#include "client/smtp.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <openssl/err.h>

#include "util/log.h"

enum smtp_state {
	S_CONNECT = 0, S_GREETING, S_EHLO, S_HELO, S_STARTTLS, S_TLS,
	S_EHLO_TLS, S_MAIL, S_RCPT, S_DATA, S_BODY, S_QUIT, S_DONE,
	S_COUNT
};

static const char *const state_names[S_COUNT] = {
	"CONNECT", "GREETING", "EHLO", "HELO", "STARTTLS", "TLS", "EHLO_TLS",
	"MAIL", "RCPT", "DATA", "BODY", "QUIT", "DONE",
};

struct sess {
	const struct dl_smtp_cfg *cfg;
	const struct dl_tls_params *tp;
	struct dl_conn_rec *c;
	enum smtp_state state;
	int fd;
	SSL *ssl;
	char rbuf[DL_SMTP_LINE_MAX * 2];
	size_t rlen;
	/* the last reply */
	int code;
	struct dl_buf text;
	bool ext_starttls;       /* from the most recent EHLO */
	bool tls_active;
	/* Bytes standing in for the server (dl_smtp_read_replies), when fd < 0. */
	const char *feed;
	size_t feed_len;
};

static const char *
state_str(enum smtp_state st)
{
	return (unsigned)st < S_COUNT ? state_names[st] : "?";
}

/* The one transition function: every state change goes through here. */
static void
smtp_goto(struct sess *s, enum smtp_state next)
{
	log_debug("smtp", "[%s]:%d %s -> %s", s->c->address, s->c->port,
	    state_str(s->state), state_str(next));
	s->state = next;
}

/* End the session: record why, then QUIT if the channel is usable. */
static void
finish(struct sess *s, enum dl_conn_end end, bool quit, const char *detail)
{
	s->c->end = end;
	if (s->code != 0)
		s->c->last_code = s->code;
	if (detail && s->c->detail == NULL)
		s->c->detail = dl_xstrdup(detail);
	smtp_goto(s, quit ? S_QUIT : S_DONE);
}

static int
io_write(struct sess *s, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n;
		if (s->ssl) {
			int r = SSL_write(s->ssl, data, (int)len);
			n = r > 0 ? r : -1;
		} else {
			n = send(s->fd, data, len, MSG_NOSIGNAL);
		}
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
io_fill(struct sess *s)
{
	ssize_t n;
	size_t room = sizeof(s->rbuf) - s->rlen;

	if (room == 0)
		return -1;
	if (s->fd < 0) {
		/* Fed bytes arrive in small pieces, as from a slow server. */
		n = (ssize_t)(s->feed_len < room ? s->feed_len : room);
		n = n > 7 ? 7 : n;
		memcpy(s->rbuf + s->rlen, s->feed, (size_t)n);
		s->feed += n;
		s->feed_len -= (size_t)n;
	} else if (s->ssl) {
		int r = SSL_read(s->ssl, s->rbuf + s->rlen, (int)room);
		n = r > 0 ? r : -1;
	} else {
		n = recv(s->fd, s->rbuf + s->rlen, room, 0);
	}
	if (n <= 0)
		return -1;
	s->rlen += (size_t)n;
	return 0;
}

/* One line without CRLF into line (bounded); -1 on EOF/timeout/overlong. */
static int
read_line(struct sess *s, char *line, size_t max)
{
	for (;;) {
		char *nl = memchr(s->rbuf, '\n', s->rlen);
		if (nl != NULL) {
			size_t l = (size_t)(nl - s->rbuf);
			size_t keep = l;
			if (keep > 0 && s->rbuf[keep - 1] == '\r')
				keep--;
			if (keep >= max)
				return -1;
			memcpy(line, s->rbuf, keep);
			line[keep] = '\0';
			memmove(s->rbuf, nl + 1, s->rlen - l - 1);
			s->rlen -= l + 1;
			return 0;
		}
		if (s->rlen >= DL_SMTP_LINE_MAX || io_fill(s) < 0)
			return -1;
	}
}

/* Read one (multi-line) reply into s->code / s->text and record it. */
static int
read_reply(struct sess *s, const char *cmd)
{
	char line[DL_SMTP_LINE_MAX];

	s->code = 0;
	dl_buf_reset(&s->text);
	for (int i = 0; i < DL_SMTP_REPLY_LINES; i++) {
		if (read_line(s, line, sizeof(line)) < 0)
			break;
		if (strlen(line) < 3 || line[0] < '1' || line[0] > '5' ||
		    line[1] < '0' || line[1] > '9' || line[2] < '0' ||
		    line[2] > '9' || (line[3] != '\0' && line[3] != ' ' &&
		    line[3] != '-'))
			break;
		int code = atoi(line);
		if (i > 0 && code != s->code)
			break;
		s->code = code;
		if (s->text.len)
			dl_buf_addc(&s->text, '\n');
		dl_buf_adds(&s->text, line[3] ? line + 4 : "");
		if (line[3] != '-') {
			dl_conn_add_reply(s->c, cmd, s->code, s->text.data);
			return 0;
		}
	}
	s->code = 0;
	dl_conn_add_reply(s->c, cmd, 0, "(no valid reply)");
	return -1;
}

/* Send a command and read its reply; -1 on I/O trouble (session ends). */
static int
command(struct sess *s, const char *verb, const char *arg, const char *end)
{
	char cmd[1200];

	snprintf(cmd, sizeof(cmd), "%s%s%s", verb, arg ? arg : "",
	    end ? end : "");
	log_debug("smtp", "[%s] >>> %s", s->c->address, cmd);
	size_t l = strlen(cmd);
	memcpy(cmd + l, "\r\n", 3);
	if (io_write(s, cmd, l + 2) < 0) {
		cmd[l] = '\0';
		dl_conn_add_reply(s->c, cmd, 0, "(write failed)");
		return -1;
	}
	cmd[l] = '\0';
	if (read_reply(s, cmd) < 0)
		return -1;
	log_debug("smtp", "[%s] <<< %d %.*s%s", s->c->address, s->code,
	    (int)strcspn(s->text.data, "\n"), s->text.data,
	    strchr(s->text.data, '\n') ? " ..." : "");
	return 0;
}

static bool
has_ext(const char *text, const char *kw)
{
	const char *p = strchr(text, '\n');   /* first line is the greeting */

	while (p != NULL) {
		p++;
		size_t l = strlen(kw);
		if (strncasecmp(p, kw, l) == 0 && (p[l] == '\0' ||
		    p[l] == '\n' || p[l] == ' '))
			return true;
		p = strchr(p, '\n');
	}
	return false;
}

int
dl_smtp_read_replies(const char *data, size_t len, struct dl_conn_rec *c)
{
	struct sess s = { .c = c, .fd = -1, .feed = data, .feed_len = len };
	int n = 0;

	while (read_reply(&s, n == 0 ? "" : "EHLO x") == 0) {
		n++;
		(void)has_ext(s.text.data, "STARTTLS");
	}
	dl_buf_free(&s.text);
	return n;
}

static void
set_timeouts(int fd, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static void
st_connect(struct sess *s, const struct sockaddr *sa, socklen_t salen)
{
	struct pollfd pfd;
	int soerr = 0;
	socklen_t sl = sizeof(soerr);

	s->fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return finish(s, DL_END_CONNECT_FAILED, false, strerror(errno));
	fcntl(s->fd, F_SETFL, O_NONBLOCK);
	if (connect(s->fd, sa, salen) < 0 && errno != EINPROGRESS)
		return finish(s, DL_END_CONNECT_FAILED, false, strerror(errno));
	pfd.fd = s->fd;
	pfd.events = POLLOUT;
	if (poll(&pfd, 1, s->cfg->connect_timeout_ms) <= 0)
		return finish(s, DL_END_CONNECT_FAILED, false,
		    "connect timed out");
	getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
	if (soerr != 0)
		return finish(s, DL_END_CONNECT_FAILED, false, strerror(soerr));
	fcntl(s->fd, F_SETFL, 0);
	set_timeouts(s->fd, s->cfg->timeout_ms);
	/* One command, one reply: Nagle would only add delayed-ACK stalls. */
	setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
	smtp_goto(s, S_GREETING);
}

static void
st_greeting(struct sess *s)
{
	if (read_reply(s, "") < 0)
		return finish(s, DL_END_IO_ERROR, false, "no greeting");
	if (s->code != 220)
		return finish(s, DL_END_GREETING_REJECTED, true, s->text.data);
	smtp_goto(s, S_EHLO);
}

/* TLS is required by the plan: STARTTLS missing or refused ends it. */
static bool
tls_required(const struct sess *s)
{
	return s->tp->plan == DL_PLAN_DANE || s->tp->plan == DL_PLAN_ENCRYPT;
}

static void
after_ehlo_clear(struct sess *s)
{
	s->c->starttls_offered = s->ext_starttls;
	if (s->ext_starttls)
		return smtp_goto(s, S_STARTTLS);
	/*
	 * 7672-2.2-a, 7672-2.2.3-b: with any secure TLSA record (usable or
	 * not) the message goes only over TLS; no cleartext fallback.
	 */
	if (tls_required(s) && !dl_violates(s->cfg->v, DL_VIOL_CLEARTEXT_FALLBACK))
		return finish(s, DL_END_NO_STARTTLS, true,
		    "STARTTLS not offered but TLS required by secure TLSA");
	smtp_goto(s, S_MAIL);
}

static void
st_ehlo(struct sess *s, bool helo)
{
	if (command(s, helo ? "HELO " : "EHLO ", s->cfg->helo, NULL) < 0)
		return finish(s, DL_END_IO_ERROR, false, "EHLO: no reply");
	if (s->code != 250) {
		if (!helo && s->code >= 500)
			return smtp_goto(s, S_HELO);
		return finish(s, DL_END_EHLO_REJECTED, true, s->text.data);
	}
	s->ext_starttls = !helo && has_ext(s->text.data, "STARTTLS");
	after_ehlo_clear(s);
}

static void
st_starttls(struct sess *s)
{
	/* 3207-4-d: STARTTLS is sent on its own, never pipelined. */
	s->c->starttls_sent = true;
	if (command(s, "STARTTLS", NULL, NULL) < 0)
		return finish(s, DL_END_IO_ERROR, false, "STARTTLS: no reply");
	if (s->code == 220)
		return smtp_goto(s, S_TLS);
	/* 3207-4-a: the policy (secure TLSA) forbids going on in clear. */
	if (tls_required(s) && !dl_violates(s->cfg->v, DL_VIOL_CLEARTEXT_FALLBACK))
		return finish(s, DL_END_STARTTLS_REJECTED, true, s->text.data);
	smtp_goto(s, S_MAIL);
}

static void
tls_error(struct sess *s, const char *what)
{
	struct dl_buf b = DL_BUF_INIT;
	unsigned long e;
	char line[256];

	dl_buf_adds(&b, what);
	while ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, line, sizeof(line));
		dl_buf_printf(&b, "; %s", line);
	}
	s->c->tls.error = dl_buf_take(&b);
}

static void
st_tls(struct sess *s)
{
	struct dl_err err;

	/*
	 * 3207-6-d: anything the server sent in clear after its 220 reply
	 * (response injection) is thrown away before TLS starts.
	 */
	if (!dl_violates(s->cfg->v, DL_VIOL_KEEP_PRE_TLS_BUFFER))
		s->rlen = 0;
	s->ssl = dl_tls_new(s->cfg->tls, s->tp, &s->c->tls, &err);
	if (s->ssl == NULL) {
		s->c->tls.error = dl_xstrdup(err.msg);
		return finish(s, DL_END_TLS_FAILED, false, err.msg);
	}
	SSL_set_fd(s->ssl, s->fd);
	if (SSL_connect(s->ssl) <= 0) {
		tls_error(s, "handshake failed");
		SSL_free(s->ssl);
		s->ssl = NULL;
		return finish(s, DL_END_TLS_FAILED, false, s->c->tls.error);
	}
	s->tls_active = true;
	/* 3207-4.1-a/b: judge the session, QUIT at once if it fails. */
	if (!dl_tls_judge(s->ssl, s->tp, &s->c->tls))
		return finish(s, DL_END_AUTH_FAILED, true,
		    s->c->tls.verify_error ? s->c->tls.verify_error :
		    "no TLSA record matched");
	s->c->security = s->c->tls.authenticated ? DL_SECURITY_DANE :
	    DL_SECURITY_ENCRYPTED;
	/* 3207-4.2-b: EHLO first after the handshake. */
	if (dl_violates(s->cfg->v, DL_VIOL_NO_EHLO_AFTER_TLS))
		return smtp_goto(s, S_MAIL);
	smtp_goto(s, S_EHLO_TLS);
}

static void
st_ehlo_tls(struct sess *s)
{
	/* 3207-4.2-a: forget what was learned in clear. */
	s->ext_starttls = false;
	if (command(s, "EHLO ", s->cfg->helo, NULL) < 0)
		return finish(s, DL_END_IO_ERROR, false, "EHLO: no reply");
	if (s->code != 250)
		return finish(s, DL_END_EHLO_REJECTED, true, s->text.data);
	/* 3207-4.2-d: never STARTTLS inside TLS. */
	if (has_ext(s->text.data, "STARTTLS") &&
	    dl_violates(s->cfg->v, DL_VIOL_SECOND_STARTTLS)) {
		s->c->starttls_offered = true;
		if (command(s, "STARTTLS", NULL, NULL) < 0)
			return finish(s, DL_END_IO_ERROR, false,
			    "second STARTTLS: no reply");
	}
	smtp_goto(s, S_MAIL);
}

static void
st_mail(struct sess *s)
{
	if (command(s, "MAIL FROM:<", s->cfg->from, ">") < 0)
		return finish(s, DL_END_IO_ERROR, false, "MAIL: no reply");
	if (s->code != 250)
		return finish(s, DL_END_MAIL_REJECTED, true, s->text.data);
	smtp_goto(s, S_RCPT);
}

static void
st_rcpt(struct sess *s)
{
	size_t ok = 0;

	for (size_t i = 0; i < s->cfg->nrcpts; i++) {
		if (command(s, "RCPT TO:<", s->cfg->rcpts[i], ">") < 0)
			return finish(s, DL_END_IO_ERROR, false,
			    "RCPT: no reply");
		if (s->code == 250 || s->code == 251)
			ok++;
	}
	if (ok == 0)
		return finish(s, DL_END_RCPT_REJECTED, true, s->text.data);
	smtp_goto(s, S_DATA);
}

static void
st_data(struct sess *s)
{
	if (command(s, "DATA", NULL, NULL) < 0)
		return finish(s, DL_END_IO_ERROR, false, "DATA: no reply");
	if (s->code != 354)
		return finish(s, DL_END_DATA_REJECTED, true, s->text.data);
	smtp_goto(s, S_BODY);
}

static void
st_body(struct sess *s)
{
	const struct dl_buf *b = s->cfg->body;

	if (io_write(s, b->data, b->len) < 0 || io_write(s, ".\r\n", 3) < 0 ||
	    read_reply(s, ".") < 0)
		return finish(s, DL_END_IO_ERROR, false, "message: no reply");
	if (s->code != 250)
		return finish(s, DL_END_DATA_REJECTED, true, s->text.data);
	finish(s, DL_END_DELIVERED, true, s->text.data);
}

static void
st_quit(struct sess *s)
{
	int keep = s->c->last_code;

	(void)command(s, "QUIT", NULL, NULL);
	s->c->last_code = keep;
	smtp_goto(s, S_DONE);
}

enum dl_conn_end
dl_smtp_session(const struct dl_smtp_cfg *cfg, const struct sockaddr *sa,
	socklen_t salen, const struct dl_tls_params *tp, struct dl_conn_rec *c)
{
	struct sess s;

	memset(&s, 0, sizeof(s));
	s.cfg = cfg;
	s.tp = tp;
	s.c = c;
	s.fd = -1;
	while (s.state != S_DONE) {
		switch (s.state) {
		case S_CONNECT: st_connect(&s, sa, salen); break;
		case S_GREETING: st_greeting(&s); break;
		case S_EHLO: st_ehlo(&s, false); break;
		case S_HELO: st_ehlo(&s, true); break;
		case S_STARTTLS: st_starttls(&s); break;
		case S_TLS: st_tls(&s); break;
		case S_EHLO_TLS: st_ehlo_tls(&s); break;
		case S_MAIL: st_mail(&s); break;
		case S_RCPT: st_rcpt(&s); break;
		case S_DATA: st_data(&s); break;
		case S_BODY: st_body(&s); break;
		case S_QUIT: st_quit(&s); break;
		default: smtp_goto(&s, S_DONE); break;
		}
	}
	if (s.ssl) {
		SSL_shutdown(s.ssl);
		SSL_free(s.ssl);
	}
	if (s.fd >= 0)
		close(s.fd);
	dl_buf_free(&s.text);
	return c->end;
}

void
dl_smtp_body(const char *in, size_t len, struct dl_buf *out)
{
	bool bol = true;

	for (size_t i = 0; i < len; i++) {
		char ch = in[i];
		if (bol && ch == '.')
			dl_buf_addc(out, '.');   /* RFC 5321 §4.5.2 */
		if (ch == '\r' && i + 1 < len && in[i + 1] == '\n')
			continue;
		if (ch == '\n') {
			dl_buf_add(out, "\r\n", 2);
			bol = true;
			continue;
		}
		dl_buf_addc(out, ch);
		bol = false;
	}
	if (!bol)
		dl_buf_add(out, "\r\n", 2);
}
