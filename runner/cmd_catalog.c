/*
 * cmd_catalog.c -- commands that read cases without running them:
 * list, lint, coverage.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner/cmd.h"
#include "util/buf.h"
#include "util/json.h"

int
dl_paths_init(struct dl_paths *p)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	memset(p, 0, sizeof(*p));
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	p->bindir = dl_xstrdup(exe);
	/* bin/ (or bin-asan/) sits at the top of the tree. */
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	const char *src = getenv("DANELAB_SRCDIR");
	p->srcdir = dl_xstrdup(src ? src : exe);
	const char *cases = getenv("DANELAB_CASES");
	p->casedir = cases ? dl_xstrdup(cases) : dl_xasprintf("%s/cases", p->srcdir);
	return 0;
}

void
dl_paths_free(struct dl_paths *p)
{
	free(p->srcdir);
	free(p->bindir);
	free(p->casedir);
}

int
dl_load_cases(const struct dl_paths *p, char *const *files, size_t n_files,
    struct dl_catalog *cat, struct dl_caseset *set)
{
	struct dl_err err;
	char *tables = dl_xasprintf("%s/cases", p->srcdir);
	int rc = dl_catalog_load(cat, tables, &err);

	free(tables);
	if (rc < 0) {
		fprintf(stderr, "danelab: %s\n", err.msg);
		return -1;
	}
	char *def[] = { p->casedir };
	dl_caseset_load(set, n_files ? files : def, n_files ? n_files : 1, cat);
	return 0;
}

/* The catalog for other tools: one JSON document, the cases in id order. */
static void
list_json(const struct dl_caseset *set)
{
	struct dl_buf b = DL_BUF_INIT;
	struct dl_jw w;

	dl_jw_init(&w, &b);
	dl_jw_obj(&w);
	dl_jw_kstr(&w, "schema", "danelab-catalog/1");
	dl_jw_key(&w, "cases");
	dl_jw_arr(&w);
	for (size_t i = 0; i < set->n; i++) {
		const struct dl_case *c = set->cases[i];
		dl_jw_obj(&w);
		dl_jw_kstr(&w, "id", c->id ? c->id : c->path);
		dl_jw_kstr(&w, "title", c->title);
		dl_jw_kstr(&w, "level", dl_level_name(c->level));
		if (c->feature)
			dl_jw_kstr(&w, "feature", c->feature);
		dl_jw_key(&w, "requirements");
		dl_jw_arr(&w);
		for (size_t k = 0; k < c->require.n; k++)
			dl_jw_str(&w, c->require.v[k]);
		dl_jw_arr_end(&w);
		dl_jw_key(&w, "tags");
		dl_jw_arr(&w);
		for (size_t k = 0; k < c->tags.n; k++)
			dl_jw_str(&w, c->tags.v[k]);
		dl_jw_arr_end(&w);
		dl_jw_kstr(&w, "scenario", c->scenario);
		dl_jw_kstr(&w, "file", c->path);
		dl_jw_kbool(&w, "lint_clean", set->problems[i][0] == '\0');
		dl_jw_obj_end(&w);
	}
	dl_jw_arr_end(&w);
	dl_jw_obj_end(&w);
	dl_buf_addc(&b, '\n');
	fputs(b.data, stdout);
	dl_buf_free(&b);
}

/*
 * The options of list and lint: --json (list), --cases DIR, -h/--help; every
 * other word is a case file or folder.  Returns -1 on a usage error, 1 after
 * printing help.
 */
static int
catalog_args(const char *cmd, int argc, char **argv, bool allow_json, bool *json,
    struct dl_words *paths)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			printf("usage: danelab %s [--cases DIR]%s [CASE-FILE | FOLDER ...]\n"
			    "  Reads the cases of the files and folders given (default: cases/,\n"
			    "  or $DANELAB_CASES)%s.\n", cmd, allow_json ? " [--json]" : "",
			    allow_json ? "; --json prints the catalog as one JSON document" :
			    " and prints every problem as FILE:LINE: message");
			return 1;
		} else if (allow_json && strcmp(argv[i], "--json") == 0) {
			*json = true;
		} else if (strcmp(argv[i], "--cases") == 0 && i + 1 < argc) {
			dl_words_push(paths, argv[++i]);
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "danelab %s: unknown option \"%s\" (--help)\n", cmd, argv[i]);
			return -1;
		} else {
			dl_words_push(paths, argv[i]);
		}
	}
	return 0;
}

