/*
 * policy.c: libFuzzer harness for the ACL policy language (lib/policy.c):
 * policy_parse of HCL and JSON policies, and acl_add and
 * acl_capabilities over what it parses, as auth.c uses them.
 *
 * Input: the policy text, which ends at the first NUL (policies are C
 * strings); after it, paths to evaluate, separated by NUL or '\n' (the
 * first 8 are used).  More paths are made from the parsed patterns.
 *
 * The harness checks:
 *
 *   - parsing is deterministic and gives a policy or an error: status
 *     400, "failed to parse policy: line N: ..." with N a line of the
 *     text, valid UTF-8 when the text was (request texts are), and no
 *     rules left behind;
 *   - every parsed rule is one Vault accepts: capability bits only, deny
 *     alone, '*' only at the end, no "+*";
 *   - acl_add of the policy into an empty ACL gives each pattern once,
 *     with the union of its rules' capabilities (deny alone if any says
 *     deny); adding it twice changes nothing; its rules split in two
 *     policies and added in either order give the same ACL;
 *   - the merged ACL written back as HCL, and as JSON when its patterns
 *     are valid UTF-8, parses to the same rules (a canonical form);
 *   - acl_capabilities on every path (the fuzz-chosen ones, and for each
 *     pattern the pattern itself, without its '*', with its '+' segments
 *     filled in, with a segment more, with a character less), as a read
 *     and as a LIST, agrees with an independent evaluator written from
 *     Vault's rules (README.md: exact pattern first; for a LIST the path
 *     without its '/'; then the best "*" or "+" pattern: a later first
 *     wildcard, not a prefix, fewer '+', longer, lexicographically
 *     larger), and is the same for the ACL merged in either order.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/lib.h"

#define CHECK(c)	do { if (!(c)) { fprintf(stderr, \
	"invariant failed: %s (%s:%d)\n", #c, __FILE__, __LINE__); \
	abort(); } } while (0)

#define MAX_PATHS	8	/* fuzz-chosen paths */
#define MAX_DERIVED	8	/* patterns paths are made from */

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The capability names of Vault's policy language, in its order. */
static const struct {
	const char	*name;
	unsigned	 bit;
} capnames[] = {
	{ "create", CAP_CREATE }, { "read", CAP_READ },
	{ "update", CAP_UPDATE }, { "patch", CAP_PATCH },
	{ "delete", CAP_DELETE }, { "list", CAP_LIST }, { "sudo", CAP_SUDO },
	{ "deny", CAP_DENY },
};
#define ALL_CAPS	0xffu

static bool
utf8_ok(const char *s, size_t n)
{
	json_t	*j = json_stringn(s, n);

	json_decref(j);
	return j != NULL;
}

static const struct rule *
find_rule(const struct policy *p, const char *pattern)
{
	size_t	 i;

	for (i = 0; i < p->nrules; i++)
		if (strcmp(p->rules[i].pattern, pattern) == 0)
			return &p->rules[i];
	return NULL;
}

/* The same rules in the same order. */
static bool
same_rules(const struct policy *a, const struct policy *b)
{
	size_t	 i;

	if (a->nrules != b->nrules)
		return false;
	for (i = 0; i < a->nrules; i++)
		if (strcmp(a->rules[i].pattern, b->rules[i].pattern) != 0 ||
		    a->rules[i].caps != b->rules[i].caps)
			return false;
	return true;
}

/* The same rules in any order (patterns are unique in both). */
static bool
same_rule_set(const struct policy *a, const struct policy *b)
{
	const struct rule	*r;
	size_t			 i;

	if (a->nrules != b->nrules)
		return false;
	for (i = 0; i < a->nrules; i++)
		if ((r = find_rule(b, a->rules[i].pattern)) == NULL ||
		    r->caps != a->rules[i].caps)
			return false;
	return true;
}

static void
check_error(const char *text, const struct apierr *err, bool utf8)
{
	static const char prefix[] = "failed to parse policy: line ";
	const char	*s;
	char		*end;
	long		 line, lines = 1;

	CHECK(err->status == 400);
	CHECK(strncmp(err->text, prefix, sizeof prefix - 1) == 0);
	line = strtol(err->text + sizeof prefix - 1, &end, 10);
	CHECK(end[0] == ':' && end[1] == ' ' && end[2] != '\0');
	for (s = text; *s != '\0'; s++)
		lines += *s == '\n';
	CHECK(line >= 1 && line <= lines);
	if (utf8)
		CHECK(utf8_ok(err->text, strlen(err->text)));
}

