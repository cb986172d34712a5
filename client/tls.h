/*
 * tls.h -- the client's TLS per RFC 7672 §3 with OpenSSL's DANE API.
 *
 * dl_tls_ctx_new() makes the one SSL_CTX (DANE enabled, digest agility
 * on); dl_tls_new() prepares an SSL for one connection according to the
 * host's plan (TLSA records already filtered by tlsa.c); after the
 * handshake dl_tls_judge() records what happened and says whether the
 * session is good enough to hand the message over.
 */
#ifndef DL_CLIENT_TLS_H
#define DL_CLIENT_TLS_H

#include <stdbool.h>
#include <time.h>
#include <openssl/ssl.h>

#include "client/lookup.h"
#include "client/result.h"
#include "client/route.h"
#include "client/tlsa.h"
#include "client/violate.h"
#include "util/err.h"

struct dl_tls_params {
	enum dl_plan plan;
	const char *sni;                  /* TLSA base domain or host name */
	const char *const *refids;        /* [0] is the TLSA base domain */
	size_t nrefids;
	const struct dl_lookup *tlsa;     /* the secure RRset in force */
	const enum dl_tlsa_check *checks; /* per record of tlsa */
	const struct dl_violations *v;
	time_t now;
	bool audit;                       /* RFC 7672 9.1: deliver despite an
	                                     authentication failure, warn */
	const char *stale_sni;            /* violation stale-sni: the SNI of
	                                     the first host tried, or NULL */
};

/* Caller frees with SSL_CTX_free(). */
SSL_CTX *dl_tls_ctx_new(const struct dl_violations *v, const struct dl_tlsa_policy *pol,
	struct dl_err *err);
/* A new SSL for one connection; caller frees with SSL_free(). */
SSL *dl_tls_new(SSL_CTX *ctx, const struct dl_tls_params *p,
	struct dl_tls_info *info, struct dl_err *err);
/* After a successful handshake: record and judge (true = acceptable). */
bool dl_tls_judge(SSL *ssl, const struct dl_tls_params *p,
	struct dl_tls_info *info);

#endif
