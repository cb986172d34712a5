/*
 * tlsa.c -- TLSA record usability and lookup outcomes (see tlsa.h).
 */
#include "client/tlsa.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "util/buf.h"

static const char *const check_names[DL_TLSA_CHECK_COUNT] = {
	"usable", "pkix-usage", "unknown-usage", "unknown-selector",
	"unknown-mtype", "bad-digest-length", "bad-full-data", "truncated",
	"disabled-by-policy",
};
static const char *const outcome_names[DL_TLSA_OUTCOME_COUNT] = {
	"usable", "unusable-only", "none-secure", "none-insecure", "failed",
	"not-looked-up",
};

const char *
dl_tlsa_check_str(enum dl_tlsa_check c)
{
	return (unsigned)c < DL_TLSA_CHECK_COUNT ? check_names[c] : "?";
}

const char *
dl_tlsa_outcome_str(enum dl_tlsa_outcome o)
{
	return (unsigned)o < DL_TLSA_OUTCOME_COUNT ? outcome_names[o] : "?";
}

/* Full(0) data must be exactly one DER certificate or SPKI. */
static bool
full_data_ok(int selector, const unsigned char *d, size_t len)
{
	const unsigned char *p = d;
	bool ok = false;

	if (selector == 0) {
		X509 *x = d2i_X509(NULL, &p, (long)len);
		ok = x != NULL && p == d + len;
		X509_free(x);
	} else {
		EVP_PKEY *k = d2i_PUBKEY(NULL, &p, (long)len);
		ok = k != NULL && p == d + len;
		EVP_PKEY_free(k);
	}
	return ok;
}

enum dl_tlsa_check
dl_tlsa_check(const struct dl_rdata *rd, const struct dl_violations *v)
{
	unsigned usage, selector, mtype;
	size_t dlen;

	if (rd->len < 4)
		return DL_TLSA_TRUNCATED;
	usage = rd->data[0];
	selector = rd->data[1];
	mtype = rd->data[2];
	dlen = rd->len - 3;
	/* 7672-3.1.3-a, 7671-4.1-b: PKIX usages are unusable for SMTP. */
	if (usage <= 1 && !dl_violates(v, DL_VIOL_ACCEPT_PKIX_USAGES))
		return DL_TLSA_PKIX_USAGE;
	/* 6698-4.1-g: unknown parameters make the record unusable. */
	if (usage > 3)
		return DL_TLSA_UNKNOWN_USAGE;
	if (selector > 1)
		return DL_TLSA_UNKNOWN_SELECTOR;
	switch (mtype) {
	case 0:
		/* 6698-4.1-h: malformed association data. */
		return full_data_ok((int)selector, rd->data + 3, dlen) ?
		    DL_TLSA_OK : DL_TLSA_BAD_FULL_DATA;
	case 1:
		return dlen == 32 ? DL_TLSA_OK : DL_TLSA_BAD_DIGEST_LENGTH;
	case 2:
		return dlen == 64 ? DL_TLSA_OK : DL_TLSA_BAD_DIGEST_LENGTH;
	default:
		return DL_TLSA_UNKNOWN_MTYPE;
	}
}

int
dl_tlsa_policy_digests(struct dl_tlsa_policy *p, const char *list)
{
	char *copy = dl_xstrdup(list), *save = NULL;
	int rc = 0;

	p->n_digests = 0;
	for (char *d = strtok_r(copy, ",", &save); d && rc == 0; d = strtok_r(NULL, ",", &save)) {
		unsigned mt = strcmp(d, "sha256") == 0 ? 1 : strcmp(d, "sha512") == 0 ? 2 : 0;
		if (mt == 0 || p->n_digests == 2 || (p->n_digests == 1 && p->digests[0] == mt))
			rc = -1;
		else
			p->digests[p->n_digests++] = mt;
	}
	free(copy);
	return rc == 0 && p->n_digests > 0 ? 0 : -1;
}

