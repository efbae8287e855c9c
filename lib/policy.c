/*
 * policy.c: Vault's ACL policy language and its evaluation.  A policy is
 * HCL (path blocks with a capabilities list, #, // and slash-star comments)
 * or the equivalent JSON; parsing keeps only what is evaluated: patterns
 * and capability bitmaps.  Evaluation follows Vault's acl.go: an exact
 * pattern wins; otherwise the longest plain prefix ("...*") and every "+"
 * pattern that matches compete by Vault's priority rules; identical patterns
 * from several policies union their capabilities, and deny wins over all.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib.h"

static const struct {
	const char	*name;
	unsigned	 bit;
} capnames[] = {
	{ "deny", CAP_DENY }, { "create", CAP_CREATE }, { "read", CAP_READ },
	{ "update", CAP_UPDATE }, { "patch", CAP_PATCH },
	{ "delete", CAP_DELETE }, { "list", CAP_LIST }, { "sudo", CAP_SUDO },
};

static int
cap_bit(const char *name, unsigned *bit)
{
	size_t	 i;

	for (i = 0; i < sizeof capnames / sizeof capnames[0]; i++)
		if (strcmp(capnames[i].name, name) == 0) {
			*bit = capnames[i].bit;
			return 0;
		}
	return -1;
}

static void
add_rule(struct policy *p, const char *pattern, unsigned caps)
{
	p->rules = xrealloc(p->rules, (p->nrules + 1) * sizeof *p->rules);
	p->rules[p->nrules].pattern = xstrdup(pattern);
	p->rules[p->nrules].caps = caps;
	p->nrules++;
}

/*
 * A rule as written in a policy: Vault drops one leading '/', and a rule
 * that says deny is deny and nothing else.
 */
static void
add_parsed_rule(struct policy *p, const char *pattern, unsigned caps)
{
	if (*pattern == '/')
		pattern++;
	add_rule(p, pattern, (caps & CAP_DENY) ? CAP_DENY : caps);
}

/* Vault's test for a "+" segment wildcard; any other '+' is literal. */
static bool
segment_wildcard(const char *pat)
{
	return strcmp(pat, "+") == 0 || strstr(pat, "/+") != NULL ||
	    strncmp(pat, "+/", 2) == 0;
}

void
policy_free(struct policy *p)
{
	size_t	 i;

	for (i = 0; i < p->nrules; i++)
		free(p->rules[i].pattern);
	free(p->rules);
	p->rules = NULL;
	p->nrules = 0;
}

/* '*' may only end a pattern. */
static int
check_pattern(const char *pattern, int line, struct apierr *err)
{
	const char	*star = strchr(pattern, '*');

	if (strstr(pattern, "+*") != NULL) {
		apierr_set(err, 400, "failed to parse policy: line %d: path "
		    "\"%s\": invalid use of wildcards ('+*' is forbidden)",
		    line, pattern);
		return -1;
	}
	if (star != NULL && star[1] != '\0') {
		apierr_set(err, 400, "failed to parse policy: line %d: path "
		    "\"%s\": the * glob is only allowed at the end", line,
		    pattern);
		return -1;
	}
	return 0;
}

/* ---- HCL (the lexer is hcl.c) ---- */

static int
syntax(struct hcl_lexer *lx, enum hcl_tok got, const char *want, struct apierr *err)
{
	if (got == HCL_ERROR)
		apierr_set(err, 400, "failed to parse policy: line %d: %s",
		    lx->line, lx->why);
	else
		apierr_set(err, 400, "failed to parse policy: line %d: "
		    "expected %s, found %s", lx->line, want, hcl_tok_name(got));
	return -1;
}

/* capabilities = ["read", ...]: ORs the bits into *caps. */
static int
parse_caps(struct hcl_lexer *lx, unsigned *caps, struct apierr *err)
{
	enum hcl_tok	 t;
	unsigned	 bit;

	if ((t = hcl_lex(lx)) != HCL_EQUALS)
		return syntax(lx, t, "'='", err);
	if ((t = hcl_lex(lx)) != HCL_LBRACK)
		return syntax(lx, t, "'['", err);
	for (;;) {
		if ((t = hcl_lex(lx)) == HCL_RBRACK)
			return 0;
		if (t != HCL_STRING)
			return syntax(lx, t, "a capability string or ']'", err);
		if (cap_bit(lx->text.data, &bit) == -1) {
			apierr_set(err, 400, "failed to parse policy: line %d: "
			    "unknown capability \"%s\"", lx->line,
			    lx->text.data);
			return -1;
		}
		*caps |= bit;
		if ((t = hcl_lex(lx)) == HCL_RBRACK)
			return 0;
		if (t != HCL_COMMA)
			return syntax(lx, t, "',' or ']'", err);
	}
}

