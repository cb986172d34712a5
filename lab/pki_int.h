/*
 * pki_int.h -- the inside of struct dl_pki, shared by lab/pki*.c only.
 */
#ifndef DL_LAB_PKI_INT_H
#define DL_LAB_PKI_INT_H

#include <pthread.h>
#include <stdbool.h>

#include "lab/pki.h"

struct dl_pki_key {
	char *name;
	enum dl_key_type type;
	EVP_PKEY *pkey;
};

struct dl_pki_cert {
	char *id;
	const char *key_name;	/* points into keys[]; NULL if key unknown */
	X509 *x509;
};

/* RSA keys made ahead in a thread of their own (dl_pki_prefetch_rsa). */
struct dl_pki_rsa_pool {
	pthread_t thread;
	bool started, joined;
	EVP_PKEY **keys;          /* made by the thread; taken in order */
	size_t n, next;
};

struct dl_pki {
	time_t now;
	struct dl_pki_rsa_pool rsa;
	struct dl_pki_key *keys;
	size_t n_keys, cap_keys;
	struct dl_pki_cert *certs;
	size_t n_certs, cap_certs;
};

struct dl_pki_key *dl_pki_find_key(const struct dl_pki *pki, const char *name);
struct dl_pki_cert *dl_pki_find_cert(const struct dl_pki *pki, const char *id);
int dl_pki_check_name(const char *what, const char *name, struct dl_err *err);

#endif
