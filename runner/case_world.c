/*
 * case_world.c -- see case_world.h.  Placeholders, certificates and zones;
 * personas are rendered by case_personas.c, probes by case_probes.c.
 */
#include "runner/case_world.h"

#include <ctype.h>
#include <errno.h>
#include <arpa/inet.h>
#include <ldns/ldns.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lab/pki.h"
#include "runner/case_internal.h"
#include "runner/judge.h"
#include "util/buf.h"

/* "mx1" -> "mx1.x.test." ; "@" -> apex ; "a." -> "a." ; "*.w" keeps the star. */
char *
cw_abs_dot(const char *name, const char *apex_dot)
{
	size_t n = strlen(name);

	if (strcmp(name, "@") == 0)
		return dl_xstrdup(apex_dot);
	if (n > 0 && name[n - 1] == '.')
		return dl_xstrdup(name);
	return dl_xasprintf("%s.%s", name, apex_dot);
}

/* Same, without the trailing dot (certificate names, SNI). */
char *
cw_abs_nodot(const char *name, const char *apex_dot)
{
	char *s = cw_abs_dot(name, apex_dot);
	size_t n = strlen(s);

	if (n > 1 && s[n - 1] == '.')
		s[n - 1] = '\0';
	return s;
}

/* ---- placeholders ---- */

/* Deterministic "random" bytes: SHA-256 of (case id, line, counter). */
static void
fixed_random_hex(const char *seed, int line, int n, struct dl_buf *out)
{
	unsigned char md[32];
	unsigned int mdlen;
	int counter = 0;

	while (n > 0) {
		char *in = dl_xasprintf("%s/%d/%d", seed, line, counter++);
		EVP_Digest(in, strlen(in), md, &mdlen, EVP_sha256(), NULL);
		free(in);
		for (unsigned i = 0; i < mdlen && n > 0; i++, n--)
			dl_buf_printf(out, "%02x", md[i]);
	}
}

static int
resolve_one(struct cw_ctx *x, const char *name, const char *args, int line,
    struct dl_buf *out)
{
	const struct dl_case *c = x->c;
	char a1[128] = "", a2[16] = "", a3[16] = "", extra[8] = "";
	int nargs = sscanf(args, "%127s %15s %15s %7s", a1, a2, a3, extra);

	if (strcmp(name, "ADDR") == 0 || strcmp(name, "ADDR6") == 0) {
		int h = dl_case_host_index(c, a1);
		if (nargs != 1 || h < 0) {
			dl_diag_add(x->diag, c->path, line, "$%s(%s): unknown host, expected "
			    "a host label declared with \"host\"", name, args);
			return -1;
		}
		if (x->w) {
			dl_buf_adds(out, name[4] ? x->w->addr6[h] : x->w->addr4[h]);
			x->w->uses_ipv6 |= name[4] != '\0';
		}
		return 0;
	}
	if (strcmp(name, "TLSA") == 0) {
		char *end1, *end2;
		long sel = strtol(a2, &end1, 10), mt = strtol(a3, &end2, 10);
		if (nargs != 3 || *end1 || *end2 || sel < 0 || sel > 1 || mt < 0 || mt > 2) {
			dl_diag_add(x->diag, c->path, line, "$TLSA(%s): expected \"$TLSA(CERT "
			    "SELECTOR MTYPE)\" with selector 0|1 and matching type 0|1|2", args);
			return -1;
		}
		if (cw_find_cert(c, a1) == NULL) {
			dl_diag_add(x->diag, c->path, line, "$TLSA(%s): unknown certificate "
			    "\"%s\", expected one declared with \"cert\"", args, a1);
			return -1;
		}
		if (x->pki) {
			char *id = cw_cert_id(c, a1);
			X509 *cert = dl_pki_cert(x->pki, id);
			struct dl_err err;
			int rc = cert ? dl_tlsa_data(cert, (int)sel, (int)mt, out, &err) :
			    dl_errf(&err, "certificate \"%s\" was not issued (see above)", a1);
			free(id);
			if (rc < 0) {
				dl_diag_add(x->diag, c->path, line, "$TLSA(%s): %s", args, err.msg);
				return -1;
			}
		}
		return 0;
	}
	if (strcmp(name, "RANDOM") == 0) {
		char *end;
		long n = strtol(a1, &end, 10);
		if (nargs != 1 || *end || n < 1 || n > 1024) {
			dl_diag_add(x->diag, c->path, line, "$RANDOM(%s): expected a byte "
			    "count from 1 to 1024", args);
			return -1;
		}
		fixed_random_hex(c->id ? c->id : "", line, (int)n, out);
		return 0;
	}
	dl_diag_add(x->diag, c->path, line, "unknown placeholder \"$%s\", expected $ADDR, "
	    "$ADDR6, $TLSA or $RANDOM", name);
	return -1;
}

