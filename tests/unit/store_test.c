/*
 * store_test.c: unit tests for db/ in a fresh mkdtemp directory: runtime
 * put/get/delete/list (bytewise name order), the salt, token records and
 * their parent/child tree (revocation of descendants, purging of expired
 * tokens), ACL policies, the plugin catalog and its runtime_refs index
 * (key order type, name, version; runtime_users sorted bytewise with one
 * name per version; the index following re-registration, deletion and
 * aborted transactions), txn_run's commit/abort/retry contract, corrupt
 * records (planted through db/internal.h), and committed data surviving a
 * close and reopen.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/internal.h"
#include "tests/unit/check.h"
#include "tests/unit/record_eq.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* The argument of the single-operation callbacks below. */
struct rt_arg {
	const char		*name;		/* get, delete */
	const struct runtime	*in;		/* put */
	struct runtime		 out;		/* get: new strings */
	int			 rc;		/* the table call's result */
	int			 status;	/* what the callback returns */
};

static int
cb_put(struct txn *t, void *arg)
{
	struct rt_arg	*a = arg;

	a->rc = runtime_put(t, a->in);
	return a->rc == -1 ? -1 : a->status;
}

static int
cb_get(struct txn *t, void *arg)
{
	struct rt_arg	*a = arg;

	a->rc = runtime_get(t, a->name, &a->out);
	return a->rc == -1 ? -1 : a->status;
}

static int
cb_del(struct txn *t, void *arg)
{
	struct rt_arg	*a = arg;

	a->rc = runtime_delete(t, a->name);
	return a->rc == -1 ? -1 : a->status;
}

/* Runs one get; returns runtime_get's result, *out owned by the caller. */
static int
get1(struct store *st, const char *name, struct runtime *out, int *txrc)
{
	struct rt_arg	 a;

	memset(&a, 0, sizeof a);
	a.name = name;
	a.rc = 99;
	*txrc = txn_run(st, cb_get, &a);
	*out = a.out;
	return a.rc;
}

struct list_arg {
	struct buf	 names;		/* "a,b," */
	int		 calls;
	int		 stop_after;	/* 0: never stop */
	int		 rc;
};

static int
list_fn(const struct runtime *r, void *arg)
{
	struct list_arg	*l = arg;

	buf_adds(&l->names, r->name);
	buf_addc(&l->names, ',');
	l->calls++;
	return l->stop_after != 0 && l->calls >= l->stop_after;
}

static int
cb_list(struct txn *t, void *arg)
{
	struct list_arg	*l = arg;

	l->rc = runtime_list(t, list_fn, l);
	return l->rc == -1 ? -1 : 0;
}

/* Lists every runtime; returns txn_run's status, names in *names (new). */
static int
list_names(struct store *st, char **names, int stop_after)
{
	struct list_arg	 l;
	int		 rc;

	memset(&l, 0, sizeof l);
	buf_init(&l.names);
	l.stop_after = stop_after;
	rc = txn_run(st, cb_list, &l);
	*names = l.names.data;
	return rc;
}

static struct runtime runtimes[] = {
	{ "b", "runsc", "/cg/b", 1, 2, true },
	{ "a", "runc", "", 3, 4, false },
	{ "B", "", "/B", INT64_MIN, INT64_MAX, true },
	{ "a.b", "x", "y", INT64_MAX, INT64_MIN, false },
	{ "a-b", "x", "y", -1, 0, true },
	{ "runsc", "runsc", "/sys/fs/cgroup", 1000000000, 1 << 30, false },
	{ "_x", "x", "y", 0, 0, false },
	{ "0", "x", "y", 0, 0, false },
};
/* Bytewise: '0' < 'B' < '_' < 'a', and a prefix sorts first. */
#define ALL_NAMES	"0,B,_x,a,a-b,a.b,b,runsc,"

/* Checks that every runtime of the table reads back unchanged. */
static void
check_all(struct store *st, const char *when)
{
	struct runtime	 got;
	size_t		 i;
	int		 rc, txrc;

	for (i = 0; i < nitems(runtimes); i++) {
		rc = get1(st, runtimes[i].name, &got, &txrc);
		CHECK(txrc == 0 && rc == 0, "%s: get \"%s\": got rc %d status "
		    "%d, want 0 0", when, runtimes[i].name, rc, txrc);
		if (rc != 0)
			continue;
		CHECK(runtime_eq(&got, &runtimes[i]), "%s: get \"%s\": got "
		    "{%s %s %s %lld %lld %d}, want {%s %s %s %lld %lld %d}",
		    when, runtimes[i].name, got.name, got.oci_runtime,
		    got.cgroup_parent, (long long)got.cpu_nanos,
		    (long long)got.memory_bytes, got.rootless,
		    runtimes[i].name, runtimes[i].oci_runtime,
		    runtimes[i].cgroup_parent,
		    (long long)runtimes[i].cpu_nanos,
		    (long long)runtimes[i].memory_bytes, runtimes[i].rootless);
		runtime_free(&got);
	}
}

static void
check_list(struct store *st, const char *want, const char *when)
{
	char	*names;
	int	 rc;

	rc = list_names(st, &names, 0);
	CHECK(rc == 0, "%s: list: got status %d, want 0", when, rc);
	CHECK_STR(names, want, when);
	free(names);
}

static void
test_runtimes(struct store *st)
{
	struct runtime	 got, a2 = { "a", "kata", "/new", 30, 40, true };
	struct rt_arg	 a;
	char		*names;
	size_t		 i;
	int		 rc, txrc;

	check_list(st, "", "empty store");
	rc = get1(st, "a", &got, &txrc);
	CHECK(rc == 1 && txrc == 0, "get absent: got rc %d status %d, want "
	    "1 0", rc, txrc);
	memset(&a, 0, sizeof a);
	a.name = "a";
	txrc = txn_run(st, cb_del, &a);
	CHECK(a.rc == 1 && txrc == 0, "delete absent: got rc %d status %d, "
	    "want 1 0", a.rc, txrc);

	for (i = 0; i < nitems(runtimes); i++) {
		memset(&a, 0, sizeof a);
		a.in = &runtimes[i];
		txrc = txn_run(st, cb_put, &a);
		CHECK(a.rc == 0 && txrc == 0, "put \"%s\": got rc %d status "
		    "%d, want 0 0", runtimes[i].name, a.rc, txrc);
	}
	check_all(st, "after put");
	check_list(st, ALL_NAMES, "list after put");

	/* Names are exact keys: no prefix or case folding. */
	rc = get1(st, "A", &got, &txrc);
	CHECK(rc == 1, "get \"A\": got %d, want 1", rc);
	rc = get1(st, "run", &got, &txrc);
	CHECK(rc == 1, "get \"run\": got %d, want 1", rc);
	rc = get1(st, "", &got, &txrc);
	CHECK(rc == 1, "get \"\": got %d, want 1", rc);

	/* A put is an update. */
	memset(&a, 0, sizeof a);
	a.in = &a2;
	txrc = txn_run(st, cb_put, &a);
	CHECK(txrc == 0, "overwrite \"a\": got status %d, want 0", txrc);
	rc = get1(st, "a", &got, &txrc);
	CHECK(rc == 0 && runtime_eq(&got, &a2), "get overwritten \"a\": got "
	    "rc %d cpu %lld, want 0 30", rc, (long long)got.cpu_nanos);
	if (rc == 0)
		runtime_free(&got);
	check_list(st, ALL_NAMES, "list after overwrite");
	memset(&a, 0, sizeof a);
	a.in = &runtimes[1];
	txrc = txn_run(st, cb_put, &a);
	CHECK(txrc == 0, "restore \"a\": got status %d, want 0", txrc);

	/* A callback's non-zero stop ends the walk early, without error. */
	rc = list_names(st, &names, 2);
	CHECK(rc == 0, "list stopping after 2: got status %d, want 0", rc);
	CHECK_STR(names, "0,B,", "list stopping after 2");
	free(names);

	/* Delete, then it is gone, and a second delete finds nothing. */
	memset(&a, 0, sizeof a);
	a.name = "a-b";
	txrc = txn_run(st, cb_del, &a);
	CHECK(a.rc == 0 && txrc == 0, "delete \"a-b\": got rc %d status %d, "
	    "want 0 0", a.rc, txrc);
	rc = get1(st, "a-b", &got, &txrc);
	CHECK(rc == 1, "get deleted \"a-b\": got %d, want 1", rc);
	if (rc == 0)
		runtime_free(&got);
	memset(&a, 0, sizeof a);
	a.name = "a-b";
	txrc = txn_run(st, cb_del, &a);
	CHECK(a.rc == 1 && txrc == 0, "delete \"a-b\" again: got rc %d "
	    "status %d, want 1 0", a.rc, txrc);
	check_list(st, "0,B,_x,a,a.b,b,runsc,", "list after delete");
	memset(&a, 0, sizeof a);
	a.in = &runtimes[4];
	txrc = txn_run(st, cb_put, &a);
	CHECK(txrc == 0, "put \"a-b\" back: got status %d, want 0", txrc);
	check_list(st, ALL_NAMES, "list after put back");
}

/* Everything one aborted transaction writes. */
struct abort_arg {
	const struct runtime	*put;
	const char		*del;
	const unsigned char	*salt;
	const unsigned char	*hash;
	const struct token_rec	*tok;
	int			 status;
	int			 calls;
};

static int
cb_write_then_fail(struct txn *t, void *arg)
{
	struct abort_arg	*a = arg;

	a->calls++;
	if (runtime_put(t, a->put) != 0 || runtime_delete(t, a->del) != 0 ||
	    salt_put(t, a->salt) != 0 || token_put(t, a->hash, a->tok) != 0)
		return -1;
	return a->status;
}

struct tok_arg {
	unsigned char		 salt[SALT_LEN];
	const unsigned char	*hash;
	const struct token_rec	*in;
	struct token_rec	 out;
	int			 rc;
};

static int
cb_salt_get(struct txn *t, void *arg)
{
	struct tok_arg	*a = arg;

	a->rc = salt_get(t, a->salt);
	return a->rc == -1 ? -1 : 0;
}

