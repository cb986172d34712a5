/*
 * test_multircpt.c -- one message to several recipients (issue 13): the
 * send line's recipient list, `expect rcpt=` scopes, the connection facts
 * (same-connection, not-same-connection) and the judge's per-recipient
 * cross-check of the client's "recipients" report against the personas.
 */
#include <stdlib.h>
#include <string.h>

#include "runner/case.h"
#include "runner/case_world.h"
#include "runner/judge.h"
#include "tests/unit/cu.h"
#include "util/buf.h"

/* Two domains served by one address: the apex (mx1) and b (mx.b). */
static const char *const head =
    "id       t1\n"
    "title    Two recipient domains\n"
    "require  7672-2.2-b\n"
    "level    required\n"
    "cert ee1 key=K1 san=mx1\n"
    "zone @ secure\n"
    "    @             MX    10 mx1\n"
    "    mx1           A     $ADDR(mx1)\n"
    "    _25._tcp.mx1  TLSA  3 1 1 $TLSA(ee1 1 1)\n"
    "zone b secure\n"
    "    @             MX    10 mx\n"
    "    mx            A     $ADDR(mx1)\n"
    "host mx1 smtp chain=ee1\n"
    "send policy=dane rcpt=user@@,user@b\n";

static struct dl_case *
parse(const char *tail, char **diag)
{
	struct dl_diag d = { 0 };
	char *text = dl_xasprintf("%s%s", head, tail);
	struct dl_case *c = dl_case_parse_text("cases/t1.case", text, &d);

	if (c) {
		dl_expect_lint(c, &d);
		dl_case_world_lint(c, &d);
	}
	*diag = d.text.data ? dl_buf_take(&d.text) : dl_xstrdup("");
	dl_diag_free(&d);
	free(text);
	return c;
}

static char *
lint(const char *tail)
{
	char *diag;
	dl_case_free(parse(tail, &diag));
	return diag;
}

static void
test_parse_list(void)
{
	char *diag;
	struct dl_case *c = parse("expect rcpt=user@@ delivered mx1 dane\n"
	    "expect rcpt=user@b deferred\n", &diag);

	CU_ASSERT_STRING_EQUAL(diag, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->send.rcpts.n, 2);
	CU_ASSERT_STRING_EQUAL(c->send.rcpts.v[1], "user@b");
	CU_ASSERT_STRING_EQUAL(c->expects[1].rcpt, "user@b");
	CU_ASSERT_EQUAL(dl_case_rcpt_index(c, "USER@B"), 1);
	CU_ASSERT_EQUAL(dl_case_rcpt_index(c, NULL), -1);

	/* The world: each address absolute, DANELAB_RCPT as "a,b". */
	struct dl_diag d = { 0 };
	struct dl_case_world w;
	CU_ASSERT_EQUAL_FATAL(dl_case_world_build(c, 5, NULL, "/nonexistent", 0, &w, &d), 0);
	CU_ASSERT_EQUAL(w.n_rcpts, 2);
	CU_ASSERT_STRING_EQUAL(w.rcpts[1], "user@b.t1.test");
	CU_ASSERT_STRING_EQUAL(w.rcpt, "user@t1.test,user@b.t1.test");
	dl_case_world_free(&w);
	dl_diag_free(&d);
	dl_case_free(c);
	free(diag);
}

static const struct {
	const char *tail;
	const char *want;   /* "" = lint clean */
} lints[] = {
	{ "expect rcpt=user@@ delivered mx1 dane\nexpect rcpt=user@b deferred\n"
	    "expect not-same-connection user@@ user@b\nexpect rcpt=user@b mx1 not-via\n", "" },
	/* Every recipient needs its disposition; none without rcpt=. */
	{ "expect rcpt=user@@ delivered mx1 dane\n",
	    "no disposition expectation for recipient user@b in delivery 1" },
	{ "expect delivered mx1 dane\nexpect rcpt=user@b deferred\n",
	    "cases/t1.case:15: a disposition without rcpt= in a case with 2 recipients" },
	{ "expect rcpt=user@@ deferred\nexpect rcpt=user@@ bounced\nexpect rcpt=user@b deferred\n",
	    "cases/t1.case:16: a second disposition expectation for delivery 1 of user@@" },
	/* rcpt= names a recipient of the send line, and comes first. */
	{ "expect rcpt=user@@ deferred\nexpect rcpt=user@c deferred\n",
	    "cases/t1.case:16: rcpt=user@c is not a recipient of the send line" },
	{ "expect rcpt=user@@ deferred\nexpect deferred rcpt=user@b\n",
	    "expected rcpt=ADDR as the first word" },
	/* Queries, logs and connection facts are not one recipient's. */
	{ "expect rcpt=user@@ deferred\nexpect rcpt=user@b deferred\n"
	    "expect rcpt=user@b query mx1 TLSA\n", "does not belong to one recipient" },
	{ "expect rcpt=user@@ deferred\nexpect rcpt=user@b deferred\n"
	    "expect same-connection user@@ user@c\n", "naming two recipients of the send line" },
	{ "expect rcpt=user@@ deferred\nexpect rcpt=user@b deferred\n"
	    "expect same-connection user@b user@b\n", "naming two recipients of the send line" },
};

