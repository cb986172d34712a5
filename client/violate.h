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
	DL_V_CLEARTEXT_FALLBACK = 0,
	DL_V_IGNORE_TLSA,
	DL_V_TLSA_FAILURE_AS_NONE,
	DL_V_BOGUS_AS_INSECURE,
	DL_V_ACCEPT_PKIX_USAGES,
	DL_V_NO_DIGEST_AGILITY,
	DL_V_CHECK_NAMES_DANE_EE,
	DL_V_CHECK_DATES_DANE_EE,
	DL_V_NO_DANE_TA_NAME_CHECK,
	DL_V_NO_SNI,
	DL_V_KEEP_PRE_TLS_BUFFER,
	DL_V_DANE_FOR_INSECURE_MX,
	DL_V_TLSA_PREEMPTS_PREFERENCE,
	DL_V_MX_FAILURE_IMPLICIT_MX,
	DL_V_DELIVER_AFTER_AUTH_FAILURE,
	DL_V_INSECURE_TLSA_ENFORCED,
	DL_V_NO_TLSA_ORIGINAL_NAME,
	DL_V_PARTIAL_WILDCARDS,
	DL_V_NULL_MX_IGNORED,
	DL_V_SECOND_STARTTLS,
	DL_V_TLSA_PORT_25,
	DL_V_TLSA_FOR_INSECURE_HOST,
	DL_V_NO_EHLO_AFTER_TLS,
	DL_V_NXDOMAIN_DEFER,
	DL_V_MANDATORY_AS_OPPORTUNISTIC,
	DL_V_UNUSABLE_AS_NONE,
	DL_V_TA_ANYWHERE_IN_CHAIN,
	DL_V_AGILITY_ACROSS_USAGES,
	DL_V_STALE_SNI,
	DL_V_SHARE_CONNECTION,
	DL_V_COUNT
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
