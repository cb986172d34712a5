/*
 * smtp_parse.h -- SMTP line framing and command/reply parsing.
 *
 * Pure functions over byte ranges (no I/O, no allocation) so that the
 * server, the attacker proxy, the load generator and the libFuzzer target
 * share one parser.  Everything read from the network goes through here
 * first; the limits are RFC 5321 section 4.5.3.1.
 */
#ifndef DL_SMTP_PARSE_H
#define DL_SMTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#define SMTP_CMD_LINE_MAX  512   /* command line incl. CRLF (4.5.3.1.4) */
#define SMTP_TEXT_LINE_MAX 1000  /* text line incl. CRLF (4.5.3.1.6) */
#define SMTP_REPLY_LINE_MAX 512  /* reply line incl. CRLF (4.5.3.1.5) */
#define SMTP_PATH_MAX      256   /* reverse/forward path (4.5.3.1.3) */

enum smtp_line_kind {
	SMTP_LINE_NONE = 0, /* no complete line yet: read more */
	SMTP_LINE_FULL,     /* a line ended by LF (CR stripped) */
	SMTP_LINE_PART,     /* `max` bytes without LF: a fragment of an overlong line */
};

/*
 * Frame the next line of buf[0..len).  A line is at most `max` bytes
 * including its line end; longer input is returned in fragments of `max`
 * bytes (SMTP_LINE_PART) so that a caller never needs more buffer than
 * `max`.  The caller remembers that it is inside an overlong line; the
 * FULL line that follows a PART is that line's tail.  *consumed is how many
 * bytes to drop from buf.  Bare LF ends a line too (logged by callers).
 */
enum smtp_line_kind smtp_next_line(const char *buf, size_t len, size_t max,
	const char **line, size_t *line_len, size_t *consumed);

/* Commands a mock server understands; one string table (smtp_verb_name). */
enum smtp_verb {
	SMTP_V_UNKNOWN = 0,
	SMTP_V_EHLO,
	SMTP_V_HELO,
	SMTP_V_STARTTLS,
	SMTP_V_MAIL,
	SMTP_V_RCPT,
	SMTP_V_DATA,
	SMTP_V_BDAT,
	SMTP_V_RSET,
	SMTP_V_NOOP,
	SMTP_V_QUIT,
	SMTP_V_VRFY,
	SMTP_V_EXPN,
	SMTP_V_HELP,
	SMTP_V_AUTH,
};
const char *smtp_verb_name(enum smtp_verb v);

/* Why a command line is not a well-formed command; one string table. */
enum smtp_syntax {
	SMTP_SYN_OK = 0,
	SMTP_SYN_EMPTY,        /* empty line */
	SMTP_SYN_BAD_BYTE,     /* NUL, non-ASCII or control byte */
	SMTP_SYN_UNKNOWN_VERB,
	SMTP_SYN_MISSING_ARG,  /* EHLO without domain, MAIL without FROM: */
	SMTP_SYN_EXTRA_ARG,    /* STARTTLS foo, DATA x, QUIT y */
	SMTP_SYN_BAD_PATH,     /* MAIL FROM:/RCPT TO: without a <path> */
	SMTP_SYN_PATH_TOO_LONG,
};
const char *smtp_syntax_name(enum smtp_syntax s);

struct smtp_cmd {
	enum smtp_verb verb;
	enum smtp_syntax syntax;
	const char *arg;      /* everything after the verb and one space */
	size_t arg_len;
	const char *path;     /* MAIL/RCPT: the path between < > (may be empty) */
	size_t path_len;
	const char *params;   /* MAIL/RCPT: ESMTP parameters after the path */
	size_t params_len;
};

/*
 * Parse one command line (without CRLF).  Always fills cmd (verb is the
 * recognised verb even when syntax != OK, so a server can answer 501 rather
 * than 500).  Returns cmd->syntax.  Pointers point into `line`.
 */
enum smtp_syntax smtp_parse_cmd(const char *line, size_t len,
	struct smtp_cmd *cmd);

/*
 * Parse one reply line ("250-text", "250 text" or "250").  Returns 0 and
 * sets *code (100..599) and *last (false for a continuation line, "NNN-"),
 * or -1 when the line is not a reply line.  *text points after the
 * separator.
 */
int smtp_parse_reply(const char *line, size_t len, int *code, bool *last,
	const char **text, size_t *text_len);

/*
 * Frame one whole (multi-line) reply at the start of buf[0..len): returns 1
 * and sets *code (the last line's) and *consumed (all its lines), 0 when
 * the reply is not complete yet, -1 when a line is not a reply line or is
 * longer than SMTP_REPLY_LINE_MAX.
 */
int smtp_take_reply(const char *buf, size_t len, int *code, size_t *consumed);

/* True if an EHLO keyword line's text is `kw` (case-insensitive, params ignored). */
bool smtp_ehlo_has_keyword(const char *text, size_t len, const char *kw);

#endif
