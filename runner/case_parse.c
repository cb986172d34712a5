/*
 * case_parse.c -- the reader of case files (grammar: cases/FORMAT.md).
 *
 * Line oriented.  Unindented lines start with a keyword; indented lines
 * belong to the zone block above them (records in zone-file syntax, or the
 * $TTL / $FAULT / $DNSFAULT directives).  '#' starts a comment at the start
 * of a line or after white space outside records' quoted strings.
 */
#include "runner/case.h"

#include <ctype.h>
#include <errno.h>
#include <ldns/ldns.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runner/case_internal.h"
#include "util/buf.h"
#include "util/utf8.h"

static const char *const level_names[DL_LEVEL_COUNT] = {
	[DL_LEVEL_REQUIRED] = "required",
	[DL_LEVEL_RECOMMENDED] = "recommended",
	[DL_LEVEL_OPTIONAL] = "optional",
	[DL_LEVEL_CONDITIONAL] = "conditional",
};

const char *
dl_level_name(enum dl_level l)
{
	return l < DL_LEVEL_COUNT ? level_names[l] : "?";
}

int
dl_level_parse(const char *s, enum dl_level *out, char **feature)
{
	if (feature)
		*feature = NULL;
	for (int i = 0; i < DL_LEVEL_COUNT; i++) {
		if (i != DL_LEVEL_CONDITIONAL && strcmp(s, level_names[i]) == 0) {
			*out = (enum dl_level)i;
			return 0;
		}
	}
	/* conditional(feature): the feature an adapter declares in `caps`. */
	size_t n = strlen(s);
	if (n > 13 && strncmp(s, "conditional(", 12) == 0 && s[n - 1] == ')') {
		for (size_t i = 12; i < n - 1; i++)
			if (!isalnum((unsigned char)s[i]) && s[i] != '-')
				return -1;
		*out = DL_LEVEL_CONDITIONAL;
		if (feature)
			*feature = dl_xstrndup(s + 12, n - 13);
		return 0;
	}
	return -1;
}

void
dl_diag_add(struct dl_diag *d, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (line > 0)
		dl_buf_printf(&d->text, "%s:%d: ", file, line);
	else
		dl_buf_printf(&d->text, "%s: ", file);
	va_start(ap, fmt);
	dl_buf_vprintf(&d->text, fmt, ap);
	va_end(ap);
	dl_buf_addc(&d->text, '\n');
	d->count++;
}

void
dl_diag_free(struct dl_diag *d)
{
	dl_buf_free(&d->text);
	d->count = 0;
}

void
dl_words_push(struct dl_words *w, const char *word)
{
	w->v = dl_xrealloc(w->v, (w->n + 1) * sizeof(*w->v));
	w->v[w->n++] = dl_xstrdup(word);
}

void
dl_words_split(struct dl_words *w, const char *s)
{
	while (*s) {
		while (*s && isspace((unsigned char)*s))
			s++;
		const char *e = s;
		while (*e && !isspace((unsigned char)*e))
			e++;
		if (e > s) {
			char *word = dl_xstrndup(s, (size_t)(e - s));
			dl_words_push(w, word);
			free(word);
		}
		s = e;
	}
}

void
dl_words_free(struct dl_words *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->v[i]);
	free(w->v);
	w->v = NULL;
	w->n = 0;
}

const char *
dl_words_opt(const struct dl_words *w, const char *key)
{
	size_t kl = strlen(key);

	for (size_t i = 0; i < w->n; i++) {
		if (strncmp(w->v[i], key, kl) != 0)
			continue;
		if (w->v[i][kl] == '=')
			return w->v[i] + kl + 1;
		if (w->v[i][kl] == '\0')
			return "";
	}
	return NULL;
}

bool
dl_words_has(const struct dl_words *w, const char *word)
{
	for (size_t i = 0; i < w->n; i++)
		if (strcmp(w->v[i], word) == 0)
			return true;
	return false;
}

/* The parser's state while reading one file. */
struct reader {
	struct dl_case *c;
	struct dl_diag *diag;
	struct dl_case_zone *zone; /* open zone block, or NULL */
	int zone_round;            /* $ROUND in force in the open block (0: all) */
	int lineno;
	bool seen_level, seen_send;
	size_t n_records;          /* records and rules of all zones */
	struct dl_buf note;        /* the note lines, joined */
	bool note_full;
};

#define PERR(r, ...) dl_diag_add((r)->diag, (r)->c->path, (r)->lineno, __VA_ARGS__)

