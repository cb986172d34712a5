/*
 * smtp_parse.c -- see smtp_parse.h.
 */
#include "servers/smtp_parse.h"

#include <string.h>
#include <strings.h>

#include "util/utf8.h"

static const char *const verb_names[] = {
	[SMTP_V_UNKNOWN] = "unknown", [SMTP_V_EHLO] = "EHLO",
	[SMTP_V_HELO] = "HELO", [SMTP_V_STARTTLS] = "STARTTLS",
	[SMTP_V_MAIL] = "MAIL", [SMTP_V_RCPT] = "RCPT", [SMTP_V_DATA] = "DATA",
	[SMTP_V_BDAT] = "BDAT", [SMTP_V_RSET] = "RSET", [SMTP_V_NOOP] = "NOOP",
	[SMTP_V_QUIT] = "QUIT", [SMTP_V_VRFY] = "VRFY", [SMTP_V_EXPN] = "EXPN",
	[SMTP_V_HELP] = "HELP", [SMTP_V_AUTH] = "AUTH",
};

static const char *const syntax_names[] = {
	[SMTP_SYN_OK] = "ok", [SMTP_SYN_EMPTY] = "empty",
	[SMTP_SYN_BAD_BYTE] = "bad-byte", [SMTP_SYN_UNKNOWN_VERB] = "unknown-verb",
	[SMTP_SYN_MISSING_ARG] = "missing-argument",
	[SMTP_SYN_EXTRA_ARG] = "unexpected-argument",
	[SMTP_SYN_BAD_PATH] = "bad-path",
	[SMTP_SYN_PATH_TOO_LONG] = "path-too-long",
};

const char *
smtp_verb_name(enum smtp_verb v)
{
	if ((size_t)v >= sizeof(verb_names) / sizeof(verb_names[0]))
		return "unknown";
	return verb_names[v];
}

const char *
smtp_syntax_name(enum smtp_syntax s)
{
	if ((size_t)s >= sizeof(syntax_names) / sizeof(syntax_names[0]))
		return "unknown";
	return syntax_names[s];
}

enum smtp_line_kind
smtp_next_line(const char *buf, size_t len, size_t max, const char **line,
    size_t *line_len, size_t *consumed)
{
	size_t scan = len < max ? len : max;
	const char *lf = scan ? memchr(buf, '\n', scan) : NULL;

	*line = buf;
	if (lf != NULL) {
		size_t n = (size_t)(lf - buf);
		*consumed = n + 1;
		if (n > 0 && buf[n - 1] == '\r')
			n--;
		*line_len = n;
		return SMTP_LINE_FULL;
	}
	if (max > 0 && len >= max) {
		*line_len = max;
		*consumed = max;
		return SMTP_LINE_PART;
	}
	*line_len = 0;
	*consumed = 0;
	return SMTP_LINE_NONE;
}

struct verb_entry {
	const char *word;
	enum smtp_verb verb;
	bool needs_arg;
	bool takes_arg;
};

static const struct verb_entry verbs[] = {
	{ "EHLO", SMTP_V_EHLO, true, true },
	{ "HELO", SMTP_V_HELO, true, true },
	{ "STARTTLS", SMTP_V_STARTTLS, false, false },
	{ "MAIL", SMTP_V_MAIL, true, true },
	{ "RCPT", SMTP_V_RCPT, true, true },
	{ "DATA", SMTP_V_DATA, false, false },
	{ "BDAT", SMTP_V_BDAT, true, true },
	{ "RSET", SMTP_V_RSET, false, false },
	{ "NOOP", SMTP_V_NOOP, false, true },
	{ "QUIT", SMTP_V_QUIT, false, false },
	{ "VRFY", SMTP_V_VRFY, true, true },
	{ "EXPN", SMTP_V_EXPN, true, true },
	{ "HELP", SMTP_V_HELP, false, true },
	{ "AUTH", SMTP_V_AUTH, true, true },
};

/* Split "FROM:<path> params" (after the verb) for MAIL/RCPT. */
static enum smtp_syntax
parse_path(struct smtp_cmd *cmd, const char *prefix)
{
	size_t plen = strlen(prefix);
	const char *a = cmd->arg;
	size_t n = cmd->arg_len;

	if (n < plen || strncasecmp(a, prefix, plen) != 0)
		return SMTP_SYN_MISSING_ARG;
	a += plen;
	n -= plen;
	/* Tolerate "FROM: <x>" which many clients send. */
	while (n > 0 && *a == ' ') {
		a++;
		n--;
	}
	if (n == 0 || *a != '<')
		return SMTP_SYN_BAD_PATH;
	const char *close = memchr(a + 1, '>', n - 1);
	if (close == NULL)
		return SMTP_SYN_BAD_PATH;
	size_t pl = (size_t)(close - a - 1);
	for (size_t i = 0; i < pl; i++)
		if (a[1 + i] == '<' || a[1 + i] == ' ')
			return SMTP_SYN_BAD_PATH;
	if (pl + 2 > SMTP_PATH_MAX)
		return SMTP_SYN_PATH_TOO_LONG;
	cmd->path = a + 1;
	cmd->path_len = pl;
	a = close + 1;
	n -= pl + 2;
	if (n > 0 && *a != ' ')
		return SMTP_SYN_BAD_PATH;
	while (n > 0 && *a == ' ') {
		a++;
		n--;
	}
	cmd->params = a;
	cmd->params_len = n;
	return SMTP_SYN_OK;
}

