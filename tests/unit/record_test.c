/*
 * record_test.c: unit tests for the msgpack storage format in lib/record.c.
 * Records must survive a round trip exactly; decoding must refuse truncation,
 * wrong versions, missing, duplicate or unknown keys, wrong types, integers
 * above INT64_MAX, NUL in strings and trailing bytes (built with msgpack-c).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "lib/lib.h"
#include "tests/unit/check.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* One map entry of a hand-built record. */
enum vkind { V_STR, V_INT, V_UINT, V_BOOL, V_NIL, V_FLOAT, V_BIN, V_ARRAY,
    V_MAP, V_KEYINT, V_KEYNUL };
struct kv {
	const char	*key;
	enum vkind	 kind;
	const char	*s;	/* V_STR, V_BIN: bytes, may hold NUL */
	size_t		 slen;
	int64_t		 i;	/* V_INT, V_BOOL; the key for V_KEYINT */
	uint64_t	 u;	/* V_UINT */
};

#define S(k, v)		{ k, V_STR, v, sizeof(v) - 1, 0, 0 }
#define I(k, v)		{ k, V_INT, NULL, 0, v, 0 }
#define U(k, v)		{ k, V_UINT, NULL, 0, 0, v }
#define B(k, v)		{ k, V_BOOL, NULL, 0, v, 0 }
#define NIL(k)		{ k, V_NIL, NULL, 0, 0, 0 }
#define F(k)		{ k, V_FLOAT, NULL, 0, 0, 0 }
#define BIN(k, v)	{ k, V_BIN, v, sizeof(v) - 1, 0, 0 }
#define ARR(k)		{ k, V_ARRAY, NULL, 0, 0, 0 }
#define MAP(k)		{ k, V_MAP, NULL, 0, 0, 0 }
#define KEYINT(n)	{ NULL, V_KEYINT, NULL, 0, n, 0 }	/* n: true */
#define KEYNUL(k)	{ k, V_KEYNUL, NULL, 0, 0, 0 }	/* "k\0": true */

/* The entries of a valid runtime record, in the encoder's order. */
#define RT_V		I("v", 1)
#define RT_NAME		S("name", "n")
#define RT_OCI		S("oci_runtime", "runsc")
#define RT_CG		S("cgroup_parent", "cg")
#define RT_CPU		I("cpu", 5)
#define RT_MEM		I("memory", 6)
#define RT_ROOT		B("rootless", 1)

#define TK_V		I("v", 1)
#define TK_POL		S("policy", "root")
#define TK_CRE		I("created", 1700000000)

static void
pack_kv(msgpack_packer *pk, const struct kv *e)
{
	if (e->kind == V_KEYINT) {
		msgpack_pack_int64(pk, e->i);
		msgpack_pack_true(pk);
		return;
	}
	if (e->kind == V_KEYNUL) {
		msgpack_pack_str(pk, strlen(e->key) + 1);
		msgpack_pack_str_body(pk, e->key, strlen(e->key) + 1);
		msgpack_pack_true(pk);
		return;
	}
	msgpack_pack_str(pk, strlen(e->key));
	msgpack_pack_str_body(pk, e->key, strlen(e->key));
	switch (e->kind) {
	case V_STR:
		msgpack_pack_str(pk, e->slen);
		msgpack_pack_str_body(pk, e->s, e->slen);
		break;
	case V_INT:
		msgpack_pack_int64(pk, e->i);
		break;
	case V_UINT:
		msgpack_pack_uint64(pk, e->u);
		break;
	case V_BOOL:
		if (e->i)
			msgpack_pack_true(pk);
		else
			msgpack_pack_false(pk);
		break;
	case V_NIL:
		msgpack_pack_nil(pk);
		break;
	case V_FLOAT:
		msgpack_pack_double(pk, 1.0);
		break;
	case V_BIN:
		msgpack_pack_bin(pk, e->slen);
		msgpack_pack_bin_body(pk, e->s, e->slen);
		break;
	case V_ARRAY:
		msgpack_pack_array(pk, 1);
		msgpack_pack_int64(pk, 1);
		break;
	case V_MAP:
		msgpack_pack_map(pk, 0);
		break;
	case V_KEYINT:
	case V_KEYNUL:
		break;
	}
}

