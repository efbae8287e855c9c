/*
 * worker.c: the supervisor's children.  A worker joins the environment the
 * supervisor recovered (never recovering itself), then accepts on the
 * shared socket until told to stop, until it has served max_requests (a
 * leak backstop: the supervisor replaces it without a recovery cycle), or
 * until Berkeley DB reports a panic, when it exits with EXIT_RECOVER after
 * its answer.  While it serves a request, its slot in the page it shares
 * with the supervisor holds the time the request began: the watchdog kills
 * a worker that stays in one request too long (it may hold locks everyone
 * else waits for).  SIGTERM and SIGHUP are taken only while the worker
 * waits for a connection, so a stop never cuts a request short: the one in
 * hand is answered (and those still queued on a socket catalogd bound
 * itself), then the worker leaves the environment and exits.  The
 * housekeeper checkpoints, trims the logs (unless a snapshot is being
 * taken) and purges expired tokens.
 */
#include "config.h"

#include <sys/epoll.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fcgi/fcgi.h"

#define CHECKPOINT_SECONDS	5
#define LOOK_MS			200	/* see next_request */

static volatile sig_atomic_t	 stopping, reopen;
static struct slot		*my_slot;	/* NULL outside a worker */

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reopen = 1;
	else
		stopping = 1;
}

/*
 * SIGTERM, SIGINT and SIGHUP are blocked everywhere (the supervisor forks
 * with them blocked) but in the wait for a connection; *waitmask receives the
 * mask for that wait.
 */
static void
catch_signals(sigset_t *waitmask)
{
	struct sigaction	 sa;
	sigset_t		 mask;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, waitmask);
	sigdelset(waitmask, SIGTERM);
	sigdelset(waitmask, SIGINT);
	sigdelset(waitmask, SIGHUP);
}

/*
 * The socket the workers accept on is non-blocking (the supervisor makes
 * it so).  A worker waits for a connection in epoll_pwait, with *waitmask as
 * its signal mask: the only place a signal reaches it (EPOLLEXCLUSIVE
 * wakes one waiter, not the pool).  libfcgi then accepts with the signals
 * blocked, because right after its accept it waits for a Unix socket to
 * turn readable and reads the request, and a signal there (SIGHUP from
 * logrotate, say) would make it drop the connection it accepted.
 * Returns the epoll descriptor.
 */
static int
listen_wait_init(int fd)
{
	struct epoll_event	 ev;
	int			 ep;

	memset(&ev, 0, sizeof ev);
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == -1)
		fatal("epoll on the FastCGI socket: %s", strerror(errno));
	return ep;
}

/*
 * Waits for the next request (waitmask: the signal mask while waiting, NULL
 * for the one in effect).  Returns 0 with the request in *fx, 1 when a
 * signal or another worker came first (look at the flags, call again),
 * -1 when the socket failed.  After LOOK_MS without a wake-up it tries to
 * accept all the same: a process woken for a connection may die before it
 * accepts it (a pool restart kills the workers with SIGKILL), and
 * EPOLLEXCLUSIVE then wakes nobody else for that connection; a process
 * started later sees it at once, but those already waiting do not.
 */
static int
next_request(FCGX_Request *fx, int ep, const sigset_t *waitmask)
{
	struct epoll_event	 ev;
	int			 rc;

	if (epoll_pwait(ep, &ev, 1, LOOK_MS, waitmask) == -1)
		return errno == EINTR ? 1 : -1;
	rc = FCGX_Accept_r(fx);
	if (rc == -EAGAIN || rc == -EWOULDBLOCK || rc == -EINTR)
		return 1;
	return rc < 0 ? -1 : 0;
}

static void
reopen_log(void)
{
	int	 rc;

	reopen = 0;
	if ((rc = log_reopen()) == -1)
		log_err("reopening the log: %s", strerror(errno));
	else if (rc == 0)
		log_info("log reopened");
	audit_reopen();
}

/*
 * A snapshot or a restore (fcgi/snapshot.c) works outside any transaction
 * and holds no lock others wait for: the watchdog gives the request up to
 * seconds more from now; 0 puts it back on the usual clock.
 */
void
worker_grace(int seconds)
{
	if (my_slot != NULL)
		__atomic_store_n(&my_slot->busy, now_ms() + (int64_t)seconds *
		    1000, __ATOMIC_RELAXED);
}

void
worker_run(const struct config *cfg, int fd, bool drain, struct slot *slot,
    struct shared *sh)
{
	FCGX_Request	 fx;
	struct store	*st;
	sigset_t	 waitmask;
	long		 served = 0;
	int		 ep, rc;

