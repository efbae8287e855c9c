/*
 * tokens.c: auth/token, Vault's token store.  Tokens are service tokens
 * ("hvs." and 24 random characters) with an accessor, a TTL (768h by
 * default, the system maximum) and an optional use limit; a token is
 * stored only as HMAC-SHA256 with the installation salt.  A child token is
 * filed under its parent, and revoking a token revokes its children, as
 * in Vault.  Without sudo on auth/token/create, a token may only create
 * tokens whose policies are a subset of its own.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fcgi/fcgi.h"

#define MAX_TTL		(768 * 3600)	/* Vault's default max_lease_ttl */

enum { C_POLICIES, C_TTL, C_DISPLAY, C_USES, C_NO_PARENT, C_NO_DEFAULT };

const struct field token_create_fields[] = {
	[C_POLICIES] = { "policies", FIELD_STRLIST },
	[C_TTL] = { "ttl", FIELD_DURATION },
	[C_DISPLAY] = { "display_name", FIELD_STRING },
	[C_USES] = { "num_uses", FIELD_INT64 },
	[C_NO_PARENT] = { "no_parent", FIELD_BOOL },
	[C_NO_DEFAULT] = { "no_default_policy", FIELD_BOOL },
	{ NULL, FIELD_STRING },
};

const struct field token_field[] = {
	{ "token", FIELD_STRING },
	{ NULL, FIELD_STRING },
};

const struct field token_renew_fields[] = {
	{ "increment", FIELD_DURATION },
	{ NULL, FIELD_STRING },
};

enum { A_ACCESSOR, A_INCREMENT };

const struct field accessor_fields[] = {
	[A_ACCESSOR] = { "accessor", FIELD_STRING },
	{ NULL, FIELD_STRING },
};

const struct field accessor_renew_fields[] = {
	[A_ACCESSOR] = { "accessor", FIELD_STRING },
	[A_INCREMENT] = { "increment", FIELD_DURATION },
	{ NULL, FIELD_STRING },
};

#define MULTIERR(s)	"1 error occurred:\n\t* " s "\n\n"


static int64_t
remaining(const struct token_rec *rec, int64_t now)
{
	return rec->expire == 0 ? 0 : rec->expire > now ? rec->expire - now : 0;
}

/* Vault's auth block, in Vault's key order; lease is the TTL granted. */
static json_t *
auth_block(const char *token, const struct token_rec *rec, int64_t lease)
{
	return json_pack("{s:s, s:s, s:o, s:o, s:n, s:I, s:b, s:s, s:s, s:b,"
	    " s:n, s:I}",
	    "client_token", token,
	    "accessor", rec->accessor,
	    "policies", strlist_json(rec->policies, rec->npolicies),
	    "token_policies", strlist_json(rec->policies, rec->npolicies),
	    "metadata",
	    "lease_duration", (json_int_t)lease,
	    "renewable", rec->ttl > 0,
	    "entity_id", "",
	    "token_type", "service",
	    "orphan", !rec->has_parent,
	    "mfa_requirement",
	    "num_uses", (json_int_t)rec->num_uses);
}

static json_t *
rfc3339(int64_t t)
{
	char		 s[32];
	time_t		 tt = (time_t)t;
	struct tm	 tm;

	gmtime_r(&tt, &tm);
	strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(s);
}

/*
 * The data of a token lookup, as Vault returns it.  The installation's
 * root token has no lease in Vault, so issue_time and renewable are left
 * out for it; a renewed token says when.
 */
