/*
 * run_explain.c -- `danelab explain` (everything about one case, for a
 * person) and `danelab lab up` (keep a case's world running to poke at).
 * Explain always keeps the evidence (cmd_run.c picks a directory when
 * --keep is not given), so every path it prints exists after the run.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab/lab.h"
#include "lab/smtpd_ctl.h"
#include "runner/judge.h"
#include "runner/run_internal.h"
#include "util/buf.h"

static void
section_file(const char *title, const char *dir, const char *name)
{
	struct dl_buf b = DL_BUF_INIT;
	char *path = dl_xasprintf("%s/%s", dir, name);

	/* Only paths that exist are printed: they are meant to be opened. */
	if (dl_read_file(path, &b) < 0)
		printf("\n-- %s\n(not recorded in this run)\n", title);
	else if (b.len)
		printf("\n-- %s (%s)\n%s", title, path, b.data);
	else
		printf("\n-- %s (%s)\n(empty)\n", title, path);
	if (b.len && b.data[b.len - 1] != '\n')
		putchar('\n');
	dl_buf_free(&b);
	free(path);
}

void
run_explain_case(struct run *r, struct rcase *rc)
{
	const struct dl_case *c = rc->c;

	printf("\n== %s: %s\n", c->id, c->title);
	printf("file %s, level %s%s%s%s, requires", c->path, dl_level_name(c->level),
	    c->feature ? "(" : "", c->feature ? c->feature : "", c->feature ? ")" : "");
	for (size_t i = 0; i < c->require.n; i++)
		printf(" %s", c->require.v[i]);
	printf("\napex %s, recipient %s, policy %s%s%s\n", rc->w.apex, rc->w.rcpt,
	    c->send.policy, rc->w.relay ? ", relay " : "", rc->w.relay ? rc->w.relay : "");
	if (c->note)
		printf("note: %s\n", c->note);
	for (size_t h = 0; h < c->n_hosts; h++)
		printf("host %-10s %s  %s  (%s)\n", c->hosts[h].label, rc->w.addr4[h],
		    rc->w.addr6[h], c->hosts[h].kind);
	section_file("the DNS world, as signed and served", rc->dir, "zones.txt");
	section_file("DNS faults injected by the fault proxy", rc->dir, "dnsfault.rules");
	section_file("personas at the hosts", rc->dir, "personas.conf");
	section_file("fixture, proved through the lab resolver before the client ran",
	    rc->dir, "fixture.txt");
	section_file("what the client reported (adapter output)", rc->dir, "adapter.out");
	section_file("client diagnostics (adapter stderr)", rc->dir, "adapter.err");
	section_file("what the resolver saw the client ask", rc->dir, "resolver.log");
	section_file("what the servers saw (one JSON line per connection)", rc->dir,
	    "evidence.jsonl");
	section_file("verdict", rc->dir, "verdict.txt");
	printf("\n-- packets: every packet of this case in the lab (DNS to the resolver and the\n"
	    "   authorities, SMTP to every host and attacker), complete when the run ends\n"
	    "  capture   %s/capture.pcap\n"
	    "  TLS keys  %s/tls-keys.log\n"
	    "  decrypted tshark -r %s/capture.pcap -o tls.keylog_file:%s/tls-keys.log -Y smtp\n",
	    rc->top_dir, rc->top_dir, rc->top_dir, rc->top_dir);
	printf("\n-- reproduce\n  %s/repro.sh (read it: it says how)\n", rc->dir);
	printf("\nevidence kept in %s\n", rc->top_dir);
}

void
run_hold(struct run *r)
{
	sigset_t set;
	int sig;

	printf("The lab is up (clock %lld).\n", (long long)r->o->now);
	struct dl_buf d = DL_BUF_INIT;
	dl_lab_describe(r->lab, &d);
	fputs(d.data ? d.data : "", stdout);
	dl_buf_free(&d);
	printf("trust anchor: %s\nresolv.conf:  %s\nmock servers' evidence: %s\n",
	    dl_lab_trust_anchor(r->lab), r->resolv_conf, dl_smtpd_ctl_evidence_path(r->smtpd));
	for (size_t i = 0; i < r->n; i++) {
		struct rcase *rc = &r->cases[i];
		if (!rc->placed) {
			printf("case %s: not placed:\n%s", rc->c->id, rc->error ? rc->error : "");
			continue;
		}
		run_prepare_case_dir(r, rc);
		printf("case %s: apex %s rcpt %s\n", rc->c->id, rc->w.apex, rc->w.rcpt);
		for (size_t h = 0; h < rc->c->n_hosts; h++)
			printf("  host %-10s %s %s\n", rc->c->hosts[h].label, rc->w.addr4[h],
			    rc->w.addr6[h]);
		printf("  send by hand: %s/repro.sh\n", rc->dir);
	}
	printf("Enter the lab from another terminal with\n"
	    "  nsenter --target %ld --user --net --mount --preserve-credentials\n"
	    "Stop with Ctrl-C.\n", (long)r->host_pid);
	fflush(stdout);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigwait(&set, &sig);
}

int
run_print_fixtures(struct run *r)
{
	int pass = 0, fail = 0;

	for (size_t i = 0; i < r->n; i++) {
		struct rcase *rc = &r->cases[i];
		const char *p = rc->fixture.data;
		if (p == NULL || *p == '\0') {
			printf("FAIL %s: %s", rc->c->id, rc->error ? rc->error : "not placed\n");
			fail++;
			continue;
		}
		while (*p) {
			const char *eol = strchr(p, '\n');
			size_t len = eol ? (size_t)(eol - p) : strlen(p);
			/* The report's lines are "ok   NAME TYPE: status" / "FAIL ...". */
			if (strncmp(p, "ok", 2) == 0) {
				printf("PASS %s %.*s\n", rc->c->id, (int)(len - 5), p + 5);
				pass++;
			} else {
				printf("FAIL %s %.*s\n", rc->c->id, (int)(len - 5), p + 5);
				fail++;
			}
			p += len + (eol ? 1 : 0);
		}
	}
	printf("\n%d passed, %d failed\n", pass, fail);
	return fail;
}
