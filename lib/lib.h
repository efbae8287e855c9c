/*
 * lib.h: the pure layer of catalogd.  Nothing here knows sockets, FastCGI or
 * Berkeley DB, so every function can be unit-tested in isolation.  Memory
 * rules: functions returning a pointer say "new" (caller frees), "borrowed"
 * (valid until the named event) or "steals" (takes ownership of an argument).
 * Allocation never returns NULL: the x* allocators abort the process.
 */
#ifndef CATALOGD_LIB_H
#define CATALOGD_LIB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <zlib.h>

/* An API error: the HTTP status and the one message the client sees. */
struct apierr {
	int	status;
	char	text[1024];	/* longer messages are cut at a character */
};
void	 apierr_set(struct apierr *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

/* clock.c */
int64_t	 now_ms(void);		/* CLOCK_MONOTONIC */

/* xmalloc.c */
void	*xmalloc(size_t);			/* new */
void	*xcalloc(size_t, size_t);		/* new */
void	*xrealloc(void *, size_t);		/* new; steals the argument */
char	*xstrdup(const char *);			/* new */
char	*xstrndup(const char *, size_t);	/* new */
char	*xasprintf(const char *, ...)		/* new */
	    __attribute__((format(printf, 1, 2)));

/* A growable byte buffer; data is always NUL-terminated after len bytes. */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};
void	 buf_init(struct buf *);
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_addc(struct buf *, char);
void	 buf_adds(struct buf *, const char *);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_free(struct buf *);

