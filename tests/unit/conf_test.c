/*
 * conf_test.c: catalogd.conf and the CATALOGD_* overrides.  A table of
 * files with the value each setting must then have, a table of bad files
 * with every FILE:LINE message they must produce, the environment over the
 * file, and the commented defaults of "catalogd -p" read back as a file.
 * The replication settings get the same tables from the environment, where
 * CATALOGD_REPL_BOOTSTRAP alone also takes 1 and 0, and host:port
 * splitting gets its own.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/lib.h"
#include "tests/unit/check.h"

struct good {
	const char	*what;
	const char	*text;
	enum setting_id	 id;
	const char	*want;
};

static const struct good goods[] = {
	{ "empty file: default", "", SET_WORKERS, "16" },
	{ "comments only", "# workers = 9\n// x\n/* y\n z */\n", SET_WORKERS,
	    "16" },
	{ "number", "workers = 16\n", SET_WORKERS, "16" },
	{ "number at the lower bound", "workers = 1", SET_WORKERS, "1" },
	{ "number at the upper bound", "workers = 256", SET_WORKERS, "256" },
	{ "string with escapes", "data_dir = \"/srv/a\\\"b\"\n", SET_DATA_DIR,
	    "/srv/a\"b" },
	{ "trailing comment", "socket = \"/run/x.sock\" # the socket\n",
	    SET_SOCKET, "/run/x.sock" },
	{ "group", "socket_group = \"nginx\"", SET_SOCKET_GROUP, "nginx" },
	{ "mode", "socket_mode = \"0600\"", SET_SOCKET_MODE, "0600" },
	{ "empty optional path", "root_token_file = \"\"",
	    SET_ROOT_TOKEN_FILE, "" },
	{ "several lines", "workers = 2\nbody_limit = 2048\n"
	    "request_timeout = 10\n", SET_BODY_LIMIT, "2048" },
	{ "spaces and tabs", "\t workers\t=\t7  \n", SET_WORKERS, "7" },
	{ "CRLF lines", "workers = 5\r\nbody_limit = 9\r\n", SET_BODY_LIMIT,
	    "9" },
	{ "bool default", "", SET_UNAUTH_METRICS, "false" },
	{ "bool true", "unauthenticated_metrics_access = true\n",
	    SET_UNAUTH_METRICS, "true" },
	{ "bool false", "unauthenticated_metrics_access = false # off\n",
	    SET_UNAUTH_METRICS, "false" },
	{ "api_addr default", "", SET_API_ADDR, "" },
	{ "api_addr empty", "api_addr = \"\"", SET_API_ADDR, "" },
	{ "api_addr http with a port", "api_addr = \"http://10.0.0.2:8200\"",
	    SET_API_ADDR, "http://10.0.0.2:8200" },
	{ "api_addr https without a port",
	    "api_addr = \"https://vault.example.com\"", SET_API_ADDR,
	    "https://vault.example.com" },
	{ "api_addr trailing slash kept as written",
	    "api_addr = \"https://node-1.example.com:8200/\"", SET_API_ADDR,
	    "https://node-1.example.com:8200/" },
	{ "api_addr trailing slash without a port",
	    "api_addr = \"http://node-1/\"", SET_API_ADDR, "http://node-1/" },
	{ "api_addr port 65535", "api_addr = \"http://n:65535\"",
	    SET_API_ADDR, "http://n:65535" },
	{ "repl_addr default", "", SET_REPL_ADDR, "" },
	{ "repl_addr empty", "repl_addr = \"\"", SET_REPL_ADDR, "" },
	{ "repl_addr IPv4", "repl_addr = \"10.0.0.1:8201\"", SET_REPL_ADDR,
	    "10.0.0.1:8201" },
	{ "repl_addr name, port 65535",
	    "repl_addr = \"node-1.Example.com:65535\"", SET_REPL_ADDR,
	    "node-1.Example.com:65535" },
	{ "repl_addr port 1", "repl_addr = \"a:1\"", SET_REPL_ADDR, "a:1" },
	{ "repl_peers default", "", SET_REPL_PEERS, "" },
	{ "repl_peers one", "repl_peers = \"10.0.0.2:8201\"", SET_REPL_PEERS,
	    "10.0.0.2:8201" },
	{ "repl_peers two", "repl_peers = \"10.0.0.2:8201,node-3:8201\"",
	    SET_REPL_PEERS, "10.0.0.2:8201,node-3:8201" },
	{ "repl_peers four", "repl_peers = \"a:1,b:2,c:3,d:65535\"",
	    SET_REPL_PEERS, "a:1,b:2,c:3,d:65535" },
	{ "repl_bootstrap default", "", SET_REPL_BOOTSTRAP, "false" },
	{ "repl_bootstrap true", "repl_bootstrap = true\n",
	    SET_REPL_BOOTSTRAP, "true" },
	{ "repl_bootstrap false", "repl_bootstrap = false\n",
	    SET_REPL_BOOTSTRAP, "false" },
	{ "a replicated node's settings",
	    "api_addr = \"https://node-1.example.com\"\n"
	    "repl_addr = \"node-1.example.com:8201\"\n"
	    "repl_peers = \"node-2.example.com:8201,node-3.example.com:8201\"\n"
	    "repl_bootstrap = true\n", SET_REPL_PEERS,
	    "node-2.example.com:8201,node-3.example.com:8201" },
};

