/*
 * pki.h -- the lab PKI: keys, CAs and leaf certificates generated at run
 * time from one clock value, and the TLSA association data of any of them.
 *
 * A `struct dl_pki` owns every key and certificate it made, by name: keys
 * by key name ("K1", "root", ...), certificates by id ("root", "int",
 * "mx1", ...).  Asking for a key name twice returns the same key, so a run
 * pays for each RSA key once.  Certificates are described declaratively
 * (struct dl_cert_spec) and issued against the lab clock `now` given at
 * creation, never the wall clock.  lab/PKI.md documents the variants and
 * the dl-pki command line built on this API.
 *
 * Pointers returned by lookups (X509 *, EVP_PKEY *) stay owned by the pki
 * and live until dl_pki_free(); take a reference (X509_up_ref,
 * EVP_PKEY_up_ref) to keep one longer.
 */
#ifndef DL_LAB_PKI_H
#define DL_LAB_PKI_H

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "util/buf.h"
#include "util/err.h"

enum dl_key_type {
	DL_KEY_EC256 = 0,	/* ECDSA P-256, the default */
	DL_KEY_RSA2048,
};

/* Validity windows, relative to the pki's `now` (one day = 86400 s). */
enum dl_validity {
	DL_VALID = 0,		/* now-1d .. now+365d */
	DL_EXPIRED,		/* now-30d .. now-1d */
	DL_NOTYET,		/* now+1d .. now+365d */
	DL_VALIDITY_CUSTOM,	/* now+nb_offset .. now+na_offset (seconds) */
};

/* "ec" / "rsa"; parse accepts also "p256", "ecdsa", "rsa2048".  -1 if unknown. */
const char *dl_key_type_name(enum dl_key_type t);
int dl_key_type_parse(const char *s);
/* "valid" / "expired" / "notyet" / "custom"; -1 if unknown. */
const char *dl_validity_name(enum dl_validity v);
int dl_validity_parse(const char *s);

/*
 * One certificate to issue.  Zero-initialise, then set what matters:
 * the zero value is a valid, self-signed, nameless EC leaf.
 */
struct dl_cert_spec {
	const char *id;			/* required: the certificate's name */
	const char *key;		/* key name; NULL = same as id */
	enum dl_key_type key_type;	/* used only if the key is new */
	const char *issuer;		/* issuing cert id; NULL = self-signed */
	const char *const *san;		/* subjectAltName dNSNames ("*.x.test" ok) */
	size_t n_san;			/* 0: no SAN extension at all */
	const char *cn;			/* subject CN; NULL = empty subject
					 * (CAs: NULL means CN = id) */
	enum dl_validity validity;
	long nb_offset, na_offset;	/* seconds from now, DL_VALIDITY_CUSTOM */
	bool is_ca;			/* basicConstraints CA:TRUE + keyCertSign */
	bool has_pathlen;		/* CA pathLenConstraint present ... */
	int pathlen;			/* ... with this value (>= 0) */
	const char *const *permitted;	/* nameConstraints permitted dNSNames */
	size_t n_permitted;
	const char *const *excluded;	/* nameConstraints excluded dNSNames */
	size_t n_excluded;
};

/* A pki with lab clock `now`; caller frees with dl_pki_free(). */
struct dl_pki *dl_pki_new(time_t now);
void dl_pki_free(struct dl_pki *pki);
/*
 * Start making n RSA-2048 keys in a thread of its own: the next n RSA keys
 * the pki generates come from there.  An RSA key takes 0.2-0.6 s here, the
 * rest of a run's placement about as long: made beside it, they cost no wall
 * time.  At most one prefetch per pki.
 */
void dl_pki_prefetch_rsa(struct dl_pki *pki, size_t n);
time_t dl_pki_now(const struct dl_pki *pki);
/* Later certificates use the new clock; keys and certificates stay. */
void dl_pki_set_now(struct dl_pki *pki, time_t now);

/*
 * The key called `name`, generated on first use (type `type`).  Asking again
 * returns the same key; asking with another type is an error.  Owned by pki.
 */
EVP_PKEY *dl_pki_key_gen(struct dl_pki *pki, const char *name,
	enum dl_key_type type, struct dl_err *err);
/* Lookup only: NULL if no key has that name. */
EVP_PKEY *dl_pki_key(const struct dl_pki *pki, const char *name);
/* Adopt an existing key under `name` (takes a reference); -1 if name is taken. */
int dl_pki_add_key(struct dl_pki *pki, const char *name, EVP_PKEY *pkey,
	struct dl_err *err);

