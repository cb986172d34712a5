/*
 * dns.c -- libunbound lookups with their DNSSEC status (see dns.h).
 */
#include "client/dns.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <unbound.h>

#include "util/buf.h"
#include "util/clock.h"
#include "util/log.h"

struct dl_dns {
	struct ub_ctx *ctx;
	int timeout_ms;
	struct dl_violations v;
};

/* The answer of one async query, handed over by the callback. */
struct pending {
	bool done;
	int err;
	struct ub_result *res;
};

static int
ub_fail(struct dl_err *err, const char *what, int rc)
{
	return dl_errf(err, "libunbound %s: %s", what, ub_strerror(rc));
}

struct dl_dns *
dl_dns_new(const char *resolver, const char *ta_file, int timeout_ms,
	struct dl_err *err)
{
	struct dl_dns *d;
	int rc;

	if (access(ta_file, R_OK) != 0) {
		dl_errf(err, "trust anchor %s: %s", ta_file, strerror(errno));
		return NULL;
	}
	d = dl_xcalloc(1, sizeof(*d));
	d->timeout_ms = timeout_ms;
	d->ctx = ub_ctx_create();
	if (d->ctx == NULL) {
		dl_errf(err, "libunbound: cannot create a context");
		goto fail;
	}
	if ((rc = ub_ctx_set_fwd(d->ctx, resolver)) != 0) {
		ub_fail(err, "resolver address", rc);
		dl_err_prefix(err, "--resolver %s: ", resolver);
		goto fail;
	}
	if ((rc = ub_ctx_add_ta_file(d->ctx, ta_file)) != 0) {
		ub_fail(err, "trust anchor", rc);
		dl_err_prefix(err, "%s: ", ta_file);
		goto fail;
	}
	/* Lab resolvers live on loopback; libunbound refuses them otherwise. */
	(void)ub_ctx_set_option(d->ctx, "do-not-query-localhost:", "no");
	/*
	 * Ask for every name instead of synthesising denials from cached NSEC
	 * records (RFC 8198): each TLSA lookup then reaches the resolver, where
	 * an operator (and danelab's query log) can see that it was made.
	 */
	(void)ub_ctx_set_option(d->ctx, "aggressive-nsec:", "no");
	/*
	 * One message per process needs a few dozen RRsets, not the default
	 * megabytes of cache in many slabs: allocating those dominated the
	 * client's start-up cost (bench/client.sh).
	 */
	static const char *const small[][2] = {
		{ "msg-cache-size:", "256k" }, { "rrset-cache-size:", "256k" },
		{ "key-cache-size:", "256k" }, { "neg-cache-size:", "64k" },
		{ "msg-cache-slabs:", "1" }, { "rrset-cache-slabs:", "1" },
		{ "key-cache-slabs:", "1" }, { "infra-cache-slabs:", "1" },
		{ "infra-cache-numhosts:", "64" },
	};
	for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++)
		(void)ub_ctx_set_option(d->ctx, small[i][0], small[i][1]);
	if ((rc = ub_ctx_async(d->ctx, 1)) != 0) {
		ub_fail(err, "async mode", rc);
		goto fail;
	}
	/*
	 * libunbound serves test. as a built-in empty local zone; the lab
	 * lives there.  This also finalizes the context, which is where a
	 * bad trust anchor file is reported.
	 */
	rc = ub_ctx_zone_remove(d->ctx, "test.");
	if (rc != 0 && rc != UB_NOERROR) {
		ub_fail(err, "setup (trust anchor file readable and valid?)", rc);
		dl_err_prefix(err, "%s: ", ta_file);
		goto fail;
	}
	return d;
fail:
	dl_dns_free(d);
	return NULL;
}

void
dl_dns_free(struct dl_dns *d)
{
	if (d == NULL)
		return;
	if (d->ctx)
		ub_ctx_delete(d->ctx);
	free(d);
}

