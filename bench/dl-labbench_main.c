/*
 * dl-labbench -- the lab on its own, through lab/lab.h alone (no case
 * types): a world of N zones in every DNSSEC state the lab serves, brought
 * up, proven, switched to a second round and taken down, R times.
 *
 *   dl-labbench [--zones N] [--runs R] [--bindir DIR]   (defaults 30, 5)
 *
 * Prints one line per run (bring-up, proof, round switch, teardown in ms;
 * the daemons' peak RSS summed) and the medians.  Exits 1 if any probe got
 * another status than the world implies, so tests/e2e/lab.sh runs it once
 * as a test of the lab module; the timings are for bench/ only.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lab/addr.h"
#include "lab/lab.h"
#include "lab/sandbox.h"
#include "util/buf.h"
#include "util/clock.h"

static int
cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

static long
median(long *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_long);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Zone k's state, cycling through what a case can declare. */
enum kind { K_SECURE, K_INSECURE, K_BOGUS, K_FAULT, K_DEAD, K_COUNT };

struct world {
	struct dl_zone_spec *zones;
	struct dl_zone_record *recs;  /* two per zone */
	size_t n;
	struct dl_buf rules;
	struct dl_lab_probe *probes;  /* round 1, then round 2 */
	size_t n_probes, n_round2;
	char **names;                 /* owned probe names */
};

static void
probe(struct world *w, const char *name, const char *type, enum dl_lab_status want)
{
	size_t k = w->n_probes++;

	w->names[k] = dl_xstrdup(name);
	w->probes[k] = (struct dl_lab_probe){ .qname = w->names[k], .qtype = type,
	    .want = want };
}

static void
world_build(struct world *w, size_t n)
{
	static const enum dl_lab_status soa_want[K_COUNT] = {
		[K_SECURE] = DL_LAB_SECURE, [K_INSECURE] = DL_LAB_INSECURE,
		[K_BOGUS] = DL_LAB_BOGUS, [K_FAULT] = DL_LAB_SECURE, [K_DEAD] = DL_LAB_SERVFAIL,
	};
	static const enum dl_zone_mode mode[K_COUNT] = {
		[K_SECURE] = DL_ZONE_SECURE, [K_INSECURE] = DL_ZONE_INSECURE,
		[K_BOGUS] = DL_ZONE_BOGUS_EXPIRED, [K_FAULT] = DL_ZONE_SECURE,
		[K_DEAD] = DL_ZONE_SECURE,
	};
	char name[256];

	memset(w, 0, sizeof(*w));
	w->n = n;
	w->zones = dl_xcalloc(n, sizeof(*w->zones));
	w->recs = dl_xcalloc(2 * n, sizeof(*w->recs));
	w->probes = dl_xcalloc(3 * n + 1, sizeof(*w->probes));
	w->names = dl_xcalloc(3 * n + 1, sizeof(*w->names));
	for (size_t i = 0; i < n; i++) {
		enum kind k = (enum kind)(i % K_COUNT);
		struct dl_zone_spec *z = &w->zones[i];
		z->origin = dl_xasprintf("z%zu.test.", i);
		z->mode = mode[k];
		z->served_by = k == K_FAULT ? DL_SERVED_FAULT : k == K_DEAD ? DL_SERVED_DEAD :
		    DL_SERVED_LAB;
		char *a = dl_lab_mail_addr4((int)i, 1);
		w->recs[2 * i] = (struct dl_zone_record){ dl_xasprintf("www A %s", a),
		    { NULL, 0 }, 0 };
		/* Round 2 adds a name to every secure zone on the lab's NSD. */
		w->recs[2 * i + 1] = (struct dl_zone_record){ dl_xasprintf("new A %s", a),
		    { NULL, 0 }, 2 };
		free(a);
		z->records = &w->recs[2 * i];
		z->n_records = k == K_SECURE ? 2 : 1;
		z->n_rounds = k == K_SECURE ? 2 : 1;
		probe(w, z->origin, "SOA", soa_want[k]);
		snprintf(name, sizeof(name), "www.%s", z->origin);
		if (k == K_FAULT) {
			dl_buf_printf(&w->rules, "%s A servfail\n", name);
			probe(w, name, "A", DL_LAB_SERVFAIL);
		}
	}
	/* Round 2: what changed must show, from the resolver's cold cache. */
	for (size_t i = 0; i < n; i += K_COUNT) {
		snprintf(name, sizeof(name), "new.%s", w->zones[i].origin);
		probe(w, name, "A", DL_LAB_SECURE);
		w->n_round2++;
	}
}

static void
world_free(struct world *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->zones[i].origin);
	for (size_t i = 0; i < 2 * w->n; i++)
		free(w->recs[i].text);
	for (size_t i = 0; i < w->n_probes; i++)
		free(w->names[i]);
	free(w->zones);
	free(w->recs);
	free(w->probes);
	free(w->names);
	dl_buf_free(&w->rules);
}

/* Prove probes [from, from + n): how many failed; each failure printed. */
static int
prove(struct dl_lab *lab, struct dl_lab_probe *p, size_t n)
{
	struct dl_err err;
	int bad = 0;

	if (dl_lab_prove(lab, p, n, &err) < 0) {
		fprintf(stderr, "dl-labbench: %s\n", err.msg);
		return (int)n;
	}
	for (size_t i = 0; i < n; i++)
		if (!p[i].ok) {
			bad++;
			fprintf(stderr, "dl-labbench: %s %s: %s, want %s%s%s\n", p[i].qname,
			    p[i].qtype, dl_lab_status_name(p[i].got), dl_lab_status_name(p[i].want),
			    p[i].why[0] ? " -- " : "", p[i].why);
		}
	return bad;
}

