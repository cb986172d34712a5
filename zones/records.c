/*
 * records.c -- the contents of one zone before signing: the generated SOA,
 * apex NS and name server address, the caller's records (checked against
 * the zone and its cuts), and the delegations to child zones.
 */
#include "zones/internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/buf.h"

const char *
dl_src_str(const struct dl_src *src, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%d", src->file ? src->file : "(input)",
	    src->line);
	return buf;
}

ldns_status
dl_zrec_add(struct dl_zbuild *zb, ldns_rr *rr)
{
	ldns_rr_list_push_rr(zb->pool, rr);
	return ldns_dnssec_zone_add_rr(zb->dz, rr);
}

static uint32_t
zone_ttl(const struct dl_zbuild *zb)
{
	return zb->spec->ttl ? zb->spec->ttl : 300;
}

/* Parse builder-made text (cannot fail on valid addresses) and add it. */
static int
add_text(struct dl_zbuild *zb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int
add_text(struct dl_zbuild *zb, const char *fmt, ...)
{
	struct dl_buf b = DL_BUF_INIT;
	ldns_rr *rr = NULL;
	va_list ap;
	ldns_status st;

	va_start(ap, fmt);
	dl_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	st = ldns_rr_new_frm_str(&rr, b.data, zone_ttl(zb), NULL, NULL);
	dl_buf_free(&b);
	if (st != LDNS_STATUS_OK)
		return -1;
	dl_zrec_add(zb, rr);
	return 0;
}

/* "dlns.<origin>", also right for the root ("dlns."). */
static char *
ns_name(const ldns_rdf *origin)
{
	char *o = ldns_rdf2str(origin), *r;

	r = dl_xasprintf("dlns.%s", strcmp(o, ".") == 0 ? "" : o);
	free(o);
	return r;
}

/* The address records of a name server (IPv6 only where it has one). */
static int
add_ns_addrs(struct dl_zbuild *zb, const char *ns, const char *v4,
	const char *v6)
{
	if (add_text(zb, "%s A %s", ns, v4) < 0)
		return -1;
	if (v6 != NULL && add_text(zb, "%s AAAA %s", ns, v6) < 0)
		return -1;
	return 0;
}

int
dl_zrec_add_generated(struct dl_zbuild *zb, time_t now)
{
	char *o = ldns_rdf2str(zb->origin), *ns = ns_name(zb->origin);
	const char *sub = strcmp(o, ".") == 0 ? "" : o;
	int r;

	r = add_text(zb, "%s SOA %s hostmaster.%s %u 3600 600 86400 %u", o, ns,
	    sub, (unsigned)now + (unsigned)(zb->round > 1 ? zb->round - 1 : 0),
	    zone_ttl(zb));
	if (r == 0)
		r = add_text(zb, "%s NS %s", o, ns);
	if (r == 0)
		r = add_ns_addrs(zb, ns, zb->ns4, zb->ns6);
	if (r == 0 && zb->dnskey != NULL && dl_mode_signed(zb->spec->mode))
		dl_zrec_add(zb, ldns_rr_clone(zb->dnskey));
	free(o);
	free(ns);
	return r;
}

int
dl_zrec_add_delegation(struct dl_zbuild *zb, const struct dl_zbuild *child)
{
	char *o = ldns_rdf2str(child->origin), *ns = ns_name(child->origin);
	int r;

	r = add_text(zb, "%s NS %s", o, ns);
	if (r == 0)
		r = add_ns_addrs(zb, ns, child->ns4, child->ns6);
	if (r == 0 && child->ds != NULL)
		dl_zrec_add(zb, ldns_rr_clone(child->ds));
	free(o);
	free(ns);
	return r;
}
