/*
 * conn.h -- one client connection to a persona (internal to servers/).
 *
 * conn.c owns the I/O side: bounded input buffer, output queue, TLS
 * accept, delayed ("held") replies, closing and writing the evidence line.
 * session.c runs the SMTP dialogue of a server persona (and of an attacker
 * without relay); relay.c proxies an attacker's dialogue to the genuine
 * server.  smtpd.c owns the event loop that calls into all three.
 */
#ifndef DL_SERVERS_CONN_H
#define DL_SERVERS_CONN_H

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <stdbool.h>
#include <stdint.h>

#include "servers/evidence.h"
#include "servers/persona.h"
#include "servers/smtp_parse.h"
#include "servers/tls.h"
#include "util/buf.h"

#define CONN_IN_CAP 4096   /* bytes buffered from the client (and from the relay) */
#define RELAY_FIFO  64     /* commands forwarded and not yet answered */
#define RELAY_REPLY_MAX 8192 /* a buffered multi-line reply from the relay */
#define RELAY_V_GREETING 100 /* pseudo verbs awaiting a relay reply */
#define RELAY_V_EOD      101

struct smtpd;

/* What the epoll data pointer refers to. */
enum ep_kind { EP_LISTEN, EP_CONN, EP_UPSTREAM, EP_CTL_LISTEN, EP_CTL, EP_SIGNAL };

struct ep_ref {
	enum ep_kind kind;
	void *obj;
};

enum conn_state {
	ST_CMD = 0,     /* reading commands */
	ST_DATA,        /* reading a message after 354 */
	ST_TLS,         /* TLS handshake in progress */
	ST_SILENT,      /* read and drop, never answer */
	ST_PASSTHROUGH, /* attacker: raw relay */
	ST_CLOSING,     /* flushing, then close */
};

/* What happens once a reply has been queued (after its delay). */
enum post_action { POST_NONE = 0, POST_START_TLS, POST_CLOSE };

struct conn {
	struct ep_ref ref;
	struct smtpd *srv;
	struct persona *p;
	struct conn *prev, *next;      /* all connections */
	struct conn *hnext;            /* connections holding a reply */
	int fd;
	SSL *ssl;
	struct tls_hello hello;
	enum conn_state st;
	bool dead;                     /* closed; freed after this loop turn */
	bool in_tls;
	bool ehlo_done;
	bool in_long;                  /* inside an overlong line */
	bool eof;
	int64_t last_io_ms;
	uint32_t ep_events;            /* what epoll watches now */

	char in[CONN_IN_CAP];
	size_t in_len;
	struct dl_buf out;
	size_t out_off;
	bool tls_pending;              /* start TLS once `out` is flushed */
	bool close_pending;            /* close once `out` is flushed */
	enum conn_end close_end;

	int64_t hold_until_ms;         /* 0: no held reply */
	struct dl_buf held;
	enum post_action held_post;
	enum conn_end held_end;

	struct evidence ev;
	struct ev_txn *txn;            /* open transaction, or NULL */
	EVP_MD_CTX *md;                /* message hash while in DATA */
	bool in_headers;

	/* attacker relay */
	struct ep_ref uref;
	int ufd;                       /* -1: none */
	bool u_connected;
	bool u_eof;
	uint32_t u_events;
	char uin[CONN_IN_CAP];
	size_t uin_len;
	struct dl_buf uout;
	size_t uout_off;
	int fifo[RELAY_FIFO];           /* smtp_verb or RELAY_V_* */
	size_t fifo_n;
	bool wait_data_reply;          /* DATA forwarded: body waits for 354 */
	bool quit_seen;
	struct dl_buf rep;             /* multi-line reply from the relay */
	uint64_t bytes_up, bytes_down;
};

/* conn.c */
struct conn *conn_new(struct smtpd *srv, struct persona *p, int fd,
	const char *peer);
void conn_queue(struct conn *c, const void *data, size_t len);
void conn_queuef(struct conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * Send a reply at a stage: honours the persona's silent/delay knobs, then
 * performs `post` (start TLS, close with `end`).
 */
void conn_reply(struct conn *c, enum smtp_stage stage, const char *bytes,
	size_t len, enum post_action post, enum conn_end end);
void conn_close(struct conn *c, enum conn_end end);
/* Run everything that can make progress now (events or a timer fired). */
void conn_run(struct conn *c);
void conn_release_hold(struct conn *c);
void conn_update_events(struct conn *c);
void conn_free(struct conn *c);
/* Record a client command line in the evidence (plain or TLS list). */
void conn_record_cmd(struct conn *c, const char *line, size_t len);
/* Append one message line (already unstuffed) to the hash and size. */
void conn_data_line(struct conn *c, const char *line, size_t len, bool end);
void conn_data_begin(struct conn *c);
void conn_data_end(struct conn *c);

/* session.c: server persona */
void session_start(struct conn *c);
/* Process buffered input; returns when nothing more can be done now. */
void session_input(struct conn *c);
void session_tls_done(struct conn *c);

/* relay.c: relaying attacker */
int relay_start(struct conn *c);
void relay_client_input(struct conn *c);
void relay_upstream_event(struct conn *c, uint32_t events);
void relay_close(struct conn *c);
void relay_update_events(struct conn *c);

#endif
