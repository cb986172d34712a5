/*
 * report_html.c -- see report_html.h.
 */
#include "runner/report_html.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner/verdict.h"

void
dl_html_escape(struct dl_buf *b, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '&': dl_buf_adds(b, "&amp;"); break;
		case '<': dl_buf_adds(b, "&lt;"); break;
		case '>': dl_buf_adds(b, "&gt;"); break;
		case '"': dl_buf_adds(b, "&quot;"); break;
		case '\'': dl_buf_adds(b, "&#39;"); break;
		default:
			/* Control characters have no business in a page; keep layout. */
			if (c < 0x20 && c != '\n' && c != '\t')
				dl_buf_addc(b, ' ');
			else if (c == 0x7f)
				dl_buf_addc(b, ' ');
			else
				dl_buf_addc(b, (char)c);
		}
	}
}

void
dl_html_url(struct dl_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("._~/-", c))
			dl_buf_addc(b, (char)c);
		else
			dl_buf_printf(b, "%%%c%c", hex[c >> 4], hex[c & 15]);
	}
}

const char *
dl_html_verdict_class(const char *slug)
{
	static const char *const known[] = { "v-pass", "v-info", "v-non-strict", "v-fail",
	    "v-error", "v-unsupported", "v-skip", "v-xfail", "v-xpass" };

	for (int v = 0; v < DL_V_COUNT; v++)
		if (slug && strcmp(slug, dl_verdict_slug((enum dl_verdict)v)) == 0)
			return known[v];
	return "v-other";
}

