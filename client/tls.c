/*
 * tls.c -- OpenSSL DANE setup and post-handshake judgement (see tls.h).
 */
#include "client/tls.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "lab/pki.h"
#include "util/buf.h"
#include "util/log.h"

SSL_CTX *
dl_tls_ctx_new(const struct dl_violations *v, const struct dl_tlsa_policy *pol,
    struct dl_err *err)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL) {
		dl_err_crypto(err, "SSL_CTX_new");
		return NULL;
	}
	if (SSL_CTX_dane_enable(ctx) <= 0) {
		dl_err_crypto(err, "SSL_CTX_dane_enable");
		goto fail;
	}
	/*
	 * 7672-5-b, 7671-9-f: digest agility.  OpenSSL only considers the
	 * records of the strongest digest per (usage, selector), ranked by
	 * these ordinals; equal ordinals switch agility off.  The ranking is
	 * the administrator's (7671-9-b: sha512 above sha256 by default); a
	 * digest left out of it is disabled (ordinal 0, and tlsa.c has
	 * already made its records unusable).
	 */
	unsigned ord256 = dl_tlsa_policy_rank(pol, 1), ord512 = dl_tlsa_policy_rank(pol, 2);
	if (dl_violates(v, DL_VIOL_NO_DIGEST_AGILITY))
		ord256 = ord512 = 1;
	if (SSL_CTX_dane_mtype_set(ctx, ord256 ? EVP_sha256() : NULL, 1, (uint8_t)ord256) <= 0 ||
	    SSL_CTX_dane_mtype_set(ctx, ord512 ? EVP_sha512() : NULL, 2, (uint8_t)ord512) <= 0) {
		dl_err_crypto(err, "SSL_CTX_dane_mtype_set");
		goto fail;
	}
	/* Verification results are read after the handshake, so that the
	 * client can QUIT politely (3207-4.1-b). */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

static int
add_tlsa(SSL *ssl, const struct dl_tls_params *p, struct dl_err *err)
{
	int added = 0;

	for (size_t i = 0; i < p->tlsa->n; i++) {
		const struct dl_rdata *rd = &p->tlsa->rr[i];
		if (p->checks[i] != DL_TLSA_OK)
			continue;   /* filtered by tlsa.c */
		int rc = SSL_dane_tlsa_add(ssl, rd->data[0], rd->data[1],
		    rd->data[2], rd->data + 3, rd->len - 3);
		if (rc < 0)
			return dl_err_crypto(err, "SSL_dane_tlsa_add");
		if (rc > 0)
			added++;
	}
	ERR_clear_error();
	return added;
}

static int
setup_dane(SSL *ssl, const struct dl_tls_params *p, struct dl_err *err)
{
	const struct dl_violations *v = p->v;

	/* 7672-8.1-a, 7672-3.2.2-b: SNI and primary reference identifier
	 * are the TLSA base domain (SSL_dane_enable sets both). */
	if (SSL_dane_enable(ssl, p->refids[0]) <= 0)
		return dl_err_crypto(err, "SSL_dane_enable(%s)", p->refids[0]);
	/* 7672-3.2.1-a: no name checks for DANE-EE(3). */
	if (!dl_violates(v, DL_VIOL_CHECK_NAMES_DANE_EE))
		SSL_dane_set_flags(ssl, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
	/* 7672-3.2.3-x1: a wildcard is only a complete left-most label. */
	SSL_set_hostflags(ssl, dl_violates(v, DL_VIOL_PARTIAL_WILDCARDS) ? 0 :
	    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	/* 7672-3.2.2-c/d/e: the extra reference identifiers. */
	for (size_t i = 1; i < p->nrefids; i++)
		if (SSL_add1_host(ssl, p->refids[i]) <= 0)
			return dl_err_crypto(err, "SSL_add1_host(%s)",
			    p->refids[i]);
	/* 7672-3.2.2-a: DANE-TA(2) needs the name check. */
	if (dl_violates(v, DL_VIOL_NO_DANE_TA_NAME_CHECK))
		X509_VERIFY_PARAM_set1_host(SSL_get0_param(ssl), NULL, 0);
	if (add_tlsa(ssl, p, err) < 0)
		return -1;
	return 0;
}

SSL *
dl_tls_new(SSL_CTX *ctx, const struct dl_tls_params *p,
	struct dl_tls_info *info, struct dl_err *err)
{
	SSL *ssl = SSL_new(ctx);

	if (ssl == NULL) {
		dl_err_crypto(err, "SSL_new");
		return NULL;
	}
	info->attempted = true;
	info->dane = p->plan == DL_PLAN_DANE;
	/* Certificate times are judged against the lab clock. */
	X509_VERIFY_PARAM_set_time(SSL_get0_param(ssl), p->now);
	if (info->dane) {
		if (setup_dane(ssl, p, err) < 0)
			goto fail;
	} else if (p->sni != NULL &&
	    SSL_set_tlsext_host_name(ssl, p->sni) <= 0) {
		dl_err_crypto(err, "SNI %s", p->sni);
		goto fail;
	}
	/* 7672-8.1-a: SNI carries the TLSA base domain. */
	if (dl_violates(p->v, DL_VIOL_NO_SNI))
		SSL_set_tlsext_host_name(ssl, NULL);
	else if (p->stale_sni != NULL)
		SSL_set_tlsext_host_name(ssl, p->stale_sni);
	const char *sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	info->sni = sni ? dl_xstrdup(sni) : NULL;
	return ssl;
fail:
	SSL_free(ssl);
	return NULL;
}

static char *
name_str(const X509_NAME *n)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *s;
	long len;

	X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253);
	len = BIO_get_mem_data(b, &data);
	s = dl_xstrndup(data, (size_t)len);
	BIO_free(b);
	return s;
}

