/*
 * case_probes.c -- a case's DNS fault rules for the fault proxy, and the
 * fixture probes that prove its world before the client runs.
 *
 * Expected statuses follow DNSSEC's chain of trust down the case's zones:
 * below an insecure (or island) zone everything is insecure, below a bogus
 * zone everything is bogus, a zone nobody serves fails.  The lab resolver
 * must agree, or the case is an ERROR of the lab, not a FAIL of the client.
 */
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runner/case_internal.h"
#include "servers/faultdns.h"
#include "util/buf.h"

/* The effective state of a zone for a validator that starts at the root. */
enum chain_state { CHAIN_SECURE, CHAIN_INSECURE, CHAIN_BOGUS, CHAIN_DEAD };

static const enum dl_lab_status chain_status[] = {
	[CHAIN_SECURE] = DL_LAB_SECURE, [CHAIN_INSECURE] = DL_LAB_INSECURE,
	[CHAIN_BOGUS] = DL_LAB_BOGUS, [CHAIN_DEAD] = DL_LAB_SERVFAIL,
};

/* Is zone a's origin a proper ancestor of b's?  (Both absolute.) */
static bool
is_ancestor(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	return lb > la && strcasecmp(b + lb - la, a) == 0 && b[lb - la - 1] == '.';
}

static bool rule_for(const struct dl_case_world *w, const char *qname,
	const char *qtype);

static enum chain_state
zone_state(const struct dl_case_world *w, size_t i)
{
	const struct dl_zone_spec *z = &w->zones[i];
	size_t parent = (size_t)-1;
	enum chain_state up = CHAIN_SECURE;

	/* The nearest enclosing zone of the case; none means "test.", secure. */
	for (size_t k = 0; k < w->n_zones; k++)
		if (k != i && is_ancestor(w->zones[k].origin, z->origin) &&
		    (parent == (size_t)-1 ||
		    strlen(w->zones[k].origin) > strlen(w->zones[parent].origin)))
			parent = k;
	if (parent != (size_t)-1)
		up = zone_state(w, parent);
	if (z->served_by == DL_SERVED_DEAD)
		return CHAIN_DEAD;
	if (up != CHAIN_SECURE)
		return up;
	switch (z->mode) {
	case DL_ZONE_SECURE:
		/* A zone whose DNSKEY the resolver cannot get ("indeterminate" in
		 * RFC 4035's sense) fails validation: Unbound calls it bogus. */
		return rule_for(w, z->origin, "DNSKEY") ? CHAIN_BOGUS : CHAIN_SECURE;
	case DL_ZONE_INSECURE:
	case DL_ZONE_ISLAND: return CHAIN_INSECURE;
	default: return CHAIN_BOGUS;
	}
}

static void
probe_add(struct dl_case_world *w, const char *qname, const char *qtype,
    enum dl_lab_status status, int line)
{
	w->probes = dl_xrealloc(w->probes, (w->n_probes + 1) * sizeof(*w->probes));
	struct dl_fixture_probe *p = &w->probes[w->n_probes++];
	p->qname = dl_xstrdup(qname);
	p->qtype = dl_xstrdup(qtype);
	p->status = status;
	p->line = line;
}

/* What the lab resolver must report for a query the proxy tampers with. */
static enum dl_lab_status
rule_status(enum fdns_action action, enum chain_state zone)
{
	switch (action) {
	case FDNS_NXDOMAIN:
	case FDNS_NODATA:
	case FDNS_FORGE:
		/* Unsigned lies: rejected in a signed zone, believed in an unsigned one. */
		if (zone != CHAIN_INSECURE)
			return zone == CHAIN_SECURE ? DL_LAB_BOGUS : chain_status[zone];
		return action == FDNS_FORGE ? DL_LAB_INSECURE : action == FDNS_NXDOMAIN ?
		    DL_LAB_NXDOMAIN_INSECURE : DL_LAB_NODATA_INSECURE;
	case FDNS_SERVE:
		return chain_status[zone]; /* the zone's own signed data */
	default:
		return DL_LAB_SERVFAIL;
	}
}

/*
 * The fault proxy's own parser judges each rule, so that a rule dl-faultdns
 * would refuse is this case's error at lint, not the whole lab's at run
 * time.  A `serve` rule names a file only the build writes: its type is
 * checked by the zone builder.
 */
