/*
 * policies.c: ACL policies keyed by their (lower-case) name.  The record
 * keeps the text as written; callers parse it when they evaluate it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/internal.h"

static int
decode(const void *p, size_t n, void *out)
{
	return record_policy_decode(p, n, out);
}

static void
encode(const void *in, struct buf *out)
{
	record_policy_encode(in, out);
}

int
policy_get(struct txn *t, const char *name, struct policy_rec *p)
{
	return rec_get_as(t, t->store->policies, name, strlen(name), decode, p,
	    "decoding a policy record");
}

int
policy_put(struct txn *t, const struct policy_rec *p)
{
	return rec_put_as(t, t->store->policies, p->name, strlen(p->name),
	    encode, p);
}

int
policy_delete(struct txn *t, const char *name)
{
	return rec_del(t, t->store->policies, name, strlen(name));
}

struct names {
	char	**list;
	size_t	  n;
};

static int
name_one(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	struct names	*nm = arg;

	nm->list = xrealloc(nm->list, (nm->n + 1) * sizeof *nm->list);
	nm->list[nm->n++] = xstrndup(key, klen);
	return 0;
}

/* All policy names in key order, as a new list of new strings. */
int
policy_names(struct txn *t, char ***names, size_t *n)
{
	struct names	 nm = { NULL, 0 };
	int		 rc;

	rc = rec_scan(t, t->store->policies, name_one, &nm,
	    "listing policies");
	if (rc == -1) {
		strlist_free(nm.list, nm.n);
		nm.list = NULL;
		nm.n = 0;
	}
	*names = nm.list;
	*n = nm.n;
	return rc;
}
