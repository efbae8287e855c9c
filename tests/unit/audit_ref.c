/*
 * audit_ref.c: the construction of an audit entry as lib/audit.c had it
 * before its cost was cut (a tree walk per entry, OpenSSL's one-shot HMAC
 * per string, strftime, printf and a byte-at-a-time escaper), kept as the
 * oracle that audit_test.c compares the current construction with.  Only
 * names changed (and the escaper is a copy, since lib/json.c's may change
 * too).  Do not make this file faster: its worth is that it is the old
 * code.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "lib/lib.h"
#include "tests/unit/audit_ref.h"

static const char hexdig[] = "0123456789abcdef";

void
ref_hmac(const char *salt, const char *s, size_t n,
    char out[AUDIT_HMAC_LEN + 1])
{
	unsigned char	 md[32];
	unsigned int	 len = sizeof md;
	size_t		 i;

	if (HMAC(EVP_sha256(), salt, (int)strlen(salt),
	    (const unsigned char *)s, n, md, &len) == NULL || len != sizeof md)
		abort();
	memcpy(out, "hmac-sha256:", 12);
	for (i = 0; i < sizeof md; i++) {
		out[12 + 2 * i] = hexdig[md[i] >> 4];
		out[13 + 2 * i] = hexdig[md[i] & 0xf];
	}
	out[AUDIT_HMAC_LEN] = '\0';
}

static void
ref_go_string(struct buf *out, const char *s, size_t n)
{
	size_t	 i, run = 0;

	buf_addc(out, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char u[7];

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
			u[4] = hexdig[c >> 4]; u[5] = hexdig[c & 0xf]; u[6] = '\0';
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
	buf_addc(out, '"');
}

void
ref_time(struct buf *b, int64_t sec, long nsec)
{
	struct tm	 tm;
	time_t		 t = (time_t)sec;
	char		 s[32], frac[11];
	int		 n;

	gmtime_r(&t, &tm);
	strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S", &tm);
	buf_adds(b, s);
	if (nsec > 0 && nsec < 1000000000L) {
		snprintf(frac, sizeof frac, ".%09ld", nsec);
		for (n = 9; frac[n] == '0'; n--)
			frac[n] = '\0';
		buf_adds(b, frac);
	}
	buf_addc(b, 'Z');
}

struct writer {
	struct buf		*b;
	const struct audit_opts	*o;
	const char		*salt;
	bool			 first;
};

static void
key(struct writer *w, const char *k)
{
	buf_adds(w->b, w->first ? "\"" : ",\"");
	w->first = false;
	buf_adds(w->b, k);
	buf_add(w->b, "\":", 2);
}

static void
hashed(struct buf *b, const char h[AUDIT_HMAC_LEN + 1])
{
	buf_addc(b, '"');
	buf_add(b, h, AUDIT_HMAC_LEN);
	buf_addc(b, '"');
}

static void
open_obj(struct writer *w, const char *k)
{
	key(w, k);
	buf_addc(w->b, '{');
	w->first = true;
}

static void
close_obj(struct writer *w)
{
	buf_addc(w->b, '}');
	w->first = false;
}

static void
str(struct writer *w, const char *k, const char *v)
{
	if (v == NULL || *v == '\0')
		return;
	key(w, k);
	ref_go_string(w->b, v, strlen(v));
}

static void
secret(struct writer *w, const char *k, const char *v, bool hash)
{
	char	 h[AUDIT_HMAC_LEN + 1];

	if (v == NULL || *v == '\0')
		return;
	if (!hash || w->o->log_raw) {
		str(w, k, v);
		return;
	}
	ref_hmac(w->salt, v, strlen(v), h);
	key(w, k);
	hashed(w->b, h);
}

static void
num(struct writer *w, const char *k, int64_t v)
{
	if (v == 0)
		return;
	key(w, k);
	buf_printf(w->b, "%lld", (long long)v);
}

static void
strs(struct writer *w, const char *k, char **list, size_t n)
{
	size_t	 i;

	if (n == 0)
		return;
	key(w, k);
	buf_addc(w->b, '[');
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(w->b, ',');
		ref_go_string(w->b, list[i], strlen(list[i]));
	}
	buf_addc(w->b, ']');
}

static int
cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
value(struct writer *w, const json_t *j)
{
	char		 h[AUDIT_HMAC_LEN + 1];
	const char	**keys, *s, *k;
	json_t		*v;
	size_t		  i, n;

	switch (json_typeof(j)) {
	case JSON_STRING:
		s = json_text(j);
		if (!w->o->log_raw) {
			ref_hmac(w->salt, s, strlen(s), h);
			hashed(w->b, h);
		} else if (json_is_number_text(j))
			buf_adds(w->b, s);
		else
			ref_go_string(w->b, s, json_string_length(j));
		break;
	case JSON_INTEGER:
		buf_printf(w->b, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
		break;
	case JSON_REAL:
		buf_printf(w->b, "%.17g", json_real_value(j));
		break;
	case JSON_TRUE:
		buf_adds(w->b, "true");
		break;
	case JSON_FALSE:
		buf_adds(w->b, "false");
		break;
	case JSON_NULL:
		buf_adds(w->b, "null");
		break;
	case JSON_ARRAY:
		buf_addc(w->b, '[');
		json_array_foreach(j, i, v) {
			if (i > 0)
				buf_addc(w->b, ',');
			value(w, v);
		}
		buf_addc(w->b, ']');
		break;
	case JSON_OBJECT:
		n = json_object_size(j);
		keys = calloc(n ? n : 1, sizeof *keys);
		i = 0;
		json_object_foreach((json_t *)j, k, v)
			keys[i++] = k;
		qsort(keys, n, sizeof *keys, cmp_keys);
		buf_addc(w->b, '{');
		for (i = 0; i < n; i++) {
			if (i > 0)
				buf_addc(w->b, ',');
			ref_go_string(w->b, keys[i], strlen(keys[i]));
			buf_addc(w->b, ':');
			value(w, json_object_get(j, keys[i]));
		}
		buf_addc(w->b, '}');
		free(keys);
		break;
	}
}

static void
data(struct writer *w, const char *k, const json_t *j)
{
	if (j == NULL || !json_is_object(j) || json_object_size(j) == 0)
		return;
	key(w, k);
	value(w, j);
}

static void
caller(struct writer *w, const struct audit_in *in)
{
	const struct token_rec	*t = in->tok;

	open_obj(w, "auth");
	secret(w, "client_token", in->client_token, true);
	secret(w, "accessor", t->accessor, w->o->hmac_accessor);
	str(w, "display_name", t->display_name);
	strs(w, "policies", t->policies, t->npolicies);
	strs(w, "token_policies", t->policies, t->npolicies);
	num(w, "remaining_uses", t->num_uses);
	str(w, "token_type", "service");
	num(w, "token_ttl", t->ttl);
	if (t->created != 0) {
		key(w, "token_issue_time");
		buf_addc(w->b, '"');
		ref_time(w->b, t->created, 0);
		buf_addc(w->b, '"');
	}
	close_obj(w);
}

static const char *
jstr(const json_t *o, const char *k)
{
	const json_t	*v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static void
jstrs(struct writer *w, const char *k, const json_t *a)
{
	const json_t	*v;
	size_t		 i;

	if (!json_is_array(a) || json_array_size(a) == 0)
		return;
	key(w, k);
	buf_addc(w->b, '[');
	json_array_foreach(a, i, v) {
		if (i > 0)
			buf_addc(w->b, ',');
		ref_go_string(w->b, json_is_string(v) ? json_string_value(v) :
		    "", json_is_string(v) ? json_string_length(v) : 0);
	}
	buf_addc(w->b, ']');
}

static void
issued(struct writer *w, const json_t *a)
{
	const json_t	*v;

	open_obj(w, "auth");
	secret(w, "client_token", jstr(a, "client_token"), true);
	secret(w, "accessor", jstr(a, "accessor"), w->o->hmac_accessor);
	jstrs(w, "policies", json_object_get(a, "policies"));
	jstrs(w, "token_policies", json_object_get(a, "token_policies"));
	str(w, "token_type", jstr(a, "token_type"));
	if (json_is_integer(v = json_object_get(a, "lease_duration")))
		num(w, "token_ttl", json_integer_value(v));
	close_obj(w);
}

void
ref_format(struct buf *b, const struct audit_opts *o, const char *salt,
    const struct audit_in *in)
{
	struct writer	 w = { b, o, salt, true };

	buf_adds(b, o->prefix);
	buf_addc(b, '{');
	key(&w, "time");
	buf_addc(b, '"');
	ref_time(b, in->sec, in->nsec);
	buf_addc(b, '"');
	str(&w, "type", in->response ? "response" : "request");
	if (in->tok != NULL)
		caller(&w, in);

	open_obj(&w, "request");
	str(&w, "id", in->id);
	str(&w, "operation", in->operation);
	str(&w, "mount_point", in->mount_point);
	str(&w, "mount_type", in->mount_type);
	secret(&w, "client_token", in->client_token, true);
	if (in->tok != NULL)
		secret(&w, "client_token_accessor", in->tok->accessor,
		    o->hmac_accessor);
	open_obj(&w, "namespace");
	str(&w, "id", "root");
	close_obj(&w);
	str(&w, "path", in->path);
	data(&w, "data", in->data);
	str(&w, "remote_address", in->remote_addr);
	num(&w, "remote_port", in->remote_port);
	close_obj(&w);

	if (in->response) {
		open_obj(&w, "response");
		str(&w, "mount_point", in->mount_point);
		str(&w, "mount_type", in->mount_type);
		if (in->resp_auth != NULL && json_is_object(in->resp_auth))
			issued(&w, in->resp_auth);
		data(&w, "data", in->resp_data);
		jstrs(&w, "warnings", in->warnings);
		close_obj(&w);
	}
	str(&w, "error", in->error);
	buf_adds(b, "}\n");
}