/* Colours carry the verdict; the verdict's name is always written too. */
static const char css[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1a1a1a;background:#fff}"
    "h1{font-size:1.4em;margin:0 0 .2em}h2{font-size:1.15em;margin:1.4em 0 .5em;"
    "border-bottom:1px solid #ccc}h3{font-size:1em;margin:1em 0 .3em}"
    ".meta{color:#555;margin:.2em 0}table{border-collapse:collapse;margin:.3em 0}"
    "th,td{border:1px solid #ccc;padding:.2em .5em;vertical-align:top;text-align:left}"
    "th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums}"
    "pre{margin:0;white-space:pre-wrap;word-break:break-word;font-size:12px}"
    "code,.cid{font-family:ui-monospace,monospace;font-size:12px}"
    ".title{color:#333}.file{color:#777;font-size:11px}.small{font-size:12px}"
    ".v-pass{background:#d9f2d9}.v-fail{background:#f7c6c6}.v-error{background:#e3c6f2}"
    ".v-non-strict{background:#fbe0b8}.v-info{background:#d6e6fa}"
    ".v-unsupported,.v-skip{background:#e8e8e8}.v-xfail{background:#f5efc4}"
    ".v-xpass{background:#f7c6e8}.v-other{background:#fff}"
    "td.verdict{font-weight:600;white-space:nowrap}"
    "#filters{margin:.5em 0;padding:.5em;background:#f7f7f7;border:1px solid #ddd}"
    "#filters label{margin-right:.8em;white-space:nowrap}"
    "dt{font-weight:600;margin-top:.5em}dd{margin:0 0 0 1.5em}"
    "tr:target td{outline:2px solid #333}"
    "th.sec{background:#e9eef5;text-align:left}";

void
dl_html_begin(struct dl_buf *b, const char *title)
{
	dl_buf_adds(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	    "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width\">\n<title>");
	dl_html_escape(b, title);
	dl_buf_printf(b, "</title>\n<style>%s</style>\n</head><body>\n", css);
}

char *
dl_html_relpath(const char *from_dir, const char *to)
{
	size_t common = 0, i;
	const char *frest, *trest;
	struct dl_buf b = DL_BUF_INIT;

	/* The longest common prefix that ends at a directory boundary. */
	for (i = 0; from_dir[i] && from_dir[i] == to[i]; i++)
		if (from_dir[i] == '/')
			common = i + 1;
	if (from_dir[i] == '\0' && (to[i] == '/' || to[i] == '\0')) {
		frest = from_dir + i;
		trest = to[i] ? to + i + 1 : to + i;
	} else {
		frest = from_dir + common;
		trest = to + common;
	}
	for (const char *p = frest; *p; p++)
		if (*p != '/' && (p[1] == '/' || p[1] == '\0'))
			dl_buf_adds(&b, "../");
	dl_buf_adds(&b, trest);
	if (b.len == 0)
		dl_buf_addc(&b, '.');
	return dl_buf_take(&b);
}

/* ---- the page of one run ---- */

/* Failures first, the way a person reads a report. */
static int
severity(enum dl_verdict v)
{
	static const int rank[DL_V_COUNT] = { [DL_V_ERROR] = 0, [DL_V_FAIL] = 1,
	    [DL_V_XPASS] = 2, [DL_V_NONSTRICT] = 3, [DL_V_INFO] = 4, [DL_V_XFAIL] = 5,
	    [DL_V_UNSUPPORTED] = 6, [DL_V_SKIP] = 7, [DL_V_PASS] = 8 };
	return rank[v];
}

static int
result_cmp(const void *a, const void *b)
{
	const struct dl_case_result *x = *(const struct dl_case_result *const *)a;
	const struct dl_case_result *y = *(const struct dl_case_result *const *)b;
	int d = severity(x->verdict) - severity(y->verdict);

	if (d)
		return d;
	d = strcmp(x->c->id, y->c->id);
	return d ? d : x->repeat - y->repeat;
}

static int
str_cmp(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

static int
row_cmp(const void *a, const void *b)
{
	return strverscmp(((const struct dl_verdict_row *)a)->key, ((const struct dl_verdict_row *)b)->key);
}

/* The distinct sections of a case ("RFC 7672 §2.2"), in its order. */
static void
case_sections(const struct dl_case *c, struct dl_words *out)
{
	for (size_t k = 0; k < c->require.n; k++) {
		char *s = dl_requirement_section(c->require.v[k]);
		if (!dl_words_has(out, s))
			dl_words_push(out, s);
		free(s);
	}
}

static void
summary_table(struct dl_buf *b, const char *id, const char *what, struct dl_verdict_row *rows,
    size_t n, const int *used)
{
	qsort(rows, n, sizeof(*rows), row_cmp);
	dl_buf_printf(b, "<table id=\"%s\"><thead><tr><th>%s</th>", id, what);
	for (int v = 0; v < DL_V_COUNT; v++)
		if (used[v])
			dl_buf_printf(b, "<th class=\"%s\">%s</th>",
			    dl_html_verdict_class(dl_verdict_slug((enum dl_verdict)v)),
			    dl_verdict_name((enum dl_verdict)v));
	dl_buf_adds(b, "</tr></thead><tbody>\n");
	for (size_t i = 0; i < n; i++) {
		dl_buf_adds(b, "<tr><th>");
		dl_html_escape(b, rows[i].key);
		dl_buf_adds(b, "</th>");
		for (int v = 0; v < DL_V_COUNT; v++) {
			if (!used[v])
				continue;
			if (rows[i].counts[v])
				dl_buf_printf(b, "<td class=\"n %s\">%d</td>",
				    dl_html_verdict_class(dl_verdict_slug((enum dl_verdict)v)),
				    rows[i].counts[v]);
			else
				dl_buf_adds(b, "<td class=\"n\"></td>");
		}
		dl_buf_adds(b, "</tr>\n");
		free(rows[i].key);
	}
	dl_buf_adds(b, "</tbody></table>\n");
	free(rows);
}

static void
summaries(struct dl_buf *b, const struct dl_case_result *r, size_t n)
{
	struct dl_verdict_row *sec = NULL, *lvl = NULL;
	size_t nsec = 0, nlvl = 0;
	struct dl_tally t;
	int used[DL_V_COUNT] = { 0 };

	dl_tally_results(r, n, &t);
	dl_buf_adds(b, "<section id=\"summary\"><h2>Summary</h2>\n<table id=\"by-verdict\">"
	    "<thead><tr>");
	for (int v = 0; v < DL_V_COUNT; v++) {
		used[v] = t.by_verdict[v] > 0;
		dl_buf_printf(b, "<th class=\"%s\">%s</th>",
		    dl_html_verdict_class(dl_verdict_slug((enum dl_verdict)v)),
		    dl_verdict_name((enum dl_verdict)v));
	}
	dl_buf_adds(b, "</tr></thead><tbody><tr>");
	for (int v = 0; v < DL_V_COUNT; v++)
		dl_buf_printf(b, "<td class=\"n%s%s\" id=\"count-%s\">%d</td>",
		    t.by_verdict[v] ? " " : "",
		    t.by_verdict[v] ?
		    dl_html_verdict_class(dl_verdict_slug((enum dl_verdict)v)) : "",
		    dl_verdict_slug((enum dl_verdict)v), t.by_verdict[v]);
	dl_buf_adds(b, "</tr></tbody></table>\n");
	dl_buf_printf(b, "<p id=\"tally\"><strong>%d passed, %d failed", t.passed, t.failed);
	if (t.skipped)
		dl_buf_printf(b, ", %d skipped", t.skipped);
	dl_buf_adds(b, "</strong></p>\n");
	for (size_t i = 0; i < n; i++) {
		struct dl_words s = { 0 };
		case_sections(r[i].c, &s);
		for (size_t k = 0; k < s.n; k++)
			dl_verdict_row_get(&sec, &nsec, s.v[k])->counts[r[i].verdict]++;
		dl_words_free(&s);
		dl_verdict_row_get(&lvl, &nlvl, dl_level_name(r[i].c->level))->counts[r[i].verdict]++;
	}
	dl_buf_adds(b, "<h3>By level</h3>\n");
	summary_table(b, "by-level", "level", lvl, nlvl, used);
	dl_buf_adds(b, "<h3>By RFC section</h3>\n<p class=\"small\">A case counts once in "
	    "every section it has a requirement in.</p>\n");
	summary_table(b, "by-section", "section", sec, nsec, used);
	dl_buf_adds(b, "</section>\n");
}

/* Checkboxes and lists for the script; hidden when there is no script. */
static void
filters(struct dl_buf *b, const struct dl_case_result *r, size_t n)
{
	struct dl_words tags = { 0 }, secs = { 0 };
	struct dl_tally t;

	dl_tally_results(r, n, &t);
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < r[i].c->tags.n; k++)
			if (!dl_words_has(&tags, r[i].c->tags.v[k]))
				dl_words_push(&tags, r[i].c->tags.v[k]);
		case_sections(r[i].c, &secs);
	}
	qsort(tags.v, tags.n, sizeof(char *), str_cmp);
	qsort(secs.v, secs.n, sizeof(char *), str_cmp);
	dl_buf_adds(b, "<form id=\"filters\" hidden><strong>Show</strong> ");
	for (int v = 0; v < DL_V_COUNT; v++)
		if (t.by_verdict[v])
			dl_buf_printf(b, "<label class=\"%s\"><input type=\"checkbox\" name=\"v\" "
			    "value=\"%s\" checked> %s</label>",
			    dl_html_verdict_class(dl_verdict_slug((enum dl_verdict)v)),
			    dl_verdict_slug((enum dl_verdict)v),
			    dl_verdict_name((enum dl_verdict)v));
	dl_buf_adds(b, "<label>tag <select name=\"tag\"><option value=\"\">any</option>");
	for (size_t i = 0; i < tags.n; i++) {
		dl_buf_adds(b, "<option>");
		dl_html_escape(b, tags.v[i]);
		dl_buf_adds(b, "</option>");
	}
	dl_buf_adds(b, "</select></label><label>section <select name=\"sec\">"
	    "<option value=\"\">any</option>");
	for (size_t i = 0; i < secs.n; i++) {
		dl_buf_adds(b, "<option>");
		dl_html_escape(b, secs.v[i]);
		dl_buf_adds(b, "</option>");
	}
	dl_buf_adds(b, "</select></label> <span id=\"shown\"></span> shown</form>\n");
	dl_words_free(&tags);
	dl_words_free(&secs);
}

