/*
 * result.h -- what one delivery attempt found and decided, and its JSON.
 *
 * deliver.c fills a `struct dl_result` step by step; dl_result_json()
 * renders the one JSON object dl-client prints (schema in
 * client/README.md) and dl_result_print() the same steps for a person
 * (--diagnose).  Everything is owned by the result: dl_result_free().
 */
#ifndef DL_CLIENT_RESULT_H
#define DL_CLIENT_RESULT_H

#include <stdbool.h>
#include <stdio.h>

#include "client/lookup.h"
#include "client/route.h"
#include "client/tlsa.h"
#include "client/violate.h"
#include "util/buf.h"

enum dl_disposition {
	DL_DELIVERED = 0,
	DL_DEFERRED,
	DL_BOUNCED,
	DL_DISPOSITION_COUNT
};
const char *dl_disposition_str(enum dl_disposition d);

/* Security of the channel the message went over. */
enum dl_security {
	DL_SECURITY_DANE = 0,   /* TLS authenticated by TLSA */
	DL_SECURITY_ENCRYPTED,  /* TLS without authentication */
	DL_SECURITY_CLEARTEXT,
	DL_SECURITY_COUNT
};
const char *dl_security_str(enum dl_security s);

/* Why a connection ended; string table dl_conn_end_str(). */
enum dl_conn_end {
	DL_END_DELIVERED = 0,
	DL_END_CONNECT_FAILED,
	DL_END_IO_ERROR,         /* timeout, reset, overlong reply */
	DL_END_GREETING_REJECTED,
	DL_END_EHLO_REJECTED,
	DL_END_NO_STARTTLS,      /* TLS required, STARTTLS not offered */
	DL_END_STARTTLS_REJECTED,
	DL_END_TLS_FAILED,       /* handshake failed */
	DL_END_AUTH_FAILED,      /* DANE authentication failed */
	DL_END_MAIL_REJECTED,
	DL_END_RCPT_REJECTED,
	DL_END_DATA_REJECTED,
	DL_END_COUNT
};
const char *dl_conn_end_str(enum dl_conn_end e);

struct dl_reply {
	char *cmd;     /* the command sent ("" for the greeting) */
	int code;      /* 0: no reply */
	char *text;    /* all lines, '\n'-joined */
};

struct dl_tls_info {
	bool attempted;
	bool handshake_ok;
	char *sni;             /* SNI sent, NULL if none */
	char *version;
	char *cipher;
	char **chain;          /* peer chain subjects, leaf first */
	size_t nchain;
	bool dane;             /* TLSA records were in force */
	bool authenticated;
	int match_depth;       /* -1 if no TLSA record matched */
	char *matched;         /* the matched TLSA record, presentation */
	char *peername;        /* the name that matched (DANE-TA) */
	char *verify_error;
	char *error;           /* handshake error text */
	bool audit_warning;    /* audit mode let an authentication failure pass */
};

struct dl_conn_rec {
	char *address;
	int port;
	bool starttls_offered;
	bool starttls_sent;
	struct dl_tls_info tls;
	struct dl_reply *replies;
	size_t nreplies;
	enum dl_conn_end end;
	char *detail;
	int last_code;          /* code of the reply that ended it, or 0 */
	enum dl_security security;
};

struct dl_tlsa_used {
	char *rr;                /* presentation */
	enum dl_tlsa_check check;
};

struct dl_host_rec {
	char *name;
	int pref;                /* -1 if not from an MX RRset */
	const char *role;        /* "mx", "implicit-mx", "relay", "literal" */
	struct dl_lookup *lookups;
	size_t nlookups;
	char **chain;            /* CNAME chain names (name first) */
	size_t nchain;
	char *tlsa_base;         /* NULL if no secure TLSA base domain */
	enum dl_tlsa_outcome tlsa_outcome;
	struct dl_tlsa_used *tlsa;
	size_t ntlsa;
	char **refids;
	size_t nrefids;
	enum dl_plan plan;
	const char *plan_why;
	struct dl_conn_rec *conns;
	size_t nconns;
	char *end;               /* why we stopped with this host */
};

struct dl_result {
	enum dl_disposition disposition;
	char *reason;
	char *status;            /* enhanced status code, e.g. "5.1.10" */
	char *domain;
	char *domain_expanded;   /* CNAME-expanded next hop, or NULL */
	enum dl_policy policy;
	const char *route;       /* dl_route_str() or "relay"/"literal" */
	struct dl_lookup mx;     /* the MX lookup (done=false if none) */
	struct dl_host_rec *hosts;
	size_t nhosts;
	int delivered_host;      /* index or -1 */
	int delivered_conn;
	struct dl_violations violations;
};

void dl_result_init(struct dl_result *r);
void dl_result_free(struct dl_result *r);
struct dl_host_rec *dl_result_add_host(struct dl_result *r, const char *name,
	int pref, const char *role);
struct dl_lookup *dl_host_add_lookup(struct dl_host_rec *h);
struct dl_conn_rec *dl_host_add_conn(struct dl_host_rec *h,
	const char *address, int port);
void dl_conn_add_reply(struct dl_conn_rec *c, const char *cmd, int code,
	const char *text);
/* Set the final disposition (printf reason). */
void dl_result_set(struct dl_result *r, enum dl_disposition d,
	const char *status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

void dl_result_json(const struct dl_result *r, struct dl_buf *out);
void dl_result_print(const struct dl_result *r, FILE *f);

#endif
