/*
 * test_client.c -- the reference client's pure decisions: MX ordering,
 * routing from the MX answer, TLSA base-domain candidates, reference
 * identifiers, usable-record filtering, TLS plans, result JSON.
 */
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "client/result.h"
#include "client/route.h"
#include "client/smtp.h"
#include "client/tlsa.h"
#include "tests/unit/cu.h"
#include "util/json.h"

static const struct dl_violations none = { 0 };

static struct dl_violations
viol(enum dl_violation v)
{
	struct dl_violations s = { 1ULL << v };
	return s;
}

/* MX RDATA: preference + wire name of a dotted name. */
static void
add_mx(struct dl_lookup *lk, unsigned pref, const char *name)
{
	unsigned char w[300];
	size_t o = 2;

	w[0] = (unsigned char)(pref >> 8);
	w[1] = (unsigned char)pref;
	if (strcmp(name, ".") != 0) {
		const char *p = name;
		while (*p) {
			const char *dot = strchr(p, '.');
			size_t l = dot ? (size_t)(dot - p) : strlen(p);
			w[o++] = (unsigned char)l;
			memcpy(w + o, p, l);
			o += l;
			p += l + (dot ? 1 : 0);
		}
	}
	w[o++] = 0;
	dl_lookup_add_rr(lk, w, o);
}

static void
test_mx_order_preference(void)
{
	struct dl_lookup lk;
	struct dl_mx *mx;
	size_t n;
	uint64_t rng = 1;

	dl_lookup_set(&lk, "example.test", DL_T_MX, DL_SEC_SECURE,
	    DL_ANS_RECORDS);
	add_mx(&lk, 30, "c.example.test");
	add_mx(&lk, 10, "a.example.test");
	add_mx(&lk, 20, "b.example.test");
	CU_ASSERT_EQUAL_FATAL(dl_mx_parse(&lk, &mx, &n), 0);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	dl_mx_order(mx, n, &rng);
	CU_ASSERT_STRING_EQUAL(mx[0].name, "a.example.test");
	CU_ASSERT_STRING_EQUAL(mx[1].name, "b.example.test");
	CU_ASSERT_STRING_EQUAL(mx[2].name, "c.example.test");
	CU_ASSERT_EQUAL(mx[0].pref, 10);
	CU_ASSERT_EQUAL(dl_route_decide(&lk, mx, n, &none), DL_ROUTE_MX);
	dl_mx_free(mx, n);
	dl_lookup_clear(&lk);
}

/* Equal preferences are shuffled: reproducible per seed, both orders seen. */
static void
test_mx_order_seeded_random(void)
{
	int first_a = 0, trials = 200;

	for (int t = 0; t < trials; t++) {
		struct dl_mx mx[3] = { { 10, "a" }, { 10, "b" }, { 5, "z" } };
		struct dl_mx again[3] = { { 10, "a" }, { 10, "b" }, { 5, "z" } };
		uint64_t s1 = (uint64_t)t, s2 = (uint64_t)t;
		dl_mx_order(mx, 3, &s1);
		dl_mx_order(again, 3, &s2);
		CU_ASSERT_STRING_EQUAL(mx[0].name, "z");
		CU_ASSERT_STRING_EQUAL(mx[1].name, again[1].name);
		if (strcmp(mx[1].name, "a") == 0)
			first_a++;
	}
	CU_ASSERT(first_a > trials / 4 && first_a < trials * 3 / 4);
}