struct bad {
	const char	*what;
	const char	*text;
	const char	*want;	/* every message, each ending in \n */
};

static const struct bad bads[] = {
	{ "quoted bool", "unauthenticated_metrics_access = \"true\"\n",
	    "t.conf:1: unauthenticated_metrics_access must be a bare true or "
	    "false, not the string \"true\"\n" },
	{ "number for a bool", "unauthenticated_metrics_access = 1\n",
	    "t.conf:1: unauthenticated_metrics_access must be a bare true or "
	    "false, not \"1\"\n" },
	{ "other word for a bool", "unauthenticated_metrics_access = yes\n",
	    "t.conf:1: unauthenticated_metrics_access must be true or false, "
	    "not \"yes\"\n" },
	{ "capitalised bool", "unauthenticated_metrics_access = True\n",
	    "t.conf:1: unauthenticated_metrics_access must be true or false, "
	    "not \"True\"\n" },
	{ "unknown key", "workers = 2\nworker = 3\n",
	    "t.conf:2: unknown key \"worker\"\n" },
	{ "set twice", "workers = 2\n\nworkers = 3\n",
	    "t.conf:3: workers is set twice (first on line 1)\n" },
	{ "string for a number", "workers = \"4\"\n",
	    "t.conf:1: workers must be a bare number, not the string \"4\"\n" },
	{ "identifier for a number", "workers = four\n",
	    "t.conf:1: workers must be a number, not four\n" },
	{ "below the bound", "workers = 0\n",
	    "t.conf:1: workers must be a number from 1 to 256, not \"0\"\n" },
	{ "above the bound", "request_timeout = 86401\n",
	    "t.conf:1: request_timeout must be a number from 1 to 86400, "
	    "not \"86401\"\n" },
	{ "negative", "body_limit = -1\n",
	    "t.conf:1: body_limit must be a number from 1 to 268435456, "
	    "not \"-1\"\n" },
	{ "overflow", "max_requests = 99999999999999999999999\n",
	    "t.conf:1: max_requests must be a number from 1 to "
	    "1000000000000, not \"99999999999999999999999\"\n" },
	{ "number for a path", "data_dir = 5\n",
	    "t.conf:1: data_dir must be a quoted string\n" },
	{ "relative path", "socket = \"run/x.sock\"\n",
	    "t.conf:1: socket must be an absolute path\n" },
	{ "empty group", "socket_group = \"\"\n",
	    "t.conf:1: socket_group must not be empty\n" },
	{ "bare mode", "socket_mode = 0660\n",
	    "t.conf:1: socket_mode must be a quoted octal string such as "
	    "\"0660\"\n" },
	{ "mode with an 8", "socket_mode = \"0680\"\n",
	    "t.conf:1: socket_mode must be an octal mode from \"0000\" to "
	    "\"0777\", not \"0680\"\n" },
	{ "mode too large", "socket_mode = \"1777\"\n",
	    "t.conf:1: socket_mode must be an octal mode from \"0000\" to "
	    "\"0777\", not \"1777\"\n" },
	{ "no equals", "workers 4\n",
	    "t.conf:1: expected '=' after workers\n" },
	{ "no value", "workers =\nbody_limit = 5\n",
	    "t.conf:1: expected a value for workers\n" },
	{ "two on a line", "workers = 4 body_limit = 5\n",
	    "t.conf:1: expected the end of the line after the value\n" },
	{ "not a key", "\"workers\" = 4\n",
	    "t.conf:1: expected a setting name, found string\n" },
	{ "a block", "path \"x\" { }\n",
	    "t.conf:1: unknown key \"path\"\n" },
	{ "unterminated string", "data_dir = \"/x\nworkers = 2\n",
	    "t.conf:1: expected a value for data_dir\n" },
	{ "bad character after a value", "workers = 4;\n",
	    "t.conf:1: expected the end of the line after the value\n" },
	{ "bad character", "; workers = 4\n",
	    "t.conf:1: unexpected character\n" },
	{ "api_addr ftp", "api_addr = \"ftp://10.0.0.2:8200\"\n",
	    "t.conf:1: api_addr must be a URL such as \"http://10.0.0.2:8200\" "
	    "(http or https, no path), not \"ftp://10.0.0.2:8200\"\n" },
	{ "api_addr without a scheme", "api_addr = \"10.0.0.2:8200\"\n",
	    "t.conf:1: api_addr must be a URL such as \"http://10.0.0.2:8200\" "
	    "(http or https, no path), not \"10.0.0.2:8200\"\n" },
	{ "api_addr with a path after the port",
	    "api_addr = \"http://10.0.0.2:8200/v1\"\n",
	    "t.conf:1: api_addr must be a URL such as \"http://10.0.0.2:8200\" "
	    "(http or https, no path), not \"http://10.0.0.2:8200/v1\"\n" },
	{ "api_addr with a path, no port", "api_addr = \"https://node/v1/\"\n",
	    "t.conf:1: api_addr must be a URL such as \"http://10.0.0.2:8200\" "
	    "(http or https, no path), not \"https://node/v1/\"\n" },
	{ "api_addr with two slashes", "api_addr = \"http://node//\"\n",
	    "t.conf:1: api_addr must be a URL such as \"http://10.0.0.2:8200\" "
	    "(http or https, no path), not \"http://node//\"\n" },
	{ "api_addr with a query", "api_addr = \"http://node?a=b\"\n",
	    "t.conf:1: api_addr must be a URL such as \"http://10.0.0.2:8200\" "
	    "(http or https, no path), not \"http://node?a=b\"\n" },
	{ "api_addr with a user", "api_addr = \"http://u@node\"\n",
	    "t.conf:1: api_addr must be a URL such as \"http://10.0.0.2:8200\" "
	    "(http or https, no path), not \"http://u@node\"\n" },
	{ "api_addr empty host", "api_addr = \"https://\"\n",
	    "t.conf:1: api_addr must be a URL such as \"http://10.0.0.2:8200\" "
	    "(http or https, no path), not \"https://\"\n" },
	{ "api_addr empty host, a slash", "api_addr = \"http:///\"\n",
	    "t.conf:1: api_addr must be a URL such as \"http://10.0.0.2:8200\" "
	    "(http or https, no path), not \"http:///\"\n" },
	{ "api_addr empty host, a port", "api_addr = \"http://:8200\"\n",
	    "t.conf:1: api_addr must be a URL such as \"http://10.0.0.2:8200\" "
	    "(http or https, no path), not \"http://:8200\"\n" },
	{ "api_addr empty port", "api_addr = \"http://node:\"\n",
	    "t.conf:1: api_addr must be a URL such as \"http://10.0.0.2:8200\" "
	    "(http or https, no path), not \"http://node:\"\n" },
	{ "api_addr port 0", "api_addr = \"http://node:0\"\n",
	    "t.conf:1: api_addr must be a URL such as \"http://10.0.0.2:8200\" "
	    "(http or https, no path), not \"http://node:0\"\n" },
	{ "api_addr port 65536", "api_addr = \"http://node:65536/\"\n",
	    "t.conf:1: api_addr must be a URL such as \"http://10.0.0.2:8200\" "
	    "(http or https, no path), not \"http://node:65536/\"\n" },
	{ "api_addr port not a number", "api_addr = \"http://node:http\"\n",
	    "t.conf:1: api_addr must be a URL such as \"http://10.0.0.2:8200\" "
	    "(http or https, no path), not \"http://node:http\"\n" },
	{ "api_addr IPv6 literal", "api_addr = \"http://[::1]:8200\"\n",
	    "t.conf:1: api_addr must be a URL such as \"http://10.0.0.2:8200\" "
	    "(http or https, no path), not \"http://[::1]:8200\"\n" },
	{ "api_addr bare", "api_addr = http\n",
	    "t.conf:1: api_addr must be a quoted string\n" },
	{ "repl_addr without a port", "repl_addr = \"10.0.0.1\"\n",
	    "t.conf:1: repl_addr must be one host:port (a port from 1 to "
	    "65535), not \"10.0.0.1\"\n" },
	{ "repl_addr empty port", "repl_addr = \"10.0.0.1:\"\n",
	    "t.conf:1: repl_addr must be one host:port (a port from 1 to "
	    "65535), not \"10.0.0.1:\"\n" },
	{ "repl_addr empty host", "repl_addr = \":8201\"\n",
	    "t.conf:1: repl_addr must be one host:port (a port from 1 to "
	    "65535), not \":8201\"\n" },
	{ "repl_addr port 0", "repl_addr = \"10.0.0.1:0\"\n",
	    "t.conf:1: repl_addr must be one host:port (a port from 1 to "
	    "65535), not \"10.0.0.1:0\"\n" },
	{ "repl_addr port 65536", "repl_addr = \"10.0.0.1:65536\"\n",
	    "t.conf:1: repl_addr must be one host:port (a port from 1 to "
	    "65535), not \"10.0.0.1:65536\"\n" },
	{ "repl_addr port of six digits", "repl_addr = \"n:000080\"\n",
	    "t.conf:1: repl_addr must be one host:port (a port from 1 to "
	    "65535), not \"n:000080\"\n" },
	{ "repl_addr negative port", "repl_addr = \"n:-1\"\n",
	    "t.conf:1: repl_addr must be one host:port (a port from 1 to "
	    "65535), not \"n:-1\"\n" },
	{ "repl_addr underscore in the host", "repl_addr = \"node_1:8201\"\n",
	    "t.conf:1: repl_addr must be one host:port (a port from 1 to "
	    "65535), not \"node_1:8201\"\n" },
	{ "repl_addr space in the host", "repl_addr = \"node 1:8201\"\n",
	    "t.conf:1: repl_addr must be one host:port (a port from 1 to "
	    "65535), not \"node 1:8201\"\n" },
	{ "repl_addr IPv6 literal", "repl_addr = \"[::1]:8201\"\n",
	    "t.conf:1: repl_addr must be one host:port (a port from 1 to "
	    "65535), not \"[::1]:8201\"\n" },
	{ "repl_addr a URL", "repl_addr = \"http://n:8201\"\n",
	    "t.conf:1: repl_addr must be one host:port (a port from 1 to "
	    "65535), not \"http://n:8201\"\n" },
	{ "repl_addr two addresses", "repl_addr = \"a:1,b:2\"\n",
	    "t.conf:1: repl_addr must be one host:port (a port from 1 to "
	    "65535), not \"a:1,b:2\"\n" },
	{ "repl_addr bare number", "repl_addr = 8201\n",
	    "t.conf:1: repl_addr must be a quoted string\n" },
	{ "repl_peers trailing comma", "repl_peers = \"a:1,b:2,\"\n",
	    "t.conf:1: repl_peers ends with a comma\n" },
	{ "repl_peers empty element", "repl_peers = \"a:1,,b:2\"\n",
	    "t.conf:1: repl_peers must be a comma-separated list of host:port "
	    "(a port from 1 to 65535), not \"a:1,,b:2\"\n" },
	{ "repl_peers leading comma", "repl_peers = \",a:1,b:2\"\n",
	    "t.conf:1: repl_peers must be a comma-separated list of host:port "
	    "(a port from 1 to 65535), not \",a:1,b:2\"\n" },
	{ "repl_peers a comma alone", "repl_peers = \",\"\n",
	    "t.conf:1: repl_peers must be a comma-separated list of host:port "
	    "(a port from 1 to 65535), not \",\"\n" },
	{ "repl_peers space after a comma", "repl_peers = \"a:1, b:2\"\n",
	    "t.conf:1: repl_peers must be a comma-separated list of host:port "
	    "(a port from 1 to 65535), not \"a:1, b:2\"\n" },
	{ "repl_peers one without a port", "repl_peers = \"a:1,b\"\n",
	    "t.conf:1: repl_peers must be a comma-separated list of host:port "
	    "(a port from 1 to 65535), not \"a:1,b\"\n" },
	{ "repl_peers a bad port in the middle",
	    "repl_peers = \"a:1,b:65536,c:3\"\n",
	    "t.conf:1: repl_peers must be a comma-separated list of host:port "
	    "(a port from 1 to 65535), not \"a:1,b:65536,c:3\"\n" },
	{ "repl_peers semicolons", "repl_peers = \"a:1;b:2\"\n",
	    "t.conf:1: repl_peers must be a comma-separated list of host:port "
	    "(a port from 1 to 65535), not \"a:1;b:2\"\n" },
	{ "repl_peers an HCL list", "repl_peers = [\"a:1\", \"b:2\"]\n",
	    "t.conf:1: expected a value for repl_peers\n" },
	{ "repl_bootstrap 1 in the file", "repl_bootstrap = 1\n",
	    "t.conf:1: repl_bootstrap must be a bare true or false, not "
	    "\"1\"\n" },
	{ "repl_bootstrap 0 in the file", "repl_bootstrap = 0\n",
	    "t.conf:1: repl_bootstrap must be a bare true or false, not "
	    "\"0\"\n" },
	{ "repl_bootstrap quoted", "repl_bootstrap = \"true\"\n",
	    "t.conf:1: repl_bootstrap must be a bare true or false, not the "
	    "string \"true\"\n" },
	{ "repl_bootstrap yes", "repl_bootstrap = yes\n",
	    "t.conf:1: repl_bootstrap must be true or false, not \"yes\"\n" },
	{ "every error, each with its line",
	    "workers = 0\nfoo = 1\nsocket = \"x\"\nworkers = 2\n",
	    "t.conf:1: workers must be a number from 1 to 256, not \"0\"\n"
	    "t.conf:2: unknown key \"foo\"\n"
	    "t.conf:3: socket must be an absolute path\n" },
};

