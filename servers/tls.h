/*
 * tls.h -- the servers' TLS side: certificate chains loaded once per file,
 * one SSL_CTX per distinct set of TLS parameters (many personas share
 * one; the chain is chosen per connection from the SNI in the ClientHello
 * callback), the TLS key log, and handshake-abort knobs.
 *
 * A struct tls_store owns everything; personas point into it.
 */
#ifndef DL_SERVERS_TLS_H
#define DL_SERVERS_TLS_H

#include <openssl/ssl.h>
#include <stdbool.h>
#include <stdio.h>

#include "servers/persona.h"
#include "util/err.h"

struct tls_cert {
	char *chain_path, *key_path;
	X509 *leaf;
	STACK_OF(X509) *chain;   /* intermediates after the leaf (may be empty) */
	EVP_PKEY *key;
	char *chain_json;        /* [{"subject":..,"sha256":..},...] leaf first */
	struct tls_cert *next;
};

struct tls_ctx {
	char *key;               /* the parameters this context was built for */
	SSL_CTX *ctx;
	struct tls_ctx *next;
};

struct tls_store {
	struct tls_cert *certs;
	struct tls_ctx *ctxs;
	FILE *keylog;            /* SSLKEYLOGFILE lines, or NULL */
};

/*
 * What the ClientHello callback saw and chose; owned by the connection,
 * attached to its SSL with tls_session_new.
 */
struct tls_hello {
	const struct persona *p;
	bool sni_seen;
	char sni[256];
	const struct persona_cert *chosen;  /* NULL: none (anonymous or failed) */
	const char *refused;     /* why the callback aborted, or NULL */
};

/* keylog_path may be NULL.  Returns -1 with err set. */
int tls_store_init(struct tls_store *ts, const char *keylog_path,
	struct dl_err *err);
/* Load every chain and build every context the personas need. */
int tls_personas_load(struct tls_store *ts, struct persona_set *set,
	struct dl_err *err);
void tls_store_free(struct tls_store *ts);

/* A server-side SSL for persona p on fd; hello is filled during the handshake. */
SSL *tls_session_new(const struct persona *p, int fd, struct tls_hello *hello,
	struct dl_err *err);

/*
 * Read what has arrived on a nonblocking fd (through ssl when not NULL) into
 * buf: the byte count, 0 when nothing is there now, -1 at the end of the
 * stream or on an error.  *ssl_err is SSL_get_error()'s answer for a TLS
 * failure (its reason stays queued for tls_drain_reason), else 0.
 */
int tls_read_some(SSL *ssl, int fd, char *buf, size_t space, int *ssl_err);

/* The first OpenSSL error reason in the queue (drained), e.g. "tlsv1 alert unknown ca". */
void tls_drain_reason(char *out, size_t len);

#endif
