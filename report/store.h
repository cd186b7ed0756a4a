/*
 * store.h -- the report store: one schema, one code path, SQLite or PostgreSQL underneath.
 *
 * SYNOPSIS
 *	report_store *report_store_open(const char *uri, char *err, size_t errlen);
 *	void report_store_close(report_store *s);
 *	int report_store_begin(report_store *s, char *err, size_t errlen);
 *	int report_store_commit(report_store *s, char *err, size_t errlen);
 *	void report_store_rollback(report_store *s);
 *	int report_store_insert(report_store *s, const report_row *r,
 *	    char *err, size_t errlen);
 *	long long report_store_exec(report_store *s, const char *sql, int n,
 *	    const char *const *params, char *err, size_t errlen);
 *	int report_store_query(report_store *s, const char *sql, int n,
 *	    const char *const *params, rs_row_fn fn, void *arg,
 *	    char *err, size_t errlen);
 *	const char *report_store_kind(const report_store *s);
 *	void report_store_checkpoint(report_store *s);
 *
 * DESCRIPTION
 *	uri is "sqlite:/PATH" (one MX: WAL journal, BEGIN IMMEDIATE, local
 *	disk only) or a libpq URI "postgresql://..." (a fleet of MX hosts
 *	writing into one database). Everything above this interface -- the
 *	schema, the migration, the insert, the report queries -- is the same
 *	SQL text for both: parameters are written $1, $2 ... and passed as
 *	text, the only conflict clause used is ON CONFLICT DO NOTHING, and
 *	integers are BIGINT. A backend (store_sqlite.c, store_pg.c) only runs
 *	statements.
 *
 *	report_store_open() connects and brings the schema to
 *	REPORT_SCHEMA_VERSION, one migration step per version, each in its
 *	own transaction under a lock (PostgreSQL: an advisory lock, so two
 *	MX hosts starting at once do not both create the tables). A database
 *	whose version is newer than this program knows is refused.
 *
 *	report_store_insert() adds one evaluation row, and its failure sample
 *	(row.h) to the table "failure" when it has one; a row whose key
 *	(reporter, msg_id, received, author_index) is already there is
 *	ignored, so loading the spool twice never counts a message twice.
 *
 *	report_store_checkpoint() does the backend's housekeeping that should
 *	not sit inside a commit someone waits for (SQLite: copy the WAL back
 *	into the database; the writer calls it after waking the waiters).
 *
 *	report_store_exec() returns the number of rows changed, or -1.
 *	report_store_query() calls fn(arg, ncols, values) per result row
 *	(SQL NULL as ""); fn returning non-zero stops the query.
 */
#ifndef DMARCTLS_REPORT_STORE_H
#define DMARCTLS_REPORT_STORE_H

#include <stddef.h>

#include "row.h"

#define REPORT_SCHEMA_VERSION	3

typedef int (*rs_row_fn)(void *arg, int ncols, const char *const *values);

typedef struct rs_backend {
	const char	*kind;		/* "sqlite" or "postgresql" */
	const char	*begin_sql;	/* a write transaction */
	const char	*lock_sql;	/* serialises migrations; NULL: begin_sql does */
	long long	(*exec)(void *h, const char *sql, int n, const char *const *p,
			    char *err, size_t errlen);
	int		(*query)(void *h, const char *sql, int n, const char *const *p,
			    rs_row_fn fn, void *arg, char *err, size_t errlen);
	void		(*checkpoint)(void *h);	/* NULL: nothing to do */
	void		(*close)(void *h);
} rs_backend;

typedef struct report_store report_store;

/* The backends: open returns the handle or NULL with err set. */
extern const rs_backend rs_sqlite_backend;
void	*rs_sqlite_open(const char *path, char *err, size_t errlen);
extern const rs_backend rs_pg_backend;
void	*rs_pg_open(const char *uri, char *err, size_t errlen);

report_store	*report_store_open(const char *uri, char *err, size_t errlen);
void		report_store_close(report_store *s);
int		report_store_begin(report_store *s, char *err, size_t errlen);
int		report_store_commit(report_store *s, char *err, size_t errlen);
void		report_store_rollback(report_store *s);
int		report_store_insert(report_store *s, const report_row *r,
		    char *err, size_t errlen);
long long	report_store_exec(report_store *s, const char *sql, int n,
		    const char *const *params, char *err, size_t errlen);
int		report_store_query(report_store *s, const char *sql, int n,
		    const char *const *params, rs_row_fn fn, void *arg,
		    char *err, size_t errlen);
const char	*report_store_kind(const report_store *s);
void		report_store_checkpoint(report_store *s);

#endif
