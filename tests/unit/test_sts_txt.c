/*
 * test_sts_txt.c -- the _mta-sts TXT record parser, one test per rule of
 *	RFC 8461 section 3.1.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "sts_txt.h"

static int
parse(const char *rec, char *id)
{
	char	why[128];

	return sts_txt_parse(rec, strlen(rec), id, why, sizeof(why));
}

static void
minimal_record_gives_id(void **state)
{
	char	id[STS_ID_MAX + 1];

	assert_int_equal(parse("v=STSv1; id=20160831085700Z", id), 0);
	assert_string_equal(id, "20160831085700Z");
	assert_int_equal(parse("v=STSv1;id=a;", id), 0);
	assert_string_equal(id, "a");
	assert_int_equal(parse("v=STSv1 ;\tid=abc", id), 0);
	assert_string_equal(id, "abc");
}

static void
id_is_1_to_32_alnum(void **state)
{
	char	id[STS_ID_MAX + 1];

	assert_int_equal(parse("v=STSv1; id=12345678901234567890123456789012", id), 0);
	assert_int_equal(strlen(id), 32);
	assert_int_equal(parse("v=STSv1; id=123456789012345678901234567890123", id), -1);
	assert_int_equal(parse("v=STSv1; id=", id), -1);
	assert_int_equal(parse("v=STSv1; id=abc-def", id), -1);
	assert_int_equal(parse("v=STSv1; id=abc def", id), -1);
	assert_int_equal(parse("v=STSv1; id=ab_c", id), -1);
}

static void
id_is_required_once(void **state)
{
	char	id[STS_ID_MAX + 1];

	assert_int_equal(parse("v=STSv1", id), -1);
	assert_int_equal(parse("v=STSv1;", id), -1);
	assert_int_equal(parse("v=STSv1; ext=1", id), -1);
	assert_int_equal(parse("v=STSv1; id=a; id=b", id), -1);
	assert_int_equal(parse("v=STSv1; ID=abc", id), -1);
}

static void
version_is_first_and_case_sensitive(void **state)
{
	char	id[STS_ID_MAX + 1];

	assert_int_equal(parse("id=abc; v=STSv1", id), -1);
	assert_int_equal(parse("v=stsv1; id=abc", id), -1);
	assert_int_equal(parse("v=STSv10; id=abc", id), -1);
	assert_int_equal(parse(" v=STSv1; id=abc", id), -1);
}

static void
extensions_are_checked_and_ignored(void **state)
{
	char	id[STS_ID_MAX + 1];

	assert_int_equal(parse("v=STSv1; id=x1; foo.bar-baz_1=some!value", id), 0);
	assert_string_equal(id, "x1");
	assert_int_equal(parse("v=STSv1; ext=a=b; id=x", id), -1);
	assert_int_equal(parse("v=STSv1; ext=; id=x", id), -1);
	assert_int_equal(parse("v=STSv1; -ext=1; id=x", id), -1);
	assert_int_equal(parse("v=STSv1; id=x; a23456789012345678901234567890123=1", id), -1);
	assert_int_equal(parse("v=STSv1; id=x; a2345678901234567890123456789012=1", id), 0);
	assert_int_equal(parse("v=STSv1; id=x; ext=\x80", id), -1);
}

static void
separators_are_strict(void **state)
{
	char	id[STS_ID_MAX + 1];

	assert_int_equal(parse("v=STSv1; id=x;;", id), -1);
	assert_int_equal(parse("v=STSv1;; id=x", id), -1);
	assert_int_equal(parse("v=STSv1; id=x ", id), -1);
	assert_int_equal(parse("v=STSv1; id=x; ", id), -1);
	assert_int_equal(parse("v=STSv1, id=x", id), -1);
	assert_int_equal(parse("v=STSv1 id=x", id), -1);
}

static void
nul_byte_is_invalid(void **state)
{
	char	id[STS_ID_MAX + 1], why[64];
	static const char rec[] = "v=STSv1; id=ab\0c";

	assert_int_equal(sts_txt_parse(rec, sizeof(rec) - 1, id, why, sizeof(why)), -1);
}

static void
select_exactly_one(void **state)
{
	char	id[STS_ID_MAX + 1], why[128];
	const char *one[] = {"v=spf1 -all", "v=STSv1; id=good"};
	const char *two[] = {"v=STSv1; id=a", "v=STSv1; id=b"};
	const char *none[] = {"v=spf1 -all", "v=STSv10; id=a"};
	const char *bad[] = {"v=STSv1; id=a!"};
	size_t	l1[] = {11, 16}, l2[] = {13, 13}, l3[] = {11, 14}, l4[] = {14};

	assert_int_equal(sts_txt_select(one, l1, 2, id, why, sizeof(why)), STS_TXT_OK);
	assert_string_equal(id, "good");
	assert_int_equal(sts_txt_select(two, l2, 2, id, why, sizeof(why)), STS_TXT_MULTIPLE);
	assert_int_equal(sts_txt_select(none, l3, 2, id, why, sizeof(why)), STS_TXT_NONE);
	assert_int_equal(sts_txt_select(none, l3, 0, id, why, sizeof(why)), STS_TXT_NONE);
	assert_int_equal(sts_txt_select(bad, l4, 1, id, why, sizeof(why)), STS_TXT_INVALID);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(minimal_record_gives_id),
		cmocka_unit_test(id_is_1_to_32_alnum),
		cmocka_unit_test(id_is_required_once),
		cmocka_unit_test(version_is_first_and_case_sensitive),
		cmocka_unit_test(extensions_are_checked_and_ignored),
		cmocka_unit_test(separators_are_strict),
		cmocka_unit_test(nul_byte_is_invalid),
		cmocka_unit_test(select_exactly_one),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
