/*
 * audit.c: Vault's audit entries, as pure code.  A device's options are
 * checked here; an entry (one request or one answer) becomes one JSON line
 * in Vault 1.16's key order with empty members left out, and every secret
 * in it (tokens, accessors, each string of the request and answer data)
 * becomes "hmac-sha256:<hex>" keyed with the device's own salt, unless the
 * device logs raw.  The edge (fcgi/audit.c) owns the files and writes each
 * line with one write(2); nothing here touches a descriptor.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "lib.h"

static const char hexdig[] = "0123456789abcdef";

/*
 * Appending to an entry: the common case (room left) inline, growth by
 * buf_add.  An entry is a thousand small appends, and each call into
 * xmalloc.c cost more than the bytes it copied.
 */
static inline void
add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		buf_add(b, p, n);
		return;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static inline void
addc(struct buf *b, char c)
{
	add(b, &c, 1);
}

static inline void
adds(struct buf *b, const char *s)
{
	add(b, s, strlen(s));
}

/* A decimal integer, as printf's %lld writes it. */
static void
addint(struct buf *b, long long v)
{
	char			 t[24], *p = t + sizeof t;
	unsigned long long	 u = v < 0 ? -(unsigned long long)v :
				    (unsigned long long)v;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	add(b, p, (size_t)(t + sizeof t - p));
}

/*
 * A device's options (a sorted key/value list, as stored) into o, whose
 * strings are borrowed from the list.  0, or 400 with the message.
 */
int
audit_options(char **kv, size_t n, struct audit_opts *o, struct apierr *err)
{
	static const char *const known[] = { "file_path", "log_raw",
	    "hmac_accessor", "mode", "prefix", "format" };
	size_t	 i, k;
	char	*end;
	unsigned long m;

	memset(o, 0, sizeof *o);
	o->hmac_accessor = true;
	o->mode = 0600;
	o->prefix = "";
	for (i = 0; i + 1 < n; i += 2) {
		const char *key = kv[i], *v = kv[i + 1];

		for (k = 0; k < sizeof known / sizeof known[0]; k++)
			if (strcmp(key, known[k]) == 0)
				break;
		if (k == sizeof known / sizeof known[0]) {
			apierr_set(err, 400, "unsupported option \"%s\" for "
			    "the file audit device", key);
			return 400;
		}
		if (strcmp(key, "file_path") == 0)
			o->file_path = v;
		else if (strcmp(key, "prefix") == 0)
			o->prefix = v;
		else if (strcmp(key, "format") == 0) {
			if (*v != '\0' && strcmp(v, "json") != 0) {
				apierr_set(err, 400, "unsupported format "
				    "\"%s\": catalogd writes json", v);
				return 400;
			}
		} else if (strcmp(key, "mode") == 0) {
			m = strtoul(v, &end, 8);
			if (*v == '\0' || *v == '-' || *v == '+' ||
			    *end != '\0' || m > 07777) {
				apierr_set(err, 400, "unable to parse 'mode': "
				    "\"%s\" is not an octal file mode", v);
				return 400;
			}
			o->mode = (int)m;
		} else if (go_parse_bool(v, strcmp(key, "log_raw") == 0 ?
		    &o->log_raw : &o->hmac_accessor) == -1) {
			apierr_set(err, 400, "unable to parse '%s': "
			    "strconv.ParseBool: parsing \"%s\": invalid syntax",
			    key, v);
			return 400;
		}
	}
	if (o->file_path == NULL || *o->file_path == '\0') {
		apierr_set(err, 400, "file_path is required");
		return 400;
	}
	if (*o->file_path != '/' && strcmp(o->file_path, "discard") != 0) {
		apierr_set(err, 400, "file_path must be an absolute path or "
		    "\"discard\"");
		return 400;
	}
	return 0;
}

/*
 * An HMAC-SHA256 keyed once with a device's salt, duplicated per value,
 * and the last hashes it made.  A request and its answer hash the same
 * token and accessor four times each, and a client tends to repeat its
 * values, while one HMAC through OpenSSL costs as much as a whole read:
 * a small table keeps results by value.  Inputs are compared in constant
 * time over their length, so the table tells no prefix of another
 * client's token.
 */
