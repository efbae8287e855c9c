/*
 * request.c: one HTTP request from CGI variables to the answer.  The checks
 * Vault makes before authentication come first (method, ?list=, a write to
 * a path ending in '/', body size and syntax); then one transaction runs
 * authentication, routing, field validation and the handler.  The answer is
 * written only after the transaction ended, so a 204 always follows a
 * commit that returned 0.  struct request owns every allocation and is
 * cleared after each request, so nothing leaks into the next one.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fcgi/fcgi.h"

#define MULTIERR(s)	"1 error occurred:\n\t* " s "\n\n"

const char *
status_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 204: return "No Content";
	case 307: return "Temporary Redirect";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Payload Too Large";
	case 412: return "Precondition Failed";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 473: return "Performance Standby";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

/*
 * Writes the status, the fixed headers and the body; nothing else.  Every
 * answer passes here, so this is where its status is noted for metrics.
 */
static void
respond_typed(struct request *req, int status, const char *ctype,
    const char *body, size_t len)
{
	char	 head[256];
	int	 n;

	req->sent = status;
	n = snprintf(head, sizeof head, "Status: %d %s\r\n"
	    "Content-Type: %s\r\n"
	    "Cache-Control: no-store\r\n\r\n", status, status_reason(status), ctype);
	FCGX_PutStr(head, n, req->fx->out);
	if (len > 0)
		FCGX_PutStr(body, (int)len, req->fx->out);
}

static void
respond_raw(struct request *req, int status, const char *body, size_t len)
{
	respond_typed(req, status, "application/json", body, len);
}

/* Writes a JSON answer (value borrowed) with Go's trailing newline. */
void
respond_json(struct request *req, int status, const json_t *j)
{
	char	*body;
	size_t	 len;

	body = json_encode_go(j, &len);
	body = xrealloc(body, len + 2);
	body[len++] = '\n';
	respond_raw(req, status, body, len);
	free(body);
}

/* Writes {"errors":[text]} (or [] for an empty text) with the status. */
void
write_error(struct request *req, int status, const char *text)
{
	json_t	*errs = json_array(), *top = json_object();

	if (text != NULL && *text != '\0')
		json_array_append_new(errs, json_string(text));
	json_object_set_new(top, "errors", errs);
	respond_json(req, status, top);
	json_decref(top);
}

/* Sets the answer to an error with the given text; returns the status. */
int
respond_error(struct request *req, int status, const char *text)
{
	apierr_set(&req->err, status, "%s", text);
	return status;
}

/* Whether every object inside j already has its keys in sorted order. */
static bool
is_sorted(const json_t *j)
{
	const char	*k, *prev = NULL;
	json_t		*v;
	size_t		 i;

	if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			if (!is_sorted(v))
				return false;
		return true;
	}
	if (!json_is_object(j))
		return true;
	json_object_foreach((json_t *)j, k, v) {
		if ((prev != NULL && strcmp(prev, k) > 0) || !is_sorted(v))
			return false;
		prev = k;
	}
	return true;
}

/* Rebuilds an object with its keys in sorted order, recursively. */
static json_t *
sorted(json_t *j)
{
	const char	**keys;
	json_t		 *v, *out;
	size_t		  i, n;

	if (is_sorted(j))	/* most handlers build their data in order */
		return json_incref(j);
	if (json_is_array(j)) {
		out = json_array();
		json_array_foreach(j, i, v)
			json_array_append_new(out, sorted(v));
		return out;
	}
	if (!json_is_object(j))
		return json_incref(j);
	keys = json_sorted_keys(j, &n);
	out = json_object();
	for (i = 0; i < n; i++)
		json_object_set_new(out, keys[i],
		    sorted(json_object_get(j, keys[i])));
	free(keys);
	return out;
}

/* A new JSON array of the strings. */
json_t *
strlist_json(char **list, size_t n)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(list[i]));
	return a;
}

