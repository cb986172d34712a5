/*
 * smtpd.h -- the mock SMTP server process: many personas, one event loop
 * (epoll), one evidence file, one control socket.
 *
 *     struct smtpd s;
 *     if (smtpd_init(&s, &opts, &err) < 0 || smtpd_run(&s, &err) < 0) ...
 *     smtpd_free(&s);
 *
 * Control protocol (unix stream socket, one command per line, one reply
 * line each): "sync [PREFIX]" -> "open N" after all pending I/O is done;
 * "stats" -> "conns N accepted N refused N personas N"; "quit" -> "ok".
 */
#ifndef DL_SMTPD_H
#define DL_SMTPD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "servers/conn.h"
#include "servers/persona.h"
#include "servers/tls.h"
#include "util/err.h"

struct smtpd_opts {
	const char *config_path;
	const char *evidence_path;  /* NULL: no evidence */
	const char *keylog_path;    /* NULL: no key log */
	const char *control_path;   /* NULL: no control socket */
	int ready_fd;               /* -1: none */
	int max_conns;              /* concurrent client connections */
	int timeout_s;              /* idle timeout per connection */
};

struct ctl_client;

struct smtpd {
	struct smtpd_opts o;
	struct persona_set set;
	struct tls_store tls;
	int epfd;
	FILE *evidence;
	struct conn *conns;
	size_t n_conns;
	struct conn *held;          /* connections with a delayed reply */
	struct conn *dead;          /* closed this turn, freed after it */
	struct ep_ref *listen_refs;
	int ctl_fd;
	struct ep_ref ctl_ref;
	struct ctl_client *ctls;
	int sig_fd;
	struct ep_ref sig_ref;
	bool stop;
	bool sync_wanted;
	uint64_t accepted, refused;
};

int smtpd_init(struct smtpd *s, const struct smtpd_opts *o, struct dl_err *err);
int smtpd_run(struct smtpd *s, struct dl_err *err);
void smtpd_free(struct smtpd *s);

/* Used by conn.c. */
void smtpd_hold(struct smtpd *s, struct conn *c);
void smtpd_unhold(struct smtpd *s, struct conn *c);
void smtpd_conn_closed(struct smtpd *s, struct conn *c);
void smtpd_watch(struct smtpd *s, int fd, struct ep_ref *ref, uint32_t *cur,
	uint32_t want);

#endif
