/*
 * test_report_spool.c -- spool lines: every byte survives the round trip, and
 *	a damaged line (cut by a crash, edited, hostile) is refused, never half read.
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

#include "spool.h"

static void
fill(report_row *r, const char *v)
{
	size_t	i;

	memset(r, 0, sizeof(*r));	/* no failure sample */
	for (i = 0; i < REPORT_NCOLS; i++)
		r->col[i] = strdup(v);
}

static void
round_trip_keeps_every_byte(void **state)
{
	report_row r, back;
	char	*line;
	size_t	i, tabs;

	fill(&r, "a\tb\nc%d e\x01\x7f\xc3\xbc!");
	free(r.col[RC_DKIM]);
	r.col[RC_DKIM] = strdup("");
	assert_non_null(line = report_row_encode(&r));
	/* one tab per column, one LF at the end, nothing else unprintable */
	for (i = 0, tabs = 0; line[i]; i++) {
		tabs += line[i] == '\t';
		if (line[i] != '\t' && line[i + 1] != '\0')
			assert_true(line[i] > ' ' && line[i] < 0x7f);
	}
	assert_int_equal(tabs, REPORT_NCOLS);
	assert_int_equal(strchr(line, '\n') - line, (long)strlen(line) - 1);
	assert_int_equal(report_row_decode(line, strlen(line), &back), 0);
	for (i = 0; i < REPORT_NCOLS; i++)
		assert_string_equal(back.col[i], r.col[i]);
	free(line);
	report_row_free(&r);
	report_row_free(&back);
}

static void
damaged_lines_are_refused(void **state)
{
	report_row r, back;
	char	*line, *bad;
	size_t	n;

	fill(&r, "x");
	line = report_row_encode(&r);
	n = strlen(line);
	/* cut anywhere: a field short */
	assert_int_equal(report_row_decode(line, n / 2, &back), -1);
	/* one field more */
	assert_non_null(bad = malloc(n + 4));
	memcpy(bad, line, n - 1);
	memcpy(bad + n - 1, "\ty\n", 4);
	assert_int_equal(report_row_decode(bad, strlen(bad), &back), -1);
	/* bad escapes, an escaped NUL, a raw control byte, no magic */
	memcpy(bad, line, n + 1);
	bad[5] = '%';
	assert_int_equal(report_row_decode(bad, n, &back), -1);
	memcpy(bad, line, n - 2);
	memcpy(bad + n - 2, "%00\n", 5);
	assert_int_equal(report_row_decode(bad, strlen(bad), &back), -1);
	memcpy(bad, line, n + 1);
	bad[5] = '\x01';
	assert_int_equal(report_row_decode(bad, n, &back), -1);
	assert_int_equal(report_row_decode("DTR2\tx\n", 7, &back), -1);
	assert_int_equal(report_row_decode("", 0, &back), -1);
	free(bad);
	free(line);
	report_row_free(&r);
}

static int
count_rows(void *arg, report_row *r)
{
	(*(int *)arg)++;
	report_row_free(r);
	return 0;
}

static void
append_take_and_load_skip_a_torn_tail(void **state)
{
	char	dir[] = "/tmp/test_spool.XXXXXX", path[256], load[300], err[256];
	report_row r;
	char	*line;
	size_t	bad;
	int	n = 0;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/spool", dir);
	fill(&r, "v");
	line = report_row_encode(&r);
	assert_int_equal(report_spool_append(path, line, strlen(line), 1 << 20, err, sizeof(err)), 0);
	assert_int_equal(report_spool_append(path, line, strlen(line), 1 << 20, err, sizeof(err)), 0);
	/* a crash in the middle of a write leaves a line without its LF */
	assert_int_equal(report_spool_append(path, line, 10, 1 << 20, err, sizeof(err)), 0);
	/* the bound holds */
	assert_int_equal(report_spool_append(path, line, strlen(line), 10, err, sizeof(err)), -1);
	assert_int_equal(report_spool_take(path, load, sizeof(load)), 1);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(report_spool_each(load, count_rows, &n, &bad), 0);
	assert_int_equal(n, 2);
	assert_int_equal(bad, 1);
	/* an unfinished load is taken again first */
	assert_int_equal(report_spool_take(path, load, sizeof(load)), 1);
	unlink(load);
	assert_int_equal(report_spool_take(path, load, sizeof(load)), 0);
	rmdir(dir);
	free(line);
	report_row_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip_keeps_every_byte),
		cmocka_unit_test(damaged_lines_are_refused),
		cmocka_unit_test(append_take_and_load_skip_a_torn_tail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
