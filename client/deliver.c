/*
 * deliver.c -- the RFC 7672 procedure for one message (see deliver.h).
 *
 * Order of work: the MX lookup decides the route (route.c); hosts are
 * ordered by preference; each host is resolved only when its turn comes
 * (addresses first, then TLSA at its base-domain candidates, 7672-2.2.2-a);
 * the host's plan decides how each of its addresses is contacted
 * (smtp.c).  The first delivery ends the work; a permanent SMTP rejection
 * bounces; anything else moves on and finally defers.
 */
#include "client/deliver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

/* What deliver.c keeps per host besides the record (indices, not
 * pointers: the record's arrays grow). */
struct host_work {
	bool resolved;
	struct dl_chain chain;
	int tlsa_idx;                 /* lookup index of the base RRset */
	enum dl_tlsa_check *checks;
	const char *refids[3];
	size_t nrefids;
	bool dane_applies;
	const char *nexthop;
	const char *nexthop_expanded;
	bool via_secure_mx;
};

static void
lookup_into(struct dl_dns *dns, struct dl_host_rec *h, const char *name,
	uint16_t type)
{
	struct dl_lookup *lk = dl_host_add_lookup(h);

	dl_dns_lookup(dns, name, type, lk);
}

static void
host_skip(struct dl_host_rec *h, const char *why, const char *arg)
{
	h->plan = DL_PLAN_SKIP;
	free(h->end);
	h->end = dl_xasprintf("%s%s", why, arg ? arg : "");
}

/* Walk a CNAME chain hop by hop so each link has its own status
 * (7671-7-a).  Returns -1 (host unreachable) on a failed or too long
 * chain, -2 when a link's own lookup failed validation. */
static int
walk_chain(struct dl_dns *dns, struct dl_host_rec *h, struct dl_chain *c)
{
	char target[1025];

	c->name[c->n++] = dl_xstrdup(h->name);
	while (c->n <= DL_CHAIN_MAX) {
		lookup_into(dns, h, c->name[c->n - 1], DL_T_CNAME);
		const struct dl_lookup *lk = &h->lookups[h->nlookups - 1];
		/* 7672-2.1.3-a: an error anywhere in the chain fails it. */
		if (dl_sec_failed(lk->sec))
			return -2;
		if (lk->ans != DL_ANS_RECORDS || lk->n == 0)
			return 0;
		if (dl_wire_name(lk->rr[0].data, lk->rr[0].len, target) == 0)
			return -1;
		if (c->n == DL_CHAIN_MAX + 1)
			return -1;   /* chain too long: a lookup failure */
		c->link[c->n - 1] = lk->sec;
		c->name[c->n++] = dl_xstrdup(target);
	}
	return -1;
}

/* Address lookups: returns -1 if the host is unusable (h->end set). */
static int
resolve_addresses(const struct dl_client_cfg *cfg, struct dl_dns *dns,
	struct dl_host_rec *h, struct host_work *w, enum dl_sec *addr_sec)
{
	size_t first = h->nlookups, naddr = 0;
	const char *canon = NULL;

	*addr_sec = DL_SEC_SECURE;
	for (int i = 0; i < 2 && cfg->families[i]; i++)
		lookup_into(dns, h, h->name, cfg->families[i] == AF_INET6 ?
		    DL_T_AAAA : DL_T_A);
	for (size_t i = first; i < h->nlookups; i++) {
		const struct dl_lookup *lk = &h->lookups[i];
		/* 7672-2.2.2-c, 7672-2.1.2-e: a failed address lookup
		 * makes this host unreachable. */
		if (dl_sec_failed(lk->sec)) {
			host_skip(h, "address lookup failed: ",
			    dl_sec_str(lk->sec));
			return -1;
		}
		if (lk->sec != DL_SEC_SECURE)
			*addr_sec = DL_SEC_INSECURE;
		naddr += lk->n;
		if (canon == NULL)
			canon = lk->canon;
	}
	if (naddr == 0) {
		host_skip(h, "no address records", NULL);
		return -1;
	}
	if (canon) {
		int rc = walk_chain(dns, h, &w->chain);
		/*
		 * A name under a DNAME: Unbound may answer the explicit CNAME
		 * query bogus ("DS got DNAME answer") while the address answer,
		 * which carries the same DNAME and synthesized CNAME, validated
		 * secure.  Every link of a secure answer is secure, and only
		 * the two ends of a chain are TLSA candidates (7671-7-a), so
		 * the address answer's own expansion stands in for the walk.
		 */
		if (rc == -2 && *addr_sec == DL_SEC_SECURE &&
		    w->chain.n < DL_CHAIN_MAX + 1) {
			w->chain.link[w->chain.n - 1] = DL_SEC_SECURE;
			w->chain.name[w->chain.n++] = dl_xstrdup(canon);
			rc = 0;
		}
		if (rc < 0) {
			host_skip(h, "CNAME chain lookup failed", NULL);
			return -1;
		}
	} else {
		w->chain.name[w->chain.n++] = dl_xstrdup(h->name);
	}
	h->chain = dl_xcalloc(w->chain.n, sizeof(char *));
	for (size_t i = 0; i < w->chain.n; i++)
		h->chain[i] = dl_xstrdup(w->chain.name[i]);
	h->nchain = w->chain.n;
	return 0;
}

