/*
 * route.c: the one const route table.  Each entry names its pattern, whether
 * it needs sudo, its mount type, its fields and a handler per operation; a
 * path that matches no entry is Vault's "unsupported path" (404), and an
 * operation without a handler is "unsupported operation" (405).  Matching
 * is exact, segment by segment, on the decoded path, so "..", "." and empty
 * segments never match anything.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fcgi/fcgi.h"

static const struct route routes[] = {
	{
		.pattern = "sys/plugins/runtimes/catalog/container/{name}",
		.type = "container",
		.sudo = true,
		.mount_type = "system",
		.fields = runtime_fields,
		.handlers = {
			[OP_READ] = runtimes_read,
			[OP_UPDATE] = runtimes_update,
			[OP_DELETE] = runtimes_delete,
		},
	},
	{
		.pattern = "sys/plugins/runtimes/catalog",
		.trailing_slash = true,
		.sudo = true,
		.mount_type = "system",
		.fields = runtime_list_fields,
		.handlers = {
			[OP_READ] = runtimes_list,
			[OP_LIST] = runtimes_list,
		},
	},
	{
		.pattern = "sys/policies/acl/{name}",
		.mount_type = "system",
		.fields = policy_fields,
		.handlers = {
			[OP_READ] = policies_read,
			[OP_UPDATE] = policies_update,
			[OP_DELETE] = policies_delete,
		},
	},
	{
		.pattern = "sys/policies/acl",
		.trailing_slash = true,
		.mount_type = "system",
		.fields = no_fields,
		.handlers = { [OP_LIST] = policies_list },
	},
	{
		.pattern = "auth/token/create",
		.mount_type = "token",
		.fields = token_create_fields,
		.handlers = { [OP_UPDATE] = tokens_create },
	},
	{
		.pattern = "auth/token/lookup-self",
		.mount_type = "token",
		.fields = no_fields,
		.handlers = { [OP_READ] = tokens_lookup_self },
	},
	{
		.pattern = "auth/token/lookup",
		.mount_type = "token",
		.fields = token_field,
		.handlers = {
			[OP_READ] = tokens_lookup,
			[OP_UPDATE] = tokens_lookup,
		},
	},
	{
		.pattern = "auth/token/revoke-self",
		.mount_type = "token",
		.fields = no_fields,
		.handlers = { [OP_UPDATE] = tokens_revoke_self },
	},
	{
		.pattern = "auth/token/revoke",
		.mount_type = "token",
		.fields = token_field,
		.handlers = { [OP_UPDATE] = tokens_revoke },
	},
	{
		.pattern = "auth/token/renew-self",
		.mount_type = "token",
		.fields = token_renew_fields,
		.handlers = { [OP_UPDATE] = tokens_renew_self },
	},
};

const struct field no_fields[] = {
	{ NULL, FIELD_STRING },
};

/* Matches one pattern; a {name} capture becomes a new *name. */
static bool
match(const struct route *r, const char *path, char **name)
{
	const char	*p = r->pattern, *brace;
	size_t		 n, plen = strlen(path);

	*name = NULL;
	if (r->trailing_slash && plen > 0 && path[plen - 1] == '/')
		plen--;
	brace = strstr(p, "{name}");
	if (brace == NULL)
		return plen == strlen(p) && strncmp(path, p, plen) == 0;
	n = (size_t)(brace - p);
	if (plen <= n || strncmp(path, p, n) != 0)
		return false;
	*name = xstrndup(path + n, plen - n);
	if (!name_valid(*name)) {
		free(*name);
		*name = NULL;
		return false;
	}
	return true;
}

/* The route for a decoded path, or NULL; *name gets a new capture. */
const struct route *
route_find(const char *path, char **name)
{
	size_t	 i;

	for (i = 0; i < sizeof routes / sizeof routes[0]; i++)
		if (match(&routes[i], path, name))
			return &routes[i];
	return NULL;
}