/* What Vault accepts as a rule. */
static void
check_rules(const struct policy *p, size_t textlen)
{
	const char	*pat, *star;
	size_t		 i;

	CHECK(p->nrules == 0 || p->rules != NULL);
	for (i = 0; i < p->nrules; i++) {
		pat = p->rules[i].pattern;
		CHECK(pat != NULL && strlen(pat) <= textlen);
		CHECK((p->rules[i].caps & ~ALL_CAPS) == 0);
		if (p->rules[i].caps & CAP_DENY)
			CHECK(p->rules[i].caps == CAP_DENY);
		CHECK(strstr(pat, "+*") == NULL);
		star = strchr(pat, '*');
		CHECK(star == NULL || star[1] == '\0');
	}
}

/* acl_add's merge, as README.md states it. */
static void
check_merged(const struct policy *p, const struct policy *m)
{
	const struct rule	*r;
	size_t			 i, j;
	unsigned		 caps;

	CHECK(m->nrules <= p->nrules);
	for (i = 0; i < m->nrules; i++) {
		caps = 0;
		for (j = 0; j < p->nrules; j++)
			if (strcmp(p->rules[j].pattern, m->rules[i].pattern) ==
			    0)
				caps |= p->rules[j].caps;
		if (caps & CAP_DENY)
			caps = CAP_DENY;
		CHECK(m->rules[i].caps == caps);
		for (j = 0; j < i; j++)
			CHECK(strcmp(m->rules[j].pattern,
			    m->rules[i].pattern) != 0);
	}
	for (i = 0; i < p->nrules; i++)
		CHECK((r = find_rule(m, p->rules[i].pattern)) != NULL);
}

/* Writes a pattern so that parsing gives it back (one leading '/' goes). */
static void
hcl_string(struct buf *b, const char *s)
{
	buf_addc(b, '"');
	if (*s == '/')
		buf_addc(b, '/');
	for (; *s != '\0'; s++)
		if (*s == '"' || *s == '\\') {
			buf_addc(b, '\\');
			buf_addc(b, *s);
		} else if (*s == '\n')
			buf_adds(b, "\\n");
		else
			buf_addc(b, *s);
	buf_addc(b, '"');
}

static void
render_hcl(const struct policy *m, struct buf *b)
{
	size_t	 i, k;
	int	 n;

	for (i = 0; i < m->nrules; i++) {
		buf_adds(b, "path ");
		hcl_string(b, m->rules[i].pattern);
		buf_adds(b, " {\n  capabilities = [");
		for (n = 0, k = 0; k < sizeof capnames / sizeof capnames[0];
		    k++)
			if (m->rules[i].caps & capnames[k].bit)
				buf_printf(b, "%s\"%s\"", n++ ? ", " : "",
				    capnames[k].name);
		buf_adds(b, "]\n}\n");
	}
}

/* The JSON form, or NULL when a pattern is not valid UTF-8. */
static char *
render_json(const struct policy *m)
{
	json_t	*top = json_object(), *paths = json_object(), *block, *caps;
	char	*key, *text = NULL;
	size_t	 i, k;

	json_object_set_new(top, "path", paths);
	for (i = 0; i < m->nrules; i++) {
		if (!utf8_ok(m->rules[i].pattern, strlen(m->rules[i].pattern)))
			goto out;
		caps = json_array();
		for (k = 0; k < sizeof capnames / sizeof capnames[0]; k++)
			if (m->rules[i].caps & capnames[k].bit)
				json_array_append_new(caps,
				    json_string(capnames[k].name));
		block = json_object();
		json_object_set_new(block, "capabilities", caps);
		key = xasprintf("%s%s", m->rules[i].pattern[0] == '/' ? "/" :
		    "", m->rules[i].pattern);
		CHECK(json_object_set_new(paths, key, block) == 0);
		free(key);
	}
	text = json_dumps(top, JSON_INDENT(2));
	CHECK(text != NULL);
out:
	json_decref(top);
	return text;
}

/* A canonical text parses back to the merged rules. */
static void
check_canonical(const struct policy *m)
{
	struct policy	 again;
	struct apierr	 err;
	struct buf	 b;
	char		*text;

	buf_init(&b);
	render_hcl(m, &b);
	if (policy_parse(b.data, &again, &err) != 0) {
		fprintf(stderr, "canonical HCL: %s\n%s", err.text, b.data);
		CHECK(!"the canonical HCL form parses");
	}
	CHECK(same_rules(&again, m));
	policy_free(&again);
	buf_free(&b);

	if ((text = render_json(m)) == NULL)
		return;
	if (policy_parse(text, &again, &err) != 0) {
		fprintf(stderr, "canonical JSON: %s\n%s\n", err.text, text);
		CHECK(!"the canonical JSON form parses");
	}
	CHECK(same_rule_set(&again, m));
	policy_free(&again);
	free(text);
}

