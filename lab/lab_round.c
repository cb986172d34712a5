/*
 * lab_round.c -- the lab's world for a later round (lab.h,
 * dl_lab_next_round): zones' versions for that round replace the served
 * ones, the fault proxy loads that round's rules, and the resolver forgets
 * what it cached.  Every step is confirmed (new SOA serials, the proxy's
 * load count), never slept.
 */
#include "lab/lab.h"
#include "lab/lab_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <ldns/ldns.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lab/addr.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/exe.h"
#include "util/spawn.h"

static struct lab_daemon *
daemon_named(struct dl_lab *lab, const char *name)
{
	for (size_t i = 0; i < lab->n_d; i++)
		if (strcmp(lab->d[i].name, name) == 0)
			return &lab->d[i];
	return NULL;
}

/* The SOA serial name server addr gives for zone, or 0. */
static uint32_t
soa_serial(const char *addr, const char *zone)
{
	ldns_resolver *res = ldns_resolver_new();
	ldns_rdf *ns = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, addr);
	ldns_rdf *name = ldns_dname_new_frm_str(zone);
	ldns_pkt *p = NULL;
	uint32_t serial = 0;
	struct timeval tv = { 0, 50000 };

	ldns_resolver_push_nameserver(res, ns);
	ldns_resolver_set_retry(res, 1);
	ldns_resolver_set_recursive(res, false);
	ldns_resolver_set_timeout(res, tv);
	if (ldns_resolver_query_status(&p, res, name, LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN,
	    0) == LDNS_STATUS_OK && p) {
		ldns_rr_list *soa = ldns_pkt_rr_list_by_type(p, LDNS_RR_TYPE_SOA,
		    LDNS_SECTION_ANSWER);
		if (soa && ldns_rr_list_rr_count(soa) > 0 &&
		    ldns_rr_rdf(ldns_rr_list_rr(soa, 0), 2))
			serial = ldns_rdf2native_int32(ldns_rr_rdf(ldns_rr_list_rr(soa, 0), 2));
		ldns_rr_list_deep_free(soa);
	}
	ldns_pkt_free(p);
	ldns_rdf_deep_free(name);
	ldns_rdf_deep_free(ns);
	ldns_resolver_deep_free(res);
	return serial;
}

/* Copy one file over another, so the target gets a fresh mtime (NSD
 * reloads a zone on SIGHUP only if its file changed). */
static int
install_file(const char *from, const char *to, struct dl_err *err)
{
	struct dl_buf b = DL_BUF_INIT;
	char *tmp = dl_xasprintf("%s.new", to);
	int rc = 0;

	if (dl_read_file(from, &b) < 0 || dl_write_file(tmp, b.data ? b.data : "", b.len) < 0 ||
	    rename(tmp, to) < 0)
		rc = dl_errf(err, "cannot install %s as %s: %s", from, to, strerror(errno));
	dl_buf_free(&b);
	free(tmp);
	return rc;
}

/* A control tool, bounded: its output is of no use, its status is. */
static int
run_tool(char *const argv[], struct dl_err *err)
{
	struct dl_spawn sp = { .argv = argv, .out = "/dev/null" };
	bool timed_out = false;
	int st = dl_spawn_run(&sp, 5000, &timed_out, err);

	if (st == 0)
		return 0;
	return timed_out ? -1 : dl_errf(err, "%s %s failed (exit status %d)", argv[0],
	    argv[3] ? argv[3] : "", st);
}

/* A zone whose new version a name server must serve before the round. */
struct reload_wait {
	const char *zone, *ns;
};

/* 1. Each changing zone's version for this round replaces the served one. */
static int
install_round_zones(struct dl_lab *lab, const struct dl_lab_round *r,
    struct reload_wait **wait, size_t *n_wait, struct dl_err *err)
{
	bool hup_lab = false, hup_fault = false;

	for (size_t k = 0; k < r->n_zones; k++) {
		const struct dl_zone_spec *z = r->zones[k];
		if (z->n_rounds < 2 || z->n_rounds < r->round || z->served_by == DL_SERVED_DEAD)
			continue;
		char *from = dl_world_zone_file(&lab->world, z->origin, r->round);
		char *to = dl_world_zone_file(&lab->world, z->origin, 0);
		int rc = install_file(from, to, err);
		free(from);
		free(to);
		if (rc < 0)
			return -1;
		bool lab_ns = z->served_by == DL_SERVED_LAB;
		hup_lab |= lab_ns;
		hup_fault |= !lab_ns;
		*wait = dl_xrealloc(*wait, (*n_wait + 1) * sizeof(**wait));
		(*wait)[(*n_wait)++] = (struct reload_wait){ z->origin,
		    lab_ns ? DL_LAB_NS4 : DL_LAB_NS2 };
	}
	struct lab_daemon *nsd = daemon_named(lab, "nsd"), *nsd2 = daemon_named(lab, "nsd2");
	if ((hup_lab && nsd && kill(nsd->pid, SIGHUP) < 0) ||
	    (hup_fault && nsd2 && kill(nsd2->pid, SIGHUP) < 0))
		return dl_errf(err, "cannot signal NSD to reload: %s", strerror(errno));
	return 0;
}

