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

/* All policy names in key order, as a new list of new strings. */
int
policy_names(struct txn *t, char ***names, size_t *n)
{
	DB	*db = t->store->policies;
	DBC	*c;
	DBT	 k, v;
	int	 rc, crc;

	*names = NULL;
	*n = 0;
	if ((rc = db->cursor(db, t->tid, &c, 0)) != 0)
		return txn_fail(t, rc, "cursor");
	memset(&k, 0, sizeof k);
	memset(&v, 0, sizeof v);
	k.flags = v.flags = DB_DBT_REALLOC;
	while ((rc = c->get(c, &k, &v, DB_NEXT)) == 0) {
		*names = xrealloc(*names, (*n + 1) * sizeof **names);
		(*names)[(*n)++] = xstrndup(k.data, k.size);
	}
	free(k.data);
	free(v.data);
	crc = c->close(c);
	if (rc == DB_NOTFOUND)
		rc = crc;
	if (rc != 0) {
		strlist_free(*names, *n);
		*names = NULL;
		*n = 0;
		return txn_fail(t, rc, "listing policies");
	}
	return 0;
}
