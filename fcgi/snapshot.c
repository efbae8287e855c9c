/*
 * snapshot.c: Vault's sys/storage/raft/snapshot on Berkeley DB, and the
 * offline "catalogd backup" and "catalogd restore".  A snapshot is a gzip'd
 * tar: meta.json, state/ (a hot backup after catastrophic recovery:
 * databases and the last log), SHA256SUMS (sha256sum's format) and
 * SHA256SUMS.sealed (an HMAC of SHA256SUMS keyed by the installation's
 * salt), the layout Vault's client checks.  Taking one holds the backup
 * lock shared, so the housekeeper skips log trimming meanwhile.
 *
 * A restore is checked whole before anything changes, unpacked and
 * verified in <data>/restore.tmp, then committed by one rename to
 * <data>/db.new; the supervisor stops the pool, swaps the directories
 * (snapshot_swap, which startup also runs, so a crash at any point leaves
 * the old or the new environment whole), recovers and reforks.  Between
 * the commit and the new pool every request gets 503.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fcgi/fcgi.h"

#define SNAPSHOT_FORMAT		1
#define MAX_MEMBERS		64
#define INFLATE_FACTOR		100	/* an archive inflates to at most ... */
#define INFLATE_CAP		((size_t)1 << 30)	/* ... x body_limit */
#define SNAPSHOT_GRACE		60	/* seconds the watchdog allows */

static const char *const msg_corrupt = "snapshot is truncated or corrupt";

/* Removes a flat directory (ours hold files only); absent is fine. */
static int
rm_flat(const char *dir)
{
	DIR		*d;
	struct dirent	*e;
	char		*p;

	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		p = xasprintf("%s/%s", dir, e->d_name);
		if (unlink(p) == -1)
			log_err("unlink %s: %s", p, strerror(errno));
		free(p);
	}
	closedir(d);
	return rmdir(dir);
}

static bool
exists(const char *path)
{
	struct stat	 sb;

	return stat(path, &sb) == 0;
}

