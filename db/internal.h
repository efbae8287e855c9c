/*
 * internal.h: what the files of db/ share and nobody else sees.
 */
#ifndef CATALOGD_DB_INTERNAL_H
#define CATALOGD_DB_INTERNAL_H

#include <db.h>

#include "db/db.h"

struct store {
	DB_ENV	*env;
	DB	*runtimes;
	DB	*tokens;
	DB	*accessors;	/* accessor -> token hash (secondary of tokens) */
	DB	*children;	/* parent token hash -> child hashes (dups) */
	DB	*policies;
	DB	*plugins;
	DB	*runtime_refs;	/* runtime name -> plugin keys (dups) */
	DB	*meta;
	DB	*audit;		/* audit devices by path */
	uint64_t *auth_changes;	/* shared by every process, or NULL */
	bool	 dbs_open;	/* the handles above are open */
	bool	 create;	/* open_dbs may create them */
};

struct txn {
	struct store	*store;
	DB_TXN		*tid;
	int		 err;	/* the Berkeley DB error that ended the attempt */
	bool		 auth_changed;	/* wrote a token or a policy */
	bool		 wrote;		/* wrote anything */
};

/* records.c: get/put/delete of values inside a transaction. */
typedef int	(*rec_decode_fn)(const void *, size_t, void *);
typedef void	(*rec_encode_fn)(const void *, struct buf *);
typedef int	(*rec_scan_fn)(const void *, size_t, const void *, size_t,
		    void *);
int	rec_get(struct txn *, DB *, const void *, size_t, void **, size_t *);
int	rec_get_as(struct txn *, DB *, const void *, size_t, rec_decode_fn,
	    void *, const char *);
int	rec_put(struct txn *, DB *, const void *, size_t, const void *, size_t);
int	rec_put_as(struct txn *, DB *, const void *, size_t, rec_encode_fn,
	    const void *);
int	rec_del(struct txn *, DB *, const void *, size_t);
int	rec_scan(struct txn *, DB *, rec_scan_fn, void *, const char *);
int	rec_scan_from(struct txn *, DB *, const void *, size_t, rec_scan_fn,
	    void *, const char *);

/* store.c: every database, for code that treats them all alike. */
#define STORE_NDBS	9
struct store_db {
	const char	*file;
	size_t		 handle;	/* offset of its DB * in struct store */
	u_int32_t	 flags;
};
extern const struct store_db store_dbs[STORE_NDBS];
DB	**store_db(struct store *, size_t);

/* repl.c */
extern bool	 nodelay_enabled;	/* nodelay.c */
void	repl_event(u_int32_t, void *);
void	repl_perm_reset(void);
bool	repl_perm_failed(void);
int	repl_configure(DB_ENV *, bool);
int	repl_join(DB_ENV *);
int	repl_nowait(DB_ENV *);
int	open_dbs(struct store *, int);

/* tokens.c: the accessor index's key, for DB->associate. */
int	token_accessor_key(DB *, const DBT *, const DBT *, DBT *);

#endif
