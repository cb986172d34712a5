/*
 * test_smtpd.c -- servers/: the SMTP parser, the persona configuration
 * parser (every error message) and the evidence writer.
 */
#include <stdlib.h>
#include <string.h>

#include "servers/evidence.h"
#include "servers/persona.h"
#include "servers/smtp_parse.h"
#include "runner/case.h"
#include "runner/evidence.h"
#include "tests/unit/cu.h"
#include "util/json.h"

static void
test_line_framing(void)
{
	const char *line;
	size_t len, used;
	char big[600];

	CU_ASSERT_EQUAL(smtp_next_line("EHLO x\r\nQUIT", 12, 512, &line, &len,
	    &used), SMTP_LINE_FULL);
	CU_ASSERT_EQUAL(len, 6);
	CU_ASSERT_EQUAL(used, 8);
	CU_ASSERT_EQUAL(smtp_next_line("QUIT", 4, 512, &line, &len, &used),
	    SMTP_LINE_NONE);
	CU_ASSERT_EQUAL(smtp_next_line("a\nb", 3, 512, &line, &len, &used),
	    SMTP_LINE_FULL);
	CU_ASSERT_EQUAL(len, 1); /* bare LF ends a line too */
	memset(big, 'A', sizeof(big));
	CU_ASSERT_EQUAL(smtp_next_line(big, sizeof(big), 512, &line, &len, &used),
	    SMTP_LINE_PART);
	CU_ASSERT_EQUAL(used, 512);
}

static void
test_parse_commands(void)
{
	struct smtp_cmd c;

	CU_ASSERT_EQUAL(smtp_parse_cmd("ehlo client.test", 16, &c), SMTP_SYN_OK);
	CU_ASSERT_EQUAL(c.verb, SMTP_V_EHLO);
	CU_ASSERT_EQUAL(c.arg_len, 11);
	const char *m = "MAIL FROM:<a@b.test> SIZE=10 BODY=8BITMIME";
	CU_ASSERT_EQUAL(smtp_parse_cmd(m, strlen(m), &c), SMTP_SYN_OK);
	CU_ASSERT_EQUAL(c.path_len, 8);
	CU_ASSERT(strncmp(c.path, "a@b.test", 8) == 0);
	CU_ASSERT(strncmp(c.params, "SIZE=10", 7) == 0);
	CU_ASSERT_EQUAL(smtp_parse_cmd("MAIL FROM:<>", 12, &c), SMTP_SYN_OK);
	CU_ASSERT_EQUAL(c.path_len, 0);
	CU_ASSERT_EQUAL(smtp_parse_cmd("RCPT TO: <x@y>", 14, &c), SMTP_SYN_OK);
	CU_ASSERT_EQUAL(smtp_parse_cmd("STARTTLS", 8, &c), SMTP_SYN_OK);
	CU_ASSERT_EQUAL(c.verb, SMTP_V_STARTTLS);
	CU_ASSERT_EQUAL(smtp_parse_cmd("DATA ", 5, &c), SMTP_SYN_OK);
}

static void
test_parse_bad_commands(void)
{
	static const struct {
		const char *line;
		enum smtp_syntax want;
		enum smtp_verb verb;
	} t[] = {
		{ "", SMTP_SYN_EMPTY, SMTP_V_UNKNOWN },
		{ "FOO bar", SMTP_SYN_UNKNOWN_VERB, SMTP_V_UNKNOWN },
		{ "EHLO", SMTP_SYN_MISSING_ARG, SMTP_V_EHLO },
		{ "STARTTLS now", SMTP_SYN_EXTRA_ARG, SMTP_V_STARTTLS },
		{ "MAIL TO:<x>", SMTP_SYN_MISSING_ARG, SMTP_V_MAIL },
		{ "MAIL FROM:x@y", SMTP_SYN_BAD_PATH, SMTP_V_MAIL },
		{ "RCPT TO:<a b>", SMTP_SYN_BAD_PATH, SMTP_V_RCPT },
		{ "RCPT TO:<x@y", SMTP_SYN_BAD_PATH, SMTP_V_RCPT },
		{ "EHLO a\x01", SMTP_SYN_BAD_BYTE, SMTP_V_EHLO },
		{ "EHLO \xc3\xa9", SMTP_SYN_BAD_BYTE, SMTP_V_EHLO },
		{ "RCPT TO:<u@b\xc3\xbc" "cher.test>", SMTP_SYN_OK, SMTP_V_RCPT },
		{ "RCPT TO:<u@b\xc3" "cher.test>", SMTP_SYN_BAD_BYTE, SMTP_V_RCPT },
		{ "RCPT \xc3\xbcTO:<u@test>", SMTP_SYN_BAD_BYTE, SMTP_V_RCPT },
	};
	struct smtp_cmd c;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CU_ASSERT_EQUAL(smtp_parse_cmd(t[i].line, strlen(t[i].line), &c),
		    t[i].want);
		CU_ASSERT_EQUAL(c.verb, t[i].verb);
	}
	char nul[] = "EHLO a\0b";
	CU_ASSERT_EQUAL(smtp_parse_cmd(nul, 8, &c), SMTP_SYN_BAD_BYTE);
	char longpath[400] = "MAIL FROM:<";
	memset(longpath + 11, 'a', 300);
	strcpy(longpath + 311, ">");
	CU_ASSERT_EQUAL(smtp_parse_cmd(longpath, strlen(longpath), &c),
	    SMTP_SYN_PATH_TOO_LONG);
	CU_ASSERT_STRING_EQUAL(smtp_syntax_name(SMTP_SYN_BAD_PATH), "bad-path");
}

