/*
 * test_zones.c -- zones/: signing, every zone mode, per-RRset faults, DS
 * placement and input errors, checked by reading the written zone files
 * back with ldns and verifying signatures at the lab clock.
 */
#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/cu.h"
#include "util/buf.h"
#include "zones/world.h"

#define NOW ((time_t)1800000000)
#define DAY 86400

static struct dl_zone_record recs_apex[] = {
	{ "www A 127.0.99.1", { "t.case", 10 }, 0 },
	{ "mail A 127.0.99.2", { "t.case", 11 }, 0 },
	{ "mail TXT \"hello\"", { "t.case", 12 }, 0 },
};
static struct dl_zone_record recs_child[] = {
	{ "www A 127.0.99.3", { "t.case", 20 }, 0 },
};

/* A world: ".", "test.", "x.test." (apex), "c.x.test." (child, `mode`). */
static int
build(enum dl_zone_mode mode, struct dl_zone_fault *faults, size_t nf,
    enum dl_denial denial, struct dl_world_out *out, struct dl_err *err)
{
	struct dl_zone_spec z[4] = {
		{ .origin = ".", .mode = DL_ZONE_SECURE },
		{ .origin = "test.", .mode = DL_ZONE_SECURE },
		{ .origin = "x.test.", .mode = DL_ZONE_SECURE, .records = recs_apex,
		  .n_records = 3, .faults = faults, .n_faults = nf, .denial = denial },
		{ .origin = "c.x.test.", .mode = mode, .records = recs_child, .n_records = 1 },
	};
	struct dl_world w = { z, 4, { "127.0.53.1", NULL, "127.0.54.1", "127.0.55.1" } };
	char *dir = dl_xasprintf("%s/world", cu_tmpdir());
	int rc = dl_world_build(&w, dir, NOW, out, err);
	free(dir);
	return rc;
}

static ldns_zone *
read_zone(const struct dl_world_out *out, const char *origin)
{
	char *path = dl_xasprintf("%s/%szone", out->zone_dir, origin);
	FILE *f = fopen(path, "r");
	ldns_zone *z = NULL;

	free(path);
	if (f == NULL)
		return NULL;
	if (ldns_zone_new_frm_fp(&z, f, NULL, 0, LDNS_RR_CLASS_IN) != LDNS_STATUS_OK)
		z = NULL;
	fclose(f);
	return z;
}

/* All RRs of (owner, type) in zone z, or of its RRSIGs covering type. */
static ldns_rr_list *
rrset(ldns_zone *z, const char *owner, ldns_rr_type type, bool sigs)
{
	ldns_rr_list *all = ldns_zone_rrs(z), *out = ldns_rr_list_new();
	ldns_rdf *name = ldns_dname_new_frm_str(owner);

	ldns_rr_list_push_rr(all, ldns_zone_soa(z)); /* searched too, popped below */
	for (size_t i = 0; i < ldns_rr_list_rr_count(all); i++) {
		ldns_rr *rr = ldns_rr_list_rr(all, i);
		if (ldns_dname_compare(ldns_rr_owner(rr), name) != 0)
			continue;
		if (!sigs && ldns_rr_get_type(rr) == type)
			ldns_rr_list_push_rr(out, rr);
		if (sigs && ldns_rr_get_type(rr) == LDNS_RR_TYPE_RRSIG &&
		    ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(rr)) == type)
			ldns_rr_list_push_rr(out, rr);
	}
	ldns_rr_list_pop_rr(all);
	ldns_rdf_deep_free(name);
	return out;
}

/* Does (owner, type) of zone verify against the zone's DNSKEYs at `when`? */
static bool
verifies(ldns_zone *z, const char *owner, ldns_rr_type type, time_t when)
{
	char *origin = ldns_rdf2str(ldns_rr_owner(ldns_zone_soa(z)));
	ldns_rr_list *data = rrset(z, owner, type, false);
	ldns_rr_list *sigs = rrset(z, owner, type, true);
	ldns_rr_list *keys = rrset(z, origin, LDNS_RR_TYPE_DNSKEY, false);
	bool ok = false;

	for (size_t i = 0; i < ldns_rr_list_rr_count(sigs) && !ok; i++)
		ok = ldns_verify_rrsig_keylist_time(data, ldns_rr_list_rr(sigs, i), keys,
		    when, NULL) == LDNS_STATUS_OK;
	ldns_rr_list_free(data);
	ldns_rr_list_free(sigs);
	ldns_rr_list_free(keys);
	free(origin);
	return ok;
}

