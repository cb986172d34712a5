/*
 * evidence.h -- reading what the three observers recorded into a
 * struct dl_observed: the personas' JSON lines (servers/EVIDENCE.md), the
 * lab resolver's query log, and the adapter's result line (ADAPTERS.md).
 */
#ifndef DL_RUNNER_EVIDENCE_H
#define DL_RUNNER_EVIDENCE_H

#include "runner/case_world.h"
#include "runner/observe.h"
#include "util/buf.h"

/*
 * Persona evidence: every line of `lines` whose persona name starts with
 * "<case-id>/" becomes a struct dl_conn of that case.  Lines of this case
 * are also appended to `mine` (for the evidence directory).
 */
int dl_evidence_personas(const struct dl_case_world *w, const char *lines,
	struct dl_observed *o, struct dl_buf *mine);

/*
 * Resolver log: queries under the case apex, from `log` (the lab Unbound's
 * log from the offset where the client phase started), in order, and the
 * resolver's SERVFAIL reasons for them; one that says a lab name server the
 * case did not declare faulty was unreachable sets o->lab_fault.  Lines are
 * appended to `mine`.
 */
void dl_evidence_resolver(const struct dl_case_world *w, const char *log,
	struct dl_observed *o, struct dl_buf *mine);

/* The adapter's stdout: the last line that is a JSON object with a disposition. */
void dl_evidence_adapter(const struct dl_case_world *w, const char *out,
	int exit_code, struct dl_observed *o);

#endif