unsigned
dl_tlsa_policy_rank(const struct dl_tlsa_policy *p, unsigned mtype)
{
	if (p == NULL || p->n_digests == 0)
		return mtype == 2 ? 2 : mtype == 1 ? 1 : 0;
	for (size_t i = 0; i < p->n_digests; i++)
		if (p->digests[i] == mtype)
			return (unsigned)(p->n_digests - i);
	return 0;
}

/* Does this client's policy use a well-formed record of these parameters? */
static bool
policy_allows(const struct dl_tlsa_policy *p, const struct dl_rdata *rd)
{
	if (p == NULL)
		return true;
	if (rd->data[0] == 2 && p->no_dane_ta)
		return false;
	return rd->data[2] == 0 || dl_tlsa_policy_rank(p, rd->data[2]) > 0;
}

enum dl_tlsa_step
dl_tlsa_judge(const struct dl_lookup *lk, const struct dl_violations *v)
{
	if (dl_sec_failed(lk->sec)) {
		/* 7672-2.1.2-c: any failure of a TLSA query makes the host
		 * unreachable; it is never "no TLSA". */
		if (dl_violates(v, DL_VIOL_TLSA_FAILURE_AS_NONE))
			return DL_STEP_NEXT_INSECURE;
		return DL_STEP_FAIL;
	}
	if (lk->sec == DL_SEC_INSECURE) {
		/* 6698-4.1-d: insecure TLSA RRsets are not used. */
		if (lk->ans == DL_ANS_RECORDS &&
		    dl_violates(v, DL_VIOL_INSECURE_TLSA_ENFORCED))
			return DL_STEP_USE;
		return DL_STEP_NEXT_INSECURE;
	}
	/* 7672-2.2.3-x1: a secure RRset makes this name the base domain. */
	return lk->ans == DL_ANS_RECORDS ? DL_STEP_USE : DL_STEP_NEXT_SECURE;
}

enum dl_tlsa_outcome
dl_tlsa_classify(const struct dl_lookup *lk, const struct dl_violations *v,
	const struct dl_tlsa_policy *pol, enum dl_tlsa_check *checks)
{
	bool usable = false;

	for (size_t i = 0; i < lk->n; i++) {
		checks[i] = dl_tlsa_check(&lk->rr[i], v);
		/* 6698-4.1-i, 7672-2.2.3-b: disabled by policy is unusable, and
		 * (like every unusable record) still demands TLS. */
		if (checks[i] == DL_TLSA_OK && !policy_allows(pol, &lk->rr[i]))
			checks[i] = DL_TLSA_DISABLED;
		if (checks[i] == DL_TLSA_OK)
			usable = true;
	}
	/* 7671-9-f: agility is "for each usage and selector" (OpenSSL applies
	 * it so); the violation applies it across the whole RRset. */
	if (dl_violates(v, DL_VIOL_AGILITY_ACROSS_USAGES)) {
		unsigned best = 0;
		for (size_t i = 0; i < lk->n; i++)
			if (checks[i] == DL_TLSA_OK && lk->rr[i].data[2] != 0 &&
			    dl_tlsa_policy_rank(pol, lk->rr[i].data[2]) > best)
				best = dl_tlsa_policy_rank(pol, lk->rr[i].data[2]);
		usable = false;
		for (size_t i = 0; i < lk->n; i++) {
			if (checks[i] == DL_TLSA_OK && lk->rr[i].data[2] != 0 &&
			    dl_tlsa_policy_rank(pol, lk->rr[i].data[2]) < best)
				checks[i] = DL_TLSA_DISABLED;
			usable |= checks[i] == DL_TLSA_OK;
		}
	}
	/* 7672-2.2-d: a non-empty secure RRset with nothing usable still
	 * requires TLS (handled by the plan). */
	return usable ? DL_TLSA_USABLE : DL_TLSA_UNUSABLE_ONLY;
}