static int
parse_hcl(const char *text, struct policy *p, struct apierr *err)
{
	struct hcl_lexer	 lx;
	enum hcl_tok	 t;
	char		*pattern;
	unsigned	 caps;
	int		 rc = -1, line;

	hcl_init(&lx, text, false);
	while ((t = hcl_lex(&lx)) != HCL_EOF) {
		if (t != HCL_IDENT || strcmp(lx.text.data, "path") != 0) {
			if (t == HCL_IDENT)
				apierr_set(err, 400, "failed to parse policy: "
				    "line %d: unsupported key \"%s\" (only path "
				    "blocks are supported)", lx.line,
				    lx.text.data);
			else
				syntax(&lx, t, "a path block", err);
			goto out;
		}
		if ((t = hcl_lex(&lx)) != HCL_STRING) {
			syntax(&lx, t, "the path pattern string", err);
			goto out;
		}
		pattern = xstrdup(lx.text.data);
		line = lx.line;
		caps = 0;
		if ((t = hcl_lex(&lx)) == HCL_EQUALS)
			t = hcl_lex(&lx);
		if (t != HCL_LBRACE) {
			free(pattern);
			syntax(&lx, t, "'{'", err);
			goto out;
		}
		while ((t = hcl_lex(&lx)) != HCL_RBRACE) {
			if (t != HCL_IDENT) {
				free(pattern);
				syntax(&lx, t, "capabilities or '}'", err);
				goto out;
			}
			if (strcmp(lx.text.data, "capabilities") != 0) {
				apierr_set(err, 400, "failed to parse policy: "
				    "line %d: unsupported key \"%s\" in path "
				    "block (only capabilities is supported)",
				    lx.line, lx.text.data);
				free(pattern);
				goto out;
			}
			if (parse_caps(&lx, &caps, err) == -1) {
				free(pattern);
				goto out;
			}
		}
		if (check_pattern(pattern, line, err) == -1) {
			free(pattern);
			goto out;
		}
		add_parsed_rule(p, pattern, caps);
		free(pattern);
	}
	rc = 0;
out:
	hcl_free(&lx);
	return rc;
}

/* ---- JSON: {"path": {"<pattern>": {"capabilities": [...]}}} ---- */

static int
json_fail(struct apierr *err, int line, const char *what)
{
	apierr_set(err, 400, "failed to parse policy: line %d: %s", line, what);
	return -1;
}

static int
parse_json(const char *text, struct policy *p, struct apierr *err)
{
	json_error_t	 jerr;
	json_t		*top, *paths, *block, *caps, *v;
	const char	*pattern, *key;
	size_t		 i;
	unsigned	 bits, bit;
	int		 rc = -1;

	top = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (top == NULL)
		return json_fail(err, jerr.line, jerr.text);
	json_object_foreach(top, key, v)
		if (strcmp(key, "path") != 0) {
			apierr_set(err, 400, "failed to parse policy: line 1: "
			    "unsupported key \"%s\" (only path is supported)",
			    key);
			goto out;
		}
	paths = json_object_get(top, "path");
	if (paths != NULL && !json_is_object(paths)) {
		json_fail(err, 1, "\"path\" must be an object");
		goto out;
	}
	json_object_foreach(paths, pattern, block) {
		if (!json_is_object(block)) {
			json_fail(err, 1, "a path rule must be an object");
			goto out;
		}
		json_object_foreach(block, key, v)
			if (strcmp(key, "capabilities") != 0) {
				apierr_set(err, 400, "failed to parse policy: "
				    "line 1: unsupported key \"%s\" in path "
				    "rule (only capabilities is supported)",
				    key);
				goto out;
			}
		caps = json_object_get(block, "capabilities");
		if (caps != NULL && !json_is_array(caps)) {
			json_fail(err, 1, "capabilities must be a list");
			goto out;
		}
		bits = 0;
		json_array_foreach(caps, i, v) {
			if (!json_is_string(v)) {
				json_fail(err, 1, "a capability must be a string");
				goto out;
			}
			if (cap_bit(json_string_value(v), &bit) == -1) {
				apierr_set(err, 400, "failed to parse policy: "
				    "line 1: unknown capability \"%s\"",
				    json_string_value(v));
				goto out;
			}
			bits |= bit;
		}
		if (check_pattern(pattern, 1, err) == -1)
			goto out;
		add_parsed_rule(p, pattern, bits);
	}
	rc = 0;
out:
	json_decref(top);
	return rc;
}

