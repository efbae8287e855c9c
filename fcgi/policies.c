/*
 * policies.c: sys/policies/acl, Vault's ACL policy store.  Names are
 * case-insensitive (stored in lower case, as Vault does).  A policy is
 * parsed before it is stored, so only valid policies exist; the text is
 * kept as written and returned verbatim.  "root" is built in and can be
 * neither written nor deleted; "default" exists from the start (a token may
 * look itself up, renew and revoke itself) and can be edited, not deleted.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi/fcgi.h"

enum { P_NAME, P_POLICY };

const struct field policy_fields[] = {
	[P_NAME] = { "name", FIELD_STRING },
	[P_POLICY] = { "policy", FIELD_STRING },
	{ NULL, FIELD_STRING },
};

static const char default_policy[] =
    "# Allow tokens to look up their own properties\n"
    "path \"auth/token/lookup-self\" {\n"
    "    capabilities = [\"read\"]\n"
    "}\n"
    "\n"
    "# Allow tokens to renew themselves\n"
    "path \"auth/token/renew-self\" {\n"
    "    capabilities = [\"update\"]\n"
    "}\n"
    "\n"
    "# Allow tokens to revoke themselves\n"
    "path \"auth/token/revoke-self\" {\n"
    "    capabilities = [\"update\"]\n"
    "}\n";

/* Creates the default policy if it does not exist (first start). */
int
policies_init_default(struct txn *t)
{
	struct policy_rec	 rec;
	int			 rc;

	if ((rc = policy_get(t, "default", &rec)) != 1) {
		if (rc == 0)
			policy_rec_free(&rec);
		return rc;
	}
	rec.name = "default";
	rec.text = (char *)default_policy;
	return policy_put(t, &rec);
}

/* The route's {name}, lower-cased in place. */
static const char *
policy_name(struct request *req)
{
	char	*p;

	for (p = req->name; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return req->name;
}

int
policies_read(struct request *req, struct txn *t)
{
	struct policy_rec	 rec;
	const char		*name = policy_name(req);
	int			 rc;

	if (strcmp(name, "root") == 0) {
		set_data(req, json_pack("{s:s, s:s}", "name", "root",
		    "policy", ""));
		return 0;
	}
	if ((rc = policy_get(t, name, &rec)) != 0)
		return rc == 1 ? respond_error(req, 404, "") : -1;
	set_data(req, json_pack("{s:s, s:s}", "name", rec.name, "policy",
	    rec.text));
	policy_rec_free(&rec);
	return 0;
}

int
policies_update(struct request *req, struct txn *t)
{
	const char		*name = policy_name(req);
	const char		*text = req->vals[P_POLICY].s;
	struct policy_rec	 rec;
	struct policy		 parsed;
	struct buf		 decoded;
	int			 rc;

	if (strcmp(name, "root") == 0)
		return respond_error(req, 400, "cannot update root policy");
	if (text == NULL || *text == '\0')
		return respond_error(req, 400,
		    "'policy' parameter not supplied or empty");
	/* Vault also takes the policy base64-encoded. */
	buf_init(&decoded);
	if (base64_decode(text, &decoded) && decoded.len > 0 &&
	    memchr(decoded.data, '\0', decoded.len) == NULL) {
		json_t *utf8 = json_stringn(decoded.data, decoded.len);

		if (utf8 != NULL)
			text = decoded.data;
		json_decref(utf8);
	}
	if (policy_parse(text, &parsed, &req->err) == -1) {
		buf_free(&decoded);
		return req->err.status;
	}
	policy_free(&parsed);
	rec.name = (char *)name;
	rec.text = (char *)text;
	rc = policy_put(t, &rec);
	buf_free(&decoded);
	return rc;
}

int
policies_delete(struct request *req, struct txn *t)
{
	const char	*name = policy_name(req);

	if (strcmp(name, "root") == 0)
		return respond_error(req, 400, "cannot delete root policy");
	if (strcmp(name, "default") == 0)
		return respond_error(req, 400, "cannot delete default policy");
	return policy_delete(t, name) == -1 ? -1 : 0;
}

int
policies_list(struct request *req, struct txn *t)
{
	json_t	*keys;
	char	**names;
	size_t	 n;

	if (policy_names(t, &names, &n) == -1)
		return -1;
	/* "root" is not stored; Vault appends it after the sorted names. */
	names = xrealloc(names, (n + 1) * sizeof *names);
	names[n++] = xstrdup("root");
	keys = strlist_json(names, n);
	strlist_free(names, n);
	set_data(req, json_pack("{s:o}", "keys", keys));
	return 0;
}