static void
test_route_decisions(void)
{
	struct dl_lookup lk;
	struct dl_mx *mx;
	size_t n;
	struct dl_violations v;

	dl_lookup_set(&lk, "d.test", DL_T_MX, DL_SEC_SECURE, DL_ANS_RECORDS);
	add_mx(&lk, 0, ".");
	dl_mx_parse(&lk, &mx, &n);
	CU_ASSERT_EQUAL(dl_route_decide(&lk, mx, n, &none), DL_ROUTE_NULL_MX);
	v = viol(DL_VIOL_NULL_MX_IGNORED);
	CU_ASSERT_EQUAL(dl_route_decide(&lk, mx, n, &v), DL_ROUTE_IMPLICIT);
	dl_mx_free(mx, n);
	dl_lookup_clear(&lk);

	const enum dl_sec fails[] = { DL_SEC_BOGUS, DL_SEC_SERVFAIL,
	    DL_SEC_TIMEOUT };
	for (size_t i = 0; i < 3; i++) {
		dl_lookup_set(&lk, "d.test", DL_T_MX, fails[i], DL_ANS_NONE);
		CU_ASSERT_EQUAL(dl_route_decide(&lk, NULL, 0, &none),
		    DL_ROUTE_DEFER);
		v = viol(DL_VIOL_MX_FAILURE_IMPLICIT_MX);
		CU_ASSERT_EQUAL(dl_route_decide(&lk, NULL, 0, &v),
		    DL_ROUTE_IMPLICIT);
		dl_lookup_clear(&lk);
	}
	dl_lookup_set(&lk, "d.test", DL_T_MX, DL_SEC_INSECURE, DL_ANS_NODATA);
	CU_ASSERT_EQUAL(dl_route_decide(&lk, NULL, 0, &none), DL_ROUTE_IMPLICIT);
	dl_lookup_clear(&lk);
	dl_lookup_set(&lk, "d.test", DL_T_MX, DL_SEC_SECURE, DL_ANS_NXDOMAIN);
	CU_ASSERT_EQUAL(dl_route_decide(&lk, NULL, 0, &none), DL_ROUTE_NXDOMAIN);
	v = viol(DL_VIOL_NXDOMAIN_DEFER);
	CU_ASSERT_EQUAL(dl_route_decide(&lk, NULL, 0, &v), DL_ROUTE_DEFER);
	dl_lookup_clear(&lk);
}

static void
chain_set(struct dl_chain *c, const char *const *names, const enum dl_sec *links,
	size_t n)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < n; i++) {
		c->name[i] = strdup(names[i]);
		if (i + 1 < n)
			c->link[i] = links[i];
	}
	c->n = n;
}

static void
test_candidates_no_cname(void)
{
	struct dl_chain c;
	const char *names[] = { "mx.test" };
	const char *out[2];
	struct dl_violations v = viol(DL_VIOL_TLSA_FOR_INSECURE_HOST);

	chain_set(&c, names, NULL, 1);
	CU_ASSERT_EQUAL(dl_tlsa_candidates(&c, DL_SEC_SECURE, &none, out), 1);
	CU_ASSERT_STRING_EQUAL(out[0], "mx.test");
	/* 7672-2.2.2-b: insecure address answer: no TLSA lookup. */
	CU_ASSERT_EQUAL(dl_tlsa_candidates(&c, DL_SEC_INSECURE, &none, out), 0);
	CU_ASSERT_EQUAL(dl_tlsa_candidates(&c, DL_SEC_INSECURE, &v, out), 1);
	dl_chain_clear(&c);
}

static void
test_candidates_cname_chains(void)
{
	struct dl_chain c;
	const char *names[] = { "a.test", "b.test", "c.test" };
	const enum dl_sec all_secure[] = { DL_SEC_SECURE, DL_SEC_SECURE };
	const enum dl_sec mid_insecure[] = { DL_SEC_SECURE, DL_SEC_INSECURE };
	const enum dl_sec first_insecure[] = { DL_SEC_INSECURE, DL_SEC_SECURE };
	const char *out[2];
	struct dl_violations v = viol(DL_VIOL_NO_TLSA_ORIGINAL_NAME);

	/* Fully secure: expanded first, then original; never the middle. */
	chain_set(&c, names, all_secure, 3);
	CU_ASSERT_EQUAL_FATAL(dl_tlsa_candidates(&c, DL_SEC_SECURE, &none,
	    out), 2);
	CU_ASSERT_STRING_EQUAL(out[0], "c.test");
	CU_ASSERT_STRING_EQUAL(out[1], "a.test");
	CU_ASSERT_EQUAL(dl_tlsa_candidates(&c, DL_SEC_SECURE, &v, out), 1);
	CU_ASSERT_STRING_EQUAL(out[0], "c.test");
	/* Final answer insecure: the original only. */
	CU_ASSERT_EQUAL_FATAL(dl_tlsa_candidates(&c, DL_SEC_INSECURE, &none,
	    out), 1);
	CU_ASSERT_STRING_EQUAL(out[0], "a.test");
	dl_chain_clear(&c);
	/* An insecure link in the middle: the original only. */
	chain_set(&c, names, mid_insecure, 3);
	CU_ASSERT_EQUAL_FATAL(dl_tlsa_candidates(&c, DL_SEC_INSECURE, &none,
	    out), 1);
	CU_ASSERT_STRING_EQUAL(out[0], "a.test");
	dl_chain_clear(&c);
	/* Insecure first link: no DANE at all. */
	chain_set(&c, names, first_insecure, 3);
	CU_ASSERT_EQUAL(dl_tlsa_candidates(&c, DL_SEC_INSECURE, &none, out), 0);
	dl_chain_clear(&c);
}

