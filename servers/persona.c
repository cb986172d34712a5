/*
 * persona.c -- the persona configuration parser (see persona.h and
 * servers/PERSONAS.md for the format).
 */
#include "servers/persona.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"

#define MAX_WORDS 8

static const char *const stage_names[] = {
	[STAGE_CONNECT] = "connect", [STAGE_EHLO] = "ehlo",
	[STAGE_STARTTLS] = "starttls", [STAGE_MAIL] = "mail",
	[STAGE_RCPT] = "rcpt", [STAGE_DATA] = "data", [STAGE_EOD] = "eod",
	[STAGE_QUIT] = "quit",
};

static const char *const attack_names[] = {
	[ATTACK_NONE] = "none", [ATTACK_STRIP_STARTTLS] = "strip-starttls",
	[ATTACK_STARTTLS_ERROR] = "starttls-error",
	[ATTACK_SWAP_CERT] = "swap-cert", [ATTACK_PASSTHROUGH] = "passthrough",
};

const char *
smtp_stage_name(enum smtp_stage s)
{
	return (unsigned)s < STAGE_COUNT ? stage_names[s] : "unknown";
}

const char *
attack_mode_name(enum attack_mode m)
{
	return (unsigned)m <= ATTACK_PASSTHROUGH ? attack_names[m] : "unknown";
}

/* One tokenised config line. */
struct cline {
	const char *file;
	int line;
	char *words[MAX_WORDS];
	int n;
	const char *rest[MAX_WORDS]; /* the raw text from word i to the end */
};

static int
cerr(const struct cline *c, struct dl_err *err, const char *what,
    const char *expected)
{
	return dl_errf(err, "%s:%d: %s, expected %s", c->file, c->line, what,
	    expected);
}

static int
parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

static int
parse_bool(const char *s, bool *out)
{
	if (strcmp(s, "yes") == 0 || strcmp(s, "on") == 0) {
		*out = true;
		return 0;
	}
	if (strcmp(s, "no") == 0 || strcmp(s, "off") == 0) {
		*out = false;
		return 0;
	}
	return -1;
}

static bool
lab_addr_ok(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		return (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	}
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
	static const unsigned char ula[6] = { 0xfd, 0xda, 0x9e, 0x1a, 0xb0, 0x00 };
	return IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr) ||
	    memcmp(s6->sin6_addr.s6_addr, ula, sizeof(ula)) == 0;
}

int
persona_parse_addr(const char *addr, const char *port,
    struct sockaddr_storage *ss, socklen_t *len, struct dl_err *err)
{
	int p;

	memset(ss, 0, sizeof(*ss));
	if (parse_int(port, 1, 65535, &p) < 0)
		return dl_errf(err, "bad port '%s', expected 1..65535", port);
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)p);
		*len = sizeof(*s4);
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)p);
		*len = sizeof(*s6);
	} else {
		return dl_errf(err, "bad address '%s', expected an IPv4 or IPv6 "
		    "literal", addr);
	}
	/* Hard rule: the lab never talks to anything outside its ranges. */
	if (!lab_addr_ok(ss))
		return dl_errf(err, "address %s is outside the lab, expected "
		    "127.0.0.0/8, ::1 or fdda:9e1a:b000::/48", addr);
	return 0;
}

/* Decode C-style escapes (\r \n \t \\ \xHH) of `inject`. */
static int
unescape(const char *s, char **out, size_t *out_len)
{
	struct dl_buf b = DL_BUF_INIT;

	for (; *s; s++) {
		if (*s != '\\') {
			dl_buf_addc(&b, *s);
			continue;
		}
		s++;
		switch (*s) {
		case 'r': dl_buf_addc(&b, '\r'); break;
		case 'n': dl_buf_addc(&b, '\n'); break;
		case 't': dl_buf_addc(&b, '\t'); break;
		case '\\': dl_buf_addc(&b, '\\'); break;
		case 'x': {
			char hex[3] = { 0, 0, 0 };
			if (!s[1] || !s[2] || !strchr("0123456789abcdefABCDEF", s[1]) ||
			    !strchr("0123456789abcdefABCDEF", s[2])) {
				dl_buf_free(&b);
				return -1;
			}
			hex[0] = s[1];
			hex[1] = s[2];
			dl_buf_addc(&b, (char)strtol(hex, NULL, 16));
			s += 2;
			break;
		}
		default:
			dl_buf_free(&b);
			return -1;
		}
	}
	*out_len = b.len;
	*out = dl_buf_take(&b);
	return 0;
}

