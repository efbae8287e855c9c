/*
 * seed.c: fills catalogd with COUNT runtimes named PREFIX<START..>, fast and
 * exactly: CONC threads, each with one keep-alive HTTP/1.1 connection to
 * 127.0.0.1:PORT, each PUTting the names i with i % CONC == its number.
 * A request whose answer is lost (the server closed the connection after
 * its keep-alive limit) is sent again on a new connection: PUT is a full
 * replacement, so a repeat is harmless.  Bounded by MAX_SECONDS.
 *
 * usage: seed PORT TOKEN PREFIX START COUNT CONC MAX_SECONDS
 * prints: SEED ok=<n> failed=<n> seconds=<s>
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static const char body[] =
    "{\"oci_runtime\":\"example-oci-runtime\",\"cgroup_parent\":"
    "\"/examplelimit/\",\"cpu_nanos\":1000,\"memory_bytes\":10000000}";

static int	 port, conc;
static long	 start, count;
static const char *token, *prefix;
static double	 deadline;

struct result {
	long	 ok, failed;
};

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
dial(void)
{
	struct sockaddr_in	 sin;
	struct timeval		 tv = { 10, 0 };
	int			 fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * One request/answer; returns the status, or -1 when the connection broke
 * before a whole answer came.  *keep says whether the connection lives on.
 */
static int
exchange(int fd, const char *req, size_t len, int *keep)
{
	char	 buf[8192], *end, *p;
	size_t	 have = 0, off = 0;
	ssize_t	 r;
	long	 clen = 0;
	int	 status;

	while (off < len) {
		if ((r = write(fd, req + off, len - off)) <= 0)
			return -1;
		off += (size_t)r;
	}
	for (;;) {
		if (have == sizeof buf - 1)
			return -1;
		if ((r = read(fd, buf + have, sizeof buf - 1 - have)) <= 0)
			return -1;
		have += (size_t)r;
		buf[have] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) != NULL)
			break;
	}
	if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
		return -1;
	*keep = 1;
	for (p = strstr(buf, "\r\n"); p != NULL && p < end;
	    p = strstr(p + 2, "\r\n")) {
		if (strncasecmp(p + 2, "Content-Length:", 15) == 0)
			clen = atol(p + 17);
		else if (strncasecmp(p + 2, "Connection: close", 17) == 0)
			*keep = 0;
		else if (strncasecmp(p + 2, "Transfer-Encoding:", 18) == 0)
			*keep = 0;	/* not parsed: just start afresh */
	}
	/* Skip the body (204 has none). */
	clen -= (long)(have - (size_t)(end + 4 - buf));
	while (clen > 0 && *keep) {
		if ((r = read(fd, buf, sizeof buf)) <= 0)
			return -1;
		clen -= r;
	}
	return status;
}

static void *
run(void *arg)
{
	struct result	*res = arg;
	long		 tid = res->ok, i;
	char		 req[1024];
	int		 fd = -1, keep, status = -1, n, tries;

	res->ok = 0;
	for (i = tid; i < count && now() < deadline; i += conc) {
		n = snprintf(req, sizeof req,
		    "PUT /v1/sys/plugins/runtimes/catalog/container/%s%ld "
		    "HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Vault-Token: %s\r\n"
		    "Content-Type: application/json\r\n"
		    "Content-Length: %zu\r\n\r\n%s", prefix, start + i, token,
		    sizeof body - 1, body);
		status = -1;
		for (tries = 0; tries < 5; tries++) {
			if (fd == -1 && (fd = dial()) == -1) {
				usleep(10000);
				continue;
			}
			status = exchange(fd, req, (size_t)n, &keep);
			if (status == -1 || !keep) {
				close(fd);
				fd = -1;
			}
			if (status != -1)
				break;
		}
		if (status == 204)
			res->ok++;
		else
			res->failed++;
	}
	if (fd != -1)
		close(fd);
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t	*th;
	struct result	*res;
	long		 ok = 0, failed = 0;
	double		 t0 = now();
	int		 i;

	if (argc != 8) {
		fprintf(stderr, "usage: seed PORT TOKEN PREFIX START COUNT "
		    "CONC MAX_SECONDS\n");
		return 2;
	}
	port = atoi(argv[1]);
	token = argv[2];
	prefix = argv[3];
	start = atol(argv[4]);
	count = atol(argv[5]);
	conc = atoi(argv[6]);
	deadline = t0 + atof(argv[7]);
	if (port <= 0 || conc < 1 || conc > 1024 || count < 0)
		return 2;
	th = calloc((size_t)conc, sizeof *th);
	res = calloc((size_t)conc, sizeof *res);
	if (th == NULL || res == NULL)
		return 1;
	for (i = 0; i < conc; i++) {
		res[i].ok = i;
		if (pthread_create(&th[i], NULL, run, &res[i]) != 0)
			return 1;
	}
	for (i = 0; i < conc; i++) {
		pthread_join(th[i], NULL);
		ok += res[i].ok;
		failed += res[i].failed;
	}
	printf("SEED ok=%ld failed=%ld seconds=%.2f\n", ok, failed,
	    now() - t0);
	return failed > 0 || ok < count;
}
