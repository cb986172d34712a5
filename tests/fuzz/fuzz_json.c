/*
 * fuzz_json.c -- libFuzzer target for the JSON reader (util/json.c), which
 * reads adapters' result lines and caps, the report schema and evidence.
 * Whatever it accepts must survive the accessors and re-serialisation.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/json.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char errbuf[128];
	struct dl_jv *v = dl_jv_parse((const char *)data, size, errbuf, sizeof(errbuf));

	if (v == NULL) {
		if (memchr(errbuf, '\0', sizeof(errbuf)) == NULL)
			abort();
		return 0;
	}
	(void)dl_jv_str(v, "case", NULL);
	(void)dl_jv_num(v, "code", 0);
	(void)dl_jv_bool(v, "batch", false);
	(void)dl_jv_get(v, "features");
	dl_jv_free(v);
	/* The writer's quoting of the same bytes. */
	struct dl_buf b = DL_BUF_INIT;
	dl_json_quote(&b, (const char *)data, size);
	struct dl_jv *q = dl_jv_parse(b.data, b.len, errbuf, sizeof(errbuf));
	if (q == NULL)
		abort(); /* the writer produced JSON its own reader refuses */
	dl_jv_free(q);
	dl_buf_free(&b);
	return 0;
}