/* 2. Until every name server serves the round's versions (serial now + round - 1). */
static int
wait_serials(struct dl_lab *lab, const struct reload_wait *wait, size_t n_wait, int round,
    long deadline, struct dl_err *err)
{
	uint32_t want = (uint32_t)lab->now + (uint32_t)(round - 1);

	for (size_t i = 0; i < n_wait; i++)
		while (soa_serial(wait[i].ns, wait[i].zone) != want) {
			if (dl_lab_check_alive(lab, err) < 0)
				return -1;
			if (dl_now_ms() > deadline)
				return dl_errf(err, "zone %s: NSD did not load its version for "
				    "round %d within 30 s", wait[i].zone, round);
			nanosleep(&(struct timespec){ 0, 2000000L }, NULL);
		}
	return 0;
}

/* 3. The fault proxy's rules for this round, loaded (its FILE.loaded count grows). */
static int
proxy_rules(struct dl_lab *lab, int round, const char *dns_rules, long deadline,
    struct dl_err *err)
{
	struct lab_daemon *proxy = daemon_named(lab, "dl-faultdns");
	char *rules = dl_xasprintf("%s/faultdns.rules", lab->dir);
	char *marker = dl_xasprintf("%s.loaded", rules);
	struct dl_buf b = DL_BUF_INIT;
	int rc = 0;

	dl_read_file(marker, &b);
	int gen = b.data ? atoi(b.data) : 0;
	if (dl_write_file(rules, dns_rules, strlen(dns_rules)) < 0 ||
	    (proxy && kill(proxy->pid, SIGHUP) < 0))
		rc = dl_errf(err, "cannot hand the fault proxy its rules for round %d: %s",
		    round, strerror(errno));
	while (rc == 0 && proxy) {
		dl_buf_reset(&b);
		dl_read_file(marker, &b);
		if (b.data && atoi(b.data) > gen)
			break;
		if (dl_lab_check_alive(lab, err) < 0)
			rc = -1;
		else if (dl_now_ms() > deadline)
			rc = dl_errf(err, "the fault proxy did not load its rules for round %d "
			    "(see %s)", round, proxy->log);
		else
			nanosleep(&(struct timespec){ 0, 2000000L }, NULL);
	}
	dl_buf_free(&b);
	free(rules);
	free(marker);
	return rc;
}

/*
 * 4. The resolver forgets what it knew below the names: what is tested is
 * the client's own caching, not Unbound's.  Bogus answers and dead servers
 * are remembered apart from the zones' cache entries.
 */
static int
flush_resolver(struct dl_lab *lab, const char *const *names, size_t n_names,
    struct dl_err *err)
{
	char *conf = dl_xasprintf("%s/unbound.conf", lab->dir);
	char *uc[] = { "unbound-control", "-c", conf, "flush_bogus", NULL, NULL };
	int rc = run_tool(uc, err);

	uc[3] = "flush_infra";
	uc[4] = "all";
	if (rc == 0)
		rc = run_tool(uc, err);
	uc[3] = "flush_zone";
	for (size_t i = 0; rc == 0 && i < n_names; i++) {
		uc[4] = (char *)names[i];
		rc = run_tool(uc, err);
	}
	free(conf);
	return rc;
}

int
dl_lab_next_round(struct dl_lab *lab, const struct dl_lab_round *r, struct dl_err *err)
{
	struct reload_wait *wait = NULL;
	size_t n_wait = 0;
	/* Each wait ends as soon as its daemon has the new world; the bound is
	 * for a daemon that never gets there, not for a slow machine. */
	long deadline = dl_now_ms() + 30000;
	int rc = install_round_zones(lab, r, &wait, &n_wait, err);

	if (rc == 0)
		rc = proxy_rules(lab, r->round, r->dns_rules, deadline, err);
	if (rc == 0)
		rc = wait_serials(lab, wait, n_wait, r->round, deadline, err);
	if (rc == 0)
		rc = flush_resolver(lab, r->flush, r->n_flush, err);
	free(wait);
	return rc;
}
