/*
 * test_runner.c -- runner/: the case parser and every lint error, the
 * judge (each verdict, observer disagreement), the report writers.
 */
#include <stdlib.h>
#include <string.h>

#include "runner/case.h"
#include "runner/case_world.h"
#include "runner/caseset.h"
#include "runner/judge.h"
#include "runner/report.h"
#include "tests/unit/cu.h"
#include "tests/unit/lint.h"
#include "util/buf.h"
#include "util/jschema.h"
#include "util/json.h"

static const char *const good_case =
    "# a comment\n"
    "id       t1\n"
    "title    A test case\n"
    "require  7672-2.2-b\n"
    "level    required\n"
    "tags     a b\n"
    "cert ee1 key=K1 san=mx1\n"
    "zone @ secure\n"
    "    @             MX    10 mx1\n"
    "    mx1           A     $ADDR(mx1)\n"
    "    _25._tcp.mx1  TLSA  3 1 1 $TLSA(ee1 1 1)\n"
    "    $FAULT mx1 A badsig\n"
    "host mx1 smtp chain=ee1\n"
    "host mx2 closed\n"
    "send policy=dane\n"
    "expect delivered mx1 dane | deferred\n"
    "expect mx1 sni=mx1 level=recommended\n"
    "expect mx2 untouched\n";

static void
test_parse_good(void)
{
	struct dl_diag d = { 0 };
	struct dl_case *c = dl_case_parse_text("cases/t1.case", good_case, &d);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(d.count, 0);
	CU_ASSERT_STRING_EQUAL(c->id, "t1");
	CU_ASSERT_EQUAL(c->level, DL_LEVEL_REQUIRED);
	CU_ASSERT_EQUAL(c->n_zones, 1);
	CU_ASSERT_EQUAL(c->zones[0].n_records, 3);
	CU_ASSERT_EQUAL(c->zones[0].n_faults, 1);
	CU_ASSERT_EQUAL(c->zones[0].faults[0].type, 1); /* A */
	CU_ASSERT_EQUAL(c->n_hosts, 2);
	CU_ASSERT_EQUAL(c->hosts[1].index, 2);
	CU_ASSERT_EQUAL(c->n_expects, 3);
	CU_ASSERT_EQUAL(c->expects[0].n_alts, 2);
	CU_ASSERT_EQUAL(c->expects[1].level, DL_LEVEL_RECOMMENDED);
	CU_ASSERT_EQUAL(c->expects[2].line, 18);
	CU_ASSERT_STRING_EQUAL(c->send.rcpt, "user@@");
	char *lint = lint_text(good_case);
	CU_ASSERT_STRING_EQUAL(lint, "");
	free(lint);
	dl_case_free(c);
	dl_diag_free(&d);
}

