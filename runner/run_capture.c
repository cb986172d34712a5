/*
 * run_capture.c -- packets as evidence: while a run keeps evidence, the
 * lab's loopback is captured (lab/capture.c) from the start of the client
 * phase, and each kept case gets its own slice of the capture and of the
 * mock servers' TLS key log (runner/evidence_pcap.c).  An ordinary run
 * captures nothing and pays nothing.
 */
#include <stdio.h>
#include <stdlib.h>

#include "lab/capture.h"
#include "lab/lab.h"
#include "lab/smtpd_ctl.h"
#include "runner/evidence_pcap.h"
#include "runner/run_internal.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/log.h"

void
run_capture_start(struct run *r)
{
	struct dl_err err;
	char *path, *log;

	if (r->o->keep_dir == NULL)
		return;
	path = dl_xasprintf("%s/capture.pcap", r->rundir);
	log = dl_xasprintf("%s/capture.log", r->rundir);
	r->capture = dl_capture_start(r->o->paths->bindir, "lo", path, log, &err);
	/* Evidence without packets is still evidence: say so, run on. */
	if (r->capture == NULL)
		fprintf(stderr, "danelab: no packet capture for this run: %s\n", err.msg);
	free(path);
	free(log);
}

void
run_capture_finish(struct run *r)
{
	struct dl_err err;
	struct dl_pcap_case *pc;
	size_t n = 0;
	char *path;

	if (r->capture == NULL)
		return;
	path = dl_xstrdup(dl_capture_path(r->capture));
	if (dl_capture_stop(r->capture, &err) < 0)
		fprintf(stderr, "danelab: packet capture: %s\n", err.msg);
	r->capture = NULL;
	pc = dl_xcalloc(r->n + 1, sizeof(*pc));
	for (size_t i = 0; i < r->n; i++) {
		struct rcase *rc = &r->cases[i];
		if (rc->top_dir == NULL)
			continue;
		pc[n++] = (struct dl_pcap_case){ .id = rc->c->id, .index = rc->index,
		    .dir = rc->top_dir };
	}
	long t0 = dl_now_ms();
	if (dl_pcap_slice(path, r->smtpd ? dl_smtpd_ctl_keylog_path(r->smtpd) : NULL, pc, n,
	    &err) < 0)
		fprintf(stderr, "danelab: cutting the packet capture per case: %s\n", err.msg);
	log_debug("capture", "%zu case captures cut in %ld ms", n, dl_now_ms() - t0);
	free(pc);
	free(path);
}