/* Evidence files worth a click, when kept. */
static void
evidence_links(struct dl_buf *b, const char *page_dir, const char *dir)
{
	static const char *const files[] = { "capture.pcap", "tls-keys.log", "verdict.txt",
	    "evidence.jsonl", "resolver.log", "adapter.out", "adapter.err", "zones.txt",
	    "repro.sh" };

	if (dir == NULL) {
		dl_buf_adds(b, "<span class=\"small\">not kept (--keep DIR)</span>");
		return;
	}
	char *rel = page_dir ? dl_html_relpath(page_dir, dir) : dl_xstrdup(dir);
	dl_buf_adds(b, "<a href=\"");
	dl_html_url(b, rel);
	dl_buf_adds(b, "/\">directory</a>");
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *p = dl_xasprintf("%s/%s", dir, files[i]);
		if (access(p, R_OK) == 0) {
			dl_buf_adds(b, "<br><a href=\"");
			dl_html_url(b, rel);
			dl_buf_printf(b, "/%s\">%s</a>", files[i], files[i]);
		}
		free(p);
	}
	free(rel);
}

static void
case_row(struct dl_buf *b, const struct dl_case_result *res, const struct dl_catalog *cat,
    const char *page_dir)
{
	const struct dl_case *c = res->c;
	const char *slug = dl_verdict_slug(res->verdict);
	const char *cls = dl_html_verdict_class(slug);
	struct dl_words secs = { 0 };

	case_sections(c, &secs);
	dl_buf_adds(b, "<tr class=\"case\" id=\"case-");
	dl_html_escape(b, c->id);
	if (res->repeat > 1)
		dl_buf_printf(b, "-%d", res->repeat);
	dl_buf_printf(b, "\" data-verdict=\"%s\" data-tags=\" ", slug);
	for (size_t k = 0; k < c->tags.n; k++) {
		dl_html_escape(b, c->tags.v[k]);
		dl_buf_addc(b, ' ');
	}
	dl_buf_adds(b, "\" data-sections=\"|");
	for (size_t k = 0; k < secs.n; k++) {
		dl_html_escape(b, secs.v[k]);
		dl_buf_addc(b, '|');
	}
	dl_buf_printf(b, "\"><td class=\"verdict %s\">%s</td><td><a class=\"cid\" href=\"#case-",
	    cls, dl_verdict_name(res->verdict));
	dl_html_url(b, c->id);
	dl_buf_adds(b, "\">");
	dl_html_escape(b, c->id);
	if (res->repeat > 1)
		dl_buf_printf(b, " #%d", res->repeat);
	dl_buf_adds(b, "</a><div class=\"title\">");
	dl_html_escape(b, c->title);
	dl_buf_adds(b, "</div><div class=\"file\">");
	dl_html_escape(b, c->path);
	dl_buf_adds(b, "</div></td><td>");
	dl_html_escape(b, dl_level_name(c->level));
	if (c->feature) {
		dl_buf_adds(b, " (");
		dl_html_escape(b, c->feature);
		dl_buf_adds(b, ")");
	}
	dl_buf_adds(b, "</td><td class=\"small\">");
	for (size_t k = 0; k < c->require.n; k++) {
		const struct dl_requirement *q = cat ? dl_catalog_req(cat, c->require.v[k]) : NULL;
		dl_buf_adds(b, k ? "<br><a href=\"#req-" : "<a href=\"#req-");
		dl_html_url(b, c->require.v[k]);
		dl_buf_adds(b, "\"");
		if (q) {
			dl_buf_adds(b, " title=\"");
			dl_html_escape(b, q->text);
			dl_buf_adds(b, "\"");
		}
		dl_buf_adds(b, "><code>");
		dl_html_escape(b, c->require.v[k]);
		dl_buf_adds(b, "</code></a>");
	}
	dl_buf_adds(b, "</td><td class=\"small\">");
	dl_html_escape(b, res->expected ? res->expected : "-");
	dl_buf_adds(b, "</td><td class=\"small\">");
	dl_html_escape(b, res->observed ? res->observed : "-");
	dl_buf_adds(b, "</td><td>");
	if (res->reasons && res->reasons[0]) {
		dl_buf_adds(b, "<pre>");
		dl_html_escape(b, res->reasons);
		dl_buf_adds(b, "</pre>");
	}
	if (res->client_reason && res->client_reason[0] && res->verdict != DL_V_PASS) {
		dl_buf_adds(b, "<div class=\"small\">client says: ");
		dl_html_escape(b, res->client_reason);
		dl_buf_adds(b, "</div>");
	}
	if (res->xfail_reason) {
		dl_buf_adds(b, "<div class=\"small\">known deviation: ");
		dl_html_escape(b, res->xfail_reason);
		dl_buf_adds(b, "</div>");
	}
	dl_buf_printf(b, "</td><td class=\"n small\">%s%ld%s</td><td class=\"small\">",
	    res->duration_is_average ? "~" : "", res->duration_ms,
	    res->duration_is_average ? "<br>(batch avg.)" : "");
	evidence_links(b, page_dir, res->evidence_dir);
	dl_buf_adds(b, "</td></tr>\n");
	dl_words_free(&secs);
}

