/*
 * dl-client_main.c -- bin/dl-client, the reference RFC 7672 SMTP client.
 *
 * Sends one message to the recipients of one domain (or through a relay)
 * with opportunistic DANE TLS, and prints one JSON result on stdout
 * (schema: client/README.md).  Exit: 0 delivered, 75 deferred,
 * 69 bounced, 64 usage error, 78 configuration error.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <idn2.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "client/deliver.h"
#include "client/dns.h"
#include "client/tls.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/log.h"

#define EX_OK_ 0
#define EX_USAGE_ 64
#define EX_UNAVAILABLE_ 69
#define EX_TEMPFAIL_ 75
#define EX_CONFIG_ 78

struct opts {
	const char *resolver, *ta, *from, *message, *relay, *family, *batch;
	const char *rcpts[64];
	size_t nrcpts;
	char alabel_rcpts[64][320]; /* rcpts[i] in A-label form, when converted */
	bool diagnose;
	int timeout, connect_timeout;
	char relay_host[256];
	char fallback_host[256];
	char self_addr[64];
	char literal[64];
	char domain[256];
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: dl-client --resolver ADDR --trust-anchor FILE --from ADDR\n"
	    "         --rcpt ADDR [--rcpt ADDR...] --message FILE\n"
	    "         [--policy dane|dane-only|encrypt|may] [--relay HOST[:PORT]]\n"
	    "         [--fallback HOST[:PORT]] [--digests sha512,sha256] [--dane-ta on|off]\n"
	    "         [--audit] [--self ADDR]\n"
	    "         [--port N] [--helo NAME] [--timeout S] [--connect-timeout S]\n"
	    "         [--seed N] [--family 6,4|4,6|4|6] [--now EPOCH]\n"
	    "         [--violate NAME]... [--list-violations] [--diagnose] [-v]\n"
	    "       dl-client --resolver ADDR --trust-anchor FILE --batch FILE [options]\n");
}

static void
list_violations(void)
{
	for (int i = 0; i < DL_VIOL_COUNT; i++) {
		const struct dl_violation_info *v = dl_violation_info(i);
		printf("%-28s %-14s %s\n", v->name, v->req, v->summary);
	}
}

/* "local@domain": the domain part, checked; literal filled for [a.b.c.d]. */
static int
rcpt_domain(const char *rcpt, char *dom, size_t dlen, char *lit, size_t llen)
{
	const char *at = strrchr(rcpt, '@');

	lit[0] = '\0';
	if (at == NULL || at == rcpt || at[1] == '\0' || strlen(at + 1) >= dlen
	    || strchr(rcpt, '@') != at
	    || strpbrk(rcpt, " <>\r\n\t") != NULL)
		return -1;
	snprintf(dom, dlen, "%s", at + 1);
	if (dom[0] == '[') {
		size_t l = strlen(dom);
		unsigned char tmp[16];
		const char *a = dom + 1;
		if (l < 3 || dom[l - 1] != ']' || l - 2 >= llen)
			return -1;
		if (strncasecmp(a, "IPv6:", 5) == 0)
			a += 5;
		snprintf(lit, llen, "%.*s", (int)(dom + l - 1 - a), a);
		if (inet_pton(AF_INET, lit, tmp) != 1 &&
		    inet_pton(AF_INET6, lit, tmp) != 1)
			return -1;
		return 0;
	}
	if (dom[0] == '.' || strstr(dom, "..") != NULL)
		return -1;
	for (const char *p = dom; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		    *p == '_'))
			return -1;
	return 0;
}

static int
parse_family(const char *s, int fam[2])
{
	fam[0] = fam[1] = 0;
	if (strcmp(s, "6,4") == 0) {
		fam[0] = AF_INET6; fam[1] = AF_INET;
	} else if (strcmp(s, "4,6") == 0) {
		fam[0] = AF_INET; fam[1] = AF_INET6;
	} else if (strcmp(s, "4") == 0) {
		fam[0] = AF_INET;
	} else if (strcmp(s, "6") == 0) {
		fam[0] = AF_INET6;
	} else {
		return -1;
	}
	return 0;
}