/* Each bad line, and the message it must produce (file:line: ...). */
static const struct lint_vector lint_cases[] = {
	{ "level    required\n", "level    sometimes\n", "cases/t1.case:5: bad level" },
	{ "tags     a b\n", "colour   red\n", "cases/t1.case:6: unknown key \"colour\"" },
	{ "zone @ secure\n", "zone @ shiny\n", "cases/t1.case:8: unknown zone mode \"shiny\"" },
	{ "zone @ secure\n", "zone @ secure frobnicate=1\n", "unknown zone option" },
	{ "    $FAULT mx1 A badsig\n", "    $FAULT mx1 A melted\n", "cases/t1.case:12: bad $FAULT" },
	{ "    $FAULT mx1 A badsig\n", "    $DNSFAULT mx1 A servfail\n", "not served by the fault proxy" },
	{ "$ADDR(mx1)\n", "$ADDR(mx9)\n", "cases/t1.case:10: $ADDR(mx9): unknown host" },
	{ "$TLSA(ee1 1 1)", "$TLSA(ee9 1 1)", "cases/t1.case:11: $TLSA(ee9 1 1): unknown certificate" },
	{ "$TLSA(ee1 1 1)", "$TLSA(ee1 1 7)", "expected \"$TLSA(CERT SELECTOR MTYPE)\"" },
	{ "$TLSA(ee1 1 1)", "$NOPE(x)", "unknown placeholder \"$NOPE\"" },
	{ "cert ee1 key=K1 san=mx1\n", "cert ee1 key=K1 san=mx1 hue=blue\n", "unknown cert option" },
	{ "cert ee1 key=K1 san=mx1\n", "cert ee1 key=K1 issuer=nobody\n", "unknown issuer \"nobody\"" },
	{ "host mx1 smtp chain=ee1\n", "host mx1 smtp chain=ee7\n", "unknown certificate \"ee7\" in a chain" },
	{ "host mx1 smtp chain=ee1\n", "host mx1 smtp chain=ee1 sparkle\n", "unknown option \"sparkle\"" },
	{ "host mx1 smtp chain=ee1\n", "host mx1 teapot\n", "unknown kind \"teapot\"" },
	{ "host mx2 closed\n", "host mx1 closed\n", "host \"mx1\" declared twice" },
	{ "send policy=dane\n", "send policy=sometimes\n", "unknown policy \"sometimes\"" },
	{ "send policy=dane\n", "send colour=red\n", "unknown send option \"colour\"" },
	/* Address literals: resolved from a persona, checked to be an address. */
	{ "send policy=dane\n", "send rcpt=user@[$ADDR(mx1)]\n", "" },
	{ "send policy=dane\n", "send rcpt=user@[IPv6:$ADDR6(mx1)]\n", "" },
	{ "send policy=dane\n", "send rcpt=user@[$ADDR(mx9)]\n", "$ADDR(mx9): unknown host" },
	{ "send policy=dane\n", "send rcpt=user@[mx1]\n", "cases/t1.case:15: bad address literal" },
	{ "send policy=dane\n", "send rcpt=user@[$ADDR(mx1)\n", "bad address literal" },
	/* Client options. */
	{ "send policy=dane\n", "send policy=encrypt digests=sha256,sha512 audit=on dane-ta=off "
	    "self=mx2 fallback=mx2:2525\n", "" },
	{ "send policy=dane\n", "send digests=sha256,md5\n", "cases/t1.case:15: unknown digest \"md5\"" },
	{ "send policy=dane\n", "send audit=maybe\n", "bad \"audit=maybe\", expected on or off" },
	{ "send policy=dane\n", "send self=mx9\n", "self=mx9: unknown host" },
	{ "send policy=dane\n", "send audit=on audit=off\n", "send option \"audit\" given twice" },
	{ "send policy=dane\n", "send fallback=mx2:0\n", "expected fallback=NAME[:PORT]" },
	{ "expect mx2 untouched\n", "expect mx2 sleepy\n", "cases/t1.case:18: unknown host fact" },
	{ "expect mx2 untouched\n", "expect mx9 untouched\n", "cases/t1.case:18: unknown expectation" },
	{ "expect delivered mx1 dane | deferred\n", "expect mx2 contacted\n", "0 disposition expectations" },
	{ "expect delivered mx1 dane | deferred\n", "expect delivered mx1 teleported\n", "unknown security" },
	{ "id       t1\n", "id       t2\n", "id \"t2\" does not match the file name" },
	{ "title    A test case\n", "", "missing key \"title\"" },
	{ "zone @ secure\n", "zone @ secure\n    mx3 A 127.0.0.1\n", "" },
	{ "    @             MX    10 mx1\n", "mx1 A 1.2.3.4\n", "unknown key \"mx1\"" },
	/* Later deliveries: then, $ROUND. */
	{ "expect mx2 untouched\n", "expect log-mentions\n", "expected \"log-mentions NAME\"" },
	{ "expect mx2 untouched\n", "expect log-matches (unclosed\n", "expected \"log-matches REGEX\"" },
	{ "expect mx2 untouched\n", "expect log-matches warn.*tls\n", "" },
	{ "expect mx2 untouched\n", "expect mx2 untouched\nthen retry\n",
	    "0 disposition expectations for delivery 2" },
	{ "expect mx2 untouched\n", "expect mx2 untouched\nthen later\n",
	    "cases/t1.case:19: bad then line" },
	{ "expect mx2 untouched\n", "expect mx2 untouched\nthen resend wait=99\nexpect deferred\n",
	    "cases/t1.case:19: bad wait=99" },
	{ "expect mx2 untouched\n", "expect mx2 untouched\nthen resend\nhost mx3 closed\n",
	    "cases/t1.case:20: \"host\" after \"then\"" },
	{ "expect mx2 untouched\n", "expect mx2 untouched\nthen retry wait=2\nexpect deferred\n", "" },
	{ "    $FAULT mx1 A badsig\n", "    $ROUND 2\n    mx1 TXT \"v2\"\n",
	    "cases/t1.case:13: record under $ROUND 2, but the case makes 1 delivery" },
	{ "    $FAULT mx1 A badsig\n", "    $ROUND 1\n    $FAULT mx1 A badsig\n",
	    "cases/t1.case:13: $FAULT under $ROUND 1" },
	{ "    $FAULT mx1 A badsig\n", "    $ROUND soon\n", "cases/t1.case:12: bad $ROUND" },
};

