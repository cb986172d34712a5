/*
 * result.c -- the delivery result, its JSON and its human rendering.
 */
#include "client/result.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"

static const char *const disposition_names[DL_DISPOSITION_COUNT] = {
	"delivered", "deferred", "bounced",
};
static const char *const security_names[DL_SECURITY_COUNT] = {
	"dane", "encrypted", "cleartext",
};
static const char *const end_names[DL_END_COUNT] = {
	"delivered", "connect-failed", "io-error", "greeting-rejected",
	"ehlo-rejected", "no-starttls", "starttls-rejected", "tls-failed",
	"auth-failed", "mail-rejected", "rcpt-rejected", "data-rejected",
};

const char *
dl_disposition_str(enum dl_disposition d)
{
	return (unsigned)d < DL_DISPOSITION_COUNT ? disposition_names[d] : "?";
}

const char *
dl_security_str(enum dl_security s)
{
	return (unsigned)s < DL_SECURITY_COUNT ? security_names[s] : "?";
}

const char *
dl_conn_end_str(enum dl_conn_end e)
{
	return (unsigned)e < DL_END_COUNT ? end_names[e] : "?";
}

void
dl_result_init(struct dl_result *r)
{
	memset(r, 0, sizeof(*r));
	r->disposition = DL_DEFERRED;
	r->delivered_host = -1;
	r->delivered_conn = -1;
}

static void
free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
conn_free(struct dl_conn_rec *c)
{
	struct dl_tls_info *t = &c->tls;

	free(c->address);
	free(c->detail);
	for (size_t i = 0; i < c->nreplies; i++) {
		free(c->replies[i].cmd);
		free(c->replies[i].text);
	}
	free(c->replies);
	free(t->sni);
	free(t->version);
	free(t->cipher);
	free_strv(t->chain, t->nchain);
	free(t->matched);
	free(t->peername);
	free(t->verify_error);
	free(t->error);
}

static void
host_free(struct dl_host_rec *h)
{
	free(h->name);
	for (size_t i = 0; i < h->nlookups; i++)
		dl_lookup_clear(&h->lookups[i]);
	free(h->lookups);
	free_strv(h->chain, h->nchain);
	free(h->tlsa_base);
	for (size_t i = 0; i < h->ntlsa; i++)
		free(h->tlsa[i].rr);
	free(h->tlsa);
	free_strv(h->refids, h->nrefids);
	for (size_t i = 0; i < h->nconns; i++)
		conn_free(&h->conns[i]);
	free(h->conns);
	free(h->end);
}

void
dl_result_free(struct dl_result *r)
{
	free(r->reason);
	free(r->status);
	free(r->domain);
	free(r->domain_expanded);
	dl_lookup_clear(&r->mx);
	for (size_t i = 0; i < r->nhosts; i++)
		host_free(&r->hosts[i]);
	free(r->hosts);
	memset(r, 0, sizeof(*r));
}

struct dl_host_rec *
dl_result_add_host(struct dl_result *r, const char *name, int pref,
	const char *role)
{
	struct dl_host_rec *h;

	r->hosts = dl_xrealloc(r->hosts, (r->nhosts + 1) * sizeof(*r->hosts));
	h = &r->hosts[r->nhosts++];
	memset(h, 0, sizeof(*h));
	h->name = dl_xstrdup(name);
	h->pref = pref;
	h->role = role;
	h->tlsa_outcome = DL_TLSA_NOT_LOOKED_UP;
	h->plan = DL_PLAN_SKIP;
	return h;
}

struct dl_lookup *
dl_host_add_lookup(struct dl_host_rec *h)
{
	h->lookups = dl_xrealloc(h->lookups,
	    (h->nlookups + 1) * sizeof(*h->lookups));
	memset(&h->lookups[h->nlookups], 0, sizeof(*h->lookups));
	return &h->lookups[h->nlookups++];
}

struct dl_conn_rec *
dl_host_add_conn(struct dl_host_rec *h, const char *address, int port)
{
	struct dl_conn_rec *c;

	h->conns = dl_xrealloc(h->conns, (h->nconns + 1) * sizeof(*h->conns));
	c = &h->conns[h->nconns++];
	memset(c, 0, sizeof(*c));
	c->address = dl_xstrdup(address);
	c->port = port;
	c->tls.match_depth = -1;
	c->end = DL_END_IO_ERROR;
	c->security = DL_SECURITY_CLEARTEXT;
	return c;
}

