/*
 * store_sqlite.c -- the SQLite backend of the report store (see store.h).
 *
 * DESCRIPTION
 *	WAL journal, so dmarctls-reports reads while the milter writes;
 *	synchronous=NORMAL: a commit is in the WAL file (the kernel's page
 *	cache) when it returns, so it survives a crash or kill -9 of the
 *	process; only a power cut or kernel crash can lose the last commits
 *	(FULL would fsync every group commit: at one session that doubled
 *	the time per message in tests/bench). busy_timeout so a second writer waits instead of
 *	failing; BEGIN IMMEDIATE for every write transaction (a deferred
 *	one that reads first gets SQLITE_BUSY in WAL whatever the timeout).
 *	Prepared statements are cached (up to SQLITE_STMT_CACHE, matched by
 *	their text, the one used longest ago evicted): a group commit's
 *	BEGIN, INSERTs and COMMIT are prepared once per connection, not once
 *	per commit. Parameters are bound by name ($1, $2, ...; each name's
 *	index looked up once per cached statement),
 *	without a copy (SQLITE_STATIC: the caller's strings outlive the step).
 *	WAL needs shared memory on one host: never put the file on NFS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store.h"

#define SQLITE_BUSY_MS		5000
#define SQLITE_STMT_CACHE	8	/* prepared statements kept per connection */

#define SQLITE_MAX_PARAMS	64	/* $1..$64: their indexes are kept with the statement */

typedef struct rs_stmt {
	sqlite3_stmt	*st;
	char		*sql;		/* its text; NULL: a free slot */
	unsigned long	used;		/* when it was last used (h->clock) */
	int		nidx;		/* idx[i]: index of $(i+1), 0 if absent */
	int		idx[SQLITE_MAX_PARAMS];
} rs_stmt;

typedef struct rs_sqlite {
	sqlite3		*db;
	rs_stmt		cache[SQLITE_STMT_CACHE];
	unsigned long	clock;
} rs_sqlite;

static void
rs_err(rs_sqlite *h, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "sqlite %s: %s", what, sqlite3_errmsg(h->db));
}

/* The cached statement for sql, reset; else a slot for a new one (free or the oldest). */
static rs_stmt *
cache_slot(rs_sqlite *h, const char *sql)
{
	rs_stmt	*c, *oldest = &h->cache[0];

	for (c = h->cache; c < h->cache + SQLITE_STMT_CACHE; c++) {
		if (c->sql != NULL && strcmp(c->sql, sql) == 0) {
			sqlite3_reset(c->st);
			sqlite3_clear_bindings(c->st);
			return c;
		}
		if (c->sql == NULL || (oldest->sql != NULL && c->used < oldest->used))
			oldest = c;
	}
	sqlite3_finalize(oldest->st);
	free(oldest->sql);
	oldest->st = NULL;
	oldest->sql = NULL;
	return oldest;
}

/* The index of parameter $(i+1): looked up by name once per statement. */
static int
param_index(rs_stmt *c, int i, int n)
{
	char	name[16];
	int	j;

	if (c->nidx != n && n <= SQLITE_MAX_PARAMS) {
		for (j = 0; j < n; j++) {
			snprintf(name, sizeof(name), "$%d", j + 1);
			c->idx[j] = sqlite3_bind_parameter_index(c->st, name);
		}
		c->nidx = n;
	}
	if (n <= SQLITE_MAX_PARAMS)
		return c->idx[i];
	snprintf(name, sizeof(name), "$%d", i + 1);
	return sqlite3_bind_parameter_index(c->st, name);
}