static int
cb_salt_put(struct txn *t, void *arg)
{
	struct tok_arg	*a = arg;

	a->rc = salt_put(t, a->salt);
	return a->rc == -1 ? -1 : 0;
}

static int
cb_token_get(struct txn *t, void *arg)
{
	struct tok_arg	*a = arg;

	a->rc = token_get(t, a->hash, &a->out);
	return a->rc == -1 ? -1 : 0;
}

static int
cb_token_put(struct txn *t, void *arg)
{
	struct tok_arg	*a = arg;

	a->rc = token_put(t, a->hash, a->in);
	return a->rc == -1 ? -1 : 0;
}

/* Renders a token record for messages. */
static void
token_show(struct buf *b, const struct token_rec *t)
{
	size_t	 i;

	buf_adds(b, "{[");
	for (i = 0; i < t->npolicies; i++)
		buf_printf(b, "%s%s", i > 0 ? " " : "",
		    t->policies && t->policies[i] ? t->policies[i] : "(null)");
	buf_printf(b, "] acc=%s dn=%s path=%s parent=",
	    t->accessor ? t->accessor : "(null)",
	    t->display_name ? t->display_name : "(null)",
	    t->path ? t->path : "(null)");
	if (t->has_parent)
		buf_printf(b, "%02x%02x..", t->parent[0], t->parent[1]);
	else
		buf_adds(b, "none");
	buf_printf(b, " created=%lld ttl=%lld expire=%lld uses=%lld}",
	    (long long)t->created, (long long)t->ttl, (long long)t->expire,
	    (long long)t->num_uses);
}

/* CHECKs that got equals want, naming both on failure. */
static void
check_token(const char *what, const struct token_rec *got,
    const struct token_rec *want)
{
	struct buf	 g, w;

	buf_init(&g);
	buf_init(&w);
	token_show(&g, got);
	token_show(&w, want);
	CHECK(token_eq(got, want), "%s: got %s, want %s", what, g.data,
	    w.data);
	buf_free(&g);
	buf_free(&w);
}

static char		*root_policies[] = { "root" };
static unsigned char	 the_salt[SALT_LEN];
static unsigned char	 hash1[TOKEN_HASH_LEN], hash2[TOKEN_HASH_LEN];
static struct token_rec	 tok1 = {
	.policies = root_policies, .npolicies = 1, .accessor = "acc-root",
	.display_name = "root", .path = "auth/token/root",
	.created = 1700000000,
};

static void
test_salt_tokens(struct store *st)
{
	struct tok_arg	 a;
	int		 txrc;

	memset(&a, 0, sizeof a);
	txrc = txn_run(st, cb_salt_get, &a);
	CHECK(a.rc == 1 && txrc == 0, "salt_get before put: got rc %d status "
	    "%d, want 1 0", a.rc, txrc);

	random_bytes(the_salt, sizeof the_salt);
	memset(&a, 0, sizeof a);
	memcpy(a.salt, the_salt, SALT_LEN);
	txrc = txn_run(st, cb_salt_put, &a);
	CHECK(a.rc == 0 && txrc == 0, "salt_put: got rc %d status %d, want "
	    "0 0", a.rc, txrc);
	memset(&a, 0, sizeof a);
	txrc = txn_run(st, cb_salt_get, &a);
	CHECK(a.rc == 0 && txrc == 0, "salt_get: got rc %d status %d, want "
	    "0 0", a.rc, txrc);
	CHECK(memcmp(a.salt, the_salt, SALT_LEN) == 0, "salt_get: got "
	    "another salt, want the one put");

	token_hash(the_salt, SALT_LEN, "hvs.one", hash1);
	token_hash(the_salt, SALT_LEN, "hvs.two", hash2);
	memset(&a, 0, sizeof a);
	a.hash = hash1;
	txrc = txn_run(st, cb_token_get, &a);
	CHECK(a.rc == 1 && txrc == 0, "token_get before put: got rc %d status "
	    "%d, want 1 0", a.rc, txrc);

	memset(&a, 0, sizeof a);
	a.hash = hash1;
	a.in = &tok1;
	txrc = txn_run(st, cb_token_put, &a);
	CHECK(a.rc == 0 && txrc == 0, "token_put: got rc %d status %d, want "
	    "0 0", a.rc, txrc);

	memset(&a, 0, sizeof a);
	a.hash = hash1;
	txrc = txn_run(st, cb_token_get, &a);
	CHECK(a.rc == 0 && txrc == 0, "token_get: got rc %d status %d, want "
	    "0 0", a.rc, txrc);
	if (a.rc == 0) {
		check_token("token_get", &a.out, &tok1);
		token_rec_free(&a.out);
	}

	memset(&a, 0, sizeof a);
	a.hash = hash2;
	txrc = txn_run(st, cb_token_get, &a);
	CHECK(a.rc == 1 && txrc == 0, "token_get of another hash: got rc %d "
	    "status %d, want 1 0", a.rc, txrc);
	if (a.rc == 0)
		token_rec_free(&a.out);
}

/* Checks the token and salt of test_salt_tokens are still there. */
static void
check_salt_tokens(struct store *st, const char *when)
{
	struct tok_arg	 a;
	int		 txrc;

	memset(&a, 0, sizeof a);
	txrc = txn_run(st, cb_salt_get, &a);
	CHECK(a.rc == 0 && txrc == 0 && memcmp(a.salt, the_salt, SALT_LEN) ==
	    0, "%s: salt_get: got rc %d status %d, want 0 0 and the salt", when,
	    a.rc, txrc);
	memset(&a, 0, sizeof a);
	a.hash = hash1;
	txrc = txn_run(st, cb_token_get, &a);
	CHECK(a.rc == 0 && txrc == 0, "%s: token_get: got rc %d status %d, "
	    "want 0 0", when, a.rc, txrc);
	if (a.rc == 0) {
		check_token(when, &a.out, &tok1);
		token_rec_free(&a.out);
	}
	memset(&a, 0, sizeof a);
	a.hash = hash2;
	txrc = txn_run(st, cb_token_get, &a);
	CHECK(a.rc == 1, "%s: token_get of an absent hash: got %d, want 1",
	    when, a.rc);
	if (a.rc == 0)
		token_rec_free(&a.out);
}

static int
cb_minus_one(struct txn *t, void *arg)
{
	struct abort_arg	*a = arg;

	a->calls++;
	if (runtime_put(t, a->put) != 0)
		return -1;
	return -1;	/* without txn_fail: an internal error */
}

/* Deadlocks on the first `fails` attempts, after writing; then commits. */
struct retry_arg {
	int			 calls;
	int			 fails;
	int			 err;
	const struct runtime	*first;		/* put by failing attempts */
	const struct runtime	*last;		/* written on the final one */
};

static int
cb_retry(struct txn *t, void *arg)
{
	struct retry_arg	*a = arg;

	if (a->calls++ < a->fails) {
		if (runtime_put(t, a->first) != 0)
			return -1;
		return txn_fail(t, a->err, "test");
	}
	return runtime_put(t, a->last) != 0 ? -1 : 0;
}

static void
test_txn(struct store *st)
{
	static const unsigned char other_salt[SALT_LEN] = { 1, 2, 3 };
	static const struct token_rec tok2 = { .policies = root_policies,
	    .npolicies = 1, .accessor = "acc2", .display_name = "two",
	    .path = "auth/token/create", .created = 5 };
	struct runtime	 zzz = { "zzz", "x", "y", 1, 2, true };
	struct runtime	 r1 = { "retry1", "x", "y", 1, 2, true };
	struct runtime	 r2 = { "retry2", "x", "y", 3, 4, false };
	struct runtime	 got;
	struct abort_arg a;
	struct retry_arg ra;
	struct rt_arg	 d;
	struct tok_arg	 ta;
	struct {
		int	 status;
		int	 want;
	} statuses[] = {
		{ 409, 409 }, { 400, 400 }, { 404, 404 }, { 403, 403 },
	};
	struct {
		int	 err;
		int	 fails;
		int	 want;
		int	 calls;
	} retries[] = {
		{ DB_LOCK_DEADLOCK, 1, 0, 2 },
		{ DB_LOCK_NOTGRANTED, 3, 0, 4 },
		{ DB_LOCK_DEADLOCK, 7, 0, 8 },
		{ DB_LOCK_DEADLOCK, 100, 503, 8 },
		{ DB_RUNRECOVERY, 100, 503, 1 },
		{ DB_NOTFOUND, 100, 500, 1 },
		{ EINVAL, 100, 500, 1 },
	};
	size_t		 i;
	int		 rc, txrc;

	/* A callback's HTTP status aborts: none of its writes is visible. */
	for (i = 0; i < nitems(statuses); i++) {
		memset(&a, 0, sizeof a);
		a.put = &zzz;
		a.del = "b";
		a.salt = other_salt;
		a.hash = hash2;
		a.tok = &tok2;
		a.status = statuses[i].status;
		txrc = txn_run(st, cb_write_then_fail, &a);
		CHECK(txrc == statuses[i].want, "callback returning %d: got "
		    "%d, want %d", statuses[i].status, txrc, statuses[i].want);
		CHECK(a.calls == 1, "callback returning %d: got %d calls, want "
		    "1", statuses[i].status, a.calls);
		rc = get1(st, "zzz", &got, &txrc);
		CHECK(rc == 1, "after abort %d: get \"zzz\": got %d, want 1",
		    statuses[i].status, rc);
		if (rc == 0)
			runtime_free(&got);
		check_all(st, "after abort");
		check_list(st, ALL_NAMES, "list after abort");
		check_salt_tokens(st, "after abort");
	}

	/* -1 without txn_fail is an internal error, also aborted. */
	memset(&a, 0, sizeof a);
	a.put = &zzz;
	txrc = txn_run(st, cb_minus_one, &a);
	CHECK(txrc == 500, "callback returning -1: got %d, want 500", txrc);
	CHECK(a.calls == 1, "callback returning -1: got %d calls, want 1",
	    a.calls);
	rc = get1(st, "zzz", &got, &txrc);
	CHECK(rc == 1, "after -1: get \"zzz\": got %d, want 1", rc);
	if (rc == 0)
		runtime_free(&got);

	/*
	 * Deadlocks are retried after an abort, up to 8 attempts, then 503;
	 * other errors are not retried.  Only the last attempt's write stays.
	 */
	for (i = 0; i < nitems(retries); i++) {
		memset(&ra, 0, sizeof ra);
		ra.fails = retries[i].fails;
		ra.err = retries[i].err;
		ra.first = &r1;
		ra.last = &r2;
		txrc = txn_run(st, cb_retry, &ra);
		CHECK(txrc == retries[i].want, "retry case %zu: got status %d, "
		    "want %d", i, txrc, retries[i].want);
		CHECK(ra.calls == retries[i].calls, "retry case %zu: got %d "
		    "calls, want %d", i, ra.calls, retries[i].calls);
		rc = get1(st, "retry1", &got, &txrc);
		CHECK(rc == 1, "retry case %zu: get \"retry1\": got %d, want 1",
		    i, rc);
		if (rc == 0)
			runtime_free(&got);
		rc = get1(st, "retry2", &got, &txrc);
		CHECK(rc == (retries[i].want == 0 ? 0 : 1), "retry case %zu: "
		    "get \"retry2\": got %d, want %d", i, rc,
		    retries[i].want == 0 ? 0 : 1);
		if (rc == 0) {
			CHECK(runtime_eq(&got, &r2), "retry case %zu: got cpu "
			    "%lld, want %lld", i, (long long)got.cpu_nanos,
			    (long long)r2.cpu_nanos);
			runtime_free(&got);
		}
		memset(&d, 0, sizeof d);
		d.name = "retry2";
		txrc = txn_run(st, cb_del, &d);
		CHECK(txrc == 0, "retry case %zu: delete \"retry2\": got %d, "
		    "want 0", i, txrc);
	}
	check_list(st, ALL_NAMES, "list after retries");

	memset(&ta, 0, sizeof ta);
	txrc = txn_run(st, cb_salt_get, &ta);
	CHECK(txrc == 0 && memcmp(ta.salt, the_salt, SALT_LEN) == 0,
	    "salt after the aborts: got status %d or another salt, want 0 and "
	    "the original", txrc);
}

