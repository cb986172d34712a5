/*
 * case_world.h -- a parsed case, placed in a run: its apex, its addresses,
 * its zones with placeholders resolved, its certificates, personas, DNS
 * fault rules and the fixture probes that prove the world before the client
 * runs.
 *
 * Placement is deterministic: case number i in the run gets the apex
 * "<id>.test." and the host addresses of slot i in the lab's address plan
 * (lab/addr.h), so many cases share one lab without sharing a name, an
 * address or a cache entry.
 */
#ifndef DL_RUNNER_CASE_WORLD_H
#define DL_RUNNER_CASE_WORLD_H

#include <time.h>

#include "lab/addr.h"
#include "runner/case.h"
#include "util/buf.h"
#include "zones/world.h"

struct dl_pki;

/* An expected DNS status, proven through the lab resolver. */
struct dl_fixture_probe {
	char *qname;        /* absolute, trailing dot */
	char *qtype;
	enum dl_lab_status status;
	int line;           /* case line that implies it */
};

struct dl_case_world {
	const struct dl_case *c;
	int index;
	char *apex;                 /* "id.test." */
	char **addr4, **addr6;      /* per host, same order as c->hosts */
	char **backend4;            /* per host: hidden genuine server (attackers) */
	struct dl_zone_spec *zones; /* owned, placeholders resolved */
	size_t n_zones;
	struct dl_buf personas;     /* dl-smtpd configuration for this case */
	struct dl_buf dns_rules;    /* dl-faultdns rules for this case (round 1) */
	struct dl_buf *round_rules; /* [k - 2]: its rules in delivery k >= 2 */
	int n_rounds;               /* deliveries: 1 + the case's `then` lines */
	struct dl_buf path_rules;   /* rules of the untrusted resolver path */
	const char *resolver;       /* the resolver address the client must use */
	struct dl_fixture_probe *probes;
	size_t n_probes;
	char *rcpt;                 /* absolute address */
	char *rcpt_domain;          /* without trailing dot */
	char *relay;                /* "host:port" or NULL */
	char *options;              /* client options for the adapter, resolved:
	                               "fallback=NAME:PORT self=ADDR digests=..." */
	bool uses_ipv6;
};

/*
 * Place case c as number `index` of the run.  Certificates are issued into
 * pki (keys shared by name within the case) and written under case_dir;
 * TLSA placeholders are computed from them.  Problems go to diag as
 * file:line; returns -1 if the world cannot be built.
 */
int dl_case_world_build(const struct dl_case *c, int index, struct dl_pki *pki,
	const char *case_dir, time_t now, struct dl_case_world *w, struct dl_diag *diag);
void dl_case_world_free(struct dl_case_world *w);

/* Static checks of references (hosts, certs, placeholders, options). */
void dl_case_world_lint(const struct dl_case *c, struct dl_diag *diag);

#endif
