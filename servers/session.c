/*
 * session.c -- the SMTP dialogue of a server persona (and of an attacker
 * that does not relay): one transition function per command, every reply
 * shaped by the persona's knobs (see persona.h, servers/PERSONAS.md).
 */
#include "servers/conn.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util/log.h"

static const char *
hostname(const struct conn *c)
{
	return c->p->hostname ? c->p->hostname : "mx.danelab.test";
}

void
session_start(struct conn *c)
{
	struct dl_buf b = DL_BUF_INIT;
	const struct persona_reply *r = &c->p->banner;

	if (c->p->close_on_connect) {
		conn_close(c, END_SERVER_CLOSE);
		return;
	}
	dl_buf_printf(&b, "%d %s\r\n", r->code ? r->code : 220,
	    r->text ? r->text : "");
	if (r->text == NULL) {
		b.len = 0;
		dl_buf_printf(&b, "%d %s ESMTP danelab\r\n", r->code ? r->code : 220,
		    hostname(c));
	}
	conn_reply(c, STAGE_CONNECT, b.data, b.len, POST_NONE, END_NONE);
	dl_buf_free(&b);
	conn_run(c);
}

/*
 * A one-line reply at a stage: the persona's code/text or the default.
 * Returns the code the client will see, 0 if the persona stays silent.
 */
static int
stage_reply(struct conn *c, enum smtp_stage s, int dcode, const char *dtext,
    enum post_action post, enum conn_end end)
{
	const struct persona_reply *r = &c->p->reply[s];
	int code = r->code ? r->code : dcode;
	char line[600];
	int n;

	if (r->code && r->text)
		n = snprintf(line, sizeof(line), "%d %s\r\n", code, r->text);
	else if (r->code && r->code != dcode)
		n = snprintf(line, sizeof(line), "%d %s\r\n", code,
		    code >= 500 ? "5.0.0 refused by persona" :
		    code >= 400 ? "4.0.0 deferred by persona" : "2.0.0 ok");
	else
		n = snprintf(line, sizeof(line), "%d %s\r\n", code, dtext);
	conn_reply(c, s, line, (size_t)n, post, end);
	return c->p->silent[s] ? 0 : code;
}

static void
simple(struct conn *c, enum smtp_stage s, const char *line)
{
	conn_reply(c, s, line, strlen(line), POST_NONE, END_NONE);
}

/* STARTTLS as this persona plays it (attackers without relay included). */
static void
starttls_policy(const struct conn *c, bool *advertise, int *code, bool *garble)
{
	const struct persona *p = c->p;

	*advertise = p->starttls;
	*code = p->starttls_code;
	*garble = false;
	if (p->attack == ATTACK_STRIP_STARTTLS) {
		*advertise = false;
		*code = p->attack_code;
		*garble = p->attack_garble;
	} else if (p->attack == ATTACK_STARTTLS_ERROR) {
		*advertise = true;
		*code = p->attack_code;
	}
}

static void
do_ehlo(struct conn *c, const struct smtp_cmd *cmd)
{
	const struct persona *p = c->p;
	struct dl_buf b = DL_BUF_INIT;
	bool adv, garble;
	int code;

	if (c->in_tls)
		c->ev.ehlo_tls++;
	else
		c->ev.ehlo_plain++;
	c->txn = NULL;
	if (p->reply[STAGE_EHLO].code && p->reply[STAGE_EHLO].code >= 400) {
		stage_reply(c, STAGE_EHLO, 250, "", POST_NONE, END_NONE);
		return;
	}
	c->ehlo_done = true;
	if (cmd->verb == SMTP_V_HELO) {
		dl_buf_printf(&b, "250 %s\r\n", hostname(c));
		goto send;
	}
	starttls_policy(c, &adv, &code, &garble);
	adv = adv && (!c->in_tls || p->readvertise);
	if (adv && !c->in_tls)
		c->ev.starttls_offered = true;
	dl_buf_printf(&b, "250-%s greets %.*s\r\n", hostname(c),
	    (int)(cmd->arg_len > 100 ? 100 : cmd->arg_len), cmd->arg);
	if (p->ehlo_ext_set) {
		for (size_t i = 0; i < p->n_ehlo_ext; i++)
			dl_buf_printf(&b, "250-%s\r\n", p->ehlo_ext[i]);
	} else {
		if (p->pipelining)
			dl_buf_adds(&b, "250-PIPELINING\r\n");
		/* SMTPUTF8: a client may keep a U-label recipient domain as it
		 * is (RFC 6531); the mail itself is only recorded, never parsed. */
		dl_buf_adds(&b, "250-SIZE 52428800\r\n250-8BITMIME\r\n"
		    "250-ENHANCEDSTATUSCODES\r\n250-SMTPUTF8\r\n");
	}
	if (adv)
		dl_buf_adds(&b, "250-STARTTLS\r\n");
	/* The last line takes the "250 " form. */
	char *last = b.data + b.len - 2;
	while (last > b.data && last[-1] != '\n')
		last--;
	last[3] = ' ';
send:
	conn_reply(c, STAGE_EHLO, b.data, b.len, POST_NONE, END_NONE);
	dl_buf_free(&b);
}