#define MEMO_SLOTS	64
#define MEMO_MAX	256	/* longer values are never kept */
struct memo {
	size_t		 len;		/* 0: empty */
	unsigned char	 in[MEMO_MAX];
	char		 out[AUDIT_HMAC_LEN + 1];
};
struct audit_mac {
	EVP_MAC_CTX	*keyed;
	struct memo	 memo[MEMO_SLOTS];
};

struct audit_mac *
audit_mac_new(const char *salt)
{
	static EVP_MAC		*mac;
	struct audit_mac	*m = xcalloc(1, sizeof *m);
	OSSL_PARAM		 params[2];

	if (mac == NULL && (mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		fatal("HMAC is not available");
	params[0] = OSSL_PARAM_construct_utf8_string("digest",
	    (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((m->keyed = EVP_MAC_CTX_new(mac)) == NULL ||
	    EVP_MAC_init(m->keyed, (const unsigned char *)salt, strlen(salt),
	    params) != 1)
		fatal("HMAC-SHA256 setup failed");
	return m;
}

void
audit_mac_free(struct audit_mac *m)
{
	if (m == NULL)
		return;
	EVP_MAC_CTX_free(m->keyed);
	explicit_bzero(m->memo, sizeof m->memo);	/* it held tokens */
	free(m);
}

/* Vault's identified HMAC: "hmac-sha256:" and 64 hex digits. */
void
audit_hmac(struct audit_mac *m, const char *s, size_t n,
    char out[AUDIT_HMAC_LEN + 1])
{
	unsigned char	 md[32];
	EVP_MAC_CTX	*ctx;
	struct memo	*slot = NULL;
	uint32_t	 h = 2166136261u;
	size_t		 len = 0, i;

	if (n > 0 && n <= MEMO_MAX) {
		for (i = 0; i < n; i++)		/* FNV-1a picks the slot */
			h = (h ^ (unsigned char)s[i]) * 16777619u;
		slot = &m->memo[h % MEMO_SLOTS];
		if (slot->len == n && CRYPTO_memcmp(slot->in, s, n) == 0) {
			memcpy(out, slot->out, AUDIT_HMAC_LEN + 1);
			return;
		}
	}
	if ((ctx = EVP_MAC_CTX_dup(m->keyed)) == NULL ||
	    EVP_MAC_update(ctx, (const unsigned char *)s, n) != 1 ||
	    EVP_MAC_final(ctx, md, &len, sizeof md) != 1 || len != sizeof md)
		fatal("HMAC-SHA256 failed");
	EVP_MAC_CTX_free(ctx);
	memcpy(out, "hmac-sha256:", 12);
	for (i = 0; i < sizeof md; i++) {
		out[12 + 2 * i] = hexdig[md[i] >> 4];
		out[13 + 2 * i] = hexdig[md[i] & 0xf];
	}
	out[AUDIT_HMAC_LEN] = '\0';
	if (slot != NULL) {
		memcpy(slot->in, s, n);
		slot->len = n;
		memcpy(slot->out, out, AUDIT_HMAC_LEN + 1);
	}
}

/*
 * Go's time.RFC3339Nano in UTC: trailing zeros of the fraction dropped,
 * and the fraction itself when it is zero.
 */
void
audit_time(struct buf *b, int64_t sec, long nsec)
{
	struct tm	 tm;
	time_t		 t = (time_t)sec;
	char		 s[32], frac[11];
	int64_t		 z, era, doe, yoe, doy, mp, y, m, d, r;
	int		 n;

	if (sec >= 0 && sec < 253402300800LL) {
		/* Years 1970-9999: days to a civil date (H. Hinnant's). */
		z = sec / 86400 + 719468;
		r = sec % 86400;
		era = z / 146097;
		doe = z - era * 146097;
		yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
		doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
		mp = (5 * doy + 2) / 153;
		d = doy - (153 * mp + 2) / 5 + 1;
		m = mp < 10 ? mp + 3 : mp - 9;
		y = yoe + era * 400 + (m <= 2);
		s[0] = (char)('0' + y / 1000);
		s[1] = (char)('0' + y / 100 % 10);
		s[2] = (char)('0' + y / 10 % 10);
		s[3] = (char)('0' + y % 10);
		s[4] = '-';
		s[5] = (char)('0' + m / 10);
		s[6] = (char)('0' + m % 10);
		s[7] = '-';
		s[8] = (char)('0' + d / 10);
		s[9] = (char)('0' + d % 10);
		s[10] = 'T';
		s[11] = (char)('0' + r / 36000);
		s[12] = (char)('0' + r / 3600 % 10);
		s[13] = ':';
		s[14] = (char)('0' + r % 3600 / 600);
		s[15] = (char)('0' + r % 3600 / 60 % 10);
		s[16] = ':';
		s[17] = (char)('0' + r % 60 / 10);
		s[18] = (char)('0' + r % 10);
		add(b, s, 19);
	} else {
		gmtime_r(&t, &tm);
		strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S", &tm);
		adds(b, s);
	}
	if (nsec > 0 && nsec < 1000000000L) {
		frac[0] = '.';
		for (n = 9; n >= 1; n--, nsec /= 10)
			frac[n] = (char)('0' + nsec % 10);
		for (n = 9; frac[n] == '0'; n--)
			;
		add(b, frac, (size_t)n + 1);
	}
	addc(b, 'Z');
}

/* Writing one entry: the device's choices and the output. */
struct writer {
	struct buf		*b;
	const struct audit_opts	*o;
	struct audit_mac	*mac;
	bool			 first;	/* no member yet in this object */
};

static void
key(struct writer *w, const char *k)
{
	/* Every key written here is one of Vault's: no escaping needed. */
	adds(w->b, w->first ? "\"" : ",\"");
	w->first = false;
	adds(w->b, k);
	add(w->b, "\":", 2);
}

/* A hash as a JSON string: hex needs no escaping. */
static void
hashed(struct buf *b, const char h[AUDIT_HMAC_LEN + 1])
{
	addc(b, '"');
	add(b, h, AUDIT_HMAC_LEN);
	addc(b, '"');
}

static void
open_obj(struct writer *w, const char *k)
{
	key(w, k);
	addc(w->b, '{');
	w->first = true;
}

static void
close_obj(struct writer *w)
{
	addc(w->b, '}');
	w->first = false;
}

static void
str(struct writer *w, const char *k, const char *v)
{
	if (v == NULL || *v == '\0')
		return;
	key(w, k);
	go_string(w->b, v, strlen(v));
}

/* A secret: hashed unless the device logs raw (or it is an accessor). */
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
	audit_hmac(w->mac, v, strlen(v), h);
	key(w, k);
	hashed(w->b, h);
}

static void
num(struct writer *w, const char *k, int64_t v)
{
	if (v == 0)
		return;
	key(w, k);
	addint(w->b, v);
}

static void
strs(struct writer *w, const char *k, char **list, size_t n)
{
	size_t	 i;

	if (n == 0)
		return;
	key(w, k);
	addc(w->b, '[');
	for (i = 0; i < n; i++) {
		if (i > 0)
			addc(w->b, ',');
		go_string(w->b, list[i], strlen(list[i]));
	}
	addc(w->b, ']');
}

/*
 * A data value, as Vault's hash walk leaves it: every string (and a
 * request number, which Go keeps as json.Number text) hashed, never a key;
 * objects in Go's sorted key order.
 */
static void
value(struct writer *w, const json_t *j)
{
	char		 h[AUDIT_HMAC_LEN + 1];
	const char	**keys, *s;
	json_t		*v;
	size_t		  i, n;

	switch (json_typeof(j)) {
	case JSON_STRING:
		s = json_text(j);
		if (!w->o->log_raw) {
			audit_hmac(w->mac, s, strlen(s), h);
			hashed(w->b, h);
		} else if (json_is_number_text(j))
			adds(w->b, s);
		else
			go_string(w->b, s, json_string_length(j));
		break;
	case JSON_INTEGER:
		addint(w->b, json_integer_value(j));
		break;
	case JSON_REAL:
		buf_printf(w->b, "%.17g", json_real_value(j));
		break;
	case JSON_TRUE:
		adds(w->b, "true");
		break;
	case JSON_FALSE:
		adds(w->b, "false");
		break;
	case JSON_NULL:
		adds(w->b, "null");
		break;
	case JSON_ARRAY:
		addc(w->b, '[');
		json_array_foreach(j, i, v) {
			if (i > 0)
				addc(w->b, ',');
			value(w, v);
		}
		addc(w->b, ']');
		break;
	case JSON_OBJECT:
		keys = json_sorted_keys(j, &n);
		addc(w->b, '{');
		for (i = 0; i < n; i++) {
			if (i > 0)
				addc(w->b, ',');
			go_string(w->b, keys[i], strlen(keys[i]));
			addc(w->b, ':');
			value(w, json_object_get(j, keys[i]));
		}
		addc(w->b, '}');
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

/* The caller's token, as Vault's audit "auth" object lists it. */
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
		addc(w->b, '"');
		audit_time(w->b, t->created, 0);
		addc(w->b, '"');
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
	addc(w->b, '[');
	json_array_foreach(a, i, v) {
		if (i > 0)
			addc(w->b, ',');
		go_string(w->b, json_is_string(v) ? json_string_value(v) : "",
		    json_is_string(v) ? json_string_length(v) : 0);
	}
	addc(w->b, ']');
}

/* A token the answer issues (auth/token/create): its auth block. */
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

/*
 * The part both entries of a request share: its caller's auth object and
 * its request object (everything after "type" and before "response").
 */
static void
middle(struct writer *w, const struct audit_in *in)
{
	if (in->tok != NULL)
		caller(w, in);
	open_obj(w, "request");
	str(w, "id", in->id);
	str(w, "operation", in->operation);
	str(w, "mount_point", in->mount_point);
	str(w, "mount_type", in->mount_type);
	secret(w, "client_token", in->client_token, true);
	if (in->tok != NULL)
		secret(w, "client_token_accessor", in->tok->accessor,
		    w->o->hmac_accessor);
	open_obj(w, "namespace");
	str(w, "id", "root");
	close_obj(w);
	str(w, "path", in->path);
	data(w, "data", in->data);
	str(w, "remote_address", in->remote_addr);
	num(w, "remote_port", in->remote_port);
	close_obj(w);
}

/* One entry, prefix included, as one line ending in '\n', into b. */
void
audit_format(struct buf *b, const struct audit_opts *o, struct audit_mac *mac,
    const struct audit_in *in)
{
	audit_format_shared(b, o, mac, in, NULL, false);
}

/*
 * The same, with the shared middle kept in mid (reuse false: written and
 * copied there) or taken from it (reuse true and mid not empty).  The
 * caller makes sure mid was written for the same request, device and
 * inputs: the request entry keeps it, its answer's entry reuses it.
 */
void
audit_format_shared(struct buf *b, const struct audit_opts *o,
    struct audit_mac *mac, const struct audit_in *in, struct buf *mid,
    bool reuse)
{
	struct writer	 w = { b, o, mac, true };
	size_t		 start;

	adds(b, o->prefix);
	addc(b, '{');
	key(&w, "time");
	addc(b, '"');
	audit_time(b, in->sec, in->nsec);
	addc(b, '"');
	str(&w, "type", in->response ? "response" : "request");
	if (mid != NULL && reuse && mid->len > 0)
		add(b, mid->data, mid->len);
	else {
		start = b->len;
		middle(&w, in);
		if (mid != NULL) {
			mid->len = 0;
			add(mid, b->data + start, b->len - start);
		}
	}
	w.first = false;

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
	adds(b, "}\n");
}
