/*
 * archive_test.c: lib/archive.c, the snapshot's container.  Round trips of
 * members at the block and name-length edges through tar and gzip; SHA-256
 * against the published vectors and the SHA256SUMS line sha256sum writes;
 * the seal against an independently computed value; a table of damaged
 * headers and cuts the reader must refuse; gzip that is not gzip, is
 * damaged or inflates past the caller's bound; then seeded single-byte
 * flips of a whole snapshot, which must be refused or caught by the sums.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "lib/lib.h"
#include "tests/unit/check.h"

#define BLOCK		512
#define MAX_READ	16

static size_t
padded(size_t n)
{
	return (n + BLOCK - 1) / BLOCK * BLOCK;
}

/* The bytes of member k, so that no two members look alike. */
static void
fill(unsigned char *p, size_t len, unsigned k)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(k * 31 + i * 7 + (i >> 9));
}

/* A tar header's checksum recomputed after an edit, as tar writes it. */
static void
rechecksum(unsigned char *h)
{
	unsigned	 sum = 0;
	size_t		 i;

	memset(h + 148, ' ', 8);
	for (i = 0; i < BLOCK; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
}

/* Every member of tar into m: tar_next's last answer, *n the count. */
static int
read_all(const void *tar, size_t len, struct tar_member *m, size_t *n)
{
	size_t	 off = 0;
	int	 r;

	*n = 0;
	while (*n < MAX_READ && (r = tar_next(tar, len, &off, &m[*n])) == 1)
		(*n)++;
	return *n == MAX_READ ? -1 : r;
}

/* n zero bytes as one gzip member, deflated a chunk at a time. */
static int
gzip_zeros(size_t n, struct buf *out)
{
	static const unsigned char	 zeros[65536];
	unsigned char			 chunk[65536];
	z_stream			 z;
	size_t				 step;
	int				 rc = Z_STREAM_ERROR;

	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY)
	    != Z_OK)
		return -1;
	do {
		step = n > sizeof zeros ? sizeof zeros : n;
		n -= step;
		z.next_in = (unsigned char *)(uintptr_t)zeros;
		z.avail_in = (uInt)step;
		do {
			z.next_out = chunk;
			z.avail_out = sizeof chunk;
			rc = deflate(&z, n == 0 ? Z_FINISH : Z_NO_FLUSH);
			buf_add(out, chunk, sizeof chunk - z.avail_out);
		} while (z.avail_out == 0);
	} while (n > 0);
	deflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -1;
}

