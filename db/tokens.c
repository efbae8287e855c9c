/*
 * tokens.c: token records keyed by HMAC-SHA256(salt, token), the accessor
 * index over them (a Berkeley DB secondary database, so it changes in the
 * same transaction as the record), and the salt itself in the meta table.
 * The record repeats nothing secret; an accessor is not a secret.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/internal.h"

#define SALT_KEY	"salt"

static int	child_put(struct txn *, const unsigned char *,
		    const unsigned char *);

int
salt_get(struct txn *t, unsigned char salt[SALT_LEN])
{
	void	*val;
	size_t	 vlen;
	int	 rc;

	rc = rec_get(t, t->store->meta, SALT_KEY, strlen(SALT_KEY), &val, &vlen);
	if (rc != 0)
		return rc;
	if (vlen != SALT_LEN) {
		free(val);
		return txn_fail(t, DB_VERIFY_BAD, "salt has the wrong size");
	}
	memcpy(salt, val, SALT_LEN);
	free(val);
	return 0;
}

int
salt_put(struct txn *t, const unsigned char salt[SALT_LEN])
{
	return rec_put(t, t->store->meta, SALT_KEY, strlen(SALT_KEY), salt,
	    SALT_LEN);
}

static int
decode(const void *p, size_t n, void *out)
{
	return record_token_decode(p, n, out);
}

static void
encode(const void *in, struct buf *out)
{
	record_token_encode(in, out);
}

int
token_get(struct txn *t, const unsigned char hash[TOKEN_HASH_LEN],
    struct token_rec *rec)
{
	return rec_get_as(t, t->store->tokens, hash, TOKEN_HASH_LEN, decode,
	    rec, "decoding a token record");
}

/* Stores a token; a new child is also filed under its parent. */
int
token_put(struct txn *t, const unsigned char hash[TOKEN_HASH_LEN],
    const struct token_rec *rec)
{
	int	 rc;

	rc = rec_put_as(t, t->store->tokens, hash, TOKEN_HASH_LEN, encode, rec);
	if (rc == 0 && rec->has_parent)
		rc = child_put(t, rec->parent, hash);
	return rc;
}

static int
child_put(struct txn *t, const unsigned char *parent,
    const unsigned char *child)
{
	DB	*db = t->store->children;
	DBT	 k, v;
	int	 rc;

	memset(&k, 0, sizeof k);
	memset(&v, 0, sizeof v);
	k.data = (void *)parent;
	k.size = TOKEN_HASH_LEN;
	v.data = (void *)child;
	v.size = TOKEN_HASH_LEN;
	rc = db->put(db, t->tid, &k, &v, DB_NODUPDATA);
	if (rc != 0 && rc != DB_KEYEXIST)
		return txn_fail(t, rc, "filing a child token");
	return 0;
}

/* The children of a token, as a new array of hashes. */
static int
children_of(struct txn *t, const unsigned char *parent, unsigned char **kids,
    size_t *n)
{
	DB	*db = t->store->children;
	DBC	*c;
	DBT	 k, v;
	int	 rc, crc;
	u_int32_t flag = DB_SET;

	*kids = NULL;
	*n = 0;
	if ((rc = db->cursor(db, t->tid, &c, 0)) != 0)
		return txn_fail(t, rc, "cursor");
	memset(&k, 0, sizeof k);
	memset(&v, 0, sizeof v);
	k.data = (void *)parent;
	k.size = TOKEN_HASH_LEN;
	v.flags = DB_DBT_REALLOC;
	while ((rc = c->get(c, &k, &v, flag)) == 0) {
		flag = DB_NEXT_DUP;
		if (v.size != TOKEN_HASH_LEN)
			continue;
		*kids = xrealloc(*kids, (*n + 1) * TOKEN_HASH_LEN);
		memcpy(*kids + *n * TOKEN_HASH_LEN, v.data, TOKEN_HASH_LEN);
		(*n)++;
	}
	free(v.data);
	crc = c->close(c);
	if (rc == DB_NOTFOUND)
		rc = crc;
	if (rc != 0) {
		free(*kids);
		*kids = NULL;
		return txn_fail(t, rc, "listing child tokens");
	}
	return 0;
}

/*
 * Revokes a token and, as Vault does, every token created under it.
 * 0 when revoked, 1 when the token did not exist, -1 on failure.
 */
