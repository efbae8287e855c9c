/*
 * auth.c: who is asking, and may they.  The token comes from X-Vault-Token
 * or "Authorization: Bearer"; it must look like a token before it is even
 * hashed.  It is looked up by HMAC-SHA256 with the installation salt, so
 * the raw token is never stored or compared.  Authorisation runs before
 * routing, on the request's ACL path (a LIST has its trailing '/'), against
 * the token's policies.  The last token and its ACL are kept between
 * requests until any token or policy changes anywhere (a counter all
 * processes share): a policy change or a revocation still applies to the
 * very next request in every worker.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "fcgi/fcgi.h"

#define DENIED		"permission denied"
#define DENIED_MULTI	"1 error occurred:\n\t* permission denied\n\n"

/* Paths that need sudo even where no route matches (Vault's root paths). */
static const char *const sudo_prefixes[] = {
	"sys/plugins/catalog/",
	"sys/plugins/runtimes/catalog/",
	"sys/audit/",
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

static unsigned
op_capability(enum op op)
{
	switch (op) {
	case OP_READ:
		return CAP_READ;
	case OP_LIST:
		return CAP_LIST;
	case OP_UPDATE:
		return CAP_UPDATE;
	case OP_DELETE:
		return CAP_DELETE;
	default:
		return CAP_PATCH;
	}
}

/* Whether the token holds the named policy. */
bool
token_has_policy(const struct token_rec *tok, const char *name)
{
	size_t	 i;

	for (i = 0; i < tok->npolicies; i++)
		if (strcmp(tok->policies[i], name) == 0)
			return true;
	return false;
}

/*
 * The merged ACL of the token's policies (policies that do not exist grant
 * nothing), as a new policy the caller frees with policy_free.  0, or -1
 * on a storage failure.
 */
int
token_acl(struct txn *t, const struct token_rec *tok, struct policy *acl)
{
	struct policy		 one;
	struct policy_rec	 rec;
	struct apierr		 err;
	size_t			 i;
	int			 rc;

	memset(acl, 0, sizeof *acl);
	for (i = 0; i < tok->npolicies; i++) {
		if ((rc = policy_get(t, tok->policies[i], &rec)) == -1) {
			policy_free(acl);
			return -1;
		}
		if (rc == 1)
			continue;
		if (policy_parse(rec.text, &one, &err) == 0) {
			acl_add(acl, &one);
			policy_free(&one);
		} else
			log_err("stored policy %s no longer parses: %s",
			    rec.name, err.text);
		policy_rec_free(&rec);
	}
	return 0;
}

/*
 * The stored form of a token: HMAC-SHA256 with the installation salt, read
 * once per process and again after a restore swapped other data in (the
 * supervisor's copy, inherited by its children, may predate it).  0, or
 * -1 after txn_fail.
 */
int
token_hash_of(struct txn *t, const char *token,
    unsigned char hash[TOKEN_HASH_LEN])
{
	static unsigned char	 salt[SALT_LEN];
	static bool		 have_salt;
	static uint64_t		 salt_gen;
	static char		 last[TOKEN_MAX + 1];
	static unsigned char	 last_hash[TOKEN_HASH_LEN];
	char			 padded[TOKEN_MAX + 1];
	size_t			 n = strlen(token);
	int			 rc;

	if (have_salt && shared != NULL && salt_gen !=
	    __atomic_load_n(&shared->data_gen, __ATOMIC_SEQ_CST)) {
		have_salt = false;
		last[0] = '\0';
	}
	if (!have_salt) {
		if (shared != NULL)
			salt_gen = __atomic_load_n(&shared->data_gen,
			    __ATOMIC_SEQ_CST);
		if ((rc = salt_get(t, salt)) == 1)
			return txn_fail(t, EINVAL, "the data directory has no salt");
		if (rc == -1)
			return -1;
		have_salt = true;
	}
	/*
	 * The hash of the last token is kept: clients repeat their token,
	 * and the HMAC is a visible share of a read.  Only the hash function
	 * is cached, never an authorisation; the token is compared in
	 * constant time so that no other client's token can be probed.
	 */
	if (n > TOKEN_MAX)
		fatal("token longer than the syntax allows");
	memset(padded, 0, sizeof padded);
	memcpy(padded, token, n);
	if (last[0] != '\0' && CRYPTO_memcmp(padded, last, sizeof last) == 0) {
		memcpy(hash, last_hash, TOKEN_HASH_LEN);
		return 0;
	}
	token_hash(salt, SALT_LEN, token, hash);
	memcpy(last, padded, sizeof last);
	memcpy(last_hash, hash, TOKEN_HASH_LEN);
	return 0;
}

/*
 * Whether a token is alive: not expired, and neither are its parents (a
 * parent's revocation or expiry revokes its children, as in Vault; the
 * housekeeper removes them soon after, this check makes it immediate).
 * 0: alive, with *until (if not NULL) the earliest expiry along the chain
 * (0: never); 1: not; -1: storage failure.
 */
int
token_live(struct txn *t, const struct token_rec *tok, int64_t *until)
{
	struct token_rec	 up;
	unsigned char		 parent[TOKEN_HASH_LEN];
	int64_t			 now = (int64_t)time(NULL), ignored;
	bool			 has_parent = tok->has_parent;
	int			 depth, rc;

	if (until == NULL)
		until = &ignored;
	if (tok->expire != 0 && tok->expire <= now)
		return 1;
	*until = tok->expire;
	memcpy(parent, tok->parent, sizeof parent);
	for (depth = 0; has_parent && depth < 64; depth++) {
		if ((rc = token_get(t, parent, &up)) != 0)
			return rc;
		rc = up.expire != 0 && up.expire <= now;
		if (up.expire != 0 && (*until == 0 || up.expire < *until))
			*until = up.expire;
		has_parent = up.has_parent;
		memcpy(parent, up.parent, sizeof parent);
		token_rec_free(&up);
		if (rc)
			return 1;
	}
	return has_parent ? 1 : 0;
}

/*
 * The last token this process authenticated, with the ACL of its policies,
 * kept while no token and no policy changed anywhere: every commit that
 * wrote either bumps a counter all processes share (db/txn.c), and a
 * request that finds it moved loads everything again, so a revocation or a
 * policy change applies to the very next request in every worker.  The
 * counter is read before anything is loaded, so what is kept is never
 * newer than the count it is kept under.  Tokens with a use limit are never
 * kept: every use is a write.
 */
static struct {
	bool		 valid;
	uint64_t	 changes;
	unsigned char	 hash[TOKEN_HASH_LEN];
	struct token_rec tok;
	int64_t		 until;		/* earliest expiry in the chain */
	bool		 is_root;
	struct policy	 acl;
} kept;

static void
kept_clear(void)
{
	if (!kept.valid)
		return;
	token_rec_free(&kept.tok);
	policy_free(&kept.acl);
	kept.valid = false;
}

/* The request borrows the kept token; nothing of it is freed with it. */
static void
borrow_kept(struct request *req)
{
	req->tok = kept.tok;
	req->tok_borrowed = true;
	req->is_root = kept.is_root;
}

/* Drops the request's own token, or forgets a borrowed one. */
void
request_token_free(struct request *req)
{
	if (req->tok_borrowed)
		memset(&req->tok, 0, sizeof req->tok);
	else
		token_rec_free(&req->tok);
	req->tok_borrowed = false;
}

/*
 * Loads the token of req->tok_hash and, unless it has a use limit, keeps
 * it with its ACL.  0, 403 (answer set) or -1.
 */
static int
load_token(struct request *req, struct txn *t, uint64_t changes)
{
	int64_t		 until;
	int		 rc;

	if ((rc = token_get(t, req->tok_hash, &req->tok)) != 0)
		return rc == 1 ? respond_error(req, 403, DENIED) : -1;
	if ((rc = token_live(t, &req->tok, &until)) != 0)
		return rc == 1 ? respond_error(req, 403, DENIED) : -1;
	req->is_root = token_has_policy(&req->tok, "root");
	if (req->tok.num_uses > 0)
		return 0;
	kept_clear();
	if (!req->is_root && token_acl(t, &req->tok, &kept.acl) == -1)
		return -1;
	kept.tok = req->tok;
	kept.changes = changes;
	memcpy(kept.hash, req->tok_hash, TOKEN_HASH_LEN);
	kept.until = until;
	kept.is_root = req->is_root;
	kept.valid = true;
	borrow_kept(req);
	return 0;
}

/*
 * 0 when the request may proceed, 403 (answer set) or -1 (storage).  On
 * success req->tok holds the token and req->caps what it may do here.
 * A token with a use limit spends one use; its last use revokes it, in
 * this same transaction.
 */
int
auth_check(struct request *req, struct txn *t)
{
	struct policy	 acl;
	unsigned	 need;
	uint64_t	 changes = store_auth_changes(req->store);
	bool		 ok;
	int		 rc;

	request_token_free(req);
	if (!token_syntax_ok(req->token))
		return respond_error(req, 403, DENIED);
	if (token_hash_of(t, req->token, req->tok_hash) == -1)
		return -1;
	if (kept.valid && kept.changes == changes &&
	    memcmp(kept.hash, req->tok_hash, TOKEN_HASH_LEN) == 0) {
		if (kept.until != 0 && kept.until <= (int64_t)time(NULL))
			return respond_error(req, 403, DENIED);
		borrow_kept(req);
	} else if ((rc = load_token(req, t, changes)) != 0)
		return rc;
	if (req->tok.num_uses > 0) {
		req->use_spent = true;
		req->tok.num_uses--;
		rc = req->tok.num_uses == 0 ? token_revoke(t, req->tok_hash) :
		    token_put(t, req->tok_hash, &req->tok);
		if (rc == -1)
			return -1;
		req->tok_revoked = req->tok.num_uses == 0;
	}
	if (req->is_root) {
		req->caps = ~0u & ~CAP_DENY;
		return 0;
	}
	if (req->tok_borrowed)
		req->caps = acl_capabilities(&kept.acl, req->path,
		    req->op == OP_LIST);
	else {
		if (token_acl(t, &req->tok, &acl) == -1)
			return -1;
		req->caps = acl_capabilities(&acl, req->path,
		    req->op == OP_LIST);
		policy_free(&acl);
	}
	need = op_capability(req->op);
	ok = acl_permits(req->caps, need, needs_sudo(req));
	return ok ? 0 : respond_error(req, 403, DENIED_MULTI);
}
