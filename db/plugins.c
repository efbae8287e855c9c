/*
 * plugins.c: the plugin catalog and the index that makes "a runtime that is
 * referenced cannot be deleted" a lookup.  A plugin is keyed by type, name
 * and version (NUL-separated, so the btree lists by type, then name, then
 * version).  runtime_refs maps a runtime name to the keys of the plugins
 * that name it; it changes in the same transaction as the plugin record, so
 * the two never disagree, and page locks serialise a registration against
 * the deletion of the runtime it names.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/internal.h"

static void
make_key(struct buf *k, const char *type, const char *name,
    const char *version)
{
	buf_init(k);
	buf_add(k, type, strlen(type) + 1);
	buf_add(k, name, strlen(name) + 1);
	buf_adds(k, version);
}

static int
decode(const void *p, size_t n, void *out)
{
	return record_plugin_decode(p, n, out);
}

static void
encode(const void *in, struct buf *out)
{
	record_plugin_encode(in, out);
}

int
plugin_get(struct txn *t, const char *type, const char *name,
    const char *version, struct plugin *p)
{
	struct buf	 k;
	int		 rc;

	make_key(&k, type, name, version);
	rc = rec_get_as(t, t->store->plugins, k.data, k.len, decode, p,
	    "decoding a plugin record");
	buf_free(&k);
	return rc;
}

/* Adds or removes one runtime -> plugin key pair of the index. */
static int
ref_change(struct txn *t, const char *runtime, const struct buf *key,
    bool add)
{
	DB	*db = t->store->runtime_refs;
	DBC	*c;
	DBT	 k, v;
	int	 rc, crc;

	memset(&k, 0, sizeof k);
	memset(&v, 0, sizeof v);
	k.data = (void *)runtime;
	k.size = (u_int32_t)strlen(runtime);
	v.data = key->data;
	v.size = (u_int32_t)key->len;
	if (add) {
		rc = db->put(db, t->tid, &k, &v, DB_NODUPDATA);
		if (rc != 0 && rc != DB_KEYEXIST)
			return txn_fail(t, rc, "indexing a runtime reference");
		return 0;
	}
	if ((rc = db->cursor(db, t->tid, &c, 0)) != 0)
		return txn_fail(t, rc, "cursor");
	rc = c->get(c, &k, &v, DB_GET_BOTH | DB_RMW);
	if (rc == 0)
		rc = c->del(c, 0);
	crc = c->close(c);
	if (rc == DB_NOTFOUND)
		rc = 0;
	if (rc == 0)
		rc = crc;
	return rc == 0 ? 0 : txn_fail(t, rc, "unindexing a runtime reference");
}

/*
 * Removes every reference to a plugin key, whatever runtime it is under:
 * the way out when the plugin's own record cannot be decoded.
 */
static int
unindex_everywhere(struct txn *t, const struct buf *key)
{
	DB	*db = t->store->runtime_refs;
	DBC	*c;
	DBT	 k, v;
	int	 rc, crc;

	if ((rc = db->cursor(db, t->tid, &c, 0)) != 0)
		return txn_fail(t, rc, "cursor");
	memset(&k, 0, sizeof k);
	memset(&v, 0, sizeof v);
	k.flags = v.flags = DB_DBT_REALLOC;
	while ((rc = c->get(c, &k, &v, DB_NEXT | DB_RMW)) == 0)
		if (v.size == key->len && memcmp(v.data, key->data,
		    key->len) == 0 && (rc = c->del(c, 0)) != 0)
			break;
	free(k.data);
	free(v.data);
	crc = c->close(c);
	if (rc == DB_NOTFOUND)
		rc = crc;
	return rc == 0 ? 0 : txn_fail(t, rc, "unindexing a plugin");
}

/*
 * The runtime an existing record names ("" if none) into *old_runtime (new),
 * or NULL when there is no record.  A record that cannot be decoded is
 * logged and its references are dropped, so that it can still be replaced
 * or deleted.  0, or -1 on failure.
 */
