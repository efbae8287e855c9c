/*
 * metrics.c: the counters all catalogd processes share, and the one place
 * that writes them out.  The supervisor maps struct metrics before it forks
 * and points `metrics' at it; every process then counts with one atomic add
 * per event (a request is a few), so a scrape by any worker sees them all,
 * and they outlive any worker.  Counting is pure code: no syscall, no
 * allocation.  The writer takes a copy of the counters and what the scrape
 * read besides (struct metrics_now) and produces Prometheus text format
 * 0.0.4 or Vault's JSON shape (go-metrics' in-memory dump) from the same
 * calls, so the two forms always carry the same series.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib.h"

struct metrics	*metrics;

const int metrics_codes[METRICS_CODES - 1] = {
	200, 204, 400, 403, 404, 405, 409, 411, 412, 413, 415, 429, 500,
	501, 503
};

/* Upper bounds of the request duration buckets: microseconds, and text. */
static const uint64_t bucket_us[METRICS_BUCKETS - 1] = {
	500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 5000000
};
static const char *const bucket_le[METRICS_BUCKETS] = {
	"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
	"0.25", "0.5", "1", "2.5", "5", "+Inf"
};

static const char *const restart_cause[] = {
	[M_RESTART_CRASH] = "crash",
	[M_RESTART_WATCHDOG] = "watchdog",
	[M_RESTART_RECYCLE] = "recycle",
};

static void
add(uint64_t *p, uint64_t n)
{
	__atomic_add_fetch(p, n, __ATOMIC_RELAXED);
}

void
metrics_add(enum metric m)
{
	if (metrics != NULL)
		add(&metrics->count[m], 1);
}

/*
 * One answered request: ROUTE is 0 (no route) or the route's index + 1,
 * STATUS the status sent, US how long it took.  Three adds.
 */
void
metrics_request(size_t route, int status, uint64_t us)
{
	size_t	 code, b;

	if (metrics == NULL)
		return;
	for (code = 0; code < METRICS_CODES - 1; code++)
		if (metrics_codes[code] == status)
			break;
	for (b = 0; b < METRICS_BUCKETS - 1; b++)
		if (us <= bucket_us[b])
			break;
	add(&metrics->requests[route < METRICS_ROUTES ? route : 0][code], 1);
	add(&metrics->duration[b], 1);
	add(&metrics->duration_us, us);
}

/* One recovery cycle that took US; the log's statistics restart there. */
void
metrics_recovery(uint64_t us)
{
	if (metrics == NULL)
		return;
	add(&metrics->recovery_us, us);
	add(&metrics->recoveries, 1);
	__atomic_store_n(&metrics->write_commits_at_recovery,
	    __atomic_load_n(&metrics->count[M_TXN_WRITE_COMMITS],
	    __ATOMIC_RELAXED), __ATOMIC_RELAXED);
}

static void
load(uint64_t *d, const uint64_t *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		d[i] = __atomic_load_n(&s[i], __ATOMIC_RELAXED);
}

/* A copy of the shared page, field by field with atomic loads. */
void
metrics_copy(struct metrics *dst, const struct metrics *src)
{
	size_t	 i;

	memset(dst, 0, sizeof *dst);
	load(dst->count, src->count, M_COUNT);
	load(&dst->requests[0][0], &src->requests[0][0],
	    METRICS_ROUTES * METRICS_CODES);
	load(dst->duration, src->duration, METRICS_BUCKETS);
	load(&dst->duration_us, &src->duration_us, 1);
	load(&dst->recoveries, &src->recoveries, 1);
	load(&dst->recovery_us, &src->recovery_us, 1);
	load(&dst->write_commits_at_recovery, &src->write_commits_at_recovery,
	    1);
	dst->start_us = __atomic_load_n(&src->start_us, __ATOMIC_RELAXED);
	dst->supervisor = __atomic_load_n(&src->supervisor, __ATOMIC_RELAXED);
	for (i = 0; i < METRICS_PIDS; i++)
		dst->pids[i] = __atomic_load_n(&src->pids[i],
		    __ATOMIC_RELAXED);
}

/* Where the series go: Prometheus text, or the three JSON arrays. */
struct out {
	struct buf	*text;
	json_t		*gauges, *counters, *samples;
};

enum kind { GAUGE, COUNTER, HISTOGRAM, SUMMARY };
static const char *const kind_name[] = { "gauge", "counter", "histogram",
    "summary" };

static void
family(struct out *o, const char *name, enum kind k, const char *help)
{
	if (o->text != NULL)
		buf_printf(o->text, "# HELP %s %s\n# TYPE %s %s\n", name, help,
		    name, kind_name[k]);
}