/*
 * Replace every $NAME(args) in text.  Anything else starting with '$' is
 * left alone (the zone builder rejects leftovers with file:line).
 */
int
cw_resolve(struct cw_ctx *x, const char *text, int line, struct dl_buf *out)
{
	int rc = 0;

	for (const char *p = text; *p;) {
		if (p[0] == '$' && isupper((unsigned char)p[1])) {
			const char *q = p + 1;
			while (isupper((unsigned char)*q) || isdigit((unsigned char)*q))
				q++;
			/* $APEX: the case apex, absolute (for names outside the zone). */
			if (q - p == 5 && strncmp(p + 1, "APEX", 4) == 0) {
				if (x->w)
					dl_buf_adds(out, x->w->apex);
				p = q;
				continue;
			}
			const char *close = *q == '(' ? strchr(q, ')') : NULL;
			if (close) {
				char *name = dl_xstrndup(p + 1, (size_t)(q - p - 1));
				char *args = dl_xstrndup(q + 1, (size_t)(close - q - 1));
				if (resolve_one(x, name, args, line, out) < 0)
					rc = -1;
				free(name);
				free(args);
				p = close + 1;
				continue;
			}
		}
		dl_buf_addc(out, *p++);
	}
	return rc;
}

/* ---- certificates ---- */

const struct dl_case_cert *
cw_find_cert(const struct dl_case *c, const char *id)
{
	for (size_t i = 0; i < c->n_certs; i++)
		if (strcmp(c->certs[i].id, id) == 0)
			return &c->certs[i];
	return NULL;
}

/* Ids and key names are scoped by case in the run-wide pki ("<case>.<id>";
 * the pki allows letters, digits, '.', '_' and '-' in names). */
char *
cw_cert_id(const struct dl_case *c, const char *id)
{
	return dl_xasprintf("%s.%s", c->id, id);
}

static void
split_names(const char *list, const char *apex, struct dl_words *out)
{
	struct dl_words tmp = { 0 };
	char *copy = dl_xstrdup(list);

	for (char *p = copy; p && *p;) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		if (*p) {
			char *abs = cw_abs_nodot(p, apex);
			dl_words_push(&tmp, abs);
			free(abs);
		}
		p = comma ? comma + 1 : NULL;
	}
	free(copy);
	*out = tmp;
}

static const char *const cert_opts[] = {
	"key", "issuer", "san", "cn", "valid", "ca", "pathlen", "permit", "exclude",
	"alg", NULL,
};

