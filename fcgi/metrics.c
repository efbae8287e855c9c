/*
 * metrics.c: GET sys/metrics, Vault's telemetry endpoint.  The counters
 * are the shared page every process adds to (lib/metrics.c, mapped by the
 * supervisor before it forks); a scrape copies it, reads the catalog
 * sizes and Berkeley DB's statistics in its own transaction (db/stats.c)
 * and the process series from /proc for the supervisor and each of its
 * children, then answers Prometheus text (format=prometheus, or an Accept
 * header Vault takes for it) or Vault's JSON shape (no format).  An
 * unknown format is Vault's 400 message, in our JSON error envelope.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fcgi/fcgi.h"

#define PROMETHEUS_TYPE	"text/plain; version=0.0.4; charset=utf-8"

enum { M_FORMAT };
const struct field metrics_fields[] = {
	[M_FORMAT] = { "format", FIELD_STRING },
	{ NULL, FIELD_STRING },
};

/* Open descriptors of PID, or -1. */
static int64_t
open_fds(pid_t pid)
{
	char		 path[64];
	DIR		*d;
	struct dirent	*e;
	int64_t		 n = 0;

	snprintf(path, sizeof path, "/proc/%ld/fd", (long)pid);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/*
 * Adds PID's CPU time (with that of its reaped children when CHILDREN)
 * and resident memory to x; false if it is gone.
 */
static bool
add_process(struct metrics_now *x, pid_t pid, bool children)
{
	char		 path[64], text[1024], *p;
	unsigned long	 ut, st;
	long		 cut, cst, rss;
	ssize_t		 n;
	FILE		*f;
	int64_t		 fds;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "re")) == NULL)
		return false;
	n = (ssize_t)fread(text, 1, sizeof text - 1, f);
	fclose(f);
	if (n <= 0)
		return false;
	text[n] = '\0';
	/* After the command name: state is field 3, utime 14, rss 24. */
	if ((p = strrchr(text, ')')) == NULL || sscanf(p + 2,
	    "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %ld %ld "
	    "%*d %*d %*d %*d %*u %*u %ld", &ut, &st, &cut, &cst, &rss) != 5)
		return false;
	x->cpu_seconds += (double)(ut + st + (children ? (unsigned long)(cut +
	    cst) : 0)) / (double)sysconf(_SC_CLK_TCK);
	x->rss_bytes += (int64_t)rss * sysconf(_SC_PAGESIZE);
	if ((fds = open_fds(pid)) >= 0)
		x->open_fds += fds;
	x->processes++;
	return true;
}

/*
 * The process series: the supervisor (with the CPU time of the children
 * it reaped) plus every live child, so that the CPU counter never goes
 * back when a worker is replaced.
 */
static void
processes(const struct metrics *m, struct metrics_now *x)
{
	size_t	 i;

	x->cpu_seconds = 0;
	x->rss_bytes = x->open_fds = x->processes = 0;
	if (m->supervisor <= 0 || !add_process(x, m->supervisor, true)) {
		x->cpu_seconds = -1;
		x->rss_bytes = x->open_fds = x->processes = -1;
		return;
	}
	for (i = 0; i < METRICS_PIDS; i++)
		if (m->pids[i] > 0)
			add_process(x, m->pids[i], false);
}

/* Vault's metricsutil.FormatFromRequest: the Accept header's choice. */
static const char *
format_from_accept(const struct request *req)
{
	const char	*a = req->fx != NULL ? FCGX_GetParam("HTTP_ACCEPT",
	    req->fx->envp) : NULL;

	if (a == NULL)
		return "";
	if (strncmp(a, "application/openmetrics-text", 28) == 0 ||
	    strstr(a, "prometheus/telemetry") != NULL)
		return "prometheus";
	return "";
}

/* GET sys/metrics: the answer is raw, without Vault's envelope. */
int
metrics_read(struct request *req, struct txn *t)
{
	const struct fieldval	*f = &req->vals[M_FORMAT];
	const char		*format = f->set && f->s ? f->s : "";
	const char		*routes[METRICS_ROUTES];
	struct metrics		 m;
	struct metrics_now	 x;
	struct timespec		 ts;
	struct buf		 msg;
	size_t			 nroutes;
	json_t			*j;
	char			*text;
	int			 rc;

	if (*format == '\0')
		format = format_from_accept(req);
	if (*format != '\0' && strcmp(format, "prometheus") != 0) {
		buf_init(&msg);
		buf_adds(&msg, "metric response format ");
		go_quote(&msg, format);
		buf_adds(&msg, " unknown");
		rc = respond_error(req, 400, msg.data);
		buf_free(&msg);
		return rc;
	}
	if (metrics == NULL)
		return respond_error(req, 500, "metrics are not shared");
	memset(&x, 0, sizeof x);
	if (store_metrics(t, &x) == -1)
		return -1;
	if (req->cfg->repl != NULL) {
		struct repl_view	 v;

		ha_read(&v, NULL);
		x.standby = v.role != REPL_MASTER;
	}
	metrics_copy(&m, metrics);
	processes(&m, &x);
	clock_gettime(CLOCK_REALTIME, &ts);
	x.time = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	nroutes = route_patterns(routes, METRICS_ROUTES);
	req->rawdata.len = 0;
	if (*format != '\0') {
		metrics_text(&req->rawdata, &m, &x, routes, nroutes);
		req->ctype = PROMETHEUS_TYPE;
	} else {
		j = metrics_json(&m, &x, routes, nroutes);
		text = json_encode_go(j, NULL);
		json_decref(j);
		buf_adds(&req->rawdata, text);
		free(text);
		req->ctype = "application/json";
	}
	req->status = 200;
	return 0;
}
