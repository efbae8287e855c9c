/*
 * lib_test.c: unit tests for the pure layer in lib/.  Vault's weak typing
 * (every row of SPEC section 3 and vault-semantics 5.6, with the exact error
 * strings), Go's ParseInt/ParseBool, the JSON body parser and Go-style
 * encoder, form and path decoding, the name pattern, tokens and UUIDs.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/lib.h"
#include "tests/unit/check.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Renders a parsed value unambiguously for comparisons: objects in insertion
 * order, strings quoted raw, JSON number texts as N(text).
 */
static void
show(struct buf *b, const json_t *j)
{
	const char	*k;
	json_t		*v;
	size_t		 i;

	if (j == NULL) {
		buf_adds(b, "NULL");
		return;
	}
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		buf_addc(b, '{');
		i = 0;
		json_object_foreach((json_t *)j, k, v) {
			if (i++ > 0)
				buf_addc(b, ',');
			buf_adds(b, k);
			buf_addc(b, ':');
			show(b, v);
		}
		buf_addc(b, '}');
		break;
	case JSON_ARRAY:
		buf_addc(b, '[');
		json_array_foreach(j, i, v) {
			if (i > 0)
				buf_addc(b, ',');
			show(b, v);
		}
		buf_addc(b, ']');
		break;
	case JSON_STRING:
		if (json_is_number_text(j)) {
			buf_adds(b, "N(");
			buf_adds(b, json_text(j));
			buf_addc(b, ')');
		} else {
			buf_addc(b, '"');
			buf_add(b, json_string_value(j), json_string_length(j));
			buf_addc(b, '"');
		}
		break;
	case JSON_TRUE:
		buf_adds(b, "true");
		break;
	case JSON_FALSE:
		buf_adds(b, "false");
		break;
	case JSON_NULL:
		buf_adds(b, "null");
		break;
	case JSON_INTEGER:
		buf_printf(b, "INT(%" JSON_INTEGER_FORMAT ")",
		    json_integer_value(j));
		break;
	case JSON_REAL:
		buf_printf(b, "REAL(%g)", json_real_value(j));
		break;
	}
}

/* The field name the server uses for each kind, as in Vault's errors. */
static const char *
kind_field(enum field_kind k)
{
	switch (k) {
	case FIELD_INT64:
		return "cpu_nanos";
	case FIELD_BOOL:
		return "rootless";
	default:
		return "oci_runtime";
	}
}

static const char *
kind_str(enum field_kind k)
{
	switch (k) {
	case FIELD_INT64:
		return "int64";
	case FIELD_BOOL:
		return "bool";
	default:
		return "string";
	}
}

#define PFX	"Field validation failed: error converting input "
#define EINT(in, s)	PFX in " for field \"cpu_nanos\": cannot parse '' as " \
	"int: strconv.ParseInt: parsing \"" s "\": invalid syntax"
#define ERNG(in)	PFX in " for field \"cpu_nanos\": cannot parse '' as " \
	"int: strconv.ParseInt: parsing \"" in "\": value out of range"
#define EBOOL(in, s)	PFX in " for field \"rootless\": cannot parse '' as " \
	"bool: strconv.ParseBool: parsing \"" s "\": invalid syntax"
#define EUNC(name, type, got, v)	PFX v " for field \"" name "\": '' " \
	"expected type '" type "', got unconvertible type '" got "', value: '" \
	v "'"

struct conv_case {
	enum field_kind	 kind;
	const char	*json;	/* the member's JSON text, as sent */
	int		 rc;
	const char	*s;	/* FIELD_STRING result */
	int64_t		 i;	/* FIELD_INT64 result */
	bool		 b;	/* FIELD_BOOL result */
	const char	*err;	/* the complete message when rc is 400 */
};

