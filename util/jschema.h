/*
 * jschema.h -- check a JSON document against the subset of JSON Schema
 * danelab's own schemas use: type (one or a list), required, properties,
 * items, enum.  Enough to keep docs/report-schema.json and the writer
 * honest in the tests; not a general validator.
 */
#ifndef DL_JSCHEMA_H
#define DL_JSCHEMA_H

#include "util/buf.h"
#include "util/json.h"

/* Returns the number of violations; each is one line in `why` ("$.a[3].b: ..."). */
int dl_jschema_check(const struct dl_jv *schema, const struct dl_jv *doc,
	struct dl_buf *why);

#endif
