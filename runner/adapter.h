/*
 * adapter.h -- putting a client under test in front of the lab.
 *
 * An adapter is an executable (runner/ADAPTERS.md is the contract): the
 * runner runs `ADAPTER VERB` inside the lab namespace with DANELAB_*
 * variables in the environment and reads one JSON line per message from
 * its standard output.  This module finds adapters, reads `caps`, loads the
 * adapter's expectations file (known deviations) and spawns verbs.
 */
#ifndef DL_RUNNER_ADAPTER_H
#define DL_RUNNER_ADAPTER_H

#include <stdbool.h>
#include <sys/types.h>

#include "runner/case.h"
#include "runner/verdict.h"
#include "util/err.h"

#define DL_ADAPTER_EXIT_UNSUPPORTED 89

/* One line of an adapter's expectations file. */
struct dl_deviation {
	char *case_glob;      /* case id or fnmatch pattern */
	char *reason;
	int line;
};

struct dl_adapter {
	char *name;
	char *path;           /* absolute path of the executable */
	char *expect_path;    /* NULL if the adapter has no expectations file */
	struct dl_words features;
	bool batch;
	/* caps "client": what is under test, for the reports' provenance. */
	char *client_name, *client_version, *client_tls;
	struct dl_words option_keys;  /* caps "options": KEYs of --adapter-opt */
	struct dl_deviation *deviations;
	size_t n_deviations;
};

/*
 * Find an adapter by name (runner/adapters/NAME under srcdir) or by path,
 * run its `caps` verb and load its expectations: expect_path (--expect), or
 * NAME.expect beside it when expect_path is NULL.  env is the environment
 * for `caps` (NULL-terminated).
 */
int dl_adapter_open(struct dl_adapter *a, const char *name_or_path,
	const char *srcdir, const char *expect_path, char *const env[],
	struct dl_err *err);
/*
 * Check --adapter-opt KEY=VALUE words against the KEYs the adapter's caps
 * declared; the error names the option and what the adapter accepts.
 */
int dl_adapter_check_options(const struct dl_adapter *a,
	const struct dl_words *opts, struct dl_err *err);
/* "root=DIR" -> "DANELAB_ADAPTER_ROOT=DIR" (caller frees); NULL if malformed. */
char *dl_adapter_option_env(const char *kv);
void dl_adapter_close(struct dl_adapter *a);
bool dl_adapter_has(const struct dl_adapter *a, const char *feature);
/* The deviation that lists this case, or NULL. */
struct dl_deviation *dl_adapter_deviation(struct dl_adapter *a, const char *case_id);

/*
 * Start `ADAPTER VERB [ARG]` in its own process group with env, stdout and
 * stderr redirected to files, in directory cwd.  Returns the pid or -1.
 */
pid_t dl_adapter_spawn(const struct dl_adapter *a, const char *verb,
	const char *arg, char *const env[], const char *cwd, const char *out_path,
	const char *err_path, struct dl_err *err);

/*
 * Run a verb to completion with a timeout (seconds).  Returns the exit
 * status (0..255), 124 on timeout (the process group is killed), or -1.
 */
int dl_adapter_run(const struct dl_adapter *a, const char *verb, const char *arg,
	char *const env[], const char *cwd, const char *out_path,
	const char *err_path, int timeout_s, struct dl_err *err);


/* The lines of an expectations file (NAME.expect) from text, appended to
 * a->deviations; path names it in errors. */
int dl_adapter_parse_deviations(struct dl_adapter *a, const char *text, const char *path,
	struct dl_err *err);

#endif
