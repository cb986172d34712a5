/*
 * cmd_report.c -- `danelab report`: several `danelab run --json` reports
 * side by side (reference, Postfix, Exim, versions of one MTA), as one
 * self-contained HTML page and/or Markdown (docs/results.md).
 *
 *   danelab report [--html FILE] [--markdown FILE|-] [LABEL=]REPORT.json...
 *
 * One row per case, grouped by the RFC section of the case's first
 * requirement; one column per run, coloured by verdict; each run's
 * provenance (adapter, clock, duration, and whatever provenance the report
 * carries) in the header; every verdict other than PASS explained below,
 * one click from its cell.  Reports are untrusted input: every string is
 * escaped, and a member that is missing or mistyped reads as absent.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/cmd.h"
#include "runner/report.h"
#include "runner/report_html.h"
#include "util/buf.h"
#include "util/json.h"

struct mrun {
	char *label;
	char *path;
	struct dl_jv *doc;
	const struct dl_jv *cases;   /* array, or NULL */
};

struct mrow {
	const char *id;
	const struct dl_jv *first;   /* the case object that introduced the row */
	char *section;
	const struct dl_jv **cell;   /* per run: its case object, or NULL */
};

struct matrix {
	struct mrun *runs;
	size_t n_runs;
	struct mrow *rows;
	size_t n_rows;
};

static const char *const known_top[] = { "schema", "adapter", "started", "duration_ms",
    "jobs", "summary", "cases", "provenance" };

static int
load_run(struct mrun *run, const char *arg, struct dl_err *err)
{
	struct dl_buf b = DL_BUF_INIT;
	const char *eq = strchr(arg, '=');
	char jerr[96];

	/* LABEL=PATH, unless the '=' belongs to a directory name. */
	if (eq && memchr(arg, '/', (size_t)(eq - arg)) == NULL && eq != arg) {
		run->label = dl_xstrndup(arg, (size_t)(eq - arg));
		run->path = dl_xstrdup(eq + 1);
	} else {
		run->path = dl_xstrdup(arg);
	}
	if (dl_read_file(run->path, &b) < 0)
		return dl_errf(err, "%s: cannot read: %s", run->path, strerror(errno));
	run->doc = dl_jv_parse(b.data ? b.data : "", b.len, jerr, sizeof(jerr));
	dl_buf_free(&b);
	if (run->doc == NULL || run->doc->type != DL_JV_OBJECT)
		return dl_errf(err, "%s: not a danelab JSON report: %s", run->path,
		    run->doc ? "not an object" : jerr);
	run->cases = dl_jv_get(run->doc, "cases");
	if (run->cases == NULL || run->cases->type != DL_JV_ARRAY)
		return dl_errf(err, "%s: no \"cases\" array: not a danelab JSON report", run->path);
	if (run->label == NULL)
		run->label = dl_xstrdup(dl_jv_str(run->doc, "adapter", "run"));
	return 0;
}

static int
row_cmp(const void *a, const void *b)
{
	const struct mrow *x = a, *y = b;
	int d = strverscmp(x->section, y->section);

	return d ? d : strcmp(x->id, y->id);
}

static const char *
case_str(const struct dl_jv *c, const char *key)
{
	return dl_jv_str(c, key, NULL);
}

/* The section a row goes under: its first requirement's. */
static char *
row_section(const struct dl_jv *c)
{
	const struct dl_jv *req = dl_jv_get(c, "requirements");

	if (req && req->type == DL_JV_ARRAY && req->n && req->items[0]->type == DL_JV_STRING)
		return dl_requirement_section(req->items[0]->str);
	return dl_xstrdup("(no requirement)");
}

