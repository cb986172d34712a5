/*
 * evidence.c -- see evidence.h.
 */
#include "runner/evidence.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runner/adapter.h"
#include "runner/evidence_probe.h"
#include "runner/probe.h"
#include "runner/judge.h"
#include "util/json.h"

static char *
lower_nodot(const char *s)
{
	char *r = dl_xstrdup(s);
	size_t n = strlen(r);

	for (size_t i = 0; i < n; i++)
		if (r[i] >= 'A' && r[i] <= 'Z')
			r[i] = (char)(r[i] - 'A' + 'a');
	if (n > 1 && r[n - 1] == '.')
		r[n - 1] = '\0';
	return r;
}

/* Does name (no trailing dot) sit at or below apex ("x.test.")? */
static bool
under_apex(const char *name, const char *apex_dot)
{
	size_t la = strlen(apex_dot) - 1, ln = strlen(name);

	if (ln < la || strncasecmp(name + ln - la, apex_dot, la) != 0)
		return false;
	return ln == la || name[ln - la - 1] == '.';
}

/*
 * Is name a persona's IPv4 address written as a DNS name, or below one
 * ("_25._tcp.127.16.0.1")?  An MX exchange wrongly written as an address
 * (RFC 7672 2.2) leads a naive client there, outside the case apex.
 */
static bool
under_case_address(const char *name, const struct dl_case_world *w)
{
	size_t ln = strlen(name);

	for (size_t h = 0; w->addr4 && h < w->c->n_hosts; h++) {
		size_t la = w->addr4[h] ? strlen(w->addr4[h]) : 0;
		if (la == 0 || ln < la || strcmp(name + ln - la, w->addr4[h]) != 0)
			continue;
		if (ln == la || name[ln - la - 1] == '.')
			return true;
	}
	return false;
}

static bool
list_has_word(const struct dl_jv *arr, const char *word)
{
	size_t wl = strlen(word);

	for (size_t i = 0; arr && arr->type == DL_JV_ARRAY && i < arr->n; i++) {
		const struct dl_jv *s = arr->items[i];
		if (s->type == DL_JV_STRING && strncasecmp(s->str, word, wl) == 0 &&
		    (s->str[wl] == '\0' || s->str[wl] == ' '))
			return true;
	}
	return false;
}