/* Packs a map of the given entries into sb (initialised here). */
static void
pack_map(msgpack_sbuffer *sb, const struct kv *e, size_t n)
{
	msgpack_packer	 pk;
	size_t		 i;

	msgpack_sbuffer_init(sb);
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, n);
	for (i = 0; i < n; i++)
		pack_kv(&pk, &e[i]);
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

static const char *
nz(const char *s)
{
	return s ? s : "(null)";
}

static void
test_runtime_roundtrip(void)
{
	static char	 s300[301], s70k[70001];
	struct runtime	 cases[] = {
		{ "runsc", "runsc", "/sys/fs/cgroup", 1000, 2000, true },
		{ "", "", "", 0, 0, false },
		{ "a", "x", "y", INT64_MIN, INT64_MAX, true },
		{ "b", "x", "y", INT64_MAX, INT64_MIN, false },
		{ "c", "x", "y", -1, -32, false },
		{ "d", "x", "y", -33, -128, true },
		{ "e", "x", "y", -129, -32768, false },
		{ "f", "x", "y", -32769, -2147483648LL, false },
		{ "g", "x", "y", -2147483649LL, 127, false },
		{ "h", "x", "y", 128, 255, false },
		{ "i", "x", "y", 256, 65535, false },
		{ "j", "x", "y", 65536, 4294967295LL, false },
		{ "k", "x", "y", 4294967296LL, 1, false },
		{ "\xc3\xa9", "r\xc3\xa9", "\xf0\x9f\x98\x80", 7, 8, true },
		{ s300, s70k, s300, 1, 2, true },
	};
	struct runtime	 got;
	struct buf	 b, b2;
	size_t		 i;
	int		 rc;

	memset(s300, 'a', 300);
	memset(s70k, 'b', 70000);
	for (i = 0; i < nitems(cases); i++) {
		buf_init(&b);
		record_runtime_encode(&cases[i], &b);
		rc = record_runtime_decode(b.data, b.len, &got);
		CHECK(rc == 0, "runtime round trip %zu: rc: got %d, want 0",
		    i, rc);
		if (rc == 0) {
			CHECK(runtime_eq(&got, &cases[i]), "runtime round trip "
			    "%zu: got {%.20s %.20s %.20s %lld %lld %d}, want "
			    "{%.20s %.20s %.20s %lld %lld %d}", i,
			    nz(got.name), nz(got.oci_runtime),
			    nz(got.cgroup_parent), (long long)got.cpu_nanos,
			    (long long)got.memory_bytes, got.rootless,
			    cases[i].name, cases[i].oci_runtime,
			    cases[i].cgroup_parent,
			    (long long)cases[i].cpu_nanos,
			    (long long)cases[i].memory_bytes,
			    cases[i].rootless);
			runtime_free(&got);
		}
		/* Encoding is deterministic. */
		buf_init(&b2);
		record_runtime_encode(&cases[i], &b2);
		CHECK(b.len == b2.len && memcmp(b.data, b2.data, b.len) == 0,
		    "runtime encode %zu: got different bytes twice, want the "
		    "same", i);
		buf_free(&b2);
		buf_free(&b);
	}
}

/* The layout is a contract: a 7-entry map that starts with "v": 1. */
static void
test_runtime_layout(void)
{
	static const unsigned char want[] = { 0x87, 0xa1, 'v', 0x01 };
	static const unsigned char twant[] = { 0x83, 0xa1, 'v', 0x01 };
	struct runtime	 r = { "n", "o", "c", 1, 2, false };
	struct token_rec t = { "root", 5 };
	struct buf	 b;

	buf_init(&b);
	record_runtime_encode(&r, &b);
	CHECK(b.len > sizeof want && memcmp(b.data, want, sizeof want) == 0,
	    "runtime layout: got %02x %02x %02x %02x, want 87 a1 76 01",
	    (unsigned char)b.data[0], (unsigned char)b.data[1],
	    (unsigned char)b.data[2], (unsigned char)b.data[3]);
	buf_free(&b);

	buf_init(&b);
	record_token_encode(&t, &b);
	CHECK(b.len > sizeof twant && memcmp(b.data, twant, sizeof twant) == 0,
	    "token layout: got %02x %02x %02x %02x, want 83 a1 76 01",
	    (unsigned char)b.data[0], (unsigned char)b.data[1],
	    (unsigned char)b.data[2], (unsigned char)b.data[3]);
	buf_free(&b);
}