static void
test_lint_errors(void)
{
	lint_vectors(good_case, lint_cases, sizeof(lint_cases) / sizeof(lint_cases[0]),
	    false);
}

/* then/$ROUND: expectations and records carry their delivery. */
static void
test_parse_rounds(void)
{
	const char *text =
	    "id t1\ntitle t\nrequire 7672-2.2-b\nlevel required\n"
	    "zone @ secure server=fault\n"
	    "    @ MX 10 mx1\n"
	    "    $ROUND 1\n"
	    "    mx1 A 127.0.0.1\n"
	    "    $DNSFAULT mx1 A servfail\n"
	    "    $ROUND 2\n"
	    "    mx1 A 127.0.0.2\n"
	    "    $ROUND all\n"
	    "    mx1 TXT \"both\"\n"
	    "host mx1 closed\n"
	    "expect deferred\n"
	    "then retry wait=4\n"
	    "expect delivered mx1 dane\n";
	struct dl_diag d = { 0 };
	struct dl_case *c = dl_case_parse_text("cases/t1.case", text, &d);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(d.count, 0);
	CU_ASSERT_EQUAL_FATAL(c->n_thens, 1);
	CU_ASSERT_STRING_EQUAL(c->thens[0].kind, "retry");
	CU_ASSERT_EQUAL(c->thens[0].wait_s, 4);
	CU_ASSERT_EQUAL_FATAL(c->n_expects, 2);
	CU_ASSERT_EQUAL(c->expects[0].round, 1);
	CU_ASSERT_EQUAL(c->expects[1].round, 2);
	CU_ASSERT_EQUAL_FATAL(c->zones[0].n_records, 4);
	CU_ASSERT_EQUAL(c->zones[0].records[0].round, 0);
	CU_ASSERT_EQUAL(c->zones[0].records[1].round, 1);
	CU_ASSERT_EQUAL(c->zones[0].records[2].round, 2);
	CU_ASSERT_EQUAL(c->zones[0].records[3].round, 0);
	CU_ASSERT_EQUAL_FATAL(c->zones[0].n_dnsfaults, 1);
	CU_ASSERT_EQUAL(c->zones[0].dnsfault_rounds[0], 1);
	char *lint = lint_text(text);
	CU_ASSERT_STRING_EQUAL(lint, "");
	free(lint);
	dl_case_free(c);
	dl_diag_free(&d);
}