/* Round trips: names, sizes and bytes come back in order. */
static void
test_round_trip(void)
{
	static char		 name99[100], slash[100];
	struct {
		const char	*name;
		size_t		 len;
	} in[] = {
		{ "empty", 0 },
		{ "one", 1 },
		{ "block", BLOCK },
		{ "block-and-one", BLOCK + 1 },
		{ name99, 3 },		/* the longest name tar_add takes */
		{ slash, 2 * BLOCK - 1 },
		{ "big", 200000 },	/* past inflate's 64 KiB chunks */
	};
	struct tar_member	 m[MAX_READ];
	struct buf		 tar, gz, out;
	unsigned char		*data;
	size_t			 i, n, want = 0, off;
	int			 r;

	memset(name99, 'a', 99);
	memcpy(slash, "state/", 6);
	memset(slash + 6, 'b', 93);
	buf_init(&tar);
	buf_init(&gz);
	buf_init(&out);
	for (i = 0; i < sizeof in / sizeof in[0]; i++) {
		data = xmalloc(in[i].len + 1);
		fill(data, in[i].len, (unsigned)i);
		tar_add(&tar, in[i].name, data, in[i].len, 1700000000);
		free(data);
		want += BLOCK + padded(in[i].len);
	}
	tar_finish(&tar);
	want += 2 * BLOCK;
	CHECK(tar.len == want, "tar length: got %zu, want %zu", tar.len, want);

	r = gzip_compress(tar.data, tar.len, &gz);
	CHECK(r == 0, "gzip_compress: got %d, want 0", r);
	CHECK(gz.len >= 18 && (unsigned char)gz.data[0] == 0x1f &&
	    (unsigned char)gz.data[1] == 0x8b, "gzip magic: got %zu bytes "
	    "starting %02x, want 1f 8b", gz.len, (unsigned char)gz.data[0]);
	/* Exactly at the bound inflates; one byte under is refused. */
	r = gzip_decompress(gz.data, gz.len, tar.len - 1, &out);
	CHECK(r == -1, "gunzip with a bound one under its size: got %d, "
	    "want -1", r);
	out.len = 0;
	r = gzip_decompress(gz.data, gz.len, tar.len, &out);
	CHECK(r == 0, "gunzip with the bound at its size: got %d, want 0", r);
	CHECK(out.len == tar.len && memcmp(out.data, tar.data, tar.len) == 0,
	    "gunzip: got %zu bytes, want the %zu written", out.len, tar.len);

	off = 0;
	for (i = 0; i < sizeof in / sizeof in[0]; i++) {
		r = tar_next(out.data, out.len, &off, &m[0]);
		CHECK(r == 1, "member %zu: got %d, want 1", i, r);
		if (r != 1)
			break;
		CHECK_STR(m[0].name, in[i].name, "member name");
		CHECK(m[0].type == '0', "%s type: got '%c', want '0'",
		    in[i].name, m[0].type);
		CHECK(m[0].len == in[i].len, "%s length: got %zu, want %zu",
		    in[i].name, m[0].len, in[i].len);
		data = xmalloc(in[i].len + 1);
		fill(data, in[i].len, (unsigned)i);
		CHECK(m[0].len == in[i].len &&
		    (const char *)m[0].data > out.data &&
		    (const char *)m[0].data + m[0].len <= out.data + out.len &&
		    memcmp(m[0].data, data, in[i].len) == 0,
		    "%s bytes: got others, want the %zu written", in[i].name,
		    in[i].len);
		free(data);
	}
	r = tar_next(out.data, out.len, &off, &m[0]);
	CHECK(r == 0, "after the last member: got %d, want 0 (the end)", r);
	CHECK(off == tar.len - 2 * BLOCK, "end offset: got %zu, want %zu",
	    off, tar.len - 2 * BLOCK);
	r = read_all(out.data, out.len, m, &n);
	CHECK(r == 0 && n == sizeof in / sizeof in[0], "read_all: got %d "
	    "and %zu members, want 0 and %zu", r, n, sizeof in / sizeof in[0]);

	/* An archive of no members: just the end blocks. */
	tar.len = 0;
	tar_finish(&tar);
	r = read_all(tar.data, tar.len, m, &n);
	CHECK(r == 0 && n == 0, "empty archive: got %d and %zu members, "
	    "want 0 and 0", r, n);
	buf_free(&tar);
	buf_free(&gz);
	buf_free(&out);
}

/* A name of 100 bytes cannot be written: tar_add calls it a bug. */
static void
test_name_100(void)
{
	char	 name[101];
	pid_t	 pid;
	int	 status = 0;

	memset(name, 'n', 100);
	name[100] = '\0';
	if ((pid = fork()) == 0) {
		struct buf	 b;

		buf_init(&b);
		tar_add(&b, name, "", 0, 0);
		_exit(0);
	}
	CHECK(pid > 0, "fork: got %d, want a child", (int)pid);
	if (pid <= 0)
		return;
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
	    "tar_add with a 100-byte name: got status %#x, want SIGABRT",
	    status);
}

static const struct {
	const char	*text;
	const char	*hex;
} vectors[] = {
	{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc",
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
};

/* What "sha256sum abc empty" prints for files holding "abc" and nothing. */
static const char sums_abc_empty[] =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  abc\n"
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  empty\n";

static void
test_sha256(void)
{
	struct tar_member	 m[MAX_READ];
	struct buf		 tar, sums;
	char			 hex[65], *a;
	size_t			 i, n;
	int			 r;

	for (i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
		memset(hex, 'x', sizeof hex);
		sha256_hex(vectors[i].text, strlen(vectors[i].text), hex);
		CHECK(hex[64] == '\0' && strcmp(hex, vectors[i].hex) == 0,
		    "sha256 of \"%s\": got %.64s, want %s", vectors[i].text,
		    hex, vectors[i].hex);
	}
	/* Many blocks: FIPS 180-2's million "a". */
	a = xmalloc(1000000);
	memset(a, 'a', 1000000);
	sha256_hex(a, 1000000, hex);
	free(a);
	CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e04"
	    "6d39ccc7112cd0", "sha256 of a million a");

	/* The sums of members read back, in sha256sum's format. */
	buf_init(&tar);
	buf_init(&sums);
	tar_add(&tar, "abc", "abc", 3, 0);
	tar_add(&tar, "empty", "", 0, 0);
	tar_finish(&tar);
	r = read_all(tar.data, tar.len, m, &n);
	CHECK(r == 0 && n == 2, "sums archive: got %d and %zu members, want "
	    "0 and 2", r, n);
	for (i = 0; r == 0 && i < n; i++) {
		sha256_hex(m[i].data, m[i].len, hex);
		buf_printf(&sums, "%s  %s\n", hex, m[i].name);
	}
	buf_addc(&sums, '\0');
	CHECK_STR(sums.data, sums_abc_empty, "SHA256SUMS");
	buf_free(&tar);
	buf_free(&sums);
}

