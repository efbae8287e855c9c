/*
 * repl_test.c: TCP_NODELAY on the Replication Manager's sockets.  Two real
 * sites of a group (two processes, two fresh environments, loopback) start
 * the Replication Manager; once they are connected, each one looks at
 * every TCP connection it holds and asks the kernel whether TCP_NODELAY is
 * set.  Berkeley DB never sets it, and without it every durable write waits
 * ~40 ms for a delayed ACK; db/nodelay.c's connect and accept set it.  The
 * first round turns the wrappers off and must see the option unset on
 * every socket (so the check can fail); the second must see it set on all.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db/internal.h"
#include "tests/unit/check.h"

#define WAIT_MS		15000

/* A free loopback port: bound once, then released. */
static unsigned
free_port(void)
{
	struct sockaddr_in	 sa;
	socklen_t		 len = sizeof sa;
	int			 fd;
	unsigned		 port;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		abort();
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) == -1)
		abort();
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

/*
 * This process's connected TCP sockets: how many have TCP_NODELAY set,
 * and how many not (listening sockets are left out).
 */
static void
count_sockets(int *on, int *off)
{
	DIR		*d = opendir("/proc/self/fd");
	struct dirent	*e;
	int		 fd, v, dom, type, listening;
	socklen_t	 len;

	*on = *off = 0;
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if ((fd = atoi(e->d_name)) <= 2 || fd == dirfd(d))
			continue;
		len = sizeof dom;
		if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &len) == -1 ||
		    (dom != AF_INET && dom != AF_INET6))
			continue;
		len = sizeof type;
		getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len);
		len = sizeof listening;
		getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len);
		if (type != SOCK_STREAM || listening)
			continue;
		len = sizeof v;
		if (getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &len) == -1)
			continue;
		if (v)
			(*on)++;
		else
			(*off)++;
	}
	closedir(d);
}

/*
 * One site, in its own process: exits 0 if every connection it holds has
 * TCP_NODELAY as WANT says, 1 if not, 2 if it never connected.
 */
static void
site(const char *dir, unsigned port, unsigned peer, bool creator, bool want)
{
	struct repl_conf	 c;
	struct repl_view	 v;
	struct store		*st;
	const char		*peer_host[] = { "127.0.0.1" };
	unsigned		 peer_port[] = { peer };
	int64_t			 until = now_ms() + WAIT_MS;
	int			 on, off, rc, i;

	memset(&c, 0, sizeof c);
	c.host = "127.0.0.1";
	c.port = port;
	c.peer_host = peer_host;
	c.peer_port = peer_port;
	c.npeers = 1;
	c.bootstrap = creator;
	store_repl_setup(&c);
	nodelay_enabled = want;
	if ((st = store_open(dir, STORE_RECOVER)) == NULL)
		_exit(3);
	store_close(st);
	if ((st = store_open(dir, STORE_LISTENER)) == NULL)
		_exit(3);
	while ((rc = store_repl_start(st, NULL)) == 1 && now_ms() < until)
		usleep(100000);
	if (rc != 0)
		_exit(2);
	for (;;) {
		if (now_ms() > until)
			_exit(2);
		if (store_repl_view(st, &v) == 0)
			for (i = 0; i < v.nsites; i++)
				if (v.sites[i].connected)
					goto connected;
		usleep(50000);
	}
connected:
	/* Both directions exist once each side has connected. */
	usleep(500000);
	count_sockets(&on, &off);
	fprintf(stderr, "site %u: %d connections with TCP_NODELAY, %d "
	    "without\n", port, on, off);
	/* The other site must still find this one while it counts. */
	usleep(1000000);
	_exit(on + off == 0 ? 2 : (want ? off == 0 : on == 0) ? 0 : 1);
}

static void
round_of(const char *tmp, bool want)
{
	char		 a[512], b[512];
	unsigned	 pa = free_port(), pb = free_port();
	pid_t		 ka, kb;
	int		 sa, sb;

	snprintf(a, sizeof a, "%s/%s-a", tmp, want ? "on" : "off");
	snprintf(b, sizeof b, "%s/%s-b", tmp, want ? "on" : "off");
	if (mkdir(a, 0700) == -1 || mkdir(b, 0700) == -1)
		abort();
	if ((ka = fork()) == 0)
		site(a, pa, pb, true, want);
	usleep(300000);
	if ((kb = fork()) == 0)
		site(b, pb, pa, false, want);
	waitpid(ka, &sa, 0);
	waitpid(kb, &sb, 0);
	CHECK(WIFEXITED(sa) && WEXITSTATUS(sa) == 0, "nodelay %s, creating "
	    "site: got status %d, want 0 (1: wrong option, 2: no connection)",
	    want ? "on" : "off", WIFEXITED(sa) ? WEXITSTATUS(sa) : -1);
	CHECK(WIFEXITED(sb) && WEXITSTATUS(sb) == 0, "nodelay %s, joining "
	    "site: got status %d, want 0 (1: wrong option, 2: no connection)",
	    want ? "on" : "off", WIFEXITED(sb) ? WEXITSTATUS(sb) : -1);
}

int
main(void)
{
	char	 tmp[] = "/tmp/catalogd-repl-test.XXXXXX";
	char	*cmd;

	log_init("repl_test");
	if (mkdtemp(tmp) == NULL)
		return 1;
	/* Without the wrappers: the check sees Berkeley DB's own sockets. */
	round_of(tmp, false);
	round_of(tmp, true);
	cmd = xasprintf("rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmp);
	free(cmd);
	return check_done("repl_test");
}
