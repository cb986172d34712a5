/*
 * provenance.c -- see provenance.h.
 */
#include "runner/provenance.h"

#include <fcntl.h>
#include <ldns/ldns.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/spawn.h"

/*
 * First line of a short-lived command's output (stdout and stderr: nsd -v
 * writes to stderr), or NULL.  The command runs on the host, never touches
 * the network: it only prints its version.
 */
static char *
first_line_of(char *const argv[], const char *want_prefix)
{
	int fd[2];
	char buf[4096];
	size_t len = 0;
	struct dl_err err;

	if (pipe2(fd, O_CLOEXEC) < 0)
		return NULL;
	struct dl_spawn s = { .argv = argv, .out_fd = fd[1] };
	pid_t pid = dl_spawn(&s, &err);
	close(fd[1]);
	if (pid < 0) {
		close(fd[0]);
		return NULL;
	}
	for (;;) {
		ssize_t n = read(fd[0], buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == sizeof(buf) - 1)
			break;
	}
	close(fd[0]);
	dl_wait_child(pid, -1, NULL);
	buf[len] = '\0';
	/* The line that carries the version, trimmed. */
	for (char *line = buf, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (want_prefix && strncmp(line, want_prefix, strlen(want_prefix)) != 0)
			continue;
		line += want_prefix ? strlen(want_prefix) : 0;
		line += strspn(line, " \t");
		size_t n = strcspn(line, "\r");
		return n ? dl_xstrndup(line, n) : NULL;
	}
	return NULL;
}

static char *
or_unknown(char *s)
{
	return s ? s : dl_xstrdup("unknown");
}

static char *
iso8601(time_t t)
{
	struct tm tm;
	char s[32];

	gmtime_r(&t, &tm);
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return dl_xstrdup(s);
}

/* The commit of the source tree, "+dirty" if it has local changes. */
static char *
git_commit(const char *srcdir)
{
	char *argv[] = { "git", "-C", (char *)srcdir, "rev-parse", "--short=12", "HEAD", NULL };
	char *c = first_line_of(argv, NULL);

	if (c == NULL || strspn(c, "0123456789abcdef") != strlen(c)) {
		free(c);
		return NULL;
	}
	char *st[] = { "git", "-C", (char *)srcdir, "status", "--porcelain",
	    "--untracked-files=no", NULL };
	char *dirty = first_line_of(st, NULL);
	if (dirty) {
		char *d = dl_xasprintf("%s+dirty", c);
		free(c);
		free(dirty);
		return d;
	}
	return c;
}

void
dl_provenance_collect(struct dl_provenance *p, const char *srcdir, int argc,
    char *const argv[], time_t lab_clock)
{
	char host[256] = "";
	struct dl_buf cmd = DL_BUF_INIT;
	char *unbound[] = { "unbound", "-V", NULL };
	char *nsd[] = { "nsd", "-v", NULL };

	memset(p, 0, sizeof(*p));
	p->danelab_version = dl_xstrdup(DL_VERSION);
	p->danelab_commit = or_unknown(git_commit(srcdir));
	p->openssl = dl_xstrdup(OpenSSL_version(OPENSSL_VERSION));
	p->ldns = dl_xasprintf("ldns %s", ldns_version());
	char *u = first_line_of(unbound, "Version");
	p->unbound = u ? dl_xasprintf("Unbound %s", u) : dl_xstrdup("unknown");
	free(u);
	p->nsd = or_unknown(first_line_of(nsd, "NSD version"));
	if (strncmp(p->nsd, "unknown", 7) != 0) {
		char *v = dl_xasprintf("NSD %s", p->nsd);
		free(p->nsd);
		p->nsd = v;
	}
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		bool plain = a[0] && strspn(a, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,@+%") == strlen(a);
		if (i)
			dl_buf_addc(&cmd, ' ');
		if (plain) {
			dl_buf_adds(&cmd, a);
			continue;
		}
		/* Shell-quoted, so the line can be pasted back. */
		dl_buf_addc(&cmd, '\'');
		for (; *a; a++)
			dl_buf_adds(&cmd, *a == '\'' ? "'\\''" : (char[]){ *a, 0 });
		dl_buf_addc(&cmd, '\'');
	}
	p->command_line = cmd.data ? dl_buf_take(&cmd) : dl_xstrdup("");
	p->date = iso8601(time(NULL));
	gethostname(host, sizeof(host) - 1);
	p->host = dl_xstrdup(host[0] ? host : "unknown");
	p->lab_clock = iso8601(lab_clock);
	p->lab_clock_epoch = (long long)lab_clock;
}

void
dl_provenance_free(struct dl_provenance *p)
{
	char **all[] = { &p->danelab_version, &p->danelab_commit, &p->openssl, &p->ldns,
	    &p->unbound, &p->nsd, &p->command_line, &p->date, &p->host, &p->lab_clock,
	    &p->adapter, &p->adapter_path, &p->adapter_options, &p->expect_file,
	    &p->client_name, &p->client_version, &p->client_tls };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		free(*all[i]);
		*all[i] = NULL;
	}
}

/* "Postfix 3.7.11 (OpenSSL 3.0.15)", or the adapter's name alone. */
static char *
client_line(const struct dl_provenance *p)
{
	return dl_xasprintf("%s%s%s%s%s%s", p->client_name ? p->client_name : "unknown client",
	    p->client_version ? " " : "", p->client_version ? p->client_version : "",
	    p->client_tls ? " (" : "", p->client_tls ? p->client_tls : "",
	    p->client_tls ? ")" : "");
}

