/*
 * spool.h -- spool lines: report rows on their way to the store, and how a spool file is loaded.
 *
 * SYNOPSIS
 *	char *report_row_encode(const report_row *r);
 *	int report_row_append(strbuf *sb, const report_row *r);
 *	int report_row_decode(const char *line, size_t len, report_row *r);
 *	int report_spool_take(const char *path, char *loadpath, size_t size);
 *	int report_spool_each(const char *loadpath, report_spool_fn fn, void *arg,
 *	    size_t *bad);
 *
 * DESCRIPTION
 *	A row is one line: "DTR1", then each column, tab-separated, every
 *	byte that is not printable ASCII, and '%', written as %XX. The line
 *	ends with LF, so a line cut by a crash is detected (no LF, or the
 *	wrong number of fields) and skipped, never loaded half. A row with a
 *	failure sample (row.h) is "DTR2", the row's columns, then the
 *	sample's; both kinds load. report_row_append() adds the line to sb
 *	(-1 with sb->failed when memory ran out); report_row_encode() returns
 *	it as a new string.
 *
 *	report_spool_take() renames the spool to PATH.load for loading, so
 *	new rows go to a fresh file while the old ones load; an existing
 *	PATH.load (a load that did not finish) is taken first. 1: loadpath
 *	holds rows to load; 0: nothing to load; -1: error.
 *	report_spool_each() calls fn for every well-formed row of the file;
 *	*bad counts the lines it skipped. The caller unlinks the file once the
 *	rows are committed. Loading twice is harmless: the store ignores a row
 *	it already holds (its key is reporter, msg_id, received, author_index).
 *
 * HOSTILE INPUT
 *	Lines longer than REPORT_SPOOL_LINE_MAX, a wrong field count, bad
 *	escapes and %00 are refused by report_row_decode().
 */
#ifndef DMARCTLS_REPORT_SPOOL_H
#define DMARCTLS_REPORT_SPOOL_H

#include <stddef.h>

#include "row.h"
#include "strbuf.h"

#define REPORT_SPOOL_LINE_MAX	(256u * 1024)

typedef int (*report_spool_fn)(void *arg, report_row *r);	/* takes r; -1 stops */

char	*report_row_encode(const report_row *r);
int	report_row_append(strbuf *sb, const report_row *r);
int	report_row_decode(const char *line, size_t len, report_row *r);
int	report_spool_take(const char *path, char *loadpath, size_t size);
int	report_spool_each(const char *loadpath, report_spool_fn fn, void *arg,
	    size_t *bad);

#endif
