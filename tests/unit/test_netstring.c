/*
 * test_netstring.c -- unit tests for the socketmap framing (tlspolicy/netstring.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "netstring.h"

#define MAX	10100

static int
parse(const char *s, size_t *off, size_t *len, size_t *used)
{
	return ns_parse(s, strlen(s), MAX, off, len, used);
}

static void
complete_netstring_gives_data_and_length_used(void **state)
{
	size_t	off, len, used;

	(void)state;
	assert_int_equal(parse("11:postfix a.b,rest", &off, &len, &used), 1);
	assert_int_equal(off, 3);
	assert_int_equal(len, 11);
	assert_int_equal(used, 15);
	assert_memory_equal("11:postfix a.b," + off, "postfix a.b", 11);
}

static void
empty_netstring_is_valid(void **state)
{
	size_t	off, len, used;

	(void)state;
	assert_int_equal(parse("0:,", &off, &len, &used), 1);
	assert_int_equal(len, 0);
	assert_int_equal(used, 3);
}

static void
every_prefix_needs_more(void **state)
{
	const char *s = "11:postfix x.y,";
	size_t	i, off, len, used;

	(void)state;
	for (i = 0; i < strlen(s); i++)
		assert_int_equal(ns_parse(s, i, MAX, &off, &len, &used), 0);
}

static void
malformed_frames_are_errors(void **state)
{
	static const char *const bad[] = {
		":x,", "x", "1x", "01:a,", "3:abc;", "-1:a,", " 1:a,",
		"1234567890:", "10101:",
	};
	size_t	i, off, len, used;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("%s\n", bad[i]);
		assert_int_equal(parse(bad[i], &off, &len, &used), -1);
	}
}

static void
length_at_limit_is_accepted_one_over_is_not(void **state)
{
	size_t	off, len, used;

	(void)state;
	assert_int_equal(ns_parse("10100:", 6, MAX, &off, &len, &used), 0);
	assert_int_equal(ns_parse("10101:", 6, MAX, &off, &len, &used), -1);
}

static void
append_frames_data(void **state)
{
	strbuf	sb = STRBUF_INIT;

	(void)state;
	assert_int_equal(ns_append(&sb, "OK dane-only", 12), 0);
	assert_int_equal(ns_append(&sb, "", 0), 0);
	assert_string_equal(strbuf_str(&sb), "12:OK dane-only,0:,");
	strbuf_free(&sb);
}

/* every length's digits, round trip through ns_parse */
static void
append_long_lengths_parse_back(void **state)
{
	static const size_t lens[] = { 1, 9, 10, 99, 100, 999, 1000, 10100 };
	static char data[10100];
	strbuf	sb = STRBUF_INIT;
	size_t	i, off, len, used;
	char	want[16];

	(void)state;
	memset(data, 'a', sizeof(data));
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		strbuf_reset(&sb);
		assert_int_equal(ns_append(&sb, data, lens[i]), 0);
		snprintf(want, sizeof(want), "%zu:", lens[i]);
		assert_memory_equal(sb.s, want, strlen(want));
		assert_int_equal(ns_parse(sb.s, sb.len, 10100, &off, &len, &used), 1);
		assert_int_equal(len, lens[i]);
		assert_int_equal(used, sb.len);
	}
	strbuf_free(&sb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(complete_netstring_gives_data_and_length_used),
		cmocka_unit_test(empty_netstring_is_valid),
		cmocka_unit_test(every_prefix_needs_more),
		cmocka_unit_test(malformed_frames_are_errors),
		cmocka_unit_test(length_at_limit_is_accepted_one_over_is_not),
		cmocka_unit_test(append_frames_data),
		cmocka_unit_test(append_long_lengths_parse_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