void
dl_provenance_json(struct dl_jw *w, const struct dl_provenance *p)
{
	dl_jw_key(w, "provenance");
	dl_jw_obj(w);
	dl_jw_key(w, "danelab");
	dl_jw_obj(w);
	dl_jw_kstr(w, "version", p->danelab_version);
	dl_jw_kstr(w, "commit", p->danelab_commit);
	dl_jw_obj_end(w);
	dl_jw_key(w, "adapter");
	dl_jw_obj(w);
	dl_jw_kstr(w, "name", p->adapter ? p->adapter : "");
	dl_jw_kstr(w, "path", p->adapter_path ? p->adapter_path : "");
	dl_jw_kstr(w, "options", p->adapter_options ? p->adapter_options : "");
	dl_jw_kstr(w, "expect", p->expect_file);
	dl_jw_obj_end(w);
	dl_jw_key(w, "client");
	dl_jw_obj(w);
	dl_jw_kstr(w, "name", p->client_name);
	dl_jw_kstr(w, "version", p->client_version);
	dl_jw_kstr(w, "tls_library", p->client_tls);
	dl_jw_obj_end(w);
	dl_jw_key(w, "lab");
	dl_jw_obj(w);
	dl_jw_kstr(w, "openssl", p->openssl);
	dl_jw_kstr(w, "ldns", p->ldns);
	dl_jw_kstr(w, "unbound", p->unbound);
	dl_jw_kstr(w, "nsd", p->nsd);
	dl_jw_obj_end(w);
	dl_jw_kstr(w, "lab_clock", p->lab_clock);
	dl_jw_kint(w, "lab_clock_epoch", p->lab_clock_epoch);
	dl_jw_kstr(w, "command_line", p->command_line);
	dl_jw_kstr(w, "date", p->date);
	dl_jw_kstr(w, "host", p->host);
	dl_jw_obj_end(w);
}

/* Pairs shared by the text formats, in print order. */
struct prov_pair {
	const char *key;
	char *val;   /* owned */
};

static size_t
prov_pairs(const struct dl_provenance *p, struct prov_pair out[12])
{
	size_t n = 0;

	out[n++] = (struct prov_pair){ "danelab", dl_xasprintf("%s (commit %s)",
	    p->danelab_version, p->danelab_commit) };
	out[n++] = (struct prov_pair){ "adapter", dl_xasprintf("%s%s%s%s",
	    p->adapter ? p->adapter : "?",
	    p->adapter_options && p->adapter_options[0] ? " [" : "",
	    p->adapter_options ? p->adapter_options : "",
	    p->adapter_options && p->adapter_options[0] ? "]" : "") };
	out[n++] = (struct prov_pair){ "client", client_line(p) };
	out[n++] = (struct prov_pair){ "expect", dl_xstrdup(p->expect_file ? p->expect_file :
	    "none") };
	out[n++] = (struct prov_pair){ "lab", dl_xasprintf("%s, %s, %s, %s", p->openssl,
	    p->ldns, p->unbound, p->nsd) };
	out[n++] = (struct prov_pair){ "lab clock", dl_xasprintf("%s (--now %lld)",
	    p->lab_clock, p->lab_clock_epoch) };
	out[n++] = (struct prov_pair){ "command", dl_xstrdup(p->command_line) };
	out[n++] = (struct prov_pair){ "date", dl_xasprintf("%s on %s", p->date, p->host) };
	return n;
}

void
dl_provenance_junit(struct dl_buf *b, const struct dl_provenance *p,
    void (*escape)(struct dl_buf *, const char *))
{
	struct prov_pair pairs[12];
	size_t n = prov_pairs(p, pairs);

	dl_buf_adds(b, "  <properties>\n");
	for (size_t i = 0; i < n; i++) {
		dl_buf_adds(b, "    <property name=\"");
		escape(b, pairs[i].key);
		dl_buf_adds(b, "\" value=\"");
		escape(b, pairs[i].val);
		dl_buf_adds(b, "\"/>\n");
		free(pairs[i].val);
	}
	dl_buf_adds(b, "  </properties>\n");
}

/* A value on one line: a newline in a command line would end a TAP comment. */
static void
one_line(struct dl_buf *b, const char *s)
{
	for (; *s; s++)
		dl_buf_addc(b, *s == '\n' || *s == '\r' ? ' ' : *s);
}

void
dl_provenance_tap(struct dl_buf *b, const struct dl_provenance *p)
{
	struct prov_pair pairs[12];
	size_t n = prov_pairs(p, pairs);

	for (size_t i = 0; i < n; i++) {
		dl_buf_printf(b, "# %s: ", pairs[i].key);
		one_line(b, pairs[i].val);
		dl_buf_addc(b, '\n');
		free(pairs[i].val);
	}
}

void
dl_provenance_console(FILE *out, const struct dl_provenance *p)
{
	struct prov_pair pairs[12];
	size_t n = prov_pairs(p, pairs);
	struct dl_buf b = DL_BUF_INIT;

	fprintf(out, "Tested:\n");
	for (size_t i = 0; i < n; i++) {
		dl_buf_reset(&b);
		one_line(&b, pairs[i].val);
		fprintf(out, "  %-10s %s\n", pairs[i].key, b.data ? b.data : "");
		free(pairs[i].val);
	}
	dl_buf_free(&b);
}
