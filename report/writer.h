/*
 * writer.h -- the report writer: rows to the spool on the mail path, into the store off it.
 *
 * SYNOPSIS
 *	report_writer *report_writer_start(const report_writer_conf *conf);
 *	int report_writer_submit(report_writer *w, const report_row *rows,
 *	    size_t n, unsigned wait_ms);
 *	void report_writer_stop(report_writer *w);
 *
 * DESCRIPTION
 *	report_writer_submit() (the milter's end of message) encodes the
 *	rows as spool lines and appends them to the spool with one write
 *	(journal.h). When it returns the rows survive a crash or kill -9 of
 *	the milter, and the caller may send the MTA its reply: it never
 *	waits for the store, whatever the store does. Returns 0 when the
 *	writer has a store (the rows will be in it within REPORT_LOAD_MS),
 *	1 when it has none (the rows wait in the spool), -1 lost (the spool
 *	was full or unwritable, or memory ran out: logged, and mail goes on
 *	-- recording never changes a verdict). wait_ms (ReportCommitWait)
 *	is how long the writer's SQLite commits wait for the database lock.
 *
 *	The writer thread opens the store (again every REPORT_RETRY_SECONDS
 *	after a failure) and, every REPORT_LOAD_MS, takes the spool file
 *	whole (renamed to PATH.load; new rows go to a fresh PATH) and loads
 *	it, REPORT_BATCH_MAX rows a transaction (group commit), then removes
 *	it. A load that fails keeps PATH.load for the next attempt, which
 *	loads it before the rows appended since; a row already in the store
 *	is ignored (its key), so loading a file twice counts nothing twice.
 *	While there is no store it fsyncs the spool every round, so rows
 *	waiting for the store survive a power cut too. Between loads it
 *	copies SQLite's WAL back into the database (every
 *	REPORT_CHECKPOINT_ROWS rows), when no commit is running.
 *
 *	report_writer_stop() loads what the spool holds (or fsyncs it for the
 *	next start when there is no store) and ends the thread. It does not
 *	open a store that is down, and waits at most REPORT_STOP_SECONDS: a
 *	store that hangs (a PostgreSQL server that stopped answering) leaves
 *	the rows in the spool, fsync'd, for the next start, and the thread to
 *	the process's exit.
 */
#ifndef DMARCTLS_REPORT_WRITER_H
#define DMARCTLS_REPORT_WRITER_H

#include <stddef.h>

#include "row.h"

#define REPORT_LOAD_MS		50	/* between loads of the spool */
#define REPORT_BATCH_MAX	2000	/* rows per transaction */
#define REPORT_STORE_WAIT_MS	500	/* SQLite's busy timeout before any submit */
#define REPORT_RETRY_SECONDS	5	/* between attempts to reopen the store */
#define REPORT_STOP_SECONDS	5	/* the last load at stop, at most */
#define REPORT_CHECKPOINT_ROWS	2000	/* SQLite: WAL checkpoint after this many rows */

typedef void (*report_log_fn)(int priority, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

typedef struct report_writer_conf {
	const char	*store;		/* ReportStore URI */
	const char	*spool;		/* ReportSpool path */
	size_t		spool_max;	/* bytes */
	report_log_fn	log;
} report_writer_conf;

typedef struct report_writer report_writer;

report_writer	*report_writer_start(const report_writer_conf *conf);
int		report_writer_submit(report_writer *w, const report_row *rows,
		    size_t n, unsigned wait_ms);
void		report_writer_stop(report_writer *w);

#endif