/* log.c: lines go to stderr as "catalogd[pid] func: message". */
void	 log_init(const char *);
int	 log_open(const char *);
int	 log_reopen(void);
void	 log_msg(const char *, const char *, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	 log_fatal(const char *, const char *, ...)
	    __attribute__((format(printf, 2, 3), noreturn));
#define log_info(...)	log_msg("info", __func__, __VA_ARGS__)
#define log_warn(...)	log_msg("warning", __func__, __VA_ARGS__)
#define log_err(...)	log_msg("error", __func__, __VA_ARGS__)
#define fatal(...)	log_fatal(__func__, __VA_ARGS__)

/*
 * json.c: request bodies and the wire encoding.  Parsed JSON numbers are kept
 * as their exact text, the way Go's json.Number does, so that weak typing and
 * its error messages match Vault: such a number is a jansson string whose
 * first byte is NUL (a byte no accepted request string can contain).
 */
int	 json_parse_object(const char *, size_t, json_t **);	/* new */
bool	 json_is_number_text(const json_t *);
const char *json_text(const json_t *);		/* borrowed from the value */
json_t	*json_number_text(const char *);	/* new */
char	*json_encode_go(const json_t *, size_t *);	/* new */
void	 go_string(struct buf *, const char *, size_t);
void	 json_gofmt(struct buf *, const json_t *);
const char *json_gotype(const json_t *);
const char **json_sorted_keys(const json_t *, size_t *);	/* new array */

/* form.c: application/x-www-form-urlencoded, as Go's url.ParseQuery. */
#define FORM_JOIN	0x1	/* repeated key: join with ',' (bodies) */
#define FORM_LIST	0x2	/* repeated key: array of values (queries) */
#define FORM_LENIENT	0x4	/* drop malformed pairs instead of failing */
int	 form_parse(const char *, size_t, int, json_t **);	/* new */
int	 pct_decode(const char *, size_t, bool, struct buf *);
int	 hexval(char);

/* field.c: Vault's weak typing of request fields (mapstructure rules). */
enum field_kind {
	FIELD_STRING,
	FIELD_INT64,
	FIELD_BOOL,
	FIELD_STRLIST,		/* Vault's TypeCommaStringSlice */
	FIELD_STRSLICE,		/* Vault's TypeStringSlice: no comma split */
	FIELD_DURATION,		/* Vault's TypeDurationSecond, in seconds */
	FIELD_KVPAIRS,		/* Vault's TypeKVPairs: list = k, v, k, v… */
};
struct field {
	const char	*name;
	enum field_kind	 kind;
};
struct fieldval {
	bool	  set;
	char	 *s;		/* FIELD_STRING: new, freed by fields_free */
	int64_t	  i;		/* FIELD_INT64 and FIELD_DURATION */
	bool	  b;
	char	**list;		/* FIELD_STRLIST: new, freed by fields_free */
	size_t	  nlist;
};
int	 field_convert(const char *, enum field_kind, const json_t *, bool,
	    struct fieldval *, struct apierr *);
int	 fields_convert(const struct field *, size_t, const json_t *, bool,
	    struct fieldval *, struct buf *, struct apierr *);
void	 go_quote(struct buf *, const char *);
bool	 go_isprint(uint32_t);
bool	 go_printable(const char *);
int	 go_media_type(const char *, char **, const char **);	/* new */
void	 fields_free(struct fieldval *, size_t);
int	 go_parse_int64(const char *, int64_t *);
int	 go_parse_bool(const char *, bool *);
int	 parse_duration(const char *, int64_t *);
void	 strlist_free(char **, size_t);
int	 strp_cmp(const void *, const void *);
bool	 base64_decode(const char *, struct buf *);

/* path.c: the request path, decoded once, and Vault's name pattern. */
int	 path_decode(const char *, size_t, char **);	/* new */
bool	 name_valid(const char *);

/* record.c: the versioned msgpack storage format. */
#define RECORD_VERSION	1
struct runtime {
	char	*name;
	char	*oci_runtime;
	char	*cgroup_parent;
	int64_t	 cpu_nanos;
	int64_t	 memory_bytes;
	bool	 rootless;
};
struct token_rec {
	char		**policies;	/* sorted, no duplicates */
	size_t		  npolicies;
	char		 *accessor;
	char		 *display_name;
	char		 *path;		/* auth/token/root or auth/token/create */
	unsigned char	  parent[32];	/* HMAC of the parent token */
	bool		  has_parent;	/* false: an orphan */
	int64_t		  created;	/* unix seconds */
	int64_t		  ttl;		/* seconds at creation or renewal; 0: none */
	int64_t		  expire;	/* unix seconds; 0: never */
	int64_t		  num_uses;	/* uses left; 0: unlimited */
	int64_t		  renewed;	/* last renewal, unix seconds; 0: never */
};
struct plugin {
	char		 *type;		/* auth, database or secret */
	char		 *name;
	char		 *version;	/* canonical "v..." or "" */
	char		 *command;
	char		**args;
	size_t		  nargs;
	char		**env;
	size_t		  nenv;
	unsigned char	 *sha256;
	size_t		  sha256_len;
	char		 *oci_image;
	char		 *runtime;
};
struct policy_rec {
	char	*name;
	char	*text;		/* as written, returned verbatim */
};
struct audit_rec {
	char	 *path;		/* "file/": the name and a '/' */
	char	 *type;		/* "file" */
	char	 *description;
	char	**options;	/* key, value, key, value…, sorted by key */
	size_t	  noptions;	/* strings in options (twice the pairs) */
	char	 *salt;		/* the HMAC key, a random UUID */
	bool	  local;
};
void	 record_runtime_encode(const struct runtime *, struct buf *);
int	 record_runtime_decode(const void *, size_t, struct runtime *);
void	 runtime_free(struct runtime *);
void	 record_token_encode(const struct token_rec *, struct buf *);
int	 record_token_decode(const void *, size_t, struct token_rec *);
void	 token_rec_free(struct token_rec *);
void	 record_policy_encode(const struct policy_rec *, struct buf *);
int	 record_policy_decode(const void *, size_t, struct policy_rec *);
void	 policy_rec_free(struct policy_rec *);
void	 record_plugin_encode(const struct plugin *, struct buf *);
int	 record_plugin_decode(const void *, size_t, struct plugin *);
void	 plugin_free(struct plugin *);
void	 record_audit_encode(const struct audit_rec *, struct buf *);
int	 record_audit_decode(const void *, size_t, struct audit_rec *);
void	 audit_rec_free(struct audit_rec *);

/* semver.c: plugin versions. */
char	*semver_canonical(const char *, struct buf *);	/* new */
int	 semver_compare(const char *, const char *);

/* hcl.c: the lexer shared by policies and catalogd.conf. */
enum hcl_tok { HCL_EOF, HCL_IDENT, HCL_STRING, HCL_LBRACE, HCL_RBRACE,
	HCL_LBRACK, HCL_RBRACK, HCL_EQUALS, HCL_COMMA, HCL_NUMBER, HCL_ERROR };
struct hcl_lexer {
	const char	*p;
	int		 line;
	bool		 numbers;	/* lex integers (else unexpected) */
	struct buf	 text;	/* identifier, number or decoded string */
	const char	*why;	/* for HCL_ERROR */
};
void	 hcl_init(struct hcl_lexer *, const char *, bool);
void	 hcl_free(struct hcl_lexer *);
enum hcl_tok hcl_lex(struct hcl_lexer *);
const char *hcl_tok_name(enum hcl_tok);

/* conf.c: the settings table, catalogd.conf and the CATALOGD_* overrides. */
enum setting_kind {
	SETTING_STRING,		/* quoted, not empty */
	SETTING_PATH,		/* quoted; absolute in the file; "" = none */
	SETTING_INT,		/* bare decimal, within min..max */
	SETTING_MODE,		/* quoted octal, up to max */
	SETTING_BOOL,		/* bare true or false */
	SETTING_URL,		/* quoted http(s)://host[:port]; "" = none */
	SETTING_HOSTPORT,	/* quoted host:port; "" = none */
	SETTING_HOSTPORTS,	/* quoted host:port,host:port...; "" = none */
};
enum setting_id {
	SET_DATA_DIR, SET_SOCKET, SET_SOCKET_GROUP, SET_SOCKET_MODE,
	SET_PID_FILE, SET_LOG_FILE, SET_WORKERS, SET_BODY_LIMIT,
	SET_MAX_REQUESTS, SET_REQUEST_TIMEOUT, SET_ROOT_TOKEN_FILE,
	SET_AUDIT_FILE_PATH, SET_UNAUTH_METRICS, SET_API_ADDR, SET_REPL_ADDR,
	SET_REPL_PEERS, SET_REPL_BOOTSTRAP, SET_COUNT
};
struct setting {
	const char		*key;	/* in catalogd.conf */
	const char		*env;	/* CATALOGD_* */
	enum setting_kind	 kind;
	const char		*def;	/* the default, as text */
	long			 min, max;
	const char		*doc;	/* one or two sentences */
};
extern const struct setting settings[SET_COUNT];
struct conf {
	char	*val[SET_COUNT];	/* new; NULL: the default */
	bool	 from_env[SET_COUNT];
};
void	 conf_init(struct conf *);
void	 conf_free(struct conf *);
int	 conf_parse(struct conf *, const char *, const char *, struct buf *);
int	 conf_env(struct conf *, const char *(*)(const char *), struct buf *);
const char *conf_str(const struct conf *, enum setting_id);	/* borrowed */
long	 conf_long(const struct conf *, enum setting_id);
bool	 conf_bool(const struct conf *, enum setting_id);
bool	 conf_is_set(const struct conf *, enum setting_id);
void	 conf_print_defaults(struct buf *);
int	 hostport_split(const char *, size_t, char **, unsigned *);

/*
 * metrics.c: the counters every catalogd process shares (one page the
 * supervisor maps before it forks; every field only grows, by atomic adds)
 * and the one place that writes them out, as Prometheus text or as JSON.
 */
enum metric {
	M_TXN_COMMITS, M_TXN_WRITE_COMMITS, M_TXN_ABORTS, M_TXN_DEADLOCKS,
	M_RESTART_CRASH, M_RESTART_WATCHDOG, M_RESTART_RECYCLE,
	M_AUDIT_REQUEST_FAILURES, M_AUDIT_RESPONSE_FAILURES, M_REPL_UNACKED,
	M_REPL_FORWARDED, M_COUNT
};
#define METRICS_ROUTES	48	/* [0]: no route; [i + 1]: route table i */
#define METRICS_CODES	16	/* metrics_codes[], and the last: others */
#define METRICS_BUCKETS	14	/* request duration; the last: +Inf */
#define METRICS_PIDS	264	/* the supervisor's children */
struct metrics {
	uint64_t	 count[M_COUNT];
	uint64_t	 requests[METRICS_ROUTES][METRICS_CODES];
	uint64_t	 duration[METRICS_BUCKETS];	/* not cumulative */
	uint64_t	 duration_us;		/* sum */
	uint64_t	 recoveries;
	uint64_t	 recovery_us;		/* sum */
	uint64_t	 write_commits_at_recovery; /* M_TXN_WRITE_COMMITS then */
	int64_t		 start_us;		/* the supervisor's, unix */
	int32_t		 supervisor;		/* its pid */
	int32_t		 pids[METRICS_PIDS];	/* children; 0: free */
};
/* What a scrape reads besides the counters; -1: could not be read. */
struct metrics_now {
	double		 time;			/* unix seconds */
	int64_t		 runtimes, plugins, policies, tokens;
	int64_t		 cache_hits, cache_misses;
	int64_t		 log_bytes, log_flushes;	/* since the recovery */
	double		 cpu_seconds;
	int64_t		 rss_bytes, open_fds, processes;
	bool		 standby;		/* a replicated group's standby */
};
extern const int metrics_codes[METRICS_CODES - 1];
extern struct metrics *metrics;		/* NULL: nothing is counted */
void	 metrics_add(enum metric);
void	 metrics_request(size_t, int, uint64_t);
void	 metrics_recovery(uint64_t);
void	 metrics_copy(struct metrics *, const struct metrics *);
void	 metrics_text(struct buf *, const struct metrics *,
	    const struct metrics_now *, const char *const *, size_t);
json_t	*metrics_json(const struct metrics *, const struct metrics_now *,
	    const char *const *, size_t);		/* new */

/* policy.c: Vault's ACL policy language and its evaluation. */
#define CAP_DENY	0x01
#define CAP_CREATE	0x02
#define CAP_READ	0x04
#define CAP_UPDATE	0x08
#define CAP_DELETE	0x10
#define CAP_LIST	0x20
#define CAP_SUDO	0x40
#define CAP_PATCH	0x80
struct rule {
	char		*pattern;
	unsigned	 caps;
};
struct policy {
	struct rule	*rules;
	size_t		 nrules;
};
int	 policy_parse(const char *, struct policy *, struct apierr *);
void	 policy_free(struct policy *);
void	 acl_add(struct policy *, const struct policy *);
unsigned acl_capabilities(const struct policy *, const char *, bool);
bool	 acl_permits(unsigned, unsigned, bool);
unsigned acl_report(const struct policy *, const char *);
size_t	 acl_report_names(unsigned, const char *[8]);	/* static strings */

/* token.c: token syntax, salted hashes, random identifiers. */
#define TOKEN_HASH_LEN	32
#define TOKEN_MAX	256	/* longest token the syntax allows */
#define SALT_LEN	32
bool	 token_syntax_ok(const char *);
void	 token_hash(const unsigned char *, size_t, const char *,
	    unsigned char[TOKEN_HASH_LEN]);
char	*token_generate(void);			/* new */
char	*random_id(size_t);			/* new */
void	 random_bytes(void *, size_t);
void	 uuid_v4(char[37]);

/*
 * audit.c: Vault's audit entries (pure): a device's options, the salted
 * HMAC, and one JSON line per entry.
 */
#define AUDIT_HMAC_LEN	(12 + 64)	/* "hmac-sha256:" and the hex */
struct audit_opts {
	const char	*file_path;	/* borrowed from the option list */
	const char	*prefix;	/* borrowed; "" when unset */
	bool		 log_raw;
	bool		 hmac_accessor;
	int		 mode;		/* 0: leave the file's mode alone */
};
struct audit_mac;			/* HMAC-SHA256 keyed with one salt */
/* One entry; every pointer borrowed for the call, NULL when absent. */
struct audit_in {
	bool			 response;	/* else the request entry */
	int64_t			 sec;		/* wall clock */
	long			 nsec;
	const char		*id;		/* shared by both entries */
	const char		*operation;
	const char		*mount_point;
	const char		*mount_type;
	const char		*path;
	const char		*client_token;	/* raw */
	const struct token_rec	*tok;		/* the authenticated caller */
	const json_t		*data;		/* the request's fields */
	const char		*remote_addr;
	int			 remote_port;
	const json_t		*resp_data;
	const json_t		*resp_auth;	/* a token the answer issues */
	const json_t		*warnings;
	const char		*error;
};
int	 audit_options(char **, size_t, struct audit_opts *, struct apierr *);
struct audit_mac *audit_mac_new(const char *);		/* new */
void	 audit_mac_free(struct audit_mac *);
void	 audit_hmac(struct audit_mac *, const char *, size_t,
	    char[AUDIT_HMAC_LEN + 1]);
void	 audit_time(struct buf *, int64_t, long);
void	 audit_format(struct buf *, const struct audit_opts *,
	    struct audit_mac *, const struct audit_in *);
void	 audit_format_shared(struct buf *, const struct audit_opts *,
	    struct audit_mac *, const struct audit_in *, struct buf *, bool);

/* archive.c: ustar and gzip on memory buffers, checksums, the seal. */
struct tar_member {
	char			 name[100];
	char			 type;		/* '0' a file, '5' a directory */
	const unsigned char	*data;		/* borrowed from the archive */
	size_t			 len;
};
void	 tar_add(struct buf *, const char *, const void *, size_t, long long);
void	 tar_finish(struct buf *);
int	 tar_next(const void *, size_t, size_t *, struct tar_member *);
int	 gzip_compress(const void *, size_t, struct buf *);
struct tgz {
	z_stream	 z;
	int		(*sink)(void *, const void *, size_t);	/* 0 or -1 */
	void		*arg;
	size_t		 left, pad;	/* of the member being written */
	bool		 open, failed;
};
int	 tgz_open(struct tgz *, int (*)(void *, const void *, size_t), void *);
int	 tgz_member(struct tgz *, const char *, size_t, long long);
int	 tgz_write(struct tgz *, const void *, size_t);
int	 tgz_file(struct tgz *, const char *, const char *, long long,
	    char[65]);
int	 tgz_close(struct tgz *);
int	 gzip_decompress(const void *, size_t, size_t, struct buf *);
void	 sha256_hex(const void *, size_t, char[65]);
void	 snapshot_seal(const unsigned char[SALT_LEN], const void *, size_t,
	    char[65]);
bool	 snapshot_seal_ok(const unsigned char[SALT_LEN], const void *, size_t,
	    const void *, size_t);

#endif