static void
test_refids(void)
{
	const char *out[3];

	CU_ASSERT_EQUAL(dl_refids("mx.d.test", "d.test", "e.test", true, out), 3);
	CU_ASSERT_STRING_EQUAL(out[0], "mx.d.test");
	CU_ASSERT_STRING_EQUAL(out[1], "d.test");
	CU_ASSERT_STRING_EQUAL(out[2], "e.test");
	/* Insecure MX: the MX host name only (7672-3.2.2-x1). */
	CU_ASSERT_EQUAL(dl_refids("mx.d.test", "d.test", NULL, false, out), 1);
	/* No MX, base is the expanded next hop: add the original. */
	CU_ASSERT_EQUAL(dl_refids("e.test", "d.test", "e.test", false, out), 2);
	CU_ASSERT_STRING_EQUAL(out[1], "d.test");
	CU_ASSERT_EQUAL(dl_refids("d.test", "d.test", NULL, true, out), 1);
}

/* A TLSA RDATA from usage/selector/mtype and data. */
static struct dl_rdata
tlsa_rd(unsigned char *buf, int u, int s, int m, const void *d, size_t len)
{
	struct dl_rdata rd = { buf, len + 3 };

	buf[0] = (unsigned char)u;
	buf[1] = (unsigned char)s;
	buf[2] = (unsigned char)m;
	memcpy(buf + 3, d, len);
	return rd;
}

static void
test_tlsa_usability(void)
{
	unsigned char buf[600], d64[64] = { 1 }, spki[600];
	unsigned char *p = spki;
	struct dl_violations pkix = viol(DL_VIOL_ACCEPT_PKIX_USAGES);
	struct dl_rdata rd;
	EVP_PKEY *k = EVP_EC_gen("P-256");
	int spki_len = i2d_PUBKEY(k, &p);

	CU_ASSERT_FATAL(spki_len > 0);
	rd = tlsa_rd(buf, 3, 1, 1, d64, 32);
	CU_ASSERT_EQUAL(dl_tlsa_check(&rd, &none), DL_TLSA_OK);
	rd = tlsa_rd(buf, 2, 0, 2, d64, 64);
	CU_ASSERT_EQUAL(dl_tlsa_check(&rd, &none), DL_TLSA_OK);
	rd = tlsa_rd(buf, 1, 1, 1, d64, 32);
	CU_ASSERT_EQUAL(dl_tlsa_check(&rd, &none), DL_TLSA_PKIX_USAGE);
	CU_ASSERT_EQUAL(dl_tlsa_check(&rd, &pkix), DL_TLSA_OK);
	rd = tlsa_rd(buf, 0, 0, 1, d64, 32);
	CU_ASSERT_EQUAL(dl_tlsa_check(&rd, &none), DL_TLSA_PKIX_USAGE);
	rd = tlsa_rd(buf, 4, 1, 1, d64, 32);
	CU_ASSERT_EQUAL(dl_tlsa_check(&rd, &none), DL_TLSA_UNKNOWN_USAGE);
	rd = tlsa_rd(buf, 3, 2, 1, d64, 32);
	CU_ASSERT_EQUAL(dl_tlsa_check(&rd, &none), DL_TLSA_UNKNOWN_SELECTOR);
	rd = tlsa_rd(buf, 3, 1, 3, d64, 32);
	CU_ASSERT_EQUAL(dl_tlsa_check(&rd, &none), DL_TLSA_UNKNOWN_MTYPE);
	rd = tlsa_rd(buf, 3, 1, 1, d64, 31);
	CU_ASSERT_EQUAL(dl_tlsa_check(&rd, &none), DL_TLSA_BAD_DIGEST_LENGTH);
	rd = tlsa_rd(buf, 3, 1, 2, d64, 32);
	CU_ASSERT_EQUAL(dl_tlsa_check(&rd, &none), DL_TLSA_BAD_DIGEST_LENGTH);
	rd = tlsa_rd(buf, 3, 1, 0, spki, (size_t)spki_len);
	CU_ASSERT_EQUAL(dl_tlsa_check(&rd, &none), DL_TLSA_OK);
	rd = tlsa_rd(buf, 3, 1, 0, spki, (size_t)spki_len - 1);
	CU_ASSERT_EQUAL(dl_tlsa_check(&rd, &none), DL_TLSA_BAD_FULL_DATA);
	rd = tlsa_rd(buf, 3, 0, 0, spki, (size_t)spki_len);
	CU_ASSERT_EQUAL(dl_tlsa_check(&rd, &none), DL_TLSA_BAD_FULL_DATA);
	rd = tlsa_rd(buf, 3, 1, 1, d64, 0);
	CU_ASSERT_EQUAL(dl_tlsa_check(&rd, &none), DL_TLSA_TRUNCATED);
	EVP_PKEY_free(k);
}

