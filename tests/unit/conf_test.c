/*
 * conf_test.c: catalogd.conf and the CATALOGD_* overrides.  A table of
 * files with the value each setting must then have, a table of bad files
 * with every FILE:LINE message they must produce, the environment over the
 * file, and the commented defaults of "catalogd -p" read back as a file.
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
	test_defaults();
	return check_done("conf_test");
}
