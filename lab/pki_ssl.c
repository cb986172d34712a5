/*
 * pki_ssl.c -- handing a lab chain to an OpenSSL server context directly,
 * without files (servers with many personas, tests over memory BIOs).
 */
#include "lab/pki.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

int
dl_pki_ssl_ctx_use(const struct dl_pki *pki, SSL_CTX *ctx,
    const char *const *ids, size_t n, struct dl_err *err)
{
	X509 *leaf;
	EVP_PKEY *key;

	if (n == 0)
		return dl_errf(err, "chain: no certificate named");
	if ((leaf = dl_pki_cert(pki, ids[0])) == NULL)
		return dl_errf(err, "chain: no certificate \"%s\"", ids[0]);
	if ((key = dl_pki_cert_key(pki, ids[0])) == NULL)
		return dl_errf(err, "certificate \"%s\": its private key is unknown",
		    ids[0]);
	SSL_CTX_set_mode(ctx, SSL_MODE_NO_AUTO_CHAIN);
	if (SSL_CTX_use_certificate(ctx, leaf) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, key) != 1 ||
	    SSL_CTX_clear_chain_certs(ctx) != 1)
		return dl_err_crypto(err, "certificate \"%s\": loading into SSL_CTX",
		    ids[0]);
	for (size_t i = 1; i < n; i++) {
		X509 *x = dl_pki_cert(pki, ids[i]);
		if (x == NULL)
			return dl_errf(err, "chain: no certificate \"%s\"", ids[i]);
		if (SSL_CTX_add1_chain_cert(ctx, x) != 1)
			return dl_err_crypto(err, "chain: adding \"%s\"", ids[i]);
	}
	return 0;
}
