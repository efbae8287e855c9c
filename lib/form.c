/*
 * form.c: percent-decoding and application/x-www-form-urlencoded parsing
 * with Go's url.ParseQuery rules ('+' is a space, ';' is an error).  Bodies
 * join a repeated key with ',' (Vault's parseFormRequest); query strings keep
 * every value, so a repeated key becomes a list that string fields refuse.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib.h"

/* The value of a hex digit, or -1. */
int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Appends the decoded bytes to out; -1 on a malformed escape. */
int
pct_decode(const char *s, size_t n, bool plus, struct buf *out)
{
	size_t	 i;
	int	 hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (i + 2 >= n)
				return -1;
			hi = hexval(s[i + 1]);
			lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			buf_addc(out, (char)(hi << 4 | lo));
			i += 2;
		} else if (s[i] == '+' && plus)
			buf_addc(out, ' ');
		else
			buf_addc(out, s[i]);
	}
	return 0;
}

/* Decodes one component into a new jansson string, NULL if unusable. */
static json_t *
component(const char *s, size_t n)
{
	struct buf	 b;
	json_t		*j = NULL;

	buf_init(&b);
	if (pct_decode(s, n, true, &b) == 0 && memchr(b.data, '\0', b.len) ==
	    NULL)
		j = json_stringn(b.data, b.len);	/* NULL on bad UTF-8 */
	buf_free(&b);
	return j;
}

static void
add_value(json_t *obj, const char *key, json_t *val, int flags)
{
	json_t	*old = json_object_get(obj, key);
	char	*joined;

	if (old == NULL) {
		json_object_set_new(obj, key, val);
	} else if (flags & FORM_JOIN) {
		joined = xasprintf("%s,%s", json_string_value(old),
		    json_string_value(val));
		json_object_set_new(obj, key, json_string(joined));
		free(joined);
		json_decref(val);
	} else if (json_is_array(old)) {
		json_array_append_new(old, val);
	} else {
		json_t *list = json_array();

		json_array_append(list, old);
		json_array_append_new(list, val);
		json_object_set_new(obj, key, list);
	}
}

/* Parses a form or query string into a new object; -1 on an error. */
int
form_parse(const char *s, size_t n, int flags, json_t **out)
{
	json_t		*obj = json_object(), *k, *v;
	const char	*p = s, *end = s + n, *amp, *eq;

	*out = NULL;
	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		if (amp == p) {
			p++;
			continue;
		}
		eq = memchr(p, '=', (size_t)(amp - p));
		k = component(p, (size_t)((eq ? eq : amp) - p));
		v = eq ? component(eq + 1, (size_t)(amp - eq - 1)) :
		    json_string("");
		if (memchr(p, ';', (size_t)(amp - p)) != NULL || k == NULL ||
		    v == NULL) {
			json_decref(k);
			json_decref(v);
			if (!(flags & FORM_LENIENT)) {
				json_decref(obj);
				return -1;
			}
		} else {
			add_value(obj, json_string_value(k), v, flags);
			json_decref(k);
		}
		p = amp + 1;
	}
	*out = obj;
	return 0;
}
