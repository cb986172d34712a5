/*
 * persona.h -- a mock SMTP persona (server or on-path attacker) and the
 * parser of the persona configuration file (format: servers/PERSONAS.md).
 *
 * The parser only reads and checks the text; certificates are loaded by
 * servers/tls.c when the server starts.  Every error names the input as
 * "file:line: what, expected what".
 */
#ifndef DL_PERSONA_H
#define DL_PERSONA_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "util/err.h"

/* The points in a session where a persona's behaviour can be tuned. */
enum smtp_stage {
	STAGE_CONNECT = 0, /* the greeting */
	STAGE_EHLO,        /* EHLO and HELO */
	STAGE_STARTTLS,
	STAGE_MAIL,
	STAGE_RCPT,
	STAGE_DATA,        /* the reply to DATA (354) */
	STAGE_EOD,         /* the reply after the final "." */
	STAGE_QUIT,
	STAGE_COUNT,
};
const char *smtp_stage_name(enum smtp_stage s);

enum persona_role { ROLE_SERVER = 0, ROLE_ATTACKER };

enum attack_mode {
	ATTACK_NONE = 0,
	ATTACK_STRIP_STARTTLS, /* drop STARTTLS from EHLO, refuse the verb */
	ATTACK_STARTTLS_ERROR, /* answer STARTTLS with an error code */
	ATTACK_SWAP_CERT,      /* terminate TLS with the attacker's chain */
	ATTACK_PASSTHROUGH,    /* relay bytes untouched */
};
const char *attack_mode_name(enum attack_mode m);

enum hs_abort { HS_ABORT_NONE = 0, HS_ABORT_CLOSE, HS_ABORT_ALERT };

struct persona_cert {
	char *id;          /* name used in evidence (default: chain file name) */
	char *chain_path;  /* PEM: leaf first, then the chain */
	char *key_path;
	int line;          /* config line, for load errors */
	struct tls_cert *loaded; /* set by tls_personas_load, shared, not owned */
};

struct persona_sni {
	char *name;
	struct persona_cert cert;
};

struct persona_reply {
	int code;          /* 0: the default */
	char *text;        /* NULL: the default */
};

struct persona {
	char *name;
	const char *file;  /* config file name (owned by the set) */
	int line;          /* the `persona` line */
	enum persona_role role;

	struct sockaddr_storage addr;
	socklen_t addr_len;
	char addr_str[64];
	int port;

	char *hostname;
	struct persona_reply banner;
	char **ehlo_ext;   /* EHLO keyword lines; NULL: the default list */
	size_t n_ehlo_ext;
	bool ehlo_ext_set;
	bool pipelining;
	bool starttls;     /* advertised */
	int starttls_code; /* reply to STARTTLS; 0: close the connection */
	bool starttls_code_set;
	bool readvertise;  /* STARTTLS in EHLO after TLS too */
	char *inject;      /* bytes sent in the same write as the 220 to STARTTLS */
	size_t inject_len;
	bool close_on_connect;

	int tls_min, tls_max; /* TLS1_VERSION..TLS1_3_VERSION; 0: library default */
	char *ciphers;
	char *ciphersuites;
	int seclevel;      /* -1: default */
	bool anon;
	bool tickets;      /* issue session tickets, accept resumption */
	int data_resets;   /* reset the first N TLS sessions in mid-DATA */
	int data_resets_done; /* (state) how many it has reset so far */
	struct persona_cert cert;  /* default chain (chain_path NULL: none) */
	struct persona_sni *sni;
	size_t n_sni;
	bool require_sni;
	enum hs_abort hs_abort;
	int hs_alert;      /* SSL_AD_* for HS_ABORT_ALERT and require-sni */

	struct persona_reply reply[STAGE_COUNT];
	int delay_ms[STAGE_COUNT];
	bool silent[STAGE_COUNT];

	enum attack_mode attack;
	int attack_code;   /* starttls-error code; strip-starttls refusal code */
	bool attack_garble;/* strip-starttls answers with garbage */
	bool relay;
	struct sockaddr_storage relay_addr;
	socklen_t relay_len;
	char relay_str[80];

	/* Set when the server starts (servers/tls.c, servers/smtpd.c). */
	struct tls_ctx *tls;
	int listen_fd;
};

struct persona_set {
	struct persona *v;
	size_t n;
	char *file;
};

/* Parse config text; `file` names it in errors.  Caller frees with persona_set_free. */
int persona_conf_parse(const char *text, size_t len, const char *file,
	struct persona_set *out, struct dl_err *err);
int persona_conf_load(const char *path, struct persona_set *out,
	struct dl_err *err);
void persona_set_free(struct persona_set *set);

/* Parse a lab address (127/8, ::1, fdda:9e1a:b000::/48) and port. */
int persona_parse_addr(const char *addr, const char *port,
	struct sockaddr_storage *ss, socklen_t *len, struct dl_err *err);

#endif