/* Every proper prefix of a valid record is refused. */
static void
test_runtime_truncated(void)
{
	struct runtime	 r = { "runsc", "runsc", "/cg", INT64_MIN, INT64_MAX,
			    true }, got;
	struct token_rec t = { "root", INT64_MIN }, tgot;
	struct buf	 b;
	char		*p;
	size_t		 n;
	int		 rc;

	buf_init(&b);
	record_runtime_encode(&r, &b);
	for (n = 0; n < b.len; n++) {
		/* A copy of exactly n bytes, so ASan sees any over-read. */
		p = xmalloc(n);
		memcpy(p, b.data, n);
		rc = record_runtime_decode(p, n, &got);
		CHECK(rc == -1, "runtime decode of %zu of %zu bytes: got %d, "
		    "want -1", n, b.len, rc);
		if (rc == 0)
			runtime_free(&got);
		CHECK(got.name == NULL && got.oci_runtime == NULL,
		    "runtime decode of %zu bytes: got strings left, want "
		    "NULL", n);
		free(p);
	}
	buf_free(&b);

	buf_init(&b);
	record_token_encode(&t, &b);
	for (n = 0; n < b.len; n++) {
		p = xmalloc(n);
		memcpy(p, b.data, n);
		rc = record_token_decode(p, n, &tgot);
		CHECK(rc == -1, "token decode of %zu of %zu bytes: got %d, "
		    "want -1", n, b.len, rc);
		if (rc == 0)
			token_rec_free(&tgot);
		free(p);
	}
	buf_free(&b);
}

struct bad_case {
	const char	*what;
	struct kv	 e[9];
	size_t		 n;
	int		 rc;
};

