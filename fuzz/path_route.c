/*
 * path_route.c: libFuzzer harness for the request path, from the raw
 * REQUEST_URI to a route and its captures.
 *
 * Input: "METHOD URI" (a method of up to 8 bytes, one space, the URI), or
 * just a URI for GET.  The harness follows request.c's pre_auth and
 * prepare_route (the "/v1/" prefix, path_decode, the query string through
 * form_parse, the '/' a LIST adds, route_find) and checks:
 *
 *   - path_decode agrees with an independent decoder, byte for byte,
 *     including its 1 (a control byte or '/' inside a segment) and -1;
 *   - a matched route's pattern, with {name} and {type} replaced by the
 *     captures, is the path again (minus the one trailing '/' the route
 *     allows): a capture holds no '/', and nothing outside the pattern's
 *     literals was matched;
 *   - a {name} capture is a valid name, a {type} one a plugin type, and no
 *     route matches a path with an empty, "." or ".." segment;
 *   - a lenient query parse never fails and gives strings or arrays of two
 *     or more strings;
 *   - the ACL evaluation of the path (auth.c's next step) stays in range.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi/fcgi.h"

#define CHECK(c)	do { if (!(c)) { fprintf(stderr, \
	"invariant failed: %s (%s:%d)\n", #c, __FILE__, __LINE__); \
	abort(); } } while (0)

static struct policy	 acl;

/* A policy with every kind of pattern, evaluated on each routed path. */
static const char acl_text[] =
    "path \"sys/plugins/runtimes/catalog\" { capabilities = [\"read\", \"list\", \"sudo\"] }\n"
    "path \"sys/plugins/runtimes/catalog/*\" { capabilities = [\"read\", \"update\", \"delete\", \"sudo\"] }\n"
    "path \"sys/plugins/catalog/+/+\" { capabilities = [\"read\"] }\n"
    "path \"sys/plugins/catalog/auth/*\" { capabilities = [\"deny\"] }\n"
    "path \"sys/policies/acl/+\" { capabilities = [\"create\", \"patch\"] }\n"
    "path \"auth/token/*\" { capabilities = [\"update\"] }\n"
    "path \"+/+/lookup-self\" { capabilities = [\"read\", \"list\"] }\n"
    "path \"*\" { capabilities = [\"list\"] }\n";

int LLVMFuzzerInitialize(int *, char ***);
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct apierr	 err;

	(void)argc;
	(void)argv;
	if (policy_parse(acl_text, &acl, &err) != 0) {
		fprintf(stderr, "path_route: fixed policy: %s\n", err.text);
		abort();
	}
	return 0;
}

static int
hexv(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * The reference decoder: %XX to a byte, nothing else changes; -1 for a
 * bad escape; 1 when a decoded byte is '/', a control byte or DEL (NUL
 * then shown as DEL).
 */
static int
ref_decode(const unsigned char *s, size_t n, unsigned char *out, size_t *olen)
{
	size_t	 i, o = 0;
	int	 rc = 0, hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] != '%') {
			out[o++] = s[i];
			if (s[i] != '/' && (s[i] < 0x20 || s[i] == 0x7f))
				rc = 1;
			continue;
		}
		if (i + 2 >= n || (hi = hexv(s[i + 1])) < 0 ||
		    (lo = hexv(s[i + 2])) < 0)
			return -1;
		out[o] = (unsigned char)(hi << 4 | lo);
		if (out[o] == '/' || out[o] < 0x20 || out[o] == 0x7f)
			rc = 1;
		o++;
		i += 2;
	}
	if (rc == 1)
		for (i = 0; i < o; i++)
			if (out[i] == 0)
				out[i] = 0x7f;
	*olen = o;
	return rc;
}

static void
check_decode(const unsigned char *s, size_t n)
{
	unsigned char	*want = malloc(n + 1);
	char		*got;
	size_t		 wlen = 0;
	int		 rc, wrc;

	wrc = ref_decode(s, n, want, &wlen);
	rc = path_decode((const char *)s, n, &got);
	CHECK(rc == wrc);
	if (rc == -1)
		CHECK(got == NULL);
	else {
		CHECK(got != NULL);
		/* rc 0 has no NUL; rc 1 shows NUL as DEL: a C string. */
		CHECK(strlen(got) == wlen);
		CHECK(memcmp(got, want, wlen) == 0);
	}
	free(got);
	free(want);
}

static bool
plugin_type(const char *s)
{
	return strcmp(s, "auth") == 0 || strcmp(s, "database") == 0 ||
	    strcmp(s, "secret") == 0;
}

