/*
 * record_test.c: unit tests for the msgpack storage format in lib/record.c.
 * Runtime, token, policy and plugin records must survive a round trip
 * exactly; decoding must refuse truncation, wrong versions, missing,
 * duplicate or unknown keys, wrong types, integers above INT64_MAX, NUL in
 * strings, malformed policy, args and env lists, parent hashes that are not
 * 0 or 32 bytes, a sha256 that is not bin, and trailing bytes.  Bad records
 * are hand-built with msgpack-c, mostly as one change to a valid record.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "lib/lib.h"
#include "tests/unit/check.h"
#include "tests/unit/record_eq.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* One map entry of a hand-built record. */
enum vkind { V_STR, V_INT, V_UINT, V_BOOL, V_NIL, V_FLOAT, V_BIN, V_ARRAY,
    V_MAP, V_KEYINT, V_KEYNUL, V_SARR, V_MIXARR, V_NESTARR, V_BINARR,
    V_NILARR, V_BINN };
struct kv {
	const char	*key;
	enum vkind	 kind;
	const char	*s;	/* V_STR, V_BIN, V_SARR: bytes, may hold NUL */
	size_t		 slen;
	int64_t		 i;	/* V_INT, V_BOOL, V_BINN size; V_KEYINT key */
	uint64_t	 u;	/* V_UINT */
};

#define S(k, v)		{ k, V_STR, v, sizeof(v) - 1, 0, 0 }
#define I(k, v)		{ k, V_INT, NULL, 0, v, 0 }
#define U(k, v)		{ k, V_UINT, NULL, 0, 0, v }
#define B(k, v)		{ k, V_BOOL, NULL, 0, v, 0 }
#define NIL(k)		{ k, V_NIL, NULL, 0, 0, 0 }
#define F(k)		{ k, V_FLOAT, NULL, 0, 0, 0 }
#define BIN(k, v)	{ k, V_BIN, v, sizeof(v) - 1, 0, 0 }
#define ARR(k)		{ k, V_ARRAY, NULL, 0, 0, 0 }	/* [1] */
#define MAP(k)		{ k, V_MAP, NULL, 0, 0, 0 }
#define KEYINT(n)	{ NULL, V_KEYINT, NULL, 0, n, 0 }	/* n: true */
#define KEYNUL(k)	{ k, V_KEYNUL, NULL, 0, 0, 0 }	/* "k\0": true */
/* An array of strings, '|' between elements; "" is the empty array. */
#define SARR(k, v)	{ k, V_SARR, v, sizeof(v) - 1, 0, 0 }
#define MIXARR(k)	{ k, V_MIXARR, NULL, 0, 0, 0 }	/* ["a", 1] */
#define NESTARR(k)	{ k, V_NESTARR, NULL, 0, 0, 0 }	/* [["a"]] */
#define BINARR(k)	{ k, V_BINARR, NULL, 0, 0, 0 }	/* [bin "a"] */
#define NILARR(k)	{ k, V_NILARR, NULL, 0, 0, 0 }	/* ["a", nil] */
#define BINN(k, n)	{ k, V_BINN, NULL, 0, n, 0 }	/* n bytes 0xab */

/* The entries of a valid runtime record, in the encoder's order. */
#define RT_V		I("v", 1)
#define RT_NAME		S("name", "n")
#define RT_OCI		S("oci_runtime", "runsc")
#define RT_CG		S("cgroup_parent", "cg")
#define RT_CPU		I("cpu", 5)
#define RT_MEM		I("memory", 6)
#define RT_ROOT		B("rootless", 1)

static void
pack_s(msgpack_packer *pk, const char *s, size_t n)
{
	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, s, n);
}

