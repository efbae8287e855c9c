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
 * Out: jansson encodes; a second pass applies the escapes Go's encoder uses
 * (\u003c \u003e \u0026 \u2028 \u2029, \u0008 and \u000c, lower-case hex) so
 * that answers match Vault byte for byte.
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

/* Go's %v of a decoded JSON value: maps print sorted, nil as <nil>. */
static int
keycmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void
json_gofmt(struct buf *b, const json_t *j)
{
	const char	**keys;
	const char	 *k;
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
		n = json_object_size(j);
		keys = xcalloc(n, sizeof *keys);
		i = 0;
		json_object_foreach((json_t *)j, k, v)
			keys[i++] = k;
		qsort(keys, n, sizeof *keys, keycmp);
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

/* Rewrites jansson's escapes into Go's inside string literals. */
static void
go_escapes(const char *s, size_t n, struct buf *out)
{
	bool	 instr = false;
	size_t	 i, run;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		/* Copy a run of bytes that need no attention in one go. */
		for (run = i; run < n && s[run] != '"' && s[run] != '\\' &&
		    s[run] != '<' && s[run] != '>' && s[run] != '&' &&
		    (unsigned char)s[run] != 0xe2; run++)
			;
		if (run > i) {
			buf_add(out, s + i, run - i);
			i = run - 1;
			continue;
		}
		if (!instr) {
			if (c == '"')
				instr = true;
			buf_addc(out, (char)c);
			continue;
		}
		if (c == '"') {
			instr = false;
			buf_addc(out, '"');
		} else if (c == '\\' && i + 1 < n) {
			char e = s[++i];

			if (e == 'b')
				buf_adds(out, "\\u0008");
			else if (e == 'f')
				buf_adds(out, "\\u000c");
			else if (e == 'u' && i + 4 < n) {
				buf_adds(out, "\\u");
				for (size_t k = 1; k <= 4; k++) {
					char h = s[i + k];

					if (h >= 'A' && h <= 'F')
						h = (char)(h - 'A' + 'a');
					buf_addc(out, h);
				}
				i += 4;
			} else {
				buf_addc(out, '\\');
				buf_addc(out, e);
			}
		} else if (c == '<' || c == '>' || c == '&') {
			buf_adds(out, "\\u00");
			buf_addc(out, hex[c >> 4]);
			buf_addc(out, hex[c & 0xf]);
		} else if (c == 0xe2 && i + 2 < n &&
		    (unsigned char)s[i + 1] == 0x80 &&
		    ((unsigned char)s[i + 2] == 0xa8 ||
		    (unsigned char)s[i + 2] == 0xa9)) {
			buf_adds(out, (unsigned char)s[i + 2] == 0xa8 ?
			    "\\u2028" : "\\u2029");
			i += 2;
		} else
			buf_addc(out, (char)c);
	}
}

/*
 * Encodes a value compactly, in insertion order, with Go's escapes.  Returns
 * a new NUL-terminated string; *lenp gets its length.
 */
char *
json_encode_go(const json_t *j, size_t *lenp)
{
	struct buf	 out;
	char		*raw;

	raw = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	if (raw == NULL)
		fatal("json_dumps failed");
	buf_init(&out);
	go_escapes(raw, strlen(raw), &out);
	free(raw);
	if (lenp != NULL)
		*lenp = out.len;
	return out.data;
}
