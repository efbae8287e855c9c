/*
 * supervisor.c: the catalogd supervisor, Berkeley DB's "watcher"
 * architecture.  It alone runs recovery: before any worker exists, and
 * again whenever a child dies abnormally, after SIGKILLing every other
 * child (a process that died holding a lock or mutex wedges the rest, and
 * failchk cannot be trusted to clear it).  It never holds the environment
 * open while children run, so it can never hang on a mutex a dead child
 * held.  All workers accept on one FastCGI socket, which stays open across
 * restarts so that clients wait instead of failing.  A housekeeper child
 * checkpoints and removes old logs.  A watchdog kills a worker that stays
 * in one request longer than request_timeout (it may be holding locks
 * that every other request waits for), which starts the same recovery
 * cycle.  Restarts, recoveries and the children's pids go into the shared
 * metrics page (lib/metrics.c).  If recovery itself fails (a failing or full disk), standby
 * workers answer 503 while it is retried every second.
 *
 * Signals: SIGTERM (or SIGINT) stops accepting, lets the requests in
 * flight finish (at most request_timeout), then removes the pid file and
 * exits 0; SIGHUP reopens the log file here and in every child; SIGUSR1
 * (from the worker that committed a restore) stops the pool, swaps the
 * restored environment in, recovers and reforks.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fcgi/fcgi.h"

#define STOP_GRACE_SECONDS	5

static struct config	*cfg;
static pid_t		*kids;		/* [0] housekeeper, [1..workers] */
static bool		*watchdogged;	/* killed by the watchdog */
static struct slot	*slots;		/* shared with the children */
struct shared		*shared;	/* likewise (fcgi.h) */
static int		 nkids;
static int		 repd = -1;	/* the replication process's slot */
static bool		 pool_pending;	/* workers wait for repd to start */
static uint64_t		 members_seen;
static int		 listen_fd = -1;
static bool		 listen_bound;	/* bound here, not passed by systemd */
static int		 lock_fd = -1;
static sigset_t		 sigs;

/*
 * The data directory's lock, held for the life of the process (the
 * supervisor, or an offline backup or restore): the descriptor, or -1.
 */
int
supervisor_lock(const char *data)
{
	char	*path = xasprintf("%s/catalogd.lock", data);
	int	 fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1)
		fatal("opening %s: %s", path, strerror(errno));
	free(path);
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
lock_data_dir(void)
{
	if ((lock_fd = supervisor_lock(cfg->data)) == -1)
		fatal("%s is in use by another catalogd", cfg->data);
}

/* First start: the salt and the root token, created once, in one txn. */
struct init {
	const char	*root;
	bool		 created;
};

static int
init_txn(struct txn *t, void *arg)
{
	struct init	*in = arg;
	unsigned char	 salt[SALT_LEN];
	int		 rc;

	in->created = false;
	if (policies_init_default(t) == -1)
		return -1;
	if ((rc = salt_get(t, salt)) != 1)
		return rc;
	random_bytes(salt, sizeof salt);
	if (salt_put(t, salt) == -1 || tokens_create_root(t, in->root) == -1)
		return -1;
	in->created = true;
	return 0;
}

/* The cluster id of a data directory made before it existed. */
static int
cluster_txn(struct txn *t, void *arg)
{
	return cluster_identity(t, arg);
}

/* Whether the data directory was initialised: 1, 0, or -1. */
static int
initialised_txn(struct txn *t, void *arg)
{
	unsigned char	 salt[SALT_LEN];
	int		 rc;

	if ((rc = salt_get(t, salt)) == -1)
		return -1;
	*(int *)arg = rc == 0;
	return 0;
}

/*
 * root_token_file: written (0600, synced) before the token is committed,
 * so that a token the database knows is never lost; never overwritten.
 */
static int
write_root_token(const char *root)
{
	size_t	 len = strlen(root);
	int	 fd;

	if ((fd = open(cfg->root_token_file, O_WRONLY | O_CREAT | O_EXCL |
	    O_CLOEXEC, 0600)) == -1) {
		if (errno == EEXIST)
			fatal("%s already exists and catalogd never overwrites "
			    "it; move it away to initialise %s",
			    cfg->root_token_file, cfg->data);
		fatal("creating %s: %s", cfg->root_token_file,
		    strerror(errno));
	}
	if (write(fd, root, len) != (ssize_t)len || write(fd, "\n", 1) != 1 ||
	    fsync(fd) == -1) {
		unlink(cfg->root_token_file);
		fatal("writing %s: %s", cfg->root_token_file, strerror(errno));
	}
	close(fd);
	return 0;
}

