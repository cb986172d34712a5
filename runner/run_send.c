/*
 * run_send.c -- the client phase of a run: every placed case handed to the
 * adapter (one `send` at a time per job, or `send-batch` lists), each
 * collected and judged as if sent alone; and the later deliveries of cases
 * with `then` lines, with the lab's world switched between rounds.
 * run.c does what comes before (placement, lab, fixtures) and after.
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lab/lab.h"
#include "lab/smtpd_ctl.h"
#include "runner/adapter.h"
#include "runner/evidence.h"
#include "runner/judge.h"
#include "runner/report.h"
#include "runner/run_internal.h"
#include "runner/tail.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/log.h"
#include "util/spawn.h"

/*
 * A later delivery's judgement absorbs the earlier ones' (held in rc->res):
 * the worst verdict, every reason, "then" between the observations.
 */
static void
merge_round(struct rcase *rc, int round, struct dl_judgement *j)
{
	struct dl_buf why = DL_BUF_INIT;
	char *obs, *exp;

	dl_buf_adds(&why, rc->res.reasons ? rc->res.reasons : "");
	for (const char *p = j->reasons.data; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		dl_buf_printf(&why, "delivery %d: %.*s\n", round, (int)len, p);
		p = nl ? nl + 1 : NULL;
	}
	dl_buf_free(&j->reasons);
	j->reasons = why;
	j->verdict = dl_verdict_worst(j->verdict, rc->res.verdict);
	obs = dl_xasprintf("%s; then %s", rc->res.observed ? rc->res.observed : "-",
	    j->observed ? j->observed : "-");
	exp = dl_xasprintf("%s; then %s", rc->res.expected ? rc->res.expected : "-",
	    j->expected ? j->expected : "-");
	free(j->observed);
	free(j->expected);
	j->observed = obs;
	j->expected = exp;
	free(rc->res.reasons);
	free(rc->res.observed);
	free(rc->res.expected);
	rc->res.reasons = rc->res.observed = rc->res.expected = NULL;
}

/* The last delivery of a case reports it; earlier ones only judge. */
static void
report_if_done(struct run *r, struct rcase *rc, size_t done, size_t total)
{
	if (rc->w.n_rounds > rc->round)
		return;
	run_report_case(r, rc, done, total);
	if (r->o->explain)
		run_explain_case(r, rc);
}

