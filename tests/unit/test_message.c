/*
 * test_message.c -- unit tests for the header/body splitter (policy/message.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"

static void
parse_ok(const char *text, size_t len, message *m)
{
	char	err[128] = "";

	assert_int_equal(message_parse(text, len, m, err, sizeof(err)), 0);
}

static void
assert_field(const msg_field *f, const char *name, const char *raw, const char *value)
{
	assert_string_equal(f->name, name);
	assert_int_equal(f->rawlen, strlen(raw));
	assert_memory_equal(f->raw, raw, f->rawlen);
	assert_int_equal(f->valuelen, strlen(value));
	assert_memory_equal(f->value, value, f->valuelen);
}

static void
lf_message_splits_fields_and_body(void **state)
{
	const char *t = "From: a@example.com\nTo: b@example.org\n\nbody\n";
	message	m;

	parse_ok(t, strlen(t), &m);
	assert_int_equal(m.nfields, 2);
	assert_field(&m.fields[0], "From", "From: a@example.com", " a@example.com");
	assert_field(&m.fields[1], "To", "To: b@example.org", " b@example.org");
	assert_int_equal(m.bodylen, 5);
	assert_memory_equal(m.body, "body\n", 5);
	message_free(&m);
}

static void
crlf_message_drops_line_ends_from_fields(void **state)
{
	const char *t = "Subject: hi\r\nFrom: a@x.example\r\n\r\nb\r\n";
	message	m;

	parse_ok(t, strlen(t), &m);
	assert_int_equal(m.nfields, 2);
	assert_field(&m.fields[0], "Subject", "Subject: hi", " hi");
	assert_int_equal(m.bodylen, 3);
	message_free(&m);
}

static void
folded_field_keeps_its_folding(void **state)
{
	const char *t = "From: Alice\r\n <a@x.example>\r\n\tcomment\r\nTo: b@y\r\n\r\n";
	message	m;

	parse_ok(t, strlen(t), &m);
	assert_int_equal(m.nfields, 2);
	assert_field(&m.fields[0], "From", "From: Alice\r\n <a@x.example>\r\n\tcomment",
	    " Alice\r\n <a@x.example>\r\n\tcomment");
	assert_int_equal(m.bodylen, 0);
	message_free(&m);
}

static void
no_empty_line_means_no_body(void **state)
{
	const char *t = "From: a@x.example\nSubject: s";
	message	m;

	parse_ok(t, strlen(t), &m);
	assert_int_equal(m.nfields, 2);
	assert_field(&m.fields[1], "Subject", "Subject: s", " s");
	assert_int_equal(m.bodylen, 0);
	message_free(&m);
}

static void
non_field_line_starts_the_body(void **state)
{
	/* as Postfix cleanup: a line without a colon ends the headers */
	const char *t = "From: a@x.example\nthis is not a header\nFrom: b@evil.example\n";
	message	m;

	parse_ok(t, strlen(t), &m);
	assert_int_equal(m.nfields, 1);
	assert_int_equal(m.bodylen, strlen(t) - strlen("From: a@x.example\n"));
	message_free(&m);
}

static void
blank_before_colon_is_obsolete_syntax_accepted(void **state)
{
	const char *t = "From : a@x.example\n\n";
	message	m;

	parse_ok(t, strlen(t), &m);
	assert_int_equal(m.nfields, 1);
	assert_field(&m.fields[0], "From", "From : a@x.example", " a@x.example");
	message_free(&m);
}

static void
nul_bytes_stay_data(void **state)
{
	const char t[] = "From: a@x\0.example\n\nb";
	message	m;

	parse_ok(t, sizeof(t) - 1, &m);
	assert_int_equal(m.nfields, 1);
	assert_int_equal(m.fields[0].valuelen, 13);	/* " a@x\0.example" */
	message_free(&m);
}

static void
empty_input_has_no_fields(void **state)
{
	message	m;

	parse_ok("", 0, &m);
	assert_int_equal(m.nfields, 0);
	assert_int_equal(m.bodylen, 0);
	message_free(&m);
}

static void
too_many_fields_is_an_error(void **state)
{
	size_t	n = MESSAGE_MAX_FIELDS + 1, i;
	char	*t = malloc(n * 6 + 1), err[128];
	message	m;

	for (i = 0; i < n; i++)
		memcpy(t + i * 6, "X: y\r\n", 6);
	assert_int_equal(message_parse(t, n * 6, &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "more than"));
	assert_int_equal(m.nfields, 0);
	free(t);
}

static void
exactly_the_field_limit_is_accepted(void **state)
{
	size_t	n = MESSAGE_MAX_FIELDS, i;
	char	*t = malloc(n * 6 + 1);
	message	m;

	for (i = 0; i < n; i++)
		memcpy(t + i * 6, "X: y\r\n", 6);
	parse_ok(t, n * 6, &m);
	assert_int_equal(m.nfields, MESSAGE_MAX_FIELDS);
	message_free(&m);
	free(t);
}

static void
oversized_field_is_an_error(void **state)
{
	size_t	len = MESSAGE_MAX_FIELD + 16;
	char	*t = malloc(len), err[128];
	message	m;

	memcpy(t, "Subject: ", 9);
	memset(t + 9, 'a', len - 9);
	assert_int_equal(message_parse(t, len, &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "over"));
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lf_message_splits_fields_and_body),
		cmocka_unit_test(crlf_message_drops_line_ends_from_fields),
		cmocka_unit_test(folded_field_keeps_its_folding),
		cmocka_unit_test(no_empty_line_means_no_body),
		cmocka_unit_test(non_field_line_starts_the_body),
		cmocka_unit_test(blank_before_colon_is_obsolete_syntax_accepted),
		cmocka_unit_test(nul_bytes_stay_data),
		cmocka_unit_test(empty_input_has_no_fields),
		cmocka_unit_test(too_many_fields_is_an_error),
		cmocka_unit_test(exactly_the_field_limit_is_accepted),
		cmocka_unit_test(oversized_field_is_an_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
