/*
 * dl-pki_main.c -- bin/dl-pki: the lab PKI from the command line, for
 * people, repro scripts and end-to-end tests.  Keys and certificates live
 * in a directory (NAME.key, ID.crt) so several runs build on each other.
 * Usage and file formats: lab/PKI.md.
 */
#include <errno.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "lab/pki.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/log.h"

static const char usage[] =
"usage: dl-pki [--dir DIR] [--now EPOCH] COMMAND [-- COMMAND ...]\n"
"commands:\n"
"  issue ID [key=K] [type=ec|rsa] [issuer=ID|self] [san=a,b] [cn=NAME]\n"
"        [validity=valid|expired|notyet] [nb=SECS|Nd] [na=SECS|Nd]\n"
"        [ca] [pathlen=N] [permit=a,b] [exclude=a,b]\n"
"  key NAME [type=ec|rsa]           make (or keep) key NAME\n"
"  chain CHAIN.pem KEY.pem|- ID...  write certs in that order + key of the first\n"
"  batch FILE                       run the commands of FILE, one per line\n"
"  tlsa FILE.pem SEL MTYPE          TLSA data of FILE's first cert (or its key, SEL 1)\n"
"  tlsa-id ID SEL MTYPE             TLSA data of certificate ID of DIR\n"
"  tlsa-key NAME MTYPE              TLSA data (selector 1) of key NAME of DIR\n";

struct cli {
	struct dl_pki *pki;
	const char *dir;
	bool dirty;
};

static int
parse_int(const char *s, int lo, int hi, const char *what, int *out,
    struct dl_err *err)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return dl_errf(err, "%s \"%s\": expected %d..%d", what, s, lo, hi);
	*out = (int)v;
	return 0;
}

static int
print_hex(struct dl_buf *hex)
{
	printf("%s\n", hex->data);
	return fflush(stdout) == 0 ? 0 : -1;
}

/* tlsa FILE SEL MTYPE: a certificate, or for SEL 1 also a bare key. */
static int
cmd_tlsa_file(char **w, size_t n, struct dl_err *err)
{
	struct dl_buf hex = DL_BUF_INIT;
	int sel, mtype, rc = -1;
	FILE *f;
	X509 *x = NULL;
	EVP_PKEY *pk = NULL;

	if (n != 4)
		return dl_errf(err, "tlsa: expected FILE SEL MTYPE");
	if (parse_int(w[2], 0, 1, "selector", &sel, err) < 0 ||
	    parse_int(w[3], 0, 2, "matching type", &mtype, err) < 0)
		return -1;
	if ((f = fopen(w[1], "r")) == NULL)
		return dl_errf(err, "%s: %s", w[1], strerror(errno));
	x = PEM_read_X509(f, NULL, NULL, NULL);
	if (x == NULL && sel == 1) {
		rewind(f);
		if ((pk = PEM_read_PUBKEY(f, NULL, NULL, NULL)) == NULL) {
			rewind(f);
			pk = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		}
	}
	fclose(f);
	if (x != NULL)
		rc = dl_tlsa_data(x, sel, mtype, &hex, err);
	else if (pk != NULL)
		rc = dl_tlsa_spki_data(pk, mtype, &hex, err);
	else
		dl_err_crypto(err, "%s: no PEM certificate%s", w[1],
		    sel == 1 ? " or key" : "");
	if (rc == 0)
		rc = print_hex(&hex);
	X509_free(x);
	EVP_PKEY_free(pk);
	dl_buf_free(&hex);
	return rc;
}

static int
cmd_tlsa_named(struct cli *c, char **w, size_t n, struct dl_err *err)
{
	struct dl_buf hex = DL_BUF_INIT;
	bool is_key = strcmp(w[0], "tlsa-key") == 0;
	int sel = 1, mtype, rc = -1;

	if (n != (is_key ? 3u : 4u))
		return dl_errf(err, "%s: expected %s", w[0],
		    is_key ? "NAME MTYPE" : "ID SEL MTYPE");
	if ((!is_key && parse_int(w[2], 0, 1, "selector", &sel, err) < 0) ||
	    parse_int(w[n - 1], 0, 2, "matching type", &mtype, err) < 0)
		return -1;
	if (is_key) {
		EVP_PKEY *pk = dl_pki_key(c->pki, w[1]);
		if (pk == NULL)
			return dl_errf(err, "no key \"%s\" in %s", w[1], c->dir);
		rc = dl_tlsa_spki_data(pk, mtype, &hex, err);
	} else {
		X509 *x = dl_pki_cert(c->pki, w[1]);
		if (x == NULL)
			return dl_errf(err, "no certificate \"%s\" in %s", w[1], c->dir);
		rc = dl_tlsa_data(x, sel, mtype, &hex, err);
	}
	if (rc == 0)
		rc = print_hex(&hex);
	dl_buf_free(&hex);
	return rc;
}

static int
cmd_issue(struct cli *c, char **w, size_t n, struct dl_err *err)
{
	struct dl_cert_spec spec;
	struct dl_cert_spec_store *st = NULL;
	int rc = dl_cert_spec_parse(w + 1, n - 1, &spec, &st, err);

	if (rc == 0)
		rc = dl_pki_issue(c->pki, &spec, err);
	dl_cert_spec_store_free(st);
	c->dirty = true;
	return rc;
}

