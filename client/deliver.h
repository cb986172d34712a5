/*
 * deliver.h -- one message to one destination: routing, lookups, attempts.
 *
 * dl_deliver() runs the whole RFC 7672 procedure for the recipients of one
 * domain (or a configured relay, or an address literal) and fills a
 * `struct dl_result` with every step and the final disposition.
 */
#ifndef DL_CLIENT_DELIVER_H
#define DL_CLIENT_DELIVER_H

#include <stdint.h>
#include <time.h>

#include "client/dns.h"
#include "client/result.h"
#include "client/route.h"
#include "client/smtp.h"

#define DL_MAX_CONNECTIONS 16   /* addresses tried per message, all hosts */

struct dl_client_cfg {
	enum dl_policy policy;
	const char *domain;          /* recipient domain (or literal text) */
	const char *literal;         /* address of [literal], or NULL */
	const char *relay;           /* relay host, or NULL */
	int port;                    /* 25, or the relay's port */
	int families[2];             /* AF_INET6/AF_INET in order; 0 ends */
	uint64_t seed;
	struct dl_smtp_cfg smtp;
	struct dl_violations v;
	time_t now;
	/* Local policy (administrator's configuration, not RFC rules). */
	struct dl_tlsa_policy tlsa_policy; /* usages and digests in use */
	bool audit;                  /* RFC 7672 9.1 audit-only DANE */
	const char *fallback;        /* fallback relay host, or NULL */
	int fallback_port;
	const char *self_addr;       /* this host's address, if it is an MX */
};

/* Fill r (initialised by the caller) with the attempt and its outcome. */
void dl_deliver(const struct dl_client_cfg *cfg, struct dl_dns *dns,
	struct dl_result *r);

#endif
