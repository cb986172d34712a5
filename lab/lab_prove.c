/*
 * run_verify.c -- prove every case's fixture through the lab resolver
 * before any client runs.  One libunbound context (forwarding to the lab
 * Unbound, validating itself with the lab trust anchor) resolves all probes
 * of all cases concurrently; each answer is classified into one status.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ldns/ldns.h>
#include <unbound.h>

#include "runner/adapter.h"
#include "runner/run_lab.h"
#include "util/buf.h"

/* One answer, classified; one string per value (case_probes.c uses them). */
static const char *
classify(const struct ub_result *r)
{
	if (r->bogus)
		return "bogus";
	if (r->rcode == 2 /* SERVFAIL */ || (r->rcode != 0 && r->rcode != 3))
		return "servfail";
	if (r->secure)
		return r->nxdomain ? "nxdomain-secure" : r->havedata ? "secure" : "nodata-secure";
	return r->nxdomain ? "nxdomain-insecure" : r->havedata ? "insecure" : "nodata-insecure";
}

struct probe_slot {
	const struct dl_fixture_probe *p;
	size_t owner;        /* case index */
	const char *got;     /* status, or NULL while pending */
	char why[256];
};

static void
on_answer(void *arg, int err, struct ub_result *r)
{
	struct probe_slot *s = arg;

	if (err != 0) {
		s->got = "servfail";
		snprintf(s->why, sizeof(s->why), "%s", ub_strerror(err));
	} else {
		s->got = classify(r);
		if (r->bogus && r->why_bogus)
			snprintf(s->why, sizeof(s->why), "%s", r->why_bogus);
	}
	ub_resolve_free(r);
}

int
run_lab_verify(struct run_lab *lab, struct dl_case_world *const *cases, size_t n_cases,
    struct dl_buf *report, int *bad, struct dl_err *err)
{
	struct ub_ctx *ctx = ub_ctx_create();
	size_t n = 0, k = 0;
	int rc = 0;

	for (size_t i = 0; i < n_cases; i++)
		n += cases[i]->n_probes;
	struct probe_slot *slots = dl_xcalloc(n + 1, sizeof(*slots));
	int ub = ctx == NULL ? -1 : ub_ctx_set_fwd(ctx, "127.0.0.1");
	if (ub == 0)
		ub = ub_ctx_add_ta_file(ctx, run_lab_trust_anchor(lab));
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
	for (size_t i = 0; i < n_cases; i++) {
		for (size_t j = 0; j < cases[i]->n_probes; j++, k++) {
			const struct dl_fixture_probe *p = &cases[i]->probes[j];
			int type = ldns_get_rr_type_by_name(p->qtype);
			slots[k].p = p;
			slots[k].owner = i;
			if (type == 0 || ub_resolve_async(ctx, p->qname, type, 1, &slots[k],
			    on_answer, NULL) != 0) {
				slots[k].got = "unresolvable";
				snprintf(slots[k].why, sizeof(slots[k].why), "bad probe");
			}
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
	long stalled_at = dl_now_ms() + 15000;
	for (;;) {
		size_t left = 0;
		for (size_t s = 0; s < n; s++)
			left += slots[s].got == NULL;
		if (left < pending)
			stalled_at = dl_now_ms() + 15000;
		pending = left;
		if (pending == 0 || dl_now_ms() >= stalled_at)
			break;
		struct pollfd pfd = { ub_fd(ctx), POLLIN, 0 };
		if (poll(&pfd, 1, 100) > 0)
			ub_process(ctx);
	}
	for (size_t s = 0; s < n; s++) {
		struct probe_slot *sl = &slots[s];
		const char *got = sl->got ? sl->got : "timeout";
		bool ok = strcmp(got, sl->p->status) == 0;
		/* A second observer: the lab resolver's own AD bit must agree
		 * with what libunbound concluded for every answered probe. */
		if (ok && (strstr(got, "secure") || strstr(got, "insecure"))) {
			bool ad = false, answered = false;
			run_lab_ad_bit(sl->p->qname, ldns_get_rr_type_by_name(sl->p->qtype),
			    &ad, &answered);
			bool want_ad = strstr(got, "insecure") == NULL;
			if (!answered || ad != want_ad) {
				ok = false;
				snprintf(sl->why, sizeof(sl->why), "plain query to the lab resolver: %s",
				    !answered ? "no answer" : ad ? "AD set" : "AD not set");
			}
		}
		bad[sl->owner] += !ok;
		dl_buf_printf(&report[sl->owner], "%s %s %s: %s%s%s%s%s\n", ok ? "ok  " : "FAIL",
		    sl->p->qname, sl->p->qtype, got, ok ? "" : ", want ", ok ? "" : sl->p->status,
		    sl->why[0] ? " -- " : "", sl->why);
	}
out:
	/* Pending callbacks would touch freed slots: delete the context first. */
	if (ctx)
		ub_ctx_delete(ctx);
	free(slots);
	return rc;
}
