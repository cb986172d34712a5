/*
 * test_probe.c -- the probe result kind: reading a probe adapter's line
 * (runner/evidence_probe.c) and grading a case from it
 * (runner/judge_probe.c, mapping in runner/ADAPTERS.md "Probes").
 */
#include <stdlib.h>
#include <string.h>

#include "runner/case.h"
#include "runner/case_world.h"
#include "runner/evidence.h"
#include "runner/evidence_probe.h"
#include "runner/judge.h"
#include "runner/probe.h"
#include "tests/unit/cu.h"
#include "util/buf.h"
#include "util/json.h"

static const char *const head =
    "id       t1\n"
    "title    A probe test\n"
    "require  7672-2.2-b\n"
    "level    required\n"
    "cert ee1 key=K1 san=mx1\n"
    "zone @ secure\n"
    "    @             MX    10 mx1\n"
    "    @             MX    20 mx2\n"
    "    mx1           A     $ADDR(mx1)\n"
    "    mx2           A     $ADDR(mx2)\n"
    "    _25._tcp.mx1  TLSA  3 1 1 $TLSA(ee1 1 1)\n"
    "    _25._tcp.mx2  TLSA  3 1 1 $TLSA(ee1 1 1)\n";

static char *addr4[] = { "127.16.0.1", "127.16.0.2" };
static char *addr6[] = { "fdda:9e1a:b000::1", "fdda:9e1a:b000::2" };

static struct dl_case *
probe_case(const char *hosts, const char *tail)
{
	struct dl_diag d = { 0 };
	char *text = dl_xasprintf("%s%s%s", head, hosts ? hosts :
	    "host mx1 smtp chain=ee1\nhost mx2 smtp chain=ee1\n", tail);
	struct dl_case *c = dl_case_parse_text("cases/t1.case", text, &d);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	dl_expect_lint(c, &d);
	CU_ASSERT_PTR_NULL(d.text.data);
	dl_diag_free(&d);
	free(text);
	return c;
}

/* The probe's line, read as the runner reads adapter output. */
static void
probe_says(struct dl_observed *o, const struct dl_case *c, const char *line)
{
	struct dl_case_world w = { 0 };

	w.c = c;
	w.apex = "t1.test.";
	w.addr4 = addr4;
	w.addr6 = addr6;
	dl_evidence_adapter(&w, line, 0, o);
}

/* The persona at host h saw one connection: STARTTLS, handshake, no mail. */
static void
conn_tls(struct dl_observed *o, int h, bool tls)
{
	o->conns = dl_xrealloc(o->conns, (o->n_conns + 1) * sizeof(*o->conns));
	struct dl_conn *cn = &o->conns[o->n_conns++];
	memset(cn, 0, sizeof(*cn));
	cn->host = h;
	cn->starttls_requested = tls;
	cn->tls = tls;
	cn->sni_present = tls;
	cn->sni = tls ? dl_xasprintf("mx%d.t1.test", h + 1) : NULL;
}

static void
tlsa_query(struct dl_observed *o)
{
	o->queries = dl_xrealloc(o->queries, (o->n_queries + 1) * sizeof(*o->queries));
	o->queries[o->n_queries].name = dl_xstrdup("_25._tcp.mx1.t1.test");
	o->queries[o->n_queries++].type = dl_xstrdup("TLSA");
}

static enum dl_verdict
judge(const struct dl_case *c, struct dl_observed *o, char **why)
{
	struct dl_judgement j;

	dl_judge(c, 1, "t1.test", o, &j);
	enum dl_verdict v = j.verdict;
	if (why)
		*why = dl_xstrdup(j.reasons.data ? j.reasons.data : "");
	dl_judgement_free(&j);
	dl_observed_free(o);
	return v;
}

#define MX1_DANE "{\"probe\":[{\"host\":\"mx1.t1.test\",\"address\":\"127.16.0.1\",\"result\":\"dane\"}]}\n"
#define MX1_FAILED_MX2_DANE "{\"probe\":[{\"host\":\"mx1.t1.test\",\"address\":\"127.16.0.1\"," \
    "\"result\":\"failed\",\"reason\":\"no match\"},{\"host\":\"mx2.t1.test\"," \
    "\"address\":\"127.16.0.2\",\"result\":\"dane\"}]}\n"
#define BOTH_FAILED "{\"probe\":[{\"host\":\"mx1.t1.test\",\"address\":\"127.16.0.1\"," \
    "\"result\":\"failed\"},{\"host\":\"mx2.t1.test\",\"address\":\"[fdda:9e1a:b000::2]\"," \
    "\"result\":\"failed\"}]}\n"

