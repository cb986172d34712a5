/*
 * lab.h -- the running lab: one signed DNS world served by NSD, NSD #2
 * behind the fault proxy, validated by Unbound with the lab root as its
 * only trust anchor, and an untrusted path to that resolver.
 *
 * The lab knows zones, addresses and fault rules; it knows nothing of
 * cases.  A caller (the runner, `danelab lab up`, a benchmark) describes
 * the world in a dl_lab_spec, brings it up, proves what it expects of it
 * with dl_lab_prove, switches it to a later round's world with
 * dl_lab_next_round, and takes it down.  Everything runs inside the
 * sandbox (lab/sandbox.h); addresses are lab/addr.h's.
 *
 * Daemons run in the foreground as the caller's children, logging into
 * the lab directory; readiness is a real secure answer, never a sleep; a
 * daemon that fails or dies is reported with its own last log lines.
 * docs/lab.md explains every daemon setting.
 */
#ifndef DL_LAB_LAB_H
#define DL_LAB_LAB_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "util/buf.h"
#include "util/err.h"
#include "zones/world.h"

struct dl_lab;

/* A mail host address that must not be one of the lab's own. */
struct dl_lab_host {
	const char *addr;
	const char *who;            /* how to name it in an error ("case/mx1") */
};

struct dl_lab_spec {
	const char *rundir;         /* the lab's files go to rundir/lab */
	const char *bindir;         /* where dl-faultdns is */
	const struct dl_zone_spec *zones; /* below test., placeholders resolved */
	size_t n_zones;
	const struct dl_lab_host *hosts; /* the self-check's addresses */
	size_t n_hosts;
	const char *dns_rules;      /* the fault proxy's rules (servers/FAULTDNS.md) */
	const char *path_rules;     /* the untrusted path's rules */
	time_t now;                 /* the world's clock: SOA serials count from it */
};

/*
 * Build and sign the world (root, test., the spec's zones) under
 * rundir/lab, start the daemons, add the lab's IPv6 addresses and the mail
 * route, prove no mail host is the lab's own, wait for a secure answer.
 * On a zone error, err names the zone's source file and line.
 */
struct dl_lab *dl_lab_up(const struct dl_lab_spec *spec, struct dl_err *err);
void dl_lab_down(struct dl_lab *lab);

/* Has a daemon died (now or earlier)?  Then err says which, with its exit
 * status and its own last log lines; -1. */
int dl_lab_check_alive(struct dl_lab *lab, struct dl_err *err);
const char *dl_lab_trust_anchor(const struct dl_lab *lab);
const char *dl_lab_zone_dir(const struct dl_lab *lab);
const char *dl_lab_resolver_log(const struct dl_lab *lab);
/* The daemons' peak resident memory summed (VmHWM, shared pages counted in
 * each), in kB. */
long dl_lab_peak_rss_kb(const struct dl_lab *lab);
/* The lab's own description of its daemons (pids, addresses, logs). */
void dl_lab_describe(const struct dl_lab *lab, struct dl_buf *out);

/* ---- fixture proof ---- */

/* What the lab resolver says about one question; one name table. */
enum dl_lab_status {
	DL_LAB_SECURE = 0,
	DL_LAB_INSECURE,
	DL_LAB_NODATA_SECURE,
	DL_LAB_NODATA_INSECURE,
	DL_LAB_NXDOMAIN_SECURE,
	DL_LAB_NXDOMAIN_INSECURE,
	DL_LAB_BOGUS,
	DL_LAB_SERVFAIL,
	DL_LAB_TIMEOUT,             /* no answer while others kept coming */
	DL_LAB_UNRESOLVABLE,        /* the question cannot be asked */
	DL_LAB_STATUS_COUNT
};
const char *dl_lab_status_name(enum dl_lab_status s);
int dl_lab_status_parse(const char *s, enum dl_lab_status *out);

struct dl_lab_probe {
	const char *qname;          /* absolute */
	const char *qtype;          /* "TLSA", "A", ... */
	enum dl_lab_status want;
	/* Filled by dl_lab_prove: */
	enum dl_lab_status got;
	bool ok;                    /* got == want, and the AD bit agrees */
	char why[256];              /* the resolver's reason, or "" */
};

/*
 * Resolve every probe at once through the lab resolver (libunbound,
 * validating with the lab's trust anchor), and cross-check each answered
 * one against the resolver's own AD bit.  No overall budget: only 15 s
 * without a single answer ends the proof (docs/lab.md).  -1 only if the
 * proof could not run at all.
 */
int dl_lab_prove(struct dl_lab *lab, struct dl_lab_probe *probes, size_t n,
	struct dl_err *err);

/* ---- later rounds ---- */

struct dl_lab_round {
	int round;                  /* 2, 3, ..; or 1 to put round 1 back */
	const struct dl_zone_spec *const *zones; /* zones with a version for it */
	size_t n_zones;
	const char *dns_rules;      /* the fault proxy's whole rules for it */
	const char *const *flush;   /* names whose cache entries Unbound drops */
	size_t n_flush;
};

/*
 * Switch the lab to a round's world: its zones' versions replace the
 * served ones (NSD reloads; waits for the new SOA serials), the fault proxy
 * loads the round's rules, and the resolver forgets what it cached below
 * the flush names, and every bogus answer and server timing.  Each step is
 * confirmed, never slept; the bounds are for hung daemons.
 */
int dl_lab_next_round(struct dl_lab *lab, const struct dl_lab_round *r,
	struct dl_err *err);

#endif
