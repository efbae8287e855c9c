/*
 * worker.c: one worker process.  It joins the environment the supervisor
 * recovered (never recovering itself), then accepts on the shared socket
 * until told to stop, until it has served max_requests (a leak backstop:
 * the supervisor replaces it without a recovery cycle), or until Berkeley DB
 * reports a panic, when it exits with EXIT_RECOVER after its answer.
 */
#include "config.h"

#include <stdlib.h>
#include <unistd.h>

#include "fcgi/fcgi.h"

void
worker_run(const struct config *cfg, int fd)
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
		request_handle(&fx, st, cfg);
		FCGX_Finish_r(&fx);
		served++;
		if (store_panicked()) {
			log_err("the environment panicked; exiting for recovery");
			_exit(EXIT_RECOVER);
		}
	}
	store_close(st);
	exit(0);
}
