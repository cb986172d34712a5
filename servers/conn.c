/*
 * conn.c -- the I/O side of a client connection (see conn.h).
 */
#include "servers/conn.h"

#include <errno.h>
#include <openssl/err.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "servers/smtpd.h"
#include "util/clock.h"
#include "util/log.h"

struct conn *
conn_new(struct smtpd *srv, struct persona *p, int fd, const char *peer)
{
	struct conn *c = dl_xcalloc(1, sizeof(*c));

	c->ref.kind = EP_CONN;
	c->ref.obj = c;
	c->uref.kind = EP_UPSTREAM;
	c->uref.obj = c;
	c->srv = srv;
	c->p = p;
	c->fd = fd;
	c->ufd = -1;
	c->last_io_ms = dl_now_ms();
	evidence_init(&c->ev, p->name,
	    p->role == ROLE_ATTACKER ? "attacker" : "server");
	snprintf(c->ev.listen, sizeof(c->ev.listen), "%s%s%s:%d",
	    p->addr.ss_family == AF_INET6 ? "[" : "", p->addr_str,
	    p->addr.ss_family == AF_INET6 ? "]" : "", p->port);
	snprintf(c->ev.peer, sizeof(c->ev.peer), "%s", peer);
	c->ev.start_ms = dl_wall_ms();
	if (p->role == ROLE_ATTACKER) {
		c->ev.attack = attack_mode_name(p->attack);
		c->ev.relay = p->relay ? p->relay_str : NULL;
	}
	return c;
}

void
conn_free(struct conn *c)
{
	evidence_free(&c->ev);
	dl_buf_free(&c->out);
	dl_buf_free(&c->held);
	dl_buf_free(&c->uout);
	dl_buf_free(&c->rep);
	EVP_MD_CTX_free(c->md);
	SSL_free(c->ssl);
	free(c);
}

void
conn_queue(struct conn *c, const void *data, size_t len)
{
	dl_buf_add(&c->out, data, len);
}

void
conn_queuef(struct conn *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dl_buf_vprintf(&c->out, fmt, ap);
	va_end(ap);
}

static void
do_post(struct conn *c, enum post_action post, enum conn_end end)
{
	if (post == POST_START_TLS)
		c->tls_pending = true;
	else if (post == POST_CLOSE) {
		c->close_pending = true;
		c->close_end = end;
	}
}

void
conn_reply(struct conn *c, enum smtp_stage stage, const char *bytes,
    size_t len, enum post_action post, enum conn_end end)
{
	if (c->p->silent[stage]) {
		c->st = ST_SILENT;
		return;
	}
	if (c->p->delay_ms[stage] > 0) {
		dl_buf_reset(&c->held);
		dl_buf_add(&c->held, bytes, len);
		c->held_post = post;
		c->held_end = end;
		c->hold_until_ms = dl_now_ms() + c->p->delay_ms[stage];
		smtpd_hold(c->srv, c);
		return;
	}
	conn_queue(c, bytes, len);
	do_post(c, post, end);
}

void
conn_release_hold(struct conn *c)
{
	c->hold_until_ms = 0;
	conn_queue(c, c->held.data, c->held.len);
	dl_buf_reset(&c->held);
	do_post(c, c->held_post, c->held_end);
	conn_run(c);
}

void
conn_close(struct conn *c, enum conn_end end)
{
	if (c->dead)
		return;
	if (end == END_CLIENT_CLOSE && c->quit_seen)
		end = END_QUIT; /* relayed QUIT, the client did not wait for 221 */
	if (c->ev.end == END_NONE)
		c->ev.end = end;
	c->ev.end_ms = dl_wall_ms();
	if (c->ufd >= 0)
		relay_close(c);
	if (c->p->relay && c->p->attack == ATTACK_PASSTHROUGH) {
		char a[64];
		snprintf(a, sizeof(a), "relayed %llu bytes up, %llu down",
		    (unsigned long long)c->bytes_up,
		    (unsigned long long)c->bytes_down);
		ev_list_add(&c->ev.actions, a, strlen(a));
	}
	if (c->srv->evidence && evidence_write(c->srv->evidence, &c->ev) < 0)
		log_err("smtp", "cannot write evidence: %s", strerror(errno));
	if (c->ssl)
		ERR_clear_error();
	close(c->fd);
	c->fd = -1;
	c->dead = true;
	smtpd_conn_closed(c->srv, c);
}

void
conn_record_cmd(struct conn *c, const char *line, size_t len)
{
	ev_list_add(c->in_tls ? &c->ev.cmds_tls : &c->ev.cmds_plain, line, len);
}

