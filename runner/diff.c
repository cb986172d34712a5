/*
 * diff.c -- see diff.h.
 *
 * The standing of a verdict is what it says of the client: conformant
 * (pass, xpass: a listed deviation that passed is still a pass of the
 * client), neutral (info), SHOULD broken (non-strict), MUST broken (fail,
 * xfail: a known deviation is still one).  error, unsupported and skip say
 * nothing of the client.  Worse standing is a regression, better a fix; a
 * case that was judged and now errors is a regression too, since CI must
 * not go green on a case it could no longer judge.
 */
#include "runner/diff.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

enum { UNJUDGED = -1 };

static int
standing(const char *v)
{
	static const struct { const char *slug; int rank; } t[] = {
		{ "pass", 0 }, { "xpass", 0 }, { "info", 0 }, { "non-strict", 1 },
		{ "fail", 2 }, { "xfail", 2 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(v, t[i].slug) == 0)
			return t[i].rank;
	return UNJUDGED;
}

const char *
dl_change_name(enum dl_change k)
{
	static const char *const names[DL_CH_COUNT] = { "regression", "fix", "changed",
	    "reasons", "new", "removed" };

	return (unsigned)k < DL_CH_COUNT ? names[k] : "?";
}

/* One case of a report: key, verdict, first reason. */
struct entry {
	char *key;
	const char *verdict;
	const char *reasons;   /* all reason lines joined, for comparison */
	char *joined;
	const char *first;
};

static int
entries_of(const struct dl_jv *doc, const char *which, struct entry **out, size_t *n,
    struct dl_err *err)
{
	const struct dl_jv *cases = dl_jv_get(doc, "cases");

	*out = NULL;
	*n = 0;
	if (doc == NULL || doc->type != DL_JV_OBJECT ||
	    strncmp(dl_jv_str(doc, "schema", ""), "danelab-report/", 15) != 0 ||
	    cases == NULL || cases->type != DL_JV_ARRAY)
		return dl_errf(err, "%s: not a danelab JSON report (no \"schema\": "
		    "\"danelab-report/1\" with \"cases\")", which);
	*out = dl_xcalloc(cases->n + 1, sizeof(**out));
	for (size_t i = 0; i < cases->n; i++) {
		const struct dl_jv *c = cases->items[i];
		const char *id = dl_jv_str(c, "id", NULL);
		const char *v = dl_jv_str(c, "verdict", NULL);
		if (id == NULL || v == NULL)
			return dl_errf(err, "%s: case %zu has no id or verdict", which, i + 1);
		int rep = (int)dl_jv_num(c, "repeat", 1);
		struct entry *e = &(*out)[(*n)++];
		e->key = rep > 1 ? dl_xasprintf("%s#%d", id, rep) : dl_xstrdup(id);
		e->verdict = v;
		struct dl_buf j = DL_BUF_INIT;
		const struct dl_jv *rs = dl_jv_get(c, "reasons");
		for (size_t k = 0; rs && rs->type == DL_JV_ARRAY && k < rs->n; k++) {
			if (rs->items[k]->type != DL_JV_STRING)
				continue;
			if (e->first == NULL)
				e->first = rs->items[k]->str;
			dl_buf_printf(&j, "%s\n", rs->items[k]->str);
		}
		e->joined = j.data ? dl_buf_take(&j) : dl_xstrdup("");
	}
	return 0;
}

static void
entries_free(struct entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(e[i].key);
		free(e[i].joined);
	}
	free(e);
}

static const struct entry *
find(const struct entry *e, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(e[i].key, key) == 0)
			return &e[i];
	return NULL;
}

static void
add(struct dl_report_diff *d, enum dl_change kind, const char *key,
    const struct entry *o, const struct entry *n)
{
	d->v = dl_xrealloc(d->v, (d->n + 1) * sizeof(*d->v));
	struct dl_case_change *c = &d->v[d->n++];
	c->kind = kind;
	c->key = dl_xstrdup(key);
	c->old_verdict = o ? dl_xstrdup(o->verdict) : NULL;
	c->new_verdict = n ? dl_xstrdup(n->verdict) : NULL;
	c->old_reason = o && o->first ? dl_xstrdup(o->first) : NULL;
	c->new_reason = n && n->first ? dl_xstrdup(n->first) : NULL;
	d->count[kind]++;
}

static enum dl_change
classify(const struct entry *o, const struct entry *n, bool *same)
{
	int so = standing(o->verdict), sn = standing(n->verdict);

	*same = false;
	if (strcmp(o->verdict, n->verdict) == 0) {
		*same = strcmp(o->joined, n->joined) == 0;
		return DL_CH_REASONS;
	}
	if (so != UNJUDGED && sn != UNJUDGED)
		return sn > so ? DL_CH_REGRESSION : sn < so ? DL_CH_FIX : DL_CH_CHANGED;
	if (sn == UNJUDGED)
		return so != UNJUDGED && strcmp(n->verdict, "error") == 0 ?
		    DL_CH_REGRESSION : DL_CH_CHANGED;
	/* Judged now, not before: a failure is a new deviation. */
	return sn > 0 ? DL_CH_REGRESSION : DL_CH_FIX;
}

static char *
what_of(const struct dl_jv *doc)
{
	const struct dl_jv *p = dl_jv_get(doc, "provenance");
	const struct dl_jv *c = dl_jv_get(p, "client");
	const char *cv = dl_jv_str(c, "version", NULL);

	return dl_xasprintf("%s%s%s%s%s", dl_jv_str(doc, "adapter", "?"),
	    dl_jv_str(c, "name", NULL) ? ", " : "", dl_jv_str(c, "name", ""),
	    cv ? " " : "", cv ? cv : "");
}