static int
parse_relay(const char *s, struct opts *o, int *port)
{
	const char *colon = strrchr(s, ':');
	size_t l = colon ? (size_t)(colon - s) : strlen(s);

	if (l == 0 || l >= sizeof(o->relay_host))
		return -1;
	snprintf(o->relay_host, sizeof(o->relay_host), "%.*s", (int)l, s);
	if (colon) {
		char *end;
		long p = strtol(colon + 1, &end, 10);
		if (*end || p < 1 || p > 65535)
			return -1;
		*port = (int)p;
	}
	return 0;
}

/*
 * Local policy (the administrator's configuration): "KEY=VALUE" from a
 * command-line flag or a batch line's "options".  Returns 0 or -1.
 */
static int
apply_option(struct opts *o, struct dl_client_cfg *cfg, const char *key, const char *val)
{
	if (strcmp(key, "fallback") == 0) {
		const char *colon = strrchr(val, ':');
		size_t l = colon ? (size_t)(colon - val) : strlen(val);
		long p = colon ? strtol(colon + 1, NULL, 10) : 25;
		if (l == 0 || l >= sizeof(o->fallback_host) || p < 1 || p > 65535)
			return -1;
		snprintf(o->fallback_host, sizeof(o->fallback_host), "%.*s", (int)l, val);
		cfg->fallback = o->fallback_host;
		cfg->fallback_port = (int)p;
		return 0;
	}
	if (strcmp(key, "digests") == 0)
		return dl_tlsa_policy_digests(&cfg->tlsa_policy, val);
	if (strcmp(key, "dane-ta") == 0 || strcmp(key, "audit") == 0) {
		bool on = strcmp(val, "on") == 0;
		if (!on && strcmp(val, "off") != 0)
			return -1;
		if (key[0] == 'd')
			cfg->tlsa_policy.no_dane_ta = !on;
		else
			cfg->audit = on;
		return 0;
	}
	if (strcmp(key, "self") == 0) {
		unsigned char tmp[16];
		if (strlen(val) >= sizeof(o->self_addr) || (inet_pton(AF_INET, val, tmp) != 1 &&
		    inet_pton(AF_INET6, val, tmp) != 1))
			return -1;
		snprintf(o->self_addr, sizeof(o->self_addr), "%s", val);
		cfg->self_addr = o->self_addr;
		return 0;
	}
	return -1;
}

/* A batch line's options: "key=value" words separated by blanks. */
static int
apply_options(struct opts *o, struct dl_client_cfg *cfg, const char *list)
{
	char *copy = dl_xstrdup(list), *save = NULL;
	int rc = 0;

	for (char *w = strtok_r(copy, " ", &save); w && rc == 0; w = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(w, '=');
		if (eq == NULL) {
			rc = -1;
			break;
		}
		*eq = '\0';
		rc = apply_option(o, cfg, w, eq + 1);
		if (rc < 0)
			fprintf(stderr, "dl-client: bad option %s=%s\n", w, eq + 1);
	}
	free(copy);
	return rc;
}

enum { O_RESOLVER = 256, O_TA, O_FROM, O_RCPT, O_MESSAGE, O_POLICY, O_RELAY,
	O_PORT, O_HELO, O_TIMEOUT, O_CTIMEOUT, O_SEED, O_FAMILY, O_NOW,
	O_VIOLATE, O_LIST, O_DIAG, O_BATCH, O_FALLBACK, O_DIGESTS, O_DANE_TA,
	O_AUDIT, O_SELF };

