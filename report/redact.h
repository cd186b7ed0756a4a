/*
 * redact.h -- RFC 6590 redaction of local parts in a failure report's header section.
 *
 * SYNOPSIS
 *	char *failure_redact(const char *headers, const unsigned char *key, size_t keylen);
 *	int failure_redact_token(const char *local, size_t len, const unsigned char *key,
 *	    size_t keylen, char *out, size_t outlen);
 *
 * DESCRIPTION
 *	failure_redact() returns a copy of headers (fields separated by LF,
 *	folding kept) in which the local part of every address, in every
 *	field but those that identify the message or its signatures
 *	(Message-ID, In-Reply-To, References, DKIM-Signature, ARC-*), is
 *	replaced by a token: "redacted-" and the first 16 hex digits of
 *	HMAC-SHA256(key, local part). The same local part under the same
 *	key gives the same token, so a domain owner can still tell one
 *	mailbox's failures from another's (RFC 6590 section 4) without
 *	learning it. An address is what precedes an '@' with a domain after
 *	it: a run of atext and dots, or a quoted string. NULL when out of
 *	memory.
 *
 *	failure_redact_token() writes the token of one local part.
 */
#ifndef DMARCTLS_REPORT_REDACT_H
#define DMARCTLS_REPORT_REDACT_H

#include <stddef.h>

#define REDACT_TOKEN_MAX	32

char	*failure_redact(const char *headers, const unsigned char *key, size_t keylen);
int	failure_redact_token(const char *local, size_t len, const unsigned char *key,
	    size_t keylen, char *out, size_t outlen);

#endif