/*
 * Command lines are ASCII, except that the persona offers SMTPUTF8
 * (RFC 6531): a MAIL or RCPT path may then hold UTF-8 (an address with
 * U-labels), well-formed only.
 */
static enum smtp_syntax
check_bytes(const char *line, size_t len, bool path_utf8)
{
	const char *open = path_utf8 ? memchr(line, '<', len) : NULL;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];
		size_t u;
		if (c >= 0x80 && open && line + i > open &&
		    (u = dl_utf8_len((const unsigned char *)line + i, len - i)) > 0) {
			i += u - 1;
			continue;
		}
		if (c == 0 || c >= 0x80 || (c < 0x20 && c != '\t'))
			return SMTP_SYN_BAD_BYTE;
	}
	return SMTP_SYN_OK;
}

enum smtp_syntax
smtp_parse_cmd(const char *line, size_t len, struct smtp_cmd *cmd)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->arg = line + len;
	cmd->path = cmd->params = line + len;
	if (len == 0)
		return cmd->syntax = SMTP_SYN_EMPTY;

	size_t wl = 0;
	while (wl < len && line[wl] != ' ')
		wl++;
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strlen(verbs[i].word) == wl &&
		    strncasecmp(line, verbs[i].word, wl) == 0) {
			cmd->verb = verbs[i].verb;
			break;
		}
	}
	if (check_bytes(line, len, cmd->verb == SMTP_V_MAIL || cmd->verb == SMTP_V_RCPT) !=
	    SMTP_SYN_OK)
		return cmd->syntax = SMTP_SYN_BAD_BYTE;
	if (cmd->verb == SMTP_V_UNKNOWN)
		return cmd->syntax = SMTP_SYN_UNKNOWN_VERB;

	const struct verb_entry *e = NULL;
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (verbs[i].verb == cmd->verb)
			e = &verbs[i];
	size_t as = wl < len ? wl + 1 : len;
	cmd->arg = line + as;
	cmd->arg_len = len - as;
	/* Trailing blanks are not an argument (some clients send "DATA "). */
	while (cmd->arg_len > 0 && (cmd->arg[cmd->arg_len - 1] == ' ' ||
	    cmd->arg[cmd->arg_len - 1] == '\t'))
		cmd->arg_len--;
	if (e->needs_arg && cmd->arg_len == 0)
		return cmd->syntax = SMTP_SYN_MISSING_ARG;
	if (!e->takes_arg && cmd->arg_len > 0)
		return cmd->syntax = SMTP_SYN_EXTRA_ARG;
	if (cmd->verb == SMTP_V_MAIL)
		return cmd->syntax = parse_path(cmd, "FROM:");
	if (cmd->verb == SMTP_V_RCPT)
		return cmd->syntax = parse_path(cmd, "TO:");
	return cmd->syntax = SMTP_SYN_OK;
}

int
smtp_parse_reply(const char *line, size_t len, int *code, bool *last,
    const char **text, size_t *text_len)
{
	if (len < 3)
		return -1;
	for (int i = 0; i < 3; i++)
		if (line[i] < '0' || line[i] > '9')
			return -1;
	if (line[0] < '1' || line[0] > '5')
		return -1;
	*code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	if (len == 3) {
		*last = true;
		*text = line + 3;
		*text_len = 0;
		return 0;
	}
	if (line[3] != ' ' && line[3] != '-')
		return -1;
	*last = line[3] == ' ';
	*text = line + 4;
	*text_len = len - 4;
	return 0;
}

int
smtp_take_reply(const char *buf, size_t len, int *code, size_t *consumed)
{
	size_t off = 0;

	for (;;) {
		const char *line, *text;
		size_t ll, used, tl;
		bool last;
		enum smtp_line_kind k = smtp_next_line(buf + off, len - off,
		    SMTP_REPLY_LINE_MAX, &line, &ll, &used);
		if (k == SMTP_LINE_NONE)
			return 0;
		if (k == SMTP_LINE_PART ||
		    smtp_parse_reply(line, ll, code, &last, &text, &tl) < 0)
			return -1;
		off += used;
		if (last) {
			*consumed = off;
			return 1;
		}
	}
}

bool
smtp_ehlo_has_keyword(const char *text, size_t len, const char *kw)
{
	size_t kl = strlen(kw);

	if (len < kl || strncasecmp(text, kw, kl) != 0)
		return false;
	return len == kl || text[kl] == ' ' || text[kl] == '\t';
}