static void
test_read_probe_line(void)
{
	struct dl_observed o = { 0 };
	struct dl_case *c = probe_case(NULL, "expect deferred\n");

	probe_says(&o, c, "noise\n" BOTH_FAILED);
	CU_ASSERT_TRUE(o.adapter.valid);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o.probe);
	CU_ASSERT_EQUAL(o.probe->n_hosts, 2);
	CU_ASSERT_EQUAL(o.probe->hosts[0].host, 0);
	CU_ASSERT_EQUAL(o.probe->hosts[1].host, 1); /* by its IPv6 address */
	CU_ASSERT_EQUAL(o.probe->hosts[1].state, DL_PROBE_FAILED);
	dl_observed_free(&o);

	/* An unknown result word: no result line at all (an ERROR). */
	probe_says(&o, c, "{\"probe\":[{\"host\":\"mx1.t1.test\",\"result\":\"ok\"}]}\n");
	CU_ASSERT_FALSE(o.adapter.valid);
	CU_ASSERT_PTR_NULL(o.probe);
	CU_ASSERT_EQUAL(judge(c, &o, NULL), DL_V_ERROR);
	dl_case_free(c);
}

static void
test_judge_probe_delivered(void)
{
	struct dl_observed o = { 0 };
	char *why;
	struct dl_case *c = probe_case(NULL,
	    "expect delivered mx1 dane\nexpect mx1 sni=mx1\nexpect mx2 untouched\n");

	conn_tls(&o, 0, true);
	tlsa_query(&o);
	probe_says(&o, c, MX1_DANE);
	CU_ASSERT_EQUAL(judge(c, &o, NULL), DL_V_PASS);

	/* mx1 failed authentication, the probe went on to mx2: the message
	   would have gone to mx2, and mx2 was touched. */
	conn_tls(&o, 0, true);
	conn_tls(&o, 1, true);
	tlsa_query(&o);
	probe_says(&o, c, MX1_FAILED_MX2_DANE);
	CU_ASSERT_EQUAL(judge(c, &o, &why), DL_V_FAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "cases/t1.case:15: got probe: mx1 failed, mx2 dane "
	    "(would deliver via mx2, dane), want delivered mx1 dane [required]"));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "cases/t1.case:17:"));
	free(why);
	dl_case_free(c);

	/* "encrypted" is not "dane". */
	c = probe_case(NULL, "expect delivered mx1 dane\n");
	conn_tls(&o, 0, true);
	probe_says(&o, c, "{\"probe\":[{\"address\":\"127.16.0.1\",\"result\":\"encrypted\"}]}");
	CU_ASSERT_EQUAL(judge(c, &o, NULL), DL_V_FAIL);
	dl_case_free(c);
}

static void
test_judge_probe_deferred(void)
{
	struct dl_observed o = { 0 };
	char *why;
	struct dl_case *c = probe_case(NULL,
	    "expect deferred\nexpect mx1 not-via\nexpect mx1 refused\n");

	conn_tls(&o, 0, true);
	conn_tls(&o, 1, true);
	probe_says(&o, c, BOTH_FAILED);
	CU_ASSERT_EQUAL(judge(c, &o, NULL), DL_V_PASS);

	conn_tls(&o, 0, true);
	conn_tls(&o, 1, true);
	tlsa_query(&o);
	probe_says(&o, c, MX1_FAILED_MX2_DANE);
	CU_ASSERT_EQUAL(judge(c, &o, &why), DL_V_FAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "want deferred"));
	CU_ASSERT_PTR_NULL(strstr(why, "want mx1 not-via"));
	free(why);
	dl_case_free(c);
}

