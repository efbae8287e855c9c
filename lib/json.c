/*
 * json.c: request bodies in, Vault's wire bytes out.
 *
 * In: Vault decodes bodies with UseNumber(), so a number reaches the weak
 * typing as its exact text ("1e3", "9223372036854775808").  jansson would turn
 * it into a double or refuse it, so a pre-scan rewrites every number token
 * into a string that starts with a NUL byte and holds the text.  That byte
 * cannot come from a client: the pre-scan refuses \u0000 and jansson refuses
 * raw control bytes.  jansson then does the real parsing, with duplicate keys,
 * invalid UTF-8 and excessive nesting refused.
 *
 * Out: values are jansson trees, written in one pass with the escapes Go's
 * encoder uses (\u003c \u003e \u0026 \u2028 \u2029, \u0008 and \u000c,
 * lower-case hex) so that answers match Vault byte for byte.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib.h"

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Checks one number token against the JSON grammar. */
static bool
number_ok(const char *s, size_t n)
{
	size_t	 i = 0;

	if (i < n && s[i] == '-')
		i++;
	if (i >= n || !is_digit(s[i]))
		return false;
	if (s[i] == '0')
		i++;
	else
		while (i < n && is_digit(s[i]))
			i++;
	if (i < n && s[i] == '.') {
		if (++i >= n || !is_digit(s[i]))
			return false;
		while (i < n && is_digit(s[i]))
			i++;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || !is_digit(s[i]))
			return false;
		while (i < n && is_digit(s[i]))
			i++;
	}
	return i == n;
}

/* Rewrites numbers into marked strings; -1 on a lexical error. */
static int
prescan(const char *in, size_t len, struct buf *out)
{
	size_t	 i = 0, start;

	while (i < len) {
		char c = in[i];

		if (c == '"') {
			start = i++;
			while (i < len && in[i] != '"') {
				if (in[i] == '\\') {
					if (i + 5 < len && in[i + 1] == 'u' &&
					    memcmp(in + i + 2, "0000", 4) == 0)
						return -1;
					i++;
				}
				i++;
			}
			if (i >= len)
				return -1;
			i++;
			buf_add(out, in + start, i - start);
		} else if (c == '-' || is_digit(c)) {
			start = i;
			while (i < len && (is_digit(in[i]) || in[i] == '-' ||
			    in[i] == '+' || in[i] == '.' || in[i] == 'e' ||
			    in[i] == 'E'))
				i++;
			if (!number_ok(in + start, i - start))
				return -1;
			buf_adds(out, "\"\\u0000");
			buf_add(out, in + start, i - start);
			buf_addc(out, '"');
		} else {
			buf_addc(out, c);
			i++;
		}
	}
	return 0;
}

/*
 * Parses a request body into a new object.  Empty input and "null" give an
 * empty object; anything else that is not an object is an error (-1).
 */
int
json_parse_object(const char *text, size_t len, json_t **out)
{
	struct buf	 b;
	json_error_t	 jerr;
	json_t		*j;
	size_t		 i;

	*out = NULL;
	for (i = 0; i < len; i++)
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\n' &&
		    text[i] != '\r')
			break;
	if (i == len) {
		*out = json_object();
		return 0;
	}
	buf_init(&b);
	if (prescan(text, len, &b) == -1) {
		buf_free(&b);
		return -1;
	}
	j = json_loadb(b.data, b.len, JSON_REJECT_DUPLICATES |
	    JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	buf_free(&b);
	if (j == NULL)
		return -1;
	if (json_is_null(j)) {
		json_decref(j);
		j = json_object();
	}
	if (!json_is_object(j)) {
		json_decref(j);
		return -1;
	}
	*out = j;
	return 0;
}

bool
json_is_number_text(const json_t *j)
{
	return json_is_string(j) && json_string_length(j) > 0 &&
	    json_string_value(j)[0] == '\0';
}

const char *
json_text(const json_t *j)
{
	return json_is_number_text(j) ? json_string_value(j) + 1 :
	    json_string_value(j);
}

json_t *
json_number_text(const char *s)
{
	size_t	 n = strlen(s);
	char	*t = xmalloc(n + 1);
	json_t	*j;

	t[0] = '\0';
	memcpy(t + 1, s, n);
	j = json_stringn_nocheck(t, n + 1);
	free(t);
	return j;
}

/*
 * The keys of an object in bytewise order, as Go sorts a map's: a new
 * array (never NULL) of keys borrowed from the object; *n gets the count.
 */
const char **
json_sorted_keys(const json_t *obj, size_t *n)
{
	const char	**keys, *k;
	json_t		 *v;
	size_t		  i = 0;

	*n = json_object_size(obj);
	keys = xcalloc(*n ? *n : 1, sizeof *keys);
	json_object_foreach((json_t *)obj, k, v)
		keys[i++] = k;
	qsort(keys, *n, sizeof *keys, strp_cmp);
	return keys;
}