static int
parse_tls_version(const char *s, int *out)
{
	static const struct { const char *name; int v; } t[] = {
		{ "1.0", TLS1_VERSION }, { "1.1", TLS1_1_VERSION },
		{ "1.2", TLS1_2_VERSION }, { "1.3", TLS1_3_VERSION },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(s, t[i].name) == 0) {
			*out = t[i].v;
			return 0;
		}
	return -1;
}

static int
parse_alert(const char *s, int *out)
{
	static const struct { const char *name; int v; } t[] = {
		{ "handshake_failure", SSL_AD_HANDSHAKE_FAILURE },
		{ "unrecognized_name", SSL_AD_UNRECOGNIZED_NAME },
		{ "internal_error", SSL_AD_INTERNAL_ERROR },
		{ "access_denied", SSL_AD_ACCESS_DENIED },
		{ "protocol_version", SSL_AD_PROTOCOL_VERSION },
		{ "insufficient_security", SSL_AD_INSUFFICIENT_SECURITY },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(s, t[i].name) == 0) {
			*out = t[i].v;
			return 0;
		}
	return -1;
}

static int
parse_stage(const char *s, enum smtp_stage *out)
{
	for (int i = 0; i < STAGE_COUNT; i++)
		if (strcmp(s, stage_names[i]) == 0) {
			*out = (enum smtp_stage)i;
			return 0;
		}
	return -1;
}

#define STAGE_LIST "connect, ehlo, starttls, mail, rcpt, data, eod or quit"
#define ALERT_LIST "handshake_failure, unrecognized_name, internal_error, " \
	"access_denied, protocol_version or insufficient_security"

static void
set_cert(struct persona_cert *c, const struct cline *cl, int at)
{
	free(c->id);
	free(c->chain_path);
	free(c->key_path);
	c->chain_path = dl_xstrdup(cl->words[at]);
	c->key_path = dl_xstrdup(cl->words[at + 1]);
	if (cl->n > at + 2) {
		c->id = dl_xstrdup(cl->words[at + 2]);
	} else {
		const char *slash = strrchr(cl->words[at], '/');
		c->id = dl_xstrdup(slash ? slash + 1 : cl->words[at]);
	}
	c->line = cl->line;
}

static int
nargs(const struct cline *c, int lo, int hi, const char *usage,
    struct dl_err *err)
{
	char what[96];

	if (c->n - 1 >= lo && c->n - 1 <= hi)
		return 0;
	snprintf(what, sizeof(what), "wrong number of arguments to '%s'",
	    c->words[0]);
	return cerr(c, err, what, usage);
}

typedef int (*kw_fn)(struct persona *p, const struct cline *c,
	struct dl_err *err);

/* The canonical text of an address (evidence compares strings). */
static void
addr_text(const struct sockaddr_storage *ss, char *out, size_t len)
{
	if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, out,
		    (socklen_t)len);
	else
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr,
		    out, (socklen_t)len);
}

static int
kw_listen(struct persona *p, const struct cline *c, struct dl_err *err)
{
	if (nargs(c, 2, 2, "'listen ADDR PORT'", err) < 0)
		return -1;
	if (persona_parse_addr(c->words[1], c->words[2], &p->addr, &p->addr_len,
	    err) < 0)
		return dl_err_prefix(err, "%s:%d: ", c->file, c->line);
	addr_text(&p->addr, p->addr_str, sizeof(p->addr_str));
	p->port = atoi(c->words[2]);
	return 0;
}

static int
kw_relay(struct persona *p, const struct cline *c, struct dl_err *err)
{
	if (nargs(c, 2, 2, "'relay ADDR PORT'", err) < 0)
		return -1;
	if (persona_parse_addr(c->words[1], c->words[2], &p->relay_addr,
	    &p->relay_len, err) < 0)
		return dl_err_prefix(err, "%s:%d: ", c->file, c->line);
	char a[INET6_ADDRSTRLEN];
	p->relay = true;
	addr_text(&p->relay_addr, a, sizeof(a));
	snprintf(p->relay_str, sizeof(p->relay_str), "%s%s%s:%s",
	    strchr(a, ':') ? "[" : "", a, strchr(a, ':') ? "]" : "", c->words[2]);
	return 0;
}