/* Adds a warning of the handler's to a 200 answer. */
void
warn(struct request *req, const char *fmt, ...)
{
	va_list	 ap;
	char	*w;

	va_start(ap, fmt);
	if (vasprintf(&w, fmt, ap) == -1)
		fatal("out of memory");
	va_end(ap);
	if (req->warnings == NULL)
		req->warnings = json_array();
	json_array_append_new(req->warnings, json_string(w));
	free(w);
}

/* Makes a 200 answer with an auth block (stolen), Vault's key order. */
void
set_auth(struct request *req, json_t *auth)
{
	json_decref(req->auth);
	req->auth = auth;
	req->status = 200;
}

/*
 * Makes a 200 answer whose data the handler encoded itself into
 * req->rawdata (already in Go's encoding); for answers too large to build
 * as a tree.
 */
void
set_rawdata(struct request *req)
{
	json_decref(req->out);
	req->out = NULL;
	req->status = 200;
}

/*
 * Makes a 200 answer that is the JSON value itself (stolen), without the
 * envelope: Vault's raw sys/ handlers encode a Go struct, so the keys stay
 * in the order the handler built them.
 */
void
set_raw(struct request *req, json_t *j)
{
	json_decref(req->raw);
	req->raw = j;
	req->status = 200;
}

/* Makes a 200 answer with data (stolen); keys are sorted as Go sorts maps. */
void
set_data(struct request *req, json_t *data)
{
	json_decref(req->out);
	req->out = sorted(data);
	json_decref(data);
	req->status = 200;
}

static void
add_warning(json_t *warnings, const char *what, const struct buf *names)
{
	char	*w;

	if (names->len == 0)
		return;
	w = xasprintf("%s: [%s]", what, names->data);
	json_array_append_new(warnings, json_string(w));
	free(w);
}

static int
more_txn(struct txn *t, void *arg)
{
	struct request	*req = arg;

	return req->more(req, t);
}

/*
 * Writes an answer whose data the handler encoded itself (req->rawdata,
 * and the parts req->more reads after it) between the envelope's HEAD
 * (up to "data":) and TAIL, so that a large list is never copied into one
 * string.
 */
static void
write_spliced(struct request *req, const char *head, size_t hlen,
    const char *tail, size_t tlen)
{
	respond_raw(req, 200, NULL, 0);		/* the headers */
	FCGX_PutStr(head, (int)hlen, req->fx->out);
	FCGX_PutStr(req->rawdata.data, (int)req->rawdata.len, req->fx->out);
	while (req->more != NULL) {
		req->listed_done = req->listed;
		if (txn_run(req->store, more_txn, req) != 0) {
			/* The status is sent: all that is left is to stop. */
			log_err("reading the next part of a list failed; the "
			    "answer is cut short");
			return;
		}
		FCGX_PutStr(req->rawdata.data, (int)req->rawdata.len,
		    req->fx->out);
	}
	FCGX_PutStr(tail, (int)tlen, req->fx->out);
	FCGX_PutStr("\n", 1, req->fx->out);
}

/*
 * The same with the envelope encoded as a tree with "data":null, split
 * there: the fields before data are fixed in form, so the first
 * ,"data":null, is the data member.
 */
static void
write_spliced_tree(struct request *req, const json_t *env)
{
	static const char mark[] = ",\"data\":null,";
	char		*text, *at;
	size_t		 len, hlen;

	text = json_encode_go(env, &len);
	if ((at = strstr(text, mark)) == NULL)
		abort();
	hlen = (size_t)(at - text) + 8;		/* up to ,"data": */
	write_spliced(req, text, hlen, text + hlen + 4, len - hlen - 4);
	free(text);
}

/*
 * Vault's HTTPSysInjector: the data members, each encoded on its own, then
 * the envelope's members, in one object.  Vault writes the data members in
 * Go's random map order; here they come sorted, as in the data object.
 * Nothing is merged, so a data key such as "data" appears twice, as it
 * does in Vault's answer.
 */