static void
test_secure_world_verifies(void)
{
	struct dl_world_out out;
	struct dl_err err;

	CU_ASSERT_EQUAL_FATAL(build(DL_ZONE_SECURE, NULL, 0, DL_DENIAL_NSEC, &out, &err), 0);
	ldns_zone *x = read_zone(&out, "x.test."), *c = read_zone(&out, "c.x.test.");
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_TRUE(verifies(x, "www.x.test.", LDNS_RR_TYPE_A, NOW));
	CU_ASSERT_TRUE(verifies(x, "x.test.", LDNS_RR_TYPE_SOA, NOW));
	CU_ASSERT_TRUE(verifies(c, "www.c.x.test.", LDNS_RR_TYPE_A, NOW));
	/* Valid from a day before to 30 days after the lab clock, not beyond. */
	CU_ASSERT_TRUE(verifies(x, "www.x.test.", LDNS_RR_TYPE_A, NOW - DAY / 2));
	CU_ASSERT_FALSE(verifies(x, "www.x.test.", LDNS_RR_TYPE_A, NOW + 40 * DAY));
	/* The child's DS sits in the parent and matches the child's key. */
	ldns_rr_list *ds = rrset(x, "c.x.test.", LDNS_RR_TYPE_DS, false);
	ldns_rr_list *key = rrset(c, "c.x.test.", LDNS_RR_TYPE_DNSKEY, false);
	CU_ASSERT_EQUAL_FATAL(ldns_rr_list_rr_count(ds), 1);
	CU_ASSERT_EQUAL_FATAL(ldns_rr_list_rr_count(key), 1);
	CU_ASSERT_TRUE(ldns_rr_compare_ds(ldns_rr_list_rr(ds, 0), ldns_rr_list_rr(key, 0)));
	CU_ASSERT_TRUE(verifies(x, "c.x.test.", LDNS_RR_TYPE_DS, NOW));
	/* Delegation NS and glue are there, the NSEC chain too. */
	ldns_rr_list *ns = rrset(x, "c.x.test.", LDNS_RR_TYPE_NS, false);
	CU_ASSERT_EQUAL(ldns_rr_list_rr_count(ns), 1);
	ldns_rr_list *nsec = rrset(x, "www.x.test.", LDNS_RR_TYPE_NSEC, false);
	CU_ASSERT_EQUAL(ldns_rr_list_rr_count(nsec), 1);
	ldns_rr_list_free(ns);
	ldns_rr_list_free(nsec);
	ldns_rr_list_free(ds);
	ldns_rr_list_free(key);
	ldns_zone_deep_free(x);
	ldns_zone_deep_free(c);
	dl_world_out_free(&out);
}

static void
test_insecure_and_island_have_no_ds(void)
{
	enum dl_zone_mode modes[] = { DL_ZONE_INSECURE, DL_ZONE_ISLAND };

	for (size_t m = 0; m < 2; m++) {
		struct dl_world_out out;
		struct dl_err err;
		CU_ASSERT_EQUAL_FATAL(build(modes[m], NULL, 0, DL_DENIAL_NSEC, &out, &err), 0);
		ldns_zone *x = read_zone(&out, "x.test."), *c = read_zone(&out, "c.x.test.");
		ldns_rr_list *ds = rrset(x, "c.x.test.", LDNS_RR_TYPE_DS, false);
		ldns_rr_list *nsec = rrset(x, "c.x.test.", LDNS_RR_TYPE_NSEC, false);
		ldns_rr_list *key = rrset(c, "c.x.test.", LDNS_RR_TYPE_DNSKEY, false);
		CU_ASSERT_EQUAL(ldns_rr_list_rr_count(ds), 0);
		/* The parent proves the DS is absent: an NSEC at the cut without DS. */
		CU_ASSERT_EQUAL_FATAL(ldns_rr_list_rr_count(nsec), 1);
		CU_ASSERT_FALSE(ldns_nsec_bitmap_covers_type(
		    ldns_nsec_get_bitmap(ldns_rr_list_rr(nsec, 0)), LDNS_RR_TYPE_DS));
		CU_ASSERT_TRUE(verifies(x, "c.x.test.", LDNS_RR_TYPE_NSEC, NOW));
		/* Insecure: unsigned; island: signed. */
		CU_ASSERT_EQUAL(ldns_rr_list_rr_count(key), modes[m] == DL_ZONE_ISLAND ? 1 : 0);
		ldns_rr_list_free(ds);
		ldns_rr_list_free(nsec);
		ldns_rr_list_free(key);
		ldns_zone_deep_free(x);
		ldns_zone_deep_free(c);
		dl_world_out_free(&out);
	}
}

