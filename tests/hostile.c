/*
 * hostile.c: the hostile-input check's client (reliability check 7).  A
 * deterministic generator makes request bodies that a parser can trip on:
 * nesting up to 100,000 levels, invalid, overlong and surrogate UTF-8,
 * \u0000 and broken escapes, duplicate keys, int64 edges (+-2^63 +-1),
 * reals, numeric strings, true, null, strings up to the body limit,
 * non-object tops, unknown fields, broken numbers, control bytes, random
 * byte mutations and hostile forms.  It PUTs or POSTs them to the runtime
 * catalog (most), to ACL policies and to the plugin catalog over one
 * HTTP/1.1 keep-alive connection to 127.0.0.1, and checks every answer
 * itself: the status must be 204, 400 or 413; a 204 has no body, a 400 or
 * 413 has Content-Type application/json and a body that is exactly
 * {"errors":[<strings>]} in valid UTF-8.  Where the outcome is certain
 * (int64 edges, bad JSON that Vault refuses too, bodies over the limit) the
 * exact status is checked as well, and a 204'd int64 edge is read back:
 * the GET must show the very digits sent.
 *
 * usage: hostile -p port -t token [-n count] [-r seed] [-l body_limit]
 *            [-m max_other] [-T seconds] [-v]
 *        hostile [-n count] [-r seed] [-l body_limit] -x index
 *
 * Body i depends only on the seed and i, so -x i prints request i (method,
 * path, Content-Type, then the body bytes) to reproduce one failure.  A
 * broken server is not worth 5,000 slow answers: the run stops early after
 * -m answers outside the allowed set (default 20) or after -T seconds
 * (default 45), and then sent is below the count.  Each failure is one
 * line on stdout; at the end come two summary lines:
 *
 *	hostile: sent=N s204=N s400=N s413=N other=N bad_body=N
 *	hostile: unexpected=N roundtrip=OK/N io_errors=N seed=S seconds=T
 *
 * The exit status is 1 if any answer was outside the allowed set, had a
 * malformed body, differed from a certain expectation or failed to read
 * back; 2 for a usage error.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "lib/lib.h"

#define DEFAULT_SEED	0x5eed0005ULL
#define DEFAULT_COUNT	5000
#define DEFAULT_LIMIT	1048576
#define TIMEOUT_MS	10000
#define MAX_ANSWER	(8 * 1024 * 1024)
#define MAX_REPORTS	200
#define MAX_DEPTH	100000

struct rng {
	uint64_t s;
};

/* One generated request; the body is new, freed by req_free. */
struct req {
	size_t		 idx;
	const char	*kind;		/* the generator, for failure lines */
	const char	*method;
	char		 path[128];
	const char	*ctype;		/* NULL: no Content-Type header */
	bool		 chunked;
	struct buf	 body;
	int		 expect;	/* 0: any of 204, 400, 413 */
	char		 want[256];	/* after a 204: what a GET must hold */
};

struct answer {
	int		 status;
	bool		 json_ct;	/* Content-Type: application/json */
	bool		 close;		/* Connection: close */
	struct buf	 body;
};

struct conn {
	int		 fd;
	struct buf	 in;		/* bytes read past the last answer */
	unsigned	 used;		/* answers read on this connection */
};

static uint64_t	 seed = DEFAULT_SEED;
static size_t	 limit = DEFAULT_LIMIT;
static int	 port;
static const char *token;
static bool	 verbose;
static size_t	 max_other = 20;
static unsigned	 budget_s = 45;

static struct {
	size_t	 sent, s204, s400, s413, other, bad_body, unexpected;
	size_t	 rt_ok, rt_all, io_errors, reports;
} st;

/* ------------------------------------------------------------ utilities */

