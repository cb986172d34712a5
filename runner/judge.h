/*
 * judge.h -- compare a case's expectations with what was observed.
 *
 * The expectation vocabulary (cases/FORMAT.md, "Expectations") lives here
 * and only here: dl_expect_lint() checks the words, dl_judge() evaluates
 * them.  Grading: a failed expectation counts at its level (required ->
 * FAIL, recommended -> NON-STRICT, optional -> INFO); the case's verdict is
 * the worst of them.  Before any expectation is evaluated the observers are
 * cross-checked; when they contradict each other the verdict is ERROR and
 * the report carries all three views.
 */
#ifndef DL_RUNNER_JUDGE_H
#define DL_RUNNER_JUDGE_H

#include "runner/case.h"
#include "runner/observe.h"
#include "runner/verdict.h"
#include "util/buf.h"

struct dl_judgement {
	enum dl_verdict verdict;
	struct dl_buf reasons;  /* one "file:line: got X, want Y" per line */
	char *observed;         /* "delivered via mx1 (dane)" */
	char *expected;         /* the disposition expectation as written */
};

/* Check every expect line's words; problems go to diag as file:line. */
void dl_expect_lint(const struct dl_case *c, struct dl_diag *diag);

/*
 * Judge delivery `round` (1, or 2.. for a case with `then` lines) against
 * the expectations of that round; o holds that delivery's evidence only.
 * apex: the case apex, absolute without the trailing dot ("x.test").
 */
void dl_judge(const struct dl_case *c, int round, const char *apex,
	const struct dl_observed *o, struct dl_judgement *j);
void dl_judgement_free(struct dl_judgement *j);
/* The verdict for a broken expectation of a case at level l: FAIL for a
 * MUST, NON-STRICT for a SHOULD, INFO for latitude (also judge_probe.c). */
enum dl_verdict dl_level_verdict(enum dl_level l);
/* A delivery the lab spoiled (o->lab_fault: the resolver could not reach a
 * name server the case did not declare faulty) is ERROR, whatever the client
 * did: true, with j's verdict and reason set (also judge_probe.c). */
bool dl_judge_lab_fault(const struct dl_case *c, const struct dl_observed *o,
	struct dl_judgement *j);
/* One alternative of an expectation, judged on its own (no disposition is
   known: for host, resolver and log facts); judge_probe.c uses it. */
bool dl_judge_alt_holds(const struct dl_case *c, const char *apex,
	const struct dl_observed *o, const struct dl_words *a);

#endif
