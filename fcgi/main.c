/*
 * main.c: catalogd's command line, read in the order things happen: the
 * options, the settings (catalogd.conf, then the CATALOGD_* environment
 * over it), and then either a check of those settings (-t), an offline
 * backup or restore of the data directory (snapshot.c), or the supervisor
 * (supervisor.c), which runs in the foreground until SIGTERM.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fcgi/fcgi.h"

static void
usage(void)
{
	fprintf(stderr, "usage: catalogd [-t] [-f file]\n"
	    "       catalogd [-f file] backup out.tar.gz\n"
	    "       catalogd [-f file] restore [-force] in.tar.gz\n"
	    "       catalogd -p | -V\n");
	exit(2);
}

static const char *
env_get(const char *name)
{
	return getenv(name);
}

/* Reads FILE whole; NULL after a message. */
static char *
read_file(const char *path)
{
	struct buf	 b;
	char		 chunk[4096];
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "catalogd: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	buf_init(&b);
	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		buf_add(&b, chunk, (size_t)n);
	close(fd);
	if (n == -1 || memchr(b.data, '\0', b.len) != NULL) {
		fprintf(stderr, "catalogd: %s: %s\n", path, n == -1 ?
		    strerror(errno) : "not a text file");
		buf_free(&b);
		return NULL;
	}
	return b.data;
}

/*
 * The replication settings together: a group has at least three members
 * (with two, Berkeley DB never fails over: no automatic failover is no
 * high availability), each named once, and this node's api_addr.
 * Prints each error; returns their number.
 */
static int
repl_check(const struct conf *c)
{
	const char	*self = conf_str(c, SET_REPL_ADDR);
	const char	*peers = conf_str(c, SET_REPL_PEERS), *p, *e, *q, *f;
	size_t		 n = 0, len, seen;
	int		 nerr = 0;

	if (*self == '\0') {
		if (*peers != '\0' || conf_bool(c, SET_REPL_BOOTSTRAP)) {
			fprintf(stderr, "catalogd: repl_peers and "
			    "repl_bootstrap need repl_addr\n");
			nerr++;
		}
		return nerr;
	}
	if (*conf_str(c, SET_API_ADDR) == '\0') {
		fprintf(stderr, "catalogd: repl_addr needs api_addr, the URL "
		    "the other nodes send clients to\n");
		nerr++;
	}
	for (p = peers; *p != '\0'; p = *e == ',' ? e + 1 : e, n++) {
		if ((e = strchr(p, ',')) == NULL)
			e = p + strlen(p);
		len = (size_t)(e - p);
		if (len == strlen(self) && strncmp(p, self, len) == 0) {
			fprintf(stderr, "catalogd: repl_peers names this "
			    "node's own repl_addr %s\n", self);
			nerr++;
		}
		/* Said once, at the second mention. */
		for (seen = 0, q = peers; q < p; q = *f == ',' ? f + 1 : f) {
			if ((f = strchr(q, ',')) == NULL)
				f = q + strlen(q);
			if ((size_t)(f - q) == len && strncmp(p, q, len) == 0)
				seen++;
		}
		if (seen == 1) {
			fprintf(stderr, "catalogd: repl_peers names %.*s "
			    "twice\n", (int)len, p);
			nerr++;
		}
	}
	if (n < 2) {
		fprintf(stderr, "catalogd: a replicated group needs at least "
		    "three nodes: repl_peers must name at least two others "
		    "(with two nodes there is no automatic failover)\n");
		nerr++;
	}
	return nerr;
}

/* This node's replication settings, when it is a member of a group. */
static void
configure_repl(const struct conf *c, struct config *cfg)
{
	static struct repl_conf	 rc;
	const char		*peers = conf_str(c, SET_REPL_PEERS), *p, *e;
	const char		*self = conf_str(c, SET_REPL_ADDR);
	char			*host, *sys;
	size_t			 n = 0;
	struct stat		 sb;

	if (*self == '\0')
		return;
	cfg->api_addr = xstrdup(conf_str(c, SET_API_ADDR));
	if (cfg->api_addr[strlen(cfg->api_addr) - 1] == '/')
		cfg->api_addr[strlen(cfg->api_addr) - 1] = '\0';
	cfg->repl_addr = xstrdup(self);
	if (hostport_split(self, strlen(self), &host, &rc.port) == -1)
		abort();
	rc.host = host;
	for (p = peers; *p != '\0'; p = *e == ',' ? e + 1 : e, n++) {
		if ((e = strchr(p, ',')) == NULL)
			e = p + strlen(p);
		rc.peer_host = xrealloc(rc.peer_host, (n + 1) *
		    sizeof *rc.peer_host);
		rc.peer_port = xrealloc(rc.peer_port, (n + 1) *
		    sizeof *rc.peer_port);
		if (hostport_split(p, (size_t)(e - p), &host,
		    &rc.peer_port[n]) == -1)
			abort();
		rc.peer_host[n] = host;
	}
	rc.npeers = n;
	/*
	 * The group's own database says this directory has joined one: from
	 * then on repl_bootstrap is ignored, so a restart never creates a
	 * second group.
	 */
	sys = xasprintf("%s/__db.rep.system", cfg->dbhome);
	rc.bootstrap = conf_bool(c, SET_REPL_BOOTSTRAP) && stat(sys, &sb) == -1;
	free(sys);
	cfg->repl = &rc;
	store_repl_setup(&rc);
}

