/*
 * test_ci.c -- what an MTA project's CI relies on: the provenance every
 * report carries (schema-checked), --adapter-opt and --expect as the
 * adapter layer reads them, and `danelab diff` on two recorded reports
 * (tests/data/reports/: Postfix 3.7 and a later build of it).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/adapter.h"
#include "runner/case.h"
#include "runner/diff.h"
#include "runner/judge.h"
#include "runner/provenance.h"
#include "runner/report.h"
#include "tests/unit/cu.h"
#include "util/buf.h"
#include "util/jschema.h"
#include "util/json.h"

static struct dl_jv *
parse_file(const char *path)
{
	struct dl_buf b = DL_BUF_INIT;
	char jerr[128];

	if (dl_read_file(path, &b) < 0)
		return NULL;
	struct dl_jv *v = dl_jv_parse(b.data, b.len, jerr, sizeof(jerr));
	dl_buf_free(&b);
	return v;
}

/* Violations of docs/report-schema.json; printed only when none are wanted. */
static int
schema_check(const struct dl_jv *doc, bool print)
{
	struct dl_jv *schema = parse_file("docs/report-schema.json");
	struct dl_buf why = DL_BUF_INIT;

	CU_ASSERT_PTR_NOT_NULL_FATAL(schema);
	int n = dl_jschema_check(schema, doc, &why);
	if (n && print)
		fprintf(stderr, "%s", why.data);
	dl_buf_free(&why);
	dl_jv_free(schema);
	return n;
}

static int
schema_violations(const struct dl_jv *doc)
{
	return schema_check(doc, true);
}

static void
fill_client(struct dl_provenance *p)
{
	p->adapter = dl_xstrdup("postfix");
	p->adapter_path = dl_xstrdup("/src/runner/adapters/postfix");
	p->adapter_options = dl_xstrdup("root=/opt/postfix-3.10");
	p->client_name = dl_xstrdup("Postfix");
	p->client_version = dl_xstrdup("3.10.1");
	p->client_tls = dl_xstrdup("OpenSSL 3.0.15");
}

static void
test_provenance_in_reports(void)
{
	struct dl_diag d = { 0 };
	struct dl_case *c = dl_case_parse_text("cases/t1.case",
	    "id t1\ntitle T\nrequire 7672-2.2-b\nlevel required\ntags a\n"
	    "host mx1 smtp\nzone @ secure\n    @ MX 10 mx1\n    mx1 A $ADDR(mx1)\n"
	    "send policy=dane\nexpect deferred\n", &d);
	struct dl_case_result r[1] = { { .c = c, .verdict = DL_V_PASS, .reasons = "",
	    .observed = "deferred", .repeat = 1 } };
	struct dl_provenance prov;
	char *argv[] = { "danelab", "run", "--now", "1795000000", "it's" };
	struct dl_report_meta m = { "postfix", "2026-11-19T00:00:00Z", 10, 1, &prov };
	char *json = dl_xasprintf("%s/r.json", cu_tmpdir());
	char *xml = dl_xasprintf("%s/r.xml", cu_tmpdir());
	char *tap = dl_xasprintf("%s/r.tap", cu_tmpdir());
	struct dl_err err;
	struct dl_buf b = DL_BUF_INIT;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	dl_provenance_collect(&prov, ".", 5, argv, 1795000000);
	fill_client(&prov);
	CU_ASSERT_STRING_EQUAL(prov.lab_clock, "2026-11-18T11:06:40Z");
	CU_ASSERT_PTR_NOT_NULL(strstr(prov.command_line, "'it'\\''s'"));
	CU_ASSERT_EQUAL(strncmp(prov.openssl, "OpenSSL ", 8), 0);
	CU_ASSERT_EQUAL(strncmp(prov.ldns, "ldns ", 5), 0);

	CU_ASSERT_EQUAL_FATAL(dl_report_json(json, &m, r, 1, &err), 0);
	struct dl_jv *doc = parse_file(json);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(schema_violations(doc), 0);
	const struct dl_jv *p = dl_jv_get(doc, "provenance");
	CU_ASSERT_STRING_EQUAL(dl_jv_str(dl_jv_get(p, "client"), "version", ""), "3.10.1");
	CU_ASSERT_STRING_EQUAL(dl_jv_str(dl_jv_get(p, "adapter"), "options", ""),
	    "root=/opt/postfix-3.10");
	CU_ASSERT_EQUAL(dl_jv_num(p, "lab_clock_epoch", 0), 1795000000);
	CU_ASSERT_STRING_EQUAL(dl_jv_str(dl_jv_get(p, "danelab"), "version", ""), DL_VERSION);
	dl_jv_free(doc);

	/* The schema requires it: a report without provenance is not one. */
	m.prov = NULL;
	CU_ASSERT_EQUAL_FATAL(dl_report_json(json, &m, r, 1, &err), 0);
	doc = parse_file(json);
	CU_ASSERT(schema_check(doc, false) > 0);
	dl_jv_free(doc);
	m.prov = &prov;

	CU_ASSERT_EQUAL_FATAL(dl_report_junit(xml, &m, r, 1, &err), 0);
	CU_ASSERT_EQUAL_FATAL(dl_read_file(xml, &b), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "<property name=\"client\" value=\"Postfix 3.10.1 "
	    "(OpenSSL 3.0.15)\"/>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "value=\"danelab run --now 1795000000 "
	    "&apos;it&apos;\\&apos;&apos;s&apos;\""));
	dl_buf_reset(&b);
	CU_ASSERT_EQUAL_FATAL(dl_report_tap_prov(tap, &m, r, 1, &err), 0);
	CU_ASSERT_EQUAL_FATAL(dl_read_file(tap, &b), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "1..1\n# danelab: " DL_VERSION " (commit "));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "# adapter: postfix [root=/opt/postfix-3.10]\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "# lab clock: 2026-11-18T11:06:40Z (--now 1795000000)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "\nok 1 - t1\n"));

	dl_buf_free(&b);
	dl_provenance_free(&prov);
	dl_case_free(c);
	dl_diag_free(&d);
	free(json);
	free(xml);
	free(tap);
}