void
dl_conn_add_reply(struct dl_conn_rec *c, const char *cmd, int code,
	const char *text)
{
	struct dl_reply *rp;

	c->replies = dl_xrealloc(c->replies,
	    (c->nreplies + 1) * sizeof(*c->replies));
	rp = &c->replies[c->nreplies++];
	rp->cmd = dl_xstrdup(cmd);
	rp->code = code;
	rp->text = dl_xstrdup(text ? text : "");
}

void
dl_result_set(struct dl_result *r, enum dl_disposition d, const char *status,
	const char *fmt, ...)
{
	va_list ap;
	struct dl_buf b = DL_BUF_INIT;

	va_start(ap, fmt);
	dl_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	free(r->reason);
	free(r->status);
	r->reason = dl_buf_take(&b);
	r->status = status ? dl_xstrdup(status) : NULL;
	r->disposition = d;
}

/* ---- JSON ---- */

static void
json_lookup(struct dl_jw *w, const struct dl_lookup *lk)
{
	dl_jw_obj(w);
	dl_jw_kstr(w, "name", lk->name);
	dl_jw_kstr(w, "type", dl_rrtype_str(lk->type));
	dl_jw_kstr(w, "status", dl_sec_str(lk->sec));
	dl_jw_kstr(w, "answer", dl_ans_str(lk->ans));
	if (lk->canon)
		dl_jw_kstr(w, "canonical", lk->canon);
	dl_jw_key(w, "records");
	dl_jw_arr(w);
	for (size_t i = 0; i < lk->n; i++) {
		char *s = dl_rdata_str(lk->type, &lk->rr[i]);
		dl_jw_str(w, s);
		free(s);
	}
	dl_jw_arr_end(w);
	if (lk->why)
		dl_jw_kstr(w, "why", lk->why);
	dl_jw_key(w, "ms");
	dl_jw_double(w, lk->ms);
	dl_jw_obj_end(w);
}

static void
json_tls(struct dl_jw *w, const struct dl_tls_info *t)
{
	dl_jw_key(w, "tls");
	if (!t->attempted) {
		dl_jw_null(w);
		return;
	}
	dl_jw_obj(w);
	dl_jw_kbool(w, "handshake", t->handshake_ok);
	dl_jw_kstr(w, "sni", t->sni);
	dl_jw_kstr(w, "version", t->version);
	dl_jw_kstr(w, "cipher", t->cipher);
	dl_jw_kstrv(w, "chain", t->chain, t->nchain);
	dl_jw_kbool(w, "dane", t->dane);
	dl_jw_kbool(w, "authenticated", t->authenticated);
	dl_jw_kint(w, "match_depth", t->match_depth);
	dl_jw_kstr(w, "matched_tlsa", t->matched);
	dl_jw_kstr(w, "peername", t->peername);
	dl_jw_kstr(w, "verify_error", t->verify_error);
	if (t->audit_warning)
		dl_jw_kstr(w, "warning", "audit: DANE authentication failed, delivered "
		    "unauthenticated (RFC 7672 9.1 audit-only mode)");
	dl_jw_kstr(w, "error", t->error);
	dl_jw_obj_end(w);
}

static void
json_conn(struct dl_jw *w, const struct dl_conn_rec *c)
{
	dl_jw_obj(w);
	dl_jw_kstr(w, "address", c->address);
	dl_jw_kint(w, "port", c->port);
	dl_jw_kbool(w, "starttls_offered", c->starttls_offered);
	dl_jw_kbool(w, "starttls_sent", c->starttls_sent);
	json_tls(w, &c->tls);
	dl_jw_key(w, "smtp");
	dl_jw_arr(w);
	for (size_t i = 0; i < c->nreplies; i++) {
		dl_jw_obj(w);
		dl_jw_kstr(w, "cmd", c->replies[i].cmd);
		dl_jw_kint(w, "code", c->replies[i].code);
		dl_jw_kstr(w, "text", c->replies[i].text);
		dl_jw_obj_end(w);
	}
	dl_jw_arr_end(w);
	dl_jw_kstr(w, "end", dl_conn_end_str(c->end));
	dl_jw_kstr(w, "detail", c->detail);
	dl_jw_kstr(w, "security", dl_security_str(c->security));
	dl_jw_obj_end(w);
}

