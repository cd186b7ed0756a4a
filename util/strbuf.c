/*
 * strbuf.c -- the growable string of strbuf.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

int
strbuf_reserve(strbuf *sb, size_t extra)
{
	size_t	need, cap;
	char	*p;

	if (sb->failed)
		return -1;
	if (extra > STRBUF_MAX - sb->len - 1) {
		sb->failed = 1;
		return -1;
	}
	need = sb->len + extra + 1;
	if (need <= sb->cap)
		return 0;
	cap = sb->cap ? sb->cap : 64;
	while (cap < need)
		cap *= 2;
	if ((p = realloc(sb->s, cap)) == NULL) {
		sb->failed = 1;
		return -1;
	}
	sb->s = p;
	sb->cap = cap;
	return 0;
}

int
strbuf_appendn(strbuf *sb, const char *s, size_t n)
{
	if (strbuf_reserve(sb, n) < 0)
		return -1;
	if (n > 0)
		memcpy(sb->s + sb->len, s, n);
	sb->len += n;
	sb->s[sb->len] = '\0';
	return 0;
}

int
strbuf_append(strbuf *sb, const char *s)
{
	return strbuf_appendn(sb, s, strlen(s));
}

int
strbuf_appendc(strbuf *sb, char c)
{
	return strbuf_appendn(sb, &c, 1);
}

int
strbuf_printf(strbuf *sb, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || strbuf_reserve(sb, (size_t)n) < 0) {
		sb->failed = 1;
		return -1;
	}
	va_start(ap, fmt);
	vsnprintf(sb->s + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
	return 0;
}

void
strbuf_reset(strbuf *sb)
{
	sb->len = 0;
	sb->failed = 0;
	if (sb->s)
		sb->s[0] = '\0';
}

void
strbuf_free(strbuf *sb)
{
	free(sb->s);
	sb->s = NULL;
	sb->len = sb->cap = 0;
	sb->failed = 0;
}

char *
strbuf_detach(strbuf *sb)
{
	char	*s = sb->s ? sb->s : strdup("");

	sb->s = NULL;
	sb->len = sb->cap = 0;
	sb->failed = 0;
	return s;
}

const char *
strbuf_str(const strbuf *sb)
{
	return sb->s ? sb->s : "";
}
