/*
 * db.h: the storage layer, the only code that includes <db.h>.  Callers see
 * an opaque store (one Berkeley DB environment and its databases) and an
 * opaque transaction.  Table functions return 0 on success, 1 when the key
 * is absent and -1 when a Berkeley DB call failed; the failure is recorded in
 * the transaction, and txn_run maps it to one HTTP status.
 */
#ifndef CATALOGD_DB_H
#define CATALOGD_DB_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/lib.h"

struct store;
struct txn;

/* store.c */
#define STORE_RECOVER	0x1	/* supervisor: create the environment, recover */
#define STORE_LISTENER	0x2	/* replication process: the environment alone */
struct store	*store_open(const char *, int);	/* new; NULL after a log line */
void		 store_close(struct store *);
bool		 store_panicked(void);
void		 store_share_auth_changes(struct store *, uint64_t *);
uint64_t	 store_auth_changes(const struct store *);
const char	*store_refusal(void);
int		 store_checkpoint(struct store *, bool);
void		 store_version_check(void);

/*
 * repl.c: a replicated group (Berkeley DB's Replication Manager).  A node
 * is host:port; REPL_ADDR_LEN holds one with its terminating NUL.
 */
#define REPL_ADDR_LEN	272
#define REPL_MAX_SITES	9
enum repl_role { REPL_NONE, REPL_MASTER, REPL_CLIENT };
struct repl_conf {
	const char	 *host;		/* this node's replication address */
	unsigned	  port;
	const char	**peer_host;	/* the other members' */
	unsigned	 *peer_port;
	size_t		  npeers;
	bool		  bootstrap;	/* create the group (first start only) */
};
struct repl_view {
	int		 role;		/* enum repl_role */
	bool		 startup_done;	/* a client that caught up */
	char		 master[REPL_ADDR_LEN];	/* the active node, or "" */
	int		 members;	/* changes of membership seen (events) */
	int		 nsites;	/* the other sites Berkeley DB knows */
	struct {
		char	 addr[REPL_ADDR_LEN];
		bool	 connected;
	}		 sites[REPL_MAX_SITES];
};
void		 store_repl_setup(const struct repl_conf *);	/* borrowed */
bool		 store_replicated(void);
int		 store_repl_start(struct store *, void (*)(const void *, size_t));
int		 store_repl_view(struct store *, struct repl_view *);
bool		 store_repl_dupmaster(void);
int64_t		 store_repl_lost_at(void);
int		 store_repl_send(struct store *, const void *, size_t);
void		 store_repl_flush(struct store *);
bool		 store_dbs_ready(struct store *, bool);
bool		 store_has_data(struct store *);
void		 store_dbs_close(struct store *);
bool		 store_handles_dead(void);

/* backup.c: hot backups and the recovery of their copies. */
int		 store_backup(struct store *, const char *);
int		 store_copy_recover(const char *, bool);
int		 store_copy_verify(const char *);
int		 store_replace(struct store *, const char *);

/* fault.c: test-only fault hooks; nothing at all in a production build. */
#ifdef CATALOGD_TEST_FAULTS
void		 fault_init(const char *);
void		 fault_stuck(const char *, const char *);
#else
#define fault_init(dir)		((void)0)
#define fault_stuck(name, oci)	((void)0)
/* audit.c: audit devices by path ("file/"), each with its own salt. */
int	audit_get(struct txn *, const char *, struct audit_rec *);
int	audit_put(struct txn *, const struct audit_rec *);
int	audit_delete(struct txn *, const char *);
int	audit_list(struct txn *, struct audit_rec **, size_t *);

#endif

/* stats.c: what a metrics scrape reads from the environment. */
int		 store_metrics(struct txn *, struct metrics_now *);

/* txn.c: every transaction goes through txn_run. */
typedef int	(*txn_fn)(struct txn *, void *);
int		 txn_run(struct store *, txn_fn, void *);
int		 txn_fail(struct txn *, int, const char *);

/* runtimes.c: the runtime catalog, keyed by type and name. */
int	runtime_get(struct txn *, const char *, struct runtime *);
int	runtime_put(struct txn *, const struct runtime *);
int	runtime_delete(struct txn *, const char *);
int	runtime_list(struct txn *, int (*)(const struct runtime *, void *),
	    void *);
int	runtime_list_after(struct txn *, const char *,
	    int (*)(const struct runtime *, void *), void *);

/* tokens.c: tokens by salted hash, and the installation salt. */
int	salt_get(struct txn *, unsigned char[SALT_LEN]);
int	salt_put(struct txn *, const unsigned char[SALT_LEN]);
int	token_get(struct txn *, const unsigned char[TOKEN_HASH_LEN],
	    struct token_rec *);
int	token_put(struct txn *, const unsigned char[TOKEN_HASH_LEN],
	    const struct token_rec *);
int	token_revoke(struct txn *, const unsigned char[TOKEN_HASH_LEN]);
int	token_orphan_revoke(struct txn *, const unsigned char[TOKEN_HASH_LEN]);
int	token_by_accessor(struct txn *, const char *,
	    unsigned char[TOKEN_HASH_LEN], struct token_rec *);
int	tokens_each(struct txn *,
	    int (*)(const unsigned char *, const struct token_rec *, void *),
	    void *);
int	tokens_purge(struct txn *, int64_t, size_t *);

/* cluster.c: the installation's cluster id, a UUID (36 characters). */
#define CLUSTER_ID_LEN	36
int	cluster_id_get(struct txn *, char[CLUSTER_ID_LEN + 1]);
int	cluster_id_put(struct txn *, const char *);

/*
 * The nodes of a replicated group as each one announced itself: by
 * replication address, its api_addr, host name and version (new strings).
 */
struct node_rec {
	char	*api_addr;
	char	*hostname;
	char	*version;
};
int	node_get(struct txn *, const char *, struct node_rec *);
int	node_put(struct txn *, const char *, const struct node_rec *);
void	node_rec_free(struct node_rec *);

/* plugins.c: the plugin catalog and its runtime references. */
int	plugin_get(struct txn *, const char *, const char *, const char *,
	    struct plugin *);
int	plugin_put(struct txn *, const struct plugin *);
int	plugin_delete(struct txn *, const char *, const char *, const char *);
int	plugin_list(struct txn *, int (*)(const struct plugin *, void *),
	    void *);
int	runtime_users(struct txn *, const char *, char ***, size_t *);

/* policies.c: ACL policies by name. */
int	policy_get(struct txn *, const char *, struct policy_rec *);
int	policy_put(struct txn *, const struct policy_rec *);
int	policy_delete(struct txn *, const char *);
int	policy_names(struct txn *, char ***, size_t *);

/* audit.c: audit devices by path ("file/"), each with its own salt. */
int	audit_get(struct txn *, const char *, struct audit_rec *);
int	audit_put(struct txn *, const struct audit_rec *);
int	audit_delete(struct txn *, const char *);
int	audit_list(struct txn *, struct audit_rec **, size_t *);

#endif
