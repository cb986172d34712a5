/*
 * clock.h -- the one monotonic clock of danelab, and the wall clock.
 *
 * Deadlines, timeouts and durations use the monotonic clock: it does not
 * jump when the host's time is set.  Only timestamps a person reads
 * (evidence start/end) use the wall clock.
 */
#ifndef DL_CLOCK_H
#define DL_CLOCK_H

#include <stdint.h>

/* Monotonic time in milliseconds (deadlines, timeouts, durations). */
int64_t dl_now_ms(void);
/* The same clock in nanoseconds, for measurements below a millisecond. */
int64_t dl_now_ns(void);
/* Wall-clock time in milliseconds since the epoch (timestamps only). */
int64_t dl_wall_ms(void);

#endif
