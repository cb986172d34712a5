/*
 * fuzz_smtp_reply.c -- libFuzzer target for the reference client's SMTP
 * reply reader (client/smtp.c), fed the bytes a hostile server would send:
 * every reply it accepts is recorded with a code 100-599.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/result.h"
#include "client/smtp.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dl_result r;
	struct dl_host_rec *h;
	struct dl_conn_rec *c;

	dl_result_init(&r);
	h = dl_result_add_host(&r, "mx.fuzz.test", 10, "mx");
	c = dl_host_add_conn(h, "127.0.0.1", 25);
	int n = dl_smtp_read_replies((const char *)data, size, c);
	if (n < 0 || (size_t)n > c->nreplies)
		abort();
	for (size_t i = 0; i < c->nreplies; i++)
		if (c->replies[i].code != 0 && (c->replies[i].code < 100 ||
		    c->replies[i].code > 599))
			abort();
	dl_result_free(&r);
	return 0;
}