/* Parses a policy text (HCL, or JSON when it starts with '{'). */
int
policy_parse(const char *text, struct policy *p, struct apierr *err)
{
	const char	*s = text;
	int		 rc;

	memset(p, 0, sizeof *p);
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	rc = *s == '{' ? parse_json(text, p, err) : parse_hcl(text, p, err);
	if (rc == -1)
		policy_free(p);
	return rc;
}

/* ---- evaluation ---- */

/* Adds a policy's rules, merging identical patterns: deny beats union. */
void
acl_add(struct policy *acl, const struct policy *p)
{
	size_t	 i, j;

	for (i = 0; i < p->nrules; i++) {
		for (j = 0; j < acl->nrules; j++)
			if (strcmp(acl->rules[j].pattern,
			    p->rules[i].pattern) == 0)
				break;
		if (j == acl->nrules) {
			add_rule(acl, p->rules[i].pattern, p->rules[i].caps);
			continue;
		}
		if ((acl->rules[j].caps | p->rules[i].caps) & CAP_DENY)
			acl->rules[j].caps = CAP_DENY;
		else
			acl->rules[j].caps |= p->rules[i].caps;
	}
}

/* A non-exact candidate and the facts Vault ranks it by. */
struct cand {
	const struct rule	*rule;
	size_t			 first_wc;	/* index of the first + or * */
	bool			 prefix;	/* ends in '*' */
	int			 plus;		/* number of + segments */
	size_t			 len;		/* length without the '*' */
};

/* Vault's priority: true when a outranks b. */
static bool
outranks(const struct cand *a, const struct cand *b)
{
	int	 c;

	if (a->first_wc != b->first_wc)
		return a->first_wc > b->first_wc;
	if (a->prefix != b->prefix)
		return !a->prefix;
	if (a->plus != b->plus)
		return a->plus < b->plus;
	if (a->len != b->len)
		return a->len > b->len;
	c = strncmp(a->rule->pattern, b->rule->pattern,
	    a->len < b->len ? a->len : b->len);
	return c > 0;
}

/* Splits on '/' into a new array of new strings. */
static char **
split(const char *s, size_t *n)
{
	char	**parts = NULL;
	const char *slash;

	*n = 0;
	for (;;) {
		slash = strchr(s, '/');
		parts = xrealloc(parts, (*n + 1) * sizeof *parts);
		parts[(*n)++] = slash ? xstrndup(s, (size_t)(slash - s)) :
		    xstrdup(s);
		if (slash == NULL)
			return parts;
		s = slash + 1;
	}
}

static void
split_free(char **parts, size_t n)
{
	while (n > 0)
		free(parts[--n]);
	free(parts);
}

/* Does a "+" pattern (maybe ending in '*') match the path? */
static bool
plus_match(const char *pattern, const char **pparts, size_t npp,
    struct cand *c)
{
	char	**ap, *body;
	size_t	  na, i, len = strlen(pattern);
	bool	  ok = true;

	c->prefix = len > 0 && pattern[len - 1] == '*';
	body = xstrndup(pattern, c->prefix ? len - 1 : len);
	c->len = strlen(body);
	c->first_wc = (size_t)(strchr(pattern, '+') - pattern);
	c->plus = 0;
	ap = split(body, &na);
	if (npp < na || (!c->prefix && na != npp))
		ok = false;
	for (i = 0; ok && i < na; i++) {
		if (strcmp(ap[i], "+") == 0)
			c->plus++;
		else if (strcmp(ap[i], pparts[i]) == 0)
			continue;
		else if (c->prefix && i == na - 1 &&
		    strncmp(pparts[i], ap[i], strlen(ap[i])) == 0)
			continue;
		else
			ok = false;
	}
	split_free(ap, na);
	free(body);
	return ok;
}

