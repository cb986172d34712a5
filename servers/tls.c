/*
 * tls.c -- see tls.h.
 */
#include "servers/tls.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/json.h"

int
tls_store_init(struct tls_store *ts, const char *keylog_path,
    struct dl_err *err)
{
	memset(ts, 0, sizeof(*ts));
	if (keylog_path == NULL)
		return 0;
	ts->keylog = fopen(keylog_path, "a");
	if (ts->keylog == NULL)
		return dl_errf(err, "%s: cannot open key log: %m", keylog_path);
	return 0;
}

void
tls_store_free(struct tls_store *ts)
{
	for (struct tls_cert *c = ts->certs, *n; c; c = n) {
		n = c->next;
		free(c->chain_path);
		free(c->key_path);
		X509_free(c->leaf);
		sk_X509_pop_free(c->chain, X509_free);
		EVP_PKEY_free(c->key);
		free(c->chain_json);
		free(c);
	}
	for (struct tls_ctx *x = ts->ctxs, *n; x; x = n) {
		n = x->next;
		SSL_CTX_free(x->ctx);
		free(x->key);
		free(x);
	}
	if (ts->keylog)
		fclose(ts->keylog);
	memset(ts, 0, sizeof(*ts));
}

static void
name_rfc2253(const X509_NAME *n, char *out, size_t len)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long l;

	out[0] = '\0';
	if (b == NULL)
		return;
	X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	l = BIO_get_mem_data(b, &p);
	snprintf(out, len, "%.*s", (int)(l < (long)len ? l : (long)len - 1), p);
	BIO_free(b);
}

static void
render_chain(struct tls_cert *c)
{
	struct dl_buf b = DL_BUF_INIT;
	struct dl_jw w;
	int n = sk_X509_num(c->chain);

	dl_jw_init(&w, &b);
	dl_jw_arr(&w);
	for (int i = -1; i < n; i++) {
		X509 *x = i < 0 ? c->leaf : sk_X509_value(c->chain, i);
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned int mdlen = 0;
		char hex[2 * EVP_MAX_MD_SIZE + 1], subj[512];

		X509_digest(x, EVP_sha256(), md, &mdlen);
		for (unsigned int k = 0; k < mdlen; k++)
			snprintf(hex + 2 * k, 3, "%02x", md[k]);
		hex[2 * mdlen] = '\0';
		name_rfc2253(X509_get_subject_name(x), subj, sizeof(subj));
		dl_jw_obj(&w);
		dl_jw_kstr(&w, "subject", subj);
		dl_jw_kstr(&w, "sha256", hex);
		dl_jw_obj_end(&w);
	}
	dl_jw_arr_end(&w);
	c->chain_json = dl_buf_take(&b);
}

static int
read_chain(struct tls_cert *c, const char *path, struct dl_err *err)
{
	BIO *bio = BIO_new_file(path, "r");
	X509 *x;

	if (bio == NULL)
		return dl_err_crypto(err, "cannot open chain %s", path);
	c->chain = sk_X509_new_null();
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (c->leaf == NULL)
			c->leaf = x;
		else
			sk_X509_push(c->chain, x);
	}
	ERR_clear_error(); /* the end of the file reads as an error */
	BIO_free(bio);
	if (c->leaf == NULL)
		return dl_errf(err, "no PEM certificate in %s, expected a chain, "
		    "leaf first", path);
	return 0;
}

static int
load_cert(struct tls_cert *c, struct dl_err *err)
{
	if (read_chain(c, c->chain_path, err) < 0)
		return -1;
	BIO *bio = BIO_new_file(c->key_path, "r");
	if (bio == NULL)
		return dl_err_crypto(err, "cannot open key %s", c->key_path);
	c->key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (c->key == NULL)
		return dl_err_crypto(err, "no private key in %s", c->key_path);
	if (X509_check_private_key(c->leaf, c->key) != 1)
		return dl_err_crypto(err, "key %s does not match the leaf of %s",
		    c->key_path, c->chain_path);
	render_chain(c);
	return 0;
}

/* Load (or reuse) the chain a persona_cert names. */
static int
cert_get(struct tls_store *ts, const struct persona *p, struct persona_cert *pc,
    struct dl_err *err)
{
	if (pc->chain_path == NULL)
		return 0;
	for (struct tls_cert *c = ts->certs; c; c = c->next)
		if (strcmp(c->chain_path, pc->chain_path) == 0 &&
		    strcmp(c->key_path, pc->key_path) == 0) {
			pc->loaded = c;
			return 0;
		}
	struct tls_cert *c = dl_xcalloc(1, sizeof(*c));
	c->chain_path = dl_xstrdup(pc->chain_path);
	c->key_path = dl_xstrdup(pc->key_path);
	c->next = ts->certs;
	ts->certs = c;
	if (load_cert(c, err) < 0)
		return dl_err_prefix(err, "%s:%d: persona '%s': ", p->file,
		    pc->line, p->name);
	pc->loaded = c;
	return 0;
}