static void
requirement_texts(struct dl_buf *b, const struct dl_case_result *r, size_t n,
    const struct dl_catalog *cat)
{
	struct dl_words ids = { 0 };

	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < r[i].c->require.n; k++)
			if (!dl_words_has(&ids, r[i].c->require.v[k]))
				dl_words_push(&ids, r[i].c->require.v[k]);
	qsort(ids.v, ids.n, sizeof(char *), str_cmp);
	dl_buf_adds(b, "<section id=\"requirements\"><h2>Requirements</h2>\n<dl>\n");
	for (size_t i = 0; i < ids.n; i++) {
		const struct dl_requirement *q = cat ? dl_catalog_req(cat, ids.v[i]) : NULL;
		dl_buf_adds(b, "<dt id=\"req-");
		dl_html_escape(b, ids.v[i]);
		dl_buf_adds(b, "\"><code>");
		dl_html_escape(b, ids.v[i]);
		dl_buf_adds(b, "</code> ");
		if (q) {
			dl_html_escape(b, q->rfc);
			dl_buf_adds(b, ", ");
			dl_html_escape(b, q->keyword);
			dl_buf_adds(b, " (");
			dl_html_escape(b, q->label);
			dl_buf_adds(b, ")</dt><dd>");
			dl_html_escape(b, q->text);
		} else {
			dl_buf_adds(b, "</dt><dd>(not in cases/requirements.tsv)");
		}
		dl_buf_adds(b, "</dd>\n");
	}
	dl_buf_adds(b, "</dl></section>\n");
	dl_words_free(&ids);
}

