/*
 * cmd_mutants.c -- `danelab mutants`: run the suite against the reference
 * client once per --violate flag and show which required cases catch each
 * violation.  A violation nothing catches is a hole in the catalog.
 *
 * Each run is a child `danelab run` (its own sandbox and lab), so one
 * mutant cannot disturb another.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner/cmd.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/spawn.h"

/* The reference client's violation names, from `dl-client --list-violations`. */
static int
list_violations(const struct dl_paths *p, struct dl_words *out)
{
	char *cmd = dl_xasprintf("'%s/dl-client' --list-violations", p->bindir);
	FILE *f = popen(cmd, "r");
	char line[512];

	free(cmd);
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char name[128];
		/* One violation per line, its name first. */
		if (sscanf(line, "%127s", name) == 1 && name[0] != '#')
			dl_words_push(out, name);
	}
	return pclose(f) == 0 && out->n > 0 ? 0 : -1;
}

struct mutant {
	char *name;
	struct dl_words caught;     /* required cases that failed */
	struct dl_words caught_soft; /* recommended/optional cases that flagged it */
	int rc;
};

static int
run_mutant(const struct dl_paths *p, const char *violation, const char *json,
    int jobs, struct mutant *m)
{
	char jobs_s[16];
	char *exe = dl_xasprintf("%s/danelab", p->bindir);
	char *argv[] = { exe, "run", "--quiet", "--jobs", jobs_s, "--violate",
	    (char *)violation, "--json", (char *)json, NULL };
	struct dl_spawn s = { .argv = argv, .path = exe, .out = "/dev/null" };
	struct dl_err e;

	snprintf(jobs_s, sizeof(jobs_s), "%d", jobs);
	/* No bound: a whole suite run, which bounds each of its own cases. */
	m->rc = dl_spawn_run(&s, -1, NULL, &e);
	free(exe);
	if (m->rc < 0)
		return -1;
	struct dl_buf b = DL_BUF_INIT;
	char err[128];
	if (dl_read_file(json, &b) < 0)
		return -1;
	struct dl_jv *v = dl_jv_parse(b.data, b.len, err, sizeof(err));
	dl_buf_free(&b);
	const struct dl_jv *cases = dl_jv_get(v, "cases");
	for (size_t i = 0; cases && i < cases->n; i++) {
		const struct dl_jv *c = cases->items[i];
		const char *verdict = dl_jv_str(c, "verdict", "");
		const char *level = dl_jv_str(c, "level", "");
		bool hard = !strcmp(level, "required") || !strcmp(level, "conditional");
		if (!strcmp(verdict, "fail") && hard)
			dl_words_push(&m->caught, dl_jv_str(c, "id", "?"));
		else if (!strcmp(verdict, "fail") || !strcmp(verdict, "non-strict") ||
		    !strcmp(verdict, "info"))
			dl_words_push(&m->caught_soft, dl_jv_str(c, "id", "?"));
	}
	dl_jv_free(v);
	return 0;
}

/*
 * A violation of a MUST is caught when a required case fails; one of a
 * SHOULD (digest agility, TLSA for insecure hosts) can only be caught by
 * the recommended cases that grade it: CAUGHT-SHOULD.
 */
static const char *
verdict_word(const struct mutant *m)
{
	return m->caught.n ? "CAUGHT" : m->caught_soft.n ? "CAUGHT-SHOULD" : "MISSED";
}

static void
print_table(FILE *f, struct mutant *ms, size_t n, bool markdown)
{
	if (markdown)
		fprintf(f, "| violation | required cases that catch it | weaker signals |\n"
		    "|---|---|---|\n");
	for (size_t i = 0; i < n; i++) {
		struct dl_buf hard = DL_BUF_INIT, soft = DL_BUF_INIT;
		for (size_t k = 0; k < ms[i].caught.n; k++)
			dl_buf_printf(&hard, "%s%s", k ? ", " : "", ms[i].caught.v[k]);
		for (size_t k = 0; k < ms[i].caught_soft.n; k++)
			dl_buf_printf(&soft, "%s%s", k ? ", " : "", ms[i].caught_soft.v[k]);
		if (markdown)
			fprintf(f, "| `%s` | %s | %s |\n", ms[i].name,
			    hard.len ? hard.data : soft.len ? "- (a SHOULD: caught by the "
			    "recommended cases on the right)" : "**NOT CAUGHT**",
			    soft.len ? soft.data : "");
		else
			fprintf(f, "%-13s %-28s required: %s; weaker: %s\n", verdict_word(&ms[i]),
			    ms[i].name, hard.len ? hard.data : "-", soft.len ? soft.data : "-");
		dl_buf_free(&hard);
		dl_buf_free(&soft);
	}
}

int
dl_cmd_mutants(const struct dl_paths *p, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "markdown", required_argument, NULL, 'm' },
		{ "jobs", required_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *markdown = NULL;
	int jobs = 2, ch, missed = 0;
	struct dl_words names = { 0 };

	optind = 1;
	while ((ch = getopt_long(argc, argv, "j:", longopts, NULL)) != -1) {
		if (ch == 'm')
			markdown = optarg;
		else if (ch == 'j')
			jobs = atoi(optarg);
		else {
			fprintf(stderr, "usage: danelab mutants [--jobs N] [--markdown FILE] "
			    "[VIOLATION...]\n");
			return DL_EXIT_USAGE;
		}
	}
	for (int i = optind; i < argc; i++)
		dl_words_push(&names, argv[i]);
	if (names.n == 0 && list_violations(p, &names) < 0) {
		fprintf(stderr, "danelab: cannot list the reference client's violations\n");
		return DL_EXIT_HARNESS;
	}
	struct mutant *ms = dl_xcalloc(names.n, sizeof(*ms));
	char dir[] = "/tmp/danelab-mutants.XXXXXX";
	if (mkdtemp(dir) == NULL)
		return DL_EXIT_HARNESS;
	for (size_t i = 0; i < names.n; i++) {
		char *json = dl_xasprintf("%s/%zu.json", dir, i);
		ms[i].name = names.v[i];
		if (run_mutant(p, names.v[i], json, jobs, &ms[i]) < 0)
			fprintf(stderr, "danelab: mutant %s: the run failed\n", names.v[i]);
		printf("%-8s %-32s %zu required, %zu recommended/optional case(s)\n",
		    verdict_word(&ms[i]), ms[i].name, ms[i].caught.n, ms[i].caught_soft.n);
		fflush(stdout);
		missed += ms[i].caught.n == 0 && ms[i].caught_soft.n == 0;
		unlink(json);
		free(json);
	}
	rmdir(dir);
	printf("\n");
	print_table(stdout, ms, names.n, false);
	if (markdown) {
		FILE *f = fopen(markdown, "w");
		if (f) {
			print_table(f, ms, names.n, true);
			fclose(f);
		}
	}
	printf("\n%zu caught, %d missed\n", names.n - (size_t)missed, missed);
	for (size_t i = 0; i < names.n; i++) {
		dl_words_free(&ms[i].caught);
		dl_words_free(&ms[i].caught_soft);
	}
	free(ms);
	dl_words_free(&names);
	return missed ? DL_EXIT_UNEXPECTED : DL_EXIT_OK;
}