static const struct conv_case conv_cases[] = {
	/* int64: the weak-typing table. */
	{ FIELD_INT64, "1000", 0, NULL, 1000, false, NULL },
	{ FIELD_INT64, "\"1000\"", 0, NULL, 1000, false, NULL },
	{ FIELD_INT64, "\"010\"", 0, NULL, 8, false, NULL },
	{ FIELD_INT64, "\"-010\"", 0, NULL, -8, false, NULL },
	{ FIELD_INT64, "\"0x10\"", 0, NULL, 16, false, NULL },
	{ FIELD_INT64, "\"0X10\"", 0, NULL, 16, false, NULL },
	{ FIELD_INT64, "\"0xff\"", 0, NULL, 255, false, NULL },
	{ FIELD_INT64, "\"0b101\"", 0, NULL, 5, false, NULL },
	{ FIELD_INT64, "\"0B101\"", 0, NULL, 5, false, NULL },
	{ FIELD_INT64, "\"0o17\"", 0, NULL, 15, false, NULL },
	{ FIELD_INT64, "\"0O17\"", 0, NULL, 15, false, NULL },
	{ FIELD_INT64, "\"1_000\"", 0, NULL, 1000, false, NULL },
	{ FIELD_INT64, "\"0x_1\"", 0, NULL, 1, false, NULL },
	{ FIELD_INT64, "\"0_7\"", 0, NULL, 7, false, NULL },
	{ FIELD_INT64, "\"+5\"", 0, NULL, 5, false, NULL },
	{ FIELD_INT64, "\"-5\"", 0, NULL, -5, false, NULL },
	{ FIELD_INT64, "-1", 0, NULL, -1, false, NULL },
	{ FIELD_INT64, "0", 0, NULL, 0, false, NULL },
	{ FIELD_INT64, "-0", 0, NULL, 0, false, NULL },
	{ FIELD_INT64, "\"0\"", 0, NULL, 0, false, NULL },
	{ FIELD_INT64, "\"\"", 0, NULL, 0, false, NULL },
	{ FIELD_INT64, "true", 0, NULL, 1, false, NULL },
	{ FIELD_INT64, "false", 0, NULL, 0, false, NULL },
	{ FIELD_INT64, "null", 0, NULL, 0, false, NULL },
	{ FIELD_INT64, "9223372036854775807", 0, NULL, INT64_MAX, false, NULL },
	{ FIELD_INT64, "\"9223372036854775807\"", 0, NULL, INT64_MAX, false,
	    NULL },
	{ FIELD_INT64, "-9223372036854775808", 0, NULL, INT64_MIN, false,
	    NULL },
	{ FIELD_INT64, "\"-9223372036854775808\"", 0, NULL, INT64_MIN, false,
	    NULL },
	{ FIELD_INT64, "\"0x7fffffffffffffff\"", 0, NULL, INT64_MAX, false,
	    NULL },
	{ FIELD_INT64, "\"-0x8000000000000000\"", 0, NULL, INT64_MIN, false,
	    NULL },
	{ FIELD_INT64, "\"abc\"", 400, NULL, 0, false,
	    "Field validation failed: error converting input abc for field "
	    "\"cpu_nanos\": cannot parse '' as int: strconv.ParseInt: parsing "
	    "\"abc\": invalid syntax" },
	{ FIELD_INT64, "1.5", 400, NULL, 0, false,
	    "Field validation failed: error converting input 1.5 for field "
	    "\"cpu_nanos\": cannot parse '' as int: strconv.ParseInt: parsing "
	    "\"1.5\": invalid syntax" },
	{ FIELD_INT64, "1e3", 400, NULL, 0, false, EINT("1e3", "1e3") },
	{ FIELD_INT64, "1E3", 400, NULL, 0, false, EINT("1E3", "1E3") },
	{ FIELD_INT64, "-1.5e-3", 400, NULL, 0, false,
	    EINT("-1.5e-3", "-1.5e-3") },
	{ FIELD_INT64, "1.0", 400, NULL, 0, false, EINT("1.0", "1.0") },
	{ FIELD_INT64, "\" 1\"", 400, NULL, 0, false, EINT(" 1", " 1") },
	{ FIELD_INT64, "\"1 \"", 400, NULL, 0, false, EINT("1 ", "1 ") },
	{ FIELD_INT64, "\"1.5\"", 400, NULL, 0, false, EINT("1.5", "1.5") },
	{ FIELD_INT64, "\"08\"", 400, NULL, 0, false, EINT("08", "08") },
	{ FIELD_INT64, "\"0x\"", 400, NULL, 0, false, EINT("0x", "0x") },
	{ FIELD_INT64, "\"0x1g\"", 400, NULL, 0, false, EINT("0x1g", "0x1g") },
	{ FIELD_INT64, "\"0b2\"", 400, NULL, 0, false, EINT("0b2", "0b2") },
	{ FIELD_INT64, "\"1__0\"", 400, NULL, 0, false, EINT("1__0", "1__0") },
	{ FIELD_INT64, "\"_1\"", 400, NULL, 0, false, EINT("_1", "_1") },
	{ FIELD_INT64, "\"1_\"", 400, NULL, 0, false, EINT("1_", "1_") },
	{ FIELD_INT64, "\"+\"", 400, NULL, 0, false, EINT("+", "+") },
	{ FIELD_INT64, "\"-\"", 400, NULL, 0, false, EINT("-", "-") },
	{ FIELD_INT64, "\"--1\"", 400, NULL, 0, false, EINT("--1", "--1") },
	{ FIELD_INT64, "\"+-1\"", 400, NULL, 0, false, EINT("+-1", "+-1") },
	{ FIELD_INT64, "\"a\\\"b\"", 400, NULL, 0, false,
	    EINT("a\"b", "a\\\"b") },
	{ FIELD_INT64, "\"a\\\\b\"", 400, NULL, 0, false,
	    EINT("a\\b", "a\\\\b") },
	{ FIELD_INT64, "\"\\t1\"", 400, NULL, 0, false, EINT("\t1", "\\t1") },
	{ FIELD_INT64, "\"\\u0001\"", 400, NULL, 0, false,
	    EINT("\x01", "\\x01") },
	{ FIELD_INT64, "\"\\u007f\"", 400, NULL, 0, false,
	    EINT("\x7f", "\\x7f") },
	{ FIELD_INT64, "\"\xc3\xa9\"", 400, NULL, 0, false,
	    EINT("\xc3\xa9", "\xc3\xa9") },
	/* strconv.Quote escapes non-printable runes such as U+00A0, U+2028. */
	{ FIELD_INT64, "\"\\u00a0\"", 400, NULL, 0, false,
	    EINT("\xc2\xa0", "\\u00a0") },
	{ FIELD_INT64, "\"\\u2028\"", 400, NULL, 0, false,
	    EINT("\xe2\x80\xa8", "\\u2028") },
	{ FIELD_INT64, "9223372036854775808", 400, NULL, 0, false,
	    "Field validation failed: error converting input "
	    "9223372036854775808 for field \"cpu_nanos\": cannot parse '' as "
	    "int: strconv.ParseInt: parsing \"9223372036854775808\": value out "
	    "of range" },
	{ FIELD_INT64, "\"9223372036854775808\"", 400, NULL, 0, false,
	    ERNG("9223372036854775808") },
	{ FIELD_INT64, "-9223372036854775809", 400, NULL, 0, false,
	    ERNG("-9223372036854775809") },
	{ FIELD_INT64, "\"-9223372036854775809\"", 400, NULL, 0, false,
	    ERNG("-9223372036854775809") },
	{ FIELD_INT64, "18446744073709551616", 400, NULL, 0, false,
	    ERNG("18446744073709551616") },
	{ FIELD_INT64, "\"0x8000000000000000\"", 400, NULL, 0, false,
	    ERNG("0x8000000000000000") },
	{ FIELD_INT64, "\"99999999999999999999x\"", 400, NULL, 0, false,
	    ERNG("99999999999999999999x") },
	{ FIELD_INT64, "[1]", 400, NULL, 0, false,
	    "Field validation failed: error converting input [1] for field "
	    "\"cpu_nanos\": '' expected type 'int64', got unconvertible type "
	    "'[]interface {}', value: '[1]'" },
	{ FIELD_INT64, "{}", 400, NULL, 0, false,
	    "Field validation failed: error converting input map[] for field "
	    "\"cpu_nanos\": '' expected type 'int64', got unconvertible type "
	    "'map[string]interface {}', value: 'map[]'" },
	{ FIELD_INT64, "[]", 400, NULL, 0, false,
	    EUNC("cpu_nanos", "int64", "[]interface {}", "[]") },
	{ FIELD_INT64, "[null,true,\"x\",1.5,{\"b\":[]}]", 400, NULL, 0, false,
	    EUNC("cpu_nanos", "int64", "[]interface {}",
	    "[<nil> true x 1.5 map[b:[]]]") },
	{ FIELD_INT64, "{\"b\":2,\"a\":[1,\"x\"]}", 400, NULL, 0, false,
	    EUNC("cpu_nanos", "int64", "map[string]interface {}",
	    "map[a:[1 x] b:2]") },

	/* bool */
	{ FIELD_BOOL, "true", 0, NULL, 0, true, NULL },
	{ FIELD_BOOL, "false", 0, NULL, 0, false, NULL },
	{ FIELD_BOOL, "1", 0, NULL, 0, true, NULL },
	{ FIELD_BOOL, "0", 0, NULL, 0, false, NULL },
	{ FIELD_BOOL, "\"1\"", 0, NULL, 0, true, NULL },
	{ FIELD_BOOL, "\"t\"", 0, NULL, 0, true, NULL },
	{ FIELD_BOOL, "\"T\"", 0, NULL, 0, true, NULL },
	{ FIELD_BOOL, "\"TRUE\"", 0, NULL, 0, true, NULL },
	{ FIELD_BOOL, "\"true\"", 0, NULL, 0, true, NULL },
	{ FIELD_BOOL, "\"True\"", 0, NULL, 0, true, NULL },
	{ FIELD_BOOL, "\"0\"", 0, NULL, 0, false, NULL },
	{ FIELD_BOOL, "\"f\"", 0, NULL, 0, false, NULL },
	{ FIELD_BOOL, "\"F\"", 0, NULL, 0, false, NULL },
	{ FIELD_BOOL, "\"FALSE\"", 0, NULL, 0, false, NULL },
	{ FIELD_BOOL, "\"false\"", 0, NULL, 0, false, NULL },
	{ FIELD_BOOL, "\"False\"", 0, NULL, 0, false, NULL },
	{ FIELD_BOOL, "\"\"", 0, NULL, 0, false, NULL },
	{ FIELD_BOOL, "null", 0, NULL, 0, false, NULL },
	{ FIELD_BOOL, "\"yes\"", 400, NULL, 0, false,
	    "Field validation failed: error converting input yes for field "
	    "\"rootless\": cannot parse '' as bool: strconv.ParseBool: parsing "
	    "\"yes\": invalid syntax" },
	{ FIELD_BOOL, "2", 400, NULL, 0, false, EBOOL("2", "2") },
	{ FIELD_BOOL, "-1", 400, NULL, 0, false, EBOOL("-1", "-1") },
	{ FIELD_BOOL, "1.0", 400, NULL, 0, false, EBOOL("1.0", "1.0") },
	{ FIELD_BOOL, "\"no\"", 400, NULL, 0, false, EBOOL("no", "no") },
	{ FIELD_BOOL, "\"tRUE\"", 400, NULL, 0, false, EBOOL("tRUE", "tRUE") },
	{ FIELD_BOOL, "\"fAlse\"", 400, NULL, 0, false,
	    EBOOL("fAlse", "fAlse") },
	{ FIELD_BOOL, "\" true\"", 400, NULL, 0, false,
	    EBOOL(" true", " true") },
	{ FIELD_BOOL, "\"00\"", 400, NULL, 0, false, EBOOL("00", "00") },
	{ FIELD_BOOL, "[true]", 400, NULL, 0, false,
	    EUNC("rootless", "bool", "[]interface {}", "[true]") },
	{ FIELD_BOOL, "{}", 400, NULL, 0, false,
	    EUNC("rootless", "bool", "map[string]interface {}", "map[]") },

	/* string */
	{ FIELD_STRING, "\"abc\"", 0, "abc", 0, false, NULL },
	{ FIELD_STRING, "\"\"", 0, "", 0, false, NULL },
	{ FIELD_STRING, "\"010\"", 0, "010", 0, false, NULL },
	{ FIELD_STRING, "\"\\u00e9\"", 0, "\xc3\xa9", 0, false, NULL },
	{ FIELD_STRING, "5", 0, "5", 0, false, NULL },
	{ FIELD_STRING, "-0", 0, "-0", 0, false, NULL },
	{ FIELD_STRING, "1e3", 0, "1e3", 0, false, NULL },
	{ FIELD_STRING, "-1.5E+3", 0, "-1.5E+3", 0, false, NULL },
	{ FIELD_STRING, "123456789012345678901234567890", 0,
	    "123456789012345678901234567890", 0, false, NULL },
	{ FIELD_STRING, "true", 0, "1", 0, false, NULL },
	{ FIELD_STRING, "false", 0, "0", 0, false, NULL },
	{ FIELD_STRING, "null", 0, "", 0, false, NULL },
	{ FIELD_STRING, "[\"a\"]", 400, NULL, 0, false,
	    "Field validation failed: error converting input [a] for field "
	    "\"oci_runtime\": '' expected type 'string', got unconvertible "
	    "type '[]interface {}', value: '[a]'" },
	{ FIELD_STRING, "{\"a\":1}", 400, NULL, 0, false,
	    "Field validation failed: error converting input map[a:1] for "
	    "field \"oci_runtime\": '' expected type 'string', got "
	    "unconvertible type 'map[string]interface {}', value: "
	    "'map[a:1]'" },
	{ FIELD_STRING, "[]", 400, NULL, 0, false,
	    EUNC("oci_runtime", "string", "[]interface {}", "[]") },
	{ FIELD_STRING, "[\"a\",\"b\"]", 400, NULL, 0, false,
	    EUNC("oci_runtime", "string", "[]interface {}", "[a b]") },
};

