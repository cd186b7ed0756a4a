/*
 * netstring.c -- parse and write netstrings (see netstring.h).
 *
 * HOSTILE INPUT
 *	The length is read digit by digit and checked against max before it
 *	is used, so no arithmetic overflows and nothing past len is read.
 */
#include <stddef.h>
#include <string.h>

#include "netstring.h"

int
ns_parse(const char *buf, size_t len, size_t max, size_t *data_off,
	 size_t *data_len, size_t *used)
{
	size_t	i, n = 0;

	for (i = 0; i < len && buf[i] >= '0' && buf[i] <= '9'; i++) {
		if (i >= NS_DIGITS_MAX || (i == 1 && buf[0] == '0'))
			return -1;
		n = n * 10 + (size_t)(buf[i] - '0');
		if (n > max)
			return -1;
	}
	if (i == len)
		return 0;		/* still reading digits (or nothing yet) */
	if (i == 0 || buf[i] != ':')
		return -1;
	if (len - i - 1 < n + 1)
		return 0;		/* data and ',' not all here yet */
	if (buf[i + 1 + n] != ',')
		return -1;
	*data_off = i + 1;
	*data_len = n;
	*used = i + 1 + n + 1;
	return 1;
}

/* The length in decimal and ':' (no printf: this is on every reply),
 * the data and ',', in one reservation. */
int
ns_append(strbuf *out, const char *data, size_t len)
{
	char	digits[24], *p = digits + sizeof(digits), *w;
	size_t	n = len, nd;

	*--p = ':';
	do
		*--p = (char)('0' + n % 10);
	while ((n /= 10) > 0);		/* 20 digits at most: it fits */
	nd = (size_t)(digits + sizeof(digits) - p);
	if (len > STRBUF_MAX || strbuf_reserve(out, nd + len + 1) < 0)
		return (out->failed = 1), -1;
	w = out->s + out->len;
	memcpy(w, p, nd);
	if (len > 0)
		memcpy(w + nd, data, len);
	w[nd + len] = ',';
	w[nd + len + 1] = '\0';
	out->len += nd + len + 1;
	return 0;
}