static void
test_good(void)
{
	const struct good	*g;
	struct conf		 c;
	struct buf		 errs;
	size_t			 i;
	int			 n;

	for (i = 0; i < sizeof goods / sizeof goods[0]; i++) {
		g = &goods[i];
		conf_init(&c);
		buf_init(&errs);
		n = conf_parse(&c, g->text, "t.conf", &errs);
		CHECK(n == 0, "%s: got %d errors (%s), want 0", g->what, n,
		    errs.data);
		CHECK_STR(conf_str(&c, g->id), g->want, g->what);
		buf_free(&errs);
		conf_free(&c);
	}
}

static void
test_bad(void)
{
	const struct bad	*b;
	struct conf		 c;
	struct buf		 errs;
	size_t			 i;
	int			 n;

	for (i = 0; i < sizeof bads / sizeof bads[0]; i++) {
		b = &bads[i];
		conf_init(&c);
		buf_init(&errs);
		n = conf_parse(&c, b->text, "t.conf", &errs);
		CHECK(n > 0, "%s: got no error", b->what);
		CHECK_STR(errs.data, b->want, b->what);
		buf_free(&errs);
		conf_free(&c);
	}
}

/* A fake environment for conf_env. */
static const char *const *fake_env;

static const char *
fake_get(const char *name)
{
	size_t	 i, n = strlen(name);

	for (i = 0; fake_env[i] != NULL; i++)
		if (strncmp(fake_env[i], name, n) == 0 &&
		    fake_env[i][n] == '=')
			return fake_env[i] + n + 1;
	return NULL;
}