static int
fsync_path(const char *path)
{
	int	 fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/*
 * The backup lock, <data>/backup.lock: a snapshot holds it shared while
 * Berkeley DB copies the logs; trimming needs it exclusive and never
 * waits.  Returns the descriptor (close it to unlock) or -1.
 */
int
snapshot_lock(const char *data, bool trim)
{
	char	*path = xasprintf("%s/backup.lock", data);
	int	 fd;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(path);
	if (fd == -1)
		return -1;
	if (flock(fd, trim ? LOCK_EX | LOCK_NB : LOCK_SH) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Completes a committed restore or discards an unfinished one; the caller
 * is alone in the data directory (no child, no environment open).  Each
 * step is one rename: db.new is a whole, verified environment, so after a
 * crash anywhere either db or db.new (renamed to db here) is whole.
 * Returns 1 after a swap, 0 when there was none, -1 on an error.
 */
int
snapshot_swap(const char *data)
{
	char	*db = xasprintf("%s/db", data), *nw = xasprintf("%s/db.new",
		    data), *old = xasprintf("%s/db.old", data),
		*tmp = xasprintf("%s/restore.tmp", data);
	int	 rc = 0;

	rm_flat(tmp);
	/* db beside db.old: the last swap finished; db.old is garbage. */
	if (exists(old) && exists(db) && rm_flat(old) == -1)
		rc = -1;
	if (rc == 0 && exists(nw)) {
		if (exists(db) && rename(db, old) == -1)
			rc = -1;
		else if (rename(nw, db) == -1)
			rc = -1;
		else {
			fsync_path(data);
			rm_flat(old);
			log_info("restored the snapshot in %s", nw);
			rc = 1;
		}
	}
	if (rc == -1)
		log_err("swapping in the restored environment in %s: %s", data,
		    strerror(errno));
	free(db);
	free(nw);
	free(old);
	free(tmp);
	return rc;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The state files of a recovered copy (databases, logs), sorted; new. */
static char **
state_files(const char *dir, size_t *n)
{
	DIR		*d;
	struct dirent	*e;
	char		**v = NULL;
	size_t		 len;

	*n = 0;
	if ((d = opendir(dir)) == NULL)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if ((len > 3 && strcmp(e->d_name + len - 3, ".db") == 0) ||
		    strncmp(e->d_name, "log.", 4) == 0) {
			v = xrealloc(v, (*n + 1) * sizeof *v);
			v[(*n)++] = xstrdup(e->d_name);
		}
	}
	closedir(d);
	qsort(v, *n, sizeof *v, cmp_names);
	return v;
}

static int
read_whole(const char *path, struct buf *b)
{
	char	 chunk[65536];
	ssize_t	 n;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		buf_add(b, chunk, (size_t)n);
	close(fd);
	return n == 0 ? 0 : -1;
}

/*
 * The snapshot of the live store st, streamed as gzip bytes to sink (each
 * call 0 or -1) as it is made, so that memory does not grow with the
 * catalog: 0, or -1 after a log line.  Nothing reaches the sink before
 * the hot backup and its recovery succeeded, so a failure there can still
 * be answered properly; one later cuts the stream short (the checksums
 * make a cut archive useless).  data is the data directory (for the lock
 * and the scratch copy), salt and cluster borrowed.
 */
static int
snapshot_build(struct store *st, const char *data,
    const unsigned char salt[SALT_LEN], const char *cluster,
    int (*sink)(void *, const void *, size_t), void *arg)
{
	char		*dir = xasprintf("%s/snapshot-%ld.tmp", data,
			    (long)getpid()), *path, **files = NULL, sum[65],
			 seal[66], name[100], stamp[32];
	struct buf	 sums;
	struct tgz	 t;
	json_t		*meta;
	char		*mtext;
	size_t		 n = 0, i, total = 0;
	time_t		 now = time(NULL);
	int		 lock, rc = -1;

	buf_init(&sums);
	memset(&t, 0, sizeof t);
	rm_flat(dir);
	if ((lock = snapshot_lock(data, false)) == -1) {
		log_err("taking the backup lock: %s", strerror(errno));
		goto out;
	}
	rc = store_backup(st, dir);
	close(lock);
	if (rc == -1 || store_copy_recover(dir, true) == -1 ||
	    (files = state_files(dir, &n)) == NULL || n == 0) {
		rc = -1;
		goto out;
	}
	rc = -1;
	for (i = 0; i < n; i++) {
		struct stat sb;

		path = xasprintf("%s/%s", dir, files[i]);
		if (stat(path, &sb) == 0)
			total += (size_t)sb.st_size;
		free(path);
	}
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	path = xasprintf("%s-%lld", cluster, (long long)now);
	meta = json_pack("{s:i, s:s, s:i, s:i, s:I, s:i, s:s, s:s, s:s}",
	    "Version", 1, "ID", path, "Index", 0, "Term", 0,
	    "Size", (json_int_t)total, "catalogd_format", SNAPSHOT_FORMAT,
	    "catalogd_version", PACKAGE_VERSION, "cluster_id", cluster,
	    "created", stamp);
	free(path);
	mtext = json_dumps(meta, JSON_SORT_KEYS);
	json_decref(meta);
	sha256_hex(mtext, strlen(mtext), sum);
	buf_printf(&sums, "%s  meta.json\n", sum);
	if (tgz_open(&t, sink, arg) == -1 ||
	    tgz_member(&t, "meta.json", strlen(mtext), (long long)now) == -1 ||
	    tgz_write(&t, mtext, strlen(mtext)) == -1) {
		free(mtext);
		goto stream;
	}
	free(mtext);
	for (i = 0; i < n; i++) {
		path = xasprintf("%s/%s", dir, files[i]);
		snprintf(name, sizeof name, "state/%s", files[i]);
		if (tgz_file(&t, name, path, (long long)now, sum) == -1) {
			if (!t.failed)
				log_err("reading %s: %s", path,
				    strerror(errno));
			free(path);
			goto stream;
		}
		free(path);
		buf_printf(&sums, "%s  %s\n", sum, name);
	}
	snapshot_seal(salt, sums.data, sums.len, seal);
	strcat(seal, "\n");
	if (tgz_member(&t, "SHA256SUMS", sums.len, (long long)now) == 0 &&
	    tgz_write(&t, sums.data, sums.len) == 0 &&
	    tgz_member(&t, "SHA256SUMS.sealed", strlen(seal),
	    (long long)now) == 0 && tgz_write(&t, seal, strlen(seal)) == 0 &&
	    tgz_close(&t) == 0)
		rc = 0;
stream:
	if (rc == -1 && t.failed)
		log_err("the snapshot's stream was cut: the receiver went away");
	tgz_close(&t);
out:
	rm_flat(dir);
	for (i = 0; i < n; i++)
		free(files[i]);
	free(files);
	free(dir);
	buf_free(&sums);
	return rc;
}

static bool
state_name_ok(const char *name)
{
	const char	*f = name + 6, *p;
	size_t		 n;

	if (strncmp(name, "state/", 6) != 0 || *f == '\0' || *f == '.')
		return false;
	for (p = f; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
		    *p == '-'))
			return false;
	n = strlen(f);
	return (n > 3 && strcmp(f + n - 3, ".db") == 0) ||
	    strncmp(f, "log.", 4) == 0;
}

static int
write_file(const char *path, const void *data, size_t len)
{
	const char	*p = data;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600))
	    == -1)
		return -1;
	while (len > 0) {
		if ((n = write(fd, p, len)) <= 0) {
			close(fd);
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) == -1) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/*
 * Checks the archive gz whole (gzip, tar, names, every checksum, the seal
 * when salt is not NULL, meta.json), then unpacks its state into
 * <data>/restore.tmp and verifies the databases there.  Returns 0, 400
 * with err filled in, or 500.  Nothing outside restore.tmp changes.
 */