/* Checks one conversion result against a row. */
static void
check_conv(const char *what, int rc, const struct fieldval *fv,
    const struct apierr *err, enum field_kind kind, int wrc, const char *ws,
    int64_t wi, bool wb, const char *werr)
{
	CHECK(rc == wrc, "%s: rc: got %d, want %d", what, rc, wrc);
	if (rc != wrc)
		return;
	if (wrc != 0) {
		CHECK(err->status == 400, "%s: status: got %d, want 400", what,
		    err->status);
		CHECK_STR(err->text, werr, what);
		CHECK(!fv->set, "%s: set: got true, want false", what);
		return;
	}
	CHECK(fv->set, "%s: set: got false, want true", what);
	switch (kind) {
	case FIELD_INT64:
		CHECK(fv->i == wi, "%s: got %lld, want %lld", what,
		    (long long)fv->i, (long long)wi);
		break;
	case FIELD_BOOL:
		CHECK(fv->b == wb, "%s: got %d, want %d", what, fv->b, wb);
		break;
	case FIELD_STRING:
		CHECK(fv->s != NULL, "%s: got NULL string, want \"%s\"", what,
		    ws);
		if (fv->s != NULL)
			CHECK_STR(fv->s, ws, what);
		break;
	}
}

static void
test_field_convert(void)
{
	const struct conv_case	*c;
	struct fieldval		 fv;
	struct apierr		 err;
	json_t			*obj, *v;
	char			*text, what[256];
	size_t			 i;
	int			 rc;

	for (i = 0; i < nitems(conv_cases); i++) {
		c = &conv_cases[i];
		snprintf(what, sizeof what, "field_convert(%s, %s)",
		    kind_str(c->kind), c->json);
		text = xasprintf("{\"%s\":%s}", kind_field(c->kind), c->json);
		rc = json_parse_object(text, strlen(text), &obj);
		free(text);
		CHECK(rc == 0, "%s: json_parse_object: got %d, want 0", what,
		    rc);
		if (rc != 0)
			continue;
		v = json_object_get(obj, kind_field(c->kind));
		memset(&err, 0, sizeof err);
		rc = field_convert(kind_field(c->kind), c->kind, v, false, &fv,
		    &err);
		check_conv(what, rc, &fv, &err, c->kind, c->rc, c->s, c->i,
		    c->b, c->err);
		fields_free(&fv, 1);
		json_decref(obj);
	}
}

/* Query strings: values are plain strings, repeated keys become []string. */
struct query_case {
	enum field_kind	 kind;
	const char	*query;
	int		 rc;
	const char	*s;
	int64_t		 i;
	bool		 b;
	const char	*err;
};

static const struct query_case query_cases[] = {
	{ FIELD_INT64, "cpu_nanos=010", 0, NULL, 8, false, NULL },
	{ FIELD_INT64, "cpu_nanos=", 0, NULL, 0, false, NULL },
	{ FIELD_INT64, "cpu_nanos", 0, NULL, 0, false, NULL },
	{ FIELD_INT64, "cpu_nanos=%2B5", 0, NULL, 5, false, NULL },
	{ FIELD_INT64, "cpu_nanos=abc", 400, NULL, 0, false,
	    EINT("abc", "abc") },
	{ FIELD_INT64, "cpu_nanos=+1", 400, NULL, 0, false, EINT(" 1", " 1") },
	{ FIELD_INT64, "cpu_nanos=1&cpu_nanos=2", 400, NULL, 0, false,
	    "Field validation failed: error converting input [1 2] for field "
	    "\"cpu_nanos\": '' expected type 'int64', got unconvertible type "
	    "'[]string', value: '[1 2]'" },
	{ FIELD_BOOL, "rootless=T", 0, NULL, 0, true, NULL },
	{ FIELD_BOOL, "rootless=", 0, NULL, 0, false, NULL },
	{ FIELD_BOOL, "rootless=yes", 400, NULL, 0, false,
	    EBOOL("yes", "yes") },
	{ FIELD_BOOL, "rootless=true&rootless=false", 400, NULL, 0, false,
	    EUNC("rootless", "bool", "[]string", "[true false]") },
	{ FIELD_STRING, "oci_runtime=x+y", 0, "x y", 0, false, NULL },
	{ FIELD_STRING, "oci_runtime=5", 0, "5", 0, false, NULL },
	{ FIELD_STRING, "oci_runtime=a&oci_runtime=b", 400, NULL, 0, false,
	    "Field validation failed: error converting input [a b] for field "
	    "\"oci_runtime\": '' expected type 'string', got unconvertible "
	    "type '[]string', value: '[a b]'" },
	{ FIELD_STRING, "oci_runtime=a&oci_runtime=b&oci_runtime=", 400, NULL,
	    0, false, EUNC("oci_runtime", "string", "[]string", "[a b ]") },
};

static void
test_field_convert_query(void)
{
	const struct query_case	*c;
	struct fieldval		 fv;
	struct apierr		 err;
	json_t			*obj, *v;
	char			 what[256];
	size_t			 i;
	int			 rc;

	for (i = 0; i < nitems(query_cases); i++) {
		c = &query_cases[i];
		snprintf(what, sizeof what, "field_convert(query %s)",
		    c->query);
		rc = form_parse(c->query, strlen(c->query),
		    FORM_LIST | FORM_LENIENT, &obj);
		CHECK(rc == 0, "%s: form_parse: got %d, want 0", what, rc);
		if (rc != 0)
			continue;
		v = json_object_get(obj, kind_field(c->kind));
		CHECK(v != NULL, "%s: got no member %s, want one", what,
		    kind_field(c->kind));
		if (v == NULL) {
			json_decref(obj);
			continue;
		}
		memset(&err, 0, sizeof err);
		rc = field_convert(kind_field(c->kind), c->kind, v, true, &fv,
		    &err);
		check_conv(what, rc, &fv, &err, c->kind, c->rc, c->s, c->i,
		    c->b, c->err);
		fields_free(&fv, 1);
		json_decref(obj);
	}
}

static const struct field runtime_fields[] = {
	{ "oci_runtime", FIELD_STRING },
	{ "cgroup_parent", FIELD_STRING },
	{ "cpu_nanos", FIELD_INT64 },
	{ "memory_bytes", FIELD_INT64 },
	{ "rootless", FIELD_BOOL },
};
#define NRF	nitems(runtime_fields)

struct fields_case {
	const char	*body;
	int		 rc;
	const char	*ignored;	/* when rc is 0 */
	const char	*err;		/* when rc is 400 */
	const char	*want;		/* the values, rendered by show_vals */
};

