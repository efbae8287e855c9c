/*
 * archive.c: the snapshot's container, pure code on memory buffers (or
 * streamed to a sink as it is made, struct tgz).  A
 * POSIX ustar archive (regular files and directories, names under 100
 * bytes) written and read here rather than with libarchive, which is not a dependency; gzip
 * through zlib.  Readers trust nothing: every header's checksum, octal size
 * and name is checked, and inflating stops at a caller's bound (a small
 * gzip can expand without limit).  The seal is an HMAC-SHA256 of
 * SHA256SUMS under a key derived from the installation's salt.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <zlib.h>

#include "lib/lib.h"

#define BLOCK	512

static void	hex(const unsigned char *, size_t, char *);

/* width-1 octal digits and a NUL, as tar writes them. */
static void
octal(char *dst, size_t width, unsigned long long v)
{
	size_t	 i;

	dst[width - 1] = '\0';
	for (i = width - 1; i > 0; i--) {
		dst[i - 1] = (char)('0' + (v & 7));
		v >>= 3;
	}
}

/* One member's header block. */
static void
tar_header(char h[BLOCK], const char *name, size_t len, long long mtime)
{
	unsigned	 sum = 0;
	size_t		 i;

	memset(h, 0, BLOCK);
	if (strlen(name) >= 100)
		abort();	/* our own names are short: a caller's bug */
	memcpy(h, name, strlen(name));
	octal(h + 100, 8, 0600);
	octal(h + 108, 8, 0);
	octal(h + 116, 8, 0);
	octal(h + 124, 12, len);
	octal(h + 136, 12, (unsigned long long)(mtime < 0 ? 0 : mtime));
	memset(h + 148, ' ', 8);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	for (i = 0; i < BLOCK; i++)
		sum += (unsigned char)h[i];
	snprintf(h + 148, 8, "%06o", sum);
	h[155] = ' ';
}

void
tar_add(struct buf *tar, const char *name, const void *data, size_t len,
    long long mtime)
{
	char	 h[BLOCK];

	tar_header(h, name, len, mtime);
	buf_add(tar, h, BLOCK);
	buf_add(tar, data, len);
	memset(h, 0, sizeof h);
	buf_add(tar, h, (BLOCK - len % BLOCK) % BLOCK);
}

void
tar_finish(struct buf *tar)
{
	char	 z[2 * BLOCK];

	memset(z, 0, sizeof z);
	buf_add(tar, z, sizeof z);
}

static int
parse_octal(const char *p, size_t width, unsigned long long *v)
{
	size_t	 i = 0;

	*v = 0;
	while (i < width && p[i] == ' ')
		i++;
	if (i == width || p[i] < '0' || p[i] > '7')
		return -1;
	for (; i < width && p[i] >= '0' && p[i] <= '7'; i++) {
		if (*v > (1ULL << 60))
			return -1;
		*v = *v * 8 + (unsigned long long)(p[i] - '0');
	}
	for (; i < width; i++)
		if (p[i] != ' ' && p[i] != '\0')
			return -1;
	return 0;
}

/*
 * The member at *off: 1 with *m filled in (name and data borrowed from tar),
 * 0 at the two zero blocks that end an archive, -1 when the archive is
 * corrupt or holds anything but a regular file or a directory.
 */
