/*
 * txn.c: the one transaction skeleton.  Begin, run the operation, commit;
 * on DB_LOCK_DEADLOCK or DB_LOCK_NOTGRANTED abort FIRST, back off with
 * jitter, and retry a bounded number of times.  A live transaction is
 * aborted on every path that does not commit, and nothing touches it after
 * commit or abort.  Durability: the log is flushed before txn_run returns
 * 0 (never DB_TXN_NOSYNC, which loses acknowledged writes on a crash).  txn_status is the one place that turns a storage error
 * into an HTTP status.  Commits, aborts and deadlock retries are counted
 * here (lib/metrics.c).
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "db/internal.h"

#define TXN_ATTEMPTS	8

static bool	 storage_failed;

/*
 * The counter of token and policy changes that every process shares: a
 * transaction that wrote either adds one after its commit.
 */
void
store_share_auth_changes(struct store *st, uint64_t *counter)
{
	st->auth_changes = counter;
}

uint64_t
store_auth_changes(const struct store *st)
{
	return st->auth_changes == NULL ? 0 :
	    __atomic_load_n(st->auth_changes, __ATOMIC_SEQ_CST);
}

/* True if the last transaction failed for want of storage. */
bool
store_failing(void)
{
	return storage_failed;
}

static int
txn_status(int err)
{
	switch (err) {
	case DB_LOCK_DEADLOCK:
	case DB_LOCK_NOTGRANTED:
		return 503;
	case DB_RUNRECOVERY:
	case EIO:
	case ENOSPC:
	case EDQUOT:
	case EROFS:
		/* The disk, not the request: retrying later can succeed. */
		storage_failed = true;
		return 503;
	default:
		return 500;
	}
}

static void
backoff(int attempt)
{
	struct timespec	 ts;
	unsigned char	 r;
	long		 ms;

	random_bytes(&r, 1);
	ms = 1 + (r % (4 << (attempt < 3 ? attempt : 3)));
	ts.tv_sec = 0;
	ts.tv_nsec = ms * 1000000L;
	nanosleep(&ts, NULL);
}

/* Records a failed Berkeley DB call in the transaction; returns -1. */
int
txn_fail(struct txn *t, int err, const char *what)
{
	t->err = err;
	if (err != DB_LOCK_DEADLOCK && err != DB_LOCK_NOTGRANTED)
		log_err("%s: %s", what, db_strerror(err));
	return -1;
}

/*
 * Runs fn inside a transaction.  fn returns 0 to commit, an HTTP status to
 * abort with that answer, or -1 after txn_fail.  The result is 0 once the
 * commit returned 0 (and only then), fn's status, or 500/503.
 */
int
txn_run(struct store *st, txn_fn fn, void *arg)
{
	struct txn	 t;
	int		 attempt, rc, err;

	storage_failed = false;
	for (attempt = 0; attempt < TXN_ATTEMPTS; attempt++) {
		memset(&t, 0, sizeof t);
		t.store = st;
		if ((err = st->env->txn_begin(st->env, NULL, &t.tid, 0)) != 0) {
			log_err("txn_begin: %s", db_strerror(err));
			return txn_status(err);
		}
		rc = fn(&t, arg);
		if (rc == 0) {
			/*
			 * Commit, releasing the locks, and only then flush
			 * the log: writers of one page no longer wait for each
			 * other's flushes, so concurrent commits share a flush.
			 * The caller answers only after the flush returned 0,
			 * so an acknowledged write is on disk all the same.
			 */
			err = t.tid->commit(t.tid, DB_TXN_WRITE_NOSYNC);
			/*
			 * Committed: a token or policy change makes every
			 * process's cached authentication stale, before anyone
			 * is told the change is done.
			 */
			if (err == 0 && t.auth_changed && st->auth_changes)
				__atomic_add_fetch(st->auth_changes, 1,
				    __ATOMIC_SEQ_CST);
			if (err == 0) {
				metrics_add(M_TXN_COMMITS);
				if (t.wrote)
					metrics_add(M_TXN_WRITE_COMMITS);
			} else
				metrics_add(M_TXN_ABORTS);
			if (err == 0 && (err = st->env->log_flush(st->env,
			    NULL)) == 0)
				return 0;
			log_err("commit: %s", db_strerror(err));
			return txn_status(err);
		}
		if ((err = t.tid->abort(t.tid)) != 0)
			log_err("abort: %s", db_strerror(err));
		metrics_add(M_TXN_ABORTS);
		if (rc > 0)
			return rc;
		if (t.err != DB_LOCK_DEADLOCK && t.err != DB_LOCK_NOTGRANTED)
			return txn_status(t.err);
		metrics_add(M_TXN_DEADLOCKS);
		backoff(attempt);
	}
	log_warn("transaction still deadlocked after %d attempts", attempt);
	return 503;
}
