/*
 * main.c: the catalogd supervisor, Berkeley DB's "watcher" architecture.
 * It alone runs recovery: before any worker exists, and again whenever a
 * child dies abnormally, after SIGKILLing every other child (a process that
 * died holding a lock or mutex wedges the rest, and failchk cannot be
 * trusted to clear it).  It never holds the environment open while children
 * run, so it can never hang on a mutex a dead child held.  It binds one
 * FastCGI socket that lighttpd connects to and all workers accept on, and
 * keeps it open across restarts so that clients wait instead of failing.  A
 * housekeeper child checkpoints and removes old logs.  A watchdog kills a
 * worker that stays in one request longer than CATALOGD_REQUEST_TIMEOUT
 * (it may be holding locks that every other request waits for), which
 * starts the same recovery cycle.  If recovery itself fails (a failing or
 * full disk), standby workers answer 503 while it is retried every second.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fcgi/fcgi.h"

#define CHECKPOINT_SECONDS	5
#define STOP_GRACE_SECONDS	5

static struct config	 cfg;
static pid_t		*kids;		/* [0] housekeeper, [1..workers] */
static int64_t		*busy;		/* shared: request start, ms, or 0 */
static int		 nkids;
static int		 listen_fd = -1;
static int		 lock_fd = -1;
static sigset_t		 sigs;

static long
env_long(const char *name, long def, long min, long max)
{
	const char	*s = getenv(name);
	char		*end;
	long		 v;

	if (s == NULL || *s == '\0')
		return def;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		fatal("%s must be a number from %ld to %ld, not \"%s\"", name,
		    min, max, s);
	return v;
}

static void
configure(void)
{
	const char	*data = getenv("CATALOGD_DATA");
	char		 real[PATH_MAX];

	if (data == NULL || *data == '\0')
		data = "./var";
	if (mkdir(data, 0700) == -1 && errno != EEXIST)
		fatal("creating %s: %s", data, strerror(errno));
	if (realpath(data, real) == NULL)
		fatal("resolving %s: %s", data, strerror(errno));
	cfg.data = xstrdup(real);
	cfg.dbhome = xasprintf("%s/db", cfg.data);
	cfg.sockpath = xasprintf("%s/catalogd.sock", cfg.data);
	if (mkdir(cfg.dbhome, 0700) == -1 && errno != EEXIST)
		fatal("creating %s: %s", cfg.dbhome, strerror(errno));
	cfg.workers = (int)env_long("CATALOGD_WORKERS", 4, 1, 256);
	cfg.body_limit = (size_t)env_long("CATALOGD_BODY_LIMIT", 1048576, 1,
	    256L * 1048576);
	cfg.max_requests = env_long("CATALOGD_MAX_REQUESTS", 100000, 1,
	    LONG_MAX);
	cfg.request_timeout = (int)env_long("CATALOGD_REQUEST_TIMEOUT", 3, 1,
	    86400);
}

