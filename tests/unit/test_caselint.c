/*
 * test_caselint.c -- a case file is untrusted input (cases/FORMAT.md): each
 * way one could crash the runner, escape its directories, reach a shell,
 * an MTA or daemon configuration, another case's world, a terminal or a
 * report is a file:line error at lint.  Also the limits, the case walk,
 * duplicate ids and the report escaping.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runner/case.h"
#include "runner/case_internal.h"
#include "runner/case_world.h"
#include "runner/caseset.h"
#include "runner/catalog.h"
#include "runner/judge.h"
#include "runner/report.h"
#include "tests/unit/cu.h"
#include "tests/unit/lint.h"
#include "util/buf.h"
#include "util/utf8.h"

static const char *const good_case =
    "id       t1\n"
    "title    A test case\n"
    "require  7672-2.2-b\n"
    "level    required\n"
    "tags     a b\n"
    "cert ee1 key=K1 san=mx1\n"
    "note     one\n"
    "zone @ secure server=fault\n"
    "    @             MX    10 mx1\n"
    "    mx1           A     $ADDR(mx1)\n"
    "    _25._tcp.mx1  TLSA  3 1 1 $TLSA(ee1 1 1)\n"
    "    $DNSFAULT mx2 A servfail\n"
    "host mx1 smtp chain=ee1\n"
    "host mx2 closed\n"
    "send policy=dane\n"
    "expect delivered mx1 dane\n";

static void
test_good_case_clean(void)
{
	char *lint = lint_text(good_case);

	CU_ASSERT_STRING_EQUAL(lint, "");
	if (lint[0])
		fprintf(stderr, "%s", lint);
	free(lint);
}

/* Each hostile line, and the message it must produce ("" = accepted). */
static const struct lint_vector vectors[] = {
	/* Path traversal through names that become file names. */
	{ "host mx1 smtp chain=ee1\n", "host ../../../../tmp/x smtp chain=ee1\n",
	    "cases/t1.case:13: bad host label \"../../../../tmp/x\"" },
	{ "cert ee1 key=K1 san=mx1\n", "cert ../ee1 key=K1\n", "cases/t1.case:6: bad cert id" },
	{ "cert ee1 key=K1 san=mx1\n", "cert ee1 key=../../K1\n", "cases/t1.case:6: bad key=" },
	{ "host mx1 smtp chain=ee1\n", "host mx1 smtp chain=ee1 sni:../../x=ee1\n",
	    "cases/t1.case:13: bad SNI name \"../../x\"" },
	/* sni: without =CERT (crashed lint and run). */
	{ "host mx1 smtp chain=ee1\n", "host mx1 smtp chain=ee1 sni:mx1\n",
	    "cases/t1.case:13: bad \"sni:mx1\", expected sni:NAME=CERT" },
	{ "host mx1 smtp chain=ee1\n", "host mx1 smtp chain=ee1 sni:mx1=\n",
	    "cases/t1.case:13: bad \"sni:mx1=\"" },
	/* Shell code for repro.sh. */
	{ "send policy=dane\n", "send rcpt=a'$(touch${IFS}/tmp/x)'b@@\n",
	    "cases/t1.case:15: bad rcpt=a'$(touch${IFS}/tmp/x)'b@@, expected LOCAL@DOMAIN" },
	{ "send policy=dane\n", "send from=`id`@danelab.invalid\n", "" },
	{ "send policy=dane\n", "send from=a;b@danelab.invalid\n", "cases/t1.case:15: bad from=" },
	/* Exim expansion through the recipient domain, relay and fallback. */
	{ "send policy=dane\n", "send policy=dane-only rcpt=user@${run,preexpand{/bin/touch"
	    "${substr{4}{1}{$tod_full}}/tmp/marker}}\n", "cases/t1.case:15: bad recipient domain" },
	{ "send policy=dane\n", "send relay=${run{/bin/true}}:25\n", "cases/t1.case:15: bad relay=" },
	{ "send policy=dane\n", "send fallback=$tod_full\n", "cases/t1.case:15: bad fallback=" },
	{ "send policy=dane\n", "send rcpt=user@a\\\\b\n", "bad recipient domain" },
	/* NSD configuration through a zone name. */
	{ "zone @ secure server=fault\n", "zone x\"zonefile:\"README.md\"# secure server=fault\n",
	    "cases/t1.case:8: bad zone name" },
	{ "zone @ secure server=fault\n", "zone . secure server=fault\n",
	    "cases/t1.case:8: bad zone name \".\"" },
	{ "zone @ secure server=fault\n", "zone other.test. secure server=fault\n",
	    "cases/t1.case:8: bad zone name \"other.test.\": an absolute name outside the case apex" },
	{ "zone @ secure server=fault\n", "zone t1.test. secure server=fault\n", "" },
	/* Another case's names: rcpt, relay, fallback, check, fault owners. */
	{ "send policy=dane\n", "send policy=may rcpt=user@tlsa-mixed-usable-unusable-match.test.\n",
	    "outside the case apex" },
	{ "send policy=dane\n", "send relay=relay.other.test.:25\n", "outside the case apex" },
	{ "send policy=dane\n", "send fallback=mx.other.test.\n", "outside the case apex" },
	{ "send policy=dane\n", "send rcpt=user@mx1.t1.test.\n", "" },
	{ "send policy=dane\n", "send rcpt=user@mx1.T1.TEST.\n", "" },
	{ "send policy=dane\n", "send rcpt=user@xt1.test.\n", "outside the case apex" },
	{ "send policy=dane\n", "send from=x@other.example\n", "cases/t1.case:15: bad from=" },
	{ "send policy=dane\n", "send from=x@mx1.t1.test\n", "" },
	{ "send policy=dane\n", "send policy=dane\ncheck x.other.test. A secure\n",
	    "cases/t1.case:16: bad check name" },
	{ "    $DNSFAULT mx2 A servfail\n", "    $DNSFAULT mx1.other.test. A servfail\n",
	    "cases/t1.case:12: bad owner" },
	/* Two '@': the runner and the adapters would split differently. */
	{ "send policy=dane\n", "send rcpt=a@b@c\n", "cases/t1.case:15: bad rcpt=a@b@c: more than one '@'" },
	{ "send policy=dane\n", "send rcpt=\"a@b\"@@\n", "cases/t1.case:15: bad rcpt=" },
	{ "send policy=dane\n", "send rcpt=a..b@@\n", "cases/t1.case:15: bad rcpt=" },
	{ "send policy=dane\n", "send rcpt=@@\n", "cases/t1.case:15: bad rcpt=" },
	/* Internationalised domains stay possible (UTF-8, IDNA2008). */
	{ "send policy=dane\n", "send rcpt=user@b\xc3\xbc" "cher\n", "" },
	{ "send policy=dane\n", "send rcpt=user@b\xfc" "cher\n",
	    "cases/t1.case:15: invalid UTF-8 at column 17" },
	/* Control characters toward the terminal, the XML and Markdown. */
	{ "title    A test case\n", "title    A \x1b[31mred\x1b[0m case\n",
	    "cases/t1.case:2: control character at column 12" },
	{ "note     one\n", "note     a\x07" "bell\n", "cases/t1.case:7: control character" },
	{ "tags     a b\n", "tags     a \x1b]0;x\x07\n", "cases/t1.case:5: control character" },
	{ "expect delivered mx1 dane\n", "expect delivered mx1 dane\nexpect log-matches a\x1b" "b\n",
	    "cases/t1.case:17: control character" },
	{ "title    A test case\n", "title    A \x7f case\n", "cases/t1.case:2: control character" },
	{ "title    A test case\n", "title    A \xed\xa0\x80 surrogate\n", "cases/t1.case:2: invalid UTF-8" },
	/* What the mock servers and the fault proxy refuse: this case's error. */
	{ "host mx1 smtp chain=ee1\n", "host mx1 smtp\n",
	    "cases/t1.case:13: host mx1: the mock SMTP server refuses it: persona 't1/mx1' answers "
	    "220 to STARTTLS but has no certificate" },
	{ "host mx1 smtp chain=ee1\n", "host mx1 smtp no-starttls\n", "" },
	{ "    $DNSFAULT mx2 A servfail\n", "    $DNSFAULT mx1 BOGUSTYPE servfail\n",
	    "cases/t1.case:12: unknown type \"BOGUSTYPE\"" },
	{ "    $DNSFAULT mx2 A servfail\n", "    $DNSFAULT mx1 A forge mx1 A 1.2.3\n",
	    "cases/t1.case:12: the fault DNS proxy refuses this rule: forge needs one record" },
	{ "    $DNSFAULT mx2 A servfail\n", "    $DNSFAULT mx1 A forge mx1 A 192.0.2.1\n", "" },
	/* Checks: a real type and status. */
	{ "send policy=dane\n", "send policy=dane\ncheck mx1 A secrue\n",
	    "cases/t1.case:16: unknown status \"secrue\"" },
	{ "send policy=dane\n", "send policy=dane\ncheck mx1 AAAAA secure\n",
	    "cases/t1.case:16: unknown type \"AAAAA\"" },
	{ "send policy=dane\n", "send policy=dane\ncheck mx1 A secure\n", "" },
	/* Record data leading into another case's world. */
	{ "    mx1           A     $ADDR(mx1)\n", "    mx1           A     127.16.0.1\n",
	    "cases/t1.case:10: record data with a literal per-case lab address" },
	{ "    mx1           A     $ADDR(mx1)\n", "    mx1 AAAA fdda:9e1a:b000:1:5::1\n",
	    "cases/t1.case:10: record data with a literal per-case lab address" },
	{ "    @             MX    10 mx1\n", "    @ MX 10 mx1.tlsa-usable-match.test.\n",
	    "cases/t1.case:9: record data with a name of the lab's case space test. outside" },
	{ "    @             MX    10 mx1\n", "    @ CNAME other.test.\n", "outside the case apex" },
	{ "    @             MX    10 mx1\n", "    @ MX 10 mx1.t1.test.\n", "" },
	{ "    @             MX    10 mx1\n", "    @ MX 10 mx.example.\n", "" },
	{ "    mx1           A     $ADDR(mx1)\n", "    mx1 A 127.0.99.1\n", "" },
	{ "    $DNSFAULT mx2 A servfail\n", "    $DNSFAULT @ MX forge @ 300 IN MX 10 mx1.victim.test.\n",
	    "cases/t1.case:12: forged data with a name of the lab's case space" },
	{ "    $DNSFAULT mx2 A servfail\n", "    $DNSFAULT mx2 A forge mx2 A 127.16.1.1\n",
	    "cases/t1.case:12: forged data with a literal per-case lab address" },
	/* Ports. */
	{ "send policy=dane\n", "send relay=mx1:99999\n", "a port that is not 1-65535" },
	{ "send policy=dane\n", "send relay=mx1:25x\n", "a port that is not 1-65535" },
	{ "send policy=dane\n", "send relay=mx1:2525\n", "" },
};

