/*
 * smtp.h -- one SMTP client session, as an explicit state machine.
 *
 * dl_smtp_session() connects to one address and walks the states
 * GREETING, EHLO, STARTTLS, TLS, EHLO_TLS, MAIL, RCPT, DATA, BODY, QUIT
 * through one transition function that logs each change.  The host's TLS
 * plan (route.h) decides what happens when STARTTLS is missing, refused or
 * fails; the TLS layer (tls.h) decides whether the session is good enough.
 * Every reply is recorded in the connection record.
 */
#ifndef DL_CLIENT_SMTP_H
#define DL_CLIENT_SMTP_H

#include <sys/socket.h>
#include <openssl/ssl.h>

#include "client/result.h"
#include "client/tls.h"
#include "util/buf.h"

#define DL_SMTP_LINE_MAX 2048    /* longest reply line accepted */
#define DL_SMTP_REPLY_LINES 128  /* most lines in one reply */

struct dl_smtp_cfg {
	const char *helo;
	const char *from;
	const char *const *rcpts;
	size_t nrcpts;
	const struct dl_buf *body;    /* prepared by dl_smtp_body() */
	int timeout_ms;               /* per network step */
	int connect_timeout_ms;
	SSL_CTX *tls;
	const struct dl_violations *v;
};

/* Run one session; fills c (c->end says how it ended). */
enum dl_conn_end dl_smtp_session(const struct dl_smtp_cfg *cfg,
	const struct sockaddr *sa, socklen_t salen,
	const struct dl_tls_params *tp, struct dl_conn_rec *c);

/*
 * The reply reader on bytes instead of a connection (fuzzing, tests): reads
 * replies from data as a session would from the server, recording each in c
 * (as the greeting, then as replies to EHLO).  Returns how many were read.
 */
int dl_smtp_read_replies(const char *data, size_t len, struct dl_conn_rec *c);

/* Message text to DATA form: CRLF line ends, dot-stuffed, no final ".". */
void dl_smtp_body(const char *in, size_t len, struct dl_buf *out);

#endif
