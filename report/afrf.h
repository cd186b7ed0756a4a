/*
 * afrf.h -- one RFC 9991 failure report as a mail: RFC 5965 / 6591 multipart/report.
 *
 * SYNOPSIS
 *	char *afrf_mail(const afrf_in *in, char *err, size_t errlen);
 *	const char *afrf_auth_failure(const afrf_in *in);
 *
 * DESCRIPTION
 *	afrf_mail() builds the message handed to sendmail -t: From, To,
 *	Subject "DMARC failure report for DOMAIN from IP", Date, Message-ID
 *	<ID@submitter>, Auto-Submitted: auto-generated, then
 *	multipart/report; report-type=feedback-report with three parts: a
 *	short text/plain, the message/feedback-report (Feedback-Type
 *	auth-failure, Version 1, User-Agent, Auth-Failure, our
 *	Authentication-Results, Identity-Alignment (RFC 9991 section 4),
 *	DKIM-Domain / -Identity / -Selector of the failed signature the
 *	report is about, SPF-DNS when SPF is what failed and its record is
 *	known, Original-Envelope-Id (the queue id), Arrival-Date, Source-IP,
 *	Reported-Domain, Delivery-Result, Incidents when more than one), and
 *	the header section as text/rfc822-headers (no body is ever sent).
 *	Lines end in LF; a long Authentication-Results value is folded at
 *	its "; " separators. NULL with err set when out of memory.
 *
 *	kind is "dmarc" (Auth-Failure: dmarc), "dkim" (bodyhash, revoked or
 *	signature, from the failed signature) or "spf".
 */
#ifndef DMARCTLS_REPORT_AFRF_H
#define DMARCTLS_REPORT_AFRF_H

#include <stddef.h>
#include <time.h>

typedef struct afrf_in {
	const char	*from, *to, *submitter, *report_id, *user_agent;
	const char	*kind;		/* dmarc, dkim, spf */
	const char	*header_from, *source_ip, *qid;
	const char	*authres, *alignment, *delivery;
	const char	*dkim;		/* row.h FC_DKIM lines: d s i result reason */
	const char	*spf_domain, *spf_record;	/* spf_record NULL: unknown */
	const char	*headers;	/* already redacted if it is to be */
	long long	incidents;
	time_t		received, now;
	int		redacted, truncated;
} afrf_in;

char		*afrf_mail(const afrf_in *in, char *err, size_t errlen);
const char	*afrf_auth_failure(const afrf_in *in);

#endif
