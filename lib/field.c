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

/*
 * Go's unicode.IsPrint, for the code points strconv.Quote escapes: the
 * non-ASCII spaces, line and paragraph separators, C1 controls, format
 * characters, private use and noncharacters.  (Unassigned code points are
 * treated as printable: knowing them needs the whole Unicode table.)
 */
bool
go_isprint(uint32_t r)
{
	static const uint32_t np[][2] = {
		{ 0x0080, 0x00a0 }, { 0x00ad, 0x00ad }, { 0x0600, 0x0605 },
		{ 0x061c, 0x061c }, { 0x06dd, 0x06dd }, { 0x070f, 0x070f },
		{ 0x0890, 0x0891 }, { 0x08e2, 0x08e2 }, { 0x1680, 0x1680 },
		{ 0x180e, 0x180e }, { 0x2000, 0x200f }, { 0x2028, 0x202f },
		{ 0x205f, 0x2064 }, { 0x2066, 0x206f }, { 0x3000, 0x3000 },
		{ 0xd800, 0xf8ff }, { 0xfdd0, 0xfdef }, { 0xfeff, 0xfeff },
		{ 0xfff9, 0xfffb }, { 0xfffe, 0xffff }, { 0x110bd, 0x110bd },
		{ 0x110cd, 0x110cd }, { 0x13430, 0x1343f },
		{ 0x1bca0, 0x1bca3 }, { 0x1d173, 0x1d17a }, { 0xe0001, 0xe0001 },
		{ 0xe0020, 0xe007f }, { 0xf0000, 0x10ffff },
	};
	size_t	 i;

	if (r < 0x20 || r == 0x7f)
		return false;
	if ((r & 0xfffe) == 0xfffe)
		return false;
	for (i = 0; i < sizeof np / sizeof np[0]; i++)
		if (r >= np[i][0] && r <= np[i][1])
			return false;
	return true;
}

/* Decodes one UTF-8 sequence; returns its length, or 0 if invalid. */
static size_t
utf8_decode(const unsigned char *p, uint32_t *r)
{
	size_t	 n, i;
	uint32_t min;

	if (p[0] < 0x80) {
		*r = p[0];
		return 1;
	} else if ((p[0] & 0xe0) == 0xc0) {
		n = 2; *r = p[0] & 0x1f; min = 0x80;
	} else if ((p[0] & 0xf0) == 0xe0) {
		n = 3; *r = p[0] & 0x0f; min = 0x800;
	} else if ((p[0] & 0xf8) == 0xf0) {
		n = 4; *r = p[0] & 0x07; min = 0x10000;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		*r = *r << 6 | (p[i] & 0x3f);
	}
	if (*r < min || *r > 0x10ffff || (*r >= 0xd800 && *r <= 0xdfff))
		return 0;
	return n;
}