static void
write_injected(struct request *req, const json_t *env)
{
	char	*data, *rest;
	size_t	 dlen, rlen;
	struct buf b;

	data = json_encode_go(req->out, &dlen);
	rest = json_encode_go(env, &rlen);
	buf_init(&b);
	buf_add(&b, data, dlen - 1);		/* without the closing '}' */
	buf_addc(&b, ',');
	buf_add(&b, rest + 1, rlen - 1);	/* without the opening '{' */
	buf_addc(&b, '\n');
	respond_raw(req, 200, b.data, b.len);
	buf_free(&b);
	free(data);
	free(rest);
}

static void
write_envelope(struct request *req)
{
	json_t	*env, *warnings;
	char	 id[37], head[160], tail[160];
	int	 hlen, tlen;

	/*
	 * The common answer, a read: the handler's data alone, written into
	 * the envelope's fixed text (building and encoding the envelope as
	 * a tree was a sixth of a read).
	 */
	if (req->rawdata.len > 0 && req->auth == NULL &&
	    req->warnings == NULL && req->ignored.len == 0 &&
	    req->replaced.len == 0) {
		hlen = snprintf(head, sizeof head, "{\"request_id\":\"%s\","
		    "\"lease_id\":\"\",\"renewable\":false,"
		    "\"lease_duration\":0,\"data\":", req->id);
		tlen = snprintf(tail, sizeof tail, ",\"wrap_info\":null,"
		    "\"warnings\":null,\"auth\":null,\"mount_type\":\"%s\"}",
		    req->route ? req->route->mount_type : "system");
		if (hlen > 0 && tlen > 0 && (size_t)hlen < sizeof head &&
		    (size_t)tlen < sizeof tail) {
			write_spliced(req, head, (size_t)hlen, tail,
			    (size_t)tlen);
			return;
		}
	}
	env = json_object();
	warnings = json_array();
	if (req->warnings != NULL)
		json_array_extend(warnings, req->warnings);
	memcpy(id, req->id, sizeof id);
	add_warning(warnings, "Endpoint ignored these unrecognized parameters",
	    &req->ignored);
	add_warning(warnings, "Endpoint replaced the value of these parameters "
	    "with the values captured from the endpoint's path", &req->replaced);
	json_object_set_new(env, "request_id", json_string(id));
	json_object_set_new(env, "lease_id", json_string(""));
	json_object_set_new(env, "renewable", json_false());
	json_object_set_new(env, "lease_duration", json_integer(0));
	json_object_set_new(env, "data", req->out ? json_incref(req->out) :
	    json_null());
	json_object_set_new(env, "wrap_info", json_null());
	json_object_set_new(env, "warnings", json_array_size(warnings) ?
	    json_incref(warnings) : json_null());
	json_object_set_new(env, "auth", req->auth ? json_incref(req->auth) :
	    json_null());
	json_object_set_new(env, "mount_type",
	    json_string(req->route ? req->route->mount_type : "system"));
	json_decref(warnings);
	if (req->route != NULL && req->route->inject && req->out != NULL &&
	    json_object_size(req->out) > 0) {
		write_injected(req, env);
		json_decref(env);
		return;
	}
	if (req->rawdata.len == 0) {
		respond_json(req, 200, env);
		json_decref(env);
		return;
	}
	write_spliced_tree(req, env);
	json_decref(env);
}

