/*
 * row.h -- one report row: what one message taught us about one Author Domain.
 *
 * SYNOPSIS
 *	size_t report_rows_from_verdict(const dt_verdict *v,
 *	    const report_msg *msg, report_row *rows, size_t max);
 *	void report_row_free(report_row *r);
 *	const char *report_col_name(size_t i);
 *
 * DESCRIPTION
 *	A row is a fixed list of text columns (REPORT_NCOLS), in the order of
 *	the table "evaluation" (store.c): the same array is bound to the SQL
 *	insert of either backend and written as one line of the spool, so
 *	the two can never disagree on a field.
 *
 *	report_rows_from_verdict() makes one row per author domain of the
 *	verdict, with the policy as it was evaluated (a snapshot, RFC 9990
 *	section 3.3) and policy_evaluated as RFC 9990 section 3.1.1.9 wants
 *	it: disposition "pass" for a DMARC pass under an enforcing policy;
 *	reason policy_test_mode when t=y lowered the policy of a failing
 *	message, local_policy when DryRun accepted what the policy would
 *	not have. The aligned dkim/spf values are the DMARC-evaluated ones.
 *	msg gives what the verdict does not hold: the reporter (the MX
 *	host), the message key (queue id), the arrival time and the
 *	envelope recipient domain ("" when not recorded).
 *
 *	DKIM signatures go into one column, one per line, fields separated
 *	by tabs (domain, selector, result, human_result), ordered as RFC
 *	9990 section 3.1.3 asks: passes with strict alignment, relaxed
 *	alignment, other passes, then failures. Tabs and line ends inside a
 *	value are replaced by blanks so the list cannot be confused.
 *
 *	With msg->headers set, a row for which failure_due() finds a report
 *	due also gets its failure sample (fcol): the kinds, Identity-
 *	Alignment, our Authentication-Results, the signatures with their i=,
 *	the Delivery-Result, and the header section. Header bytes that are
 *	not printable ASCII or valid UTF-8 become '?' (PostgreSQL TEXT takes
 *	only UTF-8, and a hostile byte must not fail a batch of rows). No
 *	sample is made for a tempfail: the MTA will offer the message again.
 *
 *	report_row_free() releases the columns (the one block of a built or
 *	decoded row, or each column of a row put together by hand); a zeroed
 *	row frees fine.
 */
#ifndef DMARCTLS_REPORT_ROW_H
#define DMARCTLS_REPORT_ROW_H

#include <stddef.h>
#include <time.h>

#include "verdict.h"

/* Column indexes: the order of the table and of a spool line. */
enum {
	RC_REPORTER = 0, RC_MSG_ID, RC_AUTHOR_INDEX, RC_RECEIVED, RC_DAY,
	RC_SOURCE_IP, RC_HEADER_FROM, RC_ENVELOPE_FROM, RC_ENVELOPE_TO,
	RC_SPF_DOMAIN, RC_SPF_SCOPE, RC_SPF_RESULT, RC_DKIM,
	RC_POLICY_DOMAIN, RC_P, RC_SP, RC_NP, RC_ADKIM, RC_ASPF, RC_TESTING,
	RC_FO, RC_PSD, RC_DISCOVERY, RC_DMARC_RESULT, RC_DISPOSITION,
	RC_DKIM_ALIGNED, RC_SPF_ALIGNED, RC_REASON, RC_REASON_COMMENT,
	RC_RUA, RC_RUF, RC_POLICY_ERROR,
	REPORT_NCOLS
};

/*
 * The failure sample of a row (RFC 9991), the table "failure": present
 * (every fcol set) only when FailureReports is on and the record's fo
 * asks for a report for this message (failure_due.h); else all NULL.
 */
enum {
	FC_KINDS = 0,		/* "dmarc", "dkim", "spf", comma-separated */
	FC_ALIGNMENT,		/* Identity-Alignment: "dkim, spf" ... "none" */
	FC_AUTHRES,		/* our Authentication-Results value */
	FC_DKIM,		/* every signature: d, s, i, result, reason (tabs, lines) */
	FC_DELIVERY,		/* Delivery-Result: delivered, spam, reject */
	FC_HEADERS,		/* the header section as received (LF line ends) */
	REPORT_NFCOLS
};

typedef struct report_row {
	char	*col[REPORT_NCOLS];	/* never NULL in a built row */
	char	*fcol[REPORT_NFCOLS];	/* all NULL: no failure sample */
	char	*block;		/* set: every column points into it (one allocation) */
} report_row;

typedef struct report_msg {
	const char	*reporter;	/* this MX: ReportSubmitter or authserv-id */
	const char	*msg_id;	/* queue id; unique with reporter and time */
	time_t		received;
	const char	*envelope_to;	/* RCPT domain, "" when not recorded */
	const char	*headers;	/* header section for failure samples; NULL: off */
} report_msg;

size_t		report_rows_from_verdict(const dt_verdict *v, const report_msg *msg,
		    report_row *rows, size_t max);
void		report_row_free(report_row *r);
const char	*report_col_name(size_t i);
const char	*report_fcol_name(size_t i);

#endif
