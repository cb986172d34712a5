/*
 * violate.c -- the table of named violations (see violate.h).
 */
#include "client/violate.h"

#include <string.h>

static const struct dl_violation_info table[DL_VIOL_COUNT] = {
	[DL_VIOL_CLEARTEXT_FALLBACK] = { "cleartext-fallback", "7672-2.2-a",
	    "deliver in clear when STARTTLS is missing although secure TLSA exist" },
	[DL_VIOL_IGNORE_TLSA] = { "ignore-tlsa", "7672-2.1.2-b",
	    "never look up TLSA records (pre-DANE TLS everywhere)" },
	[DL_VIOL_TLSA_FAILURE_AS_NONE] = { "tlsa-failure-as-none", "7672-2.1.2-c",
	    "a failed TLSA lookup (bogus, SERVFAIL, timeout) counts as 'no TLSA'" },
	[DL_VIOL_BOGUS_AS_INSECURE] = { "bogus-as-insecure", "6698-4.1-c",
	    "bogus answers are used as if they were insecure" },
	[DL_VIOL_ACCEPT_PKIX_USAGES] = { "accept-pkix-usages", "7671-4.1-b",
	    "PKIX-TA(0)/PKIX-EE(1) records count as usable and are enforced" },
	[DL_VIOL_NO_DIGEST_AGILITY] = { "no-digest-agility", "7671-9-f",
	    "a weaker digest that matches is accepted next to a stronger one" },
	[DL_VIOL_CHECK_NAMES_DANE_EE] = { "check-names-dane-ee", "7672-3.2.1-a",
	    "check certificate names for DANE-EE(3) matches" },
	[DL_VIOL_CHECK_DATES_DANE_EE] = { "check-dates-dane-ee", "7672-3.1.1-b",
	    "reject an expired or not-yet-valid DANE-EE(3) leaf" },
	[DL_VIOL_NO_DANE_TA_NAME_CHECK] = { "no-dane-ta-name-check", "7672-3.2.2-a",
	    "skip the certificate name check for DANE-TA(2) matches" },
	[DL_VIOL_NO_SNI] = { "no-sni", "7672-8.1-a",
	    "send no SNI extension" },
	[DL_VIOL_KEEP_PRE_TLS_BUFFER] = { "keep-pre-tls-buffer", "3207-6-d",
	    "keep bytes received in clear after the STARTTLS reply" },
	[DL_VIOL_DANE_FOR_INSECURE_MX] = { "dane-for-insecure-mx", "7672-2.2.1-d",
	    "treat an insecure MX RRset as secure (DANE, next-hop names, dane-only)" },
	[DL_VIOL_TLSA_PREEMPTS_PREFERENCE] = { "tlsa-preempts-preference", "7672-2.2.1-b",
	    "try MX hosts with secure TLSA before better-preference hosts without" },
	[DL_VIOL_MX_FAILURE_IMPLICIT_MX] = { "mx-failure-implicit-mx", "7672-2.1.2-a",
	    "on MX lookup failure deliver to the domain's own address records" },
	[DL_VIOL_DELIVER_AFTER_AUTH_FAILURE] = { "deliver-after-auth-failure", "7672-3.2-b",
	    "deliver although DANE authentication failed" },
	[DL_VIOL_INSECURE_TLSA_ENFORCED] = { "insecure-tlsa-enforced", "6698-4.1-d",
	    "use an insecure TLSA RRset as if it were secure" },
	[DL_VIOL_NO_TLSA_ORIGINAL_NAME] = { "no-tlsa-original-name", "7672-2.2.3-c",
	    "never look for TLSA at the unexpanded name of a CNAME" },
	[DL_VIOL_PARTIAL_WILDCARDS] = { "partial-wildcards", "7672-3.2.3-x1",
	    "accept partial-label wildcards (smtp*.example.com) in DANE-TA names" },
	[DL_VIOL_NULL_MX_IGNORED] = { "null-mx-ignored", "7505-4-a",
	    "ignore a null MX and deliver to the domain's address records" },
	[DL_VIOL_SECOND_STARTTLS] = { "second-starttls", "3207-4.2-d",
	    "send STARTTLS again inside TLS when the server offers it" },
	[DL_VIOL_TLSA_PORT_25] = { "tlsa-port-25", "7672-2.2.3-a",
	    "look up TLSA at _25._tcp whatever the port" },
	[DL_VIOL_TLSA_FOR_INSECURE_HOST] = { "tlsa-for-insecure-host", "7672-2.2.2-b",
	    "look up TLSA for hosts whose address answer is insecure (failures skip them)" },
	[DL_VIOL_NO_EHLO_AFTER_TLS] = { "no-ehlo-after-tls", "3207-4.2-b",
	    "do not send EHLO again after the TLS handshake" },
	[DL_VIOL_NXDOMAIN_DEFER] = { "nxdomain-defer", "5321-5.1-c",
	    "defer (instead of bounce) when the recipient domain does not exist" },
	[DL_VIOL_MANDATORY_AS_OPPORTUNISTIC] = { "mandatory-as-opportunistic", "7672-2.2-i",
	    "under dane-only, deliver without DANE when DANE is not available" },
	[DL_VIOL_UNUSABLE_AS_NONE] = { "unusable-as-none", "7672-2.2-d",
	    "an RRset of only unusable TLSA records counts as 'no TLSA' (cleartext allowed)" },
	[DL_VIOL_TA_ANYWHERE_IN_CHAIN] = { "ta-anywhere-in-chain", "6698-2.1.1-a",
	    "a DANE-TA record matching any chain certificate authenticates a leaf signed by any other" },
	[DL_VIOL_AGILITY_ACROSS_USAGES] = { "agility-across-usages", "7671-9-f",
	    "digest agility over the whole RRset: a stronger digest of one usage voids the others" },
	[DL_VIOL_STALE_SNI] = { "stale-sni", "7672-8.1-a",
	    "on fail-over, send the SNI of the first host tried" },
};

const struct dl_violation_info *
dl_violation_info(enum dl_violation v)
{
	return (unsigned)v < DL_VIOL_COUNT ? &table[v] : NULL;
}

int
dl_violation_parse(const char *name)
{
	for (int i = 0; i < DL_VIOL_COUNT; i++)
		if (strcmp(table[i].name, name) == 0)
			return i;
	return -1;
}
