/*
 * service.c: what a service manager and a web server see of catalogd.  The
 * FastCGI socket comes from systemd (socket activation: LISTEN_FDS=1 for
 * this PID, the socket on fd 3) or is bound here with socket_group and
 * socket_mode, so that lighttpd and nginx running as www-data can connect
 * and nobody else can.  Readiness and stopping are told to systemd with
 * one datagram each on $NOTIFY_SOCKET (Type=notify), which needs no
 * libsystemd.  The pid file is written once the workers accept.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fcgi/fcgi.h"

#define LISTEN_FDS_START	3	/* systemd's SD_LISTEN_FDS_START */

static char	*notify_path;		/* $NOTIFY_SOCKET, or NULL */

/*
 * Takes $NOTIFY_SOCKET for the supervisor alone (the children must not
 * report) and keeps it for service_notify.
 */
void
service_notify_init(void)
{
	const char	*p = getenv("NOTIFY_SOCKET");

	if (p != NULL && (*p == '/' || *p == '@') && p[1] != '\0')
		notify_path = xstrdup(p);
	unsetenv("NOTIFY_SOCKET");
}

/* One state line ("READY=1", "STOPPING=1", "STATUS=...") to systemd. */
void
service_notify(const char *fmt, ...)
{
	struct sockaddr_un	 sun;
	socklen_t		 len;
	va_list			 ap;
	char			 msg[256];
	int			 fd, n;

	if (notify_path == NULL)
		return;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof msg)
		return;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(notify_path) >= sizeof sun.sun_path) {
		log_warn("NOTIFY_SOCKET %s is too long", notify_path);
		return;
	}
	strcpy(sun.sun_path, notify_path);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    strlen(notify_path));
	if (sun.sun_path[0] == '@')
		sun.sun_path[0] = '\0';		/* an abstract address */
	else
		len++;
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("socket: %s", strerror(errno));
		return;
	}
	if (sendto(fd, msg, (size_t)n, MSG_NOSIGNAL, (struct sockaddr *)&sun,
	    len) == -1)
		log_warn("telling %s \"%s\": %s", notify_path, msg,
		    strerror(errno));
	close(fd);
}

/* The socket systemd passed, or -1 if this process was given none. */
static int
activated_socket(void)
{
	const char	*pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	int		 type, listening;
	socklen_t	 len;

	if (pid == NULL || fds == NULL || strtol(pid, NULL, 10) != getpid())
		return -1;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (strcmp(fds, "1") != 0)
		fatal("LISTEN_FDS=%s: catalogd takes exactly one socket", fds);
	len = sizeof type;
	if (getsockopt(LISTEN_FDS_START, SOL_SOCKET, SO_TYPE, &type, &len) ==
	    -1 || type != SOCK_STREAM)
		fatal("the socket passed on fd %d is not a stream socket",
		    LISTEN_FDS_START);
	len = sizeof listening;
	if (getsockopt(LISTEN_FDS_START, SOL_SOCKET, SO_ACCEPTCONN, &listening,
	    &len) == -1 || !listening)
		fatal("the socket passed on fd %d is not listening",
		    LISTEN_FDS_START);
	/* A stop of ours may have left it non-blocking (see supervisor.c). */
	if (fcntl(LISTEN_FDS_START, F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(LISTEN_FDS_START, F_SETFL, 0) == -1)
		fatal("fcntl: %s", strerror(errno));
	return LISTEN_FDS_START;
}

/*
 * The listening socket: systemd's, or bound here to cfg->sockpath with its
 * group and mode.  *bound says which (only a bound one is removed on exit).
 */
int
service_listen(const struct config *cfg, bool *bound)
{
	struct sockaddr_un	 sun;
	struct group		*gr;
	mode_t			 old;
	int			 fd;

	if ((fd = activated_socket()) != -1) {
		*bound = false;
		log_info("accepting on the socket passed by systemd");
		return fd;
	}
	*bound = true;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(cfg->sockpath) >= sizeof sun.sun_path)
		fatal("socket path %s is too long (at most %zu bytes)",
		    cfg->sockpath, sizeof sun.sun_path - 1);
	strcpy(sun.sun_path, cfg->sockpath);
	if ((gr = getgrnam(cfg->sockgroup)) == NULL)
		fatal("socket_group \"%s\" is not a group on this system",
		    cfg->sockgroup);
	unlink(cfg->sockpath);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		fatal("socket: %s", strerror(errno));
	/* Nobody may connect before the group and mode are right. */
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1)
		fatal("bind %s: %s", cfg->sockpath, strerror(errno));
	umask(old);
	if (chown(cfg->sockpath, (uid_t)-1, gr->gr_gid) == -1)
		fatal("giving %s to group %s: %s", cfg->sockpath,
		    cfg->sockgroup, strerror(errno));
	if (chmod(cfg->sockpath, (mode_t)cfg->sockmode) == -1)
		fatal("chmod %s: %s", cfg->sockpath, strerror(errno));
	if (listen(fd, 1024) == -1)
		fatal("listen: %s", strerror(errno));
	return fd;
}

void
service_pidfile(const struct config *cfg)
{
	FILE	*f = fopen(cfg->pidpath, "we");

	if (f == NULL || fprintf(f, "%ld\n", (long)getpid()) < 0 ||
	    fclose(f) != 0)
		fatal("writing %s: %s", cfg->pidpath, strerror(errno));
}
