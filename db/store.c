/*
 * store.c: opening the Berkeley DB environment.  The supervisor opens it
 * with DB_CREATE|DB_RECOVER before any worker exists (recovery must run in
 * one process, alone) and creates the databases in a transaction; workers
 * join it without recovery.  Commits are synchronous (the default): nothing
 * here may ever set DB_TXN_NOSYNC, since a plain process crash then loses
 * acknowledged writes.  One DB_ENV per process.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/internal.h"

#define LOCKOUT_TRIES	600	/* 50 ms apart: half a minute */

static volatile int panicked;

static void
errcall(const DB_ENV *env, const char *pfx, const char *msg)
{
	/* A replication lockout is waited out, or answered 503: no news. */
	if (strncmp(msg, "BDB3504 ", 8) == 0 || strncmp(msg, "BDB3509 ", 8) == 0)
		return;
	log_err("berkeley db: %s", msg);
}

static void
event(DB_ENV *env, u_int32_t ev, void *info)
{
	if (ev == DB_EVENT_PANIC || ev == DB_EVENT_REG_PANIC)
		panicked = 1;
	else
		repl_event(ev, info);
}

/* True once the environment needs recovery: the process must then exit. */
bool
store_panicked(void)
{
	return panicked != 0;
}

/* Refuses to run against a libdb whose version differs from the headers. */
void
store_version_check(void)
{
	int	 major, minor, patch;

	db_version(&major, &minor, &patch);
	if (major != DB_VERSION_MAJOR || minor != DB_VERSION_MINOR)
		fatal("libdb %d.%d.%d at run time, but built against %d.%d",
		    major, minor, patch, DB_VERSION_MAJOR, DB_VERSION_MINOR);
}

static int
open_db(struct store *st, DB_TXN *tid, DB **dbp, const char *file, int create,
    u_int32_t dbflags)
{
	int	 rc;

	if ((rc = db_create(dbp, st->env, 0)) != 0)
		return rc;
	if (dbflags != 0 && (rc = (*dbp)->set_flags(*dbp, dbflags)) != 0) {
		(*dbp)->close(*dbp, 0);
		*dbp = NULL;
		return rc;
	}
	rc = (*dbp)->open(*dbp, tid, file, NULL, DB_BTREE,
	    create ? DB_CREATE : (tid ? 0 : DB_AUTO_COMMIT), 0600);
	if (rc != 0) {
		(*dbp)->close(*dbp, 0);
		*dbp = NULL;
	}
	return rc;
}

/*
 * Every database of a store: its file, its handle and its flags.  Opened
 * in this order and closed in the reverse one, so that the accessor index,
 * a secondary of the tokens, closes before its primary.
 */
#define STORE_DB(f, h, fl)	{ f, offsetof(struct store, h), fl }
const struct store_db store_dbs[STORE_NDBS] = {
	STORE_DB("runtimes.db", runtimes, 0),
	STORE_DB("tokens.db", tokens, 0),
	STORE_DB("children.db", children, DB_DUP | DB_DUPSORT),
	STORE_DB("policies.db", policies, 0),
	STORE_DB("plugins.db", plugins, 0),
	STORE_DB("runtime_refs.db", runtime_refs, DB_DUP | DB_DUPSORT),
	STORE_DB("meta.db", meta, 0),
	STORE_DB("audit.db", audit, 0),
	STORE_DB("accessors.db", accessors, 0),
};

/* The handle of store_dbs[i] in st. */
DB **
store_db(struct store *st, size_t i)
{
	return (DB **)(void *)((char *)st + store_dbs[i].handle);
}

int
open_dbs(struct store *st, int create)
{
	DB_TXN	*tid = NULL;
	size_t	 i;
	int	 rc = 0;

	if (create && (rc = st->env->txn_begin(st->env, NULL, &tid, 0)) != 0)
		return rc;
	for (i = 0; i < STORE_NDBS && rc == 0; i++)
		rc = open_db(st, tid, store_db(st, i), store_dbs[i].file,
		    create, store_dbs[i].flags);
	/*
	 * Berkeley DB keeps the accessor index in step with the tokens
	 * inside each transaction.  The association lasts as long as the
	 * handles, so every process makes it; the supervisor's DB_CREATE
	 * builds the index from the tokens when it is empty, which is how
	 * a data directory from before the index gets one.
	 */
	if (rc == 0)
		rc = st->tokens->associate(st->tokens, tid, st->accessors,
		    token_accessor_key, create ? DB_CREATE : 0);
	if (rc != 0) {
		if (tid != NULL)
			tid->abort(tid);
		store_dbs_close(st);
		return rc;
	}
	if (tid != NULL && (rc = tid->commit(tid, 0)) != 0) {
		store_dbs_close(st);
		return rc;
	}
	st->dbs_open = true;
	return 0;
}

/*
 * Whether the databases are open, opening them if not (creating them with
 * create): in a replicated group a node that has not caught up yet has
 * none, and only the active node may create them.
 */
bool
store_dbs_ready(struct store *st, bool create)
{
	int	 rc;

	if (st->dbs_open)
		return true;
	if ((rc = open_dbs(st, create)) != 0 && rc != ENOENT)
		log_err("opening the databases: %s", db_strerror(rc));
	return rc == 0;
}

