/*
 * path.c: the request path and the names in it.  Routing and authorisation
 * both use the raw REQUEST_URI path decoded exactly once, segment by
 * segment, never lighttpd's normalised PATH_INFO (which resolves %2e%2e%2f).
 * A segment that decodes to '/', NUL or another control byte can match no
 * route: the path is still returned so that authorisation sees it.
 */
#include "config.h"

#include <string.h>

#include "lib.h"

/*
 * Decodes a raw path into a new string.  Returns 0, 1 when a segment holds
 * a byte no route accepts, or -1 for a malformed %-escape (nothing stored).
 */
int
path_decode(const char *raw, size_t n, char **out)
{
	struct buf	 b;
	const char	*p = raw, *end = raw + n, *slash;
	size_t		 start, i;
	int		 rc = 0;

	*out = NULL;
	buf_init(&b);
	for (;;) {
		slash = memchr(p, '/', (size_t)(end - p));
		if (slash == NULL)
			slash = end;
		start = b.len;
		if (pct_decode(p, (size_t)(slash - p), false, &b) == -1) {
			buf_free(&b);
			return -1;
		}
		for (i = start; i < b.len; i++) {
			unsigned char c = (unsigned char)b.data[i];

			if (c == '/' || c < 0x20 || c == 0x7f)
				rc = 1;
		}
		if (slash == end)
			break;
		buf_addc(&b, '/');
		p = slash + 1;
	}
	if (rc == 1)	/* keep NUL out of a C string */
		for (i = 0; i < b.len; i++)
			if (b.data[i] == '\0')
				b.data[i] = 0x7f;
	*out = b.data;
	return rc;
}

static bool
is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

/* Vault's GenericNameRegex, ^\w(([\w.-]+)?\w)?$ with ASCII \w, <= 256 bytes. */
bool
name_valid(const char *s)
{
	size_t	 i, n = strlen(s);

	if (n == 0 || n > 256 || !is_word(s[0]) || !is_word(s[n - 1]))
		return false;
	for (i = 1; i + 1 < n; i++)
		if (!is_word(s[i]) && s[i] != '.' && s[i] != '-')
			return false;
	return true;
}
