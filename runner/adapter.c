/*
 * adapter.c -- see adapter.h.
 */
#include "runner/adapter.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/spawn.h"

pid_t
dl_adapter_spawn(const struct dl_adapter *a, const char *verb, const char *arg,
    char *const env[], const char *cwd, const char *out_path, const char *err_path,
    struct dl_err *err)
{
	char *argv[] = { a->path, (char *)verb, (char *)arg, NULL };
	/* Own process group: a timeout kills the MTA's helpers too. */
	struct dl_spawn s = { .argv = argv, .path = a->path, .env = env, .cwd = cwd,
	    .out = out_path, .err = err_path, .own_group = true };

	return dl_spawn(&s, err);
}

int
dl_adapter_run(const struct dl_adapter *a, const char *verb, const char *arg,
    char *const env[], const char *cwd, const char *out_path, const char *err_path,
    int timeout_s, struct dl_err *err)
{
	bool timed_out;
	pid_t pid = dl_adapter_spawn(a, verb, arg, env, cwd, out_path, err_path, err);

	if (pid < 0)
		return -1;
	int rc = dl_wait_child(pid, dl_now_ms() + timeout_s * 1000L, &timed_out);
	if (timed_out)
		dl_errf(err, "adapter %s %s: timed out after %d s", a->name, verb, timeout_s);
	return rc;
}

static int
load_deviations(struct dl_adapter *a, struct dl_err *err)
{
	struct dl_buf b = DL_BUF_INIT;
	int rc;

	if (a->expect_path == NULL)
		return 0;
	if (dl_read_file(a->expect_path, &b) < 0) {
		dl_buf_free(&b);
		if (errno == ENOENT) {
			free(a->expect_path);
			a->expect_path = NULL;
			return 0;
		}
		return dl_errf(err, "%s: cannot read: %s", a->expect_path, strerror(errno));
	}
	rc = dl_adapter_parse_deviations(a, b.data ? b.data : "", a->expect_path, err);
	dl_buf_free(&b);
	return rc;
}

int
dl_adapter_parse_deviations(struct dl_adapter *a, const char *text, const char *path,
    struct dl_err *err)
{
	struct dl_buf b = DL_BUF_INIT;
	int lineno = 0;

	dl_buf_adds(&b, text);
	for (char *line = b.data, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		line += strspn(line, " \t");
		if (*line == '#' || *line == '\0')
			continue;
		/* CASE-GLOB  xfail  REASON... */
		char glob[256], kind[32];
		int used = 0;
		if (sscanf(line, "%255s %31s %n", glob, kind, &used) != 2 ||
		    strcmp(kind, "xfail") != 0 || line[used] == '\0') {
			dl_buf_free(&b);
			return dl_errf(err, "%s:%d: expected \"CASE-ID xfail REASON\"",
			    path, lineno);
		}
		a->deviations = dl_xrealloc(a->deviations,
		    (a->n_deviations + 1) * sizeof(*a->deviations));
		struct dl_deviation *d = &a->deviations[a->n_deviations++];
		d->case_glob = dl_xstrdup(glob);
		d->reason = dl_xstrdup(line + used);
		d->line = lineno;
	}
	dl_buf_free(&b);
	return 0;
}

/* The optional "client" object and "options" list of caps. */
static void
read_caps_client(struct dl_adapter *a, const struct dl_jv *caps)
{
	const struct dl_jv *c = dl_jv_get(caps, "client");
	const char *s;

	if ((s = dl_jv_str(c, "name", NULL)) != NULL && s[0])
		a->client_name = dl_xstrdup(s);
	if ((s = dl_jv_str(c, "version", NULL)) != NULL && s[0])
		a->client_version = dl_xstrdup(s);
	if ((s = dl_jv_str(c, "tls_library", NULL)) != NULL && s[0])
		a->client_tls = dl_xstrdup(s);
	const struct dl_jv *o = dl_jv_get(caps, "options");
	for (size_t i = 0; o && o->type == DL_JV_ARRAY && i < o->n; i++)
		if (o->items[i]->type == DL_JV_STRING)
			dl_words_push(&a->option_keys, o->items[i]->str);
}

static int
read_caps(struct dl_adapter *a, char *const env[], struct dl_err *err)
{
	char out[] = "/tmp/danelab-caps.XXXXXX";
	int fd = mkstemp(out);
	struct dl_buf b = DL_BUF_INIT;
	char jerr[128];
	int rc;

	if (fd < 0)
		return dl_errf(err, "mkstemp: %s", strerror(errno));
	close(fd);
	rc = dl_adapter_run(a, "caps", NULL, env, NULL, out, "/dev/null", 30, err);
	if (rc == 0 && dl_read_file(out, &b) == 0) {
		struct dl_jv *v = dl_jv_parse(b.data, b.len, jerr, sizeof(jerr));
		if (v == NULL) {
			rc = dl_errf(err, "adapter %s caps: not one JSON object: %s", a->path, jerr);
		} else {
			const struct dl_jv *f = dl_jv_get(v, "features");
			for (size_t i = 0; f && f->type == DL_JV_ARRAY && i < f->n; i++)
				if (f->items[i]->type == DL_JV_STRING)
					dl_words_push(&a->features, f->items[i]->str);
			a->batch = dl_jv_bool(v, "batch", false);
			read_caps_client(a, v);
			dl_jv_free(v);
		}
	} else if (rc != -1) {
		rc = dl_errf(err, "adapter %s caps: exit status %d", a->path, rc);
	}
	unlink(out);
	dl_buf_free(&b);
	return rc == 0 ? 0 : -1;
}

