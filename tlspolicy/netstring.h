/*
 * netstring.h -- djb netstrings, the framing of Postfix's socketmap protocol.
 *
 * SYNOPSIS
 *	int ns_parse(const char *buf, size_t len, size_t max,
 *		size_t *data_off, size_t *data_len, size_t *used);
 *	int ns_append(strbuf *out, const char *data, size_t len);
 *
 * DESCRIPTION
 *	ns_parse() looks for one netstring "<len>:<data>," at the start of
 *	[buf, buf + len). It returns 1 with the data at buf + *data_off,
 *	*data_len bytes long, and *used bytes consumed; 0 when more bytes are
 *	needed; -1 when the bytes can never become a netstring of at most max
 *	data bytes: no digits, a leading zero before another digit, more than
 *	NS_DIGITS_MAX digits, a length over max, no ':' after the digits, or
 *	no ',' after the data. The caller closes such a connection: there is
 *	no way to resynchronise a byte stream after a framing error.
 *
 *	ns_append() appends data as a netstring to out; -1 when out failed.
 *
 * STANDARDS
 *	D. J. Bernstein, "Netstrings", 1997; socketmap_table(5).
 */
#ifndef DMARCTLS_NETSTRING_H
#define DMARCTLS_NETSTRING_H

#include <stddef.h>

#include "strbuf.h"

#define NS_DIGITS_MAX	9	/* no netstring we accept is longer */

int	ns_parse(const char *buf, size_t len, size_t max, size_t *data_off,
	    size_t *data_len, size_t *used);
int	ns_append(strbuf *out, const char *data, size_t len);

#endif