/* Plants raw bytes under a runtime name or the salt key. */
struct raw_arg {
	bool		 meta;
	const char	*name;
	const void	*val;
	size_t		 vlen;
};

static int
cb_raw_put(struct txn *t, void *arg)
{
	struct raw_arg	*a = arg;
	struct buf	 k;
	int		 rc;

	buf_init(&k);
	if (a->meta)
		buf_adds(&k, "salt");
	else {
		buf_add(&k, "container", sizeof "container");
		buf_adds(&k, a->name);
	}
	rc = rec_put(t, a->meta ? t->store->meta : t->store->runtimes, k.data,
	    k.len, a->val, a->vlen);
	buf_free(&k);
	return rc;
}

/* A record that does not decode is a storage failure: 500, not a crash. */
static void
test_corrupt(struct store *st)
{
	static const struct {
		const char	*what;
		const char	*val;
		size_t		 vlen;
	} bad[] = {
		{ "empty value", "", 0 },
		{ "msgpack nil", "\xc0", 1 },
		{ "text", "garbage", 7 },
		{ "truncated map", "\x87\xa1v\x01", 4 },
	};
	struct raw_arg	 ra;
	struct rt_arg	 d;
	struct tok_arg	 ta;
	struct runtime	 got;
	char		*names;
	size_t		 i;
	int		 rc, txrc;

	for (i = 0; i < nitems(bad); i++) {
		memset(&ra, 0, sizeof ra);
		ra.name = "corrupt";
		ra.val = bad[i].val;
		ra.vlen = bad[i].vlen;
		txrc = txn_run(st, cb_raw_put, &ra);
		CHECK(txrc == 0, "planting %s: got %d, want 0", bad[i].what,
		    txrc);
		rc = get1(st, "corrupt", &got, &txrc);
		CHECK(rc == -1 && txrc == 500, "get of a corrupt record (%s): "
		    "got rc %d status %d, want -1 500", bad[i].what, rc, txrc);
		if (rc == 0)
			runtime_free(&got);
		rc = list_names(st, &names, 0);
		CHECK(rc == 500, "list with a corrupt record (%s): got %d, "
		    "want 500", bad[i].what, rc);
		free(names);
		/* Delete does not decode, so it can clean up. */
		memset(&d, 0, sizeof d);
		d.name = "corrupt";
		txrc = txn_run(st, cb_del, &d);
		CHECK(d.rc == 0 && txrc == 0, "delete of a corrupt record: got "
		    "rc %d status %d, want 0 0", d.rc, txrc);
	}
	check_list(st, ALL_NAMES, "list after corrupt records");

	/* A salt of the wrong size is refused, and then restored. */
	memset(&ra, 0, sizeof ra);
	ra.meta = true;
	ra.val = "short";
	ra.vlen = 5;
	txrc = txn_run(st, cb_raw_put, &ra);
	CHECK(txrc == 0, "planting a short salt: got %d, want 0", txrc);
	memset(&ta, 0, sizeof ta);
	txrc = txn_run(st, cb_salt_get, &ta);
	CHECK(ta.rc == -1 && txrc == 500, "salt_get of a short salt: got rc "
	    "%d status %d, want -1 500", ta.rc, txrc);
	memset(&ta, 0, sizeof ta);
	memcpy(ta.salt, the_salt, SALT_LEN);
	txrc = txn_run(st, cb_salt_put, &ta);
	CHECK(txrc == 0, "restoring the salt: got %d, want 0", txrc);
}

/* ---- tokens, their tree, and policies: one callback runs a list of ops ---- */

enum op_kind { O_TGET, O_TPUT, O_TREVOKE, O_PURGE, O_PGET, O_PPUT, O_PDEL,
    O_PNAMES, O_PLANT };

struct op {
	enum op_kind		 kind;
	const unsigned char	*hash;		/* token ops */
	const struct token_rec	*tin;		/* O_TPUT */
	struct token_rec	 tout;		/* O_TGET: new */
	int64_t			 now;		/* O_PURGE */
	size_t			 n;		/* O_PURGE: how many */
	const char		*name;		/* policy ops, O_PLANT key */
	const struct policy_rec	*pin;		/* O_PPUT */
	struct policy_rec	 pout;		/* O_PGET: new */
	char			**names;	/* O_PNAMES: new */
	size_t			 nnames;
	bool			 policies;	/* O_PLANT: which table */
	const void		*val;		/* O_PLANT */
	size_t			 vlen;
	int			 rc;		/* the table call's result */
};

struct ops {
	struct op	*v;
	size_t		 n;
	int		 status;	/* returned when every op succeeded */
	int		 calls;
};

static int
cb_ops(struct txn *t, void *arg)
{
	struct ops	*a = arg;
	struct op	*o;
	size_t		 i;

	a->calls++;
	for (i = 0; i < a->n; i++) {
		o = &a->v[i];
		switch (o->kind) {
		case O_TGET:
			o->rc = token_get(t, o->hash, &o->tout);
			break;
		case O_TPUT:
			o->rc = token_put(t, o->hash, o->tin);
			break;
		case O_TREVOKE:
			o->rc = token_revoke(t, o->hash);
			break;
		case O_PURGE:
			o->rc = tokens_purge(t, o->now, &o->n);
			break;
		case O_PGET:
			o->rc = policy_get(t, o->name, &o->pout);
			break;
		case O_PPUT:
			o->rc = policy_put(t, o->pin);
			break;
		case O_PDEL:
			o->rc = policy_delete(t, o->name);
			break;
		case O_PNAMES:
			o->rc = policy_names(t, &o->names, &o->nnames);
			break;
		case O_PLANT:
			if (o->policies)
				o->rc = rec_put(t, t->store->policies, o->name,
				    strlen(o->name), o->val, o->vlen);
			else
				o->rc = rec_put(t, t->store->tokens, o->hash,
				    TOKEN_HASH_LEN, o->val, o->vlen);
			break;
		}
		if (o->rc == -1)
			return -1;
	}
	return a->status;
}

/* Runs one op in its own transaction; returns txn_run's status. */
static int
run1(struct store *st, struct op *o)
{
	struct ops	 a = { o, 1, 0, 0 };

	return txn_run(st, cb_ops, &a);
}

/* A token of a test tree: its parent is an index into the same table. */
struct node {
	const char	*name;
	int		 parent;	/* -1: none */
	int64_t		 expire;
	unsigned char	 hash[TOKEN_HASH_LEN];
	struct token_rec rec;
};

static char	*node_policies[] = { "default", "runtime-admin" };

#define NODE(n, p, e)	{ .name = n, .parent = p, .expire = e }

/* Fills hashes and records; a node's parent must come before it. */
static void
nodes_init(struct node *nodes, size_t n)
{
	char	*tok;
	size_t	 i;

	for (i = 0; i < n; i++) {
		tok = xasprintf("hvs.%s", nodes[i].name);
		token_hash(the_salt, SALT_LEN, tok, nodes[i].hash);
		free(tok);
		memset(&nodes[i].rec, 0, sizeof nodes[i].rec);
		nodes[i].rec.policies = node_policies;
		nodes[i].rec.npolicies = i % 3;
		nodes[i].rec.accessor = (char *)nodes[i].name;
		nodes[i].rec.display_name = "token";
		nodes[i].rec.path = "auth/token/create";
		nodes[i].rec.created = 1700000000 + (int64_t)i;
		nodes[i].rec.ttl = nodes[i].expire ? 3600 : 0;
		nodes[i].rec.expire = nodes[i].expire;
		nodes[i].rec.num_uses = (int64_t)i;
		if (nodes[i].parent >= 0) {
			nodes[i].rec.has_parent = true;
			memcpy(nodes[i].rec.parent,
			    nodes[nodes[i].parent].hash, TOKEN_HASH_LEN);
		}
	}
}

