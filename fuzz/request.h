/*
 * request.h: what the path_route and fields harnesses share.  Both hand
 * a method, a URI, a Content-Type and a body to fcgi/request.c's
 * request_parse, the worker's own pre-authentication code, and check what
 * it leaves in struct request.  The body comes through fuzz_read_body,
 * which applies request.c's read_body limit rule to the fuzz bytes.
 */
#ifndef FUZZ_REQUEST_H
#define FUZZ_REQUEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi/fcgi.h"

#define CHECK(c)	do { if (!(c)) { fprintf(stderr, \
	"invariant failed: %s (%s:%d)\n", #c, __FILE__, __LINE__); \
	abort(); } } while (0)

#define FUZZ_UNUSED	__attribute__((unused))

/* The body of the request being parsed, and how often it was read. */
static const char	*fuzz_body;
static size_t		 fuzz_body_len;
static int		 fuzz_body_reads;

/*
 * request.c's read_body without FastCGI: at most limit+1 bytes are read,
 * and more than limit bytes are 413.  (Its CONTENT_LENGTH checks belong
 * to the FastCGI side and are not request_parse's.)
 */
static int
fuzz_read_body(struct request *req, struct buf *body)
{
	size_t	 limit = req->cfg->body_limit, n = fuzz_body_len;

	fuzz_body_reads++;
	CHECK(body->len == 0);
	if (n > limit)
		n = limit + 1;
	buf_add(body, fuzz_body, n);
	if (body->len > limit)
		return respond_error(req, 413, "request body too large");
	return 0;
}

/* A request as request_handle sets it up, then request_parse. */
static FUZZ_UNUSED int
fuzz_parse(struct request *req, const struct config *cfg,
    const char *method, const char *uri, const char *ct, const char *body,
    size_t len)
{
	memset(req, 0, sizeof *req);
	req->cfg = cfg;
	buf_init(&req->ignored);
	buf_init(&req->replaced);
	buf_init(&req->rawdata);
	req->read_body = fuzz_read_body;
	fuzz_body = body;
	fuzz_body_len = len;
	fuzz_body_reads = 0;
	return request_parse(req, method, uri, ct);
}

/* Valid UTF-8 (jansson's test): the error text becomes a JSON string. */
static FUZZ_UNUSED bool
utf8_ok(const char *s, size_t n)
{
	json_t	*j = json_stringn(s, n);

	json_decref(j);
	return j != NULL;
}

static FUZZ_UNUSED bool
has_suffix(const char *s, char c)
{
	size_t	 n = strlen(s);

	return n > 0 && s[n - 1] == c;
}

/* A field conversion error: Vault's prefix, valid UTF-8. */
static FUZZ_UNUSED void
check_field_error(const struct apierr *err)
{
	static const char prefix[] =
	    "Field validation failed: error converting input ";

	CHECK(err->status == 400);
	CHECK(strncmp(err->text, prefix, sizeof prefix - 1) == 0);
	CHECK(utf8_ok(err->text, strlen(err->text)));
}

/*
 * What request_parse may answer, by status: the exact texts it sets (an
 * error the client sees must be valid UTF-8: it becomes a JSON string),
 * or nothing at all for a path Go would not print.
 */