static int
old_runtime(struct txn *t, const struct buf *k, char **runtime)
{
	struct plugin	 old;
	void		*val;
	size_t		 vlen;
	int		 rc;

	*runtime = NULL;
	if ((rc = rec_get(t, t->store->plugins, k->data, k->len, &val,
	    &vlen)) != 0)
		return rc == 1 ? 0 : -1;
	rc = record_plugin_decode(val, vlen, &old);
	free(val);
	if (rc == 0) {
		*runtime = old.runtime;
		old.runtime = NULL;
		plugin_free(&old);
		return 0;
	}
	log_err("a plugin record does not decode; replacing it");
	*runtime = xstrdup("");
	return unindex_everywhere(t, k);
}

/* Stores a plugin, replacing one with the same key; the index follows. */
int
plugin_put(struct txn *t, const struct plugin *p)
{
	struct buf	 k;
	char		*was;
	int		 rc;

	make_key(&k, p->type, p->name, p->version);
	rc = old_runtime(t, &k, &was);
	if (rc == 0 && was != NULL && *was != '\0' &&
	    strcmp(was, p->runtime) != 0)
		rc = ref_change(t, was, &k, false);
	free(was);
	if (rc == 0 && *p->runtime != '\0')
		rc = ref_change(t, p->runtime, &k, true);
	if (rc == 0)
		rc = rec_put_as(t, t->store->plugins, k.data, k.len, encode, p);
	buf_free(&k);
	return rc;
}

/* 0 when deleted, 1 when absent, -1 on failure. */
int
plugin_delete(struct txn *t, const char *type, const char *name,
    const char *version)
{
	struct buf	 k;
	char		*was;
	int		 rc;

	make_key(&k, type, name, version);
	if ((rc = old_runtime(t, &k, &was)) == 0) {
		if (was == NULL)
			rc = 1;
		else if (*was != '\0')
			rc = ref_change(t, was, &k, false);
		if (rc == 0)
			rc = rec_del(t, t->store->plugins, k.data, k.len);
	}
	free(was);
	buf_free(&k);
	return rc;
}

struct plugin_scan {
	int	(*fn)(const struct plugin *, void *);
	void	*arg;
};

static int
plugin_one(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	struct plugin_scan	*sc = arg;
	struct plugin		 p;
	int			 stop;

	if (record_plugin_decode(val, vlen, &p) == -1)
		return -1;
	stop = sc->fn(&p, sc->arg);
	plugin_free(&p);
	return stop ? 1 : 0;
}

/* Calls fn for every plugin in key order; fn returning non-zero stops. */
int
plugin_list(struct txn *t, int (*fn)(const struct plugin *, void *),
    void *arg)
{
	struct plugin_scan	 sc = { fn, arg };

	return rec_scan(t, t->store->plugins, plugin_one, &sc,
	    "listing plugins");
}

/*
 * The names of the plugins that name a runtime, one per registered
 * version, sorted bytewise; a new list.  0, or -1 on failure.
 */
int
runtime_users(struct txn *t, const char *runtime, char ***names, size_t *n)
{
	DB		*db = t->store->runtime_refs;
	DBC		*c;
	DBT		 k, v;
	u_int32_t	 flag = DB_SET;
	const char	*name;
	int		 rc, crc;

	*names = NULL;
	*n = 0;
	if ((rc = db->cursor(db, t->tid, &c, 0)) != 0)
		return txn_fail(t, rc, "cursor");
	memset(&k, 0, sizeof k);
	memset(&v, 0, sizeof v);
	k.data = (void *)runtime;
	k.size = (u_int32_t)strlen(runtime);
	v.flags = DB_DBT_REALLOC;
	while ((rc = c->get(c, &k, &v, flag)) == 0) {
		flag = DB_NEXT_DUP;
		/* The value is a plugin key: type NUL name NUL version. */
		name = memchr(v.data, '\0', v.size);
		if (name == NULL || memchr(name + 1, '\0', v.size -
		    (size_t)(name + 1 - (char *)v.data)) == NULL)
			continue;
		*names = xrealloc(*names, (*n + 1) * sizeof **names);
		(*names)[(*n)++] = xstrdup(name + 1);
	}
	free(v.data);
	crc = c->close(c);
	if (rc == DB_NOTFOUND)
		rc = crc;
	if (rc != 0) {
		strlist_free(*names, *n);
		*names = NULL;
		*n = 0;
		return txn_fail(t, rc, "reading runtime references");
	}
	if (*n > 1)
		qsort(*names, *n, sizeof **names, strp_cmp);
	return 0;
}