static void
nodes_put(struct store *st, struct node *nodes, size_t n, const char *when)
{
	struct op	 o;
	size_t		 i;
	int		 txrc;

	for (i = 0; i < n; i++) {
		memset(&o, 0, sizeof o);
		o.kind = O_TPUT;
		o.hash = nodes[i].hash;
		o.tin = &nodes[i].rec;
		txrc = run1(st, &o);
		CHECK(o.rc == 0 && txrc == 0, "%s: token_put %s: got rc %d "
		    "status %d, want 0 0", when, nodes[i].name, o.rc, txrc);
	}
}

/*
 * Checks which nodes exist: alive has one '1' or '0' per node.  Live
 * tokens must read back exactly as they were put.
 */
static void
nodes_check(struct store *st, struct node *nodes, size_t n,
    const char *alive, const char *when)
{
	struct op	 o;
	char		 got[64], what[128];
	size_t		 i;
	int		 txrc;

	for (i = 0; i < n; i++) {
		memset(&o, 0, sizeof o);
		o.kind = O_TGET;
		o.hash = nodes[i].hash;
		txrc = run1(st, &o);
		got[i] = o.rc == 0 ? '1' : o.rc == 1 ? '0' : '?';
		if (txrc != 0)
			got[i] = '!';
		if (o.rc == 0) {
			snprintf(what, sizeof what, "%s: token_get %s", when,
			    nodes[i].name);
			check_token(what, &o.tout, &nodes[i].rec);
			token_rec_free(&o.tout);
		}
	}
	got[n] = '\0';
	CHECK(strcmp(got, alive) == 0, "%s: live tokens: got %s, want %s",
	    when, got, alive);
}

static void
test_token_tree(struct store *st)
{
	struct node	 nodes[] = {
		NODE("t-root", -1, 0),		/* 0 */
		NODE("t-c1", 0, 0),		/* 1 */
		NODE("t-c2", 0, 0),		/* 2 */
		NODE("t-g1", 1, 0),		/* 3 */
		NODE("t-g2", 1, 0),		/* 4 */
		NODE("t-gg", 3, 0),		/* 5: a great-grandchild */
		NODE("t-other", -1, 0),		/* 6 */
		NODE("t-oc", 6, 0),		/* 7 */
		NODE("t-absent", -1, 0),	/* 8: never stored */
	};
	static const struct {
		const char	*what;
		int		 node;
		int		 rc;
		const char	*alive;
	} steps[] = {
		{ "revoking a leaf child", 2, 0, "110111110" },
		{ "revoking it again", 2, 1, "110111110" },
		{ "revoking an absent token", 8, 1, "110111110" },
		{ "revoking a child with descendants", 1, 0, "100000110" },
		{ "revoking the parent", 0, 0, "000000110" },
		{ "revoking the parent again", 0, 1, "000000110" },
		{ "revoking a child leaves its parent", 7, 0, "000000100" },
		{ "revoking a parent without children", 6, 0, "000000000" },
	};
	struct ops	 a;
	struct op	 o[2];
	size_t		 i, n = nitems(nodes) - 1;
	int		 txrc;

	nodes_init(nodes, nitems(nodes));
	nodes_put(st, nodes, n, "tree");
	nodes_check(st, nodes, nitems(nodes), "111111110", "tree after put");

	/* Putting a child again files it once: revocation still works. */
	nodes_put(st, nodes + 1, 1, "tree, child again");
	nodes_check(st, nodes, nitems(nodes), "111111110", "tree after re-put");

	/* A revocation in an aborted transaction changes nothing. */
	memset(o, 0, sizeof o);
	o[0].kind = O_TREVOKE;
	o[0].hash = nodes[0].hash;
	o[1].kind = O_TREVOKE;
	o[1].hash = nodes[6].hash;
	memset(&a, 0, sizeof a);
	a.v = o;
	a.n = 2;
	a.status = 409;
	txrc = txn_run(st, cb_ops, &a);
	CHECK(txrc == 409 && o[0].rc == 0 && o[1].rc == 0, "aborted "
	    "revocation: got status %d rc %d %d, want 409 0 0", txrc, o[0].rc,
	    o[1].rc);
	nodes_check(st, nodes, nitems(nodes), "111111110",
	    "tree after an aborted revocation");

	for (i = 0; i < nitems(steps); i++) {
		memset(o, 0, sizeof o);
		o[0].kind = O_TREVOKE;
		o[0].hash = nodes[steps[i].node].hash;
		txrc = run1(st, &o[0]);
		CHECK(o[0].rc == steps[i].rc && txrc == 0, "%s (%s): got rc %d "
		    "status %d, want %d 0", steps[i].what,
		    nodes[steps[i].node].name, o[0].rc, txrc, steps[i].rc);
		nodes_check(st, nodes, nitems(nodes), steps[i].alive,
		    steps[i].what);
	}

	/* A hash that was a parent can be used again for a new token. */
	nodes_put(st, nodes, 2, "tree, reused");
	nodes_check(st, nodes, nitems(nodes), "110000000", "tree reused");
	memset(o, 0, sizeof o);
	o[0].kind = O_TREVOKE;
	o[0].hash = nodes[0].hash;
	txrc = run1(st, &o[0]);
	CHECK(o[0].rc == 0 && txrc == 0, "revoking the reused parent: got rc "
	    "%d status %d, want 0 0", o[0].rc, txrc);
	nodes_check(st, nodes, nitems(nodes), "000000000", "tree emptied");
}

/* Runs tokens_purge(now); returns the count, -1 after a failure. */
static long
purge(struct store *st, int64_t now)
{
	struct op	 o;
	int		 txrc;

	memset(&o, 0, sizeof o);
	o.kind = O_PURGE;
	o.now = now;
	o.n = 12345;
	txrc = run1(st, &o);
	CHECK(o.rc == 0 && txrc == 0, "tokens_purge(%lld): got rc %d status "
	    "%d, want 0 0", (long long)now, o.rc, txrc);
	return o.rc == 0 && txrc == 0 ? (long)o.n : -1;
}

#define NOW	2000000000LL

static void
test_tokens_purge(struct store *st)
{
	struct node	 nodes[] = {
		NODE("p-never", -1, 0),		/* 0 */
		NODE("p-old", -1, NOW - 1),	/* 1 */
		NODE("p-now", -1, NOW),		/* 2 */
		NODE("p-future", -1, NOW + 1),	/* 3 */
		NODE("p-old-kid", 1, 0),	/* 4 */
		NODE("p-old-gkid", 4, NOW + 1000),	/* 5 */
		NODE("p-future-kid", 3, NOW - 10),	/* 6 */
		NODE("p-future-gkid", 6, 0),	/* 7 */
		NODE("p-never-kid", 0, NOW + 5),	/* 8 */
		NODE("p-old2", -1, 1),		/* 9 */
		NODE("p-old2-kid", 9, NOW - 100),	/* 10 */
	};
	static const struct {
		const char	*what;
		int64_t		 now;
		long		 n;
		const char	*alive;
	} steps[] = {
		{ "purge before anything expired", 0, 0, "11111111111" },
		/* Only p-old2 (expire 1) and its kid (NOW - 100) are due. */
		{ "purge at NOW - 100", NOW - 100, 2, "11111111100" },
		{ "purge at NOW", NOW, 3, "10010000100" },
		{ "purge at NOW again", NOW, 0, "10010000100" },
		{ "purge at NOW + 5", NOW + 5, 2, "10000000000" },
		{ "purge at INT64_MAX", INT64_MAX, 0, "10000000000" },
	};
	struct node	*many;
	struct ops	 a;
	struct op	*o;
	char		 name[32];
	size_t		 i;
	long		 n;
	int		 txrc;

	nodes_init(nodes, nitems(nodes));
	nodes_put(st, nodes, nitems(nodes), "purge");
	for (i = 0; i < nitems(steps); i++) {
		n = purge(st, steps[i].now);
		CHECK(n == steps[i].n, "%s: count: got %ld, want %ld",
		    steps[i].what, n, steps[i].n);
		nodes_check(st, nodes, nitems(nodes), steps[i].alive,
		    steps[i].what);
	}

	/* At most 100 expired tokens go per call; the rest on the next. */
	many = xcalloc(130, sizeof *many);
	o = xcalloc(130, sizeof *o);
	for (i = 0; i < 130; i++) {
		snprintf(name, sizeof name, "p-many-%zu", i);
		many[i].name = xstrdup(name);
		many[i].parent = -1;
		many[i].expire = 1 + (int64_t)i;
	}
	nodes_init(many, 130);
	for (i = 0; i < 130; i++) {
		o[i].kind = O_TPUT;
		o[i].hash = many[i].hash;
		o[i].tin = &many[i].rec;
	}
	memset(&a, 0, sizeof a);
	a.v = o;
	a.n = 130;
	txrc = txn_run(st, cb_ops, &a);
	CHECK(txrc == 0, "putting 130 tokens in one transaction: got %d, want "
	    "0", txrc);
	n = purge(st, NOW);
	CHECK(n == 100, "purge of 130 expired tokens: got %ld, want 100", n);
	n = purge(st, NOW);
	CHECK(n == 30, "second purge of 130 expired tokens: got %ld, want 30",
	    n);
	n = purge(st, NOW);
	CHECK(n == 0, "third purge of 130 expired tokens: got %ld, want 0", n);
	nodes_check(st, nodes, nitems(nodes), "10000000000",
	    "after the purges of 130");
	for (i = 0; i < 130; i++)
		free((char *)many[i].name);
	free(many);
	free(o);

	/* The survivor goes the ordinary way. */
	o = xcalloc(1, sizeof *o);
	o->kind = O_TREVOKE;
	o->hash = nodes[0].hash;
	txrc = run1(st, o);
	CHECK(o->rc == 0 && txrc == 0, "revoking p-never: got rc %d status %d, "
	    "want 0 0", o->rc, txrc);
	free(o);
	n = purge(st, INT64_MAX);
	CHECK(n == 0, "purge of an empty table: got %ld, want 0", n);
}

/* ---- policies ---- */

