/*
 * hcl.c: the lexer of the small part of HCL that catalogd reads: policies
 * (path blocks with capability lists) and catalogd.conf (key = value
 * lines).  Identifiers, double-quoted strings with JSON's escapes, the
 * punctuation of blocks and lists, and, when the caller asks for them,
 * decimal integers; "#", "//" and slash-star comments are skipped.
 */
#include "config.h"

#include <string.h>

#include "lib.h"

void
hcl_init(struct hcl_lexer *lx, const char *text, bool numbers)
{
	lx->p = text;
	lx->line = 1;
	lx->numbers = numbers;
	lx->why = NULL;
	buf_init(&lx->text);
}

void
hcl_free(struct hcl_lexer *lx)
{
	buf_free(&lx->text);
}

const char *
hcl_tok_name(enum hcl_tok t)
{
	static const char *names[] = { "end of input", "identifier", "string",
	    "'{'", "'}'", "'['", "']'", "'='", "','", "number",
	    "error" };

	return names[t];
}

static void
skip_space(struct hcl_lexer *lx)
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

static enum hcl_tok
lex_string(struct hcl_lexer *lx)
{
	unsigned long	 cp;
	int		 i, d;

	lx->p++;
	for (;;) {
		char c = *lx->p;

		if (c == '\0' || c == '\n') {
			lx->why = "unterminated string";
			return HCL_ERROR;
		}
		lx->p++;
		if (c == '"')
			return HCL_STRING;
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
					return HCL_ERROR;
				}
				cp = cp << 4 | (unsigned long)d;
				lx->p++;
			}
			if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff)) {
				lx->why = "bad \\u escape in string";
				return HCL_ERROR;
			}
			put_utf8(&lx->text, cp);
			break;
		default:
			lx->why = "unknown escape in string";
			return HCL_ERROR;
		}
	}
}

enum hcl_tok
hcl_lex(struct hcl_lexer *lx)
{
	char	 c;

	skip_space(lx);
	lx->text.len = 0;
	lx->text.data[0] = '\0';
	c = *lx->p;
	switch (c) {
	case '\0': return HCL_EOF;
	case '{': lx->p++; return HCL_LBRACE;
	case '}': lx->p++; return HCL_RBRACE;
	case '[': lx->p++; return HCL_LBRACK;
	case ']': lx->p++; return HCL_RBRACK;
	case '=': lx->p++; return HCL_EQUALS;
	case ',': lx->p++; return HCL_COMMA;
	case '"': return lex_string(lx);
	}
	if (lx->numbers && ((c >= '0' && c <= '9') || (c == '-' &&
	    lx->p[1] >= '0' && lx->p[1] <= '9'))) {
		buf_addc(&lx->text, *lx->p++);
		while (*lx->p >= '0' && *lx->p <= '9')
			buf_addc(&lx->text, *lx->p++);
		return HCL_NUMBER;
	}
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') {
		while ((*lx->p >= 'a' && *lx->p <= 'z') ||
		    (*lx->p >= 'A' && *lx->p <= 'Z') ||
		    (*lx->p >= '0' && *lx->p <= '9') || *lx->p == '_' ||
		    *lx->p == '-')
			buf_addc(&lx->text, *lx->p++);
		return HCL_IDENT;
	}
	lx->why = "unexpected character";
	return HCL_ERROR;
}