static void
test_tlsa_outcomes_and_plans(void)
{
	unsigned char buf[80], d[32] = { 7 };
	struct dl_lookup lk;
	enum dl_tlsa_check checks[2];
	struct dl_violations v;
	const char *why;
	struct dl_rdata rd;

	dl_lookup_set(&lk, "_25._tcp.mx.test", DL_T_TLSA, DL_SEC_SECURE,
	    DL_ANS_RECORDS);
	rd = tlsa_rd(buf, 1, 1, 1, d, 32);
	dl_lookup_add_rr(&lk, rd.data, rd.len);
	CU_ASSERT_EQUAL(dl_tlsa_judge(&lk, &none), DL_STEP_USE);
	CU_ASSERT_EQUAL(dl_tlsa_classify(&lk, &none, NULL, checks),
	    DL_TLSA_UNUSABLE_ONLY);
	rd = tlsa_rd(buf, 3, 1, 1, d, 32);
	dl_lookup_add_rr(&lk, rd.data, rd.len);
	CU_ASSERT_EQUAL(dl_tlsa_classify(&lk, &none, NULL, checks), DL_TLSA_USABLE);
	CU_ASSERT_EQUAL(checks[0], DL_TLSA_PKIX_USAGE);
	CU_ASSERT_EQUAL(checks[1], DL_TLSA_OK);
	/* Local policy: a disabled digest makes the record unusable. */
	struct dl_tlsa_policy pol = { 0 };
	CU_ASSERT_EQUAL(dl_tlsa_policy_rank(&pol, 2), 2);
	CU_ASSERT_EQUAL(dl_tlsa_policy_rank(&pol, 1), 1);
	CU_ASSERT_EQUAL(dl_tlsa_policy_digests(&pol, "sha512"), 0);
	CU_ASSERT_EQUAL(dl_tlsa_policy_rank(&pol, 1), 0);
	CU_ASSERT_EQUAL(dl_tlsa_classify(&lk, &none, &pol, checks), DL_TLSA_UNUSABLE_ONLY);
	CU_ASSERT_EQUAL(checks[1], DL_TLSA_DISABLED);
	CU_ASSERT_EQUAL(dl_tlsa_policy_digests(&pol, "sha256,sha512"), 0);
	CU_ASSERT(dl_tlsa_policy_rank(&pol, 1) > dl_tlsa_policy_rank(&pol, 2));
	CU_ASSERT_EQUAL(dl_tlsa_classify(&lk, &none, &pol, checks), DL_TLSA_USABLE);
	CU_ASSERT_EQUAL(dl_tlsa_policy_digests(&pol, "sha256,sha256"), -1);
	CU_ASSERT_EQUAL(dl_tlsa_policy_digests(&pol, "md5"), -1);
	lk.sec = DL_SEC_INSECURE;
	CU_ASSERT_EQUAL(dl_tlsa_judge(&lk, &none), DL_STEP_NEXT_INSECURE);
	v = viol(DL_VIOL_INSECURE_TLSA_ENFORCED);
	CU_ASSERT_EQUAL(dl_tlsa_judge(&lk, &v), DL_STEP_USE);
	lk.sec = DL_SEC_BOGUS;
	CU_ASSERT_EQUAL(dl_tlsa_judge(&lk, &none), DL_STEP_FAIL);
	v = viol(DL_VIOL_TLSA_FAILURE_AS_NONE);
	CU_ASSERT_EQUAL(dl_tlsa_judge(&lk, &v), DL_STEP_NEXT_INSECURE);
	lk.sec = DL_SEC_SECURE;
	lk.ans = DL_ANS_NODATA;
	CU_ASSERT_EQUAL(dl_tlsa_judge(&lk, &none), DL_STEP_NEXT_SECURE);
	dl_lookup_clear(&lk);

	CU_ASSERT_EQUAL(dl_plan_for(DL_POLICY_DANE, true, DL_TLSA_USABLE, &none,
	    &why), DL_PLAN_DANE);
	CU_ASSERT_EQUAL(dl_plan_for(DL_POLICY_DANE, true, DL_TLSA_UNUSABLE_ONLY,
	    &none, &why), DL_PLAN_ENCRYPT);
	CU_ASSERT_EQUAL(dl_plan_for(DL_POLICY_DANE_ONLY, true,
	    DL_TLSA_UNUSABLE_ONLY, &none, &why), DL_PLAN_SKIP);
	CU_ASSERT_EQUAL(dl_plan_for(DL_POLICY_DANE, true, DL_TLSA_FAILED, &none,
	    &why), DL_PLAN_SKIP);
	CU_ASSERT_EQUAL(dl_plan_for(DL_POLICY_DANE, true, DL_TLSA_NONE_SECURE,
	    &none, &why), DL_PLAN_OPPORTUNISTIC);
	CU_ASSERT_EQUAL(dl_plan_for(DL_POLICY_DANE_ONLY, false, DL_TLSA_USABLE,
	    &none, &why), DL_PLAN_SKIP);
	CU_ASSERT_EQUAL(dl_plan_for(DL_POLICY_DANE_ONLY, true,
	    DL_TLSA_NONE_INSECURE, &none, &why), DL_PLAN_SKIP);
	v = viol(DL_VIOL_MANDATORY_AS_OPPORTUNISTIC);
	CU_ASSERT_EQUAL(dl_plan_for(DL_POLICY_DANE_ONLY, true,
	    DL_TLSA_NONE_INSECURE, &v, &why), DL_PLAN_OPPORTUNISTIC);
	CU_ASSERT_EQUAL(dl_plan_for(DL_POLICY_MAY, true, DL_TLSA_USABLE, &none,
	    &why), DL_PLAN_OPPORTUNISTIC);
}