/* The filters: plain DOM, no library, nothing fetched. */
static const char script[] =
    "(function(){var f=document.getElementById('filters');if(!f)return;f.hidden=false;"
    "function apply(){var vs=[],i,n=0,rows=document.querySelectorAll('tr.case');"
    "var cb=f.querySelectorAll('input[name=v]');for(i=0;i<cb.length;i++)"
    "if(cb[i].checked)vs.push(cb[i].value);var tag=f.elements.tag.value,"
    "sec=f.elements.sec.value;for(i=0;i<rows.length;i++){var r=rows[i];"
    "var ok=vs.indexOf(r.getAttribute('data-verdict'))>=0&&(!tag||"
    "r.getAttribute('data-tags').indexOf(' '+tag+' ')>=0)&&(!sec||"
    "r.getAttribute('data-sections').indexOf('|'+sec+'|')>=0);r.hidden=!ok;if(ok)n++;}"
    "document.getElementById('shown').textContent=n+' of '+rows.length;}"
    "f.addEventListener('change',apply);apply();})();";

int
dl_report_html(const char *path, const struct dl_report_meta *m,
    const struct dl_case_result *r, size_t n, const struct dl_catalog *cat,
    struct dl_err *err)
{
	struct dl_buf b = DL_BUF_INIT;
	const struct dl_case_result **order = dl_xcalloc(n + 1, sizeof(*order));
	char *title = dl_xasprintf("danelab: %s, %s", m->adapter ? m->adapter : "?",
	    m->started ? m->started : "");
	char *page_dir = NULL, *dirpart = dl_xstrdup(path), *slash = strrchr(dirpart, '/');
	int rc = 0;

	/* Links to evidence are relative to where the page is. */
	if (slash)
		*slash = '\0';
	page_dir = realpath(slash ? (dirpart[0] ? dirpart : "/") : ".", NULL);
	dl_html_begin(&b, title);
	dl_buf_adds(&b, "<header><h1>danelab run: <span id=\"adapter\">");
	dl_html_escape(&b, m->adapter);
	dl_buf_adds(&b, "</span></h1><p class=\"meta\">started ");
	dl_html_escape(&b, m->started);
	dl_buf_printf(&b, " (lab clock), %.1f s, %zu results, %d jobs</p></header>\n",
	    m->duration_ms / 1000.0, n, m->jobs);
	summaries(&b, r, n);
	for (size_t i = 0; i < n; i++)
		order[i] = &r[i];
	qsort(order, n, sizeof(*order), result_cmp);
	dl_buf_adds(&b, "<section id=\"cases\"><h2>Cases</h2>\n");
	filters(&b, r, n);
	dl_buf_adds(&b, "<table id=\"case-table\"><thead><tr><th>verdict</th><th>case</th>"
	    "<th>level</th><th>requirements</th><th>expected</th><th>observed</th>"
	    "<th>reasons</th><th>ms</th><th>evidence</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < n; i++)
		case_row(&b, order[i], cat, page_dir);
	dl_buf_adds(&b, "</tbody></table></section>\n");
	requirement_texts(&b, r, n, cat);
	dl_buf_printf(&b, "<script>%s</script>\n</body></html>\n", script);
	if (dl_write_file(path, b.data, b.len) < 0)
		rc = dl_errf(err, "%s: cannot write: %s", path, strerror(errno));
	dl_buf_free(&b);
	free(order);
	free(title);
	free(page_dir);
	free(dirpart);
	return rc;
}
