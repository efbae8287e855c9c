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

static const char *refusal;	/* why the last transaction got 503 */
static bool	 handles_dead;

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

/*
 * Why the last transaction was answered 503, in words for the client, or
 * NULL for a plain "busy" (deadlocks that outlasted the retries).
 */
const char *
store_refusal(void)
{
	return refusal;
}

/*
 * True once a rollback in a replicated group made this process's handles
 * useless: it must exit (after its answer) and be forked again.
 */
bool
store_handles_dead(void)
{
	return handles_dead;
}


static int
txn_status(int err)
{
	switch (err) {
	case DB_LOCK_DEADLOCK:
	case DB_LOCK_NOTGRANTED:
		return 503;
	case EACCES:
		/* A write on a node that is no longer the active one. */
		refusal = "this node stopped being the active node during the "
		    "request; it was not applied, retry";
		return 503;
	case DB_REP_LOCKOUT:
		refusal = "the replicated group is changing its active node; "
		    "retry";
		return 503;
	case DB_REP_HANDLE_DEAD:
		handles_dead = true;
		refusal = "the replicated group rolled back this node's data; "
		    "retry";
		return 503;
	case DB_RUNRECOVERY:
	case EIO:
	case ENOSPC:
	case EDQUOT:
	case EROFS:
		/* The disk, not the request: retrying later can succeed. */
		refusal = "storage failure; the request may not have been "
		    "applied, retry later";
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

/*
 * Errors worth another attempt: a deadlock, and a replication lockout (the
 * node is changing role; database calls inside it say DB_LOCK_DEADLOCK).
 */
static bool
retryable(int err)
{
	return err == DB_LOCK_DEADLOCK || err == DB_LOCK_NOTGRANTED ||
	    err == DB_REP_LOCKOUT;
}

/* Records a failed Berkeley DB call in the transaction; returns -1. */
int
txn_fail(struct txn *t, int err, const char *what)
{
	t->err = err;
	if (!retryable(err) && err != EACCES)
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

	refusal = NULL;
	if (!st->dbs_open && !store_dbs_ready(st, false)) {
		refusal = "this node has not received the data from the active "
		    "node yet; retry";
		return 503;
	}
	for (attempt = 0; attempt < TXN_ATTEMPTS; attempt++) {
		memset(&t, 0, sizeof t);
		t.store = st;
		if ((err = st->env->txn_begin(st->env, NULL, &t.tid, 0)) != 0) {
			if (err == DB_REP_LOCKOUT) {
				backoff(attempt);
				continue;
			}
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
			repl_perm_reset();
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
			    NULL)) == 0 && !repl_perm_failed())
				return 0;
			if (err == 0) {
				/*
				 * Committed and flushed here, but the quorum
				 * did not acknowledge it in time: it may be
				 * rolled back by an election, or persist.
				 */
				refusal = "write not acknowledged by a quorum "
				    "of the replicated group; it may or may "
				    "not persist";
				metrics_add(M_REPL_UNACKED);
				return 503;
			}
			log_err("commit: %s", db_strerror(err));
			return txn_status(err);
		}
		if ((err = t.tid->abort(t.tid)) != 0)
			log_err("abort: %s", db_strerror(err));
		metrics_add(M_TXN_ABORTS);
		if (rc > 0)
			return rc;
		if (!retryable(t.err))
			return txn_status(t.err);
		metrics_add(M_TXN_DEADLOCKS);
		backoff(attempt);
	}
	log_warn("transaction still deadlocked after %d attempts", attempt);
	return txn_status(t.err == 0 ? DB_REP_LOCKOUT : t.err);
}