static FUZZ_UNUSED void
check_status(const struct request *req, int rc)
{
	static const char *const bad[] = { "malformed request",
	    "invalid request path", "cannot write to a path ending in '/'",
	    "error parsing form data", "error parsing JSON", "" };
	static const char unsupported[] =
	    "PATCH requires Content-Type of application/merge-patch+json, "
	    "provided ";
	const char	*t = req->err.text;
	size_t		 i;

	CHECK(utf8_ok(t, strlen(t)));
	switch (rc) {
	case 0:
		CHECK(req->err.status == 0 || req->err.status == 400);
		CHECK(!req->no_body);
		return;
	case 400:
		CHECK(req->no_body || req->err.status == 400);
		if (req->no_body) {
			CHECK(req->err.status == 0 && *t == '\0');
			CHECK(req->path != NULL && !go_printable(req->path));
			return;
		}
		for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
			if (strcmp(t, bad[i]) == 0)
				break;
		/* else Go's mime.ParseMediaType error, for a PATCH */
		CHECK(i < sizeof bad / sizeof bad[0] ||
		    strncmp(t, "mime: ", 6) == 0);
		break;
	case 404:
		CHECK(strcmp(t, "1 error occurred:\n\t* unsupported path\n\n")
		    == 0);
		break;
	case 405:
		CHECK(*t == '\0');
		break;
	case 413:
		CHECK(strcmp(t, "request body too large") == 0);
		CHECK(fuzz_body_reads == 1);
		break;
	case 415:
		CHECK(strncmp(t, unsupported, sizeof unsupported - 1) == 0);
		CHECK(t[sizeof unsupported - 1] != '\0');
		break;
	default:
		CHECK(!"request_parse: unexpected status");
	}
	CHECK(req->err.status == rc && !req->no_body);
	/* Refused before routing: nothing was routed or converted. */
	CHECK(req->route == NULL && req->name == NULL && req->type == NULL);
	CHECK(req->field_status == 0);
}

/*
 * A parsed request: the operation matches the method, the path its
 * operation, the data its source; a route's fields were converted.
 */
static FUZZ_UNUSED void
check_parsed(const struct request *req, const char *method)
{
	const struct field	*f;
	size_t			 n;

	CHECK(req->path != NULL && go_printable(req->path));
	CHECK(json_is_object(req->data));
	CHECK(fuzz_body_reads == (req->op == OP_UPDATE));
	switch (req->op) {
	case OP_READ:
		CHECK(strcmp(method, "GET") == 0 || (strcmp(method, "HEAD")
		    == 0 && strcmp(req->path, "sys/health") == 0));
		break;
	case OP_LIST:
		CHECK(strcmp(method, "LIST") == 0 || strcmp(method, "GET") ==
		    0);
		CHECK(has_suffix(req->path, '/'));
		break;
	case OP_UPDATE:
		CHECK(strcmp(method, "POST") == 0 || strcmp(method, "PUT") ==
		    0);
		break;
	case OP_DELETE:
		CHECK(strcmp(method, "DELETE") == 0);
		break;
	case OP_PATCH:
		CHECK(strcmp(method, "PATCH") == 0);
		break;
	default:
		CHECK(!"request_parse: unknown operation");
	}
	if (req->op == OP_UPDATE || req->op == OP_PATCH) {
		CHECK(!req->from_query && !has_suffix(req->path, '/'));
	} else {
		CHECK(req->from_query);
		CHECK(json_object_get(req->data, "help") == NULL);
	}
	if (req->route == NULL) {
		CHECK(req->name == NULL && req->type == NULL);
		CHECK(req->field_status == 0 && req->ignored.len == 0 &&
		    req->replaced.len == 0);
		return;
	}
	CHECK(!req->path_bad);
	for (n = 0, f = req->route->fields; f->name != NULL; f++)
		n++;
	CHECK(n <= MAX_FIELDS);
	CHECK(req->field_status == 0 || req->field_status == 400);
	if (req->field_status == 400)
		check_field_error(&req->err);
	else
		CHECK(utf8_ok(req->ignored.data, req->ignored.len));
	/* Only the URL captures replace body fields. */
	CHECK(req->replaced.len == 0 || strcmp(req->replaced.data, "name") ==
	    0 || strcmp(req->replaced.data, "type") == 0 ||
	    strcmp(req->replaced.data, "name type") == 0);
	if (req->name != NULL)
		CHECK(json_is_string(json_object_get(req->data, "name")) &&
		    strcmp(json_string_value(json_object_get(req->data,
		    "name")), req->name) == 0);
	if (req->type != NULL)
		CHECK(json_is_string(json_object_get(req->data, "type")) &&
		    strcmp(json_string_value(json_object_get(req->data,
		    "type")), req->type) == 0);
}

#endif