static void
test_seal(void)
{
	/* HMAC-SHA256(HMAC-SHA256(salt, label), sums), outside catalogd. */
	static const char	 want[] = "203adc73100ae9e9ebf1b532291ceb27fc"
	    "cfc79735bb934431a0ada44b472d2b";
	unsigned char		 salt[SALT_LEN], other[SALT_LEN];
	char			 sums[sizeof sums_abc_empty], seal[65], s2[65];
	char			 text[80];
	size_t			 i, len = sizeof sums_abc_empty - 1, same;
	bool			 ok;
	struct {
		const char	*what;
		const char	*edit;	/* printf'd with the right seal */
		int		 at;	/* a byte to change, or -1 */
		bool		 want;
	} seals[] = {
		{ "the seal", "%s", -1, true },
		{ "the seal and a newline", "%s\n", -1, true },
		{ "empty", "", -1, false },
		{ "only a newline", "\n", -1, false },
		{ "63 digits", "%.63s", -1, false },
		{ "63 digits and a newline", "%.63s\n", -1, false },
		{ "two newlines", "%s\n\n", -1, false },
		{ "CRLF", "%s\r\n", -1, false },
		{ "a space after", "%s ", -1, false },
		{ "a 65th digit", "%s0", -1, false },
		{ "the first digit changed", "%s", 0, false },
		{ "the last digit changed", "%s", 63, false },
	};

	for (i = 0; i < SALT_LEN; i++)
		salt[i] = (unsigned char)i;
	memcpy(sums, sums_abc_empty, sizeof sums);
	snapshot_seal(salt, sums, len, seal);
	CHECK_STR(seal, want, "seal of a known SHA256SUMS");
	snapshot_seal(salt, sums, len, s2);
	CHECK_STR(s2, seal, "the same sums sealed again");

	for (i = same = 0; i < len; i++) {
		sums[i] ^= 1;
		snapshot_seal(salt, sums, len, s2);
		same += strcmp(s2, seal) == 0;
		sums[i] ^= 1;
	}
	CHECK(same == 0, "sums with one byte changed: got %zu of %zu with "
	    "the same seal, want 0", same, len);
	snapshot_seal(salt, sums, len - 1, s2);
	CHECK(strcmp(s2, seal) != 0, "sums one byte short: got the same "
	    "seal %s, want another", s2);
	memcpy(other, salt, sizeof other);
	for (i = same = 0; i < SALT_LEN; i++) {
		other[i] ^= 0x80;
		snapshot_seal(other, sums, len, s2);
		same += strcmp(s2, seal) == 0;
		other[i] ^= 0x80;
	}
	CHECK(same == 0, "keys with one byte changed: got %zu of %d with "
	    "the same seal, want 0", same, SALT_LEN);

	for (i = 0; i < sizeof seals / sizeof seals[0]; i++) {
		snprintf(text, sizeof text, seals[i].edit, seal);
		if (seals[i].at >= 0)
			text[seals[i].at] = text[seals[i].at] == '0' ?
			    '1' : '0';
		ok = snapshot_seal_ok(salt, sums, len, text, strlen(text));
		CHECK(ok == seals[i].want, "seal check, %s: got %d, want %d",
		    seals[i].what, ok, seals[i].want);
	}
	for (i = 0; i < 64; i++)
		text[i] = seal[i] >= 'a' ? (char)(seal[i] - 'a' + 'A') :
		    seal[i];
	ok = snapshot_seal_ok(salt, sums, len, text, 64);
	CHECK(!ok || strspn(seal, "0123456789") == 64, "seal check, upper "
	    "case: got %d, want 0 (the file holds lower case)", ok);
	other[0] ^= 1;
	ok = snapshot_seal_ok(other, sums, len, seal, 64);
	CHECK(!ok, "seal check under another key: got %d, want 0", ok);
	sums[0] = sums[0] == 'b' ? 'c' : 'b';
	ok = snapshot_seal_ok(salt, sums, len, seal, 64);
	CHECK(!ok, "seal check of changed sums: got %d, want 0", ok);
}

/*
 * Damaged headers: one member "state/a.db" of 600 bytes, edited in its
 * header (up to two edits, then the checksum recomputed or not), and what
 * the reader's first call must answer.
 */
