/*
 * multi.c -- one message, several recipient domains (see multi.h).
 */
#include "client/multi.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/json.h"

struct group {
	char domain[256];
	char literal[64];
	const char *rcpts[64];
	size_t n;
	struct dl_result r;
};

/* "local@domain" -> domain; "[1.2.3.4]" also fills literal. */
static void
split_domain(const char *rcpt, struct group *g)
{
	const char *at = strrchr(rcpt, '@');
	const char *d = at ? at + 1 : "";
	size_t l = strlen(d);

	snprintf(g->domain, sizeof(g->domain), "%s", d);
	g->literal[0] = '\0';
	if (d[0] == '[' && l > 2 && d[l - 1] == ']') {
		const char *a = d + 1;
		if (strncasecmp(a, "IPv6:", 5) == 0)
			a += 5;
		snprintf(g->literal, sizeof(g->literal), "%.*s", (int)(d + l - 1 - a), a);
	}
}

static void
json_rcpt(struct dl_jw *w, const char *rcpt, const struct dl_result *r)
{
	dl_jw_obj(w);
	dl_jw_kstr(w, "rcpt", rcpt);
	dl_jw_kstr(w, "domain", r->domain);
	dl_jw_kstr(w, "disposition", dl_disposition_str(r->disposition));
	dl_jw_kstr(w, "reason", r->reason);
	if (r->delivered_host >= 0) {
		const struct dl_host_rec *h = &r->hosts[r->delivered_host];
		const struct dl_conn_rec *c = &h->conns[r->delivered_conn];
		dl_jw_kstr(w, "host", h->name);
		dl_jw_kstr(w, "address", c->address);
		dl_jw_kint(w, "port", c->port);
		dl_jw_kstr(w, "security", dl_security_str(c->security));
	}
	dl_jw_obj_end(w);
}

enum dl_disposition
dl_deliver_multi(const struct dl_client_cfg *cfg, struct dl_dns *dns,
    const char *const *rcpts, size_t nrcpts, struct dl_buf *out)
{
	struct group *g = calloc(nrcpts ? nrcpts : 1, sizeof(*g));
	size_t ng = 0;
	bool deferred = false, bounced = false;
	/* The violation's one delivery: every recipient in the first domain's
	 * transaction, decided (routing, DANE) for that domain alone. */
	bool one = cfg->relay != NULL || dl_violates(&cfg->v, DL_VIOL_SHARE_CONNECTION);

	if (g == NULL)
		abort();
	for (size_t i = 0; i < nrcpts && i < 64; i++) {
		struct group tmp = { 0 };
		size_t k;
		split_domain(rcpts[i], &tmp);
		for (k = 0; k < ng; k++)
			if (one || strcasecmp(g[k].domain, tmp.domain) == 0)
				break;
		if (k == ng)
			g[ng++] = tmp;
		g[k].rcpts[g[k].n++] = rcpts[i];
	}
	for (size_t k = 0; k < ng; k++) {
		struct dl_client_cfg c = *cfg;
		c.domain = g[k].domain;
		c.literal = g[k].literal[0] ? g[k].literal : NULL;
		c.smtp.rcpts = g[k].rcpts;
		c.smtp.nrcpts = g[k].n;
		dl_result_init(&g[k].r);
		if (c.literal == NULL && dns == NULL) {
			/* The first recipient was a literal: no resolver was made. */
			g[k].r.disposition = DL_DEFERRED;
			g[k].r.reason = dl_xstrdup("no resolver for a domain recipient after "
			    "an address-literal one");
		} else {
			dl_deliver(&c, dns, &g[k].r);
		}
		deferred |= g[k].r.disposition == DL_DEFERRED;
		bounced |= g[k].r.disposition == DL_BOUNCED;
	}
	enum dl_disposition d = deferred ? DL_DEFERRED : bounced ? DL_BOUNCED : DL_DELIVERED;

	struct dl_jw w;
	dl_jw_init(&w, out);
	dl_jw_obj(&w);
	dl_jw_kstr(&w, "disposition", dl_disposition_str(d));
	dl_jw_kstr(&w, "reason", ng == 1 ? g[0].r.reason : "one delivery per recipient "
	    "domain: see recipients");
	dl_jw_key(&w, "recipients");
	dl_jw_arr(&w);
	for (size_t k = 0; k < ng; k++)
		for (size_t i = 0; i < g[k].n; i++)
			json_rcpt(&w, g[k].rcpts[i], &g[k].r);
	dl_jw_arr_end(&w);
	dl_jw_key(&w, "deliveries");
	dl_jw_arr(&w);
	for (size_t k = 0; k < ng; k++) {
		struct dl_buf one_json = DL_BUF_INIT;
		dl_result_json(&g[k].r, &one_json);
		dl_jw_raw(&w, one_json.data);
		dl_buf_free(&one_json);
		dl_result_free(&g[k].r);
	}
	dl_jw_arr_end(&w);
	dl_jw_obj_end(&w);
	free(g);
	return d;
}
