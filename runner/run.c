/*
 * run.c -- see run.h.  The order of a run:
 *
 *   select -> sandbox -> adapter caps -> place cases (names, addresses,
 *   certificates, zones, personas) -> lab up (one world for all cases) ->
 *   mock servers up -> prove every fixture -> adapter setup -> send each
 *   case (N at a time) -> collect the three observers' evidence -> judge ->
 *   report -> teardown.
 *
 * A problem that belongs to one case (lint error, unbuildable world, wrong
 * fixture, adapter crash) makes that case an ERROR and the others go on.
 * The client phase (sending, later deliveries, judging) is run_send.c.
 */
#include "runner/run.h"

#include <errno.h>
#include <stdarg.h>
#include <strings.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lab/lab.h"
#include "lab/pki.h"
#include "lab/sandbox.h"
#include "lab/smtpd_ctl.h"
#include "runner/adapter.h"
#include "runner/case_world.h"
#include "runner/evidence.h"
#include "runner/judge.h"
#include "runner/report.h"
#include "runner/run_internal.h"
#include "runner/tail.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/log.h"

/* ---- placing cases ---- */

static void
place_cases(struct run *r)
{
	struct dl_diag diag = { 0 };

	for (size_t i = 0; i < r->n; i++) {
		struct rcase *rc = &r->cases[i];
		if (rc->problems && rc->problems[0]) {
			run_case_error(rc, "%s", rc->problems);
			continue;
		}
		rc->dir = r->keep_dir ? dl_xasprintf("%s/%s", r->keep_dir, rc->c->id) :
		    dl_xasprintf("%s/cases/%s", r->rundir, rc->c->id);
		if (run_mkdir_p(rc->dir) < 0) {
			run_case_error(rc, "%s: cannot create: %s\n", rc->dir, strerror(errno));
			continue;
		}
		dl_diag_free(&diag);
		if (dl_case_world_build(rc->c, rc->index, r->pki, rc->dir, r->o->now, &rc->w,
		    &diag) < 0) {
			run_case_error(rc, "%s", diag.text.data);
			dl_case_world_free(&rc->w);
			continue;
		}
		rc->placed = true;
		rc->round = 1;
		rc->top_dir = dl_xstrdup(rc->dir);
	}
	dl_diag_free(&diag);
}

/*
 * RSA keys the selected cases will ask for (certificates with alg=rsa2048,
 * one key per name and case): the pki makes them in a thread of its own
 * while the rest is placed.
 */
static size_t
rsa_keys_wanted(const struct run *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++) {
		const struct dl_case *c = r->cases[i].c;
		for (size_t k = 0; k < c->n_certs; k++) {
			const char *alg = dl_words_opt(&c->certs[k].opts, "alg");
			const char *key = dl_words_opt(&c->certs[k].opts, "key");
			bool seen = false;
			if (alg == NULL || strcmp(alg, "rsa2048") != 0)
				continue;
			for (size_t j = 0; j < k && key && !seen; j++) {
				const char *kj = dl_words_opt(&c->certs[j].opts, "key");
				seen = kj && strcmp(kj, key) == 0;
			}
			n += !seen;
		}
	}
	return n;
}

/* The lab's description of the placed cases' world (owned by the caller:
 * free with lab_spec_free). */
static void
lab_spec_build(struct run *r, struct dl_lab_spec *spec, struct dl_buf *rules,
    struct dl_buf *path_rules)
{
	size_t nz = 0, nh = 0;

	for (size_t i = 0; i < r->n; i++)
		if (r->cases[i].placed) {
			nz += r->cases[i].w.n_zones;
			nh += 2 * r->cases[i].c->n_hosts;
		}
	struct dl_zone_spec *zones = dl_xcalloc(nz + 1, sizeof(*zones));
	struct dl_lab_host *hosts = dl_xcalloc(nh + 1, sizeof(*hosts));
	memset(spec, 0, sizeof(*spec));
	for (size_t i = 0; i < r->n; i++) {
		const struct rcase *rc = &r->cases[i];
		if (!rc->placed)
			continue;
		for (size_t k = 0; k < rc->w.n_zones; k++)
			zones[spec->n_zones++] = rc->w.zones[k];
		for (size_t h = 0; h < rc->c->n_hosts; h++) {
			char *who = dl_xasprintf("%s of case %s", rc->c->hosts[h].label, rc->c->id);
			hosts[spec->n_hosts++] = (struct dl_lab_host){ rc->w.addr4[h], who };
			hosts[spec->n_hosts++] = (struct dl_lab_host){ rc->w.addr6[h], who };
		}
		dl_buf_add(rules, rc->w.dns_rules.data ? rc->w.dns_rules.data : "",
		    rc->w.dns_rules.len);
		dl_buf_add(path_rules, rc->w.path_rules.data ? rc->w.path_rules.data : "",
		    rc->w.path_rules.len);
	}
	spec->rundir = r->rundir;
	spec->bindir = r->o->paths->bindir;
	spec->zones = zones;
	spec->hosts = hosts;
	spec->dns_rules = rules->data ? rules->data : "";
	spec->path_rules = path_rules->data ? path_rules->data : "";
	spec->now = r->o->now;
}

