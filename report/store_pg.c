/*
 * store_pg.c -- the PostgreSQL backend of the report store (see store.h).
 *
 * DESCRIPTION
 *	libpq, one connection per store handle, text parameters
 *	(PQexecParams: never pasted into the SQL). Migrations take
 *	pg_advisory_xact_lock so MX hosts starting together migrate once.
 *	A connection that broke (server gone) makes every call fail; the
 *	caller closes the store and opens a new one later.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store.h"

#define PG_CONNECT_TIMEOUT	"10"	/* seconds */

#define PG_MIGRATION_LOCK	"SELECT pg_advisory_xact_lock(4452781)"	/* "DMARCTLS" */

static void
pg_err(PGconn *c, const char *what, char *err, size_t errlen)
{
	const char *m = PQerrorMessage(c);
	size_t	n;

	snprintf(err, errlen, "postgresql %s: %s", what, m && *m ? m : "failed");
	n = strlen(err);
	while (n > 0 && (err[n - 1] == '\n' || err[n - 1] == ' '))
		err[--n] = '\0';
}

static PGresult *
run(PGconn *c, const char *sql, int n, const char *const *p, char *err, size_t errlen)
{
	PGresult *r;
	ExecStatusType st;

	if ((r = PQexecParams(c, sql, n, NULL, p, NULL, NULL, 0)) == NULL) {
		pg_err(c, "exec", err, errlen);
		return NULL;
	}
	st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		snprintf(err, errlen, "postgresql: %s", PQresultErrorMessage(r));
		err[strcspn(err, "\n")] = '\0';
		PQclear(r);
		return NULL;
	}
	return r;
}

static long long
rs_pg_exec(void *h, const char *sql, int n, const char *const *p, char *err, size_t errlen)
{
	PGresult *r = run(h, sql, n, p, err, errlen);
	long long changed;

	if (r == NULL)
		return -1;
	changed = atoll(PQcmdTuples(r));
	PQclear(r);
	return changed;
}

static int
rs_pg_query(void *h, const char *sql, int n, const char *const *p, rs_row_fn fn, void *arg,
    char *err, size_t errlen)
{
	PGresult *r = run(h, sql, n, p, err, errlen);
	const char *vals[64];
	int	i, j, nc, nr;

	if (r == NULL)
		return -1;
	nc = PQnfields(r);
	if (nc > 64)
		nc = 64;
	nr = PQntuples(r);
	for (i = 0; i < nr; i++) {
		for (j = 0; j < nc; j++)
			vals[j] = PQgetisnull(r, i, j) ? "" : PQgetvalue(r, i, j);
		if (fn(arg, nc, vals) != 0)
			break;
	}
	PQclear(r);
	return 0;
}

static void
rs_pg_close(void *h)
{
	PQfinish(h);
}

/*
 * A server that takes the connection and never answers must not hold the
 * writer for ever: connect_timeout PG_CONNECT_TIMEOUT unless the URI sets
 * one (with expand_dbname the URI's own keys come later and win).
 */
void *
rs_pg_open(const char *uri, char *err, size_t errlen)
{
	const char *const keys[] = { "connect_timeout", "dbname", NULL };
	const char *const vals[] = { PG_CONNECT_TIMEOUT, uri, NULL };
	PGconn	*c = PQconnectdbParams(keys, vals, 1);
	PGresult *r;

	if (c == NULL || PQstatus(c) != CONNECTION_OK) {
		if (c != NULL)
			pg_err(c, "connect", err, errlen);
		else
			snprintf(err, errlen, "postgresql connect: out of memory");
		PQfinish(c);
		return NULL;
	}
	/* quiet "relation already exists, skipping" notices */
	if ((r = PQexec(c, "SET client_min_messages TO warning")) != NULL)
		PQclear(r);
	return c;
}

const rs_backend rs_pg_backend = {
	.kind = "postgresql",
	.begin_sql = "BEGIN",
	.lock_sql = PG_MIGRATION_LOCK,
	.exec = rs_pg_exec,
	.query = rs_pg_query,
	.checkpoint = NULL,
	.close = rs_pg_close,
};
