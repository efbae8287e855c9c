/*
 * audit.c: the audit device table, keyed by the device's path ("file/").
 * A record carries the options as given and the device's HMAC salt, so
 * every worker, a restart and a restored copy hash alike.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/internal.h"

static int
decode(const void *p, size_t n, void *out)
{
	return record_audit_decode(p, n, out);
}

static void
encode(const void *in, struct buf *out)
{
	record_audit_encode(in, out);
}

int
audit_get(struct txn *t, const char *path, struct audit_rec *a)
{
	return rec_get_as(t, t->store->audit, path, strlen(path), decode, a,
	    "decoding an audit device record");
}

int
audit_put(struct txn *t, const struct audit_rec *a)
{
	return rec_put_as(t, t->store->audit, a->path, strlen(a->path), encode,
	    a);
}

int
audit_delete(struct txn *t, const char *path)
{
	return rec_del(t, t->store->audit, path, strlen(path));
}

struct devs {
	struct audit_rec	*list;
	size_t			 n;
};

static int
dev_one(const void *key, size_t klen, const void *val, size_t vlen, void *arg)
{
	struct devs	*d = arg;

	(void)key;
	(void)klen;
	d->list = xrealloc(d->list, (d->n + 1) * sizeof *d->list);
	if (record_audit_decode(val, vlen, &d->list[d->n]) == -1) {
		log_err("undecodable audit device record");
		return -1;
	}
	d->n++;
	return 0;
}

/* Every device in path order, as a new array of new records. */
int
audit_list(struct txn *t, struct audit_rec **list, size_t *n)
{
	struct devs	 d = { NULL, 0 };
	size_t		 i;
	int		 rc;

	rc = rec_scan(t, t->store->audit, dev_one, &d, "listing audit devices");
	if (rc == -1) {
		for (i = 0; i < d.n; i++)
			audit_rec_free(&d.list[i]);
		free(d.list);
		d.list = NULL;
		d.n = 0;
	}
	*list = d.list;
	*n = d.n;
	return rc;
}
