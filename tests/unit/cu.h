/*
 * cu.h -- the CUnit harness every tests/unit/test_*.c program uses.
 *
 * A test file lists its tests and calls cu_main() from main():
 *
 *     static const struct cu_test tests[] = {
 *         { "sign_secure", test_sign_secure },
 *         { NULL, NULL },
 *     };
 *     int main(int argc, char **argv)
 *     { return cu_main(argc, argv, "zones", tests); }
 *
 * Output is one line per test, "PASS unit/SUITE/NAME" or
 * "FAIL unit/SUITE/NAME: file:line: assertion", which tests/run counts.
 * An optional argument selects tests by substring.
 */
#ifndef DL_CU_H
#define DL_CU_H

#include <CUnit/CUnit.h>

struct cu_test {
	const char *name;
	void (*fn)(void);
};

int cu_main(int argc, char **argv, const char *suite,
	const struct cu_test *tests);

/* A per-test scratch directory (removed after the test); valid inside a test. */
const char *cu_tmpdir(void);

#endif
