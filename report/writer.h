/*
 * writer.h -- the report writer: one thread, group commits, a bounded wait, the spool.
 *
 * SYNOPSIS
 *	report_writer *report_writer_start(const report_writer_conf *conf);
 *	int report_writer_submit(report_writer *w, const report_row *rows,
 *	    size_t n, unsigned wait_ms);
 *	void report_writer_stop(report_writer *w);
 *
 * DESCRIPTION
 *	The milter's threads hand rows to one writer thread through a bounded
 *	queue. The writer takes everything queued, writes it in one
 *	transaction (group commit) and wakes the threads whose rows that
 *	commit made durable. It opens the store itself, off the mail path,
 *	and opens it again (every REPORT_RETRY_SECONDS) after the store
 *	failed; while it has no store, batches go to the spool. Whenever it
 *	has a store and the spool holds rows, it loads them.
 *
 *	report_writer_submit() copies the rows, queues them and waits at
 *	most wait_ms for their commit. When the queue is full, or the wait
 *	runs out, it appends the rows to the spool itself (fsync'd) before
 *	returning, so when it returns the rows are durable in one place or
 *	the other and the caller may send the MTA its reply. A row that is
 *	both committed and spooled is loaded once (the store ignores a
 *	duplicate key). Returns 0 committed, 1 spooled, -1 lost (the spool
 *	was full or unwritable: logged, and mail goes on -- recording never
 *	changes a verdict).
 *
 *	Housekeeping (the SQLite WAL checkpoint, every REPORT_CHECKPOINT_ROWS
 *	rows) runs after the waiters of a commit are woken, so no message
 *	waits for it.
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