static int
rule_accepted(struct cw_ctx *x, int line, const struct dl_buf *rule, bool serve)
{
	struct fdns_rules rules;
	struct dl_err err;

	if (serve)
		return 0;
	if (fdns_rules_parse(rule->data, "rule", NULL, &rules, &err) == 0) {
		fdns_rules_free(&rules);
		return 0;
	}
	const char *msg = err.msg;
	if (strncmp(msg, "rule:", 5) == 0 && strstr(msg, ": "))
		msg = strstr(msg, ": ") + 2;
	dl_diag_add(x->diag, x->c->path, line, "the fault DNS proxy refuses this rule: %s",
	    msg);
	return -1;
}

/* One zone's rule lines (as written) -> "QNAME TYPE ACTION ARGS" lines. */
static int
render_rules(struct cw_ctx *x, const struct dl_case_zone *cz, char *const *rules,
    const int *lines, const int *rounds, int round, size_t n, struct dl_buf *out)
{
	const struct dl_case *c = x->c;
	int rc = 0;

	for (size_t k = 0; k < n; k++) {
		struct dl_words w = { 0 };
		struct dl_buf line = DL_BUF_INIT;
		int ln = lines[k];

		/* $ROUND: a rule of another delivery is checked when that one is. */
		if (rounds && rounds[k] != 0 && rounds[k] != round)
			continue;
		if (cw_resolve(x, rules[k], ln, &line) < 0)
			rc = -1;
		dl_words_split(&w, line.data ? line.data : "");
		enum fdns_action act;
		if (w.n < 3 || fdns_action_parse(w.v[2], &act) < 0) {
			dl_diag_add(x->diag, c->path, ln, "bad fault action \"%s\", expected "
			    "servfail, refused, notimp, formerr, drop, nxdomain, nodata, "
			    "forge RR..., truncate, malformed or serve", w.n >= 3 ? w.v[2] : "");
			rc = -1;
		} else if (!strcmp(w.v[2], "forge") && w.n < 4) {
			dl_diag_add(x->diag, c->path, ln, "forge needs the record(s) to forge");
			rc = -1;
		} else {
			char *origin = cw_abs_dot(cz->name, x->apex);
			char *owner = cw_abs_dot(w.v[0], origin);
			struct dl_buf one = DL_BUF_INIT;
			/* Forged data is given relative to the zone, like records. */
			dl_buf_printf(&one, "%s %s %s", owner, w.v[1], w.v[2]);
			for (size_t a = 3; a < w.n; a++) {
				char *abs = a == 3 ? cw_abs_dot(w.v[a], origin) : NULL;
				dl_buf_printf(&one, " %s", abs ? abs : w.v[a]);
				free(abs);
			}
			dl_buf_addc(&one, '\n');
			/* Lint leaves placeholders empty: then only name and type are judged. */
			struct dl_buf head = DL_BUF_INIT;
			dl_buf_printf(&head, "%s %s servfail\n", owner, w.v[1]);
			bool partial = x->w == NULL && strchr(rules[k], '$') != NULL;
			if (rule_accepted(x, ln, partial ? &head : &one,
			    strcmp(w.v[2], "serve") == 0) < 0)
				rc = -1;
			/* Forged data, like records, stays inside the case's world. */
			const char *forged = strstr(one.data, " forge ");
			const char *why = !partial && forged && !strcmp(w.v[2], "forge") ?
			    cw_rdata_check(forged + 7, origin, x->apex, x->w ? x->w->index : -1) :
			    NULL;
			if (why) {
				dl_diag_add(x->diag, c->path, ln, "forged data with %s, expected "
				    "names and addresses of this case only", why);
				rc = -1;
			}
			dl_buf_free(&head);
			dl_buf_add(out, one.data, one.len);
			dl_buf_free(&one);
			free(owner);
			free(origin);
		}
		dl_words_free(&w);
		dl_buf_free(&line);
	}
	return rc;
}

