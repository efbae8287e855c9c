/*
 * record_eq.h: whether a decoded or read-back record equals the one that
 * was encoded or stored (a is the one read: its strings must not be NULL).
 * Shared by the record codec and store tests.
 */
#ifndef CATALOGD_RECORD_EQ_H
#define CATALOGD_RECORD_EQ_H

#include <stdbool.h>
#include <string.h>

#include "lib/lib.h"

static bool
runtime_eq(const struct runtime *a, const struct runtime *b)
{
	return a->name != NULL && a->oci_runtime != NULL &&
	    a->cgroup_parent != NULL && strcmp(a->name, b->name) == 0 &&
	    strcmp(a->oci_runtime, b->oci_runtime) == 0 &&
	    strcmp(a->cgroup_parent, b->cgroup_parent) == 0 &&
	    a->cpu_nanos == b->cpu_nanos &&
	    a->memory_bytes == b->memory_bytes && a->rootless == b->rootless;
}

static bool
token_eq(const struct token_rec *a, const struct token_rec *b)
{
	size_t	 i;

	if (a->npolicies != b->npolicies || a->accessor == NULL ||
	    a->display_name == NULL || a->path == NULL ||
	    (a->npolicies > 0 && a->policies == NULL))
		return false;
	for (i = 0; i < a->npolicies; i++)
		if (a->policies[i] == NULL ||
		    strcmp(a->policies[i], b->policies[i]) != 0)
			return false;
	return strcmp(a->accessor, b->accessor) == 0 &&
	    strcmp(a->display_name, b->display_name) == 0 &&
	    strcmp(a->path, b->path) == 0 && a->has_parent == b->has_parent &&
	    (!a->has_parent || memcmp(a->parent, b->parent, TOKEN_HASH_LEN) == 0) &&
	    a->created == b->created && a->ttl == b->ttl &&
	    a->expire == b->expire && a->num_uses == b->num_uses &&
	    a->renewed == b->renewed;
}

static bool
strlist_eq(char **a, size_t na, char **b, size_t nb)
{
	size_t	 i;

	if (na != nb || (na > 0 && a == NULL))
		return false;
	for (i = 0; i < na; i++)
		if (a[i] == NULL || strcmp(a[i], b[i]) != 0)
			return false;
	return true;
}

static bool
plugin_eq(const struct plugin *a, const struct plugin *b)
{
	if (a->type == NULL || a->name == NULL || a->version == NULL ||
	    a->command == NULL || a->oci_image == NULL || a->runtime == NULL)
		return false;
	return strcmp(a->type, b->type) == 0 &&
	    strcmp(a->name, b->name) == 0 &&
	    strcmp(a->version, b->version) == 0 &&
	    strcmp(a->command, b->command) == 0 &&
	    strlist_eq(a->args, a->nargs, b->args, b->nargs) &&
	    strlist_eq(a->env, a->nenv, b->env, b->nenv) &&
	    a->sha256_len == b->sha256_len && (a->sha256_len == 0 ||
	    (a->sha256 != NULL &&
	    memcmp(a->sha256, b->sha256, a->sha256_len) == 0)) &&
	    strcmp(a->oci_image, b->oci_image) == 0 &&
	    strcmp(a->runtime, b->runtime) == 0;
}

#endif
