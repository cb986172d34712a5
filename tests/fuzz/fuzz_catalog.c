/*
 * fuzz_catalog.c -- libFuzzer target for the catalog's TSV reader
 * (runner/catalog.c: requirements.tsv, scenarios.tsv).  The input is split
 * at its first NUL-free form feed into the two tables.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runner/catalog.h"
#include "util/buf.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = dl_xmalloc(size + 1);
	struct dl_catalog cat;
	struct dl_err err;

	memcpy(text, data, size);
	text[size] = '\0';
	char *ff = strchr(text, '\f');
	const char *scen = "";
	if (ff) {
		*ff = '\0';
		scen = ff + 1;
	}
	if (dl_catalog_parse(&cat, text, scen, &err) == 0) {
		for (size_t i = 0; i < cat.n_reqs; i++)
			if (dl_catalog_req(&cat, cat.reqs[i].id) == NULL)
				abort();
		for (size_t i = 0; i < cat.n_scen; i++)
			if (dl_catalog_scenario(&cat, cat.scen[i].slug) == NULL)
				abort();
		dl_catalog_free(&cat);
	}
	free(text);
	return 0;
}