/* TLSA lookups at the candidates in order (7672-2.2.3). */
static enum dl_tlsa_outcome
resolve_tlsa(const struct dl_client_cfg *cfg, struct dl_dns *dns,
	struct dl_host_rec *h, struct host_work *w, enum dl_sec addr_sec)
{
	const char *cand[2];
	size_t n = dl_tlsa_candidates(&w->chain, addr_sec, &cfg->v, cand);
	bool insecure = false;
	/* 7672-2.2.3-a: the port of the route goes into the TLSA name. */
	int port = dl_violates(&cfg->v, DL_VIOL_TLSA_PORT_25) ? 25 : cfg->port;

	if (n == 0)
		return DL_TLSA_NOT_LOOKED_UP;
	for (size_t i = 0; i < n; i++) {
		char *qname = dl_xasprintf("_%d._tcp.%s", port, cand[i]);
		lookup_into(dns, h, qname, DL_T_TLSA);
		free(qname);
		const struct dl_lookup *lk = &h->lookups[h->nlookups - 1];
		switch (dl_tlsa_judge(lk, &cfg->v)) {
		case DL_STEP_FAIL:
			return DL_TLSA_FAILED;
		case DL_STEP_NEXT_INSECURE:
			insecure = true;
			continue;
		case DL_STEP_NEXT_SECURE:
			continue;
		case DL_STEP_USE:
			break;
		}
		w->tlsa_idx = (int)h->nlookups - 1;
		h->tlsa_base = dl_xstrdup(cand[i]);
		w->checks = dl_xcalloc(lk->n + 1, sizeof(*w->checks));
		enum dl_tlsa_outcome o = dl_tlsa_classify(lk, &cfg->v,
		    &cfg->tlsa_policy, w->checks);
		h->tlsa = dl_xcalloc(lk->n + 1, sizeof(*h->tlsa));
		for (size_t k = 0; k < lk->n; k++) {
			h->tlsa[k].rr = dl_rdata_str(DL_T_TLSA, &lk->rr[k]);
			h->tlsa[k].check = w->checks[k];
		}
		h->ntlsa = lk->n;
		return o;
	}
	return insecure ? DL_TLSA_NONE_INSECURE : DL_TLSA_NONE_SECURE;
}

static void
resolve_host(const struct dl_client_cfg *cfg, struct dl_dns *dns,
	struct dl_host_rec *h, struct host_work *w)
{
	enum dl_sec addr_sec;

	w->resolved = true;
	w->tlsa_idx = -1;
	if (resolve_addresses(cfg, dns, h, w, &addr_sec) < 0)
		return;
	/* 7672-2.1.2-b: securely identified hosts get their TLSA lookups
	 * (unless policy "may" asks for pre-DANE behaviour). */
	if (w->dane_applies && cfg->policy != DL_POLICY_MAY &&
	    !dl_violates(&cfg->v, DL_VIOL_IGNORE_TLSA))
		h->tlsa_outcome = resolve_tlsa(cfg, dns, h, w, addr_sec);
	if (h->tlsa_base != NULL) {
		const char *nh_exp = w->nexthop_expanded;
		if (!w->via_secure_mx)
			nh_exp = w->chain.name[w->chain.n - 1];
		w->nrefids = dl_refids(h->tlsa_base, w->nexthop, nh_exp,
		    w->via_secure_mx, w->refids);
		h->refids = dl_xcalloc(w->nrefids, sizeof(char *));
		for (size_t i = 0; i < w->nrefids; i++)
			h->refids[i] = dl_xstrdup(w->refids[i]);
		h->nrefids = w->nrefids;
	}
	h->plan = dl_plan_for(cfg->policy, w->dane_applies, h->tlsa_outcome,
	    &cfg->v, &h->plan_why);
	if (h->plan == DL_PLAN_SKIP && h->end == NULL)
		h->end = dl_xstrdup(h->plan_why);
}

