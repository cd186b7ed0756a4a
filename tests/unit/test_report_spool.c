/*
 * test_report_spool.c -- spool lines and the journal: every byte survives the round trip,
 *	a damaged line (cut by a crash, edited, hostile) is refused, never half read.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"
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
	report_journal *j;
	report_row r;
	char	*line;
	size_t	bad;
	int	n = 0, fd;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/spool", dir);
	fill(&r, "v");
	line = report_row_encode(&r);
	assert_non_null(j = report_journal_new(path, 3 * strlen(line) - 1));
	assert_int_equal(report_journal_append(j, line, strlen(line), err, sizeof(err)), 0);
	assert_int_equal(report_journal_append(j, line, strlen(line), err, sizeof(err)), 0);
	/* a crash in the middle of a write leaves a line without its LF */
	assert_true((fd = open(path, O_WRONLY | O_APPEND)) >= 0);
	assert_int_equal(write(fd, line, 10), 10);
	close(fd);
	/* the bound holds (two lines in, a third would pass it) */
	assert_int_equal(report_journal_append(j, line, strlen(line), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is full"));
	assert_int_equal(report_journal_take(j, load, sizeof(load)), 1);
	assert_int_equal(access(path, F_OK), -1);
	/* rows appended after the take go to a fresh file, not to the one loading */
	assert_int_equal(report_journal_append(j, line, strlen(line), err, sizeof(err)), 0);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(report_journal_sync(j), 0);
	assert_int_equal(report_spool_each(load, count_rows, &n, &bad), 0);
	assert_int_equal(n, 2);
	assert_int_equal(bad, 1);
	/* an unfinished load is taken again first, and PATH stays in use */
	assert_int_equal(report_journal_take(j, load, sizeof(load)), 1);
	unlink(load);
	assert_int_equal(report_journal_take(j, load, sizeof(load)), 1);
	n = 0;
	assert_int_equal(report_spool_each(load, count_rows, &n, &bad), 0);
	assert_int_equal(n, 1);
	assert_int_equal(bad, 0);
	unlink(load);
	assert_int_equal(report_journal_take(j, load, sizeof(load)), 0);
	/* the file removed behind the journal's back: the next take notices,
	 * and later rows go to a new PATH, not into the removed file */
	assert_int_equal(report_journal_append(j, line, strlen(line), err, sizeof(err)), 0);
	unlink(path);
	assert_int_equal(report_journal_take(j, load, sizeof(load)), 0);
	assert_int_equal(report_journal_append(j, line, strlen(line), err, sizeof(err)), 0);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(report_journal_take(j, load, sizeof(load)), 1);
	unlink(load);
	report_journal_free(j);
	rmdir(dir);
	free(line);
	report_row_free(&r);
}

/* Several rows appended to one buffer: the lines of each, in order. */
static void
rows_appended_are_their_lines(void **state)
{
	strbuf	sb = STRBUF_INIT;
	report_row a, b;
	char	*la, *lb;

	(void)state;
	fill(&a, "first row");
	fill(&b, "second\trow%");
	la = report_row_encode(&a);
	lb = report_row_encode(&b);
	assert_int_equal(report_row_append(&sb, &a), 0);
	assert_int_equal(report_row_append(&sb, &b), 0);
	assert_int_equal(sb.len, strlen(la) + strlen(lb));
	assert_memory_equal(sb.s, la, strlen(la));
	assert_string_equal(sb.s + strlen(la), lb);
	strbuf_free(&sb);
	free(la);
	free(lb);
	report_row_free(&a);
	report_row_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip_keeps_every_byte),
		cmocka_unit_test(damaged_lines_are_refused),
		cmocka_unit_test(append_take_and_load_skip_a_torn_tail),
		cmocka_unit_test(rows_appended_are_their_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