/* One evidence object -> one connection of host h. */
static void
conn_from_json(const struct dl_jv *v, int h, bool backend, struct dl_conn *cn)
{
	const struct dl_jv *st = dl_jv_get(v, "starttls");
	const struct dl_jv *txns = dl_jv_get(v, "transactions");
	const char *sni;

	memset(cn, 0, sizeof(*cn));
	cn->host = h;
	cn->backend = backend;
	cn->starttls_requested = dl_jv_bool(st, "requested", false);
	cn->tls = strcmp(dl_jv_str(st, "handshake", ""), "ok") == 0;
	sni = dl_jv_str(st, "sni", NULL);
	cn->sni_present = sni != NULL;
	cn->sni = sni ? lower_nodot(sni) : NULL;
	cn->ehlo_after_tls = dl_jv_bool(st, "ehlo_after_tls", false);
	cn->second_starttls = dl_jv_bool(st, "second_starttls", false);
	const struct dl_jv *pl = dl_jv_get(st, "pipelined");
	cn->pipelined_after_starttls = pl && pl->type == DL_JV_ARRAY && pl->n > 0;
	for (size_t i = 0; txns && txns->type == DL_JV_ARRAY && i < txns->n; i++) {
		const struct dl_jv *t = txns->items[i];
		const struct dl_jv *to = dl_jv_get(t, "rcpt_to");
		bool acc = dl_jv_bool(t, "accepted", false);
		/* Which recipients this connection carried: the judge's facts
		 * about one recipient of several (and about shared connections). */
		for (size_t k = 0; to && to->type == DL_JV_ARRAY && k < to->n; k++) {
			if (to->items[k]->type != DL_JV_STRING)
				continue;
			char *a = lower_nodot(to->items[k]->str);
			cn->rcpts = dl_xrealloc(cn->rcpts, (cn->n_rcpts + 1) * sizeof(char *));
			cn->rcpts[cn->n_rcpts++] = a;
			if (acc) {
				cn->accepted_rcpts = dl_xrealloc(cn->accepted_rcpts,
				    (cn->n_accepted_rcpts + 1) * sizeof(char *));
				cn->accepted_rcpts[cn->n_accepted_rcpts++] = dl_xstrdup(a);
			}
		}
		if (dl_jv_str(t, "mail_from", NULL) == NULL)
			continue;
		cn->mail_from = true;
		if (!dl_jv_bool(t, "tls", false))
			cn->mail_in_clear = true;
	}
	if (dl_jv_str(v, "mail_from", NULL) != NULL)
		cn->mail_from = true;
	cn->data_accepted = dl_jv_bool(v, "data_accepted", false);
	cn->quit = list_has_word(dl_jv_get(v, "commands_plain"), "QUIT") ||
	    list_has_word(dl_jv_get(v, "commands_tls"), "QUIT");
	cn->end = dl_xstrdup(dl_jv_str(v, "end", "?"));
	cn->summary = dl_xasprintf("%s%s%s%s%s%s, end=%s",
	    cn->starttls_requested ? "STARTTLS" : "no STARTTLS",
	    cn->starttls_requested ? (cn->tls ? " ok" : " failed") : "",
	    cn->tls && cn->sni ? ", sni=" : "", cn->tls && cn->sni ? cn->sni : "",
	    cn->mail_from ? (cn->mail_in_clear ? ", MAIL in cleartext" : ", MAIL in TLS") : ", no MAIL",
	    cn->data_accepted ? ", message accepted" : "", cn->end);
}

int
dl_evidence_personas(const struct dl_case_world *w, const char *lines,
    struct dl_observed *o, struct dl_buf *mine)
{
	const struct dl_case *c = w->c;
	size_t idlen = strlen(c->id);
	int bad = 0;

	for (const char *p = lines; p && *p;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char err[64];
		struct dl_jv *v = len ? dl_jv_parse(p, len, err, sizeof(err)) : NULL;
		const char *name = v ? dl_jv_str(v, "persona", "") : "";

		if (len && v == NULL)
			bad++;
		/* Persona names are "<case>/<host>" or "<case>/<host>/backend". */
		if (strncmp(name, c->id, idlen) == 0 && name[idlen] == '/') {
			char *label = dl_xstrdup(name + idlen + 1);
			char *slash = strchr(label, '/');
			bool backend = slash && strcmp(slash, "/backend") == 0;
			if (slash)
				*slash = '\0';
			int h = dl_case_host_index(c, label);
			if (h >= 0) {
				o->conns = dl_xrealloc(o->conns, (o->n_conns + 1) * sizeof(*o->conns));
				conn_from_json(v, h, backend, &o->conns[o->n_conns++]);
				dl_buf_add(mine, p, len);
				dl_buf_addc(mine, '\n');
			}
			free(label);
		}
		dl_jv_free(v);
		p = eol ? eol + 1 : NULL;
	}
	return bad ? -1 : 0;
}

/*
 * Unbound's SERVFAIL reasons (log-servfail) that say a name server did not
 * answer in time or was given up for it.  Not answers that failed validation
 * or came back REFUSED, and not NS names that do not resolve: cases build
 * those (lame delegations, broken chains) on purpose.
 */
static const char *const unreachable_reasons[] = {
	"upstream server timeout", "no server to query", "nameserver addresses not usable",
	NULL,
};

/*
 * Did the zone named after "at zone " in reason belong to the case and was
 * it declared served by the fault proxy or by nobody?  Then failing to reach
 * its server is the world the case asked for.  A reason that names no zone
 * is given the benefit of the doubt when the case declared any such zone.
 */
