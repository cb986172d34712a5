/*
 * verdict.h -- the verdict vocabulary used by every report.
 */
#ifndef DL_RUNNER_VERDICT_H
#define DL_RUNNER_VERDICT_H

#include <stdbool.h>

/*
 * Precedence when several results combine for one case (worst first):
 * ERROR > FAIL > NON-STRICT > INFO > PASS.  UNSUPPORTED and SKIP mean the
 * client was not judged; XFAIL/XPASS come from the adapter's expectations
 * file after the verdict is known.
 */
enum dl_verdict {
	DL_V_PASS = 0,
	DL_V_INFO,        /* optional behaviour differs: value recorded */
	DL_V_NONSTRICT,   /* a SHOULD broken */
	DL_V_FAIL,        /* a MUST broken */
	DL_V_ERROR,       /* the lab or the harness failed; observers disagree */
	DL_V_UNSUPPORTED, /* the adapter declared it cannot do this */
	DL_V_SKIP,        /* filtered out */
	DL_V_XFAIL,       /* a listed known deviation of this adapter */
	DL_V_XPASS,       /* listed as deviation but passed: the list is stale */
	DL_V_COUNT
};

const char *dl_verdict_name(enum dl_verdict v);
/* Lower-case form for JSON/JUnit ("non-strict"). */
const char *dl_verdict_slug(enum dl_verdict v);
int dl_verdict_parse(const char *s, enum dl_verdict *out);
/* Counted as passed / failed / skipped in the closing summary line. */
bool dl_verdict_is_failure(enum dl_verdict v);
bool dl_verdict_is_skip(enum dl_verdict v);
/* The worse of two judged verdicts (PASS..ERROR only). */
enum dl_verdict dl_verdict_worst(enum dl_verdict a, enum dl_verdict b);

#endif
