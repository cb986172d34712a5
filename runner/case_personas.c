/*
 * case_personas.c -- a case's `host` lines as dl-smtpd personas
 * (servers/PERSONAS.md), with their certificate chains written out.
 *
 * Persona names are "<case>/<host>" for whoever answers at the host's
 * address, "<case>/<host>/v6" for its IPv6 twin and "<case>/<host>/backend"
 * for the genuine server behind a relaying attacker: the runner routes
 * evidence lines to cases by that name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/pki.h"
#include "runner/case_internal.h"
#include "runner/judge.h"
#include "servers/persona.h"
#include "util/buf.h"

/* Host options understood for genuine servers (attackers add their own). */
static const char *const server_opts[] = {
	"chain", "no-starttls", "starttls-reply", "handshake", "tls", "require-sni",
	"mail-reply", "rcpt-reply", "data-reply", "eod-reply", "inject",
	"readvertise-starttls", "port", "anon", "no-pipelining", "banner",
	"attacker-chain", "silent", "tickets", "tls-reset-data", NULL,
};

static bool
opt_known(const char *word)
{
	if (strncmp(word, "sni:", 4) == 0 && strchr(word, '='))
		return true;
	for (const char *const *k = server_opts; *k; k++) {
		size_t kl = strlen(*k);
		if (strncmp(word, *k, kl) == 0 && (word[kl] == '=' || word[kl] == '\0'))
			return true;
	}
	return false;
}

static int
check_chain(struct cw_ctx *x, const struct dl_case_host *h, const char *list)
{
	char *copy = dl_xstrdup(list);
	int rc = 0;

	for (char *p = strtok(copy, ","); p; p = strtok(NULL, ","))
		if (cw_find_cert(x->c, p) == NULL) {
			dl_diag_add(x->diag, x->c->path, h->line, "host %s: unknown "
			    "certificate \"%s\" in a chain, expected one declared with "
			    "\"cert\"", h->label, p);
			rc = -1;
		}
	free(copy);
	return rc;
}

/* Write CERT,CERT,... as <dir>/<stem>.chain.pem + .key.pem; append "CHAIN KEY ID". */
static int
emit_chain(struct cw_ctx *x, const struct dl_case_host *h, const char *list,
    const char *stem, struct dl_buf *out)
{
	struct dl_words ids = { 0 };
	char *copy = dl_xstrdup(list);
	char *chain = dl_xasprintf("%s/%s.chain.pem", x->dir, stem);
	char *key = dl_xasprintf("%s/%s.key.pem", x->dir, stem);
	struct dl_err err;
	int rc;

	for (char *p = strtok(copy, ","); p; p = strtok(NULL, ",")) {
		char *id = cw_cert_id(x->c, p);
		dl_words_push(&ids, id);
		free(id);
	}
	rc = dl_pki_write_chain(x->pki, (const char *const *)ids.v, ids.n, chain, key, &err);
	if (rc < 0)
		dl_diag_add(x->diag, x->c->path, h->line, "host %s: %s", h->label, err.msg);
	else
		dl_buf_printf(out, "%s %s %s", chain, key, list);
	dl_words_free(&ids);
	free(copy);
	free(chain);
	free(key);
	return rc;
}

static int
reply_line(struct cw_ctx *x, const struct dl_case_host *h, const char *opt,
    const char *stage, struct dl_buf *b)
{
	const char *v = dl_words_opt(&h->opts, opt);
	int code = v ? atoi(v) : 0;

	if (v == NULL)
		return 0;
	if (code < 200 || code > 599) {
		dl_diag_add(x->diag, x->c->path, h->line, "host %s: bad %s=%s, expected "
		    "a reply code 200..599", h->label, opt, v);
		return -1;
	}
	dl_buf_printf(b, "reply %s %d\n", stage, code);
	return 0;
}

