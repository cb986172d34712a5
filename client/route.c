/*
 * route.c -- routing decisions over lookup results (see route.h).
 */
#include "client/route.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

static const char *const policy_names[DL_POLICY_COUNT] = {
	"dane", "dane-only", "may", "encrypt",
};
static const char *const route_names[DL_ROUTE_COUNT] = {
	"mx", "implicit-mx", "null-mx", "nxdomain", "defer",
};
static const char *const plan_names[DL_PLAN_COUNT] = {
	"dane", "encrypt", "opportunistic", "skip",
};

const char *
dl_policy_str(enum dl_policy p)
{
	return (unsigned)p < DL_POLICY_COUNT ? policy_names[p] : "?";
}

int
dl_policy_parse(const char *s)
{
	for (int i = 0; i < DL_POLICY_COUNT; i++)
		if (strcmp(policy_names[i], s) == 0)
			return i;
	return -1;
}

const char *
dl_route_str(enum dl_route_kind k)
{
	return (unsigned)k < DL_ROUTE_COUNT ? route_names[k] : "?";
}

const char *
dl_plan_str(enum dl_plan p)
{
	return (unsigned)p < DL_PLAN_COUNT ? plan_names[p] : "?";
}

int
dl_mx_parse(const struct dl_lookup *mx, struct dl_mx **out, size_t *n)
{
	char name[1025];

	*out = NULL;
	*n = 0;
	if (mx->ans != DL_ANS_RECORDS || mx->n == 0)
		return 0;
	*out = dl_xcalloc(mx->n, sizeof(**out));
	for (size_t i = 0; i < mx->n; i++) {
		const struct dl_rdata *rd = &mx->rr[i];
		if (rd->len < 3 || dl_wire_name(rd->data + 2, rd->len - 2,
		    name) != rd->len - 2) {
			dl_mx_free(*out, *n);
			*out = NULL;
			*n = 0;
			return -1;
		}
		(*out)[i].pref = (uint16_t)((rd->data[0] << 8) | rd->data[1]);
		(*out)[i].name = dl_xstrdup(name);
		*n = i + 1;
	}
	return 0;
}

void
dl_mx_free(struct dl_mx *mx, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(mx[i].name);
	free(mx);
}

enum dl_route_kind
dl_route_decide(const struct dl_lookup *mx, const struct dl_mx *recs,
	size_t n, const struct dl_violations *v)
{
	size_t real = 0;

	if (dl_sec_failed(mx->sec)) {
		/* 7672-2.1.2-a: a failed MX lookup leaves us unable to tell
		 * which servers to contact: delay, never the domain's A. */
		if (dl_violates(v, DL_VIOL_MX_FAILURE_IMPLICIT_MX))
			return DL_ROUTE_IMPLICIT;
		return DL_ROUTE_DEFER;
	}
	if (mx->ans == DL_ANS_NXDOMAIN) {
		/* 5321-5.1-c: a non-existent domain is reported as an error. */
		if (dl_violates(v, DL_VIOL_NXDOMAIN_DEFER))
			return DL_ROUTE_DEFER;
		return DL_ROUTE_NXDOMAIN;
	}
	if (mx->ans == DL_ANS_NODATA)
		return DL_ROUTE_IMPLICIT;
	if (n == 0)
		return DL_ROUTE_DEFER; /* records we could not parse */
	for (size_t i = 0; i < n; i++)
		if (strcmp(recs[i].name, ".") != 0)
			real++;
	/*
	 * 7505-4-a: a null MX means "no mail": bounce at once.  A null MX
	 * mixed with real MX records is a publisher error (7505-3-a); we
	 * then use the real ones (deliver.c skips ".").
	 */
	if (real == 0) {
		if (dl_violates(v, DL_VIOL_NULL_MX_IGNORED))
			return DL_ROUTE_IMPLICIT;
		return DL_ROUTE_NULL_MX;
	}
	return DL_ROUTE_MX;
}

uint64_t
dl_rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
dl_mx_order(struct dl_mx *mx, size_t n, uint64_t *rng)
{
	/* 5321-5.1-k: lower preference first (insertion sort: n is small). */
	for (size_t i = 1; i < n; i++) {
		struct dl_mx t = mx[i];
		size_t j = i;
		for (; j > 0 && mx[j - 1].pref > t.pref; j--)
			mx[j] = mx[j - 1];
		mx[j] = t;
	}
	/* 5321-5.1-l: randomise among equal preferences (Fisher-Yates). */
	for (size_t s = 0; s < n;) {
		size_t e = s + 1;
		while (e < n && mx[e].pref == mx[s].pref)
			e++;
		for (size_t i = e - 1; i > s; i--) {
			size_t j = s + (size_t)(dl_rng_next(rng) % (i - s + 1));
			struct dl_mx t = mx[i];
			mx[i] = mx[j];
			mx[j] = t;
		}
		s = e;
	}
}

void
dl_chain_clear(struct dl_chain *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->name[i]);
	memset(c, 0, sizeof(*c));
}

