/*
 * lab_internal.h -- what lab.c (bring-up, teardown), lab_round.c (a later
 * round's world) and lab_prove.c (fixture proof) share about a running
 * lab.  Not for use outside lab/.
 */
#ifndef DL_LAB_LAB_INTERNAL_H
#define DL_LAB_LAB_INTERNAL_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "lab/lab.h"
#include "util/err.h"
#include "zones/world.h"

struct lab_daemon {
	const char *name;
	pid_t pid;
	char *log;
};

struct dl_lab {
	char *dir;
	struct dl_world_out world;
	struct lab_daemon d[5];  /* nsd, nsd2, faultdns, unbound, untrusted path */
	size_t n_d;
	bool has_proxy;
	time_t now;              /* the world's clock: SOA serials count from it */
	char *died;              /* the first daemon death, as reported; or NULL */
};

/* A query with the DO bit to the lab resolver: did the answer carry AD?
 * Waits up to 2 s for each of 3 tries: only a loaded machine makes a
 * cached answer slow, and that must not read as "no answer". */
void lab_ad_bit(const char *qname, int qtype, bool *ad, bool *answered);

#endif