/* The genuine server's settings (shared by `smtp` and an attacker's backend). */
static int
server_body(struct cw_ctx *x, const struct dl_case_host *h, int hi, struct dl_buf *b)
{
	const struct dl_words *o = &h->opts;
	const char *v;
	int rc = 0;

	dl_buf_printf(b, "hostname %s.%s\n", h->label, x->apex);
	dl_buf_printf(b, "starttls %s\n", dl_words_has(o, "no-starttls") ? "no" : "yes");
	dl_buf_printf(b, "pipelining %s\n", dl_words_has(o, "no-pipelining") ? "no" : "yes");
	if ((v = dl_words_opt(o, "starttls-reply")))
		dl_buf_printf(b, "starttls-reply %s\n", v);
	if ((v = dl_words_opt(o, "handshake"))) {
		if (strcmp(v, "abort") == 0)
			dl_buf_adds(b, "handshake-abort close\n");
		else if (strcmp(v, "alert") == 0)
			dl_buf_adds(b, "handshake-abort alert\n");
		else {
			dl_diag_add(x->diag, x->c->path, h->line, "host %s: bad handshake=%s, "
			    "expected abort or alert", h->label, v);
			rc = -1;
		}
	}
	if ((v = dl_words_opt(o, "tls")))
		dl_buf_printf(b, "tls-min %s\ntls-max %s\nseclevel 0\n", v, v);
	if (dl_words_has(o, "require-sni"))
		dl_buf_adds(b, "require-sni yes\n");
	if (dl_words_has(o, "readvertise-starttls"))
		dl_buf_adds(b, "readvertise-starttls yes\n");
	if (dl_words_has(o, "tickets"))
		dl_buf_adds(b, "tickets yes\n");
	if ((v = dl_words_opt(o, "tls-reset-data")))
		dl_buf_printf(b, "tls-reset-data %s\n", v);
	if (dl_words_has(o, "anon"))
		dl_buf_adds(b, "anon yes\nciphers aNULL:@SECLEVEL=0\ntls-max 1.2\n");
	if (dl_words_has(o, "inject"))
		/* RFC 3207 §6 trap: bytes sent in clear right after "220 go ahead". */
		dl_buf_adds(b, "inject 250-mx.injected.invalid\\r\\n250 AUTH PLAIN\\r\\n\n");
	if ((v = dl_words_opt(o, "silent")))
		dl_buf_printf(b, "silent %s\n", v);
	rc |= reply_line(x, h, "mail-reply", "mail", b);
	rc |= reply_line(x, h, "rcpt-reply", "rcpt", b);
	rc |= reply_line(x, h, "data-reply", "data", b);
	rc |= reply_line(x, h, "eod-reply", "eod", b);
	rc |= reply_line(x, h, "banner", "connect", b);
	if ((v = dl_words_opt(o, "chain"))) {
		if (check_chain(x, h, v) < 0)
			rc = -1;
		else if (x->pki) {
			char *stem = dl_xasprintf("%s", h->label);
			dl_buf_adds(b, "cert ");
			rc |= emit_chain(x, h, v, stem, b);
			dl_buf_addc(b, '\n');
			free(stem);
		} else {
			dl_buf_printf(b, "cert lint.chain.pem lint.key.pem %s\n", v);
		}
	}
	for (size_t i = 0; i < o->n; i++) {
		if (strncmp(o->v[i], "sni:", 4) != 0)
			continue;
		/* sni:NAME=CERT,CERT */
		char *name = dl_xstrdup(o->v[i] + 4);
		char *eq = strchr(name, '=');
		if (eq == NULL || eq[1] == '\0') {
			/* Reported by the reader (sni:NAME=CERT...). */
			free(name);
			rc = -1;
			continue;
		}
		*eq = '\0';
		if (check_chain(x, h, eq + 1) < 0) {
			rc = -1;
		} else if (x->pki == NULL) {
			char *abs = cw_abs_nodot(name, x->apex);
			dl_buf_printf(b, "sni %s lint.chain.pem lint.key.pem %s\n", abs, eq + 1);
			free(abs);
		} else {
			char *abs = cw_abs_nodot(name, x->apex);
			char *stem = dl_xasprintf("%s.sni.%s", h->label, name);
			dl_buf_printf(b, "sni %s ", abs);
			rc |= emit_chain(x, h, eq + 1, stem, b);
			dl_buf_addc(b, '\n');
			free(stem);
			free(abs);
		}
		free(name);
	}
	(void)hi;
	return rc;
}

static int
port_of(struct cw_ctx *x, const struct dl_case_host *h)
{
	const char *v = dl_words_opt(&h->opts, "port");
	int port = v ? atoi(v) : 25;

	if (port < 1 || port > 65535) {
		dl_diag_add(x->diag, x->c->path, h->line, "host %s: bad port=%s, expected "
		    "1..65535", h->label, v);
		return -1;
	}
	return port;
}

static int
attacker_body(struct cw_ctx *x, const struct dl_case_host *h, const char *mode,
    int port, int hi, struct dl_buf *b)
{
	const char *v;

	dl_buf_adds(b, "role attacker\n");
	if (strcmp(mode, "strip-starttls") == 0 || strcmp(mode, "passthrough") == 0) {
		dl_buf_printf(b, "attack %s\n", mode);
	} else if (strncmp(mode, "starttls-error=", 15) == 0) {
		dl_buf_printf(b, "attack starttls-error %d\n", atoi(mode + 15));
	} else if (strcmp(mode, "swap-cert") == 0) {
		if ((v = dl_words_opt(&h->opts, "attacker-chain")) == NULL) {
			dl_diag_add(x->diag, x->c->path, h->line, "host %s: swap-cert needs "
			    "attacker-chain=CERT[,CERT...]", h->label);
			return -1;
		}
		if (check_chain(x, h, v) < 0)
			return -1;
		if (x->pki) {
			char *stem = dl_xasprintf("%s.attacker", h->label);
			dl_buf_adds(b, "attack swap-cert ");
			int rc = emit_chain(x, h, v, stem, b);
			dl_buf_addc(b, '\n');
			free(stem);
			if (rc < 0)
				return -1;
		} else {
			dl_buf_printf(b, "attack swap-cert lint.chain.pem lint.key.pem %s\n", v);
		}
	} else {
		dl_diag_add(x->diag, x->c->path, h->line, "host %s: unknown attacker mode "
		    "\"%s\", expected strip-starttls, starttls-error=CODE, swap-cert or "
		    "passthrough", h->label, mode);
		return -1;
	}
	if (x->w) {
		dl_buf_printf(b, "relay %s %d\n", x->w->backend4[hi], port);
	} else {
		char *a = dl_lab_mail_addr4(0, h->index + DL_LAB_BACKEND_OFFSET);
		dl_buf_printf(b, "relay %s %d\n", a, port);
		free(a);
	}
	return 0;
}

