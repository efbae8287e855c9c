/*
 * fields.c: libFuzzer harness for request bodies and query strings, from
 * bytes to Vault's weakly typed field values, through request.c's own
 * request_parse (the worker's pre-authentication steps).
 *
 * Input: one byte choosing a route (so its field table), one byte choosing
 * how the rest is sent, then the rest.  Route bytes (any other: modulo):
 *
 *   r runtime        .../runtimes/catalog/container/example-runtime
 *   l runtime list   .../runtimes/catalog
 *   p plugin         sys/plugins/catalog/secret/example-plugin
 *   q plugin list    sys/plugins/catalog/auth
 *   a ACL policy     sys/policies/acl/example-policy
 *   c token create   t token lookup   n token renew   0 no fields
 *
 * Sending bytes (any other byte: modulo 3, that is j, f or u):
 *
 *   j  PUT, no Content-Type: a JSON body
 *   f  POST, application/x-www-form-urlencoded: a form body (repeated
 *      keys joined with ','), or JSON after all if it starts with { or [
 *   u  GET with the rest as the query string (repeated keys become
 *      lists; "list" may make it a LIST)
 *   d  DELETE with the rest as the query string
 *   c  POST: the rest is a Content-Type line, '\n', then the body
 *   m  PATCH with the rest as the Content-Type (Go's mime rules)
 *
 * A query or a Content-Type is a C string: it ends at a NUL.  Bodies of
 * more than 3000 bytes are 413.
 *
 * Besides what fuzz/request.h checks of every parse (the status and its
 * text, the operation, the captures overriding body fields), the harness
 * checks the route's fields, then converts every key of the data as every
 * field kind:
 *
 *   - the route is the one chosen, with that table (a LIST aside);
 *   - a JSON object without numbers survives json_encode_go and a second
 *     json_parse_object unchanged;
 *   - a conversion is 0 or 400; a 400 carries Vault's prefix, valid UTF-8
 *     (it becomes a JSON string) and leaves the value empty; a 0 sets
 *     exactly the fields present;
 *   - strings are copied exactly and are valid UTF-8; list elements are
 *     valid UTF-8 with no Unicode space at either end; durations are never
 *     negative; an int64 agrees with strtoll wherever C and Go share the
 *     syntax, and prints and parses back to itself;
 *   - a plugin version that canonicalises is a fixed point.
 */
#include "config.h"

#include <errno.h>

#include "fuzz/request.h"

#define BODY_LIMIT	3000

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct config cfg = { .body_limit = BODY_LIMIT };

static const struct table {
	char			 sel;
	const char		*uri;
	const struct field	*fields;
} tables[] = {
	{ 'r', "/v1/sys/plugins/runtimes/catalog/container/example-runtime",
	    runtime_fields },
	{ 'l', "/v1/sys/plugins/runtimes/catalog", runtime_list_fields },
	{ 'p', "/v1/sys/plugins/catalog/secret/example-plugin",
	    plugin_fields },
	{ 'q', "/v1/sys/plugins/catalog/auth", plugin_list_fields },
	{ 'a', "/v1/sys/policies/acl/example-policy", policy_fields },
	{ 'c', "/v1/auth/token/create", token_create_fields },
	{ 't', "/v1/auth/token/lookup", token_field },
	{ 'n', "/v1/auth/token/renew-self", token_renew_fields },
	{ '0', "/v1/auth/token/lookup-self", no_fields },
};
#define NTABLES	(sizeof tables / sizeof tables[0])

/* One code point of valid UTF-8 at s (n bytes left); its length. */
static size_t
rune_at(const unsigned char *s, size_t n, uint32_t *r)
{
	size_t	 len, i;

	if (s[0] < 0x80)
		len = 1;
	else if (s[0] < 0xe0)
		len = 2;
	else if (s[0] < 0xf0)
		len = 3;
	else
		len = 4;
	CHECK(len <= n);
	*r = len == 1 ? s[0] : len == 2 ? s[0] & 0x1fu : len == 3 ?
	    s[0] & 0x0fu : s[0] & 0x07u;
	for (i = 1; i < len; i++)
		*r = *r << 6 | (s[i] & 0x3fu);
	return len;
}