static void
test_lint(void)
{
	for (size_t i = 0; i < sizeof(lints) / sizeof(lints[0]); i++) {
		char *d = lint(lints[i].tail);
		if (lints[i].want[0] == '\0') {
			CU_ASSERT_STRING_EQUAL(d, "");
		} else {
			CU_ASSERT_PTR_NOT_NULL(strstr(d, lints[i].want));
		}
		if ((lints[i].want[0] == '\0') != (d[0] == '\0') ||
		    (lints[i].want[0] && !strstr(d, lints[i].want)))
			fprintf(stderr, "lint %zu: want \"%s\" in:\n%s", i, lints[i].want, d);
		free(d);
	}
}

/* The recipient list: each address on its own, no empty one, at most 8. */
static void
test_lint_send(void)
{
	struct {
		const char *rcpt, *want;
	} s[] = {
		{ "user@@,user@b,", "empty address in rcpt=" },
		{ "user@@,us\"er@b", "bad rcpt=us\"er@b" },
		{ "user@@,user@other.test.", "recipient domain" },
		{ "user@@,USER@@", "recipient USER@@ given twice" },
		{ "a@@,b@@,c@@,d@@,e@@,f@@,g@@,h@@,i@@", "too many recipients in rcpt=" },
		{ "user@@,user@[$ADDR(mx1)]", "only as the only recipient" },
		{ "user@@,user@b\xc3\xbc" "cher", "only as the only recipient" },
	};
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		char *text = dl_xasprintf("%.*ssend policy=dane rcpt=%s\nexpect deferred\n",
		    (int)(strstr(head, "send ") - head), head, s[i].rcpt);
		struct dl_diag d = { 0 };
		struct dl_case *c = dl_case_parse_text("cases/t1.case", text, &d);
		CU_ASSERT_PTR_NOT_NULL(d.text.data && strstr(d.text.data, s[i].want));
		if (!(d.text.data && strstr(d.text.data, s[i].want)))
			fprintf(stderr, "send %zu: want \"%s\" in:\n%s", i, s[i].want,
			    d.text.data ? d.text.data : "");
		dl_case_free(c);
		dl_diag_free(&d);
		free(text);
	}
}

/* ---- the judge ---- */

/* A connection to mx1 (host 0) carrying one transaction for rcpts. */
static void
conn(struct dl_observed *o, bool tls, const char *sni, bool accepted,
    const char *r1, const char *r2)
{
	o->conns = dl_xrealloc(o->conns, (o->n_conns + 1) * sizeof(*o->conns));
	struct dl_conn *c = &o->conns[o->n_conns++];
	const char *rs[2] = { r1, r2 };

	memset(c, 0, sizeof(*c));
	c->tls = c->starttls_requested = tls;
	c->sni_present = sni != NULL;
	c->sni = sni ? dl_xstrdup(sni) : NULL;
	c->mail_from = true;
	c->mail_in_clear = !tls;
	c->data_accepted = accepted;
	c->end = dl_xstrdup("quit");
	for (int i = 0; i < 2; i++) {
		if (rs[i] == NULL)
			continue;
		c->rcpts = dl_xrealloc(c->rcpts, (c->n_rcpts + 1) * sizeof(char *));
		c->rcpts[c->n_rcpts++] = dl_xstrdup(rs[i]);
		if (accepted) {
			c->accepted_rcpts = dl_xrealloc(c->accepted_rcpts,
			    (c->n_accepted_rcpts + 1) * sizeof(char *));
			c->accepted_rcpts[c->n_accepted_rcpts++] = dl_xstrdup(rs[i]);
		}
	}
}