/* The addresses of a resolved host in lookup (family) order. */
static size_t
host_addrs(const struct dl_host_rec *h, int port,
	struct sockaddr_storage *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < h->nlookups; i++) {
		const struct dl_lookup *lk = &h->lookups[i];
		if (lk->type != DL_T_A && lk->type != DL_T_AAAA)
			continue;
		for (size_t k = 0; k < lk->n && n < max; k++) {
			memset(&out[n], 0, sizeof(out[n]));
			if (lk->type == DL_T_A && lk->rr[k].len == 4) {
				struct sockaddr_in *s4 = (void *)&out[n];
				s4->sin_family = AF_INET;
				s4->sin_port = htons((uint16_t)port);
				memcpy(&s4->sin_addr, lk->rr[k].data, 4);
				n++;
			} else if (lk->type == DL_T_AAAA && lk->rr[k].len == 16) {
				struct sockaddr_in6 *s6 = (void *)&out[n];
				s6->sin6_family = AF_INET6;
				s6->sin6_port = htons((uint16_t)port);
				memcpy(&s6->sin6_addr, lk->rr[k].data, 16);
				n++;
			}
		}
	}
	return n;
}

static void
addr_str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr,
		    buf, (socklen_t)len);
	else
		inet_ntop(AF_INET6,
		    &((const struct sockaddr_in6 *)ss)->sin6_addr, buf,
		    (socklen_t)len);
}

/* The enhanced status code at the start of a reply text ("5.7.1 ..."),
 * or dflt; written to buf. */
static const char *
enhanced_code(const char *text, const char *dflt, char *buf, size_t len)
{
	unsigned a, b, c;
	int n = 0;

	if (text && sscanf(text, "%1u.%3u.%3u%n", &a, &b, &c, &n) == 3 &&
	    (a == 4 || a == 5) && (text[n] == ' ' || text[n] == '\0')) {
		snprintf(buf, len, "%u.%u.%u", a, b, c);
		return buf;
	}
	return dflt;
}

/* A TLS or DANE failure among the connections: defer as 4.7.5. */
static bool
security_failure(const struct dl_result *r)
{
	for (size_t i = 0; i < r->nhosts; i++)
		for (size_t k = 0; k < r->hosts[i].nconns; k++)
			switch (r->hosts[i].conns[k].end) {
			case DL_END_AUTH_FAILED:
			case DL_END_NO_STARTTLS:
			case DL_END_STARTTLS_REJECTED:
			case DL_END_TLS_FAILED:
				return true;
			default:
				break;
			}
	return false;
}

/*
 * Try each address of one host.  Returns 1 when the message is done
 * (delivered or permanently rejected: r is set), 0 to go on.
 */