static void
test_env(void)
{
	static const char *const over[] = { "CATALOGD_WORKERS=9",
	    "CATALOGD_SOCKET_MODE=0600", NULL };
	static const char *const bad[] = { "CATALOGD_WORKERS=lots",
	    "CATALOGD_REQUEST_TIMEOUT=0", NULL };
	static const char *const data[] = { "CATALOGD_DATA=./var", NULL };
	static const char *const both[] = { "CATALOGD_DATA=/d",
	    "CATALOGD_SOCKET=/s.sock", NULL };
	static const char *const empty[] = { "CATALOGD_WORKERS=", NULL };
	static const char *const yes[] = {
	    "CATALOGD_UNAUTHENTICATED_METRICS_ACCESS=true", NULL };
	static const char *const no[] = {
	    "CATALOGD_UNAUTHENTICATED_METRICS_ACCESS=0", NULL };
	struct conf	 c;
	struct buf	 errs;
	int		 n;

	conf_init(&c);
	buf_init(&errs);
	conf_parse(&c, "workers = 2\nbody_limit = 77\n", "t.conf", &errs);
	fake_env = over;
	n = conf_env(&c, fake_get, &errs);
	CHECK(n == 0, "env over file: got %d errors (%s)", n, errs.data);
	CHECK_STR(conf_str(&c, SET_WORKERS), "9", "the environment wins");
	CHECK_STR(conf_str(&c, SET_BODY_LIMIT), "77", "the file still counts");
	CHECK(conf_long(&c, SET_SOCKET_MODE) == 0600,
	    "mode: got %lo, want 600", conf_long(&c, SET_SOCKET_MODE));
	CHECK_STR(conf_str(&c, SET_SOCKET), settings[SET_SOCKET].def,
	    "socket keeps its default without CATALOGD_DATA");
	conf_free(&c);

	conf_init(&c);
	errs.len = 0;
	errs.data[0] = '\0';
	fake_env = bad;
	n = conf_env(&c, fake_get, &errs);
	CHECK(n == 2, "bad env: got %d errors, want 2", n);
	CHECK_STR(errs.data, "CATALOGD_WORKERS must be a number from 1 to "
	    "256, not \"lots\"\nCATALOGD_REQUEST_TIMEOUT must be a number "
	    "from 1 to 86400, not \"0\"\n", "bad env messages");
	conf_free(&c);

	conf_init(&c);
	fake_env = data;
	conf_env(&c, fake_get, &errs);
	CHECK_STR(conf_str(&c, SET_SOCKET), "./var/catalogd.sock",
	    "CATALOGD_DATA alone puts the socket inside");
	CHECK_STR(conf_str(&c, SET_PID_FILE), "./var/catalogd.pid",
	    "CATALOGD_DATA alone puts the pid file inside");
	conf_free(&c);

	conf_init(&c);
	conf_parse(&c, "pid_file = \"/p.pid\"\n", "t.conf", &errs);
	fake_env = both;
	conf_env(&c, fake_get, &errs);
	CHECK_STR(conf_str(&c, SET_SOCKET), "/s.sock",
	    "an explicit socket stays");
	CHECK_STR(conf_str(&c, SET_PID_FILE), "/p.pid",
	    "a pid file from the file stays");
	conf_free(&c);

	conf_init(&c);
	fake_env = empty;
	n = conf_env(&c, fake_get, &errs);
	CHECK(n == 0 && !conf_is_set(&c, SET_WORKERS),
	    "an empty variable is unset: got %d errors", n);
	CHECK(!conf_bool(&c, SET_UNAUTH_METRICS), "bool: default false");
	conf_free(&c);

	conf_init(&c);
	conf_parse(&c, "unauthenticated_metrics_access = false\n", "t.conf",
	    &errs);
	fake_env = yes;
	n = conf_env(&c, fake_get, &errs);
	CHECK(n == 0 && conf_bool(&c, SET_UNAUTH_METRICS),
	    "bool: the environment's true wins: got %d errors", n);
	conf_free(&c);

	conf_init(&c);
	errs.len = 0;
	errs.data[0] = '\0';
	fake_env = no;
	n = conf_env(&c, fake_get, &errs);
	CHECK(n == 1 && !conf_bool(&c, SET_UNAUTH_METRICS), "bool: 0 refused: "
	    "got %d errors", n);
	CHECK_STR(errs.data, "CATALOGD_UNAUTHENTICATED_METRICS_ACCESS must be "
	    "true or false, not \"0\"\n", "bool env message");
	conf_free(&c);
	buf_free(&errs);
}