/* The client's entry for one recipient. */
static void
says(struct dl_observed *o, const char *rcpt, enum dl_obs_disposition d, enum dl_obs_security s)
{
	struct dl_adapter_report *a = &o->adapter;

	a->valid = true;
	a->disposition = DL_DISP_DEFERRED;
	a->rcpts = dl_xrealloc(a->rcpts, (a->n_rcpts + 1) * sizeof(*a->rcpts));
	struct dl_rcpt_report *r = &a->rcpts[a->n_rcpts++];
	memset(r, 0, sizeof(*r));
	r->rcpt = dl_xstrdup(rcpt);
	r->disposition = d;
	r->security = s;
	r->host_index = d == DL_DISP_DELIVERED ? 0 : -1;
	r->host = dl_xstrdup(d == DL_DISP_DELIVERED ? "mx1.t1.test" : "");
	if (s == DL_SEC_DANE && o->n_queries == 0) {
		o->queries = dl_xcalloc(1, sizeof(*o->queries));
		o->queries[0].name = dl_xstrdup("_25._tcp.mx1.t1.test");
		o->queries[0].type = dl_xstrdup("TLSA");
		o->n_queries = 1;
	}
}

/* The mismatch case: user@b's TLSA matches nothing at the shared address. */
static const char *const mismatch =
    "expect rcpt=user@@ delivered mx1 dane\n"
    "expect rcpt=user@@ mx1 sni=mx1\n"
    "expect rcpt=user@b deferred\n"
    "expect rcpt=user@b mx1 not-via\n"
    "expect not-same-connection user@@ user@b\n";

static enum dl_verdict
judge(const char *tail, struct dl_observed *o, char **why)
{
	char *diag;
	struct dl_case *c = parse(tail, &diag);
	struct dl_judgement j;

	CU_ASSERT_STRING_EQUAL(diag, "");
	free(diag);
	dl_judge(c, 1, "t1.test", o, &j);
	enum dl_verdict v = j.verdict;
	*why = dl_xstrdup(j.reasons.data ? j.reasons.data : "");
	dl_judgement_free(&j);
	dl_case_free(c);
	dl_observed_free(o);
	return v;
}

static void
test_judge_per_recipient(void)
{
	struct dl_observed o = { 0 };
	char *why;

	/* Conformant: the apex over its own authenticated connection, b's
	 * connection refused (the client quit before MAIL FROM). */
	conn(&o, true, "mx1.t1.test", true, "user@t1.test", NULL);
	says(&o, "user@t1.test", DL_DISP_DELIVERED, DL_SEC_DANE);
	says(&o, "user@b.t1.test", DL_DISP_DEFERRED, DL_SEC_UNKNOWN);
	CU_ASSERT_EQUAL(judge(mismatch, &o, &why), DL_V_PASS);
	CU_ASSERT_STRING_EQUAL(why, "");
	free(why);

	/* The downgrade: b's recipient rode the apex's authenticated
	 * connection (one transaction for both), and the client said so. */
	conn(&o, true, "mx1.t1.test", true, "user@t1.test", "user@b.t1.test");
	says(&o, "user@t1.test", DL_DISP_DELIVERED, DL_SEC_DANE);
	says(&o, "user@b.t1.test", DL_DISP_DELIVERED, DL_SEC_DANE);
	CU_ASSERT_EQUAL(judge(mismatch, &o, &why), DL_V_FAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "cases/t1.case:17: got delivered via mx1 (tls; "
	    "client says delivered via mx1.t1.test, dane), want rcpt=user@b deferred"));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "cases/t1.case:19: got one connection carried both"));
	free(why);

	/* A second connection reused for b, after the apex's message: the
	 * same story as far as b is concerned, and not-via sees the MAIL. */
	conn(&o, true, "mx1.t1.test", true, "user@t1.test", NULL);
	conn(&o, true, "mx1.t1.test", true, "user@b.t1.test", NULL);
	says(&o, "user@t1.test", DL_DISP_DELIVERED, DL_SEC_DANE);
	says(&o, "user@b.t1.test", DL_DISP_DELIVERED, DL_SEC_DANE);
	CU_ASSERT_EQUAL(judge(mismatch, &o, &why), DL_V_FAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "want rcpt=user@b mx1 not-via"));
	CU_ASSERT_PTR_NULL(strstr(why, "not-same-connection"));
	free(why);

	/* The apex's recipient over a connection opened for b (its SNI):
	 * the scoped sni fact sees only the connections that named it. */
	conn(&o, true, "mx.b.t1.test", true, "user@t1.test", NULL);
	says(&o, "user@t1.test", DL_DISP_DELIVERED, DL_SEC_DANE);
	says(&o, "user@b.t1.test", DL_DISP_DEFERRED, DL_SEC_UNKNOWN);
	CU_ASSERT_EQUAL(judge(mismatch, &o, &why), DL_V_FAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "want rcpt=user@@ mx1 sni=mx1"));
	free(why);
}

