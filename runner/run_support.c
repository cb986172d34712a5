/*
 * run_support.c -- the files and environments of a run: adapter
 * environments, the message of each case, its evidence directory (with a
 * repro.sh), per-case lines, the final results and reports.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lab/lab.h"
#include "lab/pki.h"
#include "lab/smtpd_ctl.h"
#include "runner/adapter.h"
#include "runner/judge.h"
#include "runner/report.h"
#include "runner/report_html.h"
#include "runner/run_internal.h"
#include "util/buf.h"
#include "util/clock.h"

/* ---- environments ---- */

static void
env_add(struct dl_words *env, const char *key, const char *val)
{
	char *kv = dl_xasprintf("%s=%s", key, val ? val : "");
	dl_words_push(env, kv);
	free(kv);
}

static char **
env_finish(struct dl_words *env)
{
	env->v = dl_xrealloc(env->v, (env->n + 1) * sizeof(char *));
	env->v[env->n] = NULL;
	return env->v;
}

/* --adapter-opt KEY=VALUE reaches every verb as DANELAB_ADAPTER_KEY=VALUE. */
static void
env_adapter_opts(const struct run *r, struct dl_words *env)
{
	for (size_t i = 0; r->o->adapter_opts && i < r->o->adapter_opts->n; i++) {
		char *kv = dl_adapter_option_env(r->o->adapter_opts->v[i]);
		if (kv)
			dl_words_push(env, kv);
		free(kv);
	}
}

