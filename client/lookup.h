/*
 * lookup.h -- one DNS lookup as the client sees it: DNSSEC status, answer
 * kind and raw RDATA.
 *
 * Routing and TLSA decisions are pure functions over these structs (see
 * route.h, tlsa.h), so they can be unit-tested with hand-made lookups;
 * dns.c is the only place that fills them from libunbound.
 */
#ifndef DL_CLIENT_LOOKUP_H
#define DL_CLIENT_LOOKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The validation status of a lookup (RFC 4035 §4.3 classes as RFC 7672
 * §2.1.1 uses them).  SERVFAIL and TIMEOUT are the "failed" cases: no
 * answer at all, which RFC 7672 handles exactly like bogus (indeterminate
 * included, 7672-2.1.1-d).  String table: dl_sec_str().
 */
enum dl_sec {
	DL_SEC_SECURE = 0,
	DL_SEC_INSECURE,
	DL_SEC_BOGUS,
	DL_SEC_SERVFAIL,   /* SERVFAIL, REFUSED, FORMERR, resolver error */
	DL_SEC_TIMEOUT,
	DL_SEC_COUNT
};

/* What the answer says (meaningful for SECURE and INSECURE only). */
enum dl_ans {
	DL_ANS_RECORDS = 0,
	DL_ANS_NODATA,
	DL_ANS_NXDOMAIN,
	DL_ANS_NONE,       /* no usable answer (bogus or failed) */
	DL_ANS_COUNT
};

const char *dl_sec_str(enum dl_sec s);
const char *dl_ans_str(enum dl_ans a);
/* Bogus, SERVFAIL or timeout: the lookup gave nothing to rely on. */
bool dl_sec_failed(enum dl_sec s);

#define DL_T_A     1
#define DL_T_CNAME 5
#define DL_T_MX    15
#define DL_T_AAAA  28
#define DL_T_TLSA  52

const char *dl_rrtype_str(uint16_t type);

struct dl_rdata {
	unsigned char *data;
	size_t len;
};

struct dl_lookup {
	char *name;            /* owner queried (presentation, no trailing dot) */
	uint16_t type;
	enum dl_sec sec;
	enum dl_ans ans;
	char *canon;           /* name after CNAME expansion, NULL if none */
	size_t n;
	struct dl_rdata *rr;   /* n RDATAs in wire format */
	char *why;             /* why bogus / why failed, or NULL */
	double ms;             /* wall time of the lookup */
	bool done;             /* false: never looked up */
};

/* Fill a lookup by hand (tests, violations); copies everything. */
void dl_lookup_set(struct dl_lookup *lk, const char *name, uint16_t type,
	enum dl_sec sec, enum dl_ans ans);
void dl_lookup_add_rr(struct dl_lookup *lk, const void *data, size_t len);
/* Free what a lookup owns (not the struct itself). */
void dl_lookup_clear(struct dl_lookup *lk);

/*
 * Wire-format domain name (uncompressed, as RDATA carries it) to
 * presentation form without the trailing dot; "." for the root.  Returns
 * the number of wire bytes consumed, or 0 if malformed.  out must hold
 * 1025 bytes.
 */
size_t dl_wire_name(const unsigned char *w, size_t len, char *out);
/* Case-insensitive name equality ignoring a trailing dot. */
bool dl_name_eq(const char *a, const char *b);
/* Render one RDATA of `type` in presentation form; caller frees. */
char *dl_rdata_str(uint16_t type, const struct dl_rdata *rd);

#endif
