/*
 * err.h -- error reports returned to callers.
 *
 * Library functions that can fail for reasons a person must read take a
 * `struct dl_err *` and fill it with one line of context ("file:line: what,
 * expected what", or a daemon's own log line).  The caller decides whether
 * to print, attach to a case as ERROR evidence, or abort.
 */
#ifndef DL_ERR_H
#define DL_ERR_H

#include <stddef.h>

struct dl_err {
	char msg[1024];
};

/* Set the message (printf-style); returns -1 so callers can `return dl_errf(...)`. */
int dl_errf(struct dl_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prefix an existing message with more context ("zone foo: " + old). */
int dl_err_prefix(struct dl_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append OpenSSL's error queue (drained) to the message. */
int dl_err_crypto(struct dl_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
