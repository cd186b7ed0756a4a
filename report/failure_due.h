/*
 * failure_due.h -- does an evaluation ask for RFC 9991 failure reports, and of which kind.
 *
 * SYNOPSIS
 *	unsigned failure_due(const dt_verdict *v, size_t i, char *align, size_t alignlen);
 *
 * DESCRIPTION
 *	For author domain i of the verdict, the kinds of failure report its
 *	DMARC record asks for with "fo" (RFC 9989 section 4.7), as FR_* bits,
 *	or 0 for none. Nothing is due unless the record was found and used
 *	(have_record), it has at least one ruf URI, it is not a PSD record
 *	(psd=y: RFC 9991 section 2 says a generator must not consider its
 *	ruf), and DMARC reached pass or fail (a temperror or permerror says
 *	nothing about the message). Then:
 *	  fo=0  FR_DMARC when neither DKIM nor SPF gave an aligned pass;
 *	  fo=1  FR_DMARC when either of them did not;
 *	  fo=d  FR_DKIM when any signature failed (fail or permerror),
 *	        whatever its alignment;
 *	  fo=s  FR_SPF when SPF failed (result fail), whatever its alignment.
 *	align gets the RFC 9991 section 4 Identity-Alignment value: the
 *	mechanisms that did not give an aligned pass, "dkim", "spf",
 *	"dkim, spf", or "none".
 */
#ifndef DMARCTLS_REPORT_FAILURE_DUE_H
#define DMARCTLS_REPORT_FAILURE_DUE_H

#include <stddef.h>

#include "verdict.h"

#define FR_DMARC	0x1
#define FR_DKIM		0x2
#define FR_SPF		0x4

unsigned	failure_due(const dt_verdict *v, size_t i, char *align, size_t alignlen);

#endif