/*
 * The replication settings from the environment: one variable each, the
 * value it leaves (NULL: refused, the setting stays unset) and the
 * messages.  CATALOGD_REPL_BOOTSTRAP alone also takes 1 and 0.
 */
struct env_case {
	const char	*what;
	const char	*var;	/* NAME=value */
	enum setting_id	 id;
	const char	*want;
	const char	*errs;
};

static const struct env_case env_cases[] = {
	{ "api_addr", "CATALOGD_API_ADDR=https://10.0.0.1:8200/", SET_API_ADDR,
	    "https://10.0.0.1:8200/", "" },
	{ "api_addr ftp", "CATALOGD_API_ADDR=ftp://10.0.0.1", SET_API_ADDR,
	    NULL, "CATALOGD_API_ADDR must be a URL such as "
	    "\"http://10.0.0.2:8200\" (http or https, no path), not "
	    "\"ftp://10.0.0.1\"\n" },
	{ "api_addr with a path", "CATALOGD_API_ADDR=http://n:8200/v1",
	    SET_API_ADDR, NULL, "CATALOGD_API_ADDR must be a URL such as "
	    "\"http://10.0.0.2:8200\" (http or https, no path), not "
	    "\"http://n:8200/v1\"\n" },
	{ "repl_addr", "CATALOGD_REPL_ADDR=127.0.0.1:8201", SET_REPL_ADDR,
	    "127.0.0.1:8201", "" },
	{ "repl_addr without a port", "CATALOGD_REPL_ADDR=127.0.0.1",
	    SET_REPL_ADDR, NULL, "CATALOGD_REPL_ADDR must be one host:port (a "
	    "port from 1 to 65535), not \"127.0.0.1\"\n" },
	{ "repl_addr port 0", "CATALOGD_REPL_ADDR=127.0.0.1:0", SET_REPL_ADDR,
	    NULL, "CATALOGD_REPL_ADDR must be one host:port (a port from 1 to "
	    "65535), not \"127.0.0.1:0\"\n" },
	{ "repl_peers", "CATALOGD_REPL_PEERS=127.0.0.1:8202,127.0.0.1:8203",
	    SET_REPL_PEERS, "127.0.0.1:8202,127.0.0.1:8203", "" },
	{ "repl_peers trailing comma", "CATALOGD_REPL_PEERS=a:1,b:2,",
	    SET_REPL_PEERS, NULL, "CATALOGD_REPL_PEERS ends with a comma\n" },
	{ "repl_peers empty element", "CATALOGD_REPL_PEERS=a:1,,b:2",
	    SET_REPL_PEERS, NULL, "CATALOGD_REPL_PEERS must be a "
	    "comma-separated list of host:port (a port from 1 to 65535), not "
	    "\"a:1,,b:2\"\n" },
	{ "repl_bootstrap true", "CATALOGD_REPL_BOOTSTRAP=true",
	    SET_REPL_BOOTSTRAP, "true", "" },
	{ "repl_bootstrap false", "CATALOGD_REPL_BOOTSTRAP=false",
	    SET_REPL_BOOTSTRAP, "false", "" },
	{ "repl_bootstrap 1", "CATALOGD_REPL_BOOTSTRAP=1", SET_REPL_BOOTSTRAP,
	    "1", "" },
	{ "repl_bootstrap 0", "CATALOGD_REPL_BOOTSTRAP=0", SET_REPL_BOOTSTRAP,
	    "0", "" },
	{ "repl_bootstrap 2", "CATALOGD_REPL_BOOTSTRAP=2", SET_REPL_BOOTSTRAP,
	    NULL, "CATALOGD_REPL_BOOTSTRAP must be true or false, not "
	    "\"2\"\n" },
	{ "repl_bootstrap yes", "CATALOGD_REPL_BOOTSTRAP=yes",
	    SET_REPL_BOOTSTRAP, NULL, "CATALOGD_REPL_BOOTSTRAP must be true or "
	    "false, not \"yes\"\n" },
	{ "repl_bootstrap TRUE", "CATALOGD_REPL_BOOTSTRAP=TRUE",
	    SET_REPL_BOOTSTRAP, NULL, "CATALOGD_REPL_BOOTSTRAP must be true or "
	    "false, not \"TRUE\"\n" },
};

