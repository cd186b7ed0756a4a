/*
 * failures.h -- "dmarctls-reports failures": RFC 9991 failure reports from the samples.
 *
 * SYNOPSIS
 *	int report_failures(const report_ctx *x, const report_failure_opts *o,
 *	    report_failure_stats *st);
 *
 * DESCRIPTION
 *	Run often (every few minutes: failure reports are sent "almost
 *	immediately", RFC 9991 section 2). Three steps, each safe to run on
 *	several hosts sharing one PostgreSQL store at once:
 *
 *	1. Take the new samples (table "failure", written by the milter) in
 *	   one transaction: those older than FAILURE_MAX_AGE become "stale";
 *	   the others are grouped by policy domain, source IP, kind and
 *	   Identity-Alignment (RFC 9991 section 8.1: similar incidents are
 *	   one report, with Incidents), and each group gets one report row
 *	   (table "failure_report", state "verify") per kind and per mailto:
 *	   ruf destination (the first ReportMaxURIs). The samples become
 *	   "done"; a crash before the commit leaves them new.
 *	2. Verify each destination as for aggregate reports, with ruf in
 *	   place of rua (RFC 9991 section 5): refused -> "refused"; a
 *	   temporary DNS failure stays "verify" for the next run, until
 *	   FAILURE_MAX_AGE ("expired"). Then the rate limits: more than
 *	   FailureReportRate reports to this destination, or
 *	   FailureReportRateTotal in all, made in the last hour ->
 *	   "suppressed". Else the mail is built (afrf.h; header section
 *	   redacted unless FailureReportRedact is off) and stored: "pending".
 *	3. Send: as aggregate reports, claim ("sending"), sendmail -t -i,
 *	   "sent" only when it exited 0, else "failed" and retried next run
 *	   with the same bytes, until FAILURE_MAX_AGE ("expired").
 *
 *	--dry-run changes nothing: it prints the samples waiting and the
 *	reports not yet sent. --out DIR writes each mail to DIR/ID.eml
 *	instead of sending it (the report stays pending).
 *
 *	Returns 0 (all done), 75 (something deferred or failed: run again),
 *	69 (the store failed), 73 (--out not writable).
 */
#ifndef DMARCTLS_REPORT_FAILURES_H
#define DMARCTLS_REPORT_FAILURES_H

#include "send.h"

#define FAILURE_MAX_AGE		86400	/* seconds a sample or report may wait */
#define FAILURE_MAX_SAMPLES	10000	/* samples taken per run; the rest wait */

typedef struct report_failure_opts {
	int		dry_run;
	const char	*out_dir;	/* NULL: send */
} report_failure_opts;

typedef struct report_failure_stats {
	unsigned	samples, made, sent, failed, deferred, refused, suppressed;
} report_failure_stats;

int	report_failures(const report_ctx *x, const report_failure_opts *o,
	    report_failure_stats *st);

#endif
