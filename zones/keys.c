/*
 * keys.c -- one CSK per zone, its DNSKEY record, and the DS its parent
 * publishes (SHA-256), with the signature validity windows of world.h.
 */
#include "zones/internal.h"

#include <openssl/err.h>

static const struct {
	ldns_signing_algorithm alg;
	uint16_t bits;
} alg_params[DL_ALG_COUNT] = {
	[DL_ALG_ECDSAP256SHA256] = { LDNS_SIGN_ECDSAP256SHA256, 256 },
	[DL_ALG_RSASHA256] = { LDNS_SIGN_RSASHA256, 2048 },
	[DL_ALG_ED25519] = { LDNS_SIGN_ED25519, 256 },
};

bool
dl_mode_signed(enum dl_zone_mode m)
{
	return m != DL_ZONE_INSECURE && m != DL_ZONE_BOGUS_NOSIG;
}

bool
dl_mode_has_ds(enum dl_zone_mode m)
{
	return m != DL_ZONE_INSECURE && m != DL_ZONE_ISLAND;
}

void
dl_zkeys_set_times(ldns_key_list *keys, time_t now, enum dl_sigtime t)
{
	time_t inc = now - DL_DAY, exp = now + 30 * DL_DAY;

	/*
	 * Validators forgive clock skew: Unbound accepts signatures up to 10%
	 * of their validity interval (at most val-sig-skew-max, one day) outside
	 * it.  "Expired yesterday" would still validate; three days will not.
	 */
	if (t == DL_SIGTIME_EXPIRED) {
		inc = now - 30 * DL_DAY;
		exp = now - 3 * DL_DAY;
	} else if (t == DL_SIGTIME_NOTYET) {
		inc = now + 3 * DL_DAY;
	}
	for (size_t i = 0; i < ldns_key_list_key_count(keys); i++) {
		ldns_key *k = ldns_key_list_key(keys, i);
		ldns_key_set_inception(k, (uint32_t)inc);
		ldns_key_set_expiration(k, (uint32_t)exp);
	}
}

/*
 * Every zone but an insecure one gets a key: bogus-nosig is served unsigned
 * yet its parent must publish a DS for a key that exists.
 */
int
dl_zkeys_make(struct dl_zbuild *zb, struct dl_err *err)
{
	const struct dl_zone_spec *s = zb->spec;
	char where[512];
	ldns_key *k;

	if (s->mode == DL_ZONE_INSECURE)
		return 0;
	if ((unsigned)s->alg >= DL_ALG_COUNT)
		return dl_errf(err, "%s: zone \"%s\": unknown key algorithm %d, "
		    "expected ecdsa256, rsasha256 or ed25519",
		    dl_src_str(&s->src, where, sizeof(where)), s->origin, s->alg);
	k = ldns_key_new_frm_algorithm(alg_params[s->alg].alg,
	    alg_params[s->alg].bits);
	if (k == NULL)
		return dl_err_crypto(err, "%s: zone \"%s\": cannot generate a %s key",
		    dl_src_str(&s->src, where, sizeof(where)), s->origin,
		    dl_key_alg_name(s->alg));
	ldns_key_set_flags(k, LDNS_KEY_ZONE_KEY | LDNS_KEY_SEP_KEY);
	ldns_key_set_pubkey_owner(k, ldns_rdf_clone(zb->origin));
	zb->keys = ldns_key_list_new();
	ldns_key_list_push_key(zb->keys, k);
	zb->dnskey = ldns_key2rr(k);
	ldns_rr_set_ttl(zb->dnskey, s->ttl ? s->ttl : 300);
	ldns_key_set_keytag(k, ldns_calc_keytag(zb->dnskey));
	if (dl_mode_has_ds(s->mode)) {
		zb->ds = ldns_key_rr2ds(zb->dnskey, LDNS_SHA256);
		ldns_rr_set_ttl(zb->ds, s->ttl ? s->ttl : 300);
		if (s->mode == DL_ZONE_BOGUS_DS_MISMATCH)
			dl_zfault_corrupt_ds(zb->ds);
	}
	return 0;
}
