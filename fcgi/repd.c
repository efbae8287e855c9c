/*
 * repd.c: the replication process of a node in a replicated group.  The
 * supervisor forks it first, after recovery; it starts Berkeley DB's
 * Replication Manager as the listener (elections, the replication port),
 * and only once that returned does the supervisor fork the workers, which
 * join as subordinates.  Every 10 ms it publishes the node's role, the
 * active node's address and the members it is connected to on the shared
 * page; a change of membership (a node joining the group) tells the
 * supervisor to fork the workers again, since a subordinate never connects
 * to a member that joined after it started.  When this node becomes the
 * active one it creates the databases if there are none (the first start
 * of the group), the salt and the root token, and announces its api_addr
 * in the replicated meta table; a standby asks the active node (over a
 * Replication Manager channel) to record its own, so that every node can
 * tell clients where the others are.  It never forks (Berkeley DB's rule
 * for a process running the Replication Manager).
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fcgi/fcgi.h"

#define TICK_MS		10
#define ANNOUNCE_MS	2000
#define NODE_MAGIC	"catalogd-node"
#define PENDING_MAX	8
#define WORKERS_WAIT_MS	3000

static struct shared	*sh;
static const struct config *cfg;

/* Announcements received from standbys, waiting for the main loop. */
static pthread_mutex_t	 pending_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char		*addr;
	struct node_rec	 n;
}			 pending[PENDING_MAX];
static int		 npending;

/* A copy of the state repd published, consistent. */
void
ha_read(struct repl_view *v, int64_t *since)
{
	uint32_t	 s0, s1;

	do {
		s0 = __atomic_load_n(&shared->ha.seq, __ATOMIC_ACQUIRE);
		memcpy(v, &shared->ha.view, sizeof *v);
		if (since != NULL)
			*since = shared->ha.active_since;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s1 = __atomic_load_n(&shared->ha.seq, __ATOMIC_RELAXED);
	} while ((s0 & 1) != 0 || s0 != s1);
}

static void
publish(const struct repl_view *v, int64_t since)
{
	__atomic_add_fetch(&sh->ha.seq, 1, __ATOMIC_ACQ_REL);
	memcpy(&sh->ha.view, v, sizeof *v);
	sh->ha.active_since = since;
	__atomic_add_fetch(&sh->ha.seq, 1, __ATOMIC_RELEASE);
}

/* "catalogd-node", address, api_addr, host name, version: NUL-ended. */
static void
node_message(struct buf *b, const char *addr, const struct node_rec *n)
{
	const char	*f[] = { NODE_MAGIC, addr, n->api_addr, n->hostname,
			    n->version };
	size_t		 i;

	for (i = 0; i < sizeof f / sizeof f[0]; i++)
		buf_add(b, f[i], strlen(f[i]) + 1);
}

/* A message thread's: a standby's announcement, queued for the loop. */
static void
on_message(const void *msg, size_t len)
{
	const char	*p = msg, *end = p + len, *f[5];
	size_t		 i;

	for (i = 0; i < 5; i++) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));

		if (nul == NULL)
			return;
		f[i] = p;
		p = nul + 1;
	}
	if (strcmp(f[0], NODE_MAGIC) != 0 || strlen(f[1]) >= REPL_ADDR_LEN)
		return;
	pthread_mutex_lock(&pending_lock);
	if (npending < PENDING_MAX) {
		pending[npending].addr = xstrdup(f[1]);
		pending[npending].n.api_addr = xstrdup(f[2]);
		pending[npending].n.hostname = xstrdup(f[3]);
		pending[npending].n.version = xstrdup(f[4]);
		npending++;
	}
	pthread_mutex_unlock(&pending_lock);
}

static void
self_record(struct node_rec *n)
{
	char	 host[256];

	if (gethostname(host, sizeof host) == -1)
		strcpy(host, "localhost");
	host[sizeof host - 1] = '\0';
	n->api_addr = xstrdup(cfg->api_addr);
	n->hostname = xstrdup(host);
	n->version = xstrdup(PACKAGE_VERSION);
}

