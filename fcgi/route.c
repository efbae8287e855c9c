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
		.pattern = "sys/seal-status",
		.unauth = true,
		.mount_type = "system",
		.fields = no_fields,
		.handlers = { [OP_READ] = sys_seal_status },
	},
	{
		.pattern = "sys/init",
		.unauth = true,
		.mount_type = "system",
		.fields = init_fields,
		.handlers = {
			[OP_READ] = sys_init_read,
			[OP_UPDATE] = sys_init_update,
		},
	},
	{
		.pattern = "sys/leader",
		.unauth = true,
		.mount_type = "system",
		.fields = no_fields,
		.handlers = { [OP_READ] = sys_leader },
	},
	{
		.pattern = "sys/ha-status",
		.inject = true,
		.mount_type = "system",
		.fields = no_fields,
		.handlers = { [OP_READ] = sys_ha_status },
	},
	{
		.pattern = "sys/metrics",
		.unauth_metrics = true,
		.mount_type = "system",
		.fields = metrics_fields,
		.handlers = { [OP_READ] = metrics_read },
	},
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
		.pattern = "sys/plugins/catalog/{type}/{name}",
		.sudo = true,
		.mount_type = "system",
		.fields = plugin_fields,
		.handlers = {
			[OP_READ] = plugins_read,
			[OP_UPDATE] = plugins_update,
			[OP_DELETE] = plugins_delete,
		},
	},
	{
		.pattern = "sys/plugins/catalog/{type}",
		.trailing_slash = true,
		.sudo = true,
		.mount_type = "system",
		.fields = plugin_list_fields,
		.handlers = { [OP_LIST] = plugins_list_type },
	},
	{
		.pattern = "sys/plugins/catalog",
		.trailing_slash = true,
		.sudo = true,
		.mount_type = "system",
		.fields = no_fields,
		.handlers = { [OP_READ] = plugins_list_all },
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
		.pattern = "sys/policy/{name}",
		.inject = true,
		.mount_type = "system",
		.fields = legacy_policy_fields,
		.handlers = {
			[OP_READ] = policies_read,
			[OP_UPDATE] = policies_update,
			[OP_DELETE] = policies_delete,
		},
	},
	{
		.pattern = "sys/policy",
		.trailing_slash = true,
		.inject = true,
		.mount_type = "system",
		.fields = no_fields,
		.handlers = {
			[OP_READ] = policies_list,
			[OP_LIST] = policies_list,
		},
	},
	{
		.pattern = "sys/capabilities-self",
		.inject = true,
		.mount_type = "system",
		.fields = capabilities_fields,
		.handlers = { [OP_UPDATE] = capabilities_self },
	},
	{
		.pattern = "sys/capabilities",
		.inject = true,
		.mount_type = "system",
		.fields = capabilities_fields,
		.handlers = { [OP_UPDATE] = capabilities_token },
	},
	{
		.pattern = "sys/capabilities-accessor",
		.inject = true,
		.mount_type = "system",
		.fields = capabilities_accessor_fields,
		.handlers = { [OP_UPDATE] = capabilities_accessor },
	},
	{
		.pattern = "sys/audit/{name}",
		.sudo = true,
		.mount_type = "system",
		.fields = audit_enable_fields,
		.handlers = {
			[OP_UPDATE] = audit_enable,
			[OP_DELETE] = audit_disable,
		},
	},
	{
		.pattern = "sys/audit",
		.sudo = true,
		.mount_type = "system",
		.fields = no_fields,
		.handlers = { [OP_READ] = audit_table },
	},
	{
		.pattern = "sys/audit-hash/{name}",
		.mount_type = "system",
		.fields = audit_hash_fields,
		.handlers = { [OP_UPDATE] = audit_hash },
	},
	{
		/* Vault needs no sudo here; catalogd does (README). */
		.pattern = "sys/storage/raft/snapshot",
		.sudo = true,
		.raw_body = true,
		.mount_type = "system",
		.fields = no_fields,
		.handlers = {
			[OP_READ] = snapshot_read,
			[OP_UPDATE] = snapshot_restore,
		},
	},
	{
		.pattern = "sys/storage/raft/snapshot-force",
		.sudo = true,
		.raw_body = true,
		.mount_type = "system",
		.fields = no_fields,
		.handlers = { [OP_UPDATE] = snapshot_restore_force },
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
		.pattern = "auth/token/create-orphan",
		.mount_type = "token",
		.fields = token_create_fields,
		.handlers = { [OP_UPDATE] = tokens_create_orphan },
	},
	{
		.pattern = "auth/token/lookup-accessor",
		.mount_type = "token",
		.fields = accessor_fields,
		.handlers = { [OP_UPDATE] = tokens_lookup_accessor },
	},
	{
		.pattern = "auth/token/renew-accessor",
		.mount_type = "token",
		.fields = accessor_renew_fields,
		.handlers = { [OP_UPDATE] = tokens_renew_accessor },
	},
	{
		.pattern = "auth/token/revoke-accessor",
		.mount_type = "token",
		.fields = accessor_fields,
		.handlers = { [OP_UPDATE] = tokens_revoke_accessor },
	},
	{
		/* Vault's token store root paths: "accessors/", "revoke-orphan". */
		.pattern = "auth/token/accessors",
		.trailing_slash = true,
		.sudo = true,
		.mount_type = "token",
		.fields = no_fields,
		.handlers = { [OP_LIST] = tokens_list_accessors },
	},
	{
		.pattern = "auth/token/revoke-orphan",
		.sudo = true,
		.mount_type = "token",
		.fields = token_field,
		.handlers = { [OP_UPDATE] = tokens_revoke_orphan },
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

static const char *const plugin_types[] = { "auth", "database", "secret" };

static bool
plugin_type(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < sizeof plugin_types / sizeof plugin_types[0]; i++)
		if (strlen(plugin_types[i]) == n &&
		    strncmp(plugin_types[i], s, n) == 0)
			return true;
	return false;
}