static void
build_rows(struct matrix *m)
{
	for (size_t r = 0; r < m->n_runs; r++) {
		const struct dl_jv *cs = m->runs[r].cases;
		for (size_t i = 0; i < cs->n; i++) {
			const struct dl_jv *c = cs->items[i];
			const char *id = case_str(c, "id");
			struct mrow *row = NULL;
			if (id == NULL)
				continue;
			for (size_t k = 0; k < m->n_rows && !row; k++)
				if (strcmp(m->rows[k].id, id) == 0)
					row = &m->rows[k];
			if (row == NULL) {
				m->rows = dl_xrealloc(m->rows, (m->n_rows + 1) * sizeof(*m->rows));
				row = &m->rows[m->n_rows++];
				row->id = id;
				row->first = c;
				row->section = row_section(c);
				row->cell = dl_xcalloc(m->n_runs, sizeof(*row->cell));
			}
			/* Under --repeat a case has several results: the worst is its cell. */
			const char *v = case_str(c, "verdict");
			const struct dl_jv *old = row->cell[r];
			if (old == NULL || (v && strcmp(v, "pass") != 0 &&
			    strcmp(dl_jv_str(old, "verdict", "pass"), "pass") == 0))
				row->cell[r] = c;
		}
	}
	qsort(m->rows, m->n_rows, sizeof(*m->rows), row_cmp);
}

static void
matrix_free(struct matrix *m)
{
	for (size_t r = 0; r < m->n_runs; r++) {
		free(m->runs[r].label);
		free(m->runs[r].path);
		dl_jv_free(m->runs[r].doc);
	}
	for (size_t k = 0; k < m->n_rows; k++) {
		free(m->rows[k].section);
		free(m->rows[k].cell);
	}
	free(m->runs);
	free(m->rows);
}

static int
count_verdict(const struct mrun *run, const char *slug)
{
	int n = 0;

	for (size_t i = 0; i < run->cases->n; i++)
		n += strcmp(dl_jv_str(run->cases->items[i], "verdict", ""), slug) == 0;
	return n;
}

/* One provenance value as text (numbers without a fraction as integers). */
static char *
scalar_text(const struct dl_jv *v)
{
	switch (v->type) {
	case DL_JV_STRING: return dl_xstrdup(v->str);
	case DL_JV_BOOL: return dl_xstrdup(v->b ? "yes" : "no");
	case DL_JV_NUMBER:
		if (v->num == (double)(long long)v->num)
			return dl_xasprintf("%lld", (long long)v->num);
		return dl_xasprintf("%g", v->num);
	default: return NULL;
	}
}

static bool
is_scalar(const struct dl_jv *v)
{
	return v->type != DL_JV_OBJECT && v->type != DL_JV_ARRAY;
}

/*
 * The provenance lines every run can show: the keys of the header, in
 * first-seen order (adapter, started, duration first, then any other
 * top-level scalar, then every scalar of a "provenance" object, one level
 * of nesting flattened to "group.key").
 */
static void
provenance_keys(const struct matrix *m, struct dl_words *keys)
{
	dl_words_push(keys, "adapter");
	dl_words_push(keys, "started");
	dl_words_push(keys, "duration");
	dl_words_push(keys, "cases");
	for (size_t r = 0; r < m->n_runs; r++) {
		const struct dl_jv *d = m->runs[r].doc;
		for (size_t i = 0; i < d->n; i++) {
			bool known = false;
			for (size_t k = 0; k < sizeof(known_top) / sizeof(known_top[0]); k++)
				known |= strcmp(d->keys[i], known_top[k]) == 0;
			if (!known && is_scalar(d->items[i]) && !dl_words_has(keys, d->keys[i]))
				dl_words_push(keys, d->keys[i]);
		}
		const struct dl_jv *p = dl_jv_get(d, "provenance");
		for (size_t i = 0; p && p->type == DL_JV_OBJECT && i < p->n; i++) {
			const struct dl_jv *g = p->items[i];
			if (is_scalar(g)) {
				if (!dl_words_has(keys, p->keys[i]))
					dl_words_push(keys, p->keys[i]);
				continue;
			}
			for (size_t j = 0; g->type == DL_JV_OBJECT && j < g->n; j++) {
				char *k = dl_xasprintf("%s.%s", p->keys[i], g->keys[j]);
				if (is_scalar(g->items[j]) && !dl_words_has(keys, k))
					dl_words_push(keys, k);
				free(k);
			}
		}
	}
}