static void
keylog_cb(const SSL *ssl, const char *line)
{
	struct tls_store *ts = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));

	if (ts && ts->keylog) {
		fprintf(ts->keylog, "%s\n", line);
		fflush(ts->keylog);
	}
}

/* Pull the host_name out of a server_name extension body. */
static bool
sni_from_ext(const unsigned char *e, size_t len, char *out, size_t outlen)
{
	if (len < 5)
		return false;
	size_t list = ((size_t)e[0] << 8) | e[1];
	if (list + 2 != len || e[2] != TLSEXT_NAMETYPE_host_name)
		return false;
	size_t nl = ((size_t)e[3] << 8) | e[4];
	if (nl + 5 > len || nl == 0 || nl >= outlen)
		return false;
	memcpy(out, e + 5, nl);
	out[nl] = '\0';
	/* Keep it printable: the name goes into evidence and logs. */
	for (size_t i = 0; i < nl; i++)
		if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] >= 0x7f)
			out[i] = '?';
	return true;
}

static const struct persona_cert *
choose_cert(const struct persona *p, struct tls_hello *h)
{
	if (h->sni_seen)
		for (size_t i = 0; i < p->n_sni; i++)
			if (strcasecmp(p->sni[i].name, h->sni) == 0)
				return &p->sni[i].cert;
	return p->cert.chain_path ? &p->cert : NULL;
}

static int
client_hello_cb(SSL *ssl, int *al, void *arg)
{
	struct tls_hello *h = SSL_get_app_data(ssl);
	const unsigned char *ext;
	size_t extlen;

	(void)arg;
	if (h == NULL)
		return SSL_CLIENT_HELLO_SUCCESS;
	const struct persona *p = h->p;
	if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &ext, &extlen))
		h->sni_seen = sni_from_ext(ext, extlen, h->sni, sizeof(h->sni));
	if (p->hs_abort == HS_ABORT_ALERT) {
		h->refused = "handshake-abort-alert";
		*al = p->hs_alert;
		return SSL_CLIENT_HELLO_ERROR;
	}
	if (p->require_sni && !h->sni_seen) {
		h->refused = "no-sni";
		*al = SSL_AD_UNRECOGNIZED_NAME;
		return SSL_CLIENT_HELLO_ERROR;
	}
	h->chosen = choose_cert(p, h);
	if (h->chosen == NULL && p->require_sni) {
		h->refused = "unknown-sni";
		*al = SSL_AD_UNRECOGNIZED_NAME;
		return SSL_CLIENT_HELLO_ERROR;
	}
	if (h->chosen == NULL)
		return SSL_CLIENT_HELLO_SUCCESS;
	const struct tls_cert *c = h->chosen->loaded;
	if (SSL_use_cert_and_key(ssl, c->leaf, c->key, c->chain, 1) != 1) {
		h->refused = "cannot-use-cert";
		*al = SSL_AD_INTERNAL_ERROR;
		return SSL_CLIENT_HELLO_ERROR;
	}
	return SSL_CLIENT_HELLO_SUCCESS;
}

static char *
ctx_key(const struct persona *p)
{
	return dl_xasprintf("%d/%d/%s/%s/%d/%d/%d", p->tls_min, p->tls_max,
	    p->ciphers ? p->ciphers : "-", p->ciphersuites ? p->ciphersuites : "-",
	    p->seclevel, p->anon, p->tickets);
}

static int
ctx_configure(SSL_CTX *ctx, const struct persona *p, struct dl_err *err)
{
	int sec = p->seclevel;
	bool old = (p->tls_min && p->tls_min < TLS1_2_VERSION) ||
	    (p->tls_max && p->tls_max < TLS1_2_VERSION);

	/* TLS 1.0/1.1 and anonymous suites exist only at security level 0. */
	if (sec < 0 && (old || p->anon))
		sec = 0;
	if (sec >= 0)
		SSL_CTX_set_security_level(ctx, sec);
	if (p->tls_min && !SSL_CTX_set_min_proto_version(ctx, p->tls_min))
		return dl_err_crypto(err, "tls-min not supported");
	if (p->tls_max && !SSL_CTX_set_max_proto_version(ctx, p->tls_max))
		return dl_err_crypto(err, "tls-max not supported");
	const char *list = p->ciphers ? p->ciphers :
	    p->anon ? "ALL" : NULL; /* DEFAULT removes aNULL for good */
	if (list && SSL_CTX_set_cipher_list(ctx, list) != 1)
		return dl_err_crypto(err, "bad cipher list '%s'", list);
	if (p->ciphersuites && SSL_CTX_set_ciphersuites(ctx, p->ciphersuites) != 1)
		return dl_err_crypto(err, "bad TLS 1.3 suites '%s'", p->ciphersuites);
	if (p->anon)
		SSL_CTX_set_dh_auto(ctx, 1);
	return 0;
}