static void
pack_kv(msgpack_packer *pk, const struct kv *e)
{
	const char	*p, *end, *bar;
	size_t		 n;

	if (e->kind == V_KEYINT) {
		msgpack_pack_int64(pk, e->i);
		msgpack_pack_true(pk);
		return;
	}
	if (e->kind == V_KEYNUL) {
		pack_s(pk, e->key, strlen(e->key) + 1);
		msgpack_pack_true(pk);
		return;
	}
	pack_s(pk, e->key, strlen(e->key));
	switch (e->kind) {
	case V_STR:
		pack_s(pk, e->s, e->slen);
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
	case V_SARR:
		end = e->s + e->slen;
		for (n = e->slen > 0, p = e->s; p < end; p++)
			n += *p == '|';
		msgpack_pack_array(pk, n);
		for (p = e->s; n > 0; n--, p = bar + 1) {
			if ((bar = memchr(p, '|', (size_t)(end - p))) == NULL)
				bar = end;
			pack_s(pk, p, (size_t)(bar - p));
		}
		break;
	case V_MIXARR:
		msgpack_pack_array(pk, 2);
		pack_s(pk, "a", 1);
		msgpack_pack_int64(pk, 1);
		break;
	case V_NESTARR:
		msgpack_pack_array(pk, 1);
		msgpack_pack_array(pk, 1);
		pack_s(pk, "a", 1);
		break;
	case V_BINARR:
		msgpack_pack_array(pk, 1);
		msgpack_pack_bin(pk, 1);
		msgpack_pack_bin_body(pk, "a", 1);
		break;
	case V_NILARR:
		msgpack_pack_array(pk, 2);
		pack_s(pk, "a", 1);
		msgpack_pack_nil(pk);
		break;
	case V_BINN: {
		unsigned char	 bytes[128];

		memset(bytes, 0xab, sizeof bytes);
		msgpack_pack_bin(pk, (size_t)e->i);
		msgpack_pack_bin_body(pk, bytes, (size_t)e->i);
		break;
	}
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

/* The layout is a contract: a map that starts with "v": 1. */
static void
test_layout(void)
{
	static const unsigned char rwant[] = { 0x87, 0xa1, 'v', 0x01 };
	static const unsigned char twant[] = { 0x8b, 0xa1, 'v', 0x01 };
	static const unsigned char pwant[] = { 0x83, 0xa1, 'v', 0x01 };
	static const unsigned char gwant[] = { 0x8a, 0xa1, 'v', 0x01 };
	static char	*pols[] = { "root" };
	struct runtime	 r = { "n", "o", "c", 1, 2, false };
	struct token_rec t = { .policies = pols, .npolicies = 1,
			    .accessor = "a", .display_name = "d", .path = "p",
			    .created = 5 };
	struct policy_rec p = { "root", "" };
	struct plugin	 g = { "auth", "a", "", "c", NULL, 0, NULL, 0, NULL, 0,
			    "", "" };
	struct {
		const char		*what;
		const unsigned char	*want;
	} cases[] = {
		{ "runtime", rwant }, { "token", twant }, { "policy", pwant },
		{ "plugin", gwant },
	};
	struct buf	 b;
	size_t		 i;

	for (i = 0; i < nitems(cases); i++) {
		buf_init(&b);
		if (i == 0)
			record_runtime_encode(&r, &b);
		else if (i == 1)
			record_token_encode(&t, &b);
		else if (i == 2)
			record_policy_encode(&p, &b);
		else
			record_plugin_encode(&g, &b);
		CHECK(b.len > 4 && memcmp(b.data, cases[i].want, 4) == 0,
		    "%s layout: got %02x %02x %02x %02x, want %02x a1 76 01",
		    cases[i].what, (unsigned char)b.data[0],
		    (unsigned char)b.data[1], (unsigned char)b.data[2],
		    (unsigned char)b.data[3], cases[i].want[0]);
		buf_free(&b);
	}
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


/* ---- token records ---- */

/* Renders a token record for messages; long strings are cut. */
static void
token_show(struct buf *b, const struct token_rec *t)
{
	size_t	 i;

	buf_addc(b, '{');
	buf_addc(b, '[');
	for (i = 0; i < t->npolicies; i++)
		buf_printf(b, "%s%.20s", i > 0 ? " " : "",
		    t->policies ? nz(t->policies[i]) : "(null)");
	buf_printf(b, "] acc=%.20s dn=%.20s path=%.20s parent=",
	    nz(t->accessor), nz(t->display_name), nz(t->path));
	if (t->has_parent)
		buf_printf(b, "%02x%02x..%02x", t->parent[0], t->parent[1],
		    t->parent[31]);
	else
		buf_adds(b, "none");
	buf_printf(b, " created=%lld ttl=%lld expire=%lld uses=%lld "
	    "renewed=%lld}", (long long)t->created, (long long)t->ttl,
	    (long long)t->expire, (long long)t->num_uses,
	    (long long)t->renewed);
}

static bool
token_empty(const struct token_rec *t)
{
	return t->policies == NULL && t->npolicies == 0 &&
	    t->accessor == NULL && t->display_name == NULL && t->path == NULL;
}

static char	*pol_root[] = { "root" };
static char	*pol_three[] = { "a", "default", "runtime-admin" };
static char	*pol_odd[] = { "", "p\xc3\xa9", "x y", "root" };

static void
test_token_roundtrip(void)
{
	static char	 s300[301], s70k[70001], *pol_many[100], names[100][8];
	struct token_rec cases[] = {
		/* No policies, no parent, all zero. */
		{ .accessor = "", .display_name = "", .path = "" },
		/* One policy, an orphan: the root token. */
		{ .policies = pol_root, .npolicies = 1, .accessor = "acc1",
		    .display_name = "root", .path = "auth/token/root",
		    .created = 1700000000 },
		/* Several policies, with a parent, a TTL and a use limit. */
		{ .policies = pol_three, .npolicies = 3,
		    .accessor = "aBcDeFgHiJkLmNoPqRsTuVwX",
		    .display_name = "token-ci", .path = "auth/token/create",
		    .has_parent = true, .created = 1700000000, .ttl = 3600,
		    .expire = 1700003600, .num_uses = 5 },
		/* int64 extremes in every integer. */
		{ .policies = pol_root, .npolicies = 1, .accessor = "x",
		    .display_name = "y", .path = "z", .has_parent = true,
		    .created = INT64_MIN, .ttl = INT64_MAX,
		    .expire = INT64_MIN, .num_uses = INT64_MAX },
		{ .policies = pol_root, .npolicies = 1, .accessor = "x",
		    .display_name = "y", .path = "z", .created = INT64_MAX,
		    .ttl = INT64_MIN, .expire = INT64_MAX,
		    .num_uses = INT64_MIN },
		{ .accessor = "x", .display_name = "y", .path = "z",
		    .created = -1, .ttl = -32, .expire = -33, .num_uses = -129 },
		{ .accessor = "x", .display_name = "y", .path = "z",
		    .created = 127, .ttl = 128, .expire = 65536,
		    .num_uses = 4294967296LL },
		/* Odd but valid strings, and a parent of all zero bytes. */
		{ .policies = pol_odd, .npolicies = 4, .accessor = "\xc3\xa9",
		    .display_name = "\xf0\x9f\x98\x80", .path = "a/b/c",
		    .has_parent = true, .created = 1 },
		/* Long strings and many policies. */
		{ .policies = pol_many, .npolicies = 100, .accessor = s300,
		    .display_name = s70k, .path = s300, .has_parent = true },
	};
	struct token_rec got;
	struct buf	 b, b2, sg, sw;
	size_t		 i;
	int		 rc;

	memset(s300, 'a', 300);
	memset(s70k, 'b', 70000);
	for (i = 0; i < 100; i++) {
		snprintf(names[i], sizeof names[i], "p%03zu", i);
		pol_many[i] = names[i];
	}
	memset(cases[2].parent, 0x5a, 32);
	cases[2].parent[0] = 0x01;
	cases[2].parent[31] = 0xfe;
	memset(cases[3].parent, 0xff, 32);
	/* cases[7].parent stays all zero: has_parent alone says "a parent". */
	for (i = 0; i < 32; i++)
		cases[8].parent[i] = (unsigned char)i;

	for (i = 0; i < nitems(cases); i++) {
		buf_init(&b);
		record_token_encode(&cases[i], &b);
		memset(&got, 0x77, sizeof got);
		rc = record_token_decode(b.data, b.len, &got);
		CHECK(rc == 0, "token round trip %zu: rc: got %d, want 0", i,
		    rc);
		if (rc == 0) {
			buf_init(&sg);
			buf_init(&sw);
			token_show(&sg, &got);
			token_show(&sw, &cases[i]);
			CHECK(token_eq(&got, &cases[i]), "token round trip "
			    "%zu: got %s, want %s", i, sg.data, sw.data);
			buf_free(&sg);
			buf_free(&sw);
			token_rec_free(&got);
			CHECK(token_empty(&got), "token_rec_free %zu: got "
			    "pointers left, want NULL", i);
		}
		buf_init(&b2);
		record_token_encode(&cases[i], &b2);
		CHECK(b.len == b2.len && memcmp(b.data, b2.data, b.len) == 0,
		    "token encode %zu: got different bytes twice, want the "
		    "same", i);
		buf_free(&b2);
		buf_free(&b);
	}

	/* Without has_parent the parent bytes are not stored. */
	memset(cases[1].parent, 0xcc, 32);
	buf_init(&b);
	record_token_encode(&cases[1], &b);
	rc = record_token_decode(b.data, b.len, &got);
	CHECK(rc == 0 && !got.has_parent, "token without a parent: got rc %d "
	    "has_parent %d, want 0 0", rc, rc == 0 ? got.has_parent : -1);
	if (rc == 0) {
		CHECK(memchr(b.data, 0xcc, b.len) == NULL, "token without a "
		    "parent: got the parent bytes in the record, want none");
		token_rec_free(&got);
	}
	buf_free(&b);
}

/* A change to a valid record: replace or drop the entry of a key, or add. */
enum patch_op { P_NONE, P_SET, P_DROP, P_ADD };
struct patch_case {
	const char	*what;
	enum patch_op	 op;
	const char	*key;	/* P_SET, P_DROP */
	struct kv	 e;	/* P_SET, P_ADD */
	int		 rc;
};

/* Applies a patch to base; returns the number of entries in out[16]. */
static size_t
patch(const struct kv *base, size_t n, enum patch_op op, const char *key,
    const struct kv *e, struct kv out[16])
{
	size_t	 i, k = 0;

	for (i = 0; i < n; i++) {
		if (op == P_DROP && strcmp(base[i].key, key) == 0)
			continue;
		if (op == P_SET && strcmp(base[i].key, key) == 0)
			out[k++] = *e;
		else
			out[k++] = base[i];
	}
	if (op == P_ADD)
		out[k++] = *e;
	return k;
}

static const struct kv token_base[] = {
	I("v", 1), SARR("policies", "default|root"), S("accessor", "acc"),
	S("display_name", "token"), S("path", "auth/token/create"),
	BINN("parent", 32), I("created", 1700000000), I("ttl", 3600),
	I("expire", 1700003600), I("num_uses", 0), I("renewed", 0),
};

#define TSET(what, key, e, rc)	{ what, P_SET, key, e, rc }

static const struct patch_case token_cases[] = {
	/* Valid variants first: the harness itself must be right. */
	{ "valid", P_NONE, NULL, I("", 0), 0 },
	TSET("no policies", "policies", SARR("policies", ""), 0),
	TSET("one policy", "policies", SARR("policies", "root"), 0),
	TSET("an empty policy name", "policies", SARR("policies", "a||b"), 0),
	TSET("no parent", "parent", BINN("parent", 0), 0),
	TSET("created INT64_MIN", "created", I("created", INT64_MIN), 0),
	TSET("num_uses uint64 INT64_MAX", "num_uses",
	    U("num_uses", INT64_MAX), 0),
	TSET("expire -1", "expire", I("expire", -1), 0),
	TSET("renewed INT64_MAX", "renewed", I("renewed", INT64_MAX), 0),
	TSET("renewed as string", "renewed", S("renewed", "0"), -1),

	TSET("version 0", "v", I("v", 0), -1),
	TSET("version 2", "v", I("v", 2), -1),
	TSET("version -1", "v", I("v", -1), -1),
	TSET("version as string", "v", S("v", "1"), -1),
	TSET("version as bool", "v", B("v", 1), -1),
	TSET("version as float", "v", F("v"), -1),
	TSET("version > INT64_MAX", "v", U("v", (uint64_t)INT64_MAX + 1), -1),

	TSET("policies as a string", "policies", S("policies", "root"), -1),
	TSET("policies as nil", "policies", NIL("policies"), -1),
	TSET("policies as a map", "policies", MAP("policies"), -1),
	TSET("policies as bin", "policies", BIN("policies", "root"), -1),
	TSET("policies as int", "policies", I("policies", 1), -1),
	TSET("policies holding an int", "policies", ARR("policies"), -1),
	TSET("policies holding a string and an int", "policies",
	    MIXARR("policies"), -1),
	TSET("policies holding an array", "policies", NESTARR("policies"), -1),
	TSET("policies holding bin", "policies", BINARR("policies"), -1),
	TSET("policies holding nil", "policies", NILARR("policies"), -1),
	TSET("policy with NUL inside", "policies",
	    SARR("policies", "default|ro\0ot"), -1),
	TSET("policy with NUL at the end", "policies",
	    SARR("policies", "a\0|b"), -1),
	TSET("policy only NUL", "policies", SARR("policies", "\0"), -1),

	TSET("accessor as int", "accessor", I("accessor", 1), -1),
	TSET("accessor as bin", "accessor", BIN("accessor", "acc"), -1),
	TSET("accessor as bool", "accessor", B("accessor", 0), -1),
	TSET("accessor with NUL", "accessor", S("accessor", "a\0c"), -1),
	TSET("display_name as nil", "display_name", NIL("display_name"), -1),
	TSET("display_name as array", "display_name", ARR("display_name"),
	    -1),
	TSET("display_name with NUL at the end", "display_name",
	    S("display_name", "x\0"), -1),
	TSET("path as bin", "path", BIN("path", "auth/token/create"), -1),
	TSET("path as float", "path", F("path"), -1),
	TSET("path only NUL", "path", S("path", "\0"), -1),

	TSET("parent of 1 byte", "parent", BINN("parent", 1), -1),
	TSET("parent of 16 bytes", "parent", BINN("parent", 16), -1),
	TSET("parent of 31 bytes", "parent", BINN("parent", 31), -1),
	TSET("parent of 33 bytes", "parent", BINN("parent", 33), -1),
	TSET("parent of 64 bytes", "parent", BINN("parent", 64), -1),
	TSET("parent as a 32-byte string", "parent",
	    S("parent", "0123456789abcdef0123456789abcdef"), -1),
	TSET("parent as an empty string", "parent", S("parent", ""), -1),
	TSET("parent as nil", "parent", NIL("parent"), -1),
	TSET("parent as array", "parent", ARR("parent"), -1),
	TSET("parent as int", "parent", I("parent", 0), -1),
	TSET("parent as bool", "parent", B("parent", 0), -1),

	TSET("created as string", "created", S("created", "1"), -1),
	TSET("created as bool", "created", B("created", 1), -1),
	TSET("created as float", "created", F("created"), -1),
	TSET("created as nil", "created", NIL("created"), -1),
	TSET("created > INT64_MAX", "created",
	    U("created", (uint64_t)INT64_MAX + 1), -1),
	TSET("ttl as float", "ttl", F("ttl"), -1),
	TSET("ttl UINT64_MAX", "ttl", U("ttl", UINT64_MAX), -1),
	TSET("ttl as string", "ttl", S("ttl", "3600"), -1),
	TSET("expire as bool", "expire", B("expire", 0), -1),
	TSET("expire as nil", "expire", NIL("expire"), -1),
	TSET("expire > INT64_MAX", "expire",
	    U("expire", (uint64_t)INT64_MAX + 1), -1),
	TSET("num_uses as string", "num_uses", S("num_uses", "0"), -1),
	TSET("num_uses as map", "num_uses", MAP("num_uses"), -1),
	TSET("num_uses UINT64_MAX", "num_uses", U("num_uses", UINT64_MAX),
	    -1),

	TSET("key with a NUL instead of policies", "policies",
	    KEYNUL("policies"), -1),
	TSET("upper-case key", "policies", SARR("POLICIES", "root"), -1),
	TSET("old key policy", "policies", S("policy", "root"), -1),
	{ "integer key added", P_ADD, NULL, KEYINT(1), -1 },
	{ "empty key added", P_ADD, NULL, S("", ""), -1 },
	/* A first "v" of -1 must not hide the duplicate that follows. */
	{ "version -1 then 1", P_ADD, NULL, I("v", -1), -1 },
};

/* Decodes a packed token record and checks the result and the cleanup. */
static void
check_token_decode(const char *what, const msgpack_sbuffer *sb, int want)
{
	struct token_rec got;
	int		 rc;

	memset(&got, 0x77, sizeof got);
	rc = record_token_decode(sb->data, sb->size, &got);
	CHECK(rc == want, "token decode (%s): got %d, want %d", what, rc,
	    want);
	if (rc == 0) {
		CHECK(got.accessor != NULL && got.display_name != NULL &&
		    got.path != NULL && (got.npolicies == 0 ||
		    got.policies != NULL), "token decode (%s): got success "
		    "with a NULL string, want every string set", what);
		token_rec_free(&got);
	} else
		CHECK(token_empty(&got), "token decode (%s): got pointers "
		    "left after failure, want NULL", what);
}

static void
test_token_bad(void)
{
	const struct patch_case	*c;
	msgpack_sbuffer		 sb;
	struct kv		 e[16], one;
	char			 what[128], key[32];
	size_t			 i, j, n;

	for (i = 0; i < nitems(token_cases); i++) {
		c = &token_cases[i];
		n = patch(token_base, nitems(token_base), c->op, c->key, &c->e,
		    e);
		pack_map(&sb, e, n);
		check_token_decode(c->what, &sb, c->rc);
		msgpack_sbuffer_destroy(&sb);
	}

	/* The keys in reverse order are still a valid record. */
	for (i = 0; i < nitems(token_base); i++)
		e[i] = token_base[nitems(token_base) - 1 - i];
	pack_map(&sb, e, nitems(token_base));
	check_token_decode("reverse order", &sb, 0);
	msgpack_sbuffer_destroy(&sb);

	/* Every key: missing, renamed, repeated, or repeated instead of one. */
	for (i = 0; i < nitems(token_base); i++) {
		snprintf(what, sizeof what, "%s missing", token_base[i].key);
		n = patch(token_base, nitems(token_base), P_DROP,
		    token_base[i].key, NULL, e);
		pack_map(&sb, e, n);
		check_token_decode(what, &sb, -1);
		msgpack_sbuffer_destroy(&sb);

		snprintf(what, sizeof what, "%s renamed", token_base[i].key);
		snprintf(key, sizeof key, "%sx", token_base[i].key);
		one = token_base[i];
		one.key = key;
		n = patch(token_base, nitems(token_base), P_SET,
		    token_base[i].key, &one, e);
		pack_map(&sb, e, n);
		check_token_decode(what, &sb, -1);
		msgpack_sbuffer_destroy(&sb);

		snprintf(what, sizeof what, "%s twice", token_base[i].key);
		n = patch(token_base, nitems(token_base), P_ADD, NULL,
		    &token_base[i], e);
		pack_map(&sb, e, n);
		check_token_decode(what, &sb, -1);
		msgpack_sbuffer_destroy(&sb);

		j = (i + 1) % nitems(token_base);
		snprintf(what, sizeof what, "%s twice instead of %s",
		    token_base[i].key, token_base[j].key);
		n = patch(token_base, nitems(token_base), P_SET,
		    token_base[j].key, &token_base[i], e);
		pack_map(&sb, e, n);
		check_token_decode(what, &sb, -1);
		msgpack_sbuffer_destroy(&sb);
	}
}

/* ---- policy records ---- */

static void
test_policy_roundtrip(void)
{
	static char	 s70k[70001];
	struct policy_rec cases[] = {
		{ "root", "" },
		{ "", "" },
		{ "runtime-admin", "path \"sys/plugins/runtimes/catalog/*\" {\n"
		    "  capabilities = [\"read\", \"sudo\"]\n}\n" },
		{ "p\xc3\xa9", "{\"path\":{\"a\":{\"capabilities\":[]}}}\t\r\n" },
		{ "big", s70k },
	};
	struct policy_rec got;
	struct buf	 b, b2;
	size_t		 i;
	int		 rc;

	memset(s70k, '#', 70000);
	for (i = 0; i < nitems(cases); i++) {
		buf_init(&b);
		record_policy_encode(&cases[i], &b);
		memset(&got, 0x77, sizeof got);
		rc = record_policy_decode(b.data, b.len, &got);
		CHECK(rc == 0, "policy round trip %zu: rc: got %d, want 0", i,
		    rc);
		if (rc == 0) {
			CHECK(got.name != NULL && got.text != NULL &&
			    strcmp(got.name, cases[i].name) == 0 &&
			    strcmp(got.text, cases[i].text) == 0, "policy round "
			    "trip %zu: got {%.20s %.40s}, want {%.20s %.40s}",
			    i, nz(got.name), nz(got.text), cases[i].name,
			    cases[i].text);
			policy_rec_free(&got);
			CHECK(got.name == NULL && got.text == NULL,
			    "policy_rec_free %zu: got pointers left, want NULL",
			    i);
		}
		buf_init(&b2);
		record_policy_encode(&cases[i], &b2);
		CHECK(b.len == b2.len && memcmp(b.data, b2.data, b.len) == 0,
		    "policy encode %zu: got different bytes twice, want the "
		    "same", i);
		buf_free(&b2);
		buf_free(&b);
	}
}

static const struct kv policy_base[] = {
	I("v", 1), S("name", "admin"), S("text", "path \"*\" {}"),
};

static const struct patch_case policy_cases[] = {
	{ "valid", P_NONE, NULL, I("", 0), 0 },
	TSET("empty name and text", "name", S("name", ""), 0),
	TSET("version uint64 1", "v", U("v", 1), 0),
	TSET("version 0", "v", I("v", 0), -1),
	TSET("version 2", "v", I("v", 2), -1),
	TSET("version as string", "v", S("v", "1"), -1),
	TSET("version as nil", "v", NIL("v"), -1),
	TSET("name as int", "name", I("name", 1), -1),
	TSET("name as bin", "name", BIN("name", "admin"), -1),
	TSET("name as array", "name", SARR("name", "admin"), -1),
	TSET("text as nil", "text", NIL("text"), -1),
	TSET("text as bin", "text", BIN("text", "path"), -1),
	TSET("text as map", "text", MAP("text"), -1),
	TSET("text as bool", "text", B("text", 1), -1),
	TSET("name with NUL", "name", S("name", "ad\0min"), -1),
	TSET("text with NUL at the end", "text", S("text", "path\0"), -1),
	TSET("text key with a NUL", "text", KEYNUL("text"), -1),
	TSET("policy key instead of text", "text", S("policy", "x"), -1),
	{ "extra key", P_ADD, NULL, S("x", ""), -1 },
	{ "integer key added", P_ADD, NULL, KEYINT(2), -1 },
	{ "version -1 then 1", P_ADD, NULL, I("v", -1), -1 },
};

static void
check_policy_decode(const char *what, const msgpack_sbuffer *sb, int want)
{
	struct policy_rec got;
	int		 rc;

	memset(&got, 0x77, sizeof got);
	rc = record_policy_decode(sb->data, sb->size, &got);
	CHECK(rc == want, "policy decode (%s): got %d, want %d", what, rc,
	    want);
	if (rc == 0) {
		CHECK(got.name != NULL && got.text != NULL, "policy decode "
		    "(%s): got a NULL string, want both set", what);
		policy_rec_free(&got);
	} else
		CHECK(got.name == NULL && got.text == NULL, "policy decode "
		    "(%s): got strings left after failure, want NULL", what);
}

static void
test_policy_bad(void)
{
	const struct patch_case	*c;
	msgpack_sbuffer		 sb;
	struct kv		 e[16], one;
	char			 what[128], key[32];
	size_t			 i, n;

	for (i = 0; i < nitems(policy_cases); i++) {
		c = &policy_cases[i];
		n = patch(policy_base, nitems(policy_base), c->op, c->key,
		    &c->e, e);
		pack_map(&sb, e, n);
		check_policy_decode(c->what, &sb, c->rc);
		msgpack_sbuffer_destroy(&sb);
	}
	for (i = 0; i < nitems(policy_base); i++) {
		snprintf(what, sizeof what, "%s missing", policy_base[i].key);
		n = patch(policy_base, nitems(policy_base), P_DROP,
		    policy_base[i].key, NULL, e);
		pack_map(&sb, e, n);
		check_policy_decode(what, &sb, -1);
		msgpack_sbuffer_destroy(&sb);

		snprintf(what, sizeof what, "%s renamed", policy_base[i].key);
		snprintf(key, sizeof key, "%sx", policy_base[i].key);
		one = policy_base[i];
		one.key = key;
		n = patch(policy_base, nitems(policy_base), P_SET,
		    policy_base[i].key, &one, e);
		pack_map(&sb, e, n);
		check_policy_decode(what, &sb, -1);
		msgpack_sbuffer_destroy(&sb);

		snprintf(what, sizeof what, "%s twice", policy_base[i].key);
		n = patch(policy_base, nitems(policy_base), P_ADD, NULL,
		    &policy_base[i], e);
		pack_map(&sb, e, n);
		check_policy_decode(what, &sb, -1);
		msgpack_sbuffer_destroy(&sb);
	}
}

/* ---- plugin records ---- */

/* Renders a plugin record for messages; long strings are cut. */
static void
plugin_show(struct buf *b, const struct plugin *p)
{
	size_t	 i;

	buf_printf(b, "{type=%.20s name=%.20s version=%.20s command=%.20s "
	    "args=[", nz(p->type), nz(p->name), nz(p->version),
	    nz(p->command));
	for (i = 0; i < p->nargs; i++)
		buf_printf(b, "%s\"%.20s\"", i > 0 ? " " : "",
		    p->args ? nz(p->args[i]) : "(null)");
	buf_adds(b, "] env=[");
	for (i = 0; i < p->nenv; i++)
		buf_printf(b, "%s\"%.20s\"", i > 0 ? " " : "",
		    p->env ? nz(p->env[i]) : "(null)");
	buf_printf(b, "] sha256=%zu:", p->sha256_len);
	for (i = 0; p->sha256 != NULL && i < p->sha256_len && i < 4; i++)
		buf_printf(b, "%02x", p->sha256[i]);
	buf_printf(b, " oci_image=%.20s runtime=%.20s}", nz(p->oci_image),
	    nz(p->runtime));
}

static bool
plugin_empty(const struct plugin *p)
{
	return p->type == NULL && p->name == NULL && p->version == NULL &&
	    p->command == NULL && p->args == NULL && p->nargs == 0 &&
	    p->env == NULL && p->nenv == 0 && p->sha256 == NULL &&
	    p->sha256_len == 0 && p->oci_image == NULL && p->runtime == NULL;
}

/* Counts the integers anywhere in a msgpack object. */
static size_t
count_ints(const msgpack_object *o)
{
	size_t		 n = 0;
	uint32_t	 i;

	switch (o->type) {
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		return 1;
	case MSGPACK_OBJECT_ARRAY:
		for (i = 0; i < o->via.array.size; i++)
			n += count_ints(&o->via.array.ptr[i]);
		return n;
	case MSGPACK_OBJECT_MAP:
		for (i = 0; i < o->via.map.size; i++)
			n += count_ints(&o->via.map.ptr[i].key) +
			    count_ints(&o->via.map.ptr[i].val);
		return n;
	default:
		return 0;
	}
}

static char	*args_two[] = { "-tls-skip-verify", "x y" };
static char	*env_two[] = { "A=1", "B=" };
static char	*args_odd[] = { "", "\xc3\xa9", "a,b", " padded ", "" };

static void
test_plugin_roundtrip(void)
{
	static char	 s300[301], s70k[70001], *many[100], names[100][8];
	static unsigned char sha[32], zero[32], three[] = { 0xab, 0x00, 0xef };
	struct plugin	 cases[] = {
		/* A command plugin with args, env and a 32-byte sha256. */
		{ "secret", "kv", "v1.2.3", "kv-plugin", args_two, 2, env_two,
		    2, sha, 32, "", "" },
		/* No args, no env, no sha256, no version. */
		{ "auth", "jwt", "", "jwt", NULL, 0, NULL, 0, NULL, 0, "",
		    "" },
		/* Every string empty. */
		{ "", "", "", "", NULL, 0, NULL, 0, NULL, 0, "", "" },
		/* An OCI image with a runtime, env but no args. */
		{ "database", "pg", "v0.1.0-rc.1+build.7", "", NULL, 0,
		    env_two, 2, sha, 32, "hashicorp/vault-plugin-database:0.1",
		    "gvisor" },
		/* Args but no env; a sha256 of all zero bytes. */
		{ "secret", "a.b", "v1.0.0", "c", args_odd, 5, NULL, 0, zero,
		    32, "img", "" },
		/* A runtime without an image is stored as given. */
		{ "auth", "x", "v2.0.0", "x", args_two, 1, env_two, 1, zero,
		    32, "", "runsc" },
		/* fcgi/plugins.c hex-decodes any even length: 3 bytes. */
		{ "auth", "y", "", "y", NULL, 0, NULL, 0, three, 3, "", "" },
		/* Odd but valid strings. */
		{ "secret", "p\xc3\xa9", "v1.0.0", "\xf0\x9f\x98\x80",
		    args_odd, 1, args_odd, 5, sha, 32, "\xc3\xa9",
		    "r\xc3\xa9" },
		/* Long strings and many args. */
		{ "secret", s300, s300, s70k, many, 100, many, 100, sha, 32,
		    s70k, s300 },
	};
	msgpack_zone	 zone;
	msgpack_object	 obj;
	struct plugin	 got;
	struct buf	 b, b2, sg, sw;
	size_t		 i, off, ints;
	int		 rc;

	memset(s300, 'a', 300);
	memset(s70k, 'b', 70000);
	for (i = 0; i < 100; i++) {
		snprintf(names[i], sizeof names[i], "-a%03zu", i);
		many[i] = names[i];
	}
	for (i = 0; i < 32; i++)
		sha[i] = (unsigned char)(0xe0 ^ i);

	for (i = 0; i < nitems(cases); i++) {
		buf_init(&b);
		record_plugin_encode(&cases[i], &b);
		memset(&got, 0x77, sizeof got);
		rc = record_plugin_decode(b.data, b.len, &got);
		CHECK(rc == 0, "plugin round trip %zu: rc: got %d, want 0", i,
		    rc);
		if (rc == 0) {
			buf_init(&sg);
			buf_init(&sw);
			plugin_show(&sg, &got);
			plugin_show(&sw, &cases[i]);
			CHECK(plugin_eq(&got, &cases[i]), "plugin round trip "
			    "%zu: got %s, want %s", i, sg.data, sw.data);
			buf_free(&sg);
			buf_free(&sw);
			plugin_free(&got);
			CHECK(plugin_empty(&got), "plugin_free %zu: got "
			    "pointers left, want NULL", i);
		}
		buf_init(&b2);
		record_plugin_encode(&cases[i], &b2);
		CHECK(b.len == b2.len && memcmp(b.data, b2.data, b.len) == 0,
		    "plugin encode %zu: got different bytes twice, want the "
		    "same", i);
		buf_free(&b2);

		/* Nothing in a plugin record is an integer but "v". */
		msgpack_zone_init(&zone, 1024);
		off = 0;
		rc = msgpack_unpack(b.data, b.len, &off, &zone, &obj);
		ints = rc == MSGPACK_UNPACK_SUCCESS ? count_ints(&obj) : 0;
		CHECK(rc == MSGPACK_UNPACK_SUCCESS && off == b.len &&
		    ints == 1, "plugin record %zu: got unpack %d, %zu of %zu "
		    "bytes, %zu integers, want success, all bytes, 1 integer",
		    i, rc, off, b.len, ints);
		msgpack_zone_destroy(&zone);
		buf_free(&b);
	}
}

static const struct kv plugin_base[] = {
	I("v", 1), S("type", "secret"), S("name", "kv"),
	S("version", "v1.0.0"), S("command", "kv-plugin"),
	SARR("args", "-a|-b"), SARR("env", "X=1"), BINN("sha256", 32),
	S("oci_image", ""), S("runtime", ""),
};

static const struct patch_case plugin_cases[] = {
	/* Valid variants first: the harness itself must be right. */
	{ "valid", P_NONE, NULL, I("", 0), 0 },
	TSET("no args", "args", SARR("args", ""), 0),
	TSET("no env", "env", SARR("env", ""), 0),
	TSET("an empty arg", "args", SARR("args", "a||b"), 0),
	TSET("one empty env entry", "env", SARR("env", "|"), 0),
	TSET("empty sha256", "sha256", BINN("sha256", 0), 0),
	TSET("sha256 of 1 byte", "sha256", BINN("sha256", 1), 0),
	TSET("sha256 of 64 bytes", "sha256", BINN("sha256", 64), 0),
	TSET("sha256 with a NUL byte", "sha256", BIN("sha256", "a\0b"), 0),
	TSET("empty version", "version", S("version", ""), 0),
	TSET("oci_image set", "oci_image", S("oci_image", "img:1"), 0),
	TSET("runtime set", "runtime", S("runtime", "gvisor"), 0),
	TSET("empty type", "type", S("type", ""), 0),
	TSET("version uint64 1", "v", U("v", 1), 0),

	TSET("version 0", "v", I("v", 0), -1),
	TSET("version 2", "v", I("v", 2), -1),
	TSET("version -1", "v", I("v", -1), -1),
	TSET("version as string", "v", S("v", "1"), -1),
	TSET("version as bool", "v", B("v", 1), -1),
	TSET("version as float", "v", F("v"), -1),
	TSET("version as nil", "v", NIL("v"), -1),
	TSET("version as array", "v", ARR("v"), -1),
	TSET("version > INT64_MAX", "v", U("v", (uint64_t)INT64_MAX + 1), -1),
	TSET("version UINT64_MAX", "v", U("v", UINT64_MAX), -1),

	/* The plugin's own "version" is a string, not the format version. */
	TSET("plugin version as int 1", "version", I("version", 1), -1),

	TSET("key with a NUL instead of sha256", "sha256", KEYNUL("sha256"),
	    -1),
	TSET("integer key instead of args", "args", KEYINT(5), -1),
	TSET("upper-case key", "type", S("TYPE", "secret"), -1),
	TSET("alias sha_256 instead of sha256", "sha256",
	    BINN("sha_256", 32), -1),
	TSET("oci instead of oci_image", "oci_image", S("oci", ""), -1),
	TSET("arg instead of args", "args", SARR("arg", "-a"), -1),
	{ "extra key", P_ADD, NULL, S("builtin", ""), -1 },
	{ "empty key added", P_ADD, NULL, S("", ""), -1 },
	{ "integer key added", P_ADD, NULL, KEYINT(1), -1 },
	/* A first "v" of -1 must not hide the duplicate that follows. */
	{ "version -1 then 1", P_ADD, NULL, I("v", -1), -1 },
};

/* Decodes a packed plugin record and checks the result and the cleanup. */
static void
check_plugin_decode(const char *what, const msgpack_sbuffer *sb, int want)
{
	struct plugin	 got;
	int		 rc;

	memset(&got, 0x77, sizeof got);
	rc = record_plugin_decode(sb->data, sb->size, &got);
	CHECK(rc == want, "plugin decode (%s): got %d, want %d", what, rc,
	    want);
	if (rc == 0) {
		CHECK(got.type != NULL && got.name != NULL &&
		    got.version != NULL && got.command != NULL &&
		    got.oci_image != NULL && got.runtime != NULL &&
		    (got.nargs == 0 || got.args != NULL) &&
		    (got.nenv == 0 || got.env != NULL) &&
		    (got.sha256_len == 0 || got.sha256 != NULL),
		    "plugin decode (%s): got success with a NULL pointer, "
		    "want every field set", what);
		plugin_free(&got);
	} else
		CHECK(plugin_empty(&got), "plugin decode (%s): got pointers "
		    "left after failure, want NULL", what);
}

/* Packs plugin_base with one entry replaced by e, and decodes it. */
static void
plugin_set(const char *what, const char *key, const struct kv *e, int want)
{
	msgpack_sbuffer	 sb;
	struct kv	 out[16];
	size_t		 n;

	n = patch(plugin_base, nitems(plugin_base), P_SET, key, e, out);
	pack_map(&sb, out, n);
	check_plugin_decode(what, &sb, want);
	msgpack_sbuffer_destroy(&sb);
}

static void
test_plugin_bad(void)
{
	static const char *const strkeys[] = { "type", "name", "version",
	    "command", "oci_image", "runtime" };
	static const char *const listkeys[] = { "args", "env" };
	/* Values no string field accepts; the key is filled in below. */
	static const struct { const char *what; struct kv e; } badstr[] = {
		{ "int", I(NULL, 1) }, { "uint", U(NULL, 1) },
		{ "negative int", I(NULL, -1) }, { "nil", NIL(NULL) },
		{ "bin", BIN(NULL, "x") }, { "array", SARR(NULL, "x") },
		{ "empty array", SARR(NULL, "") }, { "bool", B(NULL, 1) },
		{ "false", B(NULL, 0) }, { "map", MAP(NULL) },
		{ "float", F(NULL) }, { "NUL inside", S(NULL, "a\0b") },
		{ "only NUL", S(NULL, "\0") },
		{ "NUL at the end", S(NULL, "x\0") },
	};
	/* Values no list field accepts. */
	static const struct { const char *what; struct kv e; } badlist[] = {
		{ "a string", S(NULL, "-a") },
		{ "an empty string", S(NULL, "") },
		{ "nil", NIL(NULL) }, { "map", MAP(NULL) },
		{ "bin", BIN(NULL, "-a") }, { "int", I(NULL, 0) },
		{ "bool", B(NULL, 1) }, { "float", F(NULL) },
		{ "holding an int", ARR(NULL) },
		{ "holding a string and an int", MIXARR(NULL) },
		{ "holding an array", NESTARR(NULL) },
		{ "holding bin", BINARR(NULL) },
		{ "holding nil", NILARR(NULL) },
		{ "holding NUL inside", SARR(NULL, "a|b\0c") },
		{ "holding NUL at the end", SARR(NULL, "a\0") },
		{ "holding only NUL", SARR(NULL, "\0") },
	};
	/* Values the sha256 field does not accept: it is bin. */
	static const struct { const char *what; struct kv e; } badsha[] = {
		{ "hex string", S(NULL, "abcd") },
		{ "empty string", S(NULL, "") },
		{ "32-byte string",
		    S(NULL, "0123456789abcdef0123456789abcdef") },
		{ "nil", NIL(NULL) }, { "array", ARR(NULL) },
		{ "string array", SARR(NULL, "ab") }, { "int", I(NULL, 0) },
		{ "bool", B(NULL, 0) }, { "map", MAP(NULL) },
		{ "float", F(NULL) },
	};
	const struct patch_case	*c;
	msgpack_sbuffer		 sb;
	struct kv		 e[16], one;
	char			 what[128], key[32];
	size_t			 i, j, n;

	for (i = 0; i < nitems(plugin_cases); i++) {
		c = &plugin_cases[i];
		n = patch(plugin_base, nitems(plugin_base), c->op, c->key,
		    &c->e, e);
		pack_map(&sb, e, n);
		check_plugin_decode(c->what, &sb, c->rc);
		msgpack_sbuffer_destroy(&sb);
	}

	/* Every field with every value of a wrong type. */
	for (i = 0; i < nitems(strkeys); i++)
		for (j = 0; j < nitems(badstr); j++) {
			snprintf(what, sizeof what, "%s as %s", strkeys[i],
			    badstr[j].what);
			one = badstr[j].e;
			one.key = strkeys[i];
			plugin_set(what, strkeys[i], &one, -1);
		}
	for (i = 0; i < nitems(listkeys); i++)
		for (j = 0; j < nitems(badlist); j++) {
			snprintf(what, sizeof what, "%s as %s", listkeys[i],
			    badlist[j].what);
			one = badlist[j].e;
			one.key = listkeys[i];
			plugin_set(what, listkeys[i], &one, -1);
		}
	for (j = 0; j < nitems(badsha); j++) {
		snprintf(what, sizeof what, "sha256 as %s", badsha[j].what);
		one = badsha[j].e;
		one.key = "sha256";
		plugin_set(what, "sha256", &one, -1);
	}

	/* The keys in reverse order are still a valid record. */
	for (i = 0; i < nitems(plugin_base); i++)
		e[i] = plugin_base[nitems(plugin_base) - 1 - i];
	pack_map(&sb, e, nitems(plugin_base));
	check_plugin_decode("reverse order", &sb, 0);
	msgpack_sbuffer_destroy(&sb);

	/* Every key: missing, renamed, repeated, or repeated instead of one. */
	for (i = 0; i < nitems(plugin_base); i++) {
		snprintf(what, sizeof what, "%s missing", plugin_base[i].key);
		n = patch(plugin_base, nitems(plugin_base), P_DROP,
		    plugin_base[i].key, NULL, e);
		pack_map(&sb, e, n);
		check_plugin_decode(what, &sb, -1);
		msgpack_sbuffer_destroy(&sb);

		snprintf(what, sizeof what, "%s renamed", plugin_base[i].key);
		snprintf(key, sizeof key, "%sx", plugin_base[i].key);
		one = plugin_base[i];
		one.key = key;
		plugin_set(what, plugin_base[i].key, &one, -1);

		snprintf(what, sizeof what, "%s twice", plugin_base[i].key);
		n = patch(plugin_base, nitems(plugin_base), P_ADD, NULL,
		    &plugin_base[i], e);
		pack_map(&sb, e, n);
		check_plugin_decode(what, &sb, -1);
		msgpack_sbuffer_destroy(&sb);

		for (j = 0; j < nitems(plugin_base); j++) {
			if (j == i)
				continue;
			snprintf(what, sizeof what, "%s twice instead of %s",
			    plugin_base[i].key, plugin_base[j].key);
			plugin_set(what, plugin_base[j].key, &plugin_base[i],
			    -1);
		}
	}
}

/* ---- all kinds ---- */

enum rkind { K_RUNTIME, K_TOKEN, K_POLICY, K_PLUGIN };
static const char *const kind_names[] = { "runtime", "token", "policy",
    "plugin" };

/*
 * Decodes bytes as one kind; returns the result, and whether every pointer
 * of the record is NULL afterwards when it failed.
 */
static int
decode_as(enum rkind k, const void *p, size_t n, bool *clean)
{
	struct runtime	 r;
	struct token_rec t;
	struct policy_rec pr;
	struct plugin	 pl;
	int		 rc;

	memset(&r, 0x77, sizeof r);
	memset(&t, 0x77, sizeof t);
	memset(&pr, 0x77, sizeof pr);
	memset(&pl, 0x77, sizeof pl);
	switch (k) {
	case K_RUNTIME:
		rc = record_runtime_decode(p, n, &r);
		*clean = r.name == NULL && r.oci_runtime == NULL &&
		    r.cgroup_parent == NULL;
		if (rc == 0)
			runtime_free(&r);
		return rc;
	case K_TOKEN:
		rc = record_token_decode(p, n, &t);
		*clean = token_empty(&t);
		if (rc == 0)
			token_rec_free(&t);
		return rc;
	case K_POLICY:
		rc = record_policy_decode(p, n, &pr);
		*clean = pr.name == NULL && pr.text == NULL;
		if (rc == 0)
			policy_rec_free(&pr);
		return rc;
	case K_PLUGIN:
		rc = record_plugin_decode(p, n, &pl);
		*clean = plugin_empty(&pl);
		if (rc == 0)
			plugin_free(&pl);
		return rc;
	}
	return -2;
}

/* Encodes a full record of each kind. */
static void
encode_as(enum rkind k, struct buf *b)
{
	static char	*pols[] = { "default", "runtime-admin" };
	struct runtime	 r = { "runsc", "runsc", "/cg", INT64_MIN, INT64_MAX,
			    true };
	struct token_rec t = { .policies = pols, .npolicies = 2,
			    .accessor = "acc", .display_name = "token-ci",
			    .path = "auth/token/create", .has_parent = true,
			    .created = INT64_MIN, .ttl = INT64_MAX,
			    .expire = -1, .num_uses = 7 };
	struct policy_rec p = { "admin", "path \"*\" {\n}\n" };
	static unsigned char sha[32];
	struct plugin	 pl = { "database", "pg", "v1.2.3-rc.1", "pg-plugin",
			    args_two, 2, env_two, 2, sha, 32, "img:1",
			    "gvisor" };

	memset(t.parent, 0xee, sizeof t.parent);
	memset(sha, 0x5c, sizeof sha);
	if (k == K_RUNTIME)
		record_runtime_encode(&r, b);
	else if (k == K_TOKEN)
		record_token_encode(&t, b);
	else if (k == K_POLICY)
		record_policy_encode(&p, b);
	else
		record_plugin_encode(&pl, b);
}

/* Every proper prefix of a valid record is refused. */
static void
test_truncated(void)
{
	struct buf	 b;
	enum rkind	 k;
	char		*p;
	size_t		 n;
	bool		 clean;
	int		 rc;

	for (k = K_RUNTIME; k <= K_PLUGIN; k++) {
		buf_init(&b);
		encode_as(k, &b);
		rc = decode_as(k, b.data, b.len, &clean);
		CHECK(rc == 0, "%s decode of the whole record: got %d, want 0",
		    kind_names[k], rc);
		for (n = 0; n < b.len; n++) {
			/* A copy of exactly n bytes, so ASan sees any over-read. */
			p = xmalloc(n > 0 ? n : 1);
			memcpy(p, b.data, n);
			rc = decode_as(k, p, n, &clean);
			CHECK(rc == -1, "%s decode of %zu of %zu bytes: got %d, "
			    "want -1", kind_names[k], n, b.len, rc);
			CHECK(clean, "%s decode of %zu bytes: got pointers "
			    "left, want NULL", kind_names[k], n);
			free(p);
		}
		buf_free(&b);
	}
}

/*
 * Arrays and maps that declare more elements than the bytes could hold are
 * refused before msgpack allocates room for them (found by fuzz/record.c:
 * 5 bytes asked for 128 GiB).  Each case must fail fast and cleanly.
 */
static void
test_huge_counts(void)
{
	static const struct {
		const char	*bytes;
		size_t		 len;
	} cases[] = {
		{ "\xdd\xff\xff\xff\xff", 5 },		/* array32 */
		{ "\xdf\x7f\xff\xff\xff", 5 },		/* map32 */
		{ "\xdc\xff\xff", 3 },			/* array16 */
		{ "\xde\x00\x02\xa1v\x01", 6 },	/* map16 of 2, 1 pair */
		{ "\x81\xa1v\xdd\x00\x10\x00\x00", 8 },	/* nested */
		{ "\x81\xa1v\x9f", 4 },			/* fixarray of 15 */
		{ "\x81\xa1v\xc6\xff\xff\xff\xff", 8 },	/* bin32 */
		{ "\x81\xa1v\xc9\x00\x00\x00\x01", 8 },	/* ext32 */
		{ "\xc1", 1 },					/* never used */
	};
	enum rkind	 k;
	size_t		 i;
	bool		 clean;
	int		 rc;

	for (k = K_RUNTIME; k <= K_PLUGIN; k++)
		for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			rc = decode_as(k, cases[i].bytes, cases[i].len, &clean);
			CHECK(rc == -1 && clean, "%s decode of huge-count case "
			    "%zu: got %d, want -1", kind_names[k], i, rc);
		}
}

/* Whole-buffer defects: trailing bytes, other top-level types, empty. */
static void
test_framing(void)
{
	msgpack_sbuffer	 sb;
	msgpack_packer	 pk;
	struct buf	 b;
	enum rkind	 k, other;
	size_t		 i;
	bool		 clean;
	int		 rc;

	for (k = K_RUNTIME; k <= K_PLUGIN; k++) {
		rc = decode_as(k, "", 0, &clean);
		CHECK(rc == -1, "%s decode of empty input: got %d, want -1",
		    kind_names[k], rc);

		/* One valid record followed by one more byte, or by itself. */
		buf_init(&b);
		encode_as(k, &b);
		buf_addc(&b, (char)0xc0);
		rc = decode_as(k, b.data, b.len, &clean);
		CHECK(rc == -1, "%s decode with a trailing nil: got %d, want "
		    "-1", kind_names[k], rc);
		b.data[b.len - 1] = '\0';
		rc = decode_as(k, b.data, b.len, &clean);
		CHECK(rc == -1, "%s decode with a trailing NUL: got %d, want "
		    "-1", kind_names[k], rc);
		b.len--;
		encode_as(k, &b);
		rc = decode_as(k, b.data, b.len, &clean);
		CHECK(rc == -1, "%s decode of two records: got %d, want -1",
		    kind_names[k], rc);
		buf_free(&b);

		/* A record of one kind is not a record of another. */
		for (other = K_RUNTIME; other <= K_PLUGIN; other++) {
			if (other == k)
				continue;
			buf_init(&b);
			encode_as(other, &b);
			rc = decode_as(k, b.data, b.len, &clean);
			CHECK(rc == -1 && clean, "%s decode of a %s record: got "
			    "%d, want -1", kind_names[k], kind_names[other],
			    rc);
			buf_free(&b);
		}

		rc = decode_as(k, "\xc1", 1, &clean);
		CHECK(rc == -1, "%s decode of 0xc1: got %d, want -1",
		    kind_names[k], rc);
		rc = decode_as(k, "\xde\xff\xff", 3, &clean);
		CHECK(rc == -1, "%s decode of a huge map header: got %d, want "
		    "-1", kind_names[k], rc);
	}

	/* Non-map top levels. */
	for (i = 0; i < 5; i++) {
		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		switch (i) {
		case 0:
			msgpack_pack_array(&pk, 4);
			pack_s(&pk, "v", 1);
			msgpack_pack_int64(&pk, 1);
			pack_s(&pk, "name", 4);
			pack_s(&pk, "n", 1);
			break;
		case 1:
			pack_s(&pk, "abc", 3);
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
		for (k = K_RUNTIME; k <= K_PLUGIN; k++) {
			rc = decode_as(k, sb.data, sb.size, &clean);
			CHECK(rc == -1, "%s decode of non-map %zu: got %d, want "
			    "-1", kind_names[k], i, rc);
		}
		msgpack_sbuffer_destroy(&sb);
	}
}

int
main(void)
{
	test_runtime_roundtrip();
	test_layout();
	test_truncated();
	test_huge_counts();
	test_runtime_bad();
	test_token_roundtrip();
	test_token_bad();
	test_policy_roundtrip();
	test_policy_bad();
	test_plugin_roundtrip();
	test_plugin_bad();
	test_framing();
	return check_done("record_test");
}