static sqlite3_stmt *
prepare(rs_sqlite *h, const char *sql, int n, const char *const *p, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	rs_stmt	*c = cache_slot(h, sql);
	int	i, idx;

	if (c->sql == NULL) {
		if (sqlite3_prepare_v2(h->db, sql, -1, &st, NULL) != SQLITE_OK) {
			rs_err(h, "prepare", err, errlen);
			return NULL;
		}
		if ((c->sql = strdup(sql)) == NULL) {
			sqlite3_finalize(st);
			snprintf(err, errlen, "out of memory");
			return NULL;
		}
		c->st = st;
		c->nidx = -1;
	}
	c->used = ++h->clock;
	st = c->st;
	for (i = 0; i < n; i++) {
		if ((idx = param_index(c, i, n)) == 0)
			continue;
		if (sqlite3_bind_text(st, idx, p[i], -1, SQLITE_STATIC) != SQLITE_OK) {
			rs_err(h, "bind", err, errlen);
			return NULL;
		}
	}
	return st;
}

static int
run(rs_sqlite *h, const char *sql, int n, const char *const *p, rs_row_fn fn, void *arg,
    char *err, size_t errlen)
{
	sqlite3_stmt *st;
	const char *vals[64];
	int	rc, i, nc, stop = 0;

	if ((st = prepare(h, sql, n, p, err, errlen)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (fn == NULL || stop)
			continue;
		nc = sqlite3_column_count(st);
		if (nc > 64)
			nc = 64;
		for (i = 0; i < nc; i++) {
			vals[i] = (const char *)sqlite3_column_text(st, i);
			if (vals[i] == NULL)
				vals[i] = "";
		}
		stop = fn(arg, nc, vals);
	}
	if (rc != SQLITE_DONE) {
		rs_err(h, "step", err, errlen);
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	return 0;
}

static long long
rs_sqlite_exec(void *vh, const char *sql, int n, const char *const *p, char *err, size_t errlen)
{
	rs_sqlite *h = vh;

	if (run(h, sql, n, p, NULL, NULL, err, errlen) < 0)
		return -1;
	return sqlite3_changes(h->db);
}

static int
rs_sqlite_query(void *vh, const char *sql, int n, const char *const *p, rs_row_fn fn,
    void *arg, char *err, size_t errlen)
{
	return run(vh, sql, n, p, fn, arg, err, errlen);
}

/* The WAL back into the database, without waiting for readers (PASSIVE). */
static void
rs_sqlite_checkpoint(void *vh)
{
	rs_sqlite *h = vh;

	(void)sqlite3_wal_checkpoint_v2(h->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
}

static void
rs_sqlite_close(void *vh)
{
	rs_sqlite *h = vh;
	int	i;

	for (i = 0; i < SQLITE_STMT_CACHE; i++) {
		sqlite3_finalize(h->cache[i].st);
		free(h->cache[i].sql);
	}
	sqlite3_close(h->db);
	free(h);
}

void *
rs_sqlite_open(const char *path, char *err, size_t errlen)
{
	rs_sqlite *h;
	char	*msg = NULL;

	if ((h = calloc(1, sizeof(*h))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (sqlite3_open_v2(path, &h->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
	    | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "sqlite open %s: %s", path,
		    h->db ? sqlite3_errmsg(h->db) : "out of memory");
		sqlite3_close(h->db);
		free(h);
		return NULL;
	}
	sqlite3_busy_timeout(h->db, SQLITE_BUSY_MS);
	/* no automatic checkpoint inside a commit: the writer checkpoints
	 * after it has woken the threads waiting for that commit */
	if (sqlite3_exec(h->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	    " PRAGMA wal_autocheckpoint=0;",
	    NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "sqlite %s: %s", path, msg ? msg : "pragma failed");
		sqlite3_free(msg);
		rs_sqlite_close(h);
		return NULL;
	}
	return h;
}

const rs_backend rs_sqlite_backend = {
	.kind = "sqlite",
	.begin_sql = "BEGIN IMMEDIATE",
	.lock_sql = NULL,
	.exec = rs_sqlite_exec,
	.query = rs_sqlite_query,
	.checkpoint = rs_sqlite_checkpoint,
	.close = rs_sqlite_close,
};