static void
test_hostile_lines(void)
{
	/* Nothing of a control character may reach the messages either. */
	lint_vectors(good_case, vectors, sizeof(vectors) / sizeof(vectors[0]), true);
}

/* A NUL does not end the file: it is an error where it is. */
static void
test_nul_byte(void)
{
	static const char text[] = "id t1\ntitle a\0b\nrequire 7672-2.2-b\n";
	char *lint = lint_mem(text, sizeof(text) - 1);

	CU_ASSERT_PTR_NOT_NULL(strstr(lint, "cases/t1.case:2: NUL byte at column 8"));
	/* The lines after the NUL are read: the require line counted. */
	CU_ASSERT_PTR_NULL(strstr(lint, "missing key \"require\""));
	free(lint);
}

/* No id, binary garbage: errors, never a crash. */
static void
test_garbage(void)
{
	unsigned char junk[512];
	unsigned s = 12345;

	for (size_t i = 0; i < sizeof(junk); i++) {
		s = s * 1103515245u + 12345u;
		junk[i] = (unsigned char)(s >> 16);
	}
	char *lint = lint_mem((const char *)junk, sizeof(junk));
	CU_ASSERT_PTR_NOT_NULL(strstr(lint, "cases/t1.case: missing key \"id\""));
	free(lint);
	lint = lint_text("title no id\nhost mx1 smtp\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(lint, "missing key \"id\""));
	free(lint);
}

