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
