/*
 * test_pki.c -- lab/pki: every certificate variant has the properties it
 * claims (dates, names, linkage, constraints, chain files), TLSA data
 * equals what the openssl command computes, and OpenSSL's own chain and
 * DANE verification accept or reject the results as they should.
 */
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab/pki.h"
#include "tests/unit/cu.h"
#include "util/buf.h"
#include "util/err.h"

#define NOW ((time_t)1800000000)	/* 2027-01-15 08:00 UTC */
#define DAY 86400

static time_t
time_of(const ASN1_TIME *t)
{
	struct tm tm;

	if (!ASN1_TIME_to_tm(t, &tm))
		return (time_t)-1;
	return timegm(&tm);
}

/* Issue or fail the test; names are NULL-terminated lists. */
static void
issue(struct dl_pki *pki, struct dl_cert_spec s, const char *const *san)
{
	struct dl_err err = { "" };
	size_t n = 0;

	while (san && san[n])
		n++;
	s.san = san;
	s.n_san = n;
	int rc = dl_pki_issue(pki, &s, &err);
	if (rc != 0)
		fprintf(stderr, "issue %s: %s\n", s.id, err.msg);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
}

static const char *const mx1_names[] = { "mx1.a.test", "*.b.test", NULL };

/* root -> int (pathlen 0) -> mx1; att -> mx1-att; the common fixture. */
static struct dl_pki *
lab(void)
{
	struct dl_pki *pki = dl_pki_new(NOW);

	issue(pki, (struct dl_cert_spec){ .id = "root", .is_ca = true }, NULL);
	issue(pki, (struct dl_cert_spec){ .id = "int", .issuer = "root",
	    .is_ca = true, .has_pathlen = true, .pathlen = 0 }, NULL);
	issue(pki, (struct dl_cert_spec){ .id = "mx1", .key = "K1",
	    .issuer = "int", .cn = "mx1.a.test" }, mx1_names);
	issue(pki, (struct dl_cert_spec){ .id = "att", .is_ca = true }, NULL);
	issue(pki, (struct dl_cert_spec){ .id = "mx1-att", .issuer = "att" },
	    mx1_names);
	return pki;
}

/* Full chain verification at NOW: returns the X509_V_ code. */
static int
verify_at(X509 *leaf, X509 *anchor, X509 **untrusted, size_t n, time_t now)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *chain = sk_X509_new_null();
	int rc;

	X509_STORE_add_cert(store, anchor);
	for (size_t i = 0; i < n; i++)
		sk_X509_push(chain, untrusted[i]);
	X509_STORE_CTX_init(ctx, store, leaf, chain);
	X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), now);
	rc = X509_verify_cert(ctx) == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
	X509_STORE_CTX_free(ctx);
	sk_X509_free(chain);
	X509_STORE_free(store);
	ERR_clear_error();
	return rc;
}

static void
test_key_cache(void)
{
	struct dl_pki *pki = dl_pki_new(NOW);
	struct dl_err err = { "" };
	EVP_PKEY *a = dl_pki_key_gen(pki, "K1", DL_KEY_EC256, &err);
	EVP_PKEY *b = dl_pki_key_gen(pki, "K1", DL_KEY_EC256, &err);
	EVP_PKEY *r = dl_pki_key_gen(pki, "R1", DL_KEY_RSA2048, &err);
	char curve[64] = "";

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_EQUAL(a, b);
	CU_ASSERT_PTR_EQUAL(dl_pki_key(pki, "K1"), a);
	CU_ASSERT_PTR_NULL(dl_pki_key(pki, "K2"));
	CU_ASSERT_TRUE(EVP_PKEY_is_a(a, "EC"));
	EVP_PKEY_get_utf8_string_param(a, "group", curve, sizeof(curve), NULL);
	CU_ASSERT_STRING_EQUAL(curve, "prime256v1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_TRUE(EVP_PKEY_is_a(r, "RSA"));
	CU_ASSERT_EQUAL(EVP_PKEY_get_bits(r), 2048);
	/* Same name, other type: an error, not a silent second key. */
	CU_ASSERT_PTR_NULL(dl_pki_key_gen(pki, "K1", DL_KEY_RSA2048, &err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "exists as ec"));
	CU_ASSERT_PTR_NULL(dl_pki_key_gen(pki, "../x", DL_KEY_EC256, &err));
	CU_ASSERT_NOT_EQUAL(EVP_PKEY_eq(dl_pki_key(pki, "K1"), r), 1);
	dl_pki_free(pki);
}

static void
check_dates(X509 *x, time_t nb, time_t na)
{
	CU_ASSERT_EQUAL(time_of(X509_get0_notBefore(x)), nb);
	CU_ASSERT_EQUAL(time_of(X509_get0_notAfter(x)), na);
}

static void
test_dates(void)
{
	struct dl_pki *pki = lab();

	issue(pki, (struct dl_cert_spec){ .id = "exp", .issuer = "int",
	    .validity = DL_EXPIRED }, mx1_names);
	issue(pki, (struct dl_cert_spec){ .id = "ny", .issuer = "int",
	    .validity = DL_NOTYET }, mx1_names);
	issue(pki, (struct dl_cert_spec){ .id = "cu", .issuer = "int",
	    .validity = DL_VALIDITY_CUSTOM, .nb_offset = -7200,
	    .na_offset = 3600 }, mx1_names);
	check_dates(dl_pki_cert(pki, "mx1"), NOW - DAY, NOW + 365 * DAY);
	check_dates(dl_pki_cert(pki, "root"), NOW - DAY, NOW + 365 * DAY);
	check_dates(dl_pki_cert(pki, "exp"), NOW - 30 * DAY, NOW - DAY);
	check_dates(dl_pki_cert(pki, "ny"), NOW + DAY, NOW + 365 * DAY);
	check_dates(dl_pki_cert(pki, "cu"), NOW - 7200, NOW + 3600);
	/* A later clock moves later certificates, not earlier ones. */
	dl_pki_set_now(pki, NOW + 1000);
	issue(pki, (struct dl_cert_spec){ .id = "late", .issuer = "int" }, NULL);
	check_dates(dl_pki_cert(pki, "late"), NOW + 1000 - DAY,
	    NOW + 1000 + 365 * DAY);
	check_dates(dl_pki_cert(pki, "mx1"), NOW - DAY, NOW + 365 * DAY);
	dl_pki_free(pki);
}

/* The dNSNames of x's SAN, comma-joined ("" without SAN); caller frees. */
static char *
san_list(X509 *x, int *critical)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name,
	    critical, NULL);
	struct dl_buf b = DL_BUF_INIT;

	for (int i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		CU_ASSERT_EQUAL(g->type, GEN_DNS);
		if (g->type != GEN_DNS)
			continue;
		if (i)
			dl_buf_addc(&b, ',');
		dl_buf_add(&b, ASN1_STRING_get0_data(g->d.dNSName),
		    (size_t)ASN1_STRING_length(g->d.dNSName));
	}
	GENERAL_NAMES_free(gens);
	return dl_buf_take(&b);
}

