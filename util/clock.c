/*
 * clock.c -- see clock.h.
 */
#include "util/clock.h"

#include <time.h>

static int64_t
ns_of(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t
dl_now_ns(void)
{
	return ns_of(CLOCK_MONOTONIC);
}

int64_t
dl_now_ms(void)
{
	return dl_now_ns() / 1000000;
}

int64_t
dl_wall_ms(void)
{
	return ns_of(CLOCK_REALTIME) / 1000000;
}