static const struct bad_case runtime_cases[] = {
	/* Valid variants first: the harness itself must be right. */
	{ "valid", { RT_V, RT_NAME, RT_OCI, RT_CG, RT_CPU, RT_MEM, RT_ROOT },
	    7, 0 },
	{ "valid, other key order", { RT_ROOT, RT_MEM, RT_CPU, RT_CG, RT_OCI,
	    RT_NAME, RT_V }, 7, 0 },
	{ "valid, cpu as uint64 INT64_MAX", { RT_V, RT_NAME, RT_OCI, RT_CG,
	    U("cpu", INT64_MAX), RT_MEM, RT_ROOT }, 7, 0 },
	{ "valid, empty strings", { RT_V, S("name", ""), S("oci_runtime", ""),
	    S("cgroup_parent", ""), RT_CPU, RT_MEM, B("rootless", 0) }, 7, 0 },

	{ "version 0", { I("v", 0), RT_NAME, RT_OCI, RT_CG, RT_CPU, RT_MEM,
	    RT_ROOT }, 7, -1 },
	{ "version 2", { I("v", 2), RT_NAME, RT_OCI, RT_CG, RT_CPU, RT_MEM,
	    RT_ROOT }, 7, -1 },
	{ "version -1", { I("v", -1), RT_NAME, RT_OCI, RT_CG, RT_CPU, RT_MEM,
	    RT_ROOT }, 7, -1 },
	{ "version as string", { S("v", "1"), RT_NAME, RT_OCI, RT_CG, RT_CPU,
	    RT_MEM, RT_ROOT }, 7, -1 },
	{ "version as bool", { B("v", 1), RT_NAME, RT_OCI, RT_CG, RT_CPU,
	    RT_MEM, RT_ROOT }, 7, -1 },
	{ "version as float", { F("v"), RT_NAME, RT_OCI, RT_CG, RT_CPU,
	    RT_MEM, RT_ROOT }, 7, -1 },
	{ "version > INT64_MAX", { U("v", (uint64_t)INT64_MAX + 1), RT_NAME,
	    RT_OCI, RT_CG, RT_CPU, RT_MEM, RT_ROOT }, 7, -1 },
	{ "version missing", { RT_NAME, RT_OCI, RT_CG, RT_CPU, RT_MEM,
	    RT_ROOT }, 6, -1 },
	{ "version missing, extra key", { RT_NAME, RT_OCI, RT_CG, RT_CPU,
	    RT_MEM, RT_ROOT, S("x", "") }, 7, -1 },
	{ "version missing, name twice", { RT_NAME, RT_OCI, RT_CG, RT_CPU,
	    RT_MEM, RT_ROOT, RT_NAME }, 7, -1 },

	{ "rootless missing", { RT_V, RT_NAME, RT_OCI, RT_CG, RT_CPU,
	    RT_MEM }, 6, -1 },
	{ "name missing", { RT_V, RT_OCI, RT_CG, RT_CPU, RT_MEM, RT_ROOT },
	    6, -1 },
	{ "empty map", { RT_V }, 0, -1 },
	{ "only the version", { RT_V }, 1, -1 },

	{ "name twice instead of rootless", { RT_V, RT_NAME, RT_OCI, RT_CG,
	    RT_CPU, RT_MEM, RT_NAME }, 7, -1 },
	{ "cpu twice instead of memory", { RT_V, RT_NAME, RT_OCI, RT_CG,
	    RT_CPU, RT_CPU, RT_ROOT }, 7, -1 },
	{ "rootless twice, extra entry", { RT_V, RT_NAME, RT_OCI, RT_CG,
	    RT_CPU, RT_MEM, RT_ROOT, RT_ROOT }, 8, -1 },
	{ "version twice instead of rootless", { RT_V, RT_NAME, RT_OCI, RT_CG,
	    RT_CPU, RT_MEM, RT_V }, 7, -1 },
	{ "version twice, extra entry", { RT_V, RT_NAME, RT_OCI, RT_CG,
	    RT_CPU, RT_MEM, RT_ROOT, RT_V }, 8, -1 },
	/* A first "v" of -1 must not hide the duplicate that follows. */
	{ "version -1 then 1 instead of rootless", { I("v", -1), RT_NAME,
	    RT_OCI, RT_CG, RT_CPU, RT_MEM, I("v", 1) }, 7, -1 },
	{ "version -1 then 1 instead of name", { I("v", -1), I("v", 1),
	    RT_OCI, RT_CG, RT_CPU, RT_MEM, RT_ROOT }, 7, -1 },

	{ "unknown key instead of rootless", { RT_V, RT_NAME, RT_OCI, RT_CG,
	    RT_CPU, RT_MEM, B("rootles", 1) }, 7, -1 },
	{ "unknown key, extra entry", { RT_V, RT_NAME, RT_OCI, RT_CG, RT_CPU,
	    RT_MEM, RT_ROOT, S("extra", "") }, 8, -1 },
	{ "key with a suffix", { RT_V, RT_NAME, RT_OCI, RT_CG, RT_CPU, RT_MEM,
	    B("rootlessx", 1) }, 7, -1 },
	{ "empty key", { RT_V, RT_NAME, RT_OCI, RT_CG, RT_CPU, RT_MEM,
	    B("", 1) }, 7, -1 },
	{ "key with a NUL", { RT_V, RT_NAME, RT_OCI, RT_CG, RT_CPU, RT_MEM,
	    KEYNUL("rootless") }, 7, -1 },
	{ "integer key", { RT_V, RT_NAME, RT_OCI, RT_CG, RT_CPU, RT_MEM,
	    KEYINT(1) }, 7, -1 },
	{ "upper-case key", { RT_V, S("NAME", "n"), RT_OCI, RT_CG, RT_CPU,
	    RT_MEM, RT_ROOT }, 7, -1 },

	{ "name as int", { RT_V, I("name", 1), RT_OCI, RT_CG, RT_CPU, RT_MEM,
	    RT_ROOT }, 7, -1 },
	{ "name as nil", { RT_V, NIL("name"), RT_OCI, RT_CG, RT_CPU, RT_MEM,
	    RT_ROOT }, 7, -1 },
	{ "name as bin", { RT_V, BIN("name", "n"), RT_OCI, RT_CG, RT_CPU,
	    RT_MEM, RT_ROOT }, 7, -1 },
	{ "name as array", { RT_V, ARR("name"), RT_OCI, RT_CG, RT_CPU, RT_MEM,
	    RT_ROOT }, 7, -1 },
	{ "oci_runtime as bool", { RT_V, RT_NAME, B("oci_runtime", 1), RT_CG,
	    RT_CPU, RT_MEM, RT_ROOT }, 7, -1 },
	{ "cgroup_parent as map", { RT_V, RT_NAME, RT_OCI, MAP("cgroup_parent"),
	    RT_CPU, RT_MEM, RT_ROOT }, 7, -1 },
	{ "cpu as string", { RT_V, RT_NAME, RT_OCI, RT_CG, S("cpu", "5"),
	    RT_MEM, RT_ROOT }, 7, -1 },
	{ "cpu as bool", { RT_V, RT_NAME, RT_OCI, RT_CG, B("cpu", 1), RT_MEM,
	    RT_ROOT }, 7, -1 },
	{ "cpu as nil", { RT_V, RT_NAME, RT_OCI, RT_CG, NIL("cpu"), RT_MEM,
	    RT_ROOT }, 7, -1 },
	{ "memory as float", { RT_V, RT_NAME, RT_OCI, RT_CG, RT_CPU,
	    F("memory"), RT_ROOT }, 7, -1 },
	{ "rootless as int 1", { RT_V, RT_NAME, RT_OCI, RT_CG, RT_CPU, RT_MEM,
	    I("rootless", 1) }, 7, -1 },
	{ "rootless as nil", { RT_V, RT_NAME, RT_OCI, RT_CG, RT_CPU, RT_MEM,
	    NIL("rootless") }, 7, -1 },
	{ "rootless as string", { RT_V, RT_NAME, RT_OCI, RT_CG, RT_CPU, RT_MEM,
	    S("rootless", "true") }, 7, -1 },

	{ "cpu uint64 INT64_MAX + 1", { RT_V, RT_NAME, RT_OCI, RT_CG,
	    U("cpu", (uint64_t)INT64_MAX + 1), RT_MEM, RT_ROOT }, 7, -1 },
	{ "memory uint64 UINT64_MAX", { RT_V, RT_NAME, RT_OCI, RT_CG, RT_CPU,
	    U("memory", UINT64_MAX), RT_ROOT }, 7, -1 },

	{ "name with NUL inside", { RT_V, S("name", "a\0b"), RT_OCI, RT_CG,
	    RT_CPU, RT_MEM, RT_ROOT }, 7, -1 },
	{ "oci_runtime only NUL", { RT_V, RT_NAME, S("oci_runtime", "\0"),
	    RT_CG, RT_CPU, RT_MEM, RT_ROOT }, 7, -1 },
	{ "cgroup_parent with NUL at end", { RT_V, RT_NAME, RT_OCI,
	    S("cgroup_parent", "x\0"), RT_CPU, RT_MEM, RT_ROOT }, 7, -1 },
};