/* Reads the body: at most limit+1 bytes, never sized by CONTENT_LENGTH. */
static int
read_body(struct request *req, struct buf *body)
{
	const char	*cl = FCGX_GetParam("CONTENT_LENGTH", req->fx->envp);
	size_t		 limit = req->cfg->body_limit, want = 0;
	char		 chunk[8192], big[160];
	int		 n;
	bool		 have_cl = cl != NULL && *cl != '\0';

	/* A snapshot says which setting admits it. */
	snprintf(big, sizeof big, req->raw_body ? "snapshot larger than "
	    "body_limit (%zu bytes): raise body_limit in catalogd.conf "
	    "(CATALOGD_BODY_LIMIT)" : "request body too large", limit);

	if (have_cl) {
		char *end;
		unsigned long long v = strtoull(cl, &end, 10);

		if (*end != '\0' || *cl == '-')
			return respond_error(req, 400, "error reading request body");
		if (v > limit)
			return respond_error(req, 413, big);
		want = (size_t)v;
	}
	while (body->len <= limit) {
		size_t room = limit + 1 - body->len;

		n = FCGX_GetStr(chunk, (int)(room < sizeof chunk ? room :
		    sizeof chunk), req->fx->in);
		if (n <= 0)
			break;
		buf_add(body, chunk, (size_t)n);
	}
	if (body->len > limit)
		return respond_error(req, 413, big);
	if (have_cl && body->len != want)
		return respond_error(req, 400, "error reading request body");
	return 0;
}

static bool
is_form(const char *ct, const struct buf *body)
{
	const char	*err;
	char		*type;
	size_t		 i;
	bool		 form;

	if (ct == NULL || go_media_type(ct, &type, &err) == -1)
		return false;
	form = strcmp(type, "application/x-www-form-urlencoded") == 0;
	free(type);
	if (!form)
		return false;
	for (i = 0; i < body->len && i < 512; i++) {
		char c = body->data[i];

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		return c != '{' && c != '[';
	}
	return true;
}

static int
parse_body(struct request *req, const char *ct)
{
	struct buf	 body;
	int		 rc;

	if (!req->path_bad && route_raw_body(req->path)) {
		/* A snapshot: the bytes themselves, kept for the handler. */
		req->raw_body = true;
		req->data = json_object();
		return req->read_body(req, &req->body);
	}
	buf_init(&body);
	if ((rc = req->read_body(req, &body)) == 0) {
		if (is_form(ct, &body)) {
			if (form_parse(body.data, body.len, FORM_JOIN,
			    &req->data) == -1)
				rc = respond_error(req, 400,
				    "error parsing form data");
		} else if (json_parse_object(body.data, body.len,
		    &req->data) == -1)
			rc = respond_error(req, 400, "error parsing JSON");
	}
	buf_free(&body);
	return rc;
}

/* GET: ?list= turns a read into a list (Vault's first-value rule). */
static int
parse_query(struct request *req, const char *q)
{
	json_t	*v;
	bool	 list;

	form_parse(q ? q : "", q ? strlen(q) : 0, FORM_LIST | FORM_LENIENT,
	    &req->data);
	req->from_query = true;
	json_object_del(req->data, "help");
	if (req->op != OP_READ || (v = json_object_get(req->data, "list")) ==
	    NULL)
		return 0;
	if (json_is_array(v))
		v = json_array_get(v, 0);
	if (*json_string_value(v) == '\0')
		return 0;
	if (go_parse_bool(json_string_value(v), &list) == -1)
		return respond_error(req, 400, "");
	if (list) {
		json_object_del(req->data, "list");
		req->op = OP_LIST;
	}
	return 0;
}

/*
 * The token: X-Vault-Token, else the first Authorization value that starts
 * with "Bearer ".  lighttpd joins repeated headers with ", ", which no
 * token contains, so splitting there recovers the first value of each.
 */
