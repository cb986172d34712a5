/*
 * test_labfault.c -- a lab name server the resolver could not reach is the
 * lab's failure: the resolver's own SERVFAIL reasons are read from its log
 * (runner/evidence.c), and a case that met one is ERROR, never FAIL or PASS
 * (runner/judge.c).  The log lines are Unbound 1.17's, as the lab logs them.
 */
#include <stdlib.h>
#include <string.h>

#include "runner/case.h"
#include "runner/evidence.h"
#include "runner/judge.h"
#include "tests/unit/cu.h"
#include "util/buf.h"

#define TS "Dec 06 04:57:51 unbound[7:0] "

/* A world of two zones: the apex on the lab's NSD, _tcp.mx1 on the proxy. */
static void
world_init(struct dl_case_world *w, struct dl_zone_spec *zones, enum dl_zone_server tcp)
{
	memset(w, 0, sizeof(*w));
	memset(zones, 0, 2 * sizeof(*zones));
	w->apex = "c1.test.";
	zones[0].origin = "c1.test.";
	zones[0].served_by = DL_SERVED_LAB;
	zones[1].origin = "_tcp.mx1.c1.test.";
	zones[1].served_by = tcp;
	w->zones = zones;
	w->n_zones = 2;
}

static char *
lab_fault_of(enum dl_zone_server tcp, const char *log, size_t *n_queries, char **kept)
{
	struct dl_case_world w;
	struct dl_zone_spec zones[2];
	struct dl_observed o = { 0 };
	struct dl_buf mine = DL_BUF_INIT;

	world_init(&w, zones, tcp);
	dl_evidence_resolver(&w, log, &o, &mine);
	char *fault = o.lab_fault ? dl_xstrdup(o.lab_fault) : NULL;
	*n_queries = o.n_queries;
	*kept = mine.data ? dl_buf_take(&mine) : dl_xstrdup("");
	dl_observed_free(&o);
	return fault;
}

static void
test_root_unusable_is_lab_fault(void)
{
	const char *log =
	    TS "info: 127.0.0.1 c1.test. MX IN\n"
	    TS "error: SERVFAIL <c1.test. MX IN>: all servers for this domain failed, "
	    "at zone . no server to query nameserver addresses not usable\n";
	size_t nq;
	char *kept, *f = lab_fault_of(DL_SERVED_LAB, log, &nq, &kept);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(f, "at zone . no server to query"));
	CU_ASSERT_EQUAL(nq, 1);
	/* The resolver's own line is kept in the case's evidence. */
	CU_ASSERT_PTR_NOT_NULL(strstr(kept, "error: SERVFAIL <c1.test. MX IN>"));
	free(f);
	free(kept);
}

static void
test_declared_fault_zone_is_not(void)
{
	const char *log =
	    TS "info: 127.0.0.1 _25._tcp.mx1.c1.test. TLSA IN\n"
	    TS "error: SERVFAIL <_25._tcp.mx1.c1.test. TLSA IN>: all servers for this "
	    "domain failed, at zone _tcp.mx1.c1.test. upstream server timeout\n";
	size_t nq;
	char *kept, *f;

	/* Served by the fault proxy (a drop rule): the world the case asked for. */
	f = lab_fault_of(DL_SERVED_FAULT, log, &nq, &kept);
	CU_ASSERT_PTR_NULL(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(kept, "upstream server timeout"));
	free(f);
	free(kept);
	/* The same zone on the lab's own NSD: nobody asked for that timeout. */
	f = lab_fault_of(DL_SERVED_LAB, log, &nq, &kept);
	CU_ASSERT_PTR_NOT_NULL(f);
	free(f);
	free(kept);
}

static void
test_validation_failure_is_not(void)
{
	/* A bogus answer is a DNSSEC fixture, not an unreachable server. */
	const char *log =
	    TS "error: SERVFAIL <mx1.c1.test. A IN>: validation failure "
	    "<mx1.c1.test. A IN>: signature crypto failed from 127.0.53.1\n"
	    TS "error: SERVFAIL <x.other.test. A IN>: all servers for this domain "
	    "failed, at zone other.test. upstream server timeout\n"
	    /* Nor is a lame delegation, nor a CNAME chain too long: cases
	     * build those on purpose. */
	    TS "error: SERVFAIL <mx1.c1.test. AAAA IN>: all servers for this domain "
	    "failed, at zone c1.test. from 127.0.53.1 got REFUSED\n"
	    TS "error: SERVFAIL <relay.c1.test. A IN>: request has exceeded the maximum "
	    "number restarts (eg. indirections) stop at c12.c1.test.\n";
	size_t nq;
	char *kept, *f = lab_fault_of(DL_SERVED_LAB, log, &nq, &kept);

	CU_ASSERT_PTR_NULL(f);
	/* Another case's line is not this case's evidence. */
	CU_ASSERT_PTR_NULL(strstr(kept, "other.test."));
	CU_ASSERT_EQUAL(nq, 0);
	free(f);
	free(kept);
}

static void
test_judge_lab_fault_is_error(void)
{
	static const char text[] =
	    "id c1\ntitle t\nrequire 7672-2.2-b\nlevel required\n"
	    "cert ee1 key=K1 san=mx1\n"
	    "zone @ secure\n    @ MX 10 mx1\n    mx1 A $ADDR(mx1)\n"
	    "host mx1 smtp chain=ee1\n"
	    "expect delivered mx1 any\n";
	struct dl_diag d = { 0 };
	struct dl_case *c = dl_case_parse_text("cases/c1.case", text, &d);
	struct dl_observed o = { 0 };
	struct dl_judgement j;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	/* The client deferred, which would be a FAIL of this case... */
	o.adapter.valid = true;
	o.adapter.disposition = DL_DISP_DEFERRED;
	o.adapter_host = -1;
	dl_judge(c, 1, "c1.test", &o, &j);
	CU_ASSERT_EQUAL(j.verdict, DL_V_FAIL);
	dl_judgement_free(&j);
	/* ...unless the lab could not answer its lookups. */
	o.lab_fault = dl_xstrdup("SERVFAIL <c1.test. MX IN>: at zone . no server to query");
	dl_judge(c, 1, "c1.test", &o, &j);
	CU_ASSERT_EQUAL(j.verdict, DL_V_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(j.reasons.data, "the lab failed, not the client"));
	CU_ASSERT_PTR_NOT_NULL(strstr(j.reasons.data, "no server to query"));
	dl_judgement_free(&j);
	free(o.lab_fault);
	dl_case_free(c);
	dl_diag_free(&d);
}

static const struct cu_test tests[] = {
	{ "root_unusable_is_lab_fault", test_root_unusable_is_lab_fault },
	{ "declared_fault_zone_is_not", test_declared_fault_zone_is_not },
	{ "validation_failure_is_not", test_validation_failure_is_not },
	{ "judge_lab_fault_is_error", test_judge_lab_fault_is_error },
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	return cu_main(argc, argv, "labfault", tests);
}
