/*
 * repl.c: a replicated group on Berkeley DB's Replication Manager.  One
 * process of a node, the replication process, starts it as the listener
 * (elections, the listening socket, the message threads); every other
 * process of the node joins as a subordinate, which ships its own commits
 * over its own connections and hears only of PERM_FAILED (a commit the
 * quorum did not acknowledge in time).  The setup is Oracle's multi-process
 * recipe: the site list is set before the recovery that creates the
 * region, the listener starts before anyone else, and a process that runs
 * the Replication Manager never forks.  Timeouts are shortened from the
 * defaults (elections retried after 10 s, reconnections after 30 s, no
 * heartbeats) so that a lost active node is replaced within a second or
 * two; acknowledgements follow the QUORUM policy, so a commit that returns
 * with no PERM_FAILED is on the disks of a majority of the group.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/internal.h"

#define PRIORITY		100
#define ACK_TIMEOUT_US		1000000
#define HEARTBEAT_SEND_US	500000
#define HEARTBEAT_MONITOR_US	2000000
#define ELECTION_RETRY_US	200000
#define CONNECTION_RETRY_US	500000
#define ELECTION_TIMEOUT_US	2000000

static const struct repl_conf	*conf;

/* What the event callback learnt, read by the process that owns it. */
static int	 ev_role;		/* REPL_NONE until an event says */
static int	 ev_master = DB_EID_INVALID;
static int	 ev_startup_done;
static int	 ev_dupmaster;
static int	 perm_failed;
static int	 membership;	/* sites added to or removed from the group */
static int64_t	 lost_at;	/* when the active node was lost (ms) */

/* The channel message handler of the listener (store_repl_receive). */
static void	(*receiver)(const void *, size_t);

/* Replication on, for every store_open from now on (before any fork). */
void
store_repl_setup(const struct repl_conf *c)
{
	conf = c;
	nodelay_enabled = true;
}

bool
store_replicated(void)
{
	return conf != NULL;
}

/*
 * Called by store.c's event callback, in whichever thread the event
 * happened; PERM_FAILED comes in the committing thread itself.
 */
void
repl_event(u_int32_t ev, void *info)
{
	switch (ev) {
	case DB_EVENT_REP_PERM_FAILED:
		__atomic_store_n(&perm_failed, 1, __ATOMIC_SEQ_CST);
		break;
	case DB_EVENT_REP_MASTER:
		__atomic_store_n(&ev_role, REPL_MASTER, __ATOMIC_SEQ_CST);
		break;
	case DB_EVENT_REP_CLIENT:
		__atomic_store_n(&ev_role, REPL_CLIENT, __ATOMIC_SEQ_CST);
		break;
	case DB_EVENT_REP_NEWMASTER:
		__atomic_store_n(&ev_master, *(int *)info, __ATOMIC_SEQ_CST);
		break;
	case DB_EVENT_REP_STARTUPDONE:
		__atomic_store_n(&ev_startup_done, 1, __ATOMIC_SEQ_CST);
		break;
	case DB_EVENT_REP_SITE_ADDED:
	case DB_EVENT_REP_SITE_REMOVED:
		__atomic_add_fetch(&membership, 1, __ATOMIC_SEQ_CST);
		break;
	case DB_EVENT_REP_DUPMASTER:
		__atomic_store_n(&ev_dupmaster, 1, __ATOMIC_SEQ_CST);
		break;
	case DB_EVENT_REP_MASTER_FAILURE:
		__atomic_store_n(&ev_master, DB_EID_INVALID, __ATOMIC_SEQ_CST);
		__atomic_store_n(&lost_at, now_ms(), __ATOMIC_SEQ_CST);
		break;
	default:
		break;
	}
}

/* Clears the flag before a commit; true if the commit was not acked. */
void
repl_perm_reset(void)
{
	__atomic_store_n(&perm_failed, 0, __ATOMIC_SEQ_CST);
}

bool
repl_perm_failed(void)
{
	return __atomic_load_n(&perm_failed, __ATOMIC_SEQ_CST) != 0;
}

/*
 * Before DB_ENV->open: the local site and the peers (as bootstrap helpers,
 * used only to join), and the timeouts and policies.  Every process sets
 * the same values.
 */