static char *
token_from(struct request *req)
{
	const char	*t = FCGX_GetParam("HTTP_X_VAULT_TOKEN", req->fx->envp);
	const char	*a, *end;
	size_t		 n;

	if (t != NULL && *t != '\0') {
		end = strstr(t, ", ");
		return end ? xstrndup(t, (size_t)(end - t)) : xstrdup(t);
	}
	a = FCGX_GetParam("HTTP_AUTHORIZATION", req->fx->envp);
	for (; a != NULL && *a != '\0'; a = *end ? end + 2 : end) {
		if ((end = strstr(a, ", ")) == NULL)
			end = a + strlen(a);
		if (end - a < 7 || strncmp(a, "Bearer ", 7) != 0)
			continue;
		for (a += 7; a < end && (*a == ' ' || *a == '\t'); a++)
			;
		for (n = (size_t)(end - a); n > 0 && (a[n - 1] == ' ' ||
		    a[n - 1] == '\t'); n--)
			;
		return xstrndup(a, n);
	}
	return xstrdup("");
}

/* Resolves the route and converts its fields; errors wait for auth. */
static void
prepare_route(struct request *req)
{
	const struct field	*f;
	const char		*caps[][2] = { { "name", NULL }, { "type", NULL } };
	size_t			 n = 0, i;
	json_t			*old;

	if (req->path_bad || (req->route = route_find(req->path,
	    &req->name, &req->type)) == NULL)
		return;
	/* URL captures overwrite body fields of the same name. */
	caps[0][1] = req->name;
	caps[1][1] = req->type;
	for (i = 0; i < 2; i++) {
		if (caps[i][1] == NULL)
			continue;
		old = json_object_get(req->data, caps[i][0]);
		if (old != NULL && !json_is_null(old)) {
			if (req->replaced.len > 0)
				buf_addc(&req->replaced, ' ');
			buf_adds(&req->replaced, caps[i][0]);
		}
		json_object_set_new(req->data, caps[i][0],
		    json_string(caps[i][1]));
	}
	for (f = req->route->fields; f->name != NULL; f++)
		n++;
	if (n > MAX_FIELDS)	/* a route table error, not a request's */
		abort();
	req->field_status = fields_convert(req->route->fields, n, req->data,
	    req->from_query, req->vals, &req->ignored, &req->err);
}

/*
 * A PATCH needs the media type application/merge-patch+json (Go's
 * mime.ParseMediaType decides: 400 with its error, else 415).
 */
static int
patch_content_type(struct request *req, const char *ct)
{
	const char	*err;
	char		*type, *m;
	int		 rc = 0;

	if (go_media_type(ct ? ct : "", &type, &err) == -1)
		return respond_error(req, 400, err);
	if (strcmp(type, "application/merge-patch+json") != 0) {
		m = xasprintf("PATCH requires Content-Type of "
		    "application/merge-patch+json, provided %s", type);
		rc = respond_error(req, 415, m);
		free(m);
	}
	free(type);
	return rc;
}

/*
 * The checks Vault makes before it looks at the token, on the request's
 * method, raw URI and Content-Type; the body comes from req->read_body
 * (only for a write).  Resolves the route and converts its fields.
 * Returns 0 or an error status.  No FastCGI here: the fuzzing harness
 * calls it as the worker does.
 */
