/*
 * caseset.h -- finding, reading, linting and selecting case files.
 */
#ifndef DL_RUNNER_CASESET_H
#define DL_RUNNER_CASESET_H

#include <stdbool.h>

#include "runner/case.h"
#include "runner/catalog.h"

struct dl_caseset {
	struct dl_case **cases;   /* owned; sorted by id */
	char **problems;          /* per case: lint messages ("" if clean) */
	size_t n;
	struct dl_diag global;    /* problems not tied to one case */
};

/*
 * Read every *.case under the given files/directories (recursively),
 * parse and lint them against the catalog (unknown requirement ids and
 * scenario slugs, duplicate ids, expectation vocabulary, world references).
 */
int dl_caseset_load(struct dl_caseset *set, char *const *paths, size_t n_paths,
	const struct dl_catalog *cat);
void dl_caseset_free(struct dl_caseset *set);
int dl_caseset_problem_count(const struct dl_caseset *set);

/* Selection, as given on the command line. */
struct dl_selection {
	struct dl_words globs;    /* id globs (any) */
	struct dl_words tags;     /* any tag */
	struct dl_words reqs;     /* requirement id or prefix ("7672-2.2", "7672-2.2-a") */
	struct dl_words levels;   /* level names */
	int shard_i, shard_n;     /* 1-based shard of n; 0/0 = all */
};

bool dl_case_selected(const struct dl_case *c, size_t index,
	const struct dl_selection *sel);

#endif
