/*
 * evidence_probe.h -- reading a probe adapter's result line.
 */
#ifndef DL_RUNNER_EVIDENCE_PROBE_H
#define DL_RUNNER_EVIDENCE_PROBE_H

#include <stddef.h>

#include "runner/case_world.h"
#include "util/json.h"

struct dl_probe;

/*
 * If the parsed result line has a "probe" member, read it into *out
 * (allocated; hosts mapped to the case's host labels by address) and
 * return 0; without one, *out is NULL.  -1 with why filled when the member
 * is malformed.
 */
int dl_evidence_probe(const struct dl_case_world *w, const struct dl_jv *line,
	struct dl_probe **out, char *why, size_t whylen);

#endif
