/*
 * conf.c: catalogd's settings.  One table names every setting once: its
 * key in catalogd.conf, its CATALOGD_* environment variable, its type, its
 * default and its bounds.  The config-file parser, the environment
 * overrides, "catalogd -t" and the commented default catalogd.conf
 * ("catalogd -p") all read this table, so there is no second list to keep
 * in step.  catalogd.conf is HCL "key = value" lines: strings quoted,
 * numbers bare, "#" comments; an unknown key is an error, never ignored.
 * The environment overrides the file.  Values are kept as text and checked
 * as they are set, so that a value read later is always valid.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib.h"

#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR	"/var"
#endif
#ifndef RUNSTATEDIR
#define RUNSTATEDIR	"/run"
#endif

const struct setting settings[SET_COUNT] = {
	[SET_DATA_DIR] = { "data_dir", "CATALOGD_DATA", SETTING_PATH,
	    LOCALSTATEDIR "/lib/catalogd", 0, 0,
	    "Directory of the Berkeley DB environment (db/) and the lock "
	    "file; created 0700 if missing." },
	[SET_SOCKET] = { "socket", "CATALOGD_SOCKET", SETTING_PATH,
	    RUNSTATEDIR "/catalogd.sock", 0, 0,
	    "FastCGI socket the web server connects to (unused when the "
	    "socket is passed by systemd)." },
	[SET_SOCKET_GROUP] = { "socket_group", "CATALOGD_SOCKET_GROUP",
	    SETTING_STRING, "www-data", 0, 0,
	    "Group of the socket: the group the web server runs as." },
	[SET_SOCKET_MODE] = { "socket_mode", "CATALOGD_SOCKET_MODE",
	    SETTING_MODE, "0660", 0, 0777,
	    "Permissions of the socket, an octal string." },
	[SET_PID_FILE] = { "pid_file", "CATALOGD_PID_FILE", SETTING_PATH,
	    RUNSTATEDIR "/catalogd/catalogd.pid", 0, 0,
	    "Written once the workers accept; removed on a clean stop." },
	[SET_LOG_FILE] = { "log_file", "CATALOGD_LOG_FILE", SETTING_PATH, "",
	    0, 0,
	    "Log file, reopened on SIGHUP; empty: standard error." },
	[SET_WORKERS] = { "workers", "CATALOGD_WORKERS", SETTING_INT, "16", 1,
	    256, "Worker processes accepting on the socket: enough concurrent "
	    "commits to share log flushes (16 measured best on 2 CPUs)." },
	[SET_BODY_LIMIT] = { "body_limit", "CATALOGD_BODY_LIMIT",
	    SETTING_INT, "1048576", 1, 256L * 1048576,
	    "Largest request body in bytes; larger ones get 413." },
	[SET_MAX_REQUESTS] = { "max_requests", "CATALOGD_MAX_REQUESTS",
	    SETTING_INT, "100000", 1, 1000000000000L,
	    "Requests a worker serves before it is replaced." },
	[SET_REQUEST_TIMEOUT] = { "request_timeout",
	    "CATALOGD_REQUEST_TIMEOUT", SETTING_INT, "3", 1, 86400,
	    "Seconds a worker may spend in one request before the watchdog "
	    "kills it; also the longest a stop waits for a request." },
	[SET_ROOT_TOKEN_FILE] = { "root_token_file",
	    "CATALOGD_ROOT_TOKEN_FILE", SETTING_PATH, "", 0, 0,
	    "Where the first root token is written (0600, never "
	    "overwritten); empty: printed once on standard output." },
	[SET_AUDIT_FILE_PATH] = { "audit_file_path",
	    "CATALOGD_AUDIT_FILE_PATH", SETTING_PATH, "", 0, 0,
	    "A file audit device at sys/audit/file, made at start if there "
	    "is none there (Vault's defaults: hashed, mode 0600); empty: "
	    "only the devices enabled through the API." },
	[SET_UNAUTH_METRICS] = { "unauthenticated_metrics_access",
	    "CATALOGD_UNAUTHENTICATED_METRICS_ACCESS", SETTING_BOOL, "false",
	    0, 0, "true: GET sys/metrics answers without a token (Vault's "
	    "listener telemetry setting); false: it needs read on "
	    "sys/metrics." },
	[SET_API_ADDR] = { "api_addr", "CATALOGD_API_ADDR", SETTING_URL, "",
	    0, 0, "The URL clients use to reach this node (Vault's api_addr), "
	    "announced to the other nodes of a replicated group: standbys "
	    "forward to it and redirect there; required with repl_addr." },
	[SET_REPL_ADDR] = { "repl_addr", "CATALOGD_REPL_ADDR",
	    SETTING_HOSTPORT, "", 0, 0, "host:port this node's replication "
	    "listens on, written the same way on every node; setting it "
	    "makes this node a member of a replicated group; empty: a single "
	    "node." },
	[SET_REPL_PEERS] = { "repl_peers", "CATALOGD_REPL_PEERS",
	    SETTING_HOSTPORTS, "", 0, 0, "The replication addresses of the "
	    "other members, comma-separated: at least two (three nodes is "
	    "the tested size)." },
	[SET_REPL_BOOTSTRAP] = { "repl_bootstrap", "CATALOGD_REPL_BOOTSTRAP",
	    SETTING_BOOL, "false", 0, 0, "true on exactly one node, the first "
	    "time the group is created: that node starts it and becomes "
	    "active; ignored once its data directory belongs to a group." },
};

void
conf_init(struct conf *c)
{
	memset(c, 0, sizeof *c);
}

void
conf_free(struct conf *c)
{
	int	 i;

	for (i = 0; i < SET_COUNT; i++)
		free(c->val[i]);
	conf_init(c);
}

/* The value as text: set, or the default.  Borrowed from c or the table. */
const char *
conf_str(const struct conf *c, enum setting_id id)
{
	return c->val[id] != NULL ? c->val[id] : settings[id].def;
}