static void
finish_case(struct run *r, struct rcase *rc, int exit_code, bool timed_out, long ms)
{
	struct dl_err err;
	struct dl_buf out = DL_BUF_INIT, mine_ev = DL_BUF_INIT, mine_dns = DL_BUF_INIT;
	struct dl_judgement j;
	char *outp = dl_xasprintf("%s/adapter.out", rc->dir);

	/* Every connection of this case closed and logged, then read. */
	/* Returns as soon as they have; the bound is only for a hung server. */
	if (dl_smtpd_ctl_sync(r->smtpd, rc->sync_prefix, 15000, &err) < 0)
		run_case_error(rc, "mock servers did not settle: %s\n", err.msg);
	/* A daemon that died while this client ran took the case's world away. */
	if (dl_lab_check_alive(r->lab, &err) < 0)
		run_case_error(rc, "a lab daemon died (the lab's failure, not the client's): %s\n",
		    err.msg);
	dl_tail_read(&r->ev_tail, run_route_evidence, r);
	dl_tail_read(&r->dns_tail, run_route_resolver, r);
	dl_read_file(outp, &out);
	memset(&rc->obs, 0, sizeof(rc->obs));
	if (dl_evidence_personas(&rc->w, rc->ev_lines.data, &rc->obs, &mine_ev) < 0)
		run_case_error(rc, "unreadable evidence line from the mock servers\n");
	dl_evidence_resolver(&rc->w, rc->dns_lines.data, &rc->obs, &mine_dns);
	dl_evidence_adapter(&rc->w, out.data, exit_code, &rc->obs);
	/* A probe reports per-host decisions, a client a disposition
	   (ADAPTERS.md): the other kind means the adapter is wrong. */
	if (rc->obs.adapter.valid && rc->obs.adapter.disposition != DL_DISP_UNSUPPORTED &&
	    dl_adapter_has(&r->adapter, "probe") != (rc->obs.probe != NULL))
		run_case_error(rc, "%s: adapter %s %s a probe line, but its caps %s "
		    "\"probe\"\n", rc->c->path, r->adapter.name,
		    rc->obs.probe ? "printed" : "did not print",
		    rc->obs.probe ? "do not declare" : "declare");
	/* The client's own log: client.log if the adapter leaves one, else its
	 * result line (the reference client's record of the delivery). */
	{
		struct dl_buf log = DL_BUF_INIT;
		char *lp = dl_xasprintf("%s/client.log", rc->dir);
		if (dl_read_file(lp, &log) < 0 || log.len == 0)
			dl_buf_adds(&log, out.data ? out.data : "");
		rc->obs.client_log = dl_buf_take(&log);
		free(lp);
	}
	if (timed_out)
		run_case_error(rc, "%s: the client did not finish within %d s and was killed\n",
		    rc->c->path, r->o->timeout_s);
	/* The judge names things without the trailing dot. */
	char *apex = dl_xstrndup(rc->w.apex, strlen(rc->w.apex) - 1);
	dl_judge(rc->c, rc->round, apex, &rc->obs, &j);
	free(apex);
	if (rc->error) {
		/* Errors found while collecting belong to this iteration only.
		 * They come first: what the judge made of a broken world is
		 * secondary. */
		struct dl_buf why = DL_BUF_INIT;
		j.verdict = DL_V_ERROR;
		dl_buf_adds(&why, rc->error);
		dl_buf_add(&why, j.reasons.data ? j.reasons.data : "", j.reasons.len);
		dl_buf_free(&j.reasons);
		j.reasons = why;
		free(rc->error);
		rc->error = NULL;
	}
	if (rc->round > 1)
		merge_round(rc, rc->round, &j);
	rc->res.verdict = j.verdict;
	free(rc->res.client_reason);
	rc->res.client_reason = rc->obs.adapter.reason && rc->obs.adapter.reason[0] ?
	    dl_xstrdup(rc->obs.adapter.reason) : NULL;
	rc->res.reasons = dl_buf_take(&j.reasons);
	rc->res.observed = j.observed;
	rc->res.expected = j.expected;
	j.observed = j.expected = NULL;
	dl_judgement_free(&j);
	rc->res.duration_ms += ms;
	run_write_evidence(r, rc, &mine_ev, &mine_dns, &out);
	dl_buf_reset(&rc->ev_lines);
	dl_buf_reset(&rc->dns_lines);
	dl_observed_free(&rc->obs);
	dl_buf_free(&out);
	dl_buf_free(&mine_ev);
	dl_buf_free(&mine_dns);
	free(outp);
}

static pid_t
start_send(struct run *r, struct rcase *rc, struct dl_err *err)
{
	char *out = dl_xasprintf("%s/adapter.out", rc->dir);
	char *errp = dl_xasprintf("%s/adapter.err", rc->dir);
	char **env = run_send_env(r, rc);
	pid_t pid = dl_adapter_spawn(&r->adapter, "send", NULL, env, r->workdir, out, errp,
	    err);

	run_env_free(env);
	free(out);
	free(errp);
	return pid;
}

/*
 * Run every placed case through the adapter, `jobs` at a time.  The loop
 * sleeps in poll() on the running clients' pidfds until one exits or the
 * nearest deadline passes: on a 2-core machine any busy waiting here is
 * CPU taken from the clients under test.
 */