struct edit {
	size_t		 at;
	const char	*bytes;
	size_t		 n;
};
static const struct {
	const char	*what;
	struct edit	 e[2];
	bool		 fix;
	int		 want;
	const char	*name;		/* when read: the name, type '0' */
	char		 type;
} heads[] = {
	{ "untouched", { { 0, "", 0 } }, false, 1, "state/a.db", '0' },
	{ "a name byte without its checksum", { { 0, "t", 1 } }, false, -1,
	    NULL, 0 },
	{ "checksum one more", { { 0, "", 0 } }, false, -2, NULL, 0 },
	{ "checksum not octal", { { 148, "0000x0\0 ", 8 } }, false, -1,
	    NULL, 0 },
	{ "checksum with an 8", { { 148, "000008\0 ", 8 } }, false, -1,
	    NULL, 0 },
	{ "checksum empty", { { 148, "\0\0\0\0\0\0\0\0", 8 } }, false, -1,
	    NULL, 0 },
	{ "checksum ended by NUL alone", { { 155, "\0", 1 } }, false, 1,
	    "state/a.db", '0' },
	{ "size not octal", { { 124, "0000000011x\0", 12 } }, true, -1,
	    NULL, 0 },
	{ "size with a 9", { { 124, "00000001190\0", 12 } }, true, -1,
	    NULL, 0 },
	{ "size empty", { { 124, "\0\0\0\0\0\0\0\0\0\0\0\0", 12 } }, true,
	    -1, NULL, 0 },
	{ "size in spaces", { { 124, "           \0", 12 } }, true, -1,
	    NULL, 0 },
	{ "size in base-256", { { 124, "\x80\0\0\0\0\0\0\0\0\0\x02\x58",
	    12 } }, true, -1, NULL, 0 },
	{ "size a byte past the archive", { { 124, "00000004001\0", 12 } },
	    true, -1, NULL, 0 },
	{ "size to the archive's last byte", { { 124, "00000004000\0", 12 } },
	    true, 1, "state/a.db", '0' },
	{ "size huge", { { 124, "77777777777\0", 12 } }, true, -1, NULL, 0 },
	{ "size after spaces", { { 124, "       1130\0", 12 } }, true, 1,
	    "state/a.db", '0' },
	{ "name empty", { { 0, "\0", 1 } }, true, -1, NULL, 0 },
	{ "name of 100 bytes", { { 0, "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
	    "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn", 100 } },
	    true, -1, NULL, 0 },
	{ "name ends at its NUL", { { 0, "ab\0", 3 } }, true, 1, "ab", '0' },
	/* Names are the caller's to allow: the reader hands them over whole. */
	{ "name with ..", { { 0, "state/../../x\0", 14 } }, true, 1,
	    "state/../../x", '0' },
	{ "name absolute", { { 0, "/etc/passwd\0", 12 } }, true, 1,
	    "/etc/passwd", '0' },
	{ "ustar prefix", { { 345, "usr", 3 } }, true, -1, NULL, 0 },
	{ "type old-style regular", { { 156, "\0", 1 } }, true, 1,
	    "state/a.db", '0' },
	{ "type hard link", { { 156, "1", 1 }, { 157, "state/b.db", 10 } },
	    true, -1, NULL, 0 },
	{ "type symlink", { { 156, "2", 1 }, { 157, "/etc/passwd", 11 } },
	    true, -1, NULL, 0 },
	{ "type character device", { { 156, "3", 1 } }, true, -1, NULL, 0 },
	{ "type block device", { { 156, "4", 1 } }, true, -1, NULL, 0 },
	{ "type FIFO", { { 156, "6", 1 } }, true, -1, NULL, 0 },
	{ "type contiguous", { { 156, "7", 1 } }, true, -1, NULL, 0 },
	{ "type pax header", { { 156, "x", 1 } }, true, -1, NULL, 0 },
	{ "type pax global", { { 156, "g", 1 } }, true, -1, NULL, 0 },
	{ "type GNU long name", { { 156, "L", 1 } }, true, -1, NULL, 0 },
	{ "type GNU long link", { { 156, "K", 1 } }, true, -1, NULL, 0 },
	{ "directory with data", { { 156, "5", 1 } }, true, -1, NULL, 0 },
	{ "directory", { { 156, "5", 1 }, { 124, "00000000000\0", 12 } },
	    true, 1, "state/a.db", '5' },
};

static void
base_archive(struct buf *tar)
{
	unsigned char	 data[600];

	fill(data, sizeof data, 9);
	tar->len = 0;
	tar_add(tar, "state/a.db", data, sizeof data, 0);
	tar_finish(tar);
}

