/*
 * store_test.c: unit tests for db/ in a fresh mkdtemp directory: runtime
 * put/get/delete/list (bytewise name order), salt and tokens, txn_run's
 * commit/abort/retry contract, corrupt records (planted through
 * db/internal.h), and committed data surviving a close and reopen.
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

static bool
runtime_eq(const struct runtime *a, const struct runtime *b)
{
	return a->name != NULL && a->oci_runtime != NULL &&
	    a->cgroup_parent != NULL && strcmp(a->name, b->name) == 0 &&
	    strcmp(a->oci_runtime, b->oci_runtime) == 0 &&
	    strcmp(a->cgroup_parent, b->cgroup_parent) == 0 &&
	    a->cpu_nanos == b->cpu_nanos &&
	    a->memory_bytes == b->memory_bytes && a->rootless == b->rootless;
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

static unsigned char	 the_salt[SALT_LEN];
static unsigned char	 hash1[TOKEN_HASH_LEN], hash2[TOKEN_HASH_LEN];
static struct token_rec	 tok1 = { "root", 1700000000 };

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
		CHECK(a.out.policy != NULL &&
		    strcmp(a.out.policy, "root") == 0 &&
		    a.out.created == tok1.created, "token_get: got {%s %lld}, "
		    "want {root %lld}", a.out.policy ? a.out.policy : "(null)",
		    (long long)a.out.created, (long long)tok1.created);
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
		CHECK(a.out.created == tok1.created, "%s: token_get: got "
		    "created %lld, want %lld", when, (long long)a.out.created,
		    (long long)tok1.created);
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
	static const struct token_rec tok2 = { "root", 5 };
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
	CHECK(store_checkpoint(st) == 0, "store_checkpoint: got an error, "
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
		CHECK(!store_panicked(), "%s: store_panicked: got true, want "
		    "false", when);
		store_close(st);
	}

	rmtree(dir);
	return check_done("store_test");
}
