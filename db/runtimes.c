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
	if (rc == 0)
		fault_stuck(r->name, r->oci_runtime);
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

struct runtime_scan {
	int		(*fn)(const struct runtime *, void *);
	void		*arg;
	const char	*after;		/* skip this name, where the scan starts */
};

static int
runtime_one(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	struct runtime_scan	*sc = arg;
	struct runtime		 r;
	int			 stop;

	if (record_runtime_decode(val, vlen, &r) == -1)
		return -1;
	if (sc->after != NULL && strcmp(r.name, sc->after) == 0) {
		runtime_free(&r);
		return 0;
	}
	stop = sc->fn(&r, sc->arg);
	runtime_free(&r);
	return stop ? 1 : 0;
}

/* Calls fn for every runtime in key order; fn returning non-zero stops. */
int
runtime_list(struct txn *t, int (*fn)(const struct runtime *, void *),
    void *arg)
{
	return runtime_list_after(t, NULL, fn, arg);
}

/* The same for the runtimes whose names sort after AFTER (NULL: all). */
int
runtime_list_after(struct txn *t, const char *after,
    int (*fn)(const struct runtime *, void *), void *arg)
{
	struct runtime_scan	 sc = { fn, arg, after };
	struct buf		 k;
	int			 rc;

	if (after == NULL)
		return rec_scan(t, t->store->runtimes, runtime_one, &sc,
		    "listing runtimes");
	make_key(&k, after);
	rc = rec_scan_from(t, t->store->runtimes, k.data, k.len, runtime_one,
	    &sc, "listing runtimes");
	buf_free(&k);
	return rc;
}