static void
test_world_placement(void)
{
	struct dl_diag d = { 0 };
	struct dl_case *c = dl_case_parse_text("cases/t1.case", good_case, &d);
	struct dl_case_world w;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	/* Without a pki, TLSA placeholders cannot be computed: lint only. */
	char *a4 = dl_lab_mail_addr4(300, 2), *a6 = dl_lab_mail_addr6(300, 2);
	CU_ASSERT_STRING_EQUAL(a4, "127.17.44.2");
	CU_ASSERT_STRING_EQUAL(a6, "fdda:9e1a:b000:1:12c::2");
	free(a4);
	free(a6);
	CU_ASSERT_EQUAL(dl_case_world_build(c, 5, NULL, "/nonexistent", 0, &w, &d), 0);
	CU_ASSERT_STRING_EQUAL(w.apex, "t1.test.");
	CU_ASSERT_STRING_EQUAL(w.rcpt, "user@t1.test");
	CU_ASSERT_STRING_EQUAL(w.zones[0].origin, "t1.test.");
	CU_ASSERT_PTR_NOT_NULL(strstr(w.zones[0].records[1].text, "127.16.5.1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(w.personas.data, "persona t1/mx1\nlisten 127.16.5.1 25\n"));
	CU_ASSERT_PTR_NULL(strstr(w.personas.data, "t1/mx2")); /* closed: nobody listens */
	/* Probes: the zone's SOA secure, the $FAULT RRset bogus. */
	CU_ASSERT_EQUAL_FATAL(w.n_probes, 2);
	CU_ASSERT_EQUAL(w.probes[0].status, DL_LAB_SECURE);
	CU_ASSERT_STRING_EQUAL(w.probes[1].qname, "mx1.t1.test.");
	CU_ASSERT_EQUAL(w.probes[1].status, DL_LAB_BOGUS);
	dl_case_world_free(&w);
	dl_case_free(c);
	dl_diag_free(&d);
}

/* A case with hosts mx1, mx2 and one expectation line. */
static struct dl_case *
judge_case(const char *expect)
{
	struct dl_diag d = { 0 };
	char *text = dl_xasprintf("id t1\ntitle t\nrequire 7672-2.2-b\nlevel required\n"
	    "zone @ secure\nhost mx1 smtp\nhost mx2 smtp\n%s", expect);
	struct dl_case *c = dl_case_parse_text("cases/t1.case", text, &d);
	free(text);
	dl_diag_free(&d);
	return c;
}

static void
conn_add(struct dl_observed *o, int host, bool tls, bool mail, bool accepted)
{
	o->conns = dl_xrealloc(o->conns, (o->n_conns + 1) * sizeof(*o->conns));
	struct dl_conn *c = &o->conns[o->n_conns++];
	memset(c, 0, sizeof(*c));
	c->host = host;
	c->tls = tls;
	c->starttls_requested = tls;
	c->mail_from = mail;
	c->mail_in_clear = mail && !tls;
	c->data_accepted = accepted;
	c->sni_present = tls;
	c->sni = tls ? dl_xstrdup(host ? "mx2.t1.test" : "mx1.t1.test") : NULL;
	c->end = dl_xstrdup("quit");
}

static void
adapter_says(struct dl_observed *o, enum dl_obs_disposition d, enum dl_obs_security s, int host)
{
	o->adapter.valid = true;
	o->adapter.disposition = d;
	o->adapter.security = s;
	o->adapter_host = host;
	if (d == DL_DISP_DELIVERED)
		o->adapter.host = dl_xstrdup(host ? "mx2.t1.test" : "mx1.t1.test");
	if (s == DL_SEC_DANE) {
		o->queries = dl_xcalloc(1, sizeof(*o->queries));
		o->queries[0].name = dl_xstrdup("_25._tcp.mx1.t1.test");
		o->queries[0].type = dl_xstrdup("TLSA");
		o->n_queries = 1;
	}
}

static enum dl_verdict
verdict_of(const char *expect, struct dl_observed *o, char **reasons)
{
	struct dl_case *c = judge_case(expect);
	struct dl_judgement j;

	dl_judge(c, 1, "t1.test", o, &j);
	enum dl_verdict v = j.verdict;
	if (reasons)
		*reasons = dl_xstrdup(j.reasons.data ? j.reasons.data : "");
	dl_judgement_free(&j);
	dl_case_free(c);
	dl_observed_free(o);
	return v;
}

static void
test_judge_verdicts(void)
{
	struct dl_observed o = { 0 };
	char *why;

	/* PASS: delivered via mx1 with DANE, as expected. */
	conn_add(&o, 0, true, true, true);
	adapter_says(&o, DL_DISP_DELIVERED, DL_SEC_DANE, 0);
	CU_ASSERT_EQUAL(verdict_of("expect delivered mx1 dane\nexpect mx1 sni=mx1\n", &o, NULL),
	    DL_V_PASS);

	/* FAIL with "got X, want Y" naming the expectation's line. */
	conn_add(&o, 0, false, true, true);
	adapter_says(&o, DL_DISP_DELIVERED, DL_SEC_CLEARTEXT, 0);
	CU_ASSERT_EQUAL(verdict_of("expect deferred\n", &o, &why), DL_V_FAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "cases/t1.case:8: got delivered via mx1 (cleartext"));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "want deferred [required]"));
	free(why);

	/* A later delivery is judged on its own expectations only. */
	{
		struct dl_case *c = judge_case("expect deferred\nthen retry\nexpect delivered mx1 dane\n");
		struct dl_judgement j;
		conn_add(&o, 0, true, true, true);
		adapter_says(&o, DL_DISP_DELIVERED, DL_SEC_DANE, 0);
		dl_judge(c, 2, "t1.test", &o, &j);
		CU_ASSERT_EQUAL(j.verdict, DL_V_PASS);
		dl_judgement_free(&j);
		dl_judge(c, 1, "t1.test", &o, &j);
		CU_ASSERT_EQUAL(j.verdict, DL_V_FAIL);
		CU_ASSERT_PTR_NOT_NULL(strstr(j.reasons.data, "want deferred"));
		dl_judgement_free(&j);
		dl_observed_free(&o);
		dl_case_free(c);
	}

	/* log-mentions: whole names only, any letter case. */
	conn_add(&o, 0, true, true, true);
	adapter_says(&o, DL_DISP_DELIVERED, DL_SEC_ENCRYPTED, 0);
	o.client_log = dl_xstrdup("relay=MXalias.T1.test[127.16.0.1]:25 status=sent\n");
	CU_ASSERT_EQUAL(verdict_of("expect delivered mx1 tls\nexpect log-mentions mxalias\n",
	    &o, NULL), DL_V_PASS);
	conn_add(&o, 0, true, true, true);
	adapter_says(&o, DL_DISP_DELIVERED, DL_SEC_ENCRYPTED, 0);
	o.client_log = dl_xstrdup("relay=old-mxalias.t1.test.evil status=sent\n");
	CU_ASSERT_EQUAL(verdict_of("expect delivered mx1 tls\nexpect log-mentions mxalias\n",
	    &o, &why), DL_V_FAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "without that name"));
	free(why);

	/* NON-STRICT: only a recommended expectation missed. */
	conn_add(&o, 0, true, true, true);
	adapter_says(&o, DL_DISP_DELIVERED, DL_SEC_ENCRYPTED, 0);
	CU_ASSERT_EQUAL(verdict_of("expect delivered mx1 tls\nexpect mx1 sni=mx2 "
	    "level=recommended\n", &o, NULL), DL_V_NONSTRICT);

	/* INFO: an optional expectation missed. */
	adapter_says(&o, DL_DISP_DEFERRED, DL_SEC_UNKNOWN, -1);
	CU_ASSERT_EQUAL(verdict_of("expect bounced level=optional\n", &o, NULL), DL_V_INFO);

	/* Alternatives: the second one holds. */
	conn_add(&o, 0, true, false, false);
	adapter_says(&o, DL_DISP_DEFERRED, DL_SEC_UNKNOWN, -1);
	CU_ASSERT_EQUAL(verdict_of("expect delivered mx2 any | deferred\nexpect mx1 refused\n"
	    "expect mx2 untouched\n", &o, NULL), DL_V_PASS);

	/* UNSUPPORTED: adapter exit 89. */
	o.adapter.valid = true;
	o.adapter.disposition = DL_DISP_UNSUPPORTED;
	CU_ASSERT_EQUAL(verdict_of("expect deferred\n", &o, NULL), DL_V_UNSUPPORTED);
}