static void
json_host(struct dl_jw *w, const struct dl_host_rec *h)
{
	dl_jw_obj(w);
	dl_jw_kstr(w, "host", h->name);
	if (h->pref >= 0)
		dl_jw_kint(w, "pref", h->pref);
	dl_jw_kstr(w, "role", h->role);
	dl_jw_key(w, "lookups");
	dl_jw_arr(w);
	for (size_t i = 0; i < h->nlookups; i++)
		json_lookup(w, &h->lookups[i]);
	dl_jw_arr_end(w);
	dl_jw_kstrv(w, "cname_chain", h->chain, h->nchain);
	dl_jw_kstr(w, "tlsa_base", h->tlsa_base);
	dl_jw_kstr(w, "tlsa_outcome", dl_tlsa_outcome_str(h->tlsa_outcome));
	dl_jw_key(w, "tlsa");
	dl_jw_arr(w);
	for (size_t i = 0; i < h->ntlsa; i++) {
		dl_jw_obj(w);
		dl_jw_kstr(w, "rr", h->tlsa[i].rr);
		dl_jw_kbool(w, "usable", h->tlsa[i].check == DL_TLSA_OK);
		dl_jw_kstr(w, "check", dl_tlsa_check_str(h->tlsa[i].check));
		dl_jw_obj_end(w);
	}
	dl_jw_arr_end(w);
	dl_jw_kstrv(w, "reference_ids", h->refids, h->nrefids);
	dl_jw_kstr(w, "plan", dl_plan_str(h->plan));
	dl_jw_kstr(w, "plan_why", h->plan_why);
	dl_jw_key(w, "connections");
	dl_jw_arr(w);
	for (size_t i = 0; i < h->nconns; i++)
		json_conn(w, &h->conns[i]);
	dl_jw_arr_end(w);
	dl_jw_kstr(w, "end", h->end);
	dl_jw_obj_end(w);
}

void
dl_result_json(const struct dl_result *r, struct dl_buf *out)
{
	struct dl_jw w;

	dl_jw_init(&w, out);
	dl_jw_obj(&w);
	dl_jw_kstr(&w, "disposition", dl_disposition_str(r->disposition));
	dl_jw_kstr(&w, "reason", r->reason);
	dl_jw_kstr(&w, "status", r->status);
	if (r->delivered_host >= 0) {
		const struct dl_host_rec *h = &r->hosts[r->delivered_host];
		const struct dl_conn_rec *c = &h->conns[r->delivered_conn];
		dl_jw_kstr(&w, "host", h->name);
		dl_jw_kstr(&w, "address", c->address);
		dl_jw_kint(&w, "port", c->port);
		dl_jw_kstr(&w, "security", dl_security_str(c->security));
	}
	dl_jw_kstr(&w, "domain", r->domain);
	dl_jw_kstr(&w, "domain_expanded", r->domain_expanded);
	dl_jw_kstr(&w, "policy", dl_policy_str(r->policy));
	dl_jw_kstr(&w, "route", r->route);
	dl_jw_key(&w, "mx");
	if (r->mx.done)
		json_lookup(&w, &r->mx);
	else
		dl_jw_null(&w);
	dl_jw_key(&w, "attempts");
	dl_jw_arr(&w);
	for (size_t i = 0; i < r->nhosts; i++)
		json_host(&w, &r->hosts[i]);
	dl_jw_arr_end(&w);
	dl_jw_key(&w, "violations");
	dl_jw_arr(&w);
	for (int v = 0; v < DL_VIOL_COUNT; v++)
		if (dl_violates(&r->violations, (enum dl_violation)v))
			dl_jw_str(&w, dl_violation_info((enum dl_violation)v)->name);
	dl_jw_arr_end(&w);
	dl_jw_obj_end(&w);
}

/* ---- for a person ---- */

