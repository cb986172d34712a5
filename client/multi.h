/*
 * multi.h -- one message to recipients in several domains.
 *
 * Each destination domain is its own delivery (dl_deliver): its own MX
 * lookup, its own DANE decision and its own connections, so a connection
 * opened (or authenticated) for one destination never carries another
 * destination's recipients (RFC 7672 §2.2, §3.2: the TLSA base domain and
 * the reference identifiers belong to one destination).  The result is one
 * JSON object with a "recipients" entry per address and the delivery of
 * each domain in "deliveries" (client/README.md).
 */
#ifndef DL_CLIENT_MULTI_H
#define DL_CLIENT_MULTI_H

#include "client/deliver.h"
#include "util/buf.h"

/*
 * Deliver the message of cfg (its smtp.body, from, policy ...) to rcpts
 * (A-label form, each checked), one delivery per domain in order of first
 * appearance (all of them through cfg->relay when there is one).  Appends
 * the JSON object to out; returns the overall disposition: deferred if any
 * domain was deferred, else bounced if any bounced, else delivered.
 */
enum dl_disposition dl_deliver_multi(const struct dl_client_cfg *cfg,
	struct dl_dns *dns, const char *const *rcpts, size_t nrcpts,
	struct dl_buf *out);

#endif