static const struct policy_rec policies[] = {
	{ "b", "path \"b/*\" {\n  capabilities = [\"read\"]\n}\n" },
	{ "runtime-admin", "path \"sys/plugins/runtimes/catalog/*\" { "
	    "capabilities = [\"update\", \"sudo\"] }" },
	{ "a", "{\"path\":{\"a\":{\"capabilities\":[\"list\"]}}}" },
	{ "default", "# only comments\n" },
	{ "A", "" },
	{ "a-b", "path \"\xc3\xa9\" {}" },
	{ "a.b", "x" },
	{ "0", "path \"+\" { capabilities = [\"deny\"] }" },
};
/* Bytewise: '0' < 'A' < 'a', and '-' < '.'. */
#define ALL_POLICIES	"0,A,a,a-b,a.b,b,default,runtime-admin,"

/* The policy names, joined as "a,b,"; status through *txrc. */
static char *
policy_list(struct store *st, int *txrc)
{
	struct op	 o;
	struct buf	 b;
	size_t		 i;

	memset(&o, 0, sizeof o);
	o.kind = O_PNAMES;
	*txrc = run1(st, &o);
	buf_init(&b);
	if (o.rc != 0)
		buf_printf(&b, "rc %d", o.rc);
	for (i = 0; o.rc == 0 && i < o.nnames; i++) {
		buf_adds(&b, o.names[i]);
		buf_addc(&b, ',');
	}
	if (o.rc == 0)
		strlist_free(o.names, o.nnames);
	return b.data;
}

/* Checks every policy of the table except skip (NULL: none). */
static void
check_policies(struct store *st, const char *skip, const char *list,
    const char *when)
{
	struct op	 o;
	char		*names;
	size_t		 i;
	int		 txrc;

	for (i = 0; i < nitems(policies); i++) {
		memset(&o, 0, sizeof o);
		o.kind = O_PGET;
		o.name = policies[i].name;
		txrc = run1(st, &o);
		if (skip != NULL && strcmp(skip, policies[i].name) == 0) {
			CHECK(o.rc == 1 && txrc == 0, "%s: policy_get \"%s\": "
			    "got rc %d status %d, want 1 0", when,
			    policies[i].name, o.rc, txrc);
			if (o.rc == 0)
				policy_rec_free(&o.pout);
			continue;
		}
		CHECK(o.rc == 0 && txrc == 0, "%s: policy_get \"%s\": got rc %d "
		    "status %d, want 0 0", when, policies[i].name, o.rc, txrc);
		if (o.rc != 0)
			continue;
		CHECK(o.pout.name != NULL && o.pout.text != NULL &&
		    strcmp(o.pout.name, policies[i].name) == 0 &&
		    strcmp(o.pout.text, policies[i].text) == 0, "%s: policy_get "
		    "\"%s\": got {%s %s}, want {%s %s}", when, policies[i].name,
		    o.pout.name ? o.pout.name : "(null)",
		    o.pout.text ? o.pout.text : "(null)", policies[i].name,
		    policies[i].text);
		policy_rec_free(&o.pout);
	}
	names = policy_list(st, &txrc);
	CHECK(txrc == 0, "%s: policy_names: got status %d, want 0", when, txrc);
	CHECK_STR(names, list, when);
	free(names);
}

static void
test_policies(struct store *st)
{
	static const struct policy_rec a2 = { "a", "path \"a\" {}" };
	static const struct policy_rec zzz = { "zzz", "" };
	struct ops	 a;
	struct op	 o[2];
	char		*names;
	size_t		 i;
	int		 txrc;

	names = policy_list(st, &txrc);
	CHECK(txrc == 0, "policy_names of none: got status %d, want 0", txrc);
	CHECK_STR(names, "", "policy_names of none");
	free(names);
	memset(o, 0, sizeof o);
	o[0].kind = O_PGET;
	o[0].name = "a";
	txrc = run1(st, &o[0]);
	CHECK(o[0].rc == 1 && txrc == 0, "policy_get absent: got rc %d status "
	    "%d, want 1 0", o[0].rc, txrc);
	if (o[0].rc == 0)
		policy_rec_free(&o[0].pout);
	o[0].kind = O_PDEL;
	txrc = run1(st, &o[0]);
	CHECK(o[0].rc == 1 && txrc == 0, "policy_delete absent: got rc %d "
	    "status %d, want 1 0", o[0].rc, txrc);

	for (i = 0; i < nitems(policies); i++) {
		memset(o, 0, sizeof o);
		o[0].kind = O_PPUT;
		o[0].pin = &policies[i];
		txrc = run1(st, &o[0]);
		CHECK(o[0].rc == 0 && txrc == 0, "policy_put \"%s\": got rc %d "
		    "status %d, want 0 0", policies[i].name, o[0].rc, txrc);
	}
	check_policies(st, NULL, ALL_POLICIES, "policies after put");

	/* Names are exact keys. */
	memset(o, 0, sizeof o);
	o[0].kind = O_PGET;
	o[0].name = "B";
	txrc = run1(st, &o[0]);
	CHECK(o[0].rc == 1, "policy_get \"B\": got %d, want 1", o[0].rc);
	if (o[0].rc == 0)
		policy_rec_free(&o[0].pout);

	/* A put is an update. */
	memset(o, 0, sizeof o);
	o[0].kind = O_PPUT;
	o[0].pin = &a2;
	o[1].kind = O_PGET;
	o[1].name = "a";
	memset(&a, 0, sizeof a);
	a.v = o;
	a.n = 2;
	txrc = txn_run(st, cb_ops, &a);
	CHECK(txrc == 0 && o[1].rc == 0, "overwriting \"a\": got status %d rc "
	    "%d, want 0 0", txrc, o[1].rc);
	if (o[1].rc == 0) {
		CHECK_STR(o[1].pout.text, a2.text, "overwritten \"a\"");
		policy_rec_free(&o[1].pout);
	}
	names = policy_list(st, &txrc);
	CHECK_STR(names, ALL_POLICIES, "policy_names after overwrite");
	free(names);

	/* Delete, then it is gone, and a second delete finds nothing. */
	memset(o, 0, sizeof o);
	o[0].kind = O_PDEL;
	o[0].name = "a";
	txrc = run1(st, &o[0]);
	CHECK(o[0].rc == 0 && txrc == 0, "policy_delete \"a\": got rc %d "
	    "status %d, want 0 0", o[0].rc, txrc);
	txrc = run1(st, &o[0]);
	CHECK(o[0].rc == 1 && txrc == 0, "policy_delete \"a\" again: got rc "
	    "%d status %d, want 1 0", o[0].rc, txrc);
	check_policies(st, "a", "0,A,a-b,a.b,b,default,runtime-admin,",
	    "policies after delete");

	/* An aborted transaction changes nothing. */
	memset(o, 0, sizeof o);
	o[0].kind = O_PPUT;
	o[0].pin = &zzz;
	o[1].kind = O_PDEL;
	o[1].name = "b";
	memset(&a, 0, sizeof a);
	a.v = o;
	a.n = 2;
	a.status = 400;
	txrc = txn_run(st, cb_ops, &a);
	CHECK(txrc == 400 && o[1].rc == 0, "aborted policy writes: got status "
	    "%d rc %d, want 400 0", txrc, o[1].rc);
	check_policies(st, "a", "0,A,a-b,a.b,b,default,runtime-admin,",
	    "policies after an abort");

	memset(o, 0, sizeof o);
	o[0].kind = O_PPUT;
	o[0].pin = &policies[2];
	txrc = run1(st, &o[0]);
	CHECK(o[0].rc == 0 && txrc == 0, "policy_put \"a\" back: got rc %d "
	    "status %d, want 0 0", o[0].rc, txrc);
	check_policies(st, NULL, ALL_POLICIES, "policies after put back");
}

/* Token and policy records that do not decode: 500, and cleanup works. */
static void
test_corrupt_tokens_policies(struct store *st)
{
	unsigned char	 h[TOKEN_HASH_LEN];
	struct op	 o;
	long		 n;
	int		 txrc;

	token_hash(the_salt, SALT_LEN, "hvs.corrupt", h);
	memset(&o, 0, sizeof o);
	o.kind = O_PLANT;
	o.hash = h;
	o.val = "\x81\xa1v\x01";
	o.vlen = 4;
	txrc = run1(st, &o);
	CHECK(txrc == 0, "planting a corrupt token: got %d, want 0", txrc);
	memset(&o, 0, sizeof o);
	o.kind = O_TGET;
	o.hash = h;
	txrc = run1(st, &o);
	CHECK(o.rc == -1 && txrc == 500, "token_get of a corrupt record: got "
	    "rc %d status %d, want -1 500", o.rc, txrc);
	if (o.rc == 0)
		token_rec_free(&o.tout);
	/* The purge skips what it cannot read. */
	n = purge(st, INT64_MAX);
	CHECK(n == 0, "purge with a corrupt token: got %ld, want 0", n);
	memset(&o, 0, sizeof o);
	o.kind = O_TREVOKE;
	o.hash = h;
	txrc = run1(st, &o);
	CHECK(o.rc == 0 && txrc == 0, "revoking a corrupt token: got rc %d "
	    "status %d, want 0 0", o.rc, txrc);

	memset(&o, 0, sizeof o);
	o.kind = O_PLANT;
	o.policies = true;
	o.name = "bad";
	o.val = "garbage";
	o.vlen = 7;
	txrc = run1(st, &o);
	CHECK(txrc == 0, "planting a corrupt policy: got %d, want 0", txrc);
	memset(&o, 0, sizeof o);
	o.kind = O_PGET;
	o.name = "bad";
	txrc = run1(st, &o);
	CHECK(o.rc == -1 && txrc == 500, "policy_get of a corrupt record: got "
	    "rc %d status %d, want -1 500", o.rc, txrc);
	if (o.rc == 0)
		policy_rec_free(&o.pout);
	memset(&o, 0, sizeof o);
	o.kind = O_PDEL;
	o.name = "bad";
	txrc = run1(st, &o);
	CHECK(o.rc == 0 && txrc == 0, "policy_delete of a corrupt record: got "
	    "rc %d status %d, want 0 0", o.rc, txrc);
	check_policies(st, NULL, ALL_POLICIES, "policies after corruption");
}

