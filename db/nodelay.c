/*
 * nodelay.c: TCP_NODELAY on Berkeley DB's replication sockets.  Its
 * Replication Manager never sets it, so a commit record waits behind the
 * previous unacknowledged segment for the peer's delayed ACK: ~44 ms per
 * durable write (88 writes/s, measured).  libdb calls connect(2) and
 * accept(2) through the dynamic linker, and a symbol the executable
 * defines comes first, so these wrappers see every socket it opens.  They
 * call the next definition (libc's, or a sanitizer's interceptor) and
 * then ask for TCP_NODELAY, only once replication is configured (a single
 * node keeps its accept path unchanged; on the FastCGI Unix socket the
 * option fails harmlessly).  errno is the call's own either way.
 */
#include "config.h"

#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>

#include "db/internal.h"

bool	 nodelay_enabled;

static void
nodelay(int fd)
{
	int	 one = 1, saved = errno;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	errno = saved;
}

static void *
next(const char *name)
{
	void	*fn = dlsym(RTLD_NEXT, name);

	/* No definition after ours: a broken link, nothing to recover. */
	if (fn == NULL)
		abort();
	return fn;
}

int
connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	static int	(*real)(int, const struct sockaddr *, socklen_t);
	int		 rc, saved;

	if (real == NULL)
		real = (int (*)(int, const struct sockaddr *, socklen_t))
		    next("connect");
	rc = real(fd, sa, len);
	/* A non-blocking connect is in progress: the option applies now. */
	if (nodelay_enabled && (rc == 0 || errno == EINPROGRESS) &&
	    sa != NULL && (sa->sa_family == AF_INET ||
	    sa->sa_family == AF_INET6)) {
		saved = errno;
		nodelay(fd);
		errno = saved;
	}
	return rc;
}

int
accept(int fd, struct sockaddr *sa, socklen_t *len)
{
	static int	(*real)(int, struct sockaddr *, socklen_t *);
	int		 s;

	if (real == NULL)
		real = (int (*)(int, struct sockaddr *, socklen_t *))
		    next("accept");
	if ((s = real(fd, sa, len)) >= 0 && nodelay_enabled)
		nodelay(s);
	return s;
}

int
accept4(int fd, struct sockaddr *sa, socklen_t *len, int flags)
{
	static int	(*real)(int, struct sockaddr *, socklen_t *, int);
	int		 s;

	if (real == NULL)
		real = (int (*)(int, struct sockaddr *, socklen_t *, int))
		    next("accept4");
	if ((s = real(fd, sa, len, flags)) >= 0 && nodelay_enabled)
		nodelay(s);
	return s;
}