static void
test_parse_replies(void)
{
	const char *text;
	size_t tl;
	int code;
	bool last;

	CU_ASSERT_EQUAL(smtp_parse_reply("250-STARTTLS", 12, &code, &last, &text,
	    &tl), 0);
	CU_ASSERT_EQUAL(code, 250);
	CU_ASSERT_FALSE(last);
	CU_ASSERT_TRUE(smtp_ehlo_has_keyword(text, tl, "STARTTLS"));
	CU_ASSERT_EQUAL(smtp_parse_reply("220", 3, &code, &last, &text, &tl), 0);
	CU_ASSERT_TRUE(last);
	CU_ASSERT_EQUAL(smtp_parse_reply("25 x", 4, &code, &last, &text, &tl), -1);
	CU_ASSERT_EQUAL(smtp_parse_reply("650 x", 5, &code, &last, &text, &tl), -1);
	CU_ASSERT_EQUAL(smtp_parse_reply("250x", 4, &code, &last, &text, &tl), -1);
	CU_ASSERT_FALSE(smtp_ehlo_has_keyword("STARTTLSX", 9, "STARTTLS"));
	CU_ASSERT_TRUE(smtp_ehlo_has_keyword("starttls", 8, "STARTTLS"));
}

/* Whole replies out of a buffer that holds parts of them. */
static void
test_take_reply(void)
{
	const char *two = "250-a\r\n250-b\r\n250 c\r\n354 go\r\n";
	char big[SMTP_REPLY_LINE_MAX + 10];
	size_t used = 0;
	int code = 0;

	CU_ASSERT_EQUAL(smtp_take_reply(two, strlen(two), &code, &used), 1);
	CU_ASSERT_EQUAL(code, 250);
	CU_ASSERT_EQUAL(used, 21);
	CU_ASSERT_EQUAL(smtp_take_reply(two + used, strlen(two) - used, &code, &used), 1);
	CU_ASSERT_EQUAL(code, 354);
	CU_ASSERT_EQUAL(used, 8);
	/* Not yet complete: a continuation line, or a line without its end. */
	CU_ASSERT_EQUAL(smtp_take_reply(two, 14, &code, &used), 0);
	CU_ASSERT_EQUAL(smtp_take_reply("220 x", 5, &code, &used), 0);
	CU_ASSERT_EQUAL(smtp_take_reply("", 0, &code, &used), 0);
	CU_ASSERT_EQUAL(smtp_take_reply("250-a\r\nxyz\r\n", 12, &code, &used), -1);
	memset(big, '5', sizeof(big));
	CU_ASSERT_EQUAL(smtp_take_reply(big, sizeof(big), &code, &used), -1);
}

