/*
 * run_internal.h -- the state of one run, shared by run.c (the order of
 * things) and run_support.c (files, environments, reports).
 */
#ifndef DL_RUNNER_RUN_INTERNAL_H
#define DL_RUNNER_RUN_INTERNAL_H

#include <stdbool.h>
#include <string.h>

#include "lab/capture.h"
#include "runner/adapter.h"
#include "runner/case_world.h"
#include "runner/observe.h"
#include "runner/result.h"
#include "runner/run.h"
#include "runner/tail.h"

struct rcase {
	const struct dl_case *c;
	const char *problems;     /* lint problems, "" if none (not owned) */
	int index;                /* placement in the run: fixes its addresses */
	struct dl_case_world w;
	bool placed;              /* in the lab and still to be run */
	bool late_proof;          /* its fixture proof waits for silent servers:
	                             proven beside the others' deliveries, sent
	                             after them (run.c, prove_fixtures) */
	bool unsupported;         /* needs a feature the adapter lacks */
	char *missing;            /* that feature */
	int round;                /* the delivery it is making: 1, or 2.. (`then`) */
	char *dir;                /* evidence directory (of that delivery) */
	char *top_dir;            /* the case's evidence directory (delivery 1) */
	char *sync_prefix;        /* "<id>/" */
	struct dl_buf ev_lines;   /* persona evidence routed to this case */
	struct dl_buf dns_lines;  /* resolver log lines routed to this case */
	struct dl_buf fixture;    /* fixture probe report */
	char *error;              /* harness problems: make the verdict ERROR */
	struct dl_observed obs;
	struct dl_case_result res;
	bool reported;
};

struct run {
	const struct dl_run_opts *o;
	struct rcase *cases;
	size_t n;
	char *rundir, *workdir, *resolv_conf;
	char *keep_dir;           /* --keep, absolute; NULL: evidence in rundir */
	struct dl_pki *pki;
	struct dl_lab *lab;
	struct dl_smtpd_ctl *smtpd;
	struct dl_adapter adapter;
	struct dl_tail ev_tail, dns_tail;
	struct dl_capture *capture; /* the lab's packets, while evidence is kept */
	long started_ms;
	struct dl_case_result *results; /* every judged case, all iterations */
	size_t n_results;
	long host_pid;            /* the sandbox as seen from the host (nsenter) */
	int repeat;
	int send_phase;           /* -1: every case; 0, 1: the cases whose
	                             late_proof is false, true */
};

/* Whether rc's current delivery retries the same message (`then retry`). */
static inline bool
run_round_is_retry(const struct rcase *rc)
{
	return rc->round > 1 && (size_t)(rc->round - 2) < rc->c->n_thens &&
	    strcmp(rc->c->thens[rc->round - 2].kind, "retry") == 0;
}

/* Whether case rc takes part in delivery round `round` of the current
 * send phase. */
static inline bool
run_in_round(const struct run *r, const struct rcase *rc, int round)
{
	return rc->placed && rc->w.n_rounds >= round &&
	    (r->send_phase < 0 || rc->late_proof == (r->send_phase == 1));
}

/* run_case.c: a case's state, shared by every step of the run. */
int run_mkdir_p(const char *path);
/* A harness problem of one case: its verdict becomes ERROR with this text. */
void run_case_error(struct rcase *rc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Tail callbacks: persona evidence and resolver log lines to their case. */
void run_route_evidence(void *arg, const char *line, size_t len);
void run_route_resolver(void *arg, const char *line, size_t len);

/* run_capture.c: capture the client phase's packets (only with --keep),
 * then cut them into every kept case's capture.pcap and tls-keys.log. */
void run_capture_start(struct run *r);
void run_capture_finish(struct run *r);

/* run_send.c: one iteration's deliveries, every round, judged and reported
 * (it prints `explain` output as each case is reported). */
void run_send_rounds(struct run *r);

char **run_base_env(const struct run *r);
char **run_send_env(const struct run *r, const struct rcase *rc);
void run_env_free(char **env);
int run_adapter_verb(struct run *r, const char *verb);
void run_write_message(const struct run *r, const struct rcase *rc);
/* The message, repro.sh and case file, before anything runs (`lab up`). */
void run_prepare_case_dir(const struct run *r, const struct rcase *rc);
void run_write_evidence(const struct run *r, struct rcase *rc,
	const struct dl_buf *ev, const struct dl_buf *dns, const struct dl_buf *out);
void run_report_case(struct run *r, struct rcase *rc, size_t done, size_t total);
/* Give every case not run a result (ERROR, UNSUPPORTED), apply deviations. */
void run_finish_results(struct run *r);
int run_reports(struct run *r);
/* Copy the adapter's name, options, expectations and client into o->prov. */
void run_provenance_adapter(struct run *r);
/* `lab up`: print how to reach the lab, wait for a signal. */
void run_hold(struct run *r);
/* `explain`: print everything about one finished case. */
void run_explain_case(struct run *r, struct rcase *rc);
void run_free(struct run *r);
/* `lab check`: one line per fixture probe, then the closing tally. */
int run_print_fixtures(struct run *r);

#endif
