/*
 * internal.h -- what the files of zones/ share while building one world.
 *
 * world.c owns the orchestration; each other file does one step on a
 * `struct dl_zbuild` (one per zone spec).  Not for use outside zones/.
 *
 * RR ownership: every ldns_rr placed into `dz` is also pushed on `pool`,
 * which owns them; `dz` is freed shallowly.  This keeps the ldns signer's
 * "new_rrs" convention and our own fault edits leak- and double-free-free.
 */
#ifndef DL_ZONES_INTERNAL_H
#define DL_ZONES_INTERNAL_H

#include <ldns/ldns.h>
#include <stdbool.h>

#include "zones/world.h"

#define DL_DAY (24 * 3600)

/* Signature validity windows of the brief (see world.h). */
enum dl_sigtime {
	DL_SIGTIME_VALID = 0,
	DL_SIGTIME_EXPIRED,
	DL_SIGTIME_NOTYET,
};

struct dl_zbuild {
	const struct dl_zone_spec *spec;
	ldns_rdf *origin;          /* owned */
	ssize_t parent;            /* index in the world, -1 for the root */
	const char *ns4, *ns6;     /* address of dlns.<origin> (ns6 may be NULL) */
	ldns_key_list *keys;       /* the CSK (NULL for an insecure zone) */
	ldns_rr *dnskey;           /* owned; NULL without keys */
	ldns_rr *ds;               /* owned: the DS the parent publishes, or NULL */
	ldns_dnssec_zone *dz;      /* during build only; freed shallowly */
	ldns_rr_list *pool;        /* owns every RR of dz */
	int round;                 /* the version being built (1-based) */
};

/* "file:line" of an input line, into buf. */
const char *dl_src_str(const struct dl_src *src, char *buf, size_t len);

/* Modes: whether the zone is signed, whether the parent gets a DS. */
bool dl_mode_signed(enum dl_zone_mode m);
bool dl_mode_has_ds(enum dl_zone_mode m);

/* keys.c: the CSK, its DNSKEY RR and the parent's DS (mode-dependent). */
int dl_zkeys_make(struct dl_zbuild *zb, struct dl_err *err);
void dl_zkeys_set_times(ldns_key_list *keys, time_t now, enum dl_sigtime t);

/* records.c: the zone's contents before signing. */
int dl_zrec_add_generated(struct dl_zbuild *zb, time_t now);
int dl_zrec_add_input(struct dl_zbuild *zb, struct dl_zbuild *all, size_t n,
	struct dl_err *err);
int dl_zrec_add_delegation(struct dl_zbuild *zb, const struct dl_zbuild *child);
/* Add one RR to dz and pool (takes ownership); ldns status. */
ldns_status dl_zrec_add(struct dl_zbuild *zb, ldns_rr *rr);

/* sign.c */
int dl_zsign(struct dl_zbuild *zb, time_t now, struct dl_err *err);

/* faults.c: applied after signing. */
int dl_zfault_rrsets(struct dl_zbuild *zb, time_t now, struct dl_err *err);
void dl_zfault_mode(struct dl_zbuild *zb);
void dl_zfault_corrupt_sig(ldns_rr *rrsig);
void dl_zfault_corrupt_ds(ldns_rr *ds);
/* A fault's owner as an absolute name ("@" and relative names allowed). */
ldns_rdf *dl_zfault_owner(const struct dl_zbuild *zb, const char *owner);

/* served.c: RRsets the fault proxy serves in NSD's place (after faults). */
int dl_zserve_split(struct dl_zbuild *zb, const char *zone_dir, struct dl_err *err);

/* emit.c */
char *dl_zemit_zone_path(const char *zone_dir, const ldns_rdf *origin);
char *dl_zemit_round_path(const char *zone_dir, const ldns_rdf *origin, int round);
int dl_zemit_zone(struct dl_zbuild *zb, const char *path, struct dl_err *err);
int dl_zemit_side_files(const struct dl_world *w, struct dl_zbuild *zbs,
	const char *dir, struct dl_world_out *out, struct dl_err *err);

#endif