int
repl_configure(DB_ENV *env, bool sites)
{
	DB_SITE	*s;
	size_t	 i;
	int	 rc;

	if (sites) {
		if ((rc = env->repmgr_site(env, conf->host, conf->port, &s,
		    0)) != 0)
			return rc;
		s->set_config(s, DB_LOCAL_SITE, 1);
		if (conf->bootstrap)
			s->set_config(s, DB_GROUP_CREATOR, 1);
		s->close(s);
		for (i = 0; i < conf->npeers; i++) {
			if ((rc = env->repmgr_site(env, conf->peer_host[i],
			    conf->peer_port[i], &s, 0)) != 0)
				return rc;
			s->set_config(s, DB_BOOTSTRAP_HELPER, 1);
			s->close(s);
		}
	}
	if ((rc = env->rep_set_timeout(env, DB_REP_ACK_TIMEOUT,
	    ACK_TIMEOUT_US)) != 0 ||
	    (rc = env->rep_set_timeout(env, DB_REP_HEARTBEAT_SEND,
	    HEARTBEAT_SEND_US)) != 0 ||
	    (rc = env->rep_set_timeout(env, DB_REP_HEARTBEAT_MONITOR,
	    HEARTBEAT_MONITOR_US)) != 0 ||
	    (rc = env->rep_set_timeout(env, DB_REP_ELECTION_RETRY,
	    ELECTION_RETRY_US)) != 0 ||
	    (rc = env->rep_set_timeout(env, DB_REP_CONNECTION_RETRY,
	    CONNECTION_RETRY_US)) != 0 ||
	    (rc = env->rep_set_timeout(env, DB_REP_ELECTION_TIMEOUT,
	    ELECTION_TIMEOUT_US)) != 0 ||
	    /*
	     * A checkpoint on the active node otherwise waits 30 s after
	     * telling the standbys to flush, with replication's operation
	     * count held: a node joining meanwhile waits for it, and every
	     * request with it (observed: the watchdog fired).
	     */
	    (rc = env->rep_set_timeout(env, DB_REP_CHECKPOINT_DELAY, 0)) != 0 ||
	    (rc = env->repmgr_set_ack_policy(env,
	    DB_REPMGR_ACKS_QUORUM)) != 0 ||
	    (rc = env->rep_set_priority(env, PRIORITY)) != 0)
		return rc;
	return 0;
}

static void
dispatch(DB_ENV *env, DB_CHANNEL *ch, DBT *msg, u_int32_t n, u_int32_t flags)
{
	void	(*fn)(const void *, size_t) = receiver;

	if (fn != NULL && n == 1)
		fn(msg[0].data, msg[0].size);
	/* Nobody waits for an answer: send_msg, never send_request. */
	(void)ch;
	(void)flags;
}

/*
 * The listener: 0 once started, 1 when no helper or master can be reached
 * yet (the caller retries), -1 on failure.  fn receives the messages other
 * nodes send with store_repl_send while this node is the active one; it
 * runs in a message thread.
 */
int
store_repl_start(struct store *st, void (*fn)(const void *, size_t))
{
	int	 rc;

	receiver = fn;
	if ((rc = st->env->repmgr_msg_dispatch(st->env, dispatch, 0)) != 0) {
		log_err("repmgr_msg_dispatch: %s", db_strerror(rc));
		return -1;
	}
	rc = st->env->repmgr_start(st->env, 3, DB_REP_ELECTION);
	if (rc == DB_REP_UNAVAIL)
		return 1;
	if (rc != 0) {
		log_err("starting replication: %s", db_strerror(rc));
		return -1;
	}
	return 0;
}

/*
 * After DB_ENV->open, in the processes that serve requests: a lockout is
 * answered at once (DB_REP_LOCKOUT, then 503) instead of with 5 s sleeps.
 * Set before the open, it made a joining node's own synchronisation wait
 * for ever (observed with Debian's libdb 5.3.28): only here, after it.
 */
int
repl_nowait(DB_ENV *env)
{
	return env->rep_set_config(env, DB_REP_CONF_NOWAIT, 1);
}

/*
 * A subordinate: its own connections to every member, so that its commits
 * are shipped and acknowledged.  The listener exists (it started first),
 * so Berkeley DB answers DB_REP_IGNORE.
 */
