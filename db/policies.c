/*
 * policies.c: ACL policies keyed by their (lower-case) name.  The record
 * keeps the text as written; callers parse it when they evaluate it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/internal.h"

int
policy_get(struct txn *t, const char *name, struct policy_rec *p)
{
	void	*val;
	size_t	 vlen;
	int	 rc;

	rc = rec_get(t, t->store->policies, name, strlen(name), &val, &vlen);
	if (rc != 0)
		return rc;
	rc = record_policy_decode(val, vlen, p);
	free(val);
	if (rc == -1)
		return txn_fail(t, DB_VERIFY_BAD, "decoding a policy record");
	return 0;
}

int
policy_put(struct txn *t, const struct policy_rec *p)
{
	struct buf	 v;
	int		 rc;

	buf_init(&v);
	record_policy_encode(p, &v);
	rc = rec_put(t, t->store->policies, p->name, strlen(p->name), v.data,
	    v.len);
	buf_free(&v);
	return rc;
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
