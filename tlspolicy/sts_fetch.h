/*
 * sts_fetch.h -- fetch an MTA-STS policy over HTTPS (RFC 8461 section 3.3).
 *
 * SYNOPSIS
 *	int sts_fetch_init(char *err, size_t errlen);
 *	sts_fetch_result sts_fetch(dns_resolver *dns, const char *domain,
 *	    const sts_fetch_opts *opts, char **body, size_t *len,
 *	    char *why, size_t whylen);
 *
 * DESCRIPTION
 *	sts_fetch() GETs https://mta-sts.DOMAIN/.well-known/mta-sts.txt with
 *	libcurl, the way section 3.3 wants it and nothing more permissive:
 *	  - https only; redirects are not followed (a 3xx is a failure);
 *	  - PKIX against opts->ca_file only (no CA directory), host name
 *	    checked against the certificate, SNI sent, TLS 1.2 or later;
 *	  - no proxy, whatever the environment says; no HTTP cache
 *	    ("Cache-Control: no-cache"); no content encoding;
 *	  - status 200 and media type text/plain, else a failure;
 *	  - at most STS_FETCH_MAX_BODY bytes, enforced while the body
 *	    streams in (a Content-Length over it fails at once);
 *	  - the whole fetch, DNS included, within opts->timeout_ms, and
 *	    abandoned within about a second once *opts->stop is set (the
 *	    daemon is stopping: sts_close() must not wait out a slow server).
 *	The policy host's addresses come from our DNS layer (A and AAAA of
 *	mta-sts.DOMAIN, bounded by the same deadline), handed to libcurl with
 *	CURLOPT_RESOLVE, so libcurl never asks the system resolver.
 *
 *	On STS_FETCH_OK *body is a malloc'd NUL-terminated copy of the body
 *	(which may itself hold NUL bytes: *len says how long it is).
 *	sts_fetch_init() initialises libcurl once per process (thread-safe).
 *
 * DIAGNOSTICS
 *	STS_FETCH_WEBPKI: the certificate did not verify (untrusted, expired,
 *	wrong name) or TLS could not be negotiated: "sts-webpki-invalid".
 *	STS_FETCH_ERROR: anything else (DNS, connect, timeout, status, media
 *	type, size): "sts-policy-fetch-error". why says which.
 */
#ifndef DMARCTLS_STS_FETCH_H
#define DMARCTLS_STS_FETCH_H

#include <stddef.h>

#include "dns.h"

#define STS_FETCH_MAX_BODY	65536	/* RFC 8461 section 3.3: 64 KiB */
#define STS_FETCH_PORT		443

typedef enum {
	STS_FETCH_OK,
	STS_FETCH_ERROR,
	STS_FETCH_WEBPKI
} sts_fetch_result;

typedef struct sts_fetch_opts {
	const char	*ca_file;	/* PEM bundle; never NULL */
	unsigned	timeout_ms;	/* whole fetch */
	const int	*stop;		/* non-zero (read atomically): give up now; may be NULL */
} sts_fetch_opts;

int		sts_fetch_init(char *err, size_t errlen);
sts_fetch_result sts_fetch(dns_resolver *dns, const char *domain,
		    const sts_fetch_opts *opts, char **body, size_t *len,
		    char *why, size_t whylen);

#endif