/* Check one cert's options; with pki set, issue it. */
static int
cert_issue(struct cw_ctx *x, const struct dl_case_cert *ce)
{
	const struct dl_case *c = x->c;
	const struct dl_words *o = &ce->opts;
	struct dl_cert_spec spec = { 0 };
	struct dl_words san = { 0 }, permit = { 0 }, exclude = { 0 };
	char *id = NULL, *key = NULL, *issuer = NULL, *cn = NULL;
	int rc = 0;

	for (size_t i = 0; i < o->n; i++) {
		bool known = false;
		for (const char *const *k = cert_opts; *k; k++) {
			size_t kl = strlen(*k);
			known |= strncmp(o->v[i], *k, kl) == 0 &&
			    (o->v[i][kl] == '=' || o->v[i][kl] == '\0');
		}
		if (!known) {
			dl_diag_add(x->diag, c->path, ce->line, "unknown cert option \"%s\", "
			    "expected key=, issuer=, san=, cn=, valid=, ca, pathlen=, permit=, "
			    "exclude= or alg=", o->v[i]);
			rc = -1;
		}
	}
	const char *v = dl_words_opt(o, "valid");
	int validity = v ? dl_validity_parse(v) : DL_VALID;
	if (validity < 0 || validity == DL_VALIDITY_CUSTOM) {
		dl_diag_add(x->diag, c->path, ce->line, "bad valid=%s, expected now, "
		    "valid, expired or notyet", v);
		rc = -1;
	}
	if (v && strcmp(v, "now") == 0)
		validity = DL_VALID;
	const char *alg = dl_words_opt(o, "alg");
	int kt = alg ? dl_key_type_parse(alg) : DL_KEY_EC256;
	if (kt < 0) {
		dl_diag_add(x->diag, c->path, ce->line, "bad alg=%s, expected ecdsa256 or "
		    "rsa2048", alg);
		rc = -1;
	}
	const char *is = dl_words_opt(o, "issuer");
	if (is && strcmp(is, "self") != 0 && cw_find_cert(c, is) == NULL) {
		dl_diag_add(x->diag, c->path, ce->line, "unknown issuer \"%s\", expected a "
		    "cert declared in this case or \"self\"", is);
		rc = -1;
	}
	if (rc < 0 || x->pki == NULL)
		return rc;

	id = cw_cert_id(c, ce->id);
	key = cw_cert_id(c, dl_words_opt(o, "key") ? dl_words_opt(o, "key") : ce->id);
	issuer = is && strcmp(is, "self") != 0 ? cw_cert_id(c, is) : NULL;
	if (dl_words_opt(o, "san"))
		split_names(dl_words_opt(o, "san"), x->w->apex, &san);
	if (dl_words_opt(o, "permit"))
		split_names(dl_words_opt(o, "permit"), x->w->apex, &permit);
	if (dl_words_opt(o, "exclude"))
		split_names(dl_words_opt(o, "exclude"), x->w->apex, &exclude);
	if (dl_words_opt(o, "cn"))
		cn = cw_abs_nodot(dl_words_opt(o, "cn"), x->w->apex);
	spec.id = id;
	spec.key = key;
	spec.key_type = (enum dl_key_type)kt;
	spec.issuer = issuer;
	spec.san = (const char *const *)san.v;
	spec.n_san = san.n;
	spec.cn = cn;
	spec.validity = (enum dl_validity)validity;
	spec.is_ca = dl_words_has(o, "ca");
	if (dl_words_opt(o, "pathlen")) {
		spec.has_pathlen = true;
		spec.pathlen = atoi(dl_words_opt(o, "pathlen"));
	}
	spec.permitted = (const char *const *)permit.v;
	spec.n_permitted = permit.n;
	spec.excluded = (const char *const *)exclude.v;
	spec.n_excluded = exclude.n;
	struct dl_err err;
	if (dl_pki_issue(x->pki, &spec, &err) < 0) {
		dl_diag_add(x->diag, c->path, ce->line, "cert %s: %s", ce->id, err.msg);
		rc = -1;
	}
	free(id);
	free(key);
	free(issuer);
	free(cn);
	dl_words_free(&san);
	dl_words_free(&permit);
	dl_words_free(&exclude);
	return rc;
}