static int
cmd_key(struct cli *c, char **w, size_t n, struct dl_err *err)
{
	int type = DL_KEY_EC256;

	if (n < 2 || n > 3 || (n == 3 && (strncmp(w[2], "type=", 5) != 0 ||
	    (type = dl_key_type_parse(w[2] + 5)) < 0)))
		return dl_errf(err, "key: expected NAME [type=ec|rsa]");
	c->dirty = true;
	return dl_pki_key_gen(c->pki, w[1], (enum dl_key_type)type, err) ? 0 : -1;
}

static int
cmd_chain(struct cli *c, char **w, size_t n, struct dl_err *err)
{
	if (n < 4)
		return dl_errf(err, "chain: expected CHAIN.pem KEY.pem|- ID...");
	return dl_pki_write_chain(c->pki, (const char *const *)w + 3, n - 3,
	    w[1], strcmp(w[2], "-") ? w[2] : NULL, err);
}

static int run_batch(struct cli *c, const char *file, struct dl_err *err);

static int
run_command(struct cli *c, char **w, size_t n, struct dl_err *err)
{
	if (n == 0)
		return dl_errf(err, "expected a command");
	if (strcmp(w[0], "tlsa") == 0)
		return cmd_tlsa_file(w, n, err);
	if (c->dir == NULL)
		return dl_errf(err, "%s: needs --dir DIR", w[0]);
	if (strcmp(w[0], "issue") == 0)
		return cmd_issue(c, w, n, err);
	if (strcmp(w[0], "key") == 0)
		return cmd_key(c, w, n, err);
	if (strcmp(w[0], "chain") == 0)
		return cmd_chain(c, w, n, err);
	if (strcmp(w[0], "tlsa-id") == 0 || strcmp(w[0], "tlsa-key") == 0)
		return cmd_tlsa_named(c, w, n, err);
	if (strcmp(w[0], "batch") == 0 && n == 2)
		return run_batch(c, w[1], err);
	return dl_errf(err, "\"%s\": unknown command or wrong arguments, "
	    "expected issue, key, chain, batch, tlsa, tlsa-id, tlsa-key", w[0]);
}

/* One command per line, words split on blanks, '#' starts a comment. */
static int
run_batch(struct cli *c, const char *file, struct dl_err *err)
{
	struct dl_buf text = DL_BUF_INIT;
	char *line, *next;
	int rc = 0, lineno = 0;

	if (dl_read_file(file, &text) < 0)
		return dl_errf(err, "%s: %s", file, strerror(errno));
	for (line = text.data; line != NULL && rc == 0; line = next) {
		char *words[256], *save = NULL, *hash;
		size_t n = 0;

		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		lineno++;
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		for (char *t = strtok_r(line, " \t\r", &save); t != NULL;
		    t = strtok_r(NULL, " \t\r", &save)) {
			if (n == sizeof(words) / sizeof(words[0])) {
				rc = dl_errf(err, "more than %zu words", n);
				break;
			}
			words[n++] = t;
		}
		if (rc == 0 && n > 0)
			rc = run_command(c, words, n, err);
		if (rc < 0)
			dl_err_prefix(err, "%s:%d: ", file, lineno);
	}
	dl_buf_free(&text);
	return rc;
}

/* Global options; returns the index of the first command word. */
static int
parse_options(int argc, char **argv, struct cli *c, time_t *now,
    struct dl_err *err)
{
	int i;

	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0 && argv[i][2]; i++) {
		if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
			c->dir = argv[++i];
		else if (strcmp(argv[i], "--now") == 0 && i + 1 < argc) {
			char *end;
			errno = 0;
			long long v = strtoll(argv[++i], &end, 10);
			if (errno || end == argv[i] || *end)
				return dl_errf(err, "--now \"%s\": expected seconds "
				    "since the epoch", argv[i]);
			*now = (time_t)v;
		} else if (strcmp(argv[i], "--help") == 0)
			return dl_errf(err, "help");
		else
			return dl_errf(err, "%s: unknown option or missing value",
			    argv[i]);
	}
	if (i == argc)
		return dl_errf(err, "expected a command");
	return i;
}

/* Commands on the command line are separated by a lone "--". */
static int
run_args(struct cli *c, int argc, char **argv, int first, struct dl_err *err)
{
	int start = first;

	for (int i = first; i <= argc; i++) {
		if (i < argc && strcmp(argv[i], "--") != 0)
			continue;
		if (run_command(c, argv + start, (size_t)(i - start), err) < 0)
			return -1;
		start = i + 1;
	}
	return 0;
}

static int
open_dir(struct cli *c, struct dl_err *err)
{
	if (c->dir == NULL)
		return 0;
	if (mkdir(c->dir, 0700) < 0 && errno != EEXIST)
		return dl_errf(err, "%s: %s", c->dir, strerror(errno));
	return dl_pki_load_dir(c->pki, c->dir, err);
}

int
main(int argc, char **argv)
{
	struct cli c = { NULL, NULL, false };
	struct dl_err err = { "" };
	time_t now = time(NULL);
	int first, rc;

	dl_log_init("dl-pki", DL_LOG_WARN);
	if ((first = parse_options(argc, argv, &c, &now, &err)) < 0) {
		fprintf(stderr, "dl-pki: %s\n%s", err.msg, usage);
		return 2;
	}
	c.pki = dl_pki_new(now);
	rc = open_dir(&c, &err);
	if (rc == 0)
		rc = run_args(&c, argc, argv, first, &err);
	/* Save only a fully successful run: a failed batch changes nothing. */
	if (rc == 0 && c.dirty)
		rc = dl_pki_save_dir(c.pki, c.dir, &err);
	if (rc < 0)
		fprintf(stderr, "dl-pki: %s\n", err.msg);
	dl_pki_free(c.pki);
	return rc < 0 ? 1 : 0;
}
