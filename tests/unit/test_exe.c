/*
 * test_exe.c -- util/exe: daemons are found whatever the caller's PATH.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/unit/cu.h"
#include "util/exe.h"

/* PATH is process state: every test restores the one it found. */
static char *saved;

static void
set_path(const char *p)
{
	free(saved);
	saved = strdup(getenv("PATH") ? getenv("PATH") : "");
	setenv("PATH", p, 1);
}

static void
restore_path(void)
{
	setenv("PATH", saved, 1);
}

/* A stand-in earlier in PATH wins over /usr/sbin (tests/e2e/lab.sh uses it). */
static void
test_exe_path_first(void)
{
	char dir[512], f[600], buf[600], path[700];

	snprintf(dir, sizeof(dir), "%s", cu_tmpdir());
	snprintf(f, sizeof(f), "%s/nsd", dir);
	FILE *fp = fopen(f, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	fputs("#!/bin/sh\n", fp);
	fclose(fp);
	chmod(f, 0755);
	snprintf(path, sizeof(path), "/nonexistent::%s:/usr/sbin", dir);
	set_path(path);
	CU_ASSERT_STRING_EQUAL(dl_exe_path("nsd", buf, sizeof(buf)), f);
	restore_path();
}

/* An ordinary user's login PATH has no /usr/sbin: it is searched anyway. */
static void
test_exe_path_sbin(void)
{
	char buf[600];

	set_path("/usr/local/bin:/usr/bin:/bin");
	dl_exe_path("nsd", buf, sizeof(buf));
	CU_ASSERT(strcmp(buf, "/usr/sbin/nsd") == 0 || strcmp(buf, "/sbin/nsd") == 0);
	dl_exe_path("no-such-daemon-danelab", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "no-such-daemon-danelab");
	CU_ASSERT_STRING_EQUAL(dl_exe_path("/bin/sh", buf, sizeof(buf)), "/bin/sh");
	restore_path();
}

static const struct cu_test tests[] = {
	{ "exe_path_first", test_exe_path_first },
	{ "exe_path_sbin", test_exe_path_sbin },
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	return cu_main(argc, argv, "exe", tests);
}
