/*
 * sign.c -- sign one zone in-process with ldns: NSEC or NSEC3 (SHA-1, no
 * opt-out, 0 iterations, empty salt as RFC 9276 advises), with the
 * signature window the zone's mode asks for.
 */
#include "zones/internal.h"

static enum dl_sigtime
mode_sigtime(enum dl_zone_mode m)
{
	if (m == DL_ZONE_BOGUS_EXPIRED)
		return DL_SIGTIME_EXPIRED;
	if (m == DL_ZONE_BOGUS_NOTYET)
		return DL_SIGTIME_NOTYET;
	return DL_SIGTIME_VALID;
}

int
dl_zsign(struct dl_zbuild *zb, time_t now, struct dl_err *err)
{
	const struct dl_zone_spec *s = zb->spec;
	ldns_rr_list *new_rrs;
	ldns_status st;
	uint8_t no_salt = 0;
	char where[512];

	if (!dl_mode_signed(s->mode))
		return 0;
	dl_zkeys_set_times(zb->keys, now, mode_sigtime(s->mode));
	ldns_key_list_set_use(zb->keys, true);
	new_rrs = ldns_rr_list_new();
	if (s->denial == DL_DENIAL_NSEC3)
		st = ldns_dnssec_zone_sign_nsec3(zb->dz, new_rrs, zb->keys,
		    ldns_dnssec_default_replace_signatures, NULL, LDNS_SHA1, 0, 0,
		    0, &no_salt);
	else
		st = ldns_dnssec_zone_sign(zb->dz, new_rrs, zb->keys,
		    ldns_dnssec_default_replace_signatures, NULL);
	/* The pool owns whatever the signer made, even on failure. */
	ldns_rr_list_push_rr_list(zb->pool, new_rrs);
	ldns_rr_list_free(new_rrs);
	dl_zkeys_set_times(zb->keys, now, DL_SIGTIME_VALID);
	if (st != LDNS_STATUS_OK)
		return dl_errf(err, "%s: zone \"%s\": signing failed: %s",
		    dl_src_str(&s->src, where, sizeof(where)), s->origin,
		    ldns_get_errorstr_by_id(st));
	return 0;
}