static const struct fields_case fields_cases[] = {
	{ "", 0, "", NULL, "- - - - -" },
	{ "{\"cpu_nanos\":\"0x10\",\"rootless\":\"t\",\"oci_runtime\":5,"
	    "\"zeta\":1,\"Alpha\":2,\"beta\":null,\"_\":[]}", 0,
	    "Alpha _ beta zeta", NULL, "s:5 - i:16 - b:1" },
	{ "{\"cgroup_parent\":null,\"memory_bytes\":true,\"rootless\":0}", 0,
	    "", NULL, "- s: - i:1 b:0" },
	{ "{\"b\":1,\"a\":2,\"B\":3}", 0, "B a b", NULL, "- - - - -" },
	/* The first bad field in table order is reported; later ones not. */
	{ "{\"oci_runtime\":\"x\",\"memory_bytes\":\"abc\",\"cpu_nanos\":1.5,"
	    "\"rootless\":\"yes\",\"zz\":1}", 400, NULL,
	    EINT("1.5", "1.5"), NULL },
	{ "{\"rootless\":\"yes\",\"cpu_nanos\":7,\"unknown\":[1]}", 400, NULL,
	    EBOOL("yes", "yes"), NULL },
	{ "{\"cgroup_parent\":{\"a\":1}}", 400, NULL,
	    EUNC("cgroup_parent", "string", "map[string]interface {}",
	    "map[a:1]"), NULL },
};

static void
show_vals(struct buf *b, const struct fieldval *v)
{
	size_t	 i;

	for (i = 0; i < NRF; i++) {
		if (i > 0)
			buf_addc(b, ' ');
		if (!v[i].set)
			buf_addc(b, '-');
		else if (runtime_fields[i].kind == FIELD_STRING)
			buf_printf(b, "s:%s", v[i].s ? v[i].s : "(null)");
		else if (runtime_fields[i].kind == FIELD_INT64)
			buf_printf(b, "i:%lld", (long long)v[i].i);
		else
			buf_printf(b, "b:%d", v[i].b);
	}
}

static void
test_fields_convert(void)
{
	const struct fields_case *c;
	struct fieldval		 vals[NRF];
	struct apierr		 err;
	struct buf		 ign, sv;
	json_t			*obj;
	const char		*text;
	char			 what[256];
	size_t			 i;
	int			 rc;

	for (i = 0; i < nitems(fields_cases); i++) {
		c = &fields_cases[i];
		snprintf(what, sizeof what, "fields_convert(%s)", c->body);
		rc = json_parse_object(c->body, strlen(c->body), &obj);
		CHECK(rc == 0, "%s: json_parse_object: got %d, want 0", what,
		    rc);
		if (rc != 0)
			continue;
		buf_init(&ign);
		memset(&err, 0, sizeof err);
		rc = fields_convert(runtime_fields, NRF, obj, false, vals, &ign,
		    &err);
		CHECK(rc == c->rc, "%s: rc: got %d, want %d", what, rc, c->rc);
		if (rc == 0 && c->rc == 0) {
			CHECK_STR(ign.data, c->ignored, what);
			buf_init(&sv);
			show_vals(&sv, vals);
			CHECK_STR(sv.data, c->want, what);
			buf_free(&sv);
		} else if (rc == 400 && c->rc == 400) {
			CHECK(err.status == 400, "%s: status: got %d, want 400",
			    what, err.status);
			CHECK_STR(err.text, c->err, what);
			CHECK(ign.len == 0, "%s: ignored: got \"%s\", want "
			    "nothing", what, ign.data);
		}
		fields_free(vals, NRF);
		buf_free(&ign);
		json_decref(obj);
	}

	/* A repeated query key fails a string field as []string. */
	text = "x=1&oci_runtime=a&oci_runtime=b";
	rc = form_parse(text, strlen(text), FORM_LIST | FORM_LENIENT, &obj);
	CHECK(rc == 0, "form_parse: got %d, want 0", rc);
	if (rc == 0) {
		buf_init(&ign);
		memset(&err, 0, sizeof err);
		rc = fields_convert(runtime_fields, NRF, obj, true, vals, &ign,
		    &err);
		CHECK(rc == 400, "fields_convert(query list): got %d, want 400",
		    rc);
		CHECK_STR(err.text, EUNC("oci_runtime", "string", "[]string",
		    "[a b]"), "fields_convert(query list)");
		fields_free(vals, NRF);
		buf_free(&ign);
		json_decref(obj);
	}

	/* fields_free leaves the strings NULL, so a second call is safe. */
	text = "{\"oci_runtime\":\"a\"}";
	rc = json_parse_object(text, strlen(text), &obj);
	CHECK(rc == 0, "json_parse_object: got %d, want 0", rc);
	if (rc == 0) {
		buf_init(&ign);
		rc = fields_convert(runtime_fields, NRF, obj, false, vals, &ign,
		    &err);
		CHECK(rc == 0, "fields_convert: got %d, want 0", rc);
		fields_free(vals, NRF);
		CHECK(vals[0].s == NULL, "fields_free: got %p, want NULL",
		    (void *)vals[0].s);
		fields_free(vals, NRF);
		buf_free(&ign);
		json_decref(obj);
	}
}

/*
 * struct apierr holds 512 bytes, so a huge bad value gives a truncated but
 * well-formed message (Vault would echo it whole; see the report).
 */
static void
test_field_convert_long(void)
{
	struct fieldval	 fv;
	struct apierr	 err;
	json_t		*v;
	char		 big[2001];

	memset(big, '9', sizeof big - 1);
	big[0] = 'x';
	big[sizeof big - 1] = '\0';
	v = json_string(big);
	memset(&err, 0, sizeof err);
	CHECK(field_convert("cpu_nanos", FIELD_INT64, v, false, &fv, &err) ==
	    400, "field_convert(2000 bytes): got success, want 400");
	CHECK(strlen(err.text) < sizeof err.text, "field_convert(2000 bytes): "
	    "got length %zu, want < %zu", strlen(err.text), sizeof err.text);
	CHECK(strncmp(err.text, PFX "x999", strlen(PFX) + 4) == 0,
	    "field_convert(2000 bytes): got \"%.60s\", want prefix \"%s\"",
	    err.text, PFX "x999");
	fields_free(&fv, 1);
	json_decref(v);
}

struct int_case {
	const char	*s;
	int		 rc;
	int64_t		 want;
};

static const struct int_case int_cases[] = {
	{ "0", 0, 0 },
	{ "00", 0, 0 },
	{ "-0", 0, 0 },
	{ "+0", 0, 0 },
	{ "7", 0, 7 },
	{ "+5", 0, 5 },
	{ "-5", 0, -5 },
	{ "010", 0, 8 },
	{ "-010", 0, -8 },
	{ "0_7", 0, 7 },
	{ "0_1_0", 0, 8 },
	{ "0x10", 0, 16 },
	{ "0XaBc", 0, 0xabc },
	{ "-0x10", 0, -16 },
	{ "0x_1", 0, 1 },
	{ "0x_1_f", 0, 31 },
	{ "0b101", 0, 5 },
	{ "0b_1", 0, 1 },
	{ "0o17", 0, 15 },
	{ "0o_17", 0, 15 },
	{ "1_000", 0, 1000 },
	{ "1_0_0_0", 0, 1000 },
	{ "-1_000", 0, -1000 },
	{ "9223372036854775807", 0, INT64_MAX },
	{ "-9223372036854775808", 0, INT64_MIN },
	{ "0x7FFFFFFFFFFFFFFF", 0, INT64_MAX },
	{ "-0x8000000000000000", 0, INT64_MIN },
	{ "0o777777777777777777777", 0, INT64_MAX },
	{ "-0b1000000000000000000000000000000000000000000000000000000000000000",
	    0, INT64_MIN },
	{ "", -1, 0 },
	{ "+", -1, 0 },
	{ "-", -1, 0 },
	{ "--1", -1, 0 },
	{ "-+1", -1, 0 },
	{ " 1", -1, 0 },
	{ "1 ", -1, 0 },
	{ "1.5", -1, 0 },
	{ "1e3", -1, 0 },
	{ "abc", -1, 0 },
	{ "08", -1, 0 },
	{ "09", -1, 0 },
	{ "0x", -1, 0 },
	{ "0X", -1, 0 },
	{ "0b", -1, 0 },
	{ "0o", -1, 0 },
	{ "-0x", -1, 0 },
	{ "0xg", -1, 0 },
	{ "0b12", -1, 0 },
	{ "0o8", -1, 0 },
	{ "1__0", -1, 0 },
	{ "_1", -1, 0 },
	{ "1_", -1, 0 },
	{ "-_1", -1, 0 },
	{ "+_1", -1, 0 },
	{ "_", -1, 0 },
	{ "0_", -1, 0 },
	{ "0x_", -1, 0 },
	{ "0x__1", -1, 0 },
	{ "0x1_", -1, 0 },
	{ "0_x1", -1, 0 },
	{ "1_000_", -1, 0 },
	{ "9223372036854775808", -2, 0 },
	{ "-9223372036854775809", -2, 0 },
	{ "18446744073709551615", -2, 0 },
	{ "18446744073709551616", -2, 0 },
	{ "0x8000000000000000", -2, 0 },
	{ "0xffffffffffffffffff", -2, 0 },
	{ "99999999999999999999999", -2, 0 },
	/* Go reports overflow as soon as it happens, before later syntax. */
	{ "99999999999999999999x", -2, 0 },
	{ "99999999999999999999_", -2, 0 },
	{ "9999999999999999999x", -1, 0 },
	{ "1x99999999999999999999", -1, 0 },
};