static void
test_judge_observers_disagree(void)
{
	struct dl_observed o = { 0 };
	char *why;

	/* The client claims delivery nobody saw. */
	adapter_says(&o, DL_DISP_DELIVERED, DL_SEC_ENCRYPTED, 0);
	CU_ASSERT_EQUAL(verdict_of("expect delivered mx1 tls\n", &o, &why), DL_V_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "observers disagree"));
	free(why);
	/* A server got the message, the client says deferred. */
	conn_add(&o, 1, true, true, true);
	adapter_says(&o, DL_DISP_DEFERRED, DL_SEC_UNKNOWN, -1);
	CU_ASSERT_EQUAL(verdict_of("expect deferred\n", &o, NULL), DL_V_ERROR);
	/* DANE claimed without any TLSA query. */
	conn_add(&o, 0, true, true, true);
	adapter_says(&o, DL_DISP_DELIVERED, DL_SEC_ENCRYPTED, 0);
	o.adapter.security = DL_SEC_DANE;
	CU_ASSERT_EQUAL(verdict_of("expect delivered mx1 dane\n", &o, &why), DL_V_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "no TLSA query"));
	free(why);
	/* Delivered to mx2 per servers, mx1 per client. */
	conn_add(&o, 1, true, true, true);
	adapter_says(&o, DL_DISP_DELIVERED, DL_SEC_ENCRYPTED, 0);
	o.adapter.address = dl_xstrdup("127.16.0.1");
	CU_ASSERT_EQUAL(verdict_of("expect delivered mx2 tls\n", &o, NULL), DL_V_ERROR);
	/* No result line at all. */
	CU_ASSERT_EQUAL(verdict_of("expect deferred\n", &o, NULL), DL_V_ERROR);
}

