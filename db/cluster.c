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

/* A node's key in the meta table: "node/" and its replication address. */
static char *
node_key(const char *addr, size_t *len)
{
	char	*k = xasprintf("node/%s", addr);

	*len = strlen(k);
	return k;
}

/* 0 with new strings in *n, 1 when the node never announced itself, -1. */
int
node_get(struct txn *t, const char *addr, struct node_rec *n)
{
	const char	*p, *end;
	char		*k, **f[] = { &n->api_addr, &n->hostname, &n->version };
	void		*val;
	size_t		 klen, vlen, i;
	int		 rc;

	k = node_key(addr, &klen);
	rc = rec_get(t, t->store->meta, k, klen, &val, &vlen);
	free(k);
	if (rc != 0)
		return rc;
	memset(n, 0, sizeof *n);
	/* Three strings, each ending in NUL. */
	for (p = val, end = p + vlen, i = 0; i < 3; i++) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));

		if (nul == NULL) {
			node_rec_free(n);
			free(val);
			return txn_fail(t, DB_VERIFY_BAD, "bad node record");
		}
		*f[i] = xstrdup(p);
		p = nul + 1;
	}
	free(val);
	return 0;
}

int
node_put(struct txn *t, const char *addr, const struct node_rec *n)
{
	struct buf	 v;
	char		*k;
	size_t		 klen;
	int		 rc;

	buf_init(&v);
	buf_add(&v, n->api_addr, strlen(n->api_addr) + 1);
	buf_add(&v, n->hostname, strlen(n->hostname) + 1);
	buf_add(&v, n->version, strlen(n->version) + 1);
	k = node_key(addr, &klen);
	rc = rec_put(t, t->store->meta, k, klen, v.data, v.len);
	free(k);
	buf_free(&v);
	return rc;
}

void
node_rec_free(struct node_rec *n)
{
	free(n->api_addr);
	free(n->hostname);
	free(n->version);
	memset(n, 0, sizeof *n);
}
