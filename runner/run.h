/*
 * run.h -- one run: place the selected cases, bring the lab up once for
 * all of them, prove their fixtures, drive the adapter, judge, report.
 */
#ifndef DL_RUNNER_RUN_H
#define DL_RUNNER_RUN_H

#include <stdbool.h>
#include <time.h>

#include "runner/cmd.h"
#include "runner/provenance.h"
#include "runner/result.h"

struct dl_run_opts {
	const struct dl_paths *paths;
	const char *adapter;        /* name or path; default "reference" */
	int jobs;                   /* concurrent sends (default 2) */
	int timeout_s;              /* per send (default 30) */
	int repeat;                 /* iterations (default 1) */
	const char *keep_dir;       /* keep evidence here (NULL: discard) */
	const char *json_path, *junit_path, *tap_path;
	const char *html_path;      /* the page for people (report_html.c) */
	bool verbose;               /* reasons for passing cases too */
	bool progress;              /* live line on a terminal */
	bool explain;               /* print world, evidence and verdict per case */
	bool hold;                  /* `lab up`: keep the lab until a signal */
	time_t now;                 /* the lab clock */
	const char *violate;        /* DANELAB_VIOLATE for the reference client */
	bool quiet;                 /* no per-case lines (mutants) */
	bool verify_only;           /* `lab check`: prove the fixtures, run no client */
	const char *casedir;        /* cases from here instead of paths->casedir */
	/* Case files and folders named on the command line (none: casedir). */
	char *const *case_paths;
	size_t n_case_paths;
	const struct dl_words *adapter_opts; /* --adapter-opt KEY=VALUE words */
	const char *expect_path;    /* --expect FILE (NULL: the adapter's NAME.expect) */
	struct dl_provenance *prov; /* filled in with the adapter's part; NULL: none */
};

/*
 * Run the selected cases of set (selected[i]).  Enters the lab sandbox
 * itself (the calling process becomes the sandbox's waiter), so call it
 * from a single-threaded process before opening any socket.  Fills
 * *results (caller frees each with dl_case_result_free, then the array)
 * only in the sandboxed worker; returns the exit code for the command.
 */
int dl_run(const struct dl_caseset *set, const bool *selected,
	const struct dl_run_opts *o);

#endif
