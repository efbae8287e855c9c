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

/* ---- HCL ---- */

enum tok { T_EOF, T_IDENT, T_STRING, T_LBRACE, T_RBRACE, T_LBRACK,
	T_RBRACK, T_EQUALS, T_COMMA, T_ERROR };

struct lexer {
	const char	*p;
	int		 line;
	struct buf	 text;	/* identifier or decoded string */
	const char	*why;	/* for T_ERROR */
};

static const char *
tok_name(enum tok t)
{
	static const char *names[] = { "end of input", "identifier", "string",
	    "'{'", "'}'", "'['", "']'", "'='", "','", "error" };

	return names[t];
}

static void
skip_space(struct lexer *lx)
{
	for (;;) {
		char c = *lx->p;

		if (c == '\n') {
			lx->line++;
			lx->p++;
		} else if (c == ' ' || c == '\t' || c == '\r')
			lx->p++;
		else if (c == '#' || (c == '/' && lx->p[1] == '/')) {
			while (*lx->p != '\0' && *lx->p != '\n')
				lx->p++;
		} else if (c == '/' && lx->p[1] == '*') {
			lx->p += 2;
			while (*lx->p != '\0' && !(lx->p[0] == '*' &&
			    lx->p[1] == '/')) {
				if (*lx->p == '\n')
					lx->line++;
				lx->p++;
			}
			if (*lx->p != '\0')
				lx->p += 2;
		} else
			return;
	}
}

static void
put_utf8(struct buf *b, unsigned long cp)
{
	if (cp < 0x80)
		buf_addc(b, (char)cp);
	else if (cp < 0x800) {
		buf_addc(b, (char)(0xc0 | cp >> 6));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	} else {
		buf_addc(b, (char)(0xe0 | cp >> 12));
		buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	}
}

static enum tok
lex_string(struct lexer *lx)
{
	unsigned long	 cp;
	int		 i, d;

	lx->p++;
	for (;;) {
		char c = *lx->p;

		if (c == '\0' || c == '\n') {
			lx->why = "unterminated string";
			return T_ERROR;
		}
		lx->p++;
		if (c == '"')
			return T_STRING;
		if (c != '\\') {
			buf_addc(&lx->text, c);
			continue;
		}
		c = *lx->p++;
		switch (c) {
		case '"': case '\\': case '/':
			buf_addc(&lx->text, c);
			break;
		case 'n':
			buf_addc(&lx->text, '\n');
			break;
		case 't':
			buf_addc(&lx->text, '\t');
			break;
		case 'r':
			buf_addc(&lx->text, '\r');
			break;
		case 'u':
			for (cp = 0, i = 0; i < 4; i++) {
				if ((d = hexval(*lx->p)) < 0) {
					lx->why = "bad \\u escape in string";
					return T_ERROR;
				}
				cp = cp << 4 | (unsigned long)d;
				lx->p++;
			}
			if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff)) {
				lx->why = "bad \\u escape in string";
				return T_ERROR;
			}
			put_utf8(&lx->text, cp);
			break;
		default:
			lx->why = "unknown escape in string";
			return T_ERROR;
		}
	}
}

static enum tok
lex(struct lexer *lx)
{
	char	 c;

	skip_space(lx);
	lx->text.len = 0;
	lx->text.data[0] = '\0';
	c = *lx->p;
	switch (c) {
	case '\0': return T_EOF;
	case '{': lx->p++; return T_LBRACE;
	case '}': lx->p++; return T_RBRACE;
	case '[': lx->p++; return T_LBRACK;
	case ']': lx->p++; return T_RBRACK;
	case '=': lx->p++; return T_EQUALS;
	case ',': lx->p++; return T_COMMA;
	case '"': return lex_string(lx);
	}
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') {
		while ((*lx->p >= 'a' && *lx->p <= 'z') ||
		    (*lx->p >= 'A' && *lx->p <= 'Z') ||
		    (*lx->p >= '0' && *lx->p <= '9') || *lx->p == '_' ||
		    *lx->p == '-')
			buf_addc(&lx->text, *lx->p++);
		return T_IDENT;
	}
	lx->why = "unexpected character";
	return T_ERROR;
}

static int
syntax(struct lexer *lx, enum tok got, const char *want, struct apierr *err)
{
	if (got == T_ERROR)
		apierr_set(err, 400, "failed to parse policy: line %d: %s",
		    lx->line, lx->why);
	else
		apierr_set(err, 400, "failed to parse policy: line %d: "
		    "expected %s, found %s", lx->line, want, tok_name(got));
	return -1;
}

/* capabilities = ["read", ...]: ORs the bits into *caps. */
static int
parse_caps(struct lexer *lx, unsigned *caps, struct apierr *err)
{
	enum tok	 t;
	unsigned	 bit;

	if ((t = lex(lx)) != T_EQUALS)
		return syntax(lx, t, "'='", err);
	if ((t = lex(lx)) != T_LBRACK)
		return syntax(lx, t, "'['", err);
	for (;;) {
		if ((t = lex(lx)) == T_RBRACK)
			return 0;
		if (t != T_STRING)
			return syntax(lx, t, "a capability string or ']'", err);
		if (cap_bit(lx->text.data, &bit) == -1) {
			apierr_set(err, 400, "failed to parse policy: line %d: "
			    "unknown capability \"%s\"", lx->line,
			    lx->text.data);
			return -1;
		}
		*caps |= bit;
		if ((t = lex(lx)) == T_RBRACK)
			return 0;
		if (t != T_COMMA)
			return syntax(lx, t, "',' or ']'", err);
	}
}

static int
parse_hcl(const char *text, struct policy *p, struct apierr *err)
{
	struct lexer	 lx = { .p = text, .line = 1 };
	enum tok	 t;
	char		*pattern;
	unsigned	 caps;
	int		 rc = -1, line;

	buf_init(&lx.text);
	while ((t = lex(&lx)) != T_EOF) {
		if (t != T_IDENT || strcmp(lx.text.data, "path") != 0) {
			if (t == T_IDENT)
				apierr_set(err, 400, "failed to parse policy: "
				    "line %d: unsupported key \"%s\" (only path "
				    "blocks are supported)", lx.line,
				    lx.text.data);
			else
				syntax(&lx, t, "a path block", err);
			goto out;
		}
		if ((t = lex(&lx)) != T_STRING) {
			syntax(&lx, t, "the path pattern string", err);
			goto out;
		}
		pattern = xstrdup(lx.text.data);
		line = lx.line;
		caps = 0;
		if ((t = lex(&lx)) == T_EQUALS)
			t = lex(&lx);
		if (t != T_LBRACE) {
			free(pattern);
			syntax(&lx, t, "'{'", err);
			goto out;
		}
		while ((t = lex(&lx)) != T_RBRACE) {
			if (t != T_IDENT) {
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
	buf_free(&lx.text);
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
