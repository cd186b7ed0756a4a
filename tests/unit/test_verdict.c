/*
 * test_verdict.c -- the decision rules of policy/verdict.c (dt_decide).
 *
 * One case per rule: what the MTA is told for a set of DMARC outcomes of
 * the author domains, under the configuration switches that matter.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "verdict.h"

static dt_config cfg;

static int
setup(void **state)
{
	dt_config_defaults(&cfg);
	return 0;
}

static int
teardown(void **state)
{
	dt_config_free(&cfg);
	return 0;
}

static dmarc_outcome
outcome(dmarc_res r, dmarc_policy disposition)
{
	dmarc_outcome o;

	memset(&o, 0, sizeof(o));
	o.result = r;
	o.disposition = disposition;
	o.policy = disposition;
	return o;
}

static void
fail_with_reject_rejects(void **state)
{
	dmarc_outcome o = outcome(DMARC_RES_FAIL, DMARC_POLICY_REJECT);
	size_t	d;

	assert_int_equal(dt_decide(&cfg, &o, 1, 1, &d), ACTION_REJECT);
	assert_int_equal(d, 0);
}

static void
reject_failures_off_accepts_reject_failures(void **state)
{
	dmarc_outcome o = outcome(DMARC_RES_FAIL, DMARC_POLICY_REJECT);
	size_t	d;

	cfg.reject_failures = 0;
	assert_int_equal(dt_decide(&cfg, &o, 1, 1, &d), ACTION_ACCEPT);
}

static void
fail_with_quarantine_quarantines(void **state)
{
	dmarc_outcome o = outcome(DMARC_RES_FAIL, DMARC_POLICY_QUARANTINE);
	size_t	d;

	assert_int_equal(dt_decide(&cfg, &o, 1, 1, &d), ACTION_QUARANTINE);
}

static void
fail_with_policy_none_accepts(void **state)
{
	dmarc_outcome o = outcome(DMARC_RES_FAIL, DMARC_POLICY_NONE);
	size_t	d;

	assert_int_equal(dt_decide(&cfg, &o, 1, 1, &d), ACTION_ACCEPT);
}

static void
pass_and_none_accept(void **state)
{
	dmarc_outcome o[2] = { outcome(DMARC_RES_PASS, DMARC_POLICY_NONE),
	    outcome(DMARC_RES_NONE, DMARC_POLICY_NONE) };
	size_t	d;

	assert_int_equal(dt_decide(&cfg, o, 2, 1, &d), ACTION_ACCEPT);
	assert_int_equal(d, 1);		/* "none" says more than "pass" */
}

static void
temperror_tempfails_when_configured(void **state)
{
	dmarc_outcome o = outcome(DMARC_RES_TEMPERROR, DMARC_POLICY_NONE);
	size_t	d;

	cfg.tempfail_on_dns_error = 1;
	assert_int_equal(dt_decide(&cfg, &o, 1, 1, &d), ACTION_TEMPFAIL);
}

static void
temperror_accepts_when_tempfail_off(void **state)
{
	dmarc_outcome o = outcome(DMARC_RES_TEMPERROR, DMARC_POLICY_NONE);
	size_t	d;

	cfg.tempfail_on_dns_error = 0;
	assert_int_equal(dt_decide(&cfg, &o, 1, 1, &d), ACTION_ACCEPT);
}

static void
strictest_failing_domain_wins(void **state)
{
	dmarc_outcome o[3] = { outcome(DMARC_RES_PASS, DMARC_POLICY_NONE),
	    outcome(DMARC_RES_FAIL, DMARC_POLICY_QUARANTINE),
	    outcome(DMARC_RES_FAIL, DMARC_POLICY_REJECT) };
	size_t	d;

	assert_int_equal(dt_decide(&cfg, o, 3, 1, &d), ACTION_REJECT);
	assert_int_equal(d, 2);
}

static void
passing_domain_cannot_cover_a_failing_one(void **state)
{
	/* the multi-From bypass: a pass for one author must not excuse another */
	dmarc_outcome o[2] = { outcome(DMARC_RES_FAIL, DMARC_POLICY_REJECT),
	    outcome(DMARC_RES_PASS, DMARC_POLICY_NONE) };
	size_t	d;

	assert_int_equal(dt_decide(&cfg, o, 2, 1, &d), ACTION_REJECT);
	assert_int_equal(d, 0);
}

static void
known_reject_beats_unknown_policy(void **state)
{
	dmarc_outcome o[2] = { outcome(DMARC_RES_TEMPERROR, DMARC_POLICY_NONE),
	    outcome(DMARC_RES_FAIL, DMARC_POLICY_REJECT) };
	size_t	d;

	cfg.tempfail_on_dns_error = 0;
	assert_int_equal(dt_decide(&cfg, o, 2, 1, &d), ACTION_REJECT);
	cfg.tempfail_on_dns_error = 1;
	assert_int_equal(dt_decide(&cfg, o, 2, 1, &d), ACTION_REJECT);
	assert_int_equal(d, 1);
}

static void
unknown_policy_beats_quarantine_only_when_retried(void **state)
{
	dmarc_outcome o[2] = { outcome(DMARC_RES_FAIL, DMARC_POLICY_QUARANTINE),
	    outcome(DMARC_RES_TEMPERROR, DMARC_POLICY_NONE) };
	size_t	d;

	cfg.tempfail_on_dns_error = 1;
	assert_int_equal(dt_decide(&cfg, o, 2, 1, &d), ACTION_TEMPFAIL);
	cfg.tempfail_on_dns_error = 0;
	assert_int_equal(dt_decide(&cfg, o, 2, 1, &d), ACTION_QUARANTINE);
}

static void
no_usable_from_rejects_by_default(void **state)
{
	size_t	d;

	assert_int_equal(dt_decide(&cfg, NULL, 0, 0, &d), ACTION_REJECT);
	cfg.reject_on_no_from = 0;
	assert_int_equal(dt_decide(&cfg, NULL, 0, 0, &d), ACTION_ACCEPT);
}

static void
permerror_domain_follows_reject_on_no_from(void **state)
{
	dmarc_outcome o = outcome(DMARC_RES_PERMERROR, DMARC_POLICY_NONE);
	size_t	d;

	assert_int_equal(dt_decide(&cfg, &o, 1, 1, &d), ACTION_REJECT);
	cfg.reject_on_no_from = 0;
	assert_int_equal(dt_decide(&cfg, &o, 1, 1, &d), ACTION_ACCEPT);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(fail_with_reject_rejects),
		T(reject_failures_off_accepts_reject_failures),
		T(fail_with_quarantine_quarantines),
		T(fail_with_policy_none_accepts),
		T(pass_and_none_accept),
		T(temperror_tempfails_when_configured),
		T(temperror_accepts_when_tempfail_off),
		T(strictest_failing_domain_wins),
		T(passing_domain_cannot_cover_a_failing_one),
		T(known_reject_beats_unknown_policy),
		T(unknown_policy_beats_quarantine_only_when_retried),
		T(no_usable_from_rejects_by_default),
		T(permerror_domain_follows_reject_on_no_from),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