/* The words of issue 13: tls-alert, message-accepted, no-log-matches, no-query *. */
static void
test_judge_vocabulary_13(void)
{
	struct dl_observed o = { 0 };
	char *why;

	/* A client that aborts the handshake ends with a TLS alert, not QUIT. */
	conn_add(&o, 0, true, false, false);
	free(o.conns[0].end);
	o.conns[0].end = dl_xstrdup("tls-alert");
	adapter_says(&o, DL_DISP_DEFERRED, DL_SEC_UNKNOWN, -1);
	CU_ASSERT_EQUAL(verdict_of("expect deferred\nexpect mx1 quit | mx1 tls-alert\n", &o, NULL),
	    DL_V_PASS);
	conn_add(&o, 0, true, false, false);
	free(o.conns[0].end);
	o.conns[0].end = dl_xstrdup("client-close");
	adapter_says(&o, DL_DISP_DEFERRED, DL_SEC_UNKNOWN, -1);
	CU_ASSERT_EQUAL(verdict_of("expect deferred\nexpect mx1 quit | mx1 tls-alert\n", &o, &why),
	    DL_V_FAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "end=client-close") || strstr(why, "connection"));
	free(why);

	/* MAIL FROM reached mx1 but no message came through: "used" the
	 * injected reply. */
	conn_add(&o, 0, true, true, false);
	adapter_says(&o, DL_DISP_DEFERRED, DL_SEC_UNKNOWN, -1);
	CU_ASSERT_EQUAL(verdict_of("expect deferred\nexpect mx1 not-via | mx1 message-accepted\n",
	    &o, NULL), DL_V_FAIL);
	conn_add(&o, 0, true, false, false);
	adapter_says(&o, DL_DISP_DEFERRED, DL_SEC_UNKNOWN, -1);
	CU_ASSERT_EQUAL(verdict_of("expect deferred\nexpect mx1 not-via | mx1 message-accepted\n",
	    &o, NULL), DL_V_PASS);

	/* no-log-matches: a claim the log must not make. */
	conn_add(&o, 0, true, true, true);
	adapter_says(&o, DL_DISP_DELIVERED, DL_SEC_ENCRYPTED, 0);
	o.client_log = dl_xstrdup("Verified TLS connection established to mx1.t1.test\n");
	CU_ASSERT_EQUAL(verdict_of("expect delivered mx1 tls\nexpect no-log-matches "
	    "verified.*to[[:space:]]+t1\\.test\n", &o, NULL), DL_V_PASS);
	conn_add(&o, 0, true, true, true);
	adapter_says(&o, DL_DISP_DELIVERED, DL_SEC_ENCRYPTED, 0);
	o.client_log = dl_xstrdup("DANE verified to t1.test\n");
	CU_ASSERT_EQUAL(verdict_of("expect delivered mx1 tls\nexpect no-log-matches "
	    "verified.*to[[:space:]]+t1\\.test\n", &o, &why), DL_V_FAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "with a matching line"));
	free(why);

	/* no-query *: any TLSA query fails it. */
	conn_add(&o, 0, true, true, true);
	adapter_says(&o, DL_DISP_DELIVERED, DL_SEC_DANE, 0);
	CU_ASSERT_EQUAL(verdict_of("expect delivered mx1 dane\nexpect no-query * TLSA\n", &o, NULL),
	    DL_V_FAIL);
	conn_add(&o, 0, true, true, true);
	adapter_says(&o, DL_DISP_DELIVERED, DL_SEC_ENCRYPTED, 0);
	CU_ASSERT_EQUAL(verdict_of("expect delivered mx1 tls\nexpect no-query * TLSA\n", &o, NULL),
	    DL_V_PASS);
}

/*
 * The security level must agree too.  The recorded failure: one smtp
 * process used TLS with mx1 (which deferred MAIL), then delivered to mx2 in
 * cleartext, and the adapter reported "encrypted" from mx1's TLS line.
 */
