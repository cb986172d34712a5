/*
 * smtpd_ctl.h -- the lab's side of servers/dl-smtpd: start it with a
 * personas configuration (servers/PERSONAS.md), wait for its "ready" line
 * (never a sleep), ask it over its control socket whether the connections
 * of a group of personas are all closed (so all their evidence lines are
 * written), stop it.
 */
#ifndef DL_LAB_SMTPD_CTL_H
#define DL_LAB_SMTPD_CTL_H

#include "util/err.h"

struct dl_smtpd_ctl;

/* Files go to rundir: personas.conf, evidence.jsonl, tls-keys.log, smtpd.log. */
struct dl_smtpd_ctl *dl_smtpd_ctl_start(const char *bindir, const char *rundir,
	const char *config_text, struct dl_err *err);
/* Wait (bounded) until no connection of personas "<prefix>..." is open. */
int dl_smtpd_ctl_sync(struct dl_smtpd_ctl *s, const char *prefix, int timeout_ms,
	struct dl_err *err);
const char *dl_smtpd_ctl_evidence_path(const struct dl_smtpd_ctl *s);
const char *dl_smtpd_ctl_log_path(const struct dl_smtpd_ctl *s);
/* The servers' TLS secrets, SSLKEYLOGFILE lines, every persona. */
const char *dl_smtpd_ctl_keylog_path(const struct dl_smtpd_ctl *s);
void dl_smtpd_ctl_stop(struct dl_smtpd_ctl *s);

#endif
