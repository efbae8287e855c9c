/*
 * fields.c: libFuzzer harness for request bodies and query strings, from
 * bytes to Vault's weakly typed field values.
 *
 * Input: one byte choosing a route's field table, one byte choosing the
 * encoding, then the body.  Table bytes (any other byte: modulo):
 *
 *   r runtime   l runtime list   p plugin   q plugin list   a ACL policy
 *   c token create   t token lookup/revoke   n token renew   0 no fields
 *
 * Encoding bytes: j JSON body, f form body (repeated keys joined with ','),
 * u query string (repeated keys become lists); any other byte: modulo 3.
 *
 * The harness does what request.c does with a body or query (parse, drop
 * "help" from a query, let the URL captures override "name" and "type"),
 * converts the route's fields with the real tables from fcgi/, then
 * converts every key of the body as every field kind.  It checks:
 *
 *   - a parse failure leaves nothing behind; a lenient query never fails;
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi/fcgi.h"

#define CHECK(c)	do { if (!(c)) { fprintf(stderr, \
	"invariant failed: %s (%s:%d)\n", #c, __FILE__, __LINE__); \
	abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct table {
	char			 sel;
	const struct field	*fields;
	const char		*name;		/* the {name} capture */
	const char		*type;		/* the {type} or fixed type */
} tables[] = {
	{ 'r', runtime_fields, "example-runtime", "container" },
	{ 'l', runtime_list_fields, NULL, NULL },
	{ 'p', plugin_fields, "example-plugin", "secret" },
	{ 'q', plugin_list_fields, NULL, "auth" },
	{ 'a', policy_fields, "example-policy", NULL },
	{ 'c', token_create_fields, NULL, NULL },
	{ 't', token_field, NULL, NULL },
	{ 'n', token_renew_fields, NULL, NULL },
	{ '0', no_fields, NULL, NULL },
};
#define NTABLES	(sizeof tables / sizeof tables[0])

static bool
utf8_ok(const char *s, size_t n)
{
	json_t	*j = json_stringn(s, n);

	json_decref(j);
	return j != NULL;
}

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

static void
check_error(const struct apierr *err)
{
	static const char prefix[] =
	    "Field validation failed: error converting input ";

	CHECK(err->status == 400);
	CHECK(strncmp(err->text, prefix, sizeof prefix - 1) == 0);
	CHECK(utf8_ok(err->text, strlen(err->text)));
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
		check_error(&err);
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

int
LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	static const enum field_kind kinds[] = { FIELD_STRING, FIELD_INT64,
	    FIELD_BOOL, FIELD_STRLIST, FIELD_STRSLICE, FIELD_DURATION };
	const struct table	*t = NULL;
	const char		*body, *key, *caps[2][2];
	struct fieldval		 vals[MAX_FIELDS];
	struct apierr		 err = { 0, "" };
	struct buf		 ignored;
	json_t			*data = NULL, *v;
	char			*q;
	size_t			 len, n, i, k;
	bool			 query = false;
	int			 rc, mode;

	if (size < 2)
		return 0;
	for (i = 0; i < NTABLES; i++)
		if (tables[i].sel == (char)in[0])
			t = &tables[i];
	if (t == NULL)
		t = &tables[in[0] % NTABLES];
	mode = in[1] == 'j' ? 0 : in[1] == 'f' ? 1 : in[1] == 'u' ? 2 :
	    in[1] % 3;
	body = (const char *)in + 2;
	len = size - 2;

	switch (mode) {
	case 0:
		rc = json_parse_object(body, len, &data);
		if (rc != 0) {
			CHECK(rc == -1 && data == NULL);
			return 0;
		}
		CHECK(json_is_object(data));
		check_roundtrip(data);
		break;
	case 1:
		rc = form_parse(body, len, FORM_JOIN, &data);
		if (rc != 0) {
			CHECK(rc == -1 && data == NULL);
			return 0;
		}
		json_object_foreach(data, key, v)
			CHECK(json_is_string(v));
		break;
	default:
		/* A query string is a C string: it ends at a NUL. */
		q = xstrndup(body, len);
		rc = form_parse(q, strlen(q), FORM_LIST | FORM_LENIENT, &data);
		free(q);
		CHECK(rc == 0 && json_is_object(data));
		json_object_del(data, "help");
		query = true;
		break;
	}

	/* URL captures override body fields of the same name. */
	caps[0][0] = "name";
	caps[0][1] = t->name;
	caps[1][0] = "type";
	caps[1][1] = t->type;
	for (i = 0; i < 2; i++)
		if (caps[i][1] != NULL)
			json_object_set_new(data, caps[i][0],
			    json_string(caps[i][1]));

	for (n = 0; t->fields[n].name != NULL; n++)
		;
	CHECK(n <= MAX_FIELDS);
	buf_init(&ignored);
	rc = fields_convert(t->fields, n, data, query, vals, &ignored, &err);
	CHECK(rc == 0 || rc == 400);
	if (rc == 400)
		check_error(&err);
	else {
		CHECK(utf8_ok(ignored.data, ignored.len));
		for (i = 0; i < n; i++) {
			v = json_object_get(data, t->fields[i].name);
			CHECK(vals[i].set == (v != NULL));
			if (v != NULL)
				check_value(t->fields[i].kind, v, &vals[i]);
			if (v != NULL && t->fields[i].kind == FIELD_STRING &&
			    strcmp(t->fields[i].name, "version") == 0)
				check_version(vals[i].s);
		}
	}
	fields_free(vals, n);
	buf_free(&ignored);

	/* Every key as every kind: the weak typing, table or not. */
	json_object_foreach(data, key, v)
		for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
			convert_as(key, kinds[k], v, query);

	json_decref(data);
	return 0;
}
