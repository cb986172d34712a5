/*
 * faultdns.h -- the fault DNS proxy's rules and answers (servers/FAULTDNS.md).
 *
 * The proxy sits where a zone's delegation points and relays every query
 * to the name server that really serves the zone (NSD #2), except queries
 * that match a rule: those get the rule's fault instead.  This file is the
 * pure part (rules file, matching, building the faulty answer);
 * dl-faultdns_main.c owns the sockets.
 */
#ifndef DL_FAULTDNS_H
#define DL_FAULTDNS_H

#include <ldns/ldns.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"

/* What a rule does; one string table in faultdns.c. */
enum fdns_action {
	FDNS_SERVFAIL = 0,
	FDNS_REFUSED,
	FDNS_NOTIMP,
	FDNS_FORMERR,
	FDNS_DROP,       /* no answer at all: the resolver times out */
	FDNS_NXDOMAIN,   /* an unsigned lie: the name does not exist */
	FDNS_NODATA,     /* an unsigned lie: no records of that type */
	FDNS_FORGE,      /* an unsigned answer with the given records */
	FDNS_TRUNCATE,   /* TC over UDP, connection closed over TCP */
	FDNS_MALFORMED,  /* bytes that are not a DNS message */
	FDNS_SERVE,      /* the zone's own signed RRset, which NSD could not load
	                    (zones/served.c wrote it to the served directory) */
	FDNS_ACTION_COUNT
};

struct fdns_rule {
	ldns_rdf *qname;      /* owned */
	uint16_t qtype;       /* 0 = any type */
	enum fdns_action action;
	ldns_rr_list *forged; /* FORGE, SERVE: the answer's records, owned */
	int line;
};

struct fdns_rules {
	struct fdns_rule *v;
	size_t n;
};

const char *fdns_action_name(enum fdns_action a);
int fdns_action_parse(const char *s, enum fdns_action *out);
/* Parse the rules text ("QNAME QTYPE|ANY ACTION [ARGS]" per line, '#'
 * comments); errors name file:line.  A `serve` rule reads its RRset from
 * served_dir/<QNAME><QTYPE>.  Caller frees with fdns_rules_free. */
int fdns_rules_parse(const char *text, const char *file, const char *served_dir,
	struct fdns_rules *out, struct dl_err *err);
void fdns_rules_free(struct fdns_rules *r);
/* The rule for this question, or NULL (relay it). */
const struct fdns_rule *fdns_match(const struct fdns_rules *r, const ldns_rdf *qname,
	uint16_t qtype);

/*
 * The faulty answer to `query` (wire format) under `rule`, appended to out.
 * Returns 0 with out empty for DROP (and for TRUNCATE over TCP), or -1 if
 * the query itself is unusable.
 */
int fdns_answer(const struct fdns_rule *rule, const uint8_t *query, size_t len,
	int over_tcp, struct dl_buf *out);

#endif
