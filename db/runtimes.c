/*
 * runtimes.c: the runtime catalog table.  The key is the type, a NUL and
 * the name, so the btree's bytewise order is the list order Vault returns
 * (sorted by name within a type).  Values are lib/record.c bytes.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/internal.h"

#define RUNTIME_TYPE	"container"

static size_t
make_key(struct buf *k, const char *name)
{
	buf_init(k);
	buf_add(k, RUNTIME_TYPE, sizeof RUNTIME_TYPE);	/* with its NUL */
	buf_adds(k, name);
	return k->len;
}

static int
decode(const void *p, size_t n, void *out)
{
	return record_runtime_decode(p, n, out);
}

static void
encode(const void *in, struct buf *out)
{
	record_runtime_encode(in, out);
}

int
runtime_get(struct txn *t, const char *name, struct runtime *r)
{
	struct buf	 k;
	int		 rc;

	make_key(&k, name);
	rc = rec_get_as(t, t->store->runtimes, k.data, k.len, decode, r,
	    "decoding a runtime record");
	buf_free(&k);
	return rc;
}

int
runtime_put(struct txn *t, const struct runtime *r)
{
	struct buf	 k;
	int		 rc;

	make_key(&k, r->name);
	rc = rec_put_as(t, t->store->runtimes, k.data, k.len, encode, r);
	buf_free(&k);
	return rc;
}

int
runtime_delete(struct txn *t, const char *name)
{
	struct buf	 k;
	int		 rc;

	make_key(&k, name);
	rc = rec_del(t, t->store->runtimes, k.data, k.len);
	buf_free(&k);
	return rc;
}

/* Calls fn for every runtime in key order; fn returning non-zero stops. */
int
runtime_list(struct txn *t, int (*fn)(const struct runtime *, void *),
    void *arg)
{
	DB	*db = t->store->runtimes;
	DBC	*c;
	DBT	 k, v;
	struct runtime r;
	int	 rc, crc, stop = 0;

	if ((rc = db->cursor(db, t->tid, &c, 0)) != 0)
		return txn_fail(t, rc, "cursor");
	memset(&k, 0, sizeof k);
	memset(&v, 0, sizeof v);
	k.flags = v.flags = DB_DBT_REALLOC;
	while (!stop && (rc = c->get(c, &k, &v, DB_NEXT)) == 0) {
		if (record_runtime_decode(v.data, v.size, &r) == -1) {
			rc = DB_VERIFY_BAD;
			break;
		}
		stop = fn(&r, arg);
		runtime_free(&r);
	}
	free(k.data);
	free(v.data);
	crc = c->close(c);
	if (rc == DB_NOTFOUND || (rc == 0 && stop))
		rc = crc;
	if (rc != 0)
		return txn_fail(t, rc, "listing runtimes");
	return 0;
}