static void
lab_spec_free(struct dl_lab_spec *spec)
{
	/* Each host's two addresses share one name. */
	for (size_t i = 0; i < spec->n_hosts; i += 2)
		free((char *)spec->hosts[i].who);
	free((void *)spec->hosts);
	free((void *)spec->zones);
}

/* Bring the lab up; a zone error that names a case file removes that case. */
static int
lab_up(struct run *r)
{
	struct dl_err err;

	for (size_t attempt = 0; attempt <= r->n; attempt++) {
		struct dl_buf rules = DL_BUF_INIT, path_rules = DL_BUF_INIT;
		struct dl_lab_spec spec;
		lab_spec_build(r, &spec, &rules, &path_rules);
		r->lab = dl_lab_up(&spec, &err);
		lab_spec_free(&spec);
		dl_buf_free(&rules);
		dl_buf_free(&path_rules);
		if (r->lab)
			return 0;
		struct rcase *culprit = NULL;
		for (size_t i = 0; i < r->n && !culprit; i++)
			if (r->cases[i].placed && strstr(err.msg, r->cases[i].c->path))
				culprit = &r->cases[i];
		if (culprit == NULL) {
			fprintf(stderr, "danelab: the lab did not come up: %s\n", err.msg);
			return -1;
		}
		run_case_error(culprit, "%s\n", err.msg);
		culprit->placed = false;
	}
	return -1;
}

static int
servers_up(struct run *r)
{
	struct dl_buf conf = DL_BUF_INIT;
	struct dl_err err;

	for (size_t i = 0; i < r->n; i++)
		if (r->cases[i].placed && r->cases[i].w.personas.data)
			dl_buf_adds(&conf, r->cases[i].w.personas.data);
	r->smtpd = dl_smtpd_ctl_start(r->o->paths->bindir, r->rundir,
	    conf.data ? conf.data : "", &err);
	dl_buf_free(&conf);
	if (r->smtpd == NULL) {
		fprintf(stderr, "danelab: the mock SMTP servers did not start: %s\n", err.msg);
		return -1;
	}
	dl_tail_init(&r->ev_tail, dl_smtpd_ctl_evidence_path(r->smtpd));
	return 0;
}

/*
 * The fixture proof of a set of cases (every placed case, or those whose
 * late_proof is `phase`): every probe of theirs goes to dl_lab_prove at
 * once, then a case whose world is not as declared becomes an ERROR and
 * leaves the run.
 */
struct proof {
	struct run *r;
	struct dl_lab_probe *probes;
	struct rcase **owner;     /* per probe */
	size_t n;
	int rc;
	struct dl_err err;
	long ms;
	pthread_t thread;
	bool threaded;
};

static void
proof_init(struct proof *p, struct run *r, int phase)
{
	size_t n = 0;

	memset(p, 0, sizeof(*p));
	p->r = r;
	for (size_t i = 0; i < r->n; i++)
		n += r->cases[i].w.n_probes;
	p->probes = dl_xcalloc(n + 1, sizeof(*p->probes));
	p->owner = dl_xcalloc(n + 1, sizeof(*p->owner));
	for (size_t i = 0; i < r->n; i++) {
		struct rcase *rc = &r->cases[i];
		if (!rc->placed || (phase >= 0 && rc->late_proof != (phase == 1)))
			continue;
		for (size_t k = 0; k < rc->w.n_probes; k++, p->n++) {
			const struct dl_fixture_probe *fp = &rc->w.probes[k];
			p->probes[p->n] = (struct dl_lab_probe){ .qname = fp->qname,
			    .qtype = fp->qtype, .want = fp->status };
			p->owner[p->n] = rc;
		}
	}
}

static void *
proof_main(void *arg)
{
	struct proof *p = arg;
	long t0 = dl_now_ms();

	p->rc = p->n ? dl_lab_prove(p->r->lab, p->probes, p->n, &p->err) : 0;
	p->ms = dl_now_ms() - t0;
	return NULL;
}

