/*
 * pki.c -- the pki object: named keys (a cache, so RSA keys are made once
 * per run) and named certificates.  Issuing lives in pki_issue.c, files in
 * pki_io.c, TLSA data in pki_tlsa.c.
 */
#include "lab/pki.h"
#include "lab/pki_int.h"

#include <openssl/err.h>
#include <stdlib.h>
#include <string.h>

static const char *const key_type_names[] = {
	[DL_KEY_EC256] = "ec",
	[DL_KEY_RSA2048] = "rsa",
};

static const char *const validity_names[] = {
	[DL_VALID] = "valid",
	[DL_EXPIRED] = "expired",
	[DL_NOTYET] = "notyet",
	[DL_VALIDITY_CUSTOM] = "custom",
};

const char *
dl_key_type_name(enum dl_key_type t)
{
	if ((size_t)t >= sizeof(key_type_names) / sizeof(key_type_names[0]))
		return "?";
	return key_type_names[t];
}

int
dl_key_type_parse(const char *s)
{
	/* Aliases: the spellings of cases/FORMAT.md (alg=) and common ones. */
	if (strcmp(s, "p256") == 0 || strcmp(s, "ecdsa") == 0 ||
	    strcmp(s, "ecdsa256") == 0)
		return DL_KEY_EC256;
	if (strcmp(s, "rsa2048") == 0)
		return DL_KEY_RSA2048;
	for (size_t i = 0; i < sizeof(key_type_names) / sizeof(key_type_names[0]); i++)
		if (strcmp(s, key_type_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
dl_validity_name(enum dl_validity v)
{
	if ((size_t)v >= sizeof(validity_names) / sizeof(validity_names[0]))
		return "?";
	return validity_names[v];
}

int
dl_validity_parse(const char *s)
{
	if (strcmp(s, "now") == 0)	/* cases/FORMAT.md spelling */
		return DL_VALID;
	for (size_t i = 0; i < sizeof(validity_names) / sizeof(validity_names[0]); i++)
		if (strcmp(s, validity_names[i]) == 0)
			return (int)i;
	return -1;
}

struct dl_pki *
dl_pki_new(time_t now)
{
	struct dl_pki *pki = dl_xcalloc(1, sizeof(*pki));

	pki->now = now;
	return pki;
}

static void *
rsa_pool_fill(void *arg)
{
	struct dl_pki_rsa_pool *pool = arg;

	for (size_t i = 0; i < pool->n; i++)
		pool->keys[i] = EVP_RSA_gen(2048);
	return NULL;
}

void
dl_pki_prefetch_rsa(struct dl_pki *pki, size_t n)
{
	struct dl_pki_rsa_pool *pool = &pki->rsa;

	if (n == 0 || pool->started)
		return;
	pool->keys = dl_xcalloc(n, sizeof(*pool->keys));
	pool->n = n;
	/* No thread, no harm: every key is then made when it is asked for. */
	pool->started = pthread_create(&pool->thread, NULL, rsa_pool_fill, pool) == 0;
	pool->joined = !pool->started;
}

/* The next prefetched RSA key (a reference the caller owns), or NULL. */
static EVP_PKEY *
rsa_pool_take(struct dl_pki_rsa_pool *pool)
{
	if (!pool->started)
		return NULL;
	if (!pool->joined) {
		pthread_join(pool->thread, NULL);
		pool->joined = true;
	}
	while (pool->next < pool->n) {
		EVP_PKEY *k = pool->keys[pool->next];
		pool->keys[pool->next++] = NULL;
		if (k != NULL)
			return k;
	}
	return NULL;
}

void
dl_pki_free(struct dl_pki *pki)
{
	if (pki == NULL)
		return;
	if (pki->rsa.started && !pki->rsa.joined)
		pthread_join(pki->rsa.thread, NULL);
	for (size_t i = pki->rsa.next; i < pki->rsa.n; i++)
		EVP_PKEY_free(pki->rsa.keys[i]);
	free(pki->rsa.keys);
	for (size_t i = 0; i < pki->n_keys; i++) {
		free(pki->keys[i].name);
		EVP_PKEY_free(pki->keys[i].pkey);
	}
	for (size_t i = 0; i < pki->n_certs; i++) {
		free(pki->certs[i].id);
		X509_free(pki->certs[i].x509);
	}
	free(pki->keys);
	free(pki->certs);
	free(pki);
}

time_t
dl_pki_now(const struct dl_pki *pki)
{
	return pki->now;
}

void
dl_pki_set_now(struct dl_pki *pki, time_t now)
{
	pki->now = now;
}

struct dl_pki_key *
dl_pki_find_key(const struct dl_pki *pki, const char *name)
{
	for (size_t i = 0; i < pki->n_keys; i++)
		if (strcmp(pki->keys[i].name, name) == 0)
			return &pki->keys[i];
	return NULL;
}

struct dl_pki_cert *
dl_pki_find_cert(const struct dl_pki *pki, const char *id)
{
	for (size_t i = 0; i < pki->n_certs; i++)
		if (strcmp(pki->certs[i].id, id) == 0)
			return &pki->certs[i];
	return NULL;
}

/* Names become file names in the directory form: keep them plain. */
int
dl_pki_check_name(const char *what, const char *name, struct dl_err *err)
{
	if (name == NULL || *name == '\0')
		return dl_errf(err, "%s: empty name", what);
	if (strlen(name) > 200)	/* NAME.key must fit a file name */
		return dl_errf(err, "%s \"%.64s...\": name longer than 200",
		    what, name);
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
		    (*p == '.' && p != name)))
			return dl_errf(err, "%s \"%s\": bad character '%c', "
			    "expected letters, digits, '-', '_', '.'", what, name, *p);
	return 0;
}

static int
key_type_of(EVP_PKEY *pkey)
{
	if (EVP_PKEY_is_a(pkey, "EC"))
		return DL_KEY_EC256;
	if (EVP_PKEY_is_a(pkey, "RSA"))
		return DL_KEY_RSA2048;
	return -1;
}

int
dl_pki_add_key(struct dl_pki *pki, const char *name, EVP_PKEY *pkey,
    struct dl_err *err)
{
	if (dl_pki_check_name("key", name, err) < 0)
		return -1;
	if (dl_pki_find_key(pki, name) != NULL)
		return dl_errf(err, "key \"%s\" already exists", name);
	int type = key_type_of(pkey);
	if (type < 0)
		return dl_errf(err, "key \"%s\": not an EC or RSA key", name);
	if (!EVP_PKEY_up_ref(pkey))
		return dl_err_crypto(err, "key \"%s\": EVP_PKEY_up_ref", name);
	if (pki->n_keys == pki->cap_keys) {
		pki->cap_keys = pki->cap_keys ? 2 * pki->cap_keys : 8;
		pki->keys = dl_xrealloc(pki->keys, pki->cap_keys * sizeof(*pki->keys));
	}
	pki->keys[pki->n_keys].name = dl_xstrdup(name);
	pki->keys[pki->n_keys].type = (enum dl_key_type)type;
	pki->keys[pki->n_keys].pkey = pkey;
	pki->n_keys++;
	return 0;
}

static EVP_PKEY *
generate(enum dl_key_type type)
{
	switch (type) {
	case DL_KEY_EC256:
		return EVP_EC_gen("P-256");
	case DL_KEY_RSA2048:
		return EVP_RSA_gen(2048);
	}
	return NULL;
}

EVP_PKEY *
dl_pki_key_gen(struct dl_pki *pki, const char *name, enum dl_key_type type,
    struct dl_err *err)
{
	struct dl_pki_key *k = dl_pki_find_key(pki, name);
	EVP_PKEY *pkey;

	if (k != NULL) {
		if (k->type != type) {
			dl_errf(err, "key \"%s\" exists as %s, asked for %s", name,
			    dl_key_type_name(k->type), dl_key_type_name(type));
			return NULL;
		}
		return k->pkey;
	}
	if (dl_pki_check_name("key", name, err) < 0)
		return NULL;
	if (type == DL_KEY_RSA2048)
		pkey = rsa_pool_take(&pki->rsa);
	else
		pkey = NULL;
	if (pkey == NULL && (pkey = generate(type)) == NULL) {
		dl_err_crypto(err, "key \"%s\": generating %s key", name,
		    dl_key_type_name(type));
		return NULL;
	}
	int rc = dl_pki_add_key(pki, name, pkey, err);
	EVP_PKEY_free(pkey);	/* the pki holds its own reference */
	return rc < 0 ? NULL : pkey;
}

EVP_PKEY *
dl_pki_key(const struct dl_pki *pki, const char *name)
{
	struct dl_pki_key *k = dl_pki_find_key(pki, name);

	return k ? k->pkey : NULL;
}

int
dl_pki_add_cert(struct dl_pki *pki, const char *id, X509 *x509,
    struct dl_err *err)
{
	const char *key_name = NULL;

	if (dl_pki_check_name("certificate", id, err) < 0)
		return -1;
	if (dl_pki_find_cert(pki, id) != NULL)
		return dl_errf(err, "certificate \"%s\" already exists", id);
	EVP_PKEY *pub = X509_get0_pubkey(x509);
	for (size_t i = 0; pub != NULL && i < pki->n_keys; i++)
		if (EVP_PKEY_eq(pki->keys[i].pkey, pub) == 1) {
			key_name = pki->keys[i].name;
			break;
		}
	ERR_clear_error();	/* EVP_PKEY_eq of unlike types queues errors */
	if (!X509_up_ref(x509))
		return dl_err_crypto(err, "certificate \"%s\": X509_up_ref", id);
	if (pki->n_certs == pki->cap_certs) {
		pki->cap_certs = pki->cap_certs ? 2 * pki->cap_certs : 8;
		pki->certs = dl_xrealloc(pki->certs,
		    pki->cap_certs * sizeof(*pki->certs));
	}
	pki->certs[pki->n_certs].id = dl_xstrdup(id);
	pki->certs[pki->n_certs].key_name = key_name;
	pki->certs[pki->n_certs].x509 = x509;
	pki->n_certs++;
	return 0;
}

X509 *
dl_pki_cert(const struct dl_pki *pki, const char *id)
{
	struct dl_pki_cert *c = dl_pki_find_cert(pki, id);

	return c ? c->x509 : NULL;
}

const char *
dl_pki_cert_key_name(const struct dl_pki *pki, const char *id)
{
	struct dl_pki_cert *c = dl_pki_find_cert(pki, id);

	return c ? c->key_name : NULL;
}

EVP_PKEY *
dl_pki_cert_key(const struct dl_pki *pki, const char *id)
{
	const char *name = dl_pki_cert_key_name(pki, id);

	return name ? dl_pki_key(pki, name) : NULL;
}

const char *
dl_pki_cert_id_at(const struct dl_pki *pki, size_t i)
{
	return i < pki->n_certs ? pki->certs[i].id : NULL;
}

const char *
dl_pki_key_name_at(const struct dl_pki *pki, size_t i)
{
	return i < pki->n_keys ? pki->keys[i].name : NULL;
}
