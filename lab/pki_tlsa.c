/*
 * pki_tlsa.c -- TLSA certificate association data (RFC 6698 2.1.2-2.1.3)
 * of a certificate or a bare public key, as the hex a zone file carries.
 */
#include "lab/pki.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509.h>

static int
hex_of(const unsigned char *der, int len, int mtype, struct dl_buf *out,
    struct dl_err *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	const unsigned char *data = der;
	size_t n = (size_t)len;

	switch (mtype) {
	case 0:
		break;
	case 1:
	case 2:
		if (!EVP_Digest(der, (size_t)len, md, &mdlen,
		    mtype == 1 ? EVP_sha256() : EVP_sha512(), NULL))
			return dl_err_crypto(err, "TLSA digest");
		data = md;
		n = mdlen;
		break;
	default:
		return dl_errf(err, "TLSA matching type %d: expected 0, 1 or 2",
		    mtype);
	}
	dl_buf_reserve(out, 2 * n);
	for (size_t i = 0; i < n; i++)
		dl_buf_printf(out, "%02x", data[i]);
	return 0;
}

int
dl_tlsa_data(X509 *cert, int selector, int mtype, struct dl_buf *hex_out,
    struct dl_err *err)
{
	unsigned char *der = NULL;
	int len, rc;

	switch (selector) {
	case 0:
		len = i2d_X509(cert, &der);
		break;
	case 1:
		len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
		break;
	default:
		return dl_errf(err, "TLSA selector %d: expected 0 or 1", selector);
	}
	if (len <= 0)
		return dl_err_crypto(err, "TLSA: DER encoding (selector %d)",
		    selector);
	rc = hex_of(der, len, mtype, hex_out, err);
	OPENSSL_free(der);
	return rc;
}

int
dl_tlsa_spki_data(EVP_PKEY *pkey, int mtype, struct dl_buf *hex_out,
    struct dl_err *err)
{
	unsigned char *der = NULL;
	int len = i2d_PUBKEY(pkey, &der);
	int rc;

	if (len <= 0)
		return dl_err_crypto(err, "TLSA: DER encoding of the public key");
	rc = hex_of(der, len, mtype, hex_out, err);
	OPENSSL_free(der);
	return rc;
}