/* Go's unicode.IsSpace. */
static bool
is_space(uint32_t r)
{
	return r == '\t' || r == '\n' || r == '\v' || r == '\f' ||
	    r == '\r' || r == ' ' || r == 0x85 || r == 0xa0 || r == 0x1680 ||
	    (r >= 0x2000 && r <= 0x200a) || r == 0x2028 || r == 0x2029 ||
	    r == 0x202f || r == 0x205f || r == 0x3000;
}

static void
check_trimmed(const char *s)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 n = strlen(s), k;
	uint32_t		 r;

	CHECK(utf8_ok(s, n));
	if (n == 0)
		return;
	(void)rune_at(u, n, &r);
	CHECK(!is_space(r));
	for (k = n - 1; k > 0 && (u[k] & 0xc0) == 0x80; k--)
		;
	(void)rune_at(u + k, n - k, &r);
	CHECK(!is_space(r));
}

/* Whether s is an integer both strconv (base 0) and strtoll (base 0) read. */
static bool
c_syntax(const char *s)
{
	if (*s == '+' || *s == '-')
		s++;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		if (*s == '\0')
			return false;
		for (; *s != '\0'; s++)
			if (!((*s >= '0' && *s <= '9') ||
			    ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')))
				return false;
		return true;
	}
	if (*s == '0') {
		for (s++; *s != '\0'; s++)
			if (*s < '0' || *s > '7')
				return false;
		return true;
	}
	if (*s < '1' || *s > '9')
		return false;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static void
check_int(const char *s, int rc, int64_t v)
{
	char		 text[32];
	int64_t		 back;
	long long	 c;
	char		*end;

	if (rc == 0) {
		snprintf(text, sizeof text, "%lld", (long long)v);
		CHECK(go_parse_int64(text, &back) == 0 && back == v);
	}
	if (*s == '\0' || !c_syntax(s))
		return;
	errno = 0;
	c = strtoll(s, &end, 0);
	CHECK(*end == '\0');
	if (errno == ERANGE)
		CHECK(rc == -2);
	else
		CHECK(rc == 0 && c == v);
}

/* Checks one converted value against the input it came from. */
static void
check_value(enum field_kind kind, const json_t *v, const struct fieldval *fv)
{
	const char	*s;
	int64_t		 i;
	size_t		 k;

	CHECK(fv->set);
	switch (kind) {
	case FIELD_STRING:
		CHECK(fv->s != NULL);
		CHECK(utf8_ok(fv->s, strlen(fv->s)));
		if (json_is_string(v))
			CHECK(strcmp(fv->s, json_text(v)) == 0);
		else if (json_is_null(v))
			CHECK(*fv->s == '\0');
		break;
	case FIELD_INT64:
		if (json_is_string(v)) {
			s = json_text(v);
			if (*s == '\0')
				CHECK(fv->i == 0);
			else
				check_int(s, go_parse_int64(s, &i), fv->i);
		}
		break;
	case FIELD_STRLIST:
	case FIELD_STRSLICE:
		CHECK(fv->nlist == 0 || fv->list != NULL);
		for (k = 0; k < fv->nlist; k++) {
			CHECK(fv->list[k] != NULL);
			check_trimmed(fv->list[k]);
		}
		break;
	case FIELD_DURATION:
		CHECK(fv->i >= 0);
		break;
	case FIELD_BOOL:
		break;
	}
}

/* Converts one value as one kind and checks the outcome. */
static void
convert_as(const char *key, enum field_kind kind, const json_t *v,
    bool query)
{
	struct fieldval	 fv;
	struct apierr	 err = { 0, "" };
	int		 rc;

	rc = field_convert(key, kind, v, query, &fv, &err);
	CHECK(rc == 0 || rc == 400);
	if (rc == 0)
		check_value(kind, v, &fv);
	else {
		check_field_error(&err);
		CHECK(!fv.set && fv.s == NULL && fv.list == NULL &&
		    fv.nlist == 0);
	}
	fields_free(&fv, 1);
}

static bool
has_number(const json_t *j)
{
	const char	*k;
	json_t		*v;
	size_t		 i;

	if (json_is_number_text(j))
		return true;
	if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			if (has_number(v))
				return true;
	} else if (json_is_object(j)) {
		json_object_foreach((json_t *)j, k, v)
			if (has_number(v))
				return true;
	}
	return false;
}

/* Go's encoding of a body parses back to the same body. */
static void
check_roundtrip(const json_t *data)
{
	struct buf	 b;
	json_t		*again;
	char		*text;
	size_t		 len;

	buf_init(&b);
	json_gofmt(&b, data);
	buf_free(&b);
	if (has_number(data))
		return;
	text = json_encode_go(data, &len);
	CHECK(strlen(text) == len);
	CHECK(json_parse_object(text, len, &again) == 0);
	CHECK(json_equal(data, again));
	json_decref(again);
	free(text);
}

static void
check_version(const char *v)
{
	struct buf	 why, why2;
	char		*c, *c2;

	buf_init(&why);
	buf_init(&why2);
	if ((c = semver_canonical(v, &why)) != NULL) {
		CHECK(c[0] == 'v');
		c2 = semver_canonical(c, &why2);
		CHECK(c2 != NULL && strcmp(c, c2) == 0);
		CHECK(semver_compare(c, c2) == 0);
		free(c2);
		free(c);
	} else
		CHECK(utf8_ok(why.data, why.len));
	buf_free(&why);
	buf_free(&why2);
}

/* The route's fields as converted, against the data they came from. */
static void
check_fields(const struct request *req)
{
	const struct field	*f = req->route->fields;
	json_t			*v;
	size_t			 i;

	if (req->field_status != 0)
		return;
	for (i = 0; f[i].name != NULL; i++) {
		v = json_object_get(req->data, f[i].name);
		CHECK(req->vals[i].set == (v != NULL));
		if (v != NULL)
			check_value(f[i].kind, v, &req->vals[i]);
		if (v != NULL && f[i].kind == FIELD_STRING &&
		    strcmp(f[i].name, "version") == 0)
			check_version(req->vals[i].s);
	}
	for (; i < MAX_FIELDS; i++)
		CHECK(!req->vals[i].set);
}

int
LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	static const enum field_kind kinds[] = { FIELD_STRING, FIELD_INT64,
	    FIELD_BOOL, FIELD_STRLIST, FIELD_STRSLICE, FIELD_DURATION };
	static const char modes[] = "jfudcm";
	const struct table	*t = NULL;
	const char		*rest, *method, *ct = NULL, *body = "", *key;
	char			*text, *uri = NULL, *nl;
	struct request		 req;
	json_t			*v;
	size_t			 len, blen = 0, i, k;
	int			 rc;
	char			 mode;

	if (size < 2)
		return 0;
	for (i = 0; i < NTABLES; i++)
		if (tables[i].sel == (char)in[0])
			t = &tables[i];
	if (t == NULL)
		t = &tables[in[0] % NTABLES];
	mode = strchr(modes, in[1]) != NULL && in[1] != '\0' ? (char)in[1] :
	    modes[in[1] % 3];
	rest = (const char *)in + 2;
	len = size - 2;
	/* What ends at a NUL (query, Content-Type) is cut there. */
	text = xstrndup(rest, len);

	switch (mode) {
	case 'j':
		method = "PUT";
		body = rest;
		blen = len;
		break;
	case 'f':
		method = "POST";
		ct = "application/x-www-form-urlencoded";
		body = rest;
		blen = len;
		break;
	case 'u':
	case 'd':
		method = mode == 'u' ? "GET" : "DELETE";
		uri = xasprintf("%s?%s", t->uri, text);
		break;
	case 'c':
		method = "POST";
		ct = text;
		if ((nl = memchr(rest, '\n', len)) != NULL) {
			body = nl + 1;
			blen = len - (size_t)(body - rest);
			if ((size_t)(nl - rest) < strlen(text))
				text[nl - rest] = '\0';
		}
		break;
	default:	/* 'm' */
		method = "PATCH";
		ct = text;
		break;
	}

	rc = fuzz_parse(&req, &cfg, method, uri ? uri : t->uri, ct, body,
	    blen);
	check_status(&req, rc);
	if (rc != 0)
		goto out;
	check_parsed(&req, method);
	if (mode == 'm')
		CHECK(json_object_size(req.data) == (req.name != NULL) +
		    (req.type != NULL));

	/* The chosen route, unless a LIST added its '/'. */
	CHECK(req.route != NULL || req.op == OP_LIST);
	if (req.route != NULL)
		CHECK(req.route->fields == t->fields);
	check_roundtrip(req.data);
	if (req.route != NULL)
		check_fields(&req);

	/* Every key as every kind: the weak typing, table or not. */
	json_object_foreach(req.data, key, v)
		for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
			convert_as(key, kinds[k], v, req.from_query);
out:
	request_free(&req);
	free(uri);
	free(text);
	return 0;
}
