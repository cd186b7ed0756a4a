/*
 * writer.h -- the report writer: group commits, a bounded wait, the spool.
 *
 * SYNOPSIS
 *	report_writer *report_writer_start(const report_writer_conf *conf);
 *	int report_writer_submit(report_writer *w, const report_row *rows,
 *	    size_t n, unsigned wait_ms);
 *	void report_writer_stop(report_writer *w);
 *
 * DESCRIPTION
 *	The milter's threads queue rows and wait for the commit that makes
 *	them durable (group commit). With SQLite (a local file) the
 *	submitter whose rows arrive when no commit is in progress commits
 *	everything queued itself, in one transaction, and wakes the waiters
 *	of that batch; rows arriving meanwhile wait for the next batch, and
 *	one of their submitters is woken to commit it. With PostgreSQL (a
 *	network store, whose commit could hang) the writer thread commits
 *	every batch, so a submitter never waits longer than wait_ms. The
 *	writer thread also opens the store, off the mail path, and opens it
 *	again (every REPORT_RETRY_SECONDS) after the store failed; while
 *	there is no store, batches go to the spool. Whenever it has a store
 *	and the spool holds rows, it loads them. It commits a queue whose
 *	submitters all stopped waiting.
 *
 *	report_writer_submit() copies the rows, queues them and waits at
 *	most wait_ms for their commit (a submitter that commits a batch
 *	itself waits at most wait_ms for SQLite's lock: the busy timeout).
 *	When the queue is full, or the wait runs out, it appends the rows
 *	to the spool itself (fsync'd) before returning, so when it returns
 *	the rows are durable in one place or the other and the caller may
 *	send the MTA its reply. A row that is
 *	both committed and spooled is loaded once (the store ignores a
 *	duplicate key). Returns 0 committed, 1 spooled, -1 lost (the spool
 *	was full or unwritable: logged, and mail goes on -- recording never
 *	changes a verdict).
 *
 *	Housekeeping (the SQLite WAL checkpoint, every REPORT_CHECKPOINT_ROWS
 *	rows) runs in the writer thread on a second connection while
 *	submitters go on committing; only when the WAL has grown past
 *	REPORT_WAL_FRAMES_MAX frames (commits during checkpoints kept it
 *	from starting over) is the rest copied with commits held.
 *
 *	report_writer_stop() commits what is queued and ends the thread.
 */
#ifndef DMARCTLS_REPORT_WRITER_H
#define DMARCTLS_REPORT_WRITER_H

#include <stddef.h>

#include "row.h"

#define REPORT_QUEUE_MAX	20000	/* rows waiting for the writer */
#define REPORT_BATCH_MAX	2000	/* rows per transaction */
#define REPORT_RETRY_SECONDS	5	/* between attempts to reopen the store */
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
