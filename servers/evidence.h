/*
 * evidence.h -- what a persona saw on one connection, and its JSON line.
 *
 * The schema is documented in servers/EVIDENCE.md; keep the two in step.
 * A struct evidence is filled while the session runs and rendered once
 * when the connection ends.  Everything taken from the network is bounded
 * (EV_MAX_ITEMS entries, EV_MAX_LINE bytes each,
 * EV_MAX_TXN transactions).
 */
#ifndef DL_EVIDENCE_H
#define DL_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/buf.h"

#define EV_MAX_ITEMS 64
#define EV_MAX_LINE  300
#define EV_MAX_TXN   8
#define EVIDENCE_VERSION 1

/* How a connection ended; one string table (conn_end_name). */
enum conn_end {
	END_NONE = 0,
	END_QUIT,            /* client sent QUIT, we answered and closed */
	END_CLIENT_CLOSE,    /* client closed (or reset) without QUIT */
	END_CLIENT_CLOSE_AFTER_HS_FAILURE, /* handshake failed without an alert from the client */
	END_SERVER_CLOSE,    /* the persona closed on purpose (knob) */
	END_TIMEOUT,         /* idle too long */
	END_TLS_ALERT,       /* the client sent a TLS alert */
	END_HANDSHAKE_FAILURE, /* our TLS stack refused the handshake (version, ciphers, garbage) */
	END_ERROR,           /* I/O or TLS error on our side */
	END_SHUTDOWN,        /* the server stopped with the connection open */
	END_RELAY_CLOSE,     /* attacker: the genuine server went away */
};
const char *conn_end_name(enum conn_end e);

/* The TLS handshake after a 220 to STARTTLS. */
enum hs_result {
	HS_NONE = 0,  /* no handshake started */
	HS_OK,
	HS_FAILED,
	HS_ABORTED,   /* the persona closed instead (handshake-abort close) */
};
const char *hs_result_name(enum hs_result r);

struct ev_list {
	char *v[EV_MAX_ITEMS];
	size_t n;
	bool truncated;   /* more items came than were kept */
};

struct ev_txn {
	char *mail_from;
	struct ev_list rcpt;
	int rcpt_accepted;
	bool in_tls;
	bool data_started;   /* the client got 354 */
	bool accepted;       /* the final reply was 2xx */
	int final_code;      /* reply to end of data; 0: none */
	char sha256[65];
	uint64_t size;
	char *message_id;
};

struct evidence {
	char *persona;
	const char *role;
	char listen[80];
	char peer[80];
	int64_t start_ms, end_ms;

	struct ev_list cmds_plain, cmds_tls, pipelined;
	int ehlo_plain, ehlo_tls;
	int overlong_lines, bad_commands;

	bool starttls_offered;     /* advertised in a cleartext EHLO reply */
	bool starttls_requested;
	int starttls_reply;        /* -1: none, 0: closed instead */
	bool injected;             /* bytes were sent after the 220 */
	enum hs_result hs;
	char hs_error[160];
	char tls_version[16];
	char cipher[64];
	bool resumed;              /* the client resumed an earlier session */
	bool reset_in_data;        /* the persona reset the connection mid-DATA */
	bool sni_seen;
	char sni[256];
	const char *chain_id;      /* borrowed from the persona */
	const char *chain_json;    /* borrowed, pre-rendered */
	bool starttls_in_tls;      /* a second STARTTLS inside TLS */

	struct ev_txn txn[EV_MAX_TXN];
	size_t n_txn;

	enum conn_end end;

	/* attackers */
	const char *attack;        /* NULL for servers */
	const char *relay;
	bool relay_connected;
	struct ev_list actions;
};

void evidence_init(struct evidence *ev, const char *persona, const char *role);
void evidence_free(struct evidence *ev);
/* Append a copy (truncated to EV_MAX_LINE) to a list. */
void ev_list_add(struct ev_list *l, const char *s, size_t len);
/* The current transaction (a new one if none is open). */
struct ev_txn *evidence_txn_new(struct evidence *ev);
/* The object on one line, ending with "\n". */
void evidence_render(const struct evidence *ev, struct dl_buf *out);
/* Render, write and flush; returns -1 on a write error. */
int evidence_write(FILE *f, const struct evidence *ev);

#endif