/*
 * A sample value: integers exactly, other numbers in 15 digits, or 17
 * when 15 do not read back as the same double.
 */
static void
number(struct buf *b, double v)
{
	char	 s[40];

	if (v != v)
		buf_adds(b, "NaN");
	else if (v >= -9e15 && v <= 9e15 && v == (double)(int64_t)v)
		buf_printf(b, "%lld", (long long)v);
	else {
		snprintf(s, sizeof s, "%.15g", v);
		if (strtod(s, NULL) != v)
			snprintf(s, sizeof s, "%.17g", v);
		buf_adds(b, s);
	}
}

/* A label value with \\, \" and \n escaped. */
static void
label_value(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			buf_addc(b, '\\');
		if (*s == '\n') {
			buf_adds(b, "\\n");
			continue;
		}
		buf_addc(b, *s);
	}
}

/*
 * One sample of family NAME: NAME SUFFIX{LABELS} V.  LABELS is NULL or
 * name, value pairs ending with NULL.  In JSON a gauge or counter becomes
 * an entry of its array; histogram and summary parts are text only
 * (series() adds their JSON entry).
 */
static void
sample(struct out *o, enum kind k, const char *name, const char *suffix,
    const char *const *labels, double v)
{
	json_t	*e, *lab;
	size_t	 i;

	if (o->text != NULL) {
		buf_printf(o->text, "%s%s", name, suffix);
		for (i = 0; labels != NULL && labels[i] != NULL; i += 2) {
			buf_printf(o->text, "%s%s=\"", i ? "," : "{",
			    labels[i]);
			label_value(o->text, labels[i + 1]);
			buf_addc(o->text, '"');
		}
		buf_adds(o->text, i ? "} " : " ");
		number(o->text, v);
		buf_addc(o->text, '\n');
		return;
	}
	if (k != GAUGE && k != COUNTER)
		return;
	lab = json_object();
	for (i = 0; labels != NULL && labels[i] != NULL; i += 2)
		json_object_set_new(lab, labels[i], json_string(labels[i + 1]));
	e = json_object();
	json_object_set_new(e, "Name", json_string(name));
	if (k == GAUGE) {
		json_object_set_new(e, "Value", json_real(v));
		json_object_set_new(e, "Labels", lab);
		json_array_append_new(o->gauges, e);
		return;
	}
	json_object_set_new(e, "Count", json_integer((json_int_t)v));
	json_object_set_new(e, "Sum", json_real(v));
	json_object_set_new(e, "Labels", lab);
	json_array_append_new(o->counters, e);
}

static void
one(struct out *o, enum kind k, const char *name, const char *help, double v)
{
	family(o, name, k, help);
	sample(o, k, name, "", NULL, v);
}

/* A gauge read at scrape time, left out when it could not be read. */
static void
now_gauge(struct out *o, const char *name, const char *help, int64_t v)
{
	if (v >= 0)
		one(o, GAUGE, name, help, (double)v);
}

/* The _sum and _count of a histogram or summary, and its JSON entry. */
static void
totals(struct out *o, enum kind k, const char *name, double sum,
    uint64_t count)
{
	json_t	*e;

	sample(o, k, name, "_sum", NULL, sum);
	sample(o, k, name, "_count", NULL, (double)count);
	if (o->text != NULL)
		return;
	e = json_object();
	json_object_set_new(e, "Name", json_string(name));
	json_object_set_new(e, "Count", json_integer((json_int_t)count));
	json_object_set_new(e, "Sum", json_real(sum));
	json_object_set_new(e, "Mean", json_real(count ? sum / (double)count :
	    0));
	json_object_set_new(e, "Labels", json_object());
	json_array_append_new(o->samples, e);
}

