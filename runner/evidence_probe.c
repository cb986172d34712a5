/*
 * evidence_probe.c -- a probe adapter's result line (runner/ADAPTERS.md,
 * "Probes") into a struct dl_probe.
 */
#include "runner/evidence_probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runner/probe.h"

/* Which case host has this address?  "[v6]" and "v4:port" are tolerated. */
static int
host_of(const struct dl_case_world *w, const char *a)
{
	size_t al = strlen(a);

	if (a[0] == '[') {
		a++;
		al = strcspn(a, "]");
	}
	for (size_t h = 0; w->c && h < w->c->n_hosts; h++) {
		size_t l4 = strlen(w->addr4[h]), l6 = strlen(w->addr6[h]);
		if ((l4 == al && strncmp(a, w->addr4[h], al) == 0) ||
		    (l6 == al && strncasecmp(a, w->addr6[h], al) == 0) ||
		    (strncmp(a, w->addr4[h], l4) == 0 && a[l4] == ':'))
			return (int)h;
	}
	return -1;
}

/*
 * A host the probe names without an address (it failed before connecting:
 * posttls-finger's "TLSA lookup error for mx1.x.test:25"): the host whose
 * label the name is, directly below the apex; -1 otherwise.
 */
static int
host_named(const struct dl_case_world *w, const char *name)
{
	size_t n = strlen(name), al = strlen(w->apex ? w->apex : "");

	if (n && name[n - 1] == '.')
		n--;
	for (size_t h = 0; w->c && w->apex && h < w->c->n_hosts; h++) {
		size_t ll = strlen(w->c->hosts[h].label);
		/* "LABEL." then the apex ("id.test.", with its dot) */
		if (n + 1 == ll + 1 + al && strncasecmp(name, w->c->hosts[h].label, ll) == 0 &&
		    name[ll] == '.' && strncasecmp(name + ll + 1, w->apex, al - 1) == 0)
			return (int)h;
	}
	return -1;
}

int
dl_evidence_probe(const struct dl_case_world *w, const struct dl_jv *line,
    struct dl_probe **out, char *why, size_t whylen)
{
	const struct dl_jv *hosts = dl_jv_get(line, "probe");
	struct dl_probe *p;

	*out = NULL;
	if (hosts == NULL)
		return 0;
	if (hosts->type != DL_JV_ARRAY) {
		snprintf(why, whylen, "\"probe\" is not an array of hosts");
		return -1;
	}
	p = dl_xcalloc(1, sizeof(*p));
	p->hosts = dl_xcalloc(hosts->n ? hosts->n : 1, sizeof(*p->hosts));
	for (size_t i = 0; i < hosts->n; i++) {
		const struct dl_jv *h = hosts->items[i];
		struct dl_probe_host *e = &p->hosts[p->n_hosts];
		const char *st = dl_jv_str(h, "result", "");
		if (h->type != DL_JV_OBJECT || dl_probe_state_parse(st, &e->state) < 0) {
			snprintf(why, whylen, "probe host %zu: \"result\" is \"%.40s\", expected "
			    "dane, encrypted, cleartext, failed or not-tried", i + 1, st);
			dl_probe_free(p);
			free(p);
			return -1;
		}
		e->name = dl_xstrdup(dl_jv_str(h, "host", ""));
		e->address = dl_xstrdup(dl_jv_str(h, "address", ""));
		e->reason = dl_xstrdup(dl_jv_str(h, "reason", ""));
		e->host = e->address[0] ? host_of(w, e->address) : host_named(w, e->name);
		p->n_hosts++;
	}
	p->stopped = dl_jv_bool(line, "stopped", false);
	*out = p;
	return 0;
}
