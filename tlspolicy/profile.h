/*
 * profile.h -- a decision in the words of one MTA: the socketmap NAME.
 *
 * SYNOPSIS
 *	int  profile_by_name(const char *name, size_t len, pd_profile *out);
 *	const char *profile_name(pd_profile p);
 *	int  profile_reply(pd_profile p, const pd_decision *d,
 *		const char *domain, strbuf *out);
 *	int  profile_nokey_reply(pd_profile p, const char *why, strbuf *out);
 *
 * DESCRIPTION
 *	The socketmap NAME picks the profile (an unknown NAME is the caller's
 *	PERM):
 *	  postfix	Postfix 3.4 and later: "dane-only", "dane",
 *			"secure match=P1:P2 servername=hostname" (SNI is needed
 *			for MTA-STS, RFC 8461 7.1; servername is 3.4), the
 *			MTA-STS pattern "*.example.net" as Postfix's
 *			".example.net".
 *	  postfix-tlsrpt  the same, and for MTA-STS the Postfix 3.10 TLSRPT
 *			attributes policy_type=sts, policy_domain=,
 *			mx_host_pattern= per pattern, { policy_string = LINE }
 *			per policy line. With Postfix 3.10.5+ the mx_host_pattern
 *			list also makes Postfix enforce RFC 8461 4.1 itself.
 *			policy_failure= is never sent: it fails the handshake,
 *			and a failed discovery must be delivered as if no
 *			policy (RFC 8461 5).
 *	  sendmail	(also "sts": Sendmail's socket map sends the map's name,
 *			and FEATURE(sts) names it sts) what that map reads: the
 *			MTA-STS "secure match=... servername=hostname" answer;
 *			DANE domains are NOTFOUND because Sendmail does DANE
 *			itself (O DANE=true) and MTA-STS must not override it
 *			(RFC 8461 2).
 *	  requiretls	RFC 8689 for MTAs that cannot enforce it: only
 *			authenticated answers: "dane-only" wherever DANE applies,
 *			else "secure ..." from an enforce or testing policy
 *			(RFC 8689 4.2.1), an override whose level authenticates
 *			(dane-only, fingerprint, verify, secure), else TEMP.
 *	In every profile a TEMP decision is "TEMP reason", an MTA-STS policy
 *	in mode testing or none and every other case "NOTFOUND ".
 *
 *	profile_reply() replaces out's text with the reply (without the
 *	netstring frame). It never writes an empty "OK " and never more than
 *	PROFILE_REPLY_MAX bytes: the TLSRPT policy_string attributes are left
 *	out when they would not fit, and an answer that still does not fit
 *	is TEMP. Returns -1 when out failed (no memory).
 *
 *	profile_nokey_reply() is the answer for a key that names no policy
 *	domain (nexthop_key.h): NOTFOUND, except TEMP for requiretls (an
 *	unauthenticated fallback is exactly what that transport must not get).
 *
 * HOSTILE INPUT
 *	Patterns and policy lines come from the network. They were validated
 *	by the MTA-STS parser; they are checked again here character by
 *	character (host-name characters only in patterns; printable ASCII
 *	without braces in policy lines) and dropped if they fail, so nothing
 *	can inject a Postfix attribute.
 */
#ifndef DMARCTLS_PROFILE_H
#define DMARCTLS_PROFILE_H

#include <stddef.h>

#include "decision.h"
#include "strbuf.h"

#define PROFILE_REPLY_MAX	100000	/* Postfix's socketmap_max_reply_size */

typedef enum {
	PROFILE_POSTFIX, PROFILE_POSTFIX_TLSRPT, PROFILE_SENDMAIL,
	PROFILE_REQUIRETLS
} pd_profile;

#define PROFILE_COUNT	(PROFILE_REQUIRETLS + 1)

int	profile_by_name(const char *name, size_t len, pd_profile *out);
const char *profile_name(pd_profile p);
int	profile_reply(pd_profile p, const pd_decision *d, const char *domain,
	    strbuf *out);
int	profile_nokey_reply(pd_profile p, const char *why, strbuf *out);

#endif