static const char good_conf[] =
	"# a comment\n"
	"persona case1/mx1\n"
	"  listen 127.16.0.1 25\n"
	"  hostname mx1.case1.test\n"
	"  banner 220 mx1 ready\n"
	"  cert /x/chain.pem /x/key.pem leaf-mx1\n"
	"  sni mx1.case1.test /x/c2.pem /x/k2.pem\n"
	"  reply rcpt 450 4.2.0 try later\n"
	"  reply connect 554\n"
	"  delay starttls 200\n"
	"  silent eod\n"
	"  inject 250-PIPELINING\\r\\n\n"
	"  tls-min 1.2\n"
	"  tls-max 1.3\n"
	"persona case1/mx1-attacker\n"
	"  listen fdda:9e1a:b000:1:1::1 25\n"
	"  attack strip-starttls garble\n"
	"  relay 127.16.0.129 25\n";

static void
test_conf_good(void)
{
	struct persona_set set;
	struct dl_err err = { "" };

	int rc = persona_conf_parse(good_conf, strlen(good_conf), "t.conf", &set,
	    &err);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(set.n, 2);
	const struct persona *p = &set.v[0];
	CU_ASSERT_STRING_EQUAL(p->name, "case1/mx1");
	CU_ASSERT_EQUAL(p->port, 25);
	CU_ASSERT_STRING_EQUAL(p->cert.id, "leaf-mx1");
	CU_ASSERT_STRING_EQUAL(p->sni[0].cert.id, "c2.pem");
	CU_ASSERT_EQUAL(p->reply[STAGE_RCPT].code, 450);
	CU_ASSERT_EQUAL(p->banner.code, 554); /* reply connect = banner */
	CU_ASSERT_STRING_EQUAL(p->reply[STAGE_RCPT].text, "4.2.0 try later");
	CU_ASSERT_EQUAL(p->delay_ms[STAGE_STARTTLS], 200);
	CU_ASSERT_TRUE(p->silent[STAGE_EOD]);
	CU_ASSERT_EQUAL(p->inject_len, 16);
	CU_ASSERT(memcmp(p->inject, "250-PIPELINING\r\n", 16) == 0);
	CU_ASSERT_EQUAL(p->starttls_code, 220);
	const struct persona *a = &set.v[1];
	CU_ASSERT_EQUAL(a->role, ROLE_ATTACKER);
	CU_ASSERT_EQUAL(a->attack, ATTACK_STRIP_STARTTLS);
	CU_ASSERT_TRUE(a->attack_garble);
	CU_ASSERT_TRUE(a->relay);
	CU_ASSERT_STRING_EQUAL(a->relay_str, "127.16.0.129:25");
	persona_set_free(&set);
}

