/*
 * fcgi.h: the process and HTTP edge.  This layer alone knows FastCGI, CGI
 * variables and processes; it turns a request into a route, fields and one
 * transaction, and the handler's result into Vault's envelope.
 */
#ifndef CATALOGD_FCGI_H
#define CATALOGD_FCGI_H

#include <stdbool.h>
#include <stdint.h>

#include <fcgiapp.h>

#include "db/db.h"
#include "lib/lib.h"

#define EXIT_RECOVER	75	/* worker: the environment needs recovery */
#define MAX_FIELDS	16

struct config {
	char		*file;		/* catalogd.conf, or NULL */
	char		*data;		/* data_dir, resolved */
	char		*dbhome;	/* <data>/db */
	char		*sockpath;	/* socket */
	char		*sockgroup;	/* socket_group */
	unsigned	 sockmode;	/* socket_mode */
	char		*pidpath;	/* pid_file */
	char		*logpath;	/* log_file, or NULL: stderr */
	char		*root_token_file; /* or NULL: print it */
	char		*audit_file;	/* audit_file_path, or NULL */
	int		 workers;	/* workers */
	size_t		 body_limit;	/* body_limit, bytes */
	long		 max_requests;	/* max_requests per worker */
	int		 request_timeout; /* request_timeout, seconds */
	bool		 unauth_metrics; /* unauthenticated_metrics_access */
	/* A replicated group's member, or NULL, "" and NULL. */
	const struct repl_conf *repl;
	char		*api_addr;	/* api_addr, without a final '/' */
	char		*repl_addr;	/* repl_addr */
};

/*
 * The page the supervisor shares with its children, one slot per child:
 * when the current request began (ms, 0: none) and whether the child has
 * reached its accept loop.
 */
struct slot {
	int64_t		 busy;
	int		 ready;
};

/*
 * A replicated node's state as its replication process publishes it
 * (repd.c): readers copy it with ha_read, which retries while a write is
 * in progress (seq odd).
 */
struct ha_shared {
	uint32_t	 seq;
	struct repl_view view;
	int64_t		 active_since;	/* unix seconds, while active */
	uint64_t	 members_gen;	/* the group's membership changed */
};

/*
 * The page the supervisor maps before it forks, shared by every process:
 * generations that tell each process its cached copy is stale.
 */
struct shared {
	uint64_t	 auth_changes;	/* token and policy writes (db/txn.c) */
	uint64_t	 audit_gen;	/* audit device changes (audit.c) */
	uint64_t	 data_gen;	/* restores swapped in (snapshot.c) */
	int		 restoring;	/* a restore is committed: answer 503 */
	struct ha_shared ha;
};
extern struct shared *shared;

enum op {
	OP_READ,
	OP_LIST,
	OP_UPDATE,
	OP_DELETE,
	OP_PATCH,
	OP_COUNT
};

struct request;
typedef int (*handler_fn)(struct request *, struct txn *);

/*
 * A route: the path pattern (literal segments and "{name}", a name that
 * matches Vault's GenericNameRegex), whether a trailing '/' also matches,
 * whether every operation needs sudo, its fields and one handler per
 * operation (NULL: 405).  An unauthenticated route is one of Vault's raw
 * sys/ handlers: no token is looked at, the answer is the handler's JSON
 * without the envelope (set_raw), and a missing operation is a bare 405.
 * An unauth_metrics route is unauthenticated too when the setting
 * unauthenticated_metrics_access is true.  An injecting route also copies its data keys to the top level of the
 * envelope, as Vault does for its older sys/ paths (sys/policy,
 * sys/capabilities*), whose clients read them from there.
 */
struct route {
	const char		*pattern;
	const char		*type;		/* a fixed "type" capture, if any */
	bool			 trailing_slash;
	bool			 sudo;
	bool			 unauth;
	bool			 inject;
	bool			 unauth_metrics; /* unauth if the setting says */
	bool			 raw_body;	/* the body is bytes, not fields */
	const char		*mount_type;
	const struct field	*fields;	/* ends with a NULL name */
	handler_fn		 handlers[OP_COUNT];
};