static void
test_headers(void)
{
	struct tar_member	 m;
	struct buf		 tar;
	unsigned char		*h;
	size_t			 i, j, off;
	unsigned long		 sum;
	int			 r;

	buf_init(&tar);
	for (i = 0; i < sizeof heads / sizeof heads[0]; i++) {
		base_archive(&tar);
		h = (unsigned char *)tar.data;
		for (j = 0; j < 2; j++)
			if (heads[i].e[j].n > 0)
				memcpy(h + heads[i].e[j].at, heads[i].e[j].bytes,
				    heads[i].e[j].n);
		if (heads[i].fix)
			rechecksum(h);
		if (heads[i].want == -2) {	/* the checksum plus one */
			sum = strtoul((char *)h + 148, NULL, 8) + 1;
			snprintf((char *)h + 148, 8, "%06lo", sum);
		}
		off = 0;
		memset(&m, 0, sizeof m);
		r = tar_next(tar.data, tar.len, &off, &m);
		CHECK(r == (heads[i].want == -2 ? -1 : heads[i].want),
		    "%s: got %d, want %d", heads[i].what, r,
		    heads[i].want == -2 ? -1 : heads[i].want);
		if (r != 1 || heads[i].name == NULL)
			continue;
		CHECK_STR(m.name, heads[i].name, heads[i].what);
		CHECK(m.type == heads[i].type, "%s: got type '%c', want '%c'",
		    heads[i].what, m.type, heads[i].type);
	}
	buf_free(&tar);
}

/* Cuts of the 2,560-byte base archive: every one is refused. */
static void
test_cuts(void)
{
	static const size_t	 cuts[] = {
		0, 1, 100, 511,			/* inside the header */
		512, 513, 700, 1023,		/* inside the data */
		1024, 1111, 1112, 1535,		/* inside the padding */
		1536,				/* before the end blocks */
		1537, 2047, 2048, 2559,		/* inside the end blocks */
	};
	struct tar_member	 m[MAX_READ];
	struct buf		 tar;
	size_t			 i, n;
	int			 r;

	buf_init(&tar);
	base_archive(&tar);
	r = read_all(tar.data, tar.len, m, &n);
	CHECK(r == 0 && n == 1 && tar.len == 2560, "base archive: got %d, "
	    "%zu members, %zu bytes, want 0, 1, 2560", r, n, tar.len);
	for (i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		r = read_all(tar.data, cuts[i], m, &n);
		CHECK(r == -1, "archive cut at %zu of %zu: got %d after %zu "
		    "members, want -1", cuts[i], tar.len, r, n);
	}
	/* One zero block, then something else, is no end either. */
	tar.data[2048 + 100] = 'x';
	r = read_all(tar.data, tar.len, m, &n);
	CHECK(r == -1, "second end block not zero: got %d after %zu members, "
	    "want -1", r, n);
	buf_free(&tar);
}

