/*
 * lint.h -- linting case text in unit tests (test_caselint, test_runner):
 * the text is parsed as the file "cases/t1.case", as `danelab lint` would,
 * and the diagnostics come back as one string.
 */
#ifndef DL_TEST_LINT_H
#define DL_TEST_LINT_H

#include <stdbool.h>
#include <stddef.h>

/* The diagnostics ("" when clean) of len bytes of case text; caller frees. */
char *lint_mem(const char *text, size_t len);
/* The same for a NUL-terminated text. */
char *lint_text(const char *text);
/* One edit of a good case: its line from becomes to, and lint says want. */
struct lint_vector {
	const char *from, *to;
	const char *want;       /* in the diagnostics; "": they are clean */
};

/*
 * Apply each vector to good on its own and assert what lint says (a vector
 * whose from is not in good fails).  A mismatch is described on stderr
 * with the vector's number, for the one who reads the FAIL line.  With
 * printable_only, no diagnostic may carry a control character either.
 */
void lint_vectors(const char *good, const struct lint_vector *v, size_t n,
	bool printable_only);

#endif
