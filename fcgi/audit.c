/*
 * audit.c: audit devices at the edge.  The devices live in the database;
 * each worker keeps its own copy (options, a keyed HMAC, an O_APPEND
 * descriptor per file) and reloads it inside a transaction whenever the
 * generation in the shared page moved, which a change bumps while it
 * still holds its write lock, so no request that starts after the change
 * committed can miss it.  Each entry is formatted by lib/audit.c into one
 * buffer and written with one write(2), so lines from concurrent workers
 * never interleave.  A failed write closes, reopens and retries once, as
 * Vault's file device does; SIGHUP, and a file whose inode changed under
 * its path (checked at most once a second), reopen it too.  Fail closed:
 * with devices enabled, a request whose entry no device wrote is refused
 * before its handler runs (request.c).  A request's two entries share
 * their auth and request objects: each device keeps those bytes from the
 * request entry and its answer's entry reuses them, unless the request
 * was authenticated again in between (a retried transaction).
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fcgi/fcgi.h"

#define INODE_CHECK_MS	1000

/* A device as a worker holds it. */
struct device {
	struct audit_rec	 rec;
	struct audit_opts	 opts;
	struct audit_mac	*mac;
	int			 fd;		/* -1: to open */
	dev_t			 dev;
	ino_t			 ino;
	int64_t			 checked;	/* ms of the last stat */
	bool			 discard;
	struct buf		 mid;		/* the shared part, of mid_for */
};

static struct device	*devices;
static size_t		 ndevices;
static uint64_t		 loaded_gen = UINT64_MAX;	/* never loaded */
static struct buf	 line;		/* reused for every entry */
static char		 mid_for[64];	/* the request id of every d->mid */

enum { A_NAME, A_TYPE, A_DESCRIPTION, A_OPTIONS, A_LOCAL };
const struct field audit_enable_fields[] = {
	[A_NAME] = { "name", FIELD_STRING },
	[A_TYPE] = { "type", FIELD_STRING },
	[A_DESCRIPTION] = { "description", FIELD_STRING },
	[A_OPTIONS] = { "options", FIELD_KVPAIRS },
	[A_LOCAL] = { "local", FIELD_BOOL },
	{ NULL, FIELD_STRING },
};

enum { H_NAME, H_INPUT };
const struct field audit_hash_fields[] = {
	[H_NAME] = { "name", FIELD_STRING },
	[H_INPUT] = { "input", FIELD_STRING },
	{ NULL, FIELD_STRING },
};

static const char *
str_of(const struct fieldval *v)
{
	return v->s != NULL ? v->s : "";
}

static void
drop_all(void)
{
	size_t	 i;

	for (i = 0; i < ndevices; i++) {
		if (devices[i].fd != -1)
			close(devices[i].fd);
		audit_mac_free(devices[i].mac);
		buf_free(&devices[i].mid);
		audit_rec_free(&devices[i].rec);
	}
	free(devices);
	devices = NULL;
	ndevices = 0;
}

/*
 * Opens a device's file for appending (the mode applied on every open, as
 * Vault does); -1 with errno.
 */
