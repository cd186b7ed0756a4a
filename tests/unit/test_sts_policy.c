/*
 * test_sts_policy.c -- the MTA-STS policy parser, one test per rule of
 *	RFC 8461 section 3.2 and per documented choice (mx patterns that are
 *	hostnames in A-label form, nothing else).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "sts_policy.h"

static int
parse(const char *body, sts_policy *p)
{
	char	why[128];

	return sts_policy_parse(body, strlen(body), p, why, sizeof(why));
}

static void
rfc_example_parses(void **state)
{
	sts_policy p;

	assert_int_equal(parse("version: STSv1\nmode: enforce\nmx: mail.example.com\n"
	    "mx: *.example.net\nmx: backupmx.example.com\nmax_age: 604800\n", &p), 0);
	assert_int_equal(p.mode, STS_MODE_ENFORCE);
	assert_int_equal(p.max_age, 604800);
	assert_int_equal(p.nmx, 3);
	assert_string_equal(p.mx[0], "*.example.net");
	assert_string_equal(p.mx[1], "backupmx.example.com");
	assert_string_equal(p.mx[2], "mail.example.com");
	assert_int_equal(p.nlines, 6);
	assert_string_equal(p.lines[0], "version: STSv1");
	assert_string_equal(p.lines[1], "mode: enforce");
	assert_string_equal(p.lines[2], "mx: *.example.net");
	assert_string_equal(p.lines[5], "max_age: 604800");
	sts_policy_free(&p);
}

static void
crlf_and_trailing_wsp_allowed(void **state)
{
	sts_policy p;

	assert_int_equal(parse("version: STSv1\r\nmode:testing \r\nmx:\tMX.Example.COM\t\r\n"
	    "max_age: 0", &p), 0);
	assert_int_equal(p.mode, STS_MODE_TESTING);
	assert_int_equal(p.max_age, 0);
	assert_string_equal(p.mx[0], "mx.example.com");
	sts_policy_free(&p);
}

static void
required_fields_once(void **state)
{
	sts_policy p;

	assert_int_equal(parse("mode: none\nmax_age: 1\n", &p), -1);
	assert_int_equal(parse("version: STSv1\nmax_age: 1\n", &p), -1);
	assert_int_equal(parse("version: STSv1\nmode: none\n", &p), -1);
	assert_int_equal(parse("version: STSv1\nversion: STSv1\nmode: none\nmax_age: 1\n", &p), -1);
	assert_int_equal(parse("version: STSv1\nmode: none\nmode: none\nmax_age: 1\n", &p), -1);
	assert_int_equal(parse("version: STSv1\nmode: none\nmax_age: 1\nmax_age: 2\n", &p), -1);
	assert_int_equal(parse("version: STSv1\nmode: none\nmax_age: 1\n", &p), 0);
	assert_int_equal(p.nmx, 0);
	sts_policy_free(&p);
}

static void
enforce_and_testing_need_mx(void **state)
{
	sts_policy p;

	assert_int_equal(parse("version: STSv1\nmode: enforce\nmax_age: 1\n", &p), -1);
	assert_int_equal(parse("version: STSv1\nmode: testing\nmax_age: 1\n", &p), -1);
}

static void
values_are_case_sensitive(void **state)
{
	sts_policy p;

	assert_int_equal(parse("version: stsv1\nmode: none\nmax_age: 1\n", &p), -1);
	assert_int_equal(parse("version: STSv1\nmode: Enforce\nmx: a.b\nmax_age: 1\n", &p), -1);
	assert_int_equal(parse("Version: STSv1\nmode: none\nmax_age: 1\n", &p), -1);
}

static void
max_age_bounds(void **state)
{
	sts_policy p;

	assert_int_equal(parse("version: STSv1\nmode: none\nmax_age: 31557600\n", &p), 0);
	assert_int_equal(p.max_age, 31557600);
	sts_policy_free(&p);
	assert_int_equal(parse("version: STSv1\nmode: none\nmax_age: 31557601\n", &p), -1);
	assert_int_equal(parse("version: STSv1\nmode: none\nmax_age: 99999999999\n", &p), -1);
	assert_int_equal(parse("version: STSv1\nmode: none\nmax_age: -1\n", &p), -1);
	assert_int_equal(parse("version: STSv1\nmode: none\nmax_age: 1 2\n", &p), -1);
	assert_int_equal(parse("version: STSv1\nmode: none\nmax_age:\n", &p), -1);
}

static void
mx_must_be_hostname_pattern(void **state)
{
	static const char *const bad[] = {
		"mx.example.com mx2.example.com", "mx.example.com,mx2.example.com",
		"{mx.example.com}", "mx}.example.com", "192.0.2.1", "[192.0.2.1]",
		"2001:db8::1", "*", "*.", "*.*.example.com", "mx.*.example.com",
		"mx.example.com.", ".example.com", "-mx.example.com", "mx-.example.com",
		"mx..example.com", "mx_1.example.com", "ab--c.example.com",
		"xn--zz.example.com", "m\xc3\xa4il.example.com", "mx.example.123",
		"mx.example.com:25", "a23456789012345678901234567890123456789012345678901234567890123a.b",
		NULL
	};
	size_t	i;

	for (i = 0; bad[i] != NULL; i++) {
		char	body[512];
		sts_policy p;

		snprintf(body, sizeof(body), "version: STSv1\nmode: enforce\nmx: %s\nmax_age: 1\n", bad[i]);
		if (parse(body, &p) != -1)
			fail_msg("accepted mx: %s", bad[i]);
	}
	assert_true(sts_mx_pattern_valid("xn--mil-qla.example.com", 23));
	assert_true(sts_mx_pattern_valid("*.mx.example.com", 16));
	assert_true(sts_mx_pattern_valid("localhost", 9));
	assert_true(sts_mx_pattern_valid("1.2.3.example", 13));
}

static void
mx_sorted_and_deduplicated(void **state)
{
	sts_policy p;

	assert_int_equal(parse("version: STSv1\nmode: enforce\nmx: b.example\nmx: A.example\n"
	    "mx: a.example\nmax_age: 5\n", &p), 0);
	assert_int_equal(p.nmx, 2);
	assert_string_equal(p.mx[0], "a.example");
	assert_string_equal(p.mx[1], "b.example");
	sts_policy_free(&p);
}

static void
too_many_mx_is_invalid(void **state)
{
	char	body[8192];
	size_t	n, i;
	sts_policy p;

	n = (size_t)snprintf(body, sizeof(body), "version: STSv1\nmode: enforce\nmax_age: 1\n");
	for (i = 0; i <= STS_POLICY_MAX_MX; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n, "mx: m%zu.example\n", i);
	assert_int_equal(parse(body, &p), -1);
}

static void
extensions_checked_not_copied(void **state)
{
	sts_policy p;

	assert_int_equal(parse("version: STSv1\nmode: none\nmax_age: 1\n"
	    "x-note: hello {world}, caf\xc3\xa9\n", &p), 0);
	assert_int_equal(p.nlines, 3);
	sts_policy_free(&p);
	assert_int_equal(parse("version: STSv1\nmode: none\nmax_age: 1\nx-note: \xc3\n", &p), -1);
	assert_int_equal(parse("version: STSv1\nmode: none\nmax_age: 1\nx-note:\n", &p), -1);
	assert_int_equal(parse("version: STSv1\nmode: none\nmax_age: 1\n_x: 1\n", &p), -1);
	assert_int_equal(parse("version: STSv1\nmode: none\nmax_age: 1\nno colon\n", &p), -1);
}

static void
line_structure_is_strict(void **state)
{
	sts_policy p;
	static const char nul[] = "version: STSv1\nmode: none\0\nmax_age: 1\n";
	char	why[64];

	assert_int_equal(parse("version: STSv1\n\nmode: none\nmax_age: 1\n", &p), -1);
	assert_int_equal(parse("version: STSv1\nmode: none\nmax_age: 1\n\n", &p), -1);
	assert_int_equal(parse(" version: STSv1\nmode: none\nmax_age: 1\n", &p), -1);
	assert_int_equal(parse("version : STSv1\nmode: none\nmax_age: 1\n", &p), -1);
	assert_int_equal(parse("version: STSv1\rmode: none\nmax_age: 1\n", &p), -1);
	assert_int_equal(parse("", &p), -1);
	assert_int_equal(sts_policy_parse(nul, sizeof(nul) - 1, &p, why, sizeof(why)), -1);
}

static void
copy_is_deep(void **state)
{
	sts_policy p, q;

	assert_int_equal(parse("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 5\n", &p), 0);
	assert_int_equal(sts_policy_copy(&q, &p), 0);
	sts_policy_free(&p);
	assert_string_equal(q.mx[0], "a.example");
	assert_string_equal(q.lines[2], "mx: a.example");
	sts_policy_free(&q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc_example_parses),
		cmocka_unit_test(crlf_and_trailing_wsp_allowed),
		cmocka_unit_test(required_fields_once),
		cmocka_unit_test(enforce_and_testing_need_mx),
		cmocka_unit_test(values_are_case_sensitive),
		cmocka_unit_test(max_age_bounds),
		cmocka_unit_test(mx_must_be_hostname_pattern),
		cmocka_unit_test(mx_sorted_and_deduplicated),
		cmocka_unit_test(too_many_mx_is_invalid),
		cmocka_unit_test(extensions_checked_not_copied),
		cmocka_unit_test(line_structure_is_strict),
		cmocka_unit_test(copy_is_deep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
