/*
 * semver.c: plugin versions.  The grammar is Semantic Versioning 2.0.0
 * (numeric parts without leading zeros; dot-separated pre-release and build
 * identifiers of [0-9A-Za-z-], numeric pre-release identifiers without
 * leading zeros), with two liberties Vault's parser also takes: a leading
 * "v", and a version of one or two parts ("1.2" is 1.2.0).  The canonical
 * form Vault stores is "v" followed by the full version.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib.h"

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* One numeric part: digits, no leading zero unless it is "0". */
static const char *
numeric(const char *s)
{
	const char	*p = s;

	while (is_digit(*p))
		p++;
	if (p == s || (s[0] == '0' && p - s > 1))
		return NULL;
	return p;
}

/* Whether n digits hold a value above INT64_MAX (Vault parses int64). */
static bool
too_big(const char *s, size_t n)
{
	static const char max[] = "9223372036854775807";

	return n > sizeof max - 1 || (n == sizeof max - 1 &&
	    strncmp(s, max, n) > 0);
}

/* Dot-separated identifiers up to a stop byte; NULL if malformed. */
static const char *
identifiers(const char *s, bool prerelease, char stop)
{
	const char	*start;
	bool		 alldigits;

	for (;;) {
		start = s;
		alldigits = true;
		while (*s != '\0' && *s != '.' && *s != stop) {
			if (!is_digit(*s) && !(*s >= 'a' && *s <= 'z') &&
			    !(*s >= 'A' && *s <= 'Z') && *s != '-')
				return NULL;
			if (!is_digit(*s))
				alldigits = false;
			s++;
		}
		if (s == start)
			return NULL;
		if (prerelease && alldigits && start[0] == '0' && s - start > 1)
			return NULL;
		if (*s != '.')
			return s;
		s++;
	}
}

/*
 * Parses a version; returns a new canonical "v..." string, or NULL with
 * the reason (go-version's "Malformed version: <v>") in why.
 */
char *
semver_canonical(const char *in, struct buf *why)
{
	const char	*s = in, *p, *pre = NULL, *build = NULL;
	const char	*parts[3] = { NULL, NULL, NULL };
	size_t		 lens[3] = { 0, 0, 0 }, npre = 0, nbuild = 0;
	int		 n = 0;
	struct buf	 out;

	if (*s == 'v')
		s++;
	for (;;) {
		if ((p = numeric(s)) == NULL)
			goto bad;
		if (too_big(s, (size_t)(p - s))) {
			buf_adds(why, "Error parsing version: strconv.ParseInt: "
			    "parsing \"");
			buf_add(why, s, (size_t)(p - s));
			buf_adds(why, "\": value out of range");
			return NULL;
		}
		parts[n] = s;
		lens[n++] = (size_t)(p - s);
		s = p;
		if (*s != '.' || n == 3)
			break;
		s++;
	}
	if (*s == '-') {
		pre = ++s;
		if ((s = identifiers(s, true, '+')) == NULL)
			goto bad;
		npre = (size_t)(s - pre);
	}
	if (*s == '+') {
		build = ++s;
		if ((s = identifiers(s, false, '\0')) == NULL)
			goto bad;
		nbuild = (size_t)(s - build);
	}
	if (*s != '\0')
		goto bad;
	buf_init(&out);
	buf_addc(&out, 'v');
	for (n = 0; n < 3; n++) {
		if (n > 0)
			buf_addc(&out, '.');
		if (parts[n] != NULL)
			buf_add(&out, parts[n], lens[n]);
		else
			buf_addc(&out, '0');
	}
	if (pre != NULL) {
		buf_addc(&out, '-');
		buf_add(&out, pre, npre);
	}
	if (build != NULL) {
		buf_addc(&out, '+');
		buf_add(&out, build, nbuild);
	}
	return out.data;
bad:
	buf_printf(why, "Malformed version: %s", in);
	return NULL;
}

/* Compares two numeric strings without leading zeros. */
static int
numcmp(const char *a, size_t na, const char *b, size_t nb)
{
	int	 c;

	if (na != nb)
		return na < nb ? -1 : 1;
	c = strncmp(a, b, na);
	return c < 0 ? -1 : c > 0;
}

static bool
all_digits(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return n > 0;
}

/* Pre-release precedence (SemVer 2.0.0 §11): identifier by identifier. */
static int
precmp(const char *a, size_t na, const char *b, size_t nb)
{
	size_t	 la, lb, n;
	int	 c;

	while (na > 0 && nb > 0) {
		for (la = 0; la < na && a[la] != '.'; la++)
			;
		for (lb = 0; lb < nb && b[lb] != '.'; lb++)
			;
		if (all_digits(a, la) && all_digits(b, lb))
			c = numcmp(a, la, b, lb);
		else if (all_digits(a, la) != all_digits(b, lb))
			c = all_digits(a, la) ? -1 : 1;
		else {
			n = la < lb ? la : lb;
			c = strncmp(a, b, n);
			c = c != 0 ? (c < 0 ? -1 : 1) : (la == lb ? 0 :
			    la < lb ? -1 : 1);
		}
		if (c != 0)
			return c;
		a += la + (la < na);
		na -= la + (la < na);
		b += lb + (lb < nb);
		nb -= lb + (lb < nb);
	}
	return na == nb ? 0 : na == 0 ? -1 : 1;
}

/*
 * Orders canonical versions ("v1.2.3-rc1+b") by SemVer precedence, build
 * metadata ignored; "" (no version) comes first.
 */
int
semver_compare(const char *a, const char *b)
{
	const char	*pa, *pb;
	size_t		 la, lb;
	int		 i, c;

	if (*a == '\0' || *b == '\0')
		return (*a != '\0') - (*b != '\0');
	a += *a == 'v';
	b += *b == 'v';
	for (i = 0; i < 3; i++) {
		la = strspn(a, "0123456789");
		lb = strspn(b, "0123456789");
		if ((c = numcmp(a, la, b, lb)) != 0)
			return c;
		a += la + (a[la] == '.');
		b += lb + (b[lb] == '.');
	}
	pa = *a == '-' ? a + 1 : NULL;
	pb = *b == '-' ? b + 1 : NULL;
	if (pa == NULL || pb == NULL)
		return (pa == NULL) - (pb == NULL);
	la = strcspn(pa, "+");
	lb = strcspn(pb, "+");
	return precmp(pa, la, pb, lb);
}