/* Issue in dependency order: a certificate after its issuer. */
static int
certs_issue(struct cw_ctx *x)
{
	const struct dl_case *c = x->c;
	bool *done = dl_xcalloc(c->n_certs + 1, sizeof(bool));
	size_t n_done = 0;
	int rc = 0;

	for (bool progress = true; progress && n_done < c->n_certs;) {
		progress = false;
		for (size_t i = 0; i < c->n_certs; i++) {
			if (done[i])
				continue;
			const char *is = dl_words_opt(&c->certs[i].opts, "issuer");
			bool ready = is == NULL || strcmp(is, "self") == 0 ||
			    strcmp(is, c->certs[i].id) == 0;
			for (size_t k = 0; !ready && k < c->n_certs; k++)
				ready = done[k] && strcmp(c->certs[k].id, is) == 0;
			if (!ready && cw_find_cert(c, is) != NULL)
				continue;
			if (cert_issue(x, &c->certs[i]) < 0)
				rc = -1;
			done[i] = true;
			n_done++;
			progress = true;
		}
	}
	for (size_t i = 0; i < c->n_certs; i++)
		if (!done[i]) {
			dl_diag_add(x->diag, c->path, c->certs[i].line, "cert %s: its issuer "
			    "chain loops, expected a chain that ends in a self-signed cert",
			    c->certs[i].id);
			rc = -1;
		}
	free(done);
	return rc;
}

/* ---- zones ---- */

static const char *
zone_opt(const struct dl_case_zone *z, const char *key)
{
	return dl_words_opt(&z->opts, key);
}

static int
zone_build(struct cw_ctx *x, const struct dl_case_zone *cz, struct dl_zone_spec *zs)
{
	const struct dl_case *c = x->c;
	int rc = 0;
	const char *v;

	memset(zs, 0, sizeof(*zs));
	zs->origin = x->w ? cw_abs_dot(cz->name, x->w->apex) : NULL;
	zs->mode = cz->mode;
	zs->src.file = c->path;
	zs->src.line = cz->line;
	if ((v = zone_opt(cz, "alg")) && dl_key_alg_parse(v, &zs->alg) < 0) {
		dl_diag_add(x->diag, c->path, cz->line, "bad alg=%s, expected ecdsa256, "
		    "rsasha256 or ed25519", v);
		rc = -1;
	}
	if ((v = zone_opt(cz, "denial"))) {
		if (strcmp(v, "nsec") == 0)
			zs->denial = DL_DENIAL_NSEC;
		else if (strcmp(v, "nsec3") == 0)
			zs->denial = DL_DENIAL_NSEC3;
		else {
			dl_diag_add(x->diag, c->path, cz->line, "bad denial=%s, expected nsec "
			    "or nsec3", v);
			rc = -1;
		}
	}
	if ((v = zone_opt(cz, "server"))) {
		if (strcmp(v, "lab") == 0)
			zs->served_by = DL_SERVED_LAB;
		else if (strcmp(v, "fault") == 0)
			zs->served_by = DL_SERVED_FAULT;
		else if (strcmp(v, "dead") == 0)
			zs->served_by = DL_SERVED_DEAD;
		else {
			dl_diag_add(x->diag, c->path, cz->line, "bad server=%s, expected lab, "
			    "fault or dead", v);
			rc = -1;
		}
	}
	if ((v = zone_opt(cz, "ttl")))
		zs->ttl = (uint32_t)strtoul(v, NULL, 10);
	if (cz->n_dnsfaults && zs->served_by != DL_SERVED_FAULT) {
		dl_diag_add(x->diag, c->path, cz->dnsfault_lines[0], "$DNSFAULT in zone "
		    "\"%s\", which is not served by the fault proxy: add server=fault to "
		    "its zone line", cz->name);
		rc = -1;
	}
	if (cz->n_faults && (cz->mode == DL_ZONE_INSECURE || cz->mode == DL_ZONE_BOGUS_NOSIG)) {
		dl_diag_add(x->diag, c->path, cz->faults[0].src.line, "$FAULT in an unsigned "
		    "zone, expected a signed zone mode");
		rc = -1;
	}
	char *zs_origin_own = cw_abs_dot(cz->name, x->apex);
	const char *zs_origin = zs_origin_own;
	zs->records = dl_xcalloc(cz->n_records + 1, sizeof(*zs->records));
	for (size_t i = 0; i < cz->n_records; i++) {
		struct dl_buf b = DL_BUF_INIT;
		if (cw_resolve(x, cz->records[i].text, cz->records[i].src.line, &b) < 0)
			rc = -1;
		/* Lint leaves placeholders empty: records with one are judged at run. */
		const char *why = x->w || !strchr(cz->records[i].text, '$') ?
		    cw_rdata_check(b.data ? b.data : "", zs_origin, x->apex,
		    x->w ? x->w->index : -1) : NULL;
		if (why) {
			dl_diag_add(x->diag, c->path, cz->records[i].src.line, "record data "
			    "with %s, expected names and addresses of this case only", why);
			rc = -1;
		}
		zs->records[zs->n_records].text = dl_buf_take(&b);
		zs->records[zs->n_records].round = cz->records[i].round;
		zs->records[zs->n_records++].src = cz->records[i].src;
		if (cz->records[i].round > (int)c->n_thens + 1) {
			dl_diag_add(x->diag, c->path, cz->records[i].src.line, "record under "
			    "$ROUND %d, but the case makes %zu deliver%s (one more per \"then\")",
			    cz->records[i].round, c->n_thens + 1, c->n_thens ? "ies" : "y");
			rc = -1;
		}
		if (cz->records[i].round != 0)
			zs->n_rounds = (int)c->n_thens + 1;
	}
	free(zs_origin_own);
	zs->faults = dl_xcalloc(cz->n_faults + cz->n_dnsfaults + 1, sizeof(*zs->faults));
	for (size_t i = 0; i < cz->n_faults; i++) {
		zs->faults[i] = cz->faults[i];
		zs->faults[i].owner = dl_xstrdup(cz->faults[i].owner);
	}
	zs->n_faults = cz->n_faults;
	/* `serve` rules: the builder hands those RRsets to the fault proxy. */
	for (size_t i = 0; i < cz->n_dnsfaults; i++) {
		struct dl_words w = { 0 };
		dl_words_split(&w, cz->dnsfaults[i]);
		if (w.n == 3 && strcmp(w.v[2], "serve") == 0) {
			struct dl_zone_fault *f = &zs->faults[zs->n_faults++];
			memset(f, 0, sizeof(*f));
			f->owner = dl_xstrdup(w.v[0]);
			f->type = (uint16_t)ldns_get_rr_type_by_name(w.v[1]);
			f->fault = DL_RRSET_SERVED;
			f->src.file = c->path;
			f->src.line = cz->dnsfault_lines[i];
			if (f->type == 0 || cz->dnsfault_rounds[i] != 0) {
				dl_diag_add(x->diag, c->path, cz->dnsfault_lines[i], "bad serve "
				    "rule, expected \"$DNSFAULT OWNER TYPE serve\" with a real type, "
				    "before any $ROUND");
				rc = -1;
			}
		}
		dl_words_free(&w);
	}
	return rc;
}

