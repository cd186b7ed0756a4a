/*
 * sts_store.c -- the SQLite file behind the MTA-STS cache (see sts_store.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <sqlite3.h>

#include "sts_store.h"

#define STS_STORE_BUSY_MS	2000

struct sts_store {
	sqlite3		*db;
	pthread_mutex_t	lock;
};

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS sts_policy ("
	" domain TEXT PRIMARY KEY,"
	" txt_id TEXT NOT NULL,"
	" fetched INTEGER NOT NULL,"
	" body BLOB NOT NULL);";

static int
exec_sql(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	char	*msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	snprintf(err, errlen, "%s: %s", sql, msg ? msg : "error");
	sqlite3_free(msg);
	return -1;
}

static int
schema_version(sqlite3 *db)
{
	sqlite3_stmt *st;
	int	v = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

sts_store *
sts_store_open(const char *path, char *err, size_t errlen)
{
	sts_store *s;
	int	v;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
	    | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, s->db ? sqlite3_errmsg(s->db) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, STS_STORE_BUSY_MS);
	if ((v = schema_version(s->db)) < 0 || v > STS_STORE_SCHEMA) {
		snprintf(err, errlen, "%s: schema version %d is not %d (newer dmarctls?)",
		    path, v, STS_STORE_SCHEMA);
		goto fail;
	}
	if (exec_sql(s->db, "PRAGMA journal_mode=WAL", err, errlen) < 0
	    || exec_sql(s->db, "PRAGMA synchronous=NORMAL", err, errlen) < 0
	    || exec_sql(s->db, schema, err, errlen) < 0
	    || exec_sql(s->db, "PRAGMA user_version=1", err, errlen) < 0)
		goto fail;
	pthread_mutex_init(&s->lock, NULL);
	return s;
fail:
	sqlite3_close(s->db);
	free(s);
	return NULL;
}

int
sts_store_save(sts_store *s, const char *domain, const char *id, time_t fetched,
    const char *body, size_t len)
{
	sqlite3_stmt *st = NULL;
	int	rc = -1;

	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO sts_policy"
	    " (domain, txt_id, fetched, body) VALUES (?1, ?2, ?3, ?4)", -1, &st, NULL) == SQLITE_OK
	    && sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC) == SQLITE_OK
	    && sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC) == SQLITE_OK
	    && sqlite3_bind_int64(st, 3, (sqlite3_int64)fetched) == SQLITE_OK
	    && sqlite3_bind_blob(st, 4, body, (int)len, SQLITE_STATIC) == SQLITE_OK
	    && sqlite3_step(st) == SQLITE_DONE)
		rc = 0;
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int
sts_store_delete(sts_store *s, const char *domain)
{
	sqlite3_stmt *st = NULL;
	int	rc = -1;

	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db, "DELETE FROM sts_policy WHERE domain = ?1", -1, &st,
	    NULL) == SQLITE_OK
	    && sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC) == SQLITE_OK
	    && sqlite3_step(st) == SQLITE_DONE)
		rc = 0;
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int
sts_store_load(sts_store *s, sts_store_row_fn fn, void *arg)
{
	sqlite3_stmt *st = NULL;
	int	rc;

	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db, "SELECT domain, txt_id, fetched, body FROM sts_policy",
	    -1, &st, NULL) != SQLITE_OK) {
		pthread_mutex_unlock(&s->lock);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *d = sqlite3_column_text(st, 0);
		const unsigned char *id = sqlite3_column_text(st, 1);
		const void *body = sqlite3_column_blob(st, 3);
		int	len = sqlite3_column_bytes(st, 3);

		if (d == NULL || id == NULL || sqlite3_column_type(st, 2) != SQLITE_INTEGER
		    || (body == NULL && len != 0))
			continue;
		fn(arg, (const char *)d, (const char *)id, (time_t)sqlite3_column_int64(st, 2),
		    body ? body : "", (size_t)len);
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	return rc == SQLITE_DONE ? 0 : -1;
}

void
sts_store_close(sts_store *s)
{
	if (s == NULL)
		return;
	sqlite3_close(s->db);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