static void
test_bogus_modes(void)
{
	struct dl_world_out out;
	struct dl_err err;
	ldns_zone *x, *c;
	ldns_rr_list *ds, *key;

	/* Expired: fails now, verified three weeks ago. */
	CU_ASSERT_EQUAL_FATAL(build(DL_ZONE_BOGUS_EXPIRED, NULL, 0, DL_DENIAL_NSEC, &out, &err), 0);
	c = read_zone(&out, "c.x.test.");
	CU_ASSERT_FALSE(verifies(c, "www.c.x.test.", LDNS_RR_TYPE_A, NOW));
	CU_ASSERT_TRUE(verifies(c, "www.c.x.test.", LDNS_RR_TYPE_A, NOW - 21 * DAY));
	ldns_zone_deep_free(c);
	dl_world_out_free(&out);
	/* Not yet valid: fails now, verifies in a week. */
	CU_ASSERT_EQUAL_FATAL(build(DL_ZONE_BOGUS_NOTYET, NULL, 0, DL_DENIAL_NSEC, &out, &err), 0);
	c = read_zone(&out, "c.x.test.");
	CU_ASSERT_FALSE(verifies(c, "www.c.x.test.", LDNS_RR_TYPE_A, NOW));
	CU_ASSERT_TRUE(verifies(c, "www.c.x.test.", LDNS_RR_TYPE_A, NOW + 7 * DAY));
	ldns_zone_deep_free(c);
	dl_world_out_free(&out);
	/* Bad signatures: never verify. */
	CU_ASSERT_EQUAL_FATAL(build(DL_ZONE_BOGUS_BADSIG, NULL, 0, DL_DENIAL_NSEC, &out, &err), 0);
	c = read_zone(&out, "c.x.test.");
	CU_ASSERT_FALSE(verifies(c, "www.c.x.test.", LDNS_RR_TYPE_A, NOW));
	ldns_zone_deep_free(c);
	dl_world_out_free(&out);
	/* No signatures, but a DS in the parent. */
	CU_ASSERT_EQUAL_FATAL(build(DL_ZONE_BOGUS_NOSIG, NULL, 0, DL_DENIAL_NSEC, &out, &err), 0);
	x = read_zone(&out, "x.test.");
	c = read_zone(&out, "c.x.test.");
	ds = rrset(x, "c.x.test.", LDNS_RR_TYPE_DS, false);
	ldns_rr_list *sigs = rrset(c, "www.c.x.test.", LDNS_RR_TYPE_A, true);
	CU_ASSERT_EQUAL(ldns_rr_list_rr_count(ds), 1);
	CU_ASSERT_EQUAL(ldns_rr_list_rr_count(sigs), 0);
	ldns_rr_list_free(ds);
	ldns_rr_list_free(sigs);
	ldns_zone_deep_free(x);
	ldns_zone_deep_free(c);
	dl_world_out_free(&out);
	/* DS matching no key. */
	CU_ASSERT_EQUAL_FATAL(build(DL_ZONE_BOGUS_DS_MISMATCH, NULL, 0, DL_DENIAL_NSEC, &out, &err), 0);
	x = read_zone(&out, "x.test.");
	c = read_zone(&out, "c.x.test.");
	ds = rrset(x, "c.x.test.", LDNS_RR_TYPE_DS, false);
	key = rrset(c, "c.x.test.", LDNS_RR_TYPE_DNSKEY, false);
	CU_ASSERT_EQUAL_FATAL(ldns_rr_list_rr_count(ds), 1);
	CU_ASSERT_EQUAL_FATAL(ldns_rr_list_rr_count(key), 1);
	CU_ASSERT_FALSE(ldns_rr_compare_ds(ldns_rr_list_rr(ds, 0), ldns_rr_list_rr(key, 0)));
	CU_ASSERT_TRUE(verifies(c, "www.c.x.test.", LDNS_RR_TYPE_A, NOW)); /* the zone itself is fine */
	ldns_rr_list_free(ds);
	ldns_rr_list_free(key);
	ldns_zone_deep_free(x);
	ldns_zone_deep_free(c);
	dl_world_out_free(&out);
	/* DNSKEY removed after signing. */
	CU_ASSERT_EQUAL_FATAL(build(DL_ZONE_BOGUS_NO_DNSKEY, NULL, 0, DL_DENIAL_NSEC, &out, &err), 0);
	c = read_zone(&out, "c.x.test.");
	key = rrset(c, "c.x.test.", LDNS_RR_TYPE_DNSKEY, false);
	CU_ASSERT_EQUAL(ldns_rr_list_rr_count(key), 0);
	ldns_rr_list_free(key);
	ldns_zone_deep_free(c);
	dl_world_out_free(&out);
}

