/*
 * dane_check.h -- the DANE self-check: do our own published TLSA records
 *	count (DNSSEC-secure) and match the certificate chain we serve?
 *
 * SYNOPSIS
 *	void dane_check(dns_rrset_fn lookup, void *ctx, const char *owner,
 *		const tlsa_chain *chain, dane_report *out);
 *	void dane_report_free(dane_report *r);
 *	const char *dane_res_name(dane_res r);
 *	int  dane_owner_host(const char *owner, char *host, size_t hostlen);
 *
 * DESCRIPTION
 *	A receiving MTA cannot know whether a sender validated DANE; it can
 *	know whether a DANE sender would accept it. dane_check() asks lookup
 *	(dns_lookup_rrset, or a fake in tests) for the TLSA RRset at owner
 *	("_25._tcp.mx.example.com") and matches every record against chain
 *	with tlsa_match(), the host name for DANE-TA name checks being owner
 *	without its "_port._proto." labels. The result in out->result:
 *
 *	  pass		the RRset is DNSSEC-secure and at least one usable
 *			record (RFC 7672 3.1.3) authenticates the chain.
 *	  fail		secure, usable records exist, none matches: DANE
 *			senders refuse to deliver (the outage after a
 *			certificate renewal without a TLSA update).
 *	  none		no TLSA (NXDOMAIN or NODATA); or records in an
 *			insecure zone (RFC 7672 2.2: they do not count, though
 *			they are still matched for the report); or a secure
 *			RRset without a usable record (RFC 7672 2.2: DANE
 *			then does not apply).
 *	  temperror	bogus answer, SERVFAIL, timeout; also (documented
 *			choices) an owner that is not a "_port._proto.host"
 *			name, which is never looked up, and an RRset of more
 *			than DANE_MAX_RECORDS records, which is not judged.
 *
 *	Malformed rdata (tlsa_rr_parse() refuses it) is an unusable record.
 *	out->ttl is the TTL of the answer (the milter caches by it); out->reason
 *	a short sentence; out->rec[] one entry per record in answer order.
 *	dane_report_free() releases what dane_check() allocated; out is always
 *	filled, so it must always be freed.
 *
 *	dane_owner_host() writes the TLSA base domain of owner (no trailing
 *	dot) into host; -1 when owner is not "_port._proto.host" or the host
 *	does not fit.
 *
 * HOSTILE INPUT
 *	Every rdata is bounds-checked by tlsa_rr_parse(); the number of records
 *	judged is capped, each a bounded amount of work.
 */
#ifndef DMARCTLS_DANE_CHECK_H
#define DMARCTLS_DANE_CHECK_H

#include <stddef.h>

#include "dns.h"
#include "tlsa_match.h"

#define DANE_MAX_RECORDS	64	/* TLSA records judged in one RRset */
#define DANE_REASON_MAX		192
#define DANE_HOST_MAX		253

typedef enum {
	DANE_RES_NONE = 0, DANE_RES_PASS, DANE_RES_FAIL, DANE_RES_TEMPERROR
} dane_res;

typedef struct dane_record {
	int		parsed;		/* 0: malformed rdata */
	int		usable;		/* RFC 7672 3.1.3 */
	tlsa_rr		rr;		/* data points into rdata below */
	tlsa_result	m;		/* tlsa_match(); m.match only if usable */
	char		*text;		/* presentation form; RFC 3597 \# form
					 * for malformed rdata */
	unsigned char	*rdata;		/* a copy of the wire rdata */
	size_t		rdlen;
} dane_record;

typedef struct dane_report {
	dane_res	result;
	dns_status	status;		/* of the TLSA answer */
	dns_sec		sec;
	int		ttl;
	char		reason[DANE_REASON_MAX];
	char		host[DANE_HOST_MAX + 1];	/* TLSA base domain */
	size_t		n;		/* records in rec[] */
	size_t		nusable, nmatch;
	dane_record	*rec;
} dane_report;

void	dane_check(dns_rrset_fn lookup, void *ctx, const char *owner,
	    const tlsa_chain *chain, dane_report *out);
void	dane_report_free(dane_report *r);
const char *dane_res_name(dane_res r);
int	dane_owner_host(const char *owner, char *host, size_t hostlen);

#endif
