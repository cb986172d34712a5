/*
 * fuzz_case.c -- libFuzzer target for the case reader and lint
 * (runner/case_parse.c, case_world.c, case_personas.c, case_probes.c,
 * judge.c's expectation lint): a case file is untrusted input, so any
 * bytes must give diagnostics, never a crash, a leak or a hang.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runner/case.h"
#include "runner/case_world.h"
#include "runner/judge.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dl_diag d = { 0 };
	struct dl_case *c;

	/* The runner refuses bigger files before reading them. */
	if (size > DL_CASE_MAX_BYTES)
		return 0;
	c = dl_case_parse_mem("cases/fuzz/t1.case", (const char *)data, size, &d);
	if (c) {
		dl_expect_lint(c, &d);
		dl_case_world_lint(c, &d);
		/* Nothing the reader keeps may hold a control character. */
		if (c->title)
			for (const char *p = c->title; *p; p++)
				if ((unsigned char)*p < 0x20 && *p != '\t')
					abort();
	}
	dl_case_free(c);
	dl_diag_free(&d);
	return 0;
}