static json_t *
lookup_data(const char *token, const struct token_rec *rec)
{
	int64_t	 now = (int64_t)time(NULL);
	json_t	*d;

	d = json_pack("{s:s, s:I, s:I, s:s, s:s, s:o, s:i, s:s, s:n, s:I, s:b,"
	    " s:s, s:o, s:I, s:s}",
	    "accessor", rec->accessor,
	    "creation_time", (json_int_t)rec->created,
	    "creation_ttl", (json_int_t)rec->ttl,
	    "display_name", rec->display_name,
	    "entity_id", "",
	    "expire_time", rec->expire ? rfc3339(rec->expire) : json_null(),
	    "explicit_max_ttl", 0,
	    "id", token,
	    "meta",
	    "num_uses", (json_int_t)rec->num_uses,
	    "orphan", !rec->has_parent,
	    "path", rec->path,
	    "policies", strlist_json(rec->policies, rec->npolicies),
	    "ttl", (json_int_t)remaining(rec, now),
	    "type", "service");
	if (strcmp(rec->path, "auth/token/root") != 0) {
		json_object_set_new(d, "issue_time", rfc3339(rec->created));
		json_object_set_new(d, "renewable", json_boolean(rec->ttl > 0));
	}
	if (rec->renewed != 0) {
		json_object_set_new(d, "last_renewal", rfc3339(rec->renewed));
		json_object_set_new(d, "last_renewal_time",
		    json_integer(rec->renewed));
	}
	return d;
}

/* Go's time.Duration String() for whole seconds: "1h0m0s", "1m30s", "5s". */
static char *
go_duration_string(int64_t secs)
{
	if (secs >= 3600)
		return xasprintf("%lldh%lldm%llds", (long long)(secs / 3600),
		    (long long)(secs % 3600 / 60), (long long)(secs % 60));
	if (secs >= 60)
		return xasprintf("%lldm%llds", (long long)(secs / 60),
		    (long long)(secs % 60));
	return xasprintf("%llds", (long long)secs);
}

/* Vault warns about requested policies that do not exist (yet). */
static int
warn_missing_policies(struct request *req, struct txn *t,
    const struct token_rec *rec)
{
	struct policy_rec	 p;
	size_t			 i;
	int			 rc;

	for (i = 0; i < rec->npolicies; i++) {
		if (strcmp(rec->policies[i], "root") == 0)
			continue;
		if ((rc = policy_get(t, rec->policies[i], &p)) == -1)
			return -1;
		if (rc == 1)
			warn(req, "Policy \"%s\" does not exist",
			    rec->policies[i]);
		else
			policy_rec_free(&p);
	}
	return 0;
}