/* The value of provenance key for one run, or NULL (caller frees). */
static char *
provenance_value(const struct mrun *run, const char *key)
{
	const struct dl_jv *d = run->doc, *prov = dl_jv_get(d, "provenance"), *v;
	const char *dot = strchr(key, '.');

	if (strcmp(key, "duration") == 0) {
		v = dl_jv_get(d, "duration_ms");
		if (v == NULL || v->type != DL_JV_NUMBER)
			return NULL;
		return dl_xasprintf("%.1f s", v->num / 1000.0);
	}
	if (strcmp(key, "cases") == 0)
		return dl_xasprintf("%zu", run->cases->n);
	v = dl_jv_get(d, key);
	if (v == NULL || !is_scalar(v))
		v = dl_jv_get(prov, key);
	if ((v == NULL || !is_scalar(v)) && dot) {
		char *group = dl_xstrndup(key, (size_t)(dot - key));
		v = dl_jv_get(dl_jv_get(prov, group), dot + 1);
		free(group);
	}
	return v && is_scalar(v) ? scalar_text(v) : NULL;
}

/*
 * ---- the tables, once ----
 *
 * Both outputs show the same three tables (provenance, verdict counts,
 * cases) and the same list of explanations; they are built here once and
 * only drawn twice.  A cell holds plain text; what only a page can show
 * (classes, ids, a link with a tooltip, a second line) rides along and the
 * Markdown renderer ignores it.
 */

struct tcell {
	char *text;
	char *cls;          /* HTML class, or NULL */
	char *id;           /* HTML id, or NULL */
	char *href;         /* HTML: the text links here ... */
	char *tip;          /* ... with this tooltip */
	char *sub;          /* HTML: a second, smaller line (a case's title) */
	bool head;          /* a heading cell (<th>) */
};

struct trow {
	char *section;      /* a section heading instead of cells, or NULL */
	char *id;           /* HTML id of the row, or NULL */
	struct tcell *cells;
};

struct table {
	const char *id;          /* HTML id */
	const char *corner;      /* first heading, Markdown ... */
	const char *html_corner; /* ... and HTML */
	struct tcell *head;      /* the other headings */
	size_t n_head;
	struct trow *rows;
	size_t n_rows;
};

/* One verdict other than PASS of one run, to explain. */
struct why {
	size_t r, k;
	const struct dl_jv *c;
};

static const char *const verdict_order[] = { "pass", "xfail", "info", "non-strict",
    "unsupported", "skip", "fail", "error", "xpass" };

static size_t
table_cols(const struct table *t)
{
	return t->n_head + 1;
}

static void
table_init(struct table *t, const struct matrix *m, const char *id, const char *corner,
    const char *html_corner, bool level)
{
	memset(t, 0, sizeof(*t));
	t->id = id;
	t->corner = corner;
	t->html_corner = html_corner;
	t->n_head = m->n_runs + (level ? 1 : 0);
	t->head = dl_xcalloc(t->n_head, sizeof(*t->head));
	if (level)
		t->head[0].text = dl_xstrdup("level");
	for (size_t r = 0; r < m->n_runs; r++)
		t->head[r + (level ? 1 : 0)].text = dl_xstrdup(m->runs[r].label);
}

static struct trow *
table_row(struct table *t)
{
	t->rows = dl_xrealloc(t->rows, (t->n_rows + 1) * sizeof(*t->rows));
	struct trow *row = &t->rows[t->n_rows++];
	memset(row, 0, sizeof(*row));
	row->cells = dl_xcalloc(table_cols(t), sizeof(*row->cells));
	return row;
}

static void
cell_free(struct tcell *c)
{
	free(c->text);
	free(c->cls);
	free(c->id);
	free(c->href);
	free(c->tip);
	free(c->sub);
}

static void
table_free(struct table *t)
{
	for (size_t i = 0; i < t->n_head; i++)
		cell_free(&t->head[i]);
	for (size_t i = 0; i < t->n_rows; i++) {
		for (size_t j = 0; t->rows[i].section == NULL && j < table_cols(t); j++)
			cell_free(&t->rows[i].cells[j]);
		free(t->rows[i].cells);
		free(t->rows[i].section);
		free(t->rows[i].id);
	}
	free(t->head);
	free(t->rows);
}

static char *
upper_dup(const char *slug)
{
	char *u = dl_xstrdup(slug);

	for (char *p = u; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 32);
	return u;
}