static int
one_run(struct world *w, const char *rundir, const char *bindir, long *ms)
{
	struct dl_err err;
	struct dl_lab_spec spec = { .rundir = rundir, .bindir = bindir, .zones = w->zones,
	    .n_zones = w->n, .dns_rules = w->rules.data ? w->rules.data : "",
	    .path_rules = "", .now = time(NULL) };
	size_t first = w->n_probes - w->n_round2;
	long t0 = dl_now_ms();
	struct dl_lab *lab = dl_lab_up(&spec, &err);

	if (lab == NULL) {
		fprintf(stderr, "dl-labbench: the lab did not come up: %s\n", err.msg);
		return -1;
	}
	long t1 = dl_now_ms();
	int bad = prove(lab, w->probes, first);
	long t2 = dl_now_ms();
	const struct dl_zone_spec **moving = dl_xcalloc(w->n + 1, sizeof(*moving));
	const char **flush = dl_xcalloc(w->n + 1, sizeof(*flush));
	struct dl_lab_round round = { .round = 2, .zones = moving, .flush = flush,
	    .dns_rules = spec.dns_rules };
	for (size_t i = 0; i < w->n; i++)
		if (w->zones[i].n_rounds > 1) {
			moving[round.n_zones++] = &w->zones[i];
			flush[round.n_flush++] = w->zones[i].origin;
		}
	if (dl_lab_next_round(lab, &round, &err) < 0) {
		fprintf(stderr, "dl-labbench: round 2: %s\n", err.msg);
		bad++;
	}
	long t3 = dl_now_ms();
	bad += prove(lab, w->probes + first, w->n_round2);
	ms[4] = dl_lab_peak_rss_kb(lab);
	long t4 = dl_now_ms();
	dl_lab_down(lab);
	ms[0] = t1 - t0;
	ms[1] = t2 - t1;
	ms[2] = t3 - t2;
	ms[3] = dl_now_ms() - t4;
	free(moving);
	free(flush);
	return bad;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "zones", required_argument, NULL, 'z' }, { "runs", required_argument, NULL, 'r' },
		{ "bindir", required_argument, NULL, 'b' }, { NULL, 0, NULL, 0 },
	};
	int zones = 30, runs = 5, ch;
	char bindir[PATH_MAX], cwd[PATH_MAX];
	struct dl_sandbox_info info;
	struct dl_err err;

	/* The lab's own tools sit beside this program. */
	if (realpath(argv[0], bindir) == NULL)
		snprintf(bindir, sizeof(bindir), "bin/x");
	*strrchr(bindir, '/') = '\0';
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'z': zones = atoi(optarg); break;
		case 'r': runs = atoi(optarg); break;
		case 'b': snprintf(bindir, sizeof(bindir), "%s", optarg); break;
		default:
			fprintf(stderr, "usage: dl-labbench [--zones N] [--runs R] [--bindir DIR]\n");
			return 2;
		}
	}
	if (zones < K_COUNT || zones > 4000 || runs < 1 || runs > 100 ||
	    getcwd(cwd, sizeof(cwd)) == NULL) {
		fprintf(stderr, "dl-labbench: --zones %d..4000, --runs 1..100\n", K_COUNT);
		return 2;
	}
	const char *keep[] = { cwd, bindir };
	struct dl_sandbox_opts so = { .keep = keep, .n_keep = 2 };
	if (dl_sandbox_enter(&so, &info, &err) < 0) {
		fprintf(stderr, "dl-labbench: cannot enter the lab sandbox: %s\n", err.msg);
		return 2;
	}
	struct world w;
	world_build(&w, (size_t)zones);
	long *col[5];
	for (int c = 0; c < 5; c++)
		col[c] = dl_xcalloc((size_t)runs, sizeof(long));
	int bad = 0;
	for (int r = 0; r < runs; r++) {
		long ms[5] = { 0 };
		char *dir = dl_xasprintf("%s/labbench-%d", info.scratch, r);
		mkdir(dir, 0755);
		int b = one_run(&w, dir, bindir, ms);
		free(dir);
		if (b < 0)
			return 1;
		bad += b;
		printf("run %d: %d zones, %zu probes: bring-up %ld ms, proof %ld ms, "
		    "round switch %ld ms, teardown %ld ms, daemons' peak RSS %ld kB%s\n", r + 1,
		    zones, w.n_probes, ms[0], ms[1], ms[2], ms[3], ms[4], b ? " (PROBES FAILED)" : "");
		for (int c = 0; c < 5; c++)
			col[c][r] = ms[c];
	}
	printf("median of %d: bring-up %ld ms, proof %ld ms, round switch %ld ms, teardown %ld ms, "
	    "daemons' peak RSS %ld kB\n", runs, median(col[0], runs), median(col[1], runs),
	    median(col[2], runs), median(col[3], runs), median(col[4], runs));
	printf("%d probe(s) failed\n", bad);
	for (int c = 0; c < 5; c++)
		free(col[c]);
	world_free(&w);
	return bad ? 1 : 0;
}