static const struct option longopts[] = {
	{ "resolver", required_argument, NULL, O_RESOLVER },
	{ "trust-anchor", required_argument, NULL, O_TA },
	{ "from", required_argument, NULL, O_FROM },
	{ "rcpt", required_argument, NULL, O_RCPT },
	{ "message", required_argument, NULL, O_MESSAGE },
	{ "policy", required_argument, NULL, O_POLICY },
	{ "relay", required_argument, NULL, O_RELAY },
	{ "port", required_argument, NULL, O_PORT },
	{ "helo", required_argument, NULL, O_HELO },
	{ "timeout", required_argument, NULL, O_TIMEOUT },
	{ "connect-timeout", required_argument, NULL, O_CTIMEOUT },
	{ "seed", required_argument, NULL, O_SEED },
	{ "family", required_argument, NULL, O_FAMILY },
	{ "now", required_argument, NULL, O_NOW },
	{ "violate", required_argument, NULL, O_VIOLATE },
	{ "list-violations", no_argument, NULL, O_LIST },
	{ "diagnose", no_argument, NULL, O_DIAG },
	{ "batch", required_argument, NULL, O_BATCH },
	{ "fallback", required_argument, NULL, O_FALLBACK },
	{ "digests", required_argument, NULL, O_DIGESTS },
	{ "dane-ta", required_argument, NULL, O_DANE_TA },
	{ "audit", no_argument, NULL, O_AUDIT },
	{ "self", required_argument, NULL, O_SELF },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int
positive(const char *s, long max)
{
	char *end;
	long v = strtol(s, &end, 10);

	return (*s && !*end && v > 0 && v <= max) ? (int)v : -1;
}

/* Parse argv into o and cfg; returns an exit code, or -1 to go on. */
static int
parse_args(int argc, char **argv, struct opts *o, struct dl_client_cfg *cfg,
	int *verbose)
{
	int c, relay_port = -1, port = 25, v;

	while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (c) {
		case O_RESOLVER: o->resolver = optarg; break;
		case O_TA: o->ta = optarg; break;
		case O_FROM: o->from = optarg; break;
		case O_RCPT:
			if (o->nrcpts == 64)
				return fprintf(stderr, "too many --rcpt\n"), EX_USAGE_;
			o->rcpts[o->nrcpts++] = optarg;
			break;
		case O_MESSAGE: o->message = optarg; break;
		case O_POLICY:
			if ((v = dl_policy_parse(optarg)) < 0)
				return fprintf(stderr, "bad --policy %s\n", optarg), EX_USAGE_;
			cfg->policy = (enum dl_policy)v;
			break;
		case O_RELAY:
			if (parse_relay(optarg, o, &relay_port) < 0)
				return fprintf(stderr, "bad --relay %s\n", optarg), EX_USAGE_;
			o->relay = o->relay_host;
			break;
		case O_PORT:
			if ((port = positive(optarg, 65535)) < 0)
				return fprintf(stderr, "bad --port %s\n", optarg), EX_USAGE_;
			break;
		case O_HELO: cfg->smtp.helo = optarg; break;
		case O_TIMEOUT:
			if ((o->timeout = positive(optarg, 3600)) < 0)
				return fprintf(stderr, "bad --timeout\n"), EX_USAGE_;
			break;
		case O_CTIMEOUT:
			if ((o->connect_timeout = positive(optarg, 3600)) < 0)
				return fprintf(stderr, "bad --connect-timeout\n"), EX_USAGE_;
			break;
		case O_SEED: cfg->seed = strtoull(optarg, NULL, 0); break;
		case O_FAMILY:
			if (parse_family(optarg, cfg->families) < 0)
				return fprintf(stderr, "bad --family %s\n", optarg), EX_USAGE_;
			break;
		case O_NOW: cfg->now = (time_t)strtoll(optarg, NULL, 10); break;
		case O_VIOLATE:
			if ((v = dl_violation_parse(optarg)) < 0)
				return fprintf(stderr, "unknown violation %s "
				    "(see --list-violations)\n", optarg), EX_USAGE_;
			cfg->v.bits |= 1ULL << v;
			break;
		case O_LIST: list_violations(); return EX_OK_;
		case O_DIAG: o->diagnose = true; break;
		case O_BATCH: o->batch = optarg; break;
		case O_FALLBACK:
		case O_DIGESTS:
		case O_DANE_TA:
		case O_SELF: {
			const char *key = c == O_FALLBACK ? "fallback" : c == O_DIGESTS ?
			    "digests" : c == O_DANE_TA ? "dane-ta" : "self";
			if (apply_option(o, cfg, key, optarg) < 0)
				return fprintf(stderr, "bad --%s %s\n", key, optarg), EX_USAGE_;
			break;
		}
		case O_AUDIT: cfg->audit = true; break;
		case 'v': (*verbose)++; break;
		case 'h': usage(stdout); return EX_OK_;
		default: usage(stderr); return EX_USAGE_;
		}
	}
	if (optind != argc || !o->resolver || !o->ta || (!o->batch && (!o->from ||
	    !o->nrcpts || !o->message))) {
		usage(stderr);
		return EX_USAGE_;
	}
	cfg->port = relay_port > 0 ? relay_port : port;
	return -1;
}