int
dl_cmd_list(const struct dl_paths *p, int argc, char **argv)
{
	struct dl_catalog cat;
	struct dl_caseset set;
	struct dl_words paths = { 0 };
	bool json = false;
	int a = catalog_args("list", argc, argv, true, &json, &paths);

	if (a != 0 || dl_load_cases(p, paths.v, paths.n, &cat, &set) < 0) {
		dl_words_free(&paths);
		return a > 0 ? DL_EXIT_OK : DL_EXIT_USAGE;
	}
	dl_words_free(&paths);
	if (json) {
		list_json(&set);
		size_t n = set.n;
		dl_caseset_free(&set);
		dl_catalog_free(&cat);
		return n ? DL_EXIT_OK : DL_EXIT_NOCASE;
	}
	printf("%-44s %-12s %-40s %s\n", "ID", "LEVEL", "REQUIREMENTS", "TAGS");
	for (size_t i = 0; i < set.n; i++) {
		const struct dl_case *c = set.cases[i];
		struct dl_buf req = DL_BUF_INIT, tags = DL_BUF_INIT;
		for (size_t k = 0; k < c->require.n; k++)
			dl_buf_printf(&req, "%s%s", k ? "," : "", c->require.v[k]);
		for (size_t k = 0; k < c->tags.n; k++)
			dl_buf_printf(&tags, "%s%s", k ? "," : "", c->tags.v[k]);
		char *lvl = c->feature ? dl_xasprintf("cond(%s)", c->feature) :
		    dl_xstrdup(dl_level_name(c->level));
		printf("%-44s %-12s %-40s %s\n", c->id ? c->id : c->path, lvl,
		    req.data ? req.data : "", tags.data ? tags.data : "");
		free(lvl);
		dl_buf_free(&req);
		dl_buf_free(&tags);
	}
	printf("%zu cases\n", set.n);
	size_t n = set.n;
	dl_caseset_free(&set);
	dl_catalog_free(&cat);
	return n ? DL_EXIT_OK : DL_EXIT_NOCASE;
}

int
dl_cmd_lint(const struct dl_paths *p, int argc, char **argv)
{
	struct dl_catalog cat;
	struct dl_caseset set;
	struct dl_words paths = { 0 };
	bool json = false;
	int bad, a = catalog_args("lint", argc, argv, false, &json, &paths);

	if (a != 0 || dl_load_cases(p, paths.v, paths.n, &cat, &set) < 0) {
		dl_words_free(&paths);
		return a > 0 ? DL_EXIT_OK : DL_EXIT_USAGE;
	}
	dl_words_free(&paths);
	fputs(set.global.text.data ? set.global.text.data : "", stdout);
	for (size_t i = 0; i < set.n; i++)
		fputs(set.problems[i], stdout);
	bad = dl_caseset_problem_count(&set);
	printf("%zu cases read, %d with problems\n", set.n, bad);
	dl_caseset_free(&set);
	dl_catalog_free(&cat);
	return bad ? DL_EXIT_UNEXPECTED : DL_EXIT_OK;
}

/* Which cases name requirement id, and at which levels. */
struct req_cover {
	int required, other;
};

static struct req_cover
cover_of(const struct dl_caseset *set, const char *id)
{
	struct req_cover rc = { 0, 0 };

	for (size_t i = 0; i < set->n; i++) {
		const struct dl_case *c = set->cases[i];
		if (set->problems[i][0] || !dl_words_has(&c->require, id))
			continue;
		if (c->level == DL_LEVEL_REQUIRED || c->level == DL_LEVEL_CONDITIONAL)
			rc.required++;
		else
			rc.other++;
	}
	return rc;
}