int
dl_report_diff(const struct dl_jv *old_doc, const struct dl_jv *new_doc,
    struct dl_report_diff *d, struct dl_err *err)
{
	struct entry *oe, *ne;
	size_t on, nn;

	memset(d, 0, sizeof(*d));
	if (entries_of(old_doc, "old report", &oe, &on, err) < 0) {
		entries_free(oe, on);
		return -1;
	}
	if (entries_of(new_doc, "new report", &ne, &nn, err) < 0) {
		entries_free(oe, on);
		entries_free(ne, nn);
		return -1;
	}
	for (size_t i = 0; i < nn; i++) {
		const struct entry *o = find(oe, on, ne[i].key);
		bool same;
		if (o == NULL) {
			add(d, DL_CH_NEW, ne[i].key, NULL, &ne[i]);
			continue;
		}
		enum dl_change k = classify(o, &ne[i], &same);
		if (same)
			d->unchanged++;
		else
			add(d, k, ne[i].key, o, &ne[i]);
	}
	for (size_t i = 0; i < on; i++)
		if (find(ne, nn, oe[i].key) == NULL)
			add(d, DL_CH_REMOVED, oe[i].key, &oe[i], NULL);
	d->old_what = what_of(old_doc);
	d->new_what = what_of(new_doc);
	entries_free(oe, on);
	entries_free(ne, nn);
	return 0;
}

void
dl_report_diff_free(struct dl_report_diff *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].key);
		free(d->v[i].old_verdict);
		free(d->v[i].new_verdict);
		free(d->v[i].old_reason);
		free(d->v[i].new_reason);
	}
	free(d->v);
	free(d->old_what);
	free(d->new_what);
	memset(d, 0, sizeof(*d));
}

/* Text inside a Markdown table cell: no pipes, no newlines, bounded. */
static void
md_cell(struct dl_buf *out, const char *s)
{
	size_t n = 0;

	if (s == NULL || *s == '\0') {
		dl_buf_adds(out, " ");
		return;
	}
	for (; *s && n < 160; s++, n++) {
		if (*s == '|')
			dl_buf_adds(out, "\\|");
		else if (*s == '\n' || *s == '\r')
			dl_buf_addc(out, ' ');
		else if (*s == '`')
			dl_buf_addc(out, '\'');
		else
			dl_buf_addc(out, *s);
	}
	if (*s)
		dl_buf_adds(out, "...");
}

/* The reason that explains the change: the new one, the old one for a fix. */
static void
md_reason(struct dl_buf *out, const struct dl_case_change *c)
{
	if (c->kind == DL_CH_REASONS) {
		dl_buf_adds(out, "was: ");
		md_cell(out, c->old_reason);
		dl_buf_adds(out, "<br>now: ");
		md_cell(out, c->new_reason);
	} else if (c->kind == DL_CH_FIX || c->kind == DL_CH_REMOVED || c->new_reason == NULL) {
		if (c->old_reason)
			dl_buf_adds(out, "was: ");
		md_cell(out, c->old_reason);
	} else {
		md_cell(out, c->new_reason);
	}
}

static void
upper(struct dl_buf *out, const char *v)
{
	for (; v && *v; v++)
		dl_buf_addc(out, *v >= 'a' && *v <= 'z' ? (char)(*v - 'a' + 'A') : *v);
}

void
dl_report_diff_markdown(const struct dl_report_diff *d, const char *old_name,
    const char *new_name, struct dl_buf *out)
{
	static const char *const titles[DL_CH_COUNT] = { "Regressions", "Fixes",
	    "Other verdict changes", "Changed reasons", "New cases", "Removed cases" };

	dl_buf_printf(out, "### danelab: %s\n\n", d->count[DL_CH_REGRESSION] ?
	    "regressions found" : "no regression");
	dl_buf_adds(out, "| | report | tested |\n|---|---|---|\n| old | ");
	md_cell(out, old_name);
	dl_buf_adds(out, " | ");
	md_cell(out, d->old_what);
	dl_buf_adds(out, " |\n| new | ");
	md_cell(out, new_name);
	dl_buf_adds(out, " | ");
	md_cell(out, d->new_what);
	dl_buf_adds(out, " |\n\n");
	dl_buf_printf(out, "%zu regressions, %zu fixes, %zu other verdict changes, "
	    "%zu changed reasons, %zu new, %zu removed, %zu unchanged\n",
	    d->count[DL_CH_REGRESSION], d->count[DL_CH_FIX], d->count[DL_CH_CHANGED],
	    d->count[DL_CH_REASONS], d->count[DL_CH_NEW], d->count[DL_CH_REMOVED], d->unchanged);
	for (int k = 0; k < DL_CH_COUNT; k++) {
		if (d->count[k] == 0)
			continue;
		dl_buf_printf(out, "\n#### %s (%zu)\n\n| case | old | new | reason |\n"
		    "|---|---|---|---|\n", titles[k], d->count[k]);
		for (size_t i = 0; i < d->n; i++) {
			const struct dl_case_change *c = &d->v[i];
			if ((int)c->kind != k)
				continue;
			dl_buf_adds(out, "| `");
			md_cell(out, c->key);
			dl_buf_adds(out, "` | ");
			upper(out, c->old_verdict ? c->old_verdict : "-");
			dl_buf_adds(out, " | ");
			upper(out, c->new_verdict ? c->new_verdict : "-");
			dl_buf_adds(out, " | ");
			md_reason(out, c);
			dl_buf_adds(out, " |\n");
		}
	}
}