/* Vault's SanitizePolicies: trimmed, lower case, no empties, sorted, unique. */
static void
sanitize(char ***list, size_t *n, bool add_default)
{
	size_t	 i, j;
	char	*p;

	for (i = 0; i < *n; i++)
		for (p = (*list)[i]; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
	if (add_default) {
		*list = xrealloc(*list, (*n + 1) * sizeof **list);
		(*list)[(*n)++] = xstrdup("default");
	}
	qsort(*list, *n, sizeof **list, strp_cmp);
	for (i = j = 0; i < *n; i++) {
		if ((*list)[i][0] == '\0' ||
		    (j > 0 && strcmp((*list)[j - 1], (*list)[i]) == 0)) {
			free((*list)[i]);
			continue;
		}
		(*list)[j++] = (*list)[i];
	}
	*n = j;
}

static bool
subset(char **want, size_t nwant, const struct token_rec *parent)
{
	size_t	 i;

	for (i = 0; i < nwant; i++)
		if (strcmp(want[i], "default") != 0 &&
		    !token_has_policy(parent, want[i]))
			return false;
	return true;
}

/* Vault's display name: "token-" and the name, [^a-zA-Z0-9-] as '-'. */
static char *
display_name(const char *given)
{
	char	*s, *p;
	size_t	 n;

	if (given == NULL || *given == '\0')
		return xstrdup("token");
	s = xasprintf("token-%s", given);
	for (p = s; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '-')
			*p = '-';
	n = strlen(s);
	if (n > 0 && s[n - 1] == '-')
		s[n - 1] = '\0';
	return s;
}

/* Stores a new token record under the hash of a new token. */
static int
store_token(struct txn *t, const char *token, struct token_rec *rec)
{
	unsigned char		 hash[TOKEN_HASH_LEN];

	if (token_hash_of(t, token, hash) == -1)
		return -1;
	return token_put(t, hash, rec);
}

/* The root token and the cluster id, created with the data directory. */
int
tokens_create_root(struct txn *t, const char *token)
{
	struct token_rec	 rec;
	char			*policies[] = { "root" };
	char			 id[CLUSTER_ID_LEN + 1];
	int			 rc;

	if (cluster_identity(t, id) == -1)
		return -1;
	memset(&rec, 0, sizeof rec);
	rec.policies = policies;
	rec.npolicies = 1;
	rec.accessor = random_id(24);
	rec.display_name = "root";
	rec.path = "auth/token/root";
	rec.created = (int64_t)time(NULL);
	rc = store_token(t, token, &rec);
	free(rec.accessor);
	return rc;
}

/*
 * auth/token/create and auth/token/create-orphan: the same checks, but a
 * token made by create-orphan has no parent (the path's ACL decides who
 * may, no sudo needed) and names that path.
 */
static int
create(struct request *req, struct txn *t, bool orphan)
{
	struct fieldval		*v = req->vals;
	const struct token_rec	*parent = &req->tok;
	struct token_rec	 rec;
	bool			 sudo = req->is_root || (req->caps & CAP_SUDO);
	int64_t			 now = (int64_t)time(NULL);
	char			*token;
	int			 rc;

	memset(&rec, 0, sizeof rec);
	if (v[C_USES].i < 0)
		return respond_error(req, 400,
		    "number of uses cannot be negative");
	if (v[C_NO_PARENT].b && !sudo)
		return respond_error(req, 400,
		    "root or sudo privileges required to create orphan token");
	/* The requested policies, or the parent's. */
	if (v[C_POLICIES].nlist > 0) {
		rec.policies = v[C_POLICIES].list;
		rec.npolicies = v[C_POLICIES].nlist;
		v[C_POLICIES].list = NULL;
		v[C_POLICIES].nlist = 0;
	} else {
		rec.policies = xcalloc(parent->npolicies + 1, sizeof (char *));
		for (; rec.npolicies < parent->npolicies; rec.npolicies++)
			rec.policies[rec.npolicies] =
			    xstrdup(parent->policies[rec.npolicies]);
	}
	sanitize(&rec.policies, &rec.npolicies, false);
	if (!sudo && !subset(rec.policies, rec.npolicies, parent)) {
		token_rec_free(&rec);
		return respond_error(req, 400,
		    "child policies must be subset of parent");
	}
	if (token_has_policy(&rec, "root") && !sudo) {
		token_rec_free(&rec);
		return respond_error(req, 400,
		    "root or sudo privileges required to create root token");
	}
	if (!token_has_policy(&rec, "root") && !v[C_NO_DEFAULT].b)
		sanitize(&rec.policies, &rec.npolicies, true);
	if (rec.npolicies == 0) {
		token_rec_free(&rec);
		return respond_error(req, 400, "token must have at least one "
		    "policy");
	}

	rec.accessor = random_id(24);
	rec.display_name = display_name(v[C_DISPLAY].s);
	rec.path = xstrdup(orphan ? "auth/token/create-orphan" :
	    "auth/token/create");
	rec.created = now;
	rec.num_uses = v[C_USES].i;
	/* Root-policy tokens without a TTL never expire, as the root token. */
	rec.ttl = v[C_TTL].i;
	if (rec.ttl == 0 && !token_has_policy(&rec, "root"))
		rec.ttl = MAX_TTL;
	if (rec.ttl > MAX_TTL) {
		char *want = go_duration_string(rec.ttl);
		char *max = go_duration_string(MAX_TTL);

		warn(req, "TTL of \"%s\" exceeded the effective max_ttl of "
		    "\"%s\"; TTL value is capped accordingly", want, max);
		free(want);
		free(max);
		rec.ttl = MAX_TTL;
	}
	rec.expire = rec.ttl ? now + rec.ttl : 0;
	/* A child lives no longer than its parent: see token_live. */
	if (!v[C_NO_PARENT].b && !orphan) {
		memcpy(rec.parent, req->tok_hash, TOKEN_HASH_LEN);
		rec.has_parent = true;
	}
	if (warn_missing_policies(req, t, &rec) == -1) {
		token_rec_free(&rec);
		return -1;
	}
	token = token_generate();
	if ((rc = store_token(t, token, &rec)) == 0)
		set_auth(req, auth_block(token, &rec, rec.ttl));
	free(token);
	token_rec_free(&rec);
	return rc;
}

int
tokens_create(struct request *req, struct txn *t)
{
	return create(req, t, false);
}

int
tokens_create_orphan(struct request *req, struct txn *t)
{
	return create(req, t, true);
}

int
tokens_lookup_self(struct request *req, struct txn *t)
{
	set_data(req, lookup_data(req->token, &req->tok));
	return 0;
}

int
tokens_lookup(struct request *req, struct txn *t)
{
	const char		*token = req->vals[0].s;
	unsigned char		 hash[TOKEN_HASH_LEN];
	struct token_rec	 rec;
	int			 rc;

	if (token == NULL || *token == '\0')
		return tokens_lookup_self(req, t);
	if (!token_syntax_ok(token))
		return respond_error(req, 403, "bad token");
	if (token_hash_of(t, token, hash) == -1)
		return -1;
	if ((rc = token_get(t, hash, &rec)) != 0)
		return rc == 1 ? respond_error(req, 403, "bad token") : -1;
	if (rec.expire != 0 && rec.expire <= (int64_t)time(NULL)) {
		token_rec_free(&rec);
		return respond_error(req, 403, "bad token");
	}
	set_data(req, lookup_data(token, &rec));
	token_rec_free(&rec);
	return 0;
}

int
tokens_revoke_self(struct request *req, struct txn *t)
{
	return token_revoke(t, req->tok_hash) == -1 ? -1 : 0;
}

int
tokens_revoke(struct request *req, struct txn *t)
{
	const char		*token = req->vals[0].s;
	unsigned char		 hash[TOKEN_HASH_LEN];

	if (token == NULL || *token == '\0')
		return respond_error(req, 400, "missing token ID");
	if (!token_syntax_ok(token))
		return 0;	/* no such token: Vault answers 204 */
	if (token_hash_of(t, token, hash) == -1)
		return -1;
	return token_revoke(t, hash) == -1 ? -1 : 0;
}

/*
 * Renews a token (rec, stored under hash) and answers with its auth block;
 * token is the text shown as client_token ("" by accessor, as in Vault).
 */
static int
renew(struct request *req, struct txn *t, const unsigned char *hash,
    struct token_rec *rec, const char *token, int64_t increment)
{
	int64_t			 now = (int64_t)time(NULL), ttl;

	/* The installation's root token has no lease at all in Vault. */
	if (strcmp(rec->path, "auth/token/root") == 0)
		return respond_error(req, 400, "invalid lease ID");
	if (rec->ttl == 0)
		return respond_error(req, 400, "lease is not renewable");
	/* The conversion refused a negative increment; 0 means "the TTL". */
	ttl = increment > 0 ? increment : rec->ttl;
	rec->expire = now + ttl;
	rec->renewed = now;
	if (rec->expire > rec->created + MAX_TTL)
		rec->expire = rec->created + MAX_TTL;
	if (token_put(t, hash, rec) == -1)
		return -1;
	set_auth(req, auth_block(token, rec, rec->expire - now));
	return 0;
}

int
tokens_renew_self(struct request *req, struct txn *t)
{
	if (strcmp(req->tok.path, "auth/token/root") != 0 && req->tok_revoked)
		return respond_error(req, 400, "lease is not renewable");
	return renew(req, t, req->tok_hash, &req->tok, req->token,
	    req->vals[0].i);
}

/*
 * The token an accessor names, for the accessor endpoints: 0 with the
 * record, or the status of Vault's answer (400 "missing accessor",
 * "invalid accessor"), or -1.
 */
static int
by_accessor(struct request *req, struct txn *t, unsigned char *hash,
    struct token_rec *rec)
{
	const char	*accessor = req->vals[A_ACCESSOR].s;
	int		 rc;

	if (accessor == NULL || *accessor == '\0')
		return respond_error(req, 400, MULTIERR("missing accessor"));
	if ((rc = token_by_accessor(t, accessor, hash, rec)) == 1)
		return respond_error(req, 400, MULTIERR("invalid accessor"));
	return rc;
}

/* POST auth/token/lookup-accessor: a lookup that never shows the token. */
int
tokens_lookup_accessor(struct request *req, struct txn *t)
{
	unsigned char		 hash[TOKEN_HASH_LEN];
	struct token_rec	 rec;
	int			 rc;

	if ((rc = by_accessor(req, t, hash, &rec)) != 0)
		return rc;
	if ((rc = token_live(t, &rec, NULL)) == 0)
		set_data(req, lookup_data("", &rec));
	else if (rc == 1)
		rc = respond_error(req, 403, "bad token");
	token_rec_free(&rec);
	return rc;
}

/* POST auth/token/renew-accessor: the auth block without the token. */
int
tokens_renew_accessor(struct request *req, struct txn *t)
{
	unsigned char		 hash[TOKEN_HASH_LEN];
	struct token_rec	 rec;
	int			 rc;

	if ((rc = by_accessor(req, t, hash, &rec)) != 0)
		return rc;
	if ((rc = token_live(t, &rec, NULL)) == 0)
		rc = renew(req, t, hash, &rec, "", req->vals[A_INCREMENT].i);
	else if (rc == 1)
		rc = respond_error(req, 400, "token not found");
	token_rec_free(&rec);
	return rc;
}

/*
 * POST auth/token/revoke-accessor: revokes the token and its children;
 * an accessor no token has is a 200 with Vault's warning.
 */
int
tokens_revoke_accessor(struct request *req, struct txn *t)
{
	const char		*accessor = req->vals[A_ACCESSOR].s;
	unsigned char		 hash[TOKEN_HASH_LEN];
	struct token_rec	 rec;
	int			 rc;

	if (accessor == NULL || *accessor == '\0')
		return respond_error(req, 400, MULTIERR("missing accessor"));
	if ((rc = token_by_accessor(t, accessor, hash, &rec)) == 1) {
		warn(req, "No token found with this accessor");
		req->status = 200;
		return 0;
	}
	if (rc == -1)
		return -1;
	if ((rc = token_live(t, &rec, NULL)) == 0)
		rc = token_revoke(t, hash) == -1 ? -1 : 0;
	else if (rc == 1)
		rc = respond_error(req, 400, "token not found");
	token_rec_free(&rec);
	return rc;
}

struct accessor_list {
	struct txn	 *t;
	char		**list;
	size_t		  n;
};

static int
accessor_one(const unsigned char *hash, const struct token_rec *rec,
    void *arg)
{
	struct accessor_list	*al = arg;
	int			 rc;

	if ((rc = token_live(al->t, rec, NULL)) == -1)
		return -1;
	if (rc == 0 && rec->accessor[0] != '\0') {
		al->list = xrealloc(al->list, (al->n + 1) * sizeof *al->list);
		al->list[al->n++] = xstrdup(rec->accessor);
	}
	return 0;
}

/* LIST auth/token/accessors (sudo): the accessors of the live tokens. */
int
tokens_list_accessors(struct request *req, struct txn *t)
{
	struct accessor_list	 al = { t, NULL, 0 };
	json_t			*keys;

	if (tokens_each(t, accessor_one, &al) == -1) {
		strlist_free(al.list, al.n);
		return -1;
	}
	qsort(al.list, al.n, sizeof *al.list, strp_cmp);
	keys = strlist_json(al.list, al.n);
	strlist_free(al.list, al.n);
	set_data(req, json_pack("{s:o}", "keys", keys));
	return 0;
}

/*
 * POST auth/token/revoke-orphan (sudo): revokes the token alone; its
 * children stay, as orphans.
 */
int
tokens_revoke_orphan(struct request *req, struct txn *t)
{
	const char		*token = req->vals[0].s;
	unsigned char		 hash[TOKEN_HASH_LEN];
	struct token_rec	 rec;
	int			 rc;

	if (token == NULL || *token == '\0')
		return respond_error(req, 400, "missing token ID");
	if ((rc = token_lookup_live(t, token, &rec)) == 1)
		return respond_error(req, 400, "token to revoke not found");
	if (rc == -1)
		return -1;
	token_rec_free(&rec);
	if (token_hash_of(t, token, hash) == -1)
		return -1;
	return token_orphan_revoke(t, hash) == -1 ? -1 : 0;
}
