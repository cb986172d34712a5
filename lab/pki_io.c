/*
 * pki_io.c -- the pki as PEM: chain files in server order, key files, and
 * the directory form bin/dl-pki keeps between runs (NAME.key, ID.crt).
 */
#include "lab/pki.h"
#include "lab/pki_int.h"

#include <dirent.h>
#include <errno.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Append the PEM text a BIO collected to `out`. */
static void
bio_to_buf(BIO *bio, struct dl_buf *out)
{
	char *data;
	long len = BIO_get_mem_data(bio, &data);

	if (len > 0)
		dl_buf_add(out, data, (size_t)len);
}

int
dl_pki_chain_pem(const struct dl_pki *pki, const char *const *ids, size_t n,
    struct dl_buf *out, struct dl_err *err)
{
	BIO *bio = BIO_new(BIO_s_mem());
	int rc = -1;

	if (bio == NULL)
		return dl_err_crypto(err, "chain: BIO_new");
	if (n == 0) {
		dl_errf(err, "chain: no certificate named");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		X509 *x = dl_pki_cert(pki, ids[i]);
		if (x == NULL) {
			dl_errf(err, "chain: no certificate \"%s\"", ids[i]);
			goto out;
		}
		if (!PEM_write_bio_X509(bio, x)) {
			dl_err_crypto(err, "chain: writing \"%s\"", ids[i]);
			goto out;
		}
	}
	bio_to_buf(bio, out);
	rc = 0;
out:
	BIO_free(bio);
	return rc;
}

static int
key_pem(EVP_PKEY *pkey, struct dl_buf *out, struct dl_err *err)
{
	BIO *bio = BIO_new(BIO_s_mem());
	int rc = -1;

	if (bio == NULL || !PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0,
	    NULL, NULL))
		dl_err_crypto(err, "writing private key");
	else {
		bio_to_buf(bio, out);
		rc = 0;
	}
	BIO_free(bio);
	return rc;
}

static int
write_private(const char *path, const struct dl_buf *pem, struct dl_err *err)
{
	/* Lab keys are throwaway, but keep the habit of private key files. */
	if (dl_write_file(path, pem->data, pem->len) < 0 || chmod(path, 0600) < 0)
		return dl_errf(err, "%s: %s", path, strerror(errno));
	return 0;
}

int
dl_pki_write_key(const struct dl_pki *pki, const char *key_name,
    const char *path, struct dl_err *err)
{
	struct dl_buf pem = DL_BUF_INIT;
	EVP_PKEY *pkey = dl_pki_key(pki, key_name);
	int rc = -1;

	if (pkey == NULL)
		dl_errf(err, "no key \"%s\"", key_name);
	else if (key_pem(pkey, &pem, err) == 0)
		rc = write_private(path, &pem, err);
	dl_buf_free(&pem);
	return rc;
}

int
dl_pki_write_chain(const struct dl_pki *pki, const char *const *ids, size_t n,
    const char *chain_path, const char *key_path, struct dl_err *err)
{
	struct dl_buf pem = DL_BUF_INIT;
	int rc = -1;

	if (dl_pki_chain_pem(pki, ids, n, &pem, err) < 0)
		goto out;
	if (dl_write_file(chain_path, pem.data, pem.len) < 0) {
		dl_errf(err, "%s: %s", chain_path, strerror(errno));
		goto out;
	}
	if (key_path != NULL) {
		const char *kn = dl_pki_cert_key_name(pki, ids[0]);
		if (kn == NULL) {
			dl_errf(err, "certificate \"%s\": its private key is unknown",
			    ids[0]);
			goto out;
		}
		if (dl_pki_write_key(pki, kn, key_path, err) < 0)
			goto out;
	}
	rc = 0;
out:
	dl_buf_free(&pem);
	return rc;
}

/* Does `name` end in `ext`?  Then its stem is name[0..len-strlen(ext)). */
static bool
has_ext(const char *name, const char *ext)
{
	size_t n = strlen(name), e = strlen(ext);

	return n > e && strcmp(name + n - e, ext) == 0;
}

static int
load_one(struct dl_pki *pki, const char *dir, const char *file, bool is_key,
    struct dl_err *err)
{
	char *path = dl_xasprintf("%s/%s", dir, file);
	char *stem = dl_xstrndup(file, strlen(file) - 4);
	FILE *f = fopen(path, "r");
	int rc = -1;

	if (f == NULL) {
		dl_errf(err, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (is_key) {
		EVP_PKEY *pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		if (pkey == NULL)
			dl_err_crypto(err, "%s: reading private key", path);
		else
			rc = dl_pki_add_key(pki, stem, pkey, err);
		EVP_PKEY_free(pkey);
	} else {
		X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
		if (x == NULL)
			dl_err_crypto(err, "%s: reading certificate", path);
		else
			rc = dl_pki_add_cert(pki, stem, x, err);
		X509_free(x);
	}
	fclose(f);
out:
	free(stem);
	free(path);
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Keys first, so certificates find their keys; names sorted for stable order. */
int
dl_pki_load_dir(struct dl_pki *pki, const char *dir, struct dl_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	int rc = 0;

	if (d == NULL)
		return dl_errf(err, "%s: %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (!has_ext(de->d_name, ".key") && !has_ext(de->d_name, ".crt"))
			continue;
		names = dl_xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = dl_xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_str);
	for (int pass = 0; pass < 2 && rc == 0; pass++)
		for (size_t i = 0; i < n && rc == 0; i++)
			if (has_ext(names[i], pass == 0 ? ".key" : ".crt"))
				rc = load_one(pki, dir, names[i], pass == 0, err);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int
dl_pki_save_dir(const struct dl_pki *pki, const char *dir, struct dl_err *err)
{
	for (size_t i = 0; i < pki->n_keys; i++) {
		char *path = dl_xasprintf("%s/%s.key", dir, pki->keys[i].name);
		int rc = dl_pki_write_key(pki, pki->keys[i].name, path, err);
		free(path);
		if (rc < 0)
			return -1;
	}
	for (size_t i = 0; i < pki->n_certs; i++) {
		const char *id = pki->certs[i].id;
		char *path = dl_xasprintf("%s/%s.crt", dir, id);
		int rc = dl_pki_write_chain(pki, &id, 1, path, NULL, err);
		free(path);
		if (rc < 0)
			return -1;
	}
	return 0;
}