/* Waits for a threaded proof; records every case's report.  -1: none ran. */
static int
proof_finish(struct proof *p)
{
	if (p->threaded)
		pthread_join(p->thread, NULL);
	p->threaded = false;
	if (p->rc < 0)
		fprintf(stderr, "danelab: fixture verification failed: %s\n", p->err.msg);
	for (size_t i = 0; i < p->n && p->rc == 0; i++) {
		const struct dl_lab_probe *lp = &p->probes[i];
		dl_buf_printf(&p->owner[i]->fixture, "%s %s %s: %s%s%s%s%s\n",
		    lp->ok ? "ok  " : "FAIL", lp->qname, lp->qtype, dl_lab_status_name(lp->got),
		    lp->ok ? "" : ", want ", lp->ok ? "" : dl_lab_status_name(lp->want),
		    lp->why[0] ? " -- " : "", lp->why);
	}
	/* After every line is in: a case's error quotes its whole report. */
	for (size_t i = 0; i < p->n && p->rc == 0; i++) {
		struct rcase *c = p->owner[i];
		if (!p->probes[i].ok && c->placed) {
			run_case_error(c, "%s: the lab world is not as declared (a lab fault, not "
			    "the client's):\n%s", c->c->path, c->fixture.data);
			c->placed = false;
		}
	}
	free(p->probes);
	free(p->owner);
	p->probes = NULL;
	p->owner = NULL;
	return p->rc;
}

static int
prove_fixtures(struct run *r, int phase)
{
	struct proof p;

	proof_init(&p, r, phase);
	proof_main(&p);
	return proof_finish(&p);
}

/*
 * A case whose world has a server that never answers (server=dead, a
 * $DNSFAULT drop) costs its fixture proof the resolver's patience, about
 * 1.5 s (docs/lab.md).  Such cases are proven beside the other cases'
 * deliveries and sent after them.  Cases with later deliveries are not:
 * the round switch moves the whole lab.  Returns how many there are.
 */
static size_t
mark_late_proofs(struct run *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++) {
		struct rcase *rc = &r->cases[i];
		bool silent = false;
		for (size_t z = 0; z < rc->w.n_zones; z++)
			silent |= rc->w.zones[z].served_by == DL_SERVED_DEAD;
		for (const char *p = rc->w.dns_rules.data; p && *p && !silent;) {
			char name[512], type[32], action[32];
			silent = sscanf(p, "%511s %31s %31s", name, type, action) == 3 &&
			    strcmp(action, "drop") == 0;
			p = strchr(p, '\n');
			p = p ? p + 1 : NULL;
		}
		rc->late_proof = rc->placed && rc->w.n_rounds <= 1 && silent;
		n += rc->late_proof;
	}
	return n;
}

/*
 * The cases proven at once are delivered while the late proof runs; then
 * the late cases, from the first line the resolver logged after their
 * proof (its queries are not the client's).
 */
static void
send_overlapped(struct run *r, struct proof *late)
{
	r->send_phase = 0;
	run_send_rounds(r);
	long t0 = dl_now_ms();
	if (proof_finish(late) < 0)
		for (size_t i = 0; i < r->n; i++)
			if (r->cases[i].placed && r->cases[i].late_proof) {
				run_case_error(&r->cases[i], "fixture verification failed: %s\n",
				    late->err.msg);
				r->cases[i].placed = false;
			}
	log_debug("lab", "late fixture proof: %ld ms, of which %ld ms after the other "
	    "deliveries", late->ms, dl_now_ms() - t0);
	dl_tail_read(&r->dns_tail, run_route_resolver, r);
	for (size_t i = 0; i < r->n; i++)
		if (r->cases[i].late_proof)
			dl_buf_reset(&r->cases[i].dns_lines);
	r->send_phase = 1;
	run_send_rounds(r);
	r->send_phase = -1;
}

/* ---- the run ---- */

static void
all_cases_error(struct run *r, const char *why)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->cases[i].placed) {
			run_case_error(&r->cases[i], "%s\n", why);
			r->cases[i].placed = false;
		}
}

/*
 * The adapter feature a case needs and this adapter lacks (caller frees), or
 * NULL: its conditional(FEATURE), "mandatory-tls" for policy=encrypt, and
 * "option:KEY" for each client option of its send line.
 */