static int
snapshot_unpack(const char *data, size_t body_limit, const void *gz,
    size_t gzlen, const unsigned char *salt, struct apierr *err)
{
	struct tar_member	 m[MAX_MEMBERS];
	struct buf		 tar;
	const struct tar_member	*sums = NULL, *sealed = NULL, *meta = NULL;
	char			*dir = xasprintf("%s/restore.tmp", data), *path;
	char			 hash[65], want[65], line[200];
	size_t			 n = 0, off = 0, i, j, max, listed[MAX_MEMBERS];
	bool			 has_meta_db = false, has_log = false;
	json_t			*mj;
	const char		*p, *end, *nl;
	int			 rc = 400, r;

	buf_init(&tar);
	memset(listed, 0, sizeof listed);
	err->status = 400;
	snprintf(err->text, sizeof err->text, "%s", msg_corrupt);
	max = body_limit > INFLATE_CAP / INFLATE_FACTOR ? INFLATE_CAP :
	    body_limit * INFLATE_FACTOR;
	if (gzip_decompress(gz, gzlen, max, &tar) == -1)
		goto out;
	while ((r = tar_next(tar.data, tar.len, &off, &m[n])) == 1) {
		/* tar czf ... state adds the directory itself: allowed. */
		if (m[n].type == '5' && strcmp(m[n].name, "state/") == 0)
			continue;
		if (m[n].type == '5') {
			snprintf(err->text, sizeof err->text, "snapshot holds "
			    "an unexpected file: %.100s", m[n].name);
			goto out;
		}
		if (++n == MAX_MEMBERS)
			goto out;
	}
	if (r == -1)
		goto out;
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(m[i].name, m[j].name) == 0)
				goto out;
		if (strcmp(m[i].name, "SHA256SUMS") == 0)
			sums = &m[i];
		else if (strcmp(m[i].name, "SHA256SUMS.sealed") == 0)
			sealed = &m[i];
		else if (strcmp(m[i].name, "meta.json") == 0)
			meta = &m[i];
		else if (state_name_ok(m[i].name)) {
			has_meta_db |= strcmp(m[i].name, "state/meta.db") == 0;
			has_log |= strncmp(m[i].name, "state/log.", 10) == 0;
		} else {
			snprintf(err->text, sizeof err->text, "snapshot holds "
			    "an unexpected file: %.100s", m[i].name);
			goto out;
		}
	}
	if (sums == NULL || sealed == NULL || sealed->len == 0 ||
	    meta == NULL || !has_meta_db || !has_log) {
		snprintf(err->text, sizeof err->text, "incomplete snapshot: "
		    "it needs meta.json, state/meta.db, a state/log file, "
		    "SHA256SUMS and a non-empty SHA256SUMS.sealed");
		goto out;
	}
	/* SHA256SUMS: "<hex>  <name>\n" for every other member, once. */
	for (p = (const char *)sums->data, end = p + sums->len; p < end;
	    p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL ||
		    (size_t)(nl - p) >= sizeof line || nl - p < 67 ||
		    p[64] != ' ' || p[65] != ' ')
			goto out;
		memcpy(want, p, 64);
		want[64] = '\0';
		memcpy(line, p + 66, (size_t)(nl - p - 66));
		line[nl - p - 66] = '\0';
		for (i = 0; i < n; i++)
			if (strcmp(m[i].name, line) == 0)
				break;
		if (i == n || &m[i] == sums || &m[i] == sealed || listed[i]++)
			goto out;
		sha256_hex(m[i].data, m[i].len, hash);
		if (strcmp(hash, want) != 0) {
			snprintf(err->text, sizeof err->text, "snapshot is "
			    "corrupt: the checksum of %.100s does not match "
			    "SHA256SUMS", m[i].name);
			goto out;
		}
	}
	for (i = 0; i < n; i++)
		if (&m[i] != sums && &m[i] != sealed && !listed[i]) {
			snprintf(err->text, sizeof err->text, "snapshot is "
			    "corrupt: %.100s is not in SHA256SUMS", m[i].name);
			goto out;
		}
	if (salt != NULL) {
		if (!snapshot_seal_ok(salt, sums->data, sums->len,
		    sealed->data, sealed->len)) {
			snprintf(err->text, sizeof err->text, "snapshot was "
			    "not taken by this installation (its seal does "
			    "not match); sys/storage/raft/snapshot-force "
			    "restores it anyway");
			goto out;
		}
	}
	mj = json_loadb((const char *)meta->data, meta->len, 0, NULL);
	r = json_integer_value(json_object_get(mj, "catalogd_format"));
	json_decref(mj);
	if (r != SNAPSHOT_FORMAT) {
		snprintf(err->text, sizeof err->text, "meta.json does not "
		    "describe a catalogd snapshot of format %d",
		    SNAPSHOT_FORMAT);
		goto out;
	}
	/* Checked: unpack and verify, still beside the live environment. */
	rc = 500;
	rm_flat(dir);
	if (mkdir(dir, 0700) == -1) {
		log_err("mkdir %s: %s", dir, strerror(errno));
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (strncmp(m[i].name, "state/", 6) != 0)
			continue;
		path = xasprintf("%s/%s", dir, m[i].name + 6);
		r = write_file(path, m[i].data, m[i].len);
		if (r == -1)
			log_err("writing %s: %s", path, strerror(errno));
		free(path);
		if (r == -1)
			goto out;
	}
	if (store_copy_verify(dir) == -1) {
		rc = 400;
		snprintf(err->text, sizeof err->text, "snapshot's databases "
		    "do not verify");
		goto out;
	}
	fsync_path(dir);
	rc = 0;