static void
test_result_json_roundtrip(void)
{
	struct dl_result r;
	struct dl_buf b = DL_BUF_INIT;
	char err[128];
	unsigned char a[4] = { 127, 16, 0, 1 };

	dl_result_init(&r);
	r.domain = strdup("ok.test");
	dl_lookup_set(&r.mx, "ok.test", DL_T_MX, DL_SEC_SECURE, DL_ANS_RECORDS);
	add_mx(&r.mx, 10, "mx.ok.test");
	r.route = "mx";
	struct dl_host_rec *h = dl_result_add_host(&r, "mx.ok.test", 10, "mx");
	struct dl_lookup *lk = dl_host_add_lookup(h);
	dl_lookup_set(lk, "mx.ok.test", DL_T_A, DL_SEC_SECURE, DL_ANS_RECORDS);
	dl_lookup_add_rr(lk, a, 4);
	h->tlsa_outcome = DL_TLSA_USABLE;
	h->plan = DL_PLAN_DANE;
	struct dl_conn_rec *c = dl_host_add_conn(h, "127.16.0.1", 25);
	dl_conn_add_reply(c, "EHLO x", 250, "hi \"there\"\nSTARTTLS");
	c->tls.attempted = true;
	c->tls.authenticated = true;
	c->tls.match_depth = 0;
	c->end = DL_END_DELIVERED;
	c->security = DL_SECURITY_DANE;
	r.delivered_host = 0;
	r.delivered_conn = 0;
	r.violations = viol(DL_VIOL_NO_SNI);
	dl_result_set(&r, DL_DELIVERED, "2.0.0", "delivered to %s", "mx.ok.test");
	dl_result_json(&r, &b);

	struct dl_jv *v = dl_jv_parse(b.data, b.len, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_STRING_EQUAL(dl_jv_str(v, "disposition", ""), "delivered");
	CU_ASSERT_STRING_EQUAL(dl_jv_str(v, "security", ""), "dane");
	CU_ASSERT_STRING_EQUAL(dl_jv_str(v, "address", ""), "127.16.0.1");
	CU_ASSERT_EQUAL(dl_jv_num(v, "port", 0), 25);
	const struct dl_jv *mx = dl_jv_get(v, "mx");
	CU_ASSERT_STRING_EQUAL(dl_jv_str(mx, "status", ""), "secure");
	const struct dl_jv *recs = dl_jv_get(mx, "records");
	CU_ASSERT_STRING_EQUAL(recs->items[0]->str, "10 mx.ok.test");
	const struct dl_jv *at = dl_jv_get(v, "attempts");
	CU_ASSERT_EQUAL_FATAL(at->n, 1);
	const struct dl_jv *a0 = at->items[0];
	CU_ASSERT_STRING_EQUAL(dl_jv_str(a0, "tlsa_outcome", ""), "usable");
	const struct dl_jv *lks = dl_jv_get(a0, "lookups");
	CU_ASSERT_STRING_EQUAL(dl_jv_get(lks->items[0], "records")->items[0]->str,
	    "127.16.0.1");
	const struct dl_jv *conn = dl_jv_get(a0, "connections")->items[0];
	CU_ASSERT_TRUE(dl_jv_bool(dl_jv_get(conn, "tls"), "authenticated", false));
	const struct dl_jv *smtp = dl_jv_get(conn, "smtp");
	CU_ASSERT_STRING_EQUAL(dl_jv_str(smtp->items[0], "text", ""),
	    "hi \"there\"\nSTARTTLS");
	CU_ASSERT_STRING_EQUAL(dl_jv_get(v, "violations")->items[0]->str,
	    "no-sni");
	dl_jv_free(v);
	dl_buf_free(&b);
	dl_result_free(&r);
}

static void
test_smtp_body_dot_stuffing(void)
{
	struct dl_buf b = DL_BUF_INIT;
	const char in[] = "Subject: x\n\n.hidden\r\nend";

	dl_smtp_body(in, strlen(in), &b);
	CU_ASSERT_STRING_EQUAL(b.data, "Subject: x\r\n\r\n..hidden\r\nend\r\n");
	dl_buf_free(&b);
}

static const struct cu_test tests[] = {
	{ "mx_order_preference", test_mx_order_preference },
	{ "mx_order_seeded_random", test_mx_order_seeded_random },
	{ "route_decisions", test_route_decisions },
	{ "candidates_no_cname", test_candidates_no_cname },
	{ "candidates_cname_chains", test_candidates_cname_chains },
	{ "refids", test_refids },
	{ "tlsa_usability", test_tlsa_usability },
	{ "tlsa_outcomes_and_plans", test_tlsa_outcomes_and_plans },
	{ "result_json_roundtrip", test_result_json_roundtrip },
	{ "smtp_body_dot_stuffing", test_smtp_body_dot_stuffing },
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	return cu_main(argc, argv, "client", tests);
}