int
request_parse(struct request *req, const char *method, const char *uri,
    const char *ct)
{
	const char	*q;
	size_t		 plen;
	int		 rc;

	if (method == NULL || uri == NULL)
		return respond_error(req, 400, "malformed request");
	q = strchr(uri, '?');
	plen = q ? (size_t)(q - uri) : strlen(uri);
	if (plen < 4 || strncmp(uri, "/v1/", 4) != 0)
		return respond_error(req, 404, MULTIERR("unsupported path"));
	rc = path_decode(uri + 4, plen - 4, &req->path);
	if (rc == -1)
		return respond_error(req, 400, "invalid request path");
	/* Vault's outermost handler: 400 and no body at all. */
	if (!go_printable(req->path)) {
		req->no_body = true;
		return 400;
	}
	req->path_bad = rc == 1;
	if (q != NULL)
		q++;

	if (strcmp(method, "GET") == 0 || (strcmp(method, "HEAD") == 0 &&
	    strcmp(req->path, "sys/health") == 0))
		req->op = OP_READ;
	else if (strcmp(method, "LIST") == 0)
		req->op = OP_LIST;
	else if (strcmp(method, "DELETE") == 0)
		req->op = OP_DELETE;
	else if (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0)
		req->op = OP_UPDATE;
	else if (strcmp(method, "PATCH") == 0) {
		if ((rc = patch_content_type(req, ct)) != 0)
			return rc;
		req->op = OP_PATCH;
	} else
		return respond_error(req, 405, "");

	if (req->op == OP_UPDATE || req->op == OP_PATCH) {
		plen = strlen(req->path);
		if (plen > 0 && req->path[plen - 1] == '/')
			return respond_error(req, 400,
			    "cannot write to a path ending in '/'");
		if (req->op == OP_PATCH)
			req->data = json_object();
		else if ((rc = parse_body(req, ct)) != 0)
			return rc;
	} else if ((rc = parse_query(req, q)) != 0)
		return rc;

	if (req->op == OP_LIST) {
		plen = strlen(req->path);
		if (plen == 0 || req->path[plen - 1] != '/') {
			char *p = xasprintf("%s/", req->path);

			free(req->path);
			req->path = p;
		}
	}
	prepare_route(req);
	return 0;
}

static int
pre_auth(struct request *req)
{
	int	 rc;

	req->read_body = read_body;
	rc = request_parse(req, FCGX_GetParam("REQUEST_METHOD", req->fx->envp),
	    FCGX_GetParam("REQUEST_URI", req->fx->envp),
	    FCGX_GetParam("CONTENT_TYPE", req->fx->envp));
	if (rc == 0)
		req->token = token_from(req);
	return rc;
}

/* The transaction: authenticate, then route, validate and handle. */
static int
request_txn(struct txn *t, void *arg)
{
	struct request	*req = arg;
	handler_fn	 h;
	int		 rc;

	json_decref(req->out);
	json_decref(req->auth);
	json_decref(req->warnings);
	json_decref(req->raw);
	req->out = req->auth = req->warnings = req->raw = NULL;
	req->rawdata.len = 0;
	req->ctype = NULL;
	req->status = 0;
	req->use_spent = false;
	/*
	 * Vault's raw sys/ handlers look at no token and are not audited;
	 * nor is sys/metrics when unauthenticated_metrics_access is set.
	 */
	if (req->route != NULL && (req->route->unauth ||
	    (req->route->unauth_metrics && req->cfg->unauth_metrics)))
		rc = req->route->handlers[req->op] == NULL ?
		    respond_error(req, 405, "") : 0;
	else if ((rc = auth_check(req, t)) == -1)
		return -1;
	/*
	 * The request entry, once per request (not per retry), before
	 * anything runs.  Fail closed: no device wrote it, nothing happens
	 * (not even a spent use); a denied request is answered all the same.
	 */
	else if (!req->audited) {
		if (audit_sync(t) == -1)
			return -1;
		req->denied = rc == 403;
		if (!audit_request(req, req->denied) && !req->denied) {
			log_err("no audit device wrote the request entry; "
			    "refusing the request");
			return 500;
		}
		req->audited = true;
	} else
		audit_forget();		/* a retry: the token was read again */
	if (rc == 0) {
		if (req->route == NULL)
			rc = respond_error(req, 404, MULTIERR("unsupported path"));
		else if ((h = req->route->handlers[req->op]) == NULL)
			rc = respond_error(req, 405,
			    MULTIERR("unsupported operation"));
		else if (req->field_status != 0)
			rc = req->field_status;
		else
			rc = h(req, t);
	}
	/*
	 * A token with a use limit spends a use on every request it
	 * authenticates, refused or not (as in Vault): commit the count and
	 * answer with the error.  Handlers decide errors before they write.
	 */
	if (rc > 0 && req->use_spent) {
		req->status = rc;
		return 0;
	}
	return rc;
}