int
token_revoke(struct txn *t, const unsigned char hash[TOKEN_HASH_LEN])
{
	unsigned char	*kids;
	size_t		 n, i;
	int		 rc;

	if (children_of(t, hash, &kids, &n) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (token_revoke(t, kids + i * TOKEN_HASH_LEN) == -1) {
			free(kids);
			return -1;
		}
	free(kids);
	if (rec_del(t, t->store->children, hash, TOKEN_HASH_LEN) == -1)
		return -1;
	rc = rec_del(t, t->store->tokens, hash, TOKEN_HASH_LEN);
	return rc;
}

/*
 * Revokes a token alone: its children stay and become orphans (Vault's
 * revoke-orphan).  0 when revoked, 1 when the token did not exist, -1 on
 * failure.
 */
int
token_orphan_revoke(struct txn *t, const unsigned char hash[TOKEN_HASH_LEN])
{
	struct token_rec	 kid;
	unsigned char		*kids;
	size_t			 n, i;
	int			 rc = 0;

	if (children_of(t, hash, &kids, &n) == -1)
		return -1;
	for (i = 0; i < n && rc != -1; i++) {
		rc = token_get(t, kids + i * TOKEN_HASH_LEN, &kid);
		if (rc == 1) {		/* already gone */
			rc = 0;
			continue;
		}
		if (rc == -1)
			break;
		kid.has_parent = false;
		memset(kid.parent, 0, sizeof kid.parent);
		rc = token_put(t, kids + i * TOKEN_HASH_LEN, &kid);
		token_rec_free(&kid);
	}
	free(kids);
	if (rc == -1 ||
	    rec_del(t, t->store->children, hash, TOKEN_HASH_LEN) == -1)
		return -1;
	return rec_del(t, t->store->tokens, hash, TOKEN_HASH_LEN);
}

struct expired {
	int64_t		 now;
	unsigned char	 found[100][TOKEN_HASH_LEN];
	size_t		 n;
};

static int
expired_one(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	struct expired		*ex = arg;
	struct token_rec	 rec;

	if (klen != TOKEN_HASH_LEN || record_token_decode(val, vlen, &rec) == -1)
		return 0;	/* not a token: leave it to a lookup to report */
	if (rec.expire != 0 && rec.expire <= ex->now)
		memcpy(ex->found[ex->n++], key, TOKEN_HASH_LEN);
	token_rec_free(&rec);
	return ex->n == 100 ? 1 : 0;
}

/* Revokes up to 100 tokens that expired by now; *n gets how many. */
int
tokens_purge(struct txn *t, int64_t now, size_t *n)
{
	struct expired	*ex = xcalloc(1, sizeof *ex);
	size_t		 i;
	int		 rc;

	ex->now = now;
	rc = rec_scan(t, t->store->tokens, expired_one, ex, "scanning tokens");
	for (i = 0; rc == 0 && i < ex->n; i++)
		if (token_revoke(t, ex->found[i]) == -1)
			rc = -1;
	*n = rc == 0 ? ex->n : 0;
	free(ex);
	return rc;
}

/*
 * The accessor index's key for a token record: its accessor.  A record
 * that does not decode is left out of the index (a lookup by its hash
 * reports it).
 */
int
token_accessor_key(DB *sec, const DBT *key, const DBT *data, DBT *result)
{
	struct token_rec	 rec;

	if (record_token_decode(data->data, data->size, &rec) == -1 ||
	    rec.accessor[0] == '\0') {
		token_rec_free(&rec);
		return DB_DONOTINDEX;
	}
	memset(result, 0, sizeof *result);
	result->size = (u_int32_t)strlen(rec.accessor);
	result->data = rec.accessor;	/* Berkeley DB frees it */
	result->flags = DB_DBT_APPMALLOC;
	rec.accessor = NULL;
	token_rec_free(&rec);
	return 0;
}

/*
 * The token with this accessor: its hash and record.  0, 1 when no token
 * has it, -1 on failure.
 */
int
token_by_accessor(struct txn *t, const char *accessor,
    unsigned char hash[TOKEN_HASH_LEN], struct token_rec *rec)
{
	DB	*db = t->store->accessors;
	DBT	 k, pk, v;
	int	 rc;

	memset(&k, 0, sizeof k);
	memset(&pk, 0, sizeof pk);
	memset(&v, 0, sizeof v);
	k.data = (void *)accessor;
	k.size = (u_int32_t)strlen(accessor);
	pk.flags = v.flags = DB_DBT_MALLOC;
	rc = db->pget(db, t->tid, &k, &pk, &v, 0);
	if (rc == DB_NOTFOUND)
		return 1;
	if (rc != 0)
		return txn_fail(t, rc, "looking up an accessor");
	rc = 0;
	if (pk.size != TOKEN_HASH_LEN ||
	    record_token_decode(v.data, v.size, rec) == -1)
		rc = txn_fail(t, DB_VERIFY_BAD, "decoding a token record");
	else
		memcpy(hash, pk.data, TOKEN_HASH_LEN);
	free(pk.data);
	free(v.data);
	return rc;
}

struct each_token {
	int	(*fn)(const unsigned char *, const struct token_rec *, void *);
	void	*arg;
};

static int
each_one(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	struct each_token	*e = arg;
	struct token_rec	 rec;
	int			 rc;

	if (klen != TOKEN_HASH_LEN || record_token_decode(val, vlen, &rec) == -1)
		return 0;	/* not a token: leave it to a lookup to report */
	rc = e->fn(key, &rec, e->arg);
	token_rec_free(&rec);
	return rc;
}

/*
 * Calls fn with the hash and record of every token, in hash order; fn
 * returns 0 to go on, 1 to stop.  0, or -1 on failure.
 */
int
tokens_each(struct txn *t,
    int (*fn)(const unsigned char *, const struct token_rec *, void *),
    void *arg)
{
	struct each_token	 e = { fn, arg };

	return rec_scan(t, t->store->tokens, each_one, &e, "scanning tokens");
}
