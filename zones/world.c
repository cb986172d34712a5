/*
 * world.c -- dl_world_build(): checks the world, makes every zone's key
 * first (so each parent knows its children's DS before it is signed), then
 * builds, signs, breaks and writes the zones one at a time, and finally the
 * side files (NSD zone lists, trust anchor, root hints).
 */
#include "zones/internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/buf.h"

static bool
is_addr(int af, const char *s)
{
	unsigned char b[16];

	return s != NULL && inet_pton(af, s, b) == 1;
}

static int
check_addrs(const struct dl_world *w, struct dl_err *err)
{
	const struct dl_world_addrs *a = &w->addrs;

	if (!is_addr(AF_INET, a->lab_ns4))
		return dl_errf(err, "world: lab_ns4 \"%s\" is not an IPv4 address",
		    a->lab_ns4 ? a->lab_ns4 : "(null)");
	if (a->lab_ns6 != NULL && !is_addr(AF_INET6, a->lab_ns6))
		return dl_errf(err, "world: lab_ns6 \"%s\" is not an IPv6 address",
		    a->lab_ns6);
	for (size_t i = 0; i < w->n_zones; i++) {
		enum dl_zone_server s = w->zones[i].served_by;
		if (s == DL_SERVED_FAULT && !is_addr(AF_INET, a->fault_ns4))
			return dl_errf(err, "world: a zone is served by the fault "
			    "proxy, expected fault_ns4 to be an IPv4 address");
		if (s == DL_SERVED_DEAD && !is_addr(AF_INET, a->dead_ns4))
			return dl_errf(err, "world: a zone is delegated to the dead "
			    "address, expected dead_ns4 to be an IPv4 address");
	}
	return 0;
}

/* One spec's own fields: origin syntax and enum ranges. */
static int
check_spec(const struct dl_world *w, struct dl_zbuild *zb, struct dl_err *err)
{
	const struct dl_zone_spec *s = zb->spec;
	const char *o = s->origin ? s->origin : "";
	size_t len = strlen(o);
	char where[512];

	dl_src_str(&s->src, where, sizeof(where));
	/* Origins become file names and go into NSD's configuration: letters,
	 * digits, '-', '_' and dots only (no quote, escape, '/' or blank). */
	if (len == 0 || o[len - 1] != '.' ||
	    strspn(o, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != len ||
	    strstr(o, "..") != NULL || (len > 1 && o[0] == '.') ||
	    (zb->origin = ldns_dname_new_frm_str(o)) == NULL)
		return dl_errf(err, "%s: bad zone origin \"%s\", expected an "
		    "absolute domain name such as \"x.test.\"", where, o);
	if ((unsigned)s->mode >= DL_ZONE_MODE_COUNT)
		return dl_errf(err, "%s: zone \"%s\": unknown mode %d", where, o,
		    (int)s->mode);
	if ((unsigned)s->denial > DL_DENIAL_NSEC3)
		return dl_errf(err, "%s: zone \"%s\": unknown denial %d, expected "
		    "NSEC or NSEC3", where, o, (int)s->denial);
	switch (s->served_by) {
	case DL_SERVED_LAB:
		zb->ns4 = w->addrs.lab_ns4;
		zb->ns6 = w->addrs.lab_ns6;
		return 0;
	case DL_SERVED_FAULT:
		zb->ns4 = w->addrs.fault_ns4;
		return 0;
	case DL_SERVED_DEAD:
		zb->ns4 = w->addrs.dead_ns4;
		return 0;
	}
	return dl_errf(err, "%s: zone \"%s\": unknown server %d", where, o,
	    (int)s->served_by);
}

/* Parent = the nearest enclosing zone of the world; the root has none. */
static int
find_parents(const struct dl_world *w, struct dl_zbuild *zbs,
	struct dl_err *err)
{
	ssize_t root = -1;
	char where[512], w2[512];

	for (size_t i = 0; i < w->n_zones; i++) {
		size_t best_labels = 0;
		zbs[i].parent = -1;
		if (ldns_dname_label_count(zbs[i].origin) == 0)
			root = (ssize_t)i;
		for (size_t j = 0; j < w->n_zones; j++) {
			if (j != i && ldns_dname_compare(zbs[i].origin,
			    zbs[j].origin) == 0)
				return dl_errf(err, "%s: zone \"%s\" is declared "
				    "twice (also at %s), expected one declaration",
				    dl_src_str(&w->zones[i].src, where, sizeof(where)),
				    w->zones[i].origin,
				    dl_src_str(&w->zones[j].src, w2, sizeof(w2)));
			size_t l = ldns_dname_label_count(zbs[j].origin);
			if (ldns_dname_is_subdomain(zbs[i].origin, zbs[j].origin) &&
			    (zbs[i].parent < 0 || l > best_labels)) {
				zbs[i].parent = (ssize_t)j;
				best_labels = l;
			}
		}
	}
	if (root < 0)
		return dl_errf(err, "world: no root zone \".\", expected one (it "
		    "holds the only trust anchor)");
	if (w->zones[root].mode != DL_ZONE_SECURE ||
	    w->zones[root].served_by != DL_SERVED_LAB)
		return dl_errf(err, "%s: zone \".\" is %s, expected secure and "
		    "served by the lab NSD (it is the trust anchor)",
		    dl_src_str(&w->zones[root].src, where, sizeof(where)),
		    dl_zone_mode_name(w->zones[root].mode));
	return 0;
}

static int
prepare(const struct dl_world *w, struct dl_zbuild *zbs, struct dl_err *err)
{
	if (check_addrs(w, err) < 0)
		return -1;
	for (size_t i = 0; i < w->n_zones; i++) {
		zbs[i].spec = &w->zones[i];
		if (check_spec(w, &zbs[i], err) < 0)
			return -1;
	}
	if (find_parents(w, zbs, err) < 0)
		return -1;
	for (size_t i = 0; i < w->n_zones; i++)
		if (dl_zkeys_make(&zbs[i], err) < 0)
			return -1;
	return 0;
}

/* Build, sign, break and write one version of zone i; its ldns zone
 * lives only here. */
static int
build_zone_round(struct dl_zbuild *zbs, size_t n, size_t i, int round, time_t now,
	const char *zone_dir, struct dl_err *err)
{
	struct dl_zbuild *zb = &zbs[i];
	char *path = NULL;
	int r;

	zb->round = round;
	zb->dz = ldns_dnssec_zone_new();
	zb->pool = ldns_rr_list_new();
	r = dl_zrec_add_generated(zb, now);
	if (r < 0)
		dl_errf(err, "zone \"%s\": cannot make its SOA/NS records",
		    zb->spec->origin);
	if (r == 0)
		r = dl_zrec_add_input(zb, zbs, n, err);
	for (size_t j = 0; r == 0 && j < n; j++)
		if (zbs[j].parent == (ssize_t)i &&
		    dl_zrec_add_delegation(zb, &zbs[j]) < 0)
			r = dl_errf(err, "zone \"%s\": cannot delegate \"%s\"",
			    zb->spec->origin, zbs[j].spec->origin);
	if (r == 0)
		r = dl_zsign(zb, now, err);
	if (r == 0)
		r = dl_zfault_rrsets(zb, now, err);
	if (r == 0) {
		dl_zfault_mode(zb);
		r = dl_zserve_split(zb, zone_dir, err);
	}
	/* NSD loads version 1; with versions, each is kept as .rK as well, so
	 * that any one can be put back (a run's --repeat starts at round 1). */
	if (r == 0 && round == 1) {
		path = dl_zemit_round_path(zone_dir, zb->origin, 0);
		r = dl_zemit_zone(zb, path, err);
		free(path);
		path = NULL;
	}
	if (r == 0 && zb->spec->n_rounds > 1) {
		path = dl_zemit_round_path(zone_dir, zb->origin, round);
		r = dl_zemit_zone(zb, path, err);
	}
	free(path);
	ldns_dnssec_zone_free(zb->dz);
	ldns_rr_list_deep_free(zb->pool);
	zb->dz = NULL;
	zb->pool = NULL;
	return r;
}

static int
build_zone(struct dl_zbuild *zbs, size_t n, size_t i, time_t now,
	const char *zone_dir, struct dl_err *err)
{
	int rounds = zbs[i].spec->n_rounds > 1 ? zbs[i].spec->n_rounds : 1, r = 0;

	for (int k = 1; r == 0 && k <= rounds; k++)
		r = build_zone_round(zbs, n, i, k, now, zone_dir, err);
	return r;
}

static int
make_dir(const char *path, struct dl_err *err)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return dl_errf(err, "cannot create directory %s: %s", path,
		    strerror(errno));
	return 0;
}

