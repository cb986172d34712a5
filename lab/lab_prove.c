/*
 * lab_prove.c -- prove what a caller expects of the lab's world before any
 * client runs.  One libunbound context (forwarding to the lab Unbound,
 * validating itself with the lab trust anchor) resolves every probe at
 * once; each answer is classified into one status, and a second observer,
 * the lab resolver's own AD bit, must agree.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ldns/ldns.h>
#include <unbound.h>

#include "lab/addr.h"
#include "lab/lab.h"
#include "lab/lab_internal.h"
#include "util/buf.h"
#include "util/clock.h"

static const char *const status_names[DL_LAB_STATUS_COUNT] = {
	[DL_LAB_SECURE] = "secure", [DL_LAB_INSECURE] = "insecure",
	[DL_LAB_NODATA_SECURE] = "nodata-secure", [DL_LAB_NODATA_INSECURE] = "nodata-insecure",
	[DL_LAB_NXDOMAIN_SECURE] = "nxdomain-secure",
	[DL_LAB_NXDOMAIN_INSECURE] = "nxdomain-insecure", [DL_LAB_BOGUS] = "bogus",
	[DL_LAB_SERVFAIL] = "servfail", [DL_LAB_TIMEOUT] = "timeout",
	[DL_LAB_UNRESOLVABLE] = "unresolvable",
};

const char *
dl_lab_status_name(enum dl_lab_status s)
{
	return (unsigned)s < DL_LAB_STATUS_COUNT ? status_names[s] : "?";
}

int
dl_lab_status_parse(const char *s, enum dl_lab_status *out)
{
	for (int i = 0; i < DL_LAB_STATUS_COUNT; i++)
		if (strcmp(s, status_names[i]) == 0) {
			*out = (enum dl_lab_status)i;
			return 0;
		}
	return -1;
}

static enum dl_lab_status
classify(const struct ub_result *r)
{
	if (r->bogus)
		return DL_LAB_BOGUS;
	if (r->rcode == 2 /* SERVFAIL */ || (r->rcode != 0 && r->rcode != 3))
		return DL_LAB_SERVFAIL;
	if (r->secure)
		return r->nxdomain ? DL_LAB_NXDOMAIN_SECURE : r->havedata ? DL_LAB_SECURE :
		    DL_LAB_NODATA_SECURE;
	return r->nxdomain ? DL_LAB_NXDOMAIN_INSECURE : r->havedata ? DL_LAB_INSECURE :
	    DL_LAB_NODATA_INSECURE;
}

struct probe_slot {
	struct dl_lab_probe *p;
	bool done;
};

static void
on_answer(void *arg, int err, struct ub_result *r)
{
	struct probe_slot *s = arg;

	s->done = true;
	if (err != 0) {
		s->p->got = DL_LAB_SERVFAIL;
		snprintf(s->p->why, sizeof(s->p->why), "%s", ub_strerror(err));
	} else {
		s->p->got = classify(r);
		if (r->bogus && r->why_bogus)
			snprintf(s->p->why, sizeof(s->p->why), "%s", r->why_bogus);
	}
	ub_resolve_free(r);
}

/* Does the lab resolver's own AD bit agree with an answered probe? */
static void
cross_check(struct dl_lab_probe *p)
{
	bool secure = p->got == DL_LAB_SECURE || p->got == DL_LAB_NODATA_SECURE ||
	    p->got == DL_LAB_NXDOMAIN_SECURE;
	bool insecure = p->got == DL_LAB_INSECURE || p->got == DL_LAB_NODATA_INSECURE ||
	    p->got == DL_LAB_NXDOMAIN_INSECURE;
	bool ad = false, answered = false;

	if (!p->ok || (!secure && !insecure))
		return;
	lab_ad_bit(p->qname, ldns_get_rr_type_by_name(p->qtype), &ad, &answered);
	if (!answered || ad != secure) {
		p->ok = false;
		snprintf(p->why, sizeof(p->why), "plain query to the lab resolver: %s",
		    !answered ? "no answer" : ad ? "AD set" : "AD not set");
	}
}

int
dl_lab_prove(struct dl_lab *lab, struct dl_lab_probe *probes, size_t n, struct dl_err *err)
{
	struct ub_ctx *ctx = ub_ctx_create();
	struct probe_slot *slots = dl_xcalloc(n + 1, sizeof(*slots));
	int rc = 0;

	int ub = ctx == NULL ? -1 : ub_ctx_set_fwd(ctx, DL_LAB_RESOLVER);
	if (ub == 0)
		ub = ub_ctx_add_ta_file(ctx, dl_lab_trust_anchor(lab));
	if (ub == 0)
		ub = ub_ctx_set_option(ctx, "do-not-query-localhost:", "no");
	/* Async mode must be chosen before the context is finalized, and
	 * removing the built-in test. local zone finalizes it. */
	if (ub == 0)
		ub = ub_ctx_async(ctx, 1);
	if (ub == 0)
		ub = ub_ctx_zone_remove(ctx, "test.");
	if (ub != 0) {
		rc = dl_errf(err, "cannot set up libunbound for the fixture probes: %s",
		    ub < 0 ? ub_strerror(ub) : "no context");
		goto out;
	}
	for (size_t k = 0; k < n; k++) {
		struct dl_lab_probe *p = &probes[k];
		int type = ldns_get_rr_type_by_name(p->qtype);
		slots[k].p = p;
		p->got = DL_LAB_TIMEOUT;
		p->ok = false;
		p->why[0] = '\0';
		if (type == 0 || ub_resolve_async(ctx, p->qname, type, 1, &slots[k],
		    on_answer, NULL) != 0) {
			p->got = DL_LAB_UNRESOLVABLE;
			slots[k].done = true;
			snprintf(p->why, sizeof(p->why), "bad probe");
		}
	}
	/*
	 * No budget for the whole proof: on a loaded machine a thousand probes
	 * take what they take, and a proof cut short would blame the lab for
	 * the machine's load.  Only silence ends it: the lab resolver gives up
	 * on a silent server in about 1.5 s (docs/lab.md), so 15 s without a
	 * single answer means it is not answering at all.
	 */
	size_t pending = n + 1;
	int64_t stalled_at = dl_now_ms() + 15000;
	for (;;) {
		size_t left = 0;
		for (size_t s = 0; s < n; s++)
			left += !slots[s].done;
		if (left < pending)
			stalled_at = dl_now_ms() + 15000;
		pending = left;
		if (pending == 0 || dl_now_ms() >= stalled_at)
			break;
		struct pollfd pfd = { ub_fd(ctx), POLLIN, 0 };
		if (poll(&pfd, 1, 100) > 0)
			ub_process(ctx);
	}
	/* Pending callbacks would touch the slots: delete the context first. */
	ub_ctx_delete(ctx);
	ctx = NULL;
	for (size_t k = 0; k < n; k++) {
		probes[k].ok = probes[k].got == probes[k].want;
		cross_check(&probes[k]);
	}
out:
	if (ctx)
		ub_ctx_delete(ctx);
	free(slots);
	return rc;
}
