/*
 * test_authres_fate.c -- unit tests for policy/authres_fate.c: which incoming
 * Authentication-Results fields are removed (RFC 8601 section 5), one case
 * per rule, with AuthservID mx.receiver.test and TrustedAuthservIDs
 * relay.receiver.test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "authres_fate.h"

static dt_config cfg;

static int
setup(void **state)
{
	char	err[128];

	(void)state;
	dt_config_defaults(&cfg);
	assert_int_equal(dt_config_set(&cfg, "AuthservID", "mx.receiver.test", err,
	    sizeof(err)), 0);
	assert_int_equal(dt_config_set(&cfg, "TrustedAuthservIDs", "relay.receiver.test", err,
	    sizeof(err)), 0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	dt_config_free(&cfg);
	return 0;
}

static authres_fate
fate(const char *v, int trusted_client)
{
	return authres_field_fate(v, strlen(v), &cfg, trusted_client);
}

static void
our_id_removed_whoever_sends_it(void **state)
{
	(void)state;
	assert_int_equal(fate(" mx.receiver.test; dmarc=pass", 0), AUTHRES_OURS);
	assert_int_equal(fate(" (c) MX.Receiver.TEST; dmarc=pass", 1), AUTHRES_OURS);
}

static void
trusted_id_kept_from_trusted_network(void **state)
{
	(void)state;
	assert_int_equal(fate(" relay.receiver.test; spf=pass smtp.mailfrom=a.test", 1),
	    AUTHRES_KEEP);
}

static void
trusted_id_from_stranger_removed(void **state)
{
	(void)state;
	assert_int_equal(fate(" Relay.Receiver.Test; spf=pass smtp.mailfrom=a.test", 0),
	    AUTHRES_TRUSTED_ID_FROM_STRANGER);
}

static void
foreign_readable_field_kept(void **state)
{
	(void)state;
	assert_int_equal(fate(" other.example; dkim=pass header.d=a.test", 0), AUTHRES_KEEP);
	assert_int_equal(fate(" other.example; none", 0), AUTHRES_KEEP);
}

static void
unparseable_foreign_field_removed(void **state)
{
	(void)state;
	assert_int_equal(fate(" other.example; spf=", 0), AUTHRES_UNREADABLE);
	assert_int_equal(fate(" other.example dkim=pass", 1), AUTHRES_UNREADABLE);
	assert_int_equal(fate(" other.example; dkim=pass (unclosed", 0), AUTHRES_UNREADABLE);
}

static void
unreadable_id_removed(void **state)
{
	(void)state;
	assert_int_equal(fate("", 0), AUTHRES_UNREADABLE);
	assert_int_equal(fate(" ; dkim=pass", 0), AUTHRES_UNREADABLE);
	assert_int_equal(fate(" (only a comment", 1), AUTHRES_UNREADABLE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(our_id_removed_whoever_sends_it),
		cmocka_unit_test(trusted_id_kept_from_trusted_network),
		cmocka_unit_test(trusted_id_from_stranger_removed),
		cmocka_unit_test(foreign_readable_field_kept),
		cmocka_unit_test(unparseable_foreign_field_removed),
		cmocka_unit_test(unreadable_id_removed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