static void
reasons_text(struct dl_buf *b, const struct dl_jv *c, void (*esc)(struct dl_buf *, const char *),
    const char *sep)
{
	const struct dl_jv *rs = dl_jv_get(c, "reasons");
	size_t k = 0;

	for (size_t i = 0; rs && rs->type == DL_JV_ARRAY && i < rs->n; i++) {
		if (rs->items[i]->type != DL_JV_STRING)
			continue;
		dl_buf_adds(b, k++ ? sep : "");
		esc(b, rs->items[i]->str);
	}
	if (k == 0)
		esc(b, dl_jv_str(c, "observed", ""));
}

static void
copy_text(struct dl_buf *b, const char *s)
{
	dl_buf_adds(b, s);
}

/* The verdict of one run for one case: a link to why unless PASS. */
static void
verdict_cell(struct tcell *cell, const struct dl_jv *c, size_t r, size_t k)
{
	if (c == NULL) {
		cell->text = dl_xstrdup("-");
		cell->cls = dl_xstrdup("n");
		return;
	}
	const char *slug = dl_jv_str(c, "verdict", "?");
	cell->text = upper_dup(slug);
	cell->cls = dl_xasprintf("verdict %s", dl_html_verdict_class(slug));
	if (strcmp(slug, "pass") == 0)
		return;
	/* One click from a coloured cell to why; the reasons also as a tooltip. */
	struct dl_buf tip = DL_BUF_INIT;
	reasons_text(&tip, c, copy_text, "\n");
	cell->href = dl_xasprintf("#why-%zu-%zu", r, k);
	cell->tip = tip.data ? dl_buf_take(&tip) : dl_xstrdup("");
}

static void
provenance_table(const struct matrix *m, struct table *t)
{
	struct dl_words keys = { 0 };

	table_init(t, m, "provenance", "run", "", false);
	provenance_keys(m, &keys);
	for (size_t k = 0; k < keys.n; k++) {
		struct trow *row = table_row(t);
		row->cells[0].text = dl_xstrdup(keys.v[k]);
		row->cells[0].head = true;
		for (size_t r = 0; r < m->n_runs; r++) {
			char *v = provenance_value(&m->runs[r], keys.v[k]);
			row->cells[r + 1].text = v ? v : dl_xstrdup("-");
			row->cells[r + 1].cls = dl_xstrdup("small");
		}
	}
	dl_words_free(&keys);
}

static void
summary_table(const struct matrix *m, struct table *t)
{
	table_init(t, m, "summary", "summary", "verdict", false);
	for (size_t v = 0; v < sizeof(verdict_order) / sizeof(verdict_order[0]); v++) {
		int any = 0;
		for (size_t r = 0; r < m->n_runs; r++)
			any |= count_verdict(&m->runs[r], verdict_order[v]);
		if (!any)
			continue;
		struct trow *row = table_row(t);
		row->cells[0].text = upper_dup(verdict_order[v]);
		row->cells[0].cls = dl_xstrdup(dl_html_verdict_class(verdict_order[v]));
		row->cells[0].head = true;
		for (size_t r = 0; r < m->n_runs; r++) {
			struct tcell *c = &row->cells[r + 1];
			c->text = dl_xasprintf("%d", count_verdict(&m->runs[r], verdict_order[v]));
			c->cls = dl_xstrdup("n");
			c->id = dl_xasprintf("count-%zu-%s", r, verdict_order[v]);
		}
	}
}

static void
cases_table(const struct matrix *m, struct table *t)
{
	table_init(t, m, "cases", "case", "case", true);
	for (size_t k = 0; k < m->n_rows; k++) {
		const struct mrow *mr = &m->rows[k];
		if (k == 0 || strcmp(mr->section, m->rows[k - 1].section) != 0)
			table_row(t)->section = dl_xstrdup(mr->section);
		struct trow *row = table_row(t);
		row->id = dl_xasprintf("row-%s", mr->id);
		row->cells[0].text = dl_xstrdup(mr->id);
		row->cells[0].sub = dl_xstrdup(dl_jv_str(mr->first, "title", ""));
		row->cells[1].text = dl_xstrdup(dl_jv_str(mr->first, "level", "-"));
		row->cells[1].cls = dl_xstrdup("small");
		for (size_t r = 0; r < m->n_runs; r++)
			verdict_cell(&row->cells[r + 2], mr->cell[r], r, k);
	}
}

