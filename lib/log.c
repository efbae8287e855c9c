/*
 * log.c: one line per event on stderr, "catalogd[pid] severity func: text".
 * serve keeps stderr on the terminal; tests keep it in a file that is shown
 * only when a test fails; an installed catalogd may name a log file
 * (log_file), which becomes stderr and is reopened on SIGHUP.  Request data
 * never reaches a log line raw.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib.h"

static const char *progname = "catalogd";
static char	*logpath;

void
log_init(const char *name)
{
	progname = name;
}

/* Makes PATH standard error, now and at every log_reopen. */
int
log_open(const char *path)
{
	free(logpath);
	logpath = xstrdup(path);
	return log_reopen();
}

/*
 * After a rotation: a new file at the same path (0), the old one on failure
 * (-1); 1 when there is no log file, only stderr.
 */
int
log_reopen(void)
{
	int	 fd, saved;

	if (logpath == NULL)
		return 1;
	if ((fd = open(logpath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0640)) == -1)
		return -1;
	if (fd != STDERR_FILENO) {
		if (dup2(fd, STDERR_FILENO) == -1) {
			saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		close(fd);
	}
	return 0;
}

static void
vlog(const char *sev, const char *func, const char *fmt, va_list ap)
{
	char	 line[1024];

	vsnprintf(line, sizeof line, fmt, ap);
	fprintf(stderr, "%s[%ld] %s %s: %s\n", progname, (long)getpid(), sev,
	    func, line);
	fflush(stderr);
}

void
log_msg(const char *sev, const char *func, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(sev, func, fmt, ap);
	va_end(ap);
}

void
log_fatal(const char *func, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog("fatal", func, fmt, ap);
	va_end(ap);
	exit(1);
}