static void
env_common(const struct run *r, struct dl_words *env)
{
	const char *path = getenv("PATH");

	env_add(env, "PATH", path ? path : "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
	env_add(env, "HOME", r->workdir);
	env_add(env, "LC_ALL", "C");
	env_add(env, "DANELAB_BIN", r->o->paths->bindir);
	env_add(env, "DANELAB_SRCDIR", r->o->paths->srcdir);
	env_add(env, "DANELAB_WORKDIR", r->workdir);
	env_add(env, "DANELAB_RESOLVER", DL_LAB_RESOLVER);
	env_add(env, "DANELAB_RESOLVER6", DL_LAB_RESOLVER6);
	env_add(env, "DANELAB_RESOLV_CONF", r->resolv_conf);
	if (r->lab)
		env_add(env, "DANELAB_TRUST_ANCHOR", dl_lab_trust_anchor(r->lab));
	if (r->o->violate && r->o->violate[0])
		env_add(env, "DANELAB_VIOLATE", r->o->violate);
	env_adapter_opts(r, env);
}

char **
run_base_env(const struct run *r)
{
	struct dl_words env = { 0 };

	env_common(r, &env);
	return env_finish(&env);
}

char **
run_send_env(const struct run *r, const struct rcase *rc)
{
	struct dl_words env = { 0 };
	char *msg = dl_xasprintf("%s/message.eml", rc->dir);
	char tmo[16];

	env_common(r, &env);
	env_add(&env, "DANELAB_CASE", rc->c->id);
	env_add(&env, "DANELAB_CASE_DIR", rc->dir);
	{
		char round[16];
		snprintf(round, sizeof(round), "%d", rc->round);
		env_add(&env, "DANELAB_ROUND", round);
		env_add(&env, "DANELAB_RETRY", run_round_is_retry(rc) ? "1" : "0");
	}
	env_add(&env, "DANELAB_RCPT", rc->w.rcpt);
	env_add(&env, "DANELAB_FROM", rc->c->send.from);
	env_add(&env, "DANELAB_POLICY", rc->c->send.policy);
	env_add(&env, "DANELAB_RELAY", rc->w.relay ? rc->w.relay : "");
	env_add(&env, "DANELAB_OPTIONS", rc->w.options ? rc->w.options : "");
	env_add(&env, "DANELAB_MESSAGE", msg);
	/* The untrusted path, for the cases about trusting someone else's AD bit. */
	env_add(&env, "DANELAB_RESOLVER", rc->w.resolver);
	/* One network step may take a third of the case's time. */
	snprintf(tmo, sizeof(tmo), "%d", r->o->timeout_s / 3 > 0 ? r->o->timeout_s / 3 : 1);
	env_add(&env, "DANELAB_STEP_TIMEOUT", tmo);
	free(msg);
	return env_finish(&env);
}

void
run_env_free(char **env)
{
	for (size_t i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}

int
run_adapter_verb(struct run *r, const char *verb)
{
	char *out = dl_xasprintf("%s/adapter-%s.out", r->workdir, verb);
	char *err = dl_xasprintf("%s/adapter-%s.err", r->workdir, verb);
	char **env = run_base_env(r);
	struct dl_err e;
	int rc = dl_adapter_run(&r->adapter, verb, NULL, env, r->workdir, out, err, 120, &e);

	if (rc != 0) {
		struct dl_buf b = DL_BUF_INIT;
		dl_read_file(err, &b);
		fprintf(stderr, "danelab: adapter %s %s failed (status %d)%s%s\n",
		    r->adapter.name, verb, rc, b.len ? ":\n" : "", b.len ? b.data : "");
		dl_buf_free(&b);
	}
	run_env_free(env);
	free(out);
	free(err);
	return rc == 0 ? 0 : -1;
}

/* ---- files of a case ---- */

void
run_write_message(const struct run *r, const struct rcase *rc)
{
	char *path = dl_xasprintf("%s/message.eml", rc->dir);
	char date[64], round_tag[16] = "";
	time_t now = r->o->now;
	struct tm tm;

	/* An internationalised recipient stays in the envelope: the message
	 * itself is ASCII, so no hop needs SMTPUTF8 to carry it. */
	bool ascii = true;
	for (const char *p = rc->w.rcpt; *p; p++)
		ascii &= (unsigned char)*p < 0x80;
	/* A retry is the same message; a resend is a new one (its own id). */
	for (int k = rc->round; k > 1 && !round_tag[0]; k--)
		if (strcmp(rc->c->thens[k - 2].kind, "resend") == 0)
			snprintf(round_tag, sizeof(round_tag), ".d%d", k);
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	char *msg = dl_xasprintf(
	    "From: <%s>\r\nTo: %s%s%s\r\nSubject: danelab case %s\r\nDate: %s\r\n"
	    "Message-ID: <%s.%d%s@danelab.test>\r\nX-Danelab-Case: %s\r\n\r\n"
	    "This message was sent by danelab case %s.\r\n"
	    "If a server other than the case's expected one has it, the attack worked.\r\n",
	    rc->c->send.from, ascii ? "<" : "", ascii ? rc->w.rcpt : "undisclosed-recipients:;",
	    ascii ? ">" : "", rc->c->id, date, rc->c->id,
	    r->repeat, round_tag, rc->c->id, rc->c->id);
	dl_write_file(path, msg, strlen(msg));
	free(msg);
	free(path);
}

static void
write_text(const char *dir, const char *name, const char *text)
{
	char *path = dl_xasprintf("%s/%s", dir, name);
	dl_write_file(path, text ? text : "", text ? strlen(text) : 0);
	free(path);
}

/* The zone files of this case's zones, concatenated, for people. */
static void
write_zones(const struct run *r, const struct rcase *rc)
{
	struct dl_buf all = DL_BUF_INIT;

	for (size_t i = 0; r->lab && i < rc->w.n_zones; i++) {
		char *f = dl_xasprintf("%s/%szone", dl_lab_zone_dir(r->lab), rc->w.zones[i].origin);
		dl_buf_printf(&all, ";; ---- %s (%s)\n", rc->w.zones[i].origin,
		    dl_zone_mode_name(rc->w.zones[i].mode));
		if (dl_read_file(f, &all) < 0)
			dl_buf_printf(&all, ";; (not built: %s)\n", strerror(errno));
		free(f);
	}
	write_text(rc->dir, "zones.txt", all.data);
	dl_buf_free(&all);
}

/* s as one shell word: single-quoted, each ' as '\'' (a case is untrusted). */
static void
sh_word(struct dl_buf *b, const char *s)
{
	dl_buf_addc(b, '\'');
	for (; s && *s; s++) {
		if (*s == '\'')
			dl_buf_adds(b, "'\\''");
		else
			dl_buf_addc(b, *s);
	}
	dl_buf_addc(b, '\'');
}

static void
write_repro(const struct run *r, const struct rcase *rc)
{
	char *path = dl_xasprintf("%s/repro.sh", rc->dir);
	struct dl_buf q[12];
	const char *v[12] = {
		r->o->paths->bindir, rc->c->id, rc->dir, r->o->paths->bindir,
		r->lab ? dl_lab_trust_anchor(r->lab) : "", rc->w.rcpt, rc->c->send.from,
		rc->c->send.policy, rc->w.relay ? rc->w.relay : "",
		rc->w.options ? rc->w.options : "", r->o->violate ? r->o->violate : "",
		r->adapter.path,
	};

	/* Every value is quoted: the script is read and run by people. */
	for (size_t i = 0; i < 12; i++) {
		memset(&q[i], 0, sizeof(q[i]));
		sh_word(&q[i], v[i]);
	}
	char *text = dl_xasprintf(
	    "#!/bin/sh\n"
	    "# Reproduce danelab case %s by hand.\n"
	    "#\n"
	    "# 1. Bring the case's world up and keep it; it prints how to enter the\n"
	    "#    lab namespace (nsenter) and the addresses of everything:\n"
	    "#        %s/danelab lab up %s\n"
	    "# 2. Inside the namespace, send the way the runner did:\n"
	    "cd %s || exit 1\n"
	    "export DANELAB_BIN=%s DANELAB_RESOLVER=" DL_LAB_RESOLVER " \\\n"
	    "  DANELAB_TRUST_ANCHOR=\"${DANELAB_TRUST_ANCHOR:-\"%s\"}\" \\\n"
	    "  DANELAB_CASE=%s DANELAB_RCPT=%s DANELAB_FROM=%s \\\n"
	    "  DANELAB_POLICY=%s DANELAB_RELAY=%s DANELAB_OPTIONS=%s \\\n"
	    "  DANELAB_MESSAGE=\"$PWD/message.eml\"%s%s\n"
	    "exec %s send\n"
	    "# 3. Or just rerun it with the same clock: %s/danelab run --now %lld %s\n"
	    "#\n"
	    "# Kept evidence (--keep) beside this file: capture.pcap holds every packet\n"
	    "# of the case (DNS and SMTP), tls-keys.log its TLS secrets; read both with\n"
	    "#   tshark -r capture.pcap -o tls.keylog_file:tls-keys.log -Y smtp\n",
	    rc->c->id, r->o->paths->bindir, rc->c->id, q[2].data, q[3].data, q[4].data,
	    q[1].data, q[5].data, q[6].data, q[7].data, q[8].data, q[9].data,
	    r->o->violate ? " DANELAB_VIOLATE=" : "", r->o->violate ? q[10].data : "",
	    q[11].data, r->o->paths->bindir, (long long)r->o->now, rc->c->id);
	dl_write_file(path, text, strlen(text));
	chmod(path, 0755);
	for (size_t i = 0; i < 12; i++)
		dl_buf_free(&q[i]);
	free(text);
	free(path);
}

void
run_prepare_case_dir(const struct run *r, const struct rcase *rc)
{
	run_write_message(r, rc);
	write_repro(r, rc);
	write_text(rc->dir, "case.case", rc->c->source);
}

void
run_write_evidence(const struct run *r, struct rcase *rc, const struct dl_buf *ev,
    const struct dl_buf *dns, const struct dl_buf *out)
{
	struct dl_buf v = DL_BUF_INIT;

	write_text(rc->dir, "case.case", rc->c->source);
	write_text(rc->dir, "personas.conf", rc->w.personas.data);
	write_text(rc->dir, "dnsfault.rules", rc->round > 1 ?
	    rc->w.round_rules[rc->round - 2].data : rc->w.dns_rules.data);
	write_text(rc->dir, "fixture.txt", rc->fixture.data);
	write_text(rc->dir, "evidence.jsonl", ev->data);
	write_text(rc->dir, "resolver.log", dns->data);
	write_zones(r, rc);
	write_repro(r, rc);
	dl_buf_printf(&v, "verdict: %s\nexpected: %s\nobserved: %s\n%s",
	    dl_verdict_name(rc->res.verdict), rc->res.expected ? rc->res.expected : "-",
	    rc->res.observed ? rc->res.observed : "-", rc->res.reasons ? rc->res.reasons : "");
	write_text(rc->dir, "verdict.txt", v.data);
	dl_buf_free(&v);
	(void)out;
}

/* ---- results ---- */

static void
apply_deviation(struct run *r, struct rcase *rc)
{
	struct dl_deviation *d = dl_adapter_deviation(&r->adapter, rc->c->id);

	if (d == NULL)
		return;
	if (rc->res.verdict == DL_V_FAIL || rc->res.verdict == DL_V_NONSTRICT) {
		rc->res.verdict = DL_V_XFAIL;
		rc->res.xfail_reason = dl_xstrdup(d->reason);
	} else if (rc->res.verdict == DL_V_PASS) {
		rc->res.verdict = DL_V_XPASS;
		rc->res.xfail_reason = dl_xasprintf("%s (listed in %s:%d, but it passed: "
		    "remove the line)", d->reason, r->adapter.expect_path, d->line);
	}
}

/* Move a case's result into the run's list (the case is free to run again). */
static void
keep_result(struct run *r, struct rcase *rc)
{
	r->results = dl_xrealloc(r->results, (r->n_results + 1) * sizeof(*r->results));
	r->results[r->n_results++] = rc->res;
	memset(&rc->res, 0, sizeof(rc->res));
	rc->reported = true;
}

/* Kept evidence outlives the run: reports name it, absolute. */
static void
set_evidence_dir(const struct run *r, struct rcase *rc)
{
	char *abs;

	if (r->o->keep_dir == NULL || rc->top_dir == NULL || rc->res.evidence_dir)
		return;
	abs = realpath(rc->top_dir, NULL);
	rc->res.evidence_dir = abs ? abs : dl_xstrdup(rc->top_dir);
}

void
run_report_case(struct run *r, struct rcase *rc, size_t done, size_t total)
{
	rc->res.c = rc->c;
	rc->res.repeat = r->repeat;
	set_evidence_dir(r, rc);
	if (rc->res.verdict != DL_V_ERROR)
		apply_deviation(r, rc);
	if (r->o->progress)
		fputs("\r\033[K", stdout);
	if (!r->o->quiet)
		dl_report_case_line(stdout, &rc->res, r->o->verbose);
	keep_result(r, rc);
	(void)done;
	(void)total;
}

void
run_finish_results(struct run *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct rcase *rc = &r->cases[i];
		if (rc->reported)
			continue;
		rc->res.c = rc->c;
		if (rc->unsupported) {
			rc->res.verdict = DL_V_UNSUPPORTED;
			rc->res.reasons = dl_xasprintf("%s: needs feature \"%s\", which adapter %s "
			    "does not declare\n", rc->c->path, rc->missing, r->adapter.name);
		} else {
			rc->res.verdict = DL_V_ERROR;
			rc->res.reasons = dl_xstrdup(rc->error ? rc->error : "not run\n");
		}
		rc->res.observed = dl_xstrdup("not run");
		rc->res.repeat = 1;
		set_evidence_dir(r, rc);
		if (!r->o->quiet && !r->o->hold)
			dl_report_case_line(stdout, &rc->res, r->o->verbose);
		keep_result(r, rc);
	}
}

/* The page names each requirement's text: the catalog beside the cases. */
static int
run_report_html(const struct run *r, const struct dl_report_meta *m, struct dl_err *err)
{
	struct dl_catalog cat;
	struct dl_err cerr;
	char *dir = dl_xasprintf("%s/cases", r->o->paths->srcdir);
	bool have = dl_catalog_load(&cat, dir, &cerr) == 0;
	int rc = dl_report_html(r->o->html_path, m, r->results, r->n_results,
	    have ? &cat : NULL, err);

	if (have)
		dl_catalog_free(&cat);
	free(dir);
	return rc;
}

int
run_reports(struct run *r)
{
	struct dl_case_result *res = r->results;
	size_t n = r->n_results;
	struct dl_report_meta m = { .adapter = r->adapter.name ? r->adapter.name : r->o->adapter,
	    .jobs = r->o->jobs };
	char started[32];
	struct dl_err err;
	struct dl_tally t;
	time_t now = r->o->now;
	struct tm tm;
	int rc = 0;

	if (r->o->hold)
		return 0;
	gmtime_r(&now, &tm);
	strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	m.started = started;
	m.duration_ms = dl_now_ms() - r->started_ms;
	m.prov = r->o->prov;
	if (m.prov)
		dl_provenance_console(stdout, m.prov);
	dl_report_summary(stdout, res, n);
	if ((r->o->json_path && dl_report_json(r->o->json_path, &m, res, n, &err) < 0) ||
	    (r->o->junit_path && dl_report_junit(r->o->junit_path, &m, res, n, &err) < 0) ||
	    (r->o->tap_path && dl_report_tap_prov(r->o->tap_path, &m, res, n, &err) < 0) ||
	    (r->o->html_path && run_report_html(r, &m, &err) < 0)) {
		fprintf(stderr, "danelab: %s\n", err.msg);
		rc = DL_EXIT_USAGE;
	}
	dl_tally_results(res, n, &t);
	if (rc)
		return rc;
	/* Only ERRORs, no verdict against the client: the lab or the harness
	 * failed, and CI should say so rather than blame the change. */
	if (t.failed && t.failed == t.by_verdict[DL_V_ERROR])
		return DL_EXIT_HARNESS;
	return t.failed ? DL_EXIT_UNEXPECTED : DL_EXIT_OK;
}

void
run_provenance_adapter(struct run *r)
{
	struct dl_provenance *p = r->o->prov;
	const struct dl_adapter *a = &r->adapter;
	struct dl_buf opts = DL_BUF_INIT;

	if (p == NULL)
		return;
	for (size_t i = 0; r->o->adapter_opts && i < r->o->adapter_opts->n; i++)
		dl_buf_printf(&opts, "%s%s", i ? " " : "", r->o->adapter_opts->v[i]);
	free(p->adapter);
	free(p->adapter_path);
	free(p->adapter_options);
	free(p->expect_file);
	free(p->client_name);
	free(p->client_version);
	free(p->client_tls);
	p->adapter = dl_xstrdup(a->name);
	p->adapter_path = dl_xstrdup(a->path);
	p->adapter_options = opts.data ? dl_buf_take(&opts) : dl_xstrdup("");
	p->expect_file = a->expect_path ? dl_xstrdup(a->expect_path) : NULL;
	p->client_name = a->client_name ? dl_xstrdup(a->client_name) : NULL;
	p->client_version = a->client_version ? dl_xstrdup(a->client_version) : NULL;
	p->client_tls = a->client_tls ? dl_xstrdup(a->client_tls) : NULL;
}

void
run_free(struct run *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct rcase *rc = &r->cases[i];
		dl_case_world_free(&rc->w);
		free(rc->dir);
		free(rc->top_dir);
		free(rc->missing);
		free(rc->sync_prefix);
		free(rc->error);
		dl_buf_free(&rc->ev_lines);
		dl_buf_free(&rc->dns_lines);
		dl_buf_free(&rc->fixture);
		dl_case_result_free(&rc->res);
	}
	free(r->cases);
	for (size_t i = 0; i < r->n_results; i++)
		dl_case_result_free(&r->results[i]);
	free(r->results);
	dl_adapter_close(&r->adapter);
	dl_tail_free(&r->ev_tail);
	dl_tail_free(&r->dns_tail);
	if (r->pki)
		dl_pki_free(r->pki);
	free(r->rundir);
	free(r->workdir);
	free(r->resolv_conf);
	free(r->keep_dir);
}