int
tar_next(const void *tar, size_t len, size_t *off, struct tar_member *m)
{
	const unsigned char	*h = (const unsigned char *)tar + *off;
	unsigned long long	 size, want;
	unsigned		 sum = 0;
	size_t			 i, n;

	if (*off + BLOCK > len)
		return -1;
	for (i = 0; i < BLOCK && h[i] == 0; i++)
		;
	if (i == BLOCK) {
		/* The end is two zero blocks: one alone is a cut archive. */
		if (*off + 2 * BLOCK > len)
			return -1;
		for (; i < 2 * BLOCK && h[i] == 0; i++)
			;
		return i == 2 * BLOCK ? 0 : -1;
	}
	for (i = 0; i < BLOCK; i++)
		sum += (i >= 148 && i < 156) ? ' ' : h[i];
	if (parse_octal((const char *)h + 148, 8, &want) == -1 || want != sum)
		return -1;
	if (h[156] != '0' && h[156] != '\0' && h[156] != '5')
		return -1;
	if (h[345] != '\0')	/* a ustar prefix: none of ours has one */
		return -1;
	if (parse_octal((const char *)h + 124, 12, &size) == -1)
		return -1;
	for (n = 0; n < 100 && h[n] != '\0'; n++)
		;
	if (n == 0 || n == 100)
		return -1;
	if (size > len - *off - BLOCK)
		return -1;
	memcpy(m->name, h, n);
	m->name[n] = '\0';
	m->type = h[156] == '5' ? '5' : '0';
	if (m->type == '5' && size != 0)
		return -1;
	m->data = h + BLOCK;
	m->len = (size_t)size;
	*off += BLOCK + ((size_t)size + BLOCK - 1) / BLOCK * BLOCK;
	if (*off > len)
		return -1;
	return 1;
}

/*
 * A gzip'd tar written as it is made, for archives larger than memory
 * should hold: each member's header, then its data in pieces (padded once
 * all of it came), the compressed bytes handed to the sink as they come.
 * Every call returns 0, or -1 once the sink or zlib failed (and from then
 * on).
 */
static int
tgz_deflate(struct tgz *t, const void *in, size_t len, int flush)
{
	unsigned char	 out[65536];
	int		 rc;

	if (t->failed)
		return -1;
	t->z.next_in = (unsigned char *)(uintptr_t)in;
	t->z.avail_in = (uInt)len;
	do {
		t->z.next_out = out;
		t->z.avail_out = sizeof out;
		rc = deflate(&t->z, flush);
		if (rc == Z_STREAM_ERROR || (sizeof out - t->z.avail_out > 0 &&
		    t->sink(t->arg, out, sizeof out - t->z.avail_out) == -1)) {
			t->failed = true;
			return -1;
		}
	} while (t->z.avail_out == 0 || (flush == Z_FINISH &&
	    rc != Z_STREAM_END));
	return 0;
}

int
tgz_open(struct tgz *t, int (*sink)(void *, const void *, size_t), void *arg)
{
	memset(t, 0, sizeof *t);
	t->sink = sink;
	t->arg = arg;
	if (deflateInit2(&t->z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY)
	    != Z_OK)
		return -1;
	t->open = true;
	return 0;
}

int
tgz_member(struct tgz *t, const char *name, size_t len, long long mtime)
{
	char	 h[BLOCK];

	if (t->failed)
		return -1;
	if (t->left != 0)
		abort();	/* the last member is not complete */
	tar_header(h, name, len, mtime);
	t->left = len;
	t->pad = (BLOCK - len % BLOCK) % BLOCK;
	return tgz_deflate(t, h, BLOCK, Z_NO_FLUSH);
}

int
tgz_write(struct tgz *t, const void *data, size_t len)
{
	static const char	 zero[BLOCK];

	if (t->failed)
		return -1;
	if (len > t->left)
		abort();	/* more than the header said */
	t->left -= len;
	if (tgz_deflate(t, data, len, Z_NO_FLUSH) == -1)
		return -1;
	return t->left == 0 ? tgz_deflate(t, zero, t->pad, Z_NO_FLUSH) : 0;
}

/* The sink of a gzip made in memory. */
static int
buf_sink(void *arg, const void *data, size_t len)
{
	buf_add(arg, data, len);
	return 0;
}

/* One gzip member of in, appended to out: 0, or -1. */
int
gzip_compress(const void *in, size_t len, struct buf *out)
{
	struct tgz	 t;
	int		 rc;

	if (tgz_open(&t, buf_sink, out) == -1)
		return -1;
	rc = tgz_deflate(&t, in, len, Z_FINISH);
	deflateEnd(&t.z);
	return rc;
}

/*
 * The file at PATH as member NAME, read in pieces; its SHA-256 in hex goes
 * to sum.  0, or -1 (errno says why when the file was the trouble).
 */
