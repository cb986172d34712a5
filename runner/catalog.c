/*
 * catalog.c -- see catalog.h.
 */
#include "runner/catalog.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

/* Split a TSV line in place into at most max fields; returns the count. */
static size_t
tsv_split(char *line, char **fields, size_t max)
{
	size_t n = 0;

	while (n < max) {
		fields[n++] = line;
		char *tab = strchr(line, '\t');
		if (tab == NULL)
			break;
		*tab = '\0';
		line = tab + 1;
	}
	return n;
}

static void req_row(struct dl_catalog *cat, char **f);
static void scen_row(struct dl_catalog *cat, char **f);

/* Rows of one table from text (path names it in errors). */
static int
parse_tsv(const char *text, const char *path, size_t want,
    void (*row)(struct dl_catalog *, char **), struct dl_catalog *cat, struct dl_err *err)
{
	struct dl_buf b = DL_BUF_INIT;
	char *fields[8];
	int lineno = 0;

	dl_buf_adds(&b, text);
	for (char *line = b.data, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (tsv_split(line, fields, want) != want) {
			dl_buf_free(&b);
			return dl_errf(err, "%s:%d: expected %zu tab-separated fields", path,
			    lineno, want);
		}
		row(cat, fields);
	}
	dl_buf_free(&b);
	return 0;
}

static int
load_tsv(const char *path, size_t want, void (*row)(struct dl_catalog *, char **),
    struct dl_catalog *cat, struct dl_err *err)
{
	struct dl_buf b = DL_BUF_INIT;
	int rc;

	if (dl_read_file(path, &b) < 0) {
		dl_buf_free(&b);
		return dl_errf(err, "%s: cannot read: %s", path, strerror(errno));
	}
	rc = parse_tsv(b.data ? b.data : "", path, want, row, cat, err);
	dl_buf_free(&b);
	return rc;
}

int
dl_catalog_parse(struct dl_catalog *cat, const char *requirements, const char *scenarios,
    struct dl_err *err)
{
	int rc;

	memset(cat, 0, sizeof(*cat));
	rc = parse_tsv(requirements, "requirements.tsv", 6, req_row, cat, err);
	if (rc == 0)
		rc = parse_tsv(scenarios, "scenarios.tsv", 5, scen_row, cat, err);
	if (rc < 0)
		dl_catalog_free(cat);
	return rc;
}

static void
req_row(struct dl_catalog *cat, char **f)
{
	cat->reqs = dl_xrealloc(cat->reqs, (cat->n_reqs + 1) * sizeof(*cat->reqs));
	struct dl_requirement *r = &cat->reqs[cat->n_reqs++];
	r->id = dl_xstrdup(f[0]);
	r->rfc = dl_xstrdup(f[1]);
	r->keyword = dl_xstrdup(f[2]);
	r->label = dl_xstrdup(f[3]);
	r->must46 = strcmp(f[4], "must46") == 0;
	r->text = dl_xstrdup(f[5]);
}

static void
scen_row(struct dl_catalog *cat, char **f)
{
	cat->scen = dl_xrealloc(cat->scen, (cat->n_scen + 1) * sizeof(*cat->scen));
	struct dl_scenario *s = &cat->scen[cat->n_scen++];
	s->slug = dl_xstrdup(f[0]);
	s->group = f[1][0];
	s->covers = dl_xstrdup(f[2]);
	s->label = dl_xstrdup(f[3]);
}

int
dl_catalog_load(struct dl_catalog *cat, const char *dir, struct dl_err *err)
{
	char *p1 = dl_xasprintf("%s/requirements.tsv", dir);
	char *p2 = dl_xasprintf("%s/scenarios.tsv", dir);
	int rc;

	memset(cat, 0, sizeof(*cat));
	rc = load_tsv(p1, 6, req_row, cat, err);
	if (rc == 0)
		rc = load_tsv(p2, 5, scen_row, cat, err);
	free(p1);
	free(p2);
	if (rc < 0)
		dl_catalog_free(cat);
	return rc;
}

void
dl_catalog_free(struct dl_catalog *cat)
{
	for (size_t i = 0; i < cat->n_reqs; i++) {
		free(cat->reqs[i].id);
		free(cat->reqs[i].rfc);
		free(cat->reqs[i].keyword);
		free(cat->reqs[i].label);
		free(cat->reqs[i].text);
	}
	free(cat->reqs);
	for (size_t i = 0; i < cat->n_scen; i++) {
		free(cat->scen[i].slug);
		free(cat->scen[i].covers);
		free(cat->scen[i].label);
	}
	free(cat->scen);
	memset(cat, 0, sizeof(*cat));
}

const struct dl_requirement *
dl_catalog_req(const struct dl_catalog *cat, const char *id)
{
	for (size_t i = 0; i < cat->n_reqs; i++)
		if (strcmp(cat->reqs[i].id, id) == 0)
			return &cat->reqs[i];
	return NULL;
}

const struct dl_scenario *
dl_catalog_scenario(const struct dl_catalog *cat, const char *slug)
{
	for (size_t i = 0; i < cat->n_scen; i++)
		if (strcmp(cat->scen[i].slug, slug) == 0)
			return &cat->scen[i];
	return NULL;
}