/* Go's %v of a decoded JSON value: maps print sorted, nil as <nil>. */
void
json_gofmt(struct buf *b, const json_t *j)
{
	const char	**keys;
	json_t		 *v;
	size_t		  i, n;

	switch (json_typeof(j)) {
	case JSON_STRING:
		buf_adds(b, json_text(j));
		break;
	case JSON_TRUE:
		buf_adds(b, "true");
		break;
	case JSON_FALSE:
		buf_adds(b, "false");
		break;
	case JSON_NULL:
		buf_adds(b, "<nil>");
		break;
	case JSON_INTEGER:
		buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
		break;
	case JSON_REAL:
		buf_printf(b, "%g", json_real_value(j));
		break;
	case JSON_ARRAY:
		buf_addc(b, '[');
		json_array_foreach(j, i, v) {
			if (i > 0)
				buf_addc(b, ' ');
			json_gofmt(b, v);
		}
		buf_addc(b, ']');
		break;
	case JSON_OBJECT:
		keys = json_sorted_keys(j, &n);
		buf_adds(b, "map[");
		for (i = 0; i < n; i++) {
			if (i > 0)
				buf_addc(b, ' ');
			buf_printf(b, "%s:", keys[i]);
			json_gofmt(b, json_object_get(j, keys[i]));
		}
		buf_addc(b, ']');
		free(keys);
		break;
	}
}

/* Go's name for the dynamic type of a decoded body value. */
const char *
json_gotype(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_ARRAY:
		return "[]interface {}";
	case JSON_OBJECT:
		return "map[string]interface {}";
	case JSON_TRUE:
	case JSON_FALSE:
		return "bool";
	case JSON_NULL:
		return "<nil>";
	default:
		return json_is_number_text(j) ? "json.Number" : "string";
	}
}

static const char hex[] = "0123456789abcdef";

/* The bytes go_string looks at twice; every other one is copied as is. */
static const unsigned char go_special[256] = {
	['"'] = 1, ['\\'] = 1, ['<'] = 1, ['>'] = 1, ['&'] = 1, [0xe2] = 1,
};

/*
 * A string as Go's encoding/json writes it (escapeHTML on): \" \\ \n \r
 * \t, other control bytes and < > & as \u00xx in lower case, U+2028 and
 * U+2029 escaped, every other byte (valid UTF-8) as it is.
 */
void
go_string(struct buf *out, const char *s, size_t n)
{
	size_t	 i, run = 0;

	buf_add(out, "\"", 1);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char u[7];

		if (c >= 0x20 && !go_special[c])
			continue;
		if (c == '"')
			esc = "\\\"";
		else if (c == '\\')
			esc = "\\\\";
		else if (c == '\n')
			esc = "\\n";
		else if (c == '\r')
			esc = "\\r";
		else if (c == '\t')
			esc = "\\t";
		else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
			u[0] = '\\'; u[1] = 'u'; u[2] = '0'; u[3] = '0';
			u[4] = hex[c >> 4]; u[5] = hex[c & 0xf]; u[6] = '\0';
			esc = u;
		} else if (c == 0xe2 && i + 2 < n &&
		    (unsigned char)s[i + 1] == 0x80 &&
		    ((unsigned char)s[i + 2] == 0xa8 ||
		    (unsigned char)s[i + 2] == 0xa9)) {
			esc = (unsigned char)s[i + 2] == 0xa8 ? "\\u2028" :
			    "\\u2029";
			buf_add(out, s + run, i - run);
			buf_adds(out, esc);
			i += 2;
			run = i + 1;
			continue;
		}
		if (esc == NULL)
			continue;
		buf_add(out, s + run, i - run);
		buf_adds(out, esc);
		run = i + 1;
	}
	buf_add(out, s + run, n - run);
	buf_add(out, "\"", 1);
}

/* Writes a value as Go's encoder would, objects in insertion order. */
static void
go_value(struct buf *out, const json_t *j)
{
	const char	*k;
	json_t		*v;
	size_t		 i;
	bool		 first = true;

	switch (json_typeof(j)) {
	case JSON_OBJECT:
		buf_addc(out, '{');
		json_object_foreach((json_t *)j, k, v) {
			if (!first)
				buf_addc(out, ',');
			first = false;
			go_string(out, k, strlen(k));
			buf_addc(out, ':');
			go_value(out, v);
		}
		buf_addc(out, '}');
		break;
	case JSON_ARRAY:
		buf_addc(out, '[');
		json_array_foreach(j, i, v) {
			if (i > 0)
				buf_addc(out, ',');
			go_value(out, v);
		}
		buf_addc(out, ']');
		break;
	case JSON_STRING:
		go_string(out, json_string_value(j), json_string_length(j));
		break;
	case JSON_INTEGER:
		buf_printf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
		break;
	case JSON_REAL:
		buf_printf(out, "%.17g", json_real_value(j));
		break;
	case JSON_TRUE:
		buf_adds(out, "true");
		break;
	case JSON_FALSE:
		buf_adds(out, "false");
		break;
	case JSON_NULL:
		buf_adds(out, "null");
		break;
	}
}

/*
 * Encodes a value compactly, in insertion order, with Go's escapes.  The
 * value is built with jansson; the bytes are written here because Go's
 * escaping differs from jansson's (\u003c, \u0008, lower-case hex), and
 * one pass is a large share cheaper than jansson's dump plus a rewrite.
 * Returns a new NUL-terminated string; *lenp gets its length.
 */
char *
json_encode_go(const json_t *j, size_t *lenp)
{
	struct buf	 out;

	buf_init(&out);
	go_value(&out, j);
	if (lenp != NULL)
		*lenp = out.len;
	return out.data;
}