static int
kw_hostname(struct persona *p, const struct cline *c, struct dl_err *err)
{
	if (nargs(c, 1, 1, "'hostname NAME'", err) < 0)
		return -1;
	free(p->hostname);
	p->hostname = dl_xstrdup(c->words[1]);
	return 0;
}

static int
parse_code_text(const struct cline *c, int at, struct persona_reply *r,
    struct dl_err *err)
{
	if (c->n <= at || parse_int(c->words[at], 200, 599, &r->code) < 0)
		return cerr(c, err, "bad reply code", "a code 200..599");
	free(r->text);
	r->text = c->n > at + 1 ? dl_xstrdup(c->rest[at + 1]) : NULL;
	return 0;
}

static int
kw_banner(struct persona *p, const struct cline *c, struct dl_err *err)
{
	return parse_code_text(c, 1, &p->banner, err);
}

static int
kw_reply(struct persona *p, const struct cline *c, struct dl_err *err)
{
	enum smtp_stage s;

	if (c->n < 3 || parse_stage(c->words[1], &s) < 0)
		return cerr(c, err, "bad 'reply'", "'reply STAGE CODE [TEXT]' "
		    "with STAGE one of " STAGE_LIST);
	/* "reply connect" is the greeting: the same as "banner". */
	return parse_code_text(c, 2, s == STAGE_CONNECT ? &p->banner :
	    &p->reply[s], err);
}

static int
kw_delay(struct persona *p, const struct cline *c, struct dl_err *err)
{
	enum smtp_stage s;
	int ms;

	if (c->n != 3 || parse_stage(c->words[1], &s) < 0 ||
	    parse_int(c->words[2], 0, 600000, &ms) < 0)
		return cerr(c, err, "bad 'delay'", "'delay STAGE MS' with STAGE "
		    "one of " STAGE_LIST " and MS 0..600000");
	p->delay_ms[s] = ms;
	return 0;
}

static int
kw_silent(struct persona *p, const struct cline *c, struct dl_err *err)
{
	enum smtp_stage s;

	if (c->n != 2 || parse_stage(c->words[1], &s) < 0)
		return cerr(c, err, "bad 'silent'", "'silent STAGE' with STAGE "
		    "one of " STAGE_LIST);
	p->silent[s] = true;
	return 0;
}

static int
kw_ehlo_ext(struct persona *p, const struct cline *c, struct dl_err *err)
{
	if (c->n < 2)
		return cerr(c, err, "missing EHLO keyword", "'ehlo-ext KEYWORD "
		    "[PARAMS]' or 'ehlo-ext none'");
	p->ehlo_ext_set = true;
	if (strcmp(c->rest[1], "none") == 0)
		return 0;
	p->ehlo_ext = dl_xrealloc(p->ehlo_ext,
	    (p->n_ehlo_ext + 1) * sizeof(char *));
	p->ehlo_ext[p->n_ehlo_ext++] = dl_xstrdup(c->rest[1]);
	return 0;
}

static int
kw_bool(const struct cline *c, bool *out, struct dl_err *err)
{
	char usage[64];

	snprintf(usage, sizeof(usage), "'%s yes' or '%s no'", c->words[0],
	    c->words[0]);
	if (c->n != 2 || parse_bool(c->words[1], out) < 0)
		return cerr(c, err, "bad boolean", usage);
	return 0;
}

static int
kw_starttls(struct persona *p, const struct cline *c, struct dl_err *err)
{ return kw_bool(c, &p->starttls, err); }
static int
kw_pipelining(struct persona *p, const struct cline *c, struct dl_err *err)
{ return kw_bool(c, &p->pipelining, err); }
static int
kw_readvertise(struct persona *p, const struct cline *c, struct dl_err *err)
{ return kw_bool(c, &p->readvertise, err); }
static int
kw_close(struct persona *p, const struct cline *c, struct dl_err *err)
{ return kw_bool(c, &p->close_on_connect, err); }
static int
kw_anon(struct persona *p, const struct cline *c, struct dl_err *err)
{ return kw_bool(c, &p->anon, err); }
static int
kw_tickets(struct persona *p, const struct cline *c, struct dl_err *err)
{ return kw_bool(c, &p->tickets, err); }