int
cw_dns_rules(struct cw_ctx *x)
{
	const struct dl_case *c = x->c;
	struct dl_buf scratch = DL_BUF_INIT;
	int rc = 0;

	for (size_t i = 0; i < c->n_zones; i++) {
		const struct dl_case_zone *cz = &c->zones[i];
		rc |= render_rules(x, cz, cz->dnsfaults, cz->dnsfault_lines, cz->dnsfault_rounds,
		    1, cz->n_dnsfaults, x->w ? &x->w->dns_rules : &scratch);
		for (size_t k = 2; k <= c->n_thens + 1; k++)
			rc |= render_rules(x, cz, cz->dnsfaults, cz->dnsfault_lines,
			    cz->dnsfault_rounds, (int)k, cz->n_dnsfaults,
			    x->w ? &x->w->round_rules[k - 2] : &scratch);
		for (size_t k = 0; k < cz->n_dnsfaults; k++)
			if (cz->dnsfault_rounds[k] > (int)c->n_thens + 1) {
				dl_diag_add(x->diag, c->path, cz->dnsfault_lines[k], "rule under "
				    "$ROUND %d, but the case makes %zu deliver%s (one more per "
				    "\"then\")", cz->dnsfault_rounds[k], c->n_thens + 1,
				    c->n_thens ? "ies" : "y");
				rc = -1;
			}
		rc |= render_rules(x, cz, cz->pathfaults, cz->pathfault_lines, NULL, 1,
		    cz->n_pathfaults, x->w ? &x->w->path_rules : &scratch);
		if (cz->n_pathfaults && !(c->send.resolver && !strcmp(c->send.resolver, "untrusted"))) {
			dl_diag_add(x->diag, c->path, cz->pathfault_lines[0], "$PATHFAULT without "
			    "\"send resolver=untrusted\": the client would never see it");
			rc = -1;
		}
	}
	if (x->w)
		x->w->resolver = c->send.resolver && !strcmp(c->send.resolver, "untrusted") ?
		    DL_UNTRUSTED_RESOLVER : DL_LAB_RESOLVER;
	dl_buf_free(&scratch);
	return rc ? -1 : 0;
}

/* Is there a rule of this zone for the given query (or ANY type)? */
static bool
rule_for(const struct dl_case_world *w, const char *qname, const char *qtype)
{
	const char *p = w->dns_rules.data;

	for (; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		char name[256], type[16], action[16];
		if (sscanf(p, "%255s %15s %15s", name, type, action) == 3 &&
		    strcasecmp(name, qname) == 0 &&
		    (strcasecmp(type, qtype) == 0 || strcasecmp(type, "ANY") == 0) &&
		    fdns_action_parse(action, &(enum fdns_action){ 0 }) == 0)
			return true;
	}
	return false;
}

int
cw_probes(struct cw_ctx *x)
{
	const struct dl_case *c = x->c;
	struct dl_case_world *w = x->w;

	for (size_t i = 0; i < w->n_zones; i++) {
		const struct dl_zone_spec *z = &w->zones[i];
		enum chain_state st = zone_state(w, i);
		if (!rule_for(w, z->origin, "SOA"))
			probe_add(w, z->origin, "SOA", chain_status[st], z->src.line);
		for (size_t k = 0; k < z->n_faults && st == CHAIN_SECURE; k++) {
			if (z->faults[k].fault == DL_RRSET_SERVED)
				continue; /* valid data the proxy serves: its rule's probe */
			char *owner = cw_abs_dot(z->faults[k].owner, z->origin);
			char *type = ldns_rr_type2str((ldns_rr_type)z->faults[k].type);
			probe_add(w, owner, type, DL_LAB_BOGUS, z->faults[k].src.line);
			free(type);
			free(owner);
		}
	}
	/* Every rule's effect, judged against the zone that holds the name. */
	for (const char *p = w->dns_rules.data; p && *p;) {
		char name[256], type[16], action[16];
		enum fdns_action act;
		if (sscanf(p, "%255s %15s %15s", name, type, action) == 3 &&
		    strcasecmp(type, "ANY") != 0 && fdns_action_parse(action, &act) == 0) {
			size_t best = (size_t)-1;
			for (size_t i = 0; i < w->n_zones; i++)
				if ((strcasecmp(w->zones[i].origin, name) == 0 ||
				    is_ancestor(w->zones[i].origin, name)) &&
				    (best == (size_t)-1 ||
				    strlen(w->zones[i].origin) > strlen(w->zones[best].origin)))
					best = i;
			enum chain_state st = best == (size_t)-1 ? CHAIN_SECURE : zone_state(w, best);
			probe_add(w, name, type, rule_status(act, st), 0);
		}
		const char *nl = strchr(p, '\n');
		p = nl ? nl + 1 : NULL;
	}
	for (size_t i = 0; i < c->n_checks; i++) {
		char *abs = cw_abs_dot(c->checks[i].name, w->apex);
		probe_add(w, abs, c->checks[i].type, c->checks[i].status, c->checks[i].line);
		free(abs);
	}
	return 0;
}
