/*
 * lab.c -- bring-up and teardown of the lab (lab.h): the world built and
 * signed, the daemons' configurations written, the daemons started and
 * waited for, their deaths noticed.
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unbound.h>
#include <unistd.h>

#include "lab/addr.h"
#include "lab/sandbox.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/exe.h"
#include "util/log.h"
#include "util/spawn.h"

static void
daemon_log_tail(const struct lab_daemon *d, struct dl_buf *out)
{
	struct dl_buf b = DL_BUF_INIT;

	dl_read_file(d->log, &b);
	size_t len = b.len, start;
	while (len > 0 && b.data[len - 1] == '\n')
		len--;
	int lines = 0;
	for (start = len; start > 0; start--)
		if (b.data[start - 1] == '\n' && ++lines == 3)
			break;
	dl_buf_printf(out, "%s (log %s): %.*s", d->name, d->log, (int)(len - start),
	    b.data ? b.data + start : "");
	dl_buf_free(&b);
}

static int
spawn(struct dl_lab *lab, const char *name, char *const argv[], struct dl_err *err)
{
	struct lab_daemon *d = &lab->d[lab->n_d];
	d->name = name;
	d->log = dl_xasprintf("%s/%s.log", lab->dir, name);
	struct dl_spawn sp = { .argv = argv, .out = d->log, .err = d->log, .append = true };
	d->pid = dl_spawn(&sp, err);
	if (d->pid < 0)
		return -1;
	lab->n_d++;
	return 0;
}

/* A death is remembered: every later check reports it too. */
int
dl_lab_check_alive(struct dl_lab *lab, struct dl_err *err)
{
	for (size_t i = 0; i < lab->n_d && lab->died == NULL; i++) {
		int st;
		if (lab->d[i].pid > 0 && waitpid(lab->d[i].pid, &st, WNOHANG) == lab->d[i].pid) {
			struct dl_buf b = DL_BUF_INIT;
			lab->d[i].pid = 0;
			daemon_log_tail(&lab->d[i], &b);
			lab->died = dl_xasprintf("%s exited (status %d): %s", lab->d[i].name,
			    WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), b.data);
			dl_buf_free(&b);
		}
	}
	return lab->died ? dl_errf(err, "%s", lab->died) : 0;
}

static int
write_nsd_conf(struct dl_lab *lab, const char *name, const char *const *addrs,
    const char *zones_conf, char **conf_out, struct dl_err *err)
{
	struct dl_buf c = DL_BUF_INIT;
	char *d = dl_xasprintf("%s/%s", lab->dir, name);

	mkdir(d, 0755);
	dl_buf_adds(&c, "server:\n");
	for (; *addrs; addrs++)
		dl_buf_printf(&c, "  ip-address: %s\n", *addrs);
	/* Everything local to the lab: no privileges to drop in the sandbox, no
	 * database, and no rate limiting (all lab traffic shares one /8). */
	dl_buf_printf(&c, "  port: 53\n  username: \"\"\n  chroot: \"\"\n  database: \"\"\n"
	    "  zonesdir: \"\"\n  pidfile: \"%s/nsd.pid\"\n  xfrdfile: \"%s/xfrd.state\"\n"
	    "  zonelistfile: \"%s/zone.list\"\n  xfrdir: \"%s\"\n  logfile: \"%s/nsd.log\"\n"
	    "  server-count: 1\n  verbosity: 1\n  hide-version: yes\n  reuseport: no\n"
	    "  rrl-ratelimit: 0\n  rrl-whitelist-ratelimit: 0\n  rrl-size: 1000\n"
	    "  tcp-count: 200\n  round-robin: no\n"
	    "remote-control:\n  control-enable: no\n"
	    "include: \"%s\"\n", d, d, d, d, d, zones_conf);
	*conf_out = dl_xasprintf("%s/nsd.conf", d);
	int rc = dl_write_file(*conf_out, c.data, c.len);
	dl_buf_free(&c);
	free(d);
	return rc < 0 ? dl_errf(err, "%s: %s", *conf_out, strerror(errno)) : 0;
}