static void
send_all(struct run *r, int round)
{
	struct slot { struct rcase *rc; pid_t pid; int pidfd; long start, deadline; } *slots;
	size_t next = 0, done = 0, total = 0;
	int jobs = r->o->jobs;

	for (size_t i = 0; i < r->n; i++)
		total += run_in_round(r, &r->cases[i], round);
	slots = dl_xcalloc((size_t)jobs, sizeof(*slots));
	while (done < total) {
		for (int s = 0; s < jobs && next < r->n; s++) {
			if (slots[s].rc)
				continue;
			while (next < r->n && !run_in_round(r, &r->cases[next], round))
				next++;
			if (next >= r->n)
				break;
			struct rcase *rc = &r->cases[next++];
			struct dl_err err;
			run_write_message(r, rc);
			slots[s].rc = rc;
			slots[s].start = dl_now_ms();
			slots[s].deadline = slots[s].start + r->o->timeout_s * 1000L;
			slots[s].pid = start_send(r, rc, &err);
			slots[s].pidfd = slots[s].pid > 0 ? (int)syscall(SYS_pidfd_open, slots[s].pid, 0) : -1;
			if (slots[s].pid < 0) {
				run_case_error(rc, "cannot start the adapter: %s\n", err.msg);
				slots[s].pid = 0;
			}
			if (r->o->progress)
				dl_report_progress(stdout, done, total, rc->c->id);
		}
		struct pollfd pfd[64];
		long now = dl_now_ms(), wait_ms = 1000;
		int np = 0;
		for (int s = 0; s < jobs; s++) {
			if (!slots[s].rc)
				continue;
			pfd[np++] = (struct pollfd){ slots[s].pidfd, POLLIN, 0 };
			if (slots[s].deadline - now < wait_ms)
				wait_ms = slots[s].deadline - now;
			/* Without a pidfd (old kernel), look again soon. */
			if (slots[s].pidfd < 0 && wait_ms > 2)
				wait_ms = 2;
		}
		if (np > 0 && wait_ms > 0)
			poll(pfd, (nfds_t)np, (int)wait_ms);
		for (int s = 0; s < jobs; s++) {
			if (!slots[s].rc)
				continue;
			int st = 0, code = -1;
			bool timed_out = false;
			pid_t w = slots[s].pid > 0 ? waitpid(slots[s].pid, &st, WNOHANG) : -1;
			if (w == 0 && dl_now_ms() < slots[s].deadline)
				continue;
			if (w == 0) {
				kill(-slots[s].pid, SIGKILL);
				waitpid(slots[s].pid, &st, 0);
				timed_out = true;
			}
			if (w != -1 || timed_out)
				code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			if (slots[s].pidfd >= 0)
				close(slots[s].pidfd);
			struct rcase *rc = slots[s].rc;
			slots[s].rc = NULL;
			done++;
			long t_exit = dl_now_ms();
			finish_case(r, rc, code, timed_out, t_exit - slots[s].start);
			report_if_done(r, rc, done, total);
			log_debug("case", "%s: client %ld ms, collect+judge+report %ld ms",
			    rc->c->id, t_exit - slots[s].start, dl_now_ms() - t_exit);
		}
	}
	free(slots);
}

/*
 * Batch mode (ADAPTERS.md): one `send-batch FILE` for every placed case, so
 * an MTA takes the whole run as one queue.  Each result line names its
 * case and lands in that case's adapter.out; then every case is collected
 * and judged as if it had been sent alone.
 */
/* Write one case's result line into its adapter.out. */
static void
route_batch_lines(struct run *r, const char *text, int round)
{
	for (const char *p = text; p && *p;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char jerr[64];
		struct dl_jv *v = len && p[0] == '{' ? dl_jv_parse(p, len, jerr, sizeof(jerr)) : NULL;
		const char *id = dl_jv_str(v, "case", NULL);
		for (size_t i = 0; id && i < r->n; i++) {
			if (!run_in_round(r, &r->cases[i], round) || strcmp(r->cases[i].c->id, id) != 0)
				continue;
			char *ap = dl_xasprintf("%s/adapter.out", r->cases[i].dir);
			char *line = dl_xasprintf("%.*s\n", (int)len, p);
			dl_write_file(ap, line, strlen(line));
			free(line);
			free(ap);
		}
		dl_jv_free(v);
		p = eol ? eol + 1 : NULL;
	}
}

/*
 * Which cases a batch holds: all of them, or (when some cases have later
 * deliveries) those with `then` lines apart from those without.
 */
