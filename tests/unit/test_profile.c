/*
 * test_profile.c -- unit tests for the reply profiles (tlspolicy/profile.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"

static char *mx2[] = { "mx1.example.net", "*.mx.example.net" };
static char *lines2[] = { "version: STSv1", "mode: enforce", "mx: mx1.example.net",
			  "mx: *.mx.example.net", "max_age: 86400" };

static pd_decision
sts(pd_sts_mode mode, char **mx, size_t nmx, char **lines, size_t nlines)
{
	pd_decision d;

	pd_decision_init(&d);
	d.kind = PD_STS;
	d.sts_mode = mode;
	d.mx = mx;
	d.nmx = nmx;
	d.lines = lines;
	d.nlines = nlines;
	return d;
}

static void
reply_is(pd_profile p, const pd_decision *d, const char *want)
{
	strbuf	sb = STRBUF_INIT;

	assert_int_equal(profile_reply(p, d, "example.net", &sb), 0);
	assert_string_equal(strbuf_str(&sb), want);
	strbuf_free(&sb);
}

static void
names_pick_profiles_unknown_fails(void **state)
{
	pd_profile p;

	(void)state;
	assert_int_equal(profile_by_name("postfix", 7, &p), 0);
	assert_int_equal(p, PROFILE_POSTFIX);
	assert_int_equal(profile_by_name("postfix-tlsrpt", 14, &p), 0);
	assert_int_equal(p, PROFILE_POSTFIX_TLSRPT);
	assert_int_equal(profile_by_name("sendmail", 8, &p), 0);
	assert_int_equal(p, PROFILE_SENDMAIL);
	assert_int_equal(profile_by_name("sts", 3, &p), 0);	/* FEATURE(sts)'s map name */
	assert_int_equal(p, PROFILE_SENDMAIL);
	assert_int_equal(profile_by_name("requiretls", 10, &p), 0);
	assert_int_equal(p, PROFILE_REQUIRETLS);
	assert_int_equal(profile_by_name("Postfix", 7, &p), -1);
	assert_int_equal(profile_by_name("postfi", 6, &p), -1);
	assert_int_equal(profile_by_name("", 0, &p), -1);
}

static void
dane_replies_per_profile(void **state)
{
	pd_decision d;

	(void)state;
	pd_decision_init(&d);
	d.kind = PD_DANE_ALL;
	reply_is(PROFILE_POSTFIX, &d, "OK dane-only");
	reply_is(PROFILE_POSTFIX_TLSRPT, &d, "OK dane-only");
	reply_is(PROFILE_SENDMAIL, &d, "NOTFOUND ");
	reply_is(PROFILE_REQUIRETLS, &d, "OK dane-only");
	d.kind = PD_DANE_SOME;
	reply_is(PROFILE_POSTFIX, &d, "OK dane");
	reply_is(PROFILE_REQUIRETLS, &d, "OK dane-only");
}

static void
sts_enforce_is_secure_with_one_label_wildcard_as_dot(void **state)
{
	pd_decision d = sts(PD_STS_ENFORCE, mx2, 2, lines2, 5);

	(void)state;
	reply_is(PROFILE_POSTFIX, &d, "OK secure match=mx1.example.net:.mx.example.net servername=hostname");
	reply_is(PROFILE_SENDMAIL, &d, "OK secure match=mx1.example.net:.mx.example.net servername=hostname");
	reply_is(PROFILE_REQUIRETLS, &d, "OK secure match=mx1.example.net:.mx.example.net servername=hostname");
}

static void
sts_tlsrpt_adds_the_3_10_attributes(void **state)
{
	pd_decision d = sts(PD_STS_ENFORCE, mx2, 2, lines2, 5);

	(void)state;
	reply_is(PROFILE_POSTFIX_TLSRPT, &d,
	    "OK secure match=mx1.example.net:.mx.example.net servername=hostname"
	    " policy_type=sts policy_domain=example.net"
	    " mx_host_pattern=mx1.example.net mx_host_pattern=*.mx.example.net"
	    " { policy_string = version: STSv1 } { policy_string = mode: enforce }"
	    " { policy_string = mx: mx1.example.net } { policy_string = mx: *.mx.example.net }"
	    " { policy_string = max_age: 86400 }");
}

