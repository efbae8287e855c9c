/*
 * clock.c: the monotonic clock in milliseconds, which every timeout and
 * duration of catalogd (the watchdog, replication's failover log, the
 * tests' deadlines) is measured on: wall-clock steps never move it.
 */
#include "config.h"

#include <time.h>

#include "lib.h"

int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
