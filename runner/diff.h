/*
 * diff.h -- what changed between two JSON reports (docs/report-schema.json):
 * per case, a regression (worse), a fix (better), a changed verdict or
 * changed reasons of the same standing, a new or a removed case.  Rendered
 * as Markdown fit for a pull-request comment.
 */
#ifndef DL_RUNNER_DIFF_H
#define DL_RUNNER_DIFF_H

#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/json.h"

enum dl_change {
	DL_CH_REGRESSION,   /* the client does worse (or the case newly errors) */
	DL_CH_FIX,          /* the client does better */
	DL_CH_CHANGED,      /* another verdict of the same standing */
	DL_CH_REASONS,      /* same verdict, other reasons */
	DL_CH_NEW,          /* only in the new report */
	DL_CH_REMOVED,      /* only in the old report */
	DL_CH_COUNT,
};

struct dl_case_change {
	enum dl_change kind;
	char *key;              /* case id, "#N" appended under --repeat */
	char *old_verdict, *new_verdict;   /* NULL for new / removed */
	char *old_reason, *new_reason;     /* first reason line, or NULL */
};

struct dl_report_diff {
	struct dl_case_change *v;
	size_t n;
	size_t count[DL_CH_COUNT];
	size_t unchanged;
	char *old_what, *new_what;  /* "adapter, client version" from provenance */
};

/* Compare two parsed reports; -1 with err if either is not a report. */
int dl_report_diff(const struct dl_jv *old_doc, const struct dl_jv *new_doc,
	struct dl_report_diff *d, struct dl_err *err);
void dl_report_diff_free(struct dl_report_diff *d);
/* The Markdown summary. */
void dl_report_diff_markdown(const struct dl_report_diff *d, const char *old_name,
	const char *new_name, struct dl_buf *out);
const char *dl_change_name(enum dl_change k);

#endif