/* Every verdict other than PASS, run by run. */
static size_t
whys(const struct matrix *m, struct why **out)
{
	size_t n = 0;

	*out = NULL;
	for (size_t r = 0; r < m->n_runs; r++)
		for (size_t k = 0; k < m->n_rows; k++) {
			const struct dl_jv *c = m->rows[k].cell[r];
			if (c == NULL || strcmp(dl_jv_str(c, "verdict", ""), "pass") == 0)
				continue;
			*out = dl_xrealloc(*out, (n + 1) * sizeof(**out));
			(*out)[n++] = (struct why){ r, k, c };
		}
	return n;
}

/* The three tables in order, drawn by draw, with glue[i] after table i. */
static void
draw_tables(struct dl_buf *b, const struct matrix *m,
    void (*draw)(struct dl_buf *, const struct table *), const char *const glue[3])
{
	static void (*const build[3])(const struct matrix *, struct table *) = {
		provenance_table, summary_table, cases_table,
	};

	for (size_t i = 0; i < 3; i++) {
		struct table t;
		build[i](m, &t);
		draw(b, &t);
		table_free(&t);
		dl_buf_adds(b, glue[i]);
	}
}

/* ---- Markdown ---- */

static void
md_escape(struct dl_buf *b, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\n' || c == '\r' || c == '\t' || c < 0x20)
			dl_buf_addc(b, ' ');
		else if (c == '<')
			dl_buf_adds(b, "&lt;");
		else if (c == '>')
			dl_buf_adds(b, "&gt;");
		else if (c == '&')
			dl_buf_adds(b, "&amp;");
		else if (strchr("|\\`*_[]", c))
			dl_buf_printf(b, "\\%c", c);
		else
			dl_buf_addc(b, (char)c);
	}
}

static void
md_head(struct dl_buf *b, const struct table *t)
{
	dl_buf_adds(b, "| ");
	md_escape(b, t->corner);
	dl_buf_adds(b, " |");
	for (size_t i = 0; i < t->n_head; i++) {
		dl_buf_addc(b, ' ');
		md_escape(b, t->head[i].text);
		dl_buf_adds(b, " |");
	}
	dl_buf_adds(b, "\n|");
	for (size_t i = 0; i < table_cols(t); i++)
		dl_buf_adds(b, "---|");
	dl_buf_addc(b, '\n');
}

/*
 * Markdown has no row that spans a table: a table with sections becomes
 * a heading and a table of its own per section.
 */
static void
md_table(struct dl_buf *b, const struct table *t)
{
	if (t->n_rows == 0 || t->rows[0].section == NULL)
		md_head(b, t);
	for (size_t i = 0; i < t->n_rows; i++) {
		const struct trow *row = &t->rows[i];
		if (row->section) {
			dl_buf_adds(b, "\n## ");
			md_escape(b, row->section);
			dl_buf_adds(b, "\n\n");
			md_head(b, t);
			continue;
		}
		dl_buf_addc(b, '|');
		for (size_t j = 0; j < table_cols(t); j++) {
			dl_buf_addc(b, ' ');
			md_escape(b, row->cells[j].text);
			dl_buf_adds(b, " |");
		}
		dl_buf_addc(b, '\n');
	}
}

static void
markdown(struct dl_buf *b, const struct matrix *m)
{
	static const char *const glue[3] = { "\n",
	    "\nCases are grouped by the RFC section of their first requirement.\n",
	    "\n## Every verdict other than PASS, explained\n\n" };
	struct why *w;
	size_t n = whys(m, &w);

	dl_buf_adds(b, "# Results: the catalog against each client\n\n"
	    "Generated by `danelab report --markdown` from `danelab run --json` reports "
	    "(see docs/mtas.md for how to reproduce).\n\n");
	draw_tables(b, m, md_table, glue);
	for (size_t i = 0; i < n; i++) {
		const struct dl_jv *c = w[i].c;
		char *v = upper_dup(dl_jv_str(c, "verdict", "?"));
		dl_buf_adds(b, "- **");
		md_escape(b, m->runs[w[i].r].label);
		dl_buf_adds(b, "**, ");
		md_escape(b, m->rows[w[i].k].id);
		dl_buf_adds(b, ": ");
		md_escape(b, v);
		dl_buf_adds(b, ". ");
		if (dl_jv_str(c, "known_deviation", NULL)) {
			dl_buf_adds(b, "Known deviation: ");
			md_escape(b, dl_jv_str(c, "known_deviation", ""));
			dl_buf_adds(b, " ");
		}
		reasons_text(b, c, md_escape, "; ");
		dl_buf_addc(b, '\n');
		free(v);
	}
	free(w);
}