static void
test_names(void)
{
	struct dl_pki *pki = lab();
	static const char *const wrong[] = { "other.c.test", NULL };
	char cn[128];
	int crit = -1;

	issue(pki, (struct dl_cert_spec){ .id = "none", .issuer = "int" }, NULL);
	issue(pki, (struct dl_cert_spec){ .id = "wrong", .issuer = "int" }, wrong);
	issue(pki, (struct dl_cert_spec){ .id = "cnonly", .issuer = "int",
	    .cn = "mx9.a.test" }, NULL);

	char *s = san_list(dl_pki_cert(pki, "mx1"), &crit);
	CU_ASSERT_STRING_EQUAL(s, "mx1.a.test,*.b.test");
	CU_ASSERT_EQUAL(crit, 0);	/* subject has a CN */
	free(s);
	CU_ASSERT(X509_NAME_get_text_by_NID(X509_get_subject_name(
	    dl_pki_cert(pki, "mx1")), NID_commonName, cn, sizeof(cn)) > 0);
	CU_ASSERT_STRING_EQUAL(cn, "mx1.a.test");

	X509 *none = dl_pki_cert(pki, "none");
	CU_ASSERT_EQUAL(X509_NAME_entry_count(X509_get_subject_name(none)), 0);
	CU_ASSERT_EQUAL(X509_get_ext_by_NID(none, NID_subject_alt_name, -1), -1);

	s = san_list(dl_pki_cert(pki, "wrong"), &crit);
	CU_ASSERT_STRING_EQUAL(s, "other.c.test");
	CU_ASSERT_EQUAL(crit, 1);	/* empty subject: SAN critical */
	free(s);

	X509 *cno = dl_pki_cert(pki, "cnonly");
	CU_ASSERT_EQUAL(X509_get_ext_by_NID(cno, NID_subject_alt_name, -1), -1);
	CU_ASSERT(X509_NAME_get_text_by_NID(X509_get_subject_name(cno),
	    NID_commonName, cn, sizeof(cn)) > 0);
	CU_ASSERT_STRING_EQUAL(cn, "mx9.a.test");
	/* A CA without cn is named after its id, so chains link. */
	CU_ASSERT(X509_NAME_get_text_by_NID(X509_get_subject_name(
	    dl_pki_cert(pki, "int")), NID_commonName, cn, sizeof(cn)) > 0);
	CU_ASSERT_STRING_EQUAL(cn, "int");
	/* Host name checks agree: wildcard covers one label only. */
	CU_ASSERT_EQUAL(X509_check_host(dl_pki_cert(pki, "mx1"), "mx2.b.test",
	    0, 0, NULL), 1);
	CU_ASSERT_EQUAL(X509_check_host(dl_pki_cert(pki, "mx1"), "x.y.b.test",
	    0, 0, NULL), 0);
	CU_ASSERT_EQUAL(X509_check_host(none, "mx1.a.test", 0, 0, NULL), 0);
	dl_pki_free(pki);
}