int
tgz_file(struct tgz *t, const char *name, const char *path, long long mtime,
    char sum[65])
{
	unsigned char		 chunk[65536], md[SHA256_DIGEST_LENGTH];
	struct stat		 sb;
	EVP_MD_CTX		*ctx;
	size_t			 left;
	ssize_t			 n;
	int			 fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &sb) == -1 || (ctx = EVP_MD_CTX_new()) == NULL) {
		close(fd);
		return -1;
	}
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    tgz_member(t, name, (size_t)sb.st_size, mtime) == -1)
		goto out;
	for (left = (size_t)sb.st_size; left > 0; left -= (size_t)n) {
		n = read(fd, chunk, left < sizeof chunk ? left : sizeof chunk);
		if (n <= 0) {
			/* The copy is ours alone: it cannot shrink. */
			if (n == 0)
				errno = EIO;
			goto out;
		}
		if (EVP_DigestUpdate(ctx, chunk, (size_t)n) != 1 ||
		    tgz_write(t, chunk, (size_t)n) == -1)
			goto out;
	}
	if (EVP_DigestFinal_ex(ctx, md, NULL) != 1)
		goto out;
	hex(md, sizeof md, sum);
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	close(fd);
	return rc;
}

/* The two zero blocks and the gzip trailer: 0, or -1. */
int
tgz_close(struct tgz *t)
{
	static const char	 zero[2 * BLOCK];
	int			 rc = -1;

	if (t->open && t->left == 0 &&
	    tgz_deflate(t, zero, sizeof zero, Z_FINISH) == 0)
		rc = 0;
	if (t->open)
		deflateEnd(&t->z);
	t->open = false;
	return rc;
}

/*
 * Inflates one gzip member into out, at most max bytes: 0, or -1 when the
 * input is not gzip, is truncated, has trailing bytes or inflates past max.
 */
int
gzip_decompress(const void *in, size_t len, size_t max, struct buf *out)
{
	z_stream	 z;
	unsigned char	 chunk[65536];
	int		 rc;

	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return -1;
	z.next_in = (unsigned char *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof chunk;
		rc = inflate(&z, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END)
			break;
		buf_add(out, chunk, sizeof chunk - z.avail_out);
		if (out->len > max) {
			rc = Z_DATA_ERROR;
			break;
		}
		if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
			rc = Z_BUF_ERROR;	/* truncated */
			break;
		}
	} while (rc != Z_STREAM_END);
	if (rc == Z_STREAM_END && z.avail_in != 0)
		rc = Z_DATA_ERROR;
	inflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -1;
}

static void
hex(const unsigned char *b, size_t n, char *out)
{
	static const char	 digits[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

void
sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char	 md[SHA256_DIGEST_LENGTH];

	SHA256(data, len, md);
	hex(md, sizeof md, out);
}

/* HMAC-SHA256 of the sums under HMAC-SHA256(salt, "catalogd snapshot seal"). */
void
snapshot_seal(const unsigned char salt[SALT_LEN], const void *sums,
    size_t len, char out[65])
{
	static const char	 label[] = "catalogd snapshot seal";
	unsigned char		 key[32], md[32];
	unsigned int		 klen = sizeof key, mlen = sizeof md;

	HMAC(EVP_sha256(), salt, SALT_LEN, (const unsigned char *)label,
	    sizeof label - 1, key, &klen);
	HMAC(EVP_sha256(), key, (int)klen, sums, len, md, &mlen);
	hex(md, mlen, out);
	explicit_bzero(key, sizeof key);
}

/*
 * Whether sealed (the bytes of SHA256SUMS.sealed: 64 hex digits, then at
 * most one newline) is the seal of sums under salt.  An empty or short
 * seal is refused; the digits are compared in constant time.
 */
bool
snapshot_seal_ok(const unsigned char salt[SALT_LEN], const void *sums,
    size_t len, const void *sealed, size_t sealed_len)
{
	const unsigned char	*s = sealed;
	char			 want[65];

	if (sealed_len != 64 && (sealed_len != 65 || s[64] != '\n'))
		return false;
	snapshot_seal(salt, sums, len, want);
	return CRYPTO_memcmp(s, want, 64) == 0;
}
