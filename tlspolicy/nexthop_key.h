/*
 * nexthop_key.h -- the domain a Postfix smtp_tls_policy_maps key names.
 *
 * SYNOPSIS
 *	int nexthop_key(const char *key, size_t len, char out[NEXTHOP_MAX + 1],
 *		const char **why);
 *
 * DESCRIPTION
 *	Postfix asks with the whole next-hop destination, verbatim
 *	(OUTBOUND.md 1.2): a recipient domain in any case, possibly in
 *	U-labels with SMTPUTF8, or a transport(5) next hop such as
 *	"[mx.example.net]:587", or, after a NOTFOUND, the parent-domain walk
 *	".example.net". nexthop_key() returns 0 and the policy domain in out:
 *	ASCII case folded, one trailing dot dropped, U-labels converted to
 *	A-labels (IDNA2008 with UTS 46 mapping, libidn2), checked as a host
 *	name. It returns -1 with a short reason in *why for every key that
 *	no MX-based policy applies to, which the caller answers NOTFOUND:
 *	  ".parent"	RFC 8461 3.4: a subdomain never uses its parent's policy;
 *	  "[host]", "[host]:port", "host:port"   an explicit host, no MX lookup
 *			(RFC 7672 2.2.1 would want the host's own TLSA at that
 *			port; Postfix's native DANE does that, we leave it be);
 *	  IP literals	RFC 8461 3.4: address literals have no policy;
 *	  "/path", "unix:...", "inet:..."   LMTP destinations;
 *	  anything else that is not a host name after the conversion.
 *
 * HOSTILE INPUT
 *	len bytes are read, NUL and control bytes make the key invalid, the
 *	output never exceeds NEXTHOP_MAX bytes.
 */
#ifndef DMARCTLS_NEXTHOP_KEY_H
#define DMARCTLS_NEXTHOP_KEY_H

#include <stddef.h>

#define NEXTHOP_MAX	253		/* a domain name in text form */
#define NEXTHOP_KEY_MAX	1024		/* longer keys are not domains */

int	nexthop_key(const char *key, size_t len, char out[NEXTHOP_MAX + 1],
	    const char **why);

#endif
