/*
 * judge.c -- see judge.h.
 */
#include "runner/judge.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runner/probe.h"
#include "util/buf.h"

/*
 * The vocabulary.  Disposition words: delivered HOST [SECURITY], deferred,
 * bounced.  Host facts: HOST FACT.  Resolver facts: query / no-query NAME
 * TYPE, query-order NAME TYPE before NAME TYPE.
 */
static const char *const host_facts[] = {
	"untouched", "contacted", "not-via", "refused", "starttls",
	"no-starttls", "no-cleartext-mail", "ehlo-after-tls",
	"no-second-starttls", "no-pipelined-starttls", "quit", "tls-alert",
	"message-accepted", NULL,
};
static const char *const sec_words[] = {
	"dane", "encrypted", "cleartext", "tls", "any", NULL,
};

static bool
in_list(const char *const *list, const char *w)
{
	for (; *list; list++)
		if (strcmp(*list, w) == 0)
			return true;
	return false;
}

/* Returns NULL if the alternative is well-formed, else what is wrong. */
static const char *
alt_problem(const struct dl_case *c, const struct dl_words *a)
{
	const char *w0 = a->v[0];

	if (strcmp(w0, "deferred") == 0 || strcmp(w0, "bounced") == 0)
		return a->n == 1 ? NULL : "\"deferred\"/\"bounced\" take no argument";
	if (strcmp(w0, "delivered") == 0) {
		if (a->n < 2 || a->n > 3)
			return "expected \"delivered HOST [dane|encrypted|cleartext|tls|any]\"";
		if (dl_case_host_index(c, a->v[1]) < 0)
			return "unknown host in \"delivered\", expected a declared host label";
		if (a->n == 3 && !in_list(sec_words, a->v[2]))
			return "unknown security, expected dane, encrypted, cleartext, tls or any";
		return NULL;
	}
	if (strcmp(w0, "query") == 0 || strcmp(w0, "no-query") == 0)
		return a->n == 3 ? NULL : "expected \"query|no-query NAME TYPE\"";
	if (strcmp(w0, "query-order") == 0)
		return a->n == 6 && strcmp(a->v[3], "before") == 0 ? NULL :
		    "expected \"query-order NAME TYPE before NAME TYPE\"";
	if (strcmp(w0, "same-connection") == 0 || strcmp(w0, "not-same-connection") == 0) {
		int i1 = a->n == 3 ? dl_case_rcpt_index(c, a->v[1]) : -1;
		int i2 = a->n == 3 ? dl_case_rcpt_index(c, a->v[2]) : -1;
		if (a->n == 3 && c->send.rcpts.n == 1 && strcmp(a->v[1], a->v[2]) != 0)
			i1 = -1; /* "no rcpt= means the only one" is for scopes, not here */
		return i1 >= 0 && i2 >= 0 && i1 != i2 ? NULL :
		    "expected \"same-connection|not-same-connection RCPT RCPT\" naming two "
		    "recipients of the send line";
	}
	if (strcmp(w0, "log-mentions") == 0)
		return a->n == 2 ? NULL : "expected \"log-mentions NAME\"";
	if (strcmp(w0, "log-matches") == 0 || strcmp(w0, "no-log-matches") == 0) {
		regex_t re;
		if (a->n != 2 || regcomp(&re, a->v[1], REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0)
			return w0[0] == 'n' ? "expected \"no-log-matches REGEX\" (a POSIX "
			    "extended regular expression without blanks)" :
			    "expected \"log-matches REGEX\" (a POSIX extended regular "
			    "expression without blanks)";
		regfree(&re);
		return NULL;
	}
	if (dl_case_host_index(c, w0) >= 0) {
		if (a->n != 2)
			return "expected \"HOST FACT\"";
		if (in_list(host_facts, a->v[1]) || strncmp(a->v[1], "sni=", 4) == 0)
			return NULL;
		return "unknown host fact, expected untouched, contacted, not-via, "
		    "refused, starttls, no-starttls, no-cleartext-mail, ehlo-after-tls, "
		    "no-second-starttls, no-pipelined-starttls, quit, tls-alert, "
		    "message-accepted or sni=NAME|none";
	}
	return "unknown expectation, expected delivered, deferred, bounced, query, "
	    "no-query, query-order, log-mentions, log-matches, no-log-matches, "
	    "same-connection, not-same-connection or a host label";
}

static bool
is_disposition(const char *w0)
{
	return !strcmp(w0, "delivered") || !strcmp(w0, "deferred") || !strcmp(w0, "bounced");
}

/* What may follow rcpt=ADDR: the recipient's disposition and host facts. */
static const char *
scoped_problem(const struct dl_case *c, const struct dl_words *a)
{
	if (is_disposition(a->v[0]) || dl_case_host_index(c, a->v[0]) >= 0)
		return NULL;
	return "a fact that does not belong to one recipient after rcpt=, expected "
	    "a disposition or HOST FACT there (queries, log facts and "
	    "same-connection go on a line without rcpt=)";
}

void
dl_expect_lint(const struct dl_case *c, struct dl_diag *diag)
{
	int dispositions[10][DL_CASE_MAX_RCPTS] = { { 0 } };
	int first_line[10][DL_CASE_MAX_RCPTS] = { { 0 } };
	int rounds = (int)c->n_thens + 1;
	size_t n_rcpts = c->send.rcpts.n ? c->send.rcpts.n : 1;

	for (size_t i = 0; i < c->n_expects; i++) {
		const struct dl_expect *e = &c->expects[i];
		size_t n_disp = 0;
		int scope = dl_case_rcpt_index(c, e->rcpt);
		if (e->rcpt && scope < 0)
			dl_diag_add(diag, c->path, e->line, "rcpt=%s is not a recipient of "
			    "the send line (rcpt=%s), expected one of them as written",
			    e->rcpt, c->send.rcpt ? c->send.rcpt : "");
		for (size_t k = 0; k < e->n_alts; k++) {
			if (e->alts[k].n == 0)
				continue;
			const char *p = alt_problem(c, &e->alts[k]);
			if (p == NULL && e->rcpt)
				p = scoped_problem(c, &e->alts[k]);
			if (p)
				dl_diag_add(diag, c->path, e->line, "%s", p);
			n_disp += is_disposition(e->alts[k].v[0]);
		}
		/* "mx1 refused | deferred": a disposition is one line of its own. */
		if (n_disp && n_disp != e->n_alts)
			dl_diag_add(diag, c->path, e->line, "a disposition (delivered, deferred, "
			    "bounced) mixed into '|' alternatives with other facts; expected "
			    "dispositions only, or the facts on an expect line of their own");
		if (e->round < 1 || e->round > 9 || n_disp == 0)
			continue;
		if (scope < 0) {
			if (e->rcpt == NULL)
				dl_diag_add(diag, c->path, e->line, "a disposition without "
				    "rcpt= in a case with %zu recipients, expected \"expect "
				    "rcpt=ADDR delivered|deferred|bounced ...\" for each", n_rcpts);
			continue;
		}
		if (dispositions[e->round][scope]++ && n_disp == e->n_alts)
			dl_diag_add(diag, c->path, e->line, "a second disposition expectation "
			    "for delivery %d%s%s (the first is line %d), expected exactly one; "
			    "write alternatives as \"expect A | B\"", e->round,
			    n_rcpts > 1 ? " of " : "", n_rcpts > 1 ? c->send.rcpts.v[scope] : "",
			    first_line[e->round][scope]);
		else if (first_line[e->round][scope] == 0)
			first_line[e->round][scope] = e->line;
	}
	for (int k = 1; k <= rounds && !c->fixture; k++) {
		for (size_t s = 0; s < n_rcpts; s++) {
			int n = dispositions[k][s];
			if (n == 1 || n > 1) /* more: reported at its line above */
				continue;
			if (n_rcpts > 1)
				dl_diag_add(diag, c->path, k == 1 ? 0 : c->thens[k - 2].line,
				    "no disposition expectation for recipient %s in delivery "
				    "%d, expected one \"expect rcpt=%s delivered|deferred|"
				    "bounced ...\" line", c->send.rcpts.v[s], k,
				    c->send.rcpts.v[s]);
			else if (rounds == 1)
				dl_diag_add(diag, c->path, 0, "%d disposition expectations, expected "
				    "exactly one \"expect delivered|deferred|bounced ...\" line", n);
			else
				dl_diag_add(diag, c->path, k == 1 ? 0 : c->thens[k - 2].line,
				    "%d disposition expectations for delivery %d, expected exactly "
				    "one \"expect delivered|deferred|bounced ...\" line%s", n,
				    k, k == 1 ? " before the first \"then\"" : " after its \"then\"");
		}
	}
}

/* ---- evaluation ---- */

struct judge_ctx {
	const struct dl_case *c;
	const char *apex;
	const struct dl_observed *o;
	int delivered_host;         /* first host that accepted the message, or -1 */
	bool delivered_tls;
	/* One recipient of several (an `expect rcpt=` line): only connections
	 * that named it count, and the client's word is its entry of the
	 * result's "recipients"; NULL: every connection, the result line. */
	char *rcpt;                 /* absolute, lower case */
	enum dl_obs_disposition disp;   /* what the client reports */
	enum dl_obs_security sec;
	const struct dl_rcpt_report *rr; /* the recipient's report, or NULL */
};

static bool
addr_in(char *const *list, size_t n, const char *addr)
{
	for (size_t i = 0; addr && i < n; i++)
		if (strcasecmp(list[i], addr) == 0)
			return true;
	return false;
}

/* Does connection cn count for the context (it named the recipient)? */
static bool
conn_counts(const struct judge_ctx *x, const struct dl_conn *cn)
{
	return x->rcpt == NULL || addr_in(cn->rcpts, cn->n_rcpts, x->rcpt);
}

static bool
conn_accepted(const struct judge_ctx *x, const struct dl_conn *cn)
{
	return x->rcpt ? addr_in(cn->accepted_rcpts, cn->n_accepted_rcpts, x->rcpt) :
	    cn->data_accepted;
}

/* Which host accepted the message (for x->rcpt), and over TLS or not. */
static void
find_delivery(struct judge_ctx *x)
{
	const struct dl_observed *o = x->o;

	x->delivered_host = -1;
	x->delivered_tls = false;
	for (size_t i = 0; i < o->n_conns && x->delivered_host < 0; i++) {
		/* A relaying attacker and its backend both see the DATA: take the
		 * first; either way the host is the same label. */
		if (!conn_accepted(x, &o->conns[i]))
			continue;
		x->delivered_host = o->conns[i].host;
		for (size_t k = 0; k < o->n_conns; k++)
			if (o->conns[k].host == o->conns[i].host && !o->conns[k].backend &&
			    conn_accepted(x, &o->conns[k]))
				x->delivered_tls = o->conns[k].tls;
	}
}

/* Recipient i of the send line, absolute and lower case ("user@x.test"). */
static char *
rcpt_abs(const struct dl_case *c, size_t i, const char *apex)
{
	const char *r = c->send.rcpts.v[i], *at = strchr(r, '@');
	char *dom = at == NULL || at[1] == '[' ? dl_xstrdup(at ? at + 1 : "") :
	    dl_case_name_abs(at + 1, apex);
	char *a = dl_xasprintf("%.*s@%s", at ? (int)(at - r) : 0, r, dom);

	free(dom);
	for (char *p = a; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return a;
}

/* The context of recipient i: its evidence and the client's word on it. */
static void
scope_ctx(struct judge_ctx *x, size_t i)
{
	const struct dl_adapter_report *r = &x->o->adapter;

	x->rcpt = rcpt_abs(x->c, i, x->apex);
	x->rr = NULL;
	for (size_t k = 0; k < r->n_rcpts && x->rr == NULL; k++)
		if (strcasecmp(r->rcpts[k].rcpt, x->rcpt) == 0)
			x->rr = &r->rcpts[k];
	x->disp = x->rr ? x->rr->disposition : DL_DISP_NONE;
	x->sec = x->rr ? x->rr->security : DL_SEC_UNKNOWN;
	find_delivery(x);
}

static bool
multi_rcpt(const struct dl_case *c)
{
	return c->send.rcpts.n > 1;
}

static bool
security_matches(const struct judge_ctx *x, const char *want)
{
	if (strcmp(want, "any") == 0)
		return true;
	if (strcmp(want, "cleartext") == 0)
		return !x->delivered_tls;
	if (!x->delivered_tls)
		return false;
	if (strcmp(want, "tls") == 0)
		return true;
	/* dane vs encrypted is only known to the client: the adapter says. */
	if (strcmp(want, "dane") == 0)
		return x->sec == DL_SEC_DANE;
	return x->sec == DL_SEC_ENCRYPTED;
}

static bool
query_seen(const struct judge_ctx *x, const char *name, const char *type, size_t *pos)
{
	/* "*": any name the case's queries were attributed to. */
	char *abs = strcmp(name, "*") == 0 ? NULL : dl_case_name_abs(name, x->apex);
	bool found = false;

	for (size_t i = 0; i < x->o->n_queries && !found; i++) {
		const struct dl_query *q = &x->o->queries[i];
		if ((abs == NULL || strcasecmp(q->name, abs) == 0) &&
		    strcasecmp(q->type, type) == 0) {
			found = true;
			if (pos)
				*pos = i;
		}
	}
	free(abs);
	return found;
}

static bool
host_fact(const struct judge_ctx *x, int host, const char *fact)
{
	size_t n = 0, mail = 0, tls = 0, starttls = 0;
	bool clear_mail = false, ehlo_ok = true, second = false, pipelined = false,
	    quit = false, alert = false, accepted = false, sni_ok = true;
	const char *want_sni = strncmp(fact, "sni=", 4) == 0 ? fact + 4 : NULL;
	char *sni_abs = want_sni && strcmp(want_sni, "none") != 0 ?
	    dl_case_name_abs(want_sni, x->apex) : NULL;

	for (size_t i = 0; i < x->o->n_conns; i++) {
		const struct dl_conn *cn = &x->o->conns[i];
		if (cn->host != host || !conn_counts(x, cn))
			continue;
		/* The backend behind an attacker sees the attacker, not the client. */
		if (!cn->backend) {
			n++;
			starttls += cn->starttls_requested;
			tls += cn->tls;
			clear_mail |= cn->mail_in_clear;
			second |= cn->second_starttls;
			pipelined |= cn->pipelined_after_starttls;
			quit |= cn->quit;
			/* RFC 6698 4.1: aborting the handshake is how a client refuses
			 * a server whose certificate matches no usable record. */
			alert |= cn->end && strcmp(cn->end, "tls-alert") == 0;
			accepted |= cn->data_accepted;
			if (cn->tls && !cn->ehlo_after_tls)
				ehlo_ok = false;
			if (want_sni && cn->tls) {
				if (sni_abs == NULL)
					sni_ok &= !cn->sni_present;
				else
					sni_ok &= cn->sni && strcasecmp(cn->sni, sni_abs) == 0;
			}
		}
		mail += cn->mail_from;
	}
	free(sni_abs);
	if (want_sni)
		return tls > 0 && sni_ok;
	if (!strcmp(fact, "untouched")) return n == 0;
	if (!strcmp(fact, "contacted")) return n > 0;
	if (!strcmp(fact, "not-via")) return mail == 0;
	if (!strcmp(fact, "refused")) return n > 0 && mail == 0;
	if (!strcmp(fact, "starttls")) return starttls > 0;
	if (!strcmp(fact, "no-starttls")) return n > 0 && starttls == 0;
	if (!strcmp(fact, "no-cleartext-mail")) return !clear_mail;
	if (!strcmp(fact, "ehlo-after-tls")) return tls > 0 && ehlo_ok;
	if (!strcmp(fact, "no-second-starttls")) return !second;
	if (!strcmp(fact, "no-pipelined-starttls")) return !pipelined;
	if (!strcmp(fact, "quit")) return quit;
	if (!strcmp(fact, "tls-alert")) return alert;
	if (!strcmp(fact, "message-accepted")) return accepted;
	return false;
}

/* A DNS name character, for telling "mx1.x.test" from "amx1.x.test". */
static bool
name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
}

/* Does the client's log name `name` (relative to the apex) as a whole name? */
static bool
log_mentions(const struct judge_ctx *x, const char *name)
{
	char *abs = dl_case_name_abs(name, x->apex);
	size_t n = strlen(abs);
	bool found = false;

	for (const char *p = x->o->client_log; p && *p && !found; p++) {
		if (strncasecmp(p, abs, n) != 0)
			continue;
		bool before = p > x->o->client_log && (name_char(p[-1]) || p[-1] == '.');
		found = !before && !name_char(p[n]);
	}
	free(abs);
	return found;
}

/* Did one connection of the client carry transactions for both? */
static bool
shared_connection(const struct judge_ctx *x, const char *r1, const char *r2)
{
	char *a1 = rcpt_abs(x->c, (size_t)dl_case_rcpt_index(x->c, r1), x->apex);
	char *a2 = rcpt_abs(x->c, (size_t)dl_case_rcpt_index(x->c, r2), x->apex);
	bool shared = false;

	for (size_t i = 0; i < x->o->n_conns && !shared; i++) {
		const struct dl_conn *cn = &x->o->conns[i];
		shared = !cn->backend && addr_in(cn->rcpts, cn->n_rcpts, a1) &&
		    addr_in(cn->rcpts, cn->n_rcpts, a2);
	}
	free(a1);
	free(a2);
	return shared;
}

static bool
alt_holds(const struct judge_ctx *x, const struct dl_words *a)
{
	const char *w0 = a->v[0];

	if (!strcmp(w0, "deferred"))
		return x->delivered_host < 0 && x->disp == DL_DISP_DEFERRED;
	if (!strcmp(w0, "bounced"))
		return x->delivered_host < 0 && x->disp == DL_DISP_BOUNCED;
	if (!strcmp(w0, "same-connection"))
		return shared_connection(x, a->v[1], a->v[2]);
	if (!strcmp(w0, "not-same-connection"))
		return !shared_connection(x, a->v[1], a->v[2]);
	if (!strcmp(w0, "delivered"))
		return x->delivered_host == dl_case_host_index(x->c, a->v[1]) &&
		    (a->n < 3 || security_matches(x, a->v[2]));
	if (!strcmp(w0, "query"))
		return query_seen(x, a->v[1], a->v[2], NULL);
	if (!strcmp(w0, "no-query"))
		return !query_seen(x, a->v[1], a->v[2], NULL);
	if (!strcmp(w0, "query-order")) {
		size_t p1, p2;
		return query_seen(x, a->v[1], a->v[2], &p1) &&
		    query_seen(x, a->v[4], a->v[5], &p2) && p1 < p2;
	}
	if (!strcmp(w0, "log-mentions"))
		return log_mentions(x, a->v[1]);
	if (!strcmp(w0, "log-matches") || !strcmp(w0, "no-log-matches")) {
		regex_t re;
		bool hit = false;
		if (regcomp(&re, a->v[1], REG_EXTENDED | REG_ICASE | REG_NOSUB | REG_NEWLINE) != 0)
			return false;
		hit = regexec(&re, x->o->client_log ? x->o->client_log : "", 0, NULL, 0) == 0;
		regfree(&re);
		return w0[0] == 'n' ? !hit : hit;
	}
	return host_fact(x, dl_case_host_index(x->c, w0), a->v[1]);
}

/* What was seen, phrased for "got X": only the part the expectation asks. */
static void
describe_got(const struct judge_ctx *x, const struct dl_words *a, struct dl_buf *b)
{
	const char *w0 = a->v[0];

	/* Dispositions are described by the judgement's "observed" summary. */
	if (!strcmp(w0, "delivered") || !strcmp(w0, "deferred") || !strcmp(w0, "bounced"))
		return;
	if (!strcmp(w0, "same-connection") || !strcmp(w0, "not-same-connection")) {
		dl_buf_printf(b, "%s", shared_connection(x, a->v[1], a->v[2]) ?
		    "one connection carried both" : "no connection carried both");
		return;
	}
	if (!strcmp(w0, "query") || !strcmp(w0, "no-query") || !strcmp(w0, "query-order")) {
		dl_buf_printf(b, "%zu client queries", x->o->n_queries);
		return;
	}
	if (!strcmp(w0, "log-mentions") || !strcmp(w0, "log-matches") ||
	    !strcmp(w0, "no-log-matches")) {
		size_t n = x->o->client_log ? strlen(x->o->client_log) : 0;
		dl_buf_printf(b, "a client log of %zu bytes %s (client.log)", n,
		    w0[0] == 'n' ? "with a matching line" :
		    w0[4] == 'm' && w0[5] == 'e' ? "without that name" : "without a match");
		return;
	}
	int h = dl_case_host_index(x->c, w0);
	size_t n = 0;
	for (size_t i = 0; i < x->o->n_conns; i++) {
		const struct dl_conn *cn = &x->o->conns[i];
		if (cn->host != h || !conn_counts(x, cn))
			continue;
		dl_buf_printf(b, "%s%s%s", n ? "; " : "", cn->backend ? "backend: " : "",
		    cn->summary ? cn->summary : "connection");
		n++;
	}
	if (n == 0)
		dl_buf_adds(b, x->rcpt ? "no connection that named the recipient" :
		    "no connection");
}

static void
summary_one(const struct judge_ctx *x, struct dl_buf *b)
{
	const char *host = x->rr ? x->rr->host : x->o->adapter.host;

	if (x->delivered_host >= 0)
		dl_buf_printf(b, "delivered via %s (%s", x->c->hosts[x->delivered_host].label,
		    x->delivered_tls ? "tls" : "cleartext");
	else
		dl_buf_printf(b, "%s (no server accepted it", dl_obs_disposition_name(x->disp));
	dl_buf_printf(b, "; client says %s", dl_obs_disposition_name(x->disp));
	if (x->disp == DL_DISP_DELIVERED)
		dl_buf_printf(b, " via %s, %s", host ? host : "?", dl_obs_security_name(x->sec));
	dl_buf_adds(b, ")");
}

static char *
observed_summary(const struct judge_ctx *x)
{
	struct dl_buf b = DL_BUF_INIT;

	if (!multi_rcpt(x->c)) {
		summary_one(x, &b);
		return dl_buf_take(&b);
	}
	for (size_t i = 0; i < x->c->send.rcpts.n; i++) {
		struct judge_ctx y = *x;
		scope_ctx(&y, i);
		dl_buf_printf(&b, "%s%s: ", i ? "; " : "", x->c->send.rcpts.v[i]);
		summary_one(&y, &b);
		free(y.rcpt);
	}
	return dl_buf_take(&b);
}

/*
 * One delivery's story (the message, or one recipient of several): the
 * client's word against the servers' transcripts and the resolver log.
 */
static bool
delivery_agrees(const struct judge_ctx *x, const char *who, const char *host,
    const char *address, int adapter_host, struct dl_buf *why)
{
	bool ok = true;

	if (x->delivered_host >= 0 && x->disp != DL_DISP_DELIVERED) {
		dl_buf_printf(why, "%s: observers disagree%s%s: server %s accepted the "
		    "message but the client reports %s\n", x->c->path, who[0] ? " on " : "",
		    who, x->c->hosts[x->delivered_host].label, dl_obs_disposition_name(x->disp));
		ok = false;
	}
	if (x->delivered_host < 0 && x->disp == DL_DISP_DELIVERED) {
		dl_buf_printf(why, "%s: observers disagree%s%s: the client reports delivery "
		    "via %s but no server accepted the message\n", x->c->path,
		    who[0] ? " on " : "", who, host ? host : "?");
		ok = false;
	}
	if (x->delivered_host >= 0 && x->disp == DL_DISP_DELIVERED &&
	    adapter_host >= 0 && adapter_host != x->delivered_host) {
		dl_buf_printf(why, "%s: observers disagree%s%s: the client reports %s, the "
		    "message arrived at %s\n", x->c->path, who[0] ? " on " : "", who,
		    address ? address : "?", x->c->hosts[x->delivered_host].label);
		ok = false;
	}
	if (x->disp == DL_DISP_DELIVERED && x->sec == DL_SEC_DANE) {
		bool tlsa = false;
		for (size_t i = 0; i < x->o->n_queries; i++)
			tlsa |= strcasecmp(x->o->queries[i].type, "TLSA") == 0;
		if (!tlsa) {
			dl_buf_printf(why, "%s: observers disagree%s%s: the client claims DANE "
			    "authentication but the resolver saw no TLSA query from it\n",
			    x->c->path, who[0] ? " on " : "", who);
			ok = false;
		}
	}
	/* Security level, both ways: TLS the server never saw is a false claim
	   (say, an adapter that kept an earlier host's TLS state), and cleartext
	   reported for a TLS delivery means the adapter read another connection. */
	if (x->delivered_host >= 0 && x->disp == DL_DISP_DELIVERED &&
	    x->sec != DL_SEC_UNKNOWN &&
	    (x->sec != DL_SEC_CLEARTEXT) != x->delivered_tls) {
		dl_buf_printf(why, "%s: observers disagree on security%s%s: the client "
		    "(adapter result line) reports %s delivery to %s, the server %s "
		    "(persona transcript) received the message %s\n", x->c->path,
		    who[0] ? " of " : "", who, dl_obs_security_name(x->sec),
		    host && *host ? host : "?", x->c->hosts[x->delivered_host].label,
		    x->delivered_tls ? "over TLS" : "in cleartext");
		ok = false;
	}
	return ok;
}

/*
 * The observers must tell one story.  Servers are primary; the adapter's
 * report and the resolver log must not contradict them.  With several
 * recipients, each recipient's story on its own: the client's entry for it
 * against the transactions that named it.
 */
static bool
observers_agree(const struct judge_ctx *x, struct dl_buf *why)
{
	const struct dl_adapter_report *r = &x->o->adapter;
	bool ok = true;

	if (!r->valid) {
		dl_buf_printf(why, "%s: the adapter reported no result line (exit %d)\n",
		    x->c->path, r->exit_code);
		return false;
	}
	if (!multi_rcpt(x->c)) {
		ok = delivery_agrees(x, "", r->host, r->address, x->o->adapter_host, why);
	}
	for (size_t i = 0; multi_rcpt(x->c) && i < x->c->send.rcpts.n; i++) {
		struct judge_ctx y = *x;
		scope_ctx(&y, i);
		if (y.rr == NULL) {
			dl_buf_printf(why, "%s: the client reported nothing about recipient "
			    "%s (no entry for it in the result line's \"recipients\")\n",
			    x->c->path, y.rcpt);
			ok = false;
		} else {
			ok &= delivery_agrees(&y, y.rcpt, y.rr->host, y.rr->address,
			    y.rr->host_index, why);
		}
		free(y.rcpt);
	}
	if (r->error && *r->error) {
		dl_buf_printf(why, "%s: the adapter reports a fault of the lab, not of the "
		    "client: %s\n", x->c->path, r->error);
		ok = false;
	}
	return ok;
}

bool
dl_judge_lab_fault(const struct dl_case *c, const struct dl_observed *o,
    struct dl_judgement *j)
{
	if (o->lab_fault == NULL)
		return false;
	j->verdict = DL_V_ERROR;
	dl_buf_printf(&j->reasons, "%s: the lab failed, not the client: the lab resolver "
	    "could not reach a name server the case did not declare faulty (Unbound: %s)\n",
	    c->path, o->lab_fault);
	return true;
}

enum dl_verdict
dl_level_verdict(enum dl_level l)
{
	switch (l) {
	case DL_LEVEL_RECOMMENDED: return DL_V_NONSTRICT;
	case DL_LEVEL_OPTIONAL: return DL_V_INFO;
	default: return DL_V_FAIL;
	}
}

void
dl_judge(const struct dl_case *c, int round, const char *apex, const struct dl_observed *o,
    struct dl_judgement *j)
{
	struct judge_ctx x = { 0 };

	/* A probe delivers nothing: its own grading (judge_probe.c). */
	if (o->probe) {
		dl_judge_probe(c, round, apex, o, j);
		return;
	}
	x.c = c;
	x.apex = apex;
	x.o = o;
	x.disp = o->adapter.disposition;
	x.sec = o->adapter.security;
	memset(j, 0, sizeof(*j));
	j->verdict = DL_V_PASS;
	find_delivery(&x);
	j->observed = observed_summary(&x);
	struct dl_buf exp = DL_BUF_INIT;
	for (size_t i = 0; i < c->n_expects; i++) {
		const char *w0 = c->expects[i].alts[0].v ? c->expects[i].alts[0].v[0] : "";
		if (c->expects[i].round != round || !is_disposition(w0))
			continue;
		/* Several recipients: each one's disposition line, joined. */
		dl_buf_printf(&exp, "%s%s", exp.len ? "; " : "", c->expects[i].text);
	}
	j->expected = exp.len ? dl_buf_take(&exp) : NULL;
	dl_buf_free(&exp);
	if (o->adapter.disposition == DL_DISP_UNSUPPORTED) {
		j->verdict = DL_V_UNSUPPORTED;
		dl_buf_printf(&j->reasons, "%s: the adapter declared this case unsupported\n",
		    c->path);
		return;
	}
	/* Whatever the client did, it did in a world that was not the case's. */
	if (dl_judge_lab_fault(c, o, j))
		return;
	if (!observers_agree(&x, &j->reasons)) {
		j->verdict = DL_V_ERROR;
		return;
	}
	for (size_t i = 0; i < c->n_expects; i++) {
		const struct dl_expect *e = &c->expects[i];
		bool holds = false;
		if (e->round != round)
			continue;
		/* An `expect rcpt=` line judges that recipient only. */
		struct judge_ctx y = x;
		int scope = e->rcpt && multi_rcpt(c) ? dl_case_rcpt_index(c, e->rcpt) : -1;
		if (scope >= 0)
			scope_ctx(&y, (size_t)scope);
		for (size_t k = 0; k < e->n_alts && !holds; k++)
			holds = e->alts[k].n > 0 && alt_holds(&y, &e->alts[k]);
		if (holds) {
			free(y.rcpt);
			continue;
		}
		struct dl_buf got = DL_BUF_INIT;
		describe_got(&y, &e->alts[0], &got);
		if (got.len == 0 && scope >= 0)
			summary_one(&y, &got);
		dl_buf_printf(&j->reasons, "%s:%d: got %s, want %s [%s]\n", c->path, e->line,
		    got.len ? got.data : j->observed, e->text, dl_level_name(e->level));
		dl_buf_free(&got);
		free(y.rcpt);
		j->verdict = dl_verdict_worst(j->verdict, dl_level_verdict(e->level));
	}
}

bool
dl_judge_alt_holds(const struct dl_case *c, const char *apex, const struct dl_observed *o,
    const struct dl_words *a)
{
	struct judge_ctx x = { .c = c, .apex = apex, .o = o, .delivered_host = -1,
	    .disp = o->adapter.disposition, .sec = o->adapter.security };

	return a->n > 0 && alt_holds(&x, a);
}

void
dl_judgement_free(struct dl_judgement *j)
{
	dl_buf_free(&j->reasons);
	free(j->observed);
	free(j->expected);
}
