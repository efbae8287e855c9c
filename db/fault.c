/*
 * fault.c: TEST-ONLY fault hooks, compiled in only by
 * ./configure --enable-test-faults and armed at run time by files in the
 * data directory, so that the reliability suite can make catalogd misbehave
 * on purpose:
 *
 *   fault-stuck   the next write of a runtime with oci_runtime "stuck"
 *                 deletes the file and then sleeps 30 s inside its
 *                 transaction, holding the write lock (the watchdog must
 *                 end it);
 *   fault-io      holds a number N: while the file exists, each process
 *                 lets N more fsync/pwrite/write calls of Berkeley DB
 *                 through and fails every later one with EIO.
 *
 * A production build has none of this (see db.h).
 */
#include "config.h"

#ifdef CATALOGD_TEST_FAULTS

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/internal.h"

#define STUCK_SECONDS	30

static char	*stuck_path;
static char	*io_path;
static long	 io_calls;	/* calls since fault-io appeared */

/* True when this I/O call must fail: fault-io exists and is used up. */
static bool
io_fails(void)
{
	FILE	*f;
	long	 n = 0;

	if (io_path == NULL || (f = fopen(io_path, "r")) == NULL) {
		io_calls = 0;
		return false;
	}
	if (fscanf(f, "%ld", &n) != 1)
		n = 0;
	fclose(f);
	return ++io_calls > n;
}

/* Berkeley DB takes the replacement fsync's result as the error number. */
static int
fault_fsync(int fd)
{
	if (io_fails())
		return EIO;
	return fdatasync(fd) == -1 ? errno : 0;
}

static ssize_t
fault_pwrite(int fd, const void *buf, size_t n, off_t off)
{
	if (io_fails()) {
		errno = EIO;
		return -1;
	}
	return pwrite(fd, buf, n, off);
}

static ssize_t
fault_write(int fd, const void *buf, size_t n)
{
	if (io_fails()) {
		errno = EIO;
		return -1;
	}
	return write(fd, buf, n);
}

void
fault_init(const char *dir)
{
	stuck_path = xasprintf("%s/fault-stuck", dir);
	io_path = xasprintf("%s/fault-io", dir);
	db_env_set_func_fsync(fault_fsync);
	db_env_set_func_pwrite(fault_pwrite);
	db_env_set_func_write(fault_write);
	log_warn("TEST BUILD: fault hooks are armed by files in %s", dir);
}

void
fault_stuck(const char *name, const char *oci_runtime)
{
	if (stuck_path == NULL || strcmp(oci_runtime, "stuck") != 0 ||
	    unlink(stuck_path) == -1)
		return;
	log_warn("TEST FAULT: stuck in the transaction writing %s", name);
	sleep(STUCK_SECONDS);
}

#endif /* CATALOGD_TEST_FAULTS */
