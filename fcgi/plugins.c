/*
 * plugins.c: sys/plugins/catalog, the plugin registrations that runtimes
 * are referenced by.  catalogd stores registrations and never runs a
 * plugin.  Registration checks come in Vault's order with Vault's messages;
 * a plugin with an OCI image must name a registered runtime, read in the
 * same transaction that stores the plugin, so that it serialises against
 * the runtime's deletion.  One entry per (type, name, version).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fcgi/fcgi.h"

enum { G_NAME, G_TYPE, G_SHA256, G_SHA_256, G_COMMAND, G_ARGS, G_ENV,
	G_VERSION, G_OCI_IMAGE, G_RUNTIME };

const struct field plugin_fields[] = {
	[G_NAME] = { "name", FIELD_STRING },
	[G_TYPE] = { "type", FIELD_STRING },
	[G_SHA256] = { "sha256", FIELD_STRING },
	[G_SHA_256] = { "sha_256", FIELD_STRING },
	[G_COMMAND] = { "command", FIELD_STRING },
	[G_ARGS] = { "args", FIELD_STRSLICE },
	[G_ENV] = { "env", FIELD_STRSLICE },
	[G_VERSION] = { "version", FIELD_STRING },
	[G_OCI_IMAGE] = { "oci_image", FIELD_STRING },
	[G_RUNTIME] = { "runtime", FIELD_STRING },
	{ NULL, FIELD_STRING },
};

const struct field plugin_list_fields[] = {
	{ "type", FIELD_STRING },
	{ NULL, FIELD_STRING },
};

static const char *const types[] = { "auth", "database", "secret" };

static const char *
str(const struct fieldval *v)
{
	return v->s != NULL ? v->s : "";
}

/* What the version is for: builtin versions are refused differently. */
enum vuse { V_REGISTER, V_READ, V_DELETE };

/* Whether build metadata holds the identifier "builtin" (Vault reserves it). */
static bool
builtin_metadata(const char *v)
{
	const char	*m = strchr(v, '+'), *dot;
	size_t		 n;

	for (m = m ? m + 1 : NULL; m != NULL; m = dot ? dot + 1 : NULL) {
		dot = strchr(m, '.');
		n = dot ? (size_t)(dot - m) : strlen(m);
		if (n == 7 && strncmp(m, "builtin", 7) == 0)
			return true;
	}
	return false;
}

/* Sets a 400 whose text is fmt around a Go-quoted value (Vault's %q). */
static int
fail_quoted(struct request *req, const char *before, const char *value,
    const char *after)
{
	struct buf	 msg;

	buf_init(&msg);
	buf_adds(&msg, before);
	go_quote(&msg, value);
	buf_adds(&msg, after);
	apierr_set(&req->err, 400, "%s", msg.data);
	buf_free(&msg);
	return 400;
}

/*
 * The ?version= or body version in Vault's canonical "v" form (a new
 * string; "" when none), or NULL after setting a 400.
 */
static char *
canonical_version(struct request *req, enum vuse use)
{
	const char	*given = str(&req->vals[G_VERSION]);
	struct buf	 why;
	char		*v;

	if (*given == '\0')
		return xstrdup("");
	buf_init(&why);
	if ((v = semver_canonical(given, &why)) == NULL) {
		buf_adds(&why, "");
		fail_quoted(req, "version ", given,
		    " is not a valid semantic version: ");
		strncat(req->err.text, why.data, sizeof req->err.text -
		    strlen(req->err.text) - 1);
		buf_free(&why);
		return NULL;
	}
	buf_free(&why);
	if (use != V_READ && builtin_metadata(v)) {
		fail_quoted(req, "version ", v, use == V_DELETE ?
		    " cannot be deleted" : " is not allowed because 'builtin' "
		    "is a reserved metadata identifier");
		free(v);
		return NULL;
	}
	return v;
}

/* Go's hex.DecodeString, with its error texts; -1 with why set. */
static int
hex_decode(const char *s, struct buf *out, struct buf *why)
{
	size_t	 n = strlen(s), i;
	int	 hi, lo;
	char	 bad = 0;

	for (i = 0; i + 1 < n; i += 2) {
		hi = hexval(s[i]);
		lo = hexval(s[i + 1]);
		if (hi < 0 || lo < 0) {
			bad = hi < 0 ? s[i] : s[i + 1];
			break;
		}
		buf_addc(out, (char)(hi << 4 | lo));
	}
	if (bad == 0 && n % 2 == 1 && hexval(s[n - 1]) < 0)
		bad = s[n - 1];
	if (bad != 0) {
		/*
		 * Go prints the byte as a rune with %#U: U+0067 'g', and
		 * U+00C3 'Ã' (the quoted form only when printable).
		 */
		unsigned char	 b = (unsigned char)bad;

		buf_printf(why, "encoding/hex: invalid byte: U+%04X", b);
		if (go_isprint(b)) {
			buf_adds(why, " '");
			if (b < 0x80)
				buf_addc(why, (char)b);
			else {
				buf_addc(why, (char)(0xc0 | b >> 6));
				buf_addc(why, (char)(0x80 | (b & 0x3f)));
			}
			buf_addc(why, '\'');
		}
		return -1;
	}
	if (n % 2 == 1) {
		buf_adds(why, "encoding/hex: odd length hex string");
		return -1;
	}
	return 0;
}