static void
test_go_parse_int64(void)
{
	const struct int_case	*c;
	int64_t			 got;
	size_t			 i;
	int			 rc;

	for (i = 0; i < nitems(int_cases); i++) {
		c = &int_cases[i];
		got = 12345;
		rc = go_parse_int64(c->s, &got);
		CHECK(rc == c->rc, "go_parse_int64(\"%s\"): rc: got %d, want "
		    "%d", c->s, rc, c->rc);
		if (rc == 0 && c->rc == 0)
			CHECK(got == c->want, "go_parse_int64(\"%s\"): got "
			    "%lld, want %lld", c->s, (long long)got,
			    (long long)c->want);
	}
}

struct bool_case {
	const char	*s;
	int		 rc;
	bool		 want;
};

static const struct bool_case bool_cases[] = {
	{ "1", 0, true }, { "t", 0, true }, { "T", 0, true },
	{ "TRUE", 0, true }, { "true", 0, true }, { "True", 0, true },
	{ "0", 0, false }, { "f", 0, false }, { "F", 0, false },
	{ "FALSE", 0, false }, { "false", 0, false }, { "False", 0, false },
	{ "", -1, false }, { "yes", -1, false }, { "no", -1, false },
	{ "tRUE", -1, false }, { "TRue", -1, false }, { "y", -1, false },
	{ "2", -1, false }, { "-1", -1, false }, { "01", -1, false },
	{ " true", -1, false }, { "true ", -1, false }, { "on", -1, false },
};

static void
test_go_parse_bool(void)
{
	const struct bool_case	*c;
	bool			 got;
	size_t			 i;
	int			 rc;

	for (i = 0; i < nitems(bool_cases); i++) {
		c = &bool_cases[i];
		got = !c->want;
		rc = go_parse_bool(c->s, &got);
		CHECK(rc == c->rc, "go_parse_bool(\"%s\"): rc: got %d, want %d",
		    c->s, rc, c->rc);
		if (rc == 0 && c->rc == 0)
			CHECK(got == c->want, "go_parse_bool(\"%s\"): got %d, "
			    "want %d", c->s, got, c->want);
	}
}

struct quote_case {
	const char	*in;
	const char	*want;
};

static const struct quote_case quote_cases[] = {
	{ "", "\"\"" },
	{ "abc", "\"abc\"" },
	{ "a\"b\\c", "\"a\\\"b\\\\c\"" },
	{ "\a\b\f\n\r\t\v", "\"\\a\\b\\f\\n\\r\\t\\v\"" },
	{ "\x01\x1f\x7f", "\"\\x01\\x1f\\x7f\"" },
	{ "\xc3\xa9", "\"\xc3\xa9\"" },
	/* strconv.Quote escapes runes that unicode.IsPrint refuses. */
	{ "\xc2\xa0", "\"\\u00a0\"" },
	{ "\xc2\x85", "\"\\u0085\"" },
	{ "\xe2\x80\xa8", "\"\\u2028\"" },
	{ "\xef\xbb\xbf", "\"\\ufeff\"" },
};

static void
test_go_quote(void)
{
	struct buf	 b;
	char		 what[64];
	size_t		 i;

	for (i = 0; i < nitems(quote_cases); i++) {
		buf_init(&b);
		go_quote(&b, quote_cases[i].in);
		snprintf(what, sizeof what, "go_quote(case %zu)", i);
		CHECK_STR(b.data, quote_cases[i].want, what);
		buf_free(&b);
	}
}

struct parse_case {
	const char	*text;
	size_t		 len;	/* 0: strlen(text) */
	int		 rc;
	const char	*want;	/* rendered by show() when rc is 0 */
};

static const struct parse_case parse_cases[] = {
	{ "", 0, 0, "{}" },
	{ " \t\r\n ", 0, 0, "{}" },
	{ "null", 0, 0, "{}" },
	{ " null\n", 0, 0, "{}" },
	{ "{}", 0, 0, "{}" },
	{ " { } \n", 0, 0, "{}" },
	{ "{\"a\":1}", 0, 0, "{a:N(1)}" },
	{ "{\"b\":1,\"a\":2}", 0, 0, "{b:N(1),a:N(2)}" },
	{ "{\"a\":1e3,\"b\":\"1e3\"}", 0, 0, "{a:N(1e3),b:\"1e3\"}" },
	{ "{\"a\":-0,\"b\":1E+3,\"c\":-1.5e-3,\"d\":0.25}", 0, 0,
	    "{a:N(-0),b:N(1E+3),c:N(-1.5e-3),d:N(0.25)}" },
	{ "{\"a\":123456789012345678901234567890}", 0, 0,
	    "{a:N(123456789012345678901234567890)}" },
	{ "{\"a\":[1,{\"b\":-2}],\"c\":[]}", 0, 0,
	    "{a:[N(1),{b:N(-2)}],c:[]}" },
	{ "{\"a\":true,\"b\":false,\"c\":null}", 0, 0,
	    "{a:true,b:false,c:null}" },
	{ "{\"a\":\"x\\\"1\",\"b\":\"\\\\\"}", 0, 0, "{a:\"x\"1\",b:\"\\\"}" },
	{ "{\"a\":\"\\\\u0000\"}", 0, 0, "{a:\"\\u0000\"}" },
	{ "{\"a\":\"\\u00e9\\ud83d\\ude00\"}", 0, 0,
	    "{a:\"\xc3\xa9\xf0\x9f\x98\x80\"}" },
	{ "{\"a\":\"\\u0001\"}", 0, 0, "{a:\"\x01\"}" },
	{ "{\"\":1}", 0, 0, "{:N(1)}" },

	/* Not an object at the top level. */
	{ "[]", 0, -1, NULL },
	{ "[1]", 0, -1, NULL },
	{ "\"s\"", 0, -1, NULL },
	{ "1", 0, -1, NULL },
	{ "-1.5", 0, -1, NULL },
	{ "true", 0, -1, NULL },
	{ "false", 0, -1, NULL },
	{ "nul", 0, -1, NULL },
	{ "NULL", 0, -1, NULL },
	/* Duplicate keys, at any depth. */
	{ "{\"a\":1,\"a\":2}", 0, -1, NULL },
	{ "{\"a\":1,\"a\":1}", 0, -1, NULL },
	{ "{\"x\":{\"a\":1,\"a\":2}}", 0, -1, NULL },
	/* Invalid UTF-8 and escapes. */
	{ "{\"a\":\"\xc0\xae\"}", 0, -1, NULL },
	{ "{\"a\":\"\xff\"}", 0, -1, NULL },
	{ "{\"\xff\":1}", 0, -1, NULL },
	{ "{\"a\":\"\xed\xa0\x80\"}", 0, -1, NULL },
	{ "{\"a\":\"\\ud800\"}", 0, -1, NULL },
	{ "{\"a\":\"\\udc00\"}", 0, -1, NULL },
	{ "{\"a\":\"\\ud800x\"}", 0, -1, NULL },
	{ "{\"a\":\"\\x41\"}", 0, -1, NULL },
	/* \u0000 anywhere, also after an escaped backslash. */
	{ "{\"a\":\"\\u0000\"}", 0, -1, NULL },
	{ "{\"a\":\"x\\u0000y\"}", 0, -1, NULL },
	{ "{\"\\u0000\":1}", 0, -1, NULL },
	{ "{\"a\":\"\\\\\\u0000\"}", 0, -1, NULL },
	/* Raw control bytes and NUL. */
	{ "{\"a\":\"\x01\"}", 0, -1, NULL },
	{ "{\"a\":\"\n\"}", 0, -1, NULL },
	{ "{\"a\":1}\0", 8, -1, NULL },
	{ "{\"a\":\"x\0y\"}", 11, -1, NULL },
	/* Trailing garbage. */
	{ "{} x", 0, -1, NULL },
	{ "{}{}", 0, -1, NULL },
	{ "{}]", 0, -1, NULL },
	{ "{\"a\":1}e", 0, -1, NULL },
	{ "null x", 0, -1, NULL },
	{ "{},", 0, -1, NULL },
	/* Truncated or malformed. */
	{ "{", 0, -1, NULL },
	{ "{\"a\"", 0, -1, NULL },
	{ "{\"a\":", 0, -1, NULL },
	{ "{\"a\":1", 0, -1, NULL },
	{ "{\"a\":\"x", 0, -1, NULL },
	{ "{\"a\":\"x\\", 0, -1, NULL },
	{ "{\"a\":1,}", 0, -1, NULL },
	{ "{a:1}", 0, -1, NULL },
	{ "{'a':1}", 0, -1, NULL },
	/* Numbers as keys cannot slip through the number marking. */
	{ "{1:2}", 0, -1, NULL },
	/* Numbers outside the JSON grammar. */
	{ "{\"a\":01}", 0, -1, NULL },
	{ "{\"a\":-01}", 0, -1, NULL },
	{ "{\"a\":00}", 0, -1, NULL },
	{ "{\"a\":1.}", 0, -1, NULL },
	{ "{\"a\":.5}", 0, -1, NULL },
	{ "{\"a\":-}", 0, -1, NULL },
	{ "{\"a\":1e}", 0, -1, NULL },
	{ "{\"a\":1e+}", 0, -1, NULL },
	{ "{\"a\":+1}", 0, -1, NULL },
	{ "{\"a\":--1}", 0, -1, NULL },
	{ "{\"a\":1-2}", 0, -1, NULL },
	{ "{\"a\":1.5.5}", 0, -1, NULL },
	{ "{\"a\":0x10}", 0, -1, NULL },
	{ "{\"a\":1x}", 0, -1, NULL },
	{ "{\"a\":1true}", 0, -1, NULL },
	{ "{\"a\":NaN}", 0, -1, NULL },
	{ "{\"a\":-Infinity}", 0, -1, NULL },
	{ "{\"a\":[1 2]}", 0, -1, NULL },
};