static void
zone_spec_free(struct dl_zone_spec *z)
{
	free(z->origin);
	for (size_t i = 0; i < z->n_records; i++)
		free(z->records[i].text);
	free(z->records);
	for (size_t i = 0; i < z->n_faults; i++)
		free(z->faults[i].owner);
	free(z->faults);
}

/* ---- send ---- */

/* send's client options, with names made absolute and hosts made addresses. */
static int
options_build(struct cw_ctx *x)
{
	const struct dl_case *c = x->c;
	struct dl_buf b = DL_BUF_INIT;
	int rc = 0;

	for (size_t i = 0; i < c->send.options.n; i++) {
		const char *kv = c->send.options.v[i], *v = strchr(kv, '=') + 1;
		if (b.len)
			dl_buf_addc(&b, ' ');
		if (strncmp(kv, "fallback=", 9) == 0) {
			char *host = dl_xstrdup(v), *colon = strrchr(host, ':');
			int port = colon ? atoi(colon + 1) : 25;
			if (colon)
				*colon = '\0';
			if (port <= 0 || port > 65535) {
				dl_diag_add(x->diag, c->path, c->send.line, "bad port in \"%s\", "
				    "expected fallback=NAME[:PORT] with PORT 1-65535", kv);
				rc = -1;
			} else if (x->w) {
				char *abs = cw_abs_nodot(host, x->w->apex);
				dl_buf_printf(&b, "fallback=%s:%d", abs, port);
				free(abs);
			}
			free(host);
		} else if (strncmp(kv, "self=", 5) == 0) {
			/* The client is that host: its address is the client's own. */
			int h = dl_case_host_index(c, v);
			if (h < 0) {
				dl_diag_add(x->diag, c->path, c->send.line, "self=%s: unknown host, "
				    "expected a declared host label", v);
				rc = -1;
			} else if (x->w) {
				dl_buf_printf(&b, "self=%s", x->w->addr4[h]);
			}
		} else {
			dl_buf_adds(&b, kv);
		}
	}
	if (x->w)
		x->w->options = dl_buf_take(&b);
	dl_buf_free(&b);
	return rc;
}

