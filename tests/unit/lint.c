/*
 * lint.c -- see lint.h.
 */
#include "tests/unit/lint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/case.h"
#include "runner/case_world.h"
#include "runner/judge.h"
#include "tests/unit/cu.h"
#include "util/buf.h"

char *
lint_mem(const char *text, size_t len)
{
	struct dl_diag d = { 0 };
	struct dl_case *c = dl_case_parse_mem("cases/t1.case", text, len, &d);

	if (c) {
		dl_expect_lint(c, &d);
		dl_case_world_lint(c, &d);
	}
	dl_case_free(c);
	char *out = d.text.data ? dl_buf_take(&d.text) : dl_xstrdup("");
	dl_diag_free(&d);
	return out;
}

char *
lint_text(const char *text)
{
	return lint_mem(text, strlen(text));
}

void
lint_vectors(const char *good, const struct lint_vector *v, size_t n,
    bool printable_only)
{
	for (size_t i = 0; i < n; i++) {
		const char *at = strstr(good, v[i].from);
		CU_ASSERT_PTR_NOT_NULL_FATAL(at);
		char *text = dl_xasprintf("%.*s%s%s", (int)(at - good), good,
		    v[i].to, at + strlen(v[i].from));
		char *lint = lint_text(text);
		bool ok = v[i].want[0] ? strstr(lint, v[i].want) != NULL :
		    lint[0] == '\0';
		CU_ASSERT(ok);
		if (!ok)
			fprintf(stderr, "vector %zu: want \"%s\" in:\n%s", i,
			    v[i].want, lint);
		for (const char *p = lint; printable_only && *p; p++)
			CU_ASSERT(*p == '\n' || (unsigned char)*p >= 0x20);
		free(lint);
		free(text);
	}
}
