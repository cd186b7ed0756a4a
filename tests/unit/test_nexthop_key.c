/*
 * test_nexthop_key.c -- unit tests for the socketmap key to policy domain
 *	mapping (tlspolicy/nexthop_key.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "nexthop_key.h"

static void
domain_is(const char *key, const char *want)
{
	char	out[NEXTHOP_MAX + 1];
	const char *why = NULL;

	print_message("%s\n", key);
	assert_int_equal(nexthop_key(key, strlen(key), out, &why), 0);
	assert_string_equal(out, want);
}

static void
no_policy(const char *key, size_t len, const char *why_want)
{
	char	out[NEXTHOP_MAX + 1];
	const char *why = NULL;

	print_message("%.*s\n", (int)(len < 64 ? len : 64), key);
	assert_int_equal(nexthop_key(key, len, out, &why), -1);
	assert_non_null(why);
	if (why_want)
		assert_string_equal(why, why_want);
}

static void
ascii_case_is_folded(void **state)
{
	(void)state;
	domain_is("Example.COM", "example.com");
	domain_is("mx-1.example.net", "mx-1.example.net");
}

static void
one_trailing_dot_is_dropped(void **state)
{
	(void)state;
	domain_is("example.com.", "example.com");
	no_policy("example.com..", 13, NULL);
}

static void
u_labels_become_a_labels(void **state)
{
	(void)state;
	domain_is("b\xc3\xbc" "cher.example", "xn--bcher-kva.example");
	domain_is("B\xc3\x9c" "CHER.example.", "xn--bcher-kva.example");
}

static void
invalid_utf8_is_no_domain(void **state)
{
	(void)state;
	no_policy("b\xfc" "cher.example", 12, "not a valid internationalised domain name");
}

static void
parent_walk_explicit_hosts_and_literals_have_no_policy(void **state)
{
	(void)state;
	no_policy(".example.com", 12, "parent-domain lookup (RFC 8461 3.4)");
	no_policy("[mx.example.com]", 16, "explicit next-hop host");
	no_policy("[mx.example.com]:587", 20, "explicit next-hop host");
	no_policy("mx.example.com:25", 17, "explicit next-hop host or port");
	no_policy("192.0.2.1", 9, "address literal (RFC 8461 3.4)");
	no_policy("2001:db8::1", 11, "address literal (RFC 8461 3.4)");
	no_policy("/var/run/lmtp", 13, "LMTP destination");
	no_policy("private/dovecot-lmtp", 20, "LMTP destination");
}

static void
garbage_has_no_policy(void **state)
{
	char	big[NEXTHOP_KEY_MAX + 2];

	(void)state;
	no_policy("", 0, NULL);
	no_policy("exa mple.com", 12, NULL);
	no_policy("example.com\r\n", 13, NULL);
	no_policy("ex\0ample.com", 12, NULL);
	no_policy("localhost", 9, "single-label name");
	no_policy("-bad.example", 12, NULL);
	no_policy("under_score.example", 19, NULL);
	no_policy("example.123", 11, NULL);
	memset(big, 'a', sizeof(big));
	no_policy(big, sizeof(big), NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ascii_case_is_folded),
		cmocka_unit_test(one_trailing_dot_is_dropped),
		cmocka_unit_test(u_labels_become_a_labels),
		cmocka_unit_test(invalid_utf8_is_no_domain),
		cmocka_unit_test(parent_walk_explicit_hosts_and_literals_have_no_policy),
		cmocka_unit_test(garbage_has_no_policy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