static void
free_zbuilds(struct dl_zbuild *zbs, size_t n)
{
	for (size_t i = 0; zbs != NULL && i < n; i++) {
		ldns_rdf_deep_free(zbs[i].origin);
		if (zbs[i].keys != NULL)
			ldns_key_list_free(zbs[i].keys);
		ldns_rr_free(zbs[i].dnskey);
		ldns_rr_free(zbs[i].ds);
	}
	free(zbs);
}

int
dl_world_build(const struct dl_world *w, const char *dir, time_t now,
	struct dl_world_out *out, struct dl_err *err)
{
	struct dl_zbuild *zbs = dl_xcalloc(w->n_zones ? w->n_zones : 1,
	    sizeof(*zbs));
	char absdir[PATH_MAX];
	int r;

	memset(out, 0, sizeof(*out));
	r = prepare(w, zbs, err);
	if (r == 0)
		r = make_dir(dir, err);
	if (r == 0 && realpath(dir, absdir) == NULL)
		r = dl_errf(err, "cannot resolve directory %s: %s", dir,
		    strerror(errno));
	if (r == 0) {
		out->zone_dir = dl_xasprintf("%s/zones", absdir);
		r = make_dir(out->zone_dir, err);
	}
	for (size_t i = 0; r == 0 && i < w->n_zones; i++) {
		r = build_zone(zbs, w->n_zones, i, now, out->zone_dir, err);
		if (r == 0 && dl_mode_signed(w->zones[i].mode))
			out->n_zones_signed++;
	}
	if (r == 0)
		r = dl_zemit_side_files(w, zbs, absdir, out, err);
	free_zbuilds(zbs, w->n_zones);
	if (r < 0)
		dl_world_out_free(out);
	return r;
}

char *
dl_world_zone_file(const struct dl_world_out *out, const char *origin, int round)
{
	ldns_rdf *o = ldns_dname_new_frm_str(origin);
	char *p = o ? dl_zemit_round_path(out->zone_dir, o, round) : NULL;

	ldns_rdf_deep_free(o);
	return p;
}

void
dl_world_out_free(struct dl_world_out *out)
{
	if (out == NULL)
		return;
	free(out->zone_dir);
	free(out->nsd_lab_conf);
	free(out->nsd_fault_conf);
	free(out->trust_anchor);
	free(out->root_hints);
	free(out->root_ds);
	memset(out, 0, sizeof(*out));
}
