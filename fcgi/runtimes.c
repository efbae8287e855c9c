/*
 * runtimes.c: sys/plugins/runtimes/catalog, Vault's plugin runtime catalog.
 * Register is a full replacement (omitted fields become "", 0, false; the
 * "runsc" default is applied only at container launch, so it is not
 * stored).  Only the "container" type exists.  Handlers return 0 to commit,
 * an HTTP status with the answer set, or -1 after a storage failure.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fcgi/fcgi.h"

enum { F_NAME, F_TYPE, F_OCI, F_CGROUP, F_CPU, F_MEMORY, F_ROOTLESS };

const struct field runtime_fields[] = {
	[F_NAME] = { "name", FIELD_STRING },
	[F_TYPE] = { "type", FIELD_STRING },
	[F_OCI] = { "oci_runtime", FIELD_STRING },
	[F_CGROUP] = { "cgroup_parent", FIELD_STRING },
	[F_CPU] = { "cpu_nanos", FIELD_INT64 },
	[F_MEMORY] = { "memory_bytes", FIELD_INT64 },
	[F_ROOTLESS] = { "rootless", FIELD_BOOL },
	{ NULL, FIELD_STRING },
};

const struct field runtime_list_fields[] = {
	{ "type", FIELD_STRING },
	{ NULL, FIELD_STRING },
};

static const char *
str(const struct fieldval *v)
{
	return v->s != NULL ? v->s : "";
}

/*
 * The 7 keys Vault returns for a runtime, in read and list alike, in Go's
 * sorted order, written straight into the answer text: a read or a list
 * of any length builds no JSON tree.
 */
static void
runtime_write(struct buf *b, const struct runtime *r)
{
	buf_adds(b, "{\"cgroup_parent\":");
	go_string(b, r->cgroup_parent, strlen(r->cgroup_parent));
	buf_printf(b, ",\"cpu_nanos\":%lld,\"memory_bytes\":%lld,\"name\":",
	    (long long)r->cpu_nanos, (long long)r->memory_bytes);
	go_string(b, r->name, strlen(r->name));
	buf_adds(b, ",\"oci_runtime\":");
	go_string(b, r->oci_runtime, strlen(r->oci_runtime));
	buf_adds(b, r->rootless ? ",\"rootless\":true" : ",\"rootless\":false");
	buf_adds(b, ",\"type\":\"container\"}");
}

int
runtimes_update(struct request *req, struct txn *t)
{
	const struct fieldval	*v = req->vals;
	struct runtime		 r;

	if (v[F_CPU].i < 0)
		return respond_error(req, 400,
		    "runtime cpu in nanos cannot be negative");
	if (v[F_MEMORY].i < 0)
		return respond_error(req, 400,
		    "runtime memory in bytes cannot be negative");
	r.name = req->name;
	r.oci_runtime = (char *)str(&v[F_OCI]);
	r.cgroup_parent = (char *)str(&v[F_CGROUP]);
	r.cpu_nanos = v[F_CPU].i;
	r.memory_bytes = v[F_MEMORY].i;
	r.rootless = v[F_ROOTLESS].b;
	return runtime_put(t, &r);
}

int
runtimes_read(struct request *req, struct txn *t)
{
	struct runtime	 r;
	int		 rc;

	if ((rc = runtime_get(t, req->name, &r)) != 0)
		return rc == 1 ? respond_error(req, 404, "") : -1;
	runtime_write(&req->rawdata, &r);
	set_rawdata(req);
	/*
	 * For an audit device, the tree it walks (cheaper than a parse),
	 * built member by member: json_pack's format parsing cost as much.
	 * A missing string leaves it out, as json_pack failing did (the
	 * answer's text is parsed then).
	 */
	if (audit_enabled() && r.cgroup_parent != NULL && r.name != NULL &&
	    r.oci_runtime != NULL) {
		json_t	*a = json_object();

		json_object_set_new_nocheck(a, "cgroup_parent",
		    json_string(r.cgroup_parent));
		json_object_set_new_nocheck(a, "cpu_nanos",
		    json_integer((json_int_t)r.cpu_nanos));
		json_object_set_new_nocheck(a, "memory_bytes",
		    json_integer((json_int_t)r.memory_bytes));
		json_object_set_new_nocheck(a, "name", json_string(r.name));
		json_object_set_new_nocheck(a, "oci_runtime",
		    json_string(r.oci_runtime));
		json_object_set_new_nocheck(a, "rootless",
		    json_boolean(r.rootless));
		json_object_set_new_nocheck(a, "type", json_string("container"));
		req->audit_data = a;
	}
	runtime_free(&r);
	return 0;
}

