/*
 * zones-bench -- build and sign a world of N zones, R times; print each
 * run and the median in ms.  `zones-bench [N [R]]` (defaults 200, 5).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/clock.h"
#include "zones/world.h"

static int
cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 200, runs = argc > 2 ? atoi(argv[2]) : 5;
	struct dl_zone_spec *z = dl_xcalloc((size_t)n + 2, sizeof(*z));
	/* A typical case zone: MX, two hosts, a TLSA record. */
	static struct dl_zone_record recs[] = {
		{ "@ MX 10 mx1", { NULL, 0 }, 0 }, { "mx1 A 127.16.0.1", { NULL, 0 }, 0 },
		{ "mx2 A 127.16.0.2", { NULL, 0 }, 0 },
		{ "_25._tcp.mx1 TLSA 3 1 1 0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6", { NULL, 0 }, 0 },
	};
	char tmpl[] = "/tmp/danelab-zones-bench.XXXXXX";
	long *ms = dl_xcalloc((size_t)runs, sizeof(long));

	if (n < 1 || runs < 1 || mkdtemp(tmpl) == NULL)
		return 2;
	z[0] = (struct dl_zone_spec){ .origin = ".", .mode = DL_ZONE_SECURE };
	z[1] = (struct dl_zone_spec){ .origin = "test.", .mode = DL_ZONE_SECURE };
	for (int i = 0; i < n; i++) {
		z[i + 2].origin = dl_xasprintf("case%d.test.", i);
		z[i + 2].mode = DL_ZONE_SECURE;
		z[i + 2].records = recs;
		z[i + 2].n_records = 4;
	}
	struct dl_world w = { z, (size_t)n + 2, { "127.0.53.1", NULL, "127.0.54.1", "127.0.55.1" } };
	for (int r = 0; r < runs; r++) {
		struct dl_world_out out;
		struct dl_err err;
		char *dir = dl_xasprintf("%s/run%d", tmpl, r);
		long t0 = dl_now_ms();
		if (dl_world_build(&w, dir, time(NULL), &out, &err) < 0) {
			fprintf(stderr, "zones-bench: %s\n", err.msg);
			return 1;
		}
		ms[r] = dl_now_ms() - t0;
		printf("  run %d: %d zones (+ root, test.) built and signed in %ld ms\n", r + 1, n, ms[r]);
		dl_world_out_free(&out);
		char *cmd = dl_xasprintf("rm -rf '%s'", dir);
		if (system(cmd) != 0)
			return 1;
		free(cmd);
		free(dir);
	}
	qsort(ms, (size_t)runs, sizeof(long), cmp_long);
	printf("  median: %ld ms for %d zones (ECDSA P-256, NSEC)\n", ms[runs / 2], n);
	rmdir(tmpl);
	for (int i = 0; i < n; i++)
		free(z[i + 2].origin);
	free(z);
	free(ms);
	return 0;
}