/* The salt, the default policy and the root token, on first start. */
static int
initialise(struct store *st)
{
	const char	*given = getenv("CATALOGD_ROOT_TOKEN");
	struct init	 in;
	char		*root;
	int		 done = 0, rc = 0;
	bool		 file = false;

	if (given != NULL && *given != '\0') {
		if (!token_syntax_ok(given))
			fatal("CATALOGD_ROOT_TOKEN must match "
			    "[A-Za-z0-9._-]{1,256}");
		root = xstrdup(given);
	} else
		root = token_generate();
	if (cfg->root_token_file != NULL) {
		if (txn_run(st, initialised_txn, &done) != 0) {
			free(root);
			return -1;
		}
		if (!done)
			file = write_root_token(root) == 0;
	}
	in.root = root;
	if (txn_run(st, init_txn, &in) != 0) {
		log_err("initialising %s failed", cfg->data);
		rc = -1;
	} else if (in.created && file)
		log_info("the root token is in %s", cfg->root_token_file);
	else if (in.created) {
		/* A token the operator chose is not echoed back. */
		if (given != NULL && *given != '\0')
			printf("Root Token: as given in CATALOGD_ROOT_TOKEN\n");
		else
			printf("Root Token: %s\n", root);
		fflush(stdout);
	}
	if (file && !in.created)
		unlink(cfg->root_token_file);
	if (rc == 0 && txn_run(st, cluster_txn, (char[CLUSTER_ID_LEN + 1]){ 0 })
	    != 0) {
		log_err("storing the cluster id of %s failed", cfg->data);
		rc = -1;
	}
	explicit_bzero(root, strlen(root));
	free(root);
	return rc;
}

/*
 * The metrics page, before the first recovery (which it counts) and
 * before any fork: every process then adds to the same counters.
 */