/* ---- the independent evaluator ---- */

/* Vault's test for "+" segments. */
static bool
ref_segment_wildcard(const char *pat)
{
	return strcmp(pat, "+") == 0 || strstr(pat, "/+") != NULL ||
	    (pat[0] == '+' && pat[1] == '/');
}

/* A non-exact pattern that matched, and what ranks it. */
struct rank {
	const struct rule	*rule;
	size_t			 first;		/* first '+', or the '*' */
	bool			 prefix;	/* ends in '*' */
	int			 plus;		/* "+" segments */
	size_t			 len;		/* without the '*' */
};

static bool
ref_outranks(const struct rank *a, const struct rank *b)
{
	if (a->first != b->first)
		return a->first > b->first;
	if (a->prefix != b->prefix)
		return !a->prefix;
	if (a->plus != b->plus)
		return a->plus < b->plus;
	if (a->len != b->len)
		return a->len > b->len;
	return memcmp(a->rule->pattern, b->rule->pattern, a->len) > 0;
}

/*
 * Segment by segment: "+" is any one segment; the last pattern segment of
 * a prefix pattern need only start the path's segment, and more segments
 * may follow; otherwise the segment counts are equal.
 */
static bool
ref_segments(const char *pat, size_t plen, bool prefix, const char *path,
    int *plus)
{
	const char	*p = pat, *pend = pat + plen, *q = path, *ps, *qs;
	size_t		 pn, qn;

	*plus = 0;
	for (;;) {
		ps = memchr(p, '/', (size_t)(pend - p));
		pn = ps ? (size_t)(ps - p) : (size_t)(pend - p);
		qs = strchr(q, '/');
		qn = qs ? (size_t)(qs - q) : strlen(q);
		if (pn == 1 && p[0] == '+')
			(*plus)++;
		else if (ps == NULL && prefix)
			return qn >= pn && memcmp(p, q, pn) == 0;
		else if (pn != qn || memcmp(p, q, pn) != 0)
			return false;
		if (ps == NULL)
			return prefix || qs == NULL;
		if (qs == NULL)
			return false;
		p = ps + 1;
		q = qs + 1;
	}
}

static const struct rule *
ref_exact(const struct policy *acl, const char *path)
{
	size_t	 i;

	for (i = 0; i < acl->nrules; i++)
		if (strchr(acl->rules[i].pattern, '*') == NULL &&
		    !ref_segment_wildcard(acl->rules[i].pattern) &&
		    strcmp(acl->rules[i].pattern, path) == 0)
			return &acl->rules[i];
	return NULL;
}

static const struct rule *
ref_nonexact(const struct policy *acl, const char *path)
{
	struct rank	 best = { 0 }, c;
	const char	*pat;
	size_t		 i, n;

	for (i = 0; i < acl->nrules; i++) {
		pat = acl->rules[i].pattern;
		n = strlen(pat);
		c.rule = &acl->rules[i];
		c.prefix = n > 0 && pat[n - 1] == '*';
		c.len = c.prefix ? n - 1 : n;
		if (ref_segment_wildcard(pat)) {
			c.first = (size_t)(strchr(pat, '+') - pat);
			if (!ref_segments(pat, c.len, c.prefix, path, &c.plus))
				continue;
		} else if (c.prefix) {
			c.first = c.len;
			c.plus = 0;
			if (strncmp(path, pat, c.len) != 0)
				continue;
		} else
			continue;
		if (best.rule == NULL || ref_outranks(&c, &best))
			best = c;
	}
	return best.rule;
}

static unsigned
ref_capabilities(const struct policy *acl, const char *path, bool list)
{
	const struct rule	*r;
	char			*trimmed;
	size_t			 n = strlen(path);

	if ((r = ref_exact(acl, path)) != NULL)
		return r->caps;
	if (list && n > 0 && path[n - 1] == '/') {
		trimmed = xstrndup(path, n - 1);
		if ((r = ref_exact(acl, trimmed)) == NULL)
			r = ref_nonexact(acl, trimmed);
		free(trimmed);
		if (r != NULL)
			return r->caps;
	}
	r = ref_nonexact(acl, path);
	return r ? r->caps : 0;
}

/* ---- evaluation ---- */

struct acls {
	const struct policy	*merged;	/* the policy added once */
	const struct policy	*ab, *ba;	/* its halves, both orders */
};

