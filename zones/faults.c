/*
 * faults.c -- the deliberate DNSSEC faults, applied to a signed zone: the
 * per-RRset faults of a spec (one (owner, type) each, the rest untouched)
 * and the zone-wide modes that are edits after signing (bad signatures,
 * DNSKEY removed).  Expired / not-yet-valid zones are signed that way in
 * sign.c; a mismatching DS is made in keys.c.
 */
#include "zones/internal.h"

#include <string.h>

void
dl_zfault_corrupt_sig(ldns_rr *rrsig)
{
	ldns_rdf *sig = ldns_rr_rdf(rrsig, 8);

	/* Any flipped byte breaks RSA, ECDSA (r||s) and Ed25519 alike. */
	if (sig != NULL && ldns_rdf_size(sig) > 0)
		ldns_rdf_data(sig)[ldns_rdf_size(sig) / 2] ^= 0x5a;
}

void
dl_zfault_corrupt_ds(ldns_rr *ds)
{
	ldns_rdf *digest = ldns_rr_rdf(ds, 3);

	if (digest != NULL && ldns_rdf_size(digest) > 0)
		ldns_rdf_data(digest)[0] ^= 0xff;
}

static void
corrupt_all(ldns_dnssec_rrs *sigs)
{
	for (; sigs != NULL; sigs = sigs->next)
		dl_zfault_corrupt_sig(sigs->rr);
}

/* Replace an RRset's signatures by ones made with another validity window. */
static void
resign(struct dl_zbuild *zb, ldns_dnssec_rrsets *rrset, time_t now,
	enum dl_sigtime t)
{
	ldns_rr_list *rrs = ldns_rr_list_new(), *sigs;

	for (ldns_dnssec_rrs *r = rrset->rrs; r != NULL; r = r->next)
		ldns_rr_list_push_rr(rrs, r->rr);
	dl_zkeys_set_times(zb->keys, now, t);
	ldns_key_list_set_use(zb->keys, true);
	sigs = ldns_sign_public(rrs, zb->keys);
	dl_zkeys_set_times(zb->keys, now, DL_SIGTIME_VALID);
	ldns_dnssec_rrs_free(rrset->signatures);
	rrset->signatures = NULL;
	for (size_t i = 0; sigs != NULL && i < ldns_rr_list_rr_count(sigs); i++) {
		ldns_rr *sig = ldns_rr_list_rr(sigs, i);
		ldns_rr_list_push_rr(zb->pool, sig);
		if (rrset->signatures == NULL) {
			rrset->signatures = ldns_dnssec_rrs_new();
			rrset->signatures->rr = sig;
		} else {
			ldns_dnssec_rrs_add_rr(rrset->signatures, sig);
		}
	}
	ldns_rr_list_free(sigs);
	ldns_rr_list_free(rrs);
}

ldns_rdf *
dl_zfault_owner(const struct dl_zbuild *zb, const char *owner)
{
	ldns_rdf *d;

	if (strcmp(owner, "@") == 0)
		return ldns_rdf_clone(zb->origin);
	d = ldns_dname_new_frm_str(owner);
	if (d != NULL && !ldns_dname_str_absolute(owner)) {
		if (ldns_dname_cat(d, zb->origin) != LDNS_STATUS_OK) {
			ldns_rdf_deep_free(d);
			return NULL;
		}
	}
	return d;
}

static int
apply_one(struct dl_zbuild *zb, const struct dl_zone_fault *f, time_t now,
	struct dl_err *err)
{
	char where[512], *ts = ldns_rr_type2str(f->type);
	ldns_rdf *owner = dl_zfault_owner(zb, f->owner);
	ldns_dnssec_rrsets *rrset = NULL;
	int r = 0;

	dl_src_str(&f->src, where, sizeof(where));
	if (f->fault == DL_RRSET_SERVED)
		r = 0; /* not a fault of the signature: served.c moves it */
	else if (!dl_mode_signed(zb->spec->mode))
		r = dl_errf(err, "%s: fault %s on \"%s\" %s: zone \"%s\" is %s "
		    "(unsigned), expected a signed zone", where,
		    dl_rrset_fault_name(f->fault), f->owner, ts, zb->spec->origin,
		    dl_zone_mode_name(zb->spec->mode));
	else if (owner == NULL)
		r = dl_errf(err, "%s: bad fault owner name \"%s\", expected a "
		    "domain name", where, f->owner);
	else if ((rrset = ldns_dnssec_zone_find_rrset(zb->dz, owner,
	    f->type)) == NULL || rrset->signatures == NULL)
		r = dl_errf(err, "%s: fault %s on \"%s\" %s: zone \"%s\" has no "
		    "signed RRset there, expected an existing owner and type",
		    where, dl_rrset_fault_name(f->fault), f->owner, ts,
		    zb->spec->origin);
	else if (f->fault == DL_RRSET_NOSIG) {
		ldns_dnssec_rrs_free(rrset->signatures);
		rrset->signatures = NULL;
	} else if (f->fault == DL_RRSET_BADSIG)
		corrupt_all(rrset->signatures);
	else if (f->fault == DL_RRSET_EXPIRED)
		resign(zb, rrset, now, DL_SIGTIME_EXPIRED);
	else if (f->fault == DL_RRSET_NOTYET)
		resign(zb, rrset, now, DL_SIGTIME_NOTYET);
	else
		r = dl_errf(err, "%s: unknown RRset fault %d, expected one of ok "
		    "expired notyet badsig nosig", where, (int)f->fault);
	ldns_rdf_deep_free(owner);
	free(ts);
	return r;
}

int
dl_zfault_rrsets(struct dl_zbuild *zb, time_t now, struct dl_err *err)
{
	for (size_t i = 0; i < zb->spec->n_faults; i++) {
		const struct dl_zone_fault *f = &zb->spec->faults[i];
		if (f->fault != DL_RRSET_OK && apply_one(zb, f, now, err) < 0)
			return -1;
	}
	return 0;
}

/* Unlink the apex DNSKEY RRset (its RRs stay in the pool). */
static void
drop_dnskey(struct dl_zbuild *zb)
{
	ldns_dnssec_rrsets **pp = &zb->dz->soa->rrsets;

	for (; *pp != NULL; pp = &(*pp)->next) {
		if ((*pp)->type == LDNS_RR_TYPE_DNSKEY) {
			ldns_dnssec_rrsets *gone = *pp;
			*pp = gone->next;
			gone->next = NULL;
			ldns_dnssec_rrsets_free(gone);
			return;
		}
	}
}

void
dl_zfault_mode(struct dl_zbuild *zb)
{
	ldns_rbnode_t *node;

	if (zb->spec->mode == DL_ZONE_BOGUS_NO_DNSKEY) {
		drop_dnskey(zb);
		return;
	}
	if (zb->spec->mode != DL_ZONE_BOGUS_BADSIG)
		return;
	for (node = ldns_rbtree_first(zb->dz->names); node != LDNS_RBTREE_NULL;
	    node = ldns_rbtree_next(node)) {
		ldns_dnssec_name *name = (ldns_dnssec_name *)node->data;
		for (ldns_dnssec_rrsets *s = name->rrsets; s; s = s->next)
			corrupt_all(s->signatures);
		corrupt_all(name->nsec_signatures);
	}
}
