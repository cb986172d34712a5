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
	const char *apex;       /* "<id>.test.", also when only linting */
};

char *cw_abs_dot(const char *name, const char *apex_dot);
char *cw_abs_nodot(const char *name, const char *apex_dot);
int cw_resolve(struct cw_ctx *x, const char *text, int line, struct dl_buf *out);
const struct dl_case_cert *cw_find_cert(const struct dl_case *c, const char *id);
char *cw_cert_id(const struct dl_case *c, const char *id);

/* case_check.c: the grammar of every name a case gives (untrusted input). */
#define CW_NAME_WILD     1u  /* '*' may appear in labels (certificate names) */
#define CW_NAME_IDN      2u  /* U-labels (UTF-8) allowed: recipient domains */
#define CW_NAME_ANYWHERE 4u  /* an absolute name may be outside the apex */
/* NULL if name ("@", relative, or absolute at/below "<id>.test.") is
 * acceptable, else what it is, for "bad NAME: ..., expected ..." */
const char *cw_name_check(const char *name, const char *id, unsigned flags);
bool cw_local_ok(const char *s, size_t n);
int cw_port_parse(const char *s, int *port);
/* Record text (placeholders resolved) whose data names another case's world
 * (a test. name outside the apex, another case's address): why, or NULL.
 * index is the case's number in the run, -1 when only linting. */
const char *cw_rdata_check(const char *text, const char *origin, const char *apex,
	int index);
/* NAME[:PORT] of relay= and fallback=: NULL if fine, else why not. */
const char *cw_hostport_check(const char *s, const char *id);

/* case_personas.c: host lines -> dl-smtpd configuration. */
int cw_personas(struct cw_ctx *x);
/* case_probes.c: $DNSFAULT lines -> dl-faultdns rules; fixture probes. */
int cw_dns_rules(struct cw_ctx *x);
int cw_probes(struct cw_ctx *x);

#endif