static bool
declared_unreachable(const struct dl_case_world *w, const char *reason)
{
	const char *z = strstr(reason, " at zone ");
	char zone[512];
	bool any = false;

	for (size_t i = 0; i < w->n_zones; i++)
		any |= w->zones[i].served_by != DL_SERVED_LAB;
	if (z == NULL || sscanf(z + 9, "%511s", zone) != 1)
		return any;
	for (size_t i = 0; i < w->n_zones; i++)
		if (w->zones[i].served_by != DL_SERVED_LAB &&
		    strcasecmp(w->zones[i].origin, zone) == 0)
			return true;
	return false;
}

/*
 * "... error: SERVFAIL <NAME TYPE CLASS>: why" for a name of this case.  A
 * lab name server the case did not declare faulty that the resolver could
 * not reach is the lab's failure (design: never the client's): the first
 * such line becomes o->lab_fault.
 */
static bool
resolver_servfail(const struct dl_case_world *w, const char *line, struct dl_observed *o)
{
	const char *sf = strstr(line, " error: SERVFAIL <");
	char name[512];

	if (sf == NULL || sscanf(sf + 18, "%511s", name) != 1)
		return false;
	char *n = lower_nodot(name);
	bool mine = under_apex(n, w->apex);
	free(n);
	if (!mine)
		return false;
	const char *why = strstr(sf, ">: ");
	bool unreachable = false;
	for (size_t i = 0; why && unreachable_reasons[i]; i++)
		unreachable |= strstr(why, unreachable_reasons[i]) != NULL;
	if (unreachable && o->lab_fault == NULL && !declared_unreachable(w, why))
		o->lab_fault = dl_xstrdup(sf + 1);
	return true;
}

void
dl_evidence_resolver(const struct dl_case_world *w, const char *log,
    struct dl_observed *o, struct dl_buf *mine)
{
	for (const char *p = log; p && *p;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char *line = dl_xstrndup(p, len);
		if (resolver_servfail(w, line, o)) {
			dl_buf_printf(mine, "%s\n", line);
			free(line);
			p = eol ? eol + 1 : NULL;
			continue;
		}
		/* Unbound's log-queries: "... info: ADDR NAME TYPE CLASS" (exactly
		 * four words; log-replies lines carry more and are skipped). */
		const char *info = strstr(line, " info: ");
		char a[64], name[512], type[32], cls[16], extra[8];
		if (info && sscanf(info + 7, "%63s %511s %31s %15s %7s", a, name, type,
		    cls, extra) == 4 && strcmp(cls, "IN") == 0) {
			char *n = lower_nodot(name);
			if (under_apex(n, w->apex) || under_case_address(n, w)) {
				o->queries = dl_xrealloc(o->queries,
				    (o->n_queries + 1) * sizeof(*o->queries));
				o->queries[o->n_queries].name = n;
				o->queries[o->n_queries++].type = dl_xstrdup(type);
				dl_buf_printf(mine, "%s\n", line);
				n = NULL;
			}
			free(n);
		}
		free(line);
		p = eol ? eol + 1 : NULL;
	}
}

/* Which host label did the client name?  Addresses are unique per host. */
static int
address_host(const struct dl_case_world *w, const char *address)
{
	int found = -1;

	for (size_t h = 0; address && w->c && h < w->c->n_hosts; h++) {
		const char *a = address;
		size_t al = strlen(a);
		/* "[::1]" and "addr:port" forms are tolerated. */
		if (a[0] == '[') {
			a++;
			al = strcspn(a, "]");
		}
		if ((strlen(w->addr4[h]) == al && strncmp(a, w->addr4[h], al) == 0) ||
		    (strlen(w->addr6[h]) == al && strncasecmp(a, w->addr6[h], al) == 0) ||
		    (strncmp(a, w->addr4[h], strlen(w->addr4[h])) == 0 &&
		    a[strlen(w->addr4[h])] == ':'))
			found = (int)h;
	}
	return found;
}

