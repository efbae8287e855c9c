/*
 * backup.c: hot backups, Berkeley DB's way.  DB_ENV->backup copies the
 * databases and then every log file of the live environment into another
 * directory while writers go on; catastrophic recovery on that copy then
 * makes it consistent as of some instant during the copy (ops.md §4).  The
 * copies are opened with a second, DB_PRIVATE environment: it lives on
 * another directory and in this process's memory only, so it shares no
 * region, lock or mutex with the live environment (the rule of one DB_ENV
 * per process is about one environment opened twice).  Removing log files
 * while a backup copies them breaks it: callers serialise store_checkpoint's
 * trimming with store_backup (fcgi/snapshot.c holds the lock).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db/internal.h"

static void
copy_errcall(const DB_ENV *env, const char *pfx, const char *msg)
{
	log_err("berkeley db (copy): %s", msg);
}

/* A hot backup of the live environment into dir (created or emptied). */
int
store_backup(struct store *st, const char *dir)
{
	int	 rc;

	if ((rc = st->env->backup(st->env, dir, DB_CREATE |
	    DB_BACKUP_CLEAN)) != 0) {
		log_err("backup into %s: %s", dir, db_strerror(rc));
		return -1;
	}
	return 0;
}

static int
copy_open(DB_ENV **env, const char *dir, u_int32_t recover)
{
	int	 rc;

	if ((rc = db_env_create(env, 0)) != 0) {
		log_err("db_env_create: %s", db_strerror(rc));
		return -1;
	}
	(*env)->set_errcall(*env, copy_errcall);
	(*env)->set_cachesize(*env, 0, 8 * 1024 * 1024, 1);
	if ((rc = (*env)->open(*env, dir, DB_CREATE | DB_INIT_TXN |
	    DB_INIT_LOCK | DB_INIT_LOG | DB_INIT_MPOOL | DB_PRIVATE | recover,
	    0600)) != 0) {
		log_err("recovering the copy in %s: %s", dir, db_strerror(rc));
		(*env)->close(*env, 0);
		return -1;
	}
	return 0;
}

/*
 * Recovers the copy in dir (catastrophic: every log it holds is replayed,
 * or normal), checkpoints it and removes the logs it no longer needs, so
 * that dir holds databases and the last log file, and no region files.
 */
int
store_copy_recover(const char *dir, bool catastrophic)
{
	DB_ENV	*env;
	int	 rc;

	if (copy_open(&env, dir, catastrophic ? DB_RECOVER_FATAL :
	    DB_RECOVER) == -1)
		return -1;
	if ((rc = env->txn_checkpoint(env, 0, 0, DB_FORCE)) != 0 ||
	    (rc = env->log_archive(env, NULL, DB_ARCH_REMOVE)) != 0) {
		log_err("checkpointing the copy in %s: %s", dir,
		    db_strerror(rc));
		env->close(env, 0);
		return -1;
	}
	if ((rc = env->close(env, 0)) != 0) {
		log_err("closing the copy in %s: %s", dir, db_strerror(rc));
		return -1;
	}
	return 0;
}

/*
 * Normal recovery on the copy in dir, then DB->verify on each of its
 * databases (what db5.3_verify does): 0, or -1 after a log line.
 */