out:
	if (rc != 0)
		rm_flat(dir);
	buf_free(&tar);
	free(dir);
	return rc;
}

/* restore.tmp becomes db.new: from here on the restore happens. */
static int
snapshot_commit(const char *data)
{
	char	*tmp = xasprintf("%s/restore.tmp", data),
		*nw = xasprintf("%s/db.new", data);
	int	 rc;

	if ((rc = rename(tmp, nw)) == -1)
		log_err("rename %s: %s", tmp, strerror(errno));
	else
		rc = fsync_path(data);
	free(tmp);
	free(nw);
	return rc;
}

/* After the read transaction: the archive, streamed to the client. */
/*
 * The stream's sink in a worker: the answer's head before the first
 * bytes (its length is not known: the front end sends it chunked).
 */
static int
snapshot_out(void *arg, const void *data, size_t len)
{
	struct request	*req = arg;

	if (req->sent == 0) {
		req->sent = 200;
		FCGX_FPrintF(req->fx->out, "Status: 200 OK\r\n"
		    "Content-Type: application/gzip\r\n"
		    "Cache-Control: no-store\r\n\r\n");
	}
	return FCGX_PutStr(data, (int)len, req->fx->out) == (int)len ? 0 : -1;
}

static int
send_snapshot(struct request *req)
{
	worker_grace(SNAPSHOT_GRACE);
	if (snapshot_build(req->store, req->cfg->data, req->salt,
	    req->cluster, snapshot_out, req) == -1 && req->sent == 0)
		return 500;
	worker_grace(0);
	req->answered = true;
	return 0;
}

