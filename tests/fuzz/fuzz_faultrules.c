/*
 * fuzz_faultrules.c -- libFuzzer target for the fault DNS proxy's rule
 * parser (servers/faultdns.c fdns_rules_parse), which reads what the
 * runner renders from case files' $DNSFAULT and $PATHFAULT lines.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "servers/faultdns.h"
#include "util/buf.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = dl_xmalloc(size + 1);
	struct fdns_rules rules;
	struct dl_err err;

	memcpy(text, data, size);
	text[size] = '\0';
	/* No served directory: `serve` rules fail cleanly, like a missing file. */
	if (fdns_rules_parse(text, "fuzz.rules", "/nonexistent", &rules, &err) == 0) {
		for (size_t i = 0; i < rules.n; i++)
			if ((unsigned)rules.v[i].action >= FDNS_ACTION_COUNT ||
			    rules.v[i].qname == NULL)
				abort();
		fdns_rules_free(&rules);
	}
	free(text);
	return 0;
}
