/*
 * run_lab.h -- the runner's view of the lab: the DNS world and daemons
 * (lab/), and the mock SMTP server (servers/dl-smtpd) with its control
 * socket.  Everything here runs inside the sandbox.
 */
#ifndef DL_RUNNER_RUN_LAB_H
#define DL_RUNNER_RUN_LAB_H

#include <stdbool.h>
#include <time.h>

#include "runner/case_world.h"
#include "util/buf.h"
#include "util/err.h"
#include "zones/world.h"

struct run_lab;

/*
 * Build the world (root, test., every case's zones) under rundir, start
 * NSD, the fault proxy (with dns_rules), Unbound, and the untrusted
 * resolver path (a proxy in front of Unbound that sets AD on everything
 * and applies path_rules), add the IPv6 host
 * addresses.  On a zone error, err names the case file and line.
 */
struct run_lab *run_lab_up(const char *rundir, const char *bindir,
	struct dl_case_world *const *cases, size_t n_cases, const char *dns_rules,
	const char *path_rules, time_t now, struct dl_err *err);
void run_lab_down(struct run_lab *lab);

/*
 * Has a daemon of the lab died (now or earlier in the run)?  Then err says
 * which, with its exit status and its own last log lines; -1.
 */
int run_lab_check_alive(struct run_lab *lab, struct dl_err *err);
const char *run_lab_trust_anchor(const struct run_lab *lab);
const char *run_lab_zone_dir(const struct run_lab *lab);
const char *run_lab_resolver_log(const struct run_lab *lab);
/* The lab's own description of its daemons (pids, addresses, logs). */
void run_lab_describe(const struct run_lab *lab, struct dl_buf *out);

/*
 * Prove every case's fixture probes through the lab resolver (in
 * parallel).  For each case, report[i] receives one line per probe and
 * bad[i] the number of mismatches.
 */
int run_lab_verify(struct run_lab *lab, struct dl_case_world *const *cases,
	size_t n_cases, struct dl_buf *report, int *bad, struct dl_err *err);

/*
 * Switch the lab to delivery `round` of the given cases (those with a
 * `then`): their zones' versions for that round replace the served ones
 * (NSD reloads; waits for the new SOA serials), the fault proxy loads
 * dns_rules (the whole run's rules for that round), and the resolver
 * forgets what it cached of those cases.
 */
int run_lab_next_round(struct run_lab *lab, struct dl_case_world *const *cases,
	size_t n_cases, int round, const char *dns_rules, struct dl_err *err);

/* A plain DNS query (DO bit) to the lab resolver: did the answer carry AD? */
void run_lab_ad_bit(const char *qname, int qtype, bool *ad, bool *answered);

/* ---- the mock SMTP server ---- */

struct run_smtpd;

struct run_smtpd *run_smtpd_start(const char *bindir, const char *rundir,
	const char *config_text, struct dl_err *err);
/* Wait (bounded) until no connection of personas "<prefix>..." is open. */
int run_smtpd_sync(struct run_smtpd *s, const char *prefix, int timeout_ms,
	struct dl_err *err);
const char *run_smtpd_evidence_path(const struct run_smtpd *s);
const char *run_smtpd_log_path(const struct run_smtpd *s);
/* The servers' TLS secrets, SSLKEYLOGFILE lines, every persona. */
const char *run_smtpd_keylog_path(const struct run_smtpd *s);
void run_smtpd_stop(struct run_smtpd *s);

#endif