static int
kw_tls_reset_data(struct persona *p, const struct cline *c, struct dl_err *err)
{
	char *end = NULL;
	long n = c->n == 2 ? strtol(c->words[1], &end, 10) : -1;

	if (n < 1 || n > 1000 || *end != '\0')
		return cerr(c, err, "bad 'tls-reset-data'", "'tls-reset-data N': reset the "
		    "first N TLS sessions in the middle of DATA, N from 1 to 1000");
	p->data_resets = (int)n;
	return 0;
}
static int
kw_require_sni(struct persona *p, const struct cline *c, struct dl_err *err)
{ return kw_bool(c, &p->require_sni, err); }

static int
kw_starttls_reply(struct persona *p, const struct cline *c, struct dl_err *err)
{
	p->starttls_code_set = true;
	if (c->n == 2 && strcmp(c->words[1], "close") == 0) {
		p->starttls_code = 0;
		return 0;
	}
	if (c->n != 2 || parse_int(c->words[1], 200, 599, &p->starttls_code) < 0)
		return cerr(c, err, "bad 'starttls-reply'", "a code 200..599 "
		    "(220, 454, 502, ...) or 'close'");
	return 0;
}

static int
kw_tls_min(struct persona *p, const struct cline *c, struct dl_err *err)
{
	if (c->n != 2 || parse_tls_version(c->words[1], &p->tls_min) < 0)
		return cerr(c, err, "bad TLS version", "1.0, 1.1, 1.2 or 1.3");
	return 0;
}

static int
kw_tls_max(struct persona *p, const struct cline *c, struct dl_err *err)
{
	if (c->n != 2 || parse_tls_version(c->words[1], &p->tls_max) < 0)
		return cerr(c, err, "bad TLS version", "1.0, 1.1, 1.2 or 1.3");
	return 0;
}

static int
kw_ciphers(struct persona *p, const struct cline *c, struct dl_err *err)
{
	if (nargs(c, 1, 1, "'ciphers OPENSSL-CIPHER-LIST'", err) < 0)
		return -1;
	free(p->ciphers);
	p->ciphers = dl_xstrdup(c->words[1]);
	return 0;
}

static int
kw_ciphersuites(struct persona *p, const struct cline *c, struct dl_err *err)
{
	if (nargs(c, 1, 1, "'ciphersuites TLS13-SUITE-LIST'", err) < 0)
		return -1;
	free(p->ciphersuites);
	p->ciphersuites = dl_xstrdup(c->words[1]);
	return 0;
}

static int
kw_seclevel(struct persona *p, const struct cline *c, struct dl_err *err)
{
	if (c->n != 2 || parse_int(c->words[1], 0, 5, &p->seclevel) < 0)
		return cerr(c, err, "bad 'seclevel'", "0..5");
	return 0;
}

static int
kw_cert(struct persona *p, const struct cline *c, struct dl_err *err)
{
	if (nargs(c, 2, 3, "'cert CHAIN.pem KEY.pem [ID]'", err) < 0)
		return -1;
	set_cert(&p->cert, c, 1);
	return 0;
}

static int
kw_sni(struct persona *p, const struct cline *c, struct dl_err *err)
{
	if (nargs(c, 3, 4, "'sni NAME CHAIN.pem KEY.pem [ID]'", err) < 0)
		return -1;
	p->sni = dl_xrealloc(p->sni, (p->n_sni + 1) * sizeof(*p->sni));
	struct persona_sni *s = &p->sni[p->n_sni++];
	memset(s, 0, sizeof(*s));
	s->name = dl_xstrdup(c->words[1]);
	set_cert(&s->cert, c, 2);
	return 0;
}