/*
 * Refused while any registered plugin names the runtime, checked first
 * (even when the runtime is absent), through the reference index.
 */
int
runtimes_delete(struct request *req, struct txn *t)
{
	struct buf	 msg;
	char		**users;
	size_t		 n, i;
	int		 rc;

	if (runtime_users(t, req->name, &users, &n) == -1)
		return -1;
	if (n > 0) {
		buf_init(&msg);
		buf_printf(&msg, "unable to delete \"%s\" runtime. Registered "
		    "plugins=[", req->name);
		for (i = 0; i < n; i++)
			buf_printf(&msg, "%s%s", i ? " " : "", users[i]);
		buf_adds(&msg, "] are referencing it.");
		rc = respond_error(req, 400, msg.data);
		buf_free(&msg);
		strlist_free(users, n);
		return rc;
	}
	if ((rc = runtime_delete(t, req->name)) == 1)
		return respond_error(req, 404, "plugin runtime not found");
	return rc;
}

/*
 * A list is read and written in parts of LIST_PART runtimes, each part in
 * a transaction of its own (the first inside the request's, after the
 * authorisation): a worker holds one part at a time, however large the
 * catalog.  Each part starts after the last name of the one before, in key
 * order, so the answer stays sorted and names no runtime twice; a part
 * that deadlocks is read again before anything of it was written.  The
 * list is therefore exact per runtime, not one snapshot of the whole.
 */
#define LIST_PART	512

/* Appends one runtime to the part; stops the scan when the part is full. */
static int
append_runtime(const struct runtime *r, void *arg)
{
	struct request	*req = arg;

	if (req->listed++ > 0)
		buf_addc(&req->rawdata, ',');
	runtime_write(&req->rawdata, r);
	if (++req->part < LIST_PART)
		return 0;
	free(req->after);
	req->after = xstrdup(r->name);
	return 1;
}

/* The next part of a list, after req->after; see LIST_PART. */
static int
list_part(struct request *req, struct txn *t)
{
	char	*after = req->after;

	req->rawdata.len = 0;
	req->rawdata.data[0] = '\0';
	req->listed = req->listed_done;
	req->part = 0;
	req->after = NULL;
	req->more = NULL;
	if (req->listed_done == 0)
		buf_adds(&req->rawdata, "{\"runtimes\":[");
	if (runtime_list_after(t, after, append_runtime, req) == -1) {
		free(req->after);
		req->after = after;	/* read this part again */
		return -1;
	}
	free(after);
	if (req->part == LIST_PART)
		req->more = list_part;
	else
		buf_adds(&req->rawdata, "]}");
	return 0;
}

int
runtimes_list(struct request *req, struct txn *t)
{
	const char	*type = str(&req->vals[0]);
	struct buf	 msg;
	int		 rc;

	if (*type != '\0' && strcmp(type, "container") != 0) {
		buf_init(&msg);
		go_quote(&msg, type);
		buf_adds(&msg, " is not a supported plugin runtime type");
		rc = respond_error(req, 400, msg.data);
		buf_free(&msg);
		return rc;
	}
	free(req->after);
	req->after = NULL;
	req->listed_done = 0;
	if (list_part(req, t) == -1)
		return -1;
	set_rawdata(req);
	return 0;
}
