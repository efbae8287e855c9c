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
#define MAX_FIELDS	8

struct config {
	const char	*data;		/* CATALOGD_DATA */
	char		*dbhome;	/* <data>/db */
	char		*sockpath;	/* <data>/catalogd.sock */
	int		 workers;	/* CATALOGD_WORKERS */
	size_t		 body_limit;	/* CATALOGD_BODY_LIMIT, bytes */
	long		 max_requests;	/* CATALOGD_MAX_REQUESTS per worker */
};

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
 * operation (NULL: 405).
 */
struct route {
	const char		*pattern;
	bool			 trailing_slash;
	bool			 sudo;
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
	json_t			*data;		/* query or body fields */
	bool			 from_query;
	char			*token;
	const struct route	*route;
	char			*name;		/* the {name} capture */
	int			 field_status;	/* 0 or 400 from conversion */
	struct fieldval		 vals[MAX_FIELDS];
	struct buf		 ignored;	/* unknown field names */
	struct buf		 replaced;	/* fields the URL overrode */
	/* The answer, rebuilt on every attempt of the transaction. */
	int			 status;
	json_t			*out;		/* data of a 200 answer */
	struct apierr		 err;
};

/* worker.c */
void	 worker_run(const struct config *, int);

/* request.c */
void	 request_handle(FCGX_Request *, struct store *, const struct config *);
int	 respond_error(struct request *, int, const char *);
void	 respond_json(struct request *, int, const json_t *);
void	 set_data(struct request *, json_t *);

/* route.c */
const struct route *route_find(const char *, char **);

/* auth.c */
int	 auth_check(struct request *, struct txn *);

/* runtimes.c */
int	 runtimes_read(struct request *, struct txn *);
int	 runtimes_update(struct request *, struct txn *);
int	 runtimes_delete(struct request *, struct txn *);
int	 runtimes_list(struct request *, struct txn *);
extern const struct field runtime_fields[];
extern const struct field runtime_list_fields[];

/* sys.c */
void	 health_respond(struct request *);

#endif
