/*
 * record.c: libFuzzer harness for the msgpack storage records.
 *
 * Input: the bytes of a stored record, tried as each of the four kinds
 * (runtime, token, policy, plugin).  For every decoder that accepts them
 * the harness checks the round trip: the decoded record encodes to bytes
 * that decode to an equal record and encode to the same bytes again.  A
 * refused input must leave the record zeroed (the decoders free what they
 * filled), which also lets LeakSanitizer see any partial allocation.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/lib.h"

#define CHECK(c)	do { if (!(c)) { fprintf(stderr, \
	"invariant failed: %s (%s:%d)\n", #c, __FILE__, __LINE__); \
	abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static bool
zero(const void *p, size_t n)
{
	const unsigned char	*u = p;
	size_t			 i;

	for (i = 0; i < n; i++)
		if (u[i] != 0)
			return false;
	return true;
}

static bool
str_eq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static bool
list_eq(char **a, size_t na, char **b, size_t nb)
{
	size_t	 i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (!str_eq(a[i], b[i]))
			return false;
	return true;
}

static bool
bytes_eq(const struct buf *a, const struct buf *b)
{
	return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

static void
runtime_round(const uint8_t *data, size_t size)
{
	struct runtime	 a, b;
	struct buf	 e1, e2;

	if (record_runtime_decode(data, size, &a) != 0) {
		CHECK(zero(&a, sizeof a));
		return;
	}
	buf_init(&e1);
	buf_init(&e2);
	record_runtime_encode(&a, &e1);
	CHECK(record_runtime_decode(e1.data, e1.len, &b) == 0);
	CHECK(str_eq(a.name, b.name) && str_eq(a.oci_runtime, b.oci_runtime) &&
	    str_eq(a.cgroup_parent, b.cgroup_parent) &&
	    a.cpu_nanos == b.cpu_nanos && a.memory_bytes == b.memory_bytes &&
	    a.rootless == b.rootless);
	record_runtime_encode(&b, &e2);
	CHECK(bytes_eq(&e1, &e2));
	runtime_free(&a);
	runtime_free(&b);
	buf_free(&e1);
	buf_free(&e2);
}

static void
token_round(const uint8_t *data, size_t size)
{
	struct token_rec a, b;
	struct buf	 e1, e2;

	if (record_token_decode(data, size, &a) != 0) {
		CHECK(zero(&a, sizeof a));
		return;
	}
	buf_init(&e1);
	buf_init(&e2);
	record_token_encode(&a, &e1);
	CHECK(record_token_decode(e1.data, e1.len, &b) == 0);
	CHECK(list_eq(a.policies, a.npolicies, b.policies, b.npolicies));
	CHECK(str_eq(a.accessor, b.accessor) &&
	    str_eq(a.display_name, b.display_name) && str_eq(a.path, b.path));
	CHECK(a.has_parent == b.has_parent && (!a.has_parent ||
	    memcmp(a.parent, b.parent, sizeof a.parent) == 0));
	CHECK(a.created == b.created && a.ttl == b.ttl &&
	    a.expire == b.expire && a.num_uses == b.num_uses &&
	    a.renewed == b.renewed);
	record_token_encode(&b, &e2);
	CHECK(bytes_eq(&e1, &e2));
	token_rec_free(&a);
	token_rec_free(&b);
	buf_free(&e1);
	buf_free(&e2);
}

static void
policy_round(const uint8_t *data, size_t size)
{
	struct policy_rec a, b;
	struct buf	 e1, e2;

	if (record_policy_decode(data, size, &a) != 0) {
		CHECK(zero(&a, sizeof a));
		return;
	}
	buf_init(&e1);
	buf_init(&e2);
	record_policy_encode(&a, &e1);
	CHECK(record_policy_decode(e1.data, e1.len, &b) == 0);
	CHECK(str_eq(a.name, b.name) && str_eq(a.text, b.text));
	record_policy_encode(&b, &e2);
	CHECK(bytes_eq(&e1, &e2));
	policy_rec_free(&a);
	policy_rec_free(&b);
	buf_free(&e1);
	buf_free(&e2);
}

static void
plugin_round(const uint8_t *data, size_t size)
{
	struct plugin	 a, b;
	struct buf	 e1, e2;

	if (record_plugin_decode(data, size, &a) != 0) {
		CHECK(zero(&a, sizeof a));
		return;
	}
	buf_init(&e1);
	buf_init(&e2);
	record_plugin_encode(&a, &e1);
	CHECK(record_plugin_decode(e1.data, e1.len, &b) == 0);
	CHECK(str_eq(a.type, b.type) && str_eq(a.name, b.name) &&
	    str_eq(a.version, b.version) && str_eq(a.command, b.command) &&
	    str_eq(a.oci_image, b.oci_image) && str_eq(a.runtime, b.runtime));
	CHECK(list_eq(a.args, a.nargs, b.args, b.nargs));
	CHECK(list_eq(a.env, a.nenv, b.env, b.nenv));
	CHECK(a.sha256_len == b.sha256_len && (a.sha256_len == 0 ||
	    memcmp(a.sha256, b.sha256, a.sha256_len) == 0));
	record_plugin_encode(&b, &e2);
	CHECK(bytes_eq(&e1, &e2));
	plugin_free(&a);
	plugin_free(&b);
	buf_free(&e1);
	buf_free(&e2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	runtime_round(data, size);
	token_round(data, size);
	policy_round(data, size);
	plugin_round(data, size);
	return 0;
}
