/*
 * test_report_destination.c -- rua lists to destinations (hostile URIs), and
 *	RFC 9990 section 4 external destination verification against a
 *	table-driven fake DNS.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "destination.h"
#include "fake_dns.h"
#include "strbuf.h"

static size_t
parse(const char *rua, size_t max, report_dest *d, size_t *ignored)
{
	return report_dest_parse(rua, max, d, ignored);
}

static void
size_suffix_is_ignored(void **state)
{
	report_dest d[4];
	size_t	ign;

	assert_int_equal(parse("mailto:a@b.example!10m", 4, d, &ign), 1);
	assert_string_equal(d[0].addr, "a@b.example");
	assert_string_equal(d[0].host, "b.example");
	assert_int_equal(ign, 0);
}

static void
host_is_lowered_local_part_kept(void **state)
{
	report_dest d[4];
	size_t	ign;

	assert_int_equal(parse("mailto:Agg@B.EXAMPLE", 4, d, &ign), 1);
	assert_string_equal(d[0].addr, "Agg@b.example");
}

static void
hfields_are_not_part_of_the_address(void **state)
{
	report_dest d[4];
	size_t	ign;

	assert_int_equal(parse("mailto:a@b.example?subject=hello", 4, d, &ign), 1);
	assert_string_equal(d[0].addr, "a@b.example");
}

static void
other_schemes_and_malformed_are_ignored(void **state)
{
	static const char *const bad[] = {
		"https://r.example/dmarc", "mailto:", "mailto:@b.example", "mailto:a@",
		"mailto:<a@b.example>", "mailto:a b@c.example", "mailto:a%40x@b.example",
		"mailto:a@b%2Cexample", "mailto:a@b\xc3\xbc" "cher.example", "mailto:a@b..example",
		"mailto:a\"q@b.example", "mailto:a@b.example%0d%0aBcc:%20x@evil.example",
		"mailto:a@b.example%", "mailto:a@b.example%4", "mailto:a@b.example%zz",
		"mailto:a@b.example;x", "mailto:a(b)@c.example", NULL
	};
	report_dest d[4];
	size_t	ign, i;

	for (i = 0; bad[i] != NULL; i++) {
		assert_int_equal(parse(bad[i], 4, d, &ign), 0);
		assert_int_equal(ign, 1);
	}
}

static void
uris_are_taken_in_order_up_to_the_limit(void **state)
{
	strbuf	sb = STRBUF_INIT;
	report_dest d[8];
	size_t	ign, i;

	for (i = 0; i < 100; i++)
		strbuf_printf(&sb, "%smailto:r%zu@b.example", i ? "," : "", i);
	assert_int_equal(parse(strbuf_str(&sb), 4, d, &ign), 4);
	assert_string_equal(d[0].addr, "r0@b.example");
	assert_string_equal(d[3].addr, "r3@b.example");
	assert_int_equal(ign, 96);
	strbuf_free(&sb);
}

static void
duplicates_count_once(void **state)
{
	report_dest d[4];
	size_t	ign;

	assert_int_equal(parse("mailto:a@b.example, mailto:A@B.example ,https://x", 4, d, &ign), 1);
	assert_int_equal(ign, 1);
	assert_int_equal(parse("", 4, d, &ign), 0);
	assert_int_equal(parse(",,,", 4, d, &ign), 0);
	assert_int_equal(ign, 0);
}

/* ------------------------------------------------------------ verify */

static const fake_rr world[] = {
	{"_dmarc.example.com", DNS_STATUS_OK, {"v=DMARC1; p=reject"}},
	{"example.com._report._dmarc.collector.example", DNS_STATUS_OK, {"v=DMARC1"}},
	{"example.com._report._dmarc.temp.example", DNS_STATUS_TEMPFAIL, {NULL}},
	{"example.com._report._dmarc.over.example", DNS_STATUS_OK,
	    {"v=DMARC1; rua=mailto:other@over.example"}},
	{"example.com._report._dmarc.pivot.example", DNS_STATUS_OK,
	    {"v=DMARC1; rua=mailto:x@evil.example"}},
	{"example.com._report._dmarc.late.example", DNS_STATUS_OK,
	    {"p=none; v=DMARC1", "spf1 x"}},
	{"example.com._report._dmarc.two.example", DNS_STATUS_OK,
	    {"not dmarc", "v=DMARC1;"}},
	{"example.com._report._dmarc.both.example", DNS_STATUS_OK,
	    {"v=DMARC1; rua=mailto:agg@both.example; ruf=mailto:fail@both.example"}},
	{NULL, 0, {NULL}}
};

static int use_ruf;	/* verify as for failure reports */