/*
 * An internationalised recipient domain (U-labels, UTF-8) is looked up,
 * matched (TLSA base name, SNI) and sent in RCPT TO in its A-label form
 * (RFC 5890; RFC 6698 section 3; RFC 6066 section 3), so the session needs
 * no SMTPUTF8.  A non-ASCII local part would need SMTPUTF8, which this
 * client does not speak: refused.  Returns 0 (out holds the address,
 * converted or not) or -1.
 */
static int
rcpt_alabels(const char *rcpt, char *out, size_t outlen)
{
	const char *at = strrchr(rcpt, '@');
	char *ascii = NULL;
	bool wide = false;

	for (const char *p = at ? at : rcpt; *p; p++)
		wide |= (unsigned char)*p >= 0x80;
	for (const char *p = rcpt; at && p < at; p++)
		if ((unsigned char)*p >= 0x80)
			return -1;
	if (!wide || at == NULL)
		return snprintf(out, outlen, "%s", rcpt) < (int)outlen ? 0 : -1;
	if (idn2_to_ascii_8z(at + 1, &ascii, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT) !=
	    IDN2_OK)
		return -1;
	int n = snprintf(out, outlen, "%.*s@%s", (int)(at - rcpt), rcpt, ascii);
	idn2_free(ascii);
	return n > 0 && (size_t)n < outlen ? 0 : -1;
}

/* All recipients must share one domain; fills o->domain / o->literal. */
static int
check_rcpts(struct opts *o)
{
	char dom[256], lit[64];

	for (size_t i = 0; i < o->nrcpts; i++) {
		if (rcpt_alabels(o->rcpts[i], o->alabel_rcpts[i],
		    sizeof(o->alabel_rcpts[i])) < 0) {
			fprintf(stderr, "dl-client: recipient '%s' is not a valid "
			    "internationalised address (IDNA2008, ASCII local part)\n",
			    o->rcpts[i]);
			return EX_USAGE_;
		}
		o->rcpts[i] = o->alabel_rcpts[i];
		if (rcpt_domain(o->rcpts[i], dom, sizeof(dom), lit,
		    sizeof(lit)) < 0) {
			fprintf(stderr, "dl-client: malformed recipient '%s'\n",
			    o->rcpts[i]);
			return EX_USAGE_;
		}
		if (i == 0) {
			memcpy(o->domain, dom, sizeof(dom));
			memcpy(o->literal, lit, sizeof(lit));
		} else if (strcasecmp(dom, o->domain) != 0) {
			fprintf(stderr, "dl-client: recipients of one domain "
			    "only (%s vs %s)\n", dom, o->domain);
			return EX_USAGE_;
		}
	}
	if (strpbrk(o->from, " <>\r\n\t") != NULL) {
		fprintf(stderr, "dl-client: malformed sender '%s'\n", o->from);
		return EX_USAGE_;
	}
	return -1;
}

static int
exit_code(enum dl_disposition d)
{
	return d == DL_DELIVERED ? EX_OK_ : d == DL_BOUNCED ? EX_UNAVAILABLE_ :
	    EX_TEMPFAIL_;
}

