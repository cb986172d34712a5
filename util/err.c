/*
 * err.c -- see err.h.
 */
#include "util/err.h"

#include <openssl/err.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int
dl_errf(struct dl_err *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int
dl_err_prefix(struct dl_err *err, const char *fmt, ...)
{
	char prefix[512], old[sizeof(err->msg)];
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	/* Truncation keeps the head of the message, which holds the context. */
	size_t plen = strlen(prefix);
	if (plen >= sizeof(err->msg))
		plen = sizeof(err->msg) - 1;
	memcpy(err->msg, prefix, plen);
	size_t olen = strnlen(old, sizeof(old) - 1);
	if (olen > sizeof(err->msg) - 1 - plen)
		olen = sizeof(err->msg) - 1 - plen;
	memcpy(err->msg + plen, old, olen);
	err->msg[plen + olen] = '\0';
	return -1;
}

int
dl_err_crypto(struct dl_err *err, const char *fmt, ...)
{
	va_list ap;
	unsigned long e;
	size_t len;

	if (err == NULL) {
		ERR_clear_error();
		return -1;
	}
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	while ((e = ERR_get_error()) != 0) {
		len = strlen(err->msg);
		if (len + 4 >= sizeof(err->msg))
			continue; /* keep draining the queue */
		snprintf(err->msg + len, sizeof(err->msg) - len, ": ");
		ERR_error_string_n(e, err->msg + len + 2, sizeof(err->msg) - len - 2);
	}
	return -1;
}
