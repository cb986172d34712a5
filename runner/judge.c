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
	    "no-query, query-order, log-mentions, log-matches, no-log-matches or a "
	    "host label";
}

void
dl_expect_lint(const struct dl_case *c, struct dl_diag *diag)
{
	int dispositions[10] = { 0 }, first_line[10] = { 0 };
	int rounds = (int)c->n_thens + 1;

	for (size_t i = 0; i < c->n_expects; i++) {
		const struct dl_expect *e = &c->expects[i];
		size_t n_disp = 0;
		for (size_t k = 0; k < e->n_alts; k++) {
			if (e->alts[k].n == 0)
				continue;
			const char *p = alt_problem(c, &e->alts[k]);
			if (p)
				dl_diag_add(diag, c->path, e->line, "%s", p);
			const char *w0 = e->alts[k].v[0];
			n_disp += !strcmp(w0, "delivered") || !strcmp(w0, "deferred") ||
			    !strcmp(w0, "bounced");
		}
		/* "mx1 refused | deferred": a disposition is one line of its own. */
		if (n_disp && n_disp != e->n_alts)
			dl_diag_add(diag, c->path, e->line, "a disposition (delivered, deferred, "
			    "bounced) mixed into '|' alternatives with other facts; expected "
			    "dispositions only, or the facts on an expect line of their own");
		if (e->round < 1 || e->round > 9 || n_disp == 0)
			continue;
		if (dispositions[e->round]++ && n_disp == e->n_alts)
			dl_diag_add(diag, c->path, e->line, "a second disposition expectation "
			    "for delivery %d (the first is line %d), expected exactly one; "
			    "write alternatives as \"expect A | B\"", e->round,
			    first_line[e->round]);
		else if (first_line[e->round] == 0)
			first_line[e->round] = e->line;
	}
	for (int k = 1; k <= rounds && !c->fixture; k++) {
		if (dispositions[k] == 1)
			continue;
		if (dispositions[k] > 1)
			continue; /* reported at its line above */
		if (rounds == 1)
			dl_diag_add(diag, c->path, 0, "%d disposition expectations, expected "
			    "exactly one \"expect delivered|deferred|bounced ...\" line",
			    dispositions[k]);
		else
			dl_diag_add(diag, c->path, k == 1 ? 0 : c->thens[k - 2].line,
			    "%d disposition expectations for delivery %d, expected exactly "
			    "one \"expect delivered|deferred|bounced ...\" line%s", dispositions[k],
			    k, k == 1 ? " before the first \"then\"" : " after its \"then\"");
	}
}

/* ---- evaluation ---- */

struct judge_ctx {
	const struct dl_case *c;
	const char *apex;
	const struct dl_observed *o;
	int delivered_host;         /* first host that accepted the message, or -1 */
	bool delivered_tls;
};

static bool
security_matches(const struct judge_ctx *x, const char *want)
{
	const struct dl_adapter_report *a = &x->o->adapter;

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
		return a->security == DL_SEC_DANE;
	return a->security == DL_SEC_ENCRYPTED;
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
		if (cn->host != host)
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

static bool
alt_holds(const struct judge_ctx *x, const struct dl_words *a)
{
	const char *w0 = a->v[0];
	const struct dl_adapter_report *r = &x->o->adapter;

	if (!strcmp(w0, "deferred"))
		return x->delivered_host < 0 && r->disposition == DL_DISP_DEFERRED;
	if (!strcmp(w0, "bounced"))
		return x->delivered_host < 0 && r->disposition == DL_DISP_BOUNCED;
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
		if (cn->host != h)
			continue;
		dl_buf_printf(b, "%s%s%s", n ? "; " : "", cn->backend ? "backend: " : "",
		    cn->summary ? cn->summary : "connection");
		n++;
	}
	if (n == 0)
		dl_buf_adds(b, "no connection");
}

static char *
observed_summary(const struct judge_ctx *x)
{
	const struct dl_adapter_report *r = &x->o->adapter;
	struct dl_buf b = DL_BUF_INIT;

	if (x->delivered_host >= 0)
		dl_buf_printf(&b, "delivered via %s (%s", x->c->hosts[x->delivered_host].label,
		    x->delivered_tls ? "tls" : "cleartext");
	else
		dl_buf_printf(&b, "%s (no server accepted it", dl_obs_disposition_name(r->disposition));
	dl_buf_printf(&b, "; client says %s", dl_obs_disposition_name(r->disposition));
	if (r->disposition == DL_DISP_DELIVERED)
		dl_buf_printf(&b, " via %s, %s", r->host ? r->host : "?",
		    dl_obs_security_name(r->security));
	dl_buf_adds(&b, ")");
	return dl_buf_take(&b);
}