/* "recipients": [{rcpt, disposition, host, address, security, reason}]. */
static void
rcpt_reports(const struct dl_jv *v, struct dl_adapter_report *r)
{
	const struct dl_jv *arr = dl_jv_get(v, "recipients");

	dl_rcpt_reports_free(r);
	for (size_t i = 0; arr && arr->type == DL_JV_ARRAY && i < arr->n &&
	    i < DL_CASE_MAX_RCPTS * 2; i++) {
		const struct dl_jv *e = arr->items[i];
		struct dl_rcpt_report rr = { 0 };
		if (dl_obs_disposition_parse(dl_jv_str(e, "disposition", ""), &rr.disposition) < 0 ||
		    dl_jv_str(e, "rcpt", NULL) == NULL)
			continue;
		dl_obs_security_parse(dl_jv_str(e, "security", ""), &rr.security);
		rr.rcpt = dl_xstrdup(dl_jv_str(e, "rcpt", ""));
		rr.host = dl_xstrdup(dl_jv_str(e, "host", ""));
		rr.address = dl_xstrdup(dl_jv_str(e, "address", ""));
		rr.reason = dl_xstrdup(dl_jv_str(e, "reason", ""));
		rr.host_index = -1;
		r->rcpts = dl_xrealloc(r->rcpts, (r->n_rcpts + 1) * sizeof(*r->rcpts));
		r->rcpts[r->n_rcpts++] = rr;
	}
}

void
dl_evidence_adapter(const struct dl_case_world *w, const char *out, int exit_code,
    struct dl_observed *o)
{
	struct dl_adapter_report *r = &o->adapter;

	r->exit_code = exit_code;
	o->adapter_host = -1;
	if (exit_code == DL_ADAPTER_EXIT_UNSUPPORTED) {
		r->valid = true;
		r->disposition = DL_DISP_UNSUPPORTED;
		return;
	}
	for (const char *p = out; p && *p;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char err[64];
		struct dl_jv *v = len && p[0] == '{' ? dl_jv_parse(p, len, err, sizeof(err)) : NULL;
		enum dl_obs_disposition d;
		struct dl_probe *probe = NULL;
		char why[160];
		/* A probe's line (ADAPTERS.md, "Probes"): per-host decisions; a
		   malformed one counts as no result line. */
		if (v && dl_jv_get(v, "probe") &&
		    dl_evidence_probe(w, v, &probe, why, sizeof(why)) == 0) {
			dl_probe_free(o->probe);
			free(o->probe);
			o->probe = probe;
			free(r->reason);
			free(r->error);
			free(r->raw);
			r->valid = true;
			r->disposition = DL_DISP_NONE;
			r->reason = dl_xstrdup(dl_jv_str(v, "reason", ""));
			r->error = dl_jv_str(v, "error", NULL) ?
			    dl_xstrdup(dl_jv_str(v, "error", NULL)) : NULL;
			r->raw = dl_xstrndup(p, len);
		} else if (v && dl_obs_disposition_parse(dl_jv_str(v, "disposition", ""), &d) == 0) {
			free(r->host);
			free(r->address);
			free(r->reason);
			free(r->error);
			free(r->raw);
			r->valid = true;
			r->disposition = d;
			r->security = DL_SEC_UNKNOWN;
			dl_obs_security_parse(dl_jv_str(v, "security", ""), &r->security);
			r->host = dl_xstrdup(dl_jv_str(v, "host", ""));
			r->address = dl_xstrdup(dl_jv_str(v, "address", ""));
			r->reason = dl_xstrdup(dl_jv_str(v, "reason", ""));
			r->error = dl_jv_str(v, "error", NULL) ?
			    dl_xstrdup(dl_jv_str(v, "error", NULL)) : NULL;
			r->raw = dl_xstrndup(p, len);
			rcpt_reports(v, r);
		}
		dl_jv_free(v);
		p = eol ? eol + 1 : NULL;
	}
	o->adapter_host = address_host(w, r->address);
	for (size_t i = 0; i < r->n_rcpts; i++)
		r->rcpts[i].host_index = address_host(w, r->rcpts[i].address);
}
