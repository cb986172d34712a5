/*
 * report.c -- see report.h.
 */
#include "runner/report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/utf8.h"
#include "util/json.h"

void
dl_case_result_free(struct dl_case_result *r)
{
	free(r->reasons);
	free(r->observed);
	free(r->expected);
	free(r->xfail_reason);
	free(r->client_reason);
	free(r->evidence_dir);
	memset(r, 0, sizeof(*r));
}

void
dl_tally_results(const struct dl_case_result *r, size_t n, struct dl_tally *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < n; i++) {
		t->by_verdict[r[i].verdict]++;
		if (dl_verdict_is_failure(r[i].verdict))
			t->failed++;
		else if (dl_verdict_is_skip(r[i].verdict))
			t->skipped++;
		else
			t->passed++;
	}
}

void
dl_report_case_line(FILE *out, const struct dl_case_result *r, bool verbose)
{
	char rep[16] = "";

	if (r->repeat > 1)
		snprintf(rep, sizeof(rep), " #%d", r->repeat);
	fprintf(out, "%-11s %s%s  (%s%ld ms%s)\n", dl_verdict_name(r->verdict), r->c->id, rep,
	    r->duration_is_average ? "~" : "", r->duration_ms,
	    r->duration_is_average ? ", batch average" : "");
	if ((r->verdict != DL_V_PASS || verbose) && r->reasons && r->reasons[0]) {
		const char *p = r->reasons;
		while (*p) {
			const char *eol = strchr(p, '\n');
			size_t len = eol ? (size_t)(eol - p) : strlen(p);
			fprintf(out, "            %.*s\n", (int)len, p);
			p += len + (eol ? 1 : 0);
		}
	}
	if (r->verdict != DL_V_PASS && r->client_reason && r->client_reason[0])
		fprintf(out, "            client says: %s\n", r->client_reason);
	if (r->xfail_reason && (r->verdict == DL_V_XFAIL || r->verdict == DL_V_XPASS))
		fprintf(out, "            known deviation: %s\n", r->xfail_reason);
	if (r->verdict != DL_V_PASS && r->evidence_dir)
		fprintf(out, "            evidence: %s\n", r->evidence_dir);
	fflush(out);
}

void
dl_report_progress(FILE *out, size_t done, size_t total, const char *current)
{
	fprintf(out, "\r\033[K[%zu/%zu] %s", done, total, current ? current : "");
	fflush(out);
}

char *
dl_requirement_section(const char *id)
{
	const char *dash1 = strchr(id, '-');
	const char *dash2 = dash1 ? strrchr(id, '-') : NULL;

	if (dash1 == NULL || dash2 == NULL || dash2 <= dash1)
		return dl_xstrdup(id);
	return dl_xasprintf("RFC %.*s §%.*s", (int)(dash1 - id), id,
	    (int)(dash2 - dash1 - 1), dash1 + 1);
}

struct dl_verdict_row *
dl_verdict_row_get(struct dl_verdict_row **rows, size_t *n, const char *key)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*rows)[i].key, key) == 0)
			return &(*rows)[i];
	*rows = dl_xrealloc(*rows, (*n + 1) * sizeof(**rows));
	memset(&(*rows)[*n], 0, sizeof(**rows));
	(*rows)[*n].key = dl_xstrdup(key);
	return &(*rows)[(*n)++];
}

static int
group_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dl_verdict_row *)a)->key, ((const struct dl_verdict_row *)b)->key);
}

static void
group_print(FILE *out, const char *title, struct dl_verdict_row *rows, size_t n)
{
	qsort(rows, n, sizeof(*rows), group_cmp);
	fprintf(out, "%s\n", title);
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "  %-28s", rows[i].key);
		for (int v = 0; v < DL_V_COUNT; v++)
			if (rows[i].counts[v])
				fprintf(out, " %s %d", dl_verdict_name((enum dl_verdict)v),
				    rows[i].counts[v]);
		fputc('\n', out);
		free(rows[i].key);
	}
	free(rows);
}

void
dl_report_summary(FILE *out, const struct dl_case_result *r, size_t n)
{
	struct dl_verdict_row *sec = NULL, *lvl = NULL;
	size_t nsec = 0, nlvl = 0;
	struct dl_tally t;

	for (size_t i = 0; i < n; i++) {
		const struct dl_case *c = r[i].c;
		/* A case counts once per section it touches, not once per id. */
		struct dl_words seen = { 0 };
		for (size_t k = 0; k < c->require.n; k++) {
			char *s = dl_requirement_section(c->require.v[k]);
			if (!dl_words_has(&seen, s)) {
				dl_words_push(&seen, s);
				dl_verdict_row_get(&sec, &nsec, s)->counts[r[i].verdict]++;
			}
			free(s);
		}
		dl_words_free(&seen);
		dl_verdict_row_get(&lvl, &nlvl, dl_level_name(c->level))->counts[r[i].verdict]++;
	}
	fputc('\n', out);
	group_print(out, "By requirement section:", sec, nsec);
	group_print(out, "By level:", lvl, nlvl);
	dl_tally_results(r, n, &t);
	fprintf(out, "Verdicts:");
	for (int v = 0; v < DL_V_COUNT; v++)
		if (t.by_verdict[v])
			fprintf(out, " %s %d", dl_verdict_name((enum dl_verdict)v), t.by_verdict[v]);
	fprintf(out, "\n\n");
	if (t.skipped)
		fprintf(out, "%d passed, %d failed, %d skipped\n", t.passed, t.failed, t.skipped);
	else
		fprintf(out, "%d passed, %d failed\n", t.passed, t.failed);
}

