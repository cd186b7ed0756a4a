/*
 * test_requiretls.c -- the REQUIRETLS header rules (policy/requiretls.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "requiretls.h"

static tlsreq_decision
decide_in(int enabled, int tls, int requiretls, int esmtp_in, int trusted, int dmarc_pass)
{
	tlsreq_input in = { enabled, tls, requiretls, esmtp_in, trusted, dmarc_pass };
	tlsreq_decision d;

	tlsreq_decide(&in, &d);
	return d;
}

static tlsreq_decision
decide(int enabled, int tls, int requiretls, int trusted, int dmarc_pass)
{
	tlsreq_input in = { enabled, tls, requiretls, 0, trusted, dmarc_pass };
	tlsreq_decision d;

	tlsreq_decide(&in, &d);
	return d;
}

static void
requiretls_over_tls_writes_the_field(void **state)
{
	assert_true(decide(1, 1, 1, 0, 0).add_esmtp);
}

static void
requiretls_without_tls_writes_nothing(void **state)
{
	assert_false(decide(1, 0, 1, 0, 0).add_esmtp);
}

static void
no_requiretls_writes_nothing(void **state)
{
	assert_false(decide(1, 1, 0, 1, 1).add_esmtp);
}

static void
incoming_esmtp_field_removed_from_stranger(void **state)
{
	tlsreq_decision d = decide_in(1, 1, 0, 1, 0, 1);

	assert_false(d.keep_esmtp);
	assert_false(d.add_esmtp);
}

static void
incoming_esmtp_field_from_trusted_client_rewritten_by_us(void **state)
{
	/* removed and written again: milter_header_checks sees only milter fields */
	tlsreq_decision d = decide_in(1, 0, 0, 1, 1, 0);

	assert_false(d.keep_esmtp);
	assert_true(d.add_esmtp);
}

static void
trusted_client_without_the_field_gets_none(void **state)
{
	assert_false(decide_in(1, 1, 0, 0, 1, 1).add_esmtp);
}

static void
tls_required_no_removed_without_dmarc_pass(void **state)
{
	tlsreq_decision d = decide(1, 1, 0, 0, 0);

	assert_false(d.keep_no);
	assert_non_null(d.why_no);
}

static void
tls_required_no_kept_with_dmarc_pass(void **state)
{
	tlsreq_decision d = decide(1, 0, 0, 0, 1);

	assert_true(d.keep_no);
	assert_null(d.why_no);
}

static void
tls_required_no_kept_from_trusted_client(void **state)
{
	assert_true(decide(1, 0, 0, 1, 0).keep_no);
}

static void
disabled_changes_nothing(void **state)
{
	tlsreq_decision d = decide(0, 1, 1, 0, 0);

	assert_false(d.add_esmtp);
	assert_true(d.keep_esmtp);
	assert_true(d.keep_no);
}

static void
esmtp_value_yes_in_any_case_with_blanks(void **state)
{
	(void)state;
	assert_true(tlsreq_esmtp_yes("yes", 3));
	assert_true(tlsreq_esmtp_yes(" YES", 4));
	assert_true(tlsreq_esmtp_yes(" Yes\r\n\t", 7));
}

static void
esmtp_value_other_than_yes_asks_nothing(void **state)
{
	(void)state;
	assert_false(tlsreq_esmtp_yes(" no", 3));
	assert_false(tlsreq_esmtp_yes("", 0));
	assert_false(tlsreq_esmtp_yes(" yes please", 11));
	assert_false(tlsreq_esmtp_yes("ye", 2));
	assert_false(tlsreq_esmtp_yes("yes\0x", 5));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(requiretls_over_tls_writes_the_field),
		cmocka_unit_test(requiretls_without_tls_writes_nothing),
		cmocka_unit_test(no_requiretls_writes_nothing),
		cmocka_unit_test(incoming_esmtp_field_removed_from_stranger),
		cmocka_unit_test(incoming_esmtp_field_from_trusted_client_rewritten_by_us),
		cmocka_unit_test(trusted_client_without_the_field_gets_none),
		cmocka_unit_test(tls_required_no_removed_without_dmarc_pass),
		cmocka_unit_test(tls_required_no_kept_with_dmarc_pass),
		cmocka_unit_test(tls_required_no_kept_from_trusted_client),
		cmocka_unit_test(disabled_changes_nothing),
		cmocka_unit_test(esmtp_value_yes_in_any_case_with_blanks),
		cmocka_unit_test(esmtp_value_other_than_yes_asks_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