static void
test_gzip(void)
{
	struct buf	 tar, gz, bad, out;
	unsigned char	 zbuf[4096];
	uLongf		 zlen = sizeof zbuf;
	size_t		 i, cap;
	int		 r;
	struct {
		const char	*what;
		size_t		 cut;	/* keep this many bytes, 0: all */
		long		 at;	/* flip this byte (from the end if < 0) */
		int		 twice;	/* append the stream again */
		int		 extra;	/* append a zero byte */
	} damage[] = {
		{ "wrong magic", 0, 0, 0, 0 },
		{ "wrong method", 0, 2, 0, 0 },
		{ "deflate data", 0, 40, 0, 0 },
		{ "CRC-32", 0, -8, 0, 0 },
		{ "length", 0, -1, 0, 0 },
		{ "cut inside the gzip header", 5, 0x7fff, 0, 0 },
		{ "cut after the gzip header", 10, 0x7fff, 0, 0 },
		{ "cut inside the data", 60, 0x7fff, 0, 0 },
		{ "cut before the trailer", (size_t)-8, 0x7fff, 0, 0 },
		{ "cut inside the trailer", (size_t)-1, 0x7fff, 0, 0 },
		{ "a trailing byte", 0, 0x7fff, 0, 1 },
		{ "a second member", 0, 0x7fff, 1, 0 },
	};

	buf_init(&tar);
	buf_init(&gz);
	buf_init(&bad);
	buf_init(&out);
	base_archive(&tar);
	r = gzip_compress(tar.data, tar.len, &gz);
	CHECK(r == 0 && gz.len > 80, "gzip of the base archive: got %d and "
	    "%zu bytes, want 0 and more than 80", r, gz.len);

	r = gzip_decompress("", 0, 1 << 20, &out);
	CHECK(r == -1, "gunzip of nothing: got %d, want -1", r);
	r = gzip_decompress(tar.data, tar.len, 1 << 20, &out);
	CHECK(r == -1, "gunzip of a plain tar: got %d, want -1", r);
	out.len = 0;
	r = compress2(zbuf, &zlen, (const Bytef *)tar.data, tar.len, 6);
	CHECK(r == Z_OK, "compress2: got %d, want %d", r, Z_OK);
	r = gzip_decompress(zbuf, zlen, 1 << 20, &out);
	CHECK(r == -1, "gunzip of a zlib stream: got %d, want -1", r);

	for (i = 0; i < sizeof damage / sizeof damage[0]; i++) {
		bad.len = 0;
		buf_add(&bad, gz.data, gz.len);
		if (damage[i].cut != 0)
			bad.len = damage[i].cut < gz.len ? damage[i].cut :
			    gz.len + damage[i].cut;
		if (damage[i].at != 0x7fff)
			bad.data[damage[i].at >= 0 ? (size_t)damage[i].at :
			    gz.len - (size_t)-damage[i].at] ^= 0x20;
		if (damage[i].twice)
			buf_add(&bad, gz.data, gz.len);
		if (damage[i].extra)
			buf_addc(&bad, '\0');
		out.len = 0;
		r = gzip_decompress(bad.data, bad.len, 1 << 20, &out);
		CHECK(r == -1, "gunzip, %s: got %d, want -1", damage[i].what, r);
	}
	out.len = 0;
	r = gzip_decompress(gz.data, gz.len, 1 << 20, &out);
	CHECK(r == 0 && out.len == tar.len, "gunzip, undamaged: got %d and "
	    "%zu bytes, want 0 and %zu", r, out.len, tar.len);

	/*
	 * A bomb: 256 MiB of zeros in about 256 KiB.  The restore's bound is
	 * 100 x the body limit, at most 1 GiB (fcgi/snapshot.c INFLATE_CAP);
	 * the bound is the caller's, so 1 MiB here.  Refused having held at
	 * most the bound and one 64 KiB chunk.
	 */
	bad.len = 0;
	r = gzip_zeros((size_t)256 << 20, &bad);
	CHECK(r == 0 && bad.len < ((size_t)256 << 20) / 500, "gzip of 256 "
	    "MiB of zeros: got %d and %zu bytes, want 0 and under 512 KiB",
	    r, bad.len);
	cap = (size_t)1 << 20;
	out.len = 0;
	r = gzip_decompress(bad.data, bad.len, cap, &out);
	CHECK(r == -1, "gunzip of 256 MiB bounded at 1 MiB: got %d, want -1",
	    r);
	CHECK(out.len > cap && out.len <= cap + 65536, "bomb inflated to "
	    "%zu bytes, want between %zu and %zu", out.len, cap + 1,
	    cap + 65536);
	CHECK(out.cap <= 2 * (cap + 65536), "bomb's buffer: got %zu bytes, "
	    "want at most %zu", out.cap, 2 * (cap + 65536));
	/* Zeros exactly at the bound are fine. */
	bad.len = 0;
	r = gzip_zeros(cap, &bad);
	out.len = 0;
	r = gzip_decompress(bad.data, bad.len, cap, &out);
	CHECK(r == 0 && out.len == cap, "gunzip of 1 MiB of zeros bounded at "
	    "1 MiB: got %d and %zu bytes, want 0 and %zu", r, out.len, cap);
	buf_free(&tar);
	buf_free(&gz);
	buf_free(&bad);
	buf_free(&out);
}

/*
 * A whole snapshot (meta.json, state/, SHA256SUMS and its seal) checked
 * as a restore does: 0 when every member is listed once with its sum and
 * the seal holds, 1 when the sums or seal catch it, -1 when the reader
 * refuses it.
 */
static int
check_snapshot(const void *tar, size_t len, const unsigned char *salt,
    struct tar_member *m, size_t *n)
{
	const struct tar_member	*sums = NULL, *sealed = NULL;
	const char		*p, *end, *nl;
	char			 hash[65];
	size_t			 i, listed[MAX_READ];