static int
try_host(const struct dl_client_cfg *cfg, struct dl_result *r, size_t hi,
	struct host_work *w, const struct sockaddr_storage *addrs,
	size_t naddr, size_t *budget)
{
	struct dl_host_rec *h = &r->hosts[hi];
	struct dl_tls_params tp;
	char a[INET6_ADDRSTRLEN];

	memset(&tp, 0, sizeof(tp));
	tp.plan = h->plan;
	tp.sni = h->tlsa_base ? h->tlsa_base : h->name;
	tp.refids = w->refids;
	tp.nrefids = w->nrefids;
	tp.tlsa = w->tlsa_idx >= 0 ? &h->lookups[w->tlsa_idx] : NULL;
	tp.checks = w->checks;
	tp.v = &cfg->v;
	tp.now = cfg->now;
	tp.audit = cfg->audit;
	if (tp.sni && tp.sni[0] == '[')
		tp.sni = NULL;  /* 6066-3-a: never an IP literal in SNI */
	/* 7672-8.1-a: each host's own TLSA base domain, also on fail-over. */
	if (hi > 0 && dl_violates(&cfg->v, DL_VIOL_STALE_SNI))
		tp.stale_sni = r->hosts[0].tlsa_base ? r->hosts[0].tlsa_base :
		    r->hosts[0].name;
	for (size_t i = 0; i < naddr && *budget > 0; i++, (*budget)--) {
		addr_str(&addrs[i], a, sizeof(a));
		struct dl_conn_rec *c = dl_host_add_conn(h, a, cfg->port);
		socklen_t sl = addrs[i].ss_family == AF_INET ?
		    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
		enum dl_conn_end e = dl_smtp_session(&cfg->smtp,
		    (const struct sockaddr *)&addrs[i], sl, &tp, c);
		log_info("smtp", "%s [%s]:%d: %s (%s)", h->name, a, cfg->port,
		    dl_conn_end_str(e), c->detail ? c->detail : "");
		if (e == DL_END_DELIVERED) {
			r->delivered_host = (int)hi;
			r->delivered_conn = (int)h->nconns - 1;
			h->end = dl_xstrdup("delivered");
			dl_result_set(r, DL_DELIVERED, "2.0.0",
			    "delivered to %s [%s]:%d (%s)", h->name, a,
			    cfg->port, dl_security_str(c->security));
			return 1;
		}
		if ((e == DL_END_MAIL_REJECTED || e == DL_END_RCPT_REJECTED ||
		    e == DL_END_DATA_REJECTED) && c->last_code >= 500) {
			h->end = dl_xasprintf("permanent rejection %d",
			    c->last_code);
			char code[16];
			dl_result_set(r, DL_BOUNCED, enhanced_code(c->detail,
			    "5.0.0", code, sizeof(code)),
			    "%s [%s] said %d: %s", h->name, a, c->last_code,
			    c->detail ? c->detail : "");
			return 1;
		}
	}
	if (h->end == NULL)
		h->end = dl_xasprintf("%s", h->nconns ? dl_conn_end_str(
		    h->conns[h->nconns - 1].end) : "no address tried");
	return 0;
}

/* 7672-2.2.1-b/c: preference order stands; the violation lets hosts
 * with usable TLSA jump ahead (all hosts resolved first). */
static void
preempt_order(const struct dl_client_cfg *cfg, struct dl_dns *dns,
	struct dl_result *r, struct host_work *w, size_t *order)
{
	size_t k = 0;

	for (size_t i = 0; i < r->nhosts; i++)
		resolve_host(cfg, dns, &r->hosts[i], &w[i]);
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < r->nhosts; i++)
			if ((r->hosts[i].plan == DL_PLAN_DANE) == (pass == 0))
				order[k++] = i;
}

static void
try_hosts(const struct dl_client_cfg *cfg, struct dl_dns *dns,
	struct dl_result *r, struct host_work *w)
{
	size_t *order = dl_xcalloc(r->nhosts + 1, sizeof(*order));
	size_t budget = DL_MAX_CONNECTIONS;
	struct sockaddr_storage addrs[DL_MAX_CONNECTIONS];

	for (size_t i = 0; i < r->nhosts; i++)
		order[i] = i;
	if (dl_violates(&cfg->v, DL_VIOL_TLSA_PREEMPTS_PREFERENCE))
		preempt_order(cfg, dns, r, w, order);
	for (size_t k = 0; k < r->nhosts; k++) {
		size_t i = order[k];
		struct dl_host_rec *h = &r->hosts[i];
		if (!w[i].resolved)
			resolve_host(cfg, dns, h, &w[i]);
		log_info("dns", "host %s: tlsa %s, plan %s", h->name,
		    dl_tlsa_outcome_str(h->tlsa_outcome), dl_plan_str(h->plan));
		if (h->plan == DL_PLAN_SKIP)
			continue;
		size_t n = host_addrs(h, cfg->port, addrs, DL_MAX_CONNECTIONS);
		if (try_host(cfg, r, i, &w[i], addrs, n, &budget))
			goto out;
	}
	/* Nothing delivered, nothing bounced: keep the message. */
	struct dl_buf why = DL_BUF_INIT;
	for (size_t i = 0; i < r->nhosts; i++)
		dl_buf_printf(&why, "%s%s: %s", i ? "; " : "",
		    r->hosts[i].name, r->hosts[i].end ? r->hosts[i].end :
		    "not tried");
	dl_result_set(r, DL_DEFERRED, security_failure(r) ? "4.7.5" : "4.4.1",
	    "no host took the message (%s)",
	    r->nhosts ? why.data : "no hosts");
	dl_buf_free(&why);
out:
	free(order);
}

