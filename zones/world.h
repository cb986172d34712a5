/*
 * world.h -- a declarative DNS world, turned into signed zone files.
 *
 * The caller (the runner, the lab self-check, tests) describes zones: their
 * origin, DNSSEC mode, who serves them, their records in zone-file
 * presentation syntax (placeholders already resolved), and optional faults
 * on single RRsets.  dl_world_build() then, for every zone:
 *   - generates keys (one CSK per zone; algorithm per zone),
 *   - adds SOA, apex NS "dlns.<origin>" and its address,
 *   - adds the delegation (NS + glue) and, where the mode says so, the DS
 *     record(s) to the parent zone (the nearest enclosing zone in the world),
 *   - signs with NSEC or NSEC3, signatures valid around `now`,
 *   - applies the mode's fault and the per-RRset faults,
 *   - writes <dir>/zones/<origin>zone and the NSD zone lists,
 *   - for a zone with n_rounds > 1, also writes the version of each
 *     round k to <origin>zone.r<k> (round 1's is also the served file):
 *     the same keys (so the parent's DS keeps matching), the records of
 *     round 0 and k, SOA serial now + k - 1 (so a reload can be told apart),
 *   - writes the root trust anchor (DS of the root KSK) and root hints.
 * The world must contain the root zone "." (it is the only trust anchor).
 *
 * Signature times (all from `now`):
 *   valid:    inception now - 1 day,  expiration now + 30 days
 *   expired:  inception now - 30 days, expiration now - 3 days
 *   not yet:  inception now + 3 days, expiration now + 30 days
 * (three days, not one: validators forgive up to a day of clock skew).
 */
#ifndef DL_ZONES_WORLD_H
#define DL_ZONES_WORLD_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "util/err.h"

/* The DNSSEC state a zone is built in; one string table in world.c. */
enum dl_zone_mode {
	DL_ZONE_SECURE = 0,        /* signed, DS in the parent */
	DL_ZONE_INSECURE,          /* unsigned, no DS (parent proves it) */
	DL_ZONE_ISLAND,            /* signed, no DS: insecure to the validator */
	DL_ZONE_BOGUS_EXPIRED,     /* every RRSIG expired */
	DL_ZONE_BOGUS_NOTYET,      /* every RRSIG not yet valid */
	DL_ZONE_BOGUS_BADSIG,      /* every RRSIG corrupted */
	DL_ZONE_BOGUS_NOSIG,       /* DS in the parent, zone served unsigned */
	DL_ZONE_BOGUS_DS_MISMATCH, /* parent's DS matches no DNSKEY */
	DL_ZONE_BOGUS_NO_DNSKEY,   /* DNSKEY RRset missing from the zone */
	DL_ZONE_MODE_COUNT
};

/* A fault on one RRset of a signed zone (the rest stays valid). */
enum dl_rrset_fault {
	DL_RRSET_OK = 0,
	DL_RRSET_EXPIRED,  /* RRSIG expired */
	DL_RRSET_NOTYET,   /* RRSIG not yet valid */
	DL_RRSET_BADSIG,   /* RRSIG signature bytes corrupted */
	DL_RRSET_NOSIG,    /* RRSIG removed */
	DL_RRSET_SERVED,   /* validly signed, but left out of the zone file:
	                      written to <zone_dir>/served/<owner><TYPE> for the
	                      fault proxy to serve (data NSD will not load,
	                      such as a TLSA record with empty association data) */
	DL_RRSET_FAULT_COUNT
};

enum dl_key_alg {
	DL_ALG_ECDSAP256SHA256 = 0, /* default: fast */
	DL_ALG_RSASHA256,
	DL_ALG_ED25519,
	DL_ALG_COUNT
};

enum dl_denial {
	DL_DENIAL_NSEC = 0,
	DL_DENIAL_NSEC3,
};

/* Which name server the parent's delegation points at. */
enum dl_zone_server {
	DL_SERVED_LAB = 0, /* the lab's main NSD */
	DL_SERVED_FAULT,   /* the fault DNS proxy (which forwards to NSD #2) */
	DL_SERVED_DEAD,    /* an address where nothing listens */
};

/* One input line: where it came from, for "file:line: message" errors. */
struct dl_src {
	const char *file; /* may be NULL for generated input */
	int line;
};

struct dl_zone_record {
	char *text;        /* one RR in presentation syntax; relative owners
	                      and names are completed with the zone origin */
	struct dl_src src;
	int round;         /* 0: in every version of the zone; k: only in the
	                      zone as served in round k (see n_rounds) */
};

struct dl_zone_fault {
	char *owner;       /* absolute or relative to the origin */
	uint16_t type;     /* RR type of the RRset (LDNS_RR_TYPE_*) */
	enum dl_rrset_fault fault;
	struct dl_src src;
};

struct dl_zone_spec {
	char *origin;                 /* absolute, trailing dot: "x.test." */
	enum dl_zone_mode mode;
	enum dl_key_alg alg;
	enum dl_denial denial;
	enum dl_zone_server served_by;
	uint32_t ttl;                 /* default TTL; 0 means 300 */
	struct dl_zone_record *records;
	size_t n_records;
	struct dl_zone_fault *faults;
	size_t n_faults;
	int n_rounds;                 /* versions to build (0 or 1: one) */
	struct dl_src src;            /* where the zone was declared */
};

/* Addresses the builder writes into NS glue. */
struct dl_world_addrs {
	const char *lab_ns4, *lab_ns6;     /* main NSD, e.g. 127.0.53.1, fd..::53 */
	const char *fault_ns4;             /* fault DNS proxy, e.g. 127.0.54.1 */
	const char *dead_ns4;              /* nothing listens, e.g. 127.0.55.1 */
};

struct dl_world {
	struct dl_zone_spec *zones;
	size_t n_zones;
	struct dl_world_addrs addrs;
};

/* What the build produced; strings owned by the struct (dl_world_out_free). */
struct dl_world_out {
	char *zone_dir;          /* <dir>/zones */
	char *nsd_lab_conf;      /* NSD "zone:" clauses for the main NSD */
	char *nsd_fault_conf;    /* ... for NSD #2 behind the fault proxy */
	char *trust_anchor;      /* file with the root DS, for Unbound/libunbound */
	char *root_hints;        /* root hints file */
	char *root_ds;           /* the DS record text (one line) */
	size_t n_zones_signed;
};

/*
 * Build every zone of `w` under `dir` (created if missing).  Errors name
 * the input (file:line of the record or zone) and what was expected.
 * Returns 0, or -1 with err filled; on error no partial output is promised.
 */
int dl_world_build(const struct dl_world *w, const char *dir, time_t now,
	struct dl_world_out *out, struct dl_err *err);
/* The zone file of `origin` (absolute) that NSD serves (round 0), or its
 * version for round k >= 1 (zones with n_rounds > 1); caller frees. */
char *dl_world_zone_file(const struct dl_world_out *out, const char *origin, int round);
void dl_world_out_free(struct dl_world_out *out);

/* String tables (also used by the case parser). */
const char *dl_zone_mode_name(enum dl_zone_mode m);
int dl_zone_mode_parse(const char *s, enum dl_zone_mode *out);
const char *dl_rrset_fault_name(enum dl_rrset_fault f);
int dl_rrset_fault_parse(const char *s, enum dl_rrset_fault *out);
const char *dl_key_alg_name(enum dl_key_alg a);
int dl_key_alg_parse(const char *s, enum dl_key_alg *out);

#endif
