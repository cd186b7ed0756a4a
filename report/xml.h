/*
 * xml.h -- an RFC 9990 aggregate report document, written with libxml2.
 *
 * SYNOPSIS
 *	char *report_xml(const report_meta *m, const report_agg *a, size_t *len,
 *	    char *err, size_t errlen);
 *
 * DESCRIPTION
 *	The document of RFC 9990 section 3.1.1 and Appendix A: root
 *	<feedback> in the urn:ietf:params:xml:ns:dmarc-2.0 namespace,
 *	<version>1.0</version>, report_metadata (org_name, email, report_id,
 *	date_range, generator), policy_published (domain, p, sp, np, adkim,
 *	aspf, discovery_method, fo, testing: the effective values, defaults
 *	written out; no pct), then one <record> per aggregated tuple: row
 *	(source_ip, count, policy_evaluated: disposition, dkim, spf, reason),
 *	identifiers (header_from, envelope_from -- empty for the null
 *	reverse-path --, envelope_to when recorded), auth_results (every
 *	DKIM signature with its selector, in the order stored, at most
 *	REPORT_MAX_DKIM; then spf with scope mfrom). Elements come in schema
 *	order, also inside the xs:all groups. Text goes through libxml2's
 *	escaping; no DTD, no entities. Returns a malloc'd NUL-terminated
 *	UTF-8 document, or NULL with err set.
 */
#ifndef DMARCTLS_REPORT_XML_H
#define DMARCTLS_REPORT_XML_H

#include <stddef.h>

#include "aggregate.h"

#define REPORT_XML_NS	"urn:ietf:params:xml:ns:dmarc-2.0"
#define REPORT_MAX_DKIM	100	/* signatures per record (RFC 9990 3.1.3) */

typedef struct report_meta {
	const char	*org_name;
	const char	*email;
	const char	*report_id;
	long long	begin, end;
	const char	*generator;	/* "dmarctls VERSION" */
	const char	*domain;	/* the policy domain */
} report_meta;

char	*report_xml(const report_meta *m, const report_agg *a, size_t *len,
	    char *err, size_t errlen);

#endif
