/*
 * caseset.c -- see caseset.h.
 */
#include "runner/caseset.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runner/case_world.h"
#include "runner/judge.h"
#include "util/buf.h"

/* The directories on the way down: a symbolic link back up is a loop. */
struct walk {
	dev_t dev[64];
	ino_t ino[64];
	int depth;
};

static void
collect(const char *path, struct dl_words *files, struct dl_diag *diag, struct walk *wk)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		dl_diag_add(diag, path, 0, "cannot read: %s", strerror(errno));
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		dl_words_push(files, path);
		return;
	}
	for (int i = 0; i < wk->depth; i++)
		if (wk->dev[i] == st.st_dev && wk->ino[i] == st.st_ino) {
			dl_diag_add(diag, path, 0, "directory loop (a symbolic link to a "
			    "directory above it), skipped");
			return;
		}
	if (wk->depth == 64) {
		dl_diag_add(diag, path, 0, "directories nested deeper than 64, skipped");
		return;
	}
	wk->dev[wk->depth] = st.st_dev;
	wk->ino[wk->depth++] = st.st_ino;
	DIR *d = opendir(path);
	if (d == NULL) {
		dl_diag_add(diag, path, 0, "cannot open directory: %s", strerror(errno));
		return;
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char *sub = dl_xasprintf("%s/%s", path, e->d_name);
		size_t n = strlen(e->d_name);
		struct stat sst;
		if (stat(sub, &sst) == 0 && S_ISDIR(sst.st_mode))
			collect(sub, files, diag, wk);
		else if (n > 5 && strcmp(e->d_name + n - 5, ".case") == 0)
			dl_words_push(files, sub);
		free(sub);
	}
	closedir(d);
	wk->depth--;
}

static const char *
case_key(const struct dl_case *c)
{
	return c->id ? c->id : c->path;
}

/* Sort cases (and their problem texts with them) by id: insertion sort,
 * the set is a few hundred cases read once. */
static void
sort_cases(struct dl_caseset *set)
{
	for (size_t i = 1; i < set->n; i++) {
		struct dl_case *c = set->cases[i];
		char *p = set->problems[i];
		size_t j = i;
		while (j > 0 && strcmp(case_key(set->cases[j - 1]), case_key(c)) > 0) {
			set->cases[j] = set->cases[j - 1];
			set->problems[j] = set->problems[j - 1];
			j--;
		}
		set->cases[j] = c;
		set->problems[j] = p;
	}
}

static void
lint_catalog(const struct dl_case *c, const struct dl_catalog *cat, struct dl_diag *d)
{
	for (size_t i = 0; i < c->require.n; i++)
		if (dl_catalog_req(cat, c->require.v[i]) == NULL)
			dl_diag_add(d, c->path, 0, "unknown requirement id \"%s\", expected "
			    "an id of cases/requirements.tsv", c->require.v[i]);
	/* Cases beyond the catalog say so: "scenario extra". */
	if (c->scenario && !c->fixture && strcmp(c->scenario, "extra") != 0 &&
	    dl_catalog_scenario(cat, c->scenario) == NULL)
		dl_diag_add(d, c->path, 0, "unknown scenario \"%s\", expected a slug of "
		    "cases/scenarios.tsv (or \"scenario extra\")", c->scenario);
}

int
dl_caseset_load(struct dl_caseset *set, char *const *paths, size_t n_paths,
    const struct dl_catalog *cat)
{
	struct dl_words files = { 0 };

	memset(set, 0, sizeof(*set));
	for (size_t i = 0; i < n_paths; i++) {
		struct walk wk = { .depth = 0 };
		collect(paths[i], &files, &set->global, &wk);
	}
	set->cases = dl_xcalloc(files.n ? files.n : 1, sizeof(*set->cases));
	set->problems = dl_xcalloc(files.n ? files.n : 1, sizeof(*set->problems));
	for (size_t i = 0; i < files.n; i++) {
		struct dl_diag d = { 0 };
		struct dl_case *c = dl_case_parse_file(files.v[i], &d);
		if (c == NULL) {
			dl_buf_adds(&set->global.text, d.text.data ? d.text.data : "");
			set->global.count += d.count;
			dl_diag_free(&d);
			continue;
		}
		dl_expect_lint(c, &d);
		lint_catalog(c, cat, &d);
		dl_case_world_lint(c, &d);
		set->problems[set->n] = d.text.data ? dl_buf_take(&d.text) : dl_xstrdup("");
		set->cases[set->n++] = c;
		dl_diag_free(&d);
	}
	dl_words_free(&files);
	sort_cases(set);
	for (size_t i = 1; i < set->n; i++) {
		struct dl_case *c = set->cases[i], *prev = set->cases[i - 1];
		/* An id that is no label is an error of its own and owns no name. */
		if (c->id && prev->id && strcmp(c->id, prev->id) == 0 && dl_case_label_ok(c->id)) {
			/* Both: neither may run with a name the other owns. */
			for (int k = 0; k < 2; k++) {
				struct dl_case *me = k ? c : prev, *other = k ? prev : c;
				char *old = set->problems[i - 1 + (size_t)k];
				set->problems[i - 1 + (size_t)k] = dl_xasprintf("%s%s: duplicate "
				    "id \"%s\" (also in %s), expected unique ids\n", old, me->path,
				    me->id, other->path);
				free(old);
			}
		}
	}
	return 0;
}

int
dl_caseset_problem_count(const struct dl_caseset *set)
{
	int n = set->global.count;

	for (size_t i = 0; i < set->n; i++)
		n += set->problems[i][0] != '\0';
	return n;
}

void
dl_caseset_free(struct dl_caseset *set)
{
	for (size_t i = 0; i < set->n; i++) {
		dl_case_free(set->cases[i]);
		free(set->problems[i]);
	}
	free(set->cases);
	free(set->problems);
	dl_diag_free(&set->global);
	memset(set, 0, sizeof(*set));
}

static bool
req_matches(const char *id, const char *want)
{
	size_t n = strlen(want);

	if (strcmp(id, want) == 0)
		return true;
	/* A section prefix matches its ids and subsections: "7672-2.2" covers
	 * "7672-2.2-a" and "7672-2.2.1-b", but not "7672-2.20-a". */
	return strncmp(id, want, n) == 0 && (id[n] == '-' || id[n] == '.');
}

bool
dl_case_selected(const struct dl_case *c, size_t index, const struct dl_selection *sel)
{
	bool ok;

	if (sel->shard_n > 0 && (int)(index % (size_t)sel->shard_n) != sel->shard_i - 1)
		return false;
	if (sel->globs.n) {
		ok = false;
		for (size_t i = 0; i < sel->globs.n && !ok; i++)
			ok = c->id && fnmatch(sel->globs.v[i], c->id, 0) == 0;
		if (!ok)
			return false;
	}
	if (sel->tags.n) {
		ok = false;
		for (size_t i = 0; i < sel->tags.n && !ok; i++)
			ok = dl_words_has(&c->tags, sel->tags.v[i]);
		if (!ok)
			return false;
	}
	if (sel->reqs.n) {
		ok = false;
		for (size_t i = 0; i < sel->reqs.n && !ok; i++)
			for (size_t k = 0; k < c->require.n && !ok; k++)
				ok = req_matches(c->require.v[k], sel->reqs.v[i]);
		if (!ok)
			return false;
	}
	if (sel->levels.n && !dl_words_has(&sel->levels, dl_level_name(c->level)))
		return false;
	return true;
}
