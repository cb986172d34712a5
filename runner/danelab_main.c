/*
 * danelab_main.c -- the danelab command: parse the sub-command, hand over.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/cmd.h"
#include "util/buf.h"
#include "util/log.h"

static const struct {
	const char *name;
	int (*fn)(const struct dl_paths *, int, char **);
	const char *help;
} commands[] = {
	{ "run", dl_cmd_run, "run cases against a client (default: all, reference adapter)" },
	{ "list", dl_cmd_list, "list cases: id, level, requirements, tags" },
	{ "lint", dl_cmd_lint, "check case files without running them" },
	{ "explain", dl_cmd_explain, "run one case and show its world, evidence and verdict" },
	{ "coverage", dl_cmd_coverage, "requirement ids with and without cases" },
	{ "report", dl_cmd_report, "several runs' JSON reports side by side (HTML, Markdown)" },
	{ "diff", dl_cmd_diff, "compare two JSON reports: regressions, fixes (Markdown)" },
	{ "mutants", dl_cmd_mutants, "run the suite once per reference-client violation" },
	{ "lab", dl_cmd_lab, "lab check | lab up ID: the lab on its own" },
};

static void
usage(FILE *out)
{
	fprintf(out, "usage: danelab COMMAND [options]\n\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\n'danelab COMMAND --help' for a command's options.\n"
	    "Exit: 0 as expected, 1 unexpected results, 2 usage/config error,\n"
	    "      3 lab/harness error, 4 no case selected.\n");
}

int
main(int argc, char **argv)
{
	struct dl_paths paths;
	int rc;

	dl_log_init("danelab", getenv("DANELAB_DEBUG") ? DL_LOG_DEBUG : DL_LOG_WARN);
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? DL_EXIT_USAGE : DL_EXIT_OK;
	}
	if (dl_paths_init(&paths) < 0) {
		fprintf(stderr, "danelab: cannot find my own location (/proc/self/exe)\n");
		return DL_EXIT_HARNESS;
	}
	/* As typed: getopt permutes argv, the reports quote the command line. */
	char **typed = dl_xcalloc((size_t)argc + 1, sizeof(char *));
	memcpy(typed, argv, (size_t)argc * sizeof(char *));
	paths.argc = argc;
	paths.argv = typed;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) == 0) {
			rc = commands[i].fn(&paths, argc - 1, argv + 1);
			dl_paths_free(&paths);
			free(typed);
			return rc;
		}
	}
	fprintf(stderr, "danelab: unknown command \"%s\"\n\n", argv[1]);
	usage(stderr);
	dl_paths_free(&paths);
	free(typed);
	return DL_EXIT_USAGE;
}
