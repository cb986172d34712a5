/*
 * pki_issue.c -- turning a struct dl_cert_spec into a signed X.509 v3
 * certificate, dated from the pki's clock (never the wall clock).
 *
 * Extensions are built from OpenSSL structures, not config strings, where
 * names from a case file end up inside them (subjectAltName,
 * nameConstraints): a name can then never inject another extension value.
 */
#include "lab/pki.h"
#include "lab/pki_int.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

#define DAY 86400L

static int
set_dates(X509 *x, const struct dl_cert_spec *spec, time_t now,
    struct dl_err *err)
{
	long nb, na;

	switch (spec->validity) {
	case DL_VALID:
		nb = -DAY, na = 365 * DAY;
		break;
	case DL_EXPIRED:
		nb = -30 * DAY, na = -DAY;
		break;
	case DL_NOTYET:
		nb = DAY, na = 365 * DAY;
		break;
	case DL_VALIDITY_CUSTOM:
		nb = spec->nb_offset, na = spec->na_offset;
		break;
	default:
		return dl_errf(err, "unknown validity %d", (int)spec->validity);
	}
	if (X509_time_adj_ex(X509_getm_notBefore(x), 0, nb, &now) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), 0, na, &now) == NULL)
		return dl_err_crypto(err, "setting validity dates");
	return 0;
}

static int
set_serial(X509 *x, struct dl_err *err)
{
	BIGNUM *bn = BN_new();
	int rc = -1;

	/* 127 random bits with the top one set: positive, 16 octets, unique
	 * in practice, as RFC 5280 wants (<= 20 octets). */
	if (bn == NULL || !BN_rand(bn, 127, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL)
		dl_err_crypto(err, "making a serial number");
	else
		rc = 0;
	BN_free(bn);
	return rc;
}

static GENERAL_NAME *
dns_name(const char *name)
{
	GENERAL_NAME *g = GENERAL_NAME_new();
	ASN1_IA5STRING *s = ASN1_IA5STRING_new();

	if (g == NULL || s == NULL || !ASN1_STRING_set(s, name, -1)) {
		GENERAL_NAME_free(g);
		ASN1_IA5STRING_free(s);
		return NULL;
	}
	GENERAL_NAME_set0_value(g, GEN_DNS, s);
	return g;
}

static int
add_san(X509 *x, const struct dl_cert_spec *spec, bool critical,
    struct dl_err *err)
{
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	int rc = -1;

	if (gens == NULL)
		return dl_err_crypto(err, "subjectAltName");
	for (size_t i = 0; i < spec->n_san; i++) {
		GENERAL_NAME *g = dns_name(spec->san[i]);
		if (g == NULL || !sk_GENERAL_NAME_push(gens, g)) {
			GENERAL_NAME_free(g);
			dl_err_crypto(err, "subjectAltName \"%s\"", spec->san[i]);
			goto out;
		}
	}
	/* RFC 5280 4.2.1.6: critical when the subject is empty. */
	if (!X509_add1_ext_i2d(x, NID_subject_alt_name, gens, critical ? 1 : 0,
	    X509V3_ADD_DEFAULT)) {
		dl_err_crypto(err, "adding subjectAltName");
		goto out;
	}
	rc = 0;
out:
	GENERAL_NAMES_free(gens);
	return rc;
}

static int
add_subtrees(STACK_OF(GENERAL_SUBTREE) **tree, const char *const *names,
    size_t n, struct dl_err *err)
{
	if (n == 0)
		return 0;
	if (*tree == NULL && (*tree = sk_GENERAL_SUBTREE_new_null()) == NULL)
		return dl_err_crypto(err, "nameConstraints");
	for (size_t i = 0; i < n; i++) {
		GENERAL_SUBTREE *st = GENERAL_SUBTREE_new();
		GENERAL_NAME *g = dns_name(names[i]);
		if (st == NULL || g == NULL) {
			GENERAL_SUBTREE_free(st);
			GENERAL_NAME_free(g);
			return dl_err_crypto(err, "nameConstraints \"%s\"", names[i]);
		}
		GENERAL_NAME_free(st->base);
		st->base = g;
		if (!sk_GENERAL_SUBTREE_push(*tree, st)) {
			GENERAL_SUBTREE_free(st);
			return dl_err_crypto(err, "nameConstraints \"%s\"", names[i]);
		}
	}
	return 0;
}

static int
add_name_constraints(X509 *x, const struct dl_cert_spec *spec,
    struct dl_err *err)
{
	NAME_CONSTRAINTS *nc;
	int rc = -1;

	if (spec->n_permitted == 0 && spec->n_excluded == 0)
		return 0;
	if ((nc = NAME_CONSTRAINTS_new()) == NULL)
		return dl_err_crypto(err, "nameConstraints");
	if (add_subtrees(&nc->permittedSubtrees, spec->permitted,
	    spec->n_permitted, err) < 0 ||
	    add_subtrees(&nc->excludedSubtrees, spec->excluded,
	    spec->n_excluded, err) < 0)
		goto out;
	/* RFC 5280 4.2.1.10: conforming CAs mark it critical. */
	if (!X509_add1_ext_i2d(x, NID_name_constraints, nc, 1, X509V3_ADD_DEFAULT)) {
		dl_err_crypto(err, "adding nameConstraints");
		goto out;
	}
	rc = 0;
out:
	NAME_CONSTRAINTS_free(nc);
	return rc;
}

static int
add_conf(X509 *x, X509V3_CTX *ctx, int nid, const char *value,
    struct dl_err *err)
{
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);

	if (ext == NULL || !X509_add_ext(x, ext, -1)) {
		X509_EXTENSION_free(ext);
		return dl_err_crypto(err, "adding %s = %s", OBJ_nid2sn(nid), value);
	}
	X509_EXTENSION_free(ext);
	return 0;
}