static void
test_runtime_bad(void)
{
	const struct bad_case	*c;
	msgpack_sbuffer		 sb;
	struct runtime		 got;
	size_t			 i;
	int			 rc;

	for (i = 0; i < nitems(runtime_cases); i++) {
		c = &runtime_cases[i];
		pack_map(&sb, c->e, c->n);
		rc = record_runtime_decode(sb.data, sb.size, &got);
		CHECK(rc == c->rc, "runtime decode (%s): got %d, want %d",
		    c->what, rc, c->rc);
		if (rc == 0) {
			CHECK(got.name != NULL && got.oci_runtime != NULL &&
			    got.cgroup_parent != NULL, "runtime decode (%s): "
			    "got success with a NULL string, want every string "
			    "set", c->what);
			runtime_free(&got);
		} else
			CHECK(got.name == NULL && got.oci_runtime == NULL &&
			    got.cgroup_parent == NULL, "runtime decode (%s): "
			    "got strings left after failure, want NULL",
			    c->what);
		msgpack_sbuffer_destroy(&sb);
	}
}

static const struct bad_case token_cases[] = {
	{ "valid", { TK_V, TK_POL, TK_CRE }, 3, 0 },
	{ "valid, other order", { TK_CRE, TK_V, TK_POL }, 3, 0 },
	{ "version 0", { I("v", 0), TK_POL, TK_CRE }, 3, -1 },
	{ "version 2", { I("v", 2), TK_POL, TK_CRE }, 3, -1 },
	{ "version missing", { TK_POL, TK_CRE }, 2, -1 },
	{ "created missing", { TK_V, TK_POL }, 2, -1 },
	{ "policy twice", { TK_V, TK_POL, TK_POL }, 3, -1 },
	{ "unknown key", { TK_V, TK_POL, I("createdx", 1) }, 3, -1 },
	{ "extra key", { TK_V, TK_POL, TK_CRE, S("x", "") }, 4, -1 },
	{ "policy as int", { TK_V, I("policy", 1), TK_CRE }, 3, -1 },
	{ "created as string", { TK_V, TK_POL, S("created", "1") }, 3, -1 },
	{ "created > INT64_MAX", { TK_V, TK_POL,
	    U("created", (uint64_t)INT64_MAX + 1) }, 3, -1 },
	{ "policy with NUL", { TK_V, S("policy", "ro\0ot"), TK_CRE }, 3, -1 },
	{ "version -1 then 1 instead of created", { I("v", -1), TK_POL,
	    I("v", 1) }, 3, -1 },
};

