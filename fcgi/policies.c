/*
 * policies.c: sys/policies/acl, Vault's ACL policy store, and the legacy
 * sys/policy path older clients (Terraform, Salt) still use: the same
 * store, rules and errors, but the text travels as "rules" (a write may
 * still send "policy", which wins) and a list also names the policies
 * "policies".  Names are
 * case-insensitive (stored in lower case, as Vault does).  A policy is
 * parsed before it is stored, so only valid policies exist; the text is
 * kept as written and returned verbatim.  "root" is built in and can be
 * neither written nor deleted; "default" exists from the start (a token may
 * look itself up, renew and revoke itself, and ask for its own capabilities,
 * as in Vault's default policy) and can be edited, not deleted.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi/fcgi.h"

enum { P_NAME, P_POLICY, P_RULES };

const struct field policy_fields[] = {
	[P_NAME] = { "name", FIELD_STRING },
	[P_POLICY] = { "policy", FIELD_STRING },
	{ NULL, FIELD_STRING },
};

const struct field legacy_policy_fields[] = {
	[P_NAME] = { "name", FIELD_STRING },
	[P_POLICY] = { "policy", FIELD_STRING },
	[P_RULES] = { "rules", FIELD_STRING },
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
    "}\n"
    "\n"
    "# Allow a token to look up its own capabilities on a path\n"
    "path \"sys/capabilities-self\" {\n"
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

/*
 * The route's {name}, lower-cased in place; *changed says whether that
 * changed it (Vault then warns on a write).
 */
static const char *
policy_name(struct request *req, bool *changed)
{
	char	*p;
	bool	 c = false;

	for (p = req->name; *p != '\0'; p++) {
		c |= isupper((unsigned char)*p) != 0;
		*p = (char)tolower((unsigned char)*p);
	}
	if (changed != NULL)
		*changed = c;
	return req->name;
}

/* Whether the request came by the legacy sys/policy path. */
static bool
legacy(const struct request *req)
{
	return strncmp(req->path, "sys/policy", 10) == 0;
}

int
policies_read(struct request *req, struct txn *t)
{
	struct policy_rec	 rec;
	const char		*name = policy_name(req, NULL);
	const char		*key = legacy(req) ? "rules" : "policy";
	int			 rc;

	if (strcmp(name, "root") == 0) {
		set_data(req, json_pack("{s:s, s:s}", "name", "root", key, ""));
		return 0;
	}
	if ((rc = policy_get(t, name, &rec)) != 0)
		return rc == 1 ? respond_error(req, 404, "") : -1;
	set_data(req, json_pack("{s:s, s:s}", "name", rec.name, key,
	    rec.text));
	policy_rec_free(&rec);
	return 0;
}

int
policies_update(struct request *req, struct txn *t)
{
	bool			 changed;
	const char		*name = policy_name(req, &changed);
	const char		*text = req->vals[P_POLICY].s;
	struct policy_rec	 rec;
	struct policy		 parsed;
	struct buf		 decoded;
	int			 rc;

	/* Vault's order: the name, then "rules" on the legacy path. */
	if (changed)
		warn(req, "policy name was converted to %s", name);
	if ((text == NULL || *text == '\0') && legacy(req)) {
		text = req->vals[P_RULES].s;
		warn(req, "'rules' is deprecated, please use 'policy' instead");
	}
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
	/* Vault's policy store refuses root only after the parse. */
	if (strcmp(name, "root") == 0) {
		buf_free(&decoded);
		return respond_error(req, 400, "cannot update \"root\" policy");
	}
	rec.name = (char *)name;
	rec.text = (char *)text;
	rc = policy_put(t, &rec);
	buf_free(&decoded);
	/* A warning makes the answer a 200 with data null, as in Vault. */
	if (rc == 0 && req->warnings != NULL)
		req->status = 200;
	return rc;
}

int
policies_delete(struct request *req, struct txn *t)
{
	const char	*name = policy_name(req, NULL);

	if (strcmp(name, "root") == 0)
		return respond_error(req, 400, "cannot delete \"root\" policy");
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
	/* The legacy path names them "policies" as well. */
	if (legacy(req))
		set_data(req, json_pack("{s:O, s:O}", "keys", keys,
		    "policies", keys));
	else
		set_data(req, json_pack("{s:O}", "keys", keys));
	json_decref(keys);
	return 0;
}
