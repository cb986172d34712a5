/*
 * run_lab_internal.h -- what run_lab.c (bring-up, teardown) and
 * run_lab_round.c (a later delivery round's world) share about the lab.
 * Not for use outside those two files.
 */
#ifndef DL_RUNNER_RUN_LAB_INTERNAL_H
#define DL_RUNNER_RUN_LAB_INTERNAL_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "util/err.h"
#include "zones/world.h"

#define LAB_NS4 "127.0.53.1"
#define LAB_NS6 "fdda:9e1a:b000::53"
/* Every mail host's IPv6 address (dl_case_addr6) lies in this prefix,
   made local by a route, never assigned to an interface. */
#define LAB_MAIL6 "fdda:9e1a:b000:1::"
#define LAB_MAIL6_LEN 64
#define LAB_NS2 "127.0.53.2"
#define LAB_FAULT "127.0.54.1"
#define LAB_DEAD "127.0.55.1"
#define LAB_RESOLVER "127.0.0.1"

struct daemon {
	const char *name;
	pid_t pid;
	char *log;
};

struct run_lab {
	char *dir;
	struct dl_world_out world;
	struct daemon d[5];     /* nsd, nsd2, faultdns, unbound, untrusted path */
	size_t n_d;
	bool has_proxy;
	time_t now;             /* the world's clock: SOA serials count from it */
	char *died;             /* the first daemon death, as reported; or NULL */
};

#endif
