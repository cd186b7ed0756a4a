/*
 * run_metrics.h -- the Prometheus textfile of one dmarctls-reports run.
 *
 * SYNOPSIS
 *	int report_rows_pending(report_store *s, time_t now, long long *out,
 *	    char *err, size_t errlen);
 *	int report_metrics_write(const char *path, const report_run_metrics *m,
 *	    char *err, size_t errlen);
 *
 * DESCRIPTION
 *	dmarctls-reports is a one-shot command: there is no process for
 *	Prometheus to scrape. What admins use for cron jobs is node_exporter's
 *	textfile collector, which reads *.prom files from a directory at each
 *	scrape. ReportMetricsFile names such a file; each send run rewrites it
 *	(a temporary file in the same directory, fsync, rename(2): a scrape
 *	sees the old file or the new one, never half of one).
 *
 *	The counters (dmarctls_reports_sent_total, _failed_total,
 *	_deferred_total, one series per kind of report) must grow across runs
 *	for rate() and increase() to mean anything, so each run reads them
 *	back from the previous file and adds its own; a missing or unreadable
 *	file starts them at 0 again, which Prometheus takes as a counter
 *	reset. The gauges: the time of this run and of the last run that
 *	exited 0 (carried over from the previous file when this one did not),
 *	this run's exit status, and the rows of finished days that are in no
 *	sent report yet (left out when the store could not be read).
 *
 *	The file is written with util/metrics.h's registry and exposition
 *	writer, the format the milter serves on /metrics. It is the last
 *	thing a run does: report_metrics_write() first empties the registry
 *	(the DNS layer's counters there count one run only and would read as
 *	counters reset at every run) and empties it again when done, so
 *	nothing may count into the registry afterwards.
 *
 *	report_rows_pending() counts evaluation rows of days before now's UTC
 *	day that have a policy domain and a rua and no report of that domain
 *	and day in state sent. Both return 0, or -1 with err set.
 */
#ifndef DMARCTLS_REPORT_RUN_METRICS_H
#define DMARCTLS_REPORT_RUN_METRICS_H

#include <stddef.h>
#include <time.h>

#include "store.h"

typedef struct report_run_metrics {
	const char	*kind;		/* "aggregate" */
	unsigned	sent, failed, deferred;
	int		exit_status;
	int		rows_known;	/* rows_pending is valid */
	long long	rows_pending;
	time_t		now;
} report_run_metrics;

int	report_rows_pending(report_store *s, time_t now, long long *out, char *err, size_t errlen);
int	report_metrics_write(const char *path, const report_run_metrics *m, char *err,
	    size_t errlen);

#endif