static void
test_limits(void)
{
	struct dl_buf b = DL_BUF_INIT;
	char *lint;

	/* A line too long. */
	dl_buf_printf(&b, "%stitle ", good_case);
	for (int i = 0; i < DL_CASE_MAX_LINE; i++)
		dl_buf_addc(&b, 'x');
	dl_buf_addc(&b, '\n');
	lint = lint_text(b.data);
	CU_ASSERT_PTR_NOT_NULL(strstr(lint, "cases/t1.case:17: line of 4102 bytes, expected at most"));
	free(lint);

	/* Too many hosts. */
	dl_buf_reset(&b);
	dl_buf_adds(&b, good_case);
	for (int i = 0; i < DL_CASE_MAX_HOSTS; i++)
		dl_buf_printf(&b, "host h%d closed\n", i);
	lint = lint_text(b.data);
	CU_ASSERT_PTR_NOT_NULL(strstr(lint, "cases/t1.case:115: too many hosts, expected at most 100"));
	free(lint);

	/* Too many records. */
	dl_buf_reset(&b);
	dl_buf_adds(&b, good_case);
	dl_buf_adds(&b, "zone r secure\n");
	for (int i = 0; i < DL_CASE_MAX_RECORDS; i++)
		dl_buf_printf(&b, "    h%d A 192.0.2.1\n", i);
	lint = lint_text(b.data);
	CU_ASSERT_PTR_NOT_NULL(strstr(lint, "too many records and fault rules, expected at most 1000"));
	/* Reported once, not once per record. */
	CU_ASSERT_PTR_NULL(strstr(strstr(lint, "too many records") + 1, "too many records"));
	free(lint);

	/* 16,000 note lines (took 24 s when notes were joined quadratically). */
	dl_buf_reset(&b);
	dl_buf_adds(&b, good_case);
	for (int i = 0; i < 16000; i++)
		dl_buf_adds(&b, "note this is one more line of a very long note\n");
	lint = lint_text(b.data);
	CU_ASSERT_PTR_NOT_NULL(strstr(lint, "notes too long, expected at most 8192 bytes"));
	CU_ASSERT_PTR_NULL(strstr(strstr(lint, "notes too long") + 1, "notes too long"));
	free(lint);

	/* Too many expectations, checks, zones, certs, words. */
	static const struct {
		const char *head, *tail, *want; /* head N tail, N = 0, 1, ... */
		int n;
	} many[] = {
		{ "expect mx2 untouched # ", "\n", "too many expect lines", DL_CASE_MAX_EXPECTS },
		{ "check mx1 A secure # ", "\n", "too many check lines", DL_CASE_MAX_CHECKS },
		{ "zone z", " secure\n", "too many zones", DL_CASE_MAX_ZONES },
		{ "cert c", "\n", "too many certs", DL_CASE_MAX_CERTS },
		{ "tags t", "\n", "too many \"tags\" words", DL_CASE_MAX_WORDS },
	};
	for (size_t k = 0; k < sizeof(many) / sizeof(many[0]); k++) {
		dl_buf_reset(&b);
		dl_buf_adds(&b, good_case);
		for (int i = 0; i <= many[k].n; i++)
			dl_buf_printf(&b, "%s%d%s", many[k].head, i, many[k].tail);
		lint = lint_text(b.data);
		CU_ASSERT_PTR_NOT_NULL(strstr(lint, many[k].want));
		if (!strstr(lint, many[k].want))
			fprintf(stderr, "limit %zu: want \"%s\" in:\n%.500s", k, many[k].want, lint);
		free(lint);
	}

	/* A file too big: refused before it is read as a case. */
	char *path = dl_xasprintf("%s/big.case", cu_tmpdir());
	dl_buf_reset(&b);
	while (b.len <= DL_CASE_MAX_BYTES)
		dl_buf_adds(&b, "# padding padding padding padding padding padding\n");
	CU_ASSERT_EQUAL_FATAL(dl_write_file(path, b.data, b.len), 0);
	struct dl_diag d = { 0 };
	CU_ASSERT_PTR_NULL(dl_case_parse_file(path, &d));
	CU_ASSERT_PTR_NOT_NULL(d.text.data ? strstr(d.text.data, "expected at most 65536") : NULL);
	dl_diag_free(&d);
	free(path);
	dl_buf_free(&b);
}