/* One request; owns all of its memory, freed by request_free. */
struct request {
	FCGX_Request		*fx;
	struct store		*store;
	const struct config	*cfg;
	enum op			 op;
	char			*path;		/* decoded, after "/v1/" */
	bool			 path_bad;	/* matches no route */
	bool			 no_body;	/* answer the status alone */
	int			(*read_body)(struct request *, struct buf *);
	json_t			*data;		/* query or body fields */
	bool			 from_query;
	char			*token;
	struct token_rec	 tok;		/* the caller, once authenticated */
	unsigned char		 tok_hash[TOKEN_HASH_LEN];
	bool			 tok_revoked;	/* its last use was spent */
	bool			 tok_borrowed;	/* tok is auth.c's cache's */
	bool			 use_spent;	/* a limited use was counted */
	bool			 is_root;
	unsigned		 caps;		/* CAP_* on the request path */
	const struct route	*route;
	char			*name;		/* the {name} capture */
	char			*type;		/* the {type} capture or fixed type */
	int			 field_status;	/* 0 or 400 from conversion */
	struct fieldval		 vals[MAX_FIELDS];
	struct buf		 ignored;	/* unknown field names */
	struct buf		 replaced;	/* fields the URL overrode */
	/* The answer, rebuilt on every attempt of the transaction. */
	int			 status;
	json_t			*out;		/* data of a 200 answer */
	json_t			*auth;		/* auth block of a 200 answer */
	json_t			*warnings;	/* the handler's, before ours */
	json_t			*raw;		/* a whole answer without envelope */
	struct buf		 rawdata;	/* data encoded by the handler */
	json_t			*audit_data;	/* the same as a tree, for the audit */
	const char		*ctype;		/* rawdata is the whole answer */
	int			 sent;		/* the status written */
	/* A large answer's next part, read in a transaction of its own. */
	int			(*more)(struct request *, struct txn *);
	char			*after;		/* where the next part starts */
	size_t			 listed;	/* items in the parts so far */
	size_t			 listed_done;	/* ... already written */
	size_t			 part;		/* items in this part */
	struct apierr		 err;
	char			 id[37];	/* request_id, and the audit's */
	bool			 audited;	/* the request entry is written */
	bool			 denied;	/* 403 from authorisation */
	/*
	 * Work after the transaction committed, outside it (a snapshot, a
	 * restore): returns 0 (answered as a 204, or already answered when
	 * it set answered) or an error status.
	 */
	int			(*finish)(struct request *);
	bool			 answered;
	bool			 raw_body;	/* route's raw_body */
	bool			 force;		/* snapshot-force */
	struct buf		 body;		/* a raw_body route's bytes */
	unsigned char		 salt[SALT_LEN];
	char			 cluster[CLUSTER_ID_LEN + 1];
};

/* supervisor.c */
int	 supervise(struct config *);
int	 supervisor_lock(const char *);

/* service.c: what a service manager and a web server see. */
int	 service_listen(const struct config *, bool *);
void	 service_notify(const char *, ...)
	    __attribute__((format(printf, 1, 2)));
void	 service_notify_init(void);
void	 service_pidfile(const struct config *);

/* repd.c: the replication process, and the state it publishes. */
void	 repd_run(const struct config *, struct slot *, struct shared *);
void	 ha_read(struct repl_view *, int64_t *);
int	 supervisor_initialise(struct store *);

/* forward.c: a standby's requests go to the active node. */
bool	 forward_request(struct request *);
const char *ha_master_api(struct store *, const char *);

/* worker.c */
void	 worker_run(const struct config *, int, bool, struct slot *,
	    struct shared *);
void	 worker_standby(const struct config *, int);
void	 housekeeper_run(const struct config *, struct shared *);
void	 worker_grace(int);

/* request.c */
void	 request_handle(FCGX_Request *, struct store *, const struct config *);
void	 request_unavailable(FCGX_Request *);
int	 request_parse(struct request *, const char *, const char *,
	    const char *);
