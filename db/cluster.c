/*
 * cluster.c: the installation's cluster identity in the meta table, a
 * UUID created once with the data directory (or, for a directory made
 * before it existed, on first use) and never changed, so that every
 * sys/seal-status answer names the same cluster.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/internal.h"

#define CLUSTER_ID_KEY	"cluster_id"

/* 0 with the id in id[], 1 when none is stored, -1 on failure. */
int
cluster_id_get(struct txn *t, char id[CLUSTER_ID_LEN + 1])
{
	void	*val;
	size_t	 vlen;
	int	 rc;

	rc = rec_get(t, t->store->meta, CLUSTER_ID_KEY, strlen(CLUSTER_ID_KEY),
	    &val, &vlen);
	if (rc != 0)
		return rc;
	if (vlen != CLUSTER_ID_LEN || memchr(val, '\0', vlen) != NULL) {
		free(val);
		return txn_fail(t, DB_VERIFY_BAD, "cluster id has the wrong size");
	}
	memcpy(id, val, CLUSTER_ID_LEN);
	id[CLUSTER_ID_LEN] = '\0';
	free(val);
	return 0;
}

int
cluster_id_put(struct txn *t, const char *id)
{
	if (strlen(id) != CLUSTER_ID_LEN)
		abort();
	return rec_put(t, t->store->meta, CLUSTER_ID_KEY,
	    strlen(CLUSTER_ID_KEY), id, CLUSTER_ID_LEN);
}