static void
test_token_bad(void)
{
	const struct bad_case	*c;
	msgpack_sbuffer		 sb;
	struct token_rec	 got;
	size_t			 i;
	int			 rc;

	for (i = 0; i < nitems(token_cases); i++) {
		c = &token_cases[i];
		pack_map(&sb, c->e, c->n);
		rc = record_token_decode(sb.data, sb.size, &got);
		CHECK(rc == c->rc, "token decode (%s): got %d, want %d",
		    c->what, rc, c->rc);
		if (rc == 0)
			token_rec_free(&got);
		else
			CHECK(got.policy == NULL, "token decode (%s): got "
			    "\"%s\" left after failure, want NULL", c->what,
			    got.policy);
		msgpack_sbuffer_destroy(&sb);
	}
}

/* Whole-buffer defects: trailing bytes, other top-level types, empty. */
static void
test_framing(void)
{
	struct runtime	 r = { "n", "o", "c", 1, 2, true }, got;
	struct token_rec t = { "root", 3 }, tgot;
	msgpack_sbuffer	 sb;
	msgpack_packer	 pk;
	struct buf	 b;
	size_t		 i;
	int		 rc;

	rc = record_runtime_decode("", 0, &got);
	CHECK(rc == -1, "runtime decode of empty input: got %d, want -1", rc);
	rc = record_token_decode("", 0, &tgot);
	CHECK(rc == -1, "token decode of empty input: got %d, want -1", rc);

	/* One valid record followed by one more byte, or a second record. */
	buf_init(&b);
	record_runtime_encode(&r, &b);
	buf_addc(&b, (char)0xc0);
	rc = record_runtime_decode(b.data, b.len, &got);
	CHECK(rc == -1, "runtime decode with a trailing nil: got %d, want -1",
	    rc);
	if (rc == 0)
		runtime_free(&got);
	b.len--;
	record_runtime_encode(&r, &b);
	rc = record_runtime_decode(b.data, b.len, &got);
	CHECK(rc == -1, "runtime decode of two records: got %d, want -1", rc);
	if (rc == 0)
		runtime_free(&got);
	buf_free(&b);

	buf_init(&b);
	record_token_encode(&t, &b);
	buf_addc(&b, '\0');
	rc = record_token_decode(b.data, b.len, &tgot);
	CHECK(rc == -1, "token decode with a trailing NUL: got %d, want -1",
	    rc);
	if (rc == 0)
		token_rec_free(&tgot);
	buf_free(&b);

	/* Non-map top levels. */
	for (i = 0; i < 5; i++) {
		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		switch (i) {
		case 0:
			msgpack_pack_array(&pk, 7);
			msgpack_pack_str(&pk, 1);
			msgpack_pack_str_body(&pk, "v", 1);
			msgpack_pack_int64(&pk, 1);
			msgpack_pack_str(&pk, 4);
			msgpack_pack_str_body(&pk, "name", 4);
			msgpack_pack_str(&pk, 1);
			msgpack_pack_str_body(&pk, "n", 1);
			msgpack_pack_nil(&pk);
			msgpack_pack_nil(&pk);
			break;
		case 1:
			msgpack_pack_str(&pk, 3);
			msgpack_pack_str_body(&pk, "abc", 3);
			break;
		case 2:
			msgpack_pack_nil(&pk);
			break;
		case 3:
			msgpack_pack_int64(&pk, 1);
			break;
		case 4:
			msgpack_pack_true(&pk);
			break;
		}
		rc = record_runtime_decode(sb.data, sb.size, &got);
		CHECK(rc == -1, "runtime decode of non-map %zu: got %d, want "
		    "-1", i, rc);
		if (rc == 0)
			runtime_free(&got);
		rc = record_token_decode(sb.data, sb.size, &tgot);
		CHECK(rc == -1, "token decode of non-map %zu: got %d, want -1",
		    i, rc);
		if (rc == 0)
			token_rec_free(&tgot);
		msgpack_sbuffer_destroy(&sb);
	}

	/* A record of one kind is not a record of the other. */
	buf_init(&b);
	record_runtime_encode(&r, &b);
	rc = record_token_decode(b.data, b.len, &tgot);
	CHECK(rc == -1, "token decode of a runtime record: got %d, want -1",
	    rc);
	if (rc == 0)
		token_rec_free(&tgot);
	buf_free(&b);
	buf_init(&b);
	record_token_encode(&t, &b);
	rc = record_runtime_decode(b.data, b.len, &got);
	CHECK(rc == -1, "runtime decode of a token record: got %d, want -1",
	    rc);
	if (rc == 0)
		runtime_free(&got);
	buf_free(&b);

	/* Garbage bytes. */
	rc = record_runtime_decode("\xc1", 1, &got);
	CHECK(rc == -1, "runtime decode of 0xc1: got %d, want -1", rc);
	rc = record_runtime_decode("\xde\xff\xff", 3, &got);
	CHECK(rc == -1, "runtime decode of a huge map header: got %d, want -1",
	    rc);
}

