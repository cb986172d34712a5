/*
 * cmd.h -- the danelab sub-commands (one file each) and what they share.
 *
 * Exit codes of every command: 0 all as expected, 1 unexpected results,
 * 2 usage or configuration error, 3 lab or harness error, 4 no case selected.
 */
#ifndef DL_RUNNER_CMD_H
#define DL_RUNNER_CMD_H

#include "runner/caseset.h"
#include "runner/catalog.h"

enum {
	DL_EXIT_OK = 0,
	DL_EXIT_UNEXPECTED = 1,
	DL_EXIT_USAGE = 2,
	DL_EXIT_HARNESS = 3,
	DL_EXIT_NOCASE = 4,
};

/* Where the project lives: cases/, runner/adapters/, and our bin directory. */
struct dl_paths {
	char *srcdir;   /* project root */
	char *bindir;   /* directory of the running danelab binary */
	char *casedir;  /* srcdir/cases unless DANELAB_CASES is set */
	int argc;       /* the whole command line, for the reports' provenance */
	char **argv;
};

int dl_paths_init(struct dl_paths *p);
void dl_paths_free(struct dl_paths *p);

/* Load the catalog and the case set (all of casedir, or the given files). */
int dl_load_cases(const struct dl_paths *p, char *const *files, size_t n_files,
	struct dl_catalog *cat, struct dl_caseset *set);

/*
 * Sort command-line words into case files/folders (an existing folder, or
 * an existing file named *.case) and everything else (id globs).  --cases
 * DIR words go to paths too.  Returns the number of paths.
 */
size_t dl_split_case_args(char *const *args, size_t n, struct dl_words *paths,
	struct dl_words *globs);

int dl_cmd_list(const struct dl_paths *p, int argc, char **argv);
int dl_cmd_lint(const struct dl_paths *p, int argc, char **argv);
int dl_cmd_coverage(const struct dl_paths *p, int argc, char **argv);
int dl_cmd_run(const struct dl_paths *p, int argc, char **argv);
int dl_cmd_explain(const struct dl_paths *p, int argc, char **argv);
int dl_cmd_lab(const struct dl_paths *p, int argc, char **argv);
int dl_cmd_lab_up(const struct dl_paths *p, int argc, char **argv);
int dl_cmd_lab_check(const struct dl_paths *p, int argc, char **argv);
int dl_cmd_mutants(const struct dl_paths *p, int argc, char **argv);
int dl_cmd_report(const struct dl_paths *p, int argc, char **argv);
int dl_cmd_diff(const struct dl_paths *p, int argc, char **argv);

#endif