static void
test_adapter_options(void)
{
	char *e = dl_adapter_option_env("root=/opt/x=y");

	CU_ASSERT_STRING_EQUAL(e, "DANELAB_ADAPTER_ROOT=/opt/x=y");
	free(e);
	e = dl_adapter_option_env("tls_lib2=");
	CU_ASSERT_STRING_EQUAL(e, "DANELAB_ADAPTER_TLS_LIB2=");
	free(e);
	CU_ASSERT_PTR_NULL(dl_adapter_option_env("root"));
	CU_ASSERT_PTR_NULL(dl_adapter_option_env("=x"));
	CU_ASSERT_PTR_NULL(dl_adapter_option_env("Root=x"));
	CU_ASSERT_PTR_NULL(dl_adapter_option_env("a-b=x"));
	CU_ASSERT_PTR_NULL(dl_adapter_option_env("PATH=x"));
}

/* The reference adapter: caps declares "root"; --expect replaces NAME.expect. */
static void
test_adapter_expect_and_caps(void)
{
	struct dl_adapter a;
	struct dl_err err;
	char *env[] = { "PATH=/usr/bin:/bin", NULL };
	char *exp = dl_xasprintf("%s/mine.expect", cu_tmpdir());
	const char *text = "# our baseline\ntlsa-*  xfail  not yet\n";
	struct dl_words ok = { 0 }, bad = { 0 };

	CU_ASSERT_EQUAL_FATAL(dl_write_file(exp, text, strlen(text)), 0);
	int rc = dl_adapter_open(&a, "reference", ".", exp, env, &err);
	if (rc < 0)
		fprintf(stderr, "%s\n", err.msg);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(a.expect_path, exp);
	CU_ASSERT_EQUAL(a.n_deviations, 1);
	CU_ASSERT_PTR_NOT_NULL(dl_adapter_deviation(&a, "tlsa-usable-match"));
	CU_ASSERT_PTR_NULL(dl_adapter_deviation(&a, "dnssec-secure-tlsa-enforced"));
	CU_ASSERT_STRING_EQUAL(a.client_name, "dl-client (the danelab build above)");
	dl_words_push(&ok, "root=/x");
	dl_words_push(&bad, "chroot=/x");
	CU_ASSERT_EQUAL(dl_adapter_check_options(&a, &ok, &err), 0);
	CU_ASSERT_EQUAL(dl_adapter_check_options(&a, &bad, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "accepts only: root"));
	dl_adapter_close(&a);
	/* A baseline named on the command line must exist. */
	CU_ASSERT_EQUAL(dl_adapter_open(&a, "reference", ".", "/nonexistent.expect", env,
	    &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "--expect /nonexistent.expect"));
	/* Without --expect: NAME.expect beside the adapter. */
	CU_ASSERT_EQUAL_FATAL(dl_adapter_open(&a, "reference", ".", NULL, env, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(a.expect_path ? a.expect_path : "",
	    "runner/adapters/reference.expect"));
	dl_adapter_close(&a);
	dl_words_free(&ok);
	dl_words_free(&bad);
	free(exp);
}

static const struct dl_case_change *
change_of(const struct dl_report_diff *d, const char *key)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->v[i].key, key) == 0)
			return &d->v[i];
	return NULL;
}

