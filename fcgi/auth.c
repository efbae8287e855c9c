/*
 * auth.c: who is asking, and may they.  The token comes from X-Vault-Token
 * or "Authorization: Bearer"; it must look like a token before it is even
 * hashed.  It is looked up by HMAC-SHA256 with the installation salt, so
 * the raw token is never stored.  Authorisation runs before routing, on the
 * request's ACL path (a LIST has its trailing '/').  Until policies exist
 * only the root policy is known, and it allows everything.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fcgi/fcgi.h"

#define DENIED		"permission denied"
#define DENIED_MULTI	"1 error occurred:\n\t* permission denied\n\n"

/* Paths that need sudo even where no route matches (Vault's root paths). */
static const char *const sudo_prefixes[] = {
	"sys/plugins/runtimes/catalog/",
};

static bool
needs_sudo(const struct request *req)
{
	size_t	 i;

	if (req->route != NULL)
		return req->route->sudo;
	for (i = 0; i < sizeof sudo_prefixes / sizeof sudo_prefixes[0]; i++)
		if (strncmp(req->path, sudo_prefixes[i],
		    strlen(sudo_prefixes[i])) == 0)
			return true;
	return false;
}

/* The one decision point; the policy engine will replace its body. */
static bool
acl_allows(const struct token_rec *tok, const char *path, enum op op,
    bool sudo)
{
	return strcmp(tok->policy, "root") == 0;
}

/* 0 when the request may proceed, 403 (answer set) or -1 (storage). */
int
auth_check(struct request *req, struct txn *t)
{
	static unsigned char	 salt[SALT_LEN];
	static bool		 have_salt;
	unsigned char		 hash[TOKEN_HASH_LEN];
	struct token_rec	 tok;
	bool			 ok;
	int			 rc;

	if (!token_syntax_ok(req->token))
		return respond_error(req, 403, DENIED);
	if (!have_salt) {
		if ((rc = salt_get(t, salt)) == -1)
			return -1;
		if (rc == 1) {
			log_err("the data directory has no salt");
			return respond_error(req, 403, DENIED);
		}
		have_salt = true;
	}
	token_hash(salt, SALT_LEN, req->token, hash);
	if ((rc = token_get(t, hash, &tok)) != 0)
		return rc == 1 ? respond_error(req, 403, DENIED) : -1;
	ok = acl_allows(&tok, req->path, req->op, needs_sudo(req));
	token_rec_free(&tok);
	return ok ? 0 : respond_error(req, 403, DENIED_MULTI);
}
