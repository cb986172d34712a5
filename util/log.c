/*
 * log.c -- see log.h.
 */
#include "util/log.h"

#include <openssl/err.h>
#include <string.h>

static const char *log_progname = "danelab";
static enum dl_log_level log_level = DL_LOG_WARN;

static const char *const level_names[] = {
	[DL_LOG_ERR] = "error",
	[DL_LOG_WARN] = "warning",
	[DL_LOG_INFO] = "info",
	[DL_LOG_DEBUG] = "debug",
};

void
dl_log_init(const char *progname, enum dl_log_level threshold)
{
	if (progname != NULL) {
		const char *slash = strrchr(progname, '/');
		log_progname = slash ? slash + 1 : progname;
	}
	log_level = threshold;
}

enum dl_log_level
dl_log_threshold(void)
{
	return log_level;
}

void
dl_vlog(enum dl_log_level level, const char *facility, const char *fmt,
    va_list ap)
{
	char line[2048];

	if (level > log_level)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	/* One fprintf per line so that concurrent writers do not interleave. */
	fprintf(stderr, "%s: %s: %s: %s\n", log_progname, level_names[level],
	    facility ? facility : "-", line);
}

void
dl_log(enum dl_log_level level, const char *facility, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dl_vlog(level, facility, fmt, ap);
	va_end(ap);
}

void
dl_log_crypto(const char *facility, const char *fmt, ...)
{
	va_list ap;
	unsigned long e;
	char buf[256];

	va_start(ap, fmt);
	dl_vlog(DL_LOG_ERR, facility, fmt, ap);
	va_end(ap);
	while ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		dl_log(DL_LOG_ERR, facility, "  openssl: %s", buf);
	}
}