static void
test_env_repl(void)
{
	const struct env_case	*e;
	const char		*one[2] = { NULL, NULL };
	static const char *const on[] = { "CATALOGD_REPL_BOOTSTRAP=1", NULL };
	static const char *const off[] = { "CATALOGD_REPL_BOOTSTRAP=0", NULL };
	struct conf		 c;
	struct buf		 errs;
	size_t			 i;
	int			 n;

	buf_init(&errs);
	for (i = 0; i < sizeof env_cases / sizeof env_cases[0]; i++) {
		e = &env_cases[i];
		conf_init(&c);
		errs.len = 0;
		errs.data[0] = '\0';
		one[0] = e->var;
		fake_env = one;
		n = conf_env(&c, fake_get, &errs);
		CHECK(n == (e->want == NULL), "%s: got %d errors, want %d",
		    e->what, n, e->want == NULL);
		CHECK_STR(errs.data, e->errs, e->what);
		if (e->want != NULL)
			CHECK_STR(conf_str(&c, e->id), e->want, e->what);
		else
			CHECK(!conf_is_set(&c, e->id), "%s: got \"%s\", want "
			    "unset", e->what, conf_str(&c, e->id));
		conf_free(&c);
	}

	/* 1 and 0 mean true and false, and the environment wins. */
	conf_init(&c);
	conf_parse(&c, "repl_bootstrap = false\n", "t.conf", &errs);
	fake_env = on;
	n = conf_env(&c, fake_get, &errs);
	CHECK(n == 0 && conf_bool(&c, SET_REPL_BOOTSTRAP),
	    "CATALOGD_REPL_BOOTSTRAP=1 over false: got %d errors, %s, want "
	    "true", n, conf_bool(&c, SET_REPL_BOOTSTRAP) ? "true" : "false");
	conf_free(&c);
	conf_init(&c);
	conf_parse(&c, "repl_bootstrap = true\n", "t.conf", &errs);
	fake_env = off;
	n = conf_env(&c, fake_get, &errs);
	CHECK(n == 0 && !conf_bool(&c, SET_REPL_BOOTSTRAP),
	    "CATALOGD_REPL_BOOTSTRAP=0 over true: got %d errors, %s, want "
	    "false", n, conf_bool(&c, SET_REPL_BOOTSTRAP) ? "true" : "false");
	conf_free(&c);
	buf_free(&errs);
}

