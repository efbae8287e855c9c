/*
 * path_route.c: libFuzzer harness for the request path, from the raw
 * REQUEST_URI to a route and its captures, through request.c's own
 * request_parse (the worker's pre-authentication steps).
 *
 * Input: "METHOD URI", or just a URI (then the method is GET); the method
 * is whatever precedes a space in the first 9 bytes.  CGI variables are C
 * strings, so the URI ends at a NUL; after it come, optionally, the
 * Content-Type (up to the next NUL) and the body (the rest).  No second
 * part: no Content-Type at all.  The body limit is 64 bytes, so 413 is
 * near.
 *
 * The harness checks:
 *
 *   - path_decode agrees with an independent decoder, byte for byte,
 *     including its 1 (a control byte or '/' inside a segment) and -1,
 *     both on the whole input and on the URI's path; request_parse's path
 *     is that decoding (plus the '/' a LIST adds);
 *   - request_parse answers 0, 400, 404, 405, 413 or 415, each with the
 *     texts request.c gives it (fuzz/request.h), always valid UTF-8; 404
 *     exactly when the URI lacks the "/v1/" prefix; 400 "invalid request
 *     path" exactly when the path has a bad escape; 405 only for a method
 *     it does not know; 400 without a body only for an unprintable path;
 *   - a parsed request's operation fits its method and path, its data its
 *     source (fuzz/request.h);
 *   - a matched route's pattern, with {name} and {type} replaced by the
 *     captures, is the path again (minus the one trailing '/' the route
 *     allows): a capture holds no '/', and nothing outside the pattern's
 *     literals was matched;
 *   - a {name} capture is a valid name, a {type} one a plugin type, and no
 *     route matches a path with an empty, "." or ".." segment; route_find
 *     gives the same route and captures again;
 *   - a query gives strings or arrays of two or more strings;
 *   - the ACL evaluation of the path (auth.c's next step) stays in range.
 */
#include "config.h"

#include "fuzz/request.h"

#define BODY_LIMIT	64

static struct policy	 acl;
static struct config	 cfg = { .body_limit = BODY_LIMIT };

/* A policy with every kind of pattern, evaluated on each parsed path. */
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

/* The query as request_parse left it (a GET's "list" may be gone). */
static void
check_query(const json_t *data)
{
	const char	*k;
	json_t		*v, *e;
	size_t		 i;

	json_object_foreach((json_t *)data, k, v) {
		if (json_is_array(v)) {
			CHECK(json_array_size(v) >= 2);
			json_array_foreach(v, i, e)
				CHECK(json_is_string(e));
		} else
			CHECK(json_is_string(v));
	}
}

static bool
known_method(const char *m, const char *path)
{
	return strcmp(m, "GET") == 0 || strcmp(m, "LIST") == 0 ||
	    strcmp(m, "DELETE") == 0 || strcmp(m, "POST") == 0 ||
	    strcmp(m, "PUT") == 0 || strcmp(m, "PATCH") == 0 ||
	    (strcmp(m, "HEAD") == 0 && strcmp(path, "sys/health") == 0);
}

static void
check_request(const struct request *req, const char *method)
{
	const struct route	*r2;
	char			*n2, *t2;
	unsigned		 caps;

	check_parsed(req, method);
	if (req->from_query)
		check_query(req->data);

	caps = acl_capabilities(&acl, req->path, req->op == OP_LIST);
	CHECK((caps & ~0xffu) == 0);

	if (req->route == NULL)
		return;
	check_route(req->route, req->path, req->name, req->type);
	CHECK(req->op < OP_COUNT);
	(void)req->route->handlers[req->op];

	/* Deterministic: the same path finds the same route and captures. */
	r2 = route_find(req->path, &n2, &t2);
	CHECK(r2 == req->route);
	CHECK((req->name == NULL) == (n2 == NULL) && (req->name == NULL ||
	    strcmp(req->name, n2) == 0));
	CHECK((req->type == NULL) == (t2 == NULL) && (req->type == NULL ||
	    strcmp(req->type, t2) == 0));
	free(n2);
	free(t2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct request	 req;
	const char	*sp, *uri, *q, *ct = NULL, *body = "", *end;
	char		*buf, *method, *want = NULL;
	size_t		 plen, wlen = 0, blen = 0, n;
	int		 rc, wrc = 0;
	bool		 v1;

	/* The decoder takes any bytes, NUL included. */
	check_decode(data, size);

	buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	end = buf + size;
	sp = memchr(buf, ' ', size < 9 ? size : 9);
	if (sp != NULL) {
		method = xstrndup(buf, (size_t)(sp - buf));
		uri = sp + 1;
	} else {
		method = xstrdup("GET");
		uri = buf;
	}
	n = strlen(uri);
	if (uri + n < end) {			/* a NUL: the Content-Type */
		ct = uri + n + 1;
		n = strlen(ct);
		if (ct + n < end) {		/* another: the body */
			body = ct + n + 1;
			blen = (size_t)(end - body);
		}
	}

	q = strchr(uri, '?');
	plen = q ? (size_t)(q - uri) : strlen(uri);
	v1 = plen >= 4 && strncmp(uri, "/v1/", 4) == 0;
	if (v1) {
		want = malloc(plen + 1);
		wrc = ref_decode((const unsigned char *)uri + 4, plen - 4,
		    (unsigned char *)want, &wlen);
		check_decode((const unsigned char *)uri + 4, plen - 4);
	}

	rc = fuzz_parse(&req, &cfg, method, uri, ct, body, blen);
	check_status(&req, rc);
	CHECK((rc == 404) == !v1);
	CHECK((rc == 400 && strcmp(req.err.text, "invalid request path") ==
	    0) == (v1 && wrc == -1));
	if (v1 && wrc != -1) {
		/* The decoded path, plus the '/' a LIST may add. */
		CHECK(req.path != NULL);
		n = strlen(req.path);
		CHECK(n == wlen || (rc == 0 && req.op == OP_LIST &&
		    n == wlen + 1 && req.path[wlen] == '/'));
		CHECK(memcmp(req.path, want, wlen) == 0);
		CHECK(req.path_bad == (wrc == 1) || req.no_body);
		if (rc == 405)
			CHECK(!known_method(method, req.path));
	}
	if (rc == 0)
		check_request(&req, method);

	request_free(&req);
	free(want);
	free(method);
	free(buf);
	return 0;
}
