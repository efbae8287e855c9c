/*
 * form.c: percent-decoding and application/x-www-form-urlencoded parsing
 * with Go's url.ParseQuery rules ('+' is a space, ';' is an error).  Bodies
 * join a repeated key with ',' (Vault's parseFormRequest); query strings keep
 * every value, so a repeated key becomes a list that string fields refuse.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* RFC 1521 tspecials, as Go's mime package lists them. */
static bool
is_tspecial(char c)
{
	return c != '\0' && strchr("()<>@,;:\\\"/[]?=", c) != NULL;
}

static bool
is_token_char(char c)
{
	return (unsigned char)c > 0x20 && (unsigned char)c < 0x7f &&
	    !is_tspecial(c);
}

#define ASCII_SPACE	" \t\n\v\f\r"

static const char *
skip_space(const char *s)
{
	return s + strspn(s, ASCII_SPACE);
}

/* Length of the token at s. */
static size_t
token_len(const char *s)
{
	size_t	 n = 0;

	while (is_token_char(s[n]))
		n++;
	return n;
}

/*
 * A parameter value at s: a token or a quoted string.  Returns the length
 * consumed, or 0 if there is no value (an empty quoted string consumes 2).
 */
static size_t
value_len(const char *s)
{
	size_t	 i;

	if (*s != '"')
		return token_len(s);
	for (i = 1; s[i] != '\0'; i++) {
		if (s[i] == '"')
			return i + 1;
		if (s[i] == '\\' && is_tspecial(s[i + 1]))
			i++;
		else if (s[i] == '\r' || s[i] == '\n')
			return 0;
	}
	return 0;
}

/*
 * Go's mime.ParseMediaType, as far as the answer depends on it: the media
 * type lowercased, without parameters, in *type (new), and 0; or -1 with
 * Go's error text in *err.  Parameters are checked (a malformed one or a
 * repeated name is an error) but not returned.
 */
int
go_media_type(const char *v, char **type, const char **err)
{
	const char	*semi = strchr(v, ';'), *p, *rest, *e;
	char		*t, **names = NULL;
	size_t		 n, i, nnames = 0, k;
	int		 rc = 0;

	*type = NULL;
	n = semi ? (size_t)(semi - v) : strlen(v);
	p = skip_space(v);
	n -= (size_t)(p - v);
	while (n > 0 && strchr(ASCII_SPACE, p[n - 1]) != NULL)
		n--;
	t = xstrndup(p, n);
	for (i = 0; i < n; i++)
		t[i] = (char)((t[i] >= 'A' && t[i] <= 'Z') ? t[i] + 32 : t[i]);

	/* type["/" subtype], both tokens, nothing else */
	if ((k = token_len(t)) == 0) {
		*err = "mime: no media type";
		goto bad;
	}
	if (t[k] != '\0') {
		if (t[k] != '/') {
			*err = "mime: expected slash after first token";
			goto bad;
		}
		e = t + k + 1;
		if ((k = token_len(e)) == 0) {
			*err = "mime: expected token after slash";
			goto bad;
		}
		if (e[k] != '\0') {
			*err = "mime: unexpected content after media subtype";
			goto bad;
		}
	}

	/* "; name = value", repeated; a lone trailing ';' is allowed */
	rest = v + (semi ? (size_t)(semi - v) : strlen(v));
	while (*(rest = skip_space(rest)) != '\0') {
		p = skip_space(rest + 1);
		k = *rest == ';' ? token_len(p) : 0;
		e = skip_space(p + k);
		n = k > 0 && *e == '=' ? value_len(skip_space(e + 1)) : 0;
		if (n == 0) {
			if (*rest == ';' && *skip_space(rest + 1) == '\0')
				break;
			*err = "mime: invalid media parameter";
			goto bad;
		}
		for (i = 0; i < nnames; i++)
			if (strlen(names[i]) == k &&
			    strncasecmp(names[i], p, k) == 0) {
				*err = "mime: duplicate parameter name";
				goto bad;
			}
		names = xrealloc(names, (nnames + 1) * sizeof *names);
		names[nnames++] = xstrndup(p, k);
		rest = skip_space(e + 1) + n;
	}
	*type = t;
	t = NULL;
	goto out;
bad:
	rc = -1;
out:
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	free(t);
	return rc;
}