static int
kw_handshake_abort(struct persona *p, const struct cline *c, struct dl_err *err)
{
	if (c->n == 2 && strcmp(c->words[1], "close") == 0) {
		p->hs_abort = HS_ABORT_CLOSE;
		return 0;
	}
	if (c->n >= 2 && c->n <= 3 && strcmp(c->words[1], "alert") == 0) {
		p->hs_abort = HS_ABORT_ALERT;
		if (c->n == 3 && parse_alert(c->words[2], &p->hs_alert) < 0)
			return cerr(c, err, "unknown alert", ALERT_LIST);
		return 0;
	}
	if (c->n == 2 && strcmp(c->words[1], "none") == 0) {
		p->hs_abort = HS_ABORT_NONE;
		return 0;
	}
	return cerr(c, err, "bad 'handshake-abort'",
	    "'handshake-abort close', 'handshake-abort alert [NAME]' or 'none'");
}

static int
kw_inject(struct persona *p, const struct cline *c, struct dl_err *err)
{
	if (c->n < 2)
		return cerr(c, err, "missing text", "'inject TEXT' (escapes "
		    "\\r \\n \\t \\\\ \\xHH)");
	free(p->inject);
	p->inject = NULL;
	if (unescape(c->rest[1], &p->inject, &p->inject_len) < 0)
		return cerr(c, err, "bad escape in 'inject'",
		    "\\r, \\n, \\t, \\\\ or \\xHH");
	return 0;
}

static int
kw_role(struct persona *p, const struct cline *c, struct dl_err *err)
{
	if (c->n == 2 && strcmp(c->words[1], "server") == 0)
		p->role = ROLE_SERVER;
	else if (c->n == 2 && strcmp(c->words[1], "attacker") == 0)
		p->role = ROLE_ATTACKER;
	else
		return cerr(c, err, "bad 'role'", "'role server' or "
		    "'role attacker'");
	return 0;
}

static int
kw_attack(struct persona *p, const struct cline *c, struct dl_err *err)
{
	const char *m = c->n >= 2 ? c->words[1] : "";

	p->role = ROLE_ATTACKER;
	if (strcmp(m, "strip-starttls") == 0 && c->n <= 3) {
		p->attack = ATTACK_STRIP_STARTTLS;
		p->attack_code = 502;
		if (c->n == 3 && strcmp(c->words[2], "garble") == 0)
			p->attack_garble = true;
		else if (c->n == 3 && parse_int(c->words[2], 400, 599,
		    &p->attack_code) < 0)
			return cerr(c, err, "bad refusal", "a code 400..599 or "
			    "'garble'");
		return 0;
	}
	if (strcmp(m, "starttls-error") == 0 && c->n == 3) {
		p->attack = ATTACK_STARTTLS_ERROR;
		if (parse_int(c->words[2], 200, 599, &p->attack_code) < 0)
			return cerr(c, err, "bad code", "a code 200..599");
		return 0;
	}
	if (strcmp(m, "swap-cert") == 0 && (c->n == 4 || c->n == 5)) {
		p->attack = ATTACK_SWAP_CERT;
		set_cert(&p->cert, c, 2);
		return 0;
	}
	if (strcmp(m, "passthrough") == 0 && c->n == 2) {
		p->attack = ATTACK_PASSTHROUGH;
		return 0;
	}
	return cerr(c, err, "bad 'attack'", "'attack strip-starttls "
	    "[CODE|garble]', 'attack starttls-error CODE', 'attack swap-cert "
	    "CHAIN KEY [ID]' or 'attack passthrough'");
}

static const struct {
	const char *kw;
	kw_fn fn;
} keywords[] = {
	{ "listen", kw_listen }, { "relay", kw_relay },
	{ "hostname", kw_hostname }, { "banner", kw_banner },
	{ "ehlo-ext", kw_ehlo_ext }, { "pipelining", kw_pipelining },
	{ "starttls", kw_starttls }, { "starttls-reply", kw_starttls_reply },
	{ "readvertise-starttls", kw_readvertise }, { "inject", kw_inject },
	{ "close-on-connect", kw_close }, { "tls-min", kw_tls_min },
	{ "tls-max", kw_tls_max }, { "ciphers", kw_ciphers },
	{ "ciphersuites", kw_ciphersuites }, { "seclevel", kw_seclevel },
	{ "anon", kw_anon }, { "tickets", kw_tickets }, { "tls-reset-data", kw_tls_reset_data }, { "cert", kw_cert }, { "sni", kw_sni },
	{ "require-sni", kw_require_sni },
	{ "handshake-abort", kw_handshake_abort }, { "reply", kw_reply },
	{ "delay", kw_delay }, { "silent", kw_silent }, { "role", kw_role },
	{ "attack", kw_attack },
};