/* ---- HTML ---- */

static void
html_cell(struct dl_buf *b, const struct tcell *c)
{
	const char *tag = c->head ? "th" : "td";

	dl_buf_printf(b, "<%s", tag);
	if (c->cls) {
		dl_buf_adds(b, " class=\"");
		dl_html_escape(b, c->cls);
		dl_buf_addc(b, '"');
	}
	if (c->id) {
		dl_buf_adds(b, " id=\"");
		dl_html_escape(b, c->id);
		dl_buf_addc(b, '"');
	}
	dl_buf_addc(b, '>');
	if (c->sub) {
		dl_buf_adds(b, "<span class=\"cid\">");
		dl_html_escape(b, c->text);
		dl_buf_adds(b, "</span><div class=\"title small\">");
		dl_html_escape(b, c->sub);
		dl_buf_adds(b, "</div>");
	} else if (c->href) {
		dl_buf_adds(b, "<a href=\"");
		dl_html_escape(b, c->href);
		dl_buf_adds(b, "\" title=\"");
		dl_html_escape(b, c->tip);
		dl_buf_adds(b, "\">");
		dl_html_escape(b, c->text);
		dl_buf_adds(b, "</a>");
	} else {
		dl_html_escape(b, c->text);
	}
	dl_buf_printf(b, "</%s>", tag);
}

static void
html_table(struct dl_buf *b, const struct table *t)
{
	dl_buf_printf(b, "<table id=\"%s\"><thead><tr><th>", t->id);
	dl_html_escape(b, t->html_corner);
	dl_buf_adds(b, "</th>");
	for (size_t i = 0; i < t->n_head; i++) {
		dl_buf_adds(b, "<th>");
		dl_html_escape(b, t->head[i].text);
		dl_buf_adds(b, "</th>");
	}
	dl_buf_adds(b, "</tr></thead><tbody>\n");
	for (size_t i = 0; i < t->n_rows; i++) {
		const struct trow *row = &t->rows[i];
		if (row->section) {
			dl_buf_printf(b, "<tr><th class=\"sec\" colspan=\"%zu\">", table_cols(t));
			dl_html_escape(b, row->section);
			dl_buf_adds(b, "</th></tr>\n");
			continue;
		}
		dl_buf_adds(b, "<tr");
		if (row->id) {
			dl_buf_adds(b, " id=\"");
			dl_html_escape(b, row->id);
			dl_buf_addc(b, '"');
		}
		dl_buf_addc(b, '>');
		for (size_t j = 0; j < table_cols(t); j++)
			html_cell(b, &row->cells[j]);
		dl_buf_adds(b, "</tr>\n");
	}
	dl_buf_adds(b, "</tbody></table>");
}

