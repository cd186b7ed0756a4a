/*
 * destination.h -- rua URIs to mail destinations, and RFC 9990 section 4 verification.
 *
 * SYNOPSIS
 *	size_t report_dest_parse(const char *rua, size_t max, report_dest *out,
 *	    size_t *ignored);
 *	dest_verdict report_dest_verify(const dest_checker *c,
 *	    const char *policy_domain, report_dest *d, char *why, size_t size);
 *
 * DESCRIPTION
 *	report_dest_parse() reads the comma-separated rua list as stored
 *	(RFC 9989 section 4.7: commas inside a URI are percent-encoded),
 *	in order, and keeps up to max mailto: destinations. Other schemes,
 *	malformed URIs and addresses we will not put into a To: field are
 *	ignored and counted in *ignored (RFC 9990 section 3.5: ignore, go
 *	on). The obsolete "!size" suffix is dropped (RFC 9989 section 4.8).
 *	The address is percent-decoded once; what remains must be
 *	local@host in printable ASCII without blanks, quotes, angle
 *	brackets, commas or semicolons, and host a valid (A-label) domain
 *	name. A non-ASCII (U-label) host is refused, not converted: the
 *	record's owner must publish what MTAs can route.
 *
 *	report_dest_verify(): when the Organizational Domain of the host
 *	differs from that of the policy domain, the TXT records at
 *	<policy-domain>._report._dmarc.<host> must hold one that begins
 *	with v=DMARC1 (RFC 9990 section 4). A name over 253 octets is no
 *	authorisation. A temporary DNS failure (SERVFAIL, timeout, bogus)
 *	is DEST_DEFER: try again on the next run, never send on a guess.
 *	An authorising record with its own rua replaces the address, but
 *	only with one at the same host; a rua that points elsewhere refuses
 *	both (section 4, last steps). For failure reports (c->ruf set) the
 *	same is done with ruf in place of rua (RFC 9991 section 5). why says
 *	what was decided.
 */
#ifndef DMARCTLS_REPORT_DESTINATION_H
#define DMARCTLS_REPORT_DESTINATION_H

#include <stddef.h>
#include <libpsl.h>

#include "dmarc_discovery.h"
#include "dmarc_record.h"	/* DMARC_RECORD_MAX_URIS */
#include "dns.h"

#define REPORT_ADDR_MAX	320

typedef struct report_dest {
	char	addr[REPORT_ADDR_MAX + 1];	/* local@host */
	char	host[DMARC_NAME_MAX + 1];	/* lower case */
} report_dest;

typedef enum {
	DEST_OK = 0, DEST_REFUSED, DEST_DEFER
} dest_verdict;

typedef struct dest_checker {
	dns_txt_fn	lookup;
	void		*lookup_ctx;
	dmarc_discovery_mode mode;
	const psl_ctx_t	*psl;
	int		ruf;	/* failure reports: an override is read from ruf */
} dest_checker;

size_t		report_dest_parse(const char *rua, size_t max, report_dest *out,
		    size_t *ignored);
dest_verdict	report_dest_verify(const dest_checker *c, const char *policy_domain,
		    report_dest *d, char *why, size_t size);

#endif
