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
upper(struct dl_buf *b, const char *slug)
{
	for (; slug && *slug; slug++)
		dl_buf_addc(b, *slug >= 'a' && *slug <= 'z' ? (char)(*slug - 32) : *slug);
}

static void
verdict_cell(struct dl_buf *b, const struct dl_jv *c)
{
	if (c == NULL)
		dl_buf_adds(b, "-");
	else
		upper(b, dl_jv_str(c, "verdict", "?"));
}

static void
md_header_row(struct dl_buf *b, const struct matrix *m, const char *first, int extra)
{
	dl_buf_printf(b, "| %s |", first);
	for (int e = 0; e < extra; e++)
		dl_buf_adds(b, " level |");
	for (size_t r = 0; r < m->n_runs; r++) {
		dl_buf_addc(b, ' ');
		md_escape(b, m->runs[r].label);
		dl_buf_adds(b, " |");
	}
	dl_buf_adds(b, "\n|---|");
	for (int e = 0; e < extra; e++)
		dl_buf_adds(b, "---|");
	for (size_t r = 0; r < m->n_runs; r++)
		dl_buf_adds(b, "---|");
	dl_buf_addc(b, '\n');
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
markdown(struct dl_buf *b, const struct matrix *m)
{
	static const char *const order[] = { "pass", "xfail", "info", "non-strict",
	    "unsupported", "skip", "fail", "error", "xpass" };
	struct dl_words keys = { 0 };

	dl_buf_adds(b, "# Results: the catalog against each client\n\n"
	    "Generated by `danelab report --markdown` from `danelab run --json` reports "
	    "(see docs/mtas.md for how to reproduce).\n\n");
	provenance_keys(m, &keys);
	md_header_row(b, m, "run", 0);
	for (size_t k = 0; k < keys.n; k++) {
		dl_buf_adds(b, "| ");
		md_escape(b, keys.v[k]);
		dl_buf_adds(b, " |");
		for (size_t r = 0; r < m->n_runs; r++) {
			char *v = provenance_value(&m->runs[r], keys.v[k]);
			dl_buf_addc(b, ' ');
			md_escape(b, v ? v : "-");
			dl_buf_adds(b, " |");
			free(v);
		}
		dl_buf_addc(b, '\n');
	}
	dl_buf_addc(b, '\n');
	md_header_row(b, m, "summary", 0);
	for (size_t v = 0; v < sizeof(order) / sizeof(order[0]); v++) {
		int any = 0;
		for (size_t r = 0; r < m->n_runs; r++)
			any |= count_verdict(&m->runs[r], order[v]);
		if (!any)
			continue;
		dl_buf_adds(b, "| ");
		upper(b, order[v]);
		dl_buf_adds(b, " |");
		for (size_t r = 0; r < m->n_runs; r++)
			dl_buf_printf(b, " %d |", count_verdict(&m->runs[r], order[v]));
		dl_buf_addc(b, '\n');
	}
	dl_buf_adds(b, "\nCases are grouped by the RFC section of their first requirement.\n");
	for (size_t k = 0; k < m->n_rows; k++) {
		const struct mrow *row = &m->rows[k];
		if (k == 0 || strcmp(row->section, m->rows[k - 1].section) != 0) {
			dl_buf_adds(b, "\n## ");
			md_escape(b, row->section);
			dl_buf_adds(b, "\n\n");
			md_header_row(b, m, "case", 1);
		}
		dl_buf_adds(b, "| ");
		md_escape(b, row->id);
		dl_buf_adds(b, " | ");
		md_escape(b, dl_jv_str(row->first, "level", "-"));
		dl_buf_adds(b, " |");
		for (size_t r = 0; r < m->n_runs; r++) {
			dl_buf_addc(b, ' ');
			verdict_cell(b, row->cell[r]);
			dl_buf_adds(b, " |");
		}
		dl_buf_addc(b, '\n');
	}
	dl_buf_adds(b, "\n## Every verdict other than PASS, explained\n\n");
	for (size_t r = 0; r < m->n_runs; r++)
		for (size_t k = 0; k < m->n_rows; k++) {
			const struct dl_jv *c = m->rows[k].cell[r];
			if (c == NULL || strcmp(dl_jv_str(c, "verdict", ""), "pass") == 0)
				continue;
			dl_buf_adds(b, "- **");
			md_escape(b, m->runs[r].label);
			dl_buf_adds(b, "**, ");
			md_escape(b, m->rows[k].id);
			dl_buf_adds(b, ": ");
			verdict_cell(b, c);
			dl_buf_adds(b, ". ");
			if (dl_jv_str(c, "known_deviation", NULL)) {
				dl_buf_adds(b, "Known deviation: ");
				md_escape(b, dl_jv_str(c, "known_deviation", ""));
				dl_buf_adds(b, " ");
			}
			reasons_text(b, c, md_escape, "; ");
			dl_buf_addc(b, '\n');
		}
	dl_words_free(&keys);
}

/* ---- HTML ---- */

static void
html_verdict_cell(struct dl_buf *b, const struct dl_jv *c, size_t r, size_t k)
{
	const char *slug = c ? dl_jv_str(c, "verdict", "?") : NULL;

	if (c == NULL) {
		dl_buf_adds(b, "<td class=\"n\">-</td>");
		return;
	}
	dl_buf_printf(b, "<td class=\"verdict %s\">", dl_html_verdict_class(slug));
	if (strcmp(slug, "pass") == 0) {
		dl_buf_adds(b, "PASS</td>");
		return;
	}
	/* One click from a coloured cell to why; the reasons also as a tooltip. */
	dl_buf_printf(b, "<a href=\"#why-%zu-%zu\" title=\"", r, k);
	reasons_text(b, c, dl_html_escape, "\n");
	dl_buf_adds(b, "\">");
	upper(b, slug);
	dl_buf_adds(b, "</a></td>");
}

static void
html(struct dl_buf *b, const struct matrix *m)
{
	static const char *const order[] = { "pass", "xfail", "info", "non-strict",
	    "unsupported", "skip", "fail", "error", "xpass" };
	struct dl_words keys = { 0 };

	dl_html_begin(b, "danelab: results side by side");
	dl_buf_adds(b, "<header><h1>danelab: the catalog against each client</h1>"
	    "<p class=\"meta\">Made by <code>danelab report</code> from <code>danelab run "
	    "--json</code> reports. Each case is listed under the RFC section of its first "
	    "requirement; a coloured cell links to why.</p></header>\n"
	    "<section id=\"runs\"><h2>Runs</h2><table id=\"provenance\"><thead><tr><th></th>");
	for (size_t r = 0; r < m->n_runs; r++) {
		dl_buf_adds(b, "<th>");
		dl_html_escape(b, m->runs[r].label);
		dl_buf_adds(b, "</th>");
	}
	dl_buf_adds(b, "</tr></thead><tbody>\n");
	provenance_keys(m, &keys);
	for (size_t k = 0; k < keys.n; k++) {
		dl_buf_adds(b, "<tr><th>");
		dl_html_escape(b, keys.v[k]);
		dl_buf_adds(b, "</th>");
		for (size_t r = 0; r < m->n_runs; r++) {
			char *v = provenance_value(&m->runs[r], keys.v[k]);
			dl_buf_adds(b, "<td class=\"small\">");
			dl_html_escape(b, v ? v : "-");
			dl_buf_adds(b, "</td>");
			free(v);
		}
		dl_buf_adds(b, "</tr>\n");
	}
	dl_buf_adds(b, "</tbody></table>\n<h3>Summary</h3><table id=\"summary\"><thead><tr>"
	    "<th>verdict</th>");
	for (size_t r = 0; r < m->n_runs; r++) {
		dl_buf_adds(b, "<th>");
		dl_html_escape(b, m->runs[r].label);
		dl_buf_adds(b, "</th>");
	}
	dl_buf_adds(b, "</tr></thead><tbody>\n");
	for (size_t v = 0; v < sizeof(order) / sizeof(order[0]); v++) {
		int any = 0;
		for (size_t r = 0; r < m->n_runs; r++)
			any |= count_verdict(&m->runs[r], order[v]);
		if (!any)
			continue;
		dl_buf_printf(b, "<tr><th class=\"%s\">", dl_html_verdict_class(order[v]));
		upper(b, order[v]);
		dl_buf_adds(b, "</th>");
		for (size_t r = 0; r < m->n_runs; r++)
			dl_buf_printf(b, "<td class=\"n\" id=\"count-%zu-%s\">%d</td>", r, order[v],
			    count_verdict(&m->runs[r], order[v]));
		dl_buf_adds(b, "</tr>\n");
	}
	dl_buf_printf(b, "</tbody></table></section>\n<section id=\"matrix\"><h2>Cases</h2>"
	    "<table id=\"cases\"><thead><tr><th>case</th><th>level</th>");
	for (size_t r = 0; r < m->n_runs; r++) {
		dl_buf_adds(b, "<th>");
		dl_html_escape(b, m->runs[r].label);
		dl_buf_adds(b, "</th>");
	}
	dl_buf_adds(b, "</tr></thead><tbody>\n");
	for (size_t k = 0; k < m->n_rows; k++) {
		const struct mrow *row = &m->rows[k];
		if (k == 0 || strcmp(row->section, m->rows[k - 1].section) != 0) {
			dl_buf_printf(b, "<tr><th class=\"sec\" colspan=\"%zu\">", m->n_runs + 2);
			dl_html_escape(b, row->section);
			dl_buf_adds(b, "</th></tr>\n");
		}
		dl_buf_adds(b, "<tr id=\"row-");
		dl_html_escape(b, row->id);
		dl_buf_adds(b, "\"><td><span class=\"cid\">");
		dl_html_escape(b, row->id);
		dl_buf_adds(b, "</span><div class=\"title small\">");
		dl_html_escape(b, dl_jv_str(row->first, "title", ""));
		dl_buf_adds(b, "</div></td><td class=\"small\">");
		dl_html_escape(b, dl_jv_str(row->first, "level", "-"));
		dl_buf_adds(b, "</td>");
		for (size_t r = 0; r < m->n_runs; r++)
			html_verdict_cell(b, row->cell[r], r, k);
		dl_buf_adds(b, "</tr>\n");
	}
	dl_buf_adds(b, "</tbody></table></section>\n<section id=\"why\"><h2>Every verdict "
	    "other than PASS, explained</h2>\n");
	for (size_t r = 0; r < m->n_runs; r++)
		for (size_t k = 0; k < m->n_rows; k++) {
			const struct dl_jv *c = m->rows[k].cell[r];
			if (c == NULL || strcmp(dl_jv_str(c, "verdict", ""), "pass") == 0)
				continue;
			dl_buf_printf(b, "<div id=\"why-%zu-%zu\"><h3><span class=\"%s\">", r, k,
			    dl_html_verdict_class(dl_jv_str(c, "verdict", "")));
			verdict_cell(b, c);
			dl_buf_adds(b, "</span> ");
			dl_html_escape(b, m->runs[r].label);
			dl_buf_adds(b, ": <a href=\"#row-");
			dl_html_url(b, m->rows[k].id);
			dl_buf_adds(b, "\">");
			dl_html_escape(b, m->rows[k].id);
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
		}
	dl_buf_adds(b, "</section>\n</body></html>\n");
	dl_words_free(&keys);
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