static void
test_json_parse_object(void)
{
	const struct parse_case	*c;
	struct buf		 b;
	json_t			*obj;
	char			 what[128];
	size_t			 i, len;
	int			 rc;

	for (i = 0; i < nitems(parse_cases); i++) {
		c = &parse_cases[i];
		len = c->len ? c->len : strlen(c->text);
		snprintf(what, sizeof what, "json_parse_object(case %zu, "
		    "%.60s)", i, c->text);
		obj = (json_t *)&obj;	/* must be overwritten */
		rc = json_parse_object(c->text, len, &obj);
		CHECK(rc == c->rc, "%s: rc: got %d, want %d", what, rc, c->rc);
		if (rc != 0) {
			CHECK(obj == NULL, "%s: got an object, want NULL",
			    what);
			continue;
		}
		if (c->rc != 0) {
			json_decref(obj);
			continue;
		}
		CHECK(json_is_object(obj), "%s: got a non-object, want one",
		    what);
		buf_init(&b);
		show(&b, obj);
		CHECK_STR(b.data, c->want, what);
		buf_free(&b);
		json_decref(obj);
	}
}

/* 100000 levels of nesting fail cleanly, without exhausting the stack. */
static void
test_json_deep_nesting(void)
{
	static const char *const opens[] = { "[", "{\"a\":" };
	static const char *const prefixes[] = { "", "{\"a\":" };
	struct buf	 b;
	json_t		*obj;
	size_t		 i, k, p;
	int		 rc;

	for (p = 0; p < nitems(prefixes); p++) {
		for (k = 0; k < nitems(opens); k++) {
			buf_init(&b);
			buf_adds(&b, prefixes[p]);
			for (i = 0; i < 100000; i++)
				buf_adds(&b, opens[k]);
			rc = json_parse_object(b.data, b.len, &obj);
			CHECK(rc == -1, "json_parse_object(%s 100000 x %s): "
			    "got %d, want -1", prefixes[p], opens[k], rc);
			if (rc == 0)
				json_decref(obj);
			buf_free(&b);
		}
	}

	/* Closed but too deep is refused as well. */
	buf_init(&b);
	buf_adds(&b, "{\"a\":");
	for (i = 0; i < 100000; i++)
		buf_addc(&b, '[');
	for (i = 0; i < 100000; i++)
		buf_addc(&b, ']');
	buf_addc(&b, '}');
	rc = json_parse_object(b.data, b.len, &obj);
	CHECK(rc == -1, "json_parse_object(100000 closed arrays): got %d, "
	    "want -1", rc);
	if (rc == 0)
		json_decref(obj);
	buf_free(&b);

	/* Modest nesting is fine. */
	buf_init(&b);
	buf_adds(&b, "{\"a\":");
	for (i = 0; i < 100; i++)
		buf_addc(&b, '[');
	for (i = 0; i < 100; i++)
		buf_addc(&b, ']');
	buf_addc(&b, '}');
	rc = json_parse_object(b.data, b.len, &obj);
	CHECK(rc == 0, "json_parse_object(100 nested arrays): got %d, want 0",
	    rc);
	if (rc == 0)
		json_decref(obj);
	buf_free(&b);
}

static void
test_json_number_text(void)
{
	struct buf	 b;
	json_t		*n, *s, *a, *o;

	n = json_number_text("1e3");
	s = json_string("1e3");
	CHECK(json_is_number_text(n), "json_is_number_text(number): got "
	    "false, want true");
	CHECK(!json_is_number_text(s), "json_is_number_text(string): got "
	    "true, want false");
	CHECK_STR(json_text(n), "1e3", "json_text(number)");
	CHECK_STR(json_text(s), "1e3", "json_text(string)");
	CHECK_STR(json_gotype(n), "json.Number", "json_gotype(number)");
	CHECK_STR(json_gotype(s), "string", "json_gotype(string)");
	CHECK_STR(json_gotype(json_true()), "bool", "json_gotype(true)");
	CHECK_STR(json_gotype(json_null()), "<nil>", "json_gotype(null)");
	a = json_array();
	o = json_object();
	CHECK_STR(json_gotype(a), "[]interface {}", "json_gotype(array)");
	CHECK_STR(json_gotype(o), "map[string]interface {}",
	    "json_gotype(object)");

	json_array_append(a, n);
	json_array_append(a, s);
	json_array_append_new(a, json_null());
	json_array_append_new(a, json_false());
	json_object_set_new(o, "z", json_string(""));
	json_object_set(o, "a", a);
	json_object_set_new(o, "m", json_object());
	buf_init(&b);
	json_gofmt(&b, o);
	CHECK_STR(b.data, "map[a:[1e3 1e3 <nil> false] m:map[] z:]",
	    "json_gofmt(object)");
	buf_free(&b);
	json_decref(o);
	json_decref(a);
	json_decref(s);
	json_decref(n);
}

struct enc_case {
	const char	*json;	/* standard JSON, loaded with jansson */
	const char	*want;	/* Go's encoding/json output */
};