static int
run(struct opts *o, struct dl_client_cfg *cfg)
{
	struct dl_err err;
	struct dl_buf msg = DL_BUF_INIT, body = DL_BUF_INIT, out = DL_BUF_INIT;
	struct dl_dns *dns = NULL;
	struct dl_result r;
	int rc = EX_CONFIG_;

	dl_result_init(&r);
	if (dl_read_file(o->message, &msg) < 0) {
		fprintf(stderr, "dl-client: %s: %m\n", o->message);
		return EX_USAGE_;
	}
	dl_smtp_body(msg.data, msg.len, &body);
	cfg->smtp.body = &body;
	cfg->smtp.tls = dl_tls_ctx_new(&cfg->v, &cfg->tlsa_policy, &err);
	if (cfg->smtp.tls == NULL) {
		fprintf(stderr, "dl-client: TLS setup: %s\n", err.msg);
		goto out;
	}
	if (!cfg->literal) {
		dns = dl_dns_new(o->resolver, o->ta, o->timeout * 1000, &err);
		if (dns == NULL) {
			fprintf(stderr, "dl-client: %s\n", err.msg);
			goto out;
		}
		dl_dns_set_violations(dns, &cfg->v);
	}
	dl_deliver(cfg, dns, &r);
	dl_result_json(&r, &out);
	printf("%s\n", out.data);
	if (o->diagnose)
		dl_result_print(&r, stderr);
	rc = exit_code(r.disposition);
out:
	dl_result_free(&r);
	dl_dns_free(dns);
	SSL_CTX_free(cfg->smtp.tls);
	dl_buf_free(&msg);
	dl_buf_free(&body);
	dl_buf_free(&out);
	return rc;
}

/* The message's own part of the delivery configuration (o outlives cfg's use). */
static void
cfg_message(struct dl_client_cfg *cfg, const struct opts *o)
{
	cfg->domain = o->domain;
	cfg->literal = o->literal[0] ? o->literal : NULL;
	cfg->relay = o->relay;
	cfg->smtp.from = o->from;
	cfg->smtp.rcpts = o->rcpts;
	cfg->smtp.nrcpts = o->nrcpts;
	cfg->smtp.v = &cfg->v;
}

/*
 * One message of a batch: its own recipient, sender, policy, relay and
 * message file, with the TLS and resolver contexts shared by the batch.
 * Prints the result object with the line's "case" first.
 */
static void
batch_one(const struct opts *base_o, const struct dl_client_cfg *base,
    const struct dl_jv *line)
{
	struct dl_dns *dns = NULL;
	struct dl_err err;
	struct opts o = *base_o;
	struct dl_client_cfg cfg = *base;
	struct dl_buf msg = DL_BUF_INIT, body = DL_BUF_INIT, out = DL_BUF_INIT;
	struct dl_result r;
	const char *id = dl_jv_str(line, "case", "");
	const char *relay = dl_jv_str(line, "relay", "");
	int relay_port = -1, v;
	struct dl_buf idj = DL_BUF_INIT;

	dl_json_quote(&idj, id, strlen(id));
	o.nrcpts = 1;
	o.rcpts[0] = dl_jv_str(line, "rcpt", "");
	o.from = dl_jv_str(line, "from", "");
	o.message = dl_jv_str(line, "message", "");
	o.resolver = dl_jv_str(line, "resolver", base_o->resolver);
	o.relay = NULL;
	if (relay[0] && parse_relay(relay, &o, &relay_port) == 0)
		o.relay = o.relay_host;
	if ((v = dl_policy_parse(dl_jv_str(line, "policy", "dane"))) >= 0)
		cfg.policy = (enum dl_policy)v;
	cfg.port = relay_port > 0 ? relay_port : base->port;
	/* The line's own local policy; a digest ranking of its own needs a TLS
	 * context of its own (OpenSSL ranks digests per SSL_CTX). */
	const char *options = dl_jv_str(line, "options", "");
	SSL_CTX *own_ctx = NULL;
	if (options[0] && apply_options(&o, &cfg, options) < 0) {
		printf("{\"case\":%s,\"disposition\":\"deferred\",\"reason\":"
		    "\"unusable options in the batch line\"}\n", idj.data);
		goto out;
	}
	if (cfg.tlsa_policy.n_digests > 0) {
		if ((own_ctx = dl_tls_ctx_new(&cfg.v, &cfg.tlsa_policy, &err)) == NULL) {
			printf("{\"case\":%s,\"disposition\":\"deferred\",\"reason\":"
			    "\"TLS context: %s\"}\n", idj.data, err.msg);
			goto out;
		}
		cfg.smtp.tls = own_ctx;
	}
	if (check_rcpts(&o) >= 0 || dl_read_file(o.message, &msg) < 0) {
		printf("{\"case\":%s,\"disposition\":\"deferred\",\"reason\":"
		    "\"unusable batch line\"}\n", idj.data);
		goto out;
	}
	dl_smtp_body(msg.data, msg.len, &body);
	cfg.smtp.body = &body;
	cfg_message(&cfg, &o);
	/*
	 * A fresh resolver context per message, as a process per message had:
	 * one case's timeouts must not mark the lab resolver as dead for the
	 * next (libunbound's infra cache), nor its answers warm another's.
	 */
	if (!cfg.literal && (dns = dl_dns_new(o.resolver, o.ta, o.timeout * 1000, &err)) == NULL) {
		printf("{\"case\":%s,\"disposition\":\"deferred\",\"reason\":\"resolver: ",
		    idj.data);
		printf("%s\"}\n", err.msg);
		goto out;
	}
	if (dns)
		dl_dns_set_violations(dns, &cfg.v);
	dl_result_init(&r);
	dl_deliver(&cfg, dns, &r);
	dl_result_json(&r, &out);
	/* "{...}" -> "{"case":ID,...}" */
	printf("{\"case\":%s,%s\n", idj.data, out.data + 1);
	fflush(stdout);
	dl_result_free(&r);
out:
	SSL_CTX_free(own_ctx);
	dl_dns_free(dns);
	dl_buf_free(&idj);
	dl_buf_free(&msg);
	dl_buf_free(&body);
	dl_buf_free(&out);
}