static void
print_lookup(FILE *f, const struct dl_lookup *lk)
{
	fprintf(f, "  dns: %s %s: %s, %s%s%s (%.1f ms)\n", lk->name,
	    dl_rrtype_str(lk->type), dl_sec_str(lk->sec), dl_ans_str(lk->ans),
	    lk->canon ? " via CNAME to " : "", lk->canon ? lk->canon : "",
	    lk->ms);
	for (size_t i = 0; i < lk->n; i++) {
		char *s = dl_rdata_str(lk->type, &lk->rr[i]);
		fprintf(f, "       %s\n", s);
		free(s);
	}
	if (lk->why)
		fprintf(f, "       why: %s\n", lk->why);
}

static void
print_conn(FILE *f, const struct dl_conn_rec *c)
{
	const struct dl_tls_info *t = &c->tls;

	fprintf(f, "  connect [%s]:%d\n", c->address, c->port);
	for (size_t i = 0; i < c->nreplies; i++) {
		const char *rt = c->replies[i].text;
		int first = (int)strcspn(rt, "\n");
		fprintf(f, "    %s%s-> %d %.*s\n", c->replies[i].cmd,
		    c->replies[i].cmd[0] ? " " : "", c->replies[i].code, first, rt);
		/* continuation lines (EHLO keywords) indented under it */
		for (rt += first; *rt == '\n'; rt += first) {
			rt++;
			first = (int)strcspn(rt, "\n");
			fprintf(f, "         %.*s\n", first, rt);
		}
	}
	if (t->attempted) {
		fprintf(f, "    tls: %s %s %s, sni %s\n",
		    t->handshake_ok ? "established" : "failed",
		    t->version ? t->version : "-", t->cipher ? t->cipher : "-",
		    t->sni ? t->sni : "(none)");
		for (size_t i = 0; i < t->nchain; i++)
			fprintf(f, "      depth %zu: %s\n", i, t->chain[i]);
		if (t->dane)
			fprintf(f, "    dane: %s, matched %s at depth %d%s%s\n",
			    t->authenticated ? "verified" : "NOT verified",
			    t->matched ? t->matched : "nothing", t->match_depth,
			    t->verify_error ? ", error: " : "",
			    t->verify_error ? t->verify_error : "");
		if (t->error)
			fprintf(f, "    tls error: %s\n", t->error);
	}
	fprintf(f, "    end: %s (%s), security %s\n", dl_conn_end_str(c->end),
	    c->detail ? c->detail : "", dl_security_str(c->security));
}

void
dl_result_print(const struct dl_result *r, FILE *f)
{
	fprintf(f, "destination %s (policy %s, route %s)\n", r->domain,
	    dl_policy_str(r->policy), r->route ? r->route : "-");
	if (r->mx.done)
		print_lookup(f, &r->mx);
	for (size_t i = 0; i < r->nhosts; i++) {
		const struct dl_host_rec *h = &r->hosts[i];
		fprintf(f, "host %s (%s", h->name, h->role);
		if (h->pref >= 0)
			fprintf(f, ", pref %d", h->pref);
		fprintf(f, ")\n");
		for (size_t k = 0; k < h->nlookups; k++)
			print_lookup(f, &h->lookups[k]);
		fprintf(f, "  tlsa: %s%s%s\n", dl_tlsa_outcome_str(h->tlsa_outcome),
		    h->tlsa_base ? " at base domain " : "",
		    h->tlsa_base ? h->tlsa_base : "");
		for (size_t k = 0; k < h->ntlsa; k++)
			fprintf(f, "    %s: %s\n", h->tlsa[k].rr,
			    dl_tlsa_check_str(h->tlsa[k].check));
		fprintf(f, "  plan: %s (%s)\n", dl_plan_str(h->plan),
		    h->plan_why ? h->plan_why : "");
		for (size_t k = 0; k < h->nconns; k++)
			print_conn(f, &h->conns[k]);
		if (h->end)
			fprintf(f, "  host end: %s\n", h->end);
	}
	fprintf(f, "result: %s%s%s: %s\n", dl_disposition_str(r->disposition),
	    r->status ? " " : "", r->status ? r->status : "",
	    r->reason ? r->reason : "");
}
