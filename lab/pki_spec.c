/*
 * pki_spec.c -- the word form of a certificate spec ("mx1 issuer=int
 * san=mx1.a.test validity=expired"), shared by bin/dl-pki and anything else
 * that wants certificates described in text.  Grammar: lab/PKI.md.
 */
#include "lab/pki.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

struct dl_cert_spec_store {
	char **strs;		/* every string the spec points at */
	size_t n_strs;
	const char **lists[3];	/* san, permitted, excluded */
};

static const char *
keep(struct dl_cert_spec_store *st, const char *s, size_t len)
{
	st->strs = dl_xrealloc(st->strs, (st->n_strs + 1) * sizeof(*st->strs));
	st->strs[st->n_strs] = dl_xstrndup(s, len);
	return st->strs[st->n_strs++];
}

/* Split "a,b,c" (empty: no names) into list `which` of the store. */
static const char *const *
split_list(struct dl_cert_spec_store *st, int which, const char *v, size_t *n)
{
	const char **list = NULL;

	*n = 0;
	while (*v) {
		const char *end = strchr(v, ',');
		size_t len = end ? (size_t)(end - v) : strlen(v);
		list = dl_xrealloc(list, (*n + 1) * sizeof(*list));
		list[(*n)++] = keep(st, v, len);
		v += len + (end ? 1 : 0);
	}
	free(st->lists[which]);
	st->lists[which] = list;
	return list;
}

/* "-86400", "30d", "-1d": seconds, or days with a 'd' suffix. */
static int
parse_offset(const char *v, long *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v)
		return -1;
	if (*end == 'd' && end[1] == '\0') {
		if (n > LONG_MAX / 86400 || n < LONG_MIN / 86400)
			return -1;
		n *= 86400;
	} else if (*end != '\0')
		return -1;
	*out = n;
	return 0;
}

static int
parse_word(struct dl_cert_spec *s, struct dl_cert_spec_store *st,
    const char *w, struct dl_err *err)
{
	const char *eq = strchr(w, '=');
	size_t klen = eq ? (size_t)(eq - w) : strlen(w);
	const char *v = eq ? eq + 1 : NULL;
	int t;
	long n;

#define IS(k) (klen == strlen(k) && strncmp(w, k, klen) == 0)
	if (IS("ca") && v == NULL)
		s->is_ca = true;
	else if (v == NULL)
		return dl_errf(err, "\"%s\": expected key=value or \"ca\"", w);
	else if (IS("key") && *v)
		s->key = keep(st, v, strlen(v));
	else if (IS("issuer") && *v)
		s->issuer = strcmp(v, "self") ? keep(st, v, strlen(v)) : NULL;
	else if (IS("cn"))
		s->cn = *v ? keep(st, v, strlen(v)) : NULL;
	else if (IS("san"))
		s->san = split_list(st, 0, v, &s->n_san);
	else if (IS("permit"))
		s->permitted = split_list(st, 1, v, &s->n_permitted);
	else if (IS("exclude"))
		s->excluded = split_list(st, 2, v, &s->n_excluded);
	else if (IS("type") || IS("alg")) {
		if ((t = dl_key_type_parse(v)) < 0)
			return dl_errf(err, "type=%s: expected ec or rsa", v);
		s->key_type = (enum dl_key_type)t;
	} else if (IS("validity") || IS("valid")) {
		if ((t = dl_validity_parse(v)) < 0 || t == DL_VALIDITY_CUSTOM)
			return dl_errf(err, "validity=%s: expected valid, expired "
			    "or notyet (or nb=/na=)", v);
		s->validity = (enum dl_validity)t;
	} else if (IS("nb") || IS("na")) {
		if (parse_offset(v, &n) < 0)
			return dl_errf(err, "\"%s\": expected seconds or Nd (days)", w);
		if (s->validity != DL_VALIDITY_CUSTOM) {
			/* the other end keeps its default */
			s->validity = DL_VALIDITY_CUSTOM;
			s->nb_offset = -86400;
			s->na_offset = 365 * 86400L;
		}
		*(IS("nb") ? &s->nb_offset : &s->na_offset) = n;
	} else if (IS("pathlen")) {
		if (parse_offset(v, &n) < 0 || n < 0 || n > 1000 || strchr(v, 'd'))
			return dl_errf(err, "pathlen=%s: expected 0..1000", v);
		s->has_pathlen = true;
		s->pathlen = (int)n;
	} else
		return dl_errf(err, "\"%s\": unknown word, expected key= type= "
		    "issuer= san= cn= validity= nb= na= ca pathlen= permit= "
		    "exclude=", w);
#undef IS
	return 0;
}

int
dl_cert_spec_parse(char *const *words, size_t n, struct dl_cert_spec *out,
    struct dl_cert_spec_store **store, struct dl_err *err)
{
	struct dl_cert_spec_store *st = dl_xcalloc(1, sizeof(*st));

	memset(out, 0, sizeof(*out));
	*store = st;
	if (n == 0 || strchr(words[0], '=') != NULL)
		return dl_errf(err, "expected a certificate id first");
	out->id = keep(st, words[0], strlen(words[0]));
	for (size_t i = 1; i < n; i++)
		if (parse_word(out, st, words[i], err) < 0)
			return -1;
	if (out->validity == DL_VALIDITY_CUSTOM &&
	    out->nb_offset >= out->na_offset)
		return dl_errf(err, "nb=%ld is not before na=%ld", out->nb_offset,
		    out->na_offset);
	return 0;
}

void
dl_cert_spec_store_free(struct dl_cert_spec_store *st)
{
	if (st == NULL)
		return;
	for (size_t i = 0; i < st->n_strs; i++)
		free(st->strs[i]);
	free(st->strs);
	for (size_t i = 0; i < 3; i++)
		free(st->lists[i]);
	free(st);
}
