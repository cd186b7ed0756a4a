/*
 * requiretls.h -- which REQUIRETLS header fields (RFC 8689) a message keeps.
 *
 * SYNOPSIS
 *	void tlsreq_decide(const tlsreq_input *in, tlsreq_decision *out);
 *	int tlsreq_esmtp_yes(const char *value, size_t len);
 *
 * DESCRIPTION
 *	Two header fields carry TLS requirements past an SMTP hop, and neither
 *	is authenticated, so each is a downgrade or a denial waiting for a
 *	stranger to write it:
 *	- "Require-TLS-ESMTP: yes" (Postfix 3.11) carries a REQUIRETLS MAIL FROM
 *	  parameter through content filters. Every one that arrives is removed,
 *	  and we write exactly one when this hop's sender asked for REQUIRETLS
 *	  over an encrypted session, or when a trusted client (SMTP AUTH, or
 *	  TrustedNetworks: a REQUIRETLS-capable front end or content filter)
 *	  carried one. Written by the milter, it is what Postfix's
 *	  milter_header_checks can act on (FILTER to a dane-only transport) on
 *	  an MTA that cannot enforce REQUIRETLS itself.
 *	- "TLS-Required: No" (RFC 8689 section 5) asks later hops to ignore
 *	  DANE and MTA-STS failures: a downgrade. It is kept only when the
 *	  client is trusted or every author domain passed DMARC (the author
 *	  really asked for it); otherwise it is removed and the removal logged.
 *	With the RequireTLSHeader setting off, nothing is added or removed.
 *
 *	tlsreq_esmtp_yes() says whether a Require-TLS-ESMTP value asks for
 *	REQUIRETLS: "yes" in any case, blanks and folding around it allowed.
 *	Anything else ("no", junk) asks for nothing, even from a trusted
 *	client: it is removed and never becomes our "yes".
 *
 *	Note (Postfix 3.10+): Postfix acts on both fields in cleanup, before
 *	milters run, so removing them protects the hops after us, not this
 *	one; header_checks (IGNORE) covers this hop.
 */
#ifndef DMARCTLS_REQUIRETLS_H
#define DMARCTLS_REQUIRETLS_H

#include <stddef.h>

#define TLSREQ_ESMTP_FIELD	"Require-TLS-ESMTP"
#define TLSREQ_NO_FIELD		"TLS-Required"

typedef struct tlsreq_input {
	int	enabled;	/* RequireTLSHeader */
	int	tls;		/* the SMTP session was encrypted */
	int	requiretls;	/* REQUIRETLS was a MAIL FROM parameter */
	int	esmtp_in;	/* the message carries Require-TLS-ESMTP: yes */
	int	trusted;	/* SMTP AUTH client or trusted network */
	int	dmarc_pass;	/* every author domain passed DMARC */
} tlsreq_input;

typedef struct tlsreq_decision {
	int	add_esmtp;	/* write "Require-TLS-ESMTP: yes" */
	int	keep_esmtp;	/* incoming Require-TLS-ESMTP fields stay (only when
				 * the rules are off) */
	int	keep_no;	/* incoming TLS-Required fields stay */
	const char *why_no;	/* why TLS-Required was (or would be) removed */
} tlsreq_decision;

void	tlsreq_decide(const tlsreq_input *in, tlsreq_decision *out);
int	tlsreq_esmtp_yes(const char *value, size_t len);

#endif