/* Go's strconv.Quote, for the strings that appear in NumError texts. */
void
go_quote(struct buf *b, const char *s)
{
	static const char hx[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	uint32_t	 r;
	size_t		 n;

	buf_addc(b, '"');
	while (*p != '\0') {
		switch (*p) {
		case '"':	buf_adds(b, "\\\""); p++; continue;
		case '\\':	buf_adds(b, "\\\\"); p++; continue;
		case '\a':	buf_adds(b, "\\a"); p++; continue;
		case '\b':	buf_adds(b, "\\b"); p++; continue;
		case '\f':	buf_adds(b, "\\f"); p++; continue;
		case '\n':	buf_adds(b, "\\n"); p++; continue;
		case '\r':	buf_adds(b, "\\r"); p++; continue;
		case '\t':	buf_adds(b, "\\t"); p++; continue;
		case '\v':	buf_adds(b, "\\v"); p++; continue;
		}
		if ((n = utf8_decode(p, &r)) == 0) {
			buf_adds(b, "\\x");
			buf_addc(b, hx[*p >> 4]);
			buf_addc(b, hx[*p & 0xf]);
			p++;
		} else if (go_isprint(r)) {
			buf_add(b, p, n);
			p += n;
		} else {
			if (r < 0x80)
				buf_printf(b, "\\x%02x", r);
			else if (r < 0x10000)
				buf_printf(b, "\\u%04x", r);
			else
				buf_printf(b, "\\U%08x", r);
			p += n;
		}
	}
	buf_addc(b, '"');
}

/*
 * Whether every rune of s is printable, as Go's strings.IndexFunc with
 * unicode.IsPrint sees it: a byte that is not valid UTF-8 decodes to
 * U+FFFD, which is printable.
 */
bool
go_printable(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 r;
	size_t			 n;

	while (*p != '\0') {
		if (*p >= 0x20 && *p < 0x7f) {	/* printable ASCII: most paths */
			p++;
			continue;
		}
		if ((n = utf8_decode(p, &r)) == 0) {
			p++;
			continue;
		}
		if (!go_isprint(r))
			return false;
		p += n;
	}
	return true;
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
	case FIELD_STRLIST:
	case FIELD_STRSLICE:
		return "[]string";
	case FIELD_DURATION:
		return "int";
	case FIELD_KVPAIRS:
		return "map[string]string";
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

/* Ends a failed conversion: Vault's message in err, nothing in out. */
static int
conv_fail(const char *name, const json_t *v, struct buf *reason,
    struct fieldval *out, struct apierr *err)
{
	conv_error(err, name, v, reason->data);
	buf_free(reason);
	strlist_free(out->list, out->nlist);
	free(out->s);
	memset(out, 0, sizeof *out);
	return 400;
}

void
strlist_free(char **list, size_t n)
{
	while (n > 0)
		free(list[--n]);
	free(list);
}

/* The length of a Go unicode.IsSpace character at s, or 0. */
static size_t
space_len(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t	 r;

	if (n == 0)
		return 0;
	if (strchr(" \t\n\v\f\r", s[0]) != NULL && s[0] != '\0')
		return 1;
	if (n >= 2 && u[0] == 0xc2 && (u[1] == 0x85 || u[1] == 0xa0))
		return 2;
	if (n >= 3 && (u[0] & 0xf0) == 0xe0) {
		r = (uint32_t)(u[0] & 0x0f) << 12 | (uint32_t)(u[1] & 0x3f) << 6 |
		    (u[2] & 0x3f);
		if (r == 0x1680 || (r >= 0x2000 && r <= 0x200a) ||
		    r == 0x2028 || r == 0x2029 || r == 0x202f || r == 0x205f ||
		    r == 0x3000)
			return 3;
	}
	return 0;
}

/* Length of a space character ending at s[n-1], or 0. */
static size_t
space_len_back(const char *s, size_t n)
{
	size_t	 k;

	for (k = 1; k <= 3 && k <= n; k++)
		if (space_len(s + n - k, k) == k)
			return k;
	return 0;
}

/* Adds one element, trimmed as strings.TrimSpace does (Vault trims all). */
static void
list_add(struct fieldval *out, const char *s, size_t n)
{
	size_t	 k;

	while ((k = space_len(s, n)) > 0) {
		s += k;
		n -= k;
	}
	while ((k = space_len_back(s, n)) > 0)
		n -= k;
	out->list = xrealloc(out->list, (out->nlist + 1) * sizeof *out->list);
	out->list[out->nlist++] = xstrndup(s, n);
}

static int
unconvertible(const char *name, const char *want, const json_t *v, bool query,
    struct fieldval *out, struct apierr *err)
{
	struct buf	 r;

	buf_init(&r);
	buf_printf(&r, "'' expected type '%s', got unconvertible type '%s', "
	    "value: '", want, json_is_array(v) && query ? "[]string" :
	    json_gotype(v));
	json_gofmt(&r, v);
	buf_addc(&r, '\'');
	return conv_fail(name, v, &r, out, err);
}

/*
 * mapstructure's error for the elements of a list that are not strings:
 * "N error(s) decoding:" and one sorted "* '[i]' ..." line each.
 */
static int
bad_elements(const char *name, const json_t *v, const json_t *list,
    struct fieldval *out, struct apierr *err)
{
	struct buf	 r, line;
	json_t		*e;
	char		**lines = NULL;
	size_t		 i, n = 0;

	json_array_foreach(list, i, e) {
		if (!json_is_array(e) && !json_is_object(e))
			continue;
		buf_init(&line);
		buf_printf(&line, "* '[%lu]' expected type 'string', got "
		    "unconvertible type '%s', value: '", (unsigned long)i,
		    json_gotype(e));
		json_gofmt(&line, e);
		buf_addc(&line, '\'');
		lines = xrealloc(lines, (n + 1) * sizeof *lines);
		lines[n++] = line.data;
	}
	qsort(lines, n, sizeof *lines, strp_cmp);
	buf_init(&r);
	buf_printf(&r, "%lu error(s) decoding:\n\n", (unsigned long)n);
	for (i = 0; i < n; i++)
		buf_printf(&r, "%s%s", i ? "\n" : "", lines[i]);
	strlist_free(lines, n);
	return conv_fail(name, v, &r, out, err);
}

/*
 * Vault's TypeCommaStringSlice (split): a string is split at commas and
 * every element trimmed.  TypeStringSlice (!split): a string is one
 * element.  Either way "" is no element and a list takes each scalar as a
 * string.
 */
static int
convert_strlist(const char *name, const json_t *v, bool split,
    struct fieldval *out, struct apierr *err)
{
	const char	*s, *comma;
	json_t		*e;
	size_t		 i;

	if (json_is_string(v) && !split) {
		s = json_text(v);
		if (*s != '\0')
			list_add(out, s, strlen(s));
		return 0;
	}
	if (json_is_string(v)) {
		/* strings.Split: "a," is ["a" ""]; only "" is empty. */
		s = json_text(v);
		while (*s != '\0' || out->nlist > 0) {
			comma = strchr(s, ',');
			list_add(out, s, comma ? (size_t)(comma - s) :
			    strlen(s));
			if (comma == NULL)
				break;
			s = comma + 1;
		}
		return 0;
	}
	if (json_is_null(v) || (json_is_object(v) && json_object_size(v) == 0))
		return 0;	/* mapstructure: an empty map is an empty slice */
	if (json_is_boolean(v)) {
		list_add(out, json_is_true(v) ? "1" : "0", 1);
		return 0;
	}
	if (json_is_object(v)) {
		/* A single value is lifted into a list of one. */
		json_t	*one = json_pack("[O]", v);
		int	 rc = bad_elements(name, v, one, out, err);

		json_decref(one);
		return rc;
	}
	json_array_foreach(v, i, e) {
		if (json_is_array(e) || json_is_object(e))
			return bad_elements(name, v, v, out, err);
		if (json_is_string(e))
			list_add(out, json_text(e), strlen(json_text(e)));
		else if (json_is_boolean(e))
			list_add(out, json_is_true(e) ? "1" : "0", 1);
		else
			list_add(out, "", 0);
	}
	return 0;
}

/* strconv.ParseInt(s, 10, 64): decimal only, an optional sign. */
static int
parse_dec(const char *s, int64_t *v)
{
	const char	*p = s;
	uint64_t	 n = 0;
	bool		 neg = false;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (*p == '\0')
		return -1;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		if (n > (UINT64_MAX - 9) / 10)
			return -1;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	if (n > (uint64_t)INT64_MAX + (neg ? 1 : 0))
		return -1;
	*v = neg ? (int64_t)(0 - n) : (int64_t)n;
	return 0;
}

/*
 * Go's time.ParseDuration, truncated to whole seconds, with Go's error
 * texts ("time: unknown unit ...") in why.
 */
static int
go_duration(const char *orig, int64_t *secs, struct buf *why)
{
	static const struct { const char *u; double ns; } units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "\xc2\xb5s", 1e3 },
		{ "\xce\xbcs", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
		{ "m", 60e9 }, { "h", 3600e9 },
	};
	const char	*s = orig, *u;
	double		 total = 0, v, scale;
	bool		 neg = false, pre, post;
	size_t		 i, ulen;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (strcmp(s, "0") == 0) {
		*secs = 0;
		return 0;
	}
	if (*s == '\0')
		goto invalid;
	while (*s != '\0') {
		if (!(*s == '.' || (*s >= '0' && *s <= '9')))
			goto invalid;
		for (v = 0, pre = false; *s >= '0' && *s <= '9'; s++, pre = true)
			v = v * 10 + (*s - '0');
		post = false;
		if (*s == '.')
			for (s++, scale = 0.1; *s >= '0' && *s <= '9';
			    s++, scale /= 10, post = true)
				v += (*s - '0') * scale;
		if (!pre && !post)
			goto invalid;
		for (u = s; *s != '\0' && *s != '.' && !(*s >= '0' &&
		    *s <= '9'); s++)
			;
		ulen = (size_t)(s - u);
		if (ulen == 0) {
			buf_adds(why, "time: missing unit in duration ");
			go_quote(why, orig);
			return -1;
		}
		for (i = 0; i < sizeof units / sizeof units[0]; i++)
			if (strlen(units[i].u) == ulen &&
			    strncmp(u, units[i].u, ulen) == 0)
				break;
		if (i == sizeof units / sizeof units[0]) {
			char *unit = xstrndup(u, ulen);

			buf_adds(why, "time: unknown unit ");
			go_quote(why, unit);
			buf_adds(why, " in duration ");
			go_quote(why, orig);
			free(unit);
			return -1;
		}
		total += v * units[i].ns;
		if (total > 9.2233720368547e18)
			goto invalid;
	}
	*secs = (int64_t)(total / 1e9) * (neg ? -1 : 1);
	return 0;
invalid:
	buf_adds(why, "time: invalid duration ");
	go_quote(why, orig);
	return -1;
}

/*
 * Vault's parseutil.ParseDurationSecond: decimal seconds, "<n>d" days, or a
 * Go duration such as "1h30m".  -1 with a reason in why.
 */
static int
duration(const char *s, int64_t *secs, struct buf *why)
{
	size_t	 n = strlen(s);
	int64_t	 v;
	char	*days;
	int	 rc;

	*secs = 0;
	if (n == 0)
		return 0;
	if (parse_dec(s, &v) == 0)
		*secs = v;
	else if (s[n - 1] == 'd') {
		days = xstrndup(s, n - 1);
		rc = parse_dec(days, &v);
		if (rc == -1 || v > INT64_MAX / 86400 || v < INT64_MIN / 86400) {
			buf_adds(why, "strconv.ParseInt: parsing ");
			go_quote(why, days);
			buf_adds(why, rc == -1 ? ": invalid syntax" :
			    ": value out of range");
			free(days);
			return -1;
		}
		free(days);
		*secs = v * 86400;
	} else if (go_duration(s, secs, why) == -1)
		return -1;
	return 0;
}

int
parse_duration(const char *s, int64_t *secs)
{
	struct buf	 why;
	int		 rc;

	buf_init(&why);
	rc = duration(s, secs, &why);
	buf_free(&why);
	return rc;
}

static int
convert_duration(const char *name, const json_t *v, struct fieldval *out,
    struct apierr *err)
{
	struct buf	 why;

	if (json_is_null(v))
		return 0;
	buf_init(&why);
	if (!json_is_string(v))
		buf_adds(&why, "could not parse duration from input");
	else if (duration(json_text(v), &out->i, &why) == 0) {
		/* TypeDurationSecond refuses what parses as negative. */
		if (out->i >= 0) {
			buf_free(&why);
			return 0;
		}
		buf_printf(&why, "cannot provide negative value '%lld'",
		    (long long)out->i);
		out->i = 0;
	}
	return conv_fail(name, v, &why, out, err);
}

/*
 * TypeKVPairs: an object whose values convert as strings do; the pairs go
 * to out->list as key, value, … in sorted key order.
 */
static int
convert_kvpairs(const char *name, const json_t *v, bool query,
    struct fieldval *out, struct apierr *err)
{
	struct fieldval	 one;
	const char	**keys;
	json_t		*x;
	size_t		  i, n;
	int		  rc = 0;

	if (json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return unconvertible(name, "map[string]string", v, query, out,
		    err);
	keys = json_sorted_keys(v, &n);
	out->list = xcalloc(2 * n + 1, sizeof *out->list);
	for (i = 0; i < n && rc == 0; i++) {
		x = json_object_get(v, keys[i]);
		if (json_is_array(x) || json_is_object(x)) {
			rc = unconvertible(name, "map[string]string", v, query,
			    out, err);
			break;
		}
		if ((rc = field_convert(name, FIELD_STRING, x, query, &one,
		    err)) != 0)
			break;
		out->list[out->nlist++] = xstrdup(keys[i]);
		out->list[out->nlist++] = one.s;
	}
	free(keys);
	return rc;
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
	if (kind == FIELD_STRLIST || kind == FIELD_STRSLICE)
		return convert_strlist(name, v, kind == FIELD_STRLIST, out,
		    err);
	if (kind == FIELD_DURATION)
		return convert_duration(name, v, out, err);
	if (kind == FIELD_KVPAIRS)
		return convert_kvpairs(name, v, query, out, err);
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
	if (!json_is_string(v))
		return unconvertible(name, kind_name(kind), v, query, out, err);
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
	return conv_fail(name, v, &r, out, err);
}

/* qsort comparator for an array of C strings, bytewise. */
int
strp_cmp(const void *a, const void *b)
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
	qsort(unknown, nu, sizeof *unknown, strp_cmp);
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
		strlist_free(vals[i].list, vals[i].nlist);
		vals[i].list = NULL;
		vals[i].nlist = 0;
	}
}