/*
 * An address-literal domain (RFC 5321 4.1.3), "[IPv4]" or "[IPv6:ADDR]" ("IPv6:" optional,
 * as the reference client takes either): it must name an address, or the client would be given a
 * recipient no adapter can route and the case would fail for the wrong reason.
 */
static int
literal_ok(const char *dom, int lint)
{
	unsigned char a[16];
	size_t n = strlen(dom);
	char *in;
	int ok;

	if (n < 3 || dom[0] != '[' || dom[n - 1] != ']')
		return 0;
	in = dl_xasprintf("%.*s", (int)(n - 2), dom + 1);
	/* Lint sees the text unresolved; resolve_one has checked the placeholder's host. */
	if (lint && strncmp(in + (strncasecmp(in, "IPv6:", 5) == 0 ? 5 : 0), "$ADDR", 5) == 0)
		ok = 1;
	else if (strncasecmp(in, "IPv6:", 5) == 0)
		ok = inet_pton(AF_INET6, in + 5, a) == 1;
	else
		ok = inet_pton(AF_INET, in, a) == 1 || inet_pton(AF_INET6, in, a) == 1;
	free(in);
	return ok;
}

static int
send_build(struct cw_ctx *x)
{
	const struct dl_case *c = x->c;
	struct dl_buf b = DL_BUF_INIT;
	int rc = cw_resolve(x, c->send.rcpt, c->send.line, &b);
	/* The first '@' splits: "user@@" is "user" at the apex. */
	const char *at = strchr(b.data ? b.data : "", '@');

	if (at == NULL || at == b.data || at[1] == '\0') {
		dl_diag_add(x->diag, c->path, c->send.line, "bad rcpt=%s, expected "
		    "LOCAL@DOMAIN (\"@\" as domain means the apex)", c->send.rcpt);
		dl_buf_free(&b);
		return -1;
	}
	const char *raw = strchr(c->send.rcpt, '@');
	if (at[1] == '[' && !(x->w ? literal_ok(at + 1, 0) : raw && literal_ok(raw + 1, 1))) {
		dl_diag_add(x->diag, c->path, c->send.line, "bad address literal in rcpt=%s, "
		    "expected LOCAL@[$ADDR(HOST)] or LOCAL@[IPv6:$ADDR6(HOST)]", c->send.rcpt);
		dl_buf_free(&b);
		return -1;
	}
	if (x->w) {
		const char *dom = at + 1;
		if (dom[0] == '[') {
			x->w->rcpt_domain = dl_xstrdup(dom);
		} else {
			x->w->rcpt_domain = cw_abs_nodot(dom, x->w->apex);
		}
		x->w->rcpt = dl_xasprintf("%.*s@%s", (int)(at - b.data), b.data,
		    x->w->rcpt_domain);
	}
	dl_buf_free(&b);
	if (c->send.relay) {
		char *host = dl_xstrdup(c->send.relay);
		char *colon = strrchr(host, ':');
		int port = 25;
		if (colon) {
			*colon = '\0';
			port = atoi(colon + 1);
			if (port <= 0 || port > 65535) {
				dl_diag_add(x->diag, c->path, c->send.line, "bad relay port in "
				    "\"%s\", expected 1-65535", c->send.relay);
				rc = -1;
			}
		}
		if (x->w) {
			char *abs = cw_abs_nodot(host, x->w->apex);
			x->w->relay = dl_xasprintf("%s:%d", abs, port);
			free(abs);
		}
		free(host);
	}
	if (options_build(x) < 0)
		rc = -1;
	return rc;
}