static void
test_diff_recorded_reports(void)
{
	struct dl_jv *o = parse_file("tests/data/reports/postfix-3.7.json");
	struct dl_jv *n = parse_file("tests/data/reports/postfix-3.10.json");
	struct dl_report_diff d;
	struct dl_err err;
	struct dl_buf md = DL_BUF_INIT;

	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	/* The recorded reports are reports: they pass the schema. */
	CU_ASSERT_EQUAL(schema_violations(o), 0);
	CU_ASSERT_EQUAL(schema_violations(n), 0);
	CU_ASSERT_EQUAL_FATAL(dl_report_diff(o, n, &d, &err), 0);
	CU_ASSERT_EQUAL(d.count[DL_CH_REGRESSION], 3);
	CU_ASSERT_EQUAL(d.count[DL_CH_FIX], 2);
	CU_ASSERT_EQUAL(d.count[DL_CH_REASONS], 1);
	CU_ASSERT_EQUAL(d.count[DL_CH_NEW], 1);
	CU_ASSERT_EQUAL(d.count[DL_CH_REMOVED], 1);
	CU_ASSERT_EQUAL(d.unchanged, 1);
	const struct dl_case_change *c = change_of(&d, "case-regresses");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->kind, DL_CH_REGRESSION);
	CU_ASSERT_STRING_EQUAL(c->old_verdict, "pass");
	CU_ASSERT_STRING_EQUAL(c->new_verdict, "fail");
	CU_ASSERT_EQUAL(change_of(&d, "case-starts-erroring")->kind, DL_CH_REGRESSION);
	CU_ASSERT_EQUAL(change_of(&d, "case-was-unsupported")->kind, DL_CH_REGRESSION);
	CU_ASSERT_EQUAL(change_of(&d, "case-xfail-to-xpass")->kind, DL_CH_FIX);
	CU_ASSERT_EQUAL(change_of(&d, "case-fixed")->kind, DL_CH_FIX);
	CU_ASSERT_PTR_NULL(change_of(&d, "case-stays-pass"));
	dl_report_diff_markdown(&d, "old.json", "new.json", &md);
	CU_ASSERT_PTR_NOT_NULL(strstr(md.data, "### danelab: regressions found\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(md.data, "| new | new.json | postfix, Postfix 3.10.1 |"));
	CU_ASSERT_PTR_NOT_NULL(strstr(md.data, "| `case-regresses` | PASS | FAIL | cases/r.case:12: "
	    "got delivered mx1 tls, want deferred \\| delivered mx1 dane |"));
	CU_ASSERT_PTR_NOT_NULL(strstr(md.data, "#### Removed cases (1)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(md.data, "was: cases/y.case:4: got delivered mx1 cleartext"));
	dl_report_diff_free(&d);

	/* The other way round the regressions are fixes, and nothing regresses
	   against itself. */
	CU_ASSERT_EQUAL_FATAL(dl_report_diff(n, o, &d, &err), 0);
	CU_ASSERT_EQUAL(change_of(&d, "case-regresses")->kind, DL_CH_FIX);
	CU_ASSERT_EQUAL(change_of(&d, "case-fixed")->kind, DL_CH_REGRESSION);
	dl_report_diff_free(&d);
	CU_ASSERT_EQUAL_FATAL(dl_report_diff(o, o, &d, &err), 0);
	CU_ASSERT_EQUAL(d.n, 0);
	dl_buf_reset(&md);
	dl_report_diff_markdown(&d, "a", "a", &md);
	CU_ASSERT_PTR_NOT_NULL(strstr(md.data, "### danelab: no regression\n"));
	dl_report_diff_free(&d);

	/* Anything else is refused with the reason. */
	struct dl_jv *junk = dl_jv_parse("{\"cases\":[]}", 12, NULL, 0);
	CU_ASSERT_EQUAL(dl_report_diff(junk, n, &d, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "old report: not a danelab JSON report"));
	dl_jv_free(junk);
	dl_buf_free(&md);
	dl_jv_free(o);
	dl_jv_free(n);
}

/* A new case author's mistakes, reported at their line (cases/FORMAT.md). */
static void
test_lint_disposition_lines(void)
{
	const char *head = "id t1\ntitle T\nrequire 7672-2.2-b\nlevel required\n"
	    "host mx1 smtp\nzone @ secure\n    @ MX 10 mx1\n    mx1 A $ADDR(mx1)\n"
	    "send policy=dane\n";
	const char *tails[] = {
		"expect delivered mx1 dane\nexpect mx1 refused | deferred\n",
		"expect delivered mx1 dane\nexpect deferred\n",
		"expect delivered mx1 dane | deferred\nexpect mx1 sni=mx1\n",
	};
	const char *want[] = {
		"cases/t1.case:11: a disposition (delivered, deferred, bounced) mixed into '|'",
		"cases/t1.case:11: a second disposition expectation for delivery 1 (the first "
		    "is line 10)",
		NULL,
	};

	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		struct dl_diag d = { 0 };
		char *text = dl_xasprintf("%s%s", head, tails[i]);
		struct dl_case *c = dl_case_parse_text("cases/t1.case", text, &d);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		dl_expect_lint(c, &d);
		const char *got = d.text.data ? d.text.data : "";
		if (want[i]) {
			CU_ASSERT_PTR_NOT_NULL(strstr(got, want[i]));
		} else {
			CU_ASSERT_STRING_EQUAL(got, "");
		}
		dl_case_free(c);
		dl_diag_free(&d);
		free(text);
	}
}

static const struct cu_test tests[] = {
	{ "lint_disposition_lines", test_lint_disposition_lines },
	{ "provenance_in_reports", test_provenance_in_reports },
	{ "adapter_options", test_adapter_options },
	{ "adapter_expect_and_caps", test_adapter_expect_and_caps },
	{ "diff_recorded_reports", test_diff_recorded_reports },
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	return cu_main(argc, argv, "ci", tests);
}
