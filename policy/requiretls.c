/*
 * requiretls.c -- the REQUIRETLS header rules of requiretls.h.
 */
#include <string.h>
#include <strings.h>

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

int
tlsreq_esmtp_yes(const char *value, size_t len)
{
	const char *end = value + len;

	while (value < end && strchr(" \t\r\n", *value) && *value)
		value++;
	while (end > value && strchr(" \t\r\n", end[-1]) && end[-1])
		end--;
	return end - value == 3 && strncasecmp(value, "yes", 3) == 0;
}