static int
write_unbound_conf(struct dl_lab *lab, char **conf_out, struct dl_err *err)
{
	struct dl_buf c = DL_BUF_INIT;

	/* test. is not a local zone, localhost may be queried, no cache tricks
	 * that would let one case see another's answers.
	 *
	 * The timeouts (docs/lab.md, "Resolver timing"): Unbound doubles a
	 * server's timeout on every loss and declares it unusable once the
	 * timeout reaches infra-cache-max-rtt.  At 100/250 ms two lost replies
	 * did that to NSD under a Postfix herd on 2 cores, and every lookup of
	 * every case through it failed: the lab's fault blamed on the client.
	 * 100/1000 takes four losses in a row (1.5 s without one answer), and
	 * keep-probing lets the next lookup retry a server so marked.  Declared
	 * faults (server=dead, $DNSFAULT drop) pay that 1.5 s once, in the
	 * fixture proof, which runs every probe at once. */
	dl_buf_printf(&c, "server:\n  interface: 127.0.0.1\n  interface: ::1\n  port: 53\n"
	    "  username: \"\"\n  chroot: \"\"\n  directory: \"%s\"\n  pidfile: \"%s/unbound.pid\"\n"
	    "  logfile: \"%s/unbound.log\"\n  use-syslog: no\n  log-time-ascii: yes\n"
	    "  log-queries: yes\n  verbosity: 1\n  val-log-level: 2\n  log-servfail: yes\n"
	    "  num-threads: 1\n  so-reuseport: no\n  do-ip6: yes\n"
	    "  do-not-query-localhost: no\n  access-control: 127.0.0.0/8 allow\n"
	    "  access-control: ::1/128 allow\n  root-hints: \"%s\"\n"
	    "  trust-anchor-file: \"%s\"\n  local-zone: \"test.\" nodefault\n"
	    "  qname-minimisation: no\n  aggressive-nsec: no\n  prefetch: no\n"
	    "  target-fetch-policy: \"0 0 0 0 0\"\n  harden-referral-path: no\n"
	    "  unknown-server-time-limit: 100\n  infra-cache-max-rtt: 1000\n  infra-keep-probing: yes\n"
	    "  cache-max-negative-ttl: 5\n  val-bogus-ttl: 5\n  minimal-responses: no\n"
	    "remote-control:\n  control-enable: yes\n  control-interface: \"%s/unbound.ctl\"\n"
	    "  control-use-cert: no\n",
	    lab->dir, lab->dir, lab->dir, lab->world.root_hints, lab->world.trust_anchor,
	    lab->dir);
	*conf_out = dl_xasprintf("%s/unbound.conf", lab->dir);
	int rc = dl_write_file(*conf_out, c.data, c.len);
	dl_buf_free(&c);
	return rc < 0 ? dl_errf(err, "%s: %s", *conf_out, strerror(errno)) : 0;
}

/* One query to addr, waiting up to wait_ms for each of `tries` sends; *ad_out
 * tells whether the AD bit was set. */
static ldns_pkt_rcode
dns_query(const char *addr, const char *qname, ldns_rr_type type, bool *ad_out,
    bool *answered, long wait_ms, int tries)
{
	ldns_resolver *res = ldns_resolver_new();
	ldns_rdf *ns = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, addr);
	ldns_rdf *name = ldns_dname_new_frm_str(qname);
	ldns_pkt *p = NULL;
	ldns_pkt_rcode rc = LDNS_RCODE_SERVFAIL;

	*answered = false;
	ldns_resolver_push_nameserver(res, ns);
	ldns_resolver_set_retry(res, (uint8_t)tries);
	ldns_resolver_set_dnssec(res, true);
	struct timeval tv = { wait_ms / 1000, (wait_ms % 1000) * 1000 };
	ldns_resolver_set_timeout(res, tv);
	if (ldns_resolver_query_status(&p, res, name, type, LDNS_RR_CLASS_IN,
	    LDNS_RD) == LDNS_STATUS_OK && p) {
		*answered = true;
		*ad_out = ldns_pkt_ad(p);
		rc = ldns_pkt_get_rcode(p);
	}
	ldns_pkt_free(p);
	ldns_rdf_deep_free(name);
	ldns_rdf_deep_free(ns);
	ldns_resolver_deep_free(res);
	return rc;
}

/* Readiness is polled: a query sent before a daemon listens is simply lost
 * over UDP, so a long wait per query only delays the lab. */
#define READY_POLL_MS 20

/* Ready when the resolver gives the root SOA with AD: the whole chain works. */
static int
wait_ready(struct dl_lab *lab, struct dl_err *err)
{
	int64_t deadline = dl_now_ms() + 30000;

	while (dl_now_ms() < deadline) {
		bool ad = false, answered = false;
		if (dl_lab_check_alive(lab, err) < 0)
			return -1;
		/* The fault proxy must answer too (anything: it relays a REFUSED
		 * for the root from NSD #2), or fixture probes would race it. */
		bool proxy_up = !lab->has_proxy;
		if (!proxy_up) {
			bool ad2, up2 = false;
			dns_query(DL_LAB_FAULT, ".", LDNS_RR_TYPE_SOA, &ad2, &proxy_up,
			    READY_POLL_MS, 1);
			dns_query(DL_UNTRUSTED_RESOLVER, ".", LDNS_RR_TYPE_SOA, &ad2, &up2,
			    READY_POLL_MS, 1);
			proxy_up &= up2;
		}
		if (proxy_up && dns_query(DL_LAB_RESOLVER, ".", LDNS_RR_TYPE_SOA, &ad,
		    &answered, READY_POLL_MS, 1) == LDNS_RCODE_NOERROR && ad)
			return 0;
		if (!answered) {
			struct timespec ts = { 0, 2000000L };
			nanosleep(&ts, NULL);
		}
	}
	struct dl_buf b = DL_BUF_INIT;
	for (size_t i = 0; i < lab->n_d; i++) {
		daemon_log_tail(&lab->d[i], &b);
		dl_buf_adds(&b, "; ");
	}
	dl_errf(err, "no secure answer from the lab resolver within 30 s: %s", b.data);
	dl_buf_free(&b);
	return -1;
}

