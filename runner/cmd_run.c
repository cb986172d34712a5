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
#include <sys/stat.h>
#include <unistd.h>

#include "runner/adapter.h"
#include "runner/cmd.h"
#include "runner/run.h"
#include "util/buf.h"

static void
run_usage(FILE *out)
{
	fprintf(out,
	    "usage: danelab run [options] [ID-GLOB | CASE-FILE | FOLDER ...]\n"
	    "  -a, --adapter NAME|PATH  client under test (default: reference)\n"
	    "  -o, --adapter-opt K=V    adapter option, e.g. root=DIR: where the MTA under\n"
	    "                           test is installed (runner/ADAPTERS.md; repeatable)\n"
	    "      --expect FILE        known deviations (default: the adapter's NAME.expect)\n"
	    "      --cases DIR          cases from DIR (repeatable; default: cases/ or\n"
	    "                           $DANELAB_CASES)\n"
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

/* --adapter-opt KEY=VALUE: KEY in [a-z0-9_], becoming DANELAB_ADAPTER_KEY. */
static int
add_adapter_opt(struct dl_words *opts, const char *kv)
{
	char *env = dl_adapter_option_env(kv);

	if (env == NULL) {
		fprintf(stderr, "danelab: bad --adapter-opt \"%s\", expected KEY=VALUE "
		    "(KEY: lower-case letters, digits, _)\n", kv);
		return -1;
	}
	free(env);
	dl_words_push(opts, kv);
	return 0;
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
	struct dl_provenance prov;

	char *dirs[] = { (char *)o->casedir };
	int lrc = o->n_case_paths ?
	    dl_load_cases(p, o->case_paths, o->n_case_paths, &cat, &set) :
	    dl_load_cases(p, o->casedir ? dirs : NULL, o->casedir ? 1 : 0, &cat, &set);
	if (lrc < 0)
		return DL_EXIT_USAGE;
	dl_provenance_collect(&prov, p->srcdir, p->argc, p->argv, o->now);
	o->prov = &prov;
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
	o->prov = NULL;
	dl_provenance_free(&prov);
	dl_caseset_free(&set);
	dl_catalog_free(&cat);
	return rc;
}

size_t
dl_split_case_args(char *const *args, size_t n, struct dl_words *paths,
    struct dl_words *globs)
{
	struct stat st;
	size_t before = paths->n;

	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(args[i]);
		bool is_case = len > 5 && strcmp(args[i] + len - 5, ".case") == 0;
		if (stat(args[i], &st) == 0 && (S_ISDIR(st.st_mode) ||
		    (is_case && S_ISREG(st.st_mode))))
			dl_words_push(paths, args[i]);
		else
			dl_words_push(globs, args[i]);
	}
	return paths->n - before;
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
		{ "adapter-opt", required_argument, NULL, 'o' },
		{ "expect", required_argument, NULL, 'E' },
		{ "cases", required_argument, NULL, 'C' },
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
	struct dl_words aopts = { 0 }, cpaths = { 0 };
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "a:o:t:r:l:j:vqh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a': o.adapter = optarg; break;
		case 'o':
			if (add_adapter_opt(&aopts, optarg) < 0)
				return DL_EXIT_USAGE;
			break;
		case 'E': o.expect_path = optarg; break;
		case 'C': dl_words_push(&cpaths, optarg); break;
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
	dl_split_case_args(argv + optind, (size_t)(argc - optind), &cpaths, &sel.globs);
	o.violate = violations.data;
	o.adapter_opts = &aopts;
	o.case_paths = cpaths.v;
	o.n_case_paths = cpaths.n;
	rc = run_with(p, &sel, &o);
	sel_free(&sel);
	dl_words_free(&aopts);
	dl_words_free(&cpaths);
	dl_buf_free(&violations);
	return rc;
}

static void
explain_usage(FILE *out)
{
	fprintf(out, "usage: danelab explain [--adapter A] [--adapter-opt K=V] [--expect FILE]\n"
	    "           [--cases DIR] [--keep DIR] [--now EPOCH] [--violate NAME]\n"
	    "           ID | CASE-FILE [ID]\n");
}

int
dl_cmd_explain(const struct dl_paths *p, int argc, char **argv)
{
	struct dl_selection sel = { 0 };
	struct dl_run_opts o = { .paths = p, .adapter = "reference", .jobs = 1,
	    .timeout_s = 30, .repeat = 1, .now = time(NULL), .explain = true,
	    .verbose = true };
	struct dl_words aopts = { 0 }, cpaths = { 0 };
	int ch, rc;
	static const struct option longopts[] = {
		{ "adapter", required_argument, NULL, 'a' },
		{ "adapter-opt", required_argument, NULL, 'o' },
		{ "expect", required_argument, NULL, 'E' },
		{ "cases", required_argument, NULL, 'C' },
		{ "keep", required_argument, NULL, 'k' },
		{ "now", required_argument, NULL, 'N' },
		{ "violate", required_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};

	optind = 1;
	while ((ch = getopt_long(argc, argv, "a:o:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a': o.adapter = optarg; break;
		case 'o':
			if (add_adapter_opt(&aopts, optarg) < 0)
				return DL_EXIT_USAGE;
			break;
		case 'E': o.expect_path = optarg; break;
		case 'C': dl_words_push(&cpaths, optarg); break;
		case 'k': o.keep_dir = optarg; break;
		case 'N': o.now = (time_t)strtoll(optarg, NULL, 10); break;
		case 'V': o.violate = optarg; break;
		case 'h': explain_usage(stdout); return DL_EXIT_OK;
		default: explain_usage(stderr); return DL_EXIT_USAGE;
		}
	}
	size_t named = dl_split_case_args(argv + optind, (size_t)(argc - optind), &cpaths,
	    &sel.globs);
	/* One case: by id, or a case file (with an id if it names several). */
	if (sel.globs.n > 1 || (sel.globs.n == 0 && named != 1)) {
		explain_usage(stderr);
		rc = DL_EXIT_USAGE;
	} else {
		/* The paths explain prints must outlive the run: keep the evidence. */
		char tmpl[4096];
		const char *tmp = getenv("TMPDIR");
		o.adapter_opts = &aopts;
		o.case_paths = cpaths.v;
		o.n_case_paths = cpaths.n;
		if (o.keep_dir == NULL) {
			snprintf(tmpl, sizeof(tmpl), "%s/danelab-explain.XXXXXX",
			    tmp && *tmp ? tmp : "/tmp");
			o.keep_dir = mkdtemp(tmpl);
		}
		if (o.keep_dir == NULL) {
			fprintf(stderr, "danelab: %s: %s\n", tmpl, strerror(errno));
			rc = DL_EXIT_HARNESS;
		} else {
			rc = run_with(p, &sel, &o);
		}
	}
	sel_free(&sel);
	dl_words_free(&aopts);
	dl_words_free(&cpaths);
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
