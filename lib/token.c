/*
 * token.c: tokens and other secrets.  A token is stored only as
 * HMAC-SHA256(installation salt, token) and is looked up by that hash, so a
 * raw token never reaches the disk.  Randomness comes from OpenSSL's CSPRNG,
 * which reseeds itself after fork.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "lib.h"

/* Vault-style tokens are [A-Za-z0-9._-]{1,256}; anything else is refused. */
bool
token_syntax_ok(const char *t)
{
	size_t	 n = strlen(t), i;

	if (n == 0 || n > 256)
		return false;
	for (i = 0; i < n; i++) {
		char c = t[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

void
token_hash(const unsigned char *salt, size_t saltlen, const char *token,
    unsigned char out[TOKEN_HASH_LEN])
{
	unsigned int	 n = TOKEN_HASH_LEN;

	if (HMAC(EVP_sha256(), salt, (int)saltlen, (const unsigned char *)token,
	    strlen(token), out, &n) == NULL || n != TOKEN_HASH_LEN)
		fatal("HMAC-SHA256 failed");
}

void
random_bytes(void *p, size_t n)
{
	if (RAND_bytes(p, (int)n) != 1)
		fatal("RAND_bytes failed");
}

/* A new random string of n base62 characters (about 5.95 bits each). */
char *
random_id(size_t n)
{
	static const char alphabet[] =
	    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	unsigned char	 r[64];
	char		*s = xmalloc(n + 1);
	size_t		 i, k = 0;

	while (k < n) {
		random_bytes(r, sizeof r);
		for (i = 0; i < sizeof r && k < n; i++)
			if (r[i] < 248)		/* 248 = 4 * 62: no bias */
				s[k++] = alphabet[r[i] % 62];
	}
	s[k] = '\0';
	return s;
}

/* A new service token, "hvs." and 24 characters of base62 (~143 bits). */
char *
token_generate(void)
{
	char	*id = random_id(24), *tok;

	tok = xasprintf("hvs.%s", id);
	free(id);
	return tok;
}

void
uuid_v4(char out[37])
{
	static const char hx[] = "0123456789abcdef";
	unsigned char	 b[16];
	size_t		 i, k = 0;

	random_bytes(b, sizeof b);
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[k++] = '-';
		out[k++] = hx[b[i] >> 4];
		out[k++] = hx[b[i] & 0xf];
	}
	out[k] = '\0';
}

/* Strict standard base64 (line breaks ignored), as Go's StdEncoding. */
bool
base64_decode(const char *s, struct buf *out)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned	 acc = 0;
	int		 bits = 0, pad = 0;
	size_t		 n = 0;
	const char	*p;

	for (p = s; *p != '\0'; p++) {
		const char *hit;

		if (*p == '\r' || *p == '\n')
			continue;
		n++;
		if (*p == '=') {
			pad++;
			continue;
		}
		if (pad > 0 || (hit = strchr(alphabet, *p)) == NULL)
			return false;
		acc = acc << 6 | (unsigned)(hit - alphabet);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addc(out, (char)(acc >> bits & 0xff));
		}
	}
	return n > 0 && n % 4 == 0 && pad <= 2;
}
