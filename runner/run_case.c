/*
 * run_case.c -- one case's state in a run that every step of it shares:
 * its harness errors, the daemons' output routed to it, its directories.
 * A leaf: run.c and run_send.c use it, it uses neither.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "runner/run_internal.h"
#include "util/buf.h"

int
run_mkdir_p(const char *path)
{
	char *p = dl_xstrdup(path);

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	int rc = mkdir(p, 0755) == 0 || errno == EEXIST ? 0 : -1;
	free(p);
	return rc;
}

void
run_case_error(struct rcase *rc, const char *fmt, ...)
{
	va_list ap;
	struct dl_buf b = DL_BUF_INIT;

	va_start(ap, fmt);
	dl_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (rc->error) {
		char *old = rc->error;
		rc->error = dl_xasprintf("%s%s", old, b.data);
		free(old);
		dl_buf_free(&b);
	} else {
		rc->error = dl_buf_take(&b);
	}
}

/* ---- routing of daemon output to cases ---- */

static struct rcase *
case_by_id(struct run *r, const char *id, size_t len)
{
	/* A case without an id (a lint error: it is never placed) owns no name. */
	for (size_t i = 0; i < r->n; i++) {
		const char *cid = r->cases[i].c->id;
		if (cid && strlen(cid) == len && strncmp(cid, id, len) == 0)
			return &r->cases[i];
	}
	return NULL;
}

/* Evidence lines start {"v":1,"persona":"<case>/<host>...": route by case. */
void
run_route_evidence(void *arg, const char *line, size_t len)
{
	struct run *r = arg;
	const char *p = memmem(line, len, "\"persona\":\"", 11);

	if (p == NULL)
		return;
	p += 11;
	const char *slash = memchr(p, '/', len - (size_t)(p - line));
	struct rcase *rc = slash ? case_by_id(r, p, (size_t)(slash - p)) : NULL;
	if (rc) {
		dl_buf_add(&rc->ev_lines, line, len);
		dl_buf_addc(&rc->ev_lines, '\n');
	}
}

/*
 * Resolver query lines ("info: ADDR NAME TYPE CLASS") and its SERVFAIL
 * reasons ("error: SERVFAIL <NAME TYPE CLASS>: why") name "...<case>.test.":
 * the label before "test." of the first name routes the line.
 */
void
run_route_resolver(void *arg, const char *line, size_t len)
{
	struct run *r = arg;
	const char *info = memmem(line, len, " info: ", 7);

	if (info == NULL)
		info = memmem(line, len, " error: SERVFAIL <", 18);
	if (info == NULL)
		return;
	for (const char *p = info; p + 6 < line + len; p++) {
		if (strncasecmp(p, ".test. ", 7) != 0)
			continue;
		const char *start = p;
		while (start > info && start[-1] != '.' && start[-1] != ' ' && start[-1] != '<')
			start--;
		struct rcase *rc = case_by_id(r, start, (size_t)(p - start));
		if (rc) {
			dl_buf_add(&rc->dns_lines, line, len);
			dl_buf_addc(&rc->dns_lines, '\n');
		}
		return;
	}
}
