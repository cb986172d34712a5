/*
 * tlsa.h -- TLSA records: usability (RFC 7672 §3.1.3, RFC 6698 §4.1) and
 * the outcome of a host's TLSA lookups (RFC 7672 §2.2, §2.2.3).
 *
 * Usability is decided here, explicitly, before anything is handed to
 * OpenSSL: only DANE-TA(2) and DANE-EE(3) with a known selector, a known
 * matching type and well-formed data are usable.
 */
#ifndef DL_CLIENT_TLSA_H
#define DL_CLIENT_TLSA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/lookup.h"
#include "client/violate.h"

/* Why a record is (un)usable; string table dl_tlsa_check_str(). */
enum dl_tlsa_check {
	DL_TLSA_OK = 0,
	DL_TLSA_PKIX_USAGE,        /* usage 0 or 1 (7672-3.1.3-a) */
	DL_TLSA_UNKNOWN_USAGE,
	DL_TLSA_UNKNOWN_SELECTOR,
	DL_TLSA_UNKNOWN_MTYPE,
	DL_TLSA_BAD_DIGEST_LENGTH,
	DL_TLSA_BAD_FULL_DATA,     /* Full(0) data that is no cert / SPKI */
	DL_TLSA_TRUNCATED,         /* fewer than 3 octets, or no data */
	DL_TLSA_DISABLED,          /* well-formed, but this client's policy
	                              disables its usage or digest */
	DL_TLSA_CHECK_COUNT
};
const char *dl_tlsa_check_str(enum dl_tlsa_check c);

/*
 * The administrator's TLSA policy (RFC 7671 §9, RFC 6698 §4.1-i): the
 * usages and digests this client uses, the digests in order of preference.
 * Zero-initialised means all of them, SHA2-512 preferred to SHA2-256.
 */
struct dl_tlsa_policy {
	bool no_dane_ta;           /* DANE-TA(2) records are unusable */
	size_t n_digests;          /* 0: the default ranking */
	unsigned digests[2];       /* matching types, most preferred first */
};

/* "sha512,sha256" (most preferred first; a digest left out is disabled);
 * -1 on an unknown name or a repeat. */
int dl_tlsa_policy_digests(struct dl_tlsa_policy *p, const char *list);
/* OpenSSL's ordinal for matching type mtype (1 or 2): higher is preferred,
 * 0 disables it (SSL_CTX_dane_mtype_set). */
unsigned dl_tlsa_policy_rank(const struct dl_tlsa_policy *p, unsigned mtype);

/* Check one TLSA RDATA (wire format). */
enum dl_tlsa_check dl_tlsa_check(const struct dl_rdata *rd,
	const struct dl_violations *v);

/* What a host's TLSA lookups amount to; string table dl_tlsa_outcome_str(). */
enum dl_tlsa_outcome {
	DL_TLSA_USABLE = 0,      /* secure RRset with >= 1 usable record */
	DL_TLSA_UNUSABLE_ONLY,   /* secure, non-empty, nothing usable */
	DL_TLSA_NONE_SECURE,     /* secure proof of no TLSA records */
	DL_TLSA_NONE_INSECURE,   /* insecure answer(s): ignored */
	DL_TLSA_FAILED,          /* a lookup failed: host unreachable */
	DL_TLSA_NOT_LOOKED_UP,   /* DANE does not apply to this host */
	DL_TLSA_OUTCOME_COUNT
};
const char *dl_tlsa_outcome_str(enum dl_tlsa_outcome o);

/* One candidate lookup's verdict in the §2.2.3 candidate loop. */
enum dl_tlsa_step {
	DL_STEP_USE = 0,         /* this candidate is the TLSA base domain */
	DL_STEP_NEXT_SECURE,     /* secure NODATA/NXDOMAIN: try the next */
	DL_STEP_NEXT_INSECURE,   /* insecure answer: ignored, try the next */
	DL_STEP_FAIL,            /* lookup failure: host unreachable */
};
enum dl_tlsa_step dl_tlsa_judge(const struct dl_lookup *lk,
	const struct dl_violations *v);

/*
 * Classify a secure TLSA RRset used as base domain: fills checks[i] for
 * each record (array of lk->n) and returns USABLE or UNUSABLE_ONLY.
 */
enum dl_tlsa_outcome dl_tlsa_classify(const struct dl_lookup *lk,
	const struct dl_violations *v, const struct dl_tlsa_policy *pol,
	enum dl_tlsa_check *checks);

#endif
