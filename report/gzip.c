/*
 * gzip.c -- zlib deflate/inflate with the gzip wrapper (see gzip.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "gzip.h"

#define GZIP_WBITS	(MAX_WBITS + 16)	/* zlib: gzip header and trailer */

unsigned char *
report_gzip(const void *in, size_t len, size_t *outlen)
{
	z_stream zs;
	unsigned char *out;
	uLong	cap;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, GZIP_WBITS, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	cap = deflateBound(&zs, (uLong)len) + 32;
	if ((out = malloc(cap)) == NULL) {
		deflateEnd(&zs);
		return NULL;
	}
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&zs);
		free(out);
		return NULL;
	}
	*outlen = zs.total_out;
	deflateEnd(&zs);
	return out;
}

char *
report_gunzip(const void *in, size_t len, size_t max, size_t *outlen)
{
	z_stream zs;
	char	*out, *n;
	size_t	cap = 65536;
	int	rc;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, GZIP_WBITS) != Z_OK || (out = malloc(cap + 1)) == NULL)
		return NULL;
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	for (;;) {
		zs.next_out = (Bytef *)out + zs.total_out;
		zs.avail_out = (uInt)(cap - zs.total_out);
		rc = inflate(&zs, Z_NO_FLUSH);
		if (rc == Z_STREAM_END)
			break;
		if (rc != Z_OK && rc != Z_BUF_ERROR)
			goto fail;
		if (zs.avail_out == 0) {
			if (cap >= max)
				goto fail;
			cap = cap * 2 > max ? max : cap * 2;
			if ((n = realloc(out, cap + 1)) == NULL)
				goto fail;
			out = n;
		} else if (zs.avail_in == 0) {
			goto fail;	/* truncated */
		}
	}
	*outlen = zs.total_out;
	out[zs.total_out] = '\0';
	inflateEnd(&zs);
	return out;
fail:
	inflateEnd(&zs);
	free(out);
	return NULL;
}
