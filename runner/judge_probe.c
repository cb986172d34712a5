/*
 * judge_probe.c -- see probe.h.  The mapping from the case vocabulary to a
 * probe's per-host decisions is documented in runner/ADAPTERS.md
 * ("Probes"); keep the two in step.
 */
#include "runner/probe.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runner/judge.h"

static const char *const state_names[] = {
	[DL_PROBE_NOT_TRIED] = "not-tried", [DL_PROBE_DANE] = "dane",
	[DL_PROBE_ENCRYPTED] = "encrypted", [DL_PROBE_CLEARTEXT] = "cleartext",
	[DL_PROBE_FAILED] = "failed",
};

const char *
dl_probe_state_name(enum dl_probe_state s)
{
	return s <= DL_PROBE_FAILED ? state_names[s] : "?";
}

int
dl_probe_state_parse(const char *s, enum dl_probe_state *out)
{
	for (int i = DL_PROBE_NOT_TRIED; i <= DL_PROBE_FAILED; i++)
		if (strcmp(s, state_names[i]) == 0) {
			*out = (enum dl_probe_state)i;
			return 0;
		}
	return -1;
}

void
dl_probe_free(struct dl_probe *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n_hosts; i++) {
		free(p->hosts[i].name);
		free(p->hosts[i].address);
		free(p->hosts[i].reason);
	}
	free(p->hosts);
	memset(p, 0, sizeof(*p));
}

static int
usable(enum dl_probe_state s)
{
	return s == DL_PROBE_DANE || s == DL_PROBE_ENCRYPTED || s == DL_PROBE_CLEARTEXT;
}

int
dl_probe_delivery_host(const struct dl_probe *p, const struct dl_probe_host **entry)
{
	for (size_t i = 0; i < p->n_hosts; i++)
		if (usable(p->hosts[i].state)) {
			if (entry)
				*entry = &p->hosts[i];
			return p->hosts[i].host;
		}
	if (entry)
		*entry = NULL;
	return -1;
}

/*
 * Host facts about the probe's own connections (the personas' transcripts
 * answer them as for any client) and facts mapped onto its decisions.
 * What is left -- the SMTP conduct after STARTTLS, QUIT, the alert a
 * client sends when it aborts, log text, the message itself -- is about a
 * delivering client, which a probe is not.
 */
static const char *const transcript_facts[] = {
	"untouched", "contacted", "starttls", "no-starttls", NULL,
};
static const char *const decision_facts[] = {
	"not-via", "refused", "message-accepted", "no-cleartext-mail", NULL,
};

static int
in_list(const char *const *list, const char *w)
{
	for (; *list; list++)
		if (strcmp(*list, w) == 0)
			return 1;
	return 0;
}

/*
 * Does a persona answer after the message has begun (a reply to MAIL, RCPT
 * or DATA, silence there, a reset inside DATA)?  Then where the message
 * ends up depends on the SMTP transaction, which a probe never starts.
 */
static int
message_stage_world(const struct dl_case *c)
{
	static const char *const prefixes[] = {
		"mail-reply=", "rcpt-reply=", "data-reply=", "eod-reply=",
		"silent=mail", "silent=rcpt", "silent=data", "silent=eod",
		"tls-reset-data=", NULL,
	};

	for (size_t h = 0; h < c->n_hosts; h++)
		for (size_t i = 0; i < c->hosts[h].opts.n; i++)
			for (const char *const *p = prefixes; *p; p++)
				if (!strncmp(c->hosts[h].opts.v[i], *p, strlen(*p)))
					return 1;
	return 0;
}

int
dl_probe_answers(const struct dl_case *c, const struct dl_words *a)
{
	const char *w0;

	if (a->n == 0)
		return 0;
	w0 = a->v[0];
	/* "bounced" is about a permanent failure; a probe only knows that no
	   host was usable, which is what "deferred" asks. */
	if (!strcmp(w0, "bounced"))
		return 0;
	if (!strcmp(w0, "delivered") || !strcmp(w0, "deferred"))
		return !message_stage_world(c);
	if (!strcmp(w0, "query") || !strcmp(w0, "no-query") || !strcmp(w0, "query-order"))
		return 1;
	if (!strncmp(w0, "log-", 4) || !strncmp(w0, "no-log-", 7))
		return 0;
	if (a->n != 2)
		return 0;
	if (in_list(decision_facts, a->v[1]))
		return !message_stage_world(c);
	return in_list(transcript_facts, a->v[1]) || strncmp(a->v[1], "sni=", 4) == 0;
}

static int
security_matches(enum dl_probe_state s, const char *want)
{
	if (!strcmp(want, "any"))
		return 1;
	if (!strcmp(want, "tls"))
		return s == DL_PROBE_DANE || s == DL_PROBE_ENCRYPTED;
	if (!strcmp(want, "dane"))
		return s == DL_PROBE_DANE;
	if (!strcmp(want, "encrypted"))
		return s == DL_PROBE_ENCRYPTED;
	return s == DL_PROBE_CLEARTEXT;
}