static void
test_rrset_faults_are_local(void)
{
	static const enum dl_rrset_fault kinds[] = {
		DL_RRSET_EXPIRED, DL_RRSET_NOTYET, DL_RRSET_BADSIG, DL_RRSET_NOSIG,
	};

	for (size_t k = 0; k < 4; k++) {
		struct dl_zone_fault f = { "mail", LDNS_RR_TYPE_TXT, kinds[k], { "t.case", 13 } };
		struct dl_world_out out;
		struct dl_err err;
		CU_ASSERT_EQUAL_FATAL(build(DL_ZONE_SECURE, &f, 1, DL_DENIAL_NSEC, &out, &err), 0);
		ldns_zone *x = read_zone(&out, "x.test.");
		CU_ASSERT_FALSE(verifies(x, "mail.x.test.", LDNS_RR_TYPE_TXT, NOW));
		/* Same owner, other type, and other names: untouched. */
		CU_ASSERT_TRUE(verifies(x, "mail.x.test.", LDNS_RR_TYPE_A, NOW));
		CU_ASSERT_TRUE(verifies(x, "www.x.test.", LDNS_RR_TYPE_A, NOW));
		ldns_zone_deep_free(x);
		dl_world_out_free(&out);
	}
}

/* A zone with versions per round: same keys, own records, own serial. */
static void
test_round_versions(void)
{
	struct dl_zone_record recs[] = {
		{ "www A 127.0.99.1", { "t.case", 10 }, 0 },
		{ "mail A 127.0.99.2", { "t.case", 11 }, 1 },
		{ "mail A 127.0.99.3", { "t.case", 12 }, 2 },
	};
	struct dl_zone_spec z[3] = {
		{ .origin = ".", .mode = DL_ZONE_SECURE },
		{ .origin = "test.", .mode = DL_ZONE_SECURE },
		{ .origin = "x.test.", .mode = DL_ZONE_SECURE, .records = recs, .n_records = 3,
		  .n_rounds = 2 },
	};
	struct dl_world w = { z, 3, { "127.0.53.1", NULL, "127.0.54.1", "127.0.55.1" } };
	struct dl_world_out out;
	struct dl_err err;
	char *dir = dl_xasprintf("%s/world-rounds", cu_tmpdir());
	ldns_zone *v[3] = { NULL };

	CU_ASSERT_EQUAL_FATAL(dl_world_build(&w, dir, NOW, &out, &err), 0);
	for (int k = 0; k <= 2; k++) {
		char *path = dl_world_zone_file(&out, "x.test.", k);
		FILE *f = fopen(path, "r");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		CU_ASSERT_EQUAL(ldns_zone_new_frm_fp(&v[k], f, NULL, 0, LDNS_RR_CLASS_IN),
		    LDNS_STATUS_OK);
		fclose(f);
		free(path);
		CU_ASSERT_PTR_NOT_NULL_FATAL(v[k]);
	}
	/* The served file is version 1; serials now and now + 1. */
	CU_ASSERT_EQUAL(ldns_rdf2native_int32(ldns_rr_rdf(ldns_zone_soa(v[0]), 2)), NOW);
	CU_ASSERT_EQUAL(ldns_rdf2native_int32(ldns_rr_rdf(ldns_zone_soa(v[1]), 2)), NOW);
	CU_ASSERT_EQUAL(ldns_rdf2native_int32(ldns_rr_rdf(ldns_zone_soa(v[2]), 2)), NOW + 1);
	for (int k = 1; k <= 2; k++) {
		ldns_rr_list *a = rrset(v[k], "mail.x.test.", LDNS_RR_TYPE_A, false);
		CU_ASSERT_EQUAL_FATAL(ldns_rr_list_rr_count(a), 1);
		char *s = ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(a, 0), 0));
		CU_ASSERT_STRING_EQUAL(s, k == 1 ? "127.0.99.2" : "127.0.99.3");
		free(s);
		ldns_rr_list_free(a);
		/* Both versions verify under the one DNSKEY the parent's DS names. */
		CU_ASSERT_TRUE(verifies(v[k], "mail.x.test.", LDNS_RR_TYPE_A, NOW));
		CU_ASSERT_TRUE(verifies(v[k], "www.x.test.", LDNS_RR_TYPE_A, NOW));
	}
	ldns_rr_list *k1 = rrset(v[1], "x.test.", LDNS_RR_TYPE_DNSKEY, false);
	ldns_rr_list *k2 = rrset(v[2], "x.test.", LDNS_RR_TYPE_DNSKEY, false);
	CU_ASSERT_EQUAL(ldns_rr_list_compare(k1, k2), 0);
	ldns_rr_list_free(k1);
	ldns_rr_list_free(k2);
	for (int k = 0; k <= 2; k++)
		ldns_zone_deep_free(v[k]);
	dl_world_out_free(&out);
	free(dir);
}