static void
literal_route(const struct dl_client_cfg *cfg, struct dl_result *r)
{
	struct dl_host_rec *h;
	struct sockaddr_storage ss;
	struct host_work w;

	memset(&w, 0, sizeof(w));
	w.tlsa_idx = -1;
	memset(&ss, 0, sizeof(ss));
	r->route = "literal";
	h = dl_result_add_host(r, cfg->domain, -1, "literal");
	/* 7672-2.2-x1: DANE does not apply to address literals. */
	if (cfg->policy == DL_POLICY_DANE_ONLY) {
		h->plan_why = "dane-only: DANE does not apply to an address literal";
		host_skip(h, h->plan_why, NULL);
		dl_result_set(r, DL_DEFERRED, "4.7.5", "%s", h->plan_why);
		return;
	}
	h->plan = DL_PLAN_OPPORTUNISTIC;
	h->plan_why = "address literal: pre-DANE opportunistic TLS";
	struct sockaddr_in *s4 = (void *)&ss;
	struct sockaddr_in6 *s6 = (void *)&ss;
	if (inet_pton(AF_INET, cfg->literal, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)cfg->port);
	} else if (inet_pton(AF_INET6, cfg->literal, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)cfg->port);
	}
	size_t budget = DL_MAX_CONNECTIONS;
	if (!try_host(cfg, r, 0, &w, &ss, 1, &budget))
		dl_result_set(r, DL_DEFERRED, "4.4.1", "%s: %s", cfg->domain,
		    h->end);
}

/* The MX lookup and what it decides; returns false when r is final. */
static bool
mx_route(const struct dl_client_cfg *cfg, struct dl_dns *dns,
	struct dl_result *r, struct dl_mx **mx, size_t *nmx, bool *mx_secure)
{
	dl_dns_lookup(dns, cfg->domain, DL_T_MX, &r->mx);
	if (r->mx.canon)
		r->domain_expanded = dl_xstrdup(r->mx.canon);
	if (dl_mx_parse(&r->mx, mx, nmx) < 0)
		log_warn("dns", "%s: malformed MX RDATA", cfg->domain);
	enum dl_route_kind k = dl_route_decide(&r->mx, *mx, *nmx, &cfg->v);
	r->route = dl_route_str(k);
	/* 7672-2.2.1-d/e: only a secure MX RRset (CNAMEs included)
	 * securely identifies the hosts it names. */
	*mx_secure = r->mx.sec == DL_SEC_SECURE ||
	    dl_violates(&cfg->v, DL_VIOL_DANE_FOR_INSECURE_MX);
	switch (k) {
	case DL_ROUTE_DEFER:
		dl_result_set(r, DL_DEFERRED, "4.4.3", "MX lookup for %s: %s%s%s",
		    cfg->domain, dl_sec_str(r->mx.sec),
		    r->mx.why ? ": " : "", r->mx.why ? r->mx.why : "");
		return false;
	case DL_ROUTE_NXDOMAIN:
		dl_result_set(r, DL_BOUNCED, "5.1.2", "domain %s does not exist",
		    cfg->domain);
		return false;
	case DL_ROUTE_NULL_MX:
		dl_result_set(r, DL_BOUNCED, "5.1.10",
		    "domain %s accepts no mail (null MX)", cfg->domain);
		return false;
	default:
		return true;
	}
}

/* Does one of name's addresses equal this host's own address? */
static bool
is_self(struct dl_dns *dns, const char *name, const char *self)
{
	unsigned char a[16];
	bool v6 = inet_pton(AF_INET6, self, a) == 1, found = false;
	struct dl_lookup lk;

	if (!v6 && inet_pton(AF_INET, self, a) != 1)
		return false;
	memset(&lk, 0, sizeof(lk));
	dl_dns_lookup(dns, name, v6 ? DL_T_AAAA : DL_T_A, &lk);
	for (size_t i = 0; i < lk.n && !found; i++)
		found = lk.rr[i].len == (v6 ? 16u : 4u) && memcmp(lk.rr[i].data, a, lk.rr[i].len) == 0;
	dl_lookup_clear(&lk);
	return found;
}

/*
 * 5321-5.1-n: a client that is itself an MX host of the destination keeps
 * only the better MX hosts (never relays "downhill").  Returns how many of
 * the ordered hosts stay.
 */
static size_t
prune_self(const struct dl_client_cfg *cfg, struct dl_dns *dns, const struct dl_mx *mx,
	size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(mx[i].name, ".") != 0 && is_self(dns, mx[i].name, cfg->self_addr)) {
			size_t keep = 0;
			while (keep < n && mx[keep].pref < mx[i].pref)
				keep++;
			log_info("route", "%s (preference %u) is this host: %zu better MX host(s) "
			    "kept", mx[i].name, (unsigned)mx[i].pref, keep);
			return keep;
		}
	return n;
}