static bool
same_node(const struct node_rec *a, const struct node_rec *b)
{
	return strcmp(a->api_addr, b->api_addr) == 0 &&
	    strcmp(a->hostname, b->hostname) == 0 &&
	    strcmp(a->version, b->version) == 0;
}

struct node_arg {
	const char		*addr;
	const struct node_rec	*n;
	bool			 same;	/* stored and equal */
};

/* Whether the stored record of a->addr equals a->n (in a->same). */
static int
node_read_txn(struct txn *t, void *arg)
{
	struct node_arg	*a = arg;
	struct node_rec	 old;
	int		 rc;

	a->same = false;
	if ((rc = node_get(t, a->addr, &old)) != 0)
		return rc == 1 ? 0 : -1;
	a->same = same_node(&old, a->n);
	node_rec_free(&old);
	return 0;
}

/* The record of a->addr becomes a->n, unless it is already. */
static int
node_write_txn(struct txn *t, void *arg)
{
	struct node_arg	*a = arg;

	if (node_read_txn(t, a) == -1)
		return -1;
	return a->same ? 0 : node_put(t, a->addr, a->n);
}

/*
 * This node just became the active one: the databases (created on the
 * group's first start), the salt, the root token and the cluster id,
 * then its own node record.  The databases are closed again, so that
 * this process never holds a handle a rollback kills.
 */
static bool
become_active(struct store *st)
{
	struct node_rec	 self;
	struct node_arg	 a;
	bool		 ok;

	/* Creating is for the group's first start only. */
	if (!store_dbs_ready(st, false) && !store_dbs_ready(st, true))
		return false;
	ok = supervisor_initialise(st) == 0;
	if (ok) {
		self_record(&self);
		a.addr = cfg->repl_addr;
		a.n = &self;
		a.same = false;
		/* Unacknowledged, it is still committed here: go on. */
		if (txn_run(st, node_write_txn, &a) != 0)
			log_warn("announcing this node: not acknowledged yet");
		node_rec_free(&self);
	}
	store_dbs_close(st);
	return ok;
}

/* The announcements standbys sent, recorded by the active node. */
static void
record_pending(struct store *st)
{
	struct node_arg	 a;
	int		 i, n;

	pthread_mutex_lock(&pending_lock);
	n = npending;
	pthread_mutex_unlock(&pending_lock);
	if (n == 0 || !store_dbs_ready(st, false))
		return;
	pthread_mutex_lock(&pending_lock);
	for (i = 0; i < npending; i++) {
		a.addr = pending[i].addr;
		a.n = &pending[i].n;
		a.same = false;
		if (txn_run(st, node_write_txn, &a) == 0 && !a.same)
			log_info("node %s announced %s", a.addr,
			    a.n->api_addr);
		free(pending[i].addr);
		node_rec_free(&pending[i].n);
	}
	npending = 0;
	pthread_mutex_unlock(&pending_lock);
	store_dbs_close(st);
}

/*
 * A standby that caught up: unless the replicated meta table already has
 * this node's record as it is, ask the active node to write it.
 */
static void
announce(struct store *st)
{
	struct node_rec	 self;
	struct node_arg	 a;
	struct buf	 msg;

	if (!store_dbs_ready(st, false))
		return;
	self_record(&self);
	a.addr = cfg->repl_addr;
	a.n = &self;
	if (txn_run(st, node_read_txn, &a) == 0 && !a.same) {
		buf_init(&msg);
		node_message(&msg, cfg->repl_addr, &self);
		store_repl_send(st, msg.data, msg.len);
		buf_free(&msg);
	}
	node_rec_free(&self);
	store_dbs_close(st);
}

/* Every cached token, policy, audit device and salt may be stale now. */
static void
caches_stale(void)
{
	__atomic_add_fetch(&sh->auth_changes, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&sh->audit_gen, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&sh->data_gen, 1, __ATOMIC_SEQ_CST);
}