static void
do_starttls(struct conn *c)
{
	bool adv, garble;
	int code;

	if (c->in_tls) {
		/* RFC 3207 4.2: no second STARTTLS inside TLS. */
		c->ev.starttls_in_tls = true;
		simple(c, STAGE_STARTTLS, "503 5.5.1 TLS already active\r\n");
		return;
	}
	c->ev.starttls_requested = true;
	starttls_policy(c, &adv, &code, &garble);
	if (garble) {
		c->ev.starttls_reply = 0;
		ev_list_add(&c->ev.actions, "garbled-starttls-reply", 22);
		simple(c, STAGE_STARTTLS, "\x16\x03\x01 garbled reply \x01\xff\r\n");
		return;
	}
	c->ev.starttls_reply = code;
	if (code == 0) {
		conn_reply(c, STAGE_STARTTLS, "", 0, POST_CLOSE, END_SERVER_CLOSE);
		return;
	}
	if (code != 220) {
		if (c->p->role == ROLE_ATTACKER) {
			char a[48];
			snprintf(a, sizeof(a), "refused-starttls %d", code);
			ev_list_add(&c->ev.actions, a, strlen(a));
		}
		char line[80];
		int n = snprintf(line, sizeof(line), "%d %s\r\n", code,
		    code >= 500 ? "5.5.1 STARTTLS not available" :
		    code >= 400 ? "4.7.0 TLS not available now" : "2.0.0 ok");
		conn_reply(c, STAGE_STARTTLS, line, (size_t)n, POST_NONE, END_NONE);
		return;
	}
	struct dl_buf b = DL_BUF_INIT;
	dl_buf_adds(&b, "220 2.0.0 Ready to start TLS\r\n");
	if (c->p->inject) {
		/* The RFC 3207 injection trap: extra bytes with the 220. */
		dl_buf_add(&b, c->p->inject, c->p->inject_len);
		c->ev.injected = true;
	}
	if (c->p->attack == ATTACK_SWAP_CERT)
		ev_list_add(&c->ev.actions, "swapped-cert", 12);
	if (c->p->hs_abort == HS_ABORT_CLOSE) {
		c->ev.hs = HS_ABORTED;
		conn_reply(c, STAGE_STARTTLS, b.data, b.len, POST_CLOSE,
		    END_SERVER_CLOSE);
	} else {
		conn_reply(c, STAGE_STARTTLS, b.data, b.len, POST_START_TLS,
		    END_NONE);
	}
	dl_buf_free(&b);
}

static void
do_mail(struct conn *c, const struct smtp_cmd *cmd)
{
	if (!c->ehlo_done) {
		simple(c, STAGE_MAIL, "503 5.5.1 EHLO first\r\n");
		return;
	}
	if (c->txn) {
		simple(c, STAGE_MAIL, "503 5.5.1 nested MAIL\r\n");
		return;
	}
	struct ev_txn *t = evidence_txn_new(&c->ev);
	t->mail_from = dl_xstrndup(cmd->path, cmd->path_len);
	t->in_tls = c->in_tls;
	c->txn = t;
	int code = stage_reply(c, STAGE_MAIL, 250, "2.1.0 sender ok", POST_NONE,
	    END_NONE);
	if (code / 100 != 2)
		c->txn = NULL;
}

static void
do_rcpt(struct conn *c, const struct smtp_cmd *cmd)
{
	if (c->txn == NULL) {
		simple(c, STAGE_RCPT, "503 5.5.1 MAIL first\r\n");
		return;
	}
	ev_list_add(&c->txn->rcpt, cmd->path, cmd->path_len);
	int code = stage_reply(c, STAGE_RCPT, 250, "2.1.5 recipient ok",
	    POST_NONE, END_NONE);
	if (code / 100 == 2)
		c->txn->rcpt_accepted++;
}

static void
do_data(struct conn *c)
{
	if (c->txn == NULL || c->txn->rcpt_accepted == 0) {
		simple(c, STAGE_DATA, c->txn ? "554 5.5.1 no valid recipients\r\n" :
		    "503 5.5.1 MAIL first\r\n");
		return;
	}
	int code = stage_reply(c, STAGE_DATA, 354, "end data with <CR><LF>.<CR><LF>",
	    POST_NONE, END_NONE);
	if (code != 354) {
		c->txn = NULL;
		return;
	}
	c->txn->data_started = true;
	c->st = ST_DATA;
	conn_data_begin(c);
}