static void
record_session(SSL *ssl, struct dl_tls_info *info)
{
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
	int n = chain ? sk_X509_num(chain) : 0;

	info->version = dl_xstrdup(SSL_get_version(ssl));
	info->cipher = dl_xstrdup(SSL_get_cipher_name(ssl));
	info->chain = dl_xcalloc((size_t)n + 1, sizeof(char *));
	for (int i = 0; i < n; i++)
		info->chain[i] = name_str(X509_get_subject_name(
		    sk_X509_value(chain, i)));
	info->nchain = (size_t)n;
}

/* The violation check-dates-dane-ee: dates of a DANE-EE leaf. */
static bool
leaf_dates_ok(SSL *ssl, time_t now)
{
	X509 *leaf = SSL_get0_peer_certificate(ssl);

	return leaf != NULL &&
	    X509_cmp_time(X509_get0_notBefore(leaf), &now) <= 0 &&
	    X509_cmp_time(X509_get0_notAfter(leaf), &now) >= 0;
}

/* A TLSA record as results show it: "U S M hexdata". */
static char *
tlsa_text(uint8_t u, uint8_t sel, uint8_t m, const unsigned char *data,
	size_t len)
{
	struct dl_buf b = DL_BUF_INIT;

	dl_buf_printf(&b, "%u %u %u ", u, sel, m);
	for (size_t i = 0; i < len; i++)
		dl_buf_printf(&b, "%02x", data[i]);
	return dl_buf_take(&b);
}

/*
 * 6698-2.1.1-a, 7672-3.2.2-a: a DANE-TA(2) record may designate a
 * self-signed leaf as its own trust anchor.  OpenSSL's DANE code tries
 * TA records at depth 1 and up only, so a chain of just that leaf ends
 * in "no matching DANE TLSA records"; judge it here with the same rules:
 * the signature and dates of the leaf, and the DANE-TA name checks.
 */
static bool
self_signed_leaf_is_ta(SSL *ssl, const struct dl_tls_params *p,
	struct dl_tls_info *info)
{
	X509 *leaf = SSL_get0_peer_certificate(ssl);
	unsigned int flags = dl_violates(p->v, DL_VIOL_PARTIAL_WILDCARDS) ? 0 :
	    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS;
	bool named = dl_violates(p->v, DL_VIOL_NO_DANE_TA_NAME_CHECK);
	bool found = false;
	char *peer = NULL;

	if (leaf == NULL || X509_check_issued(leaf, leaf) != X509_V_OK ||
	    X509_verify(leaf, X509_get0_pubkey(leaf)) != 1 ||
	    !leaf_dates_ok(ssl, p->now))
		return false;
	for (size_t i = 0; i < p->nrefids && !named; i++)
		named = X509_check_host(leaf, p->refids[i], 0, flags, &peer) == 1;
	if (!named)
		return false;
	for (size_t i = 0; i < p->tlsa->n && !found; i++) {
		const struct dl_rdata *rd = &p->tlsa->rr[i];
		struct dl_buf leaf_data = DL_BUF_INIT;
		struct dl_err err;

		if (p->checks[i] != DL_TLSA_OK || rd->data[0] != 2)
			continue;
		char *rec = tlsa_text(rd->data[0], rd->data[1], rd->data[2],
		    rd->data + 3, rd->len - 3);
		found = dl_tlsa_data(leaf, rd->data[1], rd->data[2],
		    &leaf_data, &err) == 0 && leaf_data.data != NULL &&
		    strcmp(strrchr(rec, ' ') + 1, leaf_data.data) == 0;
		dl_buf_free(&leaf_data);
		if (!found) {
			free(rec);
			continue;
		}
		free(info->matched);
		info->matched = rec;
		info->match_depth = 0;
		if (peer != NULL && info->peername == NULL)
			info->peername = dl_xstrdup(peer);
	}
	OPENSSL_free(peer);
	return found;
}

