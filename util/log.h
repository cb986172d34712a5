/*
 * log.h -- one small logging module for every danelab program.
 *
 * Messages carry a level and a facility (dns, tls, smtp, lab, case, ...).
 * The threshold is per process: each danelab program is one lab actor, so
 * this is the only process-wide setting the project allows itself.  Library
 * code that produces errors for a caller returns them (see util/err.h); it
 * logs only at debug level.
 */
#ifndef DL_LOG_H
#define DL_LOG_H

#include <stdarg.h>
#include <stdio.h>

enum dl_log_level {
	DL_LOG_ERR = 0,
	DL_LOG_WARN,
	DL_LOG_INFO,
	DL_LOG_DEBUG,
};

/* Set the threshold and the program name printed before each line. */
void dl_log_init(const char *progname, enum dl_log_level threshold);
enum dl_log_level dl_log_threshold(void);

void dl_log(enum dl_log_level level, const char *facility, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void dl_vlog(enum dl_log_level level, const char *facility, const char *fmt,
	va_list ap) __attribute__((format(printf, 3, 0)));

/* Log the message, then every entry of OpenSSL's error queue (draining it). */
void dl_log_crypto(const char *facility, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(fac, ...)   dl_log(DL_LOG_ERR, fac, __VA_ARGS__)
#define log_warn(fac, ...)  dl_log(DL_LOG_WARN, fac, __VA_ARGS__)
#define log_info(fac, ...)  dl_log(DL_LOG_INFO, fac, __VA_ARGS__)
#define log_debug(fac, ...) dl_log(DL_LOG_DEBUG, fac, __VA_ARGS__)

#endif