/*
 * The observers must tell one story.  Servers are primary; the adapter's
 * report and the resolver log must not contradict them.
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
	if (x->delivered_host >= 0 && r->disposition != DL_DISP_DELIVERED) {
		dl_buf_printf(why, "%s: observers disagree: server %s accepted the message "
		    "but the client reports %s\n", x->c->path,
		    x->c->hosts[x->delivered_host].label, dl_obs_disposition_name(r->disposition));
		ok = false;
	}
	if (x->delivered_host < 0 && r->disposition == DL_DISP_DELIVERED) {
		dl_buf_printf(why, "%s: observers disagree: the client reports delivery "
		    "via %s but no server accepted the message\n", x->c->path,
		    r->host ? r->host : "?");
		ok = false;
	}
	if (x->delivered_host >= 0 && r->disposition == DL_DISP_DELIVERED &&
	    x->o->adapter_host >= 0 && x->o->adapter_host != x->delivered_host) {
		dl_buf_printf(why, "%s: observers disagree: the client reports %s, the "
		    "message arrived at %s\n", x->c->path, r->address ? r->address : "?",
		    x->c->hosts[x->delivered_host].label);
		ok = false;
	}
	if (r->disposition == DL_DISP_DELIVERED && r->security == DL_SEC_DANE) {
		bool tlsa = false;
		for (size_t i = 0; i < x->o->n_queries; i++)
			tlsa |= strcasecmp(x->o->queries[i].type, "TLSA") == 0;
		if (!tlsa) {
			dl_buf_printf(why, "%s: observers disagree: the client claims DANE "
			    "authentication but the resolver saw no TLSA query from it\n",
			    x->c->path);
			ok = false;
		}
	}
	/* Security level, both ways: TLS the server never saw is a false claim
	   (say, an adapter that kept an earlier host's TLS state), and cleartext
	   reported for a TLS delivery means the adapter read another connection. */
	if (x->delivered_host >= 0 && r->disposition == DL_DISP_DELIVERED &&
	    r->security != DL_SEC_UNKNOWN &&
	    (r->security != DL_SEC_CLEARTEXT) != x->delivered_tls) {
		dl_buf_printf(why, "%s: observers disagree on security: the client "
		    "(adapter result line) reports %s delivery to %s, the server %s "
		    "(persona transcript) received the message %s\n", x->c->path,
		    dl_obs_security_name(r->security), r->host && *r->host ? r->host : "?",
		    x->c->hosts[x->delivered_host].label,
		    x->delivered_tls ? "over TLS" : "in cleartext");
		ok = false;
	}
	if (r->error && *r->error) {
		dl_buf_printf(why, "%s: the adapter reports a fault of the lab, not of the "
		    "client: %s\n", x->c->path, r->error);
		ok = false;
	}
	return ok;
}

static enum dl_verdict
level_verdict(enum dl_level l)
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
	struct judge_ctx x = { c, apex, o, -1, false };

	/* A probe delivers nothing: its own grading (judge_probe.c). */
	if (o->probe) {
		dl_judge_probe(c, round, apex, o, j);
		return;
	}
	memset(j, 0, sizeof(*j));
	j->verdict = DL_V_PASS;
	for (size_t i = 0; i < o->n_conns; i++) {
		/* A relaying attacker and its backend both see the DATA: take the
		 * first; either way the host is the same label. */
		if (o->conns[i].data_accepted && x.delivered_host < 0) {
			x.delivered_host = o->conns[i].host;
			x.delivered_tls = false;
			for (size_t k = 0; k < o->n_conns; k++)
				if (o->conns[k].host == o->conns[i].host && !o->conns[k].backend &&
				    o->conns[k].data_accepted)
					x.delivered_tls = o->conns[k].tls;
		}
	}
	j->observed = observed_summary(&x);
	for (size_t i = 0; i < c->n_expects; i++) {
		const char *w0 = c->expects[i].alts[0].v ? c->expects[i].alts[0].v[0] : "";
		if (c->expects[i].round != round)
			continue;
		if (!strcmp(w0, "delivered") || !strcmp(w0, "deferred") || !strcmp(w0, "bounced"))
			j->expected = dl_xstrdup(c->expects[i].text);
	}
	if (o->adapter.disposition == DL_DISP_UNSUPPORTED) {
		j->verdict = DL_V_UNSUPPORTED;
		dl_buf_printf(&j->reasons, "%s: the adapter declared this case unsupported\n",
		    c->path);
		return;
	}
	/* Whatever the client did, it did in a world that was not the case's. */
	if (o->lab_fault) {
		j->verdict = DL_V_ERROR;
		dl_buf_printf(&j->reasons, "%s: the lab failed, not the client: the lab "
		    "resolver could not reach a name server the case did not declare "
		    "faulty (Unbound: %s)\n", c->path, o->lab_fault);
		return;
	}
	if (!observers_agree(&x, &j->reasons)) {
		j->verdict = DL_V_ERROR;
		return;
	}
	for (size_t i = 0; i < c->n_expects; i++) {
		const struct dl_expect *e = &c->expects[i];
		bool holds = false;
		if (e->round != round)
			continue;
		for (size_t k = 0; k < e->n_alts && !holds; k++)
			holds = e->alts[k].n > 0 && alt_holds(&x, &e->alts[k]);
		if (holds)
			continue;
		struct dl_buf got = DL_BUF_INIT;
		describe_got(&x, &e->alts[0], &got);
		dl_buf_printf(&j->reasons, "%s:%d: got %s, want %s [%s]\n", c->path, e->line,
		    got.len ? got.data : j->observed, e->text, dl_level_name(e->level));
		dl_buf_free(&got);
		j->verdict = dl_verdict_worst(j->verdict, level_verdict(e->level));
	}
}

bool
dl_judge_alt_holds(const struct dl_case *c, const char *apex, const struct dl_observed *o,
    const struct dl_words *a)
{
	struct judge_ctx x = { c, apex, o, -1, false };

	return a->n > 0 && alt_holds(&x, a);
}

void
dl_judgement_free(struct dl_judgement *j)
{
	dl_buf_free(&j->reasons);
	free(j->observed);
	free(j->expected);
}