	log_init("catalogd-worker");
	catch_signals(&waitmask);
	ep = listen_wait_init(fd);
	my_slot = slot;
	if ((st = store_open(cfg->dbhome, 0)) == NULL)
		_exit(EXIT_RECOVER);
	store_share_auth_changes(st, &sh->auth_changes);
	if (FCGX_Init() != 0)
		fatal("FCGX_Init failed");
	if (FCGX_InitRequest(&fx, fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0)
		fatal("FCGX_InitRequest failed");
	__atomic_store_n(&slot->ready, 1, __ATOMIC_RELAXED);
	while (served < cfg->max_requests) {
		if (reopen)
			reopen_log();
		/*
		 * Told to stop: the connections still queued on a socket the
		 * supervisor bound are answered (until accept says EAGAIN);
		 * systemd's socket keeps them for the next start.
		 */
		if (stopping) {
			if (!drain || FCGX_Accept_r(&fx) < 0)
				break;
		} else if ((rc = next_request(&fx, ep, &waitmask)) == 1)
			continue;
		else if (rc == -1)
			break;
		__atomic_store_n(&slot->busy, now_ms(), __ATOMIC_RELAXED);
		request_handle(&fx, st, cfg);
		FCGX_Finish_r(&fx);
		__atomic_store_n(&slot->busy, 0, __ATOMIC_RELAXED);
		served++;
		if (store_panicked()) {
			log_err("the environment panicked; exiting for recovery");
			_exit(EXIT_RECOVER);
		}
		/* A rollback killed the handles: a fresh process needs none. */
		if (store_handles_dead()) {
			log_warn("the replicated group rolled back data here; "
			    "exiting to be forked again");
			break;
		}
	}
	store_close(st);
	exit(0);
}

/*
 * A standby worker, while recovery keeps failing (the disk is failing or
 * full): it never touches the environment and answers every request with
 * a 503 at once, so that clients are told instead of queueing until their
 * time-out.  The supervisor stops it with SIGTERM once recovery succeeds.
 */
void
worker_standby(const struct config *cfg, int fd)
{
	FCGX_Request	 fx;
	sigset_t	 waitmask;
	int		 ep, rc;

	log_init("catalogd-standby");
	/*
	 * SIGTERM, as in a worker, only while it waits: it must not end a
	 * standby woken for a connection before the standby accepts it.
	 */
	catch_signals(&waitmask);
	signal(SIGHUP, SIG_IGN);
	if (FCGX_Init() != 0)
		fatal("FCGX_Init failed");
	if (FCGX_InitRequest(&fx, fd, 0) != 0)
		fatal("FCGX_InitRequest failed");
	ep = listen_wait_init(fd);
	while (!stopping) {
		if ((rc = next_request(&fx, ep, &waitmask)) == 1)
			continue;
		if (rc == -1)
			break;
		request_unavailable(&fx);
		FCGX_Finish_r(&fx);
	}
	exit(0);
}

/* Revokes expired tokens (and so their children), a batch at a time. */
static int
purge_txn(struct txn *t, void *arg)
{
	return tokens_purge(t, (int64_t)time(NULL), arg);
}

void
housekeeper_run(const struct config *cfg, struct shared *sh)
{
	struct store	*st;
	struct timespec	 ts = { CHECKPOINT_SECONDS, 0 };
	sigset_t	 mask;
	int		 sig, lock;

	log_init("catalogd-housekeeper");
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if ((st = store_open(cfg->dbhome, 0)) == NULL)
		_exit(EXIT_RECOVER);
	store_share_auth_changes(st, &sh->auth_changes);
	while ((sig = sigtimedwait(&mask, NULL, &ts)) != SIGTERM &&
	    sig != SIGINT) {
		size_t purged = 0;

		if (sig == SIGHUP) {
			reopen_log();
			continue;
		}
		if (store_handles_dead())
			exit(0);
		if (cfg->repl != NULL) {
			struct repl_view v;

			/* Only the active node writes; a standby's logs are
			 * still trimmed after the checkpoints it receives. */
			ha_read(&v, NULL);
			if (v.role != REPL_MASTER) {
				store_checkpoint(st, true);
				continue;
			}
		}
		if (txn_run(st, purge_txn, &purged) == 0 && purged > 0)
			log_info("revoked %lu expired tokens",
			    (unsigned long)purged);
		/* No trimming while a snapshot copies the logs. */
		if ((lock = snapshot_lock(cfg->data, true)) == -1) {
			log_info("a snapshot is being taken: logs are kept "
			    "until the next checkpoint");
			store_checkpoint(st, false);
		} else {
			store_checkpoint(st, true);
			close(lock);
		}
		if (store_panicked())
			_exit(EXIT_RECOVER);
	}
	store_close(st);
	exit(0);
}