size_t
dl_tlsa_candidates(const struct dl_chain *c, enum dl_sec addr_sec,
	const struct dl_violations *v, const char *out[2])
{
	bool all_secure = addr_sec == DL_SEC_SECURE;

	if (c->n == 0)
		return 0;
	for (size_t i = 0; i + 1 < c->n; i++)
		if (c->link[i] != DL_SEC_SECURE)
			all_secure = false;
	/*
	 * 7672-2.2.2-b: an insecure first answer (the address records, or
	 * the first CNAME) means no TLSA lookup at all.
	 */
	if ((c->n == 1 && addr_sec != DL_SEC_SECURE) ||
	    (c->n > 1 && c->link[0] != DL_SEC_SECURE)) {
		if (!dl_violates(v, DL_VIOL_TLSA_FOR_INSECURE_HOST))
			return 0;
		out[0] = c->name[0];
		return 1;
	}
	if (c->n == 1) {
		out[0] = c->name[0];
		return 1;
	}
	/* 7672-2.2.2-x3: a chain that turns insecure: the original only. */
	if (!all_secure) {
		if (dl_violates(v, DL_VIOL_NO_TLSA_ORIGINAL_NAME))
			return 0;
		out[0] = c->name[0];
		return 1;
	}
	/* 7671-7-b, 7672-2.2.3-c: expanded first, then the original. */
	out[0] = c->name[c->n - 1];
	if (dl_violates(v, DL_VIOL_NO_TLSA_ORIGINAL_NAME))
		return 1;
	out[1] = c->name[0];
	return 2;
}

static size_t
add_unique(const char *out[3], size_t n, const char *name)
{
	if (name == NULL)
		return n;
	for (size_t i = 0; i < n; i++)
		if (dl_name_eq(out[i], name))
			return n;
	out[n] = name;
	return n + 1;
}

size_t
dl_refids(const char *base, const char *nexthop, const char *nexthop_expanded,
	bool via_secure_mx, const char *out[3])
{
	size_t n = 0;

	/* 7672-3.2.2-b: the TLSA base domain is the primary identifier. */
	n = add_unique(out, n, base);
	if (via_secure_mx) {
		/* 7672-3.2.2-c/d: next-hop domain and its expansion. */
		n = add_unique(out, n, nexthop);
		n = add_unique(out, n, nexthop_expanded);
	} else if (nexthop_expanded != NULL &&
	    dl_name_eq(base, nexthop_expanded)) {
		/* 7672-3.2.2-e: no MX, base is the expanded next hop. */
		n = add_unique(out, n, nexthop);
	}
	return n;
}

static enum dl_plan
mandatory_miss(enum dl_policy policy, const struct dl_violations *v,
	const char **why, const char *reason)
{
	/* 7672-2.2-i, 7672-6-x1: mandatory DANE moves mail only over
	 * TLSA-authenticated channels. */
	if (policy == DL_POLICY_DANE_ONLY &&
	    !dl_violates(v, DL_VIOL_MANDATORY_AS_OPPORTUNISTIC)) {
		*why = reason;
		return DL_PLAN_SKIP;
	}
	/* 3207-6-a: a destination configured for mandatory TLS. */
	if (policy == DL_POLICY_ENCRYPT) {
		*why = "policy encrypt: TLS required, no TLSA to authenticate with";
		return DL_PLAN_ENCRYPT;
	}
	*why = "no secure usable TLSA: pre-DANE opportunistic TLS";
	return DL_PLAN_OPPORTUNISTIC;
}

enum dl_plan
dl_plan_for(enum dl_policy policy, bool dane_applies,
	enum dl_tlsa_outcome out, const struct dl_violations *v,
	const char **why)
{
	if (policy == DL_POLICY_MAY) {
		*why = "policy may: pre-DANE opportunistic TLS";
		return DL_PLAN_OPPORTUNISTIC;
	}
	if (!dane_applies)
		/* 7672-2.2.1-d: insecure MX RRset under mandatory DANE. */
		return mandatory_miss(policy, v, why,
		    "dane-only: MX RRset not secure");
	switch (out) {
	case DL_TLSA_FAILED:
		/* 7672-2.1.2-c: failed TLSA lookup: host unreachable. */
		*why = "TLSA lookup failed: host unreachable";
		return DL_PLAN_SKIP;
	case DL_TLSA_USABLE:
		/* 7672-2.2-a/b: TLS required, authenticated by TLSA. */
		*why = "secure usable TLSA: DANE authentication required";
		return DL_PLAN_DANE;
	case DL_TLSA_UNUSABLE_ONLY:
		if (policy == DL_POLICY_DANE_ONLY &&
		    !dl_violates(v, DL_VIOL_MANDATORY_AS_OPPORTUNISTIC)) {
			/* 7671-10.3-a */
			*why = "dane-only: secure TLSA RRset has no usable record";
			return DL_PLAN_SKIP;
		}
		/* 7672-2.2-d: TLS still required, authentication not. */
		if (dl_violates(v, DL_VIOL_UNUSABLE_AS_NONE)) {
			*why = "only unusable TLSA (treated as none)";
			return DL_PLAN_OPPORTUNISTIC;
		}
		*why = "only unusable secure TLSA: TLS required, unauthenticated";
		return DL_PLAN_ENCRYPT;
	default:
		return mandatory_miss(policy, v, why,
		    "dane-only: no secure usable TLSA");
	}
}
