/*
 * send.h -- "dmarctls-reports send": rows to reports to mail, once per destination.
 *
 * SYNOPSIS
 *	int report_send(const report_ctx *x, const report_send_opts *o,
 *	    report_send_stats *st);
 *
 * DESCRIPTION
 *	For each UTC day that is over (or only --day), each policy domain
 *	with a rua (or only --domain), each of its first ReportMaxURIs
 *	mailto: destinations that verification allows (RFC 9990 section 4;
 *	a temporary DNS failure defers that destination to the next run),
 *	there is one report: a row in the table "report" keyed by (domain,
 *	day, destination), which fixes its id. The first host to move the
 *	row from pending or failed to sending (one UPDATE whose WHERE names
 *	the states: atomic in SQLite and, through row locks, in PostgreSQL)
 *	builds it -- aggregate, XML, gzip, MIME -- stores the mail, and
 *	hands it to sendmail; other hosts running at the same time skip it.
 *	A report is marked sent only when sendmail exited 0; otherwise it
 *	is failed, and the next run sends the stored mail again, same id,
 *	same filename, same bytes. A report left in "sending" by a run that
 *	died is taken again after REPORT_CLAIM_STALE seconds.
 *
 *	--dry-run changes nothing and sends nothing: it prints what would
 *	be sent. --out DIR writes each mail to DIR/ID.eml instead of sending
 *	it (the report keeps its state; the stored mail and id are the ones
 *	a later send uses).
 *
 *	Returns the exit status: 0 everything due was sent (or nothing was
 *	due), 75 something was deferred or failed (retry later), 69 the
 *	store failed, 73 --out could not write. st (may be NULL) gets the
 *	number of reports sent, failed (build or MTA), deferred (a temporary
 *	DNS failure verifying the destination) and skipped (sent before, or
 *	claimed by another host): for the metrics file (run_metrics.h).
 */
#ifndef DMARCTLS_REPORT_SEND_H
#define DMARCTLS_REPORT_SEND_H

#include <stdio.h>

#include "config.h"
#include "destination.h"
#include "store.h"

#define REPORT_CLAIM_STALE	3600	/* seconds before a "sending" claim is void */

typedef struct report_ctx {
	const dt_config	*cfg;
	report_store	*store;
	dest_checker	chk;
	const char	*receiver;	/* ReportSubmitter, else the authserv-id */
	const char	*host;		/* this host, for claimed_by */
	time_t		now;
} report_ctx;

typedef struct report_send_opts {
	long long	day;		/* -1: every day that is over */
	const char	*domain;	/* NULL: all */
	int		dry_run;
	const char	*out_dir;	/* NULL: send */
} report_send_opts;

typedef struct report_send_stats {
	unsigned	sent, failed, deferred, skipped;
} report_send_stats;

int	report_send(const report_ctx *x, const report_send_opts *o, report_send_stats *st);

#endif