/*
 * RFC 7672 1.1 ("delayed delivery"): a message that would be deferred goes
 * to the configured fallback relay instead, under the relay's own DANE
 * policy, as if it were the destination.
 */
static void
fallback_relay(const struct dl_client_cfg *cfg, struct dl_dns *dns, struct dl_result *r)
{
	struct dl_client_cfg fb = *cfg;
	struct dl_result r2;

	fb.relay = cfg->fallback;
	fb.port = cfg->fallback_port;
	fb.fallback = NULL;
	dl_result_init(&r2);
	dl_deliver(&fb, dns, &r2);
	log_info("route", "fallback relay %s:%d: %s", cfg->fallback, cfg->fallback_port,
	    r2.reason ? r2.reason : "?");
	/* The destination's hosts stay on record; the relay's come after. */
	for (size_t i = 0; i < r2.nhosts; i++) {
		r->hosts = dl_xrealloc(r->hosts, (r->nhosts + 1) * sizeof(*r->hosts));
		r->hosts[r->nhosts] = r2.hosts[i];
		r->hosts[r->nhosts].role = "fallback-relay";
		if (r2.delivered_host == (int)i) {
			r->delivered_host = (int)r->nhosts;
			r->delivered_conn = r2.delivered_conn;
		}
		r->nhosts++;
	}
	r2.nhosts = 0;
	free(r2.hosts);
	r2.hosts = NULL;
	if (r2.disposition == DL_DELIVERED)
		dl_result_set(r, DL_DELIVERED, r2.status, "via fallback relay %s: %s",
		    cfg->fallback, r2.reason ? r2.reason : "");
	dl_result_free(&r2);
}

void
dl_deliver(const struct dl_client_cfg *cfg, struct dl_dns *dns,
	struct dl_result *r)
{
	struct dl_mx *mx = NULL;
	size_t nmx = 0;
	bool mx_secure = false;
	struct host_work *w = NULL;
	uint64_t rng = cfg->seed;

	r->domain = dl_xstrdup(cfg->domain);
	r->policy = cfg->policy;
	r->violations = cfg->v;
	if (cfg->literal)
		return literal_route(cfg, r);
	if (cfg->relay) {
		r->route = "relay";
		dl_result_add_host(r, cfg->relay, -1, "relay");
	} else {
		if (!mx_route(cfg, dns, r, &mx, &nmx, &mx_secure))
			goto out;
		if (strcmp(r->route, "mx") == 0) {
			dl_mx_order(mx, nmx, &rng);
			size_t keep = cfg->self_addr ? prune_self(cfg, dns, mx, nmx) : nmx;
			if (keep == 0) {
				/* 5321-5.1-n: this host is the best MX: nowhere to go. */
				dl_result_set(r, DL_BOUNCED, "5.4.6", "%s: this host is its "
				    "best MX (mail loops back to itself)", cfg->domain);
				goto out;
			}
			for (size_t i = 0; i < keep; i++)
				if (strcmp(mx[i].name, ".") != 0)
					dl_result_add_host(r, mx[i].name,
					    mx[i].pref, "mx");
		} else {
			dl_result_add_host(r, cfg->domain, -1, "implicit-mx");
		}
	}
	w = dl_xcalloc(r->nhosts + 1, sizeof(*w));
	for (size_t i = 0; i < r->nhosts; i++) {
		bool is_mx = strcmp(r->hosts[i].role, "mx") == 0;
		w[i].dane_applies = is_mx ? mx_secure : true;
		w[i].via_secure_mx = is_mx && mx_secure;
		w[i].nexthop = is_mx ? cfg->domain : r->hosts[i].name;
		w[i].nexthop_expanded = is_mx ? r->domain_expanded : NULL;
		w[i].tlsa_idx = -1;
	}
	try_hosts(cfg, dns, r, w);
out:
	for (size_t i = 0; w && i < r->nhosts; i++) {
		dl_chain_clear(&w[i].chain);
		free(w[i].checks);
	}
	free(w);
	dl_mx_free(mx, nmx);
	/* Whatever deferred it (hosts, DNS), the fallback relay gets a chance. */
	if (r->disposition == DL_DEFERRED && cfg->fallback)
		fallback_relay(cfg, dns, r);
}