enum batch_group { GROUP_ALL, GROUP_ONCE, GROUP_LATER };

static bool
in_group(const struct rcase *rc, enum batch_group g)
{
	return g == GROUP_ALL || (g == GROUP_LATER) == (rc->w.n_rounds > 1);
}

/* Placed case i of a group goes to shard i % jobs, in every delivery round. */
static void
write_batch_file(struct run *r, const char *file, int shard, int jobs, enum batch_group g,
    int round, size_t *count)
{
	struct dl_buf list = DL_BUF_INIT;
	size_t k = 0;

	*count = 0;
	for (size_t i = 0; i < r->n; i++) {
		struct rcase *rc = &r->cases[i];
		/* Dealt by placement, not by round: a case's later deliveries go
		 * to the same list, so an MTA adapter finds its queued message. */
		if (!rc->placed || !in_group(rc, g) || (int)(k++ % (size_t)jobs) != shard ||
		    !run_in_round(r, rc, round))
			continue;
		struct dl_jw w;
		char *msg = dl_xasprintf("%s/message.eml", rc->dir);
		run_write_message(r, rc);
		dl_jw_init(&w, &list);
		dl_jw_obj(&w);
		dl_jw_kstr(&w, "case", rc->c->id);
		dl_jw_kstr(&w, "rcpt", rc->w.rcpt);
		dl_jw_kstr(&w, "from", rc->c->send.from);
		dl_jw_kstr(&w, "policy", rc->c->send.policy);
		dl_jw_kstr(&w, "relay", rc->w.relay ? rc->w.relay : "");
		dl_jw_kstr(&w, "options", rc->w.options ? rc->w.options : "");
		dl_jw_kstr(&w, "resolver", rc->w.resolver);
		dl_jw_kstr(&w, "message", msg);
		dl_jw_kstr(&w, "case_dir", rc->dir);
		dl_jw_kint(&w, "round", rc->round);
		dl_jw_kbool(&w, "retry", run_round_is_retry(rc));
		dl_jw_obj_end(&w);
		dl_buf_addc(&list, '\n');
		free(msg);
		(*count)++;
	}
	dl_write_file(file, list.data ? list.data : "", list.len);
	dl_buf_free(&list);
}

/*
 * Batch mode (ADAPTERS.md): a group's cases are dealt into `jobs` lists,
 * each handed to one `send-batch FILE`, all running at once.  Each result
 * line names its case and lands in that case's adapter.out; then every
 * case is collected and judged as if it had been sent alone.  Spawning and
 * collecting are apart so that the lab can change round while a batch runs.
 */
struct batch {
	enum batch_group group;
	int round;
	pid_t *pids;
	size_t total;
	long start;
};

/* Lists of the group with `then` lines have names of their own: an MTA
 * adapter keeps a list's queue from one round to the next by its name.  So
 * do the lists of the cases sent after their late fixture proof. */
static char *
batch_path(const struct run *r, const struct batch *b, const char *stem, int j,
    const char *ext)
{
	return dl_xasprintf("%s/%s%s%s-%d.%s", r->workdir, stem,
	    b->group == GROUP_LATER ? "-then" : "", r->send_phase == 1 ? "-late" : "", j,
	    ext);
}

static void
batch_spawn(struct run *r, struct batch *b, int round)
{
	int jobs = r->o->jobs;
	char **env = run_base_env(r);
	struct dl_err err;
	size_t count;

	b->round = round;
	b->pids = dl_xcalloc((size_t)jobs, sizeof(pid_t));
	b->total = 0;
	b->start = dl_now_ms();
	for (int j = 0; j < jobs; j++) {
		char *file = batch_path(r, b, "batch", j, "jsonl");
		char *outp = batch_path(r, b, "adapter-send-batch", j, "out");
		char *errp = batch_path(r, b, "adapter-send-batch", j, "err");
		write_batch_file(r, file, j, jobs, b->group, round, &count);
		b->total += count;
		b->pids[j] = count ? dl_adapter_spawn(&r->adapter, "send-batch", file, env,
		    r->workdir, outp, errp, &err) : 0;
		free(file);
		free(outp);
		free(errp);
	}
	run_env_free(env);
}

