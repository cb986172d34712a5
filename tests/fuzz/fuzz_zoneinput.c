/*
 * fuzz_zoneinput.c -- libFuzzer target for the zone builder's input reader
 * (zones/input.c: each record line in zone-file presentation syntax,
 * parsed with ldns against the origin and checked).  One line, one record.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runner/case.h"
#include "util/buf.h"
#include "zones/internal.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dl_zone_spec spec = { .origin = "fuzz.test.", .mode = DL_ZONE_SECURE };
	struct dl_zbuild zb[2] = { { 0 } };
	struct dl_words lines = { 0 };
	struct dl_err err;
	char *text = dl_xmalloc(size + 1);

	if (size > 16384) {
		free(text);
		return 0;
	}
	memcpy(text, data, size);
	text[size] = '\0';
	for (char *l = text, *next; l; l = next) {
		next = strchr(l, '\n');
		if (next)
			*next++ = '\0';
		if (*l)
			dl_words_push(&lines, l);
	}
	spec.records = dl_xcalloc(lines.n + 1, sizeof(*spec.records));
	for (size_t i = 0; i < lines.n; i++) {
		spec.records[i].text = lines.v[i];
		spec.records[i].src.file = "fuzz.zone";
		spec.records[i].src.line = (int)i + 1;
	}
	spec.n_records = lines.n;
	/* A zone and a child zone below it: records of the child are refused. */
	struct dl_zone_spec child = { .origin = "sub.fuzz.test.", .mode = DL_ZONE_SECURE };
	zb[0].spec = &spec;
	zb[0].origin = ldns_dname_new_frm_str(spec.origin);
	zb[0].parent = -1;
	zb[0].round = 1;
	zb[0].dz = ldns_dnssec_zone_new();
	zb[0].pool = ldns_rr_list_new();
	zb[1].spec = &child;
	zb[1].origin = ldns_dname_new_frm_str(child.origin);
	zb[1].parent = 0;
	(void)dl_zrec_add_input(&zb[0], zb, 2, &err);
	ldns_dnssec_zone_free(zb[0].dz);
	ldns_rr_list_deep_free(zb[0].pool);
	ldns_rdf_deep_free(zb[0].origin);
	ldns_rdf_deep_free(zb[1].origin);
	free(spec.records);
	dl_words_free(&lines);
	free(text);
	return 0;
}