/* Checks a match: the pattern with its captures put back is the path. */
static void
check_route(const struct route *r, const char *path, const char *name,
    const char *type)
{
	struct buf	 b;
	const char	*p, *seg, *end;
	size_t		 plen = strlen(path), n;
	bool		 has_name = false, has_type = false;

	buf_init(&b);
	for (p = r->pattern; *p != '\0'; ) {
		if (strncmp(p, "{name}", 6) == 0) {
			CHECK(name != NULL);
			buf_adds(&b, name);
			has_name = true;
			p += 6;
		} else if (strncmp(p, "{type}", 6) == 0) {
			CHECK(type != NULL);
			buf_adds(&b, type);
			has_type = true;
			p += 6;
		} else
			buf_addc(&b, *p++);
	}
	if (r->trailing_slash && plen > 0 && path[plen - 1] == '/')
		plen--;
	CHECK(b.len == plen && memcmp(b.data, path, plen) == 0);
	buf_free(&b);

	CHECK(has_name == (name != NULL));
	if (name != NULL) {
		CHECK(name_valid(name));
		CHECK(strchr(name, '/') == NULL);
	}
	if (has_type) {
		CHECK(type != NULL && plugin_type(type));
	} else if (r->type != NULL) {
		CHECK(type != NULL && strcmp(type, r->type) == 0);
	} else
		CHECK(type == NULL);

	/* No empty, "." or ".." segment in a routed path. */
	for (seg = path, end = path + plen; seg <= end; seg += n + 1) {
		p = memchr(seg, '/', (size_t)(end - seg));
		n = p ? (size_t)(p - seg) : (size_t)(end - seg);
		CHECK(n > 0);
		CHECK(!(n == 1 && seg[0] == '.'));
		CHECK(!(n == 2 && seg[0] == '.' && seg[1] == '.'));
	}
	CHECK(r->fields != NULL);
}

static void
check_query(const char *q)
{
	json_t		*data, *v, *e;
	const char	*k;
	size_t		 i;

	CHECK(form_parse(q, strlen(q), FORM_LIST | FORM_LENIENT, &data) == 0);
	CHECK(json_is_object(data));
	json_object_foreach(data, k, v) {
		if (json_is_array(v)) {
			CHECK(json_array_size(v) >= 2);
			json_array_foreach(v, i, e)
				CHECK(json_is_string(e));
		} else
			CHECK(json_is_string(v));
	}
	/* request.c's "list" rule: the first value decides. */
	if ((v = json_object_get(data, "list")) != NULL) {
		bool	 list;

		if (json_is_array(v))
			v = json_array_get(v, 0);
		(void)go_parse_bool(json_string_value(v), &list);
	}
	json_decref(data);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const methods[] = { "GET", "HEAD", "LIST",
	    "DELETE", "POST", "PUT", "PATCH" };
	const struct route	*r, *r2;
	const char		*sp, *uri, *q, *method = "GET";
	char			*buf, *path = NULL, *name, *type, *n2, *t2;
	size_t			 i, plen;
	unsigned		 caps;
	int			 rc;
	enum op			 op = OP_READ;

	/* The decoder takes any bytes, NUL included. */
	check_decode(data, size);

	/* CGI variables are C strings: the URI ends at a NUL. */
	buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	uri = buf;
	sp = memchr(buf, ' ', size < 9 ? size : 9);
	if (sp != NULL) {
		for (i = 0; i < sizeof methods / sizeof methods[0]; i++)
			if (strlen(methods[i]) == (size_t)(sp - buf) &&
			    memcmp(methods[i], buf, (size_t)(sp - buf)) == 0)
				break;
		if (i < sizeof methods / sizeof methods[0])
			method = methods[i];
		else
			method = "OTHER";
		uri = sp + 1;
	}

	q = strchr(uri, '?');
	plen = q ? (size_t)(q - uri) : strlen(uri);
	if (plen < 4 || strncmp(uri, "/v1/", 4) != 0)
		goto out;
	rc = path_decode(uri + 4, plen - 4, &path);
	if (rc == -1)
		goto out;
	CHECK(path != NULL);
	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
		op = OP_READ;
	else if (strcmp(method, "LIST") == 0)
		op = OP_LIST;
	else if (strcmp(method, "DELETE") == 0)
		op = OP_DELETE;
	else if (strcmp(method, "PATCH") == 0)
		op = OP_PATCH;
	else
		op = OP_UPDATE;
	if (q != NULL && op != OP_UPDATE && op != OP_PATCH)
		check_query(q + 1);
	if (op == OP_LIST) {
		plen = strlen(path);
		if (plen == 0 || path[plen - 1] != '/') {
			char *p = xasprintf("%s/", path);

			free(path);
			path = p;
		}
	}

	caps = acl_capabilities(&acl, path, op == OP_LIST);
	CHECK((caps & ~0xffu) == 0);

	if (rc == 1)	/* path_bad: authorised, never routed */
		goto out;
	r = route_find(path, &name, &type);
	if (r == NULL) {
		CHECK(name == NULL && type == NULL);
		goto out;
	}
	check_route(r, path, name, type);
	CHECK(op < OP_COUNT);
	(void)r->handlers[op];

	/* Deterministic: the same path finds the same route and captures. */
	r2 = route_find(path, &n2, &t2);
	CHECK(r2 == r);
	CHECK((name == NULL) == (n2 == NULL) && (name == NULL ||
	    strcmp(name, n2) == 0));
	CHECK((type == NULL) == (t2 == NULL) && (type == NULL ||
	    strcmp(type, t2) == 0));
	free(n2);
	free(t2);
	free(name);
	free(type);
out:
	free(path);
	free(buf);
	return 0;
}
