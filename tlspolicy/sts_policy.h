/*
 * sts_policy.h -- the MTA-STS policy body (RFC 8461 section 3.2).
 *
 * SYNOPSIS
 *	int sts_policy_parse(const char *body, size_t len, sts_policy *out,
 *	    char *why, size_t whylen);
 *	int sts_mx_pattern_valid(const char *s, size_t len);
 *	int sts_policy_copy(sts_policy *dst, const sts_policy *src);
 *
 * DESCRIPTION
 *	sts_policy_parse() checks a fetched policy against the ABNF of section
 *	3.2, strictly, and fills out (mode, max_age, mx, lines; id, fetched
 *	and expires are the caller's): 0 on success, -1 and a reason
 *	otherwise, out then holding nothing to free. version, mode and
 *	max_age are required, once each; mode enforce and testing need at
 *	least one mx. Unknown "name: value" fields are checked for syntax and
 *	ignored (not copied into lines).
 *
 *	Every mx value must be a hostname in A-label form (LDH labels of 1-63
 *	characters, 253 at most in all, no trailing dot; an "xn--" label must
 *	decode as IDNA 2008) optionally preceded by "*.", and its last label
 *	must not be all digits: an IPv4 address is never a pattern. Patterns
 *	are folded to lower case, sorted and deduplicated. Anything else
 *	makes the whole policy invalid, so that no space, comma, brace or
 *	address can ever reach a Postfix reply.
 *
 *	sts_mx_pattern_valid() is that check alone (1 valid, 0 not).
 *	sts_policy_copy() deep-copies (0, or -1 when out of memory).
 */
#ifndef DMARCTLS_STS_POLICY_H
#define DMARCTLS_STS_POLICY_H

#include <stddef.h>

#include "sts.h"

#define STS_POLICY_MAX_MX	100	/* more mx lines: invalid */
#define STS_HOSTNAME_MAX	253

int	sts_policy_parse(const char *body, size_t len, sts_policy *out, char *why,
	    size_t whylen);
int	sts_mx_pattern_valid(const char *s, size_t len);
int	sts_policy_copy(sts_policy *dst, const sts_policy *src);

#endif