/* Each bad configuration and the exact start of its error message. */
static const struct {
	const char *conf;
	const char *want;
} bad_confs[] = {
	{ "listen 127.0.0.1 25\n", "b.conf:1: setting outside a persona, expected 'persona NAME' first" },
	{ "persona a\n frob 1\n", "b.conf:2: unknown keyword 'frob', expected a persona setting" },
	{ "persona\n", "b.conf:1: bad 'persona', expected 'persona NAME'" },
	{ "persona a\n listen 127.0.0.1\n", "b.conf:2: wrong number of arguments to 'listen', expected 'listen ADDR PORT'" },
	{ "persona a\n listen 127.0.0.1 99999\n", "b.conf:2: bad port '99999', expected 1..65535" },
	{ "persona a\n listen mx1 25\n", "b.conf:2: bad address 'mx1', expected an IPv4 or IPv6 literal" },
	{ "persona a\n listen 192.0.2.1 25\n", "b.conf:2: address 192.0.2.1 is outside the lab, expected 127.0.0.0/8, ::1 or fdda:9e1a:b000::/48" },
	{ "persona a\n listen 2001:db8::1 25\n", "b.conf:2: address 2001:db8::1 is outside the lab" },
	{ "persona a\n relay 10.0.0.1 25\n", "b.conf:2: address 10.0.0.1 is outside the lab" },
	{ "persona a\n banner 99 hi\n", "b.conf:2: bad reply code, expected a code 200..599" },
	{ "persona a\n reply helo 250\n", "b.conf:2: bad 'reply', expected 'reply STAGE CODE [TEXT]'" },
	{ "persona a\n delay mail soon\n", "b.conf:2: bad 'delay', expected 'delay STAGE MS'" },
	{ "persona a\n silent never\n", "b.conf:2: bad 'silent', expected 'silent STAGE'" },
	{ "persona a\n ehlo-ext\n", "b.conf:2: missing EHLO keyword, expected 'ehlo-ext KEYWORD [PARAMS]'" },
	{ "persona a\n starttls maybe\n", "b.conf:2: bad boolean, expected 'starttls yes' or 'starttls no'" },
	{ "persona a\n starttls-reply later\n", "b.conf:2: bad 'starttls-reply', expected a code 200..599 (220, 454, 502, ...) or 'close'" },
	{ "persona a\n tls-min 1.4\n", "b.conf:2: bad TLS version, expected 1.0, 1.1, 1.2 or 1.3" },
	{ "persona a\n tls-max ssl3\n", "b.conf:2: bad TLS version, expected 1.0, 1.1, 1.2 or 1.3" },
	{ "persona a\n ciphers\n", "b.conf:2: wrong number of arguments to 'ciphers', expected 'ciphers OPENSSL-CIPHER-LIST'" },
	{ "persona a\n ciphersuites a b\n", "b.conf:2: wrong number of arguments to 'ciphersuites'" },
	{ "persona a\n seclevel 9\n", "b.conf:2: bad 'seclevel', expected 0..5" },
	{ "persona a\n cert only.pem\n", "b.conf:2: wrong number of arguments to 'cert', expected 'cert CHAIN.pem KEY.pem [ID]'" },
	{ "persona a\n sni x c.pem\n", "b.conf:2: wrong number of arguments to 'sni', expected 'sni NAME CHAIN.pem KEY.pem [ID]'" },
	{ "persona a\n handshake-abort later\n", "b.conf:2: bad 'handshake-abort', expected 'handshake-abort close'" },
	{ "persona a\n handshake-abort alert boom\n", "b.conf:2: unknown alert, expected handshake_failure" },
	{ "persona a\n inject\n", "b.conf:2: missing text, expected 'inject TEXT'" },
	{ "persona a\n inject 250\\q\n", "b.conf:2: bad escape in 'inject', expected \\r, \\n, \\t, \\\\ or \\xHH" },
	{ "persona a\n role king\n", "b.conf:2: bad 'role', expected 'role server' or 'role attacker'" },
	{ "persona a\n attack nuke\n", "b.conf:2: bad 'attack', expected 'attack strip-starttls" },
	{ "persona a\n attack strip-starttls 200\n", "b.conf:2: bad refusal, expected a code 400..599 or 'garble'" },
	{ "persona a\n attack starttls-error x\n", "b.conf:2: bad code, expected a code 200..599" },
	{ "persona a\n listen 127.0.0.1 25\n starttls no\npersona a\n listen 127.0.0.2 25\n starttls no\n",
	  "b.conf:4: duplicate persona 'a' (first at line 1), expected unique names" },
	{ "persona a\n listen 127.0.0.1 25\n starttls no\npersona b\n listen 127.0.0.1 25\n starttls no\n",
	  "b.conf:4: persona 'b' listens on 127.0.0.1 port 25 like 'a' (line 1), expected one persona per address and port" },
	{ "persona a\n starttls no\n", "b.conf:1: persona 'a' has no listen address, expected 'listen ADDR PORT'" },
	{ "persona a\n listen 127.0.0.1 25\n role attacker\n", "b.conf:1: attacker 'a' has no attack, expected 'attack MODE'" },
	{ "persona a\n listen 127.0.0.1 25\n starttls no\n relay 127.0.0.2 25\n", "b.conf:1: persona 'a' relays but is no attacker" },
	{ "persona a\n listen 127.0.0.1 25\n attack passthrough\n", "b.conf:1: passthrough attacker 'a' has nowhere to relay, expected 'relay ADDR PORT'" },
	{ "persona a\n listen 127.0.0.1 25\n anon yes\n require-sni yes\n", "b.conf:1: persona 'a' requires SNI but maps no name" },
	{ "persona a\n listen 127.0.0.1 25\n anon yes\n tls-min 1.3\n tls-max 1.2\n", "b.conf:1: persona 'a' has tls-min above tls-max" },
	{ "persona a\n listen 127.0.0.1 25\n", "b.conf:1: persona 'a' answers 220 to STARTTLS but has no certificate" },
	{ "# nothing\n", "b.conf: no persona, expected at least one 'persona NAME' block" },
};