void
repd_run(const struct config *c, struct slot *slot, struct shared *s)
{
	struct repl_view v, last;
	struct store	*st;
	struct timespec	 tick = { 0, TICK_MS * 1000000L };
	sigset_t	 mask;
	int64_t		 since = 0, next_flush = 0, next_announce = 0, now;
	int64_t		 started;
	int		 rc, sig, members = 0;
	bool		 active = false, waiting = false, fresh = false;
	bool		 set_up = false;	/* become_active done */
	bool		 had;

	cfg = c;
	sh = s;
	log_init("catalogd-repl");
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if ((st = store_open(cfg->dbhome, STORE_LISTENER)) == NULL)
		_exit(EXIT_RECOVER);
	while ((rc = store_repl_start(st, on_message)) == 1) {
		if (!waiting)
			log_info("waiting for a member of the group to answer "
			    "(%s)", cfg->repl_addr);
		waiting = true;
		if ((sig = sigtimedwait(&mask, NULL, &(struct timespec){ 0,
		    200000000L })) == SIGTERM || sig == SIGINT) {
			store_close(st);
			exit(0);
		}
	}
	if (rc == -1)
		_exit(EXIT_RECOVER);
	log_info("replication started on %s", cfg->repl_addr);
	started = now_ms();
	memset(&last, 0, sizeof last);
	publish(&last, 0);
	for (;;) {
		sig = sigtimedwait(&mask, NULL, &tick);
		if (sig == SIGTERM || sig == SIGINT)
			break;
		if (sig == SIGHUP && log_reopen() == -1)
			log_err("reopening the log: %s", strerror(errno));
		if (store_panicked())
			_exit(EXIT_RECOVER);
		/*
		 * The supervisor forks the workers once this node knows its
		 * role and has its data (the active node's databases exist, a
		 * standby caught up), so that they open their databases
		 * outside any request; after WORKERS_WAIT_MS it forks them
		 * anyway, to answer (500, 503) while no node is active.
		 */
		if (!__atomic_load_n(&slot->ready, __ATOMIC_ACQUIRE) &&
		    ((last.role == REPL_MASTER) || (last.role == REPL_CLIENT &&
		    last.startup_done) || now_ms() - started > WORKERS_WAIT_MS))
			__atomic_store_n(&slot->ready, 1, __ATOMIC_RELEASE);
		if (store_repl_dupmaster())
			log_warn("another node was active at the same time; "
			    "this one stands by");
		if (!(fresh = store_repl_view(st, &v) == 0))
			v = last;
		now = now_ms();
		if (v.role == REPL_MASTER && !active) {
			/*
			 * A node that holds the group's data serves as the
			 * active node at once (its workers have the databases
			 * open); its own setup, which opens them here and
			 * waits for the standbys' acks, follows.  The group's
			 * very first active node sets up first: nobody could
			 * be authenticated before the root token exists.
			 */
			had = store_has_data(st);
			if (had || become_active(st)) {
				active = true;
				set_up = !had;
				since = (int64_t)time(NULL);
				if (store_repl_lost_at() != 0)
					log_info("this node is the active node, "
					    "%lld ms after the last one was "
					    "lost", (long long)(now_ms() -
					    store_repl_lost_at()));
				else
					log_info("this node is the active "
					    "node");
				caches_stale();
			}
		} else if (v.role != REPL_MASTER && active) {
			active = false;
			set_up = false;
			since = 0;
			log_info("this node stands by");
			caches_stale();
		}
		if (v.role == REPL_MASTER && !active) {
			v.role = REPL_NONE;
			v.master[0] = '\0';
		}
		if (fresh && v.members != members) {
			log_info("a node joined or left the group: forking "
			    "the workers again");
			__atomic_add_fetch(&sh->ha.members_gen, 1,
			    __ATOMIC_SEQ_CST);
		}
		if (fresh)
			members = v.members;
		if (memcmp(&v, &last, sizeof v) != 0 || since !=
		    sh->ha.active_since) {
			publish(&v, since);
			last = v;
		}
		if (now >= next_flush) {
			store_repl_flush(st);
			next_flush = now + 1000;
		}
		if (active && !set_up)
			set_up = become_active(st);
		if (active && set_up)
			record_pending(st);
		else if (v.role == REPL_CLIENT && v.startup_done &&
		    v.master[0] != '\0' && now >= next_announce) {
			announce(st);
			next_announce = now + ANNOUNCE_MS;
		}
	}
	store_close(st);
	exit(0);
}