static int
open_file(const struct audit_opts *o)
{
	int	 fd;

	fd = open(o->file_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOCTTY, o->mode != 0 ? (mode_t)o->mode : 0600);
	if (fd == -1)
		return -1;
	if (o->mode != 0 && strcmp(o->file_path, "/dev/null") != 0 &&
	    fchmod(fd, (mode_t)o->mode) == -1 && errno != EPERM) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int
reopen_dev(struct device *d)
{
	struct stat	 sb;

	if (d->fd != -1)
		close(d->fd);
	d->fd = open_file(&d->opts);
	if (d->fd == -1) {
		log_err("audit device %s: opening %s: %s", d->rec.path,
		    d->opts.file_path, strerror(errno));
		return -1;
	}
	if (fstat(d->fd, &sb) == 0) {
		d->dev = sb.st_dev;
		d->ino = sb.st_ino;
	}
	d->checked = now_ms();
	return 0;
}

/*
 * Makes this worker's devices those of the database, if the generation
 * moved since they were loaded.  0, or -1 after a storage failure.
 */
int
audit_sync(struct txn *t)
{
	struct audit_rec	*recs;
	struct device		*d;
	uint64_t		 gen;
	size_t			 n, i;

	gen = shared != NULL ? __atomic_load_n(&shared->audit_gen,
	    __ATOMIC_ACQUIRE) : 0;
	if (gen == loaded_gen)
		return 0;
	if (audit_list(t, &recs, &n) == -1)
		return -1;
	drop_all();
	devices = xcalloc(n ? n : 1, sizeof *devices);
	for (i = 0; i < n; i++) {
		struct apierr	 err;

		d = &devices[ndevices];
		d->rec = recs[i];
		d->fd = -1;
		if (audit_options(d->rec.options, d->rec.noptions, &d->opts,
		    &err) != 0) {
			/* Checked when enabled; a device that fails now counts as failing. */
			log_err("audit device %s: %s", d->rec.path, err.text);
			d->opts.file_path = NULL;
		}
		d->discard = d->opts.file_path != NULL &&
		    strcmp(d->opts.file_path, "discard") == 0;
		d->mac = audit_mac_new(d->rec.salt);
		buf_init(&d->mid);
		ndevices++;
	}
	free(recs);
	mid_for[0] = '\0';
	loaded_gen = gen;
	return 0;
}

/* Whether any device is enabled (as of the last audit_sync). */
bool
audit_enabled(void)
{
	return ndevices > 0;
}

/* SIGHUP: every file is opened again before its next entry. */
void
audit_reopen(void)
{
	size_t	 i;

	for (i = 0; i < ndevices; i++)
		if (devices[i].fd != -1) {
			close(devices[i].fd);
			devices[i].fd = -1;
		}
}

/* A file renamed or removed under its path: reopen (once a second). */
static void
check_inode(struct device *d)
{
	struct stat	 sb;
	int64_t		 now = now_ms();

	if (d->fd == -1 || now - d->checked < INODE_CHECK_MS)
		return;
	d->checked = now;
	if (stat(d->opts.file_path, &sb) == -1 || sb.st_ino != d->ino ||
	    sb.st_dev != d->dev) {
		close(d->fd);
		d->fd = -1;
	}
}

static bool
write_line(struct device *d)
{
	ssize_t	 n;

	if (d->fd == -1 && reopen_dev(d) == -1)
		return false;
	n = write(d->fd, line.data, line.len);
	if (n == (ssize_t)line.len)
		return true;
	return false;
}

/*
 * One device's entry: written, or reopened and written once more.  A
 * request entry keeps its shared part in d->mid; reuse says the answer's
 * entry may take it from there.
 */
static bool
write_dev(struct device *d, const struct audit_in *in, bool reuse)
{
	if (d->opts.file_path == NULL)
		return false;
	if (d->discard)
		return true;
	line.len = 0;
	audit_format_shared(&line, &d->opts, d->mac, in, &d->mid, reuse);
	check_inode(d);
	if (write_line(d))
		return true;
	log_err("audit device %s: writing to %s failed (%s); reopening",
	    d->rec.path, d->opts.file_path, strerror(errno));
	if (reopen_dev(d) == 0 && write_line(d))
		return true;
	log_err("audit device %s: writing to %s failed: %s", d->rec.path,
	    d->opts.file_path, strerror(errno));
	return false;
}

/*
 * Writes the entry to every device.  Returns true when at least one wrote
 * it, or when none is enabled (Vault's broker: one success is enough).
 */
/* Whether every device holds the shared part of this request's entries. */
static bool
reusable(const char *id)
{
	return id != NULL && mid_for[0] != '\0' && strcmp(id, mid_for) == 0;
}

bool
audit_log(const struct audit_in *in)
{
	size_t	 i, ok = 0;
	bool	 reuse;

	if (line.data == NULL)
		buf_init(&line);
	reuse = in->response && reusable(in->id);
	for (i = 0; i < ndevices; i++)
		ok += write_dev(&devices[i], in, reuse);
	if (!in->response && in->id != NULL && strlen(in->id) < sizeof mid_for)
		memcpy(mid_for, in->id, strlen(in->id) + 1);
	else
		mid_for[0] = '\0';
	return ndevices == 0 || ok > 0;
}

/*
 * The request is authenticated again (a retried transaction): its token
 * was read anew, so the answer's entry formats its shared part afresh.
 */
void
audit_forget(void)
{
	mid_for[0] = '\0';
}

/* A change to the device table: every worker reloads (inside our lock). */
static void
bump(void)
{
	if (shared != NULL)
		__atomic_add_fetch(&shared->audit_gen, 1, __ATOMIC_RELEASE);
}

static char *
device_path(const char *name)
{
	return xasprintf("%s/", name);
}

/* PUT sys/audit/<path>: type, description, options, local. */
int
audit_enable(struct request *req, struct txn *t)
{
	struct audit_rec	 rec, old;
	struct audit_opts	 o;
	char			 salt[37];
	const char		*type = str_of(&req->vals[A_TYPE]);
	size_t			 i;
	int			 fd, rc;

	if (*type == '\0')
		return respond_error(req, 400, "audit type must be specified");
	if (strcmp(type, "file") != 0) {
		apierr_set(&req->err, 400, "unknown backend type: \"%s\"",
		    type);
		return 400;
	}
	if (audit_options(req->vals[A_OPTIONS].list, req->vals[A_OPTIONS].nlist, &o,
	    &req->err) != 0)
		return 400;
	memset(&rec, 0, sizeof rec);
	rec.path = device_path(req->name);
	if ((rc = audit_get(t, rec.path, &old)) != 1) {
		free(rec.path);
		if (rc == -1)
			return -1;
		audit_rec_free(&old);
		return respond_error(req, 400, "path already in use");
	}
	/* Vault opens the file once when the device is enabled. */
	if (strcmp(o.file_path, "discard") != 0) {
		if ((fd = open_file(&o)) == -1) {
			apierr_set(&req->err, 400, "sanity check failed; "
			    "unable to open \"%s\" for writing: %s",
			    o.file_path, strerror(errno));
			free(rec.path);
			return 400;
		}
		close(fd);
	}
	uuid_v4(salt);
	rec.type = xstrdup("file");
	rec.description = xstrdup(str_of(&req->vals[A_DESCRIPTION]));
	rec.options = xcalloc(req->vals[A_OPTIONS].nlist + 1, sizeof *rec.options);
	for (i = 0; i < req->vals[A_OPTIONS].nlist; i++)
		rec.options[rec.noptions++] = xstrdup(req->vals[A_OPTIONS].list[i]);
	rec.salt = xstrdup(salt);
	rec.local = req->vals[A_LOCAL].b;
	rc = audit_put(t, &rec);
	audit_rec_free(&rec);
	if (rc == -1)
		return -1;
	bump();
	return 0;
}

/*
 * audit_file_path in catalogd.conf: the supervisor makes sys/audit/file
 * before any worker exists, unless a device already has that path (one
 * enabled through the API, or by an earlier start, keeps its salt).
 */
int
audit_declare(struct txn *t, const char *file)
{
	struct audit_rec	 rec;
	char			*opts[] = { (char *)"file_path", (char *)file };
	char			 salt[37];
	int			 rc;

	if ((rc = audit_get(t, "file/", &rec)) != 1) {
		if (rc == 0)
			audit_rec_free(&rec);
		return rc == 0 ? 0 : -1;
	}
	uuid_v4(salt);
	memset(&rec, 0, sizeof rec);
	rec.path = (char *)"file/";
	rec.type = (char *)"file";
	rec.description = (char *)"";
	rec.options = opts;
	rec.noptions = 2;
	rec.salt = salt;
	return audit_put(t, &rec);
}

/* DELETE sys/audit/<path>: 204, also when there is none. */
int
audit_disable(struct request *req, struct txn *t)
{
	char	*path = device_path(req->name);
	int	 rc;

	rc = audit_delete(t, path);
	free(path);
	if (rc == -1)
		return -1;
	if (rc == 0)
		bump();
	return 0;
}

/* GET sys/audit: every device by its path. */
int
audit_table(struct request *req, struct txn *t)
{
	struct audit_rec	*recs;
	json_t			*data = json_object(), *opts;
	size_t			 n, i, k;

	if (audit_list(t, &recs, &n) == -1) {
		json_decref(data);
		return -1;
	}
	for (i = 0; i < n; i++) {
		opts = json_object();
		for (k = 0; k + 1 < recs[i].noptions; k += 2)
			json_object_set_new(opts, recs[i].options[k],
			    json_string(recs[i].options[k + 1]));
		json_object_set_new(data, recs[i].path, json_pack(
		    "{s:s, s:b, s:o, s:s, s:s}",
		    "description", recs[i].description,
		    "local", recs[i].local,
		    "options", opts,
		    "path", recs[i].path,
		    "type", recs[i].type));
		audit_rec_free(&recs[i]);
	}
	free(recs);
	set_data(req, data);
	return 0;
}

/* POST sys/audit-hash/<path> with input: the hash that device writes. */
int
audit_hash(struct request *req, struct txn *t)
{
	struct audit_rec	 rec;
	struct audit_mac	*mac;
	char			 h[AUDIT_HMAC_LEN + 1];
	char			*path;
	const char		*input = str_of(&req->vals[H_INPUT]);
	int			 rc;

	if (*input == '\0')
		return respond_error(req, 400,
		    "the \"input\" parameter is empty");
	path = device_path(req->name);
	rc = audit_get(t, path, &rec);
	if (rc != 0) {
		if (rc == 1)
			apierr_set(&req->err, 400, "unknown audit backend %s",
			    path);
		free(path);
		return rc == 1 ? 400 : -1;
	}
	free(path);
	mac = audit_mac_new(rec.salt);
	audit_hmac(mac, input, strlen(input), h);
	audit_mac_free(mac);
	audit_rec_free(&rec);
	set_data(req, json_pack("{s:s}", "hash", h));
	return 0;
}

static const char *const op_names[OP_COUNT] = {
	[OP_READ] = "read",
	[OP_LIST] = "list",
	[OP_UPDATE] = "update",
	[OP_DELETE] = "delete",
	[OP_PATCH] = "patch",
};

/*
 * The request's own fields: a copy without the path's captures, which
 * request.c merged into them and Vault keeps out of the audited data.
 * New, or NULL when there is nothing to log.
 */
static json_t *
fields_of(const struct request *req)
{
	json_t	*d;

	if (req->data == NULL || json_object_size(req->data) == 0)
		return NULL;
	d = json_copy(req->data);
	if (req->name != NULL)
		json_object_del(d, "name");
	if (req->type != NULL)
		json_object_del(d, "type");
	return d;
}

/*
 * What both entries of a request share; in->data is new (json_decref).
 * Without full, the request's data and address are left out: the answer's
 * entry that reuses the request entry's middle does not look at them.
 */
static void
entry_of(const struct request *req, struct audit_in *in, bool full)
{
	const char	*port;
	struct timespec	 ts;
	bool		 token;

	memset(in, 0, sizeof *in);
	clock_gettime(CLOCK_REALTIME, &ts);
	in->sec = (int64_t)ts.tv_sec;
	in->nsec = ts.tv_nsec;
	in->id = req->id;
	in->operation = op_names[req->op];
	token = req->route != NULL ? strcmp(req->route->mount_type,
	    "token") == 0 : strncmp(req->path, "auth/token/", 11) == 0;
	in->mount_point = token ? "auth/token/" : "sys/";
	in->mount_type = token ? "token" : "system";
	in->path = req->path;
	in->client_token = req->token;
	if (req->tok.accessor != NULL)
		in->tok = &req->tok;
	if (!full)
		return;
	in->data = fields_of(req);
	in->remote_addr = FCGX_GetParam("REMOTE_ADDR", req->fx->envp);
	port = FCGX_GetParam("REMOTE_PORT", req->fx->envp);
	in->remote_port = port != NULL ? atoi(port) : 0;
}

/*
 * The request entry, after authentication and before the handler runs;
 * a denied request carries Vault's error.  False when devices are
 * enabled and none wrote it.
 */
bool
audit_request(const struct request *req, bool denied)
{
	struct audit_in	 in;
	bool		 ok;

	if (ndevices == 0)
		return true;
	entry_of(req, &in, true);
	if (denied)
		in.error = "permission denied";
	if (!(ok = audit_log(&in)))
		metrics_add(M_AUDIT_REQUEST_FAILURES);
	json_decref((json_t *)in.data);
	return ok;
}

/*
 * The response entry: the answer's data (a handler's pre-encoded list is
 * decoded again for the walk), the token it issued, its warnings, or its
 * error.  False when devices are enabled and none wrote it.
 */
bool
audit_response(const struct request *req, int status, const char *error)
{
	struct audit_in	 in;
	json_t		*raw = NULL;
	bool		 ok;

	if (ndevices == 0)
		return true;
	entry_of(req, &in, !reusable(req->id));
	in.response = true;
	if (status == 200) {
		if (req->audit_data == NULL && req->rawdata.len > 0)
			raw = json_loadb(req->rawdata.data, req->rawdata.len,
			    0, NULL);
		in.resp_data = req->audit_data != NULL ? req->audit_data :
		    raw != NULL ? raw : req->out;
		in.resp_auth = req->auth;
		in.warnings = req->warnings;
	} else if (status >= 400)
		in.error = error;
	if (!(ok = audit_log(&in)))
		metrics_add(M_AUDIT_RESPONSE_FAILURES);
	json_decref(raw);
	json_decref((json_t *)in.data);
	return ok;
}