static char *
missing_feature(const struct run *r, const struct dl_case *c)
{
	if (c->level == DL_LEVEL_CONDITIONAL && !dl_adapter_has(&r->adapter, c->feature))
		return dl_xstrdup(c->feature);
	if (c->send.policy && strcmp(c->send.policy, "encrypt") == 0 &&
	    !dl_adapter_has(&r->adapter, "mandatory-tls"))
		return dl_xstrdup("mandatory-tls");
	for (size_t i = 0; i < c->send.options.n; i++) {
		char *f = dl_xasprintf("option:%.*s",
		    (int)strcspn(c->send.options.v[i], "="), c->send.options.v[i]);
		if (!dl_adapter_has(&r->adapter, f))
			return f;
		free(f);
	}
	return NULL;
}

static int
sandboxed_run(struct run *r)
{
	struct dl_err err;
	int harness = 0;

	r->started_ms = dl_now_ms();
	r->repeat = 1;
	r->send_phase = -1;
	r->pki = dl_pki_new(r->o->now);
	dl_pki_prefetch_rsa(r->pki, rsa_keys_wanted(r));
	char **env = run_base_env(r);
	int rc = dl_adapter_open(&r->adapter, r->o->adapter, r->o->paths->srcdir,
	    r->o->expect_path, env, &err);
	run_env_free(env);
	if (rc == 0 && r->o->adapter_opts)
		rc = dl_adapter_check_options(&r->adapter, r->o->adapter_opts, &err);
	if (rc < 0) {
		fprintf(stderr, "danelab: %s\n", err.msg);
		return DL_EXIT_USAGE;
	}
	run_provenance_adapter(r);
	run_mkdir_p(r->workdir);
	place_cases(r);
	for (size_t i = 0; i < r->n; i++) {
		char *missing = r->cases[i].placed ? missing_feature(r, r->cases[i].c) : NULL;
		if (missing) {
			r->cases[i].placed = false;
			r->cases[i].unsupported = true;
			r->cases[i].missing = missing;
		}
	}
	long t0 = dl_now_ms();
	struct proof late = { 0 };
	bool overlap = false;
	if (lab_up(r) < 0 || servers_up(r) < 0) {
		all_cases_error(r, "the lab did not come up (see above)");
		harness = 1;
	} else {
		dl_tail_init(&r->dns_tail, dl_lab_resolver_log(r->lab));
		long t1 = dl_now_ms();
		overlap = !r->o->verify_only && !r->o->hold && r->o->repeat == 1 &&
		    mark_late_proofs(r) > 0;
		if (overlap) {
			proof_init(&late, r, 1);
			late.threaded = pthread_create(&late.thread, NULL, proof_main, &late) == 0;
			if (!late.threaded)
				proof_main(&late);
		}
		if (prove_fixtures(r, overlap ? 0 : -1) < 0) {
			all_cases_error(r, "fixture verification failed (see above)");
			harness = 1;
		}
		log_debug("lab", "placement %ld ms, lab+servers up %ld ms, fixtures %ld ms%s",
		    t0 - r->started_ms, t1 - t0, dl_now_ms() - t1,
		    overlap ? " (cases with silent servers: beside the deliveries)" : "");
	}
	if (!harness && r->o->verify_only) {
		int bad = run_print_fixtures(r);
		if (r->o->hold)
			run_hold(r);
		dl_smtpd_ctl_stop(r->smtpd);
		dl_lab_down(r->lab);
		return bad ? DL_EXIT_UNEXPECTED : DL_EXIT_OK;
	} else if (!harness && r->o->hold) {
		run_hold(r);
	} else if (!harness) {
		/* Skip the probes' own queries: the client phase starts here. */
		dl_tail_read(&r->dns_tail, run_route_resolver, r);
		for (size_t i = 0; i < r->n; i++) {
			dl_buf_reset(&r->cases[i].dns_lines);
			r->cases[i].sync_prefix = dl_xasprintf("%s/", r->cases[i].c->id);
		}
		run_capture_start(r);
		if (run_adapter_verb(r, "setup") < 0) {
			all_cases_error(r, "the adapter's setup failed (see adapter-setup.err)");
			harness = 1;
		} else if (overlap) {
			send_overlapped(r, &late);
			run_adapter_verb(r, "teardown");
		} else {
			for (r->repeat = 1; r->repeat <= r->o->repeat; r->repeat++) {
				if (r->repeat > 1 && run_adapter_verb(r, "reset") < 0) {
					all_cases_error(r, "the adapter's reset failed");
					harness = 1;
					break;
				}
				run_send_rounds(r);
			}
			run_adapter_verb(r, "teardown");
		}
	}
	/* Nothing may outlive the lab it asks. */
	if (late.probes)
		proof_finish(&late);
	run_capture_finish(r);
	run_finish_results(r);
	if (r->smtpd)
		dl_smtpd_ctl_stop(r->smtpd);
	if (r->lab)
		dl_lab_down(r->lab);
	rc = run_reports(r);
	return harness ? DL_EXIT_HARNESS : rc;
}