static void
sts_testing_only_for_requiretls(void **state)
{
	pd_decision d = sts(PD_STS_TESTING, mx2, 2, lines2, 5);

	(void)state;
	reply_is(PROFILE_POSTFIX, &d, "NOTFOUND ");
	reply_is(PROFILE_POSTFIX_TLSRPT, &d, "NOTFOUND ");
	reply_is(PROFILE_REQUIRETLS, &d, "OK secure match=mx1.example.net:.mx.example.net servername=hostname");
	d.sts_mode = PD_STS_NONE;
	reply_is(PROFILE_POSTFIX, &d, "NOTFOUND ");
	reply_is(PROFILE_REQUIRETLS, &d, "TEMP no authenticated TLS policy for example.net");
}

static void
hostile_patterns_and_lines_never_reach_a_reply(void **state)
{
	static char *bad[] = { "mx.example.net servername=evil", "a,b.example", "x}.example",
			       "192.0.2.1", "*.*.example.net", "MX.example.net", "" };
	static char *badlines[] = { "mx: } tafile=/etc/passwd {", "ok line" };
	pd_decision d = sts(PD_STS_ENFORCE, bad, 7, badlines, 2);
	static char *mixed[] = { "bad pattern", "good.example.net" };

	(void)state;
	reply_is(PROFILE_POSTFIX, &d, "TEMP MTA-STS policy has no usable mx pattern");
	d.mx = mixed;
	d.nmx = 2;
	reply_is(PROFILE_POSTFIX_TLSRPT, &d,
	    "OK secure match=good.example.net servername=hostname policy_type=sts"
	    " policy_domain=example.net mx_host_pattern=good.example.net"
	    " { policy_string = ok line }");
}

static void
oversized_tlsrpt_reply_drops_policy_strings_never_over_limit(void **state)
{
	static char *lines[3000];
	static char line[64];
	size_t	i;
	pd_decision d;
	strbuf	sb = STRBUF_INIT;

	(void)state;
	memset(line, 'x', sizeof(line) - 1);
	memcpy(line, "k: ", 3);
	for (i = 0; i < 3000; i++)
		lines[i] = line;
	d = sts(PD_STS_ENFORCE, mx2, 2, lines, 3000);
	assert_int_equal(profile_reply(PROFILE_POSTFIX_TLSRPT, &d, "example.net", &sb), 0);
	assert_true(sb.len <= PROFILE_REPLY_MAX);
	assert_null(strstr(sb.s, "policy_string"));
	assert_non_null(strstr(sb.s, "mx_host_pattern=*.mx.example.net"));
	strbuf_free(&sb);
}

static void
temp_notfound_and_overrides(void **state)
{
	pd_decision d;
	strbuf	sb = STRBUF_INIT;

	(void)state;
	pd_decision_init(&d);
	reply_is(PROFILE_POSTFIX, &d, "NOTFOUND ");
	reply_is(PROFILE_REQUIRETLS, &d, "TEMP no authenticated TLS policy for example.net");
	d.kind = PD_TEMP;
	strcpy(d.why, "MX lookup for example.net failed (bogus)");
	reply_is(PROFILE_SENDMAIL, &d, "TEMP MX lookup for example.net failed (bogus)");
	d.kind = PD_OVERRIDE;
	d.override = "encrypt protocols=>=TLSv1.2";
	reply_is(PROFILE_POSTFIX, &d, "OK encrypt protocols=>=TLSv1.2");
	reply_is(PROFILE_REQUIRETLS, &d, "TEMP no authenticated TLS policy for example.net");
	d.override = "verify match=hostname";
	reply_is(PROFILE_REQUIRETLS, &d, "OK verify match=hostname");
	assert_int_equal(profile_nokey_reply(PROFILE_POSTFIX, "explicit next-hop host", &sb), 0);
	assert_string_equal(strbuf_str(&sb), "NOTFOUND ");
	assert_int_equal(profile_nokey_reply(PROFILE_REQUIRETLS, "explicit next-hop host", &sb), 0);
	assert_string_equal(strbuf_str(&sb), "TEMP no authenticated TLS policy: explicit next-hop host");
	strbuf_free(&sb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_pick_profiles_unknown_fails),
		cmocka_unit_test(dane_replies_per_profile),
		cmocka_unit_test(sts_enforce_is_secure_with_one_label_wildcard_as_dot),
		cmocka_unit_test(sts_tlsrpt_adds_the_3_10_attributes),
		cmocka_unit_test(sts_testing_only_for_requiretls),
		cmocka_unit_test(hostile_patterns_and_lines_never_reach_a_reply),
		cmocka_unit_test(oversized_tlsrpt_reply_drops_policy_strings_never_over_limit),
		cmocka_unit_test(temp_notfound_and_overrides),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