static void
metrics_share(void)
{
	struct timespec	 now;
	struct metrics	*m;

	m = mmap(NULL, sizeof *m, PROT_READ | PROT_WRITE, MAP_SHARED |
	    MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		fatal("mmap: %s", strerror(errno));
	clock_gettime(CLOCK_REALTIME, &now);
	m->start_us = (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
	m->supervisor = (int32_t)getpid();
	metrics = m;
}

static int
declare_txn(struct txn *t, void *arg)
{
	return audit_declare(t, arg);
}

/*
 * What a data directory gets on its first start (and what an older one
 * lacks): the salt, the root token, the cluster id and the audit device
 * catalogd.conf declares.  The supervisor does it after recovery; in a
 * replicated group the replication process does it, on the active node.
 */
int
supervisor_initialise(struct store *st)
{
	struct audit_opts	 o;
	struct apierr		 err;
	char			*kv[] = { (char *)"file_path", cfg->audit_file };

	if (initialise(st) == -1)
		return -1;
	if (cfg->audit_file == NULL)
		return 0;
	if (audit_options(kv, 2, &o, &err) != 0)
		fatal("audit_file_path: %s", err.text);
	return txn_run(st, declare_txn, cfg->audit_file) != 0 ? -1 : 0;
}

/*
 * Recovery, alone: no child may exist while this runs.  A member of a
 * replicated group recovers the environment only: whether it may write
 * (create, initialise, checkpoint) is for the group's election to say.
 */
static int
recover(bool first)
{
	struct store	*st;
	int		 rc = 0;
	struct timespec	 t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((st = store_open(cfg->dbhome, STORE_RECOVER)) == NULL)
		return -1;
	if (first && cfg->repl == NULL)
		rc = supervisor_initialise(st);
	if (rc == 0 && cfg->repl == NULL)
		store_checkpoint(st, true);
	store_close(st);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	metrics_recovery((uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000));
	log_info("recovery finished in %.3f s", (double)(t1.tv_sec -
	    t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return rc;
}

/* Child slot i is PID (0: free); metrics sums the process series over it. */
static void
set_kid(int i, pid_t pid)
{
	kids[i] = pid;
	watchdogged[i] = false;
	__atomic_store_n(&metrics->pids[i], (int32_t)pid, __ATOMIC_RELAXED);
}

/*
 * Forks child slot i: 0 is the housekeeper, the others are workers, or
 * standby workers that answer 503 while recovery is failing.
 */
static void
spawn(int i, bool standby)
{
	pid_t	 parent = getpid(), pid;
	sigset_t chld;
	int	 s;

	__atomic_store_n(&slots[i].busy, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&slots[i].ready, 0, __ATOMIC_RELAXED);
	if ((pid = fork()) == -1) {
		log_err("fork: %s", strerror(errno));
		set_kid(i, 0);
		return;
	}
	if (pid > 0) {
		set_kid(i, pid);
		return;
	}
	/* The child dies with the supervisor, and starts with clean signals. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	for (s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);
	/* SIGTERM, SIGINT and SIGHUP stay blocked until the child takes them. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_UNBLOCK, &chld, NULL);
	close(lock_fd);
	if (i == repd) {
		close(listen_fd);
		repd_run(cfg, &slots[i], shared);
	}
	if (i == 0) {
		close(listen_fd);
		housekeeper_run(cfg, shared);
	}
	if (standby)
		worker_standby(cfg, listen_fd);
	worker_run(cfg, listen_fd, listen_bound, &slots[i], shared);
	_exit(0);
}

/*
 * In a replicated group the replication process comes first: the workers
 * are forked once it started the Replication Manager (main loop).
 */
static void
spawn_all(void)
{
	int	 i;

	if (repd >= 0) {
		spawn(repd, false);
		pool_pending = true;
		return;
	}
	for (i = 0; i < nkids; i++)
		spawn(i, false);
}

static void
spawn_pool(void)
{
	int	 i;

	pool_pending = false;
	members_seen = __atomic_load_n(&shared->ha.members_gen,
	    __ATOMIC_SEQ_CST);
	for (i = 0; i <= cfg->workers; i++)
		spawn(i, false);
}

/*
 * The group's membership changed: the workers and the housekeeper finish
 * their requests and exit, and reap_children forks them again, so that
 * they connect to every member (without a recovery).
 */
static void
members_changed(void)
{
	uint64_t	 gen;
	int		 i;

	gen = __atomic_load_n(&shared->ha.members_gen, __ATOMIC_SEQ_CST);
	if (pool_pending || gen == members_seen)
		return;
	members_seen = gen;
	for (i = 0; i <= cfg->workers; i++)
		if (kids[i] > 0)
			kill(kids[i], SIGTERM);
}

static int
slot_of(pid_t pid)
{
	int	 i;

	for (i = 0; i < nkids; i++)
		if (kids[i] == pid)
			return i;
	return -1;
}

/* Frees the slot of every child that has ended, whatever its status. */
static void
forget_ended(void)
{
	pid_t	 pid;
	int	 i;

	while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
		if ((i = slot_of(pid)) >= 0)
			set_kid(i, 0);
}

static void
kill_all(int sig)
{
	int	 i;

	for (i = 0; i < nkids; i++)
		if (kids[i] > 0)
			kill(kids[i], sig);
}

/*
 * Waits for every child, up to a deadline, sending SIG again every 200 ms
 * (a worker told to stop just before it blocked in accept would otherwise
 * sleep there); SIGKILLs whoever is left at the deadline.
 */
static void
reap_all(int sig, int seconds)
{
	struct timespec	 tick = { 0, 20000000 };
	int64_t		 deadline = now_ms() + (int64_t)seconds * 1000;
	int64_t		 resend = now_ms() + 200;
	int		 i, alive;

	for (;;) {
		forget_ended();
		for (alive = 0, i = 0; i < nkids; i++)
			alive += kids[i] > 0;
		if (alive == 0)
			return;
		if (now_ms() >= deadline) {
			log_warn("%d children did not stop; killing them",
			    alive);
			kill_all(SIGKILL);
			deadline = now_ms() + 60000;
			sig = SIGKILL;
		} else if (sig != SIGKILL && now_ms() >= resend) {
			kill_all(sig);
			resend = now_ms() + 200;
		}
		nanosleep(&tick, NULL);
	}
}

/*
 * Recovery failed: standby workers answer 503 while it is retried once a
 * second.  Returns false if the supervisor was told to stop meanwhile.
 */
static bool
recover_or_stand_by(void)
{
	struct timespec	 left;
	int64_t		 until, now;
	int		 i, sig;

	log_err("recovery failed; answering 503 and trying again every "
	    "second");
	service_notify("STATUS=recovery is failing; answering 503");
	for (i = 1; i <= cfg->workers; i++)
		spawn(i, true);
	do {
		/* A whole second, whatever signals arrive meanwhile. */
		for (until = now_ms() + 1000; (now = now_ms()) < until;) {
			left.tv_sec = 0;
			left.tv_nsec = (long)(until - now) * 1000000L;
			sig = sigtimedwait(&sigs, NULL, &left);
			if (sig == SIGTERM || sig == SIGINT)
				return false;
			forget_ended();
			for (i = 1; i <= cfg->workers; i++)
				if (kids[i] == 0)
					spawn(i, true);
		}
	} while (recover(false) == -1);
	log_info("recovery succeeded; replacing the standby workers");
	kill_all(SIGTERM);
	reap_all(SIGTERM, STOP_GRACE_SECONDS);
	return true;
}

/*
 * Kill everyone, recover, start again: at most once a second.  With
 * SIGTERM (a restore) the requests in flight finish first.  A committed
 * restore is swapped in before recovery, whoever died.  Returns false if
 * the supervisor was told to stop meanwhile.
 */
static bool
restart_pool(int sig)
{
	static struct timespec	 last;
	struct timespec		 now, pause;
	double			 since;
	int			 rc;

	kill_all(sig);
	reap_all(sig, sig == SIGKILL ? 60 : cfg->request_timeout + 1);
	if ((rc = snapshot_swap(cfg->data)) == -1)
		log_err("the restore could not be swapped in; keeping the "
		    "environment as it is");
	else if (rc == 1) {
		/*
		 * Other data, another salt: what this process cached at its
		 * first start (and its children inherit) is stale.
		 */
		__atomic_add_fetch(&shared->data_gen, 1, __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&shared->audit_gen, 1, __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&shared->auth_changes, 1, __ATOMIC_SEQ_CST);
	}
	__atomic_store_n(&shared->restoring, 0, __ATOMIC_SEQ_CST);
	clock_gettime(CLOCK_MONOTONIC, &now);
	since = (double)(now.tv_sec - last.tv_sec) +
	    (double)(now.tv_nsec - last.tv_nsec) / 1e9;
	if (last.tv_sec != 0 && since < 1.0) {
		pause.tv_sec = 0;
		pause.tv_nsec = (long)((1.0 - since) * 1e9);
		nanosleep(&pause, NULL);
	}
	if (recover(false) == -1 && !recover_or_stand_by())
		return false;
	clock_gettime(CLOCK_MONOTONIC, &last);
	spawn_all();
	return true;
}

/* SIGKILLs a worker that has been in one request for too long. */
static void
watchdog(void)
{
	int64_t	 now = now_ms(), since;
	int	 i;

	for (i = 1; i < nkids; i++) {
		since = __atomic_load_n(&slots[i].busy, __ATOMIC_RELAXED);
		if (kids[i] <= 0 || since == 0 ||
		    now - since <= (int64_t)cfg->request_timeout * 1000)
			continue;
		log_err("worker %ld has been in one request for %.1f s; "
		    "killing it", (long)kids[i], (double)(now - since) / 1e3);
		kill(kids[i], SIGKILL);
		watchdogged[i] = true;
		__atomic_store_n(&slots[i].busy, 0, __ATOMIC_RELAXED);
	}
}

/*
 * Handles every child that ended; returns true if the pool must restart.
 * Each one is counted by cause: recycled (it served max_requests and
 * exited 0), killed by the watchdog, or crashed (any other end).
 */
static bool
reap_children(void)
{
	pid_t	 pid;
	int	 status, i;
	bool	 restart = false, watched;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if ((i = slot_of(pid)) < 0)
			continue;
		watched = watchdogged[i];
		set_kid(i, 0);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
		    i != repd) {
			metrics_add(M_RESTART_RECYCLE);
			if (!restart)
				spawn(i, false);
			continue;
		}
		metrics_add(watched ? M_RESTART_WATCHDOG : M_RESTART_CRASH);
		if (WIFSIGNALED(status))
			log_err("child %ld was killed by signal %d",
			    (long)pid, WTERMSIG(status));
		else
			log_err("child %ld exited with status %d", (long)pid,
			    WEXITSTATUS(status));
		restart = true;
	}
	return restart;
}

/* Every worker has reached its accept loop. */
static bool
all_ready(void)
{
	int	 i;

	for (i = 1; i < nkids; i++)
		if (kids[i] <= 0 ||
		    !__atomic_load_n(&slots[i].ready, __ATOMIC_RELAXED))
			return false;
	return true;
}

int
supervise(struct config *c)
{
	struct timespec	 tick = { 0, 250000000 }, fast = { 0, 10000000 };
	bool		 ready = false;
	int		 sig, rc;

	cfg = c;
	service_notify_init();
	store_version_check();
	lock_data_dir();
	fault_init(cfg->data);
	metrics_share();
	if (snapshot_swap(cfg->data) == -1)
		fatal("finishing an interrupted restore in %s failed",
		    cfg->data);
	if (recover(true) == -1)
		fatal("cannot open the data in %s", cfg->data);
	listen_fd = service_listen(cfg, &listen_bound);
	/* Workers wait in epoll and never block in accept (worker.c). */
	if (fcntl(listen_fd, F_SETFL, O_NONBLOCK) == -1)
		fatal("fcntl on the FastCGI socket: %s", strerror(errno));

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGCHLD);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGUSR1);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	nkids = cfg->workers + 1;
	if (cfg->repl != NULL)
		repd = nkids++;
	kids = xcalloc((size_t)nkids, sizeof *kids);
	watchdogged = xcalloc((size_t)nkids, sizeof *watchdogged);
	slots = mmap(NULL, (size_t)nkids * sizeof *slots, PROT_READ |
	    PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (slots == MAP_FAILED)
		fatal("mmap: %s", strerror(errno));
	shared = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		fatal("mmap: %s", strerror(errno));
	spawn_all();

	for (;;) {
		sig = sigtimedwait(&sigs, NULL, ready && !pool_pending ? &tick :
		    &fast);
		if (sig == SIGTERM || sig == SIGINT)
			break;
		if (sig == SIGHUP) {
			if ((rc = log_reopen()) == -1)
				log_err("reopening the log: %s",
				    strerror(errno));
			else if (rc == 0)
				log_info("log reopened; telling the children");
			kill_all(SIGHUP);
		}
		if (sig == SIGUSR1) {
			/* A worker committed a restore (fcgi/snapshot.c). */
			log_info("restoring a snapshot: stopping the pool");
			if (!restart_pool(SIGTERM))
				break;
			continue;
		}
		watchdog();
		if (pool_pending && kids[repd] > 0 &&
		    __atomic_load_n(&slots[repd].ready, __ATOMIC_ACQUIRE))
			spawn_pool();
		if (repd >= 0)
			members_changed();
		if (reap_children()) {
			log_warn("restarting the pool with recovery");
			if (!restart_pool(SIGKILL))
				break;
		}
		if (!ready && all_ready()) {
			/* Recovery is done and every worker accepts. */
			service_pidfile(cfg);
			service_notify("READY=1\nSTATUS=serving with %d "
			    "workers", cfg->workers);
			log_info("serving %s with %d workers", cfg->sockpath,
			    cfg->workers);
			ready = true;
		}
	}
	service_notify("STOPPING=1");
	log_info("stopping: finishing the requests in flight");
	/*
	 * No new connection can reach the socket's path; the workers answer
	 * those already queued, then find it empty.
	 */
	if (listen_bound)
		unlink(cfg->sockpath);
	kill_all(SIGTERM);
	reap_all(SIGTERM, cfg->request_timeout + 1);
	if (ready)
		unlink(cfg->pidpath);
	log_info("stopped");
	return 0;
}