static void
persona_init(struct persona *p, const char *name, const char *file, int line)
{
	memset(p, 0, sizeof(*p));
	p->name = dl_xstrdup(name);
	p->file = file;
	p->line = line;
	p->starttls = true;
	p->starttls_code = 220;
	p->pipelining = true;
	p->seclevel = -1;
	p->hs_alert = SSL_AD_HANDSHAKE_FAILURE;
	p->listen_fd = -1;
}

static void
cert_free(struct persona_cert *c)
{
	free(c->id);
	free(c->chain_path);
	free(c->key_path);
}

static void
persona_free(struct persona *p)
{
	free(p->name);
	free(p->hostname);
	free(p->banner.text);
	for (size_t i = 0; i < p->n_ehlo_ext; i++)
		free(p->ehlo_ext[i]);
	free(p->ehlo_ext);
	free(p->inject);
	free(p->ciphers);
	free(p->ciphersuites);
	cert_free(&p->cert);
	for (size_t i = 0; i < p->n_sni; i++) {
		free(p->sni[i].name);
		cert_free(&p->sni[i].cert);
	}
	free(p->sni);
	for (int i = 0; i < STAGE_COUNT; i++)
		free(p->reply[i].text);
}

void
persona_set_free(struct persona_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		persona_free(&set->v[i]);
	free(set->v);
	free(set->file);
	memset(set, 0, sizeof(*set));
}

/* Split one line into words; rest[i] keeps the raw text from word i on. */
static void
tokenize(char *words_buf, char *raw, struct cline *c)
{
	char *s = words_buf;

	c->n = 0;
	/* Trailing blanks never belong to a text argument. */
	size_t rl = strlen(raw);
	while (rl > 0 && (raw[rl - 1] == ' ' || raw[rl - 1] == '\t' ||
	    raw[rl - 1] == '\r'))
		raw[--rl] = '\0';
	while (*s && c->n < MAX_WORDS) {
		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		if (!*s)
			break;
		c->words[c->n] = s;
		c->rest[c->n] = raw + (s - words_buf);
		c->n++;
		while (*s && *s != ' ' && *s != '\t' && *s != '\r')
			s++;
		if (*s)
			*s++ = '\0';
	}
}

