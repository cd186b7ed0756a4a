/*
 * report_handoff.h -- hand each finished evaluation to the report writer.
 *
 * SYNOPSIS
 *	int dt_report_start(const dt_config *cfg);
 *	void dt_report_message(const dt_config *cfg, const dt_verdict *v,
 *	                       const char *qid, const char *envelope_to,
 *	                       const char *headers);
 *	void dt_report_stop(void);
 *
 * DESCRIPTION
 *	dt_report_start() starts the writer when the configuration says
 *	"Reports yes" (ReportStore, ReportSpool, ReportSpoolMax are read
 *	here, once: a reload does not move the store; restart for that).
 *	dt_report_message() is called at end of message, before the reply
 *	goes to the MTA: it builds the rows (one per author domain: envelope_to
 *	is the first recipient's domain, recorded when ReportEnvelopeTo is on;
 *	headers the header section as received, for the failure sample of a
 *	row whose record asks for one when FailureReports is on) and
 *	waits at most ReportCommitWait for them to be durable (committed, or
 *	else spooled). It never changes the verdict. dt_report_stop()
 *	commits what is queued.
 */
#ifndef DMARCTLS_REPORT_HANDOFF_H
#define DMARCTLS_REPORT_HANDOFF_H

#include "config.h"
#include "verdict.h"

int	dt_report_start(const dt_config *cfg);
void	dt_report_message(const dt_config *cfg, const dt_verdict *v, const char *qid,
	    const char *envelope_to, const char *headers);
void	dt_report_stop(void);

#endif