static int
ctx_get(struct tls_store *ts, struct persona *p, struct dl_err *err)
{
	char *key = ctx_key(p);

	for (struct tls_ctx *x = ts->ctxs; x; x = x->next)
		if (strcmp(x->key, key) == 0) {
			free(key);
			p->tls = x;
			return 0;
		}
	struct tls_ctx *x = dl_xcalloc(1, sizeof(*x));
	x->key = key;
	x->ctx = SSL_CTX_new(TLS_server_method());
	x->next = ts->ctxs;
	ts->ctxs = x;
	if (x->ctx == NULL)
		return dl_err_crypto(err, "SSL_CTX_new");
	SSL_CTX_set_app_data(x->ctx, ts);
	/*
	 * No tickets unless the persona asks for them (`tickets yes`): every
	 * client connection is then a full handshake, so each one shows the
	 * chain the persona presents.  A ticket-issuing persona lets a client
	 * resume a session whose certificate it checked (or not) before.
	 * Moving buffers because the output queue is a growable buffer.
	 */
	if (p->tickets) {
		SSL_CTX_set_num_tickets(x->ctx, 2);
		SSL_CTX_set_session_cache_mode(x->ctx, SSL_SESS_CACHE_SERVER);
		SSL_CTX_set_session_id_context(x->ctx, (const unsigned char *)"danelab", 7);
		SSL_CTX_set_options(x->ctx, SSL_OP_NO_RENEGOTIATION);
	} else {
		SSL_CTX_set_num_tickets(x->ctx, 0);
		SSL_CTX_set_session_cache_mode(x->ctx, SSL_SESS_CACHE_OFF);
		SSL_CTX_set_options(x->ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET);
	}
	SSL_CTX_set_mode(x->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS |
	    SSL_MODE_NO_AUTO_CHAIN);
	SSL_CTX_set_client_hello_cb(x->ctx, client_hello_cb, NULL);
	if (ts->keylog)
		SSL_CTX_set_keylog_callback(x->ctx, keylog_cb);
	if (ctx_configure(x->ctx, p, err) < 0)
		return dl_err_prefix(err, "%s:%d: persona '%s': ", p->file, p->line,
		    p->name);
	p->tls = x;
	return 0;
}

int
tls_personas_load(struct tls_store *ts, struct persona_set *set,
    struct dl_err *err)
{
	for (size_t i = 0; i < set->n; i++) {
		struct persona *p = &set->v[i];
		if (cert_get(ts, p, &p->cert, err) < 0)
			return -1;
		for (size_t k = 0; k < p->n_sni; k++)
			if (cert_get(ts, p, &p->sni[k].cert, err) < 0)
				return -1;
		if (ctx_get(ts, p, err) < 0)
			return -1;
	}
	return 0;
}

SSL *
tls_session_new(const struct persona *p, int fd, struct tls_hello *hello,
    struct dl_err *err)
{
	SSL *ssl = SSL_new(p->tls->ctx);

	if (ssl == NULL) {
		dl_err_crypto(err, "SSL_new");
		return NULL;
	}
	memset(hello, 0, sizeof(*hello));
	hello->p = p;
	SSL_set_app_data(ssl, hello);
	if (SSL_set_fd(ssl, fd) != 1) {
		dl_err_crypto(err, "SSL_set_fd");
		SSL_free(ssl);
		return NULL;
	}
	SSL_set_accept_state(ssl);
	return ssl;
}

int
tls_read_some(SSL *ssl, int fd, char *buf, size_t space, int *ssl_err)
{
	*ssl_err = 0;
	if (ssl) {
		int r = SSL_read(ssl, buf, (int)space);
		if (r > 0)
			return r;
		int e = SSL_get_error(ssl, r);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
			return 0;
		*ssl_err = e;
		return -1;
	}
	ssize_t r = read(fd, buf, space);
	if (r > 0)
		return (int)r;
	return r < 0 && (errno == EAGAIN || errno == EINTR) ? 0 : -1;
}

void
tls_drain_reason(char *out, size_t len)
{
	unsigned long e = ERR_get_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	if (r)
		snprintf(out, len, "%s", r);
	else if (e)
		snprintf(out, len, "error %lx", e);
	else
		snprintf(out, len, "unknown");
	ERR_clear_error();
}
