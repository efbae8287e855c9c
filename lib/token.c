/*
 * token.c: tokens and other secrets.  A token is stored only as
 * HMAC-SHA256(installation salt, token) and is looked up by that hash, so a
 * raw token never reaches the disk.  Randomness comes from OpenSSL's CSPRNG,
 * which reseeds itself after fork.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "lib.h"

/* Vault-style tokens are [A-Za-z0-9._-]{1,256}; anything else is refused. */
bool
token_syntax_ok(const char *t)
{
	size_t	 n = strlen(t), i;

	if (n == 0 || n > TOKEN_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char c = t[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/*
 * HMAC-SHA256 of a token under the salt.  The MAC and a context keyed with
 * the salt are set up once per process and duplicated per call: fetching
 * the algorithm and keying it on every request cost a sizeable share of a
 * read.
 */
void
token_hash(const unsigned char *salt, size_t saltlen, const char *token,
    unsigned char out[TOKEN_HASH_LEN])
{
	static EVP_MAC		*mac;
	static EVP_MAC_CTX	*keyed;
	static unsigned char	 keyed_salt[64];
	static size_t		 keyed_len;
	OSSL_PARAM		 params[2];
	EVP_MAC_CTX		*ctx;
	size_t			 n = 0;

	if (saltlen > sizeof keyed_salt)
		fatal("salt too long");
	if (keyed == NULL || keyed_len != saltlen ||
	    memcmp(keyed_salt, salt, saltlen) != 0) {
		if (mac == NULL && (mac = EVP_MAC_fetch(NULL, "HMAC",
		    NULL)) == NULL)
			fatal("HMAC is not available");
		EVP_MAC_CTX_free(keyed);
		params[0] = OSSL_PARAM_construct_utf8_string("digest",
		    (char *)"SHA256", 0);
		params[1] = OSSL_PARAM_construct_end();
		if ((keyed = EVP_MAC_CTX_new(mac)) == NULL ||
		    EVP_MAC_init(keyed, salt, saltlen, params) != 1)
			fatal("HMAC-SHA256 setup failed");
		memcpy(keyed_salt, salt, saltlen);
		keyed_len = saltlen;
	}
	if ((ctx = EVP_MAC_CTX_dup(keyed)) == NULL ||
	    EVP_MAC_update(ctx, (const unsigned char *)token,
	    strlen(token)) != 1 ||
	    EVP_MAC_final(ctx, out, &n, TOKEN_HASH_LEN) != 1 ||
	    n != TOKEN_HASH_LEN)
		fatal("HMAC-SHA256 failed");
	EVP_MAC_CTX_free(ctx);
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
	static unsigned char pool[4096];
	static size_t	 left;
	static pid_t	 owner;
	unsigned char	 b[16];
	size_t		 i, k = 0;

	/*
	 * Request ids are drawn from a pool refilled 4 KiB at a time (one
	 * RAND_bytes call was a tenth of a read); a forked child refills
	 * its own, so no two processes hand out the same ids.
	 */
	if (left < sizeof b || owner != getpid()) {
		random_bytes(pool, sizeof pool);
		left = sizeof pool;
		owner = getpid();
	}
	left -= sizeof b;
	memcpy(b, pool + left, sizeof b);
	explicit_bzero(pool + left, sizeof b);
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