/* Strip a trailing comment: '#' at the start or after white space. */
static void
strip_comment(char *s)
{
	bool in_quote = false;

	for (char *p = s; *p; p++) {
		if (*p == '"')
			in_quote = !in_quote;
		else if (*p == '#' && !in_quote && (p == s || isspace((unsigned char)p[-1]))) {
			*p = '\0';
			break;
		}
	}
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

static void
set_once(struct reader *r, char **field, const char *key, const char *val)
{
	if (*field != NULL) {
		PERR(r, "duplicate key \"%s\", expected it once per case", key);
		return;
	}
	if (*val == '\0') {
		PERR(r, "key \"%s\" needs a value", key);
		return;
	}
	*field = dl_xstrdup(val);
}

/* The records-and-rules limit, reported once. */
static bool
too_many_records(struct reader *r)
{
	if (r->n_records++ == DL_CASE_MAX_RECORDS)
		PERR(r, "too many records and fault rules, expected at most %d per case",
		    DL_CASE_MAX_RECORDS);
	return r->n_records > DL_CASE_MAX_RECORDS;
}

static void
zone_directive(struct reader *r, const char *line)
{
	struct dl_case_zone *z = r->zone;
	struct dl_words w = { 0 };

	dl_words_split(&w, line);
	if (strcmp(w.v[0], "$FAULT") == 0) {
		enum dl_rrset_fault f;
		ldns_rr_type type = w.n == 4 ? ldns_get_rr_type_by_name(w.v[2]) : 0;
		if (w.n != 4 || dl_rrset_fault_parse(w.v[3], &f) < 0 || type == 0) {
			PERR(r, "bad $FAULT, expected \"$FAULT OWNER TYPE "
			    "expired|notyet|badsig|nosig\"");
		} else if (r->zone_round != 0) {
			PERR(r, "$FAULT under $ROUND %d, expected it before any $ROUND: a "
			    "broken signature holds in every round", r->zone_round);
		} else {
			z->faults = dl_xrealloc(z->faults, (z->n_faults + 1) * sizeof(*z->faults));
			struct dl_zone_fault *zf = &z->faults[z->n_faults++];
			memset(zf, 0, sizeof(*zf));
			zf->owner = dl_xstrdup(w.v[1]);
			zf->type = (uint16_t)type;
			zf->fault = f;
			zf->src.file = r->c->path;
			zf->src.line = r->lineno;
		}
	} else if (strcmp(w.v[0], "$DNSFAULT") == 0 || strcmp(w.v[0], "$PATHFAULT") == 0) {
		bool path = w.v[0][1] == 'P';
		if (too_many_records(r)) {
			dl_words_free(&w);
			return;
		}
		char ***list = path ? &z->pathfaults : &z->dnsfaults;
		int **lines = path ? &z->pathfault_lines : &z->dnsfault_lines;
		size_t *n = path ? &z->n_pathfaults : &z->n_dnsfaults;
		if (w.n < 4) {
			PERR(r, "bad %s, expected \"%s OWNER TYPE|ANY ACTION [ARGS]\"", w.v[0], w.v[0]);
		} else if (path && r->zone_round != 0) {
			PERR(r, "$PATHFAULT under $ROUND %d, expected it before any $ROUND "
			    "(the untrusted path lies the same way in every round)", r->zone_round);
		} else {
			*list = dl_xrealloc(*list, (*n + 1) * sizeof(char *));
			*lines = dl_xrealloc(*lines, (*n + 1) * sizeof(int));
			if (!path) {
				z->dnsfault_rounds = dl_xrealloc(z->dnsfault_rounds,
				    (*n + 1) * sizeof(int));
				z->dnsfault_rounds[*n] = r->zone_round;
			}
			(*lines)[*n] = r->lineno;
			(*list)[(*n)++] = dl_xstrdup(line + strlen(w.v[0]) + 1);
		}
	} else if (strcmp(w.v[0], "$ROUND") == 0) {
		/* What follows holds only while the client makes delivery N. */
		char *end = NULL;
		long k = w.n == 2 ? strtol(w.v[1], &end, 10) : 0;
		if (w.n == 2 && strcmp(w.v[1], "all") == 0)
			r->zone_round = 0;
		else if (w.n != 2 || *end != '\0' || k < 1 || k > 9)
			PERR(r, "bad $ROUND, expected \"$ROUND N\" (1-9: the records and "
			    "rules below hold in delivery N only) or \"$ROUND all\"");
		else
			r->zone_round = (int)k;
	} else {
		PERR(r, "unknown directive \"%s\", expected $FAULT, $DNSFAULT, $PATHFAULT "
		    "or $ROUND (use the zone's ttl= option for the TTL)", w.v[0]);
	}
	dl_words_free(&w);
}

static void
zone_record(struct reader *r, const char *line)
{
	struct dl_case_zone *z = r->zone;

	if (z == NULL) {
		PERR(r, "indented line outside a zone block, expected a keyword at "
		    "the start of the line");
		return;
	}
	if (line[0] == '$' && line[1] != '\0' && isupper((unsigned char)line[1]) &&
	    (strncmp(line, "$FAULT", 6) == 0 || strncmp(line, "$DNSFAULT", 9) == 0 ||
	    strncmp(line, "$PATHFAULT", 10) == 0 || strncmp(line, "$ROUND", 6) == 0 ||
	    strncmp(line, "$TTL", 4) == 0 || strncmp(line, "$ORIGIN", 7) == 0)) {
		zone_directive(r, line);
		return;
	}
	if (too_many_records(r))
		return;
	z->records = dl_xrealloc(z->records, (z->n_records + 1) * sizeof(*z->records));
	struct dl_zone_record *rec = &z->records[z->n_records++];
	rec->text = dl_xstrdup(line);
	rec->round = r->zone_round;
	rec->src.file = r->c->path;
	rec->src.line = r->lineno;
}

static void
kw_zone(struct reader *r, struct dl_words *w)
{
	struct dl_case *c = r->c;
	enum dl_zone_mode mode;

	if (w->n < 3) {
		PERR(r, "bad zone line, expected \"zone NAME MODE [options]\"");
		return;
	}
	if (dl_zone_mode_parse(w->v[2], &mode) < 0) {
		PERR(r, "unknown zone mode \"%s\", expected secure, insecure, island, "
		    "bogus-expired, bogus-notyet, bogus-badsig, bogus-nosig, "
		    "bogus-ds-mismatch or bogus-no-dnskey", w->v[2]);
		return;
	}
	if (c->n_zones >= DL_CASE_MAX_ZONES) {
		PERR(r, "too many zones, expected at most %d per case", DL_CASE_MAX_ZONES);
		return;
	}
	for (size_t i = 0; i < c->n_zones; i++) {
		if (strcmp(c->zones[i].name, w->v[1]) == 0) {
			PERR(r, "zone \"%s\" declared twice (first at line %d)",
			    w->v[1], c->zones[i].line);
			return;
		}
	}
	c->zones = dl_xrealloc(c->zones, (c->n_zones + 1) * sizeof(*c->zones));
	struct dl_case_zone *z = &c->zones[c->n_zones++];
	memset(z, 0, sizeof(*z));
	z->name = dl_xstrdup(w->v[1]);
	z->mode = mode;
	z->line = r->lineno;
	for (size_t i = 3; i < w->n; i++) {
		static const char *const known[] = { "alg=", "denial=", "server=", "ttl=" };
		bool ok = false;
		for (size_t k = 0; k < 4; k++)
			ok |= strncmp(w->v[i], known[k], strlen(known[k])) == 0;
		if (!ok)
			PERR(r, "unknown zone option \"%s\", expected alg=, denial=, "
			    "server= or ttl=", w->v[i]);
		dl_words_push(&z->opts, w->v[i]);
	}
	r->zone = z;
}

static void
kw_cert(struct reader *r, struct dl_words *w)
{
	struct dl_case *c = r->c;

	if (w->n < 2) {
		PERR(r, "bad cert line, expected \"cert ID [options]\"");
		return;
	}
	if (!dl_case_label_ok(w->v[1])) {
		PERR(r, "bad cert id \"%s\", expected a label (letters, digits, '-', '_', "
		    "at most 63)", w->v[1]);
		return;
	}
	if (c->n_certs >= DL_CASE_MAX_CERTS) {
		PERR(r, "too many certs, expected at most %d per case", DL_CASE_MAX_CERTS);
		return;
	}
	for (size_t i = 0; i < c->n_certs; i++)
		if (strcmp(c->certs[i].id, w->v[1]) == 0) {
			PERR(r, "cert \"%s\" declared twice (first at line %d)",
			    w->v[1], c->certs[i].line);
			return;
		}
	c->certs = dl_xrealloc(c->certs, (c->n_certs + 1) * sizeof(*c->certs));
	struct dl_case_cert *ce = &c->certs[c->n_certs++];
	memset(ce, 0, sizeof(*ce));
	ce->id = dl_xstrdup(w->v[1]);
	ce->line = r->lineno;
	for (size_t i = 2; i < w->n; i++)
		dl_words_push(&ce->opts, w->v[i]);
}

static void
kw_host(struct reader *r, struct dl_words *w)
{
	struct dl_case *c = r->c;

	if (w->n < 3) {
		PERR(r, "bad host line, expected \"host LABEL smtp|attacker=MODE|closed "
		    "[options]\"");
		return;
	}
	for (size_t i = 0; i < c->n_hosts; i++)
		if (strcmp(c->hosts[i].label, w->v[1]) == 0) {
			PERR(r, "host \"%s\" declared twice (first at line %d)",
			    w->v[1], c->hosts[i].line);
			return;
		}
	if (!dl_case_label_ok(w->v[1])) {
		PERR(r, "bad host label \"%s\", expected a label (letters, digits, '-', "
		    "'_', at most 63)", w->v[1]);
		return;
	}
	if (c->n_hosts >= DL_CASE_MAX_HOSTS) {
		PERR(r, "too many hosts, expected at most %d per case", DL_CASE_MAX_HOSTS);
		return;
	}
	c->hosts = dl_xrealloc(c->hosts, (c->n_hosts + 1) * sizeof(*c->hosts));
	struct dl_case_host *h = &c->hosts[c->n_hosts++];
	memset(h, 0, sizeof(*h));
	h->label = dl_xstrdup(w->v[1]);
	h->kind = dl_xstrdup(w->v[2]);
	h->index = (int)c->n_hosts;
	h->line = r->lineno;
	for (size_t i = 3; i < w->n; i++)
		dl_words_push(&h->opts, w->v[i]);
}

/*
 * Client configuration a case may ask for (cases/FORMAT.md): each runs only
 * against an adapter that declares the feature "option:KEY".
 */
static const char *const client_options[] = {
	"fallback", "digests", "dane-ta", "audit", "self", NULL,
};

/* Is "key" (of "key=value", '=' already cut) a client option? */
static bool
client_option(const char *key)
{
	for (const char *const *o = client_options; *o; o++)
		if (strcmp(*o, key) == 0)
			return true;
	return false;
}

/* The values each option takes; names (fallback=, self=) are checked later. */
static void
client_option_check(struct reader *r, const char *kv)
{
	const char *v = strchr(kv, '=') + 1;

	if (strncmp(kv, "digests=", 8) == 0) {
		char *list = dl_xstrdup(v), *save = NULL;
		for (char *d = strtok_r(list, ",", &save); d; d = strtok_r(NULL, ",", &save))
			if (strcmp(d, "sha256") != 0 && strcmp(d, "sha512") != 0)
				PERR(r, "unknown digest \"%s\" in digests=, expected sha256 "
				    "and/or sha512, most preferred first", d);
		free(list);
	} else if ((strncmp(kv, "dane-ta=", 8) == 0 || strncmp(kv, "audit=", 6) == 0) &&
	    strcmp(v, "on") != 0 && strcmp(v, "off") != 0) {
		PERR(r, "bad \"%s\", expected on or off", kv);
	}
}

static void
kw_send(struct reader *r, struct dl_words *w)
{
	struct dl_case_send *s = &r->c->send;

	if (r->seen_send) {
		PERR(r, "duplicate key \"send\", expected it once per case");
		return;
	}
	r->seen_send = true;
	s->line = r->lineno;
	for (size_t i = 1; i < w->n; i++) {
		char *eq = strchr(w->v[i], '=');
		if (eq == NULL) {
			PERR(r, "bad send option \"%s\", expected KEY=VALUE", w->v[i]);
			continue;
		}
		*eq = '\0';
		char **field = strcmp(w->v[i], "policy") == 0 ? &s->policy :
		    strcmp(w->v[i], "rcpt") == 0 ? &s->rcpt :
		    strcmp(w->v[i], "from") == 0 ? &s->from :
		    strcmp(w->v[i], "relay") == 0 ? &s->relay :
		    strcmp(w->v[i], "resolver") == 0 ? &s->resolver : NULL;
		if (field == NULL && client_option(w->v[i])) {
			bool again = dl_words_opt(&s->options, w->v[i]) != NULL;
			*eq = '=';
			if (again || eq[1] == '\0') {
				PERR(r, "send option \"%.*s\" given twice or empty",
				    (int)(eq - w->v[i]), w->v[i]);
			} else {
				client_option_check(r, w->v[i]);
				dl_words_push(&s->options, w->v[i]);
			}
			continue;
		}
		if (field == NULL)
			PERR(r, "unknown send option \"%s\", expected policy=, rcpt=, "
			    "from=, relay=, resolver=, fallback=, digests=, dane-ta=, "
			    "audit= or self=", w->v[i]);
		else if (*field != NULL)
			PERR(r, "send option \"%s\" given twice", w->v[i]);
		else
			*field = dl_xstrdup(eq + 1);
		*eq = '=';
	}
	if (s->policy && strcmp(s->policy, "dane") != 0 &&
	    strcmp(s->policy, "dane-only") != 0 && strcmp(s->policy, "may") != 0 &&
	    strcmp(s->policy, "encrypt") != 0)
		PERR(r, "unknown policy \"%s\", expected dane, dane-only, encrypt or may",
		    s->policy);
	if (s->resolver && strcmp(s->resolver, "lab") != 0 && strcmp(s->resolver, "untrusted") != 0)
		PERR(r, "unknown resolver \"%s\", expected lab or untrusted", s->resolver);
}

static void
kw_expect(struct reader *r, const char *rest)
{
	struct dl_case *c = r->c;
	struct dl_expect e = { 0 };
	struct dl_words all = { 0 };

	if (c->n_expects >= DL_CASE_MAX_EXPECTS) {
		PERR(r, "too many expect lines, expected at most %d per case",
		    DL_CASE_MAX_EXPECTS);
		return;
	}
	e.level = c->level;
	e.round = (int)c->n_thens + 1;
	e.line = r->lineno;
	e.text = dl_xstrdup(rest);
	dl_words_split(&all, rest);
	e.alts = dl_xcalloc(1, sizeof(*e.alts));
	e.n_alts = 1;
	for (size_t i = 0; i < all.n; i++) {
		if (strcmp(all.v[i], "|") == 0) {
			e.alts = dl_xrealloc(e.alts, (e.n_alts + 1) * sizeof(*e.alts));
			memset(&e.alts[e.n_alts++], 0, sizeof(*e.alts));
		} else if (strncmp(all.v[i], "level=", 6) == 0) {
			/* Sub-assertion grade ("required / recommended" rows). */
			if (dl_level_parse(all.v[i] + 6, &e.level, NULL) < 0 ||
			    e.level == DL_LEVEL_CONDITIONAL)
				PERR(r, "bad \"%s\", expected level=required, "
				    "level=recommended or level=optional", all.v[i]);
		} else {
			dl_words_push(&e.alts[e.n_alts - 1], all.v[i]);
		}
	}
	dl_words_free(&all);
	for (size_t i = 0; i < e.n_alts; i++)
		if (e.alts[i].n == 0)
			PERR(r, "empty alternative in expect, expected words around '|'");
	c->expects = dl_xrealloc(c->expects, (c->n_expects + 1) * sizeof(*c->expects));
	c->expects[c->n_expects++] = e;
}

static void
kw_check(struct reader *r, struct dl_words *w)
{
	struct dl_case *c = r->c;

	if (w->n != 4) {
		PERR(r, "bad check line, expected \"check NAME TYPE STATUS\"");
		return;
	}
	if (c->n_checks >= DL_CASE_MAX_CHECKS) {
		PERR(r, "too many check lines, expected at most %d per case",
		    DL_CASE_MAX_CHECKS);
		return;
	}
	/* The lab's probe statuses (cases/FORMAT.md, "Checks"); "unresolvable"
	 * is the lab's word for a probe it cannot ask, never an expectation. */
	enum dl_lab_status status;
	bool status_ok = dl_lab_status_parse(w->v[3], &status) == 0 &&
	    status != DL_LAB_UNRESOLVABLE;
	if (ldns_get_rr_type_by_name(w->v[2]) == 0)
		PERR(r, "unknown type \"%s\" in check, expected an RR type such as A, MX "
		    "or TLSA", w->v[2]);
	if (!status_ok)
		PERR(r, "unknown status \"%s\" in check, expected secure, insecure, bogus, "
		    "servfail, timeout, nxdomain-secure, nodata-secure, nxdomain-insecure "
		    "or nodata-insecure", w->v[3]);
	if (!status_ok || ldns_get_rr_type_by_name(w->v[2]) == 0)
		return;
	c->checks = dl_xrealloc(c->checks, (c->n_checks + 1) * sizeof(*c->checks));
	struct dl_check *k = &c->checks[c->n_checks++];
	k->name = dl_xstrdup(w->v[1]);
	k->type = dl_xstrdup(w->v[2]);
	k->status = status;
	k->line = r->lineno;
}

/* then retry|resend [wait=SECONDS]: a later delivery of the same case. */
static void
kw_then(struct reader *r, struct dl_words *w)
{
	struct dl_case *c = r->c;
	struct dl_case_then t = { 0 };
	const char *wait = NULL;

	for (size_t i = 2; i < w->n; i++) {
		if (strncmp(w->v[i], "wait=", 5) == 0 && wait == NULL)
			wait = w->v[i] + 5;
		else
			PERR(r, "unknown option \"%s\" of then, expected wait=SECONDS", w->v[i]);
	}
	if (w->n < 2 || (strcmp(w->v[1], "retry") != 0 && strcmp(w->v[1], "resend") != 0)) {
		PERR(r, "bad then line, expected \"then retry|resend [wait=SECONDS]\"");
		return;
	}
	if (wait) {
		char *end = NULL;
		long s = strtol(wait, &end, 10);
		if (*wait == '\0' || *end != '\0' || s < 0 || s > 60)
			PERR(r, "bad wait=%s, expected whole seconds, 0 to 60", wait);
		else
			t.wait_s = (int)s;
	}
	if (c->n_thens == 8) {
		PERR(r, "too many then lines, expected at most 8 (9 deliveries)");
		return;
	}
	t.kind = dl_xstrdup(w->v[1]);
	t.line = r->lineno;
	c->thens = dl_xrealloc(c->thens, (c->n_thens + 1) * sizeof(*c->thens));
	c->thens[c->n_thens++] = t;
}

static const char *
after_keyword(const char *line)
{
	while (*line && !isspace((unsigned char)*line))
		line++;
	while (*line && isspace((unsigned char)*line))
		line++;
	return line;
}

static void
keyword_line(struct reader *r, char *line)
{
	struct dl_case *c = r->c;
	struct dl_words w = { 0 };
	const char *rest = after_keyword(line);

	dl_words_split(&w, line);
	const char *kw = w.v[0];
	/* Text lines (title, note) are bounded by their bytes instead. */
	if (w.n > DL_CASE_MAX_WORDS + 1 && strcmp(kw, "note") != 0 && strcmp(kw, "title") != 0) {
		PERR(r, "too many words (%zu) in a \"%s\" line, expected at most %d",
		    w.n - 1, kw, DL_CASE_MAX_WORDS);
		dl_words_free(&w);
		return;
	}
	if (strcmp(kw, "zone") != 0)
		r->zone = NULL;
	r->zone_round = 0;
	if (c->n_thens > 0 && strcmp(kw, "expect") != 0 && strcmp(kw, "then") != 0 &&
	    strcmp(kw, "note") != 0) {
		PERR(r, "\"%s\" after \"then\", expected only expect lines for the "
		    "later delivery (the world changes through $ROUND in zone blocks)", kw);
		dl_words_free(&w);
		return;
	}
	if (strcmp(kw, "id") == 0) {
		set_once(r, &c->id, kw, rest);
	} else if (strcmp(kw, "title") == 0) {
		set_once(r, &c->title, kw, rest);
	} else if (strcmp(kw, "scenario") == 0) {
		set_once(r, &c->scenario, kw, rest);
	} else if (strcmp(kw, "note") == 0) {
		/* Notes may span several lines: each "note" line appends. */
		if (r->note.len + strlen(rest) + 1 > DL_CASE_MAX_NOTE) {
			if (!r->note_full)
				PERR(r, "notes too long, expected at most %d bytes per case",
				    DL_CASE_MAX_NOTE);
			r->note_full = true;
		} else {
			if (r->note.len)
				dl_buf_addc(&r->note, ' ');
			dl_buf_adds(&r->note, rest);
		}
	} else if (strcmp(kw, "require") == 0 || strcmp(kw, "tags") == 0) {
		struct dl_words *list = kw[0] == 'r' ? &c->require : &c->tags;
		if (list->n + w.n - 1 > DL_CASE_MAX_WORDS)
			PERR(r, "too many \"%s\" words, expected at most %d per case", kw,
			    DL_CASE_MAX_WORDS);
		else
			for (size_t i = 1; i < w.n; i++)
				dl_words_push(list, w.v[i]);
	} else if (strcmp(kw, "level") == 0) {
		if (r->seen_level)
			PERR(r, "duplicate key \"level\", expected it once per case");
		else if (w.n != 2 || dl_level_parse(w.v[1], &c->level, &c->feature) < 0)
			PERR(r, "bad level \"%s\", expected required, recommended, "
			    "optional or conditional(FEATURE)", rest);
		r->seen_level = true;
	} else if (strcmp(kw, "zone") == 0) {
		kw_zone(r, &w);
	} else if (strcmp(kw, "cert") == 0) {
		kw_cert(r, &w);
	} else if (strcmp(kw, "host") == 0) {
		kw_host(r, &w);
	} else if (strcmp(kw, "send") == 0) {
		kw_send(r, &w);
	} else if (strcmp(kw, "expect") == 0) {
		if (!r->seen_level)
			PERR(r, "\"expect\" before \"level\", expected the level first "
			    "(an expectation inherits it)");
		kw_expect(r, rest);
	} else if (strcmp(kw, "check") == 0) {
		kw_check(r, &w);
	} else if (strcmp(kw, "then") == 0) {
		if (c->fixture)
			PERR(r, "\"then\" in a fixture-only file, expected only \"check\" lines");
		kw_then(r, &w);
	} else if (strcmp(kw, "fixture") == 0) {
		c->fixture = true;
	} else {
		PERR(r, "unknown key \"%s\", expected id, title, require, level, tags, "
		    "scenario, note, cert, zone, host, send, expect, then, check or fixture", kw);
	}
	dl_words_free(&w);
}

/* A name of the case, checked where it was written (case_check.c). */
static void
name_at(struct reader *r, int line, const char *what, const char *name, unsigned flags)
{
	const char *why = cw_name_check(name, r->c->id, flags);

	if (why) {
		r->lineno = line;
		PERR(r, "bad %s \"%s\": %s, expected \"@\", a name relative to the "
		    "case apex or an absolute name below it", what, name, why);
	}
}

/* Each comma-separated name of a cert option (certificates may name anything). */
static void
cert_names(struct reader *r, const struct dl_case_cert *ce, const char *key)
{
	const char *v = dl_words_opt(&ce->opts, key);
	char *copy = v ? dl_xstrdup(v) : NULL, *save = NULL;

	for (char *n = copy ? strtok_r(copy, ",", &save) : NULL; n;
	    n = strtok_r(NULL, ",", &save))
		name_at(r, ce->line, key, n, CW_NAME_WILD | CW_NAME_ANYWHERE);
	free(copy);
}

/* A fault rule's owner (relative to its zone) and type. */
static void
rule_names(struct reader *r, const char *rule, int line)
{
	struct dl_words w = { 0 };

	dl_words_split(&w, rule);
	if (w.n >= 2) {
		name_at(r, line, "owner", w.v[0], 0);
		if (strcasecmp(w.v[1], "ANY") != 0 && ldns_get_rr_type_by_name(w.v[1]) == 0) {
			r->lineno = line;
			PERR(r, "unknown type \"%s\", expected an RR type such as A, MX or "
			    "TLSA, or ANY", w.v[1]);
		}
	}
	dl_words_free(&w);
}

/* The recipient: Dot-string local part, '@', a domain at or below the apex. */
static void
rcpt_check(struct reader *r, const char *rcpt, const char *what, bool from)
{
	const char *at = strchr(rcpt, '@');
	const char *dom = at ? at + 1 : "";

	r->lineno = r->c->send.line;
	if (at == NULL || !cw_local_ok(rcpt, (size_t)(at - rcpt))) {
		PERR(r, "bad %s=%s, expected LOCAL@DOMAIN with an RFC 5321 Dot-string "
		    "local part (letters, digits, !#$%%&'*+-/=?^_`{|}~ and single dots)",
		    what, rcpt);
		return;
	}
	if (from) {
		/* Not a destination: the sender's domain is the lab's or the case's. */
		char *abs = dl_xasprintf("%s.", dom);
		if (strcasecmp(dom, "danelab.invalid") != 0 &&
		    (dom[0] == '\0' || dom[strlen(dom) - 1] == '.' ||
		    cw_name_check(abs, r->c->id, 0) != NULL))
			PERR(r, "bad from=%s, expected LOCAL@danelab.invalid or LOCAL@ a name "
			    "at or below %s.test", rcpt, r->c->id);
		free(abs);
		return;
	}
	if (strcmp(dom, "@") == 0 || dom[0] == '[')
		return; /* the apex; address literals: case_world.c */
	if (strchr(dom, '@')) {
		PERR(r, "bad %s=%s: more than one '@', expected LOCAL@DOMAIN", what, rcpt);
		return;
	}
	name_at(r, r->c->send.line, "recipient domain", dom, CW_NAME_IDN);
}

/*
 * Every name the case gives, against the grammar of case_check.c: names
 * reach file names, daemon and MTA configurations and scripts.
 */
static void
check_names(struct reader *r)
{
	struct dl_case *c = r->c;
	const char *v;

	for (size_t i = 0; i < c->n_zones; i++) {
		struct dl_case_zone *z = &c->zones[i];
		name_at(r, z->line, "zone name", z->name, 0);
		for (size_t k = 0; k < z->n_faults; k++)
			name_at(r, z->faults[k].src.line, "owner", z->faults[k].owner, 0);
		for (size_t k = 0; k < z->n_dnsfaults; k++)
			rule_names(r, z->dnsfaults[k], z->dnsfault_lines[k]);
		for (size_t k = 0; k < z->n_pathfaults; k++)
			rule_names(r, z->pathfaults[k], z->pathfault_lines[k]);
	}
	for (size_t i = 0; i < c->n_certs; i++) {
		const struct dl_case_cert *ce = &c->certs[i];
		r->lineno = ce->line;
		if ((v = dl_words_opt(&ce->opts, "key")) && !dl_case_label_ok(v))
			PERR(r, "bad key=%s, expected a label (letters, digits, '-', '_')", v);
		if ((v = dl_words_opt(&ce->opts, "issuer")) && !dl_case_label_ok(v))
			PERR(r, "bad issuer=%s, expected a cert id or self", v);
		cert_names(r, ce, "san");
		cert_names(r, ce, "cn");
		cert_names(r, ce, "permit");
		cert_names(r, ce, "exclude");
	}
	for (size_t i = 0; i < c->n_hosts; i++) {
		const struct dl_case_host *h = &c->hosts[i];
		for (size_t k = 0; k < h->opts.n; k++) {
			const char *o = h->opts.v[k];
			const char *eq = strchr(o, '=');
			if (strncmp(o, "sni:", 4) != 0)
				continue;
			char *name = eq ? dl_xstrndup(o + 4, (size_t)(eq - o - 4)) : NULL;
			if (name == NULL || eq[1] == '\0') {
				r->lineno = h->line;
				PERR(r, "bad \"%s\", expected sni:NAME=CERT[,CERT...]", o);
			} else {
				name_at(r, h->line, "SNI name", name, 0);
			}
			free(name);
		}
	}
	for (size_t i = 0; i < c->n_checks; i++)
		name_at(r, c->checks[i].line, "check name", c->checks[i].name, 0);
	if (c->send.rcpt)
		rcpt_check(r, c->send.rcpt, "rcpt", false);
	if (c->send.from)
		rcpt_check(r, c->send.from, "from", true);
	r->lineno = c->send.line;
	const char *why;
	if (c->send.relay && (why = cw_hostport_check(c->send.relay, c->id)))
		PERR(r, "bad relay=%s: %s, expected NAME[:PORT] at or below the case apex",
		    c->send.relay, why);
	if ((v = dl_words_opt(&c->send.options, "fallback")) &&
	    (why = cw_hostport_check(v, c->id)))
		PERR(r, "bad fallback=%s: %s, expected NAME[:PORT] at or below the case apex",
		    v, why);
}

static void
check_complete(struct reader *r)
{
	struct dl_case *c = r->c;
	const char *base = strrchr(c->path, '/');
	base = base ? base + 1 : c->path;
	size_t blen = strlen(base);

	r->lineno = 0;
	if (c->id == NULL)
		PERR(r, "missing key \"id\"");
	else if (blen > 5 && strcmp(base + blen - 5, ".case") == 0 &&
	    (strlen(c->id) != blen - 5 || strncmp(c->id, base, blen - 5) != 0))
		PERR(r, "id \"%s\" does not match the file name, expected \"%.*s\"",
		    c->id, (int)(blen - 5), base);
	if (c->id && (strlen(c->id) > 50 || strspn(c->id,
	    "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(c->id) || c->id[0] == '-'))
		PERR(r, "id \"%s\" is not a DNS label of at most 50 characters "
		    "(a-z, 0-9, '-'), expected one: it becomes the case apex", c->id);
	if (c->title == NULL)
		PERR(r, "missing key \"title\"");
	if (c->require.n == 0)
		PERR(r, "missing key \"require\" (the requirement ids this case exercises)");
	if (!r->seen_level)
		PERR(r, "missing key \"level\"");
	if (c->n_expects == 0 && !c->fixture)
		PERR(r, "no \"expect\" line: a case must state its expected outcome");
	if (c->n_expects > 0 && c->fixture)
		PERR(r, "\"expect\" in a fixture-only file, expected only \"check\" lines");
	if (c->n_zones == 0 && c->send.relay == NULL)
		PERR(r, "no zone: the recipient domain needs a DNS world");
	if (c->scenario == NULL && c->id)
		c->scenario = dl_xstrdup(c->id);
	if (c->send.policy == NULL)
		c->send.policy = dl_xstrdup("dane");
	if (c->send.rcpt == NULL)
		c->send.rcpt = dl_xstrdup("user@@");
	if (c->send.from == NULL)
		c->send.from = dl_xstrdup("sender@danelab.invalid");
	c->note = r->note.data ? dl_buf_take(&r->note) : NULL;
	bool id_ok = c->id && dl_case_label_ok(c->id) && strchr(c->id, '_') == NULL;
	if (id_ok)
		check_names(r);
	/* Reports need a name for the case; not a label, so it owns no name in
	 * the lab and is never placed (the missing id is an error above). */
	if (c->id == NULL)
		c->id = dl_xstrdup("(no id)");
}

/*
 * Bytes a case may not hold: control characters (but tab), DEL, NUL and
 * anything that is not well-formed UTF-8.  Reported with file:line, then
 * replaced by '?' so that nothing downstream (a terminal, JUnit XML,
 * Markdown) ever receives them.
 */
static void
clean_line(struct reader *r, char *line, size_t len)
{
	bool bad = false;

	for (size_t i = 0; i < len;) {
		unsigned char ch = (unsigned char)line[i];
		size_t u = ch >= 0x80 ? dl_utf8_len((unsigned char *)line + i, len - i) : 0;
		if (u) {
			i += u;
			continue;
		}
		if ((ch >= 0x20 && ch != 0x7f && ch < 0x80) || ch == '\t') {
			i++;
			continue;
		}
		if (!bad)
			PERR(r, "%s at column %zu, expected UTF-8 text without control "
			    "characters", ch == 0 ? "NUL byte" : ch >= 0x80 ? "invalid UTF-8" :
			    "control character", i + 1);
		bad = true;
		line[i++] = '?';
	}
}

static struct dl_case *
parse_mem(const char *path, const char *text, size_t size, struct dl_diag *diag)
{
	struct dl_case *c = dl_xcalloc(1, sizeof(*c));
	struct reader r = { .c = c, .diag = diag };
	const char *p = text, *end = text + size;

	c->path = dl_xstrdup(path);
	c->source = dl_xstrndup(text, size);
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t len = eol ? (size_t)(eol - p) : (size_t)(end - p);

		r.lineno++;
		if (len > DL_CASE_MAX_LINE) {
			PERR(&r, "line of %zu bytes, expected at most %d", len, DL_CASE_MAX_LINE);
			p = eol ? eol + 1 : end;
			continue;
		}
		char *line = dl_xmalloc(len + 1);
		memcpy(line, p, len);
		line[len] = '\0';
		if (len && line[len - 1] == '\r')
			line[--len] = '\0';
		clean_line(&r, line, len);
		bool indented = line[0] == ' ' || line[0] == '\t';
		strip_comment(line);
		char *s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s != '\0') {
			if (indented)
				zone_record(&r, s);
			else
				keyword_line(&r, s);
		}
		free(line);
		p = eol ? eol + 1 : end;
	}
	check_complete(&r);
	dl_buf_free(&r.note);
	return c;
}

struct dl_case *
dl_case_parse_text(const char *path, const char *text, struct dl_diag *diag)
{
	return parse_mem(path, text, strlen(text), diag);
}

struct dl_case *
dl_case_parse_mem(const char *path, const char *text, size_t size, struct dl_diag *diag)
{
	return parse_mem(path, text, size, diag);
}

struct dl_case *
dl_case_parse_file(const char *path, struct dl_diag *diag)
{
	struct dl_buf b = DL_BUF_INIT;
	struct dl_case *c;

	if (dl_read_file(path, &b) < 0) {
		dl_diag_add(diag, path, 0, "cannot read: %s", strerror(errno));
		dl_buf_free(&b);
		return NULL;
	}
	if (b.len > DL_CASE_MAX_BYTES) {
		dl_diag_add(diag, path, 0, "file of %zu bytes, expected at most %d", b.len,
		    DL_CASE_MAX_BYTES);
		dl_buf_free(&b);
		return NULL;
	}
	c = parse_mem(path, b.data ? b.data : "", b.len, diag);
	dl_buf_free(&b);
	return c;
}

static void
zone_free(struct dl_case_zone *z)
{
	free(z->name);
	dl_words_free(&z->opts);
	for (size_t i = 0; i < z->n_records; i++)
		free(z->records[i].text);
	free(z->records);
	for (size_t i = 0; i < z->n_faults; i++)
		free(z->faults[i].owner);
	free(z->faults);
	for (size_t i = 0; i < z->n_dnsfaults; i++)
		free(z->dnsfaults[i]);
	free(z->dnsfaults);
	free(z->dnsfault_lines);
	free(z->dnsfault_rounds);
	for (size_t i = 0; i < z->n_pathfaults; i++)
		free(z->pathfaults[i]);
	free(z->pathfaults);
	free(z->pathfault_lines);
}

void
dl_case_free(struct dl_case *c)
{
	if (c == NULL)
		return;
	free(c->path);
	free(c->id);
	free(c->title);
	free(c->scenario);
	free(c->feature);
	free(c->note);
	free(c->source);
	dl_words_free(&c->require);
	dl_words_free(&c->tags);
	for (size_t i = 0; i < c->n_certs; i++) {
		free(c->certs[i].id);
		dl_words_free(&c->certs[i].opts);
	}
	free(c->certs);
	for (size_t i = 0; i < c->n_zones; i++)
		zone_free(&c->zones[i]);
	free(c->zones);
	for (size_t i = 0; i < c->n_hosts; i++) {
		free(c->hosts[i].label);
		free(c->hosts[i].kind);
		dl_words_free(&c->hosts[i].opts);
	}
	free(c->hosts);
	free(c->send.policy);
	free(c->send.rcpt);
	free(c->send.from);
	free(c->send.relay);
	free(c->send.resolver);
	dl_words_free(&c->send.options);
	for (size_t i = 0; i < c->n_thens; i++)
		free(c->thens[i].kind);
	free(c->thens);
	for (size_t i = 0; i < c->n_expects; i++) {
		for (size_t j = 0; j < c->expects[i].n_alts; j++)
			dl_words_free(&c->expects[i].alts[j]);
		free(c->expects[i].alts);
		free(c->expects[i].text);
	}
	free(c->expects);
	for (size_t i = 0; i < c->n_checks; i++) {
		free(c->checks[i].name);
		free(c->checks[i].type);
	}
	free(c->checks);
	free(c);
}
