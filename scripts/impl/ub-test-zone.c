/*
 * ub-test-zone.c -- LD_PRELOAD for the gnutls adapter: every libunbound
 * context libgnutls-dane creates treats "test." as an ordinary zone.
 *
 * libunbound, like Unbound, answers names under "test." (RFC 6761 6.2)
 * NXDOMAIN from a built-in local zone without sending a query; the lab
 * serves every case under "test.".  libgnutls-dane offers no way to
 * configure its context, so without this gnutls-cli --dane would report
 * "No DANE data were found." for every case, a fact about the lab's choice
 * of names, not about GnuTLS.  Nothing else of the context changes: the
 * forwarder (/etc/resolv.conf) and the trust anchor are libgnutls-dane's.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <unbound.h>

struct ub_ctx *
ub_ctx_create(void)
{
	struct ub_ctx *(*real)(void);
	struct ub_ctx *ctx;

	*(void **)&real = dlsym(RTLD_NEXT, "ub_ctx_create");
	if (real == NULL || (ctx = real()) == NULL)
		return NULL;
	if (ub_ctx_set_option(ctx, "local-zone:", "test. transparent") != 0) {
		ub_ctx_delete(ctx);
		return NULL;
	}
	return ctx;
}
