/*
 * exe.c -- see exe.h.
 */
#include "util/exe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Try each directory of a colon-separated list; 1 when found. */
static int
search(const char *dirs, const char *name, char *buf, size_t len)
{
	const char *p = dirs;

	while (*p != '\0') {
		size_t n = strcspn(p, ":");
		/* An empty entry means the current directory, as execvp reads it. */
		int w = n ? snprintf(buf, len, "%.*s/%s", (int)n, p, name) :
		    snprintf(buf, len, "./%s", name);
		if (w > 0 && (size_t)w < len && access(buf, X_OK) == 0)
			return 1;
		p += n;
		if (*p == ':')
			p++;
	}
	return 0;
}

const char *
dl_exe_path(const char *name, char *buf, size_t len)
{
	const char *path = getenv("PATH");

	if (strchr(name, '/') == NULL &&
	    ((path != NULL && search(path, name, buf, len)) ||
	    search("/usr/sbin:/sbin", name, buf, len)))
		return buf;
	snprintf(buf, len, "%s", name);
	return buf;
}