/* The listen address of host h (lint: where case 0 would have it). */
static char *
listen_addr(const struct cw_ctx *x, const struct dl_case_host *h, size_t hi, int v6)
{
	if (x->w)
		return dl_xstrdup(v6 ? x->w->addr6[hi] : x->w->addr4[hi]);
	return v6 ? dl_lab_mail_addr6(0, h->index) : dl_lab_mail_addr4(0, h->index);
}

/*
 * The mock servers' own parser judges each host's personas, so that a
 * host dl-smtpd would refuse is this case's error (file:line of the host
 * line), found at lint, and never takes the other cases' servers down.
 */
static int
personas_accepted(struct cw_ctx *x, const struct dl_case_host *h, const struct dl_buf *hb)
{
	struct persona_set set;
	struct dl_err err;

	if (hb->len == 0)
		return 0;
	if (persona_conf_parse(hb->data, hb->len, "personas", &set, &err) == 0) {
		persona_set_free(&set);
		return 0;
	}
	/* "personas:LINE: what": the generated line means nothing to the author. */
	const char *msg = err.msg;
	if (strncmp(msg, "personas:", 9) == 0 && strstr(msg, ": "))
		msg = strstr(msg, ": ") + 2;
	dl_diag_add(x->diag, x->c->path, h->line, "host %s: the mock SMTP server refuses "
	    "it: %s", h->label, msg);
	return -1;
}

int
cw_personas(struct cw_ctx *x)
{
	const struct dl_case *c = x->c;
	int rc = 0;

	for (size_t hi = 0; hi < c->n_hosts; hi++) {
		const struct dl_case_host *h = &c->hosts[hi];
		struct dl_buf hbuf = DL_BUF_INIT, *b = &hbuf;
		int before = x->diag->count; /* this host's own problems come first */
		int port = port_of(x, h);
		for (size_t i = 0; i < h->opts.n; i++)
			if (!opt_known(h->opts.v[i])) {
				dl_diag_add(x->diag, c->path, h->line, "host %s: unknown option "
				    "\"%s\" (see cases/FORMAT.md, \"Hosts\")", h->label, h->opts.v[i]);
				rc = -1;
			}
		if (port < 0) {
			rc = -1;
			continue;
		}
		if (strcmp(h->kind, "closed") == 0)
			continue;
		bool attacker = strncmp(h->kind, "attacker=", 9) == 0;
		if (!attacker && strcmp(h->kind, "smtp") != 0) {
			dl_diag_add(x->diag, c->path, h->line, "host %s: unknown kind \"%s\", "
			    "expected smtp, attacker=MODE or closed", h->label, h->kind);
			rc = -1;
			continue;
		}
		/* The front persona (IPv4 and, when used, IPv6). */
		for (int v6 = 0; v6 < 2; v6++) {
			if (v6 && !(x->w && x->w->uses_ipv6))
				break;
			dl_buf_printf(b, "persona %s/%s%s\n", c->id, h->label, v6 ? "/v6" : "");
			char *addr = listen_addr(x, h, hi, v6);
			dl_buf_printf(b, "listen %s %d\n", addr, port);
			free(addr);
			if (attacker)
				rc |= attacker_body(x, h, h->kind + 9, port, (int)hi, b);
			else
				rc |= server_body(x, h, (int)hi, b);
			dl_buf_addc(b, '\n');
		}
		if (attacker) {
			dl_buf_printf(b, "persona %s/%s/backend\n", c->id, h->label);
			char *addr = x->w ? dl_xstrdup(x->w->backend4[hi]) :
			    dl_lab_mail_addr4(0, h->index + DL_LAB_BACKEND_OFFSET);
			dl_buf_printf(b, "listen %s %d\n", addr, port);
			free(addr);
			rc |= server_body(x, h, (int)hi, b);
			dl_buf_addc(b, '\n');
		}
		if (x->diag->count == before && personas_accepted(x, h, &hbuf) < 0)
			rc = -1;
		if (x->w && hbuf.len)
			dl_buf_add(&x->w->personas, hbuf.data, hbuf.len);
		dl_buf_free(&hbuf);
	}
	return rc ? -1 : 0;
}
