/*
 * cmd_diff.c -- `danelab diff OLD.json NEW.json`: what changed between two
 * runs, as Markdown on standard output; exit 1 on any regression.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "runner/cmd.h"
#include "runner/diff.h"
#include "util/buf.h"
#include "util/json.h"

static void
diff_usage(FILE *out)
{
	fprintf(out, "usage: danelab diff [--output FILE] OLD.json NEW.json\n"
	    "  compares two `danelab run --json` reports case by case and prints a\n"
	    "  Markdown summary (regressions, fixes, changed verdicts and reasons, new\n"
	    "  and removed cases). Exit: 0 no regression, 1 regressions, 2 bad input.\n");
}

static struct dl_jv *
load_report(const char *path)
{
	struct dl_buf b = DL_BUF_INIT;
	char jerr[128];
	struct dl_jv *v;

	if (dl_read_file(path, &b) < 0) {
		fprintf(stderr, "danelab diff: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	v = dl_jv_parse(b.data ? b.data : "", b.len, jerr, sizeof(jerr));
	if (v == NULL)
		fprintf(stderr, "danelab diff: %s: not JSON: %s\n", path, jerr);
	dl_buf_free(&b);
	return v;
}

int
dl_cmd_diff(const struct dl_paths *p, int argc, char **argv)
{
	const char *files[2], *output = NULL;
	int nf = 0;

	(void)p;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			diff_usage(stdout);
			return DL_EXIT_OK;
		} else if ((strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) &&
		    i + 1 < argc) {
			output = argv[++i];
		} else if (argv[i][0] == '-' || nf == 2) {
			diff_usage(stderr);
			return DL_EXIT_USAGE;
		} else {
			files[nf++] = argv[i];
		}
	}
	if (nf != 2) {
		diff_usage(stderr);
		return DL_EXIT_USAGE;
	}
	struct dl_jv *o = load_report(files[0]);
	struct dl_jv *n = o ? load_report(files[1]) : NULL;
	struct dl_report_diff d;
	struct dl_err err;
	int rc = DL_EXIT_USAGE;

	if (n && dl_report_diff(o, n, &d, &err) < 0) {
		fprintf(stderr, "danelab diff: %s\n", err.msg);
	} else if (n) {
		struct dl_buf md = DL_BUF_INIT;
		dl_report_diff_markdown(&d, files[0], files[1], &md);
		if (output && dl_write_file(output, md.data, md.len) < 0)
			fprintf(stderr, "danelab diff: %s: %s\n", output, strerror(errno));
		else
			rc = d.count[DL_CH_REGRESSION] ? DL_EXIT_UNEXPECTED : DL_EXIT_OK;
		fputs(md.data, stdout);
		dl_buf_free(&md);
		dl_report_diff_free(&d);
	}
	dl_jv_free(o);
	dl_jv_free(n);
	return rc;
}