static void
test_judge_observers_disagree_on_security(void)
{
	struct dl_observed o = { 0 };
	char *why;

	conn_add(&o, 0, true, true, false);
	conn_add(&o, 1, false, true, true);
	adapter_says(&o, DL_DISP_DELIVERED, DL_SEC_ENCRYPTED, 1);
	CU_ASSERT_EQUAL(verdict_of("expect delivered mx2 any\n", &o, &why), DL_V_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "observers disagree on security: the client "
	    "(adapter result line) reports encrypted delivery to mx2.t1.test, the server mx2 "
	    "(persona transcript) received the message in cleartext"));
	free(why);
	/* DANE claimed, cleartext received. */
	conn_add(&o, 0, false, true, true);
	adapter_says(&o, DL_DISP_DELIVERED, DL_SEC_DANE, 0);
	CU_ASSERT_EQUAL(verdict_of("expect delivered mx1 any\n", &o, &why), DL_V_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "reports dane delivery"));
	free(why);
	/* The reverse: cleartext reported, TLS received. */
	conn_add(&o, 0, true, true, true);
	adapter_says(&o, DL_DISP_DELIVERED, DL_SEC_CLEARTEXT, 0);
	CU_ASSERT_EQUAL(verdict_of("expect delivered mx1 any\n", &o, &why), DL_V_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "received the message over TLS"));
	free(why);
	/* Agreement either way passes; so does a client that reports no level. */
	conn_add(&o, 0, true, true, false);
	conn_add(&o, 1, false, true, true);
	adapter_says(&o, DL_DISP_DELIVERED, DL_SEC_CLEARTEXT, 1);
	CU_ASSERT_EQUAL(verdict_of("expect delivered mx2 cleartext\n", &o, NULL), DL_V_PASS);
	conn_add(&o, 0, false, true, true);
	adapter_says(&o, DL_DISP_DELIVERED, DL_SEC_UNKNOWN, 0);
	CU_ASSERT_EQUAL(verdict_of("expect delivered mx1\n", &o, NULL), DL_V_PASS);
	/* A fault of the lab the adapter saw is an ERROR, whatever was expected. */
	adapter_says(&o, DL_DISP_DEFERRED, DL_SEC_UNKNOWN, -1);
	o.adapter.error = dl_xstrdup("lowest numbered MX record points to local host");
	CU_ASSERT_EQUAL(verdict_of("expect deferred\n", &o, &why), DL_V_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "fault of the lab, not of the client: lowest"));
	free(why);
}