static void
test_linkage_and_signatures(void)
{
	struct dl_pki *pki = lab();
	X509 *root = dl_pki_cert(pki, "root"), *in = dl_pki_cert(pki, "int");
	X509 *mx1 = dl_pki_cert(pki, "mx1"), *att = dl_pki_cert(pki, "att");
	X509 *matt = dl_pki_cert(pki, "mx1-att");

	issue(pki, (struct dl_cert_spec){ .id = "self" }, mx1_names);
	X509 *self = dl_pki_cert(pki, "self");

	CU_ASSERT_EQUAL(X509_check_issued(root, root), X509_V_OK);
	CU_ASSERT_EQUAL(X509_check_issued(root, in), X509_V_OK);
	CU_ASSERT_EQUAL(X509_check_issued(in, mx1), X509_V_OK);
	CU_ASSERT_EQUAL(X509_check_issued(att, matt), X509_V_OK);
	CU_ASSERT_EQUAL(X509_check_issued(self, self), X509_V_OK);
	CU_ASSERT_NOT_EQUAL(X509_check_issued(root, mx1), X509_V_OK);
	CU_ASSERT_NOT_EQUAL(X509_check_issued(root, matt), X509_V_OK);

	CU_ASSERT_EQUAL(X509_verify(root, dl_pki_key(pki, "root")), 1);
	CU_ASSERT_EQUAL(X509_verify(in, dl_pki_key(pki, "root")), 1);
	CU_ASSERT_EQUAL(X509_verify(mx1, dl_pki_key(pki, "int")), 1);
	CU_ASSERT_EQUAL(X509_verify(matt, dl_pki_key(pki, "att")), 1);
	CU_ASSERT_EQUAL(X509_verify(self, dl_pki_key(pki, "self")), 1);
	CU_ASSERT_NOT_EQUAL(X509_verify(mx1, dl_pki_key(pki, "root")), 1);
	CU_ASSERT_NOT_EQUAL(X509_verify(matt, dl_pki_key(pki, "root")), 1);
	ERR_clear_error();

	/* The leaf's key is K1 as asked, and the cert carries it. */
	CU_ASSERT_STRING_EQUAL(dl_pki_cert_key_name(pki, "mx1"), "K1");
	CU_ASSERT_EQUAL(X509_check_private_key(mx1, dl_pki_key(pki, "K1")), 1);
	CU_ASSERT_EQUAL(X509_get_version(mx1), X509_VERSION_3);

	X509 *u[] = { in };
	CU_ASSERT_EQUAL(verify_at(mx1, root, u, 1, NOW), X509_V_OK);
	CU_ASSERT_EQUAL(verify_at(matt, root, u, 1, NOW),
	    X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
	CU_ASSERT_EQUAL(verify_at(mx1, root, NULL, 0, NOW),
	    X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
	/* The dates really are relative to NOW, not to the wall clock. */
	CU_ASSERT_EQUAL(verify_at(mx1, root, u, 1, NOW + 400 * DAY),
	    X509_V_ERR_CERT_HAS_EXPIRED);
	dl_pki_free(pki);
}

static void
test_variants_verify(void)
{
	struct dl_pki *pki = lab();
	X509 *root = dl_pki_cert(pki, "root");

	issue(pki, (struct dl_cert_spec){ .id = "exp", .issuer = "int",
	    .validity = DL_EXPIRED }, mx1_names);
	issue(pki, (struct dl_cert_spec){ .id = "ny", .issuer = "int",
	    .validity = DL_NOTYET }, mx1_names);
	issue(pki, (struct dl_cert_spec){ .id = "int-exp", .key = "int",
	    .issuer = "root", .is_ca = true, .cn = "int",
	    .validity = DL_EXPIRED }, NULL);
	X509 *u[] = { dl_pki_cert(pki, "int") };
	X509 *uexp[] = { dl_pki_cert(pki, "int-exp") };

	CU_ASSERT_EQUAL(verify_at(dl_pki_cert(pki, "exp"), root, u, 1, NOW),
	    X509_V_ERR_CERT_HAS_EXPIRED);
	CU_ASSERT_EQUAL(verify_at(dl_pki_cert(pki, "ny"), root, u, 1, NOW),
	    X509_V_ERR_CERT_NOT_YET_VALID);
	/* Same key and name as "int": mx1 chains through the expired CA. */
	CU_ASSERT_EQUAL(verify_at(dl_pki_cert(pki, "mx1"), root, uexp, 1, NOW),
	    X509_V_ERR_CERT_HAS_EXPIRED);
	dl_pki_free(pki);
}

static void
test_reissue(void)
{
	struct dl_pki *pki = lab();

	issue(pki, (struct dl_cert_spec){ .id = "mx1-new", .key = "K1",
	    .issuer = "int", .validity = DL_VALIDITY_CUSTOM,
	    .nb_offset = -3600, .na_offset = 90 * DAY }, mx1_names);
	X509 *a = dl_pki_cert(pki, "mx1"), *b = dl_pki_cert(pki, "mx1-new");

	CU_ASSERT_EQUAL(EVP_PKEY_eq(X509_get0_pubkey(a), X509_get0_pubkey(b)), 1);
	CU_ASSERT_NOT_EQUAL(ASN1_INTEGER_cmp(X509_get0_serialNumber(a),
	    X509_get0_serialNumber(b)), 0);
	CU_ASSERT_NOT_EQUAL(time_of(X509_get0_notAfter(a)),
	    time_of(X509_get0_notAfter(b)));
	CU_ASSERT_NOT_EQUAL(X509_cmp(a, b), 0);
	/* Serial numbers: positive, 16 octets. */
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(a), NULL);
	CU_ASSERT_EQUAL(BN_num_bits(bn), 127);
	CU_ASSERT_FALSE(BN_is_negative(bn));
	BN_free(bn);
	dl_pki_free(pki);
}

static void
test_ca_constraints(void)
{
	struct dl_pki *pki = lab();
	static const char *const permit[] = { "a.test", NULL };
	static const char *const inside[] = { "mx1.a.test", NULL };
	static const char *const outside[] = { "mx1.c.test", NULL };
	X509 *root = dl_pki_cert(pki, "root");
	int crit = -1;

	issue(pki, (struct dl_cert_spec){ .id = "nc", .issuer = "root",
	    .is_ca = true, .permitted = permit, .n_permitted = 1 }, NULL);
	issue(pki, (struct dl_cert_spec){ .id = "nc-in", .issuer = "nc" }, inside);
	issue(pki, (struct dl_cert_spec){ .id = "nc-out", .issuer = "nc" }, outside);
	/* int has pathlen 0: a CA under it breaks the constraint. */
	issue(pki, (struct dl_cert_spec){ .id = "sub", .issuer = "int",
	    .is_ca = true }, NULL);
	issue(pki, (struct dl_cert_spec){ .id = "deep", .issuer = "sub" }, inside);

	BASIC_CONSTRAINTS *bc = X509_get_ext_d2i(dl_pki_cert(pki, "int"),
	    NID_basic_constraints, &crit, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(bc);
	CU_ASSERT_TRUE(bc->ca);
	CU_ASSERT_EQUAL(crit, 1);
	CU_ASSERT_PTR_NOT_NULL(bc->pathlen);
	CU_ASSERT_EQUAL(ASN1_INTEGER_get(bc->pathlen), 0);
	BASIC_CONSTRAINTS_free(bc);
	bc = X509_get_ext_d2i(root, NID_basic_constraints, NULL, NULL);
	CU_ASSERT_TRUE(bc && bc->ca && bc->pathlen == NULL);
	BASIC_CONSTRAINTS_free(bc);
	bc = X509_get_ext_d2i(dl_pki_cert(pki, "mx1"), NID_basic_constraints,
	    NULL, NULL);
	CU_ASSERT_TRUE(bc && !bc->ca);
	BASIC_CONSTRAINTS_free(bc);
	CU_ASSERT_TRUE(X509_check_ca(dl_pki_cert(pki, "int")) >= 1);
	CU_ASSERT_EQUAL(X509_check_ca(dl_pki_cert(pki, "mx1")), 0);

	NAME_CONSTRAINTS *nc = X509_get_ext_d2i(dl_pki_cert(pki, "nc"),
	    NID_name_constraints, &crit, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(nc);
	CU_ASSERT_EQUAL(crit, 1);
	CU_ASSERT_EQUAL(sk_GENERAL_SUBTREE_num(nc->permittedSubtrees), 1);
	CU_ASSERT_PTR_NULL(nc->excludedSubtrees);
	NAME_CONSTRAINTS_free(nc);
	CU_ASSERT_EQUAL(X509_get_ext_by_NID(dl_pki_cert(pki, "int"),
	    NID_name_constraints, -1), -1);

	X509 *unc[] = { dl_pki_cert(pki, "nc") };
	CU_ASSERT_EQUAL(verify_at(dl_pki_cert(pki, "nc-in"), root, unc, 1, NOW),
	    X509_V_OK);
	CU_ASSERT_EQUAL(verify_at(dl_pki_cert(pki, "nc-out"), root, unc, 1, NOW),
	    X509_V_ERR_PERMITTED_VIOLATION);
	X509 *usub[] = { dl_pki_cert(pki, "int"), dl_pki_cert(pki, "sub") };
	CU_ASSERT_EQUAL(verify_at(dl_pki_cert(pki, "deep"), root, usub, 2, NOW),
	    X509_V_ERR_PATH_LENGTH_EXCEEDED);
	dl_pki_free(pki);
}

/* Read every certificate of a PEM file, in order. */
static STACK_OF(X509) *
read_chain(const char *path)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	FILE *f = fopen(path, "r");
	X509 *x;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while ((x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL)
		sk_X509_push(sk, x);
	ERR_clear_error();
	fclose(f);
	return sk;
}

static void
check_chain_file(struct dl_pki *pki, const char *const *ids, size_t n)
{
	char *chain = dl_xasprintf("%s/chain.pem", cu_tmpdir());
	char *key = dl_xasprintf("%s/key.pem", cu_tmpdir());
	struct dl_err err = { "" };

	CU_ASSERT_EQUAL_FATAL(dl_pki_write_chain(pki, ids, n, chain, key, &err), 0);
	STACK_OF(X509) *sk = read_chain(chain);
	CU_ASSERT_EQUAL(sk_X509_num(sk), (int)n);
	for (size_t i = 0; i < n && (int)i < sk_X509_num(sk); i++)
		CU_ASSERT_EQUAL(X509_cmp(sk_X509_value(sk, (int)i),
		    dl_pki_cert(pki, ids[i])), 0);
	FILE *f = fopen(key, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	EVP_PKEY *pk = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(pk);
	CU_ASSERT_EQUAL(X509_check_private_key(dl_pki_cert(pki, ids[0]), pk), 1);
	EVP_PKEY_free(pk);
	sk_X509_pop_free(sk, X509_free);
	free(chain);
	free(key);
}

static void
test_chain_files(void)
{
	struct dl_pki *pki = lab();
	static const char *const leaf_int[] = { "mx1", "int" };
	static const char *const leaf_int_root[] = { "mx1", "int", "root" };
	static const char *const leaf[] = { "mx1" };
	static const char *const garbage[] = { "mx1", "root", "att", "int" };
	static const char *const unknown[] = { "mx1", "nope" };
	struct dl_err err = { "" };

	check_chain_file(pki, leaf_int, 2);
	check_chain_file(pki, leaf_int_root, 3);
	check_chain_file(pki, leaf, 1);
	check_chain_file(pki, garbage, 4);
	char *chain = dl_xasprintf("%s/bad.pem", cu_tmpdir());
	CU_ASSERT_EQUAL(dl_pki_write_chain(pki, unknown, 2, chain, NULL, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "nope"));
	CU_ASSERT_EQUAL(access(chain, F_OK), -1);	/* nothing half-written */
	free(chain);
	dl_pki_free(pki);
}

/* Run a shell pipeline and return its trimmed stdout. */
static char *
shell(const char *cmd)
{
	struct dl_buf out = DL_BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *p = popen(cmd, "r");

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		dl_buf_add(&out, chunk, n);
	CU_ASSERT_EQUAL(pclose(p), 0);
	while (out.len > 0 && (out.data[out.len - 1] == '\n' ||
	    out.data[out.len - 1] == ' '))
		out.data[--out.len] = '\0';
	return dl_buf_take(&out);
}

static void
check_tlsa_vs_openssl(struct dl_pki *pki, const char *id)
{
	static const char *const hash[3] = {
		"od -An -v -tx1 | tr -d ' \\n'",
		"openssl dgst -sha256 -r | cut -d' ' -f1",
		"openssl dgst -sha512 -r | cut -d' ' -f1",
	};
	static const size_t hexlen[3] = { 0, 64, 128 };
	char *path = dl_xasprintf("%s/%s.pem", cu_tmpdir(), id);
	struct dl_err err = { "" };

	CU_ASSERT_EQUAL_FATAL(dl_pki_write_chain(pki, &id, 1, path, NULL, &err), 0);
	for (int sel = 0; sel < 2; sel++)
		for (int m = 0; m < 3; m++) {
			struct dl_buf hex = DL_BUF_INIT;
			char *cmd = sel == 0 ?
			    dl_xasprintf("openssl x509 -in '%s' -outform DER | %s",
			    path, hash[m]) :
			    dl_xasprintf("openssl x509 -in '%s' -noout -pubkey | "
			    "openssl pkey -pubin -outform DER | %s", path, hash[m]);
			char *want = shell(cmd);

			CU_ASSERT_EQUAL(dl_tlsa_data(dl_pki_cert(pki, id), sel, m,
			    &hex, &err), 0);
			CU_ASSERT_STRING_EQUAL(hex.data, want);
			if (m > 0) {
				CU_ASSERT_EQUAL(hex.len, hexlen[m]);
			} else {
				CU_ASSERT(hex.len > 100);
			}
			free(cmd);
			free(want);
			dl_buf_free(&hex);
		}
	free(path);
}

static void
test_tlsa_matches_openssl(void)
{
	struct dl_pki *pki = lab();

	issue(pki, (struct dl_cert_spec){ .id = "rsa", .issuer = "int",
	    .key_type = DL_KEY_RSA2048 }, mx1_names);
	check_tlsa_vs_openssl(pki, "mx1");
	check_tlsa_vs_openssl(pki, "rsa");
	check_tlsa_vs_openssl(pki, "root");
	dl_pki_free(pki);
}

static void
test_tlsa_spki_and_errors(void)
{
	struct dl_pki *pki = lab();
	struct dl_err err = { "" };

	for (int m = 0; m < 3; m++) {
		struct dl_buf a = DL_BUF_INIT, b = DL_BUF_INIT;
		CU_ASSERT_EQUAL(dl_tlsa_spki_data(dl_pki_key(pki, "K1"), m, &a,
		    &err), 0);
		CU_ASSERT_EQUAL(dl_tlsa_data(dl_pki_cert(pki, "mx1"), 1, m, &b,
		    &err), 0);
		CU_ASSERT_STRING_EQUAL(a.data, b.data);
		dl_buf_free(&a);
		dl_buf_free(&b);
	}
	/* Appends, so a caller can build a record line. */
	struct dl_buf line = DL_BUF_INIT;
	dl_buf_adds(&line, "3 1 1 ");
	CU_ASSERT_EQUAL(dl_tlsa_data(dl_pki_cert(pki, "mx1"), 1, 1, &line,
	    &err), 0);
	CU_ASSERT_EQUAL(line.len, 6 + 64);
	CU_ASSERT_EQUAL(strncmp(line.data, "3 1 1 ", 6), 0);
	CU_ASSERT_EQUAL(strspn(line.data + 6, "0123456789abcdef"), 64);
	CU_ASSERT_EQUAL(dl_tlsa_data(dl_pki_cert(pki, "mx1"), 2, 1, &line,
	    &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "selector 2"));
	CU_ASSERT_EQUAL(dl_tlsa_data(dl_pki_cert(pki, "mx1"), 1, 3, &line,
	    &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "matching type 3"));
	CU_ASSERT_EQUAL(line.len, 6 + 64);
	/* Different keys, different data. */
	struct dl_buf other = DL_BUF_INIT;
	dl_tlsa_data(dl_pki_cert(pki, "mx1-att"), 1, 1, &other, &err);
	CU_ASSERT_STRING_NOT_EQUAL(other.data, line.data + 6);
	dl_buf_free(&other);
	dl_buf_free(&line);
	dl_pki_free(pki);
}

static void
test_spec_parse(void)
{
	char *ok[] = { "mx1", "key=K1", "type=rsa", "issuer=int",
	    "san=mx1.a.test,*.b.test", "cn=mx1.a.test", "ca", "pathlen=2",
	    "permit=a.test", "exclude=x.a.test,y.a.test", "nb=-2d", "na=3600" };
	char *self[] = { "s", "issuer=self", "san=", "validity=expired" };
	char *alias[] = { "s", "valid=now", "alg=rsa2048" };
	struct dl_cert_spec s;
	struct dl_cert_spec_store *st = NULL;
	struct dl_err err = { "" };

	CU_ASSERT_EQUAL_FATAL(dl_cert_spec_parse(ok, 12, &s, &st, &err), 0);
	CU_ASSERT_STRING_EQUAL(s.id, "mx1");
	CU_ASSERT_STRING_EQUAL(s.key, "K1");
	CU_ASSERT_EQUAL(s.key_type, DL_KEY_RSA2048);
	CU_ASSERT_STRING_EQUAL(s.issuer, "int");
	CU_ASSERT_EQUAL_FATAL(s.n_san, 2);
	CU_ASSERT_STRING_EQUAL(s.san[0], "mx1.a.test");
	CU_ASSERT_STRING_EQUAL(s.san[1], "*.b.test");
	CU_ASSERT_STRING_EQUAL(s.cn, "mx1.a.test");
	CU_ASSERT_TRUE(s.is_ca && s.has_pathlen && s.pathlen == 2);
	CU_ASSERT_EQUAL_FATAL(s.n_permitted, 1);
	CU_ASSERT_STRING_EQUAL(s.permitted[0], "a.test");
	CU_ASSERT_EQUAL_FATAL(s.n_excluded, 2);
	CU_ASSERT_STRING_EQUAL(s.excluded[1], "y.a.test");
	CU_ASSERT_EQUAL(s.validity, DL_VALIDITY_CUSTOM);
	CU_ASSERT_EQUAL(s.nb_offset, -2 * DAY);
	CU_ASSERT_EQUAL(s.na_offset, 3600);
	dl_cert_spec_store_free(st);

	CU_ASSERT_EQUAL_FATAL(dl_cert_spec_parse(self, 4, &s, &st, &err), 0);
	CU_ASSERT_PTR_NULL(s.issuer);
	CU_ASSERT_EQUAL(s.n_san, 0);
	CU_ASSERT_PTR_NULL(s.cn);
	CU_ASSERT_FALSE(s.is_ca);
	CU_ASSERT_EQUAL(s.validity, DL_EXPIRED);
	CU_ASSERT_EQUAL(s.key_type, DL_KEY_EC256);
	dl_cert_spec_store_free(st);
	/* The spellings of cases/FORMAT.md. */
	CU_ASSERT_EQUAL_FATAL(dl_cert_spec_parse(alias, 3, &s, &st, &err), 0);
	CU_ASSERT_EQUAL(s.validity, DL_VALID);
	CU_ASSERT_EQUAL(s.key_type, DL_KEY_RSA2048);
	dl_cert_spec_store_free(st);

	static const struct { const char *w; const char *msg; } bad[] = {
		{ "bogus", "expected key=value" },
		{ "type=dsa", "expected ec or rsa" },
		{ "validity=soon", "expected valid" },
		{ "pathlen=-1", "expected 0..1000" },
		{ "nb=yesterday", "expected seconds" },
		{ "color=red", "unknown word" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *w[] = { "x", (char *)bad[i].w };
		CU_ASSERT_EQUAL(dl_cert_spec_parse(w, 2, &s, &st, &err), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, bad[i].msg));
		dl_cert_spec_store_free(st);
	}
	char *noid[] = { "key=K1" };
	CU_ASSERT_EQUAL(dl_cert_spec_parse(noid, 1, &s, &st, &err), -1);
	dl_cert_spec_store_free(st);
	char *inverted[] = { "x", "nb=10", "na=5" };
	CU_ASSERT_EQUAL(dl_cert_spec_parse(inverted, 3, &s, &st, &err), -1);
	dl_cert_spec_store_free(st);
}

static void
test_issue_errors(void)
{
	struct dl_pki *pki = lab();
	struct dl_err err = { "" };
	struct dl_cert_spec s = { .id = "mx1" };

	CU_ASSERT_EQUAL(dl_pki_issue(pki, &s, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "already exists"));
	s = (struct dl_cert_spec){ .id = "x", .issuer = "nope" };
	CU_ASSERT_EQUAL(dl_pki_issue(pki, &s, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "no such certificate"));
	s = (struct dl_cert_spec){ .id = "x", .has_pathlen = true };
	CU_ASSERT_EQUAL(dl_pki_issue(pki, &s, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "need a CA"));
	s = (struct dl_cert_spec){ .id = "a/b" };
	CU_ASSERT_EQUAL(dl_pki_issue(pki, &s, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "bad character '/'"));
	CU_ASSERT_PTR_NULL(dl_pki_cert(pki, "x"));
	CU_ASSERT_PTR_NULL(dl_pki_cert(pki, "a/b"));
	dl_pki_free(pki);
}

static void
test_dir_roundtrip(void)
{
	struct dl_pki *a = lab(), *b = dl_pki_new(NOW);
	struct dl_err err = { "" };
	const char *id;

	CU_ASSERT_EQUAL_FATAL(dl_pki_save_dir(a, cu_tmpdir(), &err), 0);
	CU_ASSERT_EQUAL_FATAL(dl_pki_load_dir(b, cu_tmpdir(), &err), 0);
	for (size_t i = 0; (id = dl_pki_cert_id_at(a, i)) != NULL; i++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(dl_pki_cert(b, id));
		CU_ASSERT_EQUAL(X509_cmp(dl_pki_cert(a, id), dl_pki_cert(b, id)), 0);
		CU_ASSERT_STRING_EQUAL(dl_pki_cert_key_name(b, id),
		    dl_pki_cert_key_name(a, id));
	}
	CU_ASSERT_PTR_NULL(dl_pki_cert_id_at(b, 5));	/* exactly five */
	CU_ASSERT_EQUAL(EVP_PKEY_eq(dl_pki_key(a, "K1"), dl_pki_key(b, "K1")), 1);
	/* The loaded pki issues under loaded CAs. */
	issue(b, (struct dl_cert_spec){ .id = "mx2", .issuer = "int" }, mx1_names);
	CU_ASSERT_EQUAL(X509_verify(dl_pki_cert(b, "mx2"), dl_pki_key(a, "int")), 1);
	dl_pki_free(a);
	dl_pki_free(b);
}

/*
 * One TLS handshake over a memory BIO pair (no sockets): the server sends
 * the chain `ids`, the client checks it with OpenSSL DANE against one TLSA
 * record made from certificate `tlsa_id`.  Returns the client's verify
 * result; *depth gets the matched record's depth (-1 if none).
 */
static long
dane_handshake(struct dl_pki *pki, const char *const *ids, size_t n,
    const char *host, uint8_t usage, uint8_t sel, uint8_t mtype,
    const char *tlsa_id, int *depth)
{
	SSL_CTX *sctx = SSL_CTX_new(TLS_server_method());
	SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
	struct dl_buf hex = DL_BUF_INIT;
	struct dl_err err = { "" };
	BIO *cb, *sb;
	long len;

	CU_ASSERT_FATAL(sctx && cctx);
	/* CAs in the server's store must not sneak into a shorter chain. */
	X509_STORE_add_cert(SSL_CTX_get_cert_store(sctx), dl_pki_cert(pki, "int"));
	X509_STORE_add_cert(SSL_CTX_get_cert_store(sctx), dl_pki_cert(pki, "root"));
	CU_ASSERT_EQUAL_FATAL(dl_pki_ssl_ctx_use(pki, sctx, ids, n, &err), 0);
	CU_ASSERT_EQUAL(SSL_CTX_dane_enable(cctx), 1);
	SSL *s = SSL_new(sctx), *c = SSL_new(cctx);
	CU_ASSERT_EQUAL(SSL_dane_enable(c, host), 1);
	/* RFC 7672 3.2.1: no name checks for DANE-EE(3), as Postfix does. */
	SSL_dane_set_flags(c, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
	X509_VERIFY_PARAM_set_time(SSL_get0_param(c), NOW);
	CU_ASSERT_EQUAL(dl_tlsa_data(dl_pki_cert(pki, tlsa_id), sel, mtype, &hex,
	    &err), 0);
	unsigned char *data = OPENSSL_hexstr2buf(hex.data, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	CU_ASSERT_EQUAL(SSL_dane_tlsa_add(c, usage, sel, mtype, data,
	    (size_t)len), 1);
	CU_ASSERT_EQUAL(BIO_new_bio_pair(&cb, 0, &sb, 0), 1);
	SSL_set_bio(c, cb, cb);
	SSL_set_bio(s, sb, sb);
	SSL_set_connect_state(c);
	SSL_set_accept_state(s);
	int done = 0;
	for (int i = 0; i < 50 && done != 3; i++) {
		if (!(done & 1) && SSL_do_handshake(c) == 1)
			done |= 1;
		if (!(done & 2) && SSL_do_handshake(s) == 1)
			done |= 2;
	}
	CU_ASSERT_EQUAL(done, 3);	/* VERIFY_NONE: completes either way */
	/* The client saw exactly the chain asked for, in that order. */
	STACK_OF(X509) *got = SSL_get_peer_cert_chain(c);
	CU_ASSERT_EQUAL(sk_X509_num(got), (int)n);
	for (size_t i = 0; i < n && (int)i < sk_X509_num(got); i++)
		CU_ASSERT_EQUAL(X509_cmp(sk_X509_value(got, (int)i),
		    dl_pki_cert(pki, ids[i])), 0);
	long vr = SSL_get_verify_result(c);
	*depth = SSL_get0_dane_authority(c, NULL, NULL);
	ERR_clear_error();
	OPENSSL_free(data);
	dl_buf_free(&hex);
	SSL_free(c);
	SSL_free(s);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
	return vr;
}

static void
test_openssl_dane(void)
{
	struct dl_pki *pki = lab();
	static const char *const li[] = { "mx1", "int" };
	static const char *const lir[] = { "mx1", "int", "root" };
	static const char *const garbage[] = { "mx1", "root", "att", "int" };
	static const char *const exp[] = { "exp" };
	static const char *const none[] = { "none" };
	static const struct {
		const char *const *chain;
		size_t n;
		const char *host;
		uint8_t u, s, m;
		const char *tlsa;
		long want;
		int depth;
	} cases[] = {
		{ li, 2, "mx1.a.test", 3, 1, 1, "mx1", X509_V_OK, 0 },
		{ li, 2, "wrong.test", 3, 0, 2, "mx1", X509_V_OK, 0 },
		{ li, 2, "mx1.a.test", 3, 1, 1, "mx1-att", -1, -1 },
		{ li, 2, "mx1.a.test", 2, 0, 1, "int", X509_V_OK, 1 },
		{ li, 2, "mx2.b.test", 2, 1, 1, "int", X509_V_OK, 1 },
		{ li, 2, "wrong.test", 2, 0, 1, "int",
		    X509_V_ERR_HOSTNAME_MISMATCH, -1 },
		{ lir, 3, "mx1.a.test", 2, 0, 1, "root", X509_V_OK, 2 },
		{ li, 2, "mx1.a.test", 2, 0, 1, "root", -1, -1 },
		{ li, 2, "mx1.a.test", 2, 0, 0, "root", X509_V_OK, 2 },
		{ garbage, 4, "mx1.a.test", 3, 1, 1, "mx1", X509_V_OK, 0 },
		{ garbage, 4, "mx1.a.test", 2, 0, 1, "int", X509_V_OK, 1 },
		{ exp, 1, "mx1.a.test", 3, 1, 1, "exp", X509_V_OK, 0 },
		{ exp, 1, "mx1.a.test", 2, 0, 1, "int", -1, -1 },
		{ none, 1, "mx1.a.test", 3, 1, 2, "none", X509_V_OK, 0 },
	};

	issue(pki, (struct dl_cert_spec){ .id = "exp", .issuer = "int",
	    .validity = DL_EXPIRED }, mx1_names);
	issue(pki, (struct dl_cert_spec){ .id = "none", .issuer = "att" }, NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int depth = -2;
		long vr = dane_handshake(pki, cases[i].chain, cases[i].n,
		    cases[i].host, cases[i].u, cases[i].s, cases[i].m,
		    cases[i].tlsa, &depth);
		if (cases[i].want == -1) {
			CU_ASSERT_NOT_EQUAL(vr, X509_V_OK);
		} else {
			CU_ASSERT_EQUAL(vr, cases[i].want);
		}
		CU_ASSERT_EQUAL(depth, cases[i].depth);
		if ((cases[i].want == -1 ? vr == X509_V_OK : vr != cases[i].want) ||
		    depth != cases[i].depth)
			fprintf(stderr, "dane case %zu: verify %ld (%s), depth %d\n",
			    i, vr, X509_verify_cert_error_string(vr), depth);
	}
	dl_pki_free(pki);
}

/* Prefetched RSA keys are handed out once each, then keys are made inline. */
static void
test_rsa_prefetch(void)
{
	struct dl_pki *pki = dl_pki_new(NOW);
	struct dl_err err = { "" };

	dl_pki_prefetch_rsa(pki, 1);
	EVP_PKEY *a = dl_pki_key_gen(pki, "R1", DL_KEY_RSA2048, &err);
	EVP_PKEY *b = dl_pki_key_gen(pki, "R2", DL_KEY_RSA2048, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_TRUE(EVP_PKEY_is_a(a, "RSA"));
	CU_ASSERT_TRUE(EVP_PKEY_is_a(b, "RSA"));
	CU_ASSERT_EQUAL(EVP_PKEY_get_bits(a), 2048);
	CU_ASSERT_NOT_EQUAL(EVP_PKEY_eq(a, b), 1);
	/* The same name is the same key, prefetched or not. */
	CU_ASSERT_PTR_EQUAL(dl_pki_key_gen(pki, "R1", DL_KEY_RSA2048, &err), a);
	dl_pki_free(pki);
	/* A prefetch nobody used is joined and freed with the pki. */
	pki = dl_pki_new(NOW);
	dl_pki_prefetch_rsa(pki, 2);
	dl_pki_free(pki);
}

static const struct cu_test tests[] = {
	{ "key_cache", test_key_cache },
	{ "rsa_prefetch", test_rsa_prefetch },
	{ "dates", test_dates },
	{ "names", test_names },
	{ "linkage_and_signatures", test_linkage_and_signatures },
	{ "variants_verify", test_variants_verify },
	{ "reissue", test_reissue },
	{ "ca_constraints", test_ca_constraints },
	{ "chain_files", test_chain_files },
	{ "tlsa_matches_openssl", test_tlsa_matches_openssl },
	{ "tlsa_spki_and_errors", test_tlsa_spki_and_errors },
	{ "spec_parse", test_spec_parse },
	{ "issue_errors", test_issue_errors },
	{ "dir_roundtrip", test_dir_roundtrip },
	{ "openssl_dane", test_openssl_dane },
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	return cu_main(argc, argv, "pki", tests);
}