static int
check_persona(const struct persona_set *set, size_t idx, struct dl_err *err)
{
	struct persona *p = &set->v[idx];
	const char *f = p->file;

	for (size_t i = 0; i < idx; i++) {
		const struct persona *q = &set->v[i];
		if (strcmp(q->name, p->name) == 0)
			return dl_errf(err, "%s:%d: duplicate persona '%s' (first at "
			    "line %d), expected unique names", f, p->line, p->name,
			    q->line);
		if (p->addr_len && q->addr_len == p->addr_len &&
		    memcmp(&q->addr, &p->addr, p->addr_len) == 0)
			return dl_errf(err, "%s:%d: persona '%s' listens on %s port "
			    "%d like '%s' (line %d), expected one persona per "
			    "address and port", f, p->line, p->name, p->addr_str,
			    p->port, q->name, q->line);
	}
	if (p->addr_len == 0)
		return dl_errf(err, "%s:%d: persona '%s' has no listen address, "
		    "expected 'listen ADDR PORT'", f, p->line, p->name);
	if (!p->starttls && !p->starttls_code_set)
		p->starttls_code = 502;
	if (p->role == ROLE_ATTACKER && p->attack == ATTACK_NONE)
		return dl_errf(err, "%s:%d: attacker '%s' has no attack, expected "
		    "'attack MODE'", f, p->line, p->name);
	if (p->relay && p->role != ROLE_ATTACKER)
		return dl_errf(err, "%s:%d: persona '%s' relays but is no "
		    "attacker, expected 'role attacker' with 'attack MODE'", f,
		    p->line, p->name);
	if (p->attack == ATTACK_PASSTHROUGH && !p->relay)
		return dl_errf(err, "%s:%d: passthrough attacker '%s' has nowhere "
		    "to relay, expected 'relay ADDR PORT'", f, p->line, p->name);
	if (p->require_sni && p->n_sni == 0)
		return dl_errf(err, "%s:%d: persona '%s' requires SNI but maps no "
		    "name, expected 'sni NAME CHAIN KEY'", f, p->line, p->name);
	if (p->tls_min && p->tls_max && p->tls_min > p->tls_max)
		return dl_errf(err, "%s:%d: persona '%s' has tls-min above tls-max, "
		    "expected tls-min <= tls-max", f, p->line, p->name);
	bool can_tls = p->cert.chain_path || p->n_sni || p->anon;
	int code = p->attack == ATTACK_STRIP_STARTTLS ||
	    p->attack == ATTACK_STARTTLS_ERROR ? p->attack_code : p->starttls_code;
	bool will_220 = code == 220 && p->hs_abort != HS_ABORT_CLOSE &&
	    !p->close_on_connect &&
	    !(p->relay && p->attack != ATTACK_SWAP_CERT);
	if (will_220 && !can_tls)
		return dl_errf(err, "%s:%d: persona '%s' answers 220 to STARTTLS "
		    "but has no certificate, expected 'cert CHAIN KEY', 'sni ...', "
		    "'anon yes' or 'starttls-reply CODE'", f, p->line, p->name);
	return 0;
}

static int
parse_line(struct persona_set *set, struct cline *c, struct dl_err *err)
{
	if (strcmp(c->words[0], "persona") == 0) {
		if (c->n != 2)
			return cerr(c, err, "bad 'persona'", "'persona NAME'");
		set->v = dl_xrealloc(set->v, (set->n + 1) * sizeof(*set->v));
		persona_init(&set->v[set->n++], c->words[1], set->file, c->line);
		return 0;
	}
	if (set->n == 0)
		return cerr(c, err, "setting outside a persona",
		    "'persona NAME' first");
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (strcmp(c->words[0], keywords[i].kw) == 0)
			return keywords[i].fn(&set->v[set->n - 1], c, err);
	char what[128];
	snprintf(what, sizeof(what), "unknown keyword '%.60s'", c->words[0]);
	return cerr(c, err, what, "a persona setting (see servers/PERSONAS.md)");
}

int
persona_conf_parse(const char *text, size_t len, const char *file,
    struct persona_set *out, struct dl_err *err)
{
	struct cline c;
	int lineno = 0;
	size_t pos = 0;

	memset(out, 0, sizeof(*out));
	out->file = dl_xstrdup(file);
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char *raw = dl_xstrndup(text + pos, ll);
		char *words = dl_xstrdup(raw);
		int rc = 0;

		pos += ll + (nl ? 1 : 0);
		lineno++;
		memset(&c, 0, sizeof(c));
		c.file = out->file;
		c.line = lineno;
		if (strlen(raw) != ll)
			rc = cerr(&c, err, "NUL byte", "a text file");
		else {
			tokenize(words, raw, &c);
			if (c.n > 0 && c.words[0][0] != '#')
				rc = parse_line(out, &c, err);
		}
		free(raw);
		free(words);
		if (rc < 0)
			goto fail;
	}
	if (out->n == 0) {
		dl_errf(err, "%s: no persona, expected at least one 'persona NAME' "
		    "block", file);
		goto fail;
	}
	for (size_t i = 0; i < out->n; i++)
		if (check_persona(out, i, err) < 0)
			goto fail;
	return 0;
fail:
	persona_set_free(out);
	return -1;
}

int
persona_conf_load(const char *path, struct persona_set *out,
    struct dl_err *err)
{
	struct dl_buf b = DL_BUF_INIT;

	if (dl_read_file(path, &b) < 0) {
		dl_errf(err, "%s: %s", path, strerror(errno));
		dl_buf_free(&b);
		return -1;
	}
	int rc = persona_conf_parse(b.data, b.len, path, out, err);
	dl_buf_free(&b);
	return rc;
}