/* ---- plugins and the runtime_refs index ---- */

enum pop_kind { PO_PUT, PO_GET, PO_DEL, PO_LIST, PO_USERS, PO_REFS,
    PO_PLANT, PO_UNPLANT };

/* One plugin-table operation; several run in one transaction. */
struct pop {
	enum pop_kind		 kind;
	const struct plugin	*in;		/* PO_PUT */
	const char		*type;		/* PO_GET, PO_DEL, PO_*PLANT */
	const char		*name;
	const char		*version;
	const char		*runtime;	/* PO_USERS */
	const void		*val;		/* PO_PLANT */
	size_t			 vlen;
	struct plugin		 out;		/* PO_GET: new */
	char			*text;		/* PO_LIST, PO_USERS: new */
	size_t			 n;		/* PO_USERS, PO_REFS: count */
	int			 stop_after;	/* PO_LIST: 0 never */
	int			 rc;		/* the table call's result */
};

struct pops {
	struct pop	*v;
	size_t		 n;
	int		 status;	/* returned when every op succeeded */
};

struct plist {
	struct buf	 b;
	int		 calls;
	int		 stop_after;
};

static int
plist_fn(const struct plugin *p, void *arg)
{
	struct plist	*l = arg;

	buf_printf(&l->b, "%s/%s/%s,", p->type, p->name, p->version);
	return l->stop_after != 0 && ++l->calls >= l->stop_after;
}

static void
pkey(struct buf *k, const char *type, const char *name, const char *version)
{
	buf_init(k);
	buf_add(k, type, strlen(type) + 1);
	buf_add(k, name, strlen(name) + 1);
	buf_adds(k, version);
}

static int
count_one(const void *k, size_t klen, const void *v, size_t vlen, void *arg)
{
	(*(size_t *)arg)++;
	return 0;
}

/* Counts every runtime -> plugin pair of the index. */
static int
refs_count(struct txn *t, size_t *n)
{
	*n = 0;
	return rec_scan(t, t->store->runtime_refs, count_one, n,
	    "counting references");
}

static int
cb_pops(struct txn *t, void *arg)
{
	struct pops	*a = arg;
	struct pop	*o;
	struct plist	 l;
	struct buf	 b;
	char		**names;
	size_t		 i, k;

	for (i = 0; i < a->n; i++) {
		o = &a->v[i];
		free(o->text);
		o->text = NULL;
		switch (o->kind) {
		case PO_PUT:
			o->rc = plugin_put(t, o->in);
			break;
		case PO_GET:
			o->rc = plugin_get(t, o->type, o->name, o->version,
			    &o->out);
			break;
		case PO_DEL:
			o->rc = plugin_delete(t, o->type, o->name, o->version);
			break;
		case PO_LIST:
			memset(&l, 0, sizeof l);
			buf_init(&l.b);
			l.stop_after = o->stop_after;
			o->rc = plugin_list(t, plist_fn, &l);
			o->text = l.b.data;
			break;
		case PO_USERS:
			o->rc = runtime_users(t, o->runtime, &names, &o->n);
			buf_init(&b);
			for (k = 0; o->rc == 0 && k < o->n; k++) {
				buf_adds(&b, names[k]);
				buf_addc(&b, ',');
			}
			if (o->rc == 0)
				strlist_free(names, o->n);
			o->text = b.data;
			break;
		case PO_REFS:
			o->rc = refs_count(t, &o->n);
			break;
		case PO_PLANT:
		case PO_UNPLANT:
			pkey(&b, o->type, o->name, o->version);
			if (o->kind == PO_PLANT)
				o->rc = rec_put(t, t->store->plugins, b.data,
				    b.len, o->val, o->vlen);
			else
				o->rc = rec_del(t, t->store->plugins, b.data,
				    b.len);
			buf_free(&b);
			break;
		}
		if (o->rc == -1)
			return -1;
	}
	return a->status;
}

/* Runs one op in its own transaction; returns txn_run's status. */
static int
prun(struct store *st, struct pop *o)
{
	struct pops	 a = { o, 1, 0 };

	return txn_run(st, cb_pops, &a);
}

/* The plugin keys in list order, "type/name/version,"; new. */
static char *
plugins_listed(struct store *st, int *txrc)
{
	struct pop	 o;

	memset(&o, 0, sizeof o);
	o.kind = PO_LIST;
	*txrc = prun(st, &o);
	if (o.rc != 0) {
		free(o.text);
		return xasprintf("rc %d", o.rc);
	}
	return o.text;
}

/* runtime_users joined as "a,b,"; new. */
static char *
users(struct store *st, const char *runtime, int *txrc)
{
	struct pop	 o;

	memset(&o, 0, sizeof o);
	o.kind = PO_USERS;
	o.runtime = runtime;
	*txrc = prun(st, &o);
	if (o.rc != 0) {
		free(o.text);
		return xasprintf("rc %d", o.rc);
	}
	return o.text;
}

static unsigned char	 psha[32];
static char		*pargs[] = { "-tls-skip-verify", "x y" };
static char		*penv[] = { "A=1", "B=" };

static const struct plugin plugins[] = {
	{ "secret", "kv", "v1.0.0", "kv", pargs, 2, penv, 2, psha, 32,
	    "img/kv:1", "gvisor" },
	{ "secret", "kv", "v1.10.0", "kv", NULL, 0, NULL, 0, psha, 32, "",
	    "" },
	{ "secret", "kv", "v1.2.0", "kv", pargs, 1, NULL, 0, psha, 32,
	    "img/kv:2", "gvisor" },
	{ "secret", "kv", "", "kv", NULL, 0, penv, 1, NULL, 0, "", "" },
	{ "auth", "jwt", "v0.1.0", "", NULL, 0, NULL, 0, psha, 32, "img/jwt",
	    "gvisor" },
	{ "database", "pg", "", "", NULL, 0, NULL, 0, psha, 32, "img/pg",
	    "runsc" },
	{ "secret", "kv-x", "v1.0.0", "kvx", NULL, 0, NULL, 0, psha, 32,
	    "img/kvx", "gvisor" },
	{ "secret", "k", "v1.0.0", "k", NULL, 0, NULL, 0, psha, 32, "", "" },
	/* The same name under another type is another plugin. */
	{ "auth", "kv", "v1.0.0", "kv", NULL, 0, NULL, 0, psha, 32, "",
	    "gvisor" },
	{ "database", "_db", "v3.0.0", "", NULL, 0, NULL, 0, psha, 3,
	    "img/db", "gvisor" },
	{ "secret", "Zeta", "v1.0.0", "", NULL, 0, NULL, 0, psha, 32,
	    "img/z", "gvisor" },
};
/*
 * Key order: type, then name (a prefix first: "k" < "kv" < "kv-x"; '_'
 * after 'Z' and before 'p'), then version bytewise ("" first, and
 * "v1.10.0" before "v1.2.0").
 */
#define ALL_PLUGINS	"auth/jwt/v0.1.0,auth/kv/v1.0.0,database/_db/v3.0.0," \
	"database/pg/,secret/Zeta/v1.0.0,secret/k/v1.0.0,secret/kv/," \
	"secret/kv/v1.0.0,secret/kv/v1.10.0,secret/kv/v1.2.0," \
	"secret/kv-x/v1.0.0,"
/* Bytewise by name, whatever the type, one name per version. */
#define GVISOR_USERS	"Zeta,_db,jwt,kv,kv,kv,kv-x,"
#define RUNSC_USERS	"pg,"
#define NREFS		8	/* plugins naming a runtime */

/* Reads a plugin back; want NULL means it must be absent. */
static void
check_plugin(struct store *st, const char *type, const char *name,
    const char *version, const struct plugin *want, const char *when)
{
	struct pop	 o;
	int		 txrc;

	memset(&o, 0, sizeof o);
	o.kind = PO_GET;
	o.type = type;
	o.name = name;
	o.version = version;
	txrc = prun(st, &o);
	if (want == NULL) {
		CHECK(o.rc == 1 && txrc == 0, "%s: plugin_get %s/%s/%s: got rc "
		    "%d status %d, want 1 0", when, type, name, version, o.rc,
		    txrc);
		if (o.rc == 0)
			plugin_free(&o.out);
		return;
	}
	CHECK(o.rc == 0 && txrc == 0, "%s: plugin_get %s/%s/%s: got rc %d "
	    "status %d, want 0 0", when, type, name, version, o.rc, txrc);
	if (o.rc != 0)
		return;
	CHECK(plugin_eq(&o.out, want), "%s: plugin_get %s/%s/%s: got {%s %s "
	    "%s cmd=%s %zu args %zu env sha %zu oci=%s rt=%s}, want {%s %s %s "
	    "cmd=%s %zu args %zu env sha %zu oci=%s rt=%s}", when, type, name,
	    version, o.out.type, o.out.name, o.out.version, o.out.command,
	    o.out.nargs, o.out.nenv, o.out.sha256_len, o.out.oci_image,
	    o.out.runtime, want->type, want->name, want->version,
	    want->command, want->nargs, want->nenv, want->sha256_len,
	    want->oci_image, want->runtime);
	plugin_free(&o.out);
}

