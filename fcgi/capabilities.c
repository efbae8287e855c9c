/*
 * capabilities.c: sys/capabilities-self, sys/capabilities and
 * sys/capabilities-accessor, what `vault token capabilities` asks.  The
 * answer comes from the same code that enforces requests: the token's
 * merged ACL (token_acl) and acl_report, which reports a capability
 * exactly when acl_permits would let an operation needing it through.
 * As in Vault, the answer has one list per path, plus "capabilities" when
 * one path was asked, and its data keys also appear at the top level
 * (the route injects them).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fcgi/fcgi.h"

#define MULTIERR(s)	"1 error occurred:\n\t* " s "\n\n"

enum { K_WHO, K_PATH, K_PATHS };

const struct field capabilities_fields[] = {
	[K_WHO] = { "token", FIELD_STRING },
	[K_PATH] = { "path", FIELD_STRLIST },	/* Vault: deprecated */
	[K_PATHS] = { "paths", FIELD_STRLIST },
	{ NULL, FIELD_STRING },
};

const struct field capabilities_accessor_fields[] = {
	[K_WHO] = { "accessor", FIELD_STRING },
	[K_PATH] = { "path", FIELD_STRLIST },
	[K_PATHS] = { "paths", FIELD_STRLIST },
	{ NULL, FIELD_STRING },
};

/*
 * The live token with this text, as Vault's token store looks one up:
 * 0 with *rec filled, 1 when there is none (or it expired), -1 on failure.
 */
int
token_lookup_live(struct txn *t, const char *token, struct token_rec *rec)
{
	unsigned char	 hash[TOKEN_HASH_LEN];
	int		 rc;

	if (!token_syntax_ok(token))
		return 1;
	if (token_hash_of(t, token, hash) == -1)
		return -1;
	if ((rc = token_get(t, hash, rec)) != 0)
		return rc;
	if ((rc = token_live(t, rec, NULL)) != 0)
		token_rec_free(rec);
	return rc;
}

/* A new JSON array of a report's names ("root" for a root token). */
static json_t *
report_json(const struct policy *acl, bool root, const char *path)
{
	const char	*names[8];
	json_t		*a = json_array();
	size_t		 i, n;

	if (root)
		return json_pack("[s]", "root");
	n = acl_report_names(acl_report(acl, path), names);
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(names[i]));
	return a;
}

/*
 * Vault's handleCapabilities: the paths (or the deprecated "path"), each
 * checked in order; the token is resolved at the first non-empty path,
 * so an empty path reported first wins over a bad token.  tok is the
 * caller's token (capabilities-self) or NULL to look up token.
 */
static int
capabilities_answer(struct request *req, struct txn *t,
    const struct token_rec *tok, const char *token)
{
	struct fieldval		*paths = &req->vals[K_PATHS];
	struct token_rec	 found;
	struct policy		 acl;
	json_t			*data;
	bool			 have_acl = false, root = false;
	size_t			 i;
	int			 rc = 0;

	if (paths->nlist == 0)
		paths = &req->vals[K_PATH];
	if (paths->nlist == 0)
		return respond_error(req, 400, "paths must be supplied");
	memset(&found, 0, sizeof found);
	data = json_object();
	for (i = 0; i < paths->nlist && rc == 0; i++) {
		if (paths->list[i][0] == '\0') {
			rc = respond_error(req, 400, MULTIERR("missing path"));
			break;
		}
		if (!have_acl) {
			if (tok == NULL) {
				if ((rc = token_lookup_live(t, token,
				    &found)) == 1)
					rc = respond_error(req, 400,
					    MULTIERR("invalid token"));
				if (rc != 0)
					break;
				tok = &found;
			}
			if ((rc = token_acl(t, tok, &acl)) == -1)
				break;
			root = token_has_policy(tok, "root");
			have_acl = true;
		}
		json_object_set_new(data, paths->list[i],
		    report_json(&acl, root, paths->list[i]));
	}
	if (have_acl)
		policy_free(&acl);
	token_rec_free(&found);
	if (rc != 0) {
		json_decref(data);
		return rc;
	}
	/* "Only here for backwards compatibility", as Vault says. */
	if (paths->nlist == 1)
		json_object_set(data, "capabilities",
		    json_object_get(data, paths->list[0]));
	set_data(req, data);
	return 0;
}

int
capabilities_self(struct request *req, struct txn *t)
{
	return capabilities_answer(req, t, &req->tok, NULL);
}

int
capabilities_token(struct request *req, struct txn *t)
{
	const char	*token = req->vals[K_WHO].s;

	/*
	 * Vault fails here with a plain error, a 500; the client sent
	 * nothing wrong but an empty token, so this is a 400.
	 */
	if (token == NULL || *token == '\0')
		return respond_error(req, 400, MULTIERR("no token found"));
	return capabilities_answer(req, t, NULL, token);
}

int
capabilities_accessor(struct request *req, struct txn *t)
{
	const char		*accessor = req->vals[K_WHO].s;
	unsigned char		 hash[TOKEN_HASH_LEN];
	struct token_rec	 rec;
	int			 rc;

	if (accessor == NULL || *accessor == '\0')
		return respond_error(req, 400, "missing accessor");
	if ((rc = token_by_accessor(t, accessor, hash, &rec)) != 0)
		return rc == 1 ? respond_error(req, 400,
		    MULTIERR("invalid accessor")) : -1;
	/* An expired token still has its accessor until it is purged. */
	if ((rc = token_live(t, &rec, NULL)) == 0)
		rc = capabilities_answer(req, t, &rec, NULL);
	else if (rc == 1)
		rc = respond_error(req, 400, MULTIERR("invalid token"));
	token_rec_free(&rec);
	return rc;
}