static bool
run_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Add path (or, for a file, its directory) as an absolute path. */
static void
keep_path(struct dl_words *keep, const char *path, bool is_file)
{
	char *copy, *abs;

	if (path == NULL)
		return;
	copy = dl_xstrdup(path);
	if (is_file) {
		char *slash = strrchr(copy, '/');
		if (slash == copy)
			slash[1] = '\0';
		else if (slash)
			*slash = '\0';
		else
			strcpy(copy, ".");
	}
	abs = realpath(copy, NULL);
	dl_words_push(keep, abs ? abs : copy);
	free(abs);
	free(copy);
}

int
dl_run(const struct dl_caseset *set, const bool *selected, const struct dl_run_opts *o)
{
	struct run r = { .o = o };
	struct dl_sandbox_opts so = { 0 };
	struct dl_sandbox_info info;
	struct dl_err err;
	struct dl_words keep = { 0 };

	/* Evidence is routed to cases by id: two cases with one id would read
	 * each other's (the lint reports it; the run refuses to start). */
	for (size_t i = 1; i < set->n; i++) {
		const char *a = set->cases[i - 1]->id, *b = set->cases[i]->id;
		if (a && b && strcmp(a, b) == 0 && dl_case_label_ok(b) &&
		    (selected[i] || selected[i - 1])) {
			fprintf(stderr, "danelab: %s and %s have the same id \"%s\", expected "
			    "unique ids: not running\n", set->cases[i - 1]->path,
			    set->cases[i]->path, b);
			return DL_EXIT_USAGE;
		}
	}
	r.cases = dl_xcalloc(set->n + 1, sizeof(*r.cases));
	for (size_t i = 0; i < set->n; i++) {
		if (!selected[i])
			continue;
		struct rcase *rc = &r.cases[r.n];
		rc->c = set->cases[i];
		rc->problems = set->problems[i];
		rc->index = (int)r.n++;
	}
	if (o->keep_dir && run_mkdir_p(o->keep_dir) < 0) {
		fprintf(stderr, "danelab: --keep %s: %s\n", o->keep_dir, strerror(errno));
		return DL_EXIT_USAGE;
	}
	/* Adapters run in their own working directory: every path they are
	 * given (message, case directory) must be absolute. */
	if (o->keep_dir)
		r.keep_dir = realpath(o->keep_dir, NULL);
	/* Everything the user named must stay visible inside the sandbox,
	 * whose scratch tmpfs is mounted where it hides none of these. */
	keep_path(&keep, o->paths->srcdir, false);
	keep_path(&keep, o->paths->bindir, false);
	keep_path(&keep, o->casedir ? o->casedir : o->paths->casedir, false);
	for (size_t i = 0; i < o->n_case_paths; i++)
		keep_path(&keep, o->case_paths[i], !run_is_dir(o->case_paths[i]));
	keep_path(&keep, o->expect_path, true);
	/* An adapter option naming a folder (root=DIR: the MTA under test). */
	for (size_t i = 0; o->adapter_opts && i < o->adapter_opts->n; i++) {
		const char *val = strchr(o->adapter_opts->v[i], '=') + 1;
		if (val[0] == '/' && run_is_dir(val))
			keep_path(&keep, val, false);
	}
	keep_path(&keep, o->keep_dir, false);
	keep_path(&keep, o->json_path, true);
	keep_path(&keep, o->junit_path, true);
	keep_path(&keep, o->tap_path, true);
	keep_path(&keep, o->html_path, true);
	if (o->adapter && strchr(o->adapter, '/'))
		keep_path(&keep, o->adapter, true);
	so.keep = (const char *const *)keep.v;
	so.n_keep = keep.n;
	r.host_pid = (long)getpid(); /* the waiter: in every namespace but the pid one */
	if (dl_sandbox_enter(&so, &info, &err) < 0) {
		fprintf(stderr, "danelab: cannot enter the lab sandbox: %s\n", err.msg);
		return DL_EXIT_HARNESS;
	}
	r.rundir = dl_xasprintf("%s/danelab", info.scratch);
	r.workdir = dl_xasprintf("%s/adapter", r.rundir);
	r.resolv_conf = dl_xstrdup(info.resolv_conf);
	run_mkdir_p(r.rundir);
	int rc = sandboxed_run(&r);
	run_free(&r);
	dl_words_free(&keep);
	return rc;
}