int
store_copy_verify(const char *dir)
{
	DIR		*d;
	struct dirent	*e;
	DB		*db;
	char		*path;
	size_t		 n;
	int		 rc, bad = 0, seen = 0;

	if (store_copy_recover(dir, false) == -1)
		return -1;
	if ((d = opendir(dir)) == NULL) {
		log_err("opendir %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		n = strlen(e->d_name);
		if (n < 4 || strcmp(e->d_name + n - 3, ".db") != 0)
			continue;
		if ((rc = db_create(&db, NULL, 0)) != 0) {
			bad++;
			continue;
		}
		path = xasprintf("%s/%s", dir, e->d_name);
		/* The handle is gone after verify, whatever it returns. */
		if ((rc = db->verify(db, path, NULL, NULL, 0)) != 0) {
			log_err("verifying %s: %s", path, db_strerror(rc));
			bad++;
		}
		free(path);
		seen++;
	}
	closedir(d);
	return bad == 0 && seen > 0 ? 0 : -1;
}

/*
 * A replicated group's restore: the live store's whole catalog becomes
 * that of the copy in dir, in one transaction of the live environment.
 * The change is then replicated like any write (the standbys apply it),
 * and a crash leaves the old catalog or the new one.  The group's own
 * records, the nodes in the meta table, stay as they are.
 */
#define NODE_PREFIX	"node/"

struct replace {
	DB	*copy[STORE_NDBS];	/* NULL for the accessor index */
};

static bool
kept(const DBT *k, bool meta)
{
	return meta && k->size >= strlen(NODE_PREFIX) &&
	    memcmp(k->data, NODE_PREFIX, strlen(NODE_PREFIX)) == 0;
}

/* Empties one live database (but what is kept), then copies the copy's. */
static int
replace_one(struct txn *t, DB *live, DB *copy, bool meta)
{
	DBC	*c = NULL;
	DBT	 k, v;
	int	 rc;

	memset(&k, 0, sizeof k);
	memset(&v, 0, sizeof v);
	if ((rc = live->cursor(live, t->tid, &c, 0)) != 0)
		return txn_fail(t, rc, "cursor");
	while ((rc = c->get(c, &k, &v, DB_NEXT)) == 0)
		if (!kept(&k, meta) && (rc = c->del(c, 0)) != 0)
			break;
	c->close(c);
	if (rc != DB_NOTFOUND)
		return txn_fail(t, rc, "emptying a database");
	if ((rc = copy->cursor(copy, NULL, &c, 0)) != 0)
		return txn_fail(t, rc, "cursor on the copy");
	while ((rc = c->get(c, &k, &v, DB_NEXT)) == 0)
		if (!kept(&k, meta) &&
		    (rc = live->put(live, t->tid, &k, &v, 0)) != 0)
			break;
	c->close(c);
	if (rc != DB_NOTFOUND)
		return txn_fail(t, rc, "copying a database");
	return 0;
}

static int
replace_txn(struct txn *t, void *arg)
{
	struct replace	*r = arg;
	DB		*live;
	size_t		 i;

	for (i = 0; i < STORE_NDBS; i++) {
		live = *store_db(t->store, i);
		if (r->copy[i] != NULL && replace_one(t, live, r->copy[i],
		    live == t->store->meta) == -1)
			return -1;
	}
	t->wrote = true;
	t->auth_changed = true;
	return 0;
}

/* 0, or txn_run's status (500, 503) after a log line. */
int
store_replace(struct store *st, const char *dir)
{
	struct replace	 r;
	DB_ENV		*env;
	DB		*db;
	size_t		 i;
	int		 rc, status = 500;

	memset(&r, 0, sizeof r);
	if (copy_open(&env, dir, 0) == -1)
		return 500;
	for (i = 0; i < STORE_NDBS; i++) {
		/* The tokens' puts keep the accessor index in step. */
		if (store_db(st, i) == &st->accessors)
			continue;
		if ((rc = db_create(&db, env, 0)) != 0)
			goto fail;
		r.copy[i] = db;
		if ((store_dbs[i].flags != 0 && (rc = db->set_flags(db,
		    store_dbs[i].flags)) != 0) || (rc = db->open(db, NULL,
		    store_dbs[i].file, NULL, DB_BTREE, DB_RDONLY, 0600)) != 0)
			goto fail;
	}
	status = txn_run(st, replace_txn, &r);
	goto out;
fail:
	log_err("opening %s in %s: %s", store_dbs[i].file, dir,
	    db_strerror(rc));
out:
	for (i = 0; i < STORE_NDBS; i++)
		if (r.copy[i] != NULL)
			r.copy[i]->close(r.copy[i], 0);
	env->close(env, 0);
	return status;
}