void	 request_free(struct request *);
int	 respond_error(struct request *, int, const char *);
void	 write_error(struct request *, int, const char *);
const char *status_reason(int);
void	 respond_json(struct request *, int, const json_t *);
void	 set_data(struct request *, json_t *);
void	 set_auth(struct request *, json_t *);
void	 set_rawdata(struct request *);
void	 set_raw(struct request *, json_t *);
json_t	*strlist_json(char **, size_t);
void	 warn(struct request *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* route.c */
const struct route *route_find(const char *, char **, char **);
size_t	 route_number(const struct route *);
size_t	 route_patterns(const char **, size_t);

/* metrics.c */
int	 metrics_read(struct request *, struct txn *);
extern const struct field metrics_fields[];
bool	 route_raw_body(const char *);

/* snapshot.c: sys/storage/raft/snapshot and the offline commands. */
int	 snapshot_read(struct request *, struct txn *);
int	 snapshot_restore(struct request *, struct txn *);
int	 snapshot_restore_force(struct request *, struct txn *);
int	 snapshot_lock(const char *, bool);
int	 snapshot_swap(const char *);
int	 snapshot_backup_cmd(const struct config *, const char *);
int	 snapshot_restore_cmd(const struct config *, const char *, bool);

/* auth.c */
int	 auth_check(struct request *, struct txn *);
bool	 token_has_policy(const struct token_rec *, const char *);
int	 token_acl(struct txn *, const struct token_rec *, struct policy *);
int	 token_live(struct txn *, const struct token_rec *, int64_t *);
void	 request_token_free(struct request *);
int	 token_hash_of(struct txn *, const char *,
	    unsigned char[TOKEN_HASH_LEN]);

/* policies.c */
int	 policies_read(struct request *, struct txn *);
int	 policies_update(struct request *, struct txn *);
int	 policies_delete(struct request *, struct txn *);
int	 policies_list(struct request *, struct txn *);
int	 policies_init_default(struct txn *);
extern const struct field policy_fields[];
extern const struct field legacy_policy_fields[];

/* tokens.c */
int	 tokens_create(struct request *, struct txn *);
int	 tokens_lookup_self(struct request *, struct txn *);
int	 tokens_lookup(struct request *, struct txn *);
int	 tokens_revoke_self(struct request *, struct txn *);
int	 tokens_revoke(struct request *, struct txn *);
int	 tokens_renew_self(struct request *, struct txn *);
int	 tokens_create_orphan(struct request *, struct txn *);
int	 tokens_lookup_accessor(struct request *, struct txn *);
int	 tokens_renew_accessor(struct request *, struct txn *);
int	 tokens_revoke_accessor(struct request *, struct txn *);
int	 tokens_list_accessors(struct request *, struct txn *);
int	 tokens_revoke_orphan(struct request *, struct txn *);
int	 tokens_create_root(struct txn *, const char *);
extern const struct field token_create_fields[];
extern const struct field token_field[];
extern const struct field token_renew_fields[];
extern const struct field accessor_fields[];
extern const struct field accessor_renew_fields[];

/* capabilities.c */
int	 token_lookup_live(struct txn *, const char *, struct token_rec *);
int	 capabilities_self(struct request *, struct txn *);
int	 capabilities_token(struct request *, struct txn *);
int	 capabilities_accessor(struct request *, struct txn *);
extern const struct field capabilities_fields[];
extern const struct field capabilities_accessor_fields[];

/* runtimes.c */
int	 runtimes_read(struct request *, struct txn *);
int	 runtimes_update(struct request *, struct txn *);
int	 runtimes_delete(struct request *, struct txn *);
int	 runtimes_list(struct request *, struct txn *);
extern const struct field runtime_fields[];
extern const struct field runtime_list_fields[];
extern const struct field no_fields[];

/* plugins.c */
int	 plugins_read(struct request *, struct txn *);
int	 plugins_update(struct request *, struct txn *);
int	 plugins_delete(struct request *, struct txn *);
int	 plugins_list_type(struct request *, struct txn *);
int	 plugins_list_all(struct request *, struct txn *);
extern const struct field plugin_fields[];
extern const struct field plugin_list_fields[];

/* audit.c */
int	 audit_sync(struct txn *);
bool	 audit_enabled(void);
void	 audit_reopen(void);
bool	 audit_log(const struct audit_in *);
void	 audit_forget(void);
bool	 audit_request(const struct request *, bool);
bool	 audit_response(const struct request *, int, const char *);
int	 audit_enable(struct request *, struct txn *);
int	 audit_disable(struct request *, struct txn *);
int	 audit_table(struct request *, struct txn *);
int	 audit_hash(struct request *, struct txn *);
int	 audit_declare(struct txn *, const char *);
extern const struct field audit_enable_fields[];
extern const struct field audit_hash_fields[];

/* sys.c */
/*
 * What sys/leader reports: a single node fills it with ha_state_get; a
 * replicated group says whether HA is on, whether this node is the active
 * one (and since when) and where the active node is.  Strings borrowed.
 */
struct ha_state {
	bool		 enabled;
	bool		 is_self;
	int64_t		 active_since;	/* unix seconds; 0: not active */
	const char	*leader_address;
	const char	*leader_cluster_address;
};
void	 health_respond(struct request *);
int	 cluster_identity(struct txn *, char[CLUSTER_ID_LEN + 1]);
int	 sys_seal_status(struct request *, struct txn *);
int	 sys_init_read(struct request *, struct txn *);
int	 sys_init_update(struct request *, struct txn *);
int	 sys_leader(struct request *, struct txn *);
void	 leader_respond(struct request *);
int	 sys_ha_status(struct request *, struct txn *);
void	 ha_state_get(struct ha_state *);
json_t	*leader_answer(const struct ha_state *);	/* new */
extern const struct field init_fields[];

#endif