/* Record what the client sent before it could have seen the 220 (RFC 3207 trap). */
static void
capture_pipelined(struct conn *c)
{
	size_t off = 0;

	while (off < c->in_len) {
		const char *line;
		size_t ll, used;
		enum smtp_line_kind k = smtp_next_line(c->in + off, c->in_len - off,
		    SMTP_CMD_LINE_MAX, &line, &ll, &used);
		if (k == SMTP_LINE_NONE) {
			ev_list_add(&c->ev.pipelined, c->in + off, c->in_len - off);
			break;
		}
		ev_list_add(&c->ev.pipelined, line, ll);
		off += used;
	}
	/* RFC 3207 section 4.2: the server discards it. */
	c->in_len = 0;
	c->in_long = false;
}

static void handshake(struct conn *c);

static void
start_tls(struct conn *c)
{
	struct dl_err err;

	c->tls_pending = false;
	capture_pipelined(c);
	c->ssl = tls_session_new(c->p, c->fd, &c->hello, &err);
	if (c->ssl == NULL) {
		log_err("tls", "persona %s: %s", c->p->name, err.msg);
		snprintf(c->ev.hs_error, sizeof(c->ev.hs_error), "%.150s", err.msg);
		c->ev.hs = HS_FAILED;
		conn_close(c, END_ERROR);
		return;
	}
	c->st = ST_TLS;
	handshake(c);
}

static void
handshake_failed(struct conn *c, int r)
{
	int e = SSL_get_error(c->ssl, r);
	enum conn_end end;
	char reason[128];

	c->ev.hs = HS_FAILED;
	if (e == SSL_ERROR_SYSCALL || e == SSL_ERROR_ZERO_RETURN) {
		tls_drain_reason(reason, sizeof(reason));
		if (strcmp(reason, "unknown") == 0)
			snprintf(reason, sizeof(reason), "peer closed the connection");
		end = END_CLIENT_CLOSE_AFTER_HS_FAILURE;
	} else {
		tls_drain_reason(reason, sizeof(reason));
		end = strstr(reason, "alert") ? END_TLS_ALERT : END_HANDSHAKE_FAILURE;
	}
	if (c->hello.refused) {
		snprintf(reason, sizeof(reason), "%s", c->hello.refused);
		end = END_SERVER_CLOSE;
		if (c->p->hs_abort == HS_ABORT_ALERT)
			c->ev.hs = HS_ABORTED;
	}
	snprintf(c->ev.hs_error, sizeof(c->ev.hs_error), "%s", reason);
	c->ev.sni_seen = c->hello.sni_seen;
	memcpy(c->ev.sni, c->hello.sni, sizeof(c->ev.sni));
	conn_close(c, end);
}

static void
handshake(struct conn *c)
{
	int r = SSL_do_handshake(c->ssl);

	c->last_io_ms = dl_now_ms();
	if (r != 1) {
		int e = SSL_get_error(c->ssl, r);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			uint32_t want = e == SSL_ERROR_WANT_READ ? EPOLLIN : EPOLLOUT;
			smtpd_watch(c->srv, c->fd, &c->ref, &c->ep_events, want);
			return;
		}
		handshake_failed(c, r);
		return;
	}
	c->ev.hs = HS_OK;
	c->in_tls = true;
	snprintf(c->ev.tls_version, sizeof(c->ev.tls_version), "%s",
	    SSL_get_version(c->ssl));
	snprintf(c->ev.cipher, sizeof(c->ev.cipher), "%s",
	    SSL_get_cipher_name(c->ssl));
	c->ev.resumed = SSL_session_reused(c->ssl) == 1;
	c->ev.sni_seen = c->hello.sni_seen;
	memcpy(c->ev.sni, c->hello.sni, sizeof(c->ev.sni));
	if (c->hello.chosen) {
		c->ev.chain_id = c->hello.chosen->id;
		c->ev.chain_json = c->hello.chosen->loaded->chain_json;
	}
	c->st = ST_CMD;
	session_tls_done(c);
}

/* Write what is queued; returns -1 if the connection closed. */
static int
flush(struct conn *c)
{
	while (c->out_off < c->out.len) {
		const char *p = c->out.data + c->out_off;
		size_t n = c->out.len - c->out_off;
		ssize_t w;

		if (c->ssl) {
			int r = SSL_write(c->ssl, p, (int)(n > 16384 ? 16384 : n));
			if (r <= 0) {
				int e = SSL_get_error(c->ssl, r);
				if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
					return 0;
				ERR_clear_error();
				conn_close(c, END_CLIENT_CLOSE);
				return -1;
			}
			w = r;
		} else {
			w = send(c->fd, p, n, MSG_NOSIGNAL);
			if (w < 0 && (errno == EAGAIN || errno == EINTR))
				return 0;
			if (w < 0) {
				conn_close(c, END_CLIENT_CLOSE);
				return -1;
			}
		}
		c->out_off += (size_t)w;
	}
	dl_buf_reset(&c->out);
	c->out_off = 0;
	if (c->close_pending) {
		conn_close(c, c->close_end);
		return -1;
	}
	if (c->tls_pending) {
		start_tls(c);
		return c->dead ? -1 : 0;
	}
	return 0;
}