static int
write_out(const char *path, const struct dl_buf *b, struct dl_err *err)
{
	if (dl_write_file(path, b->data ? b->data : "", b->len) < 0)
		return dl_errf(err, "%s: cannot write: %s", path, strerror(errno));
	return 0;
}

int
dl_report_json(const char *path, const struct dl_report_meta *m,
    const struct dl_case_result *r, size_t n, struct dl_err *err)
{
	struct dl_buf b = DL_BUF_INIT;
	struct dl_jw w;
	struct dl_tally t;
	int rc;

	dl_tally_results(r, n, &t);
	dl_jw_init(&w, &b);
	dl_jw_obj(&w);
	dl_jw_kstr(&w, "schema", "danelab-report/1");
	dl_jw_kstr(&w, "adapter", m->adapter);
	dl_jw_kstr(&w, "started", m->started);
	dl_jw_kint(&w, "duration_ms", m->duration_ms);
	dl_jw_kint(&w, "jobs", m->jobs);
	if (m->prov)
		dl_provenance_json(&w, m->prov);
	dl_jw_key(&w, "summary");
	dl_jw_obj(&w);
	dl_jw_kint(&w, "total", (int64_t)n);
	dl_jw_kint(&w, "passed", t.passed);
	dl_jw_kint(&w, "failed", t.failed);
	dl_jw_kint(&w, "skipped", t.skipped);
	dl_jw_key(&w, "verdicts");
	dl_jw_obj(&w);
	for (int v = 0; v < DL_V_COUNT; v++)
		dl_jw_kint(&w, dl_verdict_slug((enum dl_verdict)v), t.by_verdict[v]);
	dl_jw_obj_end(&w);
	dl_jw_obj_end(&w);
	dl_jw_key(&w, "cases");
	dl_jw_arr(&w);
	for (size_t i = 0; i < n; i++) {
		const struct dl_case *c = r[i].c;
		dl_jw_obj(&w);
		dl_jw_kstr(&w, "id", c->id);
		dl_jw_kstr(&w, "file", c->path);
		dl_jw_kstr(&w, "title", c->title);
		dl_jw_kstr(&w, "verdict", dl_verdict_slug(r[i].verdict));
		dl_jw_kstr(&w, "level", dl_level_name(c->level));
		if (c->feature)
			dl_jw_kstr(&w, "feature", c->feature);
		dl_jw_kstrv(&w, "requirements", c->require.v, c->require.n);
		dl_jw_kstrv(&w, "tags", c->tags.v, c->tags.n);
		dl_jw_kstr(&w, "scenario", c->scenario);
		dl_jw_kstr(&w, "expected", r[i].expected);
		dl_jw_kstr(&w, "observed", r[i].observed);
		dl_jw_key(&w, "reasons");
		dl_jw_arr(&w);
		for (const char *p = r[i].reasons ? r[i].reasons : ""; *p;) {
			const char *eol = strchr(p, '\n');
			size_t len = eol ? (size_t)(eol - p) : strlen(p);
			dl_jw_strn(&w, p, len);
			p += len + (eol ? 1 : 0);
		}
		dl_jw_arr_end(&w);
		/* The client's own reason, so that a CI failure can be read from
		 * the report alone, without --keep. */
		dl_jw_kstr(&w, "client_reason", r[i].client_reason);
		if (r[i].xfail_reason)
			dl_jw_kstr(&w, "known_deviation", r[i].xfail_reason);
		dl_jw_kint(&w, "duration_ms", r[i].duration_ms);
		/* A batch adapter delivers many cases at once: no case has a time
		 * of its own, and the report says so rather than invent one. */
		dl_jw_kstr(&w, "duration_kind", r[i].duration_is_average ? "batch-average" : "own");
		dl_jw_kint(&w, "repeat", r[i].repeat ? r[i].repeat : 1);
		dl_jw_kstr(&w, "adapter", m->adapter);
		dl_jw_kstr(&w, "evidence", r[i].evidence_dir);
		dl_jw_obj_end(&w);
	}
	dl_jw_arr_end(&w);
	dl_jw_obj_end(&w);
	dl_buf_addc(&b, '\n');
	rc = write_out(path, &b, err);
	dl_buf_free(&b);
	return rc;
}