/*
 * The active node of a replicated group: the checked copy replaces the
 * catalog in one transaction, which the standbys apply like any other
 * (answered 204 once a quorum acknowledged it, as any write).  Requests
 * meanwhile get 503; every cached token, policy, device and salt of this
 * node is stale after it.
 */
static int
restore_in_group(struct request *req)
{
	char	*tmp = xasprintf("%s/restore.tmp", req->cfg->data);
	int	 rc;

	__atomic_store_n(&shared->restoring, 1, __ATOMIC_SEQ_CST);
	rc = store_replace(req->store, tmp);
	__atomic_add_fetch(&shared->data_gen, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&shared->audit_gen, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&shared->auth_changes, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&shared->restoring, 0, __ATOMIC_SEQ_CST);
	rm_flat(tmp);
	free(tmp);
	if (rc == 0)
		log_info("snapshot restored in one replicated transaction");
	return rc;
}

/* After the transaction that read the salt: check, unpack, hand over. */
static int
restore_snapshot(struct request *req)
{
	char	*lockpath = xasprintf("%s/restore.lock", req->cfg->data),
		*nw = xasprintf("%s/db.new", req->cfg->data);
	int	 fd, rc;

	worker_grace(SNAPSHOT_GRACE);
	fd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1 || flock(fd, LOCK_EX | LOCK_NB) == -1 || exists(nw)) {
		rc = respond_error(req, 503, "another snapshot restore is in "
		    "progress; retry later");
		goto out;
	}
	rc = snapshot_unpack(req->cfg->data, req->cfg->body_limit,
	    req->body.data, req->body.len, req->force ? NULL : req->salt,
	    &req->err);
	if (rc == 0 && req->cfg->repl != NULL) {
		rc = restore_in_group(req);
		goto out;
	}
	if (rc == 0 && snapshot_commit(req->cfg->data) == -1)
		rc = 500;
	if (rc == 0) {
		/* Committed: no answer from the old data from now on. */
		__atomic_store_n(&shared->restoring, 1, __ATOMIC_SEQ_CST);
		if (kill(getppid(), SIGUSR1) == -1)
			log_err("signalling the supervisor: %s",
			    strerror(errno));
		log_info("snapshot committed; the supervisor swaps it in");
	}
out:
	if (fd != -1)
		close(fd);
	worker_grace(0);
	free(lockpath);
	free(nw);
	return rc;
}

static int
read_identity(struct request *req, struct txn *t)
{
	int	 rc;

	if ((rc = salt_get(t, req->salt)) == -1)
		return -1;
	if (rc == 1)
		return respond_error(req, 500, "internal error");
	return cluster_identity(t, req->cluster);
}

int
snapshot_read(struct request *req, struct txn *t)
{
	req->finish = send_snapshot;
	return read_identity(req, t);
}

/*
 * Offline, a node of a replicated group would get a history the others do
 * not have: refused, saying what to do instead.
 */
#define REPL_RESTORE	"an offline restore would set this node of a " \
	"replicated group apart from the others: restore through the API " \
	"(any node), or restore into a node without repl_addr and start a " \
	"new group from it with repl_bootstrap"

int
snapshot_restore(struct request *req, struct txn *t)
{
	req->finish = restore_snapshot;
	req->force = false;
	return read_identity(req, t);
}

int
snapshot_restore_force(struct request *req, struct txn *t)
{
	req->finish = restore_snapshot;
	req->force = true;
	return read_identity(req, t);
}

/* The offline commands: alone in the data directory, or refused. */
struct identity {
	unsigned char	 salt[SALT_LEN];
	char		 cluster[CLUSTER_ID_LEN + 1];
	bool		 initialised;
};

static int
identity_txn(struct txn *t, void *arg)
{
	struct identity	*id = arg;
	int		 rc;

	if ((rc = salt_get(t, id->salt)) == -1)
		return -1;
	id->initialised = rc == 0;
	return id->initialised ? cluster_identity(t, id->cluster) : 0;
}