/*
 * --batch FILE: one JSON object per line (case, rcpt, from, policy, relay,
 * message), one result line each.  One process and one SSL_CTX for all of
 * them: a message costs its resolver context, lookups and handshake, not a
 * process start (docs/benchmarks.md).
 */
static int
run_batch(struct opts *o, struct dl_client_cfg *cfg)
{
	struct dl_err err;
	struct dl_buf text = DL_BUF_INIT;
	char jerr[64];

	if (dl_read_file(o->batch, &text) < 0) {
		fprintf(stderr, "dl-client: %s: %m\n", o->batch);
		return EX_USAGE_;
	}
	cfg->smtp.tls = dl_tls_ctx_new(&cfg->v, &cfg->tlsa_policy, &err);
	if (cfg->smtp.tls == NULL) {
		fprintf(stderr, "dl-client: TLS setup: %s\n", err.msg);
		dl_buf_free(&text);
		return EX_CONFIG_;
	}
	cfg->smtp.timeout_ms = o->timeout * 1000;
	cfg->smtp.connect_timeout_ms = o->connect_timeout * 1000;
	for (char *line = text.data, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		struct dl_jv *v = line[0] == '{' ? dl_jv_parse(line, strlen(line), jerr,
		    sizeof(jerr)) : NULL;
		if (v)
			batch_one(o, cfg, v);
		dl_jv_free(v);
	}
	SSL_CTX_free(cfg->smtp.tls);
	dl_buf_free(&text);
	return EX_OK_;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct dl_client_cfg cfg;
	int verbose = 0, rc;

	memset(&o, 0, sizeof(o));
	memset(&cfg, 0, sizeof(cfg));
	o.timeout = 10;
	o.connect_timeout = 5;
	cfg.policy = DL_POLICY_DANE;
	cfg.smtp.helo = "dl-client.invalid";
	cfg.families[0] = AF_INET6;
	cfg.families[1] = AF_INET;
	cfg.now = time(NULL);
	cfg.seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	if ((rc = parse_args(argc, argv, &o, &cfg, &verbose)) >= 0)
		return rc;
	/* A server that drops the connection must cost one attempt, not the
	 * process: OpenSSL writes to sockets without MSG_NOSIGNAL. */
	signal(SIGPIPE, SIG_IGN);
	dl_log_init("dl-client", o.diagnose || verbose > 1 ? DL_LOG_DEBUG :
	    verbose ? DL_LOG_INFO : DL_LOG_WARN);
	if (o.batch)
		return run_batch(&o, &cfg);
	if ((rc = check_rcpts(&o)) >= 0)
		return rc;
	cfg_message(&cfg, &o);
	cfg.smtp.timeout_ms = o.timeout * 1000;
	cfg.smtp.connect_timeout_ms = o.connect_timeout * 1000;
	return run(&o, &cfg);
}