/* Checks the list, the users of each runtime and the index size. */
static void
check_catalog(struct store *st, const char *list, const char *gvisor,
    const char *runsc, size_t nrefs, const char *when)
{
	static const char *const none[] = { "", "gv", "gvisorx", "GVISOR",
	    "kv", "absent" };
	struct pop	 o;
	char		*got, what[160];
	size_t		 i;
	int		 txrc;

	got = plugins_listed(st, &txrc);
	CHECK(txrc == 0, "%s: plugin_list: got status %d, want 0", when,
	    txrc);
	snprintf(what, sizeof what, "%s: plugin_list", when);
	CHECK_STR(got, list, what);
	free(got);
	got = users(st, "gvisor", &txrc);
	CHECK(txrc == 0, "%s: runtime_users: got status %d, want 0", when,
	    txrc);
	snprintf(what, sizeof what, "%s: runtime_users(gvisor)", when);
	CHECK_STR(got, gvisor, what);
	free(got);
	got = users(st, "runsc", &txrc);
	snprintf(what, sizeof what, "%s: runtime_users(runsc)", when);
	CHECK_STR(got, runsc, what);
	free(got);
	/* Names are exact keys, and an empty runtime is never indexed. */
	for (i = 0; i < nitems(none); i++) {
		got = users(st, none[i], &txrc);
		CHECK(txrc == 0 && strcmp(got, "") == 0, "%s: runtime_users("
		    "\"%s\"): got \"%s\" status %d, want \"\" 0", when, none[i],
		    got, txrc);
		free(got);
	}
	memset(&o, 0, sizeof o);
	o.kind = PO_REFS;
	txrc = prun(st, &o);
	CHECK(o.rc == 0 && txrc == 0 && o.n == nrefs, "%s: runtime_refs "
	    "entries: got %zu (rc %d status %d), want %zu", when, o.n, o.rc,
	    txrc, nrefs);
}

/* Every plugin of the table reads back unchanged. */
static void
check_all_plugins(struct store *st, const char *when)
{
	size_t	 i;

	for (i = 0; i < nitems(plugins); i++)
		check_plugin(st, plugins[i].type, plugins[i].name,
		    plugins[i].version, &plugins[i], when);
}

static int
pput(struct store *st, const struct plugin *p, int *rc)
{
	struct pop	 o;
	int		 txrc;

	memset(&o, 0, sizeof o);
	o.kind = PO_PUT;
	o.in = p;
	txrc = prun(st, &o);
	*rc = o.rc;
	return txrc;
}

static int
pdel(struct store *st, const char *type, const char *name,
    const char *version, int *rc)
{
	struct pop	 o;
	int		 txrc;

	memset(&o, 0, sizeof o);
	o.kind = PO_DEL;
	o.type = type;
	o.name = name;
	o.version = version;
	txrc = prun(st, &o);
	*rc = o.rc;
	return txrc;
}

static void
test_plugins(struct store *st)
{
	struct plugin	 kv12 = plugins[2], fresh = plugins[0];
	struct pop	 o[7];
	struct pops	 a;
	char		*u;
	size_t		 i;
	int		 rc, txrc;

	for (i = 0; i < sizeof psha; i++)
		psha[i] = (unsigned char)(0xc0 + i);

	check_catalog(st, "", "", "", 0, "empty catalog");
	check_plugin(st, "secret", "kv", "v1.0.0", NULL, "empty catalog");
	txrc = pdel(st, "secret", "kv", "v1.0.0", &rc);
	CHECK(rc == 1 && txrc == 0, "plugin_delete absent: got rc %d status "
	    "%d, want 1 0", rc, txrc);

	for (i = 0; i < nitems(plugins); i++) {
		txrc = pput(st, &plugins[i], &rc);
		CHECK(rc == 0 && txrc == 0, "plugin_put %s/%s/%s: got rc %d "
		    "status %d, want 0 0", plugins[i].type, plugins[i].name,
		    plugins[i].version, rc, txrc);
	}
	check_all_plugins(st, "after put");
	check_catalog(st, ALL_PLUGINS, GVISOR_USERS, RUNSC_USERS, NREFS,
	    "after put");

	/* A callback's non-zero stop ends the walk early, without error. */
	memset(o, 0, sizeof o);
	o[0].kind = PO_LIST;
	o[0].stop_after = 3;
	txrc = prun(st, &o[0]);
	CHECK(o[0].rc == 0 && txrc == 0, "plugin_list stopping after 3: got "
	    "rc %d status %d, want 0 0", o[0].rc, txrc);
	CHECK_STR(o[0].text, "auth/jwt/v0.1.0,auth/kv/v1.0.0,"
	    "database/_db/v3.0.0,", "plugin_list stopping after 3");
	free(o[0].text);

	/* Keys are exact: no canonical versions, prefixes or other types. */
	check_plugin(st, "secret", "kv", "1.0.0", NULL, "unprefixed version");
	check_plugin(st, "secret", "kv", "v1.0", NULL, "short version");
	check_plugin(st, "secret", "kv", "v1", NULL, "version prefix");
	check_plugin(st, "auth", "kv", "v1.2.0", NULL, "version of another "
	    "type");
	check_plugin(st, "secret", "k", "", NULL, "unversioned prefix");
	check_plugin(st, "secret", "kv-", "v1.0.0", NULL, "name prefix");
	check_plugin(st, "Secret", "kv", "v1.0.0", NULL, "type case");

	/* Putting the same plugin again changes nothing. */
	txrc = pput(st, &plugins[0], &rc);
	CHECK(rc == 0 && txrc == 0, "plugin_put again: got rc %d status %d, "
	    "want 0 0", rc, txrc);
	check_catalog(st, ALL_PLUGINS, GVISOR_USERS, RUNSC_USERS, NREFS,
	    "after the same put");

	/* Re-registering with another runtime moves the reference. */
	kv12.runtime = "runsc";
	txrc = pput(st, &kv12, &rc);
	CHECK(rc == 0 && txrc == 0, "re-register kv v1.2.0 on runsc: got rc "
	    "%d status %d, want 0 0", rc, txrc);
	check_plugin(st, "secret", "kv", "v1.2.0", &kv12, "moved to runsc");
	check_catalog(st, ALL_PLUGINS, "Zeta,_db,jwt,kv,kv,kv-x,", "kv,pg,",
	    NREFS, "moved to runsc");
	txrc = pput(st, &kv12, &rc);
	CHECK(rc == 0 && txrc == 0, "re-register kv v1.2.0 on runsc again: "
	    "got rc %d status %d, want 0 0", rc, txrc);
	check_catalog(st, ALL_PLUGINS, "Zeta,_db,jwt,kv,kv,kv-x,", "kv,pg,",
	    NREFS, "moved to runsc twice");

	/* With no runtime it is indexed nowhere. */
	kv12.runtime = "";
	txrc = pput(st, &kv12, &rc);
	CHECK(rc == 0 && txrc == 0, "re-register kv v1.2.0 without a runtime: "
	    "got rc %d status %d, want 0 0", rc, txrc);
	check_plugin(st, "secret", "kv", "v1.2.0", &kv12, "no runtime");
	check_catalog(st, ALL_PLUGINS, "Zeta,_db,jwt,kv,kv,kv-x,", "pg,",
	    NREFS - 1, "no runtime");

	/* And back. */
	txrc = pput(st, &plugins[2], &rc);
	CHECK(rc == 0 && txrc == 0, "re-register kv v1.2.0 on gvisor: got rc "
	    "%d status %d, want 0 0", rc, txrc);
	check_all_plugins(st, "back on gvisor");
	check_catalog(st, ALL_PLUGINS, GVISOR_USERS, RUNSC_USERS, NREFS,
	    "back on gvisor");

	/* Deleting a plugin removes its reference, and only its own. */
	txrc = pdel(st, "secret", "kv", "v1.0.0", &rc);
	CHECK(rc == 0 && txrc == 0, "plugin_delete kv v1.0.0: got rc %d "
	    "status %d, want 0 0", rc, txrc);
	check_plugin(st, "secret", "kv", "v1.0.0", NULL, "deleted");
	check_plugin(st, "secret", "kv", "v1.2.0", &plugins[2],
	    "other version kept");
	check_plugin(st, "auth", "kv", "v1.0.0", &plugins[8],
	    "other type kept");
	check_catalog(st, "auth/jwt/v0.1.0,auth/kv/v1.0.0,database/_db/v3.0.0,"
	    "database/pg/,secret/Zeta/v1.0.0,secret/k/v1.0.0,secret/kv/,"
	    "secret/kv/v1.10.0,secret/kv/v1.2.0,secret/kv-x/v1.0.0,",
	    "Zeta,_db,jwt,kv,kv,kv-x,", RUNSC_USERS, NREFS - 1,
	    "after deleting kv v1.0.0");
	txrc = pdel(st, "secret", "kv", "v1.0.0", &rc);
	CHECK(rc == 1 && txrc == 0, "plugin_delete kv v1.0.0 again: got rc "
	    "%d status %d, want 1 0", rc, txrc);
	txrc = pdel(st, "database", "pg", "", &rc);
	CHECK(rc == 0 && txrc == 0, "plugin_delete pg: got rc %d status %d, "
	    "want 0 0", rc, txrc);
	check_catalog(st, "auth/jwt/v0.1.0,auth/kv/v1.0.0,database/_db/v3.0.0,"
	    "secret/Zeta/v1.0.0,secret/k/v1.0.0,secret/kv/,secret/kv/v1.10.0,"
	    "secret/kv/v1.2.0,secret/kv-x/v1.0.0,", "Zeta,_db,jwt,kv,kv,kv-x,",
	    "", NREFS - 2, "after deleting pg");
	/* A plugin without a runtime leaves the index alone. */
	txrc = pdel(st, "secret", "kv", "", &rc);
	CHECK(rc == 0 && txrc == 0, "plugin_delete unversioned kv: got rc %d "
	    "status %d, want 0 0", rc, txrc);
	check_catalog(st, "auth/jwt/v0.1.0,auth/kv/v1.0.0,database/_db/v3.0.0,"
	    "secret/Zeta/v1.0.0,secret/k/v1.0.0,secret/kv/v1.10.0,"
	    "secret/kv/v1.2.0,secret/kv-x/v1.0.0,", "Zeta,_db,jwt,kv,kv,kv-x,",
	    "", NREFS - 2, "after deleting unversioned kv");
	for (i = 0; i < nitems(plugins); i++) {
		txrc = pput(st, &plugins[i], &rc);
		CHECK(rc == 0 && txrc == 0, "plugin_put %s/%s/%s back: got rc "
		    "%d status %d, want 0 0", plugins[i].type, plugins[i].name,
		    plugins[i].version, rc, txrc);
	}
	check_all_plugins(st, "put back");
	check_catalog(st, ALL_PLUGINS, GVISOR_USERS, RUNSC_USERS, NREFS,
	    "put back");

	/*
	 * An aborted transaction leaves records and index as they were,
	 * although it saw its own writes.
	 */
	fresh.name = "new";
	kv12 = plugins[2];
	kv12.runtime = "runsc";
	memset(o, 0, sizeof o);
	o[0].kind = PO_PUT;
	o[0].in = &fresh;
	o[1].kind = PO_PUT;
	o[1].in = &kv12;
	o[2].kind = PO_DEL;
	o[2].type = "auth";
	o[2].name = "jwt";
	o[2].version = "v0.1.0";
	o[3].kind = PO_DEL;
	o[3].type = "database";
	o[3].name = "pg";
	o[3].version = "";
	o[4].kind = PO_USERS;
	o[4].runtime = "gvisor";
	o[5].kind = PO_USERS;
	o[5].runtime = "runsc";
	o[6].kind = PO_REFS;
	memset(&a, 0, sizeof a);
	a.v = o;
	a.n = nitems(o);
	a.status = 400;
	txrc = txn_run(st, cb_pops, &a);
	CHECK(txrc == 400, "aborted plugin writes: got status %d, want 400",
	    txrc);
	/* jwt deleted, one kv moved to runsc, new added. */
	CHECK(o[4].text != NULL && strcmp(o[4].text, "Zeta,_db,kv,kv,kv-x,"
	    "new,") == 0, "inside the aborted txn: runtime_users(gvisor): got "
	    "\"%s\", want \"Zeta,_db,kv,kv,kv-x,new,\"",
	    o[4].text ? o[4].text : "(null)");
	CHECK(o[5].text != NULL && strcmp(o[5].text, "kv,") == 0, "inside the "
	    "aborted txn: runtime_users(runsc): got \"%s\", want \"kv,\"",
	    o[5].text ? o[5].text : "(null)");
	CHECK(o[6].n == NREFS - 1, "inside the aborted txn: runtime_refs "
	    "entries: got %zu, want %d", o[6].n, NREFS - 1);
	for (i = 0; i < nitems(o); i++)
		free(o[i].text);
	check_plugin(st, "secret", "new", "v1.0.0", NULL, "after an abort");
	check_all_plugins(st, "after an abort");
	check_catalog(st, ALL_PLUGINS, GVISOR_USERS, RUNSC_USERS, NREFS,
	    "after an abort");

	/* The same when the callback fails rather than answers. */
	a.status = -1;
	memset(o, 0, sizeof o);
	o[0].kind = PO_PUT;
	o[0].in = &kv12;
	o[1].kind = PO_DEL;
	o[1].type = "secret";
	o[1].name = "kv-x";
	o[1].version = "v1.0.0";
	a.n = 2;
	txrc = txn_run(st, cb_pops, &a);
	CHECK(txrc == 500, "failed plugin writes: got status %d, want 500",
	    txrc);
	check_all_plugins(st, "after a failure");
	check_catalog(st, ALL_PLUGINS, GVISOR_USERS, RUNSC_USERS, NREFS,
	    "after a failure");

	/* A put and a delete in one committed transaction leave nothing. */
	fresh.runtime = "tmp";
	memset(o, 0, sizeof o);
	o[0].kind = PO_PUT;
	o[0].in = &fresh;
	o[1].kind = PO_USERS;
	o[1].runtime = "tmp";
	o[2].kind = PO_DEL;
	o[2].type = fresh.type;
	o[2].name = fresh.name;
	o[2].version = fresh.version;
	o[3].kind = PO_USERS;
	o[3].runtime = "tmp";
	memset(&a, 0, sizeof a);
	a.v = o;
	a.n = 4;
	txrc = txn_run(st, cb_pops, &a);
	CHECK(txrc == 0 && o[2].rc == 0, "put and delete in one txn: got "
	    "status %d rc %d, want 0 0", txrc, o[2].rc);
	CHECK(o[1].text != NULL && strcmp(o[1].text, "new,") == 0 &&
	    o[3].text != NULL && strcmp(o[3].text, "") == 0, "users of tmp "
	    "in that txn: got \"%s\" then \"%s\", want \"new,\" then \"\"",
	    o[1].text ? o[1].text : "(null)", o[3].text ? o[3].text : "(null)");
	for (i = 0; i < 4; i++)
		free(o[i].text);
	check_plugin(st, "secret", "new", "v1.0.0", NULL, "put and delete");
	check_catalog(st, ALL_PLUGINS, GVISOR_USERS, RUNSC_USERS, NREFS,
	    "put and delete");
	u = users(st, "tmp", &txrc);
	CHECK_STR(u, "", "runtime_users(tmp) after put and delete");
	free(u);
}