/* Splits the command at spaces: the first word, then args (Vault). */
static int
split_command(struct request *req, struct plugin *p)
{
	struct fieldval	*args = &req->vals[G_ARGS];
	const char	*cmd = str(&req->vals[G_COMMAND]), *sp;
	size_t		 n = 0, i;

	for (sp = cmd; (sp = strchr(sp, ' ')) != NULL; sp++)
		n++;
	if (n > 0 && args->nlist > 0)
		return respond_error(req, 400,
		    "must not specify args in command and args field");
	p->args = xcalloc(n + args->nlist + 1, sizeof *p->args);
	sp = strchr(cmd, ' ');
	p->command = sp ? xstrndup(cmd, (size_t)(sp - cmd)) : xstrdup(cmd);
	while (sp != NULL) {
		const char *next = strchr(sp + 1, ' ');

		p->args[p->nargs++] = next ? xstrndup(sp + 1,
		    (size_t)(next - sp - 1)) : xstrdup(sp + 1);
		sp = next;
	}
	for (i = 0; i < args->nlist; i++)
		p->args[p->nargs++] = xstrdup(args->list[i]);
	return 0;
}

/* Checks, in Vault's order, then builds the plugin; 0 or the status. */
static int
build_plugin(struct request *req, struct txn *t, struct plugin *p)
{
	struct fieldval	*v = req->vals;
	const char	*sha = str(&v[G_SHA256]), *runtime;
	struct runtime	 rt;
	struct buf	 bin, why;
	int		 rc;

	memset(p, 0, sizeof *p);
	if ((p->version = canonical_version(req, V_REGISTER)) == NULL)
		return req->err.status;
	if (*sha == '\0')
		sha = str(&v[G_SHA_256]);
	if (*sha == '\0')
		return respond_error(req, 400, "missing SHA-256 value");
	if (*str(&v[G_COMMAND]) == '\0' && *str(&v[G_OCI_IMAGE]) == '\0')
		return respond_error(req, 400,
		    "must provide at least one of command or oci_image");
	runtime = str(&v[G_RUNTIME]);
	if (*str(&v[G_OCI_IMAGE]) != '\0' && *runtime != '\0') {
		if ((rc = runtime_get(t, runtime, &rt)) == -1)
			return -1;
		if (rc == 1) {
			struct buf q;

			buf_init(&q);
			go_quote(&q, runtime);
			apierr_set(&req->err, 400, "specified plugin runtime %s, "
			    "but failed to retrieve config: failed to retrieve "
			    "container plugin runtime %s: plugin runtime not "
			    "found", q.data, q.data);
			buf_free(&q);
			return 400;
		}
		runtime_free(&rt);
	}
	if ((rc = split_command(req, p)) != 0)
		return rc;
	buf_init(&bin);
	buf_init(&why);
	if (hex_decode(sha, &bin, &why) == -1) {
		apierr_set(&req->err, 400, "Could not decode SHA256 value from "
		    "Hex %s: %s", sha, why.data);
		buf_free(&bin);
		buf_free(&why);
		return 400;
	}
	buf_free(&why);
	p->sha256 = (unsigned char *)bin.data;
	p->sha256_len = bin.len;
	if (strstr(req->name, "..") != NULL || strstr(p->command, "..") != NULL)
		return respond_error(req, 400,
		    "path cannot contain parent references");
	p->type = xstrdup(req->type);
	p->name = xstrdup(req->name);
	p->oci_image = xstrdup(str(&v[G_OCI_IMAGE]));
	p->runtime = xstrdup(runtime);
	p->env = v[G_ENV].list;
	p->nenv = v[G_ENV].nlist;
	v[G_ENV].list = NULL;
	v[G_ENV].nlist = 0;
	return 0;
}

int
plugins_update(struct request *req, struct txn *t)
{
	struct plugin	 p;
	int		 rc;

	if ((rc = build_plugin(req, t, &p)) == 0)
		rc = plugin_put(t, &p);
	plugin_free(&p);
	return rc;
}

static json_t *
hex_json(const unsigned char *b, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	char	*s = xmalloc(2 * n + 1);
	json_t	*j;
	size_t	 i;

	for (i = 0; i < n; i++) {
		s[2 * i] = hx[b[i] >> 4];
		s[2 * i + 1] = hx[b[i] & 0xf];
	}
	s[2 * n] = '\0';
	j = json_string(s);
	free(s);
	return j;
}