static void
lock_data_dir(void)
{
	char	*path = xasprintf("%s/catalogd.lock", cfg.data);

	if ((lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1)
		fatal("opening %s: %s", path, strerror(errno));
	if (flock(lock_fd, LOCK_EX | LOCK_NB) == -1)
		fatal("%s is in use by another catalogd", cfg.data);
	free(path);
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

/* Recovery, alone: no child may exist while this runs. */
static int
recover(bool first)
{
	struct store	*st;
	struct init	 in;
	const char	*given = getenv("CATALOGD_ROOT_TOKEN");
	char		*root = NULL;
	int		 rc = 0;
	struct timespec	 t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((st = store_open(cfg.dbhome, STORE_RECOVER)) == NULL)
		return -1;
	if (first) {
		if (given != NULL && *given != '\0') {
			if (!token_syntax_ok(given))
				fatal("CATALOGD_ROOT_TOKEN must match "
				    "[A-Za-z0-9._-]{1,256}");
			root = xstrdup(given);
		} else
			root = token_generate();
		in.root = root;
		if (txn_run(st, init_txn, &in) != 0) {
			log_err("initialising %s failed", cfg.data);
			rc = -1;
		} else if (in.created) {
			/* A token the operator chose is not echoed back. */
			if (given != NULL && *given != '\0')
				printf("Root Token: as given in "
				    "CATALOGD_ROOT_TOKEN\n");
			else
				printf("Root Token: %s\n", root);
			fflush(stdout);
		}
		free(root);
	}
	if (rc == 0)
		store_checkpoint(st);
	store_close(st);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	log_info("recovery finished in %.3f s", (double)(t1.tv_sec -
	    t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return rc;
}

static void
bind_socket(void)
{
	struct sockaddr_un	 sun;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(cfg.sockpath) >= sizeof sun.sun_path)
		fatal("socket path %s is too long; use a shorter CATALOGD_DATA",
		    cfg.sockpath);
	strcpy(sun.sun_path, cfg.sockpath);
	unlink(cfg.sockpath);
	if ((listen_fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		fatal("socket: %s", strerror(errno));
	if (bind(listen_fd, (struct sockaddr *)&sun, sizeof sun) == -1)
		fatal("bind %s: %s", cfg.sockpath, strerror(errno));
	if (chmod(cfg.sockpath, 0660) == -1)
		fatal("chmod %s: %s", cfg.sockpath, strerror(errno));
	if (listen(listen_fd, 1024) == -1)
		fatal("listen: %s", strerror(errno));
}

static void
write_pidfile(void)
{
	char	*path = xasprintf("%s/catalogd.pid", cfg.data);
	FILE	*f = fopen(path, "w");

	if (f == NULL || fprintf(f, "%ld\n", (long)getpid()) < 0 ||
	    fclose(f) != 0)
		fatal("writing %s: %s", path, strerror(errno));
	free(path);
}

/* Revokes expired tokens (and so their children), a batch at a time. */
static int
purge_txn(struct txn *t, void *arg)
{
	return tokens_purge(t, (int64_t)time(NULL), arg);
}

static void
housekeeper(void)
{
	struct store	*st;
	struct timespec	 ts = { CHECKPOINT_SECONDS, 0 };
	sigset_t	 term;

	log_init("catalogd-housekeeper");
	if ((st = store_open(cfg.dbhome, 0)) == NULL)
		_exit(EXIT_RECOVER);
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, NULL);
	while (sigtimedwait(&term, NULL, &ts) == -1) {
		size_t purged = 0;

		if (txn_run(st, purge_txn, &purged) == 0 && purged > 0)
			log_info("revoked %lu expired tokens",
			    (unsigned long)purged);
		store_checkpoint(st);
		if (store_panicked())
			_exit(EXIT_RECOVER);
	}
	store_close(st);
	exit(0);
}

/*
 * Forks child slot i: 0 is the housekeeper, the others are workers, or
 * standby workers that answer 503 while recovery is failing.
 */
static void
spawn(int i, bool standby)
{
	pid_t	 parent = getpid(), pid;
	int	 s;

	__atomic_store_n(&busy[i], 0, __ATOMIC_RELAXED);
	if ((pid = fork()) == -1) {
		log_err("fork: %s", strerror(errno));
		kids[i] = 0;
		return;
	}
	if (pid > 0) {
		kids[i] = pid;
		return;
	}
	/* The child dies with the supervisor, and starts with clean signals. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	for (s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);
	sigprocmask(SIG_UNBLOCK, &sigs, NULL);
	close(lock_fd);
	if (i == 0) {
		close(listen_fd);
		housekeeper();
	}
	if (standby)
		worker_standby(&cfg, listen_fd);
	worker_run(&cfg, listen_fd, &busy[i]);
	_exit(0);
}

static void
spawn_all(void)
{
	int	 i;

	for (i = 0; i < nkids; i++)
		spawn(i, false);
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
			kids[i] = 0;
}

static void
kill_all(int sig)
{
	int	 i;

	for (i = 0; i < nkids; i++)
		if (kids[i] > 0)
			kill(kids[i], sig);
}

/* Waits for every child, up to a deadline; SIGKILLs whoever is left. */
static void
reap_all(int seconds)
{
	struct timespec	 tick = { 0, 20000000 };
	time_t		 deadline = time(NULL) + seconds;
	int		 i, alive;

	for (;;) {
		forget_ended();
		for (alive = 0, i = 0; i < nkids; i++)
			alive += kids[i] > 0;
		if (alive == 0)
			return;
		if (time(NULL) >= deadline) {
			log_warn("%d children did not stop; killing them",
			    alive);
			kill_all(SIGKILL);
			deadline = time(NULL) + 60;
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
	for (i = 1; i < nkids; i++)
		spawn(i, true);
	do {
		/* A whole second, whatever signals arrive meanwhile. */
		for (until = now_ms() + 1000; (now = now_ms()) < until;) {
			left.tv_sec = 0;
			left.tv_nsec = (long)(until - now) * 1000000L;
			sig = sigtimedwait(&sigs, NULL, &left);
			if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP)
				return false;
			forget_ended();
			for (i = 1; i < nkids; i++)
				if (kids[i] == 0)
					spawn(i, true);
		}
	} while (recover(false) == -1);
	log_info("recovery succeeded; replacing the standby workers");
	kill_all(SIGTERM);
	reap_all(STOP_GRACE_SECONDS);
	return true;
}

/*
 * Kill everyone, recover, start again: at most once a second.  Returns
 * false if the supervisor was told to stop meanwhile.
 */
static bool
restart_pool(void)
{
	static struct timespec	 last;
	struct timespec		 now, pause;
	double			 since;

	kill_all(SIGKILL);
	reap_all(60);
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
		since = __atomic_load_n(&busy[i], __ATOMIC_RELAXED);
		if (kids[i] <= 0 || since == 0 ||
		    now - since <= (int64_t)cfg.request_timeout * 1000)
			continue;
		log_err("worker %ld has been in one request for %.1f s; "
		    "killing it", (long)kids[i], (double)(now - since) / 1e3);
		kill(kids[i], SIGKILL);
		__atomic_store_n(&busy[i], 0, __ATOMIC_RELAXED);
	}
}

/* Handles every child that ended; returns true if the pool must restart. */
static bool
reap_children(void)
{
	pid_t	 pid;
	int	 status, i;
	bool	 restart = false;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if ((i = slot_of(pid)) < 0)
			continue;
		kids[i] = 0;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			if (!restart)
				spawn(i, false);
			continue;
		}
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

int
main(int argc, char **argv)
{
	struct timespec	 tick = { 0, 250000000 };
	char		*pidpath;
	int		 sig;

	log_init("catalogd");
	if (argc > 1) {
		fprintf(stderr, "usage: catalogd (configured by CATALOGD_* "
		    "environment variables)\n");
		return 2;
	}
	store_version_check();
	configure();
	lock_data_dir();
	fault_init(cfg.data);
	if (recover(true) == -1)
		fatal("cannot open the data in %s", cfg.data);
	bind_socket();

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGCHLD);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	nkids = cfg.workers + 1;
	kids = xcalloc((size_t)nkids, sizeof *kids);
	busy = mmap(NULL, (size_t)nkids * sizeof *busy, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (busy == MAP_FAILED)
		fatal("mmap: %s", strerror(errno));
	spawn_all();
	write_pidfile();
	log_info("serving %s with %d workers", cfg.sockpath, cfg.workers);

	for (;;) {
		sig = sigtimedwait(&sigs, NULL, &tick);
		if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP)
			break;
		watchdog();
		if (reap_children()) {
			log_warn("restarting the pool with recovery");
			if (!restart_pool())
				break;
		}
	}
	log_info("stopping");
	kill_all(SIGTERM);
	reap_all(STOP_GRACE_SECONDS);
	pidpath = xasprintf("%s/catalogd.pid", cfg.data);
	unlink(pidpath);
	unlink(cfg.sockpath);
	free(pidpath);
	return 0;
}