int
repl_join(DB_ENV *env)
{
	int	 rc;

	rc = env->repmgr_start(env, 0, DB_REP_CLIENT);
	if (rc != 0 && rc != DB_REP_IGNORE) {
		log_err("joining replication: %s", db_strerror(rc));
		return rc;
	}
	return 0;
}

static void
site_addr(DB_ENV *env, int eid, char out[REPL_ADDR_LEN])
{
	DB_SITE		*s;
	const char	*host;
	u_int		 port;

	out[0] = '\0';
	if (eid < 0 || env->repmgr_site_by_eid(env, eid, &s) != 0)
		return;
	if (s->get_address(s, &host, &port) == 0)
		snprintf(out, REPL_ADDR_LEN, "%s:%u", host, port);
	s->close(s);
}

/*
 * The listener's view of the group: its role (from the events first, which
 * come before rep_stat says so), the active node's address and the other
 * members.  0, or -1 when Berkeley DB cannot say right now (a lockout):
 * the caller keeps its last view.
 */
int
store_repl_view(struct store *st, struct repl_view *v)
{
	DB_ENV		*env = st->env;
	DB_REP_STAT	*rs;
	DB_REPMGR_SITE	*list = NULL;
	u_int		 n = 0, i;
	int		 role, master, members;

	if (env->rep_stat(env, &rs, 0) != 0)
		return -1;
	role = __atomic_load_n(&ev_role, __ATOMIC_SEQ_CST);
	if (role == REPL_NONE)
		role = rs->st_status == DB_REP_MASTER ? REPL_MASTER :
		    rs->st_status == DB_REP_CLIENT ? REPL_CLIENT : REPL_NONE;
	master = rs->st_master;
	members = __atomic_load_n(&membership, __ATOMIC_SEQ_CST);
	if (master == DB_EID_INVALID)
		master = __atomic_load_n(&ev_master, __ATOMIC_SEQ_CST);
	free(rs);
	memset(v, 0, sizeof *v);
	v->role = role;
	v->members = members;
	v->startup_done = role == REPL_MASTER ||
	    __atomic_load_n(&ev_startup_done, __ATOMIC_SEQ_CST) != 0;
	if (role == REPL_MASTER)
		snprintf(v->master, sizeof v->master, "%s:%u", conf->host,
		    conf->port);
	else if (role == REPL_CLIENT)
		site_addr(env, master, v->master);
	if (env->repmgr_site_list(env, &n, &list) != 0)
		return -1;
	for (i = 0; i < n && v->nsites < REPL_MAX_SITES; i++) {
		snprintf(v->sites[v->nsites].addr, REPL_ADDR_LEN, "%s:%u",
		    list[i].host, list[i].port);
		v->sites[v->nsites].connected = list[i].status ==
		    DB_REPMGR_CONNECTED;
		/*
		 * A client keeps naming a lost active node until an
		 * election names another: one it has no connection to is
		 * no active node it can send anyone to.
		 */
		if (role == REPL_CLIENT && list[i].eid == master &&
		    list[i].status != DB_REPMGR_CONNECTED)
			v->master[0] = '\0';
		v->nsites++;
	}
	free(list);
	return 0;
}

/* True once since the last call: another node was active at the same time. */
bool
store_repl_dupmaster(void)
{
	return __atomic_exchange_n(&ev_dupmaster, 0, __ATOMIC_SEQ_CST) != 0;
}

/*
 * When this listener last lost the active node (now_ms), or 0:
 * the start of a failover, for the log.
 */
int64_t
store_repl_lost_at(void)
{
	return __atomic_load_n(&lost_at, __ATOMIC_SEQ_CST);
}

/* Sends one message to the active node's listener: 0 or -1. */
int
store_repl_send(struct store *st, const void *msg, size_t len)
{
	DB_CHANNEL	*ch;
	DBT		 d;
	int		 rc;

	if ((rc = st->env->repmgr_channel(st->env, DB_EID_MASTER, &ch,
	    0)) != 0)
		return -1;
	memset(&d, 0, sizeof d);
	d.data = (void *)msg;
	d.size = (u_int32_t)len;
	rc = ch->send_msg(ch, &d, 1, 0);
	ch->close(ch, 0);
	return rc == 0 ? 0 : -1;
}

/* Asks the listener to send what the clients miss (db_replicate does). */
void
store_repl_flush(struct store *st)
{
	st->env->rep_flush(st->env);
}