/* oci_image and runtime appear only when set, as in Vault. */
static void
add_oci(json_t *o, const struct plugin *p)
{
	if (*p->oci_image != '\0')
		json_object_set_new(o, "oci_image", json_string(p->oci_image));
	if (*p->runtime != '\0')
		json_object_set_new(o, "runtime", json_string(p->runtime));
}

int
plugins_read(struct request *req, struct txn *t)
{
	struct plugin	 p;
	json_t		*d;
	char		*version;
	int		 rc;

	if ((version = canonical_version(req, V_READ)) == NULL)
		return req->err.status;
	rc = plugin_get(t, req->type, req->name, version, &p);
	free(version);
	if (rc != 0)
		return rc == 1 ? respond_error(req, 404, "") : -1;
	d = json_pack("{s:o, s:b, s:s, s:s, s:o, s:s}",
	    "args", strlist_json(p.args, p.nargs),
	    "builtin", 0,
	    "command", p.command,
	    "name", p.name,
	    "sha256", hex_json(p.sha256, p.sha256_len),
	    "version", p.version);
	add_oci(d, &p);
	set_data(req, d);
	plugin_free(&p);
	return 0;
}

int
plugins_delete(struct request *req, struct txn *t)
{
	char	*version;
	int	 rc;

	if ((version = canonical_version(req, V_DELETE)) == NULL)
		return req->err.status;
	rc = plugin_delete(t, req->type, req->name, version);
	free(version);
	return rc == -1 ? -1 : 0;	/* 204 also when absent, as Vault */
}

/* Collects names per type (unique, in key order) and the details. */
struct listing {
	const char	*only;		/* one type, or NULL for all */
	json_t		*names[3];
	json_t		*detailed;
};

static int
collect(const struct plugin *p, void *arg)
{
	struct listing	*l = arg;
	json_t		*names, *d, *last;
	size_t		 i;

	for (i = 0; i < 3; i++)
		if (strcmp(p->type, types[i]) == 0)
			break;
	if (i == 3 || (l->only != NULL && strcmp(l->only, types[i]) != 0))
		return 0;
	names = l->names[i];
	last = json_array_get(names, json_array_size(names) - 1);
	if (last == NULL || strcmp(json_string_value(last), p->name) != 0)
		json_array_append_new(names, json_string(p->name));
	if (l->detailed != NULL) {
		d = json_pack("{s:s, s:s, s:s, s:b, s:o}", "name", p->name,
		    "type", p->type, "version", p->version, "builtin", 0,
		    "sha256", hex_json(p->sha256, p->sha256_len));
		add_oci(d, p);
		json_array_append_new(l->detailed, d);
	}
	return 0;
}

/* LIST sys/plugins/catalog/<type>: the names, sorted. */
int
plugins_list_type(struct request *req, struct txn *t)
{
	struct listing	 l = { .only = req->type };
	size_t		 i, k;
	int		 rc;

	for (i = 0; i < 3; i++)
		l.names[i] = json_array();
	if ((rc = plugin_list(t, collect, &l)) == 0) {
		for (k = 0; k < 3 && strcmp(types[k], req->type) != 0; k++)
			;
		set_data(req, json_pack("{s:O}", "keys", l.names[k]));
	}
	for (i = 0; i < 3; i++)
		json_decref(l.names[i]);
	return rc;
}

static const char *
field_of(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Type, then name, then semantic version order (storage order is bytes). */
static int
detail_cmp(const void *a, const void *b)
{
	const json_t	*x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int		 c;

	if ((c = strcmp(field_of(x, "type"), field_of(y, "type"))) != 0 ||
	    (c = strcmp(field_of(x, "name"), field_of(y, "name"))) != 0)
		return c;
	return semver_compare(field_of(x, "version"), field_of(y, "version"));
}

/* Returns the entries (stolen) as a new array in detail_cmp order. */
static json_t *
by_version(json_t *entries)
{
	size_t	 n = json_array_size(entries), i;
	json_t	**v = xcalloc(n + 1, sizeof *v), *out = json_array();

	for (i = 0; i < n; i++)
		v[i] = json_array_get(entries, i);
	if (n > 1)
		qsort(v, n, sizeof *v, detail_cmp);
	for (i = 0; i < n; i++)
		json_array_append(out, v[i]);
	free(v);
	json_decref(entries);
	return out;
}

/* GET sys/plugins/catalog: names per type, and every entry in detail. */
int
plugins_list_all(struct request *req, struct txn *t)
{
	struct listing	 l = { .only = NULL };
	size_t		 i;

	for (i = 0; i < 3; i++)
		l.names[i] = json_array();
	l.detailed = json_array();
	if (plugin_list(t, collect, &l) == -1) {
		for (i = 0; i < 3; i++)
			json_decref(l.names[i]);
		json_decref(l.detailed);
		return -1;
	}
	set_data(req, json_pack("{s:o, s:o, s:o, s:o}", "auth", l.names[0],
	    "database", l.names[1], "secret", l.names[2],
	    "detailed", by_version(l.detailed)));
	return 0;
}