static void
test_name_grammar(void)
{
	static const struct {
		const char *name;
		unsigned flags;
		bool ok;
	} t[] = {
		{ "@", 0, true }, { "mx1", 0, true }, { "_25._tcp.mx1", 0, true },
		{ "t1.test.", 0, true }, { "a.t1.test.", 0, true }, { "a.T1.Test.", 0, true },
		{ "xt1.test.", 0, false }, { "test.", 0, false }, { ".", 0, false },
		{ "", 0, false }, { "a..b", 0, false }, { ".a", 0, false }, { "a/b", 0, false },
		{ "a b", 0, false }, { "a\"b", 0, false }, { "${x}", 0, false }, { "a\\b", 0, false },
		{ "*.mx", 0, false }, { "*.mx", CW_NAME_WILD, true }, { "m*", CW_NAME_WILD, true },
		{ "other.invalid.", CW_NAME_ANYWHERE, true }, { "b\xc3\xbc" "cher", 0, false },
		{ "b\xc3\xbc" "cher", CW_NAME_IDN, true },
		{ "x123456789012345678901234567890123456789012345678901234567890123", 0, false },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		bool ok = cw_name_check(t[i].name, "t1", t[i].flags) == NULL;
		CU_ASSERT_EQUAL(ok, t[i].ok);
		if (ok != t[i].ok)
			fprintf(stderr, "name %zu \"%s\": got %d\n", i, t[i].name, ok);
	}
	CU_ASSERT_TRUE(dl_case_label_ok("mx1-cert"));
	CU_ASSERT_FALSE(dl_case_label_ok("a.b"));
	CU_ASSERT_FALSE(dl_case_label_ok(".."));
	CU_ASSERT_FALSE(dl_case_label_ok("-x"));
	CU_ASSERT_TRUE(cw_local_ok("a.b+c", 5));
	CU_ASSERT_FALSE(cw_local_ok("a(b", 3));
	CU_ASSERT_FALSE(cw_local_ok("a@b", 3));
	int port = 0;
	CU_ASSERT_EQUAL(cw_port_parse("2525", &port), 0);
	CU_ASSERT_EQUAL(port, 2525);
	CU_ASSERT_EQUAL(cw_port_parse("0", &port), -1);
	CU_ASSERT_EQUAL(cw_port_parse("-1", &port), -1);
	CU_ASSERT_EQUAL(cw_port_parse("99999", &port), -1);
}