/*
 * Matches one pattern, segment by segment: a literal, "{name}" (Vault's
 * name pattern) or "{type}" (a plugin type).  Captures become new strings.
 */
static bool
match(const struct route *r, const char *path, char **name, char **type)
{
	const char	*p = r->pattern, *q = path, *pe, *qe, *end;
	size_t		 pn, qn, plen = strlen(path);

	if (r->trailing_slash && plen > 0 && path[plen - 1] == '/')
		plen--;
	end = path + plen;
	for (;;) {
		pe = strchr(p, '/');
		pn = pe ? (size_t)(pe - p) : strlen(p);
		qe = memchr(q, '/', (size_t)(end - q));
		qn = qe ? (size_t)(qe - q) : (size_t)(end - q);
		if (pn == 6 && strncmp(p, "{name}", 6) == 0) {
			*name = xstrndup(q, qn);
			if (!name_valid(*name))
				return false;
		} else if (pn == 6 && strncmp(p, "{type}", 6) == 0) {
			if (!plugin_type(q, qn))
				return false;
			*type = xstrndup(q, qn);
		} else if (pn != qn || strncmp(p, q, pn) != 0)
			return false;
		if (pe == NULL || qe == NULL)
			return pe == NULL && qe == NULL;
		p = pe + 1;
		q = qe + 1;
	}
}

/*
 * The route for a decoded path, or NULL; *name and *type get the new
 * captures (a route's fixed type, such as "container", is copied).
 */
const struct route *
route_find(const char *path, char **name, char **type)
{
	size_t	 i;

	for (i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		*name = *type = NULL;
		if (match(&routes[i], path, name, type)) {
			if (*type == NULL && routes[i].type != NULL)
				*type = xstrdup(routes[i].type);
			return &routes[i];
		}
		free(*name);
		free(*type);
	}
	*name = *type = NULL;
	return NULL;
}

_Static_assert(sizeof routes / sizeof routes[0] < METRICS_ROUTES,
    "METRICS_ROUTES counts every route");

/* The route's number for metrics: its index + 1, or 0 for none. */
size_t
route_number(const struct route *r)
{
	return r == NULL ? 0 : (size_t)(r - routes) + 1;
}

/* Every route's pattern, in table order, into out; returns how many. */
size_t
route_patterns(const char **out, size_t max)
{
	size_t	 i;

	for (i = 0; i < sizeof routes / sizeof routes[0] && i < max; i++)
		out[i] = routes[i].pattern;
	return i;
}

/* Whether the route for a decoded path takes its body as bytes. */
bool
route_raw_body(const char *path)
{
	const struct route	*r;
	char			*name, *type;

	r = route_find(path, &name, &type);
	free(name);
	free(type);
	return r != NULL && r->raw_body;
}
