/*
 * hammer.c: the reliability checks' load client.  Threads PUT container
 * runtimes with random fields to 127.0.0.1, one connection per request
 * (HTTP/1.1, Connection: close), and log what every request got; -V reads
 * such logs back and checks the server's catalog against them.
 *
 * usage: hammer -p port -t token [-c threads] [-s seconds] [-n max]
 *            [-k name,...] [-P prefix] [-T timeout] [-r seed] -l log
 *        hammer -p port -t token [-c threads] [-T timeout] -V log ...
 *
 * Without -k every request registers a new name, <prefix><thread>-<seq>;
 * with -k every request overwrites one of the given names.  Load stops
 * after -s seconds or -n requests in all, whichever comes first, or on
 * SIGINT/SIGTERM.  Each request appends one line to the log (which is not
 * truncated), written with one write(2):
 *
 *	<name> <status> <latency ms> <data>
 *
 * where status 0 stands for a timeout (-T, connect to last byte), a reset or
 * a refused connection, and <data> is the "data" object a GET of the name
 * returns if this write is the one that stuck.  At the end one line goes to
 * stdout: sent, acked (204), s503, s5xx (other 5xx), s4xx, timeouts
 * (status 0) and the latency percentiles over all requests.
 *
 * -V: GETs every logged name (again for up to 5 s while the service does
 * not answer) and lists the catalog.  A name with a 204 must be present
 * (else lost); a present value must be the data of one of that name's
 * requests that got 204 or no definite answer (0 or 5xx), never a refused
 * (4xx) one's (changed), nor fields mixed from several (torn); the list
 * must agree with the GETs and may hold no name that was never sent
 * (unknown) among names starting with the prefixes in the logs (a unique
 * name's prefix is the name without its trailing <thread>-<seq>; a -k name
 * is its own prefix).  Exits 1 on any of these.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "lib/lib.h"

#define RUNTIME_PATH	"/v1/sys/plugins/runtimes/catalog/container/"
#define LIST_PATH	"/v1/sys/plugins/runtimes/catalog?list=true"
#define MAX_THREADS	256
#define MAX_MEMBERS	32
#define SHOW		5	/* offenders printed per kind */

struct answer {
	int	 status;	/* 0: no answer */
	bool	 refused;
	char	*body;		/* NUL-terminated, or NULL */
	size_t	 len;
};

struct worker {
	pthread_t	 tid;
	int		 id;
	uint64_t	 rng;
	double		*lat;
	size_t		 nlat, caplat;
	unsigned long	 acked, s503, s5xx, s4xx, timeouts;
};

struct member {
	const char	*key, *val;
	size_t		 klen, vlen;
};

struct rec {
	char	*name, *data;
	int	 status;
};

struct group {
	size_t	 first, n;	/* the name's records in recs[] */
	int	 status;	/* of the GET: 200, 404, else unreadable */
	char	*value;		/* the "data" member of a 200 */
};

static int		 opt_port;
static const char	*opt_token;
static int		 opt_threads = 8;
static double		 opt_seconds = -1;
static unsigned long	 opt_max;
static char		**opt_keys;
static size_t		 opt_nkeys;
static const char	*opt_prefix = "rt-";
static double		 opt_timeout = 10;
static uint64_t		 opt_seed;

static int		 log_fd = -1;
static pthread_mutex_t	 log_lock = PTHREAD_MUTEX_INITIALIZER;
static double		 deadline_ms;
static atomic_ulong	 issued;
static atomic_int	 stopping;

static struct rec	*recs;
static size_t		 nrecs, caprecs;
static struct group	*groups;
static size_t		 ngroups;
static atomic_size_t	 next_group;
static atomic_int	 gave_up;