/* ---- the whole case ---- */

static int
world_place(struct cw_ctx *x)
{
	const struct dl_case *c = x->c;
	int rc = 0;

	if (certs_issue(x) < 0)
		rc = -1;
	if (x->w) {
		x->w->zones = dl_xcalloc(c->n_zones + 1, sizeof(*x->w->zones));
		x->w->n_zones = c->n_zones;
	}
	for (size_t i = 0; i < c->n_zones; i++) {
		struct dl_zone_spec tmp, *zs = x->w ? &x->w->zones[i] : &tmp;
		if (zone_build(x, &c->zones[i], zs) < 0)
			rc = -1;
		if (x->w == NULL)
			zone_spec_free(&tmp);
	}
	if (send_build(x) < 0)
		rc = -1;
	if (cw_personas(x) < 0)
		rc = -1;
	if (cw_dns_rules(x) < 0)
		rc = -1;
	if (x->w && cw_probes(x) < 0)
		rc = -1;
	return rc;
}

void
dl_case_world_lint(const struct dl_case *c, struct dl_diag *diag)
{
	struct cw_ctx x = { .c = c, .diag = diag };

	if (c->id == NULL || !dl_case_label_ok(c->id))
		return; /* the reader has reported it */
	char *apex = dl_xasprintf("%s.test.", c->id);
	x.apex = apex;
	world_place(&x);
	free(apex);
}

int
dl_case_world_build(const struct dl_case *c, int index, struct dl_pki *pki,
    const char *case_dir, time_t now, struct dl_case_world *w, struct dl_diag *diag)
{
	struct cw_ctx x = { .c = c, .diag = diag, .pki = pki, .w = w, .dir = case_dir,
	    .now = now };
	int before = diag->count;

	memset(w, 0, sizeof(*w));
	w->c = c;
	w->index = index;
	w->apex = dl_xasprintf("%s.test.", c->id);
	x.apex = w->apex;
	w->n_rounds = (int)c->n_thens + 1;
	w->round_rules = dl_xcalloc(c->n_thens + 1, sizeof(*w->round_rules));
	w->addr4 = dl_xcalloc(c->n_hosts + 1, sizeof(char *));
	w->addr6 = dl_xcalloc(c->n_hosts + 1, sizeof(char *));
	w->backend4 = dl_xcalloc(c->n_hosts + 1, sizeof(char *));
	for (size_t h = 0; h < c->n_hosts; h++) {
		w->addr4[h] = dl_lab_mail_addr4(index, c->hosts[h].index);
		w->addr6[h] = dl_lab_mail_addr6(index, c->hosts[h].index);
		w->backend4[h] = dl_lab_mail_addr4(index,
		    c->hosts[h].index + DL_LAB_BACKEND_OFFSET);
	}
	world_place(&x);
	return diag->count > before ? -1 : 0;
}

void
dl_case_world_free(struct dl_case_world *w)
{
	const struct dl_case *c = w->c;

	for (size_t h = 0; c && h < c->n_hosts; h++) {
		free(w->addr4[h]);
		free(w->addr6[h]);
		free(w->backend4[h]);
	}
	free(w->options);
	free(w->addr4);
	free(w->addr6);
	free(w->backend4);
	for (size_t i = 0; i < w->n_zones; i++)
		zone_spec_free(&w->zones[i]);
	free(w->zones);
	dl_buf_free(&w->personas);
	dl_buf_free(&w->dns_rules);
	for (int k = 2; w->round_rules && k <= w->n_rounds; k++)
		dl_buf_free(&w->round_rules[k - 2]);
	free(w->round_rules);
	dl_buf_free(&w->path_rules);
	for (size_t i = 0; i < w->n_probes; i++) {
		free(w->probes[i].qname);
		free(w->probes[i].qtype);
	}
	free(w->probes);
	free(w->apex);
	free(w->rcpt);
	free(w->rcpt_domain);
	free(w->relay);
	memset(w, 0, sizeof(*w));
}