static void
test_conf_errors(void)
{
	for (size_t i = 0; i < sizeof(bad_confs) / sizeof(bad_confs[0]); i++) {
		struct persona_set set;
		struct dl_err err = { "" };
		int rc = persona_conf_parse(bad_confs[i].conf,
		    strlen(bad_confs[i].conf), "b.conf", &set, &err);
		CU_ASSERT_EQUAL(rc, -1);
		if (strncmp(err.msg, bad_confs[i].want, strlen(bad_confs[i].want))) {
			fprintf(stderr, "case %zu: got '%s', want '%s'\n", i, err.msg,
			    bad_confs[i].want);
			CU_FAIL("error message");
		}
	}
	/* A NUL byte in the file. */
	struct persona_set set;
	struct dl_err err;
	CU_ASSERT_EQUAL(persona_conf_parse("persona a\0x\n", 12, "n.conf", &set,
	    &err), -1);
	CU_ASSERT(strncmp(err.msg, "n.conf:1: NUL byte", 18) == 0);
}

static void
test_conf_defaults(void)
{
	const char *t = "persona p\n listen ::1 2525\n starttls no\n";
	struct persona_set set;
	struct dl_err err;

	CU_ASSERT_EQUAL_FATAL(persona_conf_parse(t, strlen(t), "d.conf", &set,
	    &err), 0);
	/* Not advertised and no explicit reply: STARTTLS is "not implemented". */
	CU_ASSERT_EQUAL(set.v[0].starttls_code, 502);
	CU_ASSERT_TRUE(set.v[0].pipelining);
	CU_ASSERT_EQUAL(set.v[0].seclevel, -1);
	persona_set_free(&set);
}