static void
html(struct dl_buf *b, const struct matrix *m)
{
	static const char *const glue[3] = { "\n<h3>Summary</h3>",
	    "</section>\n<section id=\"matrix\"><h2>Cases</h2>",
	    "</section>\n<section id=\"why\"><h2>Every verdict other than PASS, "
	    "explained</h2>\n" };
	struct why *w;
	size_t n = whys(m, &w);

	dl_html_begin(b, "danelab: results side by side");
	dl_buf_adds(b, "<header><h1>danelab: the catalog against each client</h1>"
	    "<p class=\"meta\">Made by <code>danelab report</code> from <code>danelab run "
	    "--json</code> reports. Each case is listed under the RFC section of its first "
	    "requirement; a coloured cell links to why.</p></header>\n"
	    "<section id=\"runs\"><h2>Runs</h2>");
	draw_tables(b, m, html_table, glue);
	for (size_t i = 0; i < n; i++) {
		const struct dl_jv *c = w[i].c;
		const char *slug = dl_jv_str(c, "verdict", "?");
		char *v = upper_dup(slug);
		dl_buf_printf(b, "<div id=\"why-%zu-%zu\"><h3><span class=\"%s\">", w[i].r,
		    w[i].k, dl_html_verdict_class(dl_jv_str(c, "verdict", "")));
		dl_html_escape(b, v);
		dl_buf_adds(b, "</span> ");
		dl_html_escape(b, m->runs[w[i].r].label);
		dl_buf_adds(b, ": <a href=\"#row-");
		dl_html_url(b, m->rows[w[i].k].id);
		dl_buf_adds(b, "\">");
		dl_html_escape(b, m->rows[w[i].k].id);
		dl_buf_adds(b, "</a></h3>");
		if (dl_jv_str(c, "known_deviation", NULL)) {
			dl_buf_adds(b, "<p class=\"small\">Known deviation: ");
			dl_html_escape(b, dl_jv_str(c, "known_deviation", ""));
			dl_buf_adds(b, "</p>");
		}
		dl_buf_adds(b, "<p class=\"small\">expected: ");
		dl_html_escape(b, dl_jv_str(c, "expected", "-"));
		dl_buf_adds(b, "<br>observed: ");
		dl_html_escape(b, dl_jv_str(c, "observed", "-"));
		if (dl_jv_str(c, "client_reason", NULL)) {
			dl_buf_adds(b, "<br>client says: ");
			dl_html_escape(b, dl_jv_str(c, "client_reason", ""));
		}
		dl_buf_adds(b, "</p><pre>");
		reasons_text(b, c, dl_html_escape, "\n");
		dl_buf_adds(b, "</pre></div>\n");
		free(v);
	}
	dl_buf_adds(b, "</section>\n</body></html>\n");
	free(w);
}

static void
report_usage(FILE *f)
{
	fprintf(f, "usage: danelab report [--html FILE] [--markdown FILE|-] "
	    "[LABEL=]REPORT.json...\n"
	    "  several `danelab run --json` reports side by side, one column each\n"
	    "  (LABEL defaults to the report's adapter)\n");
}

static int
write_to(const char *path, const struct dl_buf *b)
{
	if (strcmp(path, "-") == 0)
		return fwrite(b->data, 1, b->len, stdout) == b->len ? 0 : -1;
	return dl_write_file(path, b->data, b->len);
}

int
dl_cmd_report(const struct dl_paths *p, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "html", required_argument, NULL, 'H' },
		{ "markdown", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *html_path = NULL, *md_path = NULL;
	struct matrix m = { 0 };
	struct dl_err err;
	int ch, rc = DL_EXIT_OK;

	(void)p;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'H': html_path = optarg; break;
		case 'M': md_path = optarg; break;
		case 'h': report_usage(stdout); return DL_EXIT_OK;
		default: report_usage(stderr); return DL_EXIT_USAGE;
		}
	}
	if (optind >= argc || (html_path == NULL && md_path == NULL)) {
		report_usage(stderr);
		return DL_EXIT_USAGE;
	}
	m.n_runs = (size_t)(argc - optind);
	m.runs = dl_xcalloc(m.n_runs, sizeof(*m.runs));
	for (size_t r = 0; r < m.n_runs; r++)
		if (load_run(&m.runs[r], argv[optind + (int)r], &err) < 0) {
			fprintf(stderr, "danelab: %s\n", err.msg);
			matrix_free(&m);
			return DL_EXIT_USAGE;
		}
	build_rows(&m);
	struct dl_buf out = DL_BUF_INIT;
	if (md_path) {
		markdown(&out, &m);
		if (write_to(md_path, &out) < 0) {
			fprintf(stderr, "danelab: %s: cannot write: %s\n", md_path,
			    strerror(errno));
			rc = DL_EXIT_USAGE;
		}
		dl_buf_reset(&out);
	}
	if (html_path) {
		html(&out, &m);
		if (write_to(html_path, &out) < 0) {
			fprintf(stderr, "danelab: %s: cannot write: %s\n", html_path,
			    strerror(errno));
			rc = DL_EXIT_USAGE;
		}
	}
	dl_buf_free(&out);
	matrix_free(&m);
	return rc;
}