static struct dl_zone_spec
root_zone(const char *origin)
{
	struct dl_zone_spec z = { 0 };
	z.origin = (char *)origin;
	z.mode = DL_ZONE_SECURE;
	return z;
}

/*
 * The lab's self-check: a client must see every mail host as remote.  An
 * MTA whose own interface holds an MX host's address treats that MX as
 * itself (Exim: "lowest numbered MX record points to local host", Postfix:
 * "mail for X loops back to myself") and defers without connecting, which
 * would pass for a verdict.  Mail hosts live on a local route, never on an
 * interface; this proves it before any client runs.  The message names no
 * case file: the fault is the lab's, so the whole run fails.
 */
static int
mail_hosts_remote(const struct dl_lab_spec *spec, struct dl_err *err)
{
	char ifname[64];

	for (size_t i = 0; i < spec->n_hosts; i++) {
		int own = dl_sandbox_own_addr(spec->hosts[i].addr, ifname, sizeof(ifname), err);
		if (own < 0)
			return -1;
		if (own)
			return dl_errf(err, "lab self-check: mail host %s has address %s, "
			    "which is an address of the lab's interface %s: a client would "
			    "take that host for itself", spec->hosts[i].who,
			    spec->hosts[i].addr, ifname);
	}
	return 0;
}

struct dl_lab *
dl_lab_up(const struct dl_lab_spec *spec, struct dl_err *err)
{
	struct dl_lab *lab = dl_xcalloc(1, sizeof(*lab));
	struct dl_world w = { 0 };
	char *nsd1 = NULL, *nsd2 = NULL, *ub = NULL;
	time_t now = spec->now;

	lab->dir = dl_xasprintf("%s/lab", spec->rundir);
	lab->now = now;
	mkdir(lab->dir, 0755);
	w.zones = dl_xcalloc(spec->n_zones + 2, sizeof(*w.zones));
	w.zones[w.n_zones++] = root_zone(".");
	w.zones[w.n_zones++] = root_zone("test.");
	for (size_t k = 0; k < spec->n_zones; k++)
		w.zones[w.n_zones++] = spec->zones[k];
	w.addrs.lab_ns4 = DL_LAB_NS4;
	w.addrs.lab_ns6 = DL_LAB_NS6;
	w.addrs.fault_ns4 = DL_LAB_FAULT;
	w.addrs.dead_ns4 = DL_LAB_DEAD;
	/* The name servers' and the client host's addresses are the lab's
	   own; the mail hosts' are not (docs/architecture.md, "Topology"). */
	if (dl_sandbox_add_addr(DL_LAB_NS6, err) < 0 ||
	    dl_sandbox_add_addr(DL_LAB_CLIENT4, err) < 0 ||
	    dl_sandbox_add_local_route6(DL_LAB_MAIL6, DL_LAB_MAIL6_LEN, err) < 0 ||
	    mail_hosts_remote(spec, err) < 0)
		goto fail;
	char *wdir = dl_xasprintf("%s/world", lab->dir);
	long t0 = dl_now_ms();
	int rc = dl_world_build(&w, wdir, now, &lab->world, err);
	free(wdir);
	if (rc < 0)
		goto fail;
	long t1 = dl_now_ms();
	const char *a1[] = { DL_LAB_NS4, DL_LAB_NS6, NULL }, *a2[] = { DL_LAB_NS2, NULL };
	if (write_nsd_conf(lab, "nsd", a1, lab->world.nsd_lab_conf, &nsd1, err) < 0 ||
	    write_nsd_conf(lab, "nsd2", a2, lab->world.nsd_fault_conf, &nsd2, err) < 0 ||
	    write_unbound_conf(lab, &ub, err) < 0)
		goto fail;
	char *rules = dl_xasprintf("%s/faultdns.rules", lab->dir);
	dl_write_file(rules, spec->dns_rules, strlen(spec->dns_rules));
	char *argv1[] = { "nsd", "-d", "-c", nsd1, NULL };
	char *argv2[] = { "nsd", "-d", "-c", nsd2, NULL };
	char *fdns = dl_xasprintf("%s/dl-faultdns", spec->bindir);
	char *served = dl_xasprintf("%s/served", lab->world.zone_dir);
	char *argv3[] = { fdns, "--listen", DL_LAB_FAULT, "--upstream", DL_LAB_NS2,
	    "--rules", rules, "--served", served, NULL };
	char *argv4[] = { "unbound", "-d", "-c", ub, NULL };
	char *prules = dl_xasprintf("%s/untrusted-path.rules", lab->dir);
	dl_write_file(prules, spec->path_rules, strlen(spec->path_rules));
	char *argv5[] = { fdns, "--listen", DL_UNTRUSTED_RESOLVER, "--upstream", DL_LAB_RESOLVER,
	    "--rules", prules, "--set-ad", NULL };
	rc = spawn(lab, "nsd", argv1, err);
	if (rc == 0)
		rc = spawn(lab, "nsd2", argv2, err);
	if (rc == 0) {
		rc = spawn(lab, "dl-faultdns", argv3, err);
		lab->has_proxy = rc == 0;
	}
	if (rc == 0)
		rc = spawn(lab, "unbound", argv4, err);
	if (rc == 0)
		rc = spawn(lab, "untrusted-path", argv5, err);
	free(fdns);
	free(rules);
	free(served);
	free(prules);
	if (rc < 0 || wait_ready(lab, err) < 0)
		goto fail;
	log_debug("lab", "world: %zu zones built and signed in %ld ms; daemons up to the "
	    "first secure answer in %ld ms", w.n_zones, t1 - t0, dl_now_ms() - t1);
	free(nsd1);
	free(nsd2);
	free(ub);
	free(w.zones);
	return lab;
fail:
	free(nsd1);
	free(nsd2);
	free(ub);
	free(w.zones);
	dl_lab_down(lab);
	return NULL;
}

