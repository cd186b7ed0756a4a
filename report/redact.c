/*
 * redact.c -- replace local parts by keyed tokens (see redact.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "redact.h"
#include "strbuf.h"

/* fields that name the message or its signatures, kept as they are */
static const char *const keep_fields[] = {
	"Message-ID", "In-Reply-To", "References", "DKIM-Signature", NULL,
};

int
failure_redact_token(const char *local, size_t len, const unsigned char *key,
    size_t keylen, char *out, size_t outlen)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int	i;

	if (HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)local, len,
	    md, &mdlen) == NULL || mdlen < 8 || outlen < sizeof("redacted-") + 16)
		return -1;
	memcpy(out, "redacted-", 9);
	for (i = 0; i < 8; i++)
		snprintf(out + 9 + 2 * i, 3, "%02x", md[i]);
	return 0;
}

static int
is_atext(int c)
{
	return isalnum(c) || (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~.", c) != NULL);
}

static int
keep_field(const char *line, size_t len)
{
	size_t	i, n;

	for (i = 0; keep_fields[i] != NULL; i++) {
		n = strlen(keep_fields[i]);
		if (len > n && line[n] == ':' && strncasecmp(line, keep_fields[i], n) == 0)
			return 1;
	}
	return len > 4 && strncasecmp(line, "ARC-", 4) == 0;
}

/* Start of the local part that ends just before s[at] ('@'); at if none. */
static size_t
local_start(const char *s, size_t from, size_t at)
{
	size_t	i = at;

	if (i > from && s[i - 1] == '"') {
		/* a quoted string on this line, holding no other '@' */
		for (i = at - 1; i > from && s[i - 1] != '@' && s[i - 1] != '\n'; i--)
			if (s[i - 1] == '"' && (i - 1 == from || s[i - 2] != '\\'))
				return i - 1;
		return at;
	}
	while (i > from && is_atext((unsigned char)s[i - 1]))
		i--;
	return i;
}

/* One field (with its continuation lines), redacted into sb. */
static void
redact_field(strbuf *sb, const char *s, size_t len, const unsigned char *key, size_t keylen)
{
	char	tok[REDACT_TOKEN_MAX + 1];
	size_t	done = 0, i, st;

	for (i = 0; i < len; i++) {
		if (s[i] != '@' || i + 1 >= len || !isalnum((unsigned char)s[i + 1]))
			continue;
		st = local_start(s, done, i);
		if (st == i || failure_redact_token(s + st, i - st, key, keylen, tok,
		    sizeof(tok)) < 0)
			continue;
		strbuf_appendn(sb, s + done, st - done);
		strbuf_append(sb, tok);
		done = i;
	}
	strbuf_appendn(sb, s + done, len - done);
}

char *
failure_redact(const char *headers, const unsigned char *key, size_t keylen)
{
	strbuf	sb = STRBUF_INIT;
	const char *p = headers, *end = headers + strlen(headers), *nl;

	while (p < end) {
		/* a field: its first line and every line that starts with a blank */
		nl = p;
		do {
			nl = memchr(nl, '\n', (size_t)(end - nl));
			nl = nl != NULL ? nl + 1 : end;
		} while (nl < end && (*nl == ' ' || *nl == '\t'));
		if (keep_field(p, (size_t)(nl - p)))
			strbuf_appendn(&sb, p, (size_t)(nl - p));
		else
			redact_field(&sb, p, (size_t)(nl - p), key, keylen);
		p = nl;
	}
	if (sb.failed) {
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}
