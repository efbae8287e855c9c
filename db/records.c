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

/*
 * Gets a record and decodes it into out: 0, 1 when absent, -1 on failure
 * (a value that does not decode is a storage failure, named by what).
 */
int
rec_get_as(struct txn *t, DB *db, const void *key, size_t klen,
    rec_decode_fn dec, void *out, const char *what)
{
	void	*val;
	size_t	 vlen;
	int	 rc;

	if ((rc = rec_get(t, db, key, klen, &val, &vlen)) != 0)
		return rc;
	rc = dec(val, vlen, out);
	free(val);
	if (rc == -1)
		return txn_fail(t, DB_VERIFY_BAD, what);
	return 0;
}

/* Encodes a record and stores it. */
/*
 * A write: its commit waits for a log flush (counted in txn_run).  A write
 * to the tokens or the policies: once the transaction commits,
 * every process's cached authentication is stale (see txn_run).
 */
static void
note_write(struct txn *t, DB *db)
{
	t->wrote = true;
	if (db == t->store->tokens || db == t->store->policies)
		t->auth_changed = true;
}

int
rec_put_as(struct txn *t, DB *db, const void *key, size_t klen,
    rec_encode_fn enc, const void *in)
{
	struct buf	 v;
	int		 rc;

	buf_init(&v);
	enc(in, &v);
	rc = rec_put(t, db, key, klen, v.data, v.len);
	buf_free(&v);
	return rc;
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
	note_write(t, db);
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
	note_write(t, db);
	return 0;
}

/*
 * Calls fn with every key and value of db, in key order, inside the
 * transaction.  fn returns 0 to go on, 1 to stop, -1 when the value does
 * not decode (a storage failure named by what).  0, or -1 after txn_fail.
 */
int
rec_scan(struct txn *t, DB *db, rec_scan_fn fn, void *arg, const char *what)
{
	return rec_scan_from(t, db, NULL, 0, fn, arg, what);
}

/* rec_scan from the first key at or after START (NULL: the first key). */
int
rec_scan_from(struct txn *t, DB *db, const void *start, size_t slen,
    rec_scan_fn fn, void *arg, const char *what)
{
	DBC		*c;
	DBT		 k, v;
	u_int32_t	 flag = DB_NEXT;
	int		 rc, crc, r = 0;

	if ((rc = db->cursor(db, t->tid, &c, 0)) != 0)
		return txn_fail(t, rc, "cursor");
	memset(&k, 0, sizeof k);
	memset(&v, 0, sizeof v);
	k.flags = v.flags = DB_DBT_REALLOC;
	if (start != NULL) {
		k.data = xmalloc(slen);
		memcpy(k.data, start, slen);
		k.size = (u_int32_t)slen;
		flag = DB_SET_RANGE;
	}
	while (r == 0 && (rc = c->get(c, &k, &v, flag)) == 0) {
		flag = DB_NEXT;
		if ((r = fn(k.data, k.size, v.data, v.size, arg)) == -1)
			rc = DB_VERIFY_BAD;
	}
	free(k.data);
	free(v.data);
	crc = c->close(c);
	if (rc == DB_NOTFOUND || (rc == 0 && r == 1))
		rc = crc;
	return rc == 0 ? 0 : txn_fail(t, rc, what);
}
