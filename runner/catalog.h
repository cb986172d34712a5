/*
 * catalog.h -- the requirement catalog as danelab knows it.
 *
 * cases/requirements.tsv and cases/scenarios.tsv are generated from the
 * catalog (scripts/import-requirements.py) and committed.  The runner uses
 * them to lint `require` lines and to compute coverage.
 */
#ifndef DL_RUNNER_CATALOG_H
#define DL_RUNNER_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

struct dl_requirement {
	char *id;        /* "7672-2.2-a" */
	char *rfc;       /* "RFC 7672 §2.2" */
	char *keyword;   /* MUST, SHOULD, DEF, lc-must, ... */
	char *label;     /* required, recommended, optional, conditional(...), n/a */
	bool must46;     /* one of RFC 7672's client MUST / MUST NOT rows */
	char *text;
};

struct dl_scenario {
	char *slug;
	char group;      /* 'A'..'M' */
	char *covers;    /* space-separated requirement ids */
	char *label;
};

struct dl_catalog {
	struct dl_requirement *reqs;
	size_t n_reqs;
	struct dl_scenario *scen;
	size_t n_scen;
};

/* Load both tables from dir (normally "cases"); caller frees. */
int dl_catalog_load(struct dl_catalog *cat, const char *dir, struct dl_err *err);
/* The same from the two tables' text (fuzzing, tests). */
int dl_catalog_parse(struct dl_catalog *cat, const char *requirements,
	const char *scenarios, struct dl_err *err);
void dl_catalog_free(struct dl_catalog *cat);
const struct dl_requirement *dl_catalog_req(const struct dl_catalog *cat, const char *id);
const struct dl_scenario *dl_catalog_scenario(const struct dl_catalog *cat, const char *slug);

#endif
