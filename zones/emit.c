/*
 * emit.c -- the files a build leaves behind: one zone file per zone, the
 * two NSD zone lists (main NSD, NSD #2 behind the fault proxy), the root
 * trust anchor and the root hints.
 */
#include "zones/internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/buf.h"

char *
dl_zemit_zone_path(const char *zone_dir, const ldns_rdf *origin)
{
	char *o = ldns_rdf2str(origin), *p;

	p = dl_xasprintf("%s/%szone", zone_dir, strcmp(o, ".") == 0 ? "root." : o);
	free(o);
	return p;
}

/* Round 0 is the zone file NSD loads; each version k waits beside it (.rK). */
char *
dl_zemit_round_path(const char *zone_dir, const ldns_rdf *origin, int round)
{
	char *base = dl_zemit_zone_path(zone_dir, origin), *p;

	if (round <= 0)
		return base;
	p = dl_xasprintf("%s.r%d", base, round);
	free(base);
	return p;
}

int
dl_zemit_zone(struct dl_zbuild *zb, const char *path, struct dl_err *err)
{
	FILE *fp = fopen(path, "w");
	int bad;

	if (fp == NULL)
		return dl_errf(err, "cannot write zone file %s: %s", path,
		    strerror(errno));
	ldns_dnssec_zone_print_fmt(fp, ldns_output_format_nocomments, zb->dz);
	bad = ferror(fp);
	if (fclose(fp) != 0 || bad)
		return dl_errf(err, "cannot write zone file %s: %s", path,
		    strerror(errno ? errno : EIO));
	return 0;
}

static int
write_text(const char *path, const struct dl_buf *b, struct dl_err *err)
{
	if (dl_write_file(path, b->data ? b->data : "", b->len) < 0)
		return dl_errf(err, "cannot write %s: %s", path, strerror(errno));
	return 0;
}

/* NSD "zone:" clauses; DEAD zones are in neither list. */
static int
write_nsd_lists(const struct dl_world *w, struct dl_zbuild *zbs,
	struct dl_world_out *out, struct dl_err *err)
{
	struct dl_buf lab = DL_BUF_INIT, fault = DL_BUF_INIT;
	int r;

	for (size_t i = 0; i < w->n_zones; i++) {
		struct dl_buf *b = w->zones[i].served_by == DL_SERVED_LAB ? &lab :
		    w->zones[i].served_by == DL_SERVED_FAULT ? &fault : NULL;
		char *o, *path;

		if (b == NULL)
			continue;
		o = ldns_rdf2str(zbs[i].origin);
		path = dl_zemit_zone_path(out->zone_dir, zbs[i].origin);
		/* NSD's quoted strings have no escapes: a quote would end one. */
		if (strpbrk(o, "\"\\\n#") || strpbrk(path, "\"\\\n#")) {
			r = dl_errf(err, "zone \"%s\": name or path unfit for NSD's "
			    "configuration, expected no quote, backslash, '#' or newline", o);
			free(o);
			free(path);
			dl_buf_free(&lab);
			dl_buf_free(&fault);
			return r;
		}
		dl_buf_printf(b, "zone:\n\tname: \"%s\"\n\tzonefile: \"%s\"\n",
		    o, path);
		free(o);
		free(path);
	}
	r = write_text(out->nsd_lab_conf, &lab, err);
	if (r == 0)
		r = write_text(out->nsd_fault_conf, &fault, err);
	dl_buf_free(&lab);
	dl_buf_free(&fault);
	return r;
}

/* Root DS (trust anchor) and root hints pointing at the main NSD. */
static int
write_root_files(const struct dl_world *w, const struct dl_zbuild *root,
	struct dl_world_out *out, struct dl_err *err)
{
	struct dl_buf b = DL_BUF_INIT;
	char *ds = ldns_rr2str(root->ds);
	int r;

	ds[strcspn(ds, "\n")] = '\0';
	out->root_ds = dl_xstrdup(ds);
	free(ds);
	dl_buf_printf(&b, "%s\n", out->root_ds);
	r = write_text(out->trust_anchor, &b, err);
	dl_buf_reset(&b);
	dl_buf_printf(&b, ".\t3600000\tIN\tNS\tdlns.\n"
	    "dlns.\t3600000\tIN\tA\t%s\n", w->addrs.lab_ns4);
	if (r == 0)
		r = write_text(out->root_hints, &b, err);
	dl_buf_free(&b);
	return r;
}

int
dl_zemit_side_files(const struct dl_world *w, struct dl_zbuild *zbs,
	const char *dir, struct dl_world_out *out, struct dl_err *err)
{
	const struct dl_zbuild *root = NULL;

	for (size_t i = 0; i < w->n_zones; i++)
		if (zbs[i].parent < 0)
			root = &zbs[i];
	out->nsd_lab_conf = dl_xasprintf("%s/nsd-lab-zones.conf", dir);
	out->nsd_fault_conf = dl_xasprintf("%s/nsd-fault-zones.conf", dir);
	out->trust_anchor = dl_xasprintf("%s/root.key", dir);
	out->root_hints = dl_xasprintf("%s/root.hints", dir);
	if (write_nsd_lists(w, zbs, out, err) < 0)
		return -1;
	return write_root_files(w, root, out, err);
}
