/*
 * field.c: Vault's weak typing of request fields.  Vault decodes every field
 * with mapstructure.WeakDecode, and a JSON number arrives there as its text,
 * so numbers take the string branch: ints parse with strconv.ParseInt(s, 0,
 * 64) and bools with strconv.ParseBool.  The error strings are Vault's, byte
 * for byte, because clients and scripts match on them.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib.h"

/* Go's strconv.Quote for the strings that appear in NumError texts. */
void
go_quote(struct buf *b, const char *s)
{
	static const char hx[] = "0123456789abcdef";
	const unsigned char *p;

	buf_addc(b, '"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '"':	buf_adds(b, "\\\""); break;
		case '\\':	buf_adds(b, "\\\\"); break;
		case '\a':	buf_adds(b, "\\a"); break;
		case '\b':	buf_adds(b, "\\b"); break;
		case '\f':	buf_adds(b, "\\f"); break;
		case '\n':	buf_adds(b, "\\n"); break;
		case '\r':	buf_adds(b, "\\r"); break;
		case '\t':	buf_adds(b, "\\t"); break;
		case '\v':	buf_adds(b, "\\v"); break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				buf_adds(b, "\\x");
				buf_addc(b, hx[*p >> 4]);
				buf_addc(b, hx[*p & 0xf]);
			} else
				buf_addc(b, (char)*p);
		}
	}
	buf_addc(b, '"');
}

static char
lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* strconv's underscoreOK: '_' only between digits (or after a prefix). */
static bool
underscore_ok(const char *s)
{
	char	 saw = '^';
	bool	 hexd = false;
	size_t	 i = 0, n;

	if (*s == '-' || *s == '+')
		s++;
	n = strlen(s);
	if (n >= 2 && s[0] == '0' && (lower(s[1]) == 'b' ||
	    lower(s[1]) == 'o' || lower(s[1]) == 'x')) {
		i = 2;
		saw = '0';
		hexd = lower(s[1]) == 'x';
	}
	for (; i < n; i++) {
		if ((s[i] >= '0' && s[i] <= '9') ||
		    (hexd && lower(s[i]) >= 'a' && lower(s[i]) <= 'f')) {
			saw = '0';
			continue;
		}
		if (s[i] == '_') {
			if (saw != '0')
				return false;
			saw = '_';
			continue;
		}
		if (saw == '_')
			return false;
		saw = '!';
	}
	return saw != '_';
}

/*
 * strconv.ParseInt(s, 0, 64): 0 on success, -1 for invalid syntax, -2 for
 * a value out of range, checked in the order Go checks them.
 */
int
go_parse_int64(const char *s0, int64_t *out)
{
	const char	*s = s0;
	uint64_t	 n = 0, cutoff, n1, lim;
	bool		 neg = false, underscores = false;
	unsigned	 base = 10, d;

	*out = 0;
	if (*s == '\0')
		return -1;
	if (*s == '+' || *s == '-') {
		neg = *s == '-';
		s++;
	}
	if (*s == '\0')
		return -1;
	if (s[0] == '0') {
		size_t len = strlen(s);

		if (len >= 3 && lower(s[1]) == 'b') {
			base = 2;
			s += 2;
		} else if (len >= 3 && lower(s[1]) == 'o') {
			base = 8;
			s += 2;
		} else if (len >= 3 && lower(s[1]) == 'x') {
			base = 16;
			s += 2;
		} else {
			base = 8;
			s += 1;
		}
	}
	cutoff = UINT64_MAX / base + 1;
	for (; *s != '\0'; s++) {
		char c = *s;

		if (c == '_') {
			underscores = true;
			continue;
		} else if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (lower(c) >= 'a' && lower(c) <= 'z')
			d = (unsigned)(lower(c) - 'a' + 10);
		else
			return -1;
		if (d >= base)
			return -1;
		if (n >= cutoff)
			return -2;
		n *= base;
		n1 = n + d;
		if (n1 < n)
			return -2;
		n = n1;
	}
	if (underscores && !underscore_ok(s0))
		return -1;
	lim = (uint64_t)1 << 63;
	if (!neg && n >= lim)
		return -2;
	if (neg && n > lim)
		return -2;
	*out = neg ? (int64_t)(0 - n) : (int64_t)n;
	return 0;
}

