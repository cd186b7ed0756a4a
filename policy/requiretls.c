/*
 * requiretls.c -- the REQUIRETLS header rules of requiretls.h.
 */
#include <string.h>

#include "requiretls.h"

void
tlsreq_decide(const tlsreq_input *in, tlsreq_decision *out)
{
	memset(out, 0, sizeof(*out));
	if (!in->enabled) {
		out->keep_esmtp = out->keep_no = 1;
		return;
	}
	/* REQUIRETLS is only meaningful, and only accepted, after STARTTLS (RFC 8689 4.1) */
	out->add_esmtp = (in->tls && in->requiretls) || (in->trusted && in->esmtp_in);
	out->keep_no = in->trusted || in->dmarc_pass;
	if (!out->keep_no)
		out->why_no = "TLS-Required from an untrusted client without a DMARC pass";
}
