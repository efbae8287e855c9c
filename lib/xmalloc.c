/*
 * xmalloc.c: allocators that never return NULL, a growable buffer and the
 * API error setter.  Running out of memory is not a request error: the
 * process aborts and the supervisor restarts the pool.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib.h"

static void *
oom(size_t n)
{
	log_err("out of memory allocating %lu bytes", (unsigned long)n);
	abort();
}

void *
xmalloc(size_t n)
{
	void	*p = malloc(n ? n : 1);

	return p ? p : oom(n);
}

void *
xcalloc(size_t n, size_t size)
{
	void	*p = calloc(n ? n : 1, size ? size : 1);

	return p ? p : oom(n * size);
}

void *
xrealloc(void *old, size_t n)
{
	void	*p = realloc(old, n ? n : 1);

	return p ? p : oom(n);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		oom(0);
	va_end(ap);
	return s;
}

void
buf_init(struct buf *b)
{
	b->cap = 64;
	b->len = 0;
	b->data = xmalloc(b->cap);
	b->data[0] = '\0';
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (b->len + n + 1 > b->cap) {
		while (b->len + n + 1 > b->cap)
			b->cap *= 2;
		b->data = xrealloc(b->data, b->cap);
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n == -1)
		oom(0);
	buf_add(b, s, (size_t)n);
	free(s);
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
apierr_set(struct apierr *e, int status, const char *fmt, ...)
{
	va_list	 ap;

	size_t	 len, lead, need;
	int	 n;

	e->status = status;
	va_start(ap, fmt);
	n = vsnprintf(e->text, sizeof e->text, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n < sizeof e->text)
		return;
	/* Truncated: never leave half a UTF-8 sequence at the end. */
	len = strlen(e->text);
	for (lead = len; lead > 0 &&
	    ((unsigned char)e->text[lead - 1] & 0xc0) == 0x80; lead--)
		;
	if (lead == 0 || (unsigned char)e->text[lead - 1] < 0xc0)
		return;
	lead--;
	need = (unsigned char)e->text[lead] >= 0xf0 ? 4 :
	    (unsigned char)e->text[lead] >= 0xe0 ? 3 : 2;
	if (len - lead < need)
		e->text[lead] = '\0';
}
