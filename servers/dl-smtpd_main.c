/*
 * dl-smtpd_main.c -- bin/dl-smtpd: the lab's mock SMTP servers and on-path
 * attackers, every persona of a configuration file in one process.
 *
 *   dl-smtpd -c PERSONAS [--evidence FILE] [--keylog FILE] [--control PATH]
 *            [--ready-fd N] [--max-conns N] [--timeout SEC] [--check] [-v]
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "servers/smtpd.h"
#include "util/log.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: dl-smtpd -c PERSONAS [--evidence FILE] [--keylog FILE]\n"
	    "                [--control PATH] [--ready-fd N] [--max-conns N]\n"
	    "                [--timeout SEC] [--check] [-v]\n"
	    "  -c, --config FILE   personas (format: servers/PERSONAS.md)\n"
	    "  --evidence FILE     append one JSON line per connection\n"
	    "                      (schema: servers/EVIDENCE.md)\n"
	    "  --keylog FILE       append TLS secrets (SSLKEYLOGFILE format)\n"
	    "  --control PATH      unix socket: 'sync [PREFIX]', 'stats', 'quit'\n"
	    "  --ready-fd N        write \"ready\\n\" to fd N once listening\n"
	    "  --max-conns N       concurrent client connections (default 4096)\n"
	    "  --timeout SEC       idle timeout per connection (default 60)\n"
	    "  --check             load the configuration and exit\n"
	    "  -v                  more logging (twice: debug)\n");
}

static int
num_arg(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "evidence", required_argument, NULL, 'e' },
		{ "keylog", required_argument, NULL, 'k' },
		{ "control", required_argument, NULL, 'C' },
		{ "ready-fd", required_argument, NULL, 'r' },
		{ "max-conns", required_argument, NULL, 'm' },
		{ "timeout", required_argument, NULL, 't' },
		{ "check", no_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct smtpd_opts o = { .ready_fd = -1, .max_conns = 4096, .timeout_s = 60 };
	enum dl_log_level lvl = DL_LOG_WARN;
	bool check = false;
	int ch;

	while ((ch = getopt_long(argc, argv, "c:vh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': o.config_path = optarg; break;
		case 'e': o.evidence_path = optarg; break;
		case 'k': o.keylog_path = optarg; break;
		case 'C': o.control_path = optarg; break;
		case 'K': check = true; break;
		case 'v': lvl = lvl < DL_LOG_DEBUG ? lvl + 1 : lvl; break;
		case 'h': usage(stdout); return 0;
		case 'r':
			if (num_arg(optarg, 0, 65535, &o.ready_fd) < 0)
				goto bad;
			break;
		case 'm':
			if (num_arg(optarg, 1, 1000000, &o.max_conns) < 0)
				goto bad;
			break;
		case 't':
			if (num_arg(optarg, 1, 86400, &o.timeout_s) < 0)
				goto bad;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (o.config_path == NULL || optind != argc) {
		usage(stderr);
		return 2;
	}
	dl_log_init(argv[0], lvl);
	signal(SIGPIPE, SIG_IGN);

	struct smtpd s;
	struct dl_err err;
	int rc = 0;
	if (smtpd_init(&s, &o, &err) < 0) {
		log_err("smtp", "%s", err.msg);
		rc = 1;
	} else if (!check && smtpd_run(&s, &err) < 0) {
		log_err("smtp", "%s", err.msg);
		rc = 1;
	}
	smtpd_free(&s);
	return rc;
bad:
	fprintf(stderr, "dl-smtpd: bad value '%s' for --%s\n", optarg,
	    ch == 'r' ? "ready-fd" : ch == 'm' ? "max-conns" : "timeout");
	return 2;
}
