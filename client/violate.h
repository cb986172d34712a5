/*
 * violate.h -- named, deliberate rule violations for researchers.
 *
 * `dl-client --violate NAME` makes the reference client break exactly one
 * rule (several flags combine), so an attack can be shown succeeding
 * against a naive client and failing against a conformant one.  Each
 * violation is checked at the single place where its rule is enforced; a
 * comment there names the requirement ID (rfc7672-requirements.md).
 * The table in violate.c is the one list (name, requirement ID, summary);
 * client/README.md documents it.
 */
#ifndef DL_CLIENT_VIOLATE_H
#define DL_CLIENT_VIOLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum dl_violation {
	DL_VIOL_CLEARTEXT_FALLBACK = 0,
	DL_VIOL_IGNORE_TLSA,
	DL_VIOL_TLSA_FAILURE_AS_NONE,
	DL_VIOL_BOGUS_AS_INSECURE,
	DL_VIOL_ACCEPT_PKIX_USAGES,
	DL_VIOL_NO_DIGEST_AGILITY,
	DL_VIOL_CHECK_NAMES_DANE_EE,
	DL_VIOL_CHECK_DATES_DANE_EE,
	DL_VIOL_NO_DANE_TA_NAME_CHECK,
	DL_VIOL_NO_SNI,
	DL_VIOL_KEEP_PRE_TLS_BUFFER,
	DL_VIOL_DANE_FOR_INSECURE_MX,
	DL_VIOL_TLSA_PREEMPTS_PREFERENCE,
	DL_VIOL_MX_FAILURE_IMPLICIT_MX,
	DL_VIOL_DELIVER_AFTER_AUTH_FAILURE,
	DL_VIOL_INSECURE_TLSA_ENFORCED,
	DL_VIOL_NO_TLSA_ORIGINAL_NAME,
	DL_VIOL_PARTIAL_WILDCARDS,
	DL_VIOL_NULL_MX_IGNORED,
	DL_VIOL_SECOND_STARTTLS,
	DL_VIOL_TLSA_PORT_25,
	DL_VIOL_TLSA_FOR_INSECURE_HOST,
	DL_VIOL_NO_EHLO_AFTER_TLS,
	DL_VIOL_NXDOMAIN_DEFER,
	DL_VIOL_MANDATORY_AS_OPPORTUNISTIC,
	DL_VIOL_UNUSABLE_AS_NONE,
	DL_VIOL_TA_ANYWHERE_IN_CHAIN,
	DL_VIOL_AGILITY_ACROSS_USAGES,
	DL_VIOL_STALE_SNI,
	DL_VIOL_COUNT
};

struct dl_violation_info {
	const char *name;
	const char *req;      /* requirement ID it breaks */
	const char *summary;
};

const struct dl_violation_info *dl_violation_info(enum dl_violation v);
/* Look a name up; returns -1 if unknown. */
int dl_violation_parse(const char *name);

/* The set of violations in force; zero means a conformant client. */
struct dl_violations {
	uint64_t bits;
};

static inline bool
dl_violates(const struct dl_violations *v, enum dl_violation which)
{
	return v != NULL && (v->bits >> which) & 1;
}

#endif
