/*
 * fuzz_expectfile.c -- libFuzzer target for an adapter's expectations file
 * parser (runner/adapter.c, runner/adapters/NAME.expect: "CASE xfail WHY").
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runner/adapter.h"
#include "util/buf.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = dl_xmalloc(size + 1);
	struct dl_adapter a = { 0 };
	struct dl_err err;

	memcpy(text, data, size);
	text[size] = '\0';
	(void)dl_adapter_parse_deviations(&a, text, "fuzz.expect", &err);
	for (size_t i = 0; i < a.n_deviations; i++) {
		if (a.deviations[i].case_glob == NULL || a.deviations[i].reason == NULL ||
		    a.deviations[i].line < 1)
			abort();
		free(a.deviations[i].case_glob);
		free(a.deviations[i].reason);
	}
	free(a.deviations);
	free(text);
	return 0;
}
