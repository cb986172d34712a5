/*
 * fuzz_pkispec.c -- libFuzzer target for the PKI's certificate spec parser
 * (lab/pki_spec.c: "ID key= issuer= san= cn= validity= ..." as dl-pki and
 * the lab read them).  Words are split on blanks like the callers do.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lab/pki.h"
#include "runner/case.h"
#include "util/buf.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = dl_xmalloc(size + 1);
	struct dl_words w = { 0 };
	struct dl_cert_spec spec;
	struct dl_cert_spec_store *st = NULL;
	struct dl_err err;

	memcpy(text, data, size);
	text[size] = '\0';
	dl_words_split(&w, text);
	if (dl_cert_spec_parse(w.v, w.n, &spec, &st, &err) == 0) {
		if (spec.id == NULL || (spec.n_san && spec.san == NULL))
			abort();
		for (size_t i = 0; i < spec.n_san; i++)
			(void)strlen(spec.san[i]);
	}
	dl_cert_spec_store_free(st);
	dl_words_free(&w);
	free(text);
	return 0;
}