static void
requests(struct out *o, const struct metrics *m, const char *const *routes,
    size_t nroutes)
{
	const char	*lab[5];
	char		 code[16];
	uint64_t	 by_code[METRICS_CODES] = { 0 }, cum;
	size_t		 r, c, b;

	family(o, "catalogd_http_requests_total", COUNTER,
	    "Requests answered, by route pattern and status code.");
	for (r = 0; r < METRICS_ROUTES; r++)
		for (c = 0; c < METRICS_CODES; c++) {
			if (m->requests[r][c] == 0)
				continue;
			by_code[c] += m->requests[r][c];
			if (c < METRICS_CODES - 1)
				snprintf(code, sizeof code, "%d",
				    metrics_codes[c]);
			else
				strcpy(code, "other");
			lab[0] = "route";
			lab[1] = r == 0 ? "none" : r <= nroutes ?
			    routes[r - 1] : "unknown";
			lab[2] = "code";
			lab[3] = code;
			lab[4] = NULL;
			sample(o, COUNTER, "catalogd_http_requests_total", "",
			    lab, (double)m->requests[r][c]);
		}
	family(o, "vault_core_response_status_code", COUNTER,
	    "Requests answered, by status code and class, as Vault counts "
	    "them.");
	for (c = 0; c < METRICS_CODES; c++) {
		char	 type[16];

		if (by_code[c] == 0)
			continue;
		if (c < METRICS_CODES - 1) {
			snprintf(code, sizeof code, "%d", metrics_codes[c]);
			snprintf(type, sizeof type, "%dxx",
			    metrics_codes[c] / 100);
		} else {
			strcpy(code, "other");
			strcpy(type, "other");
		}
		lab[0] = "code";
		lab[1] = code;
		lab[2] = "type";
		lab[3] = type;
		lab[4] = NULL;
		sample(o, COUNTER, "vault_core_response_status_code", "", lab,
		    (double)by_code[c]);
	}
	family(o, "catalogd_request_duration_seconds", HISTOGRAM,
	    "Time from accepting a request to its last byte handed to "
	    "FastCGI.");
	for (cum = 0, b = 0; b < METRICS_BUCKETS; b++) {
		cum += m->duration[b];
		lab[0] = "le";
		lab[1] = bucket_le[b];
		lab[2] = NULL;
		sample(o, HISTOGRAM, "catalogd_request_duration_seconds",
		    "_bucket", lab, (double)cum);
	}
	totals(o, HISTOGRAM, "catalogd_request_duration_seconds",
	    (double)m->duration_us / 1e6, cum);
	/* Vault's timer: a summary in milliseconds, without quantiles. */
	family(o, "vault_core_handle_request", SUMMARY,
	    "Request handling time in milliseconds (no quantiles: see "
	    "catalogd_request_duration_seconds).");
	totals(o, SUMMARY, "vault_core_handle_request",
	    (double)m->duration_us / 1e3, cum);
}

static void
storage(struct out *o, const struct metrics *m, const struct metrics_now *x)
{
	uint64_t	 since;

	one(o, COUNTER, "catalogd_txn_commits_total", "Transactions "
	    "committed.", (double)m->count[M_TXN_COMMITS]);
	one(o, COUNTER, "catalogd_txn_write_commits_total", "Transactions "
	    "committed that wrote something (each waits for a log flush).",
	    (double)m->count[M_TXN_WRITE_COMMITS]);
	one(o, COUNTER, "catalogd_txn_aborts_total", "Transactions aborted "
	    "(an error answer, a deadlock, a failure).",
	    (double)m->count[M_TXN_ABORTS]);
	one(o, COUNTER, "catalogd_txn_deadlock_retries_total", "Transactions "
	    "retried after a deadlock or lock time-out.",
	    (double)m->count[M_TXN_DEADLOCKS]);
	if (x->log_flushes >= 0) {
		one(o, COUNTER, "catalogd_bdb_log_flushes_total", "Berkeley DB "
		    "log flushes to disk since the last recovery.",
		    (double)x->log_flushes);
		since = m->count[M_TXN_WRITE_COMMITS] -
		    m->write_commits_at_recovery;
		one(o, GAUGE, "catalogd_bdb_commits_per_log_flush", "Writing "
		    "commits per log flush since the last recovery (group "
		    "commit).", x->log_flushes > 0 ? (double)since /
		    (double)x->log_flushes : 0);
	}
	if (x->log_bytes >= 0)
		one(o, COUNTER, "catalogd_bdb_log_written_bytes_total",
		    "Bytes written to the Berkeley DB log since the last "
		    "recovery.", (double)x->log_bytes);
	if (x->cache_hits >= 0 && x->cache_misses >= 0) {
		one(o, COUNTER, "catalogd_bdb_cache_hits_total", "Pages found "
		    "in the Berkeley DB cache since the last recovery.",
		    (double)x->cache_hits);
		one(o, COUNTER, "catalogd_bdb_cache_misses_total", "Pages "
		    "read into the Berkeley DB cache since the last recovery.",
		    (double)x->cache_misses);
		one(o, GAUGE, "catalogd_bdb_cache_hit_ratio", "Cache hits over "
		    "page requests since the last recovery (1 before any).",
		    x->cache_hits + x->cache_misses > 0 ?
		    (double)x->cache_hits / (double)(x->cache_hits +
		    x->cache_misses) : 1);
	}
}