void
request_free(struct request *req)
{
	fields_free(req->vals, MAX_FIELDS);
	json_decref(req->data);
	json_decref(req->out);
	json_decref(req->auth);
	json_decref(req->warnings);
	json_decref(req->raw);
	request_token_free(req);
	free(req->path);
	free(req->token);
	free(req->name);
	free(req->type);
	buf_free(&req->ignored);
	buf_free(&req->replaced);
	buf_free(&req->rawdata);
	json_decref(req->audit_data);
	buf_free(&req->body);
	free(req->after);
}

/*
 * The answer to a request that reached its transaction, after the response
 * entry: when devices are enabled and none wrote it, the operation ran but
 * the client gets Vault's 500 (a denied request has no response entry).
 */
static void
answer(struct request *req, int rc)
{
	const char	*busy = store_refusal() != NULL ? store_refusal() :
	    "server busy, retry";
	int		 status;

	status = rc == 0 ? (req->status != 0 ? req->status : 204) : rc;
	if (req->audited && !req->denied && !audit_response(req, status,
	    rc == 500 ? "internal error" : rc == 503 ? busy : req->err.text)) {
		log_err("no audit device wrote the response entry");
		if (!req->answered)
			write_error(req, 500, "internal error");
		return;
	}
	if (req->answered)
		return;
	if (rc == 0 && status == 200 && req->ctype != NULL)
		respond_typed(req, 200, req->ctype, req->rawdata.data,
		    req->rawdata.len);
	else if (rc == 0 && status == 200 && req->raw != NULL)
		respond_json(req, 200, req->raw);
	else if (rc == 0 && status == 200)
		write_envelope(req);
	else if (rc == 0 && status == 204)
		respond_raw(req, 204, NULL, 0);
	else if (rc == 500)
		write_error(req, 500, "internal error");
	else if (rc == 503)
		write_error(req, 503, busy);
	else
		write_error(req, status, req->err.text);
}

void
request_handle(FCGX_Request *fx, struct store *st, const struct config *cfg)
{
	struct request	 req;
	struct timespec	 t0, t1;
	int		 rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&req, 0, sizeof req);
	req.fx = fx;
	req.store = st;
	req.cfg = cfg;
	buf_init(&req.ignored);
	buf_init(&req.replaced);
	buf_init(&req.rawdata);
	buf_init(&req.body);
	if (shared != NULL && __atomic_load_n(&shared->restoring,
	    __ATOMIC_SEQ_CST)) {
		/* The data is being replaced: no answer from the old one. */
		write_error(&req, 503, "restoring a snapshot; retry shortly");
		request_free(&req);
		return;
	}
	if (cfg->repl != NULL && forward_request(&req))
		;	/* a standby's: answered by the active node */
	else if ((rc = pre_auth(&req)) != 0 && req.no_body)
		respond_raw(&req, rc, NULL, 0);
	else if (rc != 0)
		write_error(&req, rc, req.err.text);
	else if (strcmp(req.path, "sys/health") == 0 && req.op == OP_READ)
		health_respond(&req);
	else if (cfg->repl != NULL && strcmp(req.path, "sys/leader") == 0 &&
	    req.op == OP_READ)
		leader_respond(&req);
	else {
		uuid_v4(req.id);
		rc = txn_run(st, request_txn, &req);
		if (rc == 0 && req.status == 0 && req.finish != NULL)
			rc = req.finish(&req);
		answer(&req, rc);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	metrics_request(route_number(req.route), req.sent,
	    (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000));
	request_free(&req);
}

/* The answer of a standby worker, while recovery keeps failing. */
void
request_unavailable(FCGX_Request *fx)
{
	struct request	 req;

	memset(&req, 0, sizeof req);
	req.fx = fx;
	write_error(&req, 503, "storage unavailable: recovery is failing, "
	    "retry later");
}