/* An answerable alternative (dl_probe_answers) against the probe's report. */
/*
 * Can the probe's report say where the message would have gone?  Not when
 * it found no usable host and stopped early (dl_probe.stopped); then only
 * the hosts it tried and found failed are known not to get the message.
 */
static int
decision_known(const struct dl_probe *p, int host)
{
	const struct dl_probe_host *e;

	dl_probe_delivery_host(p, &e);
	if (!p->stopped || e != NULL)
		return 1;
	for (size_t i = 0; host >= 0 && i < p->n_hosts; i++)
		if (p->hosts[i].host == host && p->hosts[i].state == DL_PROBE_FAILED)
			return 1;
	return 0;
}

static int
alt_holds(const struct dl_case *c, const char *apex, const struct dl_observed *o,
    const struct dl_words *a)
{
	const struct dl_probe_host *e;
	int dh = dl_probe_delivery_host(o->probe, &e);
	const char *w0 = a->v[0];

	if (!strcmp(w0, "deferred"))
		return e == NULL;
	if (!strcmp(w0, "delivered"))
		return e != NULL && dh == dl_case_host_index(c, a->v[1]) &&
		    (a->n < 3 || security_matches(e->state, a->v[2]));
	if (a->n == 2 && in_list(decision_facts, a->v[1])) {
		int h = dl_case_host_index(c, w0);
		int here = e != NULL && dh == h;
		if (!strcmp(a->v[1], "not-via"))
			return !here;
		if (!strcmp(a->v[1], "message-accepted"))
			return here;
		if (!strcmp(a->v[1], "no-cleartext-mail"))
			return !(here && e->state == DL_PROBE_CLEARTEXT);
		/* refused: contacted, and not the host it would deliver to */
		struct dl_words contacted = { (char *[]){ (char *)w0, "contacted" }, 2 };
		return !here && dl_judge_alt_holds(c, apex, o, &contacted);
	}
	return dl_judge_alt_holds(c, apex, o, a);
}

static int
stopped_short(const struct dl_probe *p)
{
	const struct dl_probe_host *e;

	dl_probe_delivery_host(p, &e);
	return p->stopped && e == NULL;
}

static int
tried(const struct dl_probe *p, int host)
{
	for (size_t i = 0; i < p->n_hosts; i++)
		if (p->hosts[i].host == host && p->hosts[i].state != DL_PROBE_NOT_TRIED)
			return 1;
	return 0;
}

/* dl_probe_answers, and what this probe's report can decide. */
static int
answerable_here(const struct dl_case *c, const struct dl_probe *p, const struct dl_words *a)
{
	if (!dl_probe_answers(c, a))
		return 0;
	if (!strcmp(a->v[0], "delivered") || !strcmp(a->v[0], "deferred"))
		return decision_known(p, -1);
	if (a->n == 2 && in_list(decision_facts, a->v[1]))
		return decision_known(p, dl_case_host_index(c, a->v[0]));
	/* A host past the one the probe stopped at: what an MTA would have
	   done there (connected, STARTTLS, SNI) is unknown too. */
	if (a->n == 2 && dl_case_host_index(c, a->v[0]) >= 0)
		return !stopped_short(p) || tried(p, dl_case_host_index(c, a->v[0]));
	return 1;
}

static char *
probe_summary(const struct dl_case *c, const struct dl_probe *p)
{
	struct dl_buf b = DL_BUF_INIT;
	const struct dl_probe_host *e;
	int dh = dl_probe_delivery_host(p, &e);

	dl_buf_adds(&b, "probe:");
	for (size_t i = 0; i < p->n_hosts; i++)
		dl_buf_printf(&b, "%s %s %s", i ? "," : "",
		    p->hosts[i].host >= 0 ? c->hosts[p->hosts[i].host].label :
		    p->hosts[i].name, dl_probe_state_name(p->hosts[i].state));
	if (p->n_hosts == 0)
		dl_buf_adds(&b, " no host");
	if (e)
		dl_buf_printf(&b, " (would deliver via %s, %s)",
		    dh >= 0 ? c->hosts[dh].label : e->name, dl_probe_state_name(e->state));
	else if (p->stopped)
		dl_buf_adds(&b, " (stopped at a failed host: the next host unknown)");
	else
		dl_buf_adds(&b, " (no usable host: would not deliver)");
	return dl_buf_take(&b);
}

