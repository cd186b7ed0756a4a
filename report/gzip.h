/*
 * gzip.h -- one gzip member (RFC 1952) of a buffer, with zlib.
 *
 * SYNOPSIS
 *	unsigned char *report_gzip(const void *in, size_t len, size_t *outlen);
 *	char *report_gunzip(const void *in, size_t len, size_t max, size_t *outlen);
 *
 * DESCRIPTION
 *	report_gzip() compresses into a single member: consumers that read
 *	only the first member (zlib with MAX_WBITS|16) see all of it.
 *	report_gunzip() (for "show" and the tests) refuses output larger than
 *	max bytes -- a bomb stops there -- and NUL-terminates. NULL on error.
 */
#ifndef DMARCTLS_REPORT_GZIP_H
#define DMARCTLS_REPORT_GZIP_H

#include <stddef.h>

unsigned char	*report_gzip(const void *in, size_t len, size_t *outlen);
char		*report_gunzip(const void *in, size_t len, size_t max, size_t *outlen);

#endif