int
dl_adapter_open(struct dl_adapter *a, const char *name_or_path, const char *srcdir,
    const char *expect_path, char *const env[], struct dl_err *err)
{
	struct stat st;

	memset(a, 0, sizeof(*a));
	/*
	 * The directory is made absolute, the file name is kept: an adapter may
	 * be a symlink whose name selects a variant (postfix-may -> postfix).
	 */
	char *dir = strchr(name_or_path, '/') ? dl_xstrndup(name_or_path,
	    (size_t)(strrchr(name_or_path, '/') - name_or_path)) :
	    dl_xasprintf("%s/runner/adapters", srcdir);
	const char *base = strrchr(name_or_path, '/') ? strrchr(name_or_path, '/') + 1 :
	    name_or_path;
	char *absdir = realpath(dir[0] ? dir : "/", NULL);
	a->name = dl_xstrdup(base);
	a->path = absdir ? dl_xasprintf("%s/%s", absdir, base) : NULL;
	free(absdir);
	free(dir);
	if (a->path == NULL || stat(a->path, &st) < 0 || !(st.st_mode & S_IXUSR)) {
		dl_errf(err, "adapter \"%s\": no executable found (looked in %s/runner/adapters)",
		    name_or_path, srcdir);
		dl_adapter_close(a);
		return -1;
	}
	if (expect_path) {
		/* A project's own baseline: it must exist, unlike NAME.expect. */
		if (access(expect_path, R_OK) < 0) {
			dl_errf(err, "--expect %s: %s", expect_path, strerror(errno));
			dl_adapter_close(a);
			return -1;
		}
		a->expect_path = dl_xstrdup(expect_path);
	} else {
		a->expect_path = dl_xasprintf("%s.expect", a->path);
	}
	if (load_deviations(a, err) < 0 || read_caps(a, env, err) < 0) {
		dl_adapter_close(a);
		return -1;
	}
	return 0;
}

void
dl_adapter_close(struct dl_adapter *a)
{
	free(a->name);
	free(a->path);
	free(a->expect_path);
	dl_words_free(&a->features);
	dl_words_free(&a->option_keys);
	free(a->client_name);
	free(a->client_version);
	free(a->client_tls);
	for (size_t i = 0; i < a->n_deviations; i++) {
		free(a->deviations[i].case_glob);
		free(a->deviations[i].reason);
	}
	free(a->deviations);
	memset(a, 0, sizeof(*a));
}

bool
dl_adapter_has(const struct dl_adapter *a, const char *feature)
{
	return dl_words_has(&a->features, feature);
}

struct dl_deviation *
dl_adapter_deviation(struct dl_adapter *a, const char *case_id)
{
	for (size_t i = 0; i < a->n_deviations; i++)
		if (fnmatch(a->deviations[i].case_glob, case_id, 0) == 0)
			return &a->deviations[i];
	return NULL;
}

char *
dl_adapter_option_env(const char *kv)
{
	size_t klen = strcspn(kv, "=");

	if (klen == 0 || kv[klen] != '=' ||
	    strspn(kv, "abcdefghijklmnopqrstuvwxyz0123456789_") != klen)
		return NULL;
	char *env = dl_xasprintf("DANELAB_ADAPTER_%s", kv);
	for (size_t i = 16; i < 16 + klen; i++)
		if (env[i] >= 'a' && env[i] <= 'z')
			env[i] = (char)(env[i] - 'a' + 'A');
	return env;
}

int
dl_adapter_check_options(const struct dl_adapter *a, const struct dl_words *opts,
    struct dl_err *err)
{
	for (size_t i = 0; i < opts->n; i++) {
		char *key = dl_xstrndup(opts->v[i], strcspn(opts->v[i], "="));
		bool ok = dl_words_has(&a->option_keys, key);
		free(key);
		if (ok)
			continue;
		struct dl_buf known = DL_BUF_INIT;
		for (size_t k = 0; k < a->option_keys.n; k++)
			dl_buf_printf(&known, "%s%s", k ? ", " : "", a->option_keys.v[k]);
		dl_errf(err, "--adapter-opt %s: adapter %s accepts %s%s", opts->v[i], a->name,
		    known.data ? "only: " : "no options", known.data ? known.data : "");
		dl_buf_free(&known);
		return -1;
	}
	return 0;
}