static const struct enc_case enc_cases[] = {
	{ "\"<>&\"", "\"\\u003c\\u003e\\u0026\"" },
	{ "\"a<b>c&d\"", "\"a\\u003cb\\u003ec\\u0026d\"" },
	{ "\"\\u2028\\u2029\"", "\"\\u2028\\u2029\"" },
	{ "\"x\\u2028y\"", "\"x\\u2028y\"" },
	{ "\"\\b\\f\"", "\"\\u0008\\u000c\"" },
	{ "\"\\n\\r\\t\"", "\"\\n\\r\\t\"" },
	{ "\"\\u0001\\u001f\\u001a\\u000b\"",
	    "\"\\u0001\\u001f\\u001a\\u000b\"" },
	{ "\"\\u007f\"", "\"\x7f\"" },
	{ "\"\\\"\\\\\"", "\"\\\"\\\\\"" },
	{ "\"/\"", "\"/\"" },
	{ "\"\\u00e9\"", "\"\xc3\xa9\"" },
	{ "\"\\ud83d\\ude00\"", "\"\xf0\x9f\x98\x80\"" },
	/* U+00E2 U+0080 U+00A8 is not U+2028. */
	{ "\"\\u00e2\\u0080\\u00a8\"", "\"\xc3\xa2\xc2\x80\xc2\xa8\"" },
	/* Escape state: an escaped backslash or quote before a special. */
	{ "\"\\\\u0041\"", "\"\\\\u0041\"" },
	{ "\"\\\\<\"", "\"\\\\\\u003c\"" },
	{ "\"\\\"<\"", "\"\\\"\\u003c\"" },
	{ "\"\\\\\\b\"", "\"\\\\\\u0008\"" },
	{ "{\"<k>\":\"&\"}", "{\"\\u003ck\\u003e\":\"\\u0026\"}" },
	{ "{\"z\":1,\"a\":[true,false,null,-2,\"x\"],\"m\":{}}",
	    "{\"z\":1,\"a\":[true,false,null,-2,\"x\"],\"m\":{}}" },
	{ "{ \"b\" : [ 1 , 2 ] , \"a\" : { \"c\" : \"d\" } }",
	    "{\"b\":[1,2],\"a\":{\"c\":\"d\"}}" },
	{ "[]", "[]" },
	{ "{}", "{}" },
	{ "null", "null" },
	{ "\"\"", "\"\"" },
};

static void
test_json_encode_go(void)
{
	const struct enc_case	*c;
	json_error_t		 jerr;
	json_t			*j;
	char			*out, what[128];
	size_t			 i, len;

	for (i = 0; i < nitems(enc_cases); i++) {
		c = &enc_cases[i];
		snprintf(what, sizeof what, "json_encode_go(%s)", c->json);
		j = json_loads(c->json, JSON_DECODE_ANY, &jerr);
		CHECK(j != NULL, "%s: json_loads: got NULL (%s), want a value",
		    what, jerr.text);
		if (j == NULL)
			continue;
		len = 99999;
		out = json_encode_go(j, &len);
		CHECK_STR(out, c->want, what);
		CHECK(len == strlen(out), "%s: length: got %zu, want %zu",
		    what, len, strlen(out));
		free(out);
		json_decref(j);
	}

	/* Objects keep insertion order; NULL lenp is allowed. */
	j = json_object();
	json_object_set_new(j, "request_id", json_string("r"));
	json_object_set_new(j, "lease_id", json_string(""));
	json_object_set_new(j, "renewable", json_false());
	json_object_set_new(j, "data", json_null());
	out = json_encode_go(j, NULL);
	CHECK_STR(out, "{\"request_id\":\"r\",\"lease_id\":\"\","
	    "\"renewable\":false,\"data\":null}", "json_encode_go(envelope)");
	free(out);
	json_decref(j);
}

struct form_case {
	const char	*text;
	int		 flags;
	int		 rc;
	const char	*want;	/* rendered by show() when rc is 0 */
};

#define JOIN	FORM_JOIN
#define LIST	FORM_LIST
#define LEN	FORM_LENIENT

static const struct form_case form_cases[] = {
	{ "", JOIN, 0, "{}" },
	{ "&&", JOIN, 0, "{}" },
	{ "a=1&b=2", JOIN, 0, "{a:\"1\",b:\"2\"}" },
	{ "a=1&&b=2&", JOIN, 0, "{a:\"1\",b:\"2\"}" },
	{ "a=1&a=2", JOIN, 0, "{a:\"1,2\"}" },
	{ "a=1&b=x&a=2&a=", JOIN, 0, "{a:\"1,2,\",b:\"x\"}" },
	{ "a=1&a=2", LIST, 0, "{a:[\"1\",\"2\"]}" },
	{ "a=1&b=x&a=2&a=3", LIST, 0, "{a:[\"1\",\"2\",\"3\"],b:\"x\"}" },
	{ "a=1", LIST, 0, "{a:\"1\"}" },
	{ "a=x+y", JOIN, 0, "{a:\"x y\"}" },
	{ "a+b=c", JOIN, 0, "{a b:\"c\"}" },
	{ "a%20b=c%2Bd", JOIN, 0, "{a b:\"c+d\"}" },
	{ "a=%2e%2E%2f", JOIN, 0, "{a:\"../\"}" },
	{ "a=%C3%A9", JOIN, 0, "{a:\"\xc3\xa9\"}" },
	{ "a", JOIN, 0, "{a:\"\"}" },
	{ "a=", JOIN, 0, "{a:\"\"}" },
	{ "=v", JOIN, 0, "{:\"v\"}" },
	{ "a=b=c", JOIN, 0, "{a:\"b=c\"}" },
	{ "a=1", JOIN, 0, "{a:\"1\"}" },
	{ "a=%zz", JOIN, -1, NULL },
	{ "a=%4", JOIN, -1, NULL },
	{ "a=%", JOIN, -1, NULL },
	{ "%zz=1", JOIN, -1, NULL },
	{ "b=1&a=%zz", LIST, -1, NULL },
	{ "a=1;b=2", JOIN, -1, NULL },
	{ "a=1&b=2;", LIST, -1, NULL },
	{ ";", JOIN, -1, NULL },
	{ "a=%zz&b=1", JOIN | LEN, 0, "{b:\"1\"}" },
	{ "a=%4&b=1&c=%", LIST | LEN, 0, "{b:\"1\"}" },
	{ "a=1;b=2", JOIN | LEN, 0, "{}" },
	{ "a=1&b=2;c=3&d=4", LIST | LEN, 0, "{a:\"1\",d:\"4\"}" },
	{ "a=1&a=%zz&a=2", LIST | LEN, 0, "{a:[\"1\",\"2\"]}" },
};

static void
test_form_parse(void)
{
	const struct form_case	*c;
	struct buf		 b;
	json_t			*obj;
	char			 what[128];
	size_t			 i;
	int			 rc;

	for (i = 0; i < nitems(form_cases); i++) {
		c = &form_cases[i];
		snprintf(what, sizeof what, "form_parse(\"%s\", %d)", c->text,
		    c->flags);
		obj = (json_t *)&obj;
		rc = form_parse(c->text, strlen(c->text), c->flags, &obj);
		CHECK(rc == c->rc, "%s: rc: got %d, want %d", what, rc, c->rc);
		if (rc != 0) {
			CHECK(obj == NULL, "%s: got an object, want NULL",
			    what);
			continue;
		}
		if (c->rc == 0) {
			buf_init(&b);
			show(&b, obj);
			CHECK_STR(b.data, c->want, what);
			buf_free(&b);
		}
		json_decref(obj);
	}
}

struct path_case {
	const char	*raw;
	int		 rc;
	const char	*want;	/* NULL when rc is -1 */
};

static const struct path_case path_cases[] = {
	{ "", 0, "" },
	{ "/", 0, "/" },
	{ "sys/plugins/runtimes/catalog", 0, "sys/plugins/runtimes/catalog" },
	{ "/v1/sys//x/", 0, "/v1/sys//x/" },
	{ "a%252Fb", 0, "a%2Fb" },
	{ "%61%62c", 0, "abc" },
	{ "a+b", 0, "a+b" },
	{ "a%20b", 0, "a b" },
	{ "a%2B", 0, "a+" },
	{ "%2e%2e/x", 0, "../x" },
	{ "%C3%A9", 0, "\xc3\xa9" },
	{ "a%2Fb", 1, "a/b" },
	{ "a%2fb", 1, "a/b" },
	{ "x/%2F/y", 1, "x///y" },
	{ "%2e%2e%2fx", 1, "../x" },
	{ "a%00b", 1, "a\x7f" "b" },
	{ "%00", 1, "\x7f" },
	{ "a%01", 1, "a\x01" },
	{ "a%0A", 1, "a\n" },
	{ "a%1f", 1, "a\x1f" },
	{ "a%7f", 1, "a\x7f" },
	{ "a\x01" "b", 1, "a\x01" "b" },
	{ "a%zz", -1, NULL },
	{ "a%2", -1, NULL },
	{ "a%", -1, NULL },
	{ "%/a", -1, NULL },
	{ "ok/%g0", -1, NULL },
};