void
dl_dns_set_violations(struct dl_dns *d, const struct dl_violations *v)
{
	d->v = *v;
}

static void
on_result(void *arg, int err, struct ub_result *res)
{
	struct pending *p = arg;

	p->done = true;
	p->err = err;
	p->res = res;
}

/* Copy a libunbound result into the lookup (status precedence: bogus
 * first, then a failure rcode, then secure/insecure). */
static void
fill(struct dl_lookup *out, const struct ub_result *r,
	const struct dl_violations *v)
{
	/* 6698-4.1-c, 7672-2.1.2-a/c: bogus is a failure, never data. */
	if (r->bogus && !dl_violates(v, DL_VIOL_BOGUS_AS_INSECURE)) {
		out->sec = DL_SEC_BOGUS;
		out->ans = DL_ANS_NONE;
		if (r->why_bogus)
			out->why = dl_xstrdup(r->why_bogus);
		return;
	}
	if (r->rcode != 0 && r->rcode != 3) {
		out->sec = DL_SEC_SERVFAIL;
		out->ans = DL_ANS_NONE;
		out->why = dl_xasprintf("rcode %d", r->rcode);
		return;
	}
	out->sec = r->secure ? DL_SEC_SECURE : DL_SEC_INSECURE;
	if (r->nxdomain)
		out->ans = DL_ANS_NXDOMAIN;
	else if (r->havedata)
		out->ans = DL_ANS_RECORDS;
	else
		out->ans = DL_ANS_NODATA;
	if (r->canonname && !dl_name_eq(r->canonname, out->name)) {
		size_t l = strlen(r->canonname);
		out->canon = dl_xstrndup(r->canonname,
		    l > 1 && r->canonname[l - 1] == '.' ? l - 1 : l);
	}
	for (int i = 0; r->havedata && r->data[i] != NULL; i++)
		dl_lookup_add_rr(out, r->data[i], (size_t)r->len[i]);
}

void
dl_dns_lookup(struct dl_dns *d, const char *name, uint16_t type,
	struct dl_lookup *out)
{
	struct pending p = { false, 0, NULL };
	double t0 = (dl_now_ns() / 1e6);
	int id = 0, rc;

	dl_lookup_set(out, name, type, DL_SEC_SERVFAIL, DL_ANS_NONE);
	rc = ub_resolve_async(d->ctx, name, type, 1, &p, on_result, &id);
	if (rc != 0) {
		out->why = dl_xstrdup(ub_strerror(rc));
		goto out;
	}
	while (!p.done) {
		int left = d->timeout_ms - (int)((dl_now_ns() / 1e6) - t0);
		struct pollfd pfd = { ub_fd(d->ctx), POLLIN, 0 };

		if (left <= 0) {
			ub_cancel(d->ctx, id);
			out->sec = DL_SEC_TIMEOUT;
			out->why = dl_xasprintf("no answer within %d ms",
			    d->timeout_ms);
			goto out;
		}
		int pr = poll(&pfd, 1, left);
		if (pr < 0 && errno != EINTR) {
			out->why = dl_xasprintf("poll: %s", strerror(errno));
			ub_cancel(d->ctx, id);
			goto out;
		}
		if (pr > 0 && (rc = ub_process(d->ctx)) != 0) {
			out->why = dl_xstrdup(ub_strerror(rc));
			ub_cancel(d->ctx, id);
			goto out;
		}
	}
	if (p.err != 0)
		out->why = dl_xstrdup(ub_strerror(p.err));
	else if (p.res != NULL)
		fill(out, p.res, &d->v);
	ub_resolve_free(p.res);
out:
	out->ms = (dl_now_ns() / 1e6) - t0;
	log_debug("dns", "%s %s: %s %s (%.1f ms)", name, dl_rrtype_str(type),
	    dl_sec_str(out->sec), dl_ans_str(out->ans), out->ms);
}