/* The winning rule among the non-exact ones, or NULL. */
static const struct rule *
best_nonexact(const struct policy *acl, const char *path)
{
	struct cand	 best = { 0 }, c;
	char		**pp;
	size_t		  npp, i, plen;
	bool		  have = false, prefix_found = false;
	struct cand	  pre = { 0 };

	/* The longest plain prefix rule is the one prefix candidate. */
	for (i = 0; i < acl->nrules; i++) {
		const char *pat = acl->rules[i].pattern;

		plen = strlen(pat);
		if (segment_wildcard(pat) || plen == 0 || pat[plen - 1] != '*')
			continue;
		if (strncmp(path, pat, plen - 1) != 0)
			continue;
		if (!prefix_found || plen - 1 > pre.len) {
			pre.rule = &acl->rules[i];
			pre.first_wc = plen - 1;
			pre.prefix = true;
			pre.plus = 0;
			pre.len = plen - 1;
			prefix_found = true;
		}
	}
	if (prefix_found) {
		best = pre;
		have = true;
	}
	pp = split(path, &npp);
	for (i = 0; i < acl->nrules; i++) {
		if (!segment_wildcard(acl->rules[i].pattern))
			continue;
		c.rule = &acl->rules[i];
		if (!plus_match(c.rule->pattern, (const char **)pp, npp, &c))
			continue;
		if (!have || outranks(&c, &best)) {
			best = c;
			have = true;
		}
	}
	split_free(pp, npp);
	return have ? best.rule : NULL;
}

static const struct rule *
exact_rule(const struct policy *acl, const char *path)
{
	size_t	 i;

	for (i = 0; i < acl->nrules; i++) {
		const char *pat = acl->rules[i].pattern;

		if (strchr(pat, '*') == NULL && !segment_wildcard(pat) &&
		    strcmp(pat, path) == 0)
			return &acl->rules[i];
	}
	return NULL;
}

/*
 * The capabilities the merged rules grant on a path, in Vault's order: the
 * exact rule; for a LIST also the exact rule without the trailing '/', then
 * the best non-exact rule for the path without it; then the best non-exact
 * rule for the path.  0 when nothing matches.
 */
unsigned
acl_capabilities(const struct policy *acl, const char *path, bool list)
{
	const struct rule	*r;
	size_t			 n = strlen(path);
	char			*trimmed = NULL;

	if ((r = exact_rule(acl, path)) != NULL)
		return r->caps;
	if (list && n > 0 && path[n - 1] == '/') {
		trimmed = xstrndup(path, n - 1);
		if ((r = exact_rule(acl, trimmed)) == NULL)
			r = best_nonexact(acl, trimmed);
		free(trimmed);
		if (r != NULL)
			return r->caps;
	}
	r = best_nonexact(acl, path);
	return r == NULL ? 0 : r->caps;
}

/*
 * The one enforcement decision: caps (acl_capabilities on the request's
 * path) grant what the operation needs, and sudo where the path needs it;
 * deny wins over everything.
 */
bool
acl_permits(unsigned caps, unsigned need, bool sudo)
{
	return !(caps & CAP_DENY) && (caps & need) != 0 &&
	    (!sudo || (caps & CAP_SUDO) != 0);
}

/*
 * What sys/capabilities reports for a path: each capability exactly when
 * acl_permits grants an operation needing it on that path, looked up the
 * way that operation is (list with Vault's LIST fallback to the path
 * without its trailing '/', the others without).  Leading '/'s are
 * dropped, as Vault drops them.  0 means deny.
 */
unsigned
acl_report(const struct policy *acl, const char *path)
{
	static const unsigned plain_ops[] = { CAP_CREATE, CAP_READ,
	    CAP_UPDATE, CAP_PATCH, CAP_DELETE, CAP_SUDO };
	unsigned	 plain, list, out = 0;
	size_t		 i;

	while (*path == '/')
		path++;
	plain = acl_capabilities(acl, path, false);
	list = acl_capabilities(acl, path, true);
	for (i = 0; i < sizeof plain_ops / sizeof plain_ops[0]; i++)
		if (acl_permits(plain, plain_ops[i], false))
			out |= plain_ops[i];
	if (acl_permits(list, CAP_LIST, false))
		out |= CAP_LIST;
	return out;
}

/*
 * The names of a report in Go's sort.Strings order, as Vault answers
 * them; ["deny"] when it is empty.  names needs room for 8; returns the
 * count.  The strings are static.
 */
size_t
acl_report_names(unsigned report, const char *names[8])
{
	static const struct {
		const char	*name;
		unsigned	 bit;
	} sorted[] = {
		{ "create", CAP_CREATE }, { "delete", CAP_DELETE },
		{ "list", CAP_LIST }, { "patch", CAP_PATCH },
		{ "read", CAP_READ }, { "sudo", CAP_SUDO },
		{ "update", CAP_UPDATE },
	};
	size_t	 i, n = 0;

	for (i = 0; i < sizeof sorted / sizeof sorted[0]; i++)
		if (report & sorted[i].bit)
			names[n++] = sorted[i].name;
	if (n == 0)
		names[n++] = "deny";
	return n;
}