static void
check_path(const struct acls *a, const char *path)
{
	unsigned	 caps;
	int		 list;

	for (list = 0; list < 2; list++) {
		caps = acl_capabilities(a->merged, path, list);
		CHECK((caps & ~ALL_CAPS) == 0);
		CHECK(!(caps & CAP_DENY) || caps == CAP_DENY);
		if (caps != ref_capabilities(a->merged, path, list)) {
			fprintf(stderr, "path \"%s\"%s: capabilities %#x, "
			    "Vault's rules say %#x\n", path, list ? " (LIST)" :
			    "", caps, ref_capabilities(a->merged, path, list));
			CHECK(!"acl_capabilities follows Vault's rules");
		}
		CHECK(acl_capabilities(a->ab, path, list) == caps);
		CHECK(acl_capabilities(a->ba, path, list) == caps);
	}
}

/* Paths around a pattern: where its matches begin and end. */
static void
check_derived(const struct acls *a, const char *pat)
{
	struct buf	 b;
	size_t		 n = strlen(pat), i;

	check_path(a, pat);
	buf_init(&b);
	/* '+' segments filled in, the '*' dropped */
	for (i = 0; i < n; i++) {
		if (pat[i] == '*' && i == n - 1)
			break;
		if (pat[i] == '+' && (i == 0 || pat[i - 1] == '/') &&
		    (i + 1 == n || pat[i + 1] == '/' || pat[i + 1] == '*'))
			buf_addc(&b, 'x');
		else
			buf_addc(&b, pat[i]);
	}
	check_path(a, b.data);
	buf_adds(&b, "/y");
	check_path(a, b.data);
	b.len--;
	b.data[b.len] = '\0';
	check_path(a, b.data);		/* ".../" */
	if (n > 0) {
		b.len = 0;
		buf_add(&b, pat, n - 1);
		check_path(a, b.data);
	}
	buf_free(&b);
}

/* Half a policy's rules: a view that shares the patterns. */
static void
half(const struct policy *p, size_t parity, struct policy *h)
{
	size_t	 i;

	h->rules = xcalloc(p->nrules / 2 + 1, sizeof *h->rules);
	h->nrules = 0;
	for (i = parity; i < p->nrules; i += 2)
		h->rules[h->nrules++] = p->rules[i];
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy	 p, p2, m = { 0 }, twice = { 0 }, ab = { 0 },
			 ba = { 0 }, even, odd;
	struct apierr	 err, err2;
	struct acls	 acls;
	char		*text, *path, *end, *sep;
	size_t		 len, i;
	bool		 utf8;
	int		 rc, rc2;

	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	len = strlen(text);
	utf8 = utf8_ok(text, len);

	memset(&err, 0, sizeof err);
	rc = policy_parse(text, &p, &err);
	CHECK(rc == 0 || rc == -1);
	memset(&err2, 0, sizeof err2);
	rc2 = policy_parse(text, &p2, &err2);
	CHECK(rc2 == rc);
	if (rc == -1) {
		check_error(text, &err, utf8);
		CHECK(strcmp(err.text, err2.text) == 0);
		CHECK(p.rules == NULL && p.nrules == 0);
		CHECK(p2.rules == NULL && p2.nrules == 0);
		free(text);
		return 0;
	}
	CHECK(same_rules(&p, &p2));
	policy_free(&p2);
	check_rules(&p, len);

	acl_add(&m, &p);
	check_merged(&p, &m);
	acl_add(&twice, &p);
	acl_add(&twice, &p);
	CHECK(same_rules(&twice, &m));
	policy_free(&twice);
	half(&p, 0, &even);
	half(&p, 1, &odd);
	acl_add(&ab, &even);
	acl_add(&ab, &odd);
	acl_add(&ba, &odd);
	acl_add(&ba, &even);
	free(even.rules);
	free(odd.rules);
	CHECK(same_rule_set(&ab, &m) && same_rule_set(&ba, &m));
	check_canonical(&m);

	acls.merged = &m;
	acls.ab = &ab;
	acls.ba = &ba;
	/* The fuzz-chosen paths, after the policy's NUL. */
	end = text + size;
	path = text + len + 1;
	for (i = 0; i < MAX_PATHS && path <= end; i++) {
		if ((sep = memchr(path, '\n', (size_t)(end - path))) != NULL)
			*sep = '\0';
		check_path(&acls, path);
		path += strlen(path) + 1;
	}
	for (i = 0; i < m.nrules && i < MAX_DERIVED; i++)
		check_derived(&acls, m.rules[i].pattern);
	check_path(&acls, "");

	policy_free(&ab);
	policy_free(&ba);
	policy_free(&m);
	policy_free(&p);
	free(text);
	return 0;
}
