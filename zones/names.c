/*
 * names.c -- the one string table of each zones/ enum (mode, RRset fault,
 * key algorithm), shared by the builder's messages and the case parser.
 */
#include <string.h>

#include "zones/world.h"

static const char *const mode_names[DL_ZONE_MODE_COUNT] = {
	[DL_ZONE_SECURE] = "secure",
	[DL_ZONE_INSECURE] = "insecure",
	[DL_ZONE_ISLAND] = "island",
	[DL_ZONE_BOGUS_EXPIRED] = "bogus-expired",
	[DL_ZONE_BOGUS_NOTYET] = "bogus-notyet",
	[DL_ZONE_BOGUS_BADSIG] = "bogus-badsig",
	[DL_ZONE_BOGUS_NOSIG] = "bogus-nosig",
	[DL_ZONE_BOGUS_DS_MISMATCH] = "bogus-ds-mismatch",
	[DL_ZONE_BOGUS_NO_DNSKEY] = "bogus-no-dnskey",
};

static const char *const fault_names[DL_RRSET_FAULT_COUNT] = {
	[DL_RRSET_OK] = "ok",
	[DL_RRSET_EXPIRED] = "expired",
	[DL_RRSET_NOTYET] = "notyet",
	[DL_RRSET_BADSIG] = "badsig",
	[DL_RRSET_NOSIG] = "nosig",
	[DL_RRSET_SERVED] = "served",
};

static const char *const alg_names[DL_ALG_COUNT] = {
	[DL_ALG_ECDSAP256SHA256] = "ecdsa256",
	[DL_ALG_RSASHA256] = "rsasha256",
	[DL_ALG_ED25519] = "ed25519",
};

/* Index of `s` in `table`, or -1. */
static int
lookup(const char *const *table, int n, const char *s)
{
	if (s == NULL)
		return -1;
	for (int i = 0; i < n; i++)
		if (strcmp(table[i], s) == 0)
			return i;
	return -1;
}

const char *
dl_zone_mode_name(enum dl_zone_mode m)
{
	return (unsigned)m < DL_ZONE_MODE_COUNT ? mode_names[m] : "?";
}

int
dl_zone_mode_parse(const char *s, enum dl_zone_mode *out)
{
	int i = lookup(mode_names, DL_ZONE_MODE_COUNT, s);

	if (i < 0)
		return -1;
	*out = (enum dl_zone_mode)i;
	return 0;
}

const char *
dl_rrset_fault_name(enum dl_rrset_fault f)
{
	return (unsigned)f < DL_RRSET_FAULT_COUNT ? fault_names[f] : "?";
}

int
dl_rrset_fault_parse(const char *s, enum dl_rrset_fault *out)
{
	int i = lookup(fault_names, DL_RRSET_FAULT_COUNT, s);

	if (i < 0)
		return -1;
	*out = (enum dl_rrset_fault)i;
	return 0;
}

const char *
dl_key_alg_name(enum dl_key_alg a)
{
	return (unsigned)a < DL_ALG_COUNT ? alg_names[a] : "?";
}

int
dl_key_alg_parse(const char *s, enum dl_key_alg *out)
{
	int i = lookup(alg_names, DL_ALG_COUNT, s);

	if (i < 0)
		return -1;
	*out = (enum dl_key_alg)i;
	return 0;
}