/* strconv.ParseBool: 0 on success, -1 for invalid syntax. */
int
go_parse_bool(const char *s, bool *out)
{
	static const char *const t[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const f[] = { "0", "f", "F", "FALSE", "false", "False" };
	size_t	 i;

	for (i = 0; i < 6; i++) {
		if (strcmp(s, t[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(s, f[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static const char *
kind_name(enum field_kind k)
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

static void
conv_error(struct apierr *err, const char *name, const json_t *v,
    const char *reason)
{
	struct buf	 b;

	buf_init(&b);
	buf_adds(&b, "Field validation failed: error converting input ");
	json_gofmt(&b, v);
	buf_printf(&b, " for field \"%s\": %s", name, reason);
	apierr_set(err, 400, "%s", b.data);
	buf_free(&b);
}

/* Converts one value; 0, or 400 with Vault's message in err. */
int
field_convert(const char *name, enum field_kind kind, const json_t *v,
    bool query, struct fieldval *out, struct apierr *err)
{
	struct buf	 r;
	const char	*s;
	int		 rc;

	memset(out, 0, sizeof *out);
	out->set = true;
	if (json_is_null(v)) {
		if (kind == FIELD_STRING)
			out->s = xstrdup("");
		return 0;
	}
	if (json_is_boolean(v)) {
		if (kind == FIELD_STRING)
			out->s = xstrdup(json_is_true(v) ? "1" : "0");
		else if (kind == FIELD_INT64)
			out->i = json_is_true(v) ? 1 : 0;
		else
			out->b = json_is_true(v);
		return 0;
	}
	if (!json_is_string(v)) {
		buf_init(&r);
		buf_printf(&r, "'' expected type '%s', got unconvertible type "
		    "'%s', value: '", kind_name(kind), json_is_array(v) && query ?
		    "[]string" : json_gotype(v));
		json_gofmt(&r, v);
		buf_addc(&r, '\'');
		conv_error(err, name, v, r.data);
		buf_free(&r);
		out->set = false;
		return 400;
	}
	s = json_text(v);
	switch (kind) {
	case FIELD_STRING:
		out->s = xstrdup(s);
		return 0;
	case FIELD_INT64:
		rc = go_parse_int64(*s == '\0' ? "0" : s, &out->i);
		if (rc == 0)
			return 0;
		buf_init(&r);
		buf_adds(&r, "cannot parse '' as int: strconv.ParseInt: parsing ");
		go_quote(&r, s);
		buf_adds(&r, rc == -2 ? ": value out of range" :
		    ": invalid syntax");
		break;
	case FIELD_BOOL:
	default:
		if (*s == '\0' || go_parse_bool(s, &out->b) == 0)
			return 0;
		buf_init(&r);
		buf_adds(&r, "cannot parse '' as bool: strconv.ParseBool: parsing ");
		go_quote(&r, s);
		buf_adds(&r, ": invalid syntax");
		break;
	}
	conv_error(err, name, v, r.data);
	buf_free(&r);
	out->set = false;
	return 400;
}

static int
strpcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Converts every known field present in raw, in table order.  The names of
 * unknown keys go to ignored, sorted and space separated, for the warning
 * Vault attaches to read responses.  Returns 0 or 400.
 */
int
fields_convert(const struct field *f, size_t n, const json_t *raw, bool query,
    struct fieldval *vals, struct buf *ignored, struct apierr *err)
{
	const char	**unknown, *k;
	json_t		 *v;
	size_t		  i, j, nu = 0;

	memset(vals, 0, n * sizeof *vals);
	for (i = 0; i < n; i++) {
		v = json_object_get(raw, f[i].name);
		if (v != NULL && field_convert(f[i].name, f[i].kind, v, query,
		    &vals[i], err) != 0)
			return 400;
	}
	unknown = xcalloc(json_object_size(raw), sizeof *unknown);
	json_object_foreach((json_t *)raw, k, v) {
		for (j = 0; j < n; j++)
			if (strcmp(k, f[j].name) == 0)
				break;
		if (j == n)
			unknown[nu++] = k;
	}
	qsort(unknown, nu, sizeof *unknown, strpcmp);
	for (i = 0; i < nu; i++) {
		if (i > 0)
			buf_addc(ignored, ' ');
		buf_adds(ignored, unknown[i]);
	}
	free(unknown);
	return 0;
}

void
fields_free(struct fieldval *vals, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(vals[i].s);
		vals[i].s = NULL;
	}
}
