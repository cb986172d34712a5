/*
 * probe.h -- the result of a probe adapter (runner/ADAPTERS.md, "Probes").
 *
 * A probe does not deliver mail: it connects to the MX hosts in the order
 * it chooses, does STARTTLS and says, per host, what its TLS/DANE decision
 * was.  evidence.c reads the adapter's probe line into a dl_probe;
 * judge_probe.c grades the expectations a probe can answer and names the
 * ones it cannot.
 */
#ifndef DL_RUNNER_PROBE_H
#define DL_RUNNER_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "runner/case.h"
#include "runner/observe.h"
#include "util/buf.h"

enum dl_probe_state {
	DL_PROBE_NOT_TRIED = 0, /* the probe did not connect (it stopped before) */
	DL_PROBE_DANE,          /* TLS, certificate authenticated by TLSA */
	DL_PROBE_ENCRYPTED,     /* TLS; DANE did not apply to this host */
	DL_PROBE_CLEARTEXT,     /* no STARTTLS; DANE did not apply */
	DL_PROBE_FAILED,        /* not usable: authentication failed, TLS
	                           refused where DANE applies, lookup failed,
	                           connection failed */
};

struct dl_probe_host {
	char *name;             /* as the probe reported it */
	char *address;
	int host;               /* index into the case's hosts, or -1 */
	enum dl_probe_state state;
	char *reason;           /* the tool's own words */
};

struct dl_probe {
	struct dl_probe_host *hosts; /* in the order the probe tried them */
	size_t n_hosts;
	/* The probe stopped at a failed host although an MTA would go on to
	 * the next one (posttls-finger reports on one connected host only):
	 * without a usable host, where the message would go is unknown. */
	bool stopped;
};

const char *dl_probe_state_name(enum dl_probe_state s);
int dl_probe_state_parse(const char *s, enum dl_probe_state *out);
void dl_probe_free(struct dl_probe *p);

/*
 * The host an MTA making the probe's decisions would have delivered to:
 * the first host in the probe's order that is usable (dane, encrypted,
 * cleartext); -1 (case host index) when none is, and *entry the probe
 * entry (or NULL).
 */
int dl_probe_delivery_host(const struct dl_probe *p, const struct dl_probe_host **entry);

/*
 * Grade delivery `round` of case c from a probe's report (o->probe set):
 * the verdict, reasons (failed expectations and, after them, each
 * expectation a probe cannot answer, "not graded"), observed and expected,
 * as dl_judge() does.  A case none of whose expectations a probe can answer
 * is UNSUPPORTED.
 */
struct dl_judgement;
void dl_judge_probe(const struct dl_case *c, int round, const char *apex,
	const struct dl_observed *o, struct dl_judgement *j);

/* Is this alternative of one of c's expectations one a probe can answer? */
int dl_probe_answers(const struct dl_case *c, const struct dl_words *alt);

#endif