long
conf_long(const struct conf *c, enum setting_id id)
{
	return strtol(conf_str(c, id), NULL, settings[id].kind ==
	    SETTING_MODE ? 8 : 10);
}

bool
conf_bool(const struct conf *c, enum setting_id id)
{
	const char	*v = conf_str(c, id);

	/* The environment's CATALOGD_REPL_BOOTSTRAP=1 means true too. */
	return strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
}

/* A host name or IPv4 address of LEN bytes: letters, digits, '.', '-'. */
static bool
host_ok(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '.' || s[i] == '-'))
			return false;
	return len > 0 && len <= 255;
}

/*
 * Splits the host:port of LEN bytes at S: 0 with a new *host and *port
 * (1 to 65535), or -1.  The host is a name or an IPv4 address (IPv6 would
 * need brackets, which Berkeley DB's site names do not take).
 */
int
hostport_split(const char *s, size_t len, char **host, unsigned *port)
{
	const char	*colon = NULL;
	size_t		 i;
	long		 v = 0;

	for (i = 0; i < len; i++)
		if (s[i] == ':')
			colon = s + i;
	if (colon == NULL || colon == s || colon - s > 255 ||
	    (size_t)(colon - s) + 1 >= len || len - (size_t)(colon - s) > 6)
		return -1;
	if (!host_ok(s, (size_t)(colon - s)))
		return -1;
	for (i = (size_t)(colon - s) + 1; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	if (host != NULL)
		*host = xstrndup(s, (size_t)(colon - s));
	if (port != NULL)
		*port = (unsigned)v;
	return 0;
}

/* A URL as api_addr takes it: http or https, a host, no path. */
static bool
url_ok(const char *u)
{
	const char	*h;
	size_t		 i, n;

	if (strncmp(u, "http://", 7) == 0)
		h = u + 7;
	else if (strncmp(u, "https://", 8) == 0)
		h = u + 8;
	else
		return false;
	n = strlen(h);
	if (n > 0 && h[n - 1] == '/')
		n--;
	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if (h[i] == ':')
			return hostport_split(h, n, NULL, NULL) == 0;
	return host_ok(h, n);
}

bool
conf_is_set(const struct conf *c, enum setting_id id)
{
	return c->val[id] != NULL;
}

static int
parse_long(const char *s, int base, long *v)
{
	char	*end;

	if (*s == '\0' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	*v = strtol(s, &end, base);
	return errno != 0 || *end != '\0' ? -1 : 0;
}

/*
 * Checks TEXT as a value of setting ID and keeps it.  WHO names the source
 * in messages: the key (file) or the variable (environment).  A message
 * goes to WHY; returns 0 or -1.
 */
static int
conf_set(struct conf *c, enum setting_id id, const char *text,
    const char *who, struct buf *why)
{
	const struct setting	*s = &settings[id];
	long			 v;
	size_t			 i;

	switch (s->kind) {
	case SETTING_INT:
		if (parse_long(text, 10, &v) == -1 || v < s->min || v > s->max) {
			buf_printf(why, "%s must be a number from %ld to %ld, "
			    "not \"%s\"", who, s->min, s->max, text);
			return -1;
		}
		break;
	case SETTING_MODE:
		for (i = 0; text[i] != '\0'; i++)
			if (text[i] < '0' || text[i] > '7')
				break;
		if (i == 0 || text[i] != '\0' || parse_long(text, 8, &v) ==
		    -1 || v > s->max) {
			buf_printf(why, "%s must be an octal mode from \"0000\" "
			    "to \"0777\", not \"%s\"", who, text);
			return -1;
		}
		break;
	case SETTING_BOOL:
		if (strcmp(text, "true") != 0 && strcmp(text, "false") != 0 &&
		    (id != SET_REPL_BOOTSTRAP || (strcmp(text, "1") != 0 &&
		    strcmp(text, "0") != 0))) {
			buf_printf(why, "%s must be true or false, not \"%s\"",
			    who, text);
			return -1;
		}
		break;
	case SETTING_URL:
		if (*text != '\0' && !url_ok(text)) {
			buf_printf(why, "%s must be a URL such as "
			    "\"http://10.0.0.2:8200\" (http or https, no path), "
			    "not \"%s\"", who, text);
			return -1;
		}
		break;
	case SETTING_HOSTPORT:
	case SETTING_HOSTPORTS: {
		const char	*p = text, *e;

		while (*p != '\0') {
			e = s->kind == SETTING_HOSTPORTS ? strchr(p, ',') :
			    NULL;
			if (e == NULL)
				e = p + strlen(p);
			if (hostport_split(p, (size_t)(e - p), NULL, NULL)
			    == -1) {
				buf_printf(why, "%s must be %s host:port "
				    "(a port from 1 to 65535), not \"%s\"",
				    who, s->kind == SETTING_HOSTPORTS ?
				    "a comma-separated list of" : "one", text);
				return -1;
			}
			p = *e == ',' ? e + 1 : e;
			if (*e == ',' && *p == '\0') {
				buf_printf(why, "%s ends with a comma", who);
				return -1;
			}
		}
		break;
	}
	case SETTING_STRING:
		if (*text == '\0') {
			buf_printf(why, "%s must not be empty", who);
			return -1;
		}
		break;
	case SETTING_PATH:
		if (strlen(text) >= 4096) {
			buf_printf(why, "%s is longer than 4095 bytes", who);
			return -1;
		}
		break;
	}
	free(c->val[id]);
	c->val[id] = xstrdup(text);
	return 0;
}

static int
setting_by_key(const char *key)
{
	int	 i;

	for (i = 0; i < SET_COUNT; i++)
		if (strcmp(settings[i].key, key) == 0)
			return i;
	return -1;
}

/* Skips the rest of the current line, to go on after an error. */
static void
skip_line(struct hcl_lexer *lx)
{
	while (*lx->p != '\0' && *lx->p != '\n')
		lx->p++;
}

/* One "key = value" line whose key token was just read. */
static int
parse_line(struct conf *c, struct hcl_lexer *lx, int seen[SET_COUNT],
    const char *fname, struct buf *errs)
{
	struct buf	 why;
	enum hcl_tok	 t;
	char		*key;
	int		 id, line = lx->line, rc = -1;

	buf_init(&why);
	key = xstrdup(lx->text.data);
	if ((id = setting_by_key(key)) < 0) {
		buf_printf(&why, "unknown key \"%s\"", key);
		goto out;
	}
	if (seen[id] != 0) {
		buf_printf(&why, "%s is set twice (first on line %d)", key,
		    seen[id]);
		goto out;
	}
	if ((t = hcl_lex(lx)) != HCL_EQUALS || lx->line != line) {
		buf_printf(&why, "expected '=' after %s", key);
		goto out;
	}
	t = hcl_lex(lx);
	if (lx->line != line || (t != HCL_STRING && t != HCL_NUMBER &&
	    t != HCL_IDENT)) {
		buf_printf(&why, "expected a value for %s", key);
		goto out;
	}
	switch (settings[id].kind) {
	case SETTING_INT:
		if (t != HCL_NUMBER) {
			buf_printf(&why, t == HCL_STRING ? "%s must be a bare "
			    "number, not the string \"%s\"" : "%s must be a "
			    "number, not %s", key, lx->text.data);
			goto out;
		}
		break;
	case SETTING_MODE:
		if (t != HCL_STRING) {
			buf_printf(&why, "%s must be a quoted octal string "
			    "such as \"0660\"", key);
			goto out;
		}
		break;
	case SETTING_BOOL:
		if (t != HCL_IDENT) {
			buf_printf(&why, "%s must be a bare true or false, not "
			    "%s\"%s\"", key, t == HCL_STRING ? "the string " :
			    "", lx->text.data);
			goto out;
		}
		break;
	case SETTING_STRING:
	case SETTING_PATH:
	case SETTING_URL:
	case SETTING_HOSTPORT:
	case SETTING_HOSTPORTS:
		if (t != HCL_STRING) {
			buf_printf(&why, "%s must be a quoted string", key);
			goto out;
		}
		if (settings[id].kind == SETTING_PATH &&
		    lx->text.data[0] != '\0' && lx->text.data[0] != '/') {
			buf_printf(&why, "%s must be an absolute path", key);
			goto out;
		}
		break;
	}
	if (conf_set(c, id, lx->text.data, key, &why) == -1)
		goto out;
	seen[id] = line;
	rc = 0;
out:
	if (rc == -1) {
		buf_printf(errs, "%s:%d: %s\n", fname, line, why.data);
		skip_line(lx);
	}
	buf_free(&why);
	free(key);
	return rc;
}

int
conf_parse(struct conf *c, const char *text, const char *fname,
    struct buf *errs)
{
	struct hcl_lexer lx;
	enum hcl_tok	 t;
	int		 seen[SET_COUNT] = { 0 }, nerr = 0, line;

	hcl_init(&lx, text, true);
	t = hcl_lex(&lx);
	while (t != HCL_EOF) {
		if (t != HCL_IDENT) {
			if (t == HCL_ERROR)
				buf_printf(errs, "%s:%d: %s\n", fname, lx.line,
				    lx.why);
			else
				buf_printf(errs, "%s:%d: expected a setting "
				    "name, found %s\n", fname, lx.line,
				    hcl_tok_name(t));
			nerr++;
			skip_line(&lx);
			t = hcl_lex(&lx);
			continue;
		}
		line = lx.line;
		if (parse_line(c, &lx, seen, fname, errs) == -1) {
			nerr++;
			t = hcl_lex(&lx);
			continue;
		}
		/* The next setting starts on a line of its own. */
		if ((t = hcl_lex(&lx)) != HCL_EOF && lx.line == line) {
			buf_printf(errs, "%s:%d: expected the end of the line "
			    "after the value\n", fname, line);
			nerr++;
			skip_line(&lx);
			t = hcl_lex(&lx);
		}
	}
	hcl_free(&lx);
	return nerr;
}

int
conf_env(struct conf *c, const char *(*get)(const char *), struct buf *errs)
{
	const char	*v;
	int		 i, nerr = 0;

	for (i = 0; i < SET_COUNT; i++) {
		if ((v = get(settings[i].env)) == NULL || *v == '\0')
			continue;
		if (conf_set(c, i, v, settings[i].env, errs) == -1) {
			buf_addc(errs, '\n');
			nerr++;
		} else
			c->from_env[i] = true;
	}
	/*
	 * The quick start and the tests name only a data directory: its
	 * socket and pid file then live inside it.
	 */
	if (c->from_env[SET_DATA_DIR]) {
		if (c->val[SET_SOCKET] == NULL)
			c->val[SET_SOCKET] = xasprintf("%s/catalogd.sock",
			    c->val[SET_DATA_DIR]);
		if (c->val[SET_PID_FILE] == NULL)
			c->val[SET_PID_FILE] = xasprintf("%s/catalogd.pid",
			    c->val[SET_DATA_DIR]);
	}
	return nerr;
}

/* Word-wraps TEXT as "# " comment lines of at most 72 columns. */
static void
comment(struct buf *out, const char *text)
{
	const char	*p = text, *sp, *end;

	while (*p != '\0') {
		end = p + strlen(p);
		if (end - p > 70) {
			for (sp = p + 70; sp > p && *sp != ' '; sp--)
				;
			if (sp > p)
				end = sp;
		}
		buf_adds(out, "# ");
		buf_add(out, p, (size_t)(end - p));
		buf_addc(out, '\n');
		p = *end == ' ' ? end + 1 : end;
	}
}

void
conf_print_defaults(struct buf *out)
{
	int	 i;

	buf_adds(out, "# catalogd.conf: the settings of catalogd(8); see "
	    "catalogd.conf(5).\n# Every setting is shown commented out, with "
	    "its default.  The CATALOGD_*\n# environment variable named "
	    "beside each one overrides this file.\n");
	for (i = 0; i < SET_COUNT; i++) {
		buf_addc(out, '\n');
		comment(out, settings[i].doc);
		buf_printf(out, "# (%s)\n", settings[i].env);
		if (settings[i].kind == SETTING_INT ||
		    settings[i].kind == SETTING_BOOL)
			buf_printf(out, "#%s = %s\n", settings[i].key,
			    settings[i].def);
		else
			buf_printf(out, "#%s = \"%s\"\n", settings[i].key,
			    settings[i].def);
	}
}
