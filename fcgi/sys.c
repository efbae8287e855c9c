/*
 * sys.c: GET /v1/sys/health, unauthenticated and outside the envelope, as
 * Vault answers it to load balancers.  It reads the store in a transaction,
 * so a monitor sees 500 (same fields) when the storage cannot be read.
 */
#include <stdlib.h>
#include <time.h>

#include "config.h"
#include "fcgi/fcgi.h"

static int
health_txn(struct txn *t, void *arg)
{
	unsigned char	 salt[SALT_LEN];
	int		 rc;

	if ((rc = salt_get(t, salt)) == 1)
		return 500;
	return rc;
}

void
health_respond(struct request *req)
{
	json_t	*h;
	int	 status;

	status = txn_run(req->store, health_txn, NULL) == 0 ? 200 : 500;
	h = json_pack("{s:b, s:b, s:b, s:b, s:s, s:s, s:I, s:s}",
	    "initialized", 1, "sealed", 0, "standby", 0,
	    "performance_standby", 0,
	    "replication_performance_mode", "disabled",
	    "replication_dr_mode", "disabled",
	    "server_time_utc", (json_int_t)time(NULL),
	    "version", PACKAGE_VERSION);
	respond_json(req, status, h);
	json_decref(h);
}