static void
test_evidence_render(void)
{
	struct evidence ev;
	struct dl_buf b = DL_BUF_INIT;
	char err[128];

	evidence_init(&ev, "case/mx1", "server");
	snprintf(ev.listen, sizeof(ev.listen), "127.16.0.1:25");
	ev_list_add(&ev.cmds_plain, "EHLO a", 6);
	ev_list_add(&ev.cmds_plain, "STARTTLS", 8);
	ev_list_add(&ev.cmds_tls, "EHLO \"q\"\x01", 9);
	char big[1000];
	memset(big, 'x', sizeof(big));
	ev_list_add(&ev.cmds_tls, big, sizeof(big));
	for (int i = 0; i < EV_MAX_ITEMS + 5; i++)
		ev_list_add(&ev.pipelined, "NOOP", 4);
	ev.starttls_requested = true;
	ev.starttls_reply = 220;
	ev.hs = HS_OK;
	ev.ehlo_tls = 1;
	snprintf(ev.tls_version, sizeof(ev.tls_version), "TLSv1.3");
	struct ev_txn *t = evidence_txn_new(&ev);
	t->mail_from = strdup("a@b");
	ev_list_add(&t->rcpt, "c@d", 3);
	t->accepted = true;
	t->in_tls = true;
	memset(t->sha256, 'a', 64);
	t->size = 42;
	ev.end = END_QUIT;
	evidence_render(&ev, &b);
	CU_ASSERT_EQUAL(b.data[b.len - 1], '\n');
	CU_ASSERT_PTR_NULL(memchr(b.data, '\n', b.len - 1)); /* one line */

	struct dl_jv *v = dl_jv_parse(b.data, b.len, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_STRING_EQUAL(dl_jv_str(v, "persona", ""), "case/mx1");
	CU_ASSERT_STRING_EQUAL(dl_jv_str(v, "end", ""), "quit");
	CU_ASSERT_STRING_EQUAL(dl_jv_str(v, "mail_from", ""), "a@b");
	CU_ASSERT_TRUE(dl_jv_bool(v, "data_accepted", false));
	CU_ASSERT_TRUE(dl_jv_bool(v, "message_tls", false));
	CU_ASSERT_EQUAL(dl_jv_num(v, "message_size", 0), 42);
	const struct dl_jv *st = dl_jv_get(v, "starttls");
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_EQUAL(dl_jv_num(st, "reply", 0), 220);
	CU_ASSERT_STRING_EQUAL(dl_jv_str(st, "handshake", ""), "ok");
	CU_ASSERT_TRUE(dl_jv_bool(st, "ehlo_after_tls", false));
	CU_ASSERT_EQUAL(dl_jv_get(st, "sni")->type, DL_JV_NULL);
	CU_ASSERT_EQUAL(dl_jv_get(st, "pipelined")->n, EV_MAX_ITEMS);
	const struct dl_jv *ct = dl_jv_get(v, "commands_tls");
	CU_ASSERT_STRING_EQUAL(ct->items[0]->str, "EHLO \"q\"\x01");
	CU_ASSERT_EQUAL(strlen(ct->items[1]->str), EV_MAX_LINE + 3);
	CU_ASSERT_EQUAL(dl_jv_get(v, "attacker")->type, DL_JV_NULL);
	dl_jv_free(v);
	dl_buf_free(&b);
	evidence_free(&ev);
}

static void
test_evidence_attacker_and_names(void)
{
	struct evidence ev;
	struct dl_buf b = DL_BUF_INIT;
	char err[128];

	evidence_init(&ev, "c/mx1", "attacker");
	ev.attack = attack_mode_name(ATTACK_SWAP_CERT);
	ev.relay = "127.16.0.129:25";
	ev_list_add(&ev.actions, "swapped-cert", 12);
	for (int i = 0; i < EV_MAX_TXN + 3; i++)
		evidence_txn_new(&ev);
	CU_ASSERT_EQUAL(ev.n_txn, EV_MAX_TXN);
	evidence_render(&ev, &b);
	struct dl_jv *v = dl_jv_parse(b.data, b.len, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	const struct dl_jv *a = dl_jv_get(v, "attacker");
	CU_ASSERT_STRING_EQUAL(dl_jv_str(a, "mode", ""), "swap-cert");
	CU_ASSERT_EQUAL(dl_jv_get(a, "actions")->n, 1);
	CU_ASSERT_EQUAL(dl_jv_get(v, "message_sha256")->type, DL_JV_NULL);
	dl_jv_free(v);
	dl_buf_free(&b);
	evidence_free(&ev);
	CU_ASSERT_STRING_EQUAL(conn_end_name(END_CLIENT_CLOSE_AFTER_HS_FAILURE),
	    "client-close-after-handshake-failure");
	CU_ASSERT_STRING_EQUAL(hs_result_name(HS_ABORTED), "aborted");
	CU_ASSERT_STRING_EQUAL(smtp_stage_name(STAGE_EOD), "eod");
}

/* Every field of the line set to something other than its default. */
static void
evidence_full(struct evidence *ev)
{
	evidence_init(ev, "c1/mx1", "attacker");
	snprintf(ev->listen, sizeof(ev->listen), "127.16.0.1:25");
	snprintf(ev->peer, sizeof(ev->peer), "127.0.0.1:40000");
	ev->start_ms = 1000;
	ev->end_ms = 1250;
	ev_list_add(&ev->cmds_plain, "EHLO a", 6);
	ev_list_add(&ev->cmds_plain, "STARTTLS", 8);
	ev_list_add(&ev->cmds_tls, "EHLO \"q\"\\\x01\xc3\xa9", 12);
	ev_list_add(&ev->cmds_tls, "QUIT", 4);
	ev_list_add(&ev->pipelined, "MAIL FROM:<a@b>", 15);
	ev->cmds_tls.truncated = true;
	ev->overlong_lines = 2;
	ev->bad_commands = 3;
	ev->ehlo_plain = 1;
	ev->ehlo_tls = 1;
	ev->starttls_offered = true;
	ev->starttls_requested = true;
	ev->starttls_reply = 220;
	ev->injected = true;
	ev->hs = HS_OK;
	snprintf(ev->hs_error, sizeof(ev->hs_error), "none really");
	snprintf(ev->tls_version, sizeof(ev->tls_version), "TLSv1.3");
	snprintf(ev->cipher, sizeof(ev->cipher), "TLS_AES_256_GCM_SHA384");
	ev->resumed = true;
	ev->sni_seen = true;
	snprintf(ev->sni, sizeof(ev->sni), "MX1.c1.test.");
	ev->chain_id = "leaf";
	ev->chain_json = "[{\"subject\":\"CN=mx1\",\"sha256\":\"ab\"}]";
	ev->starttls_in_tls = true;
	struct ev_txn *t = evidence_txn_new(ev);
	t->mail_from = strdup("x@y");
	t->final_code = 451;
	t = evidence_txn_new(ev);
	t->mail_from = strdup("a@b");
	ev_list_add(&t->rcpt, "c@d", 3);
	ev_list_add(&t->rcpt, "e@f", 3);
	t->rcpt_accepted = 2;
	t->in_tls = true;
	t->data_started = true;
	t->accepted = true;
	t->final_code = 250;
	memset(t->sha256, 'a', 64);
	t->size = 42;
	t->message_id = strdup("<m@y>");
	ev->end = END_QUIT;
	ev->reset_in_data = true;
	ev->attack = "swap-cert";
	ev->relay = "127.16.0.129:25";
	ev->relay_connected = true;
	ev_list_add(&ev->actions, "swapped-cert", 12);
}

/*
 * The line's bytes are a contract (servers/EVIDENCE.md) with runner/evidence.c
 * and with every evidence file kept from earlier runs: a change to the writer
 * must not change one byte of it.
 */
static void
test_evidence_bytes(void)
{
	static const char want[] =
	    "{\"v\":1,\"persona\":\"c1/mx1\",\"role\":\"attacker\","
	    "\"listen\":\"127.16.0.1:25\",\"peer\":\"127.0.0.1:40000\","
	    "\"start_ms\":1000,\"end_ms\":1250,\"commands_plain\":[\"EHLO a\","
	    "\"STARTTLS\"],"
	    "\"commands_tls\":[\"EHLO \\\"q\\\"\\\\\\u0001\xc3\xa9" "\","
	    "\"QUIT\"],\"commands_truncated\":true,\"overlong_lines\":2,"
	    "\"bad_commands\":3,\"ehlo_before_tls\":true,"
	    "\"starttls\":{\"offered\":true,\"requested\":true,\"reply\":220,"
	    "\"injected\":true,\"pipelined\":[\"MAIL FROM:<a@b>\"],"
	    "\"handshake\":\"ok\",\"error\":\"none really\","
	    "\"version\":\"TLSv1.3\",\"cipher\":\"TLS_AES_256_GCM_SHA384\","
	    "\"resumed\":true,\"sni\":\"MX1.c1.test.\",\"chain_id\":\"leaf\","
	    "\"chain\":[{\"subject\":\"CN=mx1\",\"sha256\":\"ab\"}],"
	    "\"ehlo_after_tls\":true,\"second_starttls\":true},"
	    "\"mail_from\":\"a@b\",\"rcpt_to\":[\"c@d\",\"e@f\"],"
	    "\"data_accepted\":true,"
	    "\"message_sha256\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
	    "\"message_size\":42,\"message_tls\":true,"
	    "\"transactions\":[{\"mail_from\":\"x@y\",\"rcpt_to\":[],"
	    "\"rcpt_accepted\":0,\"tls\":false,\"data_started\":false,"
	    "\"accepted\":false,\"final_code\":451,\"sha256\":null,\"size\":0,"
	    "\"message_id\":null},{\"mail_from\":\"a@b\",\"rcpt_to\":[\"c@d\","
	    "\"e@f\"],\"rcpt_accepted\":2,\"tls\":true,\"data_started\":true,"
	    "\"accepted\":true,\"final_code\":250,"
	    "\"sha256\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
	    "\"size\":42,\"message_id\":\"<m@y>\"}],\"end\":\"quit\","
	    "\"reset_in_data\":true,\"attacker\":{\"mode\":\"swap-cert\","
	    "\"relay\":\"127.16.0.129:25\",\"relay_connected\":true,"
	    "\"actions\":[\"swapped-cert\"]}}\n";
	struct evidence ev;
	struct dl_buf b = DL_BUF_INIT;

	evidence_full(&ev);
	evidence_render(&ev, &b);
	dl_buf_addc(&b, '\0');
	CU_ASSERT_STRING_EQUAL(b.data, want);
	dl_buf_free(&b);

	/* No transaction and no TLS: the nulls and the empty lists. */
	evidence_init(&ev, "c1/mx2", "server");
	evidence_render(&ev, &b);
	dl_buf_addc(&b, '\0');
	CU_ASSERT_STRING_EQUAL(b.data,
	    "{\"v\":1,\"persona\":\"c1/mx2\",\"role\":\"server\","
	    "\"listen\":\"\",\"peer\":\"\",\"start_ms\":0,\"end_ms\":0,"
	    "\"commands_plain\":[],\"commands_tls\":[],"
	    "\"commands_truncated\":false,\"overlong_lines\":0,"
	    "\"bad_commands\":0,\"ehlo_before_tls\":false,"
	    "\"starttls\":{\"offered\":false,\"requested\":false,"
	    "\"reply\":null,\"injected\":false,\"pipelined\":[],"
	    "\"handshake\":\"none\",\"error\":null,\"version\":null,"
	    "\"cipher\":null,\"resumed\":false,\"sni\":null,\"chain_id\":null,"
	    "\"chain\":null,\"ehlo_after_tls\":false,"
	    "\"second_starttls\":false},\"mail_from\":null,\"rcpt_to\":[],"
	    "\"data_accepted\":false,\"message_sha256\":null,"
	    "\"message_size\":0,\"message_tls\":false,\"transactions\":[],"
	    "\"end\":\"none\",\"reset_in_data\":false,\"attacker\":null}\n");
	dl_buf_free(&b);
	evidence_free(&ev);
}

/* What runner/evidence.c reads back from the line the servers write. */
static void
test_evidence_read_by_runner(void)
{
	struct dl_case_host hosts[2] = { { .label = "mx1" }, { .label = "mx2" } };
	struct dl_case c = { .id = "c1", .hosts = hosts, .n_hosts = 2 };
	struct dl_case_world w = { .c = &c, .apex = "c1.test." };
	struct dl_observed o = { 0 };
	struct dl_buf lines = DL_BUF_INIT, mine = DL_BUF_INIT;
	struct evidence ev;

	evidence_full(&ev);
	evidence_render(&ev, &lines);
	evidence_free(&ev);
	evidence_init(&ev, "c1/mx2/backend", "server");
	ev.end = END_CLIENT_CLOSE;
	evidence_render(&ev, &lines);
	evidence_free(&ev);
	evidence_init(&ev, "c11/mx1", "server"); /* another case's */
	evidence_render(&ev, &lines);
	evidence_free(&ev);

	CU_ASSERT_EQUAL(dl_evidence_personas(&w, lines.data, &o, &mine), 0);
	CU_ASSERT_EQUAL_FATAL(o.n_conns, 2);
	const struct dl_conn *a = &o.conns[0], *k = &o.conns[1];
	CU_ASSERT_EQUAL(a->host, 0);
	CU_ASSERT_FALSE(a->backend);
	CU_ASSERT_TRUE(a->starttls_requested);
	CU_ASSERT_TRUE(a->tls);
	CU_ASSERT_TRUE(a->sni_present);
	CU_ASSERT_STRING_EQUAL(a->sni, "mx1.c1.test");
	CU_ASSERT_TRUE(a->ehlo_after_tls);
	CU_ASSERT_TRUE(a->second_starttls);
	CU_ASSERT_TRUE(a->pipelined_after_starttls);
	CU_ASSERT_TRUE(a->mail_from);
	CU_ASSERT_TRUE(a->mail_in_clear); /* the first transaction was not in TLS */
	CU_ASSERT_TRUE(a->data_accepted);
	CU_ASSERT_TRUE(a->quit);
	CU_ASSERT_STRING_EQUAL(a->end, "quit");
	CU_ASSERT_EQUAL(k->host, 1);
	CU_ASSERT_TRUE(k->backend);
	CU_ASSERT_FALSE(k->starttls_requested);
	CU_ASSERT_FALSE(k->sni_present);
	CU_ASSERT_FALSE(k->mail_from);
	CU_ASSERT_STRING_EQUAL(k->end, "client-close");
	/* The case's own lines are kept, the other case's are not. */
	CU_ASSERT_PTR_NULL(strstr(mine.data, "c11/"));
	CU_ASSERT_PTR_NOT_NULL(strstr(mine.data, "c1/mx2/backend"));
	dl_observed_free(&o);
	dl_buf_free(&lines);
	dl_buf_free(&mine);
}

static const struct cu_test tests[] = {
	{ "line_framing", test_line_framing },
	{ "parse_commands", test_parse_commands },
	{ "parse_bad_commands", test_parse_bad_commands },
	{ "parse_replies", test_parse_replies },
	{ "take_reply", test_take_reply },
	{ "conf_good", test_conf_good },
	{ "conf_errors", test_conf_errors },
	{ "conf_defaults", test_conf_defaults },
	{ "evidence_render", test_evidence_render },
	{ "evidence_attacker_and_names", test_evidence_attacker_and_names },
	{ "evidence_bytes", test_evidence_bytes },
	{ "evidence_read_by_runner", test_evidence_read_by_runner },
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	return cu_main(argc, argv, "smtpd", tests);
}
