/*
 * cmd_run.c -- `danelab run`, `danelab explain ID`, `danelab lab up ID`:
 * option parsing, selection, then dl_run().
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runner/cmd.h"
#include "runner/run.h"
#include "util/buf.h"

static void
run_usage(FILE *out)
{
	fprintf(out,
	    "usage: danelab run [options] [ID-GLOB...]\n"
	    "  -a, --adapter NAME|PATH  client under test (default: reference)\n"
	    "  -t, --tag TAG            only cases with this tag (repeatable)\n"
	    "  -r, --require ID|SECTION only cases for this requirement or section\n"
	    "                           prefix, e.g. 7672-2.2 (repeatable)\n"
	    "  -l, --level LEVEL        only cases of this level (repeatable)\n"
	    "  -j, --jobs N             concurrent sends (default 2)\n"
	    "      --shard I/N          run the I-th of N interleaved shards\n"
	    "      --timeout S          seconds per send before the client is killed (30)\n"
	    "      --repeat N           run every case N times\n"
	    "      --keep DIR           keep every case's evidence under DIR\n"
	    "      --json FILE          write the JSON report (docs/report-schema.json)\n"
	    "      --junit FILE         write JUnit XML\n"
	    "      --tap FILE           write TAP\n"
	    "      --html FILE          write one self-contained HTML page\n"
	    "      --now EPOCH          the lab clock (default: now)\n"
	    "      --violate NAME       make the reference client break rule NAME\n"
	    "  -v, --verbose            print reasons for passing cases too\n"
	    "  -q, --quiet              no per-case lines, only the summary\n");
}

static int
parse_shard(const char *s, struct dl_selection *sel)
{
	if (sscanf(s, "%d/%d", &sel->shard_i, &sel->shard_n) != 2 || sel->shard_n < 1 ||
	    sel->shard_i < 1 || sel->shard_i > sel->shard_n)
		return -1;
	return 0;
}

/* Shared by run, explain and lab up. */
static int
run_with(const struct dl_paths *p, struct dl_selection *sel, struct dl_run_opts *o)
{
	struct dl_catalog cat;
	struct dl_caseset set;
	size_t n_sel = 0;

	char *dirs[] = { (char *)o->casedir };
	if (dl_load_cases(p, o->casedir ? dirs : NULL, o->casedir ? 1 : 0, &cat, &set) < 0)
		return DL_EXIT_USAGE;
	if (set.global.count)
		fputs(set.global.text.data, stderr);
	bool *selected = dl_xcalloc(set.n + 1, sizeof(bool));
	for (size_t i = 0; i < set.n; i++) {
		selected[i] = dl_case_selected(set.cases[i], i, sel);
		n_sel += selected[i];
	}
	int rc;
	if (n_sel == 0) {
		fprintf(stderr, "danelab: no case selected\n");
		rc = DL_EXIT_NOCASE;
	} else {
		rc = dl_run(&set, selected, o);
	}
	free(selected);
	dl_caseset_free(&set);
	dl_catalog_free(&cat);
	return rc;
}

static void
sel_free(struct dl_selection *sel)
{
	dl_words_free(&sel->globs);
	dl_words_free(&sel->tags);
	dl_words_free(&sel->reqs);
	dl_words_free(&sel->levels);
}

int
dl_cmd_run(const struct dl_paths *p, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "adapter", required_argument, NULL, 'a' },
		{ "tag", required_argument, NULL, 't' },
		{ "require", required_argument, NULL, 'r' },
		{ "level", required_argument, NULL, 'l' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "shard", required_argument, NULL, 'S' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "repeat", required_argument, NULL, 'R' },
		{ "keep", required_argument, NULL, 'k' },
		{ "json", required_argument, NULL, 'J' },
		{ "junit", required_argument, NULL, 'U' },
		{ "tap", required_argument, NULL, 'P' },
		{ "html", required_argument, NULL, 'H' },
		{ "now", required_argument, NULL, 'N' },
		{ "violate", required_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct dl_selection sel = { 0 };
	struct dl_run_opts o = { .paths = p, .adapter = "reference", .jobs = 2,
	    .timeout_s = 30, .repeat = 1, .now = time(NULL),
	    .progress = isatty(1) != 0 };
	struct dl_buf violations = DL_BUF_INIT;
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "a:t:r:l:j:vqh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a': o.adapter = optarg; break;
		case 't': dl_words_push(&sel.tags, optarg); break;
		case 'r': dl_words_push(&sel.reqs, optarg); break;
		case 'l': dl_words_push(&sel.levels, optarg); break;
		case 'j': o.jobs = atoi(optarg); break;
		case 'S':
			if (parse_shard(optarg, &sel) < 0) {
				fprintf(stderr, "danelab: bad --shard \"%s\", expected I/N\n", optarg);
				return DL_EXIT_USAGE;
			}
			break;
		case 'T': o.timeout_s = atoi(optarg); break;
		case 'R': o.repeat = atoi(optarg); break;
		case 'k': o.keep_dir = optarg; break;
		case 'J': o.json_path = optarg; break;
		case 'U': o.junit_path = optarg; break;
		case 'P': o.tap_path = optarg; break;
		case 'H': o.html_path = optarg; break;
		case 'N': o.now = (time_t)strtoll(optarg, NULL, 10); break;
		case 'V': dl_buf_printf(&violations, "%s%s", violations.len ? " " : "", optarg); break;
		case 'v': o.verbose = true; break;
		case 'q': o.quiet = true; o.progress = false; break;
		case 'h': run_usage(stdout); return DL_EXIT_OK;
		default: run_usage(stderr); return DL_EXIT_USAGE;
		}
	}
	if (o.jobs < 1 || o.jobs > 64 || o.timeout_s < 1 || o.repeat < 1) {
		fprintf(stderr, "danelab: --jobs 1..64, --timeout >= 1, --repeat >= 1\n");
		return DL_EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++)
		dl_words_push(&sel.globs, argv[i]);
	o.violate = violations.data;
	rc = run_with(p, &sel, &o);
	sel_free(&sel);
	dl_buf_free(&violations);
	return rc;
}

