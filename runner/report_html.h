/*
 * report_html.h -- reports people look at: the HTML page of one run
 * (`danelab run --html FILE`) and the pieces the cross-run matrix
 * (`danelab report`, cmd_report.c) shares with it.
 *
 * Every page is self-contained: one file, inline style and script, a
 * Content-Security-Policy that forbids loading anything, readable without
 * JavaScript (the script only adds filters).  Everything that comes from
 * a case file, an adapter or a report is untrusted and escaped.
 */
#ifndef DL_RUNNER_REPORT_HTML_H
#define DL_RUNNER_REPORT_HTML_H

#include "runner/catalog.h"
#include "runner/report.h"
#include "util/buf.h"
#include "util/err.h"

/*
 * The page of one run.  cat gives the requirement texts (may be NULL);
 * evidence links are relative to the page's directory.
 */
int dl_report_html(const char *path, const struct dl_report_meta *m,
	const struct dl_case_result *r, size_t n, const struct dl_catalog *cat,
	struct dl_err *err);

/* Text and attribute values: & < > " ' escaped, control characters dropped. */
void dl_html_escape(struct dl_buf *b, const char *s);
/* A path or fragment for href: everything but [A-Za-z0-9._~/-] %-encoded. */
void dl_html_url(struct dl_buf *b, const char *s);
/* <!DOCTYPE> through <body>, with the shared style; title is escaped. */
void dl_html_begin(struct dl_buf *b, const char *title);
/* The CSS class of a verdict slug ("v-fail"); unknown slugs get "v-other". */
const char *dl_html_verdict_class(const char *slug);
/* path of `to` relative to directory `from_dir` (both absolute); caller frees. */
char *dl_html_relpath(const char *from_dir, const char *to);

#endif