/* Peak resident memory of a daemon, from /proc (kB), or -1. */
static long
peak_rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

long
dl_lab_peak_rss_kb(const struct dl_lab *lab)
{
	long total = 0;

	for (size_t i = 0; i < lab->n_d; i++) {
		long kb = lab->d[i].pid > 0 ? peak_rss_kb(lab->d[i].pid) : -1;
		if (kb > 0) {
			total += kb;
			log_debug("lab", "%s peak RSS %ld kB", lab->d[i].name, kb);
		}
	}
	return total;
}

void
dl_lab_down(struct dl_lab *lab)
{
	long t0 = dl_now_ms();

	if (lab == NULL)
		return;
	log_debug("lab", "daemons' peak RSS together: %ld kB", dl_lab_peak_rss_kb(lab));
	for (size_t i = 0; i < lab->n_d; i++)
		if (lab->d[i].pid > 0)
			kill(lab->d[i].pid, SIGTERM);
	for (size_t i = 0; i < lab->n_d; i++) {
		bool timed_out;
		if (lab->d[i].pid > 0 &&
		    (dl_wait_child(lab->d[i].pid, dl_now_ms() + 1000, &timed_out) < 0 || timed_out))
			kill(lab->d[i].pid, SIGKILL);
		free(lab->d[i].log);
	}
	log_debug("lab", "teardown of the daemons took %ld ms", dl_now_ms() - t0);
	dl_world_out_free(&lab->world);
	free(lab->died);
	free(lab->dir);
	free(lab);
}

const char *
dl_lab_trust_anchor(const struct dl_lab *lab)
{
	return lab->world.trust_anchor;
}

const char *
dl_lab_zone_dir(const struct dl_lab *lab)
{
	return lab->world.zone_dir;
}

const char *
dl_lab_resolver_log(const struct dl_lab *lab)
{
	for (size_t i = 0; i < lab->n_d; i++)
		if (strcmp(lab->d[i].name, "unbound") == 0)
			return lab->d[i].log;
	return "/dev/null";
}

void
dl_lab_describe(const struct dl_lab *lab, struct dl_buf *out)
{
	dl_buf_printf(out, "resolver: 127.0.0.1 and ::1 (Unbound, validating from the lab "
	    "root); an untrusted path to it at %s (claims AD on everything)\n"
	    "name servers: %s, %s (NSD), %s (NSD #2 behind the fault proxy at %s)\n",
	    DL_UNTRUSTED_RESOLVER, DL_LAB_NS4, DL_LAB_NS6, DL_LAB_NS2, DL_LAB_FAULT);
	for (size_t i = 0; i < lab->n_d; i++)
		dl_buf_printf(out, "  %-12s pid %ld, log %s\n", lab->d[i].name,
		    (long)lab->d[i].pid, lab->d[i].log);
	dl_buf_printf(out, "zones: %s\n", lab->world.zone_dir);
}

void
lab_ad_bit(const char *qname, int qtype, bool *ad, bool *answered)
{
	dns_query(DL_LAB_RESOLVER, qname, (ldns_rr_type)qtype, ad, answered, 2000, 3);
}