/*
 * A plugin record that does not decode: 500 on read and list, and, as for
 * every other table, it can still be deleted.
 */
static void
test_corrupt_plugins(struct store *st)
{
	static const struct {
		const char	*what;
		const char	*val;
		size_t		 vlen;
	} bad[] = {
		{ "text", "garbage", 7 },
		{ "a runtime record", "\x87\xa1v\x01", 4 },
		{ "empty value", "", 0 },
	};
	struct pop	 o;
	char		*got;
	size_t		 i;
	int		 rc, txrc;

	for (i = 0; i < nitems(bad); i++) {
		memset(&o, 0, sizeof o);
		o.kind = PO_PLANT;
		o.type = "secret";
		o.name = "bad";
		o.version = "v1.0.0";
		o.val = bad[i].val;
		o.vlen = bad[i].vlen;
		txrc = prun(st, &o);
		CHECK(txrc == 0, "planting a corrupt plugin (%s): got %d, want "
		    "0", bad[i].what, txrc);
		memset(&o, 0, sizeof o);
		o.kind = PO_GET;
		o.type = "secret";
		o.name = "bad";
		o.version = "v1.0.0";
		txrc = prun(st, &o);
		CHECK(o.rc == -1 && txrc == 500, "plugin_get of a corrupt "
		    "record (%s): got rc %d status %d, want -1 500",
		    bad[i].what, o.rc, txrc);
		if (o.rc == 0)
			plugin_free(&o.out);
		got = plugins_listed(st, &txrc);
		CHECK(txrc == 500, "plugin_list with a corrupt record (%s): "
		    "got %d, want 500", bad[i].what, txrc);
		free(got);
		txrc = pdel(st, "secret", "bad", "v1.0.0", &rc);
		CHECK(rc == 0 && txrc == 0, "plugin_delete of a corrupt record "
		    "(%s): got rc %d status %d, want 0 0", bad[i].what, rc,
		    txrc);
		/* Whatever the delete did, clean up behind the table. */
		memset(&o, 0, sizeof o);
		o.kind = PO_UNPLANT;
		o.type = "secret";
		o.name = "bad";
		o.version = "v1.0.0";
		txrc = prun(st, &o);
		CHECK(txrc == 0, "removing the corrupt plugin: got %d, want 0",
		    txrc);
	}
	check_all_plugins(st, "after corrupt plugins");
	check_catalog(st, ALL_PLUGINS, GVISOR_USERS, RUNSC_USERS, NREFS,
	    "after corrupt plugins");
}

/* Removes the files of a flat directory, then the directory. */
static void
rmtree(const char *dir)
{
	DIR		*d;
	struct dirent	*e;
	char		*p;

	if ((d = opendir(dir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 ||
			    strcmp(e->d_name, "..") == 0)
				continue;
			p = xasprintf("%s/%s", dir, e->d_name);
			if (unlink(p) == -1)
				fprintf(stderr, "unlink %s failed\n", p);
			free(p);
		}
		closedir(d);
	}
	CHECK(rmdir(dir) == 0, "rmdir %s: got an error, want success", dir);
}

int
main(void)
{
	char		 dir[] = "/tmp/store_test.XXXXXX", *missing, *empty;
	struct store	*st;
	int		 i;

	log_init("store_test");
	store_version_check();
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}

	/* Without recovery there is no environment to join yet. */
	empty = xasprintf("%s/empty", dir);
	CHECK(mkdir(empty, 0700) == 0, "mkdir %s: got an error, want success",
	    empty);
	st = store_open(empty, 0);
	CHECK(st == NULL, "store_open of an empty dir without recovery: got a "
	    "store, want NULL");
	if (st != NULL)
		store_close(st);
	rmtree(empty);
	free(empty);
	missing = xasprintf("%s/missing", dir);
	st = store_open(missing, STORE_RECOVER);
	CHECK(st == NULL, "store_open of a missing dir: got a store, want "
	    "NULL");
	if (st != NULL)
		store_close(st);
	free(missing);

	st = store_open(dir, STORE_RECOVER);
	CHECK(st != NULL, "store_open(%s, STORE_RECOVER): got NULL, want a "
	    "store", dir);
	if (st == NULL) {
		rmtree(dir);
		return check_done("store_test");
	}
	test_runtimes(st);
	test_salt_tokens(st);
	test_txn(st);
	test_corrupt(st);
	test_token_tree(st);
	test_tokens_purge(st);
	test_policies(st);
	test_corrupt_tokens_policies(st);
	test_plugins(st);
	test_corrupt_plugins(st);
	CHECK(store_checkpoint(st, true) == 0, "store_checkpoint: got an error, "
	    "want 0");
	CHECK(!store_panicked(), "store_panicked: got true, want false");
	store_close(st);

	/* Committed data survives a reopen, joined and then recovered. */
	for (i = 0; i < 2; i++) {
		const char *when = i == 0 ? "reopen without recovery" :
		    "reopen with recovery";

		st = store_open(dir, i == 0 ? 0 : STORE_RECOVER);
		CHECK(st != NULL, "%s: got NULL, want a store", when);
		if (st == NULL)
			continue;
		check_all(st, when);
		check_list(st, ALL_NAMES, when);
		check_salt_tokens(st, when);
		check_policies(st, NULL, ALL_POLICIES, when);
		check_all_plugins(st, when);
		check_catalog(st, ALL_PLUGINS, GVISOR_USERS, RUNSC_USERS, NREFS,
		    when);
		CHECK(!store_panicked(), "%s: store_panicked: got true, want "
		    "false", when);
		store_close(st);
	}

	rmtree(dir);
	return check_done("store_test");
}