static void
write_case(const char *dir, const char *name, const char *id)
{
	char *path = dl_xasprintf("%s/%s", dir, name);
	char *text = dl_xasprintf("id %s\ntitle x\nrequire 7672-2.2-b\nlevel required\n"
	    "scenario extra\nzone @ secure\nexpect deferred\n", id);

	CU_ASSERT_EQUAL(dl_write_file(path, text, strlen(text)), 0);
	free(text);
	free(path);
}

/* Duplicate ids: both cases carry the error (the run refuses them). */
static void
test_duplicate_ids(void)
{
	char *a = dl_xasprintf("%s/a", cu_tmpdir()), *b = dl_xasprintf("%s/b", cu_tmpdir());
	struct dl_catalog cat = { 0 };
	struct dl_caseset set;

	CU_ASSERT_EQUAL_FATAL(mkdir(a, 0755), 0);
	CU_ASSERT_EQUAL_FATAL(mkdir(b, 0755), 0);
	write_case(a, "same.case", "same");
	write_case(b, "same.case", "same");
	char *paths[] = { a, b };
	dl_caseset_load(&set, paths, 2, &cat);
	CU_ASSERT_EQUAL_FATAL(set.n, 2);
	for (size_t i = 0; i < 2; i++)
		CU_ASSERT_PTR_NOT_NULL(strstr(set.problems[i], "duplicate id \"same\""));
	dl_caseset_free(&set);
	free(a);
	free(b);
}

