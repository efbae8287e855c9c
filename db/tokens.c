/*
 * tokens.c: token records keyed by HMAC-SHA256(salt, token), and the salt
 * itself in the meta table.  The record repeats nothing secret.
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