int
dl_cmd_explain(const struct dl_paths *p, int argc, char **argv)
{
	struct dl_selection sel = { 0 };
	struct dl_run_opts o = { .paths = p, .adapter = "reference", .jobs = 1,
	    .timeout_s = 30, .repeat = 1, .now = time(NULL), .explain = true,
	    .verbose = true };
	int ch, rc;
	static const struct option longopts[] = {
		{ "adapter", required_argument, NULL, 'a' },
		{ "keep", required_argument, NULL, 'k' },
		{ "now", required_argument, NULL, 'N' },
		{ "violate", required_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};

	optind = 1;
	while ((ch = getopt_long(argc, argv, "a:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a': o.adapter = optarg; break;
		case 'k': o.keep_dir = optarg; break;
		case 'N': o.now = (time_t)strtoll(optarg, NULL, 10); break;
		case 'V': o.violate = optarg; break;
		default:
			fprintf(stderr, "usage: danelab explain [--adapter A] [--keep DIR] "
			    "[--violate NAME] ID\n");
			return DL_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: danelab explain [--adapter A] [--keep DIR] ID\n");
		return DL_EXIT_USAGE;
	}
	/* The paths explain prints must outlive the run: keep the evidence. */
	char tmpl[4096];
	const char *tmp = getenv("TMPDIR");
	if (o.keep_dir == NULL) {
		snprintf(tmpl, sizeof(tmpl), "%s/danelab-explain.XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (mkdtemp(tmpl) == NULL) {
			fprintf(stderr, "danelab: %s: %s\n", tmpl, strerror(errno));
			return DL_EXIT_HARNESS;
		}
		o.keep_dir = tmpl;
	}
	dl_words_push(&sel.globs, argv[optind]);
	rc = run_with(p, &sel, &o);
	sel_free(&sel);
	return rc;
}

int
dl_cmd_lab_up(const struct dl_paths *p, int argc, char **argv)
{
	struct dl_selection sel = { 0 };
	struct dl_run_opts o = { .paths = p, .adapter = "reference", .jobs = 1,
	    .timeout_s = 30, .repeat = 1, .now = time(NULL), .hold = true };
	int rc;

	if (argc < 2) {
		fprintf(stderr, "usage: danelab lab up ID-GLOB...\n");
		return DL_EXIT_USAGE;
	}
	for (int i = 1; i < argc; i++)
		dl_words_push(&sel.globs, argv[i]);
	rc = run_with(p, &sel, &o);
	sel_free(&sel);
	return rc;
}

int
dl_cmd_lab_check(const struct dl_paths *p, int argc, char **argv)
{
	struct dl_selection sel = { 0 };
	struct dl_run_opts o = { .paths = p, .adapter = "reference", .jobs = 1,
	    .timeout_s = 30, .repeat = 1, .now = time(NULL), .verify_only = true };
	char *dir = dl_xasprintf("%s/lab/selfcheck", p->srcdir);
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--now") == 0 && i + 1 < argc) {
			o.now = (time_t)strtoll(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--hold") == 0) {
			o.hold = true;
		} else {
			fprintf(stderr, "usage: danelab lab check [--now EPOCH] [--hold]\n");
			free(dir);
			return DL_EXIT_USAGE;
		}
	}
	o.casedir = dir;
	rc = run_with(p, &sel, &o);
	free(dir);
	return rc;
}