/*
 * hostport_split, which the cross-checks and the replication setup use on
 * each element of repl_peers: LEN bounds the text, so an element is split
 * without copying it out of the list.
 */
struct split_case {
	const char	*s;
	size_t		 len;	/* 0: strlen(s) */
	const char	*host;	/* NULL: refused */
	unsigned	 port;
};

static const struct split_case splits[] = {
	{ "10.0.0.1:8201", 0, "10.0.0.1", 8201 },
	{ "node-1.example.com:1", 0, "node-1.example.com", 1 },
	{ "n:65535", 0, "n", 65535 },
	{ "a:1,b:2", 3, "a", 1 },
	{ "b:22,c:3", 4, "b", 22 },
	{ "a:1,b:2", 2, NULL, 0 },
	{ "a:1", 1, NULL, 0 },
	{ "", 0, NULL, 0 },
	{ "n", 0, NULL, 0 },
	{ "n:", 0, NULL, 0 },
	{ ":1", 0, NULL, 0 },
	{ "n:0", 0, NULL, 0 },
	{ "n:65536", 0, NULL, 0 },
	{ "n:99999", 0, NULL, 0 },
	{ "n:123456", 0, NULL, 0 },
	{ "n:1a", 0, NULL, 0 },
	{ "n:+1", 0, NULL, 0 },
	{ "n_1:1", 0, NULL, 0 },
	{ "n/1:1", 0, NULL, 0 },
	{ "::1:8201", 0, NULL, 0 },
	{ "[::1]:8201", 0, NULL, 0 },
};