/* The probe's claims must not contradict the personas and the resolver. */
static int
probe_agrees(const struct dl_case *c, const struct dl_observed *o, struct dl_buf *why)
{
	int ok = 1;

	for (size_t i = 0; i < o->n_conns; i++)
		if (o->conns[i].data_accepted) {
			dl_buf_printf(why, "%s: observers disagree: a probe delivers nothing, "
			    "but server %s accepted a message\n", c->path,
			    c->hosts[o->conns[i].host].label);
			return 0;
		}
	for (size_t i = 0; i < o->probe->n_hosts; i++) {
		const struct dl_probe_host *e = &o->probe->hosts[i];
		size_t n = 0, tls = 0, tlsa = 0;
		if (e->host < 0) {
			if (e->state != DL_PROBE_NOT_TRIED && e->state != DL_PROBE_FAILED) {
				dl_buf_printf(why, "%s: observers disagree: the probe reports %s "
				    "at %s (%s), which is no host of the case\n", c->path,
				    dl_probe_state_name(e->state), e->name ? e->name : "?",
				    e->address ? e->address : "?");
				ok = 0;
			}
			continue;
		}
		for (size_t k = 0; k < o->n_conns; k++)
			if (o->conns[k].host == e->host && !o->conns[k].backend) {
				n++;
				tls += o->conns[k].tls;
			}
		for (size_t k = 0; k < o->n_queries; k++)
			tlsa += strcasecmp(o->queries[k].type, "TLSA") == 0;
		const char *label = c->hosts[e->host].label;
		if ((e->state == DL_PROBE_DANE || e->state == DL_PROBE_ENCRYPTED) && tls == 0) {
			dl_buf_printf(why, "%s: observers disagree: the probe reports %s at %s, "
			    "the server saw no completed TLS handshake\n", c->path,
			    dl_probe_state_name(e->state), label);
			ok = 0;
		}
		if (e->state == DL_PROBE_DANE && tlsa == 0) {
			dl_buf_printf(why, "%s: observers disagree: the probe claims DANE "
			    "authentication at %s but the resolver saw no TLSA query\n",
			    c->path, label);
			ok = 0;
		}
		if (e->state == DL_PROBE_CLEARTEXT && tls > 0) {
			dl_buf_printf(why, "%s: observers disagree: the probe reports cleartext "
			    "at %s, the server completed a TLS handshake\n", c->path, label);
			ok = 0;
		}
		if (e->state == DL_PROBE_NOT_TRIED && n > 0) {
			dl_buf_printf(why, "%s: observers disagree: the probe reports %s not "
			    "tried, the server saw %zu connection(s)\n", c->path, label, n);
			ok = 0;
		}
	}
	if (o->adapter.error && *o->adapter.error) {
		dl_buf_printf(why, "%s: the adapter reports a fault of the lab, not of the "
		    "client: %s\n", c->path, o->adapter.error);
		ok = 0;
	}
	return ok;
}

void
dl_judge_probe(const struct dl_case *c, int round, const char *apex,
    const struct dl_observed *o, struct dl_judgement *j)
{
	struct dl_buf skipped = DL_BUF_INIT;
	size_t graded = 0;

	memset(j, 0, sizeof(*j));
	j->verdict = DL_V_PASS;
	j->observed = probe_summary(c, o->probe);
	for (size_t i = 0; i < c->n_expects; i++) {
		const struct dl_expect *e = &c->expects[i];
		const char *w0 = e->n_alts && e->alts[0].n ? e->alts[0].v[0] : "";
		if (e->round == round && (!strcmp(w0, "delivered") ||
		    !strcmp(w0, "deferred") || !strcmp(w0, "bounced")))
			j->expected = dl_xstrdup(e->text);
	}
	/* A probe has no queue: what happens between deliveries (retries,
	   caches, a message kept) is not something it does. */
	if (c->n_thens > 0) {
		j->verdict = DL_V_UNSUPPORTED;
		dl_buf_printf(&j->reasons, "%s: a probe has no queue and no later "
		    "deliveries (the case has %zu \"then\" line(s)): not graded\n",
		    c->path, c->n_thens);
		return;
	}
	if (dl_judge_lab_fault(c, o, j))
		return;
	if (!probe_agrees(c, o, &j->reasons)) {
		j->verdict = DL_V_ERROR;
		return;
	}
	for (size_t i = 0; i < c->n_expects; i++) {
		const struct dl_expect *e = &c->expects[i];
		int holds = 0;
		size_t answerable = 0;
		if (e->round != round)
			continue;
		/* An alternative that holds settles the line; one the probe cannot
		   answer leaves it ungraded unless another holds. */
		for (size_t k = 0; k < e->n_alts && !holds; k++) {
			if (!answerable_here(c, o->probe, &e->alts[k]))
				continue;
			answerable++;
			holds = alt_holds(c, apex, o, &e->alts[k]);
		}
		if (!holds && answerable < e->n_alts) {
			dl_buf_printf(&skipped, "%s:%d: not graded (a probe cannot answer "
			    "it): %s\n", c->path, e->line, e->text);
			continue;
		}
		graded++;
		if (holds)
			continue;
		dl_buf_printf(&j->reasons, "%s:%d: got %s, want %s [%s]\n", c->path,
		    e->line, j->observed, e->text, dl_level_name(e->level));
		j->verdict = dl_verdict_worst(j->verdict, dl_level_verdict(e->level));
	}
	if (graded == 0) {
		j->verdict = DL_V_UNSUPPORTED;
		dl_buf_printf(&j->reasons, "%s: no expectation of this case is one a "
		    "probe can answer\n", c->path);
	}
	dl_buf_add(&j->reasons, skipped.data ? skipped.data : "", skipped.len);
	dl_buf_free(&skipped);
}
