/*
 * dns.h -- the client's only resolver: a validating libunbound context.
 *
 * Never the host's resolver: the context forwards to the configured lab
 * resolver and validates itself with the configured trust anchor (so the
 * validation status does not depend on an AD bit, 7672-2.1.1-a/g).  Each
 * lookup has its own deadline; a lookup that runs out of time is
 * DL_SEC_TIMEOUT.
 */
#ifndef DL_CLIENT_DNS_H
#define DL_CLIENT_DNS_H

#include "client/lookup.h"
#include "client/violate.h"
#include "util/err.h"

struct dl_dns;

/*
 * Create a context forwarding to `resolver` (an IP address, optional
 * "@port") and trusting the anchors in `ta_file`.  Returns NULL with err
 * set for configuration errors (missing or unreadable trust anchor, bad
 * resolver address).  Caller frees with dl_dns_free().
 */
struct dl_dns *dl_dns_new(const char *resolver, const char *ta_file,
	int timeout_ms, struct dl_err *err);
void dl_dns_free(struct dl_dns *d);
/* Violations that change how answers are classified (bogus-as-insecure). */
void dl_dns_set_violations(struct dl_dns *d, const struct dl_violations *v);

/* Look up name/type and fill *out (which the caller clears). */
void dl_dns_lookup(struct dl_dns *d, const char *name, uint16_t type,
	struct dl_lookup *out);

#endif
