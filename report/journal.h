/*
 * journal.h -- the spool held open: the milter's one write per message, taken whole for loading.
 *
 * SYNOPSIS
 *	report_journal *report_journal_new(const char *path, size_t max_bytes);
 *	int report_journal_append(report_journal *j, const char *data, size_t len,
 *	    char *err, size_t errlen);
 *	int report_journal_take(report_journal *j, char *loadpath, size_t size);
 *	int report_journal_sync(report_journal *j);
 *	void report_journal_free(report_journal *j);
 *
 * DESCRIPTION
 *	Every report row goes to the spool file first (spool.h: one line a
 *	row); the writer thread loads the file into the store a moment
 *	later. report_journal_append() adds data with one write(2) on a
 *	descriptor kept open (O_APPEND), under the journal's lock, so lines of
 *	concurrent callers never interleave. When it returns 0 the data is in
 *	the kernel: it survives a crash or kill -9 of the process (not a
 *	power cut before report_journal_sync()). It refuses (-1, err says why)
 *	data that would grow the file past max_bytes, and a write that fails
 *	halfway is cut off again, so the file holds whole lines only.
 *
 *	report_journal_take() is report_spool_take() under the lock: the
 *	file becomes PATH.load (or an existing PATH.load is returned first),
 *	and the next append opens a fresh PATH (as it does when PATH was
 *	removed behind the journal's back). 1: loadpath holds rows to load;
 *	0: nothing to load; -1: error.
 *
 *	report_journal_sync() fdatasync()s what was appended since the last
 *	call (the writer thread's, while the store is down; the lock is not
 *	held meanwhile). 0: done or nothing to do; -1: failed.
 */
#ifndef DMARCTLS_REPORT_JOURNAL_H
#define DMARCTLS_REPORT_JOURNAL_H

#include <stddef.h>

typedef struct report_journal report_journal;

report_journal	*report_journal_new(const char *path, size_t max_bytes);
int		report_journal_append(report_journal *j, const char *data, size_t len,
		    char *err, size_t errlen);
int		report_journal_take(report_journal *j, char *loadpath, size_t size);
int		report_journal_sync(report_journal *j);
void		report_journal_free(report_journal *j);

#endif
