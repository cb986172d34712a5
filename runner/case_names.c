/*
 * case_names.c -- names as a case writes them ("@", "mx1", "host.other.")
 * made absolute under the case's apex, and host labels to their index.
 */
#include <string.h>

#include "runner/case.h"
#include "util/buf.h"

char *
dl_case_name_abs(const char *name, const char *apex)
{
	size_t n = strlen(name);

	if (strcmp(name, "@") == 0)
		return dl_xstrdup(apex);
	if (n > 0 && name[n - 1] == '.')
		return dl_xstrndup(name, n - 1);
	return dl_xasprintf("%s.%s", name, apex);
}

int
dl_case_host_index(const struct dl_case *c, const char *label)
{
	for (size_t i = 0; i < c->n_hosts; i++)
		if (strcmp(c->hosts[i].label, label) == 0)
			return (int)i;
	return -1;
}