static void
batch_collect(struct run *r, struct batch *b)
{
	int jobs = r->o->jobs, status = 0, failed = 0;
	size_t done = 0;
	bool timed_out = false;

	/* Generous but bounded: every message may take the per-case timeout. */
	long deadline = b->start + r->o->timeout_s * 1000L * (long)(b->total / (size_t)jobs + 1);
	for (int j = 0; j < jobs; j++) {
		bool t = false;
		int st = b->pids[j] > 0 ? dl_wait_child(b->pids[j], deadline, &t) : 0;
		if (st != 0) {
			failed++;
			status = st;
		}
		timed_out |= t;
	}
	struct dl_buf errs = DL_BUF_INIT;
	for (int j = 0; j < jobs; j++) {
		struct dl_buf out = DL_BUF_INIT;
		char *outp = batch_path(r, b, "adapter-send-batch", j, "out");
		char *errp = batch_path(r, b, "adapter-send-batch", j, "err");
		dl_read_file(outp, &out);
		route_batch_lines(r, out.data, b->round);
		dl_read_file(errp, &errs);
		dl_buf_free(&out);
		free(outp);
		free(errp);
	}
	long ms = dl_now_ms() - b->start;
	for (size_t i = 0; i < r->n; i++) {
		struct rcase *rc = &r->cases[i];
		if (!run_in_round(r, rc, b->round) || !in_group(rc, b->group))
			continue;
		if (timed_out)
			run_case_error(rc, "adapter send-batch did not finish in time and was killed\n");
		else if (failed)
			run_case_error(rc, "adapter send-batch failed (exit status %d%s; its standard "
			    "error is in the case's adapter.err)\n", status,
			    status > 128 ? ": killed by a signal" : "");
		if (failed || timed_out) {
			char *ep = dl_xasprintf("%s/adapter.err", rc->dir);
			dl_write_file(ep, errs.data ? errs.data : "", errs.len);
			free(ep);
		}
		finish_case(r, rc, 0, false, ms * jobs / (long)(b->total ? b->total : 1));
		rc->res.duration_is_average = true;
		report_if_done(r, rc, ++done, b->total);
	}
	free(b->pids);
	b->pids = NULL;
	dl_buf_free(&errs);
}

/* ---- later deliveries (`then`) ---- */

/* The most deliveries a case of this send phase makes.  Cases of the other
 * phase do not count: the late phase must not switch the lab again for
 * cases the first phase already delivered. */
static int
max_rounds(const struct run *r)
{
	int n = 1;

	for (size_t i = 0; i < r->n; i++)
		if (run_in_round(r, &r->cases[i], 1) && r->cases[i].w.n_rounds > n)
			n = r->cases[i].w.n_rounds;
	return n;
}

/* Case rc moves on to delivery `round`; its evidence of delivery k >= 2
 * goes to <case dir>/delivery-k. */
static void
set_round_dir(struct rcase *rc, int round)
{
	rc->round = round;
	free(rc->dir);
	rc->dir = round > 1 ? dl_xasprintf("%s/delivery-%d", rc->top_dir, round) :
	    dl_xstrdup(rc->top_dir);
	run_mkdir_p(rc->dir);
}

/*
 * Turn the lab's world into its version for delivery `round` of every case
 * that has one, then let the longest `wait=` of those cases pass (TTLs the
 * client may have cached expire in that time).  Round 1 puts the first
 * world back, for another --repeat iteration.
 */