static void
xml_escape(struct dl_buf *b, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '<': dl_buf_adds(b, "&lt;"); break;
		case '>': dl_buf_adds(b, "&gt;"); break;
		case '&': dl_buf_adds(b, "&amp;"); break;
		case '"': dl_buf_adds(b, "&quot;"); break;
		case '\'': dl_buf_adds(b, "&apos;"); break;
		default:
			/* XML 1.0 forbids most control characters even escaped, and
			 * the document says UTF-8: anything else becomes '?'. */
			if (c >= 0x80) {
				size_t u = dl_utf8_len((const unsigned char *)s, strnlen(s, 4));
				if (u == 0) {
					dl_buf_addc(b, '?');
				} else {
					dl_buf_add(b, s, u);
					s += u - 1;
				}
			} else if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
				dl_buf_addc(b, '?');
			} else {
				dl_buf_addc(b, (char)c);
			}
		}
	}
}

int
dl_report_junit(const char *path, const struct dl_report_meta *m,
    const struct dl_case_result *r, size_t n, struct dl_err *err)
{
	struct dl_buf b = DL_BUF_INIT;
	struct dl_tally t;
	int rc;

	dl_tally_results(r, n, &t);
	dl_buf_adds(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	dl_buf_printf(&b, "<testsuites name=\"danelab\" tests=\"%zu\" failures=\"%d\" "
	    "skipped=\"%d\" time=\"%.3f\">\n", n, t.failed, t.skipped, m->duration_ms / 1000.0);
	dl_buf_adds(&b, "<testsuite name=\"danelab.");
	xml_escape(&b, m->adapter);
	dl_buf_printf(&b, "\" tests=\"%zu\" failures=\"%d\" skipped=\"%d\" time=\"%.3f\">\n",
	    n, t.failed, t.skipped, m->duration_ms / 1000.0);
	if (m->prov)
		dl_provenance_junit(&b, m->prov, xml_escape);
	for (size_t i = 0; i < n; i++) {
		const struct dl_case *c = r[i].c;
		/* Test names are unique: the id, plus the iteration under --repeat. */
		dl_buf_adds(&b, "  <testcase classname=\"danelab.");
		xml_escape(&b, dl_level_name(c->level));
		dl_buf_adds(&b, "\" name=\"");
		xml_escape(&b, c->id);
		if (r[i].repeat > 1)
			dl_buf_printf(&b, "#%d", r[i].repeat);
		dl_buf_printf(&b, "\" time=\"%.3f\">\n", r[i].duration_ms / 1000.0);
		if (dl_verdict_is_failure(r[i].verdict)) {
			dl_buf_printf(&b, "    <%s message=\"%s: ",
			    r[i].verdict == DL_V_ERROR ? "error" : "failure",
			    dl_verdict_name(r[i].verdict));
			xml_escape(&b, r[i].observed);
			dl_buf_adds(&b, "\">");
			xml_escape(&b, r[i].reasons);
			dl_buf_printf(&b, "</%s>\n", r[i].verdict == DL_V_ERROR ? "error" : "failure");
		} else if (dl_verdict_is_skip(r[i].verdict)) {
			dl_buf_printf(&b, "    <skipped message=\"%s\"/>\n",
			    dl_verdict_name(r[i].verdict));
		}
		dl_buf_adds(&b, "    <system-out>verdict=");
		dl_buf_adds(&b, dl_verdict_name(r[i].verdict));
		dl_buf_adds(&b, " observed=");
		xml_escape(&b, r[i].observed);
		if (r[i].client_reason) {
			dl_buf_adds(&b, "\nclient says: ");
			xml_escape(&b, r[i].client_reason);
		}
		dl_buf_adds(&b, "</system-out>\n  </testcase>\n");
	}
	dl_buf_adds(&b, "</testsuite>\n</testsuites>\n");
	rc = write_out(path, &b, err);
	dl_buf_free(&b);
	return rc;
}

int
dl_report_tap(const char *path, const struct dl_case_result *r, size_t n,
    struct dl_err *err)
{
	return dl_report_tap_prov(path, NULL, r, n, err);
}

int
dl_report_tap_prov(const char *path, const struct dl_report_meta *m,
    const struct dl_case_result *r, size_t n, struct dl_err *err)
{
	struct dl_buf b = DL_BUF_INIT;
	int rc;

	dl_buf_printf(&b, "TAP version 13\n1..%zu\n", n);
	if (m && m->prov)
		dl_provenance_tap(&b, m->prov);
	for (size_t i = 0; i < n; i++) {
		enum dl_verdict v = r[i].verdict;
		dl_buf_printf(&b, "%s %zu - %s", dl_verdict_is_failure(v) ? "not ok" : "ok",
		    i + 1, r[i].c->id);
		if (dl_verdict_is_skip(v))
			dl_buf_printf(&b, " # SKIP %s", dl_verdict_name(v));
		else if (v == DL_V_XFAIL)
			dl_buf_adds(&b, " # TODO known deviation");
		else if (v != DL_V_PASS)
			dl_buf_printf(&b, " # %s", dl_verdict_name(v));
		dl_buf_addc(&b, '\n');
		for (const char *p = r[i].reasons ? r[i].reasons : ""; *p;) {
			const char *eol = strchr(p, '\n');
			size_t len = eol ? (size_t)(eol - p) : strlen(p);
			dl_buf_printf(&b, "# %.*s\n", (int)len, p);
			p += len + (eol ? 1 : 0);
		}
	}
	rc = write_out(path, &b, err);
	dl_buf_free(&b);
	return rc;
}