/* Symbolic links back up the tree: the walk ends, and says why. */
static void
test_symlink_loop(void)
{
	char *dir = dl_xasprintf("%s/cases", cu_tmpdir());
	char *l1 = dl_xasprintf("%s/x", dir), *l2 = dl_xasprintf("%s/y", dir);
	struct dl_catalog cat = { 0 };
	struct dl_caseset set;

	CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0755), 0);
	write_case(dir, "one.case", "one");
	CU_ASSERT_EQUAL(symlink(".", l1), 0);
	CU_ASSERT_EQUAL(symlink(".", l2), 0);
	char *paths[] = { dir };
	dl_caseset_load(&set, paths, 1, &cat);
	CU_ASSERT_EQUAL(set.n, 1);
	CU_ASSERT_PTR_NOT_NULL(set.global.text.data ?
	    strstr(set.global.text.data, "directory loop") : NULL);
	dl_caseset_free(&set);
	free(l1);
	free(l2);
	free(dir);
}

/* Whatever reaches a report (client logs are untrusted too) stays valid XML. */
static void
test_junit_escaping(void)
{
	struct dl_diag d = { 0 };
	struct dl_case *c = dl_case_parse_text("cases/t1.case", good_case, &d);
	struct dl_case_result r = { .c = c, .verdict = DL_V_FAIL,
	    .reasons = "cases/t1.case:9: got b\xfc" "cher \x1b[31m\xc3\xbc\xed\xa0\x80\x7f\n",
	    .observed = "x\xff\xfe", .expected = "deferred", .repeat = 1 };
	struct dl_report_meta m = { .adapter = "reference", .started = "2026-11-28T00:00:00Z",
	    .duration_ms = 1, .jobs = 1 };
	struct dl_err err;
	char *junit = dl_xasprintf("%s/r.xml", cu_tmpdir());
	struct dl_buf b = DL_BUF_INIT;

	CU_ASSERT_EQUAL_FATAL(dl_report_junit(junit, &m, &r, 1, &err), 0);
	CU_ASSERT_EQUAL_FATAL(dl_read_file(junit, &b), 0);
	for (size_t i = 0; i < b.len;) {
		unsigned char ch = (unsigned char)b.data[i];
		size_t u = ch >= 0x80 ? dl_utf8_len((unsigned char *)b.data + i, b.len - i) : 1;
		CU_ASSERT_FATAL(u > 0);
		CU_ASSERT(ch >= 0x20 || ch == '\n' || ch == '\t');
		CU_ASSERT(ch != 0x7f);
		i += u;
	}
	/* Well-formed UTF-8 passes through. */
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "\xc3\xbc"));
	dl_buf_free(&b);
	free(junit);
	dl_case_free(c);
	dl_diag_free(&d);
}

static const struct cu_test tests[] = {
	{ "good_case_clean", test_good_case_clean },
	{ "hostile_lines", test_hostile_lines },
	{ "nul_byte", test_nul_byte },
	{ "garbage", test_garbage },
	{ "limits", test_limits },
	{ "name_grammar", test_name_grammar },
	{ "duplicate_ids", test_duplicate_ids },
	{ "symlink_loop", test_symlink_loop },
	{ "junit_escaping", test_junit_escaping },
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	return cu_main(argc, argv, "caselint", tests);
}