/* A served RRset leaves the zone file, signed, for the fault proxy. */
static void
test_served_rrset(void)
{
	struct dl_zone_fault f = { "mail", LDNS_RR_TYPE_TXT, DL_RRSET_SERVED, { "t.case", 13 } };
	struct dl_world_out out;
	struct dl_err err;

	CU_ASSERT_EQUAL_FATAL(build(DL_ZONE_SECURE, &f, 1, DL_DENIAL_NSEC, &out, &err), 0);
	ldns_zone *x = read_zone(&out, "x.test.");
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	ldns_rr_list *txt = rrset(x, "mail.x.test.", LDNS_RR_TYPE_TXT, false);
	CU_ASSERT_EQUAL(ldns_rr_list_rr_count(txt), 0);
	CU_ASSERT_TRUE(verifies(x, "mail.x.test.", LDNS_RR_TYPE_A, NOW));
	/* The served file: the TXT and its RRSIG, which verifies. */
	char *path = dl_xasprintf("%s/served/mail.x.test.TXT", out.zone_dir);
	FILE *fp = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	ldns_rr_list *data = ldns_rr_list_new(), *sigs = ldns_rr_list_new();
	ldns_rr *rr;
	int line = 0;
	while (ldns_rr_new_frm_fp_l(&rr, fp, NULL, NULL, NULL, &line) == LDNS_STATUS_OK)
		ldns_rr_list_push_rr(ldns_rr_get_type(rr) == LDNS_RR_TYPE_RRSIG ? sigs : data, rr);
	fclose(fp);
	CU_ASSERT_EQUAL(ldns_rr_list_rr_count(data), 1);
	CU_ASSERT_EQUAL_FATAL(ldns_rr_list_rr_count(sigs), 1);
	ldns_rr_list *keys = rrset(x, "x.test.", LDNS_RR_TYPE_DNSKEY, false);
	CU_ASSERT_EQUAL(ldns_verify_rrsig_keylist_time(data, ldns_rr_list_rr(sigs, 0), keys,
	    NOW, NULL), LDNS_STATUS_OK);
	ldns_rr_list_free(keys);
	ldns_rr_list_deep_free(data);
	ldns_rr_list_deep_free(sigs);
	ldns_rr_list_free(txt);
	free(path);
	ldns_zone_deep_free(x);
	dl_world_out_free(&out);
}