/*
 * The violation ta-anywhere-in-chain, as GnuTLS's libdane verify_ca does
 * it: a DANE-TA record that matches any certificate after the leaf, and a
 * leaf signed by any certificate of the chain, count as authenticated
 * (6698-2.1.1-a requires the path from the leaf up to the TA instead).
 */
static bool
ta_anywhere_in_chain(SSL *ssl, const struct dl_tls_params *p,
	struct dl_tls_info *info)
{
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
	X509 *leaf = SSL_get0_peer_certificate(ssl);
	int n = chain ? sk_X509_num(chain) : 0;
	bool found = false, signed_ok = false, named = false;
	char *peer = NULL;

	if (leaf == NULL || p->tlsa == NULL)
		return false;
	for (int k = 1; k < n && !signed_ok; k++) {
		X509 *ca = sk_X509_value(chain, k);
		signed_ok = X509_check_issued(ca, leaf) == X509_V_OK &&
		    X509_verify(leaf, X509_get0_pubkey(ca)) == 1;
	}
	for (size_t i = 0; i < p->nrefids && !named; i++)
		named = X509_check_host(leaf, p->refids[i], 0,
		    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, &peer) == 1;
	for (int k = 1; k < n && signed_ok && named && !found; k++) {
		for (size_t i = 0; i < p->tlsa->n && !found; i++) {
			const struct dl_rdata *rd = &p->tlsa->rr[i];
			struct dl_buf d = DL_BUF_INIT;
			struct dl_err err;

			if (p->checks[i] != DL_TLSA_OK || rd->data[0] != 2)
				continue;
			char *rec = tlsa_text(rd->data[0], rd->data[1], rd->data[2],
			    rd->data + 3, rd->len - 3);
			found = dl_tlsa_data(sk_X509_value(chain, k), rd->data[1],
			    rd->data[2], &d, &err) == 0 && d.data != NULL &&
			    strcmp(strrchr(rec, ' ') + 1, d.data) == 0;
			dl_buf_free(&d);
			if (found) {
				free(info->matched);
				info->matched = rec;
				info->match_depth = k;
			} else
				free(rec);
		}
	}
	if (found && peer != NULL && info->peername == NULL)
		info->peername = dl_xstrdup(peer);
	OPENSSL_free(peer);
	return found;
}

bool
dl_tls_judge(SSL *ssl, const struct dl_tls_params *p,
	struct dl_tls_info *info)
{
	uint8_t u, s, m;
	const unsigned char *data;
	size_t dlen;
	long vr;
	int depth;

	info->handshake_ok = true;
	record_session(ssl, info);
	if (!info->dane)
		return true;  /* encrypt / opportunistic: no authentication */
	vr = SSL_get_verify_result(ssl);
	depth = SSL_get0_dane_tlsa(ssl, &u, &s, &m, &data, &dlen);
	info->match_depth = depth;
	if (depth >= 0)
		info->matched = tlsa_text(u, s, m, data, dlen);
	if (SSL_get0_peername(ssl))
		info->peername = dl_xstrdup(SSL_get0_peername(ssl));
	if (vr != X509_V_OK)
		info->verify_error = dl_xstrdup(X509_verify_cert_error_string(vr));
	info->authenticated = vr == X509_V_OK && depth >= 0;
	if (!info->authenticated && vr == X509_V_ERR_DANE_NO_MATCH &&
	    self_signed_leaf_is_ta(ssl, p, info)) {
		info->authenticated = true;
		free(info->verify_error);
		info->verify_error = NULL;
	}
	if (!info->authenticated && dl_violates(p->v, DL_VIOL_TA_ANYWHERE_IN_CHAIN) &&
	    ta_anywhere_in_chain(ssl, p, info)) {
		info->authenticated = true;
		free(info->verify_error);
		info->verify_error = NULL;
	}
	/* 7672-3.1.1-b: DANE-EE(3) ignores the leaf's validity dates
	 * (OpenSSL does; the violation adds the check back). */
	if (info->authenticated && u == 3 &&
	    dl_violates(p->v, DL_VIOL_CHECK_DATES_DANE_EE) &&
	    !leaf_dates_ok(ssl, p->now)) {
		info->authenticated = false;
		info->verify_error = dl_xstrdup("leaf certificate outside its "
		    "validity dates (violation check-dates-dane-ee)");
	}
	/* 7672-9.1-a: audit-only mode logs the shortfall and goes on. */
	if (!info->authenticated && p->audit) {
		info->audit_warning = true;
		log_warn("tls", "audit: DANE authentication failed (%s); delivering "
		    "anyway, unauthenticated", info->verify_error ? info->verify_error :
		    "no TLSA record matched");
		return true;
	}
	/* 7672-3.2-b, 7672-9.1-b: no delivery after an authentication
	 * failure. */
	return info->authenticated ||
	    dl_violates(p->v, DL_VIOL_DELIVER_AFTER_AUTH_FAILURE);
}
