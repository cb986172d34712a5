/*
 * route.h -- where a message goes: pure decisions over lookup results.
 *
 * RFC 5321 §5.1, RFC 7505 and RFC 7672 §2: the MX answer decides between
 * MX hosts, the implicit MX, a bounce or a deferral; MX hosts are ordered
 * by preference with a seedable shuffle among equals; a host's CNAME
 * chain and address status decide its TLSA base-domain candidates; the
 * policy and the TLSA outcome decide the TLS plan for a host.  No I/O
 * here (deliver.c does the lookups and calls these).
 */
#ifndef DL_CLIENT_ROUTE_H
#define DL_CLIENT_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/lookup.h"
#include "client/tlsa.h"
#include "client/violate.h"

/* Per-destination policy; string table dl_policy_str(). */
enum dl_policy {
	DL_POLICY_DANE = 0,   /* opportunistic DANE (default) */
	DL_POLICY_DANE_ONLY,  /* mandatory DANE */
	DL_POLICY_MAY,        /* pre-DANE opportunistic TLS, no TLSA lookups */
	DL_POLICY_ENCRYPT,    /* mandatory TLS (RFC 3207 6): DANE where TLSA
	                         applies, TLS without authentication elsewhere */
	DL_POLICY_COUNT
};
const char *dl_policy_str(enum dl_policy p);
int dl_policy_parse(const char *s); /* -1 if unknown */

/* What the MX answer means; string table dl_route_str(). */
enum dl_route_kind {
	DL_ROUTE_MX = 0,     /* deliver to the MX hosts */
	DL_ROUTE_IMPLICIT,   /* no MX RRset: the domain itself is the host */
	DL_ROUTE_NULL_MX,    /* "MX 0 .": bounce 5.1.10 */
	DL_ROUTE_NXDOMAIN,   /* the domain does not exist: bounce */
	DL_ROUTE_DEFER,      /* the MX lookup failed: defer */
	DL_ROUTE_COUNT
};
const char *dl_route_str(enum dl_route_kind k);

struct dl_mx {
	uint16_t pref;
	char *name;
};

/*
 * Parse the MX RDATAs of a lookup into *out (caller frees with
 * dl_mx_free).  Returns -1 if an RDATA is malformed.
 */
int dl_mx_parse(const struct dl_lookup *mx, struct dl_mx **out, size_t *n);
void dl_mx_free(struct dl_mx *mx, size_t n);

/* Decide the route from the MX lookup (mx records parsed already). */
enum dl_route_kind dl_route_decide(const struct dl_lookup *mx,
	const struct dl_mx *recs, size_t n, const struct dl_violations *v);

/* A small seedable PRNG (splitmix64); the state is the caller's. */
uint64_t dl_rng_next(uint64_t *state);
/* Sort by preference, shuffling hosts of equal preference. */
void dl_mx_order(struct dl_mx *mx, size_t n, uint64_t *rng);

/*
 * A host name's CNAME chain as followed hop by hop: name[0] is the name
 * asked for, name[i+1] the target of link i, link[i] that link's status.
 */
#define DL_CHAIN_MAX 8
struct dl_chain {
	size_t n;                       /* names (links = n - 1) */
	char *name[DL_CHAIN_MAX + 1];
	enum dl_sec link[DL_CHAIN_MAX];
};
void dl_chain_clear(struct dl_chain *c);

/*
 * TLSA base-domain candidates in the order to try (RFC 7672 §2.2.2,
 * RFC 7671 §7): the expanded name, then the original, each only while
 * the chain up to it is secure; never a name in the middle of a chain.
 * addr_sec is the status of the address answer at the end of the chain.
 * Returns the number of candidates written to out (0..2; pointers into c).
 */
size_t dl_tlsa_candidates(const struct dl_chain *c, enum dl_sec addr_sec,
	const struct dl_violations *v, const char *out[2]);

/*
 * Reference identifiers for DANE-TA name checks (RFC 7672 §3.2.2): the
 * TLSA base domain first, plus the next-hop domain (and its expansion)
 * when the host came from a secure MX RRset, or the original next-hop
 * domain when the base domain is the expanded next-hop without MX.
 * Returns the count written to out (pointers to the arguments).
 */
size_t dl_refids(const char *base, const char *nexthop,
	const char *nexthop_expanded, bool via_secure_mx, const char *out[3]);

/* How a host is to be contacted; string table dl_plan_str(). */
enum dl_plan {
	DL_PLAN_DANE = 0,      /* STARTTLS required, authenticate with TLSA */
	DL_PLAN_ENCRYPT,       /* STARTTLS required, no authentication */
	DL_PLAN_OPPORTUNISTIC, /* pre-DANE: TLS if offered, else cleartext */
	DL_PLAN_SKIP,          /* do not connect */
	DL_PLAN_COUNT
};
const char *dl_plan_str(enum dl_plan p);

/*
 * The TLS plan for one host.  dane_applies: the host was securely
 * identified (secure MX RRset, implicit MX, relay or literal-free route).
 * *why gets a static explanation.
 */
enum dl_plan dl_plan_for(enum dl_policy policy, bool dane_applies,
	enum dl_tlsa_outcome out, const struct dl_violations *v,
	const char **why);

#endif
