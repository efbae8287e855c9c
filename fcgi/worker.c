/*
 * worker.c: one worker process.  It joins the environment the supervisor
 * recovered (never recovering itself), then accepts on the shared socket
 * until told to stop, until it has served max_requests (a leak backstop:
 * the supervisor replaces it without a recovery cycle), or until Berkeley DB
 * reports a panic, when it exits with EXIT_RECOVER after its answer.  While
 * it serves a request, its slot in the page it shares with the supervisor
 * holds the time the request began: the watchdog kills a worker that stays
 * in one request too long (it may hold locks everyone else waits for).
 */
#include "config.h"

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "fcgi/fcgi.h"

int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
worker_run(const struct config *cfg, int fd, int64_t *busy)
{
	FCGX_Request	 fx;
	struct store	*st;
	long		 served = 0;

	log_init("catalogd-worker");
	if ((st = store_open(cfg->dbhome, 0)) == NULL)
		_exit(EXIT_RECOVER);
	if (FCGX_Init() != 0)
		fatal("FCGX_Init failed");
	if (FCGX_InitRequest(&fx, fd, 0) != 0)
		fatal("FCGX_InitRequest failed");
	while (served < cfg->max_requests && FCGX_Accept_r(&fx) >= 0) {
		__atomic_store_n(busy, now_ms(), __ATOMIC_RELAXED);
		request_handle(&fx, st, cfg);
		FCGX_Finish_r(&fx);
		__atomic_store_n(busy, 0, __ATOMIC_RELAXED);
		served++;
		if (store_panicked()) {
			log_err("the environment panicked; exiting for recovery");
			_exit(EXIT_RECOVER);
		}
	}
	store_close(st);
	exit(0);
}

/*
 * A standby worker, while recovery keeps failing (the disk is failing or
 * full): it never touches the environment and answers every request with
 * a 503 at once, so that clients are told instead of queueing until their
 * time-out.  The supervisor stops it with SIGTERM once recovery succeeds.
 */
void
worker_standby(const struct config *cfg, int fd)
{
	FCGX_Request	 fx;

	log_init("catalogd-standby");
	if (FCGX_Init() != 0)
		fatal("FCGX_Init failed");
	if (FCGX_InitRequest(&fx, fd, 0) != 0)
		fatal("FCGX_InitRequest failed");
	while (FCGX_Accept_r(&fx) >= 0) {
		request_unavailable(&fx);
		FCGX_Finish_r(&fx);
	}
	exit(0);
}
