/*
 * strbuf.h -- a growable, always NUL-terminated string that cannot overflow.
 *
 * SYNOPSIS
 *	strbuf sb = STRBUF_INIT;
 *	strbuf_append(&sb, "text");         append a C string
 *	strbuf_appendn(&sb, ptr, len);      append len bytes (may contain no NUL)
 *	strbuf_printf(&sb, "%s=%d", k, v);  append formatted text
 *	strbuf_reserve(&sb, n);             room for n more bytes (one allocation)
 *	strbuf_reset(&sb);                  length 0, keeps the memory
 *	strbuf_free(&sb);                   release; sb is STRBUF_INIT again
 *	char *s = strbuf_detach(&sb);       hand the string to the caller
 *
 * DESCRIPTION
 *	The one string type of the project (compare Postfix's VSTRING). Every
 *	append reports failure (allocation, or the hard limit STRBUF_MAX) by
 *	returning -1 and setting sb->failed; the text already there is kept, so
 *	callers may append a series and test sb->failed once at the end.
 */
#ifndef DMARCTLS_STRBUF_H
#define DMARCTLS_STRBUF_H

#include <stddef.h>

#define STRBUF_MAX	(64u * 1024 * 1024)	/* no single string grows past this */

typedef struct strbuf {
	char	*s;	/* NUL-terminated once anything was appended; may be NULL */
	size_t	len;
	size_t	cap;
	int	failed;
} strbuf;

#define STRBUF_INIT	{ NULL, 0, 0, 0 }

int	strbuf_append(strbuf *sb, const char *s);
int	strbuf_appendn(strbuf *sb, const char *s, size_t n);
int	strbuf_appendc(strbuf *sb, char c);
int	strbuf_reserve(strbuf *sb, size_t extra);
int	strbuf_printf(strbuf *sb, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	strbuf_reset(strbuf *sb);
void	strbuf_free(strbuf *sb);
char	*strbuf_detach(strbuf *sb);	/* never NULL unless allocation failed */
const char *strbuf_str(const strbuf *sb);	/* "" when empty */

#endif
