/*
 * served.c -- RRsets the fault proxy serves in NSD's place.
 *
 * Some data a case needs is valid DNS that NSD will not load: a TLSA record
 * with empty association data (RFC 6698 4.1 calls it unusable, not
 * illegal).  Such an RRset is signed with the rest of its zone, so the
 * NSEC/NSEC3 chain and the signatures are the zone's own; then it is cut
 * out of the zone file and written, with its RRSIGs, to
 * <zone_dir>/served/<owner><TYPE> (".r<k>" for a later round's version),
 * where the fault proxy (`serve` rules) reads it.
 */
#include "zones/internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "util/buf.h"

/*
 * One RR in RFC 3597 generic syntax ("TYPE \# LEN HEX"): ldns prints empty
 * TLSA data as nothing at all, which it then cannot read back.
 */
static void
generic_rr(const ldns_rr *rr, struct dl_buf *b)
{
	ldns_buffer *wire = ldns_buffer_new(512);
	char *owner = ldns_rdf2str(ldns_rr_owner(rr));
	char *type = ldns_rr_type2str(ldns_rr_get_type(rr));

	ldns_rr_rdata2buffer_wire(wire, rr);
	dl_buf_printf(b, "%s %u IN %s \\# %zu", owner, (unsigned)ldns_rr_ttl(rr), type,
	    ldns_buffer_position(wire));
	if (ldns_buffer_position(wire) > 0)
		dl_buf_addc(b, ' ');
	for (size_t i = 0; i < ldns_buffer_position(wire); i++)
		dl_buf_printf(b, "%02x", ldns_buffer_at(wire, i)[0]);
	dl_buf_addc(b, '\n');
	ldns_buffer_free(wire);
	free(owner);
	free(type);
}

static int
write_rrset(const ldns_dnssec_rrsets *rrset, const char *path, struct dl_err *err)
{
	struct dl_buf b = DL_BUF_INIT;
	int r = 0;

	for (const ldns_dnssec_rrs *x = rrset->rrs; x; x = x->next)
		generic_rr(x->rr, &b);
	for (const ldns_dnssec_rrs *x = rrset->signatures; x; x = x->next)
		generic_rr(x->rr, &b);
	if (dl_write_file(path, b.data ? b.data : "", b.len) < 0)
		r = dl_errf(err, "cannot write %s: %s", path, strerror(errno));
	dl_buf_free(&b);
	return r;
}

/* Unlink (owner, type) from its name; the RRs stay in the pool. */
static void
unlink_rrset(ldns_dnssec_name *name, const ldns_dnssec_rrsets *rrset)
{
	for (ldns_dnssec_rrsets **pp = &name->rrsets; *pp; pp = &(*pp)->next)
		if (*pp == rrset) {
			ldns_dnssec_rrsets *gone = *pp;
			*pp = gone->next;
			gone->next = NULL;
			ldns_dnssec_rrsets_free(gone);
			return;
		}
}

static int
split_one(struct dl_zbuild *zb, const struct dl_zone_fault *f, const char *dir,
	struct dl_err *err)
{
	char where[512], *ts = ldns_rr_type2str(f->type);
	ldns_rdf *owner = dl_zfault_owner(zb, f->owner);
	ldns_rbnode_t *node = owner ? ldns_rbtree_search(zb->dz->names, owner) : NULL;
	ldns_dnssec_name *name = node && node != LDNS_RBTREE_NULL ?
	    (ldns_dnssec_name *)(uintptr_t)node->data : NULL;
	ldns_dnssec_rrsets *rrset = name ? ldns_dnssec_name_find_rrset(name, f->type) : NULL;
	int r;

	dl_src_str(&f->src, where, sizeof(where));
	if (rrset == NULL) {
		r = dl_errf(err, "%s: \"%s\" %s is to be served by the fault proxy, but zone "
		    "\"%s\" has no such RRset, expected an existing owner and type", where,
		    f->owner, ts, zb->spec->origin);
	} else {
		char *o = ldns_rdf2str(owner);
		char *path = zb->round > 1 ? dl_xasprintf("%s/%s%s.r%d", dir, o, ts, zb->round) :
		    dl_xasprintf("%s/%s%s", dir, o, ts);
		r = write_rrset(rrset, path, err);
		if (r == 0)
			unlink_rrset(name, rrset);
		free(path);
		free(o);
	}
	ldns_rdf_deep_free(owner);
	free(ts);
	return r;
}

int
dl_zserve_split(struct dl_zbuild *zb, const char *zone_dir, struct dl_err *err)
{
	char *dir = NULL;
	int r = 0;

	for (size_t i = 0; r == 0 && i < zb->spec->n_faults; i++) {
		const struct dl_zone_fault *f = &zb->spec->faults[i];
		if (f->fault != DL_RRSET_SERVED)
			continue;
		if (dir == NULL) {
			dir = dl_xasprintf("%s/served", zone_dir);
			if (mkdir(dir, 0755) < 0 && errno != EEXIST)
				r = dl_errf(err, "cannot create %s: %s", dir, strerror(errno));
		}
		if (r == 0)
			r = split_one(zb, f, dir, err);
	}
	free(dir);
	return r;
}
