/*
 * stats.c: what a metrics scrape reads from Berkeley DB, inside the
 * scrape's transaction: the number of runtimes, plugins and policies
 * (DB->stat, which walks each tree; the catalogs are small), the tokens
 * that have not expired (a scan, as Vault counts its token store), and the
 * environment's cache and log statistics, which restart at every recovery.
 * A value that cannot be read is left at -1 and its series left out.
 */
#include "config.h"

#include <stdlib.h>
#include <time.h>

#include "db/internal.h"

static int64_t
keys(struct txn *t, DB *db)
{
	DB_BTREE_STAT	*sp;
	int64_t		 n;
	int		 rc;

	if ((rc = db->stat(db, t->tid, &sp, 0)) != 0) {
		txn_fail(t, rc, "DB->stat");
		return -1;
	}
	n = (int64_t)sp->bt_nkeys;
	free(sp);
	return n;
}

struct live {
	int64_t	 now, n;
};

static int
count_live(const unsigned char *hash, const struct token_rec *tok, void *arg)
{
	struct live	*l = arg;

	(void)hash;
	if (tok->expire == 0 || tok->expire > l->now)
		l->n++;
	return 0;
}

/* Fills the storage fields of x; 0, or -1 after txn_fail (a deadlock). */
int
store_metrics(struct txn *t, struct metrics_now *x)
{
	DB_ENV		*env = t->store->env;
	DB_MPOOL_STAT	*mp;
	DB_LOG_STAT	*lp;
	struct live	 l = { (int64_t)time(NULL), 0 };

	if ((x->runtimes = keys(t, t->store->runtimes)) == -1 ||
	    (x->plugins = keys(t, t->store->plugins)) == -1 ||
	    (x->policies = keys(t, t->store->policies)) == -1)
		return -1;
	if (tokens_each(t, count_live, &l) == -1)
		return -1;
	x->tokens = l.n;
	x->cache_hits = x->cache_misses = -1;
	if (env->memp_stat(env, &mp, NULL, 0) == 0) {
		x->cache_hits = (int64_t)mp->st_cache_hit;
		x->cache_misses = (int64_t)mp->st_cache_miss;
		free(mp);
	}
	x->log_bytes = x->log_flushes = -1;
	if (env->log_stat(env, &lp, 0) == 0) {
		x->log_bytes = (int64_t)lp->st_w_mbytes * 1048576 +
		    (int64_t)lp->st_w_bytes;
		x->log_flushes = (int64_t)lp->st_scount;
		free(lp);
	}
	return 0;
}