	if (read_all(tar, len, m, n) != 0)
		return -1;
	for (i = 0; i < *n; i++) {
		if (strcmp(m[i].name, "SHA256SUMS") == 0 && sums == NULL)
			sums = &m[i];
		else if (strcmp(m[i].name, "SHA256SUMS.sealed") == 0 &&
		    sealed == NULL)
			sealed = &m[i];
	}
	if (sums == NULL || sealed == NULL || !snapshot_seal_ok(salt,
	    sums->data, sums->len, sealed->data, sealed->len))
		return 1;
	memset(listed, 0, sizeof listed);
	for (p = (const char *)sums->data, end = p + sums->len; p < end;
	    p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL ||
		    nl - p < 67 || p[64] != ' ' || p[65] != ' ')
			return 1;
		for (i = 0; i < *n; i++)
			if (strlen(m[i].name) == (size_t)(nl - p - 66) &&
			    memcmp(m[i].name, p + 66, (size_t)(nl - p - 66))
			    == 0)
				break;
		if (i == *n || &m[i] == sums || &m[i] == sealed || listed[i]++)
			return 1;
		sha256_hex(m[i].data, m[i].len, hash);
		if (memcmp(hash, p, 64) != 0)
			return 1;
	}
	for (i = 0; i < *n; i++)
		if (&m[i] != sums && &m[i] != sealed && !listed[i])
			return 1;
	return 0;
}

static uint32_t
xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/*
 * Seeded flips of one byte, in the gzip stream and then in the tar inside
 * it: each must be refused, caught by the sums or seal, or (a byte nobody
 * reads: gzip's mtime, a block's padding) give back the same members.
 */
static void
test_flips(void)
{
	static const char *const names[] = {
		"meta.json", "state/meta.db", "state/log.0000000001",
	};
	static const size_t	 lens[] = { 22, 5000, 3000 };
	struct tar_member	 orig[MAX_READ], m[MAX_READ];
	unsigned char		 salt[SALT_LEN], *data;
	struct buf		 tar, sums, gz, work, out;
	char			 hash[65], seal[66];
	size_t			 i, k, norig, n, at, same;
	size_t			 refused, caught, unread, wrong;
	uint32_t		 seed = 20240607;
	int			 pass, r;

	for (i = 0; i < SALT_LEN; i++)
		salt[i] = (unsigned char)(i * 7 + 1);
	buf_init(&tar);
	buf_init(&sums);
	buf_init(&gz);
	buf_init(&work);
	buf_init(&out);
	for (i = 0; i < 3; i++) {
		data = xmalloc(lens[i]);
		fill(data, lens[i], (unsigned)i + 40);
		if (i == 0)
			memcpy(data, "{\"catalogd_format\": 1}", lens[0]);
		tar_add(&tar, names[i], data, lens[i], 1700000000);
		sha256_hex(data, lens[i], hash);
		buf_printf(&sums, "%s  %s\n", hash, names[i]);
		free(data);
	}
	tar_add(&tar, "SHA256SUMS", sums.data, sums.len, 1700000000);
	snapshot_seal(salt, sums.data, sums.len, seal);
	strcat(seal, "\n");
	tar_add(&tar, "SHA256SUMS.sealed", seal, 65, 1700000000);
	tar_finish(&tar);
	r = check_snapshot(tar.data, tar.len, salt, orig, &norig);
	CHECK(r == 0 && norig == 5, "the snapshot undamaged: got %d and %zu "
	    "members, want 0 and 5", r, norig);
	r = gzip_compress(tar.data, tar.len, &gz);
	CHECK(r == 0, "gzip of the snapshot: got %d, want 0", r);

	for (pass = 0; pass < 2; pass++) {
		refused = caught = unread = wrong = 0;
		for (k = 0; k < 2000; k++) {
			work.len = 0;
			buf_add(&work, pass == 0 ? gz.data : tar.data,
			    pass == 0 ? gz.len : tar.len);
			at = xorshift(&seed) % work.len;
			work.data[at] ^= (char)(1 + xorshift(&seed) % 255);
			if (pass == 0) {
				out.len = 0;
				if (gzip_decompress(work.data, work.len,
				    4 * tar.len, &out) == -1) {
					refused++;
					continue;
				}
				r = check_snapshot(out.data, out.len, salt, m,
				    &n);
			} else
				r = check_snapshot(work.data, work.len, salt,
				    m, &n);
			if (r == -1) {
				refused++;
				continue;
			}
			if (r == 1) {
				caught++;
				continue;
			}
			same = n == norig;
			for (i = 0; same && i < n; i++)
				same = strcmp(m[i].name, orig[i].name) == 0 &&
				    m[i].type == orig[i].type &&
				    m[i].len == orig[i].len &&
				    memcmp(m[i].data, orig[i].data,
				    m[i].len) == 0;
			if (same)
				unread++;
			else if (wrong++ == 0)
				fprintf(stderr, "%s byte %zu flipped: the "
				    "sums hold, the members differ\n",
				    pass == 0 ? "gzip" : "tar", at);
		}
		CHECK(wrong == 0, "%s flips passing the sums with changed "
		    "members: got %zu, want 0", pass == 0 ? "gzip" : "tar",
		    wrong);
		/*
		 * The harness reaches both refusals: gzip's CRC catches
		 * nearly every flip of the stream; in the tar, flips of a
		 * header are refused and flips of a member's data are left
		 * to the sums.
		 */
		if (pass == 0)
			CHECK(refused + caught >= 1900, "gzip flips: got %zu "
			    "refused, %zu caught by the sums, %zu harmless, "
			    "want at least 1900 of 2000 noticed", refused,
			    caught, unread);
		else
			CHECK(refused >= 200 && caught >= 200, "tar flips: "
			    "got %zu refused, %zu caught by the sums, want "
			    "at least 200 of each", refused, caught);
	}
	buf_free(&tar);
	buf_free(&sums);
	buf_free(&gz);
	buf_free(&work);
	buf_free(&out);
}