/*
 * Issue the certificate `spec` describes and keep it under spec->id (an
 * id may be issued once).  Its key is generated unless it exists; it is
 * signed (SHA-256) by the key of spec->issuer's certificate, or by its own
 * key when spec->issuer is NULL.  Serial numbers are random (127 bits).
 */
int dl_pki_issue(struct dl_pki *pki, const struct dl_cert_spec *spec,
	struct dl_err *err);
/* Adopt an existing certificate under `id` (takes a reference); its key is
 * found among the pki's keys by public key, if there. */
int dl_pki_add_cert(struct dl_pki *pki, const char *id, X509 *x509,
	struct dl_err *err);

/* Lookups: NULL if unknown.  Owned by pki. */
X509 *dl_pki_cert(const struct dl_pki *pki, const char *id);
EVP_PKEY *dl_pki_cert_key(const struct dl_pki *pki, const char *id);
const char *dl_pki_cert_key_name(const struct dl_pki *pki, const char *id);
/* Iteration in creation order (for saving); NULL past the end. */
const char *dl_pki_cert_id_at(const struct dl_pki *pki, size_t i);
const char *dl_pki_key_name_at(const struct dl_pki *pki, size_t i);

/*
 * The certificates ids[0..n) as concatenated PEM, in that order (the order
 * a server sends them: its own certificate first).  Appended to `out`.
 */
int dl_pki_chain_pem(const struct dl_pki *pki, const char *const *ids,
	size_t n, struct dl_buf *out, struct dl_err *err);
/*
 * Write that chain to chain_path and, if key_path is not NULL, the private
 * key of ids[0] (the certificate the server presents as its own) to
 * key_path (PKCS#8 PEM, mode 0600).
 */
int dl_pki_write_chain(const struct dl_pki *pki, const char *const *ids,
	size_t n, const char *chain_path, const char *key_path,
	struct dl_err *err);
/*
 * Make `ctx` present exactly ids[0..n) in that order (ids[0] with its key,
 * the rest as its chain, even in a garbage order).  Sets
 * SSL_MODE_NO_AUTO_CHAIN so OpenSSL never completes the chain on its own:
 * "leaf only" then really sends only the leaf.  ctx takes references.
 */
int dl_pki_ssl_ctx_use(const struct dl_pki *pki, SSL_CTX *ctx,
	const char *const *ids, size_t n, struct dl_err *err);
/* Write the private key `key_name` (PKCS#8 PEM, mode 0600). */
int dl_pki_write_key(const struct dl_pki *pki, const char *key_name,
	const char *path, struct dl_err *err);

/*
 * Directory form (used by bin/dl-pki): NAME.key for each key, ID.crt for
 * each certificate, all PEM.  Load adopts every such file of `dir`; save
 * writes every key and certificate of the pki.
 */
int dl_pki_load_dir(struct dl_pki *pki, const char *dir, struct dl_err *err);
int dl_pki_save_dir(const struct dl_pki *pki, const char *dir,
	struct dl_err *err);

/*
 * TLSA association data (RFC 6698 2.1) as lower-case hex appended to
 * hex_out.  selector 0 = full certificate, 1 = SubjectPublicKeyInfo;
 * mtype 0 = full, 1 = SHA2-256, 2 = SHA2-512.
 */
int dl_tlsa_data(X509 *cert, int selector, int mtype, struct dl_buf *hex_out,
	struct dl_err *err);
/* Same for a bare public key (selector 1 implied), e.g. a raw public key. */
int dl_tlsa_spki_data(EVP_PKEY *pkey, int mtype, struct dl_buf *hex_out,
	struct dl_err *err);

/*
 * Parse words "ID key=K issuer=I san=a,b cn=C type=ec|rsa
 * validity=valid|expired|notyet nb=SECS na=SECS ca pathlen=N permit=a,b
 * exclude=a,b" (lab/PKI.md) into `out`, whose strings live in `store`
 * (caller frees with dl_cert_spec_store_free after the last use of `out`).
 */
struct dl_cert_spec_store;
int dl_cert_spec_parse(char *const *words, size_t n, struct dl_cert_spec *out,
	struct dl_cert_spec_store **store, struct dl_err *err);
void dl_cert_spec_store_free(struct dl_cert_spec_store *store);

#endif
