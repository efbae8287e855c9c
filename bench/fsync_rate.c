/*
 * fsync_rate.c: the disk's raw rate of durable appends, the ceiling for a
 * durable write: write 256 bytes at the end of a file, fdatasync, repeat,
 * for a fixed time (and at most a fixed count).  One stream, like one log.
 *
 * usage: fsync_rate DIR SECONDS
 * prints: RESULT rps=<appends/s> p50=<ms> p99=<ms> n=<count>
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_OPS	10000000

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmp(const void *a, const void *b)
{
	float	 x = *(const float *)a, y = *(const float *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	char	 path[4096], rec[256];
	double	 secs, t0, t, end;
	float	*lat;
	long	 n = 0, cap = 1 << 16;
	int	 fd;

	if (argc != 3 || (secs = atof(argv[2])) <= 0) {
		fprintf(stderr, "usage: fsync_rate DIR SECONDS\n");
		return 2;
	}
	snprintf(path, sizeof path, "%s/fsync_rate.%ld", argv[1],
	    (long)getpid());
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND,
	    0600)) == -1) {
		perror(path);
		return 1;
	}
	memset(rec, 'x', sizeof rec);
	rec[sizeof rec - 1] = '\n';
	if ((lat = malloc((size_t)cap * sizeof *lat)) == NULL)
		return 1;
	t0 = now();
	end = t0 + secs;
	for (t = t0; t < end && n < MAX_OPS;) {
		double	 s = t;

		if (write(fd, rec, sizeof rec) != (ssize_t)sizeof rec ||
		    fdatasync(fd) == -1) {
			perror(path);
			unlink(path);
			return 1;
		}
		t = now();
		if (n == cap) {
			cap *= 2;
			if ((lat = realloc(lat, (size_t)cap * sizeof *lat)) ==
			    NULL)
				return 1;
		}
		lat[n++] = (float)((t - s) * 1e3);
	}
	close(fd);
	unlink(path);
	qsort(lat, (size_t)n, sizeof *lat, cmp);
	printf("RESULT rps=%.1f p50=%.3f p99=%.3f n=%ld errs=0\n",
	    (double)n / (t - t0), n ? lat[n / 2] : 0.0,
	    n ? lat[(long)((double)n * 0.99)] : 0.0, n);
	free(lat);
	return 0;
}