/*
 * The settings: FILE (if any), then the environment.  Prints every error
 * and returns -1 if there was one.
 */
static int
load(struct conf *c, const char *file)
{
	struct buf	 errs;
	char		*text;
	int		 nerr = 0;

	buf_init(&errs);
	if (file != NULL) {
		if ((text = read_file(file)) == NULL)
			return -1;
		nerr += conf_parse(c, text, file, &errs);
		free(text);
	}
	if (errs.len > 0)
		fputs(errs.data, stderr);
	errs.len = 0;
	errs.data[0] = '\0';
	nerr += conf_env(c, env_get, &errs);
	if (errs.len > 0) {
		/* One "catalogd: " per line, for messages without a file. */
		char *line, *save = NULL;

		for (line = strtok_r(errs.data, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save))
			fprintf(stderr, "catalogd: %s\n", line);
	}
	buf_free(&errs);
	nerr += repl_check(c);
	if (getgrnam(conf_str(c, SET_SOCKET_GROUP)) == NULL) {
		fprintf(stderr, "catalogd: socket_group \"%s\" is not a group "
		    "on this system\n", conf_str(c, SET_SOCKET_GROUP));
		nerr++;
	}
	return nerr > 0 ? -1 : 0;
}

static char *
opt_path(const struct conf *c, enum setting_id id)
{
	const char	*v = conf_str(c, id);

	return *v == '\0' ? NULL : xstrdup(v);
}

/* The checked settings into cfg; creates the data directory. */
static void
configure(const struct conf *c, struct config *cfg)
{
	const char	*data = conf_str(c, SET_DATA_DIR);
	char		 real[PATH_MAX];

	if (*data == '\0')
		fatal("data_dir must not be empty");
	if (mkdir(data, 0700) == -1 && errno != EEXIST)
		fatal("creating %s: %s", data, strerror(errno));
	if (realpath(data, real) == NULL)
		fatal("resolving %s: %s", data, strerror(errno));
	cfg->data = xstrdup(real);
	cfg->dbhome = xasprintf("%s/db", cfg->data);
	if (mkdir(cfg->dbhome, 0700) == -1 && errno != EEXIST)
		fatal("creating %s: %s", cfg->dbhome, strerror(errno));
	if ((cfg->sockpath = opt_path(c, SET_SOCKET)) == NULL)
		fatal("socket must not be empty");
	if ((cfg->pidpath = opt_path(c, SET_PID_FILE)) == NULL)
		fatal("pid_file must not be empty");
	cfg->sockgroup = xstrdup(conf_str(c, SET_SOCKET_GROUP));
	cfg->sockmode = (unsigned)conf_long(c, SET_SOCKET_MODE);
	cfg->logpath = opt_path(c, SET_LOG_FILE);
	cfg->root_token_file = opt_path(c, SET_ROOT_TOKEN_FILE);
	cfg->audit_file = opt_path(c, SET_AUDIT_FILE_PATH);
	cfg->workers = (int)conf_long(c, SET_WORKERS);
	cfg->body_limit = (size_t)conf_long(c, SET_BODY_LIMIT);
	cfg->max_requests = conf_long(c, SET_MAX_REQUESTS);
	cfg->request_timeout = (int)conf_long(c, SET_REQUEST_TIMEOUT);
	cfg->unauth_metrics = conf_bool(c, SET_UNAUTH_METRICS);
	configure_repl(c, cfg);
}

int
main(int argc, char **argv)
{
	struct config	 cfg;
	struct conf	 c;
	struct buf	 b;
	const char	*file = NULL, *cmd = NULL, *arg = NULL;
	bool		 test = false, force = false;
	int		 ch;

	log_init("catalogd");
	/* "+": options end at the subcommand ("restore -force"). */
	while ((ch = getopt(argc, argv, "+f:ptV")) != -1) {
		switch (ch) {
		case 'f':
			file = optarg;
			break;
		case 'p':
			buf_init(&b);
			conf_print_defaults(&b);
			fputs(b.data, stdout);
			buf_free(&b);
			return 0;
		case 't':
			test = true;
			break;
		case 'V':
			printf("catalogd %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage();
		}
	}
	if (optind < argc) {
		cmd = argv[optind++];
		if (strcmp(cmd, "restore") == 0 && optind < argc &&
		    strcmp(argv[optind], "-force") == 0) {
			force = true;
			optind++;
		}
		if ((strcmp(cmd, "backup") != 0 && strcmp(cmd, "restore") != 0)
		    || test || optind + 1 != argc)
			usage();
		arg = argv[optind];
	}

	conf_init(&c);
	if (load(&c, file) == -1)
		return 1;
	if (test) {
		fprintf(stderr, "catalogd: %s: the configuration is valid\n",
		    file != NULL ? file : "(environment)");
		return 0;
	}
	memset(&cfg, 0, sizeof cfg);
	cfg.file = file != NULL ? xstrdup(file) : NULL;
	if (*conf_str(&c, SET_LOG_FILE) != '\0' &&
	    log_open(conf_str(&c, SET_LOG_FILE)) == -1)
		fatal("opening %s: %s", conf_str(&c, SET_LOG_FILE),
		    strerror(errno));
	configure(&c, &cfg);
	conf_free(&c);
	if (cmd != NULL) {
		store_version_check();
		return strcmp(cmd, "backup") == 0 ?
		    snapshot_backup_cmd(&cfg, arg) :
		    snapshot_restore_cmd(&cfg, arg, force);
	}
	return supervise(&cfg);
}