static void
test_reports(void)
{
	struct dl_diag d = { 0 };
	struct dl_case *c = dl_case_parse_text("cases/t1.case", good_case, &d);
	struct dl_case_result r[3] = {
		{ .c = c, .verdict = DL_V_PASS, .reasons = "", .observed = "ok", .repeat = 1 },
		{ .c = c, .verdict = DL_V_FAIL, .reasons = "cases/t1.case:9: got <x> & \"y\", want z\n",
		  .observed = "delivered <via> mx1", .expected = "deferred", .repeat = 2 },
		{ .c = c, .verdict = DL_V_UNSUPPORTED, .reasons = "", .repeat = 3 },
	};
	struct dl_provenance prov;
	char *argv0[] = { "danelab", "run" };
	dl_provenance_collect(&prov, ".", 2, argv0, 1795000000);
	struct dl_report_meta m = { "reference", "2026-11-28T00:00:00Z", 1234, 2, &prov };
	struct dl_err err;
	char *json = dl_xasprintf("%s/r.json", cu_tmpdir());
	char *junit = dl_xasprintf("%s/r.xml", cu_tmpdir());
	char *tap = dl_xasprintf("%s/r.tap", cu_tmpdir());
	struct dl_buf b = DL_BUF_INIT, s = DL_BUF_INIT, why = DL_BUF_INIT;
	char jerr[128];

	CU_ASSERT_EQUAL_FATAL(dl_report_json(json, &m, r, 3, &err), 0);
	CU_ASSERT_EQUAL_FATAL(dl_read_file(json, &b), 0);
	CU_ASSERT_EQUAL_FATAL(dl_read_file("docs/report-schema.json", &s), 0);
	struct dl_jv *doc = dl_jv_parse(b.data, b.len, jerr, sizeof(jerr));
	struct dl_jv *schema = dl_jv_parse(s.data, s.len, jerr, sizeof(jerr));
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(schema);
	CU_ASSERT_EQUAL(dl_jschema_check(schema, doc, &why), 0);
	if (why.len)
		fprintf(stderr, "%s", why.data);
	const struct dl_jv *sum = dl_jv_get(doc, "summary");
	CU_ASSERT_EQUAL(dl_jv_num(sum, "passed", -1), 1);
	CU_ASSERT_EQUAL(dl_jv_num(sum, "failed", -1), 1);
	CU_ASSERT_EQUAL(dl_jv_num(sum, "skipped", -1), 1);
	/* The schema check itself must be able to fail. */
	dl_buf_reset(&why);
	struct dl_jv *bad = dl_jv_parse("{\"schema\":\"x\"}", 14, jerr, sizeof(jerr));
	CU_ASSERT(dl_jschema_check(schema, bad, &why) > 0);
	dl_jv_free(bad);

	CU_ASSERT_EQUAL_FATAL(dl_report_junit(junit, &m, r, 3, &err), 0);
	dl_buf_reset(&b);
	CU_ASSERT_EQUAL_FATAL(dl_read_file(junit, &b), 0);
	/* Well-formed enough: escaped text, balanced elements, unique names. */
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "got &lt;x&gt; &amp; &quot;y&quot;"));
	CU_ASSERT_PTR_NULL(strstr(b.data, "<x>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "name=\"t1#2\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "name=\"t1#3\""));
	int open_tc = 0, close_tc = 0;
	for (const char *p = b.data; (p = strstr(p, "<testcase ")); p++)
		open_tc++;
	for (const char *p = b.data; (p = strstr(p, "</testcase>")); p++)
		close_tc++;
	CU_ASSERT_EQUAL(open_tc, 3);
	CU_ASSERT_EQUAL(close_tc, 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "<failure message=\"FAIL: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "<skipped message=\"UNSUPPORTED\"/>"));

	CU_ASSERT_EQUAL_FATAL(dl_report_tap(tap, r, 3, &err), 0);
	dl_buf_reset(&b);
	CU_ASSERT_EQUAL_FATAL(dl_read_file(tap, &b), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "1..3\nok 1 - t1\nnot ok 2 - t1 # FAIL\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "ok 3 - t1 # SKIP UNSUPPORTED"));

	dl_provenance_free(&prov);
	dl_jv_free(doc);
	dl_jv_free(schema);
	dl_buf_free(&b);
	dl_buf_free(&s);
	dl_buf_free(&why);
	free(json);
	free(junit);
	free(tap);
	dl_case_free(c);
	dl_diag_free(&d);
}

static void
test_selection(void)
{
	struct dl_diag d = { 0 };
	struct dl_case *c = dl_case_parse_text("cases/t1.case", good_case, &d);
	struct dl_selection sel = { 0 };

	CU_ASSERT_TRUE(dl_case_selected(c, 0, &sel));
	dl_words_push(&sel.reqs, "7672-2.2");
	CU_ASSERT_TRUE(dl_case_selected(c, 0, &sel));
	dl_words_free(&sel.reqs);
	dl_words_push(&sel.reqs, "7672-2.20");
	CU_ASSERT_FALSE(dl_case_selected(c, 0, &sel));
	dl_words_free(&sel.reqs);
	dl_words_push(&sel.globs, "t*");
	dl_words_push(&sel.tags, "b");
	CU_ASSERT_TRUE(dl_case_selected(c, 0, &sel));
	sel.shard_i = 2;
	sel.shard_n = 2;
	CU_ASSERT_FALSE(dl_case_selected(c, 0, &sel));
	CU_ASSERT_TRUE(dl_case_selected(c, 1, &sel));
	dl_words_free(&sel.globs);
	dl_words_free(&sel.tags);
	dl_case_free(c);
	dl_diag_free(&d);
}

static const struct cu_test tests[] = {
	{ "parse_good", test_parse_good },
	{ "lint_errors", test_lint_errors },
	{ "parse_rounds", test_parse_rounds },
	{ "world_placement", test_world_placement },
	{ "judge_verdicts", test_judge_verdicts },
	{ "judge_observers_disagree", test_judge_observers_disagree },
	{ "judge_vocabulary_13", test_judge_vocabulary_13 },
	{ "judge_observers_disagree_on_security", test_judge_observers_disagree_on_security },
	{ "reports", test_reports },
	{ "selection", test_selection },
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	return cu_main(argc, argv, "runner", tests);
}