static void
test_path_decode(void)
{
	const struct path_case	*c;
	char			*out, what[128];
	size_t			 i;
	int			 rc;

	for (i = 0; i < nitems(path_cases); i++) {
		c = &path_cases[i];
		snprintf(what, sizeof what, "path_decode(\"%s\")", c->raw);
		out = (char *)&out;
		rc = path_decode(c->raw, strlen(c->raw), &out);
		CHECK(rc == c->rc, "%s: rc: got %d, want %d", what, rc, c->rc);
		if (rc == -1) {
			CHECK(out == NULL, "%s: got \"%s\", want NULL", what,
			    out);
			continue;
		}
		if (c->want != NULL)
			CHECK_STR(out, c->want, what);
		free(out);
	}

	/* Only n bytes are read. */
	rc = path_decode("abc%2F", 3, &out);
	CHECK(rc == 0, "path_decode(n=3): got %d, want 0", rc);
	if (rc != -1) {
		CHECK_STR(out, "abc", "path_decode(n=3)");
		free(out);
	}
}

static void
test_name_valid(void)
{
	static const struct {
		const char	*s;
		bool		 want;
	} cases[] = {
		{ "a", true }, { "Z", true }, { "_", true }, { "9", true },
		{ "a.b", true }, { "a-b", true }, { "a..b", true },
		{ "a--b", true }, { "a_b", true }, { "runsc", true },
		{ "A_1", true }, { "ab", true }, { "a.-_b", true },
		{ "1.2.3", true }, { "__", true },
		{ "", false }, { "-a", false }, { "a-", false },
		{ ".a", false }, { "a.", false }, { ".", false },
		{ "-", false }, { "..", false }, { "a/b", false },
		{ "a b", false }, { " a", false }, { "a ", false },
		{ "\xc3\xa9", false }, { "a\xc3\xa9" "b", false },
		{ "a\n", false }, { "a\nb", false }, { "a%b", false },
		{ "a+b", false }, { "a:b", false }, { "a@b", false },
	};
	char	 big[258];
	size_t	 i;
	bool	 got;

	for (i = 0; i < nitems(cases); i++) {
		got = name_valid(cases[i].s);
		CHECK(got == cases[i].want, "name_valid(\"%s\"): got %d, want "
		    "%d", cases[i].s, got, cases[i].want);
	}
	memset(big, 'a', sizeof big);
	big[256] = '\0';
	CHECK(name_valid(big), "name_valid(256 bytes): got false, want true");
	big[256] = 'a';
	big[257] = '\0';
	CHECK(!name_valid(big), "name_valid(257 bytes): got true, want false");
}

static void
test_tokens(void)
{
	static const struct {
		const char	*s;
		bool		 want;
	} cases[] = {
		{ "hvs.abc", true }, { "a", true }, { "A-Z_0.9", true },
		{ "root", true }, { "...", true },
		{ "", false }, { "a b", false }, { "a/b", false },
		{ "a\n", false }, { "\xc3\xa9", false }, { "a+b", false },
		{ "a=", false }, { "Bearer x", false }, { "a\tb", false },
	};
	static const unsigned char key[] = "key";
	static const unsigned char want_hmac[TOKEN_HASH_LEN] = {
		0xf7, 0xbc, 0x83, 0xf4, 0x30, 0x53, 0x84, 0x24,
		0xb1, 0x32, 0x98, 0xe6, 0xaa, 0x6f, 0xb1, 0x43,
		0xef, 0x4d, 0x59, 0xa1, 0x49, 0x46, 0x17, 0x59,
		0x97, 0x47, 0x9d, 0xbc, 0x2d, 0x1a, 0x3c, 0xd8,
	};
	unsigned char	 salt1[SALT_LEN], salt2[SALT_LEN];
	unsigned char	 h1[TOKEN_HASH_LEN], h2[TOKEN_HASH_LEN];
	char		 big[258], *t1, *t2;
	size_t		 i;
	bool		 got, alnum;

	for (i = 0; i < nitems(cases); i++) {
		got = token_syntax_ok(cases[i].s);
		CHECK(got == cases[i].want, "token_syntax_ok(\"%s\"): got %d, "
		    "want %d", cases[i].s, got, cases[i].want);
	}
	memset(big, 'x', sizeof big);
	big[256] = '\0';
	CHECK(token_syntax_ok(big), "token_syntax_ok(256 bytes): got false, "
	    "want true");
	big[256] = 'x';
	big[257] = '\0';
	CHECK(!token_syntax_ok(big), "token_syntax_ok(257 bytes): got true, "
	    "want false");

	t1 = token_generate();
	t2 = token_generate();
	CHECK(strncmp(t1, "hvs.", 4) == 0, "token_generate: got \"%s\", want "
	    "prefix hvs.", t1);
	CHECK(strlen(t1) == 28, "token_generate: length: got %zu, want 28",
	    strlen(t1));
	CHECK(token_syntax_ok(t1), "token_generate: got \"%s\", want valid "
	    "syntax", t1);
	alnum = true;
	for (i = 4; t1[i] != '\0'; i++)
		if (!((t1[i] >= '0' && t1[i] <= '9') ||
		    (t1[i] >= 'a' && t1[i] <= 'z') ||
		    (t1[i] >= 'A' && t1[i] <= 'Z')))
			alnum = false;
	CHECK(alnum, "token_generate: got \"%s\", want base62 after hvs.", t1);
	CHECK(strcmp(t1, t2) != 0, "token_generate: got \"%s\" twice, want "
	    "different tokens", t1);
	free(t1);
	free(t2);

	/* The well-known HMAC-SHA256 example: key "key", the lazy dog. */
	token_hash(key, 3, "The quick brown fox jumps over the lazy dog", h1);
	CHECK(memcmp(h1, want_hmac, TOKEN_HASH_LEN) == 0, "token_hash: got "
	    "%02x%02x%02x%02x..., want f7bc83f4...", h1[0], h1[1], h1[2],
	    h1[3]);

	random_bytes(salt1, sizeof salt1);
	memcpy(salt2, salt1, sizeof salt2);
	token_hash(salt1, SALT_LEN, "hvs.abc", h1);
	token_hash(salt2, SALT_LEN, "hvs.abc", h2);
	CHECK(memcmp(h1, h2, TOKEN_HASH_LEN) == 0, "token_hash: same salt "
	    "and token: got different hashes, want equal");
	salt2[SALT_LEN - 1] ^= 1;
	token_hash(salt2, SALT_LEN, "hvs.abc", h2);
	CHECK(memcmp(h1, h2, TOKEN_HASH_LEN) != 0, "token_hash: other salt: "
	    "got equal hashes, want different");
	token_hash(salt1, SALT_LEN, "hvs.abd", h2);
	CHECK(memcmp(h1, h2, TOKEN_HASH_LEN) != 0, "token_hash: other token: "
	    "got equal hashes, want different");
}

static void
test_uuid(void)
{
	char	 u1[37], u2[37];
	size_t	 i;
	bool	 ok = true;

	uuid_v4(u1);
	uuid_v4(u2);
	CHECK(strlen(u1) == 36, "uuid_v4: length: got %zu, want 36",
	    strlen(u1));
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (u1[i] != '-')
				ok = false;
		} else if (!((u1[i] >= '0' && u1[i] <= '9') ||
		    (u1[i] >= 'a' && u1[i] <= 'f')))
			ok = false;
	}
	CHECK(ok, "uuid_v4: got \"%s\", want 8-4-4-4-12 lower-case hex", u1);
	CHECK(u1[14] == '4', "uuid_v4: version: got '%c', want '4'", u1[14]);
	CHECK(strchr("89ab", u1[19]) != NULL, "uuid_v4: variant: got '%c', "
	    "want one of 89ab", u1[19]);
	CHECK(strcmp(u1, u2) != 0, "uuid_v4: got \"%s\" twice, want different",
	    u1);
}

int
main(void)
{
	test_field_convert();
	test_field_convert_query();
	test_field_convert_long();
	test_fields_convert();
	test_go_parse_int64();
	test_go_parse_bool();
	test_go_quote();
	test_json_parse_object();
	test_json_deep_nesting();
	test_json_number_text();
	test_json_encode_go();
	test_form_parse();
	test_path_decode();
	test_name_valid();
	test_tokens();
	test_uuid();
	return check_done("lib_test");
}
