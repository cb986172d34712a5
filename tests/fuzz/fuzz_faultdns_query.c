/*
 * fuzz_faultdns_query.c -- libFuzzer target for the fault DNS proxy's query
 * handling (servers/faultdns.c): a query from the network is matched
 * against the rules and answered under each action, over UDP and TCP.
 * The input is the query's wire bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "servers/faultdns.h"
#include "util/buf.h"

static const char rules_text[] =
    "a.fuzz.test. A servfail\n"
    "a.fuzz.test. AAAA refused\n"
    "b.fuzz.test. ANY notimp\n"
    "c.fuzz.test. TXT formerr\n"
    "d.fuzz.test. A drop\n"
    "e.fuzz.test. ANY nxdomain\n"
    "f.fuzz.test. MX nodata\n"
    "g.fuzz.test. A forge g.fuzz.test. 300 IN A 192.0.2.7\n"
    "h.fuzz.test. TLSA truncate\n"
    "i.fuzz.test. A malformed\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fdns_rules rules;
	static int loaded;
	struct dl_err err;

	if (!loaded) {
		if (fdns_rules_parse(rules_text, "fuzz.rules", "/nonexistent", &rules, &err) < 0)
			abort();
		loaded = 1;
	}
	/* As dl-faultdns does: the question picks the rule. */
	ldns_pkt *q = NULL;
	if (ldns_wire2pkt(&q, data, size) == LDNS_STATUS_OK &&
	    ldns_pkt_qdcount(q) >= 1 && ldns_rr_list_rr_count(ldns_pkt_question(q)) >= 1) {
		ldns_rr *question = ldns_rr_list_rr(ldns_pkt_question(q), 0);
		(void)fdns_match(&rules, ldns_rr_owner(question), ldns_rr_get_type(question));
	}
	ldns_pkt_free(q);
	/* Every action on the same bytes, whatever they are. */
	for (size_t i = 0; i < rules.n; i++)
		for (int tcp = 0; tcp < 2; tcp++) {
			struct dl_buf out = DL_BUF_INIT;
			if (fdns_answer(&rules.v[i], data, size, tcp, &out) == 0 && out.len &&
			    rules.v[i].action != FDNS_MALFORMED) {
				ldns_pkt *a = NULL;
				if (ldns_wire2pkt(&a, (const uint8_t *)out.data, out.len) ==
				    LDNS_STATUS_OK)
					ldns_pkt_free(a);
			}
			dl_buf_free(&out);
		}
	return 0;
}