static void
die(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	fputs("hostile: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

/* Room for n more bytes after b->len (plus the NUL), to write into. */
static void
buf_reserve(struct buf *b, size_t n)
{
	size_t	 cap = b->cap ? b->cap : 64;

	if (b->len + n + 1 <= b->cap)
		return;
	while (cap < b->len + n + 1)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

/* s, times over, with one allocation. */
static void
buf_rep(struct buf *b, const char *s, size_t times)
{
	size_t	 n = strlen(s);

	buf_reserve(b, n * times);
	while (times-- > 0) {
		memcpy(b->data + b->len, s, n);
		b->len += n;
	}
	b->data[b->len] = '\0';
}

/* splitmix64: small, fast, and the same sequence everywhere. */
static uint64_t
rnd(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static size_t
below(struct rng *r, size_t n)
{
	return n == 0 ? 0 : (size_t)(rnd(r) % n);
}

static bool
chance(struct rng *r, unsigned pct)
{
	return below(r, 100) < pct;
}

#define PICK(r, a)	((a)[below((r), sizeof (a) / sizeof (a)[0])])

/* A size between lo and hi, spread evenly over the powers of two. */
static size_t
log_size(struct rng *r, size_t lo, size_t hi)
{
	size_t	 blo = 0, bhi = 0, k, base, n;

	while (((size_t)1 << blo) <= lo)
		blo++;
	while (((size_t)1 << bhi) <= hi)
		bhi++;
	k = blo + below(r, bhi - blo + 1);	/* a bit length */
	base = (size_t)1 << (k - 1);
	n = base + below(r, base);
	return n < lo ? lo : n > hi ? hi : n;
}

/* --------------------------------------------------------- value pools */

/*
 * int64 field values as JSON text, with what Vault's weak typing makes of
 * them: the digits a read shows, or NULL when the write must be refused
 * (out of range, negative, not an integer).
 */
static const struct {
	const char	*text;
	const char	*reads;
} int_edges[] = {
	{ "9223372036854775807", "9223372036854775807" },
	{ "9223372036854775806", "9223372036854775806" },
	{ "9223372036854775808", NULL },
	{ "-9223372036854775808", NULL },
	{ "-9223372036854775807", NULL },
	{ "-9223372036854775809", NULL },
	{ "18446744073709551615", NULL },
	{ "18446744073709551616", NULL },
	{ "99999999999999999999999999999999", NULL },
	{ "0", "0" },
	{ "-0", "0" },
	{ "1", "1" },
	{ "-1", NULL },
	{ "1.5", NULL },
	{ "1e3", NULL },
	{ "1E3", NULL },
	{ "1e+3", NULL },
	{ "-1.5e-3", NULL },
	{ "0.0", NULL },
	{ "1e400", NULL },
	{ "-1e400", NULL },
	{ "1e-400", NULL },
	{ "9223372036854775807.0", NULL },
	{ "\"9223372036854775807\"", "9223372036854775807" },
	{ "\"9223372036854775808\"", NULL },
	{ "\"-9223372036854775808\"", NULL },
	{ "\"0x7fffffffffffffff\"", "9223372036854775807" },
	{ "\"0x7FFFFFFFFFFFFFFF\"", "9223372036854775807" },
	{ "\"0x8000000000000000\"", NULL },
	{ "\"-0x8000000000000000\"", NULL },
	{ "\"0o777777777777777777777\"", "9223372036854775807" },
	{ "\"1000\"", "1000" },
	{ "\"010\"", "8" },
	{ "\"0x10\"", "16" },
	{ "\"0b101\"", "5" },
	{ "\"0o17\"", "15" },
	{ "\"1_000\"", "1000" },
	{ "\"+5\"", "5" },
	{ "\"\"", "0" },
	{ "\" 1\"", NULL },
	{ "\"1 \"", NULL },
	{ "\"1e3\"", NULL },
	{ "\"1.5\"", NULL },
	{ "\"0x\"", NULL },
	{ "\"09\"", NULL },
	{ "\"abc\"", NULL },
	{ "true", "1" },
	{ "false", "0" },
	{ "null", "0" },
	{ "[1]", NULL },
	{ "{}", NULL },
	{ "[]", NULL },
};

/* Strings whose Go encoding on the way out is known. */
static const struct {
	const char	*text;		/* JSON text sent */
	const char	*reads;		/* JSON text a read shows */
} str_edges[] = {
	{ "\"plain\"", "\"plain\"" },
	{ "\"a<b>&c\"", "\"a\\u003cb\\u003e\\u0026c\"" },
	{ "\"\\u003c\"", "\"\\u003c\"" },
	{ "\"\\ud83d\\ude00\"", "\"\xf0\x9f\x98\x80\"" },
	{ "\"\xe2\x82\xac\"", "\"\xe2\x82\xac\"" },
	{ "\"\\u2028\\u2029\"", "\"\\u2028\\u2029\"" },
	{ "\"\\b\\f\\n\\r\\t\"", "\"\\u0008\\u000c\\n\\r\\t\"" },
	{ "\"\\u0001\\u001f\\u007f\"", "\"\\u0001\\u001f\x7f\"" },
	{ "\"\\/\\\\\\\"\"", "\"/\\\\\\\"\"" },
	{ "\"\"", "\"\"" },
	{ "5", "\"5\"" },
	{ "true", "\"1\"" },
	{ "null", "\"\"" },
	{ "-9223372036854775809", "\"-9223372036854775809\"" },
	{ "1e3", "\"1e3\"" },
};

/* rootless values and what Vault's weak typing makes of them. */
static const struct {
	const char	*text;
	const char	*reads;
} bool_edges[] = {
	{ "false", "false" }, { "true", "true" }, { "1", "true" },
	{ "0", "false" }, { "\"1\"", "true" }, { "\"0\"", "false" },
	{ "\"t\"", "true" }, { "\"T\"", "true" }, { "\"TRUE\"", "true" },
	{ "\"True\"", "true" }, { "\"true\"", "true" }, { "\"f\"", "false" },
	{ "\"F\"", "false" }, { "\"FALSE\"", "false" },
	{ "\"False\"", "false" }, { "\"false\"", "false" },
	{ "\"\"", "false" }, { "null", "false" }, { "\"yes\"", NULL },
	{ "\"tRuE\"", NULL }, { "2", NULL }, { "-1", NULL }, { "1.0", NULL },
	{ "\"1.0\"", NULL }, { "[]", NULL }, { "{}", NULL }, { "\" true\"", NULL },
	{ "9223372036854775808", NULL },
};

#define NINT	(sizeof int_edges / sizeof int_edges[0])
#define NSTR	(sizeof str_edges / sizeof str_edges[0])
#define NBOOL	(sizeof bool_edges / sizeof bool_edges[0])
#define NWALK	(2 * NINT + NBOOL)

static const char *const literals[] = {
	"true", "false", "null", "0", "-0", "1", "-1", "1.5", "1e3", "\"1000\"",
	"\"\"", "\"true\"", "\"t\"", "\"yes\"", "2", "\"0x10\"", "[]", "{}",
	"[1]", "{\"a\":1}", "[[]]", "[\"a\"]", "[null]", "{\"\":null}",
	"\"\\u00e9\"", "\"\\ud83d\\ude00\"", "\"runsc\"", "\"/cpulimit/\"",
	"9223372036854775807", "-9223372036854775808", "9223372036854775808",
	"-9223372036854775809", "1E400", "0.000001", "[1,2,3]", "[true,false]",
	"[\"a\",\"b,c\"]", "{\"a\":{\"b\":[]}}",
};

/* Byte sequences that are not UTF-8, or not the shortest form. */
static const char *const bad_utf8[] = {
	"\xc0\xae", "\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf", "\xf0\x80\x80\xaf",
	"\xf8\x88\x80\x80\x80", "\xfc\x84\x80\x80\x80\x80", "\xc0\x80",
	"\xed\xa0\x80", "\xed\xbf\xbf", "\xed\xa0\xbd\xed\xb8\x80",
	"\x80", "\xbf", "\xc2", "\xe2\x82", "\xf0\x9f\x98", "\xf4\x90\x80\x80",
	"\xf5\x80\x80\x80", "\xfe", "\xff", "\xc2\xc2", "\xe2\x28\xa1",
	"\xef\xbb\xbf\xff",
};

/* Escapes, most of them broken or refused. */
static const char *const escapes[] = {
	"\\u0000", "a\\u0000b", "\\u0000\\u0000", "\\ud800", "\\udc00",
	"\\udbff\\udfff", "\\ud800\\u0041", "\\udc00\\ud800", "\\ud83d\\ude00",
	"\\u12", "\\u", "\\uZZZZ", "\\x41", "\\U0041", "\\'", "\\a", "\\0",
	"\\", "\\u00e9", "\\uFFFF", "\\uFEFF", "\\u0001", "\\u001F",
	"\\u0000\\ud800", "\\\\u0000",
};

/* Numbers JSON does not allow. */
static const char *const bad_numbers[] = {
	"01", "-", "1.", ".5", "1e", "+1", "--1", "1e+", "0x10", "NaN",
	"Infinity", "-Infinity", "1.0e", "00", "-01", "1ee2", "1e1.5", "0.e1",
	"- 1", "1_000", "\xd9\xa3", "TRUE", "nul", "tru", "True", "None",
};

/*
 * Tops that are not one JSON object, and the status they get: empty and
 * null are no fields (204 on the runtime catalog); bytes after the value
 * are refused (a documented difference: Vault ignores them).
 */
#define TOP(s, status)	{ s, sizeof s - 1, status }
static const struct {
	const char	*text;
	size_t		 len;
	int		 status;
} tops[] = {
	TOP("[]", 400), TOP("[{}]", 400), TOP("\"s\"", 400), TOP("1", 400),
	TOP("-1", 400), TOP("1e3", 400), TOP("true", 400), TOP("false", 400),
	TOP("null", 204), TOP("", 204), TOP("   ", 204), TOP("\r\n\t ", 204),
	TOP(" null ", 204), TOP("{}", 204), TOP(" {} ", 204),
	TOP("{} x", 400), TOP("{}{}", 400), TOP("{} {}", 400),
	TOP("{}]", 400), TOP("{}\0", 400), TOP("\0{}", 400),
	TOP("\xef\xbb\xbf{}", 400), TOP("{", 400), TOP("}", 400),
	TOP("{\"a\"}", 400), TOP("{\"a\":}", 400), TOP("{\"a\" 1}", 400),
	TOP("{,}", 400), TOP("{\"a\":1,}", 400), TOP("{'a':1}", 400),
	TOP("{a:1}", 400), TOP("{\"a\":1 \"b\":2}", 400), TOP("nul", 400),
	TOP("[", 400), TOP("\"", 400), TOP("{\"a\":\"}", 400),
	TOP("/* c */{}", 400), TOP("{} // c", 400), TOP("{\"a\":1}\x1a", 400),
	TOP("\0", 400), TOP("{\0}", 400), TOP("{\"cpu_nanos\":1}null", 400),
	TOP("0{}", 400), TOP("{\"a\":1}\n\n{", 400),
};

static const char *const unknown_keys[] = {
	"zzz", "", " ", "CPU_NANOS", "cpu_nanos ", "cpu", "memory", "rootlesss",
	"\\u0063pu_nanos", "__proto__", "constructor", "list", "help", "type",
	"name", "a.b", "a/b", "\xe2\x82\xac", "x-y", "0", "data", "errors",
};

static const char *const versions[] = {
	"v1.0.0", "1.2.3", "1.2", "1", "v1", "v1.2.3-alpha.1+build.5",
	"1.2.3-01", "1.2.3-", "1.2.3+", "v", "", "1.2.3.4", "01.2.3",
	"99999999999999999999.0.0", "1.2.3-alpha..1", "1.2.3+builtin",
	"v1.0.0+builtin.vault", "\xe2\x82\xac", "1.2.3-\\u0000", " 1.2.3",
	"1.2.3 ", "-1.2.3", "1.-2.3", "1.2.3-a.b.c.d.e.f.g.h",
	"18446744073709551616.1.1",
};

static const char *const policy_texts[] = {
	"path \"sys/*\" { capabilities = [\"read\"] }",
	"path \"a\" { capabilities = [\"deny\", \"sudo\"] }\n# c\n// c\n/* c */",
	"path \"a\" { capabilities = [\"read\"",
	"path \"a\" {",
	"path {",
	"path \"a\" { capabilities = \"read\" }",
	"path \"a\" { capabilities = [read] }",
	"path \"a\" { capabilities = [\"fly\"] }",
	"path \"a\" { allowed_parameters = { \"x\" = [] } }",
	"/* unterminated",
	"path \"a\" { capabilities = [\"read\"] } }",
	"{\"path\":{\"a\":{\"capabilities\":[\"read\"]}}}",
	"{\"path\":{\"a\":{\"capabilities\":\"read\"}}}",
	"{\"path\":[]}",
	"{\"path\":{\"a\":{\"capabilities\":[\"read\"],\"x\":1}}}",
	"cGF0aCAiYSIgeyBjYXBhYmlsaXRpZXMgPSBbInJlYWQiXSB9",
	"====",
	"path \"\\u0000\" { capabilities = [\"read\"] }",
	"path \"a\" { capabilities = [\"read\"] }\npath \"a\" { capabilities = [\"list\"] }",
	"path \"+/+/*\" { capabilities = [\"read\"] }",
	"path \"\" { capabilities = [] }",
	"path = 1",
	"\"",
	"#",
	"",
};

/* ------------------------------------------------------------ builders */

static const char *const rt_fields[] = {
	"oci_runtime", "cgroup_parent", "cpu_nanos", "memory_bytes", "rootless",
	"name", "type",
};
static const char *const pol_fields[] = { "policy", "name" };
static const char *const plug_fields[] = {
	"sha256", "sha_256", "command", "args", "env", "version", "oci_image",
	"runtime", "name", "type",
};

enum target { T_RUNTIME, T_POLICY, T_PLUGIN };

struct gen {
	struct rng		 r;
	struct req		*q;
	enum target		 t;
	const char *const	*fields;
	size_t			 nfields;
};

/* Optional blank space between tokens. */
static void
ws(struct gen *g, struct buf *b)
{
	static const char *const blanks[] = { " ", "\n", "\t", "\r\n", "  " };

	if (chance(&g->r, 15))
		buf_adds(b, PICK(&g->r, blanks));
}

static void
rand_ascii(struct gen *g, struct buf *b, size_t n)
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRS"
	    "TUVWXYZ0123456789 ./-_:<>&+*%$#@!~|^'`?=,;()[]{}";

	while (n-- > 0)
		buf_addc(b, set[below(&g->r, sizeof set - 1)]);
}

/* Nested arrays or objects, depth levels, around an inner value. */
static void
nested(struct gen *g, struct buf *b, size_t depth, bool balanced,
    bool arrays)
{
	size_t	 form = below(&g->r, 4);

	if (arrays && form == 1)	/* keep the top an array */
		form = 0;
	switch (form) {
	case 0:
		buf_rep(b, "[", depth);
		if (balanced)
			buf_rep(b, "]", depth);
		break;
	case 1:
		buf_rep(b, "{\"a\":", depth);
		buf_adds(b, "1");
		if (balanced)
			buf_rep(b, "}", depth);
		break;
	case 2:
		buf_rep(b, "[{\"a\":", depth / 2 + 1);
		buf_adds(b, "null");
		if (balanced)
			buf_rep(b, "}]", depth / 2 + 1);
		break;
	default:
		buf_rep(b, "[1,", depth);
		buf_adds(b, "2");
		if (balanced)
			buf_rep(b, "]", depth);
		break;
	}
}

static size_t
nest_depth(struct gen *g)
{
	static const size_t fixed[] = {
		1, 2, 10, 100, 1000, 2047, 2048, 2049, 4096, 10000, 10001,
		50000, MAX_DEPTH,
	};

	return chance(&g->r, 50) ? PICK(&g->r, fixed) :
	    log_size(&g->r, 1, MAX_DEPTH);
}

/* Text as a JSON string: quotes, backslashes and newlines escaped. */
static void
quoted(struct buf *b, const char *p)
{
	buf_addc(b, '"');
	for (; *p != '\0'; p++) {
		if (*p == '\n')
			buf_adds(b, "\\n");
		else {
			if (*p == '"' || *p == '\\')
				buf_addc(b, '\\');
			buf_addc(b, *p);
		}
	}
	buf_addc(b, '"');
}

/* A JSON value of any kind, most of them odd for the field's type. */
static void
value(struct gen *g, struct buf *b, const char *field, int budget)
{
	uint64_t v;
	size_t	 i, n;

	switch (below(&g->r, 10)) {
	case 0:
		buf_adds(b, PICK(&g->r, int_edges).text);
		break;
	case 1:
		buf_adds(b, PICK(&g->r, str_edges).text);
		break;
	case 2:
	case 3:
		buf_adds(b, PICK(&g->r, literals));
		break;
	case 4:
		buf_addc(b, '"');
		if (strcmp(field, "version") == 0)
			buf_adds(b, PICK(&g->r, versions));
		else if (strcmp(field, "sha256") == 0 ||
		    strcmp(field, "sha_256") == 0)
			for (i = below(&g->r, 70); i > 0; i--)
				buf_addc(b, "0123456789abcdefABCDEFg"[
				    below(&g->r, 23)]);
		else
			rand_ascii(g, b, below(&g->r, 40));
		buf_addc(b, '"');
		break;
	case 5:
		if (strcmp(field, "policy") == 0)
			quoted(b, PICK(&g->r, policy_texts));
		else if (strcmp(field, "version") == 0)
			quoted(b, PICK(&g->r, versions));
		else {
			buf_addc(b, '"');
			buf_adds(b, PICK(&g->r, escapes));
			buf_addc(b, '"');
		}
		break;
	case 6:
		if (budget <= 0) {
			buf_adds(b, "null");
			break;
		}
		buf_addc(b, '[');
		n = below(&g->r, 4);
		for (i = 0; i < n; i++) {
			if (i > 0)
				buf_addc(b, ',');
			ws(g, b);
			value(g, b, field, budget - 1);
		}
		buf_addc(b, ']');
		break;
	case 7:
		if (budget <= 0) {
			buf_adds(b, "{}");
			break;
		}
		buf_addc(b, '{');
		n = below(&g->r, 3);
		for (i = 0; i < n; i++) {
			if (i > 0)
				buf_addc(b, ',');
			buf_printf(b, "\"k%zu\":", i);
			value(g, b, field, budget - 1);
		}
		buf_addc(b, '}');
		break;
	case 8:
		buf_addc(b, '"');
		rand_ascii(g, b, log_size(&g->r, 1, 4096));
		buf_addc(b, '"');
		break;
	default:
		/* One draw per statement: C leaves the order of operands open. */
		v = rnd(&g->r);
		buf_printf(b, "%" PRId64, (int64_t)v >> below(&g->r, 63));
		break;
	}
}

static const char *
field_name(struct gen *g)
{
	if (chance(&g->r, 12))
		return PICK(&g->r, unknown_keys);
	return g->fields[below(&g->r, g->nfields)];
}

/* {"f":v, ...} with k fields; known field names mostly. */
static void
object(struct gen *g, struct buf *b, size_t k)
{
	const char	*used[16];
	size_t		 i, j, n = 0;

	buf_addc(b, '{');
	for (i = 0; i < k && n < 16; i++) {
		const char *f = field_name(g);

		for (j = 0; j < n && strcmp(used[j], f) != 0; j++)
			;
		if (j < n)	/* duplicates are gen_dup's business */
			continue;
		if (n > 0)
			buf_addc(b, ',');
		used[n++] = f;
		ws(g, b);
		buf_printf(b, "\"%s\"", f);
		ws(g, b);
		buf_addc(b, ':');
		ws(g, b);
		value(g, b, f, 2);
		ws(g, b);
	}
	buf_addc(b, '}');
}

/* Offsets just inside string literals of a JSON text (after a quote). */
static size_t
string_spot(struct gen *g, const struct buf *b)
{
	size_t	 spots[64], n = 0, i;
	bool	 in = false;

	for (i = 0; i < b->len && n < 64; i++) {
		if (in && b->data[i] == '\\') {
			i++;
			continue;
		}
		if (b->data[i] == '"') {
			in = !in;
			if (in)
				spots[n++] = i + 1;
		}
	}
	return n == 0 ? 1 : spots[below(&g->r, n)];
}

static void
insert_at(struct buf *b, size_t at, const char *s, size_t n)
{
	if (at > b->len)
		at = b->len;
	buf_reserve(b, n);
	memmove(b->data + at + n, b->data + at, b->len - at);
	memcpy(b->data + at, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/* ---------------------------------------------------------- generators */

static void
base64(struct buf *b, const char *p, size_t n)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrs"
	    "tuvwxyz0123456789+/";
	size_t	 i;
	uint32_t v;

	for (i = 0; i < n; i += 3) {
		v = (uint32_t)(unsigned char)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)(unsigned char)p[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)p[i + 2];
		buf_addc(b, set[v >> 18 & 63]);
		buf_addc(b, set[v >> 12 & 63]);
		buf_addc(b, i + 1 < n ? set[v >> 6 & 63] : '=');
		buf_addc(b, i + 2 < n ? set[v & 63] : '=');
	}
}

/* A policy that parses: path blocks with patterns and capabilities. */
static void
policy_text(struct gen *g, struct buf *b, bool as_json)
{
	static const char *const segs[] = { "sys", "plugins", "runtimes",
	    "catalog", "container", "+", "a.b", "x-y", "auth", "token" };
	static const char *const caps[] = { "create", "read", "update",
	    "patch", "delete", "list", "sudo", "deny" };
	size_t	 n = 1 + below(&g->r, 4), i, k, c;

	if (as_json)
		buf_adds(b, "{\"path\":{");
	for (i = 0; i < n; i++) {
		if (as_json)
			buf_adds(b, i > 0 ? ",\"" : "\"");
		else
			buf_adds(b, "path \"");
		for (k = below(&g->r, 5); k > 0; k--) {
			buf_adds(b, PICK(&g->r, segs));
			buf_adds(b, "/");
		}
		buf_adds(b, chance(&g->r, 50) ? "*" : PICK(&g->r, segs));
		buf_adds(b, as_json ? "\":{\"capabilities\":[" :
		    "\" {\n  capabilities = [");
		for (c = 0, k = below(&g->r, 4); c <= k; c++)
			buf_printf(b, "%s\"%s\"", c > 0 ? ", " : "",
			    PICK(&g->r, caps));
		buf_adds(b, as_json ? "]}" : "]\n}\n# end\n");
	}
	if (as_json)
		buf_adds(b, "}}");
}

/* Values a field accepts, for bodies that get past the conversion. */
static void
good_value(struct gen *g, struct buf *b, const char *f)
{
	struct buf	 t;
	size_t		 i, n;

	if (strcmp(f, "cpu_nanos") == 0 || strcmp(f, "memory_bytes") == 0) {
		if (chance(&g->r, 30))
			buf_adds(b, int_edges[below(&g->r, 2)].text);
		else
		{
			uint64_t v = rnd(&g->r);

			buf_printf(b, "%" PRIu64, v >> (1 + below(&g->r, 63)));
		}
	} else if (strcmp(f, "rootless") == 0)
		buf_adds(b, bool_edges[below(&g->r, 18)].text);
	else if (strcmp(f, "policy") == 0) {
		buf_init(&t);
		policy_text(g, &t, chance(&g->r, 30));
		if (chance(&g->r, 20)) {
			struct buf	 e;

			buf_init(&e);
			base64(&e, t.data, t.len);
			quoted(b, e.data);
			buf_free(&e);
		} else
			quoted(b, t.data);
		buf_free(&t);
	} else if (strcmp(f, "sha256") == 0 || strcmp(f, "sha_256") == 0) {
		buf_addc(b, '"');
		for (i = 0; i < 64; i++)
			buf_addc(b, "0123456789abcdef"[below(&g->r, 16)]);
		buf_addc(b, '"');
	} else if (strcmp(f, "version") == 0)
		quoted(b, versions[below(&g->r, 6)]);
	else if (strcmp(f, "args") == 0 || strcmp(f, "env") == 0) {
		buf_addc(b, '[');
		for (i = 0, n = below(&g->r, 4); i < n; i++) {
			buf_adds(b, i > 0 ? ",\"" : "\"");
			rand_ascii(g, b, below(&g->r, 12));
			buf_addc(b, '"');
		}
		buf_addc(b, ']');
	} else if (strcmp(f, "runtime") == 0)
		buf_printf(b, "\"h-%zu\"", below(&g->r, 97));
	else if (strcmp(f, "command") == 0 || strcmp(f, "oci_image") == 0)
		buf_printf(b, "\"%s-%zu\"", f, below(&g->r, 5));
	else if (chance(&g->r, 50))
		buf_adds(b, str_edges[below(&g->r, NSTR)].text);
	else {
		buf_addc(b, '"');
		rand_ascii(g, b, below(&g->r, 30));
		buf_addc(b, '"');
	}
}

/*
 * Objects of the endpoint's fields: half of them with values each field
 * accepts (so that the handlers and the storage run), half anything.
 */
static void
gen_fields(struct gen *g)
{
	struct buf	*b = &g->q->body;
	size_t		 i;
	bool		 first = true;

	if (chance(&g->r, 50)) {
		object(g, b, below(&g->r, 8));
		return;
	}
	buf_addc(b, '{');
	for (i = 0; i < g->nfields; i++) {
		if (strcmp(g->fields[i], "name") == 0 ||
		    strcmp(g->fields[i], "type") == 0 ||
		    strcmp(g->fields[i], "sha_256") == 0 ||
		    (chance(&g->r, 25) && strcmp(g->fields[i], "policy") != 0))
			continue;
		buf_printf(b, "%s\"%s\":", first ? "" : ",", g->fields[i]);
		good_value(g, b, g->fields[i]);
		first = false;
	}
	if (chance(&g->r, 10))
		buf_printf(b, "%s\"unknown_%zu\":1", first ? "" : ",",
		    below(&g->r, 9));
	buf_addc(b, '}');
}

/*
 * int64 edges in cpu_nanos and memory_bytes, with an oci_runtime string
 * and a rootless value whose results are known: refused exactly when one
 * value is, else read back.  The first NWALK requests walk every int64
 * edge in each field and every bool edge, the others valid.
 */
static void
gen_edge(struct gen *g)
{
	struct req	*q = g->q;
	size_t		 c = below(&g->r, NINT), m = below(&g->r, NINT);
	size_t		 s = below(&g->r, NSTR), r = below(&g->r, NBOOL);

	if (q->idx < NWALK) {
		c = m = 0;
		r = 1;
		if (q->idx < NINT)
			c = q->idx;
		else if (q->idx < 2 * NINT)
			m = q->idx - NINT;
		else
			r = q->idx - 2 * NINT;
	}
	g->t = T_RUNTIME;
	q->ctype = NULL;
	snprintf(q->path, sizeof q->path,
	    "/v1/sys/plugins/runtimes/catalog/container/edge-%zu", q->idx);
	buf_printf(&q->body, "{\"cpu_nanos\":%s,\"memory_bytes\":%s,"
	    "\"oci_runtime\":%s,\"rootless\":%s}", int_edges[c].text,
	    int_edges[m].text, str_edges[s].text, bool_edges[r].text);
	if (int_edges[c].reads == NULL || int_edges[m].reads == NULL ||
	    bool_edges[r].reads == NULL)
		q->expect = 400;
	else {
		q->expect = 204;
		snprintf(q->want, sizeof q->want, "\"cpu_nanos\":%s,"
		    "\"memory_bytes\":%s,\"name\":\"edge-%zu\","
		    "\"oci_runtime\":%s,\"rootless\":%s,\"type\":\"container\"}",
		    int_edges[c].reads, int_edges[m].reads, q->idx,
		    str_edges[s].reads, bool_edges[r].reads);
	}
}

static void
gen_nest(struct gen *g)
{
	struct buf	*b = &g->q->body;
	size_t		 d = nest_depth(g);
	bool		 balanced = chance(&g->r, 85);
	const char	*f;

	if (g->q->idx % 500 == 250)	/* ten of the deepest, certainly */
		d = MAX_DEPTH;
	if (chance(&g->r, 25)) {	/* the nesting is the top level */
		nested(g, b, d, balanced, true);
		g->q->expect = 400;
		return;
	}
	f = chance(&g->r, 50) ? "zzz" : field_name(g);
	buf_printf(b, "{\"%s\":", f);
	nested(g, b, d, balanced, false);
	buf_addc(b, '}');
	/*
	 * Go refuses more than 10,000 levels and so does catalogd (it stops
	 * at fewer); below that, only the field decides.
	 */
	if (!balanced || d > 10000)
		g->q->expect = 400;
	else if (g->t == T_RUNTIME && (strcmp(f, "cpu_nanos") == 0 ||
	    strcmp(f, "memory_bytes") == 0 || strcmp(f, "rootless") == 0 ||
	    strcmp(f, "oci_runtime") == 0 || strcmp(f, "cgroup_parent") == 0))
		g->q->expect = 400;
}

static void
gen_utf8(struct gen *g)
{
	struct buf	*b = &g->q->body;
	const char	*bad = PICK(&g->r, bad_utf8);
	size_t		 at;

	object(g, b, 1 + below(&g->r, 4));
	if (chance(&g->r, 30)) {	/* a key made of it */
		at = 1;
		insert_at(b, at, "\"", 1);
		insert_at(b, at + 1, bad, strlen(bad));
		insert_at(b, at + 1 + strlen(bad), "\":1,", 4);
	} else {
		at = string_spot(g, b);
		insert_at(b, at, bad, strlen(bad));
	}
	g->q->expect = 400;
}

static void
gen_escape(struct gen *g)
{
	struct buf	*b = &g->q->body;
	const char	*e = PICK(&g->r, escapes);

	object(g, b, 1 + below(&g->r, 4));
	insert_at(b, string_spot(g, b), e, strlen(e));
	if (strstr(e, "\\u0000") != NULL && strstr(e, "\\\\u0000") == NULL)
		g->q->expect = 400;
}

static void
gen_dup(struct gen *g)
{
	struct buf	*b = &g->q->body;
	const char	*f = field_name(g);

	switch (below(&g->r, 4)) {
	case 0:
		buf_printf(b, "{\"%s\":1,\"%s\":2}", f, f);
		break;
	case 1:
		buf_printf(b, "{\"%s\":\"a\",\"x\":1,\"%s\":\"a\"}", f, f);
		break;
	case 2:
		buf_printf(b, "{\"z\":{\"%s\":[],\"%s\":[]}}", f, f);
		break;
	default:	/* the same key, once escaped */
		buf_adds(b, "{\"cpu_nanos\":1,\"cpu_n\\u0061nos\":1}");
		break;
	}
	g->q->expect = 400;
}

static void
gen_top(struct gen *g)
{
	size_t	 i = below(&g->r, sizeof tops / sizeof tops[0]);

	buf_add(&g->q->body, tops[i].text, tops[i].len);
	if (g->t == T_RUNTIME || tops[i].status == 400)
		g->q->expect = tops[i].status;
}

static void
gen_number(struct gen *g)
{
	const char	*f = field_name(g);

	buf_printf(&g->q->body, "{\"%s\":%s}", f, PICK(&g->r, bad_numbers));
	g->q->expect = 400;
}

static void
gen_mutate(struct gen *g)
{
	struct buf	*b = &g->q->body;
	size_t		 k, at, n;
	char		 c;

	object(g, b, 1 + below(&g->r, 6));
	for (k = 1 + below(&g->r, 8); k > 0 && b->len > 0; k--) {
		at = below(&g->r, b->len);
		switch (below(&g->r, 5)) {
		case 0:
			b->data[at] ^= (char)(1u << below(&g->r, 8));
			break;
		case 1:
			c = (char)below(&g->r, 256);
			insert_at(b, at, &c, 1);
			break;
		case 2:
			memmove(b->data + at, b->data + at + 1,
			    b->len - at - 1);
			b->data[--b->len] = '\0';
			break;
		case 3:
			n = below(&g->r, b->len - at) + 1;
			if (n > 64)
				n = 64;
			{
				char tmp[64];

				memcpy(tmp, b->data + at, n);
				insert_at(b, below(&g->r, b->len), tmp, n);
			}
			break;
		default:
			b->len = at;
			b->data[at] = '\0';
			break;
		}
	}
}

static void
gen_form(struct gen *g)
{
	static const char *const vals[] = {
		"1", "%zz", "%", "%0", "%00", "%C0%AE", "%ED%A0%80", "%FF",
		"a+b", "%2B", "9223372036854775807", "9223372036854775808",
		"-9223372036854775808", "1.5", "1e3", "0x10", "010", "true",
		"t", "yes", "", "%E2%82%AC", "%e2%82", "a%26b%3Dc", "%0A",
		"%5Cu0000", "{}", "[1]", "%22",
	};
	static const char *const ctypes[] = {
		"application/x-www-form-urlencoded",
		"application/x-www-form-urlencoded; charset=utf-8",
		"APPLICATION/X-WWW-FORM-URLENCODED",
		" application/x-www-form-urlencoded ; q=1",
	};
	struct buf	*b = &g->q->body;
	size_t		 k = below(&g->r, 6), i;

	g->q->ctype = PICK(&g->r, ctypes);
	if (chance(&g->r, 5))
		buf_adds(b, "  ");
	for (i = 0; i < k; i++) {
		if (i > 0)
			buf_adds(b, chance(&g->r, 90) ? "&" :
			    chance(&g->r, 50) ? ";" : "&&");
		buf_adds(b, chance(&g->r, 10) ? PICK(&g->r, vals) :
		    field_name(g));
		if (chance(&g->r, 95))
			buf_addc(b, '=');
		if (chance(&g->r, 5))
			rand_ascii(g, b, log_size(&g->r, 1, 20000));
		else
			buf_adds(b, PICK(&g->r, vals));
	}
}

static void
gen_ctrl(struct gen *g)
{
	struct buf	*b = &g->q->body;
	char		 c = (char)below(&g->r, 32);

	object(g, b, 1 + below(&g->r, 4));
	if (c == '\t' || c == '\n' || c == '\r' || chance(&g->r, 20))
		c = chance(&g->r, 50) ? '\0' : 0x7f;
	if (c == 0x7f) {	/* DEL is allowed in a JSON string */
		insert_at(b, string_spot(g, b), &c, 1);
		return;
	}
	insert_at(b, string_spot(g, b), &c, 1);
	g->q->expect = 400;
}

static void
gen_bigstr(struct gen *g)
{
	struct buf	*b = &g->q->body;
	const char	*f = field_name(g);
	size_t		 n = log_size(&g->r, 1024, limit / 4);

	buf_printf(b, "{\"%s\":\"", f);
	if (chance(&g->r, 50))
		rand_ascii(g, b, n);
	else
		buf_rep(b, "\xe2\x82\xac", n / 3); /* the cut must respect it */
	buf_adds(b, "\"}");
}

/* Over the limit: a 1 MiB string, padding, or a chunked body. */
static void
gen_huge(struct gen *g)
{
	struct buf	*b = &g->q->body;

	switch (g->q->idx / 700 % 3) {
	case 0:
		buf_adds(b, "{\"oci_runtime\":\"");
		buf_rep(b, "a", 1024 * 1024);
		buf_adds(b, "\"}");
		break;
	case 1:
		buf_adds(b, "{}");
		buf_rep(b, " ", limit - 1);
		break;
	default:
		buf_adds(b, "{\"cgroup_parent\":\"");
		buf_rep(b, "\xe2\x82\xac", limit / 3 + 1);
		buf_adds(b, "\"}");
		g->q->chunked = true;
		break;
	}
	if (b->len <= limit)
		buf_rep(b, " ", limit + 1 - b->len);
	g->q->expect = 413;
}

/* Exactly at the limit: accepted. */
static void
gen_at_limit(struct gen *g)
{
	struct buf	*b = &g->q->body;

	g->t = T_RUNTIME;
	if (g->q->idx / 1250 % 2 == 0) {
		buf_adds(b, "{}");
		buf_rep(b, " ", limit - 2);
	} else {
		buf_adds(b, "{\"oci_runtime\":\"");
		buf_rep(b, "b", limit - 18);
		buf_adds(b, "\"}");
	}
	g->q->expect = 204;
}

static const struct {
	const char	*name;
	void		(*fn)(struct gen *);
	unsigned	 weight;
} kinds[] = {
	{ "fields", gen_fields, 20 },
	{ "edge", gen_edge, 10 },
	{ "nest", gen_nest, 8 },
	{ "utf8", gen_utf8, 8 },
	{ "escape", gen_escape, 8 },
	{ "dup", gen_dup, 5 },
	{ "top", gen_top, 8 },
	{ "number", gen_number, 5 },
	{ "mutate", gen_mutate, 12 },
	{ "form", gen_form, 8 },
	{ "ctrl", gen_ctrl, 4 },
	{ "bigstr", gen_bigstr, 2 },
};

/* Request i, from the seed alone. */
static void
generate(size_t i, struct req *q)
{
	static const char *const plugin_types[] = { "auth", "database",
	    "secret" };
	static const char *const json_ctypes[] = { "application/json",
	    "application/json; charset=utf-8", "text/plain",
	    "application/x-www-form-urlencoded" };
	struct gen	 g;
	const char	*ptype;
	unsigned	 total = 0, w;
	size_t		 k;

	memset(q, 0, sizeof *q);
	buf_init(&q->body);
	memset(&g, 0, sizeof g);
	q->idx = i;
	g.q = q;
	g.r.s = seed ^ ((uint64_t)(i + 1) * 0xd1342543de82ef95ULL);
	(void)rnd(&g.r);
	q->method = chance(&g.r, 50) ? "PUT" : "POST";
	w = (unsigned)below(&g.r, 100);
	g.t = w < 70 ? T_RUNTIME : w < 85 ? T_POLICY : T_PLUGIN;
	switch (g.t) {
	case T_RUNTIME:
		g.fields = rt_fields;
		g.nfields = sizeof rt_fields / sizeof rt_fields[0];
		snprintf(q->path, sizeof q->path,
		    "/v1/sys/plugins/runtimes/catalog/container/h-%zu",
		    below(&g.r, 97));
		break;
	case T_POLICY:
		g.fields = pol_fields;
		g.nfields = sizeof pol_fields / sizeof pol_fields[0];
		if (chance(&g.r, 3))
			snprintf(q->path, sizeof q->path,
			    "/v1/sys/policies/acl/%s", chance(&g.r, 50) ?
			    "root" : "default");
		else
			snprintf(q->path, sizeof q->path,
			    "/v1/sys/policies/acl/hp-%zu", below(&g.r, 31));
		break;
	default:
		g.fields = plug_fields;
		g.nfields = sizeof plug_fields / sizeof plug_fields[0];
		ptype = PICK(&g.r, plugin_types);
		snprintf(q->path, sizeof q->path,
		    "/v1/sys/plugins/catalog/%s/pl-%zu", ptype,
		    below(&g.r, 31));
		break;
	}
	if (chance(&g.r, 40))
		q->ctype = PICK(&g.r, json_ctypes);

	if (i < NWALK) {
		q->kind = "edge";
		gen_edge(&g);
	} else if (i % 700 == 350) {
		q->kind = "huge";
		gen_huge(&g);
	} else if (i % 1250 == 600) {
		q->kind = "at-limit";
		gen_at_limit(&g);
		snprintf(q->path, sizeof q->path,
		    "/v1/sys/plugins/runtimes/catalog/container/limit-%zu", i);
	} else if (i % 500 == 250) {
		q->kind = "nest";
		gen_nest(&g);
	} else {
		for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
			total += kinds[k].weight;
		w = (unsigned)below(&g.r, total);
		for (k = 0; w >= kinds[k].weight; k++)
			w -= kinds[k].weight;
		q->kind = kinds[k].name;
		kinds[k].fn(&g);
	}
	/* A form Content-Type over a body that starts with '{' is JSON. */
	if (strcmp(q->kind, "form") != 0 && q->ctype != NULL &&
	    strncasecmp(q->ctype, "application/x-www-form", 22) == 0) {
		for (k = 0; k < q->body.len && strchr(" \t\r\n",
		    q->body.data[k]) != NULL; k++)
			;
		if (k == q->body.len || (q->body.data[k] != '{' &&
		    q->body.data[k] != '['))
			q->ctype = "application/json";
	}
	if (!q->chunked && q->body.len < 65536 && chance(&g.r, 3))
		q->chunked = true;
	/* Only the runtime catalog's outcomes are pinned beyond parsing. */
	if (g.t != T_RUNTIME && q->expect == 204)
		q->expect = 0;
}

static void
req_free(struct req *q)
{
	buf_free(&q->body);
}

/* ---------------------------------------------------------------- HTTP */

/* Forgets what was read: the header search must not see old bytes. */
static void
in_reset(struct conn *c)
{
	c->in.len = 0;
	if (c->in.data != NULL)
		c->in.data[0] = '\0';
}

static int
conn_open(struct conn *c)
{
	struct sockaddr_in	 sin;
	int			 one = 1;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((c->fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(c->fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	in_reset(c);
	c->used = 0;
	return 0;
}

static void
conn_close(struct conn *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	in_reset(c);
}

/* Reads more bytes into c->in before the deadline; 0 at EOF, -1 on error. */
static ssize_t
fill(struct conn *c, int64_t deadline)
{
	struct pollfd	 pfd = { .fd = c->fd, .events = POLLIN };
	ssize_t		 n;
	int64_t		 left;

	for (;;) {
		if ((left = deadline - now_ms()) <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (poll(&pfd, 1, (int)left) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (pfd.revents == 0)
			continue;
		buf_reserve(&c->in, 65536);
		n = read(c->fd, c->in.data + c->in.len, 65536);
		if (n == -1 && errno == EINTR)
			continue;
		if (n > 0) {
			c->in.len += (size_t)n;
			c->in.data[c->in.len] = '\0';
		}
		return n;
	}
}

static void
consume(struct buf *b, size_t n)
{
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = '\0';
}

/* Writes the request; stops early (and says so) if an answer arrives. */
static int
send_all(struct conn *c, const struct buf *out, int64_t deadline,
    bool *early)
{
	struct pollfd	 pfd = { .fd = c->fd, .events = POLLIN | POLLOUT };
	size_t		 off = 0;
	ssize_t		 n;
	int64_t		 left;

	*early = false;
	while (off < out->len) {
		if ((left = deadline - now_ms()) <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (poll(&pfd, 1, (int)left) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (pfd.revents & POLLIN) {
			*early = off > 0;
			return off > 0 ? 0 : -1;
		}
		if (pfd.revents & (POLLERR | POLLHUP))
			return -1;
		if (!(pfd.revents & POLLOUT))
			continue;
		n = send(c->fd, out->data + off, out->len - off, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		off += (size_t)n;
	}
	return 0;
}

static bool
header_is(const char *line, size_t n, const char *name, const char **val)
{
	size_t	 k = strlen(name);

	if (n < k + 1 || strncasecmp(line, name, k) != 0 || line[k] != ':')
		return false;
	for (*val = line + k + 1; **val == ' ' || **val == '\t'; (*val)++)
		;
	return true;
}

/*
 * Reads one answer: the status, the headers that matter and the body
 * (Content-Length, chunked, or up to EOF).  0 on success; -1 with
 * *nothing set when the connection closed before any byte came.
 */
static int
read_answer(struct conn *c, struct answer *a, int64_t deadline,
    bool *nothing)
{
	char		*end, *line, *eol;
	const char	*v;
	size_t		 head, clen = 0;
	bool		 have_clen = false, chunked = false;
	ssize_t		 n;

	*nothing = false;
	memset(a, 0, sizeof *a);
	buf_init(&a->body);
	while ((end = strstr(c->in.data, "\r\n\r\n")) == NULL) {
		if (c->in.len > 65536)
			return -1;
		if ((n = fill(c, deadline)) <= 0) {
			*nothing = n == 0 && c->in.len == 0;
			return -1;
		}
	}
	head = (size_t)(end - c->in.data) + 4;
	if (sscanf(c->in.data, "HTTP/1.%*1d %3d", &a->status) != 1)
		return -1;
	for (line = strstr(c->in.data, "\r\n") + 2; line < end;
	    line = eol + 2) {
		eol = strstr(line, "\r\n");
		if (header_is(line, (size_t)(eol - line), "Content-Length",
		    &v)) {
			clen = strtoul(v, NULL, 10);
			have_clen = true;
		} else if (header_is(line, (size_t)(eol - line),
		    "Transfer-Encoding", &v))
			chunked = strncasecmp(v, "chunked", 7) == 0;
		else if (header_is(line, (size_t)(eol - line), "Connection",
		    &v))
			a->close = strncasecmp(v, "close", 5) == 0;
		else if (header_is(line, (size_t)(eol - line), "Content-Type",
		    &v))
			a->json_ct = strncasecmp(v, "application/json", 16) ==
			    0;
	}
	if (strncmp(c->in.data, "HTTP/1.0", 8) == 0)
		a->close = true;
	consume(&c->in, head);
	if (a->status == 204 || a->status == 304 || (a->status >= 100 &&
	    a->status < 200))
		return 0;
	if (chunked) {
		for (;;) {
			size_t	 sz;
			char	*nl;

			while ((nl = strstr(c->in.data, "\r\n")) == NULL)
				if (fill(c, deadline) <= 0)
					return -1;
			sz = strtoul(c->in.data, NULL, 16);
			consume(&c->in, (size_t)(nl - c->in.data) + 2);
			if (a->body.len + sz > MAX_ANSWER)
				return -1;
			while (c->in.len < sz + 2)
				if (fill(c, deadline) <= 0)
					return -1;
			buf_add(&a->body, c->in.data, sz);
			consume(&c->in, sz + 2);
			if (sz == 0)
				return 0;
		}
	}
	if (have_clen) {
		if (clen > MAX_ANSWER)
			return -1;
		while (c->in.len < clen)
			if (fill(c, deadline) <= 0)
				return -1;
		buf_add(&a->body, c->in.data, clen);
		consume(&c->in, clen);
		return 0;
	}
	a->close = true;
	while ((n = fill(c, deadline)) > 0)
		if (c->in.len > MAX_ANSWER)
			return -1;
	if (n < 0)
		return -1;
	buf_add(&a->body, c->in.data, c->in.len);
	in_reset(c);
	return 0;
}

/* The request's bytes: head, then the body as is or in chunks. */
static void
render(const struct req *q, const char *method, const char *path,
    bool with_body, struct buf *out)
{
	size_t	 off, n, step;

	buf_printf(out, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
	    "X-Vault-Token: %s\r\n", method, path, port, token);
	if (!with_body) {
		buf_adds(out, "\r\n");
		return;
	}
	if (q->ctype != NULL)
		buf_printf(out, "Content-Type: %s\r\n", q->ctype);
	if (!q->chunked) {
		buf_printf(out, "Content-Length: %zu\r\n\r\n", q->body.len);
		buf_add(out, q->body.data, q->body.len);
		return;
	}
	buf_adds(out, "Transfer-Encoding: chunked\r\n\r\n");
	step = q->body.len / 3 + 1;
	for (off = 0; off < q->body.len; off += n) {
		n = q->body.len - off < step ? q->body.len - off : step;
		buf_printf(out, "%zx\r\n", n);
		buf_add(out, q->body.data + off, n);
		buf_adds(out, "\r\n");
	}
	buf_adds(out, "0\r\n\r\n");
}

/*
 * One exchange on the keep-alive connection, reconnecting when needed.  A
 * reused connection that the server closed before answering is retried
 * once on a new one (the request never reached it).  0 or -1 (I/O).
 */
static int
exchange(struct conn *c, const struct buf *out, struct answer *a)
{
	int64_t	 deadline = now_ms() + TIMEOUT_MS;
	bool	 early, nothing, reused;
	int	 attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		if (c->fd == -1 && conn_open(c) == -1)
			return -1;
		reused = c->used > 0;
		if (send_all(c, out, deadline, &early) == -1) {
			conn_close(c);
			if (reused)
				continue;
			return -1;
		}
		if (read_answer(c, a, deadline, &nothing) == -1) {
			conn_close(c);
			buf_free(&a->body);
			if (nothing && reused && !early)
				continue;
			return -1;
		}
		c->used++;
		if (a->close || early || c->in.len != 0)
			conn_close(c);
		return 0;
	}
	return -1;
}

/* ------------------------------------------------------------- checking */

/* Length of the UTF-8 sequence at p (shortest form, no surrogates), or 0. */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
	unsigned	 c = p[0], cp;
	size_t		 len, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 ||
	    cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* A JSON string at *i: escapes valid, surrogates paired, UTF-8 valid. */
static bool
scan_string(const char *s, size_t n, size_t *i, struct buf *val)
{
	const unsigned char	*p = (const unsigned char *)s;
	unsigned		 u, k;
	int			 d;
	size_t			 len;
	bool			 high = false;

	if (*i >= n || p[*i] != '"')
		return false;
	for ((*i)++; *i < n; ) {
		if (p[*i] == '"') {
			(*i)++;
			return !high;
		}
		if (p[*i] < 0x20)
			return false;
		if (p[*i] == '\\') {
			if (*i + 1 >= n)
				return false;
			if (p[*i + 1] != 'u') {
				if (strchr("\"\\/bfnrt", p[*i + 1]) == NULL ||
				    high)
					return false;
				if (val)
					buf_addc(val, (char)p[*i + 1]);
				*i += 2;
				continue;
			}
			if (*i + 6 > n)
				return false;
			for (u = 0, k = 2; k < 6; k++) {
				if ((d = hexval((char)p[*i + k])) < 0)
					return false;
				u = u << 4 | (unsigned)d;
			}
			if (u >= 0xdc00 && u <= 0xdfff && !high)
				return false;
			if (high && !(u >= 0xdc00 && u <= 0xdfff))
				return false;
			high = u >= 0xd800 && u <= 0xdbff;
			*i += 6;
			continue;
		}
		if (high || (len = utf8_len(p + *i, n - *i)) == 0)
			return false;
		if (val)
			buf_add(val, s + *i, len);
		*i += len;
	}
	return false;
}

static void
skip_ws(const char *s, size_t n, size_t *i)
{
	while (*i < n && strchr(" \t\r\n", s[*i]) != NULL && s[*i] != '\0')
		(*i)++;
}

/* Whether a body is exactly {"errors":[<strings>]} (blank space aside). */
static bool
errors_shape(const char *s, size_t n)
{
	struct buf	 key;
	size_t		 i = 0;
	bool		 ok;

	skip_ws(s, n, &i);
	if (i >= n || s[i++] != '{')
		return false;
	skip_ws(s, n, &i);
	buf_init(&key);
	ok = scan_string(s, n, &i, &key) && key.len == 6 &&
	    memcmp(key.data, "errors", 6) == 0;
	buf_free(&key);
	if (!ok)
		return false;
	skip_ws(s, n, &i);
	if (i >= n || s[i++] != ':')
		return false;
	skip_ws(s, n, &i);
	if (i >= n || s[i++] != '[')
		return false;
	skip_ws(s, n, &i);
	if (i < n && s[i] == ']')
		i++;
	else
		for (;;) {
			if (!scan_string(s, n, &i, NULL))
				return false;
			skip_ws(s, n, &i);
			if (i < n && s[i] == ']') {
				i++;
				break;
			}
			if (i >= n || s[i++] != ',')
				return false;
			skip_ws(s, n, &i);
		}
	skip_ws(s, n, &i);
	if (i >= n || s[i++] != '}')
		return false;
	skip_ws(s, n, &i);
	return i == n;
}

/* The first bytes of a text, printable, for a failure line. */
static const char *
excerpt(const char *s, size_t n)
{
	static char	 out[160];
	size_t		 i, o = 0;

	for (i = 0; i < n && o + 5 < sizeof out - 4; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, sizeof out - o,
			    "\\x%02x", c);
	}
	if (i < n)
		o += (size_t)snprintf(out + o, sizeof out - o, "...");
	out[o] = '\0';
	return out;
}

static void
report(const struct req *q, const char *fmt, ...)
{
	va_list	 ap;
	char	 why[512];

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	if (st.reports++ >= MAX_REPORTS) {
		if (st.reports == MAX_REPORTS + 1)
			printf("hostile: more failures follow; not shown\n");
		return;
	}
	printf("hostile: FAIL #%zu %s %s [%s%s] (%zu bytes: %s): %s "
	    "(reproduce: hostile -r %" PRIu64 " -l %zu -x %zu)\n", q->idx,
	    q->method, q->path, q->kind, q->chunked ? ", chunked" : "",
	    q->body.len, excerpt(q->body.data, q->body.len), why, seed, limit,
	    q->idx);
	fflush(stdout);
}

/* After a 204 of an edge body: the GET must show exactly what was sent. */
static void
round_trip(struct conn *c, const struct req *q)
{
	struct buf	 out;
	struct answer	 a = { 0 };	/* untouched if no answer is read */

	st.rt_all++;
	buf_init(&out);
	render(q, "GET", q->path, false, &out);
	if (exchange(c, &out, &a) == -1) {
		st.io_errors++;
		report(q, "read back: no answer (%s)", strerror(errno));
	} else if (a.status != 200 || strstr(a.body.data, q->want) == NULL)
		report(q, "read back: %d %s; want data with %s", a.status,
		    excerpt(a.body.data, a.body.len), q->want);
	else
		st.rt_ok++;
	buf_free(&a.body);
	buf_free(&out);
}

static void
check(struct conn *c, const struct req *q, const struct answer *a)
{
	switch (a->status) {
	case 204:
		st.s204++;
		if (a->body.len != 0) {
			st.bad_body++;
			report(q, "204 with a body: %s",
			    excerpt(a->body.data, a->body.len));
		}
		break;
	case 400:
	case 413:
		if (a->status == 400)
			st.s400++;
		else
			st.s413++;
		if (!a->json_ct || !errors_shape(a->body.data, a->body.len)) {
			st.bad_body++;
			report(q, "%d with a body that is not {\"errors\":[...]}"
			    "%s: %s", a->status, a->json_ct ? "" :
			    " (no JSON Content-Type)",
			    excerpt(a->body.data, a->body.len));
		}
		break;
	default:
		st.other++;
		report(q, "status %d: %s", a->status,
		    excerpt(a->body.data, a->body.len));
		return;
	}
	if (q->expect != 0 && a->status != q->expect) {
		st.unexpected++;
		report(q, "status %d, want %d: %s", a->status, q->expect,
		    excerpt(a->body.data, a->body.len));
	} else if (a->status == 204 && q->want[0] != '\0')
		round_trip(c, q);
}

/* ----------------------------------------------------------------- main */

static void
usage(void)
{
	fprintf(stderr, "usage: hostile -p port -t token [-n count] [-r seed] "
	    "[-l body_limit] [-m max_other] [-T seconds] [-v]\n"
	    "       hostile [-n count] [-r seed] [-l body_limit] -x index\n");
	exit(2);
}

static unsigned long long
number(const char *s, const char *what)
{
	char			*end;
	unsigned long long	 v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || *s == '-' || *s == '\0')
		die("bad %s: %s", what, s);
	return v;
}

int
main(int argc, char **argv)
{
	struct conn	 c = { .fd = -1 };
	struct buf	 out;
	struct answer	 a;
	struct req	 q;
	size_t		 count = DEFAULT_COUNT, i, show = SIZE_MAX;
	int64_t		 t0 = now_ms();
	int		 ch;

	log_init("hostile");	/* names the tool in lib's out-of-memory line */
	while ((ch = getopt(argc, argv, "T:l:m:n:p:r:t:vx:")) != -1) {
		switch (ch) {
		case 'T':
			budget_s = (unsigned)number(optarg, "seconds");
			break;
		case 'm':
			max_other = (size_t)number(optarg, "max_other");
			break;
		case 'l':
			limit = (size_t)number(optarg, "limit");
			break;
		case 'n':
			count = (size_t)number(optarg, "count");
			break;
		case 'p':
			port = (int)number(optarg, "port");
			break;
		case 'r':
			seed = number(optarg, "seed");
			break;
		case 't':
			token = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case 'x':
			show = (size_t)number(optarg, "index");
			break;
		default:
			usage();
		}
	}
	if (argc != optind || limit < 64)
		usage();
	if (show != SIZE_MAX) {
		generate(show, &q);
		printf("%s %s [%s] Content-Type: %s%s expect=%d\n", q.method,
		    q.path, q.kind, q.ctype ? q.ctype : "(none)",
		    q.chunked ? " chunked" : "", q.expect);
		fwrite(q.body.data, 1, q.body.len, stdout);
		putchar('\n');
		req_free(&q);
		return 0;
	}
	if (port <= 0 || port > 65535 || token == NULL)
		usage();
	signal(SIGPIPE, SIG_IGN);
	buf_init(&out);
	buf_init(&c.in);

	for (i = 0; i < count; i++) {
		if (st.other >= max_other || now_ms() - t0 > (int64_t)budget_s *
		    1000) {
			printf("hostile: stopping early after %zu requests: "
			    "%zu answers outside 204/400/413, %.1f s\n", i,
			    st.other, (double)(now_ms() - t0) / 1000.0);
			break;
		}
		generate(i, &q);
		out.len = 0;
		render(&q, q.method, q.path, true, &out);
		st.sent++;
		if (exchange(&c, &out, &a) == -1) {
			st.io_errors++;
			st.other++;
			report(&q, "no answer (%s)", strerror(errno));
		} else {
			if (verbose)
				printf("#%zu %s %s [%s] %zu bytes -> %d %s\n",
				    i, q.method, q.path, q.kind, q.body.len,
				    a.status, excerpt(a.body.data, a.body.len));
			check(&c, &q, &a);
			buf_free(&a.body);
		}
		req_free(&q);
	}
	conn_close(&c);
	buf_free(&out);
	buf_free(&c.in);

	printf("hostile: sent=%zu s204=%zu s400=%zu s413=%zu other=%zu "
	    "bad_body=%zu\n", st.sent, st.s204, st.s400, st.s413, st.other,
	    st.bad_body);
	printf("hostile: unexpected=%zu roundtrip=%zu/%zu io_errors=%zu "
	    "seed=%" PRIu64 " seconds=%.1f\n", st.unexpected, st.rt_ok,
	    st.rt_all, st.io_errors, seed, (double)(now_ms() - t0) / 1000.0);
	return st.sent != count || st.other || st.bad_body || st.unexpected ||
	    st.rt_ok != st.rt_all ? 1 : 0;
}
