/*
 * log.c: one line per event on stderr, "catalogd[pid] severity func: text".
 * serve keeps stderr on the terminal; tests keep it in a file that is shown
 * only when a test fails.  Request data never reaches a log line raw.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib.h"

static const char *progname = "catalogd";

void
log_init(const char *name)
{
	progname = name;
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