static int
add_extensions(X509 *x, X509 *issuer, const struct dl_cert_spec *spec,
    bool rsa, bool empty_subject, struct dl_err *err)
{
	X509V3_CTX ctx;
	char bc[64];

	if (!spec->is_ca && (spec->has_pathlen || spec->n_permitted ||
	    spec->n_excluded))
		return dl_errf(err, "pathlen and name constraints need a CA");
	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	if (spec->has_pathlen && spec->pathlen < 0)
		return dl_errf(err, "pathlen %d: expected >= 0", spec->pathlen);
	if (spec->is_ca && spec->has_pathlen)
		snprintf(bc, sizeof(bc), "critical,CA:TRUE,pathlen:%d", spec->pathlen);
	else
		snprintf(bc, sizeof(bc), "critical,CA:%s", spec->is_ca ? "TRUE" : "FALSE");
	/* A self-signed leaf gets no keyUsage, like Debian's snakeoil
	 * certificate: with digitalSignature alone OpenSSL would not count it
	 * as self-signed (no keyCertSign). */
	bool ku = spec->is_ca || issuer != NULL;
	if (add_conf(x, &ctx, NID_basic_constraints, bc, err) < 0 ||
	    (ku && add_conf(x, &ctx, NID_key_usage, spec->is_ca ?
	    "critical,keyCertSign,cRLSign" : rsa ?
	    "critical,digitalSignature,keyEncipherment" :
	    "critical,digitalSignature", err) < 0) ||
	    (!spec->is_ca && add_conf(x, &ctx, NID_ext_key_usage,
	    "serverAuth", err) < 0) ||
	    add_conf(x, &ctx, NID_subject_key_identifier, "hash", err) < 0 ||
	    (issuer != NULL && add_conf(x, &ctx, NID_authority_key_identifier,
	    "keyid:always", err) < 0))
		return -1;
	if (spec->n_san > 0 && add_san(x, spec, empty_subject, err) < 0)
		return -1;
	return add_name_constraints(x, spec, err);
}

static int
set_names(X509 *x, X509 *issuer, const struct dl_cert_spec *spec,
    struct dl_err *err)
{
	const char *cn = spec->cn;

	if (cn == NULL && spec->is_ca)
		cn = spec->id;	/* a CA needs a name for chains to link */
	if (cn != NULL && !X509_NAME_add_entry_by_txt(X509_get_subject_name(x),
	    "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0))
		return dl_err_crypto(err, "subject CN \"%s\"", cn);
	if (!X509_set_issuer_name(x, X509_get_subject_name(issuer ? issuer : x)))
		return dl_err_crypto(err, "issuer name");
	return 0;
}

/* Checks that need no crypto: names, issuer, that the id is free. */
static int
check_spec(const struct dl_pki *pki, const struct dl_cert_spec *spec,
    X509 **issuer, EVP_PKEY **issuer_key, struct dl_err *err)
{
	if (spec->id == NULL)
		return dl_errf(err, "no id");
	if (dl_pki_check_name("id", spec->id, err) < 0)
		return -1;
	if (dl_pki_find_cert(pki, spec->id) != NULL)
		return dl_errf(err, "already exists");
	*issuer = NULL;
	*issuer_key = NULL;
	if (spec->issuer == NULL)
		return 0;
	if ((*issuer = dl_pki_cert(pki, spec->issuer)) == NULL)
		return dl_errf(err, "issuer \"%s\": no such certificate",
		    spec->issuer);
	if ((*issuer_key = dl_pki_cert_key(pki, spec->issuer)) == NULL)
		return dl_errf(err, "issuer \"%s\": its private key is unknown",
		    spec->issuer);
	return 0;
}

int
dl_pki_issue(struct dl_pki *pki, const struct dl_cert_spec *spec,
    struct dl_err *err)
{
	X509 *issuer = NULL, *x = NULL;
	EVP_PKEY *issuer_key = NULL, *key;
	const char *key_name = spec->key ? spec->key : spec->id;
	int rc = -1;

	if (check_spec(pki, spec, &issuer, &issuer_key, err) < 0)
		goto out;
	/* An existing key is reused whatever key_type says: re-issuing. */
	if ((key = dl_pki_key(pki, key_name)) == NULL &&
	    (key = dl_pki_key_gen(pki, key_name, spec->key_type, err)) == NULL)
		goto out;
	if ((x = X509_new()) == NULL || !X509_set_version(x, X509_VERSION_3) ||
	    !X509_set_pubkey(x, key)) {
		dl_err_crypto(err, "new certificate");
		goto out;
	}
	if (set_serial(x, err) < 0 || set_dates(x, spec, pki->now, err) < 0 ||
	    set_names(x, issuer, spec, err) < 0 ||
	    add_extensions(x, issuer, spec, EVP_PKEY_is_a(key, "RSA"),
	    spec->cn == NULL && !spec->is_ca, err) < 0)
		goto out;
	if (!X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256())) {
		dl_err_crypto(err, "signing");
		goto out;
	}
	rc = dl_pki_add_cert(pki, spec->id, x, err);
out:
	X509_free(x);
	if (rc < 0)
		dl_err_prefix(err, "certificate \"%s\": ", spec->id ? spec->id : "");
	return rc;
}
