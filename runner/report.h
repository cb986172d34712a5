/*
 * report.h -- reports of a run: for people (console) and for CI (JSON,
 * JUnit XML, TAP).  The JSON schema is documented in docs/report-schema.json.
 */
#ifndef DL_RUNNER_REPORT_H
#define DL_RUNNER_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "runner/provenance.h"
#include "runner/result.h"
#include "util/err.h"

struct dl_report_meta {
	const char *adapter;
	const char *started;      /* ISO 8601 */
	long duration_ms;
	int jobs;
	const struct dl_provenance *prov;  /* NULL: the report says nothing of it */
};

/* Counts per verdict, and the closing-line totals. */
struct dl_tally {
	int by_verdict[DL_V_COUNT];
	int passed, failed, skipped;
};

void dl_tally_results(const struct dl_case_result *r, size_t n, struct dl_tally *t);

/* A summary table's row: a key (a level, an RFC section) and its counts per
 * verdict.  The row for key, added (zeroed, key copied) if new; the table
 * owns the keys. */
struct dl_verdict_row {
	char *key;
	int counts[DL_V_COUNT];
};
struct dl_verdict_row *dl_verdict_row_get(struct dl_verdict_row **rows, size_t *n,
    const char *key);

/* One line per case, "VERDICT  id  (N ms)" plus indented reasons if not PASS. */
void dl_report_case_line(FILE *out, const struct dl_case_result *r, bool verbose);
/* Summary by RFC section and by level, then "N passed, N failed[, N skipped]". */
void dl_report_summary(FILE *out, const struct dl_case_result *r, size_t n);
/* A transient progress line on a terminal ("[12/200] running x"). */
void dl_report_progress(FILE *out, size_t done, size_t total, const char *current);

int dl_report_json(const char *path, const struct dl_report_meta *m,
	const struct dl_case_result *r, size_t n, struct dl_err *err);
int dl_report_junit(const char *path, const struct dl_report_meta *m,
	const struct dl_case_result *r, size_t n, struct dl_err *err);
int dl_report_tap(const char *path, const struct dl_case_result *r, size_t n,
	struct dl_err *err);
/* TAP with the provenance comment lines after the plan. */
int dl_report_tap_prov(const char *path, const struct dl_report_meta *m,
	const struct dl_case_result *r, size_t n, struct dl_err *err);

/* "7672-2.2.1-b" -> "RFC 7672 §2.2.1" (caller frees). */
char *dl_requirement_section(const char *id);

#endif