static void
test_judge_observers(void)
{
	struct dl_observed o = { 0 };
	char *why;

	/* No entry for one recipient: the client's word is missing. */
	conn(&o, true, "mx1.t1.test", true, "user@t1.test", NULL);
	says(&o, "user@t1.test", DL_DISP_DELIVERED, DL_SEC_DANE);
	CU_ASSERT_EQUAL(judge(mismatch, &o, &why), DL_V_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "reported nothing about recipient user@b.t1.test"));
	free(why);

	/* The client says b was deferred, the server accepted it. */
	conn(&o, true, "mx1.t1.test", true, "user@t1.test", "user@b.t1.test");
	says(&o, "user@t1.test", DL_DISP_DELIVERED, DL_SEC_DANE);
	says(&o, "user@b.t1.test", DL_DISP_DEFERRED, DL_SEC_UNKNOWN);
	CU_ASSERT_EQUAL(judge(mismatch, &o, &why), DL_V_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "observers disagree on user@b.t1.test: server mx1 "
	    "accepted the message but the client reports deferred"));
	free(why);

	/* Security per recipient: TLS claimed for a cleartext transaction. */
	conn(&o, true, "mx1.t1.test", true, "user@t1.test", NULL);
	conn(&o, false, NULL, true, "user@b.t1.test", NULL);
	says(&o, "user@t1.test", DL_DISP_DELIVERED, DL_SEC_DANE);
	says(&o, "user@b.t1.test", DL_DISP_DELIVERED, DL_SEC_ENCRYPTED);
	CU_ASSERT_EQUAL(judge("expect rcpt=user@@ delivered mx1 dane\n"
	    "expect rcpt=user@b delivered mx1 any\n", &o, &why), DL_V_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "observers disagree on security of user@b.t1.test"));
	free(why);

	/* Agreement: b delivered in cleartext and reported so. */
	conn(&o, true, "mx1.t1.test", true, "user@t1.test", NULL);
	conn(&o, false, NULL, true, "user@b.t1.test", NULL);
	says(&o, "user@t1.test", DL_DISP_DELIVERED, DL_SEC_DANE);
	says(&o, "user@b.t1.test", DL_DISP_DELIVERED, DL_SEC_CLEARTEXT);
	CU_ASSERT_EQUAL(judge("expect rcpt=user@@ delivered mx1 dane\n"
	    "expect rcpt=user@b delivered mx1 cleartext\n"
	    "expect not-same-connection user@@ user@b\n", &o, &why), DL_V_PASS);
	free(why);
	/* ... and same-connection holds only when one connection named both. */
	conn(&o, true, "mx1.t1.test", true, "user@t1.test", NULL);
	conn(&o, false, NULL, true, "user@b.t1.test", NULL);
	says(&o, "user@t1.test", DL_DISP_DELIVERED, DL_SEC_DANE);
	says(&o, "user@b.t1.test", DL_DISP_DELIVERED, DL_SEC_CLEARTEXT);
	CU_ASSERT_EQUAL(judge("expect rcpt=user@@ delivered mx1 dane\n"
	    "expect rcpt=user@b delivered mx1 cleartext\n"
	    "expect same-connection user@@ user@b\n", &o, &why), DL_V_FAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "got no connection carried both"));
	free(why);
}

static const struct cu_test tests[] = {
	{ "parse_list", test_parse_list },
	{ "lint", test_lint },
	{ "lint_send", test_lint_send },
	{ "judge_per_recipient", test_judge_per_recipient },
	{ "judge_observers", test_judge_observers },
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	return cu_main(argc, argv, "multircpt", tests);
}
