/*
 * tokens.c: token records keyed by HMAC-SHA256(salt, token), and the salt
 * itself in the meta table.  The record repeats nothing secret.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/internal.h"

#define SALT_KEY	"salt"

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

int
token_get(struct txn *t, const unsigned char hash[TOKEN_HASH_LEN],
    struct token_rec *rec)
{
	void	*val;
	size_t	 vlen;
	int	 rc;

	rc = rec_get(t, t->store->tokens, hash, TOKEN_HASH_LEN, &val, &vlen);
	if (rc != 0)
		return rc;
	rc = record_token_decode(val, vlen, rec);
	free(val);
	if (rc == -1)
		return txn_fail(t, DB_VERIFY_BAD, "decoding a token record");
	return 0;
}

int
token_put(struct txn *t, const unsigned char hash[TOKEN_HASH_LEN],
    const struct token_rec *rec)
{
	struct buf	 v;
	int		 rc;

	buf_init(&v);
	record_token_encode(rec, &v);
	rc = rec_put(t, t->store->tokens, hash, TOKEN_HASH_LEN, v.data, v.len);
	buf_free(&v);
	return rc;
}