/* Read into the input buffer: >0 bytes, 0 nothing now, -1 end of stream. */
static int
conn_read(struct conn *c, enum conn_end *end)
{
	size_t space = CONN_IN_CAP - c->in_len;

	if (space == 0)
		return 0;
	int e, r = tls_read_some(c->ssl, c->fd, c->in + c->in_len, space, &e);
	if (r >= 0) {
		c->in_len += (size_t)r;
		return r;
	}
	if (c->ssl) {
		char reason[128];
		tls_drain_reason(reason, sizeof(reason));
		*end = e == SSL_ERROR_SSL && strstr(reason, "alert") ?
		    END_TLS_ALERT : END_CLIENT_CLOSE;
		return -1;
	}
	*end = END_CLIENT_CLOSE;
	return -1;
}

static void
process_input(struct conn *c)
{
	if (c->p->relay)
		relay_client_input(c);
	else
		session_input(c);
}

void
conn_update_events(struct conn *c)
{
	uint32_t want = 0;

	if (c->dead || c->st == ST_TLS)
		return;
	if (c->out_off < c->out.len)
		want |= EPOLLOUT;
	if (c->in_len < CONN_IN_CAP && !c->eof)
		want |= EPOLLIN;
	smtpd_watch(c->srv, c->fd, &c->ref, &c->ep_events, want);
	if (c->ufd >= 0)
		relay_update_events(c);
}

void
conn_run(struct conn *c)
{
	enum conn_end end = END_CLIENT_CLOSE;

	if (c->dead)
		return;
	if (c->st == ST_TLS) {
		handshake(c);
		if (c->dead || c->st == ST_TLS)
			return;
	}
	for (;;) {
		if (flush(c) < 0 || c->st == ST_TLS)
			return;
		process_input(c);
		if (c->dead || flush(c) < 0 || c->st == ST_TLS)
			return;
		int n = conn_read(c, &end);
		if (n < 0) {
			c->eof = true;
			process_input(c);
			if (!c->dead)
				flush(c);
			if (!c->dead && c->ufd >= 0 && c->fifo_n > 0 &&
			    end == END_CLIENT_CLOSE) {
				/* Only the client's write side closed (Exim
				 * half-closes after a pipelined QUIT): it still
				 * reads, so relay the replies it is owed; the
				 * upstream's close ends the session. */
				conn_update_events(c);
				return;
			}
			if (!c->dead)
				conn_close(c, end);
			return;
		}
		if (n == 0)
			break;
		c->last_io_ms = dl_now_ms();
	}
	conn_update_events(c);
}

void
conn_data_begin(struct conn *c)
{
	if (c->md == NULL)
		c->md = EVP_MD_CTX_new();
	EVP_DigestInit_ex(c->md, EVP_sha256(), NULL);
	c->in_headers = true;
}

static void
capture_message_id(struct conn *c, const char *line, size_t len)
{
	static const char h[] = "Message-ID:";
	size_t hl = sizeof(h) - 1;

	if (c->txn == NULL || c->txn->message_id || len <= hl ||
	    strncasecmp(line, h, hl) != 0)
		return;
	line += hl;
	len -= hl;
	while (len > 0 && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	c->txn->message_id = dl_xstrndup(line, len > EV_MAX_LINE ? EV_MAX_LINE : len);
}

void
conn_data_line(struct conn *c, const char *line, size_t len, bool eol)
{
	EVP_DigestUpdate(c->md, line, len);
	if (eol)
		EVP_DigestUpdate(c->md, "\r\n", 2);
	if (c->txn)
		c->txn->size += len + (eol ? 2 : 0);
	if (!eol || !c->in_headers)
		return;
	if (len == 0)
		c->in_headers = false;
	else
		capture_message_id(c, line, len);
}

void
conn_data_end(struct conn *c)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_DigestFinal_ex(c->md, md, &n);
	if (c->txn == NULL)
		return;
	for (unsigned int i = 0; i < n && i < 32; i++)
		snprintf(c->txn->sha256 + 2 * i, 3, "%02x", md[i]);
}