static void
processes(struct out *o, const struct metrics *m, const struct metrics_now *x)
{
	const char	*lab[3] = { "cause", NULL, NULL };
	int		 c;

	family(o, "catalogd_worker_restarts_total", COUNTER, "Children "
	    "replaced: crash (killed or failed; the pool restarts with "
	    "recovery), watchdog (stuck in one request), recycle "
	    "(max_requests served).");
	for (c = M_RESTART_CRASH; c <= M_RESTART_RECYCLE; c++) {
		lab[1] = restart_cause[c];
		sample(o, COUNTER, "catalogd_worker_restarts_total", "", lab,
		    (double)m->count[c]);
	}
	family(o, "catalogd_recovery_duration_seconds", SUMMARY, "Berkeley "
	    "DB recovery cycles (at start and after a crash) and their "
	    "time.");
	totals(o, SUMMARY, "catalogd_recovery_duration_seconds",
	    (double)m->recovery_us / 1e6, m->recoveries);
	one(o, COUNTER, "vault_audit_log_request_failure", "Request entries "
	    "no audit device wrote.", (double)m->count[M_AUDIT_REQUEST_FAILURES]);
	one(o, COUNTER, "vault_audit_log_response_failure", "Response "
	    "entries no audit device wrote.",
	    (double)m->count[M_AUDIT_RESPONSE_FAILURES]);
	one(o, COUNTER, "catalogd_replication_unacknowledged_writes_total",
	    "Commits the quorum of the replicated group did not acknowledge "
	    "in time (answered 503).", (double)m->count[M_REPL_UNACKED]);
	one(o, COUNTER, "catalogd_replication_forwarded_requests_total",
	    "Requests this standby forwarded to the active node.",
	    (double)m->count[M_REPL_FORWARDED]);
	if (x->cpu_seconds >= 0)
		one(o, COUNTER, "process_cpu_seconds_total", "CPU time of the "
		    "supervisor and all its children, ended ones included.",
		    x->cpu_seconds);
	now_gauge(o, "process_resident_memory_bytes", "Resident memory of "
	    "the supervisor and its children, summed (shared pages count "
	    "once per process).", x->rss_bytes);
	now_gauge(o, "process_open_fds", "Open file descriptors of the "
	    "supervisor and its children, summed.", x->open_fds);
	one(o, GAUGE, "process_start_time_seconds", "When the supervisor "
	    "started, unix seconds.", (double)m->start_us / 1e6);
	now_gauge(o, "catalogd_processes", "The supervisor and its "
	    "children the process_* series sum over.", x->processes);
}

static void
write_all(struct out *o, const struct metrics *m,
    const struct metrics_now *x, const char *const *routes, size_t nroutes)
{
	one(o, GAUGE, "vault_core_unsealed", "1: unsealed (catalogd has no "
	    "seal).", 1);
	one(o, GAUGE, "vault_core_active", "1: this node is active (a single "
	    "node always is); 0: a standby of a replicated group.",
	    x->standby ? 0 : 1);
	requests(o, m, routes, nroutes);
	storage(o, m, x);
	processes(o, m, x);
	now_gauge(o, "vault_token_count", "Tokens that have not expired.",
	    x->tokens);
	now_gauge(o, "catalogd_runtimes", "Plugin runtimes in the catalog.",
	    x->runtimes);
	now_gauge(o, "catalogd_plugins", "Plugins in the catalog.",
	    x->plugins);
	now_gauge(o, "catalogd_policies", "ACL policies, the default one "
	    "included.", x->policies);
}

/*
 * The Prometheus text format 0.0.4: each family's HELP and TYPE, then its
 * samples together; a histogram's buckets are cumulative and +Inf equals
 * _count.  ROUTES (borrowed) names route i + 1.
 */
void
metrics_text(struct buf *out, const struct metrics *m,
    const struct metrics_now *x, const char *const *routes, size_t nroutes)
{
	struct out	 o = { out, NULL, NULL, NULL };

	write_all(&o, m, x, routes, nroutes);
}

/* Vault's JSON form: Timestamp, Gauges, Points, Counters, Samples. */
json_t *
metrics_json(const struct metrics *m, const struct metrics_now *x,
    const char *const *routes, size_t nroutes)
{
	struct out	 o = { NULL, json_array(), json_array(), json_array() };
	json_t		*j = json_object();
	char		 ts[64];
	time_t		 t = (time_t)x->time;
	struct tm	 tm;

	write_all(&o, m, x, routes, nroutes);
	gmtime_r(&t, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
	json_object_set_new(j, "Timestamp", json_string(ts));
	json_object_set_new(j, "Gauges", o.gauges);
	json_object_set_new(j, "Points", json_array());
	json_object_set_new(j, "Counters", o.counters);
	json_object_set_new(j, "Samples", o.samples);
	return j;
}