/* cases/out-of-scope.tsv: "id<TAB>reason" for rows no case can test. */
static char *
out_of_scope(const struct dl_buf *table, const char *id)
{
	size_t n = strlen(id);

	for (const char *p = table->data; p && *p;) {
		const char *eol = strchr(p, '\n');
		if (strncmp(p, id, n) == 0 && p[n] == '\t')
			return dl_xstrndup(p + n + 1, eol ? (size_t)(eol - p - n - 1) : strlen(p + n + 1));
		p = eol ? eol + 1 : NULL;
	}
	return NULL;
}

int
dl_cmd_coverage(const struct dl_paths *p, int argc, char **argv)
{
	struct dl_catalog cat;
	struct dl_caseset set;
	bool missing_only = false;
	struct dl_words paths = { 0 }, globs = { 0 };
	int stop = 0; /* 1: help printed, 2: usage error */
	int must_cov = 0, must_n = 0, cov = 0, scen_cov = 0, oos = 0;
	struct dl_buf scope = DL_BUF_INIT;
	char *scope_path = dl_xasprintf("%s/cases/out-of-scope.tsv", p->srcdir);

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--missing") == 0) {
			missing_only = true;
		} else if (strcmp(argv[i], "--cases") == 0 && i + 1 < argc) {
			dl_words_push(&paths, argv[++i]);
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			printf("usage: danelab coverage [--missing] [--cases DIR] "
			    "[CASE-FILE | FOLDER ...]\n");
			stop = 1;
			break;
		} else if (dl_split_case_args(&argv[i], 1, &paths, &globs) == 0) {
			/* Coverage counts whole case sets: an id glob means nothing here. */
			fprintf(stderr, "danelab coverage: \"%s\" is not a case file or folder\n",
			    argv[i]);
			stop = 2;
			break;
		}
	}
	dl_words_free(&globs);
	if (stop) {
		free(scope_path);
		dl_words_free(&paths);
		return stop == 1 ? DL_EXIT_OK : DL_EXIT_USAGE;
	}
	dl_read_file(scope_path, &scope);
	free(scope_path);
	int lrc = dl_load_cases(p, paths.v, paths.n, &cat, &set);
	dl_words_free(&paths);
	if (lrc < 0)
		return DL_EXIT_USAGE;
	printf("%-16s %-12s %-10s %-22s %s\n", "REQUIREMENT", "KEYWORD", "CASES",
	    "LABEL", "");
	for (size_t i = 0; i < cat.n_reqs; i++) {
		const struct dl_requirement *r = &cat.reqs[i];
		struct req_cover rc = cover_of(&set, r->id);
		bool covered = rc.required + rc.other > 0;
		char *why = covered ? NULL : out_of_scope(&scope, r->id);
		cov += covered;
		oos += why != NULL;
		if (r->must46) {
			must_n++;
			must_cov += rc.required > 0;
		}
		if (!missing_only || (!covered && why == NULL))
			printf("%-16s %-12s %3d+%-6d %-22s %s%s%s\n", r->id, r->keyword,
			    rc.required, rc.other, r->label, r->must46 ? "[7672 MUST] " : "",
			    covered ? "" : why ? "out of scope: " : "NOT COVERED", why ? why : "");
		free(why);
	}
	for (size_t i = 0; i < cat.n_scen; i++)
		for (size_t k = 0; k < set.n; k++)
			if (set.cases[k]->scenario &&
			    strcmp(set.cases[k]->scenario, cat.scen[i].slug) == 0) {
				scen_cov++;
				break;
			}
	printf("\n(CASES: required-or-conditional + other levels)\n");
	printf("requirements covered: %d/%zu (%d more out of scope with a reason, "
	    "%zu not covered)\n", cov, cat.n_reqs, oos, cat.n_reqs - (size_t)cov - (size_t)oos);
	printf("RFC 7672 client MUST/MUST NOT covered by required cases: %d/%d\n",
	    must_cov, must_n);
	printf("catalog scenarios with a case: %d/%zu\n", scen_cov, cat.n_scen);
	dl_caseset_free(&set);
	dl_catalog_free(&cat);
	dl_buf_free(&scope);
	return DL_EXIT_OK;
}