static void
switch_world(struct run *r, int round, long since_ms)
{
	size_t nz = 0;
	for (size_t i = 0; i < r->n; i++)
		nz += r->cases[i].w.n_zones;
	const struct dl_zone_spec **zones = dl_xcalloc(nz + 1, sizeof(*zones));
	const char **flush = dl_xcalloc(r->n + 1, sizeof(*flush));
	struct rcase **moved = dl_xcalloc(r->n + 1, sizeof(*moved));
	struct dl_lab_round lr = { .round = round, .zones = zones, .flush = flush };
	struct dl_buf rules = DL_BUF_INIT;
	size_t nw = 0;
	int wait_s = 0;
	struct dl_err err;

	for (size_t i = 0; i < r->n; i++) {
		struct rcase *rc = &r->cases[i];
		bool moving = round > 1 ? rc->w.n_rounds >= round : rc->w.n_rounds > 1;
		if (!rc->placed)
			continue;
		const struct dl_buf *b = round > 1 && moving ? &rc->w.round_rules[round - 2] :
		    &rc->w.dns_rules;
		dl_buf_add(&rules, b->data ? b->data : "", b->len);
		if (!moving)
			continue;
		moved[nw++] = rc;
		for (size_t k = 0; k < rc->w.n_zones; k++)
			zones[lr.n_zones++] = &rc->w.zones[k];
		flush[lr.n_flush++] = rc->w.apex;
		if (round > 1) {
			if (rc->c->thens[round - 2].wait_s > wait_s)
				wait_s = rc->c->thens[round - 2].wait_s;
			set_round_dir(rc, round);
		}
	}
	long t0 = dl_now_ms();
	lr.dns_rules = rules.data ? rules.data : "";
	if (dl_lab_next_round(r->lab, &lr, &err) < 0)
		for (size_t i = 0; i < nw; i++)
			run_case_error(moved[i], "the lab could not change to "
			    "its world for delivery %d (a lab fault, not the client's): %s\n",
			    round, err.msg);
	/* The wait counts from the end of those cases' previous delivery. */
	long left = since_ms + wait_s * 1000L - dl_now_ms();
	log_debug("lab", "world for delivery %d ready in %ld ms; waiting %ld ms more", round,
	    dl_now_ms() - t0, left > 0 ? left : 0);
	if (left > 0)
		nanosleep(&(struct timespec){ left / 1000, (left % 1000) * 1000000L }, NULL);
	free(zones);
	free(flush);
	free(moved);
	dl_buf_free(&rules);
}

/*
 * One iteration of the run: every case's first delivery, then the later
 * deliveries of cases with `then` lines.  With a batch adapter the cases
 * with later deliveries go first, and the lab moves on to their second
 * round (and lets their `wait=` pass) while the others make their only
 * delivery, so the switch costs the run no time of its own.
 */
void
run_send_rounds(struct run *r)
{
	int rounds = max_rounds(r);
	long last_end = 0;

	if (r->adapter.batch && rounds > 1) {
		struct batch later = { .group = GROUP_LATER }, once = { .group = GROUP_ONCE };
		long t0 = dl_now_ms();
		batch_spawn(r, &later, 1);
		batch_collect(r, &later);
		last_end = dl_now_ms();
		batch_spawn(r, &once, 1);
		for (int round = 2; round <= rounds; round++) {
			switch_world(r, round, last_end);
			if (round == 2)
				batch_collect(r, &once);
			long t1 = dl_now_ms();
			batch_spawn(r, &later, round);
			batch_collect(r, &later);
			log_debug("run", "delivery %d of %zu case(s) with later deliveries: %ld ms "
			    "(the others' only delivery, beside the switch, ended %ld ms after "
			    "the first deliveries began)", round, later.total, dl_now_ms() - t1,
			    t1 - t0);
			last_end = dl_now_ms();
		}
	} else if (r->adapter.batch) {
		struct batch all = { .group = GROUP_ALL };
		batch_spawn(r, &all, 1);
		batch_collect(r, &all);
	} else {
		for (int round = 1; round <= rounds; round++) {
			if (round > 1)
				switch_world(r, round, last_end);
			send_all(r, round);
			last_end = dl_now_ms();
		}
	}
	for (size_t i = 0; i < r->n; i++)
		if (r->cases[i].placed && r->cases[i].w.n_rounds > 1)
			set_round_dir(&r->cases[i], 1);
	/* Another --repeat iteration starts from the first world again. */
	if (rounds > 1 && r->repeat < r->o->repeat)
		switch_world(r, 1, 0);
}