static void
test_token_roundtrip(void)
{
	struct token_rec cases[] = {
		{ "root", 1700000000 },
		{ "root", 0 },
		{ "", -1 },
		{ "default", INT64_MIN },
		{ "p\xc3\xa9", INT64_MAX },
	};
	struct token_rec got;
	struct buf	 b;
	size_t		 i;
	int		 rc;

	for (i = 0; i < nitems(cases); i++) {
		buf_init(&b);
		record_token_encode(&cases[i], &b);
		rc = record_token_decode(b.data, b.len, &got);
		CHECK(rc == 0, "token round trip %zu: rc: got %d, want 0", i,
		    rc);
		if (rc == 0) {
			CHECK(got.policy != NULL &&
			    strcmp(got.policy, cases[i].policy) == 0 &&
			    got.created == cases[i].created, "token round trip "
			    "%zu: got {%s %lld}, want {%s %lld}", i,
			    nz(got.policy), (long long)got.created,
			    cases[i].policy, (long long)cases[i].created);
			token_rec_free(&got);
			CHECK(got.policy == NULL, "token_rec_free: got %p, "
			    "want NULL", (void *)got.policy);
		}
		buf_free(&b);
	}
}

int
main(void)
{
	test_runtime_roundtrip();
	test_runtime_layout();
	test_runtime_truncated();
	test_runtime_bad();
	test_token_roundtrip();
	test_token_bad();
	test_framing();
	return check_done("record_test");
}
