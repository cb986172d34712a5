/*
 * cu.c -- see cu.h.
 */
#include "tests/unit/cu.h"

#include <CUnit/Basic.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"

static const char *cu_suite_name;
static char cu_dir[256];

const char *
cu_tmpdir(void)
{
	return cu_dir;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

static void
on_start(const CU_pTest test, const CU_pSuite suite)
{
	(void)test; (void)suite;
	snprintf(cu_dir, sizeof(cu_dir), "/tmp/danelab-unit-XXXXXX");
	if (mkdtemp(cu_dir) == NULL)
		cu_dir[0] = '\0';
}

static void
on_complete(const CU_pTest test, const CU_pSuite suite,
    const CU_pFailureRecord failures)
{
	(void)suite;
	if (cu_dir[0])
		nftw(cu_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (failures == NULL) {
		printf("PASS unit/%s/%s\n", cu_suite_name, test->pName);
	} else {
		printf("FAIL unit/%s/%s: %s:%u: %s\n", cu_suite_name, test->pName,
		    failures->strFileName, failures->uiLineNumber,
		    failures->strCondition);
		for (CU_pFailureRecord f = failures->pNext; f; f = f->pNext)
			printf("     also %s:%u: %s\n", f->strFileName,
			    f->uiLineNumber, f->strCondition);
	}
	fflush(stdout);
}

int
cu_main(int argc, char **argv, const char *suite, const struct cu_test *tests)
{
	CU_pSuite s;
	unsigned failed;

	cu_suite_name = suite;
	dl_log_init(argv[0], getenv("DANELAB_DEBUG") ? DL_LOG_DEBUG : DL_LOG_ERR);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite(suite, NULL, NULL);
	for (const struct cu_test *t = tests; t->name; t++) {
		if (argc > 1 && strstr(t->name, argv[1]) == NULL)
			continue;
		CU_add_test(s, t->name, t->fn);
	}
	CU_set_test_start_handler(on_start);
	CU_set_test_complete_handler(on_complete);
	CU_basic_set_mode(CU_BRM_SILENT);
	CU_run_all_tests();
	failed = CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
