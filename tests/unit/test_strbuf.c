/*
 * test_strbuf.c -- unit tests for the growable string (util/strbuf.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

static void
empty_buffer_reads_as_empty_string(void **state)
{
	strbuf	sb = STRBUF_INIT;

	assert_string_equal(strbuf_str(&sb), "");
	assert_int_equal(sb.len, 0);
	strbuf_free(&sb);
}

static void
appends_concatenate_in_order(void **state)
{
	strbuf	sb = STRBUF_INIT;

	assert_int_equal(strbuf_append(&sb, "spf="), 0);
	assert_int_equal(strbuf_appendn(&sb, "passXX", 4), 0);
	assert_int_equal(strbuf_appendc(&sb, ';'), 0);
	assert_int_equal(strbuf_printf(&sb, " n=%d %s", 42, "x"), 0);
	assert_string_equal(strbuf_str(&sb), "spf=pass; n=42 x");
	assert_int_equal(sb.len, strlen("spf=pass; n=42 x"));
	strbuf_free(&sb);
}

static void
growth_keeps_every_byte(void **state)
{
	strbuf	sb = STRBUF_INIT;
	size_t	i;

	for (i = 0; i < 10000; i++)
		strbuf_appendc(&sb, (char)('a' + i % 26));
	assert_int_equal(sb.len, 10000);
	for (i = 0; i < 10000; i++)
		assert_int_equal(sb.s[i], 'a' + i % 26);
	assert_int_equal(sb.s[10000], '\0');
	strbuf_free(&sb);
}

static void
embedded_nul_is_kept_with_length(void **state)
{
	strbuf	sb = STRBUF_INIT;

	strbuf_appendn(&sb, "a\0b", 3);
	assert_int_equal(sb.len, 3);
	assert_memory_equal(sb.s, "a\0b", 4);
	strbuf_free(&sb);
}

static void
limit_fails_and_keeps_text(void **state)
{
	strbuf	sb = STRBUF_INIT;

	strbuf_append(&sb, "keep");
	assert_int_equal(strbuf_appendn(&sb, "x", STRBUF_MAX), -1);
	assert_int_equal(sb.failed, 1);
	assert_string_equal(strbuf_str(&sb), "keep");
	/* once failed, later appends fail too, so one check at the end suffices */
	assert_int_equal(strbuf_append(&sb, "more"), -1);
	assert_string_equal(strbuf_str(&sb), "keep");
	strbuf_free(&sb);
}

static void
reset_empties_and_clears_failure(void **state)
{
	strbuf	sb = STRBUF_INIT;

	strbuf_append(&sb, "abc");
	sb.failed = 1;
	strbuf_reset(&sb);
	assert_int_equal(sb.len, 0);
	assert_int_equal(sb.failed, 0);
	assert_string_equal(strbuf_str(&sb), "");
	strbuf_free(&sb);
}

static void
detach_hands_over_the_string(void **state)
{
	strbuf	sb = STRBUF_INIT;
	char	*s;

	strbuf_append(&sb, "mine");
	s = strbuf_detach(&sb);
	assert_string_equal(s, "mine");
	assert_null(sb.s);
	assert_int_equal(sb.len, 0);
	free(s);
	s = strbuf_detach(&sb);		/* an empty buffer detaches as "" */
	assert_string_equal(s, "");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_buffer_reads_as_empty_string),
		cmocka_unit_test(appends_concatenate_in_order),
		cmocka_unit_test(growth_keeps_every_byte),
		cmocka_unit_test(embedded_nul_is_kept_with_length),
		cmocka_unit_test(limit_fails_and_keeps_text),
		cmocka_unit_test(reset_empties_and_clears_failure),
		cmocka_unit_test(detach_hands_over_the_string),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
