/*
 * case_internal.h -- shared by the case_*.c files that place a case in a
 * run; not for other modules.
 */
#ifndef DL_RUNNER_CASE_INTERNAL_H
#define DL_RUNNER_CASE_INTERNAL_H

#include "runner/case_world.h"

/* One placement in progress.  pki and w are NULL when only linting. */
struct cw_ctx {
	const struct dl_case *c;
	struct dl_diag *diag;
	struct dl_pki *pki;
	struct dl_case_world *w;
	const char *dir;
	time_t now;
};

char *cw_abs_dot(const char *name, const char *apex_dot);
char *cw_abs_nodot(const char *name, const char *apex_dot);
int cw_resolve(struct cw_ctx *x, const char *text, int line, struct dl_buf *out);
const struct dl_case_cert *cw_find_cert(const struct dl_case *c, const char *id);
char *cw_cert_id(const struct dl_case *c, const char *id);

/* case_personas.c: host lines -> dl-smtpd configuration. */
int cw_personas(struct cw_ctx *x);
/* case_probes.c: $DNSFAULT lines -> dl-faultdns rules; fixture probes. */
int cw_dns_rules(struct cw_ctx *x);
int cw_probes(struct cw_ctx *x);

#endif