/* Whether the environment holds the databases (meta.db, made last). */
bool
store_has_data(struct store *st)
{
	const char	*home;
	char		*path;
	struct stat	 sb;
	bool		 has;

	if (st->env->get_home(st->env, &home) != 0 || home == NULL)
		return false;
	path = xasprintf("%s/meta.db", home);
	has = stat(path, &sb) == 0;
	free(path);
	return has;
}

/* Closes the database handles, keeping the environment. */
void
store_dbs_close(struct store *st)
{
	DB	**db;
	size_t	 i;
	int	 rc;

	for (i = STORE_NDBS; i-- > 0;)
		if (*(db = store_db(st, i)) != NULL) {
			if ((rc = (*db)->close(*db, 0)) != 0 &&
			    rc != DB_REP_HANDLE_DEAD)
				log_err("closing a database: %s",
				    db_strerror(rc));
			*db = NULL;
		}
	st->dbs_open = false;
}

/* A new handle on the environment in st->env: 0 or the error. */
static int
env_open(struct store *st, const char *home, int flags)
{
	u_int32_t	 oflags = DB_INIT_TXN | DB_INIT_LOCK | DB_INIT_LOG |
			    DB_INIT_MPOOL;
	int		 rc;

	if ((rc = db_env_create(&st->env, 0)) != 0)
		return rc;
	st->env->set_errcall(st->env, errcall);
	st->env->set_event_notify(st->env, event);
	if (store_replicated()) {
		/*
		 * Replication threads share the handle; the site list goes
		 * into the region that recovery creates, and the listener
		 * states it again.
		 */
		oflags |= DB_INIT_REP | DB_THREAD;
		if ((rc = repl_configure(st->env, flags & (STORE_RECOVER |
		    STORE_LISTENER))) != 0) {
			st->env->close(st->env, 0);
			return rc;
		}
	}
	if (flags & STORE_RECOVER) {
		/* Region sizes are fixed when recovery re-creates the regions. */
		oflags |= DB_CREATE | DB_RECOVER;
		st->env->set_cachesize(st->env, 0, 32 * 1024 * 1024, 1);
		st->env->set_lk_max_locks(st->env, 100000);
		st->env->set_lk_max_objects(st->env, 100000);
		st->env->set_lk_max_lockers(st->env, 10000);
		st->env->set_lk_detect(st->env, DB_LOCK_DEFAULT);
		/* Small log files, so checkpoints can free disk in small steps. */
		st->env->set_lg_max(st->env, 1024 * 1024);
	}
	if ((rc = st->env->open(st->env, home, oflags, 0600)) != 0)
		st->env->close(st->env, 0);
	return rc;
}

struct store *
store_open(const char *home, int flags)
{
	struct store	*st = xcalloc(1, sizeof *st);
	int		 rc, tries;

	/*
	 * A panic belongs to the handle that saw it: the supervisor's failed
	 * recovery must not make the workers it forks later exit at once.
	 */
	panicked = 0;
	/*
	 * A member of a replicated group that is catching up is locked out
	 * for a while (NOWAIT says so at once): a process joining it waits.
	 */
	for (tries = 0; (rc = env_open(st, home, flags)) == DB_REP_LOCKOUT &&
	    tries < LOCKOUT_TRIES; tries++)
		nanosleep(&(struct timespec){ 0, 50000000L }, NULL);
	if (rc != 0) {
		log_err("opening the environment in %s: %s", home,
		    db_strerror(rc));
		free(st);
		return NULL;
	}
	if (store_replicated()) {
		/*
		 * Only the active node writes, so only it creates databases
		 * (the replication process, once elected); everyone else
		 * opens them when they exist.  Subordinates connect before
		 * their first commit.
		 */
		if (!(flags & (STORE_RECOVER | STORE_LISTENER)) &&
		    (repl_nowait(st->env) != 0 || repl_join(st->env) != 0)) {
			store_close(st);
			return NULL;
		}
		if (!(flags & (STORE_RECOVER | STORE_LISTENER)))
			store_dbs_ready(st, false);
		return st;
	}
	if ((rc = open_dbs(st, flags & STORE_RECOVER)) != 0) {
		log_err("opening the databases in %s: %s", home, db_strerror(rc));
		store_close(st);
		return NULL;
	}
	return st;
}

void
store_close(struct store *st)
{
	int	 rc;

	store_dbs_close(st);
	if ((rc = st->env->close(st->env, 0)) != 0)
		log_err("closing the environment: %s", db_strerror(rc));
	free(st);
}

/*
 * Writes a checkpoint and, with trim, removes the log files no longer
 * needed for normal recovery (never while a backup copies them).
 */
int
store_checkpoint(struct store *st, bool trim)
{
	int	 rc;

	/* A standby gets the active node's checkpoints; it trims alone. */
	if ((rc = st->env->txn_checkpoint(st->env, 0, 0, 0)) != 0 &&
	    !(store_replicated() && (rc == EACCES || rc == DB_REP_LOCKOUT))) {
		log_err("checkpoint: %s", db_strerror(rc));
		return -1;
	}
	if (trim && (rc = st->env->log_archive(st->env, NULL,
	    DB_ARCH_REMOVE)) != 0) {
		log_err("removing old logs: %s", db_strerror(rc));
		return -1;
	}
	return 0;
}