static void
test_judge_probe_not_graded(void)
{
	struct dl_observed o = { 0 };
	char *why;
	/* tls-alert and log text are about a delivering client: not graded,
	   and said so; the disposition still is. */
	struct dl_case *c = probe_case(NULL,
	    "expect deferred\nexpect mx1 tls-alert\nexpect log-mentions mx1\n");

	conn_tls(&o, 0, true);
	conn_tls(&o, 1, true);
	probe_says(&o, c, BOTH_FAILED);
	CU_ASSERT_EQUAL(judge(c, &o, &why), DL_V_PASS);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "cases/t1.case:16: not graded (a probe cannot "
	    "answer it): mx1 tls-alert"));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "cases/t1.case:17: not graded"));
	free(why);
	dl_case_free(c);

	/* Only "bounced" (a permanent failure): nothing a probe can answer. */
	c = probe_case(NULL, "expect bounced\n");
	probe_says(&o, c, BOTH_FAILED);
	CU_ASSERT_EQUAL(judge(c, &o, NULL), DL_V_UNSUPPORTED);
	dl_case_free(c);

	/* A later delivery: a probe has no queue. */
	c = probe_case(NULL, "expect deferred\nthen retry\nexpect delivered mx1 dane\n");
	probe_says(&o, c, BOTH_FAILED);
	CU_ASSERT_EQUAL(judge(c, &o, NULL), DL_V_UNSUPPORTED);
	dl_case_free(c);

	/* A persona that rejects the message: where it lands is the SMTP
	   transaction's business; host facts about STARTTLS still count. */
	c = probe_case("host mx1 smtp chain=ee1 rcpt-reply=450\nhost mx2 smtp chain=ee1\n",
	    "expect delivered mx2 dane\nexpect mx1 starttls\n");
	conn_tls(&o, 0, false);
	tlsa_query(&o);
	probe_says(&o, c, MX1_DANE);
	CU_ASSERT_EQUAL(judge(c, &o, &why), DL_V_ERROR); /* dane claimed, no TLS seen */
	free(why);
	conn_tls(&o, 0, true);
	tlsa_query(&o);
	probe_says(&o, c, MX1_DANE);
	CU_ASSERT_EQUAL(judge(c, &o, &why), DL_V_PASS);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "not graded (a probe cannot answer it): "
	    "delivered mx2 dane"));
	free(why);
	dl_case_free(c);
}

static void
test_judge_probe_observers(void)
{
	struct dl_observed o = { 0 };
	char *why;
	struct dl_case *c = probe_case(NULL, "expect delivered mx1 dane\n");

	/* DANE claimed without a TLSA query. */
	conn_tls(&o, 0, true);
	probe_says(&o, c, MX1_DANE);
	CU_ASSERT_EQUAL(judge(c, &o, &why), DL_V_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "no TLSA query"));
	free(why);

	/* "not-tried" where the server saw a connection. */
	conn_tls(&o, 0, true);
	conn_tls(&o, 1, false);
	tlsa_query(&o);
	probe_says(&o, c, "{\"probe\":[{\"address\":\"127.16.0.1\",\"result\":\"dane\"},"
	    "{\"address\":\"127.16.0.2\",\"result\":\"not-tried\"}]}");
	CU_ASSERT_EQUAL(judge(c, &o, &why), DL_V_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "mx2 not tried, the server saw 1 connection"));
	free(why);

	/* A message accepted: a probe delivers nothing. */
	conn_tls(&o, 0, true);
	o.conns[0].data_accepted = true;
	tlsa_query(&o);
	probe_says(&o, c, MX1_DANE);
	CU_ASSERT_EQUAL(judge(c, &o, NULL), DL_V_ERROR);
	dl_case_free(c);
}

static void
test_judge_probe_stopped(void)
{
	struct dl_observed o = { 0 };
	char *why;
	/* posttls-finger reports on the first host it connects to: after a
	   failure there, where an MTA would go next is unknown. */
	struct dl_case *c = probe_case(NULL,
	    "expect delivered mx2 dane\nexpect mx1 not-via\nexpect mx2 not-via\n"
	    "expect mx2 contacted\nexpect mx1 starttls\n");
	const char *stopped = "{\"stopped\":true,\"probe\":[{\"host\":\"mx1.t1.test\","
	    "\"result\":\"failed\"}]}";

	conn_tls(&o, 0, true);
	probe_says(&o, c, stopped);
	CU_ASSERT_EQUAL_FATAL(o.probe->hosts[0].host, 0); /* by its name */
	CU_ASSERT_EQUAL(judge(c, &o, &why), DL_V_PASS);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, ":15: not graded"));
	CU_ASSERT_PTR_NULL(strstr(why, ":16: not graded"));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, ":17: not graded"));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, ":18: not graded")); /* mx2 never tried */
	CU_ASSERT_PTR_NULL(strstr(why, ":19: not graded"));    /* mx1 was */
	free(why);
	dl_case_free(c);

	/* The same report without "stopped": mx2 would not get it either. */
	c = probe_case(NULL, "expect delivered mx2 dane\n");
	conn_tls(&o, 0, true);
	probe_says(&o, c, "{\"probe\":[{\"host\":\"mx1.t1.test\",\"result\":\"failed\"}]}");
	CU_ASSERT_EQUAL(judge(c, &o, NULL), DL_V_FAIL);
	dl_case_free(c);
}

static const struct cu_test tests[] = {
	{ "judge_probe_stopped", test_judge_probe_stopped },
	{ "read_probe_line", test_read_probe_line },
	{ "judge_probe_delivered", test_judge_probe_delivered },
	{ "judge_probe_deferred", test_judge_probe_deferred },
	{ "judge_probe_not_graded", test_judge_probe_not_graded },
	{ "judge_probe_observers", test_judge_probe_observers },
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	return cu_main(argc, argv, "probe", tests);
}
