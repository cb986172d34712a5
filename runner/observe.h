/*
 * observe.h -- what the three observers saw during one case, normalised.
 *
 * evidence.c fills these from the personas' JSON lines (primary), the lab
 * resolver's query log, and the adapter's JSON result line; judge.c reads
 * them.  Nothing here knows a file format.
 */
#ifndef DL_RUNNER_OBSERVE_H
#define DL_RUNNER_OBSERVE_H

#include <stdbool.h>
#include <stddef.h>

enum dl_obs_disposition {
	DL_DISP_NONE = 0,   /* the observer said nothing usable */
	DL_DISP_DELIVERED,
	DL_DISP_DEFERRED,
	DL_DISP_BOUNCED,
	DL_DISP_UNSUPPORTED, /* adapter exit 89 */
};

enum dl_obs_security {
	DL_SEC_UNKNOWN = 0,
	DL_SEC_CLEARTEXT,
	DL_SEC_ENCRYPTED,   /* TLS without (or with failed-open) authentication */
	DL_SEC_DANE,        /* TLS authenticated by TLSA */
};

const char *dl_obs_disposition_name(enum dl_obs_disposition d);
int dl_obs_disposition_parse(const char *s, enum dl_obs_disposition *out);
const char *dl_obs_security_name(enum dl_obs_security s);
int dl_obs_security_parse(const char *s, enum dl_obs_security *out);

struct dl_probe;

/* One SMTP connection as a persona recorded it. */
struct dl_conn {
	int host;               /* index into the case's hosts (0-based) */
	bool backend;           /* the genuine server behind a relaying attacker */
	bool starttls_requested;
	bool tls;               /* handshake completed */
	bool sni_present;
	char *sni;              /* absolute, no trailing dot; NULL if none */
	bool ehlo_after_tls;
	bool second_starttls;
	bool pipelined_after_starttls; /* commands sent before the 220 arrived */
	bool mail_from;         /* MAIL FROM reached the server */
	bool mail_in_clear;     /* ... outside TLS */
	bool data_accepted;     /* the message was accepted (end of data 250) */
	bool quit;              /* the client sent QUIT */
	char **rcpts;           /* every RCPT TO path of its transactions (lower case) */
	size_t n_rcpts;
	char **accepted_rcpts;  /* ... of the transactions whose message was accepted */
	size_t n_accepted_rcpts;
	char *end;              /* how it ended, as the persona reported it */
	char *summary;          /* one-line human summary for reports */
};

/* One query the client under test asked the lab resolver. */
struct dl_query {
	char *name;             /* absolute, lower case, no trailing dot */
	char *type;             /* "TLSA", "A", ... */
};

/* The client's word about one recipient of several ("recipients" array). */
struct dl_rcpt_report {
	char *rcpt;             /* the address as the client reported it */
	enum dl_obs_disposition disposition;
	enum dl_obs_security security;
	char *host;
	char *address;
	char *reason;
	int host_index;         /* the case host its address maps to, or -1 */
};

struct dl_adapter_report {
	enum dl_obs_disposition disposition;
	enum dl_obs_security security;
	char *host;             /* DNS name as the client reported it */
	char *address;
	char *reason;
	char *error;            /* a fault of the lab the adapter saw, or NULL */
	char *raw;              /* the JSON line as received */
	struct dl_rcpt_report *rcpts; /* per recipient, when the line has them */
	size_t n_rcpts;
	int exit_code;
	bool valid;             /* a JSON result line was read */
};

struct dl_observed {
	struct dl_conn *conns;
	size_t n_conns;
	struct dl_query *queries;
	size_t n_queries;
	struct dl_adapter_report adapter;
	/* Host index the adapter's address maps to, or -1. */
	int adapter_host;
	/* The client's own log of this delivery (the adapter's client.log, or
	 * its result line when it leaves none); owned. */
	char *client_log;
	/* The lab resolver's own line when it could not reach a lab name server
	 * the case did not declare faulty (a lab failure); owned, or NULL. */
	char *lab_fault;
	/* A probe adapter's per-host decisions (runner/probe.h) instead of a
	 * disposition, or NULL; owned. */
	struct dl_probe *probe;
};

void dl_observed_free(struct dl_observed *o);
void dl_rcpt_reports_free(struct dl_adapter_report *a);

#endif
