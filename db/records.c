/*
 * records.c: the three calls every table is made of, with the DBT memory
 * rules in one place.  Values come back in new memory (DB_DBT_MALLOC), so
 * nothing borrowed from Berkeley DB outlives the call.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/internal.h"

static void
dbt(DBT *d, const void *p, size_t n)
{
	memset(d, 0, sizeof *d);
	d->data = (void *)p;
	d->size = (u_int32_t)n;
}

/* 0 with a new *valp, 1 when absent, -1 on failure. */
int
rec_get(struct txn *t, DB *db, const void *key, size_t klen, void **valp,
    size_t *vlenp)
{
	DBT	 k, v;
	int	 rc;

	dbt(&k, key, klen);
	memset(&v, 0, sizeof v);
	v.flags = DB_DBT_MALLOC;
	rc = db->get(db, t->tid, &k, &v, 0);
	if (rc == DB_NOTFOUND)
		return 1;
	if (rc != 0)
		return txn_fail(t, rc, "get");
	*valp = v.data;
	*vlenp = v.size;
	return 0;
}

int
rec_put(struct txn *t, DB *db, const void *key, size_t klen, const void *val,
    size_t vlen)
{
	DBT	 k, v;
	int	 rc;

	dbt(&k, key, klen);
	dbt(&v, val, vlen);
	if ((rc = db->put(db, t->tid, &k, &v, 0)) != 0)
		return txn_fail(t, rc, "put");
	return 0;
}

/* 0 when deleted, 1 when absent, -1 on failure. */
int
rec_del(struct txn *t, DB *db, const void *key, size_t klen)
{
	DBT	 k;
	int	 rc;

	dbt(&k, key, klen);
	rc = db->del(db, t->tid, &k, 0);
	if (rc == DB_NOTFOUND)
		return 1;
	if (rc != 0)
		return txn_fail(t, rc, "del");
	return 0;
}
