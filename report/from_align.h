/*
 * from_align.h -- would report mail from ReportFrom pass DMARC by SPF from this host?
 *
 * SYNOPSIS
 *	int report_from_spf(dns_resolver *r, const char *from, char *why, size_t whylen);
 *
 * DESCRIPTION
 *	Reports go out with ReportFrom as both the From field and the
 *	envelope sender (sendmail -f), so SPF is aligned by construction and
 *	passes DMARC when the domain's SPF authorises the host that sends.
 *	report_from_spf() checks SPF for ReportFrom against every address of
 *	this host that is not loopback (getifaddrs), as the MTA would send
 *	from one of them. 1: SPF passes for at least one; 0: for none (why
 *	lists the results; unless the MTA DKIM-signs for the domain the
 *	reports fail DMARC, and may come back as failure reports); -1: it
 *	cannot tell (no such address, or no memory; why says which).
 *	dmarctls-reports warns at the start of send and failures when the
 *	answer is not 1 (the "warn at startup if not aligned").
 */
#ifndef DMARCTLS_REPORT_FROM_ALIGN_H
#define DMARCTLS_REPORT_FROM_ALIGN_H

#include <stddef.h>

#include "dns.h"

int	report_from_spf(dns_resolver *r, const char *from, char *why, size_t whylen);

#endif
