/*
 * forward.c: what a standby of a replicated group does with a request, as
 * open-source Vault does it.  Every path but the node's own status
 * (sys/health, sys/leader, sys/seal-status, sys/init, sys/metrics) goes to
 * the active node: the same method, path, query, headers and body, over
 * HTTP(S) to its api_addr (libcurl, one kept-alive connection per worker),
 * and its status, headers and body come back unchanged.  With the header
 * X-Vault-No-Request-Forwarding, or when the active node cannot be reached,
 * the answer is a 307 to the same path there.  A forwarded request carries
 * X-Catalogd-Forwarded, and a node that is not active never forwards such
 * a request again, so nothing loops; curl never retries, so nothing is
 * applied twice.  One choice differs from Vault: a write whose answer was
 * lost after it was sent is answered 503 ("may or may not have been
 * applied"), not redirected, since a client following the redirect would
 * apply it a second time.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "fcgi/fcgi.h"

#define LOOP_HEADER	"X-Catalogd-Forwarded"
#define NO_ACTIVE	"local node not active but active cluster node not found"
#define API_CACHE_MS	2000

/* The paths a standby answers itself (Vault serves these locally too). */
static const char *const local_paths[] = {
	"sys/health", "sys/leader", "sys/seal-status", "sys/init",
	"sys/metrics",
};

/* Headers that describe one hop, not the request or the answer. */
static const char *const hop_headers[] = {
	"HOST", "CONNECTION", "CONTENT_LENGTH", "CONTENT_TYPE",
	"TRANSFER_ENCODING", "EXPECT", "PROXY", "KEEP_ALIVE", "TE", "UPGRADE",
	"X_CATALOGD_FORWARDED",
};
static const char *const hop_answer_headers[] = {
	"date", "server", "connection", "transfer-encoding", "content-length",
	"keep-alive", "status",
};

static CURL	*curl;

/* The active node's api_addr, as last read from the node table. */
static struct {
	char	 addr[REPL_ADDR_LEN];
	char	*api;
	int64_t	 at;
} cache;

struct answer {
	struct buf	 head;	/* header lines to copy back */
	struct buf	 body;
};

struct api_arg {
	const char	*addr;
	char		*api;
};

static int
api_txn(struct txn *t, void *arg)
{
	struct api_arg	*a = arg;
	struct node_rec	 n;
	int		 rc;

	free(a->api);
	a->api = NULL;
	if ((rc = node_get(t, a->addr, &n)) != 0)
		return rc == 1 ? 0 : -1;
	a->api = n.api_addr;
	n.api_addr = NULL;
	node_rec_free(&n);
	return 0;
}

/*
 * The api_addr the node at replication address ADDR announced (borrowed
 * until the next call), or NULL; read again every API_CACHE_MS.
 */
const char *
ha_master_api(struct store *st, const char *addr)
{
	struct api_arg	 a = { addr, NULL };

	if (strcmp(cache.addr, addr) == 0 && cache.api != NULL &&
	    now_ms() - cache.at < API_CACHE_MS)
		return cache.api;
	if (txn_run(st, api_txn, &a) != 0 || a.api == NULL) {
		free(a.api);
		return NULL;
	}
	free(cache.api);
	cache.api = a.api;
	snprintf(cache.addr, sizeof cache.addr, "%s", addr);
	cache.at = now_ms();
	return cache.api;
}

static bool
answered_locally(const char *uri)
{
	const char	*q = strchr(uri, '?');
	size_t		 plen = q ? (size_t)(q - uri) : strlen(uri), i;
	char		*path;
	bool		 local = false;

	if (plen < 4 || strncmp(uri, "/v1/", 4) != 0)
		return true;
	/* A path that does not decode is the local parser's 400. */
	if (path_decode(uri + 4, plen - 4, &path) == -1)
		return true;
	for (i = 0; i < sizeof local_paths / sizeof local_paths[0]; i++)
		if (strcmp(path, local_paths[i]) == 0)
			local = true;
	free(path);
	return local;
}

static void
redirect(struct request *req, const char *api, const char *uri)
{
	req->sent = 307;
	FCGX_FPrintF(req->fx->out, "Status: 307 %s\r\nLocation: %s%s\r\n"
	    "Cache-Control: no-store\r\n\r\n", status_reason(307), api, uri);
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct answer	*a = arg;
	size_t		 len = size * n, i, name;
	const char	*colon = memchr(p, ':', len);

	if (colon == NULL || len < 3)
		return len;
	name = (size_t)(colon - p);
	for (i = 0; i < sizeof hop_answer_headers / sizeof hop_answer_headers[0];
	    i++)
		if (strlen(hop_answer_headers[i]) == name &&
		    strncasecmp(p, hop_answer_headers[i], name) == 0)
			return len;
	/* The line as it came, its CRLF included. */
	buf_add(&a->head, p, len);
	return len;
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct answer	*a = arg;

	buf_add(&a->body, p, size * n);
	return size * n;
}

