/*
 * test_sts_store.c -- the SQLite file behind the MTA-STS cache: round trip,
 *	replacement, deletion, bodies with NUL bytes, rows of the wrong type,
 *	a newer schema refused, WAL journaling.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "sts_store.h"

typedef struct rows {
	size_t	n;
	char	domain[4][64], id[4][40], body[4][128];
	size_t	len[4];
	time_t	fetched[4];
} rows;

static void
collect(void *arg, const char *domain, const char *id, time_t fetched, const char *body,
    size_t len)
{
	rows	*r = arg;

	assert_true(r->n < 4 && len < sizeof(r->body[0]));
	snprintf(r->domain[r->n], sizeof(r->domain[0]), "%s", domain);
	snprintf(r->id[r->n], sizeof(r->id[0]), "%s", id);
	memcpy(r->body[r->n], body, len);
	r->len[r->n] = len;
	r->fetched[r->n] = fetched;
	r->n++;
}

static char path[64];

static int
setup(void **state)
{
	int	fd;

	snprintf(path, sizeof(path), "/tmp/test_sts_store.XXXXXX");
	if ((fd = mkstemp(path)) < 0)
		return -1;
	close(fd);
	unlink(path);
	return 0;
}

static int
teardown(void **state)
{
	char	p[80];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
	return 0;
}

static void
round_trip_survives_reopen(void **state)
{
	char	err[256];
	sts_store *s = sts_store_open(path, err, sizeof(err));
	rows	r;

	assert_non_null(s);
	assert_int_equal(sts_store_save(s, "a.example", "id1", 1000, "body\0x", 6), 0);
	assert_int_equal(sts_store_save(s, "b.example", "id2", 2000, "other", 5), 0);
	assert_int_equal(sts_store_save(s, "a.example", "id3", 3000, "new", 3), 0);
	sts_store_close(s);
	s = sts_store_open(path, err, sizeof(err));
	assert_non_null(s);
	memset(&r, 0, sizeof(r));
	assert_int_equal(sts_store_load(s, collect, &r), 0);
	assert_int_equal(r.n, 2);
	for (size_t i = 0; i < r.n; i++) {
		if (strcmp(r.domain[i], "a.example") == 0) {
			assert_string_equal(r.id[i], "id3");
			assert_int_equal(r.fetched[i], 3000);
			assert_int_equal(r.len[i], 3);
		} else {
			assert_string_equal(r.domain[i], "b.example");
			assert_int_equal(r.len[i], 5);
		}
	}
	assert_int_equal(sts_store_delete(s, "a.example"), 0);
	memset(&r, 0, sizeof(r));
	assert_int_equal(sts_store_load(s, collect, &r), 0);
	assert_int_equal(r.n, 1);
	sts_store_close(s);
}

static void
body_with_nul_kept_whole(void **state)
{
	char	err[256];
	sts_store *s = sts_store_open(path, err, sizeof(err));
	rows	r;

	assert_non_null(s);
	assert_int_equal(sts_store_save(s, "n.example", "id", 1, "ab\0cd", 5), 0);
	memset(&r, 0, sizeof(r));
	assert_int_equal(sts_store_load(s, collect, &r), 0);
	assert_int_equal(r.len[0], 5);
	assert_memory_equal(r.body[0], "ab\0cd", 5);
	sts_store_close(s);
}

static void
rows_of_wrong_type_skipped(void **state)
{
	char	err[256];
	sts_store *s = sts_store_open(path, err, sizeof(err));
	sqlite3	*db;
	rows	r;

	assert_non_null(s);
	sts_store_close(s);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO sts_policy VALUES ('x.example', 'id', "
	    "'not a time', 'body'); INSERT INTO sts_policy VALUES ('y.example', 'id', 5, 'ok')",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	s = sts_store_open(path, err, sizeof(err));
	assert_non_null(s);
	memset(&r, 0, sizeof(r));
	assert_int_equal(sts_store_load(s, collect, &r), 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.domain[0], "y.example");
	sts_store_close(s);
}

static void
newer_schema_refused_and_wal_used(void **state)
{
	char	err[256];
	sts_store *s = sts_store_open(path, err, sizeof(err));
	sqlite3	*db;
	sqlite3_stmt *st;

	assert_non_null(s);
	sts_store_close(s);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version=2", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_null(sts_store_open(path, err, sizeof(err)));
	assert_non_null(strstr(err, "schema version 2"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(round_trip_survives_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(body_with_nul_kept_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(rows_of_wrong_type_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(newer_schema_refused_and_wal_used, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
