/*
 * result.h -- the outcome of one case in one run, as reports see it.
 */
#ifndef DL_RUNNER_RESULT_H
#define DL_RUNNER_RESULT_H

#include <stdbool.h>

#include "runner/case.h"
#include "runner/verdict.h"

struct dl_case_result {
	const struct dl_case *c;  /* not owned */
	enum dl_verdict verdict;
	char *reasons;            /* "file:line: got X, want Y" lines; may be "" */
	char *observed;           /* one-line summary of what happened */
	char *expected;           /* the disposition expectation as written */
	char *xfail_reason;       /* from the adapter's expectations file */
	char *client_reason;      /* the client's own words (adapter "reason"), or NULL */
	char *evidence_dir;       /* the kept evidence directory (absolute); NULL
	                             unless --keep */
	long duration_ms;
	bool duration_is_average; /* batch mode: the batch's time over its cases */
	int repeat;               /* iteration for --repeat, from 1 */
};

void dl_case_result_free(struct dl_case_result *r);

#endif
