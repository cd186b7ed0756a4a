/*
 * aggregate.h -- the rows of one policy domain and UTC day, counted into records.
 *
 * SYNOPSIS
 *	int report_aggregate(report_store *s, const char *domain, long long day,
 *	    report_agg *out, char *err, size_t errlen);
 *	void report_agg_free(report_agg *a);
 *
 * DESCRIPTION
 *	A record (RFC 9990 section 3.1.1.7) is one tuple of source IP,
 *	identifiers, authentication results and policy_evaluated; its count
 *	is the number of rows with that tuple. Every record is kept: there
 *	is no truncation. The published policy of the report is the last
 *	one observed that day (RFC 9990 section 3.3: report the final
 *	configuration). Records come most frequent first.
 *
 *	report_aggregate() returns 0 with out->nrec possibly 0 (no rows),
 *	or -1 with err set; out is always safe to free.
 */
#ifndef DMARCTLS_REPORT_AGGREGATE_H
#define DMARCTLS_REPORT_AGGREGATE_H

#include <stddef.h>

#include "store.h"

/* the fields of a record, in the order of the query */
enum {
	RA_SOURCE_IP = 0, RA_HEADER_FROM, RA_ENVELOPE_FROM, RA_ENVELOPE_TO,
	RA_SPF_DOMAIN, RA_SPF_SCOPE, RA_SPF_RESULT, RA_DKIM, RA_DISPOSITION,
	RA_DKIM_ALIGNED, RA_SPF_ALIGNED, RA_REASON, RA_REASON_COMMENT,
	RA_NFIELDS
};

/* the policy published, in the order of the query */
enum {
	RP_P = 0, RP_SP, RP_NP, RP_ADKIM, RP_ASPF, RP_TESTING, RP_FO, RP_DISCOVERY,
	RP_RUA, RP_RUF, RP_PSD, RP_NFIELDS
};

typedef struct report_record {
	char		*f[RA_NFIELDS];
	long long	count;
} report_record;

typedef struct report_agg {
	char		*policy[RP_NFIELDS];	/* NULL when there were no rows */
	report_record	*rec;
	size_t		nrec, cap;
	long long	messages;		/* sum of the counts */
} report_agg;

int	report_aggregate(report_store *s, const char *domain, long long day,
	    report_agg *out, char *err, size_t errlen);
void	report_agg_free(report_agg *a);

#endif
