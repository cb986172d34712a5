/*
 * observe.c -- see observe.h: the observers' words for dispositions and
 * security levels, and freeing what evidence.c filled in.
 */
#include "runner/observe.h"

#include <stdlib.h>
#include <string.h>

#include "runner/probe.h"

static const char *const disp_names[] = {
	[DL_DISP_NONE] = "nothing", [DL_DISP_DELIVERED] = "delivered",
	[DL_DISP_DEFERRED] = "deferred", [DL_DISP_BOUNCED] = "bounced",
	[DL_DISP_UNSUPPORTED] = "unsupported",
};
static const char *const sec_names[] = {
	[DL_SEC_UNKNOWN] = "unknown", [DL_SEC_CLEARTEXT] = "cleartext",
	[DL_SEC_ENCRYPTED] = "encrypted", [DL_SEC_DANE] = "dane",
};

const char *
dl_obs_disposition_name(enum dl_obs_disposition d)
{
	return d <= DL_DISP_UNSUPPORTED ? disp_names[d] : "?";
}

int
dl_obs_disposition_parse(const char *s, enum dl_obs_disposition *out)
{
	for (int i = DL_DISP_DELIVERED; i <= DL_DISP_UNSUPPORTED; i++)
		if (strcmp(s, disp_names[i]) == 0) {
			*out = (enum dl_obs_disposition)i;
			return 0;
		}
	return -1;
}

const char *
dl_obs_security_name(enum dl_obs_security s)
{
	return s <= DL_SEC_DANE ? sec_names[s] : "?";
}

int
dl_obs_security_parse(const char *s, enum dl_obs_security *out)
{
	for (int i = DL_SEC_CLEARTEXT; i <= DL_SEC_DANE; i++)
		if (strcmp(s, sec_names[i]) == 0) {
			*out = (enum dl_obs_security)i;
			return 0;
		}
	return -1;
}

void
dl_rcpt_reports_free(struct dl_adapter_report *a)
{
	for (size_t i = 0; i < a->n_rcpts; i++) {
		free(a->rcpts[i].rcpt);
		free(a->rcpts[i].host);
		free(a->rcpts[i].address);
		free(a->rcpts[i].reason);
	}
	free(a->rcpts);
	a->rcpts = NULL;
	a->n_rcpts = 0;
}

void
dl_observed_free(struct dl_observed *o)
{
	for (size_t i = 0; i < o->n_conns; i++) {
		free(o->conns[i].sni);
		free(o->conns[i].end);
		free(o->conns[i].summary);
		for (size_t k = 0; k < o->conns[i].n_rcpts; k++)
			free(o->conns[i].rcpts[k]);
		free(o->conns[i].rcpts);
		for (size_t k = 0; k < o->conns[i].n_accepted_rcpts; k++)
			free(o->conns[i].accepted_rcpts[k]);
		free(o->conns[i].accepted_rcpts);
	}
	free(o->conns);
	for (size_t i = 0; i < o->n_queries; i++) {
		free(o->queries[i].name);
		free(o->queries[i].type);
	}
	free(o->queries);
	free(o->adapter.host);
	free(o->adapter.address);
	free(o->adapter.reason);
	free(o->adapter.error);
	free(o->adapter.raw);
	dl_rcpt_reports_free(&o->adapter);
	free(o->client_log);
	free(o->lab_fault);
	dl_probe_free(o->probe);
	free(o->probe);
	memset(o, 0, sizeof(*o));
}