static dest_verdict
verify(fake_dns *f, const char *addr, report_dest *d)
{
	dest_checker c = { fake_lookup, f, DMARC_DISCOVERY_TREEWALK, NULL, use_ruf };
	char	why[256];
	size_t	ign;

	memset(f, 0, sizeof(*f));
	f->table = world;
	assert_int_equal(report_dest_parse(addr, 1, d, &ign), 1);
	return report_dest_verify(&c, "example.com", d, why, sizeof(why));
}

static void
same_organization_needs_no_record(void **state)
{
	fake_dns f;
	report_dest d;

	assert_int_equal(verify(&f, "mailto:r@reports.example.com", &d), DEST_OK);
	assert_string_equal(d.addr, "r@reports.example.com");
}

static void
external_authorised_by_v_dmarc1(void **state)
{
	fake_dns f;
	report_dest d;

	assert_int_equal(verify(&f, "mailto:agg@collector.example", &d), DEST_OK);
	assert_string_equal(d.addr, "agg@collector.example");
}

static void
external_without_record_refused(void **state)
{
	fake_dns f;
	report_dest d;

	assert_int_equal(verify(&f, "mailto:x@unauth.example", &d), DEST_REFUSED);
}

static void
temporary_failure_defers(void **state)
{
	fake_dns f;
	report_dest d;

	assert_int_equal(verify(&f, "mailto:x@temp.example", &d), DEST_DEFER);
}

static void
record_must_begin_with_v_dmarc1(void **state)
{
	fake_dns f;
	report_dest d;

	assert_int_equal(verify(&f, "mailto:x@late.example", &d), DEST_REFUSED);
	assert_int_equal(verify(&f, "mailto:x@two.example", &d), DEST_OK);
}

static void
override_rua_at_the_same_host_replaces(void **state)
{
	fake_dns f;
	report_dest d;

	assert_int_equal(verify(&f, "mailto:x@over.example", &d), DEST_OK);
	assert_string_equal(d.addr, "other@over.example");
}

/* RFC 9991 section 5: for failure reports the override is the record's ruf */
static void
failure_reports_read_the_ruf_override(void **state)
{
	fake_dns f;
	report_dest d;

	assert_int_equal(verify(&f, "mailto:x@both.example", &d), DEST_OK);
	assert_string_equal(d.addr, "agg@both.example");
	use_ruf = 1;
	assert_int_equal(verify(&f, "mailto:x@both.example", &d), DEST_OK);
	assert_string_equal(d.addr, "fail@both.example");
	/* a record with a rua only says nothing of ruf: the address stays */
	assert_int_equal(verify(&f, "mailto:x@over.example", &d), DEST_OK);
	assert_string_equal(d.addr, "x@over.example");
	use_ruf = 0;
}

static void
override_rua_elsewhere_refuses_both(void **state)
{
	fake_dns f;
	report_dest d;

	assert_int_equal(verify(&f, "mailto:x@pivot.example", &d), DEST_REFUSED);
}

static void
overlong_authorisation_name_refused_unasked(void **state)
{
	fake_dns f;
	report_dest d;
	char	uri[300];

	/* 4 labels of 60: valid host, but the _report name exceeds 253 */
	snprintf(uri, sizeof(uri), "mailto:x@%.60s.%.60s.%.60s.%.55s.example",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
	    "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
	    "ddddddddddddddddddddddddddddddddddddddddddddddddddddddd");
	assert_int_equal(verify(&f, uri, &d), DEST_REFUSED);
	for (size_t i = 0; i < f.nq; i++)
		assert_null(strstr(f.q[i], "._report._dmarc."));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(size_suffix_is_ignored),
		cmocka_unit_test(host_is_lowered_local_part_kept),
		cmocka_unit_test(hfields_are_not_part_of_the_address),
		cmocka_unit_test(other_schemes_and_malformed_are_ignored),
		cmocka_unit_test(uris_are_taken_in_order_up_to_the_limit),
		cmocka_unit_test(duplicates_count_once),
		cmocka_unit_test(same_organization_needs_no_record),
		cmocka_unit_test(external_authorised_by_v_dmarc1),
		cmocka_unit_test(external_without_record_refused),
		cmocka_unit_test(temporary_failure_defers),
		cmocka_unit_test(record_must_begin_with_v_dmarc1),
		cmocka_unit_test(override_rua_at_the_same_host_replaces),
		cmocka_unit_test(override_rua_elsewhere_refuses_both),
		cmocka_unit_test(failure_reports_read_the_ruf_override),
		cmocka_unit_test(overlong_authorisation_name_refused_unasked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
