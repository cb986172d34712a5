/*
 * fuzz_smtp_parser.c -- libFuzzer target for the SMTP parser the servers,
 * the attacker relay and the load generator share (servers/smtp_parse.h),
 * and for the persona configuration parser.
 *
 * The input is framed into lines exactly as a connection's input buffer
 * would be (command and text limits, overlong fragments); every line goes
 * through the command and reply parsers, whose outputs must stay inside
 * the line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "servers/persona.h"
#include "servers/smtp_parse.h"

static void
check_cmd(const char *line, size_t len)
{
	struct smtp_cmd c;

	smtp_parse_cmd(line, len, &c);
	if (c.arg < line || c.arg + c.arg_len > line + len)
		abort();
	if (c.path < line || c.path + c.path_len > line + len)
		abort();
	if (c.params < line || c.params + c.params_len > line + len)
		abort();
	(void)smtp_verb_name(c.verb);
	(void)smtp_syntax_name(c.syntax);
}

static void
check_reply(const char *line, size_t len)
{
	const char *text;
	size_t tl;
	int code;
	bool last;

	if (smtp_parse_reply(line, len, &code, &last, &text, &tl) == 0) {
		if (code < 100 || code > 599 || text + tl > line + len)
			abort();
		(void)smtp_ehlo_has_keyword(text, tl, "STARTTLS");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	size_t off = 0;
	/* The first byte picks the framing limit, as the two session states do. */
	size_t max = size > 0 && (data[0] & 1) ? SMTP_TEXT_LINE_MAX : SMTP_CMD_LINE_MAX;

	while (off < size) {
		const char *line;
		size_t len, used;
		enum smtp_line_kind k = smtp_next_line(buf + off, size - off, max,
		    &line, &len, &used);
		if (k == SMTP_LINE_NONE) {
			check_cmd(buf + off, size - off);
			break;
		}
		if (used == 0 || used > size - off || len > used)
			abort();
		check_cmd(line, len);
		check_reply(line, len);
		off += used;
	}

	/* The same bytes as a persona configuration: errors, never crashes. */
	struct persona_set set;
	struct dl_err err;
	if (persona_conf_parse(buf, size, "fuzz.conf", &set, &err) == 0)
		persona_set_free(&set);
	return 0;
}
