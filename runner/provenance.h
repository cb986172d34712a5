/*
 * provenance.h -- what a report was made with: danelab's own version and
 * commit, the lab's parts (OpenSSL, ldns, Unbound, NSD), the client under
 * test and its version, the lab clock, the command line, date and host.
 * Two reports from two machines or two MTA builds are comparable only when
 * each says exactly this.
 */
#ifndef DL_RUNNER_PROVENANCE_H
#define DL_RUNNER_PROVENANCE_H

#include <stdio.h>
#include <time.h>

#include "util/buf.h"
#include "util/json.h"

#define DL_VERSION "0.9.0"

struct dl_provenance {
	char *danelab_version;
	char *danelab_commit;   /* "unknown" outside a git checkout */
	char *openssl, *ldns, *unbound, *nsd;
	char *command_line;
	char *date;             /* wall clock when the run started, ISO 8601 UTC */
	char *host;
	char *lab_clock;        /* --now, ISO 8601 UTC */
	long long lab_clock_epoch;
	/* From the adapter (filled once caps has run; NULL if it says nothing). */
	char *adapter, *adapter_path, *adapter_options, *expect_file;
	char *client_name, *client_version, *client_tls;
};

/* Collect everything but the adapter's part; srcdir locates the git tree. */
void dl_provenance_collect(struct dl_provenance *p, const char *srcdir,
	int argc, char *const argv[], time_t lab_clock);
void dl_provenance_free(struct dl_provenance *p);

/* One "key": {...} member of the JSON report. */
void dl_provenance_json(struct dl_jw *w, const struct dl_provenance *p);
/* JUnit <properties> (escape is the report's XML escaper). */
void dl_provenance_junit(struct dl_buf *b, const struct dl_provenance *p,
	void (*escape)(struct dl_buf *, const char *));
/* "# key: value" comment lines for TAP. */
void dl_provenance_tap(struct dl_buf *b, const struct dl_provenance *p);
/* The console's "Tested:" block. */
void dl_provenance_console(FILE *out, const struct dl_provenance *p);

#endif