static void
test_nsec3(void)
{
	struct dl_world_out out;
	struct dl_err err;

	CU_ASSERT_EQUAL_FATAL(build(DL_ZONE_SECURE, NULL, 0, DL_DENIAL_NSEC3, &out, &err), 0);
	ldns_zone *x = read_zone(&out, "x.test.");
	ldns_rr_list *p = rrset(x, "x.test.", LDNS_RR_TYPE_NSEC3PARAM, false);
	CU_ASSERT_EQUAL(ldns_rr_list_rr_count(p), 1);
	size_t n3 = 0;
	for (size_t i = 0; i < ldns_rr_list_rr_count(ldns_zone_rrs(x)); i++)
		n3 += ldns_rr_get_type(ldns_rr_list_rr(ldns_zone_rrs(x), i)) == LDNS_RR_TYPE_NSEC3;
	CU_ASSERT(n3 >= 3);
	CU_ASSERT_TRUE(verifies(x, "www.x.test.", LDNS_RR_TYPE_A, NOW));
	ldns_rr_list_free(p);
	ldns_zone_deep_free(x);
	dl_world_out_free(&out);
}

/* One bad record line must come back as "file:line: ...". */
static void
expect_error(const char *record, const char *want)
{
	struct dl_zone_record r[] = { { (char *)record, { "cases/bad.case", 42 }, 0 } };
	struct dl_zone_spec z[3] = {
		{ .origin = ".", .mode = DL_ZONE_SECURE },
		{ .origin = "x.test.", .mode = DL_ZONE_SECURE, .records = r, .n_records = 1 },
		{ .origin = "sub.x.test.", .mode = DL_ZONE_SECURE, .src = { "cases/bad.case", 7 } },
	};
	struct dl_world w = { z, 3, { "127.0.53.1", NULL, "127.0.54.1", "127.0.55.1" } };
	struct dl_world_out out;
	struct dl_err err = { "" };
	char *dir = dl_xasprintf("%s/bad", cu_tmpdir());

	CU_ASSERT_EQUAL(dl_world_build(&w, dir, NOW, &out, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, want));
	if (strstr(err.msg, want) == NULL)
		fprintf(stderr, "want \"%s\" in \"%s\"\n", want, err.msg);
	free(dir);
}

static void
test_input_errors(void)
{
	expect_error("mx1 IN A 1.2.3", "cases/bad.case:42: ");
	expect_error("mx1 A $ADDR(mx9)", "cases/bad.case:42: ");
	expect_error("mx1 A $ADDR(mx9)", "$ADDR(mx9)");
	expect_error("www.other.test. A 127.0.0.1", "cases/bad.case:42: ");
	expect_error("www.other.test. A 127.0.0.1", "outside");
	expect_error("www.sub A 127.0.0.1", "cases/bad.case:42: ");
}

static void
test_string_tables(void)
{
	enum dl_zone_mode m;
	enum dl_rrset_fault f;
	enum dl_key_alg a;

	for (int i = 0; i < DL_ZONE_MODE_COUNT; i++) {
		CU_ASSERT_EQUAL(dl_zone_mode_parse(dl_zone_mode_name((enum dl_zone_mode)i), &m), 0);
		CU_ASSERT_EQUAL(m, i);
	}
	for (int i = 0; i < DL_RRSET_FAULT_COUNT; i++) {
		CU_ASSERT_EQUAL(dl_rrset_fault_parse(dl_rrset_fault_name((enum dl_rrset_fault)i), &f), 0);
		CU_ASSERT_EQUAL(f, i);
	}
	for (int i = 0; i < DL_ALG_COUNT; i++) {
		CU_ASSERT_EQUAL(dl_key_alg_parse(dl_key_alg_name((enum dl_key_alg)i), &a), 0);
		CU_ASSERT_EQUAL(a, i);
	}
	CU_ASSERT_EQUAL(dl_zone_mode_parse("shiny", &m), -1);
	CU_ASSERT_EQUAL(dl_rrset_fault_parse("melted", &f), -1);
	CU_ASSERT_EQUAL(dl_key_alg_parse("rot13", &a), -1);
}

static const struct cu_test tests[] = {
	{ "secure_world_verifies", test_secure_world_verifies },
	{ "insecure_and_island_have_no_ds", test_insecure_and_island_have_no_ds },
	{ "bogus_modes", test_bogus_modes },
	{ "rrset_faults_are_local", test_rrset_faults_are_local },
	{ "nsec3", test_nsec3 },
	{ "served_rrset", test_served_rrset },
	{ "round_versions", test_round_versions },
	{ "input_errors", test_input_errors },
	{ "string_tables", test_string_tables },
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	return cu_main(argc, argv, "zones", tests);
}