static struct store *
offline_open(const struct config *cfg, struct identity *id)
{
	struct store	*st;

	if (supervisor_lock(cfg->data) == -1) {
		fprintf(stderr, "catalogd: %s is in use by a running catalogd: "
		    "stop it, or use sys/storage/raft/snapshot\n", cfg->data);
		return NULL;
	}
	if (snapshot_swap(cfg->data) == -1 ||
	    (st = store_open(cfg->dbhome, STORE_RECOVER)) == NULL) {
		fprintf(stderr, "catalogd: cannot open the data in %s\n",
		    cfg->data);
		return NULL;
	}
	if (txn_run(st, identity_txn, id) != 0) {
		fprintf(stderr, "catalogd: cannot read %s\n", cfg->data);
		store_close(st);
		return NULL;
	}
	return st;
}

/* The offline backup's sink: the archive file. */
static int
fd_out(void *arg, const void *data, size_t len)
{
	const char	*p = data;
	ssize_t		 n;

	for (; len > 0; p += n, len -= (size_t)n)
		if ((n = write(*(int *)arg, p, len)) <= 0)
			return -1;
	return 0;
}

int
snapshot_backup_cmd(const struct config *cfg, const char *out)
{
	struct identity	 id;
	struct store	*st;
	char		*tmp;
	int		 fd, rc;

	memset(&id, 0, sizeof id);
	if ((st = offline_open(cfg, &id)) == NULL)
		return 1;
	if (!id.initialised) {
		fprintf(stderr, "catalogd: %s holds no catalogd data\n",
		    cfg->data);
		store_close(st);
		return 1;
	}
	tmp = xasprintf("%s.tmp", out);
	unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) ==
	    -1) {
		fprintf(stderr, "catalogd: creating %s: %s\n", tmp,
		    strerror(errno));
		store_close(st);
		free(tmp);
		return 1;
	}
	rc = snapshot_build(st, cfg->data, id.salt, id.cluster, fd_out, &fd);
	store_close(st);
	if (rc == 0 && (fsync(fd) == -1 || close(fd) == -1 ||
	    rename(tmp, out) == -1)) {
		fprintf(stderr, "catalogd: writing %s: %s\n", out,
		    strerror(errno));
		rc = -1;
	} else if (rc == -1)
		close(fd);
	if (rc == -1)
		unlink(tmp);
	free(tmp);
	if (rc == -1)
		return 1;
	fprintf(stderr, "catalogd: wrote a snapshot of %s to %s\n", cfg->data,
	    out);
	return 0;
}

int
snapshot_restore_cmd(const struct config *cfg, const char *in, bool force)
{
	struct identity	 id;
	struct apierr	 err;
	struct store	*st;
	struct buf	 gz;
	size_t		 limit;
	int		 rc;

	if (cfg->repl != NULL) {
		fprintf(stderr, "catalogd: %s\n", REPL_RESTORE);
		return 1;
	}
	memset(&id, 0, sizeof id);
	if ((st = offline_open(cfg, &id)) == NULL)
		return 1;
	store_close(st);
	buf_init(&gz);
	if (read_whole(in, &gz) == -1) {
		fprintf(stderr, "catalogd: %s: %s\n", in, strerror(errno));
		buf_free(&gz);
		return 1;
	}
	/* Offline there is no body_limit to answer: the file's own size. */
	limit = gz.len > cfg->body_limit ? gz.len : cfg->body_limit;
	/* A fresh data directory has no seal of its own to compare. */
	rc = snapshot_unpack(cfg->data, limit, gz.data, gz.len,
	    force || !id.initialised ? NULL : id.salt, &err);
	buf_free(&gz);
	if (rc != 0) {
		fprintf(stderr, "catalogd: %s: %s\n", in, rc == 400 ? err.text :
		    "internal error (see the log)");
		return 1;
	}
	if (snapshot_commit(cfg->data) == -1 || snapshot_swap(cfg->data) != 1 ||
	    (st = store_open(cfg->dbhome, STORE_RECOVER)) == NULL) {
		fprintf(stderr, "catalogd: restoring into %s failed\n",
		    cfg->data);
		return 1;
	}
	store_close(st);
	fprintf(stderr, "catalogd: restored %s into %s\n", in, cfg->data);
	return 0;
}