static void
do_cmd(struct conn *c, const char *line, size_t len)
{
	struct smtp_cmd cmd;

	conn_record_cmd(c, line, len);
	if (c->st == ST_SILENT)
		return;
	if (smtp_parse_cmd(line, len, &cmd) != SMTP_SYN_OK) {
		c->ev.bad_commands++;
		simple(c, STAGE_EHLO, cmd.verb == SMTP_V_UNKNOWN ?
		    "500 5.5.1 command unrecognized\r\n" :
		    "501 5.5.4 syntax error\r\n");
		return;
	}
	switch (cmd.verb) {
	case SMTP_V_EHLO:
	case SMTP_V_HELO: do_ehlo(c, &cmd); break;
	case SMTP_V_STARTTLS: do_starttls(c); break;
	case SMTP_V_MAIL: do_mail(c, &cmd); break;
	case SMTP_V_RCPT: do_rcpt(c, &cmd); break;
	case SMTP_V_DATA: do_data(c); break;
	case SMTP_V_RSET:
		c->txn = NULL;
		simple(c, STAGE_MAIL, "250 2.0.0 reset\r\n");
		break;
	case SMTP_V_NOOP: simple(c, STAGE_EHLO, "250 2.0.0 ok\r\n"); break;
	case SMTP_V_VRFY: simple(c, STAGE_EHLO, "252 2.5.2 cannot verify\r\n"); break;
	case SMTP_V_HELP: simple(c, STAGE_EHLO, "214 2.0.0 danelab\r\n"); break;
	case SMTP_V_QUIT:
		conn_reply(c, STAGE_QUIT, "221 2.0.0 bye\r\n", 15, POST_CLOSE,
		    END_QUIT);
		break;
	default:
		simple(c, STAGE_EHLO, "502 5.5.1 not implemented\r\n");
		break;
	}
}

static void
data_line(struct conn *c, enum smtp_line_kind k, const char *line, size_t len)
{
	bool start = !c->in_long;

	if (k == SMTP_LINE_PART) {
		if (start)
			c->ev.overlong_lines++;
		c->in_long = true;
	} else {
		c->in_long = false;
	}
	if (start && k == SMTP_LINE_FULL && len == 1 && line[0] == '.') {
		conn_data_end(c);
		c->st = ST_CMD;
		int code = stage_reply(c, STAGE_EOD, 250, "2.0.0 message accepted",
		    POST_NONE, END_NONE);
		c->txn->final_code = code;
		c->txn->accepted = code / 100 == 2;
		c->txn = NULL;
		return;
	}
	if (start && len > 0 && line[0] == '.') {
		line++;
		len--;
	}
	conn_data_line(c, line, len, k == SMTP_LINE_FULL);
	/* `tls-reset-data`: the TLS session dies with the message half read, no
	 * close_notify, a TCP reset (RFC 7672 2.2: the client may then retry
	 * in cleartext when no secure TLSA record exists). */
	if (c->in_tls && c->p->data_resets_done < c->p->data_resets && c->txn &&
	    c->txn->size > 0) {
		struct linger hard = { 1, 0 };
		c->p->data_resets_done++;
		c->ev.reset_in_data = true;
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
		conn_close(c, END_SERVER_CLOSE);
	}
}

static void
cmd_line(struct conn *c, enum smtp_line_kind k, const char *line, size_t len)
{
	if (k == SMTP_LINE_PART) {
		if (!c->in_long) {
			c->ev.overlong_lines++;
			conn_record_cmd(c, line, len);
		}
		c->in_long = true;
		return;
	}
	if (c->in_long) {
		/* The tail of an overlong command: RFC 5321 4.5.3.1.4. */
		c->in_long = false;
		if (c->st != ST_SILENT)
			simple(c, STAGE_EHLO, "500 5.5.2 line too long\r\n");
		return;
	}
	do_cmd(c, line, len);
}

void
session_input(struct conn *c)
{
	while (!c->dead && c->hold_until_ms == 0 && !c->tls_pending &&
	    !c->close_pending && c->in_len > 0) {
		const char *line;
		size_t len, used;
		bool data = c->st == ST_DATA;
		enum smtp_line_kind k = smtp_next_line(c->in, c->in_len,
		    data ? SMTP_TEXT_LINE_MAX : SMTP_CMD_LINE_MAX, &line, &len, &used);

		if (k == SMTP_LINE_NONE) {
			if (c->eof && !data)
				conn_record_cmd(c, c->in, c->in_len);
			if (c->eof)
				c->in_len = 0;
			break;
		}
		if (data)
			data_line(c, k, line, len);
		else
			cmd_line(c, k, line, len);
		memmove(c->in, c->in + used, c->in_len - used);
		c->in_len -= used;
	}
}

void
session_tls_done(struct conn *c)
{
	/* RFC 3207 4.2: forget everything learnt before TLS. */
	c->ehlo_done = false;
	c->txn = NULL;
}