static void __attribute__((noreturn))
die(const char *fmt, ...)
{
	va_list	 ap;

	fputs("hammer: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* Room for more bytes after b->len (plus the NUL), to read into. */
static void
buf_reserve(struct buf *b, size_t more)
{
	if (b->len + more + 1 <= b->cap)
		return;
	while (b->len + more + 1 > b->cap)
		b->cap = b->cap ? b->cap * 2 : 64;
	b->data = xrealloc(b->data, b->cap);
}

/* Empties b for reuse, keeping its memory. */
static void
buf_clear(struct buf *b)
{
	b->len = 0;
	b->data[0] = '\0';
}

static double
now_fms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* splitmix64: small, fast, and good enough to pick field values. */
static uint64_t
rnd(uint64_t *s)
{
	uint64_t	 z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A non-negative int64 (the server refuses negative ones), often large. */
static long long
rnd_int64(uint64_t *s)
{
	switch (rnd(s) % 5) {
	case 0:
		return (long long)(rnd(s) % 1001);
	case 1:
		return (long long)(rnd(s) % 4294967296ULL);
	case 2:
		return (long long)(rnd(s) % 100000000000ULL);
	case 3:
		return (long long)(INT64_MAX - (int64_t)(rnd(s) % 3));
	default:
		return (long long)(rnd(s) >> 1);
	}
}

/*
 * A random string of printable ASCII without space, written twice: as the
 * request's JSON and as Go's encoder prints it (HTML characters escaped).
 */
static void
rnd_string(uint64_t *s, size_t maxlen, struct buf *req, struct buf *go)
{
	size_t	 n = (size_t)(rnd(s) % (maxlen + 1)), i;
	char	 c;

	buf_adds(req, "\"");
	buf_adds(go, "\"");
	for (i = 0; i < n; i++) {
		c = (char)(0x21 + rnd(s) % (0x7f - 0x21));
		switch (c) {
		case '"':
			buf_adds(req, "\\\"");
			buf_adds(go, "\\\"");
			break;
		case '\\':
			buf_adds(req, "\\\\");
			buf_adds(go, "\\\\");
			break;
		case '<':
		case '>':
		case '&':
			buf_addc(req, c);
			buf_printf(go, "\\u00%02x", (unsigned)c);
			break;
		default:
			buf_addc(req, c);
			buf_addc(go, c);
		}
	}
	buf_adds(req, "\"");
	buf_adds(go, "\"");
}

/* Closes fd and says the request got no answer. */
static int
no_answer(int fd, struct answer *a)
{
	if (fd != -1)
		close(fd);
	free(a->body);
	a->body = NULL;
	a->len = 0;
	a->status = 0;
	return 0;
}

static void
set_send_timeout(int fd, double deadline)
{
	struct timeval	 tv;
	double		 left = deadline - now_fms();

	if (left < 1)
		left = 1;
	tv.tv_sec = (time_t)(left / 1000);
	tv.tv_usec = (suseconds_t)((left - (double)tv.tv_sec * 1000) * 1000);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

/*
 * Decodes a chunked body in place once all of it is in.  Returns 1 when
 * it was decoded, 0 when more is needed, -1 when it is malformed.
 */
static int
dechunk(char *p, size_t n, size_t *outlen)
{
	size_t	 i, out, size;
	char	*end, *eol;
	int	 pass;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0, out = 0;;) {
			if ((eol = memmem(p + i, n - i, "\r\n", 2)) == NULL)
				return 0;
			errno = 0;
			size = (size_t)strtoul(p + i, &end, 16);
			if (end == p + i || errno != 0 || size > n)
				return -1;
			i = (size_t)(eol - p) + 2;
			if (size == 0)
				break;
			if (n - i < size + 2)
				return 0;
			/* The second pass moves the data down: out <= i. */
			if (pass == 1)
				memmove(p + out, p + i, size);
			out += size;
			i += size + 2;
		}
	}
	*outlen = out;
	return 1;
}

/*
 * Is the answer in b complete?  Returns 1 (then a is filled in), 0 when
 * more bytes are needed, -1 when it is not HTTP.
 */
static int
parse_answer(struct buf *b, bool eof, struct answer *a)
{
	char	*hend, *line, *next, *body;
	size_t	 blen, clen = 0;
	bool	 have_clen = false, chunked = false;
	int	 status, rc;

	if ((hend = memmem(b->data, b->len, "\r\n\r\n", 4)) == NULL)
		return eof ? -1 : 0;
	if (b->len < 12 || strncmp(b->data, "HTTP/1.", 7) != 0 ||
	    sscanf(b->data + 8, " %3d", &status) != 1 || status < 100)
		return -1;
	for (line = (char *)memchr(b->data, '\n', b->len) + 1; line < hend;
	    line = next + 1) {
		next = memchr(line, '\n', (size_t)(hend + 2 - line));
		if (next == NULL)
			break;
		if (strncasecmp(line, "Content-Length:", 15) == 0) {
			clen = (size_t)strtoul(line + 15, NULL, 10);
			have_clen = true;
		} else if (strncasecmp(line, "Transfer-Encoding:", 18) == 0 &&
		    memmem(line, (size_t)(next - line), "chunked", 7) != NULL)
			chunked = true;
	}
	body = hend + 4;
	blen = b->len - (size_t)(body - b->data);
	if (status == 204 || status == 304 || (status >= 100 && status < 200))
		blen = 0;
	else if (chunked) {
		/* Decoded once the last chunk (no trailers) is in. */
		if (!eof && (blen < 5 ||
		    memcmp(body + blen - 5, "0\r\n\r\n", 5) != 0))
			return 0;
		if ((rc = dechunk(body, blen, &blen)) != 1)
			return rc == 0 && !eof ? 0 : -1;
	} else if (have_clen) {
		if (blen < clen)
			return eof ? -1 : 0;
		blen = clen;
	} else if (!eof)
		return 0;
	a->status = status;
	a->body = xstrndup(body, blen);
	a->len = blen;
	return 1;
}

/*
 * One request on a new connection, all of it within opt_timeout seconds.
 * Returns the status, or 0 (a->refused when the connection was refused).
 */
static int
http(const char *method, const char *path, const char *body,
    struct answer *a)
{
	struct sockaddr_in	 sin;
	struct buf		 req, in;
	struct pollfd		 pfd;
	double			 deadline = now_fms() + opt_timeout * 1000;
	size_t			 off;
	ssize_t			 n;
	int			 fd, left, rc;
	bool			 eof = false;

	memset(a, 0, sizeof *a);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return no_answer(fd, a);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)opt_port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	set_send_timeout(fd, deadline);
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
		a->refused = errno == ECONNREFUSED;
		return no_answer(fd, a);
	}
	buf_init(&req);
	buf_printf(&req, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
	    "X-Vault-Token: %s\r\nConnection: close\r\n", method, path,
	    opt_port, opt_token);
	if (body != NULL)
		buf_printf(&req, "Content-Type: application/json\r\n"
		    "Content-Length: %zu\r\n\r\n%s", strlen(body), body);
	else
		buf_adds(&req, "\r\n");
	for (off = 0; off < req.len; off += (size_t)n) {
		set_send_timeout(fd, deadline);
		n = send(fd, req.data + off, req.len - off, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n <= 0) {
			buf_free(&req);
			return no_answer(fd, a);
		}
	}
	buf_free(&req);
	buf_init(&in);
	for (;;) {
		if ((left = (int)(deadline - now_fms())) <= 0)
			break;
		pfd.fd = fd;
		pfd.events = POLLIN;
		if ((rc = poll(&pfd, 1, left)) == -1 && errno == EINTR)
			continue;
		if (rc <= 0)
			break;
		buf_reserve(&in, 4096);
		n = recv(fd, in.data + in.len, in.cap - in.len - 1, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			break;
		if (n == 0)
			eof = true;
		in.len += (size_t)n;
		in.data[in.len] = '\0';
		if ((rc = parse_answer(&in, eof, a)) == 1) {
			buf_free(&in);
			close(fd);
			return a->status;
		}
		if (rc == -1 || eof)
			break;
	}
	buf_free(&in);
	return no_answer(fd, a);
}

static void
log_line(const struct buf *line)
{
	size_t	 off;
	ssize_t	 n;

	pthread_mutex_lock(&log_lock);
	for (off = 0; off < line->len; off += (size_t)n)
		if ((n = write(log_fd, line->data + off,
		    line->len - off)) <= 0) {
			if (n == -1 && errno == EINTR) {
				n = 0;
				continue;
			}
			die("writing the log: %s", strerror(errno));
		}
	pthread_mutex_unlock(&log_lock);
}

static bool
go_on(void)
{
	if (atomic_load(&stopping))
		return false;
	if (opt_seconds >= 0 && now_fms() >= deadline_ms)
		return false;
	if (opt_max > 0 && atomic_fetch_add(&issued, 1) >= opt_max)
		return false;
	return true;
}

static void *
load(void *arg)
{
	struct worker	*w = arg;
	struct buf	 name, body, data, path, line;
	struct answer	 a;
	unsigned long	 seq = 0;
	long long	 cpu, mem;
	bool		 rootless;
	double		 t0, ms;
	int		 status;

	buf_init(&name);
	buf_init(&body);
	buf_init(&data);
	buf_init(&path);
	buf_init(&line);
	while (go_on()) {
		buf_clear(&name);
		buf_clear(&body);
		buf_clear(&data);
		buf_clear(&path);
		buf_clear(&line);
		if (opt_nkeys > 0)
			buf_adds(&name, opt_keys[rnd(&w->rng) % opt_nkeys]);
		else
			buf_printf(&name, "%s%d-%lu", opt_prefix, w->id, ++seq);
		cpu = rnd_int64(&w->rng);
		mem = rnd_int64(&w->rng);
		rootless = rnd(&w->rng) & 1;
		/* The data as Go prints it: keys sorted. */
		buf_adds(&data, "{\"cgroup_parent\":");
		buf_adds(&body, "{\"cgroup_parent\":");
		rnd_string(&w->rng, 24, &body, &data);
		buf_printf(&data, ",\"cpu_nanos\":%lld,\"memory_bytes\":%lld,"
		    "\"name\":\"%s\",\"oci_runtime\":", cpu, mem, name.data);
		buf_adds(&body, ",\"oci_runtime\":");
		rnd_string(&w->rng, 24, &body, &data);
		buf_printf(&body, ",\"cpu_nanos\":%lld,\"memory_bytes\":%lld,"
		    "\"rootless\":%s}", cpu, mem, rootless ? "true" : "false");
		buf_printf(&data, ",\"rootless\":%s,\"type\":\"container\"}",
		    rootless ? "true" : "false");
		buf_printf(&path, RUNTIME_PATH "%s", name.data);

		t0 = now_fms();
		status = http("PUT", path.data, body.data, &a);
		ms = now_fms() - t0;
		free(a.body);

		buf_printf(&line, "%s %d %.3f %s\n", name.data, status, ms,
		    data.data);
		log_line(&line);
		if (w->nlat == w->caplat) {
			w->caplat = w->caplat ? w->caplat * 2 : 1024;
			w->lat = xrealloc(w->lat, w->caplat * sizeof *w->lat);
		}
		w->lat[w->nlat++] = ms;
		if (status == 204)
			w->acked++;
		else if (status == 503)
			w->s503++;
		else if (status >= 500)
			w->s5xx++;
		else if (status >= 400)
			w->s4xx++;
		else if (status == 0) {
			w->timeouts++;
			/* Nothing listens: do not spin while it restarts. */
			if (a.refused)
				nanosleep(&(struct timespec){ 0, 20000000 },
				    NULL);
		}
	}
	buf_free(&name);
	buf_free(&body);
	buf_free(&data);
	buf_free(&path);
	buf_free(&line);
	return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted v[0..n-1]. */
static double
percentile(const double *v, size_t n, double p)
{
	size_t	 rank;

	if (n == 0)
		return 0;
	rank = (size_t)(p * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	return v[(rank > n ? n : rank) - 1];
}

static void
on_signal(int sig)
{
	(void)sig;
	atomic_store(&stopping, 1);
}

static int
run_load(const char *logpath)
{
	struct worker	*w;
	struct sigaction sa;
	double		*all;
	size_t		 nall = 0;
	unsigned long	 acked = 0, s503 = 0, s5xx = 0, s4xx = 0, tmo = 0;
	int		 i;

	if ((log_fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0644)) == -1)
		die("%s: %s", logpath, strerror(errno));
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fprintf(stderr, "hammer: seed %" PRIu64 "\n", opt_seed);

	deadline_ms = now_fms() + opt_seconds * 1000;
	w = xcalloc((size_t)opt_threads, sizeof *w);
	for (i = 0; i < opt_threads; i++) {
		w[i].id = i;
		w[i].rng = opt_seed ^ (0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1));
		if (pthread_create(&w[i].tid, NULL, load, &w[i]) != 0)
			die("pthread_create failed");
	}
	for (i = 0; i < opt_threads; i++)
		pthread_join(w[i].tid, NULL);
	close(log_fd);

	for (i = 0; i < opt_threads; i++)
		nall += w[i].nlat;
	all = xmalloc(nall * sizeof *all);
	nall = 0;
	for (i = 0; i < opt_threads; i++) {
		if (w[i].nlat > 0)
			memcpy(all + nall, w[i].lat, w[i].nlat * sizeof *all);
		nall += w[i].nlat;
		acked += w[i].acked;
		s503 += w[i].s503;
		s5xx += w[i].s5xx;
		s4xx += w[i].s4xx;
		tmo += w[i].timeouts;
		free(w[i].lat);
	}
	free(w);
	qsort(all, nall, sizeof *all, cmp_double);
	printf("hammer: sent=%zu acked=%lu s503=%lu s5xx=%lu s4xx=%lu "
	    "timeouts=%lu p50_ms=%.3f p99_ms=%.3f max_ms=%.3f\n", nall, acked,
	    s503, s5xx, s4xx, tmo, percentile(all, nall, 0.50),
	    percentile(all, nall, 0.99), nall ? all[nall - 1] : 0.0);
	free(all);
	return 0;
}

/* JSON scanning, just enough to take the server's answers apart. */

static const char *
skip_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/* The end of the JSON value at p, or NULL. */
static const char *
skip_value(const char *p, const char *e, int depth)
{
	char	 closer;

	if (depth > 64 || (p = skip_ws(p, e)) == e)
		return NULL;
	switch (*p) {
	case '"':
		for (p++; p < e && *p != '"'; p++)
			if (*p == '\\' && ++p == e)
				return NULL;
		return p < e ? p + 1 : NULL;
	case '{':
	case '[':
		closer = *p == '{' ? '}' : ']';
		if ((p = skip_ws(p + 1, e)) < e && *p == closer)
			return p + 1;
		for (;;) {
			if (closer == '}') {
				if ((p = skip_ws(p, e)) == e || *p != '"' ||
				    (p = skip_value(p, e, depth + 1)) == NULL ||
				    (p = skip_ws(p, e)) == e || *p != ':')
					return NULL;
				p++;
			}
			if ((p = skip_value(p, e, depth + 1)) == NULL ||
			    (p = skip_ws(p, e)) == e)
				return NULL;
			if (*p == closer)
				return p + 1;
			if (*p++ != ',')
				return NULL;
		}
	default:
		while (p < e && strchr(",}] \t\r\n", *p) == NULL)
			p++;
		return p;
	}
}

/* The members of the object in [p, e): their count, or -1. */
static int
members(const char *p, const char *e, struct member *m, int max)
{
	const char	*v;
	int		 n = 0;

	if ((p = skip_ws(p, e)) == e || *p != '{')
		return -1;
	if ((p = skip_ws(p + 1, e)) < e && *p == '}')
		return 0;
	for (;;) {
		if (n == max || (p = skip_ws(p, e)) == e || *p != '"' ||
		    (v = skip_value(p, e, 1)) == NULL)
			return -1;
		m[n].key = p + 1;
		m[n].klen = (size_t)(v - p) - 2;
		if ((p = skip_ws(v, e)) == e || *p != ':')
			return -1;
		p = skip_ws(p + 1, e);
		if ((v = skip_value(p, e, 1)) == NULL)
			return -1;
		m[n].val = p;
		m[n].vlen = (size_t)(v - p);
		n++;
		if ((p = skip_ws(v, e)) == e)
			return -1;
		if (*p == '}')
			return n;
		if (*p++ != ',')
			return -1;
	}
}

static const struct member *
member(const struct member *m, int n, const char *key)
{
	int	 i;

	for (i = 0; i < n; i++)
		if (m[i].klen == strlen(key) && memcmp(m[i].key, key,
		    m[i].klen) == 0)
			return &m[i];
	return NULL;
}

/* The span of the "data" member of the answer body, or NULL. */
static const char *
answer_data(const struct answer *a, size_t *len)
{
	struct member		 m[MAX_MEMBERS];
	const struct member	*d;
	int			 n;

	if (a->body == NULL ||
	    (n = members(a->body, a->body + a->len, m, MAX_MEMBERS)) < 0 ||
	    (d = member(m, n, "data")) == NULL)
		return NULL;
	*len = d->vlen;
	return d->val;
}

/*
 * A GET, tried again for 5 s while the service does not answer.  Once a
 * GET gave up, the others do not try: the checks fail all the same.
 */
static int
get(const char *path, struct answer *a)
{
	int	 try;

	memset(a, 0, sizeof *a);
	for (try = 0; try < 50 && !atomic_load(&gave_up); try++) {
		if (try > 0)
			nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
		http("GET", path, NULL, a);
		if (a->status == 200 || a->status == 404 ||
		    (a->status >= 400 && a->status < 500))
			return a->status;
		free(a->body);
		a->body = NULL;
	}
	atomic_store(&gave_up, 1);
	return a->status;
}

static void *
fetch(void *arg)
{
	struct buf	 path;
	struct answer	 a;
	struct group	*g;
	const char	*d;
	size_t		 i, len;

	(void)arg;

	buf_init(&path);
	while ((i = atomic_fetch_add(&next_group, 1)) < ngroups) {
		g = &groups[i];
		buf_clear(&path);
		buf_printf(&path, RUNTIME_PATH "%s", recs[g->first].name);
		g->status = get(path.data, &a);
		if (g->status == 200) {
			if ((d = answer_data(&a, &len)) != NULL)
				g->value = xstrndup(d, len);
			else
				g->status = -1;
		}
		free(a.body);
	}
	buf_free(&path);
	return NULL;
}

static int
cmp_rec(const void *a, const void *b)
{
	return strcmp(((const struct rec *)a)->name,
	    ((const struct rec *)b)->name);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
read_log(const char *path)
{
	FILE	*f;
	char	*line = NULL, *s1, *s2, *s3, *end;
	size_t	 cap = 0, lineno = 0, len;
	ssize_t	 n;
	long	 status;

	if ((f = fopen(path, "r")) == NULL)
		die("%s: %s", path, strerror(errno));
	while ((n = getline(&line, &cap, f)) != -1) {
		lineno++;
		len = (size_t)n;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if ((s1 = strchr(line, ' ')) == NULL ||
		    (s2 = strchr(s1 + 1, ' ')) == NULL ||
		    (s3 = strchr(s2 + 1, ' ')) == NULL || s1 == line ||
		    s3[1] != '{' || line[len - 1] != '}')
			die("%s:%zu: not a hammer log line", path, lineno);
		status = strtol(s1 + 1, &end, 10);
		if (end != s2 || status < 0 || status > 999)
			die("%s:%zu: bad status", path, lineno);
		if (nrecs == caprecs) {
			caprecs = caprecs ? caprecs * 2 : 1024;
			recs = xrealloc(recs, caprecs * sizeof *recs);
		}
		recs[nrecs].name = xstrndup(line, (size_t)(s1 - line));
		recs[nrecs].status = (int)status;
		recs[nrecs].data = xstrndup(s3 + 1, len - (size_t)(s3 + 1 -
		    line));
		nrecs++;
	}
	free(line);
	if (ferror(f))
		die("%s: %s", path, strerror(errno));
	fclose(f);
}

/* A unique name without its <thread>-<seq>; any other name itself. */
static char *
prefix_of(const char *name)
{
	size_t	 n = strlen(name), i = n;

	while (i > 0 && name[i - 1] >= '0' && name[i - 1] <= '9')
		i--;
	if (i == n || i == 0 || name[i - 1] != '-')
		return xstrndup(name, n);
	i--;
	n = i;
	while (i > 0 && name[i - 1] >= '0' && name[i - 1] <= '9')
		i--;
	if (i == n)
		return xstrdup(name);
	return xstrndup(name, i);
}

/* Might this request's write be the one stored?  Only a 4xx refused it. */
static bool
may_have_stuck(int status)
{
	return status < 400 || status >= 500;
}

/*
 * Is value, which is no single request's data, made of fields that each
 * come from one of the name's requests?  That is a torn record.
 */
static bool
torn(const struct group *g, const char *value)
{
	struct member		 vm[MAX_MEMBERS], rm[MAX_MEMBERS];
	const struct member	*x;
	const char		*d;
	char			 key[64];
	int			 vn, rn, i;
	size_t			 r;
	bool			 found;

	for (r = g->first; r < g->first + g->n; r++)
		if (strcmp(recs[r].data, value) == 0)
			return false;	/* one request's, if refused */
	if ((vn = members(value, value + strlen(value), vm, MAX_MEMBERS)) <= 0)
		return false;
	for (i = 0; i < vn; i++) {
		if (vm[i].klen >= sizeof key)
			return false;
		memcpy(key, vm[i].key, vm[i].klen);
		key[vm[i].klen] = '\0';
		found = false;
		for (r = g->first; r < g->first + g->n && !found; r++) {
			d = recs[r].data;
			if ((rn = members(d, d + strlen(d), rm,
			    MAX_MEMBERS)) != vn)
				continue;
			found = (x = member(rm, rn, key)) != NULL &&
			    x->vlen == vm[i].vlen &&
			    memcmp(x->val, vm[i].val, x->vlen) == 0;
		}
		if (!found)
			return false;
	}
	return true;
}

static int
run_verify(char **logs, int nlogs)
{
	struct answer	 a;
	struct member	 m[MAX_MEMBERS];
	const struct member *rt;
	pthread_t	*tids;
	char		**prefixes = NULL, **listed = NULL, *key;
	const char	*d, *p, *e;
	size_t		 nprefixes = 0, nlisted = 0, i, j, r, len;
	unsigned long	 acked = 0, present = 0, lost = 0, changed = 0;
	unsigned long	 ntorn = 0, unknown = 0, other = 0;
	bool		 has_ack, ok, listed_ok = false;
	int		 k, n;

	for (k = 0; k < nlogs; k++)
		read_log(logs[k]);
	if (nrecs > 0)
		qsort(recs, nrecs, sizeof *recs, cmp_rec);
	groups = xmalloc((nrecs + 1) * sizeof *groups);
	for (i = 0; i < nrecs; i = j) {
		for (j = i + 1; j < nrecs && strcmp(recs[i].name,
		    recs[j].name) == 0; j++)
			;
		groups[ngroups].first = i;
		groups[ngroups].n = j - i;
		groups[ngroups].status = 0;
		groups[ngroups].value = NULL;
		ngroups++;
		key = prefix_of(recs[i].name);
		for (r = 0; r < nprefixes && strcmp(prefixes[r], key) != 0;
		    r++)
			;
		if (r < nprefixes)
			free(key);
		else {
			prefixes = xrealloc(prefixes, (nprefixes + 1) *
			    sizeof *prefixes);
			prefixes[nprefixes++] = key;
		}
	}

	/* Every logged name, read back by a few threads. */
	tids = xmalloc((size_t)opt_threads * sizeof *tids);
	for (k = 0; k < opt_threads; k++)
		if (pthread_create(&tids[k], NULL, fetch, NULL) != 0)
			die("pthread_create failed");
	for (k = 0; k < opt_threads; k++)
		pthread_join(tids[k], NULL);
	free(tids);

	/* The catalog's list: data.runtimes[].name. */
	if (get(LIST_PATH, &a) != 200 || (d = answer_data(&a, &len)) == NULL ||
	    (n = members(d, d + len, m, MAX_MEMBERS)) < 0 ||
	    (rt = member(m, n, "runtimes")) == NULL || rt->val[0] != '[') {
		fprintf(stderr, "verify: cannot list the catalog: %d %s\n",
		    a.status, a.body ? a.body : "");
		other++;
	} else {
		listed_ok = true;
		p = skip_ws(rt->val + 1, rt->val + rt->vlen);
		e = rt->val + rt->vlen - 1;	/* the ']' */
		while (p < e) {
			const struct member *nm;
			const char *v;

			if ((v = skip_value(p, e, 1)) == NULL ||
			    (n = members(p, v, m, MAX_MEMBERS)) < 0 ||
			    (nm = member(m, n, "name")) == NULL ||
			    nm->vlen < 2) {
				fprintf(stderr, "verify: bad list entry\n");
				listed_ok = false;
				other++;
				break;
			}
			listed = xrealloc(listed, (nlisted + 1) *
			    sizeof *listed);
			listed[nlisted++] = xstrndup(nm->val + 1,
			    nm->vlen - 2);
			p = skip_ws(v, e);
			if (p < e && *p == ',')
				p = skip_ws(p + 1, e);
		}
	}
	free(a.body);
	if (nlisted > 0)
		qsort(listed, nlisted, sizeof *listed, cmp_str);

	for (i = 0; i < ngroups; i++) {
		struct group	*g = &groups[i];
		const char	*name = recs[g->first].name;
		bool		 in_list;

		has_ack = false;
		for (r = g->first; r < g->first + g->n; r++)
			has_ack |= recs[r].status == 204;
		acked += has_ack;
		in_list = nlisted > 0 && bsearch(&name, listed, nlisted,
		    sizeof *listed, cmp_str) != NULL;
		if (g->status != 200 && g->status != 404) {
			if (other++ < SHOW)
				fprintf(stderr, "verify: %s: GET got %d\n",
				    name, g->status);
			continue;
		}
		if (listed_ok && in_list != (g->status == 200) &&
		    other++ < SHOW)
			fprintf(stderr, "verify: %s: GET says %d but the list "
			    "%s it\n", name, g->status, in_list ? "has" :
			    "lacks");
		if (g->status == 404) {
			if (has_ack && lost++ < SHOW)
				fprintf(stderr, "verify: lost: %s (acked %s)\n",
				    name, recs[g->first].data);
			continue;
		}
		present++;
		ok = false;
		for (r = g->first; r < g->first + g->n && !ok; r++)
			ok = may_have_stuck(recs[r].status) &&
			    strcmp(recs[r].data, g->value) == 0;
		if (ok)
			continue;
		if (torn(g, g->value)) {
			if (ntorn++ < SHOW)
				fprintf(stderr, "verify: torn: %s: %s\n", name,
				    g->value);
		} else if (changed++ < SHOW) {
			fprintf(stderr, "verify: changed: %s: %s, sent:\n",
			    name, g->value);
			for (r = g->first; r < g->first + g->n && r <
			    g->first + SHOW; r++)
				fprintf(stderr, "  %d %s\n", recs[r].status,
				    recs[r].data);
		}
	}

	/* Names the server has under the logs' prefixes but nobody sent. */
	for (i = 0; i < nlisted; i++) {
		struct rec	 probe;

		for (r = 0; r < nprefixes; r++)
			if (strncmp(listed[i], prefixes[r],
			    strlen(prefixes[r])) == 0)
				break;
		if (r == nprefixes)
			continue;
		probe.name = listed[i];
		if (bsearch(&probe, recs, nrecs, sizeof *recs, cmp_rec) ==
		    NULL && unknown++ < SHOW)
			fprintf(stderr, "verify: never sent: %s\n", listed[i]);
	}

	printf("verify: names=%zu acked=%lu present=%lu lost=%lu changed=%lu "
	    "torn=%lu unknown=%lu\n", ngroups, acked, present, lost, changed,
	    ntorn, unknown);
	if (other > 0)
		fprintf(stderr, "verify: %lu names unreadable or listed "
		    "wrongly, or no list\n", other);

	for (i = 0; i < nlisted; i++)
		free(listed[i]);
	free(listed);
	for (i = 0; i < nprefixes; i++)
		free(prefixes[i]);
	free(prefixes);
	for (i = 0; i < ngroups; i++)
		free(groups[i].value);
	free(groups);
	for (i = 0; i < nrecs; i++) {
		free(recs[i].name);
		free(recs[i].data);
	}
	free(recs);
	return lost + changed + ntorn + unknown + other > 0 ? 1 : 0;
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: hammer -p port -t token [-c threads] [-s seconds] "
	    "[-n max]\n"
	    "              [-k name,...] [-P prefix] [-T timeout] [-r seed] "
	    "-l log\n"
	    "       hammer -p port -t token [-c threads] [-T timeout] "
	    "-V log ...\n");
	exit(2);
}

static double
number(const char *s, double min, double max)
{
	char	*end;
	double	 v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		usage();
	return v;
}

static void
split_keys(const char *arg)
{
	char	*s = xstrdup(arg), *tok, *save = NULL;

	for (tok = strtok_r(s, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		opt_keys = xrealloc(opt_keys, (opt_nkeys + 1) *
		    sizeof *opt_keys);
		opt_keys[opt_nkeys++] = xstrdup(tok);
	}
	free(s);
	if (opt_nkeys == 0)
		usage();
}

int
main(int argc, char **argv)
{
	const char	*logpath = NULL;
	bool		 verify = false, seeded = false;
	size_t		 i;
	int		 ch, rc;

	log_init("hammer");	/* names the tool in lib's out-of-memory line */
	while ((ch = getopt(argc, argv, "c:k:l:n:P:p:r:s:T:t:V")) != -1) {
		switch (ch) {
		case 'c':
			opt_threads = (int)number(optarg, 1, MAX_THREADS);
			break;
		case 'k':
			split_keys(optarg);
			break;
		case 'l':
			logpath = optarg;
			break;
		case 'n':
			opt_max = (unsigned long)number(optarg, 1, 1e12);
			break;
		case 'P':
			opt_prefix = optarg;
			break;
		case 'p':
			opt_port = (int)number(optarg, 1, 65535);
			break;
		case 'r':
			opt_seed = (uint64_t)number(optarg, 0, 1.8e19);
			seeded = true;
			break;
		case 's':
			opt_seconds = number(optarg, 0, 1e6);
			break;
		case 'T':
			opt_timeout = number(optarg, 0.001, 1e6);
			break;
		case 't':
			opt_token = optarg;
			break;
		case 'V':
			verify = true;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (opt_port == 0 || opt_token == NULL)
		usage();
	signal(SIGPIPE, SIG_IGN);
	if (verify) {
		if (argc < 1 || logpath != NULL)
			usage();
		rc = run_verify(argv, argc);
	} else {
		if (argc != 0 || logpath == NULL ||
		    (opt_seconds < 0 && opt_max == 0))
			usage();
		if (!seeded)
			opt_seed = (uint64_t)time(NULL) ^
			    ((uint64_t)getpid() << 32);
		rc = run_load(logpath);
	}
	for (i = 0; i < opt_nkeys; i++)
		free(opt_keys[i]);
	free(opt_keys);
	return rc;
}