static void
test_hostport_split(void)
{
	const struct split_case	*t;
	char			*host;
	unsigned		 port;
	size_t			 i, len;
	int			 rc;

	for (i = 0; i < sizeof splits / sizeof splits[0]; i++) {
		t = &splits[i];
		len = t->len != 0 ? t->len : strlen(t->s);
		host = NULL;
		port = 0;
		rc = hostport_split(t->s, len, &host, &port);
		if (t->host == NULL) {
			CHECK(rc == -1 && host == NULL,
			    "\"%.*s\": got %d, want -1 and no host", (int)len,
			    t->s, rc);
			free(host);
			continue;
		}
		CHECK(rc == 0, "\"%.*s\": got %d, want 0", (int)len, t->s, rc);
		CHECK_STR(host != NULL ? host : "(null)", t->host, t->s);
		CHECK(port == t->port, "\"%.*s\": got port %u, want %u",
		    (int)len, t->s, port, t->port);
		free(host);
	}
	CHECK(hostport_split("n:8", 3, NULL, NULL) == 0,
	    "no outputs asked: got -1, want 0");
}

/*
 * "catalogd -p" parses as a file with no error, and with its settings
 * uncommented it sets every setting to its default.
 */
static void
test_defaults(void)
{
	struct conf	 c;
	struct buf	 out, errs;
	char		*p;
	int		 i, n;

	buf_init(&out);
	buf_init(&errs);
	conf_print_defaults(&out);
	conf_init(&c);
	n = conf_parse(&c, out.data, "defaults", &errs);
	CHECK(n == 0, "commented defaults: got %d errors (%s)", n, errs.data);
	conf_free(&c);
	for (p = out.data; (p = strstr(p, "\n#")) != NULL; p++)
		if (p[2] >= 'a' && p[2] <= 'z')
			p[1] = ' ';
	conf_init(&c);
	n = conf_parse(&c, out.data, "defaults", &errs);
	CHECK(n == 0, "uncommented defaults: got %d errors (%s)", n,
	    errs.data);
	for (i = 0; i < SET_COUNT; i++) {
		CHECK(conf_is_set(&c, i), "%s is in the defaults",
		    settings[i].key);
		CHECK_STR(conf_str(&c, i), settings[i].def, settings[i].key);
	}
	conf_free(&c);
	buf_free(&out);
	buf_free(&errs);
}

int
main(void)
{
	test_good();
	test_bad();
	test_env();
	test_env_repl();
	test_hostport_split();
	test_defaults();
	return check_done("conf_test");
}