/* The request's own headers, as curl takes them. */
static struct curl_slist *
request_headers(struct request *req)
{
	struct curl_slist	*h = NULL;
	char			**e, *line, *c;
	const char		*ct = FCGX_GetParam("CONTENT_TYPE", req->fx->envp);
	size_t			 i, nlen;
	bool			 hop;

	for (e = req->fx->envp; *e != NULL; e++) {
		if (strncmp(*e, "HTTP_", 5) != 0 || strchr(*e, '=') == NULL)
			continue;
		nlen = (size_t)(strchr(*e, '=') - (*e + 5));
		for (hop = false, i = 0; i < sizeof hop_headers /
		    sizeof hop_headers[0]; i++)
			if (strlen(hop_headers[i]) == nlen &&
			    strncmp(*e + 5, hop_headers[i], nlen) == 0)
				hop = true;
		if (hop)
			continue;
		line = xasprintf("%.*s: %s", (int)nlen, *e + 5, *e + 6 + nlen);
		for (c = line; *c != ':'; c++)
			*c = *c == '_' ? '-' : *c;
		h = curl_slist_append(h, line);
		free(line);
	}
	if (ct != NULL && *ct != '\0') {
		line = xasprintf("Content-Type: %s", ct);
		h = curl_slist_append(h, line);
		free(line);
	}
	/* No 100-continue round trip, and the loop guard. */
	h = curl_slist_append(h, "Expect:");
	line = xasprintf("%s: %s", LOOP_HEADER, req->cfg->repl_addr);
	h = curl_slist_append(h, line);
	free(line);
	return h;
}

/* The body, whole: at most body_limit bytes (else 413 here). */
static int
read_all(struct request *req, struct buf *body)
{
	char	 chunk[8192];
	int	 n;

	while ((n = FCGX_GetStr(chunk, sizeof chunk, req->fx->in)) > 0) {
		buf_add(body, chunk, (size_t)n);
		if (body->len > req->cfg->body_limit)
			return 413;
	}
	return 0;
}

static void
relay(struct request *req, const char *api, const char *method,
    const char *uri)
{
	struct curl_slist	*h;
	struct answer		 a;
	struct buf		 body;
	char			*url;
	long			 status = 0, sent = 0, ms;
	CURLcode		 rc;
	bool			 read_only;

	buf_init(&body);
	if (read_all(req, &body) != 0) {
		write_error(req, 413, "request body too large");
		buf_free(&body);
		return;
	}
	if (curl == NULL && (curl = curl_easy_init()) == NULL)
		fatal("curl_easy_init failed");
	curl_easy_reset(curl);
	buf_init(&a.head);
	buf_init(&a.body);
	url = xasprintf("%s%s", api, uri);
	h = request_headers(req);
	/* Under the watchdog's limit, which ends a worker stuck in one request. */
	ms = (long)req->cfg->request_timeout * 1000 - 300;
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 1000L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, ms < 500 ? 500L : ms);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, &a);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &a);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") != 0 || body.len > 0) {
		curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)body.len);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.len > 0 ?
		    body.data : "");
	}
	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(curl, CURLINFO_REQUEST_SIZE, &sent);
	read_only = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") ==
	    0 || strcmp(method, "LIST") == 0;
	if (rc == CURLE_OK && status >= 100 && status <= 599) {
		metrics_add(M_REPL_FORWARDED);
		req->sent = (int)status;
		FCGX_FPrintF(req->fx->out, "Status: %ld %s\r\n", status,
		    status_reason((int)status));
		FCGX_PutStr(a.head.data, (int)a.head.len, req->fx->out);
		FCGX_PutStr("\r\n", 2, req->fx->out);
		FCGX_PutStr(a.body.data, (int)a.body.len, req->fx->out);
	} else if (sent == 0 || read_only) {
		log_warn("forwarding to %s: %s; redirecting", api,
		    curl_easy_strerror(rc));
		redirect(req, api, uri);
	} else {
		log_err("forwarding to %s: %s after the request was sent", api,
		    curl_easy_strerror(rc));
		write_error(req, 503, "the active node did not answer the "
		    "forwarded request; it may or may not have been applied");
	}
	curl_slist_free_all(h);
	free(url);
	buf_free(&a.head);
	buf_free(&a.body);
	buf_free(&body);
}

/*
 * A replicated node's first look at a request: true if it was answered
 * here (forwarded, redirected or refused), false if this node handles it.
 */
bool
forward_request(struct request *req)
{
	FCGX_ParamArray	 env = req->fx->envp;
	const char	*uri = FCGX_GetParam("REQUEST_URI", env);
	const char	*method = FCGX_GetParam("REQUEST_METHOD", env);
	const char	*v, *api;
	struct repl_view view;
	bool		 by_header;

	if (uri == NULL || method == NULL)
		return false;
	by_header = ((v = FCGX_GetParam("HTTP_X_VAULT_FORWARD", env)) != NULL &&
	    *v != '\0') || ((v = FCGX_GetParam("HTTP_X_VAULT_INCONSISTENT",
	    env)) != NULL && strcmp(v, "forward-active-node") == 0);
	ha_read(&view, NULL);
	/* The active node's usual request decodes its path once, later. */
	if ((view.role == REPL_MASTER && !by_header) || answered_locally(uri))
		return false;
	/* Open-source Vault refuses the header, active node or not. */
	if (by_header) {
		write_error(req, 400, "forwarding via header X-Vault-Forward "
		    "disabled in configuration");
		return true;
	}
	if (view.master[0] == '\0' ||
	    FCGX_GetParam("HTTP_X_CATALOGD_FORWARDED", env) != NULL ||
	    (api = ha_master_api(req->store, view.master)) == NULL) {
		write_error(req, 500, NO_ACTIVE);
		return true;
	}
	if ((v = FCGX_GetParam("HTTP_X_VAULT_NO_REQUEST_FORWARDING", env)) !=
	    NULL && *v != '\0') {
		redirect(req, api, uri);
		return true;
	}
	relay(req, api, method, uri);
	return true;
}