/* The streaming writer's sink: everything into a buf (or a refusal). */
static int
buf_sink(void *arg, const void *data, size_t len)
{
	buf_add(arg, data, len);
	return 0;
}

static int
refusing_sink(void *arg, const void *data, size_t len)
{
	(*(int *)arg)++;
	return -1;
}

/*
 * struct tgz: the same bytes, once inflated, as the archive built in
 * memory, whatever the pieces the data comes in (one large file crosses
 * many deflate outputs); a member written from a file has that file's
 * sha256; a sink that fails makes every later call fail.
 */
static void
test_stream(void)
{
	char		 tmpl[] = "/tmp/catalogd-archive-test.XXXXXX", *path, sum[65];
	char		 want_sum[65];
	unsigned char	*big = malloc(300000);
	struct buf	 mem, gz, out;
	struct tgz	 t;
	size_t		 i;
	int		 fd, calls = 0;

	for (i = 0; i < 300000; i++)
		big[i] = (unsigned char)(i * 7 % 251);
	if ((fd = mkstemp(tmpl)) == -1 || write(fd, big, 300000) != 300000)
		abort();
	close(fd);
	path = tmpl;
	buf_init(&mem);
	buf_init(&gz);
	buf_init(&out);
	tar_add(&mem, "a.txt", "hello", 5, 1700000000);
	tar_add(&mem, "state/big.db", big, 300000, 1700000000);
	tar_add(&mem, "empty", "", 0, 1700000000);
	tar_finish(&mem);
	CHECK(tgz_open(&t, buf_sink, &gz) == 0, "tgz_open failed");
	CHECK(tgz_member(&t, "a.txt", 5, 1700000000) == 0 &&
	    tgz_write(&t, "hel", 3) == 0 && tgz_write(&t, "lo", 2) == 0,
	    "a member in two pieces");
	CHECK(tgz_file(&t, "state/big.db", path, 1700000000, sum) == 0,
	    "tgz_file failed");
	sha256_hex(big, 300000, want_sum);
	CHECK_STR(sum, want_sum, "the file member's sha256");
	CHECK(tgz_member(&t, "empty", 0, 1700000000) == 0, "an empty member");
	CHECK(tgz_close(&t) == 0, "tgz_close failed");
	CHECK(gzip_decompress(gz.data, gz.len, 1 << 20, &out) == 0,
	    "the stream does not inflate");
	CHECK(out.len == mem.len && memcmp(out.data, mem.data, mem.len) == 0,
	    "streamed tar: got %zu bytes, want the %zu of the tar built in "
	    "memory", out.len, mem.len);
	/* A receiver that went away. */
	CHECK(tgz_open(&t, refusing_sink, &calls) == 0, "tgz_open failed");
	CHECK(tgz_file(&t, "state/big.db", path, 0, sum) == -1,
	    "a refused stream: got success, want -1");
	CHECK(t.failed, "a refused stream is marked failed");
	CHECK(tgz_member(&t, "more", 0, 0) == -1 && tgz_close(&t) == -1,
	    "calls after a refusal: got success, want -1");
	CHECK(calls == 1, "the sink was called %d times after it refused, "
	    "want once", calls);
	unlink(path);
	free(big);
	buf_free(&mem);
	buf_free(&gz);
	buf_free(&out);
}

int
main(void)
{
	test_round_trip();
	test_name_100();
	test_sha256();
	test_seal();
	test_headers();
	test_cuts();
	test_gzip();
	test_flips();
	test_stream();
	return check_done("archive_test");
}
